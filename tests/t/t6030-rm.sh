#!/bin/bash
test_description='rm: docker messages and status (compared with the docker CLI), one transaction, history kept in the reflog'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
porcelain_setup

# rm ARGS... with manifold, then with docker on its own store (when it
# is there): same stdout, stderr (docker's words read as ours) and status.
rm_as_docker() {
	local want=$1
	shift
	if test "$want" = 0; then
		manifold rm "$@" >out 2>err
	else
		test_must_fail --code="$want" manifold rm "$@" >out 2>err
	fi &&
	test_line_count = 0 out &&
	if have_docker; then
		if test "$want" = 0; then
			docker_cli manifest rm "$@" >dout 2>derr
		else
			test_must_fail --code="$want" docker_cli manifest rm "$@" >dout 2>derr
		fi &&
		test_line_count = 0 dout &&
		sed -e "s/docker manifest/manifold/g" -e "s/^docker:/manifold:/" derr >expect &&
		test_cmp expect err
	fi
}

lists() {
	manifold show-ref | sed -n "s|^.* lists/||p"
}

test_expect_success 'no store: every list is missing, no store is made' '
	MANIFOLD_DIR=$TRASH/nostore test_must_fail --code=1 manifold rm "$APP:r1" "$APP:r2" 2>err &&
	printf "No such manifest: %s\n" "$APP:r1" "$APP:r2" >expect &&
	test_cmp expect err &&
	! test -e "$TRASH/nostore"
'

test_expect_success 'setup: the same lists made by manifold and by docker' '
	for n in r1 r2 r3 r4 r5 r6; do
		manifold create --insecure "$APP:$n" "$APP:amd64" &&
		if have_docker; then
			docker_cli manifest create --insecure "$APP:$n" "$APP:amd64"
		fi || return 1
	done >/dev/null &&
	manifold rev-parse "$APP:r1" >r1.digest &&
	manifold cat-manifest "$APP:r1" >r1.bytes &&
	lists >actual &&
	printf "$APP:%s\n" r1 r2 r3 r4 r5 r6 >expect &&
	test_cmp expect actual
'

test_expect_success 'rm one list: silent, its ref gone, a reflog entry' '
	rm_as_docker 0 "$APP:r1" &&
	test_line_count = 0 err &&
	lists >actual &&
	printf "$APP:%s\n" r2 r3 r4 r5 r6 >expect &&
	test_cmp expect actual &&
	manifold reflog --no-abbrev "lists/$APP:r1" >reflog &&
	test_line_count = 2 reflog &&
	head -n 1 reflog >top &&
	echo "(deleted) lists/$APP:r1@{0}: manifold rm $APP:r1" >expect &&
	test_cmp expect top
'

test_expect_success 'the removed version is still LIST@{1}' '
	manifold rev-parse "$APP:r1@{1}" >actual &&
	test_cmp r1.digest actual &&
	manifold cat-manifest "$APP:r1@{1}" >actual &&
	test_cmp r1.bytes actual &&
	manifold inspect "$APP:r1@{1}" >actual &&
	echo >>r1.bytes &&
	test_cmp r1.bytes actual &&
	test_must_fail manifold rev-parse "$APP:r1"
'

test_expect_success 'rm a list that does not exist' '
	store_snapshot >before &&
	rm_as_docker 1 "$APP:nosuch" &&
	test_stderr_line "^No such manifest: $APP:nosuch\$" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'rm a missing and an existing list: removes the one, reports the other, exit 1' '
	rm_as_docker 1 "$APP:nosuch" "$APP:r2" &&
	test_stderr_line "^No such manifest: $APP:nosuch\$" err &&
	lists >actual &&
	printf "$APP:%s\n" r3 r4 r5 r6 >expect &&
	test_cmp expect actual
'

test_expect_success 'rm two missing lists: one line each, in order' '
	store_snapshot >before &&
	rm_as_docker 1 "$APP:nosuch1" "$APP:nosuch2" &&
	printf "No such manifest: %s\n" "$APP:nosuch1" "$APP:nosuch2" >expect &&
	test_cmp expect err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'rm by short name: the message has the full name' '
	store_snapshot >before &&
	rm_as_docker 1 app &&
	test_stderr_line "^No such manifest: docker.io/library/app:latest\$" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'rm a malformed name: docker message, nothing removed' '
	store_snapshot >before &&
	rm_as_docker 1 Bad/UPPER &&
	test_stderr_line "^invalid reference format: repository name \(UPPER\) must be lowercase\$" err &&
	test_must_fail --code=1 manifold rm "$APP:r3" Bad/UPPER 2>err &&
	test_stderr_line "^invalid reference format" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'rm several lists: all in one go, each with its reflog entry' '
	rm_as_docker 0 "$APP:r3" "$APP:r4" &&
	lists >actual &&
	printf "$APP:%s\n" r5 r6 >expect &&
	test_cmp expect actual &&
	for n in r3 r4; do
		manifold reflog "lists/$APP:$n" | head -n 1 >top &&
		test_grep -F ": manifold rm $APP:r3 $APP:r4" top || return 1
	done
'

test_expect_success 'the same name twice: removed once, then missing (as docker)' '
	rm_as_docker 1 "$APP:r5" "$APP:r5" &&
	test_stderr_line "^No such manifest: $APP:r5\$" err &&
	lists >actual &&
	echo "$APP:r6" >expect &&
	test_cmp expect actual &&
	manifold reflog "lists/$APP:r5" >reflog &&
	test_line_count = 2 reflog
'

test_expect_success 'a removed list can be created again without --amend' '
	manifold create --insecure "$APP:r1" "$APP:arm64" >out &&
	echo "Created manifest list $APP:r1" >expect &&
	test_cmp expect out &&
	manifold reflog "lists/$APP:r1" >reflog &&
	test_line_count = 3 reflog &&
	manifold rev-parse "$APP:r1@{2}" >actual &&
	test_cmp r1.digest actual
'

test_expect_success 'usage errors: cobra messages and codes' '
	store_snapshot >before &&
	rm_as_docker 1 &&
	cat >expect <<-EOF &&
	manifold: '\''manifold rm'\'' requires at least 1 argument

	Usage:  manifold rm MANIFEST_LIST [MANIFEST_LIST...]

	See '\''manifold rm --help'\'' for more information
	EOF
	test_cmp expect err &&
	rm_as_docker 125 --bogus "$APP:r6" &&
	test_grep "^unknown flag: --bogus" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success '--help' '
	manifold rm --help >out &&
	cat >expect <<-EOF &&
	Usage:  manifold rm MANIFEST_LIST [MANIFEST_LIST...]

	Delete one or more manifest lists from local storage
	EOF
	head -n 3 out >actual &&
	test_cmp expect actual
'

test_done
