#!/bin/bash
test_description='push through a registry that misbehaves (fault-proxy.py, TLS with Basic and Bearer auth); t6073 has 403, 202, 500 and 503'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-faults.sh"

start_registry basic --name basic
registry_write_auth
seed_image src/app:amd64 --format docker --platform linux/amd64 --seed p1 >/dev/null &&
seed_image src/app:arm64 --format oci --platform linux/arm64/v8 --seed p2 >/dev/null || exit 1
# The layer of the amd64 image: only push's copies GET it (create reads
# configs), so faults on it hit push alone.
LAYER=$(registry_curl -sS -H "Accept: $DOCKER_MANIFEST" "$REGISTRY_URL/v2/src/app/manifests/amd64" |
	"$REGISTRY_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
test -n "$LAYER" || exit 1
export MANIFOLD_LOW_SPEED_TIME=1

# mklist NAME: in a store of its own (whose sources name no other proxy),
# create list $P/dst/NAME:v1 from $P/src/app.
mklist() {
	export MANIFOLD_DIR=$TRASH/store-$1 &&
	manifold create "$P/dst/$1:v1" "$P/src/app:amd64" "$P/src/app:arm64" >/dev/null
}
tag_absent() {
	test "$(registry_curl -sS -o /dev/null -w "%{http_code}" \
		-H "Accept: $DOCKER_LIST, $IDX" "$REGISTRY_URL/v2/dst/$1/manifests/v1")" = 404
}
# push_fails NAME ERE: push fails with one line matching ERE, the store
# and the registry's tag unchanged, no secret shown.
push_fails() {
	store_snapshot >before &&
	{ test_must_fail --code=1 manifold --debug push -j 1 "$P/dst/$1:v1" >out 2>err.all ||
		{ tail -n 3 err.all; false; }; } &&
	grep -v "^manifold: " err.all >err &&
	test_stderr_line "$2" err &&
	store_snapshot >after && test_cmp before after &&
	tag_absent "$1" &&
	fault_secrets_absent out err.all
}
push_ok() {
	manifold --debug push -j 1 "$P/dst/$1:v1" >out 2>err.all &&
	fault_secrets_absent out err.all &&
	tail -n 1 out >got && manifold rev-parse "$P/dst/$1:v1" >expect &&
	test_cmp expect got &&
	test "$(manifold rev-parse "remotes/$P/dst/$1:v1")" = "$(cat expect)" &&
	! tag_absent "$1"
}

fault_proxy reset 'POST mount= nomount' "GET /blobs/$LAYER once:reset"
# The proxy sends half the body before the reset: whether any of it
# reaches manifold first is up to the kernels, and either way the copy
# reads the blob again from the start.
test_expect_success 'a source blob reset mid-body: read again, done' '
	P=$P_reset && mklist a &&
	push_ok a &&
	test_grep "^FAULT reset" "$PLOG_reset" &&
	test "$(grep -c "^GET /v2/src/app/blobs/$LAYER 200$" "$PLOG_reset")" = 2
'

fault_proxy trunc 'POST mount= nomount' "GET /blobs/$LAYER once:truncate"
test_expect_success 'a source blob cut short once mid-copy: read again, done' '
	P=$P_trunc && mklist a2 &&
	push_ok a2 &&
	test "$(grep -c "^FAULT truncate GET" "$PLOG_trunc")" = 1 &&
	test "$(grep -c "^GET /v2/src/app/blobs/$LAYER 200$" "$PLOG_trunc")" = 2
'

fault_proxy trunc3 'POST mount= nomount' "GET /blobs/$LAYER 3:truncate"
test_expect_success 'a source blob cut short every time: 3 reads, one clear error, no list; then done' '
	P=$P_trunc3 && mklist a3 &&
	push_fails a3 "cannot copy blob .$LAYER.*transfer closed with 1 bytes remaining" &&
	test "$(grep -c "^FAULT truncate GET" "$PLOG_trunc3")" = 3 &&
	push_ok a3
'

fault_proxy endless 'POST mount= nomount' "GET /blobs/$LAYER endless"
test_expect_success 'an endless source blob: stopped at its size, no list' '
	P=$P_endless && mklist b &&
	push_fails b "cannot copy blob|more than"
'

fault_proxy big 'POST mount= nomount' "GET /blobs/$LAYER big"
test_expect_success 'a 100 MiB source blob: stopped at its size, no list' '
	P=$P_big && mklist c &&
	push_fails c "cannot copy blob|more than"
'

fault_proxy flip 'POST mount= nomount' "GET /blobs/$LAYER flip"
test_expect_success 'a corrupt source blob: not committed, no list' '
	P=$P_flip && mklist d &&
	push_fails d "do not match" &&
	test_must_fail registry_curl -sSf -o /dev/null -I "$REGISTRY_URL/v2/dst/d/blobs/$LAYER"
'

fault_proxy stallpatch 'POST mount= nomount' 'PATCH /blobs/uploads/ once:stall'
test_expect_success 'an upload that stalls: one clear error, no list; again: done' '
	P=$P_stallpatch && mklist e &&
	push_fails e "too slow" &&
	push_ok e
'

fault_proxy p429 'PUT /manifests/v1$ once:429'
test_expect_success 'a 429 with Retry-After to the list PUT: retried, done' '
	P=$P_p429 && mklist f &&
	push_ok f &&
	test_grep "^PUT /v2/dst/f/manifests/v1 429$" "$PLOG_p429"
'

fault_proxy stallchild 'PUT /manifests/sha256: stall'
# Each stalled try costs MANIFOLD_LOW_SPEED_TIME plus the ~6 s over which
# curl averages the speed (the request's own bytes count): one child only.
test_expect_success 'a child PUT that always stalls: 4 tries, no list' '
	export MANIFOLD_DIR=$TRASH/store-g &&
	manifold create "$P_stallchild/dst/g:v1" "$P_stallchild/src/app:amd64" >/dev/null &&
	P=$P_stallchild &&
	push_fails g "too slow" &&
	test "$(grep -c "^FAULT stall PUT" "$PLOG_stallchild")" = 4 &&
	! grep "^PUT /v2/dst/g/manifests/v1 " "$PLOG_stallchild"
'

fault_proxy baddig 'PUT /manifests/sha256: baddigest'
test_expect_success 'a registry that reports another digest for a child: no list' '
	P=$P_baddig && mklist h &&
	push_fails h "reports digest sha256:[0-9a-f]{64} for what we sent" &&
	! grep "^PUT /v2/dst/h/manifests/v1 " "$PLOG_baddig"
'

fault_proxy redir 'POST mount= nomount' 'GET /blobs/ redirect'
test_expect_success 'source blobs redirected to another host: copied, no credential sent there' '
	P=$P_redir && mklist i &&
	push_ok i &&
	test "$(grep -c "^GET /parked/" "$OLOG_redir")" -ge 2 &&
	! grep -i "^authorization" "$OLOG_redir" &&
	fault_secrets_absent "$OLOG_redir"
'

fault_proxy rel 'POST mount= nomount' 'POST /blobs/uploads/ relative' 'PATCH /blobs/uploads/ relative'
test_expect_success 'relative upload Locations: resolved on the registry' '
	P=$P_rel && mklist j &&
	push_ok j &&
	test "$(grep -c "^FAULT relative" "$PLOG_rel")" -ge 4
'

fault_proxy expire 'PATCH /blobs/uploads/ once:expire' 'PUT /manifests/ once:expire' 'POST mount= nomount'
test_expect_success 'basic: credentials refused midway: sent again, done' '
	P=$P_expire && mklist k &&
	push_ok k &&
	test "$(grep -c " 401$" "$PLOG_expire")" -ge 2
'

start_registry token --name token
registry_write_auth
seed_image src/app:amd64 --format docker --platform linux/amd64 --seed p1 >/dev/null &&
seed_image src/app:arm64 --format oci --platform linux/arm64/v8 --seed p2 >/dev/null || exit 1
fault_proxy texpire 'POST mount= nomount' 'PATCH /blobs/uploads/ once:expire' \
	'PUT /manifests/sha256: once:expire' 'PUT /manifests/v1$ once:expire'
test_expect_success 'token: a token that expires midway: a new one, done' '
	P=$P_texpire && mklist t &&
	token_log_reset &&
	push_ok t &&
	test "$(grep -c "^FAULT expire" "$PLOG_texpire")" = 3 &&
	test "$(grep -c " 401$" "$PLOG_texpire")" -ge 3 &&
	test "$(token_request_count "^GET .* 200 auth=basic")" -ge 3 &&
	! grep -F "$REGISTRY_PASS" "$TOKEN_LOG"
'

test_done
