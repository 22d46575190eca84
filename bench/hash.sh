#!/usr/bin/env bash
# bench/hash.sh: SHA-256 throughput of `manifold hash-object` on a large file
# (streamed through OpenSSL from manifold-net.so), against sha256sum and
# `openssl dgst -sha256` on the same file, in the same run.
#
#   MANIFOLD=path/to/manifold   the binary (default: ../build/manifold)
#   MANIFOLD_BASE=path          a base binary, timed in the same rounds (README.md)
#   BENCH_HASH_SIZE=1G          file size, as `head -c` takes it (256M, 1G, ...)
#   BENCH_HASH_RUNS=5           timed runs of each command, interleaved
#   TMPDIR                      where the file goes (needs the space)
#
# Goal: manifold's median within 1.10x of the faster anchor's median.
# Exit status: 0 unless something failed or the digests disagree.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
MANIFOLD=${MANIFOLD:-$here/../build/manifold}
SIZE=${BENCH_HASH_SIZE:-1G}
RUNS=${BENCH_HASH_RUNS:-5}
GOAL=1.10
LAYER_MT=application/vnd.oci.image.layer.v1.tar

die() { echo "hash.sh: error: $*" >&2; exit 1; }
[ -x "$MANIFOLD" ] || die "no manifold binary at '$MANIFOLD' (build it, or set MANIFOLD)"
MANIFOLD=$(cd "$(dirname "$MANIFOLD")" && pwd)/$(basename "$MANIFOLD")
command -v sha256sum >/dev/null || die "sha256sum not found"
# shellcheck source=lib-bench.sh
. "$here/lib-bench.sh"
bench_base
command -v openssl >/dev/null || die "openssl not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/manifold-bench-hash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
file=$tmp/layer.bin
# Hashing without -w opens no store, but keep it away from the user's anyway.
export MANIFOLD_DIR=$tmp/store

# Random data, fast: AES-CTR keystream over zeros.
openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:manifold-bench \
	-in /dev/zero 2>/dev/null | head -c "$SIZE" >"$file" || true
bytes=$(stat -c %s "$file")
[ "$bytes" -gt 0 ] || die "could not create the test file"
mem_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
if [ $((bytes / 1024)) -gt $((mem_kb * 8 / 10)) ]; then
	echo "warning: the file ($bytes bytes) may not fit in the page cache" >&2
fi
# Warm the page cache: every timed run reads from memory.
cat "$file" >/dev/null
cat "$file" >/dev/null

names=(manifold sha256sum openssl)
[ -z "$BASE" ] || names+=(base)
run() {
	case $1 in
	manifold) "$MANIFOLD" hash-object -t "$LAYER_MT" "$file" ;;
	base) "$BASE" hash-object -t "$LAYER_MT" "$file" ;;
	sha256sum) sha256sum "$file" ;;
	openssl) openssl dgst -sha256 "$file" ;;
	esac
}
digest_of() {
	case $1 in
	manifold | base) sed -n 's/^sha256:\([0-9a-f]\{64\}\)$/\1/p' ;;
	sha256sum) awk '{ print $1 }' ;;
	openssl) awk '{ print $NF }' ;;
	esac
}

declare -A times digests
for ((r = 0; r < RUNS; r++)); do
	# Rotate the order each round so no command always runs first.
	for ((k = 0; k < ${#names[@]}; k++)); do
		n=${names[(k + r) % ${#names[@]}]}
		t0=$EPOCHREALTIME
		run "$n" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; die "$n failed"; }
		t1=$EPOCHREALTIME
		times[$n]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }') "
		d=$(digest_of "$n" <"$tmp/out")
		[ -n "$d" ] || die "$n printed no digest: $(cat "$tmp/out")"
		if [ -n "${digests[$n]:-}" ] && [ "${digests[$n]}" != "$d" ]; then
			die "$n gave two different digests for the same file"
		fi
		digests[$n]=$d
	done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "hash: SHA-256 of a $bytes-byte file of random data (page cache warm), $RUNS runs each, interleaved"
echo "  binary:   $MANIFOLD"
[ -z "$BASE" ] || echo "  base:     $BASE (the same command, in the same rounds)"
echo "  commands: manifold hash-object -t $LAYER_MT FILE | sha256sum FILE | openssl dgst -sha256 FILE"
printf '  %-10s %10s %9s   %s\n' command median_s GB/s "all runs (s)"
declare -A med
for n in "${names[@]}"; do
	med[$n]=$(echo "${times[$n]}" | median)
	printf '  %-10s %10.3f %9.3f   %s\n' "$n" "${med[$n]}" \
		"$(awk -v b="$bytes" -v t="${med[$n]}" 'BEGIN { print b / t / 1e9 }')" "${times[$n]}"
done

ok=1
for n in sha256sum openssl ${BASE:+base}; do
	if [ "${digests[$n]}" != "${digests[manifold]}" ]; then
		echo "  DIGEST MISMATCH: manifold ${digests[manifold]} vs $n ${digests[$n]}" >&2
		ok=0
	fi
done
[ $ok = 1 ] && echo "  digests agree: sha256:${digests[manifold]}"

anchor=sha256sum
if awk -v a="${med[openssl]}" -v b="${med[sha256sum]}" 'BEGIN { exit !(a < b) }'; then
	anchor=openssl
fi
ratio=$(awk -v m="${med[manifold]}" -v a="${med[$anchor]}" 'BEGIN { printf "%.3f", m / a }')
verdict=$(awk -v r="$ratio" -v g="$GOAL" 'BEGIN { print (r <= g) ? "meets" : "MISSES" }')
echo "  ratio manifold/$anchor (the faster anchor): $ratio  (goal <= $GOAL: $verdict)"
[ -z "$BASE" ] || base_vs "hash-object median" "${med[base]}" "${med[manifold]}" s
# One machine-readable line for run-all.sh.
printf 'RESULT\thash\tmanifold hash-object, %s bytes\t%.3f s (%.2f GB/s)\t%s %.3f s\t%s\t<= %s\t%s%s\n' \
	"$bytes" "${med[manifold]}" "$(awk -v b="$bytes" -v t="${med[manifold]}" 'BEGIN { print b / t / 1e9 }')" \
	"$anchor" "${med[$anchor]}" "$ratio" "$GOAL" "$verdict" \
	"$(base_fields "$(printf '%.3f s' "${med[base]:-0}")" "${base_ratio:-}")"
[ $ok = 1 ] || exit 1
