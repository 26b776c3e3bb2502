package numfmt

import "math"

// Kind is what automatic interpretation (or an interpretation function)
// found a text to be.
type Kind uint8

// Kinds of interpreted values.
const (
	KindText      Kind = iota // not a number: the value is pure text
	KindNumber                // a plain number in the locale's number format
	KindMoney                 // a number in the locale's MoneyFormat
	KindDate                  // a date (DateFormat or ISO YYYY-MM-DD)
	KindTime                  // a time of day (TimeFormat)
	KindTimestamp             // a date and time (TimestampFormat or ISO)
	KindInterval              // a duration (Interval#)
)

var kindNames = [...]string{"text", "number", "money", "date", "time", "timestamp", "interval"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Interpret is the automatic number interpretation applied to text loaded
// without type information (CSV cells, inline tables). It tries, in order:
//
//  1. a number with the locale's DecimalSep and ThousandSep: optional
//     blanks and sign, digits grouped by exactly three when a thousands
//     separator is used, optional decimals and exponent ("1e3"), nothing
//     else;
//  2. money in the locale's MoneyFormat, with its currency literal present;
//  3. a date in DateFormat, a time in TimeFormat, a timestamp in
//     TimestampFormat;
//  4. ISO 8601 dates and timestamps ("2024-01-05", "2024-01-05 13:45:00",
//     "2024-01-05T13:45:00Z"), which Qlik accepts whatever the locale.
//
// It returns the number, true and the kind found, or NaN, false, KindText.
// The caller keeps text as the dual's text either way. The number path does
// not allocate.
//
// [Proposed]: leading and trailing blanks are allowed around a number (the
// text keeps them); money needs its currency literal, so that "12,50" is not
// money when only MoneyDecimalSep is ","; percentages and intervals are not
// recognised; the order of the date, time and timestamp steps.
func Interpret(text string, loc *Locale) (num float64, ok bool, kind Kind) {
	if v, ok := parseDecimal(text, loc.DecimalSep, loc.ThousandSep, false); ok {
		return v, true, KindNumber
	}
	if !hasDigit(text) {
		return math.NaN(), false, KindText
	}
	if loc.MoneyFormat != "" {
		if v, ok, lit := loc.MoneyCode("").parse(text); ok && lit {
			return v, true, KindMoney
		}
	}
	if v, ok := parseDateTime(text, loc.DateFormat, loc, false); ok {
		return v, true, KindDate
	}
	if v, ok := parseDateTime(text, loc.TimeFormat, loc, false); ok {
		return v, true, KindTime
	}
	if v, ok := parseDateTime(text, loc.TimestampFormat, loc, false); ok {
		return v, true, KindTimestamp
	}
	if v, hasTime, ok := parseISO(text); ok {
		if hasTime {
			return v, true, KindTimestamp
		}
		return v, true, KindDate
	}
	return math.NaN(), false, KindText
}

// InterpretNumber is the number step of Interpret alone: a plain number
// with the locale's separators, or false.
func InterpretNumber(text string, loc *Locale) (float64, bool) {
	return parseDecimal(text, loc.DecimalSep, loc.ThousandSep, false)
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}
