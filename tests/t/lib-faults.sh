# lib-faults.sh: fault-injecting proxies (tests/registry/fault-proxy.py)
# in front of the current registry of lib-registry.sh.
#
#   . "$MANIFOLD_SOURCE_DIR/tests/t/lib-faults.sh"   # after lib-registry.sh
#   start_registry basic; registry_write_auth
#   fault_proxy stall 'GET /manifests/ once:stall'
#   manifold fetch-manifest "$P_stall/library/app:amd64"
#
# fault_proxy NAME RULE...
#   Starts a proxy in front of the current registry, from the main shell
#   (it stops with the registries at exit).  A TLS registry gets a TLS
#   proxy (the same test CA; certs.d is filled in for it), and credentials
#   in config.json for the proxy's address when the registry has a user.
#   Sets P_NAME (127.0.0.1:PORT), PLOG_NAME (its request log), and
#   OTHER_NAME / OLOG_NAME (the host blobs are redirected to, and the
#   headers it received).
# fault_secrets_absent FILE...  none of the files holds the password, or
#   the Basic credentials as they go on the wire.

: "${REGISTRY_PYTHON:?lib-faults.sh: source lib-registry.sh first}"

fault_proxy() {
	local name=$1 dir=$TRASH/.registry/proxy-$1 port other
	local -a args=()
	shift
	mkdir -p "$dir" || return 1
	for r in "$@"; do args+=(--rule "$r"); done
	if test -n "$REGISTRY_CA"; then
		args+=(--upstream-ca "$REGISTRY_CA"
			--cert "$(dirname "$REGISTRY_CA")/server.crt"
			--key "$(dirname "$REGISTRY_CA")/server.key")
	fi
	: >"$dir/log"
	_reg_spawn "proxy-$name" "$dir/out" "$dir/out" \
		"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/registry/fault-proxy.py" \
		--upstream "$REGISTRY" --port-file "$dir/port" --log "$dir/log" \
		--other-port-file "$dir/other-port" --other-log "$dir/other.log" \
		"${args[@]}"
	for _ in $(seq 200); do test -s "$dir/port" && break; sleep 0.05; done
	if ! test -s "$dir/port"; then
		cat "$dir/out" >&2
		echo "Bail out! fault proxy $name did not start"
		exit 1
	fi
	port=$(cat "$dir/port") other=$(cat "$dir/other-port")
	if test -n "$REGISTRY_CA"; then
		mkdir -p "$DOCKER_CONFIG/certs.d/127.0.0.1:$port" &&
		cp "$REGISTRY_CA" "$DOCKER_CONFIG/certs.d/127.0.0.1:$port/ca.crt" || exit 1
	fi
	test -z "$REGISTRY_USER" || registry_write_auth "127.0.0.1:$port" || exit 1
	eval "P_$name=127.0.0.1:$port PLOG_$name=\$dir/log"
	eval "OTHER_$name=127.0.0.1:$other OLOG_$name=\$dir/other.log"
}

fault_secrets_absent() {
	local wire
	test -n "$REGISTRY_PASS" || return 0
	wire=$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASS" | base64 -w0)
	! grep -F -e "$REGISTRY_PASS" -e "$wire" "$@"
}

# fails_cleanly CODE ERE CMD...: CMD fails with exit CODE (128 for the
# plumbing, 1 for the porcelain) and one line on stderr, --debug trace
# lines aside, matching ERE; the store is unchanged and no secret is in
# its output or trace.
fails_cleanly() {
	local code=$1 ere=$2
	shift 2
	store_snapshot >before &&
	test_must_fail --code="$code" "$@" >out 2>err.all &&
	grep -v "^manifold: [<>] \|^manifold: retrying\|^manifold: using \|^manifold: redirect \|^manifold: .* no credentials sent" err.all >err &&
	test_stderr_line "$ere" err &&
	store_snapshot >after && test_cmp before after &&
	fault_secrets_absent out err.all
}

# succeeds CMD...: CMD (with --debug) succeeds, no secret in its output
# or trace.
succeeds() {
	"$@" >out 2>err.all &&
	fault_secrets_absent out err.all
}
