/*
 * Markdown to HTML for article bodies, with cmark-gfm (a well-kept library)
 * in its safe mode: raw HTML in the source is dropped, links and images with
 * javascript:, vbscript:, file: or data: URLs lose their URL. A paragraph
 * that holds only an image becomes
 *   <figure><img src="…" alt="ALT"><figcaption>TITLE or ALT</figcaption></figure>
 * so ![Students in the new lab](/media/ab/cd.jpg "The new lab opened in May")
 * shows its caption under the picture.
 */
#ifndef GAZETTE_MD_H
#define GAZETTE_MD_H

#include "buf.h"

#include <stddef.h>

/* Renders src[0..len) (UTF-8) as HTML appended to out. Returns 0, -1 on a
 * library failure (nothing appended). */
int md_render(const char *src, size_t len, struct buf *out);

#endif
