/*
 * Unit tests for registry/creds.h (creds-*.c): docker's config.json and credential
 * helpers.
 *
 * Each test runs in a fresh temporary directory with DOCKER_CONFIG
 * pointing into it, and a bin/ holding a copy of the fake helper
 * tests/t/fixtures/docker-credential-mftest first on PATH.  The helper's
 * store is the file $MFTEST_CRED_FILE; MFTEST_CRED_FAIL makes it fail.
 * The fixture is found through $MANIFOLD_SOURCE_DIR (set by ctest), else
 * relative to this file's path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "manifest/json.h"
#include "registry/creds.h"
#include "util/buf.h"
#include "util/error.h"

#define HUB CREDS_DOCKER_HUB_KEY
#define LOCAL "localhost:5000"

struct env {
	char tmp[64];
	char dir[128];		/* $DOCKER_CONFIG */
	char config[160];	/* $DOCKER_CONFIG/config.json */
	char store[128];	/* $MFTEST_CRED_FILE */
	char log[128];		/* $MFTEST_CRED_LOG */
	char runtime[128];	/* $XDG_RUNTIME_DIR */
	char cfghome[128];	/* $XDG_CONFIG_HOME */
	char run_auth[192];	/* $XDG_RUNTIME_DIR/containers/auth.json */
	char cfg_auth[192];	/* $XDG_CONFIG_HOME/containers/auth.json */
	char *old_path;
};

static void fixture_path(char *out, size_t outsz)
{
	const char *src = getenv("MANIFOLD_SOURCE_DIR");
	const char *suffix = "tests/unit/test_creds.c";
	const char *file = __FILE__;
	size_t flen = strlen(file), slen = strlen(suffix);

	if (src && *src) {
		snprintf(out, outsz, "%s/tests/t/fixtures/docker-credential-mftest",
			 src);
		return;
	}
	if (flen >= slen && !strcmp(file + flen - slen, suffix))
		snprintf(out, outsz, "%.*stests/t/fixtures/docker-credential-mftest",
			 (int)(flen - slen), file);
	else
		snprintf(out, outsz, "tests/t/fixtures/docker-credential-mftest");
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

/* Read a whole file into a malloc'd string (NULL if missing). */
static char *read_text(const char *path)
{
	struct buf b = BUF_INIT;

	if (buf_read_file(&b, path))
		return NULL;
	return buf_detach(&b, NULL);
}

static void rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[512];

	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		d = opendir(path);
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int setup(void **state)
{
	struct env *env = calloc(1, sizeof(*env));
	char fixture[1024], helper[256], path[8192];
	char *script;
	const char *old;

	snprintf(env->tmp, sizeof(env->tmp), "/tmp/mf-creds-XXXXXX");
	if (!mkdtemp(env->tmp))
		return -1;
	snprintf(env->dir, sizeof(env->dir), "%s/docker", env->tmp);
	snprintf(env->config, sizeof(env->config), "%s/config.json", env->dir);
	snprintf(env->store, sizeof(env->store), "%s/helper-store", env->tmp);
	snprintf(env->log, sizeof(env->log), "%s/helper-log", env->tmp);
	mkdir(env->dir, 0700);

	/* the helper, copied so that its mode does not matter */
	fixture_path(fixture, sizeof(fixture));
	script = read_text(fixture);
	if (!script) {
		fprintf(stderr, "cannot read %s\n", fixture);
		return -1;
	}
	snprintf(helper, sizeof(helper), "%s/bin", env->tmp);
	mkdir(helper, 0700);
	snprintf(helper, sizeof(helper), "%s/bin/docker-credential-mftest",
		 env->tmp);
	write_text(helper, script, 0755);
	free(script);

	old = getenv("PATH");
	env->old_path = strdup(old ? old : "/usr/bin:/bin");
	snprintf(path, sizeof(path), "%s/bin:%s", env->tmp, env->old_path);
	setenv("PATH", path, 1);
	setenv("DOCKER_CONFIG", env->dir, 1);
	/* podman's files: here, and missing until a test writes them */
	snprintf(env->runtime, sizeof(env->runtime), "%s/run", env->tmp);
	snprintf(env->cfghome, sizeof(env->cfghome), "%s/cfg", env->tmp);
	snprintf(env->run_auth, sizeof(env->run_auth),
		 "%s/containers/auth.json", env->runtime);
	snprintf(env->cfg_auth, sizeof(env->cfg_auth),
		 "%s/containers/auth.json", env->cfghome);
	setenv("XDG_RUNTIME_DIR", env->runtime, 1);
	setenv("XDG_CONFIG_HOME", env->cfghome, 1);
	unsetenv("REGISTRY_AUTH_FILE");
	setenv("MFTEST_CRED_FILE", env->store, 1);
	setenv("MFTEST_CRED_LOG", env->log, 1);
	unsetenv("MFTEST_CRED_FAIL");
	unsetenv("MFTEST_CRED_FAIL_ACTION");
	*state = env;
	return 0;
}

static int teardown(void **state)
{
	struct env *env = *state;

	setenv("PATH", env->old_path, 1);
	free(env->old_path);
	rm_rf(env->tmp);
	free(env);
	return 0;
}

static void config(const struct env *env, const char *json)
{
	write_text(env->config, json, 0600);
}

/* Put an entry straight into the fake helper's store. */
static void helper_has(const struct env *env, const char *url,
		       const char *user, const char *secret)
{
	FILE *f = fopen(env->store, "a");

	assert_non_null(f);
	fprintf(f, "%s\t{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}\n",
		url, url, user, secret);
	fclose(f);
}

static void check_code(int ret, int code, const char *substr, int line)
{
	if (ret != code)
		fail_msg("line %d: expected %d, got %d (%s)", line, code, ret,
			 ret ? mf_error_last() : "ok");
	if (code && substr && !strstr(mf_error_last(), substr))
		fail_msg("line %d: message '%s' lacks '%s'", line,
			 mf_error_last(), substr);
	if (code)
		assert_null(strchr(mf_error_last(), '\n'));
}

#define CHECK(call, code, substr) check_code((call), (code), (substr), __LINE__)

/* Look up `key` and expect these credentials. */
static void expect_cred(const char *key, const char *user, const char *secret,
			int identity)
{
	struct mf_cred c;

	CHECK(creds_lookup(&c, key), 0, NULL);
	assert_string_equal(c.username, user);
	assert_non_null(c.secret.ptr);
	assert_int_equal(c.secret.len, strlen(secret));
	assert_string_equal(c.secret.ptr, secret);
	assert_int_equal(c.identity_token, identity);
	mf_cred_release(&c);
	assert_null(c.username);
	assert_null(c.secret.ptr);
}

static void expect_none(const char *key)
{
	struct mf_cred c;

	CHECK(creds_lookup(&c, key), MF_ENOTFOUND, NULL);
	assert_null(c.username);
	assert_null(c.secret.ptr);
}

static void set_secret(struct mf_secret *s, const char *text)
{
	assert_int_equal(mf_secret_set(s, text, strlen(text)), 0);
}

static int file_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	return (int)(st.st_mode & 07777);
}

/* Open file descriptors (Linux /proc), or -1 when it cannot tell. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

/* ---- lookup from config.json ---- */

static void test_creds__missing_config(void **state)
{
	struct env *env = *state;
	char dir[200];

	/* a missing directory */
	snprintf(dir, sizeof(dir), "%s/nowhere/docker", env->tmp);
	setenv("DOCKER_CONFIG", dir, 1);
	expect_none(LOCAL);
	CHECK(creds_erase(LOCAL, NULL), MF_ENOTFOUND, NULL);
	assert_int_equal(access(dir, F_OK), -1);	/* lookups create nothing */

	/* a directory without config.json */
	setenv("DOCKER_CONFIG", env->dir, 1);
	expect_none(HUB);

	/* an empty file, as docker reads it */
	config(env, "");
	expect_none(HUB);
	config(env, " \n\t");
	expect_none(HUB);

	/* ~/.docker when DOCKER_CONFIG is empty */
	setenv("DOCKER_CONFIG", "", 1);
	{
		char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
		char docker[200];

		setenv("HOME", env->tmp, 1);
		snprintf(docker, sizeof(docker), "%s/.docker", env->tmp);
		mkdir(docker, 0700);
		snprintf(docker, sizeof(docker), "%s/.docker/config.json",
			 env->tmp);
		write_text(docker, "{\"auths\":{\"" LOCAL "\":{\"auth\":"
			   "\"Ym9iOmh1bnRlcjI=\"}}}", 0600);
		expect_cred(LOCAL, "bob", "hunter2", 0);
		if (home)
			setenv("HOME", home, 1);
		else
			unsetenv("HOME");
		free(home);
	}
}

static void test_creds__auths_basic(void **state)
{
	struct env *env = *state;

	config(env, "{\"auths\":{"
	       "\"" HUB "\":{\"auth\":\"YWxpY2U6AABwdwA=\"},"	/* alice:\0\0pw\0 */
	       "\"" LOCAL "\":{\"auth\":\"Ym9iOmh1bnRlcjI=\",\"email\":\"x@y\"},"
	       "\"colon.example\":{\"auth\":\"Ym9iOnBhOnNzOndvcmQ=\"},"
	       "\"fields.example\":{\"username\":\"u\",\"password\":\"p\"},"
	       "\"ghcr.io\":{},"
	       "\"null.example\":null"
	       "},\"psFormat\":\"table\"}");
	expect_cred(LOCAL, "bob", "hunter2", 0);
	expect_cred(HUB, "alice", "pw", 0);	/* NULs trimmed, as Go does */
	expect_cred("colon.example", "bob", "pa:ss:word", 0);
	expect_cred("fields.example", "u", "p", 0);
	/* {} is what docker leaves when a helper has the secret */
	expect_none("ghcr.io");
	expect_none("null.example");
	expect_none("other.example");
	expect_none("localhost");	/* no prefix matching */
}

static void test_creds__auths_url_keys(void **state)
{
	struct env *env = *state;

	config(env, "{\"auths\":{"
	       "\"https://" LOCAL "/v1/\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"},"
	       "\"http://plain.example\":{\"auth\":\"Ym9iOnBhOnNzOndvcmQ=\"},"
	       "\"both.example\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"},"
	       "\"https://both.example\":{\"auth\":\"Ym9iOnBhOnNzOndvcmQ=\"}"
	       "}}");
	expect_cred(LOCAL, "bob", "hunter2", 0);
	expect_cred("plain.example", "bob", "pa:ss:word", 0);
	/* the exact key wins over a URL form */
	expect_cred("both.example", "bob", "hunter2", 0);
	expect_cred("https://" LOCAL "/v1/", "bob", "hunter2", 0);
	expect_none("localhost:5001");
}

static void test_creds__identity_token(void **state)
{
	struct env *env = *state;

	config(env, "{\"auths\":{"
	       "\"" LOCAL "\":{\"auth\":\"Ym9iOg==\",\"identitytoken\":\"rEfResH\"},"
	       "\"only.example\":{\"identitytoken\":\"tok2\"}}}");
	expect_cred(LOCAL, "bob", "rEfResH", 1);
	expect_cred("only.example", "<token>", "tok2", 1);
}

static void test_creds__malformed_config(void **state)
{
	static const char *const bad[] = {
		"{not json",
		"[]",
		"\"auths\"",
		"{\"auths\":[]}",
		"{\"auths\":{\"" LOCAL "\":\"x\"}}",
		"{\"auths\":{\"" LOCAL "\":{\"auth\":7}}}",
		"{\"auths\":{\"" LOCAL "\":{\"identitytoken\":[]}}}",
		"{\"credsStore\":5}",
		"{\"credHelpers\":\"mftest\"}",
		"{\"credHelpers\":{\"" LOCAL "\":true}}",
		"{\"credsStore\":\"../../bin/sh\"}",
		"{\"credsStore\":\"a b\"}",
		"{\"auths\":{},\"auths\":{}}",
	};
	struct env *env = *state;
	struct mf_cred c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config(env, bad[i]);
		CHECK(creds_lookup(&c, LOCAL), MF_EINVALID, env->config);
		assert_null(c.username);
	}

	/* bad base64, and base64 of something that is not user:password */
	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"!!SeCrEt!!\"}}}");
	CHECK(creds_lookup(&c, LOCAL), MF_EINVALID, "base64");
	assert_null(strstr(mf_error_last(), "SeCrEt"));
	assert_non_null(strstr(mf_error_last(), env->config));
	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"Ym9iOmh1bnRlcjI\"}}}");
	CHECK(creds_lookup(&c, LOCAL), MF_EINVALID, "base64");
	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"bm9jb2xvbg==\"}}}");
	CHECK(creds_lookup(&c, LOCAL), MF_EINVALID, "user:password");
	assert_null(strstr(mf_error_last(), "nocolon"));
	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"OnB3\"}}}");	/* ":pw" */
	CHECK(creds_lookup(&c, LOCAL), MF_EINVALID, "user:password");
	/* a malformed entry elsewhere does not matter */
	config(env, "{\"auths\":{\"a\":{\"auth\":\"!!\"},"
	       "\"" LOCAL "\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"}}}");
	expect_cred(LOCAL, "bob", "hunter2", 0);

	CHECK(creds_lookup(&c, ""), MF_EINVALID, NULL);
	CHECK(creds_lookup(&c, NULL), MF_EINVALID, NULL);

	/* store and erase refuse to rewrite a file they cannot read */
	config(env, "{not json");
	{
		struct mf_secret s = MF_SECRET_INIT;

		set_secret(&s, "pw");
		CHECK(creds_store(LOCAL, "bob", &s, NULL), MF_EINVALID, env->config);
		mf_secret_free(&s);
	}
	CHECK(creds_erase(LOCAL, NULL), MF_EINVALID, env->config);
	{
		char *text = read_text(env->config);

		assert_string_equal(text, "{not json");
		free(text);
	}
}

/* ---- helpers ---- */

static void test_creds__cred_helpers(void **state)
{
	struct env *env = *state;
	char *log;

	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"},"
	       "\"file.example\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"}},"
	       "\"credsStore\":\"nosuchhelper\","
	       "\"credHelpers\":{\"" LOCAL "\":\"mftest\",\"file.example\":\"\"}}");
	helper_has(env, LOCAL, "carol", "fr0m-h3lper");
	/* credHelpers wins over both auths and credsStore */
	expect_cred(LOCAL, "carol", "fr0m-h3lper", 0);
	/* an empty helper name means the file, even with a credsStore */
	expect_cred("file.example", "bob", "hunter2", 0);
	/* everything else goes to credsStore, which is not installed */
	CHECK(creds_lookup(&(struct mf_cred){ 0 }, "other.example"), MF_EAUTH,
	      "docker-credential-nosuchhelper' not found on PATH");

	/* the key went on stdin, not the command line */
	log = read_text(env->log);
	assert_non_null(log);
	assert_string_equal(log, "get 1\n" LOCAL "\n");
	free(log);
}

static void test_creds__creds_store(void **state)
{
	struct env *env = *state;

	config(env, "{\"auths\":{\"" HUB "\":{}},\"credsStore\":\"mftest\"}");
	helper_has(env, HUB, "dave", "s3cr3t with spaces & \\\"quotes\\\"");
	expect_cred(HUB, "dave", "s3cr3t with spaces & \"quotes\"", 0);
	/* identity tokens come back as Username "<token>" */
	helper_has(env, LOCAL, "<token>", "refresh-me");
	expect_cred(LOCAL, "<token>", "refresh-me", 1);
}

static void test_creds__helper_not_found_is_anonymous(void **state)
{
	struct env *env = *state;

	/* the auths entry is not a fallback when a helper is configured */
	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"}},"
	       "\"credsStore\":\"mftest\"}");
	expect_none(LOCAL);
	setenv("MFTEST_CRED_FAIL", "notfound", 1);
	expect_none(LOCAL);
	/* an answer with neither username nor secret is no answer */
	unsetenv("MFTEST_CRED_FAIL");
	helper_has(env, "empty.example", "", "");
	expect_none("empty.example");
}

static void test_creds__helper_failures(void **state)
{
	struct env *env = *state;
	struct mf_cred c;
	int fds = open_fds();

	config(env, "{\"credsStore\":\"mftest\"}");
	helper_has(env, LOCAL, "bob", "hunter2");

	setenv("MFTEST_CRED_FAIL", "crash", 1);
	CHECK(creds_lookup(&c, LOCAL), MF_EAUTH, "docker-credential-mftest");
	assert_non_null(strstr(mf_error_last(), "signal 11"));
	assert_null(c.username);

	setenv("MFTEST_CRED_FAIL", "error", 1);
	CHECK(creds_lookup(&c, LOCAL), MF_EAUTH,
	      "credential helper 'docker-credential-mftest' get failed: "
	      "mftest: backend unavailable");

	setenv("MFTEST_CRED_FAIL", "silent", 1);
	CHECK(creds_lookup(&c, LOCAL), MF_EAUTH, "exit status 3");

	setenv("MFTEST_CRED_FAIL", "garbage", 1);
	CHECK(creds_lookup(&c, LOCAL), MF_EAUTH, "JSON");

	setenv("MFTEST_CRED_FAIL", "huge", 1);
	CHECK(creds_lookup(&c, LOCAL), MF_EAUTH, "more than 65536 bytes");

	/* not executable: found on PATH but not run */
	unsetenv("MFTEST_CRED_FAIL");
	{
		char helper[256];

		snprintf(helper, sizeof(helper), "%s/bin/docker-credential-mftest",
			 env->tmp);
		chmod(helper, 0644);
		CHECK(creds_lookup(&c, LOCAL), MF_EAUTH, "not found on PATH");
		chmod(helper, 0755);
	}
	expect_cred(LOCAL, "bob", "hunter2", 0);

	/* relative PATH entries are never searched */
	{
		char *path = strdup(getenv("PATH"));
		char cwd[512];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(chdir(env->tmp), 0);
		setenv("PATH", "bin", 1);
		CHECK(creds_lookup(&c, LOCAL), MF_EAUTH, "not found on PATH");
		assert_int_equal(chdir(cwd), 0);
		setenv("PATH", path, 1);
		free(path);
	}
	/* every failure path closed its pipes */
	assert_int_equal(open_fds(), fds);
}

/* ---- store and erase: config.json ---- */

static void test_creds__store_file_round_trip(void **state)
{
	struct env *env = *state;
	struct mf_secret s = MF_SECRET_INIT;
	char *text;

	config(env, "{\n"
	       "  \"auths\": {\"other.example\": {\"auth\": \"Ym9iOmh1bnRlcjI=\","
	       " \"x-extra\": [1, 2.50, -3e2]}, \"ghcr.io\": {}},\n"
	       "  \"psFormat\": \"table {{.ID}}\\t<&>\",\n"
	       "  \"proxies\": {\"default\": {\"httpProxy\": \"http://p:3128\"}},\n"
	       "  \"experimental\": true, \"nothing\": null, \"list\": [],\n"
	       "  \"num\": 1.50, \"uni\": \"caf\\u00e9 \\ud83d\\ude00\"\n"
	       "}\n");
	set_secret(&s, "p@ss:wörd");
	CHECK(creds_store(LOCAL, "bob", &s, NULL), 0, NULL);
	text = read_text(env->config);
	/* docker's layout; every other member kept, in place, as spelled */
	assert_string_equal(text,
		"{\n"
		"\t\"auths\": {\n"
		"\t\t\"other.example\": {\n"
		"\t\t\t\"auth\": \"Ym9iOmh1bnRlcjI=\",\n"
		"\t\t\t\"x-extra\": [\n"
		"\t\t\t\t1,\n"
		"\t\t\t\t2.50,\n"
		"\t\t\t\t-3e2\n"
		"\t\t\t]\n"
		"\t\t},\n"
		"\t\t\"ghcr.io\": {},\n"
		"\t\t\"" LOCAL "\": {\n"
		"\t\t\t\"auth\": \"Ym9iOnBAc3M6d8O2cmQ=\"\n"
		"\t\t}\n"
		"\t},\n"
		"\t\"psFormat\": \"table {{.ID}}\\t<&>\",\n"
		"\t\"proxies\": {\n"
		"\t\t\"default\": {\n"
		"\t\t\t\"httpProxy\": \"http://p:3128\"\n"
		"\t\t}\n"
		"\t},\n"
		"\t\"experimental\": true,\n"
		"\t\"nothing\": null,\n"
		"\t\"list\": [],\n"
		"\t\"num\": 1.50,\n"
		"\t\"uni\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\"\n"
		"}");
	free(text);
	assert_int_equal(file_mode(env->config), 0600);
	expect_cred(LOCAL, "bob", "p@ss:wörd", 0);
	expect_cred("other.example", "bob", "hunter2", 0);

	/* storing again replaces the entry in place, identitytoken and all */
	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"Ym9iOg==\","
	       "\"identitytoken\":\"old\"},\"z\":{}}}");
	chmod(env->config, 0644);
	set_secret(&s, "new");
	CHECK(creds_store(LOCAL, "bob", &s, NULL), 0, NULL);
	text = read_text(env->config);
	assert_string_equal(text, "{\n\t\"auths\": {\n\t\t\"" LOCAL "\": {\n"
			    "\t\t\t\"auth\": \"Ym9iOm5ldw==\"\n\t\t},\n"
			    "\t\t\"z\": {}\n\t}\n}");
	free(text);
	assert_int_equal(file_mode(env->config), 0600);
	expect_cred(LOCAL, "bob", "new", 0);

	/* an identity token goes to identitytoken */
	set_secret(&s, "rt-123");
	CHECK(creds_store("id.example", "<token>", &s, NULL), 0, NULL);
	expect_cred("id.example", "<token>", "rt-123", 1);
	expect_cred(LOCAL, "bob", "new", 0);
	mf_secret_free(&s);
}

static void test_creds__store_creates_config(void **state)
{
	struct env *env = *state;
	struct mf_secret s = MF_SECRET_INIT;
	char dir[200], file[240], *text;
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/new/docker", env->tmp);
	snprintf(file, sizeof(file), "%s/config.json", dir);
	setenv("DOCKER_CONFIG", dir, 1);
	set_secret(&s, "hunter2");
	CHECK(creds_store(HUB, "bob", &s, NULL), 0, NULL);
	assert_int_equal(file_mode(dir), 0700);
	assert_int_equal(file_mode(file), 0600);
	text = read_text(file);
	assert_string_equal(text, "{\n\t\"auths\": {\n\t\t\"" HUB "\": {\n"
			    "\t\t\t\"auth\": \"Ym9iOmh1bnRlcjI=\"\n\t\t}\n\t}\n}");
	free(text);
	expect_cred(HUB, "bob", "hunter2", 0);

	/* no temporary file left behind */
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	assert_int_equal(n, 1);

	/* an empty file counts as {} */
	write_text(file, "\n", 0600);
	CHECK(creds_store(LOCAL, "bob", &s, NULL), 0, NULL);
	expect_cred(LOCAL, "bob", "hunter2", 0);
	mf_secret_free(&s);
}

static void test_creds__store_follows_symlink(void **state)
{
	struct env *env = *state;
	struct mf_secret s = MF_SECRET_INIT;
	char real[200];
	struct stat st;
	char *text;

	snprintf(real, sizeof(real), "%s/real-config.json", env->tmp);
	write_text(real, "{\"psFormat\":\"x\"}", 0600);
	assert_int_equal(symlink(real, env->config), 0);
	set_secret(&s, "pw");
	CHECK(creds_store(LOCAL, "bob", &s, NULL), 0, NULL);
	assert_int_equal(lstat(env->config, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	text = read_text(real);
	assert_non_null(strstr(text, "\"psFormat\": \"x\""));
	assert_non_null(strstr(text, "\"auth\": \"Ym9iOnB3\""));
	free(text);
	expect_cred(LOCAL, "bob", "pw", 0);
	mf_secret_free(&s);
}

static void test_creds__store_invalid(void **state)
{
	struct env *env = *state;
	struct mf_secret s = MF_SECRET_INIT;

	set_secret(&s, "pw");
	CHECK(creds_store(LOCAL, "", &s, NULL), MF_EINVALID, NULL);
	CHECK(creds_store(LOCAL, NULL, &s, NULL), MF_EINVALID, NULL);
	CHECK(creds_store(LOCAL, "a:b", &s, NULL), MF_EINVALID, NULL);
	CHECK(creds_store("", "bob", &s, NULL), MF_EINVALID, NULL);
	CHECK(creds_store(LOCAL, "bob", NULL, NULL), MF_EINVALID, NULL);
	/* not UTF-8: yajl_gen refuses, the file is left alone */
	config(env, "{}");
	CHECK(creds_store("bad\xff.example", "bob", &s, NULL), MF_EINVALID, "UTF-8");
	{
		char *text = read_text(env->config);

		assert_string_equal(text, "{}");
		free(text);
	}
	mf_secret_free(&s);
}

static void test_creds__erase_file(void **state)
{
	struct env *env = *state;
	char *text;

	config(env, "{\"auths\":{"
	       "\"https://" LOCAL "/v1/\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"},"
	       "\"keep.example\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"},"
	       "\"" LOCAL "\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"},"
	       "\"http://" LOCAL "\":{}},"
	       "\"x\":{\"y\":[1]}}");
	CHECK(creds_erase(LOCAL, NULL), 0, NULL);
	expect_none(LOCAL);
	expect_cred("keep.example", "bob", "hunter2", 0);
	text = read_text(env->config);
	assert_string_equal(text, "{\n\t\"auths\": {\n\t\t\"keep.example\": {\n"
			    "\t\t\t\"auth\": \"Ym9iOmh1bnRlcjI=\"\n\t\t}\n\t},\n"
			    "\t\"x\": {\n\t\t\"y\": [\n\t\t\t1\n\t\t]\n\t}\n}");
	free(text);
	CHECK(creds_erase(LOCAL, NULL), MF_ENOTFOUND, LOCAL);

	/* the last one leaves "auths": {} */
	CHECK(creds_erase("keep.example", NULL), 0, NULL);
	text = read_text(env->config);
	assert_string_equal(text, "{\n\t\"auths\": {},\n\t\"x\": {\n\t\t\"y\": [\n"
			    "\t\t\t1\n\t\t]\n\t}\n}");
	free(text);
	CHECK(creds_erase("", NULL), MF_EINVALID, NULL);
}

/* ---- store and erase: helpers ---- */

static void test_creds__store_helper_round_trip(void **state)
{
	struct env *env = *state;
	struct mf_secret s = MF_SECRET_INIT;
	char *text;

	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"Ym9iOm9sZA==\"}},"
	       "\"credsStore\":\"mftest\",\"keep\":1}");
	set_secret(&s, "n3w \"pass\"\\");
	CHECK(creds_store(LOCAL, "bob", &s, NULL), 0, NULL);
	/* the helper has it; the file has {} where the old secret was */
	text = read_text(env->store);
	assert_string_equal(text, LOCAL "\t{\"ServerURL\":\"" LOCAL "\","
			    "\"Username\":\"bob\",\"Secret\":\"n3w \\\"pass\\\"\\\\\"}\n");
	free(text);
	text = read_text(env->config);
	assert_string_equal(text, "{\n\t\"auths\": {\n\t\t\"" LOCAL "\": {}\n\t},\n"
			    "\t\"credsStore\": \"mftest\",\n\t\"keep\": 1\n}");
	free(text);
	expect_cred(LOCAL, "bob", "n3w \"pass\"\\", 0);

	/* identity tokens travel as Username "<token>" */
	set_secret(&s, "rt");
	CHECK(creds_store(HUB, "<token>", &s, NULL), 0, NULL);
	expect_cred(HUB, "<token>", "rt", 1);

	CHECK(creds_erase(LOCAL, NULL), 0, NULL);
	expect_none(LOCAL);
	text = read_text(env->config);
	assert_string_equal(text, "{\n\t\"auths\": {\n\t\t\"" HUB "\": {}\n\t},\n"
			    "\t\"credsStore\": \"mftest\",\n\t\"keep\": 1\n}");
	free(text);
	text = read_text(env->store);
	assert_null(strstr(text, LOCAL));
	free(text);
	CHECK(creds_erase(LOCAL, NULL), MF_ENOTFOUND, NULL);
	CHECK(creds_erase(HUB, NULL), 0, NULL);
	expect_none(HUB);

	/* the secret never went on a command line */
	text = read_text(env->log);
	assert_null(strstr(text, "n3w"));
	assert_non_null(strstr(text, "store 1\n"));
	free(text);
	mf_secret_free(&s);
}

static void test_creds__store_helper_failures(void **state)
{
	struct env *env = *state;
	struct mf_secret s = MF_SECRET_INIT;
	const char *cfg = "{\"credHelpers\":{\"" LOCAL "\":\"mftest\"}}";
	char *text;

	config(env, cfg);
	set_secret(&s, "TopSecret-42");

	setenv("MFTEST_CRED_FAIL", "error", 1);
	CHECK(creds_store(LOCAL, "bob", &s, NULL), MF_EAUTH, "backend unavailable");
	setenv("MFTEST_CRED_FAIL", "crash", 1);
	CHECK(creds_store(LOCAL, "bob", &s, NULL), MF_EAUTH, "signal");
	/* a helper that prints its input: the message must not carry it */
	setenv("MFTEST_CRED_FAIL", "echo", 1);
	CHECK(creds_store(LOCAL, "bob", &s, NULL), MF_EAUTH, "withheld");
	assert_null(strstr(mf_error_last(), "TopSecret"));
	/* "not found" from store is a failure, not "no credentials" */
	setenv("MFTEST_CRED_FAIL", "notfound", 1);
	CHECK(creds_store(LOCAL, "bob", &s, NULL), MF_EAUTH, "no credentials");
	/* nothing was written on failure */
	text = read_text(env->config);
	assert_string_equal(text, cfg);
	free(text);

	/* erase: a failure is reported and the file is left alone */
	config(env, "{\"credsStore\":\"mftest\",\"auths\":{\"" LOCAL "\":{}}}");
	setenv("MFTEST_CRED_FAIL", "error", 1);
	CHECK(creds_erase(LOCAL, NULL), MF_EAUTH, "backend unavailable");
	text = read_text(env->config);
	assert_non_null(strstr(text, LOCAL));
	free(text);
	/* "not found" from the helper, but the file had an entry: erased */
	setenv("MFTEST_CRED_FAIL", "notfound", 1);
	CHECK(creds_erase(LOCAL, NULL), 0, NULL);
	text = read_text(env->config);
	assert_null(strstr(text, LOCAL));
	free(text);
	CHECK(creds_erase(LOCAL, NULL), MF_ENOTFOUND, NULL);
	mf_secret_free(&s);
}

/* ---- containers auth files (podman, buildah, skopeo) ---- */

#define B64_ALICE "YWxpY2U6YTE="	/* alice:a1 */
#define B64_CAROL "Y2Fyb2w6YzM="	/* carol:c3 */
#define B64_DAVE "ZGF2ZTpkNA=="		/* dave:d4 */
#define B64_ERIN "ZXJpbjplNQ=="		/* erin:e5 */

/* Write `json` to `path`, creating its directory. */
static void auth_file(const char *path, const char *json)
{
	char dir[256];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	assert_non_null(slash);
	*slash = '\0';
	/* at most two levels are missing here */
	if (mkdir(dir, 0700) && errno == ENOENT) {
		char up[256];

		snprintf(up, sizeof(up), "%s", dir);
		*strrchr(up, '/') = '\0';
		assert_int_equal(mkdir(up, 0700), 0);
		assert_int_equal(mkdir(dir, 0700), 0);
	}
	write_text(path, json, 0600);
}

static void expect_repo_cred(const char *key, const char *repo,
			     const char *user, const char *secret)
{
	struct mf_cred c;

	CHECK(creds_lookup_repo(&c, key, repo), 0, NULL);
	assert_string_equal(c.username, user);
	assert_string_equal(c.secret.ptr, secret);
	mf_cred_release(&c);
}

static void test_creds__containers_each_location(void **state)
{
	struct env *env = *state;
	char authfile[192];
	const char *entry = "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_ALICE "\"}}}";

	snprintf(authfile, sizeof(authfile), "%s/elsewhere/auth.json", env->tmp);
	expect_none(LOCAL);

	/* each location alone serves */
	auth_file(env->run_auth, entry);
	expect_cred(LOCAL, "alice", "a1", 0);
	assert_int_equal(unlink(env->run_auth), 0);
	expect_none(LOCAL);

	auth_file(env->cfg_auth, entry);
	expect_cred(LOCAL, "alice", "a1", 0);
	assert_int_equal(unlink(env->cfg_auth), 0);
	/* ~/.config when XDG_CONFIG_HOME is unset */
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", env->cfghome, 1);
	{
		char home_auth[256];

		snprintf(home_auth, sizeof(home_auth),
			 "%s/.config/containers/auth.json", env->cfghome);
		auth_file(home_auth, entry);
		expect_cred(LOCAL, "alice", "a1", 0);
		assert_int_equal(unlink(home_auth), 0);
	}
	setenv("XDG_CONFIG_HOME", env->cfghome, 1);
	expect_none(LOCAL);

	auth_file(authfile, entry);
	expect_none(LOCAL);
	setenv("REGISTRY_AUTH_FILE", authfile, 1);
	expect_cred(LOCAL, "alice", "a1", 0);
	/* an empty REGISTRY_AUTH_FILE is unset */
	setenv("REGISTRY_AUTH_FILE", "", 1);
	expect_none(LOCAL);
	unsetenv("REGISTRY_AUTH_FILE");
}

static void test_creds__containers_order(void **state)
{
	struct env *env = *state;
	char authfile[192];

	snprintf(authfile, sizeof(authfile), "%s/auth.json", env->tmp);
	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_DAVE "\"}}}");
	auth_file(env->cfg_auth, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_CAROL "\"}}}");
	auth_file(env->run_auth, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_ALICE "\"}}}");
	auth_file(authfile, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_ERIN "\"}}}");
	setenv("REGISTRY_AUTH_FILE", authfile, 1);

	expect_cred(LOCAL, "erin", "e5", 0);
	unsetenv("REGISTRY_AUTH_FILE");
	expect_cred(LOCAL, "alice", "a1", 0);
	assert_int_equal(unlink(env->run_auth), 0);
	expect_cred(LOCAL, "carol", "c3", 0);
	assert_int_equal(unlink(env->cfg_auth), 0);
	expect_cred(LOCAL, "dave", "d4", 0);

	/* a file without an entry for the registry passes the question on */
	auth_file(env->run_auth, "{\"auths\":{\"other.example\":{\"auth\":\"" B64_ALICE "\"}}}");
	expect_cred(LOCAL, "dave", "d4", 0);
	/* so does an entry without credentials */
	auth_file(env->run_auth, "{\"auths\":{\"" LOCAL "\":{}}}");
	expect_cred(LOCAL, "dave", "d4", 0);
	/* ... and a file named twice is read once */
	setenv("REGISTRY_AUTH_FILE", env->run_auth, 1);
	expect_cred(LOCAL, "dave", "d4", 0);
	unsetenv("REGISTRY_AUTH_FILE");

	/* a malformed file is an error that names it, not a skip */
	auth_file(env->run_auth, "{\"auths\":[]}");
	CHECK(creds_lookup(&(struct mf_cred){ 0 }, LOCAL), MF_EINVALID,
	      env->run_auth);
	assert_non_null(strstr(mf_error_last(), "invalid auth file"));
	auth_file(env->run_auth, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"!!\"}}}");
	CHECK(creds_lookup(&(struct mf_cred){ 0 }, LOCAL), MF_EINVALID, "base64");
}

static void test_creds__containers_keys(void **state)
{
	struct env *env = *state;

	auth_file(env->cfg_auth, "{\"auths\":{"
		  "\"" LOCAL "/team/app\":{\"auth\":\"" B64_ALICE "\"},"
		  "\"" LOCAL "/team\":{\"auth\":\"" B64_CAROL "\"},"
		  "\"" LOCAL "\":{\"auth\":\"" B64_DAVE "\"},"
		  "\"only.example/one\":{\"auth\":\"" B64_ALICE "\"},"
		  "\"https://url.example/v1/\":{\"auth\":\"" B64_ERIN "\"},"
		  "\"docker.io\":{\"auth\":\"" B64_CAROL "\"}}}");
	/* the most specific key for the repository wins */
	expect_repo_cred(LOCAL, "team/app", "alice", "a1");
	expect_repo_cred(LOCAL, "team/app/sub", "alice", "a1");
	expect_repo_cred(LOCAL, "team/other", "carol", "c3");
	expect_repo_cred(LOCAL, "solo", "dave", "d4");
	expect_repo_cred(LOCAL, NULL, "dave", "d4");
	expect_cred(LOCAL, "dave", "d4", 0);
	/* "host/repo" is the repository's, not the host's (unlike docker) */
	expect_none("only.example");
	expect_repo_cred("only.example", "one", "alice", "a1");
	expect_repo_cred("only.example", "one/deeper", "alice", "a1");
	CHECK(creds_lookup_repo(&(struct mf_cred){ 0 }, "only.example", "onex"),
	      MF_ENOTFOUND, NULL);
	/* a URL key stands for its host */
	expect_cred("url.example", "erin", "e5", 0);
	/* Docker Hub is docker.io there */
	expect_cred(HUB, "carol", "c3", 0);
	expect_repo_cred(HUB, "library/alpine", "carol", "c3");
	auth_file(env->cfg_auth, "{\"auths\":{\"index.docker.io\":{\"auth\":\"" B64_ERIN "\"}}}");
	expect_cred(HUB, "erin", "e5", 0);
	auth_file(env->cfg_auth, "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" B64_ALICE "\"}}}");
	expect_cred(HUB, "alice", "a1", 0);
}

static void test_creds__containers_helpers(void **state)
{
	struct env *env = *state;
	char *log;

	/* credHelpers[host] is used; credsStore is docker's only */
	auth_file(env->run_auth, "{\"credsStore\":\"nosuchhelper\","
		  "\"auths\":{\"file.example\":{\"auth\":\"" B64_ALICE "\"}},"
		  "\"credHelpers\":{\"" LOCAL "\":\"mftest\"}}");
	helper_has(env, LOCAL, "carol", "fr0m-h3lper");
	expect_cred(LOCAL, "carol", "fr0m-h3lper", 0);
	expect_cred("file.example", "alice", "a1", 0);
	log = read_text(env->log);
	assert_non_null(log);
	assert_string_equal(log, "get 1\n" LOCAL "\n");
	free(log);
	/* the helper has nothing: the next file is asked */
	config(env, "{\"auths\":{\"" "helperless.example" "\":{\"auth\":\"" B64_DAVE "\"}}}");
	auth_file(env->run_auth, "{\"credHelpers\":{\"helperless.example\":\"mftest\"}}");
	expect_cred("helperless.example", "dave", "d4", 0);
}

static void test_creds__authfile_store_erase(void **state)
{
	struct env *env = *state;
	struct mf_secret s = MF_SECRET_INIT;
	char authfile[192], dir[160];
	char *text;
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/new", env->tmp);
	snprintf(authfile, sizeof(authfile), "%s/auth.json", dir);
	set_secret(&s, "hunter2");
	CHECK(creds_store(LOCAL, "bob", &s, authfile), 0, NULL);
	CHECK(creds_store(HUB, "bob", &s, authfile), 0, NULL);
	mf_secret_free(&s);
	text = read_text(authfile);
	assert_non_null(text);
	assert_string_equal(text, "{\n\t\"auths\": {\n"
			    "\t\t\"" LOCAL "\": {\n\t\t\t\"auth\": \"Ym9iOmh1bnRlcjI=\"\n\t\t},\n"
			    "\t\t\"docker.io\": {\n\t\t\t\"auth\": \"Ym9iOmh1bnRlcjI=\"\n\t\t}\n"
			    "\t}\n}");
	free(text);
	assert_int_equal(file_mode(authfile), 0600);
	assert_int_equal(file_mode(dir), 0700);
	/* nothing left behind, and docker's config untouched */
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	assert_int_equal(n, 1);
	assert_null(read_text(env->config));

	/* read back through REGISTRY_AUTH_FILE */
	setenv("REGISTRY_AUTH_FILE", authfile, 1);
	expect_cred(LOCAL, "bob", "hunter2", 0);
	expect_cred(HUB, "bob", "hunter2", 0);
	/* REGISTRY_AUTH_FILE is where a store without --authfile goes */
	set_secret(&s, "a1");
	CHECK(creds_store("third.example", "alice", &s, NULL), 0, NULL);
	mf_secret_free(&s);
	assert_null(read_text(env->config));
	unsetenv("REGISTRY_AUTH_FILE");
	expect_none("third.example");

	/* erase there: the host's entries go, a repository's stays */
	auth_file(authfile, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_ALICE "\"},"
		  "\"https://" LOCAL "/v1/\":{\"auth\":\"" B64_ALICE "\"},"
		  "\"" LOCAL "/team\":{\"auth\":\"" B64_CAROL "\"}},"
		  "\"x\":1}");
	CHECK(creds_erase(LOCAL, authfile), 0, NULL);
	text = read_text(authfile);
	assert_string_equal(text, "{\n\t\"auths\": {\n"
			    "\t\t\"" LOCAL "/team\": {\n\t\t\t\"auth\": \"" B64_CAROL "\"\n\t\t}\n"
			    "\t},\n\t\"x\": 1\n}");
	free(text);
	assert_int_equal(file_mode(authfile), 0600);
	CHECK(creds_erase(LOCAL, authfile), MF_ENOTFOUND, LOCAL);
	CHECK(creds_erase(HUB, authfile), MF_ENOTFOUND, NULL);
}

static void test_creds__erase_everywhere(void **state)
{
	struct env *env = *state;
	char authfile[192];
	char *text;

	snprintf(authfile, sizeof(authfile), "%s/auth.json", env->tmp);
	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_DAVE "\"},"
	       "\"keep.example\":{\"auth\":\"" B64_DAVE "\"}}}");
	auth_file(env->cfg_auth, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_CAROL "\"}}}");
	auth_file(env->run_auth, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_ALICE "\"}}}");
	auth_file(authfile, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_ERIN "\"}}}");
	setenv("REGISTRY_AUTH_FILE", authfile, 1);

	/* without --authfile: every file that is read loses it */
	CHECK(creds_erase(LOCAL, NULL), 0, NULL);
	expect_none(LOCAL);
	unsetenv("REGISTRY_AUTH_FILE");
	expect_none(LOCAL);
	expect_cred("keep.example", "dave", "d4", 0);
	text = read_text(env->run_auth);
	assert_string_equal(text, "{\n\t\"auths\": {}\n}");
	free(text);
	CHECK(creds_erase(LOCAL, NULL), MF_ENOTFOUND, LOCAL);

	/* only in one of podman's files is enough */
	auth_file(env->cfg_auth, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"" B64_CAROL "\"}}}");
	CHECK(creds_erase(LOCAL, NULL), 0, NULL);
	expect_none(LOCAL);

	/* a malformed file stops it with an error naming the file */
	auth_file(env->run_auth, "{not json");
	CHECK(creds_erase(LOCAL, NULL), MF_EINVALID, env->run_auth);
}

/* A user name is shown in messages: no control characters get in. */
static void test_creds__control_characters(void **state)
{
	static const char esc[] = "{\"Username\":\"a\\u001b[31m\",\"Secret\":\"s\"}";
	static const char crlf[] = "{\"Username\":\"a\\r\\nX-Evil: 1\",\"Secret\":\"s\"}";
	static const char fine[] = "{\"Username\":\"bob\",\"Secret\":\"p\\u0001w\"}";
	struct env *env = *state;
	struct mf_cred c;

	memset(&c, 0, sizeof(c));
	CHECK(creds_parse_helper_answer(&c, "mftest", esc, strlen(esc)), MF_EAUTH,
	      "control characters");
	assert_null(c.username);
	CHECK(creds_parse_helper_answer(&c, "mftest", crlf, strlen(crlf)), MF_EAUTH,
	      "docker-credential-mftest");
	assert_null(c.username);
	/* a secret may hold anything: it is only ever base64 or form encoded */
	CHECK(creds_parse_helper_answer(&c, "mftest", fine, strlen(fine)), 0, NULL);
	assert_string_equal(c.username, "bob");
	assert_string_equal(c.secret.ptr, "p\001w");
	mf_cred_release(&c);

	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"YhtvYjpwdw==\"}}}");	/* b ESC ob:pw */
	CHECK(creds_lookup(&c, LOCAL), MF_EINVALID, "control characters");
	config(env, "{\"auths\":{\"" LOCAL "\":{\"username\":\"a\\r\\nb\",\"password\":\"pw\"}}}");
	CHECK(creds_lookup(&c, LOCAL), MF_EINVALID, "control characters");
	config(env, "{\"auths\":{\"" LOCAL "\":{\"auth\":\"Ym9iOnABdw==\"}}}");	/* bob:p^Aw */
	expect_cred(LOCAL, "bob", "p\001w", 0);
}

static void test_creds__key_for_host(void **state)
{
	(void)state;
	assert_string_equal(creds_key_for_host("docker.io"), HUB);
	assert_string_equal(creds_key_for_host("index.docker.io"), HUB);
	assert_string_equal(creds_key_for_host(LOCAL), LOCAL);
	assert_string_equal(creds_key_for_host("ghcr.io"), "ghcr.io");
	mf_cred_release(NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_creds__missing_config),
		T(test_creds__auths_basic),
		T(test_creds__auths_url_keys),
		T(test_creds__identity_token),
		T(test_creds__malformed_config),
		T(test_creds__cred_helpers),
		T(test_creds__creds_store),
		T(test_creds__helper_not_found_is_anonymous),
		T(test_creds__helper_failures),
		T(test_creds__store_file_round_trip),
		T(test_creds__store_creates_config),
		T(test_creds__store_follows_symlink),
		T(test_creds__store_invalid),
		T(test_creds__erase_file),
		T(test_creds__store_helper_round_trip),
		T(test_creds__store_helper_failures),
		T(test_creds__key_for_host),
		T(test_creds__containers_each_location),
		T(test_creds__containers_order),
		T(test_creds__containers_keys),
		T(test_creds__containers_helpers),
		T(test_creds__authfile_store_erase),
		T(test_creds__erase_everywhere),
		T(test_creds__control_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
