/* The enrolment QR code: the otpauth:// Key URI drawn as inline SVG. */
#include "arena.h"
#include "buf.h"
#include "html.h"
#include "totp.h"

#include <qrencode.h>

const char *totp_uri(struct arena *a, const char *issuer, const char *username,
                     const char *secret_b32)
{
	/* The label is "issuer:user" with a literal colon; both parts and the
	 * issuer parameter are percent-encoded, so a name with '&', '?' or
	 * '#' cannot add or change a parameter. */
	struct buf b = BUF_INIT;
	buf_puts(&b, "otpauth://totp/");
	html_url_arg(&b, issuer);
	buf_putc(&b, ':');
	html_url_arg(&b, username);
	buf_puts(&b, "?secret=");
	buf_puts(&b, secret_b32);
	buf_puts(&b, "&issuer=");
	html_url_arg(&b, issuer);
	buf_printf(&b, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP);
	const char *uri = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return uri;
}

const char *totp_qr_svg(struct arena *a, const char *text, const char *label)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return NULL;
	enum { QUIET = 4, SCALE = 4 };
	int w = q->width, size = w + 2 * QUIET;
	struct buf b = BUF_INIT;
	/* Only numbers and the escaped label go in: the markup is ours. */
	buf_printf(
	    &b,
	    "<svg class=\"totp-qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" role=\"img\" shape-rendering=\"crispEdges\" "
	    "aria-label=\"",
	    size, size, size * SCALE, size * SCALE);
	html_attr(&b, label);
	buf_printf(&b,
	           "\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	           size, size);
	/* One rectangle per run of dark modules in a row (bit 0: dark). */
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			if (!(q->data[y * w + x] & 1)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < w && (q->data[y * w + x + run] & 1))
				run++;
			buf_printf(&b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
			x += run;
		}
	}
	buf_puts(&b, "\"/></svg>");
	QRcode_free(q);
	const char *svg = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return svg;
}
