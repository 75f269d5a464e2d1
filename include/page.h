/*
 * Pages: one file per page (page_*.c), all built the same way: page_data()
 * gives the template data every page shares (site, labels, menu), the
 * handler adds its own, page_render() fills the response body.
 */
#ifndef GAZETTE_PAGE_H
#define GAZETTE_PAGE_H

#include "app.h"

/* Shared data {site, t, menu, path}; free with cJSON_Delete (page_render does). */
cJSON *page_data(struct app *app, struct http_req *req);
/* Renders template name with data (and deletes data) into the response;
 * a template failure becomes a 500. */
void page_render(struct app *app, struct http_req *req, const char *name, cJSON *data);
/* An HTML error page for status (400, 404, 405, 500, 503 …). */
void page_error(struct app *app, struct http_req *req, int status);
/* Maps a failed DB result to its page: 503 with Retry-After, or 500. */
void page_db_error(struct app *app, struct http_req *req, enum db_result r);

/* A 303 to path below the site's mount point (after a POST, to a login). */
void page_redirect(struct http_req *req, const char *path);
/* path?k1=v1&…&page=N with the request's values of the keep fields that are
 * set (the filters of a paged list), in the arena. */
const char *page_list_url(struct http_req *req, const char *path, const char *const *keep,
			  size_t nkeep, long long page);

/* {slug, name, url} of a category. */
cJSON *page_category_json(const struct db_category *c);
/* {id, title, url, date, summary, category} of an article in a list. */
cJSON *page_list_item(struct arena *a, const struct db_article *art);
/*
 * Adds the string s to o under key, copying neither (cJSON_AddStringToObject
 * copies both; a list page adds hundreds). key must be a string literal and
 * s must live until the page is rendered: in the request's arena, the
 * app's site data, or a literal. NULL adds "".
 */
void page_put_ref(cJSON *o, const char *key, const char *s);
/* An article's path, "/a/ID", written into out; returns out. */
const char *page_article_path(char out[32], long long id);
/* A category's first page, "/c/SLUG/", written into out; returns out. A slug
 * is at most 64 characters (valid_slug); a longer one is cut there. */
#define PAGE_CATEGORY_PATH_MAX 70
const char *page_category_path(char out[PAGE_CATEGORY_PATH_MAX], const char *slug);

/* Handlers (the route table in route.c lists them). */
void page_home(struct app *app, struct http_req *req);
void page_article(struct app *app, struct http_req *req);
void page_healthz(struct app *app, struct http_req *req);
void page_bench_bytes(struct app *app, struct http_req *req);
extern const struct field_spec page_bench_fields[];
void page_category(struct app *app, struct http_req *req);
void page_category_redirect(struct app *app, struct http_req *req);
void page_search(struct app *app, struct http_req *req);
void page_login(struct app *app, struct http_req *req);
void page_editor_home(struct app *app, struct http_req *req);
void page_editor_media(struct app *app, struct http_req *req);
void page_editor_article_new(struct app *app, struct http_req *req);
void page_editor_article_edit(struct app *app, struct http_req *req);
void page_editor_article_delete(struct app *app, struct http_req *req);
void page_logout(struct app *app, struct http_req *req);
void page_feed(struct app *app, struct http_req *req);
void page_category_feed(struct app *app, struct http_req *req);
void page_sitemap(struct app *app, struct http_req *req);

/* The query fields each page accepts. */
extern const struct field_spec page_category_fields[];
extern const struct field_spec page_search_fields[];
extern const struct field_spec page_sitemap_fields[];
extern const struct field_spec page_login_fields[];
extern const struct field_spec page_csrf_form[];
extern const struct field_spec page_article_form[];
extern const struct field_spec page_media_form[];
extern const struct field_spec page_editor_home_fields[];
extern const struct field_spec page_article_query[];

/* Admin pages (admins only) and the own-account page (any editor). */
void page_admin_users(struct app *app, struct http_req *req);
void page_admin_user(struct app *app, struct http_req *req);
void page_admin_categories(struct app *app, struct http_req *req);
void page_admin_category(struct app *app, struct http_req *req);
void page_admin_settings(struct app *app, struct http_req *req);
void page_admin_logo(struct app *app, struct http_req *req);
void page_admin_audit(struct app *app, struct http_req *req);
void page_account(struct app *app, struct http_req *req);
extern const struct field_spec page_saved_query[];
extern const struct field_spec page_user_form[];
extern const struct field_spec page_category_form[];
extern const struct field_spec page_settings_form[];
extern const struct field_spec page_audit_query[];
extern const struct field_spec page_account_form[];

/* Article revisions (page_revisions.c). */
void page_editor_revisions(struct app *app, struct http_req *req);
void page_editor_revision(struct app *app, struct http_req *req);
void page_editor_revision_restore(struct app *app, struct http_req *req);
extern const struct field_spec page_revisions_query[];

/* The review workflow (page_editor_review.c): the queue, its approve and
 * send-back forms, the article form's soft-lock heartbeat, and what the
 * editor menu shows of it (adds reviewer and review_count to page_data's
 * user object). */
void page_editor_review(struct app *app, struct http_req *req);
void page_editor_approve(struct app *app, struct http_req *req);
void page_editor_send_back(struct app *app, struct http_req *req);
void page_editor_lock(struct app *app, struct http_req *req);
void page_editor_nav(struct app *app, struct http_req *req, cJSON *user);
extern const struct field_spec page_review_query[];
extern const struct field_spec page_review_form[];
/* Adds {reviews: [{time, user, action, action_label, comment, publish_at}]}
 * (the article's review steps, newest first) to d, for its history page. */
void page_review_history(struct app *app, struct http_req *req, cJSON *d, long long article_id);
struct db_editor_article;
/* True when the user may see article a (article_may); else answers the
 * error page (403) and returns false. */
bool page_editor_may_view(struct app *app, struct http_req *req, const struct db_editor_article *a);

/* Two-factor login (page_account.c): enrolment and turning it off under My
 * account, and an admin's reset of another user's. */
void page_account_totp(struct app *app, struct http_req *req);
void page_admin_user_totp_reset(struct app *app, struct http_req *req);
extern const struct field_spec page_totp_form[];

#endif
