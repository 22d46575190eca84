#ifndef MF_UTIL_TAR_H
#define MF_UTIL_TAR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Tar archives of OCI image layouts (`oci-archive:FILE`): a reader that
 * checks every header and never extracts (the caller reads a member's
 * bytes in place, with pread at its offset), and a writer.
 *
 * The reader takes ustar and GNU headers, pax extended headers (`x`:
 * the `path` and `size` keys of the next member; `g`: ignored) and GNU
 * long names (`L`).  It refuses whatever an OCI layout does not need or
 * that could land outside the tree, each with a one-line message naming
 * the archive (`what`), the member and the offset of its header:
 *
 *  MF_ECORRUPT  a header checksum that does not match; a size field that
 *               is neither octal nor positive base-256 (or past 2^63 - 1);
 *               a header that is not ustar or GNU (no "ustar" magic: V7
 *               and other old formats); a malformed pax record; a pax or
 *               long-name header with no member after it; data or a
 *               header running past the end of the file (the size fstat
 *               gives); a zero block followed by anything but zeros; a
 *               directory with data.
 *  MF_EINVALID  a name that is absolute, has a "..", "." or empty
 *               component, a control byte (NUL included, as in a pax
 *               path) or invalid UTF-8; a regular file whose name ends in
 *               "/"; any type but a regular file ('0', NUL, '7') or a
 *               directory ('5'): hard links, symlinks, devices, FIFOs,
 *               sparse files (GNU 'S' and pax GNU.sparse.* keys), volume
 *               labels ...; the same name twice; a member under a name
 *               that is a file, or a file where earlier members put a
 *               directory; a descriptor that is not a regular file.
 *  MF_ETOOBIG   a member over lim->max_member, a running total over
 *               lim->max_total, more than lim->max_members entries; a
 *               name longer than TAR_NAME_MAX or deeper than
 *               TAR_DEPTH_MAX components; a pax header over TAR_PAX_MAX
 *               bytes.
 *  MF_EIO       fstat or pread failed.
 *
 * The end of an archive is two zero blocks, and what follows them must be
 * zeros (of any length: a writer's record padding).  GNU tar also reads
 * an archive that stops at a block boundary with no end blocks, or with
 * one: so does tar_scan.  A leading "./" is stripped from names, and an
 * entry for the top directory itself ("./" or ".") is checked and then
 * skipped: `tar -cf x.tar -C DIR .` and skopeo's archives scan alike.
 */

#define TAR_BLOCK 512

/* Longest normalised name accepted or written (bytes, without the NUL). */
#define TAR_NAME_MAX 1024
/* Most components in a name ("blobs/sha256/<hex>" has 3). */
#define TAR_DEPTH_MAX 32
/* Largest pax extended header (`x` or `g`) read or skipped. */
#define TAR_PAX_MAX ((size_t)64 << 10)

struct tar_limits {
	uint64_t max_member;	/* largest member size accepted */
	uint64_t max_total;	/* sum of member sizes */
	size_t max_members;	/* number of entries (files and directories) */
};

enum tar_type { TAR_FILE = 1, TAR_DIR };

struct tar_member {
	char name[TAR_NAME_MAX + 1];	/* normalised: no leading "./", no
					 * trailing "/", components checked */
	enum tar_type type;
	uint64_t offset;		/* of the data in the archive file;
					 * a multiple of TAR_BLOCK */
	uint64_t size;			/* 0 for a directory */
};

/*
 * Read every header of the archive on fd (seeking over the data: fd must
 * be a regular file; its file offset is not used or moved), check each
 * and call cb with each file and directory in archive order; cb returns
 * 0 to go on, anything else to stop, and tar_scan then returns that
 * value unchanged (a negative mf_error, or a positive number of the
 * caller's).  cb sees a member as soon as its own header is checked:
 * the caller trusts the result only when tar_scan returns 0, after the
 * whole archive is checked.  `lim` must not be NULL.
 *
 * Memory: one 64 KiB buffer, and the names seen (to refuse duplicates
 * and members under a file) as a tree of components: a name's new
 * components and 20 bytes for each, so at worst about 3.5 KiB per
 * member with the arrays' doubling (an OCI layout's names: under 100
 * bytes; 20000 blobs scan in 3.5 MiB of resident memory).
 *
 * Returns 0, cb's value, or an error above.
 */
int tar_scan(int fd, const struct tar_limits *lim, const char *what,
	     int (*cb)(const struct tar_member *m, void *payload),
	     void *payload);

/*
 * The writer: ustar headers (uid and gid 0, empty user and group names,
 * mode 0644 for a file and 0755 for a directory), written sequentially
 * to fd, which is neither seeked nor closed.  A name is given in
 * normalised form (the rules of tar_scan: relative, no "." or ".."
 * component, no trailing "/", at most TAR_NAME_MAX bytes of UTF-8 with
 * no control byte); a directory's is written with a trailing "/".  A
 * name longer than the 100-byte name field goes in the prefix field
 * when it can be split there at a "/", otherwise in a pax `path` record;
 * a size of 8 GiB or more (past the 11 octal digits of ustar) in a pax
 * `size` record.  A member's header is written before its data is read.
 *
 * Every call returns 0, MF_EINVALID or MF_ETOOBIG (a name or mtime
 * refused: nothing is written, the writer goes on), or MF_EIO (a read
 * or write failed, or a source gave fewer bytes than its size: what was
 * written is no archive, and the writer only refuses, with MF_ERROR,
 * until it is freed).
 */
struct tar_writer;

/* A writer on fd; `what` names the archive in errors.  Never fails. */
int tar_writer_new(struct tar_writer **out, int fd, const char *what);

/*
 * The mtime of the members written after it (seconds since the epoch,
 * 0 until set).  MF_EINVALID unless 0 <= mtime < 8^11 (the octal field;
 * year 2242).
 */
int tar_writer_set_mtime(struct tar_writer *w, int64_t mtime);

/* A directory entry. */
int tar_write_dir(struct tar_writer *w, const char *name);

/*
 * A regular file of `size` bytes read (read(2), from its current offset:
 * a pipe will do) from src_fd until size; fewer is MF_EIO.  src_fd is
 * not closed.
 */
int tar_write_file(struct tar_writer *w, const char *name, int src_fd,
		   uint64_t size);

/*
 * Write the two zero end blocks and free w (also on error).  fd is
 * neither synced nor closed: the caller does both before renaming a
 * temporary file into place.
 */
int tar_writer_finish(struct tar_writer *w);

/* Free w without ending the archive (NULL is fine). */
void tar_writer_abort(struct tar_writer *w);

/*
 * For a writer that places members itself (several threads at once,
 * each pwrite()ing a member into a region of the file reserved for it):
 * the header block(s) of a regular file `name` of `size` bytes, the same
 * bytes tar_write_file() writes before its data, into out (at least
 * TAR_HEADER_MAX bytes), and their length, a multiple of TAR_BLOCK, in
 * *len.  The member takes *len + tar_padded(size) bytes: the header, the
 * data, then zeros to the end of its last block.  The length depends on
 * the size (a pax header from 8 GiB) and on the name's length and the
 * places of its '/' (a pax header for a name past 100 bytes that cannot
 * be split), not on its other bytes: a region for "blobs/sha256/<hex>"
 * may be reserved before the hex digits are known.  Returns
 * 0 or MF_EINVALID (the name, or the mtime, as tar_writer_set_mtime()).
 */
#define TAR_HEADER_MAX (5 * TAR_BLOCK)
int tar_file_header(char *out, size_t *len, const char *name, uint64_t size,
		    int64_t mtime, const char *what);

/* size rounded up to a multiple of TAR_BLOCK. */
uint64_t tar_padded(uint64_t size);

/*
 * Write an archive of the tree under the directory `dir` to fd: every
 * directory and regular file below it (dir itself has no entry; no "./"
 * prefix), the entries of each directory sorted bytewise, a directory
 * before its contents, so that one tree always gives the same bytes.
 * Symlinks (never followed) and other file types are refused with
 * MF_EINVALID; a name or depth past TAR_NAME_MAX or TAR_DEPTH_MAX with
 * MF_ETOOBIG; a directory that cannot be read is MF_EIO (MF_ENOTFOUND if
 * `dir` does not exist).  `mtime` as tar_writer_set_mtime().  Ends the
 * archive (two zero blocks) on success.  fd must not be a file under
 * dir (write to a temporary file beside the target, then rename).
 */
int tar_write_tree(int fd, const char *dir, int64_t mtime, const char *what);

#endif
