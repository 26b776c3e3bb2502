package numfmt

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assocengine/assoc/symbols"
)

// NumberFormat is a number format code with the separators it is written
// with: the arguments of Num(x, code, dec, thou) and Money(x, code, dec,
// thou). The separator characters in Code mark positions; the output uses
// Dec and Thou.
//
// Code grammar (a code never fails: anything unrecognised is a literal):
//
//	code      = radix | section [ ";" section ]  positive ; negative
//	section   = { literal } number { literal }
//	number    = intpart [ Dec fracpart ] [ exponent ]
//	intpart   = { "0" | "#" | Thou | literal }    "0" mandatory, "#" optional digit
//	fracpart  = { "0" | "#" | literal }          every placeholder is one decimal
//	exponent  = ( "E" | "e" ) ( "+" | "-" ) { "0" | "#" }
//	radix     = "(" ( "bin" | "oct" | "hex" | "dec" | "rom" | "r" digits ) ")" { "0" }
//
// A radix code formats the value rounded to an integer in base 2, 8, 16 or
// 2-36, or as a roman numeral; upper-case letters in the name give upper-case
// digits, and the "0"s after it set a minimum number of digits. "(dec)" is
// followed by an ordinary code.
//
// A "%" anywhere in a section multiplies by 100. Thousands separators group
// the integer digits by the number of placeholders after the last separator
// (and between the last two, for a second grouping size), so "#,##0" groups
// by 3 and "0000-0000" (Thou "-") by 4. When Dec equals Thou every separator
// is a thousands separator (documented: Num(35648.312, '0,00', ',') is
// "3,56,48"). Every placeholder after the decimal separator is a decimal,
// "#" included (documented: '#,##0.##' shows 35648 as "35,648.00").
// Rounding is half away from zero on the shortest decimal representation of
// the value, so 2.675 with "0.00" is "2.68".
//
// Rules the documentation leaves open [Proposed]: without a negative
// section a negative value gets a "-" before the whole rendering (prefix
// included), dropped when the value rounds to zero; an integer part of only
// "#" shows a lone zero as "0" unless there are decimals (".50"); literals
// between integer placeholders keep their place when there is no thousands
// separator ("(###) ###-####"); a code without placeholders shows the
// automatic rendering followed by the code's text.
type NumberFormat struct {
	// Code is the format code; "" means the automatic rendering (up to 14
	// significant digits) with Dec as the decimal separator.
	Code string
	// Dec is the decimal separator.
	Dec string
	// Thou is the thousands separator.
	Thou string
}

// NumCode returns the format for Num(x, code) in this locale: the code with
// the locale's DecimalSep and ThousandSep.
func (l *Locale) NumCode(code string) NumberFormat {
	return NumberFormat{Code: code, Dec: l.DecimalSep, Thou: l.ThousandSep}
}

// MoneyCode returns the format for Money(x, code) in this locale: the code
// (MoneyFormat when empty) with MoneyDecimalSep and MoneyThousandSep.
func (l *Locale) MoneyCode(code string) NumberFormat {
	if code == "" {
		code = l.MoneyFormat
	}
	return NumberFormat{Code: code, Dec: l.MoneyDecimalSep, Thou: l.MoneyThousandSep}
}

// Num formats x as the chart function Num(x, code) does, with the locale's
// separators; an empty code gives the automatic rendering.
func Num(x float64, code string, loc *Locale) string { return loc.NumCode(code).Format(x) }

// Money formats x as the chart function Money(x, code) does; an empty code
// uses the locale's MoneyFormat.
func Money(x float64, code string, loc *Locale) string { return loc.MoneyCode(code).Format(x) }

// Format renders x. NaN and infinities render as symbols.FormatNumber does.
func (f NumberFormat) Format(x float64) string {
	var buf [64]byte
	return string(f.Append(buf[:0], x))
}

// Append appends the rendering of x to dst.
func (f NumberFormat) Append(dst []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(dst, symbols.FormatNumber(x)...)
	}
	if f.Code == "" {
		return appendAuto(dst, x, f.Dec)
	}
	return compileNumber(f).append(dst, x)
}

// Parse reads text as Num#(text, code, dec, thou) does: the literals of the
// matching section are stripped, thousands separators (and blanks) may group
// the integer digits by three, the number of decimals in the code does not
// matter, and "%" divides by 100. It reports false when text is not a
// number in this format; the caller keeps text as the dual's text.
func (f NumberFormat) Parse(text string) (float64, bool) {
	v, ok, _ := f.parse(text)
	return v, ok
}

// parse is Parse that also reports whether a non-blank literal of the code
// (a currency symbol, say) was present in text.
func (f NumberFormat) parse(text string) (float64, bool, bool) {
	if f.Code == "" {
		v, ok := parseDecimal(text, f.Dec, f.Thou, true)
		return v, ok, false
	}
	c := compileNumber(f)
	if c.radix != 0 {
		v, ok := c.parseRadix(text)
		return v, ok, false
	}
	for i := 0; i < c.nsec; i++ {
		if v, ok, lit := c.sec[i].parse(text, f.Dec, f.Thou); ok {
			if i == 1 {
				v = -v
			}
			return v, true, lit
		}
	}
	return math.NaN(), false, false
}

// appendAuto appends the automatic rendering of x with dec as decimal
// separator.
func appendAuto(dst []byte, x float64, dec string) []byte {
	s := symbols.FormatNumber(x)
	if dec == "." || dec == "" {
		return append(dst, s...)
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			dst = append(dst, dec...)
		} else {
			dst = append(dst, s[i])
		}
	}
	return dst
}

// numCode is a compiled NumberFormat.
type numCode struct {
	sec    [2]numSection
	nsec   int
	radix  int  // 0 = decimal; 2..36 = integer radix; radixRoman
	upper  bool // radix digits / roman numerals in upper case
	minDig int  // radix: minimum number of digits
}

const radixRoman = -1

// numElem is one placeholder ("0" or "#") or literal of a number section.
type numElem struct {
	digit byte // '0', '#', or 0 for a literal
	lit   string
}

// numSection is one compiled section of a number format code.
type numSection struct {
	prefix, suffix string
	intElems       []numElem // positional integer part (no grouping)
	minInt, nInt   int       // mandatory / all integer placeholders
	group1, group2 int       // grouping sizes; group1 == 0: no grouping
	hasDec         bool
	frac           []numElem
	nFrac          int
	percent        bool
	exp            bool
	expPlus        bool // always write the exponent sign
	expChar        byte
	expMin         int
	noDigits       bool
	dec, thou      string
}

type numKey struct{ code, dec, thou string }

var numCache codeCache[numKey, *numCode]

func compileNumber(f NumberFormat) *numCode {
	return numCache.get(numKey{f.Code, f.Dec, f.Thou}, func(k numKey) *numCode {
		return parseNumberCode(k.code, k.dec, k.thou)
	})
}

// parseNumberCode compiles a code.
//
//	code = radix | section [ ";" section ]
func parseNumberCode(code, dec, thou string) *numCode {
	c := &numCode{}
	if r, upper, rest, ok := radixPrefix(code); ok {
		if r == 10 {
			code = rest
			if code == "" {
				code = "0"
			}
		} else {
			c.radix, c.upper = r, upper
			c.minDig = strings.Count(rest, "0")
			return c
		}
	}
	pos, neg, hasNeg := splitSections(code, dec, thou)
	c.sec[0] = parseNumberSection(pos, dec, thou)
	c.nsec = 1
	if hasNeg {
		c.sec[1] = parseNumberSection(neg, dec, thou)
		c.nsec = 2
	}
	return c
}

// splitSections splits a code at the first ';' that is not part of a
// separator.
func splitSections(code, dec, thou string) (pos, neg string, hasNeg bool) {
	for i := 0; i < len(code); i++ {
		if code[i] != ';' {
			continue
		}
		if strings.HasPrefix(code[i:], dec) && dec != "" || strings.HasPrefix(code[i:], thou) && thou != "" {
			continue
		}
		return code[:i], code[i+1:], true
	}
	return code, "", false
}

// radixPrefix recognises the special formats "(bin)", "(oct)", "(hex)",
// "(dec)", "(rom)" and "(rNN)" (NN = 2..36) at the start of a code; the
// case of the letters selects the case of the output digits.
func radixPrefix(code string) (radix int, upper bool, rest string, ok bool) {
	if len(code) < 4 || code[0] != '(' {
		return 0, false, "", false
	}
	end := strings.IndexByte(code, ')')
	if end < 2 {
		return 0, false, "", false
	}
	name := code[1:end]
	upper = name[0] >= 'A' && name[0] <= 'Z'
	rest = code[end+1:]
	switch strings.ToLower(name) {
	case "bin":
		return 2, upper, rest, true
	case "oct":
		return 8, upper, rest, true
	case "hex":
		return 16, upper, rest, true
	case "dec":
		return 10, upper, rest, true
	case "rom":
		return radixRoman, upper, rest, true
	}
	if (name[0] == 'r' || name[0] == 'R') && len(name) <= 3 {
		if n, err := strconv.Atoi(name[1:]); err == nil && n >= 2 && n <= 36 {
			return n, upper, rest, true
		}
	}
	return 0, false, "", false
}

// Number code tokens.
type ntKind uint8

const (
	ntLit ntKind = iota
	ntZero
	ntHash
	ntDec
	ntThou
	ntPercent
	ntExp
)

type ntok struct {
	kind ntKind
	text string // source text (literal, separator, "E+")
}

// lexNumberSection splits a section into tokens. The decimal separator is
// recognised before the thousands separator, except when both are equal:
// then every occurrence is a thousands separator.
func lexNumberSection(s, dec, thou string) []ntok {
	var toks []ntok
	litStart := -1 // start of the literal being scanned
	flush := func(i int) {
		if litStart >= 0 {
			toks = append(toks, ntok{ntLit, s[litStart:i]})
			litStart = -1
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		var t ntok
		switch {
		case dec != "" && dec != thou && strings.HasPrefix(s[i:], dec):
			t = ntok{ntDec, dec}
		case thou != "" && strings.HasPrefix(s[i:], thou):
			t = ntok{ntThou, thou}
		case c == '0':
			t = ntok{ntZero, "0"}
		case c == '#':
			t = ntok{ntHash, "#"}
		case c == '%':
			t = ntok{ntPercent, "%"}
		case (c == 'E' || c == 'e') && i+2 < len(s) && (s[i+1] == '+' || s[i+1] == '-') && (s[i+2] == '0' || s[i+2] == '#'):
			t = ntok{ntExp, s[i : i+2]}
		default:
			if litStart < 0 {
				litStart = i
			}
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		flush(i)
		toks = append(toks, t)
		i += len(t.text)
	}
	flush(len(s))
	return toks
}

// parseNumberSection compiles one section.
//
//	section = { literal } number { literal }
func parseNumberSection(s, dec, thou string) numSection {
	sec := numSection{dec: dec, thou: thou, expChar: 'E'}
	toks := lexNumberSection(s, dec, thou)
	first, last := -1, -1
	for i, t := range toks {
		if t.kind == ntZero || t.kind == ntHash {
			if first < 0 {
				first = i
			}
			last = i
		}
		if t.kind == ntPercent {
			sec.percent = true
		}
	}
	if first < 0 {
		sec.noDigits = true
		sec.suffix = renderToks(toks)
		return sec
	}
	if first > 0 && toks[first-1].kind == ntDec {
		first--
	}
	if last+1 < len(toks) && toks[last+1].kind == ntDec && !hasKind(toks[first:last+1], ntDec) {
		last++
	}
	sec.prefix = renderToks(toks[:first])
	sec.suffix = renderToks(toks[last+1:])
	sec.parseNumber(toks[first : last+1])
	return sec
}

// parseNumber compiles the digit region of a section.
//
//	number = intpart [ dec fracpart ] [ exponent ]
func (sec *numSection) parseNumber(toks []ntok) {
	const (
		inInt = iota
		inFrac
		inExp
	)
	state := inInt
	var seps []int // integer placeholders seen at each thousands separator
	var intLits []string
	for _, t := range toks {
		switch state {
		case inInt:
			switch t.kind {
			case ntZero, ntHash:
				sec.intElems = append(sec.intElems, numElem{digit: t.text[0]})
				sec.nInt++
				if t.kind == ntZero {
					sec.minInt++
				}
			case ntThou:
				seps = append(seps, sec.nInt)
			case ntDec:
				sec.hasDec = true
				state = inFrac
			case ntExp:
				sec.startExp(t.text)
				state = inExp
			default:
				sec.intElems = append(sec.intElems, numElem{lit: t.text})
				intLits = append(intLits, t.text)
			}
		case inFrac:
			switch t.kind {
			case ntZero, ntHash:
				sec.frac = append(sec.frac, numElem{digit: t.text[0]})
				sec.nFrac++
			case ntExp:
				sec.startExp(t.text)
				state = inExp
			default:
				sec.frac = append(sec.frac, numElem{lit: t.text})
			}
		case inExp:
			if t.kind == ntZero {
				sec.expMin++
			}
		}
	}
	if len(seps) > 0 && !sec.exp {
		lastSep := seps[len(seps)-1]
		sec.group1 = sec.nInt - lastSep
		if len(seps) >= 2 {
			sec.group2 = lastSep - seps[len(seps)-2]
		}
		if sec.group2 <= 0 {
			sec.group2 = sec.group1
		}
		if sec.group1 > 0 {
			// Grouping mode: literals inside the digits move before them.
			sec.prefix += strings.Join(intLits, "")
			sec.intElems = nil
		}
	}
}

func (sec *numSection) startExp(text string) {
	sec.exp = true
	sec.expChar = text[0]
	sec.expPlus = text[1] == '+'
}

func hasKind(toks []ntok, k ntKind) bool {
	for _, t := range toks {
		if t.kind == k {
			return true
		}
	}
	return false
}

func renderToks(toks []ntok) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	return b.String()
}

// append renders x (finite) with the code.
func (c *numCode) append(dst []byte, x float64) []byte {
	if c.radix != 0 {
		return c.appendRadix(dst, x)
	}
	if x < 0 {
		if c.nsec == 2 {
			dst, _ = c.sec[1].appendNum(dst, -x)
			return dst
		}
		mark := len(dst)
		dst = append(dst, '-')
		var nonzero bool
		dst, nonzero = c.sec[0].appendNum(dst, -x)
		if !nonzero {
			dst = append(dst[:mark], dst[mark+1:]...)
		}
		return dst
	}
	dst, _ = c.sec[0].appendNum(dst, x)
	return dst
}

// appendNum renders v >= 0 and reports whether any non-zero digit was
// written.
func (sec *numSection) appendNum(dst []byte, v float64) ([]byte, bool) {
	if sec.percent {
		v *= 100
	}
	if sec.noDigits || math.IsInf(v, 0) {
		dst = appendAuto(dst, v, sec.dec)
		return append(dst, sec.suffix...), v != 0
	}
	dst = append(dst, sec.prefix...)
	var nonzero bool
	if sec.exp {
		dst, nonzero = sec.appendSci(dst, v)
	} else {
		var buf [48]byte
		digits, intLen := roundedDigits(buf[:0], v, sec.nFrac)
		nonzero = anyNonZero(digits)
		intDigits := trimLeadingZeros(digits[:intLen])
		if sec.group1 > 0 {
			dst = sec.appendGrouped(dst, intDigits)
		} else {
			dst = sec.appendPositional(dst, intDigits)
		}
		if sec.hasDec {
			dst = append(dst, sec.dec...)
		}
		dst = appendFrac(dst, sec.frac, digits[intLen:])
	}
	return append(dst, sec.suffix...), nonzero
}

// appendGrouped writes the integer digits padded to minInt digits with a
// thousands separator at every group boundary.
func (sec *numSection) appendGrouped(dst, intDigits []byte) []byte {
	need := max(len(intDigits), sec.minInt)
	if need == 0 && sec.nFrac == 0 {
		need = 1 // a lone "#" still shows zero
	}
	pad := need - len(intDigits)
	for i := 0; i < need; i++ {
		if i < pad {
			dst = append(dst, '0')
		} else {
			dst = append(dst, intDigits[i-pad])
		}
		r := need - 1 - i // digits still to come
		if r > 0 && (r == sec.group1 || r > sec.group1 && (r-sec.group1)%sec.group2 == 0) {
			dst = append(dst, sec.thou...)
		}
	}
	return dst
}

// appendPositional fills the integer placeholders from the right; digits
// that do not fit go before the leftmost placeholder, and literals between
// placeholders stay where they are.
func (sec *numSection) appendPositional(dst, intDigits []byte) []byte {
	if sec.nInt == 0 {
		return append(dst, intDigits...)
	}
	if len(intDigits) == 0 && sec.minInt == 0 && sec.nFrac == 0 {
		intDigits = []byte{'0'}
	}
	p := 0 // placeholder index from the left
	for _, e := range sec.intElems {
		if e.digit == 0 {
			dst = append(dst, e.lit...)
			continue
		}
		r := sec.nInt - 1 - p // placeholders to the right of this one
		if p == 0 && len(intDigits) > sec.nInt {
			dst = append(dst, intDigits[:len(intDigits)-sec.nInt]...)
		}
		switch {
		case r < len(intDigits):
			dst = append(dst, intDigits[len(intDigits)-1-r])
		case e.digit == '0':
			dst = append(dst, '0')
		}
		p++
	}
	return dst
}

// appendFrac writes the fraction placeholders and literals.
func appendFrac(dst []byte, elems []numElem, digits []byte) []byte {
	k := 0
	for _, e := range elems {
		if e.digit == 0 {
			dst = append(dst, e.lit...)
			continue
		}
		if k < len(digits) {
			dst = append(dst, digits[k])
		} else {
			dst = append(dst, '0')
		}
		k++
	}
	return dst
}

// appendSci writes v in scientific notation: max(1, minInt) integer digits,
// nFrac decimals, and an exponent of at least expMin digits.
func (sec *numSection) appendSci(dst []byte, v float64) ([]byte, bool) {
	m := max(1, sec.minInt)
	sig := m + sec.nFrac
	var buf [48]byte
	mant, e10 := shortestDigits(buf[:0], v) // v = 0.mant × 10^e10
	exp := 0
	var digits []byte
	if v == 0 {
		digits = mant[:0]
		for range sig {
			digits = append(digits, '0')
		}
	} else {
		digits = roundSig(mant, sig)
		if len(digits) > sig { // carry: 9.99 -> 10.0
			digits = digits[:sig]
			e10++
		}
		exp = e10 - m
	}
	dst = append(dst, digits[:m]...)
	if sec.hasDec {
		dst = append(dst, sec.dec...)
	}
	dst = appendFrac(dst, sec.frac, digits[m:])
	dst = append(dst, sec.expChar)
	if exp < 0 {
		dst = append(dst, '-')
		exp = -exp
	} else if sec.expPlus {
		dst = append(dst, '+')
	}
	var eb [8]byte
	es := strconv.AppendInt(eb[:0], int64(exp), 10)
	for i := len(es); i < sec.expMin; i++ {
		dst = append(dst, '0')
	}
	return append(dst, es...), anyNonZero(digits)
}

// shortestDigits returns the shortest decimal digits of v > 0 and e10 such
// that v = 0.digits × 10^e10; for v == 0 it returns "0", 1. The digits are
// written to dst's backing array.
func shortestDigits(dst []byte, v float64) ([]byte, int) {
	s := strconv.AppendFloat(dst, v, 'e', -1, 64) // d[.ddd]e±XX
	n, i := 0, 0
	for ; i < len(s) && s[i] != 'e'; i++ {
		if s[i] != '.' {
			s[n] = s[i]
			n++
		}
	}
	x, neg := 0, false
	for _, c := range s[i+1:] {
		switch {
		case c == '-':
			neg = true
		case c >= '0' && c <= '9':
			x = x*10 + int(c-'0')
		}
	}
	if neg {
		x = -x
	}
	return s[:n], x + 1
}

// roundSig rounds a digit string to n significant digits, half up. The
// result may have n+1 digits when rounding carries out ("999" -> "1000").
func roundSig(digits []byte, n int) []byte {
	if len(digits) <= n {
		for len(digits) < n {
			digits = append(digits, '0')
		}
		return digits
	}
	up := digits[n] >= '5'
	digits = digits[:n]
	if up {
		i := n - 1
		for ; i >= 0; i-- {
			if digits[i] < '9' {
				digits[i]++
				break
			}
			digits[i] = '0'
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		}
	}
	return digits
}

// roundedDigits writes the digits of v >= 0 rounded half away from zero to
// nFrac decimals: the integer part (possibly with leading zeros, possibly
// empty) followed by exactly nFrac fraction digits. It returns the digits
// and the length of the integer part.
func roundedDigits(dst []byte, v float64, nFrac int) ([]byte, int) {
	var mb [32]byte
	mant, e10 := shortestDigits(mb[:0], v) // v = 0.mant × 10^e10
	intLen := max(e10, 0)
	// Digit for place value 10^q is mant[e10-1-q] when in range.
	out := dst
	for q := intLen - 1; q >= -nFrac; q-- {
		k := e10 - 1 - q
		if k >= 0 && k < len(mant) {
			out = append(out, mant[k])
		} else {
			out = append(out, '0')
		}
	}
	// The first dropped place is 10^-(nFrac+1).
	if k := e10 + nFrac; k >= 0 && k < len(mant) && mant[k] >= '5' {
		i := len(out) - 1
		for ; i >= 0; i-- {
			if out[i] < '9' {
				out[i]++
				break
			}
			out[i] = '0'
		}
		if i < 0 {
			out = append(out, 0)
			copy(out[1:], out)
			out[0] = '1'
			intLen++
		}
	}
	return out, intLen
}

func trimLeadingZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == '0' {
		b = b[1:]
	}
	return b
}

func anyNonZero(b []byte) bool {
	for _, c := range b {
		if c != '0' {
			return true
		}
	}
	return false
}

// appendRadix renders x as an integer in the code's radix or as a roman
// numeral; values outside the representable range use the automatic
// rendering.
func (c *numCode) appendRadix(dst []byte, x float64) []byte {
	r := math.Round(x) // half away from zero
	if math.Abs(r) >= 1<<62 || (c.radix == radixRoman && (r < 1 || r >= 100000)) {
		return appendAuto(dst, x, ".")
	}
	n := int64(r)
	if c.radix == radixRoman {
		return appendRoman(dst, n, c.upper)
	}
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	var buf [72]byte
	s := strconv.AppendInt(buf[:0], n, c.radix)
	for i := len(s); i < c.minDig; i++ {
		dst = append(dst, '0')
	}
	for _, ch := range s {
		if c.upper && ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst
}

var romanTable = []struct {
	v int64
	s string
}{
	{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"},
	{50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"},
}

func appendRoman(dst []byte, n int64, upper bool) []byte {
	for _, e := range romanTable {
		for n >= e.v {
			for i := 0; i < len(e.s); i++ {
				ch := e.s[i]
				if !upper {
					ch += 'a' - 'A'
				}
				dst = append(dst, ch)
			}
			n -= e.v
		}
	}
	return dst
}

// parseRadix reads an integer in the code's radix or a roman numeral.
func (c *numCode) parseRadix(text string) (float64, bool) {
	s := strings.TrimSpace(text)
	if c.radix == radixRoman {
		return parseRoman(s)
	}
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return math.NaN(), false
	}
	n, err := strconv.ParseUint(strings.ToLower(s), c.radix, 64)
	if err != nil || strings.Contains(s, "_") {
		return math.NaN(), false
	}
	f := float64(n)
	if neg {
		f = -f
	}
	return f, true
}

func parseRoman(s string) (float64, bool) {
	val := func(c byte) int64 {
		switch c | 0x20 {
		case 'i':
			return 1
		case 'v':
			return 5
		case 'x':
			return 10
		case 'l':
			return 50
		case 'c':
			return 100
		case 'd':
			return 500
		case 'm':
			return 1000
		}
		return 0
	}
	if s == "" || len(s) > 200 {
		return math.NaN(), false
	}
	var total int64
	for i := 0; i < len(s); i++ {
		v := val(s[i])
		if v == 0 {
			return math.NaN(), false
		}
		if i+1 < len(s) && val(s[i+1]) > v {
			total -= v
		} else {
			total += v
		}
	}
	if total <= 0 {
		return math.NaN(), false
	}
	return float64(total), true
}

// parse reads text with this section: its prefix and suffix literals are
// stripped when present, a sign may stand before or after the prefix, and
// the number in between is read leniently. lit reports whether a non-blank
// literal was found in text.
func (sec *numSection) parse(text, dec, thou string) (v float64, ok, lit bool) {
	t := strings.TrimSpace(text)
	neg := false
	pre := strings.TrimSpace(sec.prefix)
	suf := strings.TrimSpace(sec.suffix)
	if t != "" && (t[0] == '-' || t[0] == '+') && !strings.HasPrefix(pre, t[:1]) {
		neg = t[0] == '-'
		t = strings.TrimSpace(t[1:])
	}
	if pre != "" && strings.HasPrefix(t, pre) {
		t = strings.TrimSpace(t[len(pre):])
		lit = true
	}
	if suf != "" && strings.HasSuffix(t, suf) {
		t = strings.TrimSpace(t[:len(t)-len(suf)])
		lit = true
	}
	percent := sec.percent
	if !percent && strings.HasSuffix(t, "%") {
		percent = true
		t = strings.TrimSpace(t[:len(t)-1])
	}
	v, ok = parseDecimal(t, dec, thou, true)
	if !ok {
		return math.NaN(), false, false
	}
	if percent {
		v /= 100
	}
	if neg {
		v = -v
	}
	return v, true, lit
}
