package numfmt

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/assocengine/assoc/symbols"
)

// FieldType is the QIX FieldAttrType of a number format (qType).
type FieldType string

// Field types, as QIX spells them in JSON.
const (
	TypeUnknown   FieldType = "U"
	TypeASCII     FieldType = "A"
	TypeInteger   FieldType = "I"
	TypeReal      FieldType = "R"
	TypeFix       FieldType = "F"
	TypeMoney     FieldType = "M"
	TypeDate      FieldType = "D"
	TypeTime      FieldType = "T"
	TypeTimestamp FieldType = "TS"
	TypeInterval  FieldType = "IV"
)

var longTypeNames = map[string]FieldType{
	"UNKNOWN": TypeUnknown, "ASCII": TypeASCII, "INTEGER": TypeInteger, "REAL": TypeReal,
	"FIX": TypeFix, "MONEY": TypeMoney, "DATE": TypeDate, "TIME": TypeTime,
	"TIMESTAMP": TypeTimestamp, "INTERVAL": TypeInterval,
}

// Normalize returns the short form of t: QIX also accepts the long names
// ("DATE", "MONEY", ...); an empty or unrecognised type is TypeUnknown.
func (t FieldType) Normalize() FieldType {
	switch t {
	case TypeUnknown, TypeASCII, TypeInteger, TypeReal, TypeFix, TypeMoney,
		TypeDate, TypeTime, TypeTimestamp, TypeInterval:
		return t
	}
	if n, ok := longTypeNames[strings.ToUpper(string(t))]; ok {
		return n
	}
	return TypeUnknown
}

// UnmarshalJSON reads a FieldAttributes object; an absent qnDec is 10, the
// QIX default.
func (s *Spec) UnmarshalJSON(b []byte) error {
	type plain Spec
	p := plain{NDec: 10}
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("cannot read qNumFormat %s: %w", b, err)
	}
	*s = Spec(p)
	return nil
}

// UnmarshalText accepts both the short and the long type names.
func (t *FieldType) UnmarshalText(b []byte) error {
	*t = FieldType(b).Normalize()
	return nil
}

// Spec is a QIX FieldAttributes (qNumFormat): how a measure, a dimension or
// a field renders its numbers.
type Spec struct {
	// Type is qType.
	Type FieldType `json:"qType"`
	// NDec is qnDec, the number of decimals for types R and F without Fmt.
	NDec int `json:"qnDec"`
	// UseThou is qUseThou: 1 groups thousands for types R and F without Fmt.
	UseThou int `json:"qUseThou"`
	// Fmt is qFmt, a number or date/time format code.
	Fmt string `json:"qFmt,omitempty"`
	// Dec is qDec, the decimal separator ("" = the locale's).
	Dec string `json:"qDec,omitempty"`
	// Thou is qThou, the thousands separator ("" = the locale's).
	Thou string `json:"qThou,omitempty"`
}

// Format renders a value for a cell's qText. num is the value's number (NaN
// when it has none) and text its own text when hasText is set. The rules
// follow the QIX FieldAttributes description:
//
//   - U (and unknown types), A: the value's own text if it has one, else
//     the automatic rendering (14 significant digits).
//   - I, R, F, M with Fmt: the number format code Fmt with Dec and Thou
//     (falling back to the locale's separators, money ones for M).
//   - I without Fmt: no formatting (as U).
//   - R without Fmt: NDec decimals (NDec 0: 14 significant digits), trailing
//     zeros dropped so that an almost-integer shows as an integer [Proposed].
//   - F without Fmt: exactly NDec decimals.
//   - M without Fmt: the locale's MoneyFormat.
//   - D, T, TS, IV: the date/time code Fmt, or the locale's DateFormat,
//     TimeFormat, TimestampFormat, or IntervalFormat [Proposed for IV].
//
// A format code takes precedence over the type: a date code under type F
// formats a date, a number code under type D formats a number. R and F
// group thousands with Thou when UseThou is 1. A value without a number
// renders its text.
func (s Spec) Format(num float64, text string, hasText bool, loc *Locale) string {
	if hasText && (math.IsNaN(num) || s.passesText()) {
		return text
	}
	var buf [64]byte
	b := s.Append(buf[:0], num, text, hasText, loc)
	if hasText && string(b) == text {
		return text // no copy for the common pass-through case
	}
	return string(b)
}

// passesText reports whether the spec shows a value's own text.
func (s Spec) passesText() bool {
	switch s.Type.Normalize() {
	case TypeUnknown, TypeASCII:
		return true
	case TypeInteger:
		return s.Fmt == ""
	}
	return false
}

// Append appends what Format returns to dst.
func (s Spec) Append(dst []byte, num float64, text string, hasText bool, loc *Locale) []byte {
	t := s.Type.Normalize()
	if math.IsNaN(num) {
		if hasText {
			return append(dst, text...)
		}
		return append(dst, symbols.FormatNumber(num)...)
	}
	own := func() []byte {
		if hasText {
			return append(dst, text...)
		}
		return append(dst, symbols.FormatNumber(num)...)
	}
	switch t {
	case TypeUnknown, TypeASCII:
		return own()
	}
	if s.Fmt != "" {
		if looksLikeDateTime(s.Fmt) {
			return AppendDateTime(dst, num, s.Fmt, loc, t == TypeInterval)
		}
		return s.numberFormat(t, s.Fmt, loc).Append(dst, num)
	}
	switch t {
	case TypeInteger:
		return own()
	case TypeReal:
		return s.appendReal(dst, num, loc)
	case TypeFix:
		return s.appendFix(dst, num, loc)
	case TypeMoney:
		return s.numberFormat(t, loc.MoneyFormat, loc).Append(dst, num)
	case TypeDate:
		return AppendDateTime(dst, num, loc.DateFormat, loc, false)
	case TypeTime:
		return AppendDateTime(dst, num, loc.TimeFormat, loc, false)
	case TypeTimestamp:
		return AppendDateTime(dst, num, loc.TimestampFormat, loc, false)
	case TypeInterval:
		return AppendDateTime(dst, num, IntervalFormat(loc), loc, true)
	}
	return own()
}

// numberFormat pairs a code with the spec's separators or the locale's.
func (s Spec) numberFormat(t FieldType, code string, loc *Locale) NumberFormat {
	dec, thou := loc.DecimalSep, loc.ThousandSep
	if t == TypeMoney {
		dec, thou = loc.MoneyDecimalSep, loc.MoneyThousandSep
	}
	if s.Dec != "" {
		dec = s.Dec
	}
	if s.Thou != "" {
		thou = s.Thou
	}
	return NumberFormat{Code: code, Dec: dec, Thou: thou}
}

// separators returns the decimal separator and, when UseThou is set, the
// thousands separator for types R and F.
func (s Spec) separators(loc *Locale) (dec, thou string) {
	dec = s.Dec
	if dec == "" {
		dec = loc.DecimalSep
	}
	if s.UseThou == 1 {
		thou = s.Thou
		if thou == "" {
			thou = loc.ThousandSep
		}
	}
	return dec, thou
}

func (s Spec) appendReal(dst []byte, x float64, loc *Locale) []byte {
	dec, thou := s.separators(loc)
	if math.IsInf(x, 0) {
		return append(dst, symbols.FormatNumber(x)...)
	}
	if s.NDec <= 0 {
		if thou == "" {
			return appendAuto(dst, x, dec)
		}
		// 14 significant digits, then group the integer part.
		a := math.Abs(x)
		if a >= 1e15 || (a < 1e-5 && a != 0) {
			return appendAuto(dst, x, dec)
		}
		intDigits := 1
		if a >= 1 {
			intDigits = int(math.Floor(math.Log10(a))) + 1
		}
		return appendFixed(dst, x, max(14-intDigits, 0), dec, thou, true)
	}
	return appendFixed(dst, x, min(s.NDec, 100), dec, thou, true)
}

func (s Spec) appendFix(dst []byte, x float64, loc *Locale) []byte {
	dec, thou := s.separators(loc)
	if math.IsInf(x, 0) {
		return append(dst, symbols.FormatNumber(x)...)
	}
	return appendFixed(dst, x, min(max(s.NDec, 0), 100), dec, thou, false)
}

// appendFixed writes x with nDec decimals (half away from zero), grouping
// the integer digits by three with thou when it is not empty. With trim,
// trailing fraction zeros and a bare decimal separator are dropped.
func appendFixed(dst []byte, x float64, nDec int, dec, thou string, trim bool) []byte {
	neg := x < 0
	var buf [48]byte
	digits, intLen := roundedDigits(buf[:0], math.Abs(x), nDec)
	frac := digits[intLen:]
	if trim {
		for len(frac) > 0 && frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
	}
	intDigits := trimLeadingZeros(digits[:intLen])
	if len(intDigits) == 0 {
		intDigits = []byte{'0'}
	}
	if neg && (anyNonZero(intDigits) || anyNonZero(frac)) {
		dst = append(dst, '-')
	}
	for i, c := range intDigits {
		dst = append(dst, c)
		if r := len(intDigits) - 1 - i; thou != "" && r > 0 && r%3 == 0 {
			dst = append(dst, thou...)
		}
	}
	if len(frac) > 0 {
		dst = append(dst, dec...)
		dst = append(dst, frac...)
	}
	return dst
}

// SpecFor returns the number format that a field of the given interpreted
// kind gets in this locale: dates get type D with the DateFormat, money
// type M with the MoneyFormat, and so on; numbers and text get type U
// (their own text is shown).
func SpecFor(kind Kind, loc *Locale) Spec {
	switch kind {
	case KindMoney:
		return Spec{Type: TypeMoney, Fmt: loc.MoneyFormat, Dec: loc.MoneyDecimalSep, Thou: loc.MoneyThousandSep}
	case KindDate:
		return Spec{Type: TypeDate, Fmt: loc.DateFormat}
	case KindTime:
		return Spec{Type: TypeTime, Fmt: loc.TimeFormat}
	case KindTimestamp:
		return Spec{Type: TypeTimestamp, Fmt: loc.TimestampFormat}
	case KindInterval:
		return Spec{Type: TypeInterval, Fmt: IntervalFormat(loc)}
	}
	return Spec{Type: TypeUnknown}
}
