#!/bin/bash
test_description='kill -9 at random moments of annotate, remove, restore, create, push and gc leaves the store and the registry consistent'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
porcelain_setup

# Real fsyncs here: this is about what survives.
unset MF_NOSYNC
KILLS=${MF_CRASH_KILLS:-300}
E=$APP:edit
P=$APP:topush
ACCEPT="$IDX, $DOCKER_LIST, $OCI_MANIFEST, $DOCKER_MANIFEST"

# Sleep a random 0..$1 milliseconds, without a process to start (that
# alone takes milliseconds, as long as the quicker commands run): read
# with a timeout from a FIFO nobody writes to.
mkfifo "$TRASH/.never" && exec 9<>"$TRASH/.never" || exit 1
rsleep() {
	local ms=$((RANDOM % $1))
	read -r -t "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" -u 9 || :
}

# The child digests of the index or list on stdin.
children() {
	grep -o '"digest" *: *"sha[0-9]*:[0-9a-f]*"' | sed 's/.*"\(sha[^"]*\)"/\1/'
}

# Every lists/ ref names a list whose children are all in the store, and
# every remotes/ ref names an object in the store.
check_refs() {
	manifold show-ref --prefix lists/ | cut -d" " -f1 | sort -u >ids &&
	manifold cat-manifest --batch <ids >lists &&
	children <lists | sort -u >kids &&
	manifold show-ref --prefix remotes/ | cut -d" " -f1 >>kids &&
	cat ids >>kids &&
	manifold cat-manifest --batch-check <kids >have &&
	if grep missing have; then
		echo "round $k: a ref names a list with missing children, or a missing object"
		return 1
	fi
}

# The tag crash/pN:v1, when the registry has it, has every child.
check_pushed() {
	local n=$1 code
	code=$(registry_curl -sS -o pushed.$n -w "%{http_code}" -H "Accept: $ACCEPT" \
		"$REGISTRY_URL/v2/crash/p$n/manifests/v1") || return 1
	case $code in
	404)	return 0 ;;
	200)	;;
	*)	echo "round $k: GET tag answered $code"; return 1 ;;
	esac
	for c in $(children <pushed.$n); do
		code=$(registry_curl -sS -o /dev/null -w "%{http_code}" -I -H "Accept: $ACCEPT" \
			"$REGISTRY_URL/v2/crash/p$n/manifests/$c") || return 1
		test "$code" = 200 || {
			echo "round $k: tag crash/p$n:v1 is there but its child $c is not ($code)"
			return 1
		}
	done
	pushed_tags=$((pushed_tags + 1))
}

test_expect_success 'setup: a list to edit and a list to push' '
	manifold create "$E" "$APP:amd64" "$APP:arm64" "$APP:armv7" >/dev/null &&
	manifold create "$P" "$APP:amd64" "$APP:arm64" "$APP:s390x" \
		"$R/other/app:riscv64" >/dev/null &&
	manifold rev-parse "lists/$P" >pushed-digest &&
	check_refs
'

test_expect_success "$KILLS kills during annotate, remove, restore, create, push and gc" '
	live=0 survived=0 pushed_tags=0 pushes=0 resumed=0 annotations=0 &&
	declare -A hit &&
	# How long to wait before the kill: a random 0..range[op] ms, the
	# range widened after a kill that hit and narrowed after one that
	# came too late, so that most kills land while the command runs,
	# anywhere in it, however fast this machine is today.
	declare -A range=([annotate]=16 [remove]=12 [restore]=12 [create]=70 [push]=200 [gc]=20) &&
	for k in $(seq 1 $KILLS); do
		case $((k % 7)) in
		0|4)	name=annotate &&
			cmd=(manifold annotate --annotation "k$k=v$k" "$E" "$APP:amd64") ;;
		1|5)	# remove arm64 when it is there, else put it back
			if manifold inspect "$E" | grep -q "${D[arm64]}"; then
				name=remove &&
				cmd=(manifold remove "$E" "$APP:arm64")
			else
				# the version before the latest remove
				n=$(manifold reflog show "lists/$E" | grep -n -m 1 ": manifold remove " |
					cut -d: -f1) &&
				name=restore &&
				cmd=(manifold restore "$E@{$n}")
			fi ;;
		2)	name=create &&
			cmd=(manifold create "$APP:c$k" "$APP:amd64" "$APP:armv7"
				"$R/other/app:amd64") ;;
		3)	name=push && pushes=$((pushes + 1)) &&
			cmd=(manifold push -q "$P" "$R/crash/p$k:v1") ;;
		6)	# no grace period: only what refs and reflogs reach may stay
			name=gc &&
			cmd=(manifold gc --prune=now -q) ;;
		esac &&
		{ "${cmd[@]}" >out.$k 2>err.$k & } &&
		pid=$! &&
		rsleep ${range[$name]} &&
		if kill -9 $pid 2>/dev/null; then
			live=$((live + 1)) && hit[$name]=$((${hit[$name]:-0} + 1)) &&
			range[$name]=$((${range[$name]} * 9 / 8 + 1))
		else
			range[$name]=$((${range[$name]} * 3 / 4)) &&
			if test ${range[$name]} -lt 2; then range[$name]=2; fi
		fi &&
		{ wait $pid 2>/dev/null; rc=$?; } &&
		# A command that finished before the kill succeeded.
		if test $rc != 137 && test $rc != 0; then
			echo "round $k: $name failed on its own ($rc):" &&
			cat err.$k &&
			exit 1
		fi &&
		# What an annotate that finished wrote is there.
		if test $name = annotate && test $rc = 0; then
			annotations=$((annotations + 1)) &&
			{
				manifold cat-manifest "lists/$E" | grep -q "\"k$k\": \"v$k\"" ||
				{ echo "round $k: annotation k$k lost"; exit 1; }
			}
		fi &&
		check_refs &&
		if test $name = push; then
			check_pushed $k &&
			# Now and then, the same push again finishes the job.
			if test $((pushes % 8)) = 0; then
				manifold push -q "$P" "$R/crash/p$k:v1" >out.$k &&
				tail -n 1 out.$k >digest.$k &&
				test_cmp pushed-digest digest.$k &&
				manifold rev-parse "remotes/$R/crash/p$k:v1" >actual &&
				test_cmp pushed-digest actual &&
				check_pushed $k &&
				resumed=$((resumed + 1))
			fi
		fi &&
		rm -f out.$k err.$k pushed.$k digest.$k &&
		survived=$((survived + 1)) &&
		if test $((k % 25)) = 0; then
			manifold fsck 2>fsck.err || { cat fsck.err; exit 1; }
		fi || return 1
	done &&
	{
		echo "survived $survived kills; $live hit a running command" \
			"(annotate ${hit[annotate]:-0}, remove ${hit[remove]:-0}," \
			"restore ${hit[restore]:-0}, create ${hit[create]:-0}," \
			"push ${hit[push]:-0}, gc ${hit[gc]:-0})" &&
		echo "$annotations annotations that finished all kept;" \
			"$pushed_tags pushed tags checked complete; $resumed killed pushes" \
			"run again to completion" &&
		echo "kill delays settled at 0..N ms: annotate ${range[annotate]}," \
			"remove ${range[remove]}, restore ${range[restore]}," \
			"create ${range[create]}, push ${range[push]}, gc ${range[gc]}"
	} >"$TRASH/figures" &&
	test $survived = $KILLS &&
	# Most kills must land inside a command, or the test proves little.
	test $live -ge $((KILLS / 3))
'
test -f "$TRASH/figures" && sed "s/^/# /" "$TRASH/figures"

test_expect_success 'fsck is clean after all the kills' '
	manifold fsck 2>err &&
	test_grep "problems: 0$" err
'

test_expect_success 'the lists are still editable and pushable' '
	manifold annotate --annotation after=1 "$E" "$APP:amd64" &&
	manifold create "$APP:after" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold push -q "$APP:after" "$R/crash/after:v1" >out &&
	manifold rev-parse "lists/$APP:after" >expect &&
	tail -n 1 out >actual &&
	test_cmp expect actual &&
	check_refs
'

test_done
