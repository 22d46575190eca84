#!/bin/bash
test_description='credentials never follow a redirect; retries, caps and digest checks against a misbehaving registry'
. ./test-lib.sh

SERVER=$MANIFOLD_SOURCE_DIR/tests/registry/fake-registry.py
PASS=s3cret-$$-$RANDOM

start_fake() {
	local mode=$1; shift
	rm -f ports other.log
	python3 "$SERVER" --auth "$mode" --user tester --password "$PASS" \
		--ports ports --log other.log "$@" &
	FAKE_PID=$!
	for i in $(seq 1 100); do test -s ports && break; sleep 0.05; done
	read A B <ports
	export DOCKER_CONFIG=$TRASH/docker-config
	mkdir -p "$DOCKER_CONFIG"
	printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}' "$A" \
		"$(printf 'tester:%s' "$PASS" | base64 -w0)" >"$DOCKER_CONFIG/config.json"
}
trap 'kill $FAKE_PID 2>/dev/null; cd /; rm -rf "$TRASH"' EXIT

for mode in basic bearer; do
	start_fake $mode
	test_expect_success "[$mode] the blob comes from the other host, without credentials" '
		MANIFOLD_TRACE=1 MANIFOLD_DIR=$TRASH/s-$mode manifold fetch-manifest --insecure \
			127.0.0.1:$A/r:t >out 2>trace &&
		test_grep "^GET /blob/sha256:" other.log &&
		! grep -i "^authorization:" other.log &&
		! grep -F "$PASS" other.log trace &&
		cfg=$(sed -n "s/^GET \/blob\///p" other.log | head -n1) &&
		MANIFOLD_DIR=$TRASH/s-$mode manifold cat-manifest -e "$cfg"
	'
	test_expect_success "[$mode] credentials are not sent over plain HTTP without --insecure" '
		: >other.log &&
		test_must_fail --code=128 env MANIFOLD_DIR=$TRASH/n-$mode manifold fetch-manifest \
			127.0.0.1:$A/r:t 2>err &&
		test_stderr_line "plain HTTP|refusing" err &&
		! grep -F "$PASS" err
	'
	kill $FAKE_PID; wait $FAKE_PID 2>/dev/null
done

# A registry that misbehaves: retried when it is worth it, refused when
# it lies, and never leaves anything behind.
start_fake basic --fail-first 2 --fail-code 503
test_expect_success 'two 503s are retried, the third try succeeds' '
	MANIFOLD_DIR=$TRASH/retry manifold fetch-manifest --insecure 127.0.0.1:$A/r:t >out &&
	test "$(grep -c "^REGISTRY GET /v2/r/manifests/t" other.log)" = 3
'
kill $FAKE_PID; wait $FAKE_PID 2>/dev/null

start_fake basic --fail-first 1 --fail-code 429
test_expect_success '429 with Retry-After is waited out and retried' '
	MANIFOLD_TRACE=1 MANIFOLD_DIR=$TRASH/retry429 manifold fetch-manifest \
		--insecure 127.0.0.1:$A/r:t >out 2>trace &&
	test_grep "retrying after 429 in 1000 ms" trace &&
	test "$(grep -c "^REGISTRY GET /v2/r/manifests/t" other.log)" = 2
'
kill $FAKE_PID; wait $FAKE_PID 2>/dev/null

start_fake basic --fail-first 9 --fail-code 503
test_expect_success 'a registry that stays down: bounded retries, one clear error, nothing stored' '
	test_must_fail --code=128 env MANIFOLD_DIR=$TRASH/down manifold fetch-manifest \
		--insecure 127.0.0.1:$A/r:t 2>err &&
	test_stderr_line "answered 503" err &&
	test "$(grep -c "^REGISTRY GET /v2/r/manifests/t" other.log)" = 4 &&
	! test -e "$TRASH/down/data.mdb"
'
kill $FAKE_PID; wait $FAKE_PID 2>/dev/null

start_fake basic --huge
test_expect_success 'a manifest over 4 MiB is refused, nothing stored' '
	test_must_fail --code=128 env MANIFOLD_DIR=$TRASH/huge manifold fetch-manifest \
		--insecure 127.0.0.1:$A/r:t 2>err &&
	test_stderr_line "larger than 4194304 bytes" err &&
	! test -e "$TRASH/huge/data.mdb"
'
kill $FAKE_PID; wait $FAKE_PID 2>/dev/null

start_fake basic --lie
test_expect_success 'bytes that do not match Docker-Content-Digest are refused, nothing stored' '
	test_must_fail --code=128 env MANIFOLD_DIR=$TRASH/lie manifold fetch-manifest \
		--insecure 127.0.0.1:$A/r:t 2>err &&
	test_stderr_line "do not match its Docker-Content-Digest" err &&
	! test -e "$TRASH/lie/data.mdb"
'
kill $FAKE_PID; wait $FAKE_PID 2>/dev/null

start_fake basic --uploads
test_expect_success 'an upload session follows relative Locations ("/v2/..." and "../uploads/N?n=...", per RFC 3986)' '
	head -c 2500 /dev/urandom >blob &&
	MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE "$REGTOOL" --insecure 127.0.0.1:$A \
		127.0.0.1:$A upload-chunked r blob 1000 >d &&
	sha256_of blob >expect && test_cmp expect d &&
	test_grep "^REGISTRY PATCH /v2/r/blobs/uploads/1 0-999\$" other.log &&
	test_grep "^REGISTRY PATCH /v2/r/blobs/uploads/1?n=1000 1000-1999\$" other.log &&
	test_grep "^REGISTRY PATCH /v2/r/blobs/uploads/1?n=2000 2000-2499\$" other.log &&
	test_grep "^REGISTRY PUT /v2/r/blobs/uploads/1?n=2500&digest=$(cat d) -\$" other.log &&
	MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE "$REGTOOL" --insecure 127.0.0.1:$A \
		127.0.0.1:$A blob-head r "$(cat d)" >size &&
	echo 2500 >expect && test_cmp expect size
'
kill $FAKE_PID; wait $FAKE_PID 2>/dev/null

test_done
