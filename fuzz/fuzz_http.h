/*
 * A fake CGI request for the harnesses that fuzz src/http.c: an
 * environment built from the fuzzer's bytes, a body that io->read hands out
 * in small pieces (so the read loop's partial reads are exercised), and the
 * response collected in memory. Everything is freed by fuzz_req_end(), so a
 * harness that leaks shows up under LeakSanitizer.
 */
#ifndef GAZETTE_FUZZ_HTTP_H
#define GAZETTE_FUZZ_HTTP_H

#include "buf.h"
#include "http.h"
#include "valid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { FUZZ_MAX_ENV = 24 };

struct fuzz_req {
	struct arena arena;
	struct buf headers, body, sent;
	struct http_io io;
	struct http_req req;
	char *env[FUZZ_MAX_ENV + 1];
	size_t nenv;
	const uint8_t *in; /* the request body io->read hands out */
	size_t inlen, inpos, chunk;
};

static inline int fuzz_req_read(void *ctx, char *dst, int n)
{
	struct fuzz_req *f = ctx;
	size_t want = (size_t)n, left = f->inlen - f->inpos;
	if (want > left)
		want = left;
	if (f->chunk && want > f->chunk)
		want = f->chunk;
	memcpy(dst, f->in + f->inpos, want);
	f->inpos += want;
	return (int)want;
}

static inline int fuzz_req_write(void *ctx, const char *src, int n)
{
	struct fuzz_req *f = ctx;
	buf_put(&f->sent, src, (size_t)n);
	return n;
}

/* Empties f; body[0..len) is what io->read will hand out, chunk bytes at a
 * time at most (0: as much as asked). */
static inline void fuzz_req_begin(struct fuzz_req *f, const uint8_t *body, size_t len, size_t chunk)
{
	memset(f, 0, sizeof *f);
	f->in = body;
	f->inlen = len;
	f->chunk = chunk;
	f->io = (struct http_io){f->env, fuzz_req_read, fuzz_req_write, f};
}

/* Adds the variable name=value[0..len); the value stops at a NUL as a
 * real environment's would. */
static inline void fuzz_req_env(struct fuzz_req *f, const char *name, const void *value, size_t len)
{
	if (f->nenv == FUZZ_MAX_ENV)
		abort(); /* a harness bug */
	const char *nul = memchr(value, '\0', len);
	if (nul)
		len = (size_t)(nul - (const char *)value);
	size_t n = strlen(name);
	char *s = xmalloc(n + len + 2);
	memcpy(s, name, n);
	s[n] = '=';
	memcpy(s + n + 1, value, len);
	s[n + 1 + len] = '\0';
	f->env[f->nenv++] = s;
}

static inline void fuzz_req_envs(struct fuzz_req *f, const char *name, const char *value)
{
	fuzz_req_env(f, name, value, strlen(value));
}

/* http_req_init over the environment so far. */
static inline int fuzz_req_init(struct fuzz_req *f)
{
	return http_req_init(&f->req, &f->io, &f->arena, &f->headers, &f->body, 1);
}

static inline void fuzz_req_end(struct fuzz_req *f)
{
	for (size_t i = 0; i < f->nenv; i++)
		free(f->env[i]);
	buf_free(&f->headers);
	buf_free(&f->body);
	buf_free(&f->sent);
	arena_free(&f->arena);
}

/* Checks a parsed field against its spec, as the handlers rely on it:
 * aborts when a value that passed breaks its kind's promise. */
static inline void fuzz_check_field(const struct field_value *fv)
{
	const struct field_spec *s = fv->spec;
	if (!s || !fv->text || !valid_utf8(fv->text, strlen(fv->text)))
		abort();
	switch (s->kind) {
	case FIELD_INT:
		if (fv->num < s->min || fv->num > s->max)
			abort();
		break;
	case FIELD_LINE:
		if (!valid_line(fv->text, (size_t)s->max) || strpbrk(fv->text, "\r\n"))
			abort();
		break;
	case FIELD_TEXT:
		if (!valid_text(fv->text, (size_t)s->max) || strchr(fv->text, '\r'))
			abort();
		break;
	case FIELD_SLUG:
		if (!valid_slug(fv->text))
			abort();
		break;
	default:
		abort();
	}
}

/* Every parsed field is declared once in specs and keeps its promise. */
static inline void fuzz_check_fields(const struct http_req *req, const struct field_spec *specs)
{
	if (req->nfields > HTTP_MAX_FIELDS)
		abort();
	for (size_t i = 0; i < req->nfields; i++) {
		const struct field_spec *s = specs;
		while (s && s->name && s != req->fields[i].spec)
			s++;
		if (!s || !s->name)
			abort(); /* a field nobody declared */
		for (size_t j = 0; j < i; j++)
			if (!strcmp(req->fields[j].spec->name, s->name))
				abort(); /* the first of a name counts, once */
		fuzz_check_field(&req->fields[i]);
	}
}

#endif
