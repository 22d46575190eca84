#ifndef MF_UTIL_BANNED_H
#define MF_UTIL_BANNED_H

/*
 * Functions the product must not call, as git's banned.h: each use
 * below becomes a compile error that names the function
 * ("sorry_strcpy_is_a_banned_function").
 *
 *   strcpy, strcat        no bound: one long input and the stack is gone.
 *   strncpy, strncat      bounded, but strncpy leaves no NUL when it
 *                         truncates and strncat's bound is the space
 *                         left, not the buffer: both are misused more
 *                         often than not.
 *   sprintf, vsprintf     no bound; snprintf or buf_addf() (util/buf.h).
 *   strtok                keeps its position in a static: two threads
 *                         (push and fetch workers) tokenizing at once
 *                         corrupt each other.  strtok_r is allowed.
 *   gmtime, localtime,    return a pointer to a static struct tm or
 *   ctime, asctime        buffer shared by every thread; use gmtime_r,
 *                         localtime_r and strftime.
 *   ctime_r, asctime_r    write into a caller's buffer whose size the
 *                         API never learns (obsolescent in POSIX).
 *
 * CMakeLists.txt passes this file to every product source with
 * -include, so it is the first thing each translation unit sees.  The
 * macros must come after the declarations they replace (a macro named
 * strcpy ahead of <string.h> would mangle its prototype), so the
 * headers that declare them are included here first; their include
 * guards make the sources' own later #includes of them no-ops.  This
 * is also why no product source defines a feature-test macro itself
 * (_GNU_SOURCE and friends): it would come after <features.h> has been
 * read and do nothing.  They are set in CMakeLists.txt instead.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef strtok
#define strtok(x, y) BANNED(strtok)

#undef sprintf
#undef vsprintf
#define sprintf(...) BANNED(sprintf)
#define vsprintf(...) BANNED(vsprintf)

#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef ctime_r
#define ctime_r(t, buf) BANNED(ctime_r)
#undef asctime
#define asctime(t) BANNED(asctime)
#undef asctime_r
#define asctime_r(t, buf) BANNED(asctime_r)

#endif
