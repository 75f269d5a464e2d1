/*
 * Uploaded images: type by content (libmagic), dimensions from the headers,
 * truncated and oversized images refused, content-addressed storage with one
 * file and one row per content, the audit row, a busy database, and the
 * POST /api/media handler driven through a fake CGI request. The images are
 * built here byte by byte: a 1x1 PNG, GIF, baseline JPEG and lossless WebP
 * that real decoders open, and headers of other sizes for the size readers.
 */
#include "check.h"
#include "db.h"
#include "db_media.h"
#include "media.h"
#include "migrate.h"
#include "schema.h"

#include <dirent.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct buf img;

static void put32be(uint32_t v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};
	buf_put(&img, b, 4);
}

static void put16le(uint32_t v)
{
	unsigned char b[2] = {v & 0xff, v >> 8};
	buf_put(&img, b, 2);
}

static void put32le(uint32_t v)
{
	put16le(v & 0xffff);
	put16le(v >> 16);
}

static uint32_t crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffff;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffff;
}

static void png_chunk(const char *type, const unsigned char *data, size_t n)
{
	put32be((uint32_t)n);
	size_t at = img.len;
	buf_put(&img, type, 4);
	buf_put(&img, data, n);
	put32be(crc32((const unsigned char *)img.data + at, n + 4));
}

/* A grey w x h PNG, pixel data in a stored (uncompressed) zlib stream. */
static void make_png(uint32_t w, uint32_t h)
{
	buf_reset(&img);
	buf_put(&img, "\x89PNG\r\n\x1a\n", 8);
	unsigned char ihdr[13] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h, 8, 0};
	png_chunk("IHDR", ihdr, sizeof ihdr);
	size_t raw = w <= 64 && h <= 64 ? (size_t)h * (w + 1) : 1;
	unsigned char z[2 + 5 + 64 * 65 + 4] = {
	    0x78, 0x01, 0x01, raw & 0xff, raw >> 8, ~raw & 0xff, (~raw >> 8) & 0xff};
	uint32_t a = 1, b = 0; /* adler32 of raw zero bytes */
	for (size_t i = 0; i < raw; i++)
		b = (b + a) % 65521;
	uint32_t adler = b << 16 | a;
	unsigned char *t = z + 7 + raw;
	t[0] = adler >> 24, t[1] = adler >> 16, t[2] = adler >> 8, t[3] = adler;
	png_chunk("IDAT", z, 7 + raw + 4);
	png_chunk("IEND", NULL, 0);
}

/* A GIF89a with a w x h logical screen holding one 1x1 image. */
static void make_gif(unsigned w, unsigned h)
{
	buf_reset(&img);
	buf_puts(&img, "GIF89a");
	put16le(w);
	put16le(h);
	buf_put(&img,
	        "\x80\x00\x00"
	        "\x00\x00\x00\xff\xff\xff",
	        9);
	buf_put(&img, "\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00", 10);
	buf_put(&img, "\x02\x02\x44\x01\x00\x3b", 6); /* LZW: clear, 0, end */
}

/* A grey baseline JPEG (marker sof) of w x h; it decodes when w, h <= 8: one
 * block, DC difference 0, end of block, with one-code Huffman tables. */
static void make_jpeg(unsigned w, unsigned h, unsigned char sof)
{
	buf_reset(&img);
	buf_put(&img, "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
	buf_put(&img, "\xff\xdb\x00\x43\x00", 5);
	for (int i = 0; i < 64; i++)
		buf_putc(&img, 1);
	unsigned char frame[] = {0xff, sof, 0, 11, 8, h >> 8, h, w >> 8, w, 1, 1, 0x11, 0};
	buf_put(&img, frame, sizeof frame);
	for (int cls = 0; cls < 2; cls++) {
		unsigned char dht[] = {0xff, 0xc4, 0, 20, cls << 4, 1};
		buf_put(&img, dht, sizeof dht);
		for (int i = 0; i < 16; i++)
			buf_putc(&img, 0);
	}
	buf_put(&img, "\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00", 10);
	buf_put(&img, "\x3f\xff\xd9", 3);
}

static void riff(const char *chunks, size_t n)
{
	buf_reset(&img);
	buf_puts(&img, "RIFF");
	put32le((uint32_t)(4 + n));
	buf_puts(&img, "WEBP");
	buf_put(&img, chunks, n);
}

/* A 1x1 lossless WebP: VP8L header, then five one-symbol prefix codes. */
static const char vp8l_1x1[] = "VP8L\x08\x00\x00\x00\x2f\x00\x00\x00\x00\x88\x88\x08";

static void make_webp_lossless(void)
{
	riff(vp8l_1x1, sizeof vp8l_1x1 - 1);
}

/* Extended WebP: a VP8X canvas of w x h, then the 1x1 image. */
static void make_webp_extended(uint32_t w, uint32_t h)
{
	char c[18 + sizeof vp8l_1x1];
	w--, h--;
	memcpy(c, "VP8X\x0a\x00\x00\x00\x00\x00\x00\x00", 12);
	unsigned char dims[6] = {w, w >> 8, w >> 16, h, h >> 8, h >> 16};
	memcpy(c + 12, dims, 6);
	memcpy(c + 18, vp8l_1x1, sizeof vp8l_1x1 - 1);
	riff(c, 18 + sizeof vp8l_1x1 - 1);
}

/* Lossy WebP header only: frame tag, start code, 14-bit sizes (no data). */
static void make_webp_lossy(unsigned w, unsigned h)
{
	unsigned char c[18] = {'V',  'P',  '8',  ' ',  10,   0,        0,      0,        0x50,
	                       0x00, 0x00, 0x9d, 0x01, 0x2a, w & 0xff, w >> 8, h & 0xff, h >> 8};
	riff((const char *)c, sizeof c);
}

/* media_check on a copy of exactly len bytes (ASan sees any overread). */
static int check_n(const char *data, size_t len, struct media_info *out)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	int rc = media_check(copy, len, out);
	free(copy);
	return rc;
}

static int check_img(struct media_info *out)
{
	memset(out, 0, sizeof *out);
	return check_n(img.data, img.len, out);
}

static void expect(const char *what, const char *mime, int w, int h)
{
	struct media_info m;
	int rc = check_img(&m);
	CHECK(rc == 0);
	if (rc != 0) {
		fprintf(stderr, "  %s: media_check gave %d\n", what, rc);
		return;
	}
	CHECK_STR(m.mime, mime);
	CHECK(m.width == w && m.height == h);
	CHECK(m.bytes == (long long)img.len);
}

/* Every proper prefix of the current image is refused, none crashes. */
static void expect_prefixes_refused(const char *what)
{
	struct media_info m;
	int accepted = 0;
	for (size_t k = 0; k < img.len; k++)
		accepted += check_n(img.data, k, &m) == 0;
	CHECK(accepted == 0);
	if (accepted)
		fprintf(stderr, "  %s: %d truncated copies accepted\n", what, accepted);
}

static void test_types_and_sizes(void)
{
	make_png(1, 1);
	expect("png 1x1", "image/png", 1, 1);
	expect_prefixes_refused("png");
	make_png(20000, 3);
	expect("png 20000x3", "image/png", 20000, 3);
	make_gif(1, 1);
	expect("gif 1x1", "image/gif", 1, 1);
	expect_prefixes_refused("gif");
	make_gif(640, 480);
	expect("gif 640x480", "image/gif", 640, 480);
	make_jpeg(1, 1, 0xc0);
	expect("jpeg 1x1", "image/jpeg", 1, 1);
	expect_prefixes_refused("jpeg");
	make_jpeg(1920, 1080, 0xc2);
	expect("progressive jpeg", "image/jpeg", 1920, 1080);
	make_jpeg(3, 5, 0xc9);
	expect("arithmetic jpeg", "image/jpeg", 3, 5);
	make_webp_lossless();
	expect("webp lossless 1x1", "image/webp", 1, 1);
	expect_prefixes_refused("webp");
	make_webp_extended(20000, 300);
	expect("webp extended", "image/webp", 20000, 300);
	make_webp_lossy(640, 480);
	expect("webp lossy", "image/webp", 640, 480);

	const char *mime, *ext;
	make_jpeg(1, 1, 0xc0);
	CHECK(media_sniff(img.data, img.len, &mime, &ext) == 0);
	CHECK_STR(ext, "jpg");
	make_webp_lossless();
	CHECK(media_sniff(img.data, img.len, &mime, &ext) == 0);
	CHECK_STR(ext, "webp");
}

static void test_refused(void)
{
	struct media_info m;
	/* Not images, whatever a file name would say: 415. */
	static const char *texts[] = {
	    "just some text, saved as x.png\n",
	    "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
	    "<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
	    "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
	    "BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		CHECK(check_n(texts[i], strlen(texts[i]), &m) == 415);
	CHECK(check_n("", 0, &m) == 415);
	CHECK(check_n("\x89PNG", 4, &m) != 0);

	/* Images whose size is 0, over 20000 or unreadable: 422. */
	make_png(20001, 1);
	CHECK(check_img(&m) == 422);
	make_png(1, 20001);
	CHECK(check_img(&m) == 422);
	make_png(0x80000000u, 1);
	CHECK(check_img(&m) == 422);
	make_png(0xffffffffu, 0xffffffffu);
	CHECK(check_img(&m) == 422);
	make_png(0, 1);
	CHECK(check_img(&m) == 422);
	make_gif(0, 10);
	CHECK(check_img(&m) == 422);
	make_gif(65535, 10);
	CHECK(check_img(&m) == 422);
	make_jpeg(8, 0, 0xc0); /* height 0: "defined later by DNL", not for us */
	CHECK(check_img(&m) == 422);
	make_jpeg(30000, 8, 0xc0);
	CHECK(check_img(&m) == 422);
	make_webp_extended(20001, 1);
	CHECK(check_img(&m) == 422);
	make_webp_lossy(0, 5);
	CHECK(check_img(&m) == 422);

	/* A damaged IHDR: libmagic no longer calls it a PNG. */
	make_png(1, 1);
	img.data[8 + 3] = 14;
	CHECK(check_img(&m) == 415);
	/* Broken structure behind a good signature: 422. */
	make_png(1, 1);
	memcpy(img.data + img.len - 8, "IEnD", 4); /* no IEND */
	CHECK(check_img(&m) == 422);
	make_png(1, 1);
	img.data[33 + 0] = 0x7f; /* IDAT length far past the end */
	CHECK(check_img(&m) == 422);
	make_gif(1, 1);
	img.data[img.len - 1] = 0x00; /* no trailer */
	CHECK(check_img(&m) == 422);
	make_jpeg(1, 1, 0xc0);
	memcpy(img.data + img.len - 2, "\xff\xd8", 2); /* SOI instead of EOI */
	CHECK(check_img(&m) == 422);
	make_jpeg(1, 1, 0xc4); /* a DHT where the frame header should be */
	int rc = check_img(&m);
	CHECK(rc == 422);
	if (rc != 422)
		fprintf(stderr, "  jpeg without a frame header: %d (%dx%d)\n", rc, m.width,
		        m.height);
	make_webp_lossless();
	img.data[4] += 2; /* RIFF longer than the file */
	CHECK(check_img(&m) == 422);
	make_webp_lossless();
	img.data[12 + 4] = 9; /* chunk longer than the RIFF */
	CHECK(check_img(&m) == 422);
	make_webp_lossless();
	img.data[20] = 0x2e; /* no VP8L signature */
	CHECK(check_img(&m) == 422);

	/* Random damage: any answer but a crash, and never a silly size. */
	srand(7);
	int silly = 0;
	for (int round = 0; round < 20000; round++) {
		int kind = round % 4;
		if (kind == 0)
			make_png(3, 2);
		else if (kind == 1)
			make_gif(3, 2);
		else if (kind == 2)
			make_jpeg(3, 2, 0xc0);
		else
			make_webp_extended(3, 2);
		for (int k = rand() % 3 + 1; k > 0; k--)
			img.data[(size_t)rand() % img.len] = (char)rand();
		size_t len = rand() % 4 ? img.len : (size_t)rand() % img.len;
		memset(&m, 0, sizeof m);
		if (check_n(img.data, len, &m) == 0)
			silly += m.width < 1 || m.height < 1 || m.width > MEDIA_MAX_DIMENSION ||
			         m.height > MEDIA_MAX_DIMENSION;
	}
	CHECK(silly == 0);
}

static char dir[600];

static struct db *open_db(void)
{
	char path[700], err[300];
	snprintf(path, sizeof path, "%s/media.db", dir);
	struct db *db = db_open(path, DB_CREATE, err, sizeof err);
	if (!db || migrate_run(db, schema_files, schema_nfiles, NULL, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	sqlite3_exec(db->h,
	             "INSERT INTO users(id, username, role, password_hash, created_at, updated_at) "
	             "VALUES (7, 'ed', 'editor', 'x', 0, 0)",
	             NULL, NULL, NULL);
	return db;
}

static long long count(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Entries of a directory other than . and .. */
static int entries(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return d ? n : -1;
}

static bool file_is(const char *path, const char *data, size_t len, mode_t mode)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) != 0) {
		if (f)
			fclose(f);
		return false;
	}
	char *got = malloc(len + 1);
	size_t n = fread(got, 1, len + 1, f);
	fclose(f);
	bool same = n == len && !memcmp(got, data, len) && (st.st_mode & 07777) == mode;
	free(got);
	return same;
}

static void test_store(void)
{
	struct db *db = open_db();
	char media[700], sub[800], file[900];
	snprintf(media, sizeof media, "%s/media", dir);
	const struct auth_user ed = {7, "ed", "Ed", "editor", false};
	struct media_info m, again;

	/* A restrictive umask must not make uploads unreadable to nginx. */
	mode_t old = umask(077);
	make_png(1, 1);
	CHECK(media_store(db, media, img.data, img.len, &ed, "192.0.2.1", &m) == 201);
	umask(old);
	unsigned char h[32];
	char hex[65];
	crypto_hash_sha256(h, (const unsigned char *)img.data, img.len);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	char want[100];
	snprintf(want, sizeof want, "%.2s/%s.png", hex, hex);
	CHECK_STR(m.sha256, hex);
	CHECK_STR(m.path, want);
	CHECK(m.id > 0 && m.width == 1 && m.height == 1);
	snprintf(sub, sizeof sub, "%s/%.2s", media, hex);
	snprintf(file, sizeof file, "%s/%s", media, want);
	CHECK(file_is(file, img.data, img.len, 0644));
	struct stat st;
	CHECK(stat(sub, &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(stat(media, &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(entries(sub) == 1); /* no temporary file left behind */
	CHECK(count(db, "SELECT count(*) FROM media") == 1);
	CHECK(
	    count(db,
	          "SELECT count(*) FROM media WHERE created_by = 7 AND mime = 'image/png' "
	          "AND width = 1 AND height = 1 AND path = sha256 || '.png' OR path LIKE '__/%'") ==
	    1);
	CHECK(count(db, "SELECT bytes FROM media") == (long long)img.len &&
	      m.bytes == count(db, "SELECT bytes FROM media"));
	CHECK(count(db, "SELECT count(*) FROM audit_log WHERE user_id = 7 AND username = 'ed' "
	                "AND action = 'media.upload' AND object_type = 'media' AND address = "
	                "'192.0.2.1' AND object_id = (SELECT id FROM media)") == 1);

	/* The same bytes again: the same row, one file, nothing written. */
	CHECK(media_store(db, media, img.data, img.len, &ed, "192.0.2.1", &again) == 200);
	CHECK(again.id == m.id);
	CHECK_STR(again.path, m.path);
	CHECK(again.width == 1 && again.height == 1);
	CHECK(count(db, "SELECT count(*) FROM media") == 1);
	CHECK(count(db, "SELECT count(*) FROM audit_log") == 1);
	CHECK(entries(sub) == 1);
	/* A lost file comes back with the next upload of the same bytes. */
	unlink(file);
	CHECK(media_store(db, media, img.data, img.len, &ed, "192.0.2.1", &again) == 200);
	CHECK(file_is(file, img.data, img.len, 0644));

	/* Refusals change nothing. */
	const char text[] = "hello, I am x.png";
	CHECK(media_store(db, media, text, sizeof text - 1, &ed, "", &again) == 415);
	make_png(1, 1);
	CHECK(media_store(db, media, img.data, img.len - 1, &ed, "", &again) == 422);
	make_png(30000, 1);
	CHECK(media_store(db, media, img.data, img.len, &ed, "", &again) == 422);
	CHECK(count(db, "SELECT count(*) FROM media") == 1);
	CHECK(entries(media) == 1);

	/* Other types get their own extension; no user: created_by NULL. */
	make_webp_lossless();
	CHECK(media_store(db, media, img.data, img.len, NULL, "", &again) == 201);
	CHECK(again.id != m.id && strlen(again.path) == 3 + 64 + 5 &&
	      !strcmp(again.path + 67, ".webp"));
	make_jpeg(1, 1, 0xc0);
	CHECK(media_store(db, media, img.data, img.len, &ed, "", &again) == 201);
	CHECK(!strcmp(again.path + 67, ".jpg") && again.path[2] == '/' &&
	      !strncmp(again.path, again.sha256, 2));
	CHECK(count(db, "SELECT count(*) FROM media WHERE created_by IS NULL") == 1);

	/* A database locked by another writer: 503, no row. */
	char path[700], err[300];
	snprintf(path, sizeof path, "%s/media.db", dir);
	struct db *other = db_open(path, 0, err, sizeof err);
	CHECK(other && db_begin_write(other) == SQLITE_OK);
	sqlite3_busy_timeout(db->h, 50);
	make_gif(2, 2);
	CHECK(media_store(db, media, img.data, img.len, &ed, "", &again) == 503);
	db_rollback(other);
	db_close(other);
	CHECK(count(db, "SELECT count(*) FROM media") == 3);
	CHECK(media_store(db, media, img.data, img.len, &ed, "", &again) == 201);

	/* A media directory that cannot be created: 500. */
	make_gif(3, 3);
	CHECK(media_store(db, "/nonexistent/dir/media", img.data, img.len, &ed, "", &again) == 500);
	db_close(db);
}

/* ---- the handler, through a fake CGI request ---- */

static struct buf sent, in;
static size_t in_pos;

static int out_write(void *ctx, const char *src, int n)
{
	buf_put(&sent, src, (size_t)n);
	return n;
}

static int in_read(void *ctx, char *dst, int n)
{
	size_t left = in.len - in_pos, k = left < (size_t)n ? left : (size_t)n;
	memcpy(dst, in.data + in_pos, k);
	in_pos += k;
	return (int)k;
}

/* Runs POST /api/media with this Content-Type and body (Content-Length as
 * given, or the body's length when cl is NULL); returns the status. */
static int upload(struct app *app, const struct auth_user *user, const char *ct, const char *cl)
{
	char ctv[300], clv[64];
	snprintf(ctv, sizeof ctv, "CONTENT_TYPE=%s", ct);
	if (cl)
		snprintf(clv, sizeof clv, "CONTENT_LENGTH=%s", cl);
	else
		snprintf(clv, sizeof clv, "CONTENT_LENGTH=%zu", in.len);
	char *env[] = {"REQUEST_METHOD=POST",
	               "PATH_INFO=/api/media",
	               "SCRIPT_NAME=/news",
	               "REMOTE_ADDR=198.51.100.9",
	               ctv,
	               clv,
	               NULL};
	struct http_io io = {env, in_read, out_write, NULL};
	struct http_req req;
	buf_reset(&sent);
	in_pos = 0;
	arena_reset(&app->arena);
	if (http_req_init(&req, &io, &app->arena, &app->headers, &app->body, 1) != 0)
		return -1;
	req.user = user;
	api_media_upload(app, &req);
	http_finish(&req);
	int status = 0;
	sscanf(buf_cstr(&sent), "Status: %d", &status);
	return status;
}

static const char *answer(void)
{
	const char *b = strstr(buf_cstr(&sent), "\r\n\r\n");
	return b ? b + 4 : "";
}

#define FORM "multipart/form-data; boundary=--gz42"

/* A form body with one part (name, filename, data) into in. */
static void form(const char *name, const char *data, size_t len)
{
	buf_reset(&in);
	buf_printf(&in,
	           "----gz42\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nhi\r\n"
	           "----gz42\r\nContent-Disposition: form-data; name=\"%s\"; "
	           "filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n",
	           name);
	buf_put(&in, data, len);
	buf_puts(&in, "\r\n----gz42--\r\n");
}

static void test_handler(void)
{
	struct app app;
	memset(&app, 0, sizeof app);
	app.dbw = open_db();
	snprintf(app.media_dir, sizeof app.media_dir, "%s/media", dir);
	const struct auth_user ed = {7, "ed", "Ed", "editor", false};

	make_gif(4, 3);
	form("file", img.data, img.len);
	CHECK(upload(&app, &ed, FORM, NULL) == 201);
	const char *a = answer();
	CHECK(strstr(a, "\"url\":\"\\/news\\/media\\/") != NULL);
	CHECK(strstr(a, ".gif\"") != NULL);
	CHECK(strstr(a, "\"width\":4,\"height\":3") != NULL);
	long long id = 0;
	const char *idp = strstr(a, "\"id\":");
	CHECK(idp && sscanf(idp, "\"id\":%lld", &id) == 1 && id > 0);
	CHECK(strstr(buf_cstr(&sent), "Content-Type: application/json") != NULL);
	CHECK(count(app.dbw,
	            "SELECT count(*) FROM audit_log WHERE action = 'media.upload' AND "
	            "address = '198.51.100.9' AND object_id = (SELECT max(id) FROM media)") == 1);
	CHECK(upload(&app, &ed, FORM, NULL) == 200);
	long long id2 = 0;
	idp = strstr(answer(), "\"id\":");
	CHECK(idp && sscanf(idp, "\"id\":%lld", &id2) == 1 && id2 == id);

	long long rows = count(app.dbw, "SELECT count(*) FROM media");
	/* A text file called x.png, sent as image/png: 415. */
	form("file", "not an image\n", 13);
	CHECK(upload(&app, &ed, FORM, NULL) == 415);
	CHECK(strstr(answer(), "unsupported_media_type") != NULL);
	/* No field "file", an empty one, two of them: 422 naming the field. */
	form("image", img.data, img.len);
	CHECK(upload(&app, &ed, FORM, NULL) == 422);
	CHECK(strstr(answer(), "\"fields\":[\"file\"]") != NULL);
	form("file", "", 0);
	CHECK(upload(&app, &ed, FORM, NULL) == 422);
	form("file", img.data, img.len);
	buf_reset(&in);
	buf_printf(&in, "----gz42\r\nContent-Disposition: form-data; name=file\r\n\r\nA\r\n");
	buf_printf(&in, "----gz42\r\nContent-Disposition: form-data; name=file\r\n\r\nB\r\n");
	buf_puts(&in, "----gz42--");
	CHECK(upload(&app, &ed, FORM, NULL) == 422);
	/* A truncated image: 422 naming the field. */
	form("file", img.data, img.len - 1);
	CHECK(upload(&app, &ed, FORM, NULL) == 422);
	CHECK(strstr(answer(), "\"fields\":[\"file\"]") != NULL);
	/* Another request type: 415; a broken or truncated body: 400. */
	form("file", img.data, img.len);
	CHECK(upload(&app, &ed, "application/x-www-form-urlencoded", NULL) == 415);
	CHECK(upload(&app, &ed, "image/png", NULL) == 415);
	CHECK(upload(&app, &ed, "multipart/form-data", NULL) == 400);
	CHECK(upload(&app, &ed, "multipart/form-data; boundary=other", NULL) == 400);
	in.len -= 5;
	CHECK(upload(&app, &ed, FORM, NULL) == 400);
	/* Content-Length longer than the body that arrives: 400. */
	form("file", img.data, img.len);
	char cl[32];
	snprintf(cl, sizeof cl, "%zu", in.len + 10);
	CHECK(upload(&app, &ed, FORM, cl) == 400);
	/* Too large, refused before the body is read: 413. */
	snprintf(cl, sizeof cl, "%d", MEDIA_MAX_BYTES + 64 * 1024 + 1);
	CHECK(upload(&app, &ed, FORM, cl) == 413);
	CHECK(in_pos == 0);
	/* A body within the envelope whose file is over 10 MiB: 413. */
	char *huge = calloc(1, (size_t)MEDIA_MAX_BYTES + 1);
	memcpy(huge, img.data, img.len);
	form("file", huge, (size_t)MEDIA_MAX_BYTES + 1);
	free(huge);
	CHECK(upload(&app, &ed, FORM, NULL) == 413);
	/* No session: 401 (the route table checks first; this is the backstop). */
	form("file", img.data, img.len);
	CHECK(upload(&app, NULL, FORM, NULL) == 401);
	CHECK(count(app.dbw, "SELECT count(*) FROM media") == rows);

	db_close(app.dbw);
	buf_free(&app.headers);
	buf_free(&app.body);
	arena_free(&app.arena);
	buf_free(&in);
	buf_free(&sent);
}

int main(void)
{
	const char *tmp = getenv("GAZETTE_TESTTMP");
	char base[400];
	snprintf(base, sizeof base, "%s", tmp && *tmp ? tmp : "/tmp");
	mkdir(base, 0755);
	snprintf(dir, sizeof dir, "%s/test_media.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	test_types_and_sizes();
	test_refused();
	test_store();
	test_handler();
	buf_free(&img);
	char cmd[700];
	if (!check_failed) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_done("test_media");
}
