/* /editor/users (the list and the new-user form) and /editor/users/{id}
 * (display name and role, the categories the user may work in, disable or
 * enable, password reset): admins only, the route table says so. Every
 * change goes through admin_user_save, which validates, writes with an
 * audit entry and revokes sessions. */
#include "admin.h"
#include "db_admin.h"
#include "db_workflow.h"
#include "i18n.h"
#include "page_admin.h"
#include "valid.h"

#include <string.h>

/* Generous bounds: admin_user_save's 422 with the input kept is the real
 * check; these only stop abuse (a violation is a 400 for the request). */
/* clang-format off */
const struct field_spec page_user_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{"action", FIELD_LINE, 0, 16},
	{"username", FIELD_TEXT, 0, 200},
	{"display_name", FIELD_TEXT, 0, 1000},
	{"role", FIELD_LINE, 0, 32},
	{"password", FIELD_TEXT, 0, 1024},
	{"category", FIELD_LINE, 0, 20},
	{NULL, 0, 0, 0},
};
/* clang-format on */

/* One user, copied out of the row callback. */
struct user_view {
	long long id;
	const char *username, *display_name, *role;
	bool disabled;
};

struct user_scan {
	struct arena *arena;
	struct user_view *list;
	size_t n, cap;
};

static void user_row(const struct db_admin_user *u, void *ctx)
{
	struct user_scan *s = ctx;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct user_view *grown = arena_alloc(s->arena, cap * sizeof *grown);
		if (s->n)
			memcpy(grown, s->list, s->n * sizeof *grown);
		s->list = grown;
		s->cap = cap;
	}
	s->list[s->n++] = (struct user_view){
	    .id = u->id,
	    .username = arena_strdup(s->arena, u->username),
	    .display_name = arena_strdup(s->arena, u->display_name ? u->display_name : ""),
	    .role = arena_strdup(s->arena, u->role),
	    .disabled = u->disabled,
	};
}

/* Every user by name into s; false (page answered) on a database error. */
static bool load_users(struct app *app, struct http_req *req, struct user_scan *s)
{
	memset(s, 0, sizeof *s);
	s->arena = req->arena;
	int rc = db_admin_user_each(app->db, user_row, s);
	if (rc != SQLITE_OK) {
		page_db_error(app, req, db_is_busy(rc) ? DB_BUSY : DB_ERROR);
		return false;
	}
	return true;
}

static const char *role_label(struct app *app, const char *role)
{
	return i18n_label(app->lang, !strcmp(role, "admin")    ? "role_admin"
				     : !strcmp(role, "author") ? "role_author"
							       : "role_editor");
}

static void role_options(struct app *app, cJSON *parent, const char *chosen)
{
	static const char *const roles_by_rank[] = {"author", "editor", "admin"};
	cJSON *roles = cJSON_AddArrayToObject(parent, "roles");
	for (size_t i = 0; i < 3; i++)
		page_admin_option(roles, roles_by_rank[i], role_label(app, roles_by_rank[i]),
		                  !strcmp(chosen, roles_by_rank[i]));
}

/* The categories section of a user's page: every category with whether
 * the user may work in it, and a button to allow or remove it (one form
 * each: the form parser keeps one value per field name, so a list of
 * checkboxes could not say which were ticked). */
static bool add_categories(struct app *app, struct http_req *req, cJSON *o, long long user_id,
                           const char *role)
{
	long long *ids;
	size_t n;
	enum db_result r = db_workflow_rights(app->db, user_id, req->arena, &ids, &n);
	if (r != DB_OK) {
		page_db_error(app, req, r);
		return false;
	}
	cJSON *c = cJSON_AddObjectToObject(o, "rights");
	cJSON_AddBoolToObject(c, "admin", !strcmp(role, "admin"));
	cJSON_AddBoolToObject(c, "limited", n > 0);
	cJSON *list = cJSON_AddArrayToObject(c, "categories");
	for (size_t i = 0; i < app->ncategories; i++) {
		const struct db_category *cat = &app->categories[i];
		bool on = false;
		for (size_t j = 0; j < n && !on; j++)
			on = ids[j] == cat->id;
		cJSON *it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "id", (double)cat->id);
		cJSON_AddStringToObject(it, "name", cat->name);
		cJSON_AddBoolToObject(it, "child", cat->parent_id != 0);
		cJSON_AddBoolToObject(it, "allowed", on);
		cJSON_AddItemToArray(list, it);
	}
	return true;
}

/* The user's category rights after allowing (add) or removing category
 * id, into in; 422 with err when id is not a number. */
static int change_categories(struct app *app, struct http_req *req, long long user_id, bool add,
                             struct admin_user_input *in, struct article_error *err)
{
	long long id;
	if (!valid_int(http_text(req, "category"), 1, 9007199254740991LL, &id)) {
		err->field = "categories";
		err->message = "category must be the id of a category";
		return 422;
	}
	long long *ids;
	size_t n;
	enum db_result r = db_workflow_rights(app->db, user_id, req->arena, &ids, &n);
	if (r != DB_OK)
		return r == DB_BUSY ? 503 : 500;
	long long *next = arena_calloc(req->arena, n + 1, sizeof *next);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (ids[i] != id)
			next[k++] = ids[i];
	if (add)
		next[k++] = id;
	in->set_categories = true;
	in->categories = next;
	in->ncategories = k;
	return 0;
}

/* Maps a refused save to what the form shows: a taken name is the
 * username field's problem. */
static void add_error(struct app *app, cJSON *d, int status, const struct article_error *err)
{
	if (status == 409)
		page_admin_error(app, d, "username", i18n_label(app->lang, "name_taken"));
	else if (err->field)
		page_admin_error(app, d, err->field, err->message);
}

/* The list and the new-user form (with the refused input kept, never the
 * password). */
static void users_page(struct app *app, struct http_req *req, int status,
                       const struct article_error *err)
{
	struct user_scan s;
	if (!load_users(app, req, &s))
		return;
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "users"));
	page_admin_notice(app, req, d);
	cJSON *list = cJSON_AddArrayToObject(d, "users");
	for (size_t i = 0; i < s.n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)s.list[i].id);
		cJSON_AddStringToObject(o, "username", s.list[i].username);
		cJSON_AddStringToObject(o, "display_name", s.list[i].display_name);
		cJSON_AddStringToObject(o, "role_label", role_label(app, s.list[i].role));
		cJSON_AddBoolToObject(o, "disabled", s.list[i].disabled);
		cJSON_AddBoolToObject(o, "self", req->user->id == s.list[i].id);
		cJSON_AddItemToArray(list, o);
	}
	cJSON *form = cJSON_AddObjectToObject(d, "form");
	bool posted = req->method == HTTP_POST;
	cJSON_AddStringToObject(form, "username", posted ? http_text(req, "username") : "");
	cJSON_AddStringToObject(form, "display_name",
	                        posted ? http_text(req, "display_name") : "");
	role_options(app, form, posted ? http_text(req, "role") : "editor");
	if (err)
		add_error(app, d, status, err);
	page_admin_show(app, req, "editor_users", d, status);
}

void page_admin_users(struct app *app, struct http_req *req)
{
	if (req->method != HTTP_POST) {
		users_page(app, req, 200, NULL);
		return;
	}
	struct admin_user_input in = {
	    .username = http_text(req, "username"),
	    .role = http_text(req, "role"),
	    .display_name = http_text(req, "display_name"),
	    .password = http_text(req, "password"),
	    .disabled = -1,
	};
	struct article_error err = {0};
	long long id = 0;
	int status = admin_user_save(app, req, 0, &in, &id, &err);
	page_admin_wipe(req, "password");
	if (status == 201)
		page_redirect(req, "/editor/users?saved=1");
	else if (status == 422 || status == 409)
		users_page(app, req, status, &err);
	else
		page_error(app, req, status);
}

/* One user's page: the stored values, or the refused input of a save. */
static void user_page(struct app *app, struct http_req *req, const struct user_view *u, int status,
                      const struct article_error *err, bool keep_input)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", u->username);
	page_admin_notice(app, req, d);
	cJSON *o = cJSON_AddObjectToObject(d, "account");
	cJSON_AddNumberToObject(o, "id", (double)u->id);
	cJSON_AddStringToObject(o, "username", u->username);
	cJSON_AddStringToObject(
	    o, "display_name", keep_input ? http_text(req, "display_name") : u->display_name);
	cJSON_AddStringToObject(o, "role_label", role_label(app, u->role));
	role_options(app, o, keep_input ? http_text(req, "role") : u->role);
	cJSON_AddBoolToObject(o, "disabled", u->disabled);
	/* Your own account: no disable button and no reset here (see below). */
	cJSON_AddBoolToObject(o, "self", req->user->id == u->id);
	if (!add_categories(app, req, o, u->id, u->role)) {
		cJSON_Delete(d);
		return;
	}
	if (err)
		add_error(app, d, status, err);
	page_admin_show(app, req, "editor_user", d, status);
}

void page_admin_user(struct app *app, struct http_req *req)
{
	struct user_scan s;
	if (!load_users(app, req, &s))
		return;
	const struct user_view *u = NULL;
	for (size_t i = 0; i < s.n && !u; i++)
		if (s.list[i].id == req->arg_id)
			u = &s.list[i];
	if (!u) {
		page_error(app, req, 404);
		return;
	}
	if (req->method != HTTP_POST) {
		user_page(app, req, u, 200, NULL, false);
		return;
	}
	const char *action = http_text(req, "action");
	struct admin_user_input in = {.disabled = -1};
	struct article_error err = {0};
	int status = 0;
	if (!strcmp(action, "save")) {
		in.display_name = http_text(req, "display_name");
		in.role = http_text(req, "role");
	} else if (!strcmp(action, "allow_category") || !strcmp(action, "remove_category")) {
		status = change_categories(app, req, u->id, !strcmp(action, "allow_category"), &in,
		                           &err);
	} else if (!strcmp(action, "all_categories")) {
		in.set_categories = true; /* no rows: every category */
	} else if (!strcmp(action, "disable") || !strcmp(action, "enable")) {
		in.disabled = !strcmp(action, "disable");
	} else if (!strcmp(action, "password")) {
		/* Why: a reset here skips the current-password check that My
		 * account makes, so a hijacked admin session could take the
		 * account over for good; one's own password changes there. */
		if (req->user->id == u->id) {
			err.field = "password";
			err.message = i18n_label(app->lang, "own_password_elsewhere");
			status = 422;
		}
		in.password = http_text(req, "password");
	} else {
		page_error(app, req, 400);
		return;
	}
	long long unused = 0;
	if (!status)
		status = admin_user_save(app, req, u->id, &in, &unused, &err);
	page_admin_wipe(req, "password");
	if (status == 200)
		page_redirect(req,
		                    arena_printf(req->arena, "/editor/users/%lld?saved=1", u->id));
	else if (status == 422)
		user_page(app, req, u, status, &err, !strcmp(action, "save"));
	else
		page_error(app, req, status);
}
