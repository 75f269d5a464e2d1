/* SQL of article revisions: reading them and keeping their number bounded. */
#include "db_revision.h"
#include "arena.h"
#include "valid.h"

#include <string.h>

#define REVISION_COLUMNS                                                                           \
	"SELECT r.id, r.article_id, r.category_id, r.published_at, r.pinned, r.created_at, "       \
	"coalesce(u.username, ''), r.title, r.status, r.summary, r.body_md, r.source, "            \
	"r.author FROM revisions r LEFT JOIN users u ON u.id = r.created_by "

static void read_row(sqlite3_stmt *st, struct arena *a, struct db_revision *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	o->article_id = sqlite3_column_int64(st, 1);
	o->category_id = sqlite3_column_int64(st, 2);
	o->has_published_at = sqlite3_column_type(st, 3) != SQLITE_NULL;
	o->published_at = sqlite3_column_int64(st, 3);
	o->pinned = sqlite3_column_int(st, 4);
	o->created_at = sqlite3_column_int64(st, 5);
	o->username = arena_strdup(a, db_text(st, 6));
	o->title = arena_strdup(a, db_text(st, 7));
	o->status = arena_strdup(a, db_text(st, 8));
	o->summary = arena_strdup(a, db_text(st, 9));
	o->body_md = arena_strdup(a, db_text(st, 10));
	o->source = arena_strdup(a, db_text(st, 11));
	o->author = arena_strdup(a, db_text(st, 12));
}

enum db_result db_revision_list(struct db *db, long long article_id, int limit, long long offset,
                                struct arena *a, struct db_revision **out, size_t *n,
                                long long *total)
{
	*out = arena_calloc(a, limit > 0 ? (size_t)limit : 1, sizeof **out);
	*n = 0;
	*total = 0;
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM revisions WHERE article_id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, article_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, rc);
	/* The list leaves out the long columns: a page of 50 revisions of a
	 * long article would otherwise copy megabytes it never shows. */
	st = db_stmt(db, "SELECT r.id, r.article_id, r.category_id, r.published_at, r.pinned, "
	                 "r.created_at, coalesce(u.username, ''), r.title, r.status "
	                 "FROM revisions r LEFT JOIN users u ON u.id = r.created_by "
	                 "WHERE r.article_id = ?1 ORDER BY r.id DESC LIMIT ?2 OFFSET ?3");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	while (*n < (size_t)(limit > 0 ? limit : 0) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_revision *o = &(*out)[(*n)++];
		o->id = sqlite3_column_int64(st, 0);
		o->article_id = sqlite3_column_int64(st, 1);
		o->category_id = sqlite3_column_int64(st, 2);
		o->has_published_at = sqlite3_column_type(st, 3) != SQLITE_NULL;
		o->published_at = sqlite3_column_int64(st, 3);
		o->pinned = sqlite3_column_int(st, 4);
		o->created_at = sqlite3_column_int64(st, 5);
		o->username = arena_strdup(a, db_text(st, 6));
		o->title = arena_strdup(a, db_text(st, 7));
		o->status = arena_strdup(a, db_text(st, 8));
		o->summary = o->body_md = o->source = o->author = "";
	}
	if (*n == (size_t)(limit > 0 ? limit : 0))
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}

enum db_result db_revision_get(struct db *db, long long id, struct arena *a,
                               struct db_revision *out)
{
	sqlite3_stmt *st = db_stmt(db, REVISION_COLUMNS "WHERE r.id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, a, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}

/* The first second of the oldest day whose last revision is still kept. */
static long long daily_cutoff(long long now)
{
	return (now / 86400 - (REVISION_DAYS - 1)) * 86400;
}

enum db_result db_revision_keep(struct db *db, int *keep)
{
	*keep = REVISION_KEEP_DEFAULT;
	sqlite3_stmt *st = db_stmt(db, "SELECT value FROM settings WHERE key = 'revisions_keep'");
	if (!st)
		return DB_ERROR;
	int rc = sqlite3_step(st);
	long long v;
	/* settings_check allowed only 1..1000 in; a hand-edited row that is
	 * anything else must not turn into "keep nothing". */
	if (rc == SQLITE_ROW && valid_int(db_text(st, 0), 1, 1000, &v))
		*keep = (int)v;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}

enum db_result db_revision_prune(struct db *db, long long article_id, int keep, long long now)
{
	enum db_result r = keep > 0 ? DB_OK : db_revision_keep(db, &keep);
	if (r != DB_OK)
		return r;
	/* Both subqueries read the article's range of revisions_by_article,
	 * which the rule bounds to keep + REVISION_DAYS rows plus this save. */
	sqlite3_stmt *st =
	    db_stmt(db, "DELETE FROM revisions WHERE article_id = ?1 "
	                "AND id NOT IN (SELECT id FROM revisions WHERE article_id = ?1 "
	                "ORDER BY id DESC LIMIT ?2) "
	                "AND id NOT IN (SELECT max(id) FROM revisions WHERE article_id = ?1 "
	                "AND created_at >= ?3 GROUP BY created_at / 86400)");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int(st, 2, keep);
	sqlite3_bind_int64(st, 3, daily_cutoff(now));
	return db_run(db, st);
}

enum db_result db_revision_stats(struct db *db, int keep, long long now, long long *total,
                                 long long *articles, struct db_revision_count *top, size_t ntop,
                                 size_t *ntopped, struct db_revision_count *over, size_t nover,
                                 size_t *novered, long long *over_total)
{
	*total = *articles = *over_total = 0;
	*ntopped = *novered = 0;
	enum db_result r = keep > 0 ? DB_OK : db_revision_keep(db, &keep);
	if (r != DB_OK)
		return r;
	/* Per article: its count, and how many of its revisions are neither
	 * among its newest keep nor the last of a day inside the window (the
	 * ones db_revision_prune would delete). */
	sqlite3_stmt *st =
	    db_stmt(db, "SELECT article_id, count(*), "
	                "sum(NOT (rn <= ?1 OR (dn = 1 AND created_at >= ?2))) FROM ("
	                "SELECT article_id, created_at, "
	                "row_number() OVER (PARTITION BY article_id ORDER BY id DESC) AS rn, "
	                "row_number() OVER (PARTITION BY article_id, created_at / 86400 "
	                "ORDER BY id DESC) AS dn FROM revisions) "
	                "GROUP BY article_id ORDER BY count(*) DESC, article_id");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int(st, 1, keep);
	sqlite3_bind_int64(st, 2, daily_cutoff(now));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_revision_count c = {sqlite3_column_int64(st, 0),
		                              sqlite3_column_int64(st, 1),
		                              sqlite3_column_int64(st, 2)};
		*total += c.count;
		(*articles)++;
		if (*ntopped < ntop)
			top[(*ntopped)++] = c;
		if (c.excess > 0) {
			(*over_total)++;
			if (*novered < nover)
				over[(*novered)++] = c;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}
