/* CLI user commands: add, passwd, disable, enable, list. */
#include "auth_password.h"
#include "cli.h"
#include "db_admin.h"
#include "db_editor.h"
#include "db_workflow.h"
#include "valid.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

enum { DISPLAY_NAME_MAX = 100, CATEGORIES_MAX = 64 };

/* A password as typed, wiped by whoever filled it. One byte more than
 * allowed, so an overlong one can be recognised. */
struct password {
	char buf[AUTH_PASSWORD_MAX_BYTES + 2];
	size_t len;
};

/*
 * Reads one line from fd a byte at a time: no stdio buffer keeps a copy
 * of the password, and nothing after the line is consumed. Strips the
 * newline (and a CR before it). Returns 0, 1 at end of input before any
 * byte, 2 when the line is longer than the buffer, -1 on a read error.
 */
static int read_line(int fd, struct password *p)
{
	size_t n = 0;
	bool any = false, too_long = false;
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || ch == '\n')
			break;
		any = true;
		if (n + 1 < sizeof p->buf)
			p->buf[n++] = ch;
		else
			too_long = true;
	}
	if (n && p->buf[n - 1] == '\r')
		n--;
	p->buf[n] = '\0';
	p->len = n;
	if (too_long)
		return 2;
	return any || n ? 0 : 1;
}

static struct termios saved_tty;
static volatile sig_atomic_t tty_changed;

/* Ctrl-C at the prompt must not leave the terminal without echo. */
static void restore_tty(int sig)
{
	if (tty_changed)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int prompt(struct cli *c, const char *text, struct password *p)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa = {.sa_handler = restore_tty}, old[4];
	sigemptyset(&sa.sa_mask);
	if (tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return -1;
	struct termios noecho = saved_tty;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	/* Echo goes off before the prompt shows, and without flushing: what a
	 * fast typist (or a script) sends right after seeing the prompt must
	 * be neither echoed nor thrown away. */
	tty_changed = 1;
	tcsetattr(STDIN_FILENO, TCSANOW, &noecho);
	fputs(text, c->err);
	fflush(c->err);
	int r = read_line(STDIN_FILENO, p);
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_changed = 0;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	return r;
}

/* Fills p from standard input or the terminal and checks it. Returns an
 * exit code; p holds the password only on CLI_OK. */
static int get_password(struct cli *c, const char *cmd, bool from_stdin, struct password *p)
{
	const char *why = NULL;
	int r;
	if (from_stdin) {
		r = read_line(STDIN_FILENO, p);
	} else {
		/* Never read a password from a pipe by accident: a script must
		 * say --password-stdin. */
		if (!isatty(STDIN_FILENO))
			return cli_usage(c, cmd,
			                 "standard input is not a terminal: pass "
			                 "--password-stdin to read the password from it");
		struct password again;
		r = prompt(c, "New password: ", p);
		if (r == 0) {
			r = prompt(c, "Repeat the password: ", &again);
			if (r == 0 &&
			    (again.len != p->len || sodium_memcmp(again.buf, p->buf, p->len)))
				why = "the two passwords differ";
		}
		sodium_memzero(&again, sizeof again);
	}
	if (r < 0)
		why = "cannot read the password";
	else if (r == 1)
		why = "no password given";
	else if (r == 2)
		why = "password is longer than 1024 bytes";
	if (!why)
		auth_password_acceptable(p->buf, p->len, &why);
	if (why) {
		sodium_memzero(p, sizeof *p);
		cli_error(c, "%s: %s", cmd, why);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Asks for, checks and hashes a password. Returns an exit code. */
static int new_hash(struct cli *c, const char *cmd, bool from_stdin,
                    char hash[crypto_pwhash_STRBYTES])
{
	struct password p;
	int ret = get_password(c, cmd, from_stdin, &p);
	if (ret != CLI_OK)
		return ret;
	if (auth_password_hash(p.buf, p.len, hash) < 0) {
		cli_error(c, "%s: cannot hash the password (out of memory?)", cmd);
		ret = CLI_FAIL;
	}
	sodium_memzero(&p, sizeof p);
	return ret;
}

/* Parses "NAME" plus opts, validates NAME. Returns 0 or an exit code. */
static int name_arg(struct cli *c, const char *cmd, int argc, char **argv,
                    const struct cli_opt *opts, const char **name)
{
	int npos;
	if (cli_parse(c, cmd, argc, argv, opts, name, 1, &npos))
		return CLI_USAGE;
	if (npos != 1)
		return cli_usage(c, cmd, "missing NAME");
	if (!valid_username(*name)) {
		cli_error(c,
		          "%s: bad user name '%s': use 1-64 of A-Z a-z 0-9 . _ -, starting "
		          "with a letter or digit",
		          cmd, *name);
		return CLI_FAIL;
	}
	return 0;
}

static int find_user(struct cli *c, struct db *db, const char *cmd, const char *name, long long *id)
{
	int rc = db_admin_user_find(db, name, id);
	if (rc == SQLITE_ROW)
		return CLI_OK;
	if (rc == SQLITE_DONE)
		cli_error(c, "%s: no user '%s'", cmd, name);
	else
		cli_db_error(c, db, cmd);
	return CLI_FAIL;
}

/* The ids of --categories SLUG,SLUG,... (in the database db) into ids;
 * returns an exit code, with the error said. */
static int category_ids(struct cli *c, struct db *db, const char *list, long long *ids, size_t *n)
{
	*n = 0;
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		char slug[80];
		if (len == 0 || len >= sizeof slug || *n == CATEGORIES_MAX) {
			cli_error(c, "user add: --categories takes up to %d category slugs "
			             "separated by commas",
			          CATEGORIES_MAX);
			return CLI_FAIL;
		}
		memcpy(slug, p, len);
		slug[len] = '\0';
		enum db_result r = valid_slug(slug) ? db_editor_category(db, slug, &ids[*n])
		                                    : DB_NOTFOUND;
		if (r == DB_NOTFOUND) {
			cli_error(c, "user add: no category '%s'", slug);
			return CLI_FAIL;
		}
		if (r != DB_OK) {
			cli_db_error(c, db, "user add");
			return CLI_FAIL;
		}
		(*n)++;
		p += len + (p[len] == ',');
	}
	return CLI_OK;
}

static int user_add(struct cli *c, int argc, char **argv)
{
	const char *name, *role = NULL, *display = "", *cats = NULL;
	bool from_stdin = false;
	const struct cli_opt opts[] = {{"--role", &role, NULL},
	                               {"--display-name", &display, NULL},
	                               {"--categories", &cats, NULL},
	                               {"--password-stdin", NULL, &from_stdin},
	                               {NULL, NULL, NULL}};
	int ret = name_arg(c, "user add", argc, argv, opts, &name);
	if (ret)
		return ret;
	if (!role)
		return cli_usage(c, "user add", "missing --role author|editor|admin");
	if (!valid_role(role)) {
		cli_error(c, "user add: role must be author, editor or admin, not '%s'", role);
		return CLI_FAIL;
	}
	if (!valid_line(display, DISPLAY_NAME_MAX)) {
		cli_error(c,
		          "user add: the display name must be one line of at most %d "
		          "characters",
		          DISPLAY_NAME_MAX);
		return CLI_FAIL;
	}
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	long long id, cat_ids[CATEGORIES_MAX];
	size_t ncats = 0;
	char hash[crypto_pwhash_STRBYTES];
	if (cats && category_ids(c, db, cats, cat_ids, &ncats) != CLI_OK) {
		db_close(db);
		return CLI_FAIL;
	}
	int rc = db_admin_user_find(db, name, &id);
	if (rc == SQLITE_ROW) {
		cli_error(c, "user add: user '%s' already exists", name);
		ret = CLI_FAIL;
		goto out;
	}
	if (rc != SQLITE_DONE) {
		ret = CLI_FAIL;
		goto dberr;
	}
	/* Hash before taking the write lock: Argon2 takes a while. */
	if ((ret = new_hash(c, "user add", from_stdin, hash)) != CLI_OK)
		goto out;
	ret = CLI_FAIL;
	if ((rc = db_begin_write(db)) != SQLITE_OK)
		goto dberr;
	rc = db_admin_user_add(db, name, display, role, hash, c->now, &id);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		db_rollback(db);
		cli_error(c, "user add: user '%s' already exists", name);
		goto out;
	}
	/* The category rights in the same transaction: no user half made. */
	if (rc != SQLITE_OK || (ncats && db_workflow_rights_set(db, id, cat_ids, ncats) != DB_OK) ||
	    cli_audit(c, db, "user.add", "user", id, role) != SQLITE_OK || db_commit(db) != SQLITE_OK)
		goto dberr;
	fprintf(c->out, "added %s %s\n", role, name);
	ret = CLI_OK;
	goto out;
dberr:
	cli_db_error(c, db, "user add");
	db_rollback(db);
out:
	sodium_memzero(hash, sizeof hash);
	db_close(db);
	return ret;
}

static int user_passwd(struct cli *c, int argc, char **argv)
{
	const char *name;
	bool from_stdin = false;
	const struct cli_opt opts[] = {{"--password-stdin", NULL, &from_stdin}, {NULL, NULL, NULL}};
	int ret = name_arg(c, "user passwd", argc, argv, opts, &name);
	if (ret)
		return ret;
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	long long id;
	int ended = 0;
	char hash[crypto_pwhash_STRBYTES];
	if ((ret = find_user(c, db, "user passwd", name, &id)) != CLI_OK)
		goto out;
	if ((ret = new_hash(c, "user passwd", from_stdin, hash)) != CLI_OK)
		goto out;
	/* A new password ends every session: whoever knew the old one and
	 * logged in with it is out. */
	if (db_begin_write(db) != SQLITE_OK ||
	    db_admin_user_set_password(db, id, hash, c->now) != SQLITE_OK ||
	    db_admin_sessions_revoke(db, id, &ended) != SQLITE_OK ||
	    cli_audit(c, db, "user.passwd", "user", id, "") != SQLITE_OK ||
	    db_commit(db) != SQLITE_OK) {
		cli_db_error(c, db, "user passwd");
		db_rollback(db);
		ret = CLI_FAIL;
		goto out;
	}
	fprintf(c->out, "changed the password of %s; ended %d session%s\n", name, ended,
	        ended == 1 ? "" : "s");
out:
	sodium_memzero(hash, sizeof hash);
	db_close(db);
	return ret;
}

static int user_able(struct cli *c, int argc, char **argv, bool disable)
{
	const char *cmd = disable ? "user disable" : "user enable";
	const char *name;
	int ret = name_arg(c, cmd, argc, argv, NULL, &name);
	if (ret)
		return ret;
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	long long id;
	int ended = 0;
	if ((ret = find_user(c, db, cmd, name, &id)) != CLI_OK)
		goto out;
	/* Disabling revokes the sessions too, or a disabled user would stay
	 * logged in until they expire. */
	if (db_begin_write(db) != SQLITE_OK ||
	    db_admin_user_set_disabled(db, id, disable, c->now) != SQLITE_OK ||
	    (disable && db_admin_sessions_revoke(db, id, &ended) != SQLITE_OK) ||
	    cli_audit(c, db, disable ? "user.disable" : "user.enable", "user", id, "") !=
	        SQLITE_OK ||
	    db_commit(db) != SQLITE_OK) {
		cli_db_error(c, db, cmd);
		db_rollback(db);
		ret = CLI_FAIL;
		goto out;
	}
	if (disable)
		fprintf(c->out, "disabled %s; ended %d session%s\n", name, ended,
		        ended == 1 ? "" : "s");
	else
		fprintf(c->out, "enabled %s\n", name);
out:
	db_close(db);
	return ret;
}

static void print_user(const struct db_admin_user *u, void *ctx)
{
	struct cli *c = ctx;
	fprintf(c->out, "%-5lld %-20s %-7s %-9s %s\n", u->id, u->username, u->role,
	        u->disabled ? "disabled" : "active", u->display_name);
}

static int user_list(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	int npos;
	if (cli_parse(c, "user list", argc, argv, NULL, pos, 0, &npos))
		return CLI_USAGE;
	struct db *db = cli_open(c, 0, true);
	if (!db)
		return CLI_FAIL;
	fprintf(c->out, "%-5s %-20s %-7s %-9s %s\n", "ID", "USER", "ROLE", "STATUS",
	        "DISPLAY NAME");
	int ret = CLI_OK;
	if (db_admin_user_each(db, print_user, c) != SQLITE_OK) {
		cli_db_error(c, db, "user list");
		ret = CLI_FAIL;
	}
	db_close(db);
	return ret;
}

int cli_cmd_user(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(c, "user",
		                 "missing subcommand (add, passwd, disable, enable, list)");
	const char *sub = argv[1];
	argc--;
	argv++;
	if (!strcmp(sub, "add"))
		return user_add(c, argc, argv);
	if (!strcmp(sub, "passwd"))
		return user_passwd(c, argc, argv);
	if (!strcmp(sub, "disable"))
		return user_able(c, argc, argv, true);
	if (!strcmp(sub, "enable"))
		return user_able(c, argc, argv, false);
	if (!strcmp(sub, "list"))
		return user_list(c, argc, argv);
	if (!strcmp(sub, "totp-reset"))
		return cli_user_totp_reset(c, argc, argv);
	return cli_usage(c, "user", "unknown subcommand '%s'", sub);
}
