/* The rules of who may do what with an article (article_rights.h). */
#include "article_rights.h"
#include "auth.h"
#include "db_workflow.h"

#include <stdio.h>
#include <string.h>

static bool is_admin(const struct auth_user *u)
{
	return !strcmp(u->role, "admin");
}

bool article_role_reviews(const struct auth_user *u)
{
	/* Any role this code does not know gets the author's rights: the
	 * least that still lets a person write. */
	return u && (is_admin(u) || !strcmp(u->role, "editor"));
}

enum db_result article_rights_load(struct app *app, struct db *db, const struct auth_user *u,
                                   struct arena *a, struct article_rights *out)
{
	memset(out, 0, sizeof *out);
	out->all = true;
	if (is_admin(u))
		return DB_OK; /* admins manage the categories themselves */
	long long *ids;
	size_t n;
	enum db_result r = db_workflow_rights(db, u->id, a, &ids, &n);
	out->all = r == DB_OK && n == 0; /* a failed read grants nothing */
	if (r != DB_OK || n == 0)
		return r;
	/* A right on a top-level category covers its subcategories: expand
	 * them here so that every check and every list asks one question,
	 * "is the article's own category among the ids". */
	long long *all = arena_calloc(a, n + app->ncategories, sizeof *all);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		all[k++] = ids[i];
	for (size_t c = 0; c < app->ncategories; c++) {
		const struct db_category *cat = &app->categories[c];
		for (size_t i = 0; cat->parent_id && i < n; i++) {
			if (cat->parent_id == ids[i]) {
				all[k++] = cat->id;
				break;
			}
		}
	}
	out->all = false;
	out->ids = all;
	out->n = k;
	return DB_OK;
}

bool article_rights_cover(const struct article_rights *r, long long category_id)
{
	if (r->all)
		return true;
	for (size_t i = 0; i < r->n; i++)
		if (r->ids[i] == category_id)
			return true;
	return false;
}

const char *article_rights_json(const struct article_rights *r, struct arena *a)
{
	if (r->all)
		return NULL;
	struct buf b = BUF_INIT;
	buf_putc(&b, '[');
	for (size_t i = 0; i < r->n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", r->ids[i]);
	buf_putc(&b, ']');
	const char *s = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return s;
}

static int deny(const char **why, const char **field, const char *message, const char *name)
{
	*why = message;
	*field = name;
	return 403;
}

int article_may(struct app *app, struct db *db, const struct auth_user *u,
                const struct article_subject *s, enum article_action act, const char **why,
                const char **field)
{
	*why = NULL;
	*field = NULL;
	if (!u)
		return deny(why, field, "log in first", NULL);
	/* Why first: a limited user must not even see that an article exists
	 * in a category kept from them, whatever else they may do. */
	struct article_rights rights;
	enum db_result r = article_rights_load(app, db, u, &app->arena, &rights);
	if (r != DB_OK)
		return r == DB_BUSY ? 503 : 500;
	if (s->category_id && !article_rights_cover(&rights, s->category_id))
		return deny(why, field, "your account may not work in this category", "category");
	if (article_role_reviews(u))
		return 0;

	/* An author from here on. */
	bool own = s->created_by && s->created_by == u->id;
	bool draft = !s->status || !strcmp(s->status, "draft");
	switch (act) {
	case ARTICLE_VIEW:
	case ARTICLE_CREATE:
		return 0;
	case ARTICLE_EDIT:
	case ARTICLE_SUBMIT:
	case ARTICLE_DELETE:
		/* Why: an author's words reach readers only through an editor;
		 * once submitted (or published) the text is the editors' to
		 * change, until they send it back. */
		if (!own)
			return deny(why, field, "an author may only change articles they created",
			            NULL);
		if (!draft)
			return deny(
			    why, field,
			    "an author may change an article only while it is a draft: this one "
			    "is in review or published",
			    "status");
		return 0;
	case ARTICLE_REVIEW:
	case ARTICLE_PUBLISH:
		break;
	}
	return deny(
	    why, field,
	    "an author may not publish, schedule, archive or unpublish an article: submit it "
	    "for review instead",
	    "status");
}
