#!/bin/bash
test_description='push refused by the registry (401, 403): an authentication or permission error naming registry and repository, never a missing blob'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-faults.sh"

# Two auth registries, each with two images in src/app and a list of
# them (src/app:list).  The token server also knows "reader", an account
# with the same password that may pull everything and push nothing.
start_registry basic --name basic
registry_write_auth
seed_image src/app:amd64 --format docker --platform linux/amd64 --seed eb1 >/dev/null || exit 1
seed_image src/app:arm64 --format docker --platform linux/arm64/v8 --seed eb2 >/dev/null || exit 1
seed_index src/app:list --format docker :amd64 :arm64 >/dev/null || exit 1
# A proxy that forbids (403) existence checks, and one that forbids
# them and every write as well.
fault_proxy hide 'HEAD /manifests/ 403' 'HEAD /blobs/ 403'
fault_proxy ro 'HEAD /manifests/ 403' 'HEAD /blobs/ 403' 'POST /blobs/uploads/ 403' \
	'PUT /manifests/ 403'
# Manifest PUTs refused: 403, or 401 (sent on without credentials).
fault_proxy noput 'PUT /manifests/ 403'
fault_proxy noauth 'PUT /manifests/ expire'
start_registry token --name token --token-opt --reader=reader
registry_write_auth
seed_image src/app:amd64 --format docker --platform linux/amd64 --seed et1 >/dev/null || exit 1
seed_image src/app:arm64 --format docker --platform linux/arm64/v8 --seed et2 >/dev/null || exit 1
seed_index src/app:list --format docker :amd64 :arm64 >/dev/null || exit 1
cp "$DOCKER_CONFIG/config.json" "$TRASH/good.json" || exit 1

# creds_as USER PASSWORD: config.json holds only these credentials for
# the current registry; creds_none: none at all; creds_good: as set up.
creds_as() {
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" \
		"$(printf '%s:%s' "$1" "$2" | base64 -w0)" >"$DOCKER_CONFIG/config.json"
}
creds_none() {
	echo '{}' >"$DOCKER_CONFIG/config.json"
}
creds_good() {
	cp "$TRASH/good.json" "$DOCKER_CONFIG/config.json"
}

# refused_push EXPECT LIST [TARGET]: the push fails (exit 1) with one
# line on stderr matching the ERE EXPECT, never a missing blob, shows
# no secret, and leaves the store as it was.  The credentials are put
# back whatever happens.
refused_push() {
	local expect=$1 rc
	shift
	store_snapshot >before &&
	test_must_fail --code=1 manifold push "$@" >out 2>err
	rc=$?
	creds_good
	test $rc = 0 &&
	test_stderr_line "$expect" err &&
	! grep "is not in\|no other repository" err &&
	! grep -F -e "$REGISTRY_PASS" err out &&
	store_snapshot >after &&
	test_cmp before after
}

# absent_on_registry REPO TAG: the registry has no manifest by that tag.
absent_on_registry() {
	test "$(registry_curl -sS -o /dev/null -w "%{http_code}" \
		-H "Accept: $DOCKER_LIST" "$REGISTRY_URL/v2/$1/manifests/$2")" = 404
}

for mode in basic token; do
	test_expect_success "$mode: a wrong password, cross-repository push: authentication error" '
		registry_env '"$mode"' &&
		manifold create "$REGISTRY/dst/app:v1" "$REGISTRY/src/app:amd64" \
			"$REGISTRY/src/app:arm64" >/dev/null &&
		creds_as "$REGISTRY_USER" "wrong-$REGISTRY_PASS" &&
		refused_push "cannot push to $REGISTRY/dst/app: authentication failed .*manifold login $REGISTRY" \
			"$REGISTRY/dst/app:v1" &&
		absent_on_registry dst/app v1 &&
		test_must_fail manifold rev-parse --verify "remotes/$REGISTRY/dst/app:v1"
	'

	test_expect_success "$mode: a wrong password, a fetched list to its own repository: authentication error" '
		registry_env '"$mode"' &&
		manifold fetch "$REGISTRY/src/app:list" >/dev/null &&
		creds_as "$REGISTRY_USER" "wrong-$REGISTRY_PASS" &&
		refused_push "cannot push to $REGISTRY/src/app: authentication failed .*manifold login $REGISTRY" \
			"$REGISTRY/src/app:list" "$REGISTRY/src/app:copy" &&
		absent_on_registry src/app copy
	'

	test_expect_success "$mode: no credentials at all: authentication error" '
		registry_env '"$mode"' &&
		manifold create "$REGISTRY/dst/anon:v1" "$REGISTRY/src/app:amd64" \
			"$REGISTRY/src/app:arm64" >/dev/null &&
		creds_none &&
		refused_push "cannot push to $REGISTRY/dst/anon: authentication failed .*manifold login $REGISTRY" \
			"$REGISTRY/dst/anon:v1" &&
		absent_on_registry dst/anon v1
	'
done

test_expect_success 'token: an account that may not push: permission error' '
	registry_env token &&
	manifold create "$REGISTRY/dst/ro:v1" "$REGISTRY/src/app:amd64" \
		"$REGISTRY/src/app:arm64" >/dev/null &&
	token_log_reset &&
	creds_as reader "$REGISTRY_PASS" &&
	refused_push "cannot push to $REGISTRY/dst/ro: permission denied .*manifold login $REGISTRY" \
		"$REGISTRY/dst/ro:v1" &&
	# the reader got its tokens (the password was right), without push
	test_grep -q "user=reader granted=repository:dst/ro:pull" "$TOKEN_LOG" &&
	! grep "user=reader.*push" "$TOKEN_LOG" &&
	absent_on_registry dst/ro v1
'

test_expect_success 'a wrong password for the registry copied from: the error names that one' '
	registry_env basic && BASIC=$REGISTRY &&
	registry_env token &&
	manifold create "$REGISTRY/dst/across:v1" "$BASIC/src/app:amd64" \
		"$BASIC/src/app:arm64" >/dev/null &&
	"$REGISTRY_PYTHON" -c "
import json, sys
c = json.load(open(sys.argv[1]))
c[\"auths\"][sys.argv[2]] = {\"auth\": \"dGVzdGVyOndyb25n\"}
json.dump(c, open(sys.argv[3], \"w\"))
" "$TRASH/good.json" "$BASIC" "$DOCKER_CONFIG/config.json" &&
	refused_push "cannot read from $BASIC/src/app: authentication failed .*manifold login $BASIC" \
		"$REGISTRY/dst/across:v1" &&
	absent_on_registry dst/across v1
'

test_expect_success 'basic: 403 to existence checks only: absent, and the push goes through' '
	registry_env basic &&
	manifold create "$P_hide/dst/hide:v1" "$P_hide/src/app:amd64" \
		"$P_hide/src/app:arm64" >/dev/null &&
	manifold push "$P_hide/dst/hide:v1" >out &&
	test_grep -q "^HEAD /v2/dst/hide/manifests/sha256:.* 403$" "$PLOG_hide" &&
	test_grep -q "^PUT /v2/dst/hide/manifests/v1 201$" "$PLOG_hide"
'

test_expect_success 'basic: 403 to the checks and to the writes after them: permission error' '
	registry_env basic &&
	manifold create "$P_ro/dst/ro:v1" "$P_ro/src/app:amd64" \
		"$P_ro/src/app:arm64" >/dev/null &&
	refused_push "cannot push to $P_ro/dst/ro: permission denied .*manifold login $P_ro" \
		"$P_ro/dst/ro:v1" &&
	test_grep -q "^POST /v2/dst/ro/blobs/uploads/?mount=.* 403$" "$PLOG_ro" &&
	! grep "^PUT /v2/dst/ro/manifests/v1 " "$PLOG_ro" &&
	absent_on_registry dst/ro v1
'

test_expect_success 'basic: the manifest PUT refused (403): permission error after the mounts' '
	registry_env basic &&
	manifold create "$P_noput/dst/noput:v1" "$P_noput/src/app:amd64" \
		"$P_noput/src/app:arm64" >/dev/null &&
	refused_push "cannot push to $P_noput/dst/noput: permission denied .*manifold login $P_noput" \
		"$P_noput/dst/noput:v1" &&
	test_grep -q "^POST /v2/dst/noput/blobs/uploads/?mount=.* 201$" "$PLOG_noput" &&
	test_grep -q "^PUT /v2/dst/noput/manifests/sha256:.* 403$" "$PLOG_noput" &&
	absent_on_registry dst/noput v1
'

test_expect_success 'basic: the manifest PUT refused (401): authentication error' '
	registry_env basic &&
	manifold create "$P_noauth/dst/noauth:v1" "$P_noauth/src/app:amd64" \
		"$P_noauth/src/app:arm64" >/dev/null &&
	refused_push "cannot push to $P_noauth/dst/noauth: authentication failed .*manifold login $P_noauth" \
		"$P_noauth/dst/noauth:v1" &&
	test_grep -q "^PUT /v2/dst/noauth/manifests/sha256:.* 401$" "$PLOG_noauth" &&
	absent_on_registry dst/noauth v1
'

test_expect_success 'basic: 403 to the checks, and nowhere to copy from: permission error, not a missing blob' '
	registry_env basic &&
	# a store of its own: the list is known to be in src/app only
	export MANIFOLD_DIR=$TRASH/own-store &&
	manifold fetch "$P_hide/src/app:list" >/dev/null &&
	refused_push "cannot push to $P_hide/src/app: permission denied .*forbidden" \
		"$P_hide/src/app:list" "$P_hide/src/app:copy" &&
	absent_on_registry src/app copy
'

test_done
