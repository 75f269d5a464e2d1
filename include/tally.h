/*
 * The view tally: view counts between a view and its commit.
 *
 * A table of per-article counts in a file beside the database
 * (<database>-views-<hash of the listen address>), mapped shared by the
 * pool's master before it forks, so every worker and the view counter see
 * the same memory. A worker counts a view by adding one under a
 * process-shared robust mutex and answers with the new total at once: no
 * round trip to another process, no transaction. The counter process
 * (counter.h) adds what moved to article_views in one transaction per batch,
 * together with the pool's mark in view_marks (how many it has added), so a
 * batch written twice adds nothing and other pools and CGI processes can
 * count the same articles at the same time.
 *
 * What survives what: the counts live in the page cache of a shared file
 * mapping, so a worker, the counter or the master killed at any moment loses
 * no view it answered; the master flushes what is left when the pool starts
 * and stops. A power cut loses what was not yet written (as with the WAL at
 * synchronous=NORMAL, which the counter uses).
 */
#ifndef GAZETTE_TALLY_H
#define GAZETTE_TALLY_H

#include "db.h"

#include <stddef.h>

struct tally;

enum {
	TALLY_BITS = 12,
	TALLY_SLOTS = 1 << TALLY_BITS, /* articles with counts not yet written or recently viewed */
	TALLY_IDLE_SECONDS = 10, /* a written slot untouched this long is let go */
	TALLY_BATCH = 1024,      /* slots written per transaction at most */
};

/*
 * Opens (creating, 0640) and maps the tally of the pool listening on listen
 * for the database at db_path (a file beside it) and locks it. Writes to
 * the database whatever the pool's last run left unwritten, then starts an
 * empty table. Returns NULL with err on failure.
 */
struct tally *tally_open(const char *db_path, const char *listen, char *err, size_t errlen);

/* Writes every unwritten count (the pool's last word), then unmaps and closes. */
void tally_close(struct tally *t, const char *db_path);

/* The tally the pool's processes share (set by the master before forking),
 * or NULL outside a pool. */
struct tally *tally_shared(void);
void tally_share(struct tally *t);

/*
 * Counts one view of article id at time now, read through db (a worker's
 * read-only connection): DB_OK with the new total in *views, DB_NOTFOUND when
 * the article is not public, DB_BUSY when the table is full or the database
 * busy.
 */
enum db_result tally_view(struct tally *t, struct db *db, long long id, long long now,
			  long long *views);

/* The current count of article id given the count the database holds: the
 * tally's, when it has one not yet written. */
long long tally_current(struct tally *t, long long id, long long stored);

/* A descriptor that becomes readable when views are waiting to be written. */
int tally_wait_fd(const struct tally *t);

/*
 * Writes up to TALLY_BATCH moved counts to the database through w in one
 * transaction and lets idle written slots go. Returns how many were written,
 * or -1 when the database refused (they stay for the next call).
 */
int tally_flush(struct tally *t, struct db *w, long long now);

#endif
