#include <dlfcn.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "module.h"
#include "wrapper.h"

#ifndef MF_MODULE_DIR
#define MF_MODULE_DIR "/usr/local/lib/manifold"
#endif
#ifndef MF_MODULE_RELDIR
#define MF_MODULE_RELDIR "../lib/manifold"
#endif

static const struct mf_module_ops *ops;
/* Loaded once, by whichever thread asks first; the others wait for it. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[1024];

static const struct mf_module_ops *load(void);

static void load_once(void)
{
	ops = load();
	if (!ops)
		snprintf(load_error, sizeof(load_error), "%s", mf_error_last());
}

const struct mf_module_ops *mf_module_load(void)
{
	pthread_once(&once, load_once);
	if (!ops)
		mf_error(MF_ERROR, "%s", load_error);
	return ops;
}

static const struct mf_module_ops *try_open(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const struct mf_module_ops *o;

	if (!h) {
		mf_error(MF_ERROR, "cannot load module '%s': %s", path, dlerror());
		return NULL;
	}
	o = dlsym(h, "mf_module_ops");
	if (!o || o->abi != MF_MODULE_ABI) {
		mf_error(MF_ERROR, "module '%s' is not a manifold module of ABI %d",
			 path, MF_MODULE_ABI);
		dlclose(h);
		return NULL;
	}
	o->set_oom_routine(get_oom_routine());
	return o;
}

static const struct mf_module_ops *load(void)
{
	char exe[PATH_MAX];
	char path[PATH_MAX + 32];
	const char *env;
	ssize_t n;

	env = getenv("MANIFOLD_MODULE_PATH");
	if (env && *env)
		return try_open(env);

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", exe, MF_MODULE_FILE);
			if (!access(path, R_OK))
				return try_open(path);
			snprintf(path, sizeof(path), "%s/%s/%s", exe,
				 MF_MODULE_RELDIR, MF_MODULE_FILE);
			if (!access(path, R_OK))
				return try_open(path);
		}
	}
	snprintf(path, sizeof(path), "%s/%s", MF_MODULE_DIR, MF_MODULE_FILE);
	if (!access(path, R_OK))
		return try_open(path);
	mf_error(MF_ERROR, "cannot find %s (looked next to the executable, in %s "
		 "relative to it, and in %s)", MF_MODULE_FILE, MF_MODULE_RELDIR,
		 MF_MODULE_DIR);
	return NULL;
}

int mf_module_loaded(void)
{
	return ops != NULL;
}
