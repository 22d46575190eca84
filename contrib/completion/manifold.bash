# bash completion for manifold(1)                          -*- shell-script -*-
#
# Install as <datadir>/bash-completion/completions/manifold (CMake does),
# or source it from ~/.bashrc.  It needs nothing from the bash-completion
# package.
#
# Commands and options mirror the command table in manifold.c and the
# option table at the top of each plumbing/<command>.c and
# porcelain/<command>.c;
# tests/t/t0001-docs-and-completion.sh checks that they agree with
# `manifold <command> --help`.  Ref names are read from
# `manifold show-ref` and `manifold reflog list`, run against the store
# given with --store or -C earlier on the line, and only when manifold is
# on PATH.  Registry names (login, logout) are the keys of "auths" in
# docker's config.json ($DOCKER_CONFIG, else ~/.docker), read with grep.
# Where a registry reference is taken, an OCI image layout is too: its
# prefixes (oci:, oci-layout://, ocidir://), then directory names, then
# after "DIR:" the layout's tags (`manifold ls-remote --tags-only`).

_manifold_commands="annotate cat-manifest create diff export fetch fetch-manifest fsck gc generate-key hash-object import inspect log login logout ls ls-remote pull push reflog remove restore rev-parse rm show-ref sign update-ref verify"

_manifold_platforms="linux/amd64 linux/arm64 linux/arm/v7 linux/arm/v6 linux/386 linux/ppc64le linux/s390x linux/riscv64 windows/amd64"

_manifold_media_types="application/vnd.oci.image.manifest.v1+json
application/vnd.oci.image.index.v1+json
application/vnd.oci.image.config.v1+json
application/vnd.oci.empty.v1+json
application/vnd.oci.image.layer.v1.tar
application/vnd.oci.image.layer.v1.tar+gzip
application/vnd.oci.image.layer.v1.tar+zstd
application/vnd.docker.distribution.manifest.v2+json
application/vnd.docker.distribution.manifest.list.v2+json
application/vnd.docker.container.image.v1+json
application/vnd.docker.plugin.v1+json
application/vnd.docker.image.rootfs.diff.tar.gzip
application/vnd.docker.image.rootfs.foreign.diff.tar.gzip
application/vnd.in-toto+json
application/octet-stream"

# What --referrers selects: "signature" (the cosign tag scheme), or an
# artifactType.
_manifold_referrer_types="signature
application/spdx+json
application/vnd.cyclonedx+json
application/vnd.in-toto+json
application/vnd.dev.sigstore.bundle.v0.3+json"

# The options of a command.  A long option that takes a value ends in '='
# (rev-parse's --short takes one only as --short=<n>).
_manifold_options()
{
	case $1 in
	annotate)	echo "--arch= --os= --os-version= --os-features= --variant= --features= --annotation= --index" ;;
	create)		echo "-a --amend --insecure --no-referrers --referrers= -j --jobs= --format= --platform= --annotation= --metadata-file= --digestfile=" ;;
	diff)		echo "--format= --exit-code --insecure" ;;
	export)		echo "-o --output= --history --insecure -q --quiet -j --jobs= --no-referrers --referrers= --format=" ;;
	fetch)		echo "-f --force --insecure --platform= --no-referrers --referrers= -q --quiet" ;;
	pull)		echo "--insecure --ours --theirs --no-referrers --referrers= -q --quiet" ;;
	import)		echo "-f --force --no-referrers --referrers= -j --jobs= -q --quiet" ;;
	inspect)	echo "--insecure -v --verbose --raw --format=" ;;
	log)		echo "-n --max-count= --oneline -p --patch --format=" ;;
	ls)		echo "--format= -q --quiet --no-trunc" ;;
	push)		echo "--insecure -p --purge --dry-run -f --force --force-with-lease --merge -q --quiet -j --jobs= --no-referrers --referrers= --format= --metadata-file= --digestfile=" ;;
	sign)		echo "--key= --passphrase-file= --identity= --no-children -q --quiet" ;;
	verify)		echo "--key= --identity= --match= --no-children -r --remote --insecure --format=" ;;
	remove | restore | rm) ;;
	cat-manifest)	echo "-t -s -e -p --batch --batch-check --batch-all-objects" ;;
	fetch-manifest)	echo "--platform= -r --recursive --insecure" ;;
	fsck)		echo "-v --verbose --full" ;;
	gc)		echo "--prune= -n --dry-run -q --quiet" ;;
	generate-key)	echo "--type= --passphrase-file=" ;;
	hash-object)	echo "-w --write -t --type= --stdin --stdin-paths --batch --literally --algorithm=" ;;
	login)		echo "-u --username= --password-stdin --insecure --authfile=" ;;
	logout)		echo "--authfile=" ;;
	ls-remote)	echo "--tags-only --exit-code --insecure --format=" ;;
	reflog)		echo "-n --max-count= --no-abbrev --date= --oldest-first --expire= --dry-run -v --verbose --all" ;;
	rev-parse)	echo "--verify -q --quiet --short --symbolic-full-name" ;;
	show-ref)	echo "-s --hash --verify --exists -q --quiet --prefix=" ;;
	update-ref)	echo "-m -d --stdin -z" ;;
	esac
}

# Whether option $2 of command $1 takes a value (in the next word when
# it is not attached).
_manifold_takes_value()
{
	case $1:$2 in
	annotate:--arch|annotate:--os|annotate:--os-version|annotate:--os-features) return 0 ;;
	annotate:--variant|annotate:--features|annotate:--annotation) return 0 ;;
	create:--format|create:--platform|create:--annotation) return 0 ;;
	diff:--format|fetch:--platform|inspect:--format|ls:--format) return 0 ;;
	log:--format|ls-remote:--format) return 0 ;;
	log:-n|log:--max-count) return 0 ;;
	push:-j|push:--jobs|push:--format|export:--format) return 0 ;;
	export:-o|export:--output|export:-j|export:--jobs) return 0 ;;
	import:-j|import:--jobs) return 0 ;;
	hash-object:-t|hash-object:--type|hash-object:--algorithm) return 0 ;;
	fetch-manifest:--platform) return 0 ;;
	login:-u|login:--username|login:--authfile|logout:--authfile) return 0 ;;
	reflog:-n|reflog:--max-count|reflog:--date|reflog:--expire) return 0 ;;
	gc:--prune) return 0 ;;
	generate-key:--type|generate-key:--passphrase-file) return 0 ;;
	show-ref:--prefix) return 0 ;;
	create:--referrers|fetch:--referrers|push:--referrers) return 0 ;;
	create:--metadata-file|create:--digestfile) return 0 ;;
	push:--metadata-file|push:--digestfile) return 0 ;;
	export:--referrers|import:--referrers) return 0 ;;
	sign:--key|sign:--passphrase-file|sign:--identity) return 0 ;;
	verify:--key|verify:--identity|verify:--match|verify:--format) return 0 ;;
	update-ref:-m) return 0 ;;
	esac
	return 1
}

# The values an option takes, if they can be listed.
_manifold_option_values()
{
	case $1:$2 in
	annotate:--arch) echo "386 amd64 arm arm64 ppc64le riscv64 s390x mips64 mips64le" ;;
	annotate:--os) echo "linux windows darwin freebsd netbsd openbsd plan9 solaris dragonfly" ;;
	annotate:--variant) echo "v5 v6 v7 v8" ;;
	create:--format) echo "docker oci" ;;
	push:--format | export:--format) echo "keep oci" ;;
	create:--platform | fetch:--platform) echo "$_manifold_platforms" ;;
	diff:--format) echo "text json" ;;
	inspect:--format) echo "json table" ;;
	ls:--format) echo "table json" ;;
	hash-object:-t|hash-object:--type) echo "$_manifold_media_types" ;;
	hash-object:--algorithm) echo "sha256 sha512" ;;
	generate-key:--type) echo "ecdsa-p256 ed25519" ;;
	fetch-manifest:--platform) echo "$_manifold_platforms" ;;
	reflog:--date) echo "iso raw unix" ;;
	show-ref:--prefix) echo "lists/ remotes/" ;;
	create:--referrers|fetch:--referrers|push:--referrers) echo "$_manifold_referrer_types" ;;
	export:--referrers|import:--referrers) echo "$_manifold_referrer_types" ;;
	verify:--match) echo "repo-digest-or-exact exact repository" ;;
	verify:--format) echo "text json" ;;
	esac
}

# Ref names from the store; with "reflog", also those with only a reflog.
_manifold_refs()
{
	local bin
	bin=$(type -P manifold) || return 0
	local -a store=()
	[[ -n $_manifold_store ]] && store=(--store "$_manifold_store")
	"$bin" ${store[@]+"${store[@]}"} show-ref 2>/dev/null |
		while read -r _ name; do printf '%s\n' "$name"; done
	if [[ $1 == reflog ]]; then
		"$bin" ${store[@]+"${store[@]}"} reflog list 2>/dev/null
	fi
}

# Local list names (lists/ refs without the prefix), as the porcelain
# takes them.
_manifold_lists()
{
	_manifold_refs | while IFS= read -r r; do
		[[ $r == lists/* ]] && printf '%s\n' "${r#lists/}"
	done
}

# The registries docker's config.json has credentials for: the keys of
# its "auths" object, as host[:port] (docker's ConvertToHostname; Docker
# Hub's "https://index.docker.io/v1/" is docker.io).  grep cuts the JSON
# into strings, braces, brackets and colons; the loop keeps track of the
# depth, so that only the keys directly inside the top-level "auths"
# count.  No jq needed.
_manifold_registries()
{
	local cfg=${DOCKER_CONFIG:-$HOME/.docker}/config.json
	[[ -r $cfg ]] || return 0
	local tok prev= depth=0 auths=0 pending=0 key
	while IFS= read -r tok; do
		case $tok in
		'{' | '[')
			((depth++))
			if ((pending && depth == 2)) && [[ $tok == '{' ]]; then
				auths=1
			fi
			pending=0
			;;
		'}' | ']')
			((depth == 2)) && auths=0
			((depth--))
			pending=0
			;;
		:)
			if [[ $prev == \"* ]]; then
				key=${prev:1:${#prev}-2}
				if ((depth == 1)); then
					[[ $key == auths ]] && pending=1
				elif ((auths && depth == 2)); then
					key=${key#http://}
					key=${key#https://}
					key=${key%%/*}
					[[ $key == index.docker.io ]] && key=docker.io
					[[ -n $key ]] && printf '%s\n' "$key"
				fi
			fi
			;;
		*) pending=0 ;;
		esac
		prev=$tok
	done < <(grep -oE '"([^"\\]|\\.)*"|[][{}:]' "$cfg" 2>/dev/null)
}

# COMPREPLY = the words of the list "$1" (separated by newlines or
# spaces) that start with "$2", each with "$3" in front.
_manifold_add()
{
	local w
	local IFS=$' \t\n'
	for w in $1; do
		[[ $3$w == "$2"* ]] && COMPREPLY+=("$3$w")
	done
}

_manifold_add_lines()
{
	local w
	local -A seen=()
	while IFS= read -r w; do
		[[ -n $w && -z ${seen[$w]-} && $3$w == "$2"* ]] || continue
		seen[$w]=1
		COMPREPLY+=("$3$w")
	done <<<"$1"
}

# OCI image layouts, for the word "$1": a prefix; after one, the
# directories; after "PREFIX DIR:", unless $2 is "notags", the tags
# of the layout in DIR.
_manifold_layout_prefixes="oci: oci-layout:// ocidir://"

_manifold_layouts()
{
	local p rest dir d bin
	for p in $_manifold_layout_prefixes; do
		[[ $1 == "$p"* ]] || continue
		rest=${1#"$p"}
		if [[ $rest != *:* ]]; then
			while IFS= read -r d; do
				COMPREPLY+=("$p$d/")
			done < <(compgen -d -- "$rest")
			return 0
		fi
		[[ ${2-} == notags ]] && return 0
		bin=$(type -P manifold) || return 0
		dir=${rest%%:*}
		_manifold_add_lines "$("$bin" ls-remote --tags-only "$p$dir" 2>/dev/null)" \
			"$1" "$p$dir:"
		return 0
	done
	_manifold_add "$_manifold_layout_prefixes" "$1" ""
}

_manifold_files()
{
	local f
	compopt -o filenames 2>/dev/null
	while IFS= read -r f; do
		COMPREPLY+=("${2-}$f")
	done < <(compgen -f -- "$1")
}

# Directories, and the files in them whose names end in "$3" (a key:
# .key to sign with, .pub to verify with).
_manifold_files_ending()
{
	local f
	compopt -o filenames 2>/dev/null
	while IFS= read -r f; do
		[[ -d $f || $f == *"$3" ]] && COMPREPLY+=("$2$f")
	done < <(compgen -f -- "$1")
}

_manifold_dirs()
{
	local f
	compopt -o filenames 2>/dev/null
	while IFS= read -r f; do
		COMPREPLY+=("$2$f")
	done < <(compgen -d -- "$1")
}

_manifold()
{
	local -a words=()
	local cword cur prev from_line=
	COMPREPLY=()

	# Split the line up to the cursor on blanks only, so that ':' and '='
	# (in COMP_WORDBREAKS by default) stay inside ref names and
	# --opt=value words.  Without COMP_LINE, use COMP_WORDS as they are.
	if [[ -n ${COMP_LINE-} && -n ${COMP_POINT-} ]]; then
		local line=${COMP_LINE:0:COMP_POINT}
		read -r -a words <<<"$line"
		if [[ ${#words[@]} -eq 0 || $line == *[[:blank:]] ]]; then
			words+=("")
		fi
		cword=$((${#words[@]} - 1))
		from_line=1
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi
	cur=${words[cword]}
	prev=
	((cword > 0)) && prev=${words[cword - 1]}

	# Global options, up to the command name.
	local _manifold_store= cmd= i=1 w
	while ((i < cword)); do
		w=${words[i]}
		case $w in
		--store | -C)
			if [[ ${words[i + 1]-} == = ]]; then
				_manifold_store=${words[i + 2]-}
				((i += 3))
			else
				_manifold_store=${words[i + 1]-}
				((i += 2))
			fi
			continue
			;;
		--store=*) _manifold_store=${w#--store=} ;;
		-*) ;;
		*)
			cmd=$w
			break
			;;
		esac
		((i++))
	done
	if [[ $_manifold_store == "~" || $_manifold_store == "~/"* ]]; then
		_manifold_store=$HOME${_manifold_store#"~"}
	fi

	if [[ -z $cmd ]]; then
		if [[ $prev == --store || $prev == -C ]] ||
			[[ $prev == = && ${words[cword - 2]-} == --store ]]; then
			_manifold_dirs "$cur" ""
		elif [[ $cur == --store=* ]]; then
			_manifold_dirs "${cur#--store=}" "--store="
		elif [[ $cur == -* ]]; then
			_manifold_add "--store= -C --debug --version -v --help -h" "$cur" ""
		else
			_manifold_add "$_manifold_commands help" "$cur" ""
		fi
		_manifold_finish
		return 0
	fi

	local cmd_i=$i
	if [[ $cmd == help ]]; then
		((cword == cmd_i + 1)) && _manifold_add "$_manifold_commands" "$cur" ""
		_manifold_finish
		return 0
	fi

	# The value of an option: --opt=value, --opt = value (COMP_WORDS
	# split at '='), or --opt value.
	local opt= val= pfx=
	if [[ $cur == --*=* ]]; then
		opt=${cur%%=*} val=${cur#*=} pfx=$opt=
	elif [[ $prev == = && ${words[cword - 2]-} == --* ]]; then
		opt=${words[cword - 2]} val=$cur
	elif [[ $prev == -* ]] && _manifold_takes_value "$cmd" "$prev"; then
		opt=$prev val=$cur
	fi
	if [[ -n $opt && ($opt == --authfile || $opt == --passphrase-file ||
		$opt == --metadata-file || $opt == --digestfile) ]]; then
		_manifold_files "$val" "$pfx"
		_manifold_finish
		return 0
	fi
	if [[ $opt == --key && ($cmd == sign || $cmd == verify) ]]; then
		local ext=.key
		[[ $cmd == verify ]] && ext=.pub
		_manifold_files_ending "$val" "$pfx" "$ext"
		_manifold_finish
		return 0
	fi
	if [[ -n $opt ]]; then
		_manifold_add "$(_manifold_option_values "$cmd" "$opt")" "$cur" "$pfx"
		[[ $opt == --prefix ]] && compopt -o nospace 2>/dev/null
		_manifold_finish
		return 0
	fi

	if [[ $cur == -* ]]; then
		_manifold_add "$(_manifold_options "$cmd")" "$cur" ""
		_manifold_finish
		return 0
	fi

	# Positional arguments given so far, and options that change them.
	local -a args=()
	local batch=
	for ((i = cmd_i + 1; i < cword; i++)); do
		w=${words[i]}
		case $cmd:$w in
		hash-object:--stdin-paths | hash-object:--batch | \
		cat-manifest:--batch | cat-manifest:--batch-check | \
		update-ref:--stdin)
			batch=1
			;;
		*:-*)
			if _manifold_takes_value "$cmd" "$w"; then
				[[ ${words[i + 1]-} == = ]] && ((i++))
				((i++))
			fi
			;;
		*) args+=("$w") ;;
		esac
	done

	case $cmd in
	annotate | remove)
		if ((${#args[@]} == 0)); then
			_manifold_add_lines "$(_manifold_lists)" "$cur" ""
		else
			_manifold_add "$_manifold_platforms" "$cur" ""
		fi
		;;
	rm | log | ls | restore | export | sign)
		_manifold_add_lines "$(_manifold_lists)" "$cur" ""
		;;
	push | create)
		if ((${#args[@]} == 0)); then
			_manifold_add_lines "$(_manifold_lists)" "$cur" ""
		else
			_manifold_layouts "$cur"
		fi
		;;
	inspect | verify)
		_manifold_add_lines "$(_manifold_lists)" "$cur" ""
		((${#args[@]} == 0)) && _manifold_layouts "$cur"
		;;
	diff)
		_manifold_add_lines "$(_manifold_lists)" "$cur" ""
		;;
	pull)
		((${#args[@]} == 0)) && _manifold_add_lines "$(_manifold_lists)" "$cur" ""
		((${#args[@]} == 1)) && _manifold_add_lines "$(_manifold_lists)" "$cur" ""
		;;
	fetch)
		((${#args[@]} == 0)) && _manifold_layouts "$cur"
		((${#args[@]} == 1)) && _manifold_add_lines "$(_manifold_lists)" "$cur" ""
		;;
	ls-remote)
		((${#args[@]} == 0)) && _manifold_layouts "$cur" notags
		;;
	hash-object)
		[[ -z $batch ]] && _manifold_files "$cur"
		;;
	cat-manifest)
		[[ -z $batch && ${#args[@]} -eq 0 ]] &&
			_manifold_add_lines "$(_manifold_refs)" "$cur" ""
		;;
	reflog)
		if ((${#args[@]} == 0)); then
			_manifold_add "show list exists expire" "$cur" ""
			_manifold_add_lines "$(_manifold_refs reflog)" "$cur" ""
		elif [[ ${args[0]} == expire ]] ||
			{ ((${#args[@]} == 1)) && [[ ${args[0]} == show || ${args[0]} == exists ]]; }; then
			_manifold_add_lines "$(_manifold_refs reflog)" "$cur" ""
		fi
		;;
	rev-parse | show-ref)
		_manifold_add_lines "$(_manifold_refs)" "$cur" ""
		;;
	update-ref)
		[[ -z $batch && ${#args[@]} -lt 3 ]] &&
			_manifold_add_lines "$(_manifold_refs)" "$cur" ""
		;;
	login | logout)
		((${#args[@]} == 0)) &&
			_manifold_add_lines "$(_manifold_registries)" "$cur" ""
		;;
	esac
	_manifold_finish
	return 0
}

# When the words came from COMP_LINE, readline still replaces only the
# part of the word after its last COMP_WORDBREAKS character (':' or '='
# usually): strip what comes before from the candidates.
_manifold_finish()
{
	# A lone "--option=", layout prefix or directory waits for the rest.
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[=:/] ]]; then
		compopt -o nospace 2>/dev/null
	fi
	[[ -n $from_line && ${#COMPREPLY[@]} -gt 0 ]] || return 0
	local i c pfx=
	for ((i = ${#cur} - 1; i >= 0; i--)); do
		c=${cur:i:1}
		if [[ $c != [[:blank:]] && ${COMP_WORDBREAKS-} == *"$c"* ]]; then
			pfx=${cur:0:i+1}
			break
		fi
	done
	[[ -n $pfx ]] || return 0
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=${COMPREPLY[i]#"$pfx"}
	done
}

complete -F _manifold manifold
