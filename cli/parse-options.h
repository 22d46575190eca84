#ifndef MF_UTIL_PARSE_OPTIONS_H
#define MF_UTIL_PARSE_OPTIONS_H

#include "util/strvec.h"

/*
 * Table-driven option parsing in the manner of git's parse-options.
 *
 * Options and arguments may be mixed; "--" ends the options.  Short
 * boolean options bundle (-sp), values may be attached (-tfoo,
 * --type=foo) or separate (-t foo, --type foo); booleans take --no-X.
 * -h and --help print the generated help to stdout and exit 0.  A usage
 * error prints "error: ..." and the usage to stderr and exits with
 * parse_options_usage_code (129 for plumbing, 125 for porcelain; set by
 * manifold.c before a command runs).
 */
enum parse_opt_type {
	OPTION_END,
	OPTION_GROUP,
	OPTION_BOOL,		/* int: 0/1, counts with repetition */
	OPTION_SET_INT,		/* int: set to defval */
	OPTION_STRING,		/* const char *: last one wins */
	OPTION_INTEGER,		/* long */
	OPTION_STRING_LIST,	/* struct strvec: every occurrence appended */
	OPTION_INTEGER_OPTARG,	/* long: --x sets defval, --x=N sets N */
	OPTION_STRING_OPTARG,	/* const char *: --x sets "", --x=V sets V */
};

struct option {
	enum parse_opt_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh;
	const char *help;
	long defval;
};

#define OPT_END() { OPTION_END, 0, NULL, NULL, NULL, NULL, 0 }
#define OPT_GROUP(h) { OPTION_GROUP, 0, NULL, NULL, NULL, (h), 0 }
#define OPT_BOOL(s, l, v, h) { OPTION_BOOL, (s), (l), (v), NULL, (h), 0 }
#define OPT_SET_INT(s, l, v, h, i) { OPTION_SET_INT, (s), (l), (v), NULL, (h), (i) }
#define OPT_STRING(s, l, v, a, h) { OPTION_STRING, (s), (l), (v), (a), (h), 0 }
#define OPT_INTEGER(s, l, v, a, h) { OPTION_INTEGER, (s), (l), (v), (a), (h), 0 }
#define OPT_INTEGER_OPTARG(l, v, a, h, d) { OPTION_INTEGER_OPTARG, 0, (l), (v), (a), (h), (d) }
#define OPT_STRING_OPTARG(l, v, a, h) { OPTION_STRING_OPTARG, 0, (l), (v), (a), (h), 0 }
#define OPT_STRING_LIST(s, l, v, a, h) { OPTION_STRING_LIST, (s), (l), (v), (a), (h), 0 }

extern int parse_options_usage_code;

/*
 * The porcelain reports usage errors in the words of docker's CLI
 * (cobra), so scripts written for `docker manifest` see the same text and
 * status.  manifold.c sets parse_options_cobra to "manifold <command>"
 * for porcelain commands; then
 *  - errors read "unknown flag: --bogus", "unknown shorthand flag: 'x' in
 *    -x", "flag needs an argument: --arch", followed by "\nUsage:  <usage[0]>
 *    \n\nRun '<command> --help' for more information" (exit 125);
 *  - booleans also take --flag=true|false, and there is no --no-flag;
 *  - --help prints "Usage:  <usage[0]>", the later usage lines (the
 *    description), and the options with their argh as the type word.
 */
extern const char *parse_options_cobra;

/*
 * cobra's argument-count error ("manifold: 'manifold create' requires at
 * least 2 arguments", then the usage and "See"/"Run" (see = 1/0) '...
 * --help' for more information); exits 1, as docker does.
 */
void usage_cobra_args(const char *const *usage, int see, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

/*
 * Parse argv[1..argc) against opts; on return argv[0..n) holds the
 * non-option arguments and n is returned.  usage[0] is the synopsis,
 * later entries extra synopsis lines, NULL-terminated.
 */
int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usage);

/* Print "error: <msg>" and the usage to stderr; exit with the usage code. */
void usage_with_options_error(const char *const *usage,
			      const struct option *opts, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

/* Print the help to stdout and exit 0. */
void usage_with_options_help(const char *const *usage,
			     const struct option *opts)
	__attribute__((noreturn));

#endif
