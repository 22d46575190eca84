# lib-fetch.sh: fetch-manifest and ls-remote against a real registry, in
# the mode the including test names: MODE=plain|tls|basic|token.
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

start_registry "$MODE"
# The images live under public/ so that token mode's anonymous pulls
# may read them; private/ needs credentials in the auth modes.
AMD=$(seed_image public/app:amd64 --platform linux/amd64 --format docker --layers 2)
ARM=$(seed_image public/app:arm64 --platform linux/arm64/v8 --format docker)
OCI=$(seed_image public/oci:1 --platform linux/arm/v7 --format oci)
LIST=$(seed_index public/app:v1 :amd64 :arm64)
PRIV=$(seed_image private/x:1 --platform linux/amd64)
R=$REGISTRY

# Credentials as docker keeps them (config.json "auths"), for auth modes.
login_config() {
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" \
		"$(printf '%s:%s' "$REGISTRY_USER" "${1:-$REGISTRY_PASS}" | base64 -w0)" \
		>"$DOCKER_CONFIG/config.json"
}
logout_config() {
	echo '{}' >"$DOCKER_CONFIG/config.json"
}
case $MODE in
basic) login_config ;;
esac

raw() {
	registry_curl -s -H "Accept: $IDX, $OCI_MANIFEST, $DOCKER_LIST, $DOCKER_MANIFEST" \
		"$REGISTRY_URL/v2/$1/manifests/$2"
}

test_expect_success "[$MODE] fetch by tag stores the exact bytes the registry holds" '
	manifold fetch-manifest $R/public/app:amd64 >out &&
	echo "$AMD" >expect && test_cmp expect out &&
	raw public/app amd64 >want &&
	manifold cat-manifest "$AMD" >got &&
	cmp want got &&
	manifold cat-manifest -t "$AMD" >type &&
	echo "$DOCKER_MANIFEST" >expect && test_cmp expect type
'

test_expect_success "[$MODE] an image manifest brings its config" '
	cfg=$(manifold cat-manifest "$AMD" |
		python3 -c "import json,sys; print(json.load(sys.stdin)[\"config\"][\"digest\"])") &&
	manifold cat-manifest -e "$cfg" &&
	manifold cat-manifest "$cfg" | python3 -c "import json,sys; c=json.load(sys.stdin); assert c[\"architecture\"]==\"amd64\", c"
'

test_expect_success "[$MODE] fetch by digest, OCI media type" '
	manifold fetch-manifest $R/public/oci@$OCI >out &&
	echo "$OCI" >expect && test_cmp expect out &&
	manifold cat-manifest -t "$OCI" >type &&
	echo "$OCI_MANIFEST" >expect && test_cmp expect type
'

test_expect_success "[$MODE] fetch a list, then one platform of it" '
	manifold fetch-manifest $R/public/app:v1 >out &&
	echo "$LIST" >expect && test_cmp expect out &&
	manifold cat-manifest -t "$LIST" >type &&
	echo "$DOCKER_LIST" >expect && test_cmp expect type &&
	manifold fetch-manifest --platform linux/arm64 $R/public/app:v1 >out &&
	echo "$ARM" >expect && test_cmp expect out &&
	manifold fetch-manifest --platform linux/aarch64/v8 $R/public/app:v1 >out &&
	test_cmp expect out
'

test_expect_success "[$MODE] a platform the list lacks is one clear error, store unchanged" '
	store_snapshot >before &&
	test_must_fail --code=128 manifold fetch-manifest --platform linux/s390x $R/public/app:v1 2>err &&
	test_stderr_line "has no manifest for linux/s390x" err &&
	store_snapshot >after && test_cmp before after
'

test_expect_success "[$MODE] --recursive brings every child and config" '
	export MANIFOLD_DIR=$TRASH/rec &&
	manifold fetch-manifest -r $R/public/app:v1 >out &&
	echo "$LIST" >expect && test_cmp expect out &&
	manifold cat-manifest -e "$AMD" && manifold cat-manifest -e "$ARM" &&
	manifold cat-manifest --batch-check --batch-all-objects >all &&
	test_line_count = 5 all &&
	manifold fsck
'

test_expect_success "[$MODE] a missing tag: exit 128, says not found, store unchanged" '
	store_snapshot >before &&
	test_must_fail --code=128 manifold fetch-manifest $R/public/app:nope 2>err &&
	test_stderr_line "not found" err &&
	store_snapshot >after && test_cmp before after
'

test_expect_success "[$MODE] a malformed reference: docker wording, nothing sent" '
	registry_log_reset &&
	test_must_fail --code=128 manifold fetch-manifest "$R/Public/App:v1" 2>err &&
	test_stderr_line "invalid reference format" err &&
	test "$(registry_request_count)" = 0
'

test_expect_success "[$MODE] several references: all fetched, one connection, one transaction" '
	registry_log_reset &&
	MANIFOLD_DIR=$TRASH/multi manifold fetch-manifest $R/public/app:amd64 $R/public/app:arm64 >out &&
	printf "%s\n%s\n" "$AMD" "$ARM" >expect && test_cmp expect out &&
	# (referrer lookups aside: the referrers API once, the two tags of each
	# node, sha256-HEX and sha256-HEX.sig: t7011 counts them)
	n=$(registry_object_requests | grep -c .) &&
	case $MODE in plain|tls) test $n = 4 ;; *) test $n -le 5 ;; esac
'

test_expect_success "[$MODE] several references, one missing: nothing stored at all" '
	test_must_fail --code=128 env MANIFOLD_DIR=$TRASH/multi2 manifold fetch-manifest \
		$R/public/app:amd64 $R/public/app:nope 2>err &&
	test_stderr_line "not found" err &&
	! test -e "$TRASH/multi2/data.mdb"
'

test_expect_success "[$MODE] ls-remote lists tags with their digests" '
	manifold ls-remote $R/public/app >out &&
	printf "%s\tamd64\n%s\tarm64\n%s\tv1\n" "$AMD" "$ARM" "$LIST" | sort -k2 >expect &&
	sort -k2 out >got && test_cmp expect got &&
	manifold ls-remote --tags-only $R/public/app v1 >out &&
	echo v1 >expect && test_cmp expect out &&
	test_expect_code 2 manifold ls-remote --exit-code $R/public/app nope >out &&
	test_line_count = 0 out
'

test_expect_success "[$MODE] the connection is reused and the auth flow is short" '
	registry_log_reset &&
	MANIFOLD_DIR=$TRASH/count manifold fetch-manifest -r $R/public/app:v1 >/dev/null &&
	n=$(registry_object_requests | grep -c .) &&
	echo "requests: $n" &&
	# 1 list + 2 manifests + 2 configs, plus one 401 challenge in auth modes
	case $MODE in plain|tls) test $n = 5 ;; *) test $n -le 6 ;; esac
'

test_expect_success "[$MODE] trace shows requests and never a secret" '
	MANIFOLD_TRACE=1 MANIFOLD_DIR=$TRASH/tracestore manifold fetch-manifest $R/public/app:amd64 2>trace >/dev/null &&
	test_grep "> GET .*/v2/public/app/manifests/amd64" trace &&
	test_grep "< 200" trace &&
	if test -n "$REGISTRY_PASS"; then ! grep -F "$REGISTRY_PASS" trace; fi &&
	! grep -i "authorization" trace
'

case $MODE in
plain)
test_expect_success "[plain] plain HTTP is used on loopback without --insecure" '
	MANIFOLD_DIR=$TRASH/plain manifold --debug fetch-manifest $R/public/oci:1 >out 2>trace &&
	echo "$OCI" >expect && test_cmp expect out &&
	test_grep "does not speak TLS: using plain HTTP" trace
'
;;
tls|basic|token)
test_expect_success "[$MODE] TLS without the CA is refused with a clear error" '
	store_snapshot >before &&
	test_must_fail --code=128 env DOCKER_CONFIG=$TRASH/nocerts manifold fetch-manifest $R/public/app:amd64 2>err &&
	test_stderr_line "certificate .* not trusted" err &&
	store_snapshot >after && test_cmp before after
'
;;
esac

case $MODE in
tls)
test_expect_success "[tls] --insecure accepts an unverified certificate" '
	env DOCKER_CONFIG=$TRASH/nocerts MANIFOLD_DIR=$TRASH/insec manifold fetch-manifest --insecure $R/public/app:amd64 >out &&
	echo "$AMD" >expect && test_cmp expect out
'
;;
basic)
test_expect_success "[basic] no credentials: one clear line, store unchanged" '
	logout_config && test_when_finished login_config &&
	store_snapshot >before &&
	test_must_fail --code=128 manifold fetch-manifest $R/private/x:1 2>err &&
	test_stderr_line "requires authentication|access denied|no credentials" err &&
	store_snapshot >after && test_cmp before after
'
test_expect_success "[basic] a wrong password is refused" '
	login_config wrong && test_when_finished login_config &&
	test_must_fail --code=128 manifold fetch-manifest $R/private/x:1 2>err &&
	test_stderr_line "access denied|authentication" err &&
	! grep -F wrong err
'
test_expect_success "[basic] with credentials, private images fetch" '
	manifold fetch-manifest $R/private/x:1 >out &&
	echo "$PRIV" >expect && test_cmp expect out
'
;;
token)
test_expect_success "[token] anonymous pull of public/ works, private/ is refused" '
	logout_config &&
	MANIFOLD_DIR=$TRASH/anon manifold fetch-manifest $R/public/app:amd64 >out &&
	echo "$AMD" >expect && test_cmp expect out &&
	test_must_fail --code=128 manifold fetch-manifest $R/private/x:1 2>err &&
	test_stderr_line "denied|refused|authentication" err
'
test_expect_success "[token] a wrong password is refused by the token server" '
	login_config wrong && test_when_finished logout_config &&
	test_must_fail --code=128 manifold fetch-manifest $R/private/x:1 2>err &&
	test_stderr_line "authentication to .* failed for user" err &&
	! grep -F wrong err
'
test_expect_success "[token] an identity token is traded through the OAuth2 refresh POST" '
	rt=$(curl -s --cacert "$REGISTRY_CA" -u "$REGISTRY_USER:$REGISTRY_PASS" \
		"$TOKEN_URL?service=$TOKEN_SERVICE&client_id=test&offline_token=true&scope=repository:private/x:pull" |
		python3 -c "import json,sys; print(json.load(sys.stdin)[\"refresh_token\"])") &&
	test -n "$rt" &&
	printf "{\"auths\":{\"%s\":{\"identitytoken\":\"%s\"}}}" "$R" "$rt" >"$DOCKER_CONFIG/config.json" &&
	test_when_finished logout_config &&
	: >"$TOKEN_LOG" &&
	MANIFOLD_TRACE=1 MANIFOLD_DIR=$TRASH/idtok manifold fetch-manifest $R/private/x:1 >out 2>trace &&
	echo "$PRIV" >expect && test_cmp expect out &&
	token_requests >toks &&
	test_grep "^POST .*grant_type=refresh_token.* 200 auth=refresh" toks &&
	! grep -F "$rt" trace
'

test_expect_success "[token] with credentials, a token is fetched once per scope" '
	login_config && test_when_finished logout_config &&
	: >"$TOKEN_LOG" &&
	MANIFOLD_DIR=$TRASH/tok manifold fetch-manifest -r $R/private/x:1 >out &&
	echo "$PRIV" >expect && test_cmp expect out &&
	token_requests >toks &&
	test_line_count = 1 toks
'
;;
esac

test_done
