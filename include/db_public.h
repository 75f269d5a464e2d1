/*
 * The read queries behind the public site. Every function takes the time
 * "now" (Unix seconds) that decides which scheduled articles are already
 * public, so a scheduled article appears at its time with no cron job.
 * Strings in the results are copied into the caller's arena.
 *
 * Results: DB_OK, DB_NOTFOUND, or DB_BUSY (the database stayed locked past
 * the busy timeout: answer 503 with Retry-After) or DB_ERROR (a bug or a
 * broken file: 500, logged).
 */
#ifndef GAZETTE_DB_PUBLIC_H
#define GAZETTE_DB_PUBLIC_H

#include "db.h"

struct arena;

struct db_category {
	long long id, parent_id; /* parent_id 0: top level */
	const char *slug, *name;
	int position;
};

/* An article as lists and pages show it. Fields a query does not fill are
 * zero or "". */
struct db_article {
	long long id, category_id, published_at, updated_at, views;
	int pinned;
	const char *title, *summary, *body_html, *source, *author;
	const char *category_slug, *category_name;
};

struct db_link {
	long long id; /* 0: none */
	const char *title;
};

/* SELECT 1: does the database answer? */
enum db_result db_ping(struct db *db);

/* All settings rows; calls fn(key, value, ctx) for each. */
enum db_result db_settings_each(struct db *db, void (*fn)(const char *key, const char *value,
							  void *ctx),
				void *ctx);

/* All categories, parents before children, each level by position; *out is
 * an arena array of *n items. */
enum db_result db_categories_all(struct db *db, struct arena *a, struct db_category **out,
				 size_t *n);

/* A public article and its view count; category_slug and category_name are
 * "" (the site data has the categories: app_category). */
enum db_result db_article_public(struct db *db, long long id, long long now, struct arena *a,
				 struct db_article *out);

/* The public neighbours of art in its category by (published_at, id):
 * newer is the one listed above it, older the one below. */
enum db_result db_article_neighbors(struct db *db, const struct db_article *art, long long now,
				    struct arena *a, struct db_link *newer, struct db_link *older);

/* Which articles a list holds. */
enum db_scope {
	DB_SCOPE_SITE,     /* every public article */
	DB_SCOPE_PINNED,   /* pinned ones of the whole site */
	DB_SCOPE_SECTION,  /* a top-level category with its subcategories */
	DB_SCOPE_CATEGORY, /* one subcategory */
};

/* What a list reads of each article. */
enum db_list_cols {
	DB_LIST_FULL,   /* id, category, times, pinned, title, summary */
	DB_LIST_TITLES, /* what the pages' lists show: id, category, published_at
			 * and title, from the index alone; summary "", pinned 0,
			 * updated_at = published_at */
};

/*
 * Public articles of a scope (id: the category for SECTION/CATEGORY),
 * newest first, skipping offset, at most limit of them into *out (arena).
 */
enum db_result db_articles_list(struct db *db, enum db_scope scope, enum db_list_cols cols,
				long long id, long long now, int limit, long long offset,
				struct arena *a, struct db_article **out, size_t *n);
/* How many public articles the scope holds. */
enum db_result db_articles_count(struct db *db, enum db_scope scope, long long id, long long now,
				 long long *count);

/* Counts one view of a public article on a writable connection; *views
 * gets the new total. DB_NOTFOUND for an id that is not public. */
enum db_result db_article_view(struct db *db, long long id, long long now, long long *views);

/* For the view tally (tally.h). */
struct db_view_base {
	long long views; /* article_views: every pool's and process's views written */
	long long born;  /* the article's created_at */
	long long mark;  /* how many of them this tally added */
};
/* The counts of public article id for tally (DB_NOTFOUND when it is not public). */
enum db_result db_view_base(struct db *db, const char *tally, long long id, long long now,
			    struct db_view_base *out);
/* Adds to article id's views what tally counted beyond its mark, total in
 * all, and moves the mark: writing the same total twice adds nothing. */
enum db_result db_view_add(struct db *db, const char *tally, long long id, long long born,
			   long long total);

struct search_query;

/* A search hit: the article and its Markdown, for the snippet. */
struct db_hit {
	long long id, published_at;
	const char *title, *body_md;
};

/* How many of the newest matches a search ranks (GAZETTE_SEARCH_RANK_MAX
 * in the environment overrides it, for tests). */
enum { DB_SEARCH_RANK_MAX = 1000 };

/*
 * Public articles matching q, best first (BM25 without term weights, title
 * weighted ten times the body) among the newest DB_SEARCH_RANK_MAX matches,
 * skipping offset, at most limit into *out (arena). *total gets the number
 * of matches, or DB_SEARCH_RANK_MAX with *total_is_lower_bound set when
 * more match: the work per search is bounded however many articles match.
 */
enum db_result db_search(struct db *db, const struct search_query *q, long long now, int limit,
			 long long offset, struct arena *a, struct db_hit **out, size_t *n,
			 long long *total, bool *total_is_lower_bound);

#endif
