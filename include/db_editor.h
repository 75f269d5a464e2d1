/*
 * The SQL behind editors' writes: articles as editors see them (every
 * status), saving with a revision, soft delete, and the editors' list.
 * Writes expect the caller's BEGIN IMMEDIATE transaction on the writable
 * connection. Results are db_result codes.
 */
#ifndef GAZETTE_DB_EDITOR_H
#define GAZETTE_DB_EDITOR_H

#include "db_public.h"

struct arena;

struct db_editor_article {
	long long id, category_id, cover_media_id; /* 0: none */
	long long published_at;                    /* 0 with has_published_at false: none */
	int has_published_at, pinned;
	long long created_at, updated_at, views;
	long long version;    /* the edit-conflict guard: +1 on every save */
	long long created_by; /* 0: unknown (the CLI, a removed user) */
	const char *title, *summary, *body_md, *body_html, *source, *author, *status;
	const char *category_slug, *category_name, *updated_by, *created_by_name;
	/* The latest review step ("" action when none): submit, approve or
	 * send_back, with its comment, who and when. */
	const char *review_action, *review_comment, *review_by;
	long long review_at;
};

/* A category id by slug. */
enum db_result db_editor_category(struct db *db, const char *slug, long long *id);
/* Does media row id exist? DB_OK or DB_NOTFOUND. */
enum db_result db_editor_media(struct db *db, long long id);
/* An article that is not deleted, any status. */
enum db_result db_editor_article(struct db *db, long long id, struct arena *a,
				 struct db_editor_article *out);
/* Inserts a (with its view counter row); sets a->id. */
enum db_result db_editor_insert(struct db *db, struct db_editor_article *a, long long user_id,
				long long now);
/* Writes every field of a to its row and adds one to its version, if the
 * row's version is still expect_version: DB_NOTFOUND when no row changed
 * (deleted, or saved by someone else since: the caller tells which). */
enum db_result db_editor_update(struct db *db, const struct db_editor_article *a,
				long long expect_version, long long user_id, long long now);
/* Copies the row as it is now into revisions. */
enum db_result db_editor_revision(struct db *db, long long id, long long user_id, long long now);
/* Marks the article deleted. */
enum db_result db_editor_delete(struct db *db, long long id, long long user_id, long long now);
/* What the editors' list shows: NULL/0 for no filter. */
struct db_editor_filter {
	const char *status;
	long long category_id; /* that category or, for a top-level one, its section */
	const char *title;     /* a piece of the title, any case */
	long long created_by;  /* only articles this user created */
	/* Per-category rights: a JSON array of the category ids the user may
	 * see ("[3,7]", from article_rights_json), or NULL for every one. */
	const char *categories;
	/* The review queue's order: newest submission first (else last change). */
	bool by_submission;
};

/* Articles that are not deleted, by last change, filtered; *out (arena)
 * holds up to limit, *total counts them all. */
enum db_result db_editor_list(struct db *db, const struct db_editor_filter *f, int limit,
			      long long offset, struct arena *a, struct db_editor_article **out,
			      size_t *n, long long *total);

#endif
