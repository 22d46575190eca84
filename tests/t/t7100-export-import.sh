#!/bin/bash
test_description='export and import: registry -> layout -> new store -> second registry, every digest and the history kept'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"

# umoci judges the layouts export writes.
command -v umoci >/dev/null 2>&1 ||
	test_skip_all "t7100 needs umoci, which is not installed"

# The second registry first, then the one porcelain_setup seeds.
start_registry plain --name second
R2=$REGISTRY
porcelain_setup
FIRST=$REGISTRY_NAME
L=$R/rel/app:v1
HOME_STORE=$MANIFOLD_DIR
AIR=$TRASH/air

# blobs_ok DIR: every blob of the layout hashes to its name
blobs_ok() {
	for f in "$1"/blobs/sha256/*; do
		test "$(sha256sum <"$f" | cut -c1-64)" = "${f##*/}" ||
		{ echo "$f is not true to its name"; return 1; }
	done
}

# digests LIST in the current store: the list, its children, their configs and layers
graph_digests() {
	manifold cat-manifest "$1" | grep -o 'sha256:[0-9a-f]\{64\}' >g.top &&
	for d in $(cat g.top); do
		manifold cat-manifest "$d" | grep -o 'sha256:[0-9a-f]\{64\}' || return 1
	done >g.below &&
	(manifold rev-parse "$1" && cat g.top g.below) | sort -u
}

# state: what the store holds, to prove "unchanged"
state() {
	manifold show-ref && manifold reflog "$L" 2>/dev/null
}

test_expect_success 'setup: a list with a history of two versions' '
	manifold create --insecure "$L" "$APP:amd64-oci" "$APP:arm64-oci" >/dev/null &&
	manifold annotate "$L" "$APP:arm64-oci" --os-version 13.0 &&
	test "$(manifold reflog "$L" | wc -l)" = 2 &&
	graph_digests "$L" >home.digests &&
	test "$(wc -l <home.digests)" = 7
'

test_expect_success 'export --history: a plain layout skopeo and umoci read, every blob true to its name' '
	manifold export --history -o oci:exp "$L" >out &&
	echo "$(manifold rev-parse "$L")	$L" >expect &&
	test_cmp expect out &&
	blobs_ok exp &&
	test "$(ls exp/blobs/sha256 | wc -l)" -ge 7 &&
	umoci ls --layout exp >tags &&
	echo "$L" >expect && test_cmp expect tags &&
	skopeo inspect --raw "oci:exp:$L" >got &&
	manifold cat-manifest "$L" >want &&
	test_cmp want got &&
	test -s exp/manifold-history.json &&
	grep -q "\"lists/$L\"" exp/manifold-history.json
'

test_expect_success 'skopeo copies the exported layout to a registry with every digest kept' '
	skopeo copy -q --all --preserve-digests --dest-tls-verify=false --dest-no-creds \
		"oci:exp:$L" "docker://$R/skopeo/app:v1" &&
	registry_curl -sS -f -H "Accept: application/vnd.oci.image.index.v1+json" \
		"$REGISTRY_URL/v2/skopeo/app/manifests/v1" >got &&
	test_cmp want got
'

test_expect_success 'import into an empty store: the history is there, offline' '
	export MANIFOLD_DIR=$AIR &&
	manifold import oci:exp >out &&
	echo "$(MANIFOLD_DIR=$HOME_STORE manifold rev-parse "$L")	created	$L" >expect &&
	test_cmp expect out &&
	test "$(manifold reflog "$L" | wc -l)" = 2 &&
	MANIFOLD_DIR=$HOME_STORE manifold reflog "$L" >expect &&
	manifold reflog "$L" >got &&
	test_cmp expect got &&
	manifold inspect "$L@{1}" >old &&
	test_grep "\"architecture\": \"arm64\"" old &&
	! grep -q "13.0" old &&
	manifold diff "$L@{1}" "$L" >diff &&
	test_grep "13.0" diff &&
	manifold fsck
'

test_expect_success 'import again: nothing changes' '
	export MANIFOLD_DIR=$AIR &&
	state >before &&
	manifold import oci:exp >out &&
	test_grep "	unchanged	$L$" out &&
	state >after &&
	test_cmp before after
'

test_expect_success 'a later export of the same list moves it on, with the new history' '
	MANIFOLD_DIR=$HOME_STORE manifold annotate "$L" "$APP:amd64-oci" --os-version 12.0 &&
	MANIFOLD_DIR=$HOME_STORE manifold export --history -o oci:exp2 "$L" >/dev/null &&
	export MANIFOLD_DIR=$AIR &&
	manifold import oci:exp2 >out &&
	test_grep "	updated	$L$" out &&
	MANIFOLD_DIR=$HOME_STORE manifold reflog "$L" >expect &&
	manifold reflog "$L" >got &&
	test_cmp expect got
'

test_expect_success 'a list that diverged is refused, the store unchanged; --force takes the import' '
	export MANIFOLD_DIR=$AIR &&
	manifold annotate "$L" "${D[amd64-oci]}" --os-version 99 &&
	MANIFOLD_DIR=$HOME_STORE manifold annotate "$L" "$APP:amd64-oci" --os-version 12.1 &&
	MANIFOLD_DIR=$HOME_STORE manifold export --history -o oci:exp3 "$L" >/dev/null &&
	state >before &&
	test_must_fail --code=1 manifold import oci:exp3 >out 2>err &&
	test_stderr_line "lists/$L has diverged: the store has sha256:[0-9a-f]{64}, which the import.s history does not lead to" err &&
	state >after &&
	test_cmp before after &&
	manifold import --force oci:exp3 >out &&
	test_grep "	forced	$L$" out &&
	test "$(manifold rev-parse "$L")" = "$(MANIFOLD_DIR=$HOME_STORE manifold rev-parse "$L")" &&
	manifold reflog "$L" >log &&
	test_grep "99" <(manifold inspect "$L@{1}")
'

test_expect_success 'an OCI archive: written whole, read by skopeo, imported, pushed from' '
	export MANIFOLD_DIR=$HOME_STORE &&
	manifold export --history -o oci-archive:exp.tar "$L" >/dev/null &&
	! ls exp.tar.* 2>/dev/null &&
	tar tf exp.tar >members &&
	test_grep "^manifold-history.json$" members &&
	! grep lock members &&
	skopeo inspect --raw "oci-archive:exp.tar:$L" >got &&
	manifold cat-manifest "$L" >want &&
	test_cmp want got &&
	export MANIFOLD_DIR=$TRASH/fromtar &&
	manifold import oci-archive:exp.tar >out &&
	test_grep "	created	$L$" out &&
	MANIFOLD_DIR=$HOME_STORE manifold reflog "$L" >expect &&
	manifold reflog "$L" >got &&
	test_cmp expect got &&
	manifold push "$L" "oci:again:v1" >/dev/null &&
	blobs_ok again &&
	test "$(ls again/blobs/sha256 | wc -l)" = 7
'

test_expect_success 'a bad archive: a path out of the tree, a truncation, a link: refused, nothing imported' '
	export MANIFOLD_DIR=$TRASH/badtar &&
	python3 -c "
import io, tarfile
with tarfile.open(\"evil1.tar\", \"w\", format=tarfile.USTAR_FORMAT) as t:
    i = tarfile.TarInfo(\"../x\"); i.size = 1
    t.addfile(i, io.BytesIO(b\"x\"))
" &&
	test_must_fail --code=1 manifold import oci-archive:evil1.tar 2>err &&
	test_line_count = 1 err &&
	head -c 5000 exp.tar >cut.tar &&
	test_must_fail --code=1 manifold import oci-archive:cut.tar 2>err &&
	test_line_count = 1 err &&
	mkdir evil && ln -s /etc/passwd evil/link && tar -cf evil2.tar -C evil link &&
	test_must_fail --code=1 manifold import oci-archive:evil2.tar 2>err &&
	test_line_count = 1 err &&
	test_must_fail manifold show-ref
'

test_expect_success 'push from the imported stores (layout, archive) to a second registry: no access to the first, every digest unchanged' '
	MANIFOLD_DIR=$HOME_STORE graph_digests "$L" >home.digests &&
	test "$(wc -l <home.digests)" = 7 &&
	export MANIFOLD_DIR=$AIR &&
	stop_registry "$FIRST" &&
	registry_env second &&
	manifold push --insecure "$L" "$R2/rel/app:v1" >out &&
	tail -n 1 out >top &&
	MANIFOLD_DIR=$HOME_STORE manifold rev-parse "$L" >expect &&
	test_cmp expect top &&
	for d in $(cat home.digests); do
		registry_curl -sS -f -I -H "Accept: application/vnd.oci.image.index.v1+json" \
			-H "Accept: application/vnd.oci.image.manifest.v1+json" \
			"$REGISTRY_URL/v2/rel/app/manifests/$d" >/dev/null 2>&1 ||
		registry_curl -sS -f -I "$REGISTRY_URL/v2/rel/app/blobs/$d" >/dev/null 2>&1 ||
		{ echo "missing $d"; return 1; }
	done &&
	# and from the store that imported the archive: its blobs come from it
	MANIFOLD_DIR=$TRASH/fromtar manifold push --insecure "$L" "$R2/tar/app:v1" >out &&
	tail -n 1 out >top &&
	test_cmp expect top &&
	for d in $(cat home.digests); do
		registry_curl -sS -f -I -H "Accept: application/vnd.oci.image.index.v1+json" \
			-H "Accept: application/vnd.oci.image.manifest.v1+json" \
			"$REGISTRY_URL/v2/tar/app/manifests/$d" >/dev/null 2>&1 ||
		registry_curl -sS -f -I "$REGISTRY_URL/v2/tar/app/blobs/$d" >/dev/null 2>&1 ||
		{ echo "missing $d"; return 1; }
	done
'

# bad LAYOUT: a copy of exp broken by a command, then refused with nothing written
bad_layout() {
	rm -rf "$1" && cp -r exp "$1"
}

test_expect_success 'a corrupt layer, a missing blob, a lying history: refused, nothing imported' '
	export MANIFOLD_DIR=$TRASH/fresh &&
	layer=$(manifold --store "$HOME_STORE" cat-manifest "${D[amd64-oci]}" 2>/dev/null |
		grep -o "sha256:[0-9a-f]\{64\}" | tail -n 1) &&
	test -n "$layer" &&
	bad_layout bad1 &&
	f=bad1/blobs/sha256/${layer#sha256:} &&
	chmod u+w "$f" && printf x | dd of="$f" bs=1 seek=10 conv=notrunc 2>/dev/null &&
	test_must_fail --code=1 manifold import oci:bad1 2>err &&
	test_stderr_line "layer $layer" err &&
	test_must_fail manifold rev-parse --verify "$L" &&
	bad_layout bad2 &&
	rm bad2/blobs/sha256/${layer#sha256:} &&
	test_must_fail --code=1 manifold import oci:bad2 2>err &&
	test_line_count = 1 err &&
	test_must_fail manifold rev-parse --verify "$L" &&
	bad_layout bad3 &&
	sed -i "s/\"manifoldHistory\": 1/\"manifoldHistory\": 7/" bad3/manifold-history.json &&
	test_must_fail --code=1 manifold import oci:bad3 2>err &&
	test_stderr_line "not a manifold history of version 1" err &&
	test_must_fail manifold rev-parse --verify "$L" &&
	bad_layout bad4 &&
	printf "{\"imageLayoutVersion\": \"2.0.0\"}" >bad4/oci-layout &&
	test_must_fail --code=1 manifold import oci:bad4 2>err &&
	test_line_count = 1 err &&
	test_must_fail manifold rev-parse --verify "$L" &&
	test_must_fail manifold show-ref >refs &&
	test_line_count = 0 refs
'

test_expect_success 'import takes a layout, and export a list that exists' '
	export MANIFOLD_DIR=$TRASH/fresh &&
	test_must_fail --code=1 manifold import "$R/rel/app:v1" 2>err &&
	test_stderr_line "import takes an OCI layout" err &&
	test_must_fail --code=1 manifold export -o oci:x "$R/no/such:list" 2>err &&
	test_stderr_line "No such manifest" err &&
	test_must_fail --code=125 manifold export "$L" 2>err
'


# A list of 8 images of 4 layers each, never pushed (made in a layout,
# exported from the store), then a layer or two of its export corrupted.
many_layers() {
	for m in $(manifold cat-manifest "$1" | grep -o "sha256:[0-9a-f]\{64\}"); do
		manifold cat-manifest "$m" | grep -o "sha256:[0-9a-f]\{64\}" | tail -n +2 ||
		return 1
	done
}

corrupt() {
	chmod u+w "$1" && printf x | dd of="$1" bs=1 seek=10 conv=notrunc 2>/dev/null
}

test_expect_success 'a corrupt layer among many: the same one-line error at --jobs 1 and 8, nothing imported' '
	export MANIFOLD_DIR=$TRASH/many-home &&
	for i in 0 1 2 3 4 5 6 7; do
		"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/registry/seed.py" image \
			--layout many-src --ref i$i --format oci --platform linux/amd64 \
			--os-version 10.$i --seed many-$i --layers 4 >/dev/null || return 1
	done &&
	manifold create "$R/many/app:v1" oci:many-src:i0 oci:many-src:i1 oci:many-src:i2 \
		oci:many-src:i3 oci:many-src:i4 oci:many-src:i5 oci:many-src:i6 \
		oci:many-src:i7 >/dev/null &&
	manifold export -q -o oci:many "$R/many/app:v1" >/dev/null &&
	many_layers "$R/many/app:v1" >layers &&
	test_line_count = 32 layers &&
	test "$(sort -u layers | wc -l)" = 32 &&
	l13=$(sed -n 13p layers) && l30=$(sed -n 30p layers) &&
	rm -rf many1 && cp -r many many1 &&
	corrupt many1/blobs/sha256/${l13#sha256:} &&
	export MANIFOLD_DIR=$TRASH/many-imp &&
	test_must_fail --code=1 manifold import --jobs 1 oci:many1 2>err1 &&
	test_stderr_line "layer $l13: .* does not match its digest" err1 &&
	test_must_fail --code=1 manifold import --jobs 8 oci:many1 2>err8 &&
	test_cmp err1 err8 &&
	test_must_fail manifold show-ref >refs &&
	test_line_count = 0 refs &&
	corrupt many1/blobs/sha256/${l30#sha256:} &&
	test_must_fail --code=1 manifold import -j 8 oci:many1 2>err8 &&
	test_cmp err1 err8 &&
	test_must_fail manifold show-ref >refs &&
	test_line_count = 0 refs &&
	manifold import -j 8 oci:many >out &&
	grep "	created	$R/many/app:v1$" out &&
	test "$(manifold rev-parse "$R/many/app:v1")" = \
		"$(manifold --store "$TRASH/many-home" rev-parse "$R/many/app:v1")"
'

# A big bad layer first, a small bad one after it: with 8 workers the
# small one fails first, while the big one is still being read; the
# big one is still the one named, as with one worker.
test_expect_success 'two bad layers: the first in order is named at any --jobs, even when a later one fails first' '
	export MANIFOLD_DIR=$TRASH/order-home &&
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/registry/seed.py" image \
		--layout order-src --ref big --format oci --platform linux/amd64 \
		--seed order-big --layers 1 --layer-size 16777216 >/dev/null &&
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/registry/seed.py" image \
		--layout order-src --ref small --format oci --platform linux/arm64/v8 \
		--seed order-small --layers 4 >/dev/null &&
	manifold create "$R/order/app:v1" oci:order-src:big oci:order-src:small >/dev/null &&
	manifold export -q -o oci:order "$R/order/app:v1" >/dev/null &&
	many_layers "$R/order/app:v1" >layers &&
	test_line_count = 5 layers &&
	big=order/blobs/sha256/$(sed -n 1p layers | cut -c8-) &&
	test $(wc -c <"$big") -gt 16000000 &&
	chmod u+w "$big" &&
	printf x | dd of="$big" bs=1 seek=$(($(wc -c <"$big") - 5)) conv=notrunc 2>/dev/null &&
	corrupt order/blobs/sha256/$(sed -n 3p layers | cut -c8-) &&
	export MANIFOLD_DIR=$TRASH/order-imp &&
	test_must_fail --code=1 manifold import -j 1 oci:order 2>err1 &&
	test_stderr_line "layer $(sed -n 1p layers): " err1 &&
	test_must_fail --code=1 manifold import -j 8 oci:order 2>err8 &&
	test_cmp err1 err8 &&
	test_must_fail manifold show-ref
'

# Eight workers start on a fresh directory at once: the one that makes
# the layout holds the lock while the others look.  A reader that saw the
# directory empty, then looked again once blobs/ was there, called the
# layout in the making foreign (15% of exports under ASan, CI failed on it).
test_expect_success 'export at --jobs 8 into a fresh directory, 25 times: readers wait for the layout' '
	export MANIFOLD_DIR=$TRASH/many-home &&
	for n in $(seq 25); do
		rm -rf race &&
		manifold export -q -j 8 -o oci:race "$R/many/app:v1" || return 1
	done &&
	umoci ls --layout race >tags &&
	test_line_count = 1 tags
'

test_expect_success 'import --jobs takes 0 (one per processor) to 64' '
	export MANIFOLD_DIR=$TRASH/many-imp2 &&
	test_must_fail --code=125 manifold import --jobs -1 oci:many 2>err &&
	test_grep "expected 0 to 64" err &&
	test_must_fail --code=125 manifold import -j 65 oci:many 2>err &&
	test_grep "expected 0 to 64" err &&
	test_must_fail manifold show-ref &&
	manifold import -j 0 oci:many >out &&
	grep "	created	$R/many/app:v1$" out
'

test_done
