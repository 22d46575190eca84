#!/bin/bash
test_description='push against a registry that misbehaves: 403 on existence checks, refused mounts, failures midway'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
porcelain_setup

# proxy NAME RULE...: a fault-injecting proxy in front of the registry;
# sets P_<NAME> to its host:port and PLOG_<NAME> to its request log.
PIDS=
proxy() {
	local name=$1 port_file=$TRASH/proxy-$1.port
	shift
	local -a args=()
	for r in "$@"; do args+=(--rule "$r"); done
	: >"$TRASH/proxy-$name.log"
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/registry/fault-proxy.py" \
		--upstream "$REGISTRY" --port-file "$port_file" \
		--log "$TRASH/proxy-$name.log" "${args[@]}" &
	PIDS="$PIDS $!"
	for _ in $(seq 100); do test -s "$port_file" && break; sleep 0.05; done
	test -s "$port_file" || { echo "Bail out! proxy $name did not start"; exit 1; }
	eval "P_$name=127.0.0.1:$(cat "$port_file")"
	eval "PLOG_$name=$TRASH/proxy-$name.log"
}
# The proxies first, then lib-registry's own exit work (its registries,
# then test-lib's trash directory).
trap 'kill $PIDS 2>/dev/null; _reg_at_exit' EXIT

proxy forbid 'HEAD /manifests/sha256: 403' 'HEAD /blobs/ 403'
proxy nomount 'POST mount= nomount'
proxy flaky 'PUT /manifests/sha256: 4:500' 'PUT /manifests/v1$ once:503'

test_expect_success '403 to an existence check counts as absent' '
	P=$P_forbid &&
	manifold create "$P/dst/app:v1" "$P/library/app:amd64" "$P/other/app:riscv64" >/dev/null &&
	manifold push "$P/dst/app:v1" >out &&
	test_grep "^HEAD /v2/dst/app/manifests/sha256:[0-9a-f]* 403$" "$PLOG_forbid" &&
	test "$(grep -c "^PUT /v2/dst/app/manifests/sha256:.* 201$" "$PLOG_forbid")" = 2 &&
	tail -n 1 out >got && manifold rev-parse "$P/dst/app:v1" >expect &&
	test_cmp expect got
'

test_expect_success 'a registry that refuses mounts: the upload it starts is cancelled and the blob copied' '
	P=$P_nomount &&
	manifold create "$P/dst2/app:v1" "$P/library/app:arm64" "$P/other/app:amd64" >/dev/null &&
	manifold push "$P/dst2/app:v1" >out &&
	test "$(grep -c "^POST /v2/dst2/app/blobs/uploads/?mount=.* 202$" "$PLOG_nomount")" = 4 &&
	test "$(grep -c "^DELETE /v2/dst2/app/blobs/uploads/" "$PLOG_nomount")" -ge 4 &&
	test "$(grep -c "^PUT /v2/dst2/app/blobs/uploads/.*digest=.* 201$" "$PLOG_nomount")" = 4 &&
	registry_curl -sS -f -o /dev/null -H "Accept: application/vnd.docker.distribution.manifest.list.v2+json" \
		"$REGISTRY_URL/v2/dst2/app/manifests/v1"
'

test_expect_success 'a failure midway: no list is put; the same push again finishes' '
	P=$P_flaky &&
	manifold create "$P/dst3/app:v1" "$P/library/app:s390x" "$P/library/app:armv7" >/dev/null &&
	test_must_fail --code=1 manifold push -j 1 "$P/dst3/app:v1" >out 2>err &&
	test_grep "failed to put manifest $P/dst3/app@sha256:" err &&
	! grep "^PUT /v2/dst3/app/manifests/v1 " "$PLOG_flaky" &&
	test_must_fail manifold rev-parse --verify "remotes/$P/dst3/app:v1" &&
	# 500 four times: the first try and its three retries
	test "$(grep -c "^PUT /v2/dst3/app/manifests/sha256:.* 500$" "$PLOG_flaky")" = 4 &&
	# after a failure no further entry is started (the list cannot go)
	! grep "/v2/dst3/app/.*${D[armv7]}" "$PLOG_flaky" &&
	# again: the list PUT meets a 503 once, which a retry gets past
	manifold push -j 1 "$P/dst3/app:v1" >out &&
	test_grep "^PUT /v2/dst3/app/manifests/v1 503$" "$PLOG_flaky" &&
	tail -n 1 out >got && manifold rev-parse "$P/dst3/app:v1" >expect &&
	test_cmp expect got &&
	test "$(manifold rev-parse "remotes/$P/dst3/app:v1")" = "$(cat expect)"
'

test_done
