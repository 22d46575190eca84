#ifndef MF_CLI_RESULT_FILES_H
#define MF_CLI_RESULT_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/*
 * The files create and push leave for the next step of a pipeline, in
 * the shapes the tools it used before write them, so that a step that
 * read those reads these:
 *
 *   --metadata-file  buildx's (`docker buildx build` and `imagetools
 *                    create --metadata-file`): Go's
 *                    json.MarshalIndent(map, "", "  ") of
 *                      "containerimage.descriptor": mediaType, digest,
 *                          size (an OCI descriptor, in its struct's
 *                          order; no annotations: buildx writes the
 *                          descriptor's own, which a list named by a
 *                          tag does not have)
 *                      "containerimage.digest": the digest
 *                      "image.name": the names, joined by ","
 *                    keys sorted (a Go map), no newline at the end.
 *   --digestfile     podman's (`podman manifest push --digestfile`):
 *                    "sha256:<hex>", no newline at the end.
 *
 * Each file is replaced whole or not at all: written to a temporary
 * file in its directory, synced, then renamed over it.
 */

/* The two options, for a command's option table. */
#define PC_OPT_RESULT_FILES(metadata_file, digest_file, what) \
	OPT_STRING(0, "metadata-file", (metadata_file), "string", \
		   "Write " what " result metadata to a file"), \
	OPT_STRING(0, "digestfile", (digest_file), "string", \
		   "Write the digest of the list to a file")

/* What the files say of a list. */
struct pc_result {
	const char *media_type;
	const char *digest;		/* "sha256:<hex>" */
	uint64_t size;
	const char *const *names;	/* full references, as docker writes them */
	size_t names_nr;
};

/* r as buildx's metadata file, appended to out.  Errors as buf_add(). */
int pc_metadata_json(struct buf *out, const struct pc_result *r);

/*
 * Replace the file `path` by `len` bytes of data (mode 0644): a
 * temporary file beside it, then rename().  On an error nothing at path
 * changed, the temporary file is gone, and MF_EIO (MF_ENOSPC for a full
 * disk) says "cannot write PATH: <reason>" on one line.
 */
int pc_write_file(const char *path, const void *data, size_t len);

/*
 * Write the metadata file and the digest file of r, each when its path
 * is neither NULL nor "" (an empty value means no file, as buildx and
 * podman take it).  Errors as pc_write_file(); a first file written
 * stays when the second fails.
 */
int pc_write_result_files(const char *metadata_file, const char *digest_file,
			  const struct pc_result *r);

#endif
