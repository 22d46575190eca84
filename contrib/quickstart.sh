#!/bin/bash
# Install what is missing, build, and show manifold's main job end to end,
# the job `docker manifest` does, against a throwaway registry on 127.0.0.1:
#
#   1. create a multi-platform list from two single-platform images,
#   2. annotate an entry and inspect the list as a table,
#   3. sign it offline (the list and each image, cosign's format),
#   4. push it, read it back with an independent client (curl) and check
#      that the bytes the registry serves hash to manifold's digest, and
#      verify the signatures on the registry,
#   5. its history, offline: log, diff, and restore an older version.
#
# A glance at the plumbing underneath comes last.
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

work=$(mktemp -d)
reg_pid=
trap '[ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null; rm -rf "$work"' EXIT
export MANIFOLD_DIR="$work/store"	# a store of its own, thrown away at the end
cd "$work"

step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
# run CMD...: show CMD (quoted where it needs it), then run it.
run() {
	printf '$'
	for a; do
		case $a in *[[:space:]]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
	done
	printf '\n'
	"$@"
}

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
echo "(plain HTTP is allowed on loopback, as docker allows it)"

L=$R/demo/app:v1
step "Create a list from the two images (docker manifest create)"
run manifold create "$L" "$R/demo/app:linux-amd64" "$R/demo/app:linux-arm64"

step "Annotate an entry: the arm64 image is arm64/v8"
run manifold annotate "$L" "$R/demo/app:linux-arm64" --variant v8

step "Inspect the list as a table"
echo "# (without --format: docker's JSON, the very bytes push sends)"
run manifold inspect --format table "$L"

step "Sign it offline: the list and each image, with a key you hold"
echo "# cosign's key format; the passphrase comes from a file, the environment"
echo "# or the terminal (here MANIFOLD_PASSPHRASE, for the demo only)"
export MANIFOLD_PASSPHRASE=demo-only
run manifold generate-key demo
run manifold sign --key demo.key "$L"

step "Push it: only what the registry lacks is sent, the list last"
echo "# the signatures go too, under the tags cosign and skopeo look for"
echo "# prints the list's digest; \"push LIST TARGET...\" would push it to each TARGET instead"
run manifold push "$L" | tee pushed
pushed=$(tail -n 1 pushed)

step "Read it back with an independent client: the registry serves exactly those bytes"
accept="application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json"
run curl -fsS -H "Accept: $accept" -o served.json "http://$R/v2/demo/app/manifests/v1"
run sha256sum served.json | tee sum
served="sha256:$(tail -n 1 sum | cut -d' ' -f1)"
echo "manifold pushed:     $pushed"
echo "sha256 of the bytes: $served"
if [ "$served" != "$pushed" ] || [ "$pushed" != "$(manifold rev-parse "$L")" ]; then
	echo "the digests differ: this is a bug" >&2
	exit 1
fi
echo "digests agree: $served"
echo "# and the signatures, checked on the registry with the public key"
run manifold verify --remote --key demo.pub "$L"

kill "$reg_pid"; wait "$reg_pid" 2>/dev/null || true; reg_pid=
step "History, offline: every version of the list stays in the store"
echo "# the registry is gone now; everything below is read from the store"
run manifold log "$L"
echo "# what the annotate changed:"
run manifold diff "$L@{1}" "$L"
echo "# undo it: the version before the annotate becomes current again,"
echo "# recorded like any other change (the annotated one stays in the log)"
run manifold restore "$L@{1}"
run manifold inspect --format table "$L"
run manifold log --oneline "$L"

step "Underneath: plumbing for scripts (lists are refs, versions are reflog entries)"
echo "# lists/ is the local list (restored), remotes/ what the registry was last seen to hold"
run manifold show-ref
run manifold rev-parse "$L:linux/arm64"
run manifold fsck
