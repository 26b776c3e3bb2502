package numfmt

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNumberFormat(t *testing.T) {
	tests := []struct {
		name            string
		x               float64
		code, dec, thou string
		want            string
	}{
		{"auto", 35648.312, "", ".", ",", "35648.312"},
		{"auto comma decimal", 35648.312, "", ",", ".", "35648,312"},
		{"auto exponent", 1.5e20, "", ",", ".", "1,5e+20"},
		{"one decimal", 35648.312, "0.0", ".", ",", "35648.3"},
		{"grouped", 1234567.891, "#,##0.00", ".", ",", "1,234,567.89"},
		{"hash decimals show zeros", 35648, "#,##0.##", ".", ",", "35,648.00"},
		{"space grouping", 992013, "# ##0", ",", " ", "992 013"},
		{"european", 1234.5, "#.##0,00", ",", ".", "1.234,50"},
		{"group by two when dec equals thou", 35648.312, "0,00", ",", ",", "3,56,48"},
		{"group by four", 1245678912, "0000-0000-0000", ".", "-", "0012-4567-8912"},
		{"indian grouping", 1234567, "#,##,##0", ".", ",", "12,34,567"},
		{"mandatory zeros", 123, "0000", ".", ",", "0123"},
		{"lone hash shows zero", 0, "###", ".", ",", "0"},
		{"leading decimal point", 0.5, "#.00", ".", ",", ".50"},
		{"zero with mandatory int", 0.5, "0.00", ".", ",", "0.50"},
		{"half up", 2.5, "0", ".", ",", "3"},
		{"half away from zero", -2.5, "0", ".", ",", "-3"},
		{"half at two decimals", 0.125, "0.00", ".", ",", "0.13"},
		{"shortest decimal rounding", 1.005, "0.00", ".", ",", "1.01"},
		{"shortest decimal rounding 2", 2.675, "0.00", ".", ",", "2.68"},
		{"round carry", 9.999, "0.00", ".", ",", "10.00"},
		{"round carry grouping", 999999.5, "#,##0", ".", ",", "1,000,000"},
		{"negative zero drops sign", -0.001, "0.00", ".", ",", "0.00"},
		{"negative section keeps", -0.001, "0.00;(0.00)", ".", ",", "(0.00)"},
		{"negative section", -1234, "#,##0;(#,##0)", ".", ",", "(1,234)"},
		{"negative prefix literal", -5, "$ #,##0.00", ".", ",", "-$ 5.00"},
		{"money suffix", 3564800, "#,##0 ¥", ".", ",", "3,564,800 ¥"},
		{"literal prefix and suffix", 35648.375, "kr # ##0,00 /st", ",", " ", "kr 35 648,38 /st"},
		{"percent", 0.256, "0.0%", ".", ",", "25.6%"},
		{"percent negative", -0.05, "0%", ".", ",", "-5%"},
		{"positional literals", 5551234, "(###) ###-####", ".", ",", "() 555-1234"},
		{"positional overflow", 123456789012, "000-000", ".", ",", "123456789-012"},
		{"scientific", 35648.312, "0.00E+00", ".", ",", "3.56E+04"},
		{"scientific small", 0.000123, "0.0E+0", ".", ",", "1.2E-4"},
		{"scientific zero", 0, "0.00E+00", ".", ",", "0.00E+00"},
		{"scientific carry", 9.999, "0.00E+0", ".", ",", "1.00E+1"},
		{"scientific minus only", 1234, "0.0e-0", ".", ",", "1.2e3"},
		{"huge grouped", 1e21, "#,##0", ".", ",", "1,000,000,000,000,000,000,000"},
		{"tiny", 1e-300, "0.00", ".", ",", "0.00"},
		{"hex", 255, "(hex)", ".", ",", "ff"},
		{"HEX padded", 255, "(HEX)0000", ".", ",", "00FF"},
		{"hex negative", -255, "(hex)", ".", ",", "-ff"},
		{"hex rounds", 255.5, "(hex)", ".", ",", "100"},
		{"bin", 5, "(bin)", ".", ",", "101"},
		{"oct", 8, "(oct)", ".", ",", "10"},
		{"radix 36", 35, "(r36)", ".", ",", "z"},
		{"roman", 2024, "(ROM)", ".", ",", "MMXXIV"},
		{"roman lower", 1994, "(rom)", ".", ",", "mcmxciv"},
		{"roman zero falls back", 0, "(ROM)", ".", ",", "0"},
		{"dec prefix", 3.14159, "(dec)0.00", ".", ",", "3.14"},
		{"no placeholders", 5, " pcs", ".", ",", "5 pcs"},
		{"multibyte separators", 1234.5, "#’##0٫00", "٫", "’", "1’234٫50"},
		{"NaN", math.NaN(), "0.00", ".", ",", "NaN"},
		{"Inf", math.Inf(1), "0.00", ".", ",", "+Inf"},
		{"-Inf", math.Inf(-1), "#,##0", ".", ",", "-Inf"},
		{"trailing decimal separator", 5, "0.", ".", ",", "5."},
		{"unknown radix is literal", 5, "(xyz)0", ".", ",", "(xyz)5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NumberFormat{Code: tt.code, Dec: tt.dec, Thou: tt.thou}
			require.Equal(t, tt.want, f.Format(tt.x))
			require.Equal(t, "<"+tt.want, string(f.Append([]byte("<"), tt.x)))
		})
	}
}

func TestNumberFormatHugeValues(t *testing.T) {
	f := NumberFormat{Code: "0", Dec: ".", Thou: ","}
	s := f.Format(1e300)
	require.Len(t, s, 301)
	require.True(t, strings.HasPrefix(s, "1000"))
	require.Equal(t, "-"+s, f.Format(-1e300))
	many := NumberFormat{Code: "0." + strings.Repeat("0", 40), Dec: ".", Thou: ","}
	require.Equal(t, "0.1"+strings.Repeat("0", 39), many.Format(0.1))
	require.Equal(t, "179769313486231570000000", NumberFormat{Code: "0", Dec: ".", Thou: ","}.Format(math.MaxFloat64)[:24])
}

func TestNumAndMoneyUseLocale(t *testing.T) {
	loc := EngineLocale()
	loc.DecimalSep, loc.ThousandSep = ",", "."
	require.Equal(t, "1.234,50", Num(1234.5, "#.##0,00", &loc))
	require.Equal(t, "1234,5", Num(1234.5, "", &loc))
	loc.MoneyFormat = "#.##0,00 kr;-#.##0,00 kr"
	loc.MoneyDecimalSep, loc.MoneyThousandSep = ",", "."
	require.Equal(t, "1.234,50 kr", Money(1234.5, "", &loc))
	require.Equal(t, "-1.234,50 kr", Money(-1234.5, "", &loc))
	require.Equal(t, "1.235 kr", Money(1234.5, "#.##0 kr", &loc))
}

func TestNumberParse(t *testing.T) {
	tests := []struct {
		name            string
		text            string
		code, dec, thou string
		want            float64
		ok              bool
	}{
		{"plain", "35648.375", "#.#", ".", ",", 35648.375, true},
		{"grouped", "35,648.375", "#.#", ".", ",", 35648.375, true},
		{"blank grouping", "35 648.312", "#", ".", ",", 35648.312, true},
		{"thousands after decimals", "35.648,3123", "#", ".", ",", 0, false},
		{"bad group", "35 648,31234", "#", ".", ",", 0, false},
		{"money suffix", "35 648,37 kr", "# ##0,00 kr", ",", " ", 35648.37, true},
		{"money prefix", " $35,648.37", " $#", ".", ",", 35648.37, true},
		{"literal optional", "35648.37", "$#,##0.00", ".", ",", 35648.37, true},
		{"negative section", "(1,234)", "#,##0;(#,##0)", ".", ",", -1234, true},
		{"sign before prefix", "-$ 5.00", "$ #,##0.00", ".", ",", -5, true},
		{"sign after prefix", "$ -5.00", "$ #,##0.00", ".", ",", -5, true},
		{"percent", "25.6%", "0.0%", ".", ",", 0.256, true},
		{"percent without code percent", "50%", "0", ".", ",", 0.5, true},
		{"exponent", "1.5e3", "0", ".", ",", 1500, true},
		{"no code", "1 234,5", "", ",", ".", 1234.5, true},
		{"hex", "ff", "(hex)", ".", ",", 255, true},
		{"HEX", "-FF", "(HEX)", ".", ",", -255, true},
		{"bin bad digit", "102", "(bin)", ".", ",", 0, false},
		{"roman", "MMXXIV", "(ROM)", ".", ",", 2024, true},
		{"roman bad", "MMXQ", "(ROM)", ".", ",", 0, false},
		{"empty", "", "0", ".", ",", 0, false},
		{"garbage", "12abc", "0", ".", ",", 0, false},
		{"only sign", "-", "0", ".", ",", 0, false},
		{"long digits", "123456789012345678901234567890", "0", ".", ",", 1.2345678901234568e29, true},
		{"overflow", "1e999", "0", ".", ",", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NumberFormat{Code: tt.code, Dec: tt.dec, Thou: tt.thou}
			got, ok := f.Parse(tt.text)
			require.Equal(t, tt.ok, ok)
			if tt.ok {
				require.InDelta(t, tt.want, got, 1e-9*math.Max(1, math.Abs(tt.want)))
			} else {
				require.True(t, math.IsNaN(got))
			}
		})
	}
}

// TestParseDecimalMatchesStrconv checks the scanner's fast conversion against
// strconv on values around the edges of its exact range.
func TestParseDecimalMatchesStrconv(t *testing.T) {
	inputs := []string{
		"0", "-0", "1", "9007199254740992", "9007199254740993", "18446744073709551615",
		"1234567890123456789", "12345678901234567890", "0.1", "0.3", "1e22", "1e23", "1e-22", "1e-23",
		"123.456e-10", "4148.096660000006", "46258458.110000014", "2.2250738585072014e-308",
		"1.7976931348623157e308", "0.000001", "99999999999999999999999999", ".5", "5.",
		"00000000000000000000000001", "1.00000000000000000000000000001",
	}
	for _, s := range inputs {
		want, err := parseFloatRef(s)
		require.NoError(t, err, s)
		got, ok := parseDecimal(s, ".", ",", false)
		require.True(t, ok, s)
		require.Equal(t, want, got, s)
	}
}

func TestNumberCodeCacheIsBounded(t *testing.T) {
	for i := 0; i < 3*maxCached; i++ {
		NumberFormat{Code: strings.Repeat("0", i%50+1) + "." + strings.Repeat("#", i/50), Dec: ".", Thou: ","}.Format(1)
	}
	require.LessOrEqual(t, numCache.len(), 2*maxCached)
	require.Positive(t, numCache.len())
}

func parseFloatRef(s string) (float64, error) { return strconv.ParseFloat(s, 64) }

func TestCodeCache(t *testing.T) {
	var c codeCache[string, int]
	compiles := 0
	compile := func(k string) int { compiles++; return len(k) }
	require.Equal(t, 3, c.get("abc", compile))
	require.Nil(t, c.read.Load(), "a code used once stays in the dirty map")
	require.Equal(t, 3, c.get("abc", compile))
	require.NotNil(t, c.read.Load(), "a code used again is published")
	require.Equal(t, 3, (*c.read.Load())["abc"])
	require.Equal(t, 1, compiles)

	// Concurrent use (run with -race).
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 2000; i++ {
				k := strings.Repeat("x", i%37)
				if v := c.get(k, func(k string) int { return len(k) }); v != len(k) {
					panic("wrong cached value")
				}
			}
			done <- true
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	require.LessOrEqual(t, c.len(), 2*maxCached)
}
