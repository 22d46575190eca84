#!/bin/bash
test_description='a token server that hands out a token with CR LF and a header: refused, nothing injected reaches the registry, the store is unchanged'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

# Hostile while $EVIL exists: every token then ends with CR LF and a
# Referer header, which the registry's access log would show.
EVIL=$TRASH/evil-header
MARK=manifold-injected-$$
start_registry token --name evil --token-opt "--inject-header-file=$EVIL"
registry_write_auth
seed_image src/app:amd64 --platform linux/amd64 --seed ti1 >amd64 || exit 1
seed_image public/app:amd64 --platform linux/amd64 --seed ti2 >public || exit 1
R=$REGISTRY

test_expect_success 'setup: a list in the store, made while the token server is honest' '
	manifold create "$R/dst/app:v1" "$R/src/app:amd64" >out &&
	manifold show-ref >refs.before &&
	manifold ls >ls.before &&
	test -s refs.before &&
	echo "Referer: $MARK" >"$EVIL"
'

# The command fails with one line naming the token server; the registry
# saw no request carrying the injected header, nor any that succeeded;
# the store did not change.
check_refused() {
	test_stderr_line "token server $TOKEN_URL \\(for $R\\): invalid token response: the token has characters a Bearer token cannot have" err &&
	! grep -F "$MARK" "$REGISTRY_LOG" &&
	test "$(registry_request_count " 2[0-9][0-9]$")" = 0 &&
	test "$(token_request_count " 200 ")" -ge 1 &&
	manifold show-ref >refs.after &&
	test_cmp refs.before refs.after &&
	manifold ls >ls.after &&
	test_cmp ls.before ls.after
}

test_expect_success 'create: refused, nothing injected, store unchanged' '
	registry_log_reset && token_log_reset &&
	test_must_fail --code=1 manifold --debug create "$R/dst/app:v2" "$R/src/app:amd64" >out 2>err.all &&
	grep -v "^manifold: " err.all >err &&
	check_refused &&
	! grep "^manifold: > .* /v2/src/" err.all
'

test_expect_success 'an anonymous token is checked too' '
	mkdir -p no-creds &&
	cp -R "$DOCKER_CONFIG/certs.d" no-creds/ &&
	echo "{}" >no-creds/config.json &&
	registry_log_reset && token_log_reset &&
	test_must_fail --code=1 env DOCKER_CONFIG=$TRASH/no-creds \
		manifold create "$R/dst/app:v3" "$R/public/app:amd64" >out 2>err &&
	check_refused &&
	test "$(token_request_count " auth=none ")" -ge 1
'

test_expect_success 'push: refused, nothing injected, nothing pushed' '
	registry_log_reset && token_log_reset &&
	test_must_fail --code=1 manifold push "$R/dst/app:v1" >out 2>err &&
	check_refused &&
	! grep "^\(PUT\|POST\|PATCH\) " "$REGISTRY_LOG"
'

test_expect_success 'login: refused, nothing stored' '
	registry_log_reset && token_log_reset &&
	cp "$DOCKER_CONFIG/config.json" cfg.before &&
	echo "$REGISTRY_PASS" | test_must_fail --code=1 \
		manifold login -u "$REGISTRY_USER" --password-stdin "$R" >out 2>err.login &&
	sed "s/^Error response from daemon: //" err.login >err &&
	check_refused &&
	test_cmp cfg.before "$DOCKER_CONFIG/config.json" &&
	! grep -F "$REGISTRY_PASS" out err
'

test_expect_success 'the same registry works once the token server is honest again' '
	rm "$EVIL" &&
	manifold push "$R/dst/app:v1" >out &&
	registry_curl -sS -f -o /dev/null \
		-H "Accept: application/vnd.docker.distribution.manifest.list.v2+json" \
		-H "Accept: application/vnd.oci.image.index.v1+json" \
		"$REGISTRY_URL/v2/dst/app/manifests/v1"
'

# A realm is a URL we request: one with a space (a quoted-string may
# carry one) is refused before any request to it.
start_registry token --name badrealm --realm-host "127.0.0.1 evil"
registry_write_auth
test_expect_success 'a token realm with a space is refused, nothing asked of it' '
	registry_env badrealm &&
	token_log_reset &&
	test_must_fail --code=1 manifold create "$REGISTRY/dst/app:v1" "$REGISTRY/src/app:amd64" >out 2>err &&
	test_stderr_line "$REGISTRY sent a token realm with spaces or control characters" err &&
	test "$(token_request_count --all)" = 0
'

test_done
