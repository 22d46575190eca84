# lib-history.sh: hand-made lists for the ls, log and diff tests, built
# with plumbing only (no registry needed).
#
#   mklist docker|oci ENTRY...   store a list, print its digest; ENTRY is
#                                DIGEST=OS/ARCH[/VARIANT] or DIGEST=- (no
#                                platform)
#   setlist MSG LIST DIGEST      point lists/LIST at DIGEST, reflog MSG
#   H1..H4                       four manifest digests (sha256 of a..d)

h_digest() {
	echo "sha256:$(printf %s "$1" | sha256sum | cut -c1-64)"
}
H1=$(h_digest a)
H2=$(h_digest b)
H3=$(h_digest c)
H4=$(h_digest d)

mklist() {
	local fmt=$1 lmt emt sep= e d p os rest arch var plat
	shift
	if test "$fmt" = oci; then
		lmt=application/vnd.oci.image.index.v1+json
		emt=application/vnd.oci.image.manifest.v1+json
	else
		lmt=application/vnd.docker.distribution.manifest.list.v2+json
		emt=application/vnd.docker.distribution.manifest.v2+json
	fi
	{
		printf '{"schemaVersion":2,"mediaType":"%s","manifests":[' "$lmt"
		for e; do
			d=${e%%=*} p=${e#*=}
			os=${p%%/*} rest=${p#*/}
			arch=${rest%%/*} var=
			case $rest in */*) var=${rest#*/} ;; esac
			plat=
			test "$p" = - ||
				plat=$(printf ',"platform":{"architecture":"%s","os":"%s"%s}' \
					"$arch" "$os" "${var:+,\"variant\":\"$var\"}")
			printf '%s{"mediaType":"%s","size":500,"digest":"%s"%s}' \
				"$sep" "$emt" "$d" "$plat"
			sep=,
		done
		printf ']}'
	} | manifold hash-object -w --stdin
}

setlist() {
	manifold update-ref -m "$1" "lists/$2" "$3"
}
