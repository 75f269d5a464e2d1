/*
 * Who is asking: editor sessions and logins. The credentials module of
 * Gazette — everything that touches a password, a session token or a CSRF
 * token is in auth*.c, so reviewing those files reviews them all.
 */
#ifndef GAZETTE_AUTH_H
#define GAZETTE_AUTH_H

#include <stdbool.h>
#include <stddef.h>

/* The logged-in user of a request (req->user), or NULL for a visitor. */
struct auth_user {
	long long id;
	const char *username;
	const char *display_name;
	const char *role; /* "editor" | "admin" */
	bool totp;        /* logs in with a second factor (auth_totp.h) */
};

/* Name of the session cookie. */
#define AUTH_COOKIE "gz_session"

struct app;
struct http_req;

enum auth_result {
	AUTH_OK,
	AUTH_DENIED,    /* wrong name or password, or no live session */
	AUTH_THROTTLED, /* too many failures: 429 with Retry-After */
	AUTH_BUSY,      /* the database stayed locked: 503 */
	AUTH_ERROR,     /* logged: 500 */
	/* The second factor (auth_totp.h): */
	AUTH_SECOND_FACTOR, /* password right, the account needs a code too: no session yet */
	AUTH_CODE_WRONG,    /* the code (or recovery code) is wrong: counted as a failed login */
	AUTH_CODE_REUSED,   /* the code was right for a step already used: counted as failed */
	AUTH_CONFLICT,      /* not in the state the call needs (already enrolled, none pending) */
	AUTH_NOT_FOUND,     /* no such user */
};

/* Limits, from the environment at start (tests shorten the window). */
struct auth_limits {
	long long idle;         /* a session unused this long ends (2 h; GAZETTE_SESSION_IDLE) */
	long long absolute;     /* a session ends this long after login (12 h) */
	long long window;       /* failures count for this long (15 min; GAZETTE_LOGIN_WINDOW) */
	long long max_per_name; /* failures of one account before 429 (5) */
	long long max_per_addr; /* failures from one address before 429 (100) */
};
extern struct auth_limits auth_limits;

/* Reads GAZETTE_LOGIN_WINDOW etc. and initialises libsodium; call once per
 * process before serving. Returns 0 or -1. */
int auth_init(void);

/*
 * Checks username and password and, on success, starts a session: sets the
 * cookie header on req and fills req->user, req->csrf_token. Unknown users,
 * disabled users and wrong passwords all cost one Argon2id verification
 * and give AUTH_DENIED. Throttled accounts or addresses get AUTH_THROTTLED
 * with *retry_after seconds, even with the right password.
 *
 * An account with a second factor needs code too (a TOTP code or a
 * recovery code; NULL or "" for none): without one the answer is
 * AUTH_SECOND_FACTOR and no session, and when challenge is not NULL a
 * login challenge is created and its token (64 hex digits) written there
 * for auth_login_code. A wrong or reused code is AUTH_CODE_WRONG or
 * AUTH_CODE_REUSED and counts as a failed login of the account.
 */
enum auth_result auth_login(struct app *app, struct http_req *req, const char *username,
			    const char *password, size_t pwlen, const char *code,
			    char challenge[65], long long *retry_after);

/*
 * The second step of a browser login: the code typed for the challenge
 * auth_login created. AUTH_OK starts the session as auth_login does.
 * AUTH_CODE_WRONG / AUTH_CODE_REUSED: try again with the same challenge
 * (counted as failed logins); AUTH_DENIED: the challenge is unknown,
 * expired (5 minutes) or died of its fifth wrong code: log in again.
 * AUTH_THROTTLED as for auth_login.
 */
enum auth_result auth_login_code(struct app *app, struct http_req *req, const char *challenge,
				 const char *code, long long *retry_after);

/* Resolves the session cookie, if any, into req->user and req->csrf_token.
 * AUTH_OK with req->user NULL means: no (live) session. */
enum auth_result auth_session(struct app *app, struct http_req *req);

/* True when token is this session's CSRF token (constant-time compare). */
bool auth_csrf_ok(const struct http_req *req, const char *token);

/* Ends the request's session and clears the cookie. */
enum auth_result auth_logout(struct app *app, struct http_req *req);

/*
 * Changes a user's password (already checked acceptable) and revokes their
 * sessions except keep_session (0: all). Runs in the caller's write
 * transaction on the writable connection.
 */
enum auth_result auth_set_password(struct app *app, long long user_id, const char *password,
				   size_t len, long long keep_session);

/*
 * For the rest of the credentials module (auth_totp.c): a 32-byte key for
 * purpose id derived (crypto_kdf) from the session key file beside the
 * database, so what it protects cannot be read from a copy of the
 * database alone. Returns false (logged) when the key file is unusable.
 */
bool auth_subkey(const char *db_path, unsigned long long id, unsigned char out[32]);

/* For the rest of the credentials module: AUTH_THROTTLED with
 * *retry_after when name or addr failed too often within the window, else
 * AUTH_OK (or the database's trouble). */
struct db;
enum auth_result auth_throttled(struct db *w, const char *name, const char *addr, long long now,
				long long *retry_after);

/* The keyed hash (session key) of a 32-byte token, as sessions and login
 * challenges store it. False when the key file is unusable. */
bool auth_token_hash(const char *db_path, const unsigned char token[32], unsigned char out[32]);

#endif
