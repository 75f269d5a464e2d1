/* CLI maintenance commands: migrate, check, backup. */
#include "cli.h"
#include "buf.h"
#include "db_admin.h"
#include "db_lists.h"
#include "db_revision.h"
#include "migrate.h"
#include "schema.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_cmd_migrate(struct cli *c, int argc, char **argv)
{
	bool status = false;
	const struct cli_opt opts[] = {{"--status", NULL, &status}, {NULL, NULL, NULL}};
	const char *pos[1];
	int npos;
	if (cli_parse(c, "migrate", argc, argv, opts, pos, 0, &npos))
		return CLI_USAGE;
	/* Why: the database holds password hashes and session hashes. A file
	 * migrate creates (with its -wal and -shm, which SQLite gives the
	 * database's mode) is at most 0640, whatever the caller's umask. */
	mode_t old_mask = umask(0);
	umask(old_mask | 027);
	/* --status only looks: it must not create a database file. */
	struct db *db = cli_open(c, status ? 0 : DB_CREATE, false);
	umask(old_mask);
	if (!db)
		return CLI_FAIL;
	char err[512];
	int ret = CLI_OK;
	if (status) {
		int r = migrate_status(db, schema_files, schema_nfiles, c->out, err, sizeof err);
		if (r < 0)
			cli_error(c, "%s", err);
		else if (r > 0)
			cli_error(c,
			          "the database's migrations disagree with this code (see above)");
		ret = r ? CLI_FAIL : CLI_OK;
	} else {
		int r = migrate_run(db, schema_files, schema_nfiles, c->out, err, sizeof err);
		if (r < 0) {
			cli_error(c, "migrate: %s", err);
			ret = CLI_FAIL;
		} else if (r == 0) {
			fputs("up to date\n", c->out);
		}
	}
	db_close(db);
	return ret;
}

struct check_state {
	struct cli *c;
	const char *what;
	int problems;
};

static void problem(const char *line, void *ctx)
{
	struct check_state *s = ctx;
	fprintf(s->c->out, "FAIL %s: %s\n", s->what, line);
	s->problems++;
}

/* Runs one check; prints "ok WHAT" when it found nothing. */
static void run_check(struct check_state *s, struct db *db, const char *what,
                      int (*fn)(struct db *, void (*)(const char *, void *), void *))
{
	int before = s->problems;
	s->what = what;
	if (fn(db, problem, s) != SQLITE_OK)
		problem(sqlite3_errmsg(db->h), s);
	if (s->problems == before)
		fprintf(s->c->out, "ok %s\n", what);
}

/*
 * Revision counts: how many, where the most are, and any article holding
 * more than the bound (db_revision.h). Being above it loses nothing and
 * breaks nothing (it follows a lowered revisions_keep until each article's
 * next save), so it is a warning, not a problem that fails the check.
 */
static void report_revisions(struct check_state *s, struct db *db)
{
	enum { TOP = 3, OVER = 10 };
	struct db_revision_count top[TOP], over[OVER];
	size_t ntop, nover;
	long long total, articles, over_total;
	int keep;
	long long now = (long long)time(NULL);
	if (db_revision_keep(db, &keep) != DB_OK ||
	    db_revision_stats(db, keep, now, &total, &articles, top, TOP, &ntop, over, OVER, &nover,
	                      &over_total) != DB_OK) {
		fprintf(s->c->out, "FAIL revisions: %s\n", sqlite3_errmsg(db->h));
		s->problems++;
		return;
	}
	FILE *out = s->c->out;
	fprintf(out, "%s revisions: %lld in %lld article%s", over_total ? "warn" : "ok", total,
	        articles, articles == 1 ? "" : "s");
	if (ntop) {
		fprintf(out, ", at most %lld per article; most:", top[0].count);
		for (size_t i = 0; i < ntop; i++)
			fprintf(out, "%s article %lld (%lld)", i ? "," : "", top[i].article_id,
			        top[i].count);
	}
	fprintf(out, "; kept: the newest %d and the last of each day for %d days\n", keep,
	        REVISION_DAYS);
	for (size_t i = 0; i < nover; i++)
		fprintf(out,
		        "warn revisions: article %lld has %lld, %lld above the bound (its next "
		        "save prunes them)\n",
		        over[i].article_id, over[i].count, over[i].excess);
	if (over_total > (long long)nover)
		fprintf(out, "warn revisions: %lld articles above the bound in all\n", over_total);
}

int cli_cmd_check(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	int npos;
	if (cli_parse(c, "check", argc, argv, NULL, pos, 0, &npos))
		return CLI_USAGE;
	struct db *db = cli_open(c, 0, false);
	if (!db)
		return CLI_FAIL;
	struct check_state s = {.c = c};
	run_check(&s, db, "integrity", db_admin_integrity);
	run_check(&s, db, "foreign keys", db_admin_foreign_keys);

	char msg[512];
	bool schema_ok = db_schema_check(db, msg, sizeof msg) == 0;
	if (schema_ok)
		fprintf(c->out, "ok schema version %d\n", schema_version);
	else
		fprintf(c->out, "FAIL schema: %s\n", msg), s.problems++;
	if (migrate_verify(db, schema_files, schema_nfiles, msg, sizeof msg) == 0)
		fputs("ok migrations\n", c->out);
	else
		fprintf(c->out, "FAIL migrations: %s\n", msg), s.problems++;

	/* The index and the list tables only exist once the schema does. */
	if (!schema_ok) {
		fputs("FAIL full-text index: not checked, the schema is not current\n", c->out);
		s.problems++;
	} else {
		run_check(&s, db, "full-text index", db_admin_fts_check);
		run_check(&s, db, "list counts and days", db_lists_check);
		report_revisions(&s, db);
	}
	db_close(db);
	if (s.problems) {
		cli_error(c, "check: %d problem%s found", s.problems, s.problems == 1 ? "" : "s");
		return CLI_FAIL;
	}
	return CLI_OK;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 || errno != ENOENT;
}

/* A -wal or -journal with content would be replayed into whatever
 * database file later has its name; an empty one is inert. */
static bool has_content(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size > 0 : errno != ENOENT;
}

/* Makes the rename or link that published the copy durable. */
static void sync_dir_of(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

static void remove_tmp(const char *tmp)
{
	char side[4200];
	unlink(tmp);
	snprintf(side, sizeof side, "%s-journal", tmp);
	unlink(side);
}

int cli_cmd_backup(struct cli *c, int argc, char **argv)
{
	bool force = false;
	const struct cli_opt opts[] = {{"--force", NULL, &force}, {NULL, NULL, NULL}};
	const char *pos[1];
	int npos;
	if (cli_parse(c, "backup", argc, argv, opts, pos, 1, &npos))
		return CLI_USAGE;
	if (npos != 1)
		return cli_usage(c, "backup", "missing FILE");
	const char *dest = pos[0];
	if (strlen(dest) > 4000)
		return cli_usage(c, "backup", "FILE name too long");
	struct stat sst, dst;
	if (stat(c->db_path, &sst) == 0 && stat(dest, &dst) == 0 && sst.st_dev == dst.st_dev &&
	    sst.st_ino == dst.st_ino) {
		cli_error(c, "backup: %s is the database itself", dest);
		return CLI_FAIL;
	}
	if (exists(dest) && !force) {
		cli_error(c, "backup: %s exists (use --force to replace it)", dest);
		return CLI_FAIL;
	}
	/* A leftover WAL or journal next to dest would be replayed into the
	 * new copy when it is opened, corrupting it: never replace such a file. */
	char side[4100];
	snprintf(side, sizeof side, "%s-wal", dest);
	bool busy = has_content(side);
	snprintf(side, sizeof side, "%s-journal", dest);
	if (busy || has_content(side)) {
		cli_error(c,
		          "backup: %s has a -wal or -journal file: it is in use or was not "
		          "closed cleanly",
		          dest);
		return CLI_FAIL;
	}
	struct db *db = cli_open(c, 0, false);
	if (!db)
		return CLI_FAIL;

	/* Copy to a temporary name, then publish it whole: a reader of dest
	 * never sees a half-written backup. */
	char tmp[4100], err[600];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", dest, (long)getpid());
	remove_tmp(tmp);
	int ret = CLI_FAIL;
	if (db_admin_backup(db, tmp, err, sizeof err) < 0) {
		cli_error(c, "backup: %s", err);
	} else if (force ? rename(tmp, dest) < 0 : link(tmp, dest) < 0) {
		/* link() fails with EEXIST if dest appeared meanwhile: no clobbering. */
		cli_error(c, "backup: cannot create %s: %s", dest, strerror(errno));
	} else {
		sync_dir_of(dest);
		fprintf(c->out, "backed up to %s\n", dest);
		ret = CLI_OK;
	}
	remove_tmp(tmp);
	db_close(db);
	return ret;
}
