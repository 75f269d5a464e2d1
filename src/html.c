/* Escaping for HTML text, attributes and URL parts. */
#include "html.h"
#include "valid.h"

#include <string.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Appends s[0..n) escaping the characters in `special`; bytes that are not
 * valid UTF-8 become U+FFFD. */
static void escape(struct buf *out, const char *s, size_t n, int attr)
{
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		size_t step = 1;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '`': rep = attr ? "&#96;" : NULL; break;
		case '=': rep = attr ? "&#61;" : NULL; break;
		default:
			if (c >= 0x80) {
				step = valid_utf8_char(s + i, n - i);
				if (!step) {
					rep = REPLACEMENT;
					step = 1;
				}
			} else if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
				rep = REPLACEMENT; /* control characters are not allowed in HTML */
			}
		}
		if (rep) {
			buf_put(out, s + i - run, run);
			buf_puts(out, rep);
			run = 0;
		} else {
			run += step;
		}
		i += step;
	}
	buf_put(out, s + n - run, run);
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
