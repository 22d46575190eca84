#!/bin/bash
test_description='restore: make an older version of a list current, recorded in the reflog'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-edit.sh"
porcelain_setup

L=$APP:l

test_expect_success 'setup: three versions of a list' '
	manifold create --insecure "$L" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold rev-parse "$L" >v1 &&
	manifold annotate --os-version 1 "$L" linux/amd64 &&
	manifold rev-parse "$L" >v2 &&
	manifold remove "$L" linux/arm64 &&
	manifold rev-parse "$L" >v3 &&
	! test_cmp v1 v2 >/dev/null && ! test_cmp v2 v3 >/dev/null
'

test_expect_success 'restore LIST@{2}: the ref moves back, with a reflog entry' '
	manifold restore "$L@{2}" >out 2>err &&
	echo "Restored $L to $(cat v1)" >expect &&
	test_cmp expect out &&
	test_line_count = 0 err &&
	echo "$(cat v1) lists/$L" >expect &&
	manifold show-ref "lists/$L" >actual &&
	test_cmp expect actual &&
	manifold reflog --no-abbrev "lists/$L" >reflog &&
	test_line_count = 4 reflog &&
	head -n 1 reflog >top &&
	echo "$(cat v1) lists/$L@{0}: manifold restore '\''$L@{2}'\''" >expect &&
	test_cmp expect top
'

test_expect_success 'a restore is undone like any change: restore LIST@{1}' '
	manifold restore "$L@{1}" >out &&
	echo "Restored $L to $(cat v3)" >expect &&
	test_cmp expect out &&
	manifold rev-parse "$L" >actual &&
	test_cmp v3 actual
'

test_expect_success 'restore LIST REVISION: a digest, an abbreviated one, @{N}' '
	manifold restore "$L" "$(cat v2)" >out &&
	echo "Restored $L to $(cat v2)" >expect &&
	test_cmp expect out &&
	manifold restore "$L" "$(cut -c8-19 v1)" >out &&
	echo "Restored $L to $(cat v1)" >expect &&
	test_cmp expect out &&
	manifold restore "$L" "@{1}" >out &&
	echo "Restored $L to $(cat v2)" >expect &&
	test_cmp expect out &&
	manifold cat-manifest "$L" >actual &&
	manifold cat-manifest "$(cat v2)" >expect &&
	test_cmp expect actual
'

test_expect_success 'restoring the current version changes nothing' '
	store_snapshot >before &&
	manifold restore "$L@{0}" >out &&
	echo "Restored $L to $(cat v2)" >expect &&
	test_cmp expect out &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'restore a list that was removed with rm' '
	manifold rm "$L" &&
	test_must_fail manifold rev-parse "$L" &&
	manifold restore "$L@{1}" >out &&
	echo "Restored $L to $(cat v2)" >expect &&
	test_cmp expect out &&
	manifold rev-parse "$L" >actual &&
	test_cmp v2 actual &&
	manifold reflog "lists/$L" | head -n 2 >top &&
	test_grep -F "@{1}: manifold rm $L" top
'

test_expect_success 'the deletion itself is no version to restore' '
	manifold rm "$L" &&
	fails_cleanly restore "$L@{0}" &&
	test_grep -F "cannot restore $L to $L@{0}" err &&
	manifold restore "$L@{1}" >/dev/null
'

test_expect_success 'a new list from any stored list, e.g. a fetched index' '
	manifold fetch-manifest --insecure "$APP:index" >/dev/null &&
	manifold restore "$APP:copy" "${D[index]}" >out &&
	echo "Restored $APP:copy to ${D[index]}" >expect &&
	test_cmp expect out &&
	echo "${D[index]} lists/$APP:copy" >expect &&
	manifold show-ref "lists/$APP:copy" >actual &&
	test_cmp expect actual
'

test_expect_success 'a revision that is no manifest list is refused' '
	fails_cleanly restore "$L" "${D[amd64]}" &&
	echo "cannot restore $L to ${D[amd64]}: it is not a manifest list ($DOCKER_MANIFEST)" >expect &&
	test_cmp expect err
'

test_expect_success 'unknown revisions, missing versions' '
	fails_cleanly restore "$L@{99}" &&
	test_grep -F "cannot restore $L to $L@{99}" err &&
	fails_cleanly restore "$APP:nolist@{1}" &&
	test_grep -F "cannot restore $APP:nolist to $APP:nolist@{1}" err &&
	fails_cleanly restore "$L" "sha256:$(printf "%064d" 0)" &&
	test_grep -F "cannot restore $L to sha256:0000" err
'

test_expect_success 'malformed names and usage errors' '
	fails_cleanly restore "Bad/UPPER@{1}" &&
	test_stderr_line "^invalid reference format: repository name \(UPPER\) must be lowercase\$" err &&
	fails_cleanly restore "$L" &&
	test_grep -F "manifold: '\''manifold restore'\'' requires MANIFEST_LIST@{N}, or MANIFEST_LIST and a revision" err &&
	fails_cleanly restore &&
	test_grep -F "requires at least 1 and at most 2 arguments" err &&
	fails_cleanly restore a b c &&
	store_snapshot >before &&
	test_must_fail --code=125 manifold restore --bogus "$L@{1}" 2>err &&
	store_snapshot >after &&
	test_cmp before after
'

test_done
