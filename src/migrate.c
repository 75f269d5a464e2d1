/* Forward-only migrations with a checksummed ledger. */
#include "migrate.h"
#include "db_admin.h"
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

void migrate_checksum(const char *text, size_t len, char out[MIGRATE_CHECKSUM_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	if (sodium_init() < 0) /* idempotent; fails only without a usable libsodium */
		abort();
	crypto_hash_sha256(h, (const unsigned char *)text, len);
	sodium_bin2hex(out, MIGRATE_CHECKSUM_LEN + 1, h, sizeof h);
}

static const struct schema_file *find_file(const struct schema_file *files, size_t n, int version)
{
	for (size_t i = 0; i < n; i++)
		if (files[i].version == version)
			return &files[i];
	return NULL;
}

static const struct db_ledger_row *find_row(const struct db_ledger_row *rows, size_t n, int version)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].version == version)
			return &rows[i];
	return NULL;
}

/* files[] must be strictly ascending: a test or a build bug otherwise. */
static int check_order(const struct schema_file *files, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (files[i].version <= 0 || (i > 0 && files[i].version <= files[i - 1].version)) {
			snprintf(err, errlen, "migration files out of order at %s", files[i].name);
			return -1;
		}
	}
	return 0;
}

/*
 * The first disagreement between ledger and files, as a sentence in err;
 * 0 when there is none. Pending files are fine unless numbered below the
 * newest applied one (they would run after a migration that did not expect
 * them).
 */
static int compare(const struct db_ledger_row *rows, size_t nrows, const struct schema_file *files,
                   size_t n, char *err, size_t errlen)
{
	int newest = n ? files[n - 1].version : 0;
	int applied_max = 0;
	for (size_t i = 0; i < nrows; i++) {
		const struct db_ledger_row *r = &rows[i];
		const struct schema_file *f = find_file(files, n, r->version);
		if (r->version > applied_max)
			applied_max = r->version;
		if (!f && r->version > newest) {
			snprintf(err, errlen,
			         "the database has migration %s applied, newer than "
			         "this code (which knows up to version %d): upgrade Gazette",
			         r->name, newest);
			return -1;
		}
		if (!f) {
			snprintf(err, errlen,
			         "the database has migration %s applied, which this "
			         "code does not have",
			         r->name);
			return -1;
		}
		char sum[MIGRATE_CHECKSUM_LEN + 1];
		migrate_checksum(f->text, f->len, sum);
		if (strcmp(sum, r->checksum) != 0 || strcmp(f->name, r->name) != 0) {
			snprintf(err, errlen,
			         "migration %s was changed after it was applied "
			         "(recorded as %s with checksum %.12s…, now %.12s…): restore it "
			         "and put changes in a new file",
			         f->name, r->name, r->checksum, sum);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (files[i].version < applied_max && !find_row(rows, nrows, files[i].version)) {
			snprintf(err, errlen,
			         "migration %s is pending but a higher version is "
			         "already applied: number new migrations above the newest",
			         files[i].name);
			return -1;
		}
	}
	return 0;
}

int migrate_verify(struct db *db, const struct schema_file *files, size_t n, char *err,
                   size_t errlen)
{
	struct db_ledger_row *rows;
	size_t nrows;
	if (check_order(files, n, err, errlen) < 0)
		return -1;
	if (db_admin_ledger_read(db, &rows, &nrows) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the migration ledger: %s",
		         sqlite3_errmsg(db->h));
		return -1;
	}
	int rc = compare(rows, nrows, files, n, err, errlen);
	free(rows);
	return rc;
}

/*
 * Why a lock file and not one BEGIN EXCLUSIVE around the run: each file
 * must commit in its own transaction (a failure keeps the files before it
 * applied), so no single SQLite transaction can span the run. flock() on a
 * file next to the database serialises whole runs, including reading the
 * ledger, so a second `gazette migrate` waits and then finds nothing to
 * do. The lock goes away with the process, even if it is killed. Returns
 * the locked fd, -2 when the database has no file (in memory), -1 on error.
 */
static int lock_run(struct db *db, char *err, size_t errlen)
{
	const char *path = sqlite3_db_filename(db->h, "main");
	if (!path || !*path)
		return -2;
	size_t len = strlen(path) + sizeof ".migrate-lock";
	char *lockpath = xmalloc(len);
	snprintf(lockpath, len, "%s.migrate-lock", path);
	int fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", lockpath, strerror(errno));
		free(lockpath);
		return -1;
	}
	free(lockpath);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "cannot lock migrations: %s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int apply(struct db *db, const struct schema_file *f, char *err, size_t errlen)
{
	char sum[MIGRATE_CHECKSUM_LEN + 1], why[512];
	migrate_checksum(f->text, f->len, sum);
	int rc = db_begin_write(db);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot start a transaction: %s", f->name,
		         sqlite3_errmsg(db->h));
		return -1;
	}
	if (db_admin_exec_script(db, f->text, why, sizeof why) != SQLITE_OK) {
		db_rollback(db);
		snprintf(err, errlen, "%s failed, nothing of it was applied: %s", f->name, why);
		return -1;
	}
	/* Why: a file that ends the transaction itself (COMMIT, END, ROLLBACK)
	 * would have its ledger row committed on its own, outside the file's
	 * transaction: recorded as applied even when the run then fails. */
	if (sqlite3_get_autocommit(db->h)) {
		snprintf(err, errlen,
		         "%s ends its own transaction (COMMIT, END or ROLLBACK); each migration "
		         "file runs in one transaction and must not",
		         f->name);
		return -1;
	}
	rc = db_admin_ledger_add(db, f->version, f->name, sum, (long long)time(NULL));
	if (rc == SQLITE_OK)
		rc = db_commit(db);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot record it: %s", f->name, sqlite3_errmsg(db->h));
		db_rollback(db);
		return -1;
	}
	return 0;
}

int migrate_run(struct db *db, const struct schema_file *files, size_t n, FILE *progress, char *err,
                size_t errlen)
{
	if (check_order(files, n, err, errlen) < 0)
		return -1;
	int fd = lock_run(db, err, errlen);
	if (fd == -1)
		return -1;
	int applied = -1;
	struct db_ledger_row *rows = NULL;
	size_t nrows = 0;
	if (db_admin_ledger_create(db) != SQLITE_OK ||
	    db_admin_ledger_read(db, &rows, &nrows) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the migration ledger: %s",
		         sqlite3_errmsg(db->h));
		goto out;
	}
	if (compare(rows, nrows, files, n, err, errlen) < 0)
		goto out;
	applied = 0;
	for (size_t i = 0; i < n; i++) {
		if (find_row(rows, nrows, files[i].version))
			continue;
		if (apply(db, &files[i], err, errlen) < 0) {
			applied = -1;
			break;
		}
		applied++;
		if (progress)
			fprintf(progress, "applied %s\n", files[i].name);
	}
out:
	free(rows);
	if (fd >= 0)
		close(fd); /* releases the lock */
	return applied;
}

static void iso_utc(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "@%lld", t);
}

int migrate_status(struct db *db, const struct schema_file *files, size_t n, FILE *out, char *err,
                   size_t errlen)
{
	struct db_ledger_row *rows;
	size_t nrows;
	if (db_admin_ledger_read(db, &rows, &nrows) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the migration ledger: %s",
		         sqlite3_errmsg(db->h));
		return -1;
	}
	int problems = 0, applied_max = 0;
	char when[32];
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].version > applied_max)
			applied_max = rows[i].version;
	/* Files and ledger rows merged by version. */
	size_t i = 0, j = 0;
	while (i < n || j < nrows) {
		const struct schema_file *f = i < n ? &files[i] : NULL;
		const struct db_ledger_row *r = j < nrows ? &rows[j] : NULL;
		if (r && (!f || r->version < f->version)) {
			iso_utc(r->applied_at, when);
			fprintf(out,
			        "unknown %s %s: applied to the database but not in this code\n",
			        r->name, when);
			problems++;
			j++;
		} else if (!r || f->version < r->version) {
			if (f->version < applied_max) {
				fprintf(out, "pending %s: numbered below an applied migration\n",
				        f->name);
				problems++;
			} else {
				fprintf(out, "pending %s\n", f->name);
			}
			i++;
		} else {
			char sum[MIGRATE_CHECKSUM_LEN + 1];
			migrate_checksum(f->text, f->len, sum);
			iso_utc(r->applied_at, when);
			if (strcmp(sum, r->checksum) != 0 || strcmp(f->name, r->name) != 0) {
				fprintf(out,
				        "changed %s %s: the file differs from the one applied "
				        "(recorded as %s)\n",
				        f->name, when, r->name);
				problems++;
			} else {
				fprintf(out, "applied %s %s\n", f->name, when);
			}
			i++;
			j++;
		}
	}
	free(rows);
	return problems ? 1 : 0;
}
