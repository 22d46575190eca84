#!/bin/bash
test_description='ls: local lists with digest, format, entries, platforms, last change and signers'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-history.sh"

APPL=127.0.0.1:5000/library/app:l
T0=1700000000

test_expect_success 'no store: header only, -q and json empty, nothing created' '
	echo "NAME   DIGEST   FORMAT   ENTRIES   PLATFORMS   CHANGED   SIGNED" >expect &&
	manifold ls >actual &&
	test_cmp expect actual &&
	manifold ls -q >actual &&
	test_line_count = 0 actual &&
	echo "[]" >expect &&
	manifold ls --format json >actual &&
	test_cmp expect actual &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup: two lists, one changed twice, and a remotes/ ref' '
	L1=$(mklist docker "$H1=linux/amd64" "$H2=linux/arm64/v8") &&
	L2=$(mklist docker "$H1=linux/amd64" "$H2=linux/arm64/v8" "$H3=linux/s390x") &&
	L3=$(mklist oci "$H4=-" "$H1=linux/amd64") &&
	MANIFOLD_COMMITTER_DATE="$T0 +0100" setlist "manifold create $APPL" "$APPL" "$L1" &&
	MANIFOLD_COMMITTER_DATE="$((T0 + 60)) +0100" setlist "manifold create --amend $APPL" "$APPL" "$L2" &&
	MANIFOLD_COMMITTER_DATE="$((T0 - 7200)) +0000" setlist "manifold create other" docker.io/library/other:latest "$L3" &&
	manifold update-ref remotes/127.0.0.1:5000/library/app:amd64 "$L1" &&
	echo "$L2" >L2 && echo "$L3" >L3
'

test_expect_success 'table: header, aligned columns, short digests, relative times' '
	L2=$(cat L2) L3=$(cat L3) &&
	l2=${L2#sha256:} l3=${L3#sha256:} &&
	cat >expect <<-EOF &&
	NAME                             DIGEST         FORMAT   ENTRIES   PLATFORMS                                CHANGED         SIGNED
	127.0.0.1:5000/library/app:l     ${l2:0:12}   docker   3         linux/amd64,linux/arm64/v8,linux/s390x   3 minutes ago   -
	docker.io/library/other:latest   ${l3:0:12}   oci      2         -,linux/amd64                            2 hours ago     -
	EOF
	MANIFOLD_COMMITTER_DATE="$((T0 + 240)) +0000" manifold ls >actual &&
	test_cmp expect actual
'

test_expect_success '--no-trunc shows full digests' '
	L2=$(cat L2) L3=$(cat L3) &&
	MANIFOLD_COMMITTER_DATE="$((T0 + 240))" manifold ls --no-trunc >actual &&
	grep "^127.0.0.1:5000/library/app:l  *$L2  *docker " actual &&
	grep "^docker.io/library/other:latest  *$L3  *oci " actual
'

test_expect_success '-q prints the names only; remotes/ refs are not lists' '
	cat >expect <<-EOF &&
	127.0.0.1:5000/library/app:l
	docker.io/library/other:latest
	EOF
	manifold ls -q >actual &&
	test_cmp expect actual &&
	manifold ls --quiet >actual &&
	test_cmp expect actual
'

test_expect_success 'PATTERN: fnmatch on the whole name or its last component' '
	echo "127.0.0.1:5000/library/app:l" >expect &&
	manifold ls -q "app:*" >actual &&
	test_cmp expect actual &&
	manifold ls -q "127.0.0.1:5000/*" >actual &&
	test_cmp expect actual &&
	manifold ls -q "nothing*" >actual &&
	test_line_count = 0 actual &&
	manifold ls "nothing*" >actual &&
	test_line_count = 1 actual &&
	grep "^NAME " actual
'

test_expect_success 'json: one array, full digests, ISO-8601 times in the entry zone' '
	L2=$(cat L2) L3=$(cat L3) &&
	cat >expect <<-EOF &&
	[
	  {"name": "127.0.0.1:5000/library/app:l", "ref": "lists/127.0.0.1:5000/library/app:l", "digest": "$L2", "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json", "format": "docker", "entries": 3, "platforms": ["linux/amd64", "linux/arm64/v8", "linux/s390x"], "attestations": 0, "changed": "2023-11-14T23:14:20+01:00", "signatures": 0, "signers": []},
	  {"name": "docker.io/library/other:latest", "ref": "lists/docker.io/library/other:latest", "digest": "$L3", "mediaType": "application/vnd.oci.image.index.v1+json", "format": "oci", "entries": 2, "platforms": ["-", "linux/amd64"], "attestations": 0, "changed": "2023-11-14T20:13:20+00:00", "signatures": 0, "signers": []}
	]
	EOF
	manifold ls --format json >actual &&
	test_cmp expect actual &&
	python3 -m json.tool actual >/dev/null
'

test_expect_success 'a deleted list is gone from ls (its reflog stays)' '
	manifold update-ref -d -m "manifold rm other" lists/docker.io/library/other:latest &&
	echo "127.0.0.1:5000/library/app:l" >expect &&
	manifold ls -q >actual &&
	test_cmp expect actual
'

test_expect_success 'a ref under lists/ that is not a list shows ? and -' '
	M=$(manifold hash-object -w "$DATA/docker-manifest.json") &&
	manifold update-ref lists/example.com/img:x "$M" &&
	manifold ls >actual &&
	grep "^example.com/img:x  *[0-9a-f]\{12\}  *?  *-  *-  *" actual
'

test_expect_success 'usage errors: bad --format, too many arguments, unknown flag' '
	test_must_fail --code=1 manifold ls --format yaml 2>err &&
	test_stderr_line "^invalid format \"yaml\": use table or json$" err &&
	test_must_fail --code=1 manifold ls a b 2>err &&
	head -n 1 err >err1 &&
	test_stderr_line "^manifold: .manifold ls. accepts at most 1 arg\(s\), received 2$" err1 &&
	test_must_fail --code=125 manifold ls --bogus 2>err &&
	grep "^unknown flag: --bogus" err
'

test_done
