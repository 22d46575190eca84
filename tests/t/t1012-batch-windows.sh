#!/bin/bash
test_description='cat-manifest --batch-check/--batch: many names at once, answered in the order asked'
. ./test-lib.sh

T=application/vnd.test.blob

# A --batch stream of n distinct objects.
make_batch() {
	python3 - "$1" <<'PY'
import sys
out = sys.stdout.buffer
for i in range(int(sys.argv[1])):
    body = b'{"i":%d,"pad":"%s"}' % (i, b"y" * (i % 50))
    out.write(b"%d application/vnd.test.blob\n" % len(body))
    out.write(body + b"\n")
PY
}

test_expect_success 'setup: 3000 objects and a ref' '
	make_batch 3000 >batch &&
	manifold hash-object -w --batch <batch >digests &&
	test_line_count = 3000 digests &&
	manifold update-ref lists/one "$(head -n 1 digests)"
'

# The names, shuffled with what is not a plain digest among them, more
# than the 65536 looked up together; and the answers, one name at a time.
test_expect_success '70000 names: plain digests, missing ones, refs, prefixes, blanks' '
	python3 - digests >names <<-\PY &&
	import random, sys
	d = open(sys.argv[1]).read().split()
	rnd = random.Random(7)
	out = []
	for i in range(70000):
	    k = rnd.randrange(12)
	    x = rnd.choice(d)
	    if k == 0: out.append("sha256:" + "%064x" % rnd.getrandbits(256))
	    elif k == 1: out.append(x.upper())
	    elif k == 2: out.append(x + " \t\r")
	    elif k == 3: out.append("lists/one")
	    elif k == 4: out.append(x[7:19])
	    elif k == 5: out.append("")
	    else: out.append(x)
	sys.stdout.write("\n".join(out))
	PY
	manifold cat-manifest --batch-check <names >actual &&
	test_line_count = 70000 actual &&
	python3 - digests batch names >expect <<-\PY &&
	import sys
	d = open(sys.argv[1]).read().split()
	data = open(sys.argv[2], "rb").read().split(b"\n")
	size = {d[i]: int(data[2 * i].split()[0]) for i in range(len(d))}
	first = d[0]
	names = open(sys.argv[3]).read().split("\n")
	if names[-1] == "":
	    names.pop()	# the last line ends with a newline
	for n in names:
	    n = n.rstrip(" \t\r\n")
	    if n == "lists/one": n = first
	    elif len(n) == 12 and n[:1] != "s": n = [x for x in d if x[7:].startswith(n)][0]
	    print("%s application/vnd.test.blob %d" % (n, size[n]) if n in size else "%s missing" % n)
	PY
	test_cmp expect actual
'

# Names before the first key, after the last one, of another algorithm,
# and a few among many objects: looked up from the root (few names) and
# by walking the table from one name to the next (many names).
test_expect_success 'names past either end, sha512, and few names among many' '
	z=$(printf "%064d" 0) && f=$(printf "f%.0s" $(seq 64)) &&
	{
		echo "sha256:$f" &&
		echo "sha256:$z" &&
		echo "sha512:$z$z" &&
		sed -n "1p;17p;1500p;3000p" digests &&
		echo "sha256:$f" &&
		sed -n 2p digests && sed -n 1p digests &&
		echo "sha256:$z"
	} >few &&
	manifold cat-manifest --batch-check <few >actual &&
	{
		echo "sha256:$f missing" &&
		echo "sha256:$z missing" &&
		echo "sha512:$z$z missing" &&
		for n in 1 17 1500 3000; do
			grep -F "$(sed -n "${n}p" digests) " expect | head -n 1 || return 1
		done &&
		echo "sha256:$f missing" &&
		for n in 2 1; do
			grep -F "$(sed -n "${n}p" digests) " expect | head -n 1 || return 1
		done &&
		echo "sha256:$z missing"
	} >expect.few &&
	test_line_count = 11 expect.few &&
	test_cmp expect.few actual &&
	cat few digests few >many &&
	manifold cat-manifest --batch-check <many >actual.many &&
	{
		cat expect.few &&
		awk "NR == FNR { if (!(\$1 in a)) a[\$1] = \$0; next } { print a[\$1] }" \
			expect digests &&
		cat expect.few
	} >expect.many &&
	test_line_count = 3022 expect.many &&
	test_cmp expect.many actual.many
'

test_expect_success '--batch prints the bytes after each header, in the order asked' '
	tail -n 4000 names >some &&
	manifold cat-manifest --batch <some >actual &&
	head -n 40 some >first &&
	while IFS= read -r n; do
		printf "%s\n" "$n" | manifold cat-manifest --batch || return 1
	done <first >expect &&
	head -c "$(wc -c <expect)" actual >head &&
	test_cmp expect head
'

test_expect_success 'a name given alone is answered before more input comes' '
	mkfifo in &&
	{ manifold cat-manifest --batch-check <in >out & } &&
	pid=$! &&
	exec 9>in &&
	echo lists/one >&9 &&
	n=0 &&
	while ! test -s out && test $n -lt 500; do
		sleep 0.01 && n=$((n + 1)) || return 1
	done &&
	grep -q "^$(head -n 1 digests) $T " out &&
	exec 9>&- &&
	wait $pid
'

test_expect_success 'a line over 4096 bytes stops the batch after the lines before it' '
	{ head -n 3 digests && printf "%04097d\n" 0 && head -n 1 digests; } >long &&
	test_must_fail --code=128 manifold cat-manifest --batch-check <long >actual 2>err &&
	test_line_count = 3 actual &&
	test_grep "longer than 4096" err
'

test_done
