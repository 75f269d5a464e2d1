/* GET /search?q=…&page=N: ranked full-text search of public articles. */
#include "page.h"
#include "search.h"
#include "html.h"
#include "i18n.h"
#include "valid.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

enum { SEARCH_PER_PAGE = 10, SNIPPET_CHARS = 120 };

const struct field_spec page_search_fields[] = {
	/* Longer than SEARCH_MAX_CHARS gets a friendly "too long" page; longer
	 * than this is not a search anyone typed: 400. */
	{"q", FIELD_LINE, 0, 2000},
	{"page", FIELD_INT, -1000000000LL, 1000000000LL},
	{NULL, 0, 0, 0},
};

void page_search(struct app *app, struct http_req *req)
{
	const struct field_value *qf = http_field(req, "q");
	const struct field_value *pf = http_field(req, "page");
	const char *q = qf ? qf->text : "";
	long long page = pf ? pf->num : 1;
	if (page < 1) {
		page_error(app, req, 404);
		return;
	}
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "search"));
	cJSON_AddStringToObject(d, "q", q);

	struct search_query sq;
	if (valid_utf8_len(q) > SEARCH_MAX_CHARS) {
		cJSON_AddTrueToObject(d, "too_long");
		page_render(app, req, "search", d);
		return;
	}
	if (search_parse(req->arena, q, &sq) == 0) {
		cJSON_AddTrueToObject(d, "empty");
		page_render(app, req, "search", d);
		return;
	}

	struct db_hit *hits;
	size_t n;
	long long total;
	bool more;
	enum db_result r = db_search(app->db, &sq, (long long)time(NULL), SEARCH_PER_PAGE,
				     (page - 1) * SEARCH_PER_PAGE, req->arena, &hits, &n, &total,
				     &more);
	if (r != DB_OK) {
		cJSON_Delete(d);
		page_db_error(app, req, r);
		return;
	}
	long long last = total ? (total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE : 1;
	if (page > last) {
		cJSON_Delete(d);
		page_error(app, req, 404);
		return;
	}
	if (more) /* only the newest matches are ranked: "1000+ results" */
		cJSON_AddStringToObject(d, "total", arena_printf(req->arena, "%lld+", total));
	else
		cJSON_AddNumberToObject(d, "total", (double)total);
	cJSON_AddBoolToObject(d, "none", total == 0);
	cJSON *results = cJSON_AddArrayToObject(d, "results");
	for (size_t i = 0; i < n; i++) {
		cJSON *it = cJSON_CreateObject();
		char url[32];
		cJSON_AddStringToObject(it, "title", hits[i].title);
		cJSON_AddStringToObject(it, "url", page_article_path(url, hits[i].id));
		cJSON_AddStringToObject(it, "date", app_local_time(req->arena, hits[i].published_at));
		/* search_snippet escapes the text itself and adds only <mark>. */
		cJSON_AddStringToObject(it, "snippet_html",
					search_snippet(req->arena, hits[i].body_md, &sq, SNIPPET_CHARS));
		cJSON_AddItemToArray(results, it);
	}

	/* Previous/next page links keep the query. */
	struct buf base = BUF_INIT;
	buf_puts(&base, "/search?q=");
	html_url_arg(&base, q);
	cJSON *pager = cJSON_AddObjectToObject(d, "pager");
	cJSON_AddBoolToObject(pager, "show", last > 1);
	cJSON_AddNumberToObject(pager, "current", (double)page);
	cJSON_AddNumberToObject(pager, "last", (double)last);
	char url[64];
	if (page > 1) {
		snprintf(url, sizeof url, "&page=%lld", page - 1);
		cJSON *o = cJSON_AddObjectToObject(pager, "prev");
		cJSON_AddStringToObject(o, "url", arena_printf(req->arena, "%s%s", buf_cstr(&base), url));
	}
	if (page < last) {
		snprintf(url, sizeof url, "&page=%lld", page + 1);
		cJSON *o = cJSON_AddObjectToObject(pager, "next");
		cJSON_AddStringToObject(o, "url", arena_printf(req->arena, "%s%s", buf_cstr(&base), url));
	}
	buf_free(&base);
	page_render(app, req, "search", d);
}
