/* Read queries of the public site. */
#include "db_public.h"
#include "arena.h"
#include "log.h"
#include "search.h"

#include <stdlib.h>
#include <string.h>

static const char *col_dup(struct arena *a, sqlite3_stmt *st, int col)
{
	return arena_strdup(a, db_text(st, col));
}

enum db_result db_ping(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1");
	if (!st)
		return DB_ERROR;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : db_fail(db, rc);
}

enum db_result db_settings_each(struct db *db, void (*fn)(const char *, const char *, void *),
				void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT key, value FROM settings ORDER BY key");
	if (!st)
		return DB_ERROR;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(db_text(st, 0), db_text(st, 1), ctx);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}

enum db_result db_categories_all(struct db *db, struct arena *a, struct db_category **out,
				 size_t *n)
{
	/* Parents first (a top category sorts by its own position, a child by
	 * its parent's and then its own), so one pass can build the tree. */
	sqlite3_stmt *st = db_stmt(db,
		"SELECT c.id, coalesce(c.parent_id, 0), c.slug, c.name, c.position "
		"FROM categories c LEFT JOIN categories p ON p.id = c.parent_id "
		"ORDER BY coalesce(p.position, c.position), coalesce(p.id, c.id), "
		"c.parent_id IS NOT NULL, c.position, c.id");
	if (!st)
		return DB_ERROR;
	size_t cap = 16, count = 0;
	struct db_category *items = arena_alloc(a, cap * sizeof *items);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			struct db_category *bigger = arena_alloc(a, 2 * cap * sizeof *items);
			memcpy(bigger, items, cap * sizeof *items);
			items = bigger;
			cap *= 2;
		}
		struct db_category *c = &items[count++];
		c->id = sqlite3_column_int64(st, 0);
		c->parent_id = sqlite3_column_int64(st, 1);
		c->slug = col_dup(a, st, 2);
		c->name = col_dup(a, st, 3);
		c->position = sqlite3_column_int(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, rc);
	*out = items;
	*n = count;
	return DB_OK;
}

/* The WHERE clause of the partial indexes in sql/001_init.sql, repeated word
 * for word so that SQLite uses them; ?1 is "now". */
#define PUBLIC_ROWS                                                                        \
	"a.status IN ('published', 'scheduled') AND a.deleted_at IS NULL AND a.published_at <= ?1"

enum db_result db_article_public(struct db *db, long long id, long long now, struct arena *a,
				 struct db_article *out)
{
	sqlite3_stmt *st = db_stmt(db,
		"SELECT a.id, a.category_id, a.published_at, a.updated_at, "
		"coalesce(v.views, 0), a.pinned, a.title, a.summary, a.body_html, a.source, "
		"a.author FROM articles a LEFT JOIN article_views v ON v.article_id = a.id "
		"WHERE a.id = ?2 AND " PUBLIC_ROWS);
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
	}
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	out->category_id = sqlite3_column_int64(st, 1);
	out->published_at = sqlite3_column_int64(st, 2);
	out->updated_at = sqlite3_column_int64(st, 3);
	out->views = sqlite3_column_int64(st, 4);
	out->pinned = sqlite3_column_int(st, 5);
	out->title = col_dup(a, st, 6);
	out->summary = col_dup(a, st, 7);
	out->body_html = col_dup(a, st, 8);
	out->source = col_dup(a, st, 9);
	out->author = col_dup(a, st, 10);
	out->category_slug = out->category_name = ""; /* the caller's site data has them */
	sqlite3_reset(st);
	return DB_OK;
}

static enum db_result one_link(struct db *db, sqlite3_stmt *st, const struct db_article *art,
			       long long now, struct arena *a, struct db_link *out)
{
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, art->category_id);
	sqlite3_bind_int64(st, 3, art->published_at);
	sqlite3_bind_int64(st, 4, art->id);
	int rc = sqlite3_step(st);
	out->id = 0;
	out->title = "";
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->title = col_dup(a, st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}

enum db_result db_article_neighbors(struct db *db, const struct db_article *art, long long now,
				    struct arena *a, struct db_link *newer, struct db_link *older)
{
	enum db_result r = one_link(db, db_stmt(db,
		"SELECT a.id, a.title FROM articles a "
		"WHERE a.category_id = ?2 AND (a.published_at, a.id) > (?3, ?4) AND " PUBLIC_ROWS
		" ORDER BY a.published_at, a.id LIMIT 1"), art, now, a, newer);
	if (r != DB_OK)
		return r;
	return one_link(db, db_stmt(db,
		"SELECT a.id, a.title FROM articles a "
		"WHERE a.category_id = ?2 AND (a.published_at, a.id) < (?3, ?4) AND " PUBLIC_ROWS
		" ORDER BY a.published_at DESC, a.id DESC LIMIT 1"), art, now, a, older);
}

#define NEWEST_FIRST " ORDER BY a.published_at DESC, a.id DESC"
#define PINNED_FIRST " ORDER BY a.pinned DESC, a.published_at DESC, a.id DESC"
/*
 * One page of a list, read along the named index, whose order is the
 * list's: no sort, and OFFSET (at most a day's rows deep, list_days) walks
 * the index. The page's ids used to come first from a subquery, in an IN
 * list; that list was a temporary b-tree per list, a third of a home page's
 * instructions (1.59 M -> 1.01 M; a category page 491 k -> 364 k).
 */
#define LIST_PAGE(index, where, order) LIST_SELECT(LIST_FULL, index, where, order)
#define LIST_SELECT(cols, index, where, order)                                             \
	"SELECT a.id, a.category_id, a.published_at, " cols " FROM articles a INDEXED BY "    \
	index " JOIN categories c ON c.id = a.category_id WHERE " where " AND " PUBLIC_ROWS    \
	order " LIMIT ?3 OFFSET ?4"
#define LIST_FULL "a.pinned, a.title, a.summary, c.slug, c.name, a.updated_at"
/* What the pages' lists show, all in the list indexes (sql/014): the table
 * rows are not read. Same columns: pinned 0, summary '', updated_at the
 * publication time. */
#define LIST_TITLES "0, a.title, '', c.slug, c.name, a.published_at"
/*
 * How many articles a list holds now: the count the triggers keep
 * (list_counts, 008_list_counts.sql) less the scheduled ones whose time has
 * not come, which sit at the front of the same index. One row read and a
 * short range, however large the list.
 */
#define LIST_COUNT(index, kind, id, where)                                                 \
	"SELECT coalesce((SELECT n FROM list_counts WHERE kind = '" kind "' AND id = " id      \
	"), 0) - (SELECT count(*) FROM articles a INDEXED BY " index " WHERE " where          \
	" AND a.status IN ('published', 'scheduled') AND a.deleted_at IS NULL "                \
	"AND a.published_at > ?1)"

/*
 * Where a deep page starts: the day of list_days (011_list_days.sql) that
 * holds the page's first row, found in one descent of list_days_seek, and
 * how many rows of that day and the days after it lie before the row (?4:
 * the offset). Counted from the oldest, the row is the Pth, P = the list's
 * rows - 1 - offset - the scheduled rows whose time has not come (they head
 * the list but are not shown, and list_days counts them). No row when the
 * offset is past the end. P is written twice, not computed once in a
 * MATERIALIZED CTE: each copy runs once anyway, and the CTE's temporary
 * table cost more than the copy's two index probes.
 */
#define LIST_POS(index, kind, id, where)                                                   \
	"((SELECT older + n FROM list_days WHERE kind = '" kind "' AND id = " id                \
	" ORDER BY day DESC LIMIT 1) - 1 - ?4 - (SELECT count(*) FROM articles a INDEXED BY "  \
	index " WHERE " where " AND a.status IN ('published', 'scheduled') "                    \
	"AND a.deleted_at IS NULL AND a.published_at > ?1))"
#define LIST_SEEK(index, kind, id, where)                                                  \
	"SELECT day, older + n - 1 - " LIST_POS(index, kind, id, where) " FROM list_days "     \
	"INDEXED BY list_days_seek WHERE kind = '" kind "' AND id = " id " AND older <= "      \
	LIST_POS(index, kind, id, where) " ORDER BY older DESC LIMIT 1"

enum list_stmt { LIST_ROWS, LIST_TITLES_ROWS, LIST_TOTAL, LIST_START };

/* The statement for a scope's rows, count or the start of a deep page. ?2, the category, is bound for every scope and
 * unused by some. INDEXED BY: left to itself the planner took
 * articles_by_status (the editors' index) for the site-wide lists and sorted
 * the whole site for ten rows. The pinned list has no numbered pages and
 * no list_days: NULL for its LIST_START. */
static sqlite3_stmt *scope_stmt(struct db *db, enum db_scope scope, enum list_stmt which)
{
#define SCOPE(index, kind, id, where, order)                                               \
	switch (which) {                                                                   \
	case LIST_ROWS:                                                                    \
		return db_stmt(db, LIST_PAGE(index, where, order));                        \
	case LIST_TITLES_ROWS:                                                             \
		return db_stmt(db, LIST_SELECT(LIST_TITLES, index, where, order));         \
	case LIST_TOTAL:                                                                   \
		return db_stmt(db, LIST_COUNT(index, kind, id, where));                    \
	case LIST_START:                                                                   \
		return db_stmt(db, LIST_SEEK(index, kind, id, where));                     \
	}                                                                                  \
	break
	switch (scope) {
	case DB_SCOPE_SITE:
		SCOPE("articles_public_by_time", "site", "0", "1", NEWEST_FIRST);
	case DB_SCOPE_PINNED:
		if (which == LIST_ROWS)
			return db_stmt(db, LIST_PAGE("articles_public_pinned", "a.pinned = 1",
						     PINNED_FIRST));
		if (which == LIST_TITLES_ROWS)
			return db_stmt(db, LIST_SELECT(LIST_TITLES, "articles_public_pinned",
						       "a.pinned = 1", PINNED_FIRST));
		if (which == LIST_TOTAL)
			return db_stmt(db, LIST_COUNT("articles_public_pinned", "pinned", "0",
						      "a.pinned = 1"));
		break;
	case DB_SCOPE_SECTION:
		SCOPE("articles_public_by_section", "section", "?2", "a.section_id = ?2",
		      NEWEST_FIRST);
	case DB_SCOPE_CATEGORY:
		SCOPE("articles_public_by_category", "category", "?2", "a.category_id = ?2",
		      NEWEST_FIRST);
	}
#undef SCOPE
	return NULL;
}

/* The first published_at after UTC day `day` as list_days numbers days
 * (published_at / 86400, which SQLite truncates toward zero). */
static long long day_end(long long day)
{
	return day >= 0 ? (day + 1) * 86400 : day * 86400 + 1;
}

/*
 * Turns a deep page (offset > 0 of a scope with list_days) into one that
 * skips at most a day of rows: *before gets the end of the day holding the
 * page's first row (never 0) and *offset the rows of that day to skip;
 * *before stays 0 when the plain OFFSET is as short (the day reaches past
 * now, so the rows before the page are all in it). *empty: the offset is
 * past the end.
 */
static enum db_result seek_start(struct db *db, sqlite3_stmt *st, long long id, long long now,
				 long long *offset, long long *before, bool *empty)
{
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 4, *offset);
	int rc = sqlite3_step(st);
	*before = 0;
	*empty = rc == SQLITE_DONE;
	if (rc == SQLITE_ROW) {
		long long end = day_end(sqlite3_column_int64(st, 0));
		if (end <= now + 1) {
			*before = end;
			*offset = sqlite3_column_int64(st, 1);
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}

enum db_result db_articles_list(struct db *db, enum db_scope scope, enum db_list_cols cols,
				long long id, long long now, int limit, long long offset,
				struct arena *a, struct db_article **out, size_t *n)
{
	if (limit < 0)
		return DB_ERROR;
	struct db_article *items = arena_calloc(a, limit ? (size_t)limit : 1, sizeof *items);
	*out = items;
	*n = 0;
	long long before = 0;
	if (offset > 0 && scope != DB_SCOPE_PINNED) {
		sqlite3_stmt *seek = scope_stmt(db, scope, LIST_START);
		if (!seek)
			return DB_ERROR;
		bool empty;
		enum db_result r = seek_start(db, seek, id, now, &offset, &before, &empty);
		if (r != DB_OK || empty)
			return r;
	}
	sqlite3_stmt *st =
	    scope_stmt(db, scope, cols == DB_LIST_TITLES ? LIST_TITLES_ROWS : LIST_ROWS);
	if (!st)
		return DB_ERROR;
	/* A page that starts in a known day reads the list up to that day's
	 * end: the same "published_at <= ?1" bounds the index walk, so OFFSET
	 * skips only that day's rows. (A second upper bound in its own term
	 * was only a filter: SQLite seeks by one, and took "now", walking every
	 * newer row.) */
	sqlite3_bind_int64(st, 1, before ? before - 1 : now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	size_t count = 0;
	int rc;
	while (count < (size_t)limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_article *it = &items[count++];
		it->id = sqlite3_column_int64(st, 0);
		it->category_id = sqlite3_column_int64(st, 1);
		it->published_at = sqlite3_column_int64(st, 2);
		it->pinned = sqlite3_column_int(st, 3);
		it->title = col_dup(a, st, 4);
		it->summary = col_dup(a, st, 5);
		it->category_slug = col_dup(a, st, 6);
		it->category_name = col_dup(a, st, 7);
		it->updated_at = sqlite3_column_int64(st, 8);
		it->source = it->author = it->body_html = "";
	}
	if (count == (size_t)limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, rc);
	*n = count;
	return DB_OK;
}

enum db_result db_articles_count(struct db *db, enum db_scope scope, long long id, long long now,
				 long long *count)
{
	sqlite3_stmt *st = scope_stmt(db, scope, LIST_TOTAL);
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	*count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : db_fail(db, rc);
}

/* Search statements: ?2 trigram expression, ?5 n-gram expression. Which one
 * runs depends on which kinds of terms the query has; each ranks with the
 * index it searches. They walk the matches newest first (FTS5 reads a
 * doclist in rowid order, so this stops after ?3 rows however many match)
 * and score each with gazette_rank (src/search.c), not bm25(), which would
 * count every match of every term in the whole index; the short index is
 * asked about each candidate row (rowid =), not for all its matches as a
 * set. Publicness comes from articles_public_ids (sql/009_search_public_ids
 * .sql), never from the table rows, whose bodies lie in front of the
 * columns checked. */
#define PUBLIC_IDS "JOIN articles a INDEXED BY articles_public_ids ON a.id = "
static const char *const search_sql[3] = {
	/* long terms only */
	"SELECT f.rowid, gazette_rank(articles_fts, 10.0, 1.0), a.published_at "
	"FROM articles_fts f " PUBLIC_IDS "f.rowid "
	"WHERE articles_fts MATCH ?2 AND " PUBLIC_ROWS " ORDER BY f.rowid DESC LIMIT ?3",
	/* short terms only */
	"SELECT s.rowid, gazette_rank(articles_short_fts, 10.0, 1.0), a.published_at "
	"FROM articles_short_fts s " PUBLIC_IDS "s.rowid "
	"WHERE articles_short_fts MATCH ?5 AND " PUBLIC_ROWS " ORDER BY s.rowid DESC LIMIT ?3",
	/* both */
	"SELECT f.rowid, gazette_rank(articles_fts, 10.0, 1.0), a.published_at "
	"FROM articles_fts f " PUBLIC_IDS "f.rowid "
	"WHERE articles_fts MATCH ?2 AND EXISTS (SELECT 1 FROM articles_short_fts s "
	"WHERE articles_short_fts MATCH ?5 AND s.rowid = f.rowid) AND " PUBLIC_ROWS
	" ORDER BY f.rowid DESC LIMIT ?3",
};

/* How many of the newest matches a search ranks: GAZETTE_SEARCH_RANK_MAX
 * lowers it so that tests reach the bound with a handful of articles. */
static long long rank_max(void)
{
	static long long max;
	if (!max) {
		const char *v = getenv("GAZETTE_SEARCH_RANK_MAX");
		long long n = v ? strtoll(v, NULL, 10) : 0;
		max = n >= 1 && n <= 100000 ? n : DB_SEARCH_RANK_MAX;
	}
	return max;
}

struct scored {
	long long id, published_at;
	double score;
};

/* Does x rank after y? Lower score first, then newer, then the higher id. */
static bool ranks_after(const struct scored *x, const struct scored *y)
{
	if (x->score != y->score)
		return x->score > y->score;
	if (x->published_at != y->published_at)
		return x->published_at < y->published_at;
	return x->id < y->id;
}

static void sift_down(struct scored *v, size_t i, size_t n)
{
	for (size_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && ranks_after(&v[c + 1], &v[c]))
			c++;
		if (!ranks_after(&v[c], &v[i]))
			return;
		struct scored t = v[i];
		v[i] = v[c];
		v[c] = t;
	}
}

/* Sorts v best first. A heapsort of our own: glibc's qsort() asks the
 * kernel how much memory the machine has, a system call the workers'
 * sandbox forbids (src/sandbox.c). */
static void sort_scored(struct scored *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end > 1; end--) {
		struct scored t = v[0];
		v[0] = v[end - 1];
		v[end - 1] = t;
		sift_down(v, 0, end - 1);
	}
}

enum db_result db_search(struct db *db, const struct search_query *q, long long now, int limit,
			 long long offset, struct arena *a, struct db_hit **out, size_t *n,
			 long long *total, bool *total_is_lower_bound)
{
	*n = 0;
	*total = 0;
	*total_is_lower_bound = false;
	*out = arena_calloc(a, limit > 0 ? (size_t)limit : 1, sizeof **out);
	if (!q->long_expr && !q->short_expr)
		return DB_OK;
	/* The newest max + 1 matches, scored in the same pass: their count is
	 * the total (or its lower bound), and the first max are ranked here. */
	long long max = rank_max();
	struct scored *all = arena_calloc(a, (size_t)max, sizeof *all);
	int kind = q->long_expr && q->short_expr ? 2 : q->long_expr ? 0 : 1;
	sqlite3_stmt *st = db_stmt(db, search_sql[kind]);
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	if (q->long_expr)
		sqlite3_bind_text(st, 2, q->long_expr, -1, SQLITE_STATIC);
	if (q->short_expr)
		sqlite3_bind_text(st, 5, q->short_expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, max + 1);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*total == max) {
			*total_is_lower_bound = true;
			rc = SQLITE_DONE;
			break;
		}
		struct scored *s = &all[(*total)++];
		s->id = sqlite3_column_int64(st, 0);
		s->score = sqlite3_column_double(st, 1);
		s->published_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, rc);
	if (offset < 0 || offset >= *total || limit <= 0)
		return DB_OK;
	sort_scored(all, (size_t)*total);

	/* The page's articles, read in full only now. Each statement reads its
	 * own snapshot: one deleted since the ranking is left out. */
	for (long long i = offset; i < *total && i < offset + limit; i++) {
		struct db_hit *h = &(*out)[*n];
		st = db_stmt(db, "SELECT published_at, title, body_md FROM articles WHERE id = ?1");
		if (!st)
			return DB_ERROR;
		sqlite3_bind_int64(st, 1, all[i].id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			h->id = all[i].id;
			h->published_at = sqlite3_column_int64(st, 0);
			h->title = col_dup(a, st, 1);
			h->body_md = col_dup(a, st, 2);
			(*n)++;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(db, rc);
	}
	return DB_OK;
}
