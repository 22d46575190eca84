# lib-login.sh: login and logout against a real registry in MODE
# (basic or token): docker's credential store, shared with docker.
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

start_registry "$MODE"
PRIV=$(seed_image private/x:1 --platform linux/amd64)
R=$REGISTRY
CFG=$DOCKER_CONFIG/config.json
HELPER_DIR=$MANIFOLD_SOURCE_DIR/tests/t/fixtures

test_expect_success "[$MODE] login with --password-stdin stores docker's auths entry" '
	echo "$REGISTRY_PASS" | manifold login -u "$REGISTRY_USER" --password-stdin $R >out 2>err &&
	echo "Login Succeeded" >expect && test_cmp expect out &&
	want=$(printf "%s:%s" "$REGISTRY_USER" "$REGISTRY_PASS" | base64 -w0) &&
	python3 -c "import json,sys; c=json.load(open(sys.argv[1])); assert c[\"auths\"][sys.argv[2]][\"auth\"]==sys.argv[3], c" \
		"$CFG" "$R" "$want" &&
	test "$(stat -c %a "$CFG")" = 600 &&
	! grep -F "$REGISTRY_PASS" out err
'

test_expect_success "[$MODE] the stored login is used for private images" '
	manifold fetch-manifest $R/private/x:1 >out &&
	echo "$PRIV" >expect && test_cmp expect out
'

test_expect_success DOCKER "[$MODE] docker reads the login manifold wrote" '
	docker manifest inspect --insecure $R/private/x:1 >docker.out 2>docker.err &&
	test_grep "\"mediaType\"" docker.out
'

test_expect_success "[$MODE] a wrong password: exit 1, one line, nothing stored" '
	cp "$CFG" cfg.before &&
	echo wrongpass | test_must_fail --code=1 manifold login -u "$REGISTRY_USER" --password-stdin $R >out 2>err &&
	test_stderr_line "^Error response from daemon: (login|authentication) to .*(denied|failed)" err &&
	! grep -F wrongpass out err &&
	test_cmp cfg.before "$CFG"
'

test_expect_success "[$MODE] usage: --password-stdin needs -u; no TTY, no prompt" '
	echo x | test_must_fail --code=1 manifold login --password-stdin $R 2>err &&
	test_grep "Must provide --username" err &&
	test_must_fail --code=1 manifold login $R </dev/null 2>err &&
	test_grep "non TTY" err &&
	test_must_fail --code=125 manifold login --bogus $R 2>err
'

test_expect_success "[$MODE] logout removes the entry, and private fetches fail again" '
	manifold logout $R >out &&
	echo "Removing login credentials for $R" >expect && test_cmp expect out &&
	python3 -c "import json,sys; c=json.load(open(sys.argv[1])); assert sys.argv[2] not in c.get(\"auths\",{}), c" "$CFG" "$R" &&
	test_must_fail --code=128 env MANIFOLD_DIR=$TRASH/after manifold fetch-manifest $R/private/x:1 2>err &&
	manifold logout $R >out &&
	echo "Not logged in to $R" >expect && test_cmp expect out
'

test_expect_success "[$MODE] with a credential helper, the secret goes to the helper only" '
	export PATH="$HELPER_DIR:$PATH" MFTEST_CRED_FILE=$TRASH/helper-store &&
	echo "{\"credsStore\":\"mftest\"}" >"$CFG" &&
	echo "$REGISTRY_PASS" | manifold login -u "$REGISTRY_USER" --password-stdin $R >out &&
	echo "Login Succeeded" >expect && test_cmp expect out &&
	! grep -F "$REGISTRY_PASS" "$CFG" &&
	test -s "$MFTEST_CRED_FILE" &&
	MANIFOLD_DIR=$TRASH/viahelper manifold fetch-manifest $R/private/x:1 >out &&
	echo "$PRIV" >expect && test_cmp expect out
'

test_expect_success "[$MODE] a failing helper is one clear error naming it" '
	export PATH="$HELPER_DIR:$PATH" MFTEST_CRED_FILE=$TRASH/helper-store &&
	echo "{\"credsStore\":\"mftest\"}" >"$CFG" &&
	test_must_fail --code=128 env MFTEST_CRED_FAIL=crash MANIFOLD_DIR=$TRASH/fails \
		manifold fetch-manifest $R/private/x:1 2>err &&
	test_stderr_line "mftest" err &&
	! grep -F "$REGISTRY_PASS" err
'

test_done
