/*
 * Saving articles: the one path every editor write takes, from the API
 * and from the editor's forms. It validates, renders the Markdown, applies
 * the status rules, and stores the row, a revision and an audit entry in
 * one transaction.
 */
#ifndef GAZETTE_ARTICLE_H
#define GAZETTE_ARTICLE_H

#include "app.h"
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
 * id, 422 with *err, 503 busy, 500.
 */
int article_save(struct app *app, struct http_req *req, long long id,
		 const struct article_input *in, struct db_editor_article *out,
		 struct article_error *err);

/* Soft-deletes article id: 204, 404, 503 or 500. */
int article_delete(struct app *app, struct http_req *req, long long id);

#endif
