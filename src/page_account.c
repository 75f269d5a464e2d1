/* GET/POST /editor/account: any logged-in user sees their own name and
 * role and changes their own password (the current one, then the new one
 * twice). admin_own_password checks the current password and ends the
 * user's other sessions; this one stays. */
#include "admin.h"
#include "i18n.h"
#include "page_admin.h"

#include <sodium.h>
#include <string.h>

/* clang-format off */
const struct field_spec page_account_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{"current_password", FIELD_TEXT, 0, 1024},
	{"password", FIELD_TEXT, 0, 1024},
	{"password2", FIELD_TEXT, 0, 1024},
	{NULL, 0, 0, 0},
};
/* clang-format on */

/* The page; passwords are never sent back into the form. */
static void account_page(struct app *app, struct http_req *req, int status, const char *field,
                         const char *message)
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
		account_page(app, req, 200, NULL, NULL);
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
		account_page(app, req, status, err.field, err.message);
	else
		page_error(app, req, status);
}
