#!/bin/bash
test_description='push --merge: publishers with stores of their own add their platforms to one tag at once'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

start_registry plain
R=$REGISTRY

# Eight platforms, one image each.
PLATFORMS="linux/amd64 linux/arm64/v8 linux/arm/v7 linux/arm/v6 linux/s390x linux/ppc64le linux/386 linux/riscv64"
i=0
for pf in $PLATFORMS; do
	seed_image "src/app:p$i" --format docker --platform "$pf" --seed "p$i" >/dev/null || {
		echo "Bail out! could not seed $pf"
		exit 1
	}
	i=$((i + 1))
done

# RUNS rounds of 8 concurrent publishers (fewer under a sanitizer, whose
# builds are several times slower).
RUNS=${MF_PUSH_MERGE_RUNS:-50}
test -z "${MF_SANITIZED:-}" || RUNS=${MF_PUSH_MERGE_RUNS:-5}

# The platforms a tag's list holds, sorted, one a line (from a store of
# its own, which has no local list of that name: inspect asks the registry).
remote_platforms() {
	MANIFOLD_DIR=$TRASH/reader manifold inspect --insecure "$1" | python3 -c '
import json, sys
for m in json.load(sys.stdin)["manifests"]:
    p = m["platform"]
    print("/".join(x for x in (p["os"], p["architecture"], p.get("variant", "")) if x))' |
	sort
}

test_expect_success 'one publisher: a new tag, then nothing to do' '
	MANIFOLD_DIR=$TRASH/one manifold create --insecure "$R/pub/one:v1" "$R/src/app:p0" >/dev/null &&
	MANIFOLD_DIR=$TRASH/one manifold push --insecure --merge "$R/pub/one:v1" >out &&
	MANIFOLD_DIR=$TRASH/one manifold show-ref -s "lists/$R/pub/one:v1" >expect &&
	test_cmp expect out &&
	registry_log_reset &&
	MANIFOLD_DIR=$TRASH/one manifold push --insecure --merge "$R/pub/one:v1" >out &&
	test_cmp expect out
'

# publish I RUN: publisher I, in its own store, creates the list of its
# platform and pushes it with --merge; its status goes to rc.I.
publish() {
	MANIFOLD_DIR=$TRASH/pub$1 manifold create --insecure "$R/pub/app:r$2" "$R/src/app:p$1" >/dev/null &&
	MANIFOLD_DIR=$TRASH/pub$1 manifold push -q --insecure --merge "$R/pub/app:r$2" >out.$1 2>err.$1
	echo $? >rc.$1
}

# round RUN: the 8 publishers at once; fails if one of them failed, and
# appends "ok" or "partial" to results (did the tag end with all 8?).
round() {
	local i=0 pids= pf
	for pf in $PLATFORMS; do
		publish $i "$1" &
		pids="$pids $!"
		i=$((i + 1))
	done
	wait $pids
	for i in 0 1 2 3 4 5 6 7; do
		test "$(cat rc.$i)" = 0 || { cat err.$i >&2; return 1; }
	done
	remote_platforms "$R/pub/app:r$1" >actual.$1 || return 1
	if cmp -s expect actual.$1; then
		echo ok >>results
	else
		echo "run $1: the tag holds only:" >&2
		cat actual.$1 >&2
		echo partial >>results
	fi
}

test_expect_success "$RUNS rounds of 8 publishers, each adding its platform with push --merge" '
	printf "%s\n" $PLATFORMS | sort >expect &&
	: >results &&
	registry_log_reset &&
	for run in $(seq 1 $RUNS); do
		round "$run" || return 1
	done &&
	complete=$(grep -c "^ok$" results) &&
	requests=$(registry_requests | wc -l) &&
	echo "# $complete of $RUNS runs ended with all 8 platforms; $(( requests / (RUNS * 8) )) requests per publisher on average (create and push --merge, all retries, and the check of each run)" &&
	test "$complete" = "$RUNS"
'

test_expect_success 'a conflict stops push --merge and changes nothing' '
	MANIFOLD_DIR=$TRASH/c1 manifold create --insecure "$R/pub/c:v1" "$R/src/app:p0" >/dev/null &&
	MANIFOLD_DIR=$TRASH/c1 manifold push -q --insecure --merge "$R/pub/c:v1" >/dev/null &&
	MANIFOLD_DIR=$TRASH/c2 manifold fetch -q --insecure "$R/pub/c:v1" >/dev/null &&
	MANIFOLD_DIR=$TRASH/c1 manifold annotate --annotation who=1 "$R/pub/c:v1" linux/amd64 &&
	MANIFOLD_DIR=$TRASH/c1 manifold push -q --insecure --merge "$R/pub/c:v1" >/dev/null &&
	MANIFOLD_DIR=$TRASH/c2 manifold annotate --annotation who=2 "$R/pub/c:v1" linux/amd64 &&
	before=$(MANIFOLD_DIR=$TRASH/c2 manifold show-ref) &&
	tag=$(manifold ls-remote --insecure "$R/pub/c" v1 | cut -f1) &&
	test_expect_code 1 env MANIFOLD_DIR=$TRASH/c2 manifold push -q --insecure --merge "$R/pub/c:v1" 2>err &&
	test_grep "^conflict: linux/amd64: " err &&
	test "$(MANIFOLD_DIR=$TRASH/c2 manifold show-ref)" = "$before" &&
	test "$(manifold ls-remote --insecure "$R/pub/c" v1 | cut -f1)" = "$tag"
'

test_expect_success 'usage: --merge takes one target and no --dry-run' '
	test_expect_code 125 manifold push --merge --dry-run "$R/pub/c:v1" 2>err &&
	test_grep "takes one target" err &&
	test_expect_code 125 manifold push --merge "$R/pub/c:v1" "$R/pub/c:v2" "$R/pub/c:v3" 2>err &&
	test_grep "takes one target" err
'

test_done
