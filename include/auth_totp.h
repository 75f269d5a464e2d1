/*
 * The second login factor of the credentials module: enrolling in TOTP
 * (totp.h), confirming with a first code, recovery codes, turning it off
 * (the user with a proof, or an admin), the check of a code at login
 * (auth.c calls it), and the admins' enrolment requirement.
 *
 * Secrets at rest: the TOTP secret is sealed with crypto_secretbox under a
 * key derived from the session key file beside the database (auth_subkey),
 * so a dump of the database alone reveals no secret; recovery codes are
 * stored as keyed BLAKE2b hashes (crypto_generichash with another derived
 * key) of the user id and the code. A lost key file makes every secret
 * and recovery code unreadable: back it up with the database.
 *
 * Every change (enable, disable, reset) writes an audit entry in the same
 * transaction. Functions return auth_result codes (auth.h).
 */
#ifndef GAZETTE_AUTH_TOTP_H
#define GAZETTE_AUTH_TOTP_H

#include "auth.h"
#include "totp.h"

struct db;

/* Where a user stands (My account, GET /api/session/totp). */
struct auth_totp_state {
	bool enabled;            /* confirmed: logins need a code */
	bool pending;            /* enrolment started, no code typed back yet */
	long long since;         /* when it was confirmed */
	long long recovery_left; /* unused recovery codes */
};

/* user_id's state, read on the read-only connection. */
enum auth_result auth_totp_state(struct app *app, long long user_id, struct auth_totp_state *st);

/*
 * Starts (or starts again) req->user's enrolment: a fresh 20-byte secret
 * (randombytes_buf), sealed and stored as pending; its base32 text goes to
 * secret. A pending secret guards nothing until auth_totp_confirm.
 * AUTH_CONFLICT when the second factor is already on.
 */
enum auth_result auth_totp_begin(struct app *app, struct http_req *req,
                                 char secret[TOTP_BASE32_SECRET + 1]);

/* The pending secret of req->user in base32, to show (text and QR code)
 * until it is confirmed. AUTH_CONFLICT when nothing is pending. */
enum auth_result auth_totp_pending(struct app *app, struct http_req *req,
                                   char secret[TOTP_BASE32_SECRET + 1]);

/*
 * Confirms the pending enrolment with a code from the app: from then on
 * logins need a code. Writes TOTP_RECOVERY_COUNT fresh recovery codes to
 * codes (shown once; only their hashes are stored). AUTH_CODE_WRONG for a
 * wrong code, AUTH_CONFLICT when nothing is pending.
 */
enum auth_result auth_totp_confirm(struct app *app, struct http_req *req, const char *code,
                                   char codes[TOTP_RECOVERY_COUNT][TOTP_RECOVERY_SHOWN]);

/* Drops req->user's pending enrolment. AUTH_CONFLICT when none is. */
enum auth_result auth_totp_cancel(struct app *app, struct http_req *req);

/*
 * Turns off req->user's second factor. Needs a proof that the person at
 * the keyboard is the user, not just their session: a current code (or a
 * recovery code) when code is not empty, else their password. A wrong
 * proof is AUTH_DENIED / AUTH_CODE_WRONG / AUTH_CODE_REUSED and counts as
 * a failed login (AUTH_THROTTLED with *retry_after when over the limit).
 * AUTH_CONFLICT when it is not on.
 */
enum auth_result auth_totp_disable(struct app *app, struct http_req *req, const char *code,
                                   const char *password, long long *retry_after);

/* An admin turns off user_id's second factor (a lost phone): AUTH_OK
 * (also when there was none), AUTH_NOT_FOUND, AUTH_CONFLICT for the
 * admin's own account (which needs a proof: auth_totp_disable). */
enum auth_result auth_totp_reset(struct app *app, struct http_req *req, long long user_id);

/*
 * For auth.c, inside its write transaction on w: checks code for user_id,
 * a TOTP code (moving last_step on, so it is not accepted again) or an
 * unused recovery code (spending it). AUTH_OK with *how = "totp" or
 * "recovery code"; AUTH_CODE_WRONG, AUTH_CODE_REUSED; AUTH_BUSY/ERROR.
 */
enum auth_result auth_totp_check(struct app *app, struct db *w, long long user_id, const char *code,
                                 long long now, const char **how);

/* True when u must enrol before doing anything else: an admin without a
 * second factor while the setting require_2fa_admins is 1. */
bool auth_must_enrol(const struct app *app, const struct auth_user *u);

/*
 * The front line's check (app_guard): a user who must enrol may use only
 * My account (where enrolment is), the session routes and logout. Any
 * other page answers 303 to /editor/account?enrol=1, any other API route
 * 403 second_factor_enrolment_required. Returns 0 to go on, or -1 when it
 * answered.
 */
int auth_totp_gate(struct app *app, struct http_req *req);

#endif
