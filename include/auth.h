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

#endif
