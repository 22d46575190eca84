# lib-porcelain.sh: a registry seeded with small single-platform images
# for the porcelain tests, and the real docker CLI fenced to 127.0.0.1.
#
#   . ./test-lib.sh
#   . "$MANIFOLD_SOURCE_DIR/tests/t/lib-porcelain.sh"
#   porcelain_setup [MODE]        # start_registry MODE (default plain),
#                                 # seed the images below
#   manifold create --insecure "$APP:multi" "$APP:amd64" "$APP:arm64"
#   test "${D[amd64]}" = "$(...)"
#
# Variables after porcelain_setup:
#   R     127.0.0.1:PORT (the registry)    APP  $R/library/app
#   D[TAG]  the manifest digest of library/app:TAG, for the tags
#           amd64 arm64 armv7 s390x ppc64le windows-amd64 (Docker v2s2),
#           amd64-oci arm64-oci (OCI), noplatform (no os/arch in config)
#   D[other-amd64], D[other-riscv64]  other/app:amd64, other/app:riscv64
#   D[index]  library/app:index, an OCI index of amd64-oci and arm64-oci
#   D[list]   library/app:list, a Docker list of amd64 and arm64
#
# docker_cli ARGS...   the real docker CLI with its own config directory
#                      ($TRASH/docker-cfg), no engine, every proxy pointed
#                      at a dead port, so it only reaches 127.0.0.1.
#                      Returns 77 (skip) when docker is not installed.
# have_docker          0 when the docker CLI is there; else 1, and the
#                      test is marked as having skipped a part
#                      (test_skip_part), so the file exits 77.

. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

declare -A D

_porcelain_seed() {
	local key=$1 ref=$2
	shift 2
	D[$key]=$(seed_image "$ref" --seed "$key" "$@") && test -n "${D[$key]}" || {
		echo "Bail out! could not seed $ref"
		exit 1
	}
}

porcelain_setup() {
	start_registry "${1:-plain}"
	R=$REGISTRY
	APP=$R/library/app
	_porcelain_seed amd64 library/app:amd64 --format docker --platform linux/amd64
	_porcelain_seed arm64 library/app:arm64 --format docker --platform linux/arm64/v8
	_porcelain_seed armv7 library/app:armv7 --format docker --platform linux/arm/v7
	_porcelain_seed s390x library/app:s390x --format docker --platform linux/s390x
	_porcelain_seed ppc64le library/app:ppc64le --format docker --platform linux/ppc64le
	_porcelain_seed windows-amd64 library/app:windows-amd64 --format docker \
		--platform windows/amd64 --os-version 10.0.17763.5830 --os-features win32k
	_porcelain_seed amd64-oci library/app:amd64-oci --format oci --platform linux/amd64
	_porcelain_seed arm64-oci library/app:arm64-oci --format oci --platform linux/arm64/v8
	_porcelain_seed noplatform library/app:noplatform --format docker --platform none
	_porcelain_seed other-amd64 other/app:amd64 --format docker --platform linux/amd64
	_porcelain_seed other-riscv64 other/app:riscv64 --format docker --platform linux/riscv64
	D[index]=$(seed_index library/app:index :amd64-oci :arm64-oci) || exit 1
	D[list]=$(seed_index library/app:list --format docker :amd64 :arm64) || exit 1
}

have_docker() {
	test_have_prereq DOCKER && return 0
	test_skip_part "no docker CLI: the comparison with docker manifest was not made"
	return 1
}

docker_cli() {
	have_docker || return 77
	mkdir -p "$TRASH/docker-cfg" &&
	{ test -f "$TRASH/docker-cfg/config.json" ||
		echo '{}' >"$TRASH/docker-cfg/config.json"; } || return 1
	env DOCKER_CONFIG="$TRASH/docker-cfg" DOCKER_HOST=unix:///nonexistent \
		HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
		http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
		NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 docker "$@"
}

# docker_compare ARGS...  run `docker manifest ARGS` and `manifold ARGS`;
#                         succeed when stdout, stderr (with "docker
#                         manifest" read as "manifold") and the exit
#                         status are the same, else show the differences.
docker_compare() {
	local drc=0 mrc=0
	docker_cli manifest "$@" >cmp.d.out 2>cmp.d.err || drc=$?
	manifold "$@" >cmp.m.out 2>cmp.m.err || mrc=$?
	sed -e 's/docker manifest/manifold/g' -e 's/^docker:/manifold:/' \
		cmp.d.err >cmp.d.err2
	if cmp -s cmp.d.out cmp.m.out && cmp -s cmp.d.err2 cmp.m.err &&
	   test "$drc" = "$mrc"; then
		return 0
	fi
	echo "docker and manifold differ on: $*" >&2
	diff -u cmp.d.out cmp.m.out >&2
	diff -u cmp.d.err2 cmp.m.err >&2
	echo "exit: docker $drc, manifold $mrc" >&2
	return 1
}
