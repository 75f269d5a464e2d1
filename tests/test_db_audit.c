/* The audit log page's query (db_audit_list): newest first with ties by
 * id, half-open time ranges, filters by account name (any case) and by a
 * CLI name without an account, paging, and that each form runs through an
 * index of audit_log rather than a scan. Also: the settings form declares
 * every key of settings_table. */
#include "arena.h"
#include "check.h"
#include "db.h"
#include "db_admin.h"
#include "db_audit.h"
#include "db_auth.h"
#include "migrate.h"
#include "page.h"
#include "schema.h"
#include "settings.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct arena arena;

/* The details of the rows f selects (limit 100), joined by spaces. */
static const char *details(struct db *db, const char *user, long long from, long long to, int limit,
                           long long offset)
{
	struct db_audit_filter f = {.username = user, .from = from, .to = to};
	struct db_audit_entry *rows;
	size_t n;
	if (db_audit_list(db, &f, limit, offset, &arena, &rows, &n) != DB_OK)
		return "(error)";
	char *out = arena_strdup(&arena, "");
	for (size_t i = 0; i < n; i++)
		out = arena_printf(&arena, "%s%s%s", out, i ? " " : "", rows[i].detail);
	return out;
}

/* The query plan of every cached statement that reads audit_log: each
 * must search an index, none scan the table. */
static void check_plans(struct db *db)
{
	int seen = 0;
	for (size_t i = 0; i < db->nstmts; i++) {
		const char *sql = db->stmts[i].sql;
		if (!strstr(sql, "FROM audit_log"))
			continue;
		seen++;
		char *q = arena_printf(&arena, "EXPLAIN QUERY PLAN %s", sql);
		sqlite3_stmt *st;
		CHECK(sqlite3_prepare_v2(db->h, q, -1, &st, NULL) == SQLITE_OK);
		bool index = false, scan = false;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);
			if (strstr(d, "audit_log USING") && strstr(d, "INDEX audit_log_by_"))
				index = true;
			if (strstr(d, "SCAN audit_log"))
				scan = true;
		}
		sqlite3_finalize(st);
		CHECK(index && !scan);
		if (!index || scan)
			fprintf(stderr, "plan without the index: %s\n", sql);
	}
	CHECK(seen == 2);
}

static void test_audit(const char *dir)
{
	char path[700], err[300];
	snprintf(path, sizeof path, "%s/test_db_audit-%ld.db", dir, (long)getpid());
	unlink(path);
	struct db *db = db_open(path, DB_CREATE, err, sizeof err);
	CHECK(db != NULL);
	if (!db)
		return;
	CHECK(migrate_run(db, schema_files, schema_nfiles, NULL, err, sizeof err) ==
	      (int)schema_nfiles);
	long long ada, bob;
	CHECK(db_admin_user_add(db, "Ada", "", "admin", "x", 1, &ada) == SQLITE_OK);
	CHECK(db_admin_user_add(db, "bob", "", "editor", "x", 1, &bob) == SQLITE_OK);
	/* Times 100..104; two rows share 102 (ties go newest id first). */
	CHECK(db_auth_audit(db, ada, "Ada", "user.add", "user", bob, "a100", "::1", 100) == DB_OK);
	CHECK(db_auth_audit(db, bob, "bob", "article.create", "article", 1, "b101", "::1", 101) ==
	      DB_OK);
	CHECK(db_auth_audit(db, ada, "Ada", "setting.set", "setting", 0, "a102", "::1", 102) ==
	      DB_OK);
	CHECK(db_admin_audit(db, "cli:root", "user.add", "user", 0, "c102", 102) == SQLITE_OK);
	CHECK(db_admin_audit(db, "Ada", "user.add", "user", 0, "cli-named-ada", 103) == SQLITE_OK);
	CHECK(db_auth_audit(db, bob, "bob", "article.publish", "article", 1, "b104", "::1", 104) ==
	      DB_OK);

	CHECK_STR(details(db, NULL, INT64_MIN, INT64_MAX, 100, 0),
	          "b104 cli-named-ada c102 a102 b101 a100");
	CHECK_STR(details(db, "", INT64_MIN, INT64_MAX, 100, 0),
	          "b104 cli-named-ada c102 a102 b101 a100");
	/* from is inclusive, to exclusive. */
	CHECK_STR(details(db, NULL, 101, 104, 100, 0), "cli-named-ada c102 a102 b101");
	CHECK_STR(details(db, NULL, 105, INT64_MAX, 100, 0), "");
	/* Paging. */
	CHECK_STR(details(db, NULL, INT64_MIN, INT64_MAX, 2, 0), "b104 cli-named-ada");
	CHECK_STR(details(db, NULL, INT64_MIN, INT64_MAX, 2, 2), "c102 a102");
	CHECK_STR(details(db, NULL, INT64_MIN, INT64_MAX, 2, 6), "");
	CHECK_STR(details(db, NULL, INT64_MIN, INT64_MAX, 0, 0), "");
	/* An account's rows by its name in any case; a CLI row that only
	 * carries the same name is not the account's. */
	CHECK_STR(details(db, "ada", INT64_MIN, INT64_MAX, 100, 0), "a102 a100");
	CHECK_STR(details(db, "ADA", 101, INT64_MAX, 100, 0), "a102");
	CHECK_STR(details(db, "bob", INT64_MIN, INT64_MAX, 100, 0), "b104 b101");
	/* A name without an account: the CLI's rows under it. */
	CHECK_STR(details(db, "cli:root", INT64_MIN, INT64_MAX, 100, 0), "c102");
	CHECK_STR(details(db, "CLI:ROOT", INT64_MIN, 102, 100, 0), "");
	CHECK_STR(details(db, "nobody", INT64_MIN, INT64_MAX, 100, 0), "");
	/* Hostile text is only ever a bound value. */
	CHECK_STR(details(db, "' OR 1=1 --", INT64_MIN, INT64_MAX, 100, 0), "");

	struct db_audit_filter f = {.from = INT64_MIN, .to = INT64_MAX};
	struct db_audit_entry *rows;
	size_t n;
	CHECK(db_audit_list(db, &f, 1, 5, &arena, &rows, &n) == DB_OK && n == 1);
	if (n == 1) {
		CHECK(rows[0].at == 100 && rows[0].object_id == bob);
		CHECK_STR(rows[0].username, "Ada");
		CHECK_STR(rows[0].action, "user.add");
		CHECK_STR(rows[0].object_type, "user");
		CHECK_STR(rows[0].address, "::1");
	}
	CHECK(db_audit_list(db, &f, 1, 2, &arena, &rows, &n) == DB_OK && n == 1);
	if (n == 1) /* a CLI row: no object id (NULL) reads as 0 */
		CHECK(rows[0].object_id == 0 && !strcmp(rows[0].address, "cli"));
	check_plans(db);
	db_close(db);
	unlink(path);
}

/* Every setting has its field in the form (an undeclared field would be
 * dropped by the front line, so the setting could never be saved). */
static void test_settings_form(void)
{
	size_t n = 0;
	for (const struct field_spec *f = page_settings_form; f->name; f++)
		n++;
	CHECK(n == settings_count + 1); /* and csrf_token */
	for (size_t i = 0; i < settings_count; i++) {
		bool found = false;
		for (const struct field_spec *f = page_settings_form; f->name; f++)
			found |= !strcmp(f->name, settings_table[i].key);
		CHECK(found);
		if (!found)
			fprintf(stderr, "settings form lacks %s\n", settings_table[i].key);
	}
	CHECK(n <= HTTP_MAX_FIELDS);
}

int main(void)
{
	const char *tmp = getenv("GAZETTE_TESTTMP");
	char dir[512];
	snprintf(dir, sizeof dir, "%s", tmp && *tmp ? tmp : "/tmp");
	mkdir(dir, 0700);
	test_audit(dir);
	test_settings_form();
	arena_free(&arena);
	return check_done("test_db_audit");
}
