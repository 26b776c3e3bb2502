package expr

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pos is a byte offset into the source text of an expression (0-based).
// It is converted to a line and column only when an error is printed.
type Pos int

// NoPos marks a node that was not produced by the parser.
const NoPos Pos = -1

// LineCol converts the byte offset pos of src to a 1-based line and a
// 1-based column counted in characters (runes), not bytes.
func LineCol(src string, pos Pos) (line, col int) {
	p := int(pos)
	if p < 0 {
		return 0, 0
	}
	if p > len(src) {
		p = len(src)
	}
	line = 1
	start := 0
	for i := 0; i < p; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCountInString(src[start:p]) + 1
}

// Error is one positioned problem found while lexing, parsing or checking an
// expression.
type Error struct {
	Pos  Pos    // byte offset of the problem in the source
	Line int    // 1-based line of Pos
	Col  int    // 1-based column of Pos, in characters
	Msg  string // what went wrong, without position
}

// Error renders the error as "line:col: message" (or "offset N: message"
// when the source text is unknown).
func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("offset %d: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// MaxErrors is the number of errors after which parsing stops.
const MaxErrors = 10

// ErrorList is the list of errors returned by Parse. It holds at most
// MaxErrors entries, sorted by position.
type ErrorList []*Error

// Error renders the first error and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return "cannot parse expression: " + l[0].Error()
	}
	return fmt.Sprintf("cannot parse expression: %s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Unwrap exposes the individual errors to errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Err returns nil for an empty list and the list itself otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// All renders every error, one per line.
func (l ErrorList) All() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// errorSink collects positioned errors for one source text.
type errorSink struct {
	src   string
	noSrc bool // positions cannot be converted to line:col
	errs  ErrorList
	full  bool // MaxErrors reached
}

// add records an error at pos unless one is already recorded there or the
// list is full. It reports whether the error was recorded.
func (s *errorSink) add(pos Pos, format string, args ...any) bool {
	if s.full {
		return false
	}
	for _, e := range s.errs {
		if e.Pos == pos {
			return false
		}
	}
	line, col := 0, 0
	if !s.noSrc {
		line, col = LineCol(s.src, pos)
	}
	s.errs = append(s.errs, &Error{Pos: pos, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
	if len(s.errs) >= MaxErrors {
		s.full = true
	}
	return true
}

func (s *errorSink) sorted() ErrorList {
	sort.SliceStable(s.errs, func(i, j int) bool { return s.errs[i].Pos < s.errs[j].Pos })
	return s.errs
}
