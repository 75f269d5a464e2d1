/* The input validators: what they accept, and first of all what they
 * refuse. */
#include "arena.h"
#include "check.h"
#include "valid.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define U8(s) valid_utf8((s), sizeof(s) - 1)

static void test_utf8_char(void)
{
	CHECK(valid_utf8_char("a", 1) == 1);
	CHECK(valid_utf8_char("\0", 1) == 1); /* NUL is one character; valid_utf8 refuses it */
	CHECK(valid_utf8_char("\x7F", 1) == 1);
	CHECK(valid_utf8_char("\xC2\x80", 2) == 2);
	CHECK(valid_utf8_char("\xDF\xBF", 2) == 2);
	CHECK(valid_utf8_char("\xE0\xA0\x80", 3) == 3);
	CHECK(valid_utf8_char("\xE4\xB8\xAD", 3) == 3); /* 中 */
	CHECK(valid_utf8_char("\xEF\xBF\xBF", 3) == 3);
	CHECK(valid_utf8_char("\xF0\x90\x80\x80", 4) == 4);
	CHECK(valid_utf8_char("\xF4\x8F\xBF\xBF", 4) == 4); /* U+10FFFF */
	CHECK(valid_utf8_char("\xE4\xB8\xADxyz", 6) == 3);

	CHECK(valid_utf8_char("", 0) == 0);
	CHECK(valid_utf8_char("a", 0) == 0);
	CHECK(valid_utf8_char("\x80", 1) == 0); /* continuation first */
	CHECK(valid_utf8_char("\xBF", 1) == 0);
	CHECK(valid_utf8_char("\xC0\x80", 2) == 0);         /* overlong NUL */
	CHECK(valid_utf8_char("\xC1\xBF", 2) == 0);         /* overlong */
	CHECK(valid_utf8_char("\xE0\x80\x80", 3) == 0);     /* overlong 3-byte */
	CHECK(valid_utf8_char("\xE0\x9F\xBF", 3) == 0);     /* overlong U+07FF */
	CHECK(valid_utf8_char("\xF0\x80\x80\x80", 4) == 0); /* overlong 4-byte */
	CHECK(valid_utf8_char("\xF0\x8F\xBF\xBF", 4) == 0);
	CHECK(valid_utf8_char("\xED\xA0\x80", 3) == 0);     /* U+D800 */
	CHECK(valid_utf8_char("\xED\xBF\xBF", 3) == 0);     /* U+DFFF */
	CHECK(valid_utf8_char("\xED\x9F\xBF", 3) == 3);     /* U+D7FF is fine */
	CHECK(valid_utf8_char("\xF4\x90\x80\x80", 4) == 0); /* U+110000 */
	CHECK(valid_utf8_char("\xF5\x80\x80\x80", 4) == 0);
	CHECK(valid_utf8_char("\xF8\x88\x80\x80\x80", 5) == 0);
	CHECK(valid_utf8_char("\xFF", 1) == 0);
	CHECK(valid_utf8_char("\xFE", 1) == 0);
	/* Truncated: by n, or by a byte that is not a continuation. */
	CHECK(valid_utf8_char("\xE4\xB8\xAD", 2) == 0);
	CHECK(valid_utf8_char("\xE4\xB8", 2) == 0);
	CHECK(valid_utf8_char("\xC3", 1) == 0);
	CHECK(valid_utf8_char("\xF0\x9F\x98", 3) == 0);
	CHECK(valid_utf8_char("\xC3\x28", 2) == 0);
	CHECK(valid_utf8_char("\xE4\x41\xAD", 3) == 0);
	CHECK(valid_utf8_char("\xF0\x9F\x98\xC0", 4) == 0);
}

static void test_utf8(void)
{
	CHECK(valid_utf8("", 0));
	CHECK(U8("plain"));
	CHECK(U8("中文 news ü 😀"));
	CHECK(U8("tab\tand\nnewline")); /* controls are valid UTF-8; other checks refuse them */
	CHECK(!U8("a\0b"));
	CHECK(!U8("\0"));
	CHECK(!U8("ok\xC0\x80"));
	CHECK(!U8("\xE0\x80\x80"));
	CHECK(!U8("\xED\xA0\x80"));
	CHECK(!U8("\xF4\x90\x80\x80"));
	CHECK(!U8("\xE4\xB8"));
	CHECK(!U8("中\xE4\xB8"));
	CHECK(!U8("\x80"));
	CHECK(valid_utf8("中", 3) && !valid_utf8("中", 2) && !valid_utf8("中", 1));

	CHECK(valid_utf8_len("") == 0);
	CHECK(valid_utf8_len("abc") == 3);
	CHECK(valid_utf8_len("中文") == 2);
	CHECK(valid_utf8_len("a中😀") == 3);

	CHECK(valid_line("a line 中文", 20));
	CHECK(valid_line("", 0));
	CHECK(!valid_line(NULL, 10));
	CHECK(!valid_line("two\nlines", 20));
	CHECK(!valid_line("cr\r", 20));
	CHECK(!valid_line("del\x7F", 20));
	CHECK(!valid_line("esc\x1B", 20));
	CHECK(valid_line("tab\tok", 20));
	CHECK(!valid_line("bad \xFF", 20));
	CHECK(valid_line("中文字", 3) && !valid_line("中文字", 2)); /* characters, not bytes */
	CHECK(valid_text("two\nlines\tok", 20));
	CHECK(!valid_text("crlf\r\n", 20));
	CHECK(!valid_text(NULL, 20));
}

/* Decodes s with flags; returns the result or NULL. */
static const char *dec(struct arena *a, const char *s, int flags)
{
	return valid_pct_decode(a, s, strlen(s), flags);
}

static void test_pct_decode(void)
{
	struct arena a = ARENA_INIT;
	CHECK_STR(dec(&a, "", 0), "");
	CHECK_STR(dec(&a, "plain", 0), "plain");
	CHECK_STR(dec(&a, "a%20b%2Fc%3d%7e", 0), "a b/c=~");
	CHECK_STR(dec(&a, "%41%61", 0), "Aa");
	CHECK_STR(dec(&a, "%25", 0), "%");
	CHECK_STR(dec(&a, "%2525", 0), "%25"); /* decoded once only */
	CHECK_STR(dec(&a, "%E4%B8%AD", 0), "中");
	CHECK_STR(dec(&a, "%e4%b8%ad%E6%96%87", 0), "中文");
	CHECK_STR(dec(&a, "中文", 0), "中文"); /* raw UTF-8 passes */
	CHECK_STR(dec(&a, "tab%09ok", 0), "tab\tok");

	/* Bad escapes. */
	CHECK(dec(&a, "%zz", 0) == NULL);
	CHECK(dec(&a, "%4", 0) == NULL);
	CHECK(dec(&a, "a%", 0) == NULL);
	CHECK(dec(&a, "%", 0) == NULL);
	CHECK(dec(&a, "%4g", 0) == NULL);
	CHECK(dec(&a, "%g4", 0) == NULL);
	CHECK(dec(&a, "% 41", 0) == NULL);
	CHECK(dec(&a, "%+41", 0) == NULL);
	/* The length is respected: a '%' cut off by n is a bad escape. */
	CHECK(valid_pct_decode(&a, "%41", 2, 0) == NULL);
	CHECK_STR(valid_pct_decode(&a, "ab%41", 2, 0), "ab");

	/* NUL and control characters. */
	CHECK(dec(&a, "%00", 0) == NULL);
	CHECK(dec(&a, "a%00b", VALID_MULTILINE) == NULL);
	CHECK(dec(&a, "%01", 0) == NULL);
	CHECK(dec(&a, "%1B", 0) == NULL);
	CHECK(dec(&a, "%7F", 0) == NULL);
	CHECK(dec(&a, "raw\x01", 0) == NULL);

	/* CR and LF: refused on one line; LF (CRLF and CR too) when multi-line. */
	CHECK(dec(&a, "a%0Db", 0) == NULL);
	CHECK(dec(&a, "a%0Ab", 0) == NULL);
	CHECK(dec(&a, "a%0D%0Ab", 0) == NULL);
	CHECK(dec(&a, "a\nb", 0) == NULL);
	CHECK(dec(&a, "a\rb", 0) == NULL);
	CHECK_STR(dec(&a, "a%0Ab", VALID_MULTILINE), "a\nb");
	CHECK_STR(dec(&a, "a%0D%0Ab", VALID_MULTILINE), "a\nb");
	CHECK_STR(dec(&a, "a%0d%0ab", VALID_MULTILINE), "a\nb");
	CHECK_STR(dec(&a, "a%0Db", VALID_MULTILINE), "a\nb");
	CHECK_STR(dec(&a, "a\r\nb\rc\nd", VALID_MULTILINE), "a\nb\nc\nd");
	CHECK_STR(dec(&a, "a%0D\nb", VALID_MULTILINE), "a\nb");
	CHECK_STR(dec(&a, "a\r%0Ab", VALID_MULTILINE), "a\nb");
	CHECK_STR(dec(&a, "%0D%0A%0D%0A", VALID_MULTILINE), "\n\n");
	CHECK_STR(dec(&a, "%0A%0D", VALID_MULTILINE), "\n\n");
	CHECK_STR(dec(&a, "end%0D", VALID_MULTILINE), "end\n");
	CHECK(dec(&a, "end%0D%0", VALID_MULTILINE) == NULL);

	/* '+' is a space only in form encoding; %2B is always '+'. */
	CHECK_STR(dec(&a, "a+b", 0), "a+b");
	CHECK_STR(dec(&a, "a+b", VALID_PLUS_SPACE), "a b");
	CHECK_STR(dec(&a, "a%2Bb+c", VALID_PLUS_SPACE), "a+b c");
	CHECK_STR(dec(&a, "+%0A+", VALID_PLUS_SPACE | VALID_MULTILINE), " \n ");

	/* Decoded bytes must form valid UTF-8. */
	CHECK(dec(&a, "%C3%28", 0) == NULL);
	CHECK(dec(&a, "%C0%80", 0) == NULL);
	CHECK(dec(&a, "%ED%A0%80", 0) == NULL);
	CHECK(dec(&a, "%F4%90%80%80", 0) == NULL);
	CHECK(dec(&a, "%E4%B8", 0) == NULL);
	CHECK(dec(&a, "%FF", 0) == NULL);
	CHECK(dec(&a, "raw\xFF", 0) == NULL);
	CHECK(dec(&a, "%E4\xB8%AD", 0) != NULL); /* mixed, but valid in the end */
	arena_free(&a);
}

static void test_int(void)
{
	long long v = -1;
	CHECK(valid_int("0", 0, 10, &v) && v == 0);
	CHECK(valid_int("7", 0, 10, &v) && v == 7);
	CHECK(valid_int("10", 0, 10, &v) && v == 10);
	CHECK(valid_int("-5", -10, 10, &v) && v == -5);
	CHECK(valid_int("1", 1, 1, NULL));
	CHECK(valid_int("9223372036854775807", 0, LLONG_MAX, &v) && v == LLONG_MAX);
	CHECK(valid_int("-922337203685477580", LLONG_MIN, 0, &v) && v == -922337203685477580LL);

	v = 42;
	CHECK(!valid_int("11", 0, 10, &v));
	CHECK(v == 42); /* untouched on failure */
	CHECK(!valid_int("-1", 0, 10, &v));
	CHECK(!valid_int("0", 1, 10, &v));
	CHECK(!valid_int("", 0, 10, &v));
	CHECK(!valid_int(NULL, 0, 10, &v));
	CHECK(!valid_int(" 1", 0, 10, &v));
	CHECK(!valid_int("1 ", 0, 10, &v));
	CHECK(!valid_int("1x", 0, 10, &v));
	CHECK(!valid_int("x1", 0, 10, &v));
	CHECK(!valid_int("+1", 0, 10, &v));
	CHECK(!valid_int("-", -10, 10, &v));
	CHECK(!valid_int("--1", -10, 10, &v));
	CHECK(!valid_int("1.0", 0, 10, &v));
	CHECK(!valid_int("1e2", 0, 1000, &v));
	CHECK(!valid_int("0x10", 0, 100, &v));
	CHECK(!valid_int("01", 0, 10, &v));
	CHECK(!valid_int("00", 0, 10, &v));
	CHECK(!valid_int("-01", -10, 10, &v));
	CHECK(!valid_int("-0", -10, 10, &v)); /* one spelling per number */
	CHECK(!valid_int("１", 0, 10, &v));   /* fullwidth digit */
	/* Overflow is refused, never clamped. */
	CHECK(!valid_int("9223372036854775808", 0, LLONG_MAX, &v));
	CHECK(!valid_int("9999999999999999999", 0, LLONG_MAX, &v));
	CHECK(!valid_int("99999999999999999999", 0, LLONG_MAX, &v));
	CHECK(!valid_int("-9999999999999999999", LLONG_MIN, 0, &v));
	CHECK(!valid_int("100000000000000000000000000000", 0, LLONG_MAX, &v));
	CHECK(v == 42);
}

static void test_names(void)
{
	CHECK(valid_slug("news"));
	CHECK(valid_slug("campus-news-2024"));
	CHECK(valid_slug("a"));
	CHECK(valid_slug("0"));
	char s64[65], s65[66];
	memset(s64, 'a', 64);
	s64[64] = '\0';
	memset(s65, 'a', 65);
	s65[65] = '\0';
	CHECK(valid_slug(s64));
	CHECK(!valid_slug(s65));
	CHECK(!valid_slug(""));
	CHECK(!valid_slug(NULL));
	CHECK(!valid_slug("-news"));
	CHECK(!valid_slug("news-"));
	CHECK(!valid_slug("-"));
	CHECK(!valid_slug("News"));
	CHECK(!valid_slug("campus_news"));
	CHECK(!valid_slug("campus news"));
	CHECK(!valid_slug("a/b"));
	CHECK(!valid_slug(".."));
	CHECK(!valid_slug("a.b"));
	CHECK(!valid_slug("新闻"));
	CHECK(!valid_slug("news\n"));

	CHECK(valid_username("alice"));
	CHECK(valid_username("Alice.Smith_2-x"));
	CHECK(valid_username("0day"));
	CHECK(valid_username(s64));
	CHECK(!valid_username(s65));
	CHECK(!valid_username(""));
	CHECK(!valid_username(NULL));
	CHECK(!valid_username(".alice"));
	CHECK(!valid_username("_alice"));
	CHECK(!valid_username("-alice"));
	CHECK(!valid_username("al ice"));
	CHECK(!valid_username("alice@example.org"));
	CHECK(!valid_username("alice/.."));
	CHECK(!valid_username("älice"));
	CHECK(!valid_username("alice\n"));
	CHECK(!valid_username("alice'--"));

	CHECK(valid_role("editor"));
	CHECK(valid_role("admin"));
	CHECK(valid_role("author"));
	CHECK(!valid_role("Author"));
	CHECK(!valid_role("Admin"));
	CHECK(!valid_role("admin "));
	CHECK(!valid_role("root"));
	CHECK(!valid_role(""));
	CHECK(!valid_role(NULL));

	CHECK(valid_status("draft"));
	CHECK(valid_status("scheduled"));
	CHECK(valid_status("published"));
	CHECK(valid_status("archived"));
	CHECK(valid_status("in_review"));
	CHECK(!valid_status("in-review"));
	CHECK(!valid_status("review"));
	CHECK(!valid_status("deleted"));
	CHECK(!valid_status("Draft"));
	CHECK(!valid_status("publishedx"));
	CHECK(!valid_status(""));
	CHECK(!valid_status(NULL));
}

static void test_timezone(void)
{
	CHECK(valid_timezone("UTC"));
	CHECK(valid_timezone("Asia/Shanghai"));
	CHECK(valid_timezone("Europe/Berlin"));
	CHECK(valid_timezone("America/Argentina/Buenos_Aires"));
	CHECK(valid_timezone("Etc/GMT+8"));
	CHECK(valid_timezone("America/Port-au-Prince"));

	CHECK(!valid_timezone(""));
	CHECK(!valid_timezone(NULL));
	CHECK(!valid_timezone("../etc/passwd"));
	CHECK(!valid_timezone("Asia/../../etc/passwd"));
	CHECK(!valid_timezone("/etc"));
	CHECK(!valid_timezone("/etc/localtime"));
	CHECK(!valid_timezone("Nowhere/City"));
	CHECK(!valid_timezone("Asia"));  /* a directory */
	CHECK(!valid_timezone("Asia/")); /* a directory */
	CHECK(!valid_timezone("utc/x"));
	CHECK(!valid_timezone("Asia/Shanghai "));
	CHECK(!valid_timezone("Asia/Shanghai\n"));
	CHECK(!valid_timezone("zone.tab"));
	CHECK(!valid_timezone("Europe\\Berlin"));
	/* Files of the zoneinfo directory that are not zones. */
	CHECK(!valid_timezone("leapseconds"));
	CHECK(!valid_timezone("tzdata.zi"));
	CHECK(!valid_timezone("iso3166.tab"));
	char longname[80];
	memset(longname, 'A', 79);
	longname[79] = '\0';
	CHECK(!valid_timezone(longname));
}

static void test_time(void)
{
	long long t = -1;
	CHECK(valid_time("2024-01-01T00:00:00Z", &t) && t == 1704067200);
	CHECK(valid_time("1970-01-01T00:00:00Z", &t) && t == 0);
	CHECK(valid_time("2024-01-01T08:00:00+08:00", &t) && t == 1704067200);
	CHECK(valid_time("2024-01-01T00:00:00+08:00", &t) && t == 1704038400);
	CHECK(valid_time("2023-12-31T16:00:00-08:00", &t) && t == 1704067200);
	CHECK(valid_time("2024-03-01T00:00:00-05:30", &t) && t == 1709271000);
	CHECK(valid_time("2024-01-01T00:00:00+00:00", &t) && t == 1704067200);
	CHECK(valid_time("2024-01-01T00:00:00-00:00", &t) && t == 1704067200);
	CHECK(valid_time("2024-01-01 00:00:00", &t) && t == 1704067200);    /* space form is UTC */
	CHECK(valid_time("2024-02-29T12:00:00Z", &t) && t == 1709208000);   /* leap year */
	CHECK(valid_time("2000-02-29T00:00:00Z", &t) && t == 951782400);    /* divisible by 400 */
	CHECK(valid_time("2038-01-19T03:14:08Z", &t) && t == 2147483648LL); /* past 32 bits */
	CHECK(valid_time("9999-12-31T23:59:59Z", &t) && t == 253402300799LL);
	CHECK(valid_time("2024-12-31T23:59:59Z", &t));

	t = 42;
	CHECK(!valid_time("2023-02-29T00:00:00Z", &t)); /* not a leap year */
	CHECK(!valid_time("2100-02-29T00:00:00Z", &t)); /* divisible by 100 */
	CHECK(!valid_time("2024-02-30T00:00:00Z", &t));
	CHECK(!valid_time("2024-04-31T00:00:00Z", &t));
	CHECK(!valid_time("2024-13-01T00:00:00Z", &t));
	CHECK(!valid_time("2024-00-01T00:00:00Z", &t));
	CHECK(!valid_time("2024-01-00T00:00:00Z", &t));
	CHECK(!valid_time("2024-01-32T00:00:00Z", &t));
	CHECK(!valid_time("2024-01-01T24:00:00Z", &t));
	CHECK(!valid_time("2024-01-01T23:60:00Z", &t));
	CHECK(!valid_time("2024-01-01T23:59:60Z", &t));
	CHECK(!valid_time("1969-12-31T23:59:59Z", &t));
	CHECK(!valid_time("2024-01-01T00:00:00", &t)); /* the T form needs a zone */
	CHECK(!valid_time("2024-01-01T00:00:00Zjunk", &t));
	CHECK(!valid_time("2024-01-01T00:00:00Z ", &t));
	CHECK(!valid_time("2024-01-01 00:00:00 ", &t));
	CHECK(!valid_time("2024-01-01 00:00:00x", &t));
	CHECK(!valid_time("2024-01-01T00:00:00+08:00x", &t));
	CHECK(!valid_time("2024-01-01T00:00:00+0800", &t));
	CHECK(!valid_time("2024-01-01T00:00:00+08", &t));
	CHECK(!valid_time("2024-01-01T00:00:00+24:00", &t));
	CHECK(!valid_time("2024-01-01T00:00:00+08:60", &t));
	CHECK(!valid_time("2024-01-01T00:00:00+0a:00", &t));
	CHECK(!valid_time("2024-01-01T00:00:00z", &t));
	CHECK(!valid_time("2024-01-01t00:00:00Z", &t));
	CHECK(!valid_time("2024-1-01T00:00:00Z", &t));
	CHECK(!valid_time("2024/01/01T00:00:00Z", &t));
	CHECK(!valid_time("2024-01-01T00:00Z", &t));
	CHECK(!valid_time("2024-01-01", &t));
	CHECK(!valid_time("+024-01-01T00:00:00Z", &t));
	CHECK(!valid_time("2024-01-01T-1:00:00Z", &t));
	CHECK(!valid_time("２０２４-01-01T00:00:00Z", &t));
	CHECK(!valid_time("", &t));
	CHECK(!valid_time(NULL, &t));
	CHECK(t == 42);
}

/* The reference: character by character, no NUL. */
static bool utf8_slow(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if (s[i] == '\0' || !(k = valid_utf8_char(s + i, n - i)))
			return false;
	return true;
}

/* valid_utf8's fast paths must agree with the character-by-character
 * reference on every lead and continuation byte, alone and between ASCII. */
static void test_utf8_fast_path(void)
{
	int bad = 0;
	for (unsigned a = 0x80; a <= 0xFF; a++)
		for (unsigned b = 0; b <= 0xFF; b += 1)
			for (unsigned c = 0x70; c <= 0xC0; c += 0x0F) {
				char s[8] = {'x', (char)a, (char)b, (char)c, 'y'};
				if (valid_utf8(s + 1, 3) != utf8_slow(s + 1, 3) ||
				    valid_utf8(s, 5) != utf8_slow(s, 5))
					bad++;
			}
	CHECK(bad == 0);
	CHECK(!U8("\xE0\x80\x80"));  /* overlong */
	CHECK(!U8("\xED\xA0\x80"));  /* a surrogate */
	CHECK(U8("\xED\x9F\xBF"));   /* the last before the surrogates */
	CHECK(U8("\xEF\xBF\xBF"));
	CHECK(!U8("\xE4\xB8"));       /* cut short */
	CHECK(U8("\xE4\xB8\xAD\xE6\x96\x87 ok"));

	/* Runs of characters, good and bad, at every alignment. */
	static const char *const parts[] = {"\xE4\xB8\xAD", "\xE6\x96\x87", "a", " ", "\xC3\xA9",
					    "\xF0\x9F\x98\x80", "\xE0\x80\x80", "\xED\xA0\x80",
					    "\xE4\xB8", "\x80", "\xEF\xBF\xBF", "\xFF", "abcdefgh"};
	const size_t nparts = sizeof parts / sizeof parts[0];
	srand(7);
	bad = 0;
	for (int round = 0; round < 20000; round++) {
		char s[256];
		size_t n = 0;
		for (int k = rand() % 24; k > 0; k--) {
			const char *p = parts[(size_t)rand() % nparts];
			memcpy(s + n, p, strlen(p));
			n += strlen(p);
		}
		if (valid_utf8(s, n) != utf8_slow(s, n))
			bad++;
	}
	CHECK(bad == 0);
}

int main(void)
{
	test_utf8_char();
	test_utf8_fast_path();
	test_utf8();
	test_pct_decode();
	test_int();
	test_names();
	test_timezone();
	test_time();
	return check_done("test_valid");
}
