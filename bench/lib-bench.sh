# lib-bench.sh: what the benchmarks share. Needs $here (the bench directory),
# $MANIFOLD (already absolute) and a die() function.
#
#   bench_base         MANIFOLD_BASE, when set, names a second manifold binary
#                      (an older build, with its manifold-net.so beside it)
#                      that every benchmark measures side by side with
#                      $MANIFOLD: each timed manifold measurement is also taken
#                      for it, in the same forkbench rounds or in alternating
#                      runs. Sets BASE (absolute path, or empty when
#                      MANIFOLD_BASE is unset: then nothing is measured or
#                      printed for it). The base binary works on the same
#                      stores as $MANIFOLD, so it must read their format.
#   base_vs LABEL BASE CURRENT UNIT
#                      prints "base vs current, LABEL: base BASE UNIT, current
#                      CURRENT UNIT, current/base R" (above 1: the current
#                      binary is slower) and sets base_ratio to R.
#   base_fields BASE-FIGURE RATIO
#                      the two extra tab-separated fields a RESULT line ends
#                      with when there is a base: the base's figure and
#                      current/base (a base_ratio); nothing without a base.
#   bench_setup NAME   a temporary directory in $tmp (removed at exit), the
#                      test suite's registry library (tests/t/lib-registry.sh)
#                      loaded with it as TRASH, and the fence both manifold
#                      and docker run behind: docker gets its own config
#                      directory ($tmp/docker-cfg) and no engine, every proxy
#                      variable points at the dead port 127.0.0.1:9 with
#                      NO_PROXY=127.0.0.1, so nothing leaves 127.0.0.1;
#                      MANIFOLD_DIR is $tmp/store.
#   seed_apps SEED [N] (after start_registry) N (default 64, at most 64: the
#                      largest list a benchmark makes) single-platform Docker v2s2
#                      images, one layer each, all different, in 8 source
#                      repositories: image i is src/app-(i % 8):p(i / 8)-PLAT,
#                      PLAT cycling through 8 platforms, so that the first K
#                      images come from min(K, 8) repositories. Sets imgs
#                      (the references, $REGISTRY/src/...), img_plat (each
#                      one's platform, os/arch[/variant]) and img_digest
#                      (each one's manifest digest); --seed SEED-i.
#   reseed_app I SEED  push image I again with other bytes (a new digest,
#                      the same reference and platform); updates img_digest.
#   docker_order N     the indexes 0..N-1 in docker's store order: docker
#                      lists a local list's entries by the names of its
#                      store files (the reference with ':' as '-' and '/'
#                      as '_'), bytewise; given in that order, manifold
#                      makes the same list.
#   summarise          "METHOD URI STATUS" lines (registry_requests) ->
#                      "N (8 GET manifests, 8 GET blobs, ...)".

bench_base() {
	BASE=${MANIFOLD_BASE:-}
	[ -n "$BASE" ] || return 0
	[ -x "$BASE" ] || die "MANIFOLD_BASE: no executable at '$BASE'"
	BASE=$(cd "$(dirname "$BASE")" && pwd)/$(basename "$BASE")
	[ -f "$(dirname "$BASE")/manifold-net.so" ] ||
		die "MANIFOLD_BASE: no manifold-net.so beside $BASE"
}

base_vs() {
	base_ratio=$(awk -v b="$2" -v c="$3" 'BEGIN { printf "%.3f", c / b }')
	awk -v l="$1" -v b="$2" -v c="$3" -v u="$4" -v r="$base_ratio" 'BEGIN {
		f = (u == "bytes") ? "%.0f" : "%.3f"
		printf "  base vs current, %s: base " f " %s, current " f " %s, current/base %s\n", l, b, u, c, u, r }'
}

base_fields() {
	[ -z "$BASE" ] || printf '\t%s\t%s' "$1" "$2"
}

bench_setup() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/manifold-bench-$1.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# lib-registry.sh chains its own EXIT trap (stop the registry) before ours.
	export TRASH=$tmp MANIFOLD_SOURCE_DIR=$here/..
	# shellcheck source=../tests/t/lib-registry.sh
	. "$here/../tests/t/lib-registry.sh"
	unset MANIFOLD_MODULE_PATH

	mkdir -p "$tmp/docker-cfg"
	echo '{}' >"$tmp/docker-cfg/config.json"
	export DOCKER_CONFIG=$tmp/docker-cfg DOCKER_HOST=unix:///nonexistent \
		HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
		http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
		ALL_PROXY=http://127.0.0.1:9 all_proxy=http://127.0.0.1:9 \
		NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
	export MANIFOLD_DIR=$tmp/store
}

app_plats=(linux/amd64 linux/arm64/v8 linux/arm/v7 linux/arm/v6 linux/386 linux/ppc64le linux/s390x linux/riscv64)

seed_apps() {
	local i p ref d
	imgs=() img_plat=() img_digest=()
	for ((i = 0; i < ${2:-64}; i++)); do
		p=${app_plats[i % 8]}
		ref=src/app-$((i % 8)):p$((i / 8))-$(echo "${p#linux/}" | tr / -)
		d=$(seed_image "$ref" --format docker --seed "$1-$i" --platform "$p") ||
			die "could not seed $ref"
		img_digest+=("$d")
		imgs+=("$REGISTRY/$ref")
		img_plat+=("$p")
	done
}

reseed_app() {
	local ref=${imgs[$1]#"$REGISTRY"/} d
	d=$(seed_image "$ref" --format docker --seed "$2" --platform "${img_plat[$1]}") ||
		die "could not push $ref again"
	img_digest[$1]=$d
}

docker_order() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf '%s\t%s\n' "$(printf '%s' "${imgs[i]}" | tr :/ -_)" "$i"
	done | sort | cut -f2
}

summarise() {
	awk '{ k = $1 " " ($2 ~ /\/manifests\// ? "manifests" : $2 ~ /\/blobs\// ? "blobs" : $2 ~ /\/referrers\// ? "referrers" : $2);
	       if (!(k in n)) o[++m] = k; n[k]++; t++ }
	     END { printf "%d (", t; for (i = 1; i <= m; i++) printf "%s%d %s", (i > 1 ? ", " : ""), n[o[i]], o[i]; print ")" }'
}
