/*
 * One-time codes for the second login factor: HOTP (RFC 4226) and TOTP
 * (RFC 6238) with HMAC-SHA1 from Nettle, base32 (RFC 4648) for
 * the secret people type into an authenticator app, the parser of a code
 * as people type it, and the recovery codes. Pure functions of their
 * arguments (no database, no clock): auth_totp.c keeps the state.
 *
 * SHA1 because every authenticator app supports it; HMAC-SHA1 as a PRF for
 * HOTP is not weakened by SHA1's collision attacks.
 */
#ifndef GAZETTE_TOTP_H
#define GAZETTE_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	TOTP_SECRET_BYTES = 20,     /* 160 bits, RFC 4226's recommended key length */
	TOTP_DIGITS = 6,            /* what authenticator apps show */
	TOTP_STEP = 30,             /* seconds per code */
	TOTP_WINDOW = 1,            /* steps accepted either side of now: clock drift */
	TOTP_CODE_MAX_CHARS = 32,   /* longest typed code we look at */
	TOTP_BASE32_SECRET = 32,    /* characters of a 20-byte secret in base32 */
	TOTP_RECOVERY_COUNT = 10,   /* recovery codes given at enrolment */
	TOTP_RECOVERY_SYMBOLS = 10, /* 50 bits each; shown as xxxxx-xxxxx */
	TOTP_RECOVERY_SHOWN = TOTP_RECOVERY_SYMBOLS + 2, /* with the dash and NUL */
};

/* Checks the HMAC against RFC 4226's first test vector, once, before a
 * process confines itself (sandbox.h). Returns 0, or -1. */
int totp_init(void);

/*
 * HOTP(key, counter) with digits decimal digits (6 to 8): HMAC-SHA1 of the
 * counter as 8 big-endian bytes, dynamic truncation, modulo 10^digits.
 * Returns the code (print it with %0*ld), or -1 when digits is out of
 * range.
 */
long totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits);

/* The time step of Unix time t (t / TOTP_STEP, T0 = 0); -1 for t < 0. */
long long totp_step(long long t);

/* TOTP at Unix time t: totp_hotp(key, totp_step(t), digits). */
long totp_at(const unsigned char *key, size_t keylen, long long t, int digits);

enum totp_check {
	TOTP_MATCH,  /* code is right for a step after last_step: *step is it */
	TOTP_WRONG,  /* code matches no step of the window */
	TOTP_REUSED, /* code matches only steps <= last_step: already used */
};

/*
 * Checks code (as parsed by totp_parse_code) against the steps of now
 * +- TOTP_WINDOW. A step at or before last_step is refused as reused, so
 * one code logs in once (RFC 6238 §5.2). On TOTP_MATCH *step is the latest
 * matching step, which the caller stores as the new last_step. Every step
 * of the window is computed whatever matches, so the time taken does not
 * say which one did.
 */
enum totp_check totp_verify(const unsigned char *key, size_t keylen, long code, int digits,
                            long long now, long long last_step, long long *step);

/*
 * A code as a person types it: exactly digits decimal digits, spaces
 * anywhere ignored ("123 456"), at most TOTP_CODE_MAX_CHARS characters.
 * Returns true with *code set; false for anything else (letters, signs,
 * too few or too many digits, NULL).
 */
bool totp_parse_code(const char *s, int digits, long *code);

/* Characters (without NUL) that totp_base32_encode writes for n bytes. */
size_t totp_base32_len(size_t n, bool pad);

/*
 * RFC 4648 base32 of in[0..n) into out (upper case A-Z2-7), with '='
 * padding to a multiple of 8 when pad. Returns the length written (out
 * is NUL-terminated), or 0 with out = "" when outlen is too small; n = 0
 * gives "".
 */
size_t totp_base32_encode(const unsigned char *in, size_t n, bool pad, char *out, size_t outlen);

/*
 * Decodes RFC 4648 base32 text (either case; '=' padding optional, but when
 * present only at the end and to a multiple of 8) into out. Refuses text
 * that no encoder writes: other characters, a length that leaves 1, 3 or
 * 6 symbols in the last group, non-zero bits after the last byte. Returns
 * the byte count, or -1 (refused, or more than outmax bytes).
 */
long totp_base32_decode(const char *s, unsigned char *out, size_t outmax);

/* A fresh recovery code "xxxxx-xxxxx" of Crockford base32 symbols
 * (0-9, a-z without i, l, o, u) from libsodium's randombytes. */
void totp_recovery_new(char out[TOTP_RECOVERY_SHOWN]);

/*
 * A typed recovery code in canonical form (10 lower-case symbols, no dash)
 * for hashing: spaces and dashes dropped, upper case folded, and the
 * Crockford look-alikes read as meant (i, l -> 1; o -> 0). Returns false
 * for anything that is not 10 symbols then, or longer than
 * TOTP_CODE_MAX_CHARS.
 */
bool totp_recovery_normalize(const char *s, char out[TOTP_RECOVERY_SYMBOLS + 1]);

struct arena;

/*
 * The Key URI an authenticator app reads from the QR code:
 * otpauth://totp/ISSUER:USER?secret=BASE32&issuer=ISSUER&algorithm=SHA1
 * &digits=6&period=30, issuer and user percent-encoded. In the arena.
 */
const char *totp_uri(struct arena *a, const char *issuer, const char *username,
                     const char *secret_b32);

/*
 * text as a QR code (libqrencode, error correction M) drawn as an inline
 * SVG: one dark path on a white square with a 4-module quiet zone, sized
 * by the CSS; label is the accessible name (escaped here). In the arena,
 * or NULL when text does not fit a QR code.
 */
const char *totp_qr_svg(struct arena *a, const char *text, const char *label);

#endif
