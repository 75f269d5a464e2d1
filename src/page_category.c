/* GET /c/{slug}/?page=N: a category's articles, newest first, 20 a page;
 * its subcategories and the week's most read of it beside them. */
#include "mostread.h"
#include "page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum { PER_PAGE = 20, PAGE_WINDOW = 2 };

const struct field_spec page_category_fields[] = {
	/* Any integer parses; numbers below 1 or past the end are a 404. */
	{"page", FIELD_INT, -1000000000000LL, 1000000000000LL},
	{NULL, 0, 0, 0},
};

static cJSON *page_link(const char *base, long long num, long long current)
{
	cJSON *p = cJSON_CreateObject();
	char url[128];
	if (num == 1)
		snprintf(url, sizeof url, "%s", base);
	else
		snprintf(url, sizeof url, "%s?page=%lld", base, num);
	cJSON_AddNumberToObject(p, "num", (double)num);
	cJSON_AddStringToObject(p, "url", url);
	cJSON_AddBoolToObject(p, "current", num == current);
	return p;
}

/* Numbered links: 1 … current±2 … last, with gaps marked. */
static void add_pager(cJSON *d, const char *base, long long current, long long last)
{
	cJSON *pager = cJSON_AddObjectToObject(d, "pager");
	cJSON_AddBoolToObject(pager, "show", last > 1);
	cJSON_AddNumberToObject(pager, "current", (double)current);
	cJSON_AddNumberToObject(pager, "last", (double)last);
	if (current > 1)
		cJSON_AddItemToObject(pager, "prev", page_link(base, current - 1, current));
	if (current < last)
		cJSON_AddItemToObject(pager, "next", page_link(base, current + 1, current));
	cJSON *pages = cJSON_AddArrayToObject(pager, "pages");
	for (long long i = 1; i <= last; i++) {
		bool near = i >= current - PAGE_WINDOW && i <= current + PAGE_WINDOW;
		if (i != 1 && i != last && !near) {
			if (i < current)
				i = current - PAGE_WINDOW - 1;
			else
				i = last - 1;
			cJSON *gap = cJSON_CreateObject();
			cJSON_AddBoolToObject(gap, "gap", 1);
			cJSON_AddItemToArray(pages, gap);
			continue;
		}
		cJSON_AddItemToArray(pages, page_link(base, i, current));
	}
}

void page_category(struct app *app, struct http_req *req)
{
	const struct db_category *cat = NULL;
	for (size_t i = 0; i < app->ncategories; i++)
		if (!strcmp(app->categories[i].slug, req->arg_slug))
			cat = &app->categories[i];
	const struct field_value *pf = http_field(req, "page");
	long long page = pf ? pf->num : 1;
	if (!cat || page < 1) {
		page_error(app, req, 404);
		return;
	}

	long long now = (long long)time(NULL), total;
	enum db_scope scope = cat->parent_id ? DB_SCOPE_CATEGORY : DB_SCOPE_SECTION;
	enum db_result r = db_articles_count(app->db, scope, cat->id, now, &total);
	long long last = total ? (total + PER_PAGE - 1) / PER_PAGE : 1;
	if (r == DB_OK && page > last) {
		page_error(app, req, 404);
		return;
	}
	struct db_article *arts = NULL;
	size_t n = 0;
	if (r == DB_OK)
		r = db_articles_list(app->db, scope, DB_LIST_TITLES, cat->id, now, PER_PAGE,
				     (page - 1) * PER_PAGE, req->arena, &arts, &n);
	if (r != DB_OK) {
		page_db_error(app, req, r);
		return;
	}

	cJSON *d = page_data(app, req);
	r = mostread_page(app, cat, now, req->arena, d);
	if (r != DB_OK) {
		cJSON_Delete(d);
		page_db_error(app, req, r);
		return;
	}
	cJSON_AddStringToObject(d, "title", cat->name);
	cJSON_AddItemToObject(d, "category", page_category_json(cat));
	cJSON *crumbs = cJSON_AddArrayToObject(d, "breadcrumb");
	const struct db_category *parent = cat->parent_id ? app_category(app, cat->parent_id) : NULL;
	if (parent)
		cJSON_AddItemToArray(crumbs, page_category_json(parent));
	cJSON_AddItemToArray(crumbs, page_category_json(cat));

	/* Subcategories of a top-level category, or the siblings of a child. */
	cJSON *subs = cJSON_AddArrayToObject(d, "subcategories");
	long long owner = parent ? parent->id : cat->id;
	for (size_t i = 0; i < app->ncategories; i++) {
		if (app->categories[i].parent_id != owner)
			continue;
		cJSON *s = page_category_json(&app->categories[i]);
		cJSON_AddBoolToObject(s, "current", app->categories[i].id == cat->id);
		cJSON_AddItemToArray(subs, s);
	}
	cJSON_AddBoolToObject(d, "has_subcategories", cJSON_GetArraySize(subs) > 0);
	cJSON_AddBoolToObject(d, "has_side",
	                      cJSON_GetArraySize(subs) > 0 ||
	                          cJSON_IsTrue(cJSON_GetObjectItem(d, "has_most_read")));

	cJSON *list = cJSON_AddArrayToObject(d, "articles");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(list, page_list_item(req->arena, &arts[i]));
	cJSON_AddNumberToObject(d, "total", (double)total);
	char base[PAGE_CATEGORY_PATH_MAX];
	add_pager(d, page_category_path(base, cat->slug), page, last);
	page_render(app, req, "category", d);
}

void page_category_redirect(struct app *app, struct http_req *req)
{
	/* /c/news → /c/news/: one address per page. */
	const char *url = arena_printf(req->arena, "%s/c/%s/", req->base, req->arg_slug);
	req->status = 301;
	http_header(req, "Location", url);
	req->content_type = "text/plain; charset=utf-8";
	buf_puts(req->body, url);
}
