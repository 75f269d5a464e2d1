/*
 * Checks of the list tables that triggers keep beside the articles:
 * list_counts (sql/008_list_counts.sql) and list_days (sql/011_list_days.sql).
 */
#ifndef GAZETTE_DB_LISTS_H
#define GAZETTE_DB_LISTS_H

#include "db.h"

/*
 * Compares list_counts and list_days with a fresh computation from the
 * articles and calls fn with one line per row that differs (at most
 * DB_LISTS_MAX_PROBLEMS of each table, then one line saying how many more).
 * Returns SQLITE_OK, or an SQLite error code (sqlite3_errmsg says why).
 */
int db_lists_check(struct db *db, void (*fn)(const char *problem, void *ctx), void *ctx);

enum { DB_LISTS_MAX_PROBLEMS = 20 };

#endif
