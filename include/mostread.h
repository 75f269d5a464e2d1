/*
 * "Most read this week": the lists of the home page and of each category
 * page, and the memo that keeps them cheap. Ranking a week of daily view
 * buckets costs about a microsecond per bucket (7 ms for 1,000 articles
 * read every day), far more than the rest of a page, so each process keeps
 * the lists it computed and reuses one until the refresh interval has
 * passed, an article or category changed (a page_changes row was written)
 * or the UTC day turned. The page keeper re-renders a page whose list
 * changed at most once per interval (keeper.c), so files and pages a worker
 * renders show lists at most one interval old.
 *
 * The interval is GAZETTE_MOSTREAD_REFRESH seconds (1–86400, default 60),
 * read from the environment once per process; tests shorten it.
 */
#ifndef GAZETTE_MOSTREAD_H
#define GAZETTE_MOSTREAD_H

#include "app.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	MOSTREAD_WEEK = 7,        /* the pages' window: the last seven UTC days, today included */
	MOSTREAD_PAGE_LIMIT = 10, /* articles a page lists */
	MOSTREAD_REFRESH_DEFAULT = 60,
};

/* The refresh interval in milliseconds. */
long long mostread_interval_ms(void);

/*
 * The public articles of scope/id (see db_most_read) with the most views in
 * the last `days` UTC days up to now, at most limit, into *out (arena), each
 * with ->views; from the memo unless it is stale or fresh is true (a fresh
 * list replaces the memo's). DB_ERROR for days or limit out of range.
 */
enum db_result mostread_list(struct app *app, enum db_scope scope, long long id, int days,
                             int limit, long long now, bool fresh, struct arena *a,
                             struct db_article **out, size_t *n);

/*
 * The list a page shows: the whole site's for home (cat NULL), a top-level
 * category's with its subcategories', or one subcategory's. Adds
 * "most_read" [{id, title, url, date, summary, category, views, views_unit}] and
 * "has_most_read" to d (page data).
 */
enum db_result mostread_page(struct app *app, const struct db_category *cat, long long now,
                             struct arena *a, cJSON *d);

/* A hash of the list mostread_page shows (cat as there): from the memo, or
 * computed afresh into it when fresh is true. The keeper compares them to
 * tell whether a page's list changed. */
enum db_result mostread_signature(struct app *app, const struct db_category *cat, long long now,
                                  bool fresh, uint64_t *sig);

/* GET /api/articles/most-read (api_mostread.c) and its query fields. */
void api_most_read(struct app *app, struct http_req *req);
extern const struct field_spec api_most_read_fields[];

#endif
