/* Password hashing: round trip, wrong passwords, acceptability, rehash. */
#include "auth_password.h"
#include "check.h"

#include <string.h>

static void test_acceptable(void)
{
	const char *why = NULL;
	CHECK(auth_password_acceptable("correct horse battery", 21, &why) && why == NULL);
	/* too short: 11 bytes, and 4 Chinese characters are 12 bytes but 4 characters */
	CHECK(!auth_password_acceptable("abcdefghijk", 11, &why) && why && strstr(why, "12"));
	CHECK(!auth_password_acceptable("密码密码", strlen("密码密码"), &why));
	CHECK(auth_password_acceptable("十二个汉字组成的一个长密码",
	                               strlen("十二个汉字组成的一个长密码"), NULL));
	CHECK(!auth_password_acceptable("", 0, &why));
	/* invalid UTF-8, and an embedded NUL */
	CHECK(!auth_password_acceptable("abcdefghijkl\xff", 13, &why) && strstr(why, "UTF-8"));
	CHECK(!auth_password_acceptable("abcdef\0ghijklm", 14, &why));
	/* 1024 bytes pass, 1025 fail */
	static char big[1026];
	memset(big, 'x', sizeof big);
	CHECK(auth_password_acceptable(big, 1024, NULL));
	CHECK(!auth_password_acceptable(big, 1025, &why) && strstr(why, "1024"));
}

static void test_hash_verify(void)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *pw = "a long enough secret";
	CHECK(auth_password_hash(pw, strlen(pw), hash) == 0);
	CHECK(!strncmp(hash, "$argon2id$", 10));
	CHECK(auth_password_verify(hash, pw, strlen(pw)));
	CHECK(!auth_password_verify(hash, "a long enough secreT", strlen(pw)));
	/* a prefix of the right password is wrong too */
	CHECK(!auth_password_verify(hash, pw, strlen(pw) - 1));
	CHECK(!auth_password_needs_rehash(hash));

	/* garbage hashes never verify and always ask for a rehash */
	CHECK(!auth_password_verify("", pw, strlen(pw)));
	CHECK(!auth_password_verify("$argon2id$v=19$m=1,t=1,p=1$xx$yy", pw, strlen(pw)));
	CHECK(auth_password_needs_rehash("not a hash"));

	/* a hash made with other limits is valid but due for a rehash */
	char weak[crypto_pwhash_STRBYTES];
	CHECK(crypto_pwhash_str(weak, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
	                        crypto_pwhash_MEMLIMIT_MIN) == 0);
	CHECK(auth_password_needs_rehash(weak));
	CHECK(auth_password_verify(weak, pw, strlen(pw)));

	/* over-long input is refused without hashing */
	static char big[2000];
	memset(big, 'y', sizeof big);
	CHECK(!auth_password_verify(hash, big, sizeof big));
}

int main(void)
{
	test_acceptable();
	test_hash_verify();
	return check_done("test_password");
}
