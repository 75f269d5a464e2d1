/*
 * libFuzzer harness for the query string parser (http_parse_query) and the
 * percent-decoder under it (valid_pct_decode).
 *
 * The input, cut at its first NUL as an environment would, is QUERY_STRING
 * for a table that declares a field of every kind; fields that pass must
 * keep their kind's promise (fuzz_http.h). Then the whole input, NULs
 * included, is decoded with each of the four flag combinations and
 * compared with a plain reference decoder written here from the contract
 * in valid.h: same answer, same bytes. Each decoded string then meets the
 * other validators a handler applies, whose answers must keep their
 * promises: an accepted integer is spelled the one way "%lld" spells it,
 * an accepted time names the same calendar date and time once its offset
 * is applied back.
 */
#include "fuzz_http.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct field_spec fields[] = {
    {"page", FIELD_INT, 1, 1000},
    {"n", FIELD_INT, -9223372036854775807LL - 1, 9223372036854775807LL},
    {"id", FIELD_INT, 0, 0},
    {"q", FIELD_LINE, 0, 10},
    {"title", FIELD_LINE, 0, 300},
    {"body", FIELD_TEXT, 0, 50},
    {"c", FIELD_SLUG, 0, 0},
    {"a", FIELD_LINE, 0, 0},
    {"b", FIELD_TEXT, 0, 0},
    {"", FIELD_LINE, 0, 20},
    {NULL, 0, 0, 0},
};

static int hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The contract of valid_pct_decode, the slow way: decode every escape,
 * then (multi-line) turn CRLF and lone CR into LF, then refuse NUL,
 * control bytes other than TAB (and LF when multi-line), DEL and invalid
 * UTF-8. Returns a malloc'd string or NULL. */
static char *reference(const uint8_t *s, size_t n, int flags)
{
	char *raw = xmalloc(n + 1), *out = xmalloc(n + 1);
	size_t r = 0, j = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c == '%') {
			if (n - i < 3 || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
				goto bad;
			c = (uint8_t)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else if (c == '+' && (flags & VALID_PLUS_SPACE)) {
			c = ' ';
		}
		raw[r++] = (char)c;
	}
	for (size_t i = 0; i < r; i++) {
		uint8_t c = (uint8_t)raw[i];
		if (c == '\r' && (flags & VALID_MULTILINE)) {
			c = '\n';
			if (i + 1 < r && raw[i + 1] == '\n')
				i++;
		}
		bool ok = c == '\n' ? (flags & VALID_MULTILINE) != 0 : (c >= 0x20 || c == '\t');
		if (!ok || c == 0x7F)
			goto bad;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	free(raw);
	if (!valid_utf8(out, j)) {
		free(out);
		return NULL;
	}
	return out;
bad:
	free(raw);
	free(out);
	return NULL;
}

static void check_validators(const char *s)
{
	long long v;
	if (valid_int(s, -9223372036854775807LL - 1, 9223372036854775807LL, &v)) {
		char back[32];
		snprintf(back, sizeof back, "%lld", v);
		if (strcmp(back, s) != 0)
			abort(); /* one spelling per number */
	}
	if (valid_time(s, &v)) {
		long long offset = 0;
		const char *z = s + 19;
		if (*z == '+' || *z == '-')
			offset = (((z[1] - '0') * 10 + (z[2] - '0')) * 3600 +
			          ((z[4] - '0') * 10 + (z[5] - '0')) * 60) *
			         (*z == '-' ? -1 : 1);
		time_t t = (time_t)(v + offset);
		struct tm tm;
		char back[32];
		if (!gmtime_r(&t, &tm) || !strftime(back, sizeof back, "%Y-%m-%d %H:%M:%S", &tm))
			abort();
		back[10] = s[10];
		if (strncmp(back, s, 19) != 0)
			abort(); /* the date exists and is the one written */
	}
	(void)valid_local_time(s, &v);
	(void)valid_username(s);
	(void)valid_role(s);
	(void)valid_status(s);
	(void)valid_timezone(s);
}

/* The decoder and the reference agree: both refuse, or both give the same
 * string (a CR from an escape and a literal LF after it, or the other way
 * round, are one line break too). */
static void check_decode(struct arena *a, const uint8_t *data, size_t size, int flags)
{
	char *got = valid_pct_decode(a, (const char *)data, size, flags);
	char *want = reference(data, size, flags);
	if (!got != !want || (got && strcmp(got, want) != 0))
		abort();
	if (got && (strchr(got, '\r') || (!(flags & VALID_MULTILINE) && strchr(got, '\n'))))
		abort();
	if (got)
		check_validators(got);
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_req f;
	fuzz_req_begin(&f, NULL, 0, 0);
	fuzz_req_envs(&f, "REQUEST_METHOD", "GET");
	fuzz_req_envs(&f, "PATH_INFO", "/search");
	fuzz_req_env(&f, "QUERY_STRING", data, size);
	int rc = fuzz_req_init(&f);
	if (rc != 0 && rc != 414)
		abort();
	if (rc == 0) {
		rc = http_parse_query(&f.req, fields);
		if (rc != 0 && rc != 400)
			abort();
		if (rc == 0)
			fuzz_check_fields(&f.req, fields);
		if (rc == 0 && f.req.bad_field)
			abort();
		check_validators(f.req.query);
	}
	for (int flags = 0; flags < 4; flags++)
		check_decode(&f.arena, data, size, flags);
	fuzz_req_end(&f);
	return 0;
}
