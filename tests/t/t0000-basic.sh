#!/bin/bash
test_description='the manifold executable: --version, --help, help <command>, unknown commands and options, exit codes'
. ./test-lib.sh

PLUMBING="cat-manifest fsck hash-object reflog rev-parse show-ref update-ref"

# The commands `manifold --help` lists, one per line.
listed_commands() {
	manifold --help | sed -n "/^Commands:/,/^\$/s/^   \([a-z][a-z-]*\) .*/\1/p"
}

test_expect_success '--version prints the project version' '
	v=$(sed -n "s/^project(manifold VERSION \([0-9.]*\).*/\1/p" "$MANIFOLD_SOURCE_DIR/CMakeLists.txt") &&
	test -n "$v" &&
	echo "manifold version $v" >expect &&
	manifold --version >actual 2>err &&
	test_cmp expect actual &&
	test_line_count = 0 err &&
	manifold -v >actual &&
	test_cmp expect actual
'

test_expect_success '--version wins wherever it comes among the global options' '
	manifold --store "$TRASH/nowhere" --version >actual &&
	test_grep "^manifold version " actual &&
	! test -e "$TRASH/nowhere"
'

test_expect_success '--help lists the commands on stdout, with a description each' '
	manifold --help >out 2>err &&
	test_line_count = 0 err &&
	test_grep "^usage: manifold " out &&
	listed_commands >cmds &&
	for c in $PLUMBING; do
		test_grep -x "$c" cmds &&
		test_grep -E "^   $c +[A-Z][a-z]" out || exit 1
	done
'

test_expect_success 'commands are listed in alphabetical order' '
	listed_commands >cmds &&
	sort cmds >sorted &&
	test_cmp sorted cmds
'

test_expect_success '-h and help are the same as --help' '
	manifold --help >expect &&
	manifold -h >actual &&
	test_cmp expect actual &&
	manifold help >actual &&
	test_cmp expect actual
'

test_expect_success 'no command: usage on stderr, exit 129' '
	test_must_fail --code=129 manifold >out 2>err &&
	test_line_count = 0 out &&
	test_grep "^usage: manifold " err
'

test_expect_success 'an unknown command exits 129 with one line naming it' '
	test_must_fail --code=129 manifold frobnicate >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "^manifold: .frobnicate. is not a manifold command. See .manifold --help.\.$" err &&
	test_must_fail --code=129 manifold Show-Ref 2>err &&
	test_stderr_line "Show-Ref" err
'

test_expect_success 'an unknown global option exits 129 naming it' '
	test_must_fail --code=129 manifold --frobnicate show-ref >out 2>err &&
	test_line_count = 0 out &&
	test_grep "^error: unknown option .--frobnicate.$" err
'

test_expect_success 'global options go before the command' '
	test_must_fail --code=129 manifold show-ref --store "$TRASH/s" 2>err &&
	test_grep "unknown option .store." err &&
	! test -e "$TRASH/s"
'

test_expect_success 'help <command> shows that command'\''s usage on stdout, exit 0' '
	for c in $(listed_commands); do
		manifold help "$c" >actual 2>err &&
		test_line_count = 0 err &&
		test_grep "^[Uu]sage: \{1,2\}manifold $c" actual &&
		manifold "$c" --help >expect &&
		test_cmp expect actual &&
		manifold "$c" -h >expect &&
		test_cmp expect actual || exit 1
	done
'

test_expect_success 'help and --help create no store' '
	for c in $(listed_commands); do
		manifold help "$c" >/dev/null &&
		manifold "$c" --help >/dev/null || exit 1
	done &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'plumbing commands exit 129 on an unknown option, with their usage' '
	for c in $PLUMBING; do
		test_must_fail --code=129 manifold "$c" --frobnicate >out 2>err </dev/null &&
		test_line_count = 0 out &&
		head -n 1 err >first &&
		test_grep "^error: unknown option .frobnicate.$" first &&
		test_grep "^usage: manifold $c" err || exit 1
	done &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'a write error on stdout is fatal (exit 128), not silent' '
	test_must_fail --code=128 manifold --version >/dev/full 2>err &&
	test_stderr_line "^fatal: cannot write to standard output" err &&
	test_must_fail --code=128 manifold --help >/dev/full 2>err &&
	test_stderr_line "^fatal: cannot write to standard output" err &&
	test_must_fail --code=128 manifold hash-object "$DATA/oci-index.json" >/dev/full 2>err &&
	test_stderr_line "^fatal: cannot write to standard output" err
'

test_expect_success 'a write error while printing a command'\''s help is fatal too' '
	test_must_fail --code=128 manifold help show-ref >/dev/full 2>err &&
	test_grep "cannot write" err &&
	test_must_fail --code=128 manifold show-ref --help >/dev/full 2>err &&
	test_grep "cannot write" err
'

test_expect_success 'a closed pipe on stdout is not reported as an error' '
	manifold hash-object -w "$DATA/oci-index.json" >/dev/null &&
	for i in $(seq 1 200); do echo "$(sha256_of "$DATA/oci-index.json")" || exit 1; done >names &&
	(
		trap "" PIPE &&
		manifold cat-manifest --batch <names 2>err | head -c 10 >/dev/null &&
		test_line_count = 0 err
	)
'

test_done
