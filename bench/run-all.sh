#!/usr/bin/env bash
# bench/run-all.sh: run hash.sh, startup.sh, objects.sh, porcelain.sh and push.sh,
# then print a summary table. Takes the same environment as they do (MANIFOLD,
# BENCH_HASH_SIZE, BENCH_OBJECTS, ...). Exit status: 1 if any benchmark failed.
set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
export MANIFOLD=${MANIFOLD:-$here/../build/manifold}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/manifold-bench-all.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "manifold benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $(nproc) CPUs," \
	"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
build_type=$(grep -s '^CMAKE_BUILD_TYPE:' "$(dirname "$MANIFOLD")/CMakeCache.txt" | cut -d= -f2 || true)
echo "binary: $MANIFOLD (build type: ${build_type:-unknown, no CMakeCache.txt beside it})"
echo

failed=()
for b in hash startup objects porcelain push; do
	echo "== $b.sh"
	# Stream the report; keep the RESULT lines for the table.
	"$here/$b.sh" 2>&1 | tee "$tmp/$b.out" | grep -v '^RESULT	'
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || { failed+=("$b.sh (exit $rc)"); echo "!! $b.sh failed with exit status $rc"; }
	echo
done

echo "== summary"
{
	printf 'bench\tmeasure\tmanifold\tanchor\tratio\tgoal\tverdict\n'
	cat "$tmp/hash.out" "$tmp/startup.out" "$tmp/objects.out" "$tmp/porcelain.out" "$tmp/push.out" 2>/dev/null | grep -h '^RESULT	' | cut -f2-
} | column -t -s "$(printf '\t')"
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}"
	exit 1
fi
