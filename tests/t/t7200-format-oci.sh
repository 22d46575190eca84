#!/bin/bash
test_description='push and export --format oci: Docker-typed graphs converted, against skopeo and umoci'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

for tool in umoci jq; do
	command -v "$tool" >/dev/null 2>&1 ||
		test_skip_all "t7200 needs $tool, which is not installed"
done

start_registry plain
R=$REGISTRY
APP=$R/library/app
declare -A D
for spec in amd64:docker:linux/amd64:2 arm64:docker:linux/arm64/v8:1 \
	    amd64-oci:oci:linux/amd64:1 arm64-oci:oci:linux/arm64/v8:1; do
	IFS=: read -r tag format platform layers <<<"$spec"
	D[$tag]=$(seed_image "library/app:$tag" --format "$format" \
		--platform "$platform" --seed "$tag" --layers "$layers") || exit 1
done
SKOPEO_REG="--tls-verify=false --no-creds"
ACCEPT_ALL="Accept: $IDX, $DOCKER_LIST, $OCI_MANIFEST, $DOCKER_MANIFEST"

remote_manifest() {
	registry_curl -sS -f -H "$ACCEPT_ALL" "$REGISTRY_URL/v2/$1/manifests/$2"
}

blob() {
	printf '%s/blobs/sha256/%s\n' "$1" "${2#sha256:}"
}

# oci_graph_ok DIR INDEX_FILE: every manifest under the index is in the
# layout, OCI-typed, and names the blobs of the Docker image it came from
# (SRC_<arch> files: the source manifests), layers typed OCI.
oci_graph_ok() {
	local dir=$1 idx=$2 c f src
	jq -e ".mediaType == \"$IDX\" and ([.manifests[].mediaType] | all(. == \"$OCI_MANIFEST\"))" \
		"$idx" >/dev/null &&
	for c in $(jq -r ".manifests[].digest" "$idx"); do
		f=$(blob "$dir" "$c") &&
		test "$(sha256_of "$f")" = "$c" &&
		jq -e ".mediaType == \"$OCI_MANIFEST\" and .config.mediaType == \"application/vnd.oci.image.config.v1+json\" and ([.layers[].mediaType] | all(. == \"application/vnd.oci.image.layer.v1.tar+gzip\"))" \
			"$f" >/dev/null &&
		arch=$(jq -r ".manifests[] | select(.digest == \"$c\") | .platform.architecture" "$idx") &&
		src=src-$arch.json &&
		jq -r ".config.digest, .layers[].digest" "$src" >want &&
		jq -r ".config.digest, .layers[].digest" "$f" >got &&
		test_cmp want got &&
		for b in $(cat got); do
			test -f "$(blob "$dir" "$b")" || return 1
		done || return 1
	done
}

test_expect_success 'setup: a Docker list of two Docker images' '
	remote_manifest library/app amd64 >src-amd64.json &&
	remote_manifest library/app arm64 >src-arm64.json &&
	manifold create --insecure "$APP:list" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold cat-manifest "$APP:list" >list.json &&
	jq -e ".mediaType == \"$DOCKER_LIST\"" list.json >/dev/null &&
	manifold push --insecure "$APP:list" >/dev/null &&
	manifold create --insecure "$APP:one" "$APP:amd64" >/dev/null &&
	manifold show-ref >refs.before
'

test_expect_success 'push --format oci to a layout: every manifest OCI, blobs unchanged' '
	manifold push --format oci "$APP:list" oci:lay:v1 >out &&
	new=$(tail -n 1 out) &&
	test "$new" != "$(sha256_of list.json)" &&
	idx=$(blob lay "$new") &&
	test "$(sha256_of "$idx")" = "$new" &&
	oci_graph_ok lay "$idx" &&
	jq -e ".manifests[0].digest == \"$new\" and .manifests[0].mediaType == \"$IDX\"" \
		lay/index.json >/dev/null &&
	# platforms as the Docker list had them
	jq -c "[.manifests[].platform]" list.json >want &&
	jq -c "[.manifests[].platform]" "$idx" >got &&
	test_cmp want got
'

test_expect_success 'skopeo and umoci read the converted layout' '
	new=$(jq -r ".manifests[0].digest" lay/index.json) &&
	skopeo inspect --raw oci:lay:v1 >got &&
	test_cmp "$(blob lay "$new")" got &&
	umoci ls --layout lay >tags &&
	echo v1 >expect &&
	test_cmp expect tags &&
	manifold push --format oci "$APP:one" oci:lay:one >/dev/null &&
	umoci stat --image lay:one >stat &&
	test_grep "seed.py layer 1" stat
'

test_expect_success 'the bytes are those skopeo copy --format oci writes, but for the config' '
	skopeo copy -q --all --format oci --src-tls-verify=false --src-no-creds \
		"docker://$APP:list" oci:sk:v1 &&
	sk=$(jq -r ".manifests[0].digest" sk/index.json) &&
	new=$(jq -r ".manifests[0].digest" lay/index.json) &&
	# skopeo also re-serialises each config (new digest, same fields):
	# name the original configs and the converted children as ours
	sed_args= &&
	for arch in amd64 arm64; do
		ours=$(jq -r ".manifests[] | select(.platform.architecture == \"$arch\") | .digest" "$(blob lay "$new")") &&
		theirs=$(jq -r ".manifests[] | select(.platform.architecture == \"$arch\") | .digest" "$(blob sk "$sk")") &&
		cfg_theirs=$(jq -r .config.digest "$(blob sk "$theirs")") &&
		cfg_ours=$(jq -r .config.digest "$(blob lay "$ours")") &&
		test "$(wc -c <"$(blob sk "$cfg_theirs")")" = "$(wc -c <"$(blob lay "$cfg_ours")")" &&
		sed "s/$cfg_theirs/$cfg_ours/" "$(blob sk "$theirs")" >child.sk &&
		test_cmp "$(blob lay "$ours")" child.sk &&
		sed_args="$sed_args -e s/$theirs/$ours/" || return 1
	done &&
	sed $sed_args "$(blob sk "$sk")" >index.sk &&
	test_cmp "$(blob lay "$new")" index.sk
'

test_expect_success 'the store is not changed: no ref moves, no remote is recorded' '
	manifold cat-manifest "$APP:list" >now &&
	test_cmp list.json now &&
	manifold show-ref >refs &&
	test_cmp refs.before refs
'

test_expect_success 'push --format oci to a registry: skopeo sees the OCI index' '
	registry_log_reset &&
	manifold push --insecure --format oci "$APP:list" "$R/conv/app:v1" >out &&
	new=$(tail -n 1 out) &&
	test "$new" = "$(jq -r ".manifests[0].digest" lay/index.json)" &&
	skopeo inspect --raw $SKOPEO_REG "docker://$R/conv/app:v1" >got &&
	test_cmp "$(blob lay "$new")" got &&
	for c in $(jq -r ".manifests[].digest" got); do
		remote_manifest conv/app "$c" >child &&
		test_cmp "$(blob lay "$c")" child || return 1
	done &&
	test "$(registry_request_count "^PUT /v2/conv/app/manifests/")" = 3 &&
	manifold show-ref >refs &&
	test_cmp refs.before refs
'

test_expect_success 'a second push --format oci sends nothing' '
	registry_log_reset &&
	manifold push --insecure --format oci "$APP:list" "$R/conv/app:v1" >out &&
	registry_requests >reqs &&
	test "$(registry_request_count)" = 1 &&
	test_grep "^HEAD /v2/conv/app/manifests/v1 200" reqs &&
	manifold push --format oci "$APP:list" oci:lay:v1 >/dev/null
'

test_expect_success 'push --dry-run --format oci: the plan names the new digests' '
	manifold push --insecure --dry-run --format oci "$APP:list" "$R/dry/app:v1" >plan &&
	new=$(jq -r ".manifests[0].digest" lay/index.json) &&
	for c in $(jq -r ".manifests[].digest" "$(blob lay "$new")"); do
		test_grep "^put  *manifest $c$" plan || return 1
	done &&
	test_grep "^put  *list  *$new$" plan &&
	test_must_fail remote_manifest dry/app v1
'

test_expect_success 'OCI manifests are kept byte for byte' '
	manifold create --insecure "$APP:ocilist" "$APP:amd64-oci" "$APP:arm64-oci" >/dev/null &&
	manifold cat-manifest "$APP:ocilist" >ocilist.json &&
	manifold push --format oci "$APP:ocilist" oci:kept:v1 >out &&
	test "$(tail -n 1 out)" = "$(sha256_of ocilist.json)" &&
	test_cmp ocilist.json "$(blob kept "$(sha256_of ocilist.json)")"
'

test_expect_success 'export --format oci: the same converted graph' '
	manifold export --format oci -o oci:exp "$APP:list" >out &&
	new=$(jq -r ".manifests[0].digest" lay/index.json) &&
	printf "%s\t%s\n" "$new" "$APP:list" >expect &&
	test_cmp expect out &&
	oci_graph_ok exp "$(blob exp "$new")" &&
	umoci ls --layout exp >tags &&
	echo "$APP:list" >expect &&
	test_cmp expect tags
'

test_expect_success 'usage errors: an unknown format, export --format oci --history' '
	test_must_fail --code=125 manifold push --format docker2 "$APP:list" oci:x:v1 2>err &&
	test_grep "keep or oci" err &&
	test_must_fail --code=125 manifold export --format oci --history -o oci:x "$APP:list" 2>err &&
	test_grep "history" err &&
	test ! -e x
'

test_expect_success 'a manifest that cannot be converted: one line, nothing written' '
	sed "s/application\/vnd.docker.image.rootfs.diff.tar.gzip/application\/vnd.example.blob/" \
		src-amd64.json >odd.json &&
	registry_curl -sS -f -X PUT -H "Content-Type: $DOCKER_MANIFEST" \
		--data-binary @odd.json "$REGISTRY_URL/v2/library/app/manifests/odd" &&
	odd=$(sha256_of odd.json) &&
	manifold create --insecure "$APP:oddlist" "$APP:arm64" "$APP:odd" >/dev/null &&
	registry_log_reset &&
	test_must_fail manifold push --insecure --format oci "$APP:oddlist" "$R/bad/app:v1" 2>err &&
	test_line_count = 1 err &&
	test_grep "$odd" err &&
	test_grep "application/vnd.example.blob has no OCI equivalent" err &&
	test "$(registry_request_count)" = 0 &&
	test_must_fail manifold push --format oci "$APP:oddlist" oci:bad:v1 2>err &&
	test ! -e bad &&
	test_must_fail manifold export --format oci -o oci:bad "$APP:oddlist" 2>err &&
	test_grep "$odd" err &&
	test ! -e bad
'

test_done
