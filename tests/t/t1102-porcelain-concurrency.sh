#!/bin/bash
test_description='concurrent annotate, remove, restore and create of local lists: every change lands, none fails'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
porcelain_setup

STEPS=${MF_CONC_STEPS:-25}
L=$APP:conc
ENTRIES="amd64 arm64 armv7 s390x"

# annotator W ENTRY: STEPS annotations kW_I=vI of one entry of $L (or of
# the index itself when ENTRY is "index"); a failure stops the writer.
annotator() {
	local w=$1 entry=$2 i
	for i in $(seq 1 $STEPS); do
		if test "$entry" = index; then
			manifold annotate --index --annotation "k${w}_$i=v$i" "$L"
		else
			manifold annotate --annotation "k${w}_$i=v$i" "$L" "$APP:$entry"
		fi 2>>err.$w || { echo "annotator $w failed at step $i" >&2; return 1; }
	done
}

# editor W LIST: STEPS rounds of remove one entry, restore it (@{1}).
editor() {
	local w=$1 list=$2 i
	for i in $(seq 1 $STEPS); do
		manifold remove "$list" "$APP:arm64" 2>>err.$w &&
		manifold restore "$list@{1}" >/dev/null 2>>err.$w ||
		{ echo "editor $w failed at round $i" >&2; return 1; }
	done
}

test_expect_success 'setup: the list the annotators share and two for the editors' '
	manifold create "$L" "$APP:amd64" "$APP:arm64" "$APP:armv7" "$APP:s390x" >/dev/null &&
	manifold create "$APP:ed1" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold create "$APP:ed2" "$APP:arm64" "$APP:s390x" >/dev/null
'

test_expect_success "4 annotators of different entries + 1 of the index + 2 remove/restore loops, $STEPS steps each, at once" '
	start=$(date +%s.%N) &&
	pids= && w=0 &&
	for e in $ENTRIES index; do
		w=$((w + 1)) &&
		{ annotator $w $e & } && pids="$pids $!" || return 1
	done &&
	{ editor 6 "$APP:ed1" & } && pids="$pids $!" &&
	{ editor 7 "$APP:ed2" & } && pids="$pids $!" &&
	fails=0 &&
	for p in $pids; do
		wait $p || fails=$((fails + 1)) || return 1
	done &&
	end=$(date +%s.%N) &&
	cat err.* >errs &&
	echo "$((5 * STEPS + 4 * STEPS)) changes by 7 writers at once in" \
		"$(awk "BEGIN { printf \"%.2f\", $end - $start }") s; $fails writers failed" >"$TRASH/figures" &&
	test $fails = 0 &&
	test_line_count = 0 errs
'
test -f "$TRASH/figures" && sed "s/^/# /" "$TRASH/figures"

test_expect_success 'every annotation is there, on the entry it was made on' '
	manifold cat-manifest "lists/$L" >list.json &&
	python3 - "$STEPS" "${D[amd64]}" "${D[arm64]}" "${D[armv7]}" "${D[s390x]}" <<-\PY
	import json, sys
	steps = int(sys.argv[1]); digests = sys.argv[2:]
	l = json.load(open("list.json"))
	assert [m["digest"] for m in l["manifests"]] == digests, "entries changed"
	for w, m in enumerate(l["manifests"], 1):
	    want = {"k%d_%d" % (w, i): "v%d" % i for i in range(1, steps + 1)}
	    got = m.get("annotations", {})
	    assert got == want, "entry %d: %d of %d annotations" % (w, len(got), steps)
	want = {"k5_%d" % i: "v%d" % i for i in range(1, steps + 1)}
	assert l.get("annotations", {}) == want, "index: %d annotations" % len(l.get("annotations", {}))
	PY
'

test_expect_success 'the reflog has exactly one entry per change' '
	manifold reflog show "lists/$L" >log &&
	test_line_count = $((1 + 5 * STEPS)) log &&
	for l in ed1 ed2; do
		manifold reflog show "lists/$APP:$l" >log.$l &&
		test_line_count = $((1 + 2 * STEPS)) log.$l &&
		test "$(grep -c "manifold remove" log.$l)" = $STEPS &&
		test "$(grep -c "manifold restore" log.$l)" = $STEPS || return 1
	done &&
	# each editor ends where it began
	manifold rev-parse "lists/$APP:ed1@{$((2 * STEPS))}" >expect &&
	manifold rev-parse "lists/$APP:ed1" >actual &&
	test_cmp expect actual
'

test_expect_success 'fsck is clean' '
	manifold fsck 2>err &&
	test_grep "problems: 0$" err
'

test_expect_success 'the same annotation twice at once: both succeed, one change is written' '
	manifold rev-parse "lists/$L" >before &&
	{ manifold annotate --annotation same=1 "$L" "$APP:amd64" 2>e1 & } && p1=$! &&
	{ manifold annotate --annotation same=1 "$L" "$APP:amd64" 2>e2 & } && p2=$! &&
	wait $p1 && wait $p2 &&
	test_line_count = 0 e1 && test_line_count = 0 e2 &&
	manifold reflog show "lists/$L" >log &&
	test_line_count = $((2 + 5 * STEPS)) log
'

test_expect_success '4 processes creating 5 different lists each against the registry, at once' '
	pids= &&
	for w in 1 2 3 4; do
		{ {
			for i in 1 2 3 4 5; do
				manifold create "$APP:c$w-$i" "$APP:amd64" "$APP:arm64" \
					"$R/other/app:riscv64" >/dev/null 2>>cerr.$w ||
				{ echo "creator $w failed at list $i" >&2; exit 1; }
			done
		} & } && pids="$pids $!" || return 1
	done &&
	fails=0 &&
	for p in $pids; do
		wait $p || fails=$((fails + 1)) || return 1
	done &&
	test $fails = 0 &&
	cat cerr.* >cerrs && test_line_count = 0 cerrs &&
	manifold show-ref --prefix "lists/$APP:c" | grep ":c[1-4]-[1-5]$" >refs &&
	test_line_count = 20 refs &&
	# the same entries in the same order: one list object for all
	cut -d" " -f1 refs | sort -u >ids &&
	test_line_count = 1 ids &&
	manifold fsck 2>err &&
	test_grep "problems: 0$" err
'

test_done
