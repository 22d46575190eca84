#!/bin/bash
test_description='reflog expire: ages, the newest entry of a live ref stays, deleted refs, --all, --dry-run, errors'
. ./test-lib.sh

# The test clock is MANIFOLD_COMMITTER_DATE=1700000000; ages count from it.
A=$(sha256_of "$DATA/oci-index.json")
B=$(sha256_of "$DATA/docker-list.json")
C=$(sha256_of "$DATA/buildkit-index.json")

at() {
	local t=$1
	shift
	MANIFOLD_COMMITTER_DATE="$t +0000" "$@"
}

test_expect_success 'no store: nothing to expire, nothing created' '
	manifold reflog expire --all >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup: lists/x at 1000, 1100, 1200 days; lists/y set and deleted long ago' '
	manifold hash-object -w "$DATA"/*.json >/dev/null &&
	at 1600000000 manifold update-ref -m one lists/x "$A" &&
	at 1650000000 manifold update-ref -m two lists/x "$B" &&
	at 1690000000 manifold update-ref -m three lists/x "$C" &&
	at 1600000000 manifold update-ref -m y lists/y "$A" &&
	at 1600000000 manifold update-ref -d lists/y &&
	at 1699990000 manifold update-ref -m z lists/z "$A"
'

test_expect_success 'usage errors exit 129 and change nothing' '
	store_snapshot >before &&
	test_must_fail --code=129 manifold reflog expire 2>err &&
	test_grep "name a ref or --all" err &&
	test_must_fail --code=129 manifold reflog expire --all lists/x 2>err &&
	test_grep "all takes no refs" err &&
	test_must_fail --code=129 manifold reflog -n 1 expire lists/x 2>err &&
	test_grep "before .expire. is --max-count" err &&
	test_must_fail --code=128 manifold reflog expire --expire=soon lists/x 2>err &&
	test_stderr_line "^fatal: invalid age .soon." err &&
	test_must_fail --code=128 manifold reflog expire lists/nosuch 2>err &&
	test_stderr_line "^fatal: no reflog for .lists/nosuch.$" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success '--dry-run (and -n) lists what would go with its position, changes nothing' '
	store_snapshot >before &&
	cat >expect <<-EOF &&
	would prune $B lists/x@{1}: two
	would prune $A lists/x@{2}: one
	EOF
	manifold reflog expire --dry-run --expire=@1660000000 lists/x >out &&
	test_cmp expect out &&
	manifold reflog expire -n --expire=@1660000000 x >out &&
	test_cmp expect out &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'the default (90.days.ago) keeps what is younger' '
	manifold reflog expire lists/z &&
	manifold reflog lists/z >out &&
	test_line_count = 1 out
'

test_expect_success 'an age in days removes older entries; positions close up' '
	manifold reflog expire --expire=600.days.ago -v lists/x >out &&
	echo "prune $A lists/x@{2}: one" >expect &&
	test_cmp expect out &&
	manifold reflog lists/x >out &&
	test_line_count = 2 out &&
	test "$(manifold rev-parse lists/x@{1})" = "$B"
'

test_expect_success '--expire=now keeps the newest entry of a ref that exists' '
	manifold reflog expire --expire=now lists/x &&
	manifold reflog lists/x >out &&
	test_line_count = 1 out &&
	test_grep "lists/x@{0}: three" out &&
	test "$(manifold rev-parse lists/x@{0})" = "$C"
'

test_expect_success '--expire=never removes nothing' '
	manifold reflog expire --expire=never --all &&
	manifold reflog lists/y >out &&
	test_line_count = 2 out
'

test_expect_success 'a date: entries before it go, a deleted ref loses all of them' '
	manifold reflog expire --expire="2020-09-13 00:00:00" --all &&
	manifold reflog lists/y >out &&
	test_line_count = 2 out &&
	manifold reflog expire --expire=2020-09-13T13:00:00Z --all &&
	test_must_fail --code=1 manifold reflog exists lists/y &&
	manifold reflog list >out &&
	printf "lists/x\nlists/z\n" >expect &&
	test_cmp expect out
'

# The sample index and list have no children in this store: fsck may
# report those (and then fails), and nothing else.
test_expect_success 'expire then fsck: the store is consistent' '
	{ manifold fsck >out 2>err; rc=$?; } &&
	test_grep "problems: " err &&
	if test $rc != 0; then
		test $rc = 1 &&
		! grep -v "^missing child" out
	fi
'

test_done
