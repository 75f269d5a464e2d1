/* SQL of the audit log page. */
#include "db_audit.h"
#include "arena.h"

#include <string.h>

#define AUDIT_COLUMNS                                                                              \
	"SELECT id, at, coalesce(object_id, 0), username, action, object_type, detail, address "   \
	"FROM audit_log "

/* ORDER BY at DESC uses the index order; id only breaks ties within one
 * second, which SQLite sorts per group of equal times. */
#define AUDIT_ORDER "ORDER BY at DESC, id DESC LIMIT ?3 OFFSET ?4"

enum db_result db_audit_list(struct db *db, const struct db_audit_filter *f, int limit,
                             long long offset, struct arena *a, struct db_audit_entry **out,
                             size_t *n)
{
	bool by_user = f->username && *f->username;
	sqlite3_stmt *st;
	if (!by_user) {
		/* A range scan of audit_log_by_time. */
		st = db_stmt(db, AUDIT_COLUMNS "WHERE at >= ?1 AND at < ?2 " AUDIT_ORDER);
	} else {
		/* A range scan of audit_log_by_user for the one user_id the name
		 * has (NULL when no user has it: then the CLI's rows, which
		 * carry only a name). */
		st = db_stmt(db, AUDIT_COLUMNS
		             "WHERE user_id IS (SELECT id FROM users WHERE username = ?5) "
		             "AND (user_id IS NOT NULL OR username = ?5 COLLATE NOCASE) "
		             "AND at >= ?1 AND at < ?2 " AUDIT_ORDER);
	}
	*out = NULL;
	*n = 0;
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, f->from);
	sqlite3_bind_int64(st, 2, f->to);
	sqlite3_bind_int(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	if (by_user)
		sqlite3_bind_text(st, 5, f->username, -1, SQLITE_STATIC);
	struct db_audit_entry *rows =
	    arena_calloc(a, (size_t)(limit > 0 ? limit : 1), sizeof *rows);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < (size_t)limit) {
		struct db_audit_entry *e = &rows[(*n)++];
		e->id = sqlite3_column_int64(st, 0);
		e->at = sqlite3_column_int64(st, 1);
		e->object_id = sqlite3_column_int64(st, 2);
		e->username = arena_strdup(a, db_text(st, 3));
		e->action = arena_strdup(a, db_text(st, 4));
		e->object_type = arena_strdup(a, db_text(st, 5));
		e->detail = arena_strdup(a, db_text(st, 6));
		e->address = arena_strdup(a, db_text(st, 7));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(db, rc);
	*out = rows;
	return DB_OK;
}
