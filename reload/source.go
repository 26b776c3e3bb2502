package reload

import (
	"errors"
	"fmt"
	"io"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/assocengine/assoc/reload/delimited"
	"github.com/assocengine/assoc/symbols"
)

// source is where the bottom LOAD of a statement reads its records: a
// delimited text (file or INLINE), a QVD file, a resident table, an
// AUTOGENERATE count, a spreadsheet.
type source interface {
	// names are the source's field names, in order.
	names() []string
	// next returns the next batch of records, or nil at the end.
	next() (batch, error)
	// close releases the source.
	close() error
	// desc names the source in the log ("sales", "INLINE", "RESIDENT T").
	desc() string
}

// batch is a run of consecutive source records.
type batch interface {
	len() int
	// value returns field col of record r, interpreted as a value (typed
	// sources keep their types; text is number-interpreted).
	value(r, col int) expr.Value
	// recNo returns RecNo() of record r (1-based over the source).
	recNo(r int) int64
}

// symBatch is a batch whose fields are codes into symbol lists, so that a
// plain field can be copied by mapping codes (resident tables, QVD files).
type symBatch interface {
	batch
	// code returns the code (0 NULL, c symbol c-1) of field col, record r.
	code(r, col int) uint32
	// dual returns symbol c-1 of field col.
	dual(col int, c uint32) symbols.Dual
	// symCount returns the number of symbols of field col.
	symCount(col int) int
	// field returns the model field behind col when the codes are codes
	// of that field (resident tables), else nil.
	field(col int) *field
}

// textBatch is a batch of delimited text: cells are interpreted (number,
// date, money ... else text, the original text kept) when read.
type textBatch struct {
	b    *delimited.Batch
	src  *textSource
	base int64
}

func (b *textBatch) len() int { return b.b.Len() }

func (b *textBatch) recNo(r int) int64 { return b.b.RecordNumber(r) }

func (b *textBatch) value(r, col int) expr.Value {
	cell := b.b.Field(r, col)
	return b.src.interp.value(cell, col)
}

// interpreter turns text cells into values: NullInterpret, then the
// automatic number interpretation with the locale, memoised per column for
// repeated texts.
type interpreter struct {
	loc      *numfmt.Locale
	nullText string
	hasNull  bool
	memo     []map[string]expr.Value
}

const maxMemo = 1 << 16

func newInterpreter(loc *numfmt.Locale, nullText string, hasNull bool, ncols int) *interpreter {
	return &interpreter{loc: loc, nullText: nullText, hasNull: hasNull, memo: make([]map[string]expr.Value, ncols)}
}

func (ip *interpreter) value(cell []byte, col int) expr.Value {
	if cell == nil {
		return expr.Null()
	}
	if ip.hasNull && string(cell) == ip.nullText {
		return expr.Null()
	}
	m := ip.memo[col]
	if m != nil {
		if v, ok := m[string(cell)]; ok {
			return v
		}
	}
	s := string(cell)
	v := interpretText(s, ip.loc)
	if m == nil {
		m = map[string]expr.Value{}
		ip.memo[col] = m
	}
	if len(m) < maxMemo {
		m[s] = v
	}
	return v
}

// interpretText is the automatic interpretation of an untyped text (§5.4):
// a number, money, date, time or timestamp keeps the text as its own.
func interpretText(s string, loc *numfmt.Locale) expr.Value {
	if num, ok, _ := numfmt.Interpret(s, loc); ok {
		return expr.Dual(num, s)
	}
	return expr.Str(s)
}

// textSource reads a delimited text file or INLINE data.
type textSource struct {
	rd     *delimited.Reader
	nm     []string
	name   string
	interp *interpreter
	// ragged records seen so far and the line of the first one.
	ragged      int64
	raggedLine  int64
	raggedCount int
}

func newTextSource(rd *delimited.Reader, name string, ip *interpreter) *textSource {
	return &textSource{rd: rd, nm: rd.Names(), name: name, interp: ip}
}

func (s *textSource) names() []string { return s.nm }
func (s *textSource) desc() string    { return s.name }
func (s *textSource) close() error    { return s.rd.Close() }

func (s *textSource) next() (batch, error) {
	b, err := s.rd.Next()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		var pe *delimited.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("cannot read %s: line %d:%d: %w", s.name, pe.Line, pe.Column, pe.Err)
		}
		return nil, fmt.Errorf("cannot read %s: %w", s.name, err)
	}
	if rg := b.Ragged(); len(rg) > 0 {
		if s.ragged == 0 {
			s.raggedLine = b.Line(rg[0].Record)
			s.raggedCount = rg[0].Fields
		}
		s.ragged += int64(len(rg))
	}
	return &textBatch{b: b, src: s}, nil
}

// raggedWarning describes the records whose field count differed from the
// labels, or "".
func (s *textSource) raggedWarning() string {
	if s.ragged == 0 {
		return ""
	}
	return fmt.Sprintf("%s: %d records have a number of fields other than the %d labels (the first at line %d has %d); missing fields are NULL, extra fields are ignored",
		s.name, s.ragged, len(s.nm), s.raggedLine, s.raggedCount)
}

// valueSource is a source of already typed values (spreadsheets).
type valueSource struct {
	nm   []string
	rows [][]expr.Value
	pos  int
	name string
}

func (s *valueSource) names() []string { return s.nm }
func (s *valueSource) desc() string    { return s.name }
func (s *valueSource) close() error    { return nil }

func (s *valueSource) next() (batch, error) {
	if s.pos >= len(s.rows) {
		return nil, nil
	}
	n := min(len(s.rows)-s.pos, 1<<14)
	b := &valueBatch{rows: s.rows[s.pos : s.pos+n], base: int64(s.pos)}
	s.pos += n
	return b, nil
}

type valueBatch struct {
	rows [][]expr.Value
	base int64
}

func (b *valueBatch) len() int          { return len(b.rows) }
func (b *valueBatch) recNo(r int) int64 { return b.base + int64(r) + 1 }
func (b *valueBatch) value(r, col int) expr.Value {
	row := b.rows[r]
	if col >= len(row) {
		return expr.Null()
	}
	return row[col]
}

// autoSource is AUTOGENERATE n: n records without fields.
type autoSource struct {
	n, pos int64
	name   string
}

func (s *autoSource) names() []string { return nil }
func (s *autoSource) desc() string    { return s.name }
func (s *autoSource) close() error    { return nil }

func (s *autoSource) next() (batch, error) {
	if s.pos >= s.n {
		return nil, nil
	}
	n := min(s.n-s.pos, 1<<14)
	b := &autoBatch{n: int(n), base: s.pos}
	s.pos += n
	return b, nil
}

type autoBatch struct {
	n    int
	base int64
}

func (b *autoBatch) len() int                  { return b.n }
func (b *autoBatch) recNo(r int) int64         { return b.base + int64(r) + 1 }
func (b *autoBatch) value(int, int) expr.Value { return expr.Null() }

// residentSource reads the rows of a table (RESIDENT), optionally in the
// order of ORDER BY.
type residentSource struct {
	t     *table
	cols  []*column
	nm    []string
	order []int32 // row order (nil: table order)
	n     int     // rows at the start of the statement
	pos   int
}

func newResidentSource(t *table) *residentSource {
	s := &residentSource{t: t, cols: append([]*column(nil), t.cols...), n: t.rows}
	for _, c := range s.cols {
		s.nm = append(s.nm, c.f.name)
	}
	return s
}

func (s *residentSource) names() []string { return s.nm }
func (s *residentSource) desc() string    { return s.t.name }
func (s *residentSource) close() error    { return nil }

func (s *residentSource) next() (batch, error) {
	if s.pos >= s.n {
		return nil, nil
	}
	n := min(s.n-s.pos, 1<<14)
	b := &residentBatch{s: s, from: s.pos, n: n}
	s.pos += n
	return b, nil
}

type residentBatch struct {
	s       *residentSource
	from, n int
}

func (b *residentBatch) row(r int) int {
	if b.s.order != nil {
		return int(b.s.order[b.from+r])
	}
	return b.from + r
}

func (b *residentBatch) len() int          { return b.n }
func (b *residentBatch) recNo(r int) int64 { return int64(b.from + r + 1) }

func (b *residentBatch) code(r, col int) uint32 { return b.s.cols[col].c.get(b.row(r)) }

func (b *residentBatch) dual(col int, c uint32) symbols.Dual {
	return b.s.cols[col].f.syms.Dual(c - 1)
}

func (b *residentBatch) symCount(col int) int { return b.s.cols[col].f.syms.Len() }

func (b *residentBatch) field(col int) *field { return b.s.cols[col].f }

func (b *residentBatch) value(r, col int) expr.Value {
	c := b.code(r, col)
	if c == 0 {
		return expr.Null()
	}
	return expr.FromDual(b.dual(col, c))
}

// limitSource reads at most n records of a source (Request.RowLimit).
type limitSource struct {
	source
	left int64
}

func (s *limitSource) next() (batch, error) {
	if s.left <= 0 {
		return nil, nil
	}
	b, err := s.source.next()
	if b == nil || err != nil {
		return b, err
	}
	if int64(b.len()) > s.left {
		b = &limitBatch{batch: b, n: int(s.left)}
	}
	s.left -= int64(b.len())
	return b, nil
}

// limitBatch is the first n records of a batch.
type limitBatch struct {
	batch
	n int
}

func (b *limitBatch) len() int { return b.n }
