package qvd

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/symbols"
)

func TestNumberTexter(t *testing.T) {
	tests := []struct {
		name string
		nf   NumberFormat
		num  float64
		want string
	}{
		{"unknown", NumberFormat{Type: "UNKNOWN"}, 1234.5, "1234.5"},
		{"unknown int", NumberFormat{Type: "UNKNOWN"}, -42, "-42"},
		{"unknown 14 digits", NumberFormat{Type: "UNKNOWN"}, 4148.096660000006, "4148.09666"},
		{"empty type", NumberFormat{}, 0.1, "0.1"},
		{"integer no fmt", NumberFormat{Type: "INTEGER", NDec: 2}, 12.5, "12.5"},
		{"fix grouped", NumberFormat{Type: "FIX", Fmt: "#,##0.00", Dec: ".", Thou: ","}, 1234567.891, "1,234,567.89"},
		{"fix grouped small", NumberFormat{Type: "FIX", Fmt: "#,##0.00", Dec: ".", Thou: ","}, 35648, "35,648.00"},
		{"# decimals like 0", NumberFormat{Type: "REAL", Fmt: "#,##0.##"}, 35648, "35,648.00"},
		{"default separators", NumberFormat{Type: "REAL", Fmt: "0.000"}, 2.5, "2.500"},
		{"half away from zero", NumberFormat{Type: "REAL", Fmt: "0.00"}, 2.675, "2.68"},
		{"half away negative", NumberFormat{Type: "REAL", Fmt: "0.00"}, -0.125, "-0.13"},
		{"round carry", NumberFormat{Type: "REAL", Fmt: "0.0"}, 9.96, "10.0"},
		{"no minus zero", NumberFormat{Type: "REAL", Fmt: "0.0"}, -0.01, "0.0"},
		{"min int digits", NumberFormat{Type: "INTEGER", Fmt: "0000"}, 42, "0042"},
		{"integer pattern rounds", NumberFormat{Type: "INTEGER", Fmt: "#,##0"}, 1234.5, "1,235"},
		{"space thousands comma dec", NumberFormat{Type: "FIX", Fmt: "# ##0", Dec: ",", Thou: " "}, 992013, "992 013"},
		{"comma decimals", NumberFormat{Type: "MONEY", Fmt: "kr ##0,00", Dec: ",", Thou: "."}, 12.5, "kr 12,50"},
		{"money prefix", NumberFormat{Type: "MONEY", Fmt: "$ #,##0.00"}, 35648, "$ 35,648.00"},
		{"money negative", NumberFormat{Type: "MONEY", Fmt: "$ #,##0.00"}, -5, "-$ 5.00"},
		{"suffix", NumberFormat{Type: "FIX", Fmt: "#,##0 ¥"}, 1500, "1,500 ¥"},
		{"percent", NumberFormat{Type: "FIX", Fmt: "0.0%"}, 0.256, "25.6%"},
		{"huge", NumberFormat{Type: "FIX", Fmt: "0"}, 1e20, "100000000000000000000"},
		{"sections are not simple", NumberFormat{Type: "FIX", Fmt: "0.00;(0.00)"}, 1.5, "1.5"},
		{"ascii type", NumberFormat{Type: "ASCII", Fmt: "0.00"}, 1.5, "1.5"},
		{"NaN", NumberFormat{Type: "FIX", Fmt: "0.00"}, math.NaN(), "NaN"},
		{"date", NumberFormat{Type: "DATE", Fmt: "YYYY-MM-DD"}, 40182, "2010-01-04"},
		{"date short", NumberFormat{Type: "DATE", Fmt: "YY.MM.DD"}, 35648, "97.08.06"},
		{"date D/M", NumberFormat{Type: "DATE", Fmt: "D/M/YYYY"}, 40182, "4/1/2010"},
		{"date epoch", NumberFormat{Type: "DATE", Fmt: "YYYY-MM-DD"}, 0, "1899-12-30"},
		{"date before epoch", NumberFormat{Type: "DATE", Fmt: "YYYY-MM-DD"}, -1, "1899-12-29"},
		{"timestamp", NumberFormat{Type: "TIMESTAMP", Fmt: "YYYY-MM-DD hh:mm:ss"}, 40182.75, "2010-01-04 18:00:00"},
		{"timestamp fraction", NumberFormat{Type: "TIMESTAMP", Fmt: "YYYY-MM-DD hh:mm:ss.fff"}, 40182.5 + 1.5/86400, "2010-01-04 12:00:01.500"},
		{"timestamp rounds to ms", NumberFormat{Type: "TIMESTAMP", Fmt: "hh:mm:ss"}, 40182 + (86400-0.0001)/86400, "00:00:00"},
		{"time", NumberFormat{Type: "TIME", Fmt: "h:mm"}, 0.375, "9:00"},
		{"month names not simple", NumberFormat{Type: "DATE", Fmt: "DD MMM YYYY"}, 40182, "40182"},
		{"AM/PM not simple", NumberFormat{Type: "TIME", Fmt: "hh:mm TT"}, 0.5, "0.5"},
		{"brackets not simple", NumberFormat{Type: "TIMESTAMP", Fmt: "YYYY-MM-DD hh:mm:ss[.fff]"}, 40182.5, "40182.5"},
		{"out of range date", NumberFormat{Type: "DATE", Fmt: "YYYY-MM-DD"}, 1e9, "1000000000"},
		{"interval not simple", NumberFormat{Type: "INTERVAL", Fmt: "D hh:mm"}, 1.5, "1.5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := newNumberTexter(tc.nf)
			require.Equal(t, tc.want, tx.text(tc.num))
		})
	}
}

func TestPlainIntegerTextsMatchFormatNumber(t *testing.T) {
	vals := []int64{0, 1, -1, 9, 10, 11, 99, 100, 101, 999, 1000, -1000, 12345, math.MaxInt32, math.MinInt32,
		999999999999999, -999999999999999, 100000000000000, 1 << 40}
	for p := int64(1); p < 1e15; p *= 10 {
		vals = append(vals, p-1, p, p+1, -p)
	}
	for _, v := range vals {
		buf := make([]byte, intLen(v))
		putInt(buf, v)
		require.Equal(t, strconv.FormatInt(v, 10), string(buf), "v=%d", v)
		require.Equal(t, symbols.FormatNumber(float64(v)), string(buf), "v=%d", v)
	}
}
