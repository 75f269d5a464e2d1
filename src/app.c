/* A worker's state and the front line every request passes through. */
#include "app.h"
#include "auth.h"
#include "auth_totp.h"
#include "config.h"
#include "i18n.h"
#include "json.h"
#include "log.h"
#include "page.h"
#include "route.h"
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Largest urlencoded form we read (an article's Markdown fits many times). */
#define APP_FORM_MAX (2u << 20)
/* Largest multipart form: one image (media.h) and its envelope. */
#define APP_UPLOAD_ENVELOPE (64u * 1024)
#define APP_UPLOAD_MAX (10u * 1024 * 1024 + APP_UPLOAD_ENVELOPE)

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *app_default_templates(void)
{
	/* An installed Gazette keeps its templates in the data dir beside its
	 * bin/ (so an install moved or made with `cmake --install --prefix`
	 * still finds its own), else under the data dir chosen at build time;
	 * a build tree uses the source tree's. */
	static char beside[1024];
	char exe[900];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(beside, sizeof beside, "%s/%s/templates", exe,
				 GAZETTE_DATADIR_FROM_BINDIR);
			if (is_dir(beside))
				return beside;
		}
	}
	static const char installed[] = GAZETTE_DATADIR "/templates";
	if (is_dir(installed))
		return installed;
	return GAZETTE_SOURCE_DIR "/templates";
}

int app_open(struct app *app, const char *db_path, const char *templates_dir, char *err,
	     size_t errlen)
{
	memset(app, 0, sizeof *app);
	app->data_version = -1;
	app->site_generation = -1;
	snprintf(app->db_path, sizeof app->db_path, "%s", db_path);
	/* Uploads live beside the database (run.sh: $GAZETTE_DATA/media). */
	const char *slash = strrchr(db_path, '/');
	int dirlen = slash ? (int)(slash - db_path) : 1;
	snprintf(app->media_dir, sizeof app->media_dir, "%.*s/media", dirlen,
		 slash ? db_path : ".");
	app->tmpl = tmpl_set_load(templates_dir, err, errlen);
	if (!app->tmpl)
		return -1;
	/* Public pages never write: a read-only handle makes that a property of
	 * the connection rather than of every handler. */
	app->db = db_open(db_path, DB_READONLY, err, errlen);
	if (!app->db) {
		tmpl_set_free(app->tmpl);
		app->tmpl = NULL;
		return -1;
	}
	return 0;
}

void app_configure(struct app *app, const struct config *cfg)
{
	app->config = cfg;
	if (cfg->media_dir[0])
		snprintf(app->media_dir, sizeof app->media_dir, "%s", cfg->media_dir);
}

/* What the deployment settings change in a request, right after it is read. */
static void apply_config(const struct config *cfg, struct http_req *req)
{
	if (cfg->base_url[0])
		req->base_url = cfg->base_url;
	/* Why: behind a proxy that ends TLS the server sees plain HTTP; the
	 * admin saying so keeps session cookies Secure anyway. */
	if (cfg->https == CONFIG_HTTPS_ON || !strncmp(cfg->base_url, "https:", 6))
		req->https = true;
	char addr[64];
	const char *client = config_client_addr(cfg, req->remote_addr,
						http_env(req, "HTTP_X_FORWARDED_FOR"),
						http_env(req, "HTTP_X_REAL_IP"), addr, sizeof addr);
	if (client != req->remote_addr)
		req->remote_addr = arena_strdup(req->arena, client);
}

/* Whether a multipart body is over the configured upload limit (one image
 * plus its form envelope); checked on the announced length, before reading. */
static bool upload_too_big(const struct app *app, const struct http_req *req)
{
	if (!app->config || req->method != HTTP_POST ||
	    !http_content_type_is(req, "multipart/form-data"))
		return false;
	const char *cl = http_env(req, "CONTENT_LENGTH");
	unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;
	return n > app->config->upload_max + APP_UPLOAD_ENVELOPE;
}

static void site_clear(struct app *app)
{
	struct arena *request = json_arena_now(); /* the site data was malloc'd */
	json_use_arena(NULL);
	cJSON_Delete(app->site);
	cJSON_Delete(app->labels);
	cJSON_Delete(app->menu);
	json_use_arena(request);
	app->site = app->labels = app->menu = NULL;
	arena_reset(&app->site_arena);
	app->categories = NULL;
	app->ncategories = 0;
}

void app_close(struct app *app)
{
	site_clear(app);
	arena_free(&app->site_arena);
	arena_free(&app->arena);
	buf_free(&app->headers);
	buf_free(&app->body);
	tmpl_set_free(app->tmpl);
	db_close(app->db);
	db_close(app->dbw);
	memset(app, 0, sizeof *app);
}

static void setting_row(const char *key, const char *value, void *ctx)
{
	cJSON *values = ctx;
	if (settings_check(key, value) == NULL) /* ignore rows this code does not know */
		cJSON_AddStringToObject(values, key, value);
}

const char *app_setting(const struct app *app, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(app->site, "settings"), key);
	if (cJSON_IsString(v))
		return v->valuestring;
	const char *d = settings_default(key);
	return d ? d : "";
}

struct db *app_writer(struct app *app)
{
	if (!app->dbw) {
		char err[512];
		app->dbw = db_open(app->db_path, 0, err, sizeof err);
		if (!app->dbw)
			log_error("%s", err);
	}
	return app->dbw;
}

const struct db_category *app_category(const struct app *app, long long id)
{
	for (size_t i = 0; i < app->ncategories; i++)
		if (app->categories[i].id == id)
			return &app->categories[i];
	return NULL;
}

/* Rebuilds site, labels and menu from the database. */
static enum db_result site_build_nodes(struct app *app);

static enum db_result site_build(struct app *app)
{
	struct arena *request = json_arena_now();
	json_use_arena(NULL);
	enum db_result r = site_build_nodes(app);
	json_use_arena(request);
	return r;
}

static enum db_result site_build_nodes(struct app *app)
{
	site_clear(app);
	app->fragments_ok = false;
	app->site = cJSON_CreateObject();
	cJSON *values = cJSON_AddObjectToObject(app->site, "settings");
	enum db_result r = db_settings_each(app->db, setting_row, values);
	if (r != DB_OK)
		return r;
	r = db_categories_all(app->db, &app->site_arena, &app->categories, &app->ncategories);
	if (r != DB_OK)
		return r;

	const char *lang = app_setting(app, "ui_language");
	snprintf(app->lang, sizeof app->lang, "%s", strcmp(lang, "zh") ? "en" : "zh");
	cJSON_AddStringToObject(app->site, "name", app_setting(app, "site_name"));
	cJSON_AddStringToObject(app->site, "logo", app_setting(app, "logo"));
	cJSON_AddStringToObject(app->site, "lang", app->lang);
	cJSON *footer = cJSON_AddObjectToObject(app->site, "footer");
	static const char *const footer_keys[] = {"address", "zip", "hotline", "email",
						   "copyright", "icp", "police", "support"};
	for (size_t i = 0; i < sizeof footer_keys / sizeof footer_keys[0]; i++) {
		char key[32];
		snprintf(key, sizeof key, "footer_%s", footer_keys[i]);
		cJSON_AddStringToObject(footer, footer_keys[i], app_setting(app, key));
	}
	app->labels = i18n_labels(app->lang);

	/* Times on pages are in the site's zone; the worker is single-threaded,
	 * so the process zone is the site zone. */
	setenv("TZ", app_setting(app, "timezone"), 1);
	tzset();

	app->menu = cJSON_CreateArray();
	for (size_t i = 0; i < app->ncategories; i++) {
		const struct db_category *c = &app->categories[i];
		if (c->parent_id) {
			/* children come right after their parent (db_categories_all) */
			cJSON *parent = cJSON_GetArrayItem(app->menu, cJSON_GetArraySize(app->menu) - 1);
			cJSON *kids = cJSON_GetObjectItemCaseSensitive(parent, "children");
			if (kids) {
				cJSON_AddItemToArray(kids, page_category_json(c));
				cJSON_ReplaceItemInObject(parent, "has_children", cJSON_CreateTrue());
			}
			continue;
		}
		cJSON *item = page_category_json(c);
		cJSON_AddArrayToObject(item, "children");
		cJSON_AddFalseToObject(item, "has_children");
		cJSON_AddItemToArray(app->menu, item);
	}
	return DB_OK;
}

/* Checks once per worker that the database's schema is the code's. */
static enum db_result schema_check(struct app *app)
{
	if (!app->schema_ok) {
		if (db_schema_check(app->db, app->schema_msg, sizeof app->schema_msg) != 0)
			return DB_ERROR;
		app->schema_ok = true;
		app->data_version = -1;
	}
	return DB_OK;
}

/* Brings the site data up to date if settings or categories changed since.
 * An article save changes neither, so it costs the workers one PRAGMA and
 * one row read, not a rebuild. */
enum db_result app_refresh(struct app *app)
{
	if (schema_check(app) != DB_OK)
		return DB_ERROR;
	long long generation = app->site_generation;
	enum db_result r = db_site_generation(app->db, &app->data_version, &generation);
	if (r != DB_OK)
		return r;
	if (generation == app->site_generation && app->site)
		return DB_OK;
	r = site_build(app);
	if (r == DB_OK) {
		app->site_generation = generation;
	} else {
		app->data_version = -1;
		site_clear(app);
	}
	return r;
}

void app_idle(struct app *app)
{
	db_rollback(app->db);
}

enum db_result app_reload(struct app *app)
{
	app->data_version = -1;
	app->site_generation = -1;
	return app_refresh(app);
}

/* Writes v as n decimal digits, zero-padded, ending before end. */
static char *digits(char *end, int v, int n)
{
	while (n-- > 0) {
		*--end = (char)('0' + v % 10);
		v /= 10;
	}
	return end;
}

long long app_clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *app_local_time(struct arena *a, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	/* "YYYY-MM-DD HH:MM:SS" by hand: strftime was three quarters of the
	 * cost, and a list page shows forty of these. */
	if (!localtime_r(&tt, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return "";
	char *out = arena_alloc(a, 20);
	digits(out + 4, tm.tm_year + 1900, 4);
	out[4] = '-';
	digits(out + 7, tm.tm_mon + 1, 2);
	out[7] = '-';
	digits(out + 10, tm.tm_mday, 2);
	out[10] = ' ';
	digits(out + 13, tm.tm_hour, 2);
	out[13] = ':';
	digits(out + 16, tm.tm_min, 2);
	out[16] = ':';
	digits(out + 19, tm.tm_sec, 2);
	out[19] = '\0';
	return out;
}

/*
 * Enforces a route's flags before its handler runs: the session, the role,
 * the form and the CSRF token. Returns 0 to go on, or the status to answer.
 */
static int app_guard(struct app *app, const struct route *route, struct http_req *req)
{
	if (route->flags & ROUTE_SESSION) {
		enum auth_result ar = auth_session(app, req);
		if (ar == AUTH_BUSY)
			return 503;
		if (ar != AUTH_OK)
			return 500;
		if ((route->flags & ROUTE_AUTH) == ROUTE_AUTH && !req->user)
			return 401;
		/* Why: only admins manage users, categories and settings. */
		if ((route->flags & ROUTE_ADMIN) == ROUTE_ADMIN && strcmp(req->user->role, "admin"))
			return 403;
		/* Why: an admin whom require_2fa_admins obliges to enrol may only
		 * enrol (auth_totp.h); -1: the gate answered. */
		if (req->user && auth_totp_gate(app, req) != 0)
			return -1;
	}
	/* Why before reading: a body over the admin's upload_max is refused
	 * without spending memory on it. */
	if (upload_too_big(app, req))
		return 413;
	if (route->form && req->method == HTTP_POST) {
		/* Forms with a file (an image) come as multipart, others urlencoded. */
		int rc = http_content_type_is(req, "multipart/form-data")
				 ? http_parse_multipart(req, route->form, APP_UPLOAD_MAX)
				 : http_parse_form(req, route->form, APP_FORM_MAX);
		if (rc)
			return rc;
	}
	if ((route->flags & ROUTE_CSRF) && !(req->method & (HTTP_GET | HTTP_HEAD))) {
		/* Why: a cookie is sent with requests that other sites make the
		 * browser send; only our own pages know the session's token. */
		const char *token = http_env(req, "HTTP_X_CSRF_TOKEN");
		const struct field_value *fv = http_field(req, "csrf_token");
		if (!token && fv)
			token = fv->text;
		if (!auth_csrf_ok(req, token))
			return 403;
	}
	return 0;
}

void app_handle(struct app *app, struct http_io *io)
{
	json_use_arena(&app->arena);
	struct http_req req;
	app->requests++;
	log_set_request(app->requests);
	int status = http_req_init(&req, io, &app->arena, &app->headers, &app->body,
				   app->requests);
	const struct route *route = NULL;
	unsigned allowed = 0;
	if (status == 0 && app->config)
		apply_config(app->config, &req);
	if (status == 0) {
		route = route_match(&req, &allowed);
		if (!route)
			status = allowed ? 405 : 404;
	}
	if (status == 405)
		http_header(&req, "Allow", http_allow(req.arena, allowed));
	if (status == 0)
		status = http_parse_query(&req, route->fields); /* refuses a malformed query too */
	if (status == 400 && req.bad_field && !strncmp(req.path, "/api/", 5)) {
		/* The API names the field that failed validation. */
		json_error(&req, 422, "invalid", "invalid value", req.bad_field);
		status = -1;
	}

	/*
	 * A public page reads in one transaction: one snapshot for all its
	 * queries, and the locks taken once, not per statement. Under load a
	 * worker's pages share a snapshot up to snapshot_ms old (a publication
	 * shows 10 ms later at most, well within its second): no BEGIN,
	 * ROLLBACK and site check, two lock calls and an fstat fewer a page.
	 * A route that needs no site data (a view count) reads in a young
	 * snapshot too, but does not begin one.
	 * A request with a session (an editor's) and every other route read
	 * the latest data.
	 */
	bool public = status == 0 && (route->flags & ROUTE_PUBLIC_PAGE);
	bool no_site = status == 0 && (route->flags & ROUTE_NO_SITE);
	bool shared = (public || no_site) && app->site && db_in_transaction(app->db) &&
		      app_clock_ms() - app->snapshot_since < app->snapshot_ms &&
		      !http_cookie(&req, AUTH_COOKIE);
	if (!shared)
		db_rollback(app->db);
	if (public && !shared && db_begin_read(app->db) == SQLITE_OK)
		app->snapshot_since = app_clock_ms();
	/* Site data (labels, menu) is brought up to date for error pages too,
	 * so a 404 speaks the site's language. */
	if (status >= 0 && !(route && (route->flags & ROUTE_NO_SCHEMA))) {
		enum db_result r = shared ? DB_OK
				   : route && (route->flags & ROUTE_NO_SITE) ? schema_check(app)
									      : app_refresh(app);
		if (r == DB_ERROR && !app->schema_ok) {
			/* Why: serving a schema the code does not know could show wrong
			 * data or fail oddly; say what to do instead. */
			log_error("not serving: %s", app->schema_msg);
			status = 503;
		} else if (r != DB_OK && status == 0) {
			page_db_error(app, &req, r);
			status = -1;
		}
	}
	if (status == 0)
		status = app_guard(app, route, &req);
	if (status == 0) {
		req.cacheable = (route->flags & ROUTE_PUBLIC_PAGE) != 0;
		route->fn(app, &req);
	} else if (status > 0) {
		page_error(app, &req, status);
	}
	if (!app->snapshot_ms || !(public || no_site))
		db_rollback(app->db);
	http_finish(&req);
	log_set_request(0);
	json_use_arena(NULL);
	arena_reset(&app->arena);
	/* A big response's buffer is not kept for the next, smaller one. */
	if (app->body.cap > (1u << 20))
		buf_free(&app->body);
}
