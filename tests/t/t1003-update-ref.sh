#!/bin/bash
test_description='update-ref: create, compare-and-swap, delete, names, reflog messages, --stdin transactions'
. ./test-lib.sh

A=$(sha256_of "$DATA/oci-index.json")
B=$(sha256_of "$DATA/docker-list.json")
C=$(sha256_of "$DATA/buildkit-index.json")
MISSING=sha256:1111111111111111111111111111111111111111111111111111111111111111

# refused_unchanged cmd...: cmd fails with exit 128 and one line on stderr
# (left in err), and the store is the same before and after.
refused_unchanged() {
	store_snapshot >before &&
	test_must_fail --code=128 "$@" 2>err &&
	test_line_count = 1 err &&
	store_snapshot >after &&
	test_cmp before after
}

test_expect_success 'a failed update-ref on a missing store creates no store' '
	export MANIFOLD_DIR="$TRASH/store-none" &&
	test_must_fail --code=128 manifold update-ref lists/x "$A" 2>err &&
	test_stderr_line "not found" err &&
	test_must_fail --code=128 manifold update-ref "lists/a b" "$A" &&
	test_must_fail --code=128 manifold update-ref -d lists/x &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup' '
	manifold hash-object -w "$DATA"/*.json >/dev/null
'

test_expect_success 'create a ref' '
	manifold update-ref lists/x "$A" >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	echo "$A lists/x" >expect &&
	manifold show-ref >actual &&
	test_cmp expect actual
'

test_expect_success 'update with the right old value' '
	manifold update-ref lists/x "$B" "$A" &&
	echo "$B" >expect &&
	manifold rev-parse lists/x >actual &&
	test_cmp expect actual
'

test_expect_success 'a stale old value is refused, naming the ref; nothing changes' '
	refused_unchanged manifold update-ref lists/x "$C" "$A" &&
	test_stderr_line "^fatal: ref .lists/x. is at $B, not $A$" err
'

test_expect_success 'old value "" means the ref must not exist' '
	refused_unchanged manifold update-ref lists/x "$C" "" &&
	test_stderr_line "^fatal: ref .lists/x. already exists \(at $B\)$" err &&
	manifold update-ref lists/new "$C" "" &&
	echo "$C" >expect &&
	manifold rev-parse lists/new >actual &&
	test_cmp expect actual
'

test_expect_success 'the zero digest as old value means the ref must not exist' '
	refused_unchanged manifold update-ref lists/x "$C" "$ZERO" &&
	test_stderr_line "lists/x. already exists" err &&
	manifold update-ref lists/new2 "$C" "$ZERO" &&
	manifold show-ref --exists lists/new2
'

test_expect_success 'an old value for a ref that does not exist is refused' '
	refused_unchanged manifold update-ref lists/absent "$C" "$A" &&
	test_stderr_line "^fatal: ref .lists/absent. does not exist \(expected $A\)$" err
'

test_expect_success 'old and new values may be abbreviated digests or names' '
	manifold update-ref lists/y "${A#sha256:}" &&
	manifold update-ref lists/y lists/x 9af9 &&
	echo "$B" >expect &&
	manifold rev-parse lists/y >actual &&
	test_cmp expect actual &&
	manifold update-ref lists/y "x@{1}" lists/x &&
	echo "$A" >expect &&
	manifold rev-parse lists/y >actual &&
	test_cmp expect actual
'

test_expect_success 'the new value must be in the store' '
	refused_unchanged manifold update-ref lists/x "$MISSING" &&
	test_stderr_line "^fatal: cannot resolve new value .$MISSING.: object .$MISSING. not found$" err &&
	refused_unchanged manifold update-ref lists/fresh "$MISSING" &&
	refused_unchanged manifold update-ref lists/x 1111 &&
	test_stderr_line "1111" err &&
	refused_unchanged manifold update-ref lists/x lists/nope &&
	test_stderr_line "lists/nope" err
'

test_expect_success 'delete with the right old value, and without one' '
	manifold update-ref lists/d1 "$A" &&
	manifold update-ref lists/d2 "$A" &&
	manifold update-ref -d lists/d1 "$A" &&
	manifold update-ref -d lists/d2 &&
	test_must_fail --code=2 manifold show-ref --exists lists/d1 &&
	test_must_fail --code=2 manifold show-ref --exists lists/d2
'

test_expect_success 'delete with a stale old value is refused; nothing changes' '
	manifold update-ref lists/d3 "$A" &&
	refused_unchanged manifold update-ref -d lists/d3 "$B" &&
	test_stderr_line "^fatal: ref .lists/d3. is at $A, not $B$" err &&
	refused_unchanged manifold update-ref -d lists/d3 "" &&
	test_stderr_line "lists/d3. already exists" err
'

test_expect_success 'deleting a ref that does not exist is refused' '
	refused_unchanged manifold update-ref -d lists/never &&
	test_stderr_line "^fatal: ref .lists/never. not found$" err
'

test_expect_success 'invalid ref names are refused, one line naming the problem' '
	long=lists/$(printf "%0500d" 0) &&
	for name in "lists/a b" lists/.hidden "lists/a@{1}" "$(printf "lists/a\001b")" \
		"$(printf "lists/a\tb")" "$long" lists//a lists/a/ "" "lists/a~1" \
		"lists/a*" "lists/a?" "lists/a\\b" "lists/é"; do
		refused_unchanged manifold update-ref "$name" "$A" &&
		test_grep "invalid ref name" err || exit 1
	done &&
	refused_unchanged manifold update-ref lists/.hidden "$A" &&
	test_stderr_line "starts with .\.." err &&
	refused_unchanged manifold update-ref "lists/a@{1}" "$A" &&
	test_stderr_line "contains .@\{." err &&
	refused_unchanged manifold update-ref "$(printf "lists/a\001b")" "$A" &&
	test_stderr_line "control .*0x01" err &&
	refused_unchanged manifold update-ref "$long" "$A" &&
	test_stderr_line "longer than 500 bytes" err
'

test_expect_success 'a ref name of exactly 500 bytes is accepted' '
	name=lists/$(printf "%0494d" 0) &&
	test ${#name} = 500 &&
	manifold update-ref "$name" "$A" &&
	manifold show-ref --exists "$name"
'

test_expect_success 'the message for a refused ref name names the ref' '
	refused_unchanged manifold update-ref "lists/a b" "$A" &&
	test_stderr_line "lists/a b" err
'

test_expect_success '-m lands in the reflog; the default message is "update-ref"' '
	manifold update-ref lists/m "$A" &&
	manifold update-ref -m "moved to the docker list" lists/m "$B" &&
	cat >expect <<-EOF &&
	$B lists/m@{0}: moved to the docker list
	$A lists/m@{1}: update-ref
	EOF
	manifold reflog --no-abbrev lists/m >actual &&
	test_cmp expect actual
'

test_expect_success '-m: control characters become spaces, a newline is a usage error' '
	manifold update-ref -m "$(printf "tab\there")" lists/m "$A" &&
	echo "$A lists/m@{0}: tab here" >expect &&
	manifold reflog --no-abbrev -n 1 lists/m >actual &&
	test_cmp expect actual &&
	store_snapshot >before &&
	test_must_fail --code=129 manifold update-ref -m "$(printf "two\nlines")" lists/m "$B" 2>err &&
	test_grep "one line" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'usage errors exit 129 and change nothing' '
	store_snapshot >before &&
	test_must_fail --code=129 manifold update-ref lists/x 2>err &&
	test_grep "expected <ref> <new> \[<old>\]" err &&
	test_must_fail --code=129 manifold update-ref lists/x "$A" "$B" extra &&
	test_must_fail --code=129 manifold update-ref -d 2>err &&
	test_grep "takes a ref" err &&
	test_must_fail --code=129 manifold update-ref -d lists/x "$A" extra &&
	test_must_fail --code=129 manifold update-ref -z lists/x "$A" 2>err &&
	test_grep "needs --stdin" err &&
	test_must_fail --code=129 manifold update-ref --stdin lists/x </dev/null &&
	test_must_fail --code=129 manifold update-ref -d --stdin </dev/null &&
	test_must_fail --code=129 manifold update-ref -m 2>err &&
	test_grep "requires a value" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'setup for --stdin' '
	manifold update-ref lists/s/upd "$A" &&
	manifold update-ref lists/s/del "$A" &&
	manifold update-ref lists/s/ver "$B"
'

test_expect_success '--stdin applies create, update, delete and verify together' '
	cat >in <<-EOF &&
	# a comment, then a blank line

	create lists/s/new $A
	update lists/s/upd $B $A
	delete lists/s/del $A
	verify lists/s/ver $B
	verify lists/s/none
	EOF
	manifold update-ref -m "batch one" --stdin <in &&
	cat >expect <<-EOF &&
	$A lists/s/new
	$B lists/s/upd
	$B lists/s/ver
	EOF
	manifold show-ref --prefix lists/s/ >actual &&
	test_cmp expect actual &&
	echo "$B lists/s/upd@{0}: batch one" >expect &&
	manifold reflog --no-abbrev -n 1 lists/s/upd >actual &&
	test_cmp expect actual &&
	echo "(deleted) lists/s/del@{0}: batch one" >expect &&
	manifold reflog --no-abbrev -n 1 lists/s/del >actual &&
	test_cmp expect actual &&
	echo "$B lists/s/ver@{0}: update-ref" >expect &&
	manifold reflog --no-abbrev -n 1 lists/s/ver >actual &&
	test_cmp expect actual
'

# stdin_refused line-number pattern: update-ref --stdin <in fails, naming
# that line, and nothing changes.
stdin_refused() {
	refused_unchanged manifold update-ref --stdin <in &&
	test_stderr_line "$1" err
}

test_expect_success '--stdin: a stale old value in the middle changes nothing' '
	cat >in <<-EOF &&
	update lists/s/upd $A $B
	update lists/s/new $B $B
	delete lists/s/ver
	create lists/s/other $A
	EOF
	stdin_refused "^fatal: line 2: ref .lists/s/new. is at $A, not $B$"
'

test_expect_success '--stdin: a missing object in the middle changes nothing' '
	cat >in <<-EOF &&
	create lists/s/one $A
	update lists/s/upd $MISSING
	create lists/s/two $A
	EOF
	stdin_refused "^fatal: line 2: cannot resolve new value .$MISSING."
'

test_expect_success '--stdin: a failed verify changes nothing' '
	cat >in <<-EOF &&
	create lists/s/one $A
	verify lists/s/ver $A
	EOF
	stdin_refused "^fatal: line 2: ref .lists/s/ver. is at $B, not $A$" &&
	cat >in <<-EOF &&
	create lists/s/one $A
	verify lists/s/ver
	EOF
	stdin_refused "^fatal: line 2: ref .lists/s/ver. exists$" &&
	cat >in <<-EOF &&
	create lists/s/one $A
	verify lists/s/none $A
	EOF
	stdin_refused "^fatal: line 2: ref .lists/s/none. does not exist$"
'

test_expect_success '--stdin: create of an existing ref, delete of a missing one change nothing' '
	cat >in <<-EOF &&
	create lists/s/one $A
	create lists/s/upd $A
	EOF
	stdin_refused "^fatal: line 2: ref .lists/s/upd. already exists" &&
	cat >in <<-EOF &&
	create lists/s/one $A
	delete lists/s/gone
	EOF
	stdin_refused "^fatal: line 2: ref .lists/s/gone. not found$"
'

test_expect_success '--stdin: an invalid ref name changes nothing' '
	cat >in <<-EOF &&
	create lists/s/one $A
	create lists/s/.bad $A
	EOF
	stdin_refused "^fatal: line 2: .*invalid ref name .lists/s/.bad."
'

test_expect_success '--stdin: a malformed line changes nothing, naming its number' '
	cat >in <<-EOF &&
	create lists/s/one $A
	frobnicate lists/s/upd
	EOF
	stdin_refused "^fatal: update-ref --stdin: line 2: expected .update <ref> <new> \[<old>\]." &&
	cat >in <<-EOF &&
	create lists/s/one $A
	create lists/s/two $A extra
	EOF
	stdin_refused "^fatal: update-ref --stdin: line 2: expected" &&
	cat >in <<-EOF &&
	create lists/s/one $A
	update lists/s/upd
	EOF
	stdin_refused "^fatal: update-ref --stdin: line 2: expected"
'

test_expect_success '--stdin: comments and blank lines count in line numbers' '
	cat >in <<-EOF &&
	# comment

	create lists/s/one $A
	create lists/s/upd $A
	EOF
	stdin_refused "^fatal: line 4: ref .lists/s/upd. already exists"
'

test_expect_success '--stdin: a ref named twice is refused, naming both lines' '
	cat >in <<-EOF &&
	create lists/s/one $A
	update lists/s/upd $B
	delete lists/s/upd
	EOF
	stdin_refused "^fatal: update-ref --stdin: line 3: ref .lists/s/upd. is named twice \(lines 2 and 3\)$"
'

test_expect_success '--stdin: a NUL byte in a line is refused' '
	printf "create lists/s/one %s\000x\n" "$A" >in &&
	stdin_refused "^fatal: update-ref --stdin: line 1 contains a NUL byte$"
'

test_expect_success '--stdin: CRLF line ends are accepted' '
	printf "create lists/s/crlf %s\r\n" "$A" | manifold update-ref --stdin &&
	echo "$A lists/s/crlf" >expect &&
	manifold show-ref lists/s/crlf >actual &&
	test_cmp expect actual
'

test_expect_success '--stdin -z: NUL-terminated records' '
	printf "create lists/z/a %s\000create lists/z/b %s\000" "$A" "$A" |
		manifold update-ref -z --stdin &&
	printf "update lists/z/a %s %s\000update lists/z/b %s" "$B" "$A" "$C" |
		manifold update-ref -z --stdin &&
	cat >expect <<-EOF &&
	$B lists/z/a
	$C lists/z/b
	EOF
	manifold show-ref --prefix lists/z/ >actual &&
	test_cmp expect actual &&
	printf "create lists/z/c %s\000update lists/z/a %s %s\000" "$A" "$C" "$A" >in &&
	refused_unchanged manifold update-ref -z --stdin <in &&
	test_stderr_line "^fatal: line 2: ref .lists/z/a. is at $B, not $A$" err
'

test_expect_success '--stdin with no changes is a no-op that creates no store' '
	export MANIFOLD_DIR="$TRASH/store-empty-stdin" &&
	printf "# nothing\n\n" | manifold update-ref --stdin &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'concurrent updates from one old value: exactly one wins' '
	mkdir race &&
	for i in $(seq 1 12); do echo "race $i" >race/o$i || exit 1; done &&
	manifold hash-object -w --literally race/o* >ids &&
	base=$(head -n 1 ids) &&
	manifold update-ref lists/race "$base" &&
	i=0 &&
	for id in $(tail -n +2 ids); do
		i=$((i + 1)) &&
		{ { manifold update-ref lists/race "$id" "$base" 2>/dev/null; echo $? >race/rc$i; } & } ||
		return 1
	done &&
	wait &&
	cat race/rc* | sort | uniq -c | sed "s/^ *//" >actual &&
	printf "1 0\n10 128\n" >expect &&
	test_cmp expect actual &&
	manifold reflog lists/race >log &&
	test_line_count = 2 log &&
	grep -F -x -f <(manifold rev-parse lists/race) ids
'

test_expect_success 'an IPv6 registry host may appear in a ref name' '
	manifold update-ref "lists/[::1]:5000/x:latest" "$A" &&
	manifold show-ref --exists "lists/[::1]:5000/x:latest"
'

test_expect_success '--stdin: a doubled space or a control character is refused, naming the line' '
	store_snapshot >before &&
	printf "update  lists/x %s\n" "$A" >in &&
	test_must_fail --code=128 manifold update-ref --stdin <in 2>err &&
	test_stderr_line "line 1: expected .* separated by one space" err &&
	printf "create lists/ok %s\0update lists/a\tb %s\0" "$A" "$A" >in &&
	test_must_fail --code=128 manifold update-ref -z --stdin <in 2>err &&
	test_stderr_line "line 2: control character 0x09" err &&
	store_snapshot >after && test_cmp before after
'

test_done
