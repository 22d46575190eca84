/*
 * cli/progress.c: the line's words, units, rates, times left and cut
 * (progress_format()), and the renderer thread against workers that
 * count as fast as they can (under TSan too) on a pseudo-terminal.
 */
#define _XOPEN_SOURCE 700	/* posix_openpt(), grantpt(), ptsname() */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/progress.h"

#define MiB ((uint64_t)1 << 20)

static const char *line(const struct progress_view *v, size_t width)
{
	static char out[512];
	size_t len = progress_format(out, sizeof(out), v, width);

	assert_int_equal(len, strlen(out));
	return out;
}

static void test_format__the_words(void **state)
{
	struct progress_view v = {
		.title = "Pushing app:v1", .objects_total = 65, .objects_done = 37,
		.bytes_total = 40 * MiB, .bytes_done = (uint64_t)(12.3 * MiB),
		.rate = 8.1 * MiB, .elapsed = 5,
	};

	(void)state;
	/* (40 - 12.3) MiB at 8.1 MiB/s: 3.4 s */
	assert_string_equal(line(&v, 200), "Pushing app:v1: 37/65 objects, "
			    "12.3/40.0 MiB, 8.1 MiB/s, 3 s left");
	v.done = 1;
	v.objects_done = 65;
	v.bytes_done = 40 * MiB;
	assert_string_equal(line(&v, 200), "Pushing app:v1: 65/65 objects, "
			    "40.0/40.0 MiB, 8.1 MiB/s, done.");
	/* done loaded after total, ahead of it: capped */
	v.objects_done = 70;
	v.bytes_done = 41 * MiB;
	v.rate = 0;
	assert_string_equal(line(&v, 200), "Pushing app:v1: 65/65 objects, "
			    "40.0/40.0 MiB, done.");
}

static void test_format__before_totals(void **state)
{
	struct progress_view v = { .title = "Fetching r/a:v1", .elapsed = 0.5 };

	(void)state;
	assert_string_equal(line(&v, 80), "Fetching r/a:v1: 0 manifests read");
	v.read = 1;
	assert_string_equal(line(&v, 80), "Fetching r/a:v1: 1 manifest read");
	v.read = 7;
	assert_string_equal(line(&v, 80), "Fetching r/a:v1: 7 manifests read");
}

static void test_format__units(void **state)
{
	struct progress_view v = {
		.title = "T", .objects_total = 4, .objects_done = 1,
		.bytes_total = 500, .bytes_done = 100,
	};

	(void)state;
	assert_string_equal(line(&v, 80), "T: 1/4 objects, 100/500 B");
	v.bytes_total = 1536;
	v.bytes_done = 512;
	assert_string_equal(line(&v, 80), "T: 1/4 objects, 0.5/1.5 KiB");
	v.bytes_total = 1023;
	assert_string_equal(line(&v, 80), "T: 1/4 objects, 512/1023 B");
	v.bytes_total = 1024;
	assert_string_equal(line(&v, 80), "T: 1/4 objects, 0.5/1.0 KiB");
	v.bytes_total = 3 * (MiB << 10);
	v.bytes_done = MiB << 10;
	v.rate = 1024;
	/* 2 GiB at 1 KiB/s */
	assert_string_equal(line(&v, 80), "T: 1/4 objects, 1.0/3.0 GiB, "
			    "1.0 KiB/s, 582 h 32 min left");
	v.rate = 0.5;	/* below a byte per second: not shown */
	assert_string_equal(line(&v, 80), "T: 1/4 objects, 1.0/3.0 GiB");
	/* bytes without a total: what is done */
	v.bytes_total = 0;
	v.bytes_done = 3 * MiB / 2;
	v.rate = 0;
	assert_string_equal(line(&v, 80), "T: 1/4 objects, 1.5 MiB");
	v.bytes_total = (uint64_t)5 << 40;
	v.bytes_done = (uint64_t)1 << 40;
	assert_string_equal(line(&v, 80), "T: 1/4 objects, 1.0/5.0 TiB");
}

static void test_format__time_left(void **state)
{
	/* No byte total: the objects at the pace so far. */
	struct progress_view v = {
		.title = "T", .objects_total = 10, .objects_done = 5, .elapsed = 10,
	};

	(void)state;
	assert_string_equal(line(&v, 80), "T: 5/10 objects, 10 s left");
	v.elapsed = 125;
	assert_string_equal(line(&v, 80), "T: 5/10 objects, 2 min 5 s left");
	v.elapsed = 3725;
	assert_string_equal(line(&v, 80), "T: 5/10 objects, 1 h 2 min left");
	/* Too early to tell, nothing done yet, or everything done. */
	v.elapsed = 0.5;
	assert_string_equal(line(&v, 80), "T: 5/10 objects");
	v.elapsed = 10;
	v.objects_done = 0;
	assert_string_equal(line(&v, 80), "T: 0/10 objects");
	v.objects_done = 10;
	assert_string_equal(line(&v, 80), "T: 10/10 objects");
	/* A byte total but no rate yet: from the objects. */
	v.objects_done = 5;
	v.bytes_total = 100;
	v.bytes_done = 10;
	assert_string_equal(line(&v, 80), "T: 5/10 objects, 10/100 B, 10 s left");
	/* Bytes all there, objects not: from the objects. */
	v.bytes_done = 100;
	v.rate = 50;
	assert_string_equal(line(&v, 80), "T: 5/10 objects, 100/100 B, 50 B/s, "
			    "10 s left");
}

static void test_format__width(void **state)
{
	struct progress_view v = {
		.title = "Pushing app:v1", .objects_total = 65, .objects_done = 37,
	};
	char small[8];

	(void)state;
	/* Never into the last column. */
	assert_string_equal(line(&v, 21), "Pushing app:v1: 37/6");
	assert_string_equal(line(&v, 2), "P");
	assert_string_equal(line(&v, 1), "");
	assert_string_equal(line(&v, 0), "Pushing app:v1: 37/65 objects");
	/* A cut never splits a UTF-8 sequence: "é" is 2 bytes, "€" 3. */
	v.title = "\xc3\xa9\xe2\x82\xac";
	assert_string_equal(line(&v, 3), "\xc3\xa9");
	assert_string_equal(line(&v, 4), "\xc3\xa9");
	assert_string_equal(line(&v, 5), "\xc3\xa9");
	assert_string_equal(line(&v, 6), "\xc3\xa9\xe2\x82\xac");
	/* A small buffer: cut, terminated. */
	v.title = "Pushing app:v1";
	assert_int_equal(progress_format(small, sizeof(small), &v, 200), 7);
	assert_string_equal(small, "Pushing");
	assert_int_equal(progress_format(small, 0, &v, 200), 0);
}

static void test_width__columns(void **state)
{
	int fd = open("/dev/null", O_RDONLY);

	(void)state;
	setenv("COLUMNS", "42", 1);
	assert_int_equal(progress_width(fd), 42);
	/* Not a number, or none: the terminal's, else 80. */
	setenv("COLUMNS", "42x", 1);
	assert_int_equal(progress_width(fd), 80);
	setenv("COLUMNS", "0", 1);
	assert_int_equal(progress_width(fd), 80);
	unsetenv("COLUMNS");
	assert_int_equal(progress_width(fd), 80);
	close(fd);
}

/* Not a terminal, or -q: no line, no thread; NULL is a no-op. */
static void test_start__not_a_terminal(void **state)
{
	struct eng_progress c = { 0 };
	int saved = dup(2), fd = open("/dev/null", O_WRONLY);

	(void)state;
	dup2(fd, 2);
	assert_null(progress_start("T", &c, 1));
	dup2(saved, 2);
	close(fd);
	close(saved);
	if (isatty(2))
		assert_null(progress_start("T", &c, 0));
	progress_stop(NULL, 1);
}

/* Workers counting as fast as they can while the line is drawn. */
struct counter {
	struct eng_progress *c;
	int n;
};

static void *count(void *arg)
{
	struct counter *w = arg;

	for (int i = 0; i < w->n; i++) {
		eng_progress_bytes(w->c, 3);
		if (i % 1000 == 999)
			eng_progress_done(w->c, 1, 0);
	}
	return NULL;
}

static void test_render__workers_on_a_terminal(void **state)
{
	struct eng_progress c = { 0 };
	struct counter w = { &c, 2000000 };
	pthread_t th[4];
	struct termios t;
	struct timespec pause = { 0, 700 * 1000000L };
	struct progress *pg;
	char got[65536];
	size_t len = 0;
	int master, slave, saved = dup(2), redraws = 0;
	ssize_t n;

	(void)state;
	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_int_equal(tcgetattr(slave, &t), 0);
	t.c_oflag &= ~(tcflag_t)OPOST;	/* "\n" as written */
	assert_int_equal(tcsetattr(slave, TCSANOW, &t), 0);
	dup2(slave, 2);
	eng_progress_total(&c, 4 * 2000, 4 * 3 * 2000000);
	setenv("COLUMNS", "72", 1);
	pg = progress_start("Testing", &c, 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, count, &w), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	nanosleep(&pause, NULL);
	progress_stop(pg, 1);
	dup2(saved, 2);
	close(saved);
	close(slave);
	unsetenv("COLUMNS");
	assert_non_null(pg);
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (len < sizeof(got) - 1 && (n = read(master, got + len,
						    sizeof(got) - 1 - len)) > 0)
		len += (size_t)n;
	got[len] = '\0';
	close(master);
	for (size_t i = 0; i < len; i++)
		redraws += got[i] == '\r';
	/* 700 ms at a tick of 200: 3 redraws at least, and the last line */
	assert_true(redraws >= 4);
	assert_non_null(strstr(got, "\rTesting: 8000/8000 objects, "
				    "22.9/22.9 MiB, "));
	assert_non_null(strstr(got, "done.\033[K\n"));
	assert_int_equal(got[len - 1], '\n');
	/* every line cut to 71 characters */
	for (char *p = got, *e; (p = strchr(p, '\r')); p = e) {
		e = strstr(p, "\033[K");
		assert_non_null(e);
		assert_true(e - p - 1 <= 71);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format__the_words),
		cmocka_unit_test(test_format__before_totals),
		cmocka_unit_test(test_format__units),
		cmocka_unit_test(test_format__time_left),
		cmocka_unit_test(test_format__width),
		cmocka_unit_test(test_width__columns),
		cmocka_unit_test(test_start__not_a_terminal),
		cmocka_unit_test(test_render__workers_on_a_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
