/* N-grams for the short-query index, and the SQL function that builds them. */
#include "search.h"
#include "arena.h"
#include "html.h"
#include "valid.h"

#include <stdlib.h>
#include <string.h>

static unsigned decode(const unsigned char *s, size_t k)
{
	switch (k) {
	case 1: return s[0];
	case 2: return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
	case 3: return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
	default:
		return ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
		       (s[3] & 0x3Fu);
	}
}

int search_is_cjk(const char *s, size_t n)
{
	size_t k = valid_utf8_char(s, n);
	if (k < 3)
		return 0;
	unsigned cp = decode((const unsigned char *)s, k);
	return (cp >= 0x3040 && cp <= 0x30FF) ||   /* hiragana, katakana */
	       (cp >= 0x3400 && cp <= 0x4DBF) ||   /* CJK extension A */
	       (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* CJK unified ideographs */
	       (cp >= 0xAC00 && cp <= 0xD7AF) ||   /* hangul syllables */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility ideographs */
	       (cp >= 0x20000 && cp <= 0x2FFFF);   /* extensions B and later */
}

void search_ngrams(const char *s, size_t len, struct buf *out)
{
	size_t i = 0;
	const char *prev = NULL; /* the CJK character before this one in the run */
	size_t prevlen = 0;
	while (i < len) {
		size_t k = valid_utf8_char(s + i, len - i);
		if (!k) { /* not UTF-8: skip the byte rather than index garbage */
			i++;
			prev = NULL;
			continue;
		}
		if (search_is_cjk(s + i, len - i)) {
			buf_putc(out, ' ');
			if (prev) {
				buf_put(out, prev, prevlen);
				buf_put(out, s + i, k);
				buf_putc(out, ' ');
			}
			buf_put(out, s + i, k);
			buf_putc(out, ' ');
			prev = s + i;
			prevlen = k;
		} else {
			buf_put(out, s + i, k);
			prev = NULL;
		}
		i += k;
	}
}

static void sql_ngrams(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	if (!text) {
		sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
		return;
	}
	struct buf out = BUF_INIT;
	search_ngrams(text, (size_t)n, &out);
	if (!out.data) /* nothing was written: no buffer to hand over */
		sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
	else
		sqlite3_result_text(ctx, out.data, (int)out.len, free);
}

/* The table-wide figures gazette_rank needs, read once per query. */
struct rank_data {
	double avgdl; /* average tokens per row, all columns */
	int nphrase;
};

static struct rank_data *rank_data(const Fts5ExtensionApi *api, Fts5Context *fts, int *rc)
{
	struct rank_data *d = api->xGetAuxdata(fts, 0);
	if (d)
		return d;
	sqlite3_int64 rows = 0, tokens = 0;
	*rc = api->xRowCount(fts, &rows);
	if (*rc == SQLITE_OK)
		*rc = api->xColumnTotalSize(fts, -1, &tokens);
	if (*rc != SQLITE_OK)
		return NULL;
	d = sqlite3_malloc(sizeof *d);
	if (!d) {
		*rc = SQLITE_NOMEM;
		return NULL;
	}
	d->avgdl = rows > 0 ? (double)tokens / (double)rows : 1.0;
	if (d->avgdl <= 0)
		d->avgdl = 1.0;
	d->nphrase = api->xPhraseCount(fts);
	*rc = api->xSetAuxdata(fts, d, sqlite3_free);
	return *rc == SQLITE_OK ? d : NULL;
}

/* gazette_rank(table, weight of column 0, weight of column 1, ...): the
 * Okapi BM25 sum of FTS5's bm25() (k1 1.2, b 0.75) with IDF 1, negated. */
static void sql_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		     int nval, sqlite3_value **val)
{
	const double k1 = 1.2, b = 0.75;
	int rc = SQLITE_OK;
	struct rank_data *d = rank_data(api, fts, &rc);
	if (!d) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	int ninst = 0;
	rc = api->xInstCount(fts, &ninst);
	double freq[SEARCH_MAX_TERMS * 4] = {0};
	for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
		int phrase, col, off;
		rc = api->xInst(fts, i, &phrase, &col, &off);
		if (rc != SQLITE_OK || phrase < 0 || phrase >= (int)(sizeof freq / sizeof *freq))
			continue;
		freq[phrase] += col < nval ? sqlite3_value_double(val[col]) : 1.0;
	}
	int dl = 0;
	if (rc == SQLITE_OK)
		rc = api->xColumnSize(fts, -1, &dl);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	double norm = k1 * (1 - b + b * (double)dl / d->avgdl), score = 0;
	for (int p = 0; p < d->nphrase && p < (int)(sizeof freq / sizeof *freq); p++)
		score += freq[p] * (k1 + 1) / (freq[p] + norm);
	sqlite3_result_double(ctx, -score);
}

int search_register(sqlite3 *h)
{
	int rc = sqlite3_create_function(h, "gazette_ngrams", 1,
					 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					 NULL, sql_ngrams, NULL, NULL);
	if (rc != SQLITE_OK)
		return rc;
	fts5_api *fts = db_fts5_api(h);
	if (!fts)
		return SQLITE_ERROR;
	return fts->xCreateFunction(fts, "gazette_rank", NULL, sql_rank, NULL);
}

/* Appends term as one FTS5 string: its n-gram form, double quotes doubled. */
static void fts_phrase(struct buf *expr, const char *term)
{
	struct buf grams = BUF_INIT;
	size_t len = strlen(term), k = valid_utf8_char(term, len);
	/* Two CJK characters: their bigram token alone. It is indexed exactly
	 * where the phrase "X XY Y" would match, and one doclist is cheaper
	 * than three with positions compared. */
	if (k && k < len && search_is_cjk(term, len) && search_is_cjk(term + k, len - k) &&
	    k + valid_utf8_char(term + k, len - k) == len)
		buf_puts(&grams, term);
	else
		search_ngrams(term, len, &grams);
	if (expr->len)
		buf_puts(expr, " AND ");
	buf_putc(expr, '"');
	for (const char *p = buf_cstr(&grams); *p; p++) {
		if (*p == '"')
			buf_putc(expr, '"');
		buf_putc(expr, *p);
	}
	buf_putc(expr, '"');
	buf_free(&grams);
}

/* Length of the white space at s: ASCII blanks or the ideographic space. */
static size_t space_len(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		return 1;
	if (!strncmp(s, "\xE3\x80\x80", 3))
		return 3;
	return 0;
}

size_t search_parse(struct arena *a, const char *q, struct search_query *out)
{
	memset(out, 0, sizeof *out);
	struct buf lng = BUF_INIT, shrt = BUF_INIT;
	const char *p = q;
	while (*p && out->nterms < SEARCH_MAX_TERMS) {
		size_t sp;
		while ((sp = space_len(p)))
			p += sp;
		if (!*p)
			break;
		const char *start = p;
		while (*p && !space_len(p))
			p++;
		char *term = arena_strndup(a, start, (size_t)(p - start));
		out->terms[out->nterms++] = term;
		/* The trigram index needs three characters; shorter terms go to
		 * the n-gram index. The trigram side gets the term as typed. */
		if (valid_utf8_len(term) >= 3) {
			if (lng.len)
				buf_puts(&lng, " AND ");
			buf_putc(&lng, '"');
			for (const char *c = term; *c; c++) {
				if (*c == '"')
					buf_putc(&lng, '"');
				buf_putc(&lng, *c);
			}
			buf_putc(&lng, '"');
		} else {
			fts_phrase(&shrt, term);
		}
	}
	out->long_expr = lng.len ? arena_strdup(a, lng.data) : NULL;
	out->short_expr = shrt.len ? arena_strdup(a, shrt.data) : NULL;
	buf_free(&lng);
	buf_free(&shrt);
	return out->nterms;
}

/* Does term match text at p (ASCII letters in any case)? */
static size_t match_at(const char *p, const char *term)
{
	size_t n = strlen(term);
	for (size_t i = 0; i < n; i++) {
		char x = p[i], y = term[i];
		if (!x)
			return 0;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return n;
}

/* Markdown to rough plain text: images dropped, markup characters and
 * link targets removed, runs of white space folded. */
static char *plain_text(struct arena *a, const char *md)
{
	size_t n = strlen(md);
	char *out = arena_alloc(a, n + 1);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		char c = md[i];
		if (c == '!' && md[i + 1] == '[') { /* ![alt](url): skip it all */
			const char *close = strchr(md + i, ')');
			if (close) {
				i = (size_t)(close - md);
				continue;
			}
		}
		if (c == ']' && md[i + 1] == '(') { /* [text](url): keep the text */
			const char *close = strchr(md + i, ')');
			if (close) {
				i = (size_t)(close - md);
				continue;
			}
		}
		if (strchr("*_#>`[]|~", c))
			continue;
		if (c == '\n' || c == '\t' || c == '\r')
			c = ' ';
		if (c == ' ' && (j == 0 || out[j - 1] == ' '))
			continue;
		out[j++] = c;
	}
	out[j] = '\0';
	return out;
}

/* Steps back from p by up to k characters, not before start. */
static const char *back_chars(const char *start, const char *p, size_t k)
{
	while (p > start && k > 0) {
		p--;
		while (p > start && ((unsigned char)*p & 0xC0) == 0x80)
			p--;
		k--;
	}
	return p;
}

const char *search_snippet(struct arena *a, const char *markdown, const struct search_query *q,
			   size_t width)
{
	const char *text = plain_text(a, markdown);
	const char *first = NULL;
	for (const char *p = text; *p && !first; p++)
		for (size_t t = 0; t < q->nterms && !first; t++)
			if (match_at(p, q->terms[t]))
				first = p;
	const char *from = first ? back_chars(text, first, width / 4) : text;
	/* Walk width characters from there, escaping and marking matches. */
	struct buf out = BUF_INIT;
	if (from > text)
		buf_puts(&out, "…");
	size_t chars = 0;
	const char *p = from, *end = text + strlen(text);
	while (*p && chars < width) {
		size_t m = 0;
		for (size_t t = 0; t < q->nterms && !m; t++)
			m = match_at(p, q->terms[t]);
		if (m) {
			buf_puts(&out, "<mark>");
			html_textn(&out, p, m);
			buf_puts(&out, "</mark>");
			chars += valid_utf8_len(arena_strndup(a, p, m));
			p += m;
			continue;
		}
		size_t k = valid_utf8_char(p, (size_t)(end - p));
		if (!k)
			k = 1;
		html_textn(&out, p, k);
		p += k;
		chars++;
	}
	if (*p)
		buf_puts(&out, "…");
	const char *s = arena_strdup(a, buf_cstr(&out));
	buf_free(&out);
	return s;
}
