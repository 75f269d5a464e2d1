/*
 * libFuzzer harness for the request line: http_req_init over a CGI
 * environment made from the input, then the router (route_match) and the
 * matched route's query fields. No handler runs.
 *
 * The first two bytes say which variables are set; the rest, split at NUL
 * bytes (which no environment value can hold), gives their values in the
 * order of vars[] below. Checks what the handlers rely on: a path that
 * starts with '/' and is one clean line, a mount point safe to print into
 * links, a route whose pattern filled with the captured {id} and {slug}
 * spells the path exactly, a 405's method really refused, valid fields,
 * and an absolute base URL without markup.
 */
#include "fuzz_http.h"
#include "route.h"

#include <stdbool.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const vars[] = {
    "REQUEST_METHOD", "PATH_INFO",    "REQUEST_URI", "QUERY_STRING",
    "SCRIPT_NAME",    "DOCUMENT_URI", "HTTP_HOST",   "HTTP_IF_NONE_MATCH",
    "HTTPS",          "SERVER_NAME",  "SERVER_PORT", "REMOTE_ADDR",
};

/* pattern with {id} and {slug} replaced by what route_match captured. */
static void spell(struct buf *out, const char *pattern, const struct http_req *req)
{
	for (const char *p = pattern; *p;) {
		if (!strncmp(p, "{id}", 4)) {
			buf_printf(out, "%lld", req->arg_id);
			p += 4;
		} else if (!strncmp(p, "{slug}", 6)) {
			buf_puts(out, req->arg_slug ? req->arg_slug : "(none)");
			p += 6;
		} else {
			buf_putc(out, *p++);
		}
	}
}

static void check_route(struct http_req *req)
{
	unsigned allowed;
	const struct route *r = route_match(req, &allowed);
	if (!r) {
		if (allowed & req->method)
			abort(); /* a 405 that names the method it refused */
		return;
	}
	unsigned methods = r->methods | (r->methods & HTTP_GET ? HTTP_HEAD : 0);
	if (!(methods & req->method))
		abort();
	if (strstr(r->pattern, "{id}") && (req->arg_id < 1 || req->arg_id > 9007199254740991LL))
		abort();
	if (strstr(r->pattern, "{slug}") && !valid_slug(req->arg_slug))
		abort();
	struct buf b = BUF_INIT;
	spell(&b, r->pattern, req);
	if (strcmp(buf_cstr(&b), req->path) != 0)
		abort();
	buf_free(&b);
	if (r->fields) {
		int rc = http_parse_query(req, r->fields);
		if (rc != 0 && rc != 400)
			abort();
		if (rc == 0)
			fuzz_check_fields(req, r->fields);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned present = data[0] | (unsigned)data[1] << 8;
	data += 2;
	size -= 2;

	struct fuzz_req f;
	fuzz_req_begin(&f, NULL, 0, 0);
	const uint8_t *p = data, *end = data + size;
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		if (!(present & (1u << i)))
			continue;
		const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
		fuzz_req_env(&f, vars[i], p, len);
		p += len + (nul ? 1 : 0);
	}
	int rc = fuzz_req_init(&f);
	if (rc != 0 && rc != 400 && rc != 414)
		abort();
	if (rc == 0) {
		struct http_req *req = &f.req;
		if (req->path[0] != '/' || !valid_line(req->path, 4096) ||
		    strlen(req->query) > 4096)
			abort();
		size_t bn = strlen(req->base);
		if (bn && (req->base[0] != '/' || req->base[bn - 1] == '/' ||
		           strpbrk(req->base, "\"<>'` ?#%") || !valid_line(req->base, 255)))
			abort();
		check_route(req);
		const char *url = http_base_url(req);
		if ((strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) ||
		    !valid_line(url, 1024) || strpbrk(url, "\"<>'` "))
			abort();
	}
	fuzz_req_end(&f);
	return 0;
}
