/*
 * The history file of a layout (engine/history.h): lists' refs and
 * reflogs, written and read as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/history.h"
#include "manifest/json.h"
#include "util/json-write.h"
#include "util/wrapper.h"


void eng_history_release(struct history *h)
{
	for (size_t i = 0; i < h->nr; i++) {
		for (size_t j = 0; j < h->refs[i].nr; j++) {
			free(h->refs[i].e[j].who);
			free(h->refs[i].e[j].msg);
		}
		free(h->refs[i].e);
	}
	free(h->refs);
	memset(h, 0, sizeof(*h));
}

int eng_history_entry_cb(const struct reflog_entry *e, void *payload)
{
	struct hist_ref *r = payload;
	struct hist_entry *h;

	if (r->nr == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 8;
		r->e = xrealloc(r->e, r->alloc * sizeof(*r->e));
	}
	h = &r->e[r->nr++];
	h->old_id = e->old_id;
	h->new_id = e->new_id;
	h->who = xstrdup(e->who);
	h->msg = xstrdup(e->msg ? e->msg : "");
	h->time = e->time;
	h->tz = e->tz;
	return 0;
}

int eng_history_write(struct buf *out, const struct history *h)
{
	char hex[DIGEST_MAX_STR];
	struct jw w;

	jw_init(&w, out, "\t", 3, JW_PLAIN);
	jw_open(&w, '{');
	jw_int(&w, "manifoldHistory", HISTORY_VERSION);
	jw_next(&w, "refs");
	jw_open(&w, '[');
	for (size_t i = 0; i < h->nr; i++) {
		const struct hist_ref *r = &h->refs[i];

		jw_next(&w, NULL);
		jw_open(&w, '{');
		jw_string(&w, "name", r->name);
		jw_string(&w, "value", digest_fmt(hex, &r->value));
		jw_next(&w, "reflog");
		jw_open(&w, '[');
		for (size_t j = 0; j < r->nr; j++) {
			const struct hist_entry *e = &r->e[j];

			jw_next(&w, NULL);
			jw_open(&w, '{');
			jw_string(&w, "old", digest_fmt(hex, &e->old_id));
			jw_string(&w, "new", digest_fmt(hex, &e->new_id));
			jw_string(&w, "who", e->who);
			jw_int(&w, "time", e->time);
			jw_int(&w, "tz", e->tz);
			jw_string(&w, "msg", e->msg);
			jw_close(&w, '}');
		}
		jw_close(&w, ']');
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_close(&w, '}');
	if (!w.ret)
		w.ret = buf_addch(out, '\n');
	return w.ret;
}

static int bad_history(const char *file, const char *what)
{
	return mf_error(MF_EINVALID, "%s: %s", file, what);
}

static int parse_digest(struct digest *out, yajl_val obj, const char *key)
{
	const char *s = json_get_string(obj, key);

	return s && !digest_parse(out, s) ? 0 : -1;
}

int eng_history_parse(struct history *h, const char *bytes, size_t len,
			 const char *file)
{
	yajl_val root, refs;
	int64_t version;
	int ret;

	memset(h, 0, sizeof(*h));
	if ((ret = json_parse(&root, bytes, len)))
		return mf_error_wrap(ret, "%s", file);
	ret = 0;
	if (!json_get_int64(&version, root, "manifoldHistory") ||
	    version != HISTORY_VERSION) {
		ret = bad_history(file, "not a manifold history of version 1");
		goto done;
	}
	if (!(refs = json_get_array(root, "refs"))) {
		ret = bad_history(file, "no refs array");
		goto done;
	}
	h->refs = xcalloc(refs->u.array.len + 1, sizeof(*h->refs));
	for (size_t i = 0; !ret && i < refs->u.array.len; i++) {
		yajl_val r = refs->u.array.values[i], log = json_get_array(r, "reflog");
		const char *name = json_get_string(r, "name");
		struct hist_ref *hr = &h->refs[h->nr++];

		if (!name || strncmp(name, "lists/", 6) || odb_ref_name_check(name) ||
		    strlen(name) > ODB_REF_MAX || parse_digest(&hr->value, r, "value") ||
		    !log) {
			ret = bad_history(file, "a ref without a list name, a value "
					  "or a reflog");
			break;
		}
		snprintf(hr->name, sizeof(hr->name), "%s", name);
		for (size_t j = 0; j < log->u.array.len; j++) {
			yajl_val e = log->u.array.values[j];
			struct reflog_entry re = { 0 };
			int64_t tz;

			re.who = json_get_string(e, "who");
			re.msg = json_get_string(e, "msg");
			if (parse_digest(&re.old_id, e, "old") ||
			    parse_digest(&re.new_id, e, "new") || !re.who || !re.msg ||
			    !json_get_int64(&re.time, e, "time") ||
			    !json_get_int64(&tz, e, "tz") || tz < -24 * 60 || tz > 24 * 60) {
				ret = bad_history(file, "a malformed reflog entry");
				break;
			}
			re.tz = (int)tz;
			eng_history_entry_cb(&re, hr);
		}
		/* The value is what the last entry made it. */
		if (!ret && hr->nr && !digest_eq(&hr->e[hr->nr - 1].new_id, &hr->value))
			ret = bad_history(file, "a ref whose value is not its last "
					  "reflog entry's");
	}
done:
	yajl_tree_free(root);
	if (ret)
		eng_history_release(h);
	return ret;
}
