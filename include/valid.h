/*
 * The input module's validators: every byte that comes from outside (a URL,
 * a form, a cookie, a CLI argument, an import file) is checked here before
 * the rest of the code sees it. Functions are pure and never allocate,
 * except valid_pct_decode which writes into an arena.
 */
#ifndef GAZETTE_VALID_H
#define GAZETTE_VALID_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* Length (1-4) of the well-formed UTF-8 character at s (at most n bytes),
 * or 0 when it is malformed, overlong, a surrogate or above U+10FFFF. */
size_t valid_utf8_char(const char *s, size_t n);
/* True when s[0..n) is entirely well-formed UTF-8 without NUL bytes. */
bool valid_utf8(const char *s, size_t n);
/* Number of characters (code points) in valid UTF-8 s. */
size_t valid_utf8_len(const char *s);

enum {
	VALID_PLUS_SPACE = 1, /* '+' means a space (application/x-www-form-urlencoded) */
	VALID_MULTILINE = 2,  /* allow LF (CRLF and CR become LF); else CR and LF are refused */
};
/*
 * Percent-decodes s[0..n) into a NUL-terminated string in the arena.
 * Returns NULL when the input has a bad escape (% not followed by two hex
 * digits), decodes to NUL, to CR/LF (without VALID_MULTILINE), to another
 * control character other than TAB, or to invalid UTF-8.
 */
char *valid_pct_decode(struct arena *a, const char *s, size_t n, int flags);

/* A single line of text: valid UTF-8, no control characters, at most max
 * characters. */
bool valid_line(const char *s, size_t max);
/* Multi-line text: valid UTF-8, no control characters but LF and TAB, at
 * most max characters. */
bool valid_text(const char *s, size_t max);
/* Decimal integer in [min, max] with no sign games ("+1", " 1", "1x", "" fail). */
bool valid_int(const char *s, long long min, long long max, long long *out);
/* Category slug: 1-64 of [a-z0-9-], not starting or ending with '-'. */
bool valid_slug(const char *s);
/* User name: 1-64 of [A-Za-z0-9._-], starting with a letter or digit. */
bool valid_username(const char *s);
/* "author", "editor" or "admin" (author < editor < admin). */
bool valid_role(const char *s);
/* "draft", "in_review", "scheduled", "published" or "archived". */
bool valid_status(const char *s);
/* An IANA zone name that exists in the system's zoneinfo ("UTC", "Asia/Shanghai"). */
bool valid_timezone(const char *s);
/* A time "YYYY-MM-DDTHH:MM:SS" with "Z" or "+HH:MM"/"-HH:MM", or
 * "YYYY-MM-DD HH:MM:SS" read as UTC; sets *out to Unix seconds. */
bool valid_time(const char *s, long long *out);
/* A wall-clock time "YYYY-MM-DDTHH:MM[:SS]" (or with a space) in the
 * process's time zone (workers set it to the site's), as an HTML
 * datetime-local field sends it; sets *out to Unix seconds. */
bool valid_local_time(const char *s, long long *out);

#endif
