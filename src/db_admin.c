/* The admin CLI's SQL: ledger, audit log, users, categories, settings. */
#include "db_admin.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SQLITE_DONE after the last row of a statement that returns nothing is
 * success; anything else is passed on. Resets the statement so that no read
 * lock lingers. */
static int finish(sqlite3_stmt *st, int rc)
{
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return SQLITE_OK;
	}
	/* sqlite3_reset returns the statement's error, extended. */
	int rc2 = sqlite3_reset(st);
	return rc2 != SQLITE_OK ? rc2 : rc;
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

/* ---- ledger ---- */

int db_admin_ledger_create(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                               "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	                               "checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)");
	return st ? step_done(st) : SQLITE_ERROR;
}

int db_admin_ledger_read(struct db *db, struct db_ledger_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM sqlite_master "
	                               "WHERE type = 'table' AND name = 'schema_migrations'");
	if (!st)
		return SQLITE_ERROR;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return finish(st, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	int have = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (!have)
		return SQLITE_OK;
	st = db_stmt(db, "SELECT version, name, checksum, applied_at FROM schema_migrations "
	                 "ORDER BY version");
	if (!st)
		return SQLITE_ERROR;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*rows = xrealloc(*rows, cap * sizeof **rows);
		}
		struct db_ledger_row *r = &(*rows)[(*n)++];
		r->version = sqlite3_column_int(st, 0);
		copy(r->name, sizeof r->name, db_text(st, 1));
		copy(r->checksum, sizeof r->checksum, db_text(st, 2));
		r->applied_at = sqlite3_column_int64(st, 3);
	}
	rc = finish(st, rc);
	if (rc != SQLITE_OK) {
		free(*rows);
		*rows = NULL;
		*n = 0;
	}
	return rc;
}

int db_admin_ledger_add(struct db *db, int version, const char *name, const char *checksum,
                        long long applied_at)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO schema_migrations(version, name, checksum, "
	                               "applied_at) VALUES (?1, ?2, ?3, ?4)");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int(st, 1, version);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, checksum, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, applied_at);
	return step_done(st);
}

int db_admin_exec_script(struct db *db, const char *sql, char *err, size_t errlen)
{
	/* A migration file is trusted text shipped inside the binary, the one
	 * place where SQL runs that is not a db_stmt literal. */
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

/* ---- audit ---- */

int db_admin_audit(struct db *db, const char *actor, const char *action, const char *object_type,
                   long long object_id, const char *detail, long long now)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO audit_log(at, user_id, username, action, "
	                               "object_type, object_id, detail, address) "
	                               "VALUES (?1, NULL, ?2, ?3, ?4, ?5, ?6, 'cli')");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, object_type, -1, SQLITE_STATIC);
	if (object_id)
		sqlite3_bind_int64(st, 5, object_id);
	sqlite3_bind_text(st, 6, detail ? detail : "", -1, SQLITE_STATIC);
	return step_done(st);
}

/* ---- users ---- */

int db_admin_user_find(struct db *db, const char *username, long long *id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM users WHERE username = ?1");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int db_admin_user_add(struct db *db, const char *username, const char *display_name,
                      const char *role, const char *hash, long long now, long long *id)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO users(username, display_name, role, "
	                               "password_hash, disabled, created_at, updated_at) "
	                               "VALUES (?1, ?2, ?3, ?4, 0, ?5, ?5)");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, display_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	int rc = step_done(st);
	if (rc == SQLITE_OK)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

int db_admin_user_set_password(struct db *db, long long id, const char *hash, long long now)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE users SET password_hash = ?2, updated_at = ?3 "
	                               "WHERE id = ?1");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return step_done(st);
}

int db_admin_user_set_disabled(struct db *db, long long id, bool disabled, long long now)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE users SET disabled = ?2, updated_at = ?3 "
	                               "WHERE id = ?1");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, disabled ? 1 : 0);
	sqlite3_bind_int64(st, 3, now);
	return step_done(st);
}

int db_admin_sessions_revoke(struct db *db, long long user_id, int *n)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM sessions WHERE user_id = ?1");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = step_done(st);
	if (n)
		*n = rc == SQLITE_OK ? sqlite3_changes(db->h) : 0;
	return rc;
}

int db_admin_user_each(struct db *db, void (*fn)(const struct db_admin_user *u, void *ctx),
                       void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, username, role, display_name, disabled, "
	                               "created_at FROM users ORDER BY username, id");
	if (!st)
		return SQLITE_ERROR;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_admin_user u = {
		    .id = sqlite3_column_int64(st, 0),
		    .display_name = (char *)db_text(st, 3),
		    .disabled = sqlite3_column_int(st, 4) != 0,
		    .created_at = sqlite3_column_int64(st, 5),
		};
		copy(u.username, sizeof u.username, db_text(st, 1));
		copy(u.role, sizeof u.role, db_text(st, 2));
		fn(&u, ctx);
	}
	return finish(st, rc);
}

/* ---- categories ---- */

int db_admin_categories(struct db *db, struct db_admin_category **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	/* Sorting by the parent's place first (the row's own for a top-level
	 * category) puts each child right after its parent: categories are
	 * two levels deep (SPEC's breadcrumb is Home > parent > category). */
	sqlite3_stmt *st =
	    db_stmt(db, "SELECT c.id, coalesce(c.parent_id, 0), c.position, c.slug, c.name "
	                "FROM categories c LEFT JOIN categories p ON p.id = c.parent_id "
	                "ORDER BY coalesce(p.position, c.position), coalesce(p.id, c.id), "
	                "c.parent_id IS NOT NULL, c.position, c.id");
	if (!st)
		return SQLITE_ERROR;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct db_admin_category *c = &(*out)[(*n)++];
		c->id = sqlite3_column_int64(st, 0);
		c->parent_id = sqlite3_column_int64(st, 1);
		c->position = sqlite3_column_int64(st, 2);
		c->slug = xstrdup(db_text(st, 3));
		c->name = xstrdup(db_text(st, 4));
	}
	rc = finish(st, rc);
	if (rc != SQLITE_OK) {
		db_admin_categories_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void db_admin_categories_free(struct db_admin_category *cats, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(cats[i].slug);
		free(cats[i].name);
	}
	free(cats);
}

int db_admin_category_add(struct db *db, const char *slug, const char *name, long long parent_id,
                          long long position, long long now, long long *id)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO categories(parent_id, slug, name, position, "
	                               "created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!st)
		return SQLITE_ERROR;
	if (parent_id)
		sqlite3_bind_int64(st, 1, parent_id);
	sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, position);
	sqlite3_bind_int64(st, 5, now);
	int rc = step_done(st);
	if (rc == SQLITE_OK && id)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

int db_admin_user_exists(struct db *db, long long id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM users WHERE id = ?1");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

int db_admin_category_top(struct db *db, const char *slug, long long *id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM categories WHERE slug = ?1 AND parent_id IS NULL");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int db_admin_user_update(struct db *db, long long id, const char *role, const char *display_name,
                         long long now)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE users SET role = coalesce(?2, role), display_name = "
	                               "coalesce(?3, display_name), updated_at = ?4 WHERE id = ?1");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	if (role)
		sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	if (display_name)
		sqlite3_bind_text(st, 3, display_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	return step_done(st);
}

int db_admin_category_update(struct db *db, long long id, const char *name, long long parent_id,
                             long long position)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE categories SET name = ?2, parent_id = nullif(?3, 0), "
	                               "position = ?4 WHERE id = ?1");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, parent_id);
	sqlite3_bind_int64(st, 4, position);
	return step_done(st);
}

/* ---- settings ---- */

int db_admin_setting_get(struct db *db, const char *key, char **value)
{
	*value = NULL;
	sqlite3_stmt *st = db_stmt(db, "SELECT value FROM settings WHERE key = ?1");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = xstrdup(db_text(st, 0));
	sqlite3_reset(st);
	return rc;
}

int db_admin_setting_set(struct db *db, const char *key, const char *value, long long now)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO settings(key, value, updated_at) "
	                               "VALUES (?1, ?2, ?3) ON CONFLICT(key) DO UPDATE SET "
	                               "value = excluded.value, updated_at = excluded.updated_at");
	if (!st)
		return SQLITE_ERROR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return step_done(st);
}
