/*
 * LMDB's return codes as enum mf_error (odb-internal.h), for every file
 * of the store.
 */
#include <errno.h>

#include "odb-internal.h"

int odb_mdb_error(int rc, const char *what)
{
	switch (rc) {
	case 0:
		return 0;
	case MDB_NOTFOUND:
		return mf_error(MF_ENOTFOUND, "%s: not found", what);
	case MDB_MAP_FULL:
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return mf_error(MF_ENOSPC, "%s: the store is full: %s", what,
				mdb_strerror(rc));
	case MDB_TXN_FULL:
		return mf_error(MF_ENOSPC, "%s: too many changes in one transaction",
				what);
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return mf_error(MF_EINVALID, "%s: %s", what, mdb_strerror(rc));
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
		return mf_error(MF_ECORRUPT, "%s: the store is corrupt: %s", what,
				mdb_strerror(rc));
	default:
		return mf_error(rc > 0 ? MF_EIO : MF_ERROR, "%s: %s", what,
				mdb_strerror(rc));
	}
}
