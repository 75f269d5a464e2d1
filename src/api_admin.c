/* Admin JSON API: users, categories, settings; and an editor's own password. */
#include "admin.h"
#include "api.h"
#include "db_admin.h"
#include "db_workflow.h"
#include "json.h"
#include "settings.h"

#include <sodium.h>
#include <string.h>

enum { ADMIN_BODY_MAX = 64 * 1024 };

/* Answers the status of an admin_* call. */
static void answer(struct http_req *req, int status, const struct article_error *err,
		   cJSON *ok_body)
{
	if (status == 200 || status == 201) {
		json_send(req, status, ok_body ? ok_body : cJSON_CreateObject());
		return;
	}
	cJSON_Delete(ok_body);
	if (status == 422)
		json_error(req, 422, "invalid", err->message, err->field);
	else if (status == 409)
		json_error(req, 409, "conflict", "that name is taken", NULL);
	else
		json_error_status(req, status);
}

/* A string member, NULL when absent; *bad set when present but not a string. */
static const char *str(const cJSON *doc, const char *name, const char **bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
	if (v && !cJSON_IsString(v) && !*bad)
		*bad = name;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

struct user_list {
	struct app *app;
	struct http_req *req;
	cJSON *list;
	enum db_result r;
};

static void user_row(const struct db_admin_user *u, void *ctx)
{
	struct user_list *l = ctx;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)u->id);
	cJSON_AddStringToObject(o, "username", u->username);
	cJSON_AddStringToObject(o, "display_name", u->display_name);
	cJSON_AddStringToObject(o, "role", u->role);
	cJSON_AddBoolToObject(o, "disabled", u->disabled);
	/* The categories the user is limited to; [] is every category. */
	long long *ids = NULL;
	size_t n = 0;
	if (l->r == DB_OK)
		l->r = db_workflow_rights(l->app->db, u->id, l->req->arena, &ids, &n);
	cJSON *cats = cJSON_AddArrayToObject(o, "categories");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(cats, cJSON_CreateNumber((double)ids[i]));
	cJSON_AddItemToArray(l->list, o);
}

void api_users(struct app *app, struct http_req *req)
{
	cJSON *root = cJSON_CreateObject();
	struct user_list l = {app, req, cJSON_AddArrayToObject(root, "users"), DB_OK};
	if (db_admin_user_each(app->db, user_row, &l) != SQLITE_OK || l.r != DB_OK) {
		cJSON_Delete(root);
		json_error_status(req, l.r == DB_BUSY ? 503 : 500);
		return;
	}
	json_send(req, 200, root);
}

/* "categories": [ids] into in; false (the field refused) when it is not an
 * array of whole numbers >= 1. */
static bool take_categories(struct http_req *req, const cJSON *doc, struct admin_user_input *in)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "categories");
	if (!c)
		return true;
	if (!cJSON_IsArray(c))
		return false;
	int n = cJSON_GetArraySize(c);
	long long *ids = arena_calloc(req->arena, n > 0 ? (size_t)n : 1, sizeof *ids);
	size_t k = 0;
	for (const cJSON *v = c->child; v; v = v->next) {
		/* A whole number in range before any cast, as for ids elsewhere. */
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 9e15 ||
		    v->valuedouble != (double)(long long)v->valuedouble)
			return false;
		ids[k++] = (long long)v->valuedouble;
	}
	in->set_categories = true;
	in->categories = ids;
	in->ncategories = k;
	return true;
}

static void user_save(struct app *app, struct http_req *req, long long id)
{
	cJSON *doc;
	if (json_read_body(req, ADMIN_BODY_MAX, &doc))
		return;
	const char *bad = NULL;
	struct admin_user_input in = {
		.username = id ? NULL : str(doc, "username", &bad),
		.role = str(doc, "role", &bad),
		.display_name = str(doc, "display_name", &bad),
		.password = str(doc, "password", &bad),
		.disabled = -1,
	};
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(doc, "disabled");
	if (d && !cJSON_IsBool(d))
		bad = "disabled";
	else if (d)
		in.disabled = cJSON_IsTrue(d);
	if (!bad && !take_categories(req, doc, &in))
		bad = "categories";
	struct article_error err = {0};
	long long new_id = 0;
	int status = bad ? (err.field = bad, err.message = "wrong type", 422)
			 : admin_user_save(app, req, id, &in, &new_id, &err);
	if (in.password)
		sodium_memzero((char *)in.password, strlen(in.password));
	cJSON *body = cJSON_CreateObject();
	cJSON_AddNumberToObject(body, "id", (double)(id ? id : new_id));
	answer(req, status, &err, body);
	cJSON_Delete(doc);
}

void api_user_create(struct app *app, struct http_req *req)
{
	user_save(app, req, 0);
}

void api_user_update(struct app *app, struct http_req *req)
{
	user_save(app, req, req->arg_id);
}

static void category_save(struct app *app, struct http_req *req, long long id)
{
	cJSON *doc;
	if (json_read_body(req, ADMIN_BODY_MAX, &doc))
		return;
	const char *bad = NULL;
	const struct db_category *cur = id ? app_category(app, id) : NULL;
	if (id && !cur) {
		cJSON_Delete(doc);
		json_error_status(req, 404);
		return;
	}
	const char *slug = id ? NULL : str(doc, "slug", &bad);
	const char *name = str(doc, "name", &bad);
	const char *parent = str(doc, "parent", &bad);
	const cJSON *pos = cJSON_GetObjectItemCaseSensitive(doc, "position");
	/* A whole number in range before any cast: 1e300 must not reach C. */
	if (pos && (!cJSON_IsNumber(pos) || pos->valuedouble < 0 || pos->valuedouble > 1000000 ||
		    pos->valuedouble != (double)(long long)pos->valuedouble))
		bad = "position";
	/* PATCH keeps what it does not name. */
	const struct db_category *cur_parent = cur && cur->parent_id ? app_category(app, cur->parent_id) : NULL;
	if (!name && cur)
		name = cur->name;
	if (!cJSON_GetObjectItemCaseSensitive(doc, "parent") && cur_parent)
		parent = cur_parent->slug;
	long long position = pos && !bad ? (long long)pos->valuedouble : cur ? cur->position : 0;
	struct article_error err = {0};
	long long new_id = 0;
	int status = bad ? (err.field = bad, err.message = "wrong type", 422)
			 : admin_category_save(app, req, id, slug, name, parent, position, &new_id, &err);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddNumberToObject(body, "id", (double)(id ? id : new_id));
	answer(req, status, &err, body);
	cJSON_Delete(doc);
}

void api_category_create(struct app *app, struct http_req *req)
{
	category_save(app, req, 0);
}

void api_category_update(struct app *app, struct http_req *req)
{
	category_save(app, req, req->arg_id);
}

void api_settings(struct app *app, struct http_req *req)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *s = cJSON_AddObjectToObject(root, "settings");
	for (size_t i = 0; i < settings_count; i++)
		cJSON_AddStringToObject(s, settings_table[i].key, app_setting(app, settings_table[i].key));
	json_send(req, 200, root);
}

void api_settings_update(struct app *app, struct http_req *req)
{
	cJSON *doc;
	if (json_read_body(req, ADMIN_BODY_MAX, &doc))
		return;
	struct article_error err = {0};
	int status = 200;
	/* All keys are checked before any is written: all or nothing. */
	for (const cJSON *m = doc->child; m && status == 200; m = m->next) {
		const char *why = cJSON_IsString(m) ? settings_check(m->string, m->valuestring)
						    : "a setting's value is a string";
		if (why) {
			err.field = m->string;
			err.message = why;
			status = 422;
		}
	}
	for (const cJSON *m = doc->child; m && status == 200; m = m->next)
		status = admin_setting_set(app, req, m->string, m->valuestring, &err);
	if (status == 200 && app_reload(app) == DB_OK)
		api_settings(app, req); /* the new values, read back */
	else
		answer(req, status == 200 ? 500 : status, &err, NULL);
	cJSON_Delete(doc); /* last: err points into it */
}

void api_own_password(struct app *app, struct http_req *req)
{
	cJSON *doc;
	if (json_read_body(req, ADMIN_BODY_MAX, &doc))
		return;
	const char *bad = NULL;
	const char *current = str(doc, "current_password", &bad);
	const char *password = str(doc, "password", &bad);
	struct article_error err = {0};
	int status;
	if (bad || !current || !password)
		status = (err.field = bad ? bad : !current ? "current_password" : "password",
			  err.message = "current_password and password are required", 422);
	else
		status = admin_own_password(app, req, current, password, &err);
	if (current)
		sodium_memzero((char *)current, strlen(current));
	if (password)
		sodium_memzero((char *)password, strlen(password));
	cJSON_Delete(doc);
	if (status == 403)
		json_error(req, 403, "forbidden", "the current password is wrong", "current_password");
	else
		answer(req, status, &err, NULL);
}
