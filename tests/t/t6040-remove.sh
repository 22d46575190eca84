#!/bin/bash
test_description='remove: drop entries named by reference, digest or platform; all or nothing'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-edit.sh"
porcelain_setup

L=$APP:l

test_expect_success 'setup' '
	manifold create --insecure "$L" "$APP:amd64" "$APP:arm64" "$APP:armv7" \
		"$APP:s390x" "$APP:ppc64le" >/dev/null
'

test_expect_success 'remove an entry by the reference it was added as: silent' '
	manifold remove "$L" "$APP:arm64" >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	manifold create --insecure "$APP:want" "$APP:amd64" "$APP:armv7" \
		"$APP:s390x" "$APP:ppc64le" >/dev/null &&
	manifold cat-manifest "lists/$APP:want" >expect &&
	manifold cat-manifest "lists/$L" >actual &&
	test_cmp expect actual &&
	manifold reflog "lists/$L" >reflog &&
	test_line_count = 2 reflog &&
	head -n 1 reflog >top &&
	test_grep -F "lists/$L@{0}: manifold remove $L $APP:arm64" top
'

test_expect_success 'remove several at once, by platform, digest and digest prefix' '
	manifold remove "$L" linux/s390x "${D[armv7]}" "$(echo ${D[ppc64le]} | cut -c8-20)" &&
	manifold create --insecure "$APP:want1" "$APP:amd64" >/dev/null &&
	manifold cat-manifest "lists/$APP:want1" >expect &&
	manifold cat-manifest "lists/$L" >actual &&
	test_cmp expect actual &&
	manifold reflog "lists/$L" >reflog &&
	test_line_count = 3 reflog
'

test_expect_success 'an entry that is not there: nothing is removed, the error names it' '
	manifold create --insecure "$APP:m" "$APP:amd64" "$APP:arm64" >/dev/null &&
	fails_cleanly remove "$APP:m" linux/amd64 linux/s390x &&
	test_stderr_line "^manifest for image linux/s390x does not exist in $APP:m\$" err &&
	fails_cleanly remove "$APP:m" "$APP:arm64" "$APP:armv7" &&
	test_stderr_line "^manifest for image $APP:armv7 does not exist in $APP:m\$" err
'

test_expect_success 'a list that does not exist' '
	fails_cleanly remove "$APP:nolist" linux/amd64 &&
	test_stderr_line "^No such manifest: $APP:nolist\$" err
'

test_expect_success 'a malformed list name: docker reference error' '
	fails_cleanly remove Bad/UPPER linux/amd64 &&
	test_stderr_line "^invalid reference format: repository name \(UPPER\) must be lowercase\$" err
'

test_expect_success 'removing the last entry leaves an empty list' '
	manifold remove "$L" linux/amd64 &&
	printf "%s" "{
   \"schemaVersion\": 2,
   \"mediaType\": \"$DOCKER_LIST\",
   \"manifests\": []
}" >expect &&
	manifold cat-manifest "lists/$L" >actual &&
	test_cmp expect actual &&
	test_must_fail --code=1 manifold remove "$L" linux/amd64 2>err &&
	test_stderr_line "^manifest for image linux/amd64 does not exist in $L\$" err
'

test_expect_success 'the same entry named twice is removed once' '
	manifold remove "$APP:m" linux/arm64 "$APP:arm64" &&
	manifold cat-manifest "lists/$APP:want1" >expect &&
	manifold cat-manifest "lists/$APP:m" >actual &&
	test_cmp expect actual
'

test_expect_success 'an OCI index stays one' '
	manifold create --insecure "$APP:o" "$APP:amd64-oci" "$APP:arm64-oci" >/dev/null &&
	manifold remove "$APP:o" linux/arm64 &&
	echo $IDX >expect &&
	manifold cat-manifest -t "lists/$APP:o" >actual &&
	test_cmp expect actual &&
	manifold cat-manifest "lists/$APP:o" >list &&
	test_grep -F "${D[amd64-oci]}" list &&
	! grep -F "${D[arm64-oci]}" list
'

test_expect_success 'the attestations of a removed image go with it' '
	att=sha256:$(printf att | sha256sum | cut -d" " -f1) &&
	cat >index.json <<-EOF &&
	{"schemaVersion":2,"mediaType":"$IDX","manifests":[
	 {"mediaType":"$OCI_MANIFEST","digest":"${D[amd64-oci]}","size":556,
	  "platform":{"architecture":"amd64","os":"linux"}},
	 {"mediaType":"$OCI_MANIFEST","digest":"${D[arm64-oci]}","size":556,
	  "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
	 {"mediaType":"$OCI_MANIFEST","digest":"$att","size":100,
	  "annotations":{"vnd.docker.reference.digest":"${D[amd64-oci]}",
	                 "vnd.docker.reference.type":"attestation-manifest"},
	  "platform":{"architecture":"unknown","os":"unknown"}},
	 {"mediaType":"$OCI_MANIFEST","digest":"$att","size":100,
	  "annotations":{"vnd.docker.reference.digest":"${D[arm64-oci]}",
	                 "vnd.docker.reference.type":"attestation-manifest"},
	  "platform":{"architecture":"unknown","os":"unknown"}}]}
	EOF
	id=$(manifold hash-object -w index.json) &&
	manifold update-ref "lists/$APP:att" "$id" &&
	manifold remove "$APP:att" linux/amd64 &&
	manifold cat-manifest "lists/$APP:att" | tr -d " \n" >flat &&
	! grep -F "${D[amd64-oci]}" flat &&
	test_grep -F "\"digest\":\"${D[arm64-oci]}\"" flat &&
	test_grep -F "\"vnd.docker.reference.digest\":\"${D[arm64-oci]}\"" flat
'

test_expect_success 'usage errors' '
	store_snapshot >before &&
	test_must_fail --code=1 manifold remove "$APP:m" 2>err &&
	test_grep -F "manifold: '\''manifold remove'\'' requires at least 2 arguments" err &&
	test_must_fail --code=125 manifold remove --bogus "$APP:m" linux/amd64 2>err &&
	test_grep "^unknown flag: --bogus" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_done
