package numfmt

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSpecFormat(t *testing.T) {
	loc := EngineLocale()
	eu := EngineLocale()
	eu.DecimalSep, eu.ThousandSep = ",", "."
	tests := []struct {
		name    string
		spec    Spec
		loc     *Locale
		num     float64
		text    string
		hasText bool
		want    string
	}{
		{"observed F with code", Spec{Type: "F", NDec: 2, Fmt: "# ##0", Dec: ",", Thou: " "}, &loc, 992013, "", false, "992 013"},
		{"observed I with code", Spec{Type: "I", Fmt: "###0", Dec: "."}, &loc, 5, "", false, "5"},
		{"U own text", Spec{Type: "U"}, &loc, 1, "1.0", true, "1.0"},
		{"U auto", Spec{Type: "U"}, &loc, 4148.096660000006, "", false, "4148.09666"},
		{"U auto large", Spec{Type: "U"}, &loc, 46258458.110000014, "", false, "46258458.11"},
		{"empty type is U", Spec{}, &loc, 130, "", false, "130"},
		{"A own text", Spec{Type: "A", Fmt: "0.00"}, &loc, 1, "one", true, "one"},
		{"NaN shows text", Spec{Type: "F", NDec: 2}, &loc, math.NaN(), "n/a", true, "n/a"},
		{"NaN without text", Spec{Type: "F", NDec: 2}, &loc, math.NaN(), "", false, "NaN"},
		{"I without code is unformatted", Spec{Type: "I"}, &loc, 2.5, "", false, "2.5"},
		{"R almost integer", Spec{Type: "R", NDec: 4}, &loc, 14.0000012, "", false, "14"},
		{"R decimals trimmed", Spec{Type: "R", NDec: 4}, &loc, 3.14159, "", false, "3.1416"},
		{"R qnDec 0 is 14 digits", Spec{Type: "R"}, &loc, 1.0 / 3, "", false, "0.33333333333333"},
		{"R with thousands", Spec{Type: "R", NDec: 2, UseThou: 1}, &loc, 1234567.891, "", false, "1,234,567.89"},
		{"R 14 digits with thousands", Spec{Type: "R", UseThou: 1}, &loc, 1234567.891, "", false, "1,234,567.891"},
		{"R locale separators", Spec{Type: "R", NDec: 2, UseThou: 1}, &eu, 1234567.891, "", false, "1.234.567,89"},
		{"R negative rounds to zero", Spec{Type: "R", NDec: 2}, &loc, -0.001, "", false, "0"},
		{"F fixed", Spec{Type: "F", NDec: 2}, &loc, 3.1, "", false, "3.10"},
		{"F grouped with qThou", Spec{Type: "F", NDec: 1, UseThou: 1, Thou: "'", Dec: "."}, &loc, -1234567.25, "", false, "-1'234'567.3"},
		{"F zero decimals", Spec{Type: "F"}, &loc, 2.5, "", false, "3"},
		{"M default", Spec{Type: "M"}, &loc, 35648, "", false, "$ 35648.00"},
		{"M negative section", Spec{Type: "M"}, &loc, -35648, "", false, "-$ 35648.00"},
		{"M with code", Spec{Type: "M", Fmt: "# ##0,00 kr", Dec: ",", Thou: " "}, &loc, 35648, "", false, "35 648,00 kr"},
		{"D default", Spec{Type: "D"}, &loc, 35648, "8/6/97 text ignored", true, "8/6/1997"},
		{"D code", Spec{Type: "D", Fmt: "YYYY-MM-DD"}, &loc, 31908, "", false, "1987-05-11"},
		{"T default", Spec{Type: "T"}, &loc, 0.75, "", false, "6:00:00 PM"},
		{"TS optional fraction", Spec{Type: "TS", Fmt: "YYYY-MM-DD hh:mm:ss[.fff]"}, &loc, 31908.234, "", false, "1987-05-11 05:36:57"},
		{"IV code", Spec{Type: "IV", Fmt: "hh:mm"}, &loc, 1.3, "", false, "31:12"},
		{"IV default", Spec{Type: "IV"}, &loc, 1.375, "", false, "33:00:00"},
		{"long type names", Spec{Type: "DATE", Fmt: "YYYY"}, &loc, 35648, "", false, "1997"},
		{"date code wins over F", Spec{Type: "F", NDec: 2, Fmt: "DD.MM.YYYY"}, &loc, 35648, "", false, "06.08.1997"},
		{"number code wins over D", Spec{Type: "D", Fmt: "#,##0"}, &loc, 35648, "", false, "35,648"},
		{"unknown type", Spec{Type: "XYZ"}, &loc, 7, "seven", true, "seven"},
		{"infinite F", Spec{Type: "F", NDec: 2}, &loc, math.Inf(1), "", false, "+Inf"},
		{"infinite R", Spec{Type: "R", UseThou: 1}, &loc, math.Inf(-1), "", false, "-Inf"},
		{"infinite D", Spec{Type: "D"}, &loc, math.Inf(1), "", false, "+Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.spec.Format(tt.num, tt.text, tt.hasText, tt.loc))
			require.Equal(t, "x"+tt.want, string(tt.spec.Append([]byte("x"), tt.num, tt.text, tt.hasText, tt.loc)))
		})
	}
}

func TestSpecJSON(t *testing.T) {
	var s Spec
	require.NoError(t, json.Unmarshal([]byte(`{"qType":"TIMESTAMP","qnDec":3,"qUseThou":1,"qFmt":"YYYY","qDec":",","qThou":"."}`), &s))
	require.Equal(t, Spec{Type: TypeTimestamp, NDec: 3, UseThou: 1, Fmt: "YYYY", Dec: ",", Thou: "."}, s)
	require.NoError(t, json.Unmarshal([]byte(`{"qType":"R"}`), &s))
	require.Equal(t, Spec{Type: TypeReal, NDec: 10}, s, "absent qnDec is 10")
	err := json.Unmarshal([]byte(`{"qType":"R","qnDec":"x"}`), &s)
	require.ErrorContains(t, err, "cannot read qNumFormat")
	b, err := json.Marshal(Spec{Type: TypeUnknown})
	require.NoError(t, err)
	require.JSONEq(t, `{"qType":"U","qnDec":0,"qUseThou":0}`, string(b))
	for in, want := range map[FieldType]FieldType{"": "U", "u": "U", "interval": "IV", "IV": "IV", "ts": "U", "Money": "M"} {
		require.Equal(t, want, in.Normalize(), in)
	}
}

func TestSpecFor(t *testing.T) {
	loc := DefaultLocale()
	require.Equal(t, Spec{Type: TypeDate, Fmt: "M/D/YYYY"}, SpecFor(KindDate, &loc))
	require.Equal(t, Spec{Type: TypeTimestamp, Fmt: loc.TimestampFormat}, SpecFor(KindTimestamp, &loc))
	require.Equal(t, Spec{Type: TypeTime, Fmt: loc.TimeFormat}, SpecFor(KindTime, &loc))
	require.Equal(t, Spec{Type: TypeInterval, Fmt: "h:mm:ss"}, SpecFor(KindInterval, &loc))
	require.Equal(t, TypeMoney, SpecFor(KindMoney, &loc).Type)
	require.Equal(t, Spec{Type: TypeUnknown}, SpecFor(KindNumber, &loc))
	require.Equal(t, Spec{Type: TypeUnknown}, SpecFor(KindText, &loc))
	// A value interpreted at load time renders back to its display form.
	for _, text := range []string{"8/6/1997", "9:00:00 AM", "8/6/1997 9:00:00 AM", "$ 12.50"} {
		v, ok, kind := Interpret(text, &loc)
		require.True(t, ok, text)
		require.Equal(t, text, SpecFor(kind, &loc).Format(v, "", false, &loc), text)
	}
}
