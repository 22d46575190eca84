#!/bin/bash
test_description='the layering check reads symbols, and fails on each deliberate violation'
. ./test-lib.sh

# tests/check-layers.sh reads the build's objects.  Here probe objects,
# compiled with the build's compiler and flags (so a sanitizer or fuzz
# build's probes carry the same runtime symbols as the real objects),
# go into scratch trees shaped like the build tree, and the check reads
# each next to the real objects: what a probe adds to the check's report
# (against the report on the real objects alone, which other work may
# still be cleaning) must be exactly the violations it was built with.

CHECK=$MANIFOLD_SOURCE_DIR/tests/check-layers.sh
B=$MANIFOLD_BUILD_DIR

cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$B/CMakeCache.txt")
cflags=$(sed -n 's/^C_FLAGS = //p' "$B/CMakeFiles/mf_engine.dir/flags.make" 2>/dev/null)
# Probes may warn; they must not fail to compile for it.
cflags=$(printf '%s\n' "$cflags" | sed 's/ -Werror\( \|$\)/ /')

# probe NAME FOLDER/FILE.c: compile stdin into p-NAME/CMakeFiles/probe.dir/FOLDER/FILE.c.o
probe() {
	local dir=p-$1/CMakeFiles/probe.dir/${2%/*}
	mkdir -p "$dir" &&
	cat >"$dir/${2##*/}" &&
	# shellcheck disable=SC2086 # flags are words
	"$cc" $cflags -c -o "$dir/${2##*/}.o" "$dir/${2##*/}"
}

# check NAME: the check over the real objects and probe NAME; its exit
# code in NAME.rc, the lines the probe adds to the report in NAME.new.
check() {
	bash "$CHECK" "$B" "p-$1" >"$1.out" 2>"$1.err"
	echo $? >"$1.rc"
	sort "$1.err" | comm -13 base.err - >"$1.new"
}

# caught NAME ERE...: the check fails, and each ERE matches one line of
# what the probe added; nothing else was added.
caught() {
	local name=$1 re n=0
	shift
	check "$name" &&
	echo 1 >expect.rc &&
	test_cmp expect.rc "$name.rc" || return 1
	for re in "$@"; do
		test_grep -E "^check-layers: $re" "$name.new" || return 1
		n=$((n + 1))
	done
	test_line_count = $n "$name.new"
}

# clean NAME: the probe adds nothing, and the exit code is the real tree's.
clean() {
	check "$1" &&
	test_cmp base.rc "$1.rc" &&
	test_line_count = 0 "$1.new"
}

test_expect_success 'the check reads the real objects' '
	test -n "$cc" &&
	{ bash "$CHECK" "$B" >base.out 2>base.unsorted; echo $? >base.rc; } &&
	sort base.unsorted >base.err &&
	grep -qx "[01]" base.rc
'

test_expect_success 'porcelain calling the store is caught' '
	probe porc porcelain/probe.c <<-\EOF &&
	int odb_open(void);
	int probe(void) { return odb_open(); }
	EOF
	caught porc "porcelain/probe\.c\.o: odb_open \(odb/odb\.c\.o\): porcelain reaches the store"
'

test_expect_success 'a porcelain helper in cli/ calling the store is caught' '
	probe helper cli/edit.c <<-\EOF &&
	int odb_object_exists(void);
	int probe(void) { return odb_object_exists(); }
	EOF
	caught helper "cli/edit\.c\.o: odb_object_exists \(odb/object\.c\.o\): porcelain reaches the store"
'

test_expect_success 'the engine printing and exiting is caught' '
	probe eng engine/probe.c <<-\EOF &&
	#include <stdio.h>
	#include <stdlib.h>
	void probe(int x)
	{
		printf("probe %d\n", x);
		fprintf(stderr, "probe %d\n", x);
		exit(x);
	}
	EOF
	caught eng "engine/probe\.c\.o: exit: nothing below the command layer exits" \
		"engine/probe\.c\.o: (__)?printf(_chk)?: nothing below the command layer prints" \
		"engine/probe\.c\.o: (__)?fprintf(_chk)?: nothing below the command layer prints" \
		"engine/probe\.c\.o: stderr: nothing below the command layer prints"
'

test_expect_success 'a fortified printf below the command layer is caught' '
	probe fortify odb/probe.c <<-\EOF &&
	int __printf_chk(int, const char *, ...);
	int probe(int x) { return __printf_chk(1, "%d", x); }
	EOF
	caught fortify "odb/probe\.c\.o: __printf_chk: nothing below the command layer prints"
'

test_expect_success 'manifest/ using the store, LMDB or the network is caught' '
	probe manifest manifest/probe.c <<-\EOF &&
	int odb_object_exists(void);
	int reg_open(void);
	int mdb_get(void);
	void *curl_easy_init(void);
	int socket(int, int, int);
	int probe(void)
	{
		return odb_object_exists() + reg_open() + mdb_get() +
			(curl_easy_init() != 0) + socket(0, 0, 0);
	}
	EOF
	caught manifest \
		"manifest/probe\.c\.o: odb_object_exists \(odb/object\.c\.o\): manifest/ sees neither the store nor the network" \
		"manifest/probe\.c\.o: reg_open \([a-z]*/[a-z]*\.c\.o\): manifest/ sees neither the store nor the network" \
		"manifest/probe\.c\.o: mdb_get: only odb/ calls LMDB" \
		"manifest/probe\.c\.o: curl_easy_init: only the transport talks to the network" \
		"manifest/probe\.c\.o: socket: only the transport talks to the network"
'

test_expect_success 'plumbing calling the transport or its loader is caught' '
	probe plumb plumbing/probe.c <<-\EOF &&
	int reg_open(void);
	int mf_module_load(void);
	int probe(void) { return reg_open() + mf_module_load(); }
	EOF
	caught plumb "plumbing/probe\.c\.o: reg_open \([a-z]*/[a-z]*\.c\.o\): a command reaches the transport only through the engine" \
		"plumbing/probe\.c\.o: mf_module_load \(util/module\.c\.o\): a command reaches the transport \(and its loader\) only through the engine"
'

test_expect_success 'the transport using the store, the engine or LMDB is caught' '
	probe transport registry/probe.c <<-\EOF &&
	int odb_ref_read(void);
	int eng_resolve(void);
	int mdb_txn_begin(void);
	int probe(void) { return odb_ref_read() + eng_resolve() + mdb_txn_begin(); }
	EOF
	caught transport \
		"registry/probe\.c\.o: odb_ref_read \(odb/refs\.c\.o\): the transport never sees the store" \
		"registry/probe\.c\.o: eng_resolve \(engine/resolve\.c\.o\): the transport never sees the store" \
		"registry/probe\.c\.o: mdb_txn_begin: only odb/ calls LMDB"
'

test_expect_success 'a layer calling one above it is caught' '
	probe up util/probe.c <<-\EOF &&
	int eng_resolve(void);
	void die(const char *, ...);
	int cmd_push(int, const char **);
	int probe(void) { die("x"); return eng_resolve() + cmd_push(0, 0); }
	EOF
	caught up "util/probe\.c\.o: eng_resolve \(engine/resolve\.c\.o\): util must not call engine" \
		"util/probe\.c\.o: die \(cli/usage\.c\.o\): util must not call cli" \
		"util/probe\.c\.o: cmd_push \(porcelain/push\.c\.o\): util must not call porcelain"
'

test_expect_success 'the engine calling the commands is caught' '
	probe engup engine/probe.c <<-\EOF &&
	void die(const char *, ...);
	int cmd_gc(int, const char **);
	int probe(void) { die("x"); return cmd_gc(0, 0); }
	EOF
	caught engup "engine/probe\.c\.o: die \(cli/usage\.c\.o\): engine must not call cli" \
		"engine/probe\.c\.o: cmd_gc \(plumbing/gc\.c\.o\): engine must not call plumbing"
'

test_expect_success 'two objects calling each other are caught' '
	probe mutual odb/probe-a.c <<-\EOF &&
	int probe_b(void);
	int probe_a(void) { return probe_b(); }
	EOF
	probe mutual odb/probe-b.c <<-\EOF &&
	int probe_a(void);
	int probe_b(void) { return probe_a() + 1; }
	EOF
	caught mutual "odb/probe-a\.c\.o and odb/probe-b\.c\.o call each other \(probe_b, probe_a\)"
'

test_expect_success 'an object in a folder no layer names is caught' '
	probe unknown oci/probe.c <<-\EOF &&
	int probe(void) { return 0; }
	EOF
	caught unknown "oci/probe\.c\.o: is in no layer"
'

test_expect_success 'the exceptions are narrow: _exit in a credential helper child only' '
	probe excepted registry/creds-probe.c <<-\EOF &&
	#include <unistd.h>
	void probe(void) { _exit(127); }
	EOF
	clean excepted &&
	probe notexcepted registry/probe.c <<-\EOF &&
	#include <unistd.h>
	void probe(void) { _exit(127); }
	EOF
	caught notexcepted "registry/probe\.c\.o: _exit: nothing below the command layer exits"
'

test_expect_success 'what the rules allow is not reported' '
	probe allowed engine/probe.c <<-\EOF &&
	#include <stdio.h>
	#include <stdlib.h>
	#include <unistd.h>
	int odb_open(void);
	int reg_open(void);
	int mf_module_load(void);
	int list_init(void);
	int probe(char *b, int x)
	{
		if (x)
			abort();
		if (write(2, "t\n", 2) < 0)
			return 1;
		return snprintf(b, 8, "%d", x) + odb_open() + reg_open() +
			mf_module_load() + list_init();
	}
	EOF
	mkdir -p p-allowed/CMakeFiles/probe.dir/plumbing p-allowed/CMakeFiles/probe.dir/cli &&
	cat >p-allowed/CMakeFiles/probe.dir/plumbing/probe.c <<-\EOF &&
	#include <stdio.h>
	#include <stdlib.h>
	int odb_open(void);
	int eng_resolve(void);
	void die(const char *, ...);
	int probe(int x)
	{
		if (x)
			die("x");
		printf("%d\n", x);
		if (x > 1)
			exit(x);
		return odb_open() + eng_resolve();
	}
	EOF
	"$cc" $cflags -c -o p-allowed/CMakeFiles/probe.dir/plumbing/probe.c.o \
		p-allowed/CMakeFiles/probe.dir/plumbing/probe.c &&
	cat >p-allowed/CMakeFiles/probe.dir/cli/store.c <<-\EOF &&
	int odb_object_exists(void);
	int probe(void) { return odb_object_exists(); }
	EOF
	"$cc" $cflags -c -o p-allowed/CMakeFiles/probe.dir/cli/store.c.o \
		p-allowed/CMakeFiles/probe.dir/cli/store.c &&
	clean allowed
'

test_expect_success 'an object its target no longer links is not read' '
	probe stale engine/stale.c <<-\EOF &&
	#include <stdio.h>
	int probe(int x) { return printf("%d\n", x); }
	EOF
	probe stale engine/linked.c <<-\EOF &&
	int probe_linked(void) { return 0; }
	EOF
	printf "%s\n" "# Object files for target probe" "probe_OBJECTS = \\" \
		"\"CMakeFiles/probe.dir/engine/linked.c.o\"" "" \
		"probe_EXTERNAL_OBJECTS =" >p-stale/CMakeFiles/probe.dir/build.make &&
	clean stale &&
	rm p-stale/CMakeFiles/probe.dir/build.make &&
	caught stale "engine/stale\.c\.o: (__)?printf(_chk)?: nothing below the command layer prints"
'

test_expect_success 'a tree with nothing to read is an error, not a pass' '
	mkdir -p empty/CMakeFiles &&
	test_expect_code 2 bash "$CHECK" empty
'

test_expect_success 'the real objects break no rule' '
	cat base.err >&2 &&
	echo 0 >expect.rc &&
	test_cmp expect.rc base.rc
'

test_done
