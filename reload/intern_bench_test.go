package reload

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/assocengine/assoc/engine/numfmt"
)

// BenchmarkTextIntern measures the interning of one text column by kind
// and cardinality (ns per cell).
func BenchmarkTextIntern(b *testing.B) {
	const n = 1 << 18
	kinds := map[string]func(i int) string{
		"int/card=20":      func(i int) string { return strconv.Itoa(1 + (i*7919)%20) },
		"int/card=unique":  func(i int) string { return strconv.Itoa(i + 1) },
		"dec/card=1000":    func(i int) string { return strconv.FormatFloat(float64((i*7919)%1000)/4, 'f', 2, 64) },
		"date/card=3650":   func(i int) string { return fmt.Sprintf("2015-%02d-%02d", 1+(i*7919)%12, 1+(i*31)%28) },
		"text/card=50":     func(i int) string { return fmt.Sprintf("Category %d", (i*7919)%50) },
		"text/card=100000": func(i int) string { return fmt.Sprintf("Customer %06d", (i*7919)%100000) },
	}
	loc := numfmt.DefaultLocale()
	for _, name := range []string{"int/card=20", "int/card=unique", "dec/card=1000", "date/card=3650", "text/card=50", "text/card=100000"} {
		gen := kinds[name]
		cells := make([][]byte, n)
		for i := range cells {
			cells[i] = []byte(gen(i))
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ti := newTextIntern(newField("f"), &loc, "", false)
				for _, c := range cells {
					ti.codeOf(c)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/cell")
		})
	}
}
