#ifndef MF_ODB_REFLOG_EXPIRE_H
#define MF_ODB_REFLOG_EXPIRE_H

#include <stdint.h>

#include "odb.h"

/*
 * Called for each reflog entry that expires, before it is deleted.  pos
 * is its position before the expiry (name@{pos}).  The strings in e are
 * valid only during the call.  Non-zero stops (and is returned).
 */
typedef int (*odb_reflog_expire_cb)(const char *name, const struct reflog_entry *e,
				    uint64_t pos, void *payload);

enum odb_reflog_expire_flags {
	ODB_EXPIRE_DRY_RUN = 1 << 0,	/* report, delete nothing */
};

/*
 * Delete the reflog rows of `name` written before `cutoff` (time <
 * cutoff; see util/age.h), in tx.  While the ref exists its newest row
 * is kept whatever its age, so that name@{0} and the history of the
 * current value stay; the rows of a deleted ref may all go, and then
 * its reflog is gone.  cb (may be NULL) sees each row that goes; *nr
 * (may be NULL) is increased by their number.  MF_ENOTFOUND if name has
 * no reflog, MF_ECORRUPT if a row cannot be read (nothing is deleted).
 */
int odb_reflog_expire(struct odb_txn *tx, const char *name, int64_t cutoff,
		      unsigned flags, odb_reflog_expire_cb cb, void *payload,
		      uint64_t *nr);

#endif
