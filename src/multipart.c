/*
 * multipart/form-data parser. The body is untrusted binary data of a known
 * length: every scan below is bounded by `end`, uses memchr/memmem rather
 * than string functions, and copies a header line into the arena (as a C
 * string) only after checking that it is short and free of control bytes.
 */
#include "multipart.h"
#include "valid.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* RFC 7230 tchar: what a header name or parameter name may hold. */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 2046 bchars: what a boundary may hold. */
static bool is_bchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("'()+_,-./:=? ", c));
}

static const char *skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Replaces the three escapes browsers use inside quoted form-data names
 * (WHATWG HTML: %0A, %0D, %22) in place. */
static void unescape_name(char *s)
{
	char *o = s;
	while (*s) {
		if (s[0] == '%' && s[1] == '0' && s[2] == 'A') {
			*o++ = '\n';
			s += 3;
		} else if (s[0] == '%' && s[1] == '0' && s[2] == 'D') {
			*o++ = '\r';
			s += 3;
		} else if (s[0] == '%' && s[1] == '2' && s[2] == '2') {
			*o++ = '"';
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/*
 * Reads the next `; name=value` parameter of a header value at *sp (a C
 * string). The value is a run of bytes without space, tab, ';' or '"', or a
 * quoted string as browsers write it: everything up to the next '"', with
 * no backslash escapes. Returns 1 with name (nlen bytes, not terminated)
 * and value (an arena copy), 0 at the end, -1 when malformed.
 */
static int next_param(struct arena *a, const char **sp, const char **name, size_t *nlen,
                      char **value)
{
	const char *s = skip_ows(*sp);
	if (!*s)
		return 0;
	if (*s != ';')
		return -1;
	s = skip_ows(s + 1);
	size_t n = 0;
	while (is_tchar(s[n]))
		n++;
	if (!n)
		return -1;
	*name = s;
	*nlen = n;
	s = skip_ows(s + n);
	if (*s != '=')
		return -1;
	s = skip_ows(s + 1);
	if (*s == '"') {
		const char *close = strchr(s + 1, '"');
		if (!close)
			return -1; /* unterminated quote */
		*value = arena_strndup(a, s + 1, (size_t)(close - s - 1));
		s = close + 1;
	} else {
		size_t m = strcspn(s, " \t;\"");
		if (!m)
			return -1;
		*value = arena_strndup(a, s, m);
		s += m;
	}
	*sp = s;
	return 1;
}

static bool param_is(const char *name, size_t nlen, const char *want)
{
	return nlen == strlen(want) && strncasecmp(name, want, nlen) == 0;
}

/* The boundary of a multipart/form-data Content-Type into out (at least
 * MULTIPART_MAX_BOUNDARY + 1 bytes). Returns 0, 415 or 400. */
static int parse_content_type(struct arena *a, const char *ct, char *out)
{
	static const char type[] = "multipart/form-data";
	const char *s = skip_ows(ct ? ct : "");
	if (strncasecmp(s, type, sizeof type - 1) != 0)
		return 415;
	s += sizeof type - 1;
	if (*s && *s != ';' && *s != ' ' && *s != '\t')
		return 415; /* "multipart/form-dataX" is another type */
	const char *pname, *boundary = NULL;
	size_t plen;
	char *v;
	int r;
	while ((r = next_param(a, &s, &pname, &plen, &v)) == 1) {
		if (param_is(pname, plen, "boundary")) {
			if (boundary)
				return 400; /* two boundaries: which one splits the body? */
			boundary = v;
		}
	}
	if (r < 0 || !boundary)
		return 400;
	size_t n = strlen(boundary);
	/* Why: RFC 2046 limits boundaries to 70 bchars not ending in a space;
	 * anything else is a client bug or an attempt to confuse parsers that
	 * disagree on where parts start. */
	if (n < 1 || n > MULTIPART_MAX_BOUNDARY || boundary[n - 1] == ' ')
		return 400;
	for (size_t i = 0; i < n; i++)
		if (!is_bchar(boundary[i]))
			return 400;
	memcpy(out, boundary, n + 1);
	return 0;
}

/* Content-Disposition: form-data; name="…"[; filename="…"]. */
static int parse_disposition(struct arena *a, const char *value, struct multipart_part *part)
{
	const char *s = value;
	size_t n = 0;
	while (is_tchar(s[n]))
		n++;
	if (n != 9 || strncasecmp(s, "form-data", 9) != 0)
		return 400;
	s += n;
	const char *pname;
	size_t plen;
	char *v, *name = NULL, *filename = NULL;
	int r;
	while ((r = next_param(a, &s, &pname, &plen, &v)) == 1) {
		char **slot = param_is(pname, plen, "name")       ? &name
		              : param_is(pname, plen, "filename") ? &filename
		                                                  : NULL;
		if (!slot)
			continue; /* filename* and others: RFC 7578 §4.2 says ignore */
		if (*slot)
			return 400; /* a repeated name is ambiguous */
		unescape_name(v);
		if (!valid_utf8(v, strlen(v)))
			return 400;
		*slot = v;
	}
	if (r < 0 || !name || !*name)
		return 400;
	part->name = name;
	part->filename = filename;
	return 0;
}

/* One header line (a C string without CR, LF or other control bytes). */
static int parse_header_line(struct arena *a, char *line, struct multipart_part *part,
                             bool *have_cd)
{
	char *colon = strchr(line, ':');
	if (!colon || colon == line)
		return 400;
	for (const char *c = line; c < colon; c++)
		if (!is_tchar(*c))
			return 400;
	*colon = '\0';
	char *value = (char *)skip_ows(colon + 1);
	size_t vlen = strlen(value);
	while (vlen && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
		value[--vlen] = '\0';
	if (!strcasecmp(line, "Content-Disposition")) {
		if (*have_cd)
			return 400;
		*have_cd = true;
		return parse_disposition(a, value, part);
	}
	if (!strcasecmp(line, "Content-Type")) {
		if (part->content_type)
			return 400;
		part->content_type = value;
	}
	return 0; /* other headers (Content-Transfer-Encoding …) are ignored */
}

/*
 * The header block of a part starting at *pp, up to and including its blank
 * line. dash is "--boundary" (dlen bytes): a line starting with it is the
 * next delimiter, met before the headers ended.
 */
static int parse_headers(struct arena *a, const char **pp, const char *end, const char *dash,
                         size_t dlen, struct multipart_part *part)
{
	const char *p = *pp;
	bool have_cd = false;
	for (;;) {
		size_t room = (size_t)(end - p);
		size_t span =
		    room < MULTIPART_MAX_HEADER_LINE + 1 ? room : MULTIPART_MAX_HEADER_LINE + 1;
		const char *cr = memchr(p, '\r', span);
		/* No CR within 1 KiB: an over-long line or a truncated body. A
		 * CR not followed by LF is a bare CR, never a line end. */
		if (!cr || end - cr < 2 || cr[1] != '\n')
			return 400;
		size_t n = (size_t)(cr - p);
		if (n == 0) {
			p += 2;
			break;
		}
		if (n >= dlen && memcmp(p, dash, dlen) == 0)
			return 400;
		/* Why: control bytes (NUL, bare LF, ESC …) in a header are never
		 * legitimate, and refusing them lets the line become a C string;
		 * a leading space is obsolete line folding. */
		if (p[0] == ' ' || p[0] == '\t')
			return 400;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return 400;
		}
		int rc = parse_header_line(a, arena_strndup(a, p, n), part, &have_cd);
		if (rc)
			return rc;
		p = cr + 2;
	}
	if (!have_cd)
		return 400;
	*pp = p;
	return 0;
}

int multipart_parse(struct arena *a, const char *content_type, const char *body, size_t len,
                    struct multipart_part **parts, size_t *nparts)
{
	*parts = NULL;
	*nparts = 0;
	char delim[4 + MULTIPART_MAX_BOUNDARY + 1] = "\r\n--";
	int rc = parse_content_type(a, content_type, delim + 4);
	if (rc)
		return rc;
	size_t dlen = strlen(delim);
	const char *dash = delim + 2; /* "--boundary": a delimiter without its CRLF */
	size_t dashlen = dlen - 2;
	if (!body) {
		body = "";
		len = 0;
	}
	const char *end = body + len, *p;

	/* The first delimiter opens the body, or follows a preamble and CRLF. */
	if (len >= dashlen && memcmp(body, dash, dashlen) == 0) {
		p = body + dashlen;
	} else {
		const char *d = memmem(body, len, delim, dlen);
		if (!d)
			return 400;
		p = d + dlen;
	}

	struct multipart_part *out = arena_calloc(a, MULTIPART_MAX_PARTS, sizeof *out);
	size_t n = 0;
	for (;;) {
		/* After a boundary: "--" closes the body (the epilogue after it
		 * is ignored), else optional padding and CRLF start a part. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return 400;
		p += 2;
		if (n == MULTIPART_MAX_PARTS)
			return 400;
		struct multipart_part *part = &out[n];
		rc = parse_headers(a, &p, end, dash, dashlen, part);
		if (rc)
			return rc;
		part->data = p;
		/* RFC 2046 lets a part end right after its headers: the blank
		 * line's CRLF is then the delimiter's. */
		if ((size_t)(end - p) >= dashlen && memcmp(p, dash, dashlen) == 0) {
			part->len = 0;
			p += dashlen;
		} else {
			const char *d = memmem(p, (size_t)(end - p), delim, dlen);
			if (!d)
				return 400; /* no delimiter after the data: truncated */
			part->len = (size_t)(d - p);
			p = d + dlen;
		}
		n++;
	}
	*parts = out;
	*nparts = n;
	return 0;
}

const struct multipart_part *multipart_find(const struct multipart_part *parts, size_t nparts,
                                            const char *name)
{
	for (size_t i = 0; i < nparts; i++)
		if (!strcmp(parts[i].name, name))
			return &parts[i];
	return NULL;
}

size_t multipart_count(const struct multipart_part *parts, size_t nparts, const char *name)
{
	size_t k = 0;
	for (size_t i = 0; i < nparts; i++)
		k += !strcmp(parts[i].name, name);
	return k;
}
