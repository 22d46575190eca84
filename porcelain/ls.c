/* ls: not written yet (porcelain-base branch only). */
#include "porcelain.h"
#include "util/usage.h"

int cmd_ls(int argc, const char **argv, struct cmd_ctx *ctx)
{
	(void)argc; (void)argv; (void)ctx;
	die("ls: not implemented yet");
}
