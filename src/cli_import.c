/* CLI content commands: import, and the import core that demo shares. */
#include "buf.h"
#include "cli.h"
#include "db_admin.h"
#include "md.h"
#include "valid.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	IMPORT_MAX_BYTES = 64 << 20,
	NAME_MAX_CHARS = 200,
	TITLE_MAX_CHARS = 500,
	SUMMARY_MAX_CHARS = 5000,
	BODY_MAX_CHARS = 1000000,
	LINE_MAX_CHARS = 300,
	POSITION_LIMIT = 1000000,
	PROGRESS_EVERY = 1000,
};

/* A category known during an import: from the database or the file. */
struct known {
	const char *slug; /* borrowed from the db list or the document */
	long long id, parent_id;
	const char *name;
};

struct import {
	struct db *db;
	long long now;
	struct known *known;
	size_t nknown, capknown;
	char *err;
	size_t errlen;
};

static int fail(struct import *im, const char *what, int index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes "WHAT[INDEX]: message" into the error; returns -1. */
static int fail(struct import *im, const char *what, int index, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = index >= 0 ? snprintf(im->err, im->errlen, "%s[%d]: ", what, index)
	                   : snprintf(im->err, im->errlen, "%s: ", what);
	if (n >= 0 && (size_t)n < im->errlen)
		vsnprintf(im->err + n, im->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct known *find_known(const struct import *im, const char *slug)
{
	for (size_t i = 0; i < im->nknown; i++)
		if (!strcmp(im->known[i].slug, slug))
			return &im->known[i];
	return NULL;
}

static void add_known(struct import *im, const char *slug, const char *name, long long id,
                      long long parent_id)
{
	if (im->nknown == im->capknown) {
		im->capknown = im->capknown ? im->capknown * 2 : 32;
		im->known = xrealloc(im->known, im->capknown * sizeof *im->known);
	}
	im->known[im->nknown++] = (struct known){slug, id, parent_id, name};
}

/* Refuses fields outside allowed (a typo would otherwise be dropped). */
static int check_fields(struct import *im, const char *what, int i, const cJSON *obj,
                        const char *const *allowed)
{
	if (!cJSON_IsObject(obj))
		return fail(im, what, i, "not an object");
	for (const cJSON *f = obj->child; f; f = f->next) {
		const char *const *a = allowed;
		while (*a && strcmp(*a, f->string))
			a++;
		if (!*a)
			return fail(im, what, i, "unknown field '%s'", f->string);
	}
	return 0;
}

/* The string field key of obj into *out; absent or null gives def (NULL
 * def: required). */
static int get_str(struct import *im, const char *what, int i, const cJSON *obj, const char *key,
                   const char *def, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v)) {
		if (!def)
			return fail(im, what, i, "missing %s", key);
		*out = def;
		return 0;
	}
	if (!cJSON_IsString(v))
		return fail(im, what, i, "%s must be a string", key);
	*out = v->valuestring;
	return 0;
}

static int one_category(struct import *im, const cJSON *rec, int i, bool *done)
{
	static const char *const fields[] = {"slug", "name", "parent", "position", NULL};
	const char *slug = NULL, *name = NULL, *parent = NULL;
	long long position = 0;
	if (check_fields(im, "categories", i, rec, fields) ||
	    get_str(im, "categories", i, rec, "slug", NULL, &slug) ||
	    get_str(im, "categories", i, rec, "name", NULL, &name) ||
	    get_str(im, "categories", i, rec, "parent", "", &parent))
		return -1;
	if (!valid_slug(slug))
		return fail(im, "categories", i, "bad slug '%s'", slug);
	if (!*name || !valid_line(name, NAME_MAX_CHARS))
		return fail(im, "categories", i, "name must be one line of 1 to %d characters",
		            NAME_MAX_CHARS);
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(rec, "position");
	if (p && !cJSON_IsNull(p)) {
		/* Range first: casting 1e300 to long long is undefined behaviour. */
		if (!cJSON_IsNumber(p) || p->valuedouble < -POSITION_LIMIT ||
		    p->valuedouble > POSITION_LIMIT ||
		    p->valuedouble != (double)(long long)p->valuedouble)
			return fail(im, "categories", i,
			            "position must be a whole number from "
			            "%d to %d",
			            -POSITION_LIMIT, POSITION_LIMIT);
		position = (long long)p->valuedouble;
	}
	const struct known *parent_k = NULL;
	if (*parent) {
		parent_k = find_known(im, parent);
		if (!parent_k)
			return 0; /* perhaps later in the file: next pass */
		/* Pages show Home > parent > category: two levels, no deeper. */
		if (parent_k->parent_id)
			return fail(im, "categories", i, "parent '%s' is itself a subcategory",
			            parent);
	}
	const struct known *same = find_known(im, slug);
	if (same) {
		/* Importing an export into the database it came from: the same
		 * category is reused; a different one under the slug is an error. */
		if (strcmp(same->name, name) != 0 ||
		    same->parent_id != (parent_k ? parent_k->id : 0))
			return fail(im, "categories", i,
			            "category '%s' already exists with "
			            "another name or parent",
			            slug);
		*done = true;
		return 1;
	}
	long long id;
	long long parent_id = parent_k ? parent_k->id : 0;
	if (db_admin_category_add(im->db, slug, name, parent_id, position, im->now, &id) !=
	    SQLITE_OK)
		return fail(im, "categories", i, "%s", sqlite3_errmsg(im->db->h));
	add_known(im, slug, name, id, parent_id);
	*done = true;
	return 2;
}

/*
 * Creates the file's categories, parents first whatever their order in the
 * file: each pass creates those whose parent is known, until a pass
 * creates none. Returns the number created, or -1.
 */
static int import_categories(struct import *im, const cJSON *arr)
{
	int n = cJSON_GetArraySize(arr), created = 0, left = n;
	bool *done = xcalloc((size_t)n + 1, sizeof *done);
	/* Duplicates first, so a pass never sees half of a pair. */
	int i = 0;
	for (const cJSON *a = arr->child; a; a = a->next, i++) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "slug");
		int j = 0;
		for (const cJSON *b = arr->child; b != a; b = b->next, j++) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "slug");
			if (cJSON_IsString(s) && cJSON_IsString(t) &&
			    !strcmp(s->valuestring, t->valuestring)) {
				free(done);
				return fail(im, "categories", i, "slug '%s' also in categories[%d]",
				            s->valuestring, j);
			}
		}
	}
	while (left > 0) {
		int progress = 0;
		i = 0;
		for (const cJSON *rec = arr->child; rec; rec = rec->next, i++) {
			if (done[i])
				continue;
			int r = one_category(im, rec, i, &done[i]);
			if (r < 0) {
				free(done);
				return -1;
			}
			if (done[i]) {
				progress++;
				left--;
				created += r == 2;
			}
		}
		if (!progress)
			break;
	}
	if (left > 0) {
		i = 0;
		for (const cJSON *rec = arr->child; rec; rec = rec->next, i++) {
			if (!done[i]) {
				const char *parent = "";
				get_str(im, "categories", i, rec, "parent", "", &parent);
				free(done);
				return fail(im, "categories", i, "unknown parent '%s'", parent);
			}
		}
	}
	free(done);
	return created;
}

/* CRLF and lone CR become LF: Markdown from Windows editors is welcome. */
static char *normalize_newlines(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	for (; *s; s++) {
		if (*s == '\r') {
			*o++ = '\n';
			if (s[1] == '\n')
				s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static int one_article(struct import *im, const cJSON *rec, int i, struct buf *html)
{
	static const char *const fields[] = {"title",  "category", "summary", "body_markdown",
	                                     "source", "author",   "status",  "published_at",
	                                     "pinned", NULL};
	struct db_admin_article a = {0};
	const char *cat = NULL, *summary = NULL, *body = NULL, *when = NULL;
	if (check_fields(im, "articles", i, rec, fields) ||
	    get_str(im, "articles", i, rec, "title", NULL, &a.title) ||
	    get_str(im, "articles", i, rec, "category", NULL, &cat) ||
	    get_str(im, "articles", i, rec, "summary", "", &summary) ||
	    get_str(im, "articles", i, rec, "body_markdown", "", &body) ||
	    get_str(im, "articles", i, rec, "source", "", &a.source) ||
	    get_str(im, "articles", i, rec, "author", "", &a.author) ||
	    get_str(im, "articles", i, rec, "status", "draft", &a.status) ||
	    get_str(im, "articles", i, rec, "published_at", "", &when))
		return -1;
	if (!*a.title || !valid_line(a.title, TITLE_MAX_CHARS))
		return fail(im, "articles", i, "title must be one line of 1 to %d characters",
		            TITLE_MAX_CHARS);
	const struct known *k = find_known(im, cat);
	if (!k)
		return fail(im, "articles", i, "unknown category '%s'", cat);
	a.category_id = k->id;
	if (!valid_line(a.source, LINE_MAX_CHARS) || !valid_line(a.author, LINE_MAX_CHARS))
		return fail(im, "articles", i,
		            "source and author must be one line of at most %d "
		            "characters",
		            LINE_MAX_CHARS);
	if (!valid_status(a.status))
		return fail(im, "articles", i,
		            "status must be draft, scheduled, published or "
		            "archived, not '%s'",
		            a.status);
	if (*when) {
		if (!valid_time(when, &a.published_at))
			return fail(im, "articles", i,
			            "published_at '%s' is not ISO 8601 with an "
			            "offset, like 2026-05-01T09:30:00+08:00",
			            when);
		a.has_published_at = true;
	} else if (!strcmp(a.status, "published") || !strcmp(a.status, "scheduled")) {
		return fail(im, "articles", i, "a %s article needs published_at", a.status);
	}
	const cJSON *pin = cJSON_GetObjectItemCaseSensitive(rec, "pinned");
	if (pin && !cJSON_IsNull(pin) && !cJSON_IsBool(pin))
		return fail(im, "articles", i, "pinned must be true or false");
	a.pinned = cJSON_IsTrue(pin);

	char *sum = normalize_newlines(summary), *md = normalize_newlines(body);
	int ret = -1;
	a.summary = sum;
	a.body_md = md;
	long long id;
	buf_reset(html);
	if (!valid_text(sum, SUMMARY_MAX_CHARS))
		fail(im, "articles", i, "summary must be text of at most %d characters",
		     SUMMARY_MAX_CHARS);
	else if (!valid_text(md, BODY_MAX_CHARS))
		fail(im, "articles", i, "body_markdown must be text of at most %d characters",
		     BODY_MAX_CHARS);
	else if (md_render(md, strlen(md), html) < 0)
		fail(im, "articles", i, "cannot render body_markdown");
	else if (a.body_html = buf_cstr(html),
	         db_admin_article_add(im->db, &a, im->now, &id) != SQLITE_OK)
		fail(im, "articles", i, "%s", sqlite3_errmsg(im->db->h));
	else
		ret = 0;
	free(sum);
	free(md);
	return ret;
}

static int import_articles(struct import *im, const cJSON *arr, FILE *progress)
{
	int n = cJSON_GetArraySize(arr), i = 0;
	bool tty = progress && isatty(fileno(progress));
	struct buf html = BUF_INIT;
	for (const cJSON *rec = arr->child; rec; rec = rec->next, i++) {
		if (one_article(im, rec, i, &html) < 0) {
			buf_free(&html);
			if (tty && i >= PROGRESS_EVERY)
				fputc('\n', progress);
			return -1;
		}
		if (progress && n >= PROGRESS_EVERY && (i + 1) % (tty ? 100 : PROGRESS_EVERY) == 0)
			fprintf(progress,
			        tty ? "\rimport: %d of %d articles" : "import: %d of %d articles\n",
			        i + 1, n);
	}
	if (tty && n >= PROGRESS_EVERY)
		fputc('\n', progress);
	buf_free(&html);
	return i;
}

int cli_import_doc(struct db *db, const cJSON *doc, long long now, FILE *progress,
                   struct cli_import_stats *stats, char *err, size_t errlen)
{
	static const char *const fields[] = {"categories", "articles", NULL};
	struct import im = {.db = db, .now = now, .err = err, .errlen = errlen};
	struct db_admin_category *cats = NULL;
	size_t ncats = 0;
	int ret = -1;
	memset(stats, 0, sizeof *stats);
	if (!cJSON_IsObject(doc)) {
		snprintf(err, errlen, "the document must be a JSON object");
		return -1;
	}
	if (check_fields(&im, "document", -1, doc, fields))
		return -1;
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "categories");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, "articles");
	if ((c && !cJSON_IsArray(c)) || (a && !cJSON_IsArray(a))) {
		snprintf(err, errlen, "categories and articles must be arrays");
		return -1;
	}
	if (db_admin_categories(db, &cats, &ncats) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read categories: %s", sqlite3_errmsg(db->h));
		return -1;
	}
	for (size_t i = 0; i < ncats; i++)
		add_known(&im, cats[i].slug, cats[i].name, cats[i].id, cats[i].parent_id);
	int nc = c ? import_categories(&im, c) : 0;
	int na = nc >= 0 && a ? import_articles(&im, a, progress) : 0;
	if (nc >= 0 && na >= 0) {
		stats->categories = (size_t)nc;
		stats->articles = (size_t)na;
		ret = 0;
	}
	free(im.known);
	db_admin_categories_free(cats, ncats);
	return ret;
}

/* Reads all of f into b, refusing more than IMPORT_MAX_BYTES. Returns 0,
 * 1 when too large, -1 on a read error (errno). */
static int slurp(FILE *f, struct buf *b)
{
	for (;;) {
		char *p = buf_reserve(b, 65536);
		size_t n = fread(p, 1, 65536, f);
		b->len += n;
		if (b->len > IMPORT_MAX_BYTES)
			return 1;
		if (n < 65536)
			return ferror(f) ? -1 : 0;
	}
}

/* Line and column of byte off in text, for a JSON syntax error. */
static void where(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static cJSON *read_doc(struct cli *c, const char *path)
{
	bool std = !strcmp(path, "-");
	FILE *f = std ? c->in : fopen(path, "rb");
	if (!f) {
		cli_error(c, "import: cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	struct buf b = BUF_INIT;
	int r = slurp(f, &b);
	int saved = errno;
	if (!std)
		fclose(f);
	const char *name = std ? "standard input" : path;
	cJSON *doc = NULL;
	if (r > 0) {
		cli_error(c, "import: %s is larger than %d MiB", name, IMPORT_MAX_BYTES >> 20);
	} else if (r < 0) {
		cli_error(c, "import: cannot read %s: %s", name, strerror(saved));
	} else if (!(doc = cJSON_ParseWithLength(b.data ? b.data : "", b.len))) {
		const char *at = cJSON_GetErrorPtr();
		int line = 0, col = 0;
		if (at && b.data && at >= b.data && at <= b.data + b.len)
			where(b.data, (size_t)(at - b.data), &line, &col);
		cli_error(c, "import: %s is not valid JSON (near line %d, column %d)", name, line,
		          col);
	}
	buf_free(&b);
	return doc;
}

int cli_cmd_import(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	int npos;
	if (cli_parse(c, "import", argc, argv, NULL, pos, 1, &npos))
		return CLI_USAGE;
	if (npos != 1)
		return cli_usage(c, "import", "missing FILE (or - for standard input)");
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	cJSON *doc = read_doc(c, pos[0]);
	int ret = CLI_FAIL;
	char err[600], detail[100];
	struct cli_import_stats st;
	if (!doc)
		goto out;
	if (db_begin_write(db) != SQLITE_OK) {
		cli_db_error(c, db, "import");
		goto out;
	}
	if (cli_import_doc(db, doc, c->now, c->err, &st, err, sizeof err) < 0) {
		cli_error(c, "import: %s", err);
		db_rollback(db);
		goto out;
	}
	snprintf(detail, sizeof detail, "%zu categories, %zu articles", st.categories, st.articles);
	if (cli_audit(c, db, "import", "", 0, detail) != SQLITE_OK || db_commit(db) != SQLITE_OK) {
		cli_db_error(c, db, "import");
		db_rollback(db);
		goto out;
	}
	fprintf(c->out, "imported %s\n", detail);
	ret = CLI_OK;
out:
	cJSON_Delete(doc);
	db_close(db);
	return ret;
}
