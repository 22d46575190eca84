#!/bin/bash
# Install what is missing, build, and run every test.
#
#   contrib/check.sh           the suite (build/), then again under
#                              ASan+UBSan (build-asan/), then each fuzz
#                              target briefly (build-fuzz/, clang)
#   contrib/check.sh --quick   the suite once, in build/
#   contrib/check.sh --asan    only the ASan+UBSan run
#   contrib/check.sh --tsan    only the ThreadSanitizer run (build-tsan/):
#                              the tests whose commands run worker threads
#                              (also part of the full run, after ASan)
#
# Exits non-zero if anything fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc)
mode=${1:-all}
case "$mode" in
all|--quick|--asan|--tsan) ;;
*) echo "usage: contrib/check.sh [--quick | --asan | --tsan]" >&2; exit 2 ;;
esac

run_suite() {
	local dir=$1; shift
	echo "== $dir: configure and build" >&2
	cmake -S . -B "$dir" -DMF_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	echo "== $dir: test" >&2
	(cd "$dir" && ctest --output-on-failure -j"$jobs" -LE fuzz)
}

# ThreadSanitizer over the commands that run worker threads: fetch
# (t6060, t6061), create's parallel fetch of its sources (t6000), push
# (t6070-t6073) and both under injected faults (t5140, t5141).  The
# module is built with the same flags, so TSan sees its accesses too.
# Every report is written to a file as well: one from a command that a
# test expects to fail would otherwise pass as that failure.
run_tsan() {
	local dir=build-tsan rc=0 reports
	echo "== $dir: configure and build" >&2
	cmake -S . -B "$dir" -DMF_WERROR=ON -DMF_TSAN=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	reports="$top/$dir/tsan-reports"
	rm -rf "$reports" && mkdir -p "$reports"
	echo "== $dir: fetch, create and push tests under ThreadSanitizer" >&2
	(cd "$dir" && TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan" \
		ctest --output-on-failure --no-tests=error -j"$jobs" \
			-R '^t/t(6000|606[01]|607[0-3]|514[01])-') || rc=$?
	if [ -n "$(ls -A "$reports")" ]; then
		echo "== $dir: ThreadSanitizer reports:" >&2
		cat "$reports"/* >&2
		rc=1
	fi
	return $rc
}

if [ "$mode" = all ]; then
	bash contrib/install-deps.sh --fuzz
else
	bash contrib/install-deps.sh
fi

if [ "$mode" = --tsan ]; then
	run_tsan
	exit
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
	run_tsan
fi
if [ "$mode" = all ]; then
	echo "== build-fuzz: each fuzz target for ${MF_FUZZ_SECONDS:-30}s" >&2
	CC=clang cmake -S . -B build-fuzz -DMF_WERROR=ON -DMF_FUZZ=ON -DMF_SANITIZE=ON \
		-DMF_FUZZ_SECONDS="${MF_FUZZ_SECONDS:-30}" >/dev/null
	cmake --build build-fuzz -j"$jobs" >/dev/null
	(cd build-fuzz && ctest --output-on-failure -L fuzz)
fi
