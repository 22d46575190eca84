#!/bin/sh
#
# t0001: the manual pages and the shell completions agree with the
# commands.  For every command that `manifold --help` lists there must be
# a Documentation/manifold-<cmd>.1 that renders without warnings, whose
# SYNOPSIS holds each usage line of `manifold <cmd> --help` and whose
# OPTIONS section documents each of its options and no other; the bash
# and zsh completions must offer the command and each of its long
# options.

. ./test-lib.sh

SRC=$MANIFOLD_SOURCE_DIR
DOC=$SRC/Documentation
BASH_COMP=$SRC/contrib/completion/manifold.bash
ZSH_COMP=$SRC/contrib/completion/_manifold

# The command names listed under "Commands:" by `manifold --help`.
list_commands() {
	manifold --help | sed -n '/^Commands:$/,/^$/s/^   \([a-z][a-z0-9-]*\)  *.*/\1/p'
}

# The usage lines of `manifold $1 --help`, without "usage: "/"   or: ".
usage_lines() {
	manifold "$1" --help | sed -n -e 's/^usage: //p' -e 's/^   or: //p' -e 's/^Usage:  //p'
}

# The options listed by `manifold $1 --help` (the lines after the usage).
help_long_options() {
	manifold "$1" --help | sed -n '/^$/,$p' |
		grep -oE '^ +(-[a-zA-Z0-9], )?--[a-z0-9][a-z0-9-]*' | sed 's/.*--/--/'
}
help_short_options() {
	manifold "$1" --help | sed -n '/^$/,$p' |
		grep -oE '^ +-[a-zA-Z0-9]' | sed 's/^ *//'
}

# A man page as plain ASCII text, with lines long enough that no
# no-fill line is broken.
render() {
	groff -man -Tascii -P-cbou -rLL=400n "$1" 2>/dev/null
}

# The body of section $1 of the rendered page on stdin.
section() {
	awk -v s="$1" '/^[A-Z]/ { on = ($0 == s); next } on'
}

# grep for option $1 as a whole word (so --stdin does not match
# --stdin-paths) in files $2...
has_option() {
	opt=$1
	shift
	grep -qE -e "(^|[^a-zA-Z0-9-])$opt([^a-zA-Z0-9-]|\$)" "$@"
}

# The candidates bash completion offers for the command line $1 (the
# cursor at its end), one per line.
bash_complete() {
	"${BASH:-bash}" -c '
		. "$1" || exit 1
		COMP_LINE=$2
		COMP_POINT=${#2}
		read -r -a COMP_WORDS <<<"$2"
		case $2 in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_manifold || exit 1
		for c in "${COMPREPLY[@]}"; do printf "%s\n" "$c"; done
	' bash_complete "$BASH_COMP" "$1"
}

# The zsh function that completes command $1.
zsh_function() {
	fn=_manifold_cmd_$(printf '%s' "$1" | tr - _)
	sed -n "/^$fn() {/,/^}/p" "$ZSH_COMP"
}

commands=$(list_commands)

test_expect_success 'manifold --help lists commands on stdout and exits 0' '
	manifold --help >out 2>err &&
	test ! -s err &&
	list_commands >cmds &&
	test -s cmds
'

test_expect_success 'the bash completion is valid shell' '
	bash -n "$BASH_COMP"
'

test_expect_success ZSH 'the zsh completion is valid zsh' '
	zsh -n "$ZSH_COMP"
'

test_expect_success GROFF 'manifold.1 renders without warnings' '
	groff -man -Tutf8 -ww -z "$DOC/manifold.1" 2>warnings &&
	{ test ! -s warnings || { cat warnings; false; }; }
'

test_expect_success GROFF 'manifold.1 has the main usage line and names every command' '
	render "$DOC/manifold.1" >page &&
	section SYNOPSIS <page | sed "s/^ *//" >synopsis &&
	manifold --help | sed -n "s/^usage: //p" >usage &&
	test -s usage &&
	grep -Fx -f usage synopsis &&
	for cmd in $commands; do
		section COMMANDS <page | grep -F "manifold-$cmd(1)" &&
		section "SEE ALSO" <page | grep -F "manifold-$cmd(1)" ||
		{ echo "manifold.1 does not list $cmd"; exit 1; }
	done
'

for cmd in $commands; do
	page=$DOC/manifold-$cmd.1

	test_expect_success "$cmd: --help prints usage on stdout and exits 0" '
		manifold $cmd --help >out 2>err &&
		test ! -s err &&
		head -n 1 out | grep "^[Uu]sage: \{1,2\}manifold $cmd" &&
		manifold help $cmd >help-out 2>err &&
		test ! -s err &&
		test_cmp out help-out
	'

	test_expect_success "$cmd: has a man page" '
		test -f "$page"
	'

	test_expect_success GROFF "$cmd: man page renders without warnings" '
		groff -man -Tutf8 -ww -z "$page" 2>warnings &&
		{ test ! -s warnings || { cat warnings; false; }; }
	'

	test_expect_success GROFF "$cmd: man page has the standard sections" '
		render "$page" >page.txt &&
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS" "SEE ALSO"; do
			grep -qx "$s" page.txt || { echo "no section $s"; exit 1; }
		done &&
		section NAME <page.txt | grep "manifold-$cmd - "
	'

	test_expect_success GROFF "$cmd: SYNOPSIS has every usage line of --help" '
		render "$page" | section SYNOPSIS | sed "s/^ *//" >synopsis &&
		usage_lines $cmd >usage &&
		test -s usage &&
		while IFS= read -r u; do
			grep -Fx -e "$u" synopsis >/dev/null ||
			{ echo "not in the SYNOPSIS of $page: $u"; cat synopsis; exit 1; }
		done <usage
	'

	test_expect_success GROFF "$cmd: OPTIONS documents every option of --help" '
		render "$page" | section OPTIONS >options &&
		for o in $(help_long_options $cmd) $(help_short_options $cmd); do
			has_option "$o" options ||
			{ echo "$o is not documented in $page"; exit 1; }
		done
	'

	test_expect_success GROFF "$cmd: OPTIONS documents no option --help lacks" '
		{ help_long_options $cmd && help_short_options $cmd; } >known &&
		render "$page" | section OPTIONS |
			sed -n -E "s/^ {7}(-.*)/\1/p" | sed -E "s/ {2,}.*//" |
			grep -oE "(^|[ ,])--?[a-zA-Z0-9][a-zA-Z0-9-]*" |
			sed "s/^[ ,]//" | sort -u >documented &&
		while IFS= read -r o; do
			grep -qx -e "$o" known ||
			{ echo "$page documents $o, which --help does not list"; exit 1; }
		done <documented
	'

	test_expect_success "$cmd: bash completion offers every option" '
		bash_complete "manifold $cmd -" >offered &&
		for o in $(help_long_options $cmd) $(help_short_options $cmd); do
			grep -qx -e "$o" -e "$o=" offered ||
			{ echo "bash completion does not offer $o"; cat offered; exit 1; }
		done
	'

	test_expect_success "$cmd: bash completion offers every long option after --" '
		bash_complete "manifold $cmd --" >offered &&
		for o in $(help_long_options $cmd); do
			grep -qx -e "$o" -e "$o=" offered ||
			{ echo "bash completion does not offer $o"; cat offered; exit 1; }
		done
	'

	test_expect_success "$cmd: zsh completion knows the command and its options" '
		grep -qE "[\"'\'']$cmd:" "$ZSH_COMP" &&
		zsh_function $cmd >fn &&
		test -s fn &&
		for o in $(help_long_options $cmd) $(help_short_options $cmd); do
			has_option "$o" fn ||
			{ echo "_manifold does not complete $cmd $o"; exit 1; }
		done
	'
done

test_expect_success 'bash completion offers every command (and help) and nothing else' '
	bash_complete "manifold " >offered &&
	{ echo "$commands" && echo help; } | sort >expect &&
	sort offered >actual &&
	test_cmp expect actual
'

test_expect_success 'bash completion offers every hash-object long option' '
	bash_complete "manifold hash-object --" | sed "s/=\$//" | sort >actual &&
	help_long_options hash-object | sort >expect &&
	test_cmp expect actual
'

test_expect_success 'bash completion offers global options' '
	bash_complete "manifold --" >offered &&
	grep -qx -e "--store=" offered &&
	grep -qx -e "--version" offered &&
	grep -qx -e "--help" offered
'

test_expect_success 'bash completion offers media types for -t and files for hash-object' '
	bash_complete "manifold hash-object -t application/vnd.oci.image.ind" >offered &&
	echo "application/vnd.oci.image.index.v1+json" >expect &&
	test_cmp expect offered &&
	: >some-file.json &&
	bash_complete "manifold hash-object some-f" >offered &&
	echo some-file.json >expect &&
	test_cmp expect offered
'

test_expect_success 'bash completion offers the reflog sub-commands' '
	bash_complete "manifold reflog " >offered &&
	grep -qx show offered &&
	grep -qx list offered &&
	grep -qx exists offered
'

test_expect_success 'bash completion offers ref names from the store named by --store' '
	id=$(printf x | manifold --store other hash-object -w --literally --stdin) &&
	manifold --store other update-ref lists/example.com/app:v1 "$id" &&
	manifold --store other update-ref remotes/example.com/app:v1 "$id" &&
	manifold --store other update-ref lists/example.com/gone:v1 "$id" &&
	manifold --store other update-ref -d lists/example.com/gone:v1 &&
	bash_complete "manifold --store other show-ref " | sort >actual &&
	printf "%s\n" lists/example.com/app:v1 remotes/example.com/app:v1 >expect &&
	test_cmp expect actual &&
	bash_complete "manifold -C other reflog show lists/" | sort >actual &&
	printf "%s\n" lists/example.com/app:v1 lists/example.com/gone:v1 >expect &&
	test_cmp expect actual &&
	bash_complete "manifold show-ref " >actual &&
	test ! -s actual
'

test_expect_success 'bash completion of a ref name after a colon completes the rest' '
	MANIFOLD_DIR=$TRASH/colon && export MANIFOLD_DIR &&
	id=$(printf x | manifold hash-object -w --literally --stdin) &&
	manifold update-ref lists/example.com/app:v1 "$id" &&
	bash_complete "manifold rev-parse lists/example.com/app:" >actual &&
	echo v1 >expect &&
	test_cmp expect actual
'

test_expect_success 'bash completion does not run manifold when it is not on PATH' '
	MANIFOLD_DIR=$TRASH/nopath && export MANIFOLD_DIR &&
	id=$(printf x | manifold hash-object -w --literally --stdin) &&
	manifold update-ref lists/x "$id" &&
	bash_complete "manifold show-ref " >actual &&
	echo lists/x >expect &&
	test_cmp expect actual &&
	(PATH=/nonexistent && export PATH && bash_complete "manifold reflog ") >actual 2>err &&
	printf "%s\n" show list exists expire >expect &&
	test_cmp expect actual &&
	test ! -s err
'

test_done
