/*
 * --format templates: a small Go text/template over a yajl tree.  See
 * template.h for the language; Go's text/template and the docker CLI's
 * templates and formatter packages are the references for behaviour.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/template.h"
#include "util/error.h"
#include "util/utf8.h"
#include "util/wrapper.h"

/* ---- arena: everything a parse or an execution allocates ---- */

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
	size_t total, max;	/* bytes taken, and the cap (0: none) */
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t al = sizeof(max_align_t);

	n = (n + al - 1) / al * al;
	if (!c || c->size - c->used < n) {
		size_t sz = n > 4096 ? n : 4096;

		c = xmalloc(sizeof(*c) + sz);
		c->size = sz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		a->total += sz;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

static void arena_release(struct arena *a)
{
	while (a->head) {
		struct chunk *n = a->head->next;

		free(a->head);
		a->head = n;
	}
	a->total = 0;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- the tree ---- */

enum akind { A_DOT, A_FIELD, A_VAR, A_PIPE, A_FUNC, A_STR, A_INT, A_FLOAT,
	     A_BOOL, A_NIL };

struct name {
	const char *s;
	size_t n, pos;
};

struct fn;
struct pipe;

struct arg {
	enum akind k;
	size_t pos, end;	/* source span, for messages */
	const char *s;		/* A_VAR name ("$x"), A_STR value */
	size_t n;
	long long i;
	double f;
	struct pipe *pipe;	/* A_PIPE */
	const struct fn *fn;	/* A_FUNC */
	struct name *chain;	/* fields applied after the operand */
	size_t nchain;
};

struct cmd {
	struct arg *args;
	size_t nargs, pos, end;
};

struct pipe {
	struct cmd *cmds;
	size_t ncmds, pos;
	struct name vars[2];
	int nvars, assign;
};

enum nkind { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH };

struct node {
	enum nkind k;
	struct node *next;
	const char *text;	/* N_TEXT */
	size_t len, pos;
	struct pipe *pipe;
	struct node *list, *elselist;
};

struct tmpl {
	char *src;
	size_t len;
	struct arena arena;
	struct node *root;
};

/* ---- values ---- */

enum vkind { V_MISSING, V_ABSENT, V_NIL, V_BOOL, V_INT, V_FLOAT, V_STR, V_NODE,
	     V_LIST, V_HDR };

struct val {
	enum vkind k;
	long long i;		/* V_BOOL, V_INT */
	double f;
	const char *s;		/* V_STR */
	size_t n;		/* V_STR length, V_LIST count */
	yajl_val node;		/* V_NODE: an object or an array */
	const char **list;	/* V_LIST */
	size_t *lens;
};

struct ex;
struct cmd;
typedef int (*fn_impl)(struct val *out, struct ex *ex, const struct cmd *c,
		       struct val *argv, size_t argc);

struct fn {
	const char *name;
	int min, max;		/* argument counts; max -1: any */
	fn_impl impl;
	int header_identity;	/* docker's HeaderFunctions give arg 0 back */
};

static const struct fn *fn_lookup(const char *s, size_t n);

/* ---- positions and messages ---- */

static void line_col(const char *src, size_t pos, int *line, int *col)
{
	size_t last = 0;
	int l = 1;

	for (size_t i = 0; i < pos; i++)
		if (src[i] == '\n') {
			l++;
			last = i + 1;
		}
	*line = l;
	*col = (int)(pos - last);
}

/* Append text for a one-line message: control bytes become '?'. */
static void msg_add(struct buf *b, const char *s, size_t n)
{
	if (n > 200)
		n = 200;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf_addch(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
}

/* ---- parser ---- */

enum tok { T_EOF, T_RDELIM, T_PIPE, T_LPAREN, T_RPAREN, T_COMMA, T_DECL,
	   T_ASSIGN, T_DOT, T_FIELD, T_VAR, T_IDENT, T_STR, T_RAWSTR, T_CHAR,
	   T_NUM };

struct token {
	enum tok t;
	size_t pos, end;
	int sp;			/* whitespace before it */
	int trim;		/* T_RDELIM: " -}}" */
};

struct parser {
	const char *src;
	size_t len, p;
	struct arena *arena;
	int depth;
	int ltrim;		/* the last action ended with " -}}" */
	struct name *vars;	/* declared variables in scope */
	size_t nvars, allocvars;
	int err;
};

static int perr(struct parser *ps, size_t pos, const char *fmt, ...)
	MF_PRINTF(3, 4);

static int perr(struct parser *ps, size_t pos, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int line, col;

	if (ps->err)
		return ps->err;
	line_col(ps->src, pos, &line, &col);
	buf_addf(&b, "template: :%d:%d: ", line, col);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	ps->err = mf_error(MF_EINVALID, "%s", b.ptr);
	buf_release(&b);
	return ps->err;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_alnum_(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int at(const struct parser *ps, size_t p, const char *s)
{
	size_t n = strlen(s);

	return p <= ps->len && ps->len - p >= n && !memcmp(ps->src + p, s, n);
}

static int lex(struct parser *ps, struct token *tk)
{
	const char *s = ps->src;
	size_t p = ps->p, start;

	tk->sp = 0;
	tk->trim = 0;
	while (p < ps->len && is_space(s[p])) {
		p++;
		tk->sp = 1;
	}
	tk->pos = start = p;
	if (tk->sp && at(ps, p, "-}}")) {
		tk->t = T_RDELIM;
		tk->trim = 1;
		p += 3;
		goto done;
	}
	if (p >= ps->len) {
		tk->t = T_EOF;
		goto done;
	}
	if (at(ps, p, "}}")) {
		tk->t = T_RDELIM;
		p += 2;
		goto done;
	}
	switch (s[p]) {
	case '|': tk->t = T_PIPE; p++; goto done;
	case '(': tk->t = T_LPAREN; p++; goto done;
	case ')': tk->t = T_RPAREN; p++; goto done;
	case ',': tk->t = T_COMMA; p++; goto done;
	case '=': tk->t = T_ASSIGN; p++; goto done;
	case ':':
		if (at(ps, p, ":=")) {
			tk->t = T_DECL;
			p += 2;
			goto done;
		}
		return perr(ps, p, "expected :=");
	case '"':
	case '`':
	case '\'': {
		char q = s[p++];

		while (p < ps->len && s[p] != q) {
			if (q != '`' && s[p] == '\n')
				break;
			if (q != '`' && s[p] == '\\' && p + 1 < ps->len)
				p++;
			p++;
		}
		if (p >= ps->len || s[p] != q)
			return perr(ps, start, q == '`' ? "unterminated raw quoted string" :
				    q == '"' ? "unterminated quoted string" :
				    "unterminated character constant");
		p++;
		tk->t = q == '"' ? T_STR : q == '`' ? T_RAWSTR : T_CHAR;
		goto done;
	}
	case '.':
		if (p + 1 < ps->len && isdigit((unsigned char)s[p + 1]))
			break;	/* a number */
		p++;
		if (p < ps->len && is_alnum_(s[p])) {
			while (p < ps->len && is_alnum_(s[p]))
				p++;
			tk->t = T_FIELD;
		} else {
			tk->t = T_DOT;
		}
		goto done;
	case '$':
		p++;
		while (p < ps->len && is_alnum_(s[p]))
			p++;
		tk->t = T_VAR;
		goto done;
	default:
		break;
	}
	if (isdigit((unsigned char)s[p]) || s[p] == '.' ||
	    ((s[p] == '-' || s[p] == '+') && p + 1 < ps->len &&
	     (isdigit((unsigned char)s[p + 1]) || s[p + 1] == '.'))) {
		p++;
		while (p < ps->len && (is_alnum_(s[p]) || s[p] == '.' ||
				       ((s[p] == '+' || s[p] == '-') &&
					strchr("eEpP", s[p - 1]))))
			p++;
		tk->t = T_NUM;
		goto done;
	}
	if (isalpha((unsigned char)s[p]) || s[p] == '_') {
		while (p < ps->len && is_alnum_(s[p]))
			p++;
		tk->t = T_IDENT;
		goto done;
	}
	{
		unsigned char c = (unsigned char)s[p];

		if (c >= 0x20 && c < 0x7f)
			return perr(ps, p, "unrecognized character in action: U+%04X '%c'",
				    c, c);
		return perr(ps, p, "unrecognized character in action: byte 0x%02x", c);
	}
done:
	tk->end = p;
	ps->p = p;
	return 0;
}

static int peek(struct parser *ps, struct token *tk)
{
	size_t p = ps->p;
	int ret = lex(ps, tk);

	ps->p = p;
	return ret;
}

static int tok_is(const struct parser *ps, const struct token *tk,
		  const char *word)
{
	size_t n = strlen(word);

	return tk->t == T_IDENT && tk->end - tk->pos == n &&
		!memcmp(ps->src + tk->pos, word, n);
}

/* Go's unquoting of "..." and '...' bodies into the arena. */
static int unquote(struct parser *ps, const struct token *tk, const char **out,
		   size_t *outlen)
{
	const char *s = ps->src + tk->pos + 1;
	size_t n = tk->end - tk->pos - 2;
	char *o = arena_alloc(ps->arena, n * 4 + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned long cp;
		int digits = 0, base = 16;

		if (s[i] != '\\') {
			o[k++] = s[i];
			continue;
		}
		if (++i >= n)
			goto bad;
		switch (s[i]) {
		case 'a': o[k++] = '\a'; continue;
		case 'b': o[k++] = '\b'; continue;
		case 'f': o[k++] = '\f'; continue;
		case 'n': o[k++] = '\n'; continue;
		case 'r': o[k++] = '\r'; continue;
		case 't': o[k++] = '\t'; continue;
		case 'v': o[k++] = '\v'; continue;
		case '\\': o[k++] = '\\'; continue;
		case '"':
		case '\'':
			if (s[i] != ps->src[tk->pos])
				goto bad;
			o[k++] = s[i];
			continue;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7':
			digits = 3;
			base = 8;
			i--;
			break;
		default:
			goto bad;
		}
		cp = 0;
		for (int d = 0; d < digits; d++) {
			char c = ++i < n ? s[i] : 0;
			int v = isdigit((unsigned char)c) ? c - '0' :
				isxdigit((unsigned char)c) ?
				tolower((unsigned char)c) - 'a' + 10 : 99;

			if (v >= base)
				goto bad;
			cp = cp * (unsigned long)base + (unsigned long)v;
		}
		if (digits == 2 || base == 8) {
			if (cp > 255)
				goto bad;
			o[k++] = (char)cp;
			continue;
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
			goto bad;
		if (cp < 0x80) {
			o[k++] = (char)cp;
		} else if (cp < 0x800) {
			o[k++] = (char)(0xc0 | (cp >> 6));
			o[k++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			o[k++] = (char)(0xe0 | (cp >> 12));
			o[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			o[k++] = (char)(0x80 | (cp & 0x3f));
		} else {
			o[k++] = (char)(0xf0 | (cp >> 18));
			o[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			o[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			o[k++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	o[k] = '\0';
	*out = o;
	*outlen = k;
	return 0;
bad:
	return perr(ps, tk->pos, "invalid syntax in quoted text %.*s",
		    (int)(tk->end - tk->pos > 40 ? 40 : tk->end - tk->pos),
		    ps->src + tk->pos);
}

static int parse_number(struct parser *ps, const struct token *tk,
			struct arg *a)
{
	size_t n = tk->end - tk->pos;
	char tmp[80], *end;
	const char *s = ps->src + tk->pos;
	int hex, is_float;

	if (n >= sizeof(tmp) || memchr(s, '_', n))
		goto bad;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	hex = strstr(tmp, "0x") || strstr(tmp, "0X");
	is_float = !hex && strpbrk(tmp, ".eE");
	errno = 0;
	if (is_float) {
		a->k = A_FLOAT;
		a->f = strtod(tmp, &end);
		if (errno || !isfinite(a->f))
			goto bad;
	} else {
		if (strpbrk(tmp, "pP.") || (hex && strpbrk(tmp + 1, "+-")))
			goto bad;
		a->k = A_INT;
		a->i = strtoll(tmp, &end, 0);
		if (errno)
			return perr(ps, tk->pos, "number %s overflows int", tmp);
	}
	if (*end || end == tmp)
		goto bad;
	return 0;
bad:
	return perr(ps, tk->pos, "bad number syntax: %.*s",
		    (int)(n > 40 ? 40 : n), s);
}

static int parse_pipe(struct parser *ps, struct pipe **out, int in_paren,
		      int range_decl);

static void push_name(struct name **v, size_t *nr, size_t *alloc,
		      struct name nm)
{
	if (*nr == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		*v = xrealloc(*v, *alloc * sizeof(**v));
	}
	(*v)[(*nr)++] = nm;
}

static int var_known(const struct parser *ps, const char *s, size_t n)
{
	if (n == 1)
		return 1;	/* $ */
	for (size_t i = ps->nvars; i-- > 0;)
		if (ps->vars[i].n == n && !memcmp(ps->vars[i].s, s, n))
			return 1;
	return 0;
}

/* Fields written right after an operand (no space): .A.B */
static int parse_chain(struct parser *ps, struct arg *a)
{
	struct token tk;
	struct name *v = NULL;
	size_t nr = 0, alloc = 0;

	for (;;) {
		if (peek(ps, &tk)) {
			free(v);
			return ps->err;
		}
		if (tk.t != T_FIELD || tk.sp)
			break;
		lex(ps, &tk);
		push_name(&v, &nr, &alloc, (struct name){ ps->src + tk.pos + 1,
			  tk.end - tk.pos - 1, tk.pos });
	}
	if (nr) {
		a->chain = arena_alloc(ps->arena, nr * sizeof(*v));
		memcpy(a->chain, v, nr * sizeof(*v));
		a->nchain = nr;
		a->end = a->chain[nr - 1].pos + a->chain[nr - 1].n + 1;
	}
	free(v);
	return 0;
}

/* One operand; *done set when the token ends the command instead. */
static int parse_operand(struct parser *ps, struct arg *a, const struct token *tk)
{
	memset(a, 0, sizeof(*a));
	a->pos = tk->pos;
	a->end = tk->end;
	switch (tk->t) {
	case T_DOT:
		a->k = A_DOT;
		return 0;
	case T_FIELD:
		a->k = A_FIELD;
		ps->p = tk->pos;	/* the chain parser takes it from here */
		if (parse_chain(ps, a))
			return ps->err;
		return 0;
	case T_VAR:
		a->k = A_VAR;
		a->s = ps->src + tk->pos;
		a->n = tk->end - tk->pos;
		if (!var_known(ps, a->s, a->n))
			return perr(ps, tk->pos, "undefined variable \"%.*s\"",
				    (int)(a->n > 40 ? 40 : a->n), a->s);
		return parse_chain(ps, a);
	case T_LPAREN:
		if (++ps->depth > TMPL_MAX_DEPTH) {
			mf_error(MF_ETOOBIG, "template: nesting deeper than %d",
				 TMPL_MAX_DEPTH);
			return ps->err = MF_ETOOBIG;
		}
		a->k = A_PIPE;
		if (parse_pipe(ps, &a->pipe, 1, 0))
			return ps->err;
		ps->depth--;
		a->end = ps->p;
		return parse_chain(ps, a);
	case T_STR:
	case T_CHAR:
		if (unquote(ps, tk, &a->s, &a->n))
			return ps->err;
		if (tk->t == T_STR) {
			a->k = A_STR;
		} else {
			uint32_t cp;
			size_t l = a->n ? utf8_seq((const unsigned char *)a->s,
						   a->n, &cp) : 0;

			if (!l || l != a->n)
				return perr(ps, tk->pos, "malformed character constant");
			a->k = A_INT;
			a->i = cp;
		}
		return 0;
	case T_RAWSTR:
		a->k = A_STR;
		a->n = tk->end - tk->pos - 2;
		a->s = arena_strndup(ps->arena, ps->src + tk->pos + 1, a->n);
		return 0;
	case T_NUM:
		return parse_number(ps, tk, a);
	case T_IDENT:
		if (tok_is(ps, tk, "true") || tok_is(ps, tk, "false")) {
			a->k = A_BOOL;
			a->i = tok_is(ps, tk, "true");
			return 0;
		}
		if (tok_is(ps, tk, "nil")) {
			a->k = A_NIL;
			return 0;
		}
		a->k = A_FUNC;
		a->fn = fn_lookup(ps->src + tk->pos, tk->end - tk->pos);
		if (!a->fn)
			return perr(ps, tk->pos, "function \"%.*s\" not defined",
				    (int)(tk->end - tk->pos > 40 ? 40 :
					  tk->end - tk->pos), ps->src + tk->pos);
		return 0;
	default:
		return perr(ps, tk->pos, "unexpected %.*s in operand",
			    (int)(tk->end - tk->pos > 10 ? 10 : tk->end - tk->pos),
			    ps->src + tk->pos);
	}
}

static int parse_cmd(struct parser *ps, struct cmd *c, int in_paren)
{
	struct arg *v = NULL;
	size_t nr = 0, alloc = 0;
	struct token tk;

	c->pos = ps->p;
	for (;;) {
		if (peek(ps, &tk))
			goto fail;
		if (tk.t == T_PIPE || tk.t == T_RDELIM || tk.t == T_RPAREN ||
		    tk.t == T_EOF)
			break;
		lex(ps, &tk);
		if (nr == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			v = xrealloc(v, alloc * sizeof(*v));
		}
		if (!nr)
			c->pos = tk.pos;
		if (parse_operand(ps, &v[nr], &tk))
			goto fail;
		if (v[nr].k == A_NIL && !nr) {
			/* Go: nil is only an argument */
			if (peek(ps, &tk))
				goto fail;
			if (tk.t == T_RDELIM || tk.t == T_PIPE || tk.t == T_RPAREN) {
				perr(ps, v[nr].pos, "nil is not a command");
				goto fail;
			}
		}
		nr++;
	}
	if (!nr) {
		if (tk.t == T_EOF)
			perr(ps, tk.pos, in_paren ? "unclosed left paren" :
			     "unclosed action");
		else
			perr(ps, tk.pos, "missing value for command");
		goto fail;
	}
	c->end = v[nr - 1].end;
	c->args = arena_alloc(ps->arena, nr * sizeof(*v));
	memcpy(c->args, v, nr * sizeof(*v));
	c->nargs = nr;
	free(v);
	return 0;
fail:
	free(v);
	return ps->err;
}

static int parse_pipe(struct parser *ps, struct pipe **out, int in_paren,
		      int range_decl)
{
	struct pipe *pp = arena_alloc(ps->arena, sizeof(*pp));
	struct cmd *v = NULL;
	size_t nr = 0, alloc = 0, save = ps->p;
	struct token tk, t2;

	memset(pp, 0, sizeof(*pp));
	pp->pos = ps->p;
	/* $x := / $x = / $i, $e := */
	if (!in_paren && !peek(ps, &tk) && tk.t == T_VAR) {
		lex(ps, &tk);
		if (!peek(ps, &t2) && (t2.t == T_DECL || t2.t == T_ASSIGN ||
				       (t2.t == T_COMMA && range_decl))) {
			struct name nm = { ps->src + tk.pos, tk.end - tk.pos, tk.pos };

			lex(ps, &t2);
			pp->vars[pp->nvars++] = nm;
			if (t2.t == T_COMMA) {
				if (lex(ps, &tk) || tk.t != T_VAR)
					return perr(ps, tk.pos, "expected variable after comma");
				pp->vars[pp->nvars++] = (struct name){
					ps->src + tk.pos, tk.end - tk.pos, tk.pos };
				if (lex(ps, &t2) || t2.t != T_DECL)
					return perr(ps, t2.pos, "expected :=");
			}
			pp->assign = t2.t == T_ASSIGN;
			if (pp->assign && !var_known(ps, nm.s, nm.n))
				return perr(ps, nm.pos, "undefined variable \"%.*s\"",
					    (int)(nm.n > 40 ? 40 : nm.n), nm.s);
		} else if (ps->err) {
			return ps->err;
		} else {
			ps->p = save;
		}
	}
	if (ps->err)
		return ps->err;
	for (;;) {
		if (nr == alloc) {
			alloc = alloc ? alloc * 2 : 2;
			v = xrealloc(v, alloc * sizeof(*v));
		}
		if (parse_cmd(ps, &v[nr], in_paren))
			goto fail;
		nr++;
		if (lex(ps, &tk))
			goto fail;
		if (tk.t == T_PIPE)
			continue;
		if (in_paren ? tk.t == T_RPAREN : tk.t == T_RDELIM)
			break;
		if (tk.t == T_EOF)
			perr(ps, tk.pos, in_paren ? "unclosed left paren" :
			     "unclosed action");
		else
			perr(ps, tk.pos, "unexpected \"%.*s\" in %s",
			     (int)(tk.end - tk.pos > 10 ? 10 : tk.end - tk.pos),
			     ps->src + tk.pos, in_paren ? "parenthesized pipeline" :
			     "command");
		goto fail;
	}
	if (!in_paren)
		ps->ltrim = tk.trim;
	/* the declared names come into scope after the pipeline */
	for (int i = 0; i < pp->nvars && !pp->assign; i++)
		push_name(&ps->vars, &ps->nvars, &ps->allocvars, pp->vars[i]);
	pp->cmds = arena_alloc(ps->arena, nr * sizeof(*v));
	memcpy(pp->cmds, v, nr * sizeof(*v));
	pp->ncmds = nr;
	free(v);
	*out = pp;
	return 0;
fail:
	free(v);
	return ps->err;
}

enum stop { STOP_EOF, STOP_END, STOP_ELSE };

static int parse_list(struct parser *ps, struct node **out, enum stop *stop,
		      size_t *stop_pos);

static struct node *new_node(struct parser *ps, enum nkind k, size_t pos)
{
	struct node *n = arena_alloc(ps->arena, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->k = k;
	n->pos = pos;
	return n;
}

/* After "{{if" (or range, with): the rest up to the matching end. */
static int parse_control(struct parser *ps, enum nkind k, size_t pos,
			 struct node **out)
{
	struct node *n = new_node(ps, k, pos);
	size_t mark = ps->nvars, stop_pos;
	enum stop stop;
	struct token tk;

	if (++ps->depth > TMPL_MAX_DEPTH) {
		mf_error(MF_ETOOBIG, "template: nesting deeper than %d",
			 TMPL_MAX_DEPTH);
		return ps->err = MF_ETOOBIG;
	}
	if (parse_pipe(ps, &n->pipe, 0, k == N_RANGE))
		return ps->err;
	if (n->pipe->nvars && n->pipe->assign && k == N_RANGE)
		return perr(ps, pos, "range can only initialize variables");
	if (parse_list(ps, &n->list, &stop, &stop_pos))
		return ps->err;
	if (stop == STOP_EOF)
		return perr(ps, stop_pos, "unexpected EOF");
	if (stop == STOP_ELSE) {
		/* {{else if ...}} / {{else with ...}}: one shared end */
		if (peek(ps, &tk))
			return ps->err;
		if (k != N_RANGE && tok_is(ps, &tk, k == N_IF ? "if" : "with")) {
			lex(ps, &tk);
			if (parse_control(ps, k, tk.pos, &n->elselist))
				return ps->err;
			goto done;
		}
		if (lex(ps, &tk))
			return ps->err;
		if (tk.t != T_RDELIM)
			return perr(ps, tk.pos, "unexpected \"%.*s\" in else",
				    (int)(tk.end - tk.pos > 10 ? 10 : tk.end - tk.pos),
				    ps->src + tk.pos);
		ps->ltrim = tk.trim;
		if (parse_list(ps, &n->elselist, &stop, &stop_pos))
			return ps->err;
		if (stop != STOP_END)
			return perr(ps, stop_pos, stop == STOP_EOF ?
				    "unexpected EOF" : "expected end; found {{else}}");
	}
done:
	ps->depth--;
	ps->nvars = mark;
	*out = n;
	return 0;
}

static int parse_list(struct parser *ps, struct node **out, enum stop *stop,
		      size_t *stop_pos)
{
	struct node *head = NULL, **tail = &head;
	const char *s = ps->src;

	for (;;) {
		const char *open = NULL;
		size_t tstart = ps->p, tend, apos;
		int trim_marker;
		struct token tk;

		for (size_t i = ps->p; i + 1 < ps->len; i++)
			if (s[i] == '{' && s[i + 1] == '{') {
				open = s + i;
				break;
			}
		tend = open ? (size_t)(open - s) : ps->len;
		if (ps->ltrim)
			while (tstart < tend && is_space(s[tstart]))
				tstart++;
		ps->ltrim = 0;
		apos = tend + 2;
		trim_marker = 0;
		if (open && at(ps, apos, "-") && apos + 1 < ps->len &&
		    is_space(s[apos + 1])) {
			while (tend > tstart && is_space(s[tend - 1]))
				tend--;
			apos++;
			trim_marker = 1;
		}
		if (tend > tstart) {
			struct node *n = new_node(ps, N_TEXT, tstart);

			n->text = s + tstart;
			n->len = tend - tstart;
			*tail = n;
			tail = &n->next;
		}
		if (!open) {
			*stop = STOP_EOF;
			*stop_pos = ps->len;
			break;
		}
		ps->p = apos;
		/* a comment: slash-star right after "{{" or "{{- " */
		{
			size_t c = apos;

			while (trim_marker && c < ps->len && is_space(s[c]))
				c++;
			if (at(ps, c, "/*")) {
				const char *e = NULL;

				for (size_t i = c + 2; i + 1 < ps->len; i++)
					if (s[i] == '*' && s[i + 1] == '/') {
						e = s + i;
						break;
					}
				if (!e)
					return perr(ps, c, "unclosed comment");
				ps->p = (size_t)(e - s) + 2;
				if (lex(ps, &tk))
					return ps->err;
				if (tk.t != T_RDELIM)
					return perr(ps, c, "comment ends before closing delimiter");
				ps->ltrim = tk.trim;
				continue;
			}
		}
		if (peek(ps, &tk))
			return ps->err;
		if (tok_is(ps, &tk, "end") || tok_is(ps, &tk, "else")) {
			int is_end = tok_is(ps, &tk, "end");

			lex(ps, &tk);
			*stop = is_end ? STOP_END : STOP_ELSE;
			*stop_pos = tk.pos;
			if (is_end) {
				if (lex(ps, &tk))
					return ps->err;
				if (tk.t != T_RDELIM)
					return perr(ps, tk.pos, "unexpected \"%.*s\" in end",
						    (int)(tk.end - tk.pos > 10 ? 10 :
							  tk.end - tk.pos), s + tk.pos);
				ps->ltrim = tk.trim;
			}
			break;
		}
		if (tok_is(ps, &tk, "if") || tok_is(ps, &tk, "range") ||
		    tok_is(ps, &tk, "with")) {
			enum nkind k = tok_is(ps, &tk, "if") ? N_IF :
				tok_is(ps, &tk, "range") ? N_RANGE : N_WITH;
			struct node *n;

			lex(ps, &tk);
			if (parse_control(ps, k, tk.pos, &n))
				return ps->err;
			*tail = n;
			tail = &n->next;
			continue;
		}
		if (tok_is(ps, &tk, "define") || tok_is(ps, &tk, "template") ||
		    tok_is(ps, &tk, "block") || tok_is(ps, &tk, "break") ||
		    tok_is(ps, &tk, "continue"))
			return perr(ps, tk.pos, "{{%.*s}} is not supported",
				    (int)(tk.end - tk.pos), s + tk.pos);
		{
			struct node *n = new_node(ps, N_ACTION, tk.pos);

			if (parse_pipe(ps, &n->pipe, 0, 0))
				return ps->err;
			*tail = n;
			tail = &n->next;
		}
	}
	*out = head;
	return 0;
}

int tmpl_parse(struct tmpl **out, const char *text, size_t len)
{
	struct tmpl *t;
	struct parser ps;
	enum stop stop;
	size_t stop_pos;

	*out = NULL;
	if (len > TMPL_MAX_LEN)
		return mf_error(MF_ETOOBIG, "template: longer than %u bytes",
				TMPL_MAX_LEN);
	t = xcalloc(1, sizeof(*t));
	t->src = xmalloc(len + 1);
	if (len)
		memcpy(t->src, text, len);
	t->src[len] = '\0';
	t->len = len;
	memset(&ps, 0, sizeof(ps));
	ps.src = t->src;
	ps.len = len;
	ps.arena = &t->arena;
	if (!parse_list(&ps, &t->root, &stop, &stop_pos) && stop != STOP_EOF)
		perr(&ps, stop_pos, "unexpected {{%s}}",
		     stop == STOP_END ? "end" : "else");
	free(ps.vars);
	if (ps.err) {
		tmpl_free(t);
		return ps.err;
	}
	*out = t;
	return 0;
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	arena_release(&t->arena);
	free(t->src);
	free(t);
}

/* ---- execution ---- */

struct var {
	const char *s;
	size_t n;
	struct val v;
};

struct ex {
	const struct tmpl *t;
	struct buf *out;
	struct arena arena;	/* strings and lists made while running */
	struct var *vars;
	size_t nvars, allocvars;
	unsigned long steps;
	int header;
	const char *const *optional;
	int err;
};

static int exerr(struct ex *ex, size_t pos, size_t end, int code,
		 const char *fmt, ...) MF_PRINTF(5, 6);

static int exerr(struct ex *ex, size_t pos, size_t end, int code,
		 const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int line, col;

	if (ex->err)
		return ex->err;
	line_col(ex->t->src, pos, &line, &col);
	buf_addf(&b, "template: :%d:%d: executing \"\" at <", line, col);
	msg_add(&b, ex->t->src + pos, end - pos);
	buf_adds(&b, ">: ");
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.ptr[i] < 0x20)
			b.ptr[i] = '?';
	ex->err = mf_error(code, "%s", b.ptr);
	buf_release(&b);
	return ex->err;
}

static int step(struct ex *ex, size_t pos, size_t end)
{
	if (++ex->steps > TMPL_MAX_STEPS)
		return exerr(ex, pos, end, MF_ETOOBIG,
			     "execution takes more than %d steps", TMPL_MAX_STEPS);
	return 0;
}

/* Memory taken while running is capped at a few times the output's cap. */
static void *ex_alloc(struct ex *ex, size_t n, size_t pos, size_t end)
{
	if (ex->arena.total + n > ex->arena.max) {
		exerr(ex, pos, end, MF_ETOOBIG,
		      "execution needs more than %zu bytes", ex->arena.max);
		return NULL;
	}
	return arena_alloc(&ex->arena, n);
}

static const char *type_name(const struct val *v)
{
	switch (v->k) {
	case V_BOOL: return "bool";
	case V_INT: return "int";
	case V_FLOAT: return "float64";
	case V_STR:
	case V_HDR: return "string";
	case V_LIST: return "[]string";
	case V_NODE:
		return YAJL_IS_ARRAY(v->node) ? "[]interface {}" :
			"map[string]interface {}";
	default: return "<nil>";
	}
}

static void from_node(struct val *v, yajl_val n)
{
	memset(v, 0, sizeof(*v));
	if (!n || YAJL_IS_NULL(n)) {
		v->k = V_NIL;
	} else if (YAJL_IS_TRUE(n) || YAJL_IS_FALSE(n)) {
		v->k = V_BOOL;
		v->i = YAJL_IS_TRUE(n);
	} else if (YAJL_IS_STRING(n)) {
		v->k = V_STR;
		v->s = YAJL_GET_STRING(n);
		v->n = strlen(v->s);
	} else if (YAJL_IS_INTEGER(n)) {
		v->k = V_INT;
		v->i = YAJL_GET_INTEGER(n);
	} else if (YAJL_IS_NUMBER(n)) {
		v->k = V_FLOAT;
		v->f = YAJL_IS_DOUBLE(n) ? YAJL_GET_DOUBLE(n) :
			strtod(YAJL_GET_NUMBER(n), NULL);
	} else {
		v->k = V_NODE;
		v->node = n;
	}
}

static int truth(const struct val *v)
{
	switch (v->k) {
	case V_BOOL:
	case V_INT: return v->i != 0;
	case V_FLOAT: return v->f != 0;
	case V_STR: return v->n != 0;
	case V_LIST: return v->n != 0;
	case V_HDR: return 1;
	case V_NODE:
		return YAJL_IS_ARRAY(v->node) ? v->node->u.array.len != 0 :
			v->node->u.object.len != 0;
	default: return 0;
	}
}

/* ---- number formatting as Go's strconv does ---- */

/* Shortest decimal digits that read back as d (> 0, finite); *dp as Go's. */
static int shortest(double d, char *digits, int *dp)
{
	char tmp[40];
	int nd = 0;

	for (int prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	for (const char *p = tmp; *p && *p != 'e'; p++)
		if (isdigit((unsigned char)*p))
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	*dp = atoi(strchr(tmp, 'e') + 1) + 1;
	return nd;
}

/* 'e' (mode 'e') or 'f' rendering of shortest digits. */
static void put_float(struct buf *b, double d, int mode, int json)
{
	char digits[40];
	int nd, dp;

	if (signbit(d))
		buf_addch(b, '-');
	d = fabs(d);
	if (d == 0) {
		buf_addch(b, '0');
		return;
	}
	nd = shortest(d, digits, &dp);
	if (mode == 'e') {
		int exp = dp - 1;

		buf_addch(b, digits[0]);
		if (nd > 1) {
			buf_addch(b, '.');
			buf_adds(b, digits + 1);
		}
		if (json)
			buf_addf(b, "e%c%d", exp < 0 ? '-' : '+', abs(exp));
		else
			buf_addf(b, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
		return;
	}
	if (dp <= 0) {
		buf_adds(b, "0.");
		for (int i = 0; i < -dp; i++)
			buf_addch(b, '0');
		buf_adds(b, digits);
	} else if (dp >= nd) {
		buf_adds(b, digits);
		for (int i = nd; i < dp; i++)
			buf_addch(b, '0');
	} else {
		buf_add(b, digits, (size_t)dp);
		buf_addch(b, '.');
		buf_adds(b, digits + dp);
	}
}

/* fmt's %v of a float64: strconv 'g' with the shortest digits. */
static void go_float(struct buf *b, double d)
{
	char digits[40];
	int dp, exp;

	if (isnan(d)) {
		buf_adds(b, "NaN");
		return;
	}
	if (isinf(d)) {
		buf_adds(b, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (d == 0) {
		buf_adds(b, signbit(d) ? "-0" : "0");
		return;
	}
	shortest(fabs(d), digits, &dp);
	exp = dp - 1;
	put_float(b, d, exp < -4 || exp >= 6 ? 'e' : 'f', 0);
}

/* ---- printing values as fmt's %v, and as JSON ---- */

static int key_cmp(const void *a, const void *b)
{
	return strcmp(**(const char *const *const *)a,
		      **(const char *const *const *)b);
}

/* The indices of an object's keys in sorted order (Go's map order). */
static size_t *sorted_keys(yajl_val obj)
{
	size_t n = obj->u.object.len;
	const char **p = xmalloc((n ? n : 1) * sizeof(*p));
	const char ***pp = xmalloc((n ? n : 1) * sizeof(*pp));
	size_t *idx = xmalloc((n ? n : 1) * sizeof(*idx));

	for (size_t i = 0; i < n; i++) {
		p[i] = obj->u.object.keys[i];
		pp[i] = &p[i];
	}
	qsort(pp, n, sizeof(*pp), key_cmp);
	for (size_t i = 0; i < n; i++)
		idx[i] = (size_t)(pp[i] - p);
	free(p);
	free(pp);
	return idx;
}

static void print_val(struct buf *b, const struct val *v);

static void print_node(struct buf *b, yajl_val n)
{
	struct val v;

	from_node(&v, n);
	print_val(b, &v);
}

static void print_val(struct buf *b, const struct val *v)
{
	switch (v->k) {
	case V_MISSING: buf_adds(b, "<no value>"); break;
	case V_ABSENT: break;
	case V_NIL: buf_adds(b, "<nil>"); break;
	case V_BOOL: buf_adds(b, v->i ? "true" : "false"); break;
	case V_INT: buf_addf(b, "%lld", v->i); break;
	case V_FLOAT: go_float(b, v->f); break;
	case V_STR: buf_add(b, v->s, v->n); break;
	case V_HDR: break;
	case V_LIST:
		buf_addch(b, '[');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				buf_addch(b, ' ');
			buf_add(b, v->list[i], v->lens[i]);
		}
		buf_addch(b, ']');
		break;
	case V_NODE:
		if (YAJL_IS_ARRAY(v->node)) {
			buf_addch(b, '[');
			for (size_t i = 0; i < v->node->u.array.len; i++) {
				if (i)
					buf_addch(b, ' ');
				print_node(b, v->node->u.array.values[i]);
			}
			buf_addch(b, ']');
		} else {
			size_t *idx = sorted_keys(v->node);

			buf_adds(b, "map[");
			for (size_t i = 0; i < v->node->u.object.len; i++) {
				if (i)
					buf_addch(b, ' ');
				buf_adds(b, v->node->u.object.keys[idx[i]]);
				buf_addch(b, ':');
				print_node(b, v->node->u.object.values[idx[i]]);
			}
			buf_addch(b, ']');
			free(idx);
		}
		break;
	}
}

/* A JSON string as Go's encoder with SetEscapeHTML(false) writes it. */
static void json_str(struct buf *b, const char *s, size_t n)
{
	buf_addch(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t l;

		if (c == '"' || c == '\\') {
			buf_addch(b, '\\');
			buf_addch(b, (char)c);
			i++;
			continue;
		}
		if (c < 0x20) {
			const char *sh = c == '\n' ? "\\n" : c == '\r' ? "\\r" :
				c == '\t' ? "\\t" : c == '\b' ? "\\b" :
				c == '\f' ? "\\f" : NULL;

			if (sh)
				buf_adds(b, sh);
			else
				buf_addf(b, "\\u%04x", c);
			i++;
			continue;
		}
		if (c < 0x80) {
			buf_addch(b, (char)c);
			i++;
			continue;
		}
		l = utf8_seq((const unsigned char *)s + i, n - i, &cp);
		if (!l) {
			buf_adds(b, "\\ufffd");
			i++;
		} else if (cp == 0x2028 || cp == 0x2029) {
			buf_addf(b, "\\u%04x", (unsigned)cp);
			i += l;
		} else {
			buf_add(b, s + i, l);
			i += l;
		}
	}
	buf_addch(b, '"');
}

static int json_val(struct buf *b, const struct val *v);

static int json_node(struct buf *b, yajl_val n)
{
	struct val v;

	if (n && YAJL_IS_NUMBER(n) && !YAJL_IS_INTEGER(n) && !YAJL_IS_DOUBLE(n))
		return -1;	/* out of float64's range */
	from_node(&v, n);
	return json_val(b, &v);
}

static int json_val(struct buf *b, const struct val *v)
{
	switch (v->k) {
	case V_MISSING:
	case V_ABSENT:
	case V_NIL: buf_adds(b, "null"); return 0;
	case V_BOOL: buf_adds(b, v->i ? "true" : "false"); return 0;
	case V_INT: buf_addf(b, "%lld", v->i); return 0;
	case V_FLOAT: {
		double a = fabs(v->f);

		if (!isfinite(v->f))
			return -1;
		put_float(b, v->f, a != 0 && (a < 1e-6 || a >= 1e21) ? 'e' : 'f', 1);
		return 0;
	}
	case V_STR:
	case V_HDR: json_str(b, v->s, v->n); return 0;
	case V_LIST:
		buf_addch(b, '[');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				buf_addch(b, ',');
			json_str(b, v->list[i], v->lens[i]);
		}
		buf_addch(b, ']');
		return 0;
	case V_NODE:
		if (YAJL_IS_ARRAY(v->node)) {
			buf_addch(b, '[');
			for (size_t i = 0; i < v->node->u.array.len; i++) {
				if (i)
					buf_addch(b, ',');
				if (json_node(b, v->node->u.array.values[i]))
					return -1;
			}
			buf_addch(b, ']');
		} else {
			buf_addch(b, '{');
			for (size_t i = 0; i < v->node->u.object.len; i++) {
				const char *k = v->node->u.object.keys[i];

				if (i)
					buf_addch(b, ',');
				json_str(b, k, strlen(k));
				buf_addch(b, ':');
				if (json_node(b, v->node->u.object.values[i]))
					return -1;
			}
			buf_addch(b, '}');
		}
		return 0;
	}
	return 0;
}

/* ---- fields ---- */

/* "MediaType" -> "MEDIA TYPE", "ID" -> "ID", "CreatedAt" -> "CREATED AT" */
static void header_name(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i && isupper(c) &&
		    (islower((unsigned char)s[i - 1]) ||
		     isdigit((unsigned char)s[i - 1]) ||
		     (isupper((unsigned char)s[i - 1]) && i + 1 < n &&
		      islower((unsigned char)s[i + 1]))))
			buf_addch(b, ' ');
		buf_addch(b, (char)toupper(c));
	}
}

/* A string value made in the execution arena from a buffer. */
static int make_str(struct ex *ex, struct val *v, const struct buf *b,
		    size_t pos, size_t end)
{
	char *p = ex_alloc(ex, b->len + 1, pos, end);

	if (!p)
		return ex->err;
	memcpy(p, b->ptr, b->len + 1);
	memset(v, 0, sizeof(*v));
	v->k = V_STR;
	v->s = p;
	v->n = b->len;
	return 0;
}

/* A Go field name and a JSON key: equal ignoring ASCII case and dots. */
static int name_is(const char *key, const char *s, size_t n)
{
	size_t i = 0;

	for (; *key; key++) {
		if (*key == '.')
			continue;
		if (i >= n || tolower((unsigned char)*key) != tolower((unsigned char)s[i]))
			return 0;
		i++;
	}
	return i == n;
}

static int field(struct ex *ex, struct val *v, const struct name *nm,
		 size_t start)
{
	yajl_val obj, hit = NULL;
	size_t end = nm->pos + 1 + nm->n;

	if (ex->header) {
		struct buf b = BUF_INIT;
		int ret;

		header_name(&b, nm->s, nm->n);
		ret = make_str(ex, v, &b, start, end);
		buf_release(&b);
		return ret;
	}
	if (v->k == V_NIL || v->k == V_MISSING || v->k == V_ABSENT)
		return exerr(ex, start, end, MF_EINVALID,
			     "nil pointer evaluating %s.%.*s",
			     v->k == V_NIL ? "interface {}" : "<nil>",
			     (int)nm->n, nm->s);
	if (v->k != V_NODE || !YAJL_IS_OBJECT(v->node))
		return exerr(ex, start, end, MF_EINVALID,
			     "can't evaluate field %.*s in type %s",
			     (int)nm->n, nm->s, type_name(v));
	obj = v->node;
	for (size_t i = 0; i < obj->u.object.len && !hit; i++) {
		const char *k = obj->u.object.keys[i];

		if (strlen(k) == nm->n && !memcmp(k, nm->s, nm->n))
			hit = obj->u.object.values[i];
	}
	for (size_t i = 0; i < obj->u.object.len && !hit; i++) {
		const char *k = obj->u.object.keys[i];

		if (strlen(k) == nm->n && !strncasecmp(k, nm->s, nm->n))
			hit = obj->u.object.values[i];
	}
	for (size_t i = 0; i < obj->u.object.len && !hit; i++)
		if (name_is(obj->u.object.keys[i], nm->s, nm->n))
			hit = obj->u.object.values[i];
	for (size_t i = 0; !hit && ex->optional && ex->optional[i]; i++)
		if (name_is(ex->optional[i], nm->s, nm->n)) {
			memset(v, 0, sizeof(*v));
			v->k = V_ABSENT;
			return 0;
		}
	if (!hit) {
		struct buf names = BUF_INIT;
		int ret;

		for (size_t i = 0; i < obj->u.object.len; i++) {
			const char *k = obj->u.object.keys[i];

			if (names.len > 200) {
				buf_adds(&names, ", ...");
				break;
			}
			if (i)
				buf_adds(&names, ", ");
			if (*k)
				buf_addch(&names, (char)toupper((unsigned char)*k));
			msg_add(&names, k + (*k != 0), strlen(k) - (*k != 0));
		}
		ret = exerr(ex, start, end, MF_EINVALID,
			    "field %.*s not found; fields: %s", (int)nm->n, nm->s,
			    names.len ? names.ptr : "(none)");
		buf_release(&names);
		return ret;
	}
	from_node(v, hit);
	return 0;
}

static int chain(struct ex *ex, struct val *v, const struct arg *a)
{
	for (size_t i = 0; i < a->nchain; i++)
		if (field(ex, v, &a->chain[i], a->pos))
			return ex->err;
	return 0;
}

/* ---- evaluation ---- */

static int eval_pipe(struct ex *ex, struct val *out, const struct pipe *p,
		     const struct val *dot, int declare);
static int call(struct ex *ex, struct val *out, const struct cmd *c,
		const struct val *dot, const struct val *final);

static void push_var(struct ex *ex, const char *s, size_t n,
		     const struct val *v)
{
	if (ex->nvars == ex->allocvars) {
		ex->allocvars = ex->allocvars ? ex->allocvars * 2 : 8;
		ex->vars = xrealloc(ex->vars, ex->allocvars * sizeof(*ex->vars));
	}
	ex->vars[ex->nvars].s = s;
	ex->vars[ex->nvars].n = n;
	ex->vars[ex->nvars].v = *v;
	ex->nvars++;
}

static struct var *find_var(struct ex *ex, const char *s, size_t n)
{
	for (size_t i = ex->nvars; i-- > 0;)
		if (ex->vars[i].n == n && !memcmp(ex->vars[i].s, s, n))
			return &ex->vars[i];
	return NULL;
}

static int eval_arg(struct ex *ex, struct val *out, const struct arg *a,
		    const struct val *dot)
{
	struct var *var;

	if (step(ex, a->pos, a->end))
		return ex->err;
	memset(out, 0, sizeof(*out));
	switch (a->k) {
	case A_DOT:
		*out = *dot;
		return 0;
	case A_FIELD:
		*out = *dot;
		return chain(ex, out, a);
	case A_VAR:
		var = find_var(ex, a->s, a->n);
		if (!var)	/* the parser checked: cannot happen */
			return exerr(ex, a->pos, a->end, MF_EINVALID,
				     "undefined variable");
		*out = var->v;
		return chain(ex, out, a);
	case A_PIPE:
		if (eval_pipe(ex, out, a->pipe, dot, 0))
			return ex->err;
		return chain(ex, out, a);
	case A_FUNC: {
		struct cmd c = { (struct arg *)a, 1, a->pos, a->end };

		return call(ex, out, &c, dot, NULL);
	}
	case A_STR:
		out->k = V_STR;
		out->s = a->s;
		out->n = a->n;
		return 0;
	case A_INT:
		out->k = V_INT;
		out->i = a->i;
		return 0;
	case A_FLOAT:
		out->k = V_FLOAT;
		out->f = a->f;
		return 0;
	case A_BOOL:
		out->k = V_BOOL;
		out->i = a->i;
		return 0;
	case A_NIL:
		out->k = V_NIL;
		return 0;
	}
	return 0;
}

static int eval_cmd(struct ex *ex, struct val *out, const struct cmd *c,
		    const struct val *dot, const struct val *final)
{
	const struct arg *a = &c->args[0];

	if (a->k == A_FUNC)
		return call(ex, out, c, dot, final);
	if (c->nargs > 1 || final)
		return exerr(ex, c->pos, c->end, MF_EINVALID,
			     "can't give argument to non-function %.*s",
			     (int)(a->end - a->pos > 40 ? 40 : a->end - a->pos),
			     ex->t->src + a->pos);
	return eval_arg(ex, out, a, dot);
}

static int eval_pipe(struct ex *ex, struct val *out, const struct pipe *p,
		     const struct val *dot, int declare)
{
	struct val v, prev;

	for (size_t i = 0; i < p->ncmds; i++) {
		if (eval_cmd(ex, &v, &p->cmds[i], dot, i ? &prev : NULL))
			return ex->err;
		prev = v;
	}
	*out = prev;
	if (declare && p->nvars) {
		if (p->assign) {
			struct var *var = find_var(ex, p->vars[0].s, p->vars[0].n);

			if (var)
				var->v = prev;
		} else {
			push_var(ex, p->vars[0].s, p->vars[0].n, &prev);
		}
	}
	return 0;
}

/* ---- functions ---- */

static int ferr(struct ex *ex, const struct cmd *c, const char *fmt, ...)
	MF_PRINTF(3, 4);

static int ferr(struct ex *ex, const struct cmd *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return exerr(ex, c->pos, c->end, MF_EINVALID, "error calling %.*s: %s",
		     (int)(c->args[0].end - c->args[0].pos),
		     ex->t->src + c->args[0].pos, msg);
}

static int need_str(struct ex *ex, const struct cmd *c, const struct val *v,
		    const char **s, size_t *n)
{
	if (v->k == V_STR) {
		*s = v->s;
		*n = v->n;
		return 0;
	}
	if (v->k == V_HDR) {
		*s = "";
		*n = 0;
		return 0;
	}
	return ferr(ex, c, "wrong type for value; expected string; got %s",
		    type_name(v));
}

static int need_int(struct ex *ex, const struct cmd *c, const struct val *v,
		    long long *i)
{
	if (v->k == V_INT) {
		*i = v->i;
		return 0;
	}
	return ferr(ex, c, "wrong type for value; expected int; got %s",
		    type_name(v));
}

/* A temporary buffer for a function's result: capped as the output is. */
static void tmp_init(struct ex *ex, struct buf *b)
{
	buf_init(b, ex->out->max);
	mf_error_clear();
}

static int tmp_done(struct ex *ex, const struct cmd *c, struct val *out,
		    struct buf *b)
{
	int ret;

	if (mf_error_code() == MF_ETOOBIG) {
		buf_release(b);
		return exerr(ex, c->pos, c->end, MF_ETOOBIG,
			     "result longer than %zu bytes", ex->out->max);
	}
	ret = make_str(ex, out, b, c->pos, c->end);
	buf_release(b);
	return ret;
}

static int f_not(struct val *out, struct ex *ex, const struct cmd *c,
		 struct val *a, size_t n)
{
	(void)ex; (void)c; (void)n;
	out->k = V_BOOL;
	out->i = !truth(&a[0]);
	return 0;
}

enum kind { K_BAD, K_NIL, K_BOOL, K_INT, K_FLOAT, K_STR };

static enum kind basic(const struct val *v)
{
	switch (v->k) {
	case V_MISSING:
	case V_ABSENT:
	case V_NIL: return K_NIL;
	case V_BOOL: return K_BOOL;
	case V_INT: return K_INT;
	case V_FLOAT: return K_FLOAT;
	case V_STR:
	case V_HDR: return K_STR;
	default: return K_BAD;
	}
}

/* <0, 0, >0; or an error for types Go cannot compare. */
static int compare(struct ex *ex, const struct cmd *c, const struct val *x,
		   const struct val *y, int ordered, int *res)
{
	enum kind kx = basic(x), ky = basic(y);

	if (kx == K_BAD || ky == K_BAD || (ordered && (kx == K_BOOL || kx == K_NIL)))
		return ferr(ex, c, "invalid type for comparison");
	if (kx == K_NIL || ky == K_NIL) {
		*res = kx != ky;
		return 0;
	}
	if (kx != ky)
		return ferr(ex, c, "incompatible types for comparison");
	switch (kx) {
	case K_BOOL:
	case K_INT:
		*res = x->i < y->i ? -1 : x->i > y->i;
		break;
	case K_FLOAT:
		*res = x->f < y->f ? -1 : x->f > y->f;
		break;
	default: {
		const char *xs = x->k == V_STR ? x->s : "";
		const char *ys = y->k == V_STR ? y->s : "";
		size_t xn = x->k == V_STR ? x->n : 0, yn = y->k == V_STR ? y->n : 0;
		int r = memcmp(xs, ys, xn < yn ? xn : yn);

		*res = r ? r : (xn > yn) - (xn < yn);
	}
	}
	return 0;
}

static int f_eq(struct val *out, struct ex *ex, const struct cmd *c,
		struct val *a, size_t n)
{
	int r;

	out->k = V_BOOL;
	out->i = 0;
	for (size_t i = 1; i < n; i++) {
		if (compare(ex, c, &a[0], &a[i], 0, &r))
			return ex->err;
		if (!r)
			out->i = 1;
	}
	return 0;
}

static int f_cmp(struct val *out, struct ex *ex, const struct cmd *c,
		 struct val *a, const char *op)
{
	int r;

	if (compare(ex, c, &a[0], &a[1], op[0] != 'n', &r))
		return ex->err;
	out->k = V_BOOL;
	out->i = !strcmp(op, "ne") ? r != 0 : !strcmp(op, "lt") ? r < 0 :
		!strcmp(op, "le") ? r <= 0 : !strcmp(op, "gt") ? r > 0 : r >= 0;
	return 0;
}

#define CMP_FN(name) \
static int f_##name(struct val *out, struct ex *ex, const struct cmd *c, \
		    struct val *a, size_t n) \
{ \
	(void)n; \
	return f_cmp(out, ex, c, a, #name); \
}
CMP_FN(ne)
CMP_FN(lt)
CMP_FN(le)
CMP_FN(gt)
CMP_FN(ge)

static int f_len(struct val *out, struct ex *ex, const struct cmd *c,
		 struct val *a, size_t n)
{
	(void)n;
	out->k = V_INT;
	switch (a[0].k) {
	case V_STR: out->i = (long long)a[0].n; return 0;
	case V_LIST: out->i = (long long)a[0].n; return 0;
	case V_NODE:
		out->i = (long long)(YAJL_IS_ARRAY(a[0].node) ?
				     a[0].node->u.array.len : a[0].node->u.object.len);
		return 0;
	case V_HDR:
	case V_ABSENT: out->i = 0; return 0;
	default:
		return ferr(ex, c, "len of type %s", type_name(&a[0]));
	}
}

static int f_index(struct val *out, struct ex *ex, const struct cmd *c,
		   struct val *a, size_t n)
{
	struct val v = a[0];

	for (size_t k = 1; k < n; k++) {
		const struct val *ix = &a[k];

		if (v.k == V_NIL || v.k == V_MISSING || v.k == V_ABSENT)
			return ferr(ex, c, "index of untyped nil");
		if (v.k == V_NODE && YAJL_IS_OBJECT(v.node)) {
			yajl_val obj = v.node, hit = NULL;

			if (ix->k != V_STR)
				return ferr(ex, c, "value has type %s; should be string",
					    type_name(ix));
			for (size_t i = 0; i < obj->u.object.len && !hit; i++) {
				const char *key = obj->u.object.keys[i];

				if (strlen(key) == ix->n && !memcmp(key, ix->s, ix->n))
					hit = obj->u.object.values[i];
			}
			if (!hit) {
				memset(&v, 0, sizeof(v));
				v.k = V_MISSING;
			} else {
				from_node(&v, hit);
			}
			continue;
		}
		if (v.k == V_NODE || v.k == V_LIST || v.k == V_STR) {
			size_t len = v.k == V_NODE ? v.node->u.array.len : v.n;

			if (ix->k != V_INT)
				return ferr(ex, c, "cannot index slice/array with type %s",
					    type_name(ix));
			if (ix->i < 0 || (unsigned long long)ix->i >= len)
				return ferr(ex, c, "index out of range: %lld", ix->i);
			if (v.k == V_NODE) {
				from_node(&v, v.node->u.array.values[ix->i]);
			} else if (v.k == V_LIST) {
				const char *s = v.list[ix->i];
				size_t l = v.lens[ix->i];

				memset(&v, 0, sizeof(v));
				v.k = V_STR;
				v.s = s;
				v.n = l;
			} else {
				long long byte = (unsigned char)v.s[ix->i];

				memset(&v, 0, sizeof(v));
				v.k = V_INT;
				v.i = byte;
			}
			continue;
		}
		return ferr(ex, c, "can't index item of type %s", type_name(&v));
	}
	*out = v;
	return 0;
}

static int f_json(struct val *out, struct ex *ex, const struct cmd *c,
		  struct val *a, size_t n)
{
	struct buf b;

	(void)n;
	tmp_init(ex, &b);
	if (json_val(&b, &a[0])) {
		buf_release(&b);
		return ferr(ex, c, "json: unsupported value");
	}
	return tmp_done(ex, c, out, &b);
}

static int f_join(struct val *out, struct ex *ex, const struct cmd *c,
		  struct val *a, size_t n)
{
	const char *sep = "";
	size_t seplen = 0, cnt;
	struct buf b;

	(void)n;
	if (need_str(ex, c, &a[1], &sep, &seplen))
		return ex->err;
	if (a[0].k == V_LIST) {
		cnt = a[0].n;
	} else if (a[0].k == V_NODE && YAJL_IS_ARRAY(a[0].node)) {
		cnt = a[0].node->u.array.len;
		for (size_t i = 0; i < cnt; i++)
			if (!YAJL_IS_STRING(a[0].node->u.array.values[i]))
				return ferr(ex, c, "wrong type for value; expected "
					    "[]string; got []interface {}");
	} else {
		return ferr(ex, c, "wrong type for value; expected []string; got %s",
			    type_name(&a[0]));
	}
	tmp_init(ex, &b);
	for (size_t i = 0; i < cnt; i++) {
		if (i)
			buf_add(&b, sep, seplen);
		if (a[0].k == V_LIST)
			buf_add(&b, a[0].list[i], a[0].lens[i]);
		else
			buf_adds(&b, YAJL_GET_STRING(a[0].node->u.array.values[i]));
	}
	return tmp_done(ex, c, out, &b);
}

static int f_split(struct val *out, struct ex *ex, const struct cmd *c,
		   struct val *a, size_t n)
{
	const char *s = "", *sep = "";
	size_t sl = 0, seplen = 0, cnt = 0, k = 0;

	(void)n;
	if (need_str(ex, c, &a[0], &s, &sl) || need_str(ex, c, &a[1], &sep, &seplen))
		return ex->err;
	/* count the pieces */
	if (!seplen) {
		for (size_t i = 0; i < sl; cnt++) {
			size_t l = utf8_seq((const unsigned char *)s + i, sl - i, NULL);

			i += l ? l : 1;
		}
	} else {
		cnt = 1;
		for (size_t i = 0; i + seplen <= sl;)
			if (!memcmp(s + i, sep, seplen)) {
				cnt++;
				i += seplen;
			} else {
				i++;
			}
	}
	memset(out, 0, sizeof(*out));
	out->k = V_LIST;
	out->list = ex_alloc(ex, (cnt + 1) * sizeof(*out->list), c->pos, c->end);
	out->lens = out->list ? ex_alloc(ex, (cnt + 1) * sizeof(*out->lens),
					 c->pos, c->end) : NULL;
	if (!out->lens)
		return ex->err;
	if (!seplen) {
		for (size_t i = 0; i < sl; k++) {
			size_t l = utf8_seq((const unsigned char *)s + i, sl - i, NULL);

			l = l ? l : 1;
			out->list[k] = s + i;
			out->lens[k] = l;
			i += l;
		}
	} else {
		size_t start = 0;

		for (size_t i = 0; i + seplen <= sl;)
			if (!memcmp(s + i, sep, seplen)) {
				out->list[k] = s + start;
				out->lens[k++] = i - start;
				i += seplen;
				start = i;
			} else {
				i++;
			}
		out->list[k] = s + start;
		out->lens[k++] = sl - start;
	}
	out->n = k;
	return 0;
}

static int f_case(struct val *out, struct ex *ex, const struct cmd *c,
		  struct val *a, int mode)
{
	const char *s = "";
	size_t n = 0;
	struct buf b;
	int sep = 1;

	if (need_str(ex, c, &a[0], &s, &n))
		return ex->err;
	tmp_init(ex, &b);
	buf_add(&b, s, n);
	for (size_t i = 0; i < b.len; i++) {
		unsigned char ch = (unsigned char)b.ptr[i];

		if (mode == 'l')
			b.ptr[i] = (char)tolower(ch);
		else if (mode == 'u' || (mode == 't' && sep))
			b.ptr[i] = (char)toupper(ch);
		/* strings.Title: a word follows anything but a letter,
		 * digit, underscore, apostrophe or non-ASCII byte */
		sep = ch < 0x80 && !isalnum(ch) && ch != '_' && ch != '\'';
	}
	return tmp_done(ex, c, out, &b);
}

static int f_lower(struct val *out, struct ex *ex, const struct cmd *c,
		   struct val *a, size_t n)
{
	(void)n;
	return f_case(out, ex, c, a, 'l');
}

static int f_upper(struct val *out, struct ex *ex, const struct cmd *c,
		   struct val *a, size_t n)
{
	(void)n;
	return f_case(out, ex, c, a, 'u');
}

static int f_title(struct val *out, struct ex *ex, const struct cmd *c,
		   struct val *a, size_t n)
{
	(void)n;
	return f_case(out, ex, c, a, 't');
}

static int f_pad(struct val *out, struct ex *ex, const struct cmd *c,
		 struct val *a, size_t n)
{
	const char *s = "";
	size_t sl = 0;
	long long pre = 0, suf = 0;
	struct buf b;

	(void)n;
	if (need_str(ex, c, &a[0], &s, &sl) || need_int(ex, c, &a[1], &pre) ||
	    need_int(ex, c, &a[2], &suf))
		return ex->err;
	if (!sl) {
		*out = a[0];
		return 0;
	}
	if (pre < 0 || suf < 0)
		return ferr(ex, c, "strings: negative Repeat count");
	if ((unsigned long long)pre > ex->out->max ||
	    (unsigned long long)suf > ex->out->max)
		return exerr(ex, c->pos, c->end, MF_ETOOBIG,
			     "result longer than %zu bytes", ex->out->max);
	tmp_init(ex, &b);
	for (long long i = 0; i < pre; i++)
		buf_addch(&b, ' ');
	buf_add(&b, s, sl);
	for (long long i = 0; i < suf; i++)
		buf_addch(&b, ' ');
	return tmp_done(ex, c, out, &b);
}

static int f_truncate(struct val *out, struct ex *ex, const struct cmd *c,
		      struct val *a, size_t n)
{
	const char *s = "";
	size_t sl = 0;
	long long len = 0;

	(void)n;
	if (need_str(ex, c, &a[0], &s, &sl) || need_int(ex, c, &a[1], &len))
		return ex->err;
	*out = a[0];
	if (len < 0)
		return ferr(ex, c, "runtime error: slice bounds out of range [:%lld]",
			    len);
	if ((unsigned long long)len <= sl)
		out->n = (size_t)len;
	return 0;
}

/* fmt's print: spaces between operands when neither is a string. */
static int f_print(struct val *out, struct ex *ex, const struct cmd *c,
		   struct val *a, size_t n)
{
	struct buf b;

	tmp_init(ex, &b);
	for (size_t i = 0; i < n; i++) {
		if (i && a[i].k != V_STR && a[i - 1].k != V_STR)
			buf_addch(&b, ' ');
		print_val(&b, &a[i]);
	}
	return tmp_done(ex, c, out, &b);
}

static int f_println(struct val *out, struct ex *ex, const struct cmd *c,
		     struct val *a, size_t n)
{
	struct buf b;

	tmp_init(ex, &b);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addch(&b, ' ');
		print_val(&b, &a[i]);
	}
	buf_addch(&b, '\n');
	return tmp_done(ex, c, out, &b);
}

/* strconv.Quote, taking every valid code point from U+00A0 as printable. */
static void go_quote(struct buf *b, const char *s, size_t n)
{
	buf_addch(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t l;

		if (c == '"' || c == '\\') {
			buf_addch(b, '\\');
			buf_addch(b, (char)c);
			i++;
			continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			buf_addch(b, (char)c);
			i++;
			continue;
		}
		if (c < 0x80) {
			const char *e = strchr("\a\b\f\n\r\t\v", c);

			if (c && e)
				buf_addf(b, "\\%c", "abfnrtv"[e - "\a\b\f\n\r\t\v"]);
			else
				buf_addf(b, "\\x%02x", c);
			i++;
			continue;
		}
		l = utf8_seq((const unsigned char *)s + i, n - i, &cp);
		if (!l) {
			buf_addf(b, "\\x%02x", c);
			i++;
		} else if (cp < 0xa0 || cp == 0xad || cp == 0x2028 ||
			   cp == 0x2029 || cp == 0xfeff) {
			buf_addf(b, cp < 0x10000 ? "\\u%04x" : "\\U%08x",
				 (unsigned)cp);
			i += l;
		} else {
			buf_add(b, s + i, l);
			i += l;
		}
	}
	buf_addch(b, '"');
}

static void put_utf8(struct buf *b, long long cp)
{
	char u[4];

	if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_addch(b, (char)cp);
		return;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 4);
	}
}

struct spec {
	int minus, plus, space, zero, sharp;
	long width, prec;	/* -1: not given */
};

/* Pad `s` to the width (counted in code points), as fmt does. */
static void pad_to(struct buf *b, const struct spec *sp, const char *s,
		   size_t n, int zero_ok)
{
	size_t runes = 0;
	long pad;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			runes++;
	pad = sp->width > (long)runes ? sp->width - (long)runes : 0;
	if (sp->minus) {
		buf_add(b, s, n);
		while (pad-- > 0)
			buf_addch(b, ' ');
		return;
	}
	if (sp->zero && zero_ok && n && (*s == '-' || *s == '+')) {
		buf_addch(b, *s);
		s++;
		n--;
	}
	while (pad-- > 0)
		buf_addch(b, sp->zero && zero_ok ? '0' : ' ');
	buf_add(b, s, n);
}

static void bad_verb(struct buf *b, char verb, const struct val *v)
{
	buf_addf(b, "%%!%c(", verb);
	if (v->k == V_NIL || v->k == V_MISSING || v->k == V_ABSENT) {
		buf_adds(b, "<nil>");
	} else {
		buf_adds(b, type_name(v));
		buf_addch(b, '=');
		print_val(b, v);
	}
	buf_addch(b, ')');
}

/* %d %x %X %o of an int, with fmt's precision, sign and # flags. */
static void fmt_int(struct buf *t, const struct spec *sp, char verb, long long i)
{
	unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i :
		(unsigned long long)i;
	unsigned base = verb == 'd' ? 10 : verb == 'o' ? 8 : 16;
	const char *dig = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[72];
	size_t n = 0;

	do {
		tmp[n++] = dig[u % base];
		u /= base;
	} while (u);
	if (sp->prec == 0 && i == 0)
		n = 0;
	if (i < 0)
		buf_addch(t, '-');
	else if (sp->plus || sp->space)
		buf_addch(t, sp->plus ? '+' : ' ');
	if (sp->sharp && base == 16)
		buf_adds(t, verb == 'X' ? "0X" : "0x");
	if (sp->sharp && base == 8 && (!n || tmp[n - 1] != '0'))
		buf_addch(t, '0');
	for (long k = (long)n; k < sp->prec; k++)
		buf_addch(t, '0');
	while (n)
		buf_addch(t, tmp[--n]);
}

static void fmt_float(struct buf *t, char verb, int prec, double f)
{
	switch (verb) {
	case 'e': buf_addf(t, "%.*e", prec, f); break;
	case 'E': buf_addf(t, "%.*E", prec, f); break;
	case 'g': buf_addf(t, "%.*g", prec, f); break;
	case 'G': buf_addf(t, "%.*G", prec, f); break;
	default: buf_addf(t, "%.*f", prec, f); break;
	}
}

static void fmt_one(struct buf *b, const struct spec *sp, char verb,
		    const struct val *v)
{
	struct buf t = BUF_INIT_MAX(b->max);

	if (verb == 'v' || (verb == 's' && (v->k == V_STR || v->k == V_LIST ||
					    v->k == V_HDR ||
					    (v->k == V_NODE && YAJL_IS_ARRAY(v->node))))) {
		if (v->k == V_FLOAT && sp->prec >= 0) {
			buf_addf(&t, "%.*g", (int)sp->prec, v->f);
		} else if (v->k == V_STR && sp->prec >= 0) {
			size_t i = 0;

			for (long r = 0; i < v->n && r < sp->prec; r++) {
				size_t l = utf8_seq((const unsigned char *)v->s + i,
						    v->n - i, NULL);

				i += l ? l : 1;
			}
			buf_add(&t, v->s, i);
		} else if ((v->k == V_INT || v->k == V_FLOAT) &&
			   (sp->plus || sp->space) && !signbit(v->k == V_INT ?
							       (double)v->i : v->f)) {
			buf_addch(&t, sp->plus ? '+' : ' ');
			print_val(&t, v);
		} else {
			print_val(&t, v);
		}
		pad_to(b, sp, t.ptr, t.len, v->k == V_INT || v->k == V_FLOAT);
		goto out;
	}
	switch (verb) {
	case 'd':
	case 'x':
	case 'X':
	case 'o':
		if (v->k == V_INT) {
			fmt_int(&t, sp, verb, v->i);
			pad_to(b, sp, t.ptr, t.len, sp->prec < 0);
			goto out;
		}
		if (v->k == V_STR && (verb == 'x' || verb == 'X')) {
			for (size_t i = 0; i < v->n; i++)
				buf_addf(&t, verb == 'x' ? "%02x" : "%02X",
					 (unsigned char)v->s[i]);
			pad_to(b, sp, t.ptr, t.len, 0);
			goto out;
		}
		break;
	case 'e':
	case 'E':
	case 'f':
	case 'F':
	case 'g':
	case 'G':
		if (v->k == V_FLOAT) {
			if ((verb == 'g' || verb == 'G') && sp->prec < 0) {
				go_float(&t, v->f);
				pad_to(b, sp, t.ptr, t.len, 1);
				goto out;
			}
			if (!signbit(v->f) && (sp->plus || sp->space))
				buf_addch(&t, sp->plus ? '+' : ' ');
			fmt_float(&t, verb, sp->prec < 0 ? 6 : (int)sp->prec, v->f);
			pad_to(b, sp, t.ptr, t.len, 1);
			goto out;
		}
		break;
	case 'q':
		if (v->k == V_STR) {
			go_quote(&t, v->s, v->n);
			pad_to(b, sp, t.ptr, t.len, 0);
			goto out;
		}
		if (v->k == V_INT) {
			struct buf r = BUF_INIT;

			put_utf8(&r, v->i);
			buf_addch(&t, '\'');
			if (r.len == 1 && (r.ptr[0] == '\'' || r.ptr[0] == '\\'))
				buf_addch(&t, '\\');
			if (r.len == 1 && (unsigned char)r.ptr[0] < 0x20)
				buf_addf(&t, "\\x%02x", (unsigned char)r.ptr[0]);
			else
				buf_add(&t, r.ptr, r.len);
			buf_addch(&t, '\'');
			buf_release(&r);
			pad_to(b, sp, t.ptr, t.len, 0);
			goto out;
		}
		break;
	case 'c':
		if (v->k == V_INT) {
			put_utf8(&t, v->i);
			pad_to(b, sp, t.ptr, t.len, 0);
			goto out;
		}
		break;
	case 't':
		if (v->k == V_BOOL) {
			pad_to(b, sp, v->i ? "true" : "false", v->i ? 4 : 5, 0);
			goto out;
		}
		break;
	default:
		break;
	}
	bad_verb(b, verb, v);
out:
	buf_release(&t);
}

static int f_printf(struct val *out, struct ex *ex, const struct cmd *c,
		    struct val *a, size_t n)
{
	const char *f = "";
	size_t fl = 0, argi = 1;
	struct buf b;

	if (need_str(ex, c, &a[0], &f, &fl))
		return ex->err;
	tmp_init(ex, &b);
	for (size_t i = 0; i < fl; i++) {
		struct spec sp = { 0, 0, 0, 0, 0, -1, -1 };
		int bad = 0;

		if (f[i] != '%') {
			buf_addch(&b, f[i]);
			continue;
		}
		if (++i >= fl) {
			buf_adds(&b, "%!(NOVERB)");
			break;
		}
		for (;; i++) {
			if (i >= fl) break;
			else if (f[i] == '-') sp.minus = 1;
			else if (f[i] == '+') sp.plus = 1;
			else if (f[i] == ' ') sp.space = 1;
			else if (f[i] == '0') sp.zero = 1;
			else if (f[i] == '#') sp.sharp = 1;
			else break;
		}
		for (; i < fl && isdigit((unsigned char)f[i]); i++) {
			sp.width = (sp.width < 0 ? 0 : sp.width) * 10 + (f[i] - '0');
			if (sp.width > 1000000)
				bad = 1, sp.width = 1000000;
		}
		if (i < fl && f[i] == '.') {
			sp.prec = 0;
			for (i++; i < fl && isdigit((unsigned char)f[i]); i++) {
				sp.prec = sp.prec * 10 + (f[i] - '0');
				if (sp.prec > 1000000)
					bad = 1, sp.prec = 1000000;
			}
		}
		if (i >= fl) {
			buf_adds(&b, "%!(NOVERB)");
			break;
		}
		if (bad) {
			buf_adds(&b, "%!(BADWIDTH)");
			continue;
		}
		if (f[i] == '%') {
			buf_addch(&b, '%');
			continue;
		}
		if ((unsigned char)f[i] >= 0x80 || !isalpha((unsigned char)f[i])) {
			buf_addf(&b, "%%!%c(BADVERB)", f[i] < 0x20 ? '?' : f[i]);
			continue;
		}
		if (argi >= n) {
			buf_addf(&b, "%%!%c(MISSING)", f[i]);
			continue;
		}
		fmt_one(&b, &sp, f[i], &a[argi++]);
	}
	if (argi < n) {
		buf_adds(&b, "%!(EXTRA ");
		for (size_t k = argi; k < n; k++) {
			if (k > argi)
				buf_adds(&b, ", ");
			buf_adds(&b, type_name(&a[k]));
			buf_addch(&b, '=');
			print_val(&b, &a[k]);
		}
		buf_addch(&b, ')');
	}
	return tmp_done(ex, c, out, &b);
}

static const struct fn fns[] = {
	{ "and", 1, -1, NULL, 0 },
	{ "eq", 2, -1, f_eq, 0 },
	{ "ge", 2, 2, f_ge, 0 },
	{ "gt", 2, 2, f_gt, 0 },
	{ "index", 1, -1, f_index, 0 },
	{ "join", 2, 2, f_join, 1 },
	{ "json", 1, 1, f_json, 1 },
	{ "le", 2, 2, f_le, 0 },
	{ "len", 1, 1, f_len, 0 },
	{ "lower", 1, 1, f_lower, 1 },
	{ "lt", 2, 2, f_lt, 0 },
	{ "ne", 2, 2, f_ne, 0 },
	{ "not", 1, 1, f_not, 0 },
	{ "or", 1, -1, NULL, 0 },
	{ "pad", 3, 3, f_pad, 0 },
	{ "print", 0, -1, f_print, 0 },
	{ "printf", 1, -1, f_printf, 0 },
	{ "println", 0, -1, f_println, 0 },
	{ "split", 2, 2, f_split, 1 },
	{ "title", 1, 1, f_title, 1 },
	{ "truncate", 2, 2, f_truncate, 1 },
	{ "upper", 1, 1, f_upper, 1 },
};

static const struct fn *fn_lookup(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strlen(fns[i].name) == n && !memcmp(fns[i].name, s, n))
			return &fns[i];
	return NULL;
}

#define MAX_ARGS 64

static int call(struct ex *ex, struct val *out, const struct cmd *c,
		const struct val *dot, const struct val *final)
{
	const struct fn *fn = c->args[0].fn;
	struct val argv[MAX_ARGS];
	size_t argc = c->nargs - 1 + (final != NULL);

	if ((fn->min >= 0 && argc < (size_t)fn->min) ||
	    (fn->max >= 0 && argc > (size_t)fn->max) || argc > MAX_ARGS)
		return exerr(ex, c->pos, c->end, MF_EINVALID,
			     "wrong number of args for %s: want %s%d got %zu",
			     fn->name, fn->max < 0 ? "at least " : "",
			     argc > MAX_ARGS ? MAX_ARGS : fn->min, argc);
	memset(out, 0, sizeof(*out));
	if (!fn->impl) {
		/* and / or: evaluate left to right, stop at the answer */
		int want = !strcmp(fn->name, "or");

		for (size_t i = 0; i < argc; i++) {
			if (i < c->nargs - 1) {
				if (eval_arg(ex, out, &c->args[i + 1], dot))
					return ex->err;
			} else {
				*out = *final;
			}
			if (truth(out) == want)
				break;
		}
		return 0;
	}
	for (size_t i = 0; i + 1 < c->nargs; i++)
		if (eval_arg(ex, &argv[i], &c->args[i + 1], dot))
			return ex->err;
	if (final)
		argv[argc - 1] = *final;
	if (ex->header && fn->header_identity) {
		*out = argv[0];
		return 0;
	}
	return fn->impl(out, ex, c, argv, argc);
}

/* ---- running the tree ---- */

static int emit(struct ex *ex, const struct node *n, const char *s, size_t len)
{
	if (buf_add(ex->out, s, len))
		return exerr(ex, n->pos, n->pos, MF_ETOOBIG,
			     "output longer than %zu bytes", ex->out->max);
	return 0;
}

static int exec_list(struct ex *ex, const struct node *n, const struct val *dot);

static int exec_range(struct ex *ex, const struct node *n, const struct val *dot)
{
	const struct pipe *p = n->pipe;
	struct val v, key, elem;
	size_t mark = ex->nvars, count = 0, *idx = NULL;
	int ret = 0;

	if (eval_pipe(ex, &v, p, dot, 0))
		return ex->err;
	memset(&key, 0, sizeof(key));
	if (ex->header) {
		count = 1;
	} else if (v.k == V_NODE) {
		count = YAJL_IS_ARRAY(v.node) ? v.node->u.array.len :
			v.node->u.object.len;
		if (YAJL_IS_OBJECT(v.node))
			idx = sorted_keys(v.node);
	} else if (v.k == V_LIST) {
		count = v.n;
	} else if (v.k == V_INT) {
		if (p->nvars > 1)
			return exerr(ex, n->pos, n->pos + 5, MF_EINVALID,
				     "can't use %lld to iterate over more than one variable",
				     v.i);
		count = v.i > 0 ? (size_t)v.i : 0;
	} else if (v.k != V_NIL && v.k != V_MISSING && v.k != V_ABSENT) {
		struct buf b = BUF_INIT_MAX(64);

		print_val(&b, &v);
		ret = exerr(ex, n->pos, n->pos + 5, MF_EINVALID,
			    "range can't iterate over %s", b.ptr);
		buf_release(&b);
		return ret;
	}
	for (size_t i = 0; i < count && !ret; i++) {
		if ((ret = step(ex, n->pos, n->pos + 5)))
			break;
		memset(&key, 0, sizeof(key));
		key.k = V_INT;
		key.i = (long long)i;
		if (ex->header) {
			elem = v;
		} else if (v.k == V_NODE && idx) {
			key.k = V_STR;
			key.s = v.node->u.object.keys[idx[i]];
			key.n = strlen(key.s);
			from_node(&elem, v.node->u.object.values[idx[i]]);
		} else if (v.k == V_NODE) {
			from_node(&elem, v.node->u.array.values[i]);
		} else if (v.k == V_LIST) {
			memset(&elem, 0, sizeof(elem));
			elem.k = V_STR;
			elem.s = v.list[i];
			elem.n = v.lens[i];
		} else {
			elem = key;
		}
		ex->nvars = mark;
		if (p->nvars == 1)
			push_var(ex, p->vars[0].s, p->vars[0].n, &elem);
		if (p->nvars == 2) {
			push_var(ex, p->vars[0].s, p->vars[0].n, &key);
			push_var(ex, p->vars[1].s, p->vars[1].n, &elem);
		}
		ret = exec_list(ex, n->list, &elem);
	}
	free(idx);
	ex->nvars = mark;
	if (!ret && !count && n->elselist)
		ret = exec_list(ex, n->elselist, dot);
	return ret;
}

static int exec_list(struct ex *ex, const struct node *n, const struct val *dot)
{
	size_t mark = ex->nvars;
	int ret = 0;

	for (; n && !ret; n = n->next) {
		struct val v;
		size_t m2 = ex->nvars;

		if ((ret = step(ex, n->pos, n->pos)))
			break;
		switch (n->k) {
		case N_TEXT:
			ret = emit(ex, n, n->text, n->len);
			break;
		case N_ACTION:
			if ((ret = eval_pipe(ex, &v, n->pipe, dot, 1)))
				break;
			if (!n->pipe->nvars) {
				mf_error_clear();
				print_val(ex->out, &v);
				if (mf_error_code() == MF_ETOOBIG)
					ret = exerr(ex, n->pos, n->pos, MF_ETOOBIG,
						    "output longer than %zu bytes",
						    ex->out->max);
			}
			break;
		case N_IF:
		case N_WITH:
			if ((ret = eval_pipe(ex, &v, n->pipe, dot, 1)))
				break;
			if (truth(&v))
				ret = exec_list(ex, n->list, n->k == N_WITH ? &v : dot);
			else if (n->elselist)
				ret = exec_list(ex, n->elselist, dot);
			ex->nvars = m2;
			break;
		case N_RANGE:
			ret = exec_range(ex, n, dot);
			break;
		}
	}
	ex->nvars = mark;
	return ret;
}

static int run(const struct tmpl *t, struct buf *out, const struct val *root,
	       int header, const char *const *optional)
{
	struct ex ex;
	int ret;

	memset(&ex, 0, sizeof(ex));
	ex.t = t;
	ex.optional = optional;
	ex.out = out;
	ex.header = header;
	ex.arena.max = out->max > ((size_t)1 << 28) ? ((size_t)1 << 30) :
		4 * out->max + (1u << 20);
	push_var(&ex, "$", 1, root);
	ret = exec_list(&ex, t->root, root);
	arena_release(&ex.arena);
	free(ex.vars);
	return ret;
}

int tmpl_exec_opt(const struct tmpl *t, struct buf *out, yajl_val data,
		  const char *const *optional)
{
	struct val root;

	from_node(&root, data);
	return run(t, out, &root, 0, optional);
}

int tmpl_exec(const struct tmpl *t, struct buf *out, yajl_val data)
{
	return tmpl_exec_opt(t, out, data, NULL);
}

int tmpl_exec_header(const struct tmpl *t, struct buf *out)
{
	struct val root;

	memset(&root, 0, sizeof(root));
	root.k = V_HDR;
	return run(t, out, &root, 1, NULL);
}

/* ---- tables: Go's text/tabwriter, as docker's formatter sets it up ---- */

#define TW_MINWIDTH 10
#define TW_PADDING 3

struct tw_cell {
	size_t off, size, width;
};

struct tw_line {
	struct tw_cell *c;
	size_t n;
};

struct tw {
	const char *text;
	struct tw_line *lines;
	size_t nlines;
	size_t *widths;
	size_t nwidths;
	struct buf *out;
	int ret;
};

static void tw_write_lines(struct tw *w, size_t l0, size_t l1)
{
	for (size_t i = l0; i < l1 && !w->ret; i++) {
		const struct tw_line *ln = &w->lines[i];

		for (size_t j = 0; j < ln->n; j++) {
			const struct tw_cell *c = &ln->c[j];

			if (buf_add(w->out, w->text + c->off, c->size))
				w->ret = MF_ETOOBIG;
			if (j < w->nwidths)
				for (size_t k = c->width; k < w->widths[j]; k++)
					if (buf_addch(w->out, ' '))
						w->ret = MF_ETOOBIG;
		}
		if (i + 1 < w->nlines && buf_addch(w->out, '\n'))
			w->ret = MF_ETOOBIG;
	}
}

static void tw_format(struct tw *w, size_t l0, size_t l1)
{
	size_t column = w->nwidths;

	for (size_t this = l0; this < l1; this++) {
		size_t width = TW_MINWIDTH;

		if (column + 1 >= w->lines[this].n)
			continue;
		tw_write_lines(w, l0, this);
		l0 = this;
		for (; this < l1; this++) {
			const struct tw_line *ln = &w->lines[this];

			if (column + 1 >= ln->n)
				break;
			if (ln->c[column].width + TW_PADDING > width)
				width = ln->c[column].width + TW_PADDING;
		}
		w->widths[w->nwidths++] = width;
		tw_format(w, l0, this);
		w->nwidths--;
		l0 = this;
		if (this >= l1)
			break;
		this--;	/* the loop's this++ must look at line `this` again */
	}
	tw_write_lines(w, l0, l1);
}

int tmpl_tabwrite(struct buf *out, const char *text, size_t len)
{
	struct tw w;
	size_t maxcells = 0;

	memset(&w, 0, sizeof(w));
	w.text = text;
	w.out = out;
	/* split into lines of cells; the last line has no newline after it */
	for (size_t i = 0, start = 0; i <= len; i++) {
		struct tw_line *ln;

		if (i == 0 || (i <= len && text[i - 1] == '\n')) {
			w.lines = xrealloc(w.lines, (w.nlines + 1) * sizeof(*w.lines));
			ln = &w.lines[w.nlines++];
			ln->c = NULL;
			ln->n = 0;
			start = i;
		}
		ln = &w.lines[w.nlines - 1];
		if (i == len || text[i] == '\t' || text[i] == '\n') {
			struct tw_cell c = { start, i - start, 0 };

			for (size_t k = start; k < i; k++)
				if (((unsigned char)text[k] & 0xc0) != 0x80)
					c.width++;
			ln->c = xrealloc(ln->c, (ln->n + 1) * sizeof(*ln->c));
			ln->c[ln->n++] = c;
			if (ln->n > maxcells)
				maxcells = ln->n;
			start = i + 1;
		}
	}
	w.widths = xcalloc(maxcells + 1, sizeof(*w.widths));
	tw_format(&w, 0, w.nlines);
	for (size_t i = 0; i < w.nlines; i++)
		free(w.lines[i].c);
	free(w.lines);
	free(w.widths);
	if (w.ret)
		return mf_error(MF_ETOOBIG, "table longer than %zu bytes", out->max);
	return 0;
}

int tmpl_json(struct buf *out, yajl_val v)
{
	int ret;

	mf_error_clear();
	ret = json_node(out, v);
	if (mf_error_code() == MF_ETOOBIG)
		return mf_error(MF_ETOOBIG, "JSON longer than %zu bytes", out->max);
	if (ret)
		return mf_error(MF_EINVALID, "a number out of range");
	return 0;
}

int tmpl_is_template(const char *format)
{
	return format && strstr(format, "{{") != NULL;
}

/* ---- docker's formatter.Context ---- */

int tmpl_format_begin(struct tmpl_format *f, const char *format)
{
	struct buf b = BUF_INIT_MAX(TMPL_MAX_LEN + 1);
	const char *s = format;
	size_t n = strlen(format);
	int ret;

	memset(f, 0, sizeof(*f));
	buf_init(&f->body, BUF_MAX_DEFAULT);
	if (!strncmp(s, "table", 5)) {
		f->table = 1;
		s += 5;
		n -= 5;
	}
	while (n && *s == ' ') {
		s++;
		n--;
	}
	while (n && s[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n')) {
			buf_addch(&b, s[++i] == 't' ? '\t' : '\n');
			continue;
		}
		if (buf_addch(&b, s[i]))
			break;
	}
	if (b.len > TMPL_MAX_LEN || n > 2 * (size_t)TMPL_MAX_LEN)
		ret = mf_error(MF_ETOOBIG, "template: longer than %u bytes",
			       TMPL_MAX_LEN);
	else
		ret = tmpl_parse(&f->t, b.ptr, b.len);
	buf_release(&b);
	return ret;
}

int tmpl_format_item(struct tmpl_format *f, yajl_val item)
{
	int ret = tmpl_exec_opt(f->t, &f->body, item, f->optional);

	if (!ret && buf_addch(&f->body, '\n'))
		ret = MF_ETOOBIG;
	return ret;
}

int tmpl_format_end(struct tmpl_format *f, struct buf *out)
{
	struct buf all;
	int ret;

	if (!f->table) {
		if (buf_add(out, f->body.ptr, f->body.len))
			return MF_ETOOBIG;
		return 0;
	}
	buf_init(&all, f->body.max);
	ret = tmpl_exec_header(f->t, &all);
	if (!ret && (buf_addch(&all, '\n') || buf_add(&all, f->body.ptr, f->body.len)))
		ret = MF_ETOOBIG;
	if (!ret)
		ret = tmpl_tabwrite(out, all.ptr, all.len);
	buf_release(&all);
	return ret;
}

void tmpl_format_release(struct tmpl_format *f)
{
	tmpl_free(f->t);
	f->t = NULL;
	buf_release(&f->body);
}
