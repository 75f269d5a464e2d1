/* Request input from the CGI environment and buffered response output. */
#include "http.h"
#include "log.h"
#include "multipart.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>
#if defined(__x86_64__) || defined(__i386__)
/* XXH3_64bits becomes libxxhash's dispatcher, which picks the widest vector
 * unit the CPU has (AVX2 here: a 9.5 KB page hashed in 3.4 k instructions,
 * not 10.8 k with the library's SSE2 default). Same hash values. */
#include <xxh_x86dispatch.h>
#endif

enum {
	MAX_URI = 4096,   /* longer paths or query strings get 414 */
	MAX_HEADER = 8192 /* request header values we read are capped */
};

const char *http_env(const struct http_req *req, const char *name)
{
	size_t n = strlen(name);
	/* The first byte before strncmp: a request looks up a dozen names
	 * among thirty-odd parameters. */
	for (char **e = req->io->envp; e && *e; e++)
		if ((*e)[0] == name[0] && strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

enum http_method http_method_parse(const char *name)
{
	static const struct {
		const char *name;
		enum http_method m;
	} methods[] = {
		{"GET", HTTP_GET},       {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
		{"PUT", HTTP_PUT},       {"PATCH", HTTP_PATCH},   {"DELETE", HTTP_DELETE},
		{"OPTIONS", HTTP_OPTIONS},
	};
	for (size_t i = 0; name && i < sizeof methods / sizeof methods[0]; i++)
		if (!strcmp(name, methods[i].name))
			return methods[i].m;
	return HTTP_OTHER;
}

const char *http_allow(struct arena *a, unsigned mask)
{
	static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
					    "OPTIONS"};
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (mask & (1u << i)) {
			if (b.len)
				buf_puts(&b, ", ");
			buf_puts(&b, names[i]);
		}
	}
	char *s = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* A header value we keep: capped and free of control characters, else NULL. */
static const char *header_in(struct http_req *req, const char *name)
{
	const char *v = http_env(req, name);
	if (!v || strlen(v) > MAX_HEADER || !valid_line(v, MAX_HEADER))
		return NULL;
	return v;
}

int http_req_init(struct http_req *req, struct http_io *io, struct arena *arena,
		  struct buf *headers, struct buf *body, unsigned long id)
{
	memset(req, 0, sizeof *req);
	req->arena = arena;
	req->io = io;
	req->id = id;
	req->status = 200;
	req->headers = headers;
	req->body = body;
	req->content_type = "text/html; charset=utf-8";
	/* Until the real path has passed its checks. A request refused below
	 * (400 for a path that is not UTF-8, 414 for an over-long query) is
	 * still answered with an error page, and page_error reads the path:
	 * left NULL, it crashed the worker (probe_test). So does the base. */
	req->path = "/";
	req->base = "";
	buf_reset(headers);
	buf_reset(body);

	req->method = http_method_parse(http_env(req, "REQUEST_METHOD"));
	const char *addr = header_in(req, "REMOTE_ADDR");
	req->remote_addr = addr ? addr : "";
	const char *https = http_env(req, "HTTPS");
	req->https = https && (!strcmp(https, "on") || !strcmp(https, "1"));
	req->if_none_match = header_in(req, "HTTP_IF_NONE_MATCH");

	const char *query = http_env(req, "QUERY_STRING");
	if (!query) { /* not a CGI variable we were given: take it from the URI */
		const char *uri = http_env(req, "REQUEST_URI");
		query = uri && strchr(uri, '?') ? strchr(uri, '?') + 1 : "";
	}
	req->query = query;
	if (strlen(req->query) > MAX_URI)
		return 414;

	/* The path below the mount point. Servers hand it over decoded in
	 * PATH_INFO (nginx: $uri, Apache: its own decoding); failing that we
	 * decode the path of REQUEST_URI ourselves. Either way it is checked
	 * here: valid UTF-8, no control characters, no NUL. */
	const char *path = http_env(req, "PATH_INFO");
	if (!path || !*path)
		path = http_env(req, "DOCUMENT_URI");
	if (!path || !*path) {
		const char *uri = http_env(req, "REQUEST_URI");
		if (uri && *uri) {
			size_t n = strcspn(uri, "?");
			if (n > MAX_URI)
				return 414;
			path = valid_pct_decode(arena, uri, n, 0);
			if (!path)
				return 400;
		}
	}
	if (!path || !*path)
		path = "/";
	/* The mount point: SCRIPT_NAME as the server passes it ("" at the
	 * root, "/news" under a prefix). Only a plain path is accepted, since
	 * it is printed into every link. */
	const char *base = http_env(req, "SCRIPT_NAME");
	req->base = "";
	if (base && base[0] == '/' && strlen(base) < 256 && !strpbrk(base, "\"<>'` ?#%") &&
	    valid_line(base, 255)) {
		size_t n = strlen(base);
		while (n > 0 && base[n - 1] == '/')
			n--;
		req->base = arena_strndup(arena, base, n);
	}
	if (strlen(path) > MAX_URI)
		return 414;
	if (path[0] != '/' || !valid_line(path, MAX_URI))
		return 400;
	req->path = path;
	return 0;
}

static const struct field_spec *spec_find(const struct field_spec *specs, const char *name)
{
	for (; specs && specs->name; specs++)
		if (!strcmp(specs->name, name))
			return specs;
	return NULL;
}

/* Validates one decoded value against its spec into fv. */
static bool field_check(const struct field_spec *spec, const char *text, struct field_value *fv)
{
	fv->spec = spec;
	fv->text = text;
	fv->num = 0;
	switch (spec->kind) {
	case FIELD_INT:
		return valid_int(text, spec->min, spec->max, &fv->num);
	case FIELD_LINE:
		return valid_line(text, (size_t)spec->max);
	case FIELD_TEXT:
		return valid_text(text, (size_t)spec->max);
	case FIELD_SLUG:
		return valid_slug(text);
	}
	return false;
}

/* Parses name=value&… pairs of text[0..n) into req->fields, keeping the
 * declared ones. Every pair is decoded, declared or not: malformed input is
 * refused as a whole rather than half-read. */
static int parse_pairs(struct http_req *req, const char *text, size_t n,
		       const struct field_spec *specs)
{
	const char *p = text, *end = text + n;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t len = amp ? (size_t)(amp - p) : (size_t)(end - p);
		const char *eq = memchr(p, '=', len);
		size_t nlen = eq ? (size_t)(eq - p) : len;
		char *name = valid_pct_decode(req->arena, p, nlen, VALID_PLUS_SPACE);
		if (!name)
			return 400;
		const struct field_spec *spec = spec_find(specs, name);
		/* Only multi-line fields may hold line breaks. */
		int flags = VALID_PLUS_SPACE |
			    (!spec || spec->kind == FIELD_TEXT ? VALID_MULTILINE : 0);
		char *value = eq ? valid_pct_decode(req->arena, eq + 1, len - nlen - 1, flags)
				 : arena_strdup(req->arena, "");
		if (!value) {
			req->bad_field = spec ? spec->name : NULL;
			return 400;
		}
		if (spec && !http_field(req, name)) {
			if (req->nfields == HTTP_MAX_FIELDS)
				return 400;
			if (!field_check(spec, value, &req->fields[req->nfields])) {
				req->bad_field = spec->name;
				return 400;
			}
			req->nfields++;
		}
		p += len + (amp ? 1 : 0);
	}
	return 0;
}

int http_parse_query(struct http_req *req, const struct field_spec *specs)
{
	return parse_pairs(req, req->query, strlen(req->query), specs);
}

int http_read_body(struct http_req *req, size_t max, const char **body, size_t *len)
{
	*body = "";
	*len = 0;
	const char *cl = http_env(req, "CONTENT_LENGTH");
	long long n = 0;
	if (cl && *cl && !valid_int(cl, 0, (long long)1 << 40, &n))
		return 400;
	if ((unsigned long long)n > max)
		return 413; /* refused before reading a byte of it */
	char *buf = arena_alloc(req->arena, (size_t)n + 1);
	size_t got = 0;
	while (got < (size_t)n) {
		size_t want = (size_t)n - got;
		int r = req->io->read(req->io->ctx, buf + got, want > (1 << 20) ? (1 << 20) : (int)want);
		if (r <= 0)
			return 400; /* shorter than announced: a broken request */
		got += (size_t)r;
	}
	buf[got] = '\0';
	*body = buf;
	*len = got;
	return 0;
}

const char *http_content_type(const struct http_req *req)
{
	const char *ct = http_env(req, "CONTENT_TYPE");
	return ct ? ct : "";
}

bool http_content_type_is(const struct http_req *req, const char *mime)
{
	const char *ct = http_content_type(req);
	size_t n = strlen(mime);
	return strncasecmp(ct, mime, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int http_parse_form(struct http_req *req, const struct field_spec *specs, size_t max)
{
	if (!http_content_type_is(req, "application/x-www-form-urlencoded"))
		return 415;
	const char *body;
	size_t len;
	int rc = http_read_body(req, max, &body, &len);
	if (rc)
		return rc;
	return parse_pairs(req, body, len, specs);
}

int http_parse_multipart(struct http_req *req, const struct field_spec *specs, size_t max)
{
	const char *body;
	size_t len;
	int rc = http_read_body(req, max, &body, &len);
	if (rc)
		return rc;
	struct multipart_part *parts;
	size_t n;
	rc = multipart_parse(req->arena, http_content_type(req), body, len, &parts, &n);
	if (rc)
		return rc;
	req->parts = parts;
	req->nparts = n;
	for (size_t i = 0; i < n; i++) {
		const struct field_spec *spec = spec_find(specs, parts[i].name);
		if (!spec || parts[i].filename || http_field(req, parts[i].name))
			continue; /* files stay in parts; the first of a name counts */
		if (req->nfields == HTTP_MAX_FIELDS)
			return 400;
		/* A text part is text: checked like a decoded form value. */
		char *value = arena_strndup(req->arena, parts[i].data, parts[i].len);
		if (strlen(value) != parts[i].len || !field_check(spec, value, &req->fields[req->nfields])) {
			req->bad_field = spec->name;
			return 400;
		}
		req->nfields++;
	}
	return 0;
}

const char *http_cookie(const struct http_req *req, const char *name)
{
	const char *c = http_env(req, "HTTP_COOKIE");
	size_t n = strlen(name);
	while (c && *c) {
		c += strspn(c, " \t;");
		size_t len = strcspn(c, ";");
		if (len > n && !strncmp(c, name, n) && c[n] == '=') {
			const char *v = arena_strndup(req->arena, c + n + 1, len - n - 1);
			return valid_line(v, 4096) ? v : NULL;
		}
		c += len;
	}
	return NULL;
}

const char *http_text(const struct http_req *req, const char *name)
{
	const struct field_value *f = http_field(req, name);
	return f ? f->text : "";
}

const struct field_value *http_field(const struct http_req *req, const char *name)
{
	for (size_t i = 0; i < req->nfields; i++)
		if (!strcmp(req->fields[i].spec->name, name))
			return &req->fields[i];
	return NULL;
}

static bool header_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

int http_header(struct http_req *req, const char *name, const char *value)
{
	/* Why: a CR or LF from any input copied into a header would let the
	 * sender add headers or a body of its own (response splitting). */
	if (req->finished || !header_name_ok(name) || !valid_line(value, MAX_HEADER)) {
		log_error("refused response header %s", name);
		return -1;
	}
	buf_puts(req->headers, name);
	buf_put(req->headers, ": ", 2);
	buf_puts(req->headers, value);
	buf_put(req->headers, "\r\n", 2);
	return 0;
}

/* A Host value we are willing to print into links: host name or IPv4/IPv6
 * literal, optional port, nothing else. */
static bool host_ok(const char *h)
{
	if (!h || !*h || strlen(h) > 255)
		return false;
	for (const char *p = h; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

const char *http_base_url(struct http_req *req)
{
	/* The admin's base URL (config.c checked it) beats any request header:
	 * behind proxies and CDNs the Host seen here is often not the public one. */
	if (req->base_url)
		return req->base_url;
	const char *scheme = req->https ? "https" : "http";
	/* Why: a forged Host header would put an attacker's domain into feed
	 * links that caches then keep; only a plain host[:port] is accepted. */
	const char *host = http_env(req, "HTTP_HOST");
	if (host_ok(host))
		return arena_printf(req->arena, "%s://%s%s", scheme, host, req->base);
	const char *name = http_env(req, "SERVER_NAME");
	const char *port = http_env(req, "SERVER_PORT");
	if (!host_ok(name))
		name = "localhost";
	bool default_port = !port || !host_ok(port) || (!req->https && !strcmp(port, "80")) ||
			    (req->https && !strcmp(port, "443"));
	return default_port ? arena_printf(req->arena, "%s://%s%s", scheme, name, req->base)
			    : arena_printf(req->arena, "%s://%s:%s%s", scheme, name, port, req->base);
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/* Does an If-None-Match list name etag (or "*")? */
static bool etag_matches(const char *list, const char *etag)
{
	if (!list)
		return false;
	size_t n = strlen(etag);
	for (const char *p = list; *p;) {
		p += strspn(p, " \t,");
		if (*p == '*')
			return true;
		if (!strncmp(p, "W/", 2))
			p += 2;
		/* our etag is weak; compare the quoted opaque part */
		if (!strncmp(p, etag + 2, n - 2) && (p[n - 2] == '\0' || p[n - 2] == ',' ||
						     p[n - 2] == ' ' || p[n - 2] == '\t'))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

static int send_all(struct http_req *req, const char *s, size_t n)
{
	while (n > 0) {
		int chunk = n > (1 << 30) ? (1 << 30) : (int)n;
		if (req->io->write(req->io->ctx, s, chunk) != chunk)
			return -1;
		s += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

int http_finish(struct http_req *req)
{
	if (req->finished)
		return 0;
	struct buf head = BUF_INIT;
	int status = req->status;

	if (req->cacheable && status == 200) {
		/* A weak validator from the body's hash: equal bytes, equal tag.
		 * It guards no secret, so the hash is xxHash's XXH3 (Debian
		 * libxxhash): SipHash was a tenth of an article page's
		 * instructions (24 k of 222 k). */
		char etag[] = "W/\"0123456789abcdef\"";
		unsigned long long h = XXH3_64bits(req->body->data, req->body->len);
		for (int i = 18; i >= 3; i--, h >>= 4)
			etag[i] = "0123456789abcdef"[h & 15];
		http_header(req, "ETag", etag);
		/* Browsers revalidate every time (cheap 304s); a shared cache or CDN
		 * in front may keep the page 10 seconds. */
		http_header(req, "Cache-Control", "public, max-age=0, s-maxage=10, must-revalidate");
		if (etag_matches(req->if_none_match, etag))
			status = 304;
	} else if (!strstr(buf_cstr(req->headers), "Cache-Control:")) {
		http_header(req, "Cache-Control", "no-store");
	}

	/* Put together without printf, which was half of this function. */
	buf_puts(&head, "Status: ");
	buf_int(&head, status);
	buf_putc(&head, ' ');
	buf_puts(&head, http_reason(status));
	buf_put(&head, "\r\n", 2);
	/* The security headers, in this one place for every response. */
	buf_puts(&head, "X-Content-Type-Options: nosniff\r\n"
			"Referrer-Policy: strict-origin-when-cross-origin\r\n"
			"X-Frame-Options: DENY\r\n"
			"Content-Security-Policy: default-src 'self'; img-src 'self' https: data:; "
			"style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
			"form-action 'self'; frame-ancestors 'none'\r\n");
	bool has_body = status != 304 && status != 204;
	if (has_body) {
		buf_puts(&head, "Content-Type: ");
		buf_puts(&head, req->content_type);
		buf_puts(&head, "\r\nContent-Length: ");
		buf_int(&head, (long long)req->body->len);
		buf_put(&head, "\r\n", 2);
	}
	buf_put(&head, req->headers->data, req->headers->len);
	buf_puts(&head, "\r\n");
	req->finished = true;

	int rc = send_all(req, head.data, head.len);
	if (rc == 0 && has_body && req->method != HTTP_HEAD)
		rc = send_all(req, req->body->data, req->body->len);
	buf_free(&head);
	return rc;
}
