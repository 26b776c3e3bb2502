package engine_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/engine"
)

var (
	bigStarOnce sync.Once
	bigStar     *bench.Star
	bigStarErr  error
)

// searchStar is the star schema of the largest benchmark size with a
// million customers and a million distinct amounts, so that CustomerID and
// Sales are fields of 1M symbols.
func searchStar(b *testing.B) *engine.Model {
	rows := benchRows()
	bigStarOnce.Do(func() {
		bigStar, bigStarErr = bench.NewStar(bench.StarOptions{FactRows: rows[len(rows)-1],
			Customers: 1_000_000, Amounts: 1_000_000, Dimensions: true})
	})
	if bigStarErr != nil {
		b.Fatal(bigStarErr)
	}
	return bigStar.Model
}

// BenchmarkSearchAll searches every field of the star schema (10M fact
// rows, two fields of 1M symbols) with no selections.
func BenchmarkSearchAll(b *testing.B) {
	m := searchStar(b)
	rows := m.Stats().Rows
	for _, terms := range [][]string{{"a"}, {"1"}, {"product 1"}, {"east", "segment"}, {"east", "product 1"}, {"*9*"}} {
		b.Run(fmt.Sprintf("terms=%q", terms), func(b *testing.B) {
			s := engine.NewSession(m, engine.SessionOptions{})
			b.ReportAllocs()
			groups := 0
			for b.Loop() {
				res, err := s.SearchAll(engine.SearchAllOptions{}, terms)
				if err != nil {
					b.Fatal(err)
				}
				groups = len(res.Groups)
			}
			b.ReportMetric(float64(groups), "groups")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// BenchmarkSearchField is a list object's search over the 1M-symbol
// CustomerID field.
func BenchmarkSearchField(b *testing.B) {
	m := searchStar(b)
	s := engine.NewSession(m, engine.SessionOptions{})
	for _, match := range []string{"12", "*99*", ">=500000"} {
		b.Run(fmt.Sprintf("match=%q", match), func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				fs, err := s.SearchField(nil, "", "CustomerID", match)
				if err != nil {
					b.Fatal(err)
				}
				n = fs.Len()
			}
			b.ReportMetric(float64(n), "matches")
		})
	}
}
