/* The line diff: edge cases first (empty, identical, final line break,
 * CRLF, invalid UTF-8, NUL, escaping), the limits, then thousands of random
 * pairs checked against a brute-force LCS for validity and minimality. */
#include "check.h"
#include "diff.h"
#include "valid.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FFFD "\xEF\xBF\xBD"

static const struct diff_labels labels = {
    "Old",
    "New",
    "Text",
    "unchanged lines",
    "No differences.",
    "TOO LONG",
    "TOO DIFFERENT",
    "The final line break differs.",
};

/* The hunks as "=2 -1 +1 =3"; a static buffer. */
static const char *shape(const struct diff *d)
{
	static char s[4096];
	size_t n = 0;
	s[0] = '\0';
	for (size_t i = 0; i < d->nhunks && n < sizeof s - 32; i++) {
		const struct diff_hunk *h = &d->hunks[i];
		char c = h->op == DIFF_EQUAL ? '=' : h->op == DIFF_DELETE ? '-' : '+';
		n += (size_t)snprintf(s + n, sizeof s - n, "%s%c%zu", i ? " " : "", c, h->count);
	}
	return s;
}

static const char *diff_shape(const char *a, const char *b)
{
	struct diff d;
	diff_lines(&d, a, strlen(a), b, strlen(b), NULL);
	const char *s = shape(&d);
	diff_free(&d);
	return s;
}

/* The HTML of diffing a with b (context 2), in a heap string to free. */
static char *html_of(const char *a, size_t alen, const char *b, size_t blen,
                     const struct diff_limits *lim)
{
	struct diff d;
	struct buf out = BUF_INIT;
	diff_lines(&d, a, alen, b, blen, lim);
	diff_html(&out, &d, &labels, 2);
	diff_free(&d);
	char *s = xstrdup(buf_cstr(&out));
	buf_free(&out);
	return s;
}

static void test_empty_and_identical(void)
{
	struct diff d;
	diff_lines(&d, "", 0, "", 0, NULL);
	CHECK(d.na == 0 && d.nb == 0 && d.nhunks == 0 && diff_same(&d) && !d.eol_differs);
	diff_free(&d);
	CHECK(d.hunks == NULL && d.nhunks == 0); /* diff_free empties */

	CHECK_STR(diff_shape("", "a\nb\n"), "+2");
	CHECK_STR(diff_shape("a\nb\n", ""), "-2");
	CHECK_STR(diff_shape("", "\n"), "+1"); /* one empty line */
	CHECK_STR(diff_shape("same\ntext\n", "same\ntext\n"), "=2");
	CHECK_STR(diff_shape("\n\n\n", "\n\n\n"), "=3");

	char *h = html_of("", 0, "", 0, NULL);
	CHECK(strstr(h, "No differences.") && !strstr(h, "<table"));
	free(h);
	h = html_of("x\ny\n", 4, "x\ny\n", 4, NULL);
	CHECK(strstr(h, "No differences.") && !strstr(h, "<table") && !strstr(h, "final line"));
	free(h);
}

static void test_line_endings(void)
{
	struct diff d;
	/* No final line break: the same lines, and a note. */
	diff_lines(&d, "a\nb", 3, "a\nb\n", 4, NULL);
	CHECK(diff_same(&d) && d.eol_differs && d.na == 2 && d.nb == 2);
	diff_free(&d);
	char *h = html_of("a\nb", 3, "a\nb\n", 4, NULL);
	CHECK(strstr(h, "No differences.") && strstr(h, "The final line break differs."));
	free(h);
	CHECK_STR(diff_shape("a\nb", "a\nc"), "=1 -1 +1");
	CHECK_STR(diff_shape("a", "a\nb\n"), "=1 +1");

	/* CRLF is a line ending like LF. */
	diff_lines(&d, "one\r\ntwo\r\n", 10, "one\ntwo\n", 8, NULL);
	CHECK(diff_same(&d) && !d.eol_differs);
	CHECK(d.la[0].len == 3 && d.lb[1].len == 3);
	diff_free(&d);
	CHECK_STR(diff_shape("one\r\ntwo\r\nthree", "one\nTWO\nthree"), "=1 -1 +1 =1");
	/* A lone CR is part of the line. */
	CHECK_STR(diff_shape("a\rb\n", "a\nb\n"), "-1 +2");
	/* An empty last line is a line. */
	CHECK_STR(diff_shape("a\n\n", "a\n"), "=1 -1");
}

static void test_bytes(void)
{
	/* Invalid UTF-8 and controls cannot break the page: U+FFFD. */
	const char a[] = "ok\n\xff\xfe<x>\n\xc3\n", b[] = "ok\n";
	char *h = html_of(a, sizeof a - 1, b, sizeof b - 1, NULL);
	CHECK(valid_utf8(h, strlen(h)));
	CHECK(strstr(h, "<del>" FFFD FFFD "&lt;x&gt;</del>") != NULL);
	CHECK(strstr(h, "<del>" FFFD "</del>") != NULL);
	CHECK(strstr(h, "<x>") == NULL);
	free(h);

	/* NUL is an ordinary byte: lengths, not C strings. */
	struct diff d;
	diff_lines(&d, "a\0b\nz\n", 6, "a\0c\nz\n", 6, NULL);
	CHECK_STR(shape(&d), "-1 +1 =1");
	diff_free(&d);
	h = html_of("a\0b\n", 4, "a\0c\n", 4, NULL);
	CHECK(strstr(h, "<del>a" FFFD "b</del>") && strstr(h, "<ins>a" FFFD "c</ins>"));
	free(h);

	/* Markup in a line is text. */
	h = html_of("keep\n<script>alert(1)</script>\n", 31, "keep\n\"q\" & 'a'\n", 15, NULL);
	CHECK(strstr(h, "<del>&lt;script&gt;alert(1)&lt;/script&gt;</del>") != NULL);
	CHECK(strstr(h, "<ins>&quot;q&quot; &amp; &#39;a&#39;</ins>") != NULL);
	CHECK(strstr(h, "<script") == NULL);
	CHECK(strstr(h,
	             "<tr class=\"diff-eq\"><td class=\"diff-no\">1</td><td class=\"diff-no\">1"
	             "</td><td class=\"diff-mark\"></td><td class=\"diff-text\">keep</td></tr>"));
	CHECK(strstr(h, "<tr class=\"diff-del\"><td class=\"diff-no\">2</td><td class=\"diff-no\">"
	                "</td><td class=\"diff-mark\">-</td>"));
	CHECK(strstr(h, "<tr class=\"diff-ins\"><td class=\"diff-no\"></td><td class=\"diff-no\">2"
	                "</td><td class=\"diff-mark\">+</td>"));
	free(h);
}

/* A text of n lines "line i" with the lines in `changed` rewritten. */
static char *numbered(size_t n, size_t step, size_t *len)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (step && i % step == step - 1)
			buf_printf(&b, "edited %zu\n", i);
		else
			buf_printf(&b, "line %zu\n", i);
	}
	*len = b.len;
	char *s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static void test_context(void)
{
	size_t alen, blen;
	char *a = numbered(20, 0, &alen);
	char *b = xstrdup(a);
	memcpy(strstr(b, "line 9\n"), "LINE", 4);
	struct diff d;
	diff_lines(&d, a, alen, b, blen = alen, NULL);
	CHECK_STR(shape(&d), "=9 -1 +1 =10");
	struct buf out = BUF_INIT;
	diff_html(&out, &d, &labels, 3);
	const char *h = buf_cstr(&out);
	CHECK(strstr(h, "⋯ 6 unchanged lines") != NULL); /* lines 1-6 cut, 7-9 shown */
	CHECK(strstr(h, "⋯ 7 unchanged lines") != NULL); /* 11-13 shown, 14-20 cut */
	CHECK(strstr(h, ">line 5<") == NULL && strstr(h, ">line 6<") && strstr(h, ">line 12<"));
	CHECK(strstr(h, ">line 13<") == NULL);
	buf_free(&out);
	/* A run no longer than both contexts and one line stays whole. */
	buf_reset(&out);
	diff_html(&out, &d, &labels, 10);
	CHECK(strstr(buf_cstr(&out), "unchanged lines") == NULL);
	buf_free(&out);
	diff_free(&d);
	free(a);
	free(b);
}

static void test_limits(void)
{
	struct diff d;
	size_t alen, blen;
	/* Over the line cap: the whole text replaced, and said so. */
	char *a = numbered(DIFF_MAX_LINES + 1, 0, &alen);
	char *b = numbered(DIFF_MAX_LINES + 1, 1000, &blen);
	diff_lines(&d, a, alen, b, blen, NULL);
	CHECK(d.fallback == DIFF_TOO_LONG && d.la == NULL);
	CHECK_STR(shape(&d), "-20001 +20001");
	diff_free(&d);
	char *h = html_of(a, alen, "short\n<b>", 9, NULL);
	CHECK(strstr(h, "TOO LONG") && strstr(h, "<ins>short\n&lt;b&gt;</ins></pre>"));
	CHECK(!strstr(h, "<table"));
	free(h);
	/* Identical long texts are still identical. */
	diff_lines(&d, a, alen, a, alen, NULL);
	CHECK(diff_same(&d) && d.fallback == DIFF_EXACT);
	diff_free(&d);
	free(a);
	free(b);

	/* Just under the cap, a few edits: an exact diff, fast. */
	a = numbered(DIFF_MAX_LINES, 0, &alen);
	b = numbered(DIFF_MAX_LINES, 400, &blen);
	clock_t t0 = clock();
	diff_lines(&d, a, alen, b, blen, NULL);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(d.fallback == DIFF_EXACT && d.deleted == 50 && d.inserted == 50);
	CHECK(secs < 2.0);
	diff_free(&d);
	free(a);
	free(b);

	/* The edit cap, exactly. */
	struct diff_limits lim = {100, 4, 1000000};
	diff_lines(&d, "a\nb\nc\n", 6, "a\nB\nC\n", 6, &lim);
	CHECK(d.fallback == DIFF_EXACT && d.deleted + d.inserted == 4);
	diff_free(&d);
	diff_lines(&d, "a\nb\nc\n", 6, "A\nB\nC\n", 6, &lim);
	CHECK(d.fallback == DIFF_TOO_DIFFERENT && d.deleted == 3 && d.inserted == 3);
	CHECK_STR(shape(&d), "-3 +3");
	diff_free(&d);
	h = html_of("a\nb\nc\n", 6, "A\nB\nC\n", 6, &lim);
	CHECK(strstr(h, "TOO DIFFERENT") && strstr(h, "<del>a\nb\nc\n</del>"));
	free(h);
	/* The same lines in another order: no lower bound helps, the search
	 * itself must stop at the cap. */
	diff_lines(&d, "1\n2\n3\n4\n5\n6\n", 12, "6\n5\n4\n3\n2\n1\n", 12, &lim);
	CHECK(d.fallback == DIFF_TOO_DIFFERENT);
	diff_free(&d);
	/* The work cap. */
	struct diff_limits tiny = {100, 100, 5};
	diff_lines(&d, "1\n2\n3\n4\n5\n6\n", 12, "6\n5\n4\n3\n2\n1\n", 12, &tiny);
	CHECK(d.fallback == DIFF_TOO_DIFFERENT);
	diff_free(&d);
	/* The line cap applies to each side. */
	struct diff_limits two = {2, 100, 1000};
	diff_lines(&d, "a\n", 2, "a\nb\nc\n", 6, &two);
	CHECK(d.fallback == DIFF_TOO_LONG);
	diff_free(&d);

	/* Worst cases under the default caps end quickly: all lines new, and
	 * the same lines reversed (no lower bound applies). */
	size_t n = 6000;
	a = numbered(n, 0, &alen);
	b = numbered(n, 1, &blen);
	t0 = clock();
	diff_lines(&d, a, alen, b, blen, NULL);
	CHECK(d.fallback == DIFF_TOO_DIFFERENT);
	diff_free(&d);
	struct buf rev = BUF_INIT;
	for (size_t i = n; i-- > 0;)
		buf_printf(&rev, "line %zu\n", i);
	diff_lines(&d, a, alen, rev.data, rev.len, NULL);
	CHECK(d.fallback == DIFF_TOO_DIFFERENT);
	diff_free(&d);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("worst cases: %.3f s of CPU\n", secs);
	CHECK(secs < 5.0);
	buf_free(&rev);
	free(a);
	free(b);
}

/* Length of the longest common subsequence of line ids, by brute force. */
static size_t lcs(const int *a, size_t n, const int *b, size_t m)
{
	size_t t[16][16] = {{0}};
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			t[i][j] = a[i] == b[j]
			              ? t[i + 1][j + 1] + 1
			              : (t[i + 1][j] > t[i][j + 1] ? t[i + 1][j] : t[i][j + 1]);
	return t[0][0];
}

/* Checks that d's hunks walk both texts in order, that equal lines are
 * equal, that changes are grouped, and that the script is shortest. */
static int check_script(const struct diff *d, const int *a, size_t n, const int *b, size_t m)
{
	size_t ai = 0, bi = 0;
	enum diff_op prev = DIFF_EQUAL;
	for (size_t i = 0; i < d->nhunks; i++) {
		const struct diff_hunk *h = &d->hunks[i];
		if (h->count == 0 || h->a_start != ai || h->b_start != bi)
			return 0;
		if (i > 0 && (h->op == prev || (prev == DIFF_INSERT && h->op == DIFF_DELETE)))
			return 0;
		for (size_t j = 0; j < h->count; j++) {
			if (h->op == DIFF_EQUAL && a[ai + j] != b[bi + j])
				return 0;
		}
		if (h->op != DIFF_INSERT)
			ai += h->count;
		if (h->op != DIFF_DELETE)
			bi += h->count;
		prev = h->op;
	}
	if (ai != n || bi != m)
		return 0;
	return d->deleted + d->inserted == n + m - 2 * lcs(a, n, b, m);
}

static void test_random(void)
{
	srand(20261126);
	int bad = 0;
	for (int round = 0; round < 20000; round++) {
		int a[15], b[15];
		size_t n = (size_t)(rand() % 15), m = (size_t)(rand() % 15);
		int alphabet = 2 + rand() % 4;
		struct buf ta = BUF_INIT, tb = BUF_INIT;
		for (size_t i = 0; i < n; i++) {
			a[i] = rand() % alphabet;
			buf_printf(&ta, "l%d\n", a[i]);
		}
		for (size_t i = 0; i < m; i++) {
			b[i] = rand() % alphabet;
			buf_printf(&tb, "l%d%s", b[i], i + 1 < m || rand() % 2 ? "\n" : "");
		}
		struct diff d;
		diff_lines(&d, ta.len ? ta.data : "", ta.len, tb.len ? tb.data : "", tb.len, NULL);
		if (d.fallback != DIFF_EXACT || d.na != n || d.nb != m ||
		    !check_script(&d, a, n, b, m)) {
			if (bad++ < 5)
				fprintf(stderr, "random round %d: n=%zu m=%zu shape %s\n", round, n,
				        m, shape(&d));
		}
		diff_free(&d);
		buf_free(&ta);
		buf_free(&tb);
	}
	CHECK(bad == 0);
}

int main(void)
{
	test_empty_and_identical();
	test_line_endings();
	test_bytes();
	test_context();
	test_limits();
	test_random();
	return check_done("test_diff");
}
