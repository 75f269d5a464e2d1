/* The settings file, the environment layer and the client address behind
 * trusted proxies (src/config.c). */
#include "check.h"
#include "config.h"
#include "media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[600];

/* Loads text as the file "gazette.ini" into c; returns config_load_stream's. */
static int load(struct config *c, const char *text)
{
	err[0] = '\0';
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	if (!f)
		return -2;
	int rc = config_load_stream(c, "gazette.ini", f, err, sizeof err);
	fclose(f);
	return rc;
}

/* A fresh config loaded from text must fail with exactly msg. */
static void refused(const char *text, const char *msg)
{
	struct config c, before;
	config_init(&c);
	config_set(&c, "workers", "3", err, sizeof err);
	before = c;
	int rc = load(&c, text);
	CHECK(rc == -1);
	CHECK_STR(err, msg);
	CHECK(memcmp(&c, &before, sizeof c) == 0); /* all of the file or none of it */
}

static void test_defaults(void)
{
	struct config c;
	config_init(&c);
	CHECK(c.db[0] == '\0' && c.data_dir[0] == '\0' && c.listen[0] == '\0');
	CHECK(c.workers == 0);
	CHECK(c.https == CONFIG_HTTPS_AUTO);
	CHECK(c.upload_max == MEDIA_MAX_BYTES);
	CHECK(c.log_level == CONFIG_LOG_INFO);
	CHECK(c.nproxies == 0);
	CHECK(load(&c, "") == 0);
	CHECK(load(&c, "; only a comment\n# another\n\n   \n") == 0);
	CHECK(c.workers == 0);
}

static void test_full_file(void)
{
	struct config c;
	config_init(&c);
	const char *text = "\xEF\xBB\xBF; Gazette settings\n"
	                   "[gazette]\n"
	                   "db = /var/lib/gazette/site.db\n"
	                   "data_dir = \"/var/lib/gazette\"\n"
	                   "templates = /usr/share/gazette/templates\n"
	                   "listen = unix:/run/gazette/gazette.sock ; the pool's socket\n"
	                   "workers = 4\r\n"
	                   "base_url = https://news.example.edu/news/\n"
	                   "https = on\n"
	                   "upload_max = 4M\n"
	                   "log_level = error\n"
	                   "trusted_proxies = 127.0.0.1, ::1\n"
	                   "trusted_proxies = 10.0.0.0/8\n";
	CHECK(load(&c, text) == 0);
	CHECK_STR(err, "");
	CHECK_STR(c.db, "/var/lib/gazette/site.db");
	CHECK_STR(c.data_dir, "/var/lib/gazette");
	CHECK_STR(c.templates, "/usr/share/gazette/templates");
	CHECK_STR(c.listen, "unix:/run/gazette/gazette.sock");
	CHECK(c.workers == 4);
	CHECK_STR(c.base_url, "https://news.example.edu/news");
	CHECK(c.https == CONFIG_HTTPS_ON);
	CHECK(c.upload_max == 4u * 1024 * 1024);
	CHECK(c.log_level == CONFIG_LOG_ERROR);
	CHECK(c.nproxies == 3); /* a repeated trusted_proxies adds */
	config_finish(&c);
	CHECK_STR(c.db, "/var/lib/gazette/site.db"); /* a given db is kept */
	CHECK_STR(c.media_dir, "/var/lib/gazette/media");

	/* key: value (configparser style) and no section are fine too */
	config_init(&c);
	CHECK(load(&c, "workers: 2\nlisten = 127.0.0.1:9000\n") == 0);
	CHECK(c.workers == 2);
	CHECK_STR(c.listen, "127.0.0.1:9000");
	CHECK(load(&c, "listen = [::1]:9000\n") == 0);
	CHECK(load(&c, "listen = :9000\n") == 0);
	CHECK(load(&c, "https = auto\nupload_max = 1024\nlog_level = INFO\n") == 0);
	CHECK(c.https == CONFIG_HTTPS_AUTO && c.upload_max == 1024);
	CHECK(load(&c, "upload_max = 10M\n") == 0 && c.upload_max == MEDIA_MAX_BYTES);
	CHECK(load(&c, "upload_max = 512k\n") == 0 && c.upload_max == 512 * 1024);
	CHECK(load(&c, "trusted_proxies = none\n") == 0 && c.nproxies == 0);
	CHECK(load(&c, "base_url = http://localhost:8080\n") == 0);
	CHECK_STR(c.base_url, "http://localhost:8080");
	CHECK(load(&c, "base_url = http://[::1]:8080/a-b/c_d.e~f/\n") == 0);
	CHECK_STR(c.base_url, "http://[::1]:8080/a-b/c_d.e~f");
}

static void test_file_errors(void)
{
	refused("db = /a.db\nlisten = unix:/run/g.sock\n\n\n\n\nwrokers = 4\n",
	        "gazette.ini:7: unknown key 'wrokers'");
	refused("[server]\nworkers = 2\n", "gazette.ini:2: unknown section [server]");
	refused("workers = 2\nworkers = 3\n", "gazette.ini:2: 'workers' is set twice");
	refused("[gazette]\nworkers = 2\n[gazette]\nworkers = 3\n",
	        "gazette.ini:4: 'workers' is set twice");
	refused("db = gazette.db\n", "gazette.ini:1: db must be an absolute path");
	refused("data_dir = var\n", "gazette.ini:1: data_dir must be an absolute path");
	refused("templates = ./templates\n", "gazette.ini:1: templates must be an absolute path");
	refused("db =\n", "gazette.ini:1: db must be an absolute path");
	refused("pages = pages\n", "gazette.ini:1: pages must be an absolute path");
	refused("workers =\n", "gazette.ini:1: workers: empty value");
	refused("workers = 0\n", "gazette.ini:1: workers must be a number from 1 to 256, not '0'");
	refused("workers = 257\n",
	        "gazette.ini:1: workers must be a number from 1 to 256, not '257'");
	refused("workers = two\n",
	        "gazette.ini:1: workers must be a number from 1 to 256, not 'two'");
	refused("workers = 2 # two\n",
	        "gazette.ini:1: workers must be a number from 1 to 256, not '2 # two'");
	refused("listen = /run/g.sock\n",
	        "gazette.ini:1: listen must be unix:PATH or HOST:PORT, not '/run/g.sock'");
	refused("listen = localhost:http\n",
	        "gazette.ini:1: listen must be unix:PATH or HOST:PORT, not 'localhost:http'");
	refused("listen = 127.0.0.1:70000\n",
	        "gazette.ini:1: listen must be unix:PATH or HOST:PORT, not '127.0.0.1:70000'");
	refused("listen = unix:run/g.sock\n",
	        "gazette.ini:1: listen: a unix socket needs an absolute path of at most 107 bytes "
	        "(unix:/run/gazette/gazette.sock)");
	static const char *const bad_urls[] = {
	    "ftp://example.edu",
	    "example.edu",
	    "http://",
	    "https:///news",
	    "http://exa mple.edu",
	    "http://example.edu/news?x=1",
	    "http://example.edu/#top",
	    "http://example.edu/a%20b",
	    "http://example.edu/\"><x",
	    "http://user@example.edu",
	    "http://example.edu:99999",
	    "http://example.edu//evil.org",
	    "javascript:alert(1)",
	    "http://[::1/",
	    "http://example.edu:/news",
	    "http://ex<ample.edu",
	};
	for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
		char text[200], want[300];
		snprintf(text, sizeof text, "base_url = %s\n", bad_urls[i]);
		snprintf(
		    want, sizeof want,
		    "gazette.ini:1: base_url must be http(s)://HOST[:PORT][/PATH] with a plain "
		    "path, not '%s'",
		    bad_urls[i]);
		refused(text, want);
	}
	refused("https = off\n", "gazette.ini:1: https must be 'auto' or 'on', not 'off'");
	refused("https = maybe\n", "gazette.ini:1: https must be 'auto' or 'on', not 'maybe'");
	static const char *const bad_sizes[] = {"0", "11M", "512",  "10G",
	                                        "M", "-1M", "1.5M", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
		char text[100], want[200];
		snprintf(text, sizeof text, "upload_max = %s\n", bad_sizes[i]);
		snprintf(
		    want, sizeof want,
		    "gazette.ini:1: upload_max must be a size from 1K to 10M (e.g. 4M), not '%s'",
		    bad_sizes[i]);
		refused(text, want);
	}
	refused("log_level = debug\n",
	        "gazette.ini:1: log_level must be 'error' or 'info', not 'debug'");
	refused("trusted_proxies = 10.0.0.1/8\n",
	        "gazette.ini:1: trusted_proxies: '10.0.0.1/8' is not an IP address or ADDRESS/BITS "
	        "range");
	refused("trusted_proxies = 127.0.0.1 proxy.example.edu\n",
	        "gazette.ini:1: trusted_proxies: 'proxy.example.edu' is not an IP address or "
	        "ADDRESS/BITS range");
	refused("trusted_proxies = 10.0.0.0/33\n",
	        "gazette.ini:1: trusted_proxies: '10.0.0.0/33' is not an IP address or "
	        "ADDRESS/BITS range");
	refused("trusted_proxies = ::1/129\n",
	        "gazette.ini:1: trusted_proxies: '::1/129' is not an IP address or ADDRESS/BITS "
	        "range");
	/* Syntax: a line without '=', an unclosed section, a continuation. */
	refused("workers = 2\nworkers\n",
	        "gazette.ini:2: syntax error (want KEY = VALUE or [gazette])");
	refused("[gazette\n", "gazette.ini:1: syntax error (want KEY = VALUE or [gazette])");
	refused("db = /a.db\n    /b.db\n",
	        "gazette.ini:2: syntax error (want KEY = VALUE or [gazette])");
	/* Lines libinih cannot hold whole, NUL bytes and control characters. */
	char long_line[400];
	snprintf(long_line, sizeof long_line, "\n\ndb = /%0300d\n", 0);
	refused(long_line, "gazette.ini:3: line too long (at most 197 characters)");
	static const char nul[] = "workers = 2\nd\0b = /x\n";
	struct config c;
	config_init(&c);
	FILE *f = fmemopen((void *)nul, sizeof nul - 1, "r");
	CHECK(config_load_stream(&c, "gazette.ini", f, err, sizeof err) == -1);
	CHECK_STR(err, "gazette.ini:2: NUL byte in the line");
	fclose(f);
	refused("db = /a\x01.db\n", "gazette.ini:1: db: control characters or invalid UTF-8");
	refused("db = /a\xff.db\n", "gazette.ini:1: db: control characters or invalid UTF-8");
	/* The first error is the one reported. */
	refused("bogus = 1\nworkers = 0\n", "gazette.ini:1: unknown key 'bogus'");

	/* A file that cannot be read. */
	config_init(&c);
	CHECK(config_load(&c, "/nonexistent/gazette.ini", err, sizeof err) == -1);
	CHECK_STR(err, "/nonexistent/gazette.ini: No such file or directory");
}

static void test_env_and_flags(void)
{
	struct config c;
	config_init(&c);
	CHECK(load(&c, "db = /file.db\nworkers = 2\nlog_level = error\n") == 0);
	setenv("GAZETTE_WORKERS", "5", 1);
	setenv("GAZETTE_DB", "", 1); /* empty: as if unset */
	setenv("GAZETTE_DATA", "/srv/gz", 1);
	CHECK(config_env(&c, err, sizeof err) == 0);
	CHECK(c.workers == 5);       /* the environment beats the file */
	CHECK_STR(c.db, "/file.db"); /* and leaves what it does not name */
	CHECK(c.log_level == CONFIG_LOG_ERROR);
	CHECK(config_set(&c, "workers", "7", err, sizeof err) == 0); /* a flag beats both */
	CHECK(c.workers == 7);
	config_finish(&c);
	CHECK_STR(c.media_dir, "/srv/gz/media");

	setenv("GAZETTE_WORKERS", "many", 1);
	CHECK(config_env(&c, err, sizeof err) == -1);
	CHECK_STR(err, "GAZETTE_WORKERS: workers must be a number from 1 to 256, not 'many'");
	unsetenv("GAZETTE_WORKERS");
	setenv("GAZETTE_BASE_URL", "news.example.edu", 1);
	CHECK(config_env(&c, err, sizeof err) == -1);
	CHECK(strncmp(err, "GAZETTE_BASE_URL: base_url must be", 34) == 0);
	unsetenv("GAZETTE_BASE_URL");
	unsetenv("GAZETTE_DB");
	unsetenv("GAZETTE_DATA");

	/* Relative paths are fine from the environment and flags (the caller's
	 * directory is meant), unlike in a file. */
	config_init(&c);
	CHECK(config_set(&c, "db", "var/gazette.db", err, sizeof err) == 0);
	config_finish(&c);
	CHECK_STR(c.media_dir, "var/media");
	config_init(&c);
	CHECK(config_set(&c, "db", "gazette.db", err, sizeof err) == 0);
	config_finish(&c);
	CHECK_STR(c.media_dir, "./media");
	config_init(&c);
	CHECK(config_set(&c, "db", "/gazette.db", err, sizeof err) == 0);
	config_finish(&c);
	CHECK_STR(c.media_dir, "/media");
	config_init(&c);
	CHECK(config_set(&c, "data_dir", "/var/lib/gazette", err, sizeof err) == 0);
	config_finish(&c);
	CHECK_STR(c.db, "/var/lib/gazette/gazette.db");
	CHECK_STR(c.media_dir, "/var/lib/gazette/media");
	config_init(&c);
	config_finish(&c);
	CHECK(c.db[0] == '\0' && c.media_dir[0] == '\0');
	/* The page keeper's directory: beside the data, named, or none. */
	config_init(&c);
	CHECK(load(&c, "data_dir = /srv/gz\n") == 0);
	config_finish(&c);
	CHECK_STR(c.pages_dir, "/srv/gz/pages");
	config_init(&c);
	CHECK(load(&c, "data_dir = /srv/gz\npages = /var/www/pages\n") == 0);
	config_finish(&c);
	CHECK_STR(c.pages_dir, "/var/www/pages");
	config_init(&c);
	CHECK(load(&c, "data_dir = /srv/gz\npages = off\n") == 0);
	config_finish(&c);
	CHECK(c.pages_off && c.pages_dir[0] == '\0');
	CHECK(config_set(&c, NULL, "x", err, sizeof err) == -1);

	CHECK(config_set(&c, "wrokers", "2", err, sizeof err) == -1);
	CHECK_STR(err, "unknown key 'wrokers'");
	CHECK_STR(config_flag_key("--base-url"), "base_url");
	CHECK_STR(config_flag_key("--data"), "data_dir");
	CHECK(config_flag_key("--nope") == NULL);
	/* A flag replaces the file's proxy list rather than adding to it. */
	CHECK(load(&c, "trusted_proxies = 10.0.0.0/8\n") == 0);
	CHECK(config_set(&c, "trusted_proxies", "::1", err, sizeof err) == 0);
	CHECK(c.nproxies == 1 && !config_trusted(&c, "10.1.2.3") && config_trusted(&c, "::1"));
	CHECK(config_set(&c, "trusted_proxies", "", err, sizeof err) == 0 && c.nproxies == 0);
}

static void test_client_addr(void)
{
	struct config c;
	char out[64];
	config_init(&c);
	/* No trusted proxies (the default): the headers are never believed. */
	CHECK_STR(
	    config_client_addr(&c, "127.0.0.1", "203.0.113.9", "203.0.113.8", out, sizeof out),
	    "127.0.0.1");
	CHECK_STR(config_client_addr(NULL, "127.0.0.1", "203.0.113.9", NULL, out, sizeof out),
	          "127.0.0.1");
	CHECK(config_set(&c, "trusted_proxies", "127.0.0.0/8 10.0.0.0/8 ::1 2001:db8:1::/48", err,
	                 sizeof err) == 0);
	CHECK(config_trusted(&c, "127.0.0.1") && config_trusted(&c, "127.255.0.9"));
	CHECK(config_trusted(&c, "::ffff:127.0.0.1")); /* the same peer on a dual-stack socket */
	CHECK(config_trusted(&c, "2001:db8:1:ffff::1"));
	CHECK(!config_trusted(&c, "2001:db8:2::1"));
	CHECK(!config_trusted(&c, "128.0.0.1") && !config_trusted(&c, "11.0.0.1"));
	CHECK(!config_trusted(&c, "") && !config_trusted(&c, NULL) &&
	      !config_trusted(&c, "localhost") && !config_trusted(&c, "127.0.0.1/8"));

	/* An untrusted peer: its headers are its own words. */
	CHECK_STR(
	    config_client_addr(&c, "198.51.100.7", "203.0.113.9", "203.0.113.8", out, sizeof out),
	    "198.51.100.7");
	/* Behind our proxy: the rightmost address that is not ours. */
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "203.0.113.9", NULL, out, sizeof out),
	          "203.0.113.9");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", NULL, out,
	                             sizeof out),
	          "203.0.113.9");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "garbage, 10.0.0.2", NULL, out, sizeof out),
	          "10.0.0.2");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "10.0.0.3,10.0.0.2", NULL, out, sizeof out),
	          "10.0.0.3");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "203.0.113.9:4711", NULL, out, sizeof out),
	          "203.0.113.9");
	CHECK_STR(config_client_addr(&c, "::1", "[2001:DB8::1]:443", NULL, out, sizeof out),
	          "2001:db8::1");
	CHECK_STR(config_client_addr(&c, "::1", " 2001:db8::2 ", NULL, out, sizeof out),
	          "2001:db8::2");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "::ffff:203.0.113.5", NULL, out, sizeof out),
	          "203.0.113.5");
	/* Malformed or empty headers leave the peer. */
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "unknown", NULL, out, sizeof out),
	          "127.0.0.1");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "1.2.3.4,", NULL, out, sizeof out),
	          "127.0.0.1");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "<script>", "1.2.3.4", out, sizeof out),
	          "127.0.0.1");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "1.2.3.4/8", NULL, out, sizeof out),
	          "127.0.0.1");
	/* X-Real-IP only without X-Forwarded-For. */
	CHECK_STR(config_client_addr(&c, "127.0.0.1", NULL, "203.0.113.8", out, sizeof out),
	          "203.0.113.8");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", "", "203.0.113.8", out, sizeof out),
	          "203.0.113.8");
	CHECK_STR(config_client_addr(&c, "127.0.0.1", NULL, "not an ip", out, sizeof out),
	          "127.0.0.1");
}

int main(void)
{
	test_defaults();
	test_full_file();
	test_file_errors();
	test_env_and_flags();
	test_client_addr();
	return check_done("test_config");
}
