#!/bin/bash
test_description='gc: expires reflogs, deletes only unreachable objects past the grace period, never a reachable one, also under concurrent writers'
. ./test-lib.sh

# test-lib.sh fixes the clock: MANIFOLD_COMMITTER_DATE=1700000000.  gc's
# "now" is that clock too, so ages below are counted from it.
OLD="1600000000 +0000"		# ~3 years earlier
DAYS100="1691360000 +0000"	# 100 days earlier
DAYS10="1699136000 +0000"	# 10 days earlier

OCI_INDEX=$(sha256_of "$DATA/oci-index.json")
OCI_MANIFEST=$(sha256_of "$DATA/oci-manifest.json")
OCI_CONFIG=$(sha256_of "$DATA/oci-config.json")
DOCKER_LIST=$(sha256_of "$DATA/docker-list.json")
DOCKER_MANIFEST=$(sha256_of "$DATA/docker-manifest.json")
DOCKER_CONFIG=$(sha256_of "$DATA/docker-config.json")
BUILDKIT=$(sha256_of "$DATA/buildkit-index.json")

# fsck, whose only complaints may be about the children the samples name
# but do not include (oci-index.json's arm64 manifest, buildkit's
# attestation manifest, docker-list.json's other two platforms): they were
# never in the store.
fsck_ok() {
	manifold fsck >fsck.out 2>/dev/null
	! grep -v -e "^missing child sha256:d910bdee" -e "^missing child sha256:d003bd5e" \
		-e "^missing child sha256:7287431c" -e "^missing child sha256:56b9b795" fsck.out
}

objects() {
	manifold cat-manifest --batch-check --batch-all-objects | cut -d" " -f1 | sort
}

# has D...: every D is in the store.
has() {
	for d; do
		manifold cat-manifest -e "$d" || { echo "missing $d"; return 1; }
	done
}
# lacks D...: no D is in the store.
lacks() {
	for d; do
		! manifold cat-manifest -e "$d" || { echo "still there: $d"; return 1; }
	done
}

test_expect_success 'no store: nothing to do, nothing created' '
	manifold gc >out 2>err &&
	echo "removed 0 objects (0 bytes) and 0 reflog entries" >expect &&
	test_cmp expect out &&
	test_line_count = 0 err &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'usage errors exit 129, a bad age 128, and change nothing' '
	test_must_fail --code=129 manifold gc extra 2>err &&
	test_grep "gc takes no arguments" err &&
	test_must_fail --code=128 manifold gc --prune=yesterday-ish 2>err &&
	test_stderr_line "^fatal: invalid age .yesterday-ish." err &&
	! test -e "$MANIFOLD_DIR"
'

test_expect_success 'setup: every sample stored now, lists/oci -> the OCI index' '
	manifold hash-object -w "$DATA"/*.json >/dev/null &&
	manifold update-ref lists/oci "$OCI_INDEX" &&
	test $(objects | wc -l) = 7
'

test_expect_success 'by default, objects written within two weeks are kept' '
	manifold gc >out &&
	echo "removed 0 objects (0 bytes) and 0 reflog entries" >expect &&
	test_cmp expect out &&
	test $(objects | wc -l) = 7
'

test_expect_success '--dry-run lists what --prune=now would remove and changes nothing' '
	store_snapshot >before &&
	manifold gc --dry-run --prune=now >out &&
	cat >expect <<-EOF &&
	would remove $DOCKER_CONFIG application/vnd.docker.container.image.v1+json 1471
	would remove $DOCKER_MANIFEST application/vnd.docker.distribution.manifest.v2+json 528
	would remove $BUILDKIT application/vnd.oci.image.index.v1+json 927
	would remove $DOCKER_LIST application/vnd.docker.distribution.manifest.list.v2+json 1105
	would remove 4 objects (4031 bytes) and 0 reflog entries
	EOF
	sort expect >expect.sorted && sort out >out.sorted &&
	test_cmp expect.sorted out.sorted &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success '--prune=now removes the unreachable, keeps the ref and its closure' '
	manifold gc --prune=now >out &&
	echo "removed 4 objects (4031 bytes) and 0 reflog entries" >expect &&
	test_cmp expect out &&
	has "$OCI_INDEX" "$OCI_MANIFEST" "$OCI_CONFIG" &&
	lacks "$DOCKER_LIST" "$DOCKER_MANIFEST" "$DOCKER_CONFIG" "$BUILDKIT" &&
	fsck_ok &&
	manifold gc --prune=now -q >out &&
	test_line_count = 0 out
'

test_expect_success 'old unreachable objects go by default, new ones stay; -q prints nothing' '
	MANIFOLD_COMMITTER_DATE=$OLD manifold hash-object -w "$DATA/docker-list.json" &&
	MANIFOLD_COMMITTER_DATE=$DAYS10 manifold hash-object -w "$DATA/docker-manifest.json" &&
	manifold gc -q >out &&
	test_line_count = 0 out &&
	lacks "$DOCKER_LIST" &&
	has "$DOCKER_MANIFEST" &&
	manifold gc --prune=1.week.ago &&
	lacks "$DOCKER_MANIFEST"
'

test_expect_success 'writing an object again restarts its grace period' '
	MANIFOLD_COMMITTER_DATE=$OLD manifold hash-object -w "$DATA/docker-list.json" &&
	manifold hash-object -w "$DATA/docker-list.json" &&
	manifold gc &&
	has "$DOCKER_LIST" &&
	manifold gc --prune=now &&
	lacks "$DOCKER_LIST"
'

test_expect_success 'a recent object keeps the old children it points at' '
	MANIFOLD_COMMITTER_DATE=$OLD manifold hash-object -w "$DATA/docker-manifest.json" "$DATA/docker-config.json" &&
	manifold hash-object -w "$DATA/docker-list.json" &&
	manifold gc &&
	has "$DOCKER_LIST" "$DOCKER_MANIFEST" "$DOCKER_CONFIG" &&
	manifold gc --prune=now &&
	lacks "$DOCKER_LIST" "$DOCKER_MANIFEST" "$DOCKER_CONFIG"
'

test_expect_success '--prune=never removes no object' '
	MANIFOLD_COMMITTER_DATE=$OLD manifold hash-object -w "$DATA/buildkit-index.json" &&
	manifold gc --prune=never >out &&
	echo "removed 0 objects (0 bytes) and 0 reflog entries" >expect &&
	test_cmp expect out &&
	has "$BUILDKIT"
'

test_expect_success 'old values in the reflog are reachable until their entry expires' '
	MANIFOLD_COMMITTER_DATE=$OLD manifold hash-object -w "$DATA"/docker-*.json >/dev/null &&
	MANIFOLD_COMMITTER_DATE=$DAYS100 manifold update-ref -m first lists/moved "$DOCKER_LIST" &&
	MANIFOLD_COMMITTER_DATE=$DAYS100 manifold update-ref -m second lists/moved "$OCI_INDEX" &&
	MANIFOLD_COMMITTER_DATE=$DAYS10 manifold update-ref -m third lists/moved "$BUILDKIT" &&
	# An entry keeps both its values: the third (OCI_INDEX -> BUILDKIT)
	# stays and does not reach the docker list; the two older ones do and
	# expire.  A dry run counts them and changes nothing.
	manifold gc --prune=now --dry-run >out &&
	test_grep "^would remove 3 objects (3104 bytes) and 2 reflog entries$" out &&
	manifold reflog lists/moved >out &&
	test_line_count = 3 out &&
	manifold gc --prune=now >out &&
	# The 100-day-old entries expired, and with them the only way to the
	# (old) docker list and its closure.
	echo "removed 3 objects (3104 bytes) and 2 reflog entries" >expect &&
	test_cmp expect out &&
	manifold reflog lists/moved >out &&
	test_line_count = 1 out &&
	has "$BUILDKIT" "$OCI_MANIFEST" "$OCI_CONFIG" &&
	lacks "$DOCKER_LIST" "$DOCKER_MANIFEST" "$DOCKER_CONFIG"
'

test_expect_success 'the newest entry of a ref stays, however old' '
	manifold hash-object -w "$DATA/docker-list.json" "$DATA"/docker-*.json >/dev/null &&
	MANIFOLD_COMMITTER_DATE=$OLD manifold update-ref -m ancient lists/ancient "$DOCKER_LIST" &&
	manifold gc --prune=now &&
	manifold reflog lists/ancient >out &&
	test_grep "lists/ancient@{0}: ancient" out &&
	manifold rev-parse lists/ancient@{0} &&
	has "$DOCKER_LIST" "$DOCKER_MANIFEST" "$DOCKER_CONFIG"
'

test_expect_success 'a deleted ref: recent history keeps its objects, old history goes' '
	MANIFOLD_COMMITTER_DATE=$OLD manifold hash-object -w "$DATA/docker-list.json" &&
	MANIFOLD_COMMITTER_DATE=$DAYS10 manifold update-ref -m gone lists/gone "$DOCKER_LIST" &&
	manifold update-ref -d lists/gone &&
	manifold gc --prune=now &&
	has "$DOCKER_LIST" &&
	manifold rev-parse lists/gone@{1} >out &&
	echo "$DOCKER_LIST" >expect &&
	test_cmp expect out &&
	MANIFOLD_COMMITTER_DATE=$DAYS100 manifold update-ref -m y lists/y "$OCI_INDEX" &&
	MANIFOLD_COMMITTER_DATE=$DAYS100 manifold update-ref -d lists/y &&
	manifold reflog exists lists/y &&
	manifold gc --prune=now >out &&
	test_grep "and 2 reflog entries" out &&
	test_must_fail --code=1 manifold reflog exists lists/y &&
	has "$OCI_INDEX"
'

test_expect_success 'after every gc above the store is consistent' '
	fsck_ok
'

LATER="1701300000 +0000"	# 15 days after the test clock

# drop_otime_table: make the store one written before object times (no
# otime table), by copying every other table into a new environment.
# (It used mdb_drop, which Debian 12's lmdb-utils lacks, and reported ok
# without running when mdb_drop was missing.)
drop_otime_table() {
	mdb_dump -a "$MANIFOLD_DIR" >all.dump &&
	awk '/^VERSION=/ { buf = ""; keep = 1 }
		/^database=otime$/ { keep = 0 }
		{ buf = buf $0 "\n" }
		/^DATA=END$/ { if (keep) printf "%s", buf }' all.dump >kept.dump &&
	grep -q "^database=otime$" all.dump &&
	! grep -q "^database=otime$" kept.dump &&
	rm -rf no-otime && mkdir no-otime &&
	mdb_load -f kept.dump no-otime 2>/dev/null &&
	mv no-otime/data.mdb "$MANIFOLD_DIR/data.mdb" &&
	mdb_dump -a "$MANIFOLD_DIR" >after.dump &&
	! grep -q "^database=otime$" after.dump
}

# A store of its own: in the shared one, lists/ancient above reaches the
# config through its list and manifest, so nothing could be pruned.
test_expect_success MDB_TOOLS 'a store made before object times: the grace period starts at the first gc' '
	export MANIFOLD_DIR=$TRASH/pre-otime &&
	MANIFOLD_COMMITTER_DATE=$OLD manifold hash-object -w "$DATA/docker-config.json" &&
	drop_otime_table &&
	manifold gc &&
	has "$DOCKER_CONFIG" &&
	MANIFOLD_COMMITTER_DATE=$LATER manifold gc &&
	lacks "$DOCKER_CONFIG" &&
	fsck_ok
'

# ---- concurrency: writers and gc at once ----

ROUNDS=${MF_GC_ROUNDS:-20}

# hash-object -w then update-ref, ROUNDS times: between the two the
# object is unreachable, and only the grace period protects it.
hash_writer() {
	local w=$1 i d
	for i in $(seq 1 $ROUNDS); do
		d=$(printf "{\"w\":%d,\"i\":%d}" $w $i |
			manifold hash-object -w -t application/vnd.test.gc --stdin) || return 1
		manifold update-ref -m "w$w $i" lists/hash$w "$d" || return 1
	done
}

# create an (empty, annotated) list, ROUNDS times: one transaction each.
create_writer() {
	local w=$1 i
	for i in $(seq 1 $ROUNDS); do
		manifold create --amend --annotation "round=$w.$i" "app:c$w" >/dev/null || return 1
	done
}

tolerant_hash_writer() {
	hash_writer 3 2>/dev/null
	return 0
}

gc_loop() {
	local i
	for i in $(seq 1 $ROUNDS); do
		manifold gc -q "$@" || return 1
	done
}

# run_all JOB...: run the jobs at once; fail if any failed.
run_all() {
	local job p pids= fails=0
	for job; do
		$job & pids="$pids $!"
	done
	for p in $pids; do wait $p || fails=$((fails + 1)); done
	test $fails = 0
}

# Every ref's object and the closure under it is present.
refs_complete() {
	manifold show-ref >refs &&
	while read -r d r; do
		manifold cat-manifest -e "$d" || { echo "$r: $d missing"; return 1; }
	done <refs &&
	fsck_ok
}

test_expect_success "writers and gc at once ($ROUNDS rounds): nothing referenced is lost" '
	run_all "hash_writer 1" "hash_writer 2" "create_writer 1" \
		"create_writer 2" gc_loop gc_loop &&
	refs_complete &&
	manifold reflog lists/hash1 >out && test_line_count = $ROUNDS out &&
	manifold reflog lists/hash2 >out && test_line_count = $ROUNDS out &&
	manifold reflog app:c1 >out && test_line_count = $ROUNDS out
'

test_expect_success "writers and gc --prune=now at once: refs stay whole, lists are never lost" '
	# With no grace period an object between hash-object -w and update-ref
	# may go (as in git); update-ref then refuses, and nothing breaks.
	run_all tolerant_hash_writer "create_writer 3" "create_writer 4" \
		"gc_loop --prune=now" "gc_loop --prune=now" &&
	refs_complete &&
	manifold reflog app:c3 >out && test_line_count = $ROUNDS out &&
	manifold reflog app:c4 >out && test_line_count = $ROUNDS out &&
	manifold gc --prune=now -q &&
	refs_complete
'

test_done
