#!/bin/bash
test_description='push --dry-run of images from another registry: the copies are planned, none is made'
#
# Found by tests/mutate.sh: with push-dry-run-copy (a dry run that copies
# blobs between registries) the suite passed, since t6070's dry run only
# mounts.
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

start_registry plain --name far
FAR=$REGISTRY
seed_image far/app:amd64 --format docker --platform linux/amd64 --seed far-amd64 >far-amd64 || exit 1
start_registry plain
R=$REGISTRY

# storage_state: every file of the main registry's storage
storage_state() {
	(cd "$REGISTRY_DIR/storage" && find . -type f | sort)
}

test_expect_success '--dry-run plans the copies and sends the target only HEADs' '
	manifold create --insecure "$R/dry/app:v1" "$FAR/far/app:amd64" >/dev/null &&
	storage_state >before &&
	registry_log_reset &&
	manifold push --dry-run "$R/dry/app:v1" >out &&
	storage_state >after &&
	test_cmp before after &&
	registry_requests >reqs &&
	! grep -vE "^(HEAD|GET) " reqs &&
	test_grep -E "^copy +blob +sha256:[0-9a-f]{64} \([0-9]+ bytes\) from $FAR/far/app$" out &&
	test_grep -E "^0 present, 0 to mount, 2 to copy \([0-9]+ bytes\), 2 to put$" out &&
	test_must_fail manifold rev-parse --verify "remotes/$R/dry/app:v1"
'

test_expect_success 'the same push for real copies them' '
	manifold push "$R/dry/app:v1" >out &&
	registry_requests >reqs &&
	test "$(grep -c "^PUT /v2/dry/app/blobs/uploads/.*digest=" reqs)" = 2 &&
	manifold rev-parse --verify "remotes/$R/dry/app:v1"
'

test_done
