/*
 * The template parser: a Mustache subset parsed once into a flat node list
 * per template (see tmpl_internal.h), and the set of templates of a
 * directory. Rendering is in tmpl_render.c.
 */
#include "tmpl_internal.h"
#include "valid.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Parser state for one template. */
struct parser {
	struct tmpl *t;
	const char *src;
	size_t cap; /* allocated nodes */
	struct buf names;
	struct {
		uint32_t node, line;
		size_t off, len; /* the name in src, for matching the close tag */
	} open[TMPL_NEST_MAX];
	int nopen;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, const char *where,
                                                      const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (err && errlen)
		snprintf(err, errlen, "%s%s", where, msg);
	return -1;
}

__attribute__((format(printf, 3, 4))) static int parse_fail(struct parser *p, uint32_t line,
                                                            const char *fmt, ...)
{
	char where[TMPL_NAME_MAX + 32], msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(where, sizeof where, "%s.html:%u: ", p->t->name, line);
	return fail(p->err, p->errlen, where, "%s", msg);
}

static uint32_t count_lines(const char *s, size_t n)
{
	uint32_t k = 0;
	const char *end = s + n;
	while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		k++;
		s++;
	}
	return k;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/*
 * Checks a tag or template name: "." or parts of [A-Za-z0-9_-] joined by
 * single dots, at most TMPL_NAME_MAX bytes. Returns NULL and the number of
 * parts, or what is wrong in msg.
 */
static const char *check_name(const char *s, size_t n, int *nparts, char *msg, size_t msglen)
{
	if (n == 0)
		return "empty name";
	if (n > TMPL_NAME_MAX)
		return "name longer than 64 characters";
	if (n == 1 && s[0] == '.') {
		*nparts = 0;
		return NULL;
	}
	int parts = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (i == 0 || i == n - 1 || s[i - 1] == '.')
				return "empty part in dotted name";
			parts++;
		} else if (!is_name_char((char)c)) {
			if (c > 0x20 && c < 0x7F)
				snprintf(msg, msglen, "bad character '%c' in name", c);
			else
				snprintf(msg, msglen, "bad character 0x%02X in name", c);
			return msg;
		}
	}
	*nparts = parts;
	return NULL;
}

static struct tnode *add_node(struct parser *p, enum tmpl_op op, uint32_t line)
{
	struct tmpl *t = p->t;
	if (t->nnodes == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		t->nodes = xrealloc(t->nodes, p->cap * sizeof *t->nodes);
	}
	struct tnode *n = &t->nodes[t->nnodes++];
	*n = (struct tnode){.op = (uint8_t)op, .line = line, .arg = -1};
	return n;
}

/* Stores a name in the pool: dots become NULs unless whole is set. */
static uint32_t add_name(struct parser *p, const char *s, size_t n, int whole)
{
	uint32_t off = (uint32_t)p->names.len;
	char *d = buf_reserve(&p->names, n + 1);
	for (size_t i = 0; i < n; i++)
		d[i] = (s[i] == '.' && !whole && n > 1) ? '\0' : s[i];
	d[n] = '\0';
	p->names.len += n + 1;
	return off;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One tag whose sigil (0 for a variable) and inside s[a..b) are known. */
static int parse_tag(struct parser *p, char kind, size_t a, size_t b, uint32_t line)
{
	const char *s = p->src;
	char msg[64];
	int nparts = 0;

	while (a < b && is_space(s[a]))
		a++;
	while (b > a && is_space(s[b - 1]))
		b--;
	const char *why = check_name(s + a, b - a, &nparts, msg, sizeof msg);
	if (why)
		return parse_fail(p, line, "%s", why);

	struct tnode *n;
	switch (kind) {
	case 0:
	case '{':
		n = add_node(p, kind ? OP_RAW : OP_VAR, line);
		n->nparts = (uint8_t)nparts;
		n->off = add_name(p, s + a, b - a, 0);
		return 0;
	case '#':
	case '^':
		if (p->nopen == TMPL_NEST_MAX)
			return parse_fail(p, line, "sections nest deeper than %d", TMPL_NEST_MAX);
		n = add_node(p, kind == '#' ? OP_SECTION : OP_INVERTED, line);
		n->nparts = (uint8_t)nparts;
		n->off = add_name(p, s + a, b - a, 0);
		p->open[p->nopen].node = p->t->nnodes - 1;
		p->open[p->nopen].line = line;
		p->open[p->nopen].off = a;
		p->open[p->nopen].len = b - a;
		p->nopen++;
		return 0;
	case '/':
		if (p->nopen == 0)
			return parse_fail(p, line, "{{/%.*s}} closes no open section", (int)(b - a),
			                  s + a);
		if (p->open[p->nopen - 1].len != b - a ||
		    memcmp(s + p->open[p->nopen - 1].off, s + a, b - a) != 0)
			return parse_fail(
			    p, line, "{{/%.*s}} does not close section '%.*s' of line %u",
			    (int)(b - a), s + a, (int)p->open[p->nopen - 1].len,
			    s + p->open[p->nopen - 1].off, p->open[p->nopen - 1].line);
		p->nopen--;
		p->t->nodes[p->open[p->nopen].node].arg = (int32_t)p->t->nnodes;
		return 0;
	case '>':
		if (nparts == 0)
			return parse_fail(p, line, "bad template name '.'");
		n = add_node(p, OP_PARTIAL, line);
		n->off = add_name(p, s + a, b - a, 1);
		n->len = (uint32_t)(b - a);
		return 0;
	}
	return parse_fail(p, line, "unknown tag");
}

/* Parses src[0..len) into p->t. Returns 0 or -1 with the error. */
static int parse(struct parser *p, size_t len)
{
	const char *s = p->src;
	size_t pos = 0;
	uint32_t line = 1;

	/* Why: text is copied to pages verbatim, so it must not break their
	 * encoding; the check also keeps NUL bytes out of the scanner. */
	if (!valid_utf8(s, len)) {
		size_t i = 0;
		while (i < len && s[i] && valid_utf8_char(s + i, len - i))
			i += valid_utf8_char(s + i, len - i);
		return parse_fail(p, 1 + count_lines(s, i), "invalid UTF-8 or NUL byte");
	}
	while (pos < len) {
		const char *open = memmem(s + pos, len - pos, "{{", 2);
		size_t o = open ? (size_t)(open - s) : len;
		if (o > pos) {
			struct tnode *n = add_node(p, OP_TEXT, line);
			n->off = (uint32_t)pos;
			n->len = (uint32_t)(o - pos);
			line += count_lines(s + pos, o - pos);
		}
		if (!open)
			break;
		uint32_t tag_line = line;
		size_t a = o + 2;
		char kind = 0;
		if (a < len && s[a] && strchr("{#^/>!", s[a]))
			kind = s[a++];
		const char *close = kind == '{' ? "}}}" : "}}";
		size_t clen = strlen(close);
		const char *c = memmem(s + a, len - a, close, clen);
		if (!c)
			return parse_fail(p, tag_line, "unterminated tag");
		size_t b = (size_t)(c - s);
		line += count_lines(s + a, b - a);
		pos = b + clen;
		if (kind != '!' && parse_tag(p, kind, a, b, tag_line) != 0)
			return -1;
	}
	if (p->nopen) {
		int k = p->nopen - 1;
		return parse_fail(p, p->open[k].line, "unclosed section '%.*s'",
		                  (int)p->open[k].len, s + p->open[k].off);
	}
	return 0;
}

static void tmpl_clear(struct tmpl *t)
{
	free(t->name);
	free(t->text);
	free(t->names);
	free(t->nodes);
	free(t->fixed);
}

/* Index of the template called name, or -1 (a linear scan: sets are small). */
int tmpl_find(const struct tmpl_set *set, const char *name)
{
	for (size_t i = 0; set && i < set->n; i++)
		if (!strcmp(set->v[i].name, name))
			return (int)i;
	return -1;
}

/* Points every unresolved {{>name}} of the set at the templates now known. */
static void resolve_partials(struct tmpl_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct tmpl *t = &set->v[i];
		for (uint32_t k = 0; k < t->nnodes; k++)
			if (t->nodes[k].op == OP_PARTIAL && t->nodes[k].arg < 0)
				t->nodes[k].arg = tmpl_find(set, t->names + t->nodes[k].off);
	}
}

int tmpl_set_add(struct tmpl_set **set, const char *name, const char *text, size_t len, char *err,
                 size_t errlen)
{
	char msg[64];
	int nparts;
	const char *why = check_name(name, name ? strlen(name) : 0, &nparts, msg, sizeof msg);
	if (!name || why || nparts == 0)
		return fail(err, errlen, "", "bad template name");
	if (tmpl_find(*set, name) >= 0)
		return fail(err, errlen, "", "%s.html: defined twice", name);
	if (len > TMPL_FILE_MAX)
		return fail(err, errlen, "", "%s.html: larger than 1 MiB", name);

	struct tmpl t = {.name = xstrdup(name), .text = xmalloc(len + 1)};
	if (len)
		memcpy(t.text, text, len);
	t.text[len] = '\0';
	struct parser p = {.t = &t, .src = t.text, .names = BUF_INIT, .err = err, .errlen = errlen};
	if (parse(&p, len) != 0) {
		buf_free(&p.names);
		tmpl_clear(&t);
		return -1;
	}
	t.names = p.names.data;

	if (!*set)
		*set = xcalloc(1, sizeof **set);
	struct tmpl_set *s = *set;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = t;
	resolve_partials(s);
	return 0;
}

int tmpl_fix(struct tmpl_set *set, const char *name, const char *text, size_t len)
{
	int k = tmpl_find(set, name);
	if (k < 0)
		return -1;
	struct tmpl *t = &set->v[k];
	free(t->fixed);
	t->fixed = NULL;
	t->nfixed = 0;
	if (text) {
		t->fixed = xmalloc(len + 1);
		memcpy(t->fixed, text, len);
		t->fixed[len] = '\0';
		t->nfixed = len;
	}
	return 0;
}

const char *tmpl_name(const struct tmpl_set *set, size_t i)
{
	return set && i < set->n ? set->v[i].name : NULL;
}

void tmpl_set_free(struct tmpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		tmpl_clear(&set->v[i]);
	free(set->v);
	free(set);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A copy of s fit for an error message: other bytes than printable ASCII
 * become '?', and a long name is cut. */
static const char *printable(const char *s, char *dst, size_t size)
{
	size_t i = 0;
	for (; s[i] && i + 1 < size; i++)
		dst[i] = (s[i] > 0x20 && s[i] < 0x7F) ? s[i] : '?';
	dst[i] = '\0';
	return dst;
}

/* Reads dir/file (at most TMPL_FILE_MAX bytes) and adds it as name. */
static int load_file(struct tmpl_set **set, int dfd, const char *file, char *err, size_t errlen)
{
	int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block */
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int rc = -1;

	if (fd < 0 || fstat(fd, &st) != 0) {
		fail(err, errlen, "", "%s: %s", file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, errlen, "", "%s: not a regular file", file);
		goto out;
	}
	/* One byte more than allowed, to see a file that grew past the cap. */
	data = xmalloc(TMPL_FILE_MAX + 1);
	for (;;) {
		ssize_t k = read(fd, data + len, TMPL_FILE_MAX + 1 - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			fail(err, errlen, "", "%s: %s", file, strerror(errno));
			goto out;
		}
		if (k == 0 || (len += (size_t)k) > TMPL_FILE_MAX)
			break;
	}
	if (len > TMPL_FILE_MAX) {
		fail(err, errlen, "", "%s: larger than 1 MiB", file);
		goto out;
	}
	char name[TMPL_NAME_MAX + 1], msg[64];
	size_t n = strlen(file) - 5;
	int nparts;
	if (n > TMPL_NAME_MAX || check_name(file, n, &nparts, msg, sizeof msg) || !nparts) {
		fail(err, errlen, "", "%s: bad template name (letters, digits, _ - and . only)",
		     printable(file, name, sizeof name));
		goto out;
	}
	memcpy(name, file, n);
	name[n] = '\0';
	rc = tmpl_set_add(set, name, data, len, err, errlen);
out:
	free(data);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* After loading a whole directory every include must name a template. */
static int check_partials(const struct tmpl_set *set, char *err, size_t errlen)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct tmpl *t = &set->v[i];
		for (uint32_t k = 0; k < t->nnodes; k++)
			if (t->nodes[k].op == OP_PARTIAL && t->nodes[k].arg < 0)
				return fail(err, errlen, "",
				            "%s.html:%u: {{>%s}}: no template %s.html", t->name,
				            t->nodes[k].line, t->names + t->nodes[k].off,
				            t->names + t->nodes[k].off);
	}
	return 0;
}

struct tmpl_set *tmpl_set_load(const char *dir, char *err, size_t errlen)
{
	struct tmpl_set *set = NULL;
	char **files = NULL;
	size_t nfiles = 0, cap = 0;
	int ok = 0;
	DIR *d = opendir(dir);

	if (!d) {
		fail(err, errlen, "", "%s: %s", dir, strerror(errno));
		return NULL;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		/* Dot files are editors' backups and lock files, not templates. */
		if (e->d_name[0] == '.' || n <= 5 || strcmp(e->d_name + n - 5, ".html") != 0)
			continue;
		if (nfiles == cap) {
			cap = cap ? cap * 2 : 16;
			files = xrealloc(files, cap * sizeof *files);
		}
		files[nfiles++] = xstrdup(e->d_name);
	}
	/* Sorted, so that the same directory always gives the same first error. */
	if (nfiles)
		qsort(files, nfiles, sizeof *files, cmp_str);
	if (nfiles == 0)
		fail(err, errlen, "", "%s: no *.html templates", dir);
	for (size_t i = 0; i < nfiles; i++)
		if (load_file(&set, dirfd(d), files[i], err, errlen) != 0)
			goto out;
	ok = nfiles && check_partials(set, err, errlen) == 0;
out:
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	closedir(d);
	if (!ok) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}
