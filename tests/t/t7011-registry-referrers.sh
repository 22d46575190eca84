#!/bin/bash
test_description='fetch from a registry brings the referrers: referrers tag schema, cosign .sig tags, referrers API'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

command -v jq >/dev/null 2>&1 || test_skip_all "t7011 needs jq, which is not installed"

# A registry that needs a token: fetch must get one for every request.
start_registry token
registry_write_auth
R=$REGISTRY
L=$R/rel/app:v1

seed_layout() {
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/registry/seed.py" image \
		--layout "$1" --ref "$2" --format oci "${@:3}"
}
add_referrer() {
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/t/add-referrer.py" "$@"
}
# put_manifest REPO REF FILE [MEDIA_TYPE]: PUT FILE as a manifest
put_manifest() {
	local code
	code=$(registry_curl -sS -o put.out -w "%{http_code}" -X PUT \
		-H "Content-Type: ${4:-application/vnd.oci.image.manifest.v1+json}" \
		--data-binary "@$3" "$REGISTRY_URL/v2/$1/manifests/$2") &&
	test "$code" = 201 || { echo "PUT $1:$2 answered $code" >&2; cat put.out >&2; return 1; }
}
# put_blob REPO FILE: upload FILE (POST, then PUT with its digest); prints the digest
put_blob() {
	local d=sha256:$(sha256sum <"$2" | cut -c1-64) loc
	loc=$(registry_curl -sS -f -o /dev/null -D - -X POST "$REGISTRY_URL/v2/$1/blobs/uploads/" |
		sed -n "s/^[Ll]ocation: *//p" | tr -d "\r") &&
	case $loc in http*) ;; *) loc=$REGISTRY_URL$loc ;; esac &&
	registry_curl -sS -f -o /dev/null -X PUT -H "Content-Type: application/octet-stream" \
		--data-binary "@$2" "$loc&digest=$d" &&
	echo "$d"
}
same() {
	manifold cat-manifest "$1" >got &&
	cmp got "$2/blobs/sha256/${1#sha256:}"
}

# A list of two images with an SBOM of the list and an attestation of
# one image (OCI 1.1 subject), pushed by manifold: the registry (no
# referrers API) lists them in the referrers tag schema indexes.
export MANIFOLD_DIR=$TRASH/home
A=$(seed_layout src a --platform linux/amd64 --seed r-a) &&
B=$(seed_layout src b --platform linux/arm64/v8 --seed r-b) &&
manifold create --format oci "$L" oci:src:a oci:src:b >/dev/null &&
LIST=$(manifold rev-parse "$L") &&
manifold export -o oci:lay "$L" >/dev/null &&
SBOM=$(add_referrer lay "$LIST" application/spdx+json "{\"sbom\":1}") &&
ATT=$(add_referrer lay "$A" application/vnd.in-toto+json "{\"att\":1}") &&
MANIFOLD_DIR=$TRASH/air manifold import oci:lay >/dev/null &&
MANIFOLD_DIR=$TRASH/air manifold push "$L" "$R/rel/app:v1" >/dev/null || {
	echo "Bail out! could not push the list with its referrers"
	exit 1
}
unset MANIFOLD_DIR

test_expect_success 'the registry has no referrers API; push listed the SBOM in the tag schema index' '
	test_must_fail registry_curl -sS -f -o /dev/null "$REGISTRY_URL/v2/rel/app/referrers/$LIST" 2>err &&
	test_grep 404 err &&
	registry_curl -sS -f -H "Accept: application/vnd.oci.image.index.v1+json" \
		"$REGISTRY_URL/v2/rel/app/manifests/sha256-${LIST#sha256:}" >idx &&
	test "$(jq -r ".manifests[].digest" idx)" = "$SBOM"
'

test_expect_success 'fetch brings the referrers of the list and of its images' '
	export MANIFOLD_DIR=$TRASH/f1 &&
	registry_log_reset &&
	manifold fetch "$L" >out &&
	test "$(manifold rev-parse "$L")" = "$LIST" &&
	same "$SBOM" lay &&
	same "$ATT" lay &&
	manifold fsck
'

test_expect_success 'the referrers API was asked once, the tags listed once; only the referrer tags listed were read' '
	registry_requests >log &&
	test "$(grep -c "^GET /v2/rel/app/referrers/" log)" = 1 &&
	test "$(grep -c "^GET /v2/rel/app/tags/list" log)" = 1 &&
	# push listed the SBOM in the schema index of the list, and the
	# attestation in that of image A: those two tags exist, are read
	grep -q "^GET /v2/rel/app/manifests/sha256-${LIST#sha256:} " log &&
	grep -q "^GET /v2/rel/app/manifests/sha256-${A#sha256:} " log &&
	for d in "$B" "$SBOM" "$ATT"; do
		! grep -q "/manifests/sha256-${d#sha256:} " log || return 1
	done &&
	# no .sig tag exists: none is asked for
	! grep "\.sig " log
'

# A cosign tag-scheme signature of image B, put by hand: a manifest
# that names no subject, tagged sha256-<hex of B>.sig.
test_expect_success 'a signature under the sha256-HEX.sig tag is fetched too' '
	printf "{}" >empty &&
	printf "{\"critical\":{\"image\":{\"docker-manifest-digest\":\"%s\"}}}" "$B" >payload &&
	CFG=$(put_blob rel/app empty) &&
	PAY=$(put_blob rel/app payload) &&
	jq -nc --arg c "$CFG" --arg p "$PAY" --argjson ps "$(wc -c <payload)" "{
		schemaVersion: 2, mediaType: \"application/vnd.oci.image.manifest.v1+json\",
		config: {mediaType: \"application/vnd.oci.image.config.v1+json\", digest: \$c, size: 2},
		layers: [{mediaType: \"application/vnd.dev.cosign.simplesigning.v1+json\",
			digest: \$p, size: \$ps,
			annotations: {\"dev.cosignproject.cosign/signature\": \"AAAA\"}}]}" >sig &&
	put_manifest rel/app "sha256-${B#sha256:}.sig" sig &&
	SIG=sha256:$(sha256sum <sig | cut -c1-64) &&
	export MANIFOLD_DIR=$TRASH/f2 &&
	manifold fetch "$L" >out &&
	manifold cat-manifest "$SIG" >got &&
	cmp got sig &&
	same "$SBOM" lay
'

# A second repository for the bad cases: a list of one image.
E=$(seed_image bad/app:e --platform linux/amd64) &&
BADL=$(seed_index bad/app:v1 :e) &&
GONE=$(seed_image bad/app:gone --platform linux/arm64/v8) || {
	echo "Bail out! could not seed bad/app"
	exit 1
}

test_expect_success 'a schema index listing a manifest the registry lacks: fetch fails, store unchanged' '
	registry_curl -sS -f -H "Accept: application/vnd.oci.image.manifest.v1+json" \
		"$REGISTRY_URL/v2/bad/app/manifests/$GONE" >gone &&
	jq -nc --arg d "$GONE" --argjson s "$(wc -c <gone)" "{schemaVersion: 2,
		mediaType: \"application/vnd.oci.image.index.v1+json\",
		manifests: [{mediaType: \"application/vnd.oci.image.manifest.v1+json\",
			digest: \$d, size: \$s, artifactType: \"application/x-lost\"}]}" >idx &&
	put_manifest bad/app "sha256-${E#sha256:}" idx application/vnd.oci.image.index.v1+json &&
	registry_curl -sS -f -X DELETE "$REGISTRY_URL/v2/bad/app/manifests/$GONE" &&
	export MANIFOLD_DIR=$TRASH/b1 &&
	store_snapshot >before &&
	test_must_fail manifold fetch "$R/bad/app:v1" 2>err &&
	test_stderr_line "${GONE#sha256:}" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'a schema tag that holds no index: fetch fails with one line naming the subject, store unchanged' '
	put_manifest bad/app "sha256-${E#sha256:}" gone &&
	export MANIFOLD_DIR=$TRASH/b1 &&
	store_snapshot >before &&
	test_must_fail manifold fetch "$R/bad/app:v1" 2>err &&
	test_stderr_line "${E#sha256:}.*not a referrers index" err &&
	store_snapshot >after &&
	test_cmp before after
'

# A registry with the referrers API (the layout above, served by a small
# server): two referrers of the list, one per page.
cp -r lay api &&
TWO=$(add_referrer api "$LIST" application/x-two "two") || {
	echo "Bail out! could not make the API layout"
	exit 1
}
start_api() {
	rm -f "api.port.$1" &&
	_reg_spawn "api-$1" "api-$1.out" "api-$1.out" "$REGISTRY_PYTHON" \
		"$MANIFOLD_SOURCE_DIR/tests/t/referrers-registry.py" "$TRASH/api" \
		"$TRASH/api.port.$1" "$TRASH/api-$1.log" "${@:2}" &&
	for _ in $(seq 100); do test -s "api.port.$1" && break; sleep 0.05; done &&
	test -s "api.port.$1"
}
start_api good && API=127.0.0.1:$(cat api.port.good) &&
start_api bad --bad && BAD=127.0.0.1:$(cat api.port.bad) || {
	echo "Bail out! the referrers API server did not start"
	exit 1
}

test_expect_success 'the referrers API: every page of every subject, no schema tag asked' '
	export MANIFOLD_DIR=$TRASH/a1 &&
	manifold fetch --insecure "$API/r:v1" >out &&
	test "$(manifold rev-parse "$API/r:v1")" = "$LIST" &&
	same "$SBOM" api &&
	same "$TWO" api &&
	same "$ATT" api &&
	grep -q "^GET /v2/r/referrers/$LIST$" api-good.log &&
	test "$(grep -c "^GET /v2/r/referrers/$LIST" api-good.log)" = 2 &&
	! grep "manifests/sha256-[0-9a-f]*$" api-good.log &&
	grep -q "^HEAD /v2/r/manifests/sha256-${LIST#sha256:}.sig$" api-good.log
'

test_expect_success 'a referrers API answer that is not JSON: fetch fails with one line, store unchanged' '
	export MANIFOLD_DIR=$TRASH/a2 &&
	store_snapshot >before &&
	test_must_fail manifold fetch --insecure "$BAD/r:v1" 2>err &&
	test_stderr_line "${LIST#sha256:}.*referrers API.*not a referrers index" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_done
