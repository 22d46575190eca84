#!/bin/bash
# Install what is missing, build, and show manifold's main job end to end.
#
# Today that is the plumbing on a throwaway store: store two image
# manifests, assemble a multi-platform index from them, name it, change
# it, and read every version back offline.  (The registry round trip
# arrives with the registry transport.)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash contrib/install-deps.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
export PATH="$top/build:$PATH"
M=manifold

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MANIFOLD_DIR="$work/store"
cd "$work"

step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# A small image manifest for one platform (layers are only referenced).
manifest() {
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
	printf '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},' \
		"$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)" "${#1}"
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
manifest armv7 >armv7.json
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
