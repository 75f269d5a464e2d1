/*
 * multipart/form-data bodies (RFC 7578 over RFC 2046): the only code that
 * splits an upload into its parts. The parser is strict and bounded: it
 * never reads outside body[0, len), never assumes a NUL byte anywhere in
 * the body, and refuses anything it cannot read unambiguously.
 */
#ifndef GAZETTE_MULTIPART_H
#define GAZETTE_MULTIPART_H

#include "arena.h"

#include <stddef.h>

enum {
	MULTIPART_MAX_PARTS = 16,
	MULTIPART_MAX_BOUNDARY = 70,      /* RFC 2046 §5.1.1 */
	MULTIPART_MAX_HEADER_LINE = 1024, /* bytes of one part header line, CRLF excluded */
};

/* One part of a form. Strings are NUL-terminated copies in the arena; data
 * points into the body (binary, not NUL-terminated). */
struct multipart_part {
	const char *name;         /* Content-Disposition name, never empty */
	const char *filename;     /* Content-Disposition filename, NULL when absent */
	const char *content_type; /* the part's Content-Type, NULL when absent */
	const char *data;
	size_t len;
};

/*
 * Splits body (len bytes) sent with the Content-Type header content_type
 * into *nparts parts, stored in an arena array *parts. Returns 0; 415 when
 * content_type is not multipart/form-data; 400 when the body is malformed:
 * boundary missing, empty, longer than 70 characters or with characters
 * RFC 2046 does not allow, no closing delimiter (a truncated body), a part
 * whose headers never end, a header line over MULTIPART_MAX_HEADER_LINE,
 * control bytes or folding in a header, a part without Content-Disposition
 * form-data and a non-empty name, bad quoting, names that are not UTF-8, or
 * more than MULTIPART_MAX_PARTS parts.
 */
int multipart_parse(struct arena *a, const char *content_type, const char *body, size_t len,
                    struct multipart_part **parts, size_t *nparts);

/* The first part called name, or NULL. */
const struct multipart_part *multipart_find(const struct multipart_part *parts, size_t nparts,
                                            const char *name);
/* How many parts are called name. */
size_t multipart_count(const struct multipart_part *parts, size_t nparts, const char *name);

#endif
