/* Deployment settings: INI file (libinih), environment and flags. */
#include "config.h"
#include "media.h"
#include "valid.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One key: its names in the three layers, and whether it holds a path. */
struct key {
	const char *name, *env, *flag;
	bool path; /* must be absolute in a file (relative to what, otherwise?) */
};

static const struct key keys[] = {
    {"db", "GAZETTE_DB", "--db", true},
    {"data_dir", "GAZETTE_DATA", "--data", true},
    {"templates", "GAZETTE_TEMPLATES", "--templates", true},
    {"pages", "GAZETTE_PAGES", "--pages", false},
    {"listen", "GAZETTE_LISTEN", "--listen", false},
    {"workers", "GAZETTE_WORKERS", "--workers", false},
    {"base_url", "GAZETTE_BASE_URL", "--base-url", false},
    {"https", "GAZETTE_HTTPS", "--https", false},
    {"upload_max", "GAZETTE_UPLOAD_MAX", "--upload-max", false},
    {"log_level", "GAZETTE_LOG_LEVEL", "--log-level", false},
    {"trusted_proxies", "GAZETTE_TRUSTED_PROXIES", "--trusted-proxies", false},
    {"user", "GAZETTE_USER", "--user", false},
    {"sandbox", "GAZETTE_SANDBOX", "--sandbox", false},
};
enum { NKEYS = sizeof keys / sizeof keys[0] };

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->https = CONFIG_HTTPS_AUTO;
	c->upload_max = MEDIA_MAX_BYTES;
	c->log_level = CONFIG_LOG_INFO;
	c->sandbox = true;
}

static const struct key *key_find(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

const char *config_flag_key(const char *flag)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].flag, flag))
			return keys[i].name;
	return NULL;
}

static int set_path(char *dst, const char *key, const char *v, char *err, size_t errlen)
{
	if (strlen(v) >= CONFIG_PATH_MAX)
		return fail(err, errlen, "%s is too long (at most %d bytes)", key,
		            CONFIG_PATH_MAX - 1);
	strcpy(dst, v);
	return 0;
}

/* "unix:/abs/path", "HOST:PORT", "[v6]:PORT" or ":PORT" (server_listen's forms). */
static int set_listen(struct config *c, const char *v, char *err, size_t errlen)
{
	if (!strncmp(v, "unix:", 5)) {
		/* sun_path holds 108 bytes with its NUL */
		if (v[5] != '/' || strlen(v + 5) > 107)
			return fail(err, errlen,
			            "listen: a unix socket needs an absolute path of at most 107 "
			            "bytes (unix:/run/gazette/gazette.sock)");
		return set_path(c->listen, "listen", v, err, errlen);
	}
	const char *colon = strrchr(v, ':');
	long long port;
	if (!colon || !valid_int(colon + 1, 1, 65535, &port) || colon - v > 255 ||
	    strpbrk(v, " \t/"))
		return fail(err, errlen, "listen must be unix:PATH or HOST:PORT, not '%s'", v);
	return set_path(c->listen, "listen", v, err, errlen);
}

/* A host name, IPv4 literal or [IPv6] literal, then an optional :port. */
static bool url_host_ok(const char *h, size_t n)
{
	if (n == 0 || n > 255)
		return false;
	size_t hostlen = n;
	if (h[0] == '[') {
		const char *close = memchr(h, ']', n);
		if (!close || close == h + 1)
			return false;
		for (const char *p = h + 1; p < close; p++)
			if (!strchr("0123456789abcdefABCDEF:.", *p))
				return false;
		hostlen = (size_t)(close - h) + 1;
	} else {
		const char *colon = memchr(h, ':', n);
		hostlen = colon ? (size_t)(colon - h) : n;
		if (hostlen == 0)
			return false;
		for (size_t i = 0; i < hostlen; i++) {
			char ch = h[i];
			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-'))
				return false;
		}
	}
	if (hostlen == n)
		return true;
	long long port;
	char buf[8];
	if (h[hostlen] != ':' || n - hostlen - 1 >= sizeof buf)
		return false;
	memcpy(buf, h + hostlen + 1, n - hostlen - 1);
	buf[n - hostlen - 1] = '\0';
	return valid_int(buf, 1, 65535, &port);
}

/*
 * Why so strict: the base URL is printed into feeds, sitemaps and API
 * answers that caches keep; only scheme://host[:port][/path] with plain path
 * characters gets in, so nothing in it needs escaping anywhere.
 */
static int set_base_url(struct config *c, const char *v, char *err, size_t errlen)
{
	size_t n = strlen(v);
	const char *rest = NULL;
	if (!strncmp(v, "https://", 8))
		rest = v + 8;
	else if (!strncmp(v, "http://", 7))
		rest = v + 7;
	while (n > 0 && v[n - 1] == '/')
		n--;
	bool ok = rest && n < CONFIG_URL_MAX && (size_t)(rest - v) < n;
	if (ok) {
		const char *slash = memchr(rest, '/', (size_t)(v + n - rest));
		size_t hostlen = slash ? (size_t)(slash - rest) : (size_t)(v + n - rest);
		ok = url_host_ok(rest, hostlen);
		for (const char *p = slash; ok && p && p < v + n; p++)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("/-._~", *p);
		if (ok && slash && strstr(slash, "//"))
			ok = false;
	}
	if (!ok)
		return fail(err, errlen,
		            "base_url must be http(s)://HOST[:PORT][/PATH] with a plain path, "
		            "not '%s'",
		            v);
	memcpy(c->base_url, v, n);
	c->base_url[n] = '\0';
	return 0;
}

/* "10485760", "512K", "10M" (K = 1024 bytes, M = 1024 K). */
static int set_size(struct config *c, const char *v, char *err, size_t errlen)
{
	char num[32];
	size_t n = strlen(v), mult = 1;
	if (n > 0 && strchr("kK", v[n - 1]))
		mult = 1024, n--;
	else if (n > 0 && strchr("mM", v[n - 1]))
		mult = 1024 * 1024, n--;
	long long x;
	if (n == 0 || n >= sizeof num)
		goto bad;
	memcpy(num, v, n);
	num[n] = '\0';
	/* The ceiling is the media module's: it checks every image against it. */
	if (!valid_int(num, 1, MEDIA_MAX_BYTES, &x) || (size_t)x * mult > MEDIA_MAX_BYTES ||
	    (size_t)x * mult < 1024)
		goto bad;
	c->upload_max = (size_t)x * mult;
	return 0;
bad:
	return fail(err, errlen, "upload_max must be a size from 1K to %dM (e.g. 4M), not '%s'",
	            MEDIA_MAX_BYTES / (1024 * 1024), v);
}

static bool word_in(const char *v, const char *const *words)
{
	for (; *words; words++)
		if (!strcasecmp(v, *words))
			return true;
	return false;
}

/* Parses "ADDR" or "ADDR/BITS" (IPv4 or IPv6) into a 128-bit range. */
static bool net_parse(const char *s, size_t n, struct config_net *out)
{
	char text[INET6_ADDRSTRLEN + 8];
	if (n == 0 || n >= sizeof text)
		return false;
	memcpy(text, s, n);
	text[n] = '\0';
	char *slash = strchr(text, '/');
	long long bits = -1;
	if (slash) {
		*slash = '\0';
		if (!valid_int(slash + 1, 0, 128, &bits))
			return false;
	}
	memset(out, 0, sizeof *out);
	unsigned char v4[4];
	if (inet_pton(AF_INET, text, v4) == 1) {
		if (bits > 32)
			return false;
		out->addr[10] = out->addr[11] = 0xff;
		memcpy(out->addr + 12, v4, 4);
		out->bits = (unsigned)(bits < 0 ? 128 : bits + 96);
	} else if (inet_pton(AF_INET6, text, out->addr) == 1) {
		out->bits = (unsigned)(bits < 0 ? 128 : bits);
	} else {
		return false;
	}
	/* A range written with host bits set (10.0.0.1/8) is a typo or a
	 * misunderstanding: refuse it rather than guess. */
	for (unsigned i = out->bits; i < 128; i++)
		if (out->addr[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* A space- or comma-separated list of addresses and ranges; "none" or ""
 * for none. append keeps the ranges already listed. */
static int set_proxies(struct config *c, const char *v, bool append, char *err, size_t errlen)
{
	struct config_net nets[CONFIG_MAX_PROXIES];
	size_t n = append ? c->nproxies : 0;
	memcpy(nets, c->proxies, n * sizeof nets[0]);
	if (strcasecmp(v, "none") != 0) {
		for (const char *p = v; *p;) {
			p += strspn(p, " ,\t");
			size_t len = strcspn(p, " ,\t");
			if (!len)
				break;
			if (n == CONFIG_MAX_PROXIES)
				return fail(err, errlen, "trusted_proxies: at most %d ranges",
				            CONFIG_MAX_PROXIES);
			if (!net_parse(p, len, &nets[n]))
				return fail(err, errlen,
				            "trusted_proxies: '%.*s' is not an IP address or "
				            "ADDRESS/BITS range",
				            (int)(len > 64 ? 64 : len), p);
			n++;
			p += len;
		}
	}
	memcpy(c->proxies, nets, n * sizeof nets[0]);
	c->nproxies = n;
	return 0;
}

static int set_key(struct config *c, const struct key *k, const char *v, bool append, char *err,
                   size_t errlen)
{
	/* Why: values end up in paths, URLs and log lines; one line of UTF-8
	 * text without control characters is all any of them needs. */
	if (!valid_line(v, 4096))
		return fail(err, errlen, "%s: control characters or invalid UTF-8", k->name);
	const char *name = k->name;
	if (!*v && strcmp(name, "trusted_proxies"))
		return fail(err, errlen, "%s: empty value", name);
	if (!strcmp(name, "db"))
		return set_path(c->db, name, v, err, errlen);
	if (!strcmp(name, "data_dir"))
		return set_path(c->data_dir, name, v, err, errlen);
	if (!strcmp(name, "templates"))
		return set_path(c->templates, name, v, err, errlen);
	if (!strcmp(name, "pages")) { /* a directory, or "off": no page files */
		c->pages_off = !strcmp(v, "off");
		return c->pages_off ? 0 : set_path(c->pages_dir, name, v, err, errlen);
	}
	if (!strcmp(name, "listen"))
		return set_listen(c, v, err, errlen);
	if (!strcmp(name, "workers")) {
		long long w;
		if (!valid_int(v, 1, CONFIG_WORKERS_MAX, &w))
			return fail(err, errlen, "workers must be a number from 1 to %d, not '%s'",
			            CONFIG_WORKERS_MAX, v);
		c->workers = (int)w;
		return 0;
	}
	if (!strcmp(name, "base_url"))
		return set_base_url(c, v, err, errlen);
	if (!strcmp(name, "user")) { /* an account name, looked up when the pool starts */
		if (!valid_username(v) || strlen(v) >= sizeof c->user)
			return fail(err, errlen, "user must be an account name, not '%s'", v);
		strcpy(c->user, v);
		return 0;
	}
	static const char *const on[] = {"on", "yes", "true", "1", NULL};
	static const char *const off[] = {"off", "no", "false", "0", NULL};
	if (!strcmp(name, "sandbox")) {
		if (!word_in(v, on) && !word_in(v, off))
			return fail(err, errlen, "sandbox must be 'on' or 'off', not '%s'", v);
		c->sandbox = word_in(v, on);
		return 0;
	}
	if (!strcmp(name, "https")) {
		if (word_in(v, on))
			c->https = CONFIG_HTTPS_ON;
		else if (!strcasecmp(v, "auto"))
			c->https = CONFIG_HTTPS_AUTO;
		else
			return fail(err, errlen, "https must be 'auto' or 'on', not '%s'", v);
		return 0;
	}
	if (!strcmp(name, "upload_max"))
		return set_size(c, v, err, errlen);
	if (!strcmp(name, "log_level")) {
		if (!strcasecmp(v, "error"))
			c->log_level = CONFIG_LOG_ERROR;
		else if (!strcasecmp(v, "info"))
			c->log_level = CONFIG_LOG_INFO;
		else
			return fail(err, errlen, "log_level must be 'error' or 'info', not '%s'",
			            v);
		return 0;
	}
	return set_proxies(c, v, append, err, errlen);
}

int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen)
{
	const struct key *k = key ? key_find(key) : NULL;
	if (!k)
		return fail(err, errlen, "unknown key '%s'", key ? key : "");
	return set_key(c, k, value, false, err, errlen);
}

int config_env(struct config *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const char *v = getenv(keys[i].env);
		if (!v || !*v)
			continue; /* an empty variable is an unset one, as shells have it */
		char msg[400];
		if (set_key(c, &keys[i], v, false, msg, sizeof msg) != 0)
			return fail(err, errlen, "%s: %s", keys[i].env, msg);
	}
	return 0;
}

void config_finish(struct config *c)
{
	if (!c->db[0] && c->data_dir[0])
		snprintf(c->db, sizeof c->db, "%.*s/gazette.db", CONFIG_PATH_MAX - 20, c->data_dir);
	if (c->pages_off) {
		c->pages_dir[0] = '\0';
	} else if (!c->pages_dir[0] && c->data_dir[0]) {
		snprintf(c->pages_dir, sizeof c->pages_dir, "%.*s/pages", CONFIG_PATH_MAX - 10,
		         c->data_dir);
	} else if (!c->pages_dir[0] && c->db[0]) {
		const char *slash = strrchr(c->db, '/');
		snprintf(c->pages_dir, sizeof c->pages_dir, "%.*s/pages",
		         slash ? (slash == c->db ? 0 : (int)(slash - c->db)) : 1,
		         slash ? c->db : ".");
	}
	if (c->data_dir[0]) {
		snprintf(c->media_dir, sizeof c->media_dir, "%.*s/media", CONFIG_PATH_MAX - 10,
		         c->data_dir);
	} else if (c->db[0]) {
		/* Uploads live beside the database unless a data dir is named. */
		const char *slash = strrchr(c->db, '/');
		if (!slash)
			snprintf(c->media_dir, sizeof c->media_dir, "./media");
		else
			snprintf(c->media_dir, sizeof c->media_dir, "%.*s/media",
			         slash == c->db ? 0 : (int)(slash - c->db), c->db);
	}
}

/* --- the INI file ---------------------------------------------------------------- */

struct file_state {
	struct config *c;
	const char *name;
	FILE *f;
	int line;
	bool seen[NKEYS];
	char msg[400]; /* the first error, without "NAME:LINE: " */
};

/*
 * libinih's reader, one line per call: counting lines here is what lets an
 * error name its line. A line that does not fit libinih's buffer, or holds a
 * NUL byte, ends the parse with an error instead of being cut silently.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct file_state *s = stream;
	int n = 0, ch = EOF;
	if (s->msg[0])
		return NULL;
	while (n < num - 1 && (ch = getc(s->f)) != EOF) {
		if (ch == '\0') {
			s->line++;
			snprintf(s->msg, sizeof s->msg, "NUL byte in the line");
			return NULL;
		}
		str[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	if (n == 0)
		return NULL;
	s->line++;
	if (str[n - 1] != '\n' && n == num - 1 && (ch = getc(s->f)) != EOF && ch != '\n') {
		snprintf(s->msg, sizeof s->msg, "line too long (at most %d characters)", num - 3);
		return NULL;
	}
	str[n] = '\0';
	return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct file_state *s = user;
	/* Sections are optional; [gazette] is the only one there is. */
	if (section[0] && strcmp(section, "gazette")) {
		snprintf(s->msg, sizeof s->msg, "unknown section [%.64s]", section);
		return 0;
	}
	const struct key *k = key_find(name);
	if (!k) {
		snprintf(s->msg, sizeof s->msg, "unknown key '%.64s'", name);
		return 0;
	}
	size_t i = (size_t)(k - keys);
	bool again = s->seen[i];
	/* A key given twice is a mistake waiting to confuse: which one wins?
	 * Only the proxy list, which may not fit one line, adds up. */
	if (again && strcmp(name, "trusted_proxies")) {
		snprintf(s->msg, sizeof s->msg, "'%s' is set twice", name);
		return 0;
	}
	s->seen[i] = true;
	char v[4096];
	size_t n = strlen(value);
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') { /* a quoted value */
		value++;
		n -= 2;
	}
	snprintf(v, sizeof v, "%.*s", (int)n, value);
	/* Why absolute: relative to the file, the server's cwd or systemd's
	 * "/"? Any answer surprises someone, so the file must say. */
	bool pages_off = !strcmp(name, "pages") && !strcmp(v, "off");
	if ((k->path || (!strcmp(name, "pages") && !pages_off)) && v[0] != '/') {
		snprintf(s->msg, sizeof s->msg, "%s must be an absolute path", name);
		return 0;
	}
	char err[360];
	if (set_key(s->c, k, v, again, err, sizeof err) != 0) {
		snprintf(s->msg, sizeof s->msg, "%s", err);
		return 0;
	}
	return 1;
}

int config_load_stream(struct config *c, const char *name, FILE *f, char *err, size_t errlen)
{
	struct file_state s = {.c = c, .name = name, .f = f};
	/* Values are one line each (an indented line is an error, not a
	 * continuation), and the first error is the one reported. */
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	struct config copy = *c; /* all of the file or none of it */
	s.c = &copy;
	int rc = ini_parse_stream(read_line, &s, on_pair, &s);
	if (s.msg[0])
		return fail(err, errlen, "%s:%d: %s", name, s.line, s.msg);
	if (ferror(f))
		return fail(err, errlen, "%s: read error", name);
	if (rc > 0)
		return fail(err, errlen, "%s:%d: syntax error (want KEY = VALUE or [gazette])",
		            name, rc);
	if (rc < 0)
		return fail(err, errlen, "%s: cannot parse (out of memory)", name);
	*c = copy;
	return 0;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	int rc = config_load_stream(c, path, f, err, errlen);
	fclose(f);
	return rc;
}

/* --- trusted proxies --------------------------------------------------------------- */

/* Parses a numeric address into the 128-bit form; false if it is not one. */
static bool addr_parse(const char *s, size_t n, unsigned char out[16])
{
	struct config_net net;
	if (memchr(s, '/', n) || !net_parse(s, n, &net))
		return false;
	memcpy(out, net.addr, 16);
	return true;
}

static bool in_nets(const struct config *c, const unsigned char a[16])
{
	for (size_t i = 0; i < c->nproxies; i++) {
		const struct config_net *net = &c->proxies[i];
		unsigned full = net->bits / 8, rest = net->bits % 8;
		if (memcmp(a, net->addr, full))
			continue;
		if (rest && (a[full] ^ net->addr[full]) & (0xff00 >> rest))
			continue;
		return true;
	}
	return false;
}

bool config_trusted(const struct config *c, const char *addr)
{
	unsigned char a[16];
	return addr && addr_parse(addr, strlen(addr), a) && in_nets(c, a);
}

/* Writes a[16] as text: IPv4-mapped addresses as a.b.c.d. */
static const char *addr_text(const unsigned char a[16], char *out, size_t outlen)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	bool v4 = !memcmp(a, mapped, 12);
	if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? a + 12 : a, out, (socklen_t)outlen))
		return NULL;
	return out;
}

/* One entry of X-Forwarded-For, trimmed, with a port or brackets removed
 * ("1.2.3.4:5678", "[2001:db8::1]:443"). */
static bool xff_entry(const char *s, size_t n, unsigned char out[16])
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return false;
		return addr_parse(s + 1, (size_t)(close - s) - 1, out);
	}
	const char *colon = memchr(s, ':', n);
	if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1))
		n = (size_t)(colon - s); /* IPv4 with a port */
	return addr_parse(s, n, out);
}

const char *config_client_addr(const struct config *c, const char *peer, const char *xff,
                               const char *xrealip, char *out, size_t outlen)
{
	/* Why only behind a trusted peer: anyone can send these headers; they
	 * mean something only when our own proxy wrote them. */
	if (!c || !c->nproxies || !config_trusted(c, peer))
		return peer;
	unsigned char a[16], found[16];
	bool have = false;
	if (xff && *xff) {
		/* From the right: each entry was added by the hop after it. The
		 * first one that is not our proxy is the client as far as we
		 * can know; entries left of it could be made up. */
		size_t end = strlen(xff);
		while (end > 0) {
			size_t start = end;
			while (start > 0 && xff[start - 1] != ',')
				start--;
			if (!xff_entry(xff + start, end - start, a))
				break;
			memcpy(found, a, 16);
			have = true;
			if (!in_nets(c, a))
				break;
			end = start ? start - 1 : 0;
		}
	} else if (xrealip && xff_entry(xrealip, strlen(xrealip), a)) {
		memcpy(found, a, 16);
		have = true;
	}
	if (!have)
		return peer;
	const char *text = addr_text(found, out, outlen);
	return text ? text : peer;
}
