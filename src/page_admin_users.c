/* /editor/users (the list and the new-user form) and /editor/users/{id}
 * (display name and role, disable or enable, password reset): admins only,
 * the route table says so. Every change goes through admin_user_save,
 * which validates, writes with an audit entry and revokes sessions. */
#include "admin.h"
#include "db_admin.h"
#include "i18n.h"
#include "page_admin.h"

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
	return i18n_label(app->lang, strcmp(role, "admin") ? "role_editor" : "role_admin");
}

static void role_options(struct app *app, cJSON *parent, const char *chosen)
{
	cJSON *roles = cJSON_AddArrayToObject(parent, "roles");
	page_admin_option(roles, "editor", i18n_label(app->lang, "role_editor"),
	                  !strcmp(chosen, "editor"));
	page_admin_option(roles, "admin", i18n_label(app->lang, "role_admin"),
	                  !strcmp(chosen, "admin"));
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
