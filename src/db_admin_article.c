/* The admin CLI's SQL, second half: articles for import, export and demo;
 * integrity checks; online backup. Declared in db_admin.h. */
#include "db_admin.h"

#include <stdio.h>
#include <string.h>

enum {
	BACKUP_PAGES_PER_STEP = 1024, /* 4 MiB with 4 KiB pages */
	BACKUP_BUSY_SLEEP_MS = 50,
	BACKUP_BUSY_MAX_TRIES = 600, /* 30 s of a locked database in a row */
};

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int rc2 = sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return SQLITE_OK;
	return rc2 != SQLITE_OK ? rc2 : rc;
}

static int end_rows(sqlite3_stmt *st, int rc)
{
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void bind_published(sqlite3_stmt *st, int col, const struct db_admin_article *a)
{
	if (a->has_published_at)
		sqlite3_bind_int64(st, col, a->published_at);
	else
		sqlite3_bind_null(st, col);
}

int db_admin_article_add(struct db *db, const struct db_admin_article *a, long long now,
                         long long *id)
{
	sqlite3_stmt *st =
	    db_stmt(db, "INSERT INTO articles(category_id, title, summary, body_md, "
	                "body_html, source, author, status, published_at, pinned, "
	                "created_at, updated_at) "
	                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, a->category_id);
	sqlite3_bind_text(st, 2, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->body_md, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->body_html, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, a->status, -1, SQLITE_STATIC);
	bind_published(st, 9, a);
	sqlite3_bind_int(st, 10, a->pinned ? 1 : 0);
	sqlite3_bind_int64(st, 11, now);
	int rc = step_done(st);
	if (rc != SQLITE_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(db->h);

	st = db_stmt(db, "INSERT INTO article_views(article_id, views) VALUES (?1, 0)");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, *id);
	if ((rc = step_done(st)) != SQLITE_OK)
		return rc;

	st = db_stmt(db, "INSERT INTO revisions(article_id, title, summary, body_md, source, "
	                 "author, category_id, status, published_at, pinned, created_at) "
	                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, *id);
	sqlite3_bind_text(st, 2, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->body_md, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->author, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, a->category_id);
	sqlite3_bind_text(st, 8, a->status, -1, SQLITE_STATIC);
	bind_published(st, 9, a);
	sqlite3_bind_int(st, 10, a->pinned ? 1 : 0);
	sqlite3_bind_int64(st, 11, now);
	return step_done(st);
}

int db_admin_article_count(struct db *db, long long *n)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM articles");
	if (!st)
		return SQLITE_ERROR;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int db_admin_article_each(struct db *db, int (*fn)(const struct db_admin_article *a, void *ctx),
                          void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT a.id, a.category_id, c.slug, a.title, a.summary, "
	                               "a.body_md, a.source, a.author, a.status, a.published_at, "
	                               "a.pinned FROM articles a JOIN categories c "
	                               "ON c.id = a.category_id WHERE a.deleted_at IS NULL "
	                               "ORDER BY a.id");
	if (!st)
		return SQLITE_ERROR;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_admin_article a = {
		    .id = sqlite3_column_int64(st, 0),
		    .category_id = sqlite3_column_int64(st, 1),
		    .category_slug = db_text(st, 2),
		    .title = db_text(st, 3),
		    .summary = db_text(st, 4),
		    .body_md = db_text(st, 5),
		    .body_html = "",
		    .source = db_text(st, 6),
		    .author = db_text(st, 7),
		    .status = db_text(st, 8),
		    .has_published_at = sqlite3_column_type(st, 9) != SQLITE_NULL,
		    .published_at = sqlite3_column_int64(st, 9),
		    .pinned = sqlite3_column_int(st, 10) != 0,
		};
		if (fn(&a, ctx)) {
			sqlite3_reset(st);
			return SQLITE_ABORT;
		}
	}
	return end_rows(st, rc);
}

/* ---- checks ---- */

int db_admin_integrity(struct db *db, void (*fn)(const char *problem, void *ctx), void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA integrity_check");
	if (!st)
		return SQLITE_ERROR;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = db_text(st, 0);
		if (strcmp(line, "ok") != 0)
			fn(line, ctx);
	}
	return end_rows(st, rc);
}

int db_admin_foreign_keys(struct db *db, void (*fn)(const char *problem, void *ctx), void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA foreign_key_check");
	if (!st)
		return SQLITE_ERROR;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char line[300];
		snprintf(line, sizeof line, "%s row %lld refers to a missing row of %s",
		         db_text(st, 0), (long long)sqlite3_column_int64(st, 1), db_text(st, 2));
		fn(line, ctx);
	}
	return end_rows(st, rc);
}

static void fts_problem(struct db *db, int rc, const char *index, const char *fix,
                        void (*fn)(const char *problem, void *ctx), void *ctx)
{
	char line[400];
	snprintf(line, sizeof line, "%s: %s%s", index,
	         (rc & 0xff) == SQLITE_CORRUPT ? "does not match the articles or is damaged"
	                                       : sqlite3_errmsg(db->h),
	         fix);
	fn(line, ctx);
}

int db_admin_fts_check(struct db *db, void (*fn)(const char *problem, void *ctx), void *ctx)
{
	/* rank = 1 makes FTS5 also compare an external-content index with the
	 * rows it was built from, so a trigger that missed an update shows. */
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO articles_fts(articles_fts, rank) "
	                               "VALUES ('integrity-check', 1)");
	if (!st)
		return SQLITE_ERROR;
	int rc = step_done(st);
	if (rc != SQLITE_OK)
		fts_problem(
		    db, rc, "articles_fts",
		    " (rebuild it: INSERT INTO articles_fts(articles_fts) VALUES('rebuild'))", fn,
		    ctx);
	/* The contentless short-term index can only check itself. */
	st = db_stmt(db, "INSERT INTO articles_short_fts(articles_short_fts) "
	                 "VALUES ('integrity-check')");
	if (!st)
		return SQLITE_ERROR;
	rc = step_done(st);
	if (rc != SQLITE_OK)
		fts_problem(db, rc, "articles_short_fts", "", fn, ctx);
	return SQLITE_OK;
}

/* ---- backup ---- */

static int backup_copy(struct db *db, sqlite3 *out, char *err, size_t errlen)
{
	sqlite3_backup *b = sqlite3_backup_init(out, "main", db->h, "main");
	if (!b) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(out));
		return -1;
	}
	int rc, busy = 0;
	for (;;) {
		rc = sqlite3_backup_step(b, BACKUP_PAGES_PER_STEP);
		if (rc == SQLITE_OK) {
			busy = 0;
		} else if (db_is_busy(rc) && ++busy < BACKUP_BUSY_MAX_TRIES) {
			sqlite3_sleep(BACKUP_BUSY_SLEEP_MS);
		} else {
			break;
		}
	}
	int frc = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE || frc != SQLITE_OK) {
		snprintf(err, errlen, "copy failed: %s",
		         sqlite3_errstr(rc != SQLITE_DONE ? rc : frc));
		return -1;
	}
	return 0;
}

static int check_copy(sqlite3 *out, char *err, size_t errlen)
{
	/* The copy carries the source's WAL flag; switch it back to a rollback
	 * journal so the backup is one self-contained file. */
	char *msg = NULL;
	if (sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot finish the copy: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(out, "PRAGMA integrity_check", -1, &st, NULL);
	bool ok = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	          !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
	if (!ok)
		snprintf(err, errlen, "the copy fails integrity_check: %s",
		         st && sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
		                                          : sqlite3_errmsg(out));
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

int db_admin_backup(struct db *db, const char *dest, char *err, size_t errlen)
{
	sqlite3 *out = NULL;
	int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot create %s: %s", dest,
		         out ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
		sqlite3_close(out);
		return -1;
	}
	/*
	 * Pin one read snapshot of the source for the whole copy. In WAL mode
	 * this blocks no writer, and the chunked copy below then sees a single
	 * consistent state instead of starting over each time the site commits
	 * a write between two steps.
	 */
	int ret = -1;
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM sqlite_master");
	if (db_begin_read(db) != SQLITE_OK || !st || sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "cannot read the database: %s", sqlite3_errmsg(db->h));
		if (st)
			sqlite3_reset(st);
		goto out;
	}
	sqlite3_reset(st);
	if (backup_copy(db, out, err, errlen) == 0 && check_copy(out, err, errlen) == 0)
		ret = 0;
out:
	db_rollback(db); /* ends the read transaction */
	if (sqlite3_close(out) != SQLITE_OK && ret == 0) {
		snprintf(err, errlen, "cannot close %s", dest);
		ret = -1;
	}
	return ret;
}
