#!/bin/bash
test_description='OCI image layouts as endpoints, against skopeo, umoci and a real registry'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

for tool in umoci jq; do
	command -v "$tool" >/dev/null 2>&1 ||
		test_skip_all "t7000 needs $tool, which is not installed"
done

# One registry, and only the images these tests use.
start_registry plain
R=$REGISTRY
APP=$R/library/app
declare -A D
for spec in amd64-oci:oci:linux/amd64 arm64-oci:oci:linux/arm64/v8 \
	    amd64:docker:linux/amd64 arm64:docker:linux/arm64/v8; do
	IFS=: read -r tag format platform <<<"$spec"
	D[$tag]=$(seed_image "library/app:$tag" --format "$format" \
		--platform "$platform" --seed "$tag" --layers 2) || exit 1
done
D[index]=$(seed_index library/app:index :amd64-oci :arm64-oci) || exit 1

# Images never pushed anywhere, in a layout of their own.
seed_layout() {
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/registry/seed.py" image \
		--layout "$1" --ref "$2" --format oci "${@:3}"
}
D[lay-img]=$(seed_layout lay img --platform linux/amd64 --seed lay-a) &&
D[lay-img2]=$(seed_layout lay img2 --platform linux/arm64/v8 --seed lay-b --layers 3) ||
	exit 1

SKOPEO_REG="--tls-verify=false --no-creds"
ACCEPT_ALL="Accept: $IDX, $DOCKER_LIST, $OCI_MANIFEST, $DOCKER_MANIFEST"

# remote_manifest REPO REF: the bytes the registry serves for REF.
remote_manifest() {
	registry_curl -sS -f -H "$ACCEPT_ALL" "$REGISTRY_URL/v2/$1/manifests/$2"
}

# remote_has_blob REPO DIGEST: the registry holds the blob in REPO.
remote_has_blob() {
	registry_curl -sS -f -I -o /dev/null "$REGISTRY_URL/v2/$1/blobs/$2"
}

# blob DIR DIGEST: the file holding DIGEST in layout DIR.
blob() {
	printf '%s/blobs/sha256/%s\n' "$1" "${2#sha256:}"
}

# image_blobs MANIFEST_FILE: the config and layer digests of an image.
image_blobs() {
	jq -r '.config.digest, .layers[].digest' "$1"
}

# children MANIFEST_FILE: the digests an index names.
children() {
	jq -r '.manifests[].digest' "$1"
}

# layout_state DIR: every file with its size, mtime and inode.
layout_state() {
	find "$1" -type f -printf '%p %s %T@ %i\n' | sort
}

# graph_present REPO LIST_FILE DIR: every child, config and layer of the
# list is served by REPO, the children byte for byte as in layout DIR.
graph_present() {
	local repo=$1 list=$2 dir=$3 c b
	for c in $(children "$list"); do
		remote_manifest "$repo" "$c" >child.got &&
		test_cmp "$(blob "$dir" "$c")" child.got &&
		for b in $(image_blobs child.got); do
			remote_has_blob "$repo" "$b" || return 1
		done || return 1
	done
}

test_expect_success 'images never pushed, from a layout, pushed with their blobs' '
	manifold create --insecure "$R/fromlay/app:v1" oci:lay:img oci:lay:img2 >/dev/null &&
	manifold push "$R/fromlay/app:v1" >out &&
	remote_manifest fromlay/app v1 >list.got &&
	manifold cat-manifest "$R/fromlay/app:v1" >list.want &&
	test_cmp list.want list.got &&
	# skopeo reads back what the registry got: the layout bytes
	for d in ${D[lay-img]} ${D[lay-img2]}; do
		skopeo inspect --raw $SKOPEO_REG "docker://$R/fromlay/app@$d" >got &&
		test_cmp "$(blob lay "$d")" got || return 1
	done &&
	# every config and layer of the layout: 2 images, 2 + 4 blobs
	n=0 &&
	for f in lay/blobs/sha256/*; do
		d=sha256:${f##*/} &&
		case " ${D[lay-img]} ${D[lay-img2]} " in
		*" $d "*) continue ;;
		esac &&
		remote_has_blob fromlay/app "$d" &&
		n=$((n + 1)) || return 1
	done &&
	test "$n" = 6
'

test_expect_success 'no remote-tracking ref for a layout; inspect reads it as the registry' '
	manifold show-ref >refs &&
	! grep "remotes/oci:" refs &&
	manifold inspect oci:lay:img >got &&
	manifold inspect "$R/fromlay/app@${D[lay-img]}" >want &&
	test_cmp want got
'

test_expect_success 'registry -> layout: skopeo and umoci read it, skopeo copies it back' '
	manifold create --insecure "$R/multi/app:v1" "$APP:amd64-oci" "$APP:arm64-oci" >/dev/null &&
	manifold cat-manifest "$R/multi/app:v1" >list &&
	list_d=$(sha256_of list) &&
	manifold push "$R/multi/app:v1" oci:olay:v1 >push.out &&
	test_grep "^$list_d$" push.out &&
	jq -e ".imageLayoutVersion == \"1.0.0\"" olay/oci-layout >/dev/null &&
	test_cmp list "$(blob olay "$list_d")" &&
	skopeo inspect --raw oci:olay:v1 >got &&
	test_cmp list got &&
	umoci ls --layout olay >tags &&
	echo v1 >expect &&
	test_cmp expect tags &&
	# every blob is there, verified by skopeo as it copies
	skopeo copy -q --all --preserve-digests --dest-tls-verify=false \
		--dest-no-creds oci:olay:v1 "docker://$R/copy/app:v1" &&
	remote_manifest copy/app v1 >got &&
	test_cmp list got &&
	graph_present copy/app list olay
'

test_expect_success 'a second push to the layout writes nothing and keeps the other tags' '
	manifold create --insecure "$R/multi/app:v0" "$APP:amd64-oci" >/dev/null &&
	manifold push "$R/multi/app:v0" oci:olay:v0 >/dev/null &&
	layout_state olay >before &&
	manifold push "$R/multi/app:v1" oci:olay:v1 >/dev/null &&
	layout_state olay >after &&
	test_cmp before after &&
	umoci ls --layout olay | sort >tags &&
	printf "v0\nv1\n" >expect &&
	test_cmp expect tags &&
	manifold ls-remote oci:olay >refs &&
	test_grep "	v0$" refs && test_grep "	v1$" refs
'

test_expect_success 'a layout written by skopeo is read: inspect, create, push onward' '
	skopeo copy -q --all --src-tls-verify=false --src-no-creds \
		"docker://$APP:index" oci:sk:t &&
	remote_manifest library/app index >want &&
	skopeo inspect --raw oci:sk:t >got.sk &&
	manifold inspect oci:sk:t >/dev/null &&
	manifold ls-remote oci:sk >refs &&
	printf "%s\tt\n" "$(sha256_of got.sk)" >expect &&
	test_cmp expect refs &&
	# an index as a source, filtered by platform
	manifold create --insecure --platform linux/arm64/v8 "$R/fromsk/app:v1" oci:sk:t >/dev/null &&
	manifold cat-manifest "$R/fromsk/app:v1" >list &&
	children list >kids &&
	jq -r ".manifests[] | select(.platform.architecture == \"arm64\") | .digest" got.sk >expect &&
	test_cmp expect kids &&
	manifold push "$R/fromsk/app:v1" >/dev/null &&
	remote_manifest fromsk/app v1 >got &&
	test_cmp list got &&
	graph_present fromsk/app list sk
'

test_expect_success 'a Docker list pushed to a layout keeps its bytes and media type' '
	manifold create --insecure "$R/dock/app:v1" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold cat-manifest "$R/dock/app:v1" >list &&
	list_d=$(sha256_of list) &&
	test "$(jq -r .mediaType list)" = "$DOCKER_LIST" &&
	manifold push "$R/dock/app:v1" oci:dock:v1 >/dev/null &&
	test_cmp list "$(blob dock "$list_d")" &&
	jq -r ".manifests[0] | .mediaType, .digest" dock/index.json >got &&
	printf "%s\n%s\n" "$DOCKER_LIST" "$list_d" >expect &&
	test_cmp expect got &&
	manifold inspect oci:dock:v1 >got &&
	manifold inspect "$R/dock/app:v1" >want &&
	test_cmp want got &&
	# skopeo reads the only entry without a tag, whatever its type ...
	skopeo inspect --raw oci:dock >got &&
	test_cmp list got &&
	# ... but 1.9.3 does not find a Docker-typed entry by tag
	# (containers/image before 5.35), as the man pages say
	if skopeo --version | grep -q "version 1\.9\."; then
		test_must_fail skopeo inspect --raw oci:dock:v1 >/dev/null 2>&1
	fi
'

test_expect_success 'fetch from a layout: the list, no remotes/ ref; push copies from the layout' '
	seed_layout flay one --platform linux/amd64 --seed lay-e >/dev/null &&
	seed_layout flay two --platform linux/s390x --seed lay-f >/dev/null &&
	manifold create --insecure "$R/fl/app:v1" oci:flay:one oci:flay:two >/dev/null &&
	# layout -> layout, then the list is fetched back from the copy
	manifold push "$R/fl/app:v1" oci:fidx:v1 >/dev/null &&
	manifold rm "$R/fl/app:v1" &&
	manifold show-ref >refs.before &&
	manifold fetch oci:fidx:v1 "$R/fetched/app:v1" >out &&
	test_grep "^Created manifest list $R/fetched/app:v1$" out &&
	test "$(manifold rev-parse "$R/fetched/app:v1")" = \
		"$(jq -r ".manifests[0].digest" fidx/index.json)" &&
	manifold show-ref >refs.after &&
	! grep -v " lists/$R/fetched/app:v1$" refs.after | grep -vFx -f refs.before &&
	manifold fetch oci:fidx:v1 "$R/fetched/app:v1" >out &&
	test_grep "is up to date$" out &&
	test_must_fail --code=1 manifold fetch oci:fidx:v1 2>err &&
	test_stderr_line "is an OCI layout, which no lists/ ref names" err &&
	manifold push "$R/fetched/app:v1" >/dev/null &&
	manifold cat-manifest "$R/fetched/app:v1" >list &&
	graph_present fetched/app list fidx
'

# bad_layout NAME: a copy of the good layout "lay" to damage.
bad_layout() {
	rm -rf "$1" && cp -R lay "$1"
}

# refused [--code=N] EXPECTED_ERE CMD...: CMD fails with exit N (1, the
# porcelain's, by default) and one line on stderr matching EXPECTED_ERE,
# and leaves the store as it was.
refused() {
	local code=--code=1 want
	case $1 in --code=*) code=$1; shift ;; esac
	want=$1
	shift
	store_snapshot >store.before &&
	test_must_fail $code "$@" >out 2>err &&
	test_stderr_line "$want" err &&
	store_snapshot >store.after &&
	test_cmp store.before store.after
}

IMG_MANIFEST=$(blob lay "${D[lay-img]}")
IMG_CONFIG=$(jq -r .config.digest "$IMG_MANIFEST")

test_expect_success 'bad layout: no oci-layout file' '
	bad_layout bad && rm bad/oci-layout &&
	refused "no oci-layout file" manifold create --insecure "$R/refused/app:r1" oci:bad:img &&
	refused "no oci-layout file" manifold inspect oci:bad:img
'

test_expect_success 'bad layout: imageLayoutVersion 1.1.0' '
	bad_layout bad &&
	echo "{\"imageLayoutVersion\": \"1.1.0\"}" >bad/oci-layout &&
	refused "oci-layout.: imageLayoutVersion is .1\.1\.0., not 1\.0\.0$" manifold create --insecure "$R/refused/app:r2" oci:bad:img
'

test_expect_success 'bad layout: index.json with a duplicate key' '
	bad_layout bad &&
	sed "s/^{/{\"schemaVersion\": 2, /" lay/index.json >bad/index.json &&
	refused "duplicate key" manifold create --insecure "$R/refused/app:r3" oci:bad:img &&
	refused --code=128 "duplicate key" manifold ls-remote oci:bad
'

test_expect_success 'bad layout: a manifest blob whose bytes do not match its name' '
	bad_layout bad &&
	sed "s/tar+gzip/tar+gzap/" "$IMG_MANIFEST" >m &&
	test "$(wc -c <m)" = "$(wc -c <"$IMG_MANIFEST")" &&
	cp m "$(blob bad "${D[lay-img]}")" &&
	refused "does not match its digest" manifold create --insecure "$R/refused/app:r4" oci:bad:img
'

# push_layout DIR SEED: a layout with one image, not yet pushed anywhere
# (else the registry would mount its layers from where they went); its
# first layer's digest in $layer.
push_layout() {
	seed_layout "$1" img --platform linux/amd64 --seed "$2" >/dev/null &&
	layer=$(jq -r ".layers[0].digest" "$(blob "$1" "$(jq -r ".manifests[0].digest" "$1/index.json")")")
}

test_expect_success 'bad layout: a layer whose bytes do not match its name, on push' '
	push_layout bad4 lay-c &&
	manifold create --insecure "$R/bad4/app:v1" oci:bad4:img >/dev/null &&
	f=$(blob bad4 "$layer") &&
	chmod u+w "$f" &&
	printf X | dd of="$f" bs=1 seek=20 conv=notrunc 2>/dev/null &&
	refused "$layer in .* does not match its digest" manifold push -q "$R/bad4/app:v1" &&
	test_must_fail remote_manifest bad4/app v1 &&
	test_must_fail remote_has_blob bad4/app "$layer"
'

test_expect_success 'bad layout: an index.json entry whose size lies' '
	bad_layout bad &&
	size=$(wc -c <"$IMG_MANIFEST") &&
	sed "s/\"size\": $size,/\"size\": $((size + 1)),/" lay/index.json >bad/index.json &&
	! cmp lay/index.json bad/index.json &&
	refused "index.json says $((size + 1))" manifold create --insecure "$R/refused/app:r5" oci:bad:img
'

test_expect_success 'bad layout: a missing manifest, a missing config' '
	bad_layout bad &&
	rm "$(blob bad "${D[lay-img]}")" &&
	refused "no such manifest" manifold create --insecure "$R/refused/app:r6" oci:bad:img &&
	bad_layout bad &&
	rm "$(blob bad "$IMG_CONFIG")" &&
	# into a store that lacks the config (one it holds is not read again)
	(export MANIFOLD_DIR=$TRASH/noconfig &&
	 manifold create "$R/x/empty:l" >/dev/null &&
	 refused "$IMG_CONFIG" manifold create --insecure "$R/refused/app:r7" oci:bad:img)
'

test_expect_success 'bad layout: a missing layer, on push' '
	push_layout bad3 lay-d &&
	manifold create --insecure "$R/bad3/app:v1" oci:bad3:img >/dev/null &&
	rm "$(blob bad3 "$layer")" &&
	refused "blob $layer is not in" manifold push -q "$R/bad3/app:v1" &&
	test_must_fail remote_manifest bad3/app v1
'

test_expect_success 'bad layout: a tag that is not there' '
	refused "no such manifest: oci:.*/lay:nope$" manifold create --insecure "$R/refused/app:r8" oci:lay:nope &&
	refused "no such manifest: oci:.*/lay:nope$" manifold inspect oci:lay:nope
'

test_expect_success 'bad layout: two entries with the same tag' '
	bad_layout bad &&
	jq -c ".manifests[1].annotations[\"org.opencontainers.image.ref.name\"] = \"img\"" \
		lay/index.json >bad/index.json &&
	refused "tag .img. is ambiguous: 2 entries" manifold create --insecure "$R/refused/app:r9" oci:bad:img
'

test_expect_success 'bad layout: a symlinked blob is not followed' '
	bad_layout bad &&
	f=$(blob bad "${D[lay-img]}") &&
	cp "$f" elsewhere && rm "$f" && ln -s "$TRASH/elsewhere" "$f" &&
	refused "is a symbolic link, not a regular file" manifold create --insecure "$R/refused/app:r10" oci:bad:img
'

test_expect_success 'a layout named without a tag must hold one image' '
	refused "holds 2 images: name one" manifold create --insecure "$R/refused/app:r11" oci:lay &&
	refused "holds 2 images: name one" manifold inspect oci:lay
'

test_expect_success 'two pushes into one layout at once: both tags are there' '
	manifold create --insecure "$R/conc/app:a" "$APP:amd64-oci" >/dev/null &&
	manifold create --insecure "$R/conc/app:b" "$APP:arm64-oci" >/dev/null &&
	manifold create --insecure "$R/conc/app:c" "$APP:amd64-oci" "$APP:arm64-oci" >/dev/null &&
	for round in 1 2 3 4 5; do
		{ manifold push "$R/conc/app:a" "oci:conc:a$round" >/dev/null 2>err.a & } &&
		pa=$! &&
		{ manifold push "$R/conc/app:b" "oci:conc:b$round" >/dev/null 2>err.b & } &&
		pb=$! &&
		{ manifold push "$R/conc/app:c" "oci:conc:c$round" >/dev/null 2>err.c & } &&
		pc=$! &&
		wait $pa && wait $pb && wait $pc || return 1
	done &&
	umoci ls --layout conc | sort >tags &&
	printf "%s\n" a1 a2 a3 a4 a5 b1 b2 b3 b4 b5 c1 c2 c3 c4 c5 >expect &&
	test_cmp expect tags
'

# The candidates bash completion offers for the command line $1 (the
# cursor at its end), one per line; as in t0001.
bash_complete() {
	"${BASH:-bash}" -c '
		. "$1" || exit 1
		COMP_LINE=$2
		COMP_POINT=${#2}
		read -r -a COMP_WORDS <<<"$2"
		case $2 in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_manifold || exit 1
		for c in "${COMPREPLY[@]}"; do printf "%s\n" "$c"; done
	' bash_complete "$MANIFOLD_SOURCE_DIR/contrib/completion/manifold.bash" "$1"
}

test_expect_success 'bash completion: layout prefixes, directories, then tags' '
	bash_complete "manifold create $R/x:v1 o" >got &&
	printf "%s\n" oci: oci-layout:// ocidir:// >expect &&
	test_cmp expect got &&
	# after the last ":" (a word break), readline replaces only the rest
	bash_complete "manifold push $R/x:v1 oci:ol" >got &&
	echo olay/ >expect &&
	test_cmp expect got &&
	bash_complete "manifold inspect ocidir://fi" >got &&
	echo //fidx/ >expect &&
	test_cmp expect got &&
	bash_complete "manifold create $R/x:v1 oci:lay:" | sort >got &&
	printf "%s\n" img img2 >expect &&
	test_cmp expect got &&
	bash_complete "manifold fetch oci-layout://olay:v" | sort >got &&
	printf "%s\n" v0 v1 >expect &&
	test_cmp expect got &&
	# ls-remote takes a layout without a tag
	bash_complete "manifold ls-remote oci:lay:" >got &&
	test ! -s got &&
	# the list name is a local list, never a layout
	bash_complete "manifold push o" >got &&
	test ! -s got
'

test_expect_success ZSH 'the zsh completion is valid zsh' '
	zsh -n "$MANIFOLD_SOURCE_DIR/contrib/completion/_manifold"
'

test_done
