/* "Most read this week" lists and their per-process memo (see mostread.h). */
#include "mostread.h"
#include "db_keeper.h"
#include "db_mostread.h"
#include "i18n.h"
#include "page.h"
#include "valid.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MEMO_SLOTS = 64 }; /* lists kept at once: the pages' and a few API queries */

struct memo {
	bool used;
	enum db_scope scope;
	long long id;
	int days, limit;
	long long at_ms;   /* when it was computed (monotonic) */
	long long changes; /* the page_changes watermark then */
	long long day;     /* the UTC day then: the window moves at midnight */
	unsigned long long last_use;
	struct arena arena; /* owns items and their strings */
	struct db_article *items;
	size_t n;
};

static struct memo memo[MEMO_SLOTS];
static unsigned long long uses;

long long mostread_interval_ms(void)
{
	static long long ms;
	if (!ms) {
		const char *v = getenv("GAZETTE_MOSTREAD_REFRESH");
		long long s;
		ms = 1000LL * (v && valid_int(v, 1, 86400, &s) ? s : MOSTREAD_REFRESH_DEFAULT);
	}
	return ms;
}

static void copy_items(struct arena *a, const struct db_article *from, size_t n,
                       struct db_article **to)
{
	*to = arena_calloc(a, n ? n : 1, sizeof **to);
	for (size_t i = 0; i < n; i++) {
		struct db_article *t = &(*to)[i];
		*t = from[i];
		t->title = arena_strdup(a, from[i].title);
		t->summary = arena_strdup(a, from[i].summary);
		t->category_slug = arena_strdup(a, from[i].category_slug);
		t->category_name = arena_strdup(a, from[i].category_name);
		t->source = t->author = t->body_html = "";
	}
}

/* The slot for this key: its own, else a free one, else the least used. */
static struct memo *slot(enum db_scope scope, long long id, int days, int limit)
{
	struct memo *victim = NULL;
	for (size_t i = 0; i < MEMO_SLOTS; i++) {
		struct memo *m = &memo[i];
		if (m->used && m->scope == scope && m->id == id && m->days == days &&
		    m->limit == limit)
			return m;
		if (!victim || (victim->used && (!m->used || m->last_use < victim->last_use)))
			victim = m;
	}
	return victim;
}

enum db_result mostread_list(struct app *app, enum db_scope scope, long long id, int days,
                             int limit, long long now, bool fresh, struct arena *a,
                             struct db_article **out, size_t *n)
{
	long long changes;
	enum db_result r = db_keeper_watermark(app->db, &changes);
	if (r != DB_OK)
		return r;
	struct memo *m = slot(scope, id, days, limit);
	long long t = app_clock_ms(), day = db_mostread_day(now);
	bool same =
	    m->used && m->scope == scope && m->id == id && m->days == days && m->limit == limit;
	if (fresh || !same || t - m->at_ms >= mostread_interval_ms() || m->changes != changes ||
	    m->day != day) {
		struct db_article *items;
		size_t count;
		r = db_most_read(app->db, scope, id, now, days, limit, a, &items, &count);
		if (r != DB_OK)
			return r;
		arena_reset(&m->arena);
		*m = (struct memo){.used = true,
		                   .scope = scope,
		                   .id = id,
		                   .days = days,
		                   .limit = limit,
		                   .at_ms = t,
		                   .changes = changes,
		                   .day = day,
		                   .arena = m->arena,
		                   .n = count};
		copy_items(&m->arena, items, count, &m->items);
	}
	m->last_use = ++uses;
	copy_items(a, m->items, m->n, out);
	*n = m->n;
	return DB_OK;
}

/* The scope of a page's list: home (NULL), a section, a subcategory. */
static enum db_scope page_scope(const struct db_category *cat, long long *id)
{
	*id = cat ? cat->id : 0;
	return !cat ? DB_SCOPE_SITE : cat->parent_id ? DB_SCOPE_CATEGORY : DB_SCOPE_SECTION;
}

enum db_result mostread_page(struct app *app, const struct db_category *cat, long long now,
                             struct arena *a, cJSON *d)
{
	long long id;
	enum db_scope scope = page_scope(cat, &id);
	struct db_article *arts;
	size_t n;
	enum db_result r = mostread_list(app, scope, id, MOSTREAD_WEEK, MOSTREAD_PAGE_LIMIT, now,
	                                 false, a, &arts, &n);
	if (r != DB_OK)
		return r;
	cJSON *list = cJSON_AddArrayToObject(d, "most_read");
	for (size_t i = 0; i < n; i++) {
		cJSON *it = page_list_item(a, &arts[i]);
		cJSON_AddNumberToObject(it, "views", (double)arts[i].views);
		cJSON_AddStringToObject(it, "views_unit",
		                        i18n_label(app->lang, arts[i].views == 1
		                                                  ? "most_read_view"
		                                                  : "most_read_views"));
		cJSON_AddItemToArray(list, it);
	}
	cJSON_AddBoolToObject(d, "has_most_read", n > 0);
	return DB_OK;
}

enum db_result mostread_signature(struct app *app, const struct db_category *cat, long long now,
                                  bool fresh, uint64_t *sig)
{
	long long id;
	enum db_scope scope = page_scope(cat, &id);
	struct db_article *arts;
	size_t n;
	enum db_result r = mostread_list(app, scope, id, MOSTREAD_WEEK, MOSTREAD_PAGE_LIMIT, now,
	                                 fresh, &app->arena, &arts, &n);
	if (r != DB_OK)
		return r;
	/* FNV-1a over (id, views) of each entry: what the list shows that views change. */
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		long long v[2] = {arts[i].id, arts[i].views};
		const unsigned char *p = (const unsigned char *)v;
		for (size_t j = 0; j < sizeof v; j++)
			h = (h ^ p[j]) * 1099511628211ULL;
	}
	*sig = h ^ n;
	return DB_OK;
}
