/*
 * What this process learnt of registries (endpoint/known.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/known.h"
#include "registry/registry.h"
#include "util/error.h"
#include "util/wrapper.h"

struct entry {
	struct entry *next;
	char *key;			/* a host, or "host/repo" */
	int is_repo;
	int absent;			/* a repository the registry does not have */
	enum known_state state;
	char **tags;			/* sorted once loaded */
	size_t nr, alloc;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t settled = PTHREAD_COND_INITIALIZER;
static struct entry *entries;

/* The entry for key, made if new; the caller holds the lock. */
static struct entry *find(const char *key, int is_repo)
{
	struct entry *e;

	for (e = entries; e; e = e->next)
		if (e->is_repo == is_repo && !strcmp(e->key, key))
			return e;
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(key);
	e->is_repo = is_repo;
	e->next = entries;
	entries = e;
	return e;
}

/* Wait while another thread asks; the caller holds the lock. */
static void wait_settled(struct entry *e)
{
	while (e->state == KNOWN_LOADING)
		pthread_cond_wait(&settled, &lock);
}

enum known_state known_api(const char *host)
{
	struct entry *e;
	enum known_state s;

	pthread_mutex_lock(&lock);
	e = find(host, 0);
	wait_settled(e);
	s = e->state;
	if (s == KNOWN_UNSET)
		e->state = KNOWN_LOADING;	/* the caller's now */
	pthread_mutex_unlock(&lock);
	return s;
}

void known_api_set(const char *host, enum known_state answer)
{
	struct entry *e;

	pthread_mutex_lock(&lock);
	e = find(host, 0);
	e->state = answer;
	pthread_cond_broadcast(&settled);
	pthread_mutex_unlock(&lock);
}

/* A tag that can hold referrers: "<alg>-<hex>", perhaps with ".sig". */
static int referrer_tag(const char *tag)
{
	const char *dash = strchr(tag, '-');

	return dash && dash > tag && dash - tag <= 32 && dash[1];
}

static int cmp_tag(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has(const struct entry *e, const char *tag)
{
	return e->nr &&
	       bsearch(&tag, e->tags, e->nr, sizeof(*e->tags), cmp_tag) != NULL;
}

static void add(struct entry *e, const char *tag)
{
	if (e->nr == e->alloc) {
		e->alloc = e->alloc ? 2 * e->alloc : 16;
		e->tags = xrealloc(e->tags, e->alloc * sizeof(*e->tags));
	}
	e->tags[e->nr++] = xstrdup(tag);
}

struct listing {
	struct entry *e;		/* owned by the lister while LOADING */
	size_t seen;
};

static int list_cb(const char *tag, void *payload)
{
	struct listing *l = payload;

	if (++l->seen > KNOWN_TAGS_MAX)
		return 1;		/* too many to be worth it */
	if (referrer_tag(tag))
		add(l->e, tag);
	return 0;
}

/* The repository's entry, listed once (see the protocol in known.h). */
static struct entry *listed(struct reg *reg, const char *where,
			    const char *repo)
{
	struct listing l = { NULL, 0 };
	struct entry *e;
	int ret;

	pthread_mutex_lock(&lock);
	e = find(where, 1);
	wait_settled(e);
	if (e->state != KNOWN_UNSET) {
		pthread_mutex_unlock(&lock);
		return e;
	}
	e->state = KNOWN_LOADING;
	pthread_mutex_unlock(&lock);

	/* Only this thread touches e's tags until it is settled. */
	l.e = e;
	ret = reg_tags_list(reg, repo, list_cb, &l);
	if (!ret && e->nr)
		qsort(e->tags, e->nr, sizeof(*e->tags), cmp_tag);

	pthread_mutex_lock(&lock);
	/* No such repository: no tags, and nothing else. */
	e->absent = ret == MF_ENOTFOUND;
	e->state = !ret || e->absent ? KNOWN_LOADED : KNOWN_UNUSABLE;
	pthread_cond_broadcast(&settled);
	pthread_mutex_unlock(&lock);
	return e;
}

int known_tag(struct reg *reg, const char *where, const char *repo,
	      const char *tag)
{
	struct entry *e;
	int ret;

	if (!referrer_tag(tag))
		return -1;	/* only those are kept */
	e = listed(reg, where, repo);
	pthread_mutex_lock(&lock);
	ret = e->state == KNOWN_LOADED ? has(e, tag) : -1;
	pthread_mutex_unlock(&lock);
	return ret;
}

int known_repo_absent(struct reg *reg, const char *where, const char *repo)
{
	struct entry *e = listed(reg, where, repo);
	int ret;

	pthread_mutex_lock(&lock);
	ret = e->state == KNOWN_LOADED && e->absent;
	pthread_mutex_unlock(&lock);
	return ret;
}

void known_tag_put(const char *where, const char *ref)
{
	struct entry *e;

	pthread_mutex_lock(&lock);
	e = find(where, 1);
	wait_settled(e);
	e->absent = 0;
	if (e->state == KNOWN_LOADED && referrer_tag(ref) && !has(e, ref)) {
		add(e, ref);
		qsort(e->tags, e->nr, sizeof(*e->tags), cmp_tag);
	}
	pthread_mutex_unlock(&lock);
}
