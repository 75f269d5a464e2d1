/* The public JSON API: categories, articles, one article, search, views. */
#include "api.h"
#include "counter.h"
#include "json.h"
#include "page.h"
#include "search.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const struct field_spec api_articles_fields[] = {
	{"category", FIELD_SLUG, 0, 0},
	{"page", FIELD_INT, 1, 1000000000LL},
	{"per_page", FIELD_INT, 1, 100},
	{NULL, 0, 0, 0},
};

const struct field_spec api_search_fields[] = {
	{"q", FIELD_LINE, 0, SEARCH_MAX_CHARS},
	{"page", FIELD_INT, 1, 1000000000LL},
	{NULL, 0, 0, 0},
};

static void api_db_error(struct http_req *req, enum db_result r)
{
	if (r == DB_BUSY)
		http_header(req, "Retry-After", "2");
	json_error_status(req, r == DB_BUSY ? 503 : 500);
}

static const char *article_url(struct http_req *req, long long id)
{
	return arena_printf(req->arena, "%s/a/%lld", http_base_url(req), id);
}

void api_categories(struct app *app, struct http_req *req)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "categories");
	for (size_t i = 0; i < app->ncategories; i++) {
		const struct db_category *c = &app->categories[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)c->id);
		cJSON_AddStringToObject(o, "slug", c->slug);
		cJSON_AddStringToObject(o, "name", c->name);
		const struct db_category *p = c->parent_id ? app_category(app, c->parent_id) : NULL;
		if (p)
			cJSON_AddStringToObject(o, "parent", p->slug);
		else
			cJSON_AddNullToObject(o, "parent");
		cJSON_AddNumberToObject(o, "position", c->position);
		cJSON_AddItemToArray(list, o);
	}
	json_send(req, 200, root);
}

static cJSON *category_ref(const char *slug, const char *name)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "slug", slug);
	cJSON_AddStringToObject(o, "name", name);
	return o;
}

void api_articles(struct app *app, struct http_req *req)
{
	const struct field_value *cf = http_field(req, "category");
	const struct field_value *pf = http_field(req, "page");
	const struct field_value *nf = http_field(req, "per_page");
	long long page = pf ? pf->num : 1, per_page = nf ? nf->num : 20;
	enum db_scope scope = DB_SCOPE_SITE;
	long long cat_id = 0;
	if (cf) {
		const struct db_category *cat = NULL;
		for (size_t i = 0; i < app->ncategories; i++)
			if (!strcmp(app->categories[i].slug, cf->text))
				cat = &app->categories[i];
		if (!cat) {
			json_error(req, 422, "invalid", "unknown category", "category");
			return;
		}
		scope = cat->parent_id ? DB_SCOPE_CATEGORY : DB_SCOPE_SECTION;
		cat_id = cat->id;
	}
	long long now = (long long)time(NULL), total;
	struct db_article *arts = NULL;
	size_t n = 0;
	enum db_result r = db_articles_count(app->db, scope, cat_id, now, &total);
	if (r == DB_OK && (page - 1) * per_page < total)
		r = db_articles_list(app->db, scope, DB_LIST_FULL, cat_id, now, (int)per_page,
				     (page - 1) * per_page, req->arena, &arts, &n);
	if (r != DB_OK) {
		api_db_error(req, r);
		return;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "articles");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)arts[i].id);
		cJSON_AddStringToObject(o, "title", arts[i].title);
		cJSON_AddItemToObject(o, "category",
				      category_ref(arts[i].category_slug, arts[i].category_name));
		cJSON_AddStringToObject(o, "summary", arts[i].summary);
		cJSON_AddBoolToObject(o, "pinned", arts[i].pinned);
		cJSON_AddStringToObject(o, "published_at", json_time(req->arena, arts[i].published_at));
		cJSON_AddStringToObject(o, "url", article_url(req, arts[i].id));
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddNumberToObject(root, "page", (double)page);
	cJSON_AddNumberToObject(root, "per_page", (double)per_page);
	cJSON_AddNumberToObject(root, "total", (double)total);
	json_send(req, 200, root);
}

static cJSON *link_obj(const struct db_link *l)
{
	if (!l->id)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)l->id);
	cJSON_AddStringToObject(o, "title", l->title);
	return o;
}

void api_article(struct app *app, struct http_req *req)
{
	long long now = (long long)time(NULL);
	struct db_article art;
	struct db_link newer, older;
	enum db_result r = db_article_public(app->db, req->arg_id, now, req->arena, &art);
	if (r == DB_OK)
		r = db_article_neighbors(app->db, &art, now, req->arena, &newer, &older);
	if (r == DB_NOTFOUND) {
		json_error_status(req, 404);
		return;
	}
	if (r != DB_OK) {
		api_db_error(req, r);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)art.id);
	cJSON_AddStringToObject(o, "title", art.title);
	/* From the site data, refreshed for this request; a category is never
	 * deleted while an article is in it. */
	const struct db_category *cat = app_category(app, art.category_id);
	cJSON_AddItemToObject(o, "category", category_ref(cat ? cat->slug : "", cat ? cat->name : ""));
	cJSON_AddStringToObject(o, "summary", art.summary);
	cJSON_AddStringToObject(o, "body_html", art.body_html);
	cJSON_AddStringToObject(o, "source", art.source);
	cJSON_AddStringToObject(o, "author", art.author);
	cJSON_AddStringToObject(o, "published_at", json_time(req->arena, art.published_at));
	cJSON_AddNumberToObject(o, "views", (double)counter_current(art.id, art.views));
	cJSON_AddStringToObject(o, "url", article_url(req, art.id));
	/* As on the page: prev is the newer neighbour, next the older. */
	cJSON_AddItemToObject(o, "prev", link_obj(&newer));
	cJSON_AddItemToObject(o, "next", link_obj(&older));
	json_send(req, 200, o);
}

void api_search(struct app *app, struct http_req *req)
{
	const struct field_value *qf = http_field(req, "q");
	const struct field_value *pf = http_field(req, "page");
	long long page = pf ? pf->num : 1;
	struct search_query sq;
	if (!qf || search_parse(req->arena, qf->text, &sq) == 0) {
		json_error(req, 422, "invalid", "q must hold a word to search for", "q");
		return;
	}
	struct db_hit *hits;
	size_t n;
	long long total;
	bool more;
	enum db_result r = db_search(app->db, &sq, (long long)time(NULL), 20, (page - 1) * 20,
				     req->arena, &hits, &n, &total, &more);
	if (r != DB_OK) {
		api_db_error(req, r);
		return;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "results");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)hits[i].id);
		cJSON_AddStringToObject(o, "title", hits[i].title);
		/* HTML: escaped text with the matches in <mark> */
		cJSON_AddStringToObject(o, "snippet", search_snippet(req->arena, hits[i].body_md, &sq, 120));
		cJSON_AddStringToObject(o, "url", article_url(req, hits[i].id));
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddNumberToObject(root, "total", (double)total);
	/* More matched than the search ranks: total counts only those. */
	cJSON_AddBoolToObject(root, "total_is_lower_bound", more);
	json_send(req, 200, root);
}

void api_article_view(struct app *app, struct http_req *req)
{
	long long views = 0;
	enum db_result r = counter_view(app, req->arg_id, (long long)time(NULL), &views);
	if (r == DB_NOTFOUND) {
		json_error_status(req, 404);
		return;
	}
	if (r != DB_OK) {
		api_db_error(req, r);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)req->arg_id);
	cJSON_AddNumberToObject(o, "views", (double)views);
	json_send(req, 200, o);
}
