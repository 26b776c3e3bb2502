package engine_test

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/engine"
)

// benchRows lists the fact sizes; ASSOC_BENCH_MAX_ROWS caps them (default
// 1e7, `make bench` raises it to 1e8).
func benchRows() []int {
	maxRows := 10_000_000
	if v := os.Getenv("ASSOC_BENCH_MAX_ROWS"); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			maxRows = int(n)
		}
	}
	var out []int
	for _, n := range []int{1_000_000, 10_000_000, 100_000_000} {
		if n <= maxRows {
			out = append(out, n)
		}
	}
	return out
}

var (
	starMu    sync.Mutex
	starCache = map[int]*bench.Star{}
)

func star(b *testing.B, rows int) *bench.Star {
	starMu.Lock()
	defer starMu.Unlock()
	if s, ok := starCache[rows]; ok {
		return s
	}
	s, err := bench.NewStar(bench.StarOptions{FactRows: rows, Dimensions: true})
	if err != nil {
		b.Fatal(err)
	}
	starCache[rows] = s
	return s
}

// BenchmarkSelectCustomerStates is issue 2's headline question: select one
// Region in the 10k-row Customers table, then compute the value states of
// two fields of the fact table (Product and StoreRegion).
func BenchmarkSelectCustomerStates(b *testing.B) {
	for _, rows := range benchRows() {
		b.Run(fmt.Sprintf("rows=%.0e", float64(rows)), func(b *testing.B) {
			st := star(b, rows)
			m := st.Model
			prod, _ := m.Field("Product")
			sreg, _ := m.Field("StoreRegion")
			s := engine.NewSession(m, engine.SessionOptions{})
			regions := []string{"East", "West", "North"}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// Cold: no inference shared from an earlier iteration.
				b.StopTimer()
				m.ClearCaches()
				b.StartTimer()
				ok, err := s.SelectValues("", "Region", []engine.FieldValue{{Text: regions[i%len(regions)]}}, false, false)
				if err != nil || !ok {
					b.Fatal("select failed", err)
				}
				r, _ := s.Result("")
				_ = r.FieldStates(prod.Index)
				_ = r.FieldStates(sreg.Index)
				i++
			}
			facts := m.Stats().PerTable[0]
			b.ReportMetric(facts.BytesPerRow, "fact-B/row")
		})
	}
}

// BenchmarkSelectOneCustomer selects one CustomerID of 10,000 in the fact
// table (0.01 % of its rows) and computes the states of Product: "scan"
// filters the key column row by row (no cache), "index" answers from the
// column's inverted index (built before the timed loop; only the shared
// inference results are cleared between iterations).
func BenchmarkSelectOneCustomer(b *testing.B) {
	for _, rows := range benchRows() {
		for _, mode := range []string{"scan", "index"} {
			b.Run(fmt.Sprintf("rows=%.0e/%s", float64(rows), mode), func(b *testing.B) {
				m := star(b, rows).Model
				prod, _ := m.Field("Product")
				s := engine.NewSession(m, engine.SessionOptions{})
				sel := func(i int) {
					id := i * 37 % 10000
					ok, err := s.SelectValues("", "CustomerID", []engine.FieldValue{{IsNumeric: true, Number: float64(id)}}, false, false)
					if err != nil || !ok {
						b.Fatal("select failed", err)
					}
					r, _ := s.Result("")
					_ = r.FieldStates(prod.Index)
				}
				m.ClearCaches()
				if mode == "index" {
					sel(1) // the first and second selective filters build the index
					m.ClearResults()
					sel(2)
				}
				b.ReportAllocs()
				i := 3
				for b.Loop() {
					b.StopTimer()
					if mode == "scan" {
						m.ClearCaches()
					} else {
						m.ClearResults()
					}
					runtime.GC() // reuse freed memory: no page faults on new row sets
					b.StartTimer()
					sel(i)
					i++
				}
			})
		}
	}
}

// BenchmarkSelectFactValue selects a value of a fact field and computes the
// states of the customer fields (propagation from the fact to a dimension).
func BenchmarkSelectFactValue(b *testing.B) {
	for _, rows := range benchRows() {
		b.Run(fmt.Sprintf("rows=%.0e", float64(rows)), func(b *testing.B) {
			m := star(b, rows).Model
			reg, _ := m.Field("Region")
			ctry, _ := m.Field("Country")
			s := engine.NewSession(m, engine.SessionOptions{})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				b.StopTimer()
				m.ClearCaches()
				b.StartTimer()
				p := bench.ProductName(i % 7)
				if ok, err := s.SelectValues("", "Product", []engine.FieldValue{{Text: p}}, false, false); err != nil || !ok {
					b.Fatal("select failed", err)
				}
				r, _ := s.Result("")
				_ = r.FieldStates(reg.Index)
				_ = r.FieldStates(ctry.Index)
				i++
			}
		})
	}
}

// BenchmarkListObject measures sorting and paging a list object of the
// 10k-value CustomerID field after a selection.
func BenchmarkListObject(b *testing.B) {
	m := star(b, 1_000_000).Model
	s := engine.NewSession(m, engine.SessionOptions{})
	if _, err := s.SelectValues("", "Region", []engine.FieldValue{{Text: "East"}}, false, false); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		lo, err := s.ListObject(engine.ListDef{Field: "CustomerID", Sort: engine.SortCriteria{State: 1, Numeric: 1}})
		if err != nil {
			b.Fatal(err)
		}
		_ = lo.Page(0, 50)
	}
}

func benchCube(b *testing.B, rows int, def *engine.CubeDef, selectRegion bool) {
	m := star(b, rows).Model
	s := engine.NewSession(m, engine.SessionOptions{})
	regions := []string{"East", "West", "North"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Cold: no inference, row values or pre-aggregation from an
		// earlier iteration.
		b.StopTimer()
		m.ClearCaches()
		b.StartTimer()
		if selectRegion {
			if _, err := s.SelectValues("", "Region", []engine.FieldValue{{Text: regions[i%3]}}, false, false); err != nil {
				b.Fatal(err)
			}
		}
		c, err := s.Cube(def)
		if err != nil {
			b.Fatal(err)
		}
		if c.Rows() == 0 {
			b.Fatal("empty cube")
		}
		i++
	}
}

// BenchmarkCubeSelectProductSum: select a customer Region, then
// Product × Sum(Sales) (issue 4: ≤ 15 ms at 10M rows).
func BenchmarkCubeSelectProductSum(b *testing.B) {
	for _, rows := range benchRows() {
		b.Run(fmt.Sprintf("rows=%.0e", float64(rows)), func(b *testing.B) {
			benchCube(b, rows, &engine.CubeDef{
				Dims:     []engine.CubeDim{{Field: "Product"}},
				Measures: []engine.CubeMeasure{{Expr: "Sum(Sales)"}},
			}, true)
		})
	}
}

// BenchmarkCubeCountDistinct: Count(DISTINCT CustomerID) per Product
// (issue 4: ≤ 60 ms at 10M rows).
func BenchmarkCubeCountDistinct(b *testing.B) {
	for _, rows := range benchRows() {
		b.Run(fmt.Sprintf("rows=%.0e", float64(rows)), func(b *testing.B) {
			benchCube(b, rows, &engine.CubeDef{
				Dims:     []engine.CubeDim{{Field: "Product"}},
				Measures: []engine.CubeMeasure{{Expr: "Count(DISTINCT CustomerID)"}},
			}, false)
		})
	}
}

// BenchmarkCubeProductCountrySum: no selection, Product × Country ×
// Sum(Sales), 2k cells (issue 4: ≤ 25 ms at 10M rows).
func BenchmarkCubeProductCountrySum(b *testing.B) {
	for _, rows := range benchRows() {
		b.Run(fmt.Sprintf("rows=%.0e", float64(rows)), func(b *testing.B) {
			benchCube(b, rows, &engine.CubeDef{
				Dims:     []engine.CubeDim{{Field: "Product"}, {Field: "Country"}},
				Measures: []engine.CubeMeasure{{Expr: "Sum(Sales)"}},
			}, false)
		})
	}
}

// BenchmarkCubeSecondPage fetches a cube that is already computed for the
// current selections (issue 4: ≤ 1 ms).
func BenchmarkCubeSecondPage(b *testing.B) {
	m := star(b, 10_000_000).Model
	s := engine.NewSession(m, engine.SessionOptions{})
	def := &engine.CubeDef{
		Dims:     []engine.CubeDim{{Field: "Product"}, {Field: "Country"}},
		Measures: []engine.CubeMeasure{{Expr: "Sum(Sales)"}},
	}
	if _, err := s.CubeCached("product-country", 0, def); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := s.CubeCached("product-country", 0, def)
		if err != nil || c.Rows() < 2000 {
			b.Fatal("cube", err)
		}
		_ = c.Order[50:100]
	}
}
