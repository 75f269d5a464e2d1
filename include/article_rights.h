/*
 * Who may do what with an article: the one place that decides it, for the
 * API and the editors' pages alike. Roles rank author < editor < admin:
 * an author writes articles and submits them for review, and changes only
 * the ones they created while those are drafts (new or sent back); editors
 * and admins also review, publish, schedule, archive and delete. An admin
 * may limit an author or editor to some categories (a top-level category
 * covers its subcategories; no limit: every category); admins are never
 * limited.
 */
#ifndef GAZETTE_ARTICLE_RIGHTS_H
#define GAZETTE_ARTICLE_RIGHTS_H

#include "app.h"

#include <stdbool.h>

struct auth_user;

enum article_action {
	ARTICLE_VIEW,    /* open it in the editors' pages and API */
	ARTICLE_CREATE,  /* write a new article in the subject's category, or move one there */
	ARTICLE_EDIT,    /* change its content (a draft stays a draft) */
	ARTICLE_SUBMIT,  /* a draft goes to review */
	ARTICLE_REVIEW,  /* approve or send back an article in review */
	ARTICLE_PUBLISH, /* publish, schedule, unpublish or archive outside review */
	ARTICLE_DELETE,
};

/* What the decision looks at. */
struct article_subject {
	long long category_id;
	long long created_by; /* 0: unknown */
	const char *status;   /* NULL: not yet stored */
};

/* The categories a user may work in: all, or the ids (subcategories of a
 * granted top-level category included). */
struct article_rights {
	bool all;
	const long long *ids;
	size_t n;
};

/* Loads u's rights through db (the connection of the caller's transaction,
 * or app->db), the ids in arena a. DB_OK, DB_BUSY or DB_ERROR. */
enum db_result article_rights_load(struct app *app, struct db *db, const struct auth_user *u,
                                   struct arena *a, struct article_rights *out);
/* True when the rights cover category id. */
bool article_rights_cover(const struct article_rights *r, long long category_id);
/* The ids as a JSON array for the list queries ("[3,7]"), NULL for all. */
const char *article_rights_json(const struct article_rights *r, struct arena *a);

/* True for editors and admins: they review and publish. */
bool article_role_reviews(const struct auth_user *u);

/*
 * May u do act on subject s? Returns 0, or 403 with *why (an English
 * sentence for the API's error and the form) and *field (the input it is
 * about: "status", "category" or NULL), or 503/500 when the rights could not
 * be read.
 */
int article_may(struct app *app, struct db *db, const struct auth_user *u,
                const struct article_subject *s, enum article_action act, const char **why,
                const char **field);

#endif
