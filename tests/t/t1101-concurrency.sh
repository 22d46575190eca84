#!/bin/bash
test_description='concurrent compare-and-swap updates of one ref lose nothing'
. ./test-lib.sh

WRITERS=${MF_CONC_WRITERS:-4}
STEPS=${MF_CONC_STEPS:-40}
T=application/vnd.test.counter

# A writer: STEPS times, read the counter, store value+1 and move the
# ref from the value read to the new one; retry when another won.
writer() {
	local w=$1 done=0 cur n next retries=0
	while test $done -lt $STEPS; do
		cur=$(manifold rev-parse --verify -q lists/counter) || return 1
		n=$(manifold cat-manifest "$cur" | sed "s/[^0-9]//g")
		next=$(printf "{\"n\":%d}" $((n + 1)) |
			manifold hash-object -w -t $T --stdin) || return 1
		if manifold update-ref -m "writer $w: $((n + 1))" lists/counter \
			"$next" "$cur" 2>/dev/null; then
			done=$((done + 1))
		else
			retries=$((retries + 1))
		fi
	done
	echo $retries >retries.$w
}

test_expect_success 'setup the counter at 0' '
	d=$(printf "{\"n\":0}" | manifold hash-object -w -t $T --stdin) &&
	manifold update-ref -m start lists/counter "$d" ""
'

test_expect_success "$WRITERS writers x $STEPS increments, all kept" '
	pids= &&
	for w in $(seq 1 $WRITERS); do
		{ writer $w & } && pids="$pids $!" || return 1
	done &&
	fails=0 &&
	for p in $pids; do
		wait $p || fails=$((fails + 1)) || return 1
	done &&
	test $fails = 0 &&
	manifold cat-manifest lists/counter >final &&
	printf "{\"n\":%d}" $((WRITERS * STEPS)) >expect &&
	test_cmp expect final &&
	echo "retries: $(cat retries.* | tr "\n" " ")"
'

test_expect_success 'the reflog holds every increment exactly once' '
	manifold reflog show lists/counter >log &&
	test_line_count = $((WRITERS * STEPS + 1)) log &&
	sed -n "s/.*: writer [0-9]*: //p" log | sort -n >values &&
	seq 1 $((WRITERS * STEPS)) >expect &&
	test_cmp expect values
'

test_expect_success 'concurrent batch writers of overlapping objects' '
	for w in 1 2 3; do
		python3 -c "
import sys
for i in range(3000):
    b = b\"{\\\"shared\\\":%d}\" % i
    sys.stdout.buffer.write(b\"%d application/vnd.test.shared\n\" % len(b) + b + b\"\n\")
" >batch.$w || return 1
	done &&
	pids= &&
	for w in 1 2 3; do
		{ manifold hash-object -w --batch <batch.$w >out.$w & } &&
		pids="$pids $!" || return 1
	done &&
	for p in $pids; do wait $p || return 1; done &&
	test_cmp out.1 out.2 && test_cmp out.1 out.3 &&
	manifold cat-manifest --batch-check <out.1 >check &&
	! grep missing check &&
	manifold fsck
'

test_done
