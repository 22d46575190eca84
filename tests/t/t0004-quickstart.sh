#!/bin/bash
test_description='the README'\''s quickstart runs end to end'
. ./test-lib.sh

# The quickstart needs annotate (branch edit) and log (branch history).
test_expect_success 'contrib/quickstart.sh succeeds' '
	{
		MANIFOLD_BUILD_DIR=$MANIFOLD_BUILD_DIR bash "$MANIFOLD_SOURCE_DIR/contrib/quickstart.sh" >raw 2>&1 ||
		{ tail -n 30 raw; exit 1; }
	} &&
	sed "s/\x1b\[[0-9;]*m//g" raw >out
'

test_expect_success 'the plumbing steps show their results' '
	test_grep "is at sha256:.*, not sha256:" out &&
	test_grep "example.com/app:v1@{1}: create: amd64 + arm64" out &&
	test_grep "^sha256:[0-9a-f]\\{64\\}	linux-amd64$" out &&
	test_grep "^sha256:[0-9a-f]\\{64\\}	linux-arm64$" out &&
	test_grep "the registry is gone now" out &&
	test "$(grep -c "problems: 0" out)" = 2
'

test_expect_success 'every step has its heading' '
	for h in "Create a list" "Annotate an entry" "Inspect the list" "History, offline"; do
		test_grep "^## $h" out || exit 1
	done
'

test_expect_success 'create makes the list from the two images' '
	test_grep "^Created manifest list 127\\.0\\.0\\.1:[0-9]*/demo/app:multi$" out
'

# The rows of the table printed by `manifold inspect --format table NAME`
# (NAME an ERE): from its PLATFORM header to the first empty line.
table_after() {
	awk -v re="^[$] manifold inspect --format table $1\$" '
		!f && $0 ~ re { f = 1; next }
		f && /^PLATFORM / { t = 1; next }
		t && (/^$/ || /^[$] /) { exit }
		t { print }' out
}

test_expect_success 'inspect: docker JSON and a table of two platforms, the annotation in both' '
	test_grep "^   \"mediaType\": \"application/vnd.oci.image.index.v1+json\",$" out &&
	test_grep "^            \"variant\": \"v8\"$" out &&
	table_after "127\\.0\\.0\\.1:[0-9]*/demo/app:multi" >table &&
	test_line_count = 2 table &&
	test_grep "^linux/amd64  *oci  *[0-9]*  *sha256:[0-9a-f]\\{64\\}$" table &&
	test_grep "^linux/arm64/v8  *oci  *[0-9]*  *sha256:[0-9a-f]\\{64\\}$" table
'

test_expect_success 'log and LIST@{1}: the version before the annotate, offline' '
	test_grep "^Command: manifold annotate .*/demo/app:multi .*/demo/app:linux-arm64 --variant v8$" out &&
	test_grep "^Command: manifold create --insecure .*/demo/app:multi " out &&
	test_grep "/demo/app:multi@{1} sha256:[0-9a-f]\\{64\\}$" out &&
	table_after "127\\.0\\.0\\.1:[0-9]*/demo/app:multi@[{]1[}]" >table1 &&
	test_line_count = 2 table1 &&
	test_grep "^linux/amd64 " table1 &&
	test_grep "^linux/arm64  *oci " table1 &&
	! grep "v8" table1
'

test_expect_success 'the quickstart leaves no registry running' '
	! pgrep -f "docker-registry serve /tmp/tmp" >/dev/null
'

test_done
