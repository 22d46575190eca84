/*
 * cli/template.c: every construct, every error, the caps, the table
 * writer and docker's formatter path.  Expected outputs are what Go's
 * text/template with docker's functions prints for the same data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/template.h"
#include "manifest/json.h"
#include "util/buf.h"
#include "util/error.h"

static const char data[] =
	"{\"name\":\"app:v1\",\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	"\"size\":1234,\"f\":1.5,\"t\":true,\"n\":null,\"e\":[],"
	"\"manifests\":[{\"digest\":\"sha256:a\",\"size\":5,"
	"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
	"{\"digest\":\"sha256:b\",\"size\":6,"
	"\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}],"
	"\"annotations\":{\"b\":\"2\",\"a\":\"<&>\"},\"tags\":[\"x\",\"y\"]}";

/* Render `t` over `data`: 0 and the output in *out, or the error code. */
static int render(const char *t, char **out)
{
	struct tmpl *tp;
	struct buf b = BUF_INIT_MAX(1 << 20);
	yajl_val v;
	int ret;

	assert_int_equal(json_parse(&v, data, strlen(data)), 0);
	*out = NULL;
	ret = tmpl_parse(&tp, t, strlen(t));
	if (!ret) {
		ret = tmpl_exec(tp, &b, v);
		tmpl_free(tp);
	}
	yajl_tree_free(v);
	if (ret) {
		buf_release(&b);
		return ret;
	}
	*out = buf_detach(&b, NULL);
	return 0;
}

static void expect(const char *t, const char *want)
{
	char *got;
	int ret = render(t, &got);

	if (ret)
		fail_msg("%s: %s", t, mf_error_last());
	if (strcmp(got, want))
		fail_msg("%s: got [%s], want [%s]", t, got, want);
	free(got);
}

static void expect_err(const char *t, int code, const char *msg)
{
	char *got;
	int ret = render(t, &got);

	if (!ret)
		fail_msg("%s: no error, output [%s]", t, got);
	assert_int_equal(ret, code);
	if (strcmp(mf_error_last(), msg))
		fail_msg("%s: message [%s], want [%s]", t, mf_error_last(), msg);
}

static void test_template__text_and_fields(void **state)
{
	(void)state;
	expect("", "");
	expect("plain text", "plain text");
	expect("{{.name}} {{.Name}} {{.MediaType}}",
	       "app:v1 app:v1 application/vnd.oci.image.index.v1+json");
	expect("{{.Size}} {{.F}} {{.T}} {{.N}}", "1234 1.5 true <nil>");
	expect("{{(index .Manifests 1).Platform.Variant}}", "v8");
	expect("{{.Manifests}}",
	       "[map[digest:sha256:a platform:map[architecture:amd64 os:linux] size:5] "
	       "map[digest:sha256:b platform:map[architecture:arm64 os:linux variant:v8] size:6]]");
	expect("{{.Annotations}} {{.E}} {{.Tags}}", "map[a:<&> b:2] [] [x y]");
	expect("{{.}}", "map[annotations:map[a:<&> b:2] e:[] f:1.5 manifests:"
	       "[map[digest:sha256:a platform:map[architecture:amd64 os:linux] size:5] "
	       "map[digest:sha256:b platform:map[architecture:arm64 os:linux variant:v8] size:6]] "
	       "mediaType:application/vnd.oci.image.index.v1+json n:<nil> name:app:v1 size:1234 "
	       "t:true tags:[x y]]");
}

static void test_template__trim_and_comments(void **state)
{
	(void)state;
	expect("a  {{- .Name -}}  \n b", "aapp:v1b");
	expect_err("a {{-.Size}}", MF_EINVALID,	/* no space: not a trim marker */
		   "template: :1:4: bad number syntax: -.Size");
	expect("{{- 3}}", "3");
	expect("{{-3}}", "-3");
	expect("x{{/* a comment */}}y", "xy");
	expect("x {{- /* a comment */ -}} y", "xy");
}

static void test_template__control(void **state)
{
	(void)state;
	expect("{{range .Manifests}}{{.Digest}}/{{.Platform.Architecture}} {{end}}",
	       "sha256:a/amd64 sha256:b/arm64 ");
	expect("{{range $i, $m := .Manifests}}{{$i}}={{$m.Digest}},{{end}}",
	       "0=sha256:a,1=sha256:b,");
	expect("{{range $m := .Manifests}}{{$m.Size}}{{end}}", "56");
	expect("{{range $k, $v := .Annotations}}{{$k}}={{$v}};{{end}}", "a=<&>;b=2;");
	expect("{{range .Annotations}}{{.}}{{end}}", "<&>2");
	expect("{{range .E}}x{{else}}empty{{end}}", "empty");
	expect("{{range .N}}x{{else}}nil{{end}}", "nil");
	expect("{{range 3}}{{.}}{{end}}", "012");
	expect("{{range split \"a,b\" \",\"}}<{{.}}>{{end}}", "<a><b>");
	expect("{{if .T}}y{{end}}{{if .N}}y{{else}}n{{end}}", "yn");
	expect("{{if eq .Size 1}}a{{else if eq .Size 1234}}b{{else}}c{{end}}", "b");
	expect("{{if 0}}a{{else if \"\"}}b{{else}}c{{end}}", "c");
	expect("{{with .Manifests}}{{len .}}{{end}}{{with .E}}x{{else}}none{{end}}",
	       "2none");
	expect("{{with .N}}x{{else with .Name}}{{.}}{{end}}", "app:v1");
	expect("{{with $x := .Size}}{{$x}}{{end}}", "1234");
	expect("{{range .Manifests}}{{$.Name}}{{end}}", "app:v1app:v1");
	expect("{{$x := 1}}{{if .T}}{{$x = 2}}{{end}}{{$x}}", "2");
	expect("{{$x := .Name}}{{$x}}", "app:v1");
}

static void test_template__functions(void **state)
{
	(void)state;
	expect("{{json .Annotations}}", "{\"b\":\"2\",\"a\":\"<&>\"}");
	expect("{{json .Name}} {{json .Size}} {{json .N}} {{json .Tags}} {{json 1.5}}",
	       "\"app:v1\" 1234 null [\"x\",\"y\"] 1.5");
	expect("{{json \"\\u2028\\x01\\n\\\"\"}}", "\"\\u2028\\u0001\\n\\\"\"");
	expect("{{.Name | json}}", "\"app:v1\"");
	expect("{{join .Tags \",\"}} {{join (split .Name \":\") \"-\"}}", "x,y app-v1");
	expect("{{split .Name \":\"}} {{len (split \"abc\" \"\")}}", "[app v1] 3");
	expect("{{lower \"AbC\"}} {{upper .Name}} {{title \"hello wide-world\"}}",
	       "abc APP:V1 Hello Wide-World");
	expect("[{{pad .Name 1 2}}] [{{pad \"\" 1 2}}]", "[ app:v1  ] []");
	expect("{{truncate .Name 3}} {{truncate .Name 99}}", "app app:v1");
	expect("{{len .Name}} {{len .Manifests}} {{len .Annotations}}", "6 2 2");
	expect("{{index .Manifests 0 \"digest\"}} {{index .Annotations \"zz\"}}",
	       "sha256:a <no value>");
	expect("{{index .Tags 1}} {{index .Name 0}}", "y 97");
	expect("{{eq .Size 1234}} {{eq .Name \"x\" \"app:v1\"}} {{ne 1 2}}",
	       "true true true");
	expect("{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2.5}}",
	       "true true true false");
	expect("{{and 1 0}} {{and 1 2}} {{or 0 \"\" \"z\"}} {{or 0 .N}} {{not .T}}",
	       "0 2 z <nil> false");
	expect("{{and .N .Nope}}", "<nil>");	/* short circuit */
	expect("{{print \"a\" 1 2 \"b\"}}|{{println .Name 1}}|", "a1 2b|app:v1 1\n|");
	expect("{{printf \"%s|%d|%v|%q|%5d|%-6s|%x|%X|%.2f|%t|%c|%%\" "
	       ".Name .Size .F .Name 42 \"ab\" 255 \"hi\" .F true 65}}",
	       "app:v1|1234|1.5|\"app:v1\"|   42|ab    |ff|6869|1.50|true|A|%");
	expect("{{printf \"%05d|%+d|%x|%o|%#x|%.3d|%e|%g|%8.3f\" -42 5 -255 8 255 7 1500.0 1e21 3.14159}}",
	       "-0042|+5|-ff|10|0xff|007|1.500000e+03|1e+21|   3.142");
	expect("{{printf \"%d %s\" \"x\"}}", "%!d(string=x) %!s(MISSING)");
	expect("{{printf \"%d\" 1 2}}", "1%!(EXTRA int=2)");
	expect("{{printf \"%q\" \"\\u00e9\\t\\x00\"}}", "\"\u00e9\\t\\x00\"");
	expect("{{printf \"%v %v\" .Tags .Annotations}}", "[x y] map[a:<&> b:2]");
	expect("{{3 | printf \"%d-%d\" 4}}", "4-3");
}

static void test_template__literals(void **state)
{
	(void)state;
	expect("{{1.0}} {{1e6}} {{0.000001}} {{123456.0}} {{1.5e-5}} {{-2.25}}",
	       "1 1e+06 1e-06 123456 1.5e-05 -2.25");
	expect("{{0x1F}} {{017}} {{'a'}} {{`raw\\n`}} {{\"\\x41\\u00e9\"}}",
	       "31 15 97 raw\\n A\u00e9");
	expect("{{true}} {{false}} {{printf \"%v\" nil}}", "true false <nil>");
}

static void test_template__parse_errors(void **state)
{
	(void)state;
	expect_err("{{.Name", MF_EINVALID, "template: :1:7: unclosed action");
	expect_err("{{.Name}", MF_EINVALID,
		   "template: :1:7: unrecognized character in action: U+007D '}'");
	expect_err("{{end}}", MF_EINVALID, "template: :1:2: unexpected {{end}}");
	expect_err("{{else}}", MF_EINVALID, "template: :1:2: unexpected {{else}}");
	expect_err("{{if .T}}", MF_EINVALID, "template: :1:9: unexpected EOF");
	expect_err("{{range .E}}{{else}}{{else}}{{end}}", MF_EINVALID,
		   "template: :1:22: expected end; found {{else}}");
	expect_err("{{nope 1}}", MF_EINVALID, "template: :1:2: function \"nope\" not defined");
	expect_err("{{$x}}", MF_EINVALID, "template: :1:2: undefined variable \"$x\"");
	expect_err("{{if 1}}{{$x := 1}}{{end}}{{$x}}", MF_EINVALID,
		   "template: :1:28: undefined variable \"$x\"");
	expect_err("{{\"abc}}", MF_EINVALID, "template: :1:2: unterminated quoted string");
	expect_err("{{\"\\q\"}}", MF_EINVALID,
		   "template: :1:2: invalid syntax in quoted text \"\\q\"");
	expect_err("{{}}", MF_EINVALID, "template: :1:2: missing value for command");
	expect_err("{{nil}}", MF_EINVALID, "template: :1:2: nil is not a command");
	expect_err("{{1_0}}", MF_EINVALID, "template: :1:2: bad number syntax: 1_0");
	expect_err("{{@}}", MF_EINVALID,
		   "template: :1:2: unrecognized character in action: U+0040 '@'");
	expect_err("{{(.Name}}", MF_EINVALID,
		   "template: :1:8: unexpected \"}}\" in parenthesized pipeline");
	expect_err("{{/* x }}", MF_EINVALID, "template: :1:2: unclosed comment");
	expect_err("{{define \"x\"}}{{end}}", MF_EINVALID,
		   "template: :1:2: {{define}} is not supported");
	expect_err("a\nb {{.X |}}", MF_EINVALID,
		   "template: :2:8: missing value for command");
}

static void test_template__exec_errors(void **state)
{
	(void)state;
	expect_err("{{.Nmae}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <.Nmae>: field Nmae not found; "
		   "fields: Name, MediaType, Size, F, T, N, E, Manifests, Annotations, Tags");
	expect_err("x\n {{range .Manifests}}{{.Platform.Arch}}{{end}}", MF_EINVALID,
		   "template: :2:23: executing \"\" at <.Platform.Arch>: field Arch not "
		   "found; fields: Architecture, Os");
	expect_err("{{.Name.X}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <.Name.X>: can't evaluate field X "
		   "in type string");
	expect_err("{{.N.X}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <.N.X>: nil pointer evaluating "
		   "interface {}.X");
	expect_err("{{len 3}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <len 3>: error calling len: len of "
		   "type int");
	expect_err("{{index .Manifests 5}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <index .Manifests 5>: error calling "
		   "index: index out of range: 5");
	expect_err("{{eq .Name 1}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <eq .Name 1>: error calling eq: "
		   "incompatible types for comparison");
	expect_err("{{lt .Tags 1}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <lt .Tags 1>: error calling lt: "
		   "invalid type for comparison");
	expect_err("{{.Name 1}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <.Name 1>: can't give argument to "
		   "non-function .Name");
	expect_err("{{upper 1}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <upper 1>: error calling upper: "
		   "wrong type for value; expected string; got int");
	expect_err("{{join .Manifests \",\"}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <join .Manifests \",\">: error "
		   "calling join: wrong type for value; expected []string; got []interface {}");
	expect_err("{{truncate .Name -1}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <truncate .Name -1>: error calling "
		   "truncate: runtime error: slice bounds out of range [:-1]");
	expect_err("{{json}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <json>: wrong number of args for "
		   "json: want 1 got 0");
	expect_err("{{range .Name}}{{end}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <range>: range can't iterate over app:v1");
	expect_err("{{range $i, $e := 3}}{{end}}", MF_EINVALID,
		   "template: :1:2: executing \"\" at <range>: can't use 3 to iterate "
		   "over more than one variable");
}

static void test_template__caps(void **state)
{
	struct buf big = BUF_INIT, small = BUF_INIT_MAX(10);
	struct tmpl *t;
	yajl_val v;
	char *out;

	(void)state;
	/* template length */
	for (size_t i = 0; i <= TMPL_MAX_LEN; i++)
		buf_addch(&big, 'x');
	assert_int_equal(tmpl_parse(&t, big.ptr, big.len), MF_ETOOBIG);
	assert_null(t);
	/* nesting depth: control structures and parentheses */
	buf_reset(&big);
	for (int i = 0; i <= TMPL_MAX_DEPTH; i++)
		buf_adds(&big, "{{if 1}}");
	for (int i = 0; i <= TMPL_MAX_DEPTH; i++)
		buf_adds(&big, "{{end}}");
	assert_int_equal(tmpl_parse(&t, big.ptr, big.len), MF_ETOOBIG);
	buf_reset(&big);
	buf_adds(&big, "{{");
	for (int i = 0; i <= TMPL_MAX_DEPTH; i++)
		buf_adds(&big, "(");
	buf_adds(&big, "1");
	for (int i = 0; i <= TMPL_MAX_DEPTH; i++)
		buf_adds(&big, ")");
	buf_adds(&big, "}}");
	assert_int_equal(tmpl_parse(&t, big.ptr, big.len), MF_ETOOBIG);
	buf_release(&big);
	expect("{{((((1))))}}", "1");
	/* steps: nested ranges without output */
	expect_err("{{range 2000}}{{range 2000}}{{end}}{{end}}", MF_ETOOBIG,
		   "template: :1:16: executing \"\" at <range>: execution takes more "
		   "than 2000000 steps");
	/* the output's own cap */
	assert_int_equal(json_parse(&v, "{}", 2), 0);
	assert_int_equal(tmpl_parse(&t, "0123456789x", 11), 0);
	assert_int_equal(tmpl_exec(t, &small, v), MF_ETOOBIG);
	tmpl_free(t);
	assert_int_equal(tmpl_parse(&t, "{{pad \"x\" 100 0}}", 17), 0);
	assert_int_equal(tmpl_exec(t, &small, v), MF_ETOOBIG);
	tmpl_free(t);
	buf_release(&small);
	yajl_tree_free(v);
	/* a template runs again and again with the same result */
	assert_int_equal(render("{{range .Manifests}}{{$d := .Digest}}{{$d}}{{end}}",
				&out), 0);
	assert_string_equal(out, "sha256:asha256:b");
	free(out);
}

static void tabwrite(struct buf *out, const char *s)
{
	assert_int_equal(tmpl_tabwrite(out, s, strlen(s)), 0);
}

static void test_template__table(void **state)
{
	struct buf out = BUF_INIT;
	struct tmpl_format f;
	yajl_val v;

	(void)state;
	/* Go's tabwriter(10, 1, 3, ' ', 0): columns end in tabs */
	tabwrite(&out, "a\tbb\tc\nxxxxxxxxxxxx\ty\tz\n");
	assert_string_equal(out.ptr, "a              bb        c\n"
			    "xxxxxxxxxxxx   y         z\n");
	buf_reset(&out);
	/* a line without a tab ends the column block */
	tabwrite(&out, "a\tb\nlonger line\nccccccccccccc\td\n");
	assert_string_equal(out.ptr, "a         b\nlonger line\nccccccccccccc   d\n");
	buf_reset(&out);
	/* widths count code points */
	tabwrite(&out, "\u00e9\tx\n");
	assert_string_equal(out.ptr, "\u00e9         x\n");
	buf_reset(&out);

	assert_int_equal(json_parse(&v, data, strlen(data)), 0);
	assert_int_equal(tmpl_format_begin(&f, "table {{.Name}}\\t{{.MediaType}}\\t"
					   "{{json .Size}}\\t{{upper .Name}}  "), 0);
	assert_int_equal(tmpl_format_item(&f, v), 0);
	assert_int_equal(tmpl_format_item(&f, v->u.object.values[7]->u.array.values[0]), MF_EINVALID);
	assert_int_equal(tmpl_format_end(&f, &out), 0);
	assert_string_equal(out.ptr,
		"NAME      MEDIA TYPE                                SIZE      NAME\n"
		"app:v1    application/vnd.oci.image.index.v1+json   1234      APP:V1\n");
	tmpl_format_release(&f);
	buf_reset(&out);
	/* without the prefix: \t and \n replaced, one line per item */
	assert_int_equal(tmpl_format_begin(&f, "  {{.Name}}\\t{{.Size}}\\n"), 0);
	assert_int_equal(tmpl_format_item(&f, v), 0);
	assert_int_equal(tmpl_format_item(&f, v), 0);
	assert_int_equal(tmpl_format_end(&f, &out), 0);
	assert_string_equal(out.ptr, "app:v1\t1234\n\napp:v1\t1234\n\n");
	tmpl_format_release(&f);
	buf_reset(&out);
	/* header names: words split where the case changes */
	assert_int_equal(tmpl_format_begin(&f, "table {{.ID}}\\t{{.CreatedAt}}\\t"
					   "{{.Platform.Architecture}}\\t{{.HTTPServer}}"), 0);
	assert_int_equal(tmpl_format_end(&f, &out), 0);
	assert_string_equal(out.ptr, "ID        CREATED AT   ARCHITECTURE   HTTP SERVER\n");
	tmpl_format_release(&f);
	buf_release(&out);
	yajl_tree_free(v);
	assert_int_equal(tmpl_is_template("{{.Name}}"), 1);
	assert_int_equal(tmpl_is_template("table"), 0);
	assert_int_equal(tmpl_is_template("json"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template__text_and_fields),
		cmocka_unit_test(test_template__trim_and_comments),
		cmocka_unit_test(test_template__control),
		cmocka_unit_test(test_template__functions),
		cmocka_unit_test(test_template__literals),
		cmocka_unit_test(test_template__parse_errors),
		cmocka_unit_test(test_template__exec_errors),
		cmocka_unit_test(test_template__caps),
		cmocka_unit_test(test_template__table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
