#!/usr/bin/env bash
# bench/create.sh: `manifold create` against `docker manifest create`, and for
# information `podman manifest create` and `buildah manifest create`, side by
# side in the same run, on a throwaway registry on 127.0.0.1
# (tests/t/lib-registry.sh, plain HTTP).
#
# The registry is seeded as for push.sh (lib-bench.sh, seed_apps): up to 64
# single-platform Docker v2s2 images, one layer each, in 8 source repositories
# src/app-0..7, so that a list of N images takes them from min(N, 8)
# repositories. For N = 6 and 64 entries (BENCH_CREATE_SIZES), in
# BENCH_CREATE_RUNS runs, each tool starting every run from nothing (a fresh
# store, docker config directory, podman or buildah storage):
#
#  first   create the list L of the N images into the empty store:
#          `manifold --store S create --insecure L IMG...`
#          `DOCKER_CONFIG=S docker manifest create --insecure L IMG...`
#          `podman manifest create L docker://IMG...`
#          `buildah manifest create --tls-verify=false L docker://IMG...`
#  norefs  (information) manifold's first create with --no-referrers, into an
#          empty store of its own: what looking for the sources' referrers
#          (signatures, attestations; docker, podman and buildah look for
#          none) costs.
#  warm    (information) manifold again into the same store, a new list name:
#          the store already holds every image.
#  amend   one of the N sources (src/app-0:p0-amd64) is pushed again with
#          other bytes (a new digest; not timed), then the list is brought up
#          to date, naming the same N sources:
#          `manifold create --insecure --amend L IMG...` (the store holds the
#          other N-1 images). docker, podman and buildah have no command that
#          does this job: their --amend keeps what the store holds (docker
#          re-uses every stored entry and sends no request, so its list keeps
#          the old digest; podman and buildah fetch all N again but append the
#          new digest beside the old one: N+1 entries). Their job that gives
#          manifold's list is `manifest rm L` + `manifest create L IMG...`
#          (two processes, both timed; they fetch all N again): that is what
#          is measured. Their own --amend is measured once per size after the
#          runs, for information (time, requests, what the list holds).
#
# Runs alternate, the order of the tools rotating every run. The registry's
# access log is emptied before each command and read after it: requests
# count everything the tool sent (docker's, podman's and buildah's `GET /v2/`
# pings included). Every tool's list is checked after every first create and
# every amend: its entries must be the N images' digests, with their
# platforms, in docker's order (the order the sources are given in); and
# manifold's `inspect L` must be docker's `manifest inspect L`, byte for byte.
# podman and buildah fetch only manifests and configs (no layers: the access
# log shows it, the breakdown is printed); they run with their own --root and
# --runroot under the temporary directory, storage driver vfs, no daemon
# (podman also with its --tmpdir there, where it would use /run/libpod, and no
# events).
#
#   MANIFOLD=path/to/manifold   the binary (default: ../build/manifold)
#   MANIFOLD_BASE=path          a base binary: first, warm and amend also timed
#                               for it, a store of its own, in the same
#                               alternating runs (README.md)
#   BENCH_CREATE_RUNS=5         runs of each scenario, each tool
#   BENCH_CREATE_SIZES="6 64"   list sizes (at most 64)
#
# docker runs with its own config directory, no engine (DOCKER_HOST points at
# a missing socket), and every proxy variable pointing at the dead port
# 127.0.0.1:9 with NO_PROXY=127.0.0.1, so nothing leaves 127.0.0.1; the same
# environment is exported to the others. podman is told the registry is
# insecure by a registries.conf of its own (CONTAINERS_REGISTRIES_CONF):
# podman 4.3.1 ignores `--tls-verify=false` for the images named on `manifest
# create`. A tool that is not installed is skipped (with a message).
#
# Goals (issue 15): docker/manifold wall time >= 3 for the first create and
# for the amend, at every size. podman, buildah and the warm store: information.
# Exit status: 0 unless something failed (a command, seeding, the registry, a
# list whose entries are wrong).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
MANIFOLD=${MANIFOLD:-$here/../build/manifold}
RUNS=${BENCH_CREATE_RUNS:-5}
SIZES=${BENCH_CREATE_SIZES:-6 64}
GOAL=3

die() { echo "create.sh: error: $*" >&2; exit 1; }
[ -x "$MANIFOLD" ] || die "no manifold binary at '$MANIFOLD' (build it, or set MANIFOLD)"
MANIFOLD=$(cd "$(dirname "$MANIFOLD")" && pwd)/$(basename "$MANIFOLD")
command -v jq >/dev/null || die "jq not found (needed to check the lists)"
DOCKER=$(command -v docker || true)
PODMAN=$(command -v podman || true)
BUILDAH=$(command -v buildah || true)
for n in $SIZES; do
	[ "$n" -ge 1 ] && [ "$n" -le 64 ] || die "BENCH_CREATE_SIZES: $n is not between 1 and 64"
done

# shellcheck source=lib-bench.sh
. "$here/lib-bench.sh"
bench_base
bench_setup create
mkdir -p "$tmp/c"

start_registry plain
seed_apps create "$(printf '%s\n' $SIZES | sort -n | tail -n 1)"
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$tmp/registries.conf"

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) * 1000 }'; }
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.3f", s / NR }'; }
minof() { printf '%s\n' "$@" | sort -g | head -n 1; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# The tools: m manifold, b the base, d docker, p podman, u buildah.
sides=(m d)
[ -z "$BASE" ] || sides+=(b)
[ -z "$PODMAN" ] || sides+=(p)
[ -z "$BUILDAH" ] || sides+=(u)
[ -n "$DOCKER" ] || sides=("${sides[@]/d/}")
podman() {	# DIR ARGS...
	CONTAINERS_REGISTRIES_CONF=$tmp/registries.conf "$PODMAN" \
		--root "$1/root" --runroot "$1/run" --tmpdir "$1/tmp" --events-backend none \
		--storage-driver vfs "${@:2}"
}
buildah() {	# DIR ARGS...
	"$BUILDAH" --root "$1/root" --runroot "$1/run" --storage-driver vfs "${@:2}"
}
tool_name() {
	case $1 in m) echo manifold ;; b) echo base ;; d) echo docker ;; p) echo podman ;; u) echo buildah ;; esac
}

# tool SIDE SCENARIO DIR LIST: one command (two for rm + create), timed, with
# an empty access log before it. Sets last_ms, last_sum (the breakdown) and
# last_req (the count).
tool() {
	local side=$1 sc=$2 dir=$3 list=$4 t0 t1 bin=$MANIFOLD refs
	refs=("${list_imgs[@]/#/docker://}")
	[ $side = b ] && bin=$BASE
	if [ $side = d ] && [ ! -d "$dir" ]; then
		mkdir -p "$dir" && echo '{}' >"$dir/config.json"
	fi
	registry_log_reset
	t0=$EPOCHREALTIME
	case $side,$sc in
	[mb],first | [mb],warm)
		"$bin" --store "$dir" create --insecure "$list" "${list_imgs[@]}" >/dev/null ;;
	m,norefs)
		"$bin" --store "$dir" create --insecure --no-referrers "$list" "${list_imgs[@]}" >/dev/null ;;
	[mb],amend)
		"$bin" --store "$dir" create --insecure --amend "$list" "${list_imgs[@]}" >/dev/null ;;
	d,first)
		DOCKER_CONFIG=$dir "$DOCKER" manifest create --insecure "$list" "${list_imgs[@]}" >/dev/null ;;
	d,amend)
		DOCKER_CONFIG=$dir "$DOCKER" manifest rm "$list" &&
		DOCKER_CONFIG=$dir "$DOCKER" manifest create --insecure "$list" "${list_imgs[@]}" >/dev/null ;;
	d,ownamend)
		DOCKER_CONFIG=$dir "$DOCKER" manifest create --insecure --amend "$list" "${list_imgs[@]}" >/dev/null ;;
	p,first)
		podman "$dir" manifest create "$list" "${refs[@]}" >/dev/null ;;
	p,amend)
		podman "$dir" manifest rm "$list" >/dev/null &&
		podman "$dir" manifest create "$list" "${refs[@]}" >/dev/null ;;
	p,ownamend)
		podman "$dir" manifest create --amend "$list" "${refs[@]}" >/dev/null ;;
	u,first)
		buildah "$dir" manifest create --tls-verify=false "$list" "${refs[@]}" >/dev/null ;;
	u,amend)
		buildah "$dir" manifest rm "$list" >/dev/null &&
		buildah "$dir" manifest create --tls-verify=false "$list" "${refs[@]}" >/dev/null ;;
	u,ownamend)
		buildah "$dir" manifest create --tls-verify=false --amend "$list" "${refs[@]}" >/dev/null ;;
	esac || die "$(tool_name "$side"): $sc of $list (in $dir) failed"
	t1=$EPOCHREALTIME
	last_ms=$(ms "$t0" "$t1")
	last_sum=$({ registry_requests || true; } | summarise)	# docker's own --amend sends none
	last_req=${last_sum%% *}
}

# inspect SIDE DIR LIST: the tool's local list, as JSON.
inspect() {
	case $1 in
	m) "$MANIFOLD" --store "$2" inspect "$3" ;;
	b) "$BASE" --store "$2" inspect "$3" ;;
	d) DOCKER_CONFIG=$2 "$DOCKER" manifest inspect "$3" ;;
	p) podman "$2" manifest inspect "$3" ;;
	u) buildah "$2" manifest inspect "$3" ;;
	esac
}
entries() {	# JSON of a list on stdin -> "DIGEST OS/ARCH[/VARIANT]" per entry
	jq -r '.manifests[] | "\(.digest) \(.platform.os)/\(.platform.architecture)\(if .platform.variant then "/" + .platform.variant else "" end)"'
}
# check SIDE DIR LIST WHAT: the list holds the N images' current digests and
# platforms, in order.
check() {
	local got want
	got=$(inspect "$1" "$2" "$3" | entries) || die "$(tool_name "$1"): cannot inspect $3 ($4)"
	want=$(for i in "${order[@]}"; do echo "${img_digest[i]} ${img_plat[i]}"; done)
	[ "$got" = "$want" ] || {
		diff -u <(echo "$want") <(echo "$got") >&2 || true
		die "$(tool_name "$1"): after $4 of $n entries, the list is not the images' (- wanted, + got)"
	}
}

declare -A T R S	# [size,scenario,side] -> times / request counts / the last breakdown
declare -A OWN		# [size,side] -> "time, requests; what the list holds" of the tool's own --amend
same=()
for n in $SIZES; do
	mapfile -t order < <(docker_order "$n")
	mapfile -t list_imgs < <(for i in "${order[@]}"; do echo "${imgs[i]}"; done)
	L=$REGISTRY/dst/app-$n:v1
	for ((i = 0; i < RUNS; i++)); do
		for ((k = 0; k < ${#sides[@]}; k++)); do
			# Rotate the order every run.
			side=${sides[(k + i) % ${#sides[@]}]}
			[ -n "$side" ] || continue
			tool "$side" first "$tmp/c/$side$i" "$L"
			T[$n,first,$side]+=" $last_ms" R[$n,first,$side]+=" $last_req" S[$n,first,$side]=$last_sum
			check "$side" "$tmp/c/$side$i" "$L" "the first create"
		done
		tool m norefs "$tmp/c/n$i" "$L"
		T[$n,norefs,m]+=" $last_ms" R[$n,norefs,m]+=" $last_req" S[$n,norefs,m]=$last_sum
		for side in m b; do
			[ $side = m ] || [ -n "$BASE" ] || continue
			tool $side warm "$tmp/c/$side$i" "$L-warm"
			T[$n,warm,$side]+=" $last_ms" R[$n,warm,$side]+=" $last_req" S[$n,warm,$side]=$last_sum
		done
		reseed_app 0 "create-amend-$n-$i"
		for ((k = 0; k < ${#sides[@]}; k++)); do
			side=${sides[(k + i) % ${#sides[@]}]}
			[ -n "$side" ] || continue
			tool "$side" amend "$tmp/c/$side$i" "$L"
			T[$n,amend,$side]+=" $last_ms" R[$n,amend,$side]+=" $last_req" S[$n,amend,$side]=$last_sum
			check "$side" "$tmp/c/$side$i" "$L" "the amend"
		done
		if [ -n "$DOCKER" ]; then
			cmp -s <(inspect m "$tmp/c/m$i" "$L") <(inspect d "$tmp/c/d$i" "$L") ||
				die "$n entries: manifold's inspect of the amended list is not docker's"
		fi
		rm -rf "$tmp/c"/*
	done
	[ -z "$DOCKER" ] || same+=("$n")

	# The tools' own --amend, once, for information: a fresh list, one
	# source pushed again, then --amend naming the same sources.
	for side in "${sides[@]}"; do
		case $side in d | p | u) ;; *) continue ;; esac
		tool "$side" first "$tmp/c/own$side" "$L"
	done
	old=${img_digest[0]}
	reseed_app 0 "create-ownamend-$n"
	for side in "${sides[@]}"; do
		case $side in d | p | u) ;; *) continue ;; esac
		tool "$side" ownamend "$tmp/c/own$side" "$L"
		got=$(inspect "$side" "$tmp/c/own$side" "$L" | entries) || die "$(tool_name "$side"): cannot inspect $L"
		holds="$(printf '%s\n' "$got" | wc -l) entries"
		grep -q "^$old " <<<"$got" && holds+=", the old digest of the re-pushed image"
		grep -q "^${img_digest[0]} " <<<"$got" && holds+=", its new digest"
		OWN[$n,$side]="$last_ms ms, $last_sum; the list holds $holds"
	done
	rm -rf "$tmp/c"/*
done

# ---- report
echo "create: lists of $SIZES Docker v2s2 images from src/app-0..7, on $REGISTRY_URL (plain HTTP)"
echo "  binary:   $MANIFOLD"
[ -z "$BASE" ] || echo "  base:     $BASE (a store of its own, in the same alternating runs)"
for t in DOCKER PODMAN BUILDAH; do
	bin=${!t}
	if [ -n "$bin" ]; then
		printf '  %-9s %s (%s)\n' "$(echo "$t" | tr A-Z a-z):" "$bin" "$("$bin" --version 2>/dev/null | head -n 1)"
	else
		printf '  %-9s not found: skipped\n' "$(echo "$t" | tr A-Z a-z):"
	fi
done
echo "  wall time per command, $RUNS runs each, alternating, every tool from an empty store every run;"
echo "  requests from the registry's access log, every run. amend: one source pushed again, the same sources named;"
echo "  docker, podman, buildah: \`manifest rm L\` + \`manifest create L IMG...\` (their --amend keeps stale entries: below)"
printf '    %-34s %9s %9s %9s   %s\n' command mean_ms min_ms max_ms "requests (the last run's breakdown)"
for n in $SIZES; do
	for sc in first norefs warm amend; do
		for side in "${sides[@]}"; do
			[ -n "$side" ] || continue
			[ $sc != warm ] || [ $side = m ] || [ $side = b ] || continue
			[ $sc != norefs ] || [ $side = m ] || continue
			# shellcheck disable=SC2086
			set -- ${T[$n,$sc,$side]}
			rq=$(printf '%s\n' ${R[$n,$sc,$side]} | sort -u | tr '\n' '/' | sed 's,/$,,')
			printf '    %-34s %9.3f %9.3f %9.3f   %s%s\n' "$(tool_name $side), $n, ${sc/norefs/first --no-referrers}" \
				"$(mean "$@")" "$(minof "$@")" "$(maxof "$@")" \
				"${S[$n,$sc,$side]}" "$([ "$rq" = "${S[$n,$sc,$side]%% *}" ] || echo "; counts seen: $rq")"
		done
	done
done
echo "  their own --amend after one source was pushed again (once, information):"
for n in $SIZES; do
	for side in "${sides[@]}"; do
		case $side in d | p | u) printf '    %-34s %s\n' "$(tool_name $side) --amend, $n" "${OWN[$n,$side]}" ;; esac
	done
done
[ ${#same[@]} = 0 ] || echo "  every list checked (digests, platforms, order); manifold's inspect = docker's for ${same[*]} entries"

results=()
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { print (r >= g) ? "meets" : "MISSES" }'; }
for n in $SIZES; do
	for sc in first amend norefs warm; do
		case $sc in
		norefs)	what="create $n entries, first, empty store, --no-referrers" ;;
		first)	what="create $n entries, first, empty store" ;;
		amend)	what="create $n entries, --amend after one source was re-pushed (others: rm + create)" ;;
		warm)	what="create $n entries, warm store (new list name)" ;;
		esac
		# shellcheck disable=SC2086
		mt=$(mean ${T[$n,$sc,m]}) mr=$(maxof ${R[$n,$sc,m]})
		if [ $sc = norefs ]; then
			results+=("$(printf 'RESULT\tcreate\t%s (mean of %d; info)\t%.3f ms, %s requests\t-\t-\t-\tinfo' \
				"$what" "$RUNS" "$mt" "$mr")")
			continue
		fi
		bfields=
		if [ -n "$BASE" ]; then
			# shellcheck disable=SC2086
			bt=$(mean ${T[$n,$sc,b]}) br=$(maxof ${R[$n,$sc,b]})
			base_vs "$what, mean (requests: base $br, current $mr)" "$bt" "$mt" ms
			bfields=$(base_fields "$(printf '%.3f ms, %s requests' "$bt" "$br")" "$base_ratio")
		fi
		if [ $sc = warm ]; then
			results+=("$(printf 'RESULT\tcreate\t%s (mean of %d; info)\t%.3f ms, %s requests\t-\t-\t-\tinfo%s' \
				"$what" "$RUNS" "$mt" "$mr" "$bfields")")
			continue
		fi
		if [ -z "$DOCKER" ]; then
			results+=("$(printf 'RESULT\tcreate\t%s (mean of %d)\t%.3f ms, %s requests\t(no docker)\t-\t>= %s\tskipped%s' \
				"$what" "$RUNS" "$mt" "$mr" "$GOAL" "$bfields")")
		else
			# shellcheck disable=SC2086
			dt=$(mean ${T[$n,$sc,d]}) dr=$(maxof ${R[$n,$sc,d]})
			rt=$(awk -v d="$dt" -v m="$mt" 'BEGIN { printf "%.1f", d / m }')
			v=$(verdict "$rt" $GOAL)
			echo "  ratio docker/manifold, $what: time $rt, requests $dr / $mr  (goal >= $GOAL: $v)"
			results+=("$(printf 'RESULT\tcreate\t%s (mean of %d; ratio = docker/manifold)\t%.3f ms, %s requests\tdocker %.3f ms, %s requests\t%s\t>= %s\t%s%s' \
				"$what" "$RUNS" "$mt" "$mr" "$dt" "$dr" "$rt" "$GOAL" "$v" "$bfields")")
		fi
		for side in p u; do
			[ -n "${T[$n,$sc,$side]:-}" ] || continue
			# shellcheck disable=SC2086
			ot=$(mean ${T[$n,$sc,$side]}) orq=$(maxof ${R[$n,$sc,$side]})
			ro=$(awk -v d="$ot" -v m="$mt" 'BEGIN { printf "%.1f", d / m }')
			echo "  ratio $(tool_name $side)/manifold, $what: time $ro, requests $orq / $mr  (information)"
			results+=("$(printf 'RESULT\tcreate\t%s, %s (mean of %d; ratio = %s/manifold)\t%.3f ms, %s requests\t%s %.3f ms, %s requests\t%s\t-\tinfo' \
				"$what" "$(tool_name $side)" "$RUNS" "$(tool_name $side)" "$mt" "$mr" "$(tool_name $side)" "$ot" "$orq" "$ro")")
		done
	done
done
printf '%s\n' "${results[@]}"
