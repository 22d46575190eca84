# lib-transport.sh: the transport calls no command makes yet (blob
# upload and mount, manifest put and delete) against a real registry in
# MODE, through tests/registry/regtool.
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

start_registry "$MODE"
R=$REGISTRY
: "${REGTOOL:=$MANIFOLD_BUILD_DIR/tests/regtool}"
: "${MANIFOLD_NET_MODULE:=$MANIFOLD_BUILD_DIR/manifold-net.so}"
reg() {
	MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE "$REGTOOL" "$R" "$R" "$@"
}
login_config() {
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" \
		"$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASS" | base64 -w0)" \
		>"$DOCKER_CONFIG/config.json"
}
case $MODE in basic|token) login_config ;; esac

test_expect_success "[$MODE] upload a blob, then HEAD and GET it back" '
	head -c 70000 /dev/urandom >blob &&
	reg blob-upload public/up blob >d 2>err &&
	sha256_of blob >expect && test_cmp expect d &&
	reg blob-head public/up "$(cat d)" >size &&
	echo 70000 >expect && test_cmp expect size &&
	reg blob-get public/up "$(cat d)" >back &&
	cmp blob back
'

test_expect_success "[$MODE] mount the blob into another repository" '
	reg blob-mount public/other "$(cat d)" public/up >out &&
	echo mounted >expect && test_cmp expect out &&
	reg blob-head public/other "$(cat d)" >size &&
	echo 70000 >expect && test_cmp expect size
'

test_expect_success "[$MODE] a mount from a repository without the blob starts no mount" '
	head -c 5000 /dev/urandom >lonely &&
	d2=$(sha256_of lonely) &&
	reg blob-mount public/third "$d2" public/up >out &&
	echo copy-needed >expect && test_cmp expect out &&
	test_must_fail reg blob-head public/third "$d2" 2>err &&
	test_grep "not found" err
'

test_expect_success "[$MODE] PUT a manifest by tag: digest, Content-Type and bytes kept" '
	printf "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}" >config &&
	cfg=$(reg blob-upload public/m config) &&
	lay=$(reg blob-upload public/m blob) &&
	printf "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%d},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":70000}]}" \
		"$OCI_MANIFEST" "$cfg" "$(wc -c <config)" "$lay" >manifest &&
	reg manifest-put public/m v1 "$OCI_MANIFEST" manifest >md &&
	sha256_of manifest >expect && test_cmp expect md &&
	reg manifest-head public/m v1 >head &&
	echo "$(cat md) $OCI_MANIFEST $(wc -c <manifest)" >expect &&
	test_cmp expect head &&
	manifold fetch-manifest $R/public/m:v1 >fetched &&
	test_cmp md fetched &&
	manifold cat-manifest "$(cat md)" >got && cmp manifest got
'

test_expect_success "[$MODE] a manifest whose blobs are missing is refused with the reason" '
	printf "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":2},\"layers\":[]}" \
		"$OCI_MANIFEST" "$ZERO" >bad &&
	test_must_fail reg manifest-put public/m bad "$OCI_MANIFEST" bad 2>err &&
	test_grep -i "unknown\|invalid\|answered 400" err
'

test_expect_success "[$MODE] DELETE a manifest by digest; it is gone" '
	reg manifest-delete public/m "$(cat md)" &&
	test_must_fail reg manifest-head public/m "$(cat md)" 2>err &&
	test_grep "not found" err
'

case $MODE in
basic|token)
test_expect_success "[$MODE] without credentials, uploads are refused" '
	echo "{}" >"$DOCKER_CONFIG/config.json" && test_when_finished login_config &&
	test_must_fail reg blob-upload public/up blob 2>err &&
	test_grep -E "authentication|denied|refused" err
'
;;
esac

test_done
