/* CLI site structure commands: categories and settings. */
#include "buf.h"
#include "cli.h"
#include "db_admin.h"
#include "settings.h"
#include "valid.h"

#include <stdlib.h>
#include <string.h>

enum { CATEGORY_NAME_MAX = 200, POSITION_MAX = 1000000 };

static const struct db_admin_category *by_slug(const struct db_admin_category *cats, size_t n,
                                               const char *slug)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cats[i].slug, slug))
			return &cats[i];
	return NULL;
}

static int category_add(struct cli *c, int argc, char **argv)
{
	const char *pos[2], *parent = NULL, *position = NULL;
	const struct cli_opt opts[] = {
	    {"--parent", &parent, NULL}, {"--position", &position, NULL}, {NULL, NULL, NULL}};
	int npos;
	if (cli_parse(c, "category add", argc, argv, opts, pos, 2, &npos))
		return CLI_USAGE;
	if (npos != 2)
		return cli_usage(c, "category add", "needs SLUG and NAME");
	const char *slug = pos[0], *name = pos[1];
	long long at = 0;
	if (!valid_slug(slug) || (parent && !valid_slug(parent))) {
		cli_error(c,
		          "category add: bad slug '%s': use 1-64 of a-z, 0-9 and '-', not "
		          "starting or ending with '-'",
		          valid_slug(slug) ? parent : slug);
		return CLI_FAIL;
	}
	if (!*name || !valid_line(name, CATEGORY_NAME_MAX)) {
		cli_error(c, "category add: the name must be one line of 1 to %d characters",
		          CATEGORY_NAME_MAX);
		return CLI_FAIL;
	}
	if (position && !valid_int(position, -POSITION_MAX, POSITION_MAX, &at)) {
		cli_error(c, "category add: --position must be a whole number from %d to %d",
		          -POSITION_MAX, POSITION_MAX);
		return CLI_FAIL;
	}
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	struct db_admin_category *cats = NULL;
	size_t n = 0;
	long long id = 0, parent_id = 0;
	int ret = CLI_FAIL;
	if (db_begin_write(db) != SQLITE_OK || db_admin_categories(db, &cats, &n) != SQLITE_OK)
		goto dberr;
	if (by_slug(cats, n, slug)) {
		cli_error(c, "category add: category '%s' already exists", slug);
		goto out;
	}
	if (parent) {
		const struct db_admin_category *p = by_slug(cats, n, parent);
		if (!p) {
			cli_error(c, "category add: no parent category '%s'", parent);
			goto out;
		}
		/* Pages show Home > parent > category: two levels, no deeper. */
		if (p->parent_id) {
			cli_error(c,
			          "category add: '%s' is itself a subcategory; a parent must "
			          "be a top-level category",
			          parent);
			goto out;
		}
		parent_id = p->id;
	}
	if (db_admin_category_add(db, slug, name, parent_id, at, c->now, &id) != SQLITE_OK ||
	    cli_audit(c, db, "category.add", "category", id, slug) != SQLITE_OK ||
	    db_commit(db) != SQLITE_OK)
		goto dberr;
	fprintf(c->out, "added category %s (id %lld)\n", slug, id);
	ret = CLI_OK;
	goto out;
dberr:
	cli_db_error(c, db, "category add");
out:
	db_rollback(db);
	db_admin_categories_free(cats, n);
	db_close(db);
	return ret;
}

static int category_list(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	int npos;
	if (cli_parse(c, "category list", argc, argv, NULL, pos, 0, &npos))
		return CLI_USAGE;
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	struct db_admin_category *cats;
	size_t n;
	if (db_admin_categories(db, &cats, &n) != SQLITE_OK) {
		cli_db_error(c, db, "category list");
		db_close(db);
		return CLI_FAIL;
	}
	fprintf(c->out, "%-5s %-8s %-26s %s\n", "ID", "POSITION", "SLUG", "NAME");
	for (size_t i = 0; i < n; i++) {
		bool child = cats[i].parent_id != 0;
		fprintf(c->out, "%-5lld %-8lld %s%-*s %s\n", cats[i].id, cats[i].position,
		        child ? "  " : "", child ? 24 : 26, cats[i].slug, cats[i].name);
	}
	db_admin_categories_free(cats, n);
	db_close(db);
	return CLI_OK;
}

int cli_cmd_category(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(c, "category", "missing subcommand (add, list)");
	if (!strcmp(argv[1], "add"))
		return category_add(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return category_list(c, argc - 1, argv + 1);
	return cli_usage(c, "category", "unknown subcommand '%s'", argv[1]);
}

static int setting_set(struct cli *c, int argc, char **argv)
{
	const char *pos[2];
	int npos;
	if (cli_parse(c, "setting set", argc, argv, NULL, pos, 2, &npos))
		return CLI_USAGE;
	if (npos != 2)
		return cli_usage(c, "setting set", "needs KEY and VALUE");
	const char *why = settings_check(pos[0], pos[1]);
	if (why && !settings_find(pos[0])) {
		cli_error(c, "setting set: unknown setting '%s' (see 'gazette help setting')",
		          pos[0]);
		return CLI_FAIL;
	}
	if (why) {
		cli_error(c, "setting set: %s", why);
		return CLI_FAIL;
	}
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	int ret = CLI_OK;
	if (db_begin_write(db) != SQLITE_OK ||
	    db_admin_setting_set(db, pos[0], pos[1], c->now) != SQLITE_OK ||
	    cli_audit(c, db, "setting.set", "setting", 0, pos[0]) != SQLITE_OK ||
	    db_commit(db) != SQLITE_OK) {
		cli_db_error(c, db, "setting set");
		db_rollback(db);
		ret = CLI_FAIL;
	} else {
		fprintf(c->out, "set %s\n", pos[0]);
	}
	db_close(db);
	return ret;
}

/* The stored value of key or its default into *out (malloc'd). */
static int current(struct db *db, const char *key, char **out)
{
	int rc = db_admin_setting_get(db, key, out);
	if (rc == SQLITE_DONE)
		*out = xstrdup(settings_default(key));
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int setting_show(struct cli *c, int argc, char **argv, bool list)
{
	const char *cmd = list ? "setting list" : "setting get";
	const char *pos[1];
	int npos;
	if (cli_parse(c, cmd, argc, argv, NULL, pos, list ? 0 : 1, &npos))
		return CLI_USAGE;
	if (!list && npos != 1)
		return cli_usage(c, cmd, "missing KEY");
	if (!list && !settings_find(pos[0])) {
		cli_error(c, "setting get: unknown setting '%s' (see 'gazette help setting')",
		          pos[0]);
		return CLI_FAIL;
	}
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	int ret = CLI_OK;
	for (size_t i = 0; i < settings_count; i++) {
		const char *key = settings_table[i].key;
		char *value = NULL;
		if (!list && strcmp(key, pos[0]) != 0)
			continue;
		if (current(db, key, &value) != SQLITE_OK) {
			cli_db_error(c, db, cmd);
			ret = CLI_FAIL;
			break;
		}
		if (list)
			fprintf(c->out, "%-17s %s\n", key, value);
		else
			fprintf(c->out, "%s\n", value);
		free(value);
	}
	db_close(db);
	return ret;
}

int cli_cmd_setting(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(c, "setting", "missing subcommand (set, get, list)");
	if (!strcmp(argv[1], "set"))
		return setting_set(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "get"))
		return setting_show(c, argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "list"))
		return setting_show(c, argc - 1, argv + 1, true);
	return cli_usage(c, "setting", "unknown subcommand '%s'", argv[1]);
}
