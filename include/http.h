/*
 * The request and response module: the only code that reads the CGI/FastCGI
 * environment, the query string and request headers, and the only code that
 * writes the response. Handlers see a struct http_req whose inputs have been
 * decoded and validated, and produce output through http_header() and the
 * body buffer; http_finish() sends it all at once.
 */
#ifndef GAZETTE_HTTP_H
#define GAZETTE_HTTP_H

#include "arena.h"
#include "auth.h"
#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
	HTTP_OTHER = 1 << 7,
};

/* Where a request comes from and its response goes: a FastCGI request or a
 * plain CGI process. */
struct http_io {
	char **envp;
	int (*read)(void *ctx, char *dst, int n);        /* bytes read, 0 at end, <0 error */
	int (*write)(void *ctx, const char *src, int n); /* n on success, <0 error */
	void *ctx;
};

/* Kinds of declared input fields (query string now, forms later). */
enum field_kind {
	FIELD_INT,  /* decimal integer within [min, max] */
	FIELD_LINE, /* one line of UTF-8 text, at most max characters */
	FIELD_TEXT, /* multi-line UTF-8 text, at most max characters */
	FIELD_SLUG, /* valid_slug() */
};

/* One accepted field of a route: name, kind and bounds. A route lists its
 * fields; the parser keeps only those, validated. */
struct field_spec {
	const char *name;
	enum field_kind kind;
	long long min, max; /* FIELD_INT: value range; text kinds: max = characters */
};

struct multipart_part;

struct field_value {
	const struct field_spec *spec;
	const char *text; /* decoded text */
	long long num;    /* FIELD_INT */
};

enum { HTTP_MAX_FIELDS = 16 };

struct http_req {
	struct arena *arena; /* owns every string below for this request */
	unsigned long id;    /* request number within this process, for logs */
	struct http_io *io;

	/* Request line and headers, validated. */
	enum http_method method;
	const char *base;        /* the mount point: "" at the site root, else "/news" */
	const char *path;        /* decoded path below the mount point, starts with '/' */
	const char *query;       /* raw query string, "" if none */
	const char *remote_addr; /* "" if unknown */
	const char *if_none_match;
	bool https;
	/* The configured public URL (settings: base_url), or NULL: when set,
	 * http_base_url answers it instead of one built from Host. */
	const char *base_url;

	/* Route captures ({id} and {slug} in a route pattern). */
	long long arg_id;
	const char *arg_slug;

	/* Declared fields that were present and valid. */
	struct field_value fields[HTTP_MAX_FIELDS];
	size_t nfields;
	const char *bad_field; /* the declared field that failed validation, if any */
	/* A multipart/form-data body's parts (files included), when the front
	 * line parsed one; its text parts that are declared are in fields. */
	const struct multipart_part *parts;
	size_t nparts;

	/* The editor behind the request's session cookie (front line fills
	 * it), and that session's CSRF token; NULL for visitors. */
	const struct auth_user *user;
	const char *csrf_token;
	long long session_id;

	/* Response. */
	int status;          /* 200 until set */
	struct buf *headers; /* "Name: value\r\n" lines, without status */
	struct buf *body;
	const char *content_type;
	bool cacheable; /* public GET/HEAD page: add ETag + Cache-Control and answer 304 */
	bool finished;
};

/*
 * Fills req from io's environment. Returns 0, or the 4xx status to answer
 * when the request line itself is unusable (400 for a path that is not valid
 * UTF-8 or holds control characters, 414 for an over-long URI). headers and
 * body are caller-owned buffers, reset here.
 */
int http_req_init(struct http_req *req, struct http_io *io, struct arena *arena,
		  struct buf *headers, struct buf *body, unsigned long id);

/* The value of a CGI variable (e.g. "HTTP_USER_AGENT"), or NULL. */
const char *http_env(const struct http_req *req, const char *name);

/*
 * Parses the query string keeping only the fields listed in specs (NULL-name
 * terminated). Returns 0 or 400 when a listed field is malformed (bad
 * escape, invalid UTF-8, out of range) or the query string is. Unlisted
 * fields are ignored.
 */
int http_parse_query(struct http_req *req, const struct field_spec *specs);
/*
 * Reads the whole request body (CONTENT_LENGTH bytes) into the arena.
 * Returns 0 with *body NUL-terminated, 413 when it is longer than max
 * (nothing is read), or 400 when the length is malformed or the body ends
 * early.
 */
int http_read_body(struct http_req *req, size_t max, const char **body, size_t *len);
/* CONTENT_TYPE, "" when absent. */
const char *http_content_type(const struct http_req *req);
/* True when the media type is mime (parameters such as charset ignored). */
bool http_content_type_is(const struct http_req *req, const char *mime);
/* Reads an application/x-www-form-urlencoded body of at most max bytes and
 * parses its declared fields like http_parse_query (FIELD_TEXT fields may
 * hold line breaks, as LF). Returns 0, 400, 413 or 415 (another type). */
int http_parse_form(struct http_req *req, const struct field_spec *specs, size_t max);
/* Reads a multipart/form-data body of at most max bytes: every part into
 * req->parts, and the declared text fields among them into req->fields as
 * http_parse_form does. Returns 0, 400, 413 or 415. */
int http_parse_multipart(struct http_req *req, const struct field_spec *specs, size_t max);

/* The value of cookie name, or NULL (absent or not a clean single line). */
const char *http_cookie(const struct http_req *req, const char *name);

/* A parsed field's text, "" when absent. */
const char *http_text(const struct http_req *req, const char *name);
/* A parsed field, or NULL when absent. */
const struct field_value *http_field(const struct http_req *req, const char *name);

/*
 * Adds a response header. Refuses (returns -1, logs) a name that is not a
 * token, a value with CR, LF or other control bytes, and any call after
 * http_finish(): a header can never split the response.
 */
int http_header(struct http_req *req, const char *name, const char *value);

/*
 * Sends status, headers (with the security headers every response carries,
 * Content-Type, Content-Length, and for cacheable pages ETag and
 * Cache-Control) and the body (none for HEAD or 304). A cacheable 200 whose
 * ETag matches If-None-Match becomes 304. Returns 0, or -1 when the client
 * went away.
 */
int http_finish(struct http_req *req);

/*
 * The site's absolute base URL without a trailing slash, mount point included
 * ("https://www.example.edu/news"),
 * for feeds and sitemaps: req->base_url when configured; else scheme from
 * HTTPS, host from the Host header when it is a plain host[:port], else
 * SERVER_NAME[:SERVER_PORT]. In the arena (or req->base_url itself).
 */
const char *http_base_url(struct http_req *req);

/* The reason phrase of a status code ("Not Found"). */
const char *http_reason(int status);
/* HTTP_GET … from a method name; HTTP_OTHER for anything else. */
enum http_method http_method_parse(const char *name);
/* "GET, HEAD, POST" for a method mask, in the arena. */
const char *http_allow(struct arena *a, unsigned mask);

#endif
