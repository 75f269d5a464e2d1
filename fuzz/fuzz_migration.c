/*
 * libFuzzer harness for the migration runner: migrate_run on a fresh
 * in-memory database with migration files whose text is the input after
 * its first byte (split at NUL bytes into up to three files, versions 2, 4
 * and 6). Whatever the SQL does (fail halfway, COMMIT or ROLLBACK inside,
 * drop the ledger), the runner must refuse or apply, never crash: 0 to n
 * files applied or -1 with a sentence.
 *
 * A second run follows with the files the first byte picks: the same ones
 * (nothing more to apply), all but the last (the database is newer than
 * the code), the first one edited (changed after it was applied), or one
 * more numbered below the others (pending below an applied one). When
 * everything was applied and the SQL left the ledger alone, the second run
 * and migrate_verify must both accept the first and refuse the other three.
 * A single file that fails must leave no ledger row ("a file that fails
 * leaves no trace"). migrate_status answers on whatever is left.
 *
 * The SQL is bounded so that a run stays cheap and stays in memory: no
 * ATTACH, VACUUM (INTO a file) or extension loading (such inputs are
 * skipped), strings and blobs of 1 MB at most, and a few million virtual
 * machine steps per input (a recursive query ends there).
 */
#include "db_admin.h"
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
	if (size < 1)
		return 0;
	int variant = data[0] & 3;
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	/* The files: pieces between NULs, then a spare slot for variant 3. */
	struct schema_file files[MAX_FILES + 1], *again = files + 1;
	char names[MAX_FILES][32];
	size_t n = 0;
	bool touches_ledger = false;
	for (char *p = text; n < MAX_FILES && p <= text + size - 1; n++) {
		size_t len = strlen(p);
		if (mentions(p, "attach") || mentions(p, "vacuum") ||
		    mentions(p, "load_extension")) {
			free(text);
			return 0;
		}
		touches_ledger = touches_ledger || mentions(p, "schema_migrations") ||
		                 mentions(p, "pragma") || mentions(p, "sqlite_");
		snprintf(names[n], sizeof names[n], "%03zu_fuzz.sql", 2 * (n + 1));
		files[n + 1] = (struct schema_file){2 * ((int)n + 1), names[n], p, len};
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
	int rc = migrate_run(db, again, n, NULL, err, sizeof err);
	if (rc < -1 || rc > (int)n || (rc == -1 && !err[0]))
		abort();
	struct db_ledger_row *rows;
	size_t nrows;
	if (rc == -1 && n == 1 && !touches_ledger &&
	    db_admin_ledger_read(db, &rows, &nrows) == SQLITE_OK) {
		free(rows);
		if (nrows != 0)
			abort(); /* recorded as applied, yet the run said it failed */
	}

	/* The second run's files. */
	size_t n2 = n;
	char *edited = NULL;
	if (variant == 1 && n > 0) {
		n2 = n - 1;
	} else if (variant == 2 && n > 0) {
		edited = malloc(again[0].len + 2);
		if (!edited)
			abort();
		memcpy(edited, again[0].text, again[0].len);
		memcpy(edited + again[0].len, " ", 2);
		again[0].text = edited;
		again[0].len++;
	} else if (variant == 3) {
		files[0] = (struct schema_file){1, "001_below.sql", "SELECT 1;", 9};
		again = files;
		n2 = n + 1;
	}
	bool accept = variant == 0;
	left = MAX_BATCHES;
	int verified = migrate_verify(db, again, n2, err, sizeof err);
	int rc2 = migrate_run(db, again, n2, NULL, err, sizeof err);
	if (rc == (int)n && !touches_ledger) {
		if ((verified == 0) != accept || (accept ? rc2 != 0 : rc2 != -1))
			abort();
	}
	left = MAX_BATCHES;
	FILE *out = fopen("/dev/null", "w");
	if (out) {
		(void)migrate_status(db, again, n2, out, err, sizeof err);
		fclose(out);
	}
	db_close(db);
	free(edited);
	free(text);
	return 0;
}
