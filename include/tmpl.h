/*
 * Templates that designers edit without recompiling: every *.html file of a
 * directory, parsed once per worker into a set, rendered with a cJSON tree
 * as data.
 *
 * Syntax (a small subset of Mustache, which designers already know):
 *   {{name}}            value, HTML-escaped (html_text): safe in text and
 *                       in quoted attributes
 *   {{a.b.c}}           dotted lookup through objects
 *   {{.}}               the current item inside a section
 *   {{{name}}}          value as it is, unescaped and unchecked: only for
 *                       HTML the program built itself with its encoders
 *                       (rendered Markdown, which md_render made valid
 *                       UTF-8 when it was saved); grep for "{{{"
 *   {{#name}}…{{/name}} section: repeated for each item of an array, shown
 *                       once for a true/non-empty value (and the value
 *                       becomes the context for an object)
 *   {{^name}}…{{/name}} inverted section: shown when missing, false, null,
 *                       "", 0 or an empty array
 *   {{>name}}           include the template name.html of the same set
 *   {{! comment }}      nothing
 * Lookup walks outward through the enclosing section contexts, so
 * {{site.name}} works inside a loop.
 */
#ifndef GAZETTE_TMPL_H
#define GAZETTE_TMPL_H

#include "buf.h"

#include <cjson/cJSON.h>
#include <stddef.h>

struct tmpl_set;

/*
 * Parses every *.html file in dir (not recursive). Returns the set, or NULL
 * with "file.html:LINE: what is wrong" in err. Free with tmpl_set_free().
 */
struct tmpl_set *tmpl_set_load(const char *dir, char *err, size_t errlen);
/* Parses one template from memory into a new set or adds it to set (name
 * without .html). Used by tests and fuzzing. Returns 0 or -1 with err. */
int tmpl_set_add(struct tmpl_set **set, const char *name, const char *text, size_t len,
		 char *err, size_t errlen);
void tmpl_set_free(struct tmpl_set *set);

/*
 * Renders template name (without .html) with data appended to out. Returns 0,
 * or -1 when there is no such template or includes nest deeper than 16
 * (cycles). Never reads past the data or the template text.
 */
int tmpl_render(const struct tmpl_set *set, const char *name, const cJSON *data, struct buf *out);

/*
 * Fixes template name to text rendered before (copied): from then on
 * {{>name}} inserts the text instead of rendering the template, until it is
 * fixed again; text NULL unfixes it. Rendering name itself (tmpl_render)
 * still renders it. This is how the site's fragments (site_*.html: the
 * masthead with its menu, the footer) are rendered once per change of the
 * site's data, not once per page (page.c). Returns 0, or -1 when there is
 * no such template.
 */
int tmpl_fix(struct tmpl_set *set, const char *name, const char *text, size_t len);
/* The name of the set's i-th template, or NULL when i is past the last. */
const char *tmpl_name(const struct tmpl_set *set, size_t i);

#endif
