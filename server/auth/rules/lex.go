package rules

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF      tokKind = iota
	tIdent            // user, resource, allowCreate, _actions, HasPrivilege
	tString           // "..."
	tNumber           // 12, 1.5
	tDot              // .
	tComma            // ,
	tLParen           // (
	tRParen           // )
	tLBrace           // {
	tRBrace           // }
	tNot              // !
	tAnd              // and, &&
	tOr               // or, ||
	tEq               // =
	tStrictEq         // ==
	tNe               // !=
	tStrictNe         // !==
	tLike             // like
	tMatches          // matches
	tTrue             // true
	tFalse            // false
)

var kindNames = [...]string{"end of rule", "name", "string", "number", `"."`, `","`, `"("`, `")"`, `"{"`, `"}"`,
	`"!"`, `"and"`, `"or"`, `"="`, `"=="`, `"!="`, `"!=="`, `"like"`, `"matches"`, `"true"`, `"false"`}

func (k tokKind) String() string { return kindNames[k] }

// token is one lexical token; pos is its byte offset in the file.
type token struct {
	kind tokKind
	text string // identifier name, decoded string, number text
	pos  int
}

// lexer splits one rule line into tokens.
type lexer struct {
	src  string
	base int // offset of src in the file
	pos  int
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' || c == '-' }

// next returns the next token, or an error at its position.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t' || l.src[l.pos] == '\r') {
		l.pos++
	}
	start := l.pos
	at := l.base + start
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: at}, nil
	}
	c := l.src[l.pos]
	two := ""
	if l.pos+1 < len(l.src) {
		two = l.src[l.pos : l.pos+2]
	}
	switch {
	case c == '"':
		return l.lexString()
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
			l.pos++
		}
		word := l.src[start:l.pos]
		switch strings.ToLower(word) {
		case "and":
			return token{kind: tAnd, text: word, pos: at}, nil
		case "or":
			return token{kind: tOr, text: word, pos: at}, nil
		case "like":
			return token{kind: tLike, text: word, pos: at}, nil
		case "matches":
			return token{kind: tMatches, text: word, pos: at}, nil
		case "true":
			return token{kind: tTrue, text: word, pos: at}, nil
		case "false":
			return token{kind: tFalse, text: word, pos: at}, nil
		}
		return token{kind: tIdent, text: word, pos: at}, nil
	case '0' <= c && c <= '9' || c == '-' && l.pos+1 < len(l.src) && '0' <= l.src[l.pos+1] && l.src[l.pos+1] <= '9':
		l.pos++
		for l.pos < len(l.src) && ('0' <= l.src[l.pos] && l.src[l.pos] <= '9' || l.src[l.pos] == '.') {
			l.pos++
		}
		return token{kind: tNumber, text: l.src[start:l.pos], pos: at}, nil
	case two == "&&":
		l.pos += 2
		return token{kind: tAnd, text: two, pos: at}, nil
	case two == "||":
		l.pos += 2
		return token{kind: tOr, text: two, pos: at}, nil
	case two == "==":
		l.pos += 2
		return token{kind: tStrictEq, text: two, pos: at}, nil
	case two == "!=":
		if l.pos+2 < len(l.src) && l.src[l.pos+2] == '=' {
			l.pos += 3
			return token{kind: tStrictNe, text: "!==", pos: at}, nil
		}
		l.pos += 2
		return token{kind: tNe, text: two, pos: at}, nil
	}
	l.pos++
	switch c {
	case '=':
		return token{kind: tEq, text: "=", pos: at}, nil
	case '!':
		return token{kind: tNot, text: "!", pos: at}, nil
	case '.':
		return token{kind: tDot, text: ".", pos: at}, nil
	case ',':
		return token{kind: tComma, text: ",", pos: at}, nil
	case '(':
		return token{kind: tLParen, text: "(", pos: at}, nil
	case ')':
		return token{kind: tRParen, text: ")", pos: at}, nil
	case '{':
		return token{kind: tLBrace, text: "{", pos: at}, nil
	case '}':
		return token{kind: tRBrace, text: "}", pos: at}, nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	l.pos = start + max(1, utf8.RuneLen(r))
	return token{}, &Error{Pos: at, Msg: fmt.Sprintf("unexpected character %q", r)}
}

// lexString reads a double-quoted string. A backslash escapes the next
// character: \" is a quote; any other pair is kept as written, so that
// like patterns can use \\, \* and \?.
func (l *lexer) lexString() (token, error) {
	start := l.pos
	at := l.base + start
	l.pos++ // opening quote
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch c {
		case '"':
			l.pos++
			return token{kind: tString, text: b.String(), pos: at}, nil
		case '\\':
			if l.pos+1 >= len(l.src) {
				return token{}, &Error{Pos: l.base + l.pos, Msg: "unfinished escape at the end of the rule"}
			}
			if e := l.src[l.pos+1]; e == '"' {
				b.WriteByte('"')
			} else {
				// Kept as written: like patterns give \\, \* and \? their meaning.
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			l.pos += 2
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return token{}, &Error{Pos: at, Msg: "string is not closed before the end of the line"}
}
