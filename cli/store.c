#include "commands.h"
#include "odb/odb.h"
#include "cli/usage.h"

int cmd_answer(int ret)
{
	if (ret == MF_ENOTFOUND)
		return 1;
	if (ret)
		die_last();
	return 0;
}

struct odb *cmd_store_existing(struct cmd_ctx *ctx)
{
	int ret;

	if (ctx->db)
		return ctx->db;
	ret = odb_open(&ctx->db, ctx->store_dir, 0);
	if (ret == MF_ENOTFOUND) {
		/* A write command must not pass over a store it could not make. */
		if ((ctx->flags & NEED_STORE_RW) && odb_check_creatable(ctx->store_dir))
			die_last();
		ctx->db = NULL;
		return NULL;
	}
	if (ret)
		die_last();
	ctx->opened = 1;
	return ctx->db;
}

struct odb *cmd_store(struct cmd_ctx *ctx)
{
	int ret;

	if (ctx->opened && (ctx->db || !(ctx->flags & NEED_STORE_RW)))
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
