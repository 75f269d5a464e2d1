/* Growable byte buffers and allocation helpers that never return NULL. */
#include "buf.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
	fputs("gazette: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

char *buf_reserve(struct buf *b, size_t n)
{
	if (n >= SIZE_MAX / 2 - b->len)
		oom();
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	return b->data + b->len;
}

void buf_put_grow(struct buf *b, const void *p, size_t n)
{
	char *dst = buf_reserve(b, n);
	if (n)
		memcpy(dst, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_put(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	char *dst = buf_reserve(b, (size_t)n);
	vsnprintf(dst, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *buf_cstr(struct buf *b)
{
	return b->len ? b->data : "";
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

size_t int_text(char out[24], long long v)
{
	char digits[24], *p = digits + sizeof digits;
	/* In unsigned arithmetic, so that LLONG_MIN negates. */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	size_t n = (size_t)(digits + sizeof digits - p);
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

void buf_int(struct buf *b, long long v)
{
	char text[24];
	buf_put(b, text, int_text(text, v));
}

void buf_number(struct buf *b, double d)
{
	/* Ids, counts and times are integers: printed as such, without the
	 * round-trip test a fraction needs (cJSON's printf and sscanf per
	 * number were a seventh of a view's answer). */
	if (d == floor(d) && fabs(d) < 9007199254740992.0) {
		buf_int(b, (long long)d);
		return;
	}
	char n[32];
	snprintf(n, sizeof n, "%.15g", d);
	if (strtod(n, NULL) != d)
		snprintf(n, sizeof n, "%.17g", d);
	buf_puts(b, n);
}
