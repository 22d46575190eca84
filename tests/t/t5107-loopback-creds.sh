#!/bin/bash
test_description='credentials go over plain HTTP to loopback registries (Basic and Bearer) without --insecure, and nowhere else'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

# The usual local setup: a plain-HTTP registry with htpasswd.
start_registry basic-http --name basic
seed_image src/app:amd64 --platform linux/amd64 --seed lb1 >basic-amd64 || exit 1
seed_image src/app:arm64 --platform linux/arm64/v8 --seed lb2 >basic-arm64 || exit 1
# Bearer tokens from a plain-HTTP token server, itself on loopback.
start_registry token-http --name token
seed_image src/app:amd64 --platform linux/amd64 --seed lt1 >token-amd64 || exit 1
seed_image src/app:arm64 --platform linux/arm64/v8 --seed lt2 >token-arm64 || exit 1
# The same, but the registry names its token server 0.0.0.0: that
# reaches this machine too, but is not a loopback name.
start_registry token-http --name farrealm --realm-host 0.0.0.0
seed_image src/app:amd64 --platform linux/amd64 --seed lf1 >/dev/null || exit 1
CFG=$DOCKER_CONFIG/config.json

# login, create, push, inspect through NAME (127.0.0.1:PORT or
# localhost:PORT) of registry MODE; no --insecure anywhere.
check_round_trip() {
	local mode=$1 host=$2 tag=$3
	registry_env "$mode" &&
	{ test -z "$TOKEN_LOG" || token_log_reset; } &&
	echo "$REGISTRY_PASS" |
	manifold login -u "$REGISTRY_USER" --password-stdin "$host" >out 2>err &&
	echo "Login Succeeded" >expect && test_cmp expect out &&
	manifold create "$host/dst/app:$tag" "$host/src/app:amd64" "$host/src/app:arm64" >out 2>err &&
	manifold push "$host/dst/app:$tag" >out 2>err &&
	tail -n 1 out >pushed &&
	manifold rev-parse "$host/dst/app:$tag" >expect &&
	test_cmp expect pushed &&
	registry_curl -sS -f -o got \
		-H "Accept: application/vnd.oci.image.index.v1+json" \
		-H "Accept: application/vnd.docker.distribution.manifest.list.v2+json" \
		"$REGISTRY_URL/v2/dst/app/manifests/$tag" &&
	manifold cat-manifest "$host/dst/app:$tag" >want &&
	test_cmp want got &&
	MANIFOLD_DIR=$TRASH/inspect-$mode-$tag manifold inspect "$host/dst/app:$tag" >inspected &&
	test_grep "$(cat "$mode-amd64")" inspected &&
	test_grep "$(cat "$mode-arm64")" inspected &&
	! grep -F "$REGISTRY_PASS" out err inspected &&
	# Bearer: the token server saw the credentials, over plain HTTP
	{ test -z "$TOKEN_LOG" ||
	  test "$(token_request_count "^GET /token.* 200 auth=basic user=$REGISTRY_USER ")" -ge 1; }
}

for mode in basic token; do
	test_expect_success "$mode: login, create, push, inspect on 127.0.0.1 over plain HTTP" '
		echo "{}" >"$CFG" &&
		registry_env '"$mode"' &&
		check_round_trip '"$mode"' "$REGISTRY" v1
	'

	test_expect_success "$mode: the same through localhost:PORT" '
		echo "{}" >"$CFG" &&
		registry_env '"$mode"' &&
		check_round_trip '"$mode"' "localhost:${REGISTRY##*:}" v2 &&
		python3 -c "import json,sys; a=json.load(open(sys.argv[1]))[\"auths\"]; assert list(a)==[sys.argv[2]], a" \
			"$CFG" "localhost:${REGISTRY##*:}"
	'

	test_expect_success "$mode: without credentials, the error says to log in" '
		echo "{}" >"$CFG" &&
		registry_env '"$mode"' &&
		test_must_fail --code=1 manifold create "$REGISTRY/dst/app:v3" "$REGISTRY/src/app:amd64" >out 2>err &&
		test_grep -i "login\|anonymous\|authentication" err &&
		! grep "refusing\|--insecure" err
	'
done

test_expect_success 'a plain-HTTP token server by a non-loopback name gets no credentials' '
	registry_env farrealm &&
	token_log_reset &&
	registry_write_auth &&
	test_must_fail --code=1 manifold create "$REGISTRY/dst/app:v1" "$REGISTRY/src/app:amd64" >out 2>err &&
	test_stderr_line "refusing to send credentials to the token server of $REGISTRY over plain HTTP" err &&
	test_grep -e "--insecure" err &&
	! grep -F "$REGISTRY_PASS" out err &&
	test "$(token_request_count "auth=basic")" = 0
'

test_expect_success '... and with --insecure it does (the name reaches the same server)' '
	registry_env farrealm &&
	token_log_reset &&
	registry_write_auth &&
	manifold create --insecure "$REGISTRY/dst/app:v2" "$REGISTRY/src/app:amd64" >out 2>err &&
	test "$(token_request_count "auth=basic user=$REGISTRY_USER")" -ge 1
'

test_expect_success 'a plain-HTTP registry by a non-loopback name: refused without --insecure' '
	registry_env basic &&
	far=0.0.0.0:${REGISTRY##*:} &&
	echo "{}" >"$CFG" &&
	registry_write_auth "$far" &&
	registry_log_reset &&
	test_must_fail --code=1 manifold create "$far/dst/app:v9" "$far/src/app:amd64" >out 2>err &&
	test_grep -e "--insecure" err &&
	! grep -F "$REGISTRY_PASS" out err &&
	test "$(registry_request_count --all " 200$")" = 0 &&
	echo "$REGISTRY_PASS" | test_must_fail --code=1 \
		manifold login -u "$REGISTRY_USER" --password-stdin "$far" 2>err &&
	test_grep -e "--insecure" err &&
	test "$(registry_request_count --all " 200$")" = 0 &&
	manifold create --insecure "$far/dst/app:v9" "$far/src/app:amd64" >out 2>err
'

test_done
