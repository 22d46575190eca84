#!/bin/bash
test_description='inspect: docker manifest inspect'\''s output, local and remote, plus revisions, --raw and a table'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
porcelain_setup

# Lists made by both tools, entries given in docker's (sorted) order.
test_expect_success 'setup: the lists made by manifold' '
	manifold create --insecure "$APP:multi" "$APP:amd64" "$APP:arm64" "$APP:armv7" >/dev/null &&
	manifold create --insecure "$APP:win" "$APP:noplatform" "$APP:windows-amd64" >/dev/null
'

test_expect_success DOCKER 'setup: the same lists made by docker' '
	docker_cli manifest create --insecure "$APP:multi" "$APP:amd64" "$APP:arm64" "$APP:armv7" >/dev/null &&
	docker_cli manifest create --insecure "$APP:win" "$APP:noplatform" "$APP:windows-amd64" >/dev/null
'

# Each line: the arguments of one inspect that must match docker's,
# byte for byte on stdout and stderr, with the same exit status.
# (The body is in double quotes: $args, still quoted, becomes its text.
# It used to say "$@", which inside the body is empty: every one of these
# compared a bare `inspect`.)
while read -r args; do
	test_expect_success DOCKER "same as docker: inspect $args" "
		docker_compare inspect $args
	"
done <<EOS
"$APP:multi"
-v "$APP:multi"
"$APP:win"
--verbose "$APP:win"
"$APP:multi" "$APP:arm64"
-v "$APP:multi" "$APP:armv7"
"$APP:multi" "$APP:s390x"
"$APP:nolist" "$APP:amd64"
--insecure "$APP:amd64"
--insecure "$APP:arm64-oci"
--insecure -v "$APP:arm64"
--insecure -v "$APP:windows-amd64"
--insecure "$APP@${D[armv7]}"
--insecure "$APP:list"
--insecure "$APP:index"
--insecure -v "$APP:index"
--insecure -v "$APP:list"
--insecure "$APP:doesnotexist"
--insecure "$R/nosuch/repo:tag"
--insecure "$R/Library/App:x"
--insecure "$APP:bad tag"
--insecure "$APP@sha256:1234"
a b c
--bogus "$APP:multi"
-x "$APP:multi"
EOS

test_expect_success 'a local list is exactly its stored bytes and a newline' '
	{ manifold cat-manifest "$APP:multi"; echo; } >expect &&
	manifold inspect "$APP:multi" >out &&
	test_cmp expect out &&
	manifold inspect --raw "$APP:multi" >raw &&
	manifold cat-manifest "$APP:multi" >expect &&
	test_cmp expect raw
'

test_expect_success 'local inspect needs no registry and no network module' '
	LD_DEBUG=libs manifold inspect "$APP:multi" 2>ld >/dev/null &&
	! grep -E "libcurl|libssl|manifold-net" ld
'

test_expect_success 'any revision: NAME@{n}, a digest, NAME:PLATFORM' '
	old=$(manifold rev-parse "$APP:multi") &&
	manifold create --insecure --amend "$APP:multi" "$APP:s390x" >/dev/null &&
	manifold inspect "$APP:multi@{1}" >out &&
	{ manifold cat-manifest "$old"; echo; } >expect &&
	test_cmp expect out &&
	manifold inspect "$old" >out2 &&
	test_cmp expect out2 &&
	manifold inspect "$APP:multi:linux/arm/v7" >img &&
	test_grep "\"schemaVersion\": 2" img &&
	manifold cat-manifest "${D[armv7]}" >raw &&
	manifold inspect --raw "$APP:multi:linux/arm/v7" >raw2 &&
	test_cmp raw raw2
'

test_expect_success '--format table: platform, type, size and digest per entry' '
	manifold inspect --format table "$APP:win" >out &&
	test_grep "^Entries:  2\$" out &&
	test_grep "^windows/amd64 (10.0.17763.5830) *docker .* ${D[windows-amd64]}\$" out &&
	test_grep "^- .* ${D[noplatform]}\$" out &&
	manifold inspect --insecure --format table "$APP:index" >out &&
	test_grep "^linux/arm64/v8 .* ${D[arm64-oci]}\$" out
'

test_expect_success 'a remote list is rebuilt as docker shows it; --raw gives the served bytes' '
	manifold inspect --insecure --raw "$APP:index" >raw &&
	test "sha256:$(sha256sum <raw | cut -d" " -f1)" = "${D[index]}"
'

test_expect_success 'an entry that is not in the list, or no list: docker'\''s message' '
	test_must_fail --code=1 manifold inspect "$APP:multi" "$APP:ppc64le" 2>err &&
	echo "No such manifest: $APP:ppc64le" >expect &&
	test_cmp expect err
'

test_expect_success '-v without remotes/ refs: each entry'\''s own repository' '
	manifold create --insecure "$APP:two" "$R/other/app:riscv64" "$APP:s390x" >/dev/null &&
	manifold update-ref -d "remotes/$R/other/app:riscv64" &&
	manifold update-ref -d "remotes/$APP:s390x" &&
	manifold inspect -v "$APP:two" >out &&
	grep "\"Ref\"" out >refs &&
	printf "\t\t\"Ref\": \"%s\",\n" "$R/other/app@${D[other-riscv64]}" "$APP@${D[s390x]}" >expect &&
	test_cmp expect refs
'

test_expect_success '-v: an entry'\''s annotations in Go'\''s key order, escaped as Go does' '
	manifold create --insecure "$APP:ann" "$APP:amd64-oci" "$APP:arm64-oci" >/dev/null &&
	manifold annotate --annotation "z.last=3" --annotation "a.first=<&>" \
		--annotation "m.middle=tab	quote\"" "$APP:ann" "$APP:amd64-oci" &&
	manifold inspect -v "$APP:ann" >out &&
	grep -n "\"[amz]\.[a-z]*\":" out >keys &&
	sed "s/^\([0-9]*\):.*\"\([amz]\.[a-z]*\)\".*/\2/" keys >order &&
	printf "%s\n" a.first m.middle z.last >expect &&
	test_cmp expect order &&
	grep -F "\"a.first\": \"\\u003c\\u0026\\u003e\"" out &&
	grep -F "\"m.middle\": \"tab\\tquote\\\"\"" out
'

# An OCI index whose first entry has urls (and a URL that needs Go's
# escapes), pushed by hand: docker shows them in the entry's Descriptor.
test_expect_success 'setup: an index whose entry has urls' '
	OCI=application/vnd.oci.image.manifest.v1+json &&
	registry_curl -sS -f -H "Accept: $OCI" -o amd.json "$REGISTRY_URL/v2/library/app/manifests/amd64-oci" &&
	registry_curl -sS -f -H "Accept: $OCI" -o arm.json "$REGISTRY_URL/v2/library/app/manifests/arm64-oci" &&
	"$REGISTRY_PYTHON" - "$OCI" <<-\PY &&
	import json, sys, hashlib
	oci = sys.argv[1]
	amd = open("amd.json", "rb").read()
	arm = open("arm.json", "rb").read()
	d = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()
	idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
	       "manifests": [
	         {"mediaType": oci, "digest": d(amd), "size": len(amd),
	          "urls": ["https://mirror.example/a", "https://m.example/b?x=1&y=<2>"],
	          "platform": {"architecture": "amd64", "os": "linux"}},
	         {"mediaType": oci, "digest": d(arm), "size": len(arm),
	          "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}]}
	open("urls.json", "w").write(json.dumps(idx, separators=(",", ":")))
	PY
	registry_curl -sS -f -X PUT -H "Content-Type: application/vnd.oci.image.index.v1+json" \
		--data-binary @urls.json "$REGISTRY_URL/v2/library/app/manifests/urls" >/dev/null
'

test_expect_success DOCKER 'same as docker: inspect -v of a list whose entry has urls' '
	docker_compare inspect --insecure -v "$APP:urls"
'

test_expect_success '-v of a remote list: no urls, as docker (which describes an entry by its fetch)' '
	manifold inspect --insecure -v "$APP:urls" >out &&
	test_grep "\"digest\": \"${D[amd64-oci]}\"" out &&
	! grep -e "\"urls\":" -e "example" out
'

test_expect_success 'a revision that does not resolve says why (no registry is asked)' '
	test_must_fail --code=1 manifold inspect "$APP:multi@{99}" 2>err &&
	test_grep "has only" err &&
	test_must_fail --code=1 manifold inspect "nosuch@{1}" 2>err &&
	test_grep "not found" err
'

test_expect_success 'option errors' '
	test_must_fail --code=125 manifold inspect --raw -v "$APP:multi" 2>err &&
	test_grep "cannot be combined" err &&
	test_must_fail --code=125 manifold inspect --format yaml "$APP:multi" 2>err &&
	test_grep "invalid argument \"yaml\"" err
'

test_done
