/*
 * libFuzzer harness for the settings file parser (src/config.c over
 * libinih) and the forwarded-address walk. The input is read as a settings
 * file through a FILE of exactly its bytes; a file that loads must leave
 * settings the parser promises (bounded strings, workers in range, upload
 * limit within the media ceiling, base URL without a trailing slash). The
 * same bytes, cut at the first NUL, are then tried as X-Forwarded-For and
 * X-Real-IP behind a trusted peer: the answer is the peer or an address.
 *
 * Run: fuzz/run.sh SECONDS config (seeds in fuzz/corpus/config).
 */
#include "config.h"
#include "media.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';

	static struct config c;
	char err[600];
	config_init(&c);
	FILE *f = fmemopen(copy, size ? size : 1, "r");
	if (f) {
		if (size == 0)
			getc(f); /* an empty file: fmemopen wants a size of at least 1 */
		if (config_load_stream(&c, "fuzz.ini", f, err, sizeof err) == 0) {
			config_finish(&c);
			if (strnlen(c.db, sizeof c.db) == sizeof c.db ||
			    strnlen(c.media_dir, sizeof c.media_dir) == sizeof c.media_dir ||
			    strnlen(c.base_url, sizeof c.base_url) == sizeof c.base_url)
				abort();
			if (c.workers < 0 || c.workers > CONFIG_WORKERS_MAX)
				abort();
			if (c.upload_max < 1024 || c.upload_max > MEDIA_MAX_BYTES)
				abort();
			size_t n = strlen(c.base_url);
			if (n && c.base_url[n - 1] == '/')
				abort();
			if (c.nproxies > CONFIG_MAX_PROXIES)
				abort();
		} else if (!err[0] || !memchr(err, '\0', sizeof err)) {
			abort(); /* a refusal always says why */
		}
		fclose(f);
	}

	struct config t;
	config_init(&t);
	config_set(&t, "trusted_proxies", "127.0.0.0/8 ::1 10.0.0.0/8", err, sizeof err);
	char out[64];
	const char *addr = config_client_addr(&t, "127.0.0.1", copy, copy, out, sizeof out);
	unsigned char bin[16];
	if (strcmp(addr, "127.0.0.1") && inet_pton(AF_INET, addr, bin) != 1 &&
	    inet_pton(AF_INET6, addr, bin) != 1)
		abort();
	free(copy);
	return 0;
}
