#!/bin/bash
test_description='pull: a three-way merge by platform of a remote list into a local one, remotes/ as the base'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
porcelain_setup

# Two publishers, each with a store of its own, and one tag they share.
T=$R/pub/app:v1
A=$TRASH/store-a B=$TRASH/store-b
a() { MANIFOLD_DIR=$A manifold "$@"; }
b() { MANIFOLD_DIR=$B manifold "$@"; }

# The platforms of a list, one per line, in order.
platforms() {
	"$1" inspect "$2" | python3 -c '
import json, sys
for m in json.load(sys.stdin)["manifests"]:
    p = m["platform"]
    print("/".join(x for x in (p["os"], p["architecture"], p.get("variant", "")) if x))'
}

test_expect_success 'setup: A publishes amd64 and arm64; B fetches it and adds s390x' '
	a create --insecure "$T" "$APP:amd64" "$APP:arm64" >/dev/null &&
	a push --insecure "$T" >/dev/null &&
	b fetch -q --insecure "$T" >/dev/null &&
	b create --insecure --amend "$T" "$APP:s390x" >/dev/null &&
	b push --insecure "$T" >/dev/null &&
	printf "%s\n" linux/amd64 linux/arm64/v8 linux/s390x >expect &&
	platforms b "$T" >actual &&
	test_cmp expect actual
'

test_expect_success 'A adds armv7 and pulls: both sides kept, remotes/ moved, both parents in the log' '
	a create --insecure --amend "$T" "$APP:armv7" >/dev/null &&
	before=$(a show-ref -s "lists/$T") &&
	theirs=$(b show-ref -s "lists/$T") &&
	a pull -q --insecure "$T" >out 2>err &&
	test ! -s err &&
	after=$(a show-ref -s "lists/$T") &&
	echo "Merged $T ($theirs) into $T: $after" >expect &&
	test_cmp expect out &&
	printf "%s\n" linux/amd64 linux/arm64/v8 linux/arm/v7 linux/s390x >expect &&
	platforms a "$T" >actual &&
	test_cmp expect actual &&
	test "$(a show-ref -s "remotes/$T")" = "$theirs" &&
	a reflog "$T" >log &&
	test_grep -F "merge of $before and $theirs" log &&
	a log -n 1 "$T" >log &&
	test_grep -x "Merge:   $before $theirs" log &&
	test_grep -x "    + linux/s390x sha256:[0-9a-f]\{12\}" log &&
	a log -n 2 --format "{{json .Parents}}" "$T" >parents &&
	printf "[\"%s\",\"%s\"]\n[\"%s\"]\n" "$before" "$theirs" \
		"$(a rev-parse "$T@{2}")" >expect &&
	test_cmp expect parents &&
	a log -n 2 "$T" >log &&
	test "$(grep -c "^Merge:" log)" = 1 &&
	a fsck
'

test_expect_success 'pulling again changes nothing' '
	list=$(a show-ref -s "lists/$T") &&
	a pull -q --insecure "$T" >out &&
	echo "Manifest list $T is up to date" >expect &&
	test_cmp expect out &&
	test "$(a show-ref -s "lists/$T")" = "$list"
'

test_expect_success 'A pushes the merge; B pulls it as a fast-forward: the same digest' '
	a push --insecure "$T" >/dev/null &&
	merged=$(a show-ref -s "lists/$T") &&
	b pull -q --insecure "$T" >out &&
	echo "Fast-forwarded $T to $merged" >expect &&
	test_cmp expect out &&
	test "$(b show-ref -s "lists/$T")" = "$merged" &&
	test "$(b show-ref -s "remotes/$T")" = "$merged"
'

test_expect_success 'an entry removed on one side stays removed: the base says it was there' '
	a remove "$T" "${D[armv7]}" >/dev/null &&
	b create --insecure --amend "$T" "$APP:ppc64le" >/dev/null &&
	b push --insecure "$T" >/dev/null &&
	a pull -q --insecure "$T" >out &&
	test_grep "^Merged" out &&
	printf "%s\n" linux/amd64 linux/arm64/v8 linux/s390x linux/ppc64le >expect &&
	platforms a "$T" >actual &&
	test_cmp expect actual &&
	a push --insecure "$T" >/dev/null &&
	b pull -q --insecure "$T" >out &&
	test_grep "^Fast-forwarded" out &&
	platforms b "$T" >actual &&
	test_cmp expect actual
'

test_expect_success 'the same platform changed on both sides: a conflict per entry, nothing changed' '
	a annotate --annotation who=a "$T" "${D[amd64]}" &&
	b annotate --annotation who=b "$T" "${D[amd64]}" &&
	b push --insecure "$T" >/dev/null &&
	a show-ref >refs.before &&
	a cat-manifest --batch-check --batch-all-objects >objects.before &&
	test_expect_code 1 a pull -q --insecure "$T" >out 2>err &&
	test ! -s out &&
	test_grep "^conflict: linux/amd64: base sha256:[0-9a-f]*, local sha256:[0-9a-f]*, $T sha256:[0-9a-f]*$" err &&
	test_grep "1 conflict; nothing was changed" err &&
	test_line_count = 2 err &&
	a show-ref >refs.after &&
	test_cmp refs.before refs.after &&
	a cat-manifest --batch-check --batch-all-objects >objects.after &&
	test_cmp objects.before objects.after
'

test_expect_success '--theirs resolves it with the remote side, --ours with the local one' '
	cp -r "$A" "$TRASH/store-a2" &&
	a pull -q --insecure --theirs "$T" >out &&
	test_grep "^Merged\|^Fast-forwarded" out &&
	a inspect "$T" >l &&
	test_grep "\"who\": \"b\"" l &&
	! test_grep "\"who\": \"a\"" l &&
	MANIFOLD_DIR=$TRASH/store-a2 manifold pull -q --insecure --ours "$T" >out &&
	MANIFOLD_DIR=$TRASH/store-a2 manifold inspect "$T" >l &&
	test_grep "\"who\": \"a\"" l &&
	! test_grep "\"who\": \"b\"" l
'

test_expect_success 'a new local list is the remote one, byte for byte' '
	b pull -q --insecure "$T" "$R/pub/copy:v1" >out &&
	echo "Created manifest list $R/pub/copy:v1" >expect &&
	test_cmp expect out &&
	test "$(b show-ref -s "lists/$R/pub/copy:v1")" = "$(b show-ref -s "remotes/$T")"
'

# The digest the registry's tag names now.
tag_digest() {
	manifold ls-remote --insecure "${1%:*}" "${1##*:}" | cut -f1
}

test_expect_success 'push --force-with-lease refuses a tag someone else moved, then pushes after a pull' '
	a pull -q --insecure "$T" >/dev/null &&
	b pull -q --insecure "$T" >/dev/null &&
	b remove "$T" "${D[ppc64le]}" >/dev/null &&
	b push --insecure --force-with-lease "$T" >/dev/null &&
	theirs=$(tag_digest "$T") &&
	test "$theirs" = "$(b show-ref -s "lists/$T")" &&
	seen=$(a show-ref -s "remotes/$T") &&
	a create --insecure --amend "$T" "$APP:armv7" >/dev/null &&
	test_expect_code 1 a push -q --insecure --force-with-lease "$T" >out 2>err &&
	test_stderr_line "^stale info: $T now names $theirs, not $seen as expected; the tag was not replaced \(run .manifold pull $T. first\)$" err &&
	test "$(tag_digest "$T")" = "$theirs" &&
	test "$(a show-ref -s "remotes/$T")" = "$seen" &&
	a pull -q --insecure "$T" >/dev/null &&
	a push -q --insecure --force-with-lease "$T" >/dev/null &&
	test "$(tag_digest "$T")" = "$(a show-ref -s "lists/$T")" &&
	printf "%s\n" linux/amd64 linux/arm64/v8 linux/s390x linux/arm/v7 >expect &&
	platforms a "$T" >actual &&
	test_cmp expect actual
'

test_expect_success 'push --force-with-lease=DIGEST, and a tag that must not exist' '
	now=$(tag_digest "$T") &&
	a annotate --annotation lease=1 "$T" "${D[amd64]}" &&
	test_expect_code 1 a push -q --insecure --force-with-lease="${D[amd64]}" "$T" 2>err &&
	test_grep "^stale info: $T now names $now, not ${D[amd64]} as expected" err &&
	test "$(tag_digest "$T")" = "$now" &&
	a push -q --insecure --force-with-lease="$now" "$T" >/dev/null &&
	test "$(tag_digest "$T")" = "$(a show-ref -s "lists/$T")" &&
	# no remotes/ record: the tag must not exist
	a create --insecure "$R/pub/other:v1" "$APP:amd64" >/dev/null &&
	a push -q --insecure --force-with-lease "$R/pub/other:v1" >/dev/null &&
	b create --insecure "$R/pub/other:v1" "$APP:arm64" >/dev/null &&
	test_expect_code 1 b push -q --insecure --force-with-lease "$R/pub/other:v1" 2>err &&
	test_grep "^stale info: $R/pub/other:v1 now names sha256:[0-9a-f]*, where nothing was expected" err &&
	# a lease on a digest for a tag that does not exist
	a create --insecure "$R/pub/gone:v1" "$APP:amd64" >/dev/null &&
	test_expect_code 1 a push -q --insecure --force-with-lease="$now" "$R/pub/gone:v1" 2>err &&
	test_grep "^stale info: $R/pub/gone:v1 no longer exists; expected $now" err &&
	# plain push replaces it, as docker does
	b push -q --insecure "$R/pub/other:v1" >/dev/null &&
	test "$(tag_digest "$R/pub/other:v1")" = "$(b show-ref -s "lists/$R/pub/other:v1")" &&
	test_expect_code 125 a push --force-with-lease=sha256:bad "$T" 2>err &&
	test_grep "invalid argument \"sha256:bad\" for \"--force-with-lease\" flag" err
'

test_expect_success 'bad input: a remote that is not a list, a bad base, usage; nothing changed' '
	a show-ref >refs.before &&
	test_expect_code 1 a pull -q --insecure "$APP:amd64" "$T" 2>err &&
	test_stderr_line "is not a manifest list .*: nothing to merge$" err &&
	test_expect_code 125 a pull --ours --theirs "$T" 2>err &&
	test_grep "mutually exclusive" err &&
	test_expect_code 1 a pull -q --insecure "$R/pub/none:v1" 2>err &&
	test_stderr_line "no such manifest: $R/pub/none:v1$" err &&
	# a merge base that is not a list
	cfg=$(echo "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}" |
		a hash-object -w -t application/vnd.oci.image.config.v1+json --stdin) &&
	a update-ref "remotes/$T" "$cfg" &&
	a show-ref >refs.before &&
	test_expect_code 1 a pull -q --insecure "$T" 2>err &&
	test_stderr_line "the merge base of $T, $cfg: .*" err &&
	a show-ref >refs.after &&
	test_cmp refs.before refs.after
'

# put_list TAG JSON: an OCI index put on the registry as pub/app:TAG,
# past manifold (which would not write it).
put_list() {
	registry_curl -sSf -X PUT -H "Content-Type: $IDX" --data-binary "$2" \
		"http://$R/v2/pub/app/manifests/$1" >/dev/null
}

test_expect_success 'bad input: a remote list with an entry manifold cannot read; nothing changed' '
	a show-ref >refs.before &&
	a cat-manifest --batch-check --batch-all-objects >objects.before &&
	entry="{\"mediaType\":\"$DOCKER_MANIFEST\",\"digest\":\"${D[amd64]}\",\"size\":0,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}" &&
	put_list zero "{\"schemaVersion\":2,\"mediaType\":\"$IDX\",\"manifests\":[$entry]}" &&
	test_expect_code 1 a pull -q --insecure "$R/pub/app:zero" "$T" 2>err &&
	test_stderr_line "^$R/pub/app:zero: invalid manifest: manifests\[0\]\.size is 0" err &&
	entry="{\"mediaType\":\"$DOCKER_MANIFEST\",\"digest\":\"${D[amd64]}\",\"size\":1,\"annotations\":{\"a\\u0001b\":\"x\"}}" &&
	put_list ctl "{\"schemaVersion\":2,\"mediaType\":\"$IDX\",\"manifests\":[$entry]}" &&
	test_expect_code 1 a pull -q --insecure "$R/pub/app:ctl" "$T" 2>err &&
	test_stderr_line "^$R/pub/app:ctl: invalid manifest: manifests\[0\]\.annotations has a key with a control character$" err &&
	a show-ref >refs.after &&
	test_cmp refs.before refs.after &&
	a cat-manifest --batch-check --batch-all-objects >objects.after &&
	test_cmp objects.before objects.after
'

test_expect_success 'gc keeps the merge base: remotes/ is a root' '
	a fetch -q --insecure --force "$T" >/dev/null &&
	base=$(a show-ref -s "remotes/$T") &&
	a annotate --annotation who=gc "$T" "${D[amd64]}" &&
	test "$(a show-ref -s "lists/$T")" != "$base" &&
	a gc -q --prune=now &&
	a cat-manifest "$base" >/dev/null &&
	a pull -q --insecure "$T" >out &&
	echo "Manifest list $T is up to date" >expect &&
	test_cmp expect out
'

# drop_object DIR DIGEST: the store in DIR without that object, as if
# it had been deleted behind manifold's back (mdb_dump, mdb_load).
drop_object() {
	local key
	key=$(printf "%s" "$2" | od -An -v -tx1 | tr -d " \n") &&
	mdb_dump -a "$1" | awk -v k=" $key" '
		skip { skip = 0; next }
		/^database=/ { db = substr($0, 10) }
		db == "objects" && $0 == k { skip = 1; dropped = 1; next }
		{ print }
		END { exit !dropped }' >dump &&
	rm -rf "$1.new" && mkdir "$1.new" &&
	mdb_load -f dump "$1.new" 2>/dev/null &&
	rm -rf "$1" && mv "$1.new" "$1"
}

test_expect_success MDB_TOOLS 'a merge base missing from the store: a clear error, nothing changed' '
	base=$(a show-ref -s "remotes/$T") &&
	drop_object "$A" "$base" &&
	test_must_fail a cat-manifest "$base" 2>/dev/null &&
	a show-ref >refs.before &&
	test_expect_code 1 a pull -q --insecure "$T" 2>err &&
	test_stderr_line "the merge base of $T, $base \(remotes/$T\), is not in the store; run .manifold fetch --force $T $T. to start again from the remote" err &&
	a show-ref >refs.after &&
	test_cmp refs.before refs.after &&
	a fetch -q --insecure --force "$T" "$T" >/dev/null &&
	test "$(a show-ref -s "lists/$T")" = "$base" &&
	a pull -q --insecure "$T" >out &&
	test_cmp expect out
'

test_done
