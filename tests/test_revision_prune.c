/* Bounded revisions (db_revision_prune, db_revision_keep, db_revision_stats)
 * against a reference written out longhand here: random histories pruned
 * after every save keep exactly the newest N by id plus the last revision of
 * each UTC day of the past REVISION_DAYS days; pruning one article leaves
 * the others alone; the setting is read from the database with a safe
 * default; the counts for `gazette check` and their excess are right; and
 * the prune reads the article's index range rather than the whole table. */
#include "arena.h"
#include "db.h"
#include "db_revision.h"
#include "scratch_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXREV = 2000 };

static const long long NOW = 1795700000; /* 2026-11-26, a fixed "now" */

static void exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "  %s: %s\n", sql, msg);
		CHECK(0);
	}
	sqlite3_free(msg);
}

static long long add_revision(struct db *db, long long article, long long created_at)
{
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db->h,
	                   "INSERT INTO revisions(article_id, title, summary, body_md, source, "
	                   "author, category_id, status, pinned, created_at) "
	                   "VALUES (?1, 't', '', '', '', '', 1, 'draft', 0, ?2)",
	                   -1, &st, NULL);
	sqlite3_bind_int64(st, 1, article);
	sqlite3_bind_int64(st, 2, created_at);
	CHECK(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
	return sqlite3_last_insert_rowid(db->h);
}

/* The ids of article's revisions, ascending, into ids; returns how many. */
static size_t stored(struct db *db, long long article, long long *ids)
{
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db->h, "SELECT id FROM revisions WHERE article_id = ?1 ORDER BY id", -1,
	                   &st, NULL);
	sqlite3_bind_int64(st, 1, article);
	size_t n = 0;
	while (n < MAXREV && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The reference: which of the revisions (ids ascending, with their times)
 * the rule keeps at now. */
static size_t expected(const long long *ids, const long long *at, size_t n, int keep, long long now,
                       long long *out)
{
	long long first_day = now / 86400 - (REVISION_DAYS - 1);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool newest = i + (size_t)keep >= n;
		bool last_of_day = at[i] / 86400 >= first_day;
		for (size_t j = i + 1; j < n && last_of_day; j++)
			if (at[j] / 86400 == at[i] / 86400)
				last_of_day = false;
		if (newest || last_of_day)
			out[m++] = ids[i];
	}
	return m;
}

static bool same(const long long *a, size_t na, const long long *b, size_t nb)
{
	return na == nb && (na == 0 || !memcmp(a, b, na * sizeof *a));
}

/* Saves one by one, pruning after each as article_save does, over a random
 * history that runs from before the window to today. */
static void random_history(struct db *db, unsigned seed, long long article, int keep, int effective,
                           size_t saves)
{
	static long long ids[MAXREV], at[MAXREV], want[MAXREV], got[MAXREV];
	srand(seed);
	long long t = NOW - (long long)(rand() % 500 + 10) * 86400;
	for (size_t i = 0; i < saves; i++) {
		/* mostly several saves a day, sometimes a jump of days or months */
		int r = rand() % 100;
		t += r < 70 ? rand() % 3600 : r < 95 ? 86400 * (rand() % 3) : 86400 * (rand() % 90);
		if (t > NOW)
			t = NOW - (long long)(saves - i);
		ids[i] = add_revision(db, article, t);
		at[i] = t;
		CHECK(db_revision_prune(db, article, keep, NOW) == DB_OK);
	}
	size_t nw = expected(ids, at, saves, effective, NOW, want);
	size_t ng = stored(db, article, got);
	if (!same(want, nw, got, ng))
		fprintf(stderr, "  seed %u keep %d: want %zu revisions, got %zu\n", seed, keep, nw,
		        ng);
	CHECK(same(want, nw, got, ng));
	CHECK(ng <= (size_t)effective + REVISION_DAYS);
}

static long long count_all(struct db *db)
{
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db->h, "SELECT count(*) FROM revisions", -1, &st, NULL);
	sqlite3_step(st);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Every statement of the cache that deletes revisions searches an index. */
static void check_plans(struct db *db)
{
	int seen = 0;
	for (size_t i = 0; i < db->nstmts; i++) {
		const char *sql = db->stmts[i].sql;
		if (strncmp(sql, "DELETE FROM revisions", 21) != 0)
			continue;
		seen++;
		char q[1200];
		snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
		sqlite3_stmt *st;
		CHECK(sqlite3_prepare_v2(db->h, q, -1, &st, NULL) == SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);
			if (strstr(d, "SCAN revisions")) {
				fprintf(stderr, "  plan scans revisions: %s\n", d);
				CHECK(0);
			}
		}
		sqlite3_finalize(st);
	}
	CHECK(seen == 1);
}

int main(void)
{
	char path[700];
	struct db *db = scratch_db_open("test_revision_prune", path, sizeof path);
	if (!db)
		return check_done("test_revision_prune");
	exec(db,
	     "INSERT INTO categories(id, slug, name, created_at) VALUES (1, 'news', 'News', 0)");
	for (int a = 1; a <= 40; a++) {
		char sql[300];
		snprintf(sql, sizeof sql,
		         "INSERT INTO articles(id, category_id, title, created_at, updated_at) "
		         "VALUES (%d, 1, 'a', 0, 0)",
		         a);
		exec(db, sql);
	}

	/* The setting: missing, good, and hand-edited nonsense. */
	int keep = 0;
	CHECK(db_revision_keep(db, &keep) == DB_OK && keep == REVISION_KEEP_DEFAULT);
	exec(db, "INSERT INTO settings(key, value, updated_at) VALUES ('revisions_keep', '7', 0)");
	CHECK(db_revision_keep(db, &keep) == DB_OK && keep == 7);
	static const char *const bad[] = {"0", "-3", "abc", "", "1001", "050", " 7"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sqlite3_stmt *st;
		sqlite3_prepare_v2(db->h,
		                   "UPDATE settings SET value = ?1 WHERE key = 'revisions_keep'",
		                   -1, &st, NULL);
		sqlite3_bind_text(st, 1, bad[i], -1, SQLITE_STATIC);
		CHECK(sqlite3_step(st) == SQLITE_DONE);
		sqlite3_finalize(st);
		CHECK(db_revision_keep(db, &keep) == DB_OK && keep == REVISION_KEEP_DEFAULT);
	}
	exec(db, "UPDATE settings SET value = '7' WHERE key = 'revisions_keep'");

	/* Random histories, small and large keeps, one article each. */
	long long article = 1;
	for (unsigned seed = 1; seed <= 24; seed++, article++) {
		int k = seed % 3 == 0 ? 50 : (int)(seed % 7) + 1;
		random_history(db, seed, article, k, k, seed % 4 == 0 ? 600 : 120);
	}
	/* keep <= 0: the stored setting (7). */
	random_history(db, 99, article++, 0, 7, 200);

	/* Edges: fewer revisions than keep stay; all on one day keep the newest
	 * N only; a day just inside the window keeps its last, just outside not. */
	long long a = article++;
	long long r1 = add_revision(db, a, NOW - 10), r2 = add_revision(db, a, NOW - 5);
	CHECK(db_revision_prune(db, a, 5, NOW) == DB_OK);
	long long ids[MAXREV];
	CHECK(stored(db, a, ids) == 2 && ids[0] == r1 && ids[1] == r2);
	a = article++;
	for (int i = 0; i < 30; i++)
		add_revision(db, a, NOW - 100 + i);
	CHECK(db_revision_prune(db, a, 4, NOW) == DB_OK);
	CHECK(stored(db, a, ids) == 4);
	a = article++;
	long long day0 = (NOW / 86400 - (REVISION_DAYS - 1)) * 86400; /* first second inside */
	long long out1 = add_revision(db, a, day0 - 3600), out2 = add_revision(db, a, day0 - 1);
	/* the last of a day is the last saved (highest id), whatever its time says */
	long long in1 = add_revision(db, a, day0 + 100), in2 = add_revision(db, a, day0);
	long long late = add_revision(db, a, NOW - 7200), latest = add_revision(db, a, NOW - 3600);
	CHECK(db_revision_prune(db, a, 1, NOW) == DB_OK);
	size_t n = stored(db, a, ids);
	CHECK(n == 2 && ids[0] == in2 && ids[1] == latest);
	(void)out1, (void)out2, (void)in1, (void)late;

	/* Pruning one article never touches another's revisions. */
	a = article++;
	long long b = article++;
	for (int i = 0; i < 20; i++) {
		add_revision(db, a, NOW - 50 + i);
		add_revision(db, b, NOW - 50 + i);
	}
	long long before = count_all(db);
	CHECK(db_revision_prune(db, a, 3, NOW) == DB_OK);
	CHECK(stored(db, a, ids) == 3 && stored(db, b, ids) == 20);
	CHECK(count_all(db) == before - 17);

	/* Counts for `gazette check`: b is above the bound at keep 3 by 17. */
	long long total, articles, over_total;
	struct db_revision_count top[3], over[40];
	size_t ntop, nover;
	CHECK(db_revision_stats(db, 3, NOW, &total, &articles, top, 3, &ntop, over, 2, &nover,
	                        &over_total) == DB_OK);
	CHECK(total == count_all(db));
	CHECK(articles == article - 1);
	CHECK(ntop == 3 && top[0].count >= top[1].count && top[1].count >= top[2].count);
	CHECK(over_total >= 1 && nover >= 1);
	/* at keep 1000 nothing is above the bound; at the stored 7 the pruned
	 * histories of keep >= 7 are not either */
	CHECK(db_revision_stats(db, 1000, NOW, &total, &articles, top, 3, &ntop, over, 2, &nover,
	                        &over_total) == DB_OK);
	CHECK(over_total == 0 && nover == 0);
	CHECK(db_revision_stats(db, 3, NOW, &total, &articles, top, 3, &ntop, over, 40, &nover,
	                        &over_total) == DB_OK);
	bool b_over = false;
	for (size_t i = 0; i < nover; i++)
		b_over |= over[i].article_id == b && over[i].excess == 17 && over[i].count == 20;
	CHECK(b_over);
	/* after its prune, b is within the bound */
	CHECK(db_revision_prune(db, b, 3, NOW) == DB_OK);
	CHECK(db_revision_stats(db, 3, NOW, &total, &articles, top, 3, &ntop, over, 40, &nover,
	                        &over_total) == DB_OK);
	for (size_t i = 0; i < nover; i++)
		CHECK(over[i].article_id != b);

	check_plans(db);
	scratch_db_remove(db, path);
	return check_done("test_revision_prune");
}
