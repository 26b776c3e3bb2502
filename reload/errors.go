package reload

import (
	"errors"
	"fmt"
	"strings"

	"github.com/assocengine/assoc/reload/script"
)

// Sentinel errors wrapped by *Error; test them with errors.Is.
var (
	// ErrLimit: a configured limit (rows, memory, loop iterations,
	// expansions, time) was reached.
	ErrLimit = errors.New("reload limit reached")
	// ErrAccess: a file path resolves outside the allowed directories, or
	// names an unknown connection.
	ErrAccess = errors.New("file access denied")
	// ErrNotSupported: the script uses a statement, prefix, function or
	// file format this engine does not implement.
	ErrNotSupported = errors.New("not supported")
	// ErrInternal: the interpreter failed on an invariant (a bug); the
	// reload was stopped cleanly.
	ErrInternal = errors.New("internal error")
)

// Error is a failed reload: the position of the statement (or of the part
// of it) that failed in the original script, what went wrong, and the log
// written up to the failure. Positions of statements produced by
// dollar-sign expansion point into the text that was expanded; problems in
// included files name the file in Msg and point at the include.
type Error struct {
	Line, Col int    // 1-based; 0 when the error has no position
	Msg       string // what went wrong
	Log       string // the reload log up to the error
	// Err is the underlying cause (context.Canceled, ErrLimit, a file
	// error, a *script.Error ...), for errors.Is and errors.As.
	Err error
}

// Error renders "line:col: message".
func (e *Error) Error() string {
	if e.Line == 0 {
		return "reload failed: " + e.Msg
	}
	return fmt.Sprintf("reload failed at %d:%d: %s", e.Line, e.Col, e.Msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// srcText is a text whose byte offsets the statements being run refer to:
// the main script, a file read by $(include=...), or the expansion of an
// Unexpanded statement. resolve turns an offset into a line and column of
// the main script.
type srcText struct {
	text   string
	lines  *script.LineIndex
	file   string   // set for an included file
	parent *srcText // the text holding the include or the expanded statement
	at     int      // include: offset in parent of the include statement
	xm     *xmap    // expansion: maps offsets of text to offsets of parent
}

func newSrcText(text string) *srcText {
	return &srcText{text: text, lines: script.NewLineIndex(text)}
}

// resolve returns the line and column in the main script of offset off of
// s, and a prefix naming the included file (with the position in it) when
// off is inside one.
func (s *srcText) resolve(off int) (line, col int, note string) {
	switch {
	case s.parent == nil:
		p := s.lines.Position(off)
		return p.Line, p.Col, ""
	case s.file != "":
		p := s.lines.Position(off)
		l, c, n := s.parent.resolve(s.at)
		return l, c, n + fmt.Sprintf("in %s at %d:%d: ", s.file, p.Line, p.Col)
	default:
		return s.parent.resolve(s.xm.toParent(off))
	}
}

// xmap maps offsets of the expansion of a text back to offsets of the
// text: offsets in the common prefix and the common suffix map exactly,
// the rest to the first "$(" that changed.
type xmap struct {
	orig, exp         string
	origBase, expBase int
	lcp, lcs          int
	dollar            int // offset in orig of the first "$(" at or before lcp
}

func newXmap(orig, exp string, origBase, expBase int) *xmap {
	x := &xmap{orig: orig, exp: exp, origBase: origBase, expBase: expBase}
	n := min(len(orig), len(exp))
	for x.lcp < n && orig[x.lcp] == exp[x.lcp] {
		x.lcp++
	}
	for x.lcs < n-x.lcp && orig[len(orig)-1-x.lcs] == exp[len(exp)-1-x.lcs] {
		x.lcs++
	}
	x.dollar = strings.LastIndex(orig[:min(len(orig), x.lcp+2)], "$(")
	if x.dollar < 0 {
		x.dollar = x.lcp
	}
	return x
}

func (x *xmap) toParent(off int) int {
	local := off - x.expBase
	switch {
	case local < 0:
		return x.origBase
	case local < x.lcp && local <= x.dollar:
		return x.origBase + local
	case local >= len(x.exp)-x.lcs:
		return x.origBase + len(x.orig) - (len(x.exp) - local)
	}
	return x.origBase + x.dollar
}

// posErr is an error at an offset of a source text; Run turns it into an
// *Error with the line and column.
type posErr struct {
	src *srcText
	off int
	msg string
	err error
}

func (e *posErr) Error() string { return e.msg }
func (e *posErr) Unwrap() error { return e.err }

// stmtCtx is where the statement being run comes from: its source text
// and, when the statement was dollar-expanded and re-parsed, the map from
// the expanded text back to that source.
type stmtCtx struct {
	src *srcText
	xm  *xmap
	pos int // offset of the statement in src
}

// at maps an offset of the statement as parsed to an offset of src.
func (c *stmtCtx) at(off int) int {
	if c.xm != nil {
		return c.xm.toParent(off)
	}
	return off
}

// errorf returns a positioned error at offset off of the statement as
// parsed. A %w verb wraps its operand as usual.
func (c *stmtCtx) errorf(off int, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &posErr{src: c.src, off: c.at(off), msg: err.Error(), err: errors.Unwrap(err)}
}

// wrap gives err the statement's position unless it already has one (or
// is a control-flow signal).
func (c *stmtCtx) wrap(err error) error {
	if err == nil {
		return nil
	}
	var pe *posErr
	if errors.As(err, &pe) {
		return err
	}
	if _, ok := err.(flow); ok {
		return err
	}
	return &posErr{src: c.src, off: c.at(c.pos), msg: err.Error(), err: err}
}

// scriptErrors converts the errors of script.Parse or ParseStatement into
// a positioned error (the first one, with a count of the others).
func (c *stmtCtx) scriptErrors(err error) error {
	var list script.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		return c.wrap(err)
	}
	first := list[0]
	msg := "syntax error: " + first.Msg
	if len(list) > 1 {
		msg += fmt.Sprintf(" (and %d more errors)", len(list)-1)
	}
	return &posErr{src: c.src, off: c.at(first.Pos), msg: msg, err: err}
}

// flow is a control-flow signal (EXIT FOR, EXIT DO, EXIT SUB, EXIT SCRIPT)
// travelling up the statement runner as an error.
type flow uint8

const (
	flowExitFor flow = iota + 1
	flowExitDo
	flowExitSub
	flowExitScript
)

func (f flow) Error() string {
	return [...]string{"", "EXIT FOR outside a FOR loop", "EXIT DO outside a DO loop", "EXIT SUB outside a subroutine", "EXIT SCRIPT"}[f]
}
