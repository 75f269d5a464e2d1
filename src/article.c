/* Validating and saving articles. */
#include "article.h"
#include "db_auth.h"
#include "db_revision.h"
#include "md.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int status_of(enum db_result r)
{
	return r == DB_NOTFOUND ? 404 : r == DB_BUSY ? 503 : 500;
}

static int refuse(struct article_error *err, const char *field, const char *message)
{
	err->field = field;
	err->message = message;
	return 422;
}

/* Applies in onto a (which holds the current or default values) and checks
 * every field. Returns 0 or 422. */
static int merge(struct db *w, const struct article_input *in, struct db_editor_article *a,
		 long long now, struct article_error *err)
{
	if (in->has_title)
		a->title = in->title;
	if (!a->title || !valid_line(a->title, ARTICLE_TITLE_MAX) || !*a->title)
		return refuse(err, "title", "title must be 1 to 300 characters on one line");
	if (in->has_category) {
		enum db_result r = in->category && valid_slug(in->category)
					   ? db_editor_category(w, in->category, &a->category_id)
					   : DB_NOTFOUND;
		if (r == DB_NOTFOUND)
			return refuse(err, "category", "category must be the slug of a category");
		if (r != DB_OK)
			return status_of(r);
	}
	if (!a->category_id)
		return refuse(err, "category", "category is required");
	if (in->has_summary)
		a->summary = in->summary;
	if (in->has_body)
		a->body_md = in->body_md;
	if (in->has_source)
		a->source = in->source;
	if (in->has_author)
		a->author = in->author;
	if (!valid_text(a->summary, ARTICLE_SUMMARY_MAX))
		return refuse(err, "summary", "summary must be valid text of at most 2000 characters");
	if (!valid_text(a->body_md, ARTICLE_BODY_MAX))
		return refuse(err, "body_markdown", "body must be valid text of at most 500000 characters");
	if (!valid_line(a->source, ARTICLE_LINE_MAX))
		return refuse(err, "source", "source must be one line of at most 200 characters");
	if (!valid_line(a->author, ARTICLE_LINE_MAX))
		return refuse(err, "author", "author must be one line of at most 200 characters");
	if (in->has_pinned)
		a->pinned = in->pinned;
	if (in->has_cover) {
		a->cover_media_id = in->cover_media_id;
		enum db_result r = a->cover_media_id ? db_editor_media(w, a->cover_media_id) : DB_OK;
		if (r == DB_NOTFOUND)
			return refuse(err, "cover_media_id", "cover_media_id must name an uploaded image");
		if (r != DB_OK)
			return status_of(r);
	}
	if (in->has_published_at) {
		a->has_published_at = !in->published_at_null;
		a->published_at = in->published_at_null ? 0 : in->published_at;
	}
	if (in->has_status) {
		if (!valid_status(in->status))
			return refuse(err, "status",
				      "status must be draft, scheduled, published or archived");
		/* Publishing without a time means now; publishing again keeps the
		 * first time unless a new one is given. */
		if (!strcmp(in->status, "published") && strcmp(a->status, "published") &&
		    !in->has_published_at)
			a->has_published_at = 0;
		a->status = in->status;
	}
	if (!strcmp(a->status, "published") && !a->has_published_at) {
		a->has_published_at = 1;
		a->published_at = now;
	}
	if (!strcmp(a->status, "scheduled") && (!a->has_published_at || a->published_at <= now))
		return refuse(err, "published_at", "a scheduled article needs a publish time in the future");
	return 0;
}

/* The audit action of a save: what an editor would call it. */
static const char *action_of(long long id, const char *before, const char *after)
{
	if (!id)
		return "article.create";
	if (!strcmp(before, after))
		return "article.update";
	if (!strcmp(after, "published"))
		return "article.publish";
	if (!strcmp(after, "scheduled"))
		return "article.schedule";
	if (!strcmp(after, "archived"))
		return "article.archive";
	return "article.unpublish";
}

int article_save(struct app *app, struct http_req *req, long long id,
		 const struct article_input *in, struct db_editor_article *out,
		 struct article_error *err)
{
	struct db *w = app_writer(app);
	if (!w)
		return 500;
	long long now = (long long)time(NULL);
	if (db_begin_write(w) != SQLITE_OK)
		return 503;
	memset(out, 0, sizeof *out);
	out->summary = out->body_md = out->source = out->author = "";
	out->status = "draft";
	enum db_result r = id ? db_editor_article(w, id, req->arena, out) : DB_OK;
	const char *before = out->status;
	int status = r == DB_OK ? merge(w, in, out, now, err) : status_of(r);

	struct buf html = BUF_INIT;
	if (status == 0 && md_render(out->body_md, strlen(out->body_md), &html) != 0)
		status = 500;
	out->body_html = arena_strdup(req->arena, buf_cstr(&html));
	buf_free(&html);

	if (status == 0) {
		r = id ? db_editor_update(w, out, req->user->id, now)
		       : db_editor_insert(w, out, req->user->id, now);
		if (r == DB_OK)
			r = db_editor_revision(w, out->id, req->user->id, now);
		if (r == DB_OK)
			r = db_revision_prune(w, out->id, 0, now); /* keep: the revisions_keep setting */
		const char *action = action_of(id, before, out->status);
		if (r == DB_OK)
			r = db_auth_audit(w, req->user->id, req->user->username, action, "article",
					  out->id, out->title, req->remote_addr, now);
		if (r == DB_OK && db_commit(w) != SQLITE_OK)
			r = DB_BUSY;
		status = r == DB_OK ? (id ? 200 : 201) : status_of(r);
	}
	if (status != 200 && status != 201) {
		db_rollback(w);
		return status;
	}
	/* Re-read what was stored: the answer shows the truth of the row. */
	r = db_editor_article(w, out->id, req->arena, out);
	return r == DB_OK ? status : status_of(r);
}

int article_delete(struct app *app, struct http_req *req, long long id)
{
	struct db *w = app_writer(app);
	if (!w)
		return 500;
	long long now = (long long)time(NULL);
	if (db_begin_write(w) != SQLITE_OK)
		return 503;
	enum db_result r = db_editor_delete(w, id, req->user->id, now);
	if (r == DB_OK)
		r = db_auth_audit(w, req->user->id, req->user->username, "article.delete", "article",
				  id, "", req->remote_addr, now);
	if (r == DB_OK && db_commit(w) != SQLITE_OK)
		r = DB_BUSY;
	if (r != DB_OK) {
		db_rollback(w);
		return status_of(r);
	}
	return 204;
}
