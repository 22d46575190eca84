#!/bin/bash
test_description='referrers (OCI 1.1 subject) travel with their graph: layout -> store -> layout, registry'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

for tool in umoci jq skopeo; do
	command -v "$tool" >/dev/null 2>&1 ||
		test_skip_all "t7010 needs $tool, which is not installed"
done

start_registry plain
R=$REGISTRY
L=$R/rel/app:v1
HOME_STORE=$MANIFOLD_DIR

seed_layout() {
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/registry/seed.py" image \
		--layout "$1" --ref "$2" --format oci "${@:3}"
}
add_referrer() {
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/t/add-referrer.py" "$@"
}
# entries DIR DIGEST: how many entries of DIR/index.json name DIGEST
entries() {
	jq --arg d "$2" '[.manifests[] | select(.digest == $d)] | length' "$1/index.json"
}
blobs_ok() {
	for f in "$1"/blobs/sha256/*; do
		test "$(sha256sum <"$f" | cut -c1-64)" = "${f##*/}" ||
		{ echo "$f is not true to its name"; return 1; }
	done
}
layer_of() {
	jq -r '.layers[0].digest' "$1/blobs/sha256/${2#sha256:}"
}

# A list of two never-pushed images, exported to a layout, with an SBOM
# of the list, an attestation of one image, a signature of the SBOM, and
# an SBOM of an image outside the list (not listed itself), all untagged
# (as oras attach writes them).
A=$(seed_layout src a --platform linux/amd64 --seed ref-a) &&
B=$(seed_layout src b --platform linux/arm64/v8 --seed ref-b) &&
manifold create --format oci "$L" oci:src:a oci:src:b >/dev/null &&
LIST=$(manifold rev-parse "$L") &&
manifold export -o oci:lay "$L" >/dev/null &&
SBOM=$(add_referrer lay "$LIST" application/spdx+json "{\"sbom\":1}") &&
ATT=$(add_referrer lay "$A" application/vnd.in-toto+json "{\"att\":1}") &&
SIG=$(add_referrer lay "$SBOM" application/vnd.example.sig "sig-of-sbom") &&
C=$(seed_layout lay other --platform linux/s390x --seed ref-c) &&
OTHER=$(add_referrer lay "$C" application/spdx+json "{\"other\":1}") &&
jq -c --arg d "$C" "del(.manifests[] | select(.digest == \$d))" lay/index.json >index &&
mv index lay/index.json || {
	echo "Bail out! could not make the layout with referrers"
	exit 1
}

test_expect_success 'the layout holds the list and four referrers' '
	test "$(jq ".manifests | length" lay/index.json)" = 5 &&
	test "$(entries lay "$SBOM")" = 1 &&
	blobs_ok lay
'

test_expect_success 'import takes every referrer of the graph, and of its referrers, and no other' '
	export MANIFOLD_DIR=$TRASH/air &&
	manifold import oci:lay >out &&
	test "$(manifold rev-parse "$L")" = "$LIST" &&
	for d in "$SBOM" "$ATT" "$SIG"; do
		manifold cat-manifest "$d" >got &&
		cmp got "lay/blobs/sha256/${d#sha256:}" || return 1
	done &&
	test_must_fail manifold cat-manifest "$OTHER" &&
	manifold fsck
'

test_expect_success 'export from the importing store lists them untagged, with their artifactType, blobs and all' '
	export MANIFOLD_DIR=$TRASH/air &&
	manifold export -o oci:lay2 "$L" >/dev/null &&
	for d in "$SBOM" "$ATT" "$SIG"; do
		test "$(entries lay2 "$d")" = 1 &&
		test -f "lay2/blobs/sha256/$(layer_of lay2 "$d" | cut -d: -f2)" || return 1
	done &&
	test "$(entries lay2 "$OTHER")" = 0 &&
	test "$(jq -r --arg d "$SBOM" ".manifests[] | select(.digest == \$d) | .artifactType" lay2/index.json)" = application/spdx+json &&
	test "$(jq -r --arg d "$SBOM" ".manifests[] | select(.digest == \$d) | .annotations" lay2/index.json)" = null &&
	test "$(jq ".manifests | length" lay2/index.json)" = 4 &&
	blobs_ok lay2
'

test_expect_success 'a second export lists no referrer twice' '
	export MANIFOLD_DIR=$TRASH/air &&
	manifold export -o oci:lay2 "$L" >/dev/null &&
	test "$(jq ".manifests | length" lay2/index.json)" = 4
'

test_expect_success 'skopeo and umoci read the layout with its referrers' '
	umoci ls --layout lay2 >tags &&
	echo "$L" >expect &&
	test_cmp expect tags &&
	skopeo inspect --raw "oci:lay2:$L" >got &&
	cmp got "lay/blobs/sha256/${LIST#sha256:}" &&
	skopeo copy -q --all --preserve-digests --dest-tls-verify=false --dest-no-creds \
		"oci:lay2:$L" "docker://$R/skopeo/app:v1"
'

test_expect_success 'push --dry-run names each referrer' '
	export MANIFOLD_DIR=$TRASH/air &&
	manifold push --dry-run "$L" oci:lay3:v1 >plan &&
	for d in "$SBOM" "$ATT" "$SIG"; do
		grep -q "^put      referrer $d\$" plan || return 1
	done &&
	test ! -e lay3
'

test_expect_success 'push to a registry sends the referrers and their blobs' '
	export MANIFOLD_DIR=$TRASH/air &&
	manifold push --insecure "$L" "$R/ref/app:v1" >/dev/null &&
	for d in "$SBOM" "$ATT" "$SIG"; do
		registry_curl -sS -f -H "Accept: application/vnd.oci.image.manifest.v1+json" \
			"$REGISTRY_URL/v2/ref/app/manifests/$d" >got &&
		cmp got "lay/blobs/sha256/${d#sha256:}" &&
		registry_curl -sS -f -o /dev/null -I \
			"$REGISTRY_URL/v2/ref/app/blobs/$(layer_of lay "$d")" || return 1
	done
'

# schema_index SUBJECT: the referrers tag schema index of SUBJECT in ref/app
schema_index() {
	registry_curl -sS -f -H "Accept: application/vnd.oci.image.index.v1+json" \
		"$REGISTRY_URL/v2/ref/app/manifests/sha256-${1#sha256:}"
}

test_expect_success 'the registry lists them in the referrers tag schema (it has no referrers API)' '
	schema_index "$LIST" >idx &&
	jq -r ".manifests[].digest" idx >got &&
	echo "$SBOM" >expect &&
	test_cmp expect got &&
	test "$(jq -r ".manifests[0].artifactType" idx)" = application/spdx+json &&
	test "$(jq -r .mediaType idx)" = application/vnd.oci.image.index.v1+json &&
	schema_index "$SBOM" | jq -r ".manifests[].digest" >got &&
	echo "$SIG" >expect &&
	test_cmp expect got &&
	schema_index "$A" | jq -r ".manifests[].digest" >got &&
	echo "$ATT" >expect &&
	test_cmp expect got
'

test_expect_success 'a push that adds a referrer keeps the ones another tool listed' '
	export MANIFOLD_DIR=$TRASH/air &&
	FOREIGN="{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$B\",\"size\":$(wc -c <"src/blobs/sha256/${B#sha256:}"),\"artifactType\":\"application/x-theirs\"}" &&
	schema_index "$LIST" | jq -c ".manifests = [$FOREIGN]" >theirs &&
	registry_curl -sS -f -X PUT -H "Content-Type: application/vnd.oci.image.index.v1+json" \
		--data-binary @theirs "$REGISTRY_URL/v2/ref/app/manifests/sha256-${LIST#sha256:}" &&
	manifold push --insecure --force "$L" "$R/ref/app:v1" >/dev/null &&
	schema_index "$LIST" | jq -r ".manifests[].digest" | sort >got &&
	printf "%s\n" "$SBOM" "$B" | sort >expect &&
	test_cmp expect got
'

test_expect_success 'push to a layout lists them' '
	export MANIFOLD_DIR=$TRASH/air &&
	manifold push "$L" oci:lay3:v1 >/dev/null &&
	for d in "$SBOM" "$ATT" "$SIG"; do
		test "$(entries lay3 "$d")" = 1 || return 1
	done &&
	blobs_ok lay3
'

test_expect_success 'create from a layout takes the referrers of its images, and push carries them' '
	export MANIFOLD_DIR=$TRASH/fromsrc &&
	cp -r src src2 &&
	ATT2=$(add_referrer src2 "$A" application/vnd.in-toto+json "{\"att\":2}") &&
	manifold create "$R/rel/app:v2" oci:src2:a oci:src2:b >/dev/null &&
	manifold cat-manifest "$ATT2" >/dev/null &&
	manifold push "$R/rel/app:v2" oci:lay4:v2 >/dev/null &&
	test "$(entries lay4 "$ATT2")" = 1 &&
	test -f "lay4/blobs/sha256/$(layer_of src2 "$ATT2" | cut -d: -f2)" &&
	blobs_ok lay4
'

test_expect_success 'an archive carries them too: export to oci-archive, import from it' '
	export MANIFOLD_DIR=$TRASH/air &&
	manifold export -o oci-archive:rel.tar "$L" >/dev/null &&
	tar -xf rel.tar index.json &&
	for d in "$SBOM" "$ATT" "$SIG"; do
		test "$(entries . "$d")" = 1 || return 1
	done &&
	export MANIFOLD_DIR=$TRASH/fromtar &&
	manifold import oci-archive:rel.tar >/dev/null &&
	for d in "$SBOM" "$ATT" "$SIG"; do
		manifold cat-manifest "$d" >got &&
		cmp got "lay/blobs/sha256/${d#sha256:}" || return 1
	done &&
	manifold fsck
'

test_expect_success 'gc keeps the referrers of a kept list, and drops them with it' '
	export MANIFOLD_DIR=$TRASH/gcs &&
	manifold import oci:lay >/dev/null &&
	manifold gc --prune=now -q &&
	manifold cat-manifest "$SIG" >/dev/null &&
	manifold fsck &&
	manifold rm "$L" &&
	manifold reflog expire --expire=now --all &&
	manifold gc --prune=now -q &&
	for d in "$LIST" "$SBOM" "$ATT" "$SIG"; do
		test_must_fail manifold cat-manifest "$d" 2>/dev/null || return 1
	done &&
	test -z "$(manifold cat-manifest --batch-check --batch-all-objects)" &&
	manifold fsck
'

test_expect_success 'an untagged entry that lies about its digest: import fails, nothing imported' '
	export MANIFOLD_DIR=$TRASH/bad1 &&
	cp -r lay badlay1 &&
	printf "{}" >"badlay1/blobs/sha256/${SIG#sha256:}" &&
	test_must_fail manifold import oci:badlay1 2>err &&
	test_stderr_line ".*${SIG#sha256:}.*" err &&
	{ test ! -e "$MANIFOLD_DIR/data.mdb" || test -z "$(manifold show-ref)"; }
'

test_expect_success 'a referrer whose layer is missing: import fails, nothing imported' '
	export MANIFOLD_DIR=$TRASH/bad2 &&
	cp -r lay badlay2 &&
	rm "badlay2/blobs/sha256/$(layer_of lay "$ATT" | cut -d: -f2)" &&
	test_must_fail manifold import oci:badlay2 2>err &&
	test_stderr_line ".*$(layer_of lay "$ATT" | cut -c8-20).*" err &&
	{ test ! -e "$MANIFOLD_DIR/data.mdb" || test -z "$(manifold show-ref)"; }
'

test_expect_success 'import --no-referrers leaves them out' '
	export MANIFOLD_DIR=$TRASH/noref &&
	manifold import --no-referrers oci:lay >/dev/null &&
	test "$(manifold rev-parse "$L")" = "$LIST" &&
	test_must_fail manifold cat-manifest "$SBOM"
'

test_done
