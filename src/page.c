/* What every HTML page shares: site data, rendering, error pages. */
#include "page.h"
#include "i18n.h"
#include "html.h"
#include "json.h"
#include "log.h"

#include <string.h>

#include <stdio.h>

/* What every page's data holds and all a site fragment may use: the site,
 * its labels and menu, the language and the base paths. */
static cJSON *site_data(struct app *app, struct http_req *req)
{
	cJSON *d = cJSON_CreateObject();
	/* References: the site data is owned by app and outlives the page. */
	if (app->site)
		cJSON_AddItemReferenceToObject(d, "site", app->site);
	if (app->labels)
		cJSON_AddItemReferenceToObject(d, "t", app->labels);
	else
		cJSON_AddItemToObject(d, "t", i18n_labels(app->lang[0] ? app->lang : "en"));
	if (app->menu)
		cJSON_AddItemReferenceToObject(d, "menu", app->menu);
	page_put_ref(d, "lang", app->lang[0] ? app->lang : "en");
	/* Links in templates are {{base}}/… so the site works under a prefix. */
	page_put_ref(d, "base", req->base);
	size_t n = strlen(req->base);
	char *stat = arena_alloc(req->arena, n + sizeof "/static");
	memcpy(stat, req->base, n);
	memcpy(stat + n, "/static", sizeof "/static");
	page_put_ref(d, "static", stat);
	return d;
}

cJSON *page_data(struct app *app, struct http_req *req)
{
	cJSON *d = site_data(app, req);
	page_put_ref(d, "path", req->path);
	if (req->user) { /* editor pages: who is logged in, and the form token */
		cJSON *u = cJSON_AddObjectToObject(d, "user");
		cJSON_AddStringToObject(u, "username", req->user->username);
		cJSON_AddStringToObject(u, "role", req->user->role);
		cJSON_AddBoolToObject(u, "admin", !strcmp(req->user->role, "admin"));
		page_editor_nav(app, req, u); /* the review queue's link and badge */
		cJSON_AddStringToObject(d, "csrf_token", req->csrf_token);
	}
	return d;
}

/*
 * Renders the site fragments, the templates named site_*.html (the masthead
 * with its menu, the footer), from the site's data alone and fixes each to
 * its text (tmpl_fix): every page then inserts them as they are. Done again
 * when the site data is rebuilt (a change of settings or categories,
 * app_refresh) or a request comes under another base path. They were a
 * fifth of an article page's instructions, rendered anew on every page.
 */
static void fragments_render(struct app *app, struct http_req *req)
{
	if (app->fragments_ok && !strcmp(app->fragments_base, req->base))
		return;
	cJSON *d = site_data(app, req);
	struct buf text = BUF_INIT;
	const char *name;
	for (size_t i = 0; (name = tmpl_name(app->tmpl, i)); i++) {
		if (strncmp(name, "site_", 5))
			continue;
		/* A fragment that fails to render stays unfixed: each page then
		 * renders it, and logs why it fails. */
		tmpl_fix(app->tmpl, name, NULL, 0);
		buf_reset(&text);
		if (tmpl_render(app->tmpl, name, d, &text) == 0)
			tmpl_fix(app->tmpl, name, text.data ? text.data : "", text.len);
	}
	buf_free(&text);
	cJSON_Delete(d);
	/* A base cut short here differs from every request's: rendered again. */
	snprintf(app->fragments_base, sizeof app->fragments_base, "%s", req->base);
	app->fragments_ok = true;
}

void page_render(struct app *app, struct http_req *req, const char *name, cJSON *data)
{
	fragments_render(app, req);
	buf_reset(req->body);
	int rc = tmpl_render(app->tmpl, name, data, req->body);
	json_free(data);
	if (rc != 0) {
		log_error("template %s failed to render", name);
		buf_reset(req->body);
		req->status = 500;
		req->cacheable = false;
		buf_puts(req->body, "Internal error\n");
		req->content_type = "text/plain; charset=utf-8";
	}
}

void page_error(struct app *app, struct http_req *req, int status)
{
	static const struct {
		int status;
		const char *title, *text;
	} kinds[] = {
		{400, "bad_request", "bad_request_text"},
		{401, "unauthorized", "unauthorized"},
		{403, "forbidden", "forbidden_text"},
		{404, "not_found", "not_found_text"},
		{405, "method_not_allowed", "bad_request_text"},
		{414, "bad_request", "bad_request_text"},
		{503, "unavailable", "unavailable_text"},
	};
	if (!strncmp(req->path, "/api/", 5)) { /* the API answers errors in JSON */
		if (status == 503)
			http_header(req, "Retry-After", "5");
		json_error_status(req, status);
		return;
	}
	if (status == 401 && !strncmp(req->path, "/editor/", 8)) {
		/* An editor page without a session: to the login form, and back. */
		struct buf next = BUF_INIT;
		buf_printf(&next, "%s/editor/login?next=", req->base);
		html_url_arg(&next, req->path);
		req->status = 303;
		req->cacheable = false;
		http_header(req, "Location", buf_cstr(&next));
		buf_free(&next);
		return;
	}
	const char *title = "error", *text = "error_text";
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (kinds[i].status == status) {
			title = kinds[i].title;
			text = kinds[i].text;
		}
	}
	req->status = status;
	req->cacheable = false;
	if (status == 503)
		http_header(req, "Retry-After", "5");
	const char *lang = app->lang[0] ? app->lang : "en";
	cJSON *d = page_data(app, req);
	cJSON *e = cJSON_AddObjectToObject(d, "error");
	cJSON_AddNumberToObject(e, "status", status);
	cJSON_AddStringToObject(e, "title", i18n_label(lang, title));
	cJSON_AddStringToObject(e, "text", i18n_label(lang, text));
	page_render(app, req, "error", d);
	req->status = status; /* even if the error template itself failed */
}

void page_db_error(struct app *app, struct http_req *req, enum db_result r)
{
	/* A database locked past the busy timeout is load, not a bug: ask the
	 * client to come back rather than report a server error. */
	page_error(app, req, r == DB_BUSY ? 503 : 500);
}

cJSON *page_category_json(const struct db_category *c)
{
	cJSON *o = cJSON_CreateObject();
	char url[PAGE_CATEGORY_PATH_MAX];
	cJSON_AddStringToObject(o, "slug", c->slug);
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "url", page_category_path(url, c->slug));
	return o;
}

const char *page_category_path(char out[PAGE_CATEGORY_PATH_MAX], const char *slug)
{
	size_t n = strnlen(slug, PAGE_CATEGORY_PATH_MAX - 6);
	memcpy(out, "/c/", 3);
	memcpy(out + 3, slug, n);
	memcpy(out + 3 + n, "/", 2);
	return out;
}

const char *page_article_path(char out[32], long long id)
{
	memcpy(out, "/a/", 3);
	int_text(out + 3, id);
	return out;
}

void page_put_ref(cJSON *o, const char *key, const char *s)
{
	cJSON_AddItemToObjectCS(o, key, cJSON_CreateStringReference(s ? s : ""));
}

/* The strings of art are in the arena a (the db layer's, the request's). */
cJSON *page_list_item(struct arena *a, const struct db_article *art)
{
	cJSON *it = cJSON_CreateObject();
	char url[32];
	cJSON_AddNumberToObject(it, "id", (double)art->id);
	page_put_ref(it, "title", art->title);
	cJSON_AddStringToObject(it, "url", page_article_path(url, art->id));
	/* lists show the day only */
	page_put_ref(it, "date", arena_strndup(a, app_local_time(a, art->published_at), 10));
	page_put_ref(it, "summary", art->summary);
	page_put_ref(it, "category", art->category_name);
	return it;
}

void page_redirect(struct http_req *req, const char *path)
{
	req->status = 303;
	req->cacheable = false;
	http_header(req, "Location", arena_printf(req->arena, "%s%s", req->base, path));
	buf_reset(req->body);
	req->content_type = "text/plain; charset=utf-8";
}

const char *page_list_url(struct http_req *req, const char *path, const char *const *keep,
			  size_t nkeep, long long page)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s?", path);
	for (size_t i = 0; i < nkeep; i++) {
		const char *v = http_text(req, keep[i]);
		if (!*v)
			continue;
		buf_printf(&b, "%s=", keep[i]);
		html_url_arg(&b, v);
		buf_putc(&b, '&');
	}
	buf_printf(&b, "page=%lld", page);
	const char *s = arena_strdup(req->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}
