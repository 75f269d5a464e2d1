/*
 * The view counter: one process of the pool that owns every view-count
 * write. Workers hand it each view over a unix socket; it gathers the views
 * that arrive while the previous transaction commits and writes them all in
 * the next one (group commit), and answers each worker only after that
 * commit. So a view that was answered is on disk (synchronous=FULL) — a
 * worker killed at any moment loses nothing it acknowledged — and many
 * workers never queue on SQLite's write lock one view at a time.
 *
 * Without a counter (a plain CGI, a FastCGI program started by the web
 * server) counter_view writes the view itself, with the same answer.
 */
#ifndef GAZETTE_COUNTER_H
#define GAZETTE_COUNTER_H

#include "db_public.h"

struct app;

/* Counts one view of article id at time now; *views gets the new total.
 * DB_NOTFOUND when the article is not public; DB_BUSY when the counter
 * could not answer in time (503). */
enum db_result counter_view(struct app *app, long long id, long long now, long long *views);

/* The counter process: serves the pool's workers until SIGTERM/SIGINT.
 * Returns 0 on a requested stop, 1 when its socket cannot be made. */
int counter_run(struct app *app);

#endif
