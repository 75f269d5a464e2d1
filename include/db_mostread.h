/*
 * The SQL of the "most read" lists: public articles ranked by the views of
 * their daily buckets (article_views_daily, sql/005_reads.sql) over the last
 * few UTC days. Results are db_result codes; strings go to the arena.
 */
#ifndef GAZETTE_DB_MOSTREAD_H
#define GAZETTE_DB_MOSTREAD_H

#include "db_public.h"

#include <stddef.h>

enum {
	MOSTREAD_DAYS_MAX = 30,  /* the longest window a list may ask for */
	MOSTREAD_LIMIT_MAX = 50, /* the longest list */
};

/* The UTC day (days since 1970-01-01) of Unix time t: the bucket a view at
 * t counts in. */
long long db_mostread_day(long long t);

/*
 * The public articles of scope (DB_SCOPE_SITE, DB_SCOPE_SECTION or
 * DB_SCOPE_CATEGORY; id: the category) with the most views in the `days`
 * UTC days that end with today (now's day), most first; ties go to the
 * newer article. At most limit into *out (an arena array), each with the
 * window's views in ->views; an article without views in the window is not
 * listed. DB_ERROR for another scope or days/limit out of 1..MAX.
 */
enum db_result db_most_read(struct db *db, enum db_scope scope, long long id, long long now,
                            int days, int limit, struct arena *a, struct db_article **out,
                            size_t *n);

#endif
