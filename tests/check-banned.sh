#!/bin/sh
# Fails if a built product object calls a function util/banned.h bans.
#
#   check-banned.sh BUILD_DIR [SOURCE_DIR]
#
# util/banned.h stops a banned call at compile time, but only in the
# sources it reaches; this looks at what was actually linked: the
# undefined symbols (nm -u) of the static libraries, the executable and
# the module.  _FORTIFY_SOURCE turns strcpy into __strcpy_chk and so
# on: those count too.  With SOURCE_DIR, also fails if a product source
# defines a feature-test macro itself (banned.h comes first through
# -include, so such a define would be read after <features.h>, too late).
build=${1:?usage: check-banned.sh BUILD_DIR [SOURCE_DIR]}
src=${2:-}
banned='strtok|strcpy|strcat|strncpy|strncat|sprintf|vsprintf|gmtime|localtime|ctime|ctime_r|asctime|asctime_r'

command -v nm >/dev/null 2>&1 || { echo "check-banned: nm not found" >&2; exit 2; }
if [ -n "$src" ]; then
	src=$(cd "$src" && pwd) || exit 2
fi
cd "$build" || exit 2

set -- libmf_*.a manifold manifold-net.so
for f in "$@"; do
	if [ ! -f "$f" ]; then
		echo "check-banned: $build/$f is missing (build it first)" >&2
		exit 2
	fi
done

bad=0
# nm -A: "file: U sym" or, in an archive, "lib.a:member.o: U sym".
syms=$(nm -A -u "$@") || { echo "check-banned: nm failed" >&2; exit 2; }
# A scan that read nothing must not pass.
case "$syms" in
*" U "*) ;;
*) echo "check-banned: no undefined symbols read (nm output changed?)" >&2; exit 2 ;;
esac
hits=$(printf '%s\n' "$syms" | awk -v re="^(__)?($banned)(_chk)?(@.*)?\$" \
	'NF >= 2 && $(NF - 1) == "U" && $NF ~ re { print $1 " " $NF }') || exit 2
if [ -n "$hits" ]; then
	echo "$hits" | sed 's/^/check-banned: banned function referenced: /' >&2
	bad=1
fi

if [ -n "$src" ]; then
	re='^[[:space:]]*#[[:space:]]*define[[:space:]]+_(GNU|POSIX_C|XOPEN|DEFAULT|BSD|SVID)_SOURCE'
	if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
		defs=$(cd "$src" && git ls-files -z '*.c' ':!tests/' ':!bench/' |
			xargs -0 grep -nE "$re")
	else
		defs=$(cd "$src" && grep -rnE "$re" --include='*.c' --exclude-dir=tests \
			--exclude-dir=bench --exclude-dir='build*' --exclude-dir=.git .)
	fi
	if [ -n "$defs" ]; then
		echo "$defs" | sed 's/^/check-banned: feature-test macro in a source (set it in CMakeLists.txt): /' >&2
		bad=1
	fi
fi

[ $bad = 0 ] && echo "check-banned: no banned function in $# objects"
exit $bad
