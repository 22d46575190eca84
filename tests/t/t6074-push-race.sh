#!/bin/bash
test_description='push with parallel workers: a blob shared by several entries is uploaded once and every manifest waits for it'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-faults.sh"

# The source registry: three images of one repository that all carry
# the layer of the first (L) as well as a layer of their own.
start_registry plain --name src
SRC=$REGISTRY
A=$(seed_image library/app:a --format docker --platform linux/amd64 --seed race-a) || exit 1
seed_image library/app:b0 --format docker --platform linux/arm64/v8 --seed race-b >/dev/null || exit 1
seed_image library/app:c0 --format docker --platform linux/s390x --seed race-c >/dev/null || exit 1

# share_layer FROM TO: put library/app:TO, the manifest of
# library/app:FROM with the layers of library/app:a in front of its own.
share_layer() {
	registry_curl -sS -f -H "Accept: $DOCKER_MANIFEST" \
		"$REGISTRY_URL/v2/library/app/manifests/a" >a.json &&
	registry_curl -sS -f -H "Accept: $DOCKER_MANIFEST" \
		"$REGISTRY_URL/v2/library/app/manifests/$1" >from.json &&
	"$REGISTRY_PYTHON" -c '
import json, sys
a = json.load(open("a.json"))
m = json.load(open("from.json"))
m["layers"] = a["layers"] + m["layers"]
sys.stdout.write(json.dumps(m, separators=(",", ":")))
' >to.json &&
	registry_curl -sS -f -X PUT -H "Content-Type: $DOCKER_MANIFEST" \
		--data-binary @to.json "$REGISTRY_URL/v2/library/app/manifests/$2" &&
	rm -f a.json from.json to.json
}
share_layer b0 b && share_layer c0 c || exit 1
L=$(registry_curl -sS -f -H "Accept: $DOCKER_MANIFEST" \
	"$REGISTRY_URL/v2/library/app/manifests/a" |
	"$REGISTRY_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])') &&
test -n "$L" || exit 1

# An index of two indexes that both list image a.
I1=$(seed_index library/app:i1 --format docker :a :b) &&
I2=$(seed_index library/app:i2 --format docker :a :c) &&
seed_index library/app:nest --format oci library/app:i1 library/app:i2 >/dev/null || exit 1

# The target registry, behind four proxies: "slow" holds the shared
# layer's upload (its closing PUT, which names the digest) for 1.5 s;
# "slowman" holds image a's manifest PUT for 1.5 s;
# "broken" refuses the shared layer's upload (400, not retried);
# "jitter" delays each PATCH and PUT of an upload by a random 0-150 ms.
start_registry plain --name dst
fault_proxy slow "PUT /blobs/uploads/.*digest=$L delay=1500"
fault_proxy slowman "PUT /manifests/$A\$ delay=1500"
fault_proxy broken "PUT /blobs/uploads/.*digest=$L\$ 400"
fault_proxy jitter 'PATCH /blobs/uploads/ delay=0-150' 'PUT /blobs/uploads/ delay=0-150'

# list_on_registry REPO TAG: the list (of three entries) and each of its
# entries are there.
list_on_registry() {
	registry_env dst &&
	registry_curl -sS -f -H "Accept: $DOCKER_LIST" \
		"$REGISTRY_URL/v2/$1/manifests/$2" >list.json &&
	"$REGISTRY_PYTHON" -c '
import json
for m in json.load(open("list.json"))["manifests"]:
    print(m["digest"])
' >entries &&
	test_line_count = 3 entries &&
	for d in $(cat entries); do
		registry_curl -sS -f -o /dev/null -H "Accept: $DOCKER_MANIFEST" \
			"$REGISTRY_URL/v2/$1/manifests/$d" || return 1
	done
}

test_expect_success 'the images share a layer (the setup is what the tests need)' '
	for t in a b c; do
		registry_env src &&
		registry_curl -sS -f -H "Accept: $DOCKER_MANIFEST" \
			"$REGISTRY_URL/v2/library/app/manifests/$t" >m-$t.json &&
		test_grep -q "$L" m-$t.json || return 1
	done
'

test_expect_success 'a slow shared upload: the other entries wait for it, at the default jobs' '
	manifold create "$P_slow/dst/app:v1" "$SRC/library/app:a" \
		"$SRC/library/app:b" "$SRC/library/app:c" >/dev/null &&
	manifold push "$P_slow/dst/app:v1" >out 2>err &&
	test_grep "^FAULT delay=1500 PUT " "$PLOG_slow" &&
	! grep " 400$" "$PLOG_slow" &&
	# copied, not mounted: the target has no repository with it
	! grep "mount=" "$PLOG_slow" &&
	# the shared layer went up once, before any manifest naming it
	test "$(grep -c "^PUT /v2/dst/app/blobs/uploads/.*digest=$L 201$" "$PLOG_slow")" = 1 &&
	grep -n "^PUT /v2/dst/app/blobs/uploads/.*digest=$L 201$\|^PUT /v2/dst/app/manifests/" \
		"$PLOG_slow" | head -n 1 | test_grep -q "digest=$L" &&
	test "$(grep -c "^PUT /v2/dst/app/manifests/sha256:.* 201$" "$PLOG_slow")" = 3 &&
	test_grep -q "^PUT /v2/dst/app/manifests/v1 201$" "$PLOG_slow" &&
	list_on_registry dst/app v1 &&
	tail -n 1 out >got && manifold rev-parse "$P_slow/dst/app:v1" >expect &&
	test_cmp expect got
'

test_expect_success 'nested indexes that share an image: no index is put before it' '
	registry_env src &&
	manifold fetch "$SRC/library/app:nest" nest >/dev/null &&
	manifold push nest "$P_slowman/dst/nest:v1" >out 2>err &&
	test_grep "^FAULT delay=1500 PUT /v2/dst/nest/manifests/$A$" "$PLOG_slowman" &&
	! grep " 400$" "$PLOG_slowman" &&
	test "$(grep -c "^PUT /v2/dst/nest/manifests/$A 201$" "$PLOG_slowman")" = 1 &&
	grep -n "^PUT /v2/dst/nest/manifests/$A 201$\|^PUT /v2/dst/nest/manifests/$I1 \|^PUT /v2/dst/nest/manifests/$I2 " \
		"$PLOG_slowman" | head -n 1 | test_grep -q "$A" &&
	test "$(grep -c "^PUT /v2/dst/nest/manifests/sha256:.* 201$" "$PLOG_slowman")" = 5 &&
	test_grep -q "^PUT /v2/dst/nest/manifests/v1 201$" "$PLOG_slowman"
'

test_expect_success 'a failed shared upload fails every entry that needs it, once, with its reason' '
	registry_env src &&
	manifold create "$P_broken/dst/fail:v1" "$SRC/library/app:a" \
		"$SRC/library/app:b" "$SRC/library/app:c" >/dev/null &&
	store_snapshot >before &&
	test_must_fail --code=1 manifold push "$P_broken/dst/fail:v1" >out 2>err &&
	test_stderr_line "blob $L.* answered 400" err &&
	# tried once: the entries that waited for it did not try again
	test "$(grep -c "^PUT /v2/dst/fail/blobs/uploads/.*digest=$L 400$" "$PLOG_broken")" = 1 &&
	! grep "^PUT /v2/dst/fail/manifests/" "$PLOG_broken" &&
	store_snapshot >after &&
	test_cmp before after
'

# stress_push I: push the stress list, from a copy of its store (whose
# only source is the source registry, so the push really copies), to a
# fresh repository of the target, at the default jobs; a failure goes to
# the file "failed".  stress_pair I J: two at once (the machine has two
# cores; each push waits on the proxy's delays most of its time).
stress_push() {
	cp -R "$TRASH/stress-store" "$TRASH/stress-$1" &&
	MANIFOLD_DIR=$TRASH/stress-$1 manifold push stress \
		"$P_jitter/stress/r$1:v1" >"out-$1" 2>"err-$1" ||
	{ echo "push $1:" && cat "err-$1"; } >>failed
}
stress_pair() {
	stress_push "$1" &
	stress_push "$2"
	wait
}

test_expect_success 'stress: 50 pushes with random upload delays, no failure' '
	MANIFOLD_DIR=$TRASH/stress-store manifold create stress "$SRC/library/app:a" \
		"$SRC/library/app:b" "$SRC/library/app:c" >/dev/null &&
	: >failed &&
	for i in $(seq 1 2 50); do
		stress_pair $i $((i + 1)) || return 1
	done &&
	test_cmp /dev/null failed &&
	test "$(grep -c "^PUT /v2/stress/r[0-9]*/blobs/uploads/.*digest=$L 201$" "$PLOG_jitter")" = 50 &&
	test "$(grep -c "^PUT /v2/stress/r[0-9]*/manifests/v1 201$" "$PLOG_jitter")" = 50 &&
	test "$(grep -c "^PUT /v2/stress/r[0-9]*/manifests/sha256:.* 201$" "$PLOG_jitter")" = 150
'

test_done
