/*
 * A bump allocator for everything one request owns. arena_reset() frees it
 * all at once after the response and keeps the first block for the next
 * request, so a worker's memory stays flat however many requests it serves.
 * Allocation failure aborts (see buf.h).
 */
#ifndef GAZETTE_ARENA_H
#define GAZETTE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head; /* newest block first */
};

#define ARENA_INIT {NULL}

/* n bytes aligned for any type; never NULL. */
void *arena_alloc(struct arena *a, size_t n);
/* Zeroed array of n elements of size bytes. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees all but the first block. */
void arena_reset(struct arena *a);
/* Frees everything. */
void arena_free(struct arena *a);

#endif
