# lib-bench.sh: what the registry benchmarks (porcelain.sh, push.sh) share.
#
#   bench_setup NAME   a temporary directory in $tmp (removed at exit), the
#                      test suite's registry library (tests/t/lib-registry.sh)
#                      loaded with it as TRASH, and the fence both manifold
#                      and docker run behind: docker gets its own config
#                      directory ($tmp/docker-cfg) and no engine, every proxy
#                      variable points at the dead port 127.0.0.1:9 with
#                      NO_PROXY=127.0.0.1, so nothing leaves 127.0.0.1;
#                      MANIFOLD_DIR is $tmp/store.
# Needs $here (the bench directory).

bench_setup() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/manifold-bench-$1.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# lib-registry.sh chains its own EXIT trap (stop the registry) before ours.
	export TRASH=$tmp MANIFOLD_SOURCE_DIR=$here/..
	# shellcheck source=../tests/t/lib-registry.sh
	. "$here/../tests/t/lib-registry.sh"
	unset MANIFOLD_MODULE_PATH

	mkdir -p "$tmp/docker-cfg"
	echo '{}' >"$tmp/docker-cfg/config.json"
	export DOCKER_CONFIG=$tmp/docker-cfg DOCKER_HOST=unix:///nonexistent \
		HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
		http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
		ALL_PROXY=http://127.0.0.1:9 all_proxy=http://127.0.0.1:9 \
		NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
	export MANIFOLD_DIR=$tmp/store
}
