#!/usr/bin/env bash
# bench/push.sh: `manifold push` against `docker manifest push`, side by side
# in the same run, on a throwaway registry on 127.0.0.1
# (tests/t/lib-registry.sh, plain HTTP).
#
# The registry is seeded with 64 single-platform Docker v2s2 images (one layer
# each, all different) spread over 8 source repositories, src/app-0 ..
# src/app-7 (image i is src/app-(i % 8):p(i / 8)-PLATFORM, cycling through 8
# platforms), so that the 8-entry list takes one image from each repository
# and the 64-entry list eight. Each list is pushed into a repository that
# holds none of it (dst/...): every config and layer has to come from another
# repository (cross-repository mounts), every child manifest has to be PUT.
#
# For N = 4, 6 and 64 entries (issue 15's cases; BENCH_PUSH_SIZES), both tools
# in the same run:
#
#  first   `manifold push L` vs `docker manifest push L`, L a list of the N
#          images named after a fresh target repository for every run
#          ($REG/dst/m-N-RUN:v1 and $REG/dst/d-N-RUN:v1), made beforehand
#          (not timed) with `manifold create --insecure L IMG...` and
#          `docker manifest create --insecure L IMG...` from the same images.
#  again   the last of those lists pushed again, unchanged.
#
# Each push is timed (wall clock) and the registry's access log is emptied
# before it and read after it: the number of requests counts everything the
# tool sent, including docker's `GET /v2/` pings. Runs alternate between the
# tools, the order swapping each run. Every push must print the same digest
# (checked; both tools make the same list from the same images).
#
# For information, when podman is installed: `podman manifest push --all L
# docker://L` in the same alternating runs, L made beforehand (not timed) with
# `podman manifest create L docker://IMG...` in a storage of its own ($tmp,
# --root/--runroot/--tmpdir, no events, driver vfs; the registry marked insecure in a
# registries.conf of its own, CONTAINERS_REGISTRIES_CONF): it copies every
# entry with the list as manifold and docker do (cross-repository mounts). Its
# digest is reported (podman writes the list again: it may differ).
#
#   MANIFOLD=path/to/manifold   the binary (default: ../build/manifold)
#   MANIFOLD_BASE=path          a base binary: it makes and pushes lists of its
#                               own ($REG/dst/b-N-RUN:v1) in the same
#                               alternating runs (README.md)
#   BENCH_PUSH_RUNS=5           runs of each scenario, each tool
#   BENCH_PUSH_SIZES="4 6 64"   list sizes (at most 64)
#
# docker runs with its own config directory, no engine (DOCKER_HOST points at
# a missing socket), and every proxy variable pointing at the dead port
# 127.0.0.1:9 with NO_PROXY=127.0.0.1, so nothing leaves 127.0.0.1; the same
# environment is exported to manifold. `docker manifest push` speaks plain
# HTTP to a loopback registry; neither tool is given --insecure for the push.
# Without a docker CLI the docker side is skipped (with a message) and only
# manifold's figures are printed.
#
# Goals (issues 5 and 15): first push: at most half of docker's requests
# (docker/manifold >= 2) and docker/manifold wall time >= 4 (up to 63 entries)
# or >= 5 (64 entries); re-push of an unchanged list: 1 request; never more
# requests than docker.
# Exit status: 0 unless something failed (a command, seeding, the registry,
# a digest that differs).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
MANIFOLD=${MANIFOLD:-$here/../build/manifold}
RUNS=${BENCH_PUSH_RUNS:-5}
SIZES=${BENCH_PUSH_SIZES:-4 6 64}
time_goal() { [ "$1" -ge 64 ] && echo 5 || echo 4; }
REQ_GOAL=2

die() { echo "push.sh: error: $*" >&2; exit 1; }
[ -x "$MANIFOLD" ] || die "no manifold binary at '$MANIFOLD' (build it, or set MANIFOLD)"
MANIFOLD=$(cd "$(dirname "$MANIFOLD")" && pwd)/$(basename "$MANIFOLD")
DOCKER=$(command -v docker || true)
PODMAN=$(command -v podman || true)
for n in $SIZES; do
	[ "$n" -ge 1 ] && [ "$n" -le 64 ] || die "BENCH_PUSH_SIZES: $n is not between 1 and 64"
done

# shellcheck source=lib-bench.sh
. "$here/lib-bench.sh"
bench_base
bench_setup push

start_registry plain
seed_apps push "$(printf '%s\n' $SIZES | sort -n | tail -n 1)"
if [ -n "$PODMAN" ]; then
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$tmp/registries.conf"
	P=(env CONTAINERS_REGISTRIES_CONF="$tmp/registries.conf" "$PODMAN"
		--root "$tmp/podman/root" --runroot "$tmp/podman/run" --tmpdir "$tmp/podman/tmp"
		--events-backend none --storage-driver vfs)
fi

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) * 1000 }'; }
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.3f", s / NR }'; }
minof() { printf '%s\n' "$@" | sort -g | head -n 1; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }
# push TOOL LIST: one timed push with an empty access log before it. Sets
# last_ms, last_req (the count), last_sum (the breakdown); checks the digest.
push() {
	local tool=$1 list=$2 t0 t1 out
	registry_log_reset
	case $tool in
	m)	t0=$EPOCHREALTIME
		out=$("$MANIFOLD" push "$list") || die "manifold push $list failed"
		t1=$EPOCHREALTIME ;;
	d)	t0=$EPOCHREALTIME
		out=$("$DOCKER" manifest push "$list") || die "docker manifest push $list failed"
		t1=$EPOCHREALTIME ;;
	b)	t0=$EPOCHREALTIME
		out=$("$BASE" push "$list") || die "base push $list failed"
		t1=$EPOCHREALTIME ;;
	p)	t0=$EPOCHREALTIME
		"${P[@]}" manifest push --all --quiet --digestfile "$tmp/podman.digest" "$list" "docker://$list" ||
			die "podman manifest push $list failed"
		t1=$EPOCHREALTIME ;;
	esac
	last_ms=$(ms "$t0" "$t1")
	last_sum=$(registry_requests | summarise)
	last_req=${last_sum%% *}
	if [ $tool = p ]; then
		pdig=$(cat "$tmp/podman.digest")
		return
	fi
	dig=${out##*$'\n'}
	if [ -z "$want" ]; then
		want=$dig
	elif [ "$dig" != "$want" ]; then
		die "$tool: push of $list printed $dig, expected $want"
	fi
	printf '%s\n' "$out" >"$tmp/out.$tool"
}

declare -A T R S	# [scenario,tool] -> times / request counts / one breakdown
results=()
sides=(m d)
[ -z "$BASE" ] || sides+=(b)
[ -z "$PODMAN" ] || sides+=(p)
# list_of SIDE: that tool's list of this run
list_of() { case $1 in m) echo "$ml" ;; d) echo "$dl" ;; b) echo "$bl" ;; p) echo "$pl" ;; esac; }
declare -A PDIG	# [size] -> podman's digest: the same as manifold's, or not
for n in $SIZES; do
	# In docker's order (docker_order), so that both tools make the same list.
	mapfile -t list_imgs < <(for i in $(docker_order "$n"); do echo "${imgs[i]}"; done)
	want=
	for sc in first again; do
		T[$n,$sc,m]='' T[$n,$sc,d]='' R[$n,$sc,m]='' R[$n,$sc,d]=''
		T[$n,$sc,b]='' R[$n,$sc,b]='' T[$n,$sc,p]='' R[$n,$sc,p]=''
	done
	for ((i = 0; i < RUNS; i++)); do
		ml=$REGISTRY/dst/m-$n-$i:v1 dl=$REGISTRY/dst/d-$n-$i:v1 bl=$REGISTRY/dst/b-$n-$i:v1
		pl=$REGISTRY/dst/p-$n-$i:v1
		if [ -n "$PODMAN" ]; then
			"${P[@]}" manifest create "$pl" "${list_imgs[@]/#/docker://}" >/dev/null ||
				die "podman manifest create $pl failed"
		fi
		"$MANIFOLD" create --insecure "$ml" "${list_imgs[@]}" >/dev/null || die "manifold create $ml failed"
		if [ -n "$BASE" ]; then
			"$BASE" create --insecure "$bl" "${list_imgs[@]}" >/dev/null || die "base create $bl failed"
		fi
		if [ -n "$DOCKER" ]; then
			"$DOCKER" manifest create --insecure "$dl" "${list_imgs[@]}" >/dev/null ||
				die "docker manifest create $dl failed"
		fi
		# Rotate the order every run (m d, d m, ...; with a base m d b, d b m, ...).
		for ((k = 0; k < ${#sides[@]}; k++)); do
			side=${sides[(k + i) % ${#sides[@]}]}
			[ $side = d ] && [ -z "$DOCKER" ] && continue
			push $side "$(list_of $side)"
			T[$n,first,$side]+=" $last_ms" R[$n,first,$side]+=" $last_req" S[$n,first,$side]=$last_sum
		done
	done
	[ -z "$PODMAN" ] || PDIG[$n]=$([ "$pdig" = "$want" ] && echo "the same digest" || echo "digest $pdig, not manifold's $want")
	# The Pushed ref lines: one per entry, in the same order, the same
	# apart from the repository name.
	if [ -n "$DOCKER" ]; then
		[ "$(grep -c '^Pushed ref ' "$tmp/out.m")" = "$n" ] ||
			die "manifold printed $(grep -c '^Pushed ref ' "$tmp/out.m") 'Pushed ref' lines for $n entries"
		sed 's,/dst/[md]-,/dst/X-,' "$tmp/out.m" >"$tmp/out.m2"
		sed 's,/dst/[md]-,/dst/X-,' "$tmp/out.d" >"$tmp/out.d2"
		cmp -s "$tmp/out.m2" "$tmp/out.d2" || {
			diff -u "$tmp/out.d2" "$tmp/out.m2" >&2 || true
			die "first push of $n entries: manifold's output differs from docker's"
		}
	fi
	if [ -n "$BASE" ]; then
		sed 's,/dst/[mb]-,/dst/X-,' "$tmp/out.m" >"$tmp/out.m2"
		sed 's,/dst/[mb]-,/dst/X-,' "$tmp/out.b" >"$tmp/out.b2"
		cmp -s "$tmp/out.m2" "$tmp/out.b2" || {
			diff -u "$tmp/out.b2" "$tmp/out.m2" >&2 || true
			die "first push of $n entries: the current binary's output differs from the base's"
		}
	fi
	for ((i = 0; i < RUNS; i++)); do
		for ((k = 0; k < ${#sides[@]}; k++)); do
			side=${sides[(k + i) % ${#sides[@]}]}
			[ $side = d ] && [ -z "$DOCKER" ] && continue
			push $side "$(list_of $side)"
			T[$n,again,$side]+=" $last_ms" R[$n,again,$side]+=" $last_req" S[$n,again,$side]=$last_sum
		done
	done
done

# ---- report
echo "push: lists of $SIZES Docker v2s2 images from src/app-0..7 into new repositories dst/..., on $REGISTRY_URL (plain HTTP)"
echo "  binary:   $MANIFOLD"
[ -z "$BASE" ] || echo "  base:     $BASE (its own lists dst/b-..., pushed in the same alternating runs)"
if [ -n "$DOCKER" ]; then
	echo "  docker:   $DOCKER ($("$DOCKER" --version 2>/dev/null | head -n 1))"
else
	echo "  docker:   not found: the docker side is skipped, manifold's figures only"
fi
[ -z "$PODMAN" ] || echo "  podman:   $PODMAN ($("$PODMAN" --version 2>/dev/null | head -n 1); \`manifest push --all\`, information)"
echo "  wall time per push, $RUNS runs each, alternating; requests from the registry's access log, every run"
printf '    %-30s %9s %9s %9s   %s\n' command mean_ms min_ms max_ms "requests (the last run's breakdown)"
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { print (r >= g) ? "meets" : "MISSES" }'; }
for n in $SIZES; do
	for sc in first again; do
		for side in "${sides[@]}"; do
			[ $side = d ] && [ -z "$DOCKER" ] && continue
			# shellcheck disable=SC2086
			set -- ${T[$n,$sc,$side]}
			rq=$(printf '%s\n' ${R[$n,$sc,$side]} | sort -u | tr '\n' '/' | sed 's,/$,,')
			label="$(case $side in m) echo "manifold push" ;; d) echo "docker manifest push" ;; b) echo "base push" ;; p) echo "podman manifest push" ;; esac), $n, $sc"
			printf '    %-30s %9.3f %9.3f %9.3f   %s%s\n' "$label" "$(mean "$@")" "$(minof "$@")" "$(maxof "$@")" \
				"${S[$n,$sc,$side]}" "$([ "$rq" = "${S[$n,$sc,$side]%% *}" ] || echo "; counts seen: $rq")"
		done
	done
done

for n in $SIZES; do
	for sc in first again; do
		# shellcheck disable=SC2086
		mt=$(mean ${T[$n,$sc,m]}) mr=$(maxof ${R[$n,$sc,m]})
		what="push $n entries, $([ $sc = first ] && echo "first, new repository (cross-repo)" || echo "re-push, unchanged")"
		TIME_GOAL=$(time_goal "$n")
		if [ -n "$PODMAN" ]; then
			# shellcheck disable=SC2086
			pt=$(mean ${T[$n,$sc,p]}) pr=$(maxof ${R[$n,$sc,p]})
			rp=$(awk -v d="$pt" -v m="$mt" 'BEGIN { printf "%.1f", d / m }')
			echo "  ratio podman/manifold, $what: time $rp, requests $pr / $mr  (information; podman's list: ${PDIG[$n]})"
			results+=("$(printf 'RESULT\tpush\t%s, podman (mean of %d; ratio = podman/manifold)\t%.3f ms, %s requests\tpodman %.3f ms, %s requests\t%s\t-\tinfo' \
				"$what" "$RUNS" "$mt" "$mr" "$pt" "$pr" "$rp")")
		fi
		bfields=
		if [ -n "$BASE" ]; then
			# shellcheck disable=SC2086
			bt=$(mean ${T[$n,$sc,b]}) br=$(maxof ${R[$n,$sc,b]})
			base_vs "$what, mean (requests: base $br, current $mr)" "$bt" "$mt" ms
			bfields=$(base_fields "$(printf '%.3f ms, %s requests' "$bt" "$br")" "$base_ratio")
		fi
		if [ -z "$DOCKER" ]; then
			printf 'RESULT\tpush\t%s (mean of %d)\t%.3f ms, %s requests\t(no docker)\t-\t%s\tskipped%s\n' \
				"$what" "$RUNS" "$mt" "$mr" "$([ $sc = first ] && echo ">= $TIME_GOAL" || echo "1 request")" "$bfields"
			continue
		fi
		# shellcheck disable=SC2086
		dt=$(mean ${T[$n,$sc,d]}) dr=$(minof ${R[$n,$sc,d]})
		rt=$(awk -v d="$dt" -v m="$mt" 'BEGIN { printf "%.1f", d / m }')
		rr=$(awk -v d="$dr" -v m="$mr" 'BEGIN { printf "%.2f", d / m }')
		if [ $sc = first ]; then
			goal=">= $TIME_GOAL (time), >= $REQ_GOAL (requests)"
			v=$([ "$(verdict "$rt" $TIME_GOAL)" = meets ] && [ "$(verdict "$rr" $REQ_GOAL)" = meets ] && echo meets || echo MISSES)
		else
			goal="1 request, <= docker"
			v=$([ "$mr" = 1 ] && echo meets || echo MISSES)
		fi
		[ "$mr" -le "$dr" ] || v=MISSES
		echo "  ratio docker/manifold, $what: time $rt, requests $rr ($dr / $mr)  (goal $goal: $v)"
		results+=("$(printf 'RESULT\tpush\t%s (mean of %d; ratio = docker/manifold: time, requests)\t%.3f ms, %s requests\tdocker %.3f ms, %s requests\t%s, %s\t%s\t%s%s' \
			"$what" "$RUNS" "$mt" "$mr" "$dt" "$dr" "$rt" "$rr" "$goal" "$v" "$bfields")")
	done
done
[ ${#results[@]} = 0 ] || printf '%s\n' "${results[@]}"
