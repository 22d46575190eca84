#!/bin/bash
test_description='annotate: docker flags and messages (compared with the docker CLI), entries by reference, digest or platform, --features, --annotation, --index'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-edit.sh"
porcelain_setup

L=$APP:l
NP=$APP:np

# Run the same annotate with manifold and, when it is there, docker.
both() {
	manifold annotate "$@" &&
	if have_docker; then docker_cli manifest annotate "$@"; fi
}

# inspect of local list $1 shows what docker shows for its list, and
# those are the bytes stored (inspect adds a newline).
same_as_docker() {
	manifold inspect "$1" >mine &&
	manifold cat-manifest "lists/$1" >bytes &&
	echo >>bytes &&
	test_cmp bytes mine &&
	if have_docker; then
		docker_cli manifest inspect "$1" >theirs &&
		test_cmp theirs mine
	fi
}

# annotate ARGS... fails with status 1, prints one line on stderr
# (docker's, with "docker manifest" read as "manifold") and changes
# nothing in the store.
fails_as_docker() {
	fails_cleanly annotate "$@" &&
	if have_docker; then
		test_must_fail --code=1 docker_cli manifest annotate "$@" 2>derr &&
		sed -e "s/docker manifest/manifold/g" -e "s/^docker:/manifold:/" derr >expect &&
		test_cmp expect err
	fi
}

test_expect_success 'setup: the same list made by manifold and by docker' '
	manifold create --insecure "$L" "$APP:amd64" "$APP:arm64" "$APP:armv7" "$APP:s390x" &&
	manifold create --insecure "$NP" "$APP:amd64" "$APP:noplatform" &&
	if have_docker; then
		docker_cli manifest create --insecure "$L" "$APP:amd64" "$APP:arm64" "$APP:armv7" "$APP:s390x" &&
		docker_cli manifest create --insecure "$NP" "$APP:amd64" "$APP:noplatform"
	fi >/dev/null &&
	same_as_docker "$L" &&
	same_as_docker "$NP"
'

test_expect_success 'annotate all docker fields: silent, same bytes as docker' '
	manifold reflog "lists/$L" >reflog.before &&
	both --arch arm --variant v6 --os linux --os-version 1.2.3 \
		--os-features a,b --os-features c "$L" "$APP:armv7" >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	same_as_docker "$L" &&
	manifold cat-manifest "lists/$L" >list &&
	test_grep -F "\"os.features\": [" list &&
	test_grep -F "\"variant\": \"v6\"" list &&
	manifold reflog "lists/$L" >reflog.after &&
	test_line_count = $(($(wc -l <reflog.before) + 1)) reflog.after &&
	head -n 1 reflog.after >top &&
	test_grep -F "manifold annotate --arch arm --variant v6 --os linux" top &&
	echo $DOCKER_LIST >expect &&
	manifold cat-manifest -t "lists/$L" >actual &&
	test_cmp expect actual
'

test_expect_success 'annotate with no flags changes nothing, not even the reflog' '
	store_snapshot >before &&
	both "$L" "$APP:armv7" >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	store_snapshot >after &&
	test_cmp before after &&
	same_as_docker "$L"
'

test_expect_success '--os-features appends unique values, as docker does' '
	both --os-features z "$L" "$APP:armv7" &&
	same_as_docker "$L" &&
	store_snapshot >before &&
	both --os-features a,z "$L" "$APP:armv7" &&
	store_snapshot >after &&
	test_cmp before after &&
	same_as_docker "$L" &&
	manifold cat-manifest "lists/$L" | tr -d " \n" >flat &&
	test_grep -F "\"os.features\":[\"a\",\"b\",\"c\",\"z\"]" flat
'

test_expect_success 'empty flag values are ignored' '
	store_snapshot >before &&
	both --variant "" --os "" --arch "" "$L" "$APP:armv7" &&
	store_snapshot >after &&
	test_cmp before after &&
	same_as_docker "$L"
'

test_expect_success 'os/arch pairs from docker table are accepted' '
	both --os linux --arch riscv64 "$L" "$APP:s390x" &&
	same_as_docker "$L" &&
	both --os darwin --arch arm64 "$L" "$APP:s390x" &&
	same_as_docker "$L" &&
	both --os linux --arch arm64 --variant v8 "$L" "$APP:s390x" &&
	same_as_docker "$L"
'

test_expect_success 'an image that is not in the list' '
	fails_as_docker --arch arm64 "$L" "$APP:riscv64" &&
	test_stderr_line "^manifest for image $APP:riscv64 does not exist in $L\$" err
'

test_expect_success 'a list that does not exist' '
	fails_as_docker --arch arm64 "$APP:nolist" "$APP:amd64" &&
	test_stderr_line "^manifest for image $APP:amd64 does not exist in $APP:nolist\$" err
'

test_expect_success 'short names are quoted as typed' '
	fails_as_docker --arch arm64 busybox:1.36 busybox:1.36 &&
	test_stderr_line "^manifest for image busybox:1.36 does not exist in busybox:1.36\$" err
'

test_expect_success 'unsupported os/arch: the flags are quoted as typed' '
	fails_as_docker --arch foo "$L" "$APP:amd64" &&
	test_stderr_line "^manifest entry for image has unsupported os/arch combination: /foo\$" err &&
	fails_as_docker --os plan9 --arch s390x "$L" "$APP:amd64" &&
	test_stderr_line "combination: plan9/s390x\$" err &&
	fails_as_docker --os windows --arch arm64 "$L" "$APP:amd64" &&
	test_stderr_line "combination: windows/arm64\$" err &&
	fails_as_docker --os LINUX "$L" "$APP:s390x" &&
	test_stderr_line "combination: LINUX/\$" err
'

test_expect_success 'an entry without a platform: no flags fail as with docker, os and arch fix it' '
	fails_as_docker "$NP" "$APP:noplatform" &&
	test_stderr_line "combination: /\$" err &&
	both --os linux --arch amd64 "$NP" "$APP:noplatform" &&
	same_as_docker "$NP"
'

test_expect_success 'malformed names get docker messages' '
	fails_as_docker --arch arm64 "$L" Bad/UPPER &&
	test_stderr_line "^annotate: error parsing name for manifest Bad/UPPER: invalid reference format: repository name \(UPPER\) must be lowercase\$" err &&
	fails_as_docker --arch arm64 Bad/UPPER "$APP:amd64" &&
	test_stderr_line "^annotate: error parsing name for manifest list Bad/UPPER: " err
'

test_expect_success 'argument count and unknown flags: cobra messages and codes' '
	fails_as_docker "$L" &&
	test_grep -F "manifold: '\''manifold annotate'\'' requires 2 arguments" err &&
	fails_as_docker "$L" a b &&
	store_snapshot >before &&
	test_must_fail --code=125 manifold annotate --bogus "$L" "$APP:amd64" 2>err &&
	if have_docker; then
		test_must_fail --code=125 docker_cli manifest annotate --bogus "$L" "$APP:amd64" 2>derr &&
		sed -e "s/docker manifest/manifold/g" derr >expect &&
		test_cmp expect err
	fi &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success '--help lists docker options and ours' '
	manifold annotate --help >out &&
	head -n 1 out >first &&
	echo "Usage:  manifold annotate [OPTIONS] MANIFEST_LIST MANIFEST" >expect &&
	test_cmp expect first &&
	for o in "--arch string" "--os string" "--os-features strings" \
		"--os-version string" "--variant string" "--features strings" \
		"--annotation stringArray" "--index"; do
		test_grep -F -e "$o" out || return 1
	done
'

test_expect_success 'MANIFEST by digest, digest prefix or platform' '
	manifold create --insecure "$APP:x" "$APP:amd64" "$APP:arm64" "$APP:ppc64le" >/dev/null &&
	manifold annotate --os-version 1 "$APP:x" "${D[amd64]}" &&
	manifold annotate --os-version 2 "$APP:x" "$(echo ${D[arm64]} | cut -c8-19)" &&
	manifold annotate --os-version 3 "$APP:x" linux/ppc64le &&
	manifold cat-manifest "lists/$APP:x" | tr -d " \n" >flat &&
	test_grep -F "\"digest\":\"${D[amd64]}\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\",\"os.version\":\"1\"}" flat &&
	test_grep -F "\"digest\":\"${D[arm64]}\",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"os.version\":\"2\",\"variant\":\"v8\"}" flat &&
	test_grep -F "\"digest\":\"${D[ppc64le]}\",\"platform\":{\"architecture\":\"ppc64le\",\"os\":\"linux\",\"os.version\":\"3\"}" flat
'

test_expect_success 'a platform or digest not in the list' '
	store_snapshot >before &&
	test_must_fail --code=1 manifold annotate --os-version 9 "$APP:x" \
		"sha256:$(printf "%064d" 0)" 2>err &&
	test_stderr_line "^manifest for image sha256:0{64} does not exist in $APP:x\$" err &&
	test_must_fail --code=1 manifold annotate --os-version 9 "$APP:x" linux/s390x 2>err &&
	test_stderr_line "^manifest for image linux/s390x does not exist in $APP:x\$" err &&
	test_must_fail --code=1 manifold annotate --os-version 9 "$APP:x" "${D[s390x]}" 2>err &&
	test_stderr_line "^manifest for image ${D[s390x]} does not exist in $APP:x\$" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success '--features appends Docker CPU features uniquely' '
	manifold annotate --features sse4,avx --features sse4 "$APP:x" linux/amd64 &&
	manifold cat-manifest "lists/$APP:x" | tr -d " \n" >flat &&
	test_grep -F "\"os.version\":\"1\",\"features\":[\"sse4\",\"avx\"]}" flat &&
	echo $DOCKER_LIST >expect &&
	manifold cat-manifest -t "lists/$APP:x" >actual &&
	test_cmp expect actual
'

test_expect_success '--annotation on an entry makes the list an OCI index' '
	manifold annotate --annotation org.example.k=v1 --annotation a=b "$APP:x" linux/arm64 &&
	echo $IDX >expect &&
	manifold cat-manifest -t "lists/$APP:x" >actual &&
	test_cmp expect actual &&
	manifold cat-manifest "lists/$APP:x" | tr -d " \n" >flat &&
	test_grep -F "\"digest\":\"${D[arm64]}\",\"annotations\":{\"a\":\"b\",\"org.example.k\":\"v1\"}" flat &&
	manifold reflog "lists/$APP:x" >reflog &&
	head -n 1 reflog >top &&
	test_grep -F "manifold annotate --annotation org.example.k=v1 --annotation a=b" top
'

test_expect_success '--annotation KEY= removes the key; the list stays an OCI index' '
	manifold annotate --annotation a= --annotation org.example.k= "$APP:x" linux/arm64 &&
	manifold cat-manifest "lists/$APP:x" >list &&
	! grep -F annotations list &&
	echo $IDX >expect &&
	manifold cat-manifest -t "lists/$APP:x" >actual &&
	test_cmp expect actual
'

test_expect_success 'entry annotations are checked for KEY=VALUE' '
	store_snapshot >before &&
	test_must_fail --code=125 manifold annotate --annotation novalue "$APP:x" linux/arm64 2>err &&
	test_grep -F "invalid argument \"novalue\" for \"--annotation\" flag" err &&
	test_must_fail --code=125 manifold annotate --annotation =v "$APP:x" linux/arm64 &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'extension flags alone leave a platform-less entry unchecked' '
	manifold create --insecure "$APP:np2" "$APP:noplatform" >/dev/null &&
	manifold annotate --annotation note=x "$APP:np2" "$APP:noplatform" &&
	manifold cat-manifest "lists/$APP:np2" | tr -d " \n" >flat &&
	test_grep -F "\"annotations\":{\"note\":\"x\"}" flat
'

test_expect_success '--index --annotation annotates the list itself' '
	manifold create --insecure "$APP:i" "$APP:amd64" >/dev/null &&
	manifold annotate --index --annotation org.opencontainers.image.source=https://example.com/x "$APP:i" &&
	echo $IDX >expect &&
	manifold cat-manifest -t "lists/$APP:i" >actual &&
	test_cmp expect actual &&
	manifold cat-manifest "lists/$APP:i" >list &&
	tail -n 5 list >actual &&
	cat >expect <<-\EOF &&
	   ],
	   "annotations": {
	      "org.opencontainers.image.source": "https://example.com/x"
	   }
	EOF
	printf "}" >>expect &&
	test_cmp expect actual
'

test_expect_success '--index: one argument, only --annotation' '
	store_snapshot >before &&
	test_must_fail --code=1 manifold annotate --index --annotation a=b "$APP:i" "$APP:amd64" 2>err &&
	test_grep -F "requires 1 argument with --index" err &&
	test_must_fail --code=125 manifold annotate --index --arch arm64 "$APP:i" 2>err &&
	test_grep -F -e "--index takes only --annotation" err &&
	test_must_fail --code=1 manifold annotate --index --annotation a=b "$APP:none" 2>err &&
	test_stderr_line "^No such manifest: $APP:none\$" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'annotate of an older version is refused: only lists by name' '
	store_snapshot >before &&
	test_must_fail manifold annotate --os-version 5 "$APP:i@{1}" linux/amd64 2>err &&
	store_snapshot >after &&
	test_cmp before after
'

test_done
