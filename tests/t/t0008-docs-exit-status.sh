#!/bin/sh
#
# t0008: every command's manual page says what the command prints
# (OUTPUT) and how it exits (EXIT STATUS), shows examples, and the exit
# codes it documents are the codes the binary gives: for an unknown
# option, a wrong number of arguments, a failed write to standard output
# (every command, --help >/dev/full), and the commands' own cases that
# need no registry (a table at the end).
#
# The EXIT STATUS section of a page is a list of items, each a code and
# the cases that give it.  The test finds a case's item by words it
# holds; two phrases are a convention of the pages: the item that holds
# "an unknown option" is the code of `manifold CMD --no-such-flag`, and
# the one that holds "a wrong number of arguments" is the code of CMD
# called with arguments it does not take (none, or, for a command that
# takes none or may take none, "a b").

. ./test-lib.sh

DOC=$MANIFOLD_SOURCE_DIR/Documentation

list_commands() {
	manifold --help | sed -n '/^Commands:$/,/^$/s/^   \([a-z][a-z0-9-]*\)  *.*/\1/p'
}

# The page of command $1 (manifold.1 for "manifold") as plain text,
# rendered once per test file.
page() {
	if test "$1" = manifold; then p=$DOC/manifold.1; else p=$DOC/manifold-$1.1; fi
	test -s "rendered-$1" ||
	groff -man -Tascii -P-cbou -rLL=400n "$p" >"rendered-$1" 2>/dev/null
	cat "rendered-$1"
}

section() {
	awk -v s="$1" '/^[A-Z]/ { on = ($0 == s); next } on'
}

# The items of the EXIT STATUS section on stdin, one a line:
# "<code> <text>", the text of an item joined into one line.
exit_items() {
	section "EXIT STATUS" | awk '
		/^       [0-9]+( |$)/ {
			if (code != "") print code, text
			code = $1; sub(/^ *[0-9]+ */, ""); text = $0; next
		}
		/^              [^ ]/ && code != "" { sub(/^ */, ""); text = text " " $0; next }
		{ if (code != "") print code, text; code = "" }
		END { if (code != "") print code, text }'
}

# The EXIT STATUS section on stdin as one line, for phrases that a
# line break may split.
joined() {
	section "EXIT STATUS" | tr -s " \n" "  "
}

# The code of the item whose text holds phrase $2, in items file $1:
# exactly one item must hold it.
code_of() {
	grep -i -F -e "$2" "$1" >with-phrase
	test $(wc -l <with-phrase) -eq 1 ||
	{ echo "not exactly one EXIT STATUS item says \"$2\":"; cat "$1"; return 1; }
	cut -d" " -f1 with-phrase
}

# The arguments CMD does not take: none, except for the commands that
# take none or may take none.
bad_arity() {
	case $1 in
	fsck | gc | ls | login | logout) echo "a b" ;;
	show-ref) echo "--exists a b" ;;
	*) echo "" ;;
	esac
}

commands=$(list_commands)

test_expect_success 'setup: a store with two lists, their children not stored' '
	manifold hash-object -w "$MF_TEST_DATA/oci-index.json" \
		"$MF_TEST_DATA/docker-list.json" >/dev/null &&
	manifold update-ref lists/example.com/a:latest 9af9723d &&
	manifold update-ref lists/example.com/b:latest 573ca849 &&
	echo secret >pass &&
	: >taken.key
'

test_lazy_prereq DEVFULL 'test -c /dev/full && ! echo x 2>/dev/null >/dev/full'

test_expect_success GROFF 'manifold.1 has EXIT STATUS and EXAMPLES, for both families' '
	page manifold >page.txt &&
	grep -qx "EXIT STATUS" page.txt &&
	grep -qx "EXAMPLES" page.txt &&
	section EXAMPLES <page.txt >examples &&
	grep -q "^ *\$ manifold " examples &&
	page manifold | exit_items >items &&
	for c in 0 1 125 128 129; do
		grep -q "^$c " items || { echo "manifold.1 lists no code $c"; exit 1; }
	done
'

for cmd in $commands; do
	test_expect_success GROFF "$cmd: page has EXIT STATUS, OUTPUT and EXAMPLES" '
		page $cmd >page.txt &&
		for s in OUTPUT EXAMPLES "EXIT STATUS"; do
			grep -qx "$s" page.txt || { echo "manifold-$cmd.1 has no section $s"; exit 1; }
		done &&
		section EXAMPLES <page.txt >examples &&
		grep -q "^ *\$ manifold $cmd" examples
	'

	test_expect_success GROFF "$cmd: EXIT STATUS lists known codes, 0 first, of one family" '
		page $cmd | exit_items >items &&
		test -s items &&
		cut -d" " -f1 items >codes &&
		test "$(head -n 1 codes)" = 0 &&
		while read -r c; do
			case $c in
			0 | 1 | 2 | 125 | 128 | 129) ;;
			*) echo "unknown exit code $c"; false ;;
			esac || exit 1
		done <codes &&
		! { grep -qx 125 codes && grep -qx 129 codes; } &&
		test "$(sort codes | uniq -d)" = ""
	'

	test_expect_success GROFF "$cmd: an unknown option exits as the page says" '
		page $cmd | exit_items >items &&
		want=$(code_of items "an unknown option") &&
		test_expect_code "$want" manifold $cmd --no-such-flag </dev/null >out 2>err &&
		test ! -s out &&
		test -s err
	'

	test_expect_success GROFF,DEVFULL "$cmd: a failed write to standard output exits 128, as the page says" '
		page $cmd | joined >text &&
		grep -q "it exits 128 when its standard output cannot be written" text &&
		test_expect_code 128 manifold $cmd --help >/dev/full 2>err &&
		grep "^fatal: cannot write to standard output" err
	'

	test_expect_success GROFF "$cmd: a wrong number of arguments exits as the page says" '
		page $cmd | exit_items >items &&
		want=$(code_of items "a wrong number of arguments") &&
		test_expect_code "$want" manifold $cmd $(bad_arity $cmd) </dev/null >out 2>err &&
		test ! -s out &&
		test -s err
	'
done

# The commands' own cases that need no registry: the command, its
# arguments, and the words of the EXIT STATUS item that must give the
# code it exits with.  The store holds two lists whose children are not
# stored (so fsck finds problems).
while IFS='|' read -r cmd args phrase; do
	test_expect_success GROFF "$cmd $args: exits as the item \"$phrase\" says" '
		page $cmd | exit_items >items &&
		want=$(code_of items "$phrase") &&
		test_expect_code "$want" manifold $cmd $args </dev/null >out 2>err &&
		{ test "$want" != 0 || test ! -s err; }
	'
done <<-\EOF
	cat-manifest|-e 0000|With -e: the object does not exist
	cat-manifest|0000|The object does not exist (without -e)
	rev-parse|--verify -q example.com/nope|With --verify: the revision does not resolve
	rev-parse|example.com/nope|Without --verify: a revision does not resolve
	show-ref|--exists lists/nope|With --exists: the ref does not exist
	show-ref|--verify lists/nope|with --verify, a ref named does not exist
	reflog|exists example.com/nope|With exists: the ref has no reflog
	reflog|show example.com/nope|With show or expire: there is no reflog
	update-ref|lists/example.com/a 573ca849 d56ac231|a check did not hold
	hash-object|no-such-file|An input could not be read
	fsck||At least one problem was found
	gc|--prune=bogus|An invalid age
	diff|--exit-code example.com/a example.com/b|With --exit-code, the lists differ
	diff|--exit-code example.com/a example.com/a|with --exit-code, the lists are identical
	log|example.com/nosuch|No such manifest
	rm|example.com/nosuch|A list did not exist
	remove|example.com/a linux/riscv64|Nothing was changed: the list or an entry does not exist
	restore|example.com/nosuch@{1}|Nothing was changed: the revision does not resolve
	annotate|example.com/a linux/riscv64|the list or the entry does not exist
	sign|--key no-such.key example.com/a|Also when the key cannot be used
	verify|--key no-such.pub example.com/a|a key cannot be read
	generate-key|--passphrase-file pass taken|A file exists already
	export|-o oci:out example.com/nosuch|A list does not exist
	import|oci:no-such-layout|The layout is malformed
EOF

test_expect_success GROFF 'login: a password over the cap exits as its page says' '
	page login | exit_items >items &&
	want=$(code_of items "the password is longer than 4094 bytes") &&
	printf "%04096d\n" 0 >long &&
	test_expect_code "$want" manifold login -u tester --password-stdin 127.0.0.1:1 <long 2>err &&
	grep "password longer than 4094 bytes" err
'

test_done
