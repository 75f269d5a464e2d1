/*
 * Deployment settings (SPEC §2): where the database and uploads live, how the
 * worker pool listens, the public URL, HTTPS, the upload limit, logging and
 * the reverse proxies whose forwarding headers are believed. Three layers,
 * each overriding the one before: an INI file (--config FILE or
 * GAZETTE_CONFIG, parsed with libinih), the environment (GAZETTE_DB, ...),
 * then command-line flags. This module only reads and checks settings; the
 * programs decide what to do with them.
 *
 * Keys, their variables and flags:
 *   db              GAZETTE_DB               --db
 *   data_dir        GAZETTE_DATA             --data
 *   templates       GAZETTE_TEMPLATES        --templates
 *   listen          GAZETTE_LISTEN           --listen
 *   workers         GAZETTE_WORKERS          --workers
 *   base_url        GAZETTE_BASE_URL         --base-url
 *   https           GAZETTE_HTTPS            --https
 *   upload_max      GAZETTE_UPLOAD_MAX       --upload-max
 *   log_level       GAZETTE_LOG_LEVEL        --log-level
 *   trusted_proxies GAZETTE_TRUSTED_PROXIES  --trusted-proxies
 *   user            GAZETTE_USER             --user      (sandbox.h)
 *   sandbox         GAZETTE_SANDBOX          --sandbox   on|off (sandbox.h)
 */
#ifndef GAZETTE_CONFIG_H
#define GAZETTE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum {
	CONFIG_PATH_MAX = 1024,
	CONFIG_URL_MAX = 256,
	CONFIG_MAX_PROXIES = 64,
	CONFIG_WORKERS_MAX = 256,
};

enum config_https {
	CONFIG_HTTPS_AUTO, /* the server's HTTPS variable says (default) */
	CONFIG_HTTPS_ON,   /* every request came over HTTPS (TLS ends before the server) */
};

enum config_log {
	CONFIG_LOG_ERROR, /* errors only */
	CONFIG_LOG_INFO,  /* errors and notices (default) */
};

/* An address range of trusted_proxies: IPv4 is kept IPv4-mapped (::ffff:a.b.c.d). */
struct config_net {
	unsigned char addr[16];
	unsigned bits; /* prefix length over the 128-bit form */
};

struct config {
	char db[CONFIG_PATH_MAX];        /* "" until set; then <data_dir>/gazette.db by default */
	char data_dir[CONFIG_PATH_MAX];  /* "" when not set */
	char media_dir[CONFIG_PATH_MAX]; /* config_finish: <data_dir>/media, else beside db */
	char pages_dir[CONFIG_PATH_MAX]; /* page files (keeper.h): like media_dir, "pages";
					    "" when set to "off" */
	bool pages_off;
	char templates[CONFIG_PATH_MAX]; /* "" when not set */
	char listen[CONFIG_PATH_MAX];    /* "" when not set */
	char base_url[CONFIG_URL_MAX];   /* "https://host[:port][/path]" without '/' at the end */
	int workers;                     /* 0 when not set */
	enum config_https https;
	size_t upload_max; /* bytes of one uploaded image */
	enum config_log log_level;
	struct config_net proxies[CONFIG_MAX_PROXIES];
	size_t nproxies;
	char user[65]; /* the account a pool started as root becomes; "" when not set */
	bool sandbox;  /* the pool's seccomp filters (default on) */
};

/* Fills c with the defaults: nothing set, https auto, upload_max the media
 * module's ceiling (MEDIA_MAX_BYTES), log level info, no trusted proxies,
 * sandbox on. */
void config_init(struct config *c);

/*
 * Sets one key (the file's spelling: "workers", "base_url", ...) from text.
 * Returns 0, or -1 with a message in err that names the key but no source
 * ("workers must be a number from 1 to 256"); c is unchanged then.
 */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);

/*
 * Reads an INI file: key = value lines, optionally under a [gazette]
 * section; ';' or '#' comments. Unknown keys or sections, repeated keys
 * (except trusted_proxies, which adds), relative paths, bad values and
 * syntax errors are refused. Returns 0, or -1 with "NAME:LINE: what" (or
 * "NAME: what" when it cannot be read) in err. name is how messages call the
 * file; config_load_stream reads from f, which the caller closes.
 */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
int config_load_stream(struct config *c, const char *name, FILE *f, char *err, size_t errlen);

/* Applies the GAZETTE_* variables that are set and not empty. Returns 0, or
 * -1 with "GAZETTE_WORKERS: what" in err. */
int config_env(struct config *c, char *err, size_t errlen);

/* The key a long option sets ("--base-url" -> "base_url"), or NULL. */
const char *config_flag_key(const char *flag);

/* Derives what was not given: db from data_dir, media_dir from data_dir or
 * from the directory of db. Call once after the layers are applied. */
void config_finish(struct config *c);

/* Whether the numeric address addr (IPv4 or IPv6) is in trusted_proxies. */
bool config_trusted(const struct config *c, const char *addr);

/*
 * The client's address for a request that came from peer (REMOTE_ADDR).
 * Only when peer is a trusted proxy are the forwarding headers believed:
 * X-Forwarded-For is read from the right, skipping trusted proxies, up to
 * the first address that is not one (or the last valid one); without it,
 * X-Real-IP. Anything malformed stops the walk. Returns peer, or the
 * address written to out (canonical text form).
 */
const char *config_client_addr(const struct config *c, const char *peer, const char *xff,
                               const char *xrealip, char *out, size_t outlen);

#endif
