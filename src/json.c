/* JSON response writer. */
#include "json.h"
#include "arena.h"
#include "log.h"
#include "valid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* JSON's escapes, and <, >, & and / escaped too, so that no answer can be
 * read as markup or close a script element by a browser that sniffs. */
static void put_string(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	const unsigned char *p = (const unsigned char *)s, *run = p;
	for (;; p++) {
		unsigned char c = *p;
		if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' &&
		    c != '/')
			continue;
		buf_put(b, (const char *)run, (size_t)(p - run));
		run = p + 1;
		if (c == '\0')
			break;
		char esc[8];
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '/': buf_puts(b, "\\/"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\b': buf_puts(b, "\\b"); break;
		case '\f': buf_puts(b, "\\f"); break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", c);
			buf_puts(b, esc);
		}
	}
	buf_putc(b, '"');
}

static void put_number(struct buf *b, double d)
{
	if (isfinite(d))
		buf_number(b, d);
	else
		buf_puts(b, "null"); /* as cJSON prints them */
}

static void put_value(struct buf *b, const cJSON *v)
{
	if (cJSON_IsFalse(v)) {
		buf_puts(b, "false");
	} else if (cJSON_IsTrue(v)) {
		buf_puts(b, "true");
	} else if (cJSON_IsNumber(v)) {
		put_number(b, v->valuedouble);
	} else if (cJSON_IsString(v)) {
		put_string(b, v->valuestring ? v->valuestring : "");
	} else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		int object = cJSON_IsObject(v);
		buf_putc(b, object ? '{' : '[');
		for (const cJSON *c = v->child; c; c = c->next) {
			if (c != v->child)
				buf_putc(b, ',');
			if (object) {
				put_string(b, c->string ? c->string : "");
				buf_putc(b, ':');
			}
			put_value(b, c);
		}
		buf_putc(b, object ? '}' : ']');
	} else {
		buf_puts(b, "null");
	}
}

void json_write(struct buf *out, const cJSON *v)
{
	put_value(out, v);
}

static struct arena *json_arena; /* NULL: cJSON uses malloc */

static void *arena_hook_alloc(size_t n)
{
	return arena_alloc(json_arena, n);
}

static void arena_hook_free(void *p)
{
	(void)p;
}

void json_use_arena(struct arena *a)
{
	json_arena = a;
	cJSON_Hooks hooks = {arena_hook_alloc, arena_hook_free};
	cJSON_InitHooks(a ? &hooks : NULL);
}

struct arena *json_arena_now(void)
{
	return json_arena;
}

void json_free(cJSON *doc)
{
	if (!json_arena)
		cJSON_Delete(doc);
}

void json_send(struct http_req *req, int status, cJSON *body)
{
	buf_reset(req->body);
	req->status = status;
	req->content_type = "application/json; charset=utf-8";
	json_write(req->body, body);
	json_free(body);
}

void json_error(struct http_req *req, int status, const char *code, const char *message,
		const char *field)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", message);
	if (field) {
		cJSON *fields = cJSON_AddArrayToObject(err, "fields");
		cJSON_AddItemToArray(fields, cJSON_CreateString(field));
	}
	req->cacheable = false;
	json_send(req, status, root);
}

void json_error_status(struct http_req *req, int status)
{
	static const struct {
		int status;
		const char *code, *message;
	} kinds[] = {
		{400, "bad_request", "the request could not be understood"},
		{401, "unauthorized", "log in first"},
		{403, "forbidden", "not allowed"},
		{404, "not_found", "no such resource"},
		{405, "method_not_allowed", "method not allowed here"},
		{409, "conflict", "the resource changed meanwhile"},
		{413, "too_large", "the request body is too large"},
		{414, "uri_too_long", "the address is too long"},
		{415, "unsupported_media_type", "unsupported content type"},
		{422, "invalid", "a field is invalid"},
		{429, "too_many_requests", "too many attempts; try again later"},
		{503, "unavailable", "the service is busy or under maintenance; try again shortly"},
	};
	/* Busy is passing: say when to come back. */
	if (status == 503 && !strstr(buf_cstr(req->headers), "Retry-After:"))
		http_header(req, "Retry-After", "2");
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (kinds[i].status == status) {
			json_error(req, status, kinds[i].code, kinds[i].message, NULL);
			return;
		}
	}
	json_error(req, 500, "internal", "internal error", NULL);
}

const char *json_time(struct arena *a, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[40];
	if (!localtime_r(&tt, &tm) || !strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm))
		return "";
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	return arena_printf(a, "%s%c%02ld:%02ld", s, sign, off / 3600, (off % 3600) / 60);
}

/*
 * True when a JSON text holds the escape \u0000 inside a string. cJSON
 * decodes it into a NUL that ends the C string there, so {"title":
 * "Plain\u0000rest"} was stored as "Plain" and answered 200 (probe_test):
 * a NUL is refused here as everywhere else (SPEC §7).
 */
static bool has_nul_escape(const char *s, size_t len)
{
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		if (!in_string) {
			in_string = s[i] == '"';
		} else if (s[i] == '"') {
			in_string = false;
		} else if (s[i] == '\\' && i + 1 < len) {
			if (s[i + 1] == 'u' && len - i >= 6 && !memcmp(s + i + 2, "0000", 4))
				return true;
			i++; /* the escaped character: \\ and \" are skipped whole */
		}
	}
	return false;
}

int json_read_body(struct http_req *req, size_t max, cJSON **out)
{
	*out = NULL;
	if (!http_content_type_is(req, "application/json")) {
		json_error(req, 415, "unsupported_media_type", "send application/json", NULL);
		return 415;
	}
	const char *body;
	size_t len;
	int rc = http_read_body(req, max, &body, &len);
	if (rc) {
		json_error_status(req, rc);
		return rc;
	}
	/* cJSON stops at a NUL; text must be UTF-8 like every input. */
	cJSON *doc = valid_utf8(body, len) && !has_nul_escape(body, len)
	                 ? cJSON_ParseWithLength(body, len)
	                 : NULL;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		json_error(req, 400, "bad_json", "the body is not a JSON object", NULL);
		return 400;
	}
	*out = doc;
	return 0;
}
