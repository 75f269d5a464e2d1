/* Escaping for HTML text, attributes and URL parts. */
#include "html.h"
#include "valid.h"

#include <string.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* What escape() does with a byte: copy it (0), replace it (1), replace it
 * in attributes only (2), or check the UTF-8 character it starts (3). */
static const unsigned char byte_kind[256] = {
	/* control characters other than tab, LF and CR are not allowed in HTML */
	[0 ... 8] = 1, [11 ... 12] = 1, [14 ... 31] = 1,
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
	['`'] = 2, ['='] = 2,
	[0x80 ... 0xFF] = 3,
};

static const char *replacement(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '`': return "&#96;";
	case '=': return "&#61;";
	default: return REPLACEMENT;
	}
}

/* Appends s[0..n) escaping the characters of byte_kind; bytes that are not
 * valid UTF-8 become U+FFFD. Runs of plain bytes are copied whole: the scan
 * is a table look-up a byte (text is a tenth of a page's instructions). */
static void escape(struct buf *out, const char *s, size_t n, int attr)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned k = byte_kind[u[i]];
		if (k == 0 || (k == 2 && !attr)) {
			i++;
			continue;
		}
		size_t step = 1;
		if (k == 3) {
			/* three-byte characters (Chinese) with a lead byte whose
			 * continuations have the full range, else the full check */
			if (n - i >= 3 && ((u[i] >= 0xE1 && u[i] <= 0xEC) || u[i] >= 0xEE) &&
			    u[i] <= 0xEF && (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80)
				step = 3;
			else
				step = valid_utf8_char(s + i, n - i);
			if (step) {
				i += step;
				continue;
			}
			step = 1;
		}
		buf_put(out, s + run, i - run);
		buf_puts(out, replacement(u[i]));
		i += step;
		run = i;
	}
	buf_put(out, s + run, n - run);
}

void html_textn(struct buf *out, const char *s, size_t n)
{
	escape(out, s, n, 0);
}

void html_text(struct buf *out, const char *s)
{
	if (s)
		escape(out, s, strlen(s), 0);
}

void html_attr(struct buf *out, const char *s)
{
	if (s)
		escape(out, s, strlen(s), 1);
}

static void percent_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = s ? strlen(s) : 0, valid = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		/* Why: a link must decode to valid UTF-8, or valid_pct_decode
		 * refuses it when it comes back; bad bytes become U+FFFD. */
		if (c >= 0x80 && !valid) {
			valid = valid_utf8_char(s + i, n - i);
			if (!valid) {
				buf_puts(out, "%EF%BF%BD");
				continue;
			}
		}
		if (valid)
			valid--;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(out, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_put(out, e, 3);
		}
	}
}

void html_url_arg(struct buf *out, const char *s)
{
	percent_encode(out, s);
}

void html_url_path(struct buf *out, const char *s)
{
	percent_encode(out, s);
}

void html_raw_trusted_markup(struct buf *out, const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	if (valid_utf8(s, n)) {
		buf_put(out, s, n);
		return;
	}
	/* Why: even our own markup can carry bytes that came from outside;
	 * like every encoder here it must not break the page's encoding. */
	for (size_t i = 0; i < n;) {
		size_t k = valid_utf8_char(s + i, n - i);
		if (k) {
			buf_put(out, s + i, k);
			i += k;
		} else {
			buf_puts(out, REPLACEMENT);
			i++;
		}
	}
}
