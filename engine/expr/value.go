package expr

import (
	"math"
	"strconv"

	"github.com/assocengine/assoc/symbols"
)

// valueKind says which parts of a Value are present.
type valueKind uint8

const (
	kNull valueKind = iota // the zero Value
	kNum                   // number without text; text renders with FormatNumber
	kText                  // text without number
	kDual                  // number and text
)

// Value is the result of evaluating an expression: NULL, a number, a text,
// or a dual (a number with its own text), as Qlik values are (§1.1, §4.4).
// The zero Value is NULL. Values are small and passed by value; making a
// number never allocates.
type Value struct {
	num  float64 // valid for kNum and kDual, 0 otherwise
	text string  // valid for kText and kDual
	kind valueKind
}

// Null returns the NULL value.
func Null() Value { return Value{} }

// Num returns a number without text. NaN and ±Inf (results outside the
// domain of an operation) yield NULL.
func Num(f float64) Value {
	if f-f != 0 {
		return Value{}
	}
	return Value{num: f, kind: kNum}
}

// Str returns a text value without a number.
func Str(s string) Value { return Value{text: s, kind: kText} }

// Dual returns a value with both a number and a text. A NaN or infinite
// number yields a pure text value.
func Dual(f float64, s string) Value {
	if f-f != 0 {
		return Str(s)
	}
	return Value{num: f, text: s, kind: kDual}
}

// Bool returns Qlik's truth values: -1 for true, 0 for false.
func Bool(b bool) Value {
	if b {
		return Value{num: -1, kind: kNum}
	}
	return Value{kind: kNum}
}

// FromDual converts a symbol-table dual (never NULL) to a Value.
func FromDual(d symbols.Dual) Value {
	if d.Num != d.Num {
		return Str(d.Text)
	}
	return Value{num: d.Num, text: d.Text, kind: kDual}
}

// ToDual converts v to a symbol-table dual. NULL becomes symbols.NullDual;
// callers that store values must track NULL themselves.
func (v Value) ToDual() symbols.Dual {
	switch v.kind {
	case kNum:
		return symbols.Number(v.num)
	case kText:
		return symbols.Text(v.text)
	case kDual:
		return symbols.NumText(v.num, v.text)
	}
	return symbols.NullDual
}

// IsNull reports whether v is NULL.
func (v Value) IsNull() bool { return v.kind == kNull }

// HasNum reports whether v carries a number (a number or a dual). A text
// that merely looks like a number does not; see AsNumber.
func (v Value) HasNum() bool { return v.kind == kNum || v.kind == kDual }

// HasText reports whether v carries its own text (a text or a dual).
func (v Value) HasText() bool { return v.kind == kText || v.kind == kDual }

// Number returns v's number, or NaN when v carries none.
func (v Value) Number() float64 {
	if v.kind == kNum || v.kind == kDual {
		return v.num
	}
	return math.NaN()
}

// AsNumber returns the number v can be interpreted as: its own number, or
// for a text value the number its text spells (decimal point '.', optional
// sign and exponent, surrounding spaces ignored). ok is false for NULL and
// for texts that are not numbers.
func (v Value) AsNumber() (f float64, ok bool) {
	switch v.kind {
	case kNum, kDual:
		return v.num, true
	case kText:
		return ParseNumber(v.text)
	}
	return 0, false
}

// Text returns v's text: its own text, or for a number without text the
// default rendering (symbols.FormatNumber). NULL renders as "".
func (v Value) Text() string {
	switch v.kind {
	case kText, kDual:
		return v.text
	case kNum:
		return symbols.FormatNumber(v.num)
	}
	return ""
}

// Truthy reports whether v counts as true in a condition (§4.4): NULL is
// false, a value with a number is true when the number is not 0, and a
// text that is not a number is false.
func (v Value) Truthy() bool {
	f, ok := v.AsNumber()
	return ok && f != 0
}

// Identical reports whether v and w have the same kind, number bits and text.
func (v Value) Identical(w Value) bool {
	return v.kind == w.kind && math.Float64bits(v.num) == math.Float64bits(w.num) && v.text == w.text
}

// String renders v for debugging: NULL, 3, 'abc' or dual(1, 'Jan').
func (v Value) String() string {
	switch v.kind {
	case kNum:
		return symbols.FormatNumber(v.num)
	case kText:
		return quoteString(v.text)
	case kDual:
		return "dual(" + symbols.FormatNumber(v.num) + ", " + quoteString(v.text) + ")"
	}
	return "NULL"
}

// Compare orders two non-NULL values as the relational operators do
// (§4.4): numerically when both can be interpreted as numbers, otherwise by
// text (symbols.CompareText, which is 0 only for identical texts). NULL
// sorts before everything.
func Compare(a, b Value) int {
	if a.kind == kNull || b.kind == kNull {
		switch {
		case a.kind == b.kind:
			return 0
		case a.kind == kNull:
			return -1
		}
		return 1
	}
	if x, ok := a.AsNumber(); ok {
		if y, ok := b.AsNumber(); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	return symbols.CompareText(a.Text(), b.Text())
}

// ParseNumber interprets s as a number the way expressions do: optional
// surrounding spaces, an optional sign, digits with an optional '.'
// fraction (at least one digit overall) and an optional exponent. It does
// not allocate.
func ParseNumber(s string) (float64, bool) {
	i, j := 0, len(s)
	for i < j && s[i] == ' ' {
		i++
	}
	for j > i && s[j-1] == ' ' {
		j--
	}
	t := s[i:j]
	if t == "" {
		return 0, false
	}
	k := 0
	if t[0] == '+' || t[0] == '-' {
		k++
	}
	digits := 0
	for k < len(t) && isDigit(t[k]) {
		k++
		digits++
	}
	if k < len(t) && t[k] == '.' {
		k++
		for k < len(t) && isDigit(t[k]) {
			k++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if k < len(t) && (t[k] == 'e' || t[k] == 'E') {
		k++
		if k < len(t) && (t[k] == '+' || t[k] == '-') {
			k++
		}
		e := 0
		for k < len(t) && isDigit(t[k]) {
			k++
			e++
		}
		if e == 0 {
			return 0, false
		}
	}
	if k != len(t) {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
