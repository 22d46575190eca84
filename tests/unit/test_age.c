/*
 * util/age.c: expiry ages as git takes them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/age.h"
#include "util/error.h"

/* 2026-11-01 12:00:00 UTC */
#define NOW INT64_C(1793534400)

static int64_t age(const char *s)
{
	int64_t t = 12345;

	assert_int_equal(mf_age_parse(&t, s, NOW), 0);
	return t;
}

static void test_age__keywords(void **state)
{
	(void)state;
	assert_true(age("now") == MF_AGE_ALL);
	assert_true(age("all") == MF_AGE_ALL);
	assert_true(age("never") == MF_AGE_NEVER);
	assert_true(age("false") == MF_AGE_NEVER);
}

static void test_age__relative(void **state)
{
	(void)state;
	assert_true(age("90.days.ago") == NOW - 90 * 86400);
	assert_true(age("2.weeks.ago") == NOW - 14 * 86400);
	assert_true(age("2.weeks") == NOW - 14 * 86400);
	assert_true(age("2 weeks ago") == NOW - 14 * 86400);
	assert_true(age("1.week.ago") == NOW - 7 * 86400);
	assert_true(age("1.second.ago") == NOW - 1);
	assert_true(age("30.seconds.ago") == NOW - 30);
	assert_true(age("5.minutes.ago") == NOW - 300);
	assert_true(age("1.minute") == NOW - 60);
	assert_true(age("3.hours.ago") == NOW - 3 * 3600);
	assert_true(age("1.hour.ago") == NOW - 3600);
	assert_true(age("1.day.ago") == NOW - 86400);
	assert_true(age("2.months.ago") == NOW - 60 * 86400);
	assert_true(age("1.month") == NOW - 30 * 86400);
	assert_true(age("1.year.ago") == NOW - 365 * 86400);
	assert_true(age("2.Years.AGO") == NOW - 2 * 365 * 86400);
	assert_true(age("0.days.ago") == NOW);
}

static void test_age__dates(void **state)
{
	(void)state;
	assert_true(age("1970-01-01") == 0);
	assert_true(age("2026-11-01") == NOW - 12 * 3600);
	assert_true(age("2026-11-01 12:00:00") == NOW);
	assert_true(age("2026-11-01T12:00:00Z") == NOW);
	assert_true(age("2026-11-01T12:00") == NOW);
	assert_true(age("2026-11-01T13:30:00+01:30") == NOW);
	assert_true(age("2026-11-01T10:00:00-0200") == NOW);
	assert_true(age("2000-02-29") == INT64_C(951782400));
	assert_true(age("1969-12-31") == -86400);
	assert_true(age("@0") == 0);
	assert_true(age("@1793534400") == NOW);
}

static void test_age__rejects(void **state)
{
	static const char *const bad[] = {
		"", "Now", "nevermore", "2", "2.", ".weeks.ago", "2.fortnights.ago",
		"2.weeks.since", "2.weeks.ago.", "2..weeks", "-2.weeks.ago",
		"2.weekss", "99999999999999999999.days.ago", "9999999999999.years",
		"2026-13-01", "2026-02-29", "2026-00-10", "2026-11-00", "2026-11-1",
		"26-11-01", "2026-11-01 24:00", "2026-11-01T12:60",
		"2026-11-01T12:00:00+2400", "2026-11-01 12", "2026-11-01x",
		"2026-11-01T12:00:00ZZ", "@", "@-1", "@12x", "@99999999999999999999",
	};
	int64_t t = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mf_age_parse(&t, bad[i], NOW) != MF_EINVALID)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(strstr(mf_error_last(), "invalid age"));
	}
	assert_true(t == 42);
}

static void test_age__extreme_now(void **state)
{
	int64_t t;

	(void)state;
	/* Saturates instead of overflowing. */
	assert_int_equal(mf_age_parse(&t, "100.years.ago", INT64_MIN + 5), 0);
	assert_true(t == INT64_MIN + 1);
	assert_int_equal(mf_age_parse(&t, "1.second", INT64_MAX), 0);
	assert_true(t == INT64_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age__keywords),
		cmocka_unit_test(test_age__relative),
		cmocka_unit_test(test_age__dates),
		cmocka_unit_test(test_age__rejects),
		cmocka_unit_test(test_age__extreme_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
