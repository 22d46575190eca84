#!/bin/bash
# Install what manifold needs to build and test, from Debian 12's packages.
# As root it runs apt-get for whatever is missing; otherwise it names the
# packages to install and fails.  Used by check.sh and quickstart.sh.
#
#   contrib/install-deps.sh [--fuzz] [--test]
#     --fuzz   also clang, for the fuzz targets
#     --test   also the tools only tests use (below).  Not being root,
#              missing ones are named and the tests that need them skip
#              (with CI=true check.sh counts a skip as a failure).
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
# Used only by tests (--test):
#   docker.io   the docker CLI, for the comparisons with `docker manifest`
#               (t3000, t6000, t6010, t6020, t6030, t6071, lib-login);
#               no engine is started, the tests fence it to 127.0.0.1.
#               A docker CLI from elsewhere (docker's own packages) does.
#   zsh         t0001 checks the zsh completion's syntax and options
#   groff-base  t0001 renders the man pages
#   umoci, jq   judge the OCI layouts manifold writes (t7000, t7001,
#               t7010, t7100, t7200)
#   podman      t6076 compares its --digestfile with ours
#   python3-cryptography  the independent signature verifier (t8000-t8011)
TEST_PACKAGES=(docker.io zsh groff-base umoci jq podman python3-cryptography)

test_tools=0
for arg; do
	case $arg in
	--fuzz) PACKAGES+=(clang libclang-rt-dev) ;;
	--test) test_tools=1 ;;
	*) echo "usage: contrib/install-deps.sh [--fuzz] [--test]" >&2; exit 2 ;;
	esac
done

# missing NAME...: those of the packages not installed.
missing() {
	local p
	for p; do
		[ "$p" = docker.io ] && command -v docker >/dev/null 2>&1 && continue
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			echo "$p"
	done
}

mapfile -t need < <(missing "${PACKAGES[@]}")
test_need=()
[ "$test_tools" = 1 ] && mapfile -t test_need < <(missing "${TEST_PACKAGES[@]}")
if [ "$(id -u)" != 0 ]; then
	if [ ${#test_need[@]} -gt 0 ]; then
		echo "the tests that need these Debian packages will be skipped: ${test_need[*]}" >&2
		echo "install them with: sudo apt-get install ${test_need[*]}" >&2
	fi
	if [ ${#need[@]} -gt 0 ]; then
		echo "manifold needs these Debian packages: ${need[*]}" >&2
		echo "install them with: sudo apt-get install ${need[*]}" >&2
		exit 1
	fi
	exit 0
fi
need+=("${test_need[@]}")
if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi
echo "installing: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
