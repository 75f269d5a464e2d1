/* Daily view buckets and the most-read query: a counted view lands in
 * today's bucket in the same statement as the total (db_article_view, and
 * any views = views + k); a view of an article that is not public counts
 * nowhere; db_most_read ranks by the window's sum (today and the days
 * before it, not older, not later), ties newest first, per scope (a section
 * with its subcategories, one subcategory, the site), public articles only,
 * within the limit; out-of-range arguments are refused; and the query reads
 * the day index rather than every bucket. */
#include "arena.h"
#include "db.h"
#include "db_mostread.h"
#include "scratch_db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct arena arena;

static void exec(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void exec(struct db *db, const char *fmt, ...)
{
	char sql[1000], *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "  %s: %s\n", sql, msg);
		CHECK(0);
	}
	sqlite3_free(msg);
}

static long long one(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long one(struct db *db, const char *fmt, ...)
{
	char sql[1000];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	sqlite3_stmt *st;
	long long v = -1;
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* "id:views id:views ..." of a most-read list, or "(error N)". */
static const char *list(struct db *db, enum db_scope scope, long long id, long long now, int days,
                        int limit)
{
	struct db_article *arts;
	size_t n;
	enum db_result r = db_most_read(db, scope, id, now, days, limit, &arena, &arts, &n);
	if (r != DB_OK)
		return arena_printf(&arena, "(error %d)", r);
	char *out = arena_strdup(&arena, "");
	for (size_t i = 0; i < n; i++)
		out = arena_printf(&arena, "%s%s%lld:%lld", out, i ? " " : "", arts[i].id,
		                   arts[i].views);
	return out;
}

static void bucket(struct db *db, long long article, long long day, long long views)
{
	exec(db,
	     "INSERT INTO article_views_daily(article_id, day, views) VALUES (%lld, %lld, %lld) "
	     "ON CONFLICT(article_id, day) DO UPDATE SET views = views + excluded.views",
	     article, day, views);
}

int main(void)
{
	char path[700];
	struct db *db = scratch_db_open("test_mostread", path, sizeof path);
	if (!db)
		return check_done("test_mostread");

	long long now = (long long)time(NULL), today = db_mostread_day(now);
	CHECK(db_mostread_day(0) == 0 && db_mostread_day(86399) == 0 &&
	      db_mostread_day(86400) == 1);
	CHECK(db_mostread_day(-1) == -1 && db_mostread_day(-86400) == -1);
	CHECK(today == now / 86400);

	/* news (1) > campus (2), sports (3); research (4) alone. */
	exec(db, "INSERT INTO categories(id, parent_id, slug, name, created_at) VALUES "
	         "(1, NULL, 'news', 'News', 0), (2, 1, 'campus', 'Campus', 0), "
	         "(3, 1, 'sports', 'Sports', 0), (4, NULL, 'research', 'Research', 0)");
	/* Articles 1-6 public (published an hour ago, id 6 newest), 7 a draft,
	 * 8 deleted, 9 scheduled for tomorrow. */
	static const struct {
		int id, cat;
		const char *status;
		long long age;
	} arts[] = {
	    {1, 2, "published", 7200}, {2, 2, "published", 7100}, {3, 3, "published", 7000},
	    {4, 1, "published", 6900}, {5, 4, "published", 6800}, {6, 2, "published", 3600},
	    {7, 2, "draft", 3600},     {8, 2, "published", 3600}, {9, 2, "scheduled", -86400}};
	for (size_t i = 0; i < sizeof arts / sizeof arts[0]; i++)
		exec(db,
		     "INSERT INTO articles(id, category_id, title, status, published_at, "
		     "created_at, "
		     "updated_at) VALUES (%d, %d, 'A%d', '%s', %lld, 0, 0)",
		     arts[i].id, arts[i].cat, arts[i].id, arts[i].status, now - arts[i].age);
	exec(db, "UPDATE articles SET deleted_at = 1 WHERE id = 8");
	for (int id = 1; id <= 9; id++)
		exec(db, "INSERT INTO article_views(article_id, views) VALUES (%d, 0)", id);
	CHECK(one(db, "SELECT count(*) FROM article_views_daily") == 0); /* 0 views: no bucket */

	/* Counting: the total and today's bucket move together. */
	long long views = 0;
	for (int i = 0; i < 3; i++)
		CHECK(db_article_view(db, 1, now, &views) == DB_OK);
	CHECK(views == 3);
	CHECK(one(db, "SELECT views FROM article_views_daily WHERE article_id = 1 AND day = %lld",
	          today) == 3);
	CHECK(db_article_view(db, 7, now, &views) == DB_NOTFOUND); /* a draft counts nowhere */
	CHECK(db_article_view(db, 9, now, &views) == DB_NOTFOUND); /* not yet public */
	CHECK(db_article_view(db, 8, now, &views) == DB_NOTFOUND); /* deleted */
	CHECK(one(db, "SELECT count(*) FROM article_views_daily WHERE article_id IN (7, 8, 9)") ==
	      0);
	/* A batched +k, and a first row that arrives with views. */
	exec(db, "UPDATE article_views SET views = views + 4 WHERE article_id = 2");
	exec(db, "DELETE FROM article_views WHERE article_id = 3");
	exec(db, "INSERT INTO article_views(article_id, views) VALUES (3, 2)");
	CHECK(one(db, "SELECT views FROM article_views_daily WHERE article_id = 2") == 4);
	CHECK(one(db, "SELECT views FROM article_views_daily WHERE article_id = 3") == 2);
	/* Lowering a total (an admin's correction) takes nothing from a bucket. */
	exec(db, "UPDATE article_views SET views = 1 WHERE article_id = 2");
	CHECK(one(db, "SELECT views FROM article_views_daily WHERE article_id = 2") == 4);
	/* A rolled-back count leaves neither: the bucket goes with the total. */
	CHECK(one(db, "SELECT sum(views) FROM article_views_daily") == 9);
	exec(db, "BEGIN IMMEDIATE");
	CHECK(db_article_view(db, 1, now, &views) == DB_OK && views == 4);
	exec(db, "ROLLBACK");
	CHECK(one(db, "SELECT sum(views) FROM article_views_daily") == 9);
	CHECK(one(db, "SELECT views FROM article_views WHERE article_id = 1") == 3);

	/* Buckets of other days: 6 days ago counts in a week, 7 days ago does
	 * not, a future day never. */
	bucket(db, 4, today - 6, 5);  /* 4: 5 in the week */
	bucket(db, 5, today - 7, 50); /* 5: outside the week, inside 8 days */
	bucket(db, 5, today, 1);
	bucket(db, 6, today - 2, 4); /* 6 ties with 2 (4): newer first */
	bucket(db, 3, today + 1, 100);
	bucket(db, 7, today, 99); /* the draft, deleted and scheduled have buckets: never listed */
	bucket(db, 8, today, 99);
	bucket(db, 9, today, 99);

	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now, 7, 10), "4:5 6:4 2:4 1:3 3:2 5:1");
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now, 8, 10), "5:51 4:5 6:4 2:4 1:3 3:2");
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now, 1, 10), "2:4 1:3 3:2 5:1");
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now, 7, 2), "4:5 6:4");
	CHECK_STR(list(db, DB_SCOPE_SECTION, 1, now, 7, 10), "4:5 6:4 2:4 1:3 3:2");
	CHECK_STR(list(db, DB_SCOPE_CATEGORY, 2, now, 7, 10), "6:4 2:4 1:3");
	CHECK_STR(list(db, DB_SCOPE_CATEGORY, 3, now, 7, 10), "3:2");
	CHECK_STR(list(db, DB_SCOPE_SECTION, 4, now, 7, 10), "5:1");
	CHECK_STR(list(db, DB_SCOPE_CATEGORY, 99, now, 7, 10), "");
	/* A day later the window has moved, and the scheduled article is public. */
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now + 86400, 1, 10), "3:100");
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now + 86400, 2, 10), "3:102 9:99 2:4 1:3 5:1");
	/* Unpublishing drops an article from every list. */
	exec(db, "UPDATE articles SET status = 'archived' WHERE id = 4");
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now, 7, 3), "6:4 2:4 1:3");
	/* Moving to another category moves its views with it. */
	exec(db, "UPDATE articles SET category_id = 4 WHERE id = 6");
	CHECK_STR(list(db, DB_SCOPE_SECTION, 4, now, 7, 10), "6:4 5:1");
	CHECK_STR(list(db, DB_SCOPE_CATEGORY, 2, now, 7, 10), "2:4 1:3");

	/* Arguments out of range, and a scope without a most-read list. */
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now, 0, 10), "(error -2)");
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now, MOSTREAD_DAYS_MAX + 1, 10), "(error -2)");
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now, 7, 0), "(error -2)");
	CHECK_STR(list(db, DB_SCOPE_SITE, 0, now, 7, MOSTREAD_LIMIT_MAX + 1), "(error -2)");
	CHECK_STR(list(db, DB_SCOPE_PINNED, 0, now, 7, 10), "(error -2)");
	CHECK(strcmp(list(db, DB_SCOPE_SITE, 0, now, MOSTREAD_DAYS_MAX, MOSTREAD_LIMIT_MAX), "") !=
	      0);

	/* Each cached most-read statement reads the buckets through the day
	 * index, never by scanning them all. */
	int seen = 0;
	for (size_t i = 0; i < db->nstmts; i++) {
		const char *sql = db->stmts[i].sql;
		if (!strstr(sql, "FROM article_views_daily d"))
			continue;
		seen++;
		char *q = arena_printf(&arena, "EXPLAIN QUERY PLAN %s", sql);
		sqlite3_stmt *st;
		CHECK(sqlite3_prepare_v2(db->h, q, -1, &st, NULL) == SQLITE_OK);
		bool index = false;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);
			index |=
			    strstr(d, "USING INDEX article_views_daily_by_day") != NULL ||
			    strstr(d, "USING COVERING INDEX article_views_daily_by_day") != NULL;
			if (strstr(d, "SCAN d")) {
				fprintf(stderr, "  plan scans the buckets: %s\n", d);
				CHECK(0);
			}
		}
		sqlite3_finalize(st);
		CHECK(index);
	}
	CHECK(seen == 3);

	scratch_db_remove(db, path);
	arena_free(&arena);
	return check_done("test_mostread");
}
