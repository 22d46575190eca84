# lib-registry.sh: real registries on 127.0.0.1 for the end-to-end tests
# (Debian's docker-registry, i.e. CNCF Distribution 2.8, and skopeo).
#
#   . ./test-lib.sh
#   . "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"   # test-lib.sh cd'ed to $TRASH
#   start_registry token            # plain | tls | basic | token
#   d=$(seed_image public/hello:1 --platform linux/arm64/v8)
#   registry_log_reset; token_log_reset
#   test_expect_success '...' '
#	manifold ... "$REGISTRY/public/hello:1" &&
#	test "$(registry_request_count "^GET /v2/public/hello/manifests/")" = 1
#   '
#   test_done                       # registries stop at exit
#
# Modes:
#   plain  HTTP, no auth.
#   tls    HTTPS with a CA made for this test file (server certificate for
#          127.0.0.1 and localhost); no auth.
#   basic  tls + htpasswd (bcrypt) Basic auth for $REGISTRY_USER.
#   token  tls + Bearer tokens from tests/registry/token-server.py (HTTPS,
#          same CA): $REGISTRY_USER may pull, push and delete anything
#          (and gets registry:catalog:*); anonymous clients may pull
#          public/* only.
#   basic-http  plain HTTP + htpasswd Basic auth (the usual local setup:
#          credentials over plain HTTP to a loopback registry).
#   token-http  plain HTTP + Bearer tokens from a plain-HTTP token server
#          (TOKEN_URL http://127.0.0.1:PORT/token); policy as in token.
#
# start_registry MODE [--name NAME] [--token-opt ARG]...
#   Starts a registry (and its token server) on a random free port of
#   127.0.0.1, waits until /v2/ answers (200, or 401 in basic and token
#   modes), and makes it the current registry.  --token-opt passes ARG to
#   token-server.py: --token-opt --header=x5c (sign with an x5c chain
#   instead of a kid), --expires-in=N, --no-token-field,
#   --no-access-token-field, --no-oauth-post (POST answers 404),
#   --inject-header-file=FILE (hostile while FILE exists: tokens end with
#   CR LF and FILE's first line).
#   --realm-host HOST names the token server HOST instead of 127.0.0.1
#   in the registry's challenges (e.g. 0.0.0.0: the same server, by a
#   name that is not loopback).
#   If the registry does not come up it prints why, with the log tail;
#   from the test file's main shell it then bails out (exit 1), from a
#   test body it returns 1.
#   Start registries at top level: a test body runs in a subshell, so the
#   variables it sets are lost (registry_env NAME gets them back), and only
#   registries started from the main shell also die with it on SIGKILL.
# registry_env NAME    make registry NAME (r1, r2, ... or --name) current.
# stop_registry [NAME] stop one registry (default: the current one).
# stop_registries      stop every registry and token server of this test
#                      file; runs by itself at exit (EXIT trap, chained
#                      before test-lib.sh's; INT, TERM and HUP exit).
#
# The current registry's variables (exported):
#   REGISTRY       127.0.0.1:PORT
#   REGISTRY_URL   http://127.0.0.1:PORT or https://127.0.0.1:PORT
#   REGISTRY_MODE  plain | tls | basic | token
#   REGISTRY_NAME  r1, r2, ... (or --name)
#   REGISTRY_CA    the CA certificate (empty in plain mode); the same CA
#                  for every registry and token server of the test file
#   REGISTRY_USER  tester (empty in plain and tls modes)
#   REGISTRY_PASS  its random password (empty in plain and tls modes)
#   REGISTRY_LOG   the access log: one line per request, Apache combined
#                  format (HOST - - [DATE] "METHOD URI PROTO" STATUS SIZE
#                  "REFERER" "AGENT"); see registry_requests.  Emptied
#                  once the registry is up.
#   REGISTRY_ERRLOG the registry's own log (logrus text, level info)
#   REGISTRY_DIR   its state directory (config.yml, storage/, logs)
#   TOKEN_URL      the token realm, https://127.0.0.1:PORT/token (token mode)
#   TOKEN_SERVICE, TOKEN_ISSUER   the service and issuer (token mode)
#   TOKEN_LOG      the token server's request log (token mode; else empty)
#   XDG_RUNTIME_DIR, XDG_CONFIG_HOME  under $TRASH/.registry (podman's
#                  auth.json files are read too); REGISTRY_AUTH_FILE unset
#   DOCKER_CONFIG  $TRASH/.registry/docker-config, shared by all registries:
#                  config.json is "{}" (see registry_write_auth) and each
#                  TLS registry has certs.d/127.0.0.1:PORT/ca.crt and
#                  certs.d/localhost:PORT/ca.crt
# (distribution reads REGISTRY_* variables as configuration, so the
# registry itself is started without them.)
#
# seed_image REPO[:TAG] --platform OS/ARCH[/VARIANT]|none [--os-version V]
#            [--os-features F1,F2]
#            [--format oci|docker] [--layers N] [--seed S]
#   Builds a small synthetic image (tests/registry/seed.py), pushes it to
#   the current registry with skopeo and prints its manifest digest.
#   Default: --format oci, --layers 1, a different image each call
#   (--seed S makes the bytes reproducible).
# seed_index REPO[:TAG] [--format oci|docker] CHILD...
#   Pushes an OCI index (or a Docker list) over manifests already in REPO
#   (CHILD is :TAG, @DIGEST, or REPO:TAG/REPO@DIGEST with the same REPO),
#   with each image's platform taken from its config.  The default format
#   follows the first child (Docker manifest -> Docker list).  Prints the
#   index digest.
# registry_curl [--anon] [--scope SCOPE]... CURL_ARGS...
#   curl with the CA and credentials of the current registry (Basic, or a
#   Bearer token fetched for SCOPE, by default the repository named in the
#   /v2/<name>/... URL with pull,push,delete).  --anon: no credentials.
# registry_token [--anon] SCOPE...    print a Bearer token (token mode).
# registry_skopeo [--anon] CMD ARGS...  skopeo inspect/list-tags/delete with
#                                     the current registry's TLS and creds.
# registry_write_auth [KEY]           put the credentials in config.json
#                                     under KEY (default $REGISTRY).
# registry_requests [--all]           the access log as "METHOD URI STATUS"
#                                     lines.  Without --all, requests made
#                                     by this library (registry_curl,
#                                     seed_index, start-up probes: agent
#                                     "lib-registry") are left out;
#                                     seed_image's skopeo ones are not.
# registry_request_count [--all] [ERE]  how many (matching ERE, e.g.
#                                     '^HEAD /v2/a/manifests/' or ' 401$')
# registry_log_reset                  empty the access log
# token_requests [--all]              the token log, without (unless --all)
#                                     this library's own token requests
#                                     (client_id=lib-registry)
# token_request_count [--all] [ERE]   how many (matching ERE)
# token_log_reset                     empty the token log
#
# Token log lines: METHOD PATH?QUERY STATUS auth=none|basic|password|refresh|bad
# user=U|- granted=TYPE:NAME:ACTIONS;...|-  (query values decoded so scopes
# read literally; password and refresh_token values show as ***).
#
# Timing: a registry starts in ~0.1 s (the first TLS one of a file also
# makes the certificates, ~1 s); seed_image takes ~0.3 s.

: "${TRASH:?lib-registry.sh: source test-lib.sh first}"

REGISTRY_HARNESS=$MANIFOLD_SOURCE_DIR/tests/registry
_reg_root=$TRASH/.registry
: "${REGISTRY_START_TIMEOUT:=20}"
# The Debian interpreter starts in a third of the time of a pyenv shim.
if test -z "${REGISTRY_PYTHON:-}"; then
	if test -x /usr/bin/python3; then
		REGISTRY_PYTHON=/usr/bin/python3
	else
		REGISTRY_PYTHON=python3
	fi
fi

# A missing tool skips the whole test file (exit 77; CI fails on skips),
# or, outside test-lib.sh (the benchmarks), fails.
for _reg_tool in docker-registry skopeo openssl htpasswd curl setpriv ss "$REGISTRY_PYTHON"; do
	if ! command -v "$_reg_tool" >/dev/null 2>&1; then
		if declare -F test_skip_all >/dev/null; then
			test_skip_all "lib-registry.sh needs $_reg_tool, which is not installed"
		fi
		echo "lib-registry.sh: $_reg_tool is not installed" >&2
		exit 1
	fi
done
unset _reg_tool

mkdir -p "$_reg_root/docker-config" || exit 1
export DOCKER_CONFIG=$_reg_root/docker-config
test -f "$DOCKER_CONFIG/config.json" || echo '{}' >"$DOCKER_CONFIG/config.json"
# podman's credential files (registry/creds.h) are read too: keep the
# user's own out of the tests.
export XDG_RUNTIME_DIR=$_reg_root/xdg-runtime XDG_CONFIG_HOME=$_reg_root/xdg-config
mkdir -p -m 0700 "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" || exit 1
unset REGISTRY_AUTH_FILE
# Never send registry traffic through a proxy.
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"

# Stop everything at exit, before test-lib.sh's own clean-up removes
# $TRASH; an interrupt or TERM goes through exit so that this runs too.
_reg_prev_exit_trap=$(trap -p EXIT)
_reg_prev_exit_trap=${_reg_prev_exit_trap#"trap -- '"}
_reg_prev_exit_trap=${_reg_prev_exit_trap%"' EXIT"}
_reg_prev_exit_trap=${_reg_prev_exit_trap//"'\\''"/"'"}
_reg_at_exit() {
	stop_registries >/dev/null 2>&1 || true
	eval "$_reg_prev_exit_trap"
}
trap '_reg_at_exit' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

_reg_err() {
	printf 'lib-registry: %s\n' "$*" >&2
}

_reg_alive() {
	local state
	test -r "/proc/$1/stat" || return 1
	state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	test -n "$state" && test "$state" != Z
}

# Only processes whose command line names our state directory are ours
# (guards against a recycled pid).
_reg_ours() {
	_reg_alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$_reg_root/"
}

# _reg_spawn NAME OUT ERR CMD...: start CMD in the background, record its
# pid in $_reg_root/pids, put it in $_reg_pid.  Started from the main
# shell, it also dies with that shell (SIGKILL included).
_reg_spawn() {
	local name=$1 out=$2 err=$3
	shift 3
	if test "${BASHPID:-$$}" = "$$"; then
		setpriv --pdeathsig KILL -- "$@" <"/dev/null" >>"$out" 2>>"$err" &
	else
		"$@" <"/dev/null" >>"$out" 2>>"$err" &
	fi
	_reg_pid=$!
	# Out of the job table, so that a bare `wait` does not wait for it
	# (bash still reaps it).
	disown "$_reg_pid" 2>/dev/null
	echo "$_reg_pid $name" >>"$_reg_root/pids"
}

_reg_kill() {
	local pid=$1 i
	_reg_ours "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 100); do
		_reg_alive "$pid" || break
		sleep 0.02
	done
	if _reg_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
		for i in $(seq 50); do
			_reg_alive "$pid" || break
			sleep 0.02
		done
	fi
	# Reap it if it is our child (it is when started from this shell).
	# _reg_spawn disowned it, so bash reaps it itself and `wait` answers
	# 127 ("not a child"): under `set -e` (the benchmarks) that status
	# must not end the caller.
	wait "$pid" 2>/dev/null || true
	return 0
}

stop_registry() {
	local name=${1:-${REGISTRY_NAME:-}} pid n keep
	test -n "$name" || return 0
	test -f "$_reg_root/pids" || return 0
	keep=$_reg_root/pids.$$.$RANDOM
	while read -r pid n; do
		if test "$n" = "$name"; then
			_reg_kill "$pid"
		else
			echo "$pid $n"
		fi
	done <"$_reg_root/pids" >"$keep"
	mv "$keep" "$_reg_root/pids"
}

stop_registries() {
	local pid n
	test -f "$_reg_root/pids" || return 0
	# Registries first, then their token servers.
	tac "$_reg_root/pids" | while read -r pid n; do
		_reg_kill "$pid"
	done
	: >"$_reg_root/pids"
}

# The CA, the server certificate (127.0.0.1, localhost) and the token
# signing key are made once per test file.
_reg_pki() {
	local d=$_reg_root/pki
	test -f "$d/done" && return 0
	mkdir -p "$d" || return 1
	(
		cd "$d" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.crt -days 7 -subj "/CN=manifold test CA $$" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout server.key -out server.crt -days 7 -subj "/CN=127.0.0.1" \
			-CA ca.crt -CAkey ca.key \
			-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
			-addext basicConstraints=critical,CA:FALSE \
			-addext keyUsage=critical,digitalSignature \
			-addext extendedKeyUsage=serverAuth &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key \
			-out token.crt -days 7 -subj "/CN=manifold test token signer $$"
	) >"$d/openssl.log" 2>&1 || {
		_reg_err "could not make certificates:"
		cat "$d/openssl.log" >&2
		return 1
	}
	touch "$d/done"
}

_reg_random_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# _reg_fail MSG: report a start failure; bail out from the main shell.
_reg_fail() {
	_reg_err "$*"
	if test "${BASHPID:-$$}" = "$$"; then
		echo "Bail out! start_registry: $*"
		exit 1
	fi
	return 1
}

_reg_start_token_server() {
	local dir=$1 port end=$((SECONDS + REGISTRY_START_TIMEOUT))
	shift
	_reg_spawn "$REGISTRY_NAME" "$dir/token-server.out" "$dir/token-server.out" \
		"$REGISTRY_PYTHON" "$REGISTRY_HARNESS/token-server.py" serve \
		--cert "$_reg_root/pki/server.crt" --key "$_reg_root/pki/server.key" \
		--signing-key "$_reg_root/pki/token.key" \
		--signing-cert "$_reg_root/pki/token.crt" \
		--service "$TOKEN_SERVICE" --issuer "$TOKEN_ISSUER" \
		--user "$REGISTRY_USER" --password-file "$dir/password" \
		--log "$dir/token.log" --port-file "$dir/token.port" "$@"
	while test $SECONDS -lt $end; do
		test -s "$dir/token.port" && break
		if ! _reg_alive "$_reg_pid"; then
			break
		fi
		sleep 0.02
	done
	if ! test -s "$dir/token.port"; then
		_reg_err "the token server did not start; its output:"
		tail -n 20 "$dir/token-server.out" >&2
		return 1
	fi
	port=$(cat "$dir/token.port")
	TOKEN_URL=https://127.0.0.1:$port/token
	if test "$REGISTRY_MODE" = token-http; then
		TOKEN_URL=http://127.0.0.1:$port/token
	fi
	if ! curl -sS -o /dev/null --noproxy '*' --max-time 5 ${REGISTRY_CA:+--cacert "$REGISTRY_CA"} \
		"$TOKEN_URL?service=$TOKEN_SERVICE&client_id=lib-registry"; then
		_reg_err "the token server at $TOKEN_URL does not answer; its output:"
		tail -n 20 "$dir/token-server.out" >&2
		return 1
	fi
	TOKEN_LOG=$dir/token.log
	: >"$TOKEN_LOG"
}

_reg_write_config() {
	local dir=$1 port=$2
	{
		cat <<-EOF
		version: 0.1
		log:
		  level: info
		  formatter: text
		  accesslog:
		    disabled: false
		storage:
		  filesystem:
		    rootdirectory: $dir/storage
		  delete:
		    enabled: true
		  maintenance:
		    uploadpurging:
		      enabled: false
		http:
		  addr: 127.0.0.1:$port
		  secret: $(_reg_random_hex 16)
		  headers:
		    X-Content-Type-Options: [nosniff]
		EOF
		if test -n "$REGISTRY_CA"; then
			cat <<-EOF
			  tls:
			    certificate: $_reg_root/pki/server.crt
			    key: $_reg_root/pki/server.key
			EOF
		fi
		case $REGISTRY_MODE in
		basic|basic-http)
			cat <<-EOF
			auth:
			  htpasswd:
			    realm: manifold-test
			    path: $dir/htpasswd
			EOF
			;;
		token|token-http)
			cat <<-EOF
			auth:
			  token:
			    realm: ${TOKEN_URL/127.0.0.1/${_reg_realm_host:-127.0.0.1}}
			    service: $TOKEN_SERVICE
			    issuer: $TOKEN_ISSUER
			    rootcertbundle: $_reg_root/pki/token.crt
			EOF
			;;
		esac
	} >"$dir/config.yml"
}

# _reg_wait_up DIR PID WANT: 0 when up, 2 when the port was taken, 1 else.
_reg_wait_up() {
	local dir=$1 pid=$2 want=$3 got=
	local -a cacert=()
	test -n "$REGISTRY_CA" && cacert=(--cacert "$REGISTRY_CA")
	local end=$((SECONDS + REGISTRY_START_TIMEOUT))
	while test $SECONDS -lt $end; do
		if ! _reg_alive "$pid"; then
			grep -q 'address already in use' "$dir/registry.log" && return 2
			_reg_err "the registry ($REGISTRY_MODE) exited; the tail of $dir/registry.log:"
			tail -n 20 "$dir/registry.log" >&2
			return 1
		fi
		# The log says "listening on" once the port is ours, so the answer
		# below cannot come from someone else's server.
		if grep -q 'listening on' "$dir/registry.log"; then
			got=$(curl -s -o /dev/null -w '%{http_code}' --noproxy '*' --max-time 2 -A lib-registry \
				${cacert[@]+"${cacert[@]}"} "$REGISTRY_URL/v2/")
			test "$got" = "$want" && return 0
		fi
		sleep 0.02
	done
	_reg_err "the registry ($REGISTRY_MODE) at $REGISTRY_URL did not answer $want on /v2/" \
		"within ${REGISTRY_START_TIMEOUT}s (last answer: ${got:-none}); the tail of $dir/registry.log:"
	tail -n 20 "$dir/registry.log" >&2
	return 1
}

_reg_save_env() {
	local v
	for v in REGISTRY REGISTRY_URL REGISTRY_MODE REGISTRY_NAME REGISTRY_CA \
		REGISTRY_USER REGISTRY_PASS REGISTRY_LOG REGISTRY_ERRLOG REGISTRY_DIR \
		TOKEN_URL TOKEN_SERVICE TOKEN_ISSUER TOKEN_LOG; do
		printf '%s=%q\n' "$v" "${!v}"
	done >"$1/env"
}

start_registry() {
	local mode=${1:-} name= dir attempt port want rc _reg_realm_host=
	local -a token_opts=()
	shift || true
	while test $# -gt 0; do
		case $1 in
		--name) name=$2; shift 2 ;;
		--name=*) name=${1#--name=}; shift ;;
		--token-opt) token_opts+=("$2"); shift 2 ;;
		--token-opt=*) token_opts+=("${1#--token-opt=}"); shift ;;
		--realm-host) _reg_realm_host=$2; shift 2 ;;
		*) _reg_fail "unknown option $1"; return 1 ;;
		esac
	done
	case $mode in
	plain|tls|basic|token|basic-http|token-http) ;;
	*) _reg_fail "MODE must be plain, tls, basic, token, basic-http or token-http, not '$mode'"; return 1 ;;
	esac
	if test -z "$name"; then
		name=r$(( $(find "$_reg_root" -mindepth 1 -maxdepth 1 -name 'r[0-9]*' | wc -l) + 1 ))
	fi
	case $name in
	*[!A-Za-z0-9_-]*|'') _reg_fail "bad registry name '$name'"; return 1 ;;
	esac
	dir=$_reg_root/$name
	if test -e "$dir"; then
		_reg_fail "a registry named $name exists already"
		return 1
	fi
	mkdir -p "$dir/storage" || return 1

	REGISTRY_NAME=$name REGISTRY_MODE=$mode REGISTRY_DIR=$dir
	REGISTRY_CA= REGISTRY_USER= REGISTRY_PASS=
	REGISTRY_LOG=$dir/access.log REGISTRY_ERRLOG=$dir/registry.log
	TOKEN_URL= TOKEN_SERVICE= TOKEN_ISSUER= TOKEN_LOG=
	# the token signing key is made with the certificates
	test "$mode" = token-http && { _reg_pki || { _reg_fail "no certificates"; return 1; }; }
	case $mode in
	plain|basic-http|token-http) ;;
	*)
		_reg_pki || { _reg_fail "no certificates"; return 1; }
		REGISTRY_CA=$_reg_root/pki/ca.crt
		;;
	esac
	case $mode in
	basic|token|basic-http|token-http)
		REGISTRY_USER=tester
		REGISTRY_PASS=$(_reg_random_hex 12)
		(umask 077 && printf '%s\n' "$REGISTRY_PASS" >"$dir/password")
		;;
	esac
	if test "$mode" = basic || test "$mode" = basic-http; then
		htpasswd -Bbn "$REGISTRY_USER" "$REGISTRY_PASS" >"$dir/htpasswd" 2>"$dir/htpasswd.err" || {
			cat "$dir/htpasswd.err" >&2
			_reg_fail "htpasswd failed"
			return 1
		}
	fi
	if test "$mode" = token || test "$mode" = token-http; then
		TOKEN_SERVICE=manifold-test-registry
		TOKEN_ISSUER=manifold-test-token-issuer
		test "$mode" = token-http && token_opts+=(--no-tls)
		_reg_start_token_server "$dir" ${token_opts[@]+"${token_opts[@]}"} ||
			{ _reg_fail "no token server"; return 1; }
	fi

	want=200
	case $mode in basic|token|basic-http|token-http) want=401 ;; esac
	for attempt in $(seq 20); do
		port=$((20000 + RANDOM % 12000))
		REGISTRY=127.0.0.1:$port
		if test -z "$REGISTRY_CA"; then
			REGISTRY_URL=http://$REGISTRY
		else
			REGISTRY_URL=https://$REGISTRY
		fi
		_reg_write_config "$dir" "$port"
		: >"$dir/registry.log"
		# distribution reads REGISTRY_* variables as configuration: ours
		# (REGISTRY_LOG, ...) must not reach it.
		_reg_spawn "$name" "$REGISTRY_LOG" "$dir/registry.log" \
			env $(compgen -e | sed -n 's/^REGISTRY_.*/-u &/p') \
			docker-registry serve "$dir/config.yml"
		_reg_wait_up "$dir" "$_reg_pid" "$want"
		rc=$?
		test $rc = 2 || break
		wait "$_reg_pid" 2>/dev/null || true
		echo "$(date +%T) port $port taken, retrying" >>"$dir/start.log"
	done
	if test $rc != 0; then
		stop_registry "$name"
		_reg_fail "the $mode registry did not come up (see above)"
		return 1
	fi
	: >"$REGISTRY_LOG"

	if test -n "$REGISTRY_CA"; then
		mkdir -p "$DOCKER_CONFIG/certs.d/$REGISTRY" "$DOCKER_CONFIG/certs.d/localhost:$port" &&
		cp "$REGISTRY_CA" "$DOCKER_CONFIG/certs.d/$REGISTRY/ca.crt" &&
		cp "$REGISTRY_CA" "$DOCKER_CONFIG/certs.d/localhost:$port/ca.crt" || return 1
	fi
	_reg_save_env "$dir"
	export REGISTRY REGISTRY_URL REGISTRY_MODE REGISTRY_NAME REGISTRY_CA \
		REGISTRY_USER REGISTRY_PASS REGISTRY_LOG REGISTRY_ERRLOG REGISTRY_DIR \
		TOKEN_URL TOKEN_SERVICE TOKEN_ISSUER TOKEN_LOG
}

registry_env() {
	local dir=$_reg_root/${1:?registry_env NAME}
	if ! test -f "$dir/env"; then
		_reg_err "no registry named $1"
		return 1
	fi
	. "$dir/env"
	export REGISTRY REGISTRY_URL REGISTRY_MODE REGISTRY_NAME REGISTRY_CA \
		REGISTRY_USER REGISTRY_PASS REGISTRY_LOG REGISTRY_ERRLOG REGISTRY_DIR \
		TOKEN_URL TOKEN_SERVICE TOKEN_ISSUER TOKEN_LOG
}

_reg_need() {
	if test -z "${REGISTRY:-}"; then
		_reg_err "$1: no current registry (start_registry first)"
		return 1
	fi
}

# registry_token [--anon] SCOPE...: a token from the current token server.
registry_token() {
	local anon= q s out tok
	local -a auth=()
	_reg_need registry_token || return 1
	if test "$REGISTRY_MODE" != token && test "$REGISTRY_MODE" != token-http; then
		_reg_err "registry_token: $REGISTRY_NAME is a $REGISTRY_MODE registry"
		return 1
	fi
	test "${1:-}" = --anon && { anon=1; shift; }
	q="service=$TOKEN_SERVICE&client_id=lib-registry"
	for s; do
		q="$q&scope=$s"
	done
	test -z "$anon" && auth=(-u "$REGISTRY_USER:$REGISTRY_PASS")
	out=$(curl -sS --fail-with-body --noproxy '*' ${REGISTRY_CA:+--cacert "$REGISTRY_CA"} \
		${auth[@]+"${auth[@]}"} "$TOKEN_URL?$q") || {
		_reg_err "registry_token: the token server refused: $out"
		return 1
	}
	tok=$(printf '%s' "$out" | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
	if test -z "$tok"; then
		_reg_err "registry_token: no token in: $out"
		return 1
	fi
	printf '%s\n' "$tok"
}

# _reg_auth_args [--anon] SCOPE...: the curl options for the current
# registry, in the array _reg_args.
_reg_auth_args() {
	local anon= tok
	test "${1:-}" = --anon && { anon=1; shift; }
	_reg_args=(--noproxy '*' -A lib-registry)
	test -n "$REGISTRY_CA" && _reg_args+=(--cacert "$REGISTRY_CA")
	test -n "$anon" && return 0
	case $REGISTRY_MODE in
	basic|basic-http)
		_reg_args+=(-u "$REGISTRY_USER:$REGISTRY_PASS")
		;;
	token|token-http)
		tok=$(registry_token "$@") || return 1
		_reg_args+=(-H "Authorization: Bearer $tok")
		;;
	esac
}

# The scope a request to URL needs, for the token server.
_reg_scope_of() {
	local path=${1#*://*/}
	path=/${path%%[?#]*}
	case $path in
	/v2/_catalog*) echo 'registry:catalog:*' ;;
	/v2/*/manifests/*|/v2/*/blobs/*|/v2/*/tags/*|/v2/*/referrers/*)
		path=${path#/v2/}
		path=$(printf '%s\n' "$path" | sed -E 's#/(manifests|blobs|tags|referrers)/.*##')
		echo "repository:$path:pull,push,delete"
		;;
	esac
}

registry_curl() {
	local anon= a
	local -a scopes=() _reg_args=()
	_reg_need registry_curl || return 1
	while test $# -gt 0; do
		case $1 in
		--anon) anon=--anon; shift ;;
		--scope) scopes+=("$2"); shift 2 ;;
		*) break ;;
		esac
	done
	if { test "$REGISTRY_MODE" = token || test "$REGISTRY_MODE" = token-http; } &&
	   test ${#scopes[@]} = 0; then
		for a; do
			case $a in
			*/v2/*) scopes+=($(_reg_scope_of "$a")) ;;
			esac
		done
	fi
	_reg_auth_args $anon ${scopes[@]+"${scopes[@]}"} || return 1
	curl "${_reg_args[@]}" "$@"
}

# Wait until the log stops growing: a request's line can be written just
# after the client saw the end of the response.
_reg_settle() {
	local f=$1 a b
	test -f "$f" || return 0
	a=$(stat -c %s "$f")
	while :; do
		sleep 0.03
		b=$(stat -c %s "$f")
		test "$a" = "$b" && return 0
		a=$b
	done
}

# Combined log format: HOST - USER [DATE] "METHOD URI PROTO" STATUS SIZE "REFERER" "AGENT"
registry_requests() {
	local all=
	test "${1:-}" = --all && all=1
	_reg_need registry_requests || return 1
	_reg_settle "$REGISTRY_LOG"
	if test -n "$all"; then
		cat "$REGISTRY_LOG"
	else
		grep -v '"lib-registry"$' "$REGISTRY_LOG"
	fi | sed -n 's/^[^"]*"\([A-Z]*\) \([^ ]*\) [^"]*" \([0-9]*\) .*/\1 \2 \3/p'
}

# The requests for objects: registry_requests without the lookups of
# referrers (the referrers API, the tag schema's sha256-HEX and cosign's
# sha256-HEX.sig tags, and the tags/list that tells which of those tags
# exist: t7011 and t8010 count those).
registry_object_requests() {
	registry_requests "$@" |
	grep -vE "/referrers/|/manifests/sha256-[0-9a-f]{64}(\\.sig)? |/tags/list"
	return 0
}

registry_request_count() {
	local all=
	test "${1:-}" = --all && { all=--all; shift; }
	registry_requests $all | grep -cE -e "${1:-.}"
	return 0
}

registry_log_reset() {
	_reg_need registry_log_reset || return 1
	_reg_settle "$REGISTRY_LOG"
	: >"$REGISTRY_LOG"
}

token_requests() {
	test -n "${TOKEN_LOG:-}" || { _reg_err "token_requests: not a token registry"; return 1; }
	_reg_settle "$TOKEN_LOG"
	if test "${1:-}" = --all; then
		cat "$TOKEN_LOG"
	else
		grep -v 'client_id=lib-registry' "$TOKEN_LOG"
	fi
	return 0
}

token_request_count() {
	local all=
	test "${1:-}" = --all && { all=--all; shift; }
	token_requests $all | grep -cE -e "${1:-.}"
	return 0
}

token_log_reset() {
	test -n "${TOKEN_LOG:-}" || return 0
	_reg_settle "$TOKEN_LOG"
	: >"$TOKEN_LOG"
}

# The skopeo options to reach the current registry: TLS, CA and creds.
_reg_skopeo_dest() {
	_reg_sk=()
	if test -z "$REGISTRY_CA"; then
		_reg_sk+=(--dest-tls-verify=false)
	else
		_reg_sk+=(--dest-tls-verify=true --dest-cert-dir "$DOCKER_CONFIG/certs.d/$REGISTRY")
	fi
	if test -n "$REGISTRY_USER"; then
		_reg_sk+=(--dest-creds "$REGISTRY_USER:$REGISTRY_PASS")
	else
		_reg_sk+=(--dest-no-creds)
	fi
}

seed_image() {
	local ref=${1:-} repo tag platform= osver= osfeat= format=oci layers=1 seed= layout d want
	local -a py=() _reg_sk=()
	_reg_need seed_image || return 1
	shift || true
	case $ref in
	''|-*) _reg_err "seed_image REPO[:TAG] --platform OS/ARCH[/VARIANT] ..."; return 1 ;;
	esac
	repo=${ref%%:*} tag=latest
	case $ref in *:*) tag=${ref#*:} ;; esac
	while test $# -gt 0; do
		case $1 in
		--platform) platform=$2; shift 2 ;;
		--os-version) osver=$2; shift 2 ;;
		--os-features) osfeat=$2; shift 2 ;;
		--format) format=$2; shift 2 ;;
		--layers) layers=$2; shift 2 ;;
		--seed) seed=$2; shift 2 ;;
		*) _reg_err "seed_image: unknown option $1"; return 1 ;;
		esac
	done
	test -n "$platform" || { _reg_err "seed_image: --platform is required"; return 1; }
	case $format in
	oci|docker) ;;
	*) _reg_err "seed_image: --format oci or docker"; return 1 ;;
	esac
	py=(--platform "$platform" --layers "$layers")
	test -n "$osver" && py+=(--os-version "$osver")
	test -n "$osfeat" && py+=(--os-features "$osfeat")
	test -n "$seed" && py+=(--seed "$seed")
	layout=$(mktemp -d "$_reg_root/seed.XXXXXX") || return 1
	# The layout always holds an OCI manifest (skopeo's oci: transport
	# finds no other); skopeo converts it for --format docker.
	want=$("$REGISTRY_PYTHON" "$REGISTRY_HARNESS/seed.py" image --layout "$layout" \
		--ref img --format oci "${py[@]}") || { rm -rf "$layout"; return 1; }
	_reg_skopeo_dest
	if test "$format" = oci; then
		_reg_sk+=(--format oci --preserve-digests)
	else
		_reg_sk+=(--format v2s2)
	fi
	if ! skopeo copy -q --retry-times 2 "${_reg_sk[@]}" --digestfile "$layout/digest" \
		"oci:$layout:img" "docker://$REGISTRY/$repo:$tag" >"$layout/skopeo.out" 2>&1; then
		_reg_err "seed_image: skopeo copy to $REGISTRY/$repo:$tag failed:"
		cat "$layout/skopeo.out" >&2
		rm -rf "$layout"
		return 1
	fi
	d=$(cat "$layout/digest")
	rm -rf "$layout"
	if test "$format" = oci && test "$d" != "$want"; then
		_reg_err "seed_image: skopeo pushed $d, not the $want it was given"
		return 1
	fi
	printf '%s\n' "$d"
}

_reg_accept="Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"

seed_index() {
	local ref=${1:-} repo tag format= dir child crepo cref i=0 cfg ctype digest status put
	local -a specs=() _reg_args=()
	_reg_need seed_index || return 1
	shift || true
	case $ref in
	''|-*) _reg_err "seed_index REPO[:TAG] [--format oci|docker] CHILD..."; return 1 ;;
	esac
	repo=${ref%%:*} tag=latest
	case $ref in *:*) tag=${ref#*:} ;; esac
	case ${1:-} in
	--format) format=$2; shift 2 ;;
	--format=*) format=${1#--format=}; shift ;;
	esac
	test $# -gt 0 || { _reg_err "seed_index: no children"; return 1; }
	_reg_auth_args "repository:$repo:pull,push" || return 1
	dir=$(mktemp -d "$_reg_root/index.XXXXXX") || return 1
	for child; do
		i=$((i + 1))
		case $child in
		*@*) crepo=${child%%@*} cref=${child#*@} ;;
		*:*) crepo=${child%%:*} cref=${child#*:} ;;
		*) crepo=$repo cref=$child ;;
		esac
		test -n "$crepo" || crepo=$repo
		if test "$crepo" != "$repo"; then
			_reg_err "seed_index: $child is not in $repo (the registry wants an index's children in its own repository)"
			rm -rf "$dir"
			return 1
		fi
		status=$(curl -sS "${_reg_args[@]}" -H "$_reg_accept" -o "$dir/m$(printf %03d $i)" \
			-w '%{http_code} %{content_type}' "$REGISTRY_URL/v2/$repo/manifests/$cref")
		ctype=${status#* } ctype=${ctype%%;*}
		if test "${status%% *}" != 200; then
			_reg_err "seed_index: GET $repo manifest $cref: ${status%% *}"
			rm -rf "$dir"
			return 1
		fi
		test -z "$format" && case $ctype in
			application/vnd.docker.*) format=docker ;;
			*) format=oci ;;
		esac
	done
	# Then each image's config, for its platform.
	"$REGISTRY_PYTHON" "$REGISTRY_HARNESS/seed.py" config-digests "$dir"/m* >"$dir/configs" ||
		{ rm -rf "$dir"; return 1; }
	i=0
	while read -r cfg; do
		i=$((i + 1))
		if test "$cfg" = -; then
			specs+=("$dir/m$(printf %03d $i)")
			continue
		fi
		curl -sSfL "${_reg_args[@]}" -o "$dir/c$i" "$REGISTRY_URL/v2/$repo/blobs/$cfg" || {
			_reg_err "seed_index: GET $repo blob $cfg failed"
			rm -rf "$dir"
			return 1
		}
		specs+=("$dir/m$(printf %03d $i)=$dir/c$i")
	done <"$dir/configs"
	"$REGISTRY_PYTHON" "$REGISTRY_HARNESS/seed.py" index --format "$format" "${specs[@]}" \
		>"$dir/index" || { rm -rf "$dir"; return 1; }
	if test "$format" = docker; then
		ctype=application/vnd.docker.distribution.manifest.list.v2+json
	else
		ctype=application/vnd.oci.image.index.v1+json
	fi
	digest=sha256:$(sha256sum <"$dir/index" | cut -d' ' -f1)
	put=$(curl -sS "${_reg_args[@]}" -X PUT -H "Content-Type: $ctype" \
		--data-binary "@$dir/index" -o "$dir/put.out" -D "$dir/put.h" -w '%{http_code}' \
		"$REGISTRY_URL/v2/$repo/manifests/$tag")
	if test "$put" != 201; then
		_reg_err "seed_index: PUT $repo:$tag answered $put:"
		cat "$dir/put.out" >&2
		rm -rf "$dir"
		return 1
	fi
	if ! grep -qi "^docker-content-digest: $digest" "$dir/put.h"; then
		_reg_err "seed_index: the registry's digest is not $digest:"
		cat "$dir/put.h" >&2
		rm -rf "$dir"
		return 1
	fi
	rm -rf "$dir"
	printf '%s\n' "$digest"
}

# registry_skopeo [--anon] CMD ARGS...: skopeo CMD (inspect, list-tags,
# delete) with the current registry's TLS, CA and credentials options.
registry_skopeo() {
	local anon= cmd
	local -a o=()
	_reg_need registry_skopeo || return 1
	test "${1:-}" = --anon && { anon=1; shift; }
	cmd=${1:?registry_skopeo CMD ARGS...}
	shift
	if test -z "$REGISTRY_CA"; then
		o+=(--tls-verify=false)
	else
		o+=(--tls-verify=true --cert-dir "$DOCKER_CONFIG/certs.d/$REGISTRY")
	fi
	if test -n "$REGISTRY_USER" && test -z "$anon"; then
		o+=(--creds "$REGISTRY_USER:$REGISTRY_PASS")
	else
		o+=(--no-creds)
	fi
	skopeo "$cmd" "${o[@]}" "$@"
}

# registry_write_auth [KEY]: store the current registry's credentials in
# $DOCKER_CONFIG/config.json under KEY (default: $REGISTRY), as
# `docker login` does without a credential store.
registry_write_auth() {
	_reg_need registry_write_auth || return 1
	if test -z "$REGISTRY_USER"; then
		_reg_err "registry_write_auth: $REGISTRY_NAME has no credentials"
		return 1
	fi
	"$REGISTRY_PYTHON" - "$DOCKER_CONFIG/config.json" "${1:-$REGISTRY}" \
		"$REGISTRY_USER:$REGISTRY_PASS" <<-\EOF
	import base64, json, os, sys
	path, key, cred = sys.argv[1:4]
	try:
	    with open(path) as f:
	        cfg = json.load(f)
	except FileNotFoundError:
	    cfg = {}
	cfg.setdefault("auths", {})[key] = {"auth": base64.b64encode(cred.encode()).decode()}
	with open(path + ".tmp", "w") as f:
	    json.dump(cfg, f, indent="\t")
	os.rename(path + ".tmp", path)
	EOF
}
