/*
 * libFuzzer harness for article bodies: md_render (cmark-gfm plus our tree
 * edits) over any bytes. The HTML that comes out is what every visitor's
 * browser runs, so it is read back here the way a browser would:
 *
 *  - valid UTF-8 without NUL, and no "<script" in any case;
 *  - only the tags and attributes our renderer writes (raw HTML from the
 *    source never gets through), attribute values always double-quoted;
 *  - every href and src, once its entities are decoded and the tabs,
 *    newlines and surrounding blanks a browser ignores are removed, either
 *    has no scheme or has http, https or mailto: no javascript:, data:,
 *    vbscript: or file: link survives, however it is spelled.
 */
#include "md.h"
#include "valid.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tags[] = {
    "p",     "h1",    "h2",    "h3",     "h4", "h5", "h6",     "ul",         "ol",         "li",
    "a",     "img",   "em",    "strong", "hr", "br", "pre",    "code",       "blockquote", "del",
    "table", "thead", "tbody", "tr",     "th", "td", "figure", "figcaption", NULL,
};
static const char *const attrs[] = {"href",  "src",   "alt",     "title", "start",
                                    "align", "class", "loading", NULL};

static bool listed(const char *const *list, const char *s, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncmp(*list, s, n))
			return true;
	return false;
}

/* Decodes the entities cmark and html_attr write (&amp; &lt; &gt; &quot;
 * and numeric ones) in v[0..n) into out; aborts on an unknown one. */
static size_t unentity(const char *v, size_t n, char *out)
{
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] != '&') {
			out[j++] = v[i];
			continue;
		}
		const char *semi = memchr(v + i, ';', n - i);
		if (!semi)
			abort(); /* a bare '&' in an attribute */
		size_t len = (size_t)(semi - (v + i)) + 1;
		static const struct {
			const char *name;
			char c;
		} named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}};
		bool done = false;
		for (size_t k = 0; k < 4 && !done; k++) {
			if (strlen(named[k].name) == len && !strncmp(v + i, named[k].name, len)) {
				out[j++] = named[k].c;
				done = true;
			}
		}
		if (!done && len > 3 && v[i + 1] == '#') {
			long c = v[i + 2] == 'x' || v[i + 2] == 'X' ? strtol(v + i + 3, NULL, 16)
			                                            : strtol(v + i + 2, NULL, 10);
			if (c <= 0 || c > 0x7f)
				abort(); /* only ASCII is written as a number */
			out[j++] = (char)c;
			done = true;
		}
		if (!done)
			abort();
		i += len - 1;
	}
	return j;
}

/* The URL check a browser's parser implies: strip, then read the scheme. */
static void check_url(const char *v, size_t n)
{
	char *u = malloc(n + 1);
	if (!u)
		abort();
	size_t len = unentity(v, n, u), k = 0;
	for (size_t i = 0; i < len; i++)
		if (u[i] != '\t' && u[i] != '\n' && u[i] != '\r')
			u[k++] = u[i];
	u[k] = '\0';
	const char *s = u;
	while (*s && (unsigned char)*s <= 0x20)
		s++;
	size_t i = 0;
	if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
		while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		       (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.')
			i++;
		if (s[i] == ':' && !((i == 4 && !strncasecmp(s, "http", 4)) ||
		                     (i == 5 && !strncasecmp(s, "https", 5)) ||
		                     (i == 6 && !strncasecmp(s, "mailto", 6))))
			abort();
	}
	free(u);
}

/* Walks every tag of html[0..n). */
static void check_tags(const char *html, size_t n)
{
	const char *p = html, *end = html + n;
	while ((p = memchr(p, '<', (size_t)(end - p)))) {
		p++;
		if (p < end && *p == '/')
			p++;
		const char *name = p;
		while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			p++;
		if (!listed(tags, name, (size_t)(p - name)))
			abort();
		for (;;) {
			while (p < end && *p == ' ')
				p++;
			if (p < end && *p == '>')
				break;
			if (p + 1 < end && p[0] == '/' && p[1] == '>')
				break;
			const char *an = p;
			while (p < end && *p >= 'a' && *p <= 'z')
				p++;
			size_t alen = (size_t)(p - an);
			if (!listed(attrs, an, alen) || end - p < 2 || p[0] != '=' || p[1] != '"')
				abort();
			p += 2;
			const char *v = p, *q = memchr(p, '"', (size_t)(end - p));
			if (!q || memchr(v, '<', (size_t)(q - v)) ||
			    memchr(v, '>', (size_t)(q - v)))
				abort();
			if ((alen == 4 && !strncmp(an, "href", 4)) ||
			    (alen == 3 && !strncmp(an, "src", 3)))
				check_url(v, (size_t)(q - v));
			p = q + 1;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size ? size : 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	struct buf out = BUF_INIT;
	if (md_render(src, size, &out) == 0) {
		const char *html = buf_cstr(&out);
		if (!valid_utf8(html, out.len) || strcasestr(html, "<script"))
			abort();
		check_tags(html, out.len);
	}
	buf_free(&out);
	free(src);
	return 0;
}
