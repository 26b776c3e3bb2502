package script

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF     tokKind = iota
	tIllegal         // a lexical error; token.err says what
	tWord            // unquoted name or keyword, possibly holding $(...)
	tNumber          // 12, 1.5, 1e3
	tQuoted          // "name", [name], `name` (val unquoted)
	tString          // 'text' (val unquoted)
	tPunct           // any other single character (; , ( ) = : * ...)
)

// token is one lexical token. Offsets are local to the text being parsed.
type token struct {
	kind   tokKind
	pos    int    // offset of the first byte
	end    int    // offset just past the last byte
	text   string // raw source text
	val    string // unquoted value of tQuoted and tString; text otherwise
	quote  byte   // opening quote of tQuoted and tString
	nl     bool   // a line break precedes the token
	dollar bool   // the token holds a $(...) expansion
	err    string // what is wrong with a tIllegal token
}

// synErr is a syntax error at a local offset. dollar is set when the
// offending token holds a $(...) expansion, so that the error may vanish
// once the expansion is done.
type synErr struct {
	pos    int
	msg    string
	dollar bool
}

// Error renders the error with its local offset (the parser converts it to
// an *Error with a line and column).
// Error renders the error with its local offset (the parser converts it to
// an *Error with a line and column).
func (e *synErr) Error() string { return fmt.Sprintf("offset %d: %s", e.pos, e.msg) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// ASCII character classes of names.
const (
	classStart = 1 << iota // may start a name
	classPart              // may continue a name
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := 0; c < utf8.RuneSelf; c++ {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_', c == '$', c == '#', c == '.', c == '%', c == '@':
			t[c] = classStart | classPart
		case '0' <= c && c <= '9':
			t[c] = classPart
		}
	}
	return t
}()

// isIdentStart reports whether r may start an unquoted name. As in
// expressions, names may hold letters, digits, _ $ # . % @ and non-ASCII
// letters; in the script a name may also start with a digit (it is then a
// number when it holds nothing but a number).
func isIdentStart(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r]&classStart != 0
	}
	return unicode.IsLetter(r)
}

// isIdentPart reports whether r may continue an unquoted name.
func isIdentPart(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r]&classPart != 0
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

// keywords interns the lower-case form of every keyword the parser looks
// up by name.
var keywords = func() map[string]string {
	m := map[string]string{}
	for _, set := range []map[string]bool{statementWords, prefixWords, fieldWords, orderWords} {
		for w := range set {
			m[w] = w
		}
	}
	for w := range closers {
		m[w] = w
	}
	for _, w := range []string{"if", "for", "do", "sub", "switch", "end", "connect32", "connect64", "then", "step", "by", "group", "order"} {
		m[w] = w
	}
	return m
}()

// keyword returns the lower-case form of a word token if it is a keyword
// of the script language, and "" otherwise. It does not allocate.
func (t token) keyword(buf *[24]byte) string {
	if t.kind != tWord || t.dollar || len(t.text) > len(buf) {
		return ""
	}
	b := buf[:len(t.text)]
	for i := 0; i < len(t.text); i++ {
		c := t.text[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return keywords[string(b)]
}

// isSpaceRune reports whether r is white space for the script lexer.
func isSpaceRune(r rune) bool { return r == '\uFEFF' || unicode.IsSpace(r) }

// Comment kinds returned by commentAt.
const (
	noComment    = iota
	lineComment  // "//" to the end of the line
	blockComment // "/*" to "*/"
)

// commentAt reports whether a comment starts at offset i. A "//" right
// after ':' does not start one: it belongs to a URL or a lib:// path
// written without quotes ("SET vPath = lib://data/;", "Binary
// lib://apps/x.qvf;").
func commentAt(s string, i int) int {
	if s[i] != '/' || i+1 >= len(s) {
		return noComment
	}
	switch s[i+1] {
	case '*':
		return blockComment
	case '/':
		if i > 0 && s[i-1] == ':' {
			return noComment
		}
		return lineComment
	}
	return noComment
}

// skipTrivia skips white space and comments from offset i. It reports
// whether a line break was crossed and fails on an unterminated /* comment.
func skipTrivia(s string, i int) (int, bool, *synErr) {
	nl := false
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\n':
			nl = true
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '/' && commentAt(s, i) == lineComment:
			if k := strings.IndexByte(s[i:], '\n'); k >= 0 {
				i += k
			} else {
				i = len(s)
			}
		case c == '/' && commentAt(s, i) == blockComment:
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return len(s), nl, &synErr{pos: i, msg: "comment not terminated: missing */"}
			}
			if strings.IndexByte(s[i+2:i+2+k], '\n') >= 0 {
				nl = true
			}
			i += k + 4
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if !isSpaceRune(r) {
				return i, nl, nil
			}
			if r == '\u2028' || r == '\u2029' {
				nl = true
			}
			i += n
		default:
			return i, nl, nil
		}
	}
	return i, nl, nil
}

// matchDollar returns the end of the $(...) expansion starting at offset i,
// or -1 when there is none: the parentheses must balance (single-quoted
// strings inside are skipped) before the end of the line.
func matchDollar(s string, i int) int {
	if i+1 >= len(s) || s[i] != '$' || s[i+1] != '(' {
		return -1
	}
	depth := 0
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		case '\'':
			k := strings.IndexByte(s[j+1:], '\'')
			if k < 0 || strings.IndexByte(s[j+1:j+1+k], '\n') >= 0 {
				return -1
			}
			j += k + 1
		case '\n':
			return -1
		}
	}
	return -1
}

// closeQuote returns the closing character of a quote opened by c, or 0.
func closeQuote(c byte) byte {
	switch c {
	case '\'', '"', '`':
		return c
	case '[':
		return ']'
	}
	return 0
}

// scanQuoted scans the quoted token opened at offset i. The closing quote
// is escaped by doubling it; a $(...) expansion inside is taken whole
// (verbatim, without unescaping). It returns the end offset and the value,
// or ok=false when the quote is not terminated.
func scanQuoted(s string, i int) (end int, val string, ok bool) {
	cl := closeQuote(s[i])
	j := i + 1
	var b []byte // nil while the value is a plain slice of s
	from := j
	for j < len(s) {
		c := s[j]
		switch {
		case c == '$':
			if e := matchDollar(s, j); e > 0 {
				j = e
				continue
			}
			j++
		case c != cl:
			j++
		case j+1 < len(s) && s[j+1] == cl:
			b = append(b, s[from:j+1]...)
			j += 2
			from = j
		default:
			if b == nil {
				return j + 1, s[i+1 : j], true
			}
			return j + 1, string(append(b, s[from:j]...)), true
		}
	}
	return len(s), "", false
}

// scanWord returns the end of the name that starts at offset i: name
// characters and whole $(...) expansions.
func scanWord(s string, i int) int {
	j := i
	for j < len(s) {
		c := s[j]
		if c == '$' {
			if e := matchDollar(s, j); e > 0 {
				j = e
				continue
			}
			j++
			continue
		}
		if c < utf8.RuneSelf {
			if asciiClass[c]&classPart == 0 {
				break
			}
			j++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[j:])
		if !isIdentPart(r) {
			break
		}
		j += n
	}
	return j
}

// scanNumber returns the end of the number digits [. digits] [e [sign]
// digits] starting at offset i.
func scanNumber(s string, i int) int {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	return j
}

// lexToken returns the token that follows offset i (white space and
// comments are skipped).
func lexToken(s string, i int) token {
	i, nl, err := skipTrivia(s, i)
	if err != nil {
		return token{kind: tIllegal, pos: err.pos, end: len(s), text: s[err.pos:], nl: nl, err: err.msg}
	}
	if i >= len(s) {
		return token{kind: tEOF, pos: i, end: i, nl: nl}
	}
	c := s[i]
	t := token{pos: i, nl: nl}
	switch {
	case c == '\'' || c == '"' || c == '[' || c == '`':
		end, val, ok := scanQuoted(s, i)
		if !ok {
			what := "quoted name"
			if c == '\'' {
				what = "string"
			}
			t.kind, t.end, t.text = tIllegal, len(s), s[i:]
			t.err = fmt.Sprintf("%s not terminated: missing %c", what, closeQuote(c))
			return t
		}
		t.kind, t.end, t.text, t.val, t.quote = tQuoted, end, s[i:end], val, c
		if c == '\'' {
			t.kind = tString
		}
		t.dollar = strings.Contains(t.text, "$(")
		return t
	case isDigit(c):
		end := scanNumber(s, i)
		t.kind = tNumber
		if end < len(s) {
			if r, _ := utf8.DecodeRuneInString(s[end:]); isIdentPart(r) {
				end = scanWord(s, end)
				t.kind = tWord
			}
		}
		t.end, t.text = end, s[i:end]
	default:
		r, n := utf8.DecodeRuneInString(s[i:])
		if isIdentStart(r) {
			t.kind, t.end = tWord, scanWord(s, i)
		} else {
			t.kind, t.end = tPunct, i+n
			if r == utf8.RuneError && n == 1 {
				t.kind, t.err = tIllegal, fmt.Sprintf("invalid UTF-8 byte 0x%02x", c)
			}
		}
		t.text = s[i:t.end]
	}
	t.val = t.text
	t.dollar = t.kind == tWord && strings.Contains(t.text, "$(")
	return t
}

// is reports whether t is the unquoted keyword kw (lower case), compared
// case-insensitively.
func (t token) is(kw string) bool {
	return t.kind == tWord && len(t.text) == len(kw) && strings.EqualFold(t.text, kw)
}

// isPunct reports whether t is the punctuation character c.
func (t token) isPunct(c byte) bool { return t.kind == tPunct && len(t.text) == 1 && t.text[0] == c }

// describe renders t for an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of script"
	case tPunct:
		return fmt.Sprintf("%q", t.text)
	}
	s := t.text
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		s = string(r[:37]) + "..."
	}
	if t.kind == tWord || t.kind == tNumber {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// quoteText quotes text with the quote q so that the lexer reads it back
// unchanged: closing quotes are doubled, except inside $(...) expansions,
// which the lexer takes verbatim. q = 0 returns text as is.
func quoteText(text string, q byte) string {
	cl := closeQuote(q)
	if cl == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 2)
	b.WriteByte(q)
	for i := 0; i < len(text); {
		c := text[i]
		if c == '$' {
			if e := matchDollar(text, i); e > 0 {
				b.WriteString(text[i:e])
				i = e
				continue
			}
		}
		if c == cl {
			b.WriteByte(c)
		}
		b.WriteByte(c)
		i++
	}
	b.WriteByte(cl)
	return b.String()
}
