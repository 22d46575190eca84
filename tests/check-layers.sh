#!/bin/bash
# Fails if an object file calls a layer it must not (DESIGN.md "Layers").
#
#   check-layers.sh BUILD_DIR [TREE...]
#
# Reads what the build made, not what the sources include: for every
# product object (BUILD_DIR/CMakeFiles/<target>.dir/<folder>/<file>.o;
# the folder is the layer, manifold.c.o is main) it takes the symbols
# the object defines and the ones it uses (nm), maps each used symbol
# to the layer that defines it, or to the system (libc, LMDB, yajl,
# libcurl, the sanitizer runtimes) when no product object does, and
# checks the pair against the rules below.  Each broken rule is one
# line naming the object, the symbol and the rule; the exit code is 1.
# Exit 2: nothing to read (no build, nm missing or failing).
#
# More TREEs, shaped like a build tree, are read along with BUILD_DIR:
# tests/t/t0006-layers.sh puts deliberate violations there, next to
# the real objects, and checks that each is caught.  Objects of tests/
# (BUILD_DIR/tests/CMakeFiles) are not the product and are not read.
#
# The layers and what each may call (the general rule: nothing calls a
# layer above it; porcelain, plumbing and cli are called only by main):
#
#   main       manifold.c: cli porcelain plumbing engine odb manifest util
#   porcelain  cli engine sign manifest util (the store only through the
#              engine; sign for generate-key, which makes key files)
#   plumbing   cli engine odb manifest util
#   cli        engine odb manifest util; cli/porcelain.c and cli/edit.c
#              are the porcelain's helpers and keep its rule: no odb
#   engine     endpoint odb sign manifest transport util
#   endpoint   odb manifest sign transport util (sign for the cosign
#              tag scheme's tag names and signature manifests)
#   odb        util
#   sign       manifest util (keys, payloads, sign/verify; ECDSA through
#              the module's loader, never the transport's reg_* calls)
#   manifest   util
#   transport  registry/: manifest util
#   util       nothing
#
# and, whoever defines the symbol:
#   - main, cli, porcelain and plumbing never call the transport, nor
#     its loader (util/module.c's mf_module_load*): the engine does;
#   - below the command layer (engine, endpoint, odb, sign, manifest,
#     transport, util) nothing exits (exit, _exit, _Exit, quick_exit),
#     prints (the printf family but snprintf/vsnprintf, puts, fputs,
#     putchar, fputc, putc, perror, fwrite, err/warn) or touches
#     stdout/stderr: it returns an error.  write(2) is allowed (the
#     transport's MANIFOLD_TRACE writes to fd 2);
#   - only odb/ calls LMDB (mdb_*);
#   - only the transport talks to the network (curl_*, SSL_*, sockets);
#   - no two objects call each other (one calls the other, or both call
#     a helper below them).
#
# Exceptions are listed in EXCEPTIONS below, each with its reason.
set -u

if [ $# -lt 1 ]; then
	echo "usage: check-layers.sh BUILD_DIR [TREE...]" >&2
	exit 2
fi
build=$1

nm=nm
if [ -f "$build/CMakeCache.txt" ]; then
	c=$(sed -n 's/^CMAKE_NM:FILEPATH=//p' "$build/CMakeCache.txt")
	[ -n "$c" ] && [ -x "$c" ] && nm=$c
fi
command -v "$nm" >/dev/null 2>&1 || { echo "check-layers: $nm not found" >&2; exit 2; }

# "regex on folder/file.o<TAB>symbol<TAB>reason": a use the rules would
# refuse but that is right where it is.  Keep this list short.
EXCEPTIONS=$(cat <<'EOF'
^registry/cred[^/]*\.o$	_exit	a credential helper's forked child that cannot exec leaves with _exit(2): exit(3) would run the parent's atexit handlers and flush its stdio buffers twice
EOF
)

# The objects of each target: those its build.make links (a file moved
# or deleted leaves its old object behind, which must not be read), or,
# with no build.make (another generator, a probe tree), every one there.
objs=()
for tree in "$@"; do
	if [ ! -d "$tree/CMakeFiles" ]; then
		echo "check-layers: $tree/CMakeFiles is missing (build it first)" >&2
		exit 2
	fi
	for dir in "$tree"/CMakeFiles/*.dir; do
		[ -d "$dir" ] || continue
		if [ -f "$dir/build.make" ]; then
			list=$(awk '/^[^ #]*_OBJECTS = / && !/_EXTERNAL_OBJECTS/ { on = 1 }
				on { for (i = 1; i <= NF; i++) if ($i ~ /^".*\.o"$/) print substr($i, 2, length($i) - 2)
				     if ($NF != "\\") on = 0 }' "$dir/build.make") || exit 2
			while IFS= read -r o; do
				[ -n "$o" ] || continue
				if [ ! -f "$tree/$o" ]; then
					echo "check-layers: $tree/$o is missing (build it first)" >&2
					exit 2
				fi
				objs+=("$tree/$o")
			done <<<"$list"
		else
			while IFS= read -r -d '' o; do
				objs+=("$o")
			done < <(find "$dir" -name '*.o' -print0 | sort -z)
		fi
	done
done
if [ ${#objs[@]} = 0 ]; then
	echo "check-layers: no object files under $* (build it first)" >&2
	exit 2
fi

# nm -P -A: "file: symbol type [value size]", one line per symbol.
syms=$("$nm" -P -A "${objs[@]}") || { echo "check-layers: $nm failed" >&2; exit 2; }

printf '%s\n' "$syms" | EXCEPTIONS=$EXCEPTIONS awk -v nobjs=${#objs[@]} '
function layer_of(rel,   f) {
	if (rel !~ /\//)
		return rel == "manifold.c.o" ? "main" : "?"
	f = rel; sub(/\/.*/, "", f)
	# endpoint/transport.c: the executable side of the transport
	# (each reg_* loads the module and forwards to it).
	if (f == "registry" || rel == "endpoint/transport.c.o")
		return "transport"
	if (f in known)
		return f
	return "?"
}
function is_command(l) {
	return l == "main" || l == "cli" || l == "porcelain" || l == "plumbing"
}
function report(obj, sym, where, rule) {
	if (exempt(obj, sym))
		return
	out[obj ": " sym where ": " rule] = 1
}
function exempt(obj, sym,   i) {
	for (i = 1; i <= nexc; i++)
		if (sym == exc_sym[i] && obj ~ exc_re[i])
			return 1
	return 0
}
BEGIN {
	split("main cli porcelain plumbing engine endpoint odb sign manifest util", k, " ")
	for (i in k) known[k[i]] = 1
	allowed["main"] = " cli porcelain plumbing engine odb manifest util "
	allowed["porcelain"] = " cli engine sign manifest util "
	allowed["plumbing"] = " cli engine odb manifest util "
	allowed["cli"] = " engine odb manifest util "
	allowed["engine"] = " endpoint odb sign manifest transport util "
	allowed["endpoint"] = " odb manifest sign transport util "
	allowed["odb"] = " util "
	allowed["sign"] = " manifest util "
	allowed["manifest"] = " util "
	allowed["transport"] = " manifest util "
	allowed["util"] = " "
	# Folder/file of the porcelain: its own and its helpers in cli/.
	porc_helper["cli/porcelain.c.o"] = 1
	porc_helper["cli/edit.c.o"] = 1
	loader["mf_module_load"] = 1
	loader["mf_module_loaded"] = 1
	split("exit _exit _Exit quick_exit", k, " ")
	for (i in k) exits[k[i]] = 1
	split("printf fprintf vprintf vfprintf dprintf vdprintf puts fputs putchar " \
	    "fputc putc perror fwrite err errx verr verrx warn warnx vwarn vwarnx " \
	    "psignal psiginfo stdout stderr", k, " ")
	for (i in k) prints[k[i]] = 1
	# From the environment: awk -v would read the backslashes as escapes.
	nexc = split(ENVIRON["EXCEPTIONS"], lines, "\n")
	for (i = 1; i <= nexc; i++) {
		split(lines[i], f, "\t")
		exc_re[i] = f[1]; exc_sym[i] = f[2]
	}
}
{
	file = $1; sub(/:$/, "", file)
	rel = file; sub(/.*\/CMakeFiles\/[^\/]*\.dir\//, "", rel)
	sym = $2; type = $3
	seen[file] = rel
	if (type == "U" || type == "w" || type == "v") {
		nu++
		use[nu] = rel; usesym[nu] = sym
	} else if (type ~ /^[TDBRCVWGSiu]$/) {
		l = layer_of(rel)
		if (index(" " def[sym] " ", " " l " ") == 0)
			def[sym] = def[sym] (def[sym] == "" ? "" : " ") l
		if (!(sym in defobj))
			defobj[sym] = rel
	}
}
END {
	n = 0
	for (sf in seen) {
		n++
		if (layer_of(seen[sf]) == "?")
			out[seen[sf] ": is in no layer this check knows: add its folder to tests/check-layers.sh"] = 1
	}
	if (n < nobjs || nu == 0) {
		printf "check-layers: read symbols of %d of %d objects (nm output changed?)\n", n, nobjs > "/dev/stderr"
		exit 2
	}
	for (i = 1; i <= nu; i++) {
		obj = use[i]; sym = usesym[i]; l = layer_of(obj)
		if (l == "?")
			continue
		if (sym in def) {
			nd = split(def[sym], ds, " ")
			where = " (" defobj[sym] ")"
			# One symbol per pair of objects, the first nm lists.
			if (defobj[sym] != obj && !((obj SUBSEP defobj[sym]) in calls))
				calls[obj SUBSEP defobj[sym]] = sym
			for (j = 1; j <= nd; j++) {
				d = ds[j]
				if (d == l)
					continue
				if (is_command(l) && d == "transport")
					report(obj, sym, where, "a command reaches the transport only through the engine")
				else if ((l == "porcelain" || obj in porc_helper) && d == "odb")
					report(obj, sym, where, "porcelain reaches the store only through the engine (plumbing and cli/store.c may use it)")
				else if (l == "transport" && (d == "odb" || d == "engine" || d == "endpoint"))
					report(obj, sym, where, "the transport never sees the store, the engine or the endpoints")
				else if (l == "manifest" && (d == "odb" || d == "transport"))
					report(obj, sym, where, "manifest/ sees neither the store nor the network")
				else if (index(allowed[l], " " d " ") == 0)
					report(obj, sym, where, l " must not call " d " (a layer calls only those below it; " l " may call:" allowed[l] ")")
			}
			if (is_command(l) && sym in loader)
				report(obj, sym, where, "a command reaches the transport (and its loader) only through the engine")
			continue
		}
		# The system.  _FORTIFY_SOURCE renames printf to __printf_chk,
		# and so on: those count too.
		base = sym
		sub(/^__/, "", base); sub(/_chk$/, "", base); sub(/_unlocked$/, "", base)
		sub(/^_IO_/, "", base)
		if (!is_command(l) && (sym in exits || base in exits))
			report(obj, sym, "", "nothing below the command layer exits: return an error")
		else if (!is_command(l) && (sym in prints || base in prints))
			report(obj, sym, "", "nothing below the command layer prints or touches stdout/stderr: return an error (snprintf into a buffer is fine)")
		else if (l != "odb" && sym ~ /^mdb_/)
			report(obj, sym, "", "only odb/ calls LMDB")
		else if (l != "transport" && (sym ~ /^(curl|SSL|TLS)_/ || \
		    sym ~ /^(socket|connect|bind|listen|accept4?|getaddrinfo|gethostbyname2?|send|sendto|sendmsg|recv|recvfrom|recvmsg)$/))
			report(obj, sym, "", "only the transport talks to the network")
	}
	for (ab in calls) {
		split(ab, p, SUBSEP)
		if (p[1] < p[2] && ((p[2] SUBSEP p[1]) in calls))
			out[p[1] " and " p[2] " call each other (" calls[ab] ", " \
			    calls[p[2] SUBSEP p[1]] "): one calls the other, or both a helper below them"] = 1
	}
	bad = 0
	for (m in out) {
		print "check-layers: " m | "sort >&2"
		bad = 1
	}
	close("sort >&2")
	if (!bad)
		printf "check-layers: layering ok (%d objects)\n", n
	exit bad
}'
