/* /editor/settings: every site setting in one form (admins only), and
 * /editor/settings/logo: uploading the logo image, which is stored like
 * any upload (media_store) and becomes the `logo` setting. */
#include "admin.h"
#include "i18n.h"
#include "media.h"
#include "multipart.h"
#include "page_admin.h"
#include "settings.h"

#include <string.h>

/* One field per key of settings_table (test_db_audit checks the two
 * agree). Generous bounds: settings_check's 422 is the real check. */
/* clang-format off */
const struct field_spec page_settings_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{"site_name", FIELD_TEXT, 0, 4000},
	{"logo", FIELD_TEXT, 0, 4000},
	{"timezone", FIELD_TEXT, 0, 4000},
	{"ui_language", FIELD_TEXT, 0, 4000},
	{"footer_address", FIELD_TEXT, 0, 4000},
	{"footer_zip", FIELD_TEXT, 0, 4000},
	{"footer_hotline", FIELD_TEXT, 0, 4000},
	{"footer_email", FIELD_TEXT, 0, 4000},
	{"footer_copyright", FIELD_TEXT, 0, 4000},
	{"footer_icp", FIELD_TEXT, 0, 4000},
	{"footer_police", FIELD_TEXT, 0, 4000},
	{"footer_support", FIELD_TEXT, 0, 4000},
	{"require_2fa_admins", FIELD_TEXT, 0, 4000},
	{"revisions_keep", FIELD_TEXT, 0, 4000},
	{NULL, 0, 0, 0},
};
/* clang-format on */

/* Offered in the time zone field's list; any other IANA name works too. */
/* clang-format off */
static const char *const common_zones[] = {
	"UTC", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore",
	"Asia/Tokyo", "Asia/Seoul", "Asia/Kolkata", "Europe/London", "Europe/Paris",
	"Europe/Berlin", "America/New_York", "America/Chicago", "America/Denver",
	"America/Los_Angeles", "Australia/Sydney",
};
/* clang-format on */

/* The label of key in the site language, or fallback when the catalogue
 * has none (a key added to settings_table later still shows). */
static const char *label_or(struct app *app, struct arena *a, const char *prefix, const char *key,
                            const char *fallback)
{
	const char *k = arena_printf(a, "%s%s", prefix, key);
	const char *l = i18n_label(app->lang, k);
	return strcmp(l, k) ? l : fallback;
}

/* Fills d with every setting (the posted values when keep_input) and
 * renders the page; errors were added to d before. */
static void settings_page(struct app *app, struct http_req *req, cJSON *d, int status,
                          bool keep_input)
{
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "settings"));
	page_admin_notice(app, req, d);
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(d, "errors");
	cJSON *list = cJSON_AddArrayToObject(d, "settings");
	for (size_t i = 0; i < settings_count; i++) {
		const struct setting_def *s = &settings_table[i];
		const struct field_value *f = keep_input ? http_field(req, s->key) : NULL;
		const char *value = f ? f->text : app_setting(app, s->key);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", s->key);
		cJSON_AddStringToObject(o, "label",
		                        label_or(app, req->arena, "set_", s->key, s->key));
		cJSON_AddStringToObject(o, "help",
		                        label_or(app, req->arena, "set_help_", s->key, s->help));
		cJSON_AddStringToObject(o, "value", value);
		cJSON_AddStringToObject(o, "default", s->def);
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(errors, s->key);
		if (cJSON_IsString(e))
			cJSON_AddStringToObject(o, "error", e->valuestring);
		if (!strcmp(s->key, "ui_language")) {
			cJSON_AddTrueToObject(o, "select");
			cJSON *opts = cJSON_AddArrayToObject(o, "options");
			page_admin_option(opts, "en", "English", !strcmp(value, "en"));
			page_admin_option(opts, "zh", "中文", !strcmp(value, "zh"));
		} else if (!strcmp(s->key, "require_2fa_admins")) {
			cJSON_AddTrueToObject(o, "select");
			cJSON *opts = cJSON_AddArrayToObject(o, "options");
			page_admin_option(opts, "0", i18n_label(app->lang, "totp_optional"),
			                  strcmp(value, "1") != 0);
			page_admin_option(opts, "1", i18n_label(app->lang, "totp_required"),
			                  !strcmp(value, "1"));
		} else if (!strcmp(s->key, "timezone")) {
			cJSON_AddTrueToObject(o, "has_zones");
			cJSON *zones = cJSON_AddArrayToObject(o, "zones");
			for (size_t z = 0; z < sizeof common_zones / sizeof common_zones[0]; z++)
				cJSON_AddItemToArray(zones, cJSON_CreateString(common_zones[z]));
		}
		cJSON_AddItemToArray(list, o);
	}
	page_admin_show(app, req, "editor_settings", d, status);
}

void page_admin_settings(struct app *app, struct http_req *req)
{
	cJSON *d = page_data(app, req);
	if (req->method != HTTP_POST) {
		settings_page(app, req, d, 200, false);
		return;
	}
	/* Every value is checked before any is written: a refused form
	 * changes nothing, and shows each problem next to its field. */
	bool refused = false;
	for (size_t i = 0; i < settings_count; i++) {
		const struct field_value *f = http_field(req, settings_table[i].key);
		const char *why = f ? settings_check(settings_table[i].key, f->text) : NULL;
		if (why) {
			page_admin_error(app, d, settings_table[i].key, why);
			refused = true;
		}
	}
	if (refused) {
		settings_page(app, req, d, 422, true);
		return;
	}
	/* Only what changed is written, so the audit log says what did. A
	 * field the form did not send keeps its value. */
	for (size_t i = 0; i < settings_count; i++) {
		const char *key = settings_table[i].key;
		const struct field_value *f = http_field(req, key);
		if (!f || !strcmp(f->text, app_setting(app, key)))
			continue;
		struct article_error err = {0};
		int status = admin_setting_set(app, req, key, f->text, &err);
		if (status == 422) {
			page_admin_error(app, d, err.field ? err.field : key, err.message);
			settings_page(app, req, d, 422, true);
			return;
		}
		if (status != 200) {
			cJSON_Delete(d);
			page_error(app, req, status);
			return;
		}
	}
	cJSON_Delete(d);
	page_redirect(req, "/editor/settings?saved=1");
}

/* The message next to the logo upload for a refused image. */
static const char *upload_message(struct app *app, int status)
{
	return i18n_label(app->lang, status == 415   ? "upload_not_image"
	                             : status == 413 ? "upload_too_big"
	                                             : "upload_failed");
}

void page_admin_logo(struct app *app, struct http_req *req)
{
	/* The front line parsed the multipart form and checked its CSRF
	 * token before this runs; the image is the part called "logo". */
	const struct multipart_part *file =
	    req->parts ? multipart_find(req->parts, req->nparts, "logo") : NULL;
	int status = 422;
	struct media_info m;
	if (file && file->len && multipart_count(req->parts, req->nparts, "logo") == 1) {
		struct db *w = app_writer(app);
		status = w ? media_store(w, app->media_dir, file->data, file->len, req->user,
		                         req->remote_addr, &m)
		           : 500;
	}
	struct article_error err = {0};
	if (status == 200 || status == 201) {
		const char *url = arena_printf(req->arena, "%s/media/%s", req->base, m.path);
		status = admin_setting_set(app, req, "logo", url, &err);
		if (status == 200) {
			page_redirect(req, "/editor/settings?saved=1");
			return;
		}
	}
	if (status != 413 && status != 415 && status != 422) {
		page_error(app, req, status);
		return;
	}
	cJSON *d = page_data(app, req);
	page_admin_error(app, d, "logo_file",
	                 err.message ? err.message : upload_message(app, status));
	settings_page(app, req, d, status, false);
}
