package expr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// lexer splits an expression into tokens. It is a plain switch scanner:
// every call to next returns one token and never fails; malformed input
// yields a tIllegal token and an error in the sink.
type lexer struct {
	src  string
	off  int
	errs *errorSink
}

// lex returns all tokens of src, ending with a tEOF token.
func lex(src string, errs *errorSink) []token {
	lx := lexer{src: src, errs: errs}
	toks := make([]token, 0, len(src)/2+2)
	for {
		t := lx.next()
		toks = append(toks, t)
		if t.kind == tEOF {
			return toks
		}
	}
}

// isIdentStart reports whether r may start an unquoted identifier.
func isIdentStart(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' ||
			r == '_' || r == '$' || r == '#' || r == '.' || r == '%' || r == '@'
	default:
		return unicode.IsLetter(r)
	}
}

// isIdentPart reports whether r may continue an unquoted identifier.
func isIdentPart(r rune) bool {
	if r < utf8.RuneSelf {
		return isIdentStart(r) || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

// IsIdentifier reports whether name can be written without quotes: it is a
// non-empty run of identifier characters that does not start with a digit
// (nor with '.' followed by a digit, which is a number) and is not a keyword.
func IsIdentifier(name string) bool {
	if name == "" || IsKeyword(name) {
		return false
	}
	for i, r := range name {
		if i == 0 {
			if !isIdentStart(r) {
				return false
			}
			if r == '.' && len(name) > 1 && isDigit(name[1]) {
				return false
			}
			continue
		}
		if !isIdentPart(r) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func (lx *lexer) skipSpaceAndComments() {
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.off++
		case c == '/' && lx.off+1 < len(lx.src) && lx.src[lx.off+1] == '/':
			i := strings.IndexByte(lx.src[lx.off:], '\n')
			if i < 0 {
				lx.off = len(lx.src)
			} else {
				lx.off += i + 1
			}
		case c == '/' && lx.off+1 < len(lx.src) && lx.src[lx.off+1] == '*':
			i := strings.Index(lx.src[lx.off+2:], "*/")
			if i < 0 {
				lx.errs.add(Pos(lx.off), "comment not terminated: missing */")
				lx.off = len(lx.src)
			} else {
				lx.off += 2 + i + 2
			}
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(lx.src[lx.off:])
			if !unicode.IsSpace(r) {
				return
			}
			lx.off += n
		default:
			return
		}
	}
}

func (lx *lexer) next() token {
	lx.skipSpaceAndComments()
	start := lx.off
	if start >= len(lx.src) {
		return token{kind: tEOF, pos: Pos(start), end: Pos(start)}
	}
	c := lx.src[start]
	tok := func(k tokKind, n int) token {
		lx.off = start + n
		return token{kind: k, pos: Pos(start), end: Pos(start + n), text: lx.src[start : start+n]}
	}
	peek := func(i int) byte {
		if start+i < len(lx.src) {
			return lx.src[start+i]
		}
		return 0
	}
	switch c {
	case '&':
		return tok(tAmp, 1)
	case '+':
		if peek(1) == '=' {
			return tok(tPlusEq, 2)
		}
		return tok(tPlus, 1)
	case '-':
		if peek(1) == '=' {
			return tok(tMinusEq, 2)
		}
		return tok(tMinus, 1)
	case '*':
		if peek(1) == '=' {
			return tok(tStarEq, 2)
		}
		return tok(tStar, 1)
	case '/':
		if peek(1) == '=' {
			return tok(tSlashEq, 2)
		}
		return tok(tSlash, 1)
	case '=':
		return tok(tEq, 1)
	case '<':
		switch peek(1) {
		case '>':
			return tok(tNe, 2)
		case '=':
			return tok(tLe, 2)
		case '<':
			return tok(tShl, 2)
		}
		return tok(tLt, 1)
	case '>':
		switch peek(1) {
		case '=':
			return tok(tGe, 2)
		case '>':
			return tok(tShr, 2)
		}
		return tok(tGt, 1)
	case '(':
		return tok(tLParen, 1)
	case ')':
		return tok(tRParen, 1)
	case ',':
		return tok(tComma, 1)
	case '{':
		return tok(tLBrace, 1)
	case '}':
		return tok(tRBrace, 1)
	case ':':
		if peek(1) == ':' {
			return tok(tColonColon, 2)
		}
	case '\'':
		return lx.quoted(tString, '\'', '\'')
	case '"':
		return lx.quoted(tQName, '"', '"')
	case '[':
		return lx.quoted(tQName, '[', ']')
	case '`':
		return lx.quoted(tQName, '`', '`')
	}
	if isDigit(c) || c == '.' && isDigit(peek(1)) {
		return lx.number()
	}
	r, n := utf8.DecodeRuneInString(lx.src[start:])
	if isIdentStart(r) {
		return lx.ident()
	}
	lx.off = start + n
	if r == utf8.RuneError && n == 1 {
		lx.errs.add(Pos(start), "invalid UTF-8 byte 0x%02x", c)
	} else {
		lx.errs.add(Pos(start), "unexpected character %q", r)
	}
	return token{kind: tIllegal, pos: Pos(start), end: Pos(lx.off), text: lx.src[start:lx.off]}
}

// quoted scans a quoted string or name; the closing quote is escaped by
// doubling it, as in [a]]b] and "a""b" (and the same for single quotes).
func (lx *lexer) quoted(kind tokKind, open, close byte) token {
	start := lx.off
	i := start + 1
	var b strings.Builder
	plain := true // no escapes so far: the value is a slice of src
	for i < len(lx.src) {
		c := lx.src[i]
		if c != close {
			if !plain {
				b.WriteByte(c)
			}
			i++
			continue
		}
		if i+1 < len(lx.src) && lx.src[i+1] == close {
			if plain {
				b.WriteString(lx.src[start+1 : i])
				plain = false
			}
			b.WriteByte(close)
			i += 2
			continue
		}
		text := lx.src[start+1 : i]
		if !plain {
			text = b.String()
		}
		lx.off = i + 1
		return token{kind: kind, pos: Pos(start), end: Pos(lx.off), text: text, quote: open}
	}
	what := "string"
	if kind == tQName {
		what = "quoted name"
	}
	lx.errs.add(Pos(start), "%s not terminated: missing %c", what, close)
	lx.off = len(lx.src)
	return token{kind: tIllegal, pos: Pos(start), end: Pos(lx.off), text: lx.src[start:]}
}

// number scans digits [ '.' digits ] [ ('e'|'E') [sign] digits ].
func (lx *lexer) number() token {
	s := lx.src
	start := lx.off
	i := start
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	lx.off = i
	if i < len(s) {
		if r, _ := utf8.DecodeRuneInString(s[i:]); isIdentPart(r) && r != '.' {
			// 12abc: reject rather than split into two tokens.
			j := i
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if !isIdentPart(r) {
					break
				}
				j += n
			}
			lx.off = j
			lx.errs.add(Pos(start), "malformed number %q (names cannot start with a digit; quote them)", s[start:j])
			return token{kind: tIllegal, pos: Pos(start), end: Pos(j), text: s[start:j]}
		}
	}
	return token{kind: tNumber, pos: Pos(start), end: Pos(i), text: s[start:i]}
}

func (lx *lexer) ident() token {
	s := lx.src
	start := lx.off
	i := start
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isIdentPart(r) {
			break
		}
		i += n
	}
	lx.off = i
	text := s[start:i]
	kind := tIdent
	if k, ok := lookupKeyword(text); ok {
		kind = k
	}
	return token{kind: kind, pos: Pos(start), end: Pos(i), text: text}
}
