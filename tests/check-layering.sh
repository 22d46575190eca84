#!/bin/sh
# Fails if a layer includes a header from a layer above it (DESIGN.md):
# porcelain -> plumbing -> {odb, registry, manifest} -> util.
top=${1:-.}
cd "$top" || exit 2
bad=0
check() {
	dir=$1; shift
	[ -d "$dir" ] || return 0
	for forbidden in "$@"; do
		if grep -rn "#include \"$forbidden/" "$dir" --include='*.[ch]'; then
			echo "layering: $dir/ must not include $forbidden/ headers" >&2
			bad=1
		fi
	done
}
check util odb manifest registry plumbing porcelain
check manifest odb registry plumbing porcelain
check odb manifest registry plumbing porcelain
check registry odb plumbing porcelain
check plumbing porcelain
check porcelain odb registry
if [ $bad = 0 ]; then echo "layering ok"; fi
exit $bad
