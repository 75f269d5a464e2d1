/* Line diffs: split, intern, Myers' bisection, hunks, HTML. */
#include "diff.h"
#include "html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct diff_limits default_limits = {DIFF_MAX_LINES, DIFF_MAX_EDITS, DIFF_MAX_WORK};

/* Lines of s: one per LF, plus a last one without LF. */
static size_t count_lines(const char *s, size_t n)
{
	size_t lines = 0;
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		lines++;
		if (!nl)
			break;
		p = nl + 1;
	}
	return lines;
}

/* The count lines of s, without their LF or CRLF. */
static struct diff_line *split_lines(const char *s, size_t n, size_t count)
{
	struct diff_line *l = xcalloc(count ? count : 1, sizeof *l);
	const char *p = s, *end = s + n;
	for (size_t i = 0; i < count; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (nl && len > 0 && p[len - 1] == '\r')
			len--;
		l[i].s = p;
		l[i].len = len;
		p = nl ? nl + 1 : end;
	}
	return l;
}

static bool ends_with_lf(const char *s, size_t n)
{
	return n > 0 && s[n - 1] == '\n';
}

/* The search's state: lines as numbers (equal lines, equal numbers), the
 * two frontier arrays, the work spent, and the hunks found so far. */
struct ctx {
	const uint32_t *A, *B;
	long *v1, *v2;
	long dlimit; /* the largest d a bisection may reach */
	size_t work, max_work;
	bool aborted;
	struct diff_hunk *h;
	size_t nh, caph;
};

static bool spend(struct ctx *c, size_t steps)
{
	c->work += steps;
	if (c->work > c->max_work)
		c->aborted = true;
	return !c->aborted;
}

static void push(struct diff_hunk **h, size_t *n, size_t *cap, enum diff_op op, size_t a, size_t b,
                 size_t count)
{
	if (count == 0)
		return;
	if (*n > 0) {
		struct diff_hunk *last = &(*h)[*n - 1];
		if (last->op == op) {
			last->count += count;
			return;
		}
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*h = xrealloc(*h, *cap * sizeof **h);
	}
	(*h)[(*n)++] = (struct diff_hunk){op, a, b, count};
}

static void emit(struct ctx *c, enum diff_op op, size_t a, size_t b, size_t count)
{
	push(&c->h, &c->nh, &c->caph, op, a, b, count);
}

static void compute(struct ctx *c, size_t a0, size_t a1, size_t b0, size_t b1);

/* Diffs the two halves either side of (a0 + x, b0 + y). */
static void split_at(struct ctx *c, size_t a0, size_t a1, size_t b0, size_t b1, long x, long y)
{
	size_t n = a1 - a0, m = b1 - b0;
	if ((x == 0 && y == 0) || ((size_t)x == n && (size_t)y == m)) {
		/* No progress would recurse forever: a correct, if not
		 * shortest, answer instead (Myers' lemma says it cannot happen). */
		emit(c, DIFF_DELETE, a0, b0, n);
		emit(c, DIFF_INSERT, a1, b0, m);
		return;
	}
	compute(c, a0, a0 + (size_t)x, b0, b0 + (size_t)y);
	compute(c, a0 + (size_t)x, a1, b0 + (size_t)y, b1);
}

/*
 * Finds where a shortest edit path crosses the middle (Myers 1986, 4b),
 * searching forward from the start and backward from the end at once, and
 * splits there. Both ranges are non-empty and share no first or last line.
 * The same scheme as diff-match-patch's diff_bisect.
 */
static void bisect(struct ctx *c, size_t a0, size_t a1, size_t b0, size_t b1)
{
	const uint32_t *A = c->A + a0, *B = c->B + b0;
	long n = (long)(a1 - a0), m = (long)(b1 - b0);
	long max_d = (n + m + 1) / 2, steps = max_d < c->dlimit ? max_d : c->dlimit;
	long off = steps, vlen = 2 * steps + 2;
	if (!spend(c, (size_t)vlen))
		return;
	for (long i = 0; i < vlen; i++)
		c->v1[i] = c->v2[i] = -1;
	c->v1[off + 1] = c->v2[off + 1] = 0;
	long delta = n - m;
	bool front = (delta & 1) != 0; /* odd: the paths meet on a forward step */
	long k1start = 0, k1end = 0, k2start = 0, k2end = 0;
	for (long d = 0; d < steps; d++) {
		for (long k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
			long ko = off + k1, x1;
			if (k1 == -d || (k1 != d && c->v1[ko - 1] < c->v1[ko + 1]))
				x1 = c->v1[ko + 1];
			else
				x1 = c->v1[ko - 1] + 1;
			long y1 = x1 - k1, x0 = x1;
			while (x1 < n && y1 < m && A[x1] == B[y1]) {
				x1++;
				y1++;
			}
			c->v1[ko] = x1;
			if (!spend(c, 1 + (size_t)(x1 - x0)))
				return;
			if (x1 > n) {
				k1end += 2; /* off the right edge */
			} else if (y1 > m) {
				k1start += 2; /* off the bottom edge */
			} else if (front) {
				long k2o = off + delta - k1;
				if (k2o >= 0 && k2o < vlen && c->v2[k2o] != -1 &&
				    x1 >= n - c->v2[k2o]) {
					split_at(c, a0, a1, b0, b1, x1, y1);
					return;
				}
			}
		}
		for (long k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
			long ko = off + k2, x2;
			if (k2 == -d || (k2 != d && c->v2[ko - 1] < c->v2[ko + 1]))
				x2 = c->v2[ko + 1];
			else
				x2 = c->v2[ko - 1] + 1;
			long y2 = x2 - k2, x0 = x2;
			while (x2 < n && y2 < m && A[n - 1 - x2] == B[m - 1 - y2]) {
				x2++;
				y2++;
			}
			c->v2[ko] = x2;
			if (!spend(c, 1 + (size_t)(x2 - x0)))
				return;
			if (x2 > n) {
				k2end += 2;
			} else if (y2 > m) {
				k2start += 2;
			} else if (!front) {
				long k1o = off + delta - k2;
				if (k1o >= 0 && k1o < vlen && c->v1[k1o] != -1) {
					long x1 = c->v1[k1o];
					long y1 = off + x1 - k1o;
					if (x1 >= n - x2) {
						split_at(c, a0, a1, b0, b1, x1, y1);
						return;
					}
				}
			}
		}
	}
	if (steps < max_d) {
		c->aborted = true; /* more than about 2 * dlimit edits */
		return;
	}
	/* No path met the other: the texts share no line (D = n + m). */
	emit(c, DIFF_DELETE, a0, b0, (size_t)n);
	emit(c, DIFF_INSERT, a1, b0, (size_t)m);
}

/* Diffs A[a0, a1) with B[b0, b1), emitting hunks in order. */
static void compute(struct ctx *c, size_t a0, size_t a1, size_t b0, size_t b1)
{
	if (c->aborted)
		return;
	size_t p = 0, s = 0;
	while (a0 + p < a1 && b0 + p < b1 && c->A[a0 + p] == c->B[b0 + p])
		p++;
	emit(c, DIFF_EQUAL, a0, b0, p);
	a0 += p;
	b0 += p;
	while (a1 - s > a0 && b1 - s > b0 && c->A[a1 - 1 - s] == c->B[b1 - 1 - s])
		s++;
	a1 -= s;
	b1 -= s;
	if (!spend(c, 1 + p + s))
		return;
	if (a0 == a1)
		emit(c, DIFF_INSERT, a0, b0, b1 - b0);
	else if (b0 == b1)
		emit(c, DIFF_DELETE, a0, b0, a1 - a0);
	else
		bisect(c, a0, a1, b0, b1);
	emit(c, DIFF_EQUAL, a1, b1, s);
}

static uint64_t hash_line(const struct diff_line *l)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < l->len; i++) {
		h ^= (unsigned char)l->s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * Numbers the lines of both texts so that equal lines get equal numbers,
 * and returns a lower bound of the edits: lines that occur more often in
 * one text than in the other must be deleted or inserted. Probes count as
 * work, so that lines crafted to collide cannot make this quadratic for
 * free. Returns (size_t)-1 when the work ran out.
 */
static size_t intern(struct ctx *c, const struct diff *d, uint32_t *ida, uint32_t *idb)
{
	size_t total = d->na + d->nb, cap = 16;
	while (cap < 2 * total)
		cap *= 2;
	struct slot {
		uint64_t hash;
		const struct diff_line *line; /* NULL: empty slot */
		uint32_t id;
	} *t = xcalloc(cap, sizeof *t);
	uint32_t next = 0;
	size_t bound = (size_t)-1;
	for (size_t i = 0; i < total; i++) {
		bool in_a = i < d->na;
		const struct diff_line *l = in_a ? &d->la[i] : &d->lb[i - d->na];
		uint64_t h = hash_line(l);
		size_t j = (size_t)h & (cap - 1);
		if (!spend(c, 1 + l->len / 64))
			goto out;
		while (t[j].line && (t[j].hash != h || t[j].line->len != l->len ||
		                     memcmp(t[j].line->s, l->s, l->len) != 0)) {
			j = (j + 1) & (cap - 1);
			if (!spend(c, 1 + l->len / 64))
				goto out;
		}
		if (!t[j].line) {
			t[j].hash = h;
			t[j].line = l;
			t[j].id = next++;
		}
		if (in_a)
			ida[i] = t[j].id;
		else
			idb[i - d->na] = t[j].id;
	}
	/* How many more times each line occurs in a than in b. */
	long *bal = xcalloc(next ? next : 1, sizeof *bal);
	for (size_t i = 0; i < d->na; i++)
		bal[ida[i]]++;
	for (size_t i = 0; i < d->nb; i++)
		bal[idb[i]]--;
	bound = 0;
	for (uint32_t i = 0; i < next; i++)
		bound += (size_t)labs(bal[i]);
	free(bal);
out:
	free(t);
	return bound;
}

/* Rewrites the hunks so that each change is its deletions, then its
 * insertions, between two runs of equal lines. */
static void regroup(struct diff *d, struct diff_hunk *h, size_t n)
{
	size_t cap = 0;
	for (size_t i = 0; i < n;) {
		if (h[i].op == DIFF_EQUAL) {
			push(&d->hunks, &d->nhunks, &cap, DIFF_EQUAL, h[i].a_start, h[i].b_start,
			     h[i].count);
			i++;
			continue;
		}
		size_t a = h[i].a_start, b = h[i].b_start, del = 0, ins = 0;
		for (; i < n && h[i].op != DIFF_EQUAL; i++) {
			if (h[i].op == DIFF_DELETE)
				del += h[i].count;
			else
				ins += h[i].count;
		}
		push(&d->hunks, &d->nhunks, &cap, DIFF_DELETE, a, b, del);
		push(&d->hunks, &d->nhunks, &cap, DIFF_INSERT, a + del, b, ins);
		d->deleted += del;
		d->inserted += ins;
	}
}

/* The fallback: everything old removed, everything new added. */
static void replace_all(struct diff *d, enum diff_fallback why)
{
	size_t cap = 0;
	free(d->hunks);
	d->hunks = NULL;
	d->nhunks = 0;
	push(&d->hunks, &d->nhunks, &cap, DIFF_DELETE, 0, 0, d->na);
	push(&d->hunks, &d->nhunks, &cap, DIFF_INSERT, d->na, 0, d->nb);
	d->deleted = d->na;
	d->inserted = d->nb;
	d->fallback = why;
}

void diff_lines(struct diff *d, const char *a, size_t alen, const char *b, size_t blen,
                const struct diff_limits *limits)
{
	const struct diff_limits *lim = limits ? limits : &default_limits;
	memset(d, 0, sizeof *d);
	d->a = a;
	d->b = b;
	d->alen = alen;
	d->blen = blen;
	d->na = count_lines(a, alen);
	d->nb = count_lines(b, blen);
	d->eol_differs = d->na && d->nb && ends_with_lf(a, alen) != ends_with_lf(b, blen);
	if (d->na > lim->max_lines || d->nb > lim->max_lines) {
		size_t cap = 0;
		if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
			push(&d->hunks, &d->nhunks, &cap, DIFF_EQUAL, 0, 0, d->na);
		else
			replace_all(d, DIFF_TOO_LONG);
		return;
	}
	d->la = split_lines(a, alen, d->na);
	d->lb = split_lines(b, blen, d->nb);

	struct ctx c = {0};
	c.max_work = lim->max_work;
	c.dlimit = (long)(lim->max_edits / 2 + 2);
	uint32_t *ida = xcalloc(d->na ? d->na : 1, sizeof *ida);
	uint32_t *idb = xcalloc(d->nb ? d->nb : 1, sizeof *idb);
	size_t bound = intern(&c, d, ida, idb);
	if (!c.aborted && bound <= lim->max_edits) {
		c.A = ida;
		c.B = idb;
		size_t vsize = (size_t)(2 * c.dlimit + 2);
		if (vsize > d->na + d->nb + 4)
			vsize = d->na + d->nb + 4;
		c.v1 = xcalloc(vsize, sizeof *c.v1);
		c.v2 = xcalloc(vsize, sizeof *c.v2);
		compute(&c, 0, d->na, 0, d->nb);
		free(c.v1);
		free(c.v2);
	}
	free(ida);
	free(idb);
	if (c.aborted || bound > lim->max_edits) {
		free(c.h);
		replace_all(d, DIFF_TOO_DIFFERENT);
		return;
	}
	regroup(d, c.h, c.nh);
	free(c.h);
	if (d->deleted + d->inserted > lim->max_edits)
		replace_all(d, DIFF_TOO_DIFFERENT);
}

void diff_free(struct diff *d)
{
	free(d->la);
	free(d->lb);
	free(d->hunks);
	memset(d, 0, sizeof *d);
}

bool diff_same(const struct diff *d)
{
	return d->fallback == DIFF_EXACT && d->deleted == 0 && d->inserted == 0;
}

/* --- HTML ------------------------------------------------------------------ */

static void note(struct buf *out, const char *text)
{
	buf_puts(out, "<p class=\"diff-note\">");
	html_text(out, text);
	buf_puts(out, "</p>\n");
}

/* One line as a row; a number of 0 leaves its cell empty. */
static void row(struct buf *out, const char *cls, size_t ano, size_t bno, const char *mark,
                const char *tag, const struct diff_line *l)
{
	buf_printf(out, "<tr class=\"%s\"><td class=\"diff-no\">", cls);
	if (ano)
		buf_printf(out, "%zu", ano);
	buf_puts(out, "</td><td class=\"diff-no\">");
	if (bno)
		buf_printf(out, "%zu", bno);
	buf_printf(out, "</td><td class=\"diff-mark\">%s</td><td class=\"diff-text\">", mark);
	if (tag)
		buf_printf(out, "<%s>", tag);
	html_textn(out, l->s, l->len);
	if (tag)
		buf_printf(out, "</%s>", tag);
	buf_puts(out, "</td></tr>\n");
}

static void equal_run(struct buf *out, const struct diff *d, const struct diff_hunk *h, bool first,
                      bool last, size_t context, const char *unchanged)
{
	size_t head = first ? 0 : context, tail = last ? 0 : context;
	size_t skip_from = h->count, skip = 0;
	if (h->count > head + tail + 1) {
		skip_from = head;
		skip = h->count - head - tail;
	}
	for (size_t i = 0; i < h->count; i++) {
		if (i == skip_from) {
			buf_printf(out, "<tr class=\"diff-gap\"><td colspan=\"4\">⋯ %zu ", skip);
			html_text(out, unchanged);
			buf_puts(out, "</td></tr>\n");
			i += skip - 1;
			continue;
		}
		size_t ai = h->a_start + i, bi = h->b_start + i;
		row(out, "diff-eq", ai + 1, bi + 1, "", NULL, &d->la[ai]);
	}
}

void diff_html(struct buf *out, const struct diff *d, const struct diff_labels *l, size_t context)
{
	if (d->fallback != DIFF_EXACT) {
		note(out, d->fallback == DIFF_TOO_LONG ? l->too_long : l->too_different);
		if (d->eol_differs)
			note(out, l->eol);
		buf_puts(out, "<div class=\"diff diff-replaced\">\n<pre class=\"diff-del\"><del>");
		html_textn(out, d->a, d->alen);
		buf_puts(out, "</del></pre>\n<pre class=\"diff-ins\"><ins>");
		html_textn(out, d->b, d->blen);
		buf_puts(out, "</ins></pre>\n</div>\n");
		return;
	}
	if (diff_same(d)) {
		note(out, l->identical);
		if (d->eol_differs)
			note(out, l->eol);
		return;
	}
	if (d->eol_differs)
		note(out, l->eol);
	buf_puts(out, "<table class=\"diff\">\n<thead><tr><th scope=\"col\">");
	html_text(out, l->old_col);
	buf_puts(out, "</th><th scope=\"col\">");
	html_text(out, l->new_col);
	buf_puts(out, "</th><th scope=\"col\"></th><th scope=\"col\">");
	html_text(out, l->text_col);
	buf_puts(out, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < d->nhunks; i++) {
		const struct diff_hunk *h = &d->hunks[i];
		if (h->op == DIFF_EQUAL) {
			equal_run(out, d, h, i == 0, i + 1 == d->nhunks, context, l->unchanged);
			continue;
		}
		for (size_t j = 0; j < h->count; j++) {
			if (h->op == DIFF_DELETE)
				row(out, "diff-del", h->a_start + j + 1, 0, "-", "del",
				    &d->la[h->a_start + j]);
			else
				row(out, "diff-ins", 0, h->b_start + j + 1, "+", "ins",
				    &d->lb[h->b_start + j]);
		}
	}
	buf_puts(out, "</tbody>\n</table>\n");
}
