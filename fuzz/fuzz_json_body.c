/*
 * libFuzzer harness for the editor API's JSON bodies: json_read_body (type,
 * size, UTF-8 and cJSON), then api_article_input, the reading of an article
 * save (POST /api/articles, PATCH /api/articles/{id}), then the value
 * checks article_save applies and the Markdown render of the body.
 *
 * The first byte picks the Content-Type and how many bytes io->read hands
 * out at a time; the rest is the body. Checks: the status is one the
 * contract lists; every refusal answers a JSON error object; a refused
 * field is named in the 422 exactly as it was sent; a read input points at
 * strings of the document; every answer is valid UTF-8 with no '<', '>'
 * or '&' (json_send's promise, so no answer can close a script block).
 */
#include "article.h"
#include "fuzz_http.h"
#include "json.h"
#include "md.h"

#include <stdbool.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const known[] = {"title",  "category",       "summary", "body_markdown",
                                    "source", "author",         "status",  "published_at",
                                    "pinned", "cover_media_id", NULL};

/* The answer in req->body is one JSON object, safe in a script block. */
static cJSON *check_answer(struct http_req *req)
{
	const char *text = buf_cstr(req->body);
	if (!valid_utf8(text, req->body->len) || strpbrk(text, "<>&"))
		abort();
	cJSON *doc = cJSON_ParseWithLength(text, req->body->len);
	if (!cJSON_IsObject(doc))
		abort();
	return doc;
}

static void check_refusal(struct http_req *req, const char *field)
{
	cJSON *doc = check_answer(req);
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(doc, "error");
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(err, "code")))
		abort();
	if (field) {
		const cJSON *f =
		    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(err, "fields"), 0);
		if (!cJSON_IsString(f) || strcmp(f->valuestring, field) != 0)
			abort();
	}
	cJSON_Delete(doc);
}

/* A string the input holds points at a string member of doc. */
static void check_string(const cJSON *doc, bool has, const char *s, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, name);
	if (has != (m != NULL) || (has && (!cJSON_IsString(m) || s != m->valuestring)))
		abort();
}

/* What article_save checks next, and the render of an acceptable body. */
static void check_values(const struct article_input *in)
{
	if (in->has_title)
		(void)valid_line(in->title, ARTICLE_TITLE_MAX);
	if (in->has_category)
		(void)valid_slug(in->category);
	if (in->has_summary)
		(void)valid_text(in->summary, ARTICLE_SUMMARY_MAX);
	if (in->has_source)
		(void)valid_line(in->source, ARTICLE_LINE_MAX);
	if (in->has_author)
		(void)valid_line(in->author, ARTICLE_LINE_MAX);
	if (in->has_status)
		(void)valid_status(in->status);
	if (in->has_cover && in->cover_media_id != 0 &&
	    (in->cover_media_id < 1 || in->cover_media_id > 9000000000000000LL))
		abort();
	if (in->has_body && valid_text(in->body_md, ARTICLE_BODY_MAX)) {
		struct buf html = BUF_INIT;
		if (md_render(in->body_md, strlen(in->body_md), &html) == 0 &&
		    !valid_utf8(buf_cstr(&html), html.len))
			abort();
		buf_free(&html);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {"application/json", "application/json; charset=utf-8",
	                                    "APPLICATION/JSON", "text/plain"};
	if (size < 1)
		return 0;
	int type = data[0] & 3;
	size_t chunk = (data[0] >> 2) & 15, max = data[0] & 0x40 ? 256 : 1 << 20;
	data++;
	size--;

	struct fuzz_req f;
	char cl[32];
	snprintf(cl, sizeof cl, "%zu", size);
	fuzz_req_begin(&f, data, size, chunk);
	fuzz_req_envs(&f, "REQUEST_METHOD", "POST");
	fuzz_req_envs(&f, "PATH_INFO", "/api/articles");
	fuzz_req_envs(&f, "CONTENT_TYPE", types[type]);
	fuzz_req_envs(&f, "CONTENT_LENGTH", cl);
	if (fuzz_req_init(&f) != 0)
		abort();
	cJSON *doc;
	int rc = json_read_body(&f.req, max, &doc);
	if ((rc == 415) != (type == 3) || (rc == 413) != (type != 3 && size > max))
		abort();
	if (rc != 0) {
		if ((rc != 400 && rc != 413 && rc != 415) || doc || f.req.status != rc)
			abort();
		check_refusal(&f.req, NULL);
		fuzz_req_end(&f);
		return 0;
	}
	if (!cJSON_IsObject(doc))
		abort();

	struct article_input in;
	const char *bad = api_article_input(doc, &in);
	if (bad) {
		bool named = false;
		for (const cJSON *m = doc->child; m && !named; m = m->next)
			named = !strcmp(m->string, bad);
		if (!named)
			abort(); /* the refused field is one the client sent */
		json_error(&f.req, 422, "invalid", "a field has the wrong type or is unknown", bad);
		check_refusal(&f.req, bad);
	} else {
		for (const cJSON *m = doc->child; m; m = m->next) {
			bool ok = false;
			for (size_t i = 0; known[i] && !ok; i++)
				ok = !strcmp(m->string, known[i]);
			if (!ok)
				abort(); /* an unknown member was let through */
		}
		check_string(doc, in.has_title, in.title, "title");
		check_string(doc, in.has_category, in.category, "category");
		check_string(doc, in.has_summary, in.summary, "summary");
		check_string(doc, in.has_body, in.body_md, "body_markdown");
		check_string(doc, in.has_source, in.source, "source");
		check_string(doc, in.has_author, in.author, "author");
		check_string(doc, in.has_status, in.status, "status");
		check_values(&in);
		/* The echo an editor gets back goes through the same writer. */
		json_send(&f.req, 200, cJSON_Duplicate(doc, true));
		cJSON_Delete(check_answer(&f.req));
	}
	cJSON_Delete(doc);
	fuzz_req_end(&f);
	return 0;
}
