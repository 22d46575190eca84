#!/bin/bash
test_description='a full disk, a file size limit or a tiny map: clear errors, the store unchanged and usable afterwards'

# The small file system is a tmpfs on a directory of this test's own,
# unmounted at exit; where possible in a mount namespace of its own too,
# so that it goes away with the test even when the test is killed.
if test -z "${MF_T1104_NS:-}" && test "$(id -u)" = 0 &&
   unshare -m --propagation private true 2>/dev/null; then
	MF_T1104_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. ./test-lib.sh
SMALL=$TRASH/small
trap 'umount -l "$SMALL" 2>/dev/null; cd /; rm -rf "$TRASH"' EXIT
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
porcelain_setup

# Real fsyncs: a full disk shows at the commit.
unset MF_NOSYNC
L=$APP:full
BIG=$(head -c 100000 /dev/zero | tr "\0" x)
NOSPACE="the store is full: No space left on device"

# A --batch stream of n distinct objects tagged with round r.
make_batch() {
	python3 - "$1" "$2" <<'PY'
import sys
r, n = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
for i in range(n):
    body = b'{"round":%d,"i":%d,"pad":"%s"}' % (r, i, b"x" * 300)
    out.write(b"%d application/vnd.test.blob\n" % len(body))
    out.write(body + b"\n")
PY
}

# fails_full CODE PATTERN CMD...: CMD exits CODE with one line on stderr
# matching PATTERN, and the store is as it was.
fails_full() {
	local code=$1 pattern=$2
	shift 2
	store_snapshot >snap.before &&
	test_must_fail --code=$code "$@" >out 2>err &&
	test_stderr_line "$pattern" err &&
	store_snapshot >snap.after &&
	test_cmp snap.before snap.after
}

# full_or_ok CMD...: a small write may still fit in pages the store has
# free; if it fails, it fails as fails_full says.
full_or_ok() {
	store_snapshot >snap.before
	if "$@" >out 2>err; then
		echo "fit: $*" >>"$TRASH/small-writes"
		return 0
	fi
	echo "refused: $*" >>"$TRASH/small-writes" &&
	test_stderr_line "$NOSPACE" err &&
	store_snapshot >snap.after &&
	test_cmp snap.before snap.after
}

# SMALL_FS: the 4 MiB tmpfs is mounted (it needs root).
if test "$(id -u)" = 0 && mkdir -p "$SMALL" &&
   mount -t tmpfs -o size=4m tmpfs "$SMALL" 2>mount.err; then
	test_set_prereq SMALL_FS
else
	test_lazy_prereq SMALL_FS 'false'
	echo "# no tmpfs could be mounted (it needs root): $(cat mount.err 2>/dev/null)"
fi

test_expect_success SMALL_FS 'setup: a store on a 4 MiB file system, then the disk filled' '
	export MANIFOLD_DIR=$SMALL/store &&
	manifold create "$L" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold annotate --annotation a=1 "$L" "$APP:amd64" &&
	{ dd if=/dev/zero of="$SMALL/filler" bs=4k 2>/dev/null; :; } &&
	test "$(df --output=avail "$SMALL" | tail -n 1)" -eq 0
'

test_expect_success SMALL_FS 'full disk: annotate and hash-object --batch fail with one line, store unchanged' '
	export MANIFOLD_DIR=$SMALL/store &&
	fails_full 1 "^cannot commit to the store: $NOSPACE$" \
		manifold annotate --annotation "big=$BIG" "$L" "$APP:amd64" &&
	make_batch 1 1000 >batch &&
	fails_full 128 "^fatal: .*$NOSPACE$" manifold hash-object -w --batch <batch
'

test_expect_success SMALL_FS 'full disk: create, remove, restore, push fail cleanly or fit in free pages' '
	export MANIFOLD_DIR=$SMALL/store &&
	full_or_ok manifold create "$APP:new" "$APP:armv7" "$APP:s390x" "$APP:ppc64le" &&
	full_or_ok manifold remove "$L" "$APP:arm64" &&
	full_or_ok manifold restore "$L@{1}" &&
	full_or_ok manifold push -q "$L" "$R/full/app:v1" &&
	full_or_ok manifold update-ref -m small lists/small "$(manifold rev-parse "lists/$L")"
'
test -f "$TRASH/small-writes" &&
	sed -E "s/^(fit|refused): manifold ([a-z-]+).*/# on a full disk, \2: \1/" "$TRASH/small-writes"

test_expect_success SMALL_FS 'full disk: reading still works' '
	export MANIFOLD_DIR=$SMALL/store &&
	manifold inspect "$L" >/dev/null &&
	manifold ls >/dev/null &&
	manifold log "$L" >/dev/null &&
	manifold fsck 2>err &&
	test_grep "problems: 0$" err
'

test_expect_success SMALL_FS 'full disk: a new store is a clear error (no SIGBUS), and nothing is left' '
	echo "{\"x\":1}" >obj &&
	MANIFOLD_DIR=$SMALL/new test_must_fail --code=128 \
		manifold hash-object -w -t application/vnd.test --stdin <obj 2>err &&
	test_stderr_line "^fatal: cannot open the store: the disk is full \(lock file .*\): No space left on device$" err &&
	! test -e "$SMALL/new"
'

test_expect_success SMALL_FS 'space back: the same writes succeed, fsck is clean' '
	export MANIFOLD_DIR=$SMALL/store &&
	rm "$SMALL/filler" &&
	manifold annotate --annotation "big=$BIG" "$L" "$APP:amd64" &&
	manifold cat-manifest "lists/$L" | grep -q "\"big\": \"xxxx" &&
	manifold hash-object -w --batch <batch >printed &&
	test_line_count = 1000 printed &&
	manifold create "$APP:new2" "$APP:armv7" "$APP:s390x" >/dev/null &&
	manifold push -q "$APP:new2" "$R/full/app:v2" >/dev/null &&
	echo "{\"x\":1}" | MANIFOLD_DIR=$SMALL/new manifold hash-object -w -t application/vnd.test --stdin &&
	manifold fsck 2>err &&
	test_grep "problems: 0$" err &&
	MANIFOLD_DIR=$SMALL/new manifold fsck
'

test_expect_success SMALL_FS 'fill and free ten times over: every failure clean, every store usable' '
	export MANIFOLD_DIR=$SMALL/store &&
	fails=0 &&
	for r in $(seq 1 10); do
		{ dd if=/dev/zero of="$SMALL/filler" bs=4k 2>/dev/null; :; } &&
		make_batch $((r + 1)) 300 >batch.$r &&
		fails_full 128 "^fatal: .*$NOSPACE$" manifold hash-object -w --batch <batch.$r &&
		fails_full 1 "^cannot commit to the store: $NOSPACE$" \
			manifold annotate --annotation "big$r=$BIG" "$L" "$APP:arm64" &&
		fails=$((fails + 2)) &&
		rm "$SMALL/filler" &&
		manifold annotate --annotation "r$r=1" "$L" "$APP:arm64" &&
		manifold fsck 2>err && test_grep "problems: 0$" err || return 1
	done &&
	echo "$fails writes refused on a full disk, each with one line, the store unchanged" >"$TRASH/figures"
'
test -f "$TRASH/figures" && sed "s/^/# /" "$TRASH/figures"

test_expect_success 'ulimit -f: a write past the file size limit is refused (EFBIG), the store unchanged' '
	export MANIFOLD_DIR=$TRASH/lim &&
	manifold create "$L" "$APP:amd64" "$APP:arm64" >/dev/null &&
	size=$(stat -c %s "$MANIFOLD_DIR/data.mdb") &&
	make_batch 50 1000 >batch &&
	(
		trap "" XFSZ &&
		ulimit -f $((size / 1024)) &&
		fails_full 128 "^fatal: .*the store is full: File too large$" \
			manifold hash-object -w --batch <batch &&
		fails_full 1 "^cannot commit to the store: the store is full: File too large$" \
			manifold annotate --annotation "big=$BIG" "$L" "$APP:amd64"
	) &&
	test "$(stat -c %s "$MANIFOLD_DIR/data.mdb")" = "$size" &&
	manifold annotate --annotation "big=$BIG" "$L" "$APP:amd64" &&
	manifold hash-object -w --batch <batch >printed &&
	test_line_count = 1000 printed &&
	manifold fsck 2>err &&
	test_grep "problems: 0$" err
'

test_expect_success 'a tiny map grows: annotate is run again whole and lands once' '
	export MANIFOLD_DIR=$TRASH/tiny &&
	manifold create "$L" "$APP:amd64" "$APP:arm64" >/dev/null &&
	size=$(stat -c %s "$MANIFOLD_DIR/data.mdb") &&
	for i in 1 2 3; do
		MANIFOLD_MAP_SIZE=65536 manifold annotate \
			--annotation "big$i=$BIG" "$L" "$APP:amd64" || return 1
	done &&
	test "$(stat -c %s "$MANIFOLD_DIR/data.mdb")" -gt $((size + 300000)) &&
	manifold reflog show "lists/$L" >log &&
	test_line_count = 4 log &&
	manifold cat-manifest "lists/$L" >list &&
	test "$(grep -c "\"big[123]\": \"x" list)" = 3 &&
	MANIFOLD_MAP_SIZE=65536 manifold remove "$L" "$APP:arm64" &&
	MANIFOLD_MAP_SIZE=65536 manifold restore "$L@{1}" >/dev/null &&
	manifold reflog show "lists/$L" >log &&
	test_line_count = 6 log &&
	manifold fsck 2>err &&
	test_grep "problems: 0$" err
'

test_done
