#ifndef MF_UTIL_IDENT_H
#define MF_UTIL_IDENT_H

#include <stdint.h>

/*
 * Who is making a change and when, for reflog entries.
 * MANIFOLD_COMMITTER_NAME / _EMAIL / _DATE (seconds since the epoch,
 * optionally followed by " +hhmm") override the defaults (login name,
 * login@hostname, now in the local zone), as git's GIT_COMMITTER_* do.
 */
/* "Name <email>"; a static buffer; never NULL. */
const char *mf_ident(void);
/* Time now (or the override) and the zone offset in minutes east. */
void mf_ident_time(int64_t *t, int *tz_minutes);

#endif
