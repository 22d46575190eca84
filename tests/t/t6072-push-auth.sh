#!/bin/bash
test_description='push over TLS with Basic and Bearer auth: mounts with the right scopes, credentials checked'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"

start_registry basic --name basic
registry_write_auth
seed_image src/app:amd64 --format docker --platform linux/amd64 --seed b1 >b-amd64 || exit 1
seed_image src/app:arm64 --format oci --platform linux/arm64/v8 --seed b2 >b-arm64 || exit 1
BASIC=$REGISTRY
start_registry token --name token
registry_write_auth
seed_image src/app:amd64 --format docker --platform linux/amd64 --seed t1 >t-amd64 || exit 1
seed_image src/app:arm64 --format oci --platform linux/arm64/v8 --seed t2 >t-arm64 || exit 1
TOKEN=$REGISTRY

for mode in basic token; do
	test_expect_success "$mode: cross-repository push with mounts" '
		registry_env '"$mode"' &&
		manifold create "$REGISTRY/dst/app:v1" "$REGISTRY/src/app:amd64" "$REGISTRY/src/app:arm64" >/dev/null &&
		registry_log_reset &&
		manifold push "$REGISTRY/dst/app:v1" >out &&
		tail -n 1 out >digest &&
		manifold rev-parse "$REGISTRY/dst/app:v1" >expect &&
		test_cmp expect digest &&
		registry_requests >reqs &&
		test "$(grep -c "^POST /v2/dst/app/blobs/uploads/?mount=.* 201$" reqs)" = 4 &&
		! grep "^PATCH\|digest=" reqs &&
		registry_curl -sS -f -H "Accept: application/vnd.oci.image.index.v1+json" \
			-H "Accept: application/vnd.docker.distribution.manifest.list.v2+json" \
			"$REGISTRY_URL/v2/dst/app/manifests/v1" >got &&
		manifold cat-manifest "$REGISTRY/dst/app:v1" >want &&
		test_cmp want got
	'

	test_expect_success "$mode: pushed again, one request" '
		registry_env '"$mode"' &&
		registry_log_reset &&
		manifold push "$REGISTRY/dst/app:v1" >/dev/null &&
		test "$(registry_request_count " [23][0-9][0-9]$")" = 1
	'

	test_expect_success "$mode: a wrong password fails clearly and pushes nothing; no secret is shown" '
		registry_env '"$mode"' &&
		cp "$DOCKER_CONFIG/config.json" good.json &&
		test_when_finished "cp good.json \"\$DOCKER_CONFIG/config.json\"" &&
		printf "{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}" "$REGISTRY" \
			"$(printf "%s:wrong-%s" "$REGISTRY_USER" "$REGISTRY_PASS" | base64 -w0)" \
			>wrong.json &&
		cp wrong.json "$DOCKER_CONFIG/config.json" &&
		test_must_fail --code=1 manifold create "$REGISTRY/dst/app:v2" "$REGISTRY/src/app:amd64" >/dev/null 2>&1 &&
		cp good.json "$DOCKER_CONFIG/config.json" &&
		manifold create "$REGISTRY/dst/app:v2" "$REGISTRY/src/app:amd64" >/dev/null &&
		cp wrong.json "$DOCKER_CONFIG/config.json" &&
		test_must_fail --code=1 manifold --debug push "$REGISTRY/dst/app:v2" >out 2>err &&
		test_grep -i "auth\|denied\|unauthorized\|password" err &&
		! grep -F "$REGISTRY_PASS" err out &&
		test_must_fail registry_curl -sS -f -o /dev/null \
			-H "Accept: application/vnd.docker.distribution.manifest.list.v2+json" \
			"$REGISTRY_URL/v2/dst/app/manifests/v2"
	'
done

test_done
