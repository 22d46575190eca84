/*
 * --metadata-file and --digestfile (cli/result-files.h): buildx's and
 * podman's shapes, each file replaced whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/result-files.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/json-write.h"
#include "util/wrapper.h"

int pc_metadata_json(struct buf *out, const struct pc_result *r)
{
	struct buf names = BUF_INIT;
	struct jw w;
	int ret = 0;

	for (size_t i = 0; !ret && i < r->names_nr; i++)
		ret = buf_addf(&names, "%s%s", i ? "," : "", r->names[i]);
	if (ret) {
		buf_release(&names);
		return ret;
	}
	/* Go's MarshalIndent of a map: keys in byte order, 2 spaces. */
	jw_init(&w, out, "  ", 0, JW_GO);
	jw_open(&w, '{');
	jw_next(&w, "containerimage.descriptor");
	jw_open(&w, '{');
	jw_string(&w, "mediaType", r->media_type);
	jw_string(&w, "digest", r->digest);
	jw_int(&w, "size", (int64_t)r->size);
	jw_close(&w, '}');
	jw_string(&w, "containerimage.digest", r->digest);
	if (r->names_nr)
		jw_string(&w, "image.name", names.ptr);
	jw_close(&w, '}');
	buf_release(&names);
	return w.ret;
}

static int write_error(const char *path)
{
	int code = errno == ENOSPC || errno == EDQUOT ? MF_ENOSPC : MF_EIO;

	return mf_error_errno(code, "cannot write %s", term_str(path));
}

int pc_write_file(const char *path, const void *data, size_t len)
{
	struct buf tmp = BUF_INIT_MAX(PATH_MAX);
	const char *slash = strrchr(path, '/');
	int fd, ret = 0;

	if (slash)
		ret = buf_addf(&tmp, "%.*s/.%s.XXXXXX", (int)(slash - path), path,
			       slash + 1);
	else
		ret = buf_addf(&tmp, ".%s.XXXXXX", path);
	if (ret) {
		buf_release(&tmp);
		return mf_error(MF_EIO, "cannot write %s: the path is too long",
				term_str(path));
	}
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		ret = write_error(path);
		buf_release(&tmp);
		return ret;
	}
	/* buildx's mode (mkstemp's is 0600) */
	if (fchmod(fd, 0644) || write_full(fd, data, len) || fsync(fd))
		ret = write_error(path);
	if (close(fd) && !ret)
		ret = write_error(path);
	if (!ret && rename(tmp.ptr, path))
		ret = write_error(path);
	if (ret) {
		unlink(tmp.ptr);
		buf_release(&tmp);
		return ret;
	}
	/* The rename itself: best effort, as git and buildx do. */
	if (slash) {
		buf_setlen(&tmp, (size_t)(slash - path));
		if (!tmp.len)
			buf_adds(&tmp, "/");
	} else {
		buf_reset(&tmp);
		buf_adds(&tmp, ".");
	}
	if ((fd = open(tmp.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	buf_release(&tmp);
	return 0;
}

int pc_write_result_files(const char *metadata_file, const char *digest_file,
			  const struct pc_result *r)
{
	int ret = 0;

	if (metadata_file && *metadata_file) {
		struct buf json = BUF_INIT;

		ret = pc_metadata_json(&json, r);
		if (ret)
			ret = mf_error(ret, "cannot write %s: the metadata is too big",
				       term_str(metadata_file));
		else
			ret = pc_write_file(metadata_file, json.ptr, json.len);
		buf_release(&json);
	}
	if (!ret && digest_file && *digest_file)
		ret = pc_write_file(digest_file, r->digest, strlen(r->digest));
	return ret;
}
