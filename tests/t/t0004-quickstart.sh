#!/bin/bash
test_description='the README'\''s quickstart runs end to end'
. ./test-lib.sh

test_expect_success 'contrib/quickstart.sh succeeds and every step shows its result' '
	MANIFOLD_BUILD_DIR=$MANIFOLD_BUILD_DIR bash "$MANIFOLD_SOURCE_DIR/contrib/quickstart.sh" >out 2>&1 ||
		{ tail -n 30 out; exit 1; }
	test_grep "is at sha256:.*, not sha256:" out &&
	test_grep "example.com/app:v1@{1}: create: amd64 + arm64" out &&
	test_grep "problems: 0" out &&
	test "$(grep -c "problems: 0" out)" = 2 &&
	test_grep "^sha256:[0-9a-f]\\{64\\}	linux-amd64$" out &&
	test_grep "the registry is gone now" out
'

test_expect_success 'the quickstart leaves no registry running' '
	! pgrep -f "docker-registry serve /tmp/tmp" >/dev/null
'

test_done
