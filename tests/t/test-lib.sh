# test-lib.sh: a small git-style test library with TAP output.
#
#   . ./test-lib.sh
#   test_expect_success 'title' '
#	manifold hash-object x >actual &&
#	test_cmp expect actual
#   '
#   test_done
#
# Each test runs in a fresh shell in the trash directory $TRASH, with
# $MANIFOLD_DIR pointing at a store of its own inside it.  `manifold` on
# PATH is the binary under test ($MANIFOLD, set by ctest).  Set
# MF_TEST_VERBOSE=1 to see each test's output.

set -u
TEST_NAME=$(basename "$0" .sh)
: "${MANIFOLD_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MANIFOLD_BUILD_DIR:=$MANIFOLD_SOURCE_DIR/build}"
: "${MANIFOLD:=$MANIFOLD_BUILD_DIR/manifold}"
: "${MF_TEST_DATA:=$MANIFOLD_SOURCE_DIR/tests/data}"
DATA=$MF_TEST_DATA

if ! test -x "$MANIFOLD"; then
	echo "1..0 # SKIP manifold binary not found at $MANIFOLD"
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

cd "$TRASH" || exit 1
trap 'cd /; rm -rf "$TRASH"' EXIT

say() { printf '%s\n' "$*"; }

# test_when_finished cmd: run cmd after this test, pass or fail (the
# body runs in a subshell, so the command goes through a file).
test_when_finished() {
	printf '%s\n' "$1" | cat - "$TRASH/.cleanup" >"$TRASH/.cleanup.new" &&
	mv "$TRASH/.cleanup.new" "$TRASH/.cleanup"
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

test_expect_success() {
	local title=$1 body=$2 ret
	test_count=$((test_count + 1))
	test_run_ "$body"
	ret=$?
	if test -s "$TRASH/.cleanup"; then
		(cd "$TRASH" && . "$TRASH/.cleanup") >/dev/null 2>&1
	fi
	if test $ret = 0; then
		say "ok $test_count - $title"
	else
		test_failed=$((test_failed + 1))
		say "not ok $test_count - $title"
		if test "${MF_TEST_VERBOSE:-}" != 1 && test -f "$TRASH/.out"; then
			sed 's/^/#   /' "$TRASH/.out" | tail -n 40
		fi
		printf '%s\n' "$body" | sed 's/^/#	/'
	fi
}

test_done() {
	echo "1..$test_count"
	if test $test_failed -gt 0; then
		say "# failed $test_failed among $test_count test(s)"
		say "$((test_count - test_failed)) passed, $test_failed failed"
		exit 1
	fi
	say "# passed all $test_count test(s)"
	exit 0
}

# test_must_fail [--code=N] cmd...: cmd must fail (not crash), with
# exit code N when given.
test_must_fail() {
	local want=
	case "${1:-}" in --code=*) want=${1#--code=}; shift ;; esac
	"$@"
	local got=$?
	if test $got = 0; then
		echo "test_must_fail: '$*' succeeded" >&2
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
