#ifndef MF_UTIL_ERROR_H
#define MF_UTIL_ERROR_H

/*
 * Errors: every library function returns 0 on success or a negative
 * enum mf_error.  The message is recorded where the failure is detected
 * with mf_error() and read back with mf_error_last(); callers pass the
 * callee's code up unchanged.  Only manifold.c and cmd_* print it.
 */
enum mf_error {
	MF_OK = 0,
	MF_ERROR = -1,		/* anything without a more precise code */
	MF_ENOTFOUND = -3,	/* object, ref or store does not exist */
	MF_EEXISTS = -4,
	MF_EAMBIGUOUS = -5,	/* a digest prefix matches several objects */
	MF_EMODIFIED = -6,	/* compare-and-swap lost: ref not at old value */
	MF_EINVALID = -7,	/* malformed input: name, digest, JSON, flag */
	MF_ECORRUPT = -8,	/* stored data fails its own checks */
	MF_ENOSPC = -9,		/* map or disk full after retries */
	MF_ENET = -10,
	MF_EAUTH = -11,		/* credentials missing or refused (HTTP 401) */
	MF_ETOOBIG = -12,	/* input over its cap */
	MF_EIO = -13,		/* read/write of a file failed */
	MF_EPERM = -14,		/* authenticated, but not allowed (HTTP 403) */
	MF_ENOTSUP = -15,	/* not something this endpoint does (a mount from
				 * another registry): take another way */
	MF_EBADSIG = -16,	/* a signature does not verify: another key,
				 * changed bytes, another image */
	MF_ECONFLICT = -17,	/* a merge met the same thing changed
				 * differently on both sides */
};

#if defined(__GNUC__)
#define MF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MF_PRINTF(f, a)
#endif

/* Record a message for `code` and return `code`: `return mf_error(...)`. */
int mf_error(int code, const char *fmt, ...) MF_PRINTF(2, 3);

/* Like mf_error(), appending ": strerror(errno)". */
int mf_error_errno(int code, const char *fmt, ...) MF_PRINTF(2, 3);

/*
 * Put context in front of the last message ("<fmt>: <last message>")
 * and record `code`; returns `code`.
 */
int mf_error_wrap(int code, const char *fmt, ...) MF_PRINTF(2, 3);

/* The last recorded message ("unknown error" if none); owned by util. */
const char *mf_error_last(void);

/* The last recorded code (0 after mf_error_clear()). */
int mf_error_code(void);

void mf_error_clear(void);

#endif
