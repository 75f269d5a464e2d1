/* The article form: /editor/articles/new and /editor/articles/{id} (GET
 * shows it, POST saves it with the chosen action), and deleting with a
 * confirmation page. Works without JavaScript; static/js/editor.js adds
 * the live preview, uploads and the unsaved-changes warning. */
#include "article.h"
#include "i18n.h"
#include "page.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Generous bounds: the real limits are article_save's, whose 422 shows
 * next to the field with the input kept; these only stop abuse. */
const struct field_spec page_article_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{"title", FIELD_TEXT, 0, 2000},
	{"category", FIELD_LINE, 0, 64},
	{"summary", FIELD_TEXT, 0, 20000},
	{"body", FIELD_TEXT, 0, 1000000},
	{"source", FIELD_TEXT, 0, 2000},
	{"author", FIELD_TEXT, 0, 2000},
	{"cover_media_id", FIELD_LINE, 0, 20},
	{"pinned", FIELD_LINE, 0, 8},
	{"published_at", FIELD_LINE, 0, 32},
	{"action", FIELD_LINE, 0, 16},
	{NULL, 0, 0, 0},
};

const struct field_spec page_article_query[] = {
	{"saved", FIELD_LINE, 0, 16},
	{NULL, 0, 0, 0},
};

/* "YYYY-MM-DDTHH:MM" in the site zone, for a datetime-local input. */
static const char *local_input(struct arena *a, long long t)
{
	const char *s = app_local_time(a, t); /* "YYYY-MM-DD HH:MM:SS" */
	char *v = arena_strndup(a, s, 16);
	if (strlen(v) == 16)
		v[10] = 'T';
	return v;
}

/* Renders the form for art (what is stored, or what was just sent) with
 * err shown next to its field. */
static void show_form(struct app *app, struct http_req *req, const struct db_editor_article *art,
		      const struct article_error *err, int status)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", art->id ? art->title : i18n_label(app->lang, "new_article"));
	cJSON *a = cJSON_AddObjectToObject(d, "article");
	cJSON_AddNumberToObject(a, "id", (double)art->id);
	cJSON_AddBoolToObject(a, "exists", art->id != 0);
	cJSON_AddStringToObject(a, "title", art->title ? art->title : "");
	cJSON_AddStringToObject(a, "summary", art->summary ? art->summary : "");
	cJSON_AddStringToObject(a, "body", art->body_md ? art->body_md : "");
	cJSON_AddStringToObject(a, "body_html", art->body_html ? art->body_html : "");
	cJSON_AddStringToObject(a, "source", art->source ? art->source : "");
	cJSON_AddStringToObject(a, "author", art->author ? art->author : "");
	cJSON_AddStringToObject(a, "status", art->status ? art->status : "draft");
	cJSON_AddStringToObject(a, "status_label",
				i18n_label(app->lang, arena_printf(req->arena, "status_%s",
								   art->status ? art->status : "draft")));
	cJSON_AddBoolToObject(a, "pinned", art->pinned);
	cJSON_AddBoolToObject(a, "public", art->status && !strcmp(art->status, "published"));
	if (art->cover_media_id)
		cJSON_AddNumberToObject(a, "cover_media_id", (double)art->cover_media_id);
	cJSON_AddStringToObject(a, "published_at",
				art->has_published_at ? local_input(req->arena, art->published_at) : "");
	cJSON_AddStringToObject(a, "timezone", app_setting(app, "timezone"));
	cJSON *cats = cJSON_AddArrayToObject(d, "categories");
	for (size_t i = 0; i < app->ncategories; i++) {
		const struct db_category *c = &app->categories[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "slug", c->slug);
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddBoolToObject(o, "child", c->parent_id != 0);
		cJSON_AddBoolToObject(o, "selected", c->id == art->category_id ||
			(art->category_slug && !strcmp(c->slug, art->category_slug)));
		cJSON_AddItemToArray(cats, o);
	}
	if (err && err->field) {
		cJSON *e = cJSON_AddObjectToObject(d, "errors");
		/* the API's field name for the body is body_markdown; the form's is body */
		cJSON_AddStringToObject(e, strcmp(err->field, "body_markdown") ? err->field : "body",
					err->message);
		cJSON_AddStringToObject(d, "error_summary", i18n_label(app->lang, "form_has_errors"));
	}
	if (!strcmp(http_text(req, "saved"), "1"))
		cJSON_AddStringToObject(d, "notice", i18n_label(app->lang, "saved"));
	req->cacheable = false;
	page_render(app, req, "editor_article", d);
	req->status = status;
}

/* The form's fields as a save; the action button decides the status. */
static int read_form(struct http_req *req, struct article_input *in, struct article_error *err)
{
	memset(in, 0, sizeof *in);
	in->has_title = in->has_category = in->has_summary = in->has_body = true;
	in->has_source = in->has_author = in->has_pinned = in->has_cover = true;
	in->title = http_text(req, "title");
	in->category = http_text(req, "category");
	in->summary = http_text(req, "summary");
	in->body_md = http_text(req, "body");
	in->source = http_text(req, "source");
	in->author = http_text(req, "author");
	in->pinned = *http_text(req, "pinned") != '\0';
	const char *cover = http_text(req, "cover_media_id");
	if (*cover && !valid_int(cover, 1, 9007199254740991LL, &in->cover_media_id)) {
		err->field = "cover_media_id";
		err->message = "the cover image must be the number of an uploaded image";
		return 422;
	}
	const char *when = http_text(req, "published_at");
	if (*when) {
		if (!valid_local_time(when, &in->published_at)) {
			err->field = "published_at";
			err->message = "give the time as YYYY-MM-DD HH:MM";
			return 422;
		}
		in->has_published_at = true;
	}
	static const struct {
		const char *action, *status;
	} actions[] = {
		{"save", NULL}, {"publish", "published"}, {"schedule", "scheduled"},
		{"unpublish", "draft"}, {"archive", "archived"},
	};
	const char *action = http_text(req, "action");
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		if (!strcmp(action, actions[i].action)) {
			in->status = actions[i].status;
			in->has_status = actions[i].status != NULL;
			return 0;
		}
	}
	in->has_status = false; /* Enter in a text field: a plain save */
	return 0;
}

/* Builds what the form showed from the input, for a refused save. */
static void input_as_article(const struct article_input *in, long long id, const char *status,
			     struct db_editor_article *art)
{
	memset(art, 0, sizeof *art);
	art->id = id;
	art->title = in->title;
	art->category_slug = in->category;
	art->summary = in->summary;
	art->body_md = in->body_md;
	art->source = in->source;
	art->author = in->author;
	art->status = status;
	art->pinned = in->pinned;
	art->cover_media_id = in->cover_media_id;
	art->has_published_at = in->has_published_at;
	art->published_at = in->published_at;
}

static void article_form(struct app *app, struct http_req *req, long long id)
{
	struct db_editor_article art;
	memset(&art, 0, sizeof art);
	art.status = "draft";
	const char *stored_status = "draft";
	if (id) {
		enum db_result r = db_editor_article(app->db, id, req->arena, &art);
		if (r != DB_OK) {
			page_error(app, req, r == DB_NOTFOUND ? 404 : r == DB_BUSY ? 503 : 500);
			return;
		}
		stored_status = art.status;
	}
	if (req->method != HTTP_POST) {
		show_form(app, req, &art, NULL, 200);
		return;
	}
	struct article_input in;
	struct article_error err = {0};
	int status = read_form(req, &in, &err);
	struct db_editor_article saved;
	if (status == 0)
		status = article_save(app, req, id, &in, &saved, &err);
	if (status == 200 || status == 201) {
		page_redirect(req, arena_printf(req->arena, "/editor/articles/%lld?saved=1", saved.id));
		return;
	}
	if (status != 422) {
		page_error(app, req, status);
		return;
	}
	input_as_article(&in, id, stored_status, &art);
	show_form(app, req, &art, &err, 422);
}

void page_editor_article_new(struct app *app, struct http_req *req)
{
	article_form(app, req, 0);
}

void page_editor_article_edit(struct app *app, struct http_req *req)
{
	article_form(app, req, req->arg_id);
}

void page_editor_article_delete(struct app *app, struct http_req *req)
{
	struct db_editor_article art;
	enum db_result r = db_editor_article(app->db, req->arg_id, req->arena, &art);
	if (r != DB_OK) {
		page_error(app, req, r == DB_NOTFOUND ? 404 : r == DB_BUSY ? 503 : 500);
		return;
	}
	if (req->method == HTTP_POST) {
		int status = article_delete(app, req, req->arg_id);
		if (status == 204)
			page_redirect(req, "/editor/?deleted=1");
		else
			page_error(app, req, status);
		return;
	}
	/* The confirmation step, which works without JavaScript. */
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "delete"));
	cJSON *a = cJSON_AddObjectToObject(d, "article");
	cJSON_AddNumberToObject(a, "id", (double)art.id);
	cJSON_AddStringToObject(a, "title", art.title);
	req->cacheable = false;
	page_render(app, req, "editor_delete", d);
}
