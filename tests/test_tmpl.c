/* The template engine: escaping, lookup rules, sections, includes, and
 * every parse error with its line number. */
#include "check.h"
#include "tmpl.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Renders text as template "t" with data given as JSON; returns a malloc'ed
 * copy of the output, or of "ERR:" and the parse error, or "FAIL" when
 * rendering failed. */
static char *run(const char *text, const char *json)
{
	struct tmpl_set *set = NULL;
	char err[256] = "";
	if (tmpl_set_add(&set, "t", text, strlen(text), err, sizeof err) != 0) {
		CHECK(set == NULL);
		char *r = xmalloc(strlen(err) + 5);
		sprintf(r, "ERR:%s", err);
		return r;
	}
	cJSON *data = json ? cJSON_Parse(json) : NULL;
	CHECK(!json || data);
	struct buf out = BUF_INIT;
	char *r = xstrdup(tmpl_render(set, "t", data, &out) == 0 ? buf_cstr(&out) : "FAIL");
	buf_free(&out);
	cJSON_Delete(data);
	tmpl_set_free(set);
	return r;
}

#define RUN(text, json, want)                                                                      \
	do {                                                                                       \
		char *got_ = run(text, json);                                                      \
		CHECK_STR(got_, want);                                                             \
		free(got_);                                                                        \
	} while (0)

static void test_values(void)
{
	RUN("<p>{{x}}</p>", "{\"x\":\"<a href=\\\"u\\\">'&amp;</a>\"}",
	    "<p>&lt;a href=&quot;u&quot;&gt;&#39;&amp;amp;&lt;/a&gt;</p>");
	RUN("<a title=\"{{x}}\">", "{\"x\":\"\\\" onmouseover='alert(1)'\"}",
	    "<a title=\"&quot; onmouseover=&#39;alert(1)&#39;\">");
	RUN("{{{x}}}", "{\"x\":\"<b>bold</b> & 'q'\"}", "<b>bold</b> & 'q'");
	RUN("[{{missing}}][{{{missing}}}][{{a.b.c}}]", "{}", "[][][]");
	RUN("[{{x}}]", NULL, "[]");
	RUN("[{{.}}]", NULL, "[]");
	RUN("{{n}} {{m}} {{f}} {{z}} {{neg}} {{big}} {{tenth}}",
	    "{\"n\":12.0,\"m\":12,\"f\":2.5,\"z\":0,\"neg\":-3,\"big\":1e20,\"tenth\":0.1}",
	    "12 12 2.5 0 -3 1e+20 0.1");
	RUN("[{{t}}][{{f}}][{{nul}}][{{arr}}][{{obj}}]",
	    "{\"t\":true,\"f\":false,\"nul\":null,\"arr\":[1],\"obj\":{\"a\":1}}", "[][][][][]");
	RUN("{{ name }}|{{\tname\t}}|{{{ name }}}|{{\nname\n}}", "{\"name\":\"N\"}", "N|N|N|N");
	RUN("{{site.name}} {{site.owner.email}}",
	    "{\"site\":{\"name\":\"Gazette\",\"owner\":{\"email\":\"a@b\"}}}", "Gazette a@b");
	/* A dotted name into a non-object is missing, not a crash. */
	RUN("[{{s.x}}][{{a.x}}][{{n.x.y}}]", "{\"s\":\"str\",\"a\":[1],\"n\":null}", "[][][]");
	RUN("中文 {{t}}", "{\"t\":\"标题 <b>\"}", "中文 标题 &lt;b&gt;");
	/* Invalid UTF-8 in the data is repaired by the escaper. */
	RUN("{{x}}", "{\"x\":\"a\xFF\"}", "a\xEF\xBF\xBD");
	RUN("a{{! a comment }}b{{!\nmulti\nline }}c", "{}", "abc");
	RUN("", "{}", "");
	RUN("plain text", "{}", "plain text");
}

static void test_literals(void)
{
	/* Braces that do not open a tag are text. */
	RUN("a }} b", "{}", "a }} b");
	RUN("}}", "{}", "}}");
	RUN("{ {x} }", "{}", "{ {x} }");
	RUN("{{x}}}", "{\"x\":\"v\"}", "v}");
	RUN("{{{x}}}}", "{\"x\":\"v\"}", "v}");
	RUN("function f() { if (a) { b(); }}", "{}", "function f() { if (a) { b(); }}");
}

static void test_sections(void)
{
	const char *data = "{\"site\":{\"name\":\"G\"},\"articles\":["
	                   "{\"title\":\"A\",\"tags\":[\"x\",\"<y>\"]},"
	                   "{\"title\":\"B\",\"tags\":[]}]}";
	RUN("{{#articles}}[{{title}}@{{site.name}}:{{#tags}}({{.}}){{/tags}}"
	    "{{^tags}}none{{/tags}}]{{/articles}}",
	    data, "[A@G:(x)(&lt;y&gt;)][B@G:none]");
	RUN("{{# articles }}{{ title }}{{/ articles }}", data, "AB");

	/* An object section becomes the context; outer names stay visible. */
	RUN("{{#author}}{{name}} of {{site}}{{/author}}",
	    "{\"site\":\"S\",\"author\":{\"name\":\"Ann\"}}", "Ann of S");
	/* An inner value shadows an outer one of the same name. */
	RUN("{{name}}{{#a}}{{name}}{{/a}}{{name}}", "{\"name\":\"out\",\"a\":{\"name\":\"in\"}}",
	    "outinout");
	/* Only the first part of a dotted name looks outward. */
	RUN("[{{#a}}{{b.c}}{{/a}}]", "{\"b\":{\"c\":\"outer\"},\"a\":{\"b\":{}}}", "[]");

	/* Scalars show the section once, and {{.}} is the value. */
	RUN("{{#t}}yes{{/t}}{{#s}}[{{.}}]{{/s}}{{#n}}<{{.}}>{{/n}}",
	    "{\"t\":true,\"s\":\"str\",\"n\":7}", "yes[str]<7>");
	RUN("{{#list}}{{.}},{{/list}}", "{\"list\":[1,\"two\",3.5,true,null]}", "1,two,3.5,,,");
	RUN("{{#list}}{{#.}}[{{.}}]{{/.}}{{/list}}", "{\"list\":[[1,2],[3]]}", "[1][2][3]");

	/* Inverted sections: shown for missing, false, null, "", 0, []. */
	const char *inv = "{{^v}}shown{{/v}}";
	RUN(inv, "{}", "shown");
	RUN(inv, "{\"v\":false}", "shown");
	RUN(inv, "{\"v\":null}", "shown");
	RUN(inv, "{\"v\":\"\"}", "shown");
	RUN(inv, "{\"v\":0}", "shown");
	RUN(inv, "{\"v\":0.0}", "shown");
	RUN(inv, "{\"v\":[]}", "shown");
	RUN(inv, "{\"v\":true}", "");
	RUN(inv, "{\"v\":1}", "");
	RUN(inv, "{\"v\":\"x\"}", "");
	RUN(inv, "{\"v\":[0]}", "");
	RUN(inv, "{\"v\":{}}", "");
	/* And the plain section is hidden for exactly those. */
	const char *sec = "{{#v}}shown{{/v}}";
	RUN(sec, "{}", "");
	RUN(sec, "{\"v\":false}", "");
	RUN(sec, "{\"v\":null}", "");
	RUN(sec, "{\"v\":\"\"}", "");
	RUN(sec, "{\"v\":0}", "");
	RUN(sec, "{\"v\":[]}", "");
	RUN(sec, "{\"v\":{}}", "shown");

	/* Deep nesting up to the limit works. */
	char deep[32 * 12 + 1] = "", *p = deep;
	for (int i = 0; i < 32; i++)
		p += sprintf(p, "{{#a}}");
	for (int i = 0; i < 32; i++)
		p += sprintf(p, "{{/a}}");
	RUN(deep, "{\"a\":true}", "");
}

/* Builds a set from name/text pairs; NULL on a parse error. */
static struct tmpl_set *make_set(const char *const *pairs, size_t n)
{
	struct tmpl_set *set = NULL;
	char err[256];
	for (size_t i = 0; i + 1 < n; i += 2) {
		if (tmpl_set_add(&set, pairs[i], pairs[i + 1], strlen(pairs[i + 1]), err,
		                 sizeof err) != 0) {
			fprintf(stderr, "make_set: %s\n", err);
			CHECK(0);
			tmpl_set_free(set);
			return NULL;
		}
	}
	return set;
}

static void test_partials(void)
{
	/* "page" is added before "head" exists: includes resolve late. */
	const char *pairs[] = {
	    "page", "<html>{{>head}}{{#items}}{{> item }}{{/items}}</html>",
	    "head", "<title>{{title}}</title>",
	    "item", "<li>{{name}} ({{title}})</li>",
	    "self", "x{{>self}}",
	    "ping", "a{{>pong}}",
	    "pong", "b{{>ping}}",
	    "lost", "before {{>nowhere}} after",
	};
	struct tmpl_set *set = make_set(pairs, sizeof pairs / sizeof *pairs);
	CHECK(set != NULL);
	if (!set)
		return;
	cJSON *data =
	    cJSON_Parse("{\"title\":\"T<\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}");
	struct buf out = BUF_INIT;
	CHECK(tmpl_render(set, "page", data, &out) == 0);
	CHECK_STR(buf_cstr(&out),
	          "<html><title>T&lt;</title><li>a (T&lt;)</li><li>b (T&lt;)</li></html>");

	/* Failures leave the buffer as it was. */
	buf_reset(&out);
	buf_puts(&out, "kept");
	CHECK(tmpl_render(set, "self", data, &out) == -1);
	CHECK_STR(buf_cstr(&out), "kept");
	CHECK(tmpl_render(set, "ping", data, &out) == -1);
	CHECK_STR(buf_cstr(&out), "kept");
	CHECK(tmpl_render(set, "lost", data, &out) == -1);
	CHECK_STR(buf_cstr(&out), "kept");
	CHECK(tmpl_render(set, "nosuch", data, &out) == -1);
	CHECK(tmpl_render(set, "page.html", data, &out) == -1);
	CHECK(tmpl_render(set, "", data, &out) == -1);
	CHECK(tmpl_render(set, NULL, data, &out) == -1);
	CHECK(tmpl_render(NULL, "page", data, &out) == -1);
	CHECK_STR(buf_cstr(&out), "kept");

	/* Adding the missing template later makes it render. */
	char err[256];
	CHECK(tmpl_set_add(&set, "nowhere", "here", 4, err, sizeof err) == 0);
	buf_reset(&out);
	CHECK(tmpl_render(set, "lost", data, &out) == 0);
	CHECK_STR(buf_cstr(&out), "before here after");
	/* A name is defined once. */
	CHECK(tmpl_set_add(&set, "page", "x", 1, err, sizeof err) == -1);
	CHECK_STR(err, "page.html: defined twice");
	tmpl_set_free(set);

	/* Exactly 16 nested includes render; 17 do not. */
	set = NULL;
	char name[8], text[32];
	for (int i = 0; i <= 17; i++) {
		snprintf(name, sizeof name, "i%d", i);
		if (i < 17)
			snprintf(text, sizeof text, "%d{{>i%d}}", i, i + 1);
		else
			snprintf(text, sizeof text, "end");
		CHECK(tmpl_set_add(&set, name, text, strlen(text), err, sizeof err) == 0);
	}
	buf_reset(&out);
	CHECK(tmpl_render(set, "i1", data, &out) == 0);
	CHECK_STR(buf_cstr(&out), "12345678910111213141516end");
	buf_reset(&out);
	CHECK(tmpl_render(set, "i0", data, &out) == -1);
	CHECK_STR(buf_cstr(&out), "");
	tmpl_set_free(set);

	/* Loops around includes cannot blow up the output without bound. */
	set = NULL;
	char big[1100];
	memset(big, 'x', 1024);
	strcpy(big + 1024, "{{#l}}{{>b}}{{/l}}");
	CHECK(tmpl_set_add(&set, "b", big, strlen(big), err, sizeof err) == 0);
	cJSON *wide = cJSON_Parse("{\"l\":[1,2,3,4,5,6,7,8,9,10]}");
	buf_reset(&out);
	CHECK(tmpl_render(set, "b", wide, &out) == -1);
	CHECK(out.len == 0);
	cJSON_Delete(wide);
	tmpl_set_free(set);

	buf_free(&out);
	cJSON_Delete(data);
}

/* A fixed template (tmpl_fix) is inserted as its text wherever it is
 * included, rendered itself when asked for by name, and unfixed by NULL. */
/* What set renders name to, or "(failed)". */
static const char *rendered(const struct tmpl_set *set, const char *name, const cJSON *data,
                            struct buf *out)
{
	buf_reset(out);
	return tmpl_render(set, name, data, out) == 0 ? buf_cstr(out) : "(failed)";
}

static void test_fixed(void)
{
	const char *pairs[] = {"menu", "<{{name}}>", "page", "{{#items}}{{>menu}}{{/items}}|{{>menu}}"};
	struct tmpl_set *set = make_set(pairs, sizeof pairs / sizeof *pairs);
	if (!set)
		return;
	cJSON *data = cJSON_Parse("{\"name\":\"n\",\"items\":[{\"name\":\"a\"},{}]}");
	struct buf out = BUF_INIT;
	CHECK_STR(rendered(set, "page", data, &out), "<a><n>|<n>");

	CHECK(tmpl_fix(set, "menu", "[fixed & kept]", 14) == 0);
	CHECK_STR(rendered(set, "page", data, &out), "[fixed & kept][fixed & kept]|[fixed & kept]");
	CHECK_STR(rendered(set, "menu", data, &out), "<n>");
	/* Fixed again: the new text replaces the old. */
	CHECK(tmpl_fix(set, "menu", "", 0) == 0);
	CHECK_STR(rendered(set, "page", data, &out), "|");

	CHECK(tmpl_fix(set, "menu", NULL, 0) == 0);
	CHECK_STR(rendered(set, "page", data, &out), "<a><n>|<n>");
	CHECK(tmpl_fix(set, "nowhere", "x", 1) == -1);

	CHECK_STR(tmpl_name(set, 0), "menu");
	CHECK_STR(tmpl_name(set, 1), "page");
	CHECK(tmpl_name(set, 2) == NULL);
	CHECK(tmpl_name(NULL, 0) == NULL);
	buf_free(&out);
	cJSON_Delete(data);
	tmpl_set_free(set);
}

static void test_parse_errors(void)
{
	RUN("line1\n{{#articles}}\n{{title}}\n", "{}", "ERR:t.html:2: unclosed section 'articles'");
	RUN("{{#a}}\n{{#b}}\n{{/b}}", "{}", "ERR:t.html:1: unclosed section 'a'");
	RUN("{{#a}}{{#b}}", "{}", "ERR:t.html:1: unclosed section 'b'");
	RUN("x\n{{/x}}", "{}", "ERR:t.html:2: {{/x}} closes no open section");
	RUN("{{#a}}\n\n{{/b}}", "{}", "ERR:t.html:3: {{/b}} does not close section 'a' of line 1");
	RUN("{{#a}}{{#b}}{{/a}}{{/b}}", "{}",
	    "ERR:t.html:1: {{/a}} does not close section 'b' of line 1");
	RUN("{{^a}}{{/a}}{{/a}}", "{}", "ERR:t.html:1: {{/a}} closes no open section");

	/* Templates that end inside a tag. */
	RUN("a\n\nb {{name", "{}", "ERR:t.html:3: unterminated tag");
	RUN("{{", "{}", "ERR:t.html:1: unterminated tag");
	RUN("text {{", "{}", "ERR:t.html:1: unterminated tag");
	RUN("{{x}", "{}", "ERR:t.html:1: unterminated tag");
	RUN("{{{x}}", "{}", "ERR:t.html:1: unterminated tag");
	RUN("{{{", "{}", "ERR:t.html:1: unterminated tag");
	RUN("{{#", "{}", "ERR:t.html:1: unterminated tag");
	RUN("{{!never closed\n\n", "{}", "ERR:t.html:1: unterminated tag");
	RUN("{{#a}}{{/a", "{}", "ERR:t.html:1: unterminated tag");
	RUN("{{>", "{}", "ERR:t.html:1: unterminated tag");

	/* Names. */
	RUN("{{}}", "{}", "ERR:t.html:1: empty name");
	RUN("\n{{  }}", "{}", "ERR:t.html:2: empty name");
	RUN("{{#}}{{/}}", "{}", "ERR:t.html:1: empty name");
	RUN("{{{}}}", "{}", "ERR:t.html:1: empty name");
	RUN("{{>}}", "{}", "ERR:t.html:1: empty name");
	char name64[80] = "{{", name65[80] = "{{";
	memset(name64 + 2, 'n', 64);
	strcpy(name64 + 66, "}}");
	memset(name65 + 2, 'n', 65);
	strcpy(name65 + 67, "}}");
	RUN(name64, "{}", "");
	RUN(name65, "{}", "ERR:t.html:1: name longer than 64 characters");
	RUN("{{a b}}", "{}", "ERR:t.html:1: bad character 0x20 in name");
	RUN("{{a<b}}", "{}", "ERR:t.html:1: bad character '<' in name");
	RUN("\n\n{{ a\tb }}", "{}", "ERR:t.html:3: bad character 0x09 in name");
	RUN("{{&a}}", "{}", "ERR:t.html:1: bad character '&' in name");
	RUN("{{=<% %>=}}", "{}", "ERR:t.html:1: bad character '=' in name");
	RUN("{{ #a}}{{/a}}", "{}", "ERR:t.html:1: bad character '#' in name");
	RUN("{{{#a}}}", "{}", "ERR:t.html:1: bad character '#' in name");
	RUN("{{{a}} b}}}", "{}", "ERR:t.html:1: bad character '}' in name");
	RUN("{{a{{b}}", "{}", "ERR:t.html:1: bad character '{' in name");
	RUN("{{a..b}}", "{}", "ERR:t.html:1: empty part in dotted name");
	RUN("{{.a}}", "{}", "ERR:t.html:1: empty part in dotted name");
	RUN("{{a.}}", "{}", "ERR:t.html:1: empty part in dotted name");
	RUN("{{..}}", "{}", "ERR:t.html:1: empty part in dotted name");
	RUN("{{>.}}", "{}", "ERR:t.html:1: bad template name '.'");
	RUN("{{>../etc/passwd}}", "{}", "ERR:t.html:1: empty part in dotted name");
	RUN("{{>a/b}}", "{}", "ERR:t.html:1: bad character '/' in name");
	RUN("{{é}}", "{}", "ERR:t.html:1: bad character 0xC3 in name");

	/* Lines are counted through text, tags and multi-line comments. */
	RUN("1\n{{!\n3\n}}\n{{x}}\n{{\ny\n}}\n{{#}}", "{}", "ERR:t.html:9: empty name");

	/* Sections nest at most 32 deep. */
	char deep[33 * 6 + 1] = "", *p = deep;
	for (int i = 0; i < 33; i++)
		p += sprintf(p, "{{#a}}");
	RUN(deep, "{}", "ERR:t.html:1: sections nest deeper than 32");

	/* Text must be UTF-8 without NUL. */
	RUN("ok\nbad \xFF here", "{}", "ERR:t.html:2: invalid UTF-8 or NUL byte");
	RUN("\n\n\xC0\x80", "{}", "ERR:t.html:3: invalid UTF-8 or NUL byte");
	RUN("cut \xE4\xB8", "{}", "ERR:t.html:1: invalid UTF-8 or NUL byte");
	struct tmpl_set *set = NULL;
	char err[256];
	CHECK(tmpl_set_add(&set, "n", "a\n\0b", 4, err, sizeof err) == -1);
	CHECK_STR(err, "n.html:2: invalid UTF-8 or NUL byte");
	CHECK(set == NULL);

	/* Template names. */
	const char *bad_names[] = {"", ".", "a/b", "../x", "a b", "a..b", ".hidden", NULL};
	for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
		CHECK(tmpl_set_add(&set, bad_names[i], "x", 1, err, sizeof err) == -1);
		CHECK(set == NULL);
	}
	/* An error leaves an existing set as it was, a NULL err is allowed. */
	CHECK(tmpl_set_add(&set, "good", "g", 1, err, sizeof err) == 0);
	CHECK(tmpl_set_add(&set, "bad", "{{", 2, NULL, 0) == -1);
	CHECK(tmpl_set_add(&set, "bad2", "{{", 2, err, 8) == -1);
	CHECK_STR(err, "bad2.ht");
	struct buf out = BUF_INIT;
	CHECK(tmpl_render(set, "bad", NULL, &out) == -1);
	CHECK(tmpl_render(set, "good", NULL, &out) == 0);
	CHECK_STR(buf_cstr(&out), "g");
	buf_free(&out);
	tmpl_set_free(set);

	/* The parser reads only len bytes: a tag cut by len is unterminated. */
	set = NULL;
	CHECK(tmpl_set_add(&set, "cut", "{{x}}", 4, err, sizeof err) == -1);
	CHECK_STR(err, "cut.html:1: unterminated tag");
	tmpl_set_free(set);
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void rm_rf(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

static void test_load(void)
{
	const char *tmp = getenv("GAZETTE_TESTTMP");
	CHECK(tmp != NULL);
	if (!tmp)
		return;
	mkdir(tmp, 0755);
	char dir[1024], sub[1100], err[256];
	snprintf(dir, sizeof dir, "%s/tmpl_load_%ld", tmp, (long)getpid());
	rm_rf(dir);
	CHECK(mkdir(dir, 0755) == 0);

	/* Two files that include each other, ended by the data. */
	CHECK(write_file(dir, "a.html", "<a>{{name}}{{#child}}{{>b}}{{/child}}</a>") == 0);
	CHECK(write_file(dir, "b.html", "<b>{{name}}{{#child}}{{>a}}{{/child}}</b>\n") == 0);
	CHECK(write_file(dir, "notes.txt", "{{ not a template") == 0);
	CHECK(write_file(dir, ".a.html.swp", "{{") == 0);
	CHECK(write_file(dir, ".hidden.html", "{{") == 0);
	snprintf(sub, sizeof sub, "%s/inc", dir);
	CHECK(mkdir(sub, 0755) == 0);
	CHECK(write_file(sub, "c.html", "in a subdirectory") == 0);

	struct tmpl_set *set = tmpl_set_load(dir, err, sizeof err);
	CHECK(set != NULL);
	if (!set)
		fprintf(stderr, "load: %s\n", err);
	cJSON *data = cJSON_Parse("{\"name\":\"1\",\"child\":{\"name\":\"2\",\"child\":"
	                          "{\"name\":\"3\",\"child\":false}}}");
	struct buf out = BUF_INIT;
	CHECK(tmpl_render(set, "a", data, &out) == 0);
	CHECK_STR(buf_cstr(&out), "<a>1<b>2<a>3</a></b>\n</a>");
	buf_reset(&out);
	CHECK(tmpl_render(set, "c", data, &out) == -1);
	CHECK(tmpl_render(set, "notes", data, &out) == -1);
	CHECK(tmpl_render(set, "hidden", data, &out) == -1);
	/* Without the false at the bottom, "child" is found outward for ever. */
	cJSON *endless = cJSON_Parse("{\"name\":\"1\",\"child\":{\"name\":\"2\"}}");
	CHECK(tmpl_render(set, "a", endless, &out) == -1);
	CHECK(out.len == 0);
	cJSON_Delete(endless);
	tmpl_set_free(set);

	/* A broken template names its file and line. */
	CHECK(write_file(dir, "broken.html", "ok\n{{#list}}\n") == 0);
	set = tmpl_set_load(dir, err, sizeof err);
	CHECK(set == NULL);
	CHECK_STR(err, "broken.html:2: unclosed section 'list'");
	CHECK(write_file(dir, "broken.html", "{{>nope}}") == 0);
	set = tmpl_set_load(dir, err, sizeof err);
	CHECK(set == NULL);
	CHECK_STR(err, "broken.html:1: {{>nope}}: no template nope.html");
	CHECK(write_file(dir, "broken.html", "") == 0);

	/* Over 1 MiB is refused; exactly 1 MiB is fine. */
	char *big = xmalloc(1024 * 1024 + 2);
	memset(big, 'x', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	CHECK(write_file(dir, "big.html", big) == 0);
	set = tmpl_set_load(dir, err, sizeof err);
	CHECK(set == NULL);
	CHECK_STR(err, "big.html: larger than 1 MiB");
	big[1024 * 1024] = '\0';
	CHECK(write_file(dir, "big.html", big) == 0);
	set = tmpl_set_load(dir, err, sizeof err);
	CHECK(set != NULL);
	buf_reset(&out);
	CHECK(tmpl_render(set, "big", data, &out) == 0);
	CHECK(out.len == 1024 * 1024);
	tmpl_set_free(set);
	free(big);

	CHECK(write_file(dir, "my page.html", "x") == 0);
	set = tmpl_set_load(dir, err, sizeof err);
	CHECK(set == NULL);
	CHECK_STR(err, "my?page.html: bad template name (letters, digits, _ - and . only)");
	snprintf(sub, sizeof sub, "%s/my page.html", dir);
	CHECK(unlink(sub) == 0);

	/* A directory named like a template is refused, not read. */
	snprintf(sub, sizeof sub, "%s/d.html", dir);
	CHECK(mkdir(sub, 0755) == 0);
	set = tmpl_set_load(dir, err, sizeof err);
	CHECK(set == NULL);
	CHECK_STR(err, "d.html: not a regular file");
	CHECK(rmdir(sub) == 0);

	/* No directory, or no templates in it. */
	snprintf(sub, sizeof sub, "%s/missing", dir);
	CHECK(tmpl_set_load(sub, err, sizeof err) == NULL);
	CHECK(strstr(err, "missing: ") != NULL);
	snprintf(sub, sizeof sub, "%s/inc2", dir);
	CHECK(mkdir(sub, 0755) == 0);
	CHECK(write_file(sub, "x.txt", "") == 0);
	CHECK(tmpl_set_load(sub, err, sizeof err) == NULL);
	CHECK(strstr(err, "no *.html templates") != NULL);

	buf_free(&out);
	cJSON_Delete(data);
	rm_rf(dir);
}

/* Random templates from a tag-heavy alphabet must parse or fail cleanly
 * and render without reading out of bounds (run under ASan). */
static void test_random(void)
{
	static const char alphabet[] = "{{}}#^/>!.ab \n{{a}}{{#a}}{{/a}}{{>r}}";
	uint32_t seed = 12345;
	cJSON *data = cJSON_Parse("{\"a\":[{\"a\":1},{\"b\":\"<\"}],\"b\":{\"a\":\"x\"}}");
	struct buf out = BUF_INIT;
	int parsed = 0;
	for (int iter = 0; iter < 20000; iter++) {
		char text[48];
		size_t len = (seed >> 8) % sizeof text;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		seed = seed * 1103515245u + 12345u;
		/* The exact size: ASan sees a read past it. */
		char *heap = xmalloc(len ? len : 1);
		memcpy(heap, text, len);
		struct tmpl_set *set = NULL;
		char err[128];
		if (tmpl_set_add(&set, "r", heap, len, err, sizeof err) == 0) {
			parsed++;
			buf_reset(&out);
			int rc = tmpl_render(set, "r", data, &out);
			CHECK(rc == 0 || rc == -1);
		} else {
			CHECK(strncmp(err, "r.html:", 7) == 0);
		}
		tmpl_set_free(set);
		free(heap);
	}
	CHECK(parsed > 100);
	buf_free(&out);
	cJSON_Delete(data);
}

/* Rendering allocates nothing once the output buffer is big enough. */
static void test_no_allocation(void)
{
	const char *pairs[] = {
	    "list",
	    "{{#articles}}<li>{{>item}}</li>{{/articles}}{{^none}}-{{/none}}",
	    "item",
	    "{{title}} {{n}} {{f}} {{site.name}} {{{html}}}{{#tags}}[{{.}}]{{/tags}}",
	};
	struct tmpl_set *set = make_set(pairs, 4);
	cJSON *data = cJSON_Parse("{\"site\":{\"name\":\"S\"},\"articles\":["
	                          "{\"title\":\"<A>\",\"n\":3,\"f\":0.25,\"html\":\"<b>\","
	                          "\"tags\":[\"x\",\"y\"]},{\"title\":\"B\"}]}");
	struct buf out = BUF_INIT;
	buf_reserve(&out, 65536);
	CHECK(tmpl_render(set, "list", data, &out) == 0); /* warms up stdio and the like */
	buf_reset(&out);
	struct mallinfo2 before = mallinfo2();
	for (int i = 0; i < 100; i++) {
		buf_reset(&out);
		CHECK(tmpl_render(set, "list", data, &out) == 0);
	}
	struct mallinfo2 after = mallinfo2();
	CHECK(after.uordblks == before.uordblks);
	CHECK_STR(buf_cstr(&out), "<li>&lt;A&gt; 3 0.25 S <b>[x][y]</li><li>B   S </li>-");
	buf_free(&out);
	cJSON_Delete(data);
	tmpl_set_free(set);
}

int main(void)
{
	test_values();
	test_literals();
	test_sections();
	test_partials();
	test_fixed();
	test_parse_errors();
	test_load();
	test_random();
	test_no_allocation();
	return check_done("test_tmpl");
}
