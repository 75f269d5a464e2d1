/*
 * libFuzzer harness for what two-factor login reads from people: the
 * base32 decoder (totp_base32_decode), the code parser (totp_parse_code)
 * and the recovery-code reader (totp_recovery_normalize). The input up to
 * its first NUL is the text, copied into a buffer of exactly its length
 * plus the NUL, so a read one byte too far is an ASan error.
 *
 * Checks against the contracts in totp.h: a decoded text is the canonical
 * spelling of its bytes (encoding them again, padded as the input was,
 * gives the input in upper case) and survives the round trip both ways;
 * the parsers accept exactly what a reference written here from the
 * contract accepts, and give the value it gives.
 *
 * Run: fuzz/run.sh SECONDS totp (seeds in fuzz/corpus/totp).
 */
#include "totp.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_base32(const char *s, size_t n)
{
	unsigned char bin[4096], again[4096];
	long got = totp_base32_decode(s, bin, sizeof bin);
	if (got < -1 || got > (long)sizeof bin)
		abort();
	if (got < 0)
		return;
	/* What was accepted is the encoder's own spelling of those bytes. */
	bool padded = memchr(s, '=', n) != NULL;
	char *enc = malloc(n + 16); /* room for the other spelling's padding */
	if (!enc)
		abort();
	size_t m = totp_base32_encode(bin, (size_t)got, padded, enc, n + 1);
	if (m != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
		if (enc[i] != c)
			abort();
	}
	/* and the other spelling (with or without padding) decodes alike */
	m = totp_base32_encode(bin, (size_t)got, !padded, enc, n + 16);
	if (m == 0 && got > 0)
		abort();
	if (totp_base32_decode(enc, again, sizeof again) != got || memcmp(bin, again, (size_t)got))
		abort();
	free(enc);
}

/* The contract of totp_parse_code, written out: spaces ignored, exactly
 * digits decimal digits, nothing else, at most TOTP_CODE_MAX_CHARS. */
static bool ref_code(const char *s, size_t n, int digits, long *v)
{
	if (n > TOTP_CODE_MAX_CHARS)
		return false;
	int count = 0;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			continue;
		if (s[i] < '0' || s[i] > '9' || count == digits)
			return false;
		*v = *v * 10 + (s[i] - '0');
		count++;
	}
	return count == digits;
}

static void check_code(const char *s, size_t n)
{
	for (int digits = 6; digits <= 8; digits++) {
		long got = -1, want = -1;
		bool ok = totp_parse_code(s, digits, &got);
		if (ok != ref_code(s, n, digits, &want) || (ok && got != want))
			abort();
		long top = digits == 6 ? 1000000 : digits == 7 ? 10000000 : 100000000;
		if (ok && (got < 0 || got >= top))
			abort();
	}
}

/* The contract of totp_recovery_normalize, written out. */
static bool ref_recovery(const char *s, size_t n, char out[TOTP_RECOVERY_SYMBOLS + 1])
{
	static const char symbols[] = "0123456789abcdefghjkmnpqrstvwxyz";
	if (n > TOTP_CODE_MAX_CHARS)
		return false;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		c = c == 'i' || c == 'l' ? '1' : c == 'o' ? '0' : c;
		if (!memchr(symbols, c, sizeof symbols - 1) || k == TOTP_RECOVERY_SYMBOLS)
			return false;
		out[k++] = c;
	}
	out[k] = '\0';
	return k == TOTP_RECOVERY_SYMBOLS;
}

static void check_recovery(const char *s, size_t n)
{
	char got[TOTP_RECOVERY_SYMBOLS + 1], want[TOTP_RECOVERY_SYMBOLS + 1];
	bool ok = totp_recovery_normalize(s, got);
	if (ok != ref_recovery(s, n, want) || (ok && strcmp(got, want) != 0))
		abort();
	/* a canonical code reads as itself */
	if (ok && (!totp_recovery_normalize(got, want) || strcmp(got, want) != 0))
		abort();
	/* no text is both a 6-digit code and a recovery code */
	long v;
	if (ok && totp_parse_code(s, TOTP_DIGITS, &v))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	check_base32(s, n);
	check_code(s, n);
	check_recovery(s, n);
	free(s);
	return 0;
}
