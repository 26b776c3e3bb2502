package numfmt

import (
	"testing"
)

var (
	sinkF float64
	sinkB []byte
	sinkS string
)

func BenchmarkInterpret(b *testing.B) {
	us := DefaultLocale()
	for _, c := range []struct{ name, text string }{
		{"kind=int/len=5", "12345"},
		{"kind=int/len=1", "7"},
		{"kind=decimal", "-1234.56"},
		{"kind=thousands", "1,234,567.89"},
		{"kind=exponent", "6.02214076e23"},
		{"kind=long", "3.14159265358979323846"},
		{"kind=text", "Sweden"},
		{"kind=text-with-digits", "A101"},
		{"kind=date", "8/6/1997"},
		{"kind=iso-date", "1997-08-06"},
		{"kind=timestamp", "8/6/1997 9:00:00 AM"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				sinkF, _, _ = Interpret(c.text, &us)
			}
		})
	}
}

func BenchmarkNumberFormat(b *testing.B) {
	for _, c := range []struct {
		name string
		code string
		x    float64
	}{
		{"code=auto", "", 4148.096660000006},
		{"code=grouped", "#,##0.00", 1234567.891},
		{"code=integer", "###0", 1987},
		{"code=percent", "0.0%", 0.256},
		{"code=negative-section", "#,##0;(#,##0)", -1234},
		{"code=scientific", "0.00E+00", 35648.312},
	} {
		f := NumberFormat{Code: c.code, Dec: ".", Thou: ","}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 64)
			for b.Loop() {
				buf = f.Append(buf[:0], c.x)
			}
			sinkB = buf
		})
	}
}

func BenchmarkDateTimeFormat(b *testing.B) {
	loc := DefaultLocale()
	for _, c := range []struct {
		name, code string
		interval   bool
	}{
		{"code=date", "YYYY-MM-DD", false},
		{"code=timestamp", "M/D/YYYY h:mm:ss[.fff] TT", false},
		{"code=names", "WWWW, MMMM D, YYYY", false},
		{"code=interval", "D hh:mm:ss", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 64)
			for b.Loop() {
				buf = AppendDateTime(buf[:0], 35648.375, c.code, &loc, c.interval)
			}
			sinkB = buf
		})
	}
}

func BenchmarkSpecFormat(b *testing.B) {
	loc := DefaultLocale()
	for _, c := range []struct {
		name    string
		spec    Spec
		hasText bool
	}{
		{"type=U/text", Spec{Type: TypeUnknown}, true},
		{"type=U/auto", Spec{Type: TypeUnknown}, false},
		{"type=F/code", Spec{Type: TypeFix, NDec: 2, Fmt: "# ##0", Dec: ",", Thou: " "}, false},
		{"type=R", Spec{Type: TypeReal, NDec: 2, UseThou: 1}, false},
		{"type=D", Spec{Type: TypeDate, Fmt: "YYYY-MM-DD"}, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkS = c.spec.Format(992013.25, "992013.25", c.hasText, &loc)
			}
		})
	}
}

func BenchmarkParseDate(b *testing.B) {
	loc := DefaultLocale()
	b.ReportAllocs()
	for b.Loop() {
		sinkF, _ = ParseDate("2024-01-05", "YYYY-MM-DD", &loc)
	}
}
