/* GET /a/{id}: one published article with everything a college news page shows. */
#include "counter.h"
#include "page.h"

#include <stdio.h>
#include <time.h>

static void add_link(cJSON *d, const char *key, const struct db_link *l)
{
	if (!l->id)
		return; /* the template shows the "none" label */
	cJSON *o = cJSON_AddObjectToObject(d, key);
	char url[32];
	cJSON_AddNumberToObject(o, "id", (double)l->id);
	page_put_ref(o, "title", l->title);
	cJSON_AddStringToObject(o, "url", page_article_path(url, l->id));
}

void page_article(struct app *app, struct http_req *req)
{
	long long now = (long long)time(NULL);
	struct db_article art;
	enum db_result r = db_article_public(app->db, req->arg_id, now, req->arena, &art);
	if (r == DB_NOTFOUND) {
		page_error(app, req, 404);
		return;
	}
	struct db_link newer, older;
	if (r == DB_OK)
		r = db_article_neighbors(app->db, &art, now, req->arena, &newer, &older);
	if (r != DB_OK) {
		page_db_error(app, req, r);
		return;
	}

	cJSON *d = page_data(app, req);
	/* The article's strings are in the request's arena (db_article_public). */
	page_put_ref(d, "title", art.title);
	cJSON *a = cJSON_AddObjectToObject(d, "article");
	cJSON_AddNumberToObject(a, "id", (double)art.id);
	page_put_ref(a, "title", art.title);
	page_put_ref(a, "summary", art.summary);
	page_put_ref(a, "time", app_local_time(req->arena, art.published_at));
	page_put_ref(a, "source", art.source);
	page_put_ref(a, "author", art.author);
	cJSON_AddNumberToObject(a, "views", (double)counter_current(art.id, art.views));
	/* body_html was rendered from Markdown by md_render() at save time, in
	 * safe mode: it is our HTML, the template inserts it with {{{ }}}. */
	page_put_ref(a, "body_html", art.body_html);

	/* Breadcrumb: Home > parent > category. */
	cJSON *crumbs = cJSON_AddArrayToObject(d, "breadcrumb");
	const struct db_category *cat = app_category(app, art.category_id);
	if (cat && cat->parent_id) {
		const struct db_category *parent = app_category(app, cat->parent_id);
		if (parent)
			cJSON_AddItemToArray(crumbs, page_category_json(parent));
	}
	if (cat)
		cJSON_AddItemToArray(crumbs, page_category_json(cat));

	/* "Previous" is the newer neighbour (above it in a newest-first list). */
	add_link(d, "prev", &newer);
	add_link(d, "next", &older);
	page_render(app, req, "article", d);
}
