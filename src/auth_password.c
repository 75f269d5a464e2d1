/* Password hashing with Argon2id (libsodium crypto_pwhash_str). */
#include "auth_password.h"
#include "valid.h"

#include <string.h>

/*
 * Interactive limits: one hash costs about 0.1 s and 64 MiB. That keeps a
 * login quick for people and still makes every guess of an offline attacker
 * expensive; the web side bounds how many hashes run at once so a burst of
 * logins cannot exhaust memory. Changing these makes old hashes report
 * needs_rehash, and the login then upgrades them.
 */
#define OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

static int ready(void)
{
	static int state; /* 0 not yet, 1 ok, -1 failed */
	if (state == 0)
		state = sodium_init() >= 0 ? 1 : -1; /* 1 "already" counts as ok */
	return state;
}

int auth_password_hash(const char *pw, size_t len, char out[crypto_pwhash_STRBYTES])
{
	if (ready() < 0)
		return -1;
	if (crypto_pwhash_str(out, pw, len, OPSLIMIT, MEMLIMIT) != 0)
		return -1;
	return 0;
}

bool auth_password_verify(const char *hash, const char *pw, size_t len)
{
	if (ready() < 0 || !hash || !pw)
		return false;
	/* Longer than any acceptable password: no need to spend a hash on it. */
	if (len > AUTH_PASSWORD_MAX_BYTES)
		return false;
	/* crypto_pwhash_str_verify reads up to the NUL; a stored hash longer
	 * than the format allows is corrupt, not something to parse. */
	if (strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
		return false;
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

bool auth_password_needs_rehash(const char *hash)
{
	if (ready() < 0 || !hash || strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
		return true;
	return crypto_pwhash_str_needs_rehash(hash, OPSLIMIT, MEMLIMIT) != 0;
}

/* Characters in valid UTF-8 s[0..n): bytes that do not continue a sequence. */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

bool auth_password_acceptable(const char *pw, size_t len, const char **why)
{
	const char *msg = NULL;
	if (!pw || !valid_utf8(pw, len))
		msg = "password is not valid UTF-8 text";
	else if (len > AUTH_PASSWORD_MAX_BYTES)
		msg = "password is longer than 1024 bytes";
	else if (len < AUTH_PASSWORD_MIN_CHARS || chars(pw, len) < AUTH_PASSWORD_MIN_CHARS)
		msg = "password must be at least 12 characters long";
	if (why)
		*why = msg;
	return msg == NULL;
}
