/*
 * Uploaded images (SPEC §4 POST /api/media, §5 image upload): the only code
 * that decides whether bytes are an image we accept and that writes files
 * under the media directory. The type comes from the content (libmagic),
 * never from a file name or a client's Content-Type; the dimensions come
 * from the image's own headers, read with bounded parsers; files are named
 * by their SHA-256, so the same bytes are stored once.
 */
#ifndef GAZETTE_MEDIA_H
#define GAZETTE_MEDIA_H

#include "app.h"
#include "auth.h"
#include "db.h"
#include "http.h"

#include <stddef.h>

enum {
	MEDIA_MAX_BYTES = 10 * 1024 * 1024, /* one image */
	MEDIA_MAX_DIMENSION = 20000,        /* pixels, width and height */
};

/* An image as stored: the media row and where its file is. */
struct media_info {
	long long id;    /* media.id; 0 until stored */
	char sha256[65]; /* lower-case hex of the content's SHA-256 */
	char path[96];   /* "ab/<sha256>.<ext>", relative to the media directory */
	char mime[32];   /* "image/png" … */
	int width, height;
	long long bytes;
};

/*
 * The type of data by its content: libmagic (loaded once per process) must
 * name image/jpeg, image/png, image/gif or image/webp. Returns 0 with *mime
 * and *ext ("jpg", "png", "gif", "webp"; static strings), 415 for anything
 * else, 500 when libmagic cannot be loaded (logged).
 */
int media_sniff(const char *data, size_t len, const char **mime, const char **ext);

/*
 * Reads width and height of an image of type mime from its own headers and
 * walks its structure to the end marker (PNG IEND, GIF trailer, JPEG EOI,
 * WebP RIFF chunks), never past data + len. Returns 0, or -1 when the image
 * is truncated, malformed or not of that type. Dimensions are not range
 * checked here.
 */
int media_dimensions(const char *mime, const unsigned char *data, size_t len, unsigned long *width,
                     unsigned long *height);

/*
 * Checks that data is an image we accept and fills out's mime, width,
 * height and bytes. Returns 0; 415 when the content is not JPEG, PNG, GIF
 * or WebP; 422 when it claims to be one but its dimensions cannot be read
 * (truncated, malformed) or are 0 or above MEDIA_MAX_DIMENSION; 413 above
 * MEDIA_MAX_BYTES; 500 when libmagic is unusable.
 */
int media_check(const char *data, size_t len, struct media_info *out);

/*
 * Stores an uploaded image: checks it (media_check), writes it as
 * <media_dir>/ab/<sha256>.<ext> (directories 0755, file 0644; written to a
 * temporary file in the same directory, fsynced, renamed, directory
 * fsynced, so a crash never leaves a partial file under the final name),
 * then in one write transaction inserts the media row and an audit_log row
 * ("media.upload" by user from address; user may be NULL). The same bytes
 * a second time find the existing row and change nothing.
 * Returns 201 (new row, out filled), 200 (known image, out is the existing
 * row), 413, 415, 422 (see media_check), 503 when the database stayed busy
 * (answer with Retry-After), 500 on an I/O or database error (logged).
 */
int media_store(struct db *w, const char *media_dir, const char *data, size_t len,
                const struct auth_user *user, const char *address, struct media_info *out);

/*
 * POST /api/media: multipart/form-data with one part `file` holding the
 * image, at most MEDIA_MAX_BYTES plus a 64 KiB envelope. Answers 201 or
 * 200 with {"id","url","width","height"} (url under <base>/media/); 400 for
 * a malformed body, 401 without req->user, 413, 415 (another request type
 * or not an accepted image), 422 with fields ["file"] (no file, an empty
 * one, several, or unreadable dimensions), 503 with Retry-After. The route
 * table requires a session and the CSRF token before this runs.
 */
void api_media_upload(struct app *app, struct http_req *req);

#endif
