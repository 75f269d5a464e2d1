/*
 * libFuzzer harness for the image size readers of src/media.c (PNG, GIF,
 * JPEG, WebP). The first input byte picks the type, the rest is the image,
 * copied into a buffer of exactly its length so a read one byte too far is
 * an ASan error. libmagic is not involved: the readers must be safe on any
 * bytes, whatever libmagic would have said.
 *
 * Run: fuzz/run.sh SECONDS media. The seeds (fuzz/corpus/media) are small
 * images, each prefixed by its type byte (0 PNG, 1 GIF, 2 JPEG, 3 WebP).
 */
#include "media.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *types[] = {"image/png", "image/gif", "image/jpeg", "image/webp"};
	if (size < 1)
		return 0;
	const char *mime = types[data[0] % 4];
	size_t len = size - 1;
	unsigned char *img = malloc(len ? len : 1);
	if (!img)
		return 0;
	memcpy(img, data + 1, len);
	unsigned long w, h;
	if (media_dimensions(mime, img, len, &w, &h) == 0 && (w > 0xffffffffUL || h > 0xffffffffUL))
		abort();
	free(img);
	return 0;
}
