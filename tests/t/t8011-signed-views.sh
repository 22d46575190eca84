#!/bin/bash
test_description='ls, log and inspect show who signed what

The keys come from the signatures the store holds (their
dev.manifold.signature.key annotation, through eng_signers): claims that
manifold verify checks, never called verified here.  A list is signed
with one key, then a second, then amended (a new, unsigned version); a
list signed by another tool (tests/t/sigverify.py) counts its
signatures with no key.'
. ./test-lib.sh

seed_layout() {
	"${REGISTRY_PYTHON:-/usr/bin/python3}" \
		"$MANIFOLD_SOURCE_DIR/tests/registry/seed.py" image \
		--layout "$1" --ref "$2" --format oci "${@:3}"
}
test_lazy_prereq SIGVERIFY '
	/usr/bin/python3 -c "import cryptography.hazmat.primitives.kdf.scrypt"
'
sigverify() {
	/usr/bin/python3 "$TEST_LIB_DIR/sigverify.py" "$@"
}
# fpr PUBFILE-MESSAGE: the fingerprint generate-key printed on stderr
fpr() { sed -n "s/^Public key written to .* ([a-z0-9-]* \(sha256:[0-9a-f]*\))$/\1/p" "$1"; }
short() { local x=${1#sha256:}; echo "sha256:${x:0:12}"; }
unset COSIGN_PASSWORD
export MANIFOLD_PASSPHRASE=secret
echo secret >pass

L=example.com/rel/app:v1
A=$(seed_layout src a --platform linux/amd64 --seed views-a) &&
B=$(seed_layout src b --platform linux/arm64/v8 --seed views-b) &&
C=$(seed_layout src c --platform linux/s390x --seed views-c) &&
manifold create --format oci "$L" oci:src:a oci:src:b >/dev/null &&
LIST=$(manifold rev-parse "$L") &&
manifold generate-key --type ed25519 k1 2>k1.msg &&
manifold generate-key --type ecdsa-p256 k2 2>k2.msg &&
K1=$(fpr k1.msg) && K2=$(fpr k2.msg) &&
test -n "$K1" && test -n "$K2" || {
	echo "Bail out! could not make the list and the keys"
	exit 1
}

test_expect_success 'unsigned: ls says -, json 0 and [], log and inspect say nothing signed' '
	manifold ls >out &&
	test_grep "^NAME .* CHANGED  *SIGNED$" out &&
	test_grep "^$L  .*  -$" out &&
	manifold ls --format json >json &&
	test_grep "\"signatures\": 0, \"signers\": \[\]}$" json &&
	manifold log "$L" >log &&
	! grep "^Signed-by:\|^Signatures:" log &&
	manifold log --oneline "$L" >log &&
	! grep "signed" log &&
	manifold inspect --format table "$L" >table &&
	test_grep "^Signed by: -$" table &&
	test_grep "^PLATFORM .* DIGEST$" table &&
	manifold inspect "$L" >json.before &&
	manifold inspect -v "$L" >verbose.before &&
	manifold inspect "$L" "$A" >entry.before
'

test_expect_success 'signed with one key: its fingerprint, short in ls and --oneline, full elsewhere' '
	manifold sign --key k1.key "$L" >/dev/null &&
	manifold verify --format json --key k1.pub "$L" >v.json &&
	test_grep "\"key\": \"$K1\"" v.json &&
	manifold ls >out &&
	test_grep "^$L  .*  $(short $K1)$" out &&
	manifold ls --no-trunc >out &&
	test_grep "^$L  .*  $K1$" out &&
	manifold ls --format json >json &&
	test_grep "\"signatures\": 1, \"signers\": \[\"$K1\"\]}$" json &&
	python3 -m json.tool json >/dev/null &&
	manifold log "$L" >log &&
	cat >expect <<-EOF &&
	Signed-by: $K1
	EOF
	grep "^Signed-by:\|^Signatures:" log >actual &&
	test_cmp expect actual &&
	sed -n 4,6p log >actual &&
	printf "Command: %s\nSigned-by: %s\n\n" "manifold create --format oci $L oci:src:a oci:src:b" "$K1" >expect &&
	test_cmp expect actual &&
	manifold log --oneline "$L" >log &&
	test_grep "^$L@{0} [0-9a-f]\{12\} .* (+2 -0 ~0) \[signed: $(short $K1)\]$" log
'

test_expect_success 'inspect --format table: Signed by for the list, a SIGNED column per entry' '
	manifold inspect --format table "$L" >table &&
	test_grep "^Signed by: $K1$" table &&
	test_grep "^PLATFORM  *TYPE  *SIZE  *DIGEST  *SIGNED$" table &&
	test_grep "^linux/amd64  *oci  *[0-9]*  *$A  $(short $K1)$" table &&
	test_grep "^linux/arm64/v8  *oci  *[0-9]*  *$B  $(short $K1)$" table &&
	manifold inspect --format table "$L" "$A" >table &&
	test_grep "^Signed by: $K1$" table &&
	manifold inspect --format table "$A" >table &&
	test_grep "^Signed by: $K1$" table &&
	! grep -i verified table
'

test_expect_success 'inspect json, -v and an entry stay as docker prints them' '
	manifold inspect "$L" >actual &&
	test_cmp json.before actual &&
	manifold inspect -v "$L" >actual &&
	test_cmp verbose.before actual &&
	manifold inspect "$L" "$A" >actual &&
	test_cmp entry.before actual
'

test_expect_success 'a second key: both, each once; ls and --oneline count them' '
	manifold sign --key k2.key "$L" >/dev/null &&
	manifold sign --key k1.key "$L" >/dev/null &&
	manifold ls >out &&
	test_grep "^$L  .*  2 keys$" out &&
	manifold ls --format json >json &&
	test_grep "\"signatures\": 2, \"signers\": \[\"$K1\", \"$K2\"\]}$" json &&
	manifold log "$L" >log &&
	printf "Signed-by: %s\n" "$K1" "$K2" >expect &&
	grep "^Signed-by:\|^Signatures:" log >actual &&
	test_cmp expect actual &&
	manifold log --oneline "$L" >log &&
	test_grep "^$L@{0} .* \[signed: 2 keys\]$" log &&
	manifold inspect --format table "$L" >table &&
	test_grep "^Signed by: $K1, $K2$" table &&
	test_grep "^linux/amd64 .* $A  2 keys$" table
'

test_expect_success 'amended: the new version is unsigned, the old one keeps its signers' '
	manifold create --amend --format oci "$L" oci:src:c >/dev/null &&
	manifold ls >out &&
	test_grep "^$L  .*  -$" out &&
	manifold log "$L" >log &&
	sed -n "\\|^$L@{0} |,\\|^$L@{1} |p" log >log0 &&
	test_grep "^Command: manifold create --amend " log0 &&
	! grep "^Signed-by:\|^Signatures:" log0 &&
	sed -n "\\|^$L@{1} |,\$p" log >log1 &&
	test_grep "^$L@{1} $LIST$" log1 &&
	printf "Signed-by: %s\n" "$K1" "$K2" >expect &&
	grep "^Signed-by:" log1 >actual &&
	test_cmp expect actual &&
	manifold log --oneline "$L" >log &&
	test_grep "^$L@{0} [0-9a-f]\{12\} .* (+1 -0 ~0)$" log &&
	test_grep "^$L@{1} .* \[signed: 2 keys\]$" log &&
	manifold inspect --format table "$L" >table &&
	test_grep "^Signed by: -$" table &&
	test_grep "^linux/amd64 .* $A  2 keys$" table &&
	test_grep "^linux/s390x .* $C  -$" table &&
	manifold inspect --format table "$L@{1}" >table &&
	test_grep "^Signed by: $K1, $K2$" table
'

test_expect_success 'a list in a layout (not the store): no signers claimed' '
	manifold export -o oci:lay "$L" >/dev/null &&
	manifold inspect --format table "oci:lay:$L" >table &&
	test_grep "^Digest:   $(manifold rev-parse "$L")$" table &&
	! grep "^Signed by" table &&
	test_grep "^PLATFORM .* DIGEST$" table
'

F=example.com/other/app:v1
test_expect_success SIGVERIFY 'signed by another tool: counted, no key named' '
	manifold create --format oci "$F" oci:src:c >/dev/null &&
	FL=$(manifold rev-parse "$F") &&
	manifold export -o oci:ext "$F" >/dev/null &&
	sigverify make-key ecdsa-p256 pass py.key py.pub &&
	sigverify attach "oci:ext:$F" py.key pass "$F" &&
	sigverify attach "oci:ext:$F" py.key pass "$F" &&
	export MANIFOLD_DIR=$TRASH/ext-store &&
	manifold import oci:ext >/dev/null &&
	manifold ls >out &&
	test_grep "^$F  .*  2 signatures, no key named$" out &&
	manifold ls --format json >json &&
	test_grep "\"signatures\": 2, \"signers\": \[\]}$" json &&
	manifold log "$F" >log &&
	test_grep "^Signatures: 2 (no key named)$" log &&
	! grep "^Signed-by:" log &&
	manifold log --oneline "$F" >log &&
	test_grep "^$F@{0} .* \[signed: 2 signatures, no key named\]$" log &&
	manifold inspect --format table "$F" >table &&
	test_grep "^Signed by: 2 signatures, no key named$" table &&
	test_grep "^linux/s390x .* $C  2 signatures, no key named$" table
'

test_expect_success SIGVERIFY 'signed by another tool and by manifold: the named key, all counted' '
	export MANIFOLD_DIR=$TRASH/ext-store &&
	manifold sign --key k1.key "$F" >/dev/null &&
	manifold ls >out &&
	test_grep "^$F  .*  $(short $K1)$" out &&
	manifold ls --format json >json &&
	test_grep "\"signatures\": 3, \"signers\": \[\"$K1\"\]}$" json &&
	manifold log "$F" >log &&
	test_grep "^Signed-by: $K1$" log &&
	! grep "^Signatures:" log
'

test_done
