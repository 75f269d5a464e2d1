/*
 * gazette.fcgi: the program web servers run. With --listen it is a
 * supervised pool of FastCGI workers; without, it serves the FastCGI socket
 * a server handed it on stdin (spawn-fcgi, mod_fcgid), or answers one request
 * as a plain CGI. Settings come from --config FILE (or GAZETTE_CONFIG), then
 * GAZETTE_* variables, then flags (include/config.h).
 */
#include "app.h"
#include "auth.h"
#include "config.h"
#include "counter.h"
#include "keeper.h"
#include "tally.h"
#include "log.h"
#include "sandbox.h"
#include "server.h"

#include <getopt.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: gazette.fcgi [--config FILE] [--listen unix:PATH|HOST:PORT] [--workers N]\n"
	      "                    [--db PATH] [--data DIR] [--templates DIR] [OPTION...]\n"
	      "\n"
	      "  --config FILE          settings file (default: $GAZETTE_CONFIG, if set)\n"
	      "  --listen ADDR          run a supervised pool of FastCGI workers on ADDR\n"
	      "  --workers N            number of workers (default 2)\n"
	      "  --db PATH              the database (default: $GAZETTE_DB, else DIR/gazette.db)\n"
	      "  --data DIR             data directory: uploads go to DIR/media\n"
	      "  --templates DIR        page templates (default: the installed or source ones)\n"
	      "  --pages DIR|off        page files for the web server (default: DIR/pages)\n"
	      "  --base-url URL         public URL of the site for feeds, sitemap and API\n"
	      "  --https auto|on        on: requests came over HTTPS (Secure cookies)\n"
	      "  --upload-max SIZE      largest image upload, up to 10M\n"
	      "  --log-level error|info\n"
	      "  --trusted-proxies LIST addresses whose X-Forwarded-For is believed\n"
	      "  --user NAME            account the pool runs as when started as root\n"
	      "                         (default: the owner of the database)\n"
	      "  --sandbox on|off       the pool's system-call filters (default on)\n"
	      "Each also reads GAZETTE_<NAME> (GAZETTE_DB, GAZETTE_DATA, ...); flags win over\n"
	      "variables, variables over the file. Without --listen (or listen in the\n"
	      "settings): serve the FastCGI socket on stdin, or answer one CGI request.\n",
	      f);
}

struct options {
	struct config cfg;
};

/* Opens the application in a pool process, after fork() (SQLite must not
 * cross a fork); NULL (logged) when it cannot. */
static struct app *open_app(const struct options *o, struct app *app)
{
	char err[512];
	if (app_open(app, o->cfg.db, o->cfg.templates, err, sizeof err) != 0) {
		log_error("%s", err);
		return NULL;
	}
	app_configure(app, &o->cfg);
	return app;
}

/* Set up, a pool process gives up every system call its role does not
 * need (sandbox.h); a filter the kernel refuses stops it. */
static bool confine(const struct options *o, enum sandbox_role role)
{
	return !o->cfg.sandbox || sandbox_enter(role) == 0;
}

/* One worker: open everything after fork(), then serve until told to stop. */
static int worker_main(int sock, void *ctx)
{
	struct app app;
	prctl(PR_SET_NAME, "gz-worker"); /* what ps and top show */
	if (!open_app(ctx, &app))
		return 1;
	if (!confine(ctx, SANDBOX_WORKER)) {
		app_close(&app);
		return 1;
	}
	int rc = server_fcgi_loop(&app, sock);
	app_close(&app);
	return rc;
}

/* The page keeper (keeper.h): public pages as files for the web server. */
static int keeper_main(int unused, void *ctx)
{
	const struct options *o = ctx;
	struct app app;
	prctl(PR_SET_NAME, "gz-keeper");
	if (!open_app(o, &app))
		return 1;
	if (!confine(o, SANDBOX_KEEPER)) {
		app_close(&app);
		return 1;
	}
	int rc = keeper_run(&app, o->cfg.pages_dir);
	app_close(&app);
	return rc;
}

/* The view counter (counter.h): one writer for every worker's views. */
static int counter_main(int unused, void *ctx)
{
	struct app app;
	prctl(PR_SET_NAME, "gz-counter");
	if (!open_app(ctx, &app))
		return 1;
	if (!confine(ctx, SANDBOX_COUNTER)) {
		app_close(&app);
		return 1;
	}
	int rc = counter_run(&app);
	app_close(&app);
	return rc;
}

/* A started CGI must answer something even when it cannot serve. */
static int cgi_unavailable(int rc)
{
	if (server_is_cgi() && getenv("GATEWAY_INTERFACE"))
		fputs("Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
		      "Retry-After: 5\r\n\r\nunavailable\n",
		      stdout);
	return rc;
}

/*
 * Reads and drops what is left of a CGI request's body once the answer is
 * out (a 403 or 413 answers without reading it). Apache's mod_cgid talks to
 * the program over one socket: closing it with unread bytes in it resets
 * the connection, and the answer is lost on the way to the client. Bounded
 * by CONTENT_LENGTH and by what the servers let through anyway.
 */
static void cgi_drain(void)
{
	const char *cl = getenv("CONTENT_LENGTH");
	long long left = cl ? strtoll(cl, NULL, 10) : 0;
	if (left > 64LL * 1024 * 1024)
		left = 64LL * 1024 * 1024;
	char buf[16384];
	while (left > 0) {
		size_t n =
		    fread(buf, 1, left < (long long)sizeof buf ? (size_t)left : sizeof buf, stdin);
		if (n == 0)
			break;
		left -= (long long)n;
	}
}

/* Closes the pool's socket and removes its file (a unix socket). */
static void stop_listening(int sock, const struct config *cfg)
{
	close(sock);
	if (!strncmp(cfg->listen, "unix:", 5))
		unlink(cfg->listen + 5);
}

/* Reads the settings: file, environment, then the flags kept in flags[]. */
static int settings(struct config *c, const char *file, char **flags, int nflags)
{
	char err[600];
	config_init(c);
	if (!file)
		file = getenv("GAZETTE_CONFIG");
	if (file && *file && config_load(c, file, err, sizeof err) != 0) {
		fprintf(stderr, "gazette.fcgi: %s\n", err);
		return -1;
	}
	if (config_env(c, err, sizeof err) != 0) {
		fprintf(stderr, "gazette.fcgi: %s\n", err);
		return -1;
	}
	for (int i = 0; i < nflags; i += 2) {
		if (config_set(c, config_flag_key(flags[i]), flags[i + 1], err, sizeof err) != 0) {
			fprintf(stderr, "gazette.fcgi: %s: %s\n", flags[i], err);
			return -1;
		}
	}
	config_finish(c);
	return 0;
}

int main(int argc, char **argv)
{
	static struct options o; /* big: not on the stack */
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"listen", required_argument, NULL, 's'},
	    {"workers", required_argument, NULL, 's'},
	    {"db", required_argument, NULL, 's'},
	    {"data", required_argument, NULL, 's'},
	    {"templates", required_argument, NULL, 's'},
	    {"pages", required_argument, NULL, 's'},
	    {"base-url", required_argument, NULL, 's'},
	    {"https", required_argument, NULL, 's'},
	    {"upload-max", required_argument, NULL, 's'},
	    {"log-level", required_argument, NULL, 's'},
	    {"trusted-proxies", required_argument, NULL, 's'},
	    {"user", required_argument, NULL, 's'},
	    {"sandbox", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	char **flags = calloc((size_t)argc * 2 + 2, sizeof *flags);
	if (!flags)
		return 1;
	char names[sizeof longopts / sizeof longopts[0]][24];
	int nflags = 0, c, idx;
	while ((c = getopt_long(argc, argv, "", longopts, &idx)) != -1) {
		switch (c) {
		case 'c':
			file = optarg;
			break;
		case 's':
			snprintf(names[idx], sizeof names[idx], "--%s", longopts[idx].name);
			flags[nflags++] = names[idx];
			flags[nflags++] = optarg;
			break;
		case 'h':
			free(flags);
			usage(stdout);
			return 0;
		case 'V':
			free(flags);
			puts("gazette.fcgi " GAZETTE_VERSION);
			return 0;
		default:
			free(flags);
			usage(stderr);
			return cgi_unavailable(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gazette.fcgi: unexpected argument %s\n", argv[optind]);
		free(flags);
		return cgi_unavailable(2);
	}
	int rc = settings(&o.cfg, file, flags, nflags);
	free(flags);
	if (rc != 0)
		return cgi_unavailable(2);
	struct config *cfg = &o.cfg;
	if (!cfg->templates[0])
		snprintf(cfg->templates, sizeof cfg->templates, "%s", app_default_templates());
	log_set_quiet(cfg->log_level == CONFIG_LOG_ERROR);
	if (auth_init() != 0) {
		fprintf(stderr, "gazette.fcgi: cannot initialise libsodium\n");
		return cgi_unavailable(1);
	}
	if (!cfg->db[0]) {
		fprintf(stderr, "gazette.fcgi: no database: pass --db, set GAZETTE_DB or give db "
		                "(or data_dir) in the settings file\n");
		return cgi_unavailable(2);
	}

	/* Who started us decides the mode: a server that handed us a FastCGI
	 * socket (mod_fcgid, spawn-fcgi) or a CGI request (GATEWAY_INTERFACE)
	 * wins over a listen address from the settings file, which the same
	 * file may well hold for the pool. */
	bool pool = cfg->listen[0] && server_is_cgi() && !getenv("GATEWAY_INTERFACE");
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--listen") || !strncmp(argv[i], "--listen=", 9))
			pool = true;
	if (!pool) {
		struct app app;
		char err[512];
		if (app_open(&app, cfg->db, cfg->templates, err, sizeof err) != 0) {
			log_error("%s", err);
			return cgi_unavailable(1);
		}
		app_configure(&app, cfg);
		if (server_is_cgi()) {
			rc = server_cgi_once(&app);
			cgi_drain();
		} else {
			rc = server_fcgi_loop(&app, 0);
		}
		app_close(&app);
		return rc;
	}

	/* The socket is bound first (a port below 1024, a directory only
	 * root can write), then root is left for good, before anything else
	 * is opened or any process forked. */
	char err[512];
	int sock = server_listen(cfg->listen, err, sizeof err);
	if (sock < 0) {
		fprintf(stderr, "gazette.fcgi: %s\n", err);
		return 1;
	}
	rc = sandbox_drop_root(cfg, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "gazette.fcgi: %s\n", err);
		stop_listening(sock, cfg);
		return 1;
	}
	if (rc == 1 && strcmp(cfg->user, "root"))
		log_error("running the pool as root: the database belongs to root; create an "
			  "account, give it the data directory and set user (see README, Security)");
	/* Fail fast on a missing database or broken templates instead of
	 * letting the pool respawn workers that cannot start. */
	struct app probe;
	if (app_open(&probe, cfg->db, cfg->templates, err, sizeof err) != 0) {
		fprintf(stderr, "gazette.fcgi: %s\n", err);
		stop_listening(sock, cfg);
		return 1;
	}
	app_close(&probe);
	if (!cfg->sandbox)
		log_info("sandbox: off (sandbox = off): pool processes may make any system call");
	else
		log_info("sandbox: on: workers may make %zu system calls, the page keeper %zu, the "
			 "view counter %zu%s",
			 sandbox_allowed(SANDBOX_WORKER), sandbox_allowed(SANDBOX_KEEPER),
			 sandbox_allowed(SANDBOX_COUNTER),
			 sandbox_sanitized() ? " (sanitizer build: with its runtime's report calls)"
					     : "");
	/* The view tally is mapped here, before any fork, so every pool
	 * process shares it (tally.h). */
	struct tally *tally = tally_open(cfg->db, cfg->listen, err, sizeof err);
	if (!tally) {
		fprintf(stderr, "gazette.fcgi: %s\n", err);
		stop_listening(sock, cfg);
		return 1;
	}
	tally_share(tally);
	int workers = cfg->workers ? cfg->workers : 2;
	log_info("listening on %s with %d workers", cfg->listen, workers);
	pool_fn helpers[2] = {counter_main, keeper_main};
	rc = pool_run(sock, workers, worker_main, helpers, cfg->pages_dir[0] ? 2 : 1, &o);
	tally_close(tally, cfg->db);
	stop_listening(sock, cfg);
	return rc;
}
