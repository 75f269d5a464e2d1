/* Markdown rendering: the formatting we rely on, and everything that must
 * not get through (raw HTML, script URLs, broken UTF-8). */
#include "check.h"
#include "md.h"
#include "valid.h"

#include <stdlib.h>
#include <string.h>

/* Renders s and returns a malloc'ed copy of the HTML ("" plus rc -1 noted). */
static char *render_n(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	int rc = md_render(s, n, &b);
	CHECK(rc == 0);
	char *r = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}

static char *render(const char *s)
{
	return render_n(s, strlen(s));
}

#define HAS(h, needle) (strstr((h), (needle)) != NULL)

/* Case-insensitive search, for schemes a browser would accept in any case. */
static int has_ci(const char *h, const char *needle)
{
	return strcasestr(h, needle) != NULL;
}

static void test_formatting(void)
{
	char *h = render("*em* and **strong**");
	CHECK_STR(h, "<p><em>em</em> and <strong>strong</strong></p>\n");
	free(h);

	h = render("# Title\n\n## Sub\n");
	CHECK_STR(h, "<h1>Title</h1>\n<h2>Sub</h2>\n");
	free(h);

	h = render("- one\n- two\n\n1. a\n2. b\n");
	CHECK(HAS(h, "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"));
	CHECK(HAS(h, "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"));
	free(h);

	h = render("[the site](https://example.org/a?b=1&c=2)");
	CHECK_STR(h, "<p><a href=\"https://example.org/a?b=1&amp;c=2\">the site</a></p>\n");
	free(h);

	h = render("[rel](/a/12) [frag](#top) [mail](mailto:news@example.org)");
	CHECK(HAS(h, "href=\"/a/12\""));
	CHECK(HAS(h, "href=\"#top\""));
	CHECK(HAS(h, "href=\"mailto:news@example.org\""));
	free(h);

	h = render("| a | b |\n|---|---|\n| 1 | 2 |\n");
	CHECK(HAS(h, "<table>") && HAS(h, "<td>1</td>"));
	free(h);

	h = render("~~gone~~");
	CHECK_STR(h, "<p><del>gone</del></p>\n");
	free(h);

	h = render("a < b & c > d \"q\"");
	CHECK_STR(h, "<p>a &lt; b &amp; c &gt; d &quot;q&quot;</p>\n");
	free(h);

	/* md_render appends: what was in the buffer stays. */
	struct buf b = BUF_INIT;
	buf_puts(&b, "<div>");
	CHECK(md_render("x", 1, &b) == 0);
	CHECK_STR(buf_cstr(&b), "<div><p>x</p>\n");
	buf_free(&b);
}

static void test_raw_html_dropped(void)
{
	char *h = render("<script>alert(1)</script>\n\nafter");
	CHECK(!has_ci(h, "<script"));
	CHECK(!HAS(h, "alert(1)"));
	CHECK(HAS(h, "<p>after</p>"));
	free(h);

	h = render("inline <img src=x onerror=alert(1)> and <b>bold</b>");
	CHECK(!has_ci(h, "<img"));
	CHECK(!has_ci(h, "onerror"));
	CHECK(!HAS(h, "<b>"));
	CHECK(HAS(h, "bold"));
	free(h);

	h = render("<iframe src=\"https://evil.example\"></iframe>");
	CHECK(!has_ci(h, "<iframe"));
	free(h);

	/* Inside code the markup is text, escaped. */
	h = render("`<script>`");
	CHECK_STR(h, "<p><code>&lt;script&gt;</code></p>\n");
	free(h);
}

static void test_dangerous_urls(void)
{
	const char *bad[] = {
	    "[x](javascript:alert(1))",
	    "[x](JaVaScRiPt:alert(1))",
	    "[x](vbscript:msgbox(1))",
	    "[x](file:///etc/passwd)",
	    "[x](data:text/html;base64,PHNjcmlwdD4=)",
	    "[x](DATA:text/html,x)",
	    "[x](&#106;avascript:alert(1))",
	    "[x](javascript&colon;alert(1))",
	    "[x](java&#09;script:alert(1))",
	    "[x](<java script:alert(1)>)",
	    "<javascript:alert(1)>",
	    "[x][r]\n\n[r]: javascript:alert(1)",
	    "text ![i](data:image/png;base64,iVBORw0KGgo=) text",
	    "![i](javascript:alert(1))",
	    "![i](<data:image/svg+xml,%3Csvg onload=alert(1)%3E>)",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *h = render(bad[i]);
		/* The scheme may still show as link text; never as a URL. */
		if (has_ci(h, "=\"javascript") || has_ci(h, "=\"vbscript") ||
		    has_ci(h, "=\"data:") || has_ci(h, "=\"file:") || has_ci(h, "=\"java")) {
			fprintf(stderr, "unsafe URL kept for %s: %s\n", bad[i], h);
			CHECK(0);
		}
		CHECK(HAS(h, "href=\"\"") || HAS(h, "src=\"\""));
		free(h);
	}

	/* An unknown scheme is refused; a colon after the first '/' is a path. */
	char *h = render("[x](tel:+123) [y](./a:b) [z](//cdn.example/x)");
	CHECK(!HAS(h, "tel:"));
	CHECK(HAS(h, "href=\"./a:b\""));
	CHECK(HAS(h, "href=\"//cdn.example/x\""));
	free(h);
}

static void test_figures(void)
{
	char *h =
	    render("![Students in the new lab](/media/ab/cd.jpg \"The new lab opened in May\")");
	CHECK_STR(h, "<figure><img src=\"/media/ab/cd.jpg\" alt=\"Students in the new lab\" "
	             "loading=\"lazy\"><figcaption>The new lab opened in May</figcaption>"
	             "</figure>\n");
	free(h);

	/* No title: the alt text is the caption. Surrounding spaces do not matter. */
	h = render("  ![The library at night](lib.jpg)  \n");
	CHECK_STR(h, "<figure><img src=\"lib.jpg\" alt=\"The library at night\" "
	             "loading=\"lazy\"><figcaption>The library at night</figcaption></figure>\n");
	free(h);

	/* Neither: no figcaption. */
	h = render("![](x.png)");
	CHECK_STR(h, "<figure><img src=\"x.png\" alt=\"\" loading=\"lazy\"></figure>\n");
	free(h);

	/* Emphasis in alt becomes plain text. */
	h = render("![a *b* `c`](x.png)");
	CHECK(HAS(h, "alt=\"a b c\""));
	free(h);

	/* Among other paragraphs, and inside a list and a quote. */
	h = render("Before.\n\n![A](a.png \"T\")\n\nAfter.\n\n- ![L](l.png)\n\n> ![Q](q.png)\n");
	CHECK(HAS(h, "<p>Before.</p>\n<figure><img src=\"a.png\""));
	CHECK(HAS(h, "<figcaption>T</figcaption></figure>\n<p>After.</p>"));
	CHECK(HAS(h, "<li>\n<figure><img src=\"l.png\""));
	CHECK(HAS(h, "<blockquote>\n<figure><img src=\"q.png\""));
	free(h);

	/* An image inside text stays inline, without a figure. */
	h = render("See ![icon](i.png) here");
	CHECK(!HAS(h, "<figure"));
	CHECK(HAS(h, "<p>See <img src=\"i.png\" alt=\"icon\" /> here</p>"));
	free(h);

	/* Two images in one paragraph: not a figure. */
	h = render("![a](a.png) ![b](b.png)");
	CHECK(!HAS(h, "<figure"));
	free(h);

	/* A linked image is a link, not a lone image. */
	h = render("[![a](a.png)](/x)");
	CHECK(!HAS(h, "<figure"));
	CHECK(HAS(h, "<a href=\"/x\"><img src=\"a.png\""));
	free(h);

	/* Attribute-breaking characters in alt, title and URL are escaped. */
	h = render(
	    "![x\"><script>alert(1)</script>](p.png \"t\\\" onload=alert(1) \\\"><script>\")");
	CHECK(!has_ci(h, "<script"));
	CHECK(!HAS(h, "\" onload"));
	CHECK(HAS(h, "&quot;"));
	free(h);

	h = render("![it's \"q\" & <b> `x`=1](p.png 'a=\"b\"')");
	CHECK(HAS(h, "alt=\"it&#39;s &quot;q&quot; &amp;  x&#61;1\""));
	CHECK(HAS(h, "<figcaption>a=&quot;b&quot;</figcaption>"));
	free(h);

	h = render("![a](<p\"ng x.png>)");
	CHECK(HAS(h, "src=\"p&quot;ng x.png\""));
	free(h);

	/* Dangerous schemes are emptied on the figure path too. */
	h = render("![a](javascript:alert(1) \"t\")");
	CHECK(HAS(h, "<figure><img src=\"\""));
	CHECK(!has_ci(h, "javascript"));
	free(h);
	h = render("![a](data:image/png;base64,iVBORw0KGgo=)");
	CHECK(HAS(h, "<figure><img src=\"\""));
	CHECK(!has_ci(h, "data:"));
	free(h);
	h = render("![a](HTTPS://example.org/a.png)");
	CHECK(HAS(h, "src=\"HTTPS://example.org/a.png\""));
	free(h);
}

static void test_text_and_bytes(void)
{
	char *h = render("新实验室五月启用，*欢迎*参观。");
	CHECK_STR(h, "<p>新实验室五月启用，<em>欢迎</em>参观。</p>\n");
	free(h);

	h = render("![学生在新实验室](lab.jpg \"新实验室\")");
	CHECK(HAS(h, "alt=\"学生在新实验室\""));
	CHECK(HAS(h, "<figcaption>新实验室</figcaption>"));
	free(h);

	h = render("");
	CHECK_STR(h, "");
	free(h);

	struct buf b = BUF_INIT;
	CHECK(md_render(NULL, 0, &b) == 0);
	CHECK_STR(buf_cstr(&b), "");
	buf_free(&b);

	/* Invalid UTF-8 never reaches the output: it becomes U+FFFD. */
	const char bad[] = "bad \xFF\xFE lone \x80 overlong \xC0\x80 cut \xE4\xB8";
	h = render_n(bad, sizeof bad - 1);
	CHECK(valid_utf8(h, strlen(h)));
	CHECK(HAS(h, "\xEF\xBF\xBD"));
	CHECK(HAS(h, "bad "));
	free(h);

	const char badimg[] = "![\xFF alt](a.png \"t\xC3\")";
	h = render_n(badimg, sizeof badimg - 1);
	CHECK(valid_utf8(h, strlen(h)));
	CHECK(HAS(h, "<figure>"));
	free(h);

	/* A NUL inside the input is replaced too; the rest is still rendered. */
	const char nul[] = "a\0b *c*";
	h = render_n(nul, sizeof nul - 1);
	CHECK(valid_utf8(h, strlen(h)));
	CHECK(HAS(h, "<em>c</em>"));
	free(h);

	/* Only len bytes are read. */
	h = render_n("*x* trailing", 3);
	CHECK_STR(h, "<p><em>x</em></p>\n");
	free(h);
}

int main(void)
{
	test_formatting();
	test_raw_html_dropped();
	test_dangerous_urls();
	test_figures();
	test_text_and_bytes();
	return check_done("test_md");
}
