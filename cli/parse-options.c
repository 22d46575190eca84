#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-options.h"
#include "usage.h"

int parse_options_usage_code = 129;
const char *parse_options_cobra;

/* "--arch string" / "-a, --amend": the left column of cobra's help. */
static int cobra_left(char *left, size_t cap, const struct option *o)
{
	int n;

	if (o->short_name && o->long_name)
		n = snprintf(left, cap, "-%c, --%s", o->short_name, o->long_name);
	else if (o->short_name)
		n = snprintf(left, cap, "-%c", o->short_name);
	else
		n = snprintf(left, cap, "    --%s", o->long_name);
	if (o->argh && n > 0 && (size_t)n < cap)
		n += snprintf(left + n, cap - n,
			      o->type == OPTION_STRING_OPTARG ? "[=%s]" : " %s",
			      o->argh);
	return n;
}

static void print_cobra_usage(FILE *fp, const char *const *usage,
			      const struct option *opts)
{
	int width = 0;

	fprintf(fp, "Usage:  %s\n\n", usage[0]);
	for (int i = 1; usage[i]; i++)
		fprintf(fp, "%s\n", usage[i]);
	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		char left[80];
		int n;

		if (o->type == OPTION_GROUP)
			continue;
		n = cobra_left(left, sizeof(left), o);
		if (n > width)
			width = n;
	}
	if (width)
		fprintf(fp, "%sOptions:\n", usage[1] ? "\n" : "");
	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		char left[80];

		if (o->type == OPTION_GROUP)
			continue;
		cobra_left(left, sizeof(left), o);
		fprintf(fp, "  %-*s   %s\n", width, left, o->help);
	}
}

void usage_cobra_args(const char *const *usage, int see, const char *fmt, ...)
{
	const char *cmd = parse_options_cobra ? parse_options_cobra : "manifold";
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "manifold: '%s' ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\nUsage:  %s\n\n%s '%s --help' for more information\n",
		usage[0], see ? "See" : "Run", cmd);
	exit(1);
}

static void print_usage(FILE *fp, const char *const *usage,
			const struct option *opts)
{
	fprintf(fp, "usage: %s\n", usage[0]);
	for (int i = 1; usage[i]; i++)
		fprintf(fp, "   or: %s\n", usage[i]);
	fputc('\n', fp);
	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		char left[80];
		int n = 0;

		if (o->type == OPTION_GROUP) {
			fprintf(fp, "\n%s\n", o->help);
			continue;
		}
		if (o->short_name && o->long_name)
			n = snprintf(left, sizeof(left), "-%c, --%s",
				     o->short_name, o->long_name);
		else if (o->short_name)
			n = snprintf(left, sizeof(left), "-%c", o->short_name);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->long_name);
		if (o->argh && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - n,
				 o->type == OPTION_INTEGER_OPTARG ||
				 o->type == OPTION_STRING_OPTARG ? "[=<%s>]" : " <%s>",
				 o->argh);
		if (strlen(left) > 24)
			fprintf(fp, "    %s\n%30s%s\n", left, "", o->help);
		else
			fprintf(fp, "    %-24s  %s\n", left, o->help);
	}
}

void usage_with_options_help(const char *const *usage,
			     const struct option *opts)
{
	if (parse_options_cobra)
		print_cobra_usage(stdout, usage, opts);
	else
		print_usage(stdout, usage, opts);
	if (fflush(stdout) || ferror(stdout))
		die_stdout_error();
	exit(0);
}

void usage_with_options_error(const char *const *usage,
			      const struct option *opts, const char *fmt, ...)
{
	va_list ap;

	if (parse_options_cobra) {
		fflush(stdout);
		if (fmt) {
			va_start(ap, fmt);
			vfprintf(stderr, fmt, ap);
			va_end(ap);
			fputc('\n', stderr);
		}
		fprintf(stderr, "\nUsage:  %s\n\nRun '%s --help' for more information\n",
			usage[0], parse_options_cobra);
		exit(parse_options_usage_code);
	}
	if (fmt) {
		fputs("error: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	print_usage(stderr, usage, opts);
	exit(parse_options_usage_code);
}

static int takes_value(const struct option *o)
{
	return o->type == OPTION_STRING || o->type == OPTION_INTEGER ||
	       o->type == OPTION_STRING_LIST;
}

static void set_value(const struct option *o, const char *arg, int unset,
		      const char *const *usage, const struct option *opts,
		      const char *spelled)
{
	switch (o->type) {
	case OPTION_BOOL:
		*(int *)o->value = unset ? 0 : *(int *)o->value + 1;
		break;
	case OPTION_SET_INT:
		*(int *)o->value = unset ? 0 : (int)o->defval;
		break;
	case OPTION_STRING:
		*(const char **)o->value = unset ? NULL : arg;
		break;
	case OPTION_STRING_LIST:
		if (unset)
			strvec_clear(o->value);
		else
			strvec_push(o->value, arg);
		break;
	case OPTION_STRING_OPTARG:
		*(const char **)o->value = unset ? NULL : arg ? arg : "";
		break;
	case OPTION_INTEGER_OPTARG:
		if (!arg) {
			*(long *)o->value = unset ? 0 : o->defval;
			break;
		}
		/* fall through */
	case OPTION_INTEGER: {
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		if (!*arg || *end || errno)
			usage_with_options_error(usage, opts,
				"option '%s' expects a whole number, not '%s'",
				spelled, arg);
		*(long *)o->value = v;
		break;
	}
	default:
		break;
	}
}

/* cobra's --flag=true|false for a boolean (strconv.ParseBool). */
static void cobra_bool(const struct option *o, const char *v,
		       const char *const *usage, const struct option *opts)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };
	char left[80];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(v, yes[i])) {
			set_value(o, NULL, 0, usage, opts, v);
			return;
		}
		if (!strcmp(v, no[i])) {
			set_value(o, NULL, 1, usage, opts, v);
			return;
		}
	}
	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s", o->short_name, o->long_name);
	else
		snprintf(left, sizeof(left), "--%s", o->long_name);
	usage_with_options_error(usage, opts,
		"invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: "
		"parsing \"%s\": invalid syntax", v, left, v);
}

static const struct option *find_long(const struct option *opts,
				      const char *name, size_t len)
{
	for (const struct option *o = opts; o->type != OPTION_END; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct option *find_short(const struct option *opts, int c)
{
	for (const struct option *o = opts; o->type != OPTION_END; o++)
		if (o->type != OPTION_GROUP && o->short_name == c)
			return o;
	return NULL;
}

int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usage)
{
	int out = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1]) {
			argv[out++] = a;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			usage_with_options_help(usage, opts);
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct option *o = find_long(opts, name, len);
			int unset = 0;

			if (!o && !parse_options_cobra && len > 3 &&
			    !strncmp(name, "no-", 3)) {
				o = find_long(opts, name + 3, len - 3);
				if (o && takes_value(o) && o->type != OPTION_STRING_LIST)
					o = NULL;
				unset = !!o;
			}
			if (!o && parse_options_cobra)
				usage_with_options_error(usage, opts,
					"unknown flag: --%.*s", (int)len, name);
			if (!o)
				usage_with_options_error(usage, opts,
					"unknown option '%.*s'", (int)len, name);
			if (o->type == OPTION_INTEGER_OPTARG ||
			    o->type == OPTION_STRING_OPTARG) {
				set_value(o, eq ? eq + 1 : NULL, unset, usage, opts, a);
			} else if (takes_value(o) && !unset) {
				const char *val = eq ? eq + 1 : NULL;

				if (!val) {
					if (i + 1 >= argc && parse_options_cobra)
						usage_with_options_error(usage, opts,
							"flag needs an argument: --%s",
							o->long_name);
					if (i + 1 >= argc)
						usage_with_options_error(usage, opts,
							"option '--%s' requires a value",
							o->long_name);
					val = argv[++i];
				}
				set_value(o, val, 0, usage, opts, a);
			} else if (eq && parse_options_cobra) {
				cobra_bool(o, eq + 1, usage, opts);
			} else {
				if (eq)
					usage_with_options_error(usage, opts,
						"option '--%s' takes no value",
						o->long_name);
				set_value(o, NULL, unset, usage, opts, a);
			}
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			const struct option *o = find_short(opts, *p);
			char spelled[3] = { '-', *p, 0 };

			if (!o && parse_options_cobra)
				usage_with_options_error(usage, opts,
					"unknown shorthand flag: '%c' in -%c", *p, *p);
			if (!o)
				usage_with_options_error(usage, opts,
					"unknown switch '%c'", *p);
			if (takes_value(o)) {
				const char *val = p[1] ? p + 1 : NULL;

				if (!val) {
					if (i + 1 >= argc && parse_options_cobra)
						usage_with_options_error(usage, opts,
							"flag needs an argument: '%c' in -%c",
							*p, *p);
					if (i + 1 >= argc)
						usage_with_options_error(usage, opts,
							"switch '%c' requires a value", *p);
					val = argv[++i];
				}
				set_value(o, val, 0, usage, opts, spelled);
				break;
			}
			set_value(o, NULL, 0, usage, opts, spelled);
		}
	}
	for (; i < argc; i++)
		argv[out++] = argv[i];
	argv[out] = NULL;
	return out;
}
