#!/bin/bash
test_description='fetch: a remote list and its images into the store, as a local list'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"

porcelain_setup

# What fetch prints for REMOTE at DIGEST holding N manifests: one line,
# "Created manifest list LIST" when it made or moved the local list
# LIST; with no LIST, the list (named as REMOTE) was left alone.
fetched() {
	if test -n "${4:-}"; then
		echo "Created manifest list $4"
	else
		echo "Manifest list $1 is up to date"
	fi
}

# The exact bytes the registry holds for REPO REF.
raw() {
	registry_curl -s -H "Accept: $IDX, $OCI_MANIFEST, $DOCKER_LIST, $DOCKER_MANIFEST" \
		"$REGISTRY_URL/v2/$1/manifests/$2"
}

# The digest a ref points at.
ref_of() {
	manifold show-ref -s "$1"
}

test_expect_success 'fetch by tag: the list, its images and configs; remotes/ and lists/ recorded' '
	registry_log_reset &&
	manifold fetch "$APP:index" >out 2>err &&
	fetched "$APP:index" "${D[index]}" 2 "$APP:index" >expect &&
	test_cmp expect out && test ! -s err &&
	echo "${D[index]}" >expect &&
	ref_of "remotes/$APP:index" >actual && test_cmp expect actual &&
	ref_of "lists/$APP:index" >actual && test_cmp expect actual &&
	manifold cat-manifest -e "${D[amd64-oci]}" &&
	manifold cat-manifest -e "${D[arm64-oci]}" &&
	manifold cat-manifest --batch-check --batch-all-objects >all &&
	test_line_count = 5 all &&
	manifold fsck
'

test_expect_success 'each object is fetched once: 5 GETs, nothing else but the referrer lookups' '
	registry_requests >all &&
	registry_object_requests >reqs &&
	test_line_count = 5 reqs &&
	# the referrers API once (404), then the tags of the repository once,
	# which name no referrer tag: none is asked for
	test_line_count = 7 all &&
	test "$(grep -c "/referrers/" all)" = 1 &&
	test "$(grep -c "/tags/list" all)" = 1 &&
	! grep -v "^GET " reqs &&
	test "$(registry_request_count "^GET /v2/library/app/manifests/index ")" = 1 &&
	test "$(registry_request_count "^GET /v2/library/app/manifests/${D[amd64-oci]} ")" = 1 &&
	test "$(registry_request_count "^GET /v2/library/app/manifests/${D[arm64-oci]} ")" = 1 &&
	test "$(registry_request_count "^GET /v2/library/app/blobs/")" = 2
'

# The client ports of manifold's requests, from the registry's own log.
client_ports() {
	registry_requests >/dev/null &&	# lets the logs settle
	grep "useragent=manifold" "$REGISTRY_ERRLOG" |
		grep -o "remoteaddr=\"127\.0\.0\.1:[0-9]*\"" | sort -u
}

test_expect_success 'one connection for the whole fetch' '
	: >"$REGISTRY_ERRLOG" &&
	MANIFOLD_DIR=$TRASH/conn manifold fetch "$APP:index" >/dev/null &&
	# 5 objects, and the tags of the repository (referrer tags listed)
	grep "useragent=manifold.*response.status=200" "$REGISTRY_ERRLOG" >ok200 &&
	test "$(grep -c "tags/list" ok200)" = 1 &&
	test "$(grep -vc "tags/list" ok200)" = 5 &&
	client_ports >ports &&
	test_line_count = 1 ports
'

test_expect_success 'the local list is the exact remote bytes, readable offline' '
	raw library/app index >want &&
	manifold cat-manifest "$APP:index" >got &&
	cmp want got &&
	manifold cat-manifest -p "$APP:index" >pretty &&
	manifold cat-manifest -p "${D[index]}" >expect &&
	test_cmp expect pretty &&
	echo "${D[arm64-oci]}" >expect &&
	manifold rev-parse "$APP:index:linux/arm64" >actual &&
	test_cmp expect actual
'

test_expect_success 'the store knows where the images live (show-ref, sources)' '
	manifold show-ref >refs &&
	test_grep "^${D[index]} remotes/$APP:index$" refs &&
	test_grep "^${D[index]} lists/$APP:index$" refs &&
	test_line_count = 2 refs
'

test_expect_success 're-fetching an identical list changes nothing and logs nothing' '
	store_snapshot >before &&
	manifold fetch "$APP:index" >out &&
	fetched "$APP:index" "${D[index]}" 2 >expect &&
	test_cmp expect out &&
	store_snapshot >after && test_cmp before after &&
	manifold reflog "lists/$APP:index" >log &&
	test_line_count = 1 log
'

test_expect_success 'fetch by digest; a Docker list; the reflog says what made it' '
	export MANIFOLD_DIR=$TRASH/bydigest &&
	manifold fetch "$R/library/app@${D[list]}" >out &&
	fetched "$APP@${D[list]}" "${D[list]}" 2 "$APP@${D[list]}" >expect &&
	test_cmp expect out &&
	echo "${D[list]}" >expect &&
	ref_of "lists/$APP@${D[list]}" >actual && test_cmp expect actual &&
	ref_of "remotes/$APP@${D[list]}" >actual && test_cmp expect actual &&
	manifold cat-manifest -t "$APP@${D[list]}" >type &&
	echo "$DOCKER_LIST" >expect && test_cmp expect type &&
	manifold reflog "lists/$APP@${D[list]}" >log &&
	test_grep "manifold fetch $R/library/app@${D[list]}$" log
'

test_expect_success 'into a named local list' '
	export MANIFOLD_DIR=$TRASH/named &&
	manifold fetch "$APP:list" mine:v1 >out &&
	fetched "$APP:list" "${D[list]}" 2 "docker.io/library/mine:v1" >expect &&
	test_cmp expect out &&
	echo "${D[list]}" >expect &&
	ref_of lists/docker.io/library/mine:v1 >actual && test_cmp expect actual &&
	ref_of "remotes/$APP:list" >actual && test_cmp expect actual &&
	! manifold show-ref "lists/$APP:list" &&
	raw library/app list >want &&
	manifold cat-manifest mine:v1 >got && cmp want got
'

test_expect_success 'a local list that differs is refused without --force, store unchanged' '
	export MANIFOLD_DIR=$TRASH/named &&
	store_snapshot >before &&
	test_must_fail --code=1 manifold fetch "$APP:index" mine:v1 >out 2>err &&
	test ! -s out &&
	test_stderr_line "^local manifest list docker.io/library/mine:v1 already exists at ${D[list]} and differs from $APP:index; use --force to replace it$" err &&
	store_snapshot >after && test_cmp before after
'

test_expect_success '--force replaces it; the old version stays in the reflog' '
	export MANIFOLD_DIR=$TRASH/named &&
	manifold fetch --force "$APP:index" mine:v1 >out &&
	fetched "$APP:index" "${D[index]}" 2 "docker.io/library/mine:v1" >expect &&
	test_cmp expect out &&
	echo "${D[index]}" >expect &&
	ref_of lists/docker.io/library/mine:v1 >actual && test_cmp expect actual &&
	echo "${D[list]}" >expect &&
	manifold rev-parse "mine:v1@{1}" >actual && test_cmp expect actual
'

test_expect_success '--platform keeps those entries: a new list, every image still fetched' '
	export MANIFOLD_DIR=$TRASH/plat &&
	manifold fetch --platform linux/arm64 "$APP:index" arm >out &&
	id=$(ref_of lists/docker.io/library/arm:latest) &&
	test "$id" != "${D[index]}" &&
	fetched "$APP:index" "${D[index]}" 2 "docker.io/library/arm:latest" >expect &&
	test_cmp expect out &&
	manifold cat-manifest arm | python3 -c "
import json, sys
l = json.load(sys.stdin)
assert l[\"mediaType\"] == \"$IDX\", l
assert [m[\"digest\"] for m in l[\"manifests\"]] == [\"${D[arm64-oci]}\"], l
" &&
	manifold cat-manifest -e "${D[amd64-oci]}" &&
	echo "${D[index]}" >expect &&
	ref_of "remotes/$APP:index" >actual && test_cmp expect actual
'

test_expect_success '--platform twice keeps both, in the remote order' '
	export MANIFOLD_DIR=$TRASH/plat &&
	manifold fetch --platform linux/arm64/v8 --platform linux/amd64 "$APP:list" both >out &&
	manifold cat-manifest both | python3 -c "
import json, sys
l = json.load(sys.stdin)
assert [m[\"digest\"] for m in l[\"manifests\"]] == [\"${D[amd64]}\", \"${D[arm64]}\"], l
" &&
	raw library/app list >want &&
	manifold cat-manifest both >got && cmp want got
'

test_expect_success '--platform the list lacks: one line, nothing stored' '
	store_snapshot >before &&
	test_must_fail --code=1 manifold fetch --platform linux/s390x "$APP:index" s390x 2>err &&
	test_stderr_line "^no manifest for linux/s390x in $APP:index$" err &&
	store_snapshot >after && test_cmp before after
'

test_expect_success 'a single image becomes a one-entry list, platform from its config' '
	export MANIFOLD_DIR=$TRASH/single &&
	manifold fetch "$APP:arm64" >out &&
	id=$(ref_of "lists/$APP:arm64") &&
	fetched "$APP:arm64" "${D[arm64]}" 1 "$APP:arm64" >expect &&
	test_cmp expect out &&
	echo "${D[arm64]}" >expect &&
	ref_of "remotes/$APP:arm64" >actual && test_cmp expect actual &&
	manifold cat-manifest "$id" | python3 -c "
import json, sys
l = json.load(sys.stdin)
assert l[\"mediaType\"] == \"$DOCKER_LIST\", l
m, = l[\"manifests\"]
assert m[\"digest\"] == \"${D[arm64]}\", m
assert m[\"platform\"] == {\"architecture\": \"arm64\", \"os\": \"linux\", \"variant\": \"v8\"}, m
"
'

test_expect_success 'an unknown tag: docker wording, exit 1, nothing stored' '
	export MANIFOLD_DIR=$TRASH/missing &&
	test_must_fail --code=1 manifold fetch "$APP:nope" >out 2>err &&
	test ! -s out &&
	test_stderr_line "^no such manifest: $APP:nope$" err &&
	test_must_fail --code=1 manifold fetch "$R/nosuch/repo" 2>err &&
	test_stderr_line "^no such manifest: $R/nosuch/repo:latest$" err &&
	! test -e "$MANIFOLD_DIR/data.mdb"
'

test_expect_success 'a malformed name: docker wording, nothing sent' '
	registry_log_reset &&
	test_must_fail --code=1 manifold fetch "$R/Library/App" 2>err &&
	test_stderr_line "invalid reference format" err &&
	test_must_fail --code=1 manifold fetch "$APP:index" "Bad/Name" 2>err &&
	test_stderr_line "^error parsing name for manifest list Bad/Name: invalid reference format" err &&
	test_must_fail --code=1 manifold fetch --platform linux "$APP:index" 2>err &&
	test_line_count = 1 err &&
	test "$(registry_request_count)" = 0
'

test_expect_success 'usage: argument count as cobra says it, unknown flag 125' '
	test_must_fail --code=1 manifold fetch 2>err &&
	test_grep "^manifold: .manifold fetch. requires at least 1 and at most 2 arguments$" err &&
	test_must_fail --code=1 manifold fetch a b c 2>err &&
	test_grep "requires at least 1 and at most 2 arguments" err &&
	test_must_fail --code=125 manifold fetch --bogus a 2>err &&
	test_grep "unknown flag: --bogus" err
'

test_expect_success 'a child missing from the registry: fetch fails, store unchanged' '
	export MANIFOLD_DIR=$TRASH/doomed &&
	manifold fetch "$APP:list" keep >/dev/null &&
	gone=$(seed_image library/doomed:x --platform linux/riscv64 --format docker) &&
	here=$(seed_image library/doomed:y --platform linux/amd64 --format docker) &&
	seed_index library/doomed:l --format docker :y :x >/dev/null &&
	registry_curl -sf -X DELETE "$REGISTRY_URL/v2/library/doomed/manifests/$gone" &&
	manifold show-ref >refs.before &&
	manifold cat-manifest --batch-all-objects --batch-check >objs.before &&
	store_snapshot >before &&
	test_must_fail --code=1 manifold fetch "$R/library/doomed:l" 2>err &&
	test_stderr_line "$gone.*not found" err &&
	! grep "no such manifest" err &&
	manifold show-ref >refs.after && test_cmp refs.before refs.after &&
	manifold cat-manifest --batch-all-objects --batch-check >objs.after &&
	test_cmp objs.before objs.after &&
	store_snapshot >after && test_cmp before after &&
	test_must_fail manifold cat-manifest -e "$here"
'

test_expect_success 'the registry down: the transport error, store unchanged' '
	export MANIFOLD_DIR=$TRASH/doomed &&
	store_snapshot >before &&
	stop_registry &&
	test_must_fail --code=1 manifold fetch "$APP:index" 2>err &&
	test_line_count = 1 err &&
	! grep "no such manifest" err &&
	store_snapshot >after && test_cmp before after &&
	manifold cat-manifest -p keep >/dev/null
'

test_done
