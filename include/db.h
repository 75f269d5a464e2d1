/*
 * The SQL layer's core: opening a database, the per-connection cache of
 * prepared statements, transactions and the schema-version check. All SQL in
 * Gazette lives in the db*.c files and goes through db_stmt(): written once
 * as a string literal, prepared once per connection, bound with parameters.
 */
#ifndef GAZETTE_DB_H
#define GAZETTE_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* Slots of a connection's statement cache. Every SQL literal in src/db*.c
 * may end up in one connection (the CLI's, the writer's), so this stays well
 * above their count (about 130 in 2026-11); running out aborts. */
enum { DB_MAX_STMTS = 512 };

struct db {
	sqlite3 *h;
	bool readonly;
	size_t nstmts;
	struct {
		const char *sql; /* the literal's address is the key */
		sqlite3_stmt *stmt;
	} stmts[DB_MAX_STMTS];
};

enum db_flags {
	DB_READONLY = 1, /* open read-only (public page workers) */
	DB_CREATE = 2,   /* create the file if missing (migrate) */
};

/*
 * Opens path with WAL, foreign keys, a 5 s busy timeout and synchronous=FULL
 * (an acknowledged write survives a crash of the process and of the
 * machine). Returns a db to free with db_close(), or NULL with a message in
 * err.
 */
struct db *db_open(const char *path, int flags, char *err, size_t errlen);
void db_close(struct db *db);

/*
 * The prepared statement for the string literal sql, prepared on first use
 * and reset on every later call (bindings cleared). sql must be a literal or
 * otherwise live as long as db: its address identifies it. Returns NULL (and
 * logs) only if the SQL does not compile, which is a bug.
 */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* Switches this connection to synchronous=NORMAL: a commit survives the
 * death of any process (the WAL is in the kernel's hands) but not a power
 * cut before the next checkpoint. For writes that may lose their last
 * fraction of a second to a power cut but must not cost an fsync each
 * (view counts). */
int db_sync_normal(struct db *db);

/* Transactions. Writes always start with BEGIN IMMEDIATE so that they take
 * the write lock up front and never fail with SQLITE_BUSY_SNAPSHOT halfway.
 * Each returns an SQLite result code (SQLITE_OK on success). */
int db_begin_write(struct db *db);
int db_begin_read(struct db *db);
int db_commit(struct db *db);
/* Ends the transaction open, if any. */
void db_rollback(struct db *db);
/* Whether a transaction is open. */
bool db_in_transaction(struct db *db);

/* The schema version recorded in the database (0 for a new file, -1 on error). */
int db_schema_version(struct db *db);
/*
 * Checks that the database's schema is the one this code was built for
 * (schema_version in schema.h). Returns 0 when it is; otherwise writes why
 * into msg ("schema is at 1, the code needs 2: run gazette migrate") and
 * returns -1.
 */
int db_schema_check(struct db *db, char *msg, size_t msglen);

/* True when rc means the database was locked longer than the busy timeout
 * (a 503 with Retry-After, never a 500). */
bool db_is_busy(int rc);

/* What the typed query functions (db_*.c) answer. */
enum db_result { DB_OK = 0, DB_NOTFOUND = 1, DB_BUSY = -1, DB_ERROR = -2 };

/* The result for a failed step's code rc: DB_BUSY when the database stayed
 * locked past the busy timeout (a 503), else DB_ERROR, logged with
 * SQLite's message (a 500). */
enum db_result db_fail(struct db *db, int rc);

/*
 * The site generation: a number that changes whenever settings or categories
 * (what every page shows) change, and only then. Cheap to call per request:
 * it reads the table only when PRAGMA data_version shows that another
 * connection committed since the last call (*data_version holds that).
 * Returns DB_OK with *generation set, DB_BUSY or DB_ERROR.
 */
enum db_result db_site_generation(struct db *db, long long *data_version, long long *generation);

/* Steps st, a statement that returns no row, and resets it. st may be NULL
 * (db_stmt failed): DB_ERROR. */
enum db_result db_run(struct db *db, sqlite3_stmt *st);
/* db_run for a statement meant to change a row: DB_NOTFOUND when it changed none. */
enum db_result db_run_one(struct db *db, sqlite3_stmt *st);

/* A column as text, "" for NULL. */
const char *db_text(sqlite3_stmt *st, int col);

#endif
