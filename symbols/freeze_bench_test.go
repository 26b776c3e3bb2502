package symbols

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// frozenTables returns tables of n symbols in the three text forms a
// frozen table can keep: plain texts (keys "k123"), implied texts (ids)
// and compressed texts (sentences).
func frozenTables(n int) map[string]*Table {
	rng := rand.New(rand.NewPCG(3, 3))
	plain, implied, compressed := NewTable(), NewTable(), NewTable()
	for i := range n {
		plain.InternText("k" + strconv.Itoa(i*7919))
		implied.InternNum(float64(i*3+100000), "")
		compressed.InternText(sentence(rng) + " " + strconv.Itoa(i))
	}
	for _, t := range []*Table{plain, implied, compressed} {
		t.Freeze()
	}
	plain.decompress() // kept plain for comparison (Freeze compresses it 2x)
	if implied.rule == ruleNone || compressed.z == nil || plain.rule != ruleNone || plain.z != nil {
		panic("frozenTables: not the forms expected")
	}
	return map[string]*Table{"plain": plain, "implied": implied, "compressed": compressed}
}

// BenchmarkFrozenText reads every text of 1M-symbol tables, as a search
// does (TextScratch) and one by one (Text), and looks texts up once the
// index was rebuilt.
func BenchmarkFrozenText(b *testing.B) {
	const n = 1 << 20
	for _, name := range []string{"plain", "implied", "compressed"} {
		t := frozenTables(n)[name]
		b.Run(name+"/scan", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			total := 0
			for b.Loop() {
				for id := range uint32(n) {
					total += len(t.TextScratch(id, &buf))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/text")
			b.ReportMetric(float64(t.Bytes())/n, "B/symbol")
		})
		b.Run(name+"/text", func(b *testing.B) {
			b.ReportAllocs()
			id := uint32(0)
			for b.Loop() {
				_ = t.Text(id)
				id = (id + 7919) % n
			}
		})
		b.Run(name+"/lookup", func(b *testing.B) {
			vals := make([]Dual, 1024)
			for i := range vals {
				vals[i] = t.Dual(uint32(i * 977 % n))
			}
			t.Lookup(vals[0]) // rebuilds the index
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := t.Lookup(vals[i&1023]); !ok {
					b.Fatalf("%q not found", vals[i&1023].Text)
				}
				i++
			}
		})
	}
}
