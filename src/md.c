/*
 * Markdown to HTML with cmark-gfm. cmark does the parsing and most of the
 * rendering; this file edits the tree between the two: it drops raw HTML,
 * empties URLs whose scheme is not on our list, and turns image-only
 * paragraphs into figures whose HTML it writes itself.
 */
#include "md.h"
#include "html.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>

/*
 * Safe mode (no CMARK_OPT_UNSAFE) is cmark's default; VALIDATE_UTF8 makes
 * the parser replace invalid input bytes with U+FFFD, which it does not do
 * otherwise, so the page's encoding cannot be broken by an article body.
 */
#define MD_OPTIONS (CMARK_OPT_VALIDATE_UTF8)

static const char *const md_extensions[] = {"table", "strikethrough", "autolink"};

/* A growable list of nodes to edit once the iteration is over. */
struct nodelist {
	cmark_node **v;
	size_t n, cap;
};

static void nodelist_push(struct nodelist *l, cmark_node *node)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = node;
}

/*
 * Why a list of allowed schemes rather than cmark's list of dangerous ones:
 * browsers ignore case, strip control characters and tabs, and cmark lets
 * data:image/png through. Anything with a ':' before the first '/', '?' or
 * '#' has a scheme, and only http, https and mailto pass; relative URLs,
 * "/path", "//host/path", "?q" and "#frag" have none and pass.
 */
static bool md_url_allowed(const char *url)
{
	size_t i = 0;
	for (; url[i] && url[i] != ':'; i++)
		if (url[i] == '/' || url[i] == '?' || url[i] == '#')
			return true;
	if (!url[i])
		return true;
	return (i == 4 && !strncasecmp(url, "http", 4)) ||
	       (i == 5 && !strncasecmp(url, "https", 5)) ||
	       (i == 6 && !strncasecmp(url, "mailto", 6));
}

/* Whitespace-only text or a line break: allowed around a figure's image. */
static bool md_is_blank_inline(cmark_node *node)
{
	cmark_node_type t = cmark_node_get_type(node);
	if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
		return true;
	if (t != CMARK_NODE_TEXT)
		return false;
	const char *s = cmark_node_get_literal(node);
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* The single image of a paragraph that holds nothing else, or NULL. */
static cmark_node *md_lone_image(cmark_node *para)
{
	cmark_node *image = NULL;
	for (cmark_node *c = cmark_node_first_child(para); c; c = cmark_node_next(c)) {
		if (cmark_node_get_type(c) == CMARK_NODE_IMAGE && !image)
			image = c;
		else if (!md_is_blank_inline(c))
			return NULL;
	}
	return image;
}

/* The alt text of an image: the plain text of its children, as cmark
 * itself renders it into alt="…". */
static void md_plain_text(cmark_node *image, struct buf *out)
{
	cmark_iter *it = cmark_iter_new(image);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			buf_puts(out, cmark_node_get_literal(node));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(out, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/*
 * Replaces para (which holds only image) with a custom block carrying the
 * figure's HTML, escaped here with the html_ encoders. Returns 0 or -1.
 */
static int md_make_figure(cmark_node *para, cmark_node *image)
{
	struct buf alt = BUF_INIT, html = BUF_INIT;
	const char *url = cmark_node_get_url(image);
	const char *title = cmark_node_get_title(image);
	int rc = -1;

	md_plain_text(image, &alt);
	/* Checked again here because this HTML bypasses cmark's own URL filter. */
	if (!url || !md_url_allowed(url))
		url = "";
	buf_puts(&html, "<figure><img src=\"");
	html_attr(&html, url);
	buf_puts(&html, "\" alt=\"");
	html_attr(&html, buf_cstr(&alt));
	buf_puts(&html, "\" loading=\"lazy\">");
	const char *caption = title && *title ? title : buf_cstr(&alt);
	if (*caption) {
		buf_puts(&html, "<figcaption>");
		html_text(&html, caption);
		buf_puts(&html, "</figcaption>");
	}
	buf_puts(&html, "</figure>");

	cmark_node *fig = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
	if (fig && cmark_node_set_on_enter(fig, buf_cstr(&html)) &&
	    cmark_node_set_on_exit(fig, "") && cmark_node_insert_before(para, fig)) {
		cmark_node_free(para);
		rc = 0;
	} else if (fig) {
		cmark_node_free(fig);
	}
	buf_free(&alt);
	buf_free(&html);
	return rc;
}

/* Walks the tree once: empties unsafe URLs, collects raw HTML and
 * figure paragraphs, then edits the tree. Returns 0 or -1. */
static int md_rewrite(cmark_node *doc)
{
	struct nodelist raw = {0}, paras = {0};
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	int rc = 0;

	if (!it)
		return -1;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE: {
			const char *url = cmark_node_get_url(node);
			if (url && !md_url_allowed(url))
				cmark_node_set_url(node, "");
			break;
		}
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			/* Why: editors' raw HTML could carry script; drop it outright
			 * rather than leave cmark's "raw HTML omitted" comment. */
			nodelist_push(&raw, node);
			break;
		case CMARK_NODE_PARAGRAPH:
			nodelist_push(&paras, node);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);

	for (size_t i = 0; i < raw.n; i++)
		cmark_node_free(raw.v[i]);
	for (size_t i = 0; i < paras.n && rc == 0; i++) {
		cmark_node *image = md_lone_image(paras.v[i]);
		if (image)
			rc = md_make_figure(paras.v[i], image);
	}
	free(raw.v);
	free(paras.v);
	return rc;
}

int md_render(const char *src, size_t len, struct buf *out)
{
	cmark_gfm_core_extensions_ensure_registered();
	cmark_parser *parser = cmark_parser_new(MD_OPTIONS);
	cmark_node *doc = NULL;
	char *html = NULL;
	int rc = -1;

	if (!parser)
		return -1;
	for (size_t i = 0; i < sizeof md_extensions / sizeof *md_extensions; i++) {
		cmark_syntax_extension *ext = cmark_find_syntax_extension(md_extensions[i]);
		if (!ext || !cmark_parser_attach_syntax_extension(parser, ext))
			goto out;
	}
	cmark_parser_feed(parser, src ? src : "", src ? len : 0);
	doc = cmark_parser_finish(parser);
	if (!doc || md_rewrite(doc) != 0)
		goto out;
	html = cmark_render_html(doc, MD_OPTIONS, cmark_parser_get_syntax_extensions(parser));
	if (!html)
		goto out;
	/* Trusted: cmark escaped the text and we built the figures above. */
	html_raw_trusted_markup(out, html);
	rc = 0;
out:
	free(html);
	if (doc)
		cmark_node_free(doc);
	cmark_parser_free(parser);
	return rc;
}
