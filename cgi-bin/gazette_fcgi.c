/*
 * gazette.fcgi: the program web servers run. With --listen it is a
 * supervised pool of FastCGI workers; without, it serves the FastCGI socket
 * a server handed it on stdin (spawn-fcgi, mod_fcgid), or answers one request
 * as a plain CGI.
 */
#include "app.h"
#include "auth.h"
#include "log.h"
#include "counter.h"
#include "keeper.h"
#include "server.h"

#include <stdbool.h>

#include <getopt.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct options {
	const char *listen, *db, *templates;
	const char *pages; /* the page keeper's directory, or "off" */
	int workers;
};

static void usage(FILE *f)
{
	fputs("usage: gazette.fcgi [--listen unix:PATH|HOST:PORT] [--workers N]\n"
	      "                    [--db PATH] [--templates DIR]\n"
	      "\n"
	      "  --listen ADDR    run a supervised pool of FastCGI workers on ADDR\n"
	      "  --workers N      number of workers (default 2)\n"
	      "  --db PATH        the database (default: $GAZETTE_DB)\n"
	      "  --templates DIR  page templates (default: $GAZETTE_TEMPLATES, else the\n"
	      "                   installed or source templates/)\n"
	      "  --pages DIR|off  keep public pages as files in DIR for the web server\n"
	      "                   (default: pages/ beside the database; with --listen)\n"
	      "Without --listen: serve the FastCGI socket on stdin, or answer one CGI request.\n",
	      f);
}

/* One worker: open everything after fork(), then serve until told to stop. */
static int worker_main(int sock, void *ctx)
{
	prctl(PR_SET_NAME, "gz-worker"); /* what ps and top show */
	const struct options *o = ctx;
	struct app app;
	char err[512];
	if (app_open(&app, o->db, o->templates, err, sizeof err) != 0) {
		log_error("%s", err);
		return 1;
	}
	int rc = server_fcgi_loop(&app, sock);
	app_close(&app);
	return rc;
}

/* The page keeper: like a worker, its own connection after fork(). */
static int keeper_main(int unused, void *ctx)
{
	prctl(PR_SET_NAME, "gz-keeper");
	const struct options *o = ctx;
	struct app app;
	char err[512];
	if (app_open(&app, o->db, o->templates, err, sizeof err) != 0) {
		log_error("%s", err);
		return 1;
	}
	int rc = keeper_run(&app, o->pages);
	app_close(&app);
	return rc;
}

/* The view counter: one writer for every worker's views. */
static int counter_main(int unused, void *ctx)
{
	prctl(PR_SET_NAME, "gz-counter");
	const struct options *o = ctx;
	struct app app;
	char err[512];
	if (app_open(&app, o->db, o->templates, err, sizeof err) != 0) {
		log_error("%s", err);
		return 1;
	}
	int rc = counter_run(&app);
	app_close(&app);
	return rc;
}

/* pages/ beside the database, as media/ is. */
static const char *default_pages(const char *db)
{
	static char dir[1100];
	const char *slash = strrchr(db, '/');
	snprintf(dir, sizeof dir, "%.*s/pages", slash ? (int)(slash - db) : 1, slash ? db : ".");
	return dir;
}

int main(int argc, char **argv)
{
	struct options o = {.workers = 2};
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'}, {"workers", required_argument, NULL, 'w'},
		{"db", required_argument, NULL, 'd'},     {"templates", required_argument, NULL, 't'},
		{"pages", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': o.listen = optarg; break;
		case 'd': o.db = optarg; break;
		case 't': o.templates = optarg; break;
		case 'p': o.pages = optarg; break;
		case 'w': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 256) {
				fprintf(stderr, "gazette.fcgi: --workers takes a number from 1 to 256\n");
				return 2;
			}
			o.workers = (int)n;
			break;
		}
		case 'h': usage(stdout); return 0;
		case 'V': puts("gazette.fcgi " GAZETTE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gazette.fcgi: unexpected argument %s\n", argv[optind]);
		return 2;
	}
	if (!o.db)
		o.db = getenv("GAZETTE_DB");
	if (!o.templates)
		o.templates = getenv("GAZETTE_TEMPLATES");
	if (!o.templates)
		o.templates = app_default_templates();
	if (auth_init() != 0) {
		fprintf(stderr, "gazette.fcgi: cannot initialise libsodium\n");
		return 1;
	}
	if (!o.db || !*o.db) {
		fprintf(stderr, "gazette.fcgi: no database: pass --db or set GAZETTE_DB\n");
		return 2;
	}

	if (!o.listen) {
		struct app app;
		char err[512];
		if (app_open(&app, o.db, o.templates, err, sizeof err) != 0) {
			log_error("%s", err);
			if (server_is_cgi()) /* a CGI must still answer something */
				fputs("Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
				      "Retry-After: 5\r\n\r\nunavailable\n", stdout);
			return 1;
		}
		int rc = server_is_cgi() ? server_cgi_once(&app) : server_fcgi_loop(&app, 0);
		app_close(&app);
		return rc;
	}

	/* Fail fast on a missing database or broken templates instead of
	 * letting the pool respawn workers that cannot start. */
	struct app probe;
	char err[512];
	if (app_open(&probe, o.db, o.templates, err, sizeof err) != 0) {
		fprintf(stderr, "gazette.fcgi: %s\n", err);
		return 1;
	}
	app_close(&probe);
	int sock = server_listen(o.listen, err, sizeof err);
	if (sock < 0) {
		fprintf(stderr, "gazette.fcgi: %s\n", err);
		return 1;
	}
	log_info("listening on %s", o.listen);
	if (!o.pages)
		o.pages = default_pages(o.db);
	pool_fn helpers[2] = {counter_main, keeper_main};
	int nhelpers = strcmp(o.pages, "off") ? 2 : 1;
	int rc = pool_run(sock, o.workers, worker_main, helpers, nhelpers, &o);
	close(sock);
	if (!strncmp(o.listen, "unix:", 5))
		unlink(o.listen + 5);
	return rc;
}
