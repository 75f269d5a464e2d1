/* The review queue: GET /editor/review lists the articles in review
 * (newest submission first, only the categories the editor may work in),
 * each with an approve form (now, or at a time) and a send-back form with
 * the comment the author will see; POST /editor/articles/{id}/approve and
 * /send-back make the step (article_step) and come back here. Works
 * without JavaScript. Also the form's soft-lock heartbeat (POST
 * /editor/articles/{id}/lock) and the menu's queue badge. */
#include "article.h"
#include "db_workflow.h"
#include "i18n.h"
#include "page.h"
#include "valid.h"

#include <string.h>
#include <time.h>

enum { QUEUE_PER_PAGE = 50 };

/* clang-format off */
const struct field_spec page_review_query[] = {
	{"page", FIELD_INT, 1, 1000000000LL},
	{"done", FIELD_LINE, 0, 16},
	{NULL, 0, 0, 0},
};

/* Generous bounds: article_step's 422 is the real check. */
const struct field_spec page_review_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{"published_at", FIELD_LINE, 0, 32},
	{"comment", FIELD_TEXT, 0, 20000},
	{"version", FIELD_LINE, 0, 20},
	{NULL, 0, 0, 0},
};
/* clang-format on */

static const char *label(struct app *app, const char *key)
{
	return i18n_label(app->lang, key);
}

/* The refusal of one item's step, shown by its forms. */
struct refusal {
	long long id;
	const char *field, *message;
	const char *comment; /* what was typed, kept */
};

/* Renders the queue; a refused step shows next to its article. */
static void show_queue(struct app *app, struct http_req *req, const struct refusal *no, int status)
{
	/* Why: reviewing is the editors' job; an author has nothing to do
	 * here (and article_step would refuse every button anyway). */
	if (!article_role_reviews(req->user)) {
		page_error(app, req, 403);
		return;
	}
	struct article_rights rights;
	enum db_result r = article_rights_load(app, app->db, req->user, req->arena, &rights);
	struct db_editor_filter filter = {.status = "in_review", .by_submission = true};
	filter.categories = article_rights_json(&rights, req->arena);
	const struct field_value *pf = http_field(req, "page");
	long long page = pf && req->method != HTTP_POST ? pf->num : 1, total = 0;
	struct db_editor_article *items = NULL;
	size_t n = 0;
	if (r == DB_OK)
		r = db_editor_list(app->db, &filter, QUEUE_PER_PAGE, (page - 1) * QUEUE_PER_PAGE,
		                   req->arena, &items, &n, &total);
	if (r != DB_OK) {
		page_db_error(app, req, r);
		return;
	}
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", label(app, "review_queue"));
	const char *done = http_text(req, "done");
	if (!strcmp(done, "approved") || !strcmp(done, "sent_back"))
		cJSON_AddStringToObject(
		    d, "notice",
		    label(app, !strcmp(done, "approved") ? "review_approved" : "review_sent_back"));
	if (no)
		cJSON_AddStringToObject(d, "error_summary", label(app, "review_not_done"));
	cJSON_AddStringToObject(d, "timezone", app_setting(app, "timezone"));
	cJSON *list = cJSON_AddArrayToObject(d, "articles");
	for (size_t i = 0; i < n; i++) {
		const struct db_editor_article *a = &items[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)a->id);
		cJSON_AddNumberToObject(o, "version", (double)a->version);
		cJSON_AddStringToObject(o, "title", a->title);
		cJSON_AddStringToObject(o, "summary", a->summary);
		cJSON_AddStringToObject(o, "category", a->category_name);
		cJSON_AddStringToObject(o, "author", a->author);
		bool submitted = !strcmp(a->review_action, "submit");
		cJSON_AddStringToObject(o, "submitted_by",
		                        submitted ? a->review_by : a->created_by_name);
		cJSON_AddStringToObject(
		    o, "submitted_at",
		    app_local_time(req->arena, submitted ? a->review_at : a->updated_at));
		if (submitted && *a->review_comment)
			cJSON_AddStringToObject(o, "note", a->review_comment);
		if (no && no->id == a->id) {
			cJSON *e = cJSON_AddObjectToObject(o, "errors");
			cJSON_AddStringToObject(e, no->field ? no->field : "comment", no->message);
			cJSON_AddStringToObject(o, "comment", no->comment ? no->comment : "");
		}
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddBoolToObject(d, "empty", n == 0);
	cJSON_AddNumberToObject(d, "total", (double)total);
	long long last = total ? (total + QUEUE_PER_PAGE - 1) / QUEUE_PER_PAGE : 1;
	cJSON *pager = cJSON_AddObjectToObject(d, "pager");
	cJSON_AddBoolToObject(pager, "show", last > 1);
	cJSON_AddNumberToObject(pager, "current", (double)page);
	cJSON_AddNumberToObject(pager, "last", (double)last);
	if (page > 1)
		cJSON_AddStringToObject(
		    pager, "prev", arena_printf(req->arena, "/editor/review?page=%lld", page - 1));
	if (page < last)
		cJSON_AddStringToObject(
		    pager, "next", arena_printf(req->arena, "/editor/review?page=%lld", page + 1));
	req->cacheable = false;
	page_render(app, req, "editor_review", d);
	req->status = status;
}

void page_editor_review(struct app *app, struct http_req *req)
{
	show_queue(app, req, NULL, 200);
}

/* Approve or send back from the queue's forms. */
static void review_step(struct app *app, struct http_req *req, enum article_step step)
{
	struct article_input in;
	memset(&in, 0, sizeof in);
	struct article_error err = {0};
	int status = 0;
	const char *version = http_text(req, "version");
	if (*version && !valid_int(version, 1, 9007199254740991LL, &in.version))
		status = 400;
	in.has_version = *version != '\0';
	const char *when = http_text(req, "published_at");
	if (step == ARTICLE_STEP_APPROVE && *when) {
		if (valid_local_time(when, &in.published_at)) {
			in.has_published_at = true;
		} else {
			err.field = "published_at";
			err.message = label(app, "review_bad_time");
			status = 422;
		}
	}
	if (step == ARTICLE_STEP_SEND_BACK)
		in.comment = http_text(req, "comment");
	struct db_editor_article out;
	if (!status)
		status = article_step(app, req, req->arg_id, step, &in, &out, &err);
	if (status == 200) {
		page_redirect(req, step == ARTICLE_STEP_APPROVE ? "/editor/review?done=approved"
		                                                : "/editor/review?done=sent_back");
		return;
	}
	if (status == 422 || status == 409) {
		/* Shown by the article's own forms, with the comment kept. A
		 * stale version or a step already taken by someone else is
		 * said in words: the queue shows the article as it is now. */
		struct refusal no = {req->arg_id, err.field, err.message,
		                     http_text(req, "comment")};
		if (status == 409) {
			no.field = step == ARTICLE_STEP_APPROVE ? "published_at" : "comment";
			no.message = label(app, "review_changed");
		}
		show_queue(app, req, &no, status);
		return;
	}
	page_error(app, req, status);
}

void page_editor_approve(struct app *app, struct http_req *req)
{
	review_step(app, req, ARTICLE_STEP_APPROVE);
}

void page_editor_send_back(struct app *app, struct http_req *req)
{
	review_step(app, req, ARTICLE_STEP_SEND_BACK);
}

void page_editor_lock(struct app *app, struct http_req *req)
{
	int status = article_lock(app, req, req->arg_id);
	if (status != 204) {
		page_error(app, req, status);
		return;
	}
	req->status = 204;
	req->cacheable = false;
	buf_reset(req->body);
	req->content_type = "text/plain; charset=utf-8";
}

void page_editor_nav(struct app *app, struct http_req *req, cJSON *user)
{
	bool reviewer = article_role_reviews(req->user);
	cJSON_AddBoolToObject(user, "reviewer", reviewer);
	if (!reviewer)
		return;
	/* The badge: a hint, so a failed read shows none rather than an
	 * error on every editor page. */
	struct article_rights rights;
	long long n = 0;
	if (article_rights_load(app, app->db, req->user, req->arena, &rights) == DB_OK &&
	    db_workflow_review_count(app->db, article_rights_json(&rights, req->arena), &n) ==
	        DB_OK &&
	    n > 0)
		cJSON_AddNumberToObject(user, "review_count", (double)n);
}

void page_review_history(struct app *app, struct http_req *req, cJSON *d, long long article_id)
{
	struct db_review *steps;
	size_t n;
	if (db_workflow_reviews(app->db, article_id, 100, req->arena, &steps, &n) != DB_OK || !n)
		return; /* the revisions still show; the history is an addition */
	cJSON_AddBoolToObject(d, "has_reviews", true);
	cJSON *list = cJSON_AddArrayToObject(d, "reviews");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "time", app_local_time(req->arena, steps[i].at));
		cJSON_AddStringToObject(o, "user", steps[i].username);
		cJSON_AddStringToObject(o, "action", steps[i].action);
		cJSON_AddStringToObject(
		    o, "action_label",
		    label(app, arena_printf(req->arena, "review_action_%s", steps[i].action)));
		cJSON_AddStringToObject(o, "comment", steps[i].comment);
		if (steps[i].has_published_at)
			cJSON_AddStringToObject(o, "publish_at",
			                        app_local_time(req->arena, steps[i].published_at));
		cJSON_AddItemToArray(list, o);
	}
}

bool page_editor_may_view(struct app *app, struct http_req *req, const struct db_editor_article *a)
{
	struct article_subject s = {a->category_id, a->created_by, a->status};
	const char *why, *field;
	int status = article_may(app, app->db, req->user, &s, ARTICLE_VIEW, &why, &field);
	if (status)
		page_error(app, req, status);
	return status == 0;
}
