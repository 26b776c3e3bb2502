package qvd

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/assocengine/assoc/symbols"
)

// numberTexter renders the text of a bare-number symbol (types 0x01 and
// 0x02, which store no text) for one field. It is the single place where
// the reader decides that text, and the writer uses the same rule to decide
// whether a dual's text is the default one (and the dual can be stored
// without its text).
//
// The rule: when the field's NumberFormat is simple — a numeric pattern
// such as "#,##0.00", "0.0%" or "$ #,##0.00" with the format's Dec and Thou
// separators, or, for DATE, TIME and TIMESTAMP fields, a date pattern made
// of YYYY YY MM M DD D hh h mm m ss s f… and punctuation — the number is
// rendered with it; anything else (UNKNOWN or an empty Fmt, month or day
// names, AM/PM, sections, intervals) uses symbols.FormatNumber.
type numberTexter struct {
	num   *numPattern // set for a simple numeric pattern
	date  []dateToken // set for a simple date pattern
	plain bool        // neither: symbols.FormatNumber
}

// newNumberTexter compiles nf's rule once per field.
func newNumberTexter(nf NumberFormat) numberTexter {
	typ := strings.ToUpper(strings.TrimSpace(nf.Type))
	switch typ {
	case "DATE", "TIME", "TIMESTAMP":
		if toks, ok := parseDatePattern(nf.Fmt); ok {
			return numberTexter{date: toks}
		}
	case "", "UNKNOWN", "INTEGER", "REAL", "FIX", "MONEY":
		if np, ok := parseNumPattern(nf.Fmt, nf.Dec, nf.Thou); ok {
			return numberTexter{num: np}
		}
	}
	return numberTexter{plain: true}
}

// text renders f.
func (t *numberTexter) text(f float64) string {
	switch {
	case t.plain || math.IsNaN(f) || math.IsInf(f, 0):
		return symbols.FormatNumber(f)
	case t.num != nil:
		return t.num.format(f)
	}
	if s, ok := formatDate(t.date, f); ok {
		return s
	}
	return symbols.FormatNumber(f)
}

// isDefault reports whether s is the text that text(f) renders, without
// allocating for the common case of a plain integer.
func (t *numberTexter) isDefault(f float64, s string) bool {
	if t.plain && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		var buf [24]byte
		return string(strconv.AppendInt(buf[:0], int64(f), 10)) == s
	}
	return t.text(f) == s
}

// numPattern is a compiled numeric format code:
// prefix intPart [dec fracPart] suffix, where intPart is made of '0', '#'
// and the thousands separator, fracPart of '0' and '#'.
type numPattern struct {
	prefix, suffix string
	minInt         int    // '0' placeholders before the decimal separator
	decimals       int    // placeholders after it ('#' counts like '0')
	group          bool   // a thousands separator sits between integer placeholders
	dec, thou      string // separators to print
	percent        bool   // suffix or prefix holds '%': value × 100
}

// parseNumPattern compiles fmt. It reports false for an empty code, one
// with a ';' section, digits or letters inside the placeholders, or
// separators it cannot tell apart.
func parseNumPattern(fmtCode, dec, thou string) (*numPattern, bool) {
	if dec == "" {
		dec = "."
	}
	if thou == "" {
		thou = ","
	}
	if fmtCode == "" || dec == thou || strings.ContainsAny(fmtCode, ";\"'\\[") {
		return nil, false
	}
	first := strings.IndexAny(fmtCode, "0#")
	if first < 0 {
		return nil, false
	}
	last := strings.LastIndexAny(fmtCode, "0#")
	np := &numPattern{prefix: fmtCode[:first], suffix: fmtCode[last+1:], dec: dec, thou: thou}
	core := fmtCode[first : last+1]
	// A separator right after the last placeholder ("#,##0." or "0,") is
	// part of the core, not of the suffix.
	if strings.HasPrefix(np.suffix, dec) {
		core += dec
		np.suffix = np.suffix[len(dec):]
	}
	if strings.ContainsAny(np.prefix+np.suffix, "0123456789") {
		return nil, false
	}
	np.percent = strings.Contains(np.prefix+np.suffix, "%")
	intPart, fracPart, hasDec := strings.Cut(core, dec)
	if hasDec && strings.Contains(fracPart, dec) {
		return nil, false
	}
	for rest := intPart; rest != ""; {
		switch {
		case rest[0] == '0':
			np.minInt++
			rest = rest[1:]
		case rest[0] == '#':
			rest = rest[1:]
		case strings.HasPrefix(rest, thou):
			np.group = true
			rest = rest[len(thou):]
		default:
			return nil, false
		}
	}
	for i := 0; i < len(fracPart); i++ {
		if fracPart[i] != '0' && fracPart[i] != '#' {
			return nil, false
		}
		np.decimals++
	}
	return np, true
}

// format renders f with the pattern: rounded half away from zero (on the
// shortest decimal form of f) to the pattern's decimals, integer digits
// padded to minInt and grouped by three when the pattern groups; a minus
// sign goes before the prefix.
func (np *numPattern) format(f float64) string {
	if np.percent {
		f *= 100
	}
	neg := f < 0
	intDigits, frac := roundDecimal(math.Abs(f), np.decimals)
	if intDigits == "0" && np.minInt == 0 && np.decimals > 0 {
		intDigits = ""
	}
	for len(intDigits) < np.minInt {
		intDigits = "0" + intDigits
	}
	if neg && strings.Trim(intDigits+frac, "0") == "" {
		neg = false // no "-0.00"
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(np.prefix)
	if np.group && len(intDigits) > 3 {
		head := len(intDigits) % 3
		if head > 0 {
			b.WriteString(intDigits[:head])
		}
		for i := head; i < len(intDigits); i += 3 {
			if i > 0 {
				b.WriteString(np.thou)
			}
			b.WriteString(intDigits[i : i+3])
		}
	} else {
		b.WriteString(intDigits)
	}
	if np.decimals > 0 {
		b.WriteString(np.dec)
		b.WriteString(frac)
	}
	b.WriteString(np.suffix)
	return b.String()
}

// roundDecimal rounds a ≥ 0 to dec decimals, half away from zero, working
// on the shortest decimal representation of a (so 2.675 gives 2.68, as a
// reader of the number expects). It returns the integer digits and exactly
// dec fraction digits.
func roundDecimal(a float64, dec int) (intDigits, frac string) {
	s := strconv.FormatFloat(a, 'f', -1, 64)
	ip, fp, _ := strings.Cut(s, ".")
	if len(fp) <= dec {
		return ip, fp + strings.Repeat("0", dec-len(fp))
	}
	up := fp[dec] >= '5'
	digits := []byte(ip + fp[:dec])
	if up {
		i := len(digits) - 1
		for ; i >= 0; i-- {
			if digits[i] == '9' {
				digits[i] = '0'
				continue
			}
			digits[i]++
			break
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		}
	}
	n := len(digits) - dec
	intDigits = strings.TrimLeft(string(digits[:n]), "0")
	if intDigits == "" {
		intDigits = "0"
	}
	return intDigits, string(digits[n:])
}

// dateToken is one piece of a compiled date pattern: a field code or a
// literal.
type dateToken struct {
	code string // "YYYY", "YY", "MM", "M", "DD", "D", "hh", "h", "mm", "m", "ss", "s", "f…", or "" for a literal
	lit  string
}

// parseDatePattern compiles a date/time pattern made only of the numeric
// codes and punctuation. Names (MMM, WWW), AM/PM (TT), brackets and quotes
// make it not simple.
func parseDatePattern(p string) ([]dateToken, bool) {
	if p == "" {
		return nil, false
	}
	var toks []dateToken
	for i := 0; i < len(p); {
		c := p[i]
		n := 1
		for i+n < len(p) && p[i+n] == c {
			n++
		}
		code := ""
		switch c {
		case 'Y':
			switch n {
			case 2:
				code = "YY"
			case 4:
				code = "YYYY"
			default:
				return nil, false
			}
		case 'M', 'D', 'h', 'm', 's':
			if n > 2 {
				return nil, false
			}
			code = p[i : i+n]
		case 'f':
			if n > 9 {
				return nil, false
			}
			code = p[i : i+n]
		default:
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80 || strings.IndexByte("[]'\"\\#;", c) >= 0 {
				return nil, false
			}
			toks = append(toks, dateToken{lit: p[i : i+1]})
			i++
			continue
		}
		toks = append(toks, dateToken{code: code})
		i += n
	}
	return toks, true
}

// Serial day numbers count days since 1899-12-30 (Qlik's and Excel's
// epoch); the range covers years 1 to 9999.
const (
	minSerial = -693593.0
	maxSerial = 2958466.0
)

// formatDate renders serial day number f with the compiled pattern. The
// time of day is rounded to the shown fraction of a second (milliseconds
// when the pattern shows none) before the fields are printed.
func formatDate(toks []dateToken, f float64) (string, bool) {
	if !(f >= minSerial && f < maxSerial) {
		return "", false
	}
	digits := 0
	for _, t := range toks {
		if t.code != "" && t.code[0] == 'f' {
			digits = max(digits, len(t.code))
		}
	}
	unitsPerDay := 86400.0 * 1000
	unit := time.Millisecond
	if digits > 3 {
		unitsPerDay = 86400.0 * math.Pow10(digits)
		unit = time.Duration(math.Pow10(9 - digits))
	}
	day := math.Floor(f)
	units := math.Round((f - day) * unitsPerDay)
	if units >= unitsPerDay {
		day++
		units = 0
	}
	t := time.Date(1899, 12, 30+int(day), 0, 0, 0, 0, time.UTC).Add(time.Duration(units) * unit)
	var b strings.Builder
	for _, tok := range toks {
		switch tok.code {
		case "":
			b.WriteString(tok.lit)
		case "YYYY":
			pad(&b, t.Year(), 4)
		case "YY":
			pad(&b, t.Year()%100, 2)
		case "MM":
			pad(&b, int(t.Month()), 2)
		case "M":
			pad(&b, int(t.Month()), 1)
		case "DD":
			pad(&b, t.Day(), 2)
		case "D":
			pad(&b, t.Day(), 1)
		case "hh":
			pad(&b, t.Hour(), 2)
		case "h":
			pad(&b, t.Hour(), 1)
		case "mm":
			pad(&b, t.Minute(), 2)
		case "m":
			pad(&b, t.Minute(), 1)
		case "ss":
			pad(&b, t.Second(), 2)
		case "s":
			pad(&b, t.Second(), 1)
		default: // fraction
			ns := t.Nanosecond()
			s := strconv.Itoa(1e9 + ns)[1:]
			b.WriteString(s[:len(tok.code)])
		}
	}
	return b.String(), true
}

func pad(b *strings.Builder, v, width int) {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b.WriteByte('0')
	}
	b.WriteString(s)
}
