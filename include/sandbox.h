/*
 * Confining the processes of the worker pool (gazette.fcgi --listen), in two
 * steps taken once each:
 *
 *  - sandbox_drop_root: the master, started as root, binds its socket and
 *    then becomes an unprivileged account (the `user` setting, by default
 *    the owner of the database file) before it opens anything or forks, so
 *    no worker or helper ever runs as root;
 *  - sandbox_enter: each worker and helper, once set up (database open,
 *    templates parsed, socket inherited), installs a seccomp filter that
 *    allows only the system calls its role makes and kills the whole process
 *    on any other (SIGSYS, which the master logs and replaces).
 *
 * The `sandbox` setting (on by default) turns the filters off for
 * debugging (strace, gdb, valgrind); the pool logs it when it does.
 */
#ifndef GAZETTE_SANDBOX_H
#define GAZETTE_SANDBOX_H

#include <stddef.h>

struct app;
struct config;
struct http_req;

enum sandbox_role {
	SANDBOX_WORKER,  /* FastCGI requests: SQLite, uploads, the view counter's socket */
	SANDBOX_KEEPER,  /* page files, and the `rm -rf` it runs on old page trees */
	SANDBOX_COUNTER, /* the view counter: its unix socket and SQLite */
};

/*
 * When the process runs as root: switches it for good (supplementary
 * groups, gid, uid) to cfg->user, or when that is empty to the owner of
 * cfg->db. Stays root only when that account is root, returning 1 so the
 * caller can warn. Not root: cfg->user, if set, must be the current account.
 * Then checks that the account can write the database and its directory
 * (WAL, session key, uploads). Returns 0 (switched, or nothing to do), 1
 * (still root), or -1 with a message in err.
 */
int sandbox_drop_root(const struct config *cfg, char *err, size_t errlen);

/*
 * Installs the seccomp filter of role in the calling process (and in any
 * program it later runs). No new privileges are granted after this. Returns
 * 0, or -1 (logged) when the kernel refuses the filter.
 */
int sandbox_enter(enum sandbox_role role);

/* How many system calls the filter of role allows (for the start-up log). */
size_t sandbox_allowed(enum sandbox_role role);

/* Whether this binary was built with a sanitizer, whose runtime needs a few
 * more calls to report (the filters allow them then). */
int sandbox_sanitized(void);

/*
 * POST /_sandbox/{call}: makes a call the worker's filter forbids (socket
 * for AF_INET, execve, ptrace, an executable mapping), so the tests can see
 * the worker killed and replaced. Answers 404 unless the pool runs with
 * GAZETTE_SANDBOX_TEST=1; with the sandbox off it answers what the call
 * returned.
 */
void sandbox_page_violate(struct app *app, struct http_req *req);

#endif
