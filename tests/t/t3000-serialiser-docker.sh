#!/bin/bash
test_description="the list serialiser writes what docker manifest push sends"
#
# Seeds single-platform images into a plain registry on 127.0.0.1, lets
# the real docker CLI create, annotate and push lists of them, fetches the
# pushed bytes back, and compares them byte for byte with what
# manifest/list-write.c writes for the same entries in the same order (driven
# through tests/registry/listtool).
#
# docker's entry order is not its argument order: it is the bytewise
# order of the files in its local store, named after the image references
# (docker-manifest.md F3).  The lists below are created with scrambled
# arguments; each test checks that order, then feeds listtool the entries
# in it.  docker picks the list type from the first entry only (F2), while
# our default (list_choose_format, DESIGN.md) makes any list holding an
# OCI manifest an OCI index; mixed lists are compared with the format
# forced where the two rules differ.
#
# docker only ever talks to 127.0.0.1: every reference names the test
# registry, its proxies point at a dead port, and it has its own config
# directory.
. ./test-lib.sh

if ! test_have_prereq DOCKER; then
	test_skip_all "no docker CLI"
fi
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

: "${LISTTOOL:=$MANIFOLD_BUILD_DIR/tests/listtool}"
if ! test -x "$LISTTOOL"; then
	echo "Bail out! no listtool at $LISTTOOL"
	exit 1
fi

start_registry plain
R=$REGISTRY
APP=$R/library/app
DCFG=$TRASH/docker-cfg
mkdir -p "$DCFG" && echo '{}' >"$DCFG/config.json" || exit 1

dk() {
	env DOCKER_CONFIG="$DCFG" DOCKER_HOST=unix:///nonexistent \
		HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
		http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
		NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 docker "$@"
}

# The images, with the platform their configs say (docker reads it from
# there at create time).  TAG -> "OS ARCH [VARIANT]".
declare -A PLAT OSVER
seed() {
	local tag=$1 format=$2 platform=$3 osver=${4:-}
	local -a extra=()
	test -n "$osver" && extra=(--os-version "$osver")
	seed_image "library/app:$tag" --format "$format" --platform "$platform" \
		"${extra[@]+"${extra[@]}"}" >/dev/null || {
		echo "Bail out! could not seed $tag"
		exit 1
	}
	PLAT[$tag]=${platform//\// }
	OSVER[$tag]=$osver
}
seed amd64 docker linux/amd64
seed arm64 docker linux/arm64/v8
seed armv7 docker linux/arm/v7
seed s390x docker linux/s390x
seed windows-amd64 docker windows/amd64 10.0.17763.5830
seed amd64-oci oci linux/amd64
seed arm64-oci oci linux/arm64/v8
seed armv7-oci oci linux/arm/v7

# entry TAG: the listtool lines for library/app:TAG, from what the
# registry serves (media type, size, digest) and the seeded platform.
entry() {
	registry_curl -sS -f -D "entry.h" -o "entry.m" \
		-H "Accept: $OCI_MANIFEST" -H "Accept: $DOCKER_MANIFEST" \
		"$REGISTRY_URL/v2/library/app/manifests/$1" || return 1
	printf 'add %s %s %s\n' \
		"$(sed -n 's/^[Cc]ontent-[Tt]ype: *\([^;[:space:]]*\).*/\1/p' entry.h)" \
		"$(wc -c <entry.m)" "$(sha256_of entry.m)"
	printf 'platform %s\n' "${PLAT[$1]}"
	test -z "${OSVER[$1]}" || printf 'os-version %s\n' "${OSVER[$1]}"
}

# docker_list NAME IMAGE-TAG...: docker manifest create (arguments in the
# order given) into library/app:NAME; writes the store's order of the
# images (their tags) to NAME.order.
docker_list() {
	local name=$1 t f
	local -a refs=()
	shift
	for t; do
		refs+=("$APP:$t")
	done
	dk manifest create --insecure "$APP:$name" "${refs[@]}" >create.out &&
	echo "Created manifest list $APP:$name" >create.expect &&
	test_cmp create.expect create.out &&
	for f in $(ls "$DCFG/manifests/${R/:/-}_library_app-$name"); do
		echo "${f#"${R/:/-}_library_app-"}"
	done >"$name.order"
}

# docker_push NAME: push, fetch the bytes back into NAME.pushed, and check
# the digest docker printed against them.
docker_push() {
	local name=$1
	dk manifest push --insecure "$APP:$name" >"$name.push" &&
	registry_curl -sS -f -o "$name.pushed" -D "$name.h" \
		-H "Accept: $DOCKER_LIST" -H "Accept: $IDX" \
		"$REGISTRY_URL/v2/library/app/manifests/$name" &&
	tail -n 1 "$name.push" >"$name.digest" &&
	sha256_of "$name.pushed" >"$name.actual-digest" &&
	test_cmp "$name.digest" "$name.actual-digest"
}

# ours NAME [FORMAT] <spec: listtool's bytes for the spec into NAME.ours.
ours() {
	"$LISTTOOL" build ${2:+--format "$2"} >"$1.ours"
}

same_bytes() {
	if ! cmp "$1" "$2"; then
		echo "--- $1 vs $2:"
		diff -u "$1" "$2"
		return 1
	fi
}

test_expect_success 'docker orders entries by store file name, not by argument' '
	docker_list plain s390x armv7 amd64 arm64 &&
	printf "%s\n" amd64 arm64 armv7 s390x >expect &&
	test_cmp expect plain.order &&
	docker_push plain &&
	grep "\"digest\"" plain.pushed | sed "s/.*\"\(sha256:[0-9a-f]*\)\".*/\1/" >pushed.digests &&
	for t in $(cat plain.order); do
		entry $t | sed -n "s/^add [^ ]* [^ ]* //p" || return 1
	done >expect &&
	test_cmp expect pushed.digests
'

test_expect_success 'a Docker list: byte-identical to docker manifest push' '
	for t in $(cat plain.order); do entry $t || return 1; done >plain.spec &&
	ours plain <plain.spec &&
	same_bytes plain.pushed plain.ours &&
	"$LISTTOOL" media-type <plain.spec >mt &&
	echo "$DOCKER_LIST" >expect &&
	test_cmp expect mt &&
	grep -qi "^content-type: $DOCKER_LIST" plain.h
'

test_expect_success 'parsing docker'"'"'s bytes and writing them again changes nothing' '
	"$LISTTOOL" reserialise "$DOCKER_LIST" <plain.pushed >again &&
	same_bytes plain.pushed again &&
	"$LISTTOOL" reserialise <plain.pushed >again &&
	same_bytes plain.pushed again
'

test_expect_success 'os.version from a Windows config, and a single entry' '
	docker_list win windows-amd64 amd64 &&
	printf "%s\n" amd64 windows-amd64 >expect &&
	test_cmp expect win.order &&
	docker_push win &&
	for t in $(cat win.order); do entry $t || return 1; done >win.spec &&
	ours win <win.spec &&
	same_bytes win.pushed win.ours &&
	docker_list one s390x &&
	docker_push one &&
	entry s390x >one.spec &&
	ours one <one.spec &&
	same_bytes one.pushed one.ours
'

# docker annotate applies flags to its stored descriptor; listtool's
# "annotate" line does the same through list_entry_annotate().
test_expect_success 'annotate: variant, os.version, os.features appended once' '
	docker_list ann armv7 arm64 amd64 &&
	dk manifest annotate --variant v6 "$APP:ann" "$APP:armv7" &&
	dk manifest annotate --os-version 1.2.3 --os-features a,b --os-features c \
		"$APP:ann" "$APP:amd64" &&
	dk manifest annotate --os-features z,a "$APP:ann" "$APP:amd64" &&
	dk manifest annotate --variant "" "$APP:ann" "$APP:arm64" &&
	dk manifest annotate --os linux --arch arm64 --variant v8.2 \
		"$APP:ann" "$APP:arm64" &&
	dk manifest annotate "$APP:ann" "$APP:arm64" &&
	docker_push ann &&
	{
		entry amd64 &&
		echo "annotate --os-version 1.2.3 --os-features a,b --os-features c" &&
		echo "annotate --os-features z,a" &&
		entry arm64 &&
		echo "annotate --variant '"''"'" &&
		echo "annotate --os linux --arch arm64 --variant v8.2" &&
		echo "annotate" &&
		entry armv7 &&
		echo "annotate --variant v6"
	} >ann.spec &&
	ours ann <ann.spec &&
	same_bytes ann.pushed ann.ours &&
	grep -q "\"os.features\": \[" ann.pushed
'

test_expect_success 'annotate can move an entry to another os/arch' '
	docker_list moved amd64 s390x &&
	dk manifest annotate --os freebsd --arch arm --os-features x "$APP:moved" "$APP:s390x" &&
	docker_push moved &&
	{
		entry amd64 && entry s390x &&
		echo "annotate --os freebsd --arch arm --os-features x"
	} >moved.spec &&
	ours moved <moved.spec &&
	same_bytes moved.pushed moved.ours
'

# Flag values docker does not check, full of what Go escapes: < > &,
# U+2028/U+2029, quotes, backslashes; non-ASCII stays raw; an invalid
# byte becomes U+FFFD.  (Control characters, which docker also takes,
# manifold refuses in platform fields: t6053.  The serialiser's escaping
# of them is checked in tests/unit/test_list.c through annotations.)
OSV=$'1<2>&3\342\200\250x\342\200\251"y\\z\303\251'
OSV_SPEC='1<2>&3\xe2\x80\xa8x\xe2\x80\xa9"y\\z\xc3\xa9'
VAR=$'v\377wq'
VAR_SPEC='v\xffwq'
test_expect_success 'Go string escaping, as docker sends it' '
	docker_list esc arm64 &&
	dk manifest annotate --os-version "$OSV" --variant "$VAR" \
		--os-features "<a>,b&c" "$APP:esc" "$APP:arm64" &&
	docker_push esc &&
	{
		entry arm64 &&
		echo "annotate --os-version $OSV_SPEC --variant $VAR_SPEC --os-features <a>,b&c"
	} >esc.spec &&
	ours esc <esc.spec &&
	same_bytes esc.pushed esc.ours &&
	grep -F "\\u003ca\\u003e" esc.pushed &&
	grep -F "\\u2028" esc.pushed &&
	"$LISTTOOL" reserialise <esc.pushed >again &&
	same_bytes esc.pushed again
'

test_expect_success 'annotate refusals: docker'"'"'s message, word for word' '
	docker_list bad amd64 &&
	for flags in "--arch foo" "--os plan9 --arch s390x" \
		"--os windows --arch arm64" "--os LINUX" "--arch aarch64" \
		"--os linux --arch ppc64" "--os unknown --arch unknown"; do
		test_must_fail dk manifest annotate $flags "$APP:bad" "$APP:amd64" \
			2>docker.err &&
		{ entry amd64 && echo "annotate $flags"; } >bad.spec &&
		test_must_fail "$LISTTOOL" build <bad.spec >/dev/null 2>ours.err &&
		test_cmp docker.err ours.err || return 1
	done &&
	echo "manifest entry for image has unsupported os/arch combination: unknown/unknown" >expect &&
	test_cmp expect ours.err
'

test_expect_success 'an OCI index: byte-identical to docker manifest push' '
	docker_list oci armv7-oci amd64-oci arm64-oci &&
	printf "%s\n" amd64-oci arm64-oci armv7-oci >expect &&
	test_cmp expect oci.order &&
	docker_push oci &&
	grep -qi "^content-type: $IDX" oci.h &&
	for t in $(cat oci.order); do entry $t || return 1; done >oci.spec &&
	ours oci <oci.spec &&
	same_bytes oci.pushed oci.ours &&
	"$LISTTOOL" reserialise "$IDX" <oci.pushed >again &&
	same_bytes oci.pushed again
'

test_expect_success 'mixed, OCI entry first: an OCI index for docker and for us' '
	docker_list mixo arm64 amd64-oci &&
	printf "%s\n" amd64-oci arm64 >expect &&
	test_cmp expect mixo.order &&
	docker_push mixo &&
	grep -qi "^content-type: $IDX" mixo.h &&
	for t in $(cat mixo.order); do entry $t || return 1; done >mixo.spec &&
	ours mixo <mixo.spec &&
	same_bytes mixo.pushed mixo.ours
'

test_expect_success 'mixed, Docker entry first: docker writes a Docker list (our default differs)' '
	docker_list mixd arm64-oci amd64 &&
	printf "%s\n" amd64 arm64-oci >expect &&
	test_cmp expect mixd.order &&
	docker_push mixd &&
	grep -qi "^content-type: $DOCKER_LIST" mixd.h &&
	for t in $(cat mixd.order); do entry $t || return 1; done >mixd.spec &&
	ours mixd docker <mixd.spec &&
	same_bytes mixd.pushed mixd.ours &&
	"$LISTTOOL" media-type <mixd.spec >mt &&
	echo "$IDX" >expect &&
	test_cmp expect mt &&
	"$LISTTOOL" reserialise <mixd.pushed >again &&
	same_bytes mixd.pushed again
'

test_expect_success 'the same image by tag and by digest: two entries, tag first' '
	d=$(entry amd64 | sed -n "s/^add [^ ]* [^ ]* //p") &&
	dk manifest create --insecure "$APP:dup" "$APP@$d" "$APP:amd64" >/dev/null &&
	docker_push dup &&
	{ entry amd64 && entry amd64; } >dup.spec &&
	ours dup <dup.spec &&
	same_bytes dup.pushed dup.ours
'

test_done
