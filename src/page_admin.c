/* Helpers of the admin and account pages (page_admin_*.c, page_account.c). */
#include "page_admin.h"
#include "i18n.h"

#include <sodium.h>
#include <string.h>

/* Accepted by every admin page's query: the notice after a redirect. */
/* clang-format off */
const struct field_spec page_saved_query[] = {
	{"saved", FIELD_LINE, 0, 16},
	{NULL, 0, 0, 0},
};
/* clang-format on */

void page_admin_notice(struct app *app, const struct http_req *req, cJSON *d)
{
	if (!strcmp(http_text(req, "saved"), "1"))
		cJSON_AddStringToObject(d, "notice", i18n_label(app->lang, "saved"));
}

void page_admin_error(struct app *app, cJSON *d, const char *field, const char *message)
{
	cJSON *e = cJSON_GetObjectItemCaseSensitive(d, "errors");
	if (!e) {
		e = cJSON_AddObjectToObject(d, "errors");
		cJSON_AddStringToObject(d, "error_summary",
		                        i18n_label(app->lang, "form_not_saved"));
	}
	if (!cJSON_GetObjectItemCaseSensitive(e, field))
		cJSON_AddStringToObject(e, field, message ? message : "");
}

void page_admin_show(struct app *app, struct http_req *req, const char *name, cJSON *d, int status)
{
	/* Pages behind a login are never stored by a shared cache. */
	req->cacheable = false;
	req->status = status;
	page_render(app, req, name, d);
}

void page_admin_wipe(const struct http_req *req, const char *name)
{
	const struct field_value *f = http_field(req, name);
	if (f)
		sodium_memzero((char *)f->text, strlen(f->text));
}

void page_admin_option(cJSON *list, const char *value, const char *label, bool selected)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "value", value);
	cJSON_AddStringToObject(o, "label", label);
	cJSON_AddBoolToObject(o, "selected", selected);
	cJSON_AddItemToArray(list, o);
}
