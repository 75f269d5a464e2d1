/* SQL of editors' article writes. */
#include "db_editor.h"
#include "arena.h"
#include "log.h"

#include <string.h>

enum db_result db_editor_category(struct db *db, const char *slug, long long *id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM categories WHERE slug = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}

enum db_result db_editor_media(struct db *db, long long id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM media WHERE id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}

#define EDITOR_COLUMNS                                                                     \
	"SELECT a.id, a.category_id, coalesce(a.cover_media_id, 0), a.published_at, "      \
	"a.pinned, a.created_at, a.updated_at, coalesce(v.views, 0), a.title, a.summary, " \
	"a.body_md, a.body_html, a.source, a.author, a.status, c.slug, c.name, "            \
	"coalesce(u.username, ''), a.version, coalesce(a.created_by, 0), "                   \
	"coalesce(cu.username, ''), coalesce(r.action, ''), coalesce(r.comment, ''), "        \
	"coalesce(r.username, ''), coalesce(r.at, 0) "                                      \
	"FROM articles a JOIN categories c ON c.id = a.category_id "                        \
	"LEFT JOIN article_views v ON v.article_id = a.id "                                \
	"LEFT JOIN users u ON u.id = a.updated_by "                                        \
	"LEFT JOIN users cu ON cu.id = a.created_by "                                      \
	"LEFT JOIN article_reviews r ON r.id = (SELECT max(id) FROM article_reviews "      \
	"WHERE article_id = a.id) "

static void read_row(sqlite3_stmt *st, struct arena *a, struct db_editor_article *o, bool full)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	o->category_id = sqlite3_column_int64(st, 1);
	o->cover_media_id = sqlite3_column_int64(st, 2);
	o->has_published_at = sqlite3_column_type(st, 3) != SQLITE_NULL;
	o->published_at = sqlite3_column_int64(st, 3);
	o->pinned = sqlite3_column_int(st, 4);
	o->created_at = sqlite3_column_int64(st, 5);
	o->updated_at = sqlite3_column_int64(st, 6);
	o->views = sqlite3_column_int64(st, 7);
	o->title = arena_strdup(a, db_text(st, 8));
	o->summary = arena_strdup(a, db_text(st, 9));
	o->body_md = full ? arena_strdup(a, db_text(st, 10)) : "";
	o->body_html = full ? arena_strdup(a, db_text(st, 11)) : "";
	o->source = arena_strdup(a, db_text(st, 12));
	o->author = arena_strdup(a, db_text(st, 13));
	o->status = arena_strdup(a, db_text(st, 14));
	o->category_slug = arena_strdup(a, db_text(st, 15));
	o->category_name = arena_strdup(a, db_text(st, 16));
	o->updated_by = arena_strdup(a, db_text(st, 17));
	o->version = sqlite3_column_int64(st, 18);
	o->created_by = sqlite3_column_int64(st, 19);
	o->created_by_name = arena_strdup(a, db_text(st, 20));
	o->review_action = arena_strdup(a, db_text(st, 21));
	o->review_comment = arena_strdup(a, db_text(st, 22));
	o->review_by = arena_strdup(a, db_text(st, 23));
	o->review_at = sqlite3_column_int64(st, 24);
}

enum db_result db_editor_article(struct db *db, long long id, struct arena *a,
				 struct db_editor_article *out)
{
	sqlite3_stmt *st = db_stmt(db, EDITOR_COLUMNS "WHERE a.id = ?1 AND a.deleted_at IS NULL");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, a, out, true);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}

/* Binds the editable fields of a as ?1..?11 (shared by insert and update). */
static void bind_fields(sqlite3_stmt *st, const struct db_editor_article *a)
{
	sqlite3_bind_int64(st, 1, a->category_id);
	sqlite3_bind_text(st, 2, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->body_md, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->body_html, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->author, -1, SQLITE_STATIC);
	if (a->cover_media_id)
		sqlite3_bind_int64(st, 8, a->cover_media_id);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_text(st, 9, a->status, -1, SQLITE_STATIC);
	if (a->has_published_at)
		sqlite3_bind_int64(st, 10, a->published_at);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_int(st, 11, a->pinned);
}

enum db_result db_editor_insert(struct db *db, struct db_editor_article *a, long long user_id,
				long long now)
{
	sqlite3_stmt *st = db_stmt(db,
		"INSERT INTO articles(category_id, title, summary, body_md, body_html, source, "
		"author, cover_media_id, status, published_at, pinned, created_at, created_by, "
		"updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
		"?13, ?12, ?13)");
	if (!st)
		return DB_ERROR;
	bind_fields(st, a);
	sqlite3_bind_int64(st, 12, now);
	sqlite3_bind_int64(st, 13, user_id);
	enum db_result r = db_run(db, st);
	if (r != DB_OK)
		return r;
	a->id = sqlite3_last_insert_rowid(db->h);
	st = db_stmt(db, "INSERT INTO article_views(article_id, views) VALUES (?1, 0)");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, a->id);
	return db_run(db, st);
}

enum db_result db_editor_update(struct db *db, const struct db_editor_article *a,
				long long expect_version, long long user_id, long long now)
{
	/* The version test and the increment are one statement, so no save
	 * can slip in between the check and the write. */
	sqlite3_stmt *st = db_stmt(db,
		"UPDATE articles SET category_id = ?1, title = ?2, summary = ?3, body_md = ?4, "
		"body_html = ?5, source = ?6, author = ?7, cover_media_id = ?8, status = ?9, "
		"published_at = ?10, pinned = ?11, updated_at = ?12, updated_by = ?13, "
		"version = version + 1 WHERE id = ?14 AND deleted_at IS NULL AND version = ?15");
	if (!st)
		return DB_ERROR;
	bind_fields(st, a);
	sqlite3_bind_int64(st, 12, now);
	sqlite3_bind_int64(st, 13, user_id);
	sqlite3_bind_int64(st, 14, a->id);
	sqlite3_bind_int64(st, 15, expect_version);
	return db_run_one(db, st);
}

enum db_result db_editor_revision(struct db *db, long long id, long long user_id, long long now)
{
	sqlite3_stmt *st = db_stmt(db,
		"INSERT INTO revisions(article_id, title, summary, body_md, source, author, "
		"category_id, status, published_at, pinned, created_at, created_by) "
		"SELECT id, title, summary, body_md, source, author, category_id, status, "
		"published_at, pinned, ?2, ?3 FROM articles WHERE id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, user_id);
	return db_run(db, st);
}

enum db_result db_editor_delete(struct db *db, long long id, long long user_id, long long now)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE articles SET deleted_at = ?2, updated_at = ?2, "
				       "updated_by = ?3 WHERE id = ?1 AND deleted_at IS NULL");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, user_id);
	return db_run_one(db, st);
}

/* ?7: the categories the user may see (a JSON array of ids) or NULL. */
#define EDITOR_FILTER                                                                      \
	"WHERE a.deleted_at IS NULL AND (?1 IS NULL OR a.status = ?1) AND (?4 = 0 OR "      \
	"a.category_id = ?4 OR a.section_id = ?4) AND (?5 IS NULL OR instr(lower(a.title), " \
	"lower(?5)) > 0) AND (?6 = 0 OR a.created_by = ?6) AND (?7 IS NULL OR "              \
	"a.category_id IN (SELECT value FROM json_each(?7))) "

static void bind_filter(sqlite3_stmt *st, const struct db_editor_filter *f)
{
	if (f->status)
		sqlite3_bind_text(st, 1, f->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, f->category_id);
	if (f->title && *f->title)
		sqlite3_bind_text(st, 5, f->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, f->created_by);
	if (f->categories)
		sqlite3_bind_text(st, 7, f->categories, -1, SQLITE_STATIC);
}

enum db_result db_editor_list(struct db *db, const struct db_editor_filter *f, int limit,
			      long long offset, struct arena *a, struct db_editor_article **out,
			      size_t *n, long long *total)
{
	/* The title filter scans the editors' list (newest change first); it
	 * is for a newsroom's own articles, not a public search. */
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM articles a " EDITOR_FILTER);
	if (!st)
		return DB_ERROR;
	bind_filter(st, f);
	int rc = sqlite3_step(st);
	*total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, rc);
	/* The queue's order: the latest submission of each article. */
	st = f->by_submission
		     ? db_stmt(db, EDITOR_COLUMNS EDITOR_FILTER
			       "ORDER BY (SELECT max(s.at) FROM article_reviews s WHERE "
			       "s.article_id = a.id AND s.action = 'submit') DESC, a.id DESC "
			       "LIMIT ?2 OFFSET ?3")
		     : db_stmt(db, EDITOR_COLUMNS EDITOR_FILTER
			       "ORDER BY a.updated_at DESC, a.id DESC LIMIT ?2 OFFSET ?3");
	if (!st)
		return DB_ERROR;
	bind_filter(st, f);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	*out = arena_calloc(a, limit > 0 ? (size_t)limit : 1, sizeof **out);
	*n = 0;
	while (*n < (size_t)limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_row(st, a, &(*out)[(*n)++], false);
	if (*n == (size_t)limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}
