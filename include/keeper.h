/*
 * The page keeper: one process beside the workers that keeps the public
 * HTML pages (home, category first pages, articles) as files under a
 * directory that nginx serves directly, so most visitors never reach a
 * worker. It is the only writer of those files:
 *
 *  - at start it renders every page, newest articles first;
 *  - every KEEPER_TICK it reads the page_changes rows that any writer (web,
 *    CLI, import) left since the last tick (sql/002_page_files.sql) and
 *    re-renders exactly the pages they touch: the article, its old and new
 *    neighbours (prev/next links), its categories' first pages and home; a
 *    change of settings or categories (menu, footer: every page) removes all
 *    files at once and renders them again in the background;
 *  - it notices scheduled articles whose time has come, with no cron job.
 *
 * A page is rendered by the same code that answers a worker's request, so a
 * file is byte for byte what the application would send. Pages that are not
 * files (or not yet) fall through to the workers, so no visitor ever waits
 * for the keeper.
 */
#ifndef GAZETTE_KEEPER_H
#define GAZETTE_KEEPER_H

#include <stddef.h>

struct app;
struct arena;

enum {
	KEEPER_TICK_MS = 100, /* how often changes are looked for: freshness well under 1 s */
};

/* Runs the keeper for app (opened by the caller) writing under dir until
 * SIGTERM/SIGINT. Returns 0 on a requested stop, 1 when dir is unusable. */
int keeper_run(struct app *app, const char *dir);

/*
 * The file under the page directory that holds path, or NULL when path is
 * not a page the keeper keeps: "/" → "index.html", "/a/12" → "a/12.html",
 * "/c/news/" → "c/news/index.html". In the arena.
 */
const char *keeper_file(struct arena *a, const char *path);

#endif
