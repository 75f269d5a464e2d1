/*
 * A growable byte buffer. Memory comes from malloc and is kept across
 * buf_reset() so a long-lived worker reuses it; buf_free() releases it.
 * Allocation failure aborts the process (a worker is respawned by its
 * master), so no caller checks for it.
 */
#ifndef GAZETTE_BUF_H
#define GAZETTE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated once anything was written */
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

/* Makes room for n more bytes; returns a pointer to the free space. */
char *buf_reserve(struct buf *b, size_t n);
void buf_put_grow(struct buf *b, const void *p, size_t n);
/* Appends n bytes. Inline: a page is a few hundred small appends, and with
 * room to spare one is a copy and a store. */
static inline void buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->len > n) {
		if (n) /* p may be NULL when n is 0 */
			__builtin_memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else {
		buf_put_grow(b, p, n);
	}
}
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
/* Appends a finite number as JSON and templates print it: an integer (below
 * 2^53) as such, else the shorter of %.15g and %.17g that reads back the
 * same. */
void buf_number(struct buf *b, double d);
/* Appends v in decimal, without printf (a page prints dozens). */
void buf_int(struct buf *b, long long v);
/* Writes v in decimal and a NUL into out; returns the length (at most 20). */
size_t int_text(char out[24], long long v);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The contents as a C string ("" when empty); valid until the next write. */
const char *buf_cstr(struct buf *b);
/* Empties the buffer but keeps its memory. */
void buf_reset(struct buf *b);
/* Releases the memory; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

/* malloc/realloc/strdup that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
