#!/usr/bin/env bash
# bench/startup.sh: the cost of one plumbing call, against a bare process.
#
# Populates a store with a few hundred manifests (one --batch call), then runs
# `manifold cat-manifest -e <digest>` and `/bin/true`, and for information
# `manifold hash-object <tiny file>` (no -w), in a tight fork+exec loop
# (bench/forkbench.c, compiled into a temp dir), interleaved in rounds.
#
#   MANIFOLD=path/to/manifold   the binary (default: ../build/manifold)
#   MANIFOLD_BASE=path          a base binary, timed in the same rounds, on the
#                               same store (README.md)
#   BENCH_STARTUP_RUNS=200      runs of each command
#   BENCH_STARTUP_ROUNDS=10     rounds they are interleaved in (divides RUNS)
#   BENCH_STARTUP_OBJECTS=300   manifests in the store
#
# Goal: cat-manifest -e within 2x of /bin/true (mean ms per run).
# Exit status: 0 unless something failed.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
MANIFOLD=${MANIFOLD:-$here/../build/manifold}
RUNS=${BENCH_STARTUP_RUNS:-200}
ROUNDS=${BENCH_STARTUP_ROUNDS:-10}
OBJECTS=${BENCH_STARTUP_OBJECTS:-300}
GOAL=2.0
TRUE=/bin/true

die() { echo "startup.sh: error: $*" >&2; exit 1; }
[ -x "$MANIFOLD" ] || die "no manifold binary at '$MANIFOLD' (build it, or set MANIFOLD)"
MANIFOLD=$(cd "$(dirname "$MANIFOLD")" && pwd)/$(basename "$MANIFOLD")
command -v cc >/dev/null || die "cc not found (needed for the fork+exec loop)"
command -v python3 >/dev/null || die "python3 not found (needed to generate manifests)"
# shellcheck source=lib-bench.sh
. "$here/lib-bench.sh"
bench_base

tmp=$(mktemp -d "${TMPDIR:-/tmp}/manifold-bench-startup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
export MANIFOLD_DIR=$tmp/store
unset MANIFOLD_MODULE_PATH

cc -O2 -o "$tmp/forkbench" "$here/forkbench.c" || die "cannot compile forkbench.c"
python3 "$here/gen-manifests.py" "$OBJECTS" "$tmp/batch" "$tmp/expected" >/dev/null
"$MANIFOLD" hash-object -w --batch <"$tmp/batch" >"$tmp/digests" || die "hash-object -w --batch failed"
cmp -s "$tmp/digests" "$tmp/expected" || die "hash-object -w --batch printed wrong digests"
digest=$(sed -n "$(((OBJECTS + 1) / 2))p" "$tmp/digests")
"$MANIFOLD" cat-manifest -e "$digest" || die "cat-manifest -e $digest: not found after writing it"
# A tiny manifest file, for hash-object without -w (hashed by libsodium, no store).
sed -n 2p "$tmp/batch" | tr -d '\n' >"$tmp/tiny.json"
tiny_digest=$("$MANIFOLD" hash-object "$tmp/tiny.json")
[ "$tiny_digest" = "sha256:$(sha256sum "$tmp/tiny.json" | cut -d' ' -f1)" ] ||
	die "hash-object of a tiny file printed '$tiny_digest', not its sha256"
if [ -n "$BASE" ]; then
	"$BASE" cat-manifest -e "$digest" || die "base: cat-manifest -e $digest: not found in the store"
	[ "$("$BASE" hash-object "$tmp/tiny.json")" = "$tiny_digest" ] ||
		die "base: hash-object of a tiny file printed another digest"
fi

# How many shared objects each one maps (information; DESIGN.md: a local
# command never loads libcrypto or libcurl).
libs_of() { LD_DEBUG=libs "$@" 2>&1 >/dev/null | grep -c 'calling init:' || true; }
crypto_of() { LD_DEBUG=libs "$@" 2>&1 >/dev/null | grep -cE 'calling init: .*(libcrypto|libssl|libcurl)' || true; }

fb=("$tmp/forkbench" "$RUNS" "$ROUNDS"
	true "$TRUE" \;
	cat-manifest-e "$MANIFOLD" cat-manifest -e "$digest" \;
	hash-object-tiny "$MANIFOLD" hash-object "$tmp/tiny.json")
[ -z "$BASE" ] || fb+=(\; base-cat-manifest-e "$BASE" cat-manifest -e "$digest"
	\; base-hash-object-tiny "$BASE" hash-object "$tmp/tiny.json")
"${fb[@]}" >"$tmp/result" || die "forkbench failed"

get() { awk -F'\t' -v l="$1" -v f="$2" '$1 == l { print $f }' "$tmp/result"; }
echo "startup: mean wall time per fork+exec+wait, $RUNS runs each in $ROUNDS interleaved rounds; store of $OBJECTS manifests"
echo "  binary:   $MANIFOLD"
[ -z "$BASE" ] || echo "  base:     $BASE (the same commands, in the same rounds)"
printf '  %-34s %9s %12s %9s %9s %5s\n' command mean_ms median_round min_round max_round libs
printf '  %-34s %9.3f %12.3f %9.3f %9.3f %5s\n' "$TRUE" \
	"$(get true 3)" "$(get true 4)" "$(get true 5)" "$(get true 6)" "$(libs_of "$TRUE")"
printf '  %-34s %9.3f %12.3f %9.3f %9.3f %5s\n' "manifold cat-manifest -e <digest>" \
	"$(get cat-manifest-e 3)" "$(get cat-manifest-e 4)" "$(get cat-manifest-e 5)" \
	"$(get cat-manifest-e 6)" "$(libs_of "$MANIFOLD" cat-manifest -e "$digest")"
printf '  %-34s %9.3f %12.3f %9.3f %9.3f %5s   (information)\n' "manifold hash-object <tiny file>" \
	"$(get hash-object-tiny 3)" "$(get hash-object-tiny 4)" "$(get hash-object-tiny 5)" \
	"$(get hash-object-tiny 6)" "$(libs_of "$MANIFOLD" hash-object "$tmp/tiny.json")"
if [ -n "$BASE" ]; then
	printf '  %-34s %9.3f %12.3f %9.3f %9.3f %5s\n' "base cat-manifest -e <digest>" \
		"$(get base-cat-manifest-e 3)" "$(get base-cat-manifest-e 4)" "$(get base-cat-manifest-e 5)" \
		"$(get base-cat-manifest-e 6)" "$(libs_of "$BASE" cat-manifest -e "$digest")"
	printf '  %-34s %9.3f %12.3f %9.3f %9.3f %5s   (information)\n' "base hash-object <tiny file>" \
		"$(get base-hash-object-tiny 3)" "$(get base-hash-object-tiny 4)" "$(get base-hash-object-tiny 5)" \
		"$(get base-hash-object-tiny 6)" "$(libs_of "$BASE" hash-object "$tmp/tiny.json")"
fi
n=$(crypto_of "$MANIFOLD" cat-manifest -e "$digest")
[ "$n" = 0 ] || echo "  note: cat-manifest -e loaded libcrypto/libssl/libcurl ($n)"

ratio=$(awk -v m="$(get cat-manifest-e 3)" -v a="$(get true 3)" 'BEGIN { printf "%.2f", m / a }')
ratio_med=$(awk -v m="$(get cat-manifest-e 4)" -v a="$(get true 4)" 'BEGIN { printf "%.2f", m / a }')
ratio_h=$(awk -v m="$(get hash-object-tiny 3)" -v a="$(get true 3)" 'BEGIN { printf "%.2f", m / a }')
verdict=$(awk -v r="$ratio" -v g="$GOAL" 'BEGIN { print (r <= g) ? "meets" : "MISSES" }')
echo "  ratio cat-manifest -e / true: $ratio on the means (goal <= $GOAL: $verdict); $ratio_med on the median rounds"
echo "  ratio hash-object tiny / true: $ratio_h  (information)"
[ -z "$BASE" ] || base_vs "cat-manifest -e mean" "$(get base-cat-manifest-e 3)" "$(get cat-manifest-e 3)" ms
printf 'RESULT\tstartup\tmanifold cat-manifest -e\t%.3f ms\t/bin/true %.3f ms\t%s\t<= %s\t%s%s\n' \
	"$(get cat-manifest-e 3)" "$(get true 3)" "$ratio" "$GOAL" "$verdict" \
	"$(base_fields "$(printf '%.3f ms' "$(get base-cat-manifest-e 3)")" "${base_ratio:-}")"
[ -z "$BASE" ] || base_vs "hash-object <tiny> mean" "$(get base-hash-object-tiny 3)" "$(get hash-object-tiny 3)" ms
printf 'RESULT\tstartup\tmanifold hash-object <tiny> (info)\t%.3f ms\t/bin/true %.3f ms\t%s\t-\tinfo%s\n' \
	"$(get hash-object-tiny 3)" "$(get true 3)" "$ratio_h" \
	"$(base_fields "$(printf '%.3f ms' "$(get base-hash-object-tiny 3)")" "${base_ratio:-}")"
