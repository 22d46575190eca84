#!/bin/bash
# Install what is missing, build, and run every test.
#
#   contrib/check.sh           the suite (build/), then again under
#                              ASan+UBSan (build-asan/), then each fuzz
#                              target briefly (build-fuzz/, clang)
#   contrib/check.sh --quick   the suite once, in build/
#   contrib/check.sh --asan    only the ASan+UBSan run
#
# Exits non-zero if anything fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc)
mode=${1:-all}
case "$mode" in
all|--quick|--asan) ;;
*) echo "usage: contrib/check.sh [--quick | --asan]" >&2; exit 2 ;;
esac

run_suite() {
	local dir=$1; shift
	echo "== $dir: configure and build" >&2
	cmake -S . -B "$dir" -DMF_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	echo "== $dir: test" >&2
	(cd "$dir" && ctest --output-on-failure -j"$jobs" -LE fuzz)
}

if [ "$mode" = all ]; then
	bash contrib/install-deps.sh --fuzz
else
	bash contrib/install-deps.sh
fi

if [ "$mode" != --asan ]; then
	run_suite build
fi
if [ "$mode" = all ] || [ "$mode" = --asan ]; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	# Fewer kills under the sanitizers: each round is slower.
	MF_CRASH_KILLS=100 run_suite build-asan -DMF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
fi
if [ "$mode" = all ]; then
	echo "== build-fuzz: each fuzz target for ${MF_FUZZ_SECONDS:-30}s" >&2
	CC=clang cmake -S . -B build-fuzz -DMF_WERROR=ON -DMF_FUZZ=ON -DMF_SANITIZE=ON \
		-DMF_FUZZ_SECONDS="${MF_FUZZ_SECONDS:-30}" >/dev/null
	cmake --build build-fuzz -j"$jobs" >/dev/null
	(cd build-fuzz && ctest --output-on-failure -L fuzz)
fi
