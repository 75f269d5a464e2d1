/*
 * The SQL behind article revisions: the list of an article's revisions, one
 * revision whole, and keeping their number bounded. A revision is a
 * snapshot of the article after one save (article_save writes it through
 * db_editor_revision and then prunes with db_revision_prune in the same
 * transaction); restoring one is a save too. Results are db_result codes.
 *
 * What a save keeps of an article's revisions: the newest `revisions_keep`
 * (a site setting, default 50), and besides those the last revision of each
 * UTC day of the past REVISION_DAYS days, so an editor can still go back to
 * how the article stood on a given day. Anything else goes. An article
 * therefore has at most revisions_keep + REVISION_DAYS revisions.
 */
#ifndef GAZETTE_DB_REVISION_H
#define GAZETTE_DB_REVISION_H

#include "db_public.h"

#include <stddef.h>

struct arena;

enum {
	REVISION_DAYS = 365,        /* days for which the last revision of each day is kept */
	REVISION_KEEP_DEFAULT = 50, /* revisions_keep when the setting is missing */
};

struct db_revision {
	long long id, article_id, category_id;
	long long published_at; /* 0 with has_published_at false: none */
	int has_published_at, pinned;
	long long created_at; /* when the save happened */
	const char *username; /* who saved it; "" when unknown (a removed user) */
	const char *title, *status;
	/* The rest is filled by db_revision_get only ("" in a list). */
	const char *summary, *body_md, *source, *author;
};

/*
 * The revisions of article_id, newest first: up to limit from offset into
 * *out (an arena array, strings in the arena too), with id, created_at,
 * username, title and status filled; *total counts them all.
 */
enum db_result db_revision_list(struct db *db, long long article_id, int limit, long long offset,
                                struct arena *a, struct db_revision **out, size_t *n,
                                long long *total);

/* Revision id with every field, strings in the arena; DB_NOTFOUND when
 * there is none. Says nothing about its article: check that separately. */
enum db_result db_revision_get(struct db *db, long long id, struct arena *a,
                               struct db_revision *out);

/*
 * Deletes the revisions of article_id that the rule above does not keep,
 * judged at time now. keep is how many of the newest stay; keep <= 0 means
 * the site setting revisions_keep as stored (read inside the caller's
 * transaction, so a save never prunes by a stale value). Call it on a
 * writable connection inside the transaction that added the revision.
 */
enum db_result db_revision_prune(struct db *db, long long article_id, int keep, long long now);

/* The revisions_keep setting as stored, or REVISION_KEEP_DEFAULT when it
 * is missing or not a number from 1 to 1000. */
enum db_result db_revision_keep(struct db *db, int *keep);

/* One article's share of the revisions (db_revision_stats). */
struct db_revision_count {
	long long article_id;
	long long count;  /* revisions it has */
	long long excess; /* of them, the ones its next save will prune */
};

/*
 * Counts for `gazette check`: every revision (*total) and the articles that
 * have any (*articles); the `ntop` articles with the most revisions into
 * top[] (*ntopped of them, most first); and the articles above the bound
 * (excess > 0: more revisions than keep and the daily ones allow at now,
 * which happens when revisions_keep was lowered or revisions were written
 * around article_save) into over[] (at most nover, *novered; *over_total
 * counts them all).
 */
enum db_result db_revision_stats(struct db *db, int keep, long long now, long long *total,
                                 long long *articles, struct db_revision_count *top, size_t ntop,
                                 size_t *ntopped, struct db_revision_count *over, size_t nover,
                                 size_t *novered, long long *over_total);

#endif
