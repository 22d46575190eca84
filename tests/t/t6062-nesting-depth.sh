#!/bin/bash
test_description='nested indexes: one depth limit for fetch, create, push and fsck, checked before the next request'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

# MANIFEST_MAX_DEPTH (manifest/manifest.h): the manifest a list names
# is at depth 0; nothing deeper than LIMIT is taken.
LIMIT=8
TOO_DEEP="indexes nested more than $LIMIT deep"

start_registry plain
R=$REGISTRY
IMG=$(seed_image chain/app:img --format oci --platform linux/amd64) &&
test -n "$IMG" || {
	echo "Bail out! could not seed the registry"
	exit 1
}

# chain/app:cN is an index whose one entry is chain/app:c(N-1), and c0
# is the image: the image lies N levels below cN.
prev=img
for n in $(seq 1 12); do
	seed_index chain/app:c$n --format oci :$prev >/dev/null || {
		echo "Bail out! could not seed chain/app:c$n"
		exit 1
	}
	prev=c$n
done
APP=$R/chain/app

test_expect_success 'fetch: a chain at exactly the limit is fetched whole' '
	manifold fetch "$APP:c$LIMIT" >out &&
	echo "Created manifest list $APP:c$LIMIT" >expect &&
	test_cmp expect out &&
	manifold cat-manifest -e "$IMG" &&
	manifold fsck &&
	manifold push "$APP:c$LIMIT" "$R/copy/app:c$LIMIT" >/dev/null
'

test_expect_success 'fetch: one level more is refused before the request, nothing written' '
	export MANIFOLD_DIR=$TRASH/fetch9 &&
	registry_log_reset &&
	test_must_fail --code=1 manifold fetch "$APP:c9" >out 2>err &&
	test_stderr_line "$TOO_DEEP \(at $APP@$IMG\)" err &&
	test "$(registry_request_count "^GET /v2/chain/app/manifests/([^s]|sha256:)")" = $((LIMIT + 1)) &&
	test "$(registry_request_count "^GET /v2/chain/app/manifests/$IMG ")" = 0 &&
	! manifold show-ref
'

test_expect_success 'fetch: a long chain costs no more requests than the limit allows' '
	export MANIFOLD_DIR=$TRASH/fetch12 &&
	registry_log_reset &&
	test_must_fail --code=1 manifold fetch "$APP:c12" 2>err &&
	test_stderr_line "$TOO_DEEP" err &&
	test "$(registry_request_count "^GET /v2/chain/app/manifests/([^s]|sha256:)")" = $((LIMIT + 1)) &&
	# (referrer lookups aside: the sha256-HEX tags, the referrers API)
	test "$(registry_object_requests | grep -c .)" -le $((LIMIT + 4))
'

test_expect_success 'create: the same limit, before the request' '
	export MANIFOLD_DIR=$TRASH/create &&
	manifold create --insecure "$APP:made8" "$APP:c$LIMIT" >out &&
	echo "Created manifest list $APP:made8" >expect &&
	test_cmp expect out &&
	registry_log_reset &&
	test_must_fail --code=1 manifold create --insecure "$APP:made9" "$APP:c9" 2>err &&
	test_stderr_line "$TOO_DEEP" err &&
	test "$(registry_request_count "^GET /v2/chain/app/manifests/([^s]|sha256:)")" -le $((LIMIT + 1)) &&
	test "$(registry_request_count "^GET /v2/chain/app/manifests/$IMG ")" = 0 &&
	test_must_fail manifold show-ref "lists/$APP:made9"
'

# A chain deeper than the limit, put in a store by hand (the registry's
# bytes, hash-object -w and update-ref), as no command fetches one.
test_expect_success 'setup: a chain of 12 in a store, by hand' '
	export MANIFOLD_DIR=$TRASH/byhand &&
	for n in $(seq 1 12); do
		registry_curl -s -H "Accept: $IDX" "$REGISTRY_URL/v2/chain/app/manifests/c$n" >c$n.json &&
		manifold hash-object -w c$n.json >/dev/null || return 1
	done &&
	registry_curl -s -H "Accept: $OCI_MANIFEST" "$REGISTRY_URL/v2/chain/app/manifests/img" >img.json &&
	manifold hash-object -w img.json &&
	manifold update-ref "lists/$APP:c12" "$(sha256_of c12.json)"
'

test_expect_success 'push: refused before any request' '
	export MANIFOLD_DIR=$TRASH/byhand &&
	registry_log_reset &&
	test_must_fail --code=1 manifold push "$APP:c12" "$R/pushed/app:c12" 2>err &&
	test_stderr_line "$TOO_DEEP" err &&
	test "$(registry_request_count "^(PUT|POST|PATCH) ")" = 0 &&
	test "$(registry_request_count "^[A-Z]+ /v2/pushed/")" = 0
'

test_expect_success 'fsck: what lies deeper than the limit is a problem, not a crash' '
	export MANIFOLD_DIR=$TRASH/byhand &&
	test_must_fail --code=1 manifold fsck >out 2>err &&
	test_grep -E "^too deep: $(sha256_of c3.json) \(reached from .lists/$APP:c12.\) is nested more than $LIMIT indexes deep$" out &&
	test_line_count = 1 out &&
	test_stderr_line "problems: 1$" err
'

test_expect_success 'fsck: a chain of 3000 indexes made by hand' '
	export MANIFOLD_DIR=$TRASH/long &&
	python3 - "$(sha256_of img.json)" "$(wc -c <img.json)" >long.batch <<-\EOF &&
	import hashlib, sys
	child, size, mt = sys.argv[1], int(sys.argv[2]), "application/vnd.oci.image.manifest.v1+json"
	out = sys.stdout.buffer
	for i in range(3000):
	    b = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}]}" % (mt, child, size)).encode()
	    out.write(b"%d application/vnd.oci.image.index.v1+json\n" % len(b) + b + b"\n")
	    child, size, mt = "sha256:" + hashlib.sha256(b).hexdigest(), len(b), "application/vnd.oci.image.index.v1+json"
	print(child, file=sys.stderr)
	EOF
	manifold hash-object -w img.json &&
	manifold hash-object -w --batch <long.batch >ids &&
	manifold update-ref lists/long "$(tail -n 1 ids)" &&
	test_must_fail --code=1 manifold fsck >out 2>err &&
	test_line_count = 1 out &&
	test_grep "^too deep: " out
'

test_done
