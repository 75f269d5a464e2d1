/*
 * libFuzzer harness for `gazette import`: the input is the JSON file, read
 * by cJSON as read_doc does, then cli_import_doc against an in-memory
 * database migrated with the embedded schema (one category, "news", is
 * there already, so the reuse of an existing category is reachable). Each
 * input runs in one write transaction that is rolled back, so every input
 * meets the same database.
 *
 * Checks: the answer is 0 or -1 with a message; counts never exceed what
 * the file holds; the rollback leaves the categories as they were.
 */
#include "cli.h"
#include "db_admin.h"
#include "migrate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct db *open_db(void)
{
	char err[600];
	struct db *db = db_open(":memory:", DB_CREATE, err, sizeof err);
	long long id;
	if (!db || migrate_run(db, schema_files, schema_nfiles, NULL, err, sizeof err) < 0 ||
	    db_begin_write(db) != SQLITE_OK ||
	    db_admin_category_add(db, "news", "News", 0, 0, 1700000000, &id) != SQLITE_OK ||
	    db_commit(db) != SQLITE_OK)
		abort();
	return db;
}

static size_t count_categories(struct db *db)
{
	struct db_admin_category *cats;
	size_t n;
	if (db_admin_categories(db, &cats, &n) != SQLITE_OK)
		abort();
	db_admin_categories_free(cats, n);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct db *db;
	if (!db)
		db = open_db();
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	cJSON *doc = cJSON_ParseWithLength(text, size);
	if (!doc) {
		free(text);
		return 0;
	}
	if (db_begin_write(db) != SQLITE_OK)
		abort();
	char err[600] = "";
	struct cli_import_stats st;
	int rc = cli_import_doc(db, doc, 1700000000, NULL, &st, err, sizeof err);
	if (rc != 0 && (rc != -1 || !err[0] || !memchr(err, '\0', sizeof err)))
		abort();
	if (rc == 0) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "categories");
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, "articles");
		if (st.categories > (size_t)cJSON_GetArraySize(c) ||
		    st.articles != (size_t)cJSON_GetArraySize(a))
			abort();
		if (count_categories(db) != 1 + st.categories)
			abort();
	}
	db_rollback(db);
	if (count_categories(db) != 1)
		abort(); /* the rollback undid everything */
	cJSON_Delete(doc);
	free(text);
	return 0;
}
