/*
 * Helpers shared by the porcelain commands (porcelain.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "porcelain.h"
#include "util/buf.h"
#include "cli/parse-options.h"
#include "cli/usage.h"
#include "util/strvec.h"
#include "util/wrapper.h"

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
