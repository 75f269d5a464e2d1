/*
 * The SQL of the admin CLI: the migration ledger, users, categories,
 * settings, articles for import/export and demo, the audit log, integrity
 * checks and backups. Functions return an SQLite result code (SQLITE_OK on
 * success) unless they say otherwise; on failure sqlite3_errmsg(db->h)
 * tells why. Strings handed back are malloc'd and freed by the caller with
 * the matching *_free function. Callers own transactions: the functions
 * that write expect to run inside db_begin_write()/db_commit().
 */
#ifndef GAZETTE_DB_ADMIN_H
#define GAZETTE_DB_ADMIN_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- migration ledger (schema_migrations) ---- */

struct db_ledger_row {
	int version;
	char name[128];
	char checksum[65]; /* hex SHA-256 */
	long long applied_at;
};

/* Creates schema_migrations if missing (its own statement, autocommit). */
int db_admin_ledger_create(struct db *db);
/* Every ledger row by version into *rows (malloc'd array, free()) and *n;
 * no table means no rows. */
int db_admin_ledger_read(struct db *db, struct db_ledger_row **rows, size_t *n);
int db_admin_ledger_add(struct db *db, int version, const char *name, const char *checksum,
                        long long applied_at);
/* Runs the statements of a migration file; on failure copies SQLite's
 * message into err. */
int db_admin_exec_script(struct db *db, const char *sql, char *err, size_t errlen);

/* ---- audit log ---- */

/* One audit_log row from the CLI: user_id NULL, address "cli". object_id 0
 * is stored as NULL. */
int db_admin_audit(struct db *db, const char *actor, const char *action, const char *object_type,
                   long long object_id, const char *detail, long long now);

/* ---- users ---- */

struct db_admin_user {
	long long id;
	char username[65];
	char role[16];
	char *display_name;
	bool disabled;
	long long created_at;
};

/* Looks up username (case-insensitively, as the column collates). Returns
 * SQLITE_ROW with *id set, SQLITE_DONE when there is no such user, or an
 * error code. */
int db_admin_user_find(struct db *db, const char *username, long long *id);
/* Inserts a user; SQLITE_CONSTRAINT_UNIQUE when the name is taken. */
int db_admin_user_add(struct db *db, const char *username, const char *display_name,
                      const char *role, const char *hash, long long now, long long *id);
int db_admin_user_set_password(struct db *db, long long id, const char *hash, long long now);
int db_admin_user_set_disabled(struct db *db, long long id, bool disabled, long long now);
/* Deletes every session of the user (revocation); *n gets the count. */
int db_admin_sessions_revoke(struct db *db, long long user_id, int *n);
/* Calls fn for each user by name. The struct is valid during the call only. */
int db_admin_user_each(struct db *db, void (*fn)(const struct db_admin_user *u, void *ctx),
                       void *ctx);

/* ---- categories ---- */

struct db_admin_category {
	long long id;
	long long parent_id; /* 0: top level */
	long long position;
	char *slug;
	char *name;
};

/* Every category into *out (malloc'd, free with db_admin_categories_free),
 * parents before their children, each level by position then id. */
int db_admin_categories(struct db *db, struct db_admin_category **out, size_t *n);
void db_admin_categories_free(struct db_admin_category *cats, size_t n);
int db_admin_category_add(struct db *db, const char *slug, const char *name, long long parent_id,
                          long long position, long long now, long long *id);

/* SQLITE_ROW when user id exists, SQLITE_DONE when not. */
int db_admin_user_exists(struct db *db, long long id);
/* The id of the top-level category slug: SQLITE_ROW, SQLITE_DONE when there
 * is none (or it is a subcategory). */
int db_admin_category_top(struct db *db, const char *slug, long long *id);
/* Changes a user's role and display name (NULL: keep). */
int db_admin_user_update(struct db *db, long long id, const char *role, const char *display_name,
                         long long now);
/* Renames, moves (parent_id 0: top level) and reorders a category. The
 * depth trigger refuses a third level (SQLITE_CONSTRAINT_TRIGGER). */
int db_admin_category_update(struct db *db, long long id, const char *name, long long parent_id,
                             long long position);

/* ---- settings ---- */

/* The stored value of key into *value (malloc'd, free()). Returns
 * SQLITE_ROW, SQLITE_DONE when unset, or an error code. */
int db_admin_setting_get(struct db *db, const char *key, char **value);
int db_admin_setting_set(struct db *db, const char *key, const char *value, long long now);

/* ---- articles ---- */

struct db_admin_article {
	long long id;
	long long category_id;
	const char *category_slug; /* filled by db_admin_article_each */
	const char *title, *summary, *body_md, *body_html, *source, *author, *status;
	bool has_published_at;
	long long published_at;
	bool pinned;
};

/* Inserts an article (created by the CLI: no user) together with its
 * article_views row (0 views) and its first revision; sets *id. */
int db_admin_article_add(struct db *db, const struct db_admin_article *a, long long now,
                         long long *id);
/* Number of articles, deleted ones included. */
int db_admin_article_count(struct db *db, long long *n);
/* Calls fn for each article that is not deleted, by id (body_html not
 * filled). Stops and returns SQLITE_ABORT when fn returns non-zero. */
int db_admin_article_each(struct db *db, int (*fn)(const struct db_admin_article *a, void *ctx),
                          void *ctx);

/* ---- checks and backup ---- */

/* Runs PRAGMA integrity_check and calls fn with each problem line (none
 * when the file is sound). */
int db_admin_integrity(struct db *db, void (*fn)(const char *problem, void *ctx), void *ctx);
/* Runs PRAGMA foreign_key_check and calls fn with a sentence per dangling
 * reference. */
int db_admin_foreign_keys(struct db *db, void (*fn)(const char *problem, void *ctx), void *ctx);
/* Runs FTS5's integrity-check on both search indexes; calls fn with a
 * sentence for each one that is damaged or out of step with the articles. */
int db_admin_fts_check(struct db *db, void (*fn)(const char *problem, void *ctx), void *ctx);

/*
 * Copies db into a new database file at dest with the online backup API,
 * a consistent snapshot even while other processes write. dest must not be
 * open elsewhere; it is created or overwritten. Then runs integrity_check
 * on the copy. Returns 0, or -1 with a message in err.
 */
int db_admin_backup(struct db *db, const char *dest, char *err, size_t errlen);

#endif
