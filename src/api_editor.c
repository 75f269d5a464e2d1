/* The editors' JSON API: create, update, publish/schedule/unpublish,
 * delete and list articles, and the review steps (submit, approve, send
 * back). Who may do what is article_may's decision (article_rights.h);
 * these handlers only translate. */
#include "api.h"
#include "article.h"
#include "counter.h"
#include "json.h"
#include "md.h"
#include "valid.h"

#include <string.h>

enum { ARTICLE_BODY_BYTES = 4 << 20 };

const struct field_spec api_editor_list_fields[] = {
	{"status", FIELD_LINE, 0, 16},
	{"page", FIELD_INT, 1, 1000000000LL},
	{"per_page", FIELD_INT, 1, 100},
	{"mine", FIELD_INT, 0, 1},
	{NULL, 0, 0, 0},
};

/* The article as editors see it, whatever its status. */
static cJSON *editor_json(struct http_req *req, const struct db_editor_article *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "title", a->title);
	cJSON *c = cJSON_AddObjectToObject(o, "category");
	cJSON_AddStringToObject(c, "slug", a->category_slug);
	cJSON_AddStringToObject(c, "name", a->category_name);
	cJSON_AddStringToObject(o, "summary", a->summary);
	if (a->body_md)
		cJSON_AddStringToObject(o, "body_markdown", a->body_md);
	if (a->body_html)
		cJSON_AddStringToObject(o, "body_html", a->body_html);
	cJSON_AddStringToObject(o, "source", a->source);
	cJSON_AddStringToObject(o, "author", a->author);
	cJSON_AddStringToObject(o, "status", a->status);
	if (a->has_published_at)
		cJSON_AddStringToObject(o, "published_at", json_time(req->arena, a->published_at));
	else
		cJSON_AddNullToObject(o, "published_at");
	cJSON_AddBoolToObject(o, "pinned", a->pinned);
	if (a->cover_media_id)
		cJSON_AddNumberToObject(o, "cover_media_id", (double)a->cover_media_id);
	else
		cJSON_AddNullToObject(o, "cover_media_id");
	cJSON_AddNumberToObject(o, "views", (double)counter_current(a->id, a->views));
	cJSON_AddStringToObject(o, "updated_at", json_time(req->arena, a->updated_at));
	cJSON_AddStringToObject(o, "updated_by", a->updated_by ? a->updated_by : "");
	cJSON_AddStringToObject(o, "url", arena_printf(req->arena, "%s/a/%lld", http_base_url(req), a->id));
	cJSON_AddNumberToObject(o, "version", (double)a->version);
	cJSON_AddStringToObject(o, "created_by", a->created_by_name ? a->created_by_name : "");
	if (a->review_action && *a->review_action) {
		cJSON *r = cJSON_AddObjectToObject(o, "review");
		cJSON_AddStringToObject(r, "action", a->review_action);
		cJSON_AddStringToObject(r, "comment", a->review_comment);
		cJSON_AddStringToObject(r, "by", a->review_by);
		cJSON_AddStringToObject(r, "at", json_time(req->arena, a->review_at));
	} else {
		cJSON_AddNullToObject(o, "review");
	}
	return o;
}

/* A 403 of article_may / article_save: the reason, and the field it is
 * about, for the client to show. */
static void forbidden(struct http_req *req, const struct article_error *err)
{
	json_error(req, 403, "forbidden", err->message ? err->message : "not allowed", err->field);
}

/* A refused stale save (409): the current version and the article as it
 * is stored now, so the client can merge and send again. */
static void conflict(struct http_req *req, const struct article_error *err,
		     const struct db_editor_article *current)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "code", "conflict");
	cJSON_AddStringToObject(e, "message", err->message ? err->message : "conflict");
	if (err->field) {
		cJSON *f = cJSON_AddArrayToObject(e, "fields");
		cJSON_AddItemToArray(f, cJSON_CreateString(err->field));
	}
	cJSON_AddNumberToObject(o, "current_version", (double)current->version);
	cJSON_AddItemToObject(o, "article", editor_json(req, current));
	json_send(req, 409, o);
}

/* Answers an article_save / article_step status. */
static void answer(struct http_req *req, int status, const struct article_error *err,
		   const struct db_editor_article *out)
{
	if (status == 200 || status == 201)
		json_send(req, status, editor_json(req, out));
	else if (status == 422)
		json_error(req, 422, "invalid", err->message, err->field);
	else if (status == 403)
		forbidden(req, err);
	else if (status == 409)
		conflict(req, err, out);
	else
		json_error_status(req, status);
}

/* Reads a string member into dst and has; returns false (field refused) when
 * it is there but not a string. */
static bool take_string(const cJSON *doc, const char *name, const char **dst, bool *has)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
	if (!v)
		return true;
	if (!cJSON_IsString(v))
		return false;
	*dst = v->valuestring;
	*has = true;
	return true;
}

/* The fields of a JSON body; returns the name of a malformed one or NULL. */
static const char *parse_input(const cJSON *doc, struct article_input *in)
{
	memset(in, 0, sizeof *in);
	static const char *const known[] = {"title", "category", "summary", "body_markdown",
		"source", "author", "status", "published_at", "pinned", "cover_media_id", "version",
		"comment"};
	for (const cJSON *m = doc->child; m; m = m->next) {
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok = ok || !strcmp(m->string, known[i]);
		if (!ok)
			return m->string; /* unknown fields are refused, not ignored */
	}
	if (!take_string(doc, "title", &in->title, &in->has_title))
		return "title";
	if (!take_string(doc, "category", &in->category, &in->has_category))
		return "category";
	if (!take_string(doc, "summary", &in->summary, &in->has_summary))
		return "summary";
	if (!take_string(doc, "body_markdown", &in->body_md, &in->has_body))
		return "body_markdown";
	if (!take_string(doc, "source", &in->source, &in->has_source))
		return "source";
	if (!take_string(doc, "author", &in->author, &in->has_author))
		return "author";
	if (!take_string(doc, "status", &in->status, &in->has_status))
		return "status";
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "published_at");
	if (t) {
		in->has_published_at = true;
		if (cJSON_IsNull(t))
			in->published_at_null = true;
		else if (!cJSON_IsString(t) || !valid_time(t->valuestring, &in->published_at))
			return "published_at";
	}
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(doc, "pinned");
	if (p) {
		if (!cJSON_IsBool(p))
			return "pinned";
		in->has_pinned = true;
		in->pinned = cJSON_IsTrue(p);
	}
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "cover_media_id");
	if (c) {
		in->has_cover = true;
		if (cJSON_IsNumber(c) && c->valuedouble >= 1 && c->valuedouble <= 9e15 &&
		    c->valuedouble == (double)(long long)c->valuedouble)
			in->cover_media_id = (long long)c->valuedouble;
		else if (!cJSON_IsNull(c))
			return "cover_media_id";
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "version");
	if (v) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 9e15 ||
		    v->valuedouble != (double)(long long)v->valuedouble)
			return "version";
		in->has_version = true;
		in->version = (long long)v->valuedouble;
	}
	bool has_comment = false;
	if (!take_string(doc, "comment", &in->comment, &has_comment))
		return "comment";
	return NULL;
}

const char *api_article_input(const cJSON *doc, struct article_input *in)
{
	return parse_input(doc, in);
}

static void save(struct app *app, struct http_req *req, long long id)
{
	cJSON *doc;
	if (json_read_body(req, ARTICLE_BODY_BYTES, &doc))
		return;
	struct article_input in;
	const char *bad = parse_input(doc, &in);
	if (bad) {
		json_error(req, 422, "invalid", "a field has the wrong type or is unknown", bad);
		cJSON_Delete(doc);
		return;
	}
	struct db_editor_article out;
	struct article_error err = {0};
	int status = article_save(app, req, id, &in, &out, &err);
	answer(req, status, &err, &out);
	cJSON_Delete(doc); /* after the answer: in's strings point into it */
}

void api_article_create(struct app *app, struct http_req *req)
{
	save(app, req, 0);
}

void api_article_update(struct app *app, struct http_req *req)
{
	save(app, req, req->arg_id);
}

void api_article_delete(struct app *app, struct http_req *req)
{
	struct article_error err = {0};
	int status = article_delete(app, req, req->arg_id, &err.message);
	if (status == 204)
		req->status = 204;
	else if (status == 403)
		forbidden(req, &err);
	else
		json_error_status(req, status);
}

void api_editor_article(struct app *app, struct http_req *req)
{
	struct db_editor_article a;
	enum db_result r = db_editor_article(app->db, req->arg_id, req->arena, &a);
	if (r != DB_OK) {
		json_error_status(req, r == DB_NOTFOUND ? 404 : r == DB_BUSY ? 503 : 500);
		return;
	}
	struct article_subject s = {a.category_id, a.created_by, a.status};
	struct article_error err = {0};
	int status = article_may(app, app->db, req->user, &s, ARTICLE_VIEW, &err.message, &err.field);
	if (status == 403)
		forbidden(req, &err);
	else if (status)
		json_error_status(req, status);
	else
		json_send(req, 200, editor_json(req, &a));
}

void api_editor_articles(struct app *app, struct http_req *req)
{
	const struct field_value *sf = http_field(req, "status");
	const struct field_value *pf = http_field(req, "page");
	const struct field_value *nf = http_field(req, "per_page");
	if (sf && !valid_status(sf->text)) {
		json_error(req, 422, "invalid", "unknown status", "status");
		return;
	}
	long long page = pf ? pf->num : 1, per_page = nf ? nf->num : 20, total;
	struct db_editor_article *items;
	size_t n;
	const struct field_value *mf = http_field(req, "mine");
	/* mine=1: the articles this editor created ("my drafts" with status=draft) */
	struct db_editor_filter filter = {.status = sf ? sf->text : NULL,
					  .created_by = mf && mf->num ? req->user->id : 0};
	/* status=in_review is the review queue: newest submission first. */
	filter.by_submission = filter.status && !strcmp(filter.status, "in_review");
	struct article_rights rights;
	enum db_result r = article_rights_load(app, app->db, req->user, req->arena, &rights);
	if (r != DB_OK) {
		json_error_status(req, r == DB_BUSY ? 503 : 500);
		return;
	}
	filter.categories = article_rights_json(&rights, req->arena);
	r = db_editor_list(app->db, &filter, (int)per_page,
					  (page - 1) * per_page, req->arena, &items, &n, &total);
	if (r != DB_OK) {
		json_error_status(req, r == DB_BUSY ? 503 : 500);
		return;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "articles");
	for (size_t i = 0; i < n; i++) {
		items[i].body_md = items[i].body_html = NULL; /* lists carry no bodies */
		cJSON_AddItemToArray(list, editor_json(req, &items[i]));
	}
	cJSON_AddNumberToObject(root, "page", (double)page);
	cJSON_AddNumberToObject(root, "per_page", (double)per_page);
	cJSON_AddNumberToObject(root, "total", (double)total);
	json_send(req, 200, root);
}

/* POST /api/articles/{id}/submit|approve|send-back: the body is optional
 * (none, or a JSON object with version, published_at for approve, comment
 * for send-back); the same fields as a PATCH, the others refused. */
static void step(struct app *app, struct http_req *req, enum article_step which)
{
	cJSON *doc = NULL;
	const char *cl = http_env(req, "CONTENT_LENGTH");
	if (cl && *cl && strcmp(cl, "0") && json_read_body(req, ARTICLE_BODY_BYTES, &doc))
		return;
	struct article_input in;
	memset(&in, 0, sizeof in);
	const char *bad = doc ? parse_input(doc, &in) : NULL;
	if (!bad && (in.has_title || in.has_category || in.has_summary || in.has_body ||
		     in.has_source || in.has_author || in.has_status || in.has_pinned ||
		     in.has_cover || (in.has_published_at && which != ARTICLE_STEP_APPROVE))) {
		/* A step changes the status only; edits go through PATCH. */
		for (const cJSON *m = doc->child; m && !bad; m = m->next)
			if (strcmp(m->string, "version") && strcmp(m->string, "comment") &&
			    (strcmp(m->string, "published_at") || which != ARTICLE_STEP_APPROVE))
				bad = m->string;
	}
	if (bad) {
		json_error(req, 422, "invalid", "a field has the wrong type or is unknown", bad);
		cJSON_Delete(doc);
		return;
	}
	struct db_editor_article out;
	struct article_error err = {0};
	int status = article_step(app, req, req->arg_id, which, &in, &out, &err);
	answer(req, status, &err, &out);
	cJSON_Delete(doc);
}

void api_article_submit(struct app *app, struct http_req *req)
{
	step(app, req, ARTICLE_STEP_SUBMIT);
}

void api_article_approve(struct app *app, struct http_req *req)
{
	step(app, req, ARTICLE_STEP_APPROVE);
}

void api_article_send_back(struct app *app, struct http_req *req)
{
	step(app, req, ARTICLE_STEP_SEND_BACK);
}

void api_preview(struct app *app, struct http_req *req)
{
	cJSON *doc;
	if (json_read_body(req, ARTICLE_BODY_BYTES, &doc))
		return;
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(doc, "markdown");
	if (!cJSON_IsString(md) || !valid_text(md->valuestring, ARTICLE_BODY_MAX)) {
		cJSON_Delete(doc);
		json_error(req, 422, "invalid", "markdown must be text", "markdown");
		return;
	}
	/* The same renderer as the saved article, so the preview is the page. */
	struct buf html = BUF_INIT;
	int rc = md_render(md->valuestring, strlen(md->valuestring), &html);
	cJSON_Delete(doc);
	if (rc != 0) {
		buf_free(&html);
		json_error_status(req, 500);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "html", buf_cstr(&html));
	buf_free(&html);
	json_send(req, 200, o);
}
