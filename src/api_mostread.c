/* GET /api/articles/most-read?category=slug&days=7&limit=10: the public
 * articles read most over the last days, the lists of the home and category
 * pages as JSON (see mostread.h). */
#include "mostread.h"
#include "db_mostread.h"
#include "json.h"

#include <string.h>
#include <time.h>

/* Out of range is a 422 naming the field (the front line's answer for a
 * declared API field that fails its check). */
const struct field_spec api_most_read_fields[] = {
    {"category", FIELD_SLUG, 0, 0},
    {"days", FIELD_INT, 1, MOSTREAD_DAYS_MAX},
    {"limit", FIELD_INT, 1, MOSTREAD_LIMIT_MAX},
    {NULL, 0, 0, 0},
};

void api_most_read(struct app *app, struct http_req *req)
{
	const struct field_value *cf = http_field(req, "category");
	const struct field_value *df = http_field(req, "days");
	const struct field_value *lf = http_field(req, "limit");
	int days = df ? (int)df->num : MOSTREAD_WEEK,
	    limit = lf ? (int)lf->num : MOSTREAD_PAGE_LIMIT;
	const struct db_category *cat = NULL;
	if (cf) {
		for (size_t i = 0; i < app->ncategories && !cat; i++)
			if (!strcmp(app->categories[i].slug, cf->text))
				cat = &app->categories[i];
		if (!cat) {
			json_error(req, 422, "invalid", "unknown category", "category");
			return;
		}
	}
	/* A top-level category lists with its subcategories, as its page does. */
	enum db_scope scope = !cat             ? DB_SCOPE_SITE
	                      : cat->parent_id ? DB_SCOPE_CATEGORY
	                                       : DB_SCOPE_SECTION;
	struct db_article *arts;
	size_t n;
	enum db_result r = mostread_list(app, scope, cat ? cat->id : 0, days, limit,
	                                 (long long)time(NULL), false, req->arena, &arts, &n);
	if (r != DB_OK) {
		if (r == DB_BUSY)
			http_header(req, "Retry-After", "2");
		json_error_status(req, r == DB_BUSY ? 503 : 500);
		return;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "articles");
	const char *base = http_base_url(req);
	for (size_t i = 0; i < n; i++) {
		/* The item shape of GET /api/articles, plus the window's views. */
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)arts[i].id);
		cJSON_AddStringToObject(o, "title", arts[i].title);
		cJSON *c = cJSON_AddObjectToObject(o, "category");
		cJSON_AddStringToObject(c, "slug", arts[i].category_slug);
		cJSON_AddStringToObject(c, "name", arts[i].category_name);
		cJSON_AddStringToObject(o, "summary", arts[i].summary);
		cJSON_AddBoolToObject(o, "pinned", arts[i].pinned);
		cJSON_AddStringToObject(o, "published_at",
		                        json_time(req->arena, arts[i].published_at));
		cJSON_AddStringToObject(o, "url",
		                        arena_printf(req->arena, "%s/a/%lld", base, arts[i].id));
		cJSON_AddNumberToObject(o, "views", (double)arts[i].views);
		cJSON_AddItemToArray(list, o);
	}
	if (cat)
		cJSON_AddStringToObject(root, "category", cat->slug);
	else
		cJSON_AddNullToObject(root, "category");
	cJSON_AddNumberToObject(root, "days", days);
	cJSON_AddNumberToObject(root, "limit", limit);
	json_send(req, 200, root);
}
