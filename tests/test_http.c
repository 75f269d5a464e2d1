/* The request/response module and the route matcher, driven through a fake
 * CGI environment and an in-memory output. */
#include "check.h"
#include "http.h"
#include "route.h"

#include <stdio.h>
#include <string.h>
#include <xxhash.h>

static struct buf sent;

static int out_write(void *ctx, const char *src, int n)
{
	buf_put(&sent, src, (size_t)n);
	return n;
}

static int in_read(void *ctx, char *dst, int n)
{
	return 0;
}

struct fixture {
	struct arena arena;
	struct buf headers, body;
	struct http_io io;
	struct http_req req;
};

static int start(struct fixture *f, char **env)
{
	memset(f, 0, sizeof *f);
	f->io = (struct http_io){env, in_read, out_write, NULL};
	buf_reset(&sent);
	return http_req_init(&f->req, &f->io, &f->arena, &f->headers, &f->body, 1);
}

static void finish(struct fixture *f)
{
	buf_free(&f->headers);
	buf_free(&f->body);
	arena_free(&f->arena);
}

static void test_bad_paths(void)
{
	struct fixture f;
	char *ctl[] = {"REQUEST_METHOD=GET", "PATH_INFO=/a/1\r\nX: y", NULL};
	CHECK(start(&f, ctl) == 400);
	finish(&f);
	char *utf[] = {"REQUEST_METHOD=GET", "PATH_INFO=/\xC3\x28", NULL};
	CHECK(start(&f, utf) == 400);
	finish(&f);
	char *esc[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/a/%zz?x=1", NULL};
	CHECK(start(&f, esc) == 400);
	finish(&f);
	char *nul[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/a/%00", NULL};
	CHECK(start(&f, nul) == 400);
	finish(&f);
	char *rel[] = {"REQUEST_METHOD=GET", "PATH_INFO=a/1", NULL};
	CHECK(start(&f, rel) == 400);
	finish(&f);
	static char longq[5000 + 16];
	memset(longq, 'a', sizeof longq - 1);
	memcpy(longq, "QUERY_STRING=", 13);
	char *lq[] = {"REQUEST_METHOD=GET", "PATH_INFO=/", longq, NULL};
	CHECK(start(&f, lq) == 414);
	finish(&f);
}

static void test_path_sources(void)
{
	struct fixture f;
	char *uri[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/a/%E4%B8%AD?q=1", NULL};
	CHECK(start(&f, uri) == 0);
	CHECK_STR(f.req.path, "/a/中");
	CHECK_STR(f.req.query, "q=1");
	finish(&f);
	char *none[] = {"REQUEST_METHOD=HEAD", NULL};
	CHECK(start(&f, none) == 0);
	CHECK_STR(f.req.path, "/");
	CHECK(f.req.method == HTTP_HEAD);
	finish(&f);
	char *odd[] = {"REQUEST_METHOD=BREW", "PATH_INFO=/", NULL};
	CHECK(start(&f, odd) == 0);
	CHECK(f.req.method == HTTP_OTHER);
	finish(&f);
}

static const struct field_spec fields[] = {
	{"page", FIELD_INT, 1, 1000},
	{"q", FIELD_LINE, 0, 10},
	{"c", FIELD_SLUG, 0, 0},
	{NULL, 0, 0, 0},
};

static int query(const char *qs, struct fixture *f)
{
	static char qbuf[256];
	snprintf(qbuf, sizeof qbuf, "QUERY_STRING=%s", qs);
	static char *env[4];
	env[0] = "REQUEST_METHOD=GET";
	env[1] = "PATH_INFO=/";
	env[2] = qbuf;
	env[3] = NULL;
	if (start(f, env) != 0)
		return -1;
	return http_parse_query(&f->req, fields);
}

static void test_query(void)
{
	struct fixture f;
	CHECK(query("page=3&q=caf%C3%A9+bar&c=news&other=%E4%B8%AD", &f) == 0);
	CHECK(http_field(&f.req, "page") && http_field(&f.req, "page")->num == 3);
	CHECK_STR(http_field(&f.req, "q")->text, "café bar");
	CHECK_STR(http_field(&f.req, "c")->text, "news");
	CHECK(http_field(&f.req, "other") == NULL); /* undeclared fields are dropped */
	finish(&f);
	CHECK(query("page=0", &f) == 400);
	finish(&f);
	CHECK(query("page=1001", &f) == 400);
	finish(&f);
	CHECK(query("page=abc", &f) == 400);
	finish(&f);
	CHECK(query("page=-1", &f) == 400);
	finish(&f);
	CHECK(query("q=%zz", &f) == 400);
	finish(&f);
	CHECK(query("unknown=%zz", &f) == 400); /* malformed anywhere: refused */
	finish(&f);
	CHECK(query("q=%0Ahello", &f) == 400);
	finish(&f);
	CHECK(query("q=%C3%28", &f) == 400);
	finish(&f);
	CHECK(query("q=12345678901", &f) == 400); /* 11 characters, max 10 */
	finish(&f);
	CHECK(query("q=%E4%B8%AD%E6%96%87%E6%90%9C%E7%B4%A2%E6%B5%8B%E8%AF%95%E5%95%8A", &f) == 0);
	finish(&f); /* 10 Chinese characters are 10, not 30 */
	CHECK(query("c=Bad_Slug", &f) == 400);
	finish(&f);
	CHECK(query("page=2&page=3", &f) == 0);
	CHECK(http_field(&f.req, "page")->num == 2); /* the first one counts */
	finish(&f);
	CHECK(query("&&page&=", &f) == 400); /* "page" present but empty: not an int */
	finish(&f);
	CHECK(query("&&x&=", &f) == 0);
	finish(&f);
}

static void test_headers_and_finish(void)
{
	struct fixture f;
	char *env[] = {"REQUEST_METHOD=GET", "PATH_INFO=/", NULL};
	CHECK(start(&f, env) == 0);
	CHECK(http_header(&f.req, "X-Test", "fine") == 0);
	CHECK(http_header(&f.req, "X-Split", "a\r\nSet-Cookie: evil=1") == -1);
	CHECK(http_header(&f.req, "X-Lf", "a\nb") == -1);
	CHECK(http_header(&f.req, "Bad Name", "x") == -1);
	CHECK(http_header(&f.req, "X:Colon", "x") == -1);
	buf_puts(f.req.body, "<p>hello</p>");
	f.req.cacheable = true;
	CHECK(http_finish(&f.req) == 0);
	const char *out = buf_cstr(&sent);
	CHECK(strncmp(out, "Status: 200 OK\r\n", 16) == 0);
	CHECK(strstr(out, "X-Test: fine\r\n") != NULL);
	CHECK(strstr(out, "evil") == NULL);
	CHECK(strstr(out, "X-Content-Type-Options: nosniff\r\n") != NULL);
	CHECK(strstr(out, "frame-ancestors 'none'") != NULL);
	CHECK(strstr(out, "Content-Length: 12\r\n") != NULL);
	CHECK(strstr(out, "\r\n\r\n<p>hello</p>") != NULL);
	CHECK(http_header(&f.req, "X-Late", "x") == -1); /* after the response went out */
	const char *etag = strstr(out, "ETag: ");
	CHECK(etag != NULL);
	char tag[80] = "";
	if (etag)
		sscanf(etag + 6, "%79[^\r]", tag);
	char want[80];
	snprintf(want, sizeof want, "W/\"%016llx\"",
		 (unsigned long long)XXH3_64bits("<p>hello</p>", 12));
	CHECK_STR(tag, want);
	finish(&f);

	/* The same body with a matching If-None-Match is a 304 without body. */
	char inm[120];
	snprintf(inm, sizeof inm, "HTTP_IF_NONE_MATCH=%s", tag);
	char *env2[] = {"REQUEST_METHOD=GET", "PATH_INFO=/", inm, NULL};
	CHECK(start(&f, env2) == 0);
	buf_puts(f.req.body, "<p>hello</p>");
	f.req.cacheable = true;
	http_finish(&f.req);
	CHECK(strncmp(buf_cstr(&sent), "Status: 304 Not Modified\r\n", 26) == 0);
	CHECK(strstr(buf_cstr(&sent), "hello") == NULL);
	finish(&f);

	/* A different body does not match. */
	CHECK(start(&f, env2) == 0);
	buf_puts(f.req.body, "<p>changed</p>");
	f.req.cacheable = true;
	http_finish(&f.req);
	CHECK(strncmp(buf_cstr(&sent), "Status: 200 OK\r\n", 16) == 0);
	finish(&f);

	/* HEAD: headers with the length, no body. */
	char *head[] = {"REQUEST_METHOD=HEAD", "PATH_INFO=/", NULL};
	CHECK(start(&f, head) == 0);
	buf_puts(f.req.body, "<p>hello</p>");
	http_finish(&f.req);
	CHECK(strstr(buf_cstr(&sent), "Content-Length: 12\r\n") != NULL);
	CHECK(strstr(buf_cstr(&sent), "hello") == NULL);
	CHECK(strstr(buf_cstr(&sent), "Cache-Control: no-store\r\n") != NULL);
	finish(&f);
}

static const struct route *match(const char *method, const char *path, unsigned *allowed,
				 struct fixture *f)
{
	static char m[64], p[256];
	snprintf(m, sizeof m, "REQUEST_METHOD=%s", method);
	snprintf(p, sizeof p, "PATH_INFO=%s", path);
	char *env[] = {m, p, NULL};
	if (start(f, env) != 0)
		return NULL;
	return route_match(&f->req, allowed);
}

static void test_routes(void)
{
	struct fixture f;
	unsigned allowed;
	const struct route *r = match("GET", "/a/42", &allowed, &f);
	CHECK(r && !strcmp(r->pattern, "/a/{id}") && f.req.arg_id == 42);
	finish(&f);
	CHECK(match("HEAD", "/a/42", &allowed, &f) != NULL);
	finish(&f);
	CHECK(match("POST", "/a/42", &allowed, &f) == NULL && (allowed & HTTP_GET));
	finish(&f);
	const char *bad[] = {"/a/0", "/a/-1", "/a/abc", "/a/042", "/a/1/", "/a/", "/a/99999999999999999999", "/a", "/nothing"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(match("GET", bad[i], &allowed, &f) == NULL && allowed == 0);
		finish(&f);
	}
	CHECK(match("GET", "/", &allowed, &f) != NULL);
	finish(&f);
	CHECK(match("GET", "/healthz", &allowed, &f) != NULL);
	finish(&f);
	/* every route has a handler and some method */
	for (const struct route *t = route_table; t->pattern; t++)
		CHECK(t->fn && t->methods);
}

int main(void)
{
	test_bad_paths();
	test_path_sources();
	test_query();
	test_headers_and_finish();
	test_routes();
	buf_free(&sent);
	return check_done("test_http");
}
