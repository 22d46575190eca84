#!/bin/bash
test_description='kill -9 at random moments of writes leaves the store consistent'
. ./test-lib.sh

# Real fsyncs here: this is about what survives.
unset MF_NOSYNC
KILLS=${MF_CRASH_KILLS:-300}
T=application/vnd.test.blob

# A --batch stream of n distinct objects tagged with round r.
make_batch() {
	python3 - "$1" "$2" <<'PY'
import sys
r, n = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
for i in range(n):
    body = b'{"round":%d,"i":%d,"pad":"%s"}' % (r, i, b"x" * (i % 300))
    out.write(b"%d application/vnd.test.blob\n" % len(body))
    out.write(body + b"\n")
PY
}

# An update-ref --stdin script moving refs lists/crash/0..n-1 to $2.
make_refs() {
	for i in $(seq 0 $(($1 - 1))); do
		echo "update lists/crash/$i $2"
	done
}

# Sleep a random 0..$1 milliseconds.
rsleep() {
	sleep "$(printf '0.%03d' $((RANDOM % $1)))"
}

test_expect_success 'setup: a store with a first generation of refs' '
	echo "{\"gen\":0}" | manifold hash-object -w -t $T --stdin >gen0 &&
	make_refs 200 "$(cat gen0)" >refs0 &&
	manifold update-ref --stdin <refs0 &&
	manifold show-ref -s --prefix lists/crash/ | sort -u >actual &&
	test_cmp gen0 actual
'

test_expect_success "$KILLS kills during batch writes, ref transactions and map growth" '
	survived=0 live=0 partial=0 &&
	for k in $(seq 1 $KILLS); do
		case $((k % 3)) in
		0)	# A big batch of objects: several commits, killed somewhere.
			make_batch $k 20000 >batch.$k &&
			{ manifold hash-object -w --batch <batch.$k >printed.$k 2>/dev/null & } &&
			pid=$! ;;
		1)	# 200 refs moved in one transaction.
			echo "{\"gen\":$k}" | manifold hash-object -w -t $T --stdin >gen.$k &&
			make_refs 200 "$(cat gen.$k)" >refs.$k &&
			{ manifold update-ref -m "gen $k" --stdin <refs.$k 2>/dev/null & } &&
			pid=$! ;;
		2)	# Writes into a tiny map that must grow while being killed.
			make_batch $k 800 >batch.$k &&
			{ MANIFOLD_MAP_SIZE=65536 manifold hash-object -w --batch \
				<batch.$k >printed.$k 2>/dev/null & } &&
			pid=$! ;;
		esac &&
		# Ref transactions are short: strike sooner.  Every other big
		# batch is struck right after its first commit shows, so that
		# some batches are surely cut part-way, however fast or slow
		# the build writes (a random strike under ASan rarely lands
		# after a commit of 16384 objects).
		if test $((k % 6)) = 0; then
			n=0 &&
			while ! test -s printed.$k && test $n -lt 2000; do
				sleep 0.005 && n=$((n + 1)) || return 1
			done
		elif test $((k % 3)) = 1; then rsleep 6; else rsleep 60; fi &&
		# Count the kills that hit a process still at work.
		if kill -9 $pid 2>/dev/null; then
			live=$((live + 1))
		fi &&
		# Its status is that of the kill, or of the writer when it was done.
		{ wait $pid 2>/dev/null || :; } &&
		# Every ref moves together: all 200 at one generation.
		manifold show-ref -s --prefix lists/crash/ | sort | uniq -c >counts &&
		test_line_count = 1 counts &&
		{ grep -q "^ *200 sha256:" counts || { cat counts; exit 1; }; } &&
		# Whatever a batch reported as written is there.
		if test -s printed.$k && test $(wc -l <printed.$k) -lt 6000; then
			partial=$((partial + 1))
		fi &&
		if test -s printed.$k; then
			sed -n "/^sha256:[0-9a-f]\{64\}$/p" printed.$k |
				manifold cat-manifest --batch-check >check.$k &&
			{ ! grep -q missing check.$k || { echo "lost object in round $k"; exit 1; }; }
		fi &&
		rm -f batch.$k printed.$k check.$k &&
		survived=$((survived + 1)) &&
		# A full check every 25 rounds keeps the test quick.
		if test $((k % 25)) = 0; then
			manifold fsck
		fi || return 1
	done &&
	echo "survived $survived kills; $live hit a running writer;" \
		"$partial batches were cut after some commits" &&
	test $survived = $KILLS &&
	# Most kills must land inside a write, or the test proves little.
	test $live -ge $((KILLS / 3)) &&
	test $partial -ge 1
'

test_expect_success 'fsck is clean after all the kills' '
	manifold fsck 2>err &&
	test_grep "problems: 0$" err
'

test_expect_success 'the store is still writable and readable' '
	echo "{\"after\":true}" | manifold hash-object -w -t $T --stdin >d &&
	manifold update-ref lists/after "$(cat d)" &&
	manifold cat-manifest -e lists/after
'

test_done
