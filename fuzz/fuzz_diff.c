/*
 * libFuzzer harness for the line diff. The first input byte picks the
 * limits (the defaults, or small caps that make the fallbacks happen) and
 * the context; the rest is the old text up to the first NUL byte and the
 * new text after it, each copied into a buffer of exactly its length so
 * that a read one byte too far is an ASan error. Checks the module's
 * promises: the hunks walk both texts in order and cover them, equal lines
 * are equal, changes are grouped (DELETE before INSERT), the counts add up,
 * the limits hold, and the HTML is valid UTF-8 in which the texts' markup
 * stays text.
 *
 * Run: fuzz/run.sh SECONDS diff (seeds in fuzz/corpus/diff).
 */
#include "diff.h"
#include "valid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *copy(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);
	if (s && n)
		memcpy(s, p, n);
	return s;
}

static void check_hunks(const struct diff *d, const struct diff_limits *lim)
{
	size_t ai = 0, bi = 0, del = 0, ins = 0;
	for (size_t i = 0; i < d->nhunks; i++) {
		const struct diff_hunk *h = &d->hunks[i];
		if (h->count == 0 || h->a_start != ai || h->b_start != bi)
			abort();
		if (i > 0 && (h->op == d->hunks[i - 1].op ||
		              (d->hunks[i - 1].op == DIFF_INSERT && h->op == DIFF_DELETE)))
			abort();
		for (size_t j = 0; h->op == DIFF_EQUAL && d->la && j < h->count; j++) {
			const struct diff_line *x = &d->la[ai + j], *y = &d->lb[bi + j];
			if (x->len != y->len || memcmp(x->s, y->s, x->len) != 0)
				abort();
		}
		if (h->op != DIFF_INSERT)
			ai += h->count;
		if (h->op != DIFF_DELETE)
			bi += h->count;
		del += h->op == DIFF_DELETE ? h->count : 0;
		ins += h->op == DIFF_INSERT ? h->count : 0;
	}
	if (ai != d->na || bi != d->nb || del != d->deleted || ins != d->inserted)
		abort();
	if (d->fallback == DIFF_EXACT && d->deleted + d->inserted > lim->max_edits)
		abort();
	if (d->fallback != DIFF_EXACT && (d->deleted != d->na || d->inserted != d->nb))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const struct diff_limits limits[] = {
	    {DIFF_MAX_LINES, DIFF_MAX_EDITS, DIFF_MAX_WORK},
	    {8, 4, 1000},
	    {64, 16, 200},
	    {1000, 1000, 50},
	};
	const struct diff_limits *lim = &limits[data[0] & 3];
	size_t context = (size_t)(data[0] >> 2) & 7;
	data++;
	size--;
	const uint8_t *nul = memchr(data, 0, size);
	size_t alen = nul ? (size_t)(nul - data) : size;
	size_t blen = nul ? size - alen - 1 : 0;
	char *a = copy(data, alen), *b = copy(nul ? nul + 1 : data, blen);
	if (!a || !b) {
		free(a);
		free(b);
		return 0;
	}

	struct diff d;
	diff_lines(&d, a, alen, b, blen, lim);
	check_hunks(&d, lim);
	static const struct diff_labels labels = {"old",  "new",  "text",      "unchanged",
	                                          "same", "long", "different", "eol"};
	struct buf out = BUF_INIT;
	diff_html(&out, &d, &labels, context);
	if (!valid_utf8(buf_cstr(&out), out.len))
		abort(); /* no NUL, no broken character reaches the page */
	const char *html = buf_cstr(&out);
	if (memmem(html, out.len, "<script", 7) || memmem(html, out.len, "<x", 2))
		abort(); /* the texts' markup is escaped */
	buf_free(&out);
	diff_free(&d);
	free(a);
	free(b);
	return 0;
}
