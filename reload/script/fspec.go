package script

import (
	"strconv"
	"strings"
)

// FormatSpec is the parenthesised format specification after a file name,
// inline data or a STORE target: "(txt, utf8, embedded labels, delimiter is
// ',', msq)". Items are kept in source order; the accessors resolve them.
type FormatSpec struct {
	Pos   int // byte offset of the opening parenthesis
	Items []FormatItem
}

// FormatKind is the kind of a format specification item.
type FormatKind uint8

// Format item kinds. The comment says what FormatItem.Value holds.
const (
	FmtOther     FormatKind = iota // any other item, verbatim (filters(...), XmlSimple options, $(v) ...)
	FmtFileType                    // txt, fix, dif, biff, ooxml, html, xml, xmlsimple, xmlsax, kml, qvd, qvx, parquet, json, csv (lower case)
	FmtCharset                     // utf8, unicode, ansi, oem, mac (lower case; UTF-8 is utf8)
	FmtCodepage                    // codepage is n: the number (or $(...))
	FmtLabels                      // embedded, explicit or no (the word before "labels", lower case)
	FmtDelimiter                   // delimiter is d: d unquoted (',' '\t' tab spaces |)
	FmtQuotes                      // msq or "no quotes": "msq" or "none"
	FmtNoEOF                       // no eof: empty
	FmtHeader                      // header is n [lines]: n
	FmtRecord                      // record is n [lines]: n
	FmtComment                     // comment is s: s unquoted
	FmtTable                       // table is t: t unquoted
	FmtURL                         // URL is s: s unquoted
	FmtUserAgent                   // userAgent is s: s unquoted
)

var fmtKindNames = [...]string{"other", "file type", "charset", "codepage", "labels", "delimiter",
	"quotes", "no eof", "header", "record", "comment", "table", "url", "user agent"}

// String names the kind.
func (k FormatKind) String() string {
	if int(k) < len(fmtKindNames) {
		return fmtKindNames[k]
	}
	return "FormatKind(" + strconv.Itoa(int(k)) + ")"
}

// FormatItem is one item of a format specification.
type FormatItem struct {
	Kind  FormatKind
	Value string // see FormatKind
	Quote byte   // how Value was quoted in the source (0 when unquoted)
	Lines bool   // "lines" (or "line") follows the number of a header or record item
	Pos   int    // byte offset of the item
}

var fileTypes = map[string]bool{
	"txt": true, "fix": true, "dif": true, "biff": true, "ooxml": true, "html": true, "xml": true,
	"xmlsimple": true, "xmlsax": true, "kml": true, "qvd": true, "qvx": true, "parquet": true,
	"json": true, "csv": true,
}

var charsets = map[string]string{
	"utf8": "utf8", "utf-8": "utf8", "unicode": "unicode", "ansi": "ansi", "oem": "oem", "mac": "mac",
}

// item returns the last item of kind k (a later item overrides an earlier one).
func (f *FormatSpec) item(k FormatKind) (FormatItem, bool) {
	if f == nil {
		return FormatItem{}, false
	}
	for i := len(f.Items) - 1; i >= 0; i-- {
		if f.Items[i].Kind == k {
			return f.Items[i], true
		}
	}
	return FormatItem{}, false
}

// FileType returns the file type item in lower case ("txt", "qvd",
// "ooxml" ...), or "" when none is written.
func (f *FormatSpec) FileType() string {
	it, _ := f.item(FmtFileType)
	return it.Value
}

// Charset returns the character set item ("utf8", "unicode", "ansi", "oem",
// "mac"), or "" when none is written (see also Codepage).
func (f *FormatSpec) Charset() string {
	it, _ := f.item(FmtCharset)
	return it.Value
}

// Codepage returns n of "codepage is n".
func (f *FormatSpec) Codepage() (n int, ok bool) {
	it, ok := f.item(FmtCodepage)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(it.Value)
	return n, err == nil
}

// LabelKind is how a file's field names are given.
type LabelKind uint8

// Label kinds.
const (
	LabelsDefault  LabelKind = iota // nothing written (embedded labels)
	LabelsEmbedded                  // embedded labels: the first record holds the names
	LabelsExplicit                  // explicit labels
	LabelsNone                      // no labels: fields are named @1, @2, ...
)

// Labels returns the labels item.
func (f *FormatSpec) Labels() LabelKind {
	it, ok := f.item(FmtLabels)
	if !ok {
		return LabelsDefault
	}
	switch it.Value {
	case "embedded":
		return LabelsEmbedded
	case "explicit":
		return LabelsExplicit
	}
	return LabelsNone
}

// Delimiter returns the field delimiter of a "delimiter is" item, resolved:
// '\t' and tab give a tab character; spaces gives " " with spaces set,
// meaning that any run of blanks separates fields. ok is false when no
// delimiter is written.
func (f *FormatSpec) Delimiter() (delim string, spaces, ok bool) {
	it, ok := f.item(FmtDelimiter)
	if !ok {
		return "", false, false
	}
	v := it.Value
	switch strings.ToLower(v) {
	case `\t`, "tab", "\t":
		return "\t", false, true
	case "spaces":
		if it.Quote == 0 {
			return " ", true, true
		}
	}
	return v, false, true
}

// Quoting is the quoting mode of a delimited text file.
type Quoting uint8

// Quoting modes.
const (
	QuotingStandard Quoting = iota // nothing written
	QuotingMSQ                     // msq: modern style quoting
	QuotingNone                    // no quotes
)

// Quoting returns the quoting mode.
func (f *FormatSpec) Quoting() Quoting {
	it, ok := f.item(FmtQuotes)
	switch {
	case !ok:
		return QuotingStandard
	case it.Value == "msq":
		return QuotingMSQ
	}
	return QuotingNone
}

// NoEOF reports whether "no eof" is written.
func (f *FormatSpec) NoEOF() bool {
	_, ok := f.item(FmtNoEOF)
	return ok
}

// Header returns n of "header is n [lines]" and whether "lines" is
// written. ok is false when there is no header item or n is not a number.
func (f *FormatSpec) Header() (n int, lines, ok bool) { return f.count(FmtHeader) }

// Record returns n of "record is n [lines]".
func (f *FormatSpec) Record() (n int, lines, ok bool) { return f.count(FmtRecord) }

func (f *FormatSpec) count(k FormatKind) (int, bool, bool) {
	it, ok := f.item(k)
	if !ok {
		return 0, false, false
	}
	n, err := strconv.Atoi(it.Value)
	return n, it.Lines, err == nil
}

// Comment returns s of "comment is s".
func (f *FormatSpec) Comment() (string, bool) { it, ok := f.item(FmtComment); return it.Value, ok }

// Table returns t of "table is t".
func (f *FormatSpec) Table() (string, bool) { it, ok := f.item(FmtTable); return it.Value, ok }

// URL returns s of "URL is s".
func (f *FormatSpec) URL() (string, bool) { it, ok := f.item(FmtURL); return it.Value, ok }

// UserAgent returns s of "userAgent is s".
func (f *FormatSpec) UserAgent() (string, bool) { it, ok := f.item(FmtUserAgent); return it.Value, ok }

// Others returns the items kept verbatim, in source order.
func (f *FormatSpec) Others() []string {
	if f == nil {
		return nil
	}
	var out []string
	for _, it := range f.Items {
		if it.Kind == FmtOther {
			out = append(out, it.Value)
		}
	}
	return out
}
