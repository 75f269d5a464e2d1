/* Site settings: every key's good and bad values, unknown keys, defaults. */
#include "check.h"
#include "settings.h"

#include <string.h>

static void good(const char *key, const char *value)
{
	const char *why = settings_check(key, value);
	if (why)
		fprintf(stderr, "  %s=%s refused: %s\n", key, value, why);
	CHECK(why == NULL);
}

static void bad(const char *key, const char *value)
{
	const char *why = settings_check(key, value);
	if (!why)
		fprintf(stderr, "  %s=%s accepted\n", key, value);
	CHECK(why != NULL);
}

int main(void)
{
	/* the table: fourteen keys, all with defaults that pass their validator */
	CHECK(settings_count == 14);
	for (size_t i = 0; i < settings_count; i++) {
		CHECK(settings_find(settings_table[i].key) == &settings_table[i]);
		good(settings_table[i].key, settings_table[i].def);
	}
	CHECK_STR(settings_default("site_name"), "Gazette");
	CHECK_STR(settings_default("timezone"), "UTC");
	CHECK_STR(settings_default("ui_language"), "en");
	CHECK_STR(settings_default("logo"), "");
	CHECK_STR(settings_default("revisions_keep"), "50");

	/* revisions_keep: a whole number from 1 to 1000, one spelling each */
	good("revisions_keep", "1");
	good("revisions_keep", "50");
	good("revisions_keep", "1000");
	bad("revisions_keep", "0");
	bad("revisions_keep", "1001");
	bad("revisions_keep", "-5");
	bad("revisions_keep", "050");
	bad("revisions_keep", "+5");
	bad("revisions_keep", " 5");
	bad("revisions_keep", "5 ");
	bad("revisions_keep", "5.0");
	bad("revisions_keep", "");
	bad("revisions_keep", "ten");
	bad("revisions_keep", "99999999999999999999");
	/* require_2fa_admins: 0 or 1, nothing else */
	CHECK_STR(settings_default("require_2fa_admins"), "0");
	good("require_2fa_admins", "0");
	good("require_2fa_admins", "1");
	bad("require_2fa_admins", "");
	bad("require_2fa_admins", "2");
	bad("require_2fa_admins", "yes");
	bad("require_2fa_admins", " 1");
	bad("require_2fa_admins", "01");
	CHECK(settings_default("nope") == NULL);

	bad("nope", "x");
	bad("", "x");
	bad("SITE_NAME", "x");
	CHECK_STR(settings_check("colour", "red"), "unknown setting");

	good("site_name", "Chenghu College News");
	good("site_name", "澄湖学院新闻网");
	bad("site_name", "");
	bad("site_name", "two\nlines");
	bad("site_name", "bad \xff utf-8");
	char longname[300];
	memset(longname, 'n', 201);
	longname[201] = '\0';
	bad("site_name", longname);
	longname[200] = '\0';
	good("site_name", longname);

	good("logo", "");
	good("logo", "/static/logo.png");
	good("logo", "https://cdn.example.org/logo.svg");
	good("logo", "http://example.org/a.png");
	bad("logo", "javascript:alert(1)");
	bad("logo", "data:image/png;base64,AAAA");
	bad("logo", "//evil.example/logo.png");
	bad("logo", "logo.png");
	bad("logo", "/static/a b.png");
	bad("logo", "/static/a\".png");
	bad("logo", "/static/a'.png");
	bad("logo", "/static/a\t.png");
	bad("logo", "https://");

	good("timezone", "UTC");
	good("timezone", "Asia/Shanghai");
	good("timezone", "Europe/Berlin");
	bad("timezone", "Mars/Olympus");
	bad("timezone", "../etc/passwd");
	bad("timezone", "");

	good("ui_language", "en");
	good("ui_language", "zh");
	bad("ui_language", "fr");
	bad("ui_language", "EN");
	bad("ui_language", "");

	good("footer_email", "");
	good("footer_email", "office@example.edu");
	good("footer_email", "first.last+news@mail.chenghu-college.example");
	bad("footer_email", "office");
	bad("footer_email", "office@localhost");
	bad("footer_email", "@example.edu");
	bad("footer_email", "a@b@example.edu");
	bad("footer_email", "a b@example.edu");
	bad("footer_email", "a@-example.edu");
	bad("footer_email", "a@example..edu");
	bad("footer_email", "a@example.edu.");
	bad("footer_email", "\"<script>\"@example.edu");

	static const char *const lines[] = {"footer_address",   "footer_zip", "footer_hotline",
	                                    "footer_copyright", "footer_icp", "footer_police",
	                                    "footer_support"};
	char line300[400];
	memset(line300, 'a', 301);
	line300[301] = '\0';
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		good(lines[i], "");
		good(lines[i], "1 College Avenue · 澄湖新城");
		bad(lines[i], "line one\nline two");
		bad(lines[i], "bell\a");
		bad(lines[i], line300);
		line300[300] = '\0';
		good(lines[i], line300);
		line300[300] = 'a';
	}
	return check_done("test_settings");
}
