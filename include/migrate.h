/*
 * Forward-only schema migrations. The core takes an explicit array of
 * migration files (the CLI passes schema_files from schema.h; tests pass
 * their own), compares it with the ledger table schema_migrations and
 * applies what is pending, each file in one transaction together with its
 * ledger row.
 */
#ifndef GAZETTE_MIGRATE_H
#define GAZETTE_MIGRATE_H

#include "db.h"
#include "schema.h"

#include <stdio.h>

enum { MIGRATE_CHECKSUM_LEN = 64 };

/* Writes the hex SHA-256 of text[0..len) and a NUL into out. */
void migrate_checksum(const char *text, size_t len, char out[MIGRATE_CHECKSUM_LEN + 1]);

/*
 * Applies the pending files of files[0..n) (ascending versions) to db,
 * holding an exclusive lock on "<database path>.migrate-lock" for the whole
 * run, and prints "applied NAME" to progress (if not NULL) per file.
 * Refuses before applying anything when an applied file's checksum or name
 * differs from files[], when the ledger holds a version files[] lacks (a
 * database newer than the code), or when a pending file is numbered below
 * an applied one. Returns the number of files applied (0: up to date), or
 * -1 with one English sentence in err; a file that fails leaves no trace,
 * the ones before it stay applied.
 */
int migrate_run(struct db *db, const struct schema_file *files, size_t n, FILE *progress, char *err,
                size_t errlen);

/*
 * Prints one line per migration to out: "applied NAME 2026-11-26T10:00:00Z",
 * "pending NAME", "changed NAME ...: ..." or "unknown NAME ...: ...".
 * Returns 0 when the ledger agrees with files[] (pending files allowed), 1
 * when it noted a problem, -1 with err when the ledger cannot be read.
 */
int migrate_status(struct db *db, const struct schema_file *files, size_t n, FILE *out, char *err,
                   size_t errlen);

/* 0 when the ledger agrees with files[] (pending files allowed), else -1
 * with the first problem in err. Reads only; takes no lock. */
int migrate_verify(struct db *db, const struct schema_file *files, size_t n, char *err,
                   size_t errlen);

#endif
