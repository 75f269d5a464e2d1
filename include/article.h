/*
 * Saving articles: the one path every editor write takes, from the API
 * and from the editor's forms. It validates, asks article_may (the roles
 * and per-category rights), renders the Markdown, applies the status and
 * review rules, guards against overwriting a newer version, and stores the
 * row, a revision, the review step and an audit entry in one transaction.
 */
#ifndef GAZETTE_ARTICLE_H
#define GAZETTE_ARTICLE_H

#include "app.h"
#include "article_rights.h"
#include "db_editor.h"

#include <stdbool.h>

/* The fields of a save; a field whose has_* is false keeps its value
 * (PATCH) or its default (create). */
struct article_input {
	bool has_title, has_category, has_summary, has_body, has_source, has_author;
	bool has_status, has_published_at, has_pinned, has_cover;
	const char *title, *category, *summary, *body_md, *source, *author, *status;
	bool published_at_null; /* published_at given as null */
	long long published_at;
	bool pinned;
	long long cover_media_id; /* 0: none */
	/* The version the change is based on: a save whose version is not the
	 * stored one is refused (409). Without it the save applies to whatever
	 * is stored, as API clients written before versions expect. */
	bool has_version;
	long long version;
	const char *comment;       /* a review step's comment (send back: required) */
	const char *expect_status; /* NULL, or refuse (409) unless the article has it */
};

struct cJSON;
/*
 * Reads an API body (a JSON object) into *in, whose strings point into doc.
 * Returns NULL, or the name of the member that is unknown or of the wrong
 * type (the 422's field). The values themselves are checked by article_save.
 */
const char *api_article_input(const struct cJSON *doc, struct article_input *in);

/* Why a save was refused: the field and an English sentence. */
struct article_error {
	const char *field;
	const char *message;
};

enum {
	ARTICLE_TITLE_MAX = 300,
	ARTICLE_SUMMARY_MAX = 2000,
	ARTICLE_BODY_MAX = 500000,
	ARTICLE_LINE_MAX = 200,
};

/*
 * Creates (id 0) or updates article id for req->user. Returns an HTTP
 * status: 201 created / 200 updated with the article in *out, 404 unknown
 * id, 403 with *err (the role or the category rights forbid it), 409 with
 * *err and the stored article in *out (a stale version, or expect_status
 * not met), 422 with *err, 503 busy, 500.
 *
 * Status changes are review steps where they start or end in review: a
 * draft set to in_review is submitted, an article in review set to
 * published or scheduled is approved, set back to draft it is sent back
 * (in->comment required). Each step is recorded for the article's history
 * and audited in the same transaction.
 */
int article_save(struct app *app, struct http_req *req, long long id,
		 const struct article_input *in, struct db_editor_article *out,
		 struct article_error *err);

/* Soft-deletes article id: 204, 404, 403 (*why set), 503 or 500. */
int article_delete(struct app *app, struct http_req *req, long long id, const char **why);

enum article_step { ARTICLE_STEP_SUBMIT, ARTICLE_STEP_APPROVE, ARTICLE_STEP_SEND_BACK };

/*
 * A review step on article id through article_save: submit (a draft goes
 * to review), approve (published now, or scheduled when in->published_at
 * is in the future), send back (to draft with in->comment). in may carry
 * version, published_at and comment; the rest is ignored. The statuses are
 * article_save's; 409 also when the article is not in the status the step
 * starts from.
 */
int article_step(struct app *app, struct http_req *req, long long id, enum article_step step,
		 const struct article_input *in, struct db_editor_article *out,
		 struct article_error *err);

/* Largest review comment, in characters. */
enum { ARTICLE_COMMENT_MAX = 2000 };

/* A soft lock counts as "being edited" this long after its last sign of
 * life (the form's script renews it every minute). */
enum { ARTICLE_LOCK_FRESH = 120 };

/*
 * Records that req->user has article id's form open (soft lock: it never
 * blocks a save; forms show it to others). 204, 404, 403 (may not view),
 * 503 or 500.
 */
int article_lock(struct app *app, struct http_req *req, long long id);

#endif
