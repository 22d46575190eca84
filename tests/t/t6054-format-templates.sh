#!/bin/bash
test_description='--format Go templates on inspect, ls, log and ls-remote'
. ./test-lib.sh
. "$MANIFOLD_SOURCE_DIR/tests/t/lib-history.sh"

APPL=127.0.0.1:5000/library/app:l
T0=1700000000
export MANIFOLD_COMMITTER_NAME="Ada Lovelace" MANIFOLD_COMMITTER_EMAIL=ada@example.com
x() { local x=${1#sha256:}; echo "${x:0:12}"; }

test_expect_success 'setup: a docker list changed once, and an OCI index' '
	L1=$(mklist docker "$H1=linux/amd64") &&
	L2=$(mklist docker "$H1=linux/amd64" "$H2=linux/arm64/v8") &&
	L3=$(mklist oci "$H3=linux/s390x" "$H4=-") &&
	MANIFOLD_COMMITTER_DATE="$T0 +0000" setlist "manifold create $APPL a" "$APPL" "$L1" &&
	MANIFOLD_COMMITTER_DATE="$((T0 + 60)) +0000" setlist "manifold create --amend $APPL a b" "$APPL" "$L2" &&
	MANIFOLD_COMMITTER_DATE="$T0 +0000" setlist "manifold create other" docker.io/library/other:latest "$L3" &&
	printf "%s\n" "$L1" "$L2" "$L3" >digests
'

test_expect_success 'ls: docker image ls names and the json fields, one line per list' '
	{ read L1 && read L2 && read L3; } <digests &&
	cat >expect <<-EOF &&
	127.0.0.1:5000/library/app|l|$(x $L2)|2|linux/amd64,linux/arm64/v8|docker|$L2
	docker.io/library/other|latest|$(x $L3)|2|linux/s390x,-|oci|$L3
	EOF
	manifold ls --format "{{.Repository}}|{{.Tag}}|{{.ID}}|{{.Entries}}|{{join .Platforms \",\"}}|{{.Format}}|{{.Digest}}" >actual &&
	test_cmp expect actual &&
	manifold ls --format "{{.Name}}" "app:*" >actual &&
	echo "$APPL" >expect &&
	test_cmp expect actual
'

test_expect_success 'ls: a table template aligns under docker-style headers' '
	cat >expect <<-EOF &&
	REPOSITORY                   TAG       ENTRIES   MEDIA TYPE
	127.0.0.1:5000/library/app   l         2         application/vnd.docker.distribution.manifest.list.v2+json
	docker.io/library/other      latest    2         application/vnd.oci.image.index.v1+json
	EOF
	manifold ls --format "table {{.Repository}}\t{{.Tag}}\t{{.Entries}}\t{{.MediaType}}" >actual &&
	test_cmp expect actual &&
	manifold ls --format table >actual &&
	manifold ls >expect &&
	test_cmp expect actual
'

test_expect_success 'inspect: the manifest members with .Name, .Digest, .Size, .Manifest' '
	{ read L1 && read L2 && read L3; } <digests &&
	size=$(manifold cat-manifest "$L2" | wc -c) &&
	cat >expect <<-EOF &&
	$APPL $L2 $size application/vnd.docker.distribution.manifest.list.v2+json 2
	$H1 linux/amd64 500
	$H2 linux/arm64/v8 500
	EOF
	manifold inspect --format "{{.Name}} {{.Digest}} {{.Size}} {{.MediaType}} {{.SchemaVersion}}{{range .Manifests}}\n{{.Digest}} {{.Platform.OS}}/{{.Platform.Architecture}}{{with .Platform.Variant}}/{{.}}{{end}} {{.Size}}{{end}}" "$APPL" >actual &&
	test_cmp expect actual &&
	manifold inspect --format "{{json .Manifest}}" "$APPL" >actual &&
	{ manifold cat-manifest "$L2" && echo; } >expect &&
	test_cmp expect actual &&
	manifold inspect --format "{{len .Manifest.Manifests}}" "$APPL" >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_expect_success 'inspect: a table template has one row per entry' '
	manifold inspect --format "table {{.Digest}}\t{{with .Platform}}{{.Architecture}}{{else}}-{{end}}\t{{.Size}}" other >actual &&
	cat >expect <<-EOF &&
	DIGEST                                                                    ARCHITECTURE   SIZE
	$H3   s390x          500
	$H4   -              500
	EOF
	test_cmp expect actual
'

test_expect_success 'inspect -v: the template runs over the verbose document' '
	cat >expect <<-EOF &&
	$H1 amd64;$H2 arm64;
	EOF
	manifold inspect -v --format "{{range .}}{{.Descriptor.Digest}} {{.Descriptor.Platform.Architecture}};{{end}}" "$APPL" >actual &&
	test_cmp expect actual
'

test_expect_success 'inspect without a template is unchanged; --raw refuses a template' '
	manifold inspect "$APPL" >expect &&
	manifold inspect --format json "$APPL" >actual &&
	test_cmp expect actual &&
	test_must_fail --code=125 manifold inspect --raw --format "{{.Name}}" "$APPL" 2>err &&
	grep "^--raw cannot be combined with --verbose or --format$" err
'

test_expect_success 'log: each version with its changes' '
	{ read L1 && read L2 && read L3; } <digests &&
	cat >expect <<-EOF &&
	$APPL@{0} $L2 2023-11-14T22:14:20+00:00 manifold create --amend $APPL a b +1-0~0 added:linux/arm64/v8:$H2
	$APPL@{1} $L1 2023-11-14T22:13:20+00:00 manifold create $APPL a +1-0~0 added:linux/amd64:$H1
	EOF
	manifold log --format "{{.Ref}} {{.Digest}} {{.Date}} {{.Command}} +{{.Added}}-{{.Removed}}~{{.Changed}}{{range .Changes}} {{.Change}}:{{.Platform}}:{{.Digest}}{{end}}" "$APPL" >actual &&
	test_cmp expect actual &&
	manifold log --format "{{.Index}} {{.Previous}} {{.By}}" -n 1 "$APPL" >actual &&
	echo "0 $L1 Ada Lovelace <ada@example.com>" >expect &&
	test_cmp expect actual
'

test_expect_success 'log: --format takes a template only, alone' '
	test_must_fail --code=125 manifold log --format json "$APPL" 2>err &&
	grep "^invalid argument \"json\" for \"--format\" flag: expected a template$" err &&
	test_must_fail --code=125 manifold log --oneline --format "{{.Ref}}" "$APPL" 2>err &&
	grep "^--format cannot be combined with --oneline or --patch$" err
'

test_expect_success 'an unknown field: one line naming it and the fields there, exit 1' '
	test_must_fail --code=1 manifold inspect --format "{{.Nmae}}" "$APPL" >out 2>err &&
	test_line_count = 0 out &&
	echo "template parsing error: template: :1:2: executing \"\" at <.Nmae>: field Nmae not found; fields: Name, Digest, Size, Manifest, SchemaVersion, MediaType, Manifests" >expect &&
	test_cmp expect err &&
	test_must_fail --code=1 manifold ls --format "{{range .Platforms}}{{.Os}}{{end}}" 2>err &&
	test_stderr_line "^template parsing error: template: :1:22: executing \"\" at <.Os>: can.t evaluate field Os in type string$" err &&
	test_must_fail --code=1 manifold log --format "{{.Changes.X}}" "$APPL" 2>err &&
	test_stderr_line "can.t evaluate field X in type \[\]interface [{]}$" err
'

test_expect_success 'a syntax error names its position, exit 1, nothing printed' '
	test_must_fail --code=1 manifold ls --format "{{.Name" >out 2>err &&
	test_line_count = 0 out &&
	echo "template parsing error: template: :1:7: unclosed action" >expect &&
	test_cmp expect err &&
	test_must_fail --code=1 manifold inspect --format "{{if .Name}}" "$APPL" 2>err &&
	test_stderr_line "^template parsing error: template: :1:12: unexpected EOF$" err &&
	test_must_fail --code=1 manifold log --format "{{nope .}}" "$APPL" 2>err &&
	test_stderr_line "^template parsing error: template: :1:2: function \"nope\" not defined$" err
'

. "$MANIFOLD_SOURCE_DIR/tests/t/lib-registry.sh"

test_expect_success 'ls-remote and a remote inspect against a registry' '
	start_registry plain &&
	AMD=$(seed_image public/app:amd64 --platform linux/amd64 --format docker) &&
	ARM=$(seed_image public/app:arm64 --platform linux/arm64/v8 --format docker) &&
	LIST=$(seed_index public/app:v1 :amd64 :arm64) &&
	R=$REGISTRY &&
	cat >expect <<-EOF &&
	amd64 $AMD $R/public/app
	arm64 $ARM $R/public/app
	v1 $LIST $R/public/app
	EOF
	manifold ls-remote --format "{{.Tag}} {{.Digest}} {{.Repository}}" $R/public/app >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	TAG       DIGEST
	v1        $LIST
	EOF
	manifold ls-remote --format "table {{.Tag}}\t{{.Digest}}" $R/public/app v1 >actual &&
	test_cmp expect actual &&
	echo "v1 <nil>" >expect &&
	manifold ls-remote --tags-only --format "{{.Tag}} {{.Digest}}" $R/public/app v1 >actual &&
	test_cmp expect actual &&
	test_must_fail --code=128 manifold ls-remote --format "{{.Tga}}" $R/public/app v1 2>err &&
	test_stderr_line "^fatal: template parsing error: template: :1:2: executing \"\" at <.Tga>: field Tga not found; fields: Repository, Tag, Digest$" err &&
	test_must_fail --code=129 manifold ls-remote --format json $R/public/app 2>err &&
	cat >expect <<-EOF &&
	$R/public/app:v1 $LIST amd64,arm64
	EOF
	manifold inspect --format "{{.Name}} {{.Digest}} {{range \$i, \$m := .Manifests}}{{if \$i}},{{end}}{{\$m.Platform.Architecture}}{{end}}" $R/public/app:v1 >actual &&
	test_cmp expect actual
'

test_done
