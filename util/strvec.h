#ifndef MF_UTIL_STRVEC_H
#define MF_UTIL_STRVEC_H

#include <stddef.h>

/* A NULL-terminated, growable array of owned strings (git strvec). */
struct strvec {
	char **v;
	size_t nr;
	size_t alloc;
};

#define STRVEC_INIT { NULL, 0, 0 }

void strvec_push(struct strvec *sv, const char *s);
void strvec_clear(struct strvec *sv);

#endif
