/* json_write: what cJSON_Parse reads back is the tree written, nothing in
 * the text can be read as markup, and for integers and strings the bytes are
 * those of cJSON's own printer with the markup characters escaped (what
 * json_send wrote before it had its own writer). */
#include "check.h"
#include "json.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static char *random_text(void)
{
	static const char *const pieces[] = {"a", "Z", " ", "<", ">", "&", "/", "\"", "\\", "\n",
					     "\t", "\x01", "\x1f", "\x7f", "中文", "é", "</script>",
					     "\\u0000", "'", "\r\b\f"};
	char *s = xcalloc(1, 256);
	int n = (int)rnd(12);
	for (int i = 0; i < n; i++)
		strcat(s, pieces[rnd(sizeof pieces / sizeof pieces[0])]);
	return s;
}

static cJSON *random_value(int depth, int fractions)
{
	char *t;
	cJSON *v, *c;
	switch (depth > 3 ? rnd(5) : rnd(7)) {
	case 0: return cJSON_CreateNull();
	case 1: return cJSON_CreateBool(rnd(2));
	case 2: {
		/* The last two print exactly here, in exponent form from cJSON
		 * (its 15 digits): compared by value only (fractions mode). */
		static const double ints[] = {0, 1, -1, 42, 1732000000, 2147483648.0, -2147483649.0,
					      9007199254740991.0, -9007199254740991.0};
		size_t n = sizeof ints / sizeof ints[0] - (fractions ? 0 : 2);
		double d = ints[rnd((unsigned)n)];
		if (fractions && rnd(2))
			d = (double)(int)rnd(100000) / 7.0 - 3000.5;
		return cJSON_CreateNumber(d);
	}
	case 3:
	case 4:
		t = random_text();
		v = cJSON_CreateString(t);
		free(t);
		return v;
	case 5:
		v = cJSON_CreateArray();
		for (int i = (int)rnd(4); i > 0; i--)
			cJSON_AddItemToArray(v, random_value(depth + 1, fractions));
		return v;
	default:
		v = cJSON_CreateObject();
		for (int i = (int)rnd(4); i > 0; i--) {
			t = random_text();
			c = random_value(depth + 1, fractions);
			if (cJSON_GetObjectItemCaseSensitive(v, t))
				cJSON_Delete(c); /* keys stay unique, as ours are */
			else
				cJSON_AddItemToObject(v, t, c);
			free(t);
		}
		return v;
	}
}

/* The old way: cJSON's printer, then the markup characters escaped. */
static void old_way(struct buf *out, const cJSON *v)
{
	char *text = cJSON_PrintUnformatted(v);
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case '<': buf_puts(out, "\\u003c"); break;
		case '>': buf_puts(out, "\\u003e"); break;
		case '&': buf_puts(out, "\\u0026"); break;
		case '/': buf_puts(out, "\\/"); break;
		default: buf_putc(out, *p);
		}
	}
	cJSON_free(text);
}

/* buf_int against printf, at the edges and at random. */
static void test_int(void)
{
	long long edges[] = {0, 1, -1, 9, 10, -10, 99, 100, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1};
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		unsigned shift = rnd(63); /* and rng, this file's generator, moves on */
		long long v = i < (int)(sizeof edges / sizeof edges[0]) ? edges[i]
									 : (long long)rng >> shift;
		char want[32];
		snprintf(want, sizeof want, "%lld", v);
		struct buf out = BUF_INIT;
		buf_int(&out, v);
		if (strcmp(buf_cstr(&out), want))
			bad++;
		buf_free(&out);
	}
	CHECK(bad == 0);
}

int main(void)
{
	int roundtrip_bad = 0, markup = 0, differ = 0;
	for (int i = 0; i < 20000; i++) {
		int fractions = i % 2;
		cJSON *v = random_value(0, fractions);
		struct buf out = BUF_INIT, old = BUF_INIT;
		json_write(&out, v);
		const char *text = buf_cstr(&out);
		cJSON *back = cJSON_Parse(text);
		if (!back || !cJSON_Compare(v, back, 1))
			roundtrip_bad++;
		for (const char *p = text; *p; p++)
			if (*p == '<' || *p == '>' || *p == '&' || (unsigned char)*p < 0x20 ||
			    (*p == '/' && (p == text || p[-1] != '\\')))
				markup++;
		if (!fractions) {
			old_way(&old, v);
			if (strcmp(text, buf_cstr(&old)) != 0 && differ++ == 0)
				fprintf(stderr, "new: %s\nold: %s\n", text, buf_cstr(&old));
		}
		cJSON_Delete(back);
		cJSON_Delete(v);
		buf_free(&out);
		buf_free(&old);
	}
	CHECK(roundtrip_bad == 0);
	CHECK(markup == 0);
	CHECK(differ == 0);

	struct buf out = BUF_INIT;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", 12);
	cJSON_AddNumberToObject(o, "views", 1234567890123.0);
	cJSON_AddNumberToObject(o, "half", 0.5);
	cJSON_AddStringToObject(o, "t", "</script>");
	json_write(&out, o);
	CHECK_STR(buf_cstr(&out),
		  "{\"id\":12,\"views\":1234567890123,\"half\":0.5,\"t\":\"\\u003c\\/script\\u003e\"}");
	cJSON_Delete(o);
	buf_free(&out);
	test_int();
	return check_done("test_json");
}
