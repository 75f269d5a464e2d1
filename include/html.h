/*
 * The HTML output module: one encoder per output context. The short names
 * escape; the one call that copies bytes unescaped has a long name,
 * html_raw_trusted_markup(), and takes only HTML the code itself produced
 * (rendered Markdown, a rendered template). Grep for it when reviewing.
 *
 * Every function appends to `out` and accepts any bytes; invalid UTF-8 is
 * replaced by U+FFFD so that nothing a visitor sent can break the page's
 * encoding.
 */
#ifndef GAZETTE_HTML_H
#define GAZETTE_HTML_H

#include "buf.h"

#include <stddef.h>

/* Text between tags: escapes & < > " ' (so it is safe in quoted attributes too). */
void html_text(struct buf *out, const char *s);
void html_textn(struct buf *out, const char *s, size_t n);
/* A double-quoted attribute value: as html_text, and also escapes ` and =. */
void html_attr(struct buf *out, const char *s);
/* One query-string argument (name or value): percent-encodes all but
 * unreserved characters (RFC 3986), spaces as %20. Escape the result with
 * html_attr when it goes into an attribute. */
void html_url_arg(struct buf *out, const char *s);
/* One URL path segment: as html_url_arg (a "/" inside is encoded). */
void html_url_path(struct buf *out, const char *s);
/* Copies s unescaped. Only for HTML this program produced itself. */
void html_raw_trusted_markup(struct buf *out, const char *s);

#endif
