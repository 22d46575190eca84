#!/bin/bash
test_description='log: versions of a list newest first, with who, the command and what changed'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-history.sh"

APPL=127.0.0.1:5000/library/app:l
T0=1700000000
export MANIFOLD_COMMITTER_NAME="Ada Lovelace" MANIFOLD_COMMITTER_EMAIL=ada@example.com
s() { local x=${1#sha256:}; echo "sha256:${x:0:12}"; }
x() { local x=${1#sha256:}; echo "${x:0:12}"; }

test_expect_success 'no store, or no such list: docker'"'"'s message, exit 1' '
	test_must_fail --code=1 manifold log "$APPL" 2>err &&
	test_stderr_line "^No such manifest: $APPL$" err &&
	test_must_fail --code=1 manifold log app 2>err &&
	test_stderr_line "^No such manifest: docker.io/library/app:latest$" err &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup: create, amend (add, digest change), annotate-like platform change' '
	L1=$(mklist docker "$H1=linux/amd64" "$H2=linux/arm64") &&
	L2=$(mklist docker "$H1=linux/amd64" "$H3=linux/arm64" "$H4=linux/s390x") &&
	L3=$(mklist docker "$H1=linux/amd64" "$H3=linux/arm64/v8" "$H4=linux/s390x") &&
	MANIFOLD_COMMITTER_DATE="$T0 +0000" setlist "manifold create $APPL a b" "$APPL" "$L1" &&
	MANIFOLD_COMMITTER_DATE="$((T0 + 60)) +0000" setlist "manifold create --amend $APPL a c d" "$APPL" "$L2" &&
	MANIFOLD_COMMITTER_DATE="$((T0 + 120)) +0000" setlist "manifold annotate --variant v8 $APPL c" "$APPL" "$L3" &&
	printf "%s\n" "$L1" "$L2" "$L3" >digests
'

test_expect_success 'log: each version with digest, date, who, command and changes' '
	{ read L1 && read L2 && read L3; } <digests &&
	cat >expect <<-EOF &&
	$APPL@{0} $L3
	Date:    2023-11-14T22:15:20+00:00 (3 minutes ago)
	By:      Ada Lovelace <ada@example.com>
	Command: manifold annotate --variant v8 $APPL c

	    ~ linux/arm64/v8 platform linux/arm64 -> linux/arm64/v8

	$APPL@{1} $L2
	Date:    2023-11-14T22:14:20+00:00 (4 minutes ago)
	By:      Ada Lovelace <ada@example.com>
	Command: manifold create --amend $APPL a c d

	    ~ linux/arm64 digest $(s $H2) -> $(s $H3)
	    + linux/s390x $(s $H4)

	$APPL@{2} $L1
	Date:    2023-11-14T22:13:20+00:00 (5 minutes ago)
	By:      Ada Lovelace <ada@example.com>
	Command: manifold create $APPL a b

	    + linux/amd64 $(s $H1)
	    + linux/arm64 $(s $H2)
	EOF
	MANIFOLD_COMMITTER_DATE="$((T0 + 300))" manifold log "$APPL" >actual &&
	test_cmp expect actual
'

test_expect_success '--oneline, -n and -p' '
	{ read L1 && read L2 && read L3; } <digests &&
	cat >expect <<-EOF &&
	$APPL@{0} $(x $L3) manifold annotate --variant v8 $APPL c (+0 -0 ~1)
	$APPL@{1} $(x $L2) manifold create --amend $APPL a c d (+1 -0 ~1)
	$APPL@{2} $(x $L1) manifold create $APPL a b (+2 -0 ~0)
	EOF
	manifold log --oneline "$APPL" >actual &&
	test_cmp expect actual &&
	head -n 2 expect >expect2 &&
	manifold log --oneline -n 2 "$APPL" >actual &&
	test_cmp expect2 actual &&
	manifold log -n 2 -p "$APPL" >actual &&
	grep "^    ~ linux/arm64 digest $H2 -> $H3$" actual &&
	grep "^    + linux/s390x $H4$" actual &&
	test_line_count = 14 actual &&
	manifold log -n 2 --patch "$APPL" >actual2 &&
	test_cmp actual actual2
'

test_expect_success 'the name may be short, or the full ref' '
	manifold log --oneline "lists/$APPL" >actual &&
	test_line_count = 3 actual &&
	grep "^lists/$APPL@{2} " actual
'

test_expect_success 'LIST@{n} of log is a revision the other commands take' '
	{ read L1 && read L2 && read L3; } <digests &&
	echo "$L2" >expect &&
	manifold rev-parse "$APPL@{1}" >actual &&
	test_cmp expect actual
'

test_expect_success 'after the list is deleted, log shows the deletion first' '
	{ read L1 && read L2 && read L3; } <digests &&
	manifold update-ref -d -m "manifold rm $APPL" "lists/$APPL" &&
	manifold log --oneline "$APPL" >actual &&
	cat >expect <<-EOF &&
	$APPL@{0} (deleted) manifold rm $APPL
	$APPL@{1} $(x $L3) manifold annotate --variant v8 $APPL c (+0 -0 ~1)
	EOF
	head -n 2 actual >actual2 &&
	test_cmp expect actual2 &&
	manifold log -n 1 "$APPL" >actual &&
	grep "^$APPL@{0} (deleted)$" actual &&
	grep "^    list deleted$" actual
'

test_expect_success 'index annotations and format changes are shown' '
	O1=$(mklist oci "$H1=linux/amd64") &&
	O2=$(printf "%s" "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":500,\"digest\":\"$H1\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"annotations\":{\"k\":\"v\"}}],\"annotations\":{\"org.example\":\"x\"}}" |
		manifold hash-object -w --stdin) &&
	D1=$(mklist docker "$H1=linux/amd64") &&
	setlist one x.io/a:b "$D1" && setlist two x.io/a:b "$O1" && setlist three x.io/a:b "$O2" &&
	cat >expect <<-EOF &&
	x.io/a:b@{0} $(x $O2) three (+0 -0 ~2)
	x.io/a:b@{1} $(x $O1) two (+0 -0 ~1)
	x.io/a:b@{2} $(x $D1) one (+1 -0 ~0)
	EOF
	manifold log --oneline x.io/a:b >actual &&
	test_cmp expect actual &&
	manifold log -n 2 x.io/a:b >actual &&
	grep "^    ~ index annotations +org.example=x$" actual &&
	grep "^    ~ linux/amd64 annotations +k=v$" actual &&
	grep "^    ~ index format docker -> oci$" actual
'

test_expect_success 'an empty list made by create: its first version says so' '
	manifold create y.io/empty:v1 >/dev/null &&
	manifold log y.io/empty:v1 >actual &&
	grep "^Command: manifold create y.io/empty:v1$" actual &&
	grep "^    created, empty$" actual
'

test_expect_success 'usage errors' '
	test_must_fail --code=1 manifold log 2>err &&
	grep "requires exactly 1 argument" err &&
	test_must_fail --code=1 manifold log a b 2>err &&
	test_must_fail --code=125 manifold log --bogus x 2>err &&
	grep "^unknown flag: --bogus" err
'

test_done
