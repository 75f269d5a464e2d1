/*
 * The demo site: categories, articles and settings written for Gazette
 * (an invented college), loaded by `gazette demo`.
 */
#ifndef GAZETTE_DEMO_H
#define GAZETTE_DEMO_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct demo_setting {
	const char *key, *value;
};

/* A value for every site setting. */
extern const struct demo_setting demo_settings[];
extern const size_t demo_nsettings;

/*
 * The demo categories and articles as an import document (SPEC §6's JSON
 * shape), with publication times spread over the two months before now,
 * one article scheduled after now and one draft. Returns a tree to free
 * with cJSON_Delete().
 */
cJSON *demo_document(long long now);

#endif
