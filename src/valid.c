/* Validators and percent-decoding for everything that comes from outside. */
#include "valid.h"
#include "arena.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

size_t valid_utf8_char(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned min;
	unsigned cp;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, min = 0x80, cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, min = 0x800, cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, min = 0x10000, cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

bool valid_utf8(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		/* Most text is ASCII: skip eight such bytes at a time (no byte
		 * with its high bit set, none zero). */
		while (n - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) ||
			    ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
				break;
			i += 8;
		}
		if (i == n)
			break;
		const unsigned char *u = (const unsigned char *)s + i;
		if (u[0] == '\0')
			return false;
		if (u[0] < 0x80) {
			i++;
			continue;
		}
		/* Chinese text is runs of three-byte characters; with lead byte
		 * E1-EC or EE-EF any two continuation bytes make a valid one (E0
		 * and ED have narrower ranges: overlongs, surrogates). */
		size_t from = i;
		while (n - i >= 3 && ((u[0] >= 0xE1 && u[0] <= 0xEC) || u[0] >= 0xEE) &&
		       u[0] <= 0xEF && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
			i += 3;
			u += 3;
		}
		if (i != from)
			continue;
		size_t k = valid_utf8_char(s + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

size_t valid_utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *valid_pct_decode(struct arena *a, const char *s, size_t n, int flags)
{
	char *out = arena_alloc(a, n + 1);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi, lo;
			if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
				return NULL;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && (flags & VALID_PLUS_SPACE)) {
			c = ' ';
		}
		if (c == '\r' && (flags & VALID_MULTILINE)) {
			/* CRLF and lone CR both become LF; a following LF is dropped below. */
			c = '\n';
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
			else if (i + 3 < n && s[i + 1] == '%' && s[i + 2] == '0' &&
				 (s[i + 3] == 'A' || s[i + 3] == 'a'))
				i += 3;
		}
		if (c == '\0')
			return NULL;
		if ((c == '\n') ? !(flags & VALID_MULTILINE) : (c < 0x20 && c != '\t') || c == 0x7F)
			return NULL;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	if (!valid_utf8(out, j))
		return NULL;
	return out;
}

/* One pass: control characters, UTF-8 and the length in characters. */
static bool valid_chars(const char *s, size_t max, bool multiline)
{
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; chars++) {
		if (*p >= 0x80) {
			size_t k = valid_utf8_char((const char *)p, 4);
			if (!k)
				return false;
			p += k;
			continue;
		}
		if ((*p < 0x20 && *p != '\t' && !(*p == '\n' && multiline)) || *p == 0x7F)
			return false;
		p++;
	}
	return chars <= max;
}

bool valid_line(const char *s, size_t max)
{
	return s && valid_chars(s, max, false);
}

bool valid_text(const char *s, size_t max)
{
	return s && valid_chars(s, max, true);
}

bool valid_int(const char *s, long long min, long long max, long long *out)
{
	if (!s || !*s || strlen(s) > 19)
		return false;
	const char *p = s;
	if (*p == '-')
		p++;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	if (p[0] == '0' && (p[1] || p != s))
		return false; /* no leading zeros, no "-0": one spelling per number */
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	/* Why ERANGE: strtoll clamps an overflow to LLONG_MAX, another number. */
	if (*end || errno == ERANGE || v < min || v > max)
		return false;
	if (out)
		*out = v;
	return true;
}

bool valid_slug(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool valid_username(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

bool valid_role(const char *s)
{
	return s && (!strcmp(s, "author") || !strcmp(s, "editor") || !strcmp(s, "admin"));
}

bool valid_status(const char *s)
{
	return s && (!strcmp(s, "draft") || !strcmp(s, "in_review") || !strcmp(s, "scheduled") ||
		     !strcmp(s, "published") || !strcmp(s, "archived"));
}

bool valid_timezone(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64 || s[0] == '/' || strstr(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '+'))
			return false;
	}
	if (!strcmp(s, "UTC"))
		return true;
	char path[128];
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", s);
	/* Why the magic: zoneinfo also holds files that are not zones
	 * (leapseconds, tzdata.zi); a compiled zone starts with "TZif". */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	struct stat st;
	char magic[4];
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		  read(fd, magic, sizeof magic) == (ssize_t)sizeof magic &&
		  memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool valid_time(const char *s, long long *out)
{
	int Y, M, D, h, m, sec;
	size_t n = s ? strlen(s) : 0;
	if (n < 19 || !digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' ||
	    !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &m) || s[16] != ':' || !digits(s + 17, 2, &sec))
		return false;
	if (Y < 1970 || Y > 9999 || M < 1 || M > 12 || D < 1 || h > 23 || m > 59 || sec > 59)
		return false;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
	if (D > mdays[M - 1] + (M == 2 && leap))
		return false;
	long long offset = 0;
	const char *z = s + 19;
	if (*z == 'Z' && !z[1]) {
		offset = 0;
	} else if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
		int oh, om;
		if (!digits(z + 1, 2, &oh) || !digits(z + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		offset = (oh * 3600 + om * 60) * (*z == '-' ? -1 : 1);
	} else if (*z || s[10] != ' ') {
		return false;
	}
	struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D,
			.tm_hour = h, .tm_min = m, .tm_sec = sec};
	*out = (long long)timegm(&tm) - offset;
	return true;
}

bool valid_local_time(const char *s, long long *out)
{
	int Y, M, D, h, m, sec = 0;
	size_t n = s ? strlen(s) : 0;
	if ((n != 16 && n != 19) || !digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) ||
	    s[7] != '-' || !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &m) ||
	    (n == 19 && (s[16] != ':' || !digits(s + 17, 2, &sec))))
		return false;
	char full[32];
	snprintf(full, sizeof full, "%.10s %.2s:%.2s:%02dZ", s, s + 11, s + 14, sec);
	long long utc;
	if (!valid_time(full, &utc)) /* checks the calendar: month, day, leap years */
		return false;
	struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h,
			.tm_min = m, .tm_sec = sec, .tm_isdst = -1};
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (long long)t;
	return true;
}
