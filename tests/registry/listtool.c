/*
 * listtool: drive manifest/list.[ch] from shell tests (t3000), so that
 * its bytes can be compared with what the real docker CLI pushes.  Test
 * use only; not installed.
 *
 *   listtool build [--format docker|oci|auto] < SPEC
 *	Build a list from SPEC and print it serialised (no newline added).
 *	--format auto (the default) applies list_choose_format().
 *   listtool reserialise [MEDIA-TYPE] < BYTES
 *	list_parse() then list_serialise() in the parsed format.
 *   listtool media-type [--format ...] < SPEC
 *	Print the media type the list would get, and a newline.
 *
 * SPEC has one command per line; blank lines and lines starting with #
 * are skipped; fields are separated by single spaces, and the last field
 * of a line may contain spaces.
 *   add MEDIA-TYPE SIZE DIGEST         a new entry (no platform)
 *   platform OS ARCH [VARIANT]         list_entry_set_platform() on it
 *   os-version V                       set the platform's os.version
 *   os-feature F / feature F           list_entry_add_(os_)feature()
 *   annotate [--os X] [--arch X] [--variant X] [--os-version X]
 *            [--os-features A,B]...    list_entry_annotate(), with
 *                                      docker's flag semantics
 *   annotation KEY VALUE               an annotation of the last entry
 *   index-annotation KEY VALUE         an annotation of the index
 *   artifact-type MT / index-artifact-type MT
 *   remove N                           list_remove(N)
 * Values may use C escapes (\n, \t, \\, \xHH, \uHHHH) so that tests can
 * write control characters and non-ASCII text.
 * Exit 0 on success, 1 on failure (the message on stderr), 2 on usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/list.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: listtool build|media-type [--format docker|oci|auto] < spec\n"
		"       listtool reserialise [media-type] < bytes\n");
	return 2;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undo C-style escapes in place. */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': *o++ = '\n'; s++; break;
		case 't': *o++ = '\t'; s++; break;
		case 'r': *o++ = '\r'; s++; break;
		case 'b': *o++ = '\b'; s++; break;
		case 'f': *o++ = '\f'; s++; break;
		case 'x':
			if (hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
				*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
				s += 3;
			} else {
				*o++ = *s++;
			}
			break;
		case 'u': {
			unsigned cp = 0;
			int i, ok = 1;

			for (i = 1; i <= 4; i++)
				if (hexval(s[i]) < 0)
					ok = 0;
			if (!ok) {
				*o++ = *s++;
				break;
			}
			for (i = 1; i <= 4; i++)
				cp = cp * 16 + (unsigned)hexval(s[i]);
			s += 5;
			if (cp < 0x80) {
				*o++ = (char)cp;
			} else if (cp < 0x800) {
				*o++ = (char)(0xc0 | (cp >> 6));
				*o++ = (char)(0x80 | (cp & 0x3f));
			} else {
				*o++ = (char)(0xe0 | (cp >> 12));
				*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
				*o++ = (char)(0x80 | (cp & 0x3f));
			}
			break;
		}
		default:
			*o++ = *s++;
			break;
		}
	}
	*o = '\0';
}

/* Split "a b c" into at most `max` fields; the last one keeps its spaces. */
static size_t split(char **f, size_t max, char *line)
{
	size_t n = 0;

	while (*line && n < max) {
		f[n++] = line;
		if (n == max)
			break;
		line = strchr(line, ' ');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static int fail(int line, const char *msg)
{
	fprintf(stderr, "listtool: line %d: %s\n", line, msg);
	return 1;
}

/* "annotate" flags: --flag VALUE pairs separated by single spaces. */
static int do_annotate(struct list_entry *e, char *args, int line)
{
	struct list_annotate_opts o = { 0 };
	struct strvec feats = STRVEC_INIT;
	char *f[64];
	size_t n = 0, i;
	int ret;

	/* split everything on spaces: flag values here have none */
	while (args && *args && n < 64) {
		f[n++] = args;
		args = strchr(args, ' ');
		if (args)
			*args++ = '\0';
	}
	for (i = 0; i + 1 < n; i += 2) {
		char *v = f[i + 1];

		if (!strcmp(v, "''"))
			v[0] = '\0';
		unescape(v);
		if (!strcmp(f[i], "--os")) {
			o.os = v;
		} else if (!strcmp(f[i], "--arch")) {
			o.arch = v;
		} else if (!strcmp(f[i], "--variant")) {
			o.variant = v;
		} else if (!strcmp(f[i], "--os-version")) {
			o.os_version = v;
		} else if (!strcmp(f[i], "--os-features")) {
			/* pflag's StringSlice: comma-separated, "" is none */
			char *p = v, *c;

			for (; *v; p = c + 1) {	/* "": no feature */
				c = strchr(p, ',');
				if (c)
					*c = '\0';
				strvec_push(&feats, p);
				if (!c)
					break;
			}
		} else {
			strvec_clear(&feats);
			return fail(line, "unknown annotate flag");
		}
	}
	if (i != n) {
		strvec_clear(&feats);
		return fail(line, "annotate: a flag without a value");
	}
	o.os_features = (const char *const *)feats.v;
	o.os_features_nr = feats.nr;
	ret = list_entry_annotate(e, &o);
	strvec_clear(&feats);
	if (ret) {
		fprintf(stderr, "%s\n", mf_error_last());
		return 1;
	}
	return 0;
}

static int build(struct list *l, FILE *in)
{
	struct list_entry *last = NULL;
	char buf[8192];
	int line = 0;

	while (fgets(buf, sizeof(buf), in)) {
		char *f[5], *cmd;
		size_t n, len = strlen(buf);

		line++;
		if (len && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (!len || buf[0] == '#')
			continue;
		cmd = buf;
		if (!strncmp(cmd, "add ", 4)) {
			char *end;
			long long size;

			n = split(f, 4, cmd);
			if (n != 4)
				return fail(line, "add MEDIA-TYPE SIZE DIGEST");
			size = strtoll(f[2], &end, 10);
			if (*end)
				return fail(line, "bad size");
			if (list_add(&last, l, f[1], f[3], size)) {
				fprintf(stderr, "%s\n", mf_error_last());
				return 1;
			}
			continue;
		}
		if (!strncmp(cmd, "index-annotation ", 17)) {
			n = split(f, 3, cmd);
			if (n != 3)
				return fail(line, "index-annotation KEY VALUE");
			unescape(f[1]);
			unescape(f[2]);
			list_set_annotation(l, f[1], f[2]);
			continue;
		}
		if (!strncmp(cmd, "index-artifact-type ", 20)) {
			if (list_set_artifact_type(l, cmd + 20)) {
				fprintf(stderr, "%s\n", mf_error_last());
				return 1;
			}
			continue;
		}
		if (!strncmp(cmd, "remove ", 7)) {
			size_t i = (size_t)strtoul(cmd + 7, NULL, 10);

			if (i >= l->nr)
				return fail(line, "no such entry");
			list_remove(l, i);
			last = l->nr ? &l->e[l->nr - 1] : NULL;
			continue;
		}
		if (!last)
			return fail(line, "no entry yet (use add first)");
		if (!strncmp(cmd, "platform ", 9)) {
			n = split(f, 4, cmd);
			if (n < 3)
				return fail(line, "platform OS ARCH [VARIANT]");
			list_entry_set_platform(last, f[1], f[2],
						n > 3 ? f[3] : NULL,
						last->os_version);
		} else if (!strncmp(cmd, "os-version ", 11)) {
			unescape(cmd + 11);
			list_entry_set_platform(last, last->os, last->arch,
						last->variant, cmd + 11);
		} else if (!strncmp(cmd, "os-feature ", 11)) {
			unescape(cmd + 11);
			list_entry_add_os_feature(last, cmd + 11);
		} else if (!strncmp(cmd, "feature ", 8)) {
			unescape(cmd + 8);
			list_entry_add_feature(last, cmd + 8);
		} else if (!strcmp(cmd, "annotate") ||
			   !strncmp(cmd, "annotate ", 9)) {
			if (do_annotate(last, cmd[8] ? cmd + 9 : NULL, line))
				return 1;
		} else if (!strncmp(cmd, "annotation ", 11)) {
			n = split(f, 3, cmd);
			if (n != 3)
				return fail(line, "annotation KEY VALUE");
			unescape(f[1]);
			unescape(f[2]);
			list_entry_set_annotation(last, f[1], f[2]);
		} else if (!strncmp(cmd, "artifact-type ", 14)) {
			if (list_entry_set_artifact_type(last, cmd + 14)) {
				fprintf(stderr, "%s\n", mf_error_last());
				return 1;
			}
		} else {
			return fail(line, "unknown command");
		}
	}
	return 0;
}

static int write_out(const struct buf *b)
{
	return fwrite(b->ptr, 1, b->len, stdout) == b->len &&
	       !fflush(stdout) ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct list l = LIST_INIT;
	struct buf out = BUF_INIT;
	const char *format = "auto";
	int ret = 0;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "build") || !strcmp(argv[1], "media-type")) {
		if (argc == 4 && !strcmp(argv[2], "--format"))
			format = argv[3];
		else if (argc != 2)
			return usage();
		ret = build(&l, stdin);
		if (!ret) {
			if (!strcmp(format, "auto"))
				l.oci = list_choose_format(&l);
			else if (!strcmp(format, "oci"))
				l.oci = 1;
			else if (!strcmp(format, "docker"))
				l.oci = 0;
			else
				ret = usage();
		}
		if (!ret && !strcmp(argv[1], "media-type")) {
			printf("%s\n", list_media_type(&l));
		} else if (!ret) {
			ret = list_serialise(&out, &l);
			if (ret) {
				fprintf(stderr, "%s\n", mf_error_last());
				ret = 1;
			} else {
				ret = write_out(&out);
			}
		}
	} else if (!strcmp(argv[1], "reserialise")) {
		struct buf in = BUF_INIT;

		if (argc > 3)
			return usage();
		if (buf_read_fd(&in, STDIN_FILENO, "stdin") ||
		    list_parse(&l, in.ptr, in.len, argc == 3 ? argv[2] : NULL) ||
		    list_serialise(&out, &l)) {
			fprintf(stderr, "%s\n", mf_error_last());
			ret = 1;
		} else {
			ret = write_out(&out);
		}
		buf_release(&in);
	} else {
		return usage();
	}
	list_release(&l);
	buf_release(&out);
	return ret;
}
