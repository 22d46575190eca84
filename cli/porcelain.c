/*
 * Helpers shared by the porcelain commands (porcelain.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sign.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "porcelain.h"
#include "cli/template.h"
#include "util/buf.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/strvec.h"
#include "util/wrapper.h"
#include "util/escape.h"

struct odb_txn *pc_read_begin(struct cmd_ctx *ctx)
{
	struct odb *db = cmd_store_existing(ctx);
	struct odb_txn *tx;

	if (eng_view_begin(&tx, db))
		die_last();
	return tx;
}

void pc_list_name(char *display, char *refname, const char *name,
		  const char *errprefix)
{
	if (eng_name(display, refname, "lists/", NULL, name)) {
		if (errprefix)
			die("%s%s", errprefix, mf_error_last());
		die_last();
	}
}

void pc_format_die(void)
{
	die("template parsing error: %s", mf_error_last());
}

void pc_format_print(struct tmpl_format *f)
{
	struct buf o = BUF_INIT;

	if (tmpl_format_end(f, &o))
		pc_format_die();
	fwrite(o.ptr, 1, o.len, stdout);
	buf_release(&o);
	tmpl_format_release(f);
}

unsigned pc_jobs(long jobs, const char *const *usage, const struct option *opts)
{
	if (jobs < 1 || jobs > PC_JOBS_MAX)
		usage_with_options_error(usage, opts,
			"invalid argument \"%ld\" for \"-j, --jobs\" flag: "
			"expected 1 to %d", jobs, PC_JOBS_MAX);
	return (unsigned)jobs;
}

void pc_referrer_types(const char *const **types, size_t *nr,
		       const struct strvec *given, int no_referrers,
		       const char *const *usage, const struct option *opts)
{
	if (given->nr && no_referrers)
		usage_with_options_error(usage, opts, "--referrers and "
					 "--no-referrers cannot be combined");
	for (size_t i = 0; i < given->nr; i++)
		if (eng_referrer_type_ok(given->v[i]))
			usage_with_options_error(usage, opts, "invalid argument "
						 "for \"--referrers\" flag: %s",
						 mf_error_last());
	*types = (const char *const *)given->v;
	*nr = given->nr;
}

static int add_signer(const char *fingerprint, void *payload)
{
	struct pc_signers *s = payload;

	s->keys = xrealloc(s->keys, (s->keys_nr + 1) * sizeof(*s->keys));
	s->keys[s->keys_nr++] = xstrdup(fingerprint);
	return 0;
}

void pc_signers_get(struct pc_signers *s, struct odb_txn *tx,
		    const struct digest *subject)
{
	memset(s, 0, sizeof(*s));
	if (eng_signers(tx, subject, &s->count, add_signer, s)) {
		mf_error_clear();
		pc_signers_release(s);
		s->unreadable = 1;
	}
}

void pc_signers_release(struct pc_signers *s)
{
	for (size_t i = 0; i < s->keys_nr; i++)
		free(s->keys[i]);
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

void pc_signers_short(struct buf *out, const struct pc_signers *s, int full)
{
	if (s->unreadable) {
		buf_addch(out, '?');
	} else if (s->keys_nr == 1) {
		const char *k = s->keys[0], *colon = strchr(k, ':');
		size_t n = strlen(k);

		if (!full && colon && strlen(colon + 1) > 12)
			n = (size_t)(colon + 1 - k) + 12;
		term_escape(out, k, n);
	} else if (s->keys_nr) {
		buf_addf(out, "%zu keys", s->keys_nr);
	} else if (s->count) {
		buf_addf(out, "%zu signature%s, no key named", s->count,
			 s->count == 1 ? "" : "s");
	} else {
		buf_addch(out, '-');
	}
}
