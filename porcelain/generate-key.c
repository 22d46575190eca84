/*
 * generate-key: a key pair for signing, in the files cosign writes
 * (cosign generate-key-pair): NAME.key, the private key encrypted with
 * a passphrase (scrypt + NaCl secretbox, sign/key.h), mode 0600, and
 * NAME.pub, the public key.  Neither file is ever overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "cli/parse-options.h"
#include "cli/passphrase.h"
#include "cli/usage.h"
#include "sign/key.h"
#include "util/wrapper.h"

static const char *const usage_str[] = {
	"manifold generate-key [--type ed25519|ecdsa-p256] [--passphrase-file FILE] NAME",
	"Generate a key pair for signing: NAME.key (encrypted) and NAME.pub",
	NULL
};

/* Create `path` (never over an existing file) holding `b`. */
static int write_new(const char *path, mode_t mode, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return error("cannot create %s: %s", path, strerror(errno));
	if (write_full(fd, b->ptr, b->len) || fsync(fd)) {
		error("cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd)) {
		error("cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int cmd_generate_key(int argc, const char **argv, struct cmd_ctx *ctx)
{
	const char *type_name = "ecdsa-p256", *pass_file = NULL;
	const struct option opts[] = {
		OPT_STRING(0, "type", &type_name, "type",
			   "the key type: ecdsa-p256 (cosign's default) or ed25519"),
		OPT_STRING(0, "passphrase-file", &pass_file, "file",
			   "read the passphrase from the first line of this file"),
		OPT_END()
	};
	struct passphrase pass = PASSPHRASE_INIT;
	struct buf priv = BUF_INIT, pub = BUF_INIT;
	enum sign_key_type type;
	struct sign_key *key;
	char fpr[SIGN_FINGERPRINT_SIZE];
	char *key_path, *pub_path;
	struct stat st;
	int ret;

	(void)ctx;
	argc = parse_options(argc, argv, opts, usage_str);
	if (argc != 1)
		usage_with_options_error(usage_str, opts, "name one key (NAME.key, NAME.pub)");
	if (!*argv[0])
		usage_with_options_error(usage_str, opts, "the key name is empty");
	if (!(type = sign_key_type_from_name(type_name)))
		usage_with_options_error(usage_str, opts,
					 "--type is ed25519 or ecdsa-p256");
	key_path = xmalloc(strlen(argv[0]) + 5);
	pub_path = xmalloc(strlen(argv[0]) + 5);
	snprintf(key_path, strlen(argv[0]) + 5, "%s.key", argv[0]);
	snprintf(pub_path, strlen(argv[0]) + 5, "%s.pub", argv[0]);
	/* Both checked before a passphrase is asked for. */
	if (!lstat(key_path, &st) || !lstat(pub_path, &st))
		die("%s already exists: not overwritten",
		    !lstat(key_path, &st) ? key_path : pub_path);

	passphrase_get(&pass, pass_file, 1);
	ret = sign_key_generate(&key, type);
	if (!ret)
		ret = sign_key_write(&priv, key, pass.ptr, pass.len);
	passphrase_free(&pass);
	if (!ret)
		ret = sign_pubkey_write(&pub, sign_key_public(key));
	if (ret)
		die_last();
	sign_pubkey_fingerprint(fpr, sign_key_public(key));
	sign_key_free(key);

	ret = write_new(key_path, 0600, &priv);
	if (!ret && (ret = write_new(pub_path, 0644, &pub)))
		unlink(key_path);
	if (!ret) {
		fprintf(stderr, "Private key written to %s\n", key_path);
		fprintf(stderr, "Public key written to %s (%s %s)\n", pub_path,
			sign_key_type_name(type), fpr);
	}
	buf_release(&priv);
	buf_release(&pub);
	free(key_path);
	free(pub_path);
	return ret ? 1 : 0;
}
