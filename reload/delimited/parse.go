package delimited

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
)

// The record grammar, as the parser reads it (one record per call of
// scan.record; blank and comment lines are skipped by scan.skipLine):
//
//	input    = { skipped-line | record } ;
//	record   = field { delimiter field } ( newline | EOF ) ;
//	newline  = [ CR ] LF ;
//	field    = [ blanks ] quoted [ blanks ] | unquoted ;
//	quoted   = QUOTE { any-but-QUOTE | QUOTE QUOTE | lone-QUOTE } QUOTE ;   (MSQ)
//	         | Q { any-but-LF } Q ;                                          (standard, Q is " or ')
//	unquoted = { any-but-delimiter-or-LF } ;
//
// A closing quote is one followed, after optional blanks, by a delimiter, a
// newline or the end of the input; under MSQ any other quote inside a quoted
// field is data ("lone quote"), and a doubled quote stands for one quote.

// status tells why parsing stopped without an error.
type status uint8

const (
	// stDone: parsing reached its stop position, its record limit or the
	// end of the input.
	stDone status = iota
	// stMore: the buffer ends inside a record (or a skipped line) and more
	// input may follow; parsing stopped at the start of that record.
	stMore
)

// unbounded is the width used to collect every field of a record (labels).
const unbounded = math.MaxInt

// parser is a compiled Format: immutable, shared by all goroutines.
type parser struct {
	delim       []byte
	d0          byte
	dlen        int
	spaces      bool
	quoting     Quoting
	trim        bool
	comment     []byte
	maxRecord   int
	labels      Labels
	headerLines int
	ref         bool // use the byte-by-byte reference scanner (tests)
	single      bool // a one-byte delimiter (not spaces)
	fast        bool // recordFast applies: single, no trim

	special [256]bool // bytes that make a field start take the slow path
	blank   [256]bool // blanks: skipped before an opening quote, trimmed
	space   [256]bool // separators of the Spaces mode
	quote   [256]bool // opening quote characters
}

func newParser(f *Format, maxRecord int) (*parser, error) {
	d, err := f.validate()
	if err != nil {
		return nil, err
	}
	p := &parser{
		delim:       []byte(d),
		dlen:        len(d),
		spaces:      f.Spaces,
		quoting:     f.Quoting,
		trim:        f.Trim,
		comment:     []byte(f.Comment),
		maxRecord:   maxRecord,
		labels:      f.Labels,
		headerLines: f.HeaderLines,
	}
	if p.spaces {
		p.dlen = 1
		for c := 0; c < 32; c++ {
			p.space[c] = c != '\r' && c != '\n'
		}
		p.space[' '] = true
	} else {
		p.d0 = d[0]
	}
	p.single = p.dlen == 1 && !p.spaces
	p.fast = p.single && !p.trim
	p.blank[' '], p.blank['\t'] = true, true
	if p.dlen == 1 && !p.spaces {
		p.blank[p.d0] = false
	}
	switch p.quoting {
	case QuoteMSQ:
		p.quote['"'] = true
	case QuoteStandard:
		p.quote['"'], p.quote['\''] = true, true
	}
	for c := range 256 {
		p.special[c] = p.quote[c]
		if !p.spaces && (p.quoting != QuoteNone || p.trim) && p.blank[c] {
			p.special[c] = true
		}
	}
	return p, nil
}

// scan is one parsing pass over one buffer.
type scan struct {
	*parser
	buf     []byte
	eof     bool // no input follows buf
	b       *Batch
	width   int   // fields kept per record, or unbounded
	line    int64 // line of the current position, relative to buf[0]
	recLine int64 // line of the start of the current record
	nl      int   // cached index of a '\n' (lineEnd), -1 when unknown
}

func (p *parser) newScan(buf []byte, eof bool, b *Batch, width int, line int64) *scan {
	return &scan{parser: p, buf: buf, eof: eof, b: b, width: width, line: line, nl: -1}
}

// parse appends to s.b the records that start at or after pos and before
// stop, until s.b holds maxRecs records. A record that starts before stop is
// finished even when it runs past stop. It returns the position after the
// last record or skipped line. With stMore the position is the start of the
// unfinished record and s.b holds only complete records; so it does after an
// error.
func (s *scan) parse(pos, stop, maxRecs int) (int, status, error) {
	for pos < stop && s.b.Len() < maxRecs {
		next, skip, st := s.skipLine(pos)
		if st == stMore {
			return pos, stMore, nil
		}
		if skip {
			if next-pos > s.maxRecord {
				return pos, stDone, s.tooLarge(pos, s.line)
			}
			if s.buf[next-1] == '\n' {
				s.line++
			}
			pos = next
			continue
		}
		m, line := s.b.mark(), s.line
		var err error
		if s.fast && !s.ref && s.width != unbounded {
			next, st, err = s.recordFast(pos)
		} else {
			next, st, err = s.record(pos)
		}
		if err != nil || st == stMore {
			s.b.rollback(m)
			s.line = line
			return pos, st, err
		}
		pos = next
	}
	return pos, stDone, nil
}

// tooLarge reports the record (or skipped line) starting at pos, on line.
func (s *scan) tooLarge(pos int, line int64) error {
	return &posError{pos: pos, line: line, err: ErrRecordTooLarge}
}

// skipLine reports whether the line starting at pos is skipped: empty, only
// blanks (with Trim or Spaces), or starting with the comment prefix. next is
// the start of the following line.
func (s *scan) skipLine(pos int) (next int, skip bool, st status) {
	buf, n := s.buf, len(s.buf)
	c := buf[pos]
	if c == '\n' {
		return pos + 1, true, stDone
	}
	if c == '\r' || (s.trim && s.blank[c]) || (s.spaces && s.space[c]) {
		j := pos
		for j < n && ((s.trim && s.blank[buf[j]]) || (s.spaces && s.space[buf[j]])) {
			j++
		}
		switch {
		case j == n || (buf[j] == '\r' && j+1 == n):
			if !s.eof {
				return pos, false, stMore
			}
			return n, true, stDone
		case buf[j] == '\n':
			return j + 1, true, stDone
		case buf[j] == '\r' && buf[j+1] == '\n':
			return j + 2, true, stDone
		}
	}
	if len(s.comment) > 0 {
		rest := buf[pos:]
		if len(rest) < len(s.comment) {
			if !s.eof && bytes.HasPrefix(s.comment, rest) {
				return pos, false, stMore
			}
			return pos, false, stDone
		}
		if bytes.HasPrefix(rest, s.comment) {
			nl := bytes.IndexByte(rest, '\n')
			if nl < 0 {
				if !s.eof {
					return pos, false, stMore
				}
				return n, true, stDone
			}
			return pos + nl + 1, true, stDone
		}
	}
	return pos, false, stDone
}

// record parses the record starting at pos, which is not a skipped line,
// and appends it to s.b.
//
//	record = field { delimiter field } ( newline | EOF ) ;
func (s *scan) record(pos int) (int, status, error) {
	buf, n, b := s.buf, len(s.buf), s.b
	recLine := s.line
	s.recLine = recLine
	col := 0
	fs := pos
	if s.spaces {
		fs = s.skipSpaces(fs)
	}
	next := n
	for {
		var vs, ve, k int
		extra := false
		if fs < n && s.special[buf[fs]] {
			var st status
			var err error
			vs, ve, k, extra, st, err = s.field(fs, pos)
			if err != nil || st == stMore {
				return pos, st, err
			}
		} else {
			k = s.findTerm(fs)
			if k < 0 {
				if !s.eof {
					return pos, stMore, nil
				}
				k = n
			}
			vs, ve = s.unquotedValue(fs, k)
		}
		if col < s.width {
			sp := span{uint32(vs), uint32(ve)}
			if extra {
				sp.off |= spanExtra
			}
			b.spans = append(b.spans, sp)
		}
		col++
		if k >= n {
			break
		}
		if buf[k] == '\n' {
			s.line++
			next = k + 1
			break
		}
		// A delimiter: the next field starts after it.
		fs = k + s.dlen
		if s.spaces {
			fs = s.skipSpaces(fs)
			end, st := s.lineEndsAt(fs)
			if st == stMore {
				return pos, stMore, nil
			}
			if end >= 0 {
				if buf[end-1] == '\n' {
					s.line++
				}
				next = end
				break
			}
		}
	}
	if s.width != unbounded {
		for c := col; c < s.width; c++ {
			b.spans = append(b.spans, span{spanAbsent, 0})
		}
	}
	return s.endRecord(pos, next, col, recLine)
}

// recordFast is record for a one-byte delimiter outside the Spaces mode,
// without Trim and with a bounded width. Runs of plain fields go through
// scanFields, a leaf function the compiler keeps in registers.
func (s *scan) recordFast(pos int) (int, status, error) {
	buf, n, b := s.buf, len(s.buf), s.b
	width := s.width
	spans := b.spans
	base := len(spans)
	if cap(spans)-base < width {
		spans = slices.Grow(spans, width)
	}
	row := spans[base : base+width]
	dp := uint64(s.d0) * swarLo
	recLine := s.line
	s.recLine = recLine
	col := 0
	fs := pos
	next := n
	for {
		var k int
		var stop uint8
		fs, col, k, stop = scanFields(buf, fs, row, col, dp, &s.special)
		vs, ve := fs, k
		extra := false
		switch stop {
		case stopSpecial:
			var st status
			var err error
			vs, ve, k, extra, st, err = s.field(fs, pos)
			if err != nil || st == stMore {
				return pos, st, err
			}
		case stopEnd:
			if !s.eof {
				return pos, stMore, nil
			}
			k, ve = n, n
			fallthrough
		case stopNewline:
			if ve > vs && buf[ve-1] == '\r' {
				ve--
			}
		}
		if col < len(row) {
			sp := span{uint32(vs), uint32(ve)}
			if extra {
				sp.off |= spanExtra
			}
			row[col] = sp
		}
		col++
		if k >= n {
			break
		}
		if buf[k] == '\n' {
			s.line++
			next = k + 1
			break
		}
		fs = k + 1
	}
	for c := col; c < len(row); c++ {
		row[c] = span{spanAbsent, 0}
	}
	b.spans = spans[:base+width]
	return s.endRecord(pos, next, col, recLine)
}

// Why scanFields stopped.
const (
	stopNewline = iota // the field [fs, k) ends the record at the line feed k
	stopSpecial        // the field at fs starts with a quote or a blank
	stopEnd            // no terminator before the end of the buffer
)

// scanFields stores in row[col:] the spans of the plain fields from fs on
// that end with the delimiter (whose pattern is dp), until a field ends the
// record, starts with a special byte or the buffer ends. It returns the start
// and number of the field it stopped at and, for stopNewline, its end. The
// SWAR mask of one 8-byte word serves all the fields that end in it.
func scanFields(buf []byte, fs int, row []span, col int, dp uint64, special *[256]bool) (int, int, int, uint8) {
	n := len(buf)
	i, m := fs, uint64(0) // m: terminators of the word at i not yet used
	for {
		if fs >= n {
			return fs, col, n, stopEnd
		}
		if special[buf[fs]] {
			return fs, col, 0, stopSpecial
		}
		var k int
		if m != 0 {
			k = i + bits.TrailingZeros64(m)>>3
			if m &= m - 1; m == 0 {
				i += 8
			}
		} else {
			for {
				if i+8 > n {
					// The tail, byte by byte.
					for k = i; k < n; k++ {
						if c := buf[k]; c == '\n' || uint64(c) == dp&0xff {
							break
						}
					}
					if k == n {
						return fs, col, n, stopEnd
					}
					i = k + 1
					break
				}
				w := binary.LittleEndian.Uint64(buf[i:])
				if m = exactZeroBytes(w^dp) | exactZeroBytes(w^nlPat); m != 0 {
					k = i + bits.TrailingZeros64(m)>>3
					if m &= m - 1; m == 0 {
						i += 8
					}
					break
				}
				i += 8
			}
		}
		if buf[k] == '\n' {
			return fs, col, k, stopNewline
		}
		if col < len(row) {
			row[col] = span{uint32(fs), uint32(k)}
		}
		col++
		fs = k + 1
	}
}

// endRecord completes the record [pos, next) that had col fields; the
// caller has stored its spans, absent ones included.
func (s *scan) endRecord(pos, next, col int, recLine int64) (int, status, error) {
	b := s.b
	if col != s.width && s.width != unbounded {
		b.ragged = append(b.ragged, Ragged{Record: b.Len(), Fields: col})
	}
	b.lines = append(b.lines, uint32(recLine))
	b.starts = append(b.starts, uint32(pos))
	if next-pos > s.maxRecord {
		return pos, stDone, s.tooLarge(pos, recLine)
	}
	return next, stDone, nil
}

// skipSpaces skips separators of the Spaces mode.
func (s *scan) skipSpaces(i int) int {
	for i < len(s.buf) && s.space[s.buf[i]] {
		i++
	}
	return i
}

// lineEndsAt reports, in Spaces mode, whether only a newline or the end of
// the input remains at i; it returns the start of the next line, or -1.
func (s *scan) lineEndsAt(i int) (int, status) {
	buf, n := s.buf, len(s.buf)
	switch {
	case i == n:
		if !s.eof {
			return -1, stMore
		}
		return n, stDone
	case buf[i] == '\n':
		return i + 1, stDone
	case buf[i] == '\r':
		if i+1 == n {
			if !s.eof {
				return -1, stMore
			}
			return n, stDone
		}
		if buf[i+1] == '\n' {
			return i + 2, stDone
		}
	}
	return -1, stDone
}

// findTerm returns the index of the first delimiter or '\n' at or after i,
// or -1 when there is none in the buffer or a multi-byte delimiter is cut
// by the end of the buffer.
func (s *scan) findTerm(i int) int {
	buf := s.buf
	switch {
	case s.spaces:
		for ; i < len(buf); i++ {
			if c := buf[i]; c == '\n' || s.space[c] {
				return i
			}
		}
		return -1
	case s.dlen == 1:
		if s.ref {
			return indexTermRef(buf, i, s.d0)
		}
		return indexTerm(buf, i, s.d0)
	}
	for {
		k := indexTerm(buf, i, s.d0)
		if k < 0 || buf[k] == '\n' {
			return k
		}
		if k+s.dlen <= len(buf) {
			if bytes.Equal(buf[k:k+s.dlen], s.delim) {
				return k
			}
		} else if !s.eof {
			return -1
		}
		i = k + 1
	}
}

// delimAt reports whether a delimiter starts at i (i < len(s.buf)); more is
// set when the buffer ends inside what may be a multi-byte delimiter.
func (s *scan) delimAt(i int) (is, more bool) {
	buf := s.buf
	switch {
	case s.spaces:
		return s.space[buf[i]], false
	case buf[i] != s.d0:
		return false, false
	case s.dlen == 1:
		return true, false
	case i+s.dlen <= len(buf):
		return bytes.Equal(buf[i:i+s.dlen], s.delim), false
	}
	return false, !s.eof
}

// skipBlanks skips blanks that do not start a delimiter.
func (s *scan) skipBlanks(i int) int {
	for i < len(s.buf) && s.blank[s.buf[i]] {
		if d, _ := s.delimAt(i); d {
			break
		}
		i++
	}
	return i
}

// unquotedValue returns the value of the unquoted field [fs, k) ended by the
// terminator at k: a CR before a newline (or the end) is dropped, and blanks
// are trimmed with Trim.
func (s *scan) unquotedValue(fs, k int) (int, int) {
	buf := s.buf
	ve := k
	if ve > fs && buf[ve-1] == '\r' && (k == len(buf) || buf[k] == '\n') {
		ve--
	}
	if s.trim {
		for fs < ve && s.blank[buf[fs]] {
			fs++
		}
		for ve > fs && s.blank[buf[ve-1]] {
			ve--
		}
	}
	return fs, ve
}

// field parses a field whose first byte is special (a quote or a blank).
// It returns the value [vs, ve) (in s.b.extra when extra is set) and the
// position k of the terminator that ends the field (len(s.buf) at the end).
//
//	field = [ blanks ] quoted [ blanks ] | unquoted ;
func (s *scan) field(fs, recStart int) (vs, ve, k int, extra bool, st status, err error) {
	n := len(s.buf)
	if s.quoting == QuoteMSQ && s.buf[fs] == '"' {
		return s.quotedMSQ(fs, recStart)
	}
	if s.quoting != QuoteNone {
		j := s.skipBlanks(fs)
		if j == n && !s.eof {
			return 0, 0, 0, false, stMore, nil
		}
		if j < n && s.quote[s.buf[j]] {
			quoted := false
			if s.quoting == QuoteMSQ {
				vs, ve, k, extra, st, err = s.quotedMSQ(j, recStart)
				quoted = true
			} else {
				vs, ve, k, quoted, st = s.quotedStandard(j)
			}
			if quoted || err != nil || st == stMore {
				return vs, ve, k, extra, st, err
			}
		}
	}
	k = s.findTerm(fs)
	if k < 0 {
		if !s.eof {
			return 0, 0, 0, false, stMore, nil
		}
		k = n
	}
	vs, ve = s.unquotedValue(fs, k)
	return vs, ve, k, false, stDone, nil
}

// quotedMSQ parses an MSQ quoted field whose opening quote is at j.
//
//	quoted = QUOTE { any-but-QUOTE | QUOTE QUOTE | lone-QUOTE } QUOTE [ blanks ] ;
func (s *scan) quotedMSQ(j, recStart int) (vs, ve, k int, extra bool, st status, err error) {
	buf, n := s.buf, len(s.buf)
	pairs := false
	k = j + 1
	var term int
	for {
		q := bytes.IndexByte(buf[k:], '"')
		if q < 0 {
			if !s.eof {
				return 0, 0, 0, false, stMore, nil
			}
			if n-recStart > s.maxRecord {
				return 0, 0, 0, false, stDone, s.tooLarge(recStart, s.recLine)
			}
			return 0, 0, 0, false, stDone, &posError{pos: j, line: s.line, err: ErrUnterminatedQuote}
		}
		k += q
		if k+1 < n {
			switch c := buf[k+1]; {
			case c == '"':
				pairs = true
				k += 2
				continue
			case c == '\n' || (c == s.d0 && s.single):
				term = k + 1 // the common case: "...", or "..."LF
			}
			if term > 0 {
				break
			}
		}
		m := s.skipBlanks(k + 1)
		if m == n {
			if !s.eof {
				return 0, 0, 0, false, stMore, nil
			}
			term = n
			break
		}
		if c := buf[m]; c == '\n' {
			term = m
			break
		} else if c == '\r' {
			if m+1 == n {
				if !s.eof {
					return 0, 0, 0, false, stMore, nil
				}
				term = n
				break
			}
			if buf[m+1] == '\n' {
				term = m + 1
				break
			}
		}
		d, more := s.delimAt(m)
		if more {
			return 0, 0, 0, false, stMore, nil
		}
		if d {
			term = m
			break
		}
		k++ // a lone quote inside the field is data
	}
	content := buf[j+1 : k]
	if len(content) < 16 {
		for _, c := range content {
			if c == '\n' {
				s.line++
			}
		}
	} else {
		s.line += int64(bytes.Count(content, []byte{'\n'}))
	}
	if !pairs {
		return j + 1, k, term, false, stDone, nil
	}
	b := s.b
	start := len(b.extra)
	for {
		q := bytes.IndexByte(content, '"')
		if q < 0 {
			b.extra = append(b.extra, content...)
			break
		}
		b.extra = append(b.extra, content[:q+1]...)
		if q+1 < len(content) && content[q+1] == '"' {
			q++
		}
		content = content[q+1:]
	}
	return start, len(b.extra), term, true, stDone, nil
}

// quotedStandard parses a field that may be quoted under standard quoting,
// with the quote character at j. quoted is false when no closing quote ends
// the field on its line; the field is then unquoted.
//
//	quoted = Q { any-but-LF } Q [ blanks ] ;
func (s *scan) quotedStandard(j int) (vs, ve, k int, quoted bool, st status) {
	buf := s.buf
	le := s.lineEnd(j)
	if le < 0 {
		return 0, 0, 0, false, stMore
	}
	qc := buf[j]
	k = j + 1
	for {
		q := bytes.IndexByte(buf[k:le], qc)
		if q < 0 {
			return 0, 0, 0, false, stDone
		}
		k += q
		m := s.skipBlanks(k + 1)
		if m >= le || (buf[m] == '\r' && m+1 == le) {
			return j + 1, k, le, true, stDone
		}
		if d, _ := s.delimAt(m); d {
			return j + 1, k, m, true, stDone
		}
		k++
	}
}

// lineEnd returns the index of the first '\n' at or after i, len(s.buf) if
// there is none and the input ends, or -1 if more input is needed.
func (s *scan) lineEnd(i int) int {
	if s.nl >= i {
		return s.nl
	}
	nl := bytes.IndexByte(s.buf[i:], '\n')
	if nl < 0 {
		if !s.eof {
			return -1
		}
		s.nl = len(s.buf)
		return s.nl
	}
	s.nl = i + nl
	return s.nl
}
