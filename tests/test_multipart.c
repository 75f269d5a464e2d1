/* The multipart/form-data parser: what it accepts, everything it refuses,
 * and that no prefix or mutation of a body makes it read outside the body
 * (each body is copied into a buffer of exactly its length, so ASan sees
 * one byte too far). */
#include "check.h"
#include "multipart.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CT "multipart/form-data; boundary=XyZ"

static struct arena arena;
static struct multipart_part *parts;
static size_t nparts;
static char *copy; /* the parsed body: parts point into it until the next parse */

/* Parses a copy of len bytes of body held in a buffer of exactly len bytes. */
static int parse_n(const char *ct, const char *body, size_t len)
{
	free(copy);
	copy = malloc(len ? len : 1);
	memcpy(copy, body, len);
	arena_reset(&arena);
	return multipart_parse(&arena, ct, copy, len, &parts, &nparts);
}

#define PARSE(ct, lit) parse_n(ct, lit, sizeof lit - 1)

static bool data_is(const struct multipart_part *p, const char *want, size_t n)
{
	return p && p->len == n && memcmp(p->data, want, n) == 0;
}

/* A form with a text field and a binary file whose data holds NUL, CR, LF,
 * "--" and a near-miss of the boundary. */
static const char good[] = "--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"title\"\r\n"
                           "\r\n"
                           "Hello\r\n"
                           "--XyZ\r\n"
                           "content-disposition: FORM-DATA; filename=\"a b.png\"; name=file\r\n"
                           "Content-Type:  image/png  \r\n"
                           "X-Other: ignored\r\n"
                           "\r\n"
                           "\x89PNG\0\r\n--Xy\r\n-XyZ\n--XyZ\r\r\n"
                           "--XyZ--\r\n"
                           "epilogue";
static const char good_file[] = "\x89PNG\0\r\n--Xy\r\n-XyZ\n--XyZ\r";

static void test_good(void)
{
	CHECK(PARSE(CT, good) == 0);
	CHECK(nparts == 2);
	if (nparts != 2)
		return;
	CHECK_STR(parts[0].name, "title");
	CHECK(parts[0].filename == NULL);
	CHECK(parts[0].content_type == NULL);
	CHECK(data_is(&parts[0], "Hello", 5));
	CHECK_STR(parts[1].name, "file");
	CHECK_STR(parts[1].filename, "a b.png");
	CHECK_STR(parts[1].content_type, "image/png");
	CHECK(data_is(&parts[1], good_file, sizeof good_file - 1));
	CHECK(multipart_find(parts, nparts, "file") == &parts[1]);
	CHECK(multipart_find(parts, nparts, "nope") == NULL);
	CHECK(multipart_count(parts, nparts, "title") == 1);
}

static void test_content_types(void)
{
	CHECK(PARSE("Multipart/Form-Data;BOUNDARY=XyZ", good) == 0);
	CHECK(PARSE("multipart/form-data ; charset=utf-8; boundary=\"XyZ\"", good) == 0);
	CHECK(PARSE("multipart/form-data; boundary=\"a b'()+_,-./:=?\"",
	            "--a b'()+_,-./:=?\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n"
	            "--a b'()+_,-./:=?--") == 0);
	CHECK(nparts == 1 && data_is(&parts[0], "1", 1));
	/* 70 characters is the longest boundary RFC 2046 allows. */
	char ct[200], body[300];
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%070d", 7);
	snprintf(body, sizeof body,
	         "--%070d\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--%070d--", 7, 7);
	CHECK(parse_n(ct, body, strlen(body)) == 0);
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%071d", 7);
	snprintf(body, sizeof body,
	         "--%071d\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--%071d--", 7, 7);
	CHECK(parse_n(ct, body, strlen(body)) == 400);

	/* Another type: 415. */
	CHECK(PARSE(NULL, good) == 415);
	CHECK(PARSE("", good) == 415);
	CHECK(PARSE("application/x-www-form-urlencoded", good) == 415);
	CHECK(PARSE("multipart/form-dataX; boundary=XyZ", good) == 415);
	CHECK(PARSE("multipart/mixed; boundary=XyZ", good) == 415);
	/* A broken boundary parameter: 400. */
	CHECK(PARSE("multipart/form-data", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary=", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary=\"\"", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary=\"XyZ", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary=\"XyZ\"junk", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary=\"XyZ \"", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary=X<Z", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary=Xy\xc3\xa9", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary=XyZ; boundary=XyZ", good) == 400);
	CHECK(PARSE("multipart/form-data; =XyZ", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary XyZ", good) == 400);
	CHECK(PARSE("multipart/form-data; boundary=XyZ;", good) == 400);
	CHECK(PARSE("multipart/form-data boundary=XyZ", good) == 400);
}

static void test_bodies_accepted(void)
{
	/* Preamble, transport padding after a boundary, epilogue. */
	CHECK(PARSE(CT, "preamble --XyZ\r\n--XyZ \t\r\nContent-Disposition: form-data; name=a\r\n"
	                "\r\nA\r\n--XyZ--  trailing") == 0);
	CHECK(nparts == 1 && data_is(&parts[0], "A", 1));
	/* No parts at all. */
	CHECK(PARSE(CT, "--XyZ--") == 0);
	CHECK(nparts == 0);
	/* An empty value, written both ways RFC 2046 allows. */
	CHECK(PARSE(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ\r\n"
	                "Content-Disposition: form-data; name=b\r\n\r\n--XyZ--") == 0);
	CHECK(nparts == 2 && parts[0].len == 0 && parts[1].len == 0);
	/* Browsers' escapes in quoted names; a backslash is just a byte. */
	CHECK(PARSE(CT,
	            "--XyZ\r\nContent-Disposition: form-data; name=\"a%22b%0A\"; "
	            "filename=\"C:\\dir\\x.png\"; filename*=UTF-8''x\r\n\r\n1\r\n--XyZ--") == 0);
	CHECK(nparts == 1);
	if (nparts == 1) {
		CHECK_STR(parts[0].name, "a\"b\n");
		CHECK_STR(parts[0].filename, "C:\\dir\\x.png");
	}
	/* UTF-8 names. */
	CHECK(PARSE(CT, "--XyZ\r\nContent-Disposition: form-data; name=\"\xe6\xa0\x87\"\r\n\r\n"
	                "1\r\n--XyZ--") == 0);
	/* Header lines of exactly 1 KiB are fine. */
	char body[2048];
	int n = snprintf(body, sizeof body,
	                 "--XyZ\r\nContent-Disposition: form-data; name=a\r\nX-Pad: %*s\r\n\r\n"
	                 "1\r\n--XyZ--",
	                 MULTIPART_MAX_HEADER_LINE - 7, "p");
	CHECK(parse_n(CT, body, (size_t)n) == 0);
	n = snprintf(body, sizeof body,
	             "--XyZ\r\nContent-Disposition: form-data; name=a\r\nX-Pad: %*s\r\n\r\n"
	             "1\r\n--XyZ--",
	             MULTIPART_MAX_HEADER_LINE - 6, "p");
	CHECK(parse_n(CT, body, (size_t)n) == 400);
}

static void test_bodies_refused(void)
{
	static const char *bad[] = {
	    "",
	    "--XyZ",
	    "no delimiter at all",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nA",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--XyZ",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--XyZ-",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--XyZ\r\n",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n",
	    "--XyZ\r\n\r\nno headers\r\n--XyZ--",
	    "--XyZ\r\nContent-Type: text/plain\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; filename=x\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"b\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; filename=x; filename=y\r\n\r\n"
	    "A\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; "
	    "name=b\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: x\r\n"
	    "Content-Type: y\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a;\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data name=a\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"\xff\"\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition : form-data; name=a\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition form-data; name=a\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\n: form-data; name=a\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\nContent-Disposition: form-data; name=a\n\nA\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\x1b\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n--XyZ\r\n\r\nA\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--XyZzz\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--XyZ x\r\n--XyZ--",
	    "--XyZx\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--XyZ--",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse_n(CT, bad[i], strlen(bad[i]));
		CHECK(rc == 400);
		if (rc != 400)
			fprintf(stderr, "  case %zu gave %d\n", i, rc);
	}
	/* A NUL byte inside a header line. */
	CHECK(PARSE(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\0b\r\n\r\nA\r\n--XyZ--") ==
	      400);
	/* Header lines over 1 KiB and a header block that never ends. */
	static char big[8192];
	int n = snprintf(big, sizeof big, "--XyZ\r\nContent-Disposition: form-data; name=a\r\nX: ");
	memset(big + n, 'x', sizeof big - (size_t)n);
	CHECK(parse_n(CT, big, sizeof big) == 400);
}

static void test_part_limit(void)
{
	char body[4096];
	size_t len = 0;
	for (int i = 0; i < MULTIPART_MAX_PARTS; i++)
		len += (size_t)snprintf(body + len, sizeof body - len,
		                        "--XyZ\r\nContent-Disposition: form-data; name=f%d\r\n\r\n"
		                        "%d\r\n",
		                        i, i);
	memcpy(body + len, "--XyZ--", 7);
	CHECK(parse_n(CT, body, len + 7) == 0);
	CHECK(nparts == MULTIPART_MAX_PARTS);
	if (nparts == MULTIPART_MAX_PARTS)
		CHECK_STR(parts[15].name, "f15");
	len += (size_t)snprintf(body + len, sizeof body - len,
	                        "--XyZ\r\nContent-Disposition: form-data; name=g\r\n\r\n1\r\n");
	memcpy(body + len, "--XyZ--", 7);
	CHECK(parse_n(CT, body, len + 7) == 400);
}

/* Every prefix of a valid body is refused, or (once the closing delimiter is
 * in) parses to the same parts. */
static void test_every_prefix(void)
{
	size_t full = sizeof good - 1;
	size_t closed = (size_t)((const char *)memmem(good, full, "\r\n--XyZ--", 9) - good) + 9;
	int bad = 0;
	for (size_t k = 0; k <= full; k++) {
		int rc = parse_n(CT, good, k);
		bool ok = k >= closed ? rc == 0 && nparts == 2 &&
		                            data_is(&parts[1], good_file, sizeof good_file - 1)
		                      : rc == 400;
		if (!ok) {
			fprintf(stderr, "  prefix of %zu bytes gave %d\n", k, rc);
			bad++;
		}
	}
	CHECK(bad == 0);
}

/* Random corruption: whatever the answer, parts lie inside the body. */
static void test_mutations(void)
{
	static const char alphabet[] = "-\r\n\"; =:XyZ\0a";
	size_t len = sizeof good - 1;
	char body[sizeof good];
	srand(12345);
	int escaped = 0, accepted = 0;
	for (int round = 0; round < 20000; round++) {
		memcpy(body, good, len);
		for (int m = rand() % 4 + 1; m > 0; m--)
			body[(size_t)rand() % len] = alphabet[rand() % (int)(sizeof alphabet - 1)];
		size_t cut = rand() % 3 ? len : (size_t)rand() % len;
		int rc =
		    parse_n(rand() % 8 ? CT : "multipart/form-data; boundary=\"X\"", body, cut);
		if (rc != 0) {
			escaped += rc != 400 && rc != 415;
			continue;
		}
		accepted++;
		for (size_t i = 0; i < nparts; i++)
			escaped += !parts[i].name[0] || parts[i].len > cut;
	}
	CHECK(escaped == 0);
	CHECK(accepted > 0);
}

int main(void)
{
	test_content_types();
	test_bodies_refused();
	test_part_limit();
	test_every_prefix();
	test_mutations();
	test_good();
	test_bodies_accepted();
	free(copy);
	arena_free(&arena);
	return check_done("test_multipart");
}
