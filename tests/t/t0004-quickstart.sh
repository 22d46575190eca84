#!/bin/bash
test_description='the README'\''s quickstart runs end to end, and shows what it claims'
. ./test-lib.sh

for tool in docker-registry skopeo curl python3; do
	if ! command -v "$tool" >/dev/null; then
		say "1..0 # SKIP the quickstart needs $tool"
		exit 77
	fi
done

test_expect_success 'contrib/quickstart.sh succeeds' '
	{ MANIFOLD_BUILD_DIR=$MANIFOLD_BUILD_DIR bash "$MANIFOLD_SOURCE_DIR/contrib/quickstart.sh" >raw 2>&1 ||
		{ tail -n 30 raw; false; }; } &&
	sed "s/\x1b\[[0-9;]*m//g" raw >out
'

test_expect_success 'every step has its heading, in order' '
	grep "^## " out >headings &&
	for h in "A throwaway registry" "Create a list" "Annotate an entry" \
		"Inspect the list" "Sign it offline" "Push it" "Read it back" \
		"History, offline" "Underneath"; do
		grep -n "^## $h" headings >>found || return 1
	done &&
	test_line_count = 9 found &&
	cut -d: -f1 found >order && sort -n order >sorted && test_cmp sorted order
'

# output_of [-N] CMD: the output of the command shown as "$ CMD" (CMD a
# regular expression that reads the same in BRE and ERE: no \, no
# braces), up to the next command, heading or comment; -N: its Nth run.
output_of() {
	local n=1
	case $1 in -[0-9]*) n=${1#-}; shift ;; esac
	awk -v re="^[$] $1\$" -v n="$n" '
		$0 ~ re { k++; f = (k == n); next }
		f && (/^[$] / || /^#/) { exit }
		f { print }' out
}
R='127[.]0[.]0[.]1:[0-9]*'
L="$R/demo/app:v1"
AT1='@[{]1[}]'
HEX='[0-9a-f]\{64\}'

test_expect_success 'create makes the list from the two images' '
	test_grep "^Created manifest list $L$" out
'

test_expect_success 'inspect: a table of two platforms, the annotation in it' '
	output_of "manifold inspect --format table $L" >inspect1 &&
	sed -n "/^PLATFORM /,\$p" inspect1 | sed 1d | grep . >table &&
	test_line_count = 2 table &&
	test_grep "^linux/amd64  *oci  *[0-9]*  *sha256:$HEX$" table &&
	test_grep "^linux/arm64/v8  *oci  *[0-9]*  *sha256:$HEX$" table
'

test_expect_success 'push: the digest manifold printed is the sha256 of the bytes the registry serves' '
	sed -n "s/^Digest: *//p" inspect1 >annotated &&
	test_line_count = 1 annotated &&
	output_of "manifold push $L" | grep "^sha256:" >pushed &&
	test_cmp annotated pushed &&
	sed -n "s/^manifold pushed: *//p" out >said &&
	sed -n "s/^sha256 of the bytes: *//p" out >served &&
	sed -n "s/^digests agree: *//p" out >agree &&
	test_cmp annotated said &&
	test_cmp annotated served &&
	test_cmp annotated agree &&
	output_of "sha256sum served.json" | head -n 1 >sum &&
	echo "$(sed s/^sha256:// annotated)  served.json" >expect &&
	test_cmp expect sum &&
	! grep "digests differ" out
'

test_expect_success 'sign: the list and both images; verify on the registry accepts all three' '
	output_of "manifold sign --key demo.key $L" >signed &&
	test "$(grep -c "^signed  *sha256:$HEX" signed)" = 3 &&
	grep "^signed  *$(cat annotated) $L$" signed &&
	output_of "manifold verify --remote --key demo.pub $L" | grep . >verified &&
	test_line_count = 3 verified &&
	test "$(grep -c "^verified  *sha256:$HEX" verified)" = 3 &&
	grep "^verified  *$(cat annotated) $L key sha256:$HEX$" verified
'

test_expect_success 'log shows both versions, diff the annotation' '
	output_of "manifold log $L" >log &&
	test_grep "^Command: manifold annotate $L $R/demo/app:linux-arm64 --variant v8$" log &&
	test_grep "^Command: manifold create $L " log &&
	output_of "manifold diff $L$AT1 $L" >diff &&
	test_grep "^~ linux/arm64/v8 platform linux/arm64 -> linux/arm64/v8$" diff &&
	test_line_count = 1 diff
'

test_expect_success 'restore: the version before the annotate is current again, and recorded' '
	sed -n "s|^$L@{1} \(sha256:$HEX\)$|\1|p" log >created &&
	test_line_count = 1 created &&
	! test_cmp created annotated >/dev/null &&
	output_of "manifold restore $L$AT1" >restore &&
	echo "Restored $(sed -n "s/^Created manifest list //p" out) to $(cat created)" >expect &&
	test_cmp expect restore &&
	output_of -2 "manifold inspect --format table $L" | sed -n "s/^Digest: *//p" >now &&
	test_cmp created now &&
	output_of "manifold log --oneline $L" >oneline &&
	grep "^$L@{" oneline >versions &&
	test_line_count = 3 versions &&
	test_grep "^$L@{0} [0-9a-f]\{12\} manifold restore " versions &&
	test_grep "^$L@{2} [0-9a-f]\{12\} manifold create " versions &&
	output_of -2 "manifold inspect --format table $L" >inspect2 &&
	test_grep "^linux/arm64  *oci " inspect2 &&
	! grep "linux/arm64/v8" inspect2
'

test_expect_success 'the plumbing: the local list restored, the registry'\''s the pushed one; fsck clean' '
	output_of "manifold show-ref" >refs &&
	test_grep "^$(cat created) lists/$L$" refs &&
	test_grep "^$(cat annotated) remotes/$L$" refs &&
	test_grep "problems: 0$" out
'

test_expect_success 'the quickstart leaves no registry running' '
	! pgrep -f "docker-registry serve /tmp/tmp" >/dev/null
'

test_done
