/*
 * Views of the store for the porcelain (view.h).
 */
#include <stddef.h>

#include "engine/view.h"
#include "odb/odb.h"

int eng_view_begin(struct odb_txn **out, struct odb *db)
{
	*out = NULL;
	return db ? odb_read_begin(out, db) : 0;
}

void eng_view_end(struct odb_txn *tx)
{
	odb_txn_end(tx);
}
