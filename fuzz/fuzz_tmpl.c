/*
 * libFuzzer harness for the template parser and renderer. The input up to
 * its first NUL byte is the template "main", the rest (if any) the template
 * "p", so includes between fuzzer-made templates (and cycles) are explored.
 * Both render against a small fixed cJSON tree. Arrays hold two items at
 * most, so loops around includes stay cheap within the include depth.
 *
 * Run: fuzz/run.sh SECONDS tmpl (seeds in fuzz/corpus/tmpl).
 */
#include "buf.h"
#include "tmpl.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_data[] =
    "{\"title\":\"<T & 'q'>\",\"n\":12,\"f\":2.5,\"zero\":0,\"t\":true,\"no\":false,"
    "\"nul\":null,\"empty\":\"\",\"none\":[],\"html\":\"<b>x</b>\","
    "\"site\":{\"name\":\"Gazette\",\"a\":{\"b\":{\"c\":\"deep\"}}},"
    "\"articles\":[{\"title\":\"A\",\"tags\":[\"x\",\"y\"]},{\"title\":\"B\",\"tags\":[]}],"
    "\"a\":[1,\"two\"],\"b\":{\"a\":\"x\"},\"p\":\"p\",\"main\":{\"main\":1}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *tree;
	static struct buf out;
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t main_len = nul ? (size_t)(nul - text) : size;
	struct tmpl_set *set = NULL;
	char err[256];

	if (!tree)
		tree = cJSON_Parse(fuzz_data);
	if (tmpl_set_add(&set, "main", text, main_len, err, sizeof err) == 0 && nul)
		(void)tmpl_set_add(&set, "p", nul + 1, size - main_len - 1, err, sizeof err);
	if (set) {
		buf_reset(&out);
		(void)tmpl_render(set, "main", tree, &out);
		(void)tmpl_render(set, "p", tree, &out);
	}
	tmpl_set_free(set);
	return 0;
}
