package numfmt

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Locale holds the number interpretation variables of a load script
// (ThousandSep, DateFormat, MonthNames, FirstWeekDay, ...). Every
// formatting, parsing and date function of this package reads its defaults
// from a Locale.
//
// A Locale is a plain value: copy it and change fields freely. Compiled
// format codes are cached by their text, not by Locale, so a modified copy
// never sees stale state.
type Locale struct {
	// ThousandSep is the digit grouping separator of numbers (ThousandSep).
	ThousandSep string
	// DecimalSep is the decimal separator of numbers (DecimalSep).
	DecimalSep string
	// MoneyThousandSep is the digit grouping separator of money values.
	MoneyThousandSep string
	// MoneyDecimalSep is the decimal separator of money values.
	MoneyDecimalSep string
	// MoneyFormat is the format code of money values, e.g. "$ #,##0.00".
	MoneyFormat string
	// TimeFormat is the format code of times, e.g. "h:mm:ss TT".
	TimeFormat string
	// DateFormat is the format code of dates, e.g. "M/D/YYYY".
	DateFormat string
	// TimestampFormat is the format code of timestamps.
	TimestampFormat string
	// MonthNames are the short month names, January first (MMM).
	MonthNames [12]string
	// LongMonthNames are the long month names, January first (MMMM).
	LongMonthNames [12]string
	// DayNames are the short weekday names, Monday first (WWW).
	DayNames [7]string
	// LongDayNames are the long weekday names, Monday first (WWWW).
	LongDayNames [7]string
	// FirstWeekDay is the first day of the week: 0 = Monday ... 6 = Sunday.
	FirstWeekDay int
	// BrokenWeeks reports whether week 1 starts on January 1 (broken weeks)
	// instead of being the first week with ReferenceDay days in January.
	BrokenWeeks bool
	// ReferenceDay is the day of January that week 1 must contain when weeks
	// are unbroken (1-7); any other value, such as the default 0, means 4.
	ReferenceDay int
	// FirstMonthOfYear is the first month of the (fiscal) year, 1-12.
	FirstMonthOfYear int
	// CollationLocale is the collation locale name, kept as text.
	CollationLocale string
	// NumericalAbbreviation is the scale abbreviation list, kept as text.
	NumericalAbbreviation string
}

// Variable names of the number interpretation variables, as a Qlik script
// spells them.
const (
	VarThousandSep           = "ThousandSep"
	VarDecimalSep            = "DecimalSep"
	VarMoneyThousandSep      = "MoneyThousandSep"
	VarMoneyDecimalSep       = "MoneyDecimalSep"
	VarMoneyFormat           = "MoneyFormat"
	VarTimeFormat            = "TimeFormat"
	VarDateFormat            = "DateFormat"
	VarTimestampFormat       = "TimestampFormat"
	VarMonthNames            = "MonthNames"
	VarLongMonthNames        = "LongMonthNames"
	VarDayNames              = "DayNames"
	VarLongDayNames          = "LongDayNames"
	VarFirstWeekDay          = "FirstWeekDay"
	VarBrokenWeeks           = "BrokenWeeks"
	VarReferenceDay          = "ReferenceDay"
	VarFirstMonthOfYear      = "FirstMonthOfYear"
	VarCollationLocale       = "CollationLocale"
	VarNumericalAbbreviation = "NumericalAbbreviation"
)

var (
	enMonthNames     = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	enLongMonthNames = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	enDayNames       = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	enLongDayNames   = [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)

const defaultNumericalAbbreviation = "3:k;6:M;9:G;12:T;15:P;18:E;21:Z;24:Y;-3:m;-6:μ;-9:n;-12:p;-15:f;-18:a;-21:z;-24:y"

// EngineLocale returns the locale the engine uses for variables that no
// script sets: US separators and formats, with the week rules the Qlik
// reference documents as defaults (weeks start on Monday, unbroken weeks,
// reference day 4, that is ISO 8601 weeks).
func EngineLocale() Locale {
	return Locale{
		ThousandSep:           ",",
		DecimalSep:            ".",
		MoneyThousandSep:      ",",
		MoneyDecimalSep:       ".",
		MoneyFormat:           "$ ###0.00;-$ ###0.00",
		TimeFormat:            "h:mm:ss TT",
		DateFormat:            "M/D/YYYY",
		TimestampFormat:       "M/D/YYYY h:mm:ss[.fff] TT",
		MonthNames:            enMonthNames,
		LongMonthNames:        enLongMonthNames,
		DayNames:              enDayNames,
		LongDayNames:          enLongDayNames,
		FirstWeekDay:          0,
		BrokenWeeks:           false,
		ReferenceDay:          0,
		FirstMonthOfYear:      1,
		CollationLocale:       "en-US",
		NumericalAbbreviation: defaultNumericalAbbreviation,
	}
}

// DefaultLocale returns the locale that the SET block at the top of a new
// Qlik app with US regional settings produces (as a Qlik Core engine writes
// it): US formats, weeks starting on Sunday, broken weeks, reference day 0.
func DefaultLocale() Locale {
	l := EngineLocale()
	l.FirstWeekDay = 6
	l.BrokenWeeks = true
	l.ReferenceDay = 0
	return l
}

// NewLocale returns EngineLocale with the number interpretation variables
// found in vars applied. Keys are the variable names exactly as a script
// spells them (see the Var constants); other keys are ignored. A value
// wrapped in one pair of single quotes is unquoted first, so both the raw
// text of `SET DateFormat='M/D/YYYY';` and its stored value work.
//
// A value that cannot be used (FirstWeekDay='x', a MonthNames list without
// 12 names, ...) leaves that setting at its default; the returned error
// lists every such value, and the returned Locale is usable either way.
func NewLocale(vars map[string]string) (Locale, error) {
	l := EngineLocale()
	err := l.Apply(vars)
	return l, err
}

// Apply sets the fields named by the variables in vars, as NewLocale does.
// It returns an error listing the values it could not use; the other
// variables are applied regardless.
func (l *Locale) Apply(vars map[string]string) error {
	var errs []error
	bad := func(name, value, why string) {
		errs = append(errs, fmt.Errorf("cannot use script variable %s=%q: %s", name, value, why))
	}
	for _, name := range varOrder {
		raw, ok := vars[name]
		if !ok {
			continue
		}
		v := unquote(raw)
		switch name {
		case VarThousandSep:
			l.ThousandSep = v
		case VarDecimalSep:
			l.DecimalSep = v
		case VarMoneyThousandSep:
			l.MoneyThousandSep = v
		case VarMoneyDecimalSep:
			l.MoneyDecimalSep = v
		case VarMoneyFormat:
			l.MoneyFormat = v
		case VarTimeFormat:
			l.TimeFormat = v
		case VarDateFormat:
			l.DateFormat = v
		case VarTimestampFormat:
			l.TimestampFormat = v
		case VarMonthNames:
			if !splitNames(v, l.MonthNames[:]) {
				bad(name, v, "want 12 names separated by ';'")
			}
		case VarLongMonthNames:
			if !splitNames(v, l.LongMonthNames[:]) {
				bad(name, v, "want 12 names separated by ';'")
			}
		case VarDayNames:
			if !splitNames(v, l.DayNames[:]) {
				bad(name, v, "want 7 names separated by ';', Monday first")
			}
		case VarLongDayNames:
			if !splitNames(v, l.LongDayNames[:]) {
				bad(name, v, "want 7 names separated by ';', Monday first")
			}
		case VarFirstWeekDay:
			if n, ok := smallInt(v, 0, 6); ok {
				l.FirstWeekDay = n
			} else {
				bad(name, v, "want an integer from 0 (Monday) to 6 (Sunday)")
			}
		case VarBrokenWeeks:
			if n, ok := smallInt(v, -1<<31, 1<<31-1); ok {
				l.BrokenWeeks = n != 0
			} else {
				bad(name, v, "want 0 (unbroken weeks) or 1 (broken weeks)")
			}
		case VarReferenceDay:
			if n, ok := smallInt(v, -1<<31, 1<<31-1); ok {
				l.ReferenceDay = n
			} else {
				bad(name, v, "want an integer from 1 to 7 (0 means 4)")
			}
		case VarFirstMonthOfYear:
			if n, ok := smallInt(v, 1, 12); ok {
				l.FirstMonthOfYear = n
			} else {
				bad(name, v, "want an integer from 1 to 12")
			}
		case VarCollationLocale:
			l.CollationLocale = v
		case VarNumericalAbbreviation:
			l.NumericalAbbreviation = v
		}
	}
	return errors.Join(errs...)
}

// varOrder fixes the order in which Apply reads variables, so that errors
// come out in a stable order.
var varOrder = []string{
	VarThousandSep, VarDecimalSep, VarMoneyThousandSep, VarMoneyDecimalSep, VarMoneyFormat,
	VarTimeFormat, VarDateFormat, VarTimestampFormat, VarMonthNames, VarLongMonthNames,
	VarDayNames, VarLongDayNames, VarFirstWeekDay, VarBrokenWeeks, VarReferenceDay,
	VarFirstMonthOfYear, VarCollationLocale, VarNumericalAbbreviation,
}

// Variables returns the locale as script variable values, the inverse of
// NewLocale: NewLocale(l.Variables()) reproduces l.
func (l *Locale) Variables() map[string]string {
	broken := "0"
	if l.BrokenWeeks {
		broken = "1"
	}
	return map[string]string{
		VarThousandSep:           l.ThousandSep,
		VarDecimalSep:            l.DecimalSep,
		VarMoneyThousandSep:      l.MoneyThousandSep,
		VarMoneyDecimalSep:       l.MoneyDecimalSep,
		VarMoneyFormat:           l.MoneyFormat,
		VarTimeFormat:            l.TimeFormat,
		VarDateFormat:            l.DateFormat,
		VarTimestampFormat:       l.TimestampFormat,
		VarMonthNames:            strings.Join(l.MonthNames[:], ";"),
		VarLongMonthNames:        strings.Join(l.LongMonthNames[:], ";"),
		VarDayNames:              strings.Join(l.DayNames[:], ";"),
		VarLongDayNames:          strings.Join(l.LongDayNames[:], ";"),
		VarFirstWeekDay:          strconv.Itoa(l.FirstWeekDay),
		VarBrokenWeeks:           broken,
		VarReferenceDay:          strconv.Itoa(l.ReferenceDay),
		VarFirstMonthOfYear:      strconv.Itoa(l.FirstMonthOfYear),
		VarCollationLocale:       l.CollationLocale,
		VarNumericalAbbreviation: l.NumericalAbbreviation,
	}
}

// WeekRule returns the locale's week numbering rule.
func (l *Locale) WeekRule() WeekRule {
	return WeekRule{FirstWeekDay: l.FirstWeekDay, Broken: l.BrokenWeeks, ReferenceDay: l.ReferenceDay}
}

// unquote strips one pair of enclosing single quotes.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return s[1 : len(s)-1]
	}
	return s
}

// splitNames splits a ';'-separated name list into dst when it has exactly
// len(dst) names; a trailing ';' is tolerated.
func splitNames(v string, dst []string) bool {
	v = strings.TrimSuffix(v, ";")
	parts := strings.Split(v, ";")
	if len(parts) != len(dst) {
		return false
	}
	for i, p := range parts {
		dst[i] = strings.TrimSpace(p)
	}
	return true
}

// smallInt parses a decimal integer within [lo, hi].
func smallInt(v string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// nameIndex returns the index of the name in names matching text at its
// start (case-insensitive, longest match wins) and the matched length.
func nameIndex(text string, names []string) (idx, n int) {
	idx = -1
	for i, name := range names {
		if name == "" || len(name) > len(text) || len(name) <= n {
			continue
		}
		if strings.EqualFold(text[:len(name)], name) {
			idx, n = i, len(name)
		}
	}
	return idx, n
}
