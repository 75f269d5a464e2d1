/*
 * libFuzzer harness for form bodies: urlencoded ones (http_parse_form) and
 * multipart ones (http_parse_multipart: the declared text parts become
 * fields), both over http_read_body. The first input byte picks the field
 * table (one with a field of every kind, or the form of a route of the
 * real routing table) and the Content-Type; the second how many bytes
 * io->read hands out at a time and the size limit; the rest is the body,
 * with CONTENT_LENGTH its size.
 *
 * Checks: the answer is one the contract lists (415 only for another
 * type, 413 only over the limit); an urlencoded body holding a NUL byte is
 * refused; every field that passed keeps its kind's promise (fuzz_http.h);
 * a multipart text field is exactly the bytes of its part, which lie
 * inside the body.
 */
#include "fuzz_http.h"
#include "multipart.h"
#include "route.h"

#include <stdbool.h>
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

/* Each text field of a multipart body is the first part of its name that
 * is not a file, copied byte for byte. */
static void check_parts(const struct http_req *req)
{
	for (size_t i = 0; i < req->nfields; i++) {
		const struct multipart_part *p = NULL;
		for (size_t j = 0; j < req->nparts && !p; j++)
			if (!req->parts[j].filename &&
			    !strcmp(req->parts[j].name, req->fields[i].spec->name))
				p = &req->parts[j];
		if (!p || strlen(req->fields[i].text) != p->len ||
		    memcmp(req->fields[i].text, p->data, p->len) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
	    "application/x-www-form-urlencoded",
	    "application/x-www-form-urlencoded; charset=UTF-8",
	    "text/plain",
	    "multipart/form-data; boundary=b",
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
	bool multipart = type == 3;
	int rc = multipart ? http_parse_multipart(&f.req, specs, max)
	                   : http_parse_form(&f.req, specs, max);
	if (rc != 0 && rc != 400 && rc != 413 && rc != 415)
		abort();
	if ((rc == 415) != (type == 2) || (rc == 413) != (type != 2 && size > max))
		abort();
	if (rc == 0 && !multipart && memchr(data, '\0', size))
		abort(); /* a NUL byte anywhere in a name or value is refused */
	if (rc == 0) {
		fuzz_check_fields(&f.req, specs);
		if (f.inpos != size)
			abort(); /* the whole body was read */
	}
	if (rc == 0 && multipart)
		check_parts(&f.req);
	fuzz_req_end(&f);
	return 0;
}
