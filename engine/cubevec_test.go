package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomStar builds a fact table F(K1, K2, Q, R, G) with dimension tables
// D1(K1, A, P) and D2(K2, B): keys are usually unique in their dimension
// (so the fast path applies) and sometimes not, and values mix numbers,
// texts that spell numbers, other texts, zeros and NULLs.
func randomStar(t testing.TB, rng *rand.Rand) (*Model, string) {
	t.Helper()
	b := NewBuilder(Options{NoSystemTables: true})
	var desc strings.Builder
	val := func() any {
		switch x := rng.IntN(12); {
		case x == 0:
			return nil
		case x == 1:
			return fmt.Sprint(rng.IntN(5)) // a text that is a number
		case x == 2:
			return string(rune('a' + rng.IntN(3)))
		default:
			return float64(rng.IntN(7) - 2)
		}
	}
	table := func(name string, fields []string, rows int, key func(r int) any) {
		tb, err := b.NewTable(name, fields...)
		require.NoError(t, err)
		fmt.Fprintf(&desc, "%s(%s):", name, strings.Join(fields, ","))
		for r := 0; r < rows; r++ {
			vals := []any{key(r)}
			for len(vals) < len(fields) {
				vals = append(vals, val())
			}
			require.NoError(t, tb.Append(vals...))
			fmt.Fprintf(&desc, " %v", vals)
		}
		desc.WriteString("\n")
	}
	unique := func(r int) any { return float64(r) }
	dup := func(r int) any { return float64(r / 2) }
	k1 := unique
	if rng.IntN(6) == 0 {
		k1 = dup
	}
	table("D1", []string{"K1", "A", "P"}, 1+rng.IntN(6), k1)
	table("D2", []string{"K2", "B"}, 1+rng.IntN(4), unique)
	ftb, err := b.NewTable("F", "K1", "K2", "Q", "R", "G")
	require.NoError(t, err)
	desc.WriteString("F(K1,K2,Q,R,G):")
	for r, n := 0, 1+rng.IntN(40); r < n; r++ {
		vals := []any{float64(rng.IntN(7)), float64(rng.IntN(5)), val(), val(), float64(rng.IntN(3))}
		require.NoError(t, ftb.Append(vals...))
		fmt.Fprintf(&desc, " %v", vals)
	}
	m, err := b.Build()
	require.NoError(t, err)
	return m, desc.String()
}

// randomArith returns a random arithmetic expression over fields.
func randomArith(rng *rand.Rand, fields []string, depth int) string {
	if depth == 0 || rng.IntN(3) == 0 {
		if rng.IntN(4) == 0 {
			return fmt.Sprint(rng.IntN(4))
		}
		return fields[rng.IntN(len(fields))]
	}
	if rng.IntN(6) == 0 {
		return "-(" + randomArith(rng, fields, depth-1) + ")"
	}
	op := []string{"+", "-", "*", "/"}[rng.IntN(4)]
	return "(" + randomArith(rng, fields, depth-1) + op + randomArith(rng, fields, depth-1) + ")"
}

// TestCubeVectorDifferential compares the fast path's compiled numeric
// expressions with the general evaluator on random stars, with and without
// dimensions, selections and set expressions.
func TestCubeVectorDifferential(t *testing.T) {
	models := 600
	if testing.Short() || raceEnabled {
		models = 150
	}
	rng := rand.New(rand.NewPCG(7, uint64(models)))
	v0, p0 := fastVecCalls.Load(), codePresenceCalls.Load()
	dimsPool := []string{"A", "B", "K1", "Q", "G"}
	for i := 0; i < models; i++ {
		m, desc := randomStar(t, rng)
		s := NewSession(m, SessionOptions{})
		for step := 0; step < 3; step++ {
			op := randomOp(rng, m, s)
			var measures []CubeMeasure
			for range 1 + rng.IntN(3) {
				fn := []string{"Sum", "Avg", "Min", "Max", "Count"}[rng.IntN(5)]
				arg := randomArith(rng, []string{"Q", "R", "P", "Q", "R"}, 3)
				set := ""
				if rng.IntN(3) == 0 {
					set = []string{"{1}", "{$<G={1}>}", "{$<B={1,2}>}"}[rng.IntN(3)]
				}
				measures = append(measures, CubeMeasure{Expr: fmt.Sprintf("%s(%s %s)", fn, set, arg)})
			}
			if rng.IntN(3) == 0 {
				f := []string{"K1", "K2", "A", "Q"}[rng.IntN(4)]
				set := []string{"", "{1}", "{$<G={1}>}"}[rng.IntN(3)]
				measures = append(measures, CubeMeasure{Expr: fmt.Sprintf("Count(%s DISTINCT %s)", set, f)})
			}
			def := &CubeDef{Measures: measures}
			for _, d := range rng.Perm(len(dimsPool))[:rng.IntN(3)] {
				def.Dims = append(def.Dims, CubeDim{Field: dimsPool[d]})
			}
			st, _ := s.State("")
			ctx := fmt.Sprintf("model %d step %d op %s\ncube %v by %v\nselections %s\n%s",
				i, step, op, measures, def.Dims, describeState(m, st), desc)
			var got [2][]string
			var totals [2][]string
			for k, noFast := range []bool{true, false} {
				c, err := s.newChart("", nil, 0)
				require.NoError(t, err)
				c.noFast = noFast
				cb, err := c.cube(def)
				require.NoError(t, err, ctx)
				for _, e := range cb.Errors {
					require.NoError(t, e, ctx)
				}
				got[k] = cubeText(cb)
				for _, v := range cb.Totals {
					totals[k] = append(totals[k], v.Text())
				}
			}
			requireSameCells(t, got[0], got[1], ctx)
			requireSameCells(t, totals[0], totals[1], ctx)
		}
	}
	require.Greater(t, fastVecCalls.Load()-v0, int64(models), "the fast path should compile most measures")
	require.Greater(t, codePresenceCalls.Load()-p0, int64(models/50), "groups from a dimension's values")
}

// TestCubeVectorExample checks compiled expressions against values worked
// out by hand: a product of a fact field and a dimension field, text
// numbers, division by zero and NULLs.
func TestCubeVectorExample(t *testing.T) {
	b := NewBuilder(Options{NoSystemTables: true})
	p, err := b.NewTable("Products", "Product", "Price", "Group")
	require.NoError(t, err)
	require.NoError(t, p.Append("apple", 2.0, "fruit"))
	require.NoError(t, p.Append("pear", "3", "fruit")) // text that is a number
	require.NoError(t, p.Append("kale", 0.0, "veg"))
	f, err := b.NewTable("Sales", "Product", "Qty", "Disc")
	require.NoError(t, err)
	require.NoError(t, f.Append("apple", 10.0, 0.5))
	require.NoError(t, f.Append("apple", 5.0, nil))
	require.NoError(t, f.Append("pear", 4.0, 0.25))
	require.NoError(t, f.Append("kale", 7.0, 0.0))
	require.NoError(t, f.Append("plum", 1.0, 0.0)) // no price
	m, err := b.Build()
	require.NoError(t, err)
	s := NewSession(m, SessionOptions{})
	v0 := fastVecCalls.Load()
	cb, err := s.Cube(&CubeDef{
		Dims: []CubeDim{{Field: "Group"}},
		Measures: []CubeMeasure{
			{Expr: "Sum(Qty*Price*(1-Disc))"},
			{Expr: "Sum(Qty/Price)"},
			{Expr: "Count(Qty*Price)"},
		},
	})
	require.NoError(t, err)
	require.Equal(t, []string{
		"fruit|19|8.8333333333333|3", // 10*2*0.5 + 4*3*0.75; 10/2 + 5/2 + 4/3
		"veg|0|0|1",                  // 7/0 is NULL
		"-|0|0|0",                    // plum has no price
	}, cubeText(cb))
	require.Equal(t, "19", cb.Totals[0].Text())
	require.Greater(t, fastVecCalls.Load(), v0)

	// No dimensions: one row over the fact table (10*0.5 + 4*0.75 + 7 + 1).
	cb, err = s.Cube(&CubeDef{Measures: []CubeMeasure{{Expr: "Sum(Qty*(1-Disc))"}, {Expr: "Max(-Qty)"}}})
	require.NoError(t, err)
	require.Equal(t, []string{"16|-1"}, cubeText(cb))
}

// TestRowNums checks sums over a column of more distinct numbers than the
// row-value cache's threshold against the general path, with and without
// a selection, in expressions and alone.
func TestRowNums(t *testing.T) {
	const n = rowNumsMinCard + 5000
	b := NewBuilder(Options{NoSystemTables: true})
	tb, err := b.NewTable("Facts", "G", "X", "Y")
	require.NoError(t, err)
	for i := 0; i < n; i++ {
		var x any = float64(i) + 0.25
		if i%1000 == 7 {
			x = nil
		}
		require.NoError(t, tb.Append(float64(i%3), x, float64(i%5)))
	}
	m, err := b.Build()
	require.NoError(t, err)
	s := NewSession(m, SessionOptions{})
	b0 := rowNumsBuilt.Load()
	def := &CubeDef{Dims: []CubeDim{{Field: "G"}}, Measures: []CubeMeasure{
		{Expr: "Sum(X)"}, {Expr: "Avg(X)"}, {Expr: "Max(X)"}, {Expr: "Sum(X*(1-Y/10))"}, {Expr: "Sum(X)/Count(X)"},
	}}
	for step := 0; step < 2; step++ {
		// Summation orders differ (the general path adds row by row), so
		// numbers agree to a relative 1e-12, not to the last digit.
		var got [2][]float64
		for k, noFast := range []bool{true, false} {
			c, err := s.newChart("", nil, 0)
			require.NoError(t, err)
			c.noFast = noFast
			cb, err := c.cube(def)
			require.NoError(t, err)
			for _, r := range cb.Order {
				got[k] = append(got[k], float64(cb.Elem[0][r]))
				for m := range cb.Values {
					got[k] = append(got[k], cb.Values[m][r].Number())
				}
			}
			for _, v := range cb.Totals {
				got[k] = append(got[k], v.Number())
			}
		}
		require.Len(t, got[1], len(got[0]))
		for i := range got[0] {
			require.InEpsilon(t, got[0][i]+1, got[1][i]+1, 1e-12, "step %d value %d", step, i)
		}
		_, err := s.SelectValues("", "Y", []FieldValue{{IsNumeric: true, Number: 2}, {IsNumeric: true, Number: 3}}, false, false)
		require.NoError(t, err)
	}
	require.Greater(t, rowNumsBuilt.Load(), b0, "the row-value cache was used")

	// ClearCaches gives the memory back, and the next chart builds the
	// cache again with the same answer.
	// Workers split the rows dynamically, so sums agree to a relative
	// 1e-12, not to the last digit.
	numbers := func(cb *Cube) []float64 {
		var out []float64
		for _, r := range cb.Order {
			out = append(out, float64(cb.Elem[0][r]))
			for m := range cb.Values {
				out = append(out, cb.Values[m][r].Number())
			}
		}
		return out
	}
	before, err := s.newChart("", nil, 0)
	require.NoError(t, err)
	want, err := before.cube(def)
	require.NoError(t, err)
	require.Positive(t, m.rowNumsBytes.Load())
	m.ClearCaches()
	require.Zero(t, m.rowNumsBytes.Load())
	m.cnums.Range(func(k, _ any) bool {
		if _, ok := k.(rowNumsKey); ok {
			t.Errorf("row values %v left", k)
		}
		return true
	})
	b1 := rowNumsBuilt.Load()
	for ask := 1; ask <= cacheAfter; ask++ {
		after, err := s.newChart("", nil, 0)
		require.NoError(t, err)
		got, err := after.cube(def)
		require.NoError(t, err)
		w, g := numbers(want), numbers(got)
		require.Len(t, g, len(w))
		for i := range w {
			require.InEpsilon(t, w[i]+1, g[i]+1, 1e-12, "ask %d value %d", ask, i)
		}
		if ask < cacheAfter {
			require.Equal(t, b1, rowNumsBuilt.Load(), "not built on the first ask after ClearCaches")
		}
	}
	require.Greater(t, rowNumsBuilt.Load(), b1, "the row-value cache was built again")
}

// TestPreAggDifferential runs the vector differential test with
// pre-aggregation forced on wherever it applies.
func TestPreAggDifferential(t *testing.T) {
	preAggAlways = true
	defer func() { preAggAlways = false }()
	u0 := preAggUsed.Load()
	TestCubeVectorDifferential(t)
	require.Greater(t, preAggUsed.Load()-u0, int64(20), "charts answered from pre-aggregations")
}

// TestPreAggOnRepeat checks that a chart shape gets its pre-aggregation
// on its second ask, not its first, that later selections use it, and
// that every answer equals the general path's.
func TestPreAggOnRepeat(t *testing.T) {
	bgRunners.Wait() // builds other tests queued
	backgroundBuilds = false
	defer func() { backgroundBuilds = true }()
	m, def := preAggModel(t)
	s := NewSession(m, SessionOptions{})
	answer := cubeAnswer(t, s, def)
	built, used := preAggBuilt.Load(), preAggUsed.Load()
	for i, region := range []string{"R1", "R2", "R3", "R4"} {
		_, err := s.SelectValues("", "Region", []FieldValue{{Text: region}}, false, false)
		require.NoError(t, err)
		want := answer(true)
		require.Equal(t, want, answer(false), region)
		switch i {
		case 0:
			require.Equal(t, built, preAggBuilt.Load(), "not built on the first ask")
		case 1:
			require.Equal(t, built+1, preAggBuilt.Load(), "built on the second ask")
		}
	}
	require.Equal(t, int64(3), preAggUsed.Load()-used)
	require.Equal(t, built+1, preAggBuilt.Load())
	// ClearCaches forgets both the entry and the asks.
	m.ClearCaches()
	_ = answer(false)
	require.Equal(t, built+1, preAggBuilt.Load())
}

// TestPreAggBackground checks that a chart's first ask queues its
// pre-aggregation, built while the engine is idle, so that the second
// ask uses it without building; and that ClearCaches drops the queue.
func TestPreAggBackground(t *testing.T) {
	bgRunners.Wait() // builds other tests queued
	m, def := preAggModel(t)
	s := NewSession(m, SessionOptions{})
	answer := cubeAnswer(t, s, def)
	built, used, bg := preAggBuilt.Load(), preAggUsed.Load(), bgBuilt.Load()
	_, err := s.SelectValues("", "Region", []FieldValue{{Text: "R1"}}, false, false)
	require.NoError(t, err)
	require.Equal(t, answer(true), answer(false))
	m.WaitBuilds()
	require.Equal(t, built+1, preAggBuilt.Load(), "built in the background")
	require.Equal(t, bg+1, bgBuilt.Load())
	_, err = s.SelectValues("", "Region", []FieldValue{{Text: "R2"}}, false, false)
	require.NoError(t, err)
	require.Equal(t, answer(true), answer(false))
	require.Equal(t, used+1, preAggUsed.Load(), "the second ask used it")
	require.Equal(t, built+1, preAggBuilt.Load(), "and did not build again")
	// ClearCaches drops queued builds: nothing is built after it.
	m.ClearCaches()
	_, err = s.SelectValues("", "Region", []FieldValue{{Text: "R3"}}, false, false)
	require.NoError(t, err)
	_ = answer(false)
	m.ClearCaches()
	m.WaitBuilds()
	require.Equal(t, built+1, preAggBuilt.Load())
}

// cubeAnswer returns a function computing def in s on the fast path or
// (noFast) the general one.
func cubeAnswer(t *testing.T, s *Session, def *CubeDef) func(noFast bool) []string {
	return func(noFast bool) []string {
		c, err := s.newChart("", nil, 0)
		require.NoError(t, err)
		c.noFast = noFast
		cb, err := c.cube(def)
		require.NoError(t, err)
		return cubeText(cb)
	}
}

// preAggModel is a fact table big enough for a pre-aggregation to fit the
// cache budget (half the model), keyed to a Region table, and a chart.
func preAggModel(t *testing.T) (*Model, *CubeDef) {
	b := NewBuilder(Options{NoSystemTables: true})
	facts, err := b.NewTable("Facts", "K", "G", "V")
	require.NoError(t, err)
	// Big enough for the entry to fit the cache budget (half the model).
	for i := 0; i < 100000; i++ {
		require.NoError(t, facts.Append(float64(i%200), float64(i%3), float64(i%97)+0.5))
	}
	keys, err := b.NewTable("Keys", "K", "Region")
	require.NoError(t, err)
	for k := 0; k < 200; k++ {
		require.NoError(t, keys.Append(float64(k), fmt.Sprintf("R%d", k%10)))
	}
	m, err := b.Build()
	require.NoError(t, err)
	return m, &CubeDef{Dims: []CubeDim{{Field: "G"}}, Measures: []CubeMeasure{{Expr: "Sum(V)"}, {Expr: "Count(V)"}}}
}

// TestAskCountersBounded checks that ad hoc chart shapes do not grow the
// ask counters without end, and that ClearCaches drops them.
func TestAskCountersBounded(t *testing.T) {
	m := workedModel(t)
	s := NewSession(m, SessionOptions{})
	countAsks := func() int {
		n := 0
		m.cnums.Range(func(k, _ any) bool {
			if _, ok := k.(askKey); ok {
				n++
			}
			return true
		})
		return n
	}
	for i := 0; i < 2*maxAsks+10; i++ {
		c, err := s.newChart("", nil, 0)
		require.NoError(t, err)
		m.askedAgain(fmt.Sprintf("shape %d", i), c)
	}
	require.LessOrEqual(t, countAsks(), maxAsks)
	require.Equal(t, int64(countAsks()), m.askEntries.Load())
	m.ClearCaches()
	require.Zero(t, countAsks())
	require.Zero(t, m.askEntries.Load())
}

// requireSameCells compares rows of "|"-separated cells, numbers up to
// rounding: the paths add a group's values in different orders (the
// grouped-sum kernel in eight lanes, the general path row by row), so the
// 14th significant digit of a text may differ.
func requireSameCells(t *testing.T, want, got []string, ctx string) {
	t.Helper()
	require.Len(t, got, len(want), ctx)
	for i := range want {
		a, b := strings.Split(want[i], "|"), strings.Split(got[i], "|")
		require.Len(t, b, len(a), ctx)
		for j := range a {
			x, errx := strconv.ParseFloat(a[j], 64)
			y, erry := strconv.ParseFloat(b[j], 64)
			if errx == nil && erry == nil && x != y {
				require.InDelta(t, x, y, 1e-12*max(1, math.Abs(x)), "row %d cell %d\n%s", i, j, ctx)
				continue
			}
			require.Equal(t, a[j], b[j], "row %d cell %d\n%s", i, j, ctx)
		}
	}
}
