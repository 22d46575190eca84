#!/usr/bin/env bash
# bench/porcelain.sh: the porcelain against `docker manifest`, side by side in
# the same run, on a throwaway registry on 127.0.0.1 (tests/t/lib-registry.sh,
# plain HTTP) seeded with 8 single-platform images (Docker v2s2, one layer):
# linux/amd64, arm64/v8, arm/v7, arm/v6, 386, ppc64le, s390x, riscv64.
#
#  inspect  `manifold inspect L` vs `docker manifest inspect L` on the same
#           8-entry local list (no network for either): mean wall time per
#           fork+exec+wait, interleaved in rounds (bench/forkbench.c), with
#           /bin/true in the same rounds for information.
#
# create is measured by create.sh (6 and 64 entries: first create, warm
# store and --amend, against docker, podman and buildah); here each tool
# creates the 8-entry list once, untimed, for inspect.
#
#   MANIFOLD=path/to/manifold   the binary (default: ../build/manifold)
#   MANIFOLD_BASE=path          a base binary: every inspect is also
#                               timed for it, in the same rounds, on the same
#                               local list (README.md)
#   BENCH_INSPECT_RUNS=200      runs of each inspect
#   BENCH_INSPECT_ROUNDS=10     rounds they are interleaved in (divides RUNS)
#
# docker runs with its own config directory, no engine (DOCKER_HOST points at
# a missing socket), and every proxy variable pointing at the dead port
# 127.0.0.1:9 with NO_PROXY=127.0.0.1, so nothing leaves 127.0.0.1; the same
# environment is exported to manifold. Without a docker CLI the docker side
# is skipped (with a message) and only manifold's figures are printed.
#
# Goal: inspect docker/manifold >= 10 (means).
# Exit status: 0 unless something failed (a command, seeding, the registry).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
MANIFOLD=${MANIFOLD:-$here/../build/manifold}
INSPECT_RUNS=${BENCH_INSPECT_RUNS:-200}
INSPECT_ROUNDS=${BENCH_INSPECT_ROUNDS:-10}
INSPECT_GOAL=10

die() { echo "porcelain.sh: error: $*" >&2; exit 1; }
[ -x "$MANIFOLD" ] || die "no manifold binary at '$MANIFOLD' (build it, or set MANIFOLD)"
MANIFOLD=$(cd "$(dirname "$MANIFOLD")" && pwd)/$(basename "$MANIFOLD")
command -v cc >/dev/null || die "cc not found (needed for the fork+exec loop)"
DOCKER=$(command -v docker || true)

# shellcheck source=lib-bench.sh
. "$here/lib-bench.sh"
bench_base
bench_setup porcelain

cc -O2 -o "$tmp/forkbench" "$here/forkbench.c" || die "cannot compile forkbench.c"

start_registry plain
tags=(386 amd64 arm64 armv6 armv7 ppc64le riscv64 s390x)
declare -A plat=([386]=linux/386 [amd64]=linux/amd64 [arm64]=linux/arm64/v8
	[armv6]=linux/arm/v6 [armv7]=linux/arm/v7 [ppc64le]=linux/ppc64le
	[riscv64]=linux/riscv64 [s390x]=linux/s390x)
imgs=()
for t in "${tags[@]}"; do
	seed_image "bench/app:$t" --format docker --seed "$t" --platform "${plat[$t]}" >/dev/null ||
		die "could not seed bench/app:$t"
	# Sorted by tag: docker lists a local list's entries in file-name order.
	imgs+=("$REGISTRY/bench/app:$t")
done
L=$REGISTRY/bench/app:list

# ---- checks: both make the same list, and print the same inspect output
out=$("$MANIFOLD" create --insecure "$L" "${imgs[@]}") || die "manifold create failed"
[ "$out" = "Created manifest list $L" ] || die "manifold create printed '$out'"
"$MANIFOLD" inspect "$L" >"$tmp/m.inspect" || die "manifold inspect failed"
[ "$(grep -c '"digest"' "$tmp/m.inspect")" = 8 ] || die "manifold inspect does not show 8 entries"
bsame=
if [ -n "$BASE" ]; then
	"$BASE" inspect "$L" >"$tmp/b.inspect" || die "base inspect failed"
	if cmp -s "$tmp/m.inspect" "$tmp/b.inspect"; then
		bsame="identical"
	else
		bsame="DIFFERENT (see below)"
	fi
fi
same=
if [ -n "$DOCKER" ]; then
	out=$("$DOCKER" manifest create --insecure "$L" "${imgs[@]}") || die "docker manifest create failed"
	[ "$out" = "Created manifest list $L" ] || die "docker manifest create printed '$out'"
	"$DOCKER" manifest inspect "$L" >"$tmp/d.inspect" || die "docker manifest inspect failed"
	if cmp -s "$tmp/m.inspect" "$tmp/d.inspect"; then
		same="identical"
	else
		same="DIFFERENT (see below)"
	fi
fi

# ---- inspect: forkbench, interleaved rounds
# /bin/true for information: what a bare process costs in the same rounds.
fb=("$tmp/forkbench" "$INSPECT_RUNS" "$INSPECT_ROUNDS" manifold "$MANIFOLD" inspect "$L" \; true /bin/true)
[ -n "$DOCKER" ] && fb+=(\; docker "$DOCKER" manifest inspect "$L")
[ -z "$BASE" ] || fb+=(\; base "$BASE" inspect "$L")
"${fb[@]}" >"$tmp/inspect.result" || die "forkbench failed"
get() { awk -F'\t' -v l="$1" -v f="$2" '$1 == l { print $f }' "$tmp/inspect.result"; }

# ---- report
echo "porcelain: an 8-platform list on a local registry ($REGISTRY_URL, plain HTTP, Docker v2s2 images)"
echo "  binary:   $MANIFOLD"
[ -z "$BASE" ] || echo "  base:     $BASE (every inspect also timed for it, in the same rounds)"
if [ -n "$DOCKER" ]; then
	echo "  docker:   $DOCKER ($("$DOCKER" --version 2>/dev/null | head -n 1))"
else
	echo "  docker:   not found: the docker side is skipped, manifold's figures only"
fi
echo "  inspect: mean wall time per fork+exec+wait, $INSPECT_RUNS runs each in $INSPECT_ROUNDS interleaved rounds"
printf '    %-44s %9s %12s %9s %9s\n' command mean_ms median_round min_round max_round
printf '    %-44s %9.3f %12.3f %9.3f %9.3f\n' "manifold inspect L" \
	"$(get manifold 3)" "$(get manifold 4)" "$(get manifold 5)" "$(get manifold 6)"
printf '    %-44s %9.3f %12.3f %9.3f %9.3f   (information)\n' "/bin/true" \
	"$(get true 3)" "$(get true 4)" "$(get true 5)" "$(get true 6)"
if [ -n "$DOCKER" ]; then
	printf '    %-44s %9.3f %12.3f %9.3f %9.3f\n' "docker manifest inspect L" \
		"$(get docker 3)" "$(get docker 4)" "$(get docker 5)" "$(get docker 6)"
	echo "    output of the two: $same"
	[ "$same" = identical ] || diff -u "$tmp/d.inspect" "$tmp/m.inspect" | sed 's/^/    /' || true
fi
if [ -n "$BASE" ]; then
	printf '    %-44s %9.3f %12.3f %9.3f %9.3f\n' "base inspect L" \
		"$(get base 3)" "$(get base 4)" "$(get base 5)" "$(get base 6)"
	echo "    output of base and current: $bsame"
	[ "$bsame" = identical ] || diff -u "$tmp/b.inspect" "$tmp/m.inspect" | sed 's/^/    /' || true
fi

m_in=$(get manifold 3)
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { print (r >= g) ? "meets" : "MISSES" }'; }
b_in='' br_in=''
if [ -n "$BASE" ]; then
	b_in=$(get base 3)
	base_vs "inspect mean" "$b_in" "$m_in" ms; br_in=$base_ratio
fi
if [ -n "$DOCKER" ]; then
	d_in=$(get docker 3)
	r_in=$(awk -v d="$d_in" -v m="$m_in" 'BEGIN { printf "%.1f", d / m }')
	v_in=$(verdict "$r_in" "$INSPECT_GOAL")
	echo "  ratio docker/manifold, inspect: $r_in  (goal >= $INSPECT_GOAL: $v_in)"
	printf 'RESULT\tporcelain\tinspect L, 8 entries, local (mean of %d; ratio = docker/manifold)\t%.3f ms\tdocker %.3f ms\t%s\t>= %s\t%s%s\n' \
		"$INSPECT_RUNS" "$m_in" "$d_in" "$r_in" "$INSPECT_GOAL" "$v_in" \
		"$(base_fields "$(printf '%.3f ms' "${b_in:-0}")" "$br_in")"
else
	printf 'RESULT\tporcelain\tinspect L, 8 entries, local (mean of %d)\t%.3f ms\t(no docker)\t-\t>= %s\tskipped%s\n' \
		"$INSPECT_RUNS" "$m_in" "$INSPECT_GOAL" \
		"$(base_fields "$(printf '%.3f ms' "${b_in:-0}")" "$br_in")"
fi
