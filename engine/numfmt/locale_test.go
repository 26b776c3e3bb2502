package numfmt

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLocaleDefaults(t *testing.T) {
	e := EngineLocale()
	require.Equal(t, ISOWeeks.FirstWeekDay, e.FirstWeekDay)
	require.False(t, e.BrokenWeeks)
	require.Equal(t, "M/D/YYYY", e.DateFormat)
	require.Equal(t, "Jan", e.MonthNames[0])
	require.Equal(t, "Sunday", e.LongDayNames[6])

	d := DefaultLocale()
	require.Equal(t, 6, d.FirstWeekDay)
	require.True(t, d.BrokenWeeks)
	require.Equal(t, 0, d.ReferenceDay)
	require.Equal(t, WeekRule{FirstWeekDay: 6, Broken: true}, d.WeekRule())
}

func TestNewLocale(t *testing.T) {
	loc, err := NewLocale(map[string]string{
		VarDateFormat:       "'DD/MM/YYYY'",
		VarDecimalSep:       ",",
		VarThousandSep:      " ",
		VarMonthNames:       "jan;feb;mar;apr;maj;jun;jul;aug;sep;okt;nov;dec;",
		VarFirstWeekDay:     "'0'",
		VarBrokenWeeks:      "0",
		VarReferenceDay:     "4",
		VarFirstMonthOfYear: "7",
		"dateformat":        "ignored: names are case-sensitive",
		"SomeOtherVariable": "x",
	})
	require.NoError(t, err)
	require.Equal(t, "DD/MM/YYYY", loc.DateFormat)
	require.Equal(t, ",", loc.DecimalSep)
	require.Equal(t, " ", loc.ThousandSep)
	require.Equal(t, "maj", loc.MonthNames[4])
	require.Equal(t, 7, loc.FirstMonthOfYear)
	require.Equal(t, ISOWeeks, loc.WeekRule())

	// Round trip through the script variables.
	back, err := NewLocale(loc.Variables())
	require.NoError(t, err)
	require.Equal(t, loc, back)
	us := DefaultLocale()
	back, err = NewLocale(us.Variables())
	require.NoError(t, err)
	require.Equal(t, us, back)
}

func TestNewLocaleErrors(t *testing.T) {
	loc, err := NewLocale(map[string]string{
		VarFirstWeekDay:     "Sunday",
		VarFirstMonthOfYear: "13",
		VarMonthNames:       "Jan;Feb",
		VarDayNames:         "Mo;Tu;We;Th;Fr;Sa;Su;Xx",
		VarBrokenWeeks:      "yes",
		VarReferenceDay:     "x",
		VarDateFormat:       "YYYY-MM-DD",
	})
	require.Error(t, err)
	for _, want := range []string{
		`FirstWeekDay="Sunday"`, `FirstMonthOfYear="13"`, `MonthNames="Jan;Feb"`,
		`DayNames="Mo;Tu;We;Th;Fr;Sa;Su;Xx"`, `BrokenWeeks="yes"`, `ReferenceDay="x"`,
	} {
		require.Contains(t, err.Error(), want)
	}
	// Bad values keep their defaults; good ones still apply.
	def := EngineLocale()
	require.Equal(t, def.FirstWeekDay, loc.FirstWeekDay)
	require.Equal(t, def.MonthNames, loc.MonthNames)
	require.Equal(t, def.DayNames, loc.DayNames)
	require.Equal(t, "YYYY-MM-DD", loc.DateFormat)
}

func TestWeekRuleRefDay(t *testing.T) {
	for ref, want := range map[int]int{0: 4, 1: 1, 7: 7, 8: 4, -3: 4} {
		require.Equal(t, want, WeekRule{ReferenceDay: ref}.refDay())
	}
	require.Equal(t, 6, WeekRule{FirstWeekDay: -1}.firstDay())
}
