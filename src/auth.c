/* Logins, sessions and CSRF tokens. */
#include "auth.h"
#include "app.h"
#include "auth_password.h"
#include "auth_totp.h"
#include "db_auth.h"
#include "totp.h"
#include "log.h"
#include "valid.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct auth_limits auth_limits = {
	.idle = 2 * 3600, .absolute = 12 * 3600, .window = 15 * 60,
	.max_per_name = 5, .max_per_addr = 100,
};

/* Only if a session is older than this is its last_seen_at written again:
 * an editor's every click does not become a database write. */
enum { TOUCH_EVERY = 60 };

/* A login waiting for its second factor lives this long, and dies at
 * this many wrong codes (each also a failed login of the account). */
enum { CHALLENGE_TTL = 5 * 60, CHALLENGE_TRIES = 5 };

static unsigned char session_key[crypto_generichash_KEYBYTES];
static bool have_key;

int auth_init(void)
{
	if (sodium_init() < 0)
		return -1;
	/* The HMAC is proven on a test vector here, in the master, before
	 * any worker confines itself (sandbox.h). */
	if (totp_init() != 0)
		return -1;
	/* Tests shorten these; production keeps the defaults. */
	const char *w = getenv("GAZETTE_LOGIN_WINDOW");
	long long v;
	if (w && valid_int(w, 1, 86400, &v))
		auth_limits.window = v;
	const char *idle = getenv("GAZETTE_SESSION_IDLE");
	if (idle && valid_int(idle, 1, 86400, &v))
		auth_limits.idle = v;
	return 0;
}

/*
 * The key of the session-token hash lives in a file beside the database
 * (DB-session.key, 0600), not in it: a copy of the database alone cannot
 * even be checked against a stolen cookie. The first process to need it
 * creates it; link() makes that atomic among workers.
 */
static bool load_key(const char *db_path)
{
	if (have_key)
		return true;
	char path[1100], tmp[1120];
	snprintf(path, sizeof path, "%s-session.key", db_path);
	for (int attempt = 0; attempt < 2; attempt++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t n = read(fd, session_key, sizeof session_key);
			close(fd);
			if (n == (ssize_t)sizeof session_key)
				return have_key = true;
			log_error("session key %s is damaged", path);
			return false;
		}
		if (errno != ENOENT) {
			log_error("cannot read %s: %s", path, strerror(errno));
			return false;
		}
		snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			log_error("cannot create %s: %s", tmp, strerror(errno));
			return false;
		}
		unsigned char k[sizeof session_key];
		randombytes_buf(k, sizeof k);
		bool ok = write(fd, k, sizeof k) == (ssize_t)sizeof k && fsync(fd) == 0;
		close(fd);
		sodium_memzero(k, sizeof k);
		if (ok && link(tmp, path) != 0 && errno != EEXIST)
			ok = false;
		unlink(tmp);
		if (!ok) {
			log_error("cannot create %s", path);
			return false;
		}
	}
	return false;
}

static void token_hash(const unsigned char token[32], unsigned char out[32])
{
	crypto_generichash(out, 32, token, 32, session_key, sizeof session_key);
}

bool auth_token_hash(const char *db_path, const unsigned char token[32], unsigned char out[32])
{
	if (!load_key(db_path))
		return false;
	token_hash(token, out);
	return true;
}

bool auth_subkey(const char *db_path, unsigned long long id, unsigned char out[32])
{
	if (!load_key(db_path))
		return false;
	/* The session key itself never leaves this file: each use of it
	 * elsewhere gets its own derived key. */
	return crypto_kdf_derive_from_key(out, 32, id, "gzauth__", session_key) == 0;
}

static enum auth_result from_db(enum db_result r)
{
	return r == DB_OK ? AUTH_OK : r == DB_BUSY ? AUTH_BUSY : AUTH_ERROR;
}

/*
 * At most about one Argon2id computation per core at a time across all
 * workers (each takes 64 MiB): a byte-range lock on one of ncores slots of
 * a lock file. Returns the fd to close to release, or -1 (then run anyway:
 * the bound is a safeguard, not a correctness need).
 */
static int hash_slot(const char *db_path)
{
	char path[1100];
	snprintf(path, sizeof path, "%s-login.lock", db_path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1};
	for (long i = 0; i < cores; i++) {
		fl.l_start = i;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return fd;
	}
	fl.l_start = getpid() % cores;
	if (fcntl(fd, F_SETLKW, &fl) == 0)
		return fd;
	close(fd);
	return -1;
}

/* A hash of a random password, to verify against when the user does not
 * exist: the answer then takes as long as for a wrong password. */
static const char *dummy_hash(void)
{
	static char hash[crypto_pwhash_STRBYTES];
	if (!hash[0]) {
		char pw[32];
		randombytes_buf(pw, sizeof pw);
		if (auth_password_hash(pw, sizeof pw, hash) != 0)
			hash[0] = '\0';
	}
	return hash;
}

static void set_cookie(struct http_req *req, const char *value, long long max_age)
{
	char header[256];
	snprintf(header, sizeof header, "%s=%s; Path=%s/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
		 AUTH_COOKIE, value, req->base, max_age, req->https ? "; Secure" : "");
	http_header(req, "Set-Cookie", header);
}

static void fill_user(struct http_req *req, long long id, const char *username,
		      const char *display_name, const char *role, bool totp,
		      const unsigned char csrf[32])
{
	struct auth_user *u = arena_alloc(req->arena, sizeof *u);
	u->id = id;
	u->username = username;
	u->display_name = display_name;
	u->role = role;
	u->totp = totp;
	req->user = u;
	char *hex = arena_alloc(req->arena, 65);
	sodium_bin2hex(hex, 65, csrf, 32);
	req->csrf_token = hex;
}

enum auth_result auth_throttled(struct db *w, const char *name, const char *addr, long long now,
				long long *retry_after)
{
	long long by_name, oldest_name, by_addr, oldest_addr;
	enum db_result r = db_auth_failures(w, name, addr, now - auth_limits.window, &by_name,
					    &oldest_name, &by_addr, &oldest_addr);
	if (r != DB_OK)
		return from_db(r);
	if (by_name < auth_limits.max_per_name && by_addr < auth_limits.max_per_addr)
		return AUTH_OK;
	long long until = by_name >= auth_limits.max_per_name ? oldest_name : oldest_addr;
	*retry_after = until + auth_limits.window - now;
	if (*retry_after < 1)
		*retry_after = 1;
	return AUTH_THROTTLED;
}

/*
 * The end of a login, in the caller's write transaction: the session row,
 * the audit entry (how: "", "totp" or "recovery code"), the commit, then
 * the cookie and req->user. Rolls back on failure.
 */
static enum auth_result start_session(struct app *app, struct http_req *req, long long id,
				      const char *username, const char *display_name,
				      const char *role, bool totp, const char *how, long long now)
{
	struct db *w = app->dbw;
	unsigned char token[32], hash[32], csrf[32];
	randombytes_buf(token, sizeof token);
	randombytes_buf(csrf, sizeof csrf);
	token_hash(token, hash);
	enum db_result r = db_auth_session_add(w, hash, id, csrf, req->remote_addr, now,
					       now + auth_limits.absolute);
	if (r == DB_OK)
		r = db_auth_audit(w, id, username, "session.login", "user", id, how,
				  req->remote_addr, now);
	if (r == DB_OK && db_commit(w) != SQLITE_OK)
		r = DB_BUSY;
	if (r != DB_OK) {
		db_rollback(w);
		sodium_memzero(token, sizeof token);
		return from_db(r);
	}
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, token, sizeof token);
	set_cookie(req, hex, auth_limits.absolute);
	sodium_memzero(token, sizeof token);
	sodium_memzero(hex, sizeof hex);
	fill_user(req, id, username, display_name, role, totp, csrf);
	return AUTH_OK;
}

/* A login challenge for user id in the caller's transaction; its token in
 * hex goes to out. */
static enum db_result add_challenge(struct db *w, long long id, const char *addr, long long now,
				    char out[65])
{
	unsigned char token[32], hash[32];
	randombytes_buf(token, sizeof token);
	token_hash(token, hash);
	sodium_bin2hex(out, 65, token, sizeof token);
	sodium_memzero(token, sizeof token);
	return db_auth_challenge_add(w, hash, id, addr, now, now + CHALLENGE_TTL);
}

enum auth_result auth_login(struct app *app, struct http_req *req, const char *username,
			    const char *password, size_t pwlen, const char *code,
			    char challenge[65], long long *retry_after)
{
	struct db *w = app_writer(app);
	if (!w || !load_key(app->db_path))
		return AUTH_ERROR;
	long long now = (long long)time(NULL);
	const char *addr = req->remote_addr;

	/* Throttling comes first, so a locked account learns nothing even from
	 * the right password. */
	enum auth_result res = auth_throttled(w, username, addr, now, retry_after);
	if (res != AUTH_OK)
		return res;

	struct db_login_user u;
	enum db_result r = db_auth_user(w, username, req->arena, &u);
	if (r != DB_OK && r != DB_NOTFOUND)
		return from_db(r);
	bool exists = r == DB_OK && !u.disabled;
	int slot = hash_slot(app->db_path);
	bool ok = auth_password_verify(exists ? u.password_hash : dummy_hash(), password, pwlen);
	ok = ok && exists;
	bool rehash = ok && auth_password_needs_rehash(u.password_hash);
	char fresh[crypto_pwhash_STRBYTES];
	if (rehash && auth_password_hash(password, pwlen, fresh) != 0)
		rehash = false;
	if (slot >= 0)
		close(slot);

	if (db_begin_write(w) != SQLITE_OK)
		return AUTH_BUSY;
	/* The code is checked inside the write transaction, so two requests
	 * with the same code cannot both pass the replay check. */
	const char *how = "";
	res = ok ? AUTH_OK : AUTH_DENIED;
	if (ok && u.totp)
		res = code && *code ? auth_totp_check(app, w, u.id, code, now, &how)
				    : AUTH_SECOND_FACTOR;
	r = res == AUTH_BUSY ? DB_BUSY : res == AUTH_ERROR ? DB_ERROR : DB_OK;
	/* Why no attempt row for a login that only lacks its code: it is
	 * neither a failure nor a success (which would clear the failures
	 * that wrong codes left). */
	if (r == DB_OK && res != AUTH_SECOND_FACTOR)
		r = db_auth_attempt(w, username, addr, now, res == AUTH_OK);
	if (r == DB_OK && rehash)
		r = db_auth_set_hash(w, u.id, fresh, now);
	if (r == DB_OK && res == AUTH_SECOND_FACTOR && challenge)
		r = add_challenge(w, u.id, addr, now, challenge);
	if (r == DB_OK && res == AUTH_OK)
		return start_session(app, req, u.id, u.username, u.display_name, u.role, u.totp,
				     how, now);
	if (r == DB_OK && db_commit(w) != SQLITE_OK)
		r = DB_BUSY;
	if (r != DB_OK) {
		db_rollback(w);
		return from_db(r);
	}
	return res;
}

enum auth_result auth_login_code(struct app *app, struct http_req *req, const char *challenge,
				 const char *code, long long *retry_after)
{
	unsigned char token[32], hash[32];
	size_t len;
	if (!challenge || strlen(challenge) != 64 ||
	    sodium_hex2bin(token, sizeof token, challenge, 64, NULL, &len, NULL) != 0 || len != 32)
		return AUTH_DENIED;
	struct db *w = app_writer(app);
	if (!w || !load_key(app->db_path))
		return AUTH_ERROR;
	token_hash(token, hash);
	long long now = (long long)time(NULL);
	if (db_begin_write(w) != SQLITE_OK)
		return AUTH_BUSY;
	struct db_challenge c;
	enum db_result r = db_auth_challenge_get(w, hash, now, req->arena, &c);
	enum auth_result res = r == DB_NOTFOUND ? AUTH_DENIED : from_db(r);
	/* Why here too: the code step must not get around the account's
	 * throttling (issue 9: wrong codes are failed logins). */
	if (res == AUTH_OK)
		res = auth_throttled(w, c.username, req->remote_addr, now, retry_after);
	if (res == AUTH_OK && c.disabled) {
		r = db_auth_challenge_delete(w, c.id);
		res = r == DB_OK ? AUTH_DENIED : from_db(r);
	}
	const char *how = "";
	if (res == AUTH_OK)
		res = auth_totp_check(app, w, c.user_id, code, now, &how);
	r = res == AUTH_BUSY ? DB_BUSY : res == AUTH_ERROR ? DB_ERROR : DB_OK;
	if (r == DB_OK && (res == AUTH_OK || res == AUTH_CODE_WRONG || res == AUTH_CODE_REUSED))
		r = db_auth_attempt(w, c.username, req->remote_addr, now, res == AUTH_OK);
	if (r == DB_OK && res != AUTH_OK && (res == AUTH_CODE_WRONG || res == AUTH_CODE_REUSED)) {
		/* The fifth wrong code ends the challenge: back to the password. */
		bool dead = c.attempts + 1 >= CHALLENGE_TRIES;
		r = dead ? db_auth_challenge_delete(w, c.id) : db_auth_challenge_fail(w, c.id);
		if (dead)
			res = AUTH_DENIED;
	}
	if (r == DB_OK && res == AUTH_OK) {
		r = db_auth_challenge_delete(w, c.id);
		if (r == DB_OK)
			return start_session(app, req, c.user_id, c.username, c.display_name, c.role,
					     true, how, now);
	}
	if (r == DB_OK && db_commit(w) != SQLITE_OK)
		r = DB_BUSY;
	if (r != DB_OK) {
		db_rollback(w);
		return from_db(r);
	}
	return res;
}

enum auth_result auth_session(struct app *app, struct http_req *req)
{
	req->user = NULL;
	req->csrf_token = NULL;
	const char *cookie = http_cookie(req, AUTH_COOKIE);
	unsigned char token[32], hash[32];
	size_t len;
	if (!cookie || strlen(cookie) != 64 ||
	    sodium_hex2bin(token, sizeof token, cookie, 64, NULL, &len, NULL) != 0 || len != 32)
		return AUTH_OK; /* no session; a malformed cookie is no session either */
	if (!load_key(app->db_path))
		return AUTH_ERROR;
	token_hash(token, hash);
	long long now = (long long)time(NULL);
	struct db_session s;
	enum db_result r = db_auth_session_get(app->db, hash, now, auth_limits.idle, req->arena, &s);
	if (r == DB_NOTFOUND)
		return AUTH_OK;
	if (r != DB_OK)
		return from_db(r);
	/* Touching at most once a minute (or a quarter of the idle time when
	 * that is shorter) keeps an active session alive without a write per
	 * click. */
	long long every = auth_limits.idle / 4 < TOUCH_EVERY ? auth_limits.idle / 4 : TOUCH_EVERY;
	if (now - s.last_seen_at >= every) {
		struct db *w = app_writer(app);
		if (!w || db_auth_session_touch(w, s.id, now) == DB_ERROR)
			return AUTH_ERROR; /* a busy touch is skipped: the next request retries */
	}
	req->session_id = s.id;
	fill_user(req, s.user_id, s.username, s.display_name, s.role, s.totp, s.csrf);
	return AUTH_OK;
}

bool auth_csrf_ok(const struct http_req *req, const char *token)
{
	if (!req->csrf_token || !token || strlen(token) != 64)
		return false;
	/* Why constant time: a timing difference would let a page guess the
	 * token byte by byte. */
	return sodium_memcmp(req->csrf_token, token, 64) == 0;
}

enum auth_result auth_logout(struct app *app, struct http_req *req)
{
	struct db *w = app_writer(app);
	if (!w)
		return AUTH_ERROR;
	long long now = (long long)time(NULL);
	if (db_begin_write(w) != SQLITE_OK)
		return AUTH_BUSY;
	enum db_result r = db_auth_session_delete(w, req->session_id);
	if (r == DB_OK && req->user)
		r = db_auth_audit(w, req->user->id, req->user->username, "session.logout", "user",
				  req->user->id, "", req->remote_addr, now);
	if (r == DB_OK && db_commit(w) != SQLITE_OK)
		r = DB_BUSY;
	if (r != DB_OK) {
		db_rollback(w);
		return from_db(r);
	}
	set_cookie(req, "", 0);
	return AUTH_OK;
}

enum auth_result auth_set_password(struct app *app, long long user_id, const char *password,
				   size_t len, long long keep_session)
{
	char hash[crypto_pwhash_STRBYTES];
	int slot = hash_slot(app->db_path);
	int rc = auth_password_hash(password, len, hash);
	if (slot >= 0)
		close(slot);
	if (rc != 0)
		return AUTH_ERROR;
	struct db *w = app_writer(app);
	enum db_result r = db_auth_set_hash(w, user_id, hash, (long long)time(NULL));
	if (r == DB_OK)
		r = db_auth_sessions_revoke(w, user_id, keep_session);
	return from_db(r);
}
