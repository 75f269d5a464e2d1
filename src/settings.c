/* The site settings: keys, defaults and one validator per key. */
#include "settings.h"
#include "valid.h"

#include <stdbool.h>
#include <string.h>

enum { FOOTER_MAX = 300, SITE_NAME_MAX = 200, LOGO_MAX = 1000, EMAIL_MAX = 254 };

const struct setting_def settings_table[] = {
    {"site_name", "Gazette", "the site's name, shown in the header and titles"},
    {"logo", "", "URL of the logo image: a path like /static/logo.png or an http(s) URL"},
    {"timezone", "UTC", "IANA time zone for displayed times, e.g. Asia/Shanghai"},
    {"ui_language", "en", "language of the page chrome: en or zh"},
    {"footer_address", "", "postal address line of the footer"},
    {"footer_zip", "", "postal code"},
    {"footer_hotline", "", "telephone line(s)"},
    {"footer_email", "", "contact e-mail address"},
    {"footer_copyright", "", "copyright line"},
    {"footer_icp", "", "ICP licence number"},
    {"footer_police", "", "public security registration number"},
    {"footer_support", "", "technical support line"},
    {"require_2fa_admins", "0", "1: an admin without two-factor login must set it up before anything else; 0: optional"},
    {"revisions_keep", "50", "revisions kept of each article: the latest N (1 to 1000), then one a day for a year"},
};
const size_t settings_count = sizeof settings_table / sizeof settings_table[0];

const struct setting_def *settings_find(const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < settings_count; i++)
		if (!strcmp(settings_table[i].key, key))
			return &settings_table[i];
	return NULL;
}

const char *settings_default(const char *key)
{
	const struct setting_def *d = settings_find(key);
	return d ? d->def : NULL;
}

/* The logo lands in an src attribute: besides escaping on output, refuse
 * anything that is not plainly a same-site path or a web URL, so no
 * javascript: or data: URL and no attribute-breaking characters get in. */
static const char *check_logo(const char *v)
{
	if (!*v)
		return NULL;
	if (!valid_line(v, LOGO_MAX))
		return "logo must be a single line of at most 1000 characters";
	for (const char *p = v; *p; p++)
		if (strchr(" \t\"'`<>\\", *p))
			return "logo must not contain spaces, quotes, angle brackets or "
			       "backslashes";
	/* "//host/x" would load from another site while looking like a path. */
	if (v[0] == '/' && v[1] != '/')
		return NULL;
	if ((!strncmp(v, "https://", 8) && v[8]) || (!strncmp(v, "http://", 7) && v[7]))
		return NULL;
	return "logo must be empty, a path starting with / or an http(s) URL";
}

static bool email_local_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&*+-/=?^_{|}~.", c));
}

/* A plausible address, not RFC 5322 in full: local@domain.tld with common
 * characters, so that a mailto: link built from it is harmless. */
static const char *check_email(const char *v)
{
	static const char *bad = "footer_email must be empty or an address like office@example.edu";
	if (!*v)
		return NULL;
	size_t n = strlen(v);
	const char *at = strchr(v, '@');
	if (n > EMAIL_MAX || !at || at == v || strchr(at + 1, '@'))
		return bad;
	for (const char *p = v; p < at; p++)
		if (!email_local_char(*p))
			return bad;
	if (v[0] == '.' || at[-1] == '.')
		return bad;
	const char *dom = at + 1;
	size_t label = 0, labels = 0;
	for (const char *p = dom;; p++) {
		char c = *p;
		if (c == '.' || !c) {
			if (label == 0 || p[-1] == '-')
				return bad;
			labels++;
			label = 0;
			if (!c)
				break;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || (c == '-' && label > 0);
		if (!ok)
			return bad;
		label++;
	}
	return labels >= 2 ? NULL : bad;
}

const char *settings_check(const char *key, const char *value)
{
	if (!settings_find(key))
		return "unknown setting";
	if (!value)
		return "missing value";
	if (!strcmp(key, "site_name")) {
		if (!*value || !valid_line(value, SITE_NAME_MAX))
			return "site_name must be one line of 1 to 200 characters";
		return NULL;
	}
	if (!strcmp(key, "logo"))
		return check_logo(value);
	if (!strcmp(key, "timezone"))
		return valid_timezone(value) ? NULL
		                             : "timezone must be an IANA time zone name such as "
		                               "Asia/Shanghai";
	if (!strcmp(key, "ui_language"))
		return !strcmp(value, "en") || !strcmp(value, "zh")
		           ? NULL
		           : "ui_language must be en or zh";
	if (!strcmp(key, "require_2fa_admins"))
		return !strcmp(value, "0") || !strcmp(value, "1") ? NULL
		                                                  : "require_2fa_admins must be 0 or 1";
	if (!strcmp(key, "footer_email"))
		return check_email(value);
	if (!strcmp(key, "revisions_keep")) {
		long long n;
		/* valid_int: one spelling per number, no sign, spaces or leading zeros. */
		return valid_int(value, 1, 1000, &n) ? NULL
		                                     : "revisions_keep must be a whole number from 1 to 1000";
	}
	/* The other footer lines: free text on one line. */
	if (!valid_line(value, FOOTER_MAX))
		return "footer lines must be one line of at most 300 characters";
	return NULL;
}
