#!/bin/bash
test_description='sign and verify lists: in the store, in layouts, on a registry

manifold signs a list and each entry in the cosign tag scheme (as skopeo
copy --all --sign-by-sigstore-private-key does); tests/t/sigverify.py, an
independent verifier written from the format description
(shared/reference/sigstore.md) with Debian 12 python3-cryptography, checks
what manifold writes in layouts and on a real registry, and signs in turn
what manifold must verify.  Debian'"'"'s skopeo and podman have sigstore
disabled, so they cannot be the judges here.'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import cryptography.hazmat.primitives.kdf.scrypt' 2>/dev/null; then
	test_skip_all "no $PY with python3-cryptography (Debian 12: 38.0.4)"
fi
command -v jq >/dev/null 2>&1 || test_skip_all "t8010 needs jq"
sigverify() {
	"$PY" "$TEST_LIB_DIR/sigverify.py" "$@"
}
seed_layout() {
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/registry/seed.py" image \
		--layout "$1" --ref "$2" --format oci "${@:3}"
}
unset COSIGN_PASSWORD
export MANIFOLD_PASSPHRASE=secret
echo secret >pass

start_registry plain
R=$REGISTRY
L=$R/rel/app:v1

A=$(seed_layout src a --platform linux/amd64 --seed sign-a) &&
B=$(seed_layout src b --platform linux/arm64/v8 --seed sign-b) &&
manifold create --format oci "$L" oci:src:a oci:src:b >/dev/null &&
LIST=$(manifold rev-parse "$L") &&
manifold generate-key --type ed25519 ed 2>/dev/null &&
manifold generate-key ec 2>/dev/null &&
sigverify make-key ecdsa-p256 pass py.key py.pub &&
sigverify make-key ed25519 pass other.key other.pub || {
	echo "Bail out! could not make the list and the keys"
	exit 1
}

test_expect_success 'an unsigned list: verify says so and fails' '
	test_expect_code 1 manifold verify --key ed.pub "$L" >out 2>err &&
	test "$(grep -c "^unsigned " out)" = 3 &&
	grep "3 of 3 not verified" err
'

for k in ed ec; do
	test_expect_success "$k: sign the list and each entry; verify with the key" '
		manifold sign --key $k.key "$L" >out &&
		test "$(grep -c "^signed " out)" = 3 &&
		grep "$LIST" out && grep "$A" out && grep "$B" out &&
		manifold verify --key $k.pub "$L" >out &&
		test "$(grep -c "^verified " out)" = 3 &&
		manifold fsck >/dev/null
	'
done

test_expect_success 'another key is refused; either of two keys verifies' '
	test_expect_code 1 manifold verify --key other.pub "$L" >out &&
	test "$(grep -c "^rejected .*not signed by the key" out)" = 3 &&
	manifold verify --key other.pub --key ed.pub "$L" >out &&
	test "$(grep -c "^verified " out)" = 3
'

test_expect_success 'signing again with the same key adds nothing' '
	manifold verify --format json --key ed.pub "$L" >before &&
	manifold sign --key ed.key "$L" >out &&
	test "$(grep -c "^unchanged " out)" = 3 &&
	manifold verify --format json --key ed.pub "$L" >after &&
	test "$(jq ".manifests[0].signatures" after)" = 2 &&
	test_cmp before after
'

test_expect_success 'the identity: the list name by default, --identity and --match otherwise' '
	test_expect_code 1 manifold verify --key ed.pub --identity "$R/rel/app:v2" "$L" >out &&
	grep "names $L, not $R/rel/app:v2" out &&
	manifold verify --key ed.pub --identity "$R/rel/app:v2" --match repository "$L" >out &&
	test "$(grep -c "^verified " out)" = 3 &&
	test_expect_code 1 manifold verify --key ed.pub --identity "$R/other:v1" \
		--match repository "$L" >out &&
	manifold verify --key ed.pub --identity "$R/rel/app@$LIST" --no-children "$L" >out &&
	test "$(grep -c "^verified " out)" = 1
'

test_expect_success 'verify --format json' '
	manifold verify --format json --key ec.pub "$L" >out &&
	jq -e ".verified == true and .identity == \"$L\" and (.manifests | length) == 3" out &&
	jq -e ".manifests[1].platform == \"linux/amd64\" and .manifests[1].signedIdentity == \"$L\"" out &&
	test_expect_code 1 manifold verify --format json --key other.pub "$L" >out &&
	jq -e ".verified == false and .manifests[0].verdict == \"rejected\"" out
'

test_expect_success 'export writes the tag scheme; the independent verifier accepts it' '
	manifold export -o oci:lay "$L" >/dev/null &&
	for d in "$LIST" "$A" "$B"; do
		test "$(jq -r --arg t "$(echo "$d" | sed "s/:/-/").sig" \
			"[.manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] == \$t)] | length" \
			lay/index.json)" = 1 || return 1
	done &&
	sigverify verify-tree "oci:lay:$L" ed.pub "$L" >out &&
	test "$(grep -c "^verified" out)" = 3 &&
	sigverify verify-tree "oci:lay:$L" ec.pub "$L" >out &&
	test_must_fail sigverify verify-tree "oci:lay:$L" other.pub "$L" >out &&
	test "$(grep -c "^rejected" out)" = 3
'

test_expect_success 'verify reads layouts; a changed payload byte is refused by both' '
	manifold verify --key ed.pub "oci:lay:$L" >out &&
	test "$(grep -c "^verified " out)" = 3 &&
	manifold verify --key ed.pub "oci-layout://$TRASH/lay:$L" >out &&
	test "$(grep -c "^verified " out)" = 3 &&
	cp -r lay bad &&
	sig=$(jq -r --arg t "$(echo "$A" | sed "s/:/-/").sig" \
		".manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] == \$t) | .digest" bad/index.json) &&
	for p in $(jq -r ".layers[].digest" "bad/blobs/sha256/${sig#sha256:}"); do
		f=bad/blobs/sha256/${p#sha256:} &&
		chmod u+w "$f" && sed -i "s/rel/rEl/" "$f" || return 1
	done &&
	test_expect_code 1 manifold verify --key ed.pub "oci:bad:$L" >out &&
	grep "^rejected  $A" out &&
	test "$(grep -c "^verified " out)" = 2 &&
	test_must_fail sigverify verify-tree "oci:bad:$L" ed.pub "$L" >out &&
	grep "^rejected $A" out
'

test_expect_success 'a signature of another manifest under a tag: refused by both' '
	cp -r lay moved &&
	sig_of() {
		jq -r --arg t "$(echo "$1" | sed "s/:/-/").sig" \
			".manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] == \$t) | .digest" moved/index.json
	} &&
	sa=$(sig_of "$A") && sb=$(sig_of "$B") &&
	jq -c --arg o "$sb" --arg n "$sa" "(.manifests[] | select(.digest == \$o)) |= (.digest = \$n)" \
		moved/index.json >ix && mv ix moved/index.json &&
	test "$(sig_of "$B")" = "$sa" &&
	test_expect_code 1 manifold verify --key ed.pub "oci:moved:$L" >out &&
	grep "^rejected  $B .*signs $A, another manifest" out &&
	grep "^verified  $A" out &&
	test_must_fail sigverify verify-tree "oci:moved:$L" ed.pub "$L" >out &&
	grep "^rejected $B" out
'

test_expect_success 'a malformed payload with a good signature: refused by both, with the reason' '
	for bad in extra-key no-optional; do
		rm -rf "m-$bad" && cp -r lay "m-$bad" &&
		sigverify payload "$L" "$B" x 1 >p.json &&
		case $bad in
		extra-key) jq -c ".critical.extra = 1" p.json ;;
		no-optional) jq -c "del(.optional)" p.json ;;
		esac >"bad-$bad.json" &&
		jq -c "del(.manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] == \"$(echo "$B" | sed "s/:/-/").sig\"))" \
			"m-$bad/index.json" >ix && mv ix "m-$bad/index.json" &&
		sigverify attach-raw "oci:m-$bad" py.key pass "$B" "bad-$bad.json" &&
		test_expect_code 1 manifold verify --key py.pub "oci:m-$bad:$L" >out &&
		grep "^rejected  $B .*payload" out &&
		test_must_fail sigverify verify-tree "oci:m-$bad:$L" py.pub "$L" >out &&
		grep "^rejected $B.*payload" out || return 1
	done
'

test_expect_success 'signatures made outside manifold verify with manifold' '
	cp -r lay ext &&
	sigverify attach "oci:ext:$L" py.key pass "$L" &&
	sigverify verify-tree "oci:ext:$L" py.pub "$L" >/dev/null &&
	manifold verify --key py.pub "oci:ext:$L" >out &&
	test "$(grep -c "^verified " out)" = 3 &&
	MANIFOLD_DIR=$TRASH/ext-store manifold import oci:ext >/dev/null &&
	MANIFOLD_DIR=$TRASH/ext-store manifold verify --key py.pub "$L" >out &&
	test "$(grep -c "^verified " out)" = 3 &&
	MANIFOLD_DIR=$TRASH/ext-store manifold verify --key ed.pub "$L" >out &&
	MANIFOLD_DIR=$TRASH/ext-store manifold fsck >/dev/null
'

test_expect_success 'push puts the tag scheme on the registry; the independent verifier accepts it' '
	manifold push --dry-run "$L" >plan &&
	test "$(grep -c "^put .*signature .*\.sig$" plan)" = 3 &&
	manifold push "$L" >/dev/null &&
	curl -fsS "http://$R/v2/rel/app/tags/list" >tags &&
	for d in "$LIST" "$A" "$B"; do
		jq -e --arg t "$(echo "$d" | sed "s/:/-/").sig" ".tags | index(\$t)" tags ||
		return 1
	done &&
	sigverify verify-tree "http://$R/rel/app:v1" ed.pub "$L" >out &&
	test "$(grep -c "^verified" out)" = 3 &&
	sigverify verify-tree "http://$R/rel/app:v1" ec.pub "$L" >/dev/null &&
	test_must_fail sigverify verify-tree "http://$R/rel/app:v1" other.pub "$L" &&
	manifold verify --remote --key ed.pub "$L" >out &&
	test "$(grep -c "^verified " out)" = 3
'

test_expect_success 'a second push finds them there' '
	manifold push "$L" >out &&
	test_must_fail grep "^put " out
'

test_expect_success 'push merges with a signature someone else put under the same tag' '
	L2=$R/rel/app:v2 &&
	manifold create --format oci "$L2" oci:src:a >/dev/null &&
	LIST2=$(manifold rev-parse "$L2") &&
	manifold push --insecure "$L2" >/dev/null &&
	sigverify attach "http://$R/rel/app:v2" py.key pass "$L2" &&
	manifold sign --key ed.key "$L2" >/dev/null &&
	manifold push --dry-run "$L2" >plan &&
	test "$(grep -c "^put .*signature .*\.sig$" plan)" = 2 &&
	manifold push "$L2" >/dev/null &&
	sig_layers() {
		curl -fsS -H "Accept: application/vnd.oci.image.manifest.v1+json" \
			"http://$R/v2/rel/app/manifests/$(echo "$1" | sed "s/:/-/").sig" |
		jq ".layers | length"
	} &&
	test "$(sig_layers "$LIST2")" = 2 &&
	test "$(sig_layers "$A")" = 4 &&
	test "$(sig_layers "$B")" = 2 &&
	sigverify verify-tree "http://$R/rel/app:v2" py.pub "$L2" >/dev/null &&
	sigverify verify-tree "http://$R/rel/app:v2" ed.pub "$L2" >/dev/null &&
	manifold verify --remote --key py.pub --key ed.pub "$L2" >/dev/null
'

test_expect_success 'two signature manifests of one subject in the store: a push at 8 jobs keeps both, 5 times' '
	(
		export MANIFOLD_DIR=$TRASH/race &&
		L3=$R/race/app:v1 &&
		manifold create --format oci "$L3" oci:src:a oci:src:b >/dev/null &&
		manifold push "$L3" >/dev/null &&
		sigverify attach "http://$R/race/app:v1" py.key pass "$L3" &&
		manifold sign --key ed.key "$L3" >/dev/null &&
		manifold fetch "$L3" >/dev/null &&
		for i in 1 2 3 4 5; do
			manifold push --jobs 8 "$L3" "$R/race$i/app:v1" >/dev/null &&
			sigverify verify-tree "http://$R/race$i/app:v1" ed.pub "$L3" >/dev/null &&
			sigverify verify-tree "http://$R/race$i/app:v1" py.pub "$L3" >/dev/null ||
			exit 1
		done
	)
'

test_expect_success 'a child that changed after signing: refused on the registry' '
	C=$(seed_layout src c --platform linux/s390x --seed sign-c) &&
	manifold create --amend --format oci "$L" oci:src:c >/dev/null &&
	manifold push "$L" >/dev/null &&
	test_must_fail sigverify verify-tree "http://$R/rel/app:v1" ed.pub "$L" >out &&
	grep "^rejected .*no signature manifest" out &&
	test_expect_code 1 manifold verify --remote --key ed.pub "$L" >out &&
	grep "^unsigned  $C" out &&
	grep "^unsigned  $(manifold rev-parse "$L")" out &&
	grep "^verified  $A" out
'

test_expect_success 'the earlier version keeps its signatures in the store' '
	manifold verify --key ed.pub "$L@{1}" --identity "$L" >out &&
	test "$(grep -c "^verified " out)" = 3 &&
	manifold sign --key ed.key "$L" >out &&
	test "$(grep -c "^signed " out)" = 2 &&
	test "$(grep -c "^unchanged " out)" = 2
'

test_expect_success 'fetch brings the signatures back; push to another repository carries them' '
	export MANIFOLD_DIR=$TRASH/fetched &&
	manifold fetch "$R/rel/app:v2" >/dev/null &&
	manifold verify --key ed.pub --key py.pub "$R/rel/app:v2" >out &&
	test "$(grep -c "^verified " out)" = 2 &&
	manifold verify --key py.pub "$R/rel/app:v2" >out &&
	test "$(grep -c "^verified " out)" = 2 &&
	manifold push "$R/rel/app:v2" "$R/copy/app:v2" >/dev/null &&
	sigverify verify-tree "http://$R/copy/app:v2" py.pub "$R/rel/app:v2" >/dev/null &&
	sigverify verify-tree "http://$R/copy/app:v2" ed.pub "$R/rel/app:v2" >/dev/null &&
	manifold verify --remote --key py.pub --identity "$R/rel/app:v2" "$R/copy/app:v2" >/dev/null
'

test_expect_success 'fetch --no-referrers asks the registry for none, and brings none' '
	export MANIFOLD_DIR=$TRASH/fetched-bare &&
	before=$(grep -c "referrers/\|sha256-[0-9a-f]*\(\.sig\)\? " "$REGISTRY_LOG") &&
	manifold fetch --no-referrers "$R/rel/app:v2" >/dev/null &&
	after=$(grep -c "referrers/\|sha256-[0-9a-f]*\(\.sig\)\? " "$REGISTRY_LOG") &&
	test "$before" = "$after" &&
	test_expect_code 1 manifold verify --key py.pub "$R/rel/app:v2" >out &&
	test "$(grep -c "^unsigned " out)" = 2 &&
	export MANIFOLD_DIR=$TRASH/fetched-sig &&
	manifold fetch --referrers signature "$R/rel/app:v2" >/dev/null &&
	after2=$(grep -c "referrers/\|sha256-[0-9a-f]*\(\.sig\)\? " "$REGISTRY_LOG") &&
	test "$after2" -gt "$after" &&
	manifold verify --key py.pub "$R/rel/app:v2" >/dev/null
'

test_expect_success 'gc keeps the signatures of a kept list, and drops them with it' '
	export MANIFOLD_DIR=$TRASH/gc &&
	manifold import oci:lay >/dev/null &&
	sig=$(jq -r --arg t "$(echo "$LIST" | sed "s/:/-/").sig" \
		".manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] == \$t) | .digest" lay/index.json) &&
	payload=$(jq -r ".layers[0].digest" "lay/blobs/sha256/${sig#sha256:}") &&
	manifold cat-manifest "$payload" >got &&
	cmp got "lay/blobs/sha256/${payload#sha256:}" &&
	manifold gc --prune=now >/dev/null &&
	manifold cat-manifest "$sig" >/dev/null &&
	manifold cat-manifest "$payload" >/dev/null &&
	manifold verify --key ed.pub "$L" >/dev/null &&
	manifold rm "$L" >/dev/null &&
	manifold reflog expire --expire=now --all &&
	manifold gc --prune=now >/dev/null &&
	test_must_fail manifold cat-manifest "$sig" 2>/dev/null &&
	test_must_fail manifold cat-manifest "$payload" 2>/dev/null &&
	manifold fsck >/dev/null
'

test_expect_success 'create and import take the signatures of their sources; --no-referrers leaves them' '
	export MANIFOLD_DIR=$TRASH/created &&
	manifold create --format oci "$R/made/app:v1" "oci:lay:$L" >/dev/null &&
	manifold verify --key ed.pub --no-children --identity "$L" "$A" >out &&
	grep "^verified  $A" out &&
	export MANIFOLD_DIR=$TRASH/created-bare &&
	manifold create --no-referrers --format oci "$R/made/app:v1" "oci:lay:$L" >/dev/null &&
	test_expect_code 1 manifold verify --key ed.pub --no-children --identity "$L" "$A" >out &&
	grep "^unsigned  $A" out &&
	export MANIFOLD_DIR=$TRASH/imported-bare &&
	manifold import --no-referrers oci:lay >/dev/null &&
	test_expect_code 1 manifold verify --key ed.pub "$L" >out &&
	test "$(grep -c "^unsigned " out)" = 3
'

test_expect_success '--referrers selects: signature, or an artifactType' '
	export MANIFOLD_DIR=$TRASH/selected &&
	manifold import --referrers signature oci:lay >/dev/null &&
	manifold verify --key ed.pub "$L" >/dev/null &&
	manifold export --referrers application/spdx+json -o oci:nosig "$L" >/dev/null &&
	test "$(jq "[.manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] | endswith(\".sig\"))] | length" nosig/index.json)" = 0 &&
	manifold export --referrers signature -o oci:sig "$L" >/dev/null &&
	test "$(jq "[.manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] | endswith(\".sig\"))] | length" sig/index.json)" = 3 &&
	manifold push --dry-run --referrers application/spdx+json "$L" "$R/sel/app:v1" >plan &&
	test_must_fail grep "signature" plan &&
	export MANIFOLD_DIR=$TRASH/selected-none &&
	manifold import --referrers application/spdx+json oci:lay >/dev/null &&
	test_expect_code 1 manifold verify --key ed.pub "$L" >/dev/null &&
	test_expect_code 125 manifold push --referrers "not a type" "$L" 2>err &&
	test_expect_code 125 manifold push --referrers signature --no-referrers "$L" 2>err &&
	test_expect_code 125 manifold fetch --referrers "x" "$L" 2>err &&
	test_expect_code 125 manifold create --referrers "x" "$L" a 2>err
'

test_expect_success 'with an SBOM: push, fetch back, push to a second registry, fetch back: all of it stays' '
	cp -r lay sbom-lay &&
	SBOM=$("$REGISTRY_PYTHON" "$TEST_LIB_DIR/add-referrer.py" sbom-lay "$LIST" \
		application/spdx+json "{\"sbom\":1}") &&
	export MANIFOLD_DIR=$TRASH/trip1 &&
	manifold import oci:sbom-lay >/dev/null &&
	manifold push "$L" "$R/trip/app:v1" >/dev/null &&
	curl -fsS -o /dev/null -H "Accept: application/vnd.oci.image.index.v1+json" \
		"http://$R/v2/trip/app/manifests/$(echo "$LIST" | sed "s/:/-/")" &&
	export MANIFOLD_DIR=$TRASH/trip2 &&
	manifold fetch "$R/trip/app:v1" >/dev/null &&
	manifold cat-manifest "$SBOM" >/dev/null &&
	start_registry plain --name second &&
	R2=$REGISTRY &&
	manifold push "$R/trip/app:v1" "$R2/far/app:v1" >/dev/null &&
	sigverify verify-tree "http://$R2/far/app:v1" ed.pub "$L" >/dev/null &&
	sigverify verify-tree "http://$R2/far/app:v1" ec.pub "$L" >/dev/null &&
	curl -fsS "http://$R2/v2/far/app/manifests/$(echo "$LIST" | sed "s/:/-/")" \
		-H "Accept: application/vnd.oci.image.index.v1+json" >fallback &&
	jq -e --arg d "$SBOM" "[.manifests[] | select(.digest == \$d)] | length == 1" fallback &&
	export MANIFOLD_DIR=$TRASH/trip3 &&
	manifold fetch "$R2/far/app:v1" >/dev/null &&
	manifold cat-manifest "$SBOM" >/dev/null &&
	manifold verify --key ed.pub --key ec.pub --identity "$L" "$R2/far/app:v1" >out &&
	test "$(grep -c "^verified " out)" = 3 &&
	manifold fsck >/dev/null
'

test_expect_success 'subject loops: a tag that makes a list the signature of its own signature, or a signature its own' '
	cp -r lay loop &&
	sig=$(jq -r --arg t "$(echo "$LIST" | sed "s/:/-/").sig" \
		".manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] == \$t) | .digest" loop/index.json) &&
	size=$(wc -c <"loop/blobs/sha256/${LIST#sha256:}") &&
	ssize=$(wc -c <"loop/blobs/sha256/${sig#sha256:}") &&
	jq -c --arg l "$LIST" --arg s "$sig" --arg n "$size" --arg m "$ssize" \
		--arg t1 "$(echo "$sig" | sed "s/:/-/").sig" \
		".manifests += [{mediaType: \"application/vnd.oci.image.index.v1+json\", digest: \$l, size: (\$n | tonumber), annotations: {\"org.opencontainers.image.ref.name\": \$t1}}]" \
		loop/index.json >ix && mv ix loop/index.json &&
	export MANIFOLD_DIR=$TRASH/loop-store &&
	manifold import oci:loop >out &&
	test_line_count = 1 out &&
	manifold ls -q >lists &&
	echo "$L" >expect &&
	test_cmp expect lists &&
	manifold verify --key ed.pub "$L" >out &&
	test "$(grep -c "^verified " out)" = 3 &&
	manifold fsck >/dev/null &&
	manifold export -o oci:loop-out "$L" >/dev/null &&
	manifold verify --key ed.pub "oci:loop-out:$L" >/dev/null &&
	cp -r lay self &&
	jq -c --arg s "$sig" --arg m "$ssize" --arg t "$(echo "$sig" | sed "s/:/-/").sig" \
		".manifests += [{mediaType: \"application/vnd.oci.image.manifest.v1+json\", digest: \$s, size: (\$m | tonumber), annotations: {\"org.opencontainers.image.ref.name\": \$t}}]" \
		self/index.json >ix && mv ix self/index.json &&
	export MANIFOLD_DIR=$TRASH/self-store &&
	manifold import oci:self >/dev/null &&
	manifold verify --key ed.pub "$L" >/dev/null &&
	manifold fsck >/dev/null
'

# ---- bad input: one line, non-zero, nothing stored ----

store_dump() {
	manifold verify --format json --key ed.pub --key ec.pub "$L" 2>/dev/null | jq -c ".manifests[] | [.digest, .signatures]"
}

test_expect_success 'a wrong passphrase: refused, nothing stored' '
	export MANIFOLD_DIR=$TRASH/bad-store &&
	manifold import oci:lay >/dev/null &&
	store_dump >before &&
	MANIFOLD_PASSPHRASE=wrong test_expect_code 1 manifold sign --key ed.key "$L" >out 2>err &&
	test_line_count = 1 err &&
	grep "wrong passphrase" err &&
	store_dump >after &&
	test_cmp before after
'

test_expect_success 'a truncated key, a public key to sign with, a private key to verify with' '
	export MANIFOLD_DIR=$TRASH/bad-store &&
	store_dump >before &&
	head -c 100 ed.key >trunc.key &&
	test_expect_code 1 manifold sign --key trunc.key "$L" 2>err &&
	test_line_count = 1 err &&
	test_expect_code 1 manifold sign --key ed.pub "$L" 2>err &&
	test_line_count = 1 err &&
	test_expect_code 1 manifold verify --key ed.key "$L" 2>err &&
	test_line_count = 1 err &&
	test_expect_code 1 manifold sign --key missing.key "$L" 2>err &&
	test_line_count = 1 err &&
	store_dump >after &&
	test_cmp before after
'

test_expect_success 'usage errors exit 125' '
	test_expect_code 125 manifold sign "$L" 2>err &&
	test_expect_code 125 manifold sign --key ed.key 2>err &&
	test_expect_code 125 manifold verify "$L" 2>err &&
	test_expect_code 125 manifold verify --key ed.pub --match nope "$L" 2>err &&
	test_expect_code 125 manifold verify --key ed.pub --format yaml "$L" 2>err &&
	test_expect_code 125 manifold verify --key ed.pub a b 2>err
'

test_expect_success 'what names nothing: one line, exit 1' '
	export MANIFOLD_DIR=$TRASH/bad-store &&
	test_expect_code 1 manifold sign --key ed.key nosuch:v1 2>err &&
	test_line_count = 1 err &&
	test_expect_code 1 manifold verify --key ed.pub nosuch:v1 2>err &&
	test_line_count = 1 err &&
	test_expect_code 1 manifold sign --key ed.key "$LIST" 2>err &&
	grep -- "--identity" err &&
	manifold sign --key ed.key --identity "$L" --no-children "$LIST" >out &&
	test "$(grep -c "^unchanged " out)" = 1
'

test_expect_success 'a signature manifest with unpadded base64: rejected with the reason' '
	cp -r lay unpadded &&
	sig=$(jq -r --arg t "$(echo "$B" | sed "s/:/-/").sig" \
		".manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] == \$t) | .digest" unpadded/index.json) &&
	jq -c ".layers |= map(.annotations[\"dev.cosignproject.cosign/signature\"] |= rtrimstr(\"=\"))" \
		"unpadded/blobs/sha256/${sig#sha256:}" >new &&
	test_must_fail cmp new "unpadded/blobs/sha256/${sig#sha256:}" &&
	nd=sha256:$(sha256sum <new | cut -c1-64) &&
	cp new "unpadded/blobs/sha256/${nd#sha256:}" &&
	jq -c --arg o "$sig" --arg n "$nd" --arg s "$(wc -c <new)" \
		"(.manifests[] | select(.digest == \$o)) |= (.digest = \$n | .size = (\$s | tonumber))" \
		unpadded/index.json >ix && mv ix unpadded/index.json &&
	test_expect_code 1 manifold verify --key ed.pub "oci:unpadded:$L" >out &&
	grep "^rejected  $B .*base64" out &&
	test_must_fail sigverify verify-tree "oci:unpadded:$L" ed.pub "$L"
'

test_done
