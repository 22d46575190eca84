#!/bin/bash
test_description='manifest GETs and HEADs that a registry redirects (fault-proxy.py, TLS with Basic and Bearer auth): followed, at most 5 hops, no credentials to another host, bytes still verified'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-faults.sh"

start_registry basic --name basic
registry_write_auth
AMD=$(seed_image library/app:amd64 --format docker --platform linux/amd64 --seed r1) &&
ARM=$(seed_image library/app:arm64 --format oci --platform linux/arm64/v8 --seed r2) &&
LIST=$(seed_index library/app:list --format oci :amd64 :arm64) || exit 1

# A store with something in it, so that "unchanged" means something.
manifold fetch-manifest "$REGISTRY/library/app:arm64" >/dev/null || exit 1

# fails_cleanly and succeeds: lib-faults.sh.

# nothing_reached_other OLOG HOST: the other host was asked (GET or HEAD
# /parked/...), never with credentials; the trace says none were sent.
nothing_reached_other() {
	test_grep -E "^(GET|HEAD) /parked/" "$1" &&
	! grep -i "^authorization:" "$1" &&
	fault_secrets_absent "$1" &&
	test_grep "^manifold: https://$2/parked/[0-9a-f]* is not 127.0.0.1:[0-9]*: no credentials sent$" err.all
}

fault_proxy same 'GET /manifests/(amd64|list)$ todigest'
test_expect_success 'a tag redirected to its digest on the same host ("./sha256:..."): followed with credentials' '
	export MANIFOLD_DIR=$TRASH/same &&
	succeeds manifold --debug fetch-manifest "$P_same/library/app:amd64" &&
	echo "$AMD" >expect && test_cmp expect out &&
	test_grep "^GET /v2/library/app/manifests/amd64 307$" "$PLOG_same" &&
	test_grep "^GET /v2/library/app/manifests/$AMD 200$" "$PLOG_same" &&
	! grep "^GET /v2/library/app/manifests/$AMD 401$" "$PLOG_same" &&
	test_grep "^manifold: redirect 1 of at most 5: https://$P_same/v2/library/app/manifests/$AMD$" err.all &&
	! grep "no credentials sent" err.all
'

test_expect_success 'inspect of a remote list redirected on the same host' '
	export MANIFOLD_DIR=$TRASH/same &&
	succeeds manifold --debug inspect "$P_same/library/app:list" &&
	test_grep "\"digest\": \"$AMD\"" out &&
	test_grep "\"digest\": \"$ARM\"" out &&
	test_grep "^GET /v2/library/app/manifests/list 307$" "$PLOG_same"
'

fault_proxy else 'GET /manifests/ elsewhere'
test_expect_success 'fetch-manifest redirected to another host: fetched, no credentials sent there' '
	export MANIFOLD_DIR=$TRASH/else &&
	succeeds manifold --debug fetch-manifest "$P_else/library/app:amd64" &&
	echo "$AMD" >expect && test_cmp expect out &&
	manifold cat-manifest -e "$AMD" &&
	nothing_reached_other "$OLOG_else" "$OTHER_else"
'

test_expect_success 'by digest, redirected to another host: verified, stored' '
	export MANIFOLD_DIR=$TRASH/else-d &&
	: >"$OLOG_else" &&
	succeeds manifold --debug fetch-manifest "$P_else/library/app@$ARM" &&
	echo "$ARM" >expect && test_cmp expect out &&
	nothing_reached_other "$OLOG_else" "$OTHER_else"
'

test_expect_success 'inspect of a remote list, every manifest redirected to another host' '
	export MANIFOLD_DIR=$TRASH/else &&
	: >"$OLOG_else" &&
	succeeds manifold --debug inspect "$P_else/library/app:list" &&
	test_grep "\"digest\": \"$AMD\"" out &&
	test_grep "\"digest\": \"$ARM\"" out &&
	nothing_reached_other "$OLOG_else" "$OTHER_else"
'

test_expect_success 'create from images redirected to another host' '
	export MANIFOLD_DIR=$TRASH/else-c &&
	: >"$OLOG_else" &&
	succeeds manifold --debug create "$P_else/x/y:z" "$P_else/library/app:amd64" \
		"$P_else/library/app:arm64" &&
	manifold inspect "$P_else/x/y:z" >list.json &&
	test_grep "\"digest\": \"$AMD\"" list.json &&
	test_grep "\"digest\": \"$ARM\"" list.json &&
	test "$(grep -c "^GET /parked/" "$OLOG_else")" = 2 &&
	nothing_reached_other "$OLOG_else" "$OTHER_else"
'

fault_proxy head 'HEAD /manifests/ elsewhere'
test_expect_success 'manifest HEADs redirected to another host (ls-remote)' '
	export MANIFOLD_DIR=$TRASH/head &&
	succeeds manifold --debug ls-remote "$P_head/library/app" &&
	printf "%s\t%s\n" "$AMD" amd64 "$ARM" arm64 "$LIST" list >expect &&
	sort -k2 out >got && test_cmp expect got &&
	test "$(grep -c "^HEAD /parked/" "$OLOG_head")" = 3 &&
	nothing_reached_other "$OLOG_head" "$OTHER_head"
'

fault_proxy flip 'GET /manifests/ flipelsewhere'
test_expect_success 'bytes from the other host that do not match the digest asked for' '
	export MANIFOLD_DIR=$TRASH/store &&
	fails_cleanly 128 "@sha256:[0-9a-f]{64}: the registry sent bytes that do not match the digest asked for$" \
		manifold --debug fetch-manifest "$P_flip/library/app@$AMD"
'
test_expect_success 'by tag: bytes from the other host that do not match Docker-Content-Digest' '
	export MANIFOLD_DIR=$TRASH/store &&
	fails_cleanly 1 "do not match its Docker-Content-Digest" \
		manifold --debug inspect "$P_flip/library/app:list"
'

fault_proxy loop 'GET /manifests/ loop'
test_expect_success 'a redirect loop: one clear error, nothing stored' '
	export MANIFOLD_DIR=$TRASH/store &&
	fails_cleanly 128 "^fatal: 127\\.0\\.0\\.1:[0-9]+/library/app:amd64: redirect loop: https://.*/manifests/amd64 redirects back to https://.*/manifests/amd64$" \
		manifold --debug fetch-manifest "$P_loop/library/app:amd64" &&
	test "$(grep -c "^GET /v2/library/app/manifests/amd64 307$" "$PLOG_loop")" = 1
'

fault_proxy chain 'GET /manifests/ chain'
test_expect_success 'an endless chain of redirects: 5 followed, then one clear error' '
	export MANIFOLD_DIR=$TRASH/store &&
	fails_cleanly 1 "^127\\.0\\.0\\.1:[0-9]+/library/app:amd64: more than 5 redirects \\(the last to https://.*/manifests/amd64\\?hop=6\\)$" \
		manifold --debug inspect "$P_chain/library/app:amd64" &&
	test "$(grep -c "^GET /v2/library/app/manifests/amd64.* 307$" "$PLOG_chain")" = 6
'

fault_proxy tohttp 'GET /manifests/ tohttp'
test_expect_success 'a redirect from HTTPS to plain HTTP is refused' '
	export MANIFOLD_DIR=$TRASH/store &&
	fails_cleanly 128 "^fatal: 127\\.0\\.0\\.1:[0-9]+/library/app:amd64: refusing a redirect from HTTPS to plain HTTP \\(http://127\\.0\\.0\\.1:1/v2/library/app/manifests/amd64\\)$" \
		manifold --debug fetch-manifest "$P_tohttp/library/app:amd64"
'

# The other host answers 401 with a Bearer challenge naming its own token
# realm: answering it would send the registry's credentials there.
fault_proxy fch 'GET /manifests/ foreignchallenge'
test_expect_success 'another host that challenges gets no credentials: its challenge is not answered' '
	export MANIFOLD_DIR=$TRASH/store &&
	fails_cleanly 128 "^fatal: 127\\.0\\.0\\.1:[0-9]+/library/app:amd64: .*(denied|401|authenticat)" \
		manifold --debug fetch-manifest "$P_fch/library/app:amd64" &&
	test_grep "^GET /challenge/v2/library/app/manifests/amd64$" "$OLOG_fch" &&
	! grep "^GET /token" "$OLOG_fch" &&
	! grep -i "^authorization:" "$OLOG_fch" &&
	fault_secrets_absent "$OLOG_fch"
'

# Bearer tokens: the same rule for a token as for a password.
start_registry token --name token
registry_write_auth
seed_image library/app:amd64 --format docker --platform linux/amd64 --seed r1 >/dev/null || exit 1
fault_proxy telse 'GET /manifests/ elsewhere'
test_expect_success 'token registry: a manifest redirected to another host gets no token' '
	export MANIFOLD_DIR=$TRASH/token &&
	succeeds manifold --debug fetch-manifest "$P_telse/library/app:amd64" &&
	echo "$AMD" >expect && test_cmp expect out &&
	nothing_reached_other "$OLOG_telse" "$OTHER_telse"
'

test_done
