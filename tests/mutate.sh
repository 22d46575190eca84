#!/bin/bash
#
# tests/mutate.sh: the mutation check.  Does the suite notice when a rule
# that matters breaks?
#
# Each mutant in tests/mutants.txt is one deliberate fault in the product
# (a compare-and-swap that no longer compares, a digest left unchecked,
# credentials sent to another host, ...).  For each, one at a time, this
# script applies the fault to a scratch copy of the source tree, rebuilds
# it, and runs the tests named for that mutant (a ctest -R regex).  A
# mutant is KILLED when some test fails (or the run hangs past the
# timeout); it SURVIVED when they all pass: then a test is missing, and
# the fix is to add one (see Documentation/testing.md).
#
#   bash tests/mutate.sh              every mutant (57: 5 to 7 minutes on 2 cores)
#   bash tests/mutate.sh --fast       the CI subset (33: 1.5 to 2.5 minutes)
#   bash tests/mutate.sh --list       list the mutants (fast ones marked '*')
#   bash tests/mutate.sh NAME...      just these mutants
#
# Options:
#   --fast          the mutants marked fast:, with their (narrower) tests
#   --list          list and exit; with --fast, only the fast ones
#   --keep          keep the scratch directory (printed) for inspection
#   --no-baseline   skip the check that the tests pass before any mutant
#   --jobs N        build and ctest parallelism (default 2)
#   --timeout S     seconds one mutant's tests may take (default 900)
#   --table FILE    another mutant table (default tests/mutants.txt)
#
# The developer's tree is never modified: the tracked and untracked (not
# ignored) files are copied to a scratch directory with its own build
# directory, removed on exit.  First the unmutated copy is built and the
# selected tests must pass (else nothing would mean anything: exit 2).
#
# A mutant whose search text does not occur exactly once in its file is
# STALE (the code moved on: update the table); one that does not compile
# is BROKEN.  Both count as failures, as does any survivor.
#
# Output: one line per mutant, "killed NAME (by TEST, Ns)" or
# "SURVIVED NAME", then "N killed, N survived" and the time taken.
# Exit status: 0 every mutant killed; 1 a mutant survived, was stale or
# broken; 2 usage error, or the unmutated tests failed.

# The whole script is one block, read before it runs: editing this file
# during a run (a long one) cannot change what the run does.
{
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
TABLE=$TOP/tests/mutants.txt
FAST=0 LIST=0 KEEP=0 BASELINE=1 JOBS=2 TIMEOUT=900
NAMES=()

usage() {
	sed -n '/^#   bash/,/^#   --table/p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

while test $# -gt 0; do
	case "$1" in
	--fast) FAST=1 ;;
	--list) LIST=1 ;;
	--keep) KEEP=1 ;;
	--no-baseline) BASELINE=0 ;;
	--jobs) JOBS=${2:?}; shift ;;
	--jobs=*) JOBS=${1#--jobs=} ;;
	--timeout) TIMEOUT=${2:?}; shift ;;
	--timeout=*) TIMEOUT=${1#--timeout=} ;;
	--table) TABLE=${2:?}; shift ;;
	--table=*) TABLE=${1#--table=} ;;
	-h|--help) usage ;;
	-*) echo "mutate.sh: unknown option '$1'" >&2; usage ;;
	*) NAMES+=("$1") ;;
	esac
	shift
done
case "$JOBS$TIMEOUT" in
*[!0-9]*) echo "mutate.sh: --jobs and --timeout take numbers" >&2; exit 2 ;;
esac

command -v python3 >/dev/null || { echo "mutate.sh: needs python3" >&2; exit 2; }
command -v cmake >/dev/null && command -v ctest >/dev/null ||
	{ echo "mutate.sh: needs cmake and ctest" >&2; exit 2; }

# The table reader and applier: literal text, never regex.
TOOL=$(mktemp "${TMPDIR:-/tmp}/mf-mutate-tool.XXXXXX.py") || exit 2
cat >"$TOOL" <<'PYEOF'
import sys

FIELDS = ("name", "file", "tests", "fast", "find", "repl")

def unescape(s):
	out, i = [], 0
	while i < len(s):
		c = s[i]
		if c == "\\" and i + 1 < len(s):
			n = s[i + 1]
			out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(n, "\\" + n))
			i += 2
		else:
			out.append(c)
			i += 1
	return "".join(out)

def die(msg):
	sys.stderr.write("mutate.sh: %s\n" % msg)
	sys.exit(2)

def read_table(path):
	muts, cur = [], None
	with open(path, encoding="utf-8") as f:
		lines = f.read().split("\n")
	for no, line in enumerate(lines, 1):
		if line.startswith("#"):
			continue
		if not line.strip():
			if cur:
				muts.append(cur)
			cur = None
			continue
		key, sep, val = line.partition(":")
		if not sep or key not in FIELDS:
			die("%s:%d: expected one of %s" % (path, no, ", ".join(FIELDS)))
		val = val.lstrip(" \t")
		if cur is None:
			cur = {"line": no, "pairs": []}
		if key == "find":
			cur["pairs"].append([unescape(val), None])
		elif key == "repl":
			if not cur["pairs"] or cur["pairs"][-1][1] is not None:
				die("%s:%d: repl without find" % (path, no))
			cur["pairs"][-1][1] = unescape(val)
		elif key in cur:
			die("%s:%d: %s given twice" % (path, no, key))
		else:
			cur[key] = val
	if cur:
		muts.append(cur)
	seen = set()
	for m in muts:
		where = "%s:%d" % (path, m["line"])
		for k in ("name", "file", "tests"):
			if not m.get(k):
				die("%s: mutant without %s" % (where, k))
		if not m["pairs"] or any(r is None for _, r in m["pairs"]):
			die("%s: %s needs find and repl" % (where, m["name"]))
		if any(f == r for f, r in m["pairs"]):
			die("%s: %s: repl is the same as find" % (where, m["name"]))
		if m["name"] in seen:
			die("%s: mutant %s given twice" % (where, m["name"]))
		seen.add(m["name"])
	return muts

def select(muts, fast, names):
	if names:
		by = {m["name"]: m for m in muts}
		for n in names:
			if n not in by:
				die("no mutant named '%s' (see --list)" % n)
		return [by[n] for n in names]
	if fast:
		return [m for m in muts if m.get("fast")]
	return muts

def tests_of(m, fast):
	f = m.get("fast", "")
	return f if fast and f and f != "yes" else m["tests"]

def mutate(m, src):
	"""The mutated text of m's file, or an error string (stale)."""
	path = src + "/" + m["file"]
	try:
		with open(path, encoding="utf-8") as f:
			text = f.read()
	except OSError as e:
		return None, "cannot read %s: %s" % (m["file"], e.strerror)
	for i, (find, repl) in enumerate(m["pairs"], 1):
		n = text.count(find)
		if n != 1:
			return None, "find #%d occurs %d times in %s" % (i, n, m["file"])
		text = text.replace(find, repl, 1)
	return text, None

def main():
	cmd, table, fast = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
	names = sys.argv[5:]
	muts = select(read_table(table), fast, names)
	if cmd == "list":
		for m in muts:
			print("%s\t%s\t%s\t%s" % (m["name"], "*" if m.get("fast") else " ",
						   m["file"], tests_of(m, fast)))
	elif cmd == "check":
		# name TAB file TAB tests TAB (ok | stale reason)
		for m in muts:
			_, err = mutate(m, sys.argv[4])
			print("%s\t%s\t%s\t%s" % (m["name"], m["file"], tests_of(m, fast),
						   "stale: " + err if err else "ok"))
	elif cmd == "apply":
		m = muts[0]
		text, err = mutate(m, sys.argv[4])
		if err:
			die("%s is stale: %s" % (m["name"], err))
		with open(sys.argv[4] + "/" + m["file"], "w", encoding="utf-8") as f:
			f.write(text)

main()
PYEOF

SCRATCH=
RUNNING=
cleanup() {
	if test -n "$RUNNING"; then
		kill -TERM -- "-$RUNNING" 2>/dev/null
		wait "$RUNNING" 2>/dev/null
	fi
	rm -f "$TOOL"
	if test -n "$SCRATCH"; then
		if test $KEEP = 1; then
			echo "scratch kept: $SCRATCH"
		else
			rm -rf "$SCRATCH"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tool() {
	python3 "$TOOL" "$1" "$TABLE" "$FAST" "${SRC:-/nonexistent}" "${@:2}"
}

if test $LIST = 1; then
	tool list "${NAMES[@]}" | awk -F'\t' '{ printf "%s %-32s %-22s %s\n", $2, $1, $3, $4 }'
	exit
fi

START=$(date +%s)
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/mf-mutate.XXXXXX") || exit 2
SRC=$SCRATCH/src BLD=$SCRATCH/build
mkdir -p "$SRC" || exit 2

# A copy of the tree as it is now (uncommitted changes included), build
# directories and other ignored files left out.
if git -C "$TOP" rev-parse --show-toplevel >/dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z -c -o --exclude-standard |
	 tar --null --ignore-failed-read -T - -cf - 2>/dev/null) |
		tar -xf - -C "$SRC" || exit 2
else
	tar -C "$TOP" --exclude='./build*' -cf - . | tar -xf - -C "$SRC" || exit 2
fi

# Validate the whole selection before spending time on a build.
CHECK=$(tool check "${NAMES[@]}") || exit 2
test -n "$CHECK" || { echo "mutate.sh: no mutants selected" >&2; exit 2; }
stale=0
while IFS=$'\t' read -r name file tests state; do
	if test "$state" != ok; then
		echo "STALE    $name ($state)"
		stale=$((stale + 1))
	fi
done <<<"$CHECK"

if ! grep -q $'\tok$' <<<"$CHECK"; then
	echo "0 killed, 0 survived"
	echo "$stale stale, 0 broken (not run)"
	exit 1
fi

# Run ctest on regex $1 into log $2, in a process group of its own so a
# hung test and its registries can be stopped together.  Returns ctest's
# status; 124 on timeout.
run_tests() {
	local regex=$1 log=$2 waited=0
	setsid ctest --test-dir "$BLD" -R "$regex" -j "$JOBS" --no-tests=error \
		--stop-on-failure --output-on-failure >"$log" 2>&1 &
	RUNNING=$!
	while kill -0 "$RUNNING" 2>/dev/null; do
		if test $waited -ge "$TIMEOUT"; then
			echo "(timed out after ${TIMEOUT}s)" >>"$log"
			kill -TERM -- "-$RUNNING" 2>/dev/null
			sleep 5
			kill -KILL -- "-$RUNNING" 2>/dev/null
			wait "$RUNNING" 2>/dev/null
			RUNNING=
			return 124
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$RUNNING"
	local rc=$?
	RUNNING=
	return $rc
}

# The alternatives of a mutant's regex one after the other, in the
# table's order (put the quickest likely killer first): the first
# failure ends it.  A regex with parentheses runs as one.
run_mutant_tests() {
	local regex=$1 log=$2 part rc
	local -a parts
	case "$regex" in
	*'('*) parts=("$regex") ;;
	*) IFS='|' read -r -a parts <<<"$regex" ;;
	esac
	: >"$log"
	for part in "${parts[@]}"; do
		run_tests "$part" "$log.part"
		rc=$?
		cat "$log.part" >>"$log"
		test $rc = 0 || return $rc
	done
	return 0
}

build() {
	cmake --build "$BLD" -j "$JOBS" >"$1" 2>&1
}

echo "building the scratch copy in $SCRATCH"
cmake -S "$SRC" -B "$BLD" >"$SCRATCH/configure.log" 2>&1 &&
	build "$SCRATCH/build.log" || {
	echo "mutate.sh: the unmutated tree does not build:" >&2
	tail -20 "$SCRATCH/build.log" "$SCRATCH/configure.log" >&2 2>/dev/null
	exit 2
}

# Every alternative of every regex must name some test: a typo would
# otherwise "kill" its mutant.
nomatch=$(awk -F'\t' '$4 == "ok" { print $3 }' <<<"$CHECK" | tr '|' '\n' | sort -u |
	while read -r part; do
		ctest --test-dir "$BLD" -N -R "$part" 2>/dev/null |
			grep -q '^Total Tests: [1-9]' || echo "$part"
	done)
if test -n "$nomatch"; then
	echo "mutate.sh: these tests: regexes match no test:" $nomatch >&2
	exit 2
fi

if test $BASELINE = 1; then
	# The union of the regexes, without parentheses (ctest's regex
	# engine allows few groups).
	all=$(awk -F'\t' '$4 == "ok" { print $3 }' <<<"$CHECK" | tr '|' '\n' |
		sort -u | paste -sd'|')
	if test -n "$all"; then
		t0=$(date +%s)
		if ! run_tests "$all" "$SCRATCH/baseline.log"; then
			# Once more for what failed: a test that fails only
			# sometimes is reported, but does not stop the run.
			failed=$(sed -n '/tests FAILED:/,$p' "$SCRATCH/baseline.log" |
				sed -n 's/.* - \([^ ]*\) (.*/\1/p' | paste -sd'|')
			if test -z "$failed" ||
			   ! run_tests "^($failed)\$" "$SCRATCH/baseline2.log"; then
				echo "mutate.sh: the tests fail without any mutant:" >&2
				grep -A20 'tests FAILED' "$SCRATCH/baseline.log" >&2 ||
					tail -20 "$SCRATCH/baseline.log" >&2
				exit 2
			fi
			echo "baseline: WARNING: $failed failed once, then passed (flaky?)"
		fi
		echo "baseline: the selected tests pass ($(( $(date +%s) - t0 ))s)"
	fi
fi

killed=0 survived=0 broken=0
SURVIVORS=
while IFS=$'\t' read -r name file tests state; do
	test "$state" = ok || continue
	t0=$(date +%s)
	cp "$SRC/$file" "$SCRATCH/orig" || exit 2
	if ! tool apply "$name"; then
		stale=$((stale + 1))
		continue
	fi
	log=$SCRATCH/$name.log
	if ! build "$log"; then
		echo "BROKEN   $name (does not compile: see the table)"
		grep -m3 'error' "$log" | sed 's/^/         /'
		broken=$((broken + 1))
	elif run_mutant_tests "$tests" "$log"; then
		echo "SURVIVED $name ($file; $tests passed, $(( $(date +%s) - t0 ))s)"
		survived=$((survived + 1))
		SURVIVORS="$SURVIVORS $name"
	else
		rc=$?
		by=$(sed -n '/tests FAILED:/,$p' "$log" | sed -n 's/.* - \([^ ]*\) (.*/\1/p' | head -1)
		test $rc = 124 && by="timeout"
		echo "killed   $name (by ${by:-ctest exit $rc}, $(( $(date +%s) - t0 ))s)"
		killed=$((killed + 1))
	fi
	# Restore with a new mtime, so that the next build recompiles it.
	cat "$SCRATCH/orig" >"$SRC/$file" && touch "$SRC/$file" || exit 2
done <<<"$CHECK"

secs=$(( $(date +%s) - START ))
echo "$killed killed, $survived survived"
test $stale = 0 && test $broken = 0 || echo "$stale stale, $broken broken (not run)"
test -n "$SURVIVORS" && echo "survivors:$SURVIVORS"
printf 'time: %dm%02ds\n' $((secs / 60)) $((secs % 60))
test $survived = 0 && test $stale = 0 && test $broken = 0
exit
}
