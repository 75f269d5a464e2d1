/* SQL of the "most read" lists (see db_mostread.h). */
#include "db_mostread.h"
#include "arena.h"

/* The public-rows clause of the partial indexes in sql/001_init.sql, as
 * db_public.c writes it (word for word, so SQLite can use them); ?1 is now. */
#define PUBLIC_ROWS                                                                                \
	"a.status IN ('published', 'scheduled') AND a.deleted_at IS NULL AND a.published_at <= ?1"

/* The window's views per article from one range of article_views_daily_by_day
 * (?2..?3 the first and last day), then the articles, filtered and ranked.
 * Summing first keeps the join to one lookup per article, not per bucket.
 * CROSS JOIN keeps that order: left to itself the planner walked the
 * section's every article (125,000 at a million) and probed the sums for
 * each, 440 M instructions for a list of none. */
#define MOST_READ(scope_clause)                                                                    \
	"SELECT a.id, a.category_id, a.published_at, a.pinned, a.title, a.summary, c.slug, "       \
	"c.name, a.updated_at, w.views FROM (SELECT d.article_id, sum(d.views) AS views "          \
	"FROM article_views_daily d WHERE d.day BETWEEN ?2 AND ?3 GROUP BY d.article_id) w "       \
	"CROSS JOIN articles a ON a.id = w.article_id JOIN categories c ON c.id = a.category_id "        \
	"WHERE " scope_clause PUBLIC_ROWS " AND w.views > 0 "                                      \
	"ORDER BY w.views DESC, a.published_at DESC, a.id DESC LIMIT ?5"

long long db_mostread_day(long long t)
{
	/* Floor, not C's truncation: a time before 1970 is in a negative day. */
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

enum db_result db_most_read(struct db *db, enum db_scope scope, long long id, long long now,
                            int days, int limit, struct arena *a, struct db_article **out,
                            size_t *n)
{
	*out = arena_calloc(a, limit > 0 ? (size_t)limit : 1, sizeof **out);
	*n = 0;
	if (days < 1 || days > MOSTREAD_DAYS_MAX || limit < 1 || limit > MOSTREAD_LIMIT_MAX)
		return DB_ERROR;
	sqlite3_stmt *st;
	switch (scope) {
	case DB_SCOPE_SITE:
		st = db_stmt(db, MOST_READ(""));
		break;
	case DB_SCOPE_SECTION:
		st = db_stmt(db, MOST_READ("a.section_id = ?4 AND "));
		break;
	case DB_SCOPE_CATEGORY:
		st = db_stmt(db, MOST_READ("a.category_id = ?4 AND "));
		break;
	default:
		return DB_ERROR;
	}
	if (!st)
		return DB_ERROR;
	long long today = db_mostread_day(now);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, today - days + 1);
	sqlite3_bind_int64(st, 3, today);
	sqlite3_bind_int64(st, 4, id);
	sqlite3_bind_int(st, 5, limit);
	int rc;
	while (*n < (size_t)limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_article *it = &(*out)[(*n)++];
		it->id = sqlite3_column_int64(st, 0);
		it->category_id = sqlite3_column_int64(st, 1);
		it->published_at = sqlite3_column_int64(st, 2);
		it->pinned = sqlite3_column_int(st, 3);
		it->title = arena_strdup(a, db_text(st, 4));
		it->summary = arena_strdup(a, db_text(st, 5));
		it->category_slug = arena_strdup(a, db_text(st, 6));
		it->category_name = arena_strdup(a, db_text(st, 7));
		it->updated_at = sqlite3_column_int64(st, 8);
		it->views = sqlite3_column_int64(st, 9);
		it->source = it->author = it->body_html = "";
	}
	if (*n == (size_t)limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}
