package qvd

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assocengine/assoc/symbols"
)

// WriteOptions tune Write. The zero value works.
type WriteOptions struct {
	// CreateTime is written as CreateUtcTime; zero means now.
	CreateTime time.Time
	// CreatorDoc is written as <CreatorDoc> (Qlik writes the app's id).
	CreatorDoc string
	// QvBuildNo is written as <QvBuildNo>; empty means DefaultQvBuildNo.
	QvBuildNo string
}

// DefaultQvBuildNo is the <QvBuildNo> written when WriteOptions has none.
const DefaultQvBuildNo = "50689"

// writeChunk is the number of rows encoded at a time.
const writeChunk = 4096

// fieldPlan is how one field is stored.
type fieldPlan struct {
	f        *Field
	rawOf    []uint32 // stored bits for each code (code 0 = NULL)
	nsym     int
	bias     int
	width    int
	offset   int // BitOffset
	symOff   int // byte offset of the symbols in the symbol table
	symBytes []byte
	tags     []string
}

// WriteFile writes t as a QVD file at path. The file is written to a
// temporary name in the same directory and renamed into place, so readers
// never see half a file.
func WriteFile(path string, t *Table, opts WriteOptions) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write QVD file: %w", err)
	}
	tmp := f.Name()
	err = Write(f, t, opts)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("cannot write QVD file %s: %w", path, cerr)
	}
	if err == nil {
		if rerr := os.Rename(tmp, path); rerr != nil {
			err = fmt.Errorf("cannot write QVD file %s: %w", path, rerr)
		}
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Write stores t in QVD format on w, as §6.5 of the spec describes:
// per field only the symbols some row uses, in the order of t's Symbols,
// each with the narrowest type (0x01/0x02 when its text is the field's
// default rendering of the number, 0x05/0x06 otherwise, 0x04 for pure
// text); NULLs as stored value 0 with Bias -2 (values then stored as
// index+2); the fewest bits per field (0 for a field with one value and
// no NULL) assigned in field order; and a header with "\r\n" line ends
// closed by "\r\n\0".
func Write(w io.Writer, t *Table, opts WriteOptions) error {
	if t.Records < 0 {
		return fmt.Errorf("cannot write QVD table %q: negative record count %d", t.Name, t.Records)
	}
	plans := make([]*fieldPlan, len(t.Fields))
	bitPos := 0
	symLen := 0
	for i, f := range t.Fields {
		if f == nil {
			return fmt.Errorf("cannot write QVD table %q: field %d is nil", t.Name, i+1)
		}
		p, err := planField(f, t.Records)
		if err != nil {
			return fmt.Errorf("cannot write QVD table %q: field %q: %w", t.Name, f.Name, err)
		}
		p.offset = bitPos
		p.symOff = symLen
		bitPos += p.width
		symLen += len(p.symBytes)
		plans[i] = p
	}
	rbs := (bitPos + 7) / 8

	hdr, err := appendHeader(nil, t, plans, rbs, symLen, &opts)
	if err != nil {
		return fmt.Errorf("cannot write QVD table %q: %w", t.Name, err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.Write(hdr)
	bw.WriteString("\r\n\x00")
	for _, p := range plans {
		bw.Write(p.symBytes)
	}
	if err := writeIndex(bw, plans, t.Records, rbs); err != nil {
		return fmt.Errorf("cannot write QVD table %q: %w", t.Name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("cannot write QVD table %q: %w", t.Name, err)
	}
	return nil
}

// planField scans a field's codes once: which symbols are used, whether a
// NULL occurs; then encodes the used symbols and sizes the bit field.
func planField(f *Field, n int) (*fieldPlan, error) {
	if n > 0 && f.Column == nil {
		return nil, fmt.Errorf("no column for %d records", n)
	}
	if f.Column != nil && f.Column.Len() != n {
		return nil, fmt.Errorf("column has %d rows, table has %d", f.Column.Len(), n)
	}
	used := make([]bool, len(f.Symbols)+1)
	buf := make([]uint32, writeChunk)
	for from := 0; from < n; from += writeChunk {
		codes := buf[:min(writeChunk, n-from)]
		f.Column.Decode(codes, from)
		for j, c := range codes {
			if int(c) >= len(used) {
				return nil, fmt.Errorf("row %d has code %d but the field has %d symbols", from+j, c, len(f.Symbols))
			}
			used[c] = true
		}
	}
	p := &fieldPlan{f: f, rawOf: make([]uint32, len(used))}
	hasNull := used[0]
	shift := uint32(0)
	if hasNull {
		p.bias, shift = -2, 2
	}
	texter := newNumberTexter(f.NumberFormat)
	var st symbolStats
	for c := 1; c < len(used); c++ {
		if !used[c] {
			continue
		}
		d := f.Symbols[c-1]
		var err error
		p.symBytes, err = appendSymbol(p.symBytes, d, &texter)
		if err != nil {
			return nil, fmt.Errorf("symbol %d: %w", c-1, err)
		}
		st.add(d)
		p.rawOf[c] = uint32(p.nsym) + shift
		p.nsym++
	}
	maxRaw := 0
	switch {
	case hasNull && p.nsym > 0:
		maxRaw = p.nsym + 1
	case !hasNull && p.nsym > 0:
		maxRaw = p.nsym - 1
	}
	p.width = bits.Len(uint(maxRaw))
	if p.width > maxBitWidth {
		return nil, fmt.Errorf("%d symbols need more than %d bits", p.nsym, maxBitWidth)
	}
	p.tags = f.Tags
	if p.tags == nil {
		p.tags = st.tags(f.NumberFormat)
	}
	return p, nil
}

// appendSymbol encodes d with the narrowest symbol type: a number whose
// text is the field's default rendering is stored without text (0x01 for
// an int32, 0x02 otherwise); a number with another text as 0x05 or 0x06;
// a text as 0x04.
func appendSymbol(dst []byte, d symbols.Dual, texter *numberTexter) ([]byte, error) {
	if !d.IsNum() {
		if strings.IndexByte(d.Text, 0) >= 0 {
			return nil, fmt.Errorf("text %q contains a NUL byte, which QVD cannot store", truncate(d.Text, 40))
		}
		dst = append(dst, symText)
		dst = append(dst, d.Text...)
		return append(dst, 0), nil
	}
	isInt := d.Num == math.Trunc(d.Num) && d.Num >= math.MinInt32 && d.Num <= math.MaxInt32 &&
		!(d.Num == 0 && math.Signbit(d.Num)) // -0 keeps its sign as a float64
	if texter.isDefault(d.Num, d.Text) {
		if isInt {
			dst = append(dst, symInt)
			return binary.LittleEndian.AppendUint32(dst, uint32(int32(d.Num))), nil
		}
		dst = append(dst, symFloat)
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(d.Num)), nil
	}
	if strings.IndexByte(d.Text, 0) >= 0 {
		return nil, fmt.Errorf("text %q contains a NUL byte, which QVD cannot store", truncate(d.Text, 40))
	}
	if isInt {
		dst = append(dst, symIntText)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(int32(d.Num)))
	} else {
		dst = append(dst, symFloatText)
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(d.Num))
	}
	dst = append(dst, d.Text...)
	return append(dst, 0), nil
}

// symbolStats gathers what the field tags are computed from.
type symbolStats struct {
	n, numeric, integer int
	nonASCII            bool
}

func (s *symbolStats) add(d symbols.Dual) {
	s.n++
	if d.IsNum() {
		s.numeric++
		if d.Num == math.Trunc(d.Num) {
			s.integer++
		}
	}
	for i := 0; i < len(d.Text); i++ {
		if d.Text[i] >= utf8.RuneSelf {
			s.nonASCII = true
			break
		}
	}
}

// tags returns the field tags Qlik sets for these symbols, in Qlik's
// order: "$numeric" (all numeric), "$integer" (all integers), then
// "$timestamp" and "$date" for DATE formats ("$timestamp" for TIMESTAMP);
// or "$ascii" (all ASCII) and "$text" when no symbol is numeric. A field
// with no symbols, or with both kinds, has none.
func (s *symbolStats) tags(nf NumberFormat) []string {
	tags := []string{}
	switch {
	case s.n == 0:
	case s.numeric == s.n:
		tags = append(tags, "$numeric")
		if s.integer == s.n {
			tags = append(tags, "$integer")
		}
		switch strings.ToUpper(nf.Type) {
		case "DATE":
			tags = append(tags, "$timestamp", "$date")
		case "TIMESTAMP":
			tags = append(tags, "$timestamp")
		}
	case s.numeric == 0:
		if !s.nonASCII {
			tags = append(tags, "$ascii")
		}
		tags = append(tags, "$text")
	}
	return tags
}

// writeIndex writes the bit-stuffed records, writeChunk rows at a time.
// Each field's stored value v goes to bit offset off of the record, that
// is v << (off%8) OR-ed into the 8 bytes at byte off/8 of the record (v
// has at most 32 bits, so it fits); the chunk buffer has 8 bytes of slack
// for the last record.
func writeIndex(w *bufio.Writer, plans []*fieldPlan, n, rbs int) error {
	if rbs == 0 || n == 0 {
		return nil
	}
	rows := writeChunk
	buf := make([]byte, rows*rbs+8)
	codes := make([]uint32, rows)
	for from := 0; from < n; from += rows {
		m := min(rows, n-from)
		recs := buf[:m*rbs+8]
		clear(recs)
		for _, p := range plans {
			if p.width == 0 {
				continue
			}
			cs := codes[:m]
			p.f.Column.Decode(cs, from)
			byteOff := p.offset >> 3
			sh := uint(p.offset & 7)
			rawOf := p.rawOf
			q := byteOff
			for _, c := range cs {
				v := uint64(rawOf[c]) << sh
				binary.LittleEndian.PutUint64(recs[q:q+8], binary.LittleEndian.Uint64(recs[q:q+8])|v)
				q += rbs
			}
		}
		if _, err := w.Write(recs[:m*rbs]); err != nil {
			return err
		}
	}
	return nil
}

// appendHeader appends the XML header, laid out as Qlik lays it out
// (element order, one-space base indent, two spaces per level, "\r\n" line
// ends), without the terminator.
func appendHeader(b []byte, t *Table, plans []*fieldPlan, rbs, symLen int, opts *WriteOptions) ([]byte, error) {
	x := &xmlWriter{b: b}
	created := opts.CreateTime
	if created.IsZero() {
		created = time.Now()
	}
	build := opts.QvBuildNo
	if build == "" {
		build = DefaultQvBuildNo
	}
	x.line(0, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`)
	x.line(1, "<QvdTableHeader>")
	x.elem(2, "QvBuildNo", build)
	x.elem(2, "CreatorDoc", opts.CreatorDoc)
	x.elem(2, "CreateUtcTime", created.UTC().Format("2006-01-02 15:04:05"))
	x.elem(2, "SourceCreateUtcTime", "")
	x.elem(2, "SourceFileUtcTime", "")
	x.elem(2, "SourceFileSize", "-1")
	x.elem(2, "StaleUtcTime", "")
	x.elem(2, "TableName", t.Name)
	x.line(2, "<Fields>")
	for _, p := range plans {
		f := p.f
		x.line(3, "<QvdFieldHeader>")
		x.elem(4, "FieldName", f.Name)
		x.elem(4, "BitOffset", strconv.Itoa(p.offset))
		x.elem(4, "BitWidth", strconv.Itoa(p.width))
		x.elem(4, "Bias", strconv.Itoa(p.bias))
		nf := f.NumberFormat
		if nf.Type == "" {
			nf.Type = "UNKNOWN"
		}
		x.line(4, "<NumberFormat>")
		x.elem(5, "Type", nf.Type)
		x.elem(5, "nDec", strconv.Itoa(nf.NDec))
		x.elem(5, "UseThou", strconv.Itoa(nf.UseThou))
		x.elem(5, "Fmt", nf.Fmt)
		x.elem(5, "Dec", nf.Dec)
		x.elem(5, "Thou", nf.Thou)
		x.line(4, "</NumberFormat>")
		x.elem(4, "NoOfSymbols", strconv.Itoa(p.nsym))
		x.elem(4, "Offset", strconv.Itoa(p.symOff))
		x.elem(4, "Length", strconv.Itoa(len(p.symBytes)))
		x.elem(4, "Comment", f.Comment)
		if len(p.tags) == 0 {
			x.line(4, "<Tags></Tags>")
		} else {
			x.line(4, "<Tags>")
			for _, tag := range p.tags {
				x.elem(5, "String", tag)
			}
			x.line(4, "</Tags>")
		}
		x.line(3, "</QvdFieldHeader>")
	}
	x.line(2, "</Fields>")
	x.elem(2, "Compression", "")
	x.elem(2, "RecordByteSize", strconv.Itoa(rbs))
	x.elem(2, "NoOfRecords", strconv.Itoa(t.Records))
	x.elem(2, "Offset", strconv.Itoa(symLen))
	x.elem(2, "Length", strconv.Itoa(t.Records*rbs))
	if t.Lineage != "" {
		if err := checkLineage(t.Lineage); err != nil {
			return nil, err
		}
		x.indent(2)
		x.b = append(x.b, "<Lineage>"...)
		x.b = append(x.b, t.Lineage...)
		x.b = append(x.b, "</Lineage>\r\n"...)
	} else {
		x.elem(2, "Lineage", "")
	}
	x.elem(2, "Comment", t.Comment)
	x.elem(2, "EncryptionInfo", "")
	x.b = append(x.b, " </QvdTableHeader>"...)
	return x.b, x.err
}

// checkLineage makes sure raw lineage XML cannot break the header: it must
// be valid UTF-8 XML content without a NUL and must not close <Lineage>.
func checkLineage(s string) error {
	if err := checkXMLText(s); err != nil {
		return fmt.Errorf("lineage: %w", err)
	}
	if _, err := parseHeaderXML([]byte("<QvdTableHeader><Lineage>" + s + "</Lineage><NoOfRecords>0</NoOfRecords><RecordByteSize>0</RecordByteSize><Offset>0</Offset></QvdTableHeader>")); err != nil {
		return fmt.Errorf("lineage is not well-formed XML: %w", err)
	}
	return nil
}

// xmlWriter builds the header text.
type xmlWriter struct {
	b   []byte
	err error
}

// indent writes the indentation of a level: Qlik indents the root by one
// space and each level below by two more.
func (x *xmlWriter) indent(level int) {
	if level == 0 {
		return
	}
	for i := 0; i < 2*level-1; i++ {
		x.b = append(x.b, ' ')
	}
}

func (x *xmlWriter) line(level int, s string) {
	x.indent(level)
	x.b = append(x.b, s...)
	x.b = append(x.b, '\r', '\n')
}

// elem writes <name>escaped text</name> on its own line.
func (x *xmlWriter) elem(level int, name, text string) {
	x.indent(level)
	x.b = append(x.b, '<')
	x.b = append(x.b, name...)
	x.b = append(x.b, '>')
	if err := checkXMLText(text); err != nil {
		if x.err == nil {
			x.err = fmt.Errorf("<%s> %q: %w", name, truncate(text, 40), err)
		}
	}
	x.b = appendEscaped(x.b, text)
	x.b = append(x.b, '<', '/')
	x.b = append(x.b, name...)
	x.b = append(x.b, '>', '\r', '\n')
}

// checkXMLText reports text XML 1.0 cannot carry: invalid UTF-8, control
// characters other than tab, line feed and carriage return, U+FFFE/U+FFFF.
func checkXMLText(s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Errorf("invalid UTF-8 at byte %d", i)
			}
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r == 0xFFFE || r == 0xFFFF:
			return fmt.Errorf("character %U at byte %d is not allowed in XML", r, i)
		}
	}
	return nil
}

// appendEscaped escapes &, < and > and writes a carriage return as a
// character reference (a raw one would be folded into the line end).
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '\r':
			b = append(b, "&#xD;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
