/* The HTML output encoders, one per context: every special character,
 * broken UTF-8, control characters, and the empty cases. */
#include "check.h"
#include "html.h"
#include "valid.h"

#include <string.h>

#define FFFD "\xEF\xBF\xBD"

typedef void (*encoder)(struct buf *, const char *);

/* Runs one encoder on s into a fresh buffer; returns a static copy. */
static const char *enc(encoder f, const char *s)
{
	static char result[1024];
	struct buf b = BUF_INIT;
	f(&b, s);
	snprintf(result, sizeof result, "%s", buf_cstr(&b));
	buf_free(&b);
	return result;
}

static const char *textn(const char *s, size_t n)
{
	static char result[1024];
	struct buf b = BUF_INIT;
	html_textn(&b, s, n);
	snprintf(result, sizeof result, "%s", buf_cstr(&b));
	buf_free(&b);
	return result;
}

static void test_text(void)
{
	CHECK_STR(enc(html_text, "&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
	CHECK_STR(enc(html_text, "<script>alert('x')</script>"),
	          "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	CHECK_STR(enc(html_text, "a=b `c`"), "a=b `c`");
	CHECK_STR(enc(html_text, "&amp;"), "&amp;amp;");
	CHECK_STR(enc(html_text, "plain ASCII 123 / ? # ; :"), "plain ASCII 123 / ? # ; :");
	CHECK_STR(enc(html_text, "新闻 中文标题，测试。"), "新闻 中文标题，测试。");
	CHECK_STR(enc(html_text, "é ß ü 😀 𝄞"), "é ß ü 😀 𝄞");
	CHECK_STR(enc(html_text, ""), "");
	CHECK_STR(enc(html_text, NULL), "");

	/* Tab, LF and CR are text; other C0 controls become U+FFFD. */
	CHECK_STR(enc(html_text, "a\tb\nc\rd"), "a\tb\nc\rd");
	CHECK_STR(enc(html_text, "\x01x\x08y\x0B\x0C\x1B[31m\x1F"),
	          FFFD "x" FFFD "y" FFFD FFFD FFFD "[31m" FFFD);

	/* html_textn reads exactly n bytes, NUL included. */
	CHECK_STR(textn("a<b>c", 2), "a&lt;");
	CHECK_STR(textn("a\0b", 3), "a" FFFD "b");
	CHECK_STR(textn("xyz", 0), "");

	/* Appends: what was there stays. */
	struct buf b = BUF_INIT;
	buf_puts(&b, "<p>");
	html_text(&b, "<");
	html_text(&b, NULL);
	html_text(&b, "");
	CHECK_STR(buf_cstr(&b), "<p>&lt;");
	buf_free(&b);
}

static void test_attr(void)
{
	CHECK_STR(enc(html_attr, "&<>\"'`="), "&amp;&lt;&gt;&quot;&#39;&#96;&#61;");
	CHECK_STR(enc(html_attr, "\" onmouseover=\"alert(1)"),
	          "&quot; onmouseover&#61;&quot;alert(1)");
	CHECK_STR(enc(html_attr, "x' autofocus onfocus='y"), "x&#39; autofocus onfocus&#61;&#39;y");
	CHECK_STR(enc(html_attr, "/a/12?x=1&y=2"), "/a/12?x&#61;1&amp;y&#61;2");
	CHECK_STR(enc(html_attr, "校园新闻"), "校园新闻");
	CHECK_STR(enc(html_attr, "\x02"), FFFD);
	CHECK_STR(enc(html_attr, "a\xFFz"), "a" FFFD "z");
	CHECK_STR(enc(html_attr, ""), "");
	CHECK_STR(enc(html_attr, NULL), "");
}

static void test_url(void)
{
	/* Unreserved characters stay; everything else is %XX, upper-case hex. */
	CHECK_STR(enc(html_url_arg, "AZaz09-_.~"), "AZaz09-_.~");
	CHECK_STR(enc(html_url_arg, "a b&c=d/e?f#g+h%i"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25i");
	CHECK_STR(enc(html_url_arg, "<\"'>`;:@!$*(),[]{}|\\^"),
	          "%3C%22%27%3E%60%3B%3A%40%21%24%2A%28%29%2C%5B%5D%7B%7D%7C%5C%5E");
	CHECK_STR(enc(html_url_arg, "中文"), "%E4%B8%AD%E6%96%87");
	CHECK_STR(enc(html_url_arg, "\t\n\r\x01\x7F"), "%09%0A%0D%01%7F");
	CHECK_STR(enc(html_url_arg, ""), "");
	CHECK_STR(enc(html_url_arg, NULL), "");
	/* Invalid UTF-8 becomes an encoded U+FFFD, so that the link decodes to
	 * valid UTF-8 (valid_pct_decode would refuse it otherwise). */
	CHECK_STR(enc(html_url_arg, "a\xFF"), "a%EF%BF%BD");
	CHECK_STR(enc(html_url_arg, "\xC0\x80"), "%EF%BF%BD%EF%BF%BD");
	CHECK_STR(enc(html_url_arg, "\xED\xA0\x80"), "%EF%BF%BD%EF%BF%BD%EF%BF%BD");

	/* A path segment: a "/" inside is encoded, so it stays one segment. */
	CHECK_STR(enc(html_url_path, "news/2024"), "news%2F2024");
	CHECK_STR(enc(html_url_path, "campus-news_1.2~x"), "campus-news_1.2~x");
	CHECK_STR(enc(html_url_path, "a b?c#d"), "a%20b%3Fc%23d");
	CHECK_STR(enc(html_url_path, "新闻"), "%E6%96%B0%E9%97%BB");
	CHECK_STR(enc(html_url_path, "x\xFE"), "x%EF%BF%BD");
	CHECK_STR(enc(html_url_path, ""), "");
	CHECK_STR(enc(html_url_path, NULL), "");

	/* The result never contains anything html_attr would change. */
	const char *u = enc(html_url_arg, "\"'<>&=` x");
	CHECK(strpbrk(u, "\"'<>&=` ") == NULL);
}

static void test_raw(void)
{
	CHECK_STR(enc(html_raw_trusted_markup, "<p class=\"x\">a &amp; b</p>"),
	          "<p class=\"x\">a &amp; b</p>");
	CHECK_STR(enc(html_raw_trusted_markup, "<em>中文</em>"), "<em>中文</em>");
	CHECK_STR(enc(html_raw_trusted_markup, ""), "");
	CHECK_STR(enc(html_raw_trusted_markup, NULL), "");
	/* Even trusted markup may not break the page's encoding. */
	CHECK_STR(enc(html_raw_trusted_markup, "<b>\xFF</b>"), "<b>" FFFD "</b>");
}

/* Every encoder turns every kind of broken UTF-8 into valid UTF-8. */
static void test_bad_utf8_everywhere(void)
{
	static const char *const bad[] = {
	    "\x80",             /* lone continuation byte */
	    "\xC3",             /* truncated 2-byte */
	    "\xC3\x28",         /* bad continuation */
	    "\xC0\xAF",         /* overlong '/' */
	    "\xE0\x80\xAF",     /* overlong, 3 bytes */
	    "\xE4\xB8",         /* truncated 3-byte (中 without its last byte) */
	    "\xED\xA0\x80",     /* surrogate U+D800 */
	    "\xED\xBF\xBF",     /* surrogate U+DFFF */
	    "\xF4\x90\x80\x80", /* above U+10FFFF */
	    "\xF5\x80\x80\x80", /* never a lead byte */
	    "\xF8\x88\x80\x80\x80",
	    "\xFE\xFF",
	    "ok\xF0\x9F\x98", /* truncated emoji at the end */
	};
	static const encoder encoders[] = {html_text, html_attr, html_raw_trusted_markup};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		for (size_t k = 0; k < sizeof encoders / sizeof *encoders; k++) {
			const char *r = enc(encoders[k], bad[i]);
			CHECK(valid_utf8(r, strlen(r)));
			CHECK(strstr(r, FFFD) != NULL);
		}
		const char *r = enc(html_url_arg, bad[i]);
		CHECK(strstr(r, "%EF%BF%BD") != NULL);
	}
	/* Replacement is per bad byte; good characters around are kept. */
	CHECK_STR(enc(html_text, "a\x80z"), "a" FFFD "z");
	CHECK_STR(enc(html_text, "\xC3\x28"), FFFD "(");
	CHECK_STR(enc(html_text, "中\xFF文"), "中" FFFD "文");
	/* Valid boundaries are kept. */
	CHECK_STR(enc(html_text, "\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80"
	                         "\xF4\x8F\xBF\xBF"),
	          "\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF");
}

/* The escaping rule spelled out a character at a time, the slow way: what
 * the table-driven scanner in html.c must agree with. */
static void reference(struct buf *out, const char *s, size_t n, int attr)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t k = valid_utf8_char(s + i, n - i);
		const char *rep = NULL;
		if (!k || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
			rep = FFFD;
		else if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"')
			rep = "&quot;";
		else if (c == '\'')
			rep = "&#39;";
		else if (attr && c == '`')
			rep = "&#96;";
		else if (attr && c == '=')
			rep = "&#61;";
		if (rep) {
			buf_puts(out, rep);
			i += k ? k : 1;
		} else {
			buf_put(out, s + i, k);
			i += k;
		}
	}
}

/* Random strings of pieces that matter (specials, controls, characters of
 * every length, broken ones, plain runs) through both. */
static void test_against_reference(void)
{
	static const char *const pieces[] = {
	    "a", "plain text ", "&", "<", ">", "\"", "'", "`", "=", "\t", "\n", "\r", "\x01",
	    "\x1F", "\x7F", "\0", "é", "中", "文", "😀", "\xE0\xA0\x80", "\xED\x9F\xBF",
	    "\xED\xA0\x80", "\xEF\xBF\xBF", "\xE4\xB8", "\xE4", "\x80", "\xC3", "\xF0\x9F\x98",
	    "\xF4\x90\x80\x80", "\xFF", "\xC0\xAF", "12345678"};
	unsigned seed = 12345;
	char s[256];
	for (int round = 0; round < 20000; round++) {
		size_t n = 0;
		int parts = (int)((seed = seed * 1103515245 + 12345) >> 16) % 12;
		for (int p = 0; p < parts; p++) {
			seed = seed * 1103515245 + 12345;
			const char *piece = pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)];
			size_t len = piece[0] ? strlen(piece) : 1; /* "\0" is one NUL byte */
			memcpy(s + n, piece, len);
			n += len;
		}
		for (int attr = 0; attr < 2; attr++) {
			struct buf got = BUF_INIT, want = BUF_INIT;
			if (attr) {
				s[n] = '\0';
				html_attr(&got, s);
				reference(&want, s, strlen(s), 1);
			} else {
				html_textn(&got, s, n);
				reference(&want, s, n, 0);
			}
			CHECK(got.len == want.len && !memcmp(buf_cstr(&got), buf_cstr(&want), got.len));
			buf_free(&got);
			buf_free(&want);
		}
	}
}

int main(void)
{
	test_text();
	test_attr();
	test_url();
	test_raw();
	test_bad_utf8_everywhere();
	test_against_reference();
	return check_done("test_html");
}
