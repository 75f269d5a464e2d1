/*
 * libFuzzer harness for urlencoded form bodies (http_parse_form over
 * http_read_body). The first input byte picks the field table (one with a
 * field of every kind, or the form of a route of the real routing table)
 * and the Content-Type spelling; the second how many bytes io->read hands
 * out at a time; the rest is the body, with CONTENT_LENGTH its size.
 *
 * Checks: the answer is one the contract lists (415 only for another
 * type, 413 only over the limit), a body holding a NUL byte is refused, and
 * every field that passed keeps its kind's promise (fuzz_http.h).
 */
#include "fuzz_http.h"
#include "route.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct field_spec every_kind[] = {
	{"page", FIELD_INT, 1, 1000},
	{"id", FIELD_INT, -5, 5},
	{"title", FIELD_LINE, 0, 30},
	{"body", FIELD_TEXT, 0, 200},
	{"category", FIELD_SLUG, 0, 0},
	{"csrf", FIELD_LINE, 0, 64},
	{NULL, 0, 0, 0},
};

/* every_kind, then the form tables of the routing table. */
static const struct field_spec *pick_table(unsigned k)
{
	static const struct field_spec *tables[64];
	static size_t n;
	if (!n) {
		tables[n++] = every_kind;
		for (const struct route *r = route_table; r->pattern && n < 64; r++)
			if (r->form)
				tables[n++] = r->form;
	}
	return tables[k % n];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
		"application/x-www-form-urlencoded",
		"application/x-www-form-urlencoded; charset=UTF-8",
		"Application/X-WWW-Form-Urlencoded",
		"multipart/form-data; boundary=x",
	};
	if (size < 2)
		return 0;
	const struct field_spec *specs = pick_table(data[0] & 0x3f);
	int type = data[0] >> 6;
	size_t chunk = data[1] & 15;
	size_t max = data[1] & 0x80 ? 64 : 1 << 20;
	data += 2;
	size -= 2;

	struct fuzz_req f;
	char cl[32];
	snprintf(cl, sizeof cl, "%zu", size);
	fuzz_req_begin(&f, data, size, chunk);
	fuzz_req_envs(&f, "REQUEST_METHOD", "POST");
	fuzz_req_envs(&f, "PATH_INFO", "/editor/articles/new");
	fuzz_req_envs(&f, "CONTENT_TYPE", types[type]);
	fuzz_req_envs(&f, "CONTENT_LENGTH", cl);
	if (fuzz_req_init(&f) != 0)
		abort();
	int rc = http_parse_form(&f.req, specs, max);
	if (rc != 0 && rc != 400 && rc != 413 && rc != 415)
		abort();
	if ((rc == 415) != (type == 3) || (rc == 413) != (type != 3 && size > max))
		abort();
	if (rc == 0 && memchr(data, '\0', size))
		abort(); /* a NUL byte anywhere in a name or value is refused */
	if (rc == 0) {
		fuzz_check_fields(&f.req, specs);
		if (f.inpos != size)
			abort(); /* the whole body was read */
	}
	fuzz_req_end(&f);
	return 0;
}
