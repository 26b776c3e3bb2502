package symbols

import (
	"bytes"
	"math"
	"strconv"
)

// Dual is a value with a text and, optionally, a number, as Qlik values are.
// Num is NaN when the value has no numeric representation. Text is always
// the value's display form: for numbers read from text it is the original
// text, for computed numbers a default rendering (see FormatNumber).
type Dual struct {
	Num  float64
	Text string
}

// NullDual is the zero-information value used where a Dual is needed for
// NULL; callers must track NULL separately (a NULL is never a symbol).
var NullDual = Dual{Num: math.NaN()}

// Number returns a dual for f with the default text rendering.
func Number(f float64) Dual { return Dual{Num: f, Text: FormatNumber(f)} }

// Text returns a pure text dual.
func Text(s string) Dual { return Dual{Num: math.NaN(), Text: s} }

// NumText returns a dual with both a number and a text.
func NumText(f float64, s string) Dual { return Dual{Num: f, Text: s} }

// IsNum reports whether d has a numeric representation.
func (d Dual) IsNum() bool { return !math.IsNaN(d.Num) }

// FormatNumber renders f as Qlik's automatic format does: up to 14
// significant digits, rounded half away from zero, without trailing zeros,
// with '.' as the decimal separator and no grouping; exponent form when the
// integer part has more than 14 digits or the magnitude is below 1e-5.
func FormatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 && f != 0 {
		return strconv.FormatInt(int64(f), 10)
	}
	var buf [32]byte
	return string(AppendNumber(buf[:0], f))
}

// AppendNumber appends FormatNumber(f) to dst.
func AppendNumber(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "+Inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-Inf"...)
	case f == 0:
		return append(dst, '0')
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	// Amounts (a few decimals) without the float formatter: the shortest
	// k whose scaled integer gives f back has FormatNumber's digits.
	for k := 1; k <= 4; k++ {
		if b, ok := appendScaled(dst, f, k, 1e14); ok {
			return b
		}
	}
	a := math.Abs(f)
	start := len(dst)
	if a >= 1e15 || a < 1e-5 {
		dst = strconv.AppendFloat(dst, f, 'e', 13, 64)
		e := bytes.IndexByte(dst[start:], 'e') + start
		var exp [8]byte
		n := copy(exp[:], dst[e:])
		mant := trimFraction(dst[:e], start)
		return append(mant, exp[:n]...)
	}
	// 14 significant digits in fixed notation.
	digits := int(math.Floor(math.Log10(a))) + 1 // digits before the point
	dec := max(14-digits, 0)
	dst = strconv.AppendFloat(dst, f, 'f', dec, 64)
	dst = trimFraction(dst, start)
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

var pow10 = [...]float64{1, 10, 100, 1000, 10000}

// appendScaled appends f with k decimals when f is the double nearest to
// c/10^k for an integer c with |c| < limit (then its exact decimal
// expansion rounds to c/10^k at any precision up to 16 digits), and
// reports whether it did. Zero is left to the caller (its sign).
func appendScaled(dst []byte, f float64, k int, limit float64) ([]byte, bool) {
	p := pow10[k]
	c := math.Round(f * p)
	if f == 0 || !(math.Abs(c) < limit) || c/p != f {
		return dst, false
	}
	v := int64(c)
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var digits [24]byte
	d := strconv.AppendInt(digits[:0], v, 10)
	if len(d) <= k {
		dst = append(dst, '0')
	} else {
		dst = append(dst, d[:len(d)-k]...)
	}
	dst = append(dst, '.')
	for i := len(d); i < k; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d[max(len(d)-k, 0):]...), true
}

// trimFraction drops the trailing zeros of the fraction of the number in
// b[start:], and the point when nothing follows it.
func trimFraction(b []byte, start int) []byte {
	if bytes.IndexByte(b[start:], '.') < 0 {
		return b
	}
	for len(b) > start && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if len(b) > start && b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	return b
}

// numKey is the interning key of a number: its bits with -0 folded to 0.
func numKey(f float64) uint64 {
	if f == 0 {
		return 0
	}
	return math.Float64bits(f)
}
