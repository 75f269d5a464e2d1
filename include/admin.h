/*
 * What admins change from the web: users, categories and settings. Shared
 * by the JSON API and the admin pages, like article.h for articles. Each
 * function validates, writes in one transaction with an audit entry, and
 * returns an HTTP status (422 with *err naming the field).
 */
#ifndef GAZETTE_ADMIN_H
#define GAZETTE_ADMIN_H

#include "app.h"
#include "article.h"

struct admin_user_input {
	const char *username;     /* create only */
	const char *role;         /* NULL: keep */
	const char *display_name; /* NULL: keep */
	const char *password;     /* NULL: keep; set: revokes the user's sessions */
	int disabled;             /* -1: keep, 0/1: enable/disable (disable revokes) */
	/* Per-category rights (article_rights.h): when set_categories, the
	 * category ids the user may work in (none: every category). */
	bool set_categories;
	const long long *categories;
	size_t ncategories;
};

/* Creates (id 0; *new_id set) or changes user id. 201/200/404/409 (name
 * taken)/422 (also: a category id that names none)/503/500. */
int admin_user_save(struct app *app, struct http_req *req, long long id,
		    const struct admin_user_input *in, long long *new_id, struct article_error *err);

/* Creates (id 0) or changes category id: slug (create only), name, parent
 * slug ("" or NULL: top level), position. 201/200/404/409/422/503/500. */
int admin_category_save(struct app *app, struct http_req *req, long long id, const char *slug,
			const char *name, const char *parent, long long position, long long *new_id,
			struct article_error *err);

/* Sets one site setting after settings_check. 200/422/503/500. */
int admin_setting_set(struct app *app, struct http_req *req, const char *key, const char *value,
		      struct article_error *err);

/* Changes the request user's own password after checking the current one;
 * revokes their other sessions. 200/403 (wrong current)/422/503/500. */
int admin_own_password(struct app *app, struct http_req *req, const char *current,
		       const char *password, struct article_error *err);

#endif
