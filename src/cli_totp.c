/* CLI `user totp-reset NAME`: the shell's way out when a user (perhaps the
 * only admin) lost both the phone and the recovery codes. */
#include "cli.h"
#include "db_admin.h"
#include "db_auth.h"
#include "valid.h"

#include <stdio.h>

int cli_user_totp_reset(struct cli *c, int argc, char **argv)
{
	const char *cmd = "user totp-reset", *name;
	int npos;
	if (cli_parse(c, cmd, argc, argv, NULL, &name, 1, &npos))
		return CLI_USAGE;
	if (npos != 1)
		return cli_usage(c, cmd, "missing NAME");
	if (!valid_username(name)) {
		cli_error(c, "%s: bad user name '%s'", cmd, name);
		return CLI_FAIL;
	}
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	long long id;
	int removed = 0, ret = CLI_OK;
	int rc = db_admin_user_find(db, name, &id);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			cli_error(c, "%s: no user '%s'", cmd, name);
		else
			cli_db_error(c, db, cmd);
		db_close(db);
		return CLI_FAIL;
	}
	/* Whoever can run this can write the database anyway; the audit
	 * entry (from 'cli') tells the admins it happened. */
	if (db_begin_write(db) != SQLITE_OK || db_auth_totp_delete(db, id, &removed) != DB_OK ||
	    cli_audit(c, db, "totp.reset", "user", id, removed ? "" : "none enrolled") !=
	        SQLITE_OK ||
	    db_commit(db) != SQLITE_OK) {
		cli_db_error(c, db, cmd);
		db_rollback(db);
		ret = CLI_FAIL;
	} else if (removed) {
		fprintf(c->out, "turned off two-factor login of %s\n", name);
	} else {
		fprintf(c->out, "%s has no two-factor login\n", name);
	}
	db_close(db);
	return ret;
}
