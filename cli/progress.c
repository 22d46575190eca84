/*
 * The live progress line (cli/progress.h): one renderer thread per
 * copy, reading the engine's atomic counts.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/progress.h"
#include "util/error.h"
#include "util/wrapper.h"

/* bytes_sent samples a rate is computed over: the last ~3 s. */
#define RATE_SAMPLES 16

struct progress {
	char *title;
	struct eng_progress *counts;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;			/* under lock */
	struct timespec start;
	struct { double t; uint64_t sent; } samples[RATE_SAMPLES];
	size_t nsamples, next;
};

static double now_since(const struct timespec *start)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - start->tv_sec) +
	       (double)(ts.tv_nsec - start->tv_nsec) / 1e9;
}

size_t progress_width(int fd)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;

	if (cols && *cols) {
		char *end;
		long n = strtol(cols, &end, 10);

		if (!*end && n > 0 && n < 10000)
			return (size_t)n;
	}
	if (!ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Append to out at *len, never past cap - 1. */
MF_PRINTF(4, 5)
static void add(char *out, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };

/* The unit for n: the largest whose 1 is at most n. */
static int unit_of(uint64_t n)
{
	int u = 0;

	while (u < 4 && n >= (uint64_t)1024 << (10 * u))
		u++;
	return u;
}

static double in_unit(uint64_t n, int u)
{
	return (double)n / (double)((uint64_t)1 << (10 * u));
}

static void add_size(char *out, size_t cap, size_t *len, uint64_t n, int u)
{
	if (u)
		add(out, cap, len, "%.1f", in_unit(n, u));
	else
		add(out, cap, len, "%llu", (unsigned long long)n);
}

static void add_time(char *out, size_t cap, size_t *len, double s)
{
	unsigned long long n = (unsigned long long)(s + 0.5);

	if (n < 60)
		add(out, cap, len, "%llu s", n);
	else if (n < 3600)
		add(out, cap, len, "%llu min %llu s", n / 60, n % 60);
	else
		add(out, cap, len, "%llu h %llu min", n / 3600, n % 3600 / 60);
}

size_t progress_format(char *out, size_t cap, const struct progress_view *v,
		       size_t width)
{
	uint64_t odone = v->objects_done, bdone = v->bytes_done;
	size_t len = 0;

	if (!cap)
		return 0;
	out[0] = '\0';
	/* The counts are loaded one by one: done may run ahead of total. */
	if (odone > v->objects_total)
		odone = v->objects_total;
	if (v->bytes_total && bdone > v->bytes_total)
		bdone = v->bytes_total;
	add(out, cap, &len, "%s: ", v->title);
	if (!v->objects_total) {
		add(out, cap, &len, "%llu manifest%s read", (unsigned long long)v->read,
		    v->read == 1 ? "" : "s");
	} else {
		add(out, cap, &len, "%llu/%llu objects", (unsigned long long)odone,
		    (unsigned long long)v->objects_total);
		if (v->bytes_total) {
			int u = unit_of(v->bytes_total);

			add(out, cap, &len, ", ");
			add_size(out, cap, &len, bdone, u);
			add(out, cap, &len, "/");
			add_size(out, cap, &len, v->bytes_total, u);
			add(out, cap, &len, " %s", units[u]);
		} else if (bdone) {
			int u = unit_of(bdone);

			add(out, cap, &len, ", ");
			add_size(out, cap, &len, bdone, u);
			add(out, cap, &len, " %s", units[u]);
		}
	}
	if (v->rate >= 1) {
		int u = unit_of((uint64_t)v->rate);

		add(out, cap, &len, ", ");
		add_size(out, cap, &len, (uint64_t)v->rate, u);
		add(out, cap, &len, " %s/s", units[u]);
	}
	if (v->done) {
		add(out, cap, &len, ", done.");
	} else if (v->bytes_total && bdone < v->bytes_total && v->rate >= 1) {
		add(out, cap, &len, ", ");
		add_time(out, cap, &len, (double)(v->bytes_total - bdone) / v->rate);
		add(out, cap, &len, " left");
	} else if (v->objects_total && odone && odone < v->objects_total &&
		   v->elapsed >= 1) {
		add(out, cap, &len, ", ");
		add_time(out, cap, &len, v->elapsed *
			 (double)(v->objects_total - odone) / (double)odone);
		add(out, cap, &len, " left");
	}
	/* Never into the last column, never half a UTF-8 sequence. */
	if (width && len > width - 1) {
		len = width - 1;
		while (len && ((unsigned char)out[len] & 0xC0) == 0x80)
			len--;
		out[len] = '\0';
	}
	return len;
}

/* The rate over the samples kept, with one taken now. */
static double sample_rate(struct progress *pg, double t, uint64_t sent)
{
	size_t oldest = pg->nsamples < RATE_SAMPLES ? 0 : pg->next;
	double rate = 0;

	if (pg->nsamples) {
		double dt = t - pg->samples[oldest].t;

		if (dt > 0.05)
			rate = (double)(sent - pg->samples[oldest].sent) / dt;
	}
	pg->samples[pg->next].t = t;
	pg->samples[pg->next].sent = sent;
	pg->next = (pg->next + 1) % RATE_SAMPLES;
	if (pg->nsamples < RATE_SAMPLES)
		pg->nsamples++;
	return rate;
}

/* Write to stderr; a terminal gone is not the copy's failure. */
static void put(const char *s, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(2, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

/* One write: the line is never interleaved with itself. */
static void draw(struct progress *pg, int done)
{
	struct eng_progress *c = pg->counts;
	struct progress_view v;
	char line[1024], out[1100];
	double t = now_since(&pg->start);
	uint64_t sent = eng_progress_get(&c->bytes_sent);
	size_t len;

	v.title = pg->title;
	v.objects_total = eng_progress_get(&c->objects_total);
	v.objects_done = eng_progress_get(&c->objects_done);
	v.bytes_total = eng_progress_get(&c->bytes_total);
	v.bytes_done = eng_progress_get(&c->bytes_done);
	v.read = eng_progress_get(&c->read);
	v.elapsed = t;
	v.done = done;
	/* The final line gives the rate of the whole copy. */
	v.rate = done ? (t > 0.05 ? (double)sent / t : 0) : sample_rate(pg, t, sent);
	progress_format(line, sizeof(line), &v, progress_width(2));
	len = (size_t)snprintf(out, sizeof(out), "\r%s\033[K%s", line,
			       done ? "\n" : "");
	put(out, len);
}

static void *render(void *arg)
{
	struct progress *pg = arg;

	pthread_mutex_lock(&pg->lock);
	while (!pg->stop) {
		struct timespec until;

		int rc = 0;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += PROGRESS_TICK_MS / 1000;
		until.tv_nsec += PROGRESS_TICK_MS % 1000 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		/* 0: woken (by progress_stop(), or spuriously); else the tick. */
		while (!pg->stop && !rc)
			rc = pthread_cond_timedwait(&pg->wake, &pg->lock, &until);
		if (pg->stop)
			break;
		pthread_mutex_unlock(&pg->lock);
		draw(pg, 0);
		pthread_mutex_lock(&pg->lock);
	}
	pthread_mutex_unlock(&pg->lock);
	return NULL;
}

struct progress *progress_start(const char *title, struct eng_progress *counts,
				int enabled)
{
	struct progress *pg;

	if (!enabled || !isatty(2))
		return NULL;
	pg = xcalloc(1, sizeof(*pg));
	pg->title = xstrdup(title);
	pg->counts = counts;
	pthread_mutex_init(&pg->lock, NULL);
	pthread_cond_init(&pg->wake, NULL);
	clock_gettime(CLOCK_MONOTONIC, &pg->start);
	if (pthread_create(&pg->thread, NULL, render, pg)) {
		/* No thread: no live line, the copy goes on without it. */
		pthread_cond_destroy(&pg->wake);
		pthread_mutex_destroy(&pg->lock);
		free(pg->title);
		free(pg);
		return NULL;
	}
	return pg;
}

void progress_stop(struct progress *pg, int done)
{
	static const char clear[] = "\r\033[K";

	if (!pg)
		return;
	pthread_mutex_lock(&pg->lock);
	pg->stop = 1;
	pthread_cond_signal(&pg->wake);
	pthread_mutex_unlock(&pg->lock);
	pthread_join(pg->thread, NULL);
	if (done)
		draw(pg, 1);
	else
		put(clear, sizeof(clear) - 1);
	pthread_cond_destroy(&pg->wake);
	pthread_mutex_destroy(&pg->lock);
	free(pg->title);
	free(pg);
}
