package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine"
)

// The oracle answers every star scenario by brute force over the raw
// generator values, with the SQL semantics the scenarios' queries state
// (inner joins, customers without sales kept only where the query reads
// the customers table alone). It checks the scenario definitions and the
// engine together, in every `go test`, without DuckDB.

type factRow struct{ cust, prod, day, sreg, amt int }

type oracle struct {
	o    StarOptions
	rows []factRow
}

func newOracle(o StarOptions) *oracle {
	q := &oracle{o: o}
	for i := range o.FactRows {
		q.rows = append(q.rows, factRow{
			cust: o.FactValue(i, ColCustomer), prod: o.FactValue(i, ColProduct), day: o.FactValue(i, ColDate),
			sreg: o.FactValue(i, ColStoreRegion), amt: o.FactValue(i, ColAmount),
		})
	}
	return q
}

func (q *oracle) region(c int) int  { return q.o.CustomerValue(c, 0) }
func (q *oracle) country(c int) int { return q.o.CustomerValue(c, 2) }
func (q *oracle) year(d int) string { y, _, _ := DayParts(d); return strconv.Itoa(y) }

// distinct lists the distinct keys of the fact rows keep accepts.
func (q *oracle) distinct(name string, keep func(factRow) bool, key func(factRow) string) *Part {
	seen := map[string]bool{}
	var rows []Row
	for _, r := range q.rows {
		if keep(r) && !seen[key(r)] {
			seen[key(r)] = true
			rows = append(rows, Row{Keys: []string{key(r)}})
		}
	}
	return NewPart(name, nil, rows)
}

// customerCountries lists the countries of the customers keep accepts,
// reading the customers table alone.
func (q *oracle) customerCountries(keep func(c int) bool) *Part {
	seen := map[string]bool{}
	var rows []Row
	for c := range q.o.Customers {
		if k := CountryName(q.country(c)); keep(c) && !seen[k] {
			seen[k] = true
			rows = append(rows, Row{Keys: []string{k}})
		}
	}
	return NewPart("Country possible values", nil, rows)
}

type acc struct {
	sum   float64
	n     int
	custs map[int]bool
}

// group aggregates the fact rows keep accepts by key (nil key: one group
// even when empty, as a SQL aggregate without GROUP BY).
func (q *oracle) group(name string, keep func(factRow) bool, key func(factRow) []string,
	out func(*acc) []float64, having func(*acc) bool) *Part {
	groups := map[string]*acc{}
	keys := map[string][]string{}
	if key == nil {
		groups[""] = &acc{custs: map[int]bool{}}
		keys[""] = []string{}
	}
	for _, r := range q.rows {
		if !keep(r) {
			continue
		}
		var k []string
		if key != nil {
			k = key(r)
		}
		id := strings.Join(k, "\x00")
		a := groups[id]
		if a == nil {
			a = &acc{custs: map[int]bool{}}
			groups[id] = a
			keys[id] = k
		}
		a.sum += Amount(r.amt)
		a.n++
		a.custs[r.cust] = true
	}
	var rows []Row
	for id, a := range groups {
		if having == nil || having(a) {
			rows = append(rows, Row{Keys: keys[id], Values: out(a)})
		}
	}
	return NewPart(name, nil, rows)
}

func sumOf(a *acc) []float64         { return []float64{a.sum} }
func distinctCusts(a *acc) []float64 { return []float64{float64(len(a.custs))} }
func sumCount(a *acc) []float64 {
	if a.n == 0 {
		return []float64{0, 0}
	}
	return []float64{a.sum, float64(a.n)}
}

// answer is the oracle's answer to a star scenario.
func (q *oracle) answer(name string) *Answer {
	east, west := 0, 1
	prodKey := func(r factRow) string { return ProductName(r.prod) }
	prodKeys := func(r factRow) []string { return []string{ProductName(r.prod)} }
	inEast := func(r factRow) bool { return q.region(r.cust) == east }
	reads := func(keep func(factRow) bool, countries *Part) *Answer {
		return &Answer{Parts: []*Part{
			countries,
			q.distinct("Year possible values", keep, func(r factRow) string { return q.year(r.day) }),
			q.group("Sum(Sales), Count(Sales)", keep, nil, sumCount, nil),
		}}
	}
	step := max(q.o.Customers/1000, 1)
	many := func(c int) bool { return c%step == 0 && c/step < 1000 }
	search := func(p int) bool { return strings.HasPrefix(ProductName(p), "Product 1") }
	switch name {
	case "star/cycle":
		return &Answer{Parts: []*Part{
			q.distinct("Product possible values", inEast, prodKey),
			q.distinct("StoreRegion possible values", inEast, func(r factRow) string { return RegionName(r.sreg) }),
			q.customerCountries(func(c int) bool { return q.region(c) == east }),
			q.group("Product × Sum(Sales)", inEast, prodKeys, sumOf, nil),
			q.customersPerCountry(func(c int) bool { return q.region(c) == east }),
		}}
	case "star/select-states":
		return &Answer{Parts: []*Part{
			q.distinct("Product possible values", inEast, prodKey),
			q.distinct("StoreRegion possible values", inEast, func(r factRow) string { return RegionName(r.sreg) }),
		}}
	case "star/select-cube":
		return &Answer{Parts: []*Part{q.group("Product × Sum(Sales)", inEast, prodKeys, sumOf, nil)}}
	case "star/select-one":
		keep := func(r factRow) bool { return r.prod == min(7, q.o.Products-1) }
		return reads(keep, q.distinct("Country possible values", keep, func(r factRow) string { return CountryName(q.country(r.cust)) }))
	case "star/select-many":
		return reads(func(r factRow) bool { return many(r.cust) }, q.customerCountries(many))
	case "star/select-search":
		keep := func(r factRow) bool { return search(r.prod) }
		return reads(keep, q.distinct("Country possible values", keep, func(r factRow) string { return CountryName(q.country(r.cust)) }))
	case "star/select-excluded":
		return reads(func(r factRow) bool { return q.region(r.cust) != east },
			q.customerCountries(func(c int) bool { return q.region(c) != east }))
	case "star/alt-state":
		inWest := func(r factRow) bool { return q.region(r.cust) == west }
		return &Answer{Parts: []*Part{
			q.distinct("Product possible values", inWest, prodKey),
			q.group("Product × Sum(Sales) in B", inWest, prodKeys, sumOf, nil),
		}}
	case "star/count-distinct":
		return &Answer{Parts: []*Part{q.group("Product × Count(DISTINCT CustomerID)", func(factRow) bool { return true }, prodKeys, distinctCusts, nil)}}
	case "star/product-country":
		return &Answer{Parts: []*Part{q.group("Product × Country × Sum(Sales)", func(factRow) bool { return true },
			func(r factRow) []string { return []string{ProductName(r.prod), CountryName(q.country(r.cust))} }, sumOf, nil)}}
	case "star/set-analysis":
		return &Answer{Parts: []*Part{q.group("Product × Sum({<Region={'East'}>} Sales)", inEast, prodKeys, sumOf,
			func(a *acc) bool { return a.sum != 0 })}}
	}
	return nil
}

// customersPerCountry counts the customers keep accepts per country,
// reading the customers table alone.
func (q *oracle) customersPerCountry(keep func(c int) bool) *Part {
	n := map[string]int{}
	for c := range q.o.Customers {
		if keep(c) {
			n[CountryName(q.country(c))]++
		}
	}
	var rows []Row
	for k, v := range n {
		rows = append(rows, Row{Keys: []string{k}, Values: []float64{float64(v)}})
	}
	return NewPart("Country × Count(DISTINCT CustomerID)", nil, rows)
}

// runEngine runs a scenario's engine side twice in one session (the second
// run must not see the first one's selections) and returns the answer.
func runEngine(t *testing.T, sc *Scenario, m *engine.Model) *Answer {
	t.Helper()
	s := engine.NewSession(m, engine.SessionOptions{})
	var a *Answer
	for range 2 {
		require.NoError(t, sc.Reset(s))
		var err error
		a, err = sc.Engine(s)
		require.NoError(t, err)
	}
	return a
}

func TestStarScenariosAgreeWithOracle(t *testing.T) {
	tests := []StarOptions{
		{FactRows: 20_000, Customers: 1_500, Dimensions: true},
		// Skewed: some customers buy nothing, some products sell little.
		{FactRows: 30_000, Customers: 3_000, Products: 60, Skew: 1.3, Seed: 7, Dimensions: true},
		// Tiny dimensions: "Product 7" is clamped, one region only.
		{FactRows: 5_000, Customers: 50, Products: 5, Regions: 1, Days: 30, Dimensions: true},
	}
	for _, o := range tests {
		t.Run(fmt.Sprintf("rows=%d/skew=%g/regions=%d", o.FactRows, o.Skew, o.Regions), func(t *testing.T) {
			st, err := NewStar(o)
			require.NoError(t, err)
			q := newOracle(st.Opts)
			ran := 0
			for _, sc := range Scenarios(st.Opts) {
				if sc.Dataset != DatasetStar {
					continue
				}
				if o.Regions == 1 && (sc.Name == "star/select-excluded" || sc.Name == "star/alt-state") {
					continue // nothing to exclude; West does not exist
				}
				want := q.answer(sc.Name)
				require.NotNil(t, want, "no oracle for %s", sc.Name)
				got := runEngine(t, sc, st.Model)
				c := Compare(got, want, SumTolerance(o.FactRows))
				require.True(t, c.OK, "%s: %s", sc.Name, strings.Join(c.Problems, "\n"))
				require.Equal(t, len(sc.SQL), len(got.Parts), "%s: one SQL query per part", sc.Name)
				for i, p := range got.Parts {
					require.Equal(t, sc.SQL[i].Part, p.Name, "%s: part %d", sc.Name, i)
				}
				ran++
			}
			require.Greater(t, ran, 8)
		})
	}
}

// lineitemRows decodes the generated lineitem table through the model's
// columns and symbol tables (not through the engine's inference or cubes).
func lineitemRows(t *testing.T, m *engine.Model) map[string][]float64 {
	t.Helper()
	tb, err := m.Table("lineitem")
	require.NoError(t, err)
	out := map[string][]float64{}
	for i, fi := range tb.Fields {
		f := m.Fields()[fi]
		col := tb.Columns[i]
		vals := make([]float64, tb.Rows)
		for r := range tb.Rows {
			d := f.Symbols.Dual(col.Code(r) - 1)
			vals[r] = d.Num
			if math.IsNaN(d.Num) { // flags: encode the letter
				vals[r] = float64(d.Text[0])
			}
		}
		out[f.Name] = vals
	}
	return out
}

func TestTPCHScenariosAgreeWithOracle(t *testing.T) {
	li, err := NewLineitem(LineitemOptions{ScaleFactor: 0.005, Seed: 3})
	require.NoError(t, err)
	c := lineitemRows(t, li.Model)
	n := li.Rows
	require.Greater(t, n, 20_000)

	// Spec properties of the generator.
	for r := range n {
		ship, receipt := c["l_shipdate"][r], c["l_receiptdate"][r]
		require.Greater(t, receipt, ship)
		flag, status := byte(c["l_returnflag"][r]), byte(c["l_linestatus"][r])
		if receipt <= tpchCurrentDate {
			require.Contains(t, "RA", string(flag))
		} else {
			require.Equal(t, byte('N'), flag)
		}
		require.Equal(t, ship > tpchCurrentDate, status == 'O')
		q := c["l_quantity"][r]
		require.True(t, q >= 1 && q <= 50 && q == math.Trunc(q))
		require.InDelta(t, 0.05, c["l_discount"][r], 0.0500001)
	}

	// Q1 by brute force.
	type q1 struct{ qty, base, disc, charge, dsum float64 }
	groups := map[[2]string]*q1{}
	counts := map[[2]string]int{}
	for r := range n {
		if c["l_shipdate"][r] > 36040 {
			continue
		}
		k := [2]string{string(rune(c["l_returnflag"][r])), string(rune(c["l_linestatus"][r]))}
		g := groups[k]
		if g == nil {
			g = &q1{}
			groups[k] = g
		}
		p, d, tx := c["l_extendedprice"][r], c["l_discount"][r], c["l_tax"][r]
		g.qty += c["l_quantity"][r]
		g.base += p
		g.disc += p * (1 - d)
		g.charge += p * (1 - d) * (1 + tx)
		g.dsum += d
		counts[k]++
	}
	var rows []Row
	for k, g := range groups {
		cnt := float64(counts[k])
		rows = append(rows, Row{Keys: k[:], Values: []float64{g.qty, g.base, g.disc, g.charge, g.qty / cnt, g.base / cnt, g.dsum / cnt, cnt}})
	}
	want1 := &Answer{Parts: []*Part{NewPart("Q1", nil, rows)}}

	var rev float64
	for r := range n {
		sd, d, q := c["l_shipdate"][r], c["l_discount"][r], c["l_quantity"][r]
		if sd >= 34335 && sd < 34700 && d >= 0.05 && d <= 0.07 && q < 24 {
			rev += c["l_extendedprice"][r] * d
		}
	}
	want6 := &Answer{Parts: []*Part{NewPart("Q6", nil, []Row{{Keys: []string{}, Values: []float64{rev}}})}}

	for _, sc := range Scenarios(StarOptions{}) {
		var want *Answer
		switch sc.Name {
		case "tpch/q1":
			want = want1
		case "tpch/q6":
			want = want6
		default:
			continue
		}
		got := runEngine(t, sc, li.Model)
		cmp := Compare(got, want, SumTolerance(n))
		require.True(t, cmp.OK, "%s: %s", sc.Name, strings.Join(cmp.Problems, "\n"))
	}
}

func TestFilter(t *testing.T) {
	all := Scenarios(StarOptions{})
	tests := []struct {
		patterns string
		want     []string
		err      string
	}{
		{patterns: "", want: nil},
		{patterns: "star/cycle", want: []string{"star/cycle"}},
		{patterns: "tpch", want: []string{"tpch/q1", "tpch/q6"}},
		{patterns: "star/select-*, tpch/q6", want: []string{"star/select-states", "star/select-cube", "star/select-one",
			"star/select-many", "star/select-search", "star/select-excluded", "tpch/q6"}},
		{patterns: "*/count-distinct", want: []string{"star/count-distinct"}},
		{patterns: "star/nope", err: `no scenario matches "star/nope"`},
		{patterns: "[", err: `cannot use scenario pattern "["`},
	}
	for _, tt := range tests {
		t.Run(tt.patterns, func(t *testing.T) {
			got, err := Filter(all, tt.patterns)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			if tt.want == nil {
				require.Len(t, got, len(all))
				return
			}
			var names []string
			for _, sc := range got {
				names = append(names, sc.Name)
			}
			require.Equal(t, tt.want, names)
		})
	}
	require.Equal(t, []Dataset{DatasetStar, DatasetTPCH, DatasetFlights}, Datasets(all))
}

func TestScenarioNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, sc := range Scenarios(StarOptions{}) {
		require.False(t, seen[sc.Name], sc.Name)
		seen[sc.Name] = true
		require.True(t, strings.HasPrefix(sc.Name, string(sc.Dataset)+"/"), sc.Name)
		require.NotEmpty(t, sc.About)
		require.NotEmpty(t, sc.SQL)
	}
}
