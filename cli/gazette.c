/*
 * gazette: the admin CLI. This file only reads the global options and
 * hands the rest to a command of src/cli_*.c (see include/cli.h).
 */
#include "cli.h"
#include "config.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage_error(const char *msg)
{
	fprintf(stderr, "gazette: %s (see 'gazette --help')\n", msg);
	return CLI_USAGE;
}

/* `gazette help [COMMAND]` */
static int help(int argc, char **argv)
{
	if (argc < 2) {
		cli_help(stdout);
		return CLI_OK;
	}
	const struct cli_command *k = cli_find(argv[1]);
	if (!k) {
		fprintf(stderr, "gazette: help: unknown command '%s' (see 'gazette --help')\n",
		        argv[1]);
		return CLI_USAGE;
	}
	fputs(k->usage, stdout);
	return CLI_OK;
}

int main(int argc, char **argv)
{
	const char *db = NULL, *file = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--db")) {
			if (++i == argc)
				return usage_error("--db needs a PATH");
			db = argv[i];
		} else if (!strncmp(a, "--db=", 5)) {
			db = a + 5;
		} else if (!strcmp(a, "--config")) {
			if (++i == argc)
				return usage_error("--config needs a FILE");
			file = argv[i];
		} else if (!strncmp(a, "--config=", 9)) {
			file = a + 9;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_help(stdout);
			return CLI_OK;
		} else if (!strcmp(a, "--version")) {
			printf("gazette %s (schema version %d)\n", GAZETTE_VERSION, schema_version);
			return CLI_OK;
		} else {
			fprintf(stderr, "gazette: unknown option '%s' (see 'gazette --help')\n", a);
			return CLI_USAGE;
		}
	}
	if (i == argc)
		return usage_error("missing command");
	if (!strcmp(argv[i], "help"))
		return help(argc - i, argv + i);
	const struct cli_command *k = cli_find(argv[i]);
	if (!k) {
		fprintf(stderr, "gazette: unknown command '%s' (see 'gazette --help')\n", argv[i]);
		return CLI_USAGE;
	}
	if (cli_wants_help(argc - i, argv + i)) {
		fputs(k->usage, stdout);
		return CLI_OK;
	}
	/* The database: --db, else the settings (file, then GAZETTE_DB or
	 * GAZETTE_DATA over it), as gazette.fcgi reads them. */
	static struct config cfg;
	config_init(&cfg);
	char err[600];
	if (!file)
		file = getenv("GAZETTE_CONFIG");
	if (file && *file && config_load(&cfg, file, err, sizeof err) != 0) {
		fprintf(stderr, "gazette: %s\n", err);
		return CLI_USAGE;
	}
	if (config_env(&cfg, err, sizeof err) != 0) {
		fprintf(stderr, "gazette: %s\n", err);
		return CLI_USAGE;
	}
	config_finish(&cfg);
	if (!db)
		db = cfg.db;
	if (!db || !*db) {
		fputs("gazette: no database: pass --db or set GAZETTE_DB\n", stderr);
		return CLI_USAGE;
	}
	struct cli c;
	cli_init(&c, db);
	int ret = k->run(&c, argc - i, argv + i);
	if (fflush(stdout) != 0 && ret == CLI_OK) {
		perror("gazette: cannot write output");
		ret = CLI_FAIL;
	}
	return ret;
}
