/*
 * The credentials module: hashing and checking passwords with libsodium's
 * crypto_pwhash_str (Argon2id). The CLI uses it to set passwords, the web
 * login to check them. Plaintext passwords never leave the caller's buffer;
 * callers wipe them with sodium_memzero() when done.
 */
#ifndef GAZETTE_AUTH_PASSWORD_H
#define GAZETTE_AUTH_PASSWORD_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

enum {
	AUTH_PASSWORD_MIN_CHARS = 12,   /* characters (code points), SPEC §7 */
	AUTH_PASSWORD_MAX_BYTES = 1024, /* bounds the work a login can ask for */
};

/*
 * Hashes pw[0..len) into out as a NUL-terminated crypto_pwhash_str string
 * (algorithm, limits and salt included). Does not check acceptability.
 * Returns 0, or -1 when libsodium cannot initialise or runs out of memory.
 */
int auth_password_hash(const char *pw, size_t len, char out[crypto_pwhash_STRBYTES]);

/*
 * True when pw[0..len) matches hash (a crypto_pwhash_str string). False for
 * a wrong password, a malformed hash or a password longer than
 * AUTH_PASSWORD_MAX_BYTES. Takes one Argon2id computation (~0.1 s, 64 MiB).
 */
bool auth_password_verify(const char *hash, const char *pw, size_t len);

/* True when hash was made with other parameters than the current ones (or
 * is not a valid hash): the login should store a fresh hash. */
bool auth_password_needs_rehash(const char *hash);

/*
 * True when pw[0..len) may become a password: valid UTF-8 without NUL, at
 * least AUTH_PASSWORD_MIN_CHARS characters, at most AUTH_PASSWORD_MAX_BYTES
 * bytes. Otherwise sets *why (if why) to a static English sentence.
 */
bool auth_password_acceptable(const char *pw, size_t len, const char **why);

#endif
