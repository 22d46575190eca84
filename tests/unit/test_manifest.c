/*
 * Unit tests for manifest/json.[ch] and manifest/manifest.[ch].
 *
 * Sample documents are read from $MF_TEST_DATA (tests/data).  Small
 * documents are written inline with single quotes, which J() turns into
 * double quotes, so they stay readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/json.h"
#include "manifest/manifest.h"
#include "manifest/platform.h"
#include "util/buf.h"
#include "util/error.h"

#define H1 "e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"
#define H2 "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
#define H3 "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"

#define CFG "{'mediaType':'" MT_OCI_CONFIG "','digest':'sha256:" H1 "','size':7023}"
#define DCFG "{'mediaType':'" MT_DOCKER_CONFIG "','size':7023,'digest':'sha256:" H1 "'}"
#define LAYER "{'mediaType':'" MT_OCI_LAYER_GZIP "','digest':'sha256:" H2 "','size':32654}"
#define DLAYER "{'mediaType':'" MT_DOCKER_LAYER "','size':32654,'digest':'sha256:" H2 "'}"
#define PLAT "'platform':{'architecture':'amd64','os':'linux'}"
#define ENTRY "{'mediaType':'" MT_OCI_MANIFEST "','digest':'sha256:" H3 "','size':1234," PLAT "}"
#define DENTRY "{'mediaType':'" MT_DOCKER_MANIFEST "','size':1234,'digest':'sha256:" H3 "'," PLAT "}"

/* An OCI manifest with `extra` top-level members and these layers. */
#define OCI_M(extra, layers) \
	"{'schemaVersion':2,'mediaType':'" MT_OCI_MANIFEST "','config':" CFG \
	",'layers':[" layers "]" extra "}"
/* An OCI manifest whose second layer is `d`. */
#define OCI_L(d) OCI_M("", LAYER "," d)
#define DOCKER_M(extra, layers) \
	"{'schemaVersion':2,'mediaType':'" MT_DOCKER_MANIFEST "','config':" DCFG \
	",'layers':[" layers "]" extra "}"
#define OCI_I(extra, entries) \
	"{'schemaVersion':2,'mediaType':'" MT_OCI_INDEX "','manifests':[" \
	entries "]" extra "}"
#define DOCKER_L(entries) \
	"{'schemaVersion':2,'mediaType':'" MT_DOCKER_LIST "','manifests':[" \
	entries "]}"
/* A descriptor for layers[1] with `fields` replacing the usual ones. */
#define DESC(fields) "{" fields "}"
#define MTF "'mediaType':'" MT_OCI_LAYER_GZIP "'"
#define DGF "'digest':'sha256:" H2 "'"
#define SZF "'size':32654"

/* Ring of buffers for J(): tests never free what it returns. */
static char ring[8][16384];
static unsigned ring_next;

/* Single quotes to double quotes. */
static const char *J(const char *s)
{
	char *out = ring[ring_next++ % 8];
	size_t i;

	assert_true(strlen(s) < sizeof(ring[0]));
	for (i = 0; s[i]; i++)
		out[i] = s[i] == '\'' ? '"' : s[i];
	out[i] = '\0';
	return out;
}

static void check_code(int ret, int code, const char *substr,
		       const char *what, const char *file, int line)
{
	if (ret != code)
		fail_msg("%s:%d: expected %d, got %d (%s) for %s", file, line,
			 code, ret, ret ? mf_error_last() : "ok", what);
	if (code && substr && !strstr(mf_error_last(), substr))
		fail_msg("%s:%d: message '%s' lacks '%s' for %s", file, line,
			 mf_error_last(), substr, what);
	if (code && strchr(mf_error_last(), '\n'))
		fail_msg("%s:%d: message '%s' is not one line", file, line,
			 mf_error_last());
}

static void validate_at(const char *mt, const char *doc, int code,
			const char *substr, const char *file, int line)
{
	const char *d = J(doc);

	mf_error_clear();
	check_code(manifest_validate(mt, d, strlen(d)), code, substr, d, file,
		   line);
}

#define VALID(mt, doc) validate_at((mt), (doc), 0, NULL, __FILE__, __LINE__)
#define INVALID(mt, doc, substr) \
	validate_at((mt), (doc), MF_EINVALID, (substr), __FILE__, __LINE__)

static void sniff_at(const char *doc, size_t len, int code,
		     const char *want, const char *file, int line)
{
	const char *mt = "unset";
	int ret;

	mf_error_clear();
	ret = manifest_sniff(&mt, doc, len);
	check_code(ret, code, code ? want : NULL, doc, file, line);
	if (!code && (!mt || strcmp(mt, want)))
		fail_msg("%s:%d: sniffed '%s', expected '%s'", file, line,
			 mt ? mt : "(null)", want);
	if (code && mt)
		fail_msg("%s:%d: media type set on failure", file, line);
}

#define SNIFF(doc, want) \
	do { \
		const char *d_ = J(doc); \
		sniff_at(d_, strlen(d_), 0, (want), __FILE__, __LINE__); \
	} while (0)
#define SNIFF_FAILS(doc, code, substr) \
	do { \
		const char *d_ = J(doc); \
		sniff_at(d_, strlen(d_), (code), (substr), __FILE__, __LINE__); \
	} while (0)

static void parse_at(const char *doc, size_t len, int code,
		     const char *substr, const char *file, int line)
{
	yajl_val v = (yajl_val)&v;
	int ret;

	mf_error_clear();
	ret = json_parse(&v, doc, len);
	check_code(ret, code, substr, "json_parse input", file, line);
	if (ret && v)
		fail_msg("%s:%d: tree set on failure", file, line);
	yajl_tree_free(v);
}

#define PARSE_OK(doc, len) parse_at((doc), (len), 0, NULL, __FILE__, __LINE__)
#define PARSE_FAILS(doc, len, substr) \
	parse_at((doc), (len), MF_EINVALID, (substr), __FILE__, __LINE__)
#define PARSE_FAILS_S(doc, substr) PARSE_FAILS((doc), strlen(doc), (substr))
#define PARSE_OK_S(doc) PARSE_OK((doc), strlen(doc))

static void read_sample(struct buf *out, const char *name)
{
	const char *dir = getenv("MF_TEST_DATA");
	char path[4096];
	int ret;

	if (!dir || !*dir)
		fail_msg("MF_TEST_DATA is not set (it names tests/data)");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf_init(out, 1 << 20);
	ret = buf_read_file(out, path);
	if (ret)
		fail_msg("cannot read %s: %s", path, mf_error_last());
}

/* ---- samples ---------------------------------------------------------- */

static const struct {
	const char *file;
	const char *type;
} samples[] = {
	{ "oci-manifest.json", MT_OCI_MANIFEST },
	{ "docker-manifest.json", MT_DOCKER_MANIFEST },
	{ "oci-index.json", MT_OCI_INDEX },
	{ "docker-list.json", MT_DOCKER_LIST },
	{ "oci-config.json", MT_OCI_CONFIG },
	{ "docker-config.json", MT_DOCKER_CONFIG },
	{ "buildkit-index.json", MT_OCI_INDEX },
};

static void test_manifest__samples_sniff_and_validate(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct buf b;
		const char *mt = NULL;
		int ret;

		read_sample(&b, samples[i].file);
		ret = manifest_sniff(&mt, b.ptr, b.len);
		if (ret)
			fail_msg("%s: %s", samples[i].file, mf_error_last());
		assert_string_equal(mt, samples[i].type);
		ret = manifest_validate(samples[i].type, b.ptr, b.len);
		if (ret)
			fail_msg("%s: %s", samples[i].file, mf_error_last());
		buf_release(&b);
	}
}

static void test_manifest__sample_docker_list_shape(void **state)
{
	struct buf b;

	(void)state;
	read_sample(&b, "docker-list.json");
	/* docker writes a 3-space indent and no trailing newline */
	assert_true(b.len > 0 && b.ptr[b.len - 1] == '}');
	assert_non_null(strstr(b.ptr, "{\n   \"schemaVersion\": 2,\n"));
	buf_release(&b);
}

/* The samples are Go MarshalIndent(..., "", "   ") output: json_pretty
 * reproduces them byte for byte (plus its trailing newline). */
static void test_manifest__pretty_matches_docker_indent(void **state)
{
	static const char *const files[] = {
		"docker-list.json", "buildkit-index.json",
		"docker-manifest.json",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct buf in, out = BUF_INIT;

		read_sample(&in, files[i]);
		assert_int_equal(json_pretty(&out, in.ptr, in.len), 0);
		assert_int_equal(out.len, in.len + 1);
		assert_memory_equal(out.ptr, in.ptr, in.len);
		assert_int_equal(out.ptr[in.len], '\n');
		buf_release(&in);
		buf_release(&out);
	}
}

struct seen {
	int n;
	char log[2048];
};

static int record_child(const struct descriptor *d, void *payload)
{
	struct seen *s = payload;
	size_t len = strlen(s->log);
	const char *att = descriptor_is_attestation(d) ? " attestation" : "";

	assert_non_null(d->media_type);
	assert_non_null(d->digest);
	assert_true(d->size >= 0);
	if (d->platform)
		snprintf(s->log + len, sizeof(s->log) - len,
			 "%d:%zu %s/%s%s%s%s;", (int)d->role, d->index,
			 d->platform->os, d->platform->architecture,
			 d->platform->variant ? "/" : "",
			 d->platform->variant ? d->platform->variant : "", att);
	else
		snprintf(s->log + len, sizeof(s->log) - len, "%d:%zu %lld%s;",
			 (int)d->role, d->index, (long long)d->size, att);
	s->n++;
	return 0;
}

static void walk_sample(struct seen *s, const char *file, const char *mt)
{
	struct buf b;
	int ret;

	memset(s, 0, sizeof(*s));
	read_sample(&b, file);
	ret = manifest_for_each_child(b.ptr, b.len, mt, record_child, s);
	if (ret)
		fail_msg("%s: %s", file, mf_error_last());
	buf_release(&b);
}

static void test_manifest__for_each_child_samples(void **state)
{
	struct seen s;

	(void)state;
	walk_sample(&s, "oci-manifest.json", MT_OCI_MANIFEST);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.log, "1:0 761;2:0 3408729;2:1 1048576;");

	walk_sample(&s, "docker-list.json", MT_DOCKER_LIST);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.log, "3:0 linux/amd64;3:1 linux/arm/v7;"
			    "3:2 linux/arm64/v8;");

	walk_sample(&s, "buildkit-index.json", MT_OCI_INDEX);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.log, "3:0 linux/amd64;"
			    "3:1 unknown/unknown attestation;");

	walk_sample(&s, "oci-config.json", MT_OCI_CONFIG);
	assert_int_equal(s.n, 0);
}

static int child_details(const struct descriptor *d, void *payload)
{
	(void)payload;
	if (d->role != DESCRIPTOR_MANIFEST)
		return 0;
	assert_int_equal(d->urls_nr, 2);
	assert_string_equal(d->urls[1], "https://b.example/x");
	assert_int_equal(d->annotations_nr, 2);
	assert_string_equal(d->annotation_keys[0], "k1");
	assert_string_equal(descriptor_annotation(d, "k2"), "v2");
	assert_null(descriptor_annotation(d, "k3"));
	assert_string_equal(d->artifact_type, "application/vnd.example+json");
	assert_string_equal(d->platform->os_version, "10.0.17763.1879");
	assert_int_equal(d->platform->os_features_nr, 1);
	assert_string_equal(d->platform->os_features[0], "win32k");
	assert_int_equal(d->platform->features_nr, 2);
	assert_string_equal(d->platform->features[1], "aes");
	assert_null(d->platform->variant);
	assert_string_equal(d->data, "e30=");
	assert_int_equal(d->size, 2);
	return 42;
}

static void test_manifest__for_each_child_fields_and_stop(void **state)
{
	const char *doc = J(OCI_I("",
		"{'mediaType':'" MT_OCI_MANIFEST "','digest':'sha256:" H3 "',"
		"'size':2,'data':'e30=','urls':['https://a.example/x',"
		"'https://b.example/x'],'annotations':{'k1':'v1','k2':'v2'},"
		"'artifactType':'application/vnd.example+json','platform':"
		"{'architecture':'amd64','os':'windows','os.version':"
		"'10.0.17763.1879','os.features':['win32k'],'features':"
		"['sse4','aes']}}," ENTRY));
	struct seen s = { 0 };

	(void)state;
	/* a non-zero callback result stops the walk and is returned */
	assert_int_equal(manifest_for_each_child(doc, strlen(doc),
						 MT_OCI_INDEX, child_details,
						 NULL), 42);

	/* invalid input: the error, and no callback */
	doc = J(OCI_I("", "{'mediaType':'x'}"));
	assert_int_equal(manifest_for_each_child(doc, strlen(doc),
						 MT_OCI_INDEX, record_child,
						 &s), MF_EINVALID);
	assert_int_equal(s.n, 0);

	/* opaque types have no children */
	assert_int_equal(manifest_for_each_child("x", 1, MT_OCI_LAYER,
						 record_child, &s), 0);
	assert_int_equal(s.n, 0);

	/* null layers: only the config */
	doc = J("{'schemaVersion':2,'config':" CFG ",'layers':null}");
	assert_int_equal(manifest_for_each_child(doc, strlen(doc),
						 MT_OCI_MANIFEST, record_child,
						 &s), 0);
	assert_int_equal(s.n, 1);
}

/* ---- media types ------------------------------------------------------ */

static void test_manifest__kind_of(void **state)
{
	(void)state;
	assert_int_equal(manifest_kind_of(MT_OCI_MANIFEST), MANIFEST_KIND_IMAGE);
	assert_int_equal(manifest_kind_of(MT_DOCKER_MANIFEST), MANIFEST_KIND_IMAGE);
	assert_int_equal(manifest_kind_of(MT_OCI_INDEX), MANIFEST_KIND_INDEX);
	assert_int_equal(manifest_kind_of(MT_DOCKER_LIST), MANIFEST_KIND_INDEX);
	assert_int_equal(manifest_kind_of(MT_OCI_CONFIG), MANIFEST_KIND_CONFIG);
	assert_int_equal(manifest_kind_of(MT_DOCKER_CONFIG), MANIFEST_KIND_CONFIG);
	assert_int_equal(manifest_kind_of(MT_OCI_LAYER_GZIP), MANIFEST_KIND_OTHER);
	assert_int_equal(manifest_kind_of(MT_OCI_EMPTY), MANIFEST_KIND_OTHER);
	assert_int_equal(manifest_kind_of(MT_DOCKER_SCHEMA1), MANIFEST_KIND_OTHER);
	assert_int_equal(manifest_kind_of(MT_OCI_MANIFEST "; charset=utf-8"),
			 MANIFEST_KIND_OTHER);
	assert_int_equal(manifest_kind_of(NULL), MANIFEST_KIND_OTHER);
	assert_string_equal(manifest_kind_name(MANIFEST_KIND_INDEX), "index");
	assert_true(media_type_is_docker(MT_DOCKER_LIST));
	assert_false(media_type_is_docker(MT_OCI_INDEX));
	assert_true(media_type_is_schema1(MT_DOCKER_SCHEMA1_SIGNED));
}

/* "aaa/aaaa" with names of the given lengths, in `out` (300 bytes). */
static const char *mt_of_len(char *out, size_t type_len, size_t sub_len)
{
	assert_true(type_len + 1 + sub_len < 300);
	memset(out, 'a', type_len + 1 + sub_len);
	out[type_len] = '/';
	out[type_len + 1 + sub_len] = '\0';
	return out;
}

static void test_manifest__media_type_valid(void **state)
{
	char name[300];

	(void)state;
	assert_true(media_type_valid(MT_OCI_MANIFEST));
	assert_true(media_type_valid(MT_DOCKER_FOREIGN_LAYER));
	assert_true(media_type_valid(MT_IN_TOTO));
	assert_true(media_type_valid("a/b"));
	assert_true(media_type_valid("application/x!#$&-^_.+y"));
	assert_false(media_type_valid(NULL));
	assert_false(media_type_valid(""));
	assert_false(media_type_valid("application"));
	assert_false(media_type_valid("application/"));
	assert_false(media_type_valid("/json"));
	assert_false(media_type_valid("a/b/c"));
	assert_false(media_type_valid("application/json; charset=utf-8"));
	assert_false(media_type_valid("appli cation/json"));
	assert_false(media_type_valid("application/.json"));
	assert_false(media_type_valid("-application/json"));
	assert_false(media_type_valid("application/js\xc3\xa9on"));

	/* each name at most 127 characters, 255 in all */
	assert_true(media_type_valid(mt_of_len(name, 127, 127)));
	assert_false(media_type_valid(mt_of_len(name, 128, 1)));
	assert_false(media_type_valid(mt_of_len(name, 1, 128)));
	assert_false(media_type_valid(mt_of_len(name, 128, 127)));
	assert_true(media_type_valid(mt_of_len(name, 1, 127)));
}

/* ---- sniffing --------------------------------------------------------- */

static void test_manifest__sniff_by_shape(void **state)
{
	(void)state;
	SNIFF(OCI_M("", LAYER), MT_OCI_MANIFEST);
	SNIFF(DOCKER_M("", DLAYER), MT_DOCKER_MANIFEST);
	SNIFF(OCI_I("", ENTRY), MT_OCI_INDEX);
	SNIFF(DOCKER_L(DENTRY), MT_DOCKER_LIST);
	/* without mediaType */
	SNIFF("{'schemaVersion':2,'config':" CFG ",'layers':[]}",
	      MT_OCI_MANIFEST);
	SNIFF("{'schemaVersion':2,'manifests':[]}", MT_OCI_INDEX);
	SNIFF("{'manifests':[" ENTRY "],'schemaVersion':2}", MT_OCI_INDEX);
	/* configs */
	SNIFF("{'architecture':'arm64','os':'linux','rootfs':{'type':"
	      "'layers','diff_ids':[]}}", MT_OCI_CONFIG);
	SNIFF("{'architecture':'amd64','os':'linux','rootfs':{},"
	      "'docker_version':'24.0.7'}", MT_DOCKER_CONFIG);
	SNIFF("{'architecture':'amd64','os':'linux','rootfs':{},"
	      "'container_config':{}}", MT_DOCKER_CONFIG);
	SNIFF("{'architecture':'amd64','os':'linux','rootfs':{},"
	      "'container':'abc'}", MT_DOCKER_CONFIG);
	SNIFF("{'architecture':'amd64','os':'linux','rootfs':{},"
	      "'config':{'Cmd':['sh']}}", MT_OCI_CONFIG);
}

static void test_manifest__sniff_unrecognised(void **state)
{
	(void)state;
	SNIFF_FAILS("{}", MF_ENOTFOUND, "not a manifest");
	SNIFF_FAILS("[1,2]", MF_ENOTFOUND, "not a JSON object");
	SNIFF_FAILS("'just a string'", MF_ENOTFOUND, "not a JSON object");
	SNIFF_FAILS("{'imageLayoutVersion':'1.0.0'}", MF_ENOTFOUND, NULL);
	SNIFF_FAILS("{'mediaType':'application/vnd.example+json','x':1}",
		    MF_ENOTFOUND, "unknown mediaType");
	/* an image config needs architecture, os and rootfs */
	SNIFF_FAILS("{'architecture':'amd64','os':'linux'}", MF_ENOTFOUND,
		    NULL);
	SNIFF_FAILS("{'architecture':5,'os':'linux','rootfs':{}}",
		    MF_ENOTFOUND, NULL);
}

static void test_manifest__sniff_malformed(void **state)
{
	(void)state;
	SNIFF_FAILS("{'schemaVersion':2,", MF_EINVALID, "invalid JSON");
	SNIFF_FAILS("not json", MF_EINVALID, "invalid JSON");
	/* claims a type through mediaType: validated as that type */
	SNIFF_FAILS("{'schemaVersion':2,'mediaType':'" MT_OCI_INDEX "'}",
		    MF_EINVALID, "manifests is missing");
	SNIFF_FAILS("{'schemaVersion':2,'mediaType':'" MT_DOCKER_LIST
		    "','manifests':[" ENTRY ",{'mediaType':'" MT_DOCKER_MANIFEST
		    "','size':1,'digest':'sha256:" H1 "'}]}",
		    MF_EINVALID, "manifests[1].platform is missing");
	SNIFF_FAILS("{'schemaVersion':2,'mediaType':7}", MF_EINVALID,
		    "mediaType is not a string");
	/* shaped like an index or a manifest */
	SNIFF_FAILS("{'schemaVersion':2,'manifests':5}", MF_EINVALID,
		    "manifests is not an array");
	SNIFF_FAILS("{'manifests':[]}", MF_EINVALID, "schemaVersion is missing");
	SNIFF_FAILS("{'schemaVersion':2,'config':" CFG "}", MF_EINVALID,
		    "layers is missing");
	SNIFF_FAILS("{'config':" CFG ",'layers':[{'size':-1}]}", MF_EINVALID,
		    "schemaVersion is missing");
	SNIFF_FAILS("{'schemaVersion':2,'config':" CFG ",'layers':[],"
		    "'manifests':[]}", MF_EINVALID, "both manifests and config");
	SNIFF_FAILS("{'schemaVersion':2}", MF_EINVALID,
		    "neither manifests nor config");
}

static void test_manifest__schema1_rejected(void **state)
{
	(void)state;
	SNIFF_FAILS("{'schemaVersion':1,'name':'library/alpine','tag':"
		    "'latest','architecture':'amd64','fsLayers':[],"
		    "'history':[]}", MF_EINVALID,
		    "schema 1 manifests are not supported");
	SNIFF_FAILS("{'schemaVersion':2,'mediaType':'" MT_DOCKER_SCHEMA1
		    "'}", MF_EINVALID, "schema 1 manifests are not supported");
	SNIFF_FAILS("{'mediaType':'" MT_DOCKER_SCHEMA1_SIGNED "'}",
		    MF_EINVALID, "schema 1 manifests are not supported");
	INVALID(MT_DOCKER_SCHEMA1, "{}", "schema 1 manifests are not supported");
	INVALID(MT_DOCKER_SCHEMA1_SIGNED, "{}", "schema 1");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':1,'config':" CFG
		",'layers':[]}", "schema 1 manifests are not supported");
}

/* ---- validation: top level --------------------------------------------- */

static void test_manifest__validate_samples_inline(void **state)
{
	(void)state;
	VALID(MT_OCI_MANIFEST, OCI_M("", LAYER));
	VALID(MT_OCI_MANIFEST, OCI_M("", ""));
	VALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'config':" CFG
	      ",'layers':[" LAYER "]}");
	VALID(MT_DOCKER_MANIFEST, DOCKER_M("", DLAYER));
	VALID(MT_OCI_INDEX, OCI_I("", ENTRY "," ENTRY));
	VALID(MT_OCI_INDEX, OCI_I("", ""));
	VALID(MT_DOCKER_LIST, DOCKER_L(DENTRY));
	/* unknown fields and unknown media types are fine */
	VALID(MT_OCI_MANIFEST, OCI_M(",'x-vendor':{'a':[1,2.5,null]}",
	      "{'mediaType':'application/vnd.example.layer.v9+weird',"
	      "'digest':'sha256:" H2 "','size':0,'x':true}"));
}

static void test_manifest__validate_not_object(void **state)
{
	(void)state;
	INVALID(MT_OCI_MANIFEST, "[]", "invalid manifest: not a JSON object");
	INVALID(MT_OCI_INDEX, "'x'", "invalid manifest: not a JSON object");
	INVALID(MT_OCI_INDEX, "null", "not a JSON object");
	INVALID(MT_DOCKER_LIST, "{", "invalid JSON");
}

static void test_manifest__validate_schema_version(void **state)
{
	(void)state;
	INVALID(MT_OCI_MANIFEST, "{'config':" CFG ",'layers':[]}",
		"invalid manifest: schemaVersion is missing");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':3,'config':" CFG
		",'layers':[]}", "schemaVersion is not the integer 2");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':'2','config':" CFG
		",'layers':[]}", "schemaVersion is not the integer 2");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2.0,'config':" CFG
		",'layers':[]}", "schemaVersion is not the integer 2");
	INVALID(MT_OCI_INDEX, "{'schemaVersion':null,'manifests':[]}",
		"schemaVersion is not the integer 2");
}

static void test_manifest__validate_media_type_field(void **state)
{
	(void)state;
	/* optional for OCI, must match when present */
	VALID(MT_OCI_INDEX, "{'schemaVersion':2,'manifests':[]}");
	INVALID(MT_OCI_INDEX, "{'schemaVersion':2,'mediaType':'" MT_DOCKER_LIST
		"','manifests':[]}", "mediaType '" MT_DOCKER_LIST
		"' does not match '" MT_OCI_INDEX "'");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'mediaType':'" MT_OCI_INDEX
		"','config':" CFG ",'layers':[]}", "does not match");
	INVALID(MT_OCI_INDEX, "{'schemaVersion':2,'mediaType':['x'],"
		"'manifests':[]}", "invalid manifest: mediaType is not a string");
	/* required for Docker */
	INVALID(MT_DOCKER_LIST, "{'schemaVersion':2,'manifests':[" DENTRY "]}",
		"invalid manifest: mediaType is missing");
	INVALID(MT_DOCKER_MANIFEST, "{'schemaVersion':2,'config':" DCFG
		",'layers':[]}", "mediaType is missing");
	/* the media type argument itself */
	INVALID("not a media type", "{}", "invalid media type");
	INVALID(NULL, "{}", "invalid media type");
}

static void test_manifest__validate_image_rules(void **state)
{
	(void)state;
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'layers':[]}",
		"invalid manifest: config is missing");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'config':null,"
		"'layers':[]}", "config is not an object");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'config':[],'layers':[]}",
		"config is not an object");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'config':" CFG "}",
		"invalid manifest: layers is missing");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'config':" CFG
		",'layers':{}}", "layers is not an array");
	INVALID(MT_OCI_MANIFEST, OCI_M(",'manifests':[]", LAYER),
		"manifests is not allowed in an image manifest");
	INVALID(MT_OCI_MANIFEST, OCI_M("", LAYER ",5"),
		"layers[1] is not an object");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'config':{'digest':"
		"'sha256:" H1 "','size':1},'layers':[]}",
		"config.mediaType is missing");
	/* layers: null is an empty list for OCI (Go nil slice), not Docker */
	VALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'config':" CFG
	      ",'layers':null}");
	INVALID(MT_DOCKER_MANIFEST, "{'schemaVersion':2,'mediaType':'"
		MT_DOCKER_MANIFEST "','config':" DCFG ",'layers':null}",
		"layers is not an array");
}

static void test_manifest__validate_artifacts(void **state)
{
	(void)state;
#define EMPTY_CFG "{'mediaType':'" MT_OCI_EMPTY "','digest':'" \
	OCI_EMPTY_DIGEST "','size':2,'data':'e30='}"
	VALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'mediaType':'" MT_OCI_MANIFEST
	      "','artifactType':'application/vnd.example.sbom.v1+json',"
	      "'config':" EMPTY_CFG ",'layers':[" LAYER "],'subject':"
	      ENTRY ",'annotations':{'org.example':'x'}}");
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'config':" EMPTY_CFG
		",'layers':[]}", "invalid manifest: artifactType is required "
		"when config.mediaType is " MT_OCI_EMPTY);
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'artifactType':'x',"
		"'config':" EMPTY_CFG ",'layers':[]}",
		"artifactType 'x' is not a valid media type");
	INVALID(MT_OCI_MANIFEST, OCI_M(",'artifactType':3", LAYER),
		"artifactType is not a string");
	INVALID(MT_OCI_MANIFEST, OCI_M(",'subject':'sha256:" H3 "'", LAYER),
		"invalid manifest: subject is not an object");
	INVALID(MT_OCI_MANIFEST, OCI_M(",'subject':{'mediaType':'" MT_OCI_MANIFEST
		"','digest':'sha256:" H3 "'}", LAYER),
		"subject.size is missing");
	INVALID(MT_OCI_INDEX, OCI_I(",'subject':{}", ""),
		"subject.mediaType is missing");
	INVALID(MT_OCI_INDEX, OCI_I(",'annotations':['a']", ""),
		"invalid manifest: annotations is not an object");
	INVALID(MT_OCI_INDEX, OCI_I(",'annotations':{'a':'b','org.x':1}", ""),
		"invalid manifest: annotations['org.x'] is not a string");
#undef EMPTY_CFG
}

static void test_manifest__validate_index_rules(void **state)
{
	(void)state;
	INVALID(MT_OCI_INDEX, "{'schemaVersion':2}",
		"invalid manifest: manifests is missing");
	INVALID(MT_OCI_INDEX, "{'schemaVersion':2,'manifests':{}}",
		"manifests is not an array");
	VALID(MT_OCI_INDEX, "{'schemaVersion':2,'manifests':null}");
	VALID(MT_DOCKER_LIST, "{'schemaVersion':2,'mediaType':'"
	      MT_DOCKER_LIST "','manifests':null}");
	INVALID(MT_OCI_INDEX, OCI_I(",'config':" CFG, ENTRY),
		"config is not allowed in an index");
	INVALID(MT_OCI_INDEX, OCI_I(",'layers':[]", ENTRY),
		"layers is not allowed in an index");
	/* platform: optional in OCI, required in a Docker list */
	VALID(MT_OCI_INDEX, OCI_I("", "{'mediaType':'" MT_OCI_MANIFEST
	      "','digest':'sha256:" H3 "','size':1}"));
	INVALID(MT_DOCKER_LIST, DOCKER_L(DENTRY ",{'mediaType':'"
		MT_DOCKER_MANIFEST "','size':1,'digest':'sha256:" H3 "'}"),
		"invalid manifest: manifests[1].platform is missing");
	INVALID(MT_DOCKER_LIST, DOCKER_L(DENTRY ",{'mediaType':'"
		MT_DOCKER_MANIFEST "','size':1,'digest':'sha256:" H3 "',"
		"'platform':null}"), "manifests[1].platform is not an object");
}

/* ---- validation: descriptors ------------------------------------------- */

static void test_manifest__descriptor_media_type(void **state)
{
	(void)state;
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(DGF "," SZF)),
		"invalid manifest: layers[1].mediaType is missing");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC("'mediaType':null," DGF "," SZF)),
		"layers[1].mediaType is not a string");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC("'mediaType':'tar'," DGF "," SZF)),
		"layers[1].mediaType 'tar' is not a valid media type");
	INVALID(MT_OCI_INDEX, OCI_I("", ENTRY "," ENTRY ",{'mediaType':"
		"'a/b c','digest':'sha256:" H3 "','size':1}"),
		"manifests[2].mediaType 'a/b c' is not a valid media type");
}

static void test_manifest__descriptor_digest(void **state)
{
	(void)state;
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," SZF)),
		"invalid manifest: layers[1].digest is missing");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':5," SZF)),
		"layers[1].digest is not a string");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'sha256'," SZF)),
		"layers[1].digest 'sha256' is not a valid digest");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'sha256:'," SZF)),
		"is not a valid digest");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'SHA256:" H1 "',"
		SZF)), "is not a valid digest");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'sha256:abc',"
		SZF)), "'sha256:abc' is not a valid sha256 digest");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'sha256:"
		"E692418E4CBAF90CA69D05A66403747BAA33EE08806650B51FAB815AD7FC331F',"
		SZF)), "is not a valid sha256 digest");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'sha512:" H1 "',"
		SZF)), "is not a valid sha512 digest");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'sha256:" H1 " ',"
		SZF)), "is not a valid digest");
	/* sha512 and unknown algorithms that follow the grammar pass */
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'sha512:" H1 H2 "',"
	      SZF)));
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'blake3:" H1 "',"
	      SZF)));
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF ",'digest':'multihash+base58:"
	      "QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8'," SZF)));
}

static void test_manifest__descriptor_size(void **state)
{
	(void)state;
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':0")));
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF
	      ",'size':9223372036854775807")));
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF)),
		"invalid manifest: layers[1].size is missing");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':null")),
		"layers[1].size is not a non-negative integer");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':'12'")),
		"layers[1].size is not a non-negative integer");
}

static void test_manifest__descriptor_size_negative(void **state)
{
	(void)state;
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':-1")),
		"invalid manifest: layers[1].size is not a non-negative integer");
	INVALID(MT_OCI_INDEX, OCI_I("", ENTRY "," ENTRY ",{'mediaType':'"
		MT_OCI_MANIFEST "','digest':'sha256:" H3 "','size':-5}"),
		"invalid manifest: manifests[2].size is not a non-negative integer");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF
		",'size':-9223372036854775808")), "size is not a non-negative");
}

static void test_manifest__descriptor_size_float(void **state)
{
	(void)state;
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':1.5")),
		"layers[1].size is not a non-negative integer");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':1.0")),
		"layers[1].size is not a non-negative integer");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':1e3")),
		"layers[1].size is not a non-negative integer");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':2E0")),
		"layers[1].size is not a non-negative integer");
}

static void test_manifest__descriptor_size_huge(void **state)
{
	(void)state;
	/* one past INT64_MAX, and far past it */
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF
		",'size':9223372036854775808")),
		"layers[1].size is not a non-negative integer");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF
		",'size':18446744073709551616")),
		"layers[1].size is not a non-negative integer");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF
		",'size':99999999999999999999999999999999999999")),
		"layers[1].size is not a non-negative integer");
	INVALID(MT_OCI_MANIFEST, OCI_M("", DESC(MTF "," DGF
		",'size':1e400")), "layers[0].size is not a non-negative integer");
}

static void test_manifest__descriptor_urls_annotations(void **state)
{
	(void)state;
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF "," SZF
	      ",'urls':['https://example.com/l.tgz'],'annotations':{'a':''}")));
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF "," SZF
	      ",'urls':null,'annotations':null")));
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF "," SZF
		",'urls':'https://example.com/l.tgz'")),
		"invalid manifest: layers[1].urls is not an array of strings");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF "," SZF
		",'urls':['https://a',{}]")),
		"invalid manifest: layers[1].urls[1] is not a string");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF "," SZF
		",'annotations':'x'")),
		"invalid manifest: layers[1].annotations is not an object");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF "," SZF
		",'annotations':{'org.opencontainers.image.title':true}")),
		"layers[1].annotations['org.opencontainers.image.title'] is not"
		" a string");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF "," SZF
		",'artifactType':'nope'")),
		"layers[1].artifactType 'nope' is not a valid media type");
}

static void test_manifest__descriptor_data(void **state)
{
	(void)state;
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':5,"
	      "'data':'aGVsbG8='")));
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':0,'data':''")));
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':1,'data':'aA=='")));
	VALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':2,'data':'aGk='")));
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':5,"
		"'data':'aGVsbG8'")), "layers[1].data is not standard base64");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':5,"
		"'data':'aGVs_G8='")), "layers[1].data is not standard base64");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':4,"
		"'data':'aGVsbG8='")),
		"layers[1].data decodes to 5 bytes, but size is 4");
	INVALID(MT_OCI_MANIFEST, OCI_L(DESC(MTF "," DGF ",'size':4,'data':4")),
		"layers[1].data is not a string");
}

static void test_manifest__descriptor_platform(void **state)
{
	(void)state;
#define PE(p) OCI_I("", ENTRY ",{'mediaType':'" MT_OCI_MANIFEST \
	"','digest':'sha256:" H3 "','size':1,'platform':" p "}")
	VALID(MT_OCI_INDEX, PE("{'architecture':'arm','os':'linux',"
	      "'variant':'v7','os.version':'1','os.features':['a'],"
	      "'features':['sse4'],'x':1}"));
	INVALID(MT_OCI_INDEX, PE("'linux/amd64'"),
		"invalid manifest: manifests[1].platform is not an object");
	INVALID(MT_OCI_INDEX, PE("{'os':'linux'}"),
		"manifests[1].platform.architecture is missing");
	INVALID(MT_OCI_INDEX, PE("{'architecture':'amd64'}"),
		"manifests[1].platform.os is missing");
	INVALID(MT_OCI_INDEX, PE("{'architecture':'amd64','os':1}"),
		"manifests[1].platform.os is not a string");
	INVALID(MT_OCI_INDEX, PE("{'architecture':'arm','os':'linux',"
		"'variant':7}"), "manifests[1].platform.variant is not a string");
	INVALID(MT_OCI_INDEX, PE("{'architecture':'amd64','os':'windows',"
		"'os.version':10}"),
		"manifests[1].platform.os.version is not a string");
	INVALID(MT_OCI_INDEX, PE("{'architecture':'amd64','os':'windows',"
		"'os.features':'win32k'}"),
		"manifests[1].platform.os.features is not an array of strings");
	INVALID(MT_OCI_INDEX, PE("{'architecture':'amd64','os':'linux',"
		"'features':['sse4',1]}"),
		"manifests[1].platform.features[1] is not a string");
#undef PE
}

/* A copy of a descriptor outlives the walk that handed it over. */
static int dup_cb(const struct descriptor *d, void *payload)
{
	struct descriptor **out = payload;

	if (d->index == 1)
		*out = descriptor_dup(d);
	return 0;
}

static void test_manifest__descriptor_dup(void **state)
{
	static const char doc[] = "{\"schemaVersion\":2,\"mediaType\":"
		"\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\",\"size\":1},"
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\",\"size\":7,"
		"\"urls\":[\"https://a\",\"https://b\"],"
		"\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\",\"k\":\"v\"},"
		"\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\","
		"\"os.features\":[\"f\"],\"features\":[\"sse4\"]}}]}";
	struct descriptor *d = NULL;
	struct platform_spec p;

	(void)state;
	assert_int_equal(manifest_for_each_child(doc, sizeof(doc) - 1,
		"application/vnd.oci.image.index.v1+json", dup_cb, &d), 0);
	assert_non_null(d);
	assert_int_equal(d->role, DESCRIPTOR_MANIFEST);
	assert_int_equal(d->index, 1);
	assert_int_equal(d->size, 7);
	assert_string_equal(d->digest, "sha256:2222222222222222222222222222222222222222222222222222222222222222");
	assert_int_equal(d->urls_nr, 2);
	assert_string_equal(d->urls[1], "https://b");
	assert_string_equal(descriptor_annotation(d, "k"), "v");
	assert_null(d->artifact_type);
	assert_non_null(d->platform);
	assert_string_equal(d->platform->variant, "v7");
	assert_null(d->platform->os_version);
	assert_string_equal(d->platform->os_features[0], "f");
	assert_string_equal(d->platform->features[0], "sse4");
	/* the attestation rule: no platform, whatever it says */
	assert_int_equal(descriptor_is_attestation(d), 1);
	assert_int_equal(descriptor_platform(&p, d), 0);
	free(d);
}

/* The platform rule for entries, in one place. */
static void test_manifest__platform_of_entry(void **state)
{
	struct platform_spec p, want[2];

	(void)state;
	assert_int_equal(platform_parse(&want[0], "linux/amd64"), 0);
	assert_int_equal(platform_parse(&want[1], "linux/arm64/v8"), 0);
	assert_int_equal(platform_of_entry(&p, 0, "linux", "aarch64", NULL), 1);
	assert_int_equal(platform_match_any(&p, want, 2), 1);
	assert_int_equal(platform_match_any(&p, want, 1), 0);
	assert_int_equal(platform_of_entry(&p, 1, "linux", "amd64", NULL), 0);
	assert_int_equal(platform_of_entry(&p, 0, NULL, "amd64", NULL), 0);
	assert_int_equal(platform_of_entry(&p, 0, "linux", "am d64", NULL), 0);
	assert_int_equal(reference_type_is_attestation("attestation-manifest"), 1);
	assert_int_equal(reference_type_is_attestation("other"), 0);
	assert_int_equal(reference_type_is_attestation(NULL), 0);
}

static void test_manifest__validate_config(void **state)
{
	(void)state;
	VALID(MT_OCI_CONFIG, "{}");
	VALID(MT_DOCKER_CONFIG, "{'architecture':'amd64','os':'linux',"
	      "'anything':[1]}");
	INVALID(MT_OCI_CONFIG, "[]", "invalid config: not a JSON object");
	INVALID(MT_OCI_CONFIG, "{'architecture':1}",
		"invalid config: architecture is not a string");
	INVALID(MT_DOCKER_CONFIG, "{'os':{}}", "invalid config: os is not a string");
	INVALID(MT_OCI_CONFIG, "{'a':1,'a':2}", "duplicate key 'a'");
}

static void test_manifest__validate_opaque(void **state)
{
	(void)state;
	/* other types are not parsed at all */
	assert_int_equal(manifest_validate(MT_OCI_LAYER_GZIP, "\x1f\x8b\0", 3),
			 0);
	assert_int_equal(manifest_validate(MT_OCI_EMPTY, "{}", 2), 0);
	assert_int_equal(manifest_validate("application/vnd.example+json",
					   "{{{", 3), 0);
}

/* ---- JSON parsing -------------------------------------------------------- */

static void test_manifest__json_depth_bomb(void **state)
{
	size_t n = 100000, i;
	char *bomb = malloc(2 * n + 1);
	const char *mt = NULL;

	(void)state;
	assert_non_null(bomb);
	memset(bomb, '[', n);
	PARSE_FAILS(bomb, n, "nested deeper than 64 levels");
	/* balanced, so nothing but depth is wrong */
	memset(bomb + n, ']', n);
	PARSE_FAILS(bomb, 2 * n, "nested deeper than 64");
	assert_int_equal(manifest_sniff(&mt, bomb, 2 * n), MF_EINVALID);
	assert_int_equal(manifest_validate(MT_OCI_INDEX, bomb, 2 * n),
			 MF_EINVALID);
	/* objects count too */
	for (i = 0; i + 5 <= n; i += 5)
		memcpy(bomb + i, "{\"a\":", 5);
	PARSE_FAILS(bomb, i, "nested deeper than 64");
	/* brackets inside strings do not count */
	bomb[0] = '"';
	memset(bomb + 1, '[', n);
	bomb[n + 1] = '"';
	PARSE_OK(bomb, n + 2);
	free(bomb);
}

static void test_manifest__json_depth_limit_exact(void **state)
{
	char doc[2 * (JSON_MAX_DEPTH + 1) + 1];

	(void)state;
	memset(doc, '[', JSON_MAX_DEPTH);
	memset(doc + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	PARSE_OK(doc, 2 * JSON_MAX_DEPTH);
	memset(doc, '[', JSON_MAX_DEPTH + 1);
	memset(doc + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	PARSE_FAILS(doc, 2 * (JSON_MAX_DEPTH + 1), "at offset 64");
}

static void test_manifest__json_duplicate_keys(void **state)
{
	struct buf b = BUF_INIT;
	int i;

	(void)state;
	PARSE_FAILS_S(J("{'mediaType':'a','x':1,'mediaType':'a'}"),
		      "invalid JSON: duplicate key 'mediaType'");
	PARSE_FAILS_S(J("{'manifests':[{},{'platform':{'os':'a','os':'b'}}]}"),
		      "duplicate key 'os' in manifests[1].platform");
	PARSE_FAILS_S(J("{'annotations':{'a b':{'k':1,'k':1}}}"),
		      "duplicate key 'k' in annotations['a b']");
	/* same text in different objects is fine */
	PARSE_OK_S(J("{'a':{'a':{'a':1}},'b':[{'a':1},{'a':2}]}"));
	/* escapes are decoded before comparing */
	PARSE_FAILS_S(J("{'size':1,'\\u0073ize':2}"), "duplicate key 'size'");
	/* a long path is cut, the message stays usable */
	{
		char deep[4096];
		size_t n = 0;
		int d;

		for (d = 0; d < 40; d++)
			n += (size_t)snprintf(deep + n, sizeof(deep) - n,
					      "{\"level%d_with_a_long_name\":", d);
		n += (size_t)snprintf(deep + n, sizeof(deep) - n,
				      "{\"dup\":1,\"dup\":2}");
		for (d = 0; d < 40; d++)
			deep[n++] = '}';
		deep[n] = '\0';
		PARSE_FAILS(deep, n, "duplicate key 'dup' in level0_with_a_long");
		assert_true(strlen(mf_error_last()) < 400);
	}
	/* a large object is checked by sorting */
	buf_addch(&b, '{');
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "\"key%d\":%d,", i, i);
	buf_adds(&b, "\"key567\":0}");
	PARSE_FAILS(b.ptr, b.len, "duplicate key 'key567'");
	buf_setlen(&b, b.len - 11);
	buf_adds(&b, "\"last\":0}");
	PARSE_OK(b.ptr, b.len);
	buf_release(&b);

	/* through the manifest API */
	INVALID(MT_OCI_MANIFEST, "{'schemaVersion':2,'mediaType':'"
		MT_OCI_MANIFEST "','mediaType':'" MT_OCI_MANIFEST "','config':"
		CFG ",'layers':[]}", "invalid JSON: duplicate key 'mediaType'");
	SNIFF_FAILS(OCI_I("", "{'mediaType':'" MT_OCI_MANIFEST "','digest':"
		    "'sha256:" H3 "','size':1,'size':2}"), MF_EINVALID,
		    "duplicate key 'size' in manifests[0]");
}

static void test_manifest__json_nul_byte(void **state)
{
	static const char raw[] = "{\"mediaType\":\"a\0b\"}";
	static const char outside[] = "{}\0";

	(void)state;
	PARSE_FAILS(raw, sizeof(raw) - 1, "NUL byte at offset 15");
	PARSE_FAILS(outside, sizeof(outside) - 1, "NUL byte at offset 2");
	PARSE_FAILS_S("\"\\u0000\"", "\\u0000");
	PARSE_FAILS_S(J("{'a\\u0000b':1,'a':2}"), "\\u0000");
	assert_int_equal(manifest_validate(MT_OCI_CONFIG, raw, sizeof(raw) - 1),
			 MF_EINVALID);
	INVALID(MT_OCI_CONFIG, "{'os':'linux\\u0000x'}", "\\u0000 in a string");
}

static void test_manifest__json_invalid_utf8(void **state)
{
	(void)state;
	PARSE_OK_S("\"caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80\"");
	PARSE_FAILS_S("\"\x80\"", "invalid UTF-8 at offset 1");
	PARSE_FAILS_S("\"\xc3\"", "invalid UTF-8");	/* truncated */
	PARSE_FAILS_S("\"\xc3", "invalid UTF-8");	/* truncated at end */
	PARSE_FAILS_S("\"\xc0\x80\"", "invalid UTF-8");	/* overlong NUL */
	PARSE_FAILS_S("\"\xc1\xbf\"", "invalid UTF-8");	/* overlong */
	PARSE_FAILS_S("\"\xe0\x80\xaf\"", "invalid UTF-8");	/* overlong / */
	PARSE_FAILS_S("\"\xed\xa0\x80\"", "invalid UTF-8");	/* surrogate */
	PARSE_FAILS_S("\"\xf4\x90\x80\x80\"", "invalid UTF-8");	/* > U+10FFFF */
	PARSE_FAILS_S("\"\xf5\x80\x80\x80\"", "invalid UTF-8");
	PARSE_FAILS_S("\"\xff\"", "invalid UTF-8");
	PARSE_FAILS_S("{\"k\xe9y\":1}", "invalid UTF-8 at offset 3");
	PARSE_FAILS_S("\xef\xbb\xbf{}", "invalid JSON");	/* BOM */
	/* escapes must not smuggle in what raw bytes cannot */
	PARSE_OK_S("\"\\ud83d\\ude00\"");
	PARSE_FAILS_S("\"\\ud83d\"", "unpaired surrogate");
	PARSE_FAILS_S("\"\\ude00\\ud83d\"", "unpaired surrogate");
	PARSE_FAILS_S("\"\\ud83dx\"", "unpaired surrogate");
	PARSE_FAILS_S("\"\\ud83d\\u0041\"", "unpaired surrogate");
	PARSE_FAILS_S("\"\\ud83d\\u00\"", "unpaired surrogate");
	/* malformed escapes are yajl's to reject */
	PARSE_FAILS_S("\"\\u12\"", "invalid JSON");
	PARSE_FAILS_S("\"\\u12g4\"", "invalid JSON");
}

static void test_manifest__json_trailing_garbage(void **state)
{
	(void)state;
	PARSE_OK(" {}\n\t\r ", 7);
	PARSE_FAILS_S("{} x", "invalid JSON: trailing garbage");
	PARSE_FAILS_S("{}{}", "trailing garbage");
	PARSE_FAILS_S("{},", "trailing garbage");
	PARSE_FAILS_S("1 2", "trailing garbage");
	SNIFF_FAILS(OCI_I("", ENTRY) "\n]", MF_EINVALID, "trailing garbage");
}

static void test_manifest__json_syntax(void **state)
{
	(void)state;
	PARSE_FAILS("", 0, "invalid JSON: empty input");
	PARSE_FAILS_S("   ", "invalid JSON");
	PARSE_FAILS_S("{\"a\":1,}", "invalid JSON");
	PARSE_FAILS_S("[1,2", "premature EOF");
	PARSE_FAILS_S("/* c */ {}", "comment");
	PARSE_FAILS_S("{\"a\":1} // c", "invalid JSON");
	PARSE_FAILS_S("{'a':1}", "invalid JSON");
	PARSE_FAILS_S("\"tab\tinside\"", "invalid JSON");
	PARSE_FAILS_S("\"\\x\"", "invalid JSON");
	PARSE_FAILS_S("NaN", "invalid JSON");
	PARSE_FAILS_S("01", "invalid JSON");
	PARSE_OK("0", 1);
	PARSE_OK("-1.5e-3", 7);
	PARSE_OK("null", 4);
}

static void test_manifest__json_size_cap(void **state)
{
	size_t n = JSON_MAX_INPUT;
	char *doc = malloc(n + 1);
	yajl_val v = NULL;

	(void)state;
	assert_non_null(doc);
	/* exactly at the cap: accepted */
	memset(doc, ' ', n + 1);
	memcpy(doc, "{}", 2);
	PARSE_OK(doc, n);
	/* one byte over: MF_ETOOBIG, before anything else is looked at */
	assert_int_equal(json_parse(&v, doc, n + 1), MF_ETOOBIG);
	assert_null(v);
	assert_non_null(strstr(mf_error_last(), "exceeds the limit"));
	assert_int_equal(manifest_validate(MT_OCI_INDEX, doc, n + 1),
			 MF_ETOOBIG);
	{
		const char *mt = NULL;

		assert_int_equal(manifest_sniff(&mt, doc, n + 1), MF_ETOOBIG);
	}
	/* opaque types have no cap here */
	assert_int_equal(manifest_validate(MT_OCI_LAYER, doc, n + 1), 0);
	free(doc);
}

static void test_manifest__json_getters(void **state)
{
	const char *doc = J("{'s':'x','i':42,'neg':-3,'f':1.5,'big':"
			    "9223372036854775808,'o':{'k':null},'a':['p','q'],"
			    "'mixed':['p',1],'n':null}");
	yajl_val v;
	int64_t i = 7;

	(void)state;
	assert_int_equal(json_parse(&v, doc, strlen(doc)), 0);
	assert_string_equal(json_get_string(v, "s"), "x");
	assert_null(json_get_string(v, "i"));
	assert_null(json_get_string(v, "nope"));
	assert_null(json_get_string(NULL, "s"));
	assert_true(json_get_int64(&i, v, "i"));
	assert_int_equal(i, 42);
	assert_true(json_get_int64(&i, v, "neg"));
	assert_int_equal(i, -3);
	assert_false(json_get_int64(&i, v, "f"));
	assert_false(json_get_int64(&i, v, "big"));
	assert_false(json_get_int64(&i, v, "s"));
	assert_int_equal(i, -3);
	assert_non_null(json_get_object(v, "o"));
	assert_null(json_get_object(v, "a"));
	assert_non_null(json_get_array(v, "a"));
	assert_true(json_has(v, "n"));
	assert_true(json_has(json_get(v, "o"), "k"));
	assert_false(json_has(v, "k"));
	assert_true(json_is_string_array(json_get(v, "a")));
	assert_false(json_is_string_array(json_get(v, "mixed")));
	assert_false(json_is_string_array(json_get(v, "o")));
	assert_null(json_get(json_get(v, "a"), "p"));
	yajl_tree_free(v);
}

/* ---- json_pretty ------------------------------------------------------- */

static void test_manifest__json_pretty_exact(void **state)
{
	static const char in[] =
		"{\"b\":[1.50,1e3,-0,2E+2,0.0,-12,true,false,null],"
		"\"a\":\"t\\tq\\\"b\\\\s\\/ \\u00e9 caf\xc3\xa9 \\u2603"
		" \\ud83d\\ude00 \\u0001\\u001F\\b\\f\\n\\r <&>\","
		"\"e\":{},\"f\":[],\"n\":{\"x\":{\"y\":[[]]}},"
		"\"big\":123456789012345678901234567890}";
	static const char want[] =
		"{\n"
		"   \"b\": [\n"
		"      1.50,\n"
		"      1e3,\n"
		"      -0,\n"
		"      2E+2,\n"
		"      0.0,\n"
		"      -12,\n"
		"      true,\n"
		"      false,\n"
		"      null\n"
		"   ],\n"
		"   \"a\": \"t\\tq\\\"b\\\\s/ \xc3\xa9 caf\xc3\xa9 \xe2\x98\x83"
		" \xf0\x9f\x98\x80 \\u0001\\u001f\\b\\f\\n\\r <&>\",\n"
		"   \"e\": {},\n"
		"   \"f\": [],\n"
		"   \"n\": {\n"
		"      \"x\": {\n"
		"         \"y\": [\n"
		"            []\n"
		"         ]\n"
		"      }\n"
		"   },\n"
		"   \"big\": 123456789012345678901234567890\n"
		"}\n";
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(json_pretty(&out, in, sizeof(in) - 1), 0);
	assert_string_equal(out.ptr, want);
	assert_int_equal(out.len, sizeof(want) - 1);

	/* idempotent */
	{
		struct buf again = BUF_INIT;

		assert_int_equal(json_pretty(&again, out.ptr, out.len), 0);
		assert_string_equal(again.ptr, want);
		buf_release(&again);
	}

	/* scalars, and appending to what is there */
	buf_reset(&out);
	buf_adds(&out, "> ");
	assert_int_equal(json_pretty(&out, " \"x\" ", 5), 0);
	assert_string_equal(out.ptr, "> \"x\"\n");
	buf_release(&out);
}

static void test_manifest__json_pretty_errors(void **state)
{
	struct buf out = BUF_INIT_MAX(16);

	(void)state;
	assert_int_equal(json_pretty(&out, "{\"a\":1,\"a\":2}", 13),
			 MF_EINVALID);
	assert_non_null(strstr(mf_error_last(), "duplicate key 'a'"));
	/* the output cap holds */
	assert_int_equal(json_pretty(&out, "[1,2,3,4,5,6,7,8]", 17),
			 MF_ETOOBIG);
	assert_true(out.len <= 16);
	buf_release(&out);
}

static void test_manifest__json_add_string(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(json_add_string(&out, "a\"b\\c\n\x7f\x1b/\xc3\xa9", 11),
			 0);
	assert_string_equal(out.ptr, "\"a\\\"b\\\\c\\n\x7f\\u001b/\xc3\xa9\"");
	buf_release(&out);
}

static void test_manifest__json_msg_str(void **state)
{
	char out[80];
	char longs[200];

	(void)state;
	json_msg_str(out, sizeof(out), "a\nb\tc");
	assert_string_equal(out, "a?b?c");
	json_msg_str(out, sizeof(out), NULL);
	assert_string_equal(out, "");
	memset(longs, 'x', sizeof(longs));
	longs[63] = '\xc3';
	longs[64] = '\xa9';
	longs[199] = '\0';
	json_msg_str(out, sizeof(out), longs);
	/* cut at 64 bytes, not inside the two-byte sequence */
	assert_int_equal(strlen(out), 63 + 3);
	assert_string_equal(out + 63, "...");
	json_msg_str(out, 8, longs);
	assert_string_equal(out, "xxxx...");
}

/* Control characters in identifiers from outside are refused, naming the field. */
static void test_manifest__control_characters_refused(void **state)
{
	static const char *const bad[] = { "a\x1b[31m", "a\rb", "a\nb", "\x7f", "a\302\233b", "\t" };
	static const struct {
		const char *field, *before, *after, *where;
	} fields[] = {
		{ "os", "\"os\":\"", "\",\"architecture\":\"amd64\"", "manifests[0].platform.os" },
		{ "architecture", "\"os\":\"linux\",\"architecture\":\"", "\"", "manifests[0].platform.architecture" },
		{ "variant", "\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"", "\"", "manifests[0].platform.variant" },
		{ "os.version", "\"os\":\"linux\",\"architecture\":\"amd64\",\"os.version\":\"", "\"", "manifests[0].platform.os.version" },
		{ "features", "\"os\":\"linux\",\"architecture\":\"amd64\",\"features\":[\"ok\",\"", "\"]", "manifests[0].platform.features[1]" },
		{ "os.features", "\"os\":\"linux\",\"architecture\":\"amd64\",\"os.features\":[\"", "\"]", "manifests[0].platform.os.features[0]" },
	};
	char esc[64], plat[256], doc[1024];

	(void)state;
	assert_true(manifest_identifier_ok(NULL));
	assert_true(manifest_identifier_ok("linux"));
	assert_true(manifest_identifier_ok("caf\xc3\xa9 10.0.17763.5830"));
	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		size_t o = 0;

		assert_false(manifest_identifier_ok(bad[b]));
		/* the same string as a JSON string literal */
		for (const unsigned char *p = (const unsigned char *)bad[b]; *p; p++)
			if (*p < 0x20)
				o += (size_t)snprintf(esc + o, sizeof(esc) - o, "\\u%04x", *p);
			else
				esc[o++] = (char)*p, esc[o] = '\0';
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			snprintf(plat, sizeof(plat), "%s%s%s", fields[f].before, esc,
				 fields[f].after);
			snprintf(doc, sizeof(doc),
				 "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":["
				 "{\"mediaType\":\"%s\",\"digest\":\"sha256:%064d\","
				 "\"size\":1,\"platform\":{%s}}]}",
				 MT_OCI_INDEX, MT_OCI_MANIFEST, 0, plat);
			assert_int_equal(manifest_validate(MT_OCI_INDEX, doc, strlen(doc)),
					 MF_EINVALID);
			if (!strstr(mf_error_last(), fields[f].where) ||
			    !strstr(mf_error_last(), "control character"))
				fail_msg("%s: %s", fields[f].field, mf_error_last());
		}
		/* an annotation key too, but not a value (free text) */
		snprintf(doc, sizeof(doc),
			 "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[],"
			 "\"annotations\":{\"%s\":\"v\"}}", MT_OCI_INDEX, esc);
		assert_int_equal(manifest_validate(MT_OCI_INDEX, doc, strlen(doc)),
				 MF_EINVALID);
		assert_non_null(strstr(mf_error_last(), "annotations has a key with a control character"));
		snprintf(doc, sizeof(doc),
			 "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[],"
			 "\"annotations\":{\"k\":\"%s\"}}", MT_OCI_INDEX, esc);
		assert_int_equal(manifest_validate(MT_OCI_INDEX, doc, strlen(doc)), 0);
		/* and an image config's platform */
		snprintf(doc, sizeof(doc), "{\"architecture\":\"amd64\",\"os\":\"linux\","
			 "\"variant\":\"%s\"}", esc);
		assert_int_equal(manifest_validate(MT_OCI_CONFIG, doc, strlen(doc)),
				 MF_EINVALID);
		assert_non_null(strstr(mf_error_last(), "variant contains a control character"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest__samples_sniff_and_validate),
		cmocka_unit_test(test_manifest__sample_docker_list_shape),
		cmocka_unit_test(test_manifest__pretty_matches_docker_indent),
		cmocka_unit_test(test_manifest__for_each_child_samples),
		cmocka_unit_test(test_manifest__for_each_child_fields_and_stop),
		cmocka_unit_test(test_manifest__kind_of),
		cmocka_unit_test(test_manifest__media_type_valid),
		cmocka_unit_test(test_manifest__sniff_by_shape),
		cmocka_unit_test(test_manifest__sniff_unrecognised),
		cmocka_unit_test(test_manifest__sniff_malformed),
		cmocka_unit_test(test_manifest__schema1_rejected),
		cmocka_unit_test(test_manifest__validate_samples_inline),
		cmocka_unit_test(test_manifest__validate_not_object),
		cmocka_unit_test(test_manifest__validate_schema_version),
		cmocka_unit_test(test_manifest__validate_media_type_field),
		cmocka_unit_test(test_manifest__validate_image_rules),
		cmocka_unit_test(test_manifest__validate_artifacts),
		cmocka_unit_test(test_manifest__validate_index_rules),
		cmocka_unit_test(test_manifest__descriptor_media_type),
		cmocka_unit_test(test_manifest__descriptor_digest),
		cmocka_unit_test(test_manifest__descriptor_size),
		cmocka_unit_test(test_manifest__descriptor_size_negative),
		cmocka_unit_test(test_manifest__descriptor_size_float),
		cmocka_unit_test(test_manifest__descriptor_size_huge),
		cmocka_unit_test(test_manifest__descriptor_urls_annotations),
		cmocka_unit_test(test_manifest__descriptor_data),
		cmocka_unit_test(test_manifest__descriptor_platform),
		cmocka_unit_test(test_manifest__descriptor_dup),
		cmocka_unit_test(test_manifest__platform_of_entry),
		cmocka_unit_test(test_manifest__validate_config),
		cmocka_unit_test(test_manifest__validate_opaque),
		cmocka_unit_test(test_manifest__json_depth_bomb),
		cmocka_unit_test(test_manifest__json_depth_limit_exact),
		cmocka_unit_test(test_manifest__json_duplicate_keys),
		cmocka_unit_test(test_manifest__json_nul_byte),
		cmocka_unit_test(test_manifest__json_invalid_utf8),
		cmocka_unit_test(test_manifest__json_trailing_garbage),
		cmocka_unit_test(test_manifest__json_syntax),
		cmocka_unit_test(test_manifest__json_size_cap),
		cmocka_unit_test(test_manifest__json_getters),
		cmocka_unit_test(test_manifest__json_pretty_exact),
		cmocka_unit_test(test_manifest__json_pretty_errors),
		cmocka_unit_test(test_manifest__json_add_string),
		cmocka_unit_test(test_manifest__json_msg_str),
		cmocka_unit_test(test_manifest__control_characters_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
