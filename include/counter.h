/*
 * The view counter. In a pool, a worker counts a view in the shared tally
 * (tally.h) and answers at once with the new total; the counter process
 * writes the totals that moved to SQLite, one transaction per batch, woken
 * by the first view after the last batch. A counted view survives the death
 * of any process, and many workers never queue on SQLite's write lock.
 *
 * Without a pool (a plain CGI, a FastCGI program started by the web server)
 * counter_view writes the view itself, with the same answer.
 */
#ifndef GAZETTE_COUNTER_H
#define GAZETTE_COUNTER_H

#include "db_public.h"

struct app;

/* Counts one view of article id at time now; *views gets the new total.
 * DB_NOTFOUND when the article is not public; DB_BUSY when it cannot be
 * counted now (503). */
enum db_result counter_view(struct app *app, long long id, long long now, long long *views);

/* The current count of article id, given the count the database holds
 * (views counted but not yet written included). */
long long counter_current(long long id, long long stored);

/* The counter process: writes the tally until SIGTERM/SIGINT, then once
 * more. Returns 0 on a requested stop, 1 without a tally or database. */
int counter_run(struct app *app);

#endif
