/* Migrations: fresh and repeated runs, atomic failure, refusal of changed
 * files and of databases newer than the code, status, concurrent runs. */
#include "check.h"
#include "db.h"
#include "db_admin.h"
#include "migrate.h"
#include "schema.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILE_(v, name, text)                                                                       \
	{                                                                                          \
		v, name, text, sizeof text - 1                                                     \
	}

static const char A[] = "CREATE TABLE a(x INTEGER);";
static const char A2[] = "CREATE TABLE a(x INTEGER, extra TEXT);";
static const char B[] = "CREATE TABLE b(y INTEGER); INSERT INTO b VALUES (1);";
/* A good statement, then a bad one: the good one must be undone too. */
static const char BAD[] = "CREATE TABLE c(z INTEGER);\nINSERT INTO c VALUES (1);\n"
                          "INSERT INTO no_such_table VALUES (1);\nCREATE TABLE d(w);";
static const char D[] = "CREATE TABLE e(v INTEGER);";
static const char SLOW[] = "CREATE TABLE big(i INTEGER);\n"
                           "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                           "WHERE i < 200000) INSERT INTO big SELECT i FROM r;";

static char dir[512];

static struct db *fresh(const char *name)
{
	char path[700], err[300];
	snprintf(path, sizeof path, "%s/%s.db", dir, name);
	unlink(path);
	struct db *db = db_open(path, DB_CREATE, err, sizeof err);
	if (!db)
		fprintf(stderr, "%s\n", err);
	return db;
}

static bool table_exists(struct db *db, const char *name)
{
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db->h, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1", -1,
	                   &st, NULL);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bool yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static size_t ledger_rows(struct db *db, int *max)
{
	struct db_ledger_row *rows;
	size_t n;
	CHECK(db_admin_ledger_read(db, &rows, &n) == SQLITE_OK);
	*max = 0;
	for (size_t i = 0; i < n; i++)
		if (rows[i].version > *max)
			*max = rows[i].version;
	free(rows);
	return n;
}

/* Runs migrate_run and returns its result; the progress text goes to out. */
static int run(struct db *db, const struct schema_file *f, size_t n, char *out, size_t outlen,
               char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	err[0] = '\0';
	int r = migrate_run(db, f, n, mem, err, errlen);
	fclose(mem);
	snprintf(out, outlen, "%s", text ? text : "");
	free(text);
	return r;
}

static void test_fresh_and_again(void)
{
	const struct schema_file files[] = {FILE_(1, "001_a.sql", A), FILE_(2, "002_b.sql", B)};
	struct db *db = fresh("fresh");
	char out[1000], err[500];
	int max;
	CHECK(run(db, files, 2, out, sizeof out, err, sizeof err) == 2);
	CHECK_STR(out, "applied 001_a.sql\napplied 002_b.sql\n");
	CHECK(table_exists(db, "a") && table_exists(db, "b"));
	CHECK(ledger_rows(db, &max) == 2 && max == 2);
	CHECK(db_schema_version(db) == 2);

	/* the ledger keeps each file's checksum */
	struct db_ledger_row *rows;
	size_t n;
	char sum[MIGRATE_CHECKSUM_LEN + 1];
	CHECK(db_admin_ledger_read(db, &rows, &n) == SQLITE_OK && n == 2);
	migrate_checksum(A, sizeof A - 1, sum);
	CHECK_STR(rows[0].checksum, sum);
	CHECK_STR(rows[0].name, "001_a.sql");
	CHECK(strlen(sum) == 64);
	free(rows);
	/* SHA-256 of "abc", the FIPS 180-2 example */
	migrate_checksum("abc", 3, sum);
	CHECK_STR(sum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	/* second run: nothing to do, nothing printed */
	CHECK(run(db, files, 2, out, sizeof out, err, sizeof err) == 0);
	CHECK_STR(out, "");
	CHECK(ledger_rows(db, &max) == 2);
	db_close(db);
}

static void test_failure_rolls_back(void)
{
	const struct schema_file files[] = {FILE_(1, "001_a.sql", A), FILE_(2, "002_bad.sql", BAD),
	                                    FILE_(3, "003_e.sql", D)};
	struct db *db = fresh("bad");
	char out[1000], err[500];
	int max;
	CHECK(run(db, files, 3, out, sizeof out, err, sizeof err) == -1);
	CHECK_STR(out, "applied 001_a.sql\n");
	CHECK(strstr(err, "002_bad.sql") && strstr(err, "no_such_table"));
	CHECK(table_exists(db, "a"));  /* the first file stays applied */
	CHECK(!table_exists(db, "c")); /* the bad file's first statement is undone */
	CHECK(!table_exists(db, "d"));
	CHECK(!table_exists(db, "e")); /* nothing after the failure runs */
	CHECK(ledger_rows(db, &max) == 1 && max == 1);
	CHECK(sqlite3_get_autocommit(db->h)); /* no transaction left open */

	/* fixed file: the run picks up where it stopped */
	const struct schema_file fixed[] = {FILE_(1, "001_a.sql", A), FILE_(2, "002_b.sql", B),
	                                    FILE_(3, "003_e.sql", D)};
	CHECK(run(db, fixed, 3, out, sizeof out, err, sizeof err) == 2);
	CHECK_STR(out, "applied 002_b.sql\napplied 003_e.sql\n");
	db_close(db);
}

static void test_refusals(void)
{
	const struct schema_file two[] = {FILE_(1, "001_a.sql", A), FILE_(2, "002_b.sql", B)};
	const struct schema_file changed[] = {FILE_(1, "001_a.sql", A2), FILE_(2, "002_b.sql", B),
	                                      FILE_(3, "003_e.sql", D)};
	const struct schema_file renamed[] = {FILE_(1, "001_x.sql", A), FILE_(2, "002_b.sql", B)};
	const struct schema_file one[] = {FILE_(1, "001_a.sql", A)};
	const struct schema_file gap[] = {FILE_(1, "001_a.sql", A), FILE_(3, "003_e.sql", D)};
	const struct schema_file unordered[] = {FILE_(2, "002_b.sql", B), FILE_(1, "001_a.sql", A)};
	struct db *db = fresh("refuse");
	char out[1000], err[500];
	int max;
	CHECK(run(db, two, 2, out, sizeof out, err, sizeof err) == 2);

	/* an applied file changed: refused before the pending 003 runs */
	CHECK(run(db, changed, 3, out, sizeof out, err, sizeof err) == -1);
	CHECK(strstr(err, "001_a.sql") && strstr(err, "changed"));
	CHECK(!table_exists(db, "e"));
	CHECK(migrate_verify(db, changed, 3, err, sizeof err) == -1);
	CHECK(run(db, renamed, 2, out, sizeof out, err, sizeof err) == -1);

	/* the database is newer than the code */
	CHECK(run(db, one, 1, out, sizeof out, err, sizeof err) == -1);
	CHECK(strstr(err, "002_b.sql") && strstr(err, "newer"));
	CHECK(migrate_verify(db, one, 1, err, sizeof err) == -1);
	/* a version the code lacks in the middle */
	CHECK(run(db, gap, 2, out, sizeof out, err, sizeof err) == -1);
	CHECK(strstr(err, "002_b.sql") != NULL);
	/* files out of order are a bug of the caller */
	CHECK(run(db, unordered, 2, out, sizeof out, err, sizeof err) == -1);
	CHECK(ledger_rows(db, &max) == 2 && max == 2);
	CHECK(migrate_verify(db, two, 2, err, sizeof err) == 0);
	db_close(db);

	/* a pending file numbered below an applied one */
	const struct schema_file skip[] = {FILE_(1, "001_a.sql", A), FILE_(3, "003_e.sql", D)};
	const struct schema_file late[] = {FILE_(1, "001_a.sql", A), FILE_(2, "002_b.sql", B),
	                                   FILE_(3, "003_e.sql", D)};
	db = fresh("late");
	CHECK(run(db, skip, 2, out, sizeof out, err, sizeof err) == 2);
	CHECK(run(db, late, 3, out, sizeof out, err, sizeof err) == -1);
	CHECK(strstr(err, "002_b.sql") && strstr(err, "pending"));
	CHECK(!table_exists(db, "b"));
	db_close(db);
}

static void status_of(struct db *db, const struct schema_file *f, size_t n, int want,
                      const char *const *lines)
{
	char *text = NULL, err[300];
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int r = migrate_status(db, f, n, mem, err, sizeof err);
	fclose(mem);
	CHECK(r == want);
	/* compare line starts: the times vary */
	const char *p = text;
	for (; *lines; lines++) {
		size_t k = strlen(*lines);
		if (!p || strncmp(p, *lines, k) != 0) {
			fprintf(stderr, "status line: want '%s' in:\n%s", *lines, text);
			CHECK(0);
			break;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	CHECK(p && *p == '\0');
	free(text);
}

static void test_status(void)
{
	const struct schema_file one[] = {FILE_(1, "001_a.sql", A)};
	const struct schema_file two[] = {FILE_(1, "001_a.sql", A), FILE_(2, "002_b.sql", B)};
	const struct schema_file changed[] = {FILE_(1, "001_a.sql", A2), FILE_(2, "002_b.sql", B)};
	struct db *db = fresh("status");
	char out[100], err[300];
	status_of(db, two, 2, 0,
	          (const char *const[]){"pending 001_a.sql\n", "pending 002_b.sql\n", NULL});
	CHECK(!table_exists(db, "schema_migrations")); /* --status only looks */
	CHECK(run(db, one, 1, out, sizeof out, err, sizeof err) == 1);
	status_of(db, two, 2, 0,
	          (const char *const[]){"applied 001_a.sql 20", "pending 002_b.sql\n", NULL});
	status_of(db, changed, 2, 1,
	          (const char *const[]){"changed 001_a.sql 20", "pending 002_b.sql\n", NULL});
	CHECK(run(db, two, 2, out, sizeof out, err, sizeof err) == 1);
	status_of(db, one, 1, 1,
	          (const char *const[]){"applied 001_a.sql 20", "unknown 002_b.sql 20", NULL});
	db_close(db);
}

static void test_real_schema(void)
{
	struct db *db = fresh("real");
	char msg[300], out[2000], err[500];
	CHECK(db_schema_check(db, msg, sizeof msg) == -1);
	CHECK(run(db, schema_files, schema_nfiles, out, sizeof out, err, sizeof err) ==
	      (int)schema_nfiles);
	CHECK(strstr(out, "applied 001_init.sql\n") == out);
	CHECK(db_schema_version(db) == schema_version);
	CHECK(db_schema_check(db, msg, sizeof msg) == 0);
	CHECK(migrate_verify(db, schema_files, schema_nfiles, err, sizeof err) == 0);
	CHECK(table_exists(db, "articles") && table_exists(db, "schema_migrations"));
	CHECK(run(db, schema_files, schema_nfiles, out, sizeof out, err, sizeof err) == 0);
	db_close(db);
}

/* Two processes migrate the same new database at once: the lock must make
 * one apply everything and the other find it done. */
static void test_concurrent(void)
{
	const struct schema_file files[] = {FILE_(1, "001_slow.sql", SLOW),
	                                    FILE_(2, "002_b.sql", B)};
	struct db *db = fresh("race");
	db_close(db);
	char path[700];
	snprintf(path, sizeof path, "%s/race.db", dir);
	int go[2];
	CHECK(pipe(go) == 0);
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			char c, err[300];
			close(go[1]);
			(void)!read(go[0], &c, 1); /* start together */
			struct db *mine = db_open(path, DB_CREATE, err, sizeof err);
			int r = mine ? migrate_run(mine, files, 2, NULL, err, sizeof err) : -1;
			if (r < 0)
				fprintf(stderr, "child: %s\n", err);
			db_close(mine);
			exit(r < 0 ? 100 : r);
		}
	}
	close(go[0]);
	close(go[1]); /* EOF releases both children */
	int total = 0;
	for (int k = 0; k < 2; k++) {
		int status = 0;
		CHECK(waitpid(kids[k], &status, 0) == kids[k]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) <= 2);
		total += WIFEXITED(status) ? WEXITSTATUS(status) : 100;
	}
	CHECK(total == 2);
	char err[300];
	db = db_open(path, 0, err, sizeof err);
	int max;
	CHECK(db && ledger_rows(db, &max) == 2);
	db_close(db);
}

/* While another run holds "<db>.migrate-lock", migrate_run waits: it
 * neither reads the ledger nor applies anything until the lock is free. */
static void test_lock_waits(void)
{
	const struct schema_file files[] = {FILE_(1, "001_a.sql", A)};
	struct db *db = fresh("locked");
	db_close(db);
	char path[700], lockpath[800], err[300];
	snprintf(path, sizeof path, "%s/locked.db", dir);
	snprintf(lockpath, sizeof lockpath, "%s.migrate-lock", path);
	int fd = open(lockpath, O_RDWR | O_CREAT, 0600);
	CHECK(fd >= 0 && flock(fd, LOCK_EX) == 0);
	pid_t kid = fork();
	if (kid == 0) {
		struct db *mine = db_open(path, DB_CREATE, err, sizeof err);
		int r = mine ? migrate_run(mine, files, 1, NULL, err, sizeof err) : -1;
		db_close(mine);
		exit(r == 1 ? 0 : 1);
	}
	usleep(300 * 1000);
	int status = 0;
	CHECK(waitpid(kid, &status, WNOHANG) == 0); /* still waiting */
	db = db_open(path, 0, err, sizeof err);
	CHECK(db && !table_exists(db, "a"));
	flock(fd, LOCK_UN);
	close(fd);
	CHECK(waitpid(kid, &status, 0) == kid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(db && table_exists(db, "a"));
	db_close(db);
}

int main(void)
{
	const char *tmp = getenv("GAZETTE_TESTTMP");
	snprintf(dir, sizeof dir, "%s/test_migrate-%ld", tmp && *tmp ? tmp : "/tmp",
	         (long)getpid());
	if (tmp && *tmp)
		mkdir(tmp, 0700);
	if (mkdir(dir, 0700) < 0) {
		perror(dir);
		return 1;
	}
	test_fresh_and_again();
	test_failure_rolls_back();
	test_refusals();
	test_status();
	test_real_schema();
	test_concurrent();
	test_lock_waits();
	int r = check_done("test_migrate");
	if (r == 0) {
		char cmd[700];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		(void)!system(cmd);
	}
	return r;
}
