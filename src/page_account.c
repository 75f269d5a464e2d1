/* GET/POST /editor/account: any logged-in user sees their own name and
 * role and changes their own password (the current one, then the new one
 * twice). admin_own_password checks the current password and ends the
 * user's other sessions; this one stays.
 *
 * The same page holds two-factor login (POST /editor/account/totp): start
 * enrolling (QR code and the secret as text), confirm with a first code
 * (the recovery codes are shown once, then), cancel a pending enrolment,
 * or turn it off with the password or a current code. And an admin resets
 * another user's second factor (POST /editor/users/{id}/totp-reset). */
#include "admin.h"
#include "auth_totp.h"
#include "i18n.h"
#include "page_admin.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* clang-format off */
const struct field_spec page_account_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{"current_password", FIELD_TEXT, 0, 1024},
	{"password", FIELD_TEXT, 0, 1024},
	{"password2", FIELD_TEXT, 0, 1024},
	{NULL, 0, 0, 0},
};

const struct field_spec page_totp_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{"action", FIELD_LINE, 0, 16},
	{"code", FIELD_LINE, 0, 64},
	{"password", FIELD_TEXT, 0, 1024},
	{NULL, 0, 0, 0},
};
/* clang-format on */

/* What a two-factor POST adds to the page: a message next to its field
 * ("code" of the confirm form, "disable" of the turn-off form), or the
 * recovery codes just made. */
struct totp_view {
	const char *field, *message;
	char (*codes)[TOTP_RECOVERY_SHOWN];
};

/* "ABCD EFGH …": the secret in groups of four, easier to type. */
static const char *grouped(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + n / 4 + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (i && i % 4 == 0)
			*o++ = ' ';
		*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* d.totp: {enabled, pending, since, recovery_left, required, and while
 * pending: secret, uri, qr_svg}. Returns 0 or the status of a failure. */
static int totp_data(struct app *app, struct http_req *req, cJSON *d, const struct totp_view *v)
{
	struct auth_totp_state st;
	enum auth_result r = auth_totp_state(app, req->user->id, &st);
	if (r != AUTH_OK)
		return r == AUTH_BUSY ? 503 : 500;
	cJSON *t = cJSON_AddObjectToObject(d, "totp");
	cJSON_AddBoolToObject(t, "enabled", st.enabled);
	cJSON_AddBoolToObject(t, "pending", st.pending);
	cJSON_AddBoolToObject(t, "required", auth_must_enrol(app, req->user));
	if (st.enabled) {
		cJSON_AddStringToObject(t, "since", app_local_time(req->arena, st.since));
		cJSON_AddNumberToObject(t, "recovery_left", (double)st.recovery_left);
	}
	if (st.pending) {
		char secret[TOTP_BASE32_SECRET + 1];
		r = auth_totp_pending(app, req, secret);
		if (r != AUTH_OK)
			return r == AUTH_BUSY ? 503 : 500;
		const char *uri = totp_uri(req->arena, app_setting(app, "site_name"),
		                           req->user->username, secret);
		const char *svg =
		    totp_qr_svg(req->arena, uri, i18n_label(app->lang, "totp_qr_label"));
		cJSON_AddStringToObject(t, "secret", grouped(req->arena, secret));
		cJSON_AddStringToObject(t, "uri", uri);
		if (svg)
			cJSON_AddStringToObject(t, "qr_svg", svg); /* our own markup: {{{ }}} */
		sodium_memzero(secret, sizeof secret);
	}
	if (v && v->field) {
		cJSON *e = cJSON_AddObjectToObject(t, "errors");
		cJSON_AddStringToObject(e, v->field, v->message);
	}
	if (v && v->codes) {
		cJSON_AddTrueToObject(t, "codes_shown");
		cJSON *list = cJSON_AddArrayToObject(t, "recovery_codes");
		for (int i = 0; i < TOTP_RECOVERY_COUNT; i++)
			cJSON_AddItemToArray(list, cJSON_CreateString(v->codes[i]));
	}
	return 0;
}

/* The page; passwords are never sent back into the form. */
static void account_page(struct app *app, struct http_req *req, int status, const char *field,
                         const char *message, const struct totp_view *v)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "account"));
	page_admin_notice(app, req, d);
	cJSON *me = cJSON_AddObjectToObject(d, "me");
	cJSON_AddStringToObject(me, "username", req->user->username);
	cJSON_AddStringToObject(me, "display_name",
	                        req->user->display_name ? req->user->display_name : "");
	cJSON_AddStringToObject(
	    me, "role_label",
	    i18n_label(app->lang, arena_printf(req->arena, "role_%s", req->user->role)));
	if (field)
		page_admin_error(app, d, field, message);
	int rc = totp_data(app, req, d, v);
	if (rc) {
		cJSON_Delete(d);
		page_error(app, req, rc);
		return;
	}
	page_admin_show(app, req, "editor_account", d, status);
}

static void wipe_all(const struct http_req *req)
{
	page_admin_wipe(req, "current_password");
	page_admin_wipe(req, "password");
	page_admin_wipe(req, "password2");
}

void page_account(struct app *app, struct http_req *req)
{
	if (req->method != HTTP_POST) {
		account_page(app, req, 200, NULL, NULL, NULL);
		return;
	}
	const char *current = http_text(req, "current_password");
	const char *password = http_text(req, "password");
	const char *again = http_text(req, "password2");
	struct article_error err = {0};
	int status;
	size_t len = strlen(password);
	/* A typo in a password nobody can see would lock its owner out. */
	if (len != strlen(again) || sodium_memcmp(password, again, len) != 0) {
		err.field = "password2";
		err.message = i18n_label(app->lang, "passwords_differ");
		status = 422;
	} else if (!*current) {
		err.field = "current_password";
		err.message = i18n_label(app->lang, "current_password_wrong");
		status = 422;
	} else {
		status = admin_own_password(app, req, current, password, &err);
	}
	wipe_all(req);
	if (status == 200) {
		page_redirect(req, "/editor/account?saved=1");
		return;
	}
	if (status == 403) { /* the current password is wrong: the form says so */
		err.field = "current_password";
		err.message = i18n_label(app->lang, "current_password_wrong");
		status = 422;
	}
	if (status == 422)
		account_page(app, req, status, err.field, err.message, NULL);
	else
		page_error(app, req, status);
}

/* Confirming: on success the page shows the recovery codes, once. */
static void totp_confirm(struct app *app, struct http_req *req)
{
	char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_SHOWN];
	enum auth_result r = auth_totp_confirm(app, req, http_text(req, "code"), codes);
	struct totp_view v = {0};
	if (r == AUTH_OK) {
		/* This request's user has a second factor from now on. */
		struct auth_user *u = arena_alloc(req->arena, sizeof *u);
		*u = *req->user;
		u->totp = true;
		req->user = u;
		v.codes = codes;
		account_page(app, req, 200, NULL, NULL, &v);
		sodium_memzero(codes, sizeof codes);
	} else if (r == AUTH_CODE_WRONG) {
		v.field = "code";
		v.message = i18n_label(app->lang, "totp_confirm_wrong");
		account_page(app, req, 422, NULL, NULL, &v);
	} else if (r == AUTH_CONFLICT) {
		page_redirect(req, "/editor/account");
	} else {
		page_error(app, req, r == AUTH_BUSY ? 503 : 500);
	}
}

static void totp_disable(struct app *app, struct http_req *req)
{
	long long retry = 0;
	enum auth_result r =
	    auth_totp_disable(app, req, http_text(req, "code"), http_text(req, "password"), &retry);
	page_admin_wipe(req, "password");
	struct totp_view v = {.field = "disable"};
	char secs[32];
	switch (r) {
	case AUTH_OK:
		page_redirect(req, "/editor/account?saved=1");
		return;
	case AUTH_CONFLICT:
		page_redirect(req, "/editor/account");
		return;
	case AUTH_DENIED:
	case AUTH_CODE_WRONG:
		v.message = i18n_label(app->lang, "totp_disable_wrong");
		account_page(app, req, 422, NULL, NULL, &v);
		return;
	case AUTH_CODE_REUSED:
		v.message = i18n_label(app->lang, "totp_code_reused");
		account_page(app, req, 422, NULL, NULL, &v);
		return;
	case AUTH_THROTTLED:
		snprintf(secs, sizeof secs, "%lld", retry);
		http_header(req, "Retry-After", secs);
		v.message = i18n_label(app->lang, "login_throttled");
		account_page(app, req, 429, NULL, NULL, &v);
		return;
	default:
		page_error(app, req, r == AUTH_BUSY ? 503 : 500);
	}
}

void page_account_totp(struct app *app, struct http_req *req)
{
	const char *action = http_text(req, "action");
	enum auth_result r;
	if (!strcmp(action, "confirm")) {
		totp_confirm(app, req);
		return;
	}
	if (!strcmp(action, "disable")) {
		totp_disable(app, req);
		return;
	}
	if (!strcmp(action, "start")) {
		char secret[TOTP_BASE32_SECRET + 1];
		r = auth_totp_begin(app, req, secret);
		sodium_memzero(secret, sizeof secret); /* the page shows it from the store */
	} else if (!strcmp(action, "cancel")) {
		r = auth_totp_cancel(app, req);
	} else {
		page_error(app, req, 400);
		return;
	}
	if (r == AUTH_OK || r == AUTH_CONFLICT)
		page_redirect(req, "/editor/account#totp");
	else
		page_error(app, req, r == AUTH_BUSY ? 503 : 500);
}

void page_admin_user_totp_reset(struct app *app, struct http_req *req)
{
	enum auth_result r = auth_totp_reset(app, req, req->arg_id);
	if (r == AUTH_OK) {
		page_redirect(req,
		              arena_printf(req->arena, "/editor/users/%lld?saved=1", req->arg_id));
		return;
	}
	page_error(app, req,
	           r == AUTH_NOT_FOUND  ? 404
	           : r == AUTH_CONFLICT ? 403
	           : r == AUTH_BUSY     ? 503
	                                : 500);
}
