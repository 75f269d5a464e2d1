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
