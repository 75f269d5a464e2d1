/* GET /editor/: the editors' dashboard of every article. */
#include "db_editor.h"
#include "i18n.h"
#include "page.h"

#include <stdio.h>

enum { DASH_PER_PAGE = 50 };

void page_editor_home(struct app *app, struct http_req *req)
{
	struct db_editor_article *items;
	size_t n;
	long long total;
	struct db_editor_filter filter = {0};
	enum db_result r = db_editor_list(app->db, &filter, DASH_PER_PAGE, 0, req->arena, &items,
					  &n, &total);
	if (r != DB_OK) {
		page_db_error(app, req, r);
		return;
	}
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "dashboard"));
	cJSON *list = cJSON_AddArrayToObject(d, "articles");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		char url[32];
		snprintf(url, sizeof url, "/a/%lld", items[i].id);
		cJSON_AddNumberToObject(o, "id", (double)items[i].id);
		cJSON_AddStringToObject(o, "title", items[i].title);
		cJSON_AddStringToObject(o, "url", url);
		cJSON_AddStringToObject(o, "status", items[i].status);
		cJSON_AddStringToObject(o, "category", items[i].category_name);
		cJSON_AddStringToObject(o, "author", items[i].author);
		cJSON_AddStringToObject(o, "updated", app_local_time(req->arena, items[i].updated_at));
		cJSON_AddStringToObject(o, "updated_by", items[i].updated_by);
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddNumberToObject(d, "total", (double)total);
	page_render(app, req, "editor_home", d);
}
