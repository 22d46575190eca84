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
#  create   `manifold --store FRESH create --insecure L IMG1..IMG8` vs
#           `DOCKER_CONFIG=FRESH docker manifest create --insecure L IMG1..IMG8`:
#           a fresh store / docker config directory for every run, so that
#           neither side has anything cached; runs alternate, the order
#           swapping each run. For information, manifold again into a warm
#           store (a new list name in a store that already holds the images).
#           Then one more create of each with an empty access log: the
#           registry requests each one makes.
#
#   MANIFOLD=path/to/manifold   the binary (default: ../build/manifold)
#   MANIFOLD_BASE=path          a base binary: every inspect and create is also
#                               timed for it, in the same rounds / alternating
#                               runs, on the same local list (README.md)
#   BENCH_INSPECT_RUNS=200      runs of each inspect
#   BENCH_INSPECT_ROUNDS=10     rounds they are interleaved in (divides RUNS)
#   BENCH_CREATE_RUNS=20        runs of each create
#
# docker runs with its own config directory, no engine (DOCKER_HOST points at
# a missing socket), and every proxy variable pointing at the dead port
# 127.0.0.1:9 with NO_PROXY=127.0.0.1, so nothing leaves 127.0.0.1; the same
# environment is exported to manifold. Without a docker CLI the docker side
# is skipped (with a message) and only manifold's figures are printed.
#
# Goals: inspect docker/manifold >= 10; create docker/manifold >= 3 (means).
# Exit status: 0 unless something failed (a command, seeding, the registry).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
MANIFOLD=${MANIFOLD:-$here/../build/manifold}
INSPECT_RUNS=${BENCH_INSPECT_RUNS:-200}
INSPECT_ROUNDS=${BENCH_INSPECT_ROUNDS:-10}
CREATE_RUNS=${BENCH_CREATE_RUNS:-20}
INSPECT_GOAL=10
CREATE_GOAL=3

die() { echo "porcelain.sh: error: $*" >&2; exit 1; }
[ -x "$MANIFOLD" ] || die "no manifold binary at '$MANIFOLD' (build it, or set MANIFOLD)"
MANIFOLD=$(cd "$(dirname "$MANIFOLD")" && pwd)/$(basename "$MANIFOLD")
command -v cc >/dev/null || die "cc not found (needed for the fork+exec loop)"
DOCKER=$(command -v docker || true)

# shellcheck source=lib-bench.sh
. "$here/lib-bench.sh"
bench_base
bench_setup porcelain
mkdir -p "$tmp/create"

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

# ---- create: a fresh store / config directory per run, alternating
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) * 1000 }'; }
mcreate() {	# $1: store directory, $2: list name, $3: binary (default $MANIFOLD)
	"${3:-$MANIFOLD}" --store "$1" create --insecure "$2" "${imgs[@]}" >/dev/null ||
		die "${3:-manifold} create into $1 failed"
}
dcreate() {	# $1: docker config directory
	DOCKER_CONFIG=$1 "$DOCKER" manifest create --insecure "$L" "${imgs[@]}" >/dev/null ||
		die "docker manifest create with $1 failed"
}
mt=() dt=() wt=() bt=() bwt=()
sides=(m d)
[ -z "$BASE" ] || sides+=(b)
for ((i = 0; i < CREATE_RUNS; i++)); do
	mkdir "$tmp/create/d$i" && echo '{}' >"$tmp/create/d$i/config.json"
	for ((k = 0; k < ${#sides[@]}; k++)); do
		# Rotate the order every run (m d, d m, ...; with a base m d b, d b m, ...).
		side=${sides[(k + i) % ${#sides[@]}]}
		case $side in
		m)
			t0=$EPOCHREALTIME; mcreate "$tmp/create/m$i" "$L"; t1=$EPOCHREALTIME
			mt+=("$(ms "$t0" "$t1")")
			;;
		d)
			[ -n "$DOCKER" ] || continue
			t0=$EPOCHREALTIME; dcreate "$tmp/create/d$i"; t1=$EPOCHREALTIME
			dt+=("$(ms "$t0" "$t1")")
			;;
		b)
			t0=$EPOCHREALTIME; mcreate "$tmp/create/b$i" "$L" "$BASE"; t1=$EPOCHREALTIME
			bt+=("$(ms "$t0" "$t1")")
			;;
		esac
	done
	# Information: into a store that already holds the images.
	t0=$EPOCHREALTIME; mcreate "$MANIFOLD_DIR" "$REGISTRY/bench/app:warm$i"; t1=$EPOCHREALTIME
	wt+=("$(ms "$t0" "$t1")")
	if [ -n "$BASE" ]; then
		t0=$EPOCHREALTIME; mcreate "$MANIFOLD_DIR" "$REGISTRY/bench/app:bwarm$i" "$BASE"; t1=$EPOCHREALTIME
		bwt+=("$(ms "$t0" "$t1")")
	fi
	rm -rf "$tmp/create/m$i" "$tmp/create/d$i" "$tmp/create/b$i"
done
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.3f", s / NR }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minof() { printf '%s\n' "$@" | sort -g | head -n 1; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# ---- registry requests of one create each (cold: a fresh store / config)
summarise() {	# "METHOD URI STATUS" lines -> "N (8 HEAD manifests, ...)"
	awk '{ k = $1 " " ($2 ~ /\/manifests\// ? "manifests" : $2 ~ /\/blobs\// ? "blobs" : $2);
	       if (!(k in n)) o[++m] = k; n[k]++; t++ }
	     END { printf "%d (", t; for (i = 1; i <= m; i++) printf "%s%d %s", (i > 1 ? ", " : ""), n[o[i]], o[i]; print ")" }'
}
registry_log_reset
mcreate "$tmp/create/mreq" "$L"
mreq=$(registry_requests | summarise)
registry_log_reset
mcreate "$MANIFOLD_DIR" "$REGISTRY/bench/app:warmreq"
wreq=$(registry_requests | summarise)
breq=- bwreq=-
if [ -n "$BASE" ]; then
	registry_log_reset
	mcreate "$tmp/create/breq" "$L" "$BASE"
	breq=$(registry_requests | summarise)
	registry_log_reset
	mcreate "$MANIFOLD_DIR" "$REGISTRY/bench/app:bwarmreq" "$BASE"
	bwreq=$(registry_requests | summarise)
fi
dreq=-
if [ -n "$DOCKER" ]; then
	mkdir "$tmp/create/dreq" && echo '{}' >"$tmp/create/dreq/config.json"
	registry_log_reset
	dcreate "$tmp/create/dreq"
	dreq=$(registry_requests | summarise)
fi

# ---- report
echo "porcelain: an 8-platform list on a local registry ($REGISTRY_URL, plain HTTP, Docker v2s2 images)"
echo "  binary:   $MANIFOLD"
[ -z "$BASE" ] || echo "  base:     $BASE (every inspect and create also timed for it, in the same rounds / alternating runs)"
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
echo "  create: wall time per run, $CREATE_RUNS runs each, a fresh store / DOCKER_CONFIG per run, alternating"
printf '    %-44s %9s %9s %9s %9s   %s\n' command mean_ms median_ms min_ms max_ms "registry requests (one cold run)"
printf '    %-44s %9.3f %9.3f %9.3f %9.3f   %s\n' "manifold create --insecure L IMG x8" \
	"$(mean "${mt[@]}")" "$(median "${mt[@]}")" "$(minof "${mt[@]}")" "$(maxof "${mt[@]}")" "$mreq"
if [ -n "$DOCKER" ]; then
	printf '    %-44s %9.3f %9.3f %9.3f %9.3f   %s\n' "docker manifest create --insecure L IMG x8" \
		"$(mean "${dt[@]}")" "$(median "${dt[@]}")" "$(minof "${dt[@]}")" "$(maxof "${dt[@]}")" "$dreq"
fi
printf '    %-44s %9.3f %9.3f %9.3f %9.3f   %s   (information)\n' "manifold create, warm store (new list name)" \
	"$(mean "${wt[@]}")" "$(median "${wt[@]}")" "$(minof "${wt[@]}")" "$(maxof "${wt[@]}")" "$wreq"
if [ -n "$BASE" ]; then
	printf '    %-44s %9.3f %9.3f %9.3f %9.3f   %s\n' "base create --insecure L IMG x8" \
		"$(mean "${bt[@]}")" "$(median "${bt[@]}")" "$(minof "${bt[@]}")" "$(maxof "${bt[@]}")" "$breq"
	printf '    %-44s %9.3f %9.3f %9.3f %9.3f   %s   (information)\n' "base create, warm store (new list name)" \
		"$(mean "${bwt[@]}")" "$(median "${bwt[@]}")" "$(minof "${bwt[@]}")" "$(maxof "${bwt[@]}")" "$bwreq"
fi

m_in=$(get manifold 3) m_cr=$(mean "${mt[@]}") w_cr=$(mean "${wt[@]}")
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { print (r >= g) ? "meets" : "MISSES" }'; }
b_in='' b_cr='' b_wcr='' br_in='' br_cr='' br_wcr=''
if [ -n "$BASE" ]; then
	b_in=$(get base 3) b_cr=$(mean "${bt[@]}") b_wcr=$(mean "${bwt[@]}")
	base_vs "inspect mean" "$b_in" "$m_in" ms; br_in=$base_ratio
	base_vs "create, fresh store, mean" "$b_cr" "$m_cr" ms; br_cr=$base_ratio
	base_vs "create, warm store, mean" "$b_wcr" "$w_cr" ms; br_wcr=$base_ratio
fi
if [ -n "$DOCKER" ]; then
	d_in=$(get docker 3) d_cr=$(mean "${dt[@]}")
	r_in=$(awk -v d="$d_in" -v m="$m_in" 'BEGIN { printf "%.1f", d / m }')
	r_cr=$(awk -v d="$d_cr" -v m="$m_cr" 'BEGIN { printf "%.1f", d / m }')
	v_in=$(verdict "$r_in" "$INSPECT_GOAL") v_cr=$(verdict "$r_cr" "$CREATE_GOAL")
	echo "  ratio docker/manifold, inspect: $r_in  (goal >= $INSPECT_GOAL: $v_in)"
	echo "  ratio docker/manifold, create:  $r_cr  (goal >= $CREATE_GOAL: $v_cr)"
	printf 'RESULT\tporcelain\tinspect L, 8 entries, local (mean of %d; ratio = docker/manifold)\t%.3f ms\tdocker %.3f ms\t%s\t>= %s\t%s%s\n' \
		"$INSPECT_RUNS" "$m_in" "$d_in" "$r_in" "$INSPECT_GOAL" "$v_in" \
		"$(base_fields "$(printf '%.3f ms' "${b_in:-0}")" "$br_in")"
	printf 'RESULT\tporcelain\tcreate --insecure L, 8 images, fresh store (mean of %d; ratio = docker/manifold)\t%.3f ms, %s requests\tdocker %.3f ms, %s requests\t%s\t>= %s\t%s%s\n' \
		"$CREATE_RUNS" "$m_cr" "${mreq%% *}" "$d_cr" "${dreq%% *}" "$r_cr" "$CREATE_GOAL" "$v_cr" \
		"$(base_fields "$(printf '%.3f ms, %s requests' "${b_cr:-0}" "${breq%% *}")" "$br_cr")"
else
	printf 'RESULT\tporcelain\tinspect L, 8 entries, local (mean of %d)\t%.3f ms\t(no docker)\t-\t>= %s\tskipped%s\n' \
		"$INSPECT_RUNS" "$m_in" "$INSPECT_GOAL" \
		"$(base_fields "$(printf '%.3f ms' "${b_in:-0}")" "$br_in")"
	printf 'RESULT\tporcelain\tcreate --insecure L, 8 images, fresh store (mean of %d)\t%.3f ms, %s requests\t(no docker)\t-\t>= %s\tskipped%s\n' \
		"$CREATE_RUNS" "$m_cr" "${mreq%% *}" "$CREATE_GOAL" \
		"$(base_fields "$(printf '%.3f ms, %s requests' "${b_cr:-0}" "${breq%% *}")" "$br_cr")"
fi
printf 'RESULT\tporcelain\tcreate, warm store (info)\t%.3f ms, %s requests\t-\t-\t-\tinfo%s\n' "$w_cr" "${wreq%% *}" \
	"$(base_fields "$(printf '%.3f ms, %s requests' "${b_wcr:-0}" "${bwreq%% *}")" "$br_wcr")"
