/* gazette check's comparison of the trigger-kept list tables with the
 * articles they describe. */
#include "db_lists.h"

#include <stdio.h>

#define PUBLIC "status IN ('published', 'scheduled') AND deleted_at IS NULL"

/* list_counts as 008_list_counts.sql builds it. The table keeps rows whose
 * n fell to 0 (a list emptied); they equal an absent fresh row. */
#define FRESH_COUNTS                                                                               \
	"fresh(kind, id, n) AS ("                                                                  \
	"SELECT 'site', 0, count(*) FROM articles WHERE " PUBLIC " UNION ALL "                     \
	"SELECT 'pinned', 0, count(*) FROM articles WHERE pinned = 1 AND " PUBLIC " UNION ALL "    \
	"SELECT 'section', section_id, count(*) FROM articles "                                    \
	"WHERE section_id IS NOT NULL AND " PUBLIC " GROUP BY section_id UNION ALL "               \
	"SELECT 'category', category_id, count(*) FROM articles WHERE " PUBLIC                     \
	" GROUP BY category_id), "                                                                 \
	"kept(kind, id, n) AS (SELECT kind, id, n FROM list_counts WHERE n != 0), "                \
	"fresh_nz(kind, id, n) AS (SELECT kind, id, n FROM fresh WHERE n != 0) "

static const char counts_sql[] =
    "WITH " FRESH_COUNTS ", diff(kind, id) AS ("
    "SELECT kind, id FROM (SELECT * FROM kept EXCEPT SELECT * FROM fresh_nz) UNION "
    "SELECT kind, id FROM (SELECT * FROM fresh_nz EXCEPT SELECT * FROM kept)) "
    "SELECT d.kind, d.id, coalesce(k.n, 0), coalesce(f.n, 0) FROM diff d "
    "LEFT JOIN kept k ON k.kind = d.kind AND k.id = d.id "
    "LEFT JOIN fresh_nz f ON f.kind = d.kind AND f.id = d.id ORDER BY d.kind, d.id";

/* list_days as 011_list_days.sql builds it. */
#define FRESH_DAYS                                                                                 \
	"fresh(kind, id, day, n, older) AS (SELECT kind, id, day, n, "                             \
	"sum(n) OVER (PARTITION BY kind, id ORDER BY day) - n FROM ("                              \
	"SELECT 'site' AS kind, 0 AS id, published_at / 86400 AS day, count(*) AS n "              \
	"FROM articles WHERE " PUBLIC " AND published_at IS NOT NULL GROUP BY day UNION ALL "      \
	"SELECT 'section', section_id, published_at / 86400 AS day, count(*) FROM articles "       \
	"WHERE " PUBLIC " AND published_at IS NOT NULL AND section_id IS NOT NULL "                \
	"GROUP BY section_id, day UNION ALL "                                                      \
	"SELECT 'category', category_id, published_at / 86400 AS day, count(*) FROM articles "     \
	"WHERE " PUBLIC " AND published_at IS NOT NULL GROUP BY category_id, day)) "

static const char days_sql[] =
    "WITH " FRESH_DAYS ", diff(kind, id, day) AS ("
    "SELECT kind, id, day FROM (SELECT * FROM list_days EXCEPT SELECT * FROM fresh) UNION "
    "SELECT kind, id, day FROM (SELECT * FROM fresh EXCEPT SELECT * FROM list_days)) "
    "SELECT d.kind, d.id, d.day, k.n, k.older, f.n, f.older FROM diff d "
    "LEFT JOIN list_days k ON k.kind = d.kind AND k.id = d.id AND k.day = d.day "
    "LEFT JOIN fresh f ON f.kind = d.kind AND f.id = d.id AND f.day = d.day "
    "ORDER BY d.kind, d.id, d.day";

/* "n 3 older 10", or "no row" for a NULL n. */
static void day_row(char *out, size_t len, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		snprintf(out, len, "no row");
	else
		snprintf(out, len, "n %lld older %lld", (long long)sqlite3_column_int64(st, col),
		         (long long)sqlite3_column_int64(st, col + 1));
}

/* Steps st to its end, reporting each row with line(); returns an SQLite
 * result code. */
static int report(sqlite3_stmt *st, const char *table,
                  void (*line)(char *out, size_t len, sqlite3_stmt *st),
                  void (*fn)(const char *problem, void *ctx), void *ctx)
{
	int rc, rows = 0;
	char msg[300];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (rows++ < DB_LISTS_MAX_PROBLEMS) {
			line(msg, sizeof msg, st);
			fn(msg, ctx);
		}
	sqlite3_reset(st);
	if (rows > DB_LISTS_MAX_PROBLEMS) {
		snprintf(msg, sizeof msg, "%s: %d more rows differ", table,
		         rows - DB_LISTS_MAX_PROBLEMS);
		fn(msg, ctx);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void counts_line(char *out, size_t len, sqlite3_stmt *st)
{
	snprintf(out, len, "list_counts %s %lld: kept %lld, counted %lld", db_text(st, 0),
	         (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2),
	         (long long)sqlite3_column_int64(st, 3));
}

static void days_line(char *out, size_t len, sqlite3_stmt *st)
{
	char kept[64], fresh[64];
	day_row(kept, sizeof kept, st, 3);
	day_row(fresh, sizeof fresh, st, 5);
	snprintf(out, len, "list_days %s %lld day %lld: kept %s, counted %s", db_text(st, 0),
	         (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2),
	         kept, fresh);
}

int db_lists_check(struct db *db, void (*fn)(const char *problem, void *ctx), void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, counts_sql);
	if (!st)
		return SQLITE_ERROR;
	int rc = report(st, "list_counts", counts_line, fn, ctx);
	if (rc != SQLITE_OK)
		return rc;
	st = db_stmt(db, days_sql);
	if (!st)
		return SQLITE_ERROR;
	return report(st, "list_days", days_line, fn, ctx);
}
