#!/bin/bash
test_description='where the store is: --store, -C, MANIFOLD_DIR, XDG_DATA_HOME, HOME; what is not a store'
. ./test-lib.sh

A=$(sha256_of "$DATA/oci-index.json")
B=$(sha256_of "$DATA/docker-list.json")

# has_object dir digest: the store at dir holds digest.
has_object() {
	manifold --store "$1" cat-manifest -e "$2"
}

# A listing of a directory tree with file sizes and contents' digests.
tree_state() {
	(cd "$1" && find . -exec ls -ld --time-style=+ {} \; | sort &&
		find . -type f -exec sha256sum {} \; | sort)
}

test_expect_success 'MANIFOLD_DIR names the store; a first write creates it' '
	! test -e "$MANIFOLD_DIR" &&
	manifold hash-object -w "$DATA/oci-index.json" &&
	test -f "$MANIFOLD_DIR/data.mdb" &&
	has_object "$MANIFOLD_DIR" "$A"
'

test_expect_success 'a first write creates missing parent directories' '
	export MANIFOLD_DIR="$TRASH/deep/er/store" &&
	manifold hash-object -w "$DATA/oci-index.json" &&
	test -f "$MANIFOLD_DIR/data.mdb"
'

test_expect_success '--store, --store= and -C override MANIFOLD_DIR' '
	manifold --store "$TRASH/s1" hash-object -w "$DATA/docker-list.json" &&
	manifold --store="$TRASH/s2" hash-object -w "$DATA/docker-list.json" &&
	manifold -C "$TRASH/s3" hash-object -w "$DATA/docker-list.json" &&
	for s in s1 s2 s3; do
		has_object "$TRASH/$s" "$B" &&
		test_must_fail --code=1 has_object "$TRASH/$s" "$A" || exit 1
	done &&
	test_must_fail --code=1 manifold cat-manifest -e "$B"
'

test_expect_success 'the last --store given wins' '
	manifold --store "$TRASH/nowhere" --store "$TRASH/s1" cat-manifest -e "$B" &&
	! test -e "$TRASH/nowhere"
'

test_expect_success 'XDG_DATA_HOME/manifold is used when MANIFOLD_DIR is not set' '
	unset MANIFOLD_DIR &&
	export XDG_DATA_HOME="$TRASH/xdg" HOME="$TRASH/home-xdg" &&
	manifold hash-object -w "$DATA/docker-list.json" &&
	has_object "$TRASH/xdg/manifold" "$B" &&
	! test -e "$TRASH/home-xdg"
'

test_expect_success 'MANIFOLD_DIR wins over XDG_DATA_HOME' '
	export XDG_DATA_HOME="$TRASH/xdg2" HOME="$TRASH/home2" &&
	manifold hash-object -w "$DATA/oci-config.json" &&
	has_object "$MANIFOLD_DIR" "$(sha256_of "$DATA/oci-config.json")" &&
	! test -e "$TRASH/xdg2" &&
	! test -e "$TRASH/home2"
'

test_expect_success '~/.local/share/manifold is the last resort' '
	unset MANIFOLD_DIR XDG_DATA_HOME &&
	export HOME="$TRASH/home" &&
	manifold hash-object -w "$DATA/docker-list.json" &&
	has_object "$TRASH/home/.local/share/manifold" "$B"
'

test_expect_success 'an empty MANIFOLD_DIR or XDG_DATA_HOME is ignored' '
	export MANIFOLD_DIR= XDG_DATA_HOME= HOME="$TRASH/home" &&
	manifold cat-manifest -e "$B"
'

test_expect_success 'a relative XDG_DATA_HOME is ignored' '
	unset MANIFOLD_DIR &&
	export XDG_DATA_HOME=relative HOME="$TRASH/home" &&
	manifold hash-object -w "$DATA/oci-config.json" &&
	has_object "$TRASH/home/.local/share/manifold" "$(sha256_of "$DATA/oci-config.json")" &&
	! test -e relative
'

test_expect_success '--store wins over every variable' '
	export XDG_DATA_HOME="$TRASH/xdg" HOME="$TRASH/home" &&
	manifold --store "$TRASH/s4" hash-object -w "$DATA/buildkit-index.json" &&
	d=$(sha256_of "$DATA/buildkit-index.json") &&
	has_object "$TRASH/s4" "$d" &&
	test_must_fail --code=1 has_object "$MANIFOLD_DIR" "$d" &&
	test_must_fail --code=1 has_object "$TRASH/xdg/manifold" "$d" &&
	test_must_fail --code=1 has_object "$TRASH/home/.local/share/manifold" "$d"
'

test_expect_success '--store without a value is a usage error' '
	test_must_fail --code=129 manifold --store 2>err &&
	test_grep "requires a value" err &&
	test_must_fail --code=129 manifold -C 2>err &&
	test_grep "requires a value" err
'

test_expect_success 'read-only commands never create a store' '
	export MANIFOLD_DIR="$TRASH/ro/a/b" &&
	test_must_fail --code=1 manifold cat-manifest -e "$A" &&
	test_must_fail --code=128 manifold cat-manifest "$A" 2>/dev/null &&
	echo "$A" | manifold cat-manifest --batch-check >/dev/null &&
	manifold cat-manifest --batch --batch-all-objects >/dev/null &&
	test_must_fail --code=1 manifold show-ref &&
	test_must_fail --code=2 manifold show-ref --exists lists/x &&
	test_must_fail --code=1 manifold show-ref --verify -q lists/x &&
	manifold reflog list &&
	test_must_fail --code=1 manifold reflog exists lists/x &&
	test_must_fail --code=128 manifold reflog lists/x 2>/dev/null &&
	manifold rev-parse "$A" >/dev/null &&
	test_must_fail --code=1 manifold rev-parse --verify -q "$A" &&
	test_must_fail --code=128 manifold fsck 2>/dev/null &&
	manifold hash-object "$DATA/oci-index.json" >/dev/null &&
	manifold update-ref --stdin </dev/null &&
	manifold hash-object -w --batch </dev/null &&
	! test -e "$TRASH/ro"
'

test_expect_success '--help of a write command creates no store' '
	export MANIFOLD_DIR="$TRASH/help-store" &&
	manifold update-ref --help >out &&
	test_grep "^usage: manifold update-ref" out &&
	manifold hash-object -h >out &&
	test_grep "^usage: manifold hash-object" out &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup: a directory holding other files' '
	mkdir other &&
	echo "precious" >other/notes.txt &&
	mkdir other/sub &&
	tree_state other >other.state
'

test_expect_success 'write commands refuse a directory holding other files' '
	test_must_fail --code=128 manifold --store other hash-object -w "$DATA/oci-index.json" >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "^fatal: .other. is not a manifold store \(it holds other files\)$" err &&
	test_must_fail --code=128 manifold --store other update-ref lists/x "$A" 2>err &&
	test_stderr_line "not a manifold store" err &&
	tree_state other >actual &&
	test_cmp other.state actual
'

test_expect_success 'read commands do not touch a directory holding other files' '
	test_must_fail --code=1 manifold --store other cat-manifest -e "$A" &&
	test_must_fail --code=1 manifold --store other show-ref &&
	tree_state other >actual &&
	test_cmp other.state actual
'

test_expect_success 'a file in place of the store is refused by reads and writes' '
	echo "not a store" >afile &&
	cp afile afile.orig &&
	test_must_fail --code=128 manifold --store afile hash-object -w "$DATA/oci-index.json" 2>err &&
	test_stderr_line "^fatal: .afile. is not a manifold store \(not a directory\)$" err &&
	test_must_fail --code=128 manifold --store afile show-ref 2>err &&
	test_stderr_line "^fatal: .afile. is not a manifold store \(not a directory\)$" err &&
	test_must_fail --code=128 manifold --store afile cat-manifest -e "$A" 2>err &&
	test_stderr_line "not a manifold store" err &&
	cmp afile.orig afile
'

test_expect_success 'a store below a file is refused with one line' '
	test_must_fail --code=128 manifold --store afile/store hash-object -w "$DATA/oci-index.json" 2>err &&
	test_stderr_line "^fatal: cannot access store .afile/store.: Not a directory$" err &&
	test_must_fail --code=128 manifold --store afile/store show-ref 2>err &&
	test_stderr_line "Not a directory" err &&
	cmp afile.orig afile
'

test_expect_success 'a data.mdb that is not LMDB is not a manifold store' '
	mkdir fake &&
	echo garbage >fake/data.mdb &&
	tree_state fake >fake.state &&
	test_must_fail --code=128 manifold --store fake show-ref 2>err &&
	test_stderr_line "^fatal: .fake. is not a manifold store$" err &&
	test_must_fail --code=128 manifold --store fake hash-object -w "$DATA/oci-index.json" 2>err &&
	test_stderr_line "^fatal: .fake. is not a manifold store$" err &&
	cmp fake/data.mdb - <<-\EOF
	garbage
	EOF
'

test_expect_success MDB_TOOLS 'a store of a newer format is refused by reads and writes' '
	export MANIFOLD_DIR="$TRASH/newer" &&
	manifold hash-object -w "$DATA/oci-index.json" &&
	printf "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n format\n 2\nDATA=END\n" >meta.txt &&
	mdb_load -s meta -f meta.txt "$MANIFOLD_DIR" &&
	mdb_dump -a "$MANIFOLD_DIR" >before &&
	test_must_fail --code=128 manifold show-ref 2>err &&
	test_stderr_line "^fatal: store .$MANIFOLD_DIR. has format .2.; this manifold reads format 1$" err &&
	test_must_fail --code=128 manifold hash-object -w "$DATA/docker-list.json" 2>err &&
	test_stderr_line "has format .2." err &&
	test_must_fail --code=128 manifold update-ref lists/x "$A" 2>err &&
	test_stderr_line "has format .2." err &&
	mdb_dump -a "$MANIFOLD_DIR" >after &&
	test_cmp before after
'

test_expect_success MDB_TOOLS 'another program'\''s LMDB database is not a manifold store, for reads' '
	mkdir foreign &&
	printf "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n key\n value\nDATA=END\n" >kv.txt &&
	mdb_load -s things -f kv.txt foreign &&
	mdb_dump -a foreign >foreign.before &&
	test_must_fail --code=128 manifold --store foreign show-ref 2>err &&
	test_stderr_line "^fatal: .foreign. is not a manifold store$" err &&
	mdb_dump -a foreign >foreign.after &&
	test_cmp foreign.before foreign.after
'

test_expect_success MDB_TOOLS 'another program'\''s LMDB database is not a manifold store, for writes either' '
	test_must_fail --code=128 manifold --store foreign hash-object -w "$DATA/oci-index.json" 2>err &&
	test_stderr_line "^fatal: .foreign. is not a manifold store" err &&
	mdb_dump -a foreign >foreign.after &&
	test_cmp foreign.before foreign.after
'

test_lazy_prereq BIND_MOUNT 'test "$(id -u)" = 0 && command -v mount && command -v umount'
test_expect_success BIND_MOUNT 'a store on read-only media can be read, and refuses writes clearly' '
	export MANIFOLD_DIR="$TRASH/rostore" &&
	d=$(manifold hash-object -w "$DATA/oci-index.json") &&
	manifold update-ref lists/ro "$d" &&
	mkdir -p romnt &&
	mount --bind rostore romnt &&
	test_when_finished "umount \"$TRASH/romnt\"" &&
	mount -o remount,bind,ro romnt &&
	export MANIFOLD_DIR="$TRASH/romnt" &&
	manifold cat-manifest -t lists/ro >actual &&
	echo application/vnd.oci.image.index.v1+json >expect &&
	test_cmp expect actual &&
	manifold show-ref >refs &&
	test_grep lists/ro refs &&
	test_must_fail --code=128 manifold update-ref -d lists/ro 2>err &&
	test_stderr_line "read-only media" err
'

test_done
