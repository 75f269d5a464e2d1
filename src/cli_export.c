/* CLI content commands, second half: export and demo. */
#include "cli.h"
#include "db_admin.h"
#include "demo.h"
#include "settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Times leave as UTC ("...Z"): exact, and independent of the site's zone. */
static cJSON *iso_time(long long t)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return cJSON_CreateNull();
	return cJSON_CreateString(s);
}

static int export_article(const struct db_admin_article *a, void *ctx)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "title", a->title);
	cJSON_AddStringToObject(o, "category", a->category_slug);
	cJSON_AddStringToObject(o, "summary", a->summary);
	cJSON_AddStringToObject(o, "body_markdown", a->body_md);
	cJSON_AddStringToObject(o, "source", a->source);
	cJSON_AddStringToObject(o, "author", a->author);
	cJSON_AddStringToObject(o, "status", a->status);
	cJSON_AddItemToObject(o, "published_at",
	                      a->has_published_at ? iso_time(a->published_at) : cJSON_CreateNull());
	cJSON_AddBoolToObject(o, "pinned", a->pinned);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

static cJSON *export_categories(const struct db_admin_category *cats, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const char *parent = NULL;
		for (size_t j = 0; j < n && cats[i].parent_id; j++)
			if (cats[j].id == cats[i].parent_id)
				parent = cats[j].slug;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "slug", cats[i].slug);
		cJSON_AddStringToObject(o, "name", cats[i].name);
		cJSON_AddItemToObject(o, "parent",
		                      parent ? cJSON_CreateString(parent) : cJSON_CreateNull());
		cJSON_AddNumberToObject(o, "position", (double)cats[i].position);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

int cli_cmd_export(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	int npos;
	if (cli_parse(c, "export", argc, argv, NULL, pos, 0, &npos))
		return CLI_USAGE;
	struct db *db = cli_open(c, DB_READONLY, true);
	if (!db)
		return CLI_FAIL;
	int ret = CLI_FAIL;
	struct db_admin_category *cats = NULL;
	size_t n = 0;
	cJSON *doc = cJSON_CreateObject(), *arts = cJSON_CreateArray();
	/* One read transaction: categories and articles of the same moment. */
	if (db_begin_read(db) != SQLITE_OK || db_admin_categories(db, &cats, &n) != SQLITE_OK ||
	    db_admin_article_each(db, export_article, arts) != SQLITE_OK) {
		cli_db_error(c, db, "export");
		cJSON_Delete(arts);
		goto out;
	}
	cJSON_AddItemToObject(doc, "categories", export_categories(cats, n));
	cJSON_AddItemToObject(doc, "articles", arts);
	char *text = cJSON_Print(doc);
	if (!text) {
		cli_error(c, "export: out of memory");
		goto out;
	}
	fputs(text, c->out);
	fputc('\n', c->out);
	free(text);
	if (fflush(c->out) != 0 || ferror(c->out)) {
		cli_error(c, "export: cannot write: %s", strerror(errno));
		goto out;
	}
	ret = CLI_OK;
out:
	db_rollback(db);
	cJSON_Delete(doc);
	db_admin_categories_free(cats, n);
	db_close(db);
	return ret;
}

/*
 * Loads the demo unless the database already has articles: then it does
 * nothing and succeeds, so run.sh may call it on every start. The check
 * and the load share one write transaction, so two concurrent runs cannot
 * both load.
 */
int cli_cmd_demo(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	int npos;
	if (cli_parse(c, "demo", argc, argv, NULL, pos, 0, &npos))
		return CLI_USAGE;
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	cJSON *doc = NULL;
	long long have = 0;
	int ret = CLI_FAIL;
	char err[600], detail[100];
	struct cli_import_stats st;
	if (db_begin_write(db) != SQLITE_OK || db_admin_article_count(db, &have) != SQLITE_OK)
		goto dberr;
	if (have > 0) {
		fputs("demo content not loaded: articles are already present\n", c->out);
		ret = CLI_OK;
		goto out;
	}
	for (size_t i = 0; i < demo_nsettings; i++) {
		const char *why = settings_check(demo_settings[i].key, demo_settings[i].value);
		if (why) {
			cli_error(c, "demo: setting %s: %s", demo_settings[i].key, why);
			goto out;
		}
		if (db_admin_setting_set(db, demo_settings[i].key, demo_settings[i].value,
		                         c->now) != SQLITE_OK)
			goto dberr;
	}
	doc = demo_document(c->now);
	if (cli_import_doc(db, doc, c->now, NULL, &st, err, sizeof err) < 0) {
		cli_error(c, "demo: %s", err);
		goto out;
	}
	snprintf(detail, sizeof detail, "%zu categories, %zu articles, %zu settings", st.categories,
	         st.articles, demo_nsettings);
	if (cli_audit(c, db, "demo.load", "", 0, detail) != SQLITE_OK || db_commit(db) != SQLITE_OK)
		goto dberr;
	fprintf(c->out, "loaded the demo: %s\n", detail);
	ret = CLI_OK;
	goto out;
dberr:
	cli_db_error(c, db, "demo");
out:
	db_rollback(db);
	cJSON_Delete(doc);
	db_close(db);
	return ret;
}
