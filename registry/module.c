/*
 * manifold-net.so: the part of manifold that links OpenSSL and libcurl,
 * loaded on first use by util/module.c.  This file is its entry: the
 * one exported symbol, the ops table through which the executable
 * (endpoint/transport.c, util/digest.c) reaches the transport's net_*
 * calls (the streaming OpenSSL hash of hash.c among them).  Its copy
 * of util/ is its own: errors cross back through last_error().
 */
#include <string.h>

#include <sodium.h>

#include "registry/creds.h"
#include "registry/sigcrypto.h"
#include "registry/transport-internal.h"
#include "util/digest.h"
#include "util/wrapper.h"
#include "util/error.h"
#include "util/module.h"

/* login/logout: plain strings in, secrets wiped here. */
static int net_creds_store(const char *key, const char *user, const char *secret,
			   const char *authfile)
{
	struct mf_secret s = { NULL, 0 };
	int ret = sodium_init() < 0 ? mf_error(MF_ERROR, "cannot initialise libsodium") :
		mf_secret_set(&s, secret, strlen(secret));

	if (!ret)
		ret = creds_store(key, user, &s, authfile);
	mf_secret_free(&s);
	return ret;
}

static int net_creds_erase(const char *key, const char *authfile)
{
	if (sodium_init() < 0)
		return mf_error(MF_ERROR, "cannot initialise libsodium");
	return creds_erase(key, authfile);
}

__attribute__((visibility("default")))
const struct mf_module_ops mf_module_ops = {
	.abi = MF_MODULE_ABI,
	.description = "manifold network and crypto module (OpenSSL)",
	.hash_new = net_hash_new,
	.hash_update = net_hash_update,
	.hash_final = net_hash_final,
	.hash_free = net_hash_free,
	.last_error = mf_error_last,
	.set_oom_routine = set_oom_routine,
	.reg_open = net_open,
	.reg_close = net_close,
	.reg_manifest_get = net_manifest_get,
	.reg_manifest_head = net_manifest_head,
	.reg_manifest_put = net_manifest_put,
	.reg_manifest_delete = net_manifest_delete,
	.reg_blob_head = net_blob_head,
	.reg_blob_get = net_blob_get,
	.reg_blob_upload = net_blob_upload,
	.reg_upload_start = net_upload_start,
	.reg_upload_chunk = net_upload_chunk,
	.reg_upload_finish = net_upload_finish,
	.reg_upload_cancel = net_upload_cancel,
	.reg_blob_mount = net_blob_mount,
	.reg_tags_list = net_tags_list,
	.reg_check_login = net_check_login,
	.reg_referrers_page = net_referrers_page,
	.reg_request_count = net_request_count,
	.creds_store = net_creds_store,
	.creds_erase = net_creds_erase,
	.ec_generate = sig_ec_generate,
	.ec_public = sig_ec_public,
	.ec_check_public = sig_ec_check_public,
	.ec_sign = sig_ec_sign,
	.ec_verify = sig_ec_verify,
};
