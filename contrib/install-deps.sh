#!/bin/bash
# Install what manifold needs to build and test, from Debian 12's packages.
# As root it runs apt-get for whatever is missing; otherwise it names the
# packages to install and fails.  Used by check.sh and quickstart.sh.
set -euo pipefail

# Build: compiler, CMake, pkg-config and the libraries (DESIGN.md).
# Test: cmocka, lmdb-utils (mdb_dump for corruption tests), python3 and
# openssl (test data), the real registry and skopeo (later issues).
PACKAGES=(
	gcc make cmake pkg-config
	liblmdb-dev libyajl-dev libsodium-dev libssl-dev libcurl4-openssl-dev
	libcmocka-dev lmdb-utils python3 openssl ca-certificates
	docker-registry skopeo apache2-utils curl valgrind
)
if [ "${1:-}" = "--fuzz" ]; then
	PACKAGES+=(clang libclang-rt-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "manifold needs these Debian packages: ${missing[*]}" >&2
	echo "install them with: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
