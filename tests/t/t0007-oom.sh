#!/bin/bash
test_description='out of memory: one line on stderr, exit 128'
. ./test-lib.sh

# Every allocation goes through util/wrapper.c; manifold.c routes a
# failed one to die_oom (cli/usage.c).  Here a real allocation fails: an
# address-space limit (ulimit -v, KiB) that manifold starts under (it
# needs about 4 MiB) but that has no room for a 16 MiB object, which
# hash-object --batch allocates from a record's header before reading it.
# (The store is not opened: its map alone is larger than the limit.)
LIMIT=10240
SIZE=$((16 << 20))

# ASan and TSan reserve terabytes of address space at start-up.
if test -n "${MF_SANITIZED:-}"; then
	test_skip_all "a sanitized build cannot start under an address-space limit"
fi

limited() {
	(ulimit -v $LIMIT && "$@")
}

test_expect_success 'setup: manifold runs under the limit' '
	limited manifold --version >/dev/null
'

test_expect_success 'a failed allocation: the one-line message, exit 128' '
	printf "%s application/octet-stream\n" $SIZE >in &&
	test_must_fail --code=128 limited manifold hash-object --batch <in >out 2>err &&
	echo "fatal: out of memory, malloc failed (tried to allocate $((SIZE + 1)) bytes)" >expect &&
	test_cmp expect err &&
	test_line_count = 0 out
'

test_expect_success 'the same record without the limit is hashed (the limit was the cause)' '
	{ cat in && head -c $SIZE /dev/zero && echo; } >obj &&
	manifold hash-object --batch <obj >out &&
	test_line_count = 1 out
'

test_done
