/*
 * JSON responses. Bodies are built with cJSON and sent through json_send(),
 * which makes the text safe to embed: '<', '>', '&' and '/' are written as
 * escapes, so the bytes "</script>" can never appear in a response.
 */
#ifndef GAZETTE_JSON_H
#define GAZETTE_JSON_H

#include "http.h"

#include <cjson/cJSON.h>

/*
 * cJSON's memory. A request builds hundreds of small cJSON nodes and throws
 * them all away: inside app_handle they come from the request's arena
 * (json_use_arena), so freeing them is a no-op and arena_reset frees them at
 * once; profiling showed this halves the cost of a list page. Data that
 * outlives a request (the site data) is built with malloc: json_use_arena(NULL).
 */
void json_use_arena(struct arena *a);
/* The arena cJSON draws from now, or NULL for malloc. */
struct arena *json_arena_now(void);
/* Frees a document: cJSON_Delete under malloc; nothing to do (not even the
 * walk) under an arena. */
void json_free(cJSON *doc);

/* Serializes body (and frees it) as the response with status. */
void json_send(struct http_req *req, int status, cJSON *body);
/* Appends v as JSON text, escaped as above. Integers print as integers. */
void json_write(struct buf *out, const cJSON *v);
/* {"error":{"code":code,"message":message}} with status; field, when not
 * NULL, is listed as {"fields":[field]} (422 validation errors). */
void json_error(struct http_req *req, int status, const char *code, const char *message,
		const char *field);
/* The standard error for an HTTP status (404 → not_found …). */
void json_error_status(struct http_req *req, int status);
/*
 * Reads a JSON request body of at most max bytes into *out (free with
 * cJSON_Delete). Returns 0, 415 when the body is not application/json, 413
 * when too large, 400 when it does not parse or is not an object (and
 * answers the error itself unless it returns 0).
 */
int json_read_body(struct http_req *req, size_t max, cJSON **out);

/* "2026-11-26T18:00:00+08:00": t in the site's time zone, in the arena. */
const char *json_time(struct arena *a, long long t);

#endif
