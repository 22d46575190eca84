#!/bin/bash
test_description='fsck and gc reach the whole graph: grandchildren, reflog values, old values'
#
# Found by tests/mutate.sh: fsck that does not walk below a list's
# children (fsck-walks-grandchildren), fsck that does not walk what only
# a reflog reaches (fsck-walks-reflog), and gc that keeps only the new
# value of a reflog entry (gc-keeps-reflog-old-value) all passed the
# suite.
. ./test-lib.sh

M=$(sha256_of "$DATA/oci-manifest.json")
MC=$(sha256_of "$DATA/oci-config.json")
DM=$(sha256_of "$DATA/docker-manifest.json")
DC=$(sha256_of "$DATA/docker-config.json")

size_of() {
	wc -c <"$1" | tr -d " "
}
# Two lists of one image each, whose children are in the store when the
# test says so.
printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}}]}' \
	"$IDX" "$OCI_MANIFEST" "$M" "$(size_of "$DATA/oci-manifest.json")" >index.json
printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","size":%s,"digest":"%s","platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}' \
	"$DOCKER_LIST" "$DOCKER_MANIFEST" "$(size_of "$DATA/docker-manifest.json")" "$DM" >list.json
A=$(sha256_of index.json)
B=$(sha256_of list.json)

objects() {
	manifold cat-manifest --batch-check --batch-all-objects | cut -d" " -f1 | sort
}

test_expect_success 'fsck reports the missing config of a list'\''s manifest' '
	export MANIFOLD_DIR="$TRASH/store-grandchild" &&
	manifold hash-object -w index.json "$DATA/oci-manifest.json" >/dev/null &&
	manifold update-ref lists/app "$A" &&
	test_must_fail --code=1 manifold fsck >out 2>err &&
	echo "missing config $MC of $M (reached from '\''lists/app'\'')" >expect &&
	test_cmp expect out &&
	manifold hash-object -w "$DATA/oci-config.json" >/dev/null &&
	manifold fsck >out 2>err &&
	test_line_count = 0 out
'

test_expect_success 'fsck walks what only a reflog entry reaches' '
	export MANIFOLD_DIR="$TRASH/store-reflog" &&
	manifold hash-object -w index.json "$DATA/oci-manifest.json" list.json \
		"$DATA/docker-manifest.json" "$DATA/docker-config.json" >/dev/null &&
	manifold update-ref lists/app "$A" &&
	manifold update-ref lists/app "$B" &&
	test_must_fail --code=1 manifold fsck >out 2>err &&
	echo "missing config $MC of $M (reached from '\''lists/app'\'')" >expect &&
	test_cmp expect out
'

test_expect_success 'gc keeps the old value of the only reflog entry left' '
	export MANIFOLD_DIR="$TRASH/store-old-value" &&
	manifold hash-object -w index.json list.json "$DATA/oci-manifest.json" \
		"$DATA/oci-config.json" "$DATA/docker-manifest.json" \
		"$DATA/docker-config.json" >/dev/null &&
	manifold update-ref lists/app "$A" &&
	manifold update-ref lists/app "$B" &&
	manifold reflog expire --expire=now --all &&
	manifold reflog --no-abbrev lists/app >reflog &&
	test_line_count = 1 reflog &&
	manifold gc --prune=now >out &&
	printf "%s\n" "$A" "$B" "$M" "$MC" "$DM" "$DC" | sort >expect &&
	objects >actual &&
	test_cmp expect actual &&
	manifold fsck
'

test_done
