/* remove: not written yet (porcelain-base branch only). */
#include "porcelain.h"
#include "util/usage.h"

int cmd_remove(int argc, const char **argv, struct cmd_ctx *ctx)
{
	(void)argc; (void)argv; (void)ctx;
	die("remove: not implemented yet");
}
