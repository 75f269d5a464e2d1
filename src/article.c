/* Validating and saving articles. */
#include "article.h"
#include "auth.h"
#include "db_auth.h"
#include "db_revision.h"
#include "db_workflow.h"
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
				      "status must be draft, in_review, scheduled, published or archived");
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

/* What a save does to the article's status, and who may do it. */
struct step {
	enum article_action act; /* the right it needs besides the category */
	const char *review;      /* the review step it records, or NULL */
	const char *audit;       /* its audit action */
};

/* Classifies a save from status before (NULL: a new article) to after.
 * Returns 0, 409 (a step the article's status does not allow) or 422 (a
 * send-back without its comment). */
static int step_of(const char *before, const char *after, const struct article_input *in,
		   struct step *s, struct article_error *err)
{
	bool was_review = before && !strcmp(before, "in_review");
	memset(s, 0, sizeof *s);
	if (!before) {
		s->act = !strcmp(after, "draft") ? ARTICLE_CREATE
			 : !strcmp(after, "in_review") ? ARTICLE_SUBMIT
						      : ARTICLE_PUBLISH;
		s->review = s->act == ARTICLE_SUBMIT ? "submit" : NULL;
		s->audit = "article.create";
		return 0;
	}
	if (!strcmp(before, after)) {
		s->act = ARTICLE_EDIT;
		s->audit = "article.update";
		return 0;
	}
	if (!strcmp(after, "in_review")) {
		if (strcmp(before, "draft")) {
			err->field = "status";
			err->message = "only a draft can be submitted for review";
			return 409;
		}
		*s = (struct step){ARTICLE_SUBMIT, "submit", "article.submit"};
		return 0;
	}
	if (was_review && (!strcmp(after, "published") || !strcmp(after, "scheduled"))) {
		*s = (struct step){ARTICLE_REVIEW, "approve", "article.approve"};
		return 0;
	}
	if (was_review && !strcmp(after, "draft")) {
		/* Why required: the author must learn what to change. */
		if (!in->comment || !valid_text(in->comment, ARTICLE_COMMENT_MAX) ||
		    !in->comment[strspn(in->comment, " \t\r\n")])
			return refuse(err, "comment",
				      "sending back needs a comment for the author (at most 2000 "
				      "characters)");
		*s = (struct step){ARTICLE_REVIEW, "send_back", "article.send_back"};
		return 0;
	}
	s->act = ARTICLE_PUBLISH;
	s->audit = !strcmp(after, "published")   ? "article.publish"
		   : !strcmp(after, "scheduled") ? "article.schedule"
		   : !strcmp(after, "archived")  ? "article.archive"
						 : "article.unpublish";
	return 0;
}

/* article_may for the request's user, its refusal copied into err. */
static int may(struct app *app, struct db *w, struct http_req *req,
	       const struct article_subject *s, enum article_action act, struct article_error *err)
{
	const char *why, *field;
	int status = article_may(app, w, req->user, s, act, &why, &field);
	if (status == 403) {
		err->field = field;
		err->message = why;
	}
	return status;
}

/* Everything a save checks before it writes: the rights, the version, the
 * expected status, the fields and the step. Returns 0 or the status. */
static int check(struct app *app, struct db *w, struct http_req *req, long long id,
		 const struct article_input *in, struct db_editor_article *a, long long now,
		 struct step *st, struct article_error *err)
{
	const char *before = id ? a->status : NULL;
	struct article_subject stored = {a->category_id, id ? a->created_by : req->user->id, before};
	long long stored_category = a->category_id;
	int status = id ? may(app, w, req, &stored, ARTICLE_VIEW, err) : 0;
	if (status)
		return status;
	/* Why: a save made from an older copy would silently undo what
	 * someone else saved since; refuse it and show both texts instead. */
	if (id && in->has_version && in->version != a->version) {
		err->field = "version";
		err->message = "the article was changed by someone else since this copy was loaded";
		return 409;
	}
	/* A review step by someone who may not review at all is refused for
	 * that, whatever the article's status. */
	if (id && in->expect_status && !strcmp(in->expect_status, "in_review") &&
	    (status = may(app, w, req, &stored, ARTICLE_REVIEW, err)))
		return status;
	if (id && in->expect_status && strcmp(before, in->expect_status)) {
		err->field = "status";
		err->message = !strcmp(in->expect_status, "draft")
				       ? "only a draft can be submitted for review"
				       : "the article is not in review";
		return 409;
	}
	if (in->comment && !valid_text(in->comment, ARTICLE_COMMENT_MAX))
		return refuse(err, "comment", "a comment must be valid text of at most 2000 characters");
	status = merge(w, in, a, now, err);
	if (status)
		return status;
	if (!id || a->category_id != stored_category) {
		struct article_subject target = {a->category_id, req->user->id, NULL};
		status = may(app, w, req, &target, ARTICLE_CREATE, err);
		if (status)
			return status;
	}
	status = step_of(before, a->status, in, st, err);
	if (status)
		return status;
	/* Authors: the step's right (their own draft only) and, whatever the
	 * step, the right to change this article at all. */
	status = may(app, w, req, &stored, st->act, err);
	if (!status && id && st->act != ARTICLE_EDIT)
		status = may(app, w, req, &stored, ARTICLE_EDIT, err);
	return status;
}

/* Stores a checked save: row, revision, review step, audit. */
static enum db_result store(struct db *w, struct http_req *req, long long id,
			    struct db_editor_article *a, long long version, const struct step *st,
			    const struct article_input *in, long long now)
{
	const struct auth_user *u = req->user;
	enum db_result r = id ? db_editor_update(w, a, version, u->id, now)
			      : db_editor_insert(w, a, u->id, now);
	if (r == DB_OK)
		r = db_editor_revision(w, a->id, u->id, now);
	if (r == DB_OK)
		r = db_revision_prune(w, a->id, 0, now); /* keep: the revisions_keep setting */
	if (r == DB_OK)
		r = db_auth_audit(w, u->id, u->username, st->audit, "article", a->id, a->title,
				  req->remote_addr, now);
	if (r == DB_OK && st->review) {
		bool approve = !strcmp(st->review, "approve");
		r = db_workflow_review_add(w, a->id, u->id, u->username, st->review,
					   in->comment ? in->comment : "",
					   approve ? a->published_at : -1, now);
		/* A new article submitted at once: its creation is audited
		 * above, its submission here. */
		if (r == DB_OK && !id)
			r = db_auth_audit(w, u->id, u->username, "article.submit", "article", a->id,
					  a->title, req->remote_addr, now);
	}
	return r;
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
	long long version = out->version;
	struct step st;
	int status = r == DB_OK ? check(app, w, req, id, in, out, now, &st, err) : status_of(r);

	struct buf html = BUF_INIT;
	if (status == 0 && md_render(out->body_md, strlen(out->body_md), &html) != 0)
		status = 500;
	out->body_html = arena_strdup(req->arena, buf_cstr(&html));
	buf_free(&html);

	if (status == 0) {
		r = store(w, req, id, out, version, &st, in, now);
		if (r == DB_NOTFOUND && id) {
			/* The row is there (read above in this transaction) but
			 * its version moved: the same conflict as above. */
			err->field = "version";
			err->message = "the article was changed by someone else since this copy was loaded";
			status = 409;
		} else {
			if (r == DB_OK && db_commit(w) != SQLITE_OK)
				r = DB_BUSY;
			status = r == DB_OK ? (id ? 200 : 201) : status_of(r);
		}
	}
	if (status != 200 && status != 201) {
		db_rollback(w);
		/* A conflict answers with what is stored now, for the merge. */
		if (status == 409 && db_editor_article(app->db, id, req->arena, out) != DB_OK)
			status = 500;
		return status;
	}
	/* Re-read what was stored: the answer shows the truth of the row. */
	r = db_editor_article(w, out->id, req->arena, out);
	return r == DB_OK ? status : status_of(r);
}

int article_step(struct app *app, struct http_req *req, long long id, enum article_step step,
		 const struct article_input *in, struct db_editor_article *out,
		 struct article_error *err)
{
	struct article_input s;
	memset(&s, 0, sizeof s);
	s.has_version = in->has_version;
	s.version = in->version;
	s.comment = in->comment;
	s.has_status = true;
	switch (step) {
	case ARTICLE_STEP_SUBMIT:
		s.status = "in_review";
		s.expect_status = "draft";
		break;
	case ARTICLE_STEP_APPROVE:
		s.expect_status = "in_review";
		s.has_published_at = in->has_published_at && !in->published_at_null;
		s.published_at = in->published_at;
		/* A time to come schedules it; none (or a past one) publishes. */
		s.status = s.has_published_at && s.published_at > (long long)time(NULL) ? "scheduled"
											: "published";
		break;
	case ARTICLE_STEP_SEND_BACK:
		s.status = "draft";
		s.expect_status = "in_review";
		break;
	}
	return article_save(app, req, id, &s, out, err);
}

/* Opens a change to article id: a write transaction on *w, the row, and the
 * check that req->user may view it and do action to it. Returns 0 with the
 * transaction open, or the status to answer (nothing left open). */
static int open_change(struct app *app, struct http_req *req, long long id,
		       enum article_action action, struct db **w, const char **why)
{
	*w = app_writer(app);
	if (!*w)
		return 500;
	if (db_begin_write(*w) != SQLITE_OK)
		return 503;
	struct db_editor_article a;
	enum db_result r = db_editor_article(*w, id, req->arena, &a);
	int status = r == DB_OK ? 0 : status_of(r);
	const char *field;
	struct article_subject s = {a.category_id, a.created_by, a.status};
	if (!status)
		status = article_may(app, *w, req->user, &s, ARTICLE_VIEW, why, &field);
	if (!status && action != ARTICLE_VIEW)
		status = article_may(app, *w, req->user, &s, action, why, &field);
	if (status)
		db_rollback(*w);
	return status;
}

/* Commits what open_change began if r is DB_OK: 204, or the failure's status. */
static int close_change(struct db *w, enum db_result r)
{
	if (r == DB_OK && db_commit(w) != SQLITE_OK)
		r = DB_BUSY;
	if (r != DB_OK)
		db_rollback(w);
	return r == DB_OK ? 204 : status_of(r);
}

int article_delete(struct app *app, struct http_req *req, long long id, const char **why)
{
	struct db *w;
	int status = open_change(app, req, id, ARTICLE_DELETE, &w, why);
	if (status)
		return status;
	long long now = (long long)time(NULL);
	enum db_result r = db_editor_delete(w, id, req->user->id, now);
	if (r == DB_OK)
		r = db_auth_audit(w, req->user->id, req->user->username, "article.delete", "article",
				  id, "", req->remote_addr, now);
	return close_change(w, r);
}

int article_lock(struct app *app, struct http_req *req, long long id)
{
	struct db *w;
	const char *why;
	int status = open_change(app, req, id, ARTICLE_VIEW, &w, &why);
	if (status)
		return status;
	return close_change(w, db_workflow_lock_touch(w, id, req->user->id, (long long)time(NULL),
						      ARTICLE_LOCK_FRESH));
}
