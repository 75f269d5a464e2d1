/*
 * The routing table: every path Gazette answers, with its methods, handler,
 * accepted query fields and flags, in one place (route.c). app_handle()
 * enforces the table before any handler runs.
 */
#ifndef GAZETTE_ROUTE_H
#define GAZETTE_ROUTE_H

#include "http.h"

struct app;

typedef void (*route_fn)(struct app *app, struct http_req *req);

enum route_flags {
	ROUTE_PUBLIC_PAGE = 1, /* cacheable public page: ETag, Cache-Control, 304 */
	ROUTE_NO_SCHEMA = 2,   /* answers even when the schema is not the code's */
	ROUTE_SESSION = 4,     /* look up the session cookie (req->user may stay NULL) */
	ROUTE_AUTH = 8 | 4,    /* needs a live session: else 401 */
	ROUTE_CSRF = 16,       /* needs the session's CSRF token (header or form field): else 403 */
	ROUTE_ADMIN = 32 | 8 | 4, /* needs role admin: else 403 */
	ROUTE_WRITE = ROUTE_AUTH | ROUTE_CSRF, /* an editor's state-changing request */
	/* needs neither settings, labels nor menu: the site data is not brought
	 * up to date first (a view count: one PRAGMA and its locks fewer) */
	ROUTE_NO_SITE = 64,
};

struct route {
	const char *pattern; /* "/a/{id}": literal segments, {id} (integer), {slug} */
	unsigned methods;    /* HTTP_GET also allows HEAD */
	route_fn fn;
	unsigned flags;
	const struct field_spec *fields; /* accepted query fields, or NULL */
	const struct field_spec *form;   /* accepted urlencoded form fields (POST), or NULL */
};

/*
 * Finds the route for req->path and fills req->arg_id / arg_slug. Returns
 * the route, or NULL with *allowed = 0 when no pattern matches (404), or
 * *allowed = the methods the path accepts when only the method is wrong
 * (405).
 */
const struct route *route_match(struct http_req *req, unsigned *allowed);

/* The whole table, ending with a zero entry (for tests and documentation). */
extern const struct route route_table[];

#endif
