#!/bin/bash
test_description='an end-to-end subset under valgrind: no errors, no leaks'
. ./test-lib.sh

# A skip, not a pass (it used to print "1..0 # SKIP" and exit 0, so ctest
# counted it as passed in 0.01 s).  A sanitized build does not register
# this file at all (tests/CMakeLists.txt); this is for runs by hand.
if ! test_have_prereq VALGRIND; then
	test_skip_all "valgrind is not installed"
fi
if test -n "${MF_SANITIZED:-}"; then
	test_skip_all "a sanitized build (ASan and valgrind do not mix)"
fi
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
# Exit 99 means valgrind found something; any other code is manifold's.
vg() {
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$TRASH/vg.%p" manifold "$@"
}
vg_clean() {
	if grep -l . "$TRASH"/vg.* >/dev/null 2>&1; then
		cat "$TRASH"/vg.*
		return 1
	fi
	return 0
}

start_registry token
A=$(seed_image public/app:amd64 --platform linux/amd64 --format docker)
B=$(seed_image public/app:arm64 --platform linux/arm64/v8 --format oci)
L=$(seed_index public/app:v1 :amd64 :arm64)
R=$REGISTRY

test_expect_success 'local plumbing under valgrind' '
	vg hash-object -w "$DATA/docker-list.json" "$DATA/oci-manifest.json" >ids &&
	vg update-ref -m one lists/x "$(head -n1 ids)" "" &&
	vg cat-manifest -p lists/x >/dev/null &&
	vg rev-parse lists/x@{0} >/dev/null &&
	vg reflog lists/x >/dev/null &&
	vg show-ref >/dev/null &&
	printf "verify lists/x %s\n" "$(head -n1 ids)" | vg update-ref --stdin &&
	{ vg fsck >/dev/null 2>&1; test $? != 99; } &&
	vg_clean
'

test_expect_success 'fetch-manifest -r with Bearer tokens, ls-remote, under valgrind' '
	vg fetch-manifest -r $R/public/app:v1 >out &&
	echo "$L" >expect && test_cmp expect out &&
	vg fetch-manifest --platform linux/arm64 $R/public/app:v1 >out &&
	echo "$B" >expect && test_cmp expect out &&
	vg ls-remote $R/public/app >/dev/null &&
	vg rev-parse "$L:linux/amd64" >out &&
	echo "$A" >expect && test_cmp expect out &&
	vg_clean
'

test_expect_success 'porcelain under valgrind: create, inspect, history' '
	vg create $R/public/app:list $R/public/app:amd64 $R/public/app:arm64 >out &&
	test_grep "^Created manifest list" out &&
	vg create --amend --platform linux/amd64 $R/public/app:list $R/public/app:v1 >/dev/null &&
	vg inspect $R/public/app:list >/dev/null &&
	vg inspect -v $R/public/app:list >/dev/null &&
	vg inspect --format table $R/public/app:list >/dev/null &&
	vg inspect $R/public/app:list linux/arm64 >/dev/null &&
	vg inspect -v $R/public/app:v1 >/dev/null &&
	vg inspect $R/public/app:amd64 >/dev/null &&
	vg fetch $R/public/app:v1 $R/public/app:copy >/dev/null &&
	vg ls >/dev/null &&
	vg log $R/public/app:list >/dev/null &&
	vg diff $R/public/app:list@{1} $R/public/app:list >/dev/null &&
	{ vg create $R/public/app:list $R/public/app:amd64 2>/dev/null; test $? = 1; } &&
	registry_write_auth &&
	vg push --dry-run $R/public/app:list $R/private/app:v1 >/dev/null &&
	vg push $R/public/app:list $R/private/app:v1 >/dev/null &&
	vg push $R/public/app:list $R/private/app:v1 >/dev/null &&
	vg push -j 1 --force $R/public/app:list $R/private/app:v2 >/dev/null &&
	echo "{}" >"$DOCKER_CONFIG/config.json" &&
	{ vg inspect $R/public/app:nope 2>/dev/null; test $? = 1; } &&
	vg_clean
'

test_expect_success 'failures under valgrind: not found, bad reference, wrong password' '
	{ vg fetch-manifest $R/public/app:nope 2>/dev/null; test $? = 128; } &&
	{ vg fetch-manifest "$R/Bad/Ref" 2>/dev/null; test $? = 128; } &&
	printf "{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}" "$R" "$(printf "tester:wrong" | base64 -w0)" \
		>"$DOCKER_CONFIG/config.json" &&
	{ vg fetch-manifest $R/private/none:1 2>/dev/null; test $? = 128; } &&
	vg_clean
'

test_done
