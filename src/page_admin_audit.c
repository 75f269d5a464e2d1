/* GET /editor/audit: the audit log for admins, newest first, 50 a page,
 * filtered by user name and by a range of days in the site's time zone. */
#include "db_audit.h"
#include "html.h"
#include "i18n.h"
#include "page_admin.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

enum { AUDIT_PER_PAGE = 50 };

/* clang-format off */
const struct field_spec page_audit_query[] = {
	{"user", FIELD_LINE, 0, 200},
	{"from", FIELD_LINE, 0, 40},
	{"to", FIELD_LINE, 0, 40},
	{"page", FIELD_INT, 1, 1000000},
	{NULL, 0, 0, 0},
};
/* clang-format on */

/* The decimal number of exactly len digits at s ("03" too), within
 * [min, max]. */
static bool number(const char *s, size_t len, long long min, long long max, long long *out)
{
	long long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return v >= min && v <= max;
}

/*
 * The first second of day "YYYY-MM-DD" plus add_days, in the process's
 * time zone (a worker's is the site's). False when s is not a date that
 * exists.
 */
static bool day_start(const char *s, int add_days, long long *out)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	long long year, mon, day;
	if (!number(s, 4, 1970, 9999, &year) || !number(s + 5, 2, 1, 12, &mon) ||
	    !number(s + 8, 2, 1, 31, &day))
		return false;
	/* mktime normalises 2025-02-30 to March 2nd: refuse days that do not
	 * exist instead of searching some other day. */
	struct tm check = {.tm_year = (int)year - 1900,
	                   .tm_mon = (int)mon - 1,
	                   .tm_mday = (int)day,
	                   .tm_hour = 12,
	                   .tm_isdst = -1};
	if (mktime(&check) == (time_t)-1 || check.tm_mday != (int)day ||
	    check.tm_mon != (int)mon - 1)
		return false;
	struct tm tm = {.tm_year = (int)year - 1900,
	                .tm_mon = (int)mon - 1,
	                .tm_mday = (int)day + add_days,
	                .tm_isdst = -1};
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (long long)t;
	return true;
}

/* The log URL with the current filters and page n. */
static const char *page_url(struct http_req *req, long long n)
{
	static const char *const keep[] = {"user", "from", "to"};
	return page_list_url(req, "/editor/audit", keep, sizeof keep / sizeof keep[0], n);
}

/* Where the object of an entry is edited, or NULL. */
static const char *object_url(struct http_req *req, const struct db_audit_entry *e)
{
	static const struct {
		const char *type, *path;
	} pages[] = {
	    {"article", "/editor/articles/"},
	    {"user", "/editor/users/"},
	    {"category", "/editor/categories/"},
	};
	for (size_t i = 0; e->object_id && i < sizeof pages / sizeof pages[0]; i++)
		if (!strcmp(e->object_type, pages[i].type))
			return arena_printf(req->arena, "%s%lld", pages[i].path, e->object_id);
	return NULL;
}

void page_admin_audit(struct app *app, struct http_req *req)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "audit"));
	struct db_audit_filter f = {
	    .username = http_text(req, "user"), .from = INT64_MIN, .to = INT64_MAX};
	const char *from = http_text(req, "from"), *to = http_text(req, "to");
	/* Both days count in full: from its first second to the end of to. */
	if (*from && !day_start(from, 0, &f.from))
		page_admin_error(app, d, "from", i18n_label(app->lang, "date_invalid"));
	if (*to && !day_start(to, 1, &f.to))
		page_admin_error(app, d, "to", i18n_label(app->lang, "date_invalid"));
	cJSON *filter = cJSON_AddObjectToObject(d, "filter");
	cJSON_AddStringToObject(filter, "user", f.username);
	cJSON_AddStringToObject(filter, "from", from);
	cJSON_AddStringToObject(filter, "to", to);
	cJSON_AddStringToObject(filter, "timezone", app_setting(app, "timezone"));
	if (cJSON_GetObjectItemCaseSensitive(d, "errors")) {
		cJSON_AddTrueToObject(d, "empty");
		page_admin_show(app, req, "editor_audit", d, 422);
		return;
	}
	const struct field_value *pf = http_field(req, "page");
	long long page = pf ? pf->num : 1;
	struct db_audit_entry *rows;
	size_t n;
	/* One more than a page says whether there is a next one. */
	enum db_result r = db_audit_list(app->db, &f, AUDIT_PER_PAGE + 1,
	                                 (page - 1) * AUDIT_PER_PAGE, req->arena, &rows, &n);
	if (r != DB_OK) {
		cJSON_Delete(d);
		page_db_error(app, req, r);
		return;
	}
	cJSON *list = cJSON_AddArrayToObject(d, "entries");
	for (size_t i = 0; i < n && i < AUDIT_PER_PAGE; i++) {
		const struct db_audit_entry *e = &rows[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "time", app_local_time(req->arena, e->at));
		cJSON_AddStringToObject(o, "user", e->username);
		cJSON_AddStringToObject(o, "action", e->action);
		cJSON_AddStringToObject(o, "object",
		                        e->object_id ? arena_printf(req->arena, "%s #%lld",
		                                                    e->object_type, e->object_id)
		                                     : e->object_type);
		const char *url = object_url(req, e);
		if (url)
			cJSON_AddStringToObject(o, "url", url);
		cJSON_AddStringToObject(o, "detail", e->detail);
		cJSON_AddStringToObject(o, "address", e->address);
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddBoolToObject(d, "empty", n == 0);
	cJSON *pager = cJSON_AddObjectToObject(d, "pager");
	cJSON_AddBoolToObject(pager, "show", page > 1 || n > AUDIT_PER_PAGE);
	cJSON_AddNumberToObject(pager, "current", (double)page);
	if (page > 1)
		cJSON_AddStringToObject(pager, "prev", page_url(req, page - 1));
	if (n > AUDIT_PER_PAGE)
		cJSON_AddStringToObject(pager, "next", page_url(req, page + 1));
	page_admin_show(app, req, "editor_audit", d, 200);
}
