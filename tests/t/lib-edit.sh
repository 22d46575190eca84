# lib-edit.sh: for the tests of the commands that edit local lists
# (annotate, remove, restore), after lib-porcelain.sh.
#
# fails_cleanly CMD ARGS...   `manifold CMD ARGS...` exits with status 1,
#                             prints nothing on stdout (its stderr is left
#                             in ./err) and leaves the store as it was.

fails_cleanly() {
	store_snapshot >before &&
	test_must_fail --code=1 manifold "$@" >out 2>err &&
	test_line_count = 0 out &&
	store_snapshot >after &&
	test_cmp before after
}
