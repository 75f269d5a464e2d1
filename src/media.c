/*
 * Image checks and content-addressed storage. Everything here reads bytes a
 * client sent: each parser below checks the room left before every read,
 * with the subtraction on the side that cannot wrap (`len - p < need`).
 */
#include "db_auth.h"
#include "db_media.h"
#include "log.h"
#include "media.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <magic.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The types we accept: what libmagic names them, their file extension. */
static const struct {
	const char *mime, *ext;
} media_types[] = {
    {"image/jpeg", "jpg"},
    {"image/png", "png"},
    {"image/gif", "gif"},
    {"image/webp", "webp"},
};

/* libmagic looks at the start of a file only; a bounded prefix keeps it
 * from spending time on the rest of a 10 MiB upload. */
enum { SNIFF_BYTES = 64 * 1024 };

static uint32_t be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | le24(p);
}

int media_sniff(const char *data, size_t len, const char **mime, const char **ext)
{
	static magic_t cookie;
	static bool failed;
	if (!cookie && !failed) {
		/* Only the magic database's patterns: the built-in checks
		 * (compressed files, tar, ELF, CDF, JSON, CSV, text encodings)
		 * recognise no image and are more parser code run on hostile
		 * bytes. */
		cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_BUILTIN);
		if (!cookie || magic_load(cookie, NULL) != 0) {
			log_error("libmagic: cannot load its database: %s",
			          cookie ? magic_error(cookie) : "magic_open failed");
			if (cookie)
				magic_close(cookie);
			cookie = NULL;
			failed = true;
		}
	}
	if (!cookie)
		return 500;
	const char *m = magic_buffer(cookie, data, len < SNIFF_BYTES ? len : SNIFF_BYTES);
	for (size_t i = 0; m && i < sizeof media_types / sizeof media_types[0]; i++) {
		if (!strcmp(m, media_types[i].mime)) {
			*mime = media_types[i].mime;
			*ext = media_types[i].ext;
			return 0;
		}
	}
	return 415;
}

/* PNG: signature, IHDR first, then chunks up to IEND with an IDAT on the way. */
static int png_size(const unsigned char *d, size_t n, unsigned long *w, unsigned long *h)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (n < 8 + 8 + 13 + 4 || memcmp(d, sig, 8) != 0 || be32(d + 8) != 13 ||
	    memcmp(d + 12, "IHDR", 4) != 0)
		return -1;
	*w = be32(d + 16);
	*h = be32(d + 20);
	bool idat = false;
	for (size_t p = 8;;) {
		if (n - p < 12)
			return -1;
		uint32_t clen = be32(d + p);
		if (clen > n - p - 12)
			return -1;
		const unsigned char *type = d + p + 4;
		p += 12 + (size_t)clen;
		if (!memcmp(type, "IDAT", 4))
			idat = true;
		if (!memcmp(type, "IEND", 4))
			return idat ? 0 : -1;
	}
}

/* GIF sub-blocks from *p: size bytes and data up to an empty block. */
static int gif_skip_blocks(const unsigned char *d, size_t n, size_t *p)
{
	for (;;) {
		if (*p >= n)
			return -1;
		size_t sz = d[(*p)++];
		if (!sz)
			return 0;
		if (sz > n - *p)
			return -1;
		*p += sz;
	}
}

/* GIF: header, logical screen, blocks up to the trailer with one image. */
static int gif_size(const unsigned char *d, size_t n, unsigned long *w, unsigned long *h)
{
	if (n < 13 || (memcmp(d, "GIF87a", 6) != 0 && memcmp(d, "GIF89a", 6) != 0))
		return -1;
	*w = le16(d + 6);
	*h = le16(d + 8);
	size_t p = 13, table = d[10] & 0x80 ? 3u * (2u << (d[10] & 7)) : 0;
	if (table > n - p)
		return -1;
	p += table;
	int images = 0;
	for (;;) {
		if (p >= n)
			return -1;
		unsigned char b = d[p++];
		if (b == 0x3b)
			return images ? 0 : -1;
		if (b == 0x21) { /* extension: label, sub-blocks */
			if (p >= n)
				return -1;
			p++;
		} else if (b == 0x2c) { /* image: descriptor, local table, LZW size */
			if (n - p < 9)
				return -1;
			unsigned char flags = d[p + 8];
			p += 9;
			table = flags & 0x80 ? 3u * (2u << (flags & 7)) : 0;
			if (table >= n - p)
				return -1;
			p += table + 1;
			images++;
		} else {
			return -1;
		}
		if (gif_skip_blocks(d, n, &p))
			return -1;
	}
}

/* SOF0-3, 5-7, 9-11, 13-15: the frame headers, which carry the size
 * (C4 DHT, C8 JPG and CC DAC share the range but are not frames). */
static bool jpeg_is_sof(unsigned char m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* JPEG: segments from SOI to the first SOS (a frame header on the way),
 * then scans and segments to EOI. */
static int jpeg_size(const unsigned char *d, size_t n, unsigned long *w, unsigned long *h)
{
	if (n < 4 || d[0] != 0xff || d[1] != 0xd8)
		return -1;
	bool sof = false;
	size_t p = 2;
	for (;;) {
		if (p >= n || d[p] != 0xff)
			return -1;
		while (p < n && d[p] == 0xff) /* fill bytes */
			p++;
		if (p >= n)
			return -1;
		unsigned char m = d[p++];
		if (m == 0x01)
			continue; /* TEM: no length */
		if (m == 0x00 || m == 0xd8 || m == 0xd9 || (m >= 0xd0 && m <= 0xd7))
			return -1; /* nothing of this belongs before the first scan */
		if (n - p < 2)
			return -1;
		size_t seg = be16(d + p);
		if (seg < 2 || seg > n - p)
			return -1;
		if (jpeg_is_sof(m) && !sof) {
			if (seg < 8)
				return -1;
			*h = be16(d + p + 3);
			*w = be16(d + p + 5);
			sof = true;
		}
		p += seg;
		if (m == 0xda)
			break;
	}
	if (!sof)
		return -1;
	/* Entropy-coded data: 0xFF is stuffed as FF 00; FF D0-D7 are restart
	 * markers; any other marker is a segment between scans; FF D9 ends. */
	while (p < n) {
		const unsigned char *ff = memchr(d + p, 0xff, n - p);
		if (!ff)
			return -1;
		size_t i = (size_t)(ff - d);
		if (n - i < 2)
			return -1;
		unsigned char m = d[i + 1];
		if (m == 0xd9)
			return 0;
		if (m == 0xff) {
			p = i + 1;
		} else if (m == 0x00 || (m >= 0xd0 && m <= 0xd7)) {
			p = i + 2;
		} else {
			if (n - i - 2 < 2)
				return -1;
			size_t seg = be16(d + i + 2);
			if (seg < 2 || seg > n - i - 2)
				return -1;
			p = i + 2 + seg;
		}
	}
	return -1;
}

/* WebP: a RIFF container whose chunks fit it exactly; the first chunk is
 * VP8 (lossy), VP8L (lossless) or VP8X (extended, followed by image data). */
static int webp_size(const unsigned char *d, size_t n, unsigned long *w, unsigned long *h)
{
	if (n < 20 || memcmp(d, "RIFF", 4) != 0 || memcmp(d + 8, "WEBP", 4) != 0)
		return -1;
	size_t riff = le32(d + 4);
	if (riff < 12 || riff > n - 8)
		return -1; /* the container says more than arrived: truncated */
	size_t end = 8 + riff, p = 12;
	bool first = true, image = false;
	while (p < end) {
		if (end - p < 8)
			return -1;
		const unsigned char *tag = d + p;
		size_t sz = le32(d + p + 4);
		if (sz > end - p - 8)
			return -1;
		const unsigned char *c = d + p + 8;
		bool vp8 = !memcmp(tag, "VP8 ", 4), vp8l = !memcmp(tag, "VP8L", 4);
		if (first) {
			if (vp8) {
				/* frame tag (keyframe bit clear), start code, 14-bit sizes */
				if (sz < 10 || (c[0] & 1) || c[3] != 0x9d || c[4] != 0x01 ||
				    c[5] != 0x2a)
					return -1;
				*w = le16(c + 6) & 0x3fff;
				*h = le16(c + 8) & 0x3fff;
			} else if (vp8l) {
				/* signature, then width-1 and height-1 in 14 bits each */
				if (sz < 5 || c[0] != 0x2f || (c[4] >> 5) != 0)
					return -1;
				uint32_t bits = le32(c + 1);
				*w = (bits & 0x3fff) + 1;
				*h = ((bits >> 14) & 0x3fff) + 1;
			} else if (!memcmp(tag, "VP8X", 4)) {
				if (sz < 10)
					return -1;
				*w = le24(c + 4) + 1;
				*h = le24(c + 7) + 1;
			} else {
				return -1;
			}
			first = false;
		}
		if (vp8 || vp8l || !memcmp(tag, "ANMF", 4))
			image = true;
		p += 8 + sz;
		if (sz & 1) {
			if (p == end)
				break; /* the last chunk's pad byte: tolerated when absent */
			p++;
		}
	}
	return image ? 0 : -1;
}

int media_dimensions(const char *mime, const unsigned char *data, size_t len, unsigned long *width,
                     unsigned long *height)
{
	*width = *height = 0;
	if (!strcmp(mime, "image/png"))
		return png_size(data, len, width, height);
	if (!strcmp(mime, "image/gif"))
		return gif_size(data, len, width, height);
	if (!strcmp(mime, "image/jpeg"))
		return jpeg_size(data, len, width, height);
	if (!strcmp(mime, "image/webp"))
		return webp_size(data, len, width, height);
	return -1;
}

int media_check(const char *data, size_t len, struct media_info *out)
{
	if (len > MEDIA_MAX_BYTES)
		return 413;
	const char *mime, *ext;
	int rc = media_sniff(data, len, &mime, &ext);
	if (rc)
		return rc;
	unsigned long w, h;
	/* Why: a file that claims an image type but whose size we cannot read
	 * is truncated or crafted; and a huge canvas in a small file is a
	 * decompression bomb for every browser and thumbnailer that opens it. */
	if (media_dimensions(mime, (const unsigned char *)data, len, &w, &h) != 0 || w == 0 ||
	    h == 0 || w > MEDIA_MAX_DIMENSION || h > MEDIA_MAX_DIMENSION)
		return 422;
	snprintf(out->mime, sizeof out->mime, "%s", mime);
	out->width = (int)w;
	out->height = (int)h;
	out->bytes = (long long)len;
	return 0;
}

/* Creates dir (mode 0755 whatever the umask) unless it exists; *created
 * says whether it did. */
static int ensure_dir(const char *dir, bool *created)
{
	*created = false;
	if (mkdir(dir, 0755) == 0) {
		*created = true;
		return chmod(dir, 0755);
	}
	struct stat st;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return -1;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Writes data as media_dir/rel (rel = "ab/<name>") durably: temporary file
 * in the same directory, fsync, rename, fsync of the directory (and of
 * media_dir when ab/ is new). A file already there with the same length is
 * kept: names are content hashes and only a completed rename creates one.
 */
static int write_file(const char *media_dir, const char *rel, const char *data, size_t len)
{
	char dir[PATH_MAX], final[PATH_MAX], tmp[PATH_MAX];
	if ((size_t)snprintf(dir, sizeof dir, "%s/%.2s", media_dir, rel) >= sizeof dir ||
	    (size_t)snprintf(final, sizeof final, "%s/%s", media_dir, rel) >= sizeof final ||
	    (size_t)snprintf(tmp, sizeof tmp, "%s/.upload-XXXXXX", dir) >= sizeof tmp) {
		log_error("media: path too long under %s", media_dir);
		return -1;
	}
	bool made_top, made_dir;
	if (ensure_dir(media_dir, &made_top) != 0 || ensure_dir(dir, &made_dir) != 0) {
		log_error("media: cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(final, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
		return 0;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		log_error("media: cannot create a file in %s: %s", dir, strerror(errno));
		return -1;
	}
	const char *step = "write";
	if (fchmod(fd, 0644) != 0 || write_all(fd, data, len) != 0)
		goto fail;
	step = "fsync";
	if (fsync(fd) != 0)
		goto fail;
	step = "close";
	int rc = close(fd);
	fd = -1;
	if (rc != 0)
		goto fail;
	step = "rename";
	if (rename(tmp, final) != 0)
		goto fail;
	if (fsync_dir(dir) != 0 || (made_dir && fsync_dir(media_dir) != 0)) {
		log_error("media: cannot fsync the directory of %s: %s", final, strerror(errno));
		return -1;
	}
	return 0;
fail:
	log_error("media: cannot %s %s: %s", step, tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

static enum db_result insert_row(struct db *w, struct media_info *out, const struct auth_user *user,
                                 const char *address)
{
	long long now = (long long)time(NULL), uid = user ? user->id : 0;
	enum db_result r = db_media_insert(w, out, now, uid, &out->id);
	if (r != DB_OK)
		return r;
	char detail[160];
	snprintf(detail, sizeof detail, "%s %s %dx%d %lld bytes", out->path, out->mime, out->width,
	         out->height, out->bytes);
	return db_auth_audit(w, uid, user ? user->username : "", "media.upload", "media", out->id,
	                     detail, address, now);
}

static int db_status(enum db_result r)
{
	return r == DB_BUSY ? 503 : 500;
}

int media_store(struct db *w, const char *media_dir, const char *data, size_t len,
                const struct auth_user *user, const char *address, struct media_info *out)
{
	memset(out, 0, sizeof *out);
	int rc = media_check(data, len, out);
	if (rc)
		return rc;
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(hash, (const unsigned char *)data, len);
	sodium_bin2hex(out->sha256, sizeof out->sha256, hash, sizeof hash);
	const char *ext = strchr(out->mime, '/') + 1;
	if (!strcmp(ext, "jpeg"))
		ext = "jpg";
	snprintf(out->path, sizeof out->path, "%.2s/%s.%s", out->sha256, out->sha256, ext);

	/* The file first, the row after: a crash in between leaves at worst
	 * an unreferenced file, never a row without its file. */
	if (write_file(media_dir, out->path, data, len) != 0)
		return 500;
	struct media_info known;
	enum db_result r = db_media_by_sha256(w, out->sha256, &known);
	if (r == DB_OK) {
		*out = known;
		return 200;
	}
	if (r != DB_NOTFOUND)
		return db_status(r);

	int src = db_begin_write(w);
	if (src != SQLITE_OK)
		return db_is_busy(src) ? 503 : 500;
	/* Another worker may have stored the same bytes since the look-up:
	 * the write lock is ours now, so this answer holds. */
	r = db_media_by_sha256(w, out->sha256, &known);
	if (r == DB_OK) {
		db_rollback(w);
		*out = known;
		return 200;
	}
	if (r == DB_NOTFOUND)
		r = insert_row(w, out, user, address);
	if (r != DB_OK) {
		db_rollback(w);
		return db_status(r);
	}
	src = db_commit(w);
	if (src != SQLITE_OK) {
		db_rollback(w);
		log_error("media: commit failed: %s", sqlite3_errstr(src));
		return db_is_busy(src) ? 503 : 500;
	}
	return 201;
}
