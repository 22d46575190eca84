#!/bin/bash
test_description='reflog: show (newest first, -n, --no-abbrev, --date, --oldest-first), list, exists, deleted refs'
. ./test-lib.sh

A=$(sha256_of "$DATA/oci-index.json")
B=$(sha256_of "$DATA/docker-list.json")
C=$(sha256_of "$DATA/buildkit-index.json")
a=${A:0:19}
b=${B:0:19}
c=${C:0:19}

test_expect_success 'no store: empty list, no reflog, nothing created' '
	manifold reflog list >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	test_must_fail --code=1 manifold reflog exists lists/x &&
	test_must_fail --code=128 manifold reflog lists/x 2>err &&
	test_stderr_line "^fatal: no reflog for .lists/x.$" err &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup: lists/x moves A -> B -> C' '
	manifold hash-object -w "$DATA"/*.json >/dev/null &&
	manifold update-ref lists/x "$A" &&
	manifold update-ref -m "second value" lists/x "$B" &&
	manifold update-ref -m third lists/x "$C"
'

test_expect_success 'reflog shows newest first with @{n} labels and 12-digit digests' '
	cat >expect <<-EOF &&
	$c lists/x@{0}: third
	$b lists/x@{1}: second value
	$a lists/x@{2}: update-ref
	EOF
	manifold reflog lists/x >actual &&
	test_cmp expect actual &&
	manifold reflog show lists/x >actual &&
	test_cmp expect actual
'

test_expect_success 'a short name finds lists/<name>; labels keep the name as given' '
	cat >expect <<-EOF &&
	$c x@{0}: third
	$b x@{1}: second value
	$a x@{2}: update-ref
	EOF
	manifold reflog x >actual &&
	test_cmp expect actual
'

test_expect_success '-n limits the number of entries' '
	cat >expect <<-EOF &&
	$c lists/x@{0}: third
	$b lists/x@{1}: second value
	EOF
	manifold reflog -n 2 lists/x >actual &&
	test_cmp expect actual &&
	manifold reflog --max-count=2 lists/x >actual &&
	test_cmp expect actual &&
	manifold reflog -n2 lists/x >actual &&
	test_cmp expect actual &&
	manifold reflog -n 0 lists/x >actual &&
	test_line_count = 0 actual &&
	manifold reflog -n 10 lists/x >actual &&
	test_line_count = 3 actual
'

test_expect_success '--no-abbrev prints full digests' '
	cat >expect <<-EOF &&
	$C lists/x@{0}: third
	$B lists/x@{1}: second value
	$A lists/x@{2}: update-ref
	EOF
	manifold reflog --no-abbrev lists/x >actual &&
	test_cmp expect actual
'

test_expect_success '--date=iso, raw and unix label entries by date' '
	cat >expect <<-EOF &&
	$c lists/x@{2023-11-14 22:13:20 +0000}: third
	$b lists/x@{2023-11-14 22:13:20 +0000}: second value
	$a lists/x@{2023-11-14 22:13:20 +0000}: update-ref
	EOF
	manifold reflog --date=iso lists/x >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	$C lists/x@{1700000000 +0000}: third
	$B lists/x@{1700000000 +0000}: second value
	$A lists/x@{1700000000 +0000}: update-ref
	EOF
	manifold reflog --date=raw --no-abbrev lists/x >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	$c lists/x@{1700000000}: third
	$b lists/x@{1700000000}: second value
	$a lists/x@{1700000000}: update-ref
	EOF
	manifold reflog --date unix lists/x >actual &&
	test_cmp expect actual
'

test_expect_success 'dates keep the time zone they were written in' '
	MANIFOLD_COMMITTER_DATE="1700000000 +0130" manifold update-ref -m east lists/tz "$A" &&
	MANIFOLD_COMMITTER_DATE="1700003600 -0500" manifold update-ref -m west lists/tz "$B" &&
	cat >expect <<-EOF &&
	$b lists/tz@{2023-11-14 18:13:20 -0500}: west
	$a lists/tz@{2023-11-14 23:43:20 +0130}: east
	EOF
	manifold reflog --date=iso lists/tz >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	$b lists/tz@{1700003600 -0500}: west
	$a lists/tz@{1700000000 +0130}: east
	EOF
	manifold reflog --date=raw lists/tz >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	$b lists/tz@{1700003600}: west
	$a lists/tz@{1700000000}: east
	EOF
	manifold reflog --date=unix lists/tz >actual &&
	test_cmp expect actual
'

test_expect_success '--oldest-first reverses the order and keeps each label' '
	cat >expect <<-EOF &&
	$a lists/x@{2}: update-ref
	$b lists/x@{1}: second value
	$c lists/x@{0}: third
	EOF
	manifold reflog --oldest-first lists/x >actual &&
	test_cmp expect actual &&
	head -n 1 expect >expect1 &&
	manifold reflog --oldest-first -n 1 lists/x >actual &&
	test_cmp expect1 actual
'

test_expect_success 'reflog exists: 0 for a ref with history, 1 otherwise, silently' '
	manifold reflog exists lists/x >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	manifold reflog exists x &&
	test_must_fail --code=1 manifold reflog exists lists/nope >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err
'

test_expect_success 'a missing reflog is fatal with one line' '
	test_must_fail --code=128 manifold reflog lists/nope >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "^fatal: no reflog for .lists/nope.$" err
'

test_expect_success 'histories of names that prefix one another stay apart' '
	manifold update-ref lists/p "$A" &&
	manifold update-ref lists/p/q "$B" &&
	manifold update-ref lists/pq "$C" &&
	manifold update-ref lists/p "$C" &&
	cat >expect <<-EOF &&
	$c lists/p@{0}: update-ref
	$a lists/p@{1}: update-ref
	EOF
	manifold reflog lists/p >actual &&
	test_cmp expect actual &&
	echo "$b lists/p/q@{0}: update-ref" >expect &&
	manifold reflog lists/p/q >actual &&
	test_cmp expect actual &&
	echo "$c lists/pq@{0}: update-ref" >expect &&
	manifold reflog lists/pq >actual &&
	test_cmp expect actual
'

test_expect_success 'history is kept after update-ref -d' '
	manifold update-ref lists/del "$A" &&
	manifold update-ref lists/del "$B" &&
	manifold update-ref -m "removed" -d lists/del &&
	test_must_fail --code=2 manifold show-ref --exists lists/del &&
	cat >expect <<-EOF &&
	(deleted) lists/del@{0}: removed
	$b lists/del@{1}: update-ref
	$a lists/del@{2}: update-ref
	EOF
	manifold reflog lists/del >actual &&
	test_cmp expect actual &&
	manifold reflog exists lists/del &&
	manifold reflog exists del
'

test_expect_success 'NAME@{n} still resolves after the ref is deleted' '
	echo "$B" >expect &&
	manifold rev-parse "lists/del@{1}" >actual &&
	test_cmp expect actual &&
	manifold rev-parse "del@{1}" >actual &&
	test_cmp expect actual &&
	echo "$A" >expect &&
	manifold rev-parse "del@{2}" >actual &&
	test_cmp expect actual &&
	test_must_fail --code=128 manifold rev-parse "del@{0}" 2>err &&
	test_stderr_line "^fatal: .lists/del@\{0\}. is a deletion$" err &&
	manifold cat-manifest "del@{1}" >bytes &&
	cmp "$DATA/docker-list.json" bytes
'

test_expect_success 'a deleted ref that is created again continues its history' '
	manifold update-ref lists/del "$C" "" &&
	cat >expect <<-EOF &&
	$c lists/del@{0}: update-ref
	(deleted) lists/del@{1}: removed
	$b lists/del@{2}: update-ref
	$a lists/del@{3}: update-ref
	EOF
	manifold reflog lists/del >actual &&
	test_cmp expect actual
'

test_expect_success 'reflog list names every ref with a history, deleted ones too' '
	manifold update-ref lists/gone "$A" &&
	manifold update-ref -d lists/gone &&
	cat >expect <<-EOF &&
	lists/del
	lists/gone
	lists/p
	lists/p/q
	lists/pq
	lists/tz
	lists/x
	EOF
	manifold reflog list >actual &&
	test_cmp expect actual
'

test_expect_success 'hundreds of entries stay in order' '
	for i in $(seq 1 130); do
		manifold update-ref -m "a $i" lists/many "$A" &&
		manifold update-ref -m "b $i" lists/many "$B" || exit 1
	done &&
	manifold reflog lists/many >log &&
	test_line_count = 260 log &&
	echo "$b lists/many@{0}: b 130" >expect &&
	head -n 1 log >actual &&
	test_cmp expect actual &&
	echo "$a lists/many@{259}: a 1" >expect &&
	tail -n 1 log >actual &&
	test_cmp expect actual &&
	echo "$a lists/many@{255}: a 3" >expect &&
	sed -n 256p log >actual &&
	test_cmp expect actual &&
	echo "$A" >expect &&
	manifold rev-parse "many@{257}" >actual &&
	test_cmp expect actual &&
	manifold reflog --oldest-first lists/many >oldest &&
	tac log >expect &&
	test_cmp expect oldest
'

test_expect_success 'usage errors exit 129' '
	test_must_fail --code=129 manifold reflog 2>err &&
	test_grep "name one ref" err &&
	test_must_fail --code=129 manifold reflog lists/x lists/p &&
	test_must_fail --code=129 manifold reflog list extra 2>err &&
	test_grep "takes no arguments" err &&
	test_must_fail --code=129 manifold reflog exists 2>err &&
	test_must_fail --code=129 manifold reflog --date=rfc lists/x 2>err &&
	test_grep "unknown date format .rfc." err &&
	test_must_fail --code=129 manifold reflog -n many lists/x 2>err &&
	test_grep "expects a whole number" err
'

test_expect_success 'reflog changes nothing' '
	store_snapshot >before &&
	manifold reflog lists/x >/dev/null &&
	manifold reflog list >/dev/null &&
	store_snapshot >after &&
	test_cmp before after
'

test_done
