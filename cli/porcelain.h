#ifndef MF_PORCELAIN_H
#define MF_PORCELAIN_H

#include <stddef.h>

#include "commands.h"
#include "manifest/list.h"
#include "engine/engine.h"
#include "engine/view.h"

struct buf;

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
 * The two options that say which referrers a copy takes (SBOMs,
 * attestations, signatures): --no-referrers (an int) and --referrers
 * TYPE (a strvec, checked with pc_referrer_types()).
 */
#define PC_OPT_REFERRERS(no_referrers, types) \
	OPT_BOOL(0, "no-referrers", (no_referrers), \
		 "Leave the referrers (SBOMs, attestations, signatures) behind"), \
	OPT_STRING_LIST(0, "referrers", (types), "type", \
			"Take only the referrers of this artifactType " \
			"(\"signature\": cosign signatures); repeatable")

/*
 * --format templates (cli/template.h) as the commands print them:
 * pc_format_die() reports the last template error as docker's
 * formatter words it ("template parsing error: ...") and exits;
 * pc_format_print() writes what f made to standard output (dying on a
 * template error) and releases f.
 */
struct tmpl_format;
void pc_format_die(void);
void pc_format_print(struct tmpl_format *f);

/*
 * -j/--jobs as the copying commands take it: 1 to PC_JOBS_MAX, a usage
 * error otherwise; the value, as the engine takes it.
 */
#define PC_JOBS_MAX 64
struct option;
unsigned pc_jobs(long jobs, const char *const *usage, const struct option *opts);

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

/*
 * Who signed a manifest, as the signatures the store holds for it claim
 * (eng_signers(): fingerprints named in annotations, NOT verified;
 * manifold verify checks them).  For ls, log and inspect.
 */
struct pc_signers {
	int unreadable;		/* the store's signatures could not be read */
	size_t count;		/* signatures held (other tools' name no key) */
	char **keys;		/* each key fingerprint claimed, once */
	size_t keys_nr;
};

/*
 * The signers of subject into *s (pc_signers_release()).  A store error
 * is not fatal to a view: s->unreadable is set and the error cleared.
 */
void pc_signers_get(struct pc_signers *s, struct odb_txn *tx,
		    const struct digest *subject);
void pc_signers_release(struct pc_signers *s);

/*
 * s in a few words, escaped for a terminal, into out: "-" (unsigned),
 * the one key's fingerprint ("sha256:" and 12 hex digits, all of it
 * with full), "N keys", "N signature(s), no key named", or "?".
 */
void pc_signers_short(struct buf *out, const struct pc_signers *s, int full);

#endif
