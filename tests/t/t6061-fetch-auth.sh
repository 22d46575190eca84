#!/bin/bash
test_description='fetch: over verified TLS, and with Basic auth'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"

# What fetch prints for REMOTE at DIGEST holding N manifests, when it
# made or moved the local list LIST (no LIST: the list was left alone).
fetched() {
	if test -n "${4:-}"; then
		echo "Created manifest list $4"
	else
		echo "Manifest list $1 is up to date"
	fi
}

# TLS: the registry's CA is in $DOCKER_CONFIG/certs.d (lib-registry).
porcelain_setup tls

test_expect_success '[tls] fetch verifies the certificate through certs.d' '
	export MANIFOLD_DIR=$TRASH/tls &&
	registry_log_reset &&
	manifold fetch "$APP:index" >out &&
	fetched "$APP:index" "${D[index]}" 2 "$APP:index" >expect &&
	test_cmp expect out &&
	# (referrer lookups aside: t7011 counts them)
	test "$(registry_object_requests | grep -c .)" = 5 &&
	manifold cat-manifest --batch-check --batch-all-objects >all &&
	test_line_count = 5 all
'

test_expect_success '[tls] without the CA: the TLS error, not "no such manifest"; store unchanged' '
	export MANIFOLD_DIR=$TRASH/tls &&
	store_snapshot >before &&
	test_must_fail --code=1 env DOCKER_CONFIG=$TRASH/nocerts \
		manifold fetch "$APP:list" 2>err &&
	test_stderr_line "certificate .* not trusted" err &&
	store_snapshot >after && test_cmp before after
'

test_expect_success '[tls] --insecure accepts the unverified certificate' '
	export MANIFOLD_DIR=$TRASH/tls &&
	env DOCKER_CONFIG=$TRASH/nocerts manifold fetch --insecure "$APP:list" >out &&
	echo "${D[list]}" >expect &&
	manifold show-ref -s "lists/$APP:list" >actual && test_cmp expect actual
'

stop_registry

# Basic auth: credentials from config.json, as docker keeps them.
porcelain_setup basic
registry_write_auth

test_expect_success '[basic] fetch with credentials from config.json' '
	export MANIFOLD_DIR=$TRASH/basic &&
	registry_log_reset &&
	manifold fetch "$APP:list" mine >out &&
	fetched "$APP:list" "${D[list]}" 2 "docker.io/library/mine:latest" >expect &&
	test_cmp expect out &&
	n=$(registry_object_requests | grep -c .) &&
	echo "requests: $n" &&
	# 1 list + 2 manifests + 2 configs, and at most one 401 challenge
	# (referrer lookups aside: t7011 counts them)
	test "$n" -le 6 &&
	test "$(registry_object_requests | grep -c " 200$")" = 5
'

test_expect_success '[basic] no credentials: the auth error, store unchanged' '
	export MANIFOLD_DIR=$TRASH/basic &&
	cp "$DOCKER_CONFIG/config.json" saved.json &&
	test_when_finished "cp saved.json \"$DOCKER_CONFIG/config.json\"" &&
	echo "{}" >"$DOCKER_CONFIG/config.json" &&
	store_snapshot >before &&
	test_must_fail --code=1 manifold fetch "$APP:index" 2>err &&
	test_stderr_line "requires authentication|access denied|no credentials" err &&
	store_snapshot >after && test_cmp before after
'

test_expect_success '[basic] a wrong password: refused, and never printed' '
	export MANIFOLD_DIR=$TRASH/basic &&
	cp "$DOCKER_CONFIG/config.json" saved.json &&
	test_when_finished "cp saved.json \"$DOCKER_CONFIG/config.json\"" &&
	printf "{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}" "$R" \
		"$(printf "%s:%s" "$REGISTRY_USER" wrongpass | base64 -w0)" \
		>"$DOCKER_CONFIG/config.json" &&
	store_snapshot >before &&
	test_must_fail --code=1 manifold fetch "$APP:index" 2>err &&
	test_stderr_line "access denied|authentication" err &&
	! grep -F wrongpass err &&
	store_snapshot >after && test_cmp before after
'

test_done
