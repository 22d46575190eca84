#!/bin/bash
test_description='create and push --metadata-file (buildx'"'"'s shape) and --digestfile (podman'"'"'s)'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"

porcelain_setup
DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json
OCI_INDEX=application/vnd.oci.image.index.v1+json

# head_manifest REPO:TAG -> the registry's answer to a HEAD of it
head_manifest() {
	registry_curl -sS -f -I -H "Accept: $DOCKER_LIST" -H "Accept: $OCI_INDEX" \
		"$REGISTRY_URL/v2/${1%%:*}/manifests/${1#*:}" | tr -d '\r'
}

# header NAME <head -> its value
header() {
	sed -n "s/^$1: //Ip"
}

# check_metadata FILE MEDIA_TYPE DIGEST SIZE NAMES: FILE is what buildx
# writes for these values (json.MarshalIndent(map, "", "  "): keys of
# the map sorted, the descriptor in the OCI struct's order, no newline
# at the end), byte for byte, and parses to that shape.
check_metadata() {
	python3 - "$@" <<-\EOF
	import json, sys
	path, mt, digest, size, names = sys.argv[1:6]
	raw = open(path, "rb").read()
	doc = json.loads(raw)
	assert list(doc) == ["containerimage.descriptor", "containerimage.digest",
	                     "image.name"], list(doc)
	desc = doc["containerimage.descriptor"]
	assert list(desc) == ["mediaType", "digest", "size"], list(desc)
	assert desc == {"mediaType": mt, "digest": digest, "size": int(size)}, desc
	assert doc["containerimage.digest"] == digest, doc
	assert doc["image.name"] == names, doc
	want = json.dumps(doc, indent=2).encode()
	assert raw == want, (raw, want)
	assert not raw.endswith(b"\n")
	EOF
}

test_lazy_prereq PODMAN 'command -v podman'

# podman with a store of its own under $TRASH (vfs: no mounts needed)
podman_cmd() {
	podman --root "$TRASH/podman/root" --runroot "$TRASH/podman/run" \
		--storage-driver vfs "$@"
}

test_expect_success 'create: both files, for the list the store holds' '
	manifold create --insecure --metadata-file meta.json --digestfile digest \
		"$APP:multi" "$APP:amd64" "$APP:arm64" >out &&
	echo "Created manifest list $APP:multi" >expect &&
	test_cmp expect out &&
	id=$(manifold rev-parse "$APP:multi") &&
	size=$(manifold cat-manifest "$APP:multi" | wc -c) &&
	check_metadata meta.json $DOCKER_LIST "$id" "$size" "$APP:multi" &&
	printf "%s" "$id" >expect &&
	test_cmp expect digest &&
	test "$(stat -c %a meta.json digest)" = "644
644"
'

test_expect_success 'create --amend: the amended list; an unchanged one is still written' '
	manifold create --amend --metadata-file meta.json --digestfile digest \
		"$APP:multi" "$APP:s390x" >/dev/null &&
	id=$(manifold rev-parse "$APP:multi") &&
	size=$(manifold cat-manifest "$APP:multi" | wc -c) &&
	check_metadata meta.json $DOCKER_LIST "$id" "$size" "$APP:multi" &&
	rm meta.json digest &&
	manifold create --amend --metadata-file meta.json --digestfile digest \
		"$APP:multi" "$APP:s390x" >/dev/null &&
	test "$(manifold rev-parse "$APP:multi")" = "$id" &&
	check_metadata meta.json $DOCKER_LIST "$id" "$size" "$APP:multi" &&
	printf "%s" "$id" >expect && test_cmp expect digest
'

test_expect_success 'push: the digest and size the registry serves, the target as image.name' '
	manifold push --metadata-file pmeta.json --digestfile pdigest \
		"$APP:multi" "$R/pushed/app:v1" >out &&
	id=$(manifold rev-parse "$APP:multi") &&
	tail -n 1 out >printed && echo "$id" >expect && test_cmp expect printed &&
	head_manifest pushed/app:v1 >head &&
	test "$(header Docker-Content-Digest <head)" = "$id" &&
	size=$(header Content-Length <head) &&
	check_metadata pmeta.json $DOCKER_LIST "$id" "$size" "$R/pushed/app:v1" &&
	printf "%s" "$id" >expect && test_cmp expect pdigest
'

test_expect_success 'push to several targets: one file, the names joined by a comma' '
	manifold push --metadata-file m2.json "$APP:multi" "$R/a/app:v1" "$R/b/app:v2" >/dev/null &&
	id=$(manifold rev-parse "$APP:multi") &&
	size=$(manifold cat-manifest "$APP:multi" | wc -c) &&
	check_metadata m2.json $DOCKER_LIST "$id" "$size" "$R/a/app:v1,$R/b/app:v2"
'

test_expect_success 'push with no target: the list'"'"'s own name; an up-to-date push writes it too' '
	manifold create --insecure "$APP:own" "$APP:armv7" >/dev/null &&
	manifold push --metadata-file m3.json "$APP:own" >/dev/null &&
	registry_log_reset &&
	rm m3.json &&
	manifold push --metadata-file m3.json "$APP:own" >/dev/null &&
	test "$(registry_request_count)" = 1 &&
	id=$(manifold rev-parse "$APP:own") &&
	size=$(manifold cat-manifest "$APP:own" | wc -c) &&
	check_metadata m3.json $DOCKER_LIST "$id" "$size" "$APP:own"
'

test_expect_success 'push --format oci: the converted index, as the registry has it' '
	manifold push --format oci --metadata-file m4.json --digestfile d4 \
		"$APP:multi" "$R/conv/app:oci" >out &&
	id=$(tail -n 1 out) &&
	test "$id" != "$(manifold rev-parse "$APP:multi")" &&
	head_manifest conv/app:oci >head &&
	test "$(header Docker-Content-Digest <head)" = "$id" &&
	test "$(header Content-Type <head)" = $OCI_INDEX &&
	check_metadata m4.json $OCI_INDEX "$id" "$(header Content-Length <head)" \
		"$R/conv/app:oci" &&
	printf "%s" "$id" >expect && test_cmp expect d4
'

test_expect_success 'the digest file is podman'"'"'s, byte for byte' '
	if ! test_have_prereq PODMAN; then
		test_skip_part "no podman: the digest file was not compared with its" &&
		exit 0
	fi &&
	podman_cmd manifest create pod >/dev/null &&
	podman_cmd manifest add --tls-verify=false pod "docker://$APP:amd64" >/dev/null &&
	podman_cmd manifest push --tls-verify=false --digestfile pod.digest \
		pod "docker://$R/pod/app:v1" 2>/dev/null &&
	head_manifest pod/app:v1 >head &&
	pid=$(header Docker-Content-Digest <head) &&
	printf "%s" "$pid" >expect && test_cmp expect pod.digest &&
	# podman wrote its own list: the same bytes, pushed by manifold
	manifold fetch --insecure "$R/pod/app:v1" >/dev/null &&
	manifold push --digestfile mf.digest "$R/pod/app:v1" "$R/pod/app:again" >/dev/null &&
	test_cmp pod.digest mf.digest &&
	test "$(stat -c %a pod.digest)" = "$(stat -c %a mf.digest)"
'

test_expect_success 'a failing push writes nothing, and leaves older files alone' '
	echo old >fm.json && echo old >fd && cp fm.json fm.before &&
	test_must_fail manifold push --metadata-file fm.json --digestfile fd \
		"$APP:multi" 127.0.0.1:9/x/app:v1 2>err &&
	test_cmp fm.before fm.json && test_cmp fm.before fd &&
	test_must_fail manifold push --metadata-file new.json --digestfile new.d \
		"$APP:nosuch" "$R/x/app:v1" 2>err &&
	! test -e new.json && ! test -e new.d
'

test_expect_success 'a failing create writes nothing' '
	test_must_fail manifold create --insecure --metadata-file c.json --digestfile c.d \
		"$APP:bad" "$APP:amd64" "$APP:nosuch" 2>err &&
	! test -e c.json && ! test -e c.d &&
	test_must_fail manifold rev-parse "$APP:bad" 2>/dev/null
'

test_expect_success '--dry-run and an empty name write no file' '
	manifold push --dry-run --metadata-file dry.json --digestfile dry.d \
		"$APP:multi" "$R/dry/app:v1" >/dev/null &&
	! test -e dry.json && ! test -e dry.d &&
	mkdir empty && (
		cd empty &&
		manifold push --metadata-file "" --digestfile "" "$APP:multi" "$R/e/app:v1" >/dev/null &&
		ls -A >../files
	) && test ! -s files
'

test_expect_success 'an unwritable path: one line naming it, exit 1, the push done and recorded' '
	test_expect_code 1 manifold push --metadata-file nodir/meta.json \
		"$APP:multi" "$R/late/app:v1" >out 2>err &&
	test_line_count = 1 err &&
	grep "^pushed $APP:multi, but cannot write nodir/meta.json: No such file or directory$" err &&
	head_manifest late/app:v1 >head &&
	test "$(header Docker-Content-Digest <head)" = "$(manifold rev-parse "$APP:multi")" &&
	test "$(manifold rev-parse "remotes/$R/late/app:v1")" = "$(manifold rev-parse "$APP:multi")" &&
	mkdir adir &&
	test_expect_code 1 manifold create --amend --digestfile adir "$APP:multi" >out 2>err &&
	test_line_count = 1 err &&
	grep "^created $APP:multi, but cannot write adir: " err &&
	test -d adir && ls -A adir >files && test ! -s files &&
	! ls -A . | grep "^\.adir\."
'

test_expect_success 'no temporary file is left beside the files' '
	ls -A . >files &&
	! grep "^\.[a-z].*\.[A-Za-z0-9]\{6\}$" files
'

# bash_complete LINE: what bash completion offers for LINE, one a line
bash_complete() {
	bash -c '
		. "$1" || exit 1
		COMP_LINE=$2
		COMP_POINT=${#2}
		read -r -a COMP_WORDS <<<"$2"
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_manifold || exit 1
		for c in "${COMPREPLY[@]}"; do printf "%s\n" "$c"; done
	' bash_complete "$MANIFOLD_SOURCE_DIR/contrib/completion/manifold.bash" "$1"
}

test_expect_success 'bash completion offers files for both options' '
	: >some-file.json &&
	echo some-file.json >expect &&
	for cmd in create push; do
		for opt in --metadata-file --digestfile; do
			bash_complete "manifold $cmd $opt some-f" >offered &&
			test_cmp expect offered &&
			bash_complete "manifold $cmd $opt=some-f" >offered &&
			test_cmp expect offered || return 1
		done || return 1
	done
'

test_done
