/* The admin CLI's shared parts: the command table and help, errors,
 * option parsing, opening the database, audit rows. */
#include "cli.h"
#include "db_admin.h"
#include "valid.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* clang-format off */
const struct cli_command cli_commands[] = {
	{"migrate", cli_cmd_migrate, "apply pending schema migrations (--status lists them)",
	 "usage: gazette migrate [--status]\n"
	 "\n"
	 "Applies the pending migrations built into this program, in order, each in\n"
	 "one transaction, and records each with its checksum. Creates the database\n"
	 "file if it does not exist. Stops without changing anything when an applied\n"
	 "migration was changed or the database is newer than the code.\n"
	 "\n"
	 "  --status   list every migration as applied, pending, changed or unknown\n"
	 "             (exit 1 when a changed or unknown one is listed)\n"},
	{"user", cli_cmd_user, "add, change, disable, enable and list editors and admins",
	 "usage: gazette user add NAME --role author|editor|admin [--display-name TEXT] "
	 "[--categories SLUG,...] [--password-stdin]\n"
	 "       gazette user passwd NAME [--password-stdin]\n"
	 "       gazette user disable NAME\n"
	 "       gazette user enable NAME\n"
	 "       gazette user list\n"
	 "\n"
	 "Passwords are asked twice on the terminal, or read as one line from\n"
	 "standard input with --password-stdin; they need 12 to 1024 bytes of UTF-8\n"
	 "text and at least 12 characters. passwd and disable end the user's sessions.\n"
	 "An author writes and submits articles for review; editors also publish.\n"
	 "--categories limits an author or editor to those categories (a top-level\n"
	 "one includes its subcategories); without it they may work in all.\n"},
	{"category", cli_cmd_category, "add and list categories",
	 "usage: gazette category add SLUG NAME [--parent SLUG] [--position N]\n"
	 "       gazette category list\n"
	 "\n"
	 "SLUG is 1-64 of a-z, 0-9 and '-'. A category with --parent is a\n"
	 "subcategory of a top-level category. Lower positions come first.\n"},
	{"setting", cli_cmd_setting, "show and change site settings",
	 "usage: gazette setting set KEY VALUE\n"
	 "       gazette setting get KEY\n"
	 "       gazette setting list\n"
	 "\n"
	 "Keys: site_name, logo, timezone, ui_language (en or zh), footer_address,\n"
	 "footer_zip, footer_hotline, footer_email, footer_copyright, footer_icp,\n"
	 "footer_police, footer_support. list shows current values or defaults.\n"},
	{"import", cli_cmd_import, "import categories and articles from JSON",
	 "usage: gazette import FILE|-\n"
	 "\n"
	 "Reads {\"categories\": [{\"slug\", \"name\", \"parent\"}], \"articles\": [{\"title\",\n"
	 "\"category\", \"summary\", \"body_markdown\", \"source\", \"author\", \"status\",\n"
	 "\"published_at\", \"pinned\"}]} from FILE or standard input (at most 64 MiB)\n"
	 "and imports all of it in one transaction, or nothing when a record is bad.\n"
	 "published_at is ISO 8601 with an offset (2026-05-01T09:30:00+08:00 or ...Z).\n"
	 "A category may name as parent one from the database or from the file, in\n"
	 "any order; a category that exists with the same name and parent is reused.\n"},
	{"export", cli_cmd_export, "export categories and articles as JSON",
	 "usage: gazette export\n"
	 "\n"
	 "Writes every category and every article that is not deleted to standard\n"
	 "output in the shape import reads; times are UTC (\"...Z\"). Categories carry\n"
	 "an extra \"position\" field, which import also reads.\n"},
	{"backup", cli_cmd_backup, "copy the database consistently, even while the site runs",
	 "usage: gazette backup FILE [--force]\n"
	 "\n"
	 "Writes a consistent copy of the database to FILE with SQLite's online\n"
	 "backup and checks the copy's integrity. Refuses to replace an existing\n"
	 "FILE unless --force is given.\n"},
	{"check", cli_cmd_check, "check integrity, foreign keys, schema version and search index",
	 "usage: gazette check\n"
	 "\n"
	 "Runs SQLite's integrity_check and foreign_key_check, compares the schema\n"
	 "version and migration checksums with the code, and checks the full-text\n"
	 "index. Prints one line per check; exit 0 only when all are ok.\n"},
	{"generate", cli_cmd_generate, "add COUNT made-up articles (benchmarks, trials at scale)",
	 "usage: gazette generate COUNT [--seed N]\n"
	 "\n"
	 "Adds COUNT published articles of realistic length (one in five in Chinese),\n"
	 "spread over the last five years, to sixteen categories gen-1 ... gen-8-sub\n"
	 "(created when missing). The same seed gives the same articles. Shows its\n"
	 "progress on standard error. Not for a live site: it writes large batches.\n"},
	{"demo", cli_cmd_demo, "load demo categories, articles and settings",
	 "usage: gazette demo\n"
	 "\n"
	 "Loads the demo site: categories, articles in English and Chinese spread\n"
	 "over the past two months, and every site setting. Does nothing (exit 0)\n"
	 "when the database already has articles, so it is safe on every start.\n"},
	{NULL, NULL, NULL, NULL},
};
/* clang-format on */

void cli_init(struct cli *c, const char *db_path)
{
	memset(c, 0, sizeof *c);
	c->db_path = db_path;
	c->in = stdin;
	c->out = stdout;
	c->err = stderr;
	c->now = (long long)time(NULL);
	/* The audit log keeps who ran the command; $USER is only a label here
	 * (the shell user already has the database file), so keep it tidy. */
	const char *user = getenv("USER");
	if (user && valid_username(user))
		snprintf(c->actor, sizeof c->actor, "cli:%s", user);
	else
		snprintf(c->actor, sizeof c->actor, "cli");
}

const struct cli_command *cli_find(const char *name)
{
	for (const struct cli_command *k = cli_commands; k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

void cli_help(FILE *out)
{
	fputs("usage: gazette [--db PATH] COMMAND [ARGS]\n"
	      "       gazette --config FILE COMMAND [ARGS]\n"
	      "       gazette help COMMAND | --help | --version\n"
	      "\n"
	      "The admin tool of Gazette. The database is PATH or else $GAZETTE_DB, else\n"
	      "the db (or data_dir) of the settings FILE or $GAZETTE_CONFIG.\n"
	      "\n"
	      "commands:\n",
	      out);
	for (const struct cli_command *k = cli_commands; k->name; k++)
		fprintf(out, "  %-10s %s\n", k->name, k->summary);
	fputs("\nExit status: 0 ok, 1 failure, 2 usage error.\n", out);
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

void cli_error(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gazette: ", c->err);
	vfprintf(c->err, fmt, ap);
	fputc('\n', c->err);
	va_end(ap);
}

int cli_usage(struct cli *c, const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t top = strcspn(cmd, " ");
	fprintf(c->err, "gazette: %s: ", cmd);
	vfprintf(c->err, fmt, ap);
	fprintf(c->err, " (see 'gazette help %.*s')\n", (int)top, cmd);
	va_end(ap);
	return CLI_USAGE;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *arg, size_t n)
{
	for (const struct cli_opt *o = opts; o && o->name; o++)
		if (strlen(o->name) == n && !strncmp(o->name, arg, n))
			return o;
	return NULL;
}

int cli_parse(struct cli *c, const char *cmd, int argc, char **argv, const struct cli_opt *opts,
              const char **pos, int maxpos, int *npos)
{
	*npos = 0;
	bool options = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options && !strcmp(a, "--")) {
			options = false;
			continue;
		}
		if (options && a[0] == '-' && a[1]) {
			const char *eq = strchr(a, '=');
			size_t n = eq ? (size_t)(eq - a) : strlen(a);
			const struct cli_opt *o = find_opt(opts, a, n);
			if (!o)
				return cli_usage(c, cmd, "unknown option '%.*s'", (int)n, a);
			if (o->flag) {
				if (eq)
					return cli_usage(c, cmd, "%s takes no value", o->name);
				*o->flag = true;
			} else if (eq) {
				*o->value = eq + 1;
			} else if (i + 1 < argc) {
				*o->value = argv[++i];
			} else {
				return cli_usage(c, cmd, "%s needs a value", o->name);
			}
			continue;
		}
		if (*npos == maxpos)
			return cli_usage(c, cmd, "unexpected argument '%s'", a);
		pos[(*npos)++] = a;
	}
	return 0;
}

struct db *cli_open(struct cli *c, int flags, bool current)
{
	struct stat st;
	if (!(flags & DB_CREATE) && stat(c->db_path, &st) < 0) {
		cli_error(c, "database %s does not exist (create it with 'gazette migrate')",
		          c->db_path);
		return NULL;
	}
	char err[512];
	struct db *db = db_open(c->db_path, flags, err, sizeof err);
	if (!db) {
		cli_error(c, "%s", err);
		return NULL;
	}
	if (current && db_schema_check(db, err, sizeof err) < 0) {
		cli_error(c, "%s", err);
		db_close(db);
		return NULL;
	}
	return db;
}

void cli_db_error(struct cli *c, struct db *db, const char *what)
{
	int rc = sqlite3_errcode(db->h);
	if (db_is_busy(rc))
		cli_error(c, "%s: the database stayed locked by another process; try again", what);
	else
		cli_error(c, "%s: %s", what, sqlite3_errmsg(db->h));
}

int cli_audit(struct cli *c, struct db *db, const char *action, const char *object_type,
              long long object_id, const char *detail)
{
	return db_admin_audit(db, c->actor, action, object_type, object_id, detail, c->now);
}
