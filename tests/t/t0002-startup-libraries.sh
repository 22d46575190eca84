#!/bin/bash
test_description='local commands load neither libcurl nor OpenSSL'
. ./test-lib.sh

loaded_libs() {
	LD_DEBUG=libs "$@" 2>&1 >/dev/null | sed -n "s/.*calling init: //p"
}

test_expect_success 'setup' '
	printf "{\"schemaVersion\":2,\"manifests\":[]}" >idx &&
	d=$(manifold hash-object -w idx) &&
	manifold update-ref lists/x "$d" &&
	echo "$d" >digest
'

for cmd in "cat-manifest -e lists/x" "cat-manifest -p lists/x" "hash-object idx" \
	"hash-object -w idx" "show-ref" "reflog lists/x" "rev-parse lists/x" "fsck" \
	"update-ref lists/y lists/x"
do
	test_expect_success "manifold $cmd loads no libcurl, libssl or libcrypto" "
		loaded_libs manifold $cmd >libs &&
		test_grep liblmdb libs &&
		! grep -E \"libcurl|libssl|libcrypto|manifold-net\" libs
	"
done

test_expect_success 'hashing a large input does load the module (control)' '
	head -c 3000000 /dev/zero >big &&
	loaded_libs manifold hash-object -t application/vnd.oci.image.layer.v1.tar big >libs &&
	test_grep manifold-net libs &&
	test_grep libcrypto libs &&
	manifold hash-object -t application/vnd.oci.image.layer.v1.tar big >actual &&
	sha256_of big >expect &&
	test_cmp expect actual
'

test_expect_success 'the executable does not link libcurl or OpenSSL' '
	ldd "$MANIFOLD" >ldd &&
	test_grep liblmdb ldd &&
	! grep -E "libcurl|libssl|libcrypto" ldd
'

test_done
