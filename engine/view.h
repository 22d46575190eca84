#ifndef MF_ENGINE_VIEW_H
#define MF_ENGINE_VIEW_H

struct odb;
struct odb_txn;

/*
 * A view: one consistent read of the store, for a command that looks at
 * several things and must see them as of one moment (the engine's calls
 * take it as their `tx`).  A NULL store gives a NULL view, which every
 * engine call takes as an empty store.  End it with eng_view_end()
 * before talking to a registry: no view is held over the network.
 */
int eng_view_begin(struct odb_txn **out, struct odb *db);

/* End a view (NULL is fine). */
void eng_view_end(struct odb_txn *tx);

#endif
