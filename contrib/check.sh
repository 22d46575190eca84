#!/bin/bash
# Install what is missing, build, and run every test.
#
#   contrib/check.sh            build in build/, run the whole suite
#   contrib/check.sh --asan     the same under ASan+UBSan, in build-asan/
#
# Exits non-zero if anything fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

build=build
cmake_args=(-DMF_WERROR=ON)
case "${1:-}" in
--asan)
	build=build-asan
	cmake_args+=(-DMF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	;;
"") ;;
*) echo "usage: contrib/check.sh [--asan]" >&2; exit 2 ;;
esac

bash contrib/install-deps.sh
cmake -S . -B "$build" "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)"
