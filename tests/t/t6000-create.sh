#!/bin/bash
test_description='create: lists from registry images, as docker manifest create makes them, atomically'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
porcelain_setup

# state: every ref with its value and the reflog, to prove "unchanged".
state() {
	{ manifold show-ref; for r in $(manifold show-ref | cut -d" " -f2); do
		manifold reflog show "$r"; done; } 2>&1
}

test_expect_success 'create prints docker'\''s line and stores the list' '
	manifold create --insecure "$APP:multi" "$APP:amd64" "$APP:arm64" >out &&
	echo "Created manifest list $APP:multi" >expect &&
	test_cmp expect out &&
	manifold show-ref >refs &&
	test_grep "lists/$APP:multi\$" refs &&
	test_grep "^${D[amd64]} remotes/$APP:amd64\$" refs &&
	test_grep "^${D[arm64]} remotes/$APP:arm64\$" refs
'

test_expect_success 'entries keep the order given, with platforms from the configs' '
	manifold create --insecure "$APP:order" "$APP:s390x" "$APP:amd64" "$APP:armv7" &&
	manifold cat-manifest "$APP:order" >list &&
	grep -o "sha256:[0-9a-f]*" list >digests &&
	printf "%s\n" "${D[s390x]}" "${D[amd64]}" "${D[armv7]}" >expect &&
	test_cmp expect digests &&
	tr -d " \n" <list >flat &&
	test_grep "\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"" flat &&
	test_grep "\"architecture\":\"s390x\",\"os\":\"linux\"}" flat
'

test_expect_success DOCKER 'the list bytes are the ones docker pushes for the same entries' '
	# docker orders entries by its file names: give them already sorted.
	manifold create --insecure "$APP:same" "$APP:amd64" "$APP:arm64" "$APP:armv7" &&
	docker_cli manifest create --insecure "$APP:same" "$APP:amd64" "$APP:arm64" "$APP:armv7" >/dev/null &&
	docker_cli manifest inspect "$APP:same" >d.out &&
	{ manifold cat-manifest "$APP:same"; echo; } >m.out &&
	test_cmp d.out m.out
'

test_expect_success 'windows os.version and os.features, and an image without a platform' '
	manifold create --insecure "$APP:win" "$APP:windows-amd64" "$APP:noplatform" &&
	manifold cat-manifest "$APP:win" | tr -d " \n" >flat &&
	test_grep "\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763.5830\",\"os.features\":\\[\"win32k\"\\]" flat &&
	test_grep "\"architecture\":\"\",\"os\":\"\"" flat
'

test_expect_success 'an existing list needs --amend (docker'\''s message, exit 1)' '
	state >before &&
	test_must_fail --code=1 manifold create --insecure "$APP:multi" "$APP:s390x" 2>err &&
	echo "refusing to amend an existing manifest list with no --amend flag" >expect &&
	test_cmp expect err &&
	state >after && test_cmp before after
'

test_expect_success '--amend appends, -a too; a missing list is simply created' '
	manifold create --insecure --amend "$APP:multi" "$APP:s390x" &&
	manifold cat-manifest "$APP:multi" | grep -c sha256: >n &&
	echo 3 >expect && test_cmp expect n &&
	manifold create --insecure -a "$APP:fresh" "$APP:amd64" &&
	manifold rev-parse --verify "lists/$APP:fresh"
'

test_expect_success '--amend refetches: a moved tag replaces its entry in place' '
	manifold create --insecure "$APP:moving" "$APP:amd64" "$APP:arm64" &&
	old=$(manifold rev-parse "$APP:moving") &&
	new=$(seed_image library/app:arm64 --format docker --platform linux/arm64/v8 --seed moved) &&
	test "$new" != "${D[arm64]}" &&
	manifold create --insecure --amend "$APP:moving" "$APP:arm64" &&
	manifold cat-manifest "$APP:moving" | grep -o "sha256:[0-9a-f]*" >digests &&
	printf "%s\n" "${D[amd64]}" "$new" >expect &&
	test_cmp expect digests &&
	test "$(manifold rev-parse "$APP:moving@{1}")" = "$old" &&
	# put the tag back for the other tests
	seed_image library/app:arm64 --format docker --platform linux/arm64/v8 --seed arm64 >/dev/null
'

test_expect_success 'a failed create stores nothing (docker leaves a partial list)' '
	state >before &&
	test_must_fail --code=1 manifold create --insecure "$APP:partial" "$APP:amd64" "$APP:doesnotexist" 2>err &&
	echo "no such manifest: $APP:doesnotexist" >expect &&
	test_cmp expect err &&
	state >after && test_cmp before after
'

test_expect_success 'sources are fetched at once; the first failure in argument order is reported' '
	state >before &&
	test_must_fail --code=1 manifold create --insecure "$APP:par" "$APP:amd64" "$APP:nope2" \
		"$APP:arm64" "$APP:nope1" "$APP:armv7" 2>err &&
	echo "no such manifest: $APP:nope2" >expect &&
	test_cmp expect err &&
	state >after && test_cmp before after &&
	manifold create --insecure "$APP:par" "$APP:amd64" "$APP:arm64" "$APP:armv7" \
		"$APP:s390x" "$APP:ppc64le" "$APP:index" "$R/other/app:amd64" \
		"$R/other/app:riscv64" "$APP:windows-amd64" "$APP:amd64-oci" >/dev/null &&
	manifold cat-manifest "$APP:par" | grep -o "sha256:[0-9a-f]*" >digests &&
	printf "%s\n" "${D[amd64]}" "${D[arm64]}" "${D[armv7]}" "${D[s390x]}" \
		"${D[ppc64le]}" "${D[amd64-oci]}" "${D[arm64-oci]}" "${D[other-amd64]}" \
		"${D[other-riscv64]}" "${D[windows-amd64]}" "${D[amd64-oci]}" >expect &&
	test_cmp expect digests &&
	manifold fsck
'

test_expect_success 'a config the store holds is not fetched again; the registry asked once per fact' '
	export MANIFOLD_DIR=$TRASH/warmstore &&
	registry_log_reset &&
	manifold create --insecure "$APP:w1" "$APP:amd64" "$APP:arm64" "$APP:armv7" >/dev/null &&
	registry_requests >cold.log &&
	# 3 manifests, 3 configs, the referrers API once, the tags once
	test "$(grep -c "^GET /v2/library/app/manifests/" cold.log)" = 3 &&
	test "$(grep -c "^GET /v2/library/app/blobs/" cold.log)" = 3 &&
	test "$(grep -c "/referrers/" cold.log)" = 1 &&
	test "$(grep -c "/tags/list" cold.log)" = 1 &&
	test "$(wc -l <cold.log)" = 8 &&
	registry_log_reset &&
	manifold create --insecure "$APP:w2" "$APP:arm64" "$APP:amd64" "$APP:s390x" >/dev/null &&
	registry_requests >warm.log &&
	# only the config of s390x is new
	test "$(grep -c "^GET /v2/library/app/blobs/" warm.log)" = 1 &&
	d=$(sed -n "s|^GET /v2/library/app/blobs/\(sha256:[0-9a-f]*\) .*|\1|p" warm.log) &&
	test -n "$d" &&
	manifold cat-manifest "${D[s390x]}" >m &&
	test_grep "$d" m &&
	test "$(wc -l <warm.log)" = 6 &&
	manifold inspect "$APP:w2" >out &&
	test_grep "\"architecture\": \"arm64\"" out &&
	manifold fsck &&
	unset MANIFOLD_DIR
'

test_expect_success '-j/--jobs: 1 to 64, a usage error otherwise' '
	MANIFOLD_DIR=$TRASH/jobs manifold create --insecure -j 1 "$APP:j1" "$APP:amd64" "$APP:arm64" >out &&
	test_grep "Created manifest list" out &&
	test_must_fail --code=125 manifold create -j 0 "$APP:j0" "$APP:amd64" 2>err &&
	test_grep "invalid argument \"0\" for \"-j, --jobs\" flag" err &&
	test_must_fail --code=125 manifold create --jobs 65 "$APP:j0" "$APP:amd64" 2>err &&
	test_grep "expected 1 to 64" err
'

test_expect_success 'malformed names: docker'\''s messages, nothing stored' '
	state >before &&
	test_must_fail --code=1 manifold create --insecure Bad/UPPER:x "$APP:amd64" 2>err &&
	echo "error parsing name for manifest list Bad/UPPER:x: invalid reference format: repository name (UPPER) must be lowercase" >expect &&
	test_cmp expect err &&
	test_must_fail --code=1 manifold create --insecure "$APP:x" Bad/UPPER:x 2>err &&
	echo "invalid reference format: repository name (UPPER) must be lowercase" >expect &&
	test_cmp expect err &&
	test_must_fail --code=1 manifold create --insecure "$APP:x" "$APP:bad tag" 2>err &&
	echo "invalid reference format" >expect &&
	test_cmp expect err &&
	state >after && test_cmp before after
'

test_expect_success 'usage errors as docker words them' '
	test_must_fail --code=1 manifold create 2>err &&
	test_grep "^manifold: '\''manifold create'\'' requires at least 1 argument" err &&
	test_grep "^See '\''manifold create --help'\'' for more information" err &&
	test_must_fail --code=125 manifold create --bogus a b 2>err &&
	test_grep "^unknown flag: --bogus" err &&
	test_must_fail --code=125 manifold create -x a b 2>err &&
	test_grep "^unknown shorthand flag: '\''x'\'' in -x" err &&
	test_must_fail --code=125 manifold create --format xml a 2>err &&
	test_grep "invalid argument \"xml\" for \"--format\" flag" err
'

test_expect_success 'create LIST alone makes an empty list' '
	manifold create "$APP:empty" &&
	manifold cat-manifest "$APP:empty" >list &&
	test_grep "\"manifests\": \\[\\]" list
'

test_expect_success 'the same reference twice is one entry; one digest by two references is two' '
	manifold create --insecure "$APP:dup" "$APP:amd64" "$APP:amd64" &&
	test "$(manifold cat-manifest "$APP:dup" | grep -c sha256:)" = 1 &&
	manifold create --insecure "$APP:dup2" "$APP:amd64" "$APP@${D[amd64]}" &&
	test "$(manifold cat-manifest "$APP:dup2" | grep -c sha256:)" = 2
'

test_expect_success 'a source that is an index adds its images (docker refuses it)' '
	manifold create --insecure "$APP:fromindex" "$APP:index" "$APP:armv7" &&
	manifold cat-manifest "$APP:fromindex" >list &&
	grep -o "sha256:[0-9a-f]*" list >digests &&
	printf "%s\n" "${D[amd64-oci]}" "${D[arm64-oci]}" "${D[armv7]}" >expect &&
	test_cmp expect digests &&
	test_grep "application/vnd.oci.image.index.v1+json" list
'

test_expect_success '--platform filters the entries of an index source' '
	manifold create --insecure --platform linux/arm64 "$APP:onlyarm" "$APP:index" &&
	manifold cat-manifest "$APP:onlyarm" | grep -o "sha256:[0-9a-f]*" >digests &&
	echo "${D[arm64-oci]}" >expect &&
	test_cmp expect digests &&
	test_must_fail --code=1 manifold create --insecure --platform linux/s390x "$APP:none" "$APP:index" 2>err &&
	test_grep "has no manifest for the platforms" err &&
	test_must_fail manifold rev-parse --verify "lists/$APP:none"
'

# put_manifest FILE TAG MEDIATYPE: PUT a manifest by tag, print its digest.
put_manifest() {
	registry_curl -sS -f -X PUT -H "Content-Type: $3" --data-binary "@$1" \
		"$REGISTRY_URL/v2/library/app/manifests/$2" >/dev/null &&
	echo "sha256:$(sha256sum <"$1" | cut -d" " -f1)"
}

test_expect_success 'BuildKit attestations are kept, labelled, and follow their image' '
	OCI=application/vnd.oci.image.manifest.v1+json &&
	registry_curl -sS -f -H "Accept: $OCI" -o amd.json "$REGISTRY_URL/v2/library/app/manifests/amd64-oci" &&
	registry_curl -sS -f -H "Accept: $OCI" -o arm.json "$REGISTRY_URL/v2/library/app/manifests/arm64-oci" &&
	"$REGISTRY_PYTHON" - "$OCI" <<-\PY &&
	import json, sys, hashlib
	oci = sys.argv[1]
	amd = open("amd.json", "rb").read()
	arm = open("arm.json", "rb").read()
	att = dict(json.loads(amd))
	att["annotations"] = {"what": "an attestation"}
	attb = json.dumps(att, separators=(",", ":")).encode()
	open("att.json", "wb").write(attb)
	d = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()
	idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
	       "manifests": [
	         {"mediaType": oci, "digest": d(amd), "size": len(amd),
	          "platform": {"architecture": "amd64", "os": "linux"}},
	         {"mediaType": oci, "digest": d(arm), "size": len(arm),
	          "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
	         {"mediaType": oci, "digest": d(attb), "size": len(attb),
	          "platform": {"architecture": "unknown", "os": "unknown"},
	          "annotations": {"vnd.docker.reference.digest": d(amd),
	                          "vnd.docker.reference.type": "attestation-manifest"}}]}
	open("bk.json", "w").write(json.dumps(idx, separators=(",", ":")))
	open("att.digest", "w").write(d(attb))
	PY
	att=$(cat att.digest) &&
	registry_curl -sS -f -X PUT -H "Content-Type: $OCI" --data-binary @att.json \
		"$REGISTRY_URL/v2/library/app/manifests/att" >/dev/null &&
	registry_curl -sS -f -X PUT -H "Content-Type: application/vnd.oci.image.index.v1+json" \
		--data-binary @bk.json "$REGISTRY_URL/v2/library/app/manifests/buildkit" >/dev/null &&
	manifold create --insecure "$APP:bk" "$APP:buildkit" "$APP:armv7" &&
	manifold inspect --format table "$APP:bk" >table &&
	test_grep "^attestation .* $att\$" table &&
	test_grep "^linux/amd64 .* ${D[amd64-oci]}\$" table &&
	manifold cat-manifest "$APP:bk" >list &&
	test_grep "\"vnd.docker.reference.type\": \"attestation-manifest\"" list &&
	# with its image filtered out, the attestation goes too
	manifold create --insecure --platform linux/arm64 "$APP:bk2" "$APP:buildkit" &&
	manifold inspect --format table "$APP:bk2" >table &&
	test_grep "^linux/arm64/v8 .* ${D[arm64-oci]}\$" table &&
	! grep -q "^attestation" table &&
	test_grep "^Entries:  1\$" table
'

test_expect_success 'a child missing from an index source is named, not "no such manifest"' '
	c=$(seed_image gone/app:a --format oci --platform linux/amd64 --seed gone) &&
	seed_index gone/app:idx :a >/dev/null &&
	registry_curl -sS -f -X DELETE "$REGISTRY_URL/v2/gone/app/manifests/$c" &&
	test_must_fail --code=1 manifold create --insecure "$APP:gone" "$R/gone/app:idx" 2>err &&
	test_grep "$c" err &&
	! grep -q "^no such manifest: $R/gone/app:idx" err
'

# Workers that need what another worker is asking the registry wait for
# its answer (endpoint/known.h): the proxy holds the referrers probe and
# the tag listing a second each, so every other worker arrives while
# they are in flight.
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-faults.sh"
fault_proxy held 'GET /referrers/ delay=1000' 'GET /tags/list delay=1000'

test_expect_success 'workers wait for the answer in flight: one probe, one listing, no tag asked' '
	export MANIFOLD_DIR=$TRASH/inflight &&
	: >"$PLOG_held" &&
	manifold create --insecure -j 4 "$P_held/library/app:held" \
		"$P_held/library/app:amd64" "$P_held/library/app:arm64" \
		"$P_held/library/app:armv7" "$P_held/library/app:s390x" >out &&
	test_grep "Created manifest list" out &&
	test "$(grep -c "^GET /v2/library/app/referrers/" "$PLOG_held")" = 1 &&
	test "$(grep -c "^GET /v2/library/app/tags/list" "$PLOG_held")" = 1 &&
	! grep "/manifests/sha256-" "$PLOG_held" &&
	test "$(grep -c "^GET /v2/library/app/manifests/" "$PLOG_held")" = 4 &&
	unset MANIFOLD_DIR
'

test_done
