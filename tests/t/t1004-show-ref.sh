#!/bin/bash
test_description='show-ref: listing, patterns, --prefix, -s, --verify, --exists'
. ./test-lib.sh

A=$(sha256_of "$DATA/oci-index.json")
B=$(sha256_of "$DATA/docker-list.json")
M=$(sha256_of "$DATA/oci-manifest.json")

test_expect_success 'no store: nothing to show, exit 1, no store created' '
	test_must_fail --code=1 manifold show-ref >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	test_must_fail --code=2 manifold show-ref --exists lists/x &&
	test_must_fail --code=1 manifold show-ref --verify lists/x 2>err &&
	test_stderr_line "^error: .lists/x. - not a valid ref$" err &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup' '
	manifold hash-object -w "$DATA"/*.json >/dev/null &&
	manifold update-ref lists/x "$A" &&
	manifold update-ref lists/sub/x "$B" &&
	manifold update-ref lists/xx "$B" &&
	manifold update-ref lists/docker.io/library/app:latest "$B" &&
	manifold update-ref remotes/x "$M" &&
	manifold update-ref remotes/docker.io/library/app:latest "$A" &&
	manifold update-ref lists/gone "$A" &&
	manifold update-ref -d lists/gone
'

test_expect_success 'show-ref lists every ref as "<digest> <name>", in name order' '
	cat >expect <<-EOF &&
	$B lists/docker.io/library/app:latest
	$B lists/sub/x
	$A lists/x
	$B lists/xx
	$A remotes/docker.io/library/app:latest
	$M remotes/x
	EOF
	manifold show-ref >actual &&
	test_cmp expect actual
'

test_expect_success 'a pattern matches whole trailing components only' '
	cat >expect <<-EOF &&
	$B lists/sub/x
	$A lists/x
	$M remotes/x
	EOF
	manifold show-ref x >actual &&
	test_cmp expect actual &&
	echo "$B lists/sub/x" >expect &&
	manifold show-ref sub/x >actual &&
	test_cmp expect actual &&
	test_must_fail --code=1 manifold show-ref ub/x >out &&
	test_line_count = 0 out &&
	test_must_fail --code=1 manifold show-ref sts/x &&
	echo "$A lists/x" >expect &&
	manifold show-ref lists/x >actual &&
	test_cmp expect actual
'

test_expect_success 'several patterns: a ref matching any is shown once' '
	cat >expect <<-EOF &&
	$B lists/docker.io/library/app:latest
	$A lists/x
	$B lists/xx
	$A remotes/docker.io/library/app:latest
	EOF
	manifold show-ref app:latest lists/x xx lists/x >actual &&
	test_cmp expect actual
'

test_expect_success 'no match exits 1 and prints nothing' '
	test_must_fail --code=1 manifold show-ref nomatch >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	test_must_fail --code=1 manifold show-ref gone
'

test_expect_success '--prefix limits to names starting with it' '
	cat >expect <<-EOF &&
	$A remotes/docker.io/library/app:latest
	$M remotes/x
	EOF
	manifold show-ref --prefix remotes/ >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	$A lists/x
	$B lists/xx
	EOF
	manifold show-ref --prefix lists/x >actual &&
	test_cmp expect actual &&
	test_must_fail --code=1 manifold show-ref --prefix nothing/
'

test_expect_success '--prefix and a pattern together' '
	echo "$M remotes/x" >expect &&
	manifold show-ref --prefix=remotes/ x >actual &&
	test_cmp expect actual
'

test_expect_success '-s and --hash print digests only' '
	cat >expect <<-EOF &&
	$A
	$M
	EOF
	manifold show-ref -s --prefix remotes/ >actual &&
	test_cmp expect actual &&
	manifold show-ref --hash --prefix remotes/ >actual &&
	test_cmp expect actual
'

test_expect_success '--verify shows full names that exist' '
	cat >expect <<-EOF &&
	$A lists/x
	$M remotes/x
	EOF
	manifold show-ref --verify lists/x remotes/x >actual &&
	test_cmp expect actual &&
	echo "$A" >expect &&
	manifold show-ref --verify -s lists/x >actual &&
	test_cmp expect actual
'

test_expect_success '--verify does no pattern matching: a short name is not valid' '
	test_must_fail --code=1 manifold show-ref --verify x >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "^error: .x. - not a valid ref$" err
'

test_expect_success '--verify exits 1 for a missing ref, still showing the others' '
	test_must_fail --code=1 manifold show-ref --verify lists/x lists/nope remotes/x >actual 2>err &&
	cat >expect <<-EOF &&
	$A lists/x
	$M remotes/x
	EOF
	test_cmp expect actual &&
	test_stderr_line "^error: .lists/nope. - not a valid ref$" err &&
	test_must_fail --code=1 manifold show-ref --verify lists/gone 2>err &&
	test_stderr_line "lists/gone" err
'

test_expect_success '--verify -q prints nothing at all' '
	test_must_fail --code=1 manifold show-ref --verify -q lists/nope >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	manifold show-ref --verify --quiet lists/x >out &&
	test_line_count = 0 out
'

test_expect_success '--exists: 0 when the ref exists, 2 when not, silently' '
	manifold show-ref --exists lists/x >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	test_must_fail --code=2 manifold show-ref --exists lists/nope >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	test_must_fail --code=2 manifold show-ref --exists x &&
	test_must_fail --code=2 manifold show-ref --exists lists/gone
'

test_expect_success 'usage errors exit 129' '
	test_must_fail --code=129 manifold show-ref --verify 2>err &&
	test_grep "name a ref" err &&
	test_must_fail --code=129 manifold show-ref --exists 2>err &&
	test_must_fail --code=129 manifold show-ref --exists lists/x lists/xx 2>err &&
	test_grep "takes one ref" err &&
	test_must_fail --code=129 manifold show-ref --verify --exists lists/x 2>err &&
	test_grep "mutually exclusive" err &&
	test_must_fail --code=129 manifold show-ref --prefix 2>err &&
	test_grep "requires a value" err &&
	test_must_fail --code=129 manifold show-ref --bogus 2>err &&
	test_grep "unknown option" err
'

test_expect_success 'show-ref changes nothing' '
	store_snapshot >before &&
	manifold show-ref >/dev/null &&
	manifold show-ref --verify lists/x >/dev/null &&
	store_snapshot >after &&
	test_cmp before after
'

test_done
