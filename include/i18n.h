/*
 * The message catalogue of the page chrome, one column per language (the
 * `ui_language` setting: "en" or "zh"). Content is whatever editors wrote;
 * only labels come from here.
 */
#ifndef GAZETTE_I18N_H
#define GAZETTE_I18N_H

#include <cjson/cJSON.h>

/* The label for key in lang ("en" for anything but "zh"); key itself when
 * the catalogue lacks it (a bug the unit test catches). */
const char *i18n_label(const char *lang, const char *key);
/* An object {key: label, …} of every label in lang, for templates ({{t.home}}). */
cJSON *i18n_labels(const char *lang);

#endif
