#!/bin/bash
test_description="podman's credential files: each location, the order they are read in, login/logout --authfile, skopeo's logins"
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

start_registry basic --name basic
seed_image private/x:1 --platform linux/amd64 --seed pa1 >basic-x || exit 1
B=$REGISTRY
start_registry token --name token
seed_image private/x:1 --platform linux/amd64 --seed pa2 >token-x || exit 1
seed_image private/y:1 --platform linux/amd64 --seed pa3 >token-y || exit 1
T=$REGISTRY
registry_env basic

CFG=$DOCKER_CONFIG/config.json
RUN_AUTH=$XDG_RUNTIME_DIR/containers/auth.json
CFG_AUTH=$XDG_CONFIG_HOME/containers/auth.json
AUTHFILE=$TRASH/elsewhere/my-auth.json

# auth_entry FILE KEY USER PASS: podman's format, written as it writes it.
auth_entry() {
	mkdir -p "$(dirname "$1")" &&
	python3 - "$@" <<-\EOF
	import base64, json, os, sys
	path, key, user, pw = sys.argv[1:5]
	try:
	    with open(path) as f:
	        cfg = json.load(f)
	except FileNotFoundError:
	    cfg = {}
	cfg.setdefault("auths", {})[key] = {"auth": base64.b64encode((user + ":" + pw).encode()).decode()}
	with open(path, "w") as f:
	    json.dump(cfg, f, indent="\t")
	EOF
}

# No credentials anywhere.
reset_creds() {
	echo "{}" >"$CFG" &&
	rm -f "$RUN_AUTH" "$CFG_AUTH" "$AUTHFILE" &&
	unset REGISTRY_AUTH_FILE
}

# fetch NAME [ENV...]: fetch private/x:1 of registry NAME into a new store.
fetch_x() {
	local n=$1
	shift
	registry_env "$n" &&
	env MANIFOLD_DIR="$TRASH/store-$RANDOM$RANDOM" "$@" \
		manifold fetch-manifest "$REGISTRY/private/x:1" >fetched &&
	test_cmp "$TRASH/$n-x" fetched
}

test_expect_success 'without credentials, the private image is refused' '
	reset_creds &&
	test_must_fail --code=128 fetch_x basic 2>err &&
	test_grep "login" err
'

test_expect_success 'credentials only in $XDG_RUNTIME_DIR/containers/auth.json' '
	reset_creds &&
	auth_entry "$RUN_AUTH" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	fetch_x basic &&
	rm "$RUN_AUTH" &&
	test_must_fail --code=128 fetch_x basic 2>err
'

test_expect_success 'credentials only in $XDG_CONFIG_HOME/containers/auth.json' '
	reset_creds &&
	auth_entry "$CFG_AUTH" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	fetch_x basic
'

test_expect_success 'credentials only in ~/.config/containers/auth.json' '
	reset_creds &&
	auth_entry "$TRASH/home/.config/containers/auth.json" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	fetch_x basic HOME="$TRASH/home" XDG_CONFIG_HOME= &&
	test_must_fail --code=128 fetch_x basic 2>err
'

test_expect_success 'credentials only in $REGISTRY_AUTH_FILE' '
	reset_creds &&
	auth_entry "$AUTHFILE" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	fetch_x basic REGISTRY_AUTH_FILE="$AUTHFILE" &&
	test_must_fail --code=128 fetch_x basic 2>err
'

test_expect_success 'credentials in a URL key, as docker writes it' '
	reset_creds &&
	auth_entry "$RUN_AUTH" "https://$B/v1/" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	fetch_x basic
'

# The first file with an entry wins, right or wrong.
test_expect_success 'precedence: $REGISTRY_AUTH_FILE, then $XDG_RUNTIME_DIR, then ~/.config, then docker' '
	reset_creds &&
	registry_env basic &&
	auth_entry "$AUTHFILE" "$B" "$REGISTRY_USER" "wrong-1" &&
	auth_entry "$RUN_AUTH" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	auth_entry "$CFG_AUTH" "$B" "$REGISTRY_USER" "wrong-3" &&
	auth_entry "$CFG" "$B" "$REGISTRY_USER" "wrong-4" &&
	test_must_fail --code=128 fetch_x basic REGISTRY_AUTH_FILE="$AUTHFILE" 2>err &&
	test_grep -i "denied\|auth" err &&
	fetch_x basic &&
	auth_entry "$RUN_AUTH" "$B" "$REGISTRY_USER" "wrong-2" &&
	auth_entry "$CFG_AUTH" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	test_must_fail --code=128 fetch_x basic 2>err &&
	rm "$RUN_AUTH" &&
	fetch_x basic &&
	auth_entry "$CFG_AUTH" "$B" "$REGISTRY_USER" "wrong-3" &&
	auth_entry "$CFG" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	test_must_fail --code=128 fetch_x basic 2>err &&
	rm "$CFG_AUTH" &&
	fetch_x basic &&
	! grep -F "$REGISTRY_PASS" err
'

test_expect_success 'a file without an entry for the registry passes the question on' '
	reset_creds &&
	auth_entry "$RUN_AUTH" "other.example" "someone" "else" &&
	auth_entry "$CFG" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	fetch_x basic
'

test_expect_success 'a malformed auth file is an error naming it' '
	reset_creds &&
	mkdir -p "$(dirname "$RUN_AUTH")" &&
	echo "{\"auths\": [" >"$RUN_AUTH" &&
	test_must_fail --code=128 fetch_x basic 2>err &&
	test_stderr_line "invalid auth file .*xdg-runtime" err
'

test_expect_success 'login --authfile writes there (0600, podman keys), and only there' '
	reset_creds &&
	registry_env basic &&
	echo "$REGISTRY_PASS" |
	manifold login --authfile "$AUTHFILE" -u "$REGISTRY_USER" --password-stdin "$B" >out &&
	echo "Login Succeeded" >expect && test_cmp expect out &&
	test "$(stat -c %a "$AUTHFILE")" = 600 &&
	want=$(printf "%s:%s" "$REGISTRY_USER" "$REGISTRY_PASS" | base64 -w0) &&
	python3 -c "import json,sys; a=json.load(open(sys.argv[1]))[\"auths\"]; assert a=={sys.argv[2]:{\"auth\":sys.argv[3]}}, a" \
		"$AUTHFILE" "$B" "$want" &&
	echo "{}" >expect && test_cmp expect "$CFG" &&
	! test -e "$RUN_AUTH" &&
	ls -A "$(dirname "$AUTHFILE")" >files &&
	echo my-auth.json >expect && test_cmp expect files &&
	test_must_fail --code=128 fetch_x basic 2>err &&
	fetch_x basic REGISTRY_AUTH_FILE="$AUTHFILE"
'

test_expect_success 'logout --authfile removes it there, and only there' '
	registry_env basic &&
	auth_entry "$CFG" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	cp "$CFG" cfg.before &&
	manifold logout --authfile "$AUTHFILE" "$B" >out &&
	echo "Removing login credentials for $B" >expect && test_cmp expect out &&
	python3 -c "import json,sys; a=json.load(open(sys.argv[1]))[\"auths\"]; assert a=={}, a" "$AUTHFILE" &&
	test "$(stat -c %a "$AUTHFILE")" = 600 &&
	test_cmp cfg.before "$CFG" &&
	manifold logout --authfile "$AUTHFILE" "$B" >out &&
	echo "Not logged in to $B" >expect && test_cmp expect out
'

test_expect_success 'login with $REGISTRY_AUTH_FILE set writes there' '
	reset_creds &&
	registry_env basic &&
	echo "$REGISTRY_PASS" | REGISTRY_AUTH_FILE=$AUTHFILE \
		manifold login -u "$REGISTRY_USER" --password-stdin "$B" >out &&
	echo "{}" >expect && test_cmp expect "$CFG" &&
	fetch_x basic REGISTRY_AUTH_FILE="$AUTHFILE"
'

test_expect_success 'logout without --authfile leaves no credentials in any file' '
	reset_creds &&
	registry_env basic &&
	auth_entry "$AUTHFILE" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	auth_entry "$RUN_AUTH" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	auth_entry "$CFG_AUTH" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	auth_entry "$CFG" "$B" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	auth_entry "$CFG" "keep.example" "someone" "else" &&
	REGISTRY_AUTH_FILE=$AUTHFILE manifold logout "$B" >out &&
	echo "Removing login credentials for $B" >expect && test_cmp expect out &&
	test_must_fail --code=128 fetch_x basic REGISTRY_AUTH_FILE="$AUTHFILE" 2>err &&
	for f in "$AUTHFILE" "$RUN_AUTH" "$CFG_AUTH" "$CFG"; do
		! grep -F "$B" "$f" || return 1
	done &&
	grep -F keep.example "$CFG"
'

test_expect_success 'token: an entry for one repository serves that repository only' '
	reset_creds &&
	registry_env token &&
	auth_entry "$CFG_AUTH" "$T/private/x" "$REGISTRY_USER" "$REGISTRY_PASS" &&
	token_log_reset &&
	fetch_x token &&
	test "$(token_request_count "scope=repository:private/x:pull .* auth=basic user=$REGISTRY_USER ")" -ge 1 &&
	test_must_fail --code=128 env MANIFOLD_DIR=$TRASH/store-y \
		manifold fetch-manifest "$T/private/y:1" 2>err &&
	auth_entry "$CFG_AUTH" "$T" "$REGISTRY_USER" "wrong" &&
	fetch_x token &&
	test_must_fail --code=128 env MANIFOLD_DIR=$TRASH/store-y2 \
		manifold fetch-manifest "$T/private/y:1" 2>err &&
	test_grep "failed for user" err
'

test_expect_success 'skopeo login (containers/image) is used; manifold login --authfile serves skopeo' '
	reset_creds &&
	registry_env basic &&
	cp -R "$DOCKER_CONFIG/certs.d" skopeo-certs &&
	echo "$REGISTRY_PASS" | env -u DOCKER_CONFIG HOME="$TRASH/skopeo-home" \
		skopeo login --cert-dir "skopeo-certs/$B" \
		-u "$REGISTRY_USER" --password-stdin "$B" >out 2>err &&
	test -s "$RUN_AUTH" &&
	echo "{}" >expect && test_cmp expect "$CFG" &&
	fetch_x basic &&
	reset_creds &&
	echo "$REGISTRY_PASS" |
	manifold login --authfile "$AUTHFILE" -u "$REGISTRY_USER" --password-stdin "$B" >out &&
	skopeo inspect --raw --authfile "$AUTHFILE" --cert-dir "$DOCKER_CONFIG/certs.d/$B" \
		"docker://$B/private/x:1" >raw &&
	test -s raw &&
	test_must_fail skopeo inspect --raw --authfile "$TRASH/none.json" \
		--cert-dir "$DOCKER_CONFIG/certs.d/$B" "docker://$B/private/x:1" >raw 2>err
'

test_done
