/*
 * libFuzzer harness for the migration runner: migrate_run on a fresh
 * in-memory database with migration files whose text is the input (split
 * at NUL bytes into up to three files, versions 1, 2 and 3). Whatever the
 * SQL does (fail halfway, COMMIT or ROLLBACK inside, drop the ledger), the
 * runner must refuse or apply, never crash: 0 to n files applied or -1 with
 * a sentence, a second run of the same files applying nothing more, and
 * migrate_status and migrate_verify answering on what is left.
 *
 * The SQL is bounded so that a run stays cheap and stays in memory: no
 * ATTACH, VACUUM (INTO a file) or extension loading (such inputs are
 * skipped), strings and blobs of 1 MB at most, and a few million virtual
 * machine steps per input (a recursive query ends there).
 */
#include "migrate.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_FILES = 3, STEP_BATCH = 1000, MAX_BATCHES = 2000 };

static int budget(void *ctx)
{
	int *left = ctx;
	return --*left < 0; /* non-zero interrupts the statement */
}

/* Case-insensitive: does the SQL mention word anywhere? */
static bool mentions(const char *sql, const char *word)
{
	return strcasestr(sql, word) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* The files: pieces between NULs. */
	struct schema_file files[MAX_FILES];
	char names[MAX_FILES][32];
	size_t n = 0;
	bool touches_ledger = false;
	for (char *p = text; n < MAX_FILES && p <= text + size; n++) {
		size_t len = strlen(p);
		if (mentions(p, "attach") || mentions(p, "vacuum") || mentions(p, "load_extension")) {
			free(text);
			return 0;
		}
		touches_ledger = touches_ledger || mentions(p, "schema_migrations") ||
				 mentions(p, "pragma") || mentions(p, "sqlite_");
		snprintf(names[n], sizeof names[n], "%03zu_fuzz.sql", n + 1);
		files[n] = (struct schema_file){(int)n + 1, names[n], p, len};
		p += len + 1;
	}

	char err[600];
	struct db *db = db_open(":memory:", DB_CREATE, err, sizeof err);
	if (!db)
		abort();
	int left = MAX_BATCHES;
	sqlite3_progress_handler(db->h, STEP_BATCH, budget, &left);
	sqlite3_limit(db->h, SQLITE_LIMIT_LENGTH, 1 << 20);
	sqlite3_limit(db->h, SQLITE_LIMIT_ATTACHED, 0);

	err[0] = '\0';
	int rc = migrate_run(db, files, n, NULL, err, sizeof err);
	if (rc < -1 || rc > (int)n || (rc == -1 && !err[0]))
		abort();
	if (rc >= 0 && !touches_ledger) {
		/* Unless the SQL edits the ledger or the connection itself, what
		 * was applied is recorded as written and is not applied again. */
		left = MAX_BATCHES;
		err[0] = '\0';
		if (rc == (int)n && migrate_verify(db, files, n, err, sizeof err) != 0)
			abort();
		int again = migrate_run(db, files, n, NULL, err, sizeof err);
		if (rc == (int)n && again != 0)
			abort();
	}
	left = MAX_BATCHES;
	FILE *out = fopen("/dev/null", "w");
	if (out) {
		(void)migrate_status(db, files, n, out, err, sizeof err);
		fclose(out);
	}
	(void)migrate_verify(db, files, n, err, sizeof err);
	db_close(db);
	free(text);
	return 0;
}
