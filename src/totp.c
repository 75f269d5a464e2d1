/* HOTP/TOTP codes, base32 and recovery codes (totp.h). */
#include "totp.h"

#include <nettle/hmac.h>
#include <sodium.h>
#include <string.h>

static const long powers_of_ten[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

long totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits)
{
	if (digits < 6 || digits > 8 || !key || keylen > 1024)
		return -1;
	unsigned char msg[8], md[SHA1_DIGEST_SIZE];
	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	/* The MAC is Nettle's, never our own (issue 9). Nettle rather than
	 * OpenSSL's libcrypto: the same HMAC-SHA1 for a tenth of the memory
	 * each worker maps (libcrypto's relocations alone were 392 kB of RSS). */
	struct hmac_sha1_ctx ctx;
	hmac_sha1_set_key(&ctx, keylen, key);
	hmac_sha1_update(&ctx, sizeof msg, msg);
	hmac_sha1_digest(&ctx, sizeof md, md);
	sodium_memzero(&ctx, sizeof ctx);
	unsigned off = md[19] & 0x0f;
	unsigned long bin = ((unsigned long)(md[off] & 0x7f) << 24) |
	                    ((unsigned long)md[off + 1] << 16) | ((unsigned long)md[off + 2] << 8) |
	                    (unsigned long)md[off + 3];
	sodium_memzero(md, sizeof md);
	return (long)(bin % (unsigned long)powers_of_ten[digits]);
}

int totp_init(void)
{
	/* RFC 4226 Appendix D: secret "12345678901234567890", counter 0. */
	static const unsigned char key[] = "12345678901234567890";
	return totp_hotp(key, 20, 0, 6) == 755224 ? 0 : -1;
}

long long totp_step(long long t)
{
	return t < 0 ? -1 : t / TOTP_STEP;
}

long totp_at(const unsigned char *key, size_t keylen, long long t, int digits)
{
	long long step = totp_step(t);
	return step < 0 ? -1 : totp_hotp(key, keylen, (uint64_t)step, digits);
}

enum totp_check totp_verify(const unsigned char *key, size_t keylen, long code, int digits,
                            long long now, long long last_step, long long *step)
{
	long long center = totp_step(now);
	long long fresh = -1;
	bool seen = false;
	for (int d = -TOTP_WINDOW; d <= TOTP_WINDOW; d++) {
		long long s = center + d;
		long c = s < 0 ? -1 : totp_hotp(key, keylen, (uint64_t)s, digits);
		bool hit = c >= 0 && c == code;
		seen |= hit;
		if (hit && s > last_step)
			fresh = s; /* the window runs upward: the latest match wins */
	}
	if (fresh >= 0) {
		*step = fresh;
		return TOTP_MATCH;
	}
	return seen ? TOTP_REUSED : TOTP_WRONG;
}

bool totp_parse_code(const char *s, int digits, long *code)
{
	if (!s || digits < 6 || digits > 8)
		return false;
	long v = 0;
	int n = 0;
	size_t i = 0;
	for (; s[i]; i++) {
		if (i >= TOTP_CODE_MAX_CHARS)
			return false;
		if (s[i] == ' ')
			continue;
		if (s[i] < '0' || s[i] > '9' || n == digits)
			return false;
		v = v * 10 + (s[i] - '0');
		n++;
	}
	if (n != digits)
		return false;
	*code = v;
	return true;
}

/* --- base32 (RFC 4648 §6) ------------------------------------------------------ */

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t totp_base32_len(size_t n, bool pad)
{
	return pad ? (n + 4) / 5 * 8 : (n * 8 + 4) / 5;
}

size_t totp_base32_encode(const unsigned char *in, size_t n, bool pad, char *out, size_t outlen)
{
	size_t need = totp_base32_len(n, pad);
	if (!out || outlen == 0)
		return 0;
	if (need >= outlen) {
		out[0] = '\0';
		return 0;
	}
	size_t o = 0;
	unsigned long acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = b32[(acc << (5 - bits)) & 31];
	while (o < need)
		out[o++] = '=';
	out[o] = '\0';
	return o;
}

/* The value of base32 symbol c (either case), or -1. */
static int b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

long totp_base32_decode(const char *s, unsigned char *out, size_t outmax)
{
	if (!s)
		return -1;
	size_t len = strlen(s), data = len;
	while (data > 0 && s[data - 1] == '=')
		data--;
	size_t pad = len - data;
	/* Symbols in the last group of 8: 2, 4, 5 or 7 end a byte exactly
	 * (1, 2, 3, 4 bytes); 1, 3 and 6 cannot come out of an encoder. */
	size_t tail = data % 8;
	if (tail == 1 || tail == 3 || tail == 6)
		return -1;
	if (pad && (tail == 0 || data + pad != (data / 8 + 1) * 8))
		return -1;
	size_t bytes = data * 5 / 8;
	if (bytes > outmax)
		return -1;
	unsigned long acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < data; i++) {
		int v = b32_value(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 5) | (unsigned long)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
		acc &= (1ul << bits) - 1;
	}
	/* Left-over bits are the encoder's zero fill: anything else is a
	 * second spelling of the same bytes. */
	if (acc != 0)
		return -1;
	return (long)o;
}

/* --- recovery codes ------------------------------------------------------------ */

static const char crockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

void totp_recovery_new(char out[TOTP_RECOVERY_SHOWN])
{
	size_t o = 0;
	for (int i = 0; i < TOTP_RECOVERY_SYMBOLS; i++) {
		if (i == TOTP_RECOVERY_SYMBOLS / 2)
			out[o++] = '-';
		out[o++] = crockford[randombytes_uniform(32)];
	}
	out[o] = '\0';
}

bool totp_recovery_normalize(const char *s, char out[TOTP_RECOVERY_SYMBOLS + 1])
{
	if (!s)
		return false;
	int n = 0;
	for (size_t i = 0; s[i]; i++) {
		if (i >= TOTP_CODE_MAX_CHARS)
			return false;
		char c = s[i];
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == 'i' || c == 'l')
			c = '1';
		else if (c == 'o')
			c = '0';
		if (!c || !strchr(crockford, c) || n == TOTP_RECOVERY_SYMBOLS)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == TOTP_RECOVERY_SYMBOLS;
}
