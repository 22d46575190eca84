#!/bin/bash
test_description='test-lib.sh itself: broken &&-chains fail, failures fail, skips are skips, exit codes'
. ./test-lib.sh

# Each sample is a test script run by the real test-lib.sh, here in the
# trash directory; its TAP output goes to NAME.out and its exit code to
# NAME.rc.  Samples leave marks in $MARKS to show what ran.
export MANIFOLD MANIFOLD_SOURCE_DIR MANIFOLD_BUILD_DIR MF_TEST_DATA
export MARKS=$TRASH/marks
mkdir -p "$MARKS"
unset MF_TEST_VERBOSE MF_TEST_CHAIN_LINT

# sample NAME: the script on stdin, after sourcing test-lib.sh.
sample() {
	{
		echo '. "$MANIFOLD_SOURCE_DIR/tests/t/test-lib.sh"'
		cat
	} >"$TRASH/$1.sh"
}

# run_sample NAME: run it; NAME.out is its output, NAME.tap the TAP lines
# without the diagnostics (# ...), NAME.rc its exit code.
run_sample() {
	rm -rf "$MARKS" && mkdir "$MARKS" &&
	{ bash "$TRASH/$1.sh" >"$1.out" 2>&1; echo $? >"$1.rc"; } &&
	grep -v "^#" "$1.out" >"$1.tap"
	return 0
}

sample three <<\EOF
test_expect_success 'three lines without &&' '
	echo one >"$MARKS/one"
	test -f no-such-file
	echo two >"$MARKS/two"
'
test_done
EOF

sample middle <<\EOF
test_expect_success 'a chain whose middle line fails' '
	echo one >"$MARKS/one" &&
	test -f no-such-file &&
	echo two >"$MARKS/two"
'
test_done
EOF

sample pass <<\EOF
test_expect_success 'a chain that passes' '
	echo one >x &&
	test -f x &&
	echo ran >"$MARKS/pass"
'
test_done
EOF

sample crash <<\EOF
test_expect_success 'test_must_fail on a crash' '
	test_must_fail sh -c "kill -SEGV \$\$"
'
test_expect_success 'test_must_fail on a command that is not there' '
	test_must_fail no-such-command-anywhere
'
test_expect_success 'test_must_fail on a plain failure' '
	test_must_fail sh -c "exit 3"
'
test_expect_success 'test_must_fail --code, the right code' '
	test_must_fail --code=3 sh -c "exit 3"
'
test_expect_success 'test_must_fail --code, a wrong code' '
	test_must_fail --code=4 sh -c "exit 3"
'
test_expect_success 'test_must_fail on a success' '
	test_must_fail true
'
test_expect_success 'test_expect_code, the right code' '
	test_expect_code 3 sh -c "exit 3"
'
test_expect_success 'test_expect_code, a wrong code' '
	test_expect_code 0 sh -c "exit 3"
'
test_done
EOF

sample skip <<\EOF
test_lazy_prereq NEVER 'false'
test_lazy_prereq ALWAYS 'true'
test_expect_success NEVER 'needs a missing tool' '
	echo ran >"$MARKS/never"
'
test_expect_success ALWAYS 'needs a present tool' '
	echo ran >"$MARKS/always"
'
test_expect_success ALWAYS,NEVER 'needs both' '
	echo ran >"$MARKS/both"
'
test_done
EOF

sample skippart <<\EOF
test_expect_success 'a test with an optional part' '
	test_skip_part "no frobnicator: the comparison was not made" &&
	echo ran >"$MARKS/part"
'
test_expect_success 'a whole test' 'true'
test_done
EOF

sample poll <<\EOF
test_expect_success 'test_poll gives up' '
	test_poll 1 test -f never-there
'
test_expect_success 'test_poll waits for a background job' '
	{ (sleep 0.3 && echo >late) & } &&
	test_poll 5 test -f late
'
test_done
EOF

sample skipfail <<\EOF
test_lazy_prereq NEVER 'false'
test_expect_success NEVER 'skipped' 'true'
test_expect_success 'fails' 'false'
test_done
EOF

sample skipall <<\EOF
test_skip_all "the frobnicator is not installed"
test_expect_success 'never reached' '
	echo ran >"$MARKS/reached"
'
test_done
EOF

sample noregistry <<\EOF
# A PATH with rm (for the clean-up at exit) and no registry.
mkdir "$TRASH/bin" && ln -s "$(command -v rm)" "$TRASH/bin/rm" || exit 1
PATH=$TRASH/bin
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
test_expect_success 'never reached' '
	echo ran >"$MARKS/reached"
'
test_done
EOF

sample skipall_late <<\EOF
test_expect_success 'one test' 'true'
test_skip_all "too late"
test_done
EOF

sample unknown <<\EOF
test_expect_success NO_SUCH_PREREQ 'a typo in a prerequisite' 'true'
test_done
EOF

sample empty <<\EOF
test_done
EOF

# Chains broken inside constructs: what (exit 117) && BODY cannot see.
sample nested <<\EOF
test_expect_success 'in { }' '
	{
		echo a >"$MARKS/brace"
		false
	} &&
	true
'
test_expect_success 'in ( )' '
	(
		cd . &&
		false
		echo a >"$MARKS/subshell"
	)
'
test_expect_success 'in if' '
	if true
	then
		false
		echo a >"$MARKS/if"
	fi
'
test_expect_success 'a loop without || return 1' '
	for i in 1 2; do
		test $i = 2 &&
		echo $i >"$MARKS/loop"
	done
'
test_expect_success 'after a loop' '
	for i in 1 2; do
		echo $i || return 1
	done
	false
'
test_expect_success 'a ; at the top level' '
	false; echo a >"$MARKS/semicolon"
'
test_expect_success 'a || at the top level' '
	false || echo a >"$MARKS/or"
'
test_done
EOF

# Bodies the checks must accept: each a proper chain.
sample good <<\EOF
test_expect_success 'here-documents, case, quotes, substitutions, loops' '
	cat >expect <<-\END &&
	one
	two (not a command)
	END
	x=$(printf "%s" "$(echo ")")") &&
	test "$x" = ")" &&
	y=$(
		echo a &&
		echo b
	) &&
	case $x in
	a) false ;;
	")") echo case >case
	     echo two >>case ;;
	esac &&
	test -f case &&
	arr=(one
		two) &&
	test ${#arr[@]} = 2 &&
	for i in 1 2; do
		echo "$i
		multi" >>loop || return 1
	done &&
	printf "a\nb\n" | while read -r l; do
		test -n "$l" || return 1
	done &&
	for i in 1 2; do
		test $i -gt 0 ||
		{ echo "not positive: $i"; exit 1; }
	done &&
	test_poll 5 test -f loop &&
	f() {
		echo in f &&
		return 0
	} &&
	f >f.out &&
	if test -f f.out; then
		echo yes >>case
	elif false; then
		false
	else
		false
	fi &&
	{ test_must_fail false; test $? = 0; } &&
	echo "${x%")"}" "$((1 + (2 * 3)))" >arith &&
	test_cmp expect expect &&
	echo ran >"$MARKS/good"
'
test_done
EOF

test_expect_success 'three lines without && fail as a broken &&-chain, without running' '
	run_sample three &&
	test "$(cat three.rc)" = 1 &&
	test_grep "^not ok 1 - three lines without && (broken &&-chain)$" three.tap &&
	test_grep "broken &&-chain: line 2" three.out &&
	! test -f "$MARKS/one" &&
	! test -f "$MARKS/two"
'

test_expect_success 'a chain whose middle line fails fails, and stops there' '
	run_sample middle &&
	test "$(cat middle.rc)" = 1 &&
	test_grep "^not ok 1 - a chain whose middle line fails$" middle.tap &&
	test_grep "^1\.\.1$" middle.tap &&
	test -f "$MARKS/one" &&
	! test -f "$MARKS/two"
'

test_expect_success 'a chain that passes passes: ok, exit 0' '
	run_sample pass &&
	test "$(cat pass.rc)" = 0 &&
	printf "ok 1 - a chain that passes\n1..1\n" >expect &&
	test_cmp expect pass.tap &&
	test_grep "^# passed all 1 test(s)$" pass.out &&
	test -f "$MARKS/pass"
'

test_expect_success 'test_must_fail: a crash or a missing command is not a failure' '
	run_sample crash &&
	test "$(cat crash.rc)" = 1 &&
	cat >expect <<-\EOF &&
	not ok 1 - test_must_fail on a crash
	not ok 2 - test_must_fail on a command that is not there
	ok 3 - test_must_fail on a plain failure
	ok 4 - test_must_fail --code, the right code
	not ok 5 - test_must_fail --code, a wrong code
	not ok 6 - test_must_fail on a success
	ok 7 - test_expect_code, the right code
	not ok 8 - test_expect_code, a wrong code
	1..8
	EOF
	test_cmp expect crash.tap &&
	test_grep "died of signal 11" crash.out
'

test_expect_success 'a missing prerequisite: ok N # SKIP, the body not run, exit 77' '
	run_sample skip &&
	test "$(cat skip.rc)" = 77 &&
	cat >expect <<-\EOF &&
	ok 1 # SKIP needs a missing tool (missing NEVER)
	ok 2 - needs a present tool
	ok 3 # SKIP needs both (missing NEVER)
	1..3
	EOF
	test_cmp expect skip.tap &&
	test_grep "^# skipped 2 of 3 test(s)" skip.out &&
	! test -f "$MARKS/never" &&
	! test -f "$MARKS/both" &&
	test -f "$MARKS/always"
'

test_expect_success 'a skipped part: ok with a note, the file exits 77' '
	run_sample skippart &&
	test "$(cat skippart.rc)" = 77 &&
	printf "ok 1 - a test with an optional part\nok 2 - a whole test\n1..2\n" >expect &&
	test_cmp expect skippart.tap &&
	test_grep "^# part skipped: no frobnicator: the comparison was not made$" skippart.out &&
	test -f "$MARKS/part"
'

test_expect_success 'test_poll: fails when the command never succeeds, waits when it does' '
	run_sample poll &&
	test "$(cat poll.rc)" = 1 &&
	printf "not ok 1 - test_poll gives up\nok 2 - test_poll waits for a background job\n1..2\n" >expect &&
	test_cmp expect poll.tap
'

test_expect_success 'a failure among skips: exit 1, not 77' '
	run_sample skipfail &&
	test "$(cat skipfail.rc)" = 1 &&
	test_grep "^# 0 passed, 1 failed, 1 skipped$" skipfail.out
'

test_expect_success 'test_skip_all: 1..0 # SKIP reason, exit 77, nothing run' '
	run_sample skipall &&
	test "$(cat skipall.rc)" = 77 &&
	echo "1..0 # SKIP the frobnicator is not installed" >expect &&
	test_cmp expect skipall.out &&
	! test -f "$MARKS/reached"
'

test_expect_success 'lib-registry.sh without its tools skips the file (exit 77)' '
	run_sample noregistry &&
	test "$(cat noregistry.rc)" = 77 &&
	echo "1..0 # SKIP lib-registry.sh needs docker-registry, which is not installed" >expect &&
	test_cmp expect noregistry.out &&
	! test -f "$MARKS/reached"
'

test_expect_success 'test_skip_all after a test, or an unknown prerequisite: Bail out!, exit 1' '
	run_sample skipall_late &&
	test "$(cat skipall_late.rc)" = 1 &&
	test_grep "^Bail out! test_skip_all after 1 test(s): too late$" skipall_late.out &&
	run_sample unknown &&
	test "$(cat unknown.rc)" = 1 &&
	test_grep "^Bail out! unknown prerequisite NO_SUCH_PREREQ$" unknown.out
'

test_expect_success 'test_done with no test: 1..0, exit 0' '
	run_sample empty &&
	test "$(cat empty.rc)" = 0 &&
	test_grep "^1\.\.0$" empty.tap
'

test_expect_success 'chains broken inside { }, ( ), if and loops, and at the top level by ; or ||' '
	run_sample nested &&
	test "$(cat nested.rc)" = 1 &&
	cat >expect <<-\EOF &&
	not ok 1 - in { } (broken &&-chain)
	not ok 2 - in ( ) (broken &&-chain)
	not ok 3 - in if (broken &&-chain)
	not ok 4 - a loop without || return 1 (broken &&-chain)
	not ok 5 - after a loop (broken &&-chain)
	not ok 6 - a ; at the top level (broken &&-chain)
	not ok 7 - a || at the top level (broken &&-chain)
	1..7
	EOF
	test_cmp expect nested.tap &&
	test_grep "loop without || return 1" nested.out &&
	test_grep "(exit 117) && BODY. gave 0, not 117" nested.out &&
	! test -f "$MARKS/brace" &&
	! test -f "$MARKS/subshell" &&
	! test -f "$MARKS/if" &&
	! test -f "$MARKS/loop"
'

test_expect_success 'proper chains with here-documents, case, loops, quotes and $( ) pass the checks' '
	run_sample good &&
	test "$(cat good.rc)" = 0 &&
	test_grep "^ok 1 - here-documents" good.tap &&
	test -f "$MARKS/good"
'

test_expect_success 'MF_TEST_CHAIN_LINT=0 runs a broken chain (and then it passes: why the lint is on)' '
	MF_TEST_CHAIN_LINT=0 run_sample three &&
	test "$(cat three.rc)" = 0 &&
	test_grep "^ok 1 - three lines without &&$" three.tap &&
	test -f "$MARKS/two"
'

test_done
