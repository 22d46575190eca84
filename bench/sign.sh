#!/usr/bin/env bash
# bench/sign.sh: `manifold sign` and `manifold verify` (issue 14), and the cost
# of carrying signatures in a push, side by side with an independent Python
# implementation of the same format, tests/t/sigverify.py (python3-cryptography),
# on a throwaway registry on 127.0.0.1 (tests/t/lib-registry.sh, plain HTTP).
#
# Set-up (not timed): 64 single-platform OCI images of one small layer each
# (tests/registry/seed.py, one interpreter for all) in a layout, and the
# 64-entry OCI list L = R/b/app:v1 over them (`manifold create --format oci L
# oci:SRC:t0 ... oci:SRC:t63`), in a store; its export to a layout (the
# unsigned layout, tagged L); two keys made by `manifold generate-key`
# (ecdsa-p256, the default, and ed25519), with MANIFOLD_PASSPHRASE set and
# the same passphrase in a file for sigverify.py.
#
# Then, for each key type, both sides in the same run, alternating (the order
# swapping each run):
#
#  sign      `manifold sign --key K L` (the list and its 64 entries: 65
#            signatures) on a fresh copy of the unsigned store every run, vs
#            `sigverify.py attach oci:DIR:L K PASSFILE L` on a fresh copy of
#            the unsigned layout. NOT the same job exactly: manifold writes
#            the signatures into its store in one transaction; sigverify.py
#            writes 65 payloads, configs and signature manifests as blobs of a
#            layout and rewrites index.json after each. Both decrypt the key
#            first (scrypt N=32768: ~0.1-0.5 s, in both figures). Also shown
#            per signature (time / 65).
#  verify    `manifold verify --key PUB L` (the store, offline) vs
#            `sigverify.py verify-tree oci:DIR:L PUB L`, DIR the layout
#            manifold exported from the signed store.
#  remote    after `manifold push L` (not timed): `manifold verify --remote
#            --key PUB R/REPO:v1` vs `sigverify.py verify-tree
#            http://R/REPO:v1 PUB L`, with the registry's requests of each
#            (access log, emptied before each run).
#  push      the ed25519-signed list into a fresh repository every run
#            (R/p/s-RUN:v1), vs the same with `--no-referrers`
#            (R/p/n-RUN:v1): wall time, requests, and the ratio (the cost of
#            carrying 65 signatures); then each pushed again, nothing to do:
#            requests. Before the timed runs the list went once into R/b/app
#            (the remote verify's copy), so every timed push finds its
#            configs and layers in one repository of the registry, to mount.
#  fetch     `manifold fetch L` (the ed25519-signed list on the registry, with
#            its signatures: the registry's referrers discovery) into an
#            empty store, vs `manifold fetch --no-referrers L`: wall time,
#            requests, and the extra requests per manifest; the store must
#            verify after the first and must not after the second.
#  memory    the peak resident set (`/usr/bin/time -f %M`) of every manifold
#            sign and verify above.
#
# Every `manifold sign` must print 65 `signed` lines, every verify (manifold's
# and sigverify.py's) 65 `verified` lines, and every push the list's digest.
#
#   MANIFOLD=path/to/manifold   the binary (default: ../build/manifold)
#   BENCH_SIGN_RUNS=5           runs of each comparison, each side
#
# No goal (issue 14 sets none): information. MANIFOLD_BASE is not supported
# (a base without sign). Needs /usr/bin/python3 with python3-cryptography
# (Debian 12: 38.0.4) for sigverify.py, GNU time at /usr/bin/time.
# Exit status: 0 unless something failed (a command, seeding, the registry,
# a count of lines or a digest that differs).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
MANIFOLD=${MANIFOLD:-$here/../build/manifold}
RUNS=${BENCH_SIGN_RUNS:-5}
N=64
NSIG=$((N + 1))
PY=/usr/bin/python3
SIGVERIFY=$here/../tests/t/sigverify.py

die() { echo "sign.sh: error: $*" >&2; exit 1; }
[ -x "$MANIFOLD" ] || die "no manifold binary at '$MANIFOLD' (build it, or set MANIFOLD)"
MANIFOLD=$(cd "$(dirname "$MANIFOLD")" && pwd)/$(basename "$MANIFOLD")
[ "$RUNS" -ge 1 ] || die "BENCH_SIGN_RUNS: $RUNS is not a number of runs"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (GNU time) for the peak memory"
"$PY" -c 'import cryptography.hazmat.primitives.kdf.scrypt' 2>/dev/null ||
	die "needs $PY with python3-cryptography (the anchor, tests/t/sigverify.py)"
[ -z "${MANIFOLD_BASE:-}" ] || echo "sign.sh: MANIFOLD_BASE ignored (sign and verify are new)" >&2
unset MANIFOLD_BASE

# shellcheck source=lib-bench.sh
. "$here/lib-bench.sh"
bench_base
bench_setup sign
start_registry plain
unset COSIGN_PASSWORD
export MANIFOLD_PASSPHRASE=bench-sign
echo "$MANIFOLD_PASSPHRASE" >"$tmp/pass"
L=$REGISTRY/b/app:v1

# ---- set-up, not timed
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$EPOCHREALTIME
"$REGISTRY_PYTHON" - "$REGISTRY_HARNESS" "$tmp/src" "$N" <<-\EOF || die "could not seed the images"
import argparse, contextlib, io, sys
harness, layout, n = sys.argv[1:4]
sys.path.insert(0, harness)
import seed
plats = ["linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6",
         "linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64"]
for i in range(int(n)):
    a = argparse.Namespace(layout=layout, ref="t%d" % i, platform=plats[i % 8],
                           os_version=None, os_features=None, format="oci", layers=1,
                           layer_size=None, seed="sign-%d" % i)
    with contextlib.redirect_stdout(io.StringIO()):
        seed.cmd_image(a)
EOF
srcs=()
for ((i = 0; i < N; i++)); do srcs+=("oci:$tmp/src:t$i"); done
export MANIFOLD_DIR=$tmp/store0
"$MANIFOLD" create --format oci "$L" "${srcs[@]}" >/dev/null || die "manifold create failed"
want=$("$MANIFOLD" rev-parse "$L")
"$MANIFOLD" export -q -o "oci:$tmp/lay0" "$L" >/dev/null || die "manifold export failed"
"$MANIFOLD" generate-key "$tmp/ec" 2>/dev/null || die "manifold generate-key failed"
"$MANIFOLD" generate-key --type ed25519 "$tmp/ed" 2>/dev/null || die "manifold generate-key --type ed25519 failed"
unset MANIFOLD_DIR
setup_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.3f", s / NR }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minof() { printf '%s\n' "$@" | sort -g | head -n 1; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }
# "METHOD URI STATUS" lines -> "N (8 HEAD manifests, ...)", as push.sh does
summarise() {
	awk '{ k = $1 " " ($2 ~ /\/manifests\// ? "manifests" : $2 ~ /\/blobs\// ? "blobs" : $2);
	       if (!(k in n)) o[++m] = k; n[k]++; t++ }
	     END { printf "%d (", t; for (i = 1; i <= m; i++) printf "%s%d %s", (i > 1 ? ", " : ""), n[o[i]], o[i]; print ")" }'
}

# timed NAME CMD...: runs CMD under GNU time with stdout in $tmp/out and an
# empty access log before it; sets last_s (wall seconds), last_kb (peak RSS,
# KiB) and last_sum (the registry's requests: "N (breakdown)"); dies if CMD
# fails.
timed() {
	local name=$1 t0 t1
	shift
	registry_log_reset
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M' -o "$tmp/rss" "$@" >"$tmp/out" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; die "$name failed: $*"; }
	t1=$EPOCHREALTIME
	last_s=$(secs "$t0" "$t1")
	last_kb=$(tail -n 1 "$tmp/rss")
	# (registry_requests fails on an empty log: nothing sent, "0 ()")
	last_sum=$(registry_requests | summarise || true)
}
# lines NAME PATTERN: $tmp/out must hold NSIG lines matching PATTERN.
lines() {
	local got
	got=$(grep -c "$2" "$tmp/out" || true)
	[ "$got" = $NSIG ] || { cat "$tmp/out" >&2; die "$1: $got lines '$2', not $NSIG"; }
}
SV=("$PY" "$SIGVERIFY")

declare -A T K Q	# [phase,key,side] -> wall times / peak RSS / one request summary
MKB=()			# every peak RSS of manifold sign and verify, KiB
order() { ((($1) % 2)) && echo s m || echo m s; }

for k in ec ed; do
	for ph in sign verify remote; do T[$ph,$k,m]='' T[$ph,$k,s]='' K[$ph,$k,m]=''; done
	# sign: a fresh copy of the unsigned store / layout every run
	for ((i = 0; i < RUNS; i++)); do
		for side in $(order $i); do
			if [ "$side" = m ]; then
				rm -rf "$tmp/store-$k" && cp -a "$tmp/store0" "$tmp/store-$k"
				MANIFOLD_DIR=$tmp/store-$k timed "manifold sign" \
					"$MANIFOLD" sign --key "$tmp/$k.key" "$L"
				lines "manifold sign" '^signed '
			else
				rm -rf "$tmp/lay-s" && cp -a "$tmp/lay0" "$tmp/lay-s"
				timed "sigverify.py attach" "${SV[@]}" attach "oci:$tmp/lay-s:$L" \
					"$tmp/$k.key" "$tmp/pass" "$L"
			fi
			T[sign,$k,$side]+=" $last_s"
			[ "$side" = s ] || { K[sign,$k,m]+=" $last_kb"; MKB+=("$last_kb"); }
		done
	done
	# sigverify.py's layout must verify with manifold too (the anchor did the job)
	"$MANIFOLD" verify --key "$tmp/$k.pub" "oci:$tmp/lay-s:$L" >"$tmp/out" ||
		{ cat "$tmp/out" >&2; die "manifold verify of sigverify.py's signatures failed"; }
	lines "manifold verify of sigverify.py's layout" '^verified '
	rm -rf "$tmp/lay-s" "$tmp/lay-$k"
	MANIFOLD_DIR=$tmp/store-$k "$MANIFOLD" export -q -o "oci:$tmp/lay-$k" "$L" >/dev/null ||
		die "manifold export of the signed list failed"
	# verify, offline
	for ((i = 0; i < RUNS; i++)); do
		for side in $(order $i); do
			if [ "$side" = m ]; then
				MANIFOLD_DIR=$tmp/store-$k timed "manifold verify" \
					"$MANIFOLD" verify --key "$tmp/$k.pub" "$L"
				K[verify,$k,m]+=" $last_kb"
				MKB+=("$last_kb")
			else
				timed "sigverify.py verify-tree" "${SV[@]}" verify-tree "oci:$tmp/lay-$k:$L" \
					"$tmp/$k.pub" "$L"
			fi
			lines "$side verify" '^verified '
			T[verify,$k,$side]+=" $last_s"
		done
	done
	# verify on the registry: the list pushed into R/v/KEY:v1
	rk=$REGISTRY/v/$k:v1
	MANIFOLD_DIR=$tmp/store-$k "$MANIFOLD" push "$L" "$rk" >/dev/null || die "manifold push $rk failed"
	for ((i = 0; i < RUNS; i++)); do
		for side in $(order $i); do
			if [ "$side" = m ]; then
				MANIFOLD_DIR=$tmp/store-$k timed "manifold verify --remote" \
					"$MANIFOLD" verify --remote --identity "$L" --key "$tmp/$k.pub" "$rk"
				K[remote,$k,m]+=" $last_kb"
				MKB+=("$last_kb")
			else
				timed "sigverify.py verify-tree" "${SV[@]}" verify-tree "http://$rk" "$tmp/$k.pub" "$L"
			fi
			lines "$side verify on the registry" '^verified '
			T[remote,$k,$side]+=" $last_s"
			Q[remote,$k,$side]=$last_sum
		done
	done
done

# push: the ed25519-signed list, with and without its signatures
MANIFOLD_DIR=$tmp/store-ed "$MANIFOLD" push "$L" >/dev/null || die "manifold push $L failed"
for sc in first again; do T[$sc,s]='' T[$sc,n]=''; done
push_one() {	# SIDE TARGET
	local args=()
	[ "$1" = s ] || args=(--no-referrers)
	MANIFOLD_DIR=$tmp/store-ed timed "manifold push" "$MANIFOLD" push "${args[@]}" "$L" "$2"
	[ "$(tail -n 1 "$tmp/out")" = "$want" ] ||
		die "manifold push ${args[*]} $2 printed '$(tail -n 1 "$tmp/out")', not $want"
}
for ((i = 0; i < RUNS; i++)); do
	for side in $( ((i % 2)) && echo n s || echo s n); do
		push_one "$side" "$REGISTRY/p/$side-$i:v1"
		T[first,$side]+=" $last_s" Q[first,$side]=$last_sum
		push_one "$side" "$REGISTRY/p/$side-$i:v1"
		T[again,$side]+=" $last_s" Q[again,$side]=$last_sum
	done
done
"${SV[@]}" verify-tree "http://$REGISTRY/p/s-0:v1" "$tmp/ed.pub" "$L" >"$tmp/out" ||
	die "the signed push does not verify with sigverify.py"
lines "sigverify.py verify-tree of the push" '^verified '
if "${SV[@]}" verify-tree "http://$REGISTRY/p/n-0:v1" "$tmp/ed.pub" "$L" >"$tmp/out" 2>/dev/null ||
	grep -q '^verified' "$tmp/out"; then
	die "the --no-referrers push carried signatures"
fi

# fetch: the signed list (L, pushed above) into an empty store, with its
# signatures and with --no-referrers
T[fetch,s]='' T[fetch,n]=''
for ((i = 0; i < RUNS; i++)); do
	for side in $( ((i % 2)) && echo n s || echo s n); do
		args=()
		[ "$side" = s ] || args=(--no-referrers)
		rm -rf "$tmp/f-$side"
		MANIFOLD_DIR=$tmp/f-$side timed "manifold fetch" "$MANIFOLD" fetch "${args[@]}" "$L"
		[ "$(MANIFOLD_DIR=$tmp/f-$side "$MANIFOLD" rev-parse "$L")" = "$want" ] ||
			die "manifold fetch ${args[*]} $L did not bring $want"
		T[fetch,$side]+=" $last_s" Q[fetch,$side]=$last_sum
		if MANIFOLD_DIR=$tmp/f-$side "$MANIFOLD" verify --key "$tmp/ed.pub" "$L" >"$tmp/out" 2>"$tmp/err"; then
			[ "$side" = s ] || die "manifold fetch --no-referrers brought signatures"
		else
			[ "$side" = n ] || die "the list fetched with its signatures does not verify"
		fi
	done
done
rm -rf "$tmp/f-s" "$tmp/f-n"

# ---- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# shellcheck disable=SC2086
kib() { maxof $1; }
echo "sign: a $N-entry OCI list ($NSIG manifests: the list and $N images) on $REGISTRY_URL (plain HTTP); set-up $setup_s s"
echo "  binary:  $MANIFOLD"
echo "  anchor:  $SIGVERIFY ($("$PY" --version 2>&1), cryptography $("$PY" -c 'import cryptography; print(cryptography.__version__)'))"
echo "  load average (1, 5, 15 min): $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (a shared machine moves the figures)"
echo "  wall time, $RUNS runs each, alternating; ms/sig = mean / $NSIG; peak RSS of manifold from /usr/bin/time"
printf '    %-78s %8s %8s %8s %8s\n' command mean_s min_s max_s ms/sig
row() {
	# shellcheck disable=SC2086
	printf '    %-78s %8.3f %8.3f %8.3f %8s\n' "$1" "$(mean $2)" "$(minof $2)" "$(maxof $2)" "${3:-}"
}
# persig TIMES: the mean of TIMES (seconds, space-separated) in ms per signature
# shellcheck disable=SC2086
persig() { awk -v s="$(mean $1)" -v n=$NSIG 'BEGIN { printf "%.2f", s * 1000 / n }'; }
results=()
for k in ec ed; do
	kt=$([ $k = ec ] && echo ecdsa-p256 || echo ed25519)
	row "manifold sign --key $kt L (fresh store copy)" "${T[sign,$k,m]}" "$(persig "${T[sign,$k,m]}")"
	row "sigverify.py attach oci:DIR:L $kt (fresh layout copy; not the same job)" "${T[sign,$k,s]}" "$(persig "${T[sign,$k,s]}")"
	row "manifold verify --key $kt L (store)" "${T[verify,$k,m]}" "$(persig "${T[verify,$k,m]}")"
	row "sigverify.py verify-tree oci:DIR:L $kt" "${T[verify,$k,s]}" "$(persig "${T[verify,$k,s]}")"
	row "manifold verify --remote --key $kt R/v/$k:v1" "${T[remote,$k,m]}" "$(persig "${T[remote,$k,m]}")"
	row "sigverify.py verify-tree http://R/v/$k:v1 $kt" "${T[remote,$k,s]}" "$(persig "${T[remote,$k,s]}")"
	echo "      requests, manifold verify --remote: ${Q[remote,$k,m]}"
	echo "      requests, sigverify.py verify-tree: ${Q[remote,$k,s]}"
	for ph in sign verify remote; do
		# shellcheck disable=SC2086
		mt=$(mean ${T[$ph,$k,m]}) st=$(mean ${T[$ph,$k,s]})
		r=$(ratio "$st" "$mt")
		case $ph in
		sign)	what="sign --key $kt, $NSIG signatures, fresh store (ms/sig $(persig "${T[$ph,$k,m]}"); anchor not the same job)"
			anchor="sigverify.py attach oci: $(printf '%.3f' "$st") s"
			mem=", peak RSS $(kib "${K[$ph,$k,m]}") KiB" ;;
		verify)	what="verify --key $kt, store, $NSIG manifests"
			anchor="sigverify.py verify-tree oci: $(printf '%.3f' "$st") s"
			mem=", peak RSS $(kib "${K[$ph,$k,m]}") KiB" ;;
		remote)	what="verify --remote --key $kt, $NSIG manifests, ${Q[remote,$k,m]%% *} requests"
			anchor="sigverify.py verify-tree http:// $(printf '%.3f' "$st") s, ${Q[remote,$k,s]%% *} requests"
			mem=", peak RSS $(kib "${K[$ph,$k,m]}") KiB" ;;
		esac
		echo "  ratio sigverify.py/manifold, $ph $kt: $r"
		results+=("$(printf 'RESULT\tsign\t%s (mean of %d%s)\t%.3f s\t%s\t%s\t-\tinfo' \
			"$what" "$RUNS" "$mem" "$mt" "$anchor" "$r")")
	done
done
echo "  push of the ed25519-signed list into a fresh repository (R/p/s-RUN), vs --no-referrers (R/p/n-RUN):"
row "manifold push L R/p/s-RUN:v1 (65 signatures carried)" "${T[first,s]}"
row "manifold push --no-referrers L R/p/n-RUN:v1" "${T[first,n]}"
row "manifold push L R/p/s-RUN:v1 again (nothing to do)" "${T[again,s]}"
row "manifold push --no-referrers L R/p/n-RUN:v1 again" "${T[again,n]}"
echo "      requests, first push, signed:         ${Q[first,s]}"
echo "      requests, first push, --no-referrers: ${Q[first,n]}"
echo "      requests, again, signed:              ${Q[again,s]}"
echo "      requests, again, --no-referrers:      ${Q[again,n]}"
# shellcheck disable=SC2086
fs=$(mean ${T[first,s]}) fn=$(mean ${T[first,n]})
r=$(ratio "$fs" "$fn") rq=$(ratio "${Q[first,s]%% *}" "${Q[first,n]%% *}")
echo "  ratio signed/--no-referrers, first push: time $r, requests $rq"
results+=("$(printf 'RESULT\tsign\tpush of the signed %d-entry list into a fresh repository, %s requests (mean of %d; ratio = signed/--no-referrers)\t%.3f s\tpush --no-referrers %.3f s, %s requests\t%s\t-\tinfo' \
	"$N" "${Q[first,s]%% *}" "$RUNS" "$fs" "$fn" "${Q[first,n]%% *}" "$r")")
results+=("$(printf 'RESULT\tsign\tpush of the signed list again, nothing to do: requests\t%s\tpush --no-referrers again: %s\t-\t-\tinfo' \
	"${Q[again,s]%% *}" "${Q[again,n]%% *}")")
echo "  fetch of the signed list (R/b/app:v1) into an empty store, vs --no-referrers:"
row "manifold fetch L (65 signatures brought)" "${T[fetch,s]}"
row "manifold fetch --no-referrers L" "${T[fetch,n]}"
echo "      requests, signed:         ${Q[fetch,s]}"
echo "      requests, --no-referrers: ${Q[fetch,n]}"
# shellcheck disable=SC2086
fs=$(mean ${T[fetch,s]}) fn=$(mean ${T[fetch,n]})
r=$(ratio "$fs" "$fn")
extra=$(awk -v a="${Q[fetch,s]%% *}" -v b="${Q[fetch,n]%% *}" -v n=$NSIG 'BEGIN { printf "%.2f", (a - b) / n }')
echo "  ratio signed/--no-referrers, fetch: time $r; extra requests per manifest: $extra"
results+=("$(printf 'RESULT\tsign\tfetch of the signed %d-entry list into an empty store, %s requests, %s more per manifest (mean of %d; ratio = signed/--no-referrers)\t%.3f s\tfetch --no-referrers %.3f s, %s requests\t%s\t-\tinfo' \
	"$N" "${Q[fetch,s]%% *}" "$extra" "$RUNS" "$fs" "$fn" "${Q[fetch,n]%% *}" "$r")")
echo "  peak RSS, manifold sign and verify, every run: $(printf '%s\n' "${MKB[@]}" | sort -g | tr '\n' ' ')KiB"
printf '%s\n' "${results[@]}"
