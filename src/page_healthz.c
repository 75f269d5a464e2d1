/* GET /healthz: for load balancers and monitors. */
#include "page.h"

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
