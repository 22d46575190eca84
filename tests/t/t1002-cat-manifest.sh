#!/bin/bash
test_description='cat-manifest: bytes, -t -s -e -p, revisions, --batch, --batch-check, --batch-all-objects'
. ./test-lib.sh

IDX_D=$(sha256_of "$DATA/oci-index.json")
LIST_D=$(sha256_of "$DATA/docker-list.json")
MAN_D=$(sha256_of "$DATA/oci-manifest.json")
MISSING=sha256:1111111111111111111111111111111111111111111111111111111111111111

test_expect_success 'cat-manifest -e is 1 when there is no store at all, and creates none' '
	test_must_fail --code=1 manifold cat-manifest -e "$IDX_D" >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	test_must_fail --code=1 manifold cat-manifest -e lists/x &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'reading an object with no store fails with one line, creating none' '
	test_must_fail --code=128 manifold cat-manifest "$IDX_D" >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "^fatal: object .$IDX_D. not found$" err &&
	test_must_fail --code=128 manifold cat-manifest -t lists/x 2>err &&
	test_stderr_line "^fatal: .*lists/x" err &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'batch modes with no store answer "missing"' '
	printf "%s\nlists/x\n" "$IDX_D" | manifold cat-manifest --batch-check >actual &&
	printf "%s missing\nlists/x missing\n" "$IDX_D" >expect &&
	test_cmp expect actual &&
	manifold cat-manifest --batch --batch-all-objects >actual &&
	test_line_count = 0 actual &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup' '
	for f in "$DATA"/*.json; do manifold hash-object -w "$f" || exit 1; done &&
	printf "a\000b\377c" >binary &&
	manifold hash-object -w --literally binary &&
	manifold update-ref lists/x "$IDX_D" &&
	manifold update-ref -m second lists/x "$LIST_D" &&
	manifold update-ref remotes/r "$MAN_D"
'

test_expect_success 'the bytes come back exactly, for every sample' '
	for f in "$DATA"/*.json; do
		manifold cat-manifest "$(sha256_of "$f")" >actual &&
		cmp "$f" actual || exit 1
	done &&
	manifold cat-manifest "$(sha256_of binary)" >actual &&
	cmp binary actual
'

test_expect_success '-t prints the media type, -s the size in bytes' '
	echo "$IDX" >expect &&
	manifold cat-manifest -t "$IDX_D" >actual &&
	test_cmp expect actual &&
	echo application/octet-stream >expect &&
	manifold cat-manifest -t "$(sha256_of binary)" >actual &&
	test_cmp expect actual &&
	for f in "$DATA"/*.json binary; do
		wc -c <"$f" | tr -d " " >expect &&
		manifold cat-manifest -s "$(sha256_of "$f")" >actual &&
		test_cmp expect actual || exit 1
	done
'

test_expect_success '-e exits 0 for an object that exists and prints nothing' '
	manifold cat-manifest -e "$IDX_D" >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	manifold cat-manifest -e lists/x &&
	manifold cat-manifest -e 9af9
'

test_expect_success '-e exits 1 silently for a missing object, name or reflog entry' '
	test_must_fail --code=1 manifold cat-manifest -e "$MISSING" >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	test_must_fail --code=1 manifold cat-manifest -e 1111 &&
	test_must_fail --code=1 manifold cat-manifest -e lists/nope &&
	test_must_fail --code=1 manifold cat-manifest -e lists/x@{5}
'

test_expect_success 'a missing object is fatal with one line naming it' '
	test_must_fail --code=128 manifold cat-manifest "$MISSING" >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "^fatal: object .$MISSING. not found$" err &&
	test_must_fail --code=128 manifold cat-manifest -t lists/nope 2>err &&
	test_stderr_line "^fatal: unknown revision .lists/nope.$" err &&
	test_must_fail --code=128 manifold cat-manifest -s 1111 2>err &&
	test_stderr_line "^fatal: .*1111" err
'

test_expect_success 'abbreviated digests, with and without the algorithm' '
	manifold cat-manifest 9af9 >actual &&
	cmp "$DATA/oci-index.json" actual &&
	manifold cat-manifest sha256:9af9723d >actual &&
	cmp "$DATA/oci-index.json" actual &&
	manifold cat-manifest -t ${MAN_D#sha256:} >actual &&
	echo "$OCI_MANIFEST" >expect &&
	test_cmp expect actual
'

test_expect_success 'ref names: full, under lists/ and under remotes/' '
	manifold cat-manifest lists/x >actual &&
	cmp "$DATA/docker-list.json" actual &&
	manifold cat-manifest x >actual &&
	cmp "$DATA/docker-list.json" actual &&
	manifold cat-manifest r >actual &&
	cmp "$DATA/oci-manifest.json" actual &&
	manifold cat-manifest remotes/r >actual &&
	cmp "$DATA/oci-manifest.json" actual
'

test_expect_success 'NAME@{n} reads earlier values of a ref' '
	manifold cat-manifest "x@{0}" >actual &&
	cmp "$DATA/docker-list.json" actual &&
	manifold cat-manifest "lists/x@{1}" >actual &&
	cmp "$DATA/oci-index.json" actual &&
	echo "$IDX" >expect &&
	manifold cat-manifest -t "x@{1}" >actual &&
	test_cmp expect actual &&
	test_must_fail --code=128 manifold cat-manifest "x@{2}" 2>err &&
	test_stderr_line "^fatal: reflog of .lists/x. has only 2 entries$" err
'

test_expect_success '-p indents JSON with three spaces and prints other types raw' '
	printf "{\"a\":[1,{\"b\":null}],\"c\":\"x\",\"d\":[],\"e\":{},\"g\":true}" >doc &&
	d=$(manifold hash-object -w -t application/vnd.example+json doc) &&
	cat >expect <<-\EOF &&
	{
	   "a": [
	      1,
	      {
	         "b": null
	      }
	   ],
	   "c": "x",
	   "d": [],
	   "e": {},
	   "g": true
	}
	EOF
	manifold cat-manifest -p "$d" >actual &&
	test_cmp expect actual &&
	manifold cat-manifest -p "$(sha256_of binary)" >actual &&
	cmp binary actual
'

test_lazy_prereq PYTHON3 'python3 -c "import json"'
test_expect_success PYTHON3 '-p of every sample is the same JSON as python json.tool --indent 3' '
	for f in "$DATA"/*.json; do
		python3 -m json.tool --indent 3 "$f" >expect &&
		manifold cat-manifest -p "$(sha256_of "$f")" >actual &&
		test_cmp expect actual || exit 1
	done
'

test_expect_success '--batch-check prints "<digest> <type> <size>" or "<name> missing"' '
	cat >expect <<-EOF &&
	$IDX_D $IDX 567
	nope missing
	$LIST_D $DOCKER_LIST 1105
	$MAN_D $OCI_MANIFEST 896
	$IDX_D $IDX 567
	$MISSING missing
	EOF
	printf "%s\n" "$IDX_D" nope lists/x r "x@{1}" "$MISSING" |
		manifold cat-manifest --batch-check >actual &&
	test_cmp expect actual
'

test_expect_success '--batch prints the header, the exact bytes and a newline' '
	printf "%s\n" lists/x nope "$(sha256_of binary)" | manifold cat-manifest --batch >actual &&
	{
		echo "$LIST_D $DOCKER_LIST 1105" &&
		cat "$DATA/docker-list.json" &&
		echo &&
		echo "nope missing" &&
		echo "$(sha256_of binary) application/octet-stream 5" &&
		cat binary &&
		echo
	} >expect &&
	cmp expect actual
'

test_expect_success '--batch answers as soon as it is asked' '
	mkfifo req &&
	{
		manifold cat-manifest --batch-check <req >answers &
	} &&
	exec 9>req &&
	echo lists/x >&9 &&
	test_poll 5 test -s answers &&
	echo "$LIST_D $DOCKER_LIST 1105" >expect &&
	test_cmp expect answers &&
	exec 9>&- &&
	wait
'

test_expect_success '--batch-all-objects lists every object once, in digest order' '
	for f in "$DATA"/*.json; do
		printf "%s %s %s\n" "$(sha256_of "$f")" \
			"$(manifold cat-manifest -t "$(sha256_of "$f")")" "$(wc -c <"$f" | tr -d " ")" ||
		exit 1
	done >lines &&
	echo "$(sha256_of binary) application/octet-stream 5" >>lines &&
	echo "$(sha256_of doc) application/vnd.example+json $(wc -c <doc | tr -d " ")" >>lines &&
	sort lines >expect &&
	manifold cat-manifest --batch-check --batch-all-objects >actual &&
	test_cmp expect actual
'

test_expect_success '--batch --batch-all-objects gives every object with its bytes' '
	manifold cat-manifest --batch --batch-all-objects >actual &&
	manifold cat-manifest --batch-check --batch-all-objects | cut -d" " -f1 >digests &&
	for d in $(cat digests); do
		echo "$d" | manifold cat-manifest --batch-check &&
		manifold cat-manifest "$d" &&
		echo || exit 1
	done >expect &&
	cmp expect actual
'

test_expect_success 'an ambiguous prefix is reported as ambiguous' '
	mkdir amb &&
	for i in $(seq 1 1000); do printf "obj %d\n" $i >amb/o$i || exit 1; done &&
	(cd amb && sha256sum o*) | sort |
		awk "{ p = substr(\$1, 1, 4); if (p == lp) { print lf, \$2, p; exit } lp = p; lf = \$2 }" >pair &&
	read f1 f2 prefix <pair &&
	test -n "$prefix" &&
	manifold hash-object -w --literally "amb/$f1" "amb/$f2" &&
	printf "%s\n" "$prefix" "sha256:$prefix" | manifold cat-manifest --batch-check >actual &&
	printf "%s ambiguous\nsha256:%s ambiguous\n" "$prefix" "$prefix" >expect &&
	test_cmp expect actual &&
	test_must_fail --code=128 manifold cat-manifest "$prefix" 2>err &&
	test_stderr_line "^fatal: short digest .$prefix. is ambiguous$" err
'

test_expect_success 'conflicting modes and bad arguments exit 129' '
	test_must_fail --code=129 manifold cat-manifest -t -s lists/x 2>err &&
	test_grep "mutually exclusive" err &&
	test_must_fail --code=129 manifold cat-manifest -e -p lists/x &&
	test_must_fail --code=129 manifold cat-manifest --batch --batch-check </dev/null &&
	test_must_fail --code=129 manifold cat-manifest -t --batch </dev/null &&
	test_must_fail --code=129 manifold cat-manifest --batch lists/x </dev/null 2>err &&
	test_grep "read names from standard input" err &&
	test_must_fail --code=129 manifold cat-manifest --batch-all-objects 2>err &&
	test_grep "needs --batch or --batch-check" err &&
	test_must_fail --code=129 manifold cat-manifest 2>err &&
	test_grep "no object named" err &&
	test_must_fail --code=129 manifold cat-manifest lists/x lists/x 2>err &&
	test_grep "too many arguments" err &&
	test_must_fail --code=129 manifold cat-manifest -x lists/x 2>err &&
	test_grep "unknown switch" err
'

test_expect_success 'reading never changes the store' '
	store_snapshot >before &&
	manifold cat-manifest lists/x >/dev/null &&
	manifold cat-manifest -p lists/x >/dev/null &&
	echo lists/x | manifold cat-manifest --batch >/dev/null &&
	store_snapshot >after &&
	test_cmp before after
'

test_done
