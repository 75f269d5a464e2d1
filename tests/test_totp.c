/* TOTP codes against RFC 6238 and RFC 4226, the drift window and replay,
 * the code parser, base32 against RFC 4648, recovery codes, the Key URI
 * and the QR code's SVG. */
#include "arena.h"
#include "check.h"
#include "totp.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char rfc_key[] = "12345678901234567890";

/* RFC 6238 Appendix B, the SHA1 column (8 digits). */
static void test_rfc6238(void)
{
	static const struct {
		long long t;
		long code;
	} v[] = {
	    {59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
	    {1234567890, 89005924}, {2000000000, 69279037}, {20000000000LL, 65353130},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		CHECK(totp_at(rfc_key, 20, v[i].t, 8) == v[i].code);
	/* the same steps in 6 digits are the last 6 digits */
	CHECK(totp_at(rfc_key, 20, 59, 6) == 287082);
	CHECK(totp_at(rfc_key, 20, 1111111109, 6) == 81804);
	/* a step is 30 s: 0..29 one code, 30 the next */
	CHECK(totp_step(0) == 0 && totp_step(29) == 0 && totp_step(30) == 1);
	CHECK(totp_step(59) == 1 && totp_step(-1) == -1);
	CHECK(totp_at(rfc_key, 20, -1, 6) == -1);
}

/* RFC 4226 Appendix D: HOTP of counters 0..9 (6 digits). */
static void test_rfc4226(void)
{
	static const long want[] = {755224, 287082, 359152, 969429, 338314,
	                            254676, 287922, 162583, 399871, 520489};
	for (uint64_t c = 0; c < 10; c++)
		CHECK(totp_hotp(rfc_key, 20, c, 6) == want[c]);
	CHECK(totp_hotp(rfc_key, 20, 0, 5) == -1);
	CHECK(totp_hotp(rfc_key, 20, 0, 9) == -1);
	/* another key gives another code */
	CHECK(totp_hotp((const unsigned char *)"12345678901234567891", 20, 0, 6) != 755224);
	CHECK(totp_init() == 0);
}

static void test_window(void)
{
	long long now = 1111111111, step = -1; /* step 37037037 */
	long long s = totp_step(now);
	long here = totp_at(rfc_key, 20, now, 6);
	long before = totp_hotp(rfc_key, 20, (uint64_t)(s - 1), 6);
	long after = totp_hotp(rfc_key, 20, (uint64_t)(s + 1), 6);
	long far_before = totp_hotp(rfc_key, 20, (uint64_t)(s - 2), 6);
	long far_after = totp_hotp(rfc_key, 20, (uint64_t)(s + 2), 6);

	CHECK(totp_verify(rfc_key, 20, here, 6, now, 0, &step) == TOTP_MATCH && step == s);
	CHECK(totp_verify(rfc_key, 20, before, 6, now, 0, &step) == TOTP_MATCH && step == s - 1);
	CHECK(totp_verify(rfc_key, 20, after, 6, now, 0, &step) == TOTP_MATCH && step == s + 1);
	/* two steps off is outside the drift window */
	CHECK(totp_verify(rfc_key, 20, far_before, 6, now, 0, &step) == TOTP_WRONG);
	CHECK(totp_verify(rfc_key, 20, far_after, 6, now, 0, &step) == TOTP_WRONG);
	CHECK(totp_verify(rfc_key, 20, (here + 1) % 1000000, 6, now, 0, &step) == TOTP_WRONG);
	/* replay: a step at or before the last accepted one is refused */
	CHECK(totp_verify(rfc_key, 20, here, 6, now, s, &step) == TOTP_REUSED);
	CHECK(totp_verify(rfc_key, 20, before, 6, now, s, &step) == TOTP_REUSED);
	CHECK(totp_verify(rfc_key, 20, after, 6, now, s, &step) == TOTP_MATCH && step == s + 1);
	CHECK(totp_verify(rfc_key, 20, after, 6, now, s + 1, &step) == TOTP_REUSED);
	CHECK(totp_verify(rfc_key, 20, here, 6, now, s - 1, &step) == TOTP_MATCH && step == s);
	/* a code wrong for the window is wrong, not reused, whatever last_step */
	CHECK(totp_verify(rfc_key, 20, far_before, 6, now, s + 5, &step) == TOTP_WRONG);
	/* at the epoch the step before does not exist */
	long zero = totp_at(rfc_key, 20, 0, 6);
	CHECK(totp_verify(rfc_key, 20, zero, 6, 10, -1, &step) == TOTP_MATCH && step == 0);
}

static void test_parse_code(void)
{
	long c = -1;
	CHECK(totp_parse_code("287082", 6, &c) && c == 287082);
	CHECK(totp_parse_code("081804", 6, &c) && c == 81804);
	CHECK(totp_parse_code("000000", 6, &c) && c == 0);
	CHECK(totp_parse_code(" 287 082 ", 6, &c) && c == 287082);
	CHECK(totp_parse_code("94287082", 8, &c) && c == 94287082);
	c = 7;
	CHECK(!totp_parse_code("", 6, &c) && c == 7);
	CHECK(!totp_parse_code("      ", 6, &c));
	CHECK(!totp_parse_code("28708", 6, &c));
	CHECK(!totp_parse_code("2870821", 6, &c));
	CHECK(!totp_parse_code("28708a", 6, &c));
	CHECK(!totp_parse_code("-28708", 6, &c));
	CHECK(!totp_parse_code("+287082", 6, &c));
	CHECK(!totp_parse_code("287-082", 6, &c));
	CHECK(!totp_parse_code("287082\n", 6, &c));
	CHECK(!totp_parse_code("２８７０８２", 6, &c)); /* full-width digits */
	CHECK(!totp_parse_code(NULL, 6, &c));
	CHECK(!totp_parse_code("287082", 5, &c));
	/* spaces count toward the length bound */
	CHECK(!totp_parse_code("                              287082", 6, &c));
	CHECK(c == 7);
}

static void test_base32(void)
{
	/* RFC 4648 §10 */
	static const char *const v[][3] = {
	    {"", "", ""},
	    {"f", "MY======", "MY"},
	    {"fo", "MZXQ====", "MZXQ"},
	    {"foo", "MZXW6===", "MZXW6"},
	    {"foob", "MZXW6YQ=", "MZXW6YQ"},
	    {"fooba", "MZXW6YTB", "MZXW6YTB"},
	    {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
	};
	char out[128];
	unsigned char bin[64];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = strlen(v[i][0]);
		CHECK(totp_base32_encode((const unsigned char *)v[i][0], n, true, out,
		                         sizeof out) == strlen(v[i][1]));
		CHECK_STR(out, v[i][1]);
		CHECK(totp_base32_encode((const unsigned char *)v[i][0], n, false, out,
		                         sizeof out) == strlen(v[i][2]));
		CHECK_STR(out, v[i][2]);
		CHECK(totp_base32_len(n, true) == strlen(v[i][1]));
		for (int padded = 0; padded < 2; padded++) {
			long got = totp_base32_decode(v[i][padded ? 1 : 2], bin, sizeof bin);
			CHECK(got == (long)n && !memcmp(bin, v[i][0], n));
		}
	}
	CHECK(totp_base32_decode("mzxw6ytboi", bin, sizeof bin) == 6 && !memcmp(bin, "foobar", 6));
	/* the RFC 6238 key, as authenticator apps are given it */
	CHECK(totp_base32_encode(rfc_key, 20, false, out, sizeof out) == TOTP_BASE32_SECRET);
	CHECK_STR(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	/* refused: symbols outside the alphabet, impossible lengths, padding
	 * in the wrong place or amount, non-zero fill bits, too little room */
	static const char *const bad[] = {
	    "MZXW6YT1",
	    "MZXW6YT8",
	    "MZXW6YT0",
	    "MZ W6YTB",
	    "MZXW6YT=B",
	    "M",
	    "MZX",
	    "MZXW6Y",
	    "MY=",
	    "MY=======",
	    "MZXW6YTB========",
	    "=",
	    "========",
	    "MZ",
	    "MZXR",
	    "MZXW7",
	    "MZXW6YR",
	    "MZXW6YTBOJ",
	    "MY======MY======",
	    "MZXW6YTB\xc3\xa9",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		long got = totp_base32_decode(bad[i], bin, sizeof bin);
		if (got != -1)
			fprintf(stderr, "base32 accepted %s\n", bad[i]);
		CHECK(got == -1);
	}
	CHECK(totp_base32_decode("MZXW6YTBOI", bin, 5) == -1);
	CHECK(totp_base32_decode("MZXW6YTBOI", bin, 6) == 6);
	CHECK(totp_base32_decode(NULL, bin, sizeof bin) == -1);
	/* an output buffer too small for the text and its NUL */
	CHECK(totp_base32_encode((const unsigned char *)"fooba", 5, true, out, 8) == 0 && !*out);
	CHECK(totp_base32_encode((const unsigned char *)"fooba", 5, true, out, 9) == 8);
	/* round trips of random bytes of every length up to 40 */
	for (size_t n = 0; n <= 40; n++) {
		unsigned char r[40], back[40];
		randombytes_buf(r, n);
		for (int pad = 0; pad < 2; pad++) {
			totp_base32_encode(r, n, pad, out, sizeof out);
			CHECK(totp_base32_decode(out, back, sizeof back) == (long)n &&
			      !memcmp(r, back, n));
		}
	}
}

static void test_recovery(void)
{
	char code[TOTP_RECOVERY_SHOWN], norm[TOTP_RECOVERY_SYMBOLS + 1], norm2[sizeof norm];
	char seen[20][TOTP_RECOVERY_SHOWN];
	for (int i = 0; i < 20; i++) {
		totp_recovery_new(code);
		CHECK(strlen(code) == 11 && code[5] == '-');
		CHECK(strspn(code, "0123456789abcdefghjkmnpqrstvwxyz-") == 11);
		CHECK(totp_recovery_normalize(code, norm) && strlen(norm) == 10);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(seen[j], code) != 0);
		strcpy(seen[i], code);
	}
	CHECK(totp_recovery_normalize("abcde-fgh23", norm));
	CHECK_STR(norm, "abcdefgh23");
	/* upper case, spaces, no dash, and the look-alikes read as meant */
	CHECK(totp_recovery_normalize(" ABCDE FGH23 ", norm2) && !strcmp(norm, norm2));
	CHECK(totp_recovery_normalize("oOiIl-LoooO", norm) && !strcmp(norm, "0011110000"));
	CHECK(!totp_recovery_normalize("abcde-fgh2", norm));   /* 9 symbols */
	CHECK(!totp_recovery_normalize("abcde-fgh234", norm)); /* 11 */
	CHECK(!totp_recovery_normalize("abcde-fghu3", norm));  /* u is no symbol */
	CHECK(!totp_recovery_normalize("abcde_fgh23", norm));
	CHECK(!totp_recovery_normalize("", norm));
	CHECK(!totp_recovery_normalize(NULL, norm));
	CHECK(!totp_recovery_normalize("abcde-fgh2\xc3\xa9", norm));
	/* a 6-digit code is never a recovery code, nor the other way round */
	long c;
	CHECK(!totp_recovery_normalize("287082", norm));
	CHECK(!totp_parse_code("12345-67890", 6, &c));
}

static void test_uri_and_qr(void)
{
	struct arena a = {0};
	const char *uri = totp_uri(&a, "Lakeside News", "ada&x=1", "GEZDGNBVGY3TQOJQ");
	CHECK_STR(uri, "otpauth://totp/Lakeside%20News:ada%26x%3D1?secret=GEZDGNBVGY3TQOJQ"
	               "&issuer=Lakeside%20News&algorithm=SHA1&digits=6&period=30");
	const char *svg = totp_qr_svg(&a, uri, "QR <code> \"for\" ada");
	CHECK(svg && !strncmp(svg, "<svg class=\"totp-qr\"", 20));
	CHECK(svg && strstr(svg, "aria-label=\"QR &lt;code&gt; &quot;for&quot; ada\""));
	CHECK(svg && !strstr(svg, "<code>") && !strstr(svg, "\"for\""));
	CHECK(svg && strstr(svg, "<path fill=\"#000\" d=\"M4 4h7v1h-7z"));
	CHECK(svg && !strcmp(svg + strlen(svg) - 9, "\"/></svg>"));
	/* a larger text makes a larger code */
	const char *small = totp_qr_svg(&a, "x", "x");
	CHECK(small && strstr(small, "viewBox=\"0 0 29 29\"")); /* version 1: 21 + 8 */
	/* a text beyond any QR code's capacity is refused */
	static char huge[8000];
	memset(huge, 'x', sizeof huge - 1);
	CHECK(totp_qr_svg(&a, huge, "x") == NULL);
	arena_free(&a);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_rfc6238();
	test_rfc4226();
	test_window();
	test_parse_code();
	test_base32();
	test_recovery();
	test_uri_and_qr();
	return check_done("test_totp");
}
