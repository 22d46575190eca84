#!/usr/bin/env bash
# bench/layouts.sh: `manifold export` and `manifold import` (OCI image layouts
# and archives, issue 13) against skopeo, side by side in the same run, on a
# throwaway registry on 127.0.0.1 (tests/t/lib-registry.sh, plain HTTP).
#
# Set-up (not timed): a 64-entry OCI image index, src/app:list, over 64
# single-platform OCI images of one layer each (BENCH_LAYOUTS_LAYER bytes of
# random data per layer, default 4 MiB: 256 MiB of layers in all; made by
# tests/registry/seed.py --layer-size in one layout, pushed with one
# `skopeo copy --all --preserve-digests`), and `manifold fetch` of it into a
# store (export copies local lists; fetch brings the manifests and configs,
# never layers: its time is printed for information). OCI types, so that
# skopeo keeps every digest too.
#
# Then, both tools in the same run, alternating (the order swapping each run):
#
#  export   `manifold export -o oci:DIR src/app:list` (layers streamed from
#           the registry) vs `skopeo copy --all --preserve-digests
#           docker://R/src/app:list oci:DIR2:t`.
#  archive  the same into `oci-archive:FILE` vs skopeo's `oci-archive:FILE:t`.
#  import   `manifold import oci:DIR` (DIR: manifold's export) into an empty
#           store, which reads and verifies every layer, vs `skopeo copy --all
#           --preserve-digests oci:DIR:TAG oci:DIR3:t`. NOT the same job:
#           skopeo also writes every blob into a new layout, manifold writes
#           manifests and configs into its store and only reads the layers;
#           both read and verify everything. (skopeo has no import into a
#           store; `skopeo copy oci:... docker://...` would be a push.)
#  hash     manifold's import against `openssl dgst -sha256` over the 64 layer
#           files of DIR, in the same runs as the imports (page cache warm for
#           all), on the same bytes, each figure over the layer bytes:
#             wall   throughput (layer bytes / wall time), manifold/openssl:
#                    the goal's figure. manifold hashes with OpenSSL too (the
#                    module), verifying --jobs layers at once (by default one
#                    per processor, at most 8), and its time includes the whole
#                    import (start-up, manifests, configs, the store's
#                    transaction); `openssl dgst` is one process, one core.
#             cpu    user + system time, openssl/manifold: the cost of the
#                    same hashing, whatever the parallelism.
#           Two more pairs, so that neither side has the cores the other lacks:
#           `manifold import -j 1` (one worker) against that same openssl, and
#           manifold's default against openssl run as $(nproc) processes at
#           once (`xargs -P`, the files shared out evenly, one start-up each).
#  memory   the peak resident set (`/usr/bin/time -f %M`) of every manifold
#           command above, and of an export and an import of a 1-entry list
#           whose image has a single layer of BENCH_LAYOUTS_BIG bytes (default
#           128 MiB): memory must not grow with the size of a layer; and of
#           an export and an import of an 8-entry list with a layer of
#           BENCH_LAYOUTS_BIG/8 bytes per image, so that all of export's 8
#           workers (its default --jobs) copy a big layer at once.
#
# Every list digest printed must be the seeded one (manifold's output,
# skopeo's --digestfile), every layer file of manifold's layout must hash to
# its name (openssl's output), and the imported list must be the seeded one.
#
#   MANIFOLD=path/to/manifold     the binary (default: ../build/manifold)
#   BENCH_LAYOUTS_RUNS=3          runs of each comparison, each tool
#   BENCH_LAYOUTS_LAYER=4194304   bytes of data per layer of the 64-entry list
#   BENCH_LAYOUTS_BIG=134217728   bytes of the single layer of the memory run
#
# Goals (issue 13): export and import at least 2x faster than skopeo
# (skopeo/manifold >= 2), hashing at least 0.9x openssl's speed
# (manifold/openssl >= 0.9), peak memory under 64 MiB whatever the layer
# sizes. MANIFOLD_BASE is not supported (a base without export).
# Exit status: 0 unless something failed (a command, seeding, the registry,
# a digest that differs).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
MANIFOLD=${MANIFOLD:-$here/../build/manifold}
RUNS=${BENCH_LAYOUTS_RUNS:-3}
LAYER=${BENCH_LAYOUTS_LAYER:-4194304}
BIG=${BENCH_LAYOUTS_BIG:-134217728}
N=64
TIME_GOAL=2
HASH_GOAL=0.9
MEM_GOAL_KB=65536

die() { echo "layouts.sh: error: $*" >&2; exit 1; }
[ -x "$MANIFOLD" ] || die "no manifold binary at '$MANIFOLD' (build it, or set MANIFOLD)"
MANIFOLD=$(cd "$(dirname "$MANIFOLD")" && pwd)/$(basename "$MANIFOLD")
[ "$RUNS" -ge 1 ] || die "BENCH_LAYOUTS_RUNS: $RUNS is not a number of runs"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (GNU time) for the peak memory"
command -v openssl >/dev/null || die "needs openssl"
[ -z "${MANIFOLD_BASE:-}" ] || echo "layouts.sh: MANIFOLD_BASE ignored (export and import are new)" >&2
unset MANIFOLD_BASE

# shellcheck source=lib-bench.sh
. "$here/lib-bench.sh"
bench_base
bench_setup layouts
start_registry plain
SK=(skopeo copy -q --all --preserve-digests --retry-times 2)
SKSRC=(--src-tls-verify=false --src-no-creds)
SKDST=(--dest-tls-verify=false --dest-no-creds)

# seed_list REPO ENTRIES LAYER-BYTES: pushes the OCI index REPO:list over
# ENTRIES images of one layer each; prints the index digest and writes the
# layers' hex digests to $tmp/REPO-layers (REPO with / as -).
seed_list() {
	local repo=$1 n=$2 size=$3 layout=$tmp/seed d
	local lfile=$tmp/${repo//\//-}-layers
	rm -rf "$layout"
	# One interpreter for all images (a start-up each would be most of the time).
	"$REGISTRY_PYTHON" - "$REGISTRY_HARNESS" "$layout" "$n" "$size" "$repo" "$lfile" <<-\EOF || return 1
	import argparse, contextlib, io, json, os, sys
	harness, layout, n, size, repo, lfile = sys.argv[1:7]
	sys.path.insert(0, harness)
	import seed
	plats = ["linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6",
	         "linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64"]
	blob = lambda d: os.path.join(layout, "blobs", "sha256", d.split(":", 1)[1])
	specs, layers = [], []
	for i in range(int(n)):
	    a = argparse.Namespace(layout=layout, ref="p%d" % i, platform=plats[i % 8],
	                           os_version=None, os_features=None, format="oci", layers=1,
	                           layer_size=int(size), seed="layouts-%s-%d" % (repo, i))
	    out = io.StringIO()
	    with contextlib.redirect_stdout(out):
	        seed.cmd_image(a)
	    with open(blob(out.getvalue().strip())) as f:
	        m = json.load(f)
	    specs.append(blob(out.getvalue().strip()) + "=" + blob(m["config"]["digest"]))
	    layers += [l["digest"].split(":", 1)[1] for l in m["layers"]]
	raw = io.BytesIO()
	real, sys.stdout = sys.stdout, io.TextIOWrapper(raw)
	seed.cmd_index(argparse.Namespace(format="oci", children=specs))
	sys.stdout.flush()
	data = raw.getvalue()
	sys.stdout = real
	d = seed.write_blob(layout, data)
	with open(os.path.join(layout, "index.json")) as f:
	    index = json.load(f)
	index["manifests"].append({"mediaType": seed.OCI_INDEX, "size": len(data), "digest": d,
	                           "annotations": {"org.opencontainers.image.ref.name": "list"}})
	with open(os.path.join(layout, "index.json"), "w") as f:
	    json.dump(index, f)
	with open(lfile, "w") as f:
	    f.write("\n".join(layers) + "\n")
	print(d)
	EOF
	"${SK[@]}" "${SKDST[@]}" --digestfile "$tmp/seed.digest" "oci:$layout:list" \
		"docker://$REGISTRY/$repo:list" >&2 || return 1
	d=$(cat "$tmp/seed.digest")
	rm -rf "$layout"
	printf '%s\n' "$d"
}

t0=$EPOCHREALTIME
want=$(seed_list src/app $N "$LAYER" | tail -n 1) || die "could not seed src/app:list"
[ -n "$want" ] || die "could not seed src/app:list"
mapfile -t layers <"$tmp/src-app-layers"
[ ${#layers[@]} = $N ] || die "seeded ${#layers[@]} layers, not $N"
wantbig=$(seed_list src/big 1 "$BIG" | tail -n 1) || die "could not seed src/big:list"
wantwide=$(seed_list src/wide 8 $((BIG / 8)) | tail -n 1) || die "could not seed src/wide:list"
seed_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
LIST=$REGISTRY/src/app:list BIGLIST=$REGISTRY/src/big:list WIDELIST=$REGISTRY/src/wide:list

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.3f", s / NR }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minof() { printf '%s\n' "$@" | sort -g | head -n 1; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# timed NAME CMD...: runs CMD under GNU time with stdout in $tmp/out; sets
# last_s (wall seconds), last_kb (peak RSS, KiB) and last_cpu (user + system
# seconds, with its children's); dies if CMD fails.
timed() {
	local name=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$@" >"$tmp/out" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; die "$name failed: $*"; }
	t1=$EPOCHREALTIME
	last_s=$(secs "$t0" "$t1")
	read -r last_kb last_cpu <<<"$(tail -n 1 "$tmp/rss" | awk '{ printf "%s %.2f", $1, $2 + $3 }')"
}

# The list's digest, from manifold's output (DIGEST<TAB>NAME) or skopeo's file.
check_m() { [ "$(cut -f1 "$tmp/out")" = "$2" ] || die "$1 printed '$(cat "$tmp/out")', expected $2"; }
check_s() { [ "$(cat "$tmp/digest")" = "$2" ] || die "$1 wrote digest $(cat "$tmp/digest"), expected $2"; }

declare -A T	# [phase,tool] -> wall times
declare -A C	# [phase,tool] -> CPU times (user + system)
MKB=()		# every peak RSS of manifold, KiB
SKB=()		# skopeo's, for information

timed "manifold fetch" "$MANIFOLD" fetch "$LIST"
fetch_s=$last_s fetch_kb=$last_kb
MKB+=("$last_kb")
timed "manifold fetch" "$MANIFOLD" fetch "$BIGLIST"
timed "manifold fetch" "$MANIFOLD" fetch "$WIDELIST"

for ph in export archive import hash; do T[$ph,m]='' T[$ph,s]=''; done
T[import,m1]='' T[hash,p]='' C[import,m]='' C[import,m1]='' C[hash,s]='' C[hash,p]=''
NPROC=$(nproc)
for ((i = 0; i < RUNS; i++)); do
	for side in $( ((i % 2)) && echo s m || echo m s); do
		rm -rf "$tmp/x-$side" "$tmp/x-$side.tar"
		if [ "$side" = m ]; then
			timed "manifold export" "$MANIFOLD" export -q -o "oci:$tmp/x-m" "$LIST"
			check_m "manifold export" "$want"
		else
			timed "skopeo copy" "${SK[@]}" "${SKSRC[@]}" --digestfile "$tmp/digest" \
				"docker://$LIST" "oci:$tmp/x-s:t"
			check_s "skopeo copy" "$want"
		fi
		T[export,$side]+=" $last_s"
		if [ "$side" = m ]; then MKB+=("$last_kb"); else SKB+=("$last_kb"); fi
	done
done
rm -rf "$tmp/x-s"
for ((i = 0; i < RUNS; i++)); do
	for side in $( ((i % 2)) && echo s m || echo m s); do
		rm -f "$tmp/x-$side.tar"
		if [ "$side" = m ]; then
			timed "manifold export" "$MANIFOLD" export -q -o "oci-archive:$tmp/x-m.tar" "$LIST"
			check_m "manifold export" "$want"
		else
			timed "skopeo copy" "${SK[@]}" "${SKSRC[@]}" --digestfile "$tmp/digest" \
				"docker://$LIST" "oci-archive:$tmp/x-s.tar:t"
			check_s "skopeo copy" "$want"
		fi
		T[archive,$side]+=" $last_s"
		if [ "$side" = m ]; then MKB+=("$last_kb"); else SKB+=("$last_kb"); fi
	done
done
archive_bytes=$(stat -c %s "$tmp/x-m.tar")
rm -f "$tmp/x-m.tar" "$tmp/x-s.tar"

# The import reads manifold's layout (x-m, from the last export run).
layer_files=()
for h in "${layers[@]}"; do layer_files+=("$tmp/x-m/blobs/sha256/$h"); done
layer_bytes=$(stat -c %s "${layer_files[@]}" | awk '{ s += $1 } END { print s }')
printf '%s\n' "${layer_files[@]}" >"$tmp/layer-files"
# check_hashes: openssl's output in $tmp/out names every layer file with its
# own hash (manifold wrote the right bytes), N of them.
check_hashes() {
	awk '{ sub(/^\*/, "", $2); n = split($2, p, "/"); if ($1 != p[n]) { print; bad = 1 } } END { exit bad }' \
		"$tmp/out" >&2 || die "a layer of manifold's layout does not hash to its name"
	[ "$(wc -l <"$tmp/out")" = $N ] || die "openssl hashed $(wc -l <"$tmp/out") files, not $N"
}
# import_m JOBS-ARGS...: manifold import of x-m into an empty store, checked.
import_m() {
	rm -rf "$tmp/imp"
	MANIFOLD_DIR=$tmp/imp timed "manifold import" "$MANIFOLD" import "$@" "oci:$tmp/x-m"
	grep -q "^$want	" "$tmp/out" ||
		die "manifold import printed '$(cat "$tmp/out")', not the list $want"
	[ "$(MANIFOLD_DIR=$tmp/imp "$MANIFOLD" rev-parse "$LIST")" = "$want" ] ||
		die "the imported $LIST is not $want"
}
for ((i = 0; i < RUNS; i++)); do
	for side in $( ((i % 2)) && echo p h m1 s m || echo m s m1 h p); do
		case $side in
		m)	import_m
			T[import,m]+=" $last_s" C[import,m]+=" $last_cpu"
			MKB+=("$last_kb") ;;
		m1)	import_m -j 1
			T[import,m1]+=" $last_s" C[import,m1]+=" $last_cpu"
			MKB+=("$last_kb") ;;
		s)	rm -rf "$tmp/x-3"
			timed "skopeo copy" "${SK[@]}" --digestfile "$tmp/digest" \
				"oci:$tmp/x-m:$LIST" "oci:$tmp/x-3:t"
			check_s "skopeo copy" "$want"
			T[import,s]+=" $last_s"
			SKB+=("$last_kb") ;;
		h)	timed "openssl dgst" openssl dgst -sha256 -r "${layer_files[@]}"
			check_hashes
			T[hash,s]+=" $last_s" C[hash,s]+=" $last_cpu" ;;
		p)	timed "openssl dgst (xargs -P)" xargs -P "$NPROC" -n $(((N + NPROC - 1) / NPROC)) \
				openssl dgst -sha256 -r <"$tmp/layer-files"
			# (Their lines interleave: the h runs check the hashes.)
			T[hash,p]+=" $last_s" C[hash,p]+=" $last_cpu" ;;
		esac
	done
done
rm -rf "$tmp/x-3" "$tmp/imp"

# Memory with a single big layer: one export, one import.
rm -rf "$tmp/x-m"
timed "manifold export" "$MANIFOLD" export -q -o "oci:$tmp/x-big" "$BIGLIST"
check_m "manifold export" "$wantbig"
big_export_s=$last_s big_export_kb=$last_kb
MANIFOLD_DIR=$tmp/imp-big timed "manifold import" "$MANIFOLD" import "oci:$tmp/x-big"
grep -q "^$wantbig	" "$tmp/out" || die "manifold import printed '$(cat "$tmp/out")', not the list $wantbig"
big_import_s=$last_s big_import_kb=$last_kb
big_bytes=$(stat -c %s "$tmp/x-big/blobs/sha256/$(cat "$tmp/src-big-layers")")
rm -rf "$tmp/x-big" "$tmp/imp-big"
timed "manifold export" "$MANIFOLD" export -q -o "oci:$tmp/x-wide" "$WIDELIST"
check_m "manifold export" "$wantwide"
wide_export_s=$last_s wide_export_kb=$last_kb
MANIFOLD_DIR=$tmp/imp-wide timed "manifold import" "$MANIFOLD" import "oci:$tmp/x-wide"
grep -q "^$wantwide	" "$tmp/out" || die "manifold import printed '$(cat "$tmp/out")', not the list $wantwide"
wide_import_s=$last_s wide_import_kb=$last_kb
wide_bytes=$(stat -c %s "$tmp/x-wide/blobs/sha256/$(head -n 1 "$tmp/src-wide-layers")")
rm -rf "$tmp/x-wide" "$tmp/imp-wide"

# ---- report
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
mbs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { print (r >= g) ? "meets" : "MISSES" }'; }
echo "layouts: $N-entry OCI index src/app:list on $REGISTRY_URL (plain HTTP), one layer per image,"
echo "  $(mib "$layer_bytes") MiB of layers in all ($LAYER bytes of random data each, stored gzip); seeded in $seed_s s"
echo "  binary:  $MANIFOLD"
echo "  skopeo:  $(command -v skopeo) ($(skopeo --version 2>/dev/null))"
echo "  openssl: $(openssl version)"
echo "  set-up, not timed against anything: manifold fetch $LIST (manifests and configs, no layers): $fetch_s s, $fetch_kb KiB"
echo "  wall time, $RUNS runs each, alternating; peak RSS from /usr/bin/time"
printf '    %-64s %8s %8s %8s\n' command mean_s min_s max_s
row() {
	# shellcheck disable=SC2086
	printf '    %-64s %8.3f %8.3f %8.3f\n' "$1" "$(mean $2)" "$(minof $2)" "$(maxof $2)"
}
row "manifold export -o oci:DIR" "${T[export,m]}"
row "skopeo copy --all docker://... oci:DIR:t" "${T[export,s]}"
row "manifold export -o oci-archive:FILE" "${T[archive,m]}"
row "skopeo copy --all docker://... oci-archive:FILE:t" "${T[archive,s]}"
row "manifold import oci:DIR (empty store)" "${T[import,m]}"
row "manifold import -j 1 oci:DIR (empty store, one worker)" "${T[import,m1]}"
row "skopeo copy --all oci:DIR:TAG oci:DIR3:t (not the same job)" "${T[import,s]}"
row "openssl dgst -sha256 (the $N layer files of DIR)" "${T[hash,s]}"
row "openssl dgst -sha256, $NPROC processes at once (xargs -P)" "${T[hash,p]}"
echo "  CPU time (user + system), same runs"
row "manifold import oci:DIR" "${C[import,m]}"
row "manifold import -j 1 oci:DIR" "${C[import,m1]}"
row "openssl dgst -sha256" "${C[hash,s]}"
row "openssl dgst -sha256, $NPROC processes at once" "${C[hash,p]}"
echo "  archive: $archive_bytes bytes ($(mib "$archive_bytes") MiB)"
echo "  peak RSS, manifold: $(printf '%s\n' "${MKB[@]}" | sort -g | tr '\n' ' ')KiB"
echo "  peak RSS, skopeo (information): $(printf '%s\n' "${SKB[@]}" | sort -g | tr '\n' ' ')KiB"
echo "  one layer of $(mib "$big_bytes") MiB: export $big_export_s s, $big_export_kb KiB; import $big_import_s s, $big_import_kb KiB"
echo "  8 entries, a layer of $(mib "$wide_bytes") MiB each: export $wide_export_s s, $wide_export_kb KiB; import $wide_import_s s, $wide_import_kb KiB"

results=()
for ph in export archive import; do
	# shellcheck disable=SC2086
	mt=$(mean ${T[$ph,m]}) st=$(mean ${T[$ph,s]})
	r=$(ratio "$st" "$mt")
	v=$(verdict "$r" $TIME_GOAL)
	case $ph in
	export)	what="export -o oci:DIR, $N entries, $(mib "$layer_bytes") MiB (ratio = skopeo/manifold)"
		anchor="skopeo copy --all docker:// oci:" ;;
	archive) what="export -o oci-archive:FILE, $N entries (ratio = skopeo/manifold)"
		anchor="skopeo copy --all docker:// oci-archive:" ;;
	import)	what="import oci:DIR into an empty store (ratio = skopeo/manifold; not the same job)"
		anchor="skopeo copy --all oci: oci:" ;;
	esac
	echo "  ratio skopeo/manifold, $ph: $r (goal >= $TIME_GOAL: $v)"
	results+=("$(printf 'RESULT\tlayouts\t%s (mean of %d)\t%.3f s\t%s %.3f s\t%s\t>= %s\t%s' \
		"$what" "$RUNS" "$mt" "$anchor" "$st" "$r" "$TIME_GOAL" "$v")")
done
# hash_pair WHAT M-WALLS M-CPUS O-WALLS O-CPUS ANCHOR: prints the wall
# (throughput over the layer bytes, medians) and CPU ratios of manifold
# against an openssl anchor, and adds their RESULT lines.
hash_pair() {
	local what=$1 mw mc ow oc mr or rw rc vw vc
	# shellcheck disable=SC2086
	mw=$(median $2) mc=$(median $3) ow=$(median $4) oc=$(median $5)
	mr=$(mbs "$layer_bytes" "$mw") or=$(mbs "$layer_bytes" "$ow")
	rw=$(ratio "$ow" "$mw") rc=$(ratio "$oc" "$mc")
	vw=$(verdict "$rw" $HASH_GOAL) vc=$(verdict "$rc" $HASH_GOAL)
	echo "  hashing, $what vs $6: wall $mr MB/s (median $mw s) vs $or MB/s ($ow s): manifold/openssl $rw (goal >= $HASH_GOAL: $vw);" \
		"CPU $mc s vs $oc s: openssl/manifold $rc ($vc)"
	results+=("$(printf 'RESULT\tlayouts\thashing, %s: throughput over the layer bytes, wall, median of %d (ratio = manifold/openssl)\t%s MB/s\t%s %s MB/s\t%s\t>= %s\t%s' \
		"$what" "$RUNS" "$mr" "$6" "$or" "$rw" "$HASH_GOAL" "$vw")")
	results+=("$(printf 'RESULT\tlayouts\thashing, %s: CPU time (user + system), median of %d (ratio = openssl/manifold)\t%s s\t%s %s s\t%s\t>= %s\t%s' \
		"$what" "$RUNS" "$mc" "$6" "$oc" "$rc" "$HASH_GOAL" "$vc")")
}
hash_pair "manifold import (default --jobs)" "${T[import,m]}" "${C[import,m]}" \
	"${T[hash,s]}" "${C[hash,s]}" "openssl dgst -sha256"
hash_pair "manifold import -j 1" "${T[import,m1]}" "${C[import,m1]}" \
	"${T[hash,s]}" "${C[hash,s]}" "openssl dgst -sha256"
hash_pair "manifold import (default --jobs)" "${T[import,m]}" "${C[import,m]}" \
	"${T[hash,p]}" "${C[hash,p]}" "openssl dgst -sha256 x$NPROC (xargs -P)"
peak=$(printf '%s\n' "${MKB[@]}" "$big_export_kb" "$big_import_kb" "$wide_export_kb" "$wide_import_kb" | sort -g | tail -n 1)
v=$([ "$peak" -lt $MEM_GOAL_KB ] && echo meets || echo MISSES)
echo "  peak memory of manifold, every run: $peak KiB (goal < $MEM_GOAL_KB KiB: $v)"
results+=("$(printf 'RESULT\tlayouts\tpeak RSS of manifold, every run: 64 x %s, 1 x %s, 8 x %s MiB layers\t%s KiB\tskopeo max %s KiB\t-\t< 64 MiB\t%s' \
	"$(mib "$LAYER")" "$(mib "$big_bytes")" "$(mib "$wide_bytes")" "$peak" "$(maxof "${SKB[@]}")" "$v")")
printf '%s\n' "${results[@]}"
