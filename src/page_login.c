/* GET/POST /editor/login and POST /editor/logout: the login form, on the
 * same auth module as POST /api/session. */
#include "i18n.h"
#include "page.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const struct field_spec page_login_fields[] = {
	{"username", FIELD_LINE, 0, 64},
	{"password", FIELD_LINE, 0, 1024},
	{"next", FIELD_LINE, 0, 512},
	{NULL, 0, 0, 0},
};

const struct field_spec page_csrf_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{NULL, 0, 0, 0},
};

/* Where to go after login: only a path inside the editor, never another
 * site (an open redirect would lend our name to phishing). */
static const char *safe_next(const struct field_value *f)
{
	if (!f || strncmp(f->text, "/editor/", 8) || strstr(f->text, "//") || strchr(f->text, '\\'))
		return "/editor/";
	return f->text;
}

static void login_form(struct app *app, struct http_req *req, int status, const char *message,
		       const char *username, const char *next)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "login"));
	if (message)
		cJSON_AddStringToObject(d, "error", message);
	cJSON_AddStringToObject(d, "username", username ? username : "");
	cJSON_AddStringToObject(d, "next", next);
	req->cacheable = false;
	page_render(app, req, "login", d);
	req->status = status;
}

void page_login(struct app *app, struct http_req *req)
{
	const char *next = safe_next(http_field(req, "next"));
	if (req->method != HTTP_POST) {
		if (req->user) {
			page_redirect(req, next);
			return;
		}
		login_form(app, req, 200, NULL, NULL, next);
		return;
	}
	const struct field_value *u = http_field(req, "username");
	const struct field_value *p = http_field(req, "password");
	long long retry = 0;
	enum auth_result r = AUTH_DENIED;
	if (u && p && *u->text)
		r = auth_login(app, req, u->text, p->text, strlen(p->text), &retry);
	if (p)
		sodium_memzero((char *)p->text, strlen(p->text));
	if (r == AUTH_OK) {
		page_redirect(req, next);
		return;
	}
	char secs[32];
	switch (r) {
	case AUTH_THROTTLED:
		snprintf(secs, sizeof secs, "%lld", retry);
		http_header(req, "Retry-After", secs);
		login_form(app, req, 429, i18n_label(app->lang, "login_throttled"), u ? u->text : "", next);
		break;
	case AUTH_DENIED:
		login_form(app, req, 401, i18n_label(app->lang, "login_failed"), u ? u->text : "", next);
		break;
	default:
		page_error(app, req, r == AUTH_BUSY ? 503 : 500);
	}
}

void page_logout(struct app *app, struct http_req *req)
{
	enum auth_result r = auth_logout(app, req);
	if (r != AUTH_OK) {
		page_error(app, req, r == AUTH_BUSY ? 503 : 500);
		return;
	}
	page_redirect(req, "/editor/login");
}
