/* The SQL of the page keeper (keeper.c). Results are db_result codes. */
#ifndef GAZETTE_DB_KEEPER_H
#define GAZETTE_DB_KEEPER_H

#include "db.h"

#include <stddef.h>

struct db_change {
	long long id;
	int site;                     /* a 'site' change: every page */
	long long article_id;         /* an 'article' change */
	long long old_category_id;    /* 0 when unknown (an insert) */
	long long old_published_at;   /* 0 when none */
};

/* Up to max changes with id > after, in order. */
enum db_result db_keeper_changes(struct db *db, long long after, struct db_change *out, size_t max,
				 size_t *n);
/* The newest change id (0 when none ever). */
enum db_result db_keeper_watermark(struct db *db, long long *id);
/* Deletes the changes up to id (the keeper has handled them). */
enum db_result db_keeper_forget(struct db *db, long long id);
/* Ids of scheduled articles whose time lies in (after, now]. */
enum db_result db_keeper_due(struct db *db, long long after, long long now, long long *ids,
			     size_t max, size_t *n);
/* Where an article is now: its category and time; *is_public tells whether
 * visitors see it at now. DB_NOTFOUND when the row is gone. */
enum db_result db_keeper_article(struct db *db, long long id, long long now, long long *category_id,
				 long long *published_at, int *is_public);
/* Public article ids older than (pub, id), newest first: the full render's
 * cursor (start with pub = LLONG_MAX). */
enum db_result db_keeper_next_ids(struct db *db, long long now, long long pub, long long id,
				  long long *ids, long long *pubs, size_t max, size_t *n);

#endif
