/* The page keeper: public pages as files, rewritten when what they show
 * changes (see keeper.h). */
#include "keeper.h"
#include "app.h"
#include "config.h"
#include "db_keeper.h"
#include "log.h"
#include "mostread.h"
#include "page.h"
#include "valid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
	CHANGES_PER_TICK = 256, /* page_changes rows read at once */
	RENDER_SLICE_MS = 50,   /* a full render works this long between looks at changes */
	MAX_PENDING = 4096,     /* distinct paths waiting to be rendered in one tick */
};

struct keeper {
	struct app *app;
	char dir[1024];
	long long watermark; /* the last page_changes row handled */
	long long due_until; /* scheduled articles up to this time are handled */
	/* The full render: home and categories, then articles newest first. */
	bool full;
	bool tops_done;
	long long cursor_pub, cursor_id;
	/* Paths to render in this tick, without repeats. */
	char *pending[MAX_PENDING];
	size_t npending;
	bool overflow; /* too many at once: render everything instead */
	/* The most-read list each list page (home, a category's first page)
	 * was last rendered with, and when the lists are next compared. */
	struct listed {
		char path[100];
		uint64_t sig;
	} * listed;
	size_t nlisted;
	long long lists_due; /* monotonic ms */
};

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

const char *keeper_file(struct arena *a, const char *path)
{
	long long id;
	if (!strcmp(path, "/"))
		return "index.html";
	if (!strncmp(path, "/a/", 3) && valid_int(path + 3, 1, LLONG_MAX, &id))
		return arena_printf(a, "a/%lld.html", id);
	if (!strncmp(path, "/c/", 3)) {
		size_t n = strlen(path);
		char slug[80];
		if (n < 5 || n - 4 >= sizeof slug || path[n - 1] != '/')
			return NULL;
		memcpy(slug, path + 3, n - 4);
		slug[n - 4] = '\0';
		if (valid_slug(slug))
			return arena_printf(a, "c/%s/index.html", slug);
	}
	return NULL;
}

/* --- most-read lists ------------------------------------------------------- */

/* The category whose first page path is ("/c/slug/"), or NULL. */
static const struct db_category *category_of(struct keeper *k, const char *path)
{
	size_t n = strlen(path);
	if (n < 5 || strncmp(path, "/c/", 3) || path[n - 1] != '/')
		return NULL;
	for (size_t i = 0; i < k->app->ncategories; i++) {
		const char *slug = k->app->categories[i].slug;
		if (strlen(slug) == n - 4 && !strncmp(path + 3, slug, n - 4))
			return &k->app->categories[i];
	}
	return NULL;
}

static struct listed *listed_entry(struct keeper *k, const char *path)
{
	for (size_t i = 0; i < k->nlisted; i++)
		if (!strcmp(k->listed[i].path, path))
			return &k->listed[i];
	k->listed = xrealloc(k->listed, (k->nlisted + 1) * sizeof *k->listed);
	struct listed *e = &k->listed[k->nlisted++];
	snprintf(e->path, sizeof e->path, "%s", path);
	e->sig = 0;
	return e;
}

/* Notes the list a page is about to be rendered with: the memo's, which the
 * page will show (see mostread.h). */
static void note_list(struct keeper *k, const char *path)
{
	const struct db_category *cat = category_of(k, path);
	uint64_t sig;
	if ((cat || !strcmp(path, "/")) &&
	    mostread_signature(k->app, cat, (long long)time(NULL), false, &sig) == DB_OK)
		listed_entry(k, path)->sig = sig;
}

/* --- rendering through the application ------------------------------------ */

static int capture_write(void *ctx, const char *src, int n)
{
	buf_put(ctx, src, (size_t)n);
	return n;
}

static int no_body(void *ctx, char *dst, int n)
{
	return 0;
}

/* Creates the directories of file (a path under the page directory). */
static void make_parents(char *file)
{
	for (char *p = strchr(file + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(file, 0755);
		*p = '/';
	}
}

/* Does the file at path hold exactly data? Then it is left alone: its
 * modification time, and so nginx's ETag, stay what clients have cached. */
static bool same_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = fstat(fd, &st) == 0 && (size_t)st.st_size == len;
	char chunk[8192];
	for (size_t off = 0; same && off < len;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		same = n > 0 && (size_t)n <= len - off && !memcmp(chunk, data + off, (size_t)n);
		off += n > 0 ? (size_t)n : 0;
	}
	close(fd);
	return same;
}

/* Writes data as dir/rel: a temporary file renamed over the old one, so
 * nginx never serves half a page. */
static int write_file(const char *dir, const char *rel, const char *data, size_t len)
{
	char path[1400], tmp[1450];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	if (same_file(path, data, len))
		return 0;
	snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT) {
		make_parents(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	/* No fsync: after a crash the keeper starts by discarding every file. */
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Renders path exactly as a worker would answer it and stores the page, or
 * removes its file when the page is no longer there (404 and the like). */
static void render(struct keeper *k, const char *path)
{
	struct buf out = BUF_INIT;
	char pathvar[600], script[600];
	snprintf(pathvar, sizeof pathvar, "PATH_INFO=%s", path);
	/* Under a prefix (base_url https://host/news) links carry it, as they
	 * do when a server sends SCRIPT_NAME=/news. */
	const char *url = k->app->config ? k->app->config->base_url : "";
	const char *host = strstr(url, "://");
	const char *prefix = host ? strchr(host + 3, '/') : NULL;
	snprintf(script, sizeof script, "SCRIPT_NAME=%s", prefix ? prefix : "");
	char *env[] = {"REQUEST_METHOD=GET", pathvar, script, NULL};
	struct http_io io = {env, no_body, capture_write, &out};
	note_list(k, path);
	app_handle(k->app, &io);
	const char *rel = keeper_file(&k->app->arena, path);
	const char *text = buf_cstr(&out);
	const char *body = strstr(text, "\r\n\r\n");
	if (rel) {
		char file[1400];
		snprintf(file, sizeof file, "%s/%s", k->dir, rel);
		if (!strncmp(text, "Status: 200 ", 12) && body) {
			body += 4;
			if (write_file(k->dir, rel, body, out.len - (size_t)(body - text)) != 0)
				log_error("keeper: cannot write %s: %s", file, strerror(errno));
		} else {
			unlink(file);
		}
	}
	arena_reset(&k->app->arena);
	buf_free(&out);
}

/* --- what a change touches ------------------------------------------------ */

static void want(struct keeper *k, const char *path)
{
	for (size_t i = 0; i < k->npending; i++)
		if (!strcmp(k->pending[i], path))
			return;
	if (k->npending == MAX_PENDING) {
		k->overflow = true;
		return;
	}
	k->pending[k->npending++] = xstrdup(path);
}

static void want_article(struct keeper *k, long long id)
{
	char path[32];
	want(k, page_article_path(path, id));
}

/* The first page of a category and of its section (its top-level parent). */
static void want_category(struct keeper *k, long long category_id)
{
	const struct db_category *c = app_category(k->app, category_id);
	char path[PAGE_CATEGORY_PATH_MAX];
	for (int level = 0; c && level < 2; level++) {
		want(k, page_category_path(path, c->slug));
		c = c->parent_id ? app_category(k->app, c->parent_id) : NULL;
	}
}

/* The articles on either side of (category, time, id): their prev/next
 * links point at or past this position. */
static void want_neighbours(struct keeper *k, long long id, long long category_id, long long pub,
			    long long now)
{
	struct db_article at = {.id = id, .category_id = category_id, .published_at = pub};
	struct db_link newer, older;
	if (db_article_neighbors(k->app->db, &at, now, &k->app->arena, &newer, &older) != DB_OK)
		return;
	if (newer.id)
		want_article(k, newer.id);
	if (older.id)
		want_article(k, older.id);
}

static void article_changed(struct keeper *k, long long id, long long old_cat, long long old_pub,
			    long long now)
{
	long long cat, pub;
	int is_public = 0;
	want_article(k, id);
	want(k, "/");
	if (db_keeper_article(k->app->db, id, now, &cat, &pub, &is_public) == DB_OK) {
		want_category(k, cat);
		if (is_public)
			want_neighbours(k, id, cat, pub, now);
	}
	if (old_cat) {
		want_category(k, old_cat);
		if (old_pub)
			want_neighbours(k, id, old_cat, old_pub, now);
	}
}

/* Once per interval: the pages whose most-read list changed since they were
 * rendered (views counted, the week moved on) are rendered again. So a page
 * is rewritten for its list at most once per interval, and not at all on a
 * quiet site. */
static void check_lists(struct keeper *k)
{
	if (app_clock_ms() < k->lists_due)
		return;
	k->lists_due = app_clock_ms() + mostread_interval_ms();
	long long now = (long long)time(NULL);
	for (size_t i = 0; i <= k->app->ncategories; i++) {
		const struct db_category *cat = i ? &k->app->categories[i - 1] : NULL;
		char path[PAGE_CATEGORY_PATH_MAX] = "/";
		if (cat)
			page_category_path(path, cat->slug);
		uint64_t sig;
		if (mostread_signature(k->app, cat, now, true, &sig) != DB_OK)
			break; /* busy: the next interval tries again */
		if (sig != listed_entry(k, path)->sig)
			want(k, path);
	}
	arena_reset(&k->app->arena);
}

/* --- discarding every page --------------------------------------------------- */

/* Moves the page directory aside (at once, so nginx falls back to the
 * workers from this moment) and removes the old tree in a child process. */
static int discard_all(struct keeper *k)
{
	char old[1100];
	snprintf(old, sizeof old, "%s.old-%d-%lld", k->dir, (int)getpid(), app_clock_ms());
	if (rename(k->dir, old) != 0 && errno != ENOENT) {
		log_error("keeper: cannot move %s aside: %s", k->dir, strerror(errno));
		return -1;
	}
	if (mkdir(k->dir, 0755) != 0 && errno != EEXIST) {
		log_error("keeper: cannot create %s: %s", k->dir, strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", "--", old, (char *)NULL);
		_exit(127);
	}
	k->full = true;
	k->tops_done = false;
	k->cursor_pub = LLONG_MAX;
	k->cursor_id = LLONG_MAX;
	return 0;
}

/* --- the loop --------------------------------------------------------------- */

static void flush_pending(struct keeper *k)
{
	if (k->overflow) {
		discard_all(k);
		k->overflow = false;
	}
	for (size_t i = 0; i < k->npending; i++) {
		render(k, k->pending[i]);
		free(k->pending[i]);
	}
	k->npending = 0;
}

/* Reads new changes and due scheduled articles; renders what they touch. */
static void tick(struct keeper *k)
{
	if (app_refresh(k->app) != DB_OK)
		return;
	long long now = (long long)time(NULL);
	struct db_change changes[CHANGES_PER_TICK];
	size_t n;
	long long upto = k->watermark;
	if (db_keeper_changes(k->app->db, k->watermark, changes, CHANGES_PER_TICK, &n) != DB_OK)
		return;
	bool site = false;
	for (size_t i = 0; i < n; i++) {
		upto = changes[i].id;
		if (changes[i].site)
			site = true;
		else if (!site)
			article_changed(k, changes[i].article_id, changes[i].old_category_id,
					changes[i].old_published_at, now);
	}
	long long due[64];
	size_t ndue;
	if (db_keeper_due(k->app->db, k->due_until, now, due, 64, &ndue) == DB_OK) {
		for (size_t i = 0; i < ndue; i++)
			article_changed(k, due[i], 0, 0, now);
		if (ndue < 64)
			k->due_until = now;
	}
	if (site) {
		for (size_t i = 0; i < k->npending; i++)
			free(k->pending[i]);
		k->npending = 0;
		discard_all(k);
	}
	if (!k->full)
		check_lists(k); /* a full render renders every list page anyway */
	flush_pending(k);
	if (upto != k->watermark) {
		k->watermark = upto;
		struct db *w = app_writer(k->app);
		if (w)
			db_keeper_forget(w, upto); /* best effort: a busy database retries next time */
	}
}

/* Renders part of the full set for about RENDER_SLICE_MS. */
static void full_slice(struct keeper *k)
{
	long long start = app_clock_ms(), now = (long long)time(NULL);
	if (!k->tops_done) {
		if (app_refresh(k->app) != DB_OK)
			return;
		render(k, "/");
		for (size_t i = 0; i < k->app->ncategories; i++) {
			char path[PAGE_CATEGORY_PATH_MAX];
			render(k, page_category_path(path, k->app->categories[i].slug));
		}
		k->tops_done = true;
	}
	while (app_clock_ms() - start < RENDER_SLICE_MS) {
		long long ids[64], pubs[64];
		size_t n;
		if (db_keeper_next_ids(k->app->db, now, k->cursor_pub, k->cursor_id, ids, pubs, 64,
				       &n) != DB_OK)
			return;
		for (size_t i = 0; i < n; i++) {
			char path[32];
			render(k, page_article_path(path, ids[i]));
			k->cursor_pub = pubs[i];
			k->cursor_id = ids[i];
		}
		if (n < 64) {
			k->full = false;
			log_info("keeper: every page is a file");
			return;
		}
	}
}

int keeper_run(struct app *app, const char *dir)
{
	struct keeper *k = xcalloc(1, sizeof *k);
	k->app = app;
	k->lists_due = app_clock_ms() + mostread_interval_ms();
	snprintf(k->dir, sizeof k->dir, "%s", dir);
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGCHLD, SIG_IGN); /* the rm children reap themselves */

	/* Whatever is on disk may predate changes made while no keeper ran:
	 * start from nothing. */
	k->due_until = (long long)time(NULL);
	if (db_keeper_watermark(app->db, &k->watermark) != DB_OK || discard_all(k) != 0) {
		free(k);
		return 1;
	}
	struct db *w = app_writer(app);
	if (w)
		db_keeper_forget(w, k->watermark); /* the full render covers them */
	log_info("keeper: keeping pages under %s", dir);
	while (!stopping) {
		long long t0 = app_clock_ms();
		tick(k);
		if (k->full)
			full_slice(k);
		long long left = KEEPER_TICK_MS - (app_clock_ms() - t0);
		if (!k->full && left > 0)
			usleep((useconds_t)left * 1000);
	}
	for (size_t i = 0; i < k->npending; i++)
		free(k->pending[i]);
	free(k->listed);
	free(k);
	return 0;
}
