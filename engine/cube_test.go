package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/symbols"
	"github.com/stretchr/testify/require"
)

// workedModel is the data of semantics §2.10.
func workedModel(t testing.TB) *Model {
	t.Helper()
	b := NewBuilder(Options{})
	add := func(name string, fields []string, rows ...[]any) {
		tb, err := b.NewTable(name, fields...)
		require.NoError(t, err)
		for _, r := range rows {
			for i, v := range r {
				if n, ok := v.(int); ok {
					r[i] = symbols.NumText(float64(n), fmt.Sprint(n))
				}
			}
			require.NoError(t, tb.Append(r...))
		}
	}
	add("Customers", []string{"CustID", "Name", "Country"},
		[]any{"c1", "Alice", "SE"}, []any{"c2", "Bob", "DK"}, []any{"c3", "Cara", "SE"})
	add("Orders", []string{"OrderID", "CustID", "Product", "Amount"},
		[]any{"o1", "c1", "Apple", 10}, []any{"o2", "c1", "Pear", 20},
		[]any{"o3", "c2", "Apple", 5}, []any{"o4", "c4", "Plum", 7})
	add("Products", []string{"Product", "Category"},
		[]any{"Apple", "Pome"}, []any{"Pear", "Pome"}, []any{"Plum", "Stone"}, []any{"Kiwi", "Berry"})
	m, err := b.Build()
	require.NoError(t, err)
	return m
}

// cubeText renders a cube as "dim|dim|measure" rows for comparisons.
func cubeText(c *Cube) []string {
	var out []string
	for _, r := range c.Order {
		var cells []string
		for d := range c.Elem {
			e := c.Elem[d][r]
			switch {
			case e == -2:
				cells = append(cells, "-")
			case c.DimFields[d] != nil:
				cells = append(cells, c.DimFields[d].Symbols.Text(uint32(e)))
			default:
				cells = append(cells, c.DimCalc[d][e].Text())
			}
		}
		for m := range c.Values {
			cells = append(cells, c.Values[m][r].Text())
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

func TestCubeWorkedExample(t *testing.T) {
	m := workedModel(t)
	s := NewSession(m, SessionOptions{})
	def := &CubeDef{
		Dims: []CubeDim{
			{Field: "Country", Sort: SortCriteria{Ascii: 1}},
			{Field: "Product", Sort: SortCriteria{Ascii: 1}},
		},
		Measures: []CubeMeasure{{Expr: "Sum(Amount)"}},
	}
	c, err := s.Cube(def)
	require.NoError(t, err)
	require.Equal(t, []string{"DK|Apple|5", "SE|Apple|10", "SE|Pear|20", "SE|-|0", "-|Kiwi|0", "-|Plum|7"}, cubeText(c))
	require.Equal(t, "42", c.Totals[0].Text())

	def.SuppressZero = true
	c, err = s.Cube(def)
	require.NoError(t, err)
	require.Equal(t, []string{"DK|Apple|5", "SE|Apple|10", "SE|Pear|20", "-|Plum|7"}, cubeText(c))
	def.SuppressZero = false
	def.Dims[0].NullSuppression = true
	c, err = s.Cube(def)
	require.NoError(t, err)
	require.Equal(t, []string{"DK|Apple|5", "SE|Apple|10", "SE|Pear|20", "SE|-|0"}, cubeText(c))
	def.Dims[0].NullSuppression = false

	_, err = s.SelectValues("", "Country", []FieldValue{{Text: "SE"}}, false, false)
	require.NoError(t, err)
	c, err = s.Cube(def)
	require.NoError(t, err)
	require.Equal(t, []string{"SE|Apple|10", "SE|Pear|20", "SE|-|0"}, cubeText(c))
	require.Equal(t, "30", c.Totals[0].Text())
}

func TestSetAnalysisExamples(t *testing.T) {
	m := workedModel(t)
	s := NewSession(m, SessionOptions{})
	for _, tc := range []struct{ expr, want string }{
		{"Sum({<Country={'SE'}>} Amount)", "30"},
		{`Sum({<Product={"A*"}>} Amount)`, "15"},
		{`Sum({<Amount={">=10"}>} Amount)`, "30"},
		{"Sum({<Country-={'SE'}>} Amount)", "5"},
		{"Sum({1-<Country={'SE'}>} Amount)", "12"},
		{"Count({<Name=P({<Product={'Apple'}>} Name)>} DISTINCT CustID)", "2"},
		{"Sum({<Category={'Pome'}, Country={'DK'}>} Amount)", "5"},
		{"Sum(Amount)", "42"},
		{"Count(DISTINCT Product)", "4"},
		{"Avg(Amount)", "10.5"},
		{"Max(Amount)", "20"},
		{"Min(Amount, 2)", "7"},
		{"Only(Category)", "-"},
		{"Sum({<Country={SE}>} Amount) / Sum(Amount)", "0.71428571428571"},
		{"Concat(DISTINCT Country, ',')", "DK,SE"},
		{"Sum({<Country=>} Amount)", "42"},
		{"Sum({<Country={}>} Amount)", "0"},
	} {
		v, err := s.Evaluate("", tc.expr)
		require.NoError(t, err, tc.expr)
		got := v.Text()
		if v.IsNull() {
			got = "-"
		}
		require.Equal(t, tc.want, got, tc.expr)
	}
}

func TestCubeTotalAndAggr(t *testing.T) {
	m := workedModel(t)
	s := NewSession(m, SessionOptions{})
	c, err := s.Cube(&CubeDef{
		Dims: []CubeDim{{Field: "Category", Sort: SortCriteria{Ascii: 1}}},
		Measures: []CubeMeasure{
			{Expr: "Sum(Amount)/Sum(TOTAL Amount)"},
			{Expr: "Count(DISTINCT CustID)"},
			{Expr: "Max(Aggr(Sum(Amount), CustID))"},
		},
		SuppressZero: true,
	})
	require.NoError(t, err)
	require.Equal(t, []string{"Pome|0.83333333333333|2|30", "Stone|0.16666666666667|1|7", "-|0|1|0"}, cubeText(c))
	_ = expr.Null
}

func TestChartContextFunctions(t *testing.T) {
	m := workedModel(t)
	s := NewSession(m, SessionOptions{})
	c, err := s.Cube(&CubeDef{
		Dims: []CubeDim{{Field: "Product", Sort: SortCriteria{Ascii: 1}}},
		Measures: []CubeMeasure{
			{Expr: "Sum(Amount)"},
			{Expr: "RowNo()"},
			{Expr: "Above(Sum(Amount))"},
			{Expr: "Rank(Sum(Amount))"},
			{Expr: "RangeSum(Above(Sum(Amount), 0, RowNo()))"},
			{Expr: "Dimensionality()"},
			{Expr: "NoOfRows()"},
		},
	})
	require.NoError(t, err)
	require.Equal(t, []string{
		"Apple|15|1||2|15|1|4",
		"Kiwi|0|2|15|4|15|1|4",
		"Pear|20|3|0|1|35|1|4",
		"Plum|7|4|20|3|42|1|4",
	}, cubeText(c))

	_, err = s.SelectValues("", "Country", []FieldValue{{Text: "SE"}}, false, false)
	require.NoError(t, err)
	for _, tc := range []struct{ expr, want string }{
		{"GetSelectedCount(Country)", "1"},
		{"GetPossibleCount(Name)", "2"},
		{"GetFieldSelections(Country)", "SE"},
		{"GetAlternativeCount(Country)", "1"},
		{"GetExcludedCount(Name)", "1"},
	} {
		v, err := s.Evaluate("", tc.expr)
		require.NoError(t, err, tc.expr)
		require.Equal(t, tc.want, v.Text(), tc.expr)
	}
}

func TestVariablesInExpressions(t *testing.T) {
	m := workedModel(t)
	vars := map[string]string{
		"vCountry": "SE",
		"vField":   "Amount",
		"vTotal":   "=Sum(Amount)",
		"vLoop":    "=$(vLoop)+1",
		"vSelf":    "=vSelf",
		"vMul":     "$1*$2",
	}
	s := NewSession(m, SessionOptions{Variables: func(name string) (expr.Value, bool) {
		v, ok := vars[name]
		if !ok {
			return expr.Value{}, false
		}
		if f, ok := expr.ParseNumber(v); ok {
			return expr.Dual(f, v), true
		}
		return expr.Str(v), true
	}})
	for _, tc := range []struct{ expr, want string }{
		{"Sum({<Country={'$(vCountry)'}>} $(vField))", "30"},
		{"vTotal / 2", "21"},
		{"$(vTotal) + 1", "43"},
		{"$(vMul(3,7))", "21"},
		{"vSelf", "-"},
	} {
		v, err := s.Evaluate("", tc.expr)
		require.NoError(t, err, tc.expr)
		got := v.Text()
		if v.IsNull() {
			got = "-"
		}
		require.Equal(t, tc.want, got, tc.expr)
	}
	// A self-referencing definition ends (NULL or an error), it never loops.
	v, err := s.Evaluate("", "$(vLoop)")
	require.True(t, err != nil || v.IsNull() || v.HasNum(), "%v %v", v, err)
}

func TestCubeOthers(t *testing.T) {
	m := workedModel(t)
	s := NewSession(m, SessionOptions{})
	def := &CubeDef{
		Dims:     []CubeDim{{Field: "Product", Others: OtherSpec{Mode: OtherCounted, Counted: 2}}},
		Measures: []CubeMeasure{{Expr: "Sum(Amount)"}, {Expr: "Count(OrderID)"}},
	}
	c, err := s.Cube(def)
	require.NoError(t, err)
	require.True(t, c.HasOthers)
	text := func(c *Cube) []string {
		var out []string
		for _, r := range c.Order {
			e := c.Elem[0][r]
			name := "Others"
			if e >= 0 {
				name = c.DimFields[0].Symbols.Text(uint32(e))
			}
			out = append(out, name+"|"+c.Values[0][r].Text()+"|"+c.Values[1][r].Text())
		}
		return out
	}
	// Pear 20 and Apple 15 are kept; Plum 7 and Kiwi 0 collapse (7, 1 order)
	require.Equal(t, []string{"Apple|15|2", "Pear|20|1", "Others|7|1"}, text(c))
	require.Equal(t, "42", c.Totals[0].Text())
	def.Dims[0].Others = OtherSpec{Mode: OtherAbsLimited, Limit: 10, Op: LimitGE}
	c, err = s.Cube(def)
	require.NoError(t, err)
	require.Equal(t, []string{"Apple|15|2", "Pear|20|1", "Others|7|1"}, text(c))
	def.Dims[0].Others.Suppress = true
	c, err = s.Cube(def)
	require.NoError(t, err)
	require.Equal(t, []string{"Apple|15|2", "Pear|20|1"}, text(c))
	// values accumulate until they reach 40% of 42 (16.8): Pear (20) does
	def.Dims[0].Others = OtherSpec{Mode: OtherRelAccTarget, Limit: 0.4}
	c, err = s.Cube(def)
	require.NoError(t, err)
	require.Equal(t, []string{"Pear|20|1", "Others|22|3"}, text(c))
}

// TestCubeDataState: a cube computed in a data state (selection mode)
// keeps the rows of that state while its Result shows the current one.
func TestCubeDataState(t *testing.T) {
	m := workedModel(t)
	s := NewSession(m, SessionOptions{})
	base, err := s.State("")
	require.NoError(t, err)
	_, err = s.SelectValues("", "Country", []FieldValue{{Text: "SE"}}, false, false)
	require.NoError(t, err)
	ds, err := s.KeepSelections("", base, []string{"Country", "=Len(Country)", "Nope"})
	require.NoError(t, err)
	def := &CubeDef{Dims: []CubeDim{{Field: "Country"}}, Measures: []CubeMeasure{{Expr: "Sum(Amount)"}}, DataState: ds}
	cb, err := s.Cube(def)
	require.NoError(t, err)
	require.Equal(t, []string{"SE|30", "DK|5", "-|7"}, cubeText(cb))
	country, _ := m.Field("Country")
	se, _ := country.Symbols.LookupText("SE")
	require.Equal(t, Selected, cb.Result.ValueStateOf(country.Index, se))
	// Without the data state the cube shrinks to the selection.
	def.DataState = nil
	cb, err = s.Cube(def)
	require.NoError(t, err)
	require.Equal(t, []string{"SE|30"}, cubeText(cb))
}
