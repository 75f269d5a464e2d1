/*
 * The SQL of logins and sessions (used only by auth.c). Results are
 * db_result codes (db_public.h). Writes run in the caller's transaction or,
 * outside one, each in its own.
 */
#ifndef GAZETTE_DB_AUTH_H
#define GAZETTE_DB_AUTH_H

#include "db_public.h"

struct arena;

struct db_login_user {
	long long id;
	const char *username, *display_name, *role, *password_hash;
	int disabled;
	int totp; /* a confirmed second factor */
};

struct db_session {
	long long id, user_id;
	const char *username, *display_name, *role;
	unsigned char csrf[32];
	long long last_seen_at;
	int totp; /* the user has a confirmed second factor */
};

enum { DB_TOTP_BOX_MAX = 128 };

/* A user's second factor (user_totp row). */
struct db_totp {
	unsigned char box[DB_TOTP_BOX_MAX]; /* nonce || sealed secret */
	size_t boxlen;
	long long created_at;
	long long confirmed_at; /* 0: enrolment pending */
	long long last_step;    /* last accepted time step, -1 for none */
};

/* A pending second-factor login (login_challenges row and its user). */
struct db_challenge {
	long long id, user_id, attempts;
	const char *username, *display_name, *role;
	int disabled;
};

/* A user by name (case-insensitive), with the password hash. */
enum db_result db_auth_user(struct db *db, const char *username, struct arena *a,
			    struct db_login_user *out);
/* Failed login attempts since `since`: for the name and for the address. */
enum db_result db_auth_failures(struct db *db, const char *username, const char *address,
				long long since, long long *by_name, long long *oldest_by_name,
				long long *by_address, long long *oldest_by_address);
/* Records an attempt; a success clears the name's earlier failures. */
enum db_result db_auth_attempt(struct db *db, const char *username, const char *address,
			       long long now, int ok);
enum db_result db_auth_set_hash(struct db *db, long long user_id, const char *hash, long long now);
/* Creates a session row and drops every expired one. */
enum db_result db_auth_session_add(struct db *db, const unsigned char token_hash[32],
				   long long user_id, const unsigned char csrf[32],
				   const char *address, long long now, long long expires_at);
/* The live session whose token hashes to token_hash: not past its absolute
 * expiry, seen within idle seconds, its user enabled. */
enum db_result db_auth_session_get(struct db *db, const unsigned char token_hash[32],
				   long long now, long long idle, struct arena *a,
				   struct db_session *out);
enum db_result db_auth_session_touch(struct db *db, long long session_id, long long now);
enum db_result db_auth_session_delete(struct db *db, long long session_id);
/* Deletes every session of a user except keep (0: all), and the user's
 * pending login challenges. */
enum db_result db_auth_sessions_revoke(struct db *db, long long user_id, long long keep);
/* One audit_log row of a web action. */
enum db_result db_auth_audit(struct db *db, long long user_id, const char *username,
			     const char *action, const char *object_type, long long object_id,
			     const char *detail, const char *address, long long now);


/* --- the second factor (auth_totp.c) --- */

/* user_id's user_totp row; DB_NOTFOUND when they never enrolled. */
enum db_result db_auth_totp_get(struct db *db, long long user_id, struct db_totp *out);
/* Stores a pending enrolment (replacing one): confirmed_at NULL, last_step -1. */
enum db_result db_auth_totp_begin(struct db *db, long long user_id, const unsigned char *box,
				  size_t boxlen, long long now);
/* Marks the pending enrolment confirmed with the step of its code;
 * DB_NOTFOUND when none is pending. */
enum db_result db_auth_totp_confirm(struct db *db, long long user_id, long long step,
				    long long now);
/* Moves last_step forward to step; DB_NOTFOUND when it is not forward
 * (the code's step was used meanwhile). */
enum db_result db_auth_totp_step(struct db *db, long long user_id, long long step);
/* Removes user_id's second factor and recovery codes; *removed = 1 when
 * there was one (pending or confirmed). */
enum db_result db_auth_totp_delete(struct db *db, long long user_id, int *removed);
/* One recovery code's hash. */
enum db_result db_auth_recovery_add(struct db *db, long long user_id,
				    const unsigned char hash[32], long long now);
/* Spends the unused recovery code with this hash; DB_NOTFOUND when none. */
enum db_result db_auth_recovery_use(struct db *db, long long user_id,
				    const unsigned char hash[32], long long now);
/* Unused recovery codes of user_id. */
enum db_result db_auth_recovery_left(struct db *db, long long user_id, long long *n);
/* A login challenge; drops every expired one. */
enum db_result db_auth_challenge_add(struct db *db, const unsigned char token_hash[32],
				     long long user_id, const char *address, long long now,
				     long long expires_at);
/* The live challenge whose token hashes to token_hash, with its user. */
enum db_result db_auth_challenge_get(struct db *db, const unsigned char token_hash[32],
				     long long now, struct arena *a, struct db_challenge *out);
/* One more wrong code for challenge id. */
enum db_result db_auth_challenge_fail(struct db *db, long long id);
enum db_result db_auth_challenge_delete(struct db *db, long long id);

#endif
