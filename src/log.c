/* stderr logging with pid and request id. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static unsigned long current_request;
static int quiet;

void log_set_quiet(int q)
{
	quiet = q;
}

void log_set_request(unsigned long id)
{
	current_request = id;
}

__attribute__((format(printf, 2, 0))) static void vlog(const char *level, const char *fmt,
                                                       va_list ap)
{
	char line[1024];
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	int n = snprintf(line, sizeof line, "%s gazette[%d] %s", when, (int)getpid(), level);
	if (current_request && n > 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, " req=%lu", current_request);
	if (n > 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, ": ");
	if (n > 0 && (size_t)n < sizeof line)
		vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	/* One write per line so lines of concurrent workers do not interleave. */
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("error", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	if (quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog("info", fmt, ap);
	va_end(ap);
}
