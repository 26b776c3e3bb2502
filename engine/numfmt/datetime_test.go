package numfmt

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFormatDateTime(t *testing.T) {
	loc := EngineLocale()
	const ts = 31908.234 // 1987-05-11 (a Monday) 05:36:57.600
	tests := []struct {
		name string
		x    float64
		code string
		want string
	}{
		{"iso date", 35648, "YYYY-MM-DD", "1997-08-06"},
		{"short year", 35648, "YY.MM.DD", "97.08.06"},
		{"no padding", 35648, "M/D/YYYY", "8/6/1997"},
		{"lower case year and day", 35648, "dd/MM/yyyy", "06/08/1997"},
		{"month names", 35648, "MMM MMMM", "Aug August"},
		{"weekday names", ts, "WWW WWWW", "Mon Monday"},
		{"weekday number", ts, "W WW", "0 00"},
		{"time of day", ts, "hh:mm:ss", "05:36:57"},
		{"fractions truncate", ts, "h:mm:ss.fff", "5:36:57.600"},
		{"more fraction digits", ts, "ss.ffffff", "57.600000"},
		{"optional part left out", ts, "YYYY-MM-DD hh:mm:ss[.fff]", "1987-05-11 05:36:57"},
		{"am", 0.0208333333333333, "h:mm TT", "12:30 AM"},
		{"noon", 0.5, "h:mm TT", "12:00 PM"},
		{"pm lower", 0.5451388888888889, "hh:mm tt", "01:05 pm"},
		{"truncate not round", 0.99999, "hh-mm", "23-59"},
		{"ten o'clock exact", 35648 + 10.0/24, "hh:mm:ss.fff", "10:00:00.000"},
		{"literal T", 35648.5, "YYYY-MM-DDThh:mm:ss", "1997-08-06T12:00:00"},
		{"single T literal", 35648.5, "T", "T"},
		{"unclosed bracket", 35648, "[YYYY", "[1997"},
		{"stray close bracket", 35648, "YYYY]", "1997]"},
		{"negative serial", -1, "YYYY-MM-DD", "1899-12-29"},
		{"negative fraction", -0.5, "YYYY-MM-DD hh:mm", "1899-12-29 12:00"},
		{"year one", -693593, "YYYY-MM-DD", "0001-01-01"},
		{"year zero", -693594, "YYYY-MM-DD", "0000-12-31"},
		{"year before zero", -694000, "YYYY-MM-DD", "-0001-11-21"},
		{"far future", 1e9, "YYYY-MM-DD", "2739807-01-02"},
		{"two-digit far year", 1e9, "YY", "07"},
		{"NaN", math.NaN(), "YYYY", "NaN"},
		{"Inf", math.Inf(-1), "YYYY", "-Inf"},
		{"beyond range", 2e10, "YYYY", "20000000000"},
		{"no tokens", 35648, "abc", "abc"},
		{"empty code uses DateFormat", 35648, "", "8/6/1997"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, FormatDate(tt.x, tt.code, &loc))
		})
	}
}

func TestFormatDefaults(t *testing.T) {
	loc := DefaultLocale()
	require.Equal(t, "8/6/1997", FormatDate(35648.375, "", &loc))
	require.Equal(t, "9:00:00 AM", FormatTime(35648.375, "", &loc))
	require.Equal(t, "8/6/1997 9:00:00 AM", FormatTimestamp(35648.375, "", &loc))
	require.Equal(t, "33:00:00", FormatInterval(1.375, "", &loc))
	require.Equal(t, "h:mm:ss", IntervalFormat(&loc))
}

func TestFormatInterval(t *testing.T) {
	loc := EngineLocale()
	tests := []struct {
		x    float64
		code string
		want string
	}{
		{1.3, "hh:mm", "31:12"},
		{2.43, "hh:mm", "58:19"},
		{1.4000000000000001, "hh:mm", "33:36"},
		{2.44, "hh:mm", "58:33"},
		{1.375, "D hh:mm", "1 09:00"},
		{365.375, "D hh:mm", "365 09:00"},
		{1, "mm", "1440"},
		{1, "ss", "86400"},
		{0.5, "m:ss", "720:00"},
		{1.5, "DD hh", "01 12"},
		{-0.375, "hh:mm:ss", "-09:00:00"},
		{-0.0000001, "hh:mm", "00:00"},
		{1.0000115740740741, "D hh:mm:ss.fff", "1 00:00:01.000"},
		{0.375, "h:mm TT", "9:00 "},
		{math.NaN(), "hh:mm", "NaN"},
		{99999999.5, "D hh", "99999999 12"},
		{-99999999.5, "D hh", "-99999999 12"},
		{2e8, "D hh", "200000000"},
		{MaxSerial, "hh:mm", "10000000000"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, FormatInterval(tt.x, tt.code, &loc), "Interval(%v, %q)", tt.x, tt.code)
	}
}

func TestLooksLikeDateTime(t *testing.T) {
	for code, want := range map[string]bool{
		"YYYY-MM-DD": true, "hh:mm": true, "D hh:mm": true, "#,##0": false, "0.00%": false,
		"$ #,##0.00": false, "#,##0 M": false, "kr # ##0,00": false, "TT": true, "fff": true,
		"f": false, "": false, "MMM": true, "Days: 0": false, "0.0 h": false, "D": true,
		"YYYY-MM-DD 00:00": true, "Total": false, "h": true, "Mm": true, "yY": true, "#Mm": false,
	} {
		require.Equal(t, want, looksLikeDateTime(code), code)
	}
}

func TestParseDateTime(t *testing.T) {
	loc := EngineLocale()
	tests := []struct {
		name string
		text string
		code string
		want float64
		ok   bool
	}{
		{"us date", "8/6/1997", "M/D/YYYY", 35648, true},
		{"two-digit year in four-digit field", "8/7/97", "M/D/YYYY", 35649, true},
		{"century window", "1/1/29", "M/D/YY", 47119, true},
		{"century window 30", "1/1/30", "M/D/YY", 10959, true},
		{"padded fields", "08/06/1997", "M/D/YYYY", 35648, true},
		{"iso", "1997-08-06", "YYYY-MM-DD", 35648, true},
		{"compact", "19970806", "YYYYMMDD", 35648, true},
		{"compact short year", "970806", "YYMMDD", 35648, true},
		{"month name", "6 Aug 1997", "D MMM YYYY", 35648, true},
		{"long month name in short field", "6 August 1997", "D MMM YYYY", 35648, true},
		{"month name any case", "6 AUGUST 1997", "D MMMM YYYY", 35648, true},
		{"weekday ignored", "Wed 6 Aug 1997", "WWW D MMM YYYY", 35648, true},
		{"invalid day", "2/30/2024", "M/D/YYYY", 0, false},
		{"leap day", "2/29/2024", "M/D/YYYY", 45351, true},
		{"not leap", "2/29/2023", "M/D/YYYY", 0, false},
		{"month 13", "13/1/2024", "M/D/YYYY", 0, false},
		{"trailing text", "8/6/1997x", "M/D/YYYY", 0, false},
		{"missing year", "8/6", "M/D/YYYY", 0, false},
		{"surrounding blanks", "  8/6/1997 ", "M/D/YYYY", 35648, true},
		{"time", "09:00:00", "hh:mm:ss", 0.375, true},
		{"time pm", "9:00:00 PM", "h:mm:ss TT", 0.875, true},
		{"time 12 am", "12:00:00 AM", "h:mm:ss TT", 0, true},
		{"time 12 pm", "12:30:00 pm", "h:mm:ss TT", 0.5208333333333334, true},
		{"marker optional", "21:00:00", "h:mm:ss TT", 0.875, true},
		{"hour 13 with marker", "13:00:00 PM", "h:mm:ss TT", 0, false},
		{"hour 24", "24:00:00", "hh:mm:ss", 0, false},
		{"minute 60", "10:60", "hh:mm", 0, false},
		{"fractions", "10:00:00.5", "hh:mm:ss.fff", 0.41667245370370373, true},
		{"optional fraction present", "8/6/1997 9:00:00.250 AM", "M/D/YYYY h:mm:ss[.fff] TT", 35648.375002893516, true},
		{"optional fraction absent", "8/6/1997 9:00:00 AM", "M/D/YYYY h:mm:ss[.fff] TT", 35648.375, true},
		{"dotted time", "09.00", "hh.mm", 0.375, true},
		{"wrong separator", "09:00:00", "hh.mm.ss", 0, false},
		{"literal T any case", "1997-08-06t12:00", "YYYY-MM-DDThh:mm", 35648.5, true},
		{"empty text", "", "YYYY", 0, false},
		{"empty code", "1997", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseDate(tt.text, tt.code, &loc)
			require.Equal(t, tt.ok, ok)
			if ok {
				require.InDelta(t, tt.want, got, 1e-9)
			} else {
				require.True(t, math.IsNaN(got))
			}
		})
	}
}

func TestParseInterval(t *testing.T) {
	loc := EngineLocale()
	for _, tt := range []struct {
		text, code string
		want       float64
		ok         bool
	}{
		{"1 09:00", "D hh:mm", 1.375, true},
		{"33:00", "hh:mm", 1.375, true},
		{"-09:00", "hh:mm", -0.375, true},
		{"100:30:15.5", "hh:mm:ss.fff", (100*3600 + 30*60 + 15.5) / 86400, true},
		{"1440", "mm", 1, true},
		{"999999999 12:00", "D hh:mm", 999999999.5, true},
		{"999999999:00", "hh:mm", 999999999.0 / 24, true},
		{"x", "hh:mm", 0, false},
	} {
		got, ok := ParseInterval(tt.text, tt.code, &loc)
		require.Equal(t, tt.ok, ok, tt.text)
		if ok {
			require.InDelta(t, tt.want, got, 1e-12, tt.text)
		}
	}
	v, ok := ParseInterval("33:00:00", "", &loc)
	require.True(t, ok)
	require.InDelta(t, 1.375, v, 1e-12)
}

func TestParseTimestampISO(t *testing.T) {
	loc := DefaultLocale()
	for _, tt := range []struct {
		text string
		want string // Timestamp(x, 'YYYY-MM-DD hh:mm:ss.fff')
		ok   bool
	}{
		{"2015-09-15T12:13:14", "2015-09-15 12:13:14.000", true},
		{"1952-10-16T13:14:00+0200", "1952-10-16 11:14:00.000", true},
		{"1952-10-16T13:14:00+02:00", "1952-10-16 11:14:00.000", true},
		{"1952-10-16T13:14:00-05", "1952-10-16 18:14:00.000", true},
		{"2015-09-15T23:30:00-0100", "2015-09-16 00:30:00.000", true},
		{"1109-03-01T14:15", "1109-03-01 14:15:00.000", true},
		{"2024-01-05 13:45:00.123Z", "2024-01-05 13:45:00.123", true},
		{"2024-01-05", "2024-01-05 00:00:00.000", true},
		{"2024-02-30", "", false},
		{"2024-01-05T", "", false},
		{"2024-01-05T13", "", false},
		{"2024-01-05T13:45:00.", "", false},
		{"2024-01-05T13:45:00+", "", false},
		{"2024-01-05T13:45:00 junk", "", false},
		{"24-01-05", "", false},
	} {
		v, ok := ParseTimestamp(tt.text, "", &loc)
		require.Equal(t, tt.ok, ok, tt.text)
		if ok {
			require.Equal(t, tt.want, FormatTimestamp(v, "YYYY-MM-DD hh:mm:ss.fff", &loc), tt.text)
		}
	}
	// An explicit code does not fall back to ISO.
	_, ok := ParseTimestamp("2015-09-15T12:13:14", "M/D/YYYY h:mm:ss", &loc)
	require.False(t, ok)
}

// TestDateTimeRoundTrip formats serials with several codes and parses them
// back with the same code.
func TestDateTimeRoundTrip(t *testing.T) {
	loc := EngineLocale()
	codes := []string{"YYYY-MM-DD hh:mm:ss.fff", "M/D/YYYY h:mm:ss.fff TT", "DD MMMM YYYY hh:mm:ss.fff", "WWWW D MMM YYYY h:mm:ss.fff tt"}
	for day := -693593.0; day <= 2958465; day += 7919.37 { // years 1 to 9999
		x := math.Round(day*86400000) / 86400000 // whole milliseconds
		for _, code := range codes {
			s := FormatTimestamp(x, code, &loc)
			got, ok := ParseTimestamp(s, code, &loc)
			require.True(t, ok, "%s with %s", s, code)
			require.InDelta(t, x, got, 1e-6, "%s with %s", s, code)
		}
	}
}
