/*
 * The SQL behind article revisions: the list of an article's revisions and
 * one revision whole. A revision is a snapshot of the article after one
 * save (article_save writes it through db_editor_revision); restoring one
 * is a save too, so this module only reads. Results are db_result codes.
 */
#ifndef GAZETTE_DB_REVISION_H
#define GAZETTE_DB_REVISION_H

#include "db_public.h"

#include <stddef.h>

struct arena;

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

#endif
