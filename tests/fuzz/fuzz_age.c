/*
 * Fuzz the expiry-age parser (gc --prune, reflog expire --expire): it
 * must return 0 or MF_EINVALID, never crash or overflow, leave the
 * output alone on failure, and agree with itself: an accepted relative
 * age moves with `now`, an absolute one does not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/age.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t nows[] = { 0, 1793534400, INT64_MIN + 1, INT64_MAX };
	char *s = malloc(size + 1);
	int64_t first = 0, t;
	int ret, ret0;

	memcpy(s, data, size);
	s[size] = '\0';
	for (size_t i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
		t = 7;
		ret = mf_age_parse(&t, s, nows[i]);
		if (ret != 0 && ret != MF_EINVALID)
			abort();
		if (ret && t != 7)
			abort();
		if (i == 0) {
			ret0 = ret;
			first = t;
		} else if (ret != ret0) {
			abort();	/* acceptance never depends on now */
		}
		/* A relative age is never later than now. */
		if (!ret && t != MF_AGE_ALL && strchr(s, '.') && t > nows[i])
			abort();
	}
	/* Keywords, dates and @N do not depend on now. */
	if (!ret0 && s[0] == '@') {
		if (mf_age_parse(&t, s, 99) || t != first)
			abort();
	}
	free(s);
	return 0;
}
