/*
 * libFuzzer harness for the Cookie header reader (http_cookie). The input
 * up to its first NUL is HTTP_COOKIE; what follows, when it is a short
 * token, is the cookie name asked for (else the session cookie's).
 *
 * The answer is compared with a second reading of the header written here
 * from the contract: pairs split on ';', leading blanks (and empty pairs)
 * skipped, the first pair called name wins, and its value is returned only
 * when it is one clean line. Then the value goes through the session
 * token's own check (64 hex digits), as auth_session does.
 */
#include "auth.h"
#include "fuzz_http.h"

#include <sodium.h>
#include <stdbool.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool token(const char *s, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* The value of the first pair called name in header, or NULL; *found
 * tells whether there was such a pair at all. */
static const char *reference(const char *header, const char *name, bool *found, char *buf)
{
	size_t n = strlen(name);
	*found = false;
	for (const char *p = header; *p;) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t skip = strspn(p, " \t"); /* stops at ';' and NUL: within the pair */
		const char *pair = p + skip;
		size_t plen = len - skip;
		if (plen > n && !memcmp(pair, name, n) && pair[n] == '=') {
			*found = true;
			memcpy(buf, pair + n + 1, plen - n - 1);
			buf[plen - n - 1] = '\0';
			return buf;
		}
		p += len + (end ? 1 : 0);
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t hlen = nul ? (size_t)(nul - data) : size;
	char name[40] = AUTH_COOKIE;
	if (nul && token((const char *)nul + 1, size - hlen - 1)) {
		memcpy(name, nul + 1, size - hlen - 1);
		name[size - hlen - 1] = '\0';
	}

	struct fuzz_req f;
	fuzz_req_begin(&f, NULL, 0, 0);
	fuzz_req_envs(&f, "REQUEST_METHOD", "GET");
	fuzz_req_env(&f, "HTTP_COOKIE", data, hlen);
	if (fuzz_req_init(&f) != 0)
		abort();
	const char *header = http_env(&f.req, "HTTP_COOKIE");
	const char *got = http_cookie(&f.req, name);

	char *buf = xmalloc(hlen + 1);
	bool found;
	const char *want = reference(header, name, &found, buf);
	if (want && !valid_line(want, 4096))
		want = NULL; /* a value with control bytes or broken UTF-8 is no value */
	if (!got != !want || (got && strcmp(got, want) != 0))
		abort();
	if (got && (strchr(got, ';') || strpbrk(got, "\r\n")))
		abort();

	unsigned char tok[32];
	size_t len;
	if (got && strlen(got) == 64 &&
	    sodium_hex2bin(tok, sizeof tok, got, 64, NULL, &len, NULL) == 0 && len != 32)
		abort();
	free(buf);
	fuzz_req_end(&f);
	return 0;
}
