/*
 * One worker's application state, set up once after fork() and kept for
 * every request: the database connection with its prepared statements, the
 * parsed templates, and the site data (settings, labels, category menu)
 * rebuilt only when the database changed. Per-request memory (arena and
 * output buffers) is owned here too and reset after each response.
 */
#ifndef GAZETTE_APP_H
#define GAZETTE_APP_H

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "db_public.h"
#include "http.h"
#include "tmpl.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

struct config;

struct app {
	struct db *db;  /* read-only: every public page */
	struct db *dbw; /* read-write, opened on first use by a route that writes */
	struct tmpl_set *tmpl;
	char db_path[1024];
	char media_dir[1024]; /* uploads: <dir of the database>/media unless configured */
	/* Deployment settings (app_configure), NULL when none: base URL,
	 * HTTPS, upload limit, trusted proxies. Not owned. */
	const struct config *config;

	bool schema_ok;
	char schema_msg[256];
	long long data_version;    /* PRAGMA data_version at the last check */
	long long site_generation; /* db_site_generation of the site data below */

	/* Site data, rebuilt when the site generation changes. */
	cJSON *site;   /* {name, logo, lang, timezone, footer:{...}} */
	cJSON *labels; /* {home: "Home", ...} in the site's language */
	cJSON *menu;   /* [{slug, name, url, children: [...]}] */
	char lang[4];
	struct arena site_arena;
	struct db_category *categories;
	size_t ncategories;
	/* The site fragments (site_*.html) are rendered from the site data
	 * above for this base path (page.c), false: not since its rebuild. */
	bool fragments_ok;
	char fragments_base[256];

	/* A FastCGI worker's public pages share one read snapshot for up to
	 * this many ms while requests keep coming (0: one per page); begun
	 * at snapshot_since (ms, CLOCK_MONOTONIC). app_handle, app_idle. */
	int snapshot_ms;
	long long snapshot_since;

	/* Per request, reused. */
	struct arena arena;
	struct buf headers, body;
	unsigned long requests;
};

/* Where templates are when neither --templates nor GAZETTE_TEMPLATES says. */
const char *app_default_templates(void);

/*
 * Opens the database read-only and parses the templates. A database whose
 * schema is not the code's does not fail here: the app then answers 503 and
 * logs why until it is migrated. Returns 0, or -1 with a message in err.
 */
int app_open(struct app *app, const char *db_path, const char *templates_dir, char *err,
	     size_t errlen);
void app_close(struct app *app);

/*
 * Applies deployment settings to an opened app: the media directory, and
 * for every request the configured base URL, forced HTTPS, upload limit and
 * the client address behind trusted proxies. cfg must outlive the app.
 */
void app_configure(struct app *app, const struct config *cfg);

/* Answers one request read from io, whatever it holds: never fails to
 * answer, never lets an error escape. */
void app_handle(struct app *app, struct http_io *io);

/* Ends the shared read snapshot (snapshot_ms): a worker about to wait for
 * the next request must not hold one, or the WAL could not be
 * checkpointed past it while the site is quiet. */
void app_idle(struct app *app);

/* The writable connection, opened on first use; NULL (logged) if it cannot
 * be opened. */
struct db *app_writer(struct app *app);

/* Rebuilds the site data if another connection wrote since (the front
 * line calls it for every request); app_reload rebuilds it in any case. */
enum db_result app_refresh(struct app *app);
enum db_result app_reload(struct app *app);

/* Site data lookups for pages. */
const char *app_setting(const struct app *app, const char *key);
/* "YYYY-MM-DD HH:MM:SS" of t in the site's time zone, in the arena. */
const char *app_local_time(struct arena *a, long long t);
/* Milliseconds of CLOCK_MONOTONIC: for intervals. */
long long app_clock_ms(void);
/* The category with this id, or NULL. */
const struct db_category *app_category(const struct app *app, long long id);

#endif
