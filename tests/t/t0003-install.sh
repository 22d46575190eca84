#!/bin/bash
test_description='cmake --install lays out a working tree that finds its module'
. ./test-lib.sh

test_expect_success 'install into a temporary prefix' '
	cmake --install "$MANIFOLD_BUILD_DIR" --prefix "$TRASH/inst" >log &&
	test -x inst/bin/manifold &&
	find inst -name manifold-net.so >module &&
	test_line_count = 1 module &&
	test -f inst/share/man/man1/manifold.1 &&
	test -f inst/share/man/man1/manifold-hash-object.1 &&
	test -f inst/share/bash-completion/completions/manifold &&
	test -f inst/share/zsh/vendor-completions/_manifold
'

test_expect_success 'the installed binary finds its module for large inputs' '
	head -c 3000000 /dev/zero >big &&
	inst/bin/manifold hash-object -t application/vnd.oci.image.layer.v1.tar big >actual 2>err &&
	sha256_of big >expect &&
	test_cmp expect actual &&
	LD_DEBUG=libs inst/bin/manifold hash-object -t application/vnd.oci.image.layer.v1.tar big \
		2>&1 >/dev/null | grep "calling init:.*manifold-net" >loaded &&
	test_grep "$TRASH/inst/" loaded
'

test_expect_success 'a missing module falls back to libsodium, still correct' '
	mkdir -p alone/bin && cp inst/bin/manifold alone/bin/ &&
	MANIFOLD_MODULE_PATH= alone/bin/manifold hash-object \
		-t application/vnd.oci.image.layer.v1.tar big >actual &&
	test_cmp expect actual
'

test_done
