/* POST/GET/DELETE /api/session: editors log in and out through the API;
 * /api/session/totp…: their second factor; DELETE /api/users/{id}/totp:
 * an admin's reset of someone else's. */
#include "api.h"
#include "auth_totp.h"
#include "json.h"
#include "valid.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { SESSION_BODY_MAX = 8192 };

/* {"user":{"username","display_name","role"},"csrf_token","totp"} of the
 * request's session (totp: logged in with a second factor), and
 * totp_enrolment_required when the user must enrol before anything else. */
static void session_answer(struct app *app, struct http_req *req, int status)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *u = cJSON_AddObjectToObject(root, "user");
	cJSON_AddStringToObject(u, "username", req->user->username);
	cJSON_AddStringToObject(u, "display_name", req->user->display_name);
	cJSON_AddStringToObject(u, "role", req->user->role);
	cJSON_AddStringToObject(root, "csrf_token", req->csrf_token);
	cJSON_AddBoolToObject(root, "totp", req->user->totp);
	if (auth_must_enrol(app, req->user))
		cJSON_AddTrueToObject(root, "totp_enrolment_required");
	json_send(req, status, root);
}

/* Maps a login result to its answer; shared by the API and the login form
 * through api_login_error for the JSON side. */
void api_login_error(struct http_req *req, enum auth_result r, long long retry_after)
{
	char secs[32];
	cJSON *root;
	switch (r) {
	case AUTH_THROTTLED:
		snprintf(secs, sizeof secs, "%lld", retry_after);
		http_header(req, "Retry-After", secs);
		json_error(req, 429, "too_many_requests", "too many failed logins; try again later",
		           NULL);
		return;
	case AUTH_BUSY:
		http_header(req, "Retry-After", "2");
		json_error_status(req, 503);
		return;
	case AUTH_DENIED:
		/* One answer for unknown users and wrong passwords alike. */
		json_error(req, 401, "invalid_credentials", "wrong username or password", NULL);
		return;
	case AUTH_SECOND_FACTOR:
		/* The password was right; no session until the code comes. */
		root = cJSON_CreateObject();
		cJSON *e = cJSON_AddObjectToObject(root, "error");
		cJSON_AddStringToObject(e, "code", "second_factor_required");
		cJSON_AddStringToObject(e, "message",
		                        "second factor required: send the code from "
		                        "the authenticator app as \"code\"");
		cJSON_AddTrueToObject(root, "second_factor");
		json_send(req, 401, root);
		return;
	case AUTH_CODE_WRONG:
		json_error(req, 401, "invalid_code", "wrong code", "code");
		return;
	case AUTH_CODE_REUSED:
		json_error(req, 401, "code_reused", "code already used: wait for the next one",
		           "code");
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
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "code");
	const char *bad = !cJSON_IsString(name) || !valid_line(name->valuestring, 64) ? "username"
	                  : !cJSON_IsString(pass)                                     ? "password"
	                  : code && !cJSON_IsNull(code) &&
	                          (!cJSON_IsString(code) || !valid_line(code->valuestring, 64))
	                      ? "code"
	                      : NULL;
	if (bad) {
		cJSON_Delete(doc);
		json_error(req, 422, "invalid",
		           !strcmp(bad, "code") ? "code must be a string"
		                                : "username and password are required",
		           bad);
		return;
	}
	long long retry = 0;
	size_t pwlen = strlen(pass->valuestring);
	const char *c = cJSON_IsString(code) ? code->valuestring : NULL;
	enum auth_result r =
	    auth_login(app, req, name->valuestring, pass->valuestring, pwlen, c, NULL, &retry);
	sodium_memzero(pass->valuestring, pwlen);
	cJSON_Delete(doc);
	if (r == AUTH_OK)
		session_answer(app, req, 200);
	else
		api_login_error(req, r, retry);
}

void api_session_get(struct app *app, struct http_req *req)
{
	session_answer(app, req, 200); /* the front line answered 401 without a session */
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

/* --- the second factor ------------------------------------------------------------- */

/* The answer for a failed second-factor call. */
static void totp_error(struct http_req *req, enum auth_result r, long long retry)
{
	switch (r) {
	case AUTH_CONFLICT:
		json_error(req, 409, "conflict",
		           "two-factor login is not in a state that allows this", NULL);
		return;
	case AUTH_NOT_FOUND:
		json_error_status(req, 404);
		return;
	case AUTH_DENIED:
		json_error(req, 403, "forbidden", "the password is wrong", "password");
		return;
	default:
		api_login_error(req, r, retry);
	}
}

/* The string member key of doc, or NULL; *bad names it when present but
 * not a string of at most max characters. */
static const char *member(const cJSON *doc, const char *key, size_t max, const char **bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);
	if (!v || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v) || !valid_line(v->valuestring, max)) {
		*bad = key;
		return NULL;
	}
	return v->valuestring;
}

void api_totp_get(struct app *app, struct http_req *req)
{
	struct auth_totp_state st;
	enum auth_result r = auth_totp_state(app, req->user->id, &st);
	if (r != AUTH_OK) {
		totp_error(req, r, 0);
		return;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON_AddBoolToObject(root, "enabled", st.enabled);
	cJSON_AddBoolToObject(root, "pending", st.pending);
	cJSON_AddBoolToObject(root, "required", auth_must_enrol(app, req->user));
	cJSON_AddNumberToObject(root, "recovery_codes_left", (double)st.recovery_left);
	json_send(req, 200, root);
}

void api_totp_begin(struct app *app, struct http_req *req)
{
	char secret[TOTP_BASE32_SECRET + 1];
	enum auth_result r = auth_totp_begin(app, req, secret);
	if (r != AUTH_OK) {
		totp_error(req, r, 0);
		return;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "secret", secret);
	cJSON_AddStringToObject(
	    root, "uri",
	    totp_uri(req->arena, app_setting(app, "site_name"), req->user->username, secret));
	sodium_memzero(secret, sizeof secret);
	json_send(req, 201, root);
}

void api_totp_confirm(struct app *app, struct http_req *req)
{
	cJSON *doc;
	if (json_read_body(req, SESSION_BODY_MAX, &doc))
		return;
	const char *bad = NULL;
	const char *code = member(doc, "code", 64, &bad);
	char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_SHOWN];
	enum auth_result r =
	    bad || !code ? AUTH_CODE_WRONG : auth_totp_confirm(app, req, code, codes);
	cJSON_Delete(doc);
	if (r == AUTH_CODE_WRONG) {
		json_error(req, 422, "invalid_code", "wrong code: type the app's current code",
		           "code");
		return;
	}
	if (r != AUTH_OK) {
		totp_error(req, r, 0);
		return;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON_AddTrueToObject(root, "enabled");
	cJSON *list = cJSON_AddArrayToObject(root, "recovery_codes");
	for (int i = 0; i < TOTP_RECOVERY_COUNT; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(codes[i]));
	sodium_memzero(codes, sizeof codes);
	json_send(req, 200, root);
}

void api_totp_disable(struct app *app, struct http_req *req)
{
	cJSON *doc;
	if (json_read_body(req, SESSION_BODY_MAX, &doc))
		return;
	const char *bad = NULL;
	const char *code = member(doc, "code", 64, &bad);
	const char *password = member(doc, "password", 1024, &bad);
	if (bad || (!code && !password)) {
		cJSON_Delete(doc);
		json_error(req, 422, "invalid", "send the password or a current code",
		           bad ? bad : "password");
		return;
	}
	long long retry = 0;
	enum auth_result r = auth_totp_disable(app, req, code, password, &retry);
	if (password)
		sodium_memzero((char *)password, strlen(password));
	cJSON_Delete(doc);
	if (r == AUTH_OK)
		req->status = 204;
	else if (r == AUTH_CODE_WRONG || r == AUTH_CODE_REUSED)
		json_error(req, 403, "invalid_code",
		           r == AUTH_CODE_WRONG ? "wrong code" : "code already used", "code");
	else
		totp_error(req, r, retry);
}

void api_user_totp_reset(struct app *app, struct http_req *req)
{
	enum auth_result r = auth_totp_reset(app, req, req->arg_id);
	if (r == AUTH_OK)
		req->status = 204;
	else if (r == AUTH_CONFLICT)
		json_error(req, 403, "forbidden",
		           "turn off your own two-factor login with POST /api/session/totp/disable",
		           NULL);
	else
		totp_error(req, r, 0);
}
