#!/bin/bash
test_description='an OCI archive written afresh: blobs go straight into the tar from concurrent workers; a failed export leaves nothing'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-faults.sh"

for tool in umoci jq; do
	command -v "$tool" >/dev/null 2>&1 ||
		test_skip_all "t7001 needs $tool, which is not installed"
done

# An OCI index of 16 images of two layers each: 1 + 16 + 16 + 32 = 65 blobs.
start_registry plain
R=$REGISTRY
ENTRIES=16
children=()
plats=(linux/amd64 linux/arm64/v8 linux/arm/v7 linux/386)
for i in $(seq "$ENTRIES"); do
	seed_image "many/app:e$i" --format oci --platform "${plats[i % 4]}" \
		--seed "many-$i" --layers 2 >/dev/null || exit 1
	children+=(":e$i")
done
LIST_D=$(seed_index many/app:list "${children[@]}") || exit 1
L=$R/many/app:list

# blobs_ok DIR: every blob of the layout hashes to its name
blobs_ok() {
	for f in "$1"/blobs/sha256/*; do
		test "$(sha256sum <"$f" | cut -c1-64)" = "${f##*/}" ||
		{ echo "$f is not true to its name"; return 1; }
	done
}

# graph LIST: the digests of the list, its entries, their configs and layers
graph() {
	manifold rev-parse "$1" &&
	for c in $(manifold cat-manifest "$1" | jq -r '.manifests[].digest'); do
		echo "$c" &&
		manifold cat-manifest "$c" | jq -r '.config.digest, .layers[].digest' ||
		return 1
	done
}

# leftovers FILE: what an export to FILE left beside it
leftovers() {
	find . -maxdepth 1 -name "$1.*" -print
}

test_expect_success 'export at --jobs 8: every member whole, each blob once, read by tar, skopeo, umoci and import' '
	manifold fetch --insecure "$L" >/dev/null &&
	test "$(manifold rev-parse "$L")" = "$LIST_D" &&
	graph "$L" | sort >graph &&
	test "$(sort -u graph | wc -l)" = $((1 + 4 * ENTRIES)) &&
	manifold export --jobs 8 -o oci-archive:many.tar "$L" >out &&
	test -z "$(leftovers many.tar)" &&
	# GNU tar reads it all, without a complaint
	tar -tvf many.tar >list 2>err &&
	! test -s err &&
	sed -n "s|.* blobs/sha256/\([0-9a-f]\{64\}\)$|sha256:\1|p" list | sort >members &&
	test_cmp graph members &&
	test -z "$(awk "{ print \$NF }" list | sort | uniq -d)" &&
	test_grep " blobs/$" list &&
	test_grep " blobs/sha256/$" list &&
	test_grep " index.json$" list &&
	test_grep " oci-layout$" list &&
	# every member whole: extracted, each is true to its name and size
	mkdir x && tar -xf many.tar -C x &&
	blobs_ok x &&
	test "$(ls x/blobs/sha256 | wc -l)" = $((1 + 4 * ENTRIES)) &&
	umoci ls --layout x >tags &&
	echo "$L" >expect &&
	test_cmp expect tags &&
	skopeo inspect --raw "oci-archive:many.tar:$L" >got &&
	manifold cat-manifest "$L" >want &&
	test_cmp want got &&
	MANIFOLD_DIR=$TRASH/fromtar manifold import oci-archive:many.tar >out &&
	test_grep "	created	$L$" out &&
	MANIFOLD_DIR=$TRASH/fromtar manifold fsck
'

test_expect_success 'skopeo copies every blob of the archive to a registry, every digest kept' '
	skopeo copy -q --all --preserve-digests --dest-tls-verify=false \
		--dest-no-creds "oci-archive:many.tar:$L" "docker://$R/copy/app:list" &&
	registry_curl -sS -f -H "Accept: application/vnd.oci.image.index.v1+json" \
		"$REGISTRY_URL/v2/copy/app/manifests/list" >got &&
	test_cmp want got
'

test_expect_success 'export again over the archive: the same members' '
	manifold export --jobs 8 -o oci-archive:many.tar "$L" >/dev/null &&
	tar -tf many.tar | sort >again &&
	awk "{ print \$NF }" list | sort >first &&
	test_cmp first again &&
	test -z "$(leftovers many.tar)"
'

test_expect_success 'a failed export (a layer whose registry lies): no archive, no temporary file' '
	layer=$(manifold cat-manifest "$(manifold cat-manifest "$L" |
		jq -r ".manifests[5].digest")" | jq -r ".layers[1].digest") &&
	fault_proxy lie "GET /blobs/$layer flip" &&
	PL=$P_lie/many/app:list &&
	# a store that knows the list from the proxy only
	export MANIFOLD_DIR=$TRASH/lie &&
	manifold fetch --insecure "$PL" >/dev/null &&
	test_must_fail --code=1 manifold export --jobs 8 -o oci-archive:bad.tar \
		"$PL" 2>err &&
	test_grep "$layer" err &&
	test_grep "FAULT flip GET .*$layer" "$PLOG_lie" &&
	! test -e bad.tar &&
	test -z "$(leftovers bad.tar)" &&
	# an archive that was there is left as it was
	cp many.tar keep.tar &&
	test_must_fail --code=1 manifold export --jobs 8 -o oci-archive:keep.tar \
		"$PL" 2>err &&
	test_cmp many.tar keep.tar &&
	test -z "$(leftovers keep.tar)"
'

test_done
