package qvd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/assocengine/assoc/symbols"
)

// Table is a QVD table in memory: what Decode returns and what Write
// stores.
type Table struct {
	Name    string
	Comment string
	// Lineage is raw XML for the <Lineage> element (see Header.Lineage).
	Lineage string
	// Records is the number of rows; every field's Column has this length.
	Records int
	Fields  []*Field
	// Header is the header the table was decoded from; nil for tables
	// built in memory. Write does not use it.
	Header *Header
}

// Field is one column of a Table: its symbols in file order and its rows
// as codes into them (code 0 is NULL, code c is Symbols[c-1]).
type Field struct {
	Name         string
	NumberFormat NumberFormat
	// Tags are the field's tags. On write, nil means "compute them from the
	// symbols" ($numeric, $integer, $text, $ascii, plus $timestamp/$date
	// for DATE and TIMESTAMP formats); a non-nil slice, even empty, is
	// written as given.
	Tags    []string
	Comment string
	// Symbols are the field's distinct values in file order. Numbers stored
	// without text (types 0x01 and 0x02) get the text of the field's
	// number format (see numberTexter).
	Symbols []symbols.Dual
	// Column holds one code per row: 0 for NULL, c for Symbols[c-1].
	Column *symbols.Column
}

// Field returns the field called name, or nil.
func (t *Table) Field(name string) *Field {
	for _, f := range t.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// NewField returns a field with the given symbols and row codes (0 for
// NULL, c for syms[c-1]), packed with symbols.Compact. A code past the
// symbols is an error.
func NewField(name string, syms []symbols.Dual, codes []uint32) (*Field, error) {
	for i, c := range codes {
		if int64(c) > int64(len(syms)) {
			return nil, fmt.Errorf("cannot make QVD field %q: row %d has code %d but there are %d symbols", name, i, c, len(syms))
		}
	}
	return &Field{Name: name, Symbols: syms, Column: symbols.Pack(codes, uint32(len(syms)), symbols.Compact)}, nil
}

// Codes returns the field's row codes as a new slice.
func (f *Field) Codes() []uint32 {
	out := make([]uint32, f.Column.Len())
	f.Column.Decode(out, 0)
	return out
}

// Value returns the value of row i and false when it is NULL.
func (f *Field) Value(i int) (symbols.Dual, bool) {
	c := f.Column.Code(i)
	if c == 0 {
		return symbols.NullDual, false
	}
	return f.Symbols[c-1], true
}

// Options tune Decode. The zero value decodes every field with the
// symbols.Compact column policy on all CPUs.
type Options struct {
	// Fields, when not nil, names the fields to decode (in any order; the
	// table keeps file order). A name the file lacks is an error.
	Fields []string
	// Policy chooses the encoding of the decoded columns.
	Policy symbols.Policy
	// MaxUnbackedRecords bounds NoOfRecords when the index table is empty
	// (RecordByteSize 0: every field has one value), since then no byte of
	// the file vouches for the row count. 0 means DefaultMaxUnbackedRecords.
	MaxUnbackedRecords int
	// Parallelism is the number of fields decoded at once; 0 means
	// GOMAXPROCS.
	Parallelism int
}

// DefaultMaxUnbackedRecords is the default Options.MaxUnbackedRecords.
const DefaultMaxUnbackedRecords = 1 << 26

// maxBitWidth is the widest symbol index a field may store: codes are
// uint32.
const maxBitWidth = 32

// ReadFile reads and decodes the QVD file at path.
func ReadFile(path string, opts Options) (*Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read QVD file: %w", err)
	}
	t, err := Decode(data, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot read QVD file %s: %w", path, err)
	}
	return t, nil
}

// Read reads a whole QVD from r and decodes it.
func Read(r io.Reader, opts Options) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cannot read QVD: %w", err)
	}
	return Decode(data, opts)
}

// ReadHeader reads only the header of the QVD in r: it stops right after
// the header's terminator, so it costs the size of the header, not of the
// file. It is what QvdNoOfRecords, QvdFieldName and the like need.
func ReadHeader(r io.Reader) (*Header, error) {
	var buf []byte
	chunk := make([]byte, 64<<10)
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			from := len(buf)
			buf = append(buf, chunk[:n]...)
			if i := bytes.IndexByte(buf[from:], 0); i >= 0 {
				return ParseHeader(buf[:from+i+1])
			}
		}
		if errors.Is(err, io.EOF) {
			return ParseHeader(buf) // reports the missing terminator
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read QVD header: %w", err)
		}
	}
}

// ReadHeaderFile reads the header of the QVD file at path.
func ReadHeaderFile(path string) (*Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read QVD header: %w", err)
	}
	defer f.Close()
	h, err := ReadHeader(f)
	if err != nil {
		return nil, fmt.Errorf("cannot read QVD header of %s: %w", path, err)
	}
	return h, nil
}

// layout is a header checked against the file it came from.
type layout struct {
	h        *Header
	symStart int    // file offset of the symbol table
	index    []byte // the index table: n records of rbs bytes
	rbs      int
	n        int
}

// check validates every number of h that Decode will index or allocate
// with against the file's size.
func check(h *Header, data []byte, opts *Options) (*layout, error) {
	size := len(data)
	symStart := h.DataStart
	avail := size - symStart
	if h.Offset > avail {
		return nil, dataErr(symStart, "symbol table of %d bytes (header <Offset>) runs past the end of the file (%d bytes after the header)", h.Offset, avail)
	}
	idxStart := symStart + h.Offset
	avail = size - idxStart
	rbs, n := h.RecordByteSize, h.NoOfRecords
	if int64(rbs) > 1<<32 {
		return nil, dataErr(-1, "RecordByteSize %d is implausible", rbs)
	}
	if rbs == 0 {
		limit := opts.MaxUnbackedRecords
		if limit <= 0 {
			limit = DefaultMaxUnbackedRecords
		}
		if n > limit {
			return nil, dataErr(-1, "NoOfRecords %d with RecordByteSize 0 exceeds the limit of %d records without index bytes (Options.MaxUnbackedRecords)", n, limit)
		}
	} else if n > avail/rbs {
		return nil, dataErr(idxStart, "index table truncated: NoOfRecords %d × RecordByteSize %d needs more than the %d bytes left in the file", n, rbs, avail)
	}
	need := n * rbs // cannot overflow: n*rbs ≤ avail, or rbs == 0
	if h.Length < need {
		return nil, dataErr(idxStart, "index table <Length> %d is less than NoOfRecords × RecordByteSize = %d", h.Length, need)
	}
	for i := range h.Fields {
		f := &h.Fields[i]
		where := fmt.Sprintf("field %d (%q)", i+1, f.Name)
		if f.BitWidth > maxBitWidth {
			return nil, dataErr(-1, "%s: BitWidth %d exceeds %d", where, f.BitWidth, maxBitWidth)
		}
		if f.BitWidth > 0 && (f.BitOffset > 8*rbs || f.BitWidth > 8*rbs-f.BitOffset) {
			return nil, dataErr(-1, "%s: bits [%d, %d) lie outside the %d-bit record", where, f.BitOffset, f.BitOffset+f.BitWidth, 8*rbs)
		}
		if int64(f.Bias) > 1<<32 || int64(f.Bias) < -(1<<32) {
			return nil, dataErr(-1, "%s: Bias %d is out of range", where, f.Bias)
		}
		if f.Offset > h.Offset || f.Length > h.Offset-f.Offset {
			return nil, dataErr(symStart, "%s: symbols at [%d, +%d) lie outside the %d-byte symbol table", where, f.Offset, f.Length, h.Offset)
		}
		// Every symbol takes at least two bytes (type byte and NUL of an
		// empty text), which bounds the count by the bytes present.
		if f.NoOfSymbols > f.Length/2 || int64(f.NoOfSymbols) >= math.MaxUint32 {
			return nil, dataErr(symStart+f.Offset, "%s: NoOfSymbols %d cannot fit in %d bytes", where, f.NoOfSymbols, f.Length)
		}
	}
	return &layout{h: h, symStart: symStart, index: data[idxStart : idxStart+need], rbs: rbs, n: n}, nil
}

// Decode decodes a whole QVD file held in data. The returned table does
// not keep data.
func Decode(data []byte, opts Options) (*Table, error) {
	h, err := ParseHeader(data)
	if err != nil {
		return nil, err
	}
	lay, err := check(h, data, &opts)
	if err != nil {
		return nil, err
	}

	sel, err := selectFields(h, opts.Fields)
	if err != nil {
		return nil, err
	}
	t := &Table{Name: h.TableName, Comment: h.Comment, Lineage: h.Lineage, Records: lay.n, Header: h}
	t.Fields = make([]*Field, len(sel))
	for j, i := range sel {
		fh := &h.Fields[i]
		t.Fields[j] = &Field{Name: fh.Name, NumberFormat: fh.NumberFormat, Tags: fh.Tags, Comment: fh.Comment}
	}
	// Each field is two independent tasks, its symbols (task 2j) and its
	// codes (task 2j+1, which needs only the header's symbol count), so a
	// field with millions of symbols does not hold up the others.
	ntasks := 2 * len(sel)
	errs := make([]error, ntasks)
	workers := opts.Parallelism
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, ntasks)
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch []uint32
			for {
				mu.Lock()
				task := next
				next++
				mu.Unlock()
				if task >= ntasks {
					return
				}
				j := task / 2
				if task%2 == 1 && scratch == nil {
					scratch = make([]uint32, lay.n)
				}
				errs[task] = runTask(data, lay, sel[j], t.Fields[j], task%2 == 1, scratch, opts.Policy)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// selectFields returns the positions of the fields to decode, in file
// order.
func selectFields(h *Header, names []string) ([]int, error) {
	if names == nil {
		sel := make([]int, len(h.Fields))
		for i := range sel {
			sel[i] = i
		}
		return sel, nil
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		if h.FieldIndex(n) < 0 {
			all := make([]string, len(h.Fields))
			for i := range h.Fields {
				all[i] = strconv.Quote(h.Fields[i].Name)
			}
			return nil, fmt.Errorf("cannot decode QVD table %q: no field %q (fields: %s)", h.TableName, n, strings.Join(all, ", "))
		}
		want[n] = true
	}
	var sel []int
	for i := range h.Fields {
		if want[h.Fields[i].Name] {
			sel = append(sel, i)
			delete(want, h.Fields[i].Name) // first of duplicate names
		}
	}
	return sel, nil
}

// runTask decodes into f either the symbols or (codes true) the column of
// header field i. A panic becomes an error, so a bug met on some file fails that
// read instead of the process.
func runTask(data []byte, lay *layout, i int, f *Field, codes bool, scratch []uint32, p symbols.Policy) (err error) {
	fh := &lay.h.Fields[i]
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("BUG: decoding QVD field %q panicked: %v", fh.Name, r)
		}
	}()
	if codes {
		dst := scratch[:lay.n]
		decodeCodes(dst, lay.index, lay.rbs, fh.BitOffset, fh.BitWidth, int64(fh.Bias), fh.NoOfSymbols)
		f.Column = symbols.Pack(dst, uint32(fh.NoOfSymbols), p)
		return nil
	}
	start := lay.symStart + fh.Offset
	f.Symbols, err = decodeSymbols(data[start:start+fh.Length], start, fh)
	if err != nil {
		return fmt.Errorf("cannot decode QVD field %q: %w", fh.Name, err)
	}
	return nil
}

// Symbol type bytes (one before each symbol).
const (
	symInt       = 0x01 // int32
	symFloat     = 0x02 // float64
	symText      = 0x04 // NUL-terminated UTF-8
	symIntText   = 0x05 // int32 + text
	symFloatText = 0x06 // float64 + text
)

// decodeSymbols parses one field's symbols from region, which starts at
// file offset base. Texts are substrings of one copy of the region (made
// only if the field has texts), so a field costs one string allocation;
// bare numbers get their text from the field's numberTexter, and those
// rendered as plain integers are written into one shared string.
func decodeSymbols(region []byte, base int, fh *FieldHeader) ([]symbols.Dual, error) {
	syms := make([]symbols.Dual, 0, fh.NoOfSymbols)
	var all string // region as a string, made at the first text
	texter := newNumberTexter(fh.NumberFormat)

	// Plain integers (0x01, and integral 0x02 below 1e15, which
	// symbols.FormatNumber renders as the integer) get their digits in one
	// shared string, made once their total length is known; lens[k] is
	// the text length of such a symbol k, 0 for the others.
	var lens []uint8
	ndigits := 0

	for p := 0; p < len(region); {
		if len(syms) == fh.NoOfSymbols {
			return nil, dataErr(base+p, "%d bytes follow the %d symbols the header announces", len(region)-p, fh.NoOfSymbols)
		}
		typ := region[p]
		p++
		var num float64
		switch typ {
		case symInt, symIntText:
			if len(region)-p < 4 {
				return nil, dataErr(base+p-1, "symbol %d (type 0x%02x) truncated", len(syms)+1, typ)
			}
			num = float64(int32(binary.LittleEndian.Uint32(region[p:])))
			p += 4
		case symFloat, symFloatText:
			if len(region)-p < 8 {
				return nil, dataErr(base+p-1, "symbol %d (type 0x%02x) truncated", len(syms)+1, typ)
			}
			num = math.Float64frombits(binary.LittleEndian.Uint64(region[p:]))
			p += 8
		case symText:
			num = math.NaN()
		default:
			return nil, dataErr(base+p-1, "symbol %d has unknown type byte 0x%02x", len(syms)+1, typ)
		}
		if typ == symInt || typ == symFloat {
			if texter.plain && num == math.Trunc(num) && math.Abs(num) < 1e15 {
				if lens == nil {
					lens = make([]uint8, fh.NoOfSymbols)
				}
				l := intLen(int64(num))
				lens[len(syms)] = uint8(l)
				ndigits += l
				syms = append(syms, symbols.Dual{Num: num})
			} else {
				syms = append(syms, symbols.Dual{Num: num, Text: texter.text(num)})
			}
			continue
		}
		end := bytes.IndexByte(region[p:], 0)
		if end < 0 {
			return nil, dataErr(base+p, "text of symbol %d has no NUL terminator before the end of the field", len(syms)+1)
		}
		if all == "" {
			all = string(region)
		}
		syms = append(syms, symbols.Dual{Num: num, Text: all[p : p+end]})
		p += end + 1
	}
	if len(syms) != fh.NoOfSymbols {
		return nil, dataErr(base+len(region), "%d symbols found in %d bytes, header says %d", len(syms), len(region), fh.NoOfSymbols)
	}
	if lens != nil {
		setIntTexts(syms, lens, ndigits)
	}
	return syms, nil
}

// setIntTexts renders the integers of the symbols with a non-zero text
// length in lens into one string of ndigits bytes and gives each its slice
// of it.
func setIntTexts(syms []symbols.Dual, lens []uint8, ndigits int) {
	buf := make([]byte, ndigits)
	from := 0
	for k, l := range lens {
		if l != 0 {
			to := from + int(l)
			putInt(buf[from:to], int64(syms[k].Num))
			from = to
		}
	}
	text := string(buf)
	from = 0
	for k, l := range lens {
		if l != 0 {
			to := from + int(l)
			syms[k].Text = text[from:to]
			from = to
		}
	}
}

// pow10u holds 10^i for i in [0, 19].
var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// intLen is the length of strconv.FormatInt(v, 10), for |v| < 1e18.
func intLen(v int64) int {
	n := 0
	u := uint64(v)
	if v < 0 {
		n = 1
		u = uint64(-v)
	}
	// bits.Len64(u)*1233>>12 is floor(log10(2^bits)), off by at most one.
	d := bits.Len64(u) * 1233 >> 12
	if u >= pow10u[d] {
		d++
	}
	return n + max(d, 1)
}

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// putInt writes v in decimal into dst, which has exactly intLen(v) bytes.
func putInt(dst []byte, v int64) {
	u := uint64(v)
	if v < 0 {
		dst[0] = '-'
		u = uint64(-v)
	}
	i := len(dst)
	for u >= 1<<32 {
		q := u / 100
		r := (u - q*100) * 2
		i -= 2
		dst[i], dst[i+1] = digitPairs[r], digitPairs[r+1]
		u = q
	}
	// 32-bit arithmetic for the rest: cheaper division by 100.
	w := uint32(u)
	for w >= 100 {
		q := w / 100
		r := (w - q*100) * 2
		i -= 2
		dst[i], dst[i+1] = digitPairs[r], digitPairs[r+1]
		w = q
	}
	if w >= 10 {
		i -= 2
		dst[i], dst[i+1] = digitPairs[2*w], digitPairs[2*w+1]
	} else {
		i--
		dst[i] = byte('0' + w)
	}
}

// code maps a symbol index to a column code: NULL (0) for an index below 0
// (the Bias convention) or at or past the symbol count.
func code(idx int64, nsym int) uint32 {
	if uint64(idx) < uint64(nsym) {
		return uint32(idx) + 1
	}
	return 0
}

// decodeCodes extracts one field's codes from the index table: the field's
// bits of record i are (rec >> off) & (1<<width - 1) with rec the record
// read as a little-endian integer, and the symbol index is that plus bias.
//
// As width ≤ 32, the bits sit in the 8 bytes starting at byte off/8 of the
// record, so every record, however wide, is read with one unaligned 64-bit
// load, a shift by off%8 and a mask. Records whose 8-byte window would run
// past the index table are read byte by byte.
func decodeCodes(dst []uint32, index []byte, rbs, off, width int, bias int64, nsym int) {
	n := len(dst)
	if n == 0 {
		return
	}
	if width == 0 {
		c := code(bias, nsym)
		for i := range dst {
			dst[i] = c
		}
		return
	}
	byteOff := off >> 3
	sh := uint(off & 7)
	mask := uint64(1)<<uint(width) - 1

	fast := 0
	if len(index) >= byteOff+8 {
		fast = min((len(index)-byteOff-8)/rbs+1, n)
	}
	if fast > 0 {
		win := index[byteOff : byteOff+(fast-1)*rbs+8]
		switch {
		case bias == 0 && uint64(nsym) >= mask+1:
			// Every stored value is a symbol: code = raw + 1.
			decodeDense(dst[:fast], win, rbs, sh, mask)
		default:
			decodeBiased(dst[:fast], win, rbs, sh, mask, bias, nsym)
		}
	}
	for i := fast; i < n; i++ {
		rec := index[i*rbs : (i+1)*rbs]
		var w [8]byte
		if byteOff < len(rec) {
			copy(w[:], rec[byteOff:])
		}
		raw := binary.LittleEndian.Uint64(w[:]) >> sh & mask
		dst[i] = code(int64(raw)+bias, nsym)
	}
}

// decodeDense decodes rows whose stored values are all symbol indexes.
// win holds the rows' 8-byte windows, rbs bytes apart.
func decodeDense(dst []uint32, win []byte, rbs int, sh uint, mask uint64) {
	p := 0
	for i := range dst {
		dst[i] = uint32(binary.LittleEndian.Uint64(win[p:p+8])>>sh&mask) + 1
		p += rbs
	}
}

// decodeBiased decodes rows with a bias and NULLs.
func decodeBiased(dst []uint32, win []byte, rbs int, sh uint, mask uint64, bias int64, nsym int) {
	p := 0
	for i := range dst {
		idx := int64(binary.LittleEndian.Uint64(win[p:p+8])>>sh&mask) + bias
		var c uint32
		if uint64(idx) < uint64(nsym) {
			c = uint32(idx) + 1
		}
		dst[i] = c
		p += rbs
	}
}
