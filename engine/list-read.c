/*
 * Reading the local lists (list-read.h).
 */
#include <stdio.h>
#include <string.h>

#include "engine/list-read.h"
#include "manifest/list.h"
#include "manifest/manifest.h"

int eng_list_id(struct digest *id, struct odb_txn *tx, const char *ref)
{
	if (!tx)
		return MF_ENOTFOUND;
	return odb_ref_read(id, tx, ref);
}

int eng_remote_names(struct odb_txn *tx, const char *target,
		     const struct digest *id)
{
	char ref[ODB_REF_MAX + 1];
	struct digest have;

	return tx && !eng_name(NULL, ref, "remotes/", NULL, target) &&
		!odb_ref_read(&have, tx, ref) && digest_eq(&have, id);
}

int eng_remote_id(struct digest *id, struct odb_txn *tx, const char *target)
{
	char ref[ODB_REF_MAX + 1];
	int ret;

	if (!tx)
		return MF_ENOTFOUND;
	if ((ret = eng_name(NULL, ref, "remotes/", NULL, target)))
		return ret;
	return odb_ref_read(id, tx, ref);
}

int eng_lists_for_each(struct odb_txn *tx, odb_ref_cb fn, void *payload)
{
	return tx ? odb_ref_for_each(tx, "lists/", fn, payload) : 0;
}

static int newest(const struct reflog_entry *e, void *payload)
{
	struct eng_list_stat *st = payload;

	st->has_time = 1;
	st->time = e->time;
	st->tz = e->tz;
	return 1;
}

int eng_list_stat(struct eng_list_stat *st, struct list *l,
		  struct odb_txn *tx, const char *ref, const struct digest *id)
{
	struct odb_object obj;
	int ret;

	memset(st, 0, sizeof(*st));
	if (!tx)
		return MF_ENOTFOUND;
	(void)odb_reflog_for_each(tx, ref, 1, newest, st);
	ret = eng_object_peek(&obj, st->media_type, tx, id);
	if (ret) {
		st->media_type[0] = '\0';
		return ret;
	}
	if (strcmp(st->media_type, MT_OCI_INDEX) &&
	    strcmp(st->media_type, MT_DOCKER_LIST))
		return MF_EINVALID;
	return list_parse(l, (const char *)obj.data, obj.size, st->media_type);
}

int eng_list_history(struct odb_txn *tx, const char *name, odb_reflog_cb fn,
		     void *payload)
{
	char ref[ODB_REF_MAX + 1];
	struct digest id;
	int ret = eng_name(NULL, ref, "lists/", NULL, name);

	if (!tx)
		return MF_ENOTFOUND;
	if (!ret)
		ret = odb_reflog_for_each(tx, ref, 1, fn, payload);
	if (ret && !eng_dwim_ref(ref, &id, tx, name, 1))
		ret = odb_reflog_for_each(tx, ref, 1, fn, payload);
	return ret;
}
