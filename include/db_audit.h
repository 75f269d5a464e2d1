/*
 * The SQL behind the admins' audit log page: reading audit_log newest
 * first, filtered by user and time, through its indexes (audit_log_by_time,
 * audit_log_by_user). Writing audit rows stays with the code that changes
 * things (db_auth_audit, db_admin_audit, media). Results are db_result
 * codes; strings are copied into the caller's arena.
 */
#ifndef GAZETTE_DB_AUDIT_H
#define GAZETTE_DB_AUDIT_H

#include "db_public.h"

#include <stdbool.h>

struct arena;

/* What the log page asks for. */
struct db_audit_filter {
	/* NULL or "": everyone. Otherwise the rows of the user of that name
	 * (any case), or, when no user has it, the rows written under that
	 * name without a user (the CLI writes "cli" or "cli:NAME"). */
	const char *username;
	long long from, to; /* at >= from and at < to (Unix seconds) */
};

struct db_audit_entry {
	long long id, at;
	long long object_id; /* 0: none */
	const char *username, *action, *object_type, *detail, *address;
};

/*
 * The rows matching f, newest first (by time, then id), skipping offset,
 * at most limit of them into *out (an arena array of *n).
 */
enum db_result db_audit_list(struct db *db, const struct db_audit_filter *f, int limit,
                             long long offset, struct arena *a, struct db_audit_entry **out,
                             size_t *n);

#endif
