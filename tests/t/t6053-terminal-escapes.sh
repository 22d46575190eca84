#!/bin/bash
test_description='terminal escapes: control characters from a registry are refused in identifiers and escaped in text output'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-history.sh"

ESC=$(printf "\033")
CR=$(printf "\r")
OCI_CONFIG=application/vnd.oci.image.config.v1+json

start_registry plain
R=$REGISTRY
APP=$R/library/app
# An image whose config says its variant is "v<ESC>[2J" (erase the
# screen), and an index that carries it into its platform.
EVIL=$(seed_image library/app:evil --format oci --platform "linux/arm/v${ESC}[2J") &&
OK=$(seed_image library/app:ok --format oci --platform linux/amd64) &&
EVILIDX=$(seed_index library/app:evil-index :ok :evil) &&
test -n "$EVIL" && test -n "$OK" && test -n "$EVILIDX" || {
	echo "Bail out! could not seed the registry"
	exit 1
}

# clean FILE...: no ESC, CR, other C0 control (but LF) or DEL in FILEs.
clean() {
	for f; do
		if LC_ALL=C grep -q "[[:cntrl:]]" "$f" &&
		   LC_ALL=C tr -d "\n" <"$f" | LC_ALL=C grep -q "[[:cntrl:]]"; then
			echo "raw control characters in $f:" >&2
			od -c "$f" | head -20 >&2
			return 1
		fi
	done
}

test_expect_success 'the seeded index carries an ESC in a platform (the registry serves it)' '
	registry_curl -s -H "Accept: $IDX" "$REGISTRY_URL/v2/library/app/manifests/evil-index" >evil-index.json &&
	grep -F "\\u001b[2J" evil-index.json
'

test_expect_success 'fetch refuses the index, naming the field, in one clean line' '
	test_must_fail --code=1 manifold fetch "$APP:evil-index" >out 2>err &&
	test_stderr_line "manifests\[1\]\.platform\.variant contains a control character" err &&
	clean out err &&
	test_must_fail manifold show-ref
'

test_expect_success 'create refuses an image whose config has one' '
	test_must_fail --code=1 manifold create --insecure "$APP:l" "$APP:ok" "$APP:evil" >out 2>err &&
	test_stderr_line "variant contains a control character" err &&
	clean out err &&
	test_must_fail manifold show-ref
'

test_expect_success 'create from the index and inspect of it refuse it too' '
	test_must_fail --code=1 manifold create --insecure "$APP:l" "$APP:evil-index" >out 2>err &&
	test_stderr_line "control character" err &&
	test_must_fail --code=1 manifold inspect --insecure "$APP:evil-index" >out2 2>err2 &&
	test_stderr_line "control character" err2 &&
	clean out err out2 err2
'

test_expect_success 'hash-object refuses such an object, naming the field' '
	printf "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[{\"mediaType\":\"%s\",\"size\":1,\"digest\":\"%s\",\"platform\":{\"os\":\"linux\\\\r\\\\nfake\",\"architecture\":\"amd64\"}}]}" \
		"$IDX" "$OCI_MANIFEST" "$H1" >crlf.json &&
	grep -F "linux\\r\\nfake" crlf.json &&
	test_must_fail --code=128 manifold hash-object -w crlf.json 2>err &&
	test_stderr_line "^fatal: .*manifests\[0\]\.platform\.os contains a control character$" err
'

test_expect_success 'a store holding one already (written literally): a clean error, escaped' '
	d=$(manifold hash-object -w --literally -t "$IDX" evil-index.json) &&
	manifold update-ref lists/old "$d" &&
	test_must_fail --code=1 manifold inspect --format table old >out 2>err &&
	test_stderr_line "control character" err &&
	manifold ls >ls.out 2>ls.err &&
	clean out err ls.out ls.err &&
	manifold update-ref -d lists/old
'

# Annotation values are free text: stored, and escaped when shown.
test_expect_success 'annotation values with ESC, CR and LF: kept, escaped in log and diff' '
	A=$(mklist oci "$H1=linux/amd64") &&
	printf "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[{\"mediaType\":\"%s\",\"size\":500,\"digest\":\"%s\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"annotations\":{\"note\":\"\\\\u001b[31mred\\\\r\\\\nok 99 - spoofed\"}}]}" \
		"$IDX" "$OCI_MANIFEST" "$H1" >ann.json &&
	B=$(manifold hash-object -w ann.json) &&
	setlist "manifold create ann" ann "$A" &&
	setlist "manifold annotate ann" ann "$B" &&
	manifold diff "ann@{1}" ann >diff.out &&
	echo "~ linux/amd64 annotations +note=\\x1b[31mred\\r\\nok 99 - spoofed" >expect &&
	test_cmp expect diff.out &&
	manifold log ann >log.out &&
	test_grep -F "+note=\\x1b[31mred\\r\\nok 99 - spoofed" log.out &&
	clean diff.out log.out &&
	manifold inspect ann >json.out &&
	test_grep -F "\"note\":\"\\u001b[31mred\\r\\nok 99 - spoofed\"" json.out &&
	clean json.out
'

# Characters that are not controls but reorder a line (a bidi override)
# pass validation and are escaped when shown.
test_expect_success 'a bidi override in a variant: stored, escaped in inspect and ls' '
	RLO=$(printf "\342\200\256") &&
	L=$(mklist oci "$H1=linux/arm/v${RLO}8") &&
	setlist "manifold create bidi" bidi "$L" &&
	manifold inspect --format table bidi >table.out &&
	test_grep -F "linux/arm/v\\u202e8" table.out &&
	! grep -F "$RLO" table.out &&
	manifold ls >ls.out &&
	test_grep -F "linux/arm/v\\u202e8" ls.out &&
	! grep -F "$RLO" ls.out &&
	manifold ls --format json >lsj.out &&
	grep -F "$RLO" lsj.out
'

test_expect_success 'error messages that echo outside text are escaped too' '
	test_must_fail --code=1 manifold log "$(printf "a${ESC}[2Jb${CR}c")" >out 2>err &&
	test_stderr_line "^No such manifest: a\\\\x1b\\[2Jb\\\\rc$" err &&
	clean err &&
	test_must_fail --code=128 manifold cat-manifest "x${ESC}y" 2>err &&
	test_stderr_line "^fatal: unknown revision .x\\\\x1by.$" err &&
	clean err
'

# fsck quotes what it finds in the store; a record written behind
# manifold's back (mdb_load) with an ESC in its media type is shown
# escaped.
test_expect_success MDB_TOOLS 'fsck escapes what it quotes from the store' '
	export MANIFOLD_DIR=$TRASH/raw &&
	manifold hash-object -w "$DATA/oci-config.json" &&
	python3 - "$DATA/oci-config.json" >load.txt <<-\EOF &&
	import hashlib, struct, sys
	data = open(sys.argv[1], "rb").read()
	mt = b"application/x\x1b[2J"
	key = ("sha256:" + hashlib.sha256(data).hexdigest()).encode()
	val = struct.pack(">BBHIQ", 1, 0, len(mt), 0, len(data)) + mt + data
	print("VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END")
	print(" " + key.hex())
	print(" " + val.hex())
	print("DATA=END")
	EOF
	mdb_load -s objects -f load.txt "$MANIFOLD_DIR" &&
	test_must_fail --code=1 manifold fsck >out 2>err &&
	test_grep -F "invalid media type '"'"'application/x\\x1b[2J'"'"'" out &&
	clean out err
'
test_done
