#!/bin/bash
test_description='rev-parse: digests, prefixes, ambiguity, lists/ and remotes/ DWIM, @{n}, --verify, --short, --symbolic-full-name'
. ./test-lib.sh

A=$(sha256_of "$DATA/oci-index.json")
B=$(sha256_of "$DATA/docker-list.json")
M=$(sha256_of "$DATA/oci-manifest.json")
MISSING=sha256:1111111111111111111111111111111111111111111111111111111111111111

test_expect_success 'no store: a full digest still parses, names do not; nothing created' '
	echo "$A" >expect &&
	manifold rev-parse "$A" >actual &&
	test_cmp expect actual &&
	test_must_fail --code=128 manifold rev-parse lists/x 2>err &&
	test_stderr_line "^fatal: unknown revision .lists/x.$" err &&
	test_must_fail --code=1 manifold rev-parse --verify -q "$A" &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup' '
	manifold hash-object -w "$DATA"/*.json >/dev/null &&
	manifold update-ref lists/x "$A" &&
	manifold update-ref lists/x "$B" &&
	manifold update-ref remotes/r "$M" &&
	manifold update-ref remotes/x "$M" &&
	manifold update-ref lists/docker.io/library/app:latest "$A"
'

test_expect_success 'a full digest resolves to itself, in the store or not' '
	echo "$A" >expect &&
	manifold rev-parse "$A" >actual &&
	test_cmp expect actual &&
	echo "$MISSING" >expect &&
	manifold rev-parse "$MISSING" >actual &&
	test_cmp expect actual
'

test_expect_success 'a prefix of 4 or more hex digits resolves, with or without sha256:' '
	echo "$A" >expect &&
	for p in 9af9 9af97 9af9723debc9 sha256:9af9 "sha256:${A#sha256:}" "${A#sha256:}"; do
		manifold rev-parse "$p" >actual &&
		test_cmp expect actual || exit 1
	done
'

test_expect_success 'too short, unknown and malformed digests are refused with one line' '
	test_must_fail --code=128 manifold rev-parse 9af 2>err &&
	test_stderr_line "^fatal: unknown revision .9af.$" err &&
	test_must_fail --code=128 manifold rev-parse sha256:9af 2>err &&
	test_stderr_line "^fatal: .sha256:9af. is not a digest or digest prefix$" err &&
	test_must_fail --code=128 manifold rev-parse 0000 2>err &&
	test_stderr_line "^fatal: unknown revision .0000.$" err &&
	test_must_fail --code=128 manifold rev-parse sha256:0000 2>err &&
	test_stderr_line "^fatal: no object matches .sha256:0000.$" err &&
	test_must_fail --code=128 manifold rev-parse "sha256:9AF9${A#sha256:9af9}" 2>err &&
	test_stderr_line "not lower-case hex" err &&
	test_must_fail --code=128 manifold rev-parse "" 2>err &&
	test_stderr_line "^fatal: empty revision$" err
'

test_expect_success 'setup: two objects whose digests share 4 hex digits' '
	mkdir amb &&
	for i in $(seq 1 1000); do printf "obj %d\n" $i >amb/o$i || exit 1; done &&
	(cd amb && sha256sum o*) | sort |
		awk "{ p = substr(\$1, 1, 4); if (p == lp) { print lf, \$2, p; exit } lp = p; lf = \$2 }" >pair &&
	read f1 f2 prefix <pair &&
	test -n "$prefix" &&
	manifold hash-object -w --literally "amb/$f1" "amb/$f2" >digests &&
	test "$(cut -c8-11 digests | sort -u)" = "$prefix" &&
	echo "$prefix" >prefix
'

test_expect_success 'an ambiguous prefix is refused; a longer one resolves' '
	prefix=$(cat prefix) &&
	test_must_fail --code=128 manifold rev-parse "$prefix" >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "^fatal: short digest .$prefix. is ambiguous$" err &&
	test_must_fail --code=128 manifold rev-parse "sha256:$prefix" 2>err &&
	test_stderr_line "ambiguous" err &&
	test_must_fail --code=1 manifold rev-parse --verify -q "$prefix" >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	for d in $(cat digests); do
		echo "$d" >expect &&
		manifold rev-parse "${d:7:20}" >actual &&
		test_cmp expect actual || exit 1
	done
'

test_expect_success 'names: as given, then under lists/, then under remotes/' '
	echo "$B" >expect &&
	manifold rev-parse lists/x >actual &&
	test_cmp expect actual &&
	manifold rev-parse x >actual &&
	test_cmp expect actual &&
	echo "$M" >expect &&
	manifold rev-parse r >actual &&
	test_cmp expect actual &&
	manifold rev-parse remotes/x >actual &&
	test_cmp expect actual &&
	echo "$A" >expect &&
	manifold rev-parse docker.io/library/app:latest >actual &&
	test_cmp expect actual
'

test_expect_success 'several revisions: one line each, in order' '
	printf "%s\n" "$B" "$M" "$A" >expect &&
	manifold rev-parse x r 9af9 >actual &&
	test_cmp expect actual
'

test_expect_success 'NAME@{n} is the n-th previous value' '
	echo "$B" >expect &&
	manifold rev-parse "x@{0}" >actual &&
	test_cmp expect actual &&
	echo "$A" >expect &&
	manifold rev-parse "lists/x@{1}" >actual &&
	test_cmp expect actual &&
	test_must_fail --code=128 manifold rev-parse "x@{2}" 2>err &&
	test_stderr_line "^fatal: reflog of .lists/x. has only 2 entries$" err &&
	test_must_fail --code=128 manifold rev-parse "nope@{0}" 2>err &&
	test_stderr_line "nope" err
'

test_expect_success 'malformed @{...} is refused with one line' '
	for rev in "x@{a}" "x@{1" "x@{-1}" "x@{1}@{2}" "@{1}" "x@{}"; do
		test_must_fail --code=128 manifold rev-parse "$rev" 2>err &&
		test_stderr_line "invalid revision" err || exit 1
	done
'

test_expect_success '--verify: one revision naming an object in the store' '
	echo "$B" >expect &&
	manifold rev-parse --verify x >actual &&
	test_cmp expect actual &&
	test_must_fail --code=1 manifold rev-parse --verify "$MISSING" >out 2>err &&
	test_line_count = 0 out &&
	test_stderr_line "^error: object .$MISSING. not found$" err &&
	test_must_fail --code=1 manifold rev-parse --verify nope 2>err &&
	test_stderr_line "^error: unknown revision .nope.$" err
'

test_expect_success '--verify -q fails silently with exit 1' '
	for rev in nope "$MISSING" 0000 "x@{9}" "x@{a}"; do
		test_must_fail --code=1 manifold rev-parse --verify -q "$rev" >out 2>err &&
		test_line_count = 0 out &&
		test_line_count = 0 err || exit 1
	done &&
	manifold rev-parse --verify --quiet x >out &&
	test_line_count = 1 out
'

test_expect_success '--short=N abbreviates to N hex digits' '
	echo "${B:0:19}" >expect &&
	manifold rev-parse --short=12 x >actual &&
	test_cmp expect actual &&
	echo "${B:0:11}" >expect &&
	manifold rev-parse --short=4 x >actual &&
	test_cmp expect actual &&
	echo "$B" >expect &&
	manifold rev-parse --short=64 x >actual &&
	test_cmp expect actual &&
	manifold rev-parse --short=128 x >actual &&
	test_cmp expect actual
'

test_expect_success '--short without a number abbreviates (its usage says --short[=<n>])' '
	manifold rev-parse --short x >actual &&
	d=$(cat actual) &&
	test "${B#"$d"}" != "$B" &&
	test ${#d} -lt ${#B}
'

test_expect_success '--short out of range is a usage error' '
	test_must_fail --code=129 manifold rev-parse --short=3 x 2>err &&
	test_grep "from 4 to 128" err &&
	test_must_fail --code=129 manifold rev-parse --short=129 x &&
	test_must_fail --code=129 manifold rev-parse --short=abc x
'

test_expect_success '--symbolic-full-name prints the full ref name' '
	echo lists/x >expect &&
	manifold rev-parse --symbolic-full-name x >actual &&
	test_cmp expect actual &&
	manifold rev-parse --symbolic-full-name "x@{1}" >actual &&
	test_cmp expect actual &&
	echo remotes/r >expect &&
	manifold rev-parse --symbolic-full-name r >actual &&
	test_cmp expect actual &&
	echo lists/docker.io/library/app:latest >expect &&
	manifold rev-parse --symbolic-full-name docker.io/library/app:latest >actual &&
	test_cmp expect actual
'

test_expect_success 'a name under lists/ wins over the same name under remotes/' '
	echo lists/x >expect &&
	manifold rev-parse --symbolic-full-name x >actual &&
	test_cmp expect actual &&
	echo "$B" >expect &&
	manifold rev-parse x >actual &&
	test_cmp expect actual
'

test_expect_success 'usage errors exit 129' '
	test_must_fail --code=129 manifold rev-parse 2>err &&
	test_grep "no revision named" err &&
	test_must_fail --code=129 manifold rev-parse --verify x r 2>err &&
	test_grep "takes one revision" err &&
	test_must_fail --code=129 manifold rev-parse -q x 2>err &&
	test_grep "needs --verify" err &&
	test_must_fail --code=129 manifold rev-parse --bogus x
'

test_expect_success 'rev-parse changes nothing' '
	store_snapshot >before &&
	manifold rev-parse x "x@{1}" 9af9 >/dev/null &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'names are normalised as docker does: app is docker.io/library/app:latest' '
	export MANIFOLD_DIR=$TRASH/norm &&
	l=$(manifold hash-object -w "$DATA/docker-list.json") &&
	manifold update-ref lists/docker.io/library/app:v1 "$l" &&
	manifold update-ref lists/docker.io/library/app:latest "$l" &&
	manifold update-ref lists/localhost:5000/x:latest "$l" &&
	for name in app:v1 docker.io/app:v1 library/app:v1 docker.io/library/app:v1 \
		index.docker.io/library/app:v1 app localhost:5000/x; do
		echo "$l" >expect &&
		manifold rev-parse "$name" >actual &&
		test_cmp expect actual || exit 1
	done &&
	manifold rev-parse --symbolic-full-name app >actual &&
	echo lists/docker.io/library/app:latest >expect && test_cmp expect actual
'

test_expect_success 'NAME:PLATFORM picks the entry of a list, normalised as containerd does' '
	export MANIFOLD_DIR=$TRASH/norm &&
	arm64=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1]))[\"manifests\"]; print([e[\"digest\"] for e in m if e[\"platform\"][\"architecture\"]==\"arm64\"][0])" "$DATA/docker-list.json") &&
	amd64=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1]))[\"manifests\"]; print([e[\"digest\"] for e in m if e[\"platform\"][\"architecture\"]==\"amd64\"][0])" "$DATA/docker-list.json") &&
	for p in linux/arm64 linux/arm64/v8 linux/aarch64; do
		echo "$arm64" >expect &&
		manifold rev-parse "app:v1:$p" >actual &&
		test_cmp expect actual || exit 1
	done &&
	echo "$amd64" >expect &&
	manifold rev-parse app:v1:linux/x86_64 >actual && test_cmp expect actual &&
	manifold rev-parse localhost:5000/x:latest:linux/amd64 >actual && test_cmp expect actual &&
	manifold rev-parse "app:v1@{0}:linux/amd64" >actual && test_cmp expect actual &&
	l=$(manifold rev-parse app:v1) &&
	manifold rev-parse "$l:linux/amd64" >actual && test_cmp expect actual &&
	manifold rev-parse "$(echo $l | cut -c1-15):linux/amd64" >actual && test_cmp expect actual
'

test_expect_success 'NAME:PLATFORM refusals: platform missing, not a list (one line each)' '
	export MANIFOLD_DIR=$TRASH/norm &&
	test_must_fail --code=128 manifold rev-parse app:v1:linux/s390x 2>err &&
	test_stderr_line "has no entry for linux/s390x" err &&
	m=$(manifold hash-object -w "$DATA/docker-manifest.json") &&
	manifold update-ref lists/docker.io/library/single:v1 "$m" &&
	test_must_fail --code=128 manifold rev-parse single:v1:linux/amd64 2>err &&
	test_stderr_line "is not a list" err
'

test_expect_success 'NAME:PLATFORM skips BuildKit attestation entries' '
	export MANIFOLD_DIR=$TRASH/norm &&
	b=$(manifold hash-object -w "$DATA/buildkit-index.json") &&
	manifold update-ref lists/docker.io/library/bk:v1 "$b" &&
	want=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1]))[\"manifests\"]; print([e[\"digest\"] for e in m if e.get(\"annotations\",{}).get(\"vnd.docker.reference.type\")!=\"attestation-manifest\"][0])" "$DATA/buildkit-index.json") &&
	p=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1]))[\"manifests\"][0][\"platform\"]; print(m[\"os\"]+\"/\"+m[\"architecture\"]+(\"/\"+m[\"variant\"] if \"variant\" in m else \"\"))" "$DATA/buildkit-index.json") &&
	echo "$want" >expect &&
	manifold rev-parse "bk:v1:$p" >actual && test_cmp expect actual &&
	test_must_fail manifold rev-parse bk:v1:unknown/unknown 2>err
'

test_done
