#ifndef MF_CLI_PROGRESS_H
#define MF_CLI_PROGRESS_H

/*
 * The live progress line of a copy (push, fetch, export, import) on a
 * terminal: a renderer thread reads the counts the engine keeps
 * (engine/progress.h: it only loads atomics, so it never makes a worker
 * wait) every PROGRESS_TICK_MS and redraws one line on stderr, "\r",
 * the line, then "\033[K" to clear what a longer line left, cut to the
 * terminal's width ($COLUMNS, else TIOCGWINSZ, else 80).  It redraws on
 * every tick even when nothing moved, so a terminal never sits silent
 * for more than a tick.
 *
 * Only when stderr is a terminal and the user did not ask for -q:
 * progress_start() returns NULL otherwise, and every function here
 * accepts NULL and does nothing.  Nothing goes to stdout.
 *
 * progress_stop() ends it: after a copy that succeeded, the line is
 * drawn a last time with ", done." and a newline (git's way), so what
 * the command prints next starts on a line of its own; after a failure
 * the line is cleared, and the error message stands alone.  It must be
 * called before the command prints anything else or dies.
 */
#include <stddef.h>
#include <stdint.h>

#include "engine/progress.h"

#define PROGRESS_TICK_MS 200

struct progress;

/*
 * title: what is copied, e.g. "Pushing app:v1" (copied).  counts must
 * be zeroed and outlive progress_stop().  enabled: the command's
 * decision (not -q); the terminal test is made here.
 */
struct progress *progress_start(const char *title, struct eng_progress *counts,
				int enabled);
void progress_stop(struct progress *pg, int done);

/* One state of the line, for progress_format(). */
struct progress_view {
	const char *title;
	uint64_t objects_total, objects_done;
	uint64_t bytes_total, bytes_done;
	uint64_t read;		/* manifests read, while no total is known */
	double rate;		/* bytes per second lately; 0: unknown */
	double elapsed;		/* seconds since the start */
	int done;		/* the final line */
};

/*
 * Write the line for v into out (cap bytes, NUL-terminated), at most
 * width - 1 bytes (so that the cursor never wraps; a cut never splits
 * a UTF-8 sequence): "TITLE: 37/65 objects, 12.3/40.0 MiB, 8.1 MiB/s,
 * 3 s left".  Bytes are shown in B, KiB, MiB, GiB or TiB (both sides of
 * "done/total" in the unit of the total), the rate when known, and
 * what is left from the bytes when their total and a rate are known,
 * else from the objects at the pace so far (after a second).  Before
 * any total is known: "TITLE: N manifests read".  The final line ends
 * in ", done." instead.  Returns the length.
 */
size_t progress_format(char *out, size_t cap, const struct progress_view *v,
		       size_t width);

/* The terminal's width for fd: $COLUMNS, else TIOCGWINSZ, else 80. */
size_t progress_width(int fd);

#endif
