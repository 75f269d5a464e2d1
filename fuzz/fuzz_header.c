/*
 * libFuzzer harness for response headers: http_header and http_finish.
 * The first byte's bits pick HEAD or GET and whether the page is cacheable;
 * the rest, split at NUL bytes, is the request's If-None-Match, then up to
 * eight header name and value pairs that a handler adds.
 *
 * Checks the promise that no input can split the response: the head the
 * client receives is lines of "Name: value" each ended by CRLF, with no
 * other CR or LF anywhere, then one empty line; every accepted header is
 * there as given; every refused one broke a rule (name not a token, value
 * not one clean line); nothing is accepted after http_finish; the body is
 * there unless HEAD or 304.
 */
#include "fuzz_http.h"

#include <stdbool.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_PAIRS = 8 };

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* Next NUL-ended piece of [*p, end) as a malloc'd string, or NULL at the end. */
static char *piece(const uint8_t **p, const uint8_t *end)
{
	if (*p >= end)
		return NULL;
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
	size_t len = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
	char *s = xmalloc(len + 1);
	memcpy(s, *p, len);
	s[len] = '\0';
	*p += len + (nul ? 1 : 0);
	return s;
}

static void check_head(const char *head, size_t n)
{
	if (strncmp(head, "Status: ", 8) != 0)
		abort();
	for (size_t i = 0; i < n;) {
		const char *eol = memchr(head + i, '\n', n - i);
		if (!eol || eol == head + i || eol[-1] != '\r')
			abort(); /* a bare LF */
		size_t len = (size_t)(eol - 1 - (head + i));
		if (memchr(head + i, '\r', len))
			abort(); /* a bare CR */
		const char *colon = memchr(head + i, ':', len);
		if (!colon || colon == head + i || colon[1] != ' ')
			abort();
		i += len + 2;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool head_only = data[0] & 1, cacheable = data[0] & 2;
	const uint8_t *p = data + 1, *end = data + size;

	struct fuzz_req f;
	fuzz_req_begin(&f, NULL, 0, 0);
	fuzz_req_envs(&f, "REQUEST_METHOD", head_only ? "HEAD" : "GET");
	fuzz_req_envs(&f, "PATH_INFO", "/");
	char *inm = piece(&p, end);
	if (inm)
		fuzz_req_envs(&f, "HTTP_IF_NONE_MATCH", inm);
	if (fuzz_req_init(&f) != 0)
		abort();
	f.req.cacheable = cacheable;
	buf_puts(f.req.body, "<p>hello</p>");

	char *names[MAX_PAIRS], *values[MAX_PAIRS];
	int ok[MAX_PAIRS];
	size_t npairs = 0;
	while (npairs < MAX_PAIRS && (names[npairs] = piece(&p, end))) {
		values[npairs] = piece(&p, end);
		if (!values[npairs])
			values[npairs] = xstrdup("");
		ok[npairs] = http_header(&f.req, names[npairs], values[npairs]);
		bool allowed = is_token(names[npairs]) && valid_line(values[npairs], 8192);
		if ((ok[npairs] == 0) != allowed)
			abort();
		npairs++;
	}
	if (http_finish(&f.req) != 0)
		abort();
	if (http_header(&f.req, "X-Late", "1") != -1)
		abort(); /* nothing after the response went out */

	const char *sent = buf_cstr(&f.sent);
	const char *blank = strstr(sent, "\r\n\r\n");
	if (!blank)
		abort();
	size_t hn = (size_t)(blank - sent) + 2;
	check_head(sent, hn);
	const char *body = blank + 4;
	bool not_modified = !strncmp(sent, "Status: 304", 11);
	if (not_modified && !cacheable)
		abort();
	if (strcmp(body, head_only || not_modified ? "" : "<p>hello</p>") != 0)
		abort();
	for (size_t i = 0; i < npairs; i++) {
		if (ok[i] == 0) {
			char *line = xmalloc(strlen(names[i]) + strlen(values[i]) + 8);
			sprintf(line, "\r\n%s: %s\r\n", names[i], values[i]);
			if (!memmem(sent, hn + 2, line, strlen(line)))
				abort();
			free(line);
		}
		free(names[i]);
		free(values[i]);
	}
	free(inm);
	fuzz_req_end(&f);
	return 0;
}
