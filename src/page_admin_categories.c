/* /editor/categories (the tree in order and the new-category form) and
 * /editor/categories/{id} (rename, move, reorder): admins only, the route
 * table says so. Saves go through admin_category_save, which validates,
 * keeps the tree two levels deep and writes with an audit entry. */
#include "admin.h"
#include "i18n.h"
#include "page_admin.h"
#include "valid.h"

#include <string.h>

enum { POSITION_MAX = 1000000 };

/* Generous bounds; admin_category_save's 422 is the real check. */
/* clang-format off */
const struct field_spec page_category_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{"slug", FIELD_TEXT, 0, 200},
	{"name", FIELD_TEXT, 0, 1000},
	{"parent", FIELD_TEXT, 0, 200},
	{"position", FIELD_TEXT, 0, 40},
	{NULL, 0, 0, 0},
};
/* clang-format on */

/* The <select> of parents: top level, then every top-level category but
 * self (a category cannot be its own parent). */
static void parent_options(struct app *app, cJSON *form, const char *chosen, long long self)
{
	cJSON *list = cJSON_AddArrayToObject(form, "parents");
	page_admin_option(list, "", i18n_label(app->lang, "top_level"), !*chosen);
	for (size_t i = 0; i < app->ncategories; i++) {
		const struct db_category *c = &app->categories[i];
		if (c->parent_id || c->id == self)
			continue;
		page_admin_option(list, c->slug, c->name, !strcmp(chosen, c->slug));
	}
}

/* Maps a refused save to what the form shows: a taken slug is the slug
 * field's problem. */
static void add_error(struct app *app, cJSON *d, int status, const struct article_error *err)
{
	if (status == 409)
		page_admin_error(app, d, "slug", i18n_label(app->lang, "slug_taken"));
	else if (err && err->field)
		page_admin_error(app, d, err->field, err->message);
}

static const char *parent_slug(const struct app *app, const struct db_category *c)
{
	const struct db_category *p = c->parent_id ? app_category(app, c->parent_id) : NULL;
	return p ? p->slug : "";
}

/* The tree and the new-category form, with the refused input kept. */
static void categories_page(struct app *app, struct http_req *req, int status,
                            const struct article_error *err)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "categories"));
	page_admin_notice(app, req, d);
	cJSON *list = cJSON_AddArrayToObject(d, "tree");
	long long last = -1;
	/* app->categories holds parents each followed by their children. */
	for (size_t i = 0; i < app->ncategories; i++) {
		const struct db_category *c = &app->categories[i];
		cJSON *o = page_category_json(c);
		cJSON_AddNumberToObject(o, "id", (double)c->id);
		cJSON_AddNumberToObject(o, "position", c->position);
		cJSON_AddBoolToObject(o, "child", c->parent_id != 0);
		cJSON_AddItemToArray(list, o);
		if (c->position > last)
			last = c->position;
	}
	cJSON_AddBoolToObject(d, "empty", app->ncategories == 0);
	cJSON *form = cJSON_AddObjectToObject(d, "form");
	bool posted = req->method == HTTP_POST;
	cJSON_AddStringToObject(form, "slug", posted ? http_text(req, "slug") : "");
	cJSON_AddStringToObject(form, "name", posted ? http_text(req, "name") : "");
	/* A new category goes last unless the admin says otherwise. */
	cJSON_AddStringToObject(
	    form, "position",
	    posted ? http_text(req, "position")
	           : arena_printf(req->arena, "%lld", last < POSITION_MAX ? last + 1 : last));
	parent_options(app, form, posted ? http_text(req, "parent") : "", 0);
	add_error(app, d, status, err);
	page_admin_show(app, req, "editor_categories", d, status);
}

/* The position field as a number; false with err set when it is not one. */
static bool read_position(struct app *app, struct http_req *req, long long *out,
                          struct article_error *err)
{
	const char *s = http_text(req, "position");
	if (!*s) {
		*out = 0;
		return true;
	}
	if (valid_int(s, 0, POSITION_MAX, out))
		return true;
	err->field = "position";
	err->message = i18n_label(app->lang, "position_invalid");
	return false;
}

void page_admin_categories(struct app *app, struct http_req *req)
{
	if (req->method != HTTP_POST) {
		categories_page(app, req, 200, NULL);
		return;
	}
	struct article_error err = {0};
	long long position, id = 0;
	int status = 422;
	if (read_position(app, req, &position, &err))
		status = admin_category_save(app, req, 0, http_text(req, "slug"),
		                             http_text(req, "name"),
		                             http_text(req, "parent"), position, &id, &err);
	if (status == 201)
		page_redirect(req, "/editor/categories?saved=1");
	else if (status == 422 || status == 409)
		categories_page(app, req, status, &err);
	else
		page_error(app, req, status);
}

/* One category's form: what is stored, or the refused input. */
static void category_page(struct app *app, struct http_req *req, const struct db_category *c,
                          int status, const struct article_error *err)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", c->name);
	page_admin_notice(app, req, d);
	bool posted = req->method == HTTP_POST;
	cJSON *o = cJSON_AddObjectToObject(d, "category");
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	cJSON_AddStringToObject(o, "slug", c->slug);
	char url[PAGE_CATEGORY_PATH_MAX];
	cJSON_AddStringToObject(o, "url", page_category_path(url, c->slug));
	cJSON_AddStringToObject(o, "name", posted ? http_text(req, "name") : c->name);
	cJSON_AddStringToObject(o, "position",
	                        posted ? http_text(req, "position")
	                               : arena_printf(req->arena, "%d", c->position));
	parent_options(app, o, posted ? http_text(req, "parent") : parent_slug(app, c),
	               c->id);
	add_error(app, d, status, err);
	page_admin_show(app, req, "editor_category", d, status);
}

void page_admin_category(struct app *app, struct http_req *req)
{
	const struct db_category *c = app_category(app, req->arg_id);
	if (!c) {
		page_error(app, req, 404);
		return;
	}
	if (req->method != HTTP_POST) {
		category_page(app, req, c, 200, NULL);
		return;
	}
	struct article_error err = {0};
	long long position, unused = 0;
	int status = 422;
	if (read_position(app, req, &position, &err))
		status =
		    admin_category_save(app, req, c->id, NULL, http_text(req, "name"),
		                        http_text(req, "parent"), position, &unused, &err);
	if (status == 200)
		page_redirect(req,
		                    "/editor/categories?saved=1"); /* the tree shows the move */
	else if (status == 422)
		category_page(app, req, c, status, &err);
	else
		page_error(app, req, status);
}
