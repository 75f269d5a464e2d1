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
 */
enum auth_result auth_login(struct app *app, struct http_req *req, const char *username,
			    const char *password, size_t pwlen, long long *retry_after);

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

#endif
