#!/usr/bin/env bash
# bench/run-all.sh: run hash.sh, startup.sh, objects.sh, porcelain.sh,
# create.sh, push.sh, layouts.sh and sign.sh, then print a summary table.
# Takes the same environment as they do (MANIFOLD, MANIFOLD_BASE,
# BENCH_HASH_SIZE, BENCH_OBJECTS, ...); with MANIFOLD_BASE the table has two
# more columns, the base's figure and current/base ("-" for layouts.sh and
# sign.sh, which measure no base, and for podman's and buildah's lines).
# Exit status: 1 if any benchmark failed.
set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
export MANIFOLD=${MANIFOLD:-$here/../build/manifold}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/manifold-bench-all.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "manifold benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $(nproc) CPUs," \
	"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
build_type() { grep -s '^CMAKE_BUILD_TYPE:' "$(dirname "$1")/CMakeCache.txt" | cut -d= -f2 || true; }
build_type=$(build_type "$MANIFOLD")
echo "binary: $MANIFOLD (build type: ${build_type:-unknown, no CMakeCache.txt beside it})"
if [ -n "${MANIFOLD_BASE:-}" ]; then
	export MANIFOLD_BASE
	build_type=$(build_type "$MANIFOLD_BASE")
	echo "base:   $MANIFOLD_BASE (build type: ${build_type:-unknown, no CMakeCache.txt beside it})"
fi
echo

failed=()
benches=(hash startup objects porcelain create push layouts sign)
for b in "${benches[@]}"; do
	echo "== $b.sh"
	# Stream the report; keep the RESULT lines for the table.
	"$here/$b.sh" 2>&1 | tee "$tmp/$b.out" | grep -v '^RESULT	'
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || { failed+=("$b.sh (exit $rc)"); echo "!! $b.sh failed with exit status $rc"; }
	echo
done

echo "== summary"
{
	if [ -n "${MANIFOLD_BASE:-}" ]; then
		# RESULT lines end with the base's figure and current/base: move
		# them next to manifold's figure (layouts.sh and sign.sh have no base: "-").
		printf 'bench\tmeasure\tmanifold\tbase\tcurrent/base\tanchor\tratio\tgoal\tverdict\n'
		for b in "${benches[@]}"; do cat "$tmp/$b.out"; done 2>/dev/null | grep -h '^RESULT	' |
			awk -F'\t' -v OFS='\t' '{ print $2, $3, $4, ($9 == "" ? "-" : $9), ($10 == "" ? "-" : $10), $5, $6, $7, $8 }'
	else
		printf 'bench\tmeasure\tmanifold\tanchor\tratio\tgoal\tverdict\n'
		for b in "${benches[@]}"; do cat "$tmp/$b.out"; done 2>/dev/null | grep -h '^RESULT	' | cut -f2-
	fi
} | column -t -s "$(printf '\t')"
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}"
	exit 1
fi
