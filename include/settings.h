/*
 * The site settings of SPEC §3: the list of keys, their defaults and the
 * validator of each value. The CLI and the admin pages write settings only
 * after settings_check() accepted them; the pages read them from the
 * settings table and fall back to these defaults for missing keys.
 */
#ifndef GAZETTE_SETTINGS_H
#define GAZETTE_SETTINGS_H

#include <stddef.h>

struct setting_def {
	const char *key;
	const char *def;  /* the default value, "" for none */
	const char *help; /* one English line describing the value */
};

/* Every key, in display order. */
extern const struct setting_def settings_table[];
extern const size_t settings_count;

/* The definition of key, or NULL for an unknown key. */
const struct setting_def *settings_find(const char *key);

/* The default of key, or NULL for an unknown key. */
const char *settings_default(const char *key);

/*
 * NULL when value is acceptable for key; otherwise a static English
 * sentence saying what is wrong ("unknown setting", "timezone must be an
 * IANA time zone name such as Asia/Shanghai", ...).
 */
const char *settings_check(const char *key, const char *value);

#endif
