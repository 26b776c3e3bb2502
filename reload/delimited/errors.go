package delimited

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

var (
	// ErrUnterminatedQuote reports a quoted field (MSQ quoting) that is still
	// open at the end of the input.
	ErrUnterminatedQuote = errors.New("quoted field is not closed before the end of the input")
	// ErrRecordTooLarge reports a record longer than Options.MaxRecordBytes.
	ErrRecordTooLarge = errors.New("record is longer than the maximum record size")
)

// ParseError is the error returned for input that cannot be split into
// records. It wraps ErrUnterminatedQuote or ErrRecordTooLarge.
type ParseError struct {
	// Source names the input (Options.Source; empty if unknown).
	Source string
	// Line is the 1-based physical line of the offending position.
	Line int64
	// Column is the 1-based column, in characters of the decoded text.
	Column int
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *ParseError) Error() string {
	src := e.Source
	if src == "" {
		src = "input"
	}
	return fmt.Sprintf("cannot split delimited text %s at line %d:%d: %v", src, e.Line, e.Column, e.Err)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// posError is a ParseError still in buffer coordinates: pos is the byte
// offset of the problem in the buffer being parsed and line its line number
// relative to the start of that buffer (0-based). The reader that owns the
// buffer turns it into a ParseError.
type posError struct {
	pos  int
	line int64
	err  error
}

func (e *posError) Error() string { return fmt.Sprintf("at byte %d: %v", e.pos, e.err) }

func (e *posError) Unwrap() error { return e.err }

// resolve converts e, found in buf whose first byte lies on absolute line
// baseLine, into a ParseError. buf[0] must be the start of a line.
func (e *posError) resolve(source string, buf []byte, baseLine int64) *ParseError {
	pos := min(e.pos, len(buf))
	lineStart := bytes.LastIndexByte(buf[:pos], '\n') + 1
	return &ParseError{
		Source: source,
		Line:   baseLine + e.line,
		Column: utf8.RuneCount(buf[lineStart:pos]) + 1,
		Err:    e.err,
	}
}
