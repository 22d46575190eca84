#ifndef MF_ENDPOINT_KNOWN_H
#define MF_ENDPOINT_KNOWN_H

#include <stddef.h>

struct reg;

/*
 * What this process learnt of registries while it runs, so that no
 * request is sent twice for an answer already known (a command is a
 * snapshot: what another client changes meanwhile is not seen, as it
 * would not be a moment later).  Shared by every registry endpoint of
 * the process, on any thread.
 *
 * Per host: whether it has the referrers API.  Per repository: the
 * tags that can hold referrers ("<alg>-<hex>" of the referrers tag
 * schema and cosign's "<alg>-<hex>.sig"), read with one tags/list
 * instead of a request per subject.
 *
 * Protocol: an entry is KNOWN_LOADING while one thread, the one that
 * created it, asks the registry; any other thread that needs it waits
 * (a condition variable) until its owner settles it KNOWN_YES/KNOWN_NO
 * (the API), KNOWN_LOADED or KNOWN_UNUSABLE (the tags).  The owner
 * asks with no lock held.  A settled entry changes only by
 * known_tag_put() (a tag this process put), under the lock.
 */
enum known_state {
	KNOWN_UNSET = 0,	/* nobody asked: the caller owns the asking */
	KNOWN_LOADING,
	KNOWN_YES,
	KNOWN_NO,
	KNOWN_LOADED,
	KNOWN_UNUSABLE,
};

/*
 * Whether host has the referrers API: KNOWN_YES, KNOWN_NO, or
 * KNOWN_UNSET, in which case the caller now owns the question and must
 * answer it with known_api_set() (KNOWN_YES, KNOWN_NO, or KNOWN_UNSET
 * when the asking failed: the next caller asks again).
 */
enum known_state known_api(const char *host);
void known_api_set(const char *host, enum known_state answer);

/* Repositories' referrer tags: most tags read before giving up. */
#define KNOWN_TAGS_MAX 20000

/*
 * Whether the repository `where` ("host/repo") has the tag `tag`, one
 * that can hold referrers: 1 yes, 0 no, or -1 unknown (its tags could
 * not be listed, or tag is not of that shape: the caller asks for the
 * tag itself).  The first call for a repository lists its
 * tags with reg (reg_tags_list(), on the caller's connection).
 */
int known_tag(struct reg *reg, const char *where, const char *repo,
	      const char *tag);

/*
 * 1 when the repository `where` does not exist (its tags/list answered
 * 404, once, for the process), 0 when it does or it is not known.
 * Lists its tags with reg the first time, as known_tag().
 */
int known_repo_absent(struct reg *reg, const char *where, const char *repo);

/*
 * This process put a manifest in `where` under ref (a tag or a
 * digest): the repository exists, and has the tag.
 */
void known_tag_put(const char *where, const char *ref);

#endif
