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
};

struct db_session {
	long long id, user_id;
	const char *username, *display_name, *role;
	unsigned char csrf[32];
	long long last_seen_at;
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
/* Deletes every session of a user except keep (0: all). */
enum db_result db_auth_sessions_revoke(struct db *db, long long user_id, long long keep);
/* One audit_log row of a web action. */
enum db_result db_auth_audit(struct db *db, long long user_id, const char *username,
			     const char *action, const char *object_type, long long object_id,
			     const char *detail, const char *address, long long now);

#endif
