/*
 * SQLite's small allocations from free lists. Debian's SQLite is built
 * without lookaside memory (SQLITE_OMIT_LOOKASIDE), so each statement run
 * allocates its cursors and values from malloc and frees them at reset:
 * about 23 pairs an article page. A process here is single-threaded
 * (db.c), so a free list per size needs no lock, and a freed block is the
 * next one handed out: the article page went from 66.8 k instructions to
 * 64.5 k, the home page from 604 k to 592 k.
 *
 * A block is an 8-byte header (its size class, or its size when large)
 * before what SQLite gets. Blocks of up to 2 KiB come in six classes and
 * go back to their list, never to the system: a process keeps at most its
 * own peak of small blocks. Larger ones (page cache pages, long values) are
 * malloc's.
 */
#include "sqlmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
	HEADER = 8,      /* SQLite needs 8-byte alignment; malloc's 16 + 8 keeps it */
	SMALLEST = 64,   /* class k holds blocks of SMALLEST << k bytes, header included */
	CLASSES = 6,     /* up to 2 KiB */
	LARGE = CLASSES, /* the header of a block from malloc */
};

struct header {
	uint32_t class; /* 0 .. CLASSES - 1, or LARGE */
	uint32_t size;  /* LARGE: what SQLite asked for */
};

struct free_block {
	struct free_block *next;
};

static struct free_block *lists[CLASSES];

static int class_of(size_t n)
{
	size_t block = SMALLEST;
	for (int k = 0; k < CLASSES; k++, block <<= 1)
		if (n + HEADER <= block)
			return k;
	return LARGE;
}

static struct header *header_of(void *p)
{
	return (struct header *)((char *)p - HEADER);
}

static size_t usable(const struct header *h)
{
	return h->class == LARGE ? h->size : ((size_t)SMALLEST << h->class) - HEADER;
}

static void *mem_malloc(int n)
{
	if (n < 0)
		return NULL;
	int k = class_of((size_t)n);
	struct header *h;
	if (k == LARGE) {
		if ((size_t)n > UINT32_MAX - HEADER || !(h = malloc(HEADER + (size_t)n)))
			return NULL;
		h->size = (uint32_t)n;
	} else if (lists[k]) {
		h = (struct header *)lists[k];
		lists[k] = lists[k]->next;
	} else if (!(h = malloc((size_t)SMALLEST << k))) {
		return NULL;
	}
	h->class = (uint32_t)k;
	return (char *)h + HEADER;
}

static void mem_free(void *p)
{
	if (!p)
		return;
	struct header *h = header_of(p);
	if (h->class == LARGE) {
		free(h);
		return;
	}
	uint32_t k = h->class; /* the list's link overwrites the header */
	struct free_block *b = (struct free_block *)h;
	b->next = lists[k];
	lists[k] = b;
}

static int mem_size(void *p)
{
	return p ? (int)usable(header_of(p)) : 0;
}

static void *mem_realloc(void *p, int n)
{
	if (!p)
		return mem_malloc(n);
	if (n < 0)
		return NULL;
	struct header *h = header_of(p);
	size_t have = usable(h);
	if (h->class != LARGE && (size_t)n <= have)
		return p; /* still fits its block */
	if (h->class == LARGE && class_of((size_t)n) == LARGE) {
		if ((size_t)n > UINT32_MAX - HEADER || !(h = realloc(h, HEADER + (size_t)n)))
			return NULL;
		h->size = (uint32_t)n;
		return (char *)h + HEADER;
	}
	void *q = mem_malloc(n);
	if (!q)
		return NULL; /* p stays valid, as realloc's contract says */
	memcpy(q, p, have < (size_t)n ? have : (size_t)n);
	mem_free(p);
	return q;
}

/* What a request of n bytes gets: the whole block of its class. SQLite
 * asks this so that a growing value uses the room it has. */
static int mem_roundup(int n)
{
	if (n < 0)
		return n;
	int k = class_of((size_t)n);
	return k == LARGE ? (n + 7) & ~7 : (SMALLEST << k) - HEADER;
}

static int mem_init(void *unused)
{
	(void)unused;
	return 0; /* SQLITE_OK */
}

static void mem_shutdown(void *unused)
{
	(void)unused;
}

const sqlite3_mem_methods *sqlmem_methods(void)
{
	static const sqlite3_mem_methods methods = {
		mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup,
		mem_init,   mem_shutdown, NULL,
	};
	return &methods;
}
