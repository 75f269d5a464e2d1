/* The one write the public site makes: counting a view. */
#include "db_public.h"
#include "log.h"

enum db_result db_article_view(struct db *db, long long id, long long now, long long *views)
{
	/* One statement, so one implicit transaction: the count is committed
	 * (and durable) before the visitor gets the number back. Only public
	 * articles count; an unknown, draft or future id changes nothing. The
	 * same statement adds the view to today's bucket of
	 * article_views_daily (the triggers of sql/005_reads.sql), so inside
	 * the counter's batch transaction too a bucket and its total move
	 * together or not at all. */
	sqlite3_stmt *st = db_stmt(db,
		"INSERT INTO article_views(article_id, views) "
		"SELECT a.id, 1 FROM articles a WHERE a.id = ?2 AND a.status IN ('published', "
		"'scheduled') AND a.deleted_at IS NULL AND a.published_at <= ?1 "
		"ON CONFLICT(article_id) DO UPDATE SET views = views + 1 RETURNING views");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*views = sqlite3_column_int64(st, 0);
	int done = rc == SQLITE_ROW ? sqlite3_step(st) : rc;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW && done == SQLITE_DONE)
		return DB_OK;
	if (rc == SQLITE_DONE)
		return DB_NOTFOUND;
	if (db_is_busy(rc) || db_is_busy(done))
		return DB_BUSY;
	log_error("sqlite: counting a view: %s", sqlite3_errmsg(db->h));
	return DB_ERROR;
}

enum db_result db_view_base(struct db *db, const char *tally, long long id, long long now,
			    struct db_view_base *out)
{
	sqlite3_stmt *st = db_stmt(db,
		"SELECT coalesce((SELECT views FROM article_views WHERE article_id = a.id), 0), "
		"a.created_at, coalesce((SELECT total FROM view_marks WHERE tally = ?3 AND "
		"article_id = a.id), 0) FROM articles a WHERE a.id = ?2 AND a.status IN "
		"('published', 'scheduled') AND a.deleted_at IS NULL AND a.published_at <= ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, tally, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->views = sqlite3_column_int64(st, 0);
		out->born = sqlite3_column_int64(st, 1);
		out->mark = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}

enum db_result db_view_add(struct db *db, const char *tally, long long id, long long born,
			   long long total)
{
	/* How many this tally added before: only the rest is added now, so
	 * writing the same total twice adds nothing. */
	sqlite3_stmt *st = db_stmt(db, "SELECT total FROM view_marks WHERE tally = ?1 AND "
				       "article_id = ?2");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, tally, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	long long mark = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc);
	if (total <= mark)
		return DB_OK;
	/* The article must still be the one counted (an id reused after a
	 * hard delete is another); if it is gone, so are its views. */
	st = db_stmt(db, "INSERT INTO article_views(article_id, views) SELECT a.id, ?3 FROM "
			 "articles a WHERE a.id = ?1 AND a.created_at = ?2 "
			 "ON CONFLICT(article_id) DO UPDATE SET views = views + excluded.views");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, born);
		sqlite3_bind_int64(st, 3, total - mark);
	}
	enum db_result r = db_run(db, st);
	if (r != DB_OK || sqlite3_changes(db->h) == 0)
		return r;
	st = db_stmt(db, "INSERT INTO view_marks(tally, article_id, total) VALUES (?1, ?2, ?3) "
			 "ON CONFLICT(tally, article_id) DO UPDATE SET total = excluded.total");
	if (st) {
		sqlite3_bind_text(st, 1, tally, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_int64(st, 3, total);
	}
	return db_run(db, st);
}
