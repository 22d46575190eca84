#!/bin/bash
test_description='a damaged store (truncated, bytes flipped): a clean error or a right answer, never a crash'
. ./test-lib.sh
# Under ASan, an over-read inside liblmdb on a flipped page is LMDB's
# (tests/asan-lmdb-corrupt.supp says why); manifold's own reads are
# still checked.
if test -n "${MF_SANITIZED:-}"; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}suppressions=$MANIFOLD_SOURCE_DIR/tests/asan-lmdb-corrupt.supp"
fi
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

command -v python3 >/dev/null || test_skip_all "python3 is not installed"

start_registry plain
R=$REGISTRY
APP=$R/library/app
AMD=$(seed_image library/app:amd64 --format docker --platform linux/amd64) &&
ARM=$(seed_image library/app:arm64 --format oci --platform linux/arm64/v8) &&
test -n "$AMD" && test -n "$ARM" || {
	echo "Bail out! could not seed the registry"
	exit 1
}
GOOD=$TRASH/good

# check_run WHAT KIND CMD...: run CMD on the damaged store; KIND is
# plumbing (exit 0, 1 or 128) or porcelain (exit 0 or 1).  A signal
# or any other code fails; so does a fatal exit (128, or a porcelain
# 1) with other than one line on stderr.  Leaves rc in $TRASH/rc.
check_run() {
	local what=$1 kind=$2 rc=0
	shift 2
	"$@" >run.out 2>run.err || rc=$?
	echo $rc >"$TRASH/rc"
	if test $rc -gt 128 || { test $rc -gt 1 && test $rc != 128; }; then
		echo "$what: '$*' exited $rc" >&2
		cat run.err >&2
		return 1
	fi
	if test $kind = porcelain && test $rc = 128; then
		echo "$what: porcelain '$*' exited 128" >&2
		return 1
	fi
	if { test $rc = 128 || { test $kind = porcelain && test $rc = 1; }; } &&
	   test "$(wc -l <run.err)" != 1; then
		echo "$what: '$*' failed ($rc) without one line on stderr:" >&2
		cat run.err >&2
		return 1
	fi
	return 0
}

# every_command WHAT DIR: the commands of this test on the store in DIR.
every_command() {
	export MANIFOLD_DIR=$2 &&
	check_run "$1" plumbing manifold show-ref &&
	check_run "$1" plumbing manifold cat-manifest "$APP:multi" &&
	check_run "$1" plumbing manifold fsck &&
	check_run "$1" plumbing manifold reflog show "$APP:multi" &&
	check_run "$1" porcelain manifold inspect "$APP:multi" &&
	check_run "$1" porcelain manifold create --insecure "$APP:new" "$APP:amd64"
}

# answers DIR: what the read commands say about the store in DIR.
answers() {
	MANIFOLD_DIR=$1 manifold show-ref &&
	MANIFOLD_DIR=$1 manifold cat-manifest "$APP:multi" &&
	MANIFOLD_DIR=$1 manifold reflog show "$APP:multi" &&
	MANIFOLD_DIR=$1 manifold inspect "$APP:multi" &&
	MANIFOLD_DIR=$1 manifold fsck 2>&1
}

test_expect_success 'setup: a store with objects, lists, refs and a reflog' '
	export MANIFOLD_DIR=$GOOD &&
	manifold create --insecure "$APP:multi" "$APP:amd64" >/dev/null &&
	manifold create --insecure --amend "$APP:multi" "$APP:arm64" >/dev/null &&
	manifold create --insecure "$APP:other" "$APP:arm64" >/dev/null &&
	python3 - >batch <<-\EOF &&
	import sys
	for i in range(150):
	    b = b"{\x22schemaVersion\x22:2,\x22n\x22:%d,\x22pad\x22:\x22%s\x22}" % (i, b"x" * (i * 7))
	    sys.stdout.buffer.write(b"%d application/vnd.oci.image.config.v1+json\n" % len(b) + b + b"\n")
	EOF
	manifold hash-object -w --batch <batch >ids &&
	test_line_count = 150 ids &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		manifold update-ref "lists/extra$i" "$(sed -n ${i}p ids)" || return 1
	done &&
	manifold update-ref "lists/extra1" "$(sed -n 20p ids)" &&
	manifold fsck &&
	answers "$GOOD" >good.answers &&
	test_grep "problems: 0" good.answers
'

# The damages: each a copy of the store, named in damages.txt with
# what was done ("truncate N", "flip OFFSET KIND").  Kinds: meta,
# branch, leaf, overflow, gap (the unused middle of a page: harmless),
# object (a byte of a stored object's JSON), random.
test_expect_success 'setup: damaged copies of the store' '
	python3 - "$GOOD" "$TRASH/dmg" >damages.txt <<-\EOF &&
	import os, random, shutil, struct, sys
	good, out = sys.argv[1], sys.argv[2]
	data = open(os.path.join(good, "data.mdb"), "rb").read()
	ps = 4096
	size = len(data)
	rnd = random.Random(1105)
	n = 0
	def emit(what, blob):
	    global n
	    n += 1
	    d = os.path.join(out, "d%03d" % n)
	    os.makedirs(d)
	    open(os.path.join(d, "data.mdb"), "wb").write(blob)
	    print(d, what)
	sizes = sorted(set([0, 1, 4095, 4096, 8192, size - 1] +
	                   list(range(12288, size, ps)) +
	                   [rnd.randrange(1, size) for _ in range(6)]))
	for s in sizes:
	    emit("truncate %d" % s, data[:s])
	kinds = {}
	for p in range(size // ps):
	    flags, lower, upper = struct.unpack_from("<HHH", data, p * ps + 10)
	    k = ("meta" if flags & 8 else "branch" if flags & 1 else
	         "leaf" if flags & 2 else "overflow" if flags & 4 else None)
	    if k:
	        kinds.setdefault(k, []).append((p, lower, upper))
	def flip(off, kind, bit=None):
	    b = bytearray(data)
	    b[off] ^= (1 << bit) if bit is not None else rnd.randrange(1, 256)
	    emit("flip %d %s" % (off, kind), bytes(b))
	for k in ("meta", "branch", "leaf", "overflow"):
	    for p, lower, upper in kinds.get(k, [])[:4]:
	        base = p * ps
	        # the page header, the node pointers, the first node
	        for off in (0, 8, 10, 12, 14, 16, 17, 20, 24, 40, 88, 128, 136, 144):
	            if k != "meta" and off > 24:
	                break
	            flip(base + off, k)
	        if k != "meta" and upper > lower:
	            flip(base + upper, k)
	            flip(base + upper + 6, k)
	            flip(base + rnd.randrange(lower, upper), "gap")
	for _ in range(20):
	    flip(rnd.randrange(size), "random")
	# a byte inside the JSON of a stored object: in every copy of it
	# (LMDB copies pages on write; the stale copies lie in free pages)
	b = bytearray(data)
	mark = b"\x22n\x22:149,"
	at = first = data.find(mark)
	assert at > 0
	while at > 0:
	    b[at + 40] ^= 1
	    at = data.find(mark, at + 1)
	emit("flip %d object" % (first + 40), bytes(b))
	EOF
	test "$(grep -c truncate damages.txt)" -ge 8 &&
	test "$(grep -c " meta$" damages.txt)" -ge 10 &&
	test "$(grep -c " leaf$" damages.txt)" -ge 10 &&
	test "$(grep -c " branch$" damages.txt)" -ge 5 &&
	test "$(grep -c " gap$" damages.txt)" -ge 3 &&
	test "$(grep -c " object$" damages.txt)" = 1
'

test_expect_success 'a truncated store: every command gives a clean error' '
	grep " truncate " damages.txt >trunc.txt &&
	while read -r dir what n; do
		every_command "$what $n" "$dir" &&
		for c in show-ref fsck; do
			test_must_fail env MANIFOLD_DIR="$dir" manifold $c >/dev/null 2>err &&
			test_grep -E "damaged|is not a manifold store" err || return 1
		done || return 1
	done <trunc.txt
'

test_expect_success 'the truncation is named as such' '
	dir=$(grep " truncate 8192$" damages.txt | cut -d" " -f1) &&
	test_must_fail --code=128 env MANIFOLD_DIR="$dir" manifold show-ref 2>err &&
	test_stderr_line "^fatal: store .$dir. is damaged: data.mdb is truncated \(8192 bytes; meta page . needs [0-9]+\)$" err &&
	test_must_fail --code=1 env MANIFOLD_DIR="$dir" manifold inspect "$APP:multi" 2>err &&
	test_stderr_line "^store .$dir. is damaged: data.mdb is truncated" err &&
	dir=$(grep " truncate 0$" damages.txt | cut -d" " -f1) &&
	test_must_fail --code=128 env MANIFOLD_DIR="$dir" manifold fsck 2>err &&
	test_stderr_line "^fatal: store .$dir. is damaged: data.mdb is empty$" err &&
	test_must_fail --code=128 env MANIFOLD_DIR="$dir" manifold show-ref 2>err &&
	! test -s "$dir/data.mdb"
'

test_expect_success 'a flip in the unused middle of a page changes no answer' '
	grep " gap$" damages.txt >gaps.txt &&
	while read -r dir what off kind; do
		answers "$dir" >answers &&
		test_cmp good.answers answers || return 1
	done <gaps.txt
'

test_expect_success 'flipped bytes: a clean error or an answer, never a crash' '
	grep " flip " damages.txt >flips.txt &&
	while read -r dir what off kind; do
		every_command "$what $off $kind" "$dir" || return 1
	done <flips.txt
'

# check_writes: each store in nodes.txt refuses a write, with one line
# naming the bad page (or, when opening the store already read through
# it, the fault guard's), and its data.mdb is left as it was.
check_writes() {
	local dir what
	while read -r dir what; do
		cp "$dir/data.mdb" before.mdb &&
		test_expect_code 128 env MANIFOLD_DIR="$dir" \
			manifold update-ref lists/extra2 "$(sed -n 30p ids)" 2>err &&
		test_stderr_line "^fatal: store .$dir. is damaged: (page [0-9]+ of data.mdb \(table [a-z ]+\) [a-z ]+|data.mdb is truncated or corrupt \(a read from it failed\))$" err &&
		cmp before.mdb "$dir/data.mdb" || {
			echo "$what:" >&2
			cat err >&2
			return 1
		}
	done <nodes.txt
}

# A writer copies each page it changes into a heap buffer and follows
# the page's node offsets and sizes in the copy: a bad one sends it past
# the buffer (heap corruption, an abort at best).  So every page in use
# is checked before the first write (odb/tree-check.c).
test_expect_success 'a write to a store with a bad node offset or size is refused, the store unchanged' '
	python3 - "$GOOD" "$TRASH/nodes" >nodes.txt <<-\EOF &&
	import os, struct, sys
	good, out = sys.argv[1], sys.argv[2]
	data = open(os.path.join(good, "data.mdb"), "rb").read()
	ps, n = 4096, 0
	def emit(what, off):
	    global n
	    if data[off] & 0x80:
	        return
	    n += 1
	    b = bytearray(data)
	    b[off] |= 0x80
	    d = os.path.join(out, "n%03d" % n)
	    os.makedirs(d)
	    open(os.path.join(d, "data.mdb"), "wb").write(bytes(b))
	    print(d, what, off)
	# the pages in use: those the newer meta page reaches (LMDB copies
	# a page to change it; the old copies are free, and harmless)
	def meta(i):
	    return struct.unpack_from("<Q", data, i * ps + 144)[0]
	m = ps if meta(1) > meta(0) else 0
	used, todo = [], [struct.unpack_from("<Q", data, m + 16 + 24 + 48 * t + 40)[0]
	                  for t in (0, 1)]
	while todo:
	    p = todo.pop()
	    if p == 2**64 - 1:
	        continue
	    used.append(p)
	    flags, lower = struct.unpack_from("<HH", data, p * ps + 10)
	    for i in range((lower - 16) // 2):
	        at = p * ps + struct.unpack_from("<H", data, p * ps + 16 + 2 * i)[0]
	        lo, hi, fl, ks = struct.unpack_from("<HHHH", data, at)
	        if flags & 1:
	            todo.append(lo | hi << 16 | fl << 32)
	        elif fl & 2:	# a table: its record ends with its root
	            todo.append(struct.unpack_from("<Q", data, at + 8 + ks + 40)[0])
	for p in sorted(used):
	    base = p * ps
	    flags, lower, upper = struct.unpack_from("<HHH", data, base + 10)
	    if lower <= 16:
	        continue
	    kind = "branch" if flags & 1 else "leaf"
	    # the first node offset past the page; the lowest node grown
	    # over the next (a leaf: its value size; a branch: its key size)
	    emit(kind + " offset", base + 17)
	    emit(kind + " size", base + upper + (0 if kind == "leaf" else 7))
	EOF
	test "$(grep -c "branch offset" nodes.txt)" -ge 1 &&
	test "$(grep -c "leaf size" nodes.txt)" -ge 5 &&
	check_writes
'

test_expect_success 'a flip in an object'\''s bytes is caught by fsck' '
	dir=$(grep " object$" damages.txt | cut -d" " -f1) &&
	test_must_fail --code=1 env MANIFOLD_DIR="$dir" manifold fsck >out 2>err &&
	test_grep -E "^bad object sha256:[0-9a-f]{64}: content hashes to sha256:[0-9a-f]{64}$" out &&
	test_line_count = 1 out &&
	test_stderr_line "problems: 1$" err
'

test_expect_success 'a store truncated while a reader has it mapped: a clean error' '
	export MANIFOLD_DIR=$TRASH/live &&
	cp -r "$GOOD" "$MANIFOLD_DIR" &&
	for i in $(seq 1 1500); do
		printf "create lists/many%04d %s\n" $i "$(sed -n $((i % 150 + 1))p ids)" || return 1
	done >updates &&
	manifold update-ref --stdin <updates &&
	manifold show-ref >all &&
	test "$(wc -c <all)" -gt 100000 &&
	rm -f fifo && mkfifo fifo &&
	{ { manifold show-ref >fifo 2>reader.err; echo $? >reader.rc; } & } &&
	exec 8<fifo &&
	head -c 100 <&8 >/dev/null &&
	truncate -s 8192 "$MANIFOLD_DIR/data.mdb" &&
	cat <&8 >/dev/null &&
	exec 8<&- &&
	wait &&
	test "$(cat reader.rc)" = 128 &&
	test_stderr_line "^fatal: store .$MANIFOLD_DIR. is damaged: data.mdb is truncated or corrupt" reader.err
'

test_done
