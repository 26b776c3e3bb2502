package delimited

import (
	"errors"
	"fmt"
	"strings"
)

// ErrFormat is wrapped by every error that reports an invalid Format or
// Options value; check it with errors.Is.
var ErrFormat = errors.New("invalid delimited-text format")

// Quoting selects how quote characters are interpreted (the `msq` and
// `no quotes` specifiers of a Qlik file format specification).
type Quoting uint8

const (
	// QuoteMSQ is "modern style quoting", the `msq` specifier the Qlik data
	// load editor writes for every delimited file. A field whose first
	// non-blank character is a double quote is quoted: it ends at the next
	// double quote that is followed (after optional blanks) by a delimiter,
	// a line break or the end of the file. Inside, a doubled quote stands for
	// one quote, delimiters are data and line breaks are data, so a record
	// may span several lines. A quote anywhere else is an ordinary character.
	// It is the zero value.
	QuoteMSQ Quoting = iota
	// QuoteStandard is the quoting Qlik documents for a format specification
	// without `msq` or `no quotes`: a field is quoted by `"` or `'` "only if
	// they are the first and last non blank characters of a field value".
	// Delimiters inside such a field are data; the text between the quotes is
	// kept verbatim (doubled quotes are not collapsed); a record never spans
	// lines, so a quote that is not closed on its line is an ordinary
	// character.
	QuoteStandard
	// QuoteNone (`no quotes`) gives quotes no meaning at all.
	QuoteNone
)

// String returns the format-specification keyword of q.
func (q Quoting) String() string {
	switch q {
	case QuoteMSQ:
		return "msq"
	case QuoteStandard:
		return "standard quotes"
	case QuoteNone:
		return "no quotes"
	}
	return fmt.Sprintf("Quoting(%d)", uint8(q))
}

// Labels tells where field names come from (the `embedded labels`,
// `explicit labels` and `no labels` specifiers).
type Labels uint8

const (
	// LabelsEmbedded takes the field names from the first record after the
	// header lines and comment lines. It is the zero value and Qlik's default.
	LabelsEmbedded Labels = iota
	// LabelsExplicit is accepted for compatibility. Qlik defines explicit
	// labels only for DIF files; for delimited text it behaves exactly like
	// LabelsEmbedded.
	LabelsExplicit
	// LabelsNone reads every record as data and names the fields @1, @2, ...
	// The number of fields is that of the first record.
	LabelsNone
)

// String returns the format-specification keyword of l.
func (l Labels) String() string {
	switch l {
	case LabelsEmbedded:
		return "embedded labels"
	case LabelsExplicit:
		return "explicit labels"
	case LabelsNone:
		return "no labels"
	}
	return fmt.Sprintf("Labels(%d)", uint8(l))
}

// Codepage identifies the character set of the input by its Windows code
// page number. The zero value means UTF-8. A byte order mark at the start of
// the input (UTF-8, UTF-16 LE or UTF-16 BE) always wins over the declared
// code page. Every other code page is converted to UTF-8 before splitting.
// Supported besides UTF-8 and UTF-16 (1200, 1201): the single-byte code pages
// 437, 850, 852, 866, 874, 1250-1258, 10000 (Mac Roman) and ISO 8859-1, -2,
// -5, -7, -9 and -15 (28591, 28592, 28595, 28597, 28599, 28605).
type Codepage int

// Code pages with a name in the format specification.
const (
	// CodepageUTF8 is `utf8` (65001). The zero Codepage means the same.
	CodepageUTF8 Codepage = 65001
	// CodepageUTF16LE is `unicode` (1200): UTF-16 little endian.
	CodepageUTF16LE Codepage = 1200
	// CodepageUTF16BE is UTF-16 big endian (1201).
	CodepageUTF16BE Codepage = 1201
	// CodepageANSI is `ansi`: Windows-1252, Western European.
	CodepageANSI Codepage = 1252
	// CodepageOEM is `oem`: code page 437, the OEM code page of US-English
	// Windows. (Qlik uses the OEM code page of the machine; 850 is the other
	// common one and can be named with `codepage is 850`.)
	CodepageOEM Codepage = 437
	// CodepageMac is `mac`: Mac OS Roman (10000).
	CodepageMac Codepage = 10000
	// CodepageLatin1 is ISO 8859-1 (28591).
	CodepageLatin1 Codepage = 28591
)

// Supported reports whether cp can be decoded.
func (cp Codepage) Supported() bool {
	switch cp {
	case 0, CodepageUTF8, CodepageUTF16LE, CodepageUTF16BE:
		return true
	}
	_, ok := singleByteTables[cp]
	return ok
}

// Format describes the syntax of a delimited text file: everything a Qlik
// `(txt, ...)` format specification says about splitting bytes into records
// and fields. The zero value is UTF-8, comma-delimited, MSQ quoting,
// embedded labels, no header, no comments, values kept verbatim.
type Format struct {
	// Delimiter separates fields. Empty means ",". It may be any non-empty
	// string without line breaks, for example "\t", ";", "|" or "||"; it is
	// matched in the UTF-8 text, so it may be a non-ASCII character whatever
	// the code page of the file. See DelimiterSpec for the script forms.
	Delimiter string
	// Spaces selects `delimiter is spaces`: any run of spaces and control
	// characters below 32 other than CR and LF separates fields, and runs at
	// the start and end of a line are ignored. Delimiter must then be empty.
	Spaces bool
	// Quoting selects how quotes are read; the zero value is QuoteMSQ.
	Quoting Quoting
	// Labels tells where field names come from.
	Labels Labels
	// HeaderLines is the number of physical lines skipped before anything
	// else (`header is n lines`).
	HeaderLines int
	// HeaderBytes is the number of raw bytes skipped after any byte order
	// mark and before HeaderLines (`header is n`).
	HeaderBytes int64
	// Comment, when not empty, is a prefix: a line starting with it, where a
	// record would start, is skipped (`comment is '#'`).
	Comment string
	// Codepage is the character set of the input (see Codepage).
	Codepage Codepage
	// Trim removes blanks (spaces and tabs) at both ends of unquoted values
	// and labels, and makes lines holding only blanks empty (so skipped).
	// INLINE tables need it; files keep their blanks unless a flag says so.
	Trim bool
	// NoEOF (`no eof`) makes the character 26 (Ctrl-Z) ordinary data.
	// Otherwise it marks the end of the file, as in DOS text files.
	NoEOF bool
}

// DelimiterSpec turns the argument of a `delimiter is` specifier, without
// its quotes, into Format.Delimiter and Format.Spaces: `\t` and `tab` mean a
// tab, `\\` a backslash, `spaces` the Spaces mode; anything else is used
// literally.
func DelimiterSpec(arg string) (delim string, spaces bool, err error) {
	switch strings.ToLower(arg) {
	case `\t`, "tab":
		return "\t", false, nil
	case `\\`:
		return `\`, false, nil
	case "spaces":
		return "", true, nil
	case "":
		return "", false, fmt.Errorf("%w: empty delimiter", ErrFormat)
	}
	return arg, false, nil
}

// validate checks f and returns the effective delimiter.
func (f *Format) validate() (string, error) {
	d := f.Delimiter
	if f.Spaces {
		if d != "" {
			return "", fmt.Errorf("%w: delimiter %q and spaces are both set", ErrFormat, d)
		}
	} else if d == "" {
		d = ","
	}
	if strings.ContainsAny(d, "\r\n") {
		return "", fmt.Errorf("%w: delimiter %q contains a line break", ErrFormat, d)
	}
	switch f.Quoting {
	case QuoteMSQ:
		if strings.Contains(d, `"`) {
			return "", fmt.Errorf("%w: delimiter %q contains the quote character of msq quoting", ErrFormat, d)
		}
	case QuoteStandard:
		if strings.ContainsAny(d, `"'`) {
			return "", fmt.Errorf("%w: delimiter %q contains a quote character of standard quoting", ErrFormat, d)
		}
	case QuoteNone:
	default:
		return "", fmt.Errorf("%w: unknown quoting %d", ErrFormat, f.Quoting)
	}
	if f.Labels > LabelsNone {
		return "", fmt.Errorf("%w: unknown labels mode %d", ErrFormat, f.Labels)
	}
	if f.HeaderLines < 0 || f.HeaderBytes < 0 {
		return "", fmt.Errorf("%w: negative header size (%d lines, %d bytes)", ErrFormat, f.HeaderLines, f.HeaderBytes)
	}
	if strings.ContainsAny(f.Comment, "\r\n") {
		return "", fmt.Errorf("%w: comment prefix %q contains a line break", ErrFormat, f.Comment)
	}
	if !f.Codepage.Supported() {
		return "", fmt.Errorf("%w: code page %d is not supported", ErrFormat, int(f.Codepage))
	}
	return d, nil
}
