/* The FTS5 extension API of a connection, for registering auxiliary functions. */
#include "db.h"
#include "search.h"

#include <sqlite3.h>

/*
 * FTS5 hands out its API only through SQL: SELECT fts5(?1) with a pointer
 * bound as "fts5_api_ptr". Returns the connection's fts5_api, or NULL when
 * FTS5 is missing. Runs once per connection (search_register), before any
 * struct db exists, so it prepares its own statement instead of db_stmt().
 */
fts5_api *db_fts5_api(sqlite3 *h)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}
