/* The second login factor: enrolment, recovery codes, checks (auth_totp.h). */
#include "auth_totp.h"
#include "app.h"
#include "auth_password.h"
#include "db_admin.h"
#include "db_auth.h"
#include "json.h"
#include "log.h"
#include "page.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Purposes of the keys derived from the session key (auth_subkey). */
enum { KEY_SEAL = 1, KEY_RECOVERY = 2 };

enum { BOX_LEN = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + TOTP_SECRET_BYTES };

static enum auth_result from_db(enum db_result r)
{
	return r == DB_OK ? AUTH_OK : r == DB_BUSY ? AUTH_BUSY : AUTH_ERROR;
}

/* box = nonce || crypto_secretbox_easy(secret). */
static bool seal(const struct app *app, const unsigned char secret[TOTP_SECRET_BYTES],
                 unsigned char box[BOX_LEN])
{
	unsigned char key[32];
	if (!auth_subkey(app->db_path, KEY_SEAL, key))
		return false;
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	int rc = crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, secret, TOTP_SECRET_BYTES,
	                               box, key);
	sodium_memzero(key, sizeof key);
	return rc == 0;
}

/* Opens a stored box; false (logged) when the key file changed or the row
 * was damaged: the secret is then lost, and an admin must reset it. */
static bool unseal(const struct app *app, const struct db_totp *t,
                   unsigned char secret[TOTP_SECRET_BYTES])
{
	unsigned char key[32];
	if (t->boxlen != BOX_LEN || !auth_subkey(app->db_path, KEY_SEAL, key))
		return false;
	int rc = crypto_secretbox_open_easy(secret, t->box + crypto_secretbox_NONCEBYTES,
	                                    BOX_LEN - crypto_secretbox_NONCEBYTES, t->box, key);
	sodium_memzero(key, sizeof key);
	if (rc != 0)
		log_error("a TOTP secret does not open: was the session key file replaced?");
	return rc == 0;
}

/*
 * The stored form of a recovery code: BLAKE2b keyed with a derived key, of
 * the user id and the canonical code. Why not Argon2id: the codes are 50
 * random bits, not passwords people choose, so a slow hash buys nothing
 * against guessing, and the key (outside the database) already makes a
 * dump useless offline; a login may try ten codes, which Argon2id would
 * make ten times 64 MiB.
 */
static bool recovery_hash(const struct app *app, long long user_id, const char *canonical,
                          unsigned char out[32])
{
	unsigned char key[32];
	if (!auth_subkey(app->db_path, KEY_RECOVERY, key))
		return false;
	char in[64];
	int n = snprintf(in, sizeof in, "%lld:%s", user_id, canonical);
	crypto_generichash(out, 32, (const unsigned char *)in, (size_t)n, key, sizeof key);
	sodium_memzero(key, sizeof key);
	sodium_memzero(in, sizeof in);
	return true;
}

/* Audit entry by req->user, then commit; rolls back on failure. */
static enum auth_result finish(struct db *w, struct http_req *req, enum auth_result res,
                               const char *action, long long user_id, const char *detail)
{
	enum db_result r = DB_OK;
	if (res == AUTH_OK && action)
		r = db_auth_audit(w, req->user->id, req->user->username, action, "user", user_id,
		                  detail, req->remote_addr, (long long)time(NULL));
	if (r == DB_OK && db_commit(w) != SQLITE_OK)
		r = DB_BUSY;
	if (r != DB_OK) {
		db_rollback(w);
		return from_db(r);
	}
	return res;
}

enum auth_result auth_totp_state(struct app *app, long long user_id, struct auth_totp_state *st)
{
	memset(st, 0, sizeof *st);
	struct db_totp t;
	enum db_result r = db_auth_totp_get(app->db, user_id, &t);
	if (r == DB_NOTFOUND)
		return AUTH_OK;
	if (r != DB_OK)
		return from_db(r);
	st->enabled = t.confirmed_at != 0;
	st->pending = !st->enabled;
	st->since = t.confirmed_at;
	return st->enabled ? from_db(db_auth_recovery_left(app->db, user_id, &st->recovery_left))
	                   : AUTH_OK;
}

enum auth_result auth_totp_begin(struct app *app, struct http_req *req,
                                 char secret[TOTP_BASE32_SECRET + 1])
{
	struct db *w = app_writer(app);
	if (!w)
		return AUTH_ERROR;
	unsigned char key[TOTP_SECRET_BYTES], box[BOX_LEN];
	randombytes_buf(key, sizeof key);
	bool sealed = seal(app, key, box);
	totp_base32_encode(key, sizeof key, false, secret, TOTP_BASE32_SECRET + 1);
	sodium_memzero(key, sizeof key);
	if (!sealed)
		return AUTH_ERROR;
	if (db_begin_write(w) != SQLITE_OK)
		return AUTH_BUSY;
	struct db_totp t;
	enum db_result r = db_auth_totp_get(w, req->user->id, &t);
	enum auth_result res = r == DB_NOTFOUND ? AUTH_OK : from_db(r);
	/* Why: a second enrolment over a confirmed one would replace the
	 * secret without the proof that turning it off asks for. */
	if (r == DB_OK && t.confirmed_at)
		res = AUTH_CONFLICT;
	if (res == AUTH_OK)
		res = from_db(
		    db_auth_totp_begin(w, req->user->id, box, sizeof box, (long long)time(NULL)));
	res = finish(w, req, res, NULL, 0, NULL);
	if (res != AUTH_OK)
		sodium_memzero(secret, TOTP_BASE32_SECRET + 1);
	return res;
}

enum auth_result auth_totp_pending(struct app *app, struct http_req *req,
                                   char secret[TOTP_BASE32_SECRET + 1])
{
	struct db_totp t;
	enum db_result r = db_auth_totp_get(app->db, req->user->id, &t);
	if (r == DB_NOTFOUND || (r == DB_OK && t.confirmed_at))
		return AUTH_CONFLICT;
	if (r != DB_OK)
		return from_db(r);
	unsigned char key[TOTP_SECRET_BYTES];
	if (!unseal(app, &t, key))
		return AUTH_ERROR;
	totp_base32_encode(key, sizeof key, false, secret, TOTP_BASE32_SECRET + 1);
	sodium_memzero(key, sizeof key);
	return AUTH_OK;
}

enum auth_result auth_totp_confirm(struct app *app, struct http_req *req, const char *code,
                                   char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_SHOWN])
{
	long c;
	if (!totp_parse_code(code, TOTP_DIGITS, &c))
		return AUTH_CODE_WRONG;
	struct db *w = app_writer(app);
	if (!w)
		return AUTH_ERROR;
	long long now = (long long)time(NULL), step = 0, uid = req->user->id;
	if (db_begin_write(w) != SQLITE_OK)
		return AUTH_BUSY;
	struct db_totp t;
	enum db_result r = db_auth_totp_get(w, uid, &t);
	enum auth_result res = r == DB_NOTFOUND ? AUTH_CONFLICT : from_db(r);
	if (res == AUTH_OK && t.confirmed_at)
		res = AUTH_CONFLICT;
	unsigned char key[TOTP_SECRET_BYTES];
	if (res == AUTH_OK && !unseal(app, &t, key))
		res = AUTH_ERROR;
	/* The first code proves the app holds the secret: only then does
	 * the second factor guard the login. */
	if (res == AUTH_OK) {
		enum totp_check k = totp_verify(key, sizeof key, c, TOTP_DIGITS, now, -1, &step);
		sodium_memzero(key, sizeof key);
		if (k != TOTP_MATCH)
			res = AUTH_CODE_WRONG;
	}
	if (res == AUTH_OK)
		res = from_db(db_auth_totp_confirm(w, uid, step, now));
	for (int i = 0; res == AUTH_OK && i < TOTP_RECOVERY_COUNT; i++) {
		char canonical[TOTP_RECOVERY_SYMBOLS + 1];
		unsigned char hash[32];
		totp_recovery_new(codes[i]);
		if (!totp_recovery_normalize(codes[i], canonical) ||
		    !recovery_hash(app, uid, canonical, hash))
			res = AUTH_ERROR;
		else
			res = from_db(db_auth_recovery_add(w, uid, hash, now));
	}
	res = finish(w, req, res, "totp.enable", uid, "");
	if (res != AUTH_OK)
		sodium_memzero(codes, sizeof(char[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_SHOWN]));
	return res;
}

enum auth_result auth_totp_cancel(struct app *app, struct http_req *req)
{
	struct db *w = app_writer(app);
	if (!w)
		return AUTH_ERROR;
	if (db_begin_write(w) != SQLITE_OK)
		return AUTH_BUSY;
	struct db_totp t;
	enum db_result r = db_auth_totp_get(w, req->user->id, &t);
	enum auth_result res = r == DB_NOTFOUND ? AUTH_CONFLICT : from_db(r);
	if (res == AUTH_OK && t.confirmed_at)
		res = AUTH_CONFLICT; /* turning it off needs a proof */
	int removed;
	if (res == AUTH_OK)
		res = from_db(db_auth_totp_delete(w, req->user->id, &removed));
	return finish(w, req, res, NULL, 0, NULL);
}

enum auth_result auth_totp_check(struct app *app, struct db *w, long long user_id, const char *code,
                                 long long now, const char **how)
{
	struct db_totp t;
	enum db_result r = db_auth_totp_get(w, user_id, &t);
	if (r == DB_NOTFOUND || (r == DB_OK && !t.confirmed_at))
		return AUTH_CODE_WRONG;
	if (r != DB_OK)
		return from_db(r);
	long c;
	if (totp_parse_code(code, TOTP_DIGITS, &c)) {
		unsigned char key[TOTP_SECRET_BYTES];
		if (!unseal(app, &t, key))
			return AUTH_ERROR;
		long long step;
		enum totp_check k =
		    totp_verify(key, sizeof key, c, TOTP_DIGITS, now, t.last_step, &step);
		sodium_memzero(key, sizeof key);
		if (k == TOTP_WRONG)
			return AUTH_CODE_WRONG;
		/* Why store the step: a code seen over a shoulder or in a log
		 * must not log in a second time (RFC 6238 §5.2). */
		r = k == TOTP_MATCH ? db_auth_totp_step(w, user_id, step) : DB_NOTFOUND;
		if (r == DB_NOTFOUND)
			return AUTH_CODE_REUSED;
		*how = "totp";
		return from_db(r);
	}
	char canonical[TOTP_RECOVERY_SYMBOLS + 1];
	unsigned char hash[32];
	if (!totp_recovery_normalize(code, canonical))
		return AUTH_CODE_WRONG;
	if (!recovery_hash(app, user_id, canonical, hash))
		return AUTH_ERROR;
	sodium_memzero(canonical, sizeof canonical);
	r = db_auth_recovery_use(w, user_id, hash, now); /* each works once */
	if (r == DB_NOTFOUND)
		return AUTH_CODE_WRONG;
	*how = "recovery code";
	return from_db(r);
}

enum auth_result auth_totp_disable(struct app *app, struct http_req *req, const char *code,
                                   const char *password, long long *retry_after)
{
	struct db *w = app_writer(app);
	if (!w)
		return AUTH_ERROR;
	long long now = (long long)time(NULL), uid = req->user->id;
	const char *name = req->user->username;
	/* Why throttled like a login: a stolen session must not be able to
	 * guess the password (or codes) here without limit. */
	enum auth_result res = auth_throttled(w, name, req->remote_addr, now, retry_after);
	if (res != AUTH_OK)
		return res;
	bool by_code = code && *code;
	bool password_ok = false;
	if (!by_code) {
		struct db_login_user u;
		enum db_result r = db_auth_user(w, name, req->arena, &u);
		if (r != DB_OK)
			return r == DB_NOTFOUND ? AUTH_DENIED : from_db(r);
		password_ok =
		    password && auth_password_verify(u.password_hash, password, strlen(password));
	}
	if (db_begin_write(w) != SQLITE_OK)
		return AUTH_BUSY;
	struct db_totp t;
	enum db_result r = db_auth_totp_get(w, uid, &t);
	res = r == DB_NOTFOUND ? AUTH_CONFLICT : from_db(r);
	if (res == AUTH_OK && !t.confirmed_at)
		res = AUTH_CONFLICT;
	const char *how = "password";
	if (res == AUTH_OK)
		res = by_code       ? auth_totp_check(app, w, uid, code, now, &how)
		      : password_ok ? AUTH_OK
		                    : AUTH_DENIED;
	if (res == AUTH_DENIED || res == AUTH_CODE_WRONG || res == AUTH_CODE_REUSED) {
		r = db_auth_attempt(w, name, req->remote_addr, now, 0);
		return finish(w, req, r == DB_OK ? res : from_db(r), NULL, 0, NULL);
	}
	int removed;
	if (res == AUTH_OK)
		res = from_db(db_auth_totp_delete(w, uid, &removed));
	return finish(w, req, res, "totp.disable", uid, how);
}

enum auth_result auth_totp_reset(struct app *app, struct http_req *req, long long user_id)
{
	/* Why not one's own: that would turn it off without the proof that
	 * auth_totp_disable asks for, from a session alone. */
	if (user_id == req->user->id)
		return AUTH_CONFLICT;
	struct db *w = app_writer(app);
	if (!w)
		return AUTH_ERROR;
	if (db_begin_write(w) != SQLITE_OK)
		return AUTH_BUSY;
	int rc = db_admin_user_exists(w, user_id);
	enum auth_result res = rc == SQLITE_ROW    ? AUTH_OK
	                       : rc == SQLITE_DONE ? AUTH_NOT_FOUND
	                       : db_is_busy(rc)    ? AUTH_BUSY
	                                           : AUTH_ERROR;
	int removed = 0;
	if (res == AUTH_OK)
		res = from_db(db_auth_totp_delete(w, user_id, &removed));
	return finish(w, req, res, "totp.reset", user_id, removed ? "" : "none enrolled");
}

bool auth_must_enrol(const struct app *app, const struct auth_user *u)
{
	return u && !u->totp && !strcmp(u->role, "admin") &&
	       !strcmp(app_setting(app, "require_2fa_admins"), "1");
}

int auth_totp_gate(struct app *app, struct http_req *req)
{
	/* The routes where enrolling happens, and the way out. */
	static const char *const open[] = {
	    "/editor/account",
	    "/editor/account/totp",
	    "/editor/login",
	    "/editor/logout",
	    "/api/session",
	    "/api/session/totp",
	    "/api/session/totp/confirm",
	};
	if (!auth_must_enrol(app, req->user))
		return 0;
	for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
		if (!strcmp(req->path, open[i]))
			return 0;
	/* Why: with require_2fa_admins on, an admin account guarded by a
	 * password alone may do nothing but add its second factor. */
	req->cacheable = false;
	if (!strncmp(req->path, "/api/", 5))
		json_error(req, 403, "second_factor_enrolment_required",
		           "set up two-factor login first (POST /api/session/totp)", NULL);
	else
		page_redirect(req, "/editor/account?enrol=1");
	return -1;
}
