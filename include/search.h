/*
 * Full-text search helpers. Articles are indexed twice (sql/001_init.sql):
 * articles_fts with the trigram tokenizer (any substring of three or more
 * characters, case-insensitive) and articles_short_fts, whose text is
 * search_ngrams() of the article: every CJK character alone and every pair
 * of neighbouring CJK characters as its own token, other text as words. One-
 * and two-character queries (中文, AI) use the second, so no query scans the
 * site row by row.
 */
#ifndef GAZETTE_SEARCH_H
#define GAZETTE_SEARCH_H

#include "buf.h"

#include <sqlite3.h>
#include <stddef.h>

/* Appends to out the text of s with each run of CJK characters replaced by
 * its unigrams and bigrams separated by spaces ("新闻网" → " 新 新闻 闻 闻网 网 ").
 * s must be valid UTF-8. */
void search_ngrams(const char *s, size_t len, struct buf *out);

/* Registers on a connection the SQL function gazette_ngrams(text) that the
 * index triggers call, and the FTS5 ranking function gazette_rank(table,
 * title weight, body weight): bm25 with every term's IDF taken as 1, lower
 * is better. FTS5's bm25() counts every match of every term in the whole
 * index to weigh terms; gazette_rank reads only the row it scores, so a
 * search ranking its newest matches costs the same however many articles
 * match. Returns an SQLite code. */
int search_register(sqlite3 *h);

/* The FTS5 API of connection h (src/db_fts5.c), NULL without FTS5. */
fts5_api *db_fts5_api(sqlite3 *h);

/* True when the UTF-8 character starting at s is a CJK ideograph, kana or
 * hangul (characters written without spaces between words). */
int search_is_cjk(const char *s, size_t n);

struct arena;

enum { SEARCH_MAX_CHARS = 100, SEARCH_MAX_TERMS = 8 };

/* A visitor's query split into FTS5 expressions, terms quoted so that no
 * query syntax of the visitor's reaches FTS5. */
struct search_query {
	const char *terms[SEARCH_MAX_TERMS]; /* the words as typed, for highlighting */
	size_t nterms;
	const char *long_expr;  /* terms of 3+ characters, for the trigram index, or NULL */
	const char *short_expr; /* terms of 1-2 characters, for the n-gram index, or NULL */
};

/* Splits q at white space (ASCII and U+3000) into q->terms and builds the
 * expressions. Returns the number of terms (0 for a blank query). Extra
 * terms past SEARCH_MAX_TERMS are ignored. */
size_t search_parse(struct arena *a, const char *q, struct search_query *out);

/*
 * A plain-text excerpt of Markdown text around the first match of any term,
 * about width characters, as HTML: escaped, with every match wrapped in
 * <mark>. ASCII letters match in any case.
 */
const char *search_snippet(struct arena *a, const char *markdown,
			   const struct search_query *q, size_t width);

#endif
