#!/bin/bash
test_description='fsck: children that only the registry has are remote-only, problems with --full'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
start_registry plain
seed_image app:amd64 --platform linux/amd64 --seed f1 >/dev/null || exit 1
seed_image app:arm64 --platform linux/arm64 --seed f2 >/dev/null || exit 1
L=$(seed_index app:v1 :amd64 :arm64) || exit 1

test_expect_success 'a list fetched without its children: fsck is clean, counting them' '
	manifold fetch-manifest "$REGISTRY/app:v1" >out &&
	echo "$L" >expect && test_cmp expect out &&
	manifold update-ref lists/x "$L" &&
	manifold fsck >out 2>err &&
	test_line_count = 0 out &&
	test_grep "remote-only: 2; problems: 0$" err
'

test_expect_success '--full: every child must be in the store' '
	test_must_fail --code=1 manifold fsck --full >out 2>err &&
	test_line_count = 2 out &&
	test_grep "^missing child sha256:[0-9a-f]* of $L (reached from .lists/x.)$" out &&
	test_grep "remote-only: 0; problems: 2$" err
'

test_expect_success 'a hand-made list with a missing child is a problem (no source known)' '
	manifold cat-manifest "$L" >list.json &&
	sed "s/\"schemaVersion\":2/\"schemaVersion\": 2/" list.json >list2.json &&
	d=$(manifold hash-object -w list2.json) &&
	test "$d" != "$L" &&
	manifold update-ref lists/y "$d" &&
	test_must_fail --code=1 manifold fsck >out 2>err &&
	test_line_count = 2 out &&
	test_grep "reached from .lists/y." out
'

test_done
