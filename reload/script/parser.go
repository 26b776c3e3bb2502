package script

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Parse parses a whole load script. Statements keep their raw text and byte
// offset (StmtInfo), control statements hold their bodies, and expressions
// are kept as source spans (Expr). $(...) expansions are left in place:
// they are treated as opaque parts of names, expressions and file names,
// and a statement that cannot be parsed before expansion becomes an
// *Unexpanded statement.
//
// On syntax errors Parse returns the statements it could parse together
// with an ErrorList of at most MaxErrors errors, each with its line and
// column; after an error it resumes at the next ';' (at the end of the line
// for control statements).
func Parse(src string) (*Script, error) {
	p := newParser(src, 0)
	p.lines = NewLineIndex(src)
	stmts, _ := p.parseStmts()
	return &Script{Src: src, Stmts: stmts}, p.errs.Err()
}

// ParseStatement parses one statement, typically the text of a statement
// after dollar-sign expansion, whose original offset in the script is
// basePos: all offsets of the result (and of errors) are basePos plus the
// offset in src. A control block statement (IF, FOR, FOR EACH, DO, SUB,
// SWITCH) is parsed up to the end of its opening clause and returned with
// an empty body; the clauses that only exist inside a block (ELSE, NEXT,
// END IF ...) are errors. ParseStatement returns a nil Stmt and a nil error
// when src holds nothing but white space, comments (section markers
// included) and semicolons. Text that holds several statements, such as the
// expansion of an Unexpanded statement, must be read with Parse.
//
// Errors are an ErrorList whose errors carry offsets but no line and column,
// as those refer to the original script: call ErrorList.Locate with it.
func ParseStatement(src string, basePos int) (Stmt, error) {
	p := newParser(src, basePos)
	p.single = true
	for {
		p.skipStatementTrivia(nil)
		if t := p.peek(); t.isPunct(';') {
			p.next()
			continue
		}
		break
	}
	var st Stmt
	if p.peek().kind != tEOF {
		if t := p.peek(); p.closer(t) != "" {
			p.addErr(p.errAt(t, fmt.Sprintf("%s is only valid inside a block", strings.ToUpper(p.closer(t)))))
		} else {
			st = p.parseOne()
		}
	}
	if len(p.errs) == 0 {
		for {
			t := p.peek()
			if t.isPunct(';') {
				p.next()
				continue
			}
			if t.kind != tEOF {
				p.addErr(p.errAt(t, "unexpected "+t.describe()+" after the end of the statement"))
			}
			break
		}
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return st, nil
}

// parser is a recursive-descent parser over one source text. Offsets in
// tokens are local; base is added to the offsets stored in the AST.
type parser struct {
	src     string
	base    int
	pos     int // local offset of the next unread byte
	lastEnd int // local offset just past the last consumed token
	lines   *LineIndex
	errs    ErrorList
	single  bool // ParseStatement: do not parse block bodies

	tok    token // cached token at tokAt
	tokAt  int
	tok2   token // cached token at tok2At (for peek2)
	tok2At int

	open []openBlock // enclosing control blocks, innermost last
}

type openBlock struct {
	kind string // "if", "for", "do", "sub", "switch"
	pos  int    // local offset of the opening keyword
}

func newParser(src string, base int) *parser {
	return &parser{src: src, base: base, tokAt: -1, tok2At: -1}
}

// peek returns the next token without consuming it.
func (p *parser) peek() token {
	if p.tokAt != p.pos {
		if p.tok2At == p.pos {
			p.tok = p.tok2
		} else {
			p.tok = lexToken(p.src, p.pos)
		}
		p.tokAt = p.pos
	}
	return p.tok
}

// next consumes and returns the next token.
func (p *parser) next() token {
	t := p.peek()
	if t.kind != tEOF && t.kind != tIllegal {
		p.pos = t.end
		p.lastEnd = t.end
	}
	return t
}

// peek2 returns the token after the next one.
func (p *parser) peek2() token {
	t := p.peek()
	if t.kind == tEOF || t.kind == tIllegal {
		return t
	}
	if p.tok2At != t.end {
		p.tok2 = lexToken(p.src, t.end)
		p.tok2At = t.end
	}
	return p.tok2
}

// accept consumes the next token if it is the keyword kw.
func (p *parser) accept(kw string) bool {
	if p.peek().is(kw) {
		p.next()
		return true
	}
	return false
}

// acceptPunct consumes the next token if it is the punctuation c.
func (p *parser) acceptPunct(c byte) bool {
	if p.peek().isPunct(c) {
		p.next()
		return true
	}
	return false
}

// errAt returns a syntax error at token t. An illegal token reports its own
// problem.
func (p *parser) errAt(t token, msg string) *synErr {
	if t.kind == tIllegal {
		return &synErr{pos: t.pos, msg: t.err}
	}
	return &synErr{pos: t.pos, msg: msg, dollar: t.dollar}
}

// expected returns the error "what: expected want, found <t>".
func (p *parser) expected(t token, what, want string) *synErr {
	return p.errAt(t, fmt.Sprintf("%s: expected %s, found %s", what, want, t.describe()))
}

// missing returns the error for an empty expression or a missing item in
// a context that ends at the end of the line (eol) or not: a token on the
// next line is reported as the end of the line.
func (p *parser) missing(eol bool, what, want string) *synErr {
	t := p.peek()
	if eol && t.nl {
		return &synErr{pos: p.lastEnd, msg: fmt.Sprintf("%s: expected %s, found end of line", what, want)}
	}
	return p.expected(t, what, want)
}

// brief abbreviates source text quoted in a message: its first line, at
// most 30 characters.
func brief(s string) string {
	cut := false
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s, cut = s[:i], true
	}
	if r := []rune(s); len(r) > 30 {
		s, cut = string(r[:30]), true
	}
	if cut {
		s += " ..."
	}
	return s
}

// expect consumes the keyword kw or fails.
func (p *parser) expect(kw, what string) error {
	if t := p.peek(); !t.is(kw) {
		return p.expected(t, what, strings.ToUpper(kw))
	}
	p.next()
	return nil
}

// expectPunct consumes the punctuation c or fails.
func (p *parser) expectPunct(c byte, what string) error {
	if t := p.peek(); !t.isPunct(c) {
		return p.expected(t, what, fmt.Sprintf("%q", string(c)))
	}
	p.next()
	return nil
}

// addErr records err (a *synErr) with its position, unless the list is full
// or an error is already recorded at that offset.
func (p *parser) addErr(err error) {
	se, ok := err.(*synErr)
	if !ok {
		se = &synErr{pos: p.pos, msg: err.Error()}
	}
	if len(p.errs) >= MaxErrors {
		return
	}
	off := p.base + se.pos
	for _, e := range p.errs {
		if e.Pos == off {
			return
		}
	}
	e := &Error{Pos: off, Msg: se.msg}
	if p.lines != nil {
		pos := p.lines.Position(se.pos)
		e.Line, e.Col = pos.Line, pos.Col
	}
	p.errs = append(p.errs, e)
}

// full reports whether parsing should stop.
func (p *parser) full() bool { return len(p.errs) >= MaxErrors }

// info returns the span of a statement that started at local offset start
// and ends with the last consumed token.
func (p *parser) info(start int) StmtInfo {
	end := p.lastEnd
	if end < start {
		end = start
	}
	return StmtInfo{Pos: p.base + start, End: p.base + end, Text: p.src[start:end]}
}

// position renders a local offset as line:col for messages (the offset when
// no line index is available).
func (p *parser) position(off int) string {
	if p.lines == nil {
		return fmt.Sprintf("offset %d", p.base+off)
	}
	return p.lines.Position(off).String()
}

// skipStatementTrivia skips white space, comments and REM comments where a
// statement may start, turning "///$tab Name" markers into Tab statements
// appended to *tabs (dropped when tabs is nil).
func (p *parser) skipStatementTrivia(tabs *[]Stmt) {
	s := p.src
	i := p.pos
	for {
	trivia:
		for i < len(s) {
			c := s[i]
			switch {
			case c == '/' && commentAt(s, i) == lineComment:
				eol := strings.IndexByte(s[i:], '\n')
				if eol < 0 {
					eol = len(s) - i
				}
				if tabs != nil && strings.HasPrefix(s[i:], "///$tab") {
					text := strings.TrimRight(s[i:i+eol], " \t\r")
					name := strings.TrimSpace(text[len("///$tab"):])
					*tabs = append(*tabs, &Tab{StmtInfo: StmtInfo{Pos: p.base + i, End: p.base + i + len(text), Text: text}, Name: name})
				}
				i += eol
			case c == '/' && commentAt(s, i) == blockComment:
				k := strings.Index(s[i+2:], "*/")
				if k < 0 {
					break trivia // the lexer reports it
				}
				i += k + 4
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
				i++
			case c >= utf8.RuneSelf:
				r, n := utf8.DecodeRuneInString(s[i:])
				if !isSpaceRune(r) {
					break trivia
				}
				i += n
			default:
				break trivia
			}
		}
		p.pos = i
		// REM comment: everything up to the next semicolon.
		t := p.peek()
		if t.is("rem") && !p.peek2().isPunct(':') && !p.peek2().isPunct('=') {
			if k := strings.IndexByte(s[t.end:], ';'); k >= 0 {
				i = t.end + k + 1
			} else {
				i = len(s)
			}
			continue
		}
		return
	}
}

// closers maps the clause keywords that end or continue a block to the
// block kind that accepts them.
var closers = map[string]string{
	"elseif": "if", "else": "if", "end if": "if", "endif": "if",
	"next":    "for",
	"loop":    "do",
	"end sub": "sub", "endsub": "sub",
	"case": "switch", "default": "switch", "end switch": "switch", "endswitch": "switch",
}

// closer returns the clause keyword ("else", "end if", "next" ...) that the
// token t starts, or "".
func (p *parser) closer(t token) string {
	if t.kind != tWord || t.dollar {
		return ""
	}
	t2 := p.peek2()
	if t2.isPunct(':') || t2.isPunct('=') {
		return "" // a label or an assignment
	}
	var buf [24]byte
	kw := t.keyword(&buf)
	if kw == "end" {
		if t2.kind == tWord && !t2.nl {
			switch k := "end " + strings.ToLower(t2.text); k {
			case "end if", "end sub", "end switch":
				return k
			}
		}
		return ""
	}
	if _, ok := closers[kw]; ok {
		return kw
	}
	return ""
}

// accepts reports whether the innermost open block of kind accepts the
// clause c.
func accepts(kind, c string) bool {
	return closers[c] == kind
}

// parseStmts parses statements until the end of the text or a clause
// keyword that belongs to an open block, which it returns without
// consuming it.
//
//	stmts := { stmt | ";" | tab-marker | rem-comment }
func (p *parser) parseStmts() ([]Stmt, string) {
	var stmts []Stmt
	for !p.full() {
		p.skipStatementTrivia(&stmts)
		t := p.peek()
		if t.kind == tEOF {
			return stmts, ""
		}
		if t.isPunct(';') {
			p.next()
			continue
		}
		if c := p.closer(t); c != "" {
			for i := len(p.open) - 1; i >= 0; i-- {
				if accepts(p.open[i].kind, c) {
					return stmts, c
				}
			}
			p.addErr(p.errAt(t, fmt.Sprintf("%s without a matching %s", strings.ToUpper(c), strings.ToUpper(blockKeyword(closers[c])))))
			p.recover(true)
			continue
		}
		if st := p.parseOne(); st != nil {
			stmts = append(stmts, st)
		}
	}
	return stmts, ""
}

func blockKeyword(kind string) string {
	switch kind {
	case "for":
		return "FOR"
	case "do":
		return "DO"
	case "sub":
		return "SUB"
	case "switch":
		return "SWITCH"
	}
	return "IF"
}

// recover skips the rest of a failed statement: up to and including the
// next ';', or to the end of the line when eol is set (control statements).
func (p *parser) recover(eol bool) {
	_, _, end, _ := rawScan(p.src, p.pos, eol, false)
	p.pos = end
	if end < len(p.src) && p.src[end] == ';' {
		p.pos++
	}
	p.lastEnd = p.pos
}

// rawScan scans raw statement text from offset i up to the ';' that ends
// it, a line break when eol is set, or the end of the text. Quotes, $(...)
// and comments are skipped whole, so a ';' inside them does not count. It
// returns the offsets of the first and just past the last byte that are
// not white space or comments, and the offset of the terminator (end). An
// unterminated quote is an error when strict is set and a plain character
// otherwise.
func rawScan(s string, i int, eol, strict bool) (start, last, end int, err *synErr) {
	i, nl, err := skipTrivia(s, i)
	if err != nil && strict {
		return i, i, i, err
	}
	start, last = i, i
	if nl && eol {
		return start, last, start, nil
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == ';':
			return start, last, i, nil
		case c == '\n' && eol:
			return start, last, i, nil
		case c == '/' && commentAt(s, i) == lineComment:
			k := strings.IndexByte(s[i:], '\n')
			if k < 0 {
				return start, last, len(s), nil
			}
			i += k
		case c == '/' && commentAt(s, i) == blockComment:
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				if strict {
					return start, last, len(s), &synErr{pos: i, msg: "comment not terminated: missing */"}
				}
				return start, last, len(s), nil
			}
			i += k + 4
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case closeQuote(c) != 0:
			if e, _, ok := scanQuoted(s, i); ok {
				i = e
			} else if strict {
				what := "quoted name"
				if c == '\'' {
					what = "string"
				}
				return start, last, len(s), &synErr{pos: i, msg: fmt.Sprintf("%s not terminated: missing %c", what, closeQuote(c))}
			} else {
				i++
			}
			last = i
		case c == '$':
			if e := matchDollar(s, i); e > 0 {
				i = e
			} else {
				i++
			}
			last = i
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			i += n
			if !isSpaceRune(r) {
				last = i
			}
		default:
			i++
			last = i
		}
	}
	return start, last, len(s), nil
}

// raw consumes raw statement text (see rawScan) and returns it trimmed,
// with its offset.
func (p *parser) raw(eol bool) (string, int, error) {
	start, last, _, err := rawScan(p.src, p.pos, eol, true)
	if err != nil {
		return "", start, err
	}
	if last == start {
		return "", p.lastEnd, nil // empty: where the previous token ends
	}
	p.pos, p.lastEnd = last, last
	return p.src[start:last], start, nil
}

// parseOne parses one statement at the current position (which is not a
// block clause keyword) and consumes its terminator. On error it records
// the error, skips the statement and returns nil, except for a regular
// statement whose error sits on a $(...) expansion, which becomes an
// *Unexpanded statement.
func (p *parser) parseOne() Stmt {
	start := p.peek().pos
	st, kind, err := p.parseStatement(nil)
	if err == nil {
		switch kind {
		case kindRegular:
			err = p.endStmt()
		case kindControl:
			err = p.endControl(st)
		}
		if err == nil {
			return st
		}
	}
	se, _ := err.(*synErr)
	if kind == kindRegular && se != nil && se.dollar {
		_, last, end, _ := rawScan(p.src, start, false, false)
		p.lastEnd = last
		u := &Unexpanded{StmtInfo: p.info(start)}
		p.pos = end
		if end < len(p.src) {
			p.pos++ // the ';'
		}
		return u
	}
	p.addErr(err)
	p.recover(kind != kindRegular)
	return nil
}

// endStmt consumes the ';' that ends a regular statement (the end of the
// text also ends it).
func (p *parser) endStmt() error {
	t := p.peek()
	switch {
	case t.isPunct(';'):
		p.next()
		return nil
	case t.kind == tEOF:
		return nil
	}
	return p.errAt(t, fmt.Sprintf("unexpected %s: expected \";\" at the end of the statement", t.describe()))
}

// endControl ends a control statement: at ';', at the end of the line or
// at the end of the text.
func (p *parser) endControl(st Stmt) error {
	t := p.peek()
	switch {
	case t.isPunct(';'):
		p.next()
		return nil
	case t.kind == tEOF, t.nl:
		return nil
	}
	what := "the statement"
	if st != nil {
		what = strings.Fields(st.Info().Text + " x")[0]
		what = strings.ToUpper(what)
	}
	return p.errAt(t, fmt.Sprintf("unexpected %s after %s: a control statement ends at the end of the line or at \";\"", t.describe(), what))
}

// isLabel reports whether the next tokens are a table label "name:".
func (p *parser) isLabel() bool {
	t := p.peek()
	switch t.kind {
	case tWord, tQuoted, tString, tNumber:
	default:
		return false
	}
	return p.peek2().isPunct(':')
}

// name converts a name token to a Name.
func (p *parser) name(t token) Name {
	q := byte(0)
	if t.kind == tQuoted || t.kind == tString {
		q = t.quote
	}
	return Name{Text: t.val, Quote: q, Pos: p.base + t.pos}
}

// parseName parses a name: an unquoted word, a number, a quoted name or a
// string.
//
//	name := word | number | quoted-name | string
func (p *parser) parseName(what string) (Name, error) {
	t := p.peek()
	switch t.kind {
	case tWord, tNumber, tQuoted, tString:
		p.next()
		return p.name(t), nil
	}
	return Name{}, p.expected(t, what, "a name")
}

// parseNameList parses name {"," name}.
//
//	namelist := name { "," name }
func (p *parser) parseNameList(what string) ([]Name, error) {
	var out []Name
	for {
		n, err := p.parseName(what)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if !p.acceptPunct(',') {
			return out, nil
		}
	}
}

// parsePattern parses a field name or a field pattern with wildcards
// (*ID, Sales*, *): quoted, or a run of name characters, '*' and '?'.
//
//	pattern := quoted-name | string | { namechar | "*" | "?" }
func (p *parser) parsePattern(what string) (Name, error) {
	t := p.peek()
	switch t.kind {
	case tQuoted, tString:
		p.next()
		return p.name(t), nil
	case tWord, tNumber, tPunct:
		if t.kind == tPunct && !t.isPunct('*') && !t.isPunct('?') {
			break
		}
		s := p.src
		j := t.pos
		for j < len(s) {
			if s[j] == '*' || s[j] == '?' {
				j++
				continue
			}
			k := scanWord(s, j)
			if k == j {
				break
			}
			j = k
		}
		p.pos, p.lastEnd = j, j
		text := s[t.pos:j]
		return Name{Text: text, Pos: p.base + t.pos}, nil
	}
	return Name{}, p.expected(t, what, "a field name")
}

// parsePatternList parses pattern {"," pattern}.
//
//	patternlist := pattern { "," pattern }
func (p *parser) parsePatternList(what string) ([]Name, error) {
	var out []Name
	for {
		n, err := p.parsePattern(what)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if !p.acceptPunct(',') {
			return out, nil
		}
	}
}

// parseFileName parses a file name or path: quoted, or a run of characters
// up to white space, ';', ',', '(' or ')' (so lib://conn/dir/file.csv and
// C:\dir\file.qvd need no quotes, and $(...) expansions may appear
// anywhere in it).
//
//	file := quoted-name | string | { any character but blank ; , ( ) or a comment start }
func (p *parser) parseFileName(what string) (Name, error) {
	s := p.src
	i, _, err := skipTrivia(s, p.pos)
	if err != nil {
		return Name{}, err
	}
	if i < len(s) && closeQuote(s[i]) != 0 {
		return p.parseName(what)
	}
	j := i
	for j < len(s) {
		c := s[j]
		if c == '$' {
			if e := matchDollar(s, j); e > 0 {
				j = e
				continue
			}
		}
		if c == ';' || c == ',' || c == '(' || c == ')' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
			c == '/' && commentAt(s, j) != noComment {
			break
		}
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(s[j:])
			if isSpaceRune(r) {
				break
			}
			j += n
			continue
		}
		j++
	}
	if j == i {
		return Name{}, p.expected(p.peek(), what, "a file name")
	}
	p.pos, p.lastEnd = j, j
	return Name{Text: s[i:j], Pos: p.base + i}, nil
}
