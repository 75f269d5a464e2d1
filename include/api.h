/*
 * The JSON API handlers (SPEC §4). Each answers through json.h; errors are
 * {"error":{"code","message"}} with the matching status.
 */
#ifndef GAZETTE_API_H
#define GAZETTE_API_H

#include "app.h"

void api_categories(struct app *app, struct http_req *req);
void api_articles(struct app *app, struct http_req *req);
void api_article(struct app *app, struct http_req *req);
void api_search(struct app *app, struct http_req *req);
void api_article_view(struct app *app, struct http_req *req);

void api_session_create(struct app *app, struct http_req *req);
void api_session_get(struct app *app, struct http_req *req);
void api_session_delete(struct app *app, struct http_req *req);
/* The JSON answer for a failed login (401, 429 with Retry-After, 503, 500). */
void api_login_error(struct http_req *req, enum auth_result r, long long retry_after);

void api_article_create(struct app *app, struct http_req *req);
void api_article_update(struct app *app, struct http_req *req);
void api_article_delete(struct app *app, struct http_req *req);
void api_editor_article(struct app *app, struct http_req *req);
void api_editor_articles(struct app *app, struct http_req *req);
void api_preview(struct app *app, struct http_req *req);
/* Review steps (article_step): POST /api/articles/{id}/submit, /approve,
 * /send-back. */
void api_article_submit(struct app *app, struct http_req *req);
void api_article_approve(struct app *app, struct http_req *req);
void api_article_send_back(struct app *app, struct http_req *req);

void api_users(struct app *app, struct http_req *req);
void api_user_create(struct app *app, struct http_req *req);
void api_user_update(struct app *app, struct http_req *req);
void api_category_create(struct app *app, struct http_req *req);
void api_category_update(struct app *app, struct http_req *req);
void api_settings(struct app *app, struct http_req *req);
void api_settings_update(struct app *app, struct http_req *req);
void api_own_password(struct app *app, struct http_req *req);
/* The second factor (api_session.c): the user's own, and an admin's reset. */
void api_totp_get(struct app *app, struct http_req *req);
void api_totp_begin(struct app *app, struct http_req *req);
void api_totp_confirm(struct app *app, struct http_req *req);
void api_totp_disable(struct app *app, struct http_req *req);
void api_user_totp_reset(struct app *app, struct http_req *req);

extern const struct field_spec api_editor_list_fields[];
extern const struct field_spec api_articles_fields[];
extern const struct field_spec api_search_fields[];

#endif
