/* Deep list pages (db_articles_list at an offset, through list_days) return
 * exactly the rows of a plain OFFSET query, for every offset of every scope,
 * after random inserts, backdated and future publishes, unpublishes, soft
 * deletes and restores, hard deletes, category and subcategory moves, with
 * ties in time, articles on day boundaries, before 1970 and without a time;
 * the trigger-kept list_days and list_counts always equal a fresh count
 * (db_lists_check), which reports a damaged row; a damaged list_days shows
 * in the pages (so they do come from it); and a deep page costs about what
 * a shallow one does. */
#include "arena.h"
#include "db.h"
#include "db_lists.h"
#include "db_public.h"
#include "scratch_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXROWS = 8000, NCAT = 6 };

/* Midday of a fixed day, so that "today" holds past and future articles. */
static const long long DAY0 = 20783, NOW = 20783 * 86400LL + 50000;

/* Whether compare_scope says which pages differ (not where they must). */
static bool verbose = true;

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static long long rnd(long long n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (long long)(rng % (unsigned long long)n);
}

static void exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "  %s: %s\n", sql, msg);
		CHECK(0);
	}
	sqlite3_free(msg);
}

/* Runs sql with ?1..?3 bound (a NULL ?3 when t3 is false). */
static void run(struct db *db, const char *sql, long long p1, long long p2, long long p3, bool t3)
{
	sqlite3_stmt *st;
	CHECK(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_int64(st, 1, p1);
	sqlite3_bind_int64(st, 2, p2);
	if (t3)
		sqlite3_bind_int64(st, 3, p3);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		fprintf(stderr, "  %s: %s\n", sql, sqlite3_errmsg(db->h));
	CHECK(rc == SQLITE_DONE);
	sqlite3_finalize(st);
}

/* A publication time from the cases that matter: any second of the last
 * forty days, day boundaries and the second before, one shared second (ties
 * go by id), now, later today, later days, before 1970, long ago. Sets
 * *has to false for no time at all. */
static long long pick_time(bool *has)
{
	*has = true;
	switch (rnd(12)) {
	case 0:
		return (DAY0 - rnd(40)) * 86400;
	case 1:
		return (DAY0 - rnd(40)) * 86400 - 1;
	case 2:
		return (DAY0 - 3) * 86400 + 777;
	case 3:
		return NOW;
	case 4:
		return NOW + 1 + rnd(86400 - 50000 - 1);
	case 5:
		return NOW + 86400 + rnd(3 * 86400);
	case 6:
		return -rnd(3 * 86400);
	case 7:
		*has = false;
		return 0;
	case 8:
		return NOW - 400 * 86400 - rnd(86400);
	default:
		return NOW - rnd(40 * 86400);
	}
}

static const char *const statuses[] = {"published", "published", "scheduled", "draft", "archived"};

static void insert(struct db *db)
{
	bool has;
	long long t = pick_time(&has);
	char sql[300];
	snprintf(sql, sizeof sql,
	         "INSERT INTO articles(category_id, title, status, published_at, created_at, "
	         "updated_at) VALUES (?1, 'a' || ?2, '%s', ?3, 0, 0)",
	         statuses[rnd(5)]);
	run(db, sql, 1 + rnd(NCAT), rnd(1000), t, has);
}

/* One random change to a random article (or category). */
static void change(struct db *db)
{
	long long id = 1 + rnd(sqlite3_last_insert_rowid(db->h) + 5);
	bool has;
	long long t;
	char sql[200];
	switch (rnd(9)) {
	case 0:
		snprintf(sql, sizeof sql, "UPDATE articles SET status = '%s' WHERE id = ?1",
		         statuses[rnd(5)]);
		run(db, sql, id, 0, 0, false);
		break;
	case 1: /* backdated, postponed or cleared */
		t = pick_time(&has);
		run(db, "UPDATE articles SET published_at = ?3 WHERE id = ?1", id, 0, t, has);
		break;
	case 2:
		run(db, "UPDATE articles SET deleted_at = ?2 WHERE id = ?1", id, NOW, 0, false);
		break;
	case 3:
		run(db, "UPDATE articles SET deleted_at = NULL WHERE id = ?1", id, 0, 0, false);
		break;
	case 4:
		run(db, "DELETE FROM articles WHERE id = ?1", id, 0, 0, false);
		break;
	case 5:
		run(db, "UPDATE articles SET category_id = ?2 WHERE id = ?1", id, 1 + rnd(NCAT), 0,
		    false);
		break;
	case 6: /* a subcategory moves to another section */
		run(db, "UPDATE categories SET parent_id = ?2 WHERE id = ?1", 3 + rnd(3),
		    (long long[]){1, 2, 6}[rnd(3)], 0, false);
		break;
	case 7: /* a scheduled publication whose time has not come, or has */
		t = NOW + (rnd(2) ? 1 : -1) * (1 + rnd(2 * 86400));
		run(db, "UPDATE articles SET status = 'scheduled', published_at = ?3 WHERE id = ?1",
		    id, 0, t, true);
		break;
	default:
		insert(db);
	}
}

/* The plain OFFSET query the seek must agree with, written out longhand. */
static size_t reference(struct db *db, enum db_scope scope, long long id, long long now, int limit,
                        long long offset, long long *ids)
{
	static const char *const where[] = {
	    [DB_SCOPE_SITE] = "?2 = ?2",
	    [DB_SCOPE_PINNED] = "pinned = 1 AND ?2 = ?2",
	    [DB_SCOPE_SECTION] = "section_id = ?2",
	    [DB_SCOPE_CATEGORY] = "category_id = ?2",
	};
	char sql[400];
	snprintf(sql, sizeof sql,
	         "SELECT id FROM articles WHERE %s AND status IN ('published', 'scheduled') "
	         "AND deleted_at IS NULL AND published_at <= ?1 ORDER BY %s published_at DESC, "
	         "id DESC LIMIT ?3 OFFSET ?4",
	         where[scope], scope == DB_SCOPE_PINNED ? "pinned DESC," : "");
	sqlite3_stmt *st;
	CHECK(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	size_t n = 0;
	while (n < MAXROWS && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* db_articles_list equals the reference at every offset up to past the end,
 * for each limit; returns how many pages differed (and says where). */
static int compare_scope(struct db *db, enum db_scope scope, long long id, long long now)
{
	static long long want[MAXROWS];
	static const int limits[] = {1, 3, 20};
	long long total = (long long)reference(db, scope, id, now, MAXROWS, 0, want);
	int bad = 0;
	for (size_t l = 0; l < sizeof limits / sizeof *limits; l++)
		for (long long off = 0; off <= total + 2; off++) {
			struct arena a = ARENA_INIT;
			struct db_article *got;
			size_t n = 0;
			/* both kinds of list: the API's and the pages' (index only) */
			enum db_list_cols cols = off % 2 ? DB_LIST_TITLES : DB_LIST_FULL;
			enum db_result r = db_articles_list(db, scope, cols, id, now, limits[l],
							    off, &a, &got, &n);
			long long ref[20];
			size_t m = reference(db, scope, id, now, limits[l], off, ref);
			bool same = r == DB_OK && n == m;
			for (size_t i = 0; same && i < n; i++)
				same = got[i].id == ref[i];
			if (!same && bad++ < 3 && verbose)
				fprintf(
				    stderr,
				    "  scope %d id %lld now %lld limit %d offset %lld: %zu rows "
				    "(%s), want %zu\n",
				    (int)scope, id, now, limits[l], off, n,
				    r == DB_OK ? "ok" : "error", m);
			arena_free(&a);
		}
	return bad;
}

/* Every scope, at now and two days later (when today's scheduled articles
 * have come out). Returns the number of differing pages. */
static int compare_all(struct db *db)
{
	int bad = 0;
	for (int k = 0; k < 2; k++) {
		long long now = NOW + k * 2 * 86400;
		bad += compare_scope(db, DB_SCOPE_SITE, 0, now);
		bad += compare_scope(db, DB_SCOPE_PINNED, 0, now);
		for (long long c = 1; c <= NCAT + 1; c++) {
			bad += compare_scope(db, DB_SCOPE_SECTION, c, now);
			bad += compare_scope(db, DB_SCOPE_CATEGORY, c, now);
		}
	}
	return bad;
}

static void count_problem(const char *line, void *ctx)
{
	(void)line;
	(*(int *)ctx)++;
}

static int drift(struct db *db)
{
	int problems = 0;
	CHECK(db_lists_check(db, count_problem, &problems) == SQLITE_OK);
	return problems;
}

static int vm_steps;
static int count_step(void *ctx)
{
	(void)ctx;
	vm_steps++;
	return 0;
}

/* SQLite VM instructions of one list call. */
static int list_cost(struct db *db, enum db_scope scope, long long id, long long offset)
{
	struct arena a = ARENA_INIT;
	struct db_article *got;
	size_t n;
	vm_steps = 0;
	sqlite3_progress_handler(db->h, 1, count_step, NULL);
	CHECK(db_articles_list(db, scope, DB_LIST_TITLES, id, NOW, 20, offset, &a, &got, &n) ==
	      DB_OK);
	sqlite3_progress_handler(db->h, 0, NULL, NULL);
	CHECK(n == 20);
	arena_free(&a);
	return vm_steps;
}

int main(void)
{
	char path[700];
	struct db *db = scratch_db_open("test_list_days", path, sizeof path);
	if (!db)
		return check_done("test_list_days");
	exec(db, "INSERT INTO categories(id, slug, name, parent_id, created_at) VALUES "
	         "(1, 'world', 'World', NULL, 0), (2, 'sport', 'Sport', NULL, 0), "
	         "(6, 'empty', 'Empty', NULL, 0), (3, 'europe', 'Europe', 1, 0), "
	         "(4, 'asia', 'Asia', 1, 0), (5, 'football', 'Football', 2, 0)");

	/* An empty site: every offset is past the end. */
	CHECK(compare_all(db) == 0);
	CHECK(drift(db) == 0);

	exec(db, "BEGIN");
	for (int i = 0; i < 150; i++)
		insert(db);
	exec(db, "COMMIT");
	CHECK(drift(db) == 0);
	CHECK(compare_all(db) == 0);
	for (int round = 0; round < 8; round++) {
		exec(db, "BEGIN");
		for (int i = 0; i < 60; i++)
			change(db);
		exec(db, "COMMIT");
		int problems = drift(db), bad = compare_all(db);
		if (problems || bad)
			fprintf(stderr, "  round %d: %d rows drifted, %d pages differ\n", round,
			        problems, bad);
		CHECK(problems == 0);
		CHECK(bad == 0);
	}

	/* A large section, 100 articles a day for 40 days: page 150 costs about
	 * what page 3 does, where OFFSET would skip 3,000 entries. */
	exec(db, "BEGIN");
	for (long long i = 0; i < 4000; i++)
		run(db,
		    "INSERT INTO articles(category_id, title, status, published_at, created_at, "
		    "updated_at) VALUES (1, 'bulk', 'published', ?1, 0, 0)",
		    (DAY0 - 41) * 86400 + i * 864, 0, 0, false);
	exec(db, "COMMIT");
	CHECK(drift(db) == 0);
	int shallow = list_cost(db, DB_SCOPE_SECTION, 1, 40),
	    deep = list_cost(db, DB_SCOPE_SECTION, 1, 3000);
	printf("VM steps for 20 rows of a 4,000-article section: offset 40 %d, offset 3000 %d\n",
	       shallow, deep);
	CHECK(deep < 2 * shallow);
	CHECK(compare_scope(db, DB_SCOPE_SECTION, 1, NOW) == 0);

	/* A damaged list_days: gazette check says where, and the deep pages it
	 * steers go wrong (so they do come from it), the first page does not. */
	exec(db, "UPDATE list_days SET older = older + 2 WHERE kind = 'section' AND id = 1 "
	         "AND day = (SELECT day FROM list_days WHERE kind = 'section' AND id = 1 "
	         "ORDER BY day LIMIT 1 OFFSET 20)");
	CHECK(drift(db) == 1);
	verbose = false;
	CHECK(compare_scope(db, DB_SCOPE_SECTION, 1, NOW) > 0);
	long long ref[20];
	struct arena a = ARENA_INIT;
	struct db_article *got;
	size_t n;
	CHECK(db_articles_list(db, DB_SCOPE_SECTION, DB_LIST_FULL, 1, NOW, 20, 0, &a, &got, &n) ==
	      DB_OK);
	CHECK(n == reference(db, DB_SCOPE_SECTION, 1, NOW, 20, 0, ref) && n == 20 &&
	      got[0].id == ref[0] && got[19].id == ref[19]);
	arena_free(&a);
	exec(db, "UPDATE list_counts SET n = n + 1 WHERE kind = 'site'");
	CHECK(drift(db) == 2);

	scratch_db_remove(db, path);
	return check_done("test_list_days");
}
