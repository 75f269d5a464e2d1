/*
 * Serving requests: the FastCGI accept loop of one worker, a single CGI
 * request, and the supervised pre-fork pool (pool.c).
 */
#ifndef GAZETTE_SERVER_H
#define GAZETTE_SERVER_H

#include <stddef.h>

struct app;

/* Accepts and answers FastCGI requests on the listening socket sock until
 * SIGTERM/SIGINT (a request in progress is finished first). Public pages
 * share a read snapshot up to 10 ms old while requests keep coming; none is
 * held while waiting. Returns 0 on a requested stop, 1 on an accept failure. */
int server_fcgi_loop(struct app *app, int sock);

/* Answers the one CGI request described by the environment, on stdout. */
int server_cgi_once(struct app *app);

/* True when stdin is not a FastCGI listening socket (plain CGI). */
int server_is_cgi(void);

/*
 * Binds addr ("unix:/path/to.sock", "HOST:PORT" or ":PORT") and returns the
 * listening socket, or -1 with a message in err. A unix socket replaces a
 * stale one and is made mode 0666: protect it with its directory.
 */
int server_listen(const char *addr, char *err, size_t errlen);

/* A process of the pool: a worker gets the listening socket, a helper -1. */
typedef int (*pool_fn)(int sock, void *ctx);

/*
 * The supervisor: forks `workers` processes that each run
 * worker(sock, ctx), and one process for each of the nhelpers helpers
 * (the page keeper, the view counter: helpers[i](-1, ctx)), and replaces
 * any that dies, until SIGTERM or SIGINT, then stops them all (SIGTERM,
 * then SIGKILL after 10 s) and returns 0.
 */
int pool_run(int sock, int workers, pool_fn worker, const pool_fn *helpers, int nhelpers,
	     void *ctx);

#endif
