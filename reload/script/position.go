package script

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Position is a byte offset converted to a 1-based line and a 1-based
// column counted in characters (runes).
type Position struct {
	Offset int // byte offset in the source
	Line   int // 1-based line
	Col    int // 1-based column, in characters
}

// String renders the position as "line:col".
func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// LineIndex converts byte offsets of one source text to line:col positions.
// Build it once per source with NewLineIndex when many offsets are
// converted; LineCol is the one-shot form.
type LineIndex struct {
	src   string
	lines []int // byte offset of the start of every line
}

// NewLineIndex indexes the line starts of src.
func NewLineIndex(src string) *LineIndex {
	lines := make([]int, 1, strings.Count(src, "\n")+1)
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			lines = append(lines, i+1)
		}
	}
	return &LineIndex{src: src, lines: lines}
}

// Position converts the byte offset off to a line and column. Offsets
// outside the source are clamped to its bounds.
func (x *LineIndex) Position(off int) Position {
	if off < 0 {
		off = 0
	}
	if off > len(x.src) {
		off = len(x.src)
	}
	i := sort.Search(len(x.lines), func(i int) bool { return x.lines[i] > off }) - 1
	start := x.lines[i]
	return Position{Offset: off, Line: i + 1, Col: utf8.RuneCountInString(x.src[start:off]) + 1}
}

// LineCol converts the byte offset off of src to a 1-based line and a
// 1-based column counted in characters.
func LineCol(src string, off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(src) {
		off = len(src)
	}
	line = 1 + strings.Count(src[:off], "\n")
	start := strings.LastIndexByte(src[:off], '\n') + 1
	return line, utf8.RuneCountInString(src[start:off]) + 1
}

// Error is one positioned syntax error.
type Error struct {
	Pos  int    // byte offset of the problem (basePos included, see ParseStatement)
	Line int    // 1-based line of Pos; 0 when not located yet (see ErrorList.Locate)
	Col  int    // 1-based column of Pos, in characters; 0 when not located
	Msg  string // what went wrong, without position
}

// Error renders the error as "line:col: message", or "offset N: message"
// when the error has not been located in a source text.
func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("offset %d: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// MaxErrors is the number of errors after which parsing stops.
const MaxErrors = 10

// ErrorList is the error returned by Parse and ParseStatement. It holds at
// most MaxErrors entries, in source order.
type ErrorList []*Error

// Error renders the first error and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return "cannot parse script: " + l[0].Error()
	}
	more := fmt.Sprintf("%d more errors", len(l)-1)
	if len(l) >= MaxErrors {
		more += ", stopped after " + fmt.Sprint(MaxErrors)
	}
	return fmt.Sprintf("cannot parse script: %s (and %s)", l[0].Error(), more)
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

// Locate fills in the line and column of every error from src, the text its
// offsets refer to. The interpreter calls it with the original script after
// ParseStatement failed on an expanded statement: the offsets then point
// into the original statement (approximately, as an expansion may change
// the length of the text before the error).
func (l ErrorList) Locate(src string) {
	x := NewLineIndex(src)
	for _, e := range l {
		p := x.Position(e.Pos)
		e.Line, e.Col = p.Line, p.Col
	}
}
