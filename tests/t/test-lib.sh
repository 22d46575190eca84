# test-lib.sh: a small git-style test library with TAP output.
#
#   . ./test-lib.sh
#   test_expect_success 'title' '
#	manifold hash-object x >actual &&
#	test_cmp expect actual
#   '
#   test_expect_success DOCKER 'title' '...'   # runs only if docker is there
#   test_done
#
# Each test runs in a fresh shell in the trash directory $TRASH, with
# $MANIFOLD_DIR pointing at a store of its own inside it.  `manifold` on
# PATH is the binary under test ($MANIFOLD, set by ctest).  Set
# MF_TEST_VERBOSE=1 to see each test's output.
#
# A body must be one &&-chain: a body runs without errexit (as in git:
# test_must_fail and `{ cmd; test $? = 1; }` need failures not to stop
# the shell), so a line that does not end in && would have its failure
# ignored.  Before a body runs it is checked twice, and a body that fails
# either check is reported as "broken &&-chain" and fails without running:
#   1. chainlint.awk (next to this file) reads it: every line of the body
#      and of each { }, ( ), if and loop in it must end in && (or ||, |,
#      or open a construct) unless a closer follows (}, ), fi, done, ...),
#      and a loop body must end in `|| return 1` (else only the last
#      iteration's failure counts).  A `;` on one line is deliberate.
#      It is a tokenizer, so it also sees chains nested in constructs,
#      which the second check cannot.
#   2. As git does, `(exit 117) && BODY` is evaluated in a subshell and
#      must exit 117: any top-level command not joined by && (a newline,
#      a `;`, a top-level `||`) runs and changes that status.  This one
#      uses the shell's own parser, so it catches what the tokenizer might
#      misread at top level.  Only a broken chain runs anything here.
# MF_TEST_CHAIN_LINT=0 turns both off (to debug the checks themselves).
#
# Prerequisites and skips: `test_expect_success PREREQ[,PREREQ...] title
# body` runs the body only when every PREREQ holds, and otherwise prints
# `ok N # SKIP title (missing PREREQ)`.  Built in (see below): DOCKER,
# VALGRIND, SKOPEO, ZSH, GROFF, MDB_TOOLS, ROOT; add more with
# test_lazy_prereq NAME 'script' or test_set_prereq NAME.  An unknown
# name is a bug (Bail out!).  A file that cannot run at all calls
# test_skip_all REASON before its first test: `1..0 # SKIP REASON`,
# exit 77.  A test that skips an optional part of itself (a comparison
# with docker when there is no docker) calls test_skip_part REASON: it
# is reported ok with "# part skipped: REASON" after it.
#
# Exit status of test_done: 1 if any test failed; else 77 if any test
# or part of one was skipped (ctest's SKIP_RETURN_CODE, so ctest lists
# the whole file as skipped: a partial run is not a pass, and CI fails
# on it); else 0.

set -u
TEST_NAME=$(basename "$0" .sh)
: "${MANIFOLD_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MANIFOLD_BUILD_DIR:=$MANIFOLD_SOURCE_DIR/build}"
: "${MANIFOLD:=$MANIFOLD_BUILD_DIR/manifold}"
: "${MF_TEST_DATA:=$MANIFOLD_SOURCE_DIR/tests/data}"
DATA=$MF_TEST_DATA

TEST_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! test -x "$MANIFOLD"; then
	echo "Bail out! manifold binary not found at $MANIFOLD"
	exit 1
fi

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/mf-$TEST_NAME.XXXXXX")
BIN=$TRASH/.bin
mkdir -p "$BIN"
ln -s "$MANIFOLD" "$BIN/manifold"
export PATH="$BIN:$PATH"
export MANIFOLD_DIR="$TRASH/store"
export MANIFOLD_COMMITTER_NAME="Test User"
export MANIFOLD_COMMITTER_EMAIL="test@example.com"
export MANIFOLD_COMMITTER_DATE="1700000000 +0000"
export MF_NOSYNC=1
export LC_ALL=C
unset XDG_DATA_HOME

IDX=application/vnd.oci.image.index.v1+json
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json
DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
ZERO=sha256:0000000000000000000000000000000000000000000000000000000000000000

test_count=0
test_failed=0
test_skipped=0
test_skipped_parts=0

cd "$TRASH" || exit 1
trap 'cd /; rm -rf "$TRASH"' EXIT

say() { printf '%s\n' "$*"; }

# test_when_finished cmd: run cmd after this test, pass or fail (the
# body runs in a subshell, so the command goes through a file).
test_when_finished() {
	printf '%s\n' "$1" | cat - "$TRASH/.cleanup" >"$TRASH/.cleanup.new" &&
	mv "$TRASH/.cleanup.new" "$TRASH/.cleanup"
}

# Prerequisites: test_prereq_[NAME] is 1 (holds) or 0 (missing) once
# known; test_lazy_prereq_[NAME] is the script that decides it.
declare -A test_prereq_=() test_lazy_prereq_=()
test_missing_prereq_=

test_set_prereq() {
	test_prereq_[$1]=1
}

# test_lazy_prereq NAME SCRIPT: NAME holds when SCRIPT succeeds (run once,
# in a subshell in $TRASH, on first use).
test_lazy_prereq() {
	test_lazy_prereq_[$1]=$2
}

test_have_prereq() {
	local p IFS=,
	for p in $1; do
		if test -z "${test_prereq_[$p]:-}"; then
			if test -z "${test_lazy_prereq_[$p]+set}"; then
				echo "Bail out! unknown prerequisite $p"
				exit 1
			fi
			if (cd "$TRASH" && eval "${test_lazy_prereq_[$p]}") </dev/null >/dev/null 2>&1; then
				test_prereq_[$p]=1
			else
				test_prereq_[$p]=0
			fi
		fi
		if test "${test_prereq_[$p]}" != 1; then
			test_missing_prereq_=$p
			return 1
		fi
	done
	return 0
}

test_lazy_prereq DOCKER 'command -v docker'
test_lazy_prereq VALGRIND 'command -v valgrind'
test_lazy_prereq SKOPEO 'command -v skopeo'
test_lazy_prereq ZSH 'command -v zsh'
test_lazy_prereq GROFF 'command -v groff'
test_lazy_prereq MDB_TOOLS 'command -v mdb_load && command -v mdb_dump'
test_lazy_prereq ROOT 'test "$(id -u)" = 0'

# test_skip_part REASON: a test ran, but a part of it that needs a
# missing tool did not (an optional comparison).  Works from a body (a
# subshell): the reasons go to a file.  The test is reported ok with a
# note, and test_done exits 77 as for a skip.
test_skip_part() {
	printf '%s\n' "$*" >>"$TRASH/.skipped-parts"
}

# test_skip_all REASON: this file cannot run here; before any test.
test_skip_all() {
	if test "$test_count" != 0; then
		echo "Bail out! test_skip_all after $test_count test(s): $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 77
}

# test_chain_lint_ BODY: 0 when BODY is one &&-chain (see the header);
# else the problems are in $TRASH/.lint.
test_chain_lint_() {
	local body=$1 ret
	test "${MF_TEST_CHAIN_LINT:-1}" = 0 && return 0
	if ! printf '%s\n' "$body" | awk -f "$TEST_LIB_DIR/chainlint.awk" >"$TRASH/.lint" 2>&1; then
		return 1
	fi
	# The shell's own view of the top level.  A syntax error is left for
	# the run to report.
	(eval "test_syntax_() {
$body
}") >/dev/null 2>&1 || return 0
	(eval "(exit 117) && $body
(exit \$?)") </dev/null >/dev/null 2>&1
	ret=$?
	if test $ret != 117; then
		echo "broken &&-chain: a command at the top level is not joined by && ('(exit 117) && BODY' gave $ret, not 117)" >"$TRASH/.lint"
		return 1
	fi
	return 0
}

# The body runs as a function in a subshell, so `return 1` fails the
# test just as `exit 1` or a failed && chain does.
test_run_() {
	local body=$1
	: >"$TRASH/.cleanup"
	if test "${MF_TEST_VERBOSE:-}" = 1; then
		(eval "test_body_() {
$body
}"; set -u; test_body_)
	else
		(eval "test_body_() {
$body
}"; set -u; test_body_) >"$TRASH/.out" 2>&1
	fi
}

test_fail_() {
	local title=$1 body=$2
	test_failed=$((test_failed + 1))
	say "not ok $test_count - $title"
	if test -n "${3:-}"; then
		sed 's/^/#   /' "$3" | tail -n 40
	fi
	printf '%s\n' "$body" | sed 's/^/#	/'
}

# test_expect_success [PREREQ[,PREREQ...]] TITLE BODY
test_expect_success() {
	local title body ret prereq=
	if test $# = 3; then
		prereq=$1
		shift
	fi
	if test $# != 2; then
		echo "Bail out! test_expect_success [PREREQ] TITLE BODY, not: $*"
		exit 1
	fi
	title=$1 body=$2
	test_count=$((test_count + 1))
	if test -n "$prereq" && ! test_have_prereq "$prereq"; then
		test_skipped=$((test_skipped + 1))
		say "ok $test_count # SKIP $title (missing $test_missing_prereq_)"
		return 0
	fi
	if ! test_chain_lint_ "$body"; then
		test_fail_ "$title (broken &&-chain)" "$body" "$TRASH/.lint"
		return 0
	fi
	rm -f "$TRASH/.skipped-parts"
	test_run_ "$body"
	ret=$?
	if test -s "$TRASH/.cleanup"; then
		(cd "$TRASH" && . "$TRASH/.cleanup") >/dev/null 2>&1
	fi
	if test $ret = 0; then
		say "ok $test_count - $title"
		if test -s "$TRASH/.skipped-parts"; then
			sort -u "$TRASH/.skipped-parts" | sed 's/^/# part skipped: /'
			cat "$TRASH/.skipped-parts" >>"$TRASH/.skipped-parts.all"
			rm -f "$TRASH/.skipped-parts"
			test_skipped_parts=$((test_skipped_parts + 1))
		fi
	elif test "${MF_TEST_VERBOSE:-}" != 1 && test -f "$TRASH/.out"; then
		test_fail_ "$title" "$body" "$TRASH/.out"
	else
		test_fail_ "$title" "$body"
	fi
}

# Exit 1 if a test failed, else 77 if one was skipped, else 0.
test_done() {
	echo "1..$test_count"
	if test $test_failed -gt 0; then
		say "# failed $test_failed among $test_count test(s)"
		say "# $((test_count - test_failed - test_skipped)) passed, $test_failed failed, $test_skipped skipped"
		exit 1
	fi
	if test $test_skipped -gt 0 || test $test_skipped_parts -gt 0; then
		say "# skipped $test_skipped of $test_count test(s), and parts of $test_skipped_parts; the rest passed (exit 77: not a full pass)"
		exit 77
	fi
	say "# passed all $test_count test(s)"
	exit 0
}

# test_must_fail [--code=N] cmd...: cmd must fail, with exit code N when
# given; dying of a signal (a crash, an ASan abort) or not being found
# (126, 127) is not failing.
test_must_fail() {
	local want=
	case "${1:-}" in --code=*) want=${1#--code=}; shift ;; esac
	"$@"
	local got=$?
	if test $got = 0; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	fi
	if test $got = 126 || test $got = 127; then
		echo "test_must_fail: '$*' could not run (exit $got)" >&2
		return 1
	fi
	if test $got -gt 128 && test $got != 129; then
		echo "test_must_fail: '$*' died of signal $((got - 128))" >&2
		return 1
	fi
	if test -n "$want" && test "$got" != "$want"; then
		echo "test_must_fail: '$*' exited $got, expected $want" >&2
		return 1
	fi
	return 0
}

# test_poll SECONDS cmd...: run cmd every 0.1 s until it succeeds, for
# at most SECONDS (a generous bound for a background process to get
# somewhere, not a timing assertion); fails if it never does.
test_poll() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@"; do
		test $SECONDS -lt $end || return 1
		sleep 0.1
	done
}

# test_expect_code N cmd...: cmd exits with exactly N.
test_expect_code() {
	local want=$1 got
	shift
	"$@"
	got=$?
	if test "$got" != "$want"; then
		echo "test_expect_code: '$*' exited $got, expected $want" >&2
		return 1
	fi
	return 0
}

# need_regtool: $REGTOOL (tests/registry/regtool.c, the transport's test
# driver) and $MANIFOLD_NET_MODULE, as ctest sets them or from the build;
# regtool is built with manifold, so its absence is a broken build
# (Bail out!), not a missing tool.
need_regtool() {
	: "${REGTOOL:=$MANIFOLD_BUILD_DIR/tests/regtool}"
	: "${MANIFOLD_NET_MODULE:=$MANIFOLD_BUILD_DIR/manifold-net.so}"
	if ! test -x "$REGTOOL"; then
		echo "Bail out! no regtool at $REGTOOL"
		exit 1
	fi
}

test_cmp() {
	diff -u "$1" "$2"
}

# test_line_count = N file
test_line_count() {
	local n
	n=$(wc -l <"$3")
	if ! test "$n" "$1" "$2"; then
		echo "test_line_count: $3 has $n lines, expected $1 $2" >&2
		cat "$3" >&2
		return 1
	fi
}

# test_grep pattern file: like grep, but shows the file when it fails.
test_grep() {
	if ! grep "$@"; then
		local last
		for last; do :; done
		echo "test_grep: no match for '$1' in $last:" >&2
		cat "$last" >&2
		return 1
	fi
}

# The store's bytes, to prove a failed command changed nothing.
store_snapshot() {
	if test -d "$MANIFOLD_DIR"; then
		{
			manifold cat-manifest --batch-check --batch-all-objects
			manifold show-ref
			for r in $(manifold reflog list); do
				manifold reflog show --no-abbrev --date=raw "$r"
			done
		} 2>&1
	else
		echo "no store"
	fi
}

sha256_of() {
	printf 'sha256:%s\n' "$(sha256sum <"$1" | cut -d' ' -f1)"
}

# test_stderr_line pattern file: file (a command's stderr) is exactly one
# line, matching the extended regex pattern.
test_stderr_line() {
	test_line_count = 1 "$2" && test_grep -E -e "$1" "$2"
}

# run_without_dac cmd...: run cmd without the capabilities that let root
# read and write any file, so that a chmod 000 file is unreadable to it
# even when the tests run as root.
run_without_dac() {
	if test "$(id -u)" = 0; then
		setpriv --bounding-set=-dac_override,-dac_read_search -- "$@"
	else
		"$@"
	fi
}
