#!/bin/bash
test_description='hash-object: digests of exact bytes, recognition, -w, --stdin, --stdin-paths, --batch'
. ./test-lib.sh

LAYER=application/vnd.oci.image.layer.v1.tar

# The media type each sample document is recognised as (tests/data/README).
expected_type() {
	case $1 in
	oci-manifest.json) echo "$OCI_MANIFEST" ;;
	docker-manifest.json) echo "$DOCKER_MANIFEST" ;;
	oci-index.json | buildkit-index.json) echo "$IDX" ;;
	docker-list.json) echo "$DOCKER_LIST" ;;
	oci-config.json) echo application/vnd.oci.image.config.v1+json ;;
	docker-config.json) echo application/vnd.docker.container.image.v1+json ;;
	*) return 1 ;;
	esac
}

# A --batch record for file $1 with optional media type $2.
batch_record() {
	printf "%s%s\n" "$(wc -c <"$1" | tr -d " ")" "${2:+ $2}" &&
	cat "$1" &&
	printf "\n"
}

test_expect_success 'digests equal sha256sum of the exact bytes of every sample' '
	n=0 &&
	for f in "$DATA"/*.json; do
		sha256_of "$f" >expect &&
		manifold hash-object "$f" >actual &&
		test_cmp expect actual &&
		n=$((n + 1)) || exit 1
	done &&
	test $n -ge 7
'

test_expect_success 'several files: one digest per file, in argument order' '
	for f in "$DATA"/*.json; do sha256_of "$f" || exit 1; done >expect &&
	manifold hash-object "$DATA"/*.json >actual &&
	test_cmp expect actual
'

test_expect_success 'hashing without -w never creates the store' '
	manifold hash-object "$DATA/oci-index.json" &&
	manifold hash-object --stdin <"$DATA/oci-index.json" &&
	echo "$DATA/oci-index.json" | manifold hash-object --stdin-paths &&
	batch_record "$DATA/oci-index.json" | manifold hash-object --batch &&
	manifold hash-object --literally "$DATA/oci-index.json" &&
	manifold hash-object -t $LAYER "$DATA/oci-index.json" &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success '-w stores every sample; cat-manifest gives back the same bytes and size' '
	for f in "$DATA"/*.json; do
		d=$(manifold hash-object -w "$f") &&
		sha256_of "$f" >expect &&
		echo "$d" >actual &&
		test_cmp expect actual &&
		manifold cat-manifest "$d" >bytes &&
		cmp "$f" bytes &&
		wc -c <"$f" | tr -d " " >expect &&
		manifold cat-manifest -s "$d" >actual &&
		test_cmp expect actual || exit 1
	done
'

test_expect_success 'documents are recognised without -t' '
	for f in "$DATA"/*.json; do
		name=$(basename "$f") &&
		if want=$(expected_type "$name"); then
			echo "$want" >expect &&
			manifold cat-manifest -t "$(sha256_of "$f")" >actual &&
			test_cmp expect actual
		fi || return 1
	done
'

test_expect_success 'every type listed in tests/data/README is the one recognised' '
	if test -f "$DATA/README"; then
		sed -n "s/^\([A-Za-z0-9._-]*\.json\)  *\(application\/[^ ]*\).*/\1 \2/p" \
			"$DATA/README" >types &&
		while read -r name type; do
			echo "$type" >expect &&
			manifold hash-object -w "$DATA/$name" >digest &&
			manifold cat-manifest -t "$(cat digest)" >actual &&
			test_cmp expect actual || exit 1
		done <types
	fi
'

test_expect_success 'writing the same object again changes nothing' '
	store_snapshot >before &&
	manifold hash-object -w "$DATA"/*.json >out1 &&
	manifold hash-object -w "$DATA"/*.json >out2 &&
	test_cmp out1 out2 &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'setup: a ref, so that failed writes can be shown to change nothing' '
	manifold update-ref lists/base "$(sha256_of "$DATA/oci-index.json")" &&
	printf "{\"foo\":1}" >unknown.json &&
	printf "not json at all" >notjson &&
	printf "a\000b\377\nc" >binary
'

test_expect_success '-t with the right manifest type is accepted and recorded' '
	manifold hash-object -w -t "$DOCKER_LIST" "$DATA/docker-list.json" >actual &&
	sha256_of "$DATA/docker-list.json" >expect &&
	test_cmp expect actual &&
	echo "$DOCKER_LIST" >expect &&
	manifold cat-manifest -t "$(cat actual)" >type &&
	test_cmp expect type
'

test_expect_success '-t with a manifest type refuses bytes that are not that (exit 128, nothing written)' '
	store_snapshot >before &&
	test_must_fail --code=128 manifold hash-object -w -t "$OCI_MANIFEST" unknown.json 2>err &&
	test_stderr_line "^fatal: unknown.json: invalid manifest: schemaVersion is missing$" err &&
	test_must_fail --code=128 manifold hash-object -w -t "$IDX" "$DATA/oci-manifest.json" 2>err &&
	test_stderr_line "^fatal: .*oci-manifest.json: invalid manifest: mediaType .* does not match" err &&
	test_must_fail --code=128 manifold hash-object -w -t "$IDX" notjson 2>err &&
	test_stderr_line "^fatal: notjson: invalid JSON" err &&
	test_must_fail --code=128 manifold hash-object -t "$DOCKER_MANIFEST" "$DATA/oci-manifest.json" 2>err &&
	test_stderr_line "^fatal: .*oci-manifest.json: invalid manifest" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success '--literally stores malformed bytes under the type given' '
	manifold hash-object -w --literally -t "$OCI_MANIFEST" unknown.json >digest &&
	sha256_of unknown.json >expect &&
	test_cmp expect digest &&
	echo "$OCI_MANIFEST" >expect &&
	manifold cat-manifest -t "$(cat digest)" >actual &&
	test_cmp expect actual &&
	manifold cat-manifest "$(cat digest)" >bytes &&
	cmp unknown.json bytes
'

test_expect_success 'unrecognised JSON is refused without -t, naming the file' '
	store_snapshot >before &&
	test_must_fail --code=128 manifold hash-object -w unknown.json 2>err &&
	test_stderr_line "^fatal: unknown.json: not a manifest, index or image config" err &&
	printf "{\"mediaType\":\"application/x-nope\",\"schemaVersion\":2}" >unknown-mt.json &&
	test_must_fail --code=128 manifold hash-object -w unknown-mt.json 2>err &&
	test_stderr_line "^fatal: unknown-mt.json: not a manifest, index or image config" err &&
	printf "[1,2,3]" >array.json &&
	test_must_fail --code=128 manifold hash-object array.json 2>err &&
	test_stderr_line "^fatal: array.json: not a manifest" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'a document that looks like a manifest but is broken is refused without -t' '
	printf "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\"},\"layers\":[]}" >broken.json &&
	test_must_fail --code=128 manifold hash-object broken.json 2>err &&
	test_stderr_line "^fatal: broken.json: invalid manifest: config.digest is missing$" err &&
	printf "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}" >schema1.json &&
	test_must_fail --code=128 manifold hash-object schema1.json 2>err &&
	test_stderr_line "^fatal: schema1.json: schema 1 manifests are not supported$" err
'

test_expect_success 'bytes that are not JSON are refused without -t' '
	store_snapshot >before &&
	test_must_fail --code=128 manifold hash-object -w notjson 2>err &&
	test_stderr_line "^fatal: notjson: invalid JSON" err &&
	test_must_fail --code=128 manifold hash-object -w binary 2>err &&
	test_stderr_line "^fatal: binary: invalid JSON" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success '--literally without -t stores any bytes as application/octet-stream' '
	manifold hash-object -w --literally binary >digest &&
	sha256_of binary >expect &&
	test_cmp expect digest &&
	echo application/octet-stream >expect &&
	manifold cat-manifest -t "$(cat digest)" >actual &&
	test_cmp expect actual &&
	manifold cat-manifest "$(cat digest)" >bytes &&
	cmp binary bytes
'

test_expect_success 'an opaque -t type is stored without looking at the bytes' '
	manifold hash-object -w -t application/vnd.example.thing notjson >digest &&
	sha256_of notjson >expect &&
	test_cmp expect digest &&
	echo application/vnd.example.thing >expect &&
	manifold cat-manifest -t "$(cat digest)" >actual &&
	test_cmp expect actual
'

test_expect_success 'an invalid media type is refused' '
	store_snapshot >before &&
	test_must_fail --code=128 manifold hash-object -w -t "a b" notjson 2>err &&
	test_stderr_line "^fatal: invalid media type .a b.$" err &&
	test_must_fail --code=128 manifold hash-object -w -t "noslash" notjson 2>err &&
	test_stderr_line "invalid media type .noslash." err &&
	test_must_fail --code=128 manifold hash-object -w --literally -t "a/b; charset=utf-8" notjson 2>err &&
	test_stderr_line "invalid media type" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success '--stdin hashes standard input; -w --stdin stores it' '
	sha256_of "$DATA/docker-manifest.json" >expect &&
	manifold hash-object --stdin <"$DATA/docker-manifest.json" >actual &&
	test_cmp expect actual &&
	printf "{\"architecture\":\"arm64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}" >cfg &&
	manifold hash-object -w --stdin <cfg >digest &&
	sha256_of cfg >expect &&
	test_cmp expect digest &&
	echo application/vnd.oci.image.config.v1+json >expect &&
	manifold cat-manifest -t "$(cat digest)" >actual &&
	test_cmp expect actual &&
	manifold cat-manifest "$(cat digest)" >bytes &&
	cmp cfg bytes
'

test_expect_success '--stdin together with files hashes both' '
	{ sha256_of "$DATA/oci-config.json" && sha256_of "$DATA/oci-index.json"; } | sort >expect &&
	manifold hash-object --stdin "$DATA/oci-config.json" <"$DATA/oci-index.json" >out &&
	sort out >actual &&
	test_cmp expect actual
'

test_expect_success 'several files with -w: one bad file and nothing is written' '
	export MANIFOLD_DIR="$TRASH/store-several" &&
	test_must_fail --code=128 manifold hash-object -w "$DATA/oci-index.json" notjson \
		"$DATA/oci-config.json" >out 2>err &&
	test_stderr_line "^fatal: notjson: invalid JSON" err &&
	test_line_count = 0 out &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success '--stdin-paths hashes the files named on stdin, in order' '
	printf "%s\n" "$DATA/oci-index.json" "$DATA/docker-list.json" "$DATA/oci-config.json" >paths &&
	for f in $(cat paths); do sha256_of "$f" || exit 1; done >expect &&
	manifold hash-object --stdin-paths <paths >actual &&
	test_cmp expect actual &&
	printf "%s\n%s" "$DATA/oci-index.json" "$DATA/docker-list.json" >paths-noeol &&
	head -n 2 expect >expect2 &&
	manifold hash-object --stdin-paths <paths-noeol >actual &&
	test_cmp expect2 actual
'

test_expect_success '--stdin-paths -w with a missing file writes nothing' '
	export MANIFOLD_DIR="$TRASH/store-paths" &&
	printf "%s\n" "$DATA/oci-index.json" "$TRASH/no-such-file" >paths &&
	test_must_fail --code=128 manifold hash-object -w --stdin-paths <paths >out 2>err &&
	test_stderr_line "^fatal: cannot open .*no-such-file.*No such file or directory" err &&
	test_line_count = 0 out &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success '--batch: "<size>[ <type>]" records, digests out in order' '
	{
		batch_record "$DATA/oci-index.json" &&
		batch_record "$DATA/docker-list.json" "$DOCKER_LIST" &&
		batch_record binary application/octet-stream &&
		batch_record "$DATA/oci-config.json"
	} >batch &&
	for f in "$DATA/oci-index.json" "$DATA/docker-list.json" binary "$DATA/oci-config.json"; do
		sha256_of "$f" || exit 1
	done >expect &&
	manifold hash-object --batch <batch >actual &&
	test_cmp expect actual &&
	export MANIFOLD_DIR="$TRASH/store-batch" &&
	manifold hash-object -w --batch <batch >actual &&
	test_cmp expect actual &&
	manifold cat-manifest --batch-check --batch-all-objects | cut -d" " -f1,2 | sort >stored &&
	{
		echo "$(sha256_of "$DATA/oci-index.json") $IDX" &&
		echo "$(sha256_of "$DATA/docker-list.json") $DOCKER_LIST" &&
		echo "$(sha256_of binary) application/octet-stream" &&
		echo "$(sha256_of "$DATA/oci-config.json") application/vnd.oci.image.config.v1+json"
	} | sort >expect &&
	test_cmp expect stored &&
	manifold cat-manifest "$(sha256_of binary)" >bytes &&
	cmp binary bytes
'

test_expect_success '--batch with --literally stores untyped records as octet-stream' '
	export MANIFOLD_DIR="$TRASH/store-batch-literally" &&
	batch_record notjson | manifold hash-object -w --literally --batch >digest &&
	sha256_of notjson >expect &&
	test_cmp expect digest &&
	echo application/octet-stream >expect &&
	manifold cat-manifest -t "$(cat digest)" >actual &&
	test_cmp expect actual
'

test_expect_success '--batch with no input prints nothing and creates no store' '
	export MANIFOLD_DIR="$TRASH/store-batch-empty" &&
	manifold hash-object -w --batch </dev/null >out &&
	test_line_count = 0 out &&
	! test -e "$MANIFOLD_DIR"
'

# Each malformed stream has a good first record, so "nothing written"
# also covers records before the bad one.
batch_refused() {
	store_snapshot >before &&
	test_must_fail --code=128 manifold hash-object -w --batch <in >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "$1" err &&
	store_snapshot >after &&
	test_cmp before after
}

test_expect_success 'setup: the first, good record of the malformed batches' '
	printf "{\"x\":1}" >new-obj &&
	batch_record new-obj application/vnd.example+json >good
'

test_expect_success '--batch refuses a bad header line, writing nothing' '
	{ cat good && printf "abc\n"; } >in &&
	batch_refused "^fatal: batch record 2: expected .<size>\[ <media-type>\]., got .abc.$" &&
	{ cat good && printf "12x\n"; } >in &&
	batch_refused "^fatal: batch record 2: expected" &&
	{ cat good && printf "\n"; } >in &&
	batch_refused "^fatal: batch record 2: expected"
'

test_expect_success '--batch refuses a negative size as a bad header' '
	{ cat good && printf -- "-5\n"; } >in &&
	batch_refused "^fatal: batch record 2: expected .<size>\[ <media-type>\]., got .-5.$"
'

test_expect_success '--batch refuses a body shorter than its size, writing nothing' '
	{ cat good && printf "100\nshort\n"; } >in &&
	batch_refused "^fatal: batch record 2: input ends inside the object$"
'

test_expect_success '--batch refuses an object not followed by a newline, writing nothing' '
	{ cat good && printf "3\nabc"; } >in &&
	batch_refused "^fatal: batch record 2: object is not followed by a newline$" &&
	{ cat good && printf "3\nabcX\n"; } >in &&
	batch_refused "^fatal: batch record 2: object is not followed by a newline$"
'

test_expect_success '--batch refuses an unterminated header, writing nothing' '
	{ cat good && printf "3"; } >in &&
	batch_refused "^fatal: batch record 2: header line too long or unterminated$"
'

test_expect_success '--batch refuses an object larger than the limit, writing nothing' '
	{ cat good && printf "999999999999\n"; } >in &&
	batch_refused "^fatal: batch record 2: 999999999999 bytes is larger than the limit"
'

test_expect_success '--batch refuses a record that is not what its type says, writing nothing' '
	{ cat good && batch_record notjson && printf "{}" >empty && batch_record empty; } >in &&
	batch_refused "^fatal: batch record 2: invalid JSON" &&
	{ cat good && batch_record unknown.json "$IDX"; } >in &&
	batch_refused "^fatal: batch record 2: invalid manifest: schemaVersion is missing$"
'

test_expect_success '--batch names the record that has an invalid media type' '
	{ cat good && batch_record notjson "bad type"; } >in &&
	batch_refused "^fatal: batch record 2: invalid media type .bad type.$"
'

test_expect_success '--algorithm sha512 equals sha512sum' '
	for f in "$DATA"/*.json; do
		echo "sha512:$(sha512sum <"$f" | cut -d" " -f1)" >expect &&
		manifold hash-object --algorithm sha512 "$f" >actual &&
		test_cmp expect actual || exit 1
	done &&
	echo "sha512:$(sha512sum <binary | cut -d" " -f1)" >expect &&
	manifold hash-object --algorithm=sha512 --literally --stdin <binary >actual &&
	test_cmp expect actual
'

test_expect_success '-w --algorithm sha512 stores under the sha512 digest' '
	export MANIFOLD_DIR="$TRASH/store-sha512" &&
	manifold hash-object -w --algorithm sha512 "$DATA/oci-index.json" >digest &&
	echo "sha512:$(sha512sum <"$DATA/oci-index.json" | cut -d" " -f1)" >expect &&
	test_cmp expect digest &&
	manifold cat-manifest "$(cat digest)" >bytes &&
	cmp "$DATA/oci-index.json" bytes &&
	echo "$IDX" >expect &&
	manifold cat-manifest -t "$(cat digest)" >actual &&
	test_cmp expect actual &&
	manifold fsck
'

test_expect_success 'a missing file is refused with one line naming it' '
	test_must_fail --code=128 manifold hash-object no-such-file 2>err &&
	test_stderr_line "^fatal: cannot open .no-such-file.: No such file or directory$" err
'

test_expect_success 'a directory is refused with one line naming it' '
	mkdir adir &&
	test_must_fail --code=128 manifold hash-object adir 2>err &&
	test_stderr_line "^fatal: cannot read .adir.: is a directory$" err &&
	test_must_fail --code=128 manifold hash-object --literally adir 2>err &&
	test_stderr_line "^fatal: cannot read .adir.: is a directory$" err &&
	test_must_fail --code=128 manifold hash-object -t $LAYER adir 2>err &&
	test_stderr_line "is a directory" err
'

# UNREADABLE: a chmod 000 file cannot be read (run_without_dac drops
# root's override; it used to report ok, unchecked, where it could not).
test_lazy_prereq UNREADABLE '
	echo x >unreadable-probe &&
	chmod 000 unreadable-probe &&
	! run_without_dac cat unreadable-probe
'
test_expect_success UNREADABLE 'an unreadable file is refused with one line naming it' '
	cp "$DATA/oci-index.json" unreadable &&
	chmod 000 unreadable &&
	store_snapshot >before &&
	test_must_fail --code=128 run_without_dac manifold hash-object -w unreadable 2>err &&
	test_stderr_line "^fatal: cannot open .unreadable.: Permission denied$" err &&
	test_must_fail --code=128 run_without_dac manifold hash-object -t $LAYER unreadable 2>err &&
	test_stderr_line "unreadable.*Permission denied" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'usage errors exit 129' '
	test_must_fail --code=129 manifold hash-object 2>err &&
	test_grep "^error: no input" err &&
	test_must_fail --code=129 manifold hash-object --stdin --batch </dev/null 2>err &&
	test_grep "mutually exclusive" err &&
	test_must_fail --code=129 manifold hash-object --stdin --stdin-paths </dev/null &&
	test_must_fail --code=129 manifold hash-object --batch notjson </dev/null 2>err &&
	test_grep "takes no file arguments" err &&
	test_must_fail --code=129 manifold hash-object --stdin-paths notjson </dev/null &&
	test_must_fail --code=129 manifold hash-object --batch -t "$IDX" </dev/null 2>err &&
	test_grep "not -t" err &&
	test_must_fail --code=129 manifold hash-object --algorithm md5 notjson 2>err &&
	test_grep "unsupported algorithm .md5." err &&
	test_must_fail --code=129 manifold hash-object -t "" notjson 2>err &&
	test_grep "empty media type" err &&
	test_must_fail --code=129 manifold hash-object --no-such-option notjson 2>err &&
	test_grep "unknown option" err &&
	test_must_fail --code=129 manifold hash-object notjson -t 2>err &&
	test_grep "requires a value" err &&
	test_must_fail --code=129 manifold hash-object --write=yes notjson 2>err &&
	test_grep "takes no value" err
'

test_expect_success 'usage errors never create the store' '
	export MANIFOLD_DIR="$TRASH/store-usage" &&
	test_must_fail --code=129 manifold hash-object -w &&
	test_must_fail --code=129 manifold hash-object -w --algorithm md5 notjson &&
	manifold hash-object -w --help >out &&
	test_grep "^usage: manifold hash-object" out &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'large inputs (hashed in a stream, via OpenSSL) equal sha256sum' '
	for n in 1048575 1048576 1048577 2097152 3000001; do
		head -c $n /dev/urandom >big.$n &&
		sha256_of big.$n >expect &&
		manifold hash-object -t $LAYER big.$n >actual &&
		test_cmp expect actual &&
		manifold hash-object --literally big.$n >actual &&
		test_cmp expect actual &&
		manifold hash-object -t $LAYER --stdin <big.$n >actual &&
		test_cmp expect actual || exit 1
	done &&
	echo "sha512:$(sha512sum <big.3000001 | cut -d" " -f1)" >expect &&
	manifold hash-object --algorithm sha512 -t $LAYER big.3000001 >actual &&
	test_cmp expect actual
'

test_expect_success 'a large input is hashed by the OpenSSL module' '
	head -c 3000000 /dev/zero >big &&
	LD_DEBUG=libs manifold hash-object -t $LAYER big 2>libs >actual &&
	sha256_of big >expect &&
	test_cmp expect actual &&
	test_grep "calling init: .*libcrypto" libs &&
	test_grep "calling init: .*manifold-net" libs
'

test_expect_success 'without the module a large input is still hashed right' '
	head -c 3000000 /dev/urandom >big &&
	sha256_of big >expect &&
	MANIFOLD_MODULE_PATH=/nonexistent/manifold-net.so \
		manifold hash-object -t $LAYER big >actual &&
	test_cmp expect actual
'

test_expect_success 'JSON larger than 4 MiB is refused without -t' '
	head -c 5000000 /dev/zero | tr "\0" " " >bigjson &&
	test_must_fail --code=128 manifold hash-object bigjson 2>err &&
	test_stderr_line "^fatal: bigjson.*larger than the limit of 4194304 bytes" err
'

test_expect_success '-w of an object larger than 16 MiB is refused; the store is unchanged' '
	head -c $((16 * 1024 * 1024 + 1)) /dev/zero >huge &&
	store_snapshot >before &&
	test_must_fail --code=128 manifold hash-object -w --literally huge 2>err &&
	test_stderr_line "^fatal: huge.*larger than the limit of 16777216 bytes" err &&
	test_must_fail --code=128 manifold hash-object -w -t $LAYER huge 2>err &&
	test_stderr_line "larger than the limit of 16777216 bytes" err &&
	test_must_fail --code=128 manifold hash-object -w -t $LAYER --stdin <huge 2>err &&
	test_stderr_line "larger than the limit of 16777216 bytes" err &&
	store_snapshot >after &&
	test_cmp before after &&
	sha256_of huge >expect &&
	manifold hash-object -t $LAYER huge >actual &&
	test_cmp expect actual
'

test_expect_success '-w of an object of exactly 16 MiB is accepted' '
	export MANIFOLD_DIR="$TRASH/store-exact" &&
	head -c $((16 * 1024 * 1024)) /dev/zero >exact &&
	manifold hash-object -w -t application/vnd.test.blob exact >digest &&
	sha256_of exact >expect &&
	test_cmp expect digest &&
	manifold cat-manifest "$(cat digest)" >bytes &&
	cmp exact bytes
'

test_expect_success '-w grows a tiny map instead of failing' '
	export MANIFOLD_DIR="$TRASH/store-tiny-map" MANIFOLD_MAP_SIZE=65536 &&
	head -c 3000000 /dev/urandom >big &&
	manifold hash-object -w --literally big >digest &&
	sha256_of big >expect &&
	test_cmp expect digest &&
	manifold hash-object -w "$DATA"/*.json &&
	manifold cat-manifest "$(cat digest)" >bytes &&
	cmp big bytes &&
	manifold fsck
'

test_expect_success 'layers are hashed but never stored (-w refused, store unchanged)' '
	head -c 5000 /dev/urandom >layer &&
	store_snapshot >before &&
	test_must_fail --code=128 manifold hash-object -w -t $LAYER layer 2>err &&
	test_stderr_line "layers are not kept in the store" err &&
	test_must_fail --code=128 manifold hash-object -w \
		-t application/vnd.docker.image.rootfs.diff.tar.gzip layer 2>err &&
	test_stderr_line "layers are not kept in the store" err &&
	store_snapshot >after &&
	test_cmp before after &&
	manifold hash-object -t $LAYER layer >actual &&
	sha256_of layer >expect &&
	test_cmp expect actual
'

test_done
