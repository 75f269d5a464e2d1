/*
 * A unit test's own database: new, migrated to the code's schema, under
 * GAZETTE_TESTTMP (or /tmp), and removed afterwards with its WAL, shared
 * memory and migrate lock.
 */
#ifndef GAZETTE_TEST_SCRATCH_DB_H
#define GAZETTE_TEST_SCRATCH_DB_H

#include "check.h"
#include "db.h"
#include "migrate.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens NAME-PID.db, its path written into path (size bytes); NULL (a
 * failed check) when it cannot be created or migrated. */
static inline struct db *scratch_db_open(const char *name, char *path, size_t size)
{
	const char *tmp = getenv("GAZETTE_TESTTMP");
	const char *dir = tmp && *tmp ? tmp : "/tmp";
	char err[300];
	mkdir(dir, 0700);
	snprintf(path, size, "%s/%s-%ld.db", dir, name, (long)getpid());
	unlink(path);
	struct db *db = db_open(path, DB_CREATE, err, sizeof err);
	CHECK(db != NULL);
	if (db && migrate_run(db, schema_files, schema_nfiles, NULL, err, sizeof err) !=
	              (int)schema_nfiles) {
		fprintf(stderr, "%s: migrate: %s\n", name, err);
		CHECK(0);
		db_close(db);
		db = NULL;
	}
	return db;
}

/* Closes db and removes its files. */
static inline void scratch_db_remove(struct db *db, const char *path)
{
	static const char *const files[] = {"", "-wal", "-shm", ".migrate-lock"};
	db_close(db);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char file[1024];
		snprintf(file, sizeof file, "%s%s", path, files[i]);
		unlink(file);
	}
}

#endif
