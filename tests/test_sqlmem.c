/* The SQLite allocator (src/sqlmem.c): sizes, contents across realloc, block
 * reuse, and SQLite itself running on it. */
#include "check.h"
#include "sqlmem.h"

#include <stdint.h>
#include <stdlib.h>

static int filled(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void sizes(const sqlite3_mem_methods *m)
{
	static const int asks[] = {0, 1, 7, 8, 55, 56, 57, 120, 121, 500, 2040, 2041, 5000, 1 << 20};
	for (size_t i = 0; i < sizeof asks / sizeof *asks; i++) {
		int n = asks[i];
		unsigned char *p = m->xMalloc(n);
		CHECK(p != NULL);
		CHECK(((uintptr_t)p & 7) == 0);
		CHECK(m->xSize(p) >= n);
		CHECK(m->xRoundup(n) >= n);
		if (n <= 2040) /* a small block: what a request gets is its class's room */
			CHECK(m->xRoundup(n) == m->xSize(p));
		else
			CHECK(m->xSize(p) == n);
		/* the whole usable size is ours to write */
		memset(p, 0xA5, (size_t)m->xSize(p));
		m->xFree(p);
	}
	CHECK(m->xSize(NULL) == 0);
	m->xFree(NULL);
	CHECK(m->xMalloc(-1) == NULL);
}

static void reuse(const sqlite3_mem_methods *m)
{
	void *a = m->xMalloc(100);
	m->xFree(a);
	void *b = m->xMalloc(90); /* same class: the block just freed */
	CHECK(a == b);
	void *c = m->xMalloc(90);
	CHECK(c != b);
	m->xFree(b);
	m->xFree(c);
}

/* A value grown a byte range at a time keeps what it held, through every
 * class and into a large block, and shrinks back. */
static void growth(const sqlite3_mem_methods *m)
{
	unsigned char *p = m->xMalloc(10);
	memset(p, 1, 10);
	int have = 10;
	for (int n = 30; n <= 70000; n = n * 3 / 2) {
		unsigned char *q = m->xRealloc(p, n);
		CHECK(q != NULL);
		CHECK(filled(q, (size_t)have, 1));
		memset(q, 1, (size_t)n);
		p = q;
		have = n;
	}
	unsigned char *q = m->xRealloc(p, 100);
	CHECK(q && filled(q, 100, 1));
	CHECK(m->xSize(q) >= 100);
	m->xFree(q);
	CHECK(m->xRealloc(NULL, 40) != NULL);
}

static void with_sqlite(const sqlite3_mem_methods *m)
{
	CHECK(sqlite3_config(SQLITE_CONFIG_SINGLETHREAD) == SQLITE_OK);
	CHECK(sqlite3_config(SQLITE_CONFIG_MALLOC, m) == SQLITE_OK);
	sqlite3 *db = NULL;
	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	const char *sql =
		"CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
		"INSERT INTO t SELECT i, printf('%.*c', i * 7 % 9000, 'x') FROM n;"
		"CREATE INDEX t_v ON t(v);";
	CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_stmt *st = NULL;
	CHECK(sqlite3_prepare_v2(db, "SELECT sum(length(v)), count(DISTINCT v) FROM t", -1, &st,
				 NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	long long want = 0;
	for (int i = 1; i <= 2000; i++)
		want += i * 7 % 9000;
	CHECK(sqlite3_column_int64(st, 0) == want);
	sqlite3_finalize(st);
	CHECK(sqlite3_close(db) == SQLITE_OK);
}

int main(void)
{
	const sqlite3_mem_methods *m = sqlmem_methods();
	sizes(m);
	reuse(m);
	growth(m);
	with_sqlite(m);
	return check_done("sqlmem");
}
