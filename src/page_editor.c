/* GET /editor/: the editors' dashboard of every article (of the categories
 * the user may work in), with filters by status, category and title, pages,
 * each article's views, and the comment of an article sent back. */
#include "article_rights.h"
#include "counter.h"
#include "db_editor.h"
#include "html.h"
#include "i18n.h"
#include "page.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>

enum { DASH_PER_PAGE = 30 };

const struct field_spec page_editor_home_fields[] = {
	{"status", FIELD_LINE, 0, 16},
	{"category", FIELD_LINE, 0, 64},
	{"q", FIELD_LINE, 0, 200},
	{"page", FIELD_INT, 1, 1000000000LL},
	{"deleted", FIELD_LINE, 0, 4},
	{NULL, 0, 0, 0},
};

/* The dashboard URL with the current filters and page n. */
static const char *page_url(struct http_req *req, long long n)
{
	static const char *const keep[] = {"status", "category", "q"};
	return page_list_url(req, "/editor/", keep, sizeof keep / sizeof keep[0], n);
}

void page_editor_home(struct app *app, struct http_req *req)
{
	struct db_editor_filter filter = {0};
	const char *status = http_text(req, "status");
	const char *cat = http_text(req, "category");
	filter.status = valid_status(status) ? status : NULL;
	for (size_t i = 0; *cat && i < app->ncategories; i++)
		if (!strcmp(app->categories[i].slug, cat))
			filter.category_id = app->categories[i].id;
	filter.title = http_text(req, "q");
	const struct field_value *pf = http_field(req, "page");
	long long page = pf ? pf->num : 1, total;

	struct db_editor_article *items;
	size_t n;
	struct article_rights rights;
	enum db_result r = article_rights_load(app, app->db, req->user, req->arena, &rights);
	filter.categories = article_rights_json(&rights, req->arena);
	if (r == DB_OK)
		r = db_editor_list(app->db, &filter, DASH_PER_PAGE, (page - 1) * DASH_PER_PAGE,
				   req->arena, &items, &n, &total);
	if (r != DB_OK) {
		page_db_error(app, req, r);
		return;
	}
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "dashboard"));
	if (*http_text(req, "deleted"))
		cJSON_AddStringToObject(d, "notice", i18n_label(app->lang, "deleted_notice"));
	cJSON *list = cJSON_AddArrayToObject(d, "articles");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)items[i].id);
		cJSON_AddStringToObject(o, "title", items[i].title);
		cJSON_AddStringToObject(o, "status", items[i].status);
		cJSON_AddStringToObject(o, "status_label",
					i18n_label(app->lang, arena_printf(req->arena, "status_%s",
									   items[i].status)));
		cJSON_AddBoolToObject(o, "public", !strcmp(items[i].status, "published"));
		cJSON_AddStringToObject(o, "category", items[i].category_name);
		cJSON_AddStringToObject(o, "author", items[i].author);
		cJSON_AddStringToObject(o, "updated", app_local_time(req->arena, items[i].updated_at));
		cJSON_AddStringToObject(o, "updated_by", items[i].updated_by);
		cJSON_AddNumberToObject(o, "views", (double)counter_current(items[i].id, items[i].views));
		/* Sent back and not resubmitted: the comment for its author. */
		if (!strcmp(items[i].status, "draft") && !strcmp(items[i].review_action, "send_back")) {
			cJSON *b = cJSON_AddObjectToObject(o, "sent_back");
			cJSON_AddStringToObject(b, "by", items[i].review_by);
			cJSON_AddStringToObject(b, "comment", items[i].review_comment);
		}
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddBoolToObject(d, "empty", n == 0);
	cJSON_AddNumberToObject(d, "total", (double)total);

	/* The filter form keeps what was chosen. */
	cJSON *f = cJSON_AddObjectToObject(d, "filter");
	cJSON_AddStringToObject(f, "q", filter.title);
	cJSON *statuses = cJSON_AddArrayToObject(f, "statuses");
	static const char *const all[] = {"draft", "in_review", "scheduled", "published", "archived"};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "value", all[i]);
		cJSON_AddStringToObject(o, "label", i18n_label(app->lang, arena_printf(req->arena,
											   "status_%s", all[i])));
		cJSON_AddBoolToObject(o, "selected", filter.status && !strcmp(filter.status, all[i]));
		cJSON_AddItemToArray(statuses, o);
	}
	cJSON *cats = cJSON_AddArrayToObject(f, "categories");
	for (size_t i = 0; i < app->ncategories; i++) {
		if (!article_rights_cover(&rights, app->categories[i].id))
			continue;
		cJSON *o = page_category_json(&app->categories[i]);
		cJSON_AddBoolToObject(o, "child", app->categories[i].parent_id != 0);
		cJSON_AddBoolToObject(o, "selected", app->categories[i].id == filter.category_id);
		cJSON_AddItemToArray(cats, o);
	}
	long long last = total ? (total + DASH_PER_PAGE - 1) / DASH_PER_PAGE : 1;
	cJSON *pager = cJSON_AddObjectToObject(d, "pager");
	cJSON_AddBoolToObject(pager, "show", last > 1);
	cJSON_AddNumberToObject(pager, "current", (double)page);
	cJSON_AddNumberToObject(pager, "last", (double)last);
	if (page > 1)
		cJSON_AddStringToObject(pager, "prev", page_url(req, page - 1));
	if (page < last)
		cJSON_AddStringToObject(pager, "next", page_url(req, page + 1));
	req->cacheable = false;
	page_render(app, req, "editor_home", d);
}
