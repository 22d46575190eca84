#!/bin/bash
test_description='fetch-manifest, fetch, create and inspect through a registry that misbehaves (fault-proxy.py, TLS and Basic auth)'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-faults.sh"

start_registry basic
registry_write_auth
AMD=$(seed_image library/app:amd64 --format docker --platform linux/amd64 --seed f1) &&
ARM=$(seed_image library/app:arm64 --format oci --platform linux/arm64/v8 --seed f2) &&
LIST=$(seed_index library/app:list --format oci :amd64 :arm64) || exit 1
CFG=$(registry_curl -sS -H "Accept: $DOCKER_MANIFEST" "$REGISTRY_URL/v2/library/app/manifests/amd64" |
	"$REGISTRY_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])')
export MANIFOLD_LOW_SPEED_TIME=1

# A store with something in it, so that "unchanged" means something.
manifold fetch-manifest "$REGISTRY/library/app:arm64" >/dev/null || exit 1

# fails_cleanly and succeeds: lib-faults.sh.

fault_proxy reset1 'GET /manifests/amd64$ once:reset'
test_expect_success 'a reset mid-body is retried' '
	succeeds manifold --debug fetch-manifest "$P_reset1/library/app:amd64" &&
	echo "$AMD" >expect && test_cmp expect out &&
	test_grep "retrying" err.all &&
	test "$(grep -c "^FAULT reset GET" "$PLOG_reset1")" = 1 &&
	test "$(grep -c "^GET /v2/library/app/manifests/amd64 200$" "$PLOG_reset1")" = 2
'

fault_proxy reset 'GET /manifests/ reset'
test_expect_success 'a registry that always resets: 4 tries, then one clear error' '
	fails_cleanly 128 "cannot reach 127.0.0.1:[0-9]+: .*(reset|Recv failure)" \
		manifold --debug fetch-manifest "$P_reset/library/app:amd64" &&
	test "$(grep -c "^FAULT reset GET" "$PLOG_reset")" = 4
'

fault_proxy trunc 'GET /manifests/ truncate'
test_expect_success 'a truncated body is retried, then one clear error' '
	fails_cleanly 128 "cannot reach 127.0.0.1:[0-9]+: transfer closed with 1 bytes remaining" \
		manifold --debug fetch-manifest "$P_trunc/library/app:amd64" &&
	test "$(grep -c "^FAULT truncate GET" "$PLOG_trunc")" = 4
'

fault_proxy flip 'GET /manifests/ flip'
test_expect_success 'bytes that do not match the digest asked for' '
	fails_cleanly 128 "do not match the digest asked for" \
		manifold --debug fetch-manifest "$P_flip/library/app@$AMD"
'
test_expect_success 'bytes that do not match Docker-Content-Digest' '
	fails_cleanly 128 "do not match its Docker-Content-Digest" \
		manifold --debug fetch-manifest "$P_flip/library/app:amd64"
'

fault_proxy baddig 'GET /manifests/ baddigest'
test_expect_success 'a wrong Docker-Content-Digest' '
	fails_cleanly 128 "do not match its Docker-Content-Digest" \
		manifold --debug fetch-manifest "$P_baddig/library/app:amd64"
'

fault_proxy endless 'GET /manifests/ endless'
fault_proxy endlessblob 'GET /blobs/ endless'
test_expect_success 'an endless manifest stops at the cap' '
	fails_cleanly 128 "larger than" \
		manifold --debug fetch-manifest "$P_endless/library/app:amd64"
'
test_expect_success 'an endless config stops at the cap' '
	# a store without that config: one it holds is not fetched again
	export MANIFOLD_DIR=$TRASH/endless &&
	manifold create "$REGISTRY/x/empty:l" >/dev/null &&
	fails_cleanly 1 "^failed to copy config sha256:[0-9a-f]{64} from 127.0.0.1:[0-9]+/library/app: .*the source sends more than the [0-9]+ bytes its descriptor says$" \
		manifold --debug create "$P_endlessblob/x/y:z" "$P_endlessblob/library/app:amd64"
'

fault_proxy big 'GET /manifests/ big'
test_expect_success 'a 100 MiB manifest stops at the cap' '
	fails_cleanly 128 "larger than" \
		manifold --debug fetch-manifest "$P_big/library/app:amd64"
'

fault_proxy stall1 'GET /manifests/ once:stall'
test_expect_success 'a stall is given up after MANIFOLD_LOW_SPEED_TIME and retried' '
	succeeds manifold --debug fetch-manifest "$P_stall1/library/app:amd64" &&
	echo "$AMD" >expect && test_cmp expect out
'

fault_proxy stall 'GET /manifests/ stall'
test_expect_success 'a registry that always stalls: 4 tries, then one clear error' '
	fails_cleanly 128 "too slow|timed out|Timeout" \
		manifold --debug fetch-manifest "$P_stall/library/app:amd64"
'

fault_proxy redir 'GET /blobs/ redirect'
test_expect_success 'a blob redirected to another host: fetched, no credential sent there' '
	export MANIFOLD_DIR=$TRASH/redir &&
	succeeds manifold --debug create "$P_redir/x/y:z" "$P_redir/library/app:amd64" &&
	manifold cat-manifest -e "$CFG" &&
	test_grep "^GET /parked/" "$OLOG_redir" &&
	! grep -i "^authorization" "$OLOG_redir" &&
	fault_secrets_absent "$OLOG_redir"
'

fault_proxy blob503 'GET /blobs/ once:503'
test_expect_success 'a 503 to a config GET is retried' '
	export MANIFOLD_DIR=$TRASH/b503 &&
	succeeds manifold --debug create "$P_blob503/x/y:z" "$P_blob503/library/app:amd64"
'

fault_proxy blobreset 'GET /blobs/ reset'
test_expect_success 'a config GET reset mid-body' '
	export MANIFOLD_DIR=$TRASH/blobreset &&
	manifold create "$REGISTRY/x/empty:l" >/dev/null &&
	fails_cleanly 1 "blob .*: cannot reach 127.0.0.1:[0-9]+: .*(reset|Recv failure)" \
		manifold --debug create "$P_blobreset/x/y:z" "$P_blobreset/library/app:amd64"
'

fault_proxy expire 'GET /manifests/ once:expire'
test_expect_success 'credentials refused once (as an expired token): asked again, then fine' '
	succeeds manifold --debug fetch-manifest "$P_expire/library/app:amd64" &&
	test_grep "^GET /v2/library/app/manifests/amd64 401$" "$PLOG_expire"
'

fault_proxy child 'GET /manifests/sha256: once:reset' 'GET /manifests/list$ once:stall'
test_expect_success 'fetch of a list: a stall and a reset on the way, retried' '
	export MANIFOLD_DIR=$TRASH/fetch &&
	succeeds manifold --debug fetch "$P_child/library/app:list" &&
	manifold cat-manifest -e "$LIST" && manifold cat-manifest -e "$AMD" &&
	manifold cat-manifest -e "$ARM" &&
	test "$(grep -c "^FAULT" "$PLOG_child")" = 2
'

fault_proxy flipchild 'GET /manifests/sha256: flip'
test_expect_success 'fetch of a list whose child is corrupt: one clear error, store unchanged' '
	fails_cleanly 1 "@sha256:[0-9a-f]{64}: the registry sent bytes that do not match the digest asked for" \
		manifold --debug fetch "$P_flipchild/library/app:list"
'

test_expect_success 'inspect of a remote list with a wrong digest: one clear error' '
	fails_cleanly 1 "do not match its Docker-Content-Digest" \
		manifold --debug inspect "$P_baddig/library/app:list"
'

test_expect_success 'inspect of a remote image through a stall: retried' '
	succeeds manifold --debug inspect "$P_stall1/library/app:amd64"
'

test_done
