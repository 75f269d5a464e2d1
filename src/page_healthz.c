/* GET /healthz: for load balancers and monitors. */
#include "page.h"

#include <stdlib.h>
#include <string.h>

void page_healthz(struct app *app, struct http_req *req)
{
	char msg[256];
	req->content_type = "text/plain; charset=utf-8";
	/* Healthy means: the database answers and its schema is the code's, so
	 * every page can be served. */
	if (db_ping(app->db) != DB_OK || db_schema_check(app->db, msg, sizeof msg) != 0) {
		req->status = 503;
		http_header(req, "Retry-After", "5");
		buf_puts(req->body, "unavailable\n");
		return;
	}
	buf_puts(req->body, "ok\n");
}

const struct field_spec page_bench_fields[] = {
	{"size", FIELD_INT, 0, 1 << 20},
	{NULL, 0, 0, 0},
};

/* GET /_bench/bytes?size=N: N bytes from memory, no database, no template:
 * the transport limit bench/run.sh compares real pages with. Answers 404
 * unless the workers run with GAZETTE_BENCH=1. */
void page_bench_bytes(struct app *app, struct http_req *req)
{
	static char *bytes;
	static size_t have;
	const struct field_value *f = http_field(req, "size");
	size_t n = f ? (size_t)f->num : 10000;
	if (!getenv("GAZETTE_BENCH")) {
		page_error(app, req, 404);
		return;
	}
	if (have < n) {
		bytes = xrealloc(bytes, n);
		memset(bytes, 'x', n);
		have = n;
	}
	buf_put(req->body, bytes, n);
}
