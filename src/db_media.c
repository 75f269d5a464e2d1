/* The SQL of uploads: media rows and their audit_log entries. */
#include "db_media.h"
#include "log.h"

#include <stdio.h>

/* Copies a media row (id, sha256, path, mime, width, height, bytes). */
static enum db_result read_row(struct db *db, sqlite3_stmt *st, struct media_info *out)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return DB_NOTFOUND;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(db, rc);
	}
	out->id = sqlite3_column_int64(st, 0);
	int n1 = snprintf(out->sha256, sizeof out->sha256, "%s", db_text(st, 1));
	int n2 = snprintf(out->path, sizeof out->path, "%s", db_text(st, 2));
	int n3 = snprintf(out->mime, sizeof out->mime, "%s", db_text(st, 3));
	out->width = sqlite3_column_int(st, 4);
	out->height = sqlite3_column_int(st, 5);
	out->bytes = sqlite3_column_int64(st, 6);
	sqlite3_reset(st);
	/* Rows are written by media_store only; one that does not fit was not. */
	if (n1 < 0 || (size_t)n1 >= sizeof out->sha256 || n2 < 0 ||
	    (size_t)n2 >= sizeof out->path || n3 < 0 || (size_t)n3 >= sizeof out->mime) {
		log_error("media row %lld has over-long fields", out->id);
		return DB_ERROR;
	}
	return DB_OK;
}

enum db_result db_media_by_sha256(struct db *db, const char *sha256, struct media_info *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, sha256, path, mime, width, height, bytes "
	                               "FROM media WHERE sha256 = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	return read_row(db, st, out);
}

enum db_result db_media_get(struct db *db, long long id, struct media_info *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, sha256, path, mime, width, height, bytes "
	                               "FROM media WHERE id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return read_row(db, st, out);
}

enum db_result db_media_insert(struct db *db, const struct media_info *m, long long now,
                               long long user_id, long long *id)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO media(sha256, path, mime, width, height, "
	                               "bytes, created_at, created_by) "
	                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, m->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->mime, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, m->width);
	sqlite3_bind_int(st, 5, m->height);
	sqlite3_bind_int64(st, 6, m->bytes);
	sqlite3_bind_int64(st, 7, now);
	if (user_id)
		sqlite3_bind_int64(st, 8, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}
