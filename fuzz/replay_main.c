/*
 * Runs a libFuzzer harness without libFuzzer: every input named on the
 * command line goes once through LLVMFuzzerTestOneInput, so the ordinary
 * build (GCC, plain or with sanitizers) replays the corpus and every input
 * that ever crashed on each test run.
 *
 *   fuzz_NAME_replay PATH...
 *
 * A file is one input; a directory stands for its regular files (sorted,
 * names starting with '.' skipped). Each input is copied into a buffer of
 * exactly its length, as libFuzzer does, so a read past the end is an ASan
 * error. A harness that finds a broken promise aborts; a missing path, an
 * unreadable file or no input at all is an error too (exit 2).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t replayed;

/* Reads path whole into a buffer of exactly its size and runs it. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *data = malloc(cap);
	size_t n;
	while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			uint8_t *bigger = realloc(data, cap *= 2);
			if (!bigger)
				free(data);
			data = bigger;
		}
	}
	int bad = !data || ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		free(data);
		return -1;
	}
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(data);
		return -1;
	}
	memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	replayed++;
	return 0;
}

static int skip_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	struct dirent **names;
	int n = scandir(path, &names, skip_hidden, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
		char *child = malloc(len);
		if (child) {
			snprintf(child, len, "%s/%s", path, names[i]->d_name);
			if (stat(child, &st) == 0 && S_ISREG(st.st_mode) && replay_file(child) < 0)
				rc = -1;
		} else {
			rc = -1;
		}
		free(child);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i]) < 0)
			rc = 2;
	if (replayed == 0) {
		fprintf(stderr, "replay: no input to replay\n");
		rc = 2;
	}
	printf("replayed %zu inputs%s\n", replayed, rc ? " (with errors)" : "");
	return rc;
}
