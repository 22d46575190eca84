#!/bin/bash
# Install what is missing, build, and show manifold's main job end to end.
#
# First the plumbing on a throwaway store: store image manifests,
# assemble a multi-platform index, name it, change it, read every version
# back offline.  Then the porcelain against a throwaway registry on
# 127.0.0.1, the job `docker manifest` does: list a registry's tags, create
# a list from two single-platform images, annotate an entry, inspect it
# (docker's JSON and a table), and read its history: every version stays
# inspectable after the registry is gone.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# MANIFOLD_BUILD_DIR: use that build as it is (the test suite does).
if [ -n "${MANIFOLD_BUILD_DIR:-}" ] && [ -x "$MANIFOLD_BUILD_DIR/manifold" ]; then
	export PATH="$MANIFOLD_BUILD_DIR:$PATH"
else
	bash contrib/install-deps.sh
	cmake -S . -B build >/dev/null
	cmake --build build -j"$(nproc)" >/dev/null
	export PATH="$top/build:$PATH"
fi
M=manifold

work=$(mktemp -d)
reg_pid=
trap '[ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null; rm -rf "$work"' EXIT
export MANIFOLD_DIR="$work/store"
cd "$work"

step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# A small image manifest for one platform: its config is stored too (a
# list's images must have their configs); layers stay in registries.
manifest() {
	local arch=${1%%v*} cfg cfgd
	cfg=$(printf '{"architecture":"%s","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' "$arch")
	cfgd=$(printf '%s' "$cfg" | "$M" hash-object -w --stdin)
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
	printf '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},' \
		"$cfgd" "${#cfg}"
	printf '"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
		"$(printf 'layer-%s' "$1" | sha256sum | cut -d' ' -f1)" 31337
}
# One index entry: digest, size, os, arch[, variant].
entry() {
	printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d,' "$1" "$2"
	printf '"platform":{"architecture":"%s","os":"%s"%s}}' "$4" "$3" \
		"${5:+,\"variant\":\"$5\"}"
}

step "Store two single-platform image manifests (content-addressed, exact bytes)"
manifest amd64 >amd64.json
manifest arm64 >arm64.json
manifest armv7 >armv7.json   # "arm" with variant v7
run "$M" hash-object -w amd64.json arm64.json armv7.json
a=$("$M" hash-object amd64.json); b=$("$M" hash-object arm64.json); c=$("$M" hash-object armv7.json)

step "Assemble a multi-platform index and name it"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
	"$(entry "$a" "$(wc -c <amd64.json)" linux amd64)" \
	"$(entry "$b" "$(wc -c <arm64.json)" linux arm64)" >v1.json
v1=$("$M" hash-object -w v1.json)
run "$M" update-ref -m "create: amd64 + arm64" lists/example.com/app:v1 "$v1" ""
run "$M" show-ref

step "Add a platform: compare-and-swap against the version we read"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s,%s]}' \
	"$(entry "$a" "$(wc -c <amd64.json)" linux amd64)" \
	"$(entry "$b" "$(wc -c <arm64.json)" linux arm64)" \
	"$(entry "$c" "$(wc -c <armv7.json)" linux arm v7)" >v2.json
v2=$("$M" hash-object -w v2.json)
run "$M" update-ref -m "add linux/arm/v7" lists/example.com/app:v1 "$v2" "$v1"
echo "# a writer holding the old value loses instead of overwriting:"
printf '$ %s\n' "manifold update-ref lists/example.com/app:v1 $v1 $v1"
"$M" update-ref lists/example.com/app:v1 "$v1" "$v1" || echo "(exit $?)"

step "Every version stays inspectable offline"
run "$M" reflog example.com/app:v1
run "$M" rev-parse example.com/app:v1@{1}
run "$M" cat-manifest -p example.com/app:v1

step "Scripts get stable plumbing: batch lookups and a consistency check"
printf '%s\n' "$v1" "$v2" "sha256:$(printf x | sha256sum | cut -d' ' -f1)" |
	run "$M" cat-manifest --batch-check
run "$M" fsck

step "A throwaway registry on 127.0.0.1, seeded with two single-platform images"
port=$((20000 + RANDOM % 10000))
mkdir -p "$work/registry"
cat >"$work/registry/config.yml" <<YML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $work/registry/data }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port }
YML
# distribution reads REGISTRY_* variables as configuration: start it without.
env -u REGISTRY_HTTP_ADDR docker-registry serve "$work/registry/config.yml" \
	>"$work/registry/log" 2>&1 &
reg_pid=$!
for _ in $(seq 1 100); do
	curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break
	sleep 0.1
done
R=127.0.0.1:$port
# linux/arm64 without its variant: the annotate step adds it (docker's own
# example: `docker manifest annotate --arch arm64 --variant v8`).
for p in linux/amd64 linux/arm64; do
	tag=$(echo "$p" | tr / -)
	python3 "$top/tests/registry/seed.py" image --layout "$work/layout" \
		--ref "$tag" --platform "$p" >/dev/null
	skopeo copy -q --dest-tls-verify=false "oci:$work/layout:$tag" \
		"docker://$R/demo/app:$tag"
done
echo "registry at $R holds demo/app:linux-amd64 and demo/app:linux-arm64"

step "List the tags and their digests (plain HTTP is allowed on loopback)"
run "$M" ls-remote "$R/demo/app"

step "Fetch both images: each manifest verified against its digest, with its config"
run "$M" fetch-manifest "$R/demo/app:linux-amd64" "$R/demo/app:linux-arm64"
x=$("$M" fetch-manifest "$R/demo/app:linux-amd64")
y=$("$M" fetch-manifest "$R/demo/app:linux-arm64")

step "Assemble a list of them locally and name it; it is inspectable offline"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
	"$(entry "$x" "$("$M" cat-manifest -s "$x")" linux amd64)" \
	"$(entry "$y" "$("$M" cat-manifest -s "$y")" linux arm64)" >demo.json
d=$("$M" hash-object -w demo.json)
run "$M" update-ref -m "from $R" "lists/$R/demo/app:v1" "$d" ""

# The porcelain does all of the above in one command, as docker does.
L=$R/demo/app:multi
step "Create a list from the two images (docker manifest create, atomic)"
run "$M" create --insecure "$L" "$R/demo/app:linux-amd64" "$R/demo/app:linux-arm64"

step "Annotate an entry: the arm64 image is arm64/v8"
run "$M" annotate "$L" "$R/demo/app:linux-arm64" --variant v8

step "Inspect the list: docker's JSON, and a table"
run "$M" inspect "$L"
run "$M" inspect --format table "$L"

kill "$reg_pid"; wait "$reg_pid" 2>/dev/null || true; reg_pid=
step "History, offline: every version of the list stays inspectable"
echo "# the registry is gone now; everything below is read from the store"
run "$M" log "$L"
echo "# the version before the annotate:"
run "$M" inspect --format table "$L@{1}"
run "$M" rev-parse "$R/demo/app:v1:linux/arm64"
run "$M" fsck
