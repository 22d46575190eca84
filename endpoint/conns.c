/*
 * Registry connections kept open for the life of a command (endpoint/conns.h).
 */
#include <stdio.h>
#include <string.h>

#include "endpoint/conns.h"

int ep_conns_get(struct reg **out, struct ep_conns *cs,
		 const struct reference *ref, int insecure)
{
	struct reg_opts ro = { insecure, 0 };
	struct ep_conn *c;
	int ret;

	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(cs->c[i].host, ref->domain) &&
		    cs->c[i].insecure == insecure) {
			*out = cs->c[i].reg;
			return 0;
		}
	if (cs->n == EP_CONNS_MAX) {
		/*
		 * Many registries in one command: recycle the oldest but the
		 * first, which stays open (push's target).
		 */
		reg_close(cs->c[1].reg);
		memmove(&cs->c[1], &cs->c[2], (cs->n - 2) * sizeof(cs->c[0]));
		cs->n--;
	}
	c = &cs->c[cs->n];
	ret = reg_open(&c->reg, reference_api_host(ref),
		       reference_credential_key(ref), &ro);
	if (ret)
		return ret;
	snprintf(c->host, sizeof(c->host), "%s", ref->domain);
	c->insecure = insecure;
	cs->n++;
	*out = c->reg;
	return 0;
}

void ep_conns_close(struct ep_conns *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		reg_close(cs->c[i].reg);
	cs->n = 0;
}
