/*
 * The admin CLI's commands as library code (cli/gazette.c only parses the
 * global options and dispatches). Every command takes the words after the
 * global options (argv[0] is the command's name), prints results to c->out
 * and each error as exactly one line "gazette: ..." to c->err, and returns
 * an exit code: CLI_OK, CLI_FAIL or CLI_USAGE.
 */
#ifndef GAZETTE_CLI_H
#define GAZETTE_CLI_H

#include "db.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

enum cli_exit { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cli {
	const char *db_path; /* from --db or GAZETTE_DB */
	FILE *in, *out, *err;
	char actor[80]; /* audit_log username: "cli:" + $USER, or "cli" */
	long long now;  /* the run's time, Unix seconds */
};

struct cli_command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *summary; /* one line for `gazette --help` */
	const char *usage;   /* the full text for `gazette help NAME` */
};

/* Every command, then a zero entry. */
extern const struct cli_command cli_commands[];

/* Sets up c for the database at db_path with stdin/stdout/stderr. */
void cli_init(struct cli *c, const char *db_path);
/* The command called name, or NULL. */
const struct cli_command *cli_find(const char *name);
/* Prints the overview of all commands to out. */
void cli_help(FILE *out);
/* True when argv holds "--help" or "-h" before any "--". */
bool cli_wants_help(int argc, char **argv);

/* Prints "gazette: MESSAGE" and a newline to c->err. */
void cli_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "gazette: CMD: MESSAGE (see 'gazette help TOP')" and returns
 * CLI_USAGE; TOP is the first word of cmd. */
int cli_usage(struct cli *c, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An option a command accepts: with a value (value set) or a flag. */
struct cli_opt {
	const char *name; /* "--role" */
	const char **value;
	bool *flag;
};
/*
 * Splits argv[1..argc) into the options of opts (a zero-terminated array;
 * "--name value" and "--name=value") and at most maxpos positional
 * arguments into pos; "--" ends the options and a lone "-" is positional.
 * Sets *npos. Returns 0, or CLI_USAGE after printing the error.
 */
int cli_parse(struct cli *c, const char *cmd, int argc, char **argv, const struct cli_opt *opts,
              const char **pos, int maxpos, int *npos);

/*
 * Opens c->db_path with db_open flags. Unless DB_CREATE is given, the file
 * must exist; with current, its schema must be the code's (db_schema_check).
 * Returns the db (db_close() it) or NULL after printing the error.
 */
struct db *cli_open(struct cli *c, int flags, bool current);
/* Prints "gazette: WHAT: <SQLite's reason>" for a failed statement. */
void cli_db_error(struct cli *c, struct db *db, const char *what);
/* Writes an audit_log row for the change (see db_admin_audit). */
int cli_audit(struct cli *c, struct db *db, const char *action, const char *object_type,
              long long object_id, const char *detail);

/* The commands. */
int cli_cmd_migrate(struct cli *c, int argc, char **argv);
int cli_cmd_user(struct cli *c, int argc, char **argv);
/* user totp-reset NAME (cli_totp.c): turns off the user's two-factor login. */
int cli_user_totp_reset(struct cli *c, int argc, char **argv);
int cli_cmd_category(struct cli *c, int argc, char **argv);
int cli_cmd_setting(struct cli *c, int argc, char **argv);
int cli_cmd_import(struct cli *c, int argc, char **argv);
int cli_cmd_export(struct cli *c, int argc, char **argv);
int cli_cmd_backup(struct cli *c, int argc, char **argv);
int cli_cmd_check(struct cli *c, int argc, char **argv);
int cli_cmd_demo(struct cli *c, int argc, char **argv);
int cli_cmd_generate(struct cli *c, int argc, char **argv);

struct cli_import_stats {
	size_t categories; /* created (identical existing ones are reused) */
	size_t articles;
};
/*
 * Imports doc (SPEC §6's JSON shape) into db inside the caller's write
 * transaction; on error the caller rolls back. Prints a progress count to
 * progress (if not NULL) for large imports. Returns 0, or -1 with a message
 * naming the bad record in err ("articles[3]: unknown category 'sprots'").
 */
int cli_import_doc(struct db *db, const cJSON *doc, long long now, FILE *progress,
                   struct cli_import_stats *stats, char *err, size_t errlen);

#endif
