/* GET/POST /editor/login and POST /editor/logout: the login form, on the
 * same auth module as POST /api/session. An account with two-factor login
 * gets a second form after its password: the code (or a recovery code),
 * tied to a short-lived login challenge whose token rides in the form. */
#include "auth_totp.h"
#include "i18n.h"
#include "page.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const struct field_spec page_login_fields[] = {
    {"username", FIELD_LINE, 0, 64}, {"password", FIELD_LINE, 0, 1024},
    {"next", FIELD_LINE, 0, 512},    {"challenge", FIELD_LINE, 0, 64},
    {"code", FIELD_LINE, 0, 64},     {NULL, 0, 0, 0},
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

/* After a login: next, or My account when the user must enrol first. */
static void logged_in(struct app *app, struct http_req *req, const char *next)
{
	page_redirect(req, auth_must_enrol(app, req->user) ? "/editor/account?enrol=1" : next);
}

/* The password form, or with challenge the code form. */
static void login_form(struct app *app, struct http_req *req, int status, const char *message,
                       const char *username, const char *next, const char *challenge)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "login"));
	if (message)
		cJSON_AddStringToObject(d, "error", message);
	cJSON_AddStringToObject(d, "username", username ? username : "");
	cJSON_AddStringToObject(d, "next", next);
	if (challenge)
		cJSON_AddStringToObject(d, "challenge", challenge);
	req->cacheable = false;
	page_render(app, req, "login", d);
	req->status = status;
}

static void throttled(struct app *app, struct http_req *req, long long retry, const char *user,
                      const char *next)
{
	char secs[32];
	snprintf(secs, sizeof secs, "%lld", retry);
	http_header(req, "Retry-After", secs);
	login_form(app, req, 429, i18n_label(app->lang, "login_throttled"), user, next, NULL);
}

/* The second step: the code typed for a challenge. */
static void code_step(struct app *app, struct http_req *req, const char *challenge,
                      const char *next)
{
	long long retry = 0;
	enum auth_result r = auth_login_code(app, req, challenge, http_text(req, "code"), &retry);
	switch (r) {
	case AUTH_OK:
		logged_in(app, req, next);
		break;
	case AUTH_CODE_WRONG:
	case AUTH_CODE_REUSED:
		login_form(app, req, 401,
		           i18n_label(app->lang, r == AUTH_CODE_WRONG ? "totp_code_wrong"
		                                                      : "totp_code_reused"),
		           "", next, challenge);
		break;
	case AUTH_DENIED: /* expired, unknown, or its fifth wrong code */
		login_form(app, req, 401, i18n_label(app->lang, "totp_login_again"), "", next,
		           NULL);
		break;
	case AUTH_THROTTLED:
		throttled(app, req, retry, "", next);
		break;
	default:
		page_error(app, req, r == AUTH_BUSY ? 503 : 500);
	}
}

void page_login(struct app *app, struct http_req *req)
{
	const char *next = safe_next(http_field(req, "next"));
	if (req->method != HTTP_POST) {
		if (req->user) {
			logged_in(app, req, next);
			return;
		}
		login_form(app, req, 200, NULL, NULL, next, NULL);
		return;
	}
	const struct field_value *ch = http_field(req, "challenge");
	if (ch && *ch->text) {
		code_step(app, req, ch->text, next);
		return;
	}
	const struct field_value *u = http_field(req, "username");
	const struct field_value *p = http_field(req, "password");
	long long retry = 0;
	char challenge[65] = "";
	enum auth_result r = AUTH_DENIED;
	if (u && p && *u->text)
		r = auth_login(app, req, u->text, p->text, strlen(p->text), NULL, challenge,
		               &retry);
	if (p)
		sodium_memzero((char *)p->text, strlen(p->text));
	switch (r) {
	case AUTH_OK:
		logged_in(app, req, next);
		break;
	case AUTH_SECOND_FACTOR:
		login_form(app, req, 200, NULL, "", next, challenge);
		break;
	case AUTH_THROTTLED:
		throttled(app, req, retry, u ? u->text : "", next);
		break;
	case AUTH_DENIED:
		login_form(app, req, 401, i18n_label(app->lang, "login_failed"), u ? u->text : "",
		           next, NULL);
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
