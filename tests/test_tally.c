/* The view tally: exact counts from several processes at once, through
 * SIGKILLed counters and viewers (one of them possibly holding the lock), a
 * second pool counting the same articles, a batch written twice, and a pool
 * that died before writing. */
#include "check.h"
#include "db.h"
#include "db_public.h"
#include "migrate.h"
#include "schema.h"
#include "tally.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ARTICLES = 20, VIEWERS = 4, VIEWS_EACH = 30000 };

static char path[700];

/* What a viewer reports on its pipe: a view about to be sent (total 0) or
 * answered (the total it was answered with). */
struct report {
	int32_t id;
	int32_t total;
};

static long long db_views(struct db *db, long long id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT coalesce((SELECT views FROM article_views WHERE "
				       "article_id = ?1), 0)");
	sqlite3_bind_int64(st, 1, id);
	long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return v;
}

static void viewer(struct tally *t, int fd, unsigned seed)
{
	char err[256];
	struct db *r = db_open(path, DB_READONLY, err, sizeof err);
	if (!r)
		_exit(2);
	for (int i = 0; i < VIEWS_EACH; i++) {
		struct report rep = {(int32_t)(1 + rand_r(&seed) % ARTICLES), 0};
		long long views;
		if (write(fd, &rep, sizeof rep) != sizeof rep)
			_exit(3);
		if (tally_view(t, r, rep.id, (long long)time(NULL), &views) == DB_OK) {
			rep.total = (int32_t)views;
			if (write(fd, &rep, sizeof rep) != sizeof rep)
				_exit(3);
		}
	}
	_exit(0);
}

static void counter(struct tally *t)
{
	char err[256];
	struct db *w = db_open(path, 0, err, sizeof err);
	if (!w)
		_exit(2);
	for (;;) {
		tally_flush(t, w, (long long)time(NULL));
		usleep(500);
	}
}

int main(void)
{
	const char *tmp = getenv("GAZETTE_TESTTMP");
	char dir[512], err[300];
	snprintf(dir, sizeof dir, "%s", tmp && *tmp ? tmp : "/tmp");
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/test_tally-%ld.db", dir, (long)getpid());
	struct db *db = db_open(path, DB_CREATE, err, sizeof err);
	CHECK(db && migrate_run(db, schema_files, schema_nfiles, NULL, err, sizeof err) ==
			    (int)schema_nfiles);
	CHECK(sqlite3_exec(db->h,
			   "INSERT INTO categories(slug, name, created_at) VALUES ('c', 'C', 1);"
			   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) "
			   "INSERT INTO articles(category_id, title, status, published_at, created_at, "
			   "updated_at) SELECT 1, 'A' || i, 'published', 1, i, 1 FROM n;"
			   "INSERT INTO article_views(article_id, views) VALUES (3, 1000);",
			   NULL, NULL, NULL) == SQLITE_OK);

	/* A pool that counted and died before writing: its next start writes it. */
	pid_t p = fork();
	if (p == 0) {
		struct tally *t = tally_open(path, "unix:/test/one", err, sizeof err);
		long long v = 0;
		for (int i = 0; t && i < 7; i++)
			tally_view(t, db, 5, (long long)time(NULL), &v);
		_exit(v == 7 ? 0 : 1); /* no tally_close: as if killed */
	}
	int status;
	waitpid(p, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(db_views(db, 5) == 0);

	/* Several viewers and a counter, each killed now and then. */
	struct tally *t = tally_open(path, "unix:/test/one", err, sizeof err);
	CHECK(db_views(db, 5) == 7);
	struct tally *other = tally_open(path, "unix:/test/two", err, sizeof err);
	CHECK(t && other);
	if (!t || !other)
		return check_done("test_tally");
	long long before[ARTICLES + 1];
	for (int i = 1; i <= ARTICLES; i++)
		before[i] = db_views(db, i);
	int pipes[VIEWERS][2];
	pid_t viewers[VIEWERS], counters[2];
	for (int k = 0; k < VIEWERS; k++) {
		CHECK(pipe(pipes[k]) == 0);
		viewers[k] = fork();
		if (viewers[k] == 0) {
			close(pipes[k][0]);
			/* the last viewer counts as the second pool */
			viewer(k == VIEWERS - 1 ? other : t, pipes[k][1], 17u * (unsigned)k + 1);
		}
		close(pipes[k][1]);
	}
	counters[0] = fork();
	if (counters[0] == 0)
		counter(t);
	counters[1] = fork();
	if (counters[1] == 0)
		counter(other);
	/* Kill a viewer (maybe inside the lock) and the counter, twice. */
	for (int round = 0; round < 2; round++) {
		usleep(20000);
		if (round == 0)
			kill(viewers[0], SIGKILL);
		kill(counters[0], SIGKILL);
		waitpid(counters[0], NULL, 0);
		counters[0] = fork();
		if (counters[0] == 0)
			counter(t);
	}

	static long long sent[ARTICLES + 1], acked[ARTICLES + 1];
	static char seen[ARTICLES + 1][VIEWERS * VIEWS_EACH + 1200];
	int dupes = 0;
	for (int k = 0; k < VIEWERS; k++) {
		struct report rep;
		while (read(pipes[k][0], &rep, sizeof rep) == sizeof rep) {
			if (rep.id < 1 || rep.id > ARTICLES)
				continue;
			if (!rep.total) {
				sent[rep.id]++;
				continue;
			}
			acked[rep.id]++;
			/* one pool's answers for an article never repeat */
			if (k != VIEWERS - 1 && rep.total < (int32_t)sizeof seen[0] &&
			    seen[rep.id][rep.total]++)
				dupes++;
		}
		close(pipes[k][0]);
		waitpid(viewers[k], NULL, 0);
	}
	for (int k = 0; k < 2; k++) {
		kill(counters[k], SIGKILL);
		waitpid(counters[k], NULL, 0);
	}
	tally_close(t, path);
	tally_close(other, path);
	CHECK(dupes == 0);
	int bad = 0;
	long long all = 0;
	for (int i = 1; i <= ARTICLES; i++) {
		long long counted = db_views(db, i) - before[i];
		all += acked[i];
		if (counted < acked[i] || counted > sent[i]) {
			fprintf(stderr, "article %d: acked %lld counted %lld sent %lld\n", i, acked[i],
				counted, sent[i]);
			bad++;
		}
	}
	CHECK(bad == 0);
	CHECK(all > VIEWERS * VIEWS_EACH / 2);

	/* A batch written twice adds nothing the second time. */
	long long v0 = db_views(db, 9);
	CHECK(db_view_add(db, "unix:/test/replay", 9, 9, 5) == DB_OK);
	CHECK(db_view_add(db, "unix:/test/replay", 9, 9, 5) == DB_OK);
	CHECK(db_view_add(db, "unix:/test/replay", 9, 9, 6) == DB_OK);
	CHECK(db_views(db, 9) == v0 + 6);
	/* An article reborn under the same id is not credited the old one's. */
	CHECK(db_view_add(db, "unix:/test/replay", 9, 12345, 50) == DB_OK);
	CHECK(db_views(db, 9) == v0 + 6);

	db_close(db);
	return check_done("test_tally");
}
