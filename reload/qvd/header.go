package qvd

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// NumberFormat is a field's <NumberFormat> element: how Qlik displays the
// field's numbers. Type is one of UNKNOWN, DATE, TIME, TIMESTAMP, INTERVAL,
// INTEGER, MONEY, REAL, FIX or ASCII; the other members are kept as read.
type NumberFormat struct {
	Type    string
	NDec    int
	UseThou int
	Fmt     string
	Dec     string
	Thou    string
}

// FieldHeader is one <QvdFieldHeader>: where a field's symbols and row
// indexes are stored.
type FieldHeader struct {
	Name         string
	BitOffset    int // first bit of the field in a record
	BitWidth     int // bits of the field in a record (0: every row has index Bias)
	Bias         int // added to the stored bits to get the symbol index
	NumberFormat NumberFormat
	NoOfSymbols  int
	Offset       int // byte offset of the field's symbols in the symbol table
	Length       int // byte length of the field's symbols
	Comment      string
	Tags         []string
}

// Header is the XML header of a QVD file. Numbers are checked against the
// file only by Decode; a Header from ReadHeader is as the file states it.
type Header struct {
	QvBuildNo           string
	CreatorDoc          string
	CreateUtcTime       string // as written, e.g. "2020-12-15 15:39:12"; see CreateTime
	SourceCreateUtcTime string
	SourceFileUtcTime   string
	SourceFileSize      string
	StaleUtcTime        string
	TableName           string
	Fields              []FieldHeader
	Compression         string
	RecordByteSize      int
	NoOfRecords         int
	Offset              int // byte length of the symbol table (where the index table starts)
	Length              int // byte length of the index table
	Comment             string
	// Lineage is the raw XML between <Lineage> and </Lineage>, kept
	// verbatim (it is written back as is).
	Lineage string

	// DataStart is the byte offset in the file where the symbol table
	// starts: just after the header's "\r\n\0" terminator.
	DataStart int
}

// CreateTime parses CreateUtcTime ("YYYY-MM-DD hh:mm:ss", also with a "T"
// separator or fractional seconds) as a UTC time.
func (h *Header) CreateTime() (time.Time, error) {
	s := strings.TrimSpace(h.CreateUtcTime)
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse QVD CreateUtcTime %q: want YYYY-MM-DD hh:mm:ss", h.CreateUtcTime)
}

// FieldIndex returns the position of the field called name, or -1.
func (h *Header) FieldIndex(name string) int {
	for i := range h.Fields {
		if h.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// FormatError reports bytes that do not follow the QVD format: a broken
// header, an offset or length outside the file, an unknown symbol type.
type FormatError struct {
	Offset int64 // byte offset in the file where the problem is, -1 if none
	Line   int   // header line (1-based) for header errors, 0 otherwise
	Col    int   // header column (1-based, in bytes), 0 otherwise
	Msg    string
}

// Error renders the problem with its position.
func (e *FormatError) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("invalid QVD header at line %d:%d: %s", e.Line, e.Col, e.Msg)
	case e.Offset >= 0:
		return fmt.Sprintf("invalid QVD data at byte %d: %s", e.Offset, e.Msg)
	}
	return "invalid QVD: " + e.Msg
}

// ErrFormat matches every *FormatError with errors.Is.
var ErrFormat = errors.New("invalid QVD")

// Is makes errors.Is(err, ErrFormat) true for format errors.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

func dataErr(off int, format string, args ...any) error {
	return &FormatError{Offset: int64(off), Msg: fmt.Sprintf(format, args...)}
}

// headerEnd returns the length of the XML header in data (without its
// terminator) and where the symbol table starts. The header ends at the
// first NUL byte, which must follow a line end ("\r\n\0", also "\n\0");
// XML text cannot hold a NUL, so the first one is the terminator.
func headerEnd(data []byte) (xmlLen, dataStart int, err error) {
	nul := bytes.IndexByte(data, 0)
	if nul < 0 {
		return 0, 0, &FormatError{Offset: int64(len(data)), Msg: "header terminator \"\\r\\n\\0\" not found (file truncated or not a QVD)"}
	}
	if nul == 0 || data[nul-1] != '\n' {
		return 0, 0, &FormatError{Offset: int64(nul), Msg: "NUL byte inside the XML header (want the header to end with \"\\r\\n\\0\")"}
	}
	end := nul - 1
	if end > 0 && data[end-1] == '\r' {
		end--
	}
	return end, nul + 1, nil
}

// ParseHeader parses the header at the start of data, the whole file or a
// prefix of it that reaches the header's terminator.
func ParseHeader(data []byte) (*Header, error) {
	xmlLen, start, err := headerEnd(data)
	if err != nil {
		return nil, err
	}
	h, err := parseHeaderXML(data[:xmlLen])
	if err != nil {
		return nil, err
	}
	h.DataStart = start
	return h, nil
}

// headerParser walks the header's XML tokens by recursive descent.
type headerParser struct {
	src []byte
	d   *xml.Decoder
}

func parseHeaderXML(src []byte) (*Header, error) {
	// A UTF-8 byte order mark is not XML; skip it.
	body := bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	p := &headerParser{src: body, d: xml.NewDecoder(bytes.NewReader(body))}
	p.d.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return r, nil
		}
		return nil, fmt.Errorf("unsupported header encoding %q (QVD headers are UTF-8)", charset)
	}
	h, err := p.document()
	if err != nil {
		return nil, p.wrap(err)
	}
	return h, nil
}

// wrap turns a decoder or parser error into a FormatError at the
// decoder's current line and column.
func (p *headerParser) wrap(err error) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		return err
	}
	line, col := p.d.InputPos()
	var se *xml.SyntaxError
	msg := err.Error()
	if errors.As(err, &se) {
		line, msg = se.Line, se.Msg
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || msg == "unexpected EOF" {
		msg = "unexpected end of header (an element is not closed)"
	}
	return &FormatError{Offset: -1, Line: line, Col: col, Msg: msg}
}

func (p *headerParser) errorf(format string, args ...any) error {
	line, col := p.d.InputPos()
	return &FormatError{Offset: -1, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next start or end element, skipping character data,
// comments, processing instructions and directives between elements.
func (p *headerParser) next() (xml.Token, error) {
	for {
		tok, err := p.d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement, xml.EndElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, p.errorf("unexpected text %q between elements", truncate(string(t), 40))
			}
		}
	}
}

// document := prolog '<QvdTableHeader>' tableElement* '</QvdTableHeader>'
func (p *headerParser) document() (*Header, error) {
	tok, err := p.next()
	if err != nil {
		return nil, err
	}
	se, ok := tok.(xml.StartElement)
	if !ok || se.Name.Local != "QvdTableHeader" {
		return nil, p.errorf("root element is not <QvdTableHeader>")
	}
	h := &Header{}
	seen := map[string]bool{}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		if _, ok := tok.(xml.EndElement); ok {
			break
		}
		if err := p.tableElement(h, tok.(xml.StartElement), seen); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"NoOfRecords", "RecordByteSize", "Offset"} {
		if !seen[name] {
			return nil, p.errorf("<QvdTableHeader> has no <%s>", name)
		}
	}
	if !seen["Length"] && (h.RecordByteSize == 0 || h.NoOfRecords <= math.MaxInt/h.RecordByteSize) {
		h.Length = h.NoOfRecords * h.RecordByteSize
	}
	return h, nil
}

// tableElement := QvBuildNo | CreatorDoc | CreateUtcTime | SourceCreateUtcTime
//
//	| SourceFileUtcTime | SourceFileSize | StaleUtcTime | TableName | Fields
//	| Compression | RecordByteSize | NoOfRecords | Offset | Length | Comment
//	| Lineage | any other element (skipped)
func (p *headerParser) tableElement(h *Header, se xml.StartElement, seen map[string]bool) error {
	name := se.Name.Local
	seen[name] = true
	var err error
	switch name {
	case "QvBuildNo":
		h.QvBuildNo, err = p.text(name)
	case "CreatorDoc":
		h.CreatorDoc, err = p.text(name)
	case "CreateUtcTime":
		h.CreateUtcTime, err = p.text(name)
	case "SourceCreateUtcTime":
		h.SourceCreateUtcTime, err = p.text(name)
	case "SourceFileUtcTime":
		h.SourceFileUtcTime, err = p.text(name)
	case "SourceFileSize":
		h.SourceFileSize, err = p.text(name)
	case "StaleUtcTime":
		h.StaleUtcTime, err = p.text(name)
	case "TableName":
		h.TableName, err = p.text(name)
	case "Compression":
		h.Compression, err = p.text(name)
		if err == nil && strings.TrimSpace(h.Compression) != "" {
			return p.errorf("unsupported <Compression> %q (only uncompressed QVDs can be read)", h.Compression)
		}
	case "Comment":
		h.Comment, err = p.text(name)
	case "RecordByteSize":
		h.RecordByteSize, err = p.count(name)
	case "NoOfRecords":
		h.NoOfRecords, err = p.count(name)
	case "Offset":
		h.Offset, err = p.count(name)
	case "Length":
		h.Length, err = p.count(name)
	case "Fields":
		err = p.fields(h)
	case "Lineage":
		h.Lineage, err = p.raw()
	default:
		err = p.d.Skip()
	}
	return err
}

// fields := '<Fields>' ( '<QvdFieldHeader>' fieldElement* '</QvdFieldHeader>' | other )* '</Fields>'
func (p *headerParser) fields(h *Header) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if t.Name.Local != "QvdFieldHeader" {
				if err := p.d.Skip(); err != nil {
					return err
				}
				continue
			}
			f, err := p.field(len(h.Fields))
			if err != nil {
				return err
			}
			h.Fields = append(h.Fields, f)
		}
	}
}

// fieldElement := FieldName | BitOffset | BitWidth | Bias | NumberFormat
//
//	| NoOfSymbols | Offset | Length | Comment | Tags | any other element (skipped)
func (p *headerParser) field(i int) (FieldHeader, error) {
	var f FieldHeader
	seen := map[string]bool{}
	for {
		tok, err := p.next()
		if err != nil {
			return f, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			break
		}
		name := se.Name.Local
		seen[name] = true
		switch name {
		case "FieldName":
			f.Name, err = p.text(name)
		case "BitOffset":
			f.BitOffset, err = p.count(name)
		case "BitWidth":
			f.BitWidth, err = p.count(name)
		case "Bias":
			f.Bias, err = p.integer(name)
		case "NumberFormat":
			f.NumberFormat, err = p.numberFormat()
		case "NoOfSymbols":
			f.NoOfSymbols, err = p.count(name)
		case "Offset":
			f.Offset, err = p.count(name)
		case "Length":
			f.Length, err = p.count(name)
		case "Comment":
			f.Comment, err = p.text(name)
		case "Tags":
			f.Tags, err = p.tags()
		default:
			err = p.d.Skip()
		}
		if err != nil {
			return f, err
		}
	}
	for _, name := range []string{"FieldName", "BitOffset", "BitWidth", "NoOfSymbols", "Offset", "Length"} {
		if !seen[name] {
			return f, p.errorf("field %d (%q) has no <%s>", i+1, f.Name, name)
		}
	}
	return f, nil
}

// numberFormat := '<NumberFormat>' ( Type | nDec | UseThou | Fmt | Dec | Thou | other )* '</NumberFormat>'
func (p *headerParser) numberFormat() (NumberFormat, error) {
	var nf NumberFormat
	for {
		tok, err := p.next()
		if err != nil {
			return nf, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			return nf, nil
		}
		name := se.Name.Local
		switch name {
		case "Type":
			nf.Type, err = p.text(name)
			nf.Type = strings.TrimSpace(nf.Type)
		case "nDec":
			nf.NDec, err = p.integer(name)
		case "UseThou":
			nf.UseThou, err = p.integer(name)
		case "Fmt":
			nf.Fmt, err = p.text(name)
		case "Dec":
			nf.Dec, err = p.text(name)
		case "Thou":
			nf.Thou, err = p.text(name)
		default:
			err = p.d.Skip()
		}
		if err != nil {
			return nf, err
		}
	}
}

// tags := '<Tags>' ( '<String>' text '</String>' | other )* '</Tags>'
func (p *headerParser) tags() ([]string, error) {
	tags := []string{}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			return tags, nil
		}
		if se.Name.Local != "String" {
			if err := p.d.Skip(); err != nil {
				return nil, err
			}
			continue
		}
		s, err := p.text("String")
		if err != nil {
			return nil, err
		}
		tags = append(tags, s)
	}
}

// text := chardata* '</name>' (a leaf element's text; nested elements are an error)
func (p *headerParser) text(name string) (string, error) {
	var b []byte
	for {
		tok, err := p.d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b = append(b, t...)
		case xml.StartElement:
			return "", p.errorf("unexpected element <%s> inside <%s>", t.Name.Local, name)
		case xml.EndElement:
			return string(b), nil
		}
	}
}

// integer parses a leaf element holding a decimal integer.
func (p *headerParser) integer(name string) (int, error) {
	s, err := p.text(name)
	if err != nil {
		return 0, err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v != int64(int(v)) {
		return 0, p.errorf("<%s> %q is not an integer", name, truncate(s, 40))
	}
	return int(v), nil
}

// count parses a leaf element holding a non-negative decimal integer.
func (p *headerParser) count(name string) (int, error) {
	v, err := p.integer(name)
	if err == nil && v < 0 {
		return 0, p.errorf("<%s> is negative (%d)", name, v)
	}
	return v, err
}

// raw returns the verbatim XML inside the element just opened.
func (p *headerParser) raw() (string, error) {
	start := int(p.d.InputOffset())
	if err := p.d.Skip(); err != nil {
		return "", err
	}
	end := int(p.d.InputOffset())
	if end > len(p.src) || start > end {
		return "", p.errorf("BUG: decoder offsets out of range")
	}
	inner := p.src[start:end]
	if i := bytes.LastIndex(inner, []byte("</")); i >= 0 {
		inner = inner[:i]
	}
	return string(inner), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
