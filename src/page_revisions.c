/*
 * Article revisions: GET /editor/articles/{id}/revisions lists an
 * article's saves, GET /editor/revisions/{id} shows one against the
 * article's current text, POST /editor/revisions/{id}/restore brings it
 * back.
 *
 * A restore is an ordinary save through article_save(): it writes a new
 * revision and an audit entry (article.update), so it can itself be undone
 * from this list. It restores title, category, summary, body, source,
 * author and pinned; it leaves the status and publish time as they are now,
 * so that restoring never publishes, unpublishes or reschedules an article
 * by surprise (the status buttons of the article form do that, visibly).
 * Revisions keep no cover image, so the cover stays too.
 */
#include "article.h"
#include "db_revision.h"
#include "diff.h"
#include "i18n.h"
#include "page.h"

#include <string.h>

enum { REVISIONS_PER_PAGE = 50, DIFF_CONTEXT = 3 };

/* clang-format off */
const struct field_spec page_revisions_query[] = {
	{"page", FIELD_INT, 1, 1000000000LL},
	{NULL, 0, 0, 0},
};
/* clang-format on */

static const char *label(struct app *app, const char *key)
{
	return i18n_label(app->lang, key);
}

static const char *status_label(struct app *app, struct http_req *req, const char *status)
{
	return label(app, arena_printf(req->arena, "status_%s", status));
}

/* The article as editors see it, or the error page (404 once deleted). */
static bool load_article(struct app *app, struct http_req *req, long long id,
                         struct db_editor_article *art)
{
	enum db_result r = db_editor_article(app->db, id, req->arena, art);
	if (r == DB_OK)
		return page_editor_may_view(app, req, art); /* per-category rights */
	if (r == DB_NOTFOUND)
		page_error(app, req, 404);
	else
		page_db_error(app, req, r);
	return false;
}

/* GET /editor/articles/{id}/revisions?page=N: the article's revisions, 50 a
 * page, newest first; 404 for an unknown or deleted article or a page past
 * the last. */
void page_editor_revisions(struct app *app, struct http_req *req)
{
	struct db_editor_article art;
	if (!load_article(app, req, req->arg_id, &art))
		return;
	const struct field_value *pf = http_field(req, "page");
	long long page = pf ? pf->num : 1, total;
	struct db_revision *revs;
	size_t n;
	enum db_result r =
	    db_revision_list(app->db, art.id, REVISIONS_PER_PAGE, (page - 1) * REVISIONS_PER_PAGE,
	                     req->arena, &revs, &n, &total);
	if (r != DB_OK) {
		page_db_error(app, req, r);
		return;
	}
	long long last = total > 0 ? (total + REVISIONS_PER_PAGE - 1) / REVISIONS_PER_PAGE : 1;
	if (page > last) {
		page_error(app, req, 404);
		return;
	}
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(
	    d, "title", arena_printf(req->arena, "%s — %s", label(app, "revisions"), art.title));
	cJSON *a = cJSON_AddObjectToObject(d, "article");
	cJSON_AddNumberToObject(a, "id", (double)art.id);
	cJSON_AddStringToObject(a, "title", art.title);
	cJSON *list = cJSON_AddArrayToObject(d, "revisions");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)revs[i].id);
		cJSON_AddStringToObject(o, "time", app_local_time(req->arena, revs[i].created_at));
		cJSON_AddStringToObject(o, "user", revs[i].username);
		cJSON_AddStringToObject(o, "title", revs[i].title);
		cJSON_AddStringToObject(o, "status", revs[i].status);
		cJSON_AddStringToObject(o, "status_label", status_label(app, req, revs[i].status));
		cJSON_AddBoolToObject(o, "latest", page == 1 && i == 0);
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddNumberToObject(d, "total", (double)total);
	cJSON_AddBoolToObject(d, "empty", total == 0);
	page_review_history(app, req, d, art.id); /* submit, approve, send back */
	cJSON *pager = cJSON_AddObjectToObject(d, "pager");
	cJSON_AddBoolToObject(pager, "show", last > 1);
	cJSON_AddNumberToObject(pager, "current", (double)page);
	cJSON_AddNumberToObject(pager, "last", (double)last);
	const char *self = arena_printf(req->arena, "/editor/articles/%lld/revisions", art.id);
	if (page > 1)
		cJSON_AddStringToObject(pager, "prev",
		                        arena_printf(req->arena, "%s?page=%lld", self, page - 1));
	if (page < last)
		cJSON_AddStringToObject(pager, "next",
		                        arena_printf(req->arena, "%s?page=%lld", self, page + 1));
	req->cacheable = false;
	page_render(app, req, "editor_revisions", d);
}

/* The diff of old against new as HTML, in the arena. */
static const char *diff_of(struct app *app, struct http_req *req, const char *old, const char *new)
{
	const struct diff_labels l = {
	    .old_col = label(app, "rev_this"),
	    .new_col = label(app, "rev_current"),
	    .text_col = label(app, "rev_text"),
	    .unchanged = label(app, "rev_unchanged_lines"),
	    .identical = label(app, "rev_identical"),
	    .too_long = label(app, "rev_too_long"),
	    .too_different = label(app, "rev_too_different"),
	    .eol = label(app, "rev_eol"),
	};
	struct diff d;
	struct buf out = BUF_INIT;
	diff_lines(&d, old, strlen(old), new, strlen(new), NULL);
	diff_html(&out, &d, &l, DIFF_CONTEXT);
	diff_free(&d);
	const char *s = arena_strdup(req->arena, buf_cstr(&out));
	buf_free(&out);
	return s;
}

static const char *category_name(const struct app *app, struct http_req *req, long long id)
{
	const struct db_category *c = app_category(app, id);
	return c ? c->name : arena_printf(req->arena, "#%lld", id);
}

static const char *time_text(struct app *app, struct http_req *req, int has, long long t)
{
	return has ? app_local_time(req->arena, t) : label(app, "rev_not_set");
}

/* One row of the field table: the revision's value and, when it differs,
 * the current one. */
static void add_field(cJSON *list, const char *name, const char *old, const char *cur, bool changed)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "label", name);
	cJSON_AddStringToObject(o, "old", old);
	cJSON_AddStringToObject(o, "current", cur);
	cJSON_AddBoolToObject(o, "changed", changed);
	cJSON_AddItemToArray(list, o);
}

static void show_revision(struct app *app, struct http_req *req, const struct db_revision *rev,
                          const struct db_editor_article *art, const char *error, int status)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title",
	                        arena_printf(req->arena, "%s %lld — %s", label(app, "rev_heading"),
	                                     rev->id, art->title));
	cJSON *a = cJSON_AddObjectToObject(d, "article");
	cJSON_AddNumberToObject(a, "id", (double)art->id);
	cJSON_AddStringToObject(a, "title", art->title);
	cJSON *r = cJSON_AddObjectToObject(d, "revision");
	cJSON_AddNumberToObject(r, "id", (double)rev->id);
	cJSON_AddStringToObject(r, "time", app_local_time(req->arena, rev->created_at));
	cJSON_AddStringToObject(r, "user", rev->username);
	cJSON_AddStringToObject(r, "title", rev->title);
	cJSON_AddStringToObject(r, "body", rev->body_md);
	cJSON_AddStringToObject(r, "status_label", status_label(app, req, rev->status));

	bool title_same = !strcmp(rev->title, art->title);
	bool body_same = !strcmp(rev->body_md, art->body_md);
	cJSON_AddStringToObject(d, "title_diff", diff_of(app, req, rev->title, art->title));
	cJSON_AddStringToObject(d, "body_diff", diff_of(app, req, rev->body_md, art->body_md));

	cJSON *f = cJSON_AddArrayToObject(d, "fields");
	bool fields_same = true;
	const char *rc = category_name(app, req, rev->category_id);
	const char *ac = category_name(app, req, art->category_id);
	fields_same &= rev->category_id == art->category_id;
	add_field(f, label(app, "col_category"), rc, ac, rev->category_id != art->category_id);
	struct {
		const char *key, *old, *cur;
	} texts[] = {
	    {"summary", rev->summary, art->summary},
	    {"source", rev->source, art->source},
	    {"drafted_by", rev->author, art->author},
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		bool changed = strcmp(texts[i].old, texts[i].cur) != 0;
		fields_same &= !changed;
		add_field(f, label(app, texts[i].key), texts[i].old, texts[i].cur, changed);
	}
	bool changed = strcmp(rev->status, art->status) != 0;
	fields_same &= !changed;
	add_field(f, label(app, "col_status"), status_label(app, req, rev->status),
	          status_label(app, req, art->status), changed);
	changed = rev->has_published_at != art->has_published_at ||
	          (rev->has_published_at && rev->published_at != art->published_at);
	fields_same &= !changed;
	add_field(f, label(app, "publish_time"),
	          time_text(app, req, rev->has_published_at, rev->published_at),
	          time_text(app, req, art->has_published_at, art->published_at), changed);
	changed = (rev->pinned != 0) != (art->pinned != 0);
	fields_same &= !changed;
	add_field(f, label(app, "pinned"), label(app, rev->pinned ? "rev_yes" : "rev_no"),
	          label(app, art->pinned ? "rev_yes" : "rev_no"), changed);
	cJSON_AddBoolToObject(d, "same", title_same && body_same && fields_same);
	if (error)
		cJSON_AddStringToObject(d, "error", error);
	req->cacheable = false;
	page_render(app, req, "editor_revision", d);
	req->status = status;
}

/* The revision and its (not deleted) article, or the error page. */
static bool load_revision(struct app *app, struct http_req *req, struct db_revision *rev,
                          struct db_editor_article *art)
{
	enum db_result r = db_revision_get(app->db, req->arg_id, req->arena, rev);
	if (r != DB_OK) {
		if (r == DB_NOTFOUND)
			page_error(app, req, 404);
		else
			page_db_error(app, req, r);
		return false;
	}
	return load_article(app, req, rev->article_id, art);
}

/* GET /editor/revisions/{id}: the revision against its article's current
 * text, with the restore form; 404 when either is gone. */
void page_editor_revision(struct app *app, struct http_req *req)
{
	struct db_revision rev;
	struct db_editor_article art;
	if (load_revision(app, req, &rev, &art))
		show_revision(app, req, &rev, &art, NULL, 200);
}

/* POST /editor/revisions/{id}/restore (session and CSRF checked by the
 * front line): saves the revision's content as the article's (see the top
 * of this file for what is kept), then 303 to the article form; a refused
 * save shows the revision page again with why (422). */
void page_editor_revision_restore(struct app *app, struct http_req *req)
{
	struct db_revision rev;
	struct db_editor_article art;
	if (!load_revision(app, req, &rev, &art))
		return;
	/* The category by slug, as every save names it; a revision may point
	 * at one deleted since, which a save cannot take. */
	const struct db_category *cat = app_category(app, rev.category_id);
	if (!cat) {
		show_revision(app, req, &rev, &art, label(app, "rev_category_gone"), 422);
		return;
	}
	struct article_input in;
	memset(&in, 0, sizeof in);
	in.has_title = in.has_category = in.has_summary = in.has_body = true;
	in.has_source = in.has_author = in.has_pinned = true;
	in.title = rev.title;
	in.category = cat->slug;
	in.summary = rev.summary;
	in.body_md = rev.body_md;
	in.source = rev.source;
	in.author = rev.author;
	in.pinned = rev.pinned != 0;
	struct db_editor_article saved;
	struct article_error err = {0};
	int status = article_save(app, req, art.id, &in, &saved, &err);
	if (status == 200) {
		req->status = 303;
		req->cacheable = false;
		http_header(req, "Location",
		            arena_printf(req->arena, "%s/editor/articles/%lld?saved=1", req->base,
		                         saved.id));
		buf_reset(req->body);
		req->content_type = "text/plain; charset=utf-8";
		return;
	}
	if (status == 422) {
		/* Limits may have tightened since the revision was saved. */
		const char *why =
		    arena_printf(req->arena, "%s %s", label(app, "rev_restore_failed"),
		                 err.message ? err.message : "");
		show_revision(app, req, &rev, &art, why, 422);
		return;
	}
	page_error(app, req, status);
}
