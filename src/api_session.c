/* POST/GET/DELETE /api/session: editors log in and out through the API. */
#include "api.h"
#include "json.h"
#include "valid.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { SESSION_BODY_MAX = 8192 };

/* {"user":{"username","role"},"csrf_token"} of the request's session. */
static void session_answer(struct http_req *req, int status)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *u = cJSON_AddObjectToObject(root, "user");
	cJSON_AddStringToObject(u, "username", req->user->username);
	cJSON_AddStringToObject(u, "display_name", req->user->display_name);
	cJSON_AddStringToObject(u, "role", req->user->role);
	cJSON_AddStringToObject(root, "csrf_token", req->csrf_token);
	json_send(req, status, root);
}

/* Maps a login result to its answer; shared by the API and the login form
 * through api_login_error for the JSON side. */
void api_login_error(struct http_req *req, enum auth_result r, long long retry_after)
{
	char secs[32];
	switch (r) {
	case AUTH_THROTTLED:
		snprintf(secs, sizeof secs, "%lld", retry_after);
		http_header(req, "Retry-After", secs);
		json_error(req, 429, "too_many_requests",
			   "too many failed logins; try again later", NULL);
		return;
	case AUTH_BUSY:
		http_header(req, "Retry-After", "2");
		json_error_status(req, 503);
		return;
	case AUTH_DENIED:
		/* One answer for unknown users and wrong passwords alike. */
		json_error(req, 401, "invalid_credentials", "wrong username or password", NULL);
		return;
	default:
		json_error_status(req, 500);
	}
}

void api_session_create(struct app *app, struct http_req *req)
{
	cJSON *doc;
	if (json_read_body(req, SESSION_BODY_MAX, &doc))
		return;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "username");
	const cJSON *pass = cJSON_GetObjectItemCaseSensitive(doc, "password");
	if (!cJSON_IsString(name) || !valid_line(name->valuestring, 64)) {
		cJSON_Delete(doc);
		json_error(req, 422, "invalid", "username is required", "username");
		return;
	}
	if (!cJSON_IsString(pass)) {
		cJSON_Delete(doc);
		json_error(req, 422, "invalid", "password is required", "password");
		return;
	}
	long long retry = 0;
	size_t pwlen = strlen(pass->valuestring);
	enum auth_result r = auth_login(app, req, name->valuestring, pass->valuestring, pwlen, &retry);
	sodium_memzero(pass->valuestring, pwlen);
	cJSON_Delete(doc);
	if (r == AUTH_OK)
		session_answer(req, 200);
	else
		api_login_error(req, r, retry);
}

void api_session_get(struct app *app, struct http_req *req)
{
	session_answer(req, 200); /* the front line answered 401 without a session */
}

void api_session_delete(struct app *app, struct http_req *req)
{
	enum auth_result r = auth_logout(app, req);
	if (r != AUTH_OK) {
		api_login_error(req, r, 0);
		return;
	}
	req->status = 204;
}
