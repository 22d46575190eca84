#!/bin/bash
test_description='diff: semantic diff of two list revisions, local or remote'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-history.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"

APPL=127.0.0.1:5000/library/app:l

test_expect_success 'setup: a list with three versions, and another list' '
	L1=$(mklist docker "$H1=linux/amd64" "$H2=linux/arm64") &&
	L2=$(mklist docker "$H1=linux/amd64" "$H3=linux/arm64" "$H4=linux/s390x") &&
	L3=$(mklist oci "$H3=linux/arm64" "$H1=linux/amd64") &&
	setlist "manifold create" "$APPL" "$L1" &&
	setlist "manifold create --amend" "$APPL" "$L2" &&
	setlist "manifold create --format oci" "$APPL" "$L3" &&
	setlist "manifold create" example.com/other:v1 "$L1" &&
	echo "$L1" >L1
'

test_expect_success 'identical: no output, exit 0 (also with --exit-code)' '
	manifold diff "$APPL@{2}" example.com/other:v1 >actual &&
	test_line_count = 0 actual &&
	manifold diff --exit-code "$APPL" "$APPL@{0}" >actual &&
	test_line_count = 0 actual &&
	echo "[]" >expect &&
	manifold diff --format json "$APPL" "$APPL" >actual &&
	test_cmp expect actual
'

test_expect_success 'text: one change per line, full digests; exit 0 without --exit-code' '
	cat >expect <<-EOF &&
	~ linux/arm64 digest $H2 -> $H3
	+ linux/s390x $H4
	EOF
	manifold diff "$APPL@{2}" "$APPL@{1}" >actual &&
	test_cmp expect actual &&
	test_must_fail --code=1 manifold diff --exit-code "$APPL@{2}" "$APPL@{1}" >actual &&
	test_cmp expect actual
'

test_expect_success 'removed, format and order; revisions by digest and lists/ ref' '
	cat >expect <<-EOF &&
	~ index format docker -> oci
	- linux/s390x $H4
	~ index order linux/amd64,linux/arm64 -> linux/arm64,linux/amd64
	EOF
	L2=$(manifold rev-parse "$APPL@{1}") &&
	manifold diff "$L2" "lists/$APPL" >actual &&
	test_cmp expect actual &&
	manifold diff "${L2:7:10}" "$APPL" >actual &&
	test_cmp expect actual
'

test_expect_success 'json: one array of change objects' '
	cat >expect <<-EOF &&
	[
	  {"change": "digest", "platform": "linux/arm64", "digest": "$H3", "old": "$H2", "new": "$H3"},
	  {"change": "added", "platform": "linux/s390x", "digest": "$H4"}
	]
	EOF
	manifold diff --format json "$APPL@{2}" "$APPL@{1}" >actual &&
	test_cmp expect actual &&
	python3 -m json.tool actual >/dev/null
'

test_expect_success 'errors: unknown revisions, not a list; one line, exit 1' '
	test_must_fail --code=1 manifold diff "$APPL@{7}" "$APPL" 2>err &&
	test_stderr_line "has only 3 entries" err &&
	test_must_fail --code=1 manifold diff sha256:0123abcd "$APPL" 2>err &&
	test_stderr_line "0123abcd" err &&
	test_must_fail --code=1 manifold diff "$APPL" abcdef01 2>err &&
	test_stderr_line "abcdef01" err &&
	M=$(manifold hash-object -w "$DATA/docker-manifest.json") &&
	test_must_fail --code=1 manifold diff "$M" "$APPL" 2>err &&
	test_stderr_line "is not a manifest list" err &&
	test_must_fail --code=1 manifold diff --format yaml "$APPL" "$APPL" 2>err &&
	test_stderr_line "^invalid format \"yaml\": use text or json$" err &&
	test_must_fail --code=1 manifold diff "$APPL" 2>err &&
	grep "requires exactly 2 arguments" err
'

test_expect_success 'a remote that cannot be reached: one line naming it, exit 1' '
	test_must_fail --code=1 manifold diff --insecure 127.0.0.1:1/x/y:z "$APPL" 2>err &&
	test_stderr_line "127.0.0.1:1" err
'

porcelain_setup

test_expect_success 'remote: a registry list against a local one, nothing stored' '
	L=$(mklist docker "${D[amd64]}=linux/amd64" "${D[s390x]}=linux/s390x") &&
	setlist "manifold create" "$APP:mine" "$L" &&
	manifold cat-manifest --batch-all-objects --batch-check >before &&
	manifold show-ref >refs-before &&
	cat >expect <<-EOF &&
	- linux/s390x ${D[s390x]}
	+ linux/arm64/v8 ${D[arm64]}
	EOF
	manifold diff --insecure "$APP:mine" "$APP:list" >actual &&
	test_cmp expect actual &&
	manifold cat-manifest --batch-all-objects --batch-check >after &&
	manifold show-ref >refs-after &&
	test_cmp before after &&
	test_cmp refs-before refs-after
'

test_expect_success 'remote: an OCI index by digest reference; an image is not a list' '
	manifold diff --insecure "$APP:list" "$APP@${D[index]}" >actual &&
	grep "^~ index format docker -> oci$" actual &&
	grep "^~ linux/amd64 digest ${D[amd64]} -> ${D[amd64-oci]}$" actual &&
	grep "^~ linux/arm64/v8 digest ${D[arm64]} -> ${D[arm64-oci]}$" actual &&
	test_line_count = 3 actual &&
	test_must_fail --code=1 manifold diff --insecure "$APP:list" "$APP:amd64" 2>err &&
	test_stderr_line "is not a manifest list" err
'

test_expect_success 'with create: log and diff see what create --amend added' '
	manifold create --insecure "$APP:e2e" "$APP:amd64" "$APP:arm64" &&
	manifold create --amend --insecure "$APP:e2e" "$APP:s390x" &&
	echo "+ linux/s390x ${D[s390x]}" >expect &&
	manifold diff "$APP:e2e@{1}" "$APP:e2e" >actual &&
	test_cmp expect actual &&
	manifold log --oneline "$APP:e2e" >actual &&
	test_line_count = 2 actual &&
	grep "^$APP:e2e@{0} [0-9a-f]\{12\} manifold create --amend --insecure $APP:e2e $APP:s390x (+1 -0 ~0)$" actual &&
	grep "^$APP:e2e@{1} [0-9a-f]\{12\} manifold create --insecure .* (+2 -0 ~0)$" actual &&
	manifold ls -q "app:e2e" >actual &&
	echo "$APP:e2e" >expect &&
	test_cmp expect actual
'

test_done
