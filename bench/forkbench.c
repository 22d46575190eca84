/*
 * forkbench: time process start-up, fork+exec in a tight loop.
 *
 *   forkbench <runs> <rounds> <label> <prog> [args...] \; <label> <prog> [args...] ...
 *
 * Each command (a label, an absolute program path and its arguments; commands
 * are separated by a lone ";") is run <runs> times in all, interleaved:
 * <rounds> rounds, each running every command <runs>/<rounds> times in a row,
 * the order of commands rotating each round. A child's stdin, stdout and
 * stderr are /dev/null; every run must exit 0, else forkbench reports the
 * command and exits 1.
 *
 * Output, one line per command (tab-separated):
 *   <label> <runs> <mean ms> <median-of-rounds ms> <min-round ms> <max-round ms>
 * where a "round" figure is the mean over that round's runs.
 *
 * Built by bench/startup.sh with: cc -O2 -o forkbench forkbench.c
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cmd {
	const char *label;
	char **argv;
	double total_ns;
	double *round_ms;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void run_once(const struct cmd *c, int devnull)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		perror("forkbench: fork");
		exit(1);
	}
	if (!pid) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execv(c->argv[0], c->argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("forkbench: waitpid");
			exit(1);
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "forkbench: '%s' (%s) failed: status %d\n",
			c->label, c->argv[0], status);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct cmd cmds[16];
	int ncmd = 0, runs, rounds, per_round, devnull;

	if (argc < 5) {
		fprintf(stderr, "usage: forkbench <runs> <rounds> <label> <prog> [args...]"
			" [\\; <label> <prog> [args...]]...\n");
		return 2;
	}
	runs = atoi(argv[1]);
	rounds = atoi(argv[2]);
	if (runs <= 0 || rounds <= 0 || runs % rounds) {
		fprintf(stderr, "forkbench: runs must be a positive multiple of rounds\n");
		return 2;
	}
	per_round = runs / rounds;
	for (int i = 3; i < argc; ) {
		int j = i;

		if (ncmd == 16 || i + 1 >= argc) {
			fprintf(stderr, "forkbench: bad command list\n");
			return 2;
		}
		while (j < argc && strcmp(argv[j], ";"))
			j++;
		cmds[ncmd].label = argv[i];
		cmds[ncmd].argv = argv + i + 1;
		cmds[ncmd].total_ns = 0;
		cmds[ncmd].round_ms = calloc((size_t)rounds, sizeof(double));
		if (j < argc)
			argv[j] = NULL;	/* terminate this command's argv */
		ncmd++;
		i = j + 1;
	}
	devnull = open("/dev/null", O_RDWR);
	if (devnull < 0) {
		perror("forkbench: /dev/null");
		return 1;
	}
	/* One unmeasured warm-up run of each. */
	for (int c = 0; c < ncmd; c++)
		run_once(&cmds[c], devnull);
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < ncmd; k++) {
			struct cmd *c = &cmds[(k + r) % ncmd];
			double t0 = now_ns(), dt;

			for (int n = 0; n < per_round; n++)
				run_once(c, devnull);
			dt = now_ns() - t0;
			c->total_ns += dt;
			c->round_ms[r] = dt / per_round / 1e6;
		}
	}
	for (int c = 0; c < ncmd; c++) {
		double *m = cmds[c].round_ms;

		qsort(m, (size_t)rounds, sizeof(double), cmp_double);
		printf("%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\n", cmds[c].label, runs,
		       cmds[c].total_ns / runs / 1e6,
		       rounds % 2 ? m[rounds / 2] : (m[rounds / 2 - 1] + m[rounds / 2]) / 2,
		       m[0], m[rounds - 1]);
	}
	return 0;
}
