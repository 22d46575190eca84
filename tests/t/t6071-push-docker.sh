#!/bin/bash
test_description='push compared with docker manifest push: the same bytes and digest pushed, the same output, refusals and --purge'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"

if ! test_have_prereq DOCKER; then
	test_skip_all "no docker CLI"
fi
porcelain_setup

# The four media types a manifest GET must accept (Distribution
# negotiates on them).
ACCEPT=(-H "Accept: application/vnd.oci.image.index.v1+json"
	-H "Accept: application/vnd.docker.distribution.manifest.list.v2+json"
	-H "Accept: application/vnd.oci.image.manifest.v1+json"
	-H "Accept: application/vnd.docker.distribution.manifest.v2+json")

# get REPO TAG FILE: the pushed bytes, as the registry serves them.
get() {
	registry_curl -sS -f "${ACCEPT[@]}" -o "$3" "$REGISTRY_URL/v2/$1/manifests/$2"
}

# both NAME_D NAME_M IMAGE...: the same list made by docker (named NAME_D)
# and by manifold (NAME_M), from IMAGEs given in docker's order.  docker
# makes a Docker list when its first entry is a Docker manifest, manifold
# only when all are (create's COMPATIBILITY): $MFORMAT is passed to
# manifold create for the mixed lists.
MFORMAT=
both() {
	local d=$1 m=$2
	shift 2
	docker_cli manifest create --insecure "$d" "$@" >/dev/null &&
	manifold create --insecure $MFORMAT "$m" "$@" >/dev/null
}

# push_both REPO_D TAG_D REPO_M TAG_M: push both lists; d.out/m.out are
# their stdout (m.err must be empty), d.json/m.json the bytes pushed.
push_both() {
	docker_cli manifest push "$R/$1:$2" >d.out &&
	manifold push "$R/$3:$4" >m.out 2>m.err &&
	test_line_count = 0 m.err &&
	get "$1" "$2" d.json &&
	get "$3" "$4" m.json &&
	test_cmp d.json m.json &&
	echo "sha256:$(sha256sum <m.json | cut -d" " -f1)" >want &&
	tail -n 1 m.out >got &&
	test_cmp want got
}

test_expect_success 'same repository: the same bytes and digest, the same output' '
	both "$APP:d-same" "$APP:m-same" "$APP:amd64" "$APP:arm64" "$APP:armv7" &&
	push_both library/app d-same library/app m-same &&
	test_cmp d.out m.out &&
	test_line_count = 1 m.out
'

test_expect_success 'same repository: a second push sends only a HEAD and prints the same' '
	registry_log_reset &&
	manifold push "$APP:m-same" >m2.out &&
	test_cmp m.out m2.out &&
	registry_requests >requests &&
	test_line_count = 1 requests &&
	grep "^HEAD /v2/library/app/manifests/m-same 200$" requests
'

test_expect_success 'another repository: the same bytes and digest, the same Pushed ref lines' '
	MFORMAT="--format docker" both "$R/dnew/repo:v1" "$R/mnew/repo:v1" \
		"$APP:amd64" "$APP:arm64-oci" "$R/other/app:riscv64" &&
	push_both dnew/repo v1 mnew/repo v1 &&
	grep -c "^Pushed ref " d.out >count &&
	echo 3 >expect &&
	test_cmp expect count &&
	sed "s,/dnew/repo@,/X@," d.out >expect &&
	sed "s,/mnew/repo@,/X@," m.out >actual &&
	test_cmp expect actual &&
	# Each child is in the target repository, with the original bytes.
	for c in "${D[amd64]}" "${D[arm64-oci]}" "${D[other-riscv64]}"; do
		get mnew/repo "$c" child &&
		echo "sha256:$(sha256sum <child | cut -d" " -f1)" >cd &&
		echo "$c" >ce &&
		test_cmp ce cd || return 1
	done
'

test_expect_success 'windows entries: the same bytes and digest' '
	both "$APP:d-win" "$APP:m-win" "$APP:amd64" "$APP:windows-amd64" &&
	push_both library/app d-win library/app m-win &&
	test_cmp d.out m.out &&
	grep -F "\"os.version\": \"10.0.17763.5830\"" m.json
'

test_expect_success 'windows entries into another repository: the same output' '
	both "$R/dwin/repo:v1" "$R/mwin/repo:v1" "$APP:amd64" "$APP:windows-amd64" &&
	push_both dwin/repo v1 mwin/repo v1 &&
	sed "s,/dwin/repo@,/X@," d.out >expect &&
	sed "s,/mwin/repo@,/X@," m.out >actual &&
	test_cmp expect actual
'

test_expect_success 'an entry without a platform: docker'"'"'s refusal, before any request' '
	both "$APP:np" "$APP:np" "$APP:amd64" "$APP:noplatform" &&
	registry_log_reset &&
	docker_compare push "$APP:np" &&
	test_line_count = 1 cmp.m.err &&
	grep -F "manifest $APP:noplatform must have an OS and Architecture" cmp.m.err &&
	test "$(registry_request_count)" = 0
'

test_expect_success 'a list that is not in the store: docker'"'"'s message and status' '
	docker_compare push "$APP:nosuchlocal" &&
	echo "No such manifest: $APP:nosuchlocal" >expect &&
	test_cmp expect cmp.m.err &&
	docker_compare push "$R/nosuch/repo" &&
	echo "No such manifest: $R/nosuch/repo:latest" >expect &&
	test_cmp expect cmp.m.err
'

test_expect_success '--purge: pushed, then the local list is gone, as with docker' '
	both "$APP:purged" "$APP:purged" "$APP:amd64" "$APP:arm64" &&
	docker_compare push --purge "$APP:purged" &&
	test_line_count = 1 cmp.m.out &&
	! ls "$TRASH/docker-cfg/manifests" | grep -e "-purged\$" &&
	manifold show-ref >refs &&
	! grep -F " lists/$APP:purged" refs &&
	get library/app purged pushed.json &&
	echo "sha256:$(sha256sum <pushed.json | cut -d" " -f1)" >expect &&
	test_cmp expect cmp.m.out
'

test_expect_success '-p: the same' '
	both "$APP:purged2" "$APP:purged2" "$APP:amd64" &&
	docker_compare push -p "$APP:purged2" &&
	! ls "$TRASH/docker-cfg/manifests" | grep -e "-purged2\$" &&
	manifold show-ref >refs &&
	! grep -F " lists/$APP:purged2" refs
'

test_expect_success 'without --purge the local list stays, as with docker' '
	both "$APP:kept" "$APP:kept" "$APP:amd64" &&
	docker_compare push "$APP:kept" &&
	ls "$TRASH/docker-cfg/manifests" | grep -e "-kept\$" &&
	manifold show-ref >refs &&
	grep -F " lists/$APP:kept" refs
'

test_done
