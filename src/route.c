/* The routing table and its matcher. */
#include "route.h"
#include "api.h"
#include "media.h"
#include "mostread.h"
#include "page.h"
#include "sandbox.h"
#include "valid.h"

#include <string.h>

/* Largest article id we accept in a URL: SQLite rowids fit, and JSON
 * clients (doubles) read it exactly. */
#define MAX_ID 9007199254740991LL

/* Public pages are cacheable and never look at cookies; editor routes look
 * up the session, and every state-changing one needs the CSRF token. */
#define PAGE ROUTE_PUBLIC_PAGE

const struct route route_table[] = {
	/* path                     methods      handler              flags  query  form */
	{"/", HTTP_GET, page_home, PAGE, NULL, NULL},
	{"/a/{id}", HTTP_GET, page_article, PAGE, NULL, NULL},
	{"/c/{slug}/", HTTP_GET, page_category, PAGE, page_category_fields, NULL},
	{"/c/{slug}", HTTP_GET, page_category_redirect, 0, NULL, NULL},
	{"/c/{slug}/feed.xml", HTTP_GET, page_category_feed, PAGE, NULL, NULL},
	{"/feed.xml", HTTP_GET, page_feed, PAGE, NULL, NULL},
	{"/sitemap.xml", HTTP_GET, page_sitemap, PAGE, page_sitemap_fields, NULL},
	{"/search", HTTP_GET, page_search, PAGE, page_search_fields, NULL},
	{"/healthz", HTTP_GET, page_healthz, ROUTE_NO_SCHEMA, NULL, NULL},
	{"/_bench/bytes", HTTP_GET, page_bench_bytes, ROUTE_NO_SCHEMA, page_bench_fields, NULL},
	{"/_sandbox/{slug}", HTTP_POST, sandbox_page_violate, ROUTE_NO_SCHEMA, NULL, NULL},

	{"/editor/login", HTTP_GET | HTTP_POST, page_login, ROUTE_SESSION, page_login_fields,
	 page_login_fields},
	{"/editor/", HTTP_GET, page_editor_home, ROUTE_AUTH, page_editor_home_fields, NULL},
	{"/editor/articles/new", HTTP_GET | HTTP_POST, page_editor_article_new, ROUTE_WRITE,
	 page_article_query, page_article_form},
	{"/editor/articles/{id}", HTTP_GET | HTTP_POST, page_editor_article_edit, ROUTE_WRITE,
	 page_article_query, page_article_form},
	{"/editor/articles/{id}/delete", HTTP_GET | HTTP_POST, page_editor_article_delete,
	 ROUTE_WRITE, NULL, page_csrf_form},
	{"/editor/articles/{id}/revisions", HTTP_GET, page_editor_revisions, ROUTE_AUTH,
	 page_revisions_query, NULL},
	/* The review workflow: the queue, its steps, the form's soft lock. */
	{"/editor/review", HTTP_GET, page_editor_review, ROUTE_AUTH, page_review_query, NULL},
	{"/editor/articles/{id}/approve", HTTP_POST, page_editor_approve, ROUTE_WRITE, NULL,
	 page_review_form},
	{"/editor/articles/{id}/send-back", HTTP_POST, page_editor_send_back, ROUTE_WRITE, NULL,
	 page_review_form},
	{"/editor/articles/{id}/lock", HTTP_POST, page_editor_lock, ROUTE_WRITE, NULL, page_csrf_form},
	{"/editor/revisions/{id}", HTTP_GET, page_editor_revision, ROUTE_AUTH, NULL, NULL},
	{"/editor/revisions/{id}/restore", HTTP_POST, page_editor_revision_restore, ROUTE_WRITE,
	 NULL, page_csrf_form},
	{"/editor/media", HTTP_GET | HTTP_POST, page_editor_media, ROUTE_WRITE, NULL, page_media_form},
	{"/editor/logout", HTTP_POST, page_logout, ROUTE_WRITE, NULL, page_csrf_form},
	{"/editor/account", HTTP_GET | HTTP_POST, page_account, ROUTE_WRITE, page_saved_query,
	 page_account_form},
	{"/editor/account/totp", HTTP_POST, page_account_totp, ROUTE_WRITE, NULL, page_totp_form},
	/* Admins only: users, categories, settings, the audit log. */
	{"/editor/users", HTTP_GET | HTTP_POST, page_admin_users, ROUTE_ADMIN | ROUTE_CSRF,
	 page_saved_query, page_user_form},
	{"/editor/users/{id}", HTTP_GET | HTTP_POST, page_admin_user, ROUTE_ADMIN | ROUTE_CSRF,
	 page_saved_query, page_user_form},
	{"/editor/users/{id}/totp-reset", HTTP_POST, page_admin_user_totp_reset,
	 ROUTE_ADMIN | ROUTE_CSRF, NULL, page_csrf_form},
	{"/editor/categories", HTTP_GET | HTTP_POST, page_admin_categories, ROUTE_ADMIN | ROUTE_CSRF,
	 page_saved_query, page_category_form},
	{"/editor/categories/{id}", HTTP_GET | HTTP_POST, page_admin_category,
	 ROUTE_ADMIN | ROUTE_CSRF, page_saved_query, page_category_form},
	{"/editor/settings", HTTP_GET | HTTP_POST, page_admin_settings, ROUTE_ADMIN | ROUTE_CSRF,
	 page_saved_query, page_settings_form},
	{"/editor/settings/logo", HTTP_POST, page_admin_logo, ROUTE_ADMIN | ROUTE_CSRF, NULL,
	 page_csrf_form},
	{"/editor/audit", HTTP_GET, page_admin_audit, ROUTE_ADMIN, page_audit_query, NULL},

	{"/api/categories", HTTP_GET, api_categories, PAGE, NULL, NULL},
	{"/api/articles", HTTP_GET, api_articles, PAGE, api_articles_fields, NULL},
	{"/api/articles/most-read", HTTP_GET, api_most_read, PAGE, api_most_read_fields, NULL},
	{"/api/articles/{id}", HTTP_GET, api_article, PAGE, NULL, NULL},
	{"/api/articles/{id}/view", HTTP_POST, api_article_view, ROUTE_NO_SITE, NULL, NULL},
	{"/api/search", HTTP_GET, api_search, PAGE, api_search_fields, NULL},

	{"/api/session", HTTP_POST, api_session_create, 0, NULL, NULL},
	{"/api/session", HTTP_GET, api_session_get, ROUTE_AUTH, NULL, NULL},
	{"/api/session", HTTP_DELETE, api_session_delete, ROUTE_WRITE, NULL, NULL},

	{"/api/articles", HTTP_POST, api_article_create, ROUTE_WRITE, NULL, NULL},
	{"/api/articles/{id}", HTTP_PATCH, api_article_update, ROUTE_WRITE, NULL, NULL},
	{"/api/articles/{id}", HTTP_DELETE, api_article_delete, ROUTE_WRITE, NULL, NULL},
	{"/api/articles/{id}/submit", HTTP_POST, api_article_submit, ROUTE_WRITE, NULL, NULL},
	{"/api/articles/{id}/approve", HTTP_POST, api_article_approve, ROUTE_WRITE, NULL, NULL},
	{"/api/articles/{id}/send-back", HTTP_POST, api_article_send_back, ROUTE_WRITE, NULL, NULL},
	{"/api/editor/articles", HTTP_GET, api_editor_articles, ROUTE_AUTH, api_editor_list_fields, NULL},
	{"/api/editor/articles/{id}", HTTP_GET, api_editor_article, ROUTE_AUTH, NULL, NULL},
	{"/api/media", HTTP_POST, api_media_upload, ROUTE_WRITE, NULL, NULL},
	{"/api/preview", HTTP_POST, api_preview, ROUTE_WRITE, NULL, NULL},
	{"/api/session/password", HTTP_PUT, api_own_password, ROUTE_WRITE, NULL, NULL},
	{"/api/session/totp", HTTP_GET, api_totp_get, ROUTE_AUTH, NULL, NULL},
	{"/api/session/totp", HTTP_POST, api_totp_begin, ROUTE_WRITE, NULL, NULL},
	{"/api/session/totp/confirm", HTTP_POST, api_totp_confirm, ROUTE_WRITE, NULL, NULL},
	{"/api/session/totp/disable", HTTP_POST, api_totp_disable, ROUTE_WRITE, NULL, NULL},

	/* Admins only. */
	{"/api/users", HTTP_GET, api_users, ROUTE_ADMIN, NULL, NULL},
	{"/api/users", HTTP_POST, api_user_create, ROUTE_ADMIN | ROUTE_CSRF, NULL, NULL},
	{"/api/users/{id}", HTTP_PATCH, api_user_update, ROUTE_ADMIN | ROUTE_CSRF, NULL, NULL},
	{"/api/users/{id}/totp", HTTP_DELETE, api_user_totp_reset, ROUTE_ADMIN | ROUTE_CSRF, NULL,
	 NULL},
	{"/api/categories", HTTP_POST, api_category_create, ROUTE_ADMIN | ROUTE_CSRF, NULL, NULL},
	{"/api/categories/{id}", HTTP_PATCH, api_category_update, ROUTE_ADMIN | ROUTE_CSRF, NULL, NULL},
	{"/api/settings", HTTP_GET, api_settings, ROUTE_ADMIN, NULL, NULL},
	{"/api/settings", HTTP_PATCH, api_settings_update, ROUTE_ADMIN | ROUTE_CSRF, NULL, NULL},
	{NULL, 0, NULL, 0, NULL, NULL},
};

/* Matches one pattern against path segment by segment, capturing into req. */
static bool pattern_match(const char *pattern, const char *path, struct http_req *req)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t plen = (size_t)(close - p + 1);
			size_t slen = strcspn(s, "/");
			char seg[80];
			if (slen == 0 || slen >= sizeof seg)
				return false;
			memcpy(seg, s, slen);
			seg[slen] = '\0';
			if (!strncmp(p, "{id}", plen)) {
				if (!valid_int(seg, 1, MAX_ID, &req->arg_id))
					return false;
			} else if (!strncmp(p, "{slug}", plen)) {
				if (!valid_slug(seg))
					return false;
				req->arg_slug = arena_strdup(req->arena, seg);
			} else {
				return false;
			}
			p += plen;
			s += slen;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	return *p == '\0' && *s == '\0';
}

const struct route *route_match(struct http_req *req, unsigned *allowed)
{
	*allowed = 0;
	for (const struct route *r = route_table; r->pattern; r++) {
		if (!pattern_match(r->pattern, req->path, req))
			continue;
		unsigned methods = r->methods;
		if (methods & HTTP_GET)
			methods |= HTTP_HEAD;
		if (req->method & methods)
			return r;
		*allowed |= methods;
	}
	return NULL;
}
