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

// BenchmarkFreeze measures what Freeze adds to a model's build for 1M
// symbols: checking and dropping rendered texts (ids) and learning and
// applying a compression table (sentences).
func BenchmarkFreeze(b *testing.B) {
	const n = 1 << 20
	rng := rand.New(rand.NewPCG(5, 5))
	sentences := make([]string, n)
	for i := range sentences {
		sentences[i] = sentence(rng) + " " + strconv.Itoa(i)
	}
	for _, name := range []string{"implied", "compressed"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			bytes := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				t := NewTable()
				for j := range n {
					if name == "implied" {
						t.InternNum(float64(j*3+100000), "")
					} else {
						t.InternText(sentences[j])
					}
				}
				bytes = len(t.arena)
				b.StartTimer()
				t.Freeze()
			}
			b.ReportMetric(float64(bytes)/1e6/(b.Elapsed().Seconds()/float64(b.N)), "MB/s")
		})
	}
}
