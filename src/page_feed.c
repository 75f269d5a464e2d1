/* GET /feed.xml, /c/{slug}/feed.xml (RSS 2.0) and /sitemap.xml. XML text is
 * escaped with html_text: its five entities are XML's too. */
#include "html.h"
#include "page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum { FEED_ITEMS = 20, SITEMAP_CHUNK = 40000 };

const struct field_spec page_sitemap_fields[] = {
	{"page", FIELD_INT, 1, 1000000},
	{NULL, 0, 0, 0},
};

/* RFC 822 date, as RSS wants: "Thu, 26 Nov 2026 10:00:00 GMT". */
static void rfc822(struct buf *out, long long t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	buf_printf(out, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
		   months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void feed(struct app *app, struct http_req *req, const struct db_category *cat)
{
	long long now = (long long)time(NULL);
	struct db_article *arts;
	size_t n;
	enum db_scope scope = !cat ? DB_SCOPE_SITE
			      : cat->parent_id ? DB_SCOPE_CATEGORY : DB_SCOPE_SECTION;
	enum db_result r = db_articles_list(app->db, scope, DB_LIST_FULL, cat ? cat->id : 0, now,
					    FEED_ITEMS, 0, req->arena, &arts, &n);
	if (r != DB_OK) {
		page_db_error(app, req, r);
		return;
	}
	const char *base = http_base_url(req);
	const char *site = app_setting(app, "site_name");
	struct buf *o = req->body;
	req->content_type = "application/rss+xml; charset=utf-8";
	buf_puts(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n<title>");
	html_text(o, site);
	if (cat) {
		buf_puts(o, " - ");
		html_text(o, cat->name);
	}
	buf_puts(o, "</title>\n<link>");
	html_text(o, base);
	char path[PAGE_CATEGORY_PATH_MAX] = "/";
	html_text(o, cat ? page_category_path(path, cat->slug) : path);
	buf_puts(o, "</link>\n<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"");
	html_attr(o, base);
	html_attr(o, req->path);
	buf_puts(o, "\"/>\n<description>");
	html_text(o, cat ? cat->name : site);
	buf_printf(o, "</description>\n<language>%s</language>\n",
		   strcmp(app->lang, "zh") ? "en" : "zh-cn");
	if (n) {
		buf_puts(o, "<lastBuildDate>");
		rfc822(o, arts[0].published_at);
		buf_puts(o, "</lastBuildDate>\n");
	}
	for (size_t i = 0; i < n; i++) {
		buf_puts(o, "<item>\n<title>");
		html_text(o, arts[i].title);
		buf_printf(o, "</title>\n<link>");
		html_text(o, base);
		buf_printf(o, "/a/%lld</link>\n<guid isPermaLink=\"true\">", arts[i].id);
		html_text(o, base);
		buf_printf(o, "/a/%lld</guid>\n<pubDate>", arts[i].id);
		rfc822(o, arts[i].published_at);
		buf_puts(o, "</pubDate>\n<category>");
		html_text(o, arts[i].category_name);
		buf_puts(o, "</category>\n<description>");
		html_text(o, arts[i].summary);
		buf_puts(o, "</description>\n</item>\n");
	}
	buf_puts(o, "</channel>\n</rss>\n");
}

void page_feed(struct app *app, struct http_req *req)
{
	feed(app, req, NULL);
}

void page_category_feed(struct app *app, struct http_req *req)
{
	for (size_t i = 0; i < app->ncategories; i++) {
		if (!strcmp(app->categories[i].slug, req->arg_slug)) {
			feed(app, req, &app->categories[i]);
			return;
		}
	}
	page_error(app, req, 404);
}

static void url_entry(struct buf *o, const char *base, const char *path, long long lastmod)
{
	buf_puts(o, "<url><loc>");
	html_text(o, base);
	html_text(o, path);
	buf_puts(o, "</loc>");
	if (lastmod > 0) {
		char day[16];
		time_t tt = (time_t)lastmod;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
		buf_printf(o, "<lastmod>%s</lastmod>", day);
	}
	buf_puts(o, "</url>\n");
}

/* Small sites get one urlset; past SITEMAP_CHUNK articles /sitemap.xml is an
 * index of /sitemap.xml?page=N chunks (the protocol allows 50,000 URLs a file). */
void page_sitemap(struct app *app, struct http_req *req)
{
	long long now = (long long)time(NULL), total;
	enum db_result r = db_articles_count(app->db, DB_SCOPE_SITE, 0, now, &total);
	if (r != DB_OK) {
		page_db_error(app, req, r);
		return;
	}
	const struct field_value *pf = http_field(req, "page");
	long long chunks = (total + SITEMAP_CHUNK - 1) / SITEMAP_CHUNK;
	const char *base = http_base_url(req);
	struct buf *o = req->body;
	req->content_type = "application/xml; charset=utf-8";
	buf_puts(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (!pf && chunks > 1) {
		buf_puts(o, "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
		for (long long i = 1; i <= chunks; i++) {
			buf_puts(o, "<sitemap><loc>");
			html_text(o, base);
			buf_printf(o, "/sitemap.xml?page=%lld</loc></sitemap>\n", i);
		}
		buf_puts(o, "</sitemapindex>\n");
		return;
	}
	long long page = pf ? pf->num : 1;
	if (page > (chunks ? chunks : 1)) {
		buf_reset(o);
		page_error(app, req, 404);
		return;
	}
	struct db_article *arts;
	size_t n;
	r = db_articles_list(app->db, DB_SCOPE_SITE, DB_LIST_FULL, 0, now, SITEMAP_CHUNK,
			     (page - 1) * SITEMAP_CHUNK, req->arena, &arts, &n);
	if (r != DB_OK) {
		buf_reset(o);
		page_db_error(app, req, r);
		return;
	}
	buf_puts(o, "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	if (page == 1) {
		url_entry(o, base, "/", n ? arts[0].published_at : 0);
		for (size_t i = 0; i < app->ncategories; i++) {
			char path[PAGE_CATEGORY_PATH_MAX];
			url_entry(o, base, page_category_path(path, app->categories[i].slug), 0);
		}
	}
	for (size_t i = 0; i < n; i++) {
		char path[32];
		long long mod = arts[i].updated_at > arts[i].published_at ? arts[i].updated_at
									    : arts[i].published_at;
		url_entry(o, base, page_article_path(path, arts[i].id), mod);
	}
	buf_puts(o, "</urlset>\n");
}
