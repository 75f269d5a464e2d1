/* The shared read snapshot of a worker's public pages (app.h, snapshot_ms),
 * in process, with a second connection writing between requests: a visitor's
 * page reads the snapshot while it is younger than snapshot_ms; a request
 * with a session, any other route, app_idle and age each end it. */
#include "app.h"
#include "db.h"
#include "scratch_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct buf response;

static int no_input(void *ctx, char *dst, int n)
{
	(void)ctx, (void)dst, (void)n;
	return 0;
}

static int collect(void *ctx, const char *src, int n)
{
	(void)ctx;
	buf_put(&response, src, (size_t)n);
	return n;
}

/* The response to method path, with the session cookie when cookie is set. */
static const char *request(struct app *app, const char *method, const char *path, bool cookie)
{
	char uri[128], verb[32];
	snprintf(uri, sizeof uri, "REQUEST_URI=%s", path);
	snprintf(verb, sizeof verb, "REQUEST_METHOD=%s", method);
	char *env[] = {verb, uri, "SCRIPT_NAME=", "HTTP_HOST=localhost", "CONTENT_LENGTH=0",
		       cookie ? "HTTP_COOKIE=gz_session=none" : "HTTP_X_NONE=1", NULL};
	struct http_io io = {env, no_input, collect, NULL};
	buf_reset(&response);
	app_handle(app, &io);
	return buf_cstr(&response);
}

static const char *get(struct app *app, const char *path, bool cookie)
{
	return request(app, "GET", path, cookie);
}

static void retitle(struct db *w, const char *title)
{
	sqlite3_stmt *st;
	CHECK(sqlite3_prepare_v2(w->h, "UPDATE articles SET title = ?1 WHERE id = 1", -1,
				 &st, NULL) == SQLITE_OK);
	sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
	CHECK(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

int main(void)
{
	const char *src = getenv("GAZETTE_SOURCE");
	char path[700], templates[700], err[300];
	snprintf(templates, sizeof templates, "%s/templates", src ? src : ".");
	struct db *w = scratch_db_open("test_snapshot", path, sizeof path);
	if (!w)
		return check_done("test_snapshot");
	CHECK(sqlite3_exec(w->h,
			   "INSERT INTO categories(slug, name, position, created_at) VALUES ('news', 'News', 1, 1);"
			   "INSERT INTO articles(id, category_id, title, body_html, status, "
			   "published_at, created_at, updated_at) "
			   "VALUES (1, 1, 'First', '<p>b</p>', 'published', 1, 1, 1);",
			   NULL, NULL, NULL) == SQLITE_OK);

	struct app app;
	CHECK(app_open(&app, path, templates, err, sizeof err) == 0);
	app.snapshot_ms = 60000; /* long, so that timing cannot decide */

	CHECK(strstr(get(&app, "/a/1", false), "First") != NULL);
	retitle(w, "Second");
	CHECK(strstr(get(&app, "/a/1", false), "First") != NULL); /* the shared snapshot */
	CHECK(strstr(get(&app, "/api/articles/1", false), "First") != NULL);
	/* A request with a session reads the latest, and begins a new snapshot. */
	CHECK(strstr(get(&app, "/a/1", true), "Second") != NULL);
	retitle(w, "Third");
	CHECK(strstr(get(&app, "/a/1", false), "Second") != NULL);
	/* Waiting for the next request ends it. */
	app_idle(&app);
	CHECK(strstr(get(&app, "/a/1", false), "Third") != NULL);
	/* So does any route but a public page's. */
	retitle(w, "Fourth");
	get(&app, "/editor/login", false);
	CHECK(strstr(get(&app, "/a/1", false), "Fourth") != NULL);
	/* A view count reads in a young snapshot and keeps it... */
	request(&app, "POST", "/api/articles/1/view", false);
	CHECK(db_in_transaction(app.db));
	/* ...and ends an old one, as a page does. */
	app.snapshot_ms = 10;
	sleep_ms(30);
	request(&app, "POST", "/api/articles/1/view", false);
	CHECK(!db_in_transaction(app.db));
	retitle(w, "Fifth");
	get(&app, "/a/1", false);
	retitle(w, "Sixth");
	sleep_ms(30);
	CHECK(strstr(get(&app, "/a/1", false), "Sixth") != NULL);
	/* None shared (the keeper, a CGI): every page reads the latest. */
	app.snapshot_ms = 0;
	retitle(w, "Seventh");
	CHECK(strstr(get(&app, "/a/1", false), "Seventh") != NULL);
	CHECK(!db_in_transaction(app.db));

	app_close(&app);
	scratch_db_remove(w, path);
	buf_free(&response);
	return check_done("test_snapshot");
}
