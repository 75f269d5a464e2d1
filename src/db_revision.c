/* SQL of article revisions (read only). */
#include "db_revision.h"
#include "arena.h"

#include <string.h>

#define REVISION_COLUMNS                                                                           \
	"SELECT r.id, r.article_id, r.category_id, r.published_at, r.pinned, r.created_at, "       \
	"coalesce(u.username, ''), r.title, r.status, r.summary, r.body_md, r.source, "            \
	"r.author FROM revisions r LEFT JOIN users u ON u.id = r.created_by "

static void read_row(sqlite3_stmt *st, struct arena *a, struct db_revision *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	o->article_id = sqlite3_column_int64(st, 1);
	o->category_id = sqlite3_column_int64(st, 2);
	o->has_published_at = sqlite3_column_type(st, 3) != SQLITE_NULL;
	o->published_at = sqlite3_column_int64(st, 3);
	o->pinned = sqlite3_column_int(st, 4);
	o->created_at = sqlite3_column_int64(st, 5);
	o->username = arena_strdup(a, db_text(st, 6));
	o->title = arena_strdup(a, db_text(st, 7));
	o->status = arena_strdup(a, db_text(st, 8));
	o->summary = arena_strdup(a, db_text(st, 9));
	o->body_md = arena_strdup(a, db_text(st, 10));
	o->source = arena_strdup(a, db_text(st, 11));
	o->author = arena_strdup(a, db_text(st, 12));
}

enum db_result db_revision_list(struct db *db, long long article_id, int limit, long long offset,
                                struct arena *a, struct db_revision **out, size_t *n,
                                long long *total)
{
	*out = arena_calloc(a, limit > 0 ? (size_t)limit : 1, sizeof **out);
	*n = 0;
	*total = 0;
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM revisions WHERE article_id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, article_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, rc);
	/* The list leaves out the long columns: a page of 50 revisions of a
	 * long article would otherwise copy megabytes it never shows. */
	st = db_stmt(db, "SELECT r.id, r.article_id, r.category_id, r.published_at, r.pinned, "
	                 "r.created_at, coalesce(u.username, ''), r.title, r.status "
	                 "FROM revisions r LEFT JOIN users u ON u.id = r.created_by "
	                 "WHERE r.article_id = ?1 ORDER BY r.id DESC LIMIT ?2 OFFSET ?3");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, article_id);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	while (*n < (size_t)(limit > 0 ? limit : 0) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_revision *o = &(*out)[(*n)++];
		o->id = sqlite3_column_int64(st, 0);
		o->article_id = sqlite3_column_int64(st, 1);
		o->category_id = sqlite3_column_int64(st, 2);
		o->has_published_at = sqlite3_column_type(st, 3) != SQLITE_NULL;
		o->published_at = sqlite3_column_int64(st, 3);
		o->pinned = sqlite3_column_int(st, 4);
		o->created_at = sqlite3_column_int64(st, 5);
		o->username = arena_strdup(a, db_text(st, 6));
		o->title = arena_strdup(a, db_text(st, 7));
		o->status = arena_strdup(a, db_text(st, 8));
		o->summary = o->body_md = o->source = o->author = "";
	}
	if (*n == (size_t)(limit > 0 ? limit : 0))
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc);
}

enum db_result db_revision_get(struct db *db, long long id, struct arena *a,
                               struct db_revision *out)
{
	sqlite3_stmt *st = db_stmt(db, REVISION_COLUMNS "WHERE r.id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, a, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}
