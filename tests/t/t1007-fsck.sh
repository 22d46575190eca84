#!/bin/bash
test_description='fsck: a clean store passes; corrupt objects, refs and reflogs are reported'
. ./test-lib.sh

M=$(sha256_of "$DATA/oci-manifest.json")
DM=$(sha256_of "$DATA/docker-manifest.json")
MISSING=sha256:1111111111111111111111111111111111111111111111111111111111111111

# Lists whose children are all in the store (the sample lists name
# platforms that are not there).
size_of() {
	wc -c <"$1" | tr -d " "
}
printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}}]}' \
	"$IDX" "$OCI_MANIFEST" "$M" "$(size_of "$DATA/oci-manifest.json")" >index.json
printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","size":%s,"digest":"%s","platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}' \
	"$DOCKER_LIST" "$DOCKER_MANIFEST" "$(size_of "$DATA/docker-manifest.json")" "$DM" >list.json
A=$(sha256_of index.json)
B=$(sha256_of list.json)
COMPLETE="$DATA/oci-manifest.json $DATA/oci-config.json $DATA/docker-manifest.json $DATA/docker-config.json $TRASH/index.json $TRASH/list.json"

if ! test_have_prereq MDB_TOOLS; then
	test_skip_all "mdb_load/mdb_dump (lmdb-utils) not installed"
fi

hex_of() {
	printf "%s" "$1" | od -An -v -tx1 | tr -d " \n"
}

# store_put db key-hex value-hex: put one record straight into the
# store's LMDB database db, behind manifold's back.
store_put() {
	printf "VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n %s\n %s\nDATA=END\n" \
		"$2" "$3" >load.txt &&
	mdb_load -s "$1" -f load.txt "$MANIFOLD_DIR"
}

# object_value digest: the stored value (header, media type, bytes) in hex.
object_value() {
	mdb_dump -s objects "$MANIFOLD_DIR" |
		awk -v k=" $(hex_of "$1")" "f { print substr(\$0, 2); exit } \$0 == k { f = 1 }"
}

# reflog_key name seq: the hex key of a reflog row.
reflog_key() {
	printf "%s00%016x" "$(hex_of "$1")" "$2"
}

# fresh: point this test at a new store holding two lists, their
# manifests and configs, and refs to them.
fresh() {
	export MANIFOLD_DIR="$TRASH/$1" &&
	manifold hash-object -w $COMPLETE >/dev/null &&
	manifold update-ref lists/app "$A" &&
	manifold update-ref lists/app "$B" &&
	manifold update-ref remotes/m "$M"
}

test_expect_success 'fsck without a store is fatal and creates none' '
	test_must_fail --code=128 manifold fsck >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "^fatal: no store at .$MANIFOLD_DIR.$" err &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'a clean store: exit 0, no problems, a summary on stderr' '
	fresh store-clean &&
	manifold fsck >out 2>err &&
	test_line_count = 0 out &&
	echo "checked objects: 6, refs: 2, reflogs: 2 (entries: 3); remote-only: 0; problems: 0" >expect &&
	test_cmp expect err
'

test_expect_success 'an empty store is clean' '
	export MANIFOLD_DIR="$TRASH/store-empty" &&
	printf "" | manifold hash-object -w --batch &&
	manifold update-ref lists/x "$(manifold hash-object -w "$DATA/oci-config.json")" &&
	manifold update-ref -d lists/x &&
	manifold fsck 2>err &&
	test_grep "problems: 0$" err
'

test_expect_success 'fsck -v reports each object checked on stderr' '
	export MANIFOLD_DIR="$TRASH/store-clean" &&
	manifold fsck -v >out 2>err &&
	test_line_count = 0 out &&
	for f in $COMPLETE; do
		d=$(sha256_of "$f") &&
		test_grep "^ok $d $(manifold cat-manifest -t "$d")$" err || exit 1
	done
'

test_expect_success 'fsck changes nothing' '
	export MANIFOLD_DIR="$TRASH/store-clean" &&
	store_snapshot >before &&
	manifold fsck 2>/dev/null &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'fsck takes no arguments' '
	export MANIFOLD_DIR="$TRASH/store-clean" &&
	test_must_fail --code=129 manifold fsck lists/app 2>err &&
	test_grep "takes no arguments" err &&
	test_must_fail --code=129 manifold fsck --frobnicate 2>err &&
	test_grep "unknown option" err
'

test_expect_success 'an object whose bytes no longer match its digest is reported' '
	fresh store-bad-hash &&
	v=$(object_value "$A") &&
	test -n "$v" &&
	case $v in *20) last=21 ;; *) last=20 ;; esac &&
	store_put objects "$(hex_of "$A")" "${v%??}$last" &&
	test_must_fail --code=1 manifold fsck >out 2>err &&
	test_line_count = 1 out &&
	test_grep "^bad object $A: content hashes to sha256:[0-9a-f]\{64\}$" out &&
	test_grep "problems: 1$" err
'

test_expect_success 'every corrupt object is reported, not just the first' '
	fresh store-bad-two &&
	for d in "$A" "$M"; do
		v=$(object_value "$d") &&
		store_put objects "$(hex_of "$d")" "${v%??}20" || exit 1
	done &&
	test_must_fail --code=1 manifold fsck >out 2>/dev/null &&
	test_line_count = 2 out &&
	test_grep "^bad object $A: content hashes to" out &&
	test_grep "^bad object $M: content hashes to" out
'

test_expect_success 'a stored object that is not valid for its media type is reported' '
	fresh store-invalid &&
	printf "{\"foo\":1}" >unknown.json &&
	d=$(manifold hash-object -w --literally -t "$OCI_MANIFEST" unknown.json) &&
	test_must_fail --code=1 manifold fsck >out 2>/dev/null &&
	echo "bad object $d: invalid manifest: schemaVersion is missing" >expect &&
	test_cmp expect out
'

test_expect_success 'an object with an invalid media type is reported' '
	fresh store-bad-type &&
	v=$(object_value "$A") &&
	t=$(hex_of "+json") &&
	store_put objects "$(hex_of "$A")" "$(echo "$v" | sed "s/$t/$(hex_of " json")/")" &&
	echo "application/vnd.oci.image.index.v1 json" >expect &&
	manifold cat-manifest -t "$A" >actual &&
	test_cmp expect actual &&
	test_must_fail --code=1 manifold fsck >out 2>/dev/null &&
	echo "bad object $A: invalid media type '\''application/vnd.oci.image.index.v1 json'\''" >expect &&
	test_cmp expect out
'

test_expect_success 'a ref to a missing object is reported' '
	fresh store-broken-ref &&
	store_put refs "$(hex_of lists/broken)" "$(hex_of "$MISSING")" &&
	test_must_fail --code=1 manifold fsck >out 2>err &&
	echo "broken ref '\''lists/broken'\'': object $MISSING is missing" >expect &&
	test_cmp expect out &&
	test_grep "^checked objects: 6, refs: 3, reflogs: 2 (entries: 3); remote-only: 0; problems: 1$" err
'

test_expect_success 'a ref with an invalid name is reported' '
	fresh store-bad-name &&
	store_put refs "$(hex_of "lists/a b")" "$(hex_of "$A")" &&
	test_must_fail --code=1 manifold fsck >out 2>/dev/null &&
	echo "bad ref '\''lists/a b'\'': invalid name" >expect &&
	test_cmp expect out
'

test_expect_success 'a reflog entry naming a missing object is reported' '
	fresh store-broken-reflog &&
	row="$A $MISSING Test User <test@example.com> 1700000000 +0000	bogus" &&
	store_put reflog "$(reflog_key lists/app 2)" "$(hex_of "$row")" &&
	manifold reflog --no-abbrev -n 1 lists/app >actual &&
	echo "$MISSING lists/app@{0}: bogus" >expect &&
	test_cmp expect actual &&
	test_must_fail --code=1 manifold fsck >out 2>/dev/null &&
	echo "broken reflog of '\''lists/app'\'': object $MISSING is missing" >expect &&
	test_cmp expect out
'

test_expect_success 'a malformed reflog row is reported' '
	fresh store-bad-reflog &&
	store_put reflog "$(reflog_key lists/app 2)" "$(hex_of "not a reflog line")" &&
	test_must_fail --code=1 manifold fsck >out 2>/dev/null &&
	test_line_count = 1 out &&
	test_grep "^bad reflog of .lists/app.: malformed reflog entry$" out
'

test_expect_success 'an object record with a bad header is reported' '
	fresh store-bad-header &&
	store_put objects "$(hex_of "$A")" 0100 &&
	test_must_fail --code=1 manifold fsck >out 2>/dev/null &&
	test_grep "$A.*bad header" out
'

test_expect_success 'a truncated object record is reported' '
	fresh store-truncated &&
	v=$(object_value "$M") &&
	store_put objects "$(hex_of "$M")" "${v%??????}" &&
	test_must_fail --code=1 manifold fsck >out 2>/dev/null &&
	test_grep "$M.*truncated" out &&
	test_must_fail --code=128 manifold cat-manifest "$M" 2>err &&
	test_stderr_line "^fatal: object .$M. is truncated$" err
'

test_expect_success 'fsck goes on after an unreadable object record' '
	fresh store-keep-going &&
	store_put objects "$(hex_of "$A")" 0100 &&
	store_put refs "$(hex_of lists/broken)" "$(hex_of "$MISSING")" &&
	v=$(object_value "$M") &&
	store_put objects "$(hex_of "$M")" "${v%??}20" &&
	test_must_fail --code=1 manifold fsck >out 2>err &&
	test_grep "$A.*bad header" out &&
	test_grep "^bad object $M: content hashes to" out &&
	test_grep "^broken ref .lists/broken.: object $MISSING is missing$" out &&
	test_grep "^checked objects: 6, refs: 3, reflogs: 2 (entries: 3); remote-only: 0; problems: 3$" err
'

test_expect_success 'a list whose child manifest is not in the store is reported' '
	export MANIFOLD_DIR="$TRASH/store-missing-child" &&
	manifold hash-object -w index.json >/dev/null &&
	manifold update-ref lists/app "$A" &&
	test_must_fail --code=1 manifold fsck >out 2>/dev/null &&
	test_grep "$M" out
'

test_done
