/* Opening databases, caching prepared statements, transactions. */
#include "db.h"
#include "buf.h"
#include "log.h"
#include "schema.h"
#include "search.h"
#include "sqlmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs one statement of the cache (db_stmt): a public page begins and ends
 * a transaction per request, and parsing "BEGIN" and "ROLLBACK" each time
 * was a twentieth of an article page's instructions. */
static int exec(struct db *db, const char *sql)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc = st ? sqlite3_step(st) : sqlite3_errcode(db->h);
	if (st)
		sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return SQLITE_OK;
	if (!db_is_busy(rc))
		log_error("sqlite: %s: %s", sql, sqlite3_errmsg(db->h));
	return rc;
}

/* Every process here is single-threaded and opens its own connections:
 * SQLite's mutexes and memory statistics are pure overhead (about 3 k
 * instructions of an article page's 93 k), and its small allocations can
 * come from free lists without locks (sqlmem.c). Set before SQLite's first
 * use. Not under AddressSanitizer or valgrind (GAZETTE_SQLMEM off): a value
 * used after its statement's reset must stay a use after free they see. */
static void sqlite_config_once(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
#if !defined(__SANITIZE_ADDRESS__) && !defined(GAZETTE_NO_SQLMEM)
	sqlite3_config(SQLITE_CONFIG_MALLOC, sqlmem_methods());
#endif
}

struct db *db_open(const char *path, int flags, char *err, size_t errlen)
{
	sqlite_config_once();
	int oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & DB_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	oflags |= SQLITE_OPEN_NOMUTEX; /* one connection per process, never shared */
	struct db *db = xcalloc(1, sizeof *db);
	db->readonly = (flags & DB_READONLY) != 0;
	int rc = sqlite3_open_v2(path, &db->h, oflags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		db_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->h, 5000);
	/* The search index triggers call gazette_ngrams(): every connection
	 * that may write articles needs it. */
	search_register(db->h);
	sqlite3_extended_result_codes(db->h, 1);
	/* journal_mode needs a write; a read-only handle relies on migrate
	 * having set WAL (it is persistent in the file). */
	/* A reader's page cache is 1 MiB, not SQLite's 2: the kernel caches
	 * the file anyway, and a worker stays within its memory budget. */
	const char *pragmas = db->readonly
		? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON; PRAGMA cache_size=-1024;"
		: "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
	if (sqlite3_exec(db->h, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot use database %s: %s", path, sqlite3_errmsg(db->h));
		db_close(db);
		return NULL;
	}
	return db;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->nstmts; i++)
		sqlite3_finalize(db->stmts[i].stmt);
	sqlite3_close(db->h);
	free(db);
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql)
{
	for (size_t i = 0; i < db->nstmts; i++) {
		if (db->stmts[i].sql == sql) {
			sqlite3_stmt *st = db->stmts[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_error("sqlite: cannot prepare %.60s: %s", sql, sqlite3_errmsg(db->h));
		return NULL;
	}
	if (db->nstmts == DB_MAX_STMTS) {
		/* More distinct statements than slots is a bug; don't cache, don't leak:
		 * the caller's statement is finalized at close via a fresh slot 0. */
		log_error("sqlite: statement cache full (DB_MAX_STMTS)");
		abort();
	}
	db->stmts[db->nstmts].sql = sql;
	db->stmts[db->nstmts].stmt = st;
	db->nstmts++;
	return st;
}

int db_sync_normal(struct db *db)
{
	return exec(db, "PRAGMA synchronous=NORMAL");
}

int db_begin_write(struct db *db)
{
	return exec(db, "BEGIN IMMEDIATE");
}

int db_begin_read(struct db *db)
{
	return exec(db, "BEGIN");
}

int db_commit(struct db *db)
{
	return exec(db, "COMMIT");
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		exec(db, "ROLLBACK");
}

bool db_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(db->h);
}

static enum db_result step_int(struct db *db, sqlite3_stmt *st, long long *out)
{
	if (!st)
		return DB_ERROR;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return db_is_busy(rc) ? DB_BUSY : DB_ERROR;
}

enum db_result db_site_generation(struct db *db, long long *data_version, long long *generation)
{
	long long v = -1;
	enum db_result r = step_int(db, db_stmt(db, "PRAGMA data_version"), &v);
	if (r != DB_OK || v == *data_version)
		return r;
	r = step_int(db, db_stmt(db, "SELECT n FROM site_generation WHERE id = 1"), generation);
	if (r == DB_OK)
		*data_version = v;
	return r;
}

int db_schema_version(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM sqlite_master "
					"WHERE type='table' AND name='schema_migrations'");
	if (!st || sqlite3_step(st) != SQLITE_ROW)
		return -1;
	int have = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (!have)
		return 0;
	st = db_stmt(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
	if (!st || sqlite3_step(st) != SQLITE_ROW)
		return -1;
	int v = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return v;
}

int db_schema_check(struct db *db, char *msg, size_t msglen)
{
	int v = db_schema_version(db);
	if (v < 0) {
		snprintf(msg, msglen, "cannot read the schema version: %s", sqlite3_errmsg(db->h));
		return -1;
	}
	if (v < schema_version) {
		snprintf(msg, msglen, "database schema is at version %d, the code needs %d: "
			 "run gazette migrate", v, schema_version);
		return -1;
	}
	if (v > schema_version) {
		snprintf(msg, msglen, "database schema is at version %d, newer than this code "
			 "(%d): upgrade Gazette", v, schema_version);
		return -1;
	}
	return 0;
}

bool db_is_busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

const char *db_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}

enum db_result db_fail(struct db *db, int rc)
{
	if (db_is_busy(rc))
		return DB_BUSY;
	log_error("sqlite: %s", sqlite3_errmsg(db->h));
	return DB_ERROR;
}

enum db_result db_run(struct db *db, sqlite3_stmt *st)
{
	if (!st)
		return DB_ERROR;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}

enum db_result db_run_one(struct db *db, sqlite3_stmt *st)
{
	enum db_result r = db_run(db, st);
	return r == DB_OK && sqlite3_changes(db->h) == 0 ? DB_NOTFOUND : r;
}
