#!/bin/bash
test_description='progress: a live line on a terminal for push, fetch, export and import; nothing in a pipe or with -q'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
porcelain_setup
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-faults.sh"
# Each held for 3 s: the list's tag PUT (push), the list's GET (fetch).
fault_proxy slow 'PUT /manifests/v1$ delay=3000' 'GET /manifests/list$ delay=3000' \
	'PUT /denied/app/manifests/ 403'

# on_tty NAME CMD...: CMD with its stderr on a terminal (stdout as it
# is); NAME.tty gets what the terminal received, NAME.cr the time of
# each carriage return, i.e. of each redraw.
on_tty() {
	local name=$1
	shift
	"$REGISTRY_PYTHON" "$MANIFOLD_SOURCE_DIR/tests/t/tty-run.py" \
		"$name.tty" "$name.cr" -- "$@"
}

# final NAME: the last state of the progress line the terminal got.
final() {
	tr '\r' '\n' <"$1.tty" | sed -e 's/\x1b\[K//g' |
	grep -E '^(Pushing|Fetching|Exporting|Importing) ' | tail -n 1
}

# never_silent NAME: a redraw at least every second from the start to
# the last, and at least `min` of them.
never_silent() {
	awk -v min="$2" '
		{ if ($1 - last > 1.0) { print "silent from " last " to " $1; bad = 1 }
		  last = $1; n++ }
		END { if (n < min) { print n " redraws, wanted " min; bad = 1 }
		      exit bad }' "$1.cr"
}

# The objects a push sends a new repository: every line of its plan.
test_expect_success 'push on a terminal: one line, redrawn, with the totals; stdout as in a pipe' '
	manifold create "$R/dst/app:v1" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold create "$R/dst2/app:v1" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold push --dry-run "$R/dst/app:v1" >plan &&
	n=$(($(wc -l <plan) - 1)) && test "$n" = 7 &&
	on_tty push manifold push "$R/dst/app:v1" >push.out &&
	final push >line &&
	test_grep -E "^Pushing $R/dst/app:v1: $n/$n objects, ([0-9.]+)/\1 KiB(, [0-9.]+ [KMG]?i?B/s)?, done\.$" line &&
	# the engine summary follows on a line of its own
	test_grep "^$R/dst/app:v1: 0 present, 4 mounted, 0 copied (0 bytes), 3 put$" push.tty &&
	# stdout has no escape, and is what a pipe gets
	manifold push "$R/dst2/app:v1" >pipe.out 2>pipe.err &&
	: >empty &&
	test_cmp empty pipe.err &&
	sed "s|/dst/|/dst2/|" push.out >expect &&
	test_cmp expect pipe.out &&
	test_must_fail grep -l "$(printf "\\r")" push.out pipe.out
'

test_expect_success 'push in a pipe, to a file, or with -q: nothing on stderr' '
	manifold create "$R/dst3/app:v1" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold create "$R/dst4/app:v1" "$APP:amd64" "$APP:arm64" >/dev/null &&
	manifold create "$R/dst5/app:v1" "$APP:amd64" "$APP:arm64" >/dev/null &&
	: >empty &&
	manifold push "$R/dst5/app:v1" >/dev/null 2>file.err &&
	test_cmp empty file.err &&
	manifold push "$R/dst3/app:v1" 2>&1 >/dev/null | cat >piped &&
	test_cmp empty piped &&
	on_tty q manifold push -q "$R/dst4/app:v1" >q.out &&
	test_cmp empty q.tty &&
	tail -n 1 q.out >got && manifold rev-parse "$R/dst4/app:v1" >expect &&
	test_cmp expect got
'

test_expect_success 'push: a request held 3 s, the line redrawn at least every second' '
	P=$P_slow &&
	manifold create "$P/slow/app:v1" "$P/library/app:amd64" "$P/library/app:s390x" >/dev/null &&
	on_tty slowpush manifold push "$P/slow/app:v1" >out &&
	test_grep "^PUT /v2/slow/app/manifests/v1 201$" "$PLOG_slow" &&
	never_silent slowpush 10 &&
	final slowpush >line &&
	test_grep "^Pushing $P/slow/app:v1: 7/7 objects, .*, done\.$" line
'

test_expect_success 'fetch on a terminal: the list, and each image with its config' '
	on_tty fetch manifold fetch "$APP:list" fetched >fetch.out &&
	final fetch >line &&
	test_grep "^Fetching $APP:list: 5/5 objects, .*done\.$" line &&
	echo "Created manifest list $(manifold ls -q | grep fetched)" >expect &&
	test_cmp expect fetch.out &&
	manifold fetch "$APP:list" fetched2 2>err >/dev/null &&
	test_cmp empty err &&
	on_tty fetchq manifold fetch -q "$APP:list" fetched3 >/dev/null &&
	test_cmp empty fetchq.tty
'

test_expect_success 'fetch: while the list is held 3 s, manifests read is redrawn' '
	on_tty slowfetch manifold fetch "$P_slow/library/app:list" slowlist >/dev/null &&
	test_grep "^GET /v2/library/app/manifests/list 200$" "$PLOG_slow" &&
	never_silent slowfetch 10 &&
	tr "\r" "\n" <slowfetch.tty | test_grep "^Fetching $P_slow/library/app:list: 0 manifests read" &&
	final slowfetch >line &&
	test_grep "^Fetching $P_slow/library/app:list: 5/5 objects, .*done\.$" line
'

test_expect_success 'export and import on a terminal; -q and a pipe: nothing' '
	on_tty export manifold export -o "oci:$TRASH/lay" "$R/dst/app:v1" >export.out &&
	final export >line &&
	test_grep -E "^Exporting to oci:$TRASH/lay: 7/7 objects, ([0-9.]+)/\1 KiB.*, done\.$" line &&
	on_tty exportq manifold export -q -o "oci:$TRASH/lay2" "$R/dst/app:v1" >/dev/null &&
	test_cmp empty exportq.tty &&
	manifold export -o "oci:$TRASH/lay3" "$R/dst/app:v1" 2>err >/dev/null &&
	test_cmp empty err &&
	# import: the list, 2 manifests, 2 configs copied; 2 layers verified
	on_tty import manifold import "oci:$TRASH/lay" >import.out &&
	final import >line &&
	test_grep -E "^Importing oci:$TRASH/lay: 7/7 objects, ([0-9.]+)/\1 KiB.*, done\.$" line &&
	on_tty importq manifold import -q "oci:$TRASH/lay2" >/dev/null &&
	test_cmp empty importq.tty &&
	manifold import "oci:$TRASH/lay3" 2>err >/dev/null &&
	test_cmp empty err
'

test_expect_success 'a failed push clears the line: the error stands alone' '
	manifold create "$P_slow/denied/app:v1" "$P_slow/library/app:amd64" >/dev/null &&
	test_must_fail on_tty fail manifold push "$P_slow/denied/app:v1" >/dev/null &&
	test_must_fail grep "done\\." fail.tty &&
	# what the terminal shows at the end: the error alone
	tr "\r" "\n" <fail.tty | sed -e "s/\x1b\[K//g" | grep -v "^$" >shown &&
	test_grep "^cannot push to $P_slow/denied/app: permission denied" shown &&
	test_grep -v "^Pushing" shown
'

test_done
