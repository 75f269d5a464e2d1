/* SQL of review steps, per-category rights and soft locks. */
#include "db_workflow.h"
#include "arena.h"

#include <string.h>

enum db_result db_workflow_review_add(struct db *db, long long article_id, long long user_id,
                                      const char *username, const char *action, const char *comment,
                                      long long published_at, long long now)
{
	sqlite3_stmt *st = db_stmt(
	    db, "INSERT INTO article_reviews(article_id, at, user_id, username, action, comment, "
	        "published_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, user_id);
	sqlite3_bind_text(st, 4, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, comment ? comment : "", -1, SQLITE_STATIC);
	if (published_at >= 0)
		sqlite3_bind_int64(st, 7, published_at);
	else
		sqlite3_bind_null(st, 7);
	return db_run(db, st);
}

enum db_result db_workflow_reviews(struct db *db, long long article_id, int limit, struct arena *a,
                                   struct db_review **out, size_t *n)
{
	*n = 0;
	*out = arena_calloc(a, limit > 0 ? (size_t)limit : 1, sizeof **out);
	sqlite3_stmt *st = db_stmt(
	    db, "SELECT id, at, username, action, comment, published_at FROM article_reviews "
	        "WHERE article_id = ?1 ORDER BY id DESC LIMIT ?2");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int(st, 2, limit);
	int rc = SQLITE_DONE;
	while (*n < (size_t)(limit > 0 ? limit : 0) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_review *o = &(*out)[(*n)++];
		o->id = sqlite3_column_int64(st, 0);
		o->at = sqlite3_column_int64(st, 1);
		o->username = arena_strdup(a, db_text(st, 2));
		o->action = arena_strdup(a, db_text(st, 3));
		o->comment = arena_strdup(a, db_text(st, 4));
		o->has_published_at = sqlite3_column_type(st, 5) != SQLITE_NULL;
		o->published_at = sqlite3_column_int64(st, 5);
	}
	if (*n == (size_t)(limit > 0 ? limit : 0))
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}

enum db_result db_workflow_rights(struct db *db, long long user_id, struct arena *a,
                                  long long **ids, size_t *n)
{
	*n = 0;
	*ids = NULL;
	sqlite3_stmt *st = db_stmt(db, "SELECT category_id FROM user_categories WHERE user_id = ?1 "
	                               "ORDER BY category_id");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	size_t cap = 0;
	int rc = SQLITE_DONE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			long long *grown = arena_alloc(a, cap * sizeof *grown);
			if (*n)
				memcpy(grown, *ids, *n * sizeof *grown);
			*ids = grown;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}

enum db_result db_workflow_rights_set(struct db *db, long long user_id, const long long *ids,
                                      size_t n)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM user_categories WHERE user_id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	enum db_result r = db_run(db, st);
	for (size_t i = 0; r == DB_OK && i < n; i++) {
		/* INSERT ... SELECT: an unknown category inserts nothing, which
		 * the change count reveals; a repeated id is one right. */
		st = db_stmt(db, "INSERT OR IGNORE INTO user_categories(user_id, category_id) "
		                 "SELECT ?1, id FROM categories WHERE id = ?2");
		if (!st)
			return DB_ERROR;
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, ids[i]);
		r = db_run(db, st);
		if (r == DB_OK && sqlite3_changes(db->h) == 0) {
			bool repeated = false;
			for (size_t j = 0; j < i; j++)
				repeated = repeated || ids[j] == ids[i];
			if (!repeated)
				return DB_NOTFOUND;
		}
	}
	return r;
}

enum db_result db_workflow_review_count(struct db *db, const char *categories, long long *n)
{
	/* The WHERE of the articles_in_review partial index, word for word. */
	sqlite3_stmt *st = db_stmt(
	    db, "SELECT count(*) FROM articles a WHERE status = 'in_review' AND deleted_at IS NULL "
	        "AND (?1 IS NULL OR a.category_id IN (SELECT value FROM json_each(?1)))");
	if (!st)
		return DB_ERROR;
	if (categories)
		sqlite3_bind_text(st, 1, categories, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : db_fail(db, rc);
}

enum db_result db_workflow_lock_touch(struct db *db, long long article_id, long long user_id,
                                      long long now, long long stale)
{
	sqlite3_stmt *st = db_stmt(
	    db,
	    "INSERT INTO article_locks(article_id, user_id, since, seen_at) VALUES (?1, ?2, ?3, "
	    "?3) "
	    "ON CONFLICT(article_id, user_id) DO UPDATE SET seen_at = excluded.seen_at, "
	    "since = CASE WHEN seen_at < excluded.seen_at - ?4 THEN excluded.since ELSE since END");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, stale);
	enum db_result r = db_run(db, st);
	if (r != DB_OK)
		return r;
	st = db_stmt(db, "DELETE FROM article_locks WHERE seen_at < ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now - 86400);
	return db_run(db, st);
}

enum db_result db_workflow_locks(struct db *db, long long article_id, long long user_id,
                                 long long seen_after, int limit, struct arena *a,
                                 struct db_lock **out, size_t *n)
{
	*n = 0;
	*out = arena_calloc(a, limit > 0 ? (size_t)limit : 1, sizeof **out);
	sqlite3_stmt *st = db_stmt(
	    db, "SELECT u.username, l.since FROM article_locks l JOIN users u ON u.id = l.user_id "
	        "WHERE l.article_id = ?1 AND l.user_id <> ?2 AND l.seen_at >= ?3 "
	        "ORDER BY l.since, u.username LIMIT ?4");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, seen_after);
	sqlite3_bind_int(st, 4, limit);
	int rc = SQLITE_DONE;
	while (*n < (size_t)(limit > 0 ? limit : 0) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		(*out)[*n].username = arena_strdup(a, db_text(st, 0));
		(*out)[*n].since = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	if (*n == (size_t)(limit > 0 ? limit : 0))
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}
