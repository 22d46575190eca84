#ifndef MF_PORCELAIN_H
#define MF_PORCELAIN_H

#include <stddef.h>

#include "commands.h"
#include "manifest/list.h"
#include "engine/engine.h"
#include "engine/view.h"

/*
 * What the porcelain commands share.  They speak as `docker manifest`
 * does (manifold.c has set die() to print the bare message and exit 1,
 * and parse_options to cobra's wording), and reach the store and the
 * registries through the engine (engine/) only.
 */

/*
 * A view of the store (engine/view.h), or NULL when there is no store
 * yet (the engine takes NULL as an empty store).  End it with
 * eng_view_end() (NULL is fine).  Dies on errors.
 */
struct odb_txn *pc_read_begin(struct cmd_ctx *ctx);

/*
 * The local list `name`: its display name (ENG_NAME_MAX bytes, docker's
 * full form) and ref ("lists/...", ODB_REF_MAX + 1 bytes).  A malformed
 * name dies with `errprefix` (may be NULL) before docker's message, e.g.
 * "error parsing name for manifest list %s: ".
 */
void pc_list_name(char *display, char *refname, const char *name,
		  const char *errprefix);

/*
 * The --referrers types `given` (each a media type or "signature"; a
 * usage error otherwise, or with --no-referrers), for the engine's
 * options: *types points into given, which must outlive them.
 */
struct strvec;
struct option;
void pc_referrer_types(const char *const **types, size_t *nr,
		       const struct strvec *given, int no_referrers,
		       const char *const *usage, const struct option *opts);

#endif
