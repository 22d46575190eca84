#include "commands.h"
#include "odb/odb.h"
#include "util/usage.h"

struct odb *cmd_store(struct cmd_ctx *ctx)
{
	int ret;

	if (ctx->opened)
		return ctx->db;
	ctx->opened = 1;
	ret = odb_open(&ctx->db, ctx->store_dir,
		       (ctx->flags & NEED_STORE_RW) ? ODB_OPEN_CREATE : 0);
	if (ret == MF_ENOTFOUND && !(ctx->flags & NEED_STORE_RW)) {
		ctx->db = NULL;
		return NULL;
	}
	if (ret)
		die_last();
	return ctx->db;
}
