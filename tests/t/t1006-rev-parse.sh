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

test_done
