# chainlint.awk: find broken &&-chains in one test body (read on stdin).
#
#   awk -f chainlint.awk <body
#
# Prints one line per problem and exits 1 if there is any, 0 otherwise.
# test-lib.sh runs it on every body before running the body (see the
# header there).  Two rules:
#
# 1. A newline ends a command only where a chain may end: inside the
#    body, a { } group, a ( ) subshell, an if/then/else/fi or a loop,
#    every line must end with &&, ||, | (or \, {, (, do, then, else),
#    unless the next line starts with what closes or continues the
#    construct (}, ), done, fi, else, elif, then, do, esac).  A ; on the
#    same line (`{ cmd; test $? = 1; }`) is taken as deliberate.
# 2. A loop body must end in `|| return N` or `|| exit N`: without it a
#    failure in any but the last iteration is lost.
#
# It is a tokenizer, not a shell: it knows quotes ('', "", $'' loosely),
# $( ), ${ }, $(( )), backslashes, comments and here-documents, and it
# does not look inside case ... esac, $( ) or quoted strings.  POSIX awk
# (mawk is enough).

function push(c) { stk[++sp] = c; if (c == "L" || c == "B") opentok[sp] = ntok }
function pop(c) {
	if (sp > 1 && stk[sp] == c) { sp--; return 1 }
	return 0
}
function lintable(c) { return c == "T" || c == "B" || c == "S" || c == "L" || c == "I" }
function complain(msg) { problems++; print msg }

# A token of the current context: the closers below may follow a line
# that ended a command; anything else after such a line is a break.
function token(t) {
	if (pending) {
		if (t !~ /^(\}|\)|done|fi|else|elif|then|do|esac|;;)$/)
			complain("broken &&-chain: line " pending " ends a command without &&: " line[pending])
		pending = 0
	}
	tok[++ntok] = t
	linelast = t
}

# The word just read is complete: keywords act only in command position.
function endword(   w, q) {
	if (!inword)
		return
	w = word; q = wordquoted
	inword = 0; word = ""; wordquoted = 0
	if (redirtarget) {
		redirtarget = 0
		linelast = w
		return
	}
	if (!q && cmdpos) {
		if (w == "{") { token(w); push("B"); cmdpos = 1; return }
		if (w == "}") {
			token(w)
			if (stk[sp] == "B")
				groupopen[ntok] = opentok[sp]
			pop("B"); cmdpos = 0; return
		}
		if (w == "if") { token(w); push("I"); cmdpos = 1; return }
		if (w == "then" || w == "else" || w == "elif" || w == "do" || w == "!") {
			token(w); cmdpos = 1; return
		}
		if (w == "fi") { token(w); pop("I"); cmdpos = 0; return }
		if (w == "for" || w == "while" || w == "until") {
			token(w); push("L"); cmdpos = (w != "for"); return
		}
		if (w == "done") {
			loopcheck()
			token(w); pop("L"); cmdpos = 0; return
		}
		if (w == "case") { token(w); push("C"); cmdpos = 0; return }
		if (w == "esac") { token(w); pop("C"); cmdpos = 0; return }
	}
	token(w)
	# An assignment before a command leaves the command position, and
	# so does a function's name (its body, { }, follows).
	if (w ~ /\(\)$/)
		cmdpos = 1
	else if (!(cmdpos && !q && w ~ /^[A-Za-z_][A-Za-z_0-9]*=/))
		cmdpos = 0
}

# At `done`: the loop's last command list must end in || return/exit N,
# or in || { ...; exit N; }.
function loopcheck(   k, g) {
	if (stk[sp] != "L")
		return
	k = ntok
	while (k > opentok[sp] && tok[k] == ";")
		k--
	g = 0
	if (tok[k] == "}" && (k in groupopen)) {
		g = groupopen[k]
		k--
		while (k > g && tok[k] == ";")
			k--
	}
	if (tok[k] ~ /^[0-9]+$/ || tok[k] ~ /^\$/)
		k--
	if (tok[k] == "return" || tok[k] == "exit") {
		if (g ? tok[g - 1] == "||" : tok[k - 1] == "||")
			return
	}
	complain("loop without || return 1 (a failing iteration is lost): the loop ends at line " ln ": " line[ln])
}

# $( ) inside a word: its commands are tokenized on their own, then the
# outer word goes on.
function xpush() {
	push("X")
	xword[sp] = word; xcmdpos[sp] = cmdpos
	inword = 0; word = ""; wordquoted = 0
}
function xpop() {
	endword()
	word = xword[sp]; cmdpos = xcmdpos[sp]
	inword = 1; wordquoted = 1
	pop("X")
}

function sep(t) {
	endword()
	token(t)
	cmdpos = 1
}

# Here-document delimiter after << or <<-: returns the index after it.
function heredoc(s, i, len,   strip, d, c) {
	strip = 0
	if (substr(s, i, 1) == "-") { strip = 1; i++ }
	while (i <= len && substr(s, i, 1) ~ /[ \t]/)
		i++
	d = ""
	while (i <= len) {
		c = substr(s, i, 1)
		if (c ~ /[ \t;&|<>()]/)
			break
		if (c != "\\" && c != "'" && c != "\"")
			d = d c
		i++
	}
	nhd++
	hdelim[nhd] = d
	hstrip[nhd] = strip
	return i
}

{ line[++n] = $0 }

END {
	sp = 0; push("T")
	cmdpos = 1; pending = 0; problems = 0; ntok = 0; nhd = 0
	inword = 0; word = ""; wordquoted = 0; redirtarget = 0
	for (ln = 1; ln <= n; ln++) {
		s = line[ln]; len = length(s); i = 1
		cont = 0
		if (stk[sp] != "Q" && stk[sp] != "SQ")
			linelast = ""
		while (i <= len) {
			c = substr(s, i, 1)
			ctx = stk[sp]
			if (ctx == "SQ") {
				k = index(substr(s, i), "'")
				if (k == 0) { i = len + 1; continue }
				i += k; pop("SQ"); continue
			}
			if (ctx == "Q") {
				if (c == "\\") { i += 2; continue }
				if (c == "\"") { pop("Q"); i++; continue }
				if (c == "$" && substr(s, i + 1, 2) == "((") { push("A"); adepth[sp] = 0; i += 3; continue }
				if (c == "$" && substr(s, i + 1, 1) == "(") { xpush(); i += 2; continue }
				if (c == "$" && substr(s, i + 1, 1) == "{") { push("P"); i += 2; continue }
				if (c == "`") {
					k = index(substr(s, i + 1), "`")
					i = (k ? i + k + 1 : len + 1); continue
				}
				i++; continue
			}
			if (ctx == "A") {
				if (c == "(") adepth[sp]++
				else if (c == ")") {
					if (adepth[sp] > 0) adepth[sp]--
					else if (substr(s, i + 1, 1) == ")") { pop("A"); i += 2; continue }
				}
				i++; continue
			}
			if (ctx == "P") {
				if (c == "\\") { i += 2; continue }
				if (c == "}") { pop("P"); i++; continue }
				if (c == "\"") { push("Q"); i++; continue }
				if (c == "'") {
					k = index(substr(s, i + 1), "'")
					if (k == 0) { push("SQ"); i = len + 1; continue }
					i += k + 1; continue
				}
				if (c == "$" && substr(s, i + 1, 1) == "(") { xpush(); i += 2; continue }
				if (c == "$" && substr(s, i + 1, 1) == "{") { push("P"); i += 2; continue }
				i++; continue
			}
			# Shell words and operators (T B S L I C X).
			if (c == " " || c == "\t") { endword(); i++; continue }
			if (c == "\\") {
				if (i == len) { cont = 1; i++; continue }
				inword = 1; word = word substr(s, i, 2); wordquoted = 1; i += 2; continue
			}
			if (c == "#" && !inword) break
			if (c == "'") {
				inword = 1; wordquoted = 1
				k = index(substr(s, i + 1), "'")
				if (k == 0) { push("SQ"); i = len + 1; continue }
				word = word substr(s, i, k + 1); i += k + 1; continue
			}
			if (c == "\"") { inword = 1; wordquoted = 1; word = word "\""; push("Q"); i++; continue }
			if (c == "`") {
				inword = 1; wordquoted = 1
				k = index(substr(s, i + 1), "`")
				i = (k ? i + k + 1 : len + 1); continue
			}
			if (c == "$") {
				inword = 1; wordquoted = 1
				if (substr(s, i + 1, 2) == "((") { push("A"); adepth[sp] = 0; i += 3; continue }
				if (substr(s, i + 1, 1) == "(") { xpush(); i += 2; continue }
				if (substr(s, i + 1, 1) == "{") { push("P"); i += 2; continue }
				word = word c; i++; continue
			}
			if (c == ";") {
				if (substr(s, i + 1, 1) == ";") { sep(";;"); i += 2; continue }
				if (substr(s, i + 1, 1) == "&") { sep(";;"); i += 2; continue }
				sep(";"); i++; continue
			}
			if (c == "&") {
				if (substr(s, i + 1, 1) == "&") { sep("&&"); i += 2; continue }
				if (substr(s, i + 1, 1) == ">") { endword(); redirtarget = 1; i += 2; if (substr(s, i, 1) == ">") i++; continue }
				sep(";"); i++; continue
			}
			if (c == "|") {
				if (substr(s, i + 1, 1) == "|") { sep("||"); i += 2; continue }
				if (substr(s, i + 1, 1) == "&") { sep("|"); i += 2; continue }
				sep("|"); i++; continue
			}
			if (c == "<" || c == ">") {
				endword()
				if (substr(s, i + 1, 1) == "(") { xpush(); i += 2; continue }
				if (c == "<" && substr(s, i + 1, 2) == "<<") { redirtarget = 1; i += 3; continue }
				if (c == "<" && substr(s, i + 1, 1) == "<") { i = heredoc(s, i + 2, len); continue }
				i++
				k = substr(s, i, 1)
				if (k == ">" || k == "&" || k == "|") i++
				redirtarget = 1
				continue
			}
			if (c == "(") {
				if (inword && substr(s, i + 1, 1) == ")") { word = word "()"; i += 2; continue }
				# An array assignment, name=( ... ), is one word.
				if (inword && word ~ /=$/) { xpush(); i++; continue }
				endword(); token("("); push("S"); cmdpos = 1; i++; continue
			}
			if (c == ")") {
				endword()
				if (ctx == "X") { xpop(); i++; continue }
				if (ctx == "C") { cmdpos = 1; i++; continue }
				token(")"); pop("S"); cmdpos = 0; i++; continue
			}
			inword = 1; word = word c; i++
		}
		if (cont)
			continue
		if (stk[sp] == "Q" || stk[sp] == "SQ" || stk[sp] == "P" || stk[sp] == "A")
			continue
		endword()
		redirtarget = 0
		if (lintable(stk[sp]) && linelast != "") {
			if (linelast !~ /^(&&|\|\||\||\(|\{|do|then|else|!)$/)
				pending = ln
		}
		cmdpos = 1
		# Here-documents: skip to their delimiters.
		for (h = 1; h <= nhd; h++) {
			while (ln < n) {
				ln++
				t = line[ln]
				if (hstrip[h])
					sub(/^\t+/, "", t)
				if (t == hdelim[h])
					break
			}
		}
		nhd = 0
	}
	exit problems ? 1 : 0
}
