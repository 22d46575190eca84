#!/bin/bash
# Install what is missing, build, and run every test.
#
#   contrib/check.sh           the suite (build/), the fast part of the
#                              mutation check (tests/mutate.sh --fast),
#                              the suite again under ASan+UBSan
#                              (build-asan/), the worker-thread tests under
#                              ThreadSanitizer, then each fuzz target
#                              briefly (build-fuzz/, clang)
#   contrib/check.sh --quick   the suite once, in build/
#   contrib/check.sh --asan    only the ASan+UBSan run
#   contrib/check.sh --tsan    only the ThreadSanitizer run (build-tsan/):
#                              the tests whose commands run worker threads
#                              (also part of the full run, after ASan)
#
# Exits non-zero if anything fails; with CI=true also if any test was
# skipped (a missing tool: .ci/run installs them all).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc)
mode=${1:-all}
case "$mode" in
all|--quick|--asan|--tsan) ;;
*) echo "usage: contrib/check.sh [--quick | --asan | --tsan]" >&2; exit 2 ;;
esac

# fail_on_skips DIR: in CI (CI=true) a skipped test fails the run: a
# test that did not run proves nothing, and CI installs every tool the
# suite uses (.ci/run).  ctest marks a skip (exit 77, see
# tests/CMakeLists.txt) "***Skipped"; locally it is only reported.
fail_on_skips() {
	local dir=$1 skipped
	skipped=$(grep -c '\*\*\*Skipped' "$dir/ctest.log" || true)
	test "$skipped" = 0 && return 0
	echo "== $dir: $skipped test file(s) skipped:" >&2
	grep '\*\*\*Skipped' "$dir/ctest.log" >&2
	grep -h '# SKIP' "$dir/Testing/Temporary/LastTest.log" >&2 || true
	if [ "${CI:-}" = true ]; then
		echo "== CI: skipped tests are failures" >&2
		return 1
	fi
	return 0
}

# run_suite DIR [CMAKE ARGS...]: $ctest_exclude is the ctest -LE regex.
run_suite() {
	local dir=$1; shift
	echo "== $dir: configure and build" >&2
	cmake -S . -B "$dir" -DMF_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	echo "== $dir: test" >&2
	(cd "$dir" && ctest --output-on-failure -j"$jobs" -LE "${ctest_exclude:-fuzz}") |
		tee "$dir/ctest.log"
	fail_on_skips "$dir"
}

# ThreadSanitizer over the commands that run worker threads: fetch
# (t6060, t6061), create's parallel fetch of its sources (t6000), push
# (t6070-t6075, t6074 being the shared-blob races) and both under
# injected faults (t5140, t5141), and the progress line's renderer
# thread reading the counts the workers keep (t7020).  The
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
	echo "== $dir: fetch, create, push and referrer tests under ThreadSanitizer" >&2
	(cd "$dir" && TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan" \
		ctest --output-on-failure --no-tests=error -j"$jobs" \
			-R '^t/t(6000|606[01]|607[0-5]|514[01]|7010|7020|8010)-') | tee "$dir/ctest.log" || rc=$?
	fail_on_skips "$dir" || rc=1
	if [ -n "$(ls -A "$reports")" ]; then
		echo "== $dir: ThreadSanitizer reports:" >&2
		cat "$reports"/* >&2
		rc=1
	fi
	return $rc
}

if [ "$mode" = all ]; then
	bash contrib/install-deps.sh --test --fuzz
else
	bash contrib/install-deps.sh --test
fi

if [ "$mode" = --tsan ]; then
	run_tsan
	exit
fi
if [ "$mode" != --asan ]; then
	run_suite build
fi
if [ "$mode" = all ]; then
	# Every mutant must be killed (Documentation/testing.md); the full
	# table takes about 5 minutes: bash tests/mutate.sh.
	echo "== mutation check: tests/mutate.sh --fast" >&2
	bash tests/mutate.sh --fast
fi
if [ "$mode" = all ] || [ "$mode" = --asan ]; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	# abort_on_error: a UBSan report is a SIGABRT, which test_must_fail
	# tells from an ordinary failure (a plain exit 1 it would accept).
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1
	# Fewer kills under the sanitizers: each round is slower.  valgrind
	# cannot run sanitized binaries: its tests are not even registered
	# there (tests/CMakeLists.txt); the label is excluded too.
	ctest_exclude='fuzz|valgrind' MF_CRASH_KILLS=100 \
		run_suite build-asan -DMF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
fi
if [ "$mode" = all ]; then
	run_tsan
fi
if [ "$mode" = all ]; then
	echo "== build-fuzz: each fuzz target for ${MF_FUZZ_SECONDS:-30}s" >&2
	CC=clang cmake -S . -B build-fuzz -DMF_WERROR=ON -DMF_FUZZ=ON -DMF_SANITIZE=ON \
		-DMF_FUZZ_SECONDS="${MF_FUZZ_SECONDS:-30}" >/dev/null
	cmake --build build-fuzz -j"$jobs" >/dev/null
	(cd build-fuzz && ctest --output-on-failure -L fuzz) | tee build-fuzz/ctest.log
	fail_on_skips build-fuzz
fi
