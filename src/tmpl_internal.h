/*
 * What the template parser (tmpl.c) and the renderer (tmpl_render.c) share:
 * the compiled form of a template. Private to these two files.
 */
#ifndef GAZETTE_TMPL_INTERNAL_H
#define GAZETTE_TMPL_INTERNAL_H

#include "tmpl.h"

#include <stddef.h>
#include <stdint.h>

#define TMPL_NAME_MAX 64                /* characters in a name between {{ }} */
#define TMPL_NEST_MAX 32                /* sections open at once in one template */
#define TMPL_INCLUDE_MAX 16             /* partials nested inside each other */
#define TMPL_FILE_MAX (1024 * 1024)     /* bytes of one template */
#define TMPL_OUT_MAX (32 * 1024 * 1024) /* bytes one render may append */
/* Every template of an include chain may hold TMPL_NEST_MAX open sections. */
#define TMPL_CTX_MAX ((TMPL_INCLUDE_MAX + 1) * TMPL_NEST_MAX + 1)

enum tmpl_op {
	OP_TEXT,     /* text[off..off+len) */
	OP_VAR,      /* {{name}}: names[off], nparts NUL-separated parts */
	OP_RAW,      /* {{{name}}} */
	OP_SECTION,  /* {{#name}}: body is nodes (i, arg) */
	OP_INVERTED, /* {{^name}} */
	OP_PARTIAL,  /* {{>name}}: names[off] whole; arg = template index or -1 */
};

/* One node of a template's flat list; a section's body is the nodes that
 * follow it up to index arg. */
struct tnode {
	uint8_t op;
	uint8_t nparts; /* 0 for "." */
	uint32_t line;
	uint32_t off, len;
	int32_t arg;
};

struct tmpl {
	char *name;
	char *text;  /* the source, which OP_TEXT nodes point into */
	char *names; /* the names of the tags, NUL-separated */
	struct tnode *nodes;
	uint32_t nnodes;
	char *fixed; /* tmpl_fix: what {{>name}} inserts instead, or NULL */
	size_t nfixed;
};

struct tmpl_set {
	struct tmpl *v;
	size_t n, cap;
};

/* Index of the template called name in set, or -1. */
int tmpl_find(const struct tmpl_set *set, const char *name);

#endif
