#!/usr/bin/env bash
# bench/objects.sh: writing and looking up many small manifests in one store.
#
# Generates BENCH_OBJECTS distinct OCI image manifests (~500 bytes each) as one
# `hash-object -w --batch` stream (generation is not timed), then times
#   manifold hash-object -w --batch <stream >digests     (real fsyncs: MF_NOSYNC unset)
#   manifold cat-manifest --batch-check <digests         (every line checked)
#   manifold update-ref lists/benchN <digest>            (one write to the full store)
# and reports the store's size. The anchor, for information: git
# hash-object -w --stdin-paths of the first 20,000 of the same manifests,
# written as loose files, in a fresh SHA-256 git repository, extrapolated per
# object (git writes one zlib-compressed loose file per object and by default
# does not fsync them). The lookup anchor: all BENCH_OBJECTS manifests as git
# blobs (git fast-import, then `git repack -adq`: a packed repository), and
# `git cat-file --batch-check` of their ids in the same order as manifold's
# lookups (every line checked against the expected size).
# Goals (issue 15): hash-object -w --batch >= 50,000 objects/s with real
# fsyncs, peak RSS not growing with the count; cat-manifest --batch-check
# >= 1,000,000 lookups/s. A missed goal prints MISSES, the exit status stays 0.
#
#   MANIFOLD=path/to/manifold   the binary (default: ../build/manifold)
#   MANIFOLD_BASE=path          a base binary, timed the same way into a store
#                               of its own (README.md)
#   BENCH_OBJECTS=1000000       number of manifests
#   BENCH_GIT_OBJECTS=20000     number of them the git anchor writes
#   BENCH_GIT_LOOKUP=1          0: skip the packed git lookup anchor (its
#                               import and repack take minutes at 1M)
#   TMPDIR                      where the store, the stream and the git repo go
#
# Exit status: 0 unless something failed or an answer was wrong.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
MANIFOLD=${MANIFOLD:-$here/../build/manifold}
COUNT=${BENCH_OBJECTS:-1000000}
GIT_COUNT=${BENCH_GIT_OBJECTS:-20000}
[ "$GIT_COUNT" -le "$COUNT" ] || GIT_COUNT=$COUNT
GIT_LOOKUP=${BENCH_GIT_LOOKUP:-1}
MT=application/vnd.oci.image.manifest.v1+json
WRITE_GOAL=50000 LOOKUP_GOAL=1000000

die() { echo "objects.sh: error: $*" >&2; exit 1; }
[ -x "$MANIFOLD" ] || die "no manifold binary at '$MANIFOLD' (build it, or set MANIFOLD)"
MANIFOLD=$(cd "$(dirname "$MANIFOLD")" && pwd)/$(basename "$MANIFOLD")
command -v python3 >/dev/null || die "python3 not found (needed to generate manifests)"
command -v git >/dev/null || die "git not found (needed for the anchor)"
# shellcheck source=lib-bench.sh
. "$here/lib-bench.sh"
bench_base

tmp=$(mktemp -d "${TMPDIR:-/tmp}/manifold-bench-objects.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
store=$tmp/store store_base=$tmp/store-base
export MANIFOLD_DIR=$store
# The timed write uses real fsyncs (LMDB's default durable commits).
unset MF_NOSYNC MANIFOLD_MAP_SIZE

# `time` prints "real user sys" seconds.
TIMEFORMAT='%3R %3U %3S'
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", (t > 0) ? n / t : 0 }'; }

echo "objects: $COUNT distinct OCI image manifests in one store"
echo "  binary:   $MANIFOLD"
[ -z "$BASE" ] || echo "  base:     $BASE (the same write and lookup, into $store_base)"
echo "  store:    $store ($(df -PT "$tmp" | awk 'NR == 2 { print $2 " on " $1 }'))"
t0=$EPOCHREALTIME
gen=$(python3 "$here/gen-manifests.py" "$COUNT" "$tmp/batch" "$tmp/expected" \
	"$tmp/loose" "$GIT_COUNT") || die "generating manifests failed"
echo "  input:    $gen; --batch stream $(stat -c %s "$tmp/batch") bytes" \
	"(generated in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s, not timed)"
manifest_bytes=$(echo "$gen" | awk '{ print $3 }')
# Have the input in the page cache, as the store's writes are what we time.
cat "$tmp/batch" >/dev/null

# write WHO BINARY STORE: time BINARY hash-object -w --batch into STORE (a
# new one), check every digest. Sets w_real w_user w_sys w_rate.
write_objects() {
	if ! { time MANIFOLD_DIR=$3 /usr/bin/time -f %M -o "$tmp/rss" "$2" hash-object -w --batch <"$tmp/batch" >"$tmp/digests" 2>"$tmp/err"; } 2>"$tmp/time"; then
		cat "$tmp/err" >&2
		die "$1: hash-object -w --batch failed"
	fi
	read -r w_real w_user w_sys <"$tmp/time"
	if ! cmp -s "$tmp/digests" "$tmp/expected"; then
		echo "  first differences (line: $1 vs expected):" >&2
		diff <(nl -ba "$tmp/digests") <(nl -ba "$tmp/expected") | head -6 >&2 || true
		die "$1: hash-object -w --batch printed $(wc -l <"$tmp/digests") digests, not the $COUNT expected ones"
	fi
	w_rate=$(rate "$COUNT" "$w_real")
	w_rss=$(tail -n 1 "$tmp/rss")
	printf '            %.3f s wall (%.3f user, %.3f sys): %s objects/s, %.1f us/object; peak RSS %s KiB; digests all correct\n' \
		"$w_real" "$w_user" "$w_sys" "$w_rate" "$(awk -v t="$w_real" -v n="$COUNT" 'BEGIN { print t / n * 1e6 }')" "$w_rss"
}
# lookup WHO BINARY STORE: time BINARY cat-manifest --batch-check in STORE,
# check every line. Sets c_real c_user c_sys c_rate.
lookup_objects() {
	if ! { time MANIFOLD_DIR=$3 "$2" cat-manifest --batch-check <"$tmp/digests" >"$tmp/check" 2>"$tmp/err"; } 2>"$tmp/time"; then
		cat "$tmp/err" >&2
		die "$1: cat-manifest --batch-check failed"
	fi
	read -r c_real c_user c_sys <"$tmp/time"
	if ! cmp -s "$tmp/check" "$tmp/expected.check"; then
		bad=$(diff "$tmp/check" "$tmp/expected.check" | grep -c '^<' || true)
		echo "  first differences:" >&2
		diff <(nl -ba "$tmp/check") <(nl -ba "$tmp/expected.check") | head -6 >&2 || true
		die "$1: cat-manifest --batch-check: $bad of $COUNT lines are not '<digest> $MT <size>' as expected"
	fi
	c_rate=$(rate "$COUNT" "$c_real")
	printf '            %.3f s wall (%.3f user, %.3f sys): %s objects/s; all %s found with type %s and the right size\n' \
		"$c_real" "$c_user" "$c_sys" "$c_rate" "$COUNT" "$MT"
}
# store_size LABEL STORE: prints the line about STORE's size. Sets allocated.
store_size() {
	local apparent
	apparent=$(stat -c %s "$2/data.mdb")
	allocated=$(du -B1 "$2/data.mdb" | cut -f1)
	printf '  %-9s data.mdb %s bytes (du: %s bytes); %.0f bytes/object on disk (du), %.0f apparent; the manifests themselves average %.0f bytes\n' \
		"$1" "$apparent" "$allocated" "$(awk -v a="$allocated" -v n="$COUNT" 'BEGIN { print a / n }')" \
		"$(awk -v a="$apparent" -v n="$COUNT" 'BEGIN { print a / n }')" \
		"$(awk -v a="$manifest_bytes" -v n="$COUNT" 'BEGIN { print a / n }')"
}

# 1. Write. With a base binary: the current one first, then the base into its
# own new store.
echo "  write:    manifold hash-object -w --batch <stream >digests   (MF_NOSYNC unset: real fsyncs, a commit every 16384 objects)"
write_objects manifold "$MANIFOLD" "$store"
m_w=$w_real m_wrate=$w_rate m_rss=$w_rss
if [ -n "$BASE" ]; then
	echo "  base write: the same, into a store of its own"
	write_objects base "$BASE" "$store_base"
	b_w=$w_real w_real=$m_w w_rate=$m_wrate
fi

# 2. Look up. With a base binary: the base first this time (the order of the
# writes reversed).
if [ -n "$BASE" ]; then
	echo "  base lookup: cat-manifest --batch-check <digests, in its own store"
	lookup_objects base "$BASE" "$store_base"
	b_c=$c_real
fi
echo "  lookup:   manifold cat-manifest --batch-check <digests"
lookup_objects manifold "$MANIFOLD" "$store"
m_c=$c_real m_crate=$c_rate

# The lookup anchor: the same manifests as blobs of a packed git repository,
# looked up by their git ids in the same order.
gl_rate=
if [ "$GIT_LOOKUP" = 1 ]; then
	git init -q --object-format=sha256 "$tmp/gitpack"
	t0=$EPOCHREALTIME
	python3 - "$tmp/batch" <<-'PY' | git -C "$tmp/gitpack" fast-import --quiet --export-marks="$tmp/marks" ||
	import sys
	f = open(sys.argv[1], "rb")
	o = sys.stdout.buffer
	i = 0
	while True:
	    h = f.readline()
	    if not h:
	        break
	    n = int(h.split(b" ", 1)[0])
	    i += 1
	    o.write(b"blob\nmark :%d\ndata %d\n" % (i, n))
	    o.write(f.read(n))
	    f.read(1)
	    o.write(b"\n")
	# Reachable from a commit, or repack drops them.
	o.write(b"commit refs/heads/main\ncommitter b <b@example.com> 0 +0000\ndata 0\n")
	for k in range(1, i + 1):
	    o.write(b"M 100644 :%d %02x/%d\n" % (k, k % 256, k))
	o.write(b"\n")
	PY
		die "git fast-import failed"
	git -C "$tmp/gitpack" repack -adq || die "git repack -ad failed"
	# marks are ":<n> <oid>"; in the order written, as the digests.
	sort -t: -k2 -n "$tmp/marks" | awk '{ print $2 }' >"$tmp/git.oids"
	[ "$(wc -l <"$tmp/git.oids")" = "$COUNT" ] || die "git fast-import marked the wrong number of blobs"
	awk '{ print $3 }' "$tmp/expected.check" >"$tmp/sizes"
	echo "  anchor:   git cat-file --batch-check of the same $COUNT manifests as blobs of a packed repository" \
		"(fast-import, repack -adq: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s, not timed; $(ls "$tmp/gitpack/.git/objects/pack/"*.pack | wc -l) pack)"
	if ! { time git -C "$tmp/gitpack" cat-file --batch-check <"$tmp/git.oids" >"$tmp/git.check" 2>"$tmp/err"; } 2>"$tmp/time"; then
		cat "$tmp/err" >&2
		die "git cat-file --batch-check failed"
	fi
	read -r gl_real gl_user gl_sys <"$tmp/time"
	paste -d ' ' "$tmp/git.oids" "$tmp/sizes" | awk '{ print $1 " blob " $2 }' | cmp -s - "$tmp/git.check" ||
		die "git cat-file --batch-check did not answer '<oid> blob <size>' for every blob"
	gl_rate=$(rate "$COUNT" "$gl_real")
	printf '            %.3f s wall (%.3f user, %.3f sys): %s objects/s; every line right\n' \
		"$gl_real" "$gl_user" "$gl_sys" "$gl_rate"
fi

# 3. Size on disk.
if [ -n "$BASE" ]; then
	store_size "base store:" "$store_base"
	b_alloc=$allocated
fi
store_size "store:" "$store"

# 4. The anchor: git, loose objects, the same manifests.
git_run() { # repo-dir extra-git-args...
	local repo=$1
	shift
	git init -q --object-format=sha256 "$repo"
	if ! { time git -C "$repo" "$@" hash-object -w --stdin-paths <"$tmp/loose.paths" >"$tmp/git.out" 2>"$tmp/err"; } 2>"$tmp/time"; then
		cat "$tmp/err" >&2
		die "git hash-object -w --stdin-paths failed"
	fi
	[ "$(wc -l <"$tmp/git.out")" = "$GIT_COUNT" ] || die "git hash-object printed the wrong number of ids"
	read -r g_real g_user g_sys <"$tmp/time"
}
git_run "$tmp/git"
g_per=$(awk -v t="$g_real" -v n="$GIT_COUNT" 'BEGIN { print t / n }')
g_rate=$(rate "$GIT_COUNT" "$g_real")
g_extra=$(awk -v p="$g_per" -v n="$COUNT" 'BEGIN { printf "%.1f", p * n }')
echo "  anchor:   git hash-object -w --stdin-paths of the first $GIT_COUNT as loose files ($(git --version), --object-format=sha256, default core.fsync: loose objects not fsynced)"
printf '            %.3f s wall (%.3f user, %.3f sys) for %s: %s objects/s, %.1f us/object; extrapolated to %s objects: %s s\n' \
	"$g_real" "$g_user" "$g_sys" "$GIT_COUNT" "$g_rate" "$(awk -v p="$g_per" 'BEGIN { print p * 1e6 }')" "$COUNT" "$g_extra"
git_run "$tmp/git-fsync" -c core.fsync=loose-object -c core.fsyncMethod=batch
gf_rate=$(rate "$GIT_COUNT" "$g_real")
printf '            (information: with -c core.fsync=loose-object -c core.fsyncMethod=batch: %.3f s, %s objects/s)\n' \
	"$g_real" "$gf_rate"
ratio=$(awk -v m="$w_real" -v n="$COUNT" -v g="$g_per" 'BEGIN { printf "%.2f", (m / n) / g }')
echo "  ratio manifold/git time per object written: $ratio  (below 1: manifold is faster; information, no goal)"
w_verdict=$(awk -v r="$m_wrate" -v g=$WRITE_GOAL 'BEGIN { print (r >= g) ? "meets" : "MISSES" }')
echo "  goal: hash-object -w --batch >= $WRITE_GOAL objects/s (fsync on): $m_wrate: $w_verdict; peak RSS $m_rss KiB (must not grow with BENCH_OBJECTS: compare runs)"
c_verdict=$(awk -v r="$m_crate" -v g=$LOOKUP_GOAL 'BEGIN { print (r >= g) ? "meets" : "MISSES" }')
c_ratio=-
if [ -n "$gl_rate" ]; then
	c_ratio=$(awk -v g="$gl_real" -v m="$m_c" 'BEGIN { printf "%.2f", g / m }')
	echo "  ratio git/manifold --batch-check wall time: $c_ratio  (above 1: manifold is faster)"
fi
echo "  goal: cat-manifest --batch-check >= $LOOKUP_GOAL lookups/s: $m_crate: $c_verdict"
[ -z "$BASE" ] || base_vs "hash-object -w --batch wall time" "$b_w" "$w_real" s
printf 'RESULT\tobjects\tmanifold hash-object -w --batch, %s objects (peak RSS %s KiB)\t%s obj/s (%.1f s)\tgit loose %s obj/s (extrapolated %s s)\t%s\t>= %s obj/s\t%s%s\n' \
	"$COUNT" "$m_rss" "$w_rate" "$w_real" "$g_rate" "$g_extra" "$ratio" "$WRITE_GOAL" "$w_verdict" \
	"$(base_fields "$(rate "$COUNT" "${b_w:-0}") obj/s ($(printf '%.1f' "${b_w:-0}") s)" "${base_ratio:-}")"
[ -z "$BASE" ] || base_vs "cat-manifest --batch-check wall time" "$b_c" "$c_real" s
printf 'RESULT\tobjects\tmanifold cat-manifest --batch-check, %s objects\t%s obj/s (%.1f s)\t%s\t%s\t>= %s obj/s\t%s%s\n' \
	"$COUNT" "$m_crate" "$m_c" "$([ -n "$gl_rate" ] && echo "git packed $gl_rate obj/s (${gl_real} s)" || echo -)" "$c_ratio" "$LOOKUP_GOAL" "$c_verdict" \
	"$(base_fields "$(rate "$COUNT" "${b_c:-0}") obj/s ($(printf '%.1f' "${b_c:-0}") s)" "${base_ratio:-}")"
# 5. One small write to the full store: what every write command pays
# once, as the first write of a process checks every page in use
# (odb/tree-check.c). Median of 5 runs of update-ref, each a process of
# its own; the anchor, git update-ref in the loose repository.
# time_one OUT CMD...: CMD's wall seconds appended to OUT; dies if it fails.
time_one() {
	local out=$1
	shift
	if ! { time "$@" >/dev/null 2>"$tmp/err"; } 2>"$tmp/time"; then
		cat "$tmp/err" >&2
		die "$* failed"
	fi
	awk '{ print $1 }' "$tmp/time" >>"$out"
}
one=$(head -n 1 "$tmp/digests")
goid=$(head -n 1 "$tmp/git.out")
: >"$tmp/u.m"
: >"$tmp/u.g"
for i in 1 2 3 4 5; do
	time_one "$tmp/u.m" "$MANIFOLD" update-ref "lists/bench$i" "$one"
	time_one "$tmp/u.g" git -C "$tmp/git" update-ref "refs/tags/bench$i" "$goid"
done
u_real=$(sort -n "$tmp/u.m" | sed -n 3p)
gu_real=$(sort -n "$tmp/u.g" | sed -n 3p)
echo "  one write: manifold update-ref in the $COUNT-object store (checks every page first): ${u_real} s;" \
	"git update-ref: ${gu_real} s (median of 5; information, no goal)"
printf 'RESULT\tobjects\tmanifold update-ref, one write to a %s-object store\t%s s\tgit update-ref %s s\t-\t-\tinfo\n' \
	"$COUNT" "$u_real" "$gu_real"
[ -z "$BASE" ] || base_vs "data.mdb on disk" "$b_alloc" "$allocated" bytes
printf 'RESULT\tobjects\tstore size, %s objects\t%.0f bytes/object (du %s bytes)\tmanifest %.0f bytes/object\t%.2f\t-\tinfo%s\n' \
	"$COUNT" "$(awk -v a="$allocated" -v n="$COUNT" 'BEGIN { print a / n }')" "$allocated" \
	"$(awk -v a="$manifest_bytes" -v n="$COUNT" 'BEGIN { print a / n }')" \
	"$(awk -v a="$allocated" -v m="$manifest_bytes" 'BEGIN { print a / m }')" \
	"$(base_fields "$(awk -v a="${b_alloc:-0}" -v n="$COUNT" 'BEGIN { printf "%.0f", a / n }') bytes/object" "${base_ratio:-}")"
