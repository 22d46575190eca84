/*
 * Tar archives of OCI image layouts (see tar.h): a reader that checks
 * every header and extracts nothing, and a ustar writer.
 *
 * Header layout (POSIX.1-1988 ustar; GNU uses the same fields up to the
 * magic, which is "ustar  \0" there, and other things after it):
 *
 *   name 0/100  mode 100/8  uid 108/8  gid 116/8  size 124/12
 *   mtime 136/12  chksum 148/8  typeflag 156  linkname 157/100
 *   magic 257/6  version 263/2  uname 265/32  gname 297/32
 *   devmajor 329/8  devminor 337/8  prefix 345/155
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tar.h"
#include "buf.h"
#include "error.h"
#include "escape.h"
#include "strvec.h"
#include "utf8.h"
#include "wrapper.h"

#define OFF_NAME 0
#define OFF_MODE 100
#define OFF_UID 108
#define OFF_GID 116
#define OFF_SIZE 124
#define OFF_MTIME 136
#define OFF_CHKSUM 148
#define OFF_TYPE 156
#define OFF_MAGIC 257
#define OFF_VERSION 263
#define OFF_DEVMAJOR 329
#define OFF_DEVMINOR 337
#define OFF_PREFIX 345
#define LEN_NAME 100
#define LEN_PREFIX 155

/* The largest value of the 12-byte octal fields: 11 digits. */
#define OCTAL11_MAX ((UINT64_C(1) << 33) - 1)

/* The bytes a copy or a trailing-zeros check handles at once. */
#define CHUNK ((size_t)64 << 10)

/* How much of a name an error message shows. */
#define SHOW_MAX 128

#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * s (len bytes) for a message: escaped (util/escape.h), cut after
 * SHOW_MAX bytes with "...", in b (reset first).  errno is kept.
 */
static const char *show(struct buf *b, const char *s, size_t len)
{
	int saved = errno;

	buf_reset(b);
	if (term_escape(b, s, len < SHOW_MAX ? len : SHOW_MAX) ||
	    (len > SHOW_MAX && buf_adds(b, "...")))
		buf_reset(b);
	errno = saved;
	return b->ptr;
}

static uint64_t round_block(uint64_t n)
{
	return (n + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

static int all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* The length of the NUL-terminated string in a field of n bytes. */
static size_t field_len(const char *f, size_t n)
{
	const char *nul = memchr(f, '\0', n);

	return nul ? (size_t)(nul - f) : n;
}

/*
 * Name checks, shared by the reader (names from the archive) and the
 * writer (names from the caller).  Writes the normalised name (leading
 * "./" and, for a directory, one trailing "/" removed) to out.  Returns
 * 1 for the top directory ("./", "."), 0 for a name, or an error code
 * with *why set.
 */
static int normalise(char out[TAR_NAME_MAX + 1], size_t *out_len,
		     const char *s, size_t len, int is_dir, const char **why)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, start, depth = 0;

	for (i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_seq(u + i, len - i, &cp);

		if (!n) {
			*why = "the name is not valid UTF-8";
			return MF_EINVALID;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			*why = cp ? "the name has a control character" :
				    "the name has a NUL byte";
			return MF_EINVALID;
		}
		i += n;
	}
	if (len && s[0] == '/') {
		*why = "the name is absolute";
		return MF_EINVALID;
	}
	while (len >= 2 && s[0] == '.' && s[1] == '/') {
		s += 2;
		len -= 2;
	}
	if (len == 1 && s[0] == '.')
		len = 0;
	if (len && s[len - 1] == '/') {
		if (!is_dir) {
			*why = "a file's name ends in \"/\"";
			return MF_EINVALID;
		}
		len--;
	}
	if (!len) {
		if (is_dir)
			return 1;
		*why = "the name is empty";
		return MF_EINVALID;
	}
	if (len > TAR_NAME_MAX) {
		*why = "the name is longer than " STR(TAR_NAME_MAX) " bytes";
		return MF_ETOOBIG;
	}
	for (start = 0; start <= len; start = i + 1) {
		const char *c = s + start;
		size_t n;

		for (i = start; i < len && s[i] != '/'; i++)
			;
		n = i - start;
		if (!n) {
			*why = "the name has an empty component";
			return MF_EINVALID;
		}
		if (n == 1 && c[0] == '.') {
			*why = "the name has a \".\" component";
			return MF_EINVALID;
		}
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			*why = "the name has a \"..\" component";
			return MF_EINVALID;
		}
		if (++depth > TAR_DEPTH_MAX) {
			*why = "the name has more than " STR(TAR_DEPTH_MAX) " components";
			return MF_ETOOBIG;
		}
	}
	memcpy(out, s, len);
	out[len] = '\0';
	*out_len = len;
	return 0;
}

/*
 * The names seen so far, as a tree: a node per component, found by
 * (parent, component) in an open-addressing table.  Node 0 is the top.
 */
enum node_kind { NODE_IMPLIED = 1, NODE_DIR, NODE_FILE };

struct node {
	uint32_t parent;
	uint32_t off;		/* of the component in the pool */
	uint16_t len;
	uint8_t kind;
};

struct names {
	struct node *node;
	size_t nr, alloc;
	char *pool;
	size_t pool_len, pool_alloc;
	uint32_t *slot;		/* 0: empty, else node index + 1 */
	size_t nslot;		/* a power of two */
};

static uint32_t node_hash(uint32_t parent, const char *c, size_t n)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 4; i++) {
		h ^= (parent >> (8 * i)) & 0xff;
		h *= 16777619u;
	}
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)c[i];
		h *= 16777619u;
	}
	return h;
}

static size_t names_find(const struct names *t, uint32_t parent,
			 const char *c, size_t n, uint32_t *idx)
{
	size_t mask = t->nslot - 1, i = node_hash(parent, c, n) & mask;

	while (t->slot[i]) {
		const struct node *nd = &t->node[t->slot[i] - 1];

		if (nd->parent == parent && nd->len == n &&
		    !memcmp(t->pool + nd->off, c, n)) {
			*idx = t->slot[i] - 1;
			return i;
		}
		i = (i + 1) & mask;
	}
	*idx = 0;
	return i;
}

static void names_init(struct names *t)
{
	memset(t, 0, sizeof(*t));
	t->alloc = 64;
	t->node = xmalloc(t->alloc * sizeof(*t->node));
	t->node[0] = (struct node){ 0, 0, 0, NODE_DIR };
	t->nr = 1;
	t->nslot = 128;
	t->slot = xcalloc(t->nslot, sizeof(*t->slot));
}

static void names_release(struct names *t)
{
	free(t->node);
	free(t->pool);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* Add a child; the caller has found it missing.  Its index, or 0 if full. */
static uint32_t names_add(struct names *t, uint32_t parent, const char *c,
			  size_t n, uint8_t kind)
{
	uint32_t idx;
	size_t pos;

	if (t->nr >= UINT32_MAX - 1 || t->pool_len + n > UINT32_MAX)
		return 0;
	if ((t->nr + 1) * 2 > t->nslot) {
		size_t old_n = t->nslot;
		uint32_t *old = t->slot;

		t->nslot *= 2;
		t->slot = xcalloc(t->nslot, sizeof(*t->slot));
		for (size_t i = 0; i < old_n; i++) {
			const struct node *nd;
			uint32_t dummy;

			if (!old[i])
				continue;
			nd = &t->node[old[i] - 1];
			pos = names_find(t, nd->parent, t->pool + nd->off,
					 nd->len, &dummy);
			t->slot[pos] = old[i];
		}
		free(old);
	}
	if (t->nr == t->alloc) {
		t->alloc *= 2;
		t->node = xrealloc(t->node, t->alloc * sizeof(*t->node));
	}
	if (t->pool_len + n > t->pool_alloc) {
		t->pool_alloc = t->pool_alloc ? t->pool_alloc * 2 : 4096;
		while (t->pool_len + n > t->pool_alloc)
			t->pool_alloc *= 2;
		t->pool = xrealloc(t->pool, t->pool_alloc);
	}
	memcpy(t->pool + t->pool_len, c, n);
	idx = (uint32_t)t->nr++;
	t->node[idx] = (struct node){ parent, (uint32_t)t->pool_len,
				      (uint16_t)n, kind };
	t->pool_len += n;
	pos = names_find(t, parent, c, n, &(uint32_t){ 0 });
	t->slot[pos] = idx + 1;
	return idx;
}

struct scan {
	int fd;
	uint64_t fsize;
	const struct tar_limits *lim;
	const char *what;
	uint64_t total;
	size_t members;
	struct names names;
	char *data;		/* CHUNK bytes: pax and long-name data */
	/* from the extension headers before the next member */
	uint64_t ext_off;	/* offset of the first of them */
	int had_x, had_l;
	size_t pax_path_off, pax_path_len;	/* in data */
	int has_pax_path, has_pax_size;
	uint64_t pax_size;
	char long_name[TAR_NAME_MAX + 2];
	size_t long_len;
};

/* Record "WHAT: member "NAME" (header at byte OFF): MSG". */
static int bad(struct scan *s, int code, const char *name, size_t len,
	       uint64_t off, const char *fmt, ...) MF_PRINTF(6, 7);

static int bad(struct scan *s, int code, const char *name, size_t len,
	       uint64_t off, const char *fmt, ...)
{
	struct buf shown = BUF_INIT_MAX(8 * SHOW_MAX);
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mf_error(code, "%s: member \"%s\" (header at byte %ju): %s", s->what,
		 show(&shown, name, len), (uintmax_t)off, msg);
	buf_release(&shown);
	return code;
}

static int read_at(struct scan *s, void *p, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(s->fd, (char *)p + got, n - got,
				  (off_t)(off + got));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return mf_error_errno(MF_EIO, "%s: reading at byte %ju",
					      s->what, (uintmax_t)(off + got));
		}
		if (!r)
			return mf_error(MF_EIO, "%s: the file shrank while read "
					"(end at byte %ju)", s->what,
					(uintmax_t)(off + got));
		got += (size_t)r;
	}
	return 0;
}

/*
 * A numeric field of n <= 12 bytes: octal digits after optional spaces,
 * ended by a space or NUL (and only those after), or GNU base-256
 * (first byte 0x80, the rest big-endian).  0 or -1; values past
 * INT64_MAX are refused (12 octal digits are 36 bits: never).
 */
static int parse_num(const char *f, size_t n, uint64_t *out)
{
	const unsigned char *u = (const unsigned char *)f;
	uint64_t v = 0;
	size_t i = 0, digits = 0;

	if (u[0] == 0x80) {
		for (i = 1; i < n; i++) {
			if (v >> 55)	/* the shift would pass 2^63 - 1 */
				return -1;
			v = v << 8 | u[i];
		}
		*out = v;
		return 0;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, digits++)
		v = v << 3 | (uint64_t)(f[i] - '0');
	if (!digits)
		return -1;
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

/* The sum matches (as unsigned bytes, or signed as some old tars did). */
static int checksum_ok(const char *h)
{
	uint64_t want;
	long usum = 0, ssum = 0;

	if (parse_num(h + OFF_CHKSUM, 8, &want))
		return 0;
	for (int i = 0; i < TAR_BLOCK; i++) {
		int in = i >= OFF_CHKSUM && i < OFF_CHKSUM + 8;

		usum += in ? ' ' : (unsigned char)h[i];
		ssum += in ? ' ' : (signed char)h[i];
	}
	return (uint64_t)usum == want || (ssum >= 0 && (uint64_t)ssum == want);
}

static void ext_reset(struct scan *s)
{
	s->had_x = s->had_l = 0;
	s->has_pax_path = s->has_pax_size = 0;
}

/* The records of an `x` header (data in s->data, n bytes). */
static int pax_parse(struct scan *s, size_t n, const char *hname,
		     size_t hlen, uint64_t hoff)
{
	const char *p = s->data;
	size_t at = 0;

	while (at < n) {
		const char *rec = p + at, *key, *eq, *val;
		size_t len = 0, i = 0, klen, vlen;

		for (; i < n - at && rec[i] >= '0' && rec[i] <= '9'; i++) {
			len = len * 10 + (size_t)(rec[i] - '0');
			if (len > n - at)
				break;
		}
		if (!i || len > n - at || i >= len || rec[i] != ' ' ||
		    rec[len - 1] != '\n')
			return bad(s, MF_ECORRUPT, hname, hlen, hoff,
				   "malformed record at byte %zu of the "
				   "extended header", at);
		key = rec + i + 1;
		eq = memchr(key, '=', (size_t)(rec + len - 1 - key));
		if (!eq || eq == key)
			return bad(s, MF_ECORRUPT, hname, hlen, hoff,
				   "record at byte %zu of the extended header "
				   "has no key", at);
		klen = (size_t)(eq - key);
		val = eq + 1;
		vlen = (size_t)(rec + len - 1 - val);
		if (klen == 4 && !memcmp(key, "path", 4)) {
			s->has_pax_path = vlen > 0;
			s->pax_path_off = (size_t)(val - p);
			s->pax_path_len = vlen;
		} else if (klen == 4 && !memcmp(key, "size", 4)) {
			uint64_t v = 0;
			size_t j;

			for (j = 0; j < vlen && val[j] >= '0' && val[j] <= '9'; j++) {
				uint64_t d = (uint64_t)(val[j] - '0');

				if (v > (INT64_MAX - d) / 10)
					break;
				v = v * 10 + d;
			}
			if (j != vlen)
				return bad(s, MF_ECORRUPT, hname, hlen, hoff,
					   "the size record is not a decimal "
					   "number below 2^63");
			s->has_pax_size = vlen > 0;
			s->pax_size = v;
		} else if (klen >= 11 && !memcmp(key, "GNU.sparse.", 11)) {
			return bad(s, MF_EINVALID, hname, hlen, hoff,
				   "a sparse file (an OCI archive has none)");
		}
		at += len;
	}
	return 0;
}

/* What follows the first zero block (at off) must be zeros. */
static int check_trailer(struct scan *s, uint64_t off)
{
	uint64_t at = off + TAR_BLOCK;

	while (at < s->fsize) {
		size_t n = s->fsize - at < CHUNK ? (size_t)(s->fsize - at) : CHUNK;
		int ret = read_at(s, s->data, n, at);

		if (ret)
			return ret;
		if (!all_zero(s->data, n)) {
			size_t i = 0;

			while (!s->data[i])
				i++;
			return mf_error(MF_ECORRUPT, "%s: data at byte %ju after "
					"the zero block that ends the archive at "
					"byte %ju", s->what, (uintmax_t)(at + i),
					(uintmax_t)off);
		}
		at += n;
	}
	return 0;
}

static const char *type_refused(char t)
{
	switch (t) {
	case '1': return "a hard link";
	case '2': return "a symbolic link";
	case '3': return "a character device";
	case '4': return "a block device";
	case '6': return "a FIFO";
	case 'K': return "a GNU long link name";
	case 'S': return "a GNU sparse file";
	case 'V': return "a GNU volume label";
	case 'M': return "a GNU multi-volume continuation";
	case 'D': return "a GNU dump directory";
	default: return NULL;
	}
}

/* Record the member's name in the tree: duplicates and files in the way. */
static int names_put(struct scan *s, const char *name, size_t len,
		     enum tar_type type, uint64_t hoff)
{
	struct names *t = &s->names;
	uint32_t cur = 0;
	size_t start = 0;

	for (;;) {
		size_t end = start;
		uint32_t idx;
		int last;

		while (end < len && name[end] != '/')
			end++;
		last = end == len;
		names_find(t, cur, name + start, end - start, &idx);
		if (!idx) {
			idx = names_add(t, cur, name + start, end - start,
					!last ? NODE_IMPLIED :
					type == TAR_DIR ? NODE_DIR : NODE_FILE);
			if (!idx)
				return bad(s, MF_ETOOBIG, name, len, hoff,
					   "too many names");
		} else if (!last && t->node[idx].kind == NODE_FILE) {
			return bad(s, MF_EINVALID, name, len, hoff,
				   "it is under \"%.*s\", a file", (int)end, name);
		} else if (last && t->node[idx].kind == NODE_IMPLIED) {
			if (type != TAR_DIR)
				return bad(s, MF_EINVALID, name, len, hoff,
					   "a file, but earlier members are "
					   "under it");
			t->node[idx].kind = NODE_DIR;
		} else if (last) {
			return bad(s, MF_EINVALID, name, len, hoff,
				   "the name occurs twice");
		}
		if (last)
			return 0;
		cur = idx;
		start = end + 1;
	}
}

/*
 * One header at off (already read into h, checksum and magic checked).
 * Sets *next to the offset of the next header.  1 for the top directory
 * (nothing to report), 0 for a member in *m, 2 for an extension header.
 */
static int one_header(struct scan *s, const char *h, uint64_t off,
		      uint64_t *next, struct tar_member *m)
{
	char raw[LEN_PREFIX + 1 + LEN_NAME + 1];
	const char *name, *why = NULL;
	size_t name_len, nl = field_len(h + OFF_NAME, LEN_NAME);
	int posix = !memcmp(h + OFF_MAGIC, "ustar\0", 6);
	uint64_t size, data = off + TAR_BLOCK;
	char t = h[OFF_TYPE];
	const char *refused;
	int ret;

	/* The header's own name, for messages and as the default. */
	if (posix && h[OFF_PREFIX]) {
		size_t pl = field_len(h + OFF_PREFIX, LEN_PREFIX);

		memcpy(raw, h + OFF_PREFIX, pl);
		raw[pl] = '/';
		memcpy(raw + pl + 1, h + OFF_NAME, nl);
		name_len = pl + 1 + nl;
	} else {
		memcpy(raw, h + OFF_NAME, nl);
		name_len = nl;
	}
	raw[name_len] = '\0';
	name = raw;
	if (parse_num(h + OFF_SIZE, 12, &size))
		return bad(s, MF_ECORRUPT, name, name_len, off,
			   "the size field is neither octal nor base-256 "
			   "below 2^63");

	if (t == 'x' || t == 'g' || t == 'L') {
		size_t cap = t == 'L' ? TAR_NAME_MAX + 1 : TAR_PAX_MAX;

		if (size > cap)
			return bad(s, MF_ETOOBIG, name, name_len, off,
				   "%s header of %ju bytes (the limit is %zu)",
				   t == 'L' ? "a long-name" : "an extended",
				   (uintmax_t)size, cap);
		if (data + round_block(size) > s->fsize)
			return bad(s, MF_ECORRUPT, name, name_len, off,
				   "the archive is truncated (its %ju bytes of "
				   "data end past the end of the file)",
				   (uintmax_t)size);
		*next = data + round_block(size);
		if (t == 'g')
			return 2;
		if ((t == 'x' && s->had_x) || (t == 'L' && s->had_l))
			return bad(s, MF_ECORRUPT, name, name_len, off,
				   "two %s headers for one member",
				   t == 'x' ? "extended" : "long-name");
		if (!s->had_x && !s->had_l)
			s->ext_off = off;
		ret = read_at(s, t == 'x' ? s->data : s->long_name,
			      (size_t)size, data);
		if (ret)
			return ret;
		if (t == 'x') {
			s->had_x = 1;
			ret = pax_parse(s, (size_t)size, name, name_len, off);
			return ret ? ret : 2;
		}
		s->had_l = 1;
		s->long_len = field_len(s->long_name, (size_t)size);
		if (!all_zero(s->long_name + s->long_len,
			      (size_t)size - s->long_len))
			return bad(s, MF_EINVALID, s->long_name, s->long_len,
				   off, "the long name has a NUL byte");
		return 2;
	}

	/* A member: the name and size the extension headers give win. */
	if (s->has_pax_path) {
		name = s->data + s->pax_path_off;
		name_len = s->pax_path_len;
	} else if (s->had_l) {
		name = s->long_name;
		name_len = s->long_len;
	}
	if (s->has_pax_size)
		size = s->pax_size;
	ext_reset(s);

	if (++s->members > s->lim->max_members)
		return bad(s, MF_ETOOBIG, name, name_len, off,
			   "more than %zu members", s->lim->max_members);
	refused = type_refused(t);
	if (refused)
		return bad(s, MF_EINVALID, name, name_len, off,
			   "%s (an OCI archive has none)", refused);
	if (t == '0' || t == '\0' || t == '7')
		m->type = TAR_FILE;
	else if (t == '5')
		m->type = TAR_DIR;
	else if ((unsigned char)t >= 0x20 && (unsigned char)t < 0x7f)
		return bad(s, MF_EINVALID, name, name_len, off,
			   "unknown type '%c'", t);
	else
		return bad(s, MF_EINVALID, name, name_len, off,
			   "unknown type 0x%02x", (unsigned char)t);

	ret = normalise(m->name, &nl, name, name_len, m->type == TAR_DIR, &why);
	if (ret < 0)
		return bad(s, ret, name, name_len, off, "%s", why);
	if (m->type == TAR_DIR && size)
		return bad(s, MF_ECORRUPT, name, name_len, off,
			   "a directory with %ju bytes of data",
			   (uintmax_t)size);
	if (size > s->lim->max_member)
		return bad(s, MF_ETOOBIG, name, name_len, off,
			   "%ju bytes, over the limit of %ju", (uintmax_t)size,
			   (uintmax_t)s->lim->max_member);
	if (size > s->lim->max_total - s->total)
		return bad(s, MF_ETOOBIG, name, name_len, off,
			   "the members add up to more than %ju bytes",
			   (uintmax_t)s->lim->max_total);
	s->total += size;
	if (data + round_block(size) > s->fsize)
		return bad(s, MF_ECORRUPT, name, name_len, off,
			   "the archive is truncated (%ju bytes of data end "
			   "past the end of the file, %ju bytes)",
			   (uintmax_t)size, (uintmax_t)s->fsize);
	*next = data + round_block(size);
	if (ret == 1)
		return 1;
	ret = names_put(s, m->name, nl, m->type, off);
	if (ret)
		return ret;
	m->offset = data;
	m->size = size;
	return 0;
}

static int scan(struct scan *s, int (*cb)(const struct tar_member *m, void *payload),
		void *payload)
{
	char h[TAR_BLOCK];
	struct tar_member *m = xmalloc(sizeof(*m));
	uint64_t off = 0;
	int ret = 0;

	for (;;) {
		uint64_t next = 0;
		int pending = s->had_x || s->had_l;

		if (off == s->fsize || off + TAR_BLOCK > s->fsize) {
			if (off == s->fsize && !pending)
				break;
			if (pending)
				ret = mf_error(MF_ECORRUPT, "%s: the extended "
					       "header at byte %ju has no member "
					       "after it", s->what,
					       (uintmax_t)s->ext_off);
			else
				ret = mf_error(MF_ECORRUPT, "%s: the archive "
					       "is truncated (a partial header "
					       "at byte %ju)", s->what,
					       (uintmax_t)off);
			break;
		}
		ret = read_at(s, h, TAR_BLOCK, off);
		if (ret)
			break;
		if (all_zero(h, TAR_BLOCK)) {
			if (pending)
				ret = mf_error(MF_ECORRUPT, "%s: the extended "
					       "header at byte %ju has no member "
					       "after it", s->what,
					       (uintmax_t)s->ext_off);
			else
				ret = check_trailer(s, off);
			break;
		}
		if (!checksum_ok(h)) {
			ret = bad(s, MF_ECORRUPT, h, field_len(h, LEN_NAME), off,
				  "the header checksum does not match");
			break;
		}
		if (memcmp(h + OFF_MAGIC, "ustar\0", 6) &&
		    memcmp(h + OFF_MAGIC, "ustar  \0", 8)) {
			ret = bad(s, MF_ECORRUPT, h, field_len(h, LEN_NAME), off,
				  "not a ustar or GNU tar header");
			break;
		}
		ret = one_header(s, h, off, &next, m);
		if (ret < 0)
			break;
		if (!ret) {
			ret = cb(m, payload);
			if (ret)
				break;
		}
		ret = 0;
		off = next;
	}
	free(m);
	return ret;
}

int tar_scan(int fd, const struct tar_limits *lim, const char *what,
	     int (*cb)(const struct tar_member *m, void *payload),
	     void *payload)
{
	struct scan s;
	struct stat st;
	int ret;

	if (fstat(fd, &st) < 0)
		return mf_error_errno(MF_EIO, "%s: fstat", what);
	if (!S_ISREG(st.st_mode))
		return mf_error(MF_EINVALID, "%s: not a regular file", what);
	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.fsize = (uint64_t)st.st_size;
	s.lim = lim;
	s.what = what;
	s.data = xmalloc(CHUNK);
	names_init(&s.names);
	ret = scan(&s, cb, payload);
	names_release(&s.names);
	free(s.data);
	return ret;
}

/* ---- the writer ---- */

struct tar_writer {
	int fd;
	int failed;
	int64_t mtime;
	char *what;
	char *buf;		/* CHUNK bytes */
};

int tar_writer_new(struct tar_writer **out, int fd, const char *what)
{
	struct tar_writer *w = xcalloc(1, sizeof(*w));

	w->fd = fd;
	w->what = xstrdup(what);
	w->buf = xmalloc(CHUNK);
	*out = w;
	return 0;
}

void tar_writer_abort(struct tar_writer *w)
{
	if (!w)
		return;
	free(w->what);
	free(w->buf);
	free(w);
}

static int mtime_check(int64_t mtime, const char *what)
{
	if (mtime < 0 || (uint64_t)mtime > OCTAL11_MAX)
		return mf_error(MF_EINVALID, "%s: mtime %jd is outside the "
				"ustar range (0 to 8^11 - 1)", what,
				(intmax_t)mtime);
	return 0;
}

int tar_writer_set_mtime(struct tar_writer *w, int64_t mtime)
{
	int ret = mtime_check(mtime, w->what);

	if (!ret)
		w->mtime = mtime;
	return ret;
}

static int put(struct tar_writer *w, const void *p, size_t n)
{
	if (write_full(w->fd, p, n) < 0) {
		w->failed = 1;
		return mf_error_errno(MF_EIO, "%s: write", w->what);
	}
	return 0;
}

static int pad(struct tar_writer *w, uint64_t size)
{
	static const char zeros[TAR_BLOCK];
	size_t n = (size_t)(round_block(size) - size);

	return n ? put(w, zeros, n) : 0;
}

/* width - 1 octal digits and a NUL; v fits (the callers check). */
static void octal(char *field, size_t width, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*jo", (int)width - 1, (uintmax_t)v);
	memcpy(field, tmp, width);
}

/* A header block with name field bytes [name, name + nlen) (<= 100), into h. */
static void header_block(char h[TAR_BLOCK], char type, const char *name,
			 size_t nlen, const char *prefix, size_t plen,
			 uint64_t size, int64_t mtime)
{
	unsigned sum = 0;

	memset(h, 0, TAR_BLOCK);
	memcpy(h + OFF_NAME, name, nlen);
	octal(h + OFF_MODE, 8, type == '5' ? 0755 : 0644);
	octal(h + OFF_UID, 8, 0);
	octal(h + OFF_GID, 8, 0);
	octal(h + OFF_SIZE, 12, size);
	octal(h + OFF_MTIME, 12, (uint64_t)mtime);
	h[OFF_TYPE] = type;
	memcpy(h + OFF_MAGIC, "ustar\0", 6);
	memcpy(h + OFF_VERSION, "00", 2);
	octal(h + OFF_DEVMAJOR, 8, 0);
	octal(h + OFF_DEVMINOR, 8, 0);
	memcpy(h + OFF_PREFIX, prefix, plen);
	memset(h + OFF_CHKSUM, ' ', 8);
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += (unsigned char)h[i];
	octal(h + OFF_CHKSUM, 7, sum);
	h[OFF_CHKSUM + 7] = ' ';
}

static size_t ndigits(size_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Append the pax record "LEN KEY=VALUE\n" to b (LEN counts itself). */
static void pax_record(struct buf *b, const char *key, const char *val,
		       size_t vlen)
{
	size_t base = strlen(key) + vlen + 3, len = base + 1;

	while (base + ndigits(len) != len)
		len = base + ndigits(len);
	buf_addf(b, "%zu %s=", len, key);
	buf_add(b, val, vlen);
	buf_addch(b, '\n');
}

/*
 * The header block(s) of a member (a pax header first when the name or
 * size needs one) into out (TAR_HEADER_MAX bytes), their length in *out_len.
 * MF_EINVALID for a name not in normal form (nothing is written).
 */
static int member_header(char *out, size_t *out_len, char type,
			 const char *name, uint64_t size, int64_t mtime,
			 const char *what)
{
	char full[TAR_NAME_MAX + 2], nbuf[TAR_NAME_MAX + 1];
	size_t len = strlen(name), nl, split = 0, at = 0;
	/* a path record of TAR_NAME_MAX + 1 bytes and a size record fit */
	struct buf pax = BUF_INIT_MAX(TAR_HEADER_MAX - 2 * TAR_BLOCK);
	const char *why = NULL;
	int ret;

	ret = normalise(nbuf, &nl, name, len, 0, &why);
	if (len && name[len - 1] == '/') {
		why = "the name ends in \"/\"";
		ret = MF_EINVALID;
	} else if (ret == 1 || (!ret && nl != len)) {
		why = "the name is not in normal form";
		ret = MF_EINVALID;
	}
	if (ret) {
		struct buf shown = BUF_INIT_MAX(8 * SHOW_MAX);

		mf_error(ret, "%s: cannot write \"%s\": %s", what,
			 show(&shown, name, len), why);
		buf_release(&shown);
		return ret;
	}
	memcpy(full, name, len);
	if (type == '5')
		full[len++] = '/';
	full[len] = '\0';

	if (len > LEN_NAME) {
		/* the shortest prefix that leaves at most 100 bytes after it */
		for (size_t i = len - LEN_NAME - 1; i <= LEN_PREFIX && i < len - 1; i++)
			if (full[i] == '/') {
				split = i;
				break;
			}
		if (!split)
			pax_record(&pax, "path", full, len);
	}
	if (size > OCTAL11_MAX) {
		char num[24];

		snprintf(num, sizeof(num), "%ju", (uintmax_t)size);
		pax_record(&pax, "size", num, strlen(num));
	}
	if (pax.len) {
		header_block(out, 'x', "././@PaxHeader", 14, "", 0, pax.len, mtime);
		memset(out + TAR_BLOCK, 0, (size_t)round_block(pax.len));
		memcpy(out + TAR_BLOCK, pax.ptr, pax.len);
		at = TAR_BLOCK + (size_t)round_block(pax.len);
	}
	buf_release(&pax);
	if (split)
		header_block(out + at, type, full + split + 1, len - split - 1,
			     full, split, size > OCTAL11_MAX ? 0 : size, mtime);
	else
		header_block(out + at, type, full, len > LEN_NAME ? LEN_NAME : len,
			     "", 0, size > OCTAL11_MAX ? 0 : size, mtime);
	*out_len = at + TAR_BLOCK;
	return 0;
}

static int put_member(struct tar_writer *w, char type, const char *name,
		      uint64_t size)
{
	char h[TAR_HEADER_MAX];
	size_t len;
	int ret;

	if (w->failed)
		return mf_error(MF_ERROR, "%s: the writer failed before", w->what);
	if ((ret = member_header(h, &len, type, name, size, w->mtime, w->what)))
		return ret;
	return put(w, h, len);
}

int tar_file_header(char *out, size_t *len, const char *name, uint64_t size,
		    int64_t mtime, const char *what)
{
	int ret = mtime_check(mtime, what);

	*len = 0;
	return ret ? ret : member_header(out, len, '0', name, size, mtime, what);
}

uint64_t tar_padded(uint64_t size)
{
	return round_block(size);
}

int tar_write_dir(struct tar_writer *w, const char *name)
{
	return put_member(w, '5', name, 0);
}

int tar_write_file(struct tar_writer *w, const char *name, int src_fd,
		   uint64_t size)
{
	struct buf shown = BUF_INIT_MAX(8 * SHOW_MAX);
	uint64_t left = size;
	int ret = put_member(w, '0', name, size);

	while (!ret && left) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;
		ssize_t r = read_full(src_fd, w->buf, n);

		if (r <= 0) {
			w->failed = 1;
			if (r < 0)
				ret = mf_error_errno(MF_EIO, "%s: reading %s",
						     w->what, show(&shown, name,
								   strlen(name)));
			else
				ret = mf_error(MF_EIO, "%s: %s ended after %ju "
					       "of its %ju bytes", w->what,
					       show(&shown, name, strlen(name)),
					       (uintmax_t)(size - left),
					       (uintmax_t)size);
			buf_release(&shown);
			return ret;
		}
		ret = put(w, w->buf, (size_t)r);
		left -= (uint64_t)r;
	}
	return ret ? ret : pad(w, size);
}

int tar_writer_finish(struct tar_writer *w)
{
	int ret;

	if (w->failed) {
		ret = mf_error(MF_ERROR, "%s: the writer failed before", w->what);
	} else {
		memset(w->buf, 0, 2 * TAR_BLOCK);
		ret = put(w, w->buf, 2 * TAR_BLOCK);
	}
	tar_writer_abort(w);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The entries of the directory open as dfd, whose archive name is
 * path[0..plen) (empty for the top), each followed by its contents.
 * Takes dfd.
 */
static int tree_dir(struct tar_writer *w, int dfd, char *path, size_t plen)
{
	struct strvec names = STRVEC_INIT;
	struct buf sb = BUF_INIT_MAX(8 * SHOW_MAX);
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		ret = mf_error_errno(MF_EIO, "%s: opening directory %s",
				     w->what, plen ? show(&sb, path, plen) : ".");
		close(dfd);
		buf_release(&sb);
		return ret;
	}
	errno = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strvec_push(&names, de->d_name);
	if (errno) {
		ret = mf_error_errno(MF_EIO, "%s: reading directory %s",
				     w->what, plen ? show(&sb, path, plen) : ".");
		goto done;
	}
	if (names.nr)
		qsort(names.v, names.nr, sizeof(*names.v), cmp_str);
	for (size_t i = 0; !ret && i < names.nr; i++) {
		const char *n = names.v[i];
		size_t nl = strlen(n), len = plen + !!plen + nl;
		struct stat st;
		int fd;

		if (len > TAR_NAME_MAX) {
			ret = mf_error(MF_ETOOBIG, "%s: a name under %s is longer "
				       "than %d bytes", w->what,
				       plen ? show(&sb, path, plen) : ".",
				       TAR_NAME_MAX);
			break;
		}
		if (plen)
			path[plen] = '/';
		memcpy(path + plen + !!plen, n, nl + 1);
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = mf_error_errno(MF_EIO, "%s: stat %s", w->what,
					     show(&sb, path, len));
		} else if (S_ISDIR(st.st_mode)) {
			ret = tar_write_dir(w, path);
			if (ret)
				break;
			fd = openat(dirfd(d), n, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				ret = mf_error_errno(MF_EIO, "%s: opening %s",
						     w->what, show(&sb, path, len));
			else
				ret = tree_dir(w, fd, path, len);
		} else if (S_ISREG(st.st_mode)) {
			fd = openat(dirfd(d), n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				ret = mf_error_errno(MF_EIO, "%s: opening %s",
						     w->what, show(&sb, path, len));
			} else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
				ret = mf_error(MF_EIO, "%s: %s changed while "
					       "read", w->what, show(&sb, path, len));
				close(fd);
			} else {
				ret = tar_write_file(w, path, fd,
						     (uint64_t)st.st_size);
				close(fd);
			}
		} else {
			ret = mf_error(MF_EINVALID, "%s: %s is %s, not a regular "
				       "file or a directory", w->what,
				       show(&sb, path, len),
				       S_ISLNK(st.st_mode) ? "a symbolic link" :
				       "a special file");
		}
		path[plen] = '\0';
	}
done:
	buf_release(&sb);
	strvec_clear(&names);
	closedir(d);
	return ret;
}

int tar_write_tree(int fd, const char *dir, int64_t mtime, const char *what)
{
	char path[TAR_NAME_MAX + 1] = "";
	struct tar_writer *w;
	int dfd, ret;

	tar_writer_new(&w, fd, what);
	ret = tar_writer_set_mtime(w, mtime);
	if (ret) {
		tar_writer_abort(w);
		return ret;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = mf_error_errno(errno == ENOENT ? MF_ENOTFOUND : MF_EIO,
				     "%s: opening %s", what, dir);
		tar_writer_abort(w);
		return ret;
	}
	ret = tree_dir(w, dfd, path, 0);
	if (ret) {
		tar_writer_abort(w);
		return ret;
	}
	return tar_writer_finish(w);
}
