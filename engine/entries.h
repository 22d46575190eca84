#ifndef MF_ENGINE_ENTRIES_H
#define MF_ENGINE_ENTRIES_H

#include <stddef.h>

#include "engine/engine.h"
#include "manifest/list.h"

/*
 * The reflog message for a change made by this command: "manifold " and
 * the command line, each argument shell-quoted when it needs to be, cut
 * at 400 bytes.  Free it.
 */
char *eng_reflog_msg(int argc, const char **argv);

/*
 * Record that `name` (an image reference, normalised) pointed at `id`
 * when it was fetched: ref "remotes/<name>".  Inside odb_write().
 */
int eng_record_remote(struct odb_txn *tx, const char *name,
		     const struct digest *id, const char *msg);

/*
 * The reference an entry came from, for inspect -v's "Ref": the first
 * remotes/ ref (by name) that points at `digest`, without its prefix;
 * else "<host>/<repo>@<digest>" for the first repository the sources
 * table knows it from; else the digest itself.  out: ENG_NAME_MAX bytes.
 */
void eng_entry_ref(char *out, struct odb_txn *tx, const char *digest);

/*
 * The entry of `l` that `spec` names (annotate, remove, inspect LIST
 * MANIFEST), as index into l->e:
 *   - a digest, or an unambiguous prefix of one (>= 4 hex digits, with
 *     or without "sha256:"), of an entry;
 *   - an image reference: its digest if it has one, else the digest its
 *     remotes/ ref recorded when the list was made;
 *   - a platform "os/arch[/variant]" (containerd's normalisation;
 *     attestation entries never match).
 * The first entry that matches wins.  MF_ENOTFOUND when none does,
 * MF_EAMBIGUOUS when a digest prefix or platform matches entries with
 * different digests (message says so).
 */
int eng_find_entry(size_t *idx, const struct list *l, struct odb_txn *tx,
		  const char *spec);

/*
 * Drop every attestation that describes no image of l (its
 * vnd.docker.reference.digest names no other entry, or it has none):
 * after images were filtered out, their attestations go with them.
 */
void eng_prune_attestations(struct list *l);

/*
 * The platform of an entry as "os/arch[/variant]" (os.version added in
 * parentheses), "-" when it has none, "attestation" for attestations.
 * out: 256 bytes.
 */
void eng_entry_platform(char *out, size_t cap, const struct list_entry *e);

#endif
