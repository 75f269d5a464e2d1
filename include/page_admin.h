/*
 * What the admin pages (users, categories, settings, audit log) and the
 * own-account page share: reading declared form fields, the redirect after
 * a successful POST, errors shown next to their fields, and rendering
 * with a status. Handlers are declared in page.h.
 */
#ifndef GAZETTE_PAGE_ADMIN_H
#define GAZETTE_PAGE_ADMIN_H

#include "article.h"
#include "page.h"


/* Answers 303 to base + path (a path below the mount point, "/editor/…"). */

/* Adds {notice: "Saved."} to d when the query says saved=1 (after a
 * redirect from a successful POST). */
void page_admin_notice(struct app *app, const struct http_req *req, cJSON *d);

/* Adds {errors: {field: message}, error_summary} to d for a refused save. */
void page_admin_error(struct app *app, cJSON *d, const char *field, const char *message);

/* Renders template name with d (which it deletes) as a private page with
 * this status; a template failure stays a 500. */
void page_admin_show(struct app *app, struct http_req *req, const char *name, cJSON *d, int status);

/* Overwrites a password field's value in place once it has been used, so
 * it does not linger in the arena. */
void page_admin_wipe(const struct http_req *req, const char *name);

/* An {value, label, selected} option for a <select>, appended to list. */
void page_admin_option(cJSON *list, const char *value, const char *label, bool selected);

#endif
