/*
 * libFuzzer harness for the multipart/form-data parser. The input's first
 * line (up to LF, at most 200 bytes) is the Content-Type header; the rest is
 * the body, copied into a buffer of exactly its length so that a read one
 * byte too far is an ASan error. A parsed form is checked for the parser's
 * promises: at most 16 parts, each with a non-empty name and data inside
 * the body.
 *
 * Run: fuzz/run.sh SECONDS multipart (seeds in fuzz/corpus/multipart).
 */
#include "multipart.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena arena;
	char ct[201];
	const uint8_t *nl = memchr(data, '\n', size < 200 ? size : 200);
	size_t ctlen = nl ? (size_t)(nl - data) : 0;
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	size_t off = nl ? ctlen + 1 : 0;
	size_t len = size - off;
	char *body = malloc(len ? len : 1);
	if (!body)
		return 0;
	memcpy(body, data + off, len);

	struct multipart_part *parts;
	size_t n;
	int rc = multipart_parse(&arena, nl ? ct : "multipart/form-data; boundary=b", body, len,
	                         &parts, &n);
	if (rc != 0 && rc != 400 && rc != 415)
		abort();
	if (rc == 0) {
		if (n > MULTIPART_MAX_PARTS)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (!parts[i].name || !parts[i].name[0])
				abort();
			if (parts[i].data < body || parts[i].len > len ||
			    parts[i].data + parts[i].len > body + len)
				abort();
			/* touch every byte the parser says is ours */
			volatile char sink = 0;
			for (size_t j = 0; j < parts[i].len; j++)
				sink ^= parts[i].data[j];
			(void)sink;
		}
	}
	free(body);
	arena_reset(&arena);
	return 0;
}
