/*
 * A tiny test harness: CHECK(cond) records a failure with its line and goes
 * on; main() ends with `return check_done("name");`, which prints the
 * summary line ctest shows and returns the exit code.
 */
#ifndef GAZETTE_TEST_CHECK_H
#define GAZETTE_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed, check_passed;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (cond) {                                                                \
			check_passed++;                                                    \
		} else {                                                                   \
			check_failed++;                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
				#cond);                                                    \
		}                                                                          \
	} while (0)

#define CHECK_STR(got, want)                                                               \
	do {                                                                               \
		const char *g_ = (got), *w_ = (want);                                      \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                                     \
			check_passed++;                                                    \
		} else {                                                                   \
			check_failed++;                                                    \
			fprintf(stderr, "%s:%d: %s\n  got:  %s\n  want: %s\n", __FILE__,     \
				__LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");   \
		}                                                                          \
	} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
