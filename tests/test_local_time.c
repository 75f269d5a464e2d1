/* app_local_time formats by hand what strftime("%Y-%m-%d %H:%M:%S") gives
 * for localtime: the same text for every time in several zones. */
#include "app.h"
#include "arena.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void same_as_strftime(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
	struct arena a = {0};
	unsigned seed = 7;
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		/* 1970 to about 2106, and the edges of days and years */
		long long t = i < 10 ? (long long)i * 86399 : (long long)seed + (i % 3) * 86400;
		time_t tt = (time_t)t;
		struct tm tm;
		char want[32];
		localtime_r(&tt, &tm);
		strftime(want, sizeof want, "%Y-%m-%d %H:%M:%S", &tm);
		if (strcmp(app_local_time(&a, t), want) != 0 && bad++ < 5)
			CHECK_STR(app_local_time(&a, t), want);
		arena_reset(&a);
	}
	CHECK(bad == 0);
	arena_free(&a);
}

int main(void)
{
	same_as_strftime("UTC");
	same_as_strftime("Asia/Shanghai");
	same_as_strftime("America/New_York");
	same_as_strftime("Australia/Lord_Howe"); /* half-hour daylight saving */
	struct arena a = {0};
	setenv("TZ", "UTC", 1);
	tzset();
	CHECK_STR(app_local_time(&a, 0), "1970-01-01 00:00:00");
	CHECK_STR(app_local_time(&a, 1700000000), "2023-11-14 22:13:20");
	CHECK_STR(app_local_time(&a, 253402300800LL), ""); /* year 10000 */
	arena_free(&a);
	return check_done("test_local_time");
}
