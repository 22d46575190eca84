#ifndef MF_PLUMBING_H
#define MF_PLUMBING_H

#include <stdint.h>

#include "odb/odb.h"
#include "util/digest.h"

/*
 * The plumbing API: what the porcelain calls.  A NULL store (or NULL
 * transaction) stands for an empty store: lookups answer MF_ENOTFOUND.
 */

/*
 * Peek at an object (as odb_object_peek) and copy its media type,
 * NUL-terminated, into mt (ODB_MEDIA_TYPE_MAX + 1 bytes).
 */
int eng_object_peek(struct odb_object *obj, char *mt, struct odb_txn *tx,
		   const struct digest *id);

/*
 * Resolve a revision to a full digest (DESIGN.md, "Revisions"):
 *   - a full digest "sha256:<hex>" (it need not be in the store unless
 *     ENG_RESOLVE_MUST_EXIST is given),
 *   - an abbreviated digest ("sha256:<hex prefix>" or bare hex, >= 4),
 *   - a ref name, tried as given, then under "lists/" and "remotes/",
 *     then the same with the name normalised as docker does ("app" is
 *     "docker.io/library/app:latest"),
 *   - <ref>@{<n>}: the n-th previous value from the reflog (@{0} is
 *     the latest value, even after the ref was deleted),
 *   - <revision>:<os>/<arch>[/<variant>]: the entry of that index for
 *     the platform (containerd's normalisation; the first match wins;
 *     attestation entries skipped).
 * If refname_out is not NULL and the revision named a ref, the full ref
 * name is copied there (ODB_REF_MAX + 1 bytes), else it is set to "".
 * MF_ENOTFOUND, MF_EAMBIGUOUS or MF_EINVALID with a message.
 */
enum eng_resolve_flags {
	ENG_RESOLVE_MUST_EXIST = 1 << 0,
};
int eng_resolve(struct digest *out, char *refname_out, struct odb_txn *tx,
	       const char *rev, unsigned flags);

/*
 * Parse "<name>@{<n>}" into name (copied, ODB_REF_MAX + 1 bytes) and n.
 * Returns 1 if rev has that form, 0 if not, MF_EINVALID if malformed.
 */
int eng_parse_reflog_rev(char *name, uint64_t *n, const char *rev);

/*
 * Find the full name of a ref from what a user typed: as given, then
 * "lists/<name>", then "remotes/<name>".  0 with the name in out
 * (ODB_REF_MAX + 1 bytes), or MF_ENOTFOUND.  With want_reflog, a ref
 * that only has a reflog (it was deleted) counts too.
 */
int eng_dwim_ref(char *out, struct digest *id, struct odb_txn *tx,
		const char *name, int want_reflog);

/*
 * Fetching from registries: a set of manifests and configs, each
 * verified against its digest as it arrived, held in memory until the
 * caller writes them (with whatever else it writes) in one transaction,
 * so that a failed fetch leaves the store as it was.  Each fetch is the
 * graph copy (engine/copy.h) from the registry's endpoint into a staging
 * area of the store (endpoint/stage.h) of the part of the graph asked
 * for.  Connections are kept open per registry for the life of the set.
 */
struct eng_fetch;
struct eng_progress;

struct eng_fetch_opts {
	const char *platform;	/* from an index, the entry for this platform */
	int recursive;		/* from an index, every child and its config */
	int insecure;		/* plain HTTP or an unverified certificate */
	int depth;		/* how deep below a list the manifest named is
				 * (0: it is the list; MANIFEST_MAX_DEPTH) */
	int no_referrers;	/* leave the referrers behind (engine/copy.h) */
	const char *const *referrer_types;	/* as eng_push_opts */
	size_t referrer_types_nr;
	struct eng_progress *progress;	/* as eng_push_opts: manifests read,
					 * then the copy's counts */
};

struct eng_fetch *eng_fetch_new(void);
void eng_fetch_free(struct eng_fetch *f);

/*
 * Never ask a registry for a config the store db holds (endpoint/
 * stage.h, "backing"): from eng_fetch_store() to eng_fetch_store_end()
 * (or eng_fetch_free()), a config the store has is taken from it into
 * f instead of fetched.  f keeps a read transaction of db open in the
 * meantime: end it before writing to db.  eng_fetch_share_store() lets
 * a worker's set (eng_fetch_sources()) use f's, which must outlive it.
 */
void eng_fetch_store(struct eng_fetch *f, struct odb *db);
void eng_fetch_store_end(struct eng_fetch *f);
void eng_fetch_share_store(struct eng_fetch *worker, const struct eng_fetch *f);

/*
 * Fetch the manifest `reference` names (docker's syntax; ":latest" by
 * default) with its config, or with opts the chosen or every child,
 * into f.  top gets the digest of the manifest named (or chosen).
 */
int eng_fetch_add(struct eng_fetch *f, struct digest *top, const char *reference,
		 const struct eng_fetch_opts *opts);

/*
 * 1 when the last eng_fetch_add() on f failed because the registry does
 * not have the manifest `reference` names (its GET answered MF_ENOTFOUND),
 * 0 when it succeeded or failed on anything else (a child, a config).
 */
int eng_fetch_top_missing(const struct eng_fetch *f);

/*
 * Fetch a source the way create and fetch need it: first the manifest
 * `reference` names alone (an image with its config), then, for an
 * index, each child by digest from the same repository with its config
 * and anything under it, over the same connection.  top gets the digest
 * of what reference names, nchildren (may be NULL) the number of index
 * entries (0 for an image).  On failure, *top_missing (may be NULL) is 1
 * when the registry answered that it does not have `reference` itself
 * (docker's "no such manifest"), 0 for anything else (a missing child or
 * config, the transport).  opts->platform and opts->recursive are not
 * used.
 */
int eng_fetch_source(struct eng_fetch *f, struct digest *top, size_t *nchildren,
		    const char *reference, const struct eng_fetch_opts *opts,
		    int *top_missing);

/*
 * eng_fetch_source() for refs[0..n), up to `jobs` at a time (each in its
 * own thread, on its own connections), all into f; tops[i] gets each
 * digest.  On failure the error is that of the first failing source in
 * the order given: *failed is its index and *top_missing as above.
 */
int eng_fetch_sources(struct eng_fetch *f, struct digest *tops,
		     const char *const *refs, size_t n,
		     const struct eng_fetch_opts *opts, unsigned jobs,
		     size_t *failed, int *top_missing);

/* Move every object of `from` into `into` (those it has are dropped). */
void eng_fetch_merge(struct eng_fetch *into, struct eng_fetch *from);

/* An object of the set (pointers owned by f), or MF_ENOTFOUND. */
int eng_fetch_object(const char **data, size_t *len, const char **media_type,
		    struct eng_fetch *f, const struct digest *id);

/* Store every object of the set and where it came from (odb_write_fn). */
int eng_fetch_write(struct odb_txn *tx, void *f);

/*
 * The update-ref --stdin language, one change per line (or per
 * NUL-terminated record with nul set):
 *   update <ref> <new> [<old>] | create <ref> <new> |
 *   delete <ref> [<old>]       | verify <ref> [<old>]
 * Blank lines and lines starting with '#' are skipped; a ref may be
 * named once.  Revisions are not resolved here.  MF_EINVALID naming
 * the line, MF_ETOOBIG past ENG_REF_UPDATES_MAX bytes.
 */
#define ENG_REF_UPDATES_MAX ((size_t)16 << 20)

enum eng_ref_op { ENG_REF_UPDATE, ENG_REF_CREATE, ENG_REF_DELETE, ENG_REF_VERIFY };

struct eng_ref_update {
	enum eng_ref_op op;
	char *ref;
	char *new_rev;		/* update, create */
	char *old_rev;		/* NULL: no check; "" (verify default): must not exist */
	size_t line;
};

int eng_parse_ref_updates(struct eng_ref_update **out, size_t *nr,
			 const char *input, size_t len, int nul);
void eng_ref_updates_free(struct eng_ref_update *u, size_t nr);

/*
 * Local lists, for the porcelain.  struct list is manifest/list.h's
 * model; the bytes stored are list_serialise()'s, exactly what push
 * will send.
 */
struct list;

/*
 * Name an image or a list as docker does: `name` parsed and normalised
 * (":latest" added when it has neither tag nor digest) and written in
 * full ("127.0.0.1:5000/app:v1", "docker.io/library/app:latest") into
 * display (ENG_NAME_MAX bytes), and after `prefix` ("lists/", "remotes/")
 * into refname (ODB_REF_MAX + 1 bytes; checked as a ref name).  Either
 * may be NULL.  repo, if not NULL, gets "host/path" (ENG_NAME_MAX bytes),
 * the form the sources table uses.  MF_EINVALID with docker's wording.
 * An OCI layout ("oci:DIR:TAG", endpoint/location.h) is named by its
 * absolute location ("oci:/abs/DIR:TAG"; repo "oci:/abs/DIR"), and no
 * ref names one: asked for refname, it is MF_ENOTSUP.
 */
#define ENG_NAME_MAX 1024
int eng_name(char *display, char *refname, const char *prefix, char *repo,
	    const char *name);

/*
 * The ref of the local list `name`, named as docker names images:
 * "lists/" + the full normalised reference ("app" is
 * "lists/docker.io/library/app:latest").  MF_EINVALID with docker's
 * wording for a malformed name.
 */
int eng_list_ref(char *out, size_t outsz, const char *name);

/*
 * Load the list a revision names (a list name, NAME@{n}, a digest...)
 * into out (list_init'ed by the caller); id and refname (ODB_REF_MAX + 1
 * bytes, "" when no ref was named) may be NULL.  MF_EINVALID when the
 * object is not a list.
 */
int eng_list_load(struct list *out, struct digest *id, char *refname,
		 struct odb_txn *tx, const char *rev);

/*
 * Serialise l, store it and move refname to it with compare-and-swap
 * (old as for odb_ref_update: NULL no check, zero digest "must not
 * exist"), with a reflog entry saying msg.  For use inside odb_write().
 */
int eng_list_save(struct digest *out, struct odb_txn *tx, const char *refname,
		 const struct list *l, const struct digest *old, const char *msg);

/*
 * Pushing a local list (DESIGN.md "Copying a graph"): the graph copy of
 * engine/copy.h from the store's endpoint to the registry's.
 * eng_push_load() reads the list and every manifest under it from the
 * store into memory, with the repositories each is known to live in (the
 * sources table), so that no transaction stays open while the registry
 * is talked to.
 * eng_push_run() then walks the graph top-down against `target` (an
 * image reference: host/repo:tag, or @digest of this very list):
 *   - with opts->expect_present, HEAD the tag: already this list -> done
 *     (one request for an unchanged list);
 *   - for each child manifest, HEAD it: present -> its subtree is there;
 *     absent -> its blobs (config, layers): mount each from a repository
 *     of the same registry known to have it (a mount succeeds whether or
 *     not the target has it, so it is not asked first), else HEAD it and
 *     copy it (streamed, verified) from any repository known to have it,
 *     on any registry; then PUT the manifest by digest;
 *   - then PUT the list by tag, with its exact stored bytes.
 * A 403 to an existence check counts as absent; a 401 anywhere, or a
 * 403 to a mount-and-copy, upload or PUT, ends the push with MF_EAUTH or
 * MF_EPERM, naming the registry, the repository and 'manifold login'.
 * Children are pushed opts->jobs at a time; one that shares a blob or
 * manifest with another waits for it (struct eng_copy in copy.c has the
 * protocol).  With dry_run, the
 * existence checks are made and the plan is reported, but nothing is
 * mounted, copied or put.  Nothing is put before everything below it is
 * there, so a failure never leaves the list pointing at missing
 * children; running the push again finishes the job.  Each decision is
 * reported through `step` (may be NULL) as it is taken; a non-zero return
 * stops the push.  eng_push_record() writes, inside odb_write(), the ref
 * remotes/<target> and the target repository as a source of every
 * manifest.
 */
struct eng_push;

struct eng_push_opts {
	int insecure;
	int dry_run;
	int force;		/* no existence checks: send everything */
	int expect_present;	/* remotes/<target> says the tag has this list */
	unsigned jobs;		/* children pushed at once; 0: ENG_PUSH_JOBS */
	int no_layers;		/* manifests and configs only (the old
				 * versions a list's history names) */
	int no_referrers;	/* leave the graph's referrers behind
				 * (engine/copy.h) */
	/*
	 * Take only the referrers of these types (nr 0: all): an
	 * artifactType (a referrer without one: its config's media type,
	 * as the referrers API reports it), or "signature" for a signature
	 * of the cosign tag scheme.  eng_referrer_type_ok() checks a name.
	 */
	const char *const *referrer_types;
	size_t referrer_types_nr;
	struct eng_progress *progress;	/* counts for a display, or NULL
					 * (engine/progress.h) */
	/*
	 * push --force-with-lease: just before the list is put under the
	 * target's tag (after its children and blobs), the tag must name
	 * lease_id (algo DIGEST_NONE: must not exist) or already name the
	 * list; else MF_EMODIFIED, and the tag is not put.  Also checked by
	 * a dry run.
	 */
	int lease;
	struct digest lease_id;
};

/* 0 if `type` can name referrers (--referrers), else MF_EINVALID. */
int eng_referrer_type_ok(const char *type);

/*
 * An 8-entry list pushed to a new repository of a local registry, 2
 * busy cores: 218 ms with 1 worker, 196-204 ms with 2 or 4, 167-183 ms
 * with 8, 172-254 ms with 16.
 */
#define ENG_PUSH_JOBS 8

enum eng_push_action {
	ENG_PUSH_PRESENT,	/* the target has it */
	ENG_PUSH_MOUNT,		/* mounted from `from` (same registry) */
	ENG_PUSH_COPY,		/* copied from `from` */
	ENG_PUSH_PUT,		/* a manifest or the list, put */
};

struct eng_push_step {
	enum eng_push_action action;
	const char *what;	/* "list", "manifest" or "blob" */
	const char *digest;
	uint64_t size;
	const char *from;	/* host/repo, for MOUNT and COPY */
};

typedef int (*eng_push_step_fn)(const struct eng_push_step *s, void *payload);

/*
 * Export (engine/transfer.c): the lists, each the graph below it in the
 * store (configs read from the store, layers from the places the
 * sources table names), copied into the OCI layout `target` ("oci:DIR")
 * under their names as tags; with history, their refs and reflogs too,
 * and the manifests and configs of every version those name.
 */
struct eng_export_list {
	const char *refname;	/* "lists/..." */
	const char *name;	/* the list's name: its tag in the layout */
	struct digest id;
};

struct eng_export_opts {
	int insecure;
	int history;
	unsigned jobs;
	int no_referrers;	/* leave the lists' referrers behind */
	const char *const *referrer_types;	/* as eng_push_opts */
	size_t referrer_types_nr;
	int format;		/* enum eng_format (engine/convert.h): each
				 * graph converted before it is copied */
	struct digest *written;	/* NULL, or n of them: each list's digest
				 * in the layout (converted or not) */
	struct eng_progress *progress;	/* as eng_push_opts: every list's
					 * copy adds to it */
};

struct odb;
int eng_export(struct odb *db, const struct eng_export_list *lists, size_t n,
	       const char *target, const struct eng_export_opts *o,
	       eng_push_step_fn step, void *payload);

/*
 * Import: every tagged entry of the OCI layout `source` copied into the
 * store (manifests and configs; every layer read and verified, and the
 * layout recorded as where the blobs are), then the refs: from the
 * layout's history when it has one, else each tagged index whose tag is
 * a list name.  Nothing is written until everything is verified; then
 * one transaction moves every ref or none.  A ref that exists is left
 * as it is when it has the value already, moved when its last reflog
 * entry is in the imported history (the rest is appended), and else
 * refused (MF_EMODIFIED, naming both values) unless force.
 */
struct eng_import_opts {
	int force;
	int no_referrers;	/* leave the referrers (OCI subject) of what
				 * is imported behind */
	const char *const *referrer_types;	/* as eng_push_opts */
	size_t referrer_types_nr;
	unsigned jobs;		/* layers verified at once; 0: one per
				 * processor, at most ENG_PUSH_JOBS */
	struct eng_progress *progress;	/* as eng_push_opts: the copies of
					 * the graphs, then each layer
					 * verified (an object and its bytes) */
};

enum eng_import_state {
	ENG_IMPORT_CREATED = 1,
	ENG_IMPORT_UPDATED,
	ENG_IMPORT_UNCHANGED,
	ENG_IMPORT_FORCED,
};

struct eng_import_result {
	char ref[ODB_REF_MAX + 1];
	enum eng_import_state state;
	struct digest old;		/* UPDATED, FORCED */
	struct digest value;
};

int eng_import(struct odb *db, const char *source,
	       const struct eng_import_opts *o, struct eng_import_result **res,
	       size_t *nres);

struct eng_push_stats {
	size_t requests;	/* to the registries, about */
	size_t present, mounted, copied, put;
	uint64_t bytes_copied;
	int up_to_date;		/* the tag already named this list */
};

int eng_push_load(struct eng_push **out, struct odb_txn *tx,
		 const struct digest *list);
int eng_push_run(struct eng_push *p, const char *target,
		const struct eng_push_opts *opts, eng_push_step_fn step,
		void *payload);
/*
 * Replace the loaded graph by its conversion to `format` (enum
 * eng_format, engine/convert.h); root gets the new root's digest.  On
 * an error (a manifest that cannot be converted) p is unchanged.
 */
int eng_push_convert(struct eng_push *p, int format, struct digest *root);
const struct eng_push_stats *eng_push_stats(const struct eng_push *p);
/* The media type of the list p pushes (converted or not). */
const char *eng_push_media_type(const struct eng_push *p);
int eng_push_record(struct odb_txn *tx, const struct eng_push *p,
		   const char *target, const char *msg);
void eng_push_free(struct eng_push *p);

#endif
