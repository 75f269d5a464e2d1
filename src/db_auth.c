/* SQL of logins, sessions and the web audit log. */
#include "db_auth.h"
#include "arena.h"
#include "log.h"

#include <string.h>

enum db_result db_auth_user(struct db *db, const char *username, struct arena *a,
			    struct db_login_user *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, username, display_name, role, password_hash, "
				       "disabled, EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = "
				       "users.id AND t.confirmed_at IS NOT NULL) FROM users "
				       "WHERE username = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->username = arena_strdup(a, db_text(st, 1));
		out->display_name = arena_strdup(a, db_text(st, 2));
		out->role = arena_strdup(a, db_text(st, 3));
		out->password_hash = arena_strdup(a, db_text(st, 4));
		out->disabled = sqlite3_column_int(st, 5);
		out->totp = sqlite3_column_int(st, 6);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}

static enum db_result count_since(struct db *db, sqlite3_stmt *st, const char *key,
				  long long since, long long *n, long long *oldest)
{
	if (!st)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		*oldest = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : db_fail(db, rc);
}

enum db_result db_auth_failures(struct db *db, const char *username, const char *address,
				long long since, long long *by_name, long long *oldest_by_name,
				long long *by_address, long long *oldest_by_address)
{
	enum db_result r = count_since(db, db_stmt(db,
		"SELECT count(*), coalesce(min(at), 0) FROM login_attempts "
		"WHERE username = ?1 AND at > ?2 AND NOT ok"), username, since, by_name, oldest_by_name);
	if (r != DB_OK)
		return r;
	return count_since(db, db_stmt(db,
		"SELECT count(*), coalesce(min(at), 0) FROM login_attempts "
		"WHERE address = ?1 AND at > ?2 AND NOT ok"), address, since, by_address,
		oldest_by_address);
}

enum db_result db_auth_attempt(struct db *db, const char *username, const char *address,
			       long long now, int ok)
{
	sqlite3_stmt *st;
	if (ok) {
		st = db_stmt(db, "DELETE FROM login_attempts WHERE username = ?1 AND NOT ok");
		if (!st)
			return DB_ERROR;
		sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
		enum db_result r = db_run(db, st);
		if (r != DB_OK)
			return r;
	}
	/* Old rows are pruned as new ones come: the table holds one window. */
	st = db_stmt(db, "DELETE FROM login_attempts WHERE at < ?1 - 86400");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	enum db_result r = db_run(db, st);
	if (r != DB_OK)
		return r;
	st = db_stmt(db, "INSERT INTO login_attempts(username, address, at, ok) VALUES (?1, ?2, ?3, ?4)");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int(st, 4, ok);
	return db_run(db, st);
}

enum db_result db_auth_set_hash(struct db *db, long long user_id, const char *hash, long long now)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return db_run(db, st);
}

enum db_result db_auth_session_add(struct db *db, const unsigned char token_hash[32],
				   long long user_id, const unsigned char csrf[32],
				   const char *address, long long now, long long expires_at)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM sessions WHERE expires_at <= ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	enum db_result r = db_run(db, st);
	if (r != DB_OK)
		return r;
	st = db_stmt(db, "INSERT INTO sessions(token_hash, user_id, csrf_secret, created_at, "
			 "last_seen_at, expires_at, address) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_blob(st, 3, csrf, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, expires_at);
	sqlite3_bind_text(st, 6, address, -1, SQLITE_STATIC);
	return db_run(db, st);
}

enum db_result db_auth_session_get(struct db *db, const unsigned char token_hash[32],
				   long long now, long long idle, struct arena *a,
				   struct db_session *out)
{
	/* Both expiries are conditions of the query: an expired session is
	 * not found, whatever a worker's memory holds. */
	sqlite3_stmt *st = db_stmt(db,
		"SELECT s.id, s.user_id, s.csrf_secret, s.last_seen_at, u.username, "
		"u.display_name, u.role, t.confirmed_at IS NOT NULL FROM sessions s "
		"JOIN users u ON u.id = s.user_id LEFT JOIN user_totp t ON t.user_id = u.id "
		"WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND s.last_seen_at > ?2 - ?3 "
		"AND NOT u.disabled");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, idle);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->user_id = sqlite3_column_int64(st, 1);
		if (sqlite3_column_bytes(st, 2) == 32)
			memcpy(out->csrf, sqlite3_column_blob(st, 2), 32);
		else
			rc = SQLITE_DONE; /* a malformed row is no session */
		out->last_seen_at = sqlite3_column_int64(st, 3);
		out->username = arena_strdup(a, db_text(st, 4));
		out->display_name = arena_strdup(a, db_text(st, 5));
		out->role = arena_strdup(a, db_text(st, 6));
		out->totp = sqlite3_column_int(st, 7);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}

enum db_result db_auth_session_touch(struct db *db, long long session_id, long long now)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int64(st, 2, now);
	return db_run(db, st);
}

enum db_result db_auth_session_delete(struct db *db, long long session_id)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM sessions WHERE id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, session_id);
	return db_run(db, st);
}

enum db_result db_auth_sessions_revoke(struct db *db, long long user_id, long long keep)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM sessions WHERE user_id = ?1 AND id != ?2");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, keep);
	enum db_result r = db_run(db, st);
	if (r != DB_OK)
		return r;
	/* A half-done login made with the old password ends too. */
	st = db_stmt(db, "DELETE FROM login_challenges WHERE user_id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	return db_run(db, st);
}

enum db_result db_auth_audit(struct db *db, long long user_id, const char *username,
			     const char *action, const char *object_type, long long object_id,
			     const char *detail, const char *address, long long now)
{
	sqlite3_stmt *st = db_stmt(db,
		"INSERT INTO audit_log(at, user_id, username, action, object_type, object_id, "
		"detail, address) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, nullif(?6, 0), ?7, ?8)");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, object_type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, object_id);
	sqlite3_bind_text(st, 7, detail ? detail : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, address ? address : "", -1, SQLITE_STATIC);
	return db_run(db, st);
}

/* --- the second factor ------------------------------------------------------------ */

enum db_result db_auth_totp_get(struct db *db, long long user_id, struct db_totp *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT secret_box, created_at, coalesce(confirmed_at, 0), "
				       "last_step FROM user_totp WHERE user_id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 0);
		if (n > 0 && n <= DB_TOTP_BOX_MAX) {
			memcpy(out->box, sqlite3_column_blob(st, 0), (size_t)n);
			out->boxlen = (size_t)n;
		} else {
			out->boxlen = 0; /* a damaged row opens as nothing */
		}
		out->created_at = sqlite3_column_int64(st, 1);
		out->confirmed_at = sqlite3_column_int64(st, 2);
		out->last_step = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}

enum db_result db_auth_totp_begin(struct db *db, long long user_id, const unsigned char *box,
				  size_t boxlen, long long now)
{
	sqlite3_stmt *st = db_stmt(db,
		"INSERT INTO user_totp(user_id, secret_box, created_at) VALUES (?1, ?2, ?3) "
		"ON CONFLICT(user_id) DO UPDATE SET secret_box = excluded.secret_box, "
		"created_at = excluded.created_at, confirmed_at = NULL, last_step = -1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_blob(st, 2, box, (int)boxlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return db_run(db, st);
}

enum db_result db_auth_totp_confirm(struct db *db, long long user_id, long long step,
				    long long now)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE user_totp SET confirmed_at = ?3, last_step = ?2 "
				       "WHERE user_id = ?1 AND confirmed_at IS NULL");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, step);
	sqlite3_bind_int64(st, 3, now);
	return db_run_one(db, st);
}

enum db_result db_auth_totp_step(struct db *db, long long user_id, long long step)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE user_totp SET last_step = ?2 "
				       "WHERE user_id = ?1 AND last_step < ?2");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, step);
	return db_run_one(db, st);
}

enum db_result db_auth_totp_delete(struct db *db, long long user_id, int *removed)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM user_totp WHERE user_id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	enum db_result r = db_run(db, st);
	if (r != DB_OK)
		return r;
	*removed = sqlite3_changes(db->h) > 0;
	st = db_stmt(db, "DELETE FROM totp_recovery_codes WHERE user_id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	return db_run(db, st);
}

enum db_result db_auth_recovery_add(struct db *db, long long user_id,
				    const unsigned char hash[32], long long now)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO totp_recovery_codes(user_id, code_hash, "
				       "created_at) VALUES (?1, ?2, ?3)");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return db_run(db, st);
}

enum db_result db_auth_recovery_use(struct db *db, long long user_id,
				    const unsigned char hash[32], long long now)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE totp_recovery_codes SET used_at = ?3 "
				       "WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return db_run_one(db, st);
}

enum db_result db_auth_recovery_left(struct db *db, long long user_id, long long *n)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM totp_recovery_codes "
				       "WHERE user_id = ?1 AND used_at IS NULL");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : db_fail(db, rc);
}

enum db_result db_auth_challenge_add(struct db *db, const unsigned char token_hash[32],
				     long long user_id, const char *address, long long now,
				     long long expires_at)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM login_challenges WHERE expires_at <= ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, now);
	enum db_result r = db_run(db, st);
	if (r != DB_OK)
		return r;
	st = db_stmt(db, "INSERT INTO login_challenges(token_hash, user_id, address, created_at, "
			 "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, address ? address : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, expires_at);
	return db_run(db, st);
}

enum db_result db_auth_challenge_get(struct db *db, const unsigned char token_hash[32],
				     long long now, struct arena *a, struct db_challenge *out)
{
	/* The expiry is a condition of the query: an old challenge is not found. */
	sqlite3_stmt *st = db_stmt(db,
		"SELECT c.id, c.user_id, c.attempts, u.username, u.display_name, u.role, "
		"u.disabled FROM login_challenges c JOIN users u ON u.id = c.user_id "
		"WHERE c.token_hash = ?1 AND c.expires_at > ?2");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->user_id = sqlite3_column_int64(st, 1);
		out->attempts = sqlite3_column_int64(st, 2);
		out->username = arena_strdup(a, db_text(st, 3));
		out->display_name = arena_strdup(a, db_text(st, 4));
		out->role = arena_strdup(a, db_text(st, 5));
		out->disabled = sqlite3_column_int(st, 6);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, rc);
}

enum db_result db_auth_challenge_fail(struct db *db, long long id)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE login_challenges SET attempts = attempts + 1 "
				       "WHERE id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return db_run(db, st);
}

enum db_result db_auth_challenge_delete(struct db *db, long long id)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM login_challenges WHERE id = ?1");
	if (!st)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return db_run(db, st);
}
