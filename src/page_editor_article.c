/* The article form: /editor/articles/new and /editor/articles/{id} (GET
 * shows it, POST saves it with the chosen action), the merge page of a
 * save that came from an older version (409), and deleting with a
 * confirmation page. The buttons follow the user's role (an author saves
 * and submits; editors publish); what is allowed is article_may's
 * decision, here only mirrored. Works without JavaScript;
 * static/js/editor.js adds the live preview, uploads, the unsaved-changes
 * warning and the soft lock's heartbeat. */
#include "article.h"
#include "db_workflow.h"
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
	{"version", FIELD_LINE, 0, 20},
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

/* May the request's user do act on art? (No reason wanted: the form only
 * leaves out what would be refused.) */
static bool allowed(struct app *app, struct http_req *req, const struct db_editor_article *art,
		    enum article_action act)
{
	struct article_subject s = {art->category_id, art->id ? art->created_by : req->user->id,
				    art->id ? art->status : NULL};
	const char *why, *field;
	return article_may(app, app->db, req->user, &s, act, &why, &field) == 0;
}

/* The latest review step, as the form and the dashboard show it: who sent
 * it back and why, or who submitted it when. */
static void add_review(struct app *app, struct http_req *req, cJSON *a,
		       const struct db_editor_article *art)
{
	if (!art->review_action || !*art->review_action)
		return;
	bool back = !strcmp(art->review_action, "send_back") && !strcmp(art->status, "draft");
	bool submitted = !strcmp(art->review_action, "submit") && !strcmp(art->status, "in_review");
	if (!back && !submitted)
		return;
	cJSON *r = cJSON_AddObjectToObject(a, "review");
	cJSON_AddBoolToObject(r, "sent_back", back);
	cJSON_AddStringToObject(r, "by", art->review_by);
	cJSON_AddStringToObject(r, "at", app_local_time(req->arena, art->review_at));
	cJSON_AddStringToObject(r, "comment", art->review_comment);
	(void)app;
}

/* Others who have this form open: "being edited by X since T". */
static void add_locks(struct app *app, struct http_req *req, cJSON *d, long long id)
{
	struct db_lock *locks;
	size_t n;
	long long now = (long long)time(NULL);
	if (!id || db_workflow_locks(app->db, id, req->user->id, now - ARTICLE_LOCK_FRESH, 5,
				     req->arena, &locks, &n) != DB_OK || n == 0)
		return; /* a hint only: a failed read shows none */
	cJSON *list = cJSON_AddArrayToObject(d, "editing");
	for (size_t i = 0; i < n; i++) {
		const char *text = arena_printf(req->arena, "%s%s%s%s%s",
						i18n_label(app->lang, "being_edited_by"),
						locks[i].username,
						i18n_label(app->lang, "being_edited_since"),
						app_local_time(req->arena, locks[i].since),
						i18n_label(app->lang, "being_edited_end"));
		cJSON_AddItemToArray(list, cJSON_CreateString(text));
	}
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
	cJSON_AddNumberToObject(a, "version", (double)art->version);
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
	add_review(app, req, a, art);

	/* The buttons this user may press: authors save and submit their own
	 * drafts, editors publish, schedule, unpublish and archive. */
	bool reviewer = article_role_reviews(req->user);
	bool can_edit = !art->id || allowed(app, req, art, ARTICLE_EDIT);
	bool draft = !art->status || !strcmp(art->status, "draft");
	cJSON *may = cJSON_AddObjectToObject(d, "may");
	cJSON_AddBoolToObject(may, "edit", can_edit);
	cJSON_AddBoolToObject(may, "publish", can_edit && reviewer);
	cJSON_AddBoolToObject(may, "submit", can_edit && !reviewer && draft);
	cJSON_AddBoolToObject(may, "delete", art->id && allowed(app, req, art, ARTICLE_DELETE));
	cJSON_AddBoolToObject(may, "review", reviewer && art->status &&
				      !strcmp(art->status, "in_review"));
	if (!can_edit)
		cJSON_AddStringToObject(d, "read_only", i18n_label(app->lang, "read_only"));
	add_locks(app, req, d, art->id);

	/* Only the categories the user may write in. */
	struct article_rights rights;
	if (article_rights_load(app, app->db, req->user, req->arena, &rights) != DB_OK)
		rights.all = false, rights.n = 0;
	cJSON *cats = cJSON_AddArrayToObject(d, "categories");
	for (size_t i = 0; i < app->ncategories; i++) {
		const struct db_category *c = &app->categories[i];
		bool selected = c->id == art->category_id ||
				(art->category_slug && !strcmp(c->slug, art->category_slug));
		if (!selected && !article_rights_cover(&rights, c->id))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "slug", c->slug);
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddBoolToObject(o, "child", c->parent_id != 0);
		cJSON_AddBoolToObject(o, "selected", selected);
		cJSON_AddItemToArray(cats, o);
	}
	if (err && err->field) {
		cJSON *e = cJSON_AddObjectToObject(d, "errors");
		/* the API's field name for the body is body_markdown; the form's is body */
		cJSON_AddStringToObject(e, strcmp(err->field, "body_markdown") ? err->field : "body",
					err->message);
	}
	if (err && (err->field || err->message))
		cJSON_AddStringToObject(d, "error_summary",
					status == 403 ? arena_printf(req->arena, "%s %s",
								     i18n_label(app->lang, "not_allowed_summary"),
								     err->message ? err->message : "")
						      : i18n_label(app->lang, "form_has_errors"));
	if (!strcmp(http_text(req, "saved"), "1"))
		cJSON_AddStringToObject(d, "notice", i18n_label(app->lang, "saved"));
	req->cacheable = false;
	page_render(app, req, "editor_article", d);
	req->status = status;
}

/* The merge page of a save refused for its version (409): the other
 * person's text as stored now beside the text just sent, which stays in
 * the form's fields (nothing is lost); the form carries the current
 * version, so saving the merged text goes through. */
static void show_conflict(struct app *app, struct http_req *req,
			  const struct db_editor_article *cur, const struct article_input *in)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "conflict_title"));
	cJSON *c = cJSON_AddObjectToObject(d, "current");
	cJSON_AddNumberToObject(c, "id", (double)cur->id);
	cJSON_AddNumberToObject(c, "version", (double)cur->version);
	cJSON_AddStringToObject(c, "title", cur->title);
	cJSON_AddStringToObject(c, "summary", cur->summary);
	cJSON_AddStringToObject(c, "body", cur->body_md);
	cJSON_AddStringToObject(c, "updated_by", cur->updated_by);
	cJSON_AddStringToObject(c, "updated", app_local_time(req->arena, cur->updated_at));
	cJSON_AddStringToObject(c, "status_label",
				i18n_label(app->lang, arena_printf(req->arena, "status_%s", cur->status)));
	cJSON *m = cJSON_AddObjectToObject(d, "mine");
	cJSON_AddStringToObject(m, "title", in->title);
	cJSON_AddStringToObject(m, "summary", in->summary);
	cJSON_AddStringToObject(m, "body", in->body_md);
	cJSON_AddStringToObject(m, "category", in->category);
	cJSON_AddStringToObject(m, "source", in->source);
	cJSON_AddStringToObject(m, "author", in->author);
	cJSON_AddStringToObject(m, "cover_media_id", http_text(req, "cover_media_id"));
	cJSON_AddStringToObject(m, "published_at", http_text(req, "published_at"));
	cJSON_AddBoolToObject(m, "pinned", in->pinned);
	req->cacheable = false;
	page_render(app, req, "editor_conflict", d);
	req->status = 409;
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
	const char *version = http_text(req, "version");
	if (*version) {
		/* A form without it (made before versions) saves as before. */
		if (!valid_int(version, 1, 9007199254740991LL, &in->version)) {
			err->field = "version";
			err->message = "the form's version is not a number: reload the article";
			return 422;
		}
		in->has_version = true;
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
		{"unpublish", "draft"}, {"archive", "archived"}, {"submit", "in_review"},
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

/* Builds what the form showed from the input, for a refused save; the
 * stored article gives what the form does not send. */
static void input_as_article(const struct article_input *in, const struct db_editor_article *stored,
			     struct db_editor_article *art)
{
	*art = *stored;
	art->category_id = 0;
	art->body_html = NULL; /* the preview of the sent body comes from the script */
	art->version = in->has_version ? in->version : stored->version;
	art->title = in->title;
	art->category_slug = in->category;
	art->summary = in->summary;
	art->body_md = in->body_md;
	art->source = in->source;
	art->author = in->author;
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
	if (id) {
		enum db_result r = db_editor_article(app->db, id, req->arena, &art);
		if (r != DB_OK) {
			page_error(app, req, r == DB_NOTFOUND ? 404 : r == DB_BUSY ? 503 : 500);
			return;
		}
		/* Why: an article in a category kept from this user is not
		 * theirs to read, let alone change. */
		if (!allowed(app, req, &art, ARTICLE_VIEW)) {
			page_error(app, req, 403);
			return;
		}
	}
	if (req->method != HTTP_POST) {
		/* The soft lock: others' forms say this user has it open (if
		 * they may change it). A failure to record it costs only that
		 * hint. */
		if (id && allowed(app, req, &art, ARTICLE_EDIT))
			article_lock(app, req, id);
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
	if (status == 409 && err.field && !strcmp(err.field, "version")) {
		show_conflict(app, req, &saved, &in);
		return;
	}
	if (status != 422 && status != 403 && status != 409) {
		page_error(app, req, status);
		return;
	}
	struct db_editor_article shown;
	input_as_article(&in, &art, &shown);
	show_form(app, req, &shown, &err, status);
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
	const char *why = NULL;
	if (req->method == HTTP_POST) {
		int status = article_delete(app, req, req->arg_id, &why);
		if (status == 204)
			page_redirect(req, "/editor/?deleted=1");
		else
			page_error(app, req, status);
		return;
	}
	if (!allowed(app, req, &art, ARTICLE_DELETE)) {
		page_error(app, req, 403);
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
