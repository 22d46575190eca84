# lib-transport.sh: the transport calls no command makes yet (blob
# upload and mount, manifest put and delete) against a real registry in
# MODE, through tests/registry/regtool.
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

# Two registries of the same mode (r2 is the target of the copies
# between registries); r1 is the current one.
start_registry "$MODE"
start_registry "$MODE"
R2=$REGISTRY R2_DIR=$REGISTRY_DIR R2_TOKEN_LOG=$TOKEN_LOG
registry_env r1
R=$REGISTRY
: "${REGTOOL:=$MANIFOLD_BUILD_DIR/tests/regtool}"
: "${MANIFOLD_NET_MODULE:=$MANIFOLD_BUILD_DIR/manifold-net.so}"
reg() {
	MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE "$REGTOOL" "$R" "$R" "$@"
}
reg2() {
	MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE "$REGTOOL" "$R2" "$R2" "$@"
}
# Each registry's own credentials (different passwords), as docker
# login to both would leave them.
login_config() {
	echo "{}" >"$DOCKER_CONFIG/config.json" &&
	registry_env r2 && registry_write_auth &&
	registry_env r1 && registry_write_auth
}
case $MODE in basic|token) login_config ;; esac
# no_uploads_in DIR REPO: the registry in DIR holds no uploaded bytes
# for REPO (distribution 2.8 writes a session's hash state again after
# a DELETE, so only the data files tell).
no_uploads_in() {
	find "$1/storage/docker/registry/v2/repositories/$2/_uploads" \
		-name data >uploads 2>/dev/null
	test_line_count = 0 uploads
}

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
	test_grep "not found" err &&
	no_uploads_in "$REGISTRY_DIR" public/third
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

test_expect_success "[$MODE] a chunked upload: three PATCHes, then PUT ?digest" '
	head -c 70001 /dev/urandom >chunky &&
	registry_log_reset &&
	reg upload-chunked public/chunked chunky 30000 >d 2>err &&
	sha256_of chunky >expect && test_cmp expect d &&
	test "$(registry_request_count "^POST /v2/public/chunked/blobs/uploads/ 202")" = 1 &&
	test "$(registry_request_count "^PATCH /v2/public/chunked/blobs/uploads/.* 202")" = 3 &&
	test "$(registry_request_count "^PUT /v2/public/chunked/blobs/uploads/.*digest=sha256.* 201")" = 1 &&
	reg blob-head public/chunked "$(cat d)" >size &&
	echo 70001 >expect && test_cmp expect size &&
	reg blob-get public/chunked "$(cat d)" >back && cmp chunky back &&
	no_uploads_in "$REGISTRY_DIR" public/chunked
'

test_expect_success "[$MODE] a zero-size blob through a session: no PATCH" '
	: >empty &&
	registry_log_reset &&
	reg upload-chunked public/chunked empty 30000 >d &&
	sha256_of empty >expect && test_cmp expect d &&
	test "$(registry_request_count "^PATCH ")" = 0 &&
	reg blob-head public/chunked "$(cat d)" >size &&
	echo 0 >expect && test_cmp expect size
'

test_expect_success "[$MODE] a session finished with the wrong digest commits nothing" '
	head -c 5000 /dev/urandom >wrong &&
	test_must_fail reg upload-chunked public/wrong wrong 2000 "$ZERO" 2>err &&
	test_grep -i "digest" err &&
	test_must_fail reg blob-head public/wrong "$(sha256_of wrong)" 2>err &&
	test_grep "not found" err &&
	no_uploads_in "$REGISTRY_DIR" public/wrong
'

test_expect_success "[$MODE] a cancelled session leaves nothing" '
	head -c 9000 /dev/urandom >cancelled &&
	registry_log_reset &&
	reg upload-cancel public/cancel cancelled 4000 &&
	test "$(registry_request_count "^PATCH .* 202")" = 3 &&
	test "$(registry_request_count "^DELETE /v2/public/cancel/blobs/uploads/.* 204")" = 1 &&
	test_must_fail reg blob-head public/cancel "$(sha256_of cancelled)" 2>err &&
	test_grep "not found" err &&
	no_uploads_in "$REGISTRY_DIR" public/cancel
'

test_expect_success "[$MODE] copy a blob to another repository of the same registry" '
	reg copy public/chunked = copies/one "$(sha256_of chunky)" 70001 >n &&
	echo 70001 >expect && test_cmp expect n &&
	reg blob-get copies/one "$(sha256_of chunky)" >back && cmp chunky back
'

test_expect_success "[$MODE] copy a blob to another registry, and a zero-size one" '
	token_log_reset &&
	reg copy public/chunked "$R2" copies/two "$(sha256_of chunky)" 70001 >n &&
	echo 70001 >expect && test_cmp expect n &&
	reg2 blob-get copies/two "$(sha256_of chunky)" >back && cmp chunky back &&
	reg copy public/chunked "$R2" copies/two "$(sha256_of empty)" 0 >n &&
	echo 0 >expect && test_cmp expect n &&
	reg2 blob-head copies/two "$(sha256_of empty)" >size &&
	test_cmp expect size &&
	if test $MODE = token
	then
		# pull on the source, push,pull on the target, each from its own
		# token server
		test_grep "granted=repository:public/chunked:pull\$" "$TOKEN_LOG" &&
		test_grep "granted=repository:copies/two:pull,push\$" "$R2_TOKEN_LOG" &&
		! grep "copies/two" "$TOKEN_LOG" &&
		! grep "public/chunked" "$R2_TOKEN_LOG"
	fi
'

test_expect_success "[$MODE] a source blob that does not match its digest: MF_ECORRUPT, nothing copied" '
	head -c 20000 /dev/urandom >victim &&
	v=$(reg blob-upload public/bad victim) &&
	data=$REGISTRY_DIR/storage/docker/registry/v2/blobs/sha256/$(echo ${v#sha256:} | cut -c1-2)/${v#sha256:}/data &&
	test -f "$data" &&
	head -c 20000 /dev/urandom >"$data" &&
	test_must_fail reg copy public/bad "$R2" copies/bad "$v" 20000 >n 2>err &&
	test_grep "cannot copy blob .$v. from .public/bad. to .copies/bad.: blob .*do not match the digest" err &&
	test_must_fail reg2 blob-head copies/bad "$v" 2>err &&
	test_grep "not found" err &&
	no_uploads_in "$R2_DIR" copies/bad
'

test_expect_success "[$MODE] more or fewer bytes than the descriptor says: MF_ECORRUPT" '
	d=$(sha256_of chunky) &&
	test_must_fail reg copy public/chunked "$R2" copies/size "$d" 70000 2>err &&
	test_grep "more than the 70000 bytes its descriptor says" err &&
	test_must_fail reg copy public/chunked "$R2" copies/size "$d" 70002 2>err &&
	test_grep "the source sent 70001 bytes, its descriptor says 70002" err &&
	test_must_fail reg2 blob-head copies/size "$d" &&
	no_uploads_in "$R2_DIR" copies/size
'

test_expect_success "[$MODE] a blob the source lacks: not found, nothing started in the target" '
	test_must_fail reg copy public/chunked "$R2" copies/none "$ZERO" 10 2>err &&
	test_grep "not found" err &&
	no_uploads_in "$R2_DIR" copies/none
'

test_expect_success "[$MODE] a 64 MiB copy holds one chunk, not the blob" '
	head -c 67108864 /dev/urandom >big &&
	b=$(reg upload-chunked public/big big 8388608) &&
	rm big &&
	# ASan keeps 256 MiB of freed memory (OpenSSL frees a buffer per TLS
	# record): a small quarantine keeps the measure about our memory.
	/usr/bin/time -f %M -o rss env MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8" \
		"$REGTOOL" "$R" "$R" copy public/big "$R2" copies/big "$b" 67108864 >n &&
	echo 67108864 >expect && test_cmp expect n &&
	reg2 blob-head copies/big "$b" >size && test_cmp expect size &&
	reg2 blob-get copies/big "$b" | sha256sum | sed "s/^/sha256:/; s/ .*//" >got &&
	echo "$b" >expect && test_cmp expect got &&
	echo "# peak RSS of the 64 MiB copy: $(cat rss) KiB" &&
	# One 8 MiB chunk and the libraries; the sanitizers add their shadow.
	if test -n "${MF_SANITIZED:-}"; then limit=98304; else limit=32768; fi &&
	test "$(cat rss)" -lt $limit
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
