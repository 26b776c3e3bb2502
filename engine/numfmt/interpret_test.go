package numfmt

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInterpret(t *testing.T) {
	us := DefaultLocale()
	eu := EngineLocale()
	require.NoError(t, eu.Apply(map[string]string{
		VarDecimalSep: ",", VarThousandSep: ".", VarDateFormat: "DD.MM.YYYY", VarTimeFormat: "hh:mm:ss",
		VarTimestampFormat: "DD.MM.YYYY hh:mm:ss", VarMoneyFormat: "#.##0,00 €;-#.##0,00 €",
		VarMoneyDecimalSep: ",", VarMoneyThousandSep: ".",
	}))
	tests := []struct {
		name string
		loc  *Locale
		text string
		want float64
		kind Kind
	}{
		{"integer", &us, "12345", 12345, KindNumber},
		{"decimal", &us, "123.45", 123.45, KindNumber},
		{"negative", &us, "-0.5", -0.5, KindNumber},
		{"plus", &us, "+7", 7, KindNumber},
		{"leading point", &us, ".25", 0.25, KindNumber},
		{"trailing point", &us, "5.", 5, KindNumber},
		{"leading zeros", &us, "007", 7, KindNumber},
		{"blanks", &us, " 42\t", 42, KindNumber},
		{"exponent", &us, "1e3", 1000, KindNumber},
		{"exponent upper signed", &us, "-2.5E-3", -0.0025, KindNumber},
		{"thousands", &us, "1,234,567.89", 1234567.89, KindNumber},
		{"thousands only", &us, "1,000", 1000, KindNumber},
		{"many digits", &us, "123456789012345678901234567890", 1.2345678901234568e29, KindNumber},
		{"big exponent", &us, "1e300", 1e300, KindNumber},
		{"european number", &eu, "1.234,5", 1234.5, KindNumber},
		{"european decimal", &eu, "0,25", 0.25, KindNumber},
		{"us date", &us, "8/6/1997", 35648, KindDate},
		{"us date padded", &us, "08/06/1997", 35648, KindDate},
		{"us time", &us, "9:00:00 AM", 0.375, KindTime},
		{"us timestamp", &us, "8/6/1997 9:00:00 AM", 35648.375, KindTimestamp},
		{"us timestamp with ms", &us, "8/6/1997 9:00:00.500 AM", 35648.375005787035, KindTimestamp},
		{"iso date", &us, "1982-05-30", 30101, KindDate},
		{"iso timestamp", &us, "1987-05-11 05:36:57", 31908.234, KindTimestamp},
		{"iso T and zone", &us, "2024-01-05T13:45:00Z", 45296.572916666664, KindTimestamp},
		{"money", &us, "$ 12.50", 12.5, KindMoney},
		{"money negative", &us, "-$ 12.50", -12.5, KindMoney},
		{"money no space", &us, "$12.50", 12.5, KindMoney},
		{"european date", &eu, "06.08.1997", 35648, KindDate},
		{"european time", &eu, "09:00:00", 0.375, KindTime},
		{"european money", &eu, "1.234,50 €", 1234.5, KindMoney},
		{"european iso", &eu, "1997-08-06", 35648, KindDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, kind := Interpret(tt.text, tt.loc)
			require.True(t, ok)
			require.Equal(t, tt.kind, kind)
			require.InDelta(t, tt.want, got, 1e-9*math.Max(1, math.Abs(tt.want)))
		})
	}
}

func TestInterpretText(t *testing.T) {
	us := DefaultLocale()
	for _, text := range []string{
		"", " ", "abc", "Sweden", "1,23", "1,0000", "12abc", "1e", "1e+", "-", "+", ".", "1.2.3",
		"1 000", "0x1F", "Inf", "NaN", "infinity", "1_000", "--1", "1e400", "2/30/2024", "13/1/2024",
		"25:00:00", "$", "$ abc", "12.50 $x", "8/6", "1982-13-01", "A101", "1,,000", ",100",
	} {
		v, ok, kind := Interpret(text, &us)
		require.False(t, ok, "%q read as %v (%v)", text, v, kind)
		require.True(t, math.IsNaN(v), text)
		require.Equal(t, KindText, kind, text)
	}
}

func TestInterpretNumberDoesNotAllocate(t *testing.T) {
	us := DefaultLocale()
	eu := EngineLocale()
	eu.DecimalSep, eu.ThousandSep = ",", "."
	for _, c := range []struct {
		loc  *Locale
		text string
	}{{&us, "12345"}, {&us, "-123.45"}, {&us, "1,234,567.89"}, {&us, "1e3"}, {&eu, "1.234,5"}, {&us, "abc"}} {
		allocs := testing.AllocsPerRun(100, func() { Interpret(c.text, c.loc) })
		require.Zero(t, allocs, c.text)
	}
}

func TestKindString(t *testing.T) {
	require.Equal(t, "timestamp", KindTimestamp.String())
	require.Equal(t, "unknown", Kind(200).String())
	v, ok := InterpretNumber("1,000.5", &Locale{DecimalSep: ".", ThousandSep: ","})
	require.True(t, ok)
	require.Equal(t, 1000.5, v)
}

// TestNothingPanics throws odd codes and values at every entry point.
func TestNothingPanics(t *testing.T) {
	loc := DefaultLocale()
	codes := []string{
		"", "[", "]", "[[", "]]", "[YYYY", "YYYY]", "[]", ";", ";;", "0;", ";0", "#;#;#", "E+", "0E+", "0.0E-",
		"%", "%%0%", "(", "(hex", "(hex)", "(r1)", "(r37)", "(r99)", "()", "(rom)0", "0.", ".", ",", "#,", ",#",
		"0,", "0.#.#", "TTTT", "tt", "T", "ffffffffffffffff", "YYYYYYYYYYYY", "MMMMMMMM", "hhhhhhhh", "WWWWWW",
		"\xff\xfe", "日付YYYY年", strings.Repeat("0", 400), strings.Repeat("[Y", 50), "D hh:mm:ss.fff TT",
	}
	values := []float64{0, -0.0, 1, -1, 0.5, 1e-320, 1e308, -1e308, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.NaN(), math.Inf(1), math.Inf(-1), MaxSerial, -MaxSerial, 35648.99999999999, -693594.5}
	texts := []string{"", "0", "12:00", "1/1/2000", "abc", "99999999999999999999:99", "-", "[", "2000-01-01T25:00",
		"\xff", "１２", "1 2 3", strings.Repeat("9", 400)}
	for _, code := range codes {
		for _, dec := range []string{".", ",", "", code} {
			nf := NumberFormat{Code: code, Dec: dec, Thou: ","}
			for _, x := range values {
				_ = nf.Format(x)
				_ = FormatDate(x, code, &loc)
				_ = FormatInterval(x, code, &loc)
				_ = Spec{Type: "D", Fmt: code}.Format(x, "t", true, &loc)
				_ = Spec{Type: "R", NDec: 1000, UseThou: 1, Fmt: ""}.Format(x, "", false, &loc)
			}
			for _, s := range texts {
				_, _ = nf.Parse(s)
				_, _ = ParseDate(s, code, &loc)
				_, _ = ParseInterval(s, code, &loc)
			}
		}
	}
	for _, s := range texts {
		_, _, _ = Interpret(s, &loc)
	}
}

// A pathological code with many adjacent numeric fields must not blow up
// the backtracking parser.
func TestParseBacktrackingIsBounded(t *testing.T) {
	loc := EngineLocale()
	code := strings.Repeat("hmsD", 20)
	text := strings.Repeat("1", 80) + "x"
	_, ok := ParseInterval(text, code, &loc)
	require.False(t, ok)
}

func FuzzInterpret(f *testing.F) {
	for _, s := range []string{"12345", "-1,234.5", "1e3", "8/6/1997", "9:00:00 AM", "8/6/1997 9:00:00 AM",
		"1982-05-30", "2024-01-05T13:45:00+02:00", "$ 12.50", "abc", "1,00"} {
		f.Add(s)
	}
	us := DefaultLocale()
	f.Fuzz(func(t *testing.T, s string) {
		v, ok, kind := Interpret(s, &us)
		if ok == math.IsNaN(v) || ok == (kind == KindText) {
			t.Fatalf("Interpret(%q) = %v, %v, %v", s, v, ok, kind)
		}
		if kind == KindNumber && !math.IsInf(v, 0) {
			// The automatic rendering (14 significant digits) reads back as
			// nearly the same number.
			back, ok2 := InterpretNumber(NumberFormat{Dec: ".", Thou: ","}.Format(v), &us)
			if !ok2 || math.Abs(back-v) > 1e-13*math.Abs(v) {
				t.Fatalf("%q -> %v -> %v (%v)", s, v, back, ok2)
			}
		}
	})
}

func FuzzNumberFormat(f *testing.F) {
	for _, c := range []string{"#,##0.00", "0.0%", "#,##0;(#,##0)", "(hex)", "0.00E+00", "kr # ##0,00", "0000-0000"} {
		f.Add(c, 1234.5678)
	}
	f.Fuzz(func(t *testing.T, code string, x float64) {
		nf := NumberFormat{Code: code, Dec: ".", Thou: ","}
		s := nf.Format(x)
		_, _ = nf.Parse(s)
	})
}

func FuzzDateTime(f *testing.F) {
	for _, c := range []string{"YYYY-MM-DD hh:mm:ss[.fff]", "M/D/YYYY h:mm:ss TT", "D hh:mm", "WWWW MMMM D"} {
		f.Add(c, 35648.375, "8/6/1997 9:00:00 AM")
	}
	loc := DefaultLocale()
	f.Fuzz(func(t *testing.T, code string, x float64, text string) {
		s := FormatTimestamp(x, code, &loc)
		_ = FormatInterval(x, code, &loc)
		_, _ = ParseTimestamp(s, code, &loc)
		_, _ = ParseTimestamp(text, code, &loc)
		_, _ = ParseInterval(text, code, &loc)
	})
}
