#!/bin/bash
test_description='push: the graph walk, sending the registry only what it lacks'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"

# A second registry, for copies between registries; then the main one.
start_registry plain --name far
seed_image far/app:amd64 --format docker --platform linux/amd64 --seed far-amd64 >far-amd64 || exit 1
seed_image far/app:arm64 --format oci --platform linux/arm64/v8 --seed far-arm64 --layers 3 >far-arm64 || exit 1
seed_image far/app:v3 --format docker --platform linux/s390x --seed far-v3 >far-v3 || exit 1
FAR=$REGISTRY
porcelain_setup
LIST_ACCEPT="Accept: application/vnd.docker.distribution.manifest.list.v2+json"
INDEX_ACCEPT="Accept: application/vnd.oci.image.index.v1+json"

# remote_list REPO:TAG -> the bytes the registry serves for it
remote_list() {
	registry_curl -sS -f -H "$LIST_ACCEPT" -H "$INDEX_ACCEPT" \
		"$REGISTRY_URL/v2/${1%%:*}/manifests/${1#*:}"
}

# storage_state: every file of the registry's storage, to prove "unchanged"
storage_state() {
	(cd "$REGISTRY_DIR/storage" && find . -type f | sort)
}

test_expect_success 'a list of the same repository: only existence checks and the tag' '
	manifold create --insecure "$APP:same" "$APP:amd64" "$APP:arm64" >/dev/null &&
	registry_log_reset &&
	manifold push "$APP:same" >out &&
	manifold rev-parse "$APP:same" >expect &&
	test_cmp expect out &&
	registry_requests >reqs &&
	cat >expect <<-EOF &&
	HEAD /v2/library/app/manifests/${D[amd64]} 200
	HEAD /v2/library/app/manifests/${D[arm64]} 200
	PUT /v2/library/app/manifests/same 201
	EOF
	# the entries are checked at once, in any order; the list comes last
	sort reqs >sorted && sort expect >expect.sorted &&
	test_cmp expect.sorted sorted &&
	tail -n 1 reqs | grep "^PUT /v2/library/app/manifests/same 201$" &&
	remote_list library/app:same >got &&
	manifold cat-manifest "$APP:same" >want &&
	test_cmp want got
'

test_expect_success 'an unchanged list pushed again: one request, nothing written' '
	manifold reflog "remotes/$APP:same" >reflog.before &&
	registry_log_reset &&
	manifold push "$APP:same" >out &&
	manifold rev-parse "$APP:same" >expect && test_cmp expect out &&
	test "$(registry_request_count)" = 1 &&
	test "$(manifold rev-parse "remotes/$APP:same")" = "$(manifold rev-parse "$APP:same")" &&
	manifold reflog "remotes/$APP:same" >reflog.after &&
	test_cmp reflog.before reflog.after
'

test_expect_success 'children from other repositories are mounted, then put, then the list' '
	manifold create --insecure "$R/new/app:x" "$R/other/app:amd64" "$R/other/app:riscv64" "$APP:armv7" >/dev/null &&
	registry_log_reset &&
	manifold push "$R/new/app:x" >out &&
	cat >expect <<-EOF &&
	Pushed ref $R/new/app@${D[other-amd64]} with digest: ${D[other-amd64]}
	Pushed ref $R/new/app@${D[other-riscv64]} with digest: ${D[other-riscv64]}
	Pushed ref $R/new/app@${D[armv7]} with digest: ${D[armv7]}
	$(manifold rev-parse "$R/new/app:x")
	EOF
	test_cmp expect out &&
	registry_requests >reqs &&
	test "$(grep -c "^POST /v2/new/app/blobs/uploads/?mount=.* 201$" reqs)" = 6 &&
	test "$(grep -c "^PUT /v2/new/app/manifests/sha256:" reqs)" = 3 &&
	test "$(wc -l <reqs)" = 13 &&
	tail -n 1 reqs | grep "^PUT /v2/new/app/manifests/x 201$" &&
	remote_list new/app:x >got &&
	manifold cat-manifest "$R/new/app:x" >want &&
	test_cmp want got
'

test_expect_success 'a new repository: its tags listed once (404), no child looked for' '
	manifold create --insecure "$R/fresh/app:x" "$APP:amd64" "$APP:arm64" \
		"$APP:armv7" "$APP:s390x" >/dev/null &&
	registry_log_reset &&
	manifold push "$R/fresh/app:x" >out &&
	registry_requests >reqs &&
	test "$(grep -c "^GET /v2/fresh/app/tags/list 404$" reqs)" = 1 &&
	! grep "^HEAD " reqs &&
	test "$(grep -c "^POST /v2/fresh/app/blobs/uploads/?mount=.* 201$" reqs)" = 8 &&
	test "$(grep -c "^PUT /v2/fresh/app/manifests/sha256:" reqs)" = 4 &&
	test "$(wc -l <reqs)" = 14 &&
	tail -n 1 reqs | grep "^PUT /v2/fresh/app/manifests/x 201$" &&
	remote_list fresh/app:x >got &&
	manifold cat-manifest "$R/fresh/app:x" >want &&
	test_cmp want got &&
	# pushed again unchanged: the tag alone, no listing
	registry_log_reset &&
	manifold push "$R/fresh/app:x" >/dev/null &&
	test "$(registry_request_count)" = 1
'

test_expect_success 'a repository that exists: each child is looked for, none sent again' '
	manifold create --insecure "$R/fresh/app:y" "$APP:amd64" "$APP:arm64" \
		"$APP:armv7" "$APP:s390x" >/dev/null &&
	registry_log_reset &&
	manifold push "$R/fresh/app:y" >out &&
	registry_requests >reqs &&
	test "$(grep -c "^GET /v2/fresh/app/tags/list 200$" reqs)" = 1 &&
	test "$(grep -c "^HEAD /v2/fresh/app/manifests/sha256:.* 200$" reqs)" = 4 &&
	! grep "^POST " reqs &&
	test "$(wc -l <reqs)" = 6 &&
	tail -n 1 reqs | grep "^PUT /v2/fresh/app/manifests/y 201$"
'

test_expect_success '--dry-run prints the plan and changes nothing on the registry' '
	manifold create --insecure "$R/dry/app:v1" "$R/other/app:amd64" "$APP:s390x" >/dev/null &&
	storage_state >before &&
	registry_log_reset &&
	manifold push --dry-run "$R/dry/app:v1" >out &&
	storage_state >after &&
	test_cmp before after &&
	! registry_requests | grep -vE "^(HEAD|GET) " &&
	test_grep "^mount    blob     sha256:[0-9a-f]* from $R/[a-z]*/app$" out &&
	test_grep "^put      manifest ${D[s390x]}$" out &&
	test_grep "^put      list     $(manifold rev-parse "$R/dry/app:v1")$" out &&
	test_grep "^0 present, 4 to mount, 0 to copy (0 bytes), 3 to put$" out &&
	test_must_fail manifold rev-parse --verify "remotes/$R/dry/app:v1"
'

test_expect_success 'images from another registry are copied, verified' '
	manifold create --insecure "$APP:mixed" "$FAR/far/app:amd64" "$FAR/far/app:arm64" "$APP:amd64" >/dev/null &&
	registry_log_reset &&
	manifold push --quiet "$APP:mixed" >out &&
	remote_list library/app:mixed >got &&
	manifold cat-manifest "$APP:mixed" >want &&
	test_cmp want got &&
	registry_requests >reqs &&
	# 2 blobs + 4 blobs copied: HEAD, POST, PATCH..., PUT each
	test "$(grep -c "^PUT /v2/library/app/blobs/uploads/.*digest=" reqs)" = 6 &&
	for d in $(cat far-amd64 far-arm64); do
		registry_curl -sS -f -I -H "Accept: application/vnd.oci.image.manifest.v1+json" \
			-H "Accept: application/vnd.docker.distribution.manifest.v2+json" \
			"$REGISTRY_URL/v2/library/app/manifests/$d" >/dev/null || return 1
	done
'

test_expect_success 'a failed push leaves no list behind; running it again finishes the job' '
	manifold create --insecure "$R/resume/app:v1" "$APP:ppc64le" "$FAR/far/app:v3" >/dev/null &&
	layer=$(manifold cat-manifest "$(cat far-v3)" | grep -o "sha256:[0-9a-f]*" | tail -n 1) &&
	# the far registry loses a layer: the copy fails, the list is not put
	(registry_env far &&
	 registry_curl -sS -f -X DELETE "$REGISTRY_URL/v2/far/app/blobs/$layer") &&
	test_must_fail --code=1 manifold push "$R/resume/app:v1" >out 2>err &&
	test_grep "failed to copy blob $layer from $FAR/far/app" err &&
	test_must_fail remote_list resume/app:v1 &&
	# the child pushed before the failure is there
	test_grep "^Pushed ref $R/resume/app@${D[ppc64le]} " out &&
	test_must_fail manifold rev-parse --verify "remotes/$R/resume/app:v1" &&
	# the layer comes back (same seed, same bytes); the push is run again
	(registry_env far &&
	 seed_image far/app:v3 --format docker --platform linux/s390x --seed far-v3 >/dev/null) &&
	registry_log_reset &&
	manifold push "$R/resume/app:v1" >out &&
	test_grep "^HEAD /v2/resume/app/manifests/${D[ppc64le]} 200$" <(registry_requests) &&
	! grep "${D[ppc64le]}" <(registry_requests | grep -v "^HEAD") &&
	remote_list resume/app:v1 >got &&
	manifold cat-manifest "$R/resume/app:v1" >want &&
	test_cmp want got
'

test_expect_success 'several targets in one run; the sources of each are recorded' '
	registry_log_reset &&
	manifold push "$APP:same" "$R/copy1/app:v1" "$R/copy2/app:v1" >out &&
	test "$(sort -u out | grep -c "^sha256:")" = 1 &&
	remote_list copy1/app:v1 >got1 && remote_list copy2/app:v1 >got2 &&
	manifold cat-manifest "$APP:same" >want &&
	test_cmp want got1 && test_cmp want got2 &&
	# copy2 mounts from library/app (or copy1): no blob is uploaded
	! registry_requests | grep "^PATCH\|digest=" &&
	manifold show-ref >refs &&
	test_grep "remotes/$R/copy1/app:v1$" refs &&
	test_grep "remotes/$R/copy2/app:v1$" refs
'

test_expect_success '--force sends everything again' '
	registry_log_reset &&
	manifold push --force "$R/new/app:x" >/dev/null &&
	! registry_requests | grep "^HEAD" &&
	test "$(registry_request_count "^PUT /v2/new/app/manifests/")" = 4
'

test_expect_success 'docker'\''s local refusals, before any request' '
	manifold create --insecure "$APP:np" "$APP:amd64" "$APP:noplatform" >/dev/null &&
	registry_log_reset &&
	test_must_fail --code=1 manifold push "$APP:np" 2>err &&
	echo "manifest $APP:noplatform must have an OS and Architecture to be pushed to a registry" >expect &&
	test_cmp expect err &&
	test_must_fail --code=1 manifold push "$APP:nosuch" 2>err &&
	echo "No such manifest: $APP:nosuch" >expect &&
	test_cmp expect err &&
	test "$(registry_request_count)" = 0
'

test_expect_success '--purge removes the local list after the push; its history stays' '
	manifold create --insecure "$APP:purge" "$APP:amd64" >/dev/null &&
	id=$(manifold rev-parse "$APP:purge") &&
	manifold push -p "$APP:purge" >out &&
	echo "$id" >expect && test_cmp expect out &&
	test_must_fail manifold rev-parse --verify "lists/$APP:purge" &&
	test "$(manifold rev-parse "lists/$APP:purge@{1}")" = "$id"
'

test_expect_success 'usage and target errors' '
	test_must_fail --code=1 manifold push 2>err &&
	test_grep "requires at least 1 argument" err &&
	test_must_fail --code=125 manifold push --bogus "$APP:same" 2>err &&
	test_grep "^unknown flag: --bogus" err &&
	test_must_fail --code=1 manifold push "$APP:same" "$R/Bad/Target" 2>err &&
	test_grep "^invalid target $R/Bad/Target: invalid reference format" err &&
	test_must_fail --code=1 manifold push "$APP:same" "$APP@sha256:0000000000000000000000000000000000000000000000000000000000000000" 2>err &&
	test_grep "the digest differs" err &&
	test_must_fail --code=125 manifold push --jobs 0 "$APP:same" 2>err &&
	test_grep "for \"-j, --jobs\" flag" err
'

test_expect_success '--jobs 1 pushes entry by entry, in list order' '
	manifold create --insecure "$R/serial/app:v1" "$R/other/app:amd64" "$APP:arm64" "$APP:s390x" >/dev/null &&
	registry_log_reset &&
	manifold push -j 1 "$R/serial/app:v1" >/dev/null &&
	registry_requests | sed -n "s|^PUT /v2/serial/app/manifests/\(.*\) 201$|\1|p" >puts &&
	printf "%s\n" "${D[other-amd64]}" "${D[arm64]}" "${D[s390x]}" v1 >expect &&
	test_cmp expect puts
'

test_done
