#!/bin/bash
test_description='keys and signatures: generate-key and sign/ against an independent verifier

sigverify.py was written from the format description (shared/reference/
sigstore.md) with the APIs of Debian 12 python3-cryptography 38.0.4 only,
and runs under /usr/bin/python3, where that version is installed.  Each
direction is checked: keys and signatures manifold makes are accepted by
it, and its keys and signatures by manifold (sigtool, the test driver of
sign/, until the sign and verify commands exist); another key, a changed
byte, a wrong passphrase are refused by both.'
. ./test-lib.sh

: "${SIGTOOL:=$MANIFOLD_BUILD_DIR/tests/sigtool}"
: "${MANIFOLD_NET_MODULE:=$MANIFOLD_BUILD_DIR/manifold-net.so}"
if ! test -x "$SIGTOOL"; then
	echo "Bail out! no sigtool at $SIGTOOL"
	exit 1
fi
# sigtool is not next to the module, as manifold is.
export MANIFOLD_MODULE_PATH=$MANIFOLD_NET_MODULE
unset MANIFOLD_PASSPHRASE COSIGN_PASSWORD

PY=/usr/bin/python3
if ! "$PY" -c 'import cryptography.hazmat.primitives.kdf.scrypt' 2>/dev/null; then
	test_skip_all "no $PY with python3-cryptography (Debian 12: 38.0.4)"
fi
say "# verifier: $PY, cryptography $("$PY" -c 'import cryptography; print(cryptography.__version__)')"
sigverify() {
	"$PY" "$TEST_LIB_DIR/sigverify.py" "$@"
}

REF=localhost:5000/team/app:v1
DIG=sha256:4b1d2b7b3c7f43e1c4f5d9c1a1f0b5a5e0c7d1d2b3c4d5e6f708192a3b4c5d6e

# test_path_is_missing_ FILE
test_path_is_missing_() {
	if test -e "$1"; then
		echo "$1 exists" >&2
		return 1
	fi
}

# No terminal, whatever runs the tests: setsid leaves the session.
nottymanifold() {
	setsid -w manifold "$@" </dev/null
}

test_expect_success 'generate-key writes NAME.key (0600) and NAME.pub, both types' '
	printf "s3cret\n" >pass &&
	nottymanifold generate-key --passphrase-file pass ec 2>err &&
	grep "Private key written to ec.key" err &&
	grep "Public key written to ec.pub (ecdsa-p256 sha256:[0-9a-f]\{64\})" err &&
	nottymanifold generate-key --type ed25519 --passphrase-file pass ed 2>err &&
	grep "(ed25519 sha256:" err &&
	test "$(stat -c %a ec.key)" = 600 &&
	test "$(stat -c %a ed.key)" = 600 &&
	head -n 1 ec.key >label &&
	echo "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----" >expect &&
	test_cmp expect label &&
	head -n 1 ed.pub >label &&
	echo "-----BEGIN PUBLIC KEY-----" >expect &&
	test_cmp expect label
'

test_expect_success 'the independent verifier decrypts both keys and finds their public keys' '
	sigverify check-key ec.key pass ec.pub >type &&
	echo ecdsa-p256 >expect &&
	test_cmp expect type &&
	sigverify check-key ed.key pass ed.pub >type &&
	echo ed25519 >expect &&
	test_cmp expect type &&
	test_must_fail sigverify check-key ec.key pass ed.pub &&
	printf "s3cret2\n" >wrong &&
	test_must_fail sigverify check-key ec.key wrong ec.pub 2>err &&
	grep "wrong passphrase" err
'

test_expect_success 'generate-key never overwrites, and leaves nothing behind when it refuses' '
	cp ec.key ec.key.orig &&
	cp ec.pub ec.pub.orig &&
	test_must_fail nottymanifold generate-key --passphrase-file pass ec 2>err &&
	grep "ec.key already exists" err &&
	cmp ec.key ec.key.orig &&
	cmp ec.pub ec.pub.orig &&
	echo keep >only.pub &&
	test_must_fail nottymanifold generate-key --passphrase-file pass only 2>err &&
	grep "only.pub already exists" err &&
	test_path_is_missing_ only.key &&
	test_must_fail nottymanifold generate-key --type rsa --passphrase-file pass r 2>err &&
	test_path_is_missing_ r.key &&
	test_must_fail nottymanifold generate-key --passphrase-file missing-file m &&
	test_path_is_missing_ m.key
'

test_expect_success 'passphrase: the first line of the file, then MANIFOLD_PASSPHRASE, then COSIGN_PASSWORD' '
	printf "line one\nline two\n" >two-lines &&
	nottymanifold generate-key --passphrase-file two-lines f1 2>/dev/null &&
	printf "line one\n" >p1 &&
	sigverify check-key f1.key p1 f1.pub &&
	printf "crlf\r\n" >crlf &&
	nottymanifold generate-key --passphrase-file crlf f2 2>/dev/null &&
	printf "crlf\n" >p2 &&
	sigverify check-key f2.key p2 f2.pub &&
	MANIFOLD_PASSPHRASE=from-env COSIGN_PASSWORD=cosign \
		nottymanifold generate-key e1 2>/dev/null &&
	printf "from-env\n" >p3 &&
	sigverify check-key e1.key p3 e1.pub &&
	COSIGN_PASSWORD=cosign nottymanifold generate-key e2 2>/dev/null &&
	printf "cosign\n" >p4 &&
	sigverify check-key e2.key p4 e2.pub &&
	MANIFOLD_PASSPHRASE=from-env nottymanifold generate-key \
		--passphrase-file pass e3 2>/dev/null &&
	sigverify check-key e3.key pass e3.pub
'

test_expect_success 'an empty passphrase only when given explicitly' '
	: >empty &&
	MANIFOLD_PASSPHRASE= nottymanifold generate-key z1 2>/dev/null &&
	sigverify check-key z1.key empty z1.pub &&
	nottymanifold generate-key --passphrase-file empty z2 2>/dev/null &&
	sigverify check-key z2.key empty z2.pub &&
	test_must_fail nottymanifold generate-key z3 2>err &&
	grep "no passphrase" err &&
	test_path_is_missing_ z3.key &&
	test_path_is_missing_ z3.pub
'

# Run "$@" on a new terminal; type each line of $TTY_INPUT at a prompt.
on_tty() {
	"$PY" - "$@" <<-\EOF
	import os, pty, sys
	lines = os.environ["TTY_INPUT"].split("\n")
	pid, fd = pty.fork()
	if pid == 0:
	    os.execvp(sys.argv[1], sys.argv[1:])
	out = b""
	def more():
	    global out
	    try:
	        d = os.read(fd, 1024)
	    except OSError:
	        d = b""
	    out += d
	    return d
	for line in lines:
	    while not out.rstrip().endswith(b":"):
	        if not more():
	            break
	    os.write(fd, line.encode() + b"\n")
	    out += b"|"
	while more():
	    pass
	_, st = os.waitpid(pid, 0)
	sys.stdout.write(out.decode(errors="replace"))
	sys.exit(os.waitstatus_to_exitcode(st))
	EOF
}

test_expect_success 'passphrase: asked twice on the terminal, echo off' '
	TTY_INPUT=$(printf "tty secret\ntty secret") on_tty manifold generate-key t1 >out &&
	grep "Enter passphrase for the private key:" out &&
	grep "Enter passphrase again:" out &&
	! grep "tty secret" out &&
	printf "tty secret\n" >pt &&
	sigverify check-key t1.key pt t1.pub
'

test_expect_success 'passphrase: the terminal refuses a mismatch and an empty one' '
	TTY_INPUT=$(printf "one\ntwo") test_must_fail on_tty manifold generate-key t2 >out &&
	grep "do not match" out &&
	test_path_is_missing_ t2.key &&
	TTY_INPUT= test_must_fail on_tty manifold generate-key t3 >out &&
	grep "empty passphrase" out &&
	test_path_is_missing_ t3.key
'

test_expect_success 'the payload is byte for byte what skopeo (and the verifier) write' '
	"$SIGTOOL" payload "$REF" "$DIG" "manifold 0.1.0" 1700000000 >payload &&
	sigverify payload "$REF" "$DIG" "manifold 0.1.0" 1700000000 >expect &&
	cmp expect payload &&
	sed "s/v1/v2/" payload >changed &&
	! cmp payload changed &&
	"$SIGTOOL" parse-payload payload >fields &&
	cat >expect <<-EOF &&
	reference $REF
	digest $DIG
	creator manifold 0.1.0
	timestamp 1700000000
	EOF
	test_cmp expect fields
'

for type in ecdsa-p256 ed25519; do
	case $type in	# the keys made above
	ecdsa-p256) k=ec ;;
	ed25519) k=ed ;;
	esac

	test_expect_success "$type: manifold signs, the independent verifier accepts" '
		"$SIGTOOL" sign $k.key pass payload >$k.sig &&
		sigverify verify $k.pub payload $k.sig "$REF" "$DIG"
	'

	test_expect_success "$type: the verifier refuses another key, a changed payload, a changed signature" '
		nottymanifold generate-key --type $type --passphrase-file pass other-$k 2>/dev/null &&
		test_must_fail sigverify verify other-$k.pub payload $k.sig &&
		test_must_fail sigverify verify $k.pub changed $k.sig &&
		tr "A-Za-z" "B-ZAb-za" <$k.sig >bad.sig &&
		test_must_fail sigverify verify $k.pub payload bad.sig &&
		"$SIGTOOL" verify $k.pub payload $k.sig &&
		test_must_fail "$SIGTOOL" verify other-$k.pub payload $k.sig 2>err &&
		grep "EBADSIG" err &&
		test_must_fail "$SIGTOOL" verify $k.pub changed $k.sig 2>err &&
		grep "EBADSIG" err
	'

	test_expect_success "$type: the verifier makes a key and signs, manifold loads and verifies" '
		sigverify make-key $type pass py-$k.key py-$k.pub &&
		"$SIGTOOL" check-key py-$k.key pass py-$k.pub >type &&
		echo $type >expect &&
		test_cmp expect type &&
		sigverify sign py-$k.key pass payload >py-$k.sig &&
		"$SIGTOOL" verify py-$k.pub payload py-$k.sig &&
		test_must_fail "$SIGTOOL" verify $k.pub payload py-$k.sig 2>err &&
		grep "EBADSIG" err &&
		test_must_fail "$SIGTOOL" verify py-$k.pub changed py-$k.sig 2>err &&
		grep "EBADSIG" err &&
		"$SIGTOOL" sign py-$k.key pass payload >mf-$k.sig &&
		sigverify verify py-$k.pub payload mf-$k.sig "$REF" "$DIG"
	'
done

test_expect_success 'keys with the newer label load; a wrong passphrase is refused' '
	sigverify make-key ed25519 pass sg.key sg.pub "ENCRYPTED SIGSTORE PRIVATE KEY" &&
	"$SIGTOOL" check-key sg.key pass sg.pub &&
	test_must_fail "$SIGTOOL" check-key ec.key wrong ec.pub 2>err &&
	grep "EAUTH" err &&
	test_must_fail "$SIGTOOL" check-key py-ed.key wrong py-ed.pub 2>err &&
	grep "EAUTH" err
'

test_expect_success 'a truncated key file, a wrong label, a public key for a private one' '
	head -n 4 ec.key >trunc.key &&
	test_must_fail "$SIGTOOL" check-key trunc.key pass ec.pub 2>err &&
	grep "EINVALID.*truncated" err &&
	sed "s/COSIGN PRIVATE/COSIGN SECRET/g" ec.key >label.key &&
	test_must_fail "$SIGTOOL" check-key label.key pass ec.pub 2>err &&
	grep "EINVALID" err &&
	test_must_fail "$SIGTOOL" check-key ec.pub pass ec.pub 2>err &&
	grep "EINVALID" err
'

test_expect_success 'a signature that is not padded standard base64 is refused by both' '
	tr -d "=\n" <ed.sig >unpadded.sig &&
	! cmp ed.sig unpadded.sig &&
	test_must_fail "$SIGTOOL" verify ed.pub payload unpadded.sig 2>err &&
	grep "EINVALID" err &&
	test_must_fail sigverify verify ed.pub payload unpadded.sig &&
	sed "s/^./-/" <ed.sig >urlsafe.sig &&
	test_must_fail "$SIGTOOL" verify ed.pub payload urlsafe.sig 2>err &&
	grep "EINVALID" err &&
	test_must_fail sigverify verify ed.pub payload urlsafe.sig
'

test_expect_success 'payloads as cosign writes them parse; their repository-only identity is refused by default' '
	printf "%s" "{\"critical\":{\"identity\":{\"docker-reference\":\"localhost:5000/team/app\"},\"image\":{\"docker-manifest-digest\":\"$DIG\"},\"type\":\"cosign container image signature\"},\"optional\":null}" >cosign.json &&
	"$SIGTOOL" parse-payload cosign.json >fields &&
	grep "^reference localhost:5000/team/app$" fields &&
	! grep creator fields &&
	test_must_fail "$SIGTOOL" identity localhost:5000/team/app "localhost:5000/team/app@$DIG" &&
	"$SIGTOOL" identity localhost:5000/team/app "localhost:5000/team/app@$DIG" repository &&
	"$SIGTOOL" identity "$REF" "localhost:5000/team/app@$DIG" &&
	test_must_fail "$SIGTOOL" identity "$REF" localhost:5000/team/app:v2
'

test_done
