/* GET /: pinned stories, then the latest of each top-level category; the
 * latest and the week's most read of the whole site beside them. */
#include "mostread.h"
#include "page.h"

#include <stdio.h>
#include <time.h>

enum { HOME_PINNED = 5, HOME_PER_SECTION = 8, HOME_LATEST = 10 };

/* Adds the articles as array `key` of obj. */
static void add_list(cJSON *obj, const char *key, struct arena *a, const struct db_article *arts,
		     size_t n)
{
	cJSON *list = cJSON_AddArrayToObject(obj, key);
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(list, page_list_item(a, &arts[i]));
}

void page_home(struct app *app, struct http_req *req)
{
	long long now = (long long)time(NULL);
	cJSON *d = page_data(app, req);
	struct db_article *arts;
	size_t n;

	enum db_result r = db_articles_list(app->db, DB_SCOPE_PINNED, DB_LIST_TITLES, 0, now,
					    HOME_PINNED, 0, req->arena, &arts, &n);
	if (r == DB_OK) {
		add_list(d, "pinned", req->arena, arts, n);
		cJSON_AddBoolToObject(d, "has_pinned", n > 0);
	}
	if (r == DB_OK)
		r = db_articles_list(app->db, DB_SCOPE_SITE, DB_LIST_TITLES, 0, now, HOME_LATEST, 0,
				     req->arena, &arts, &n);
	if (r == DB_OK)
		add_list(d, "latest", req->arena, arts, n);

	cJSON *sections = cJSON_AddArrayToObject(d, "sections");
	for (size_t i = 0; r == DB_OK && i < app->ncategories; i++) {
		const struct db_category *c = &app->categories[i];
		if (c->parent_id)
			continue;
		r = db_articles_list(app->db, DB_SCOPE_SECTION, DB_LIST_TITLES, c->id, now,
				     HOME_PER_SECTION, 0, req->arena, &arts, &n);
		if (r != DB_OK || n == 0)
			continue;
		cJSON *s = page_category_json(c);
		add_list(s, "articles", req->arena, arts, n);
		cJSON_AddItemToArray(sections, s);
	}
	if (r == DB_OK)
		r = mostread_page(app, NULL, now, req->arena, d);
	if (r != DB_OK) {
		cJSON_Delete(d);
		page_db_error(app, req, r);
		return;
	}
	page_render(app, req, "home", d);
}
