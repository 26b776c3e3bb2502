package reload

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/reload/qvd"
	"github.com/assocengine/assoc/symbols"
	"github.com/stretchr/testify/require"
)

func mustRun(t *testing.T, req Request) *Result {
	t.Helper()
	res, err := Run(context.Background(), req)
	require.NoError(t, err)
	return res
}

// cell returns the value of field name in row r of table tn (ok false for
// NULL).
func cell(t *testing.T, m *engine.Model, tn, name string, r int) (symbols.Dual, bool) {
	t.Helper()
	tb, err := m.Table(tn)
	require.NoError(t, err)
	f, err := m.Field(name)
	require.NoError(t, err)
	col := tb.Column(f.Index)
	require.NotNil(t, col, "table %s has no field %s", tn, name)
	c := col.Code(r)
	if c == 0 {
		return symbols.NullDual, false
	}
	return f.Symbols.Dual(c - 1), true
}

// TestQVDMatchesCSV loads a QVD written by Qlik Sense and its CSV twin:
// every value must be the same number (the QVD keeps its own texts).
func TestQVDMatchesCSV(t *testing.T) {
	q := mustRun(t, testRequest(t, "Q: LOAD * FROM [lib://data/AAPL.qvd] (qvd);"))
	c := mustRun(t, testRequest(t, "C: LOAD * FROM [lib://data/AAPL.csv] (txt, utf8, embedded labels, delimiter is ',');"))
	qt, err := q.Model.Table("Q")
	require.NoError(t, err)
	ct, err := c.Model.Table("C")
	require.NoError(t, err)
	require.Equal(t, ct.Rows, qt.Rows)
	require.Equal(t, 2746, qt.Rows)
	names := []string{"Date", "Open", "High", "Low", "Close", "Volume", "Dividends", "Stock Splits"}
	for _, name := range names {
		for r := 0; r < qt.Rows; r++ {
			qv, qok := cell(t, q.Model, "Q", name, r)
			cv, cok := cell(t, c.Model, "C", name, r)
			require.Equal(t, cok, qok, "%s row %d", name, r)
			if name == "Date" {
				// The CSV's ISO dates are interpreted as dates, the QVD
				// holds them as text.
				require.Equal(t, cv.Text, qv.Text, "%s row %d", name, r)
				continue
			}
			require.True(t, qv.IsNum() && cv.IsNum(), "%s row %d: %v %v", name, r, qv, cv)
			require.InDelta(t, cv.Num, qv.Num, 1e-9*math.Max(1, math.Abs(cv.Num)), "%s row %d", name, r)
		}
	}
}

// TestQVDOptimizedLoad checks that a plain QVD load keeps the file's
// symbols in their order and with their types, NULLs included.
func TestQVDOptimizedLoad(t *testing.T) {
	path, err := filepath.Abs("testdata/data/test_qvd_null.qvd")
	require.NoError(t, err)
	qt, err := qvd.ReadFile(path, qvd.Options{})
	require.NoError(t, err)
	res := mustRun(t, testRequest(t, "T: LOAD * FROM [lib://data/test_qvd_null.qvd] (qvd);"))
	m := res.Model
	for _, qf := range qt.Fields {
		if len(qf.Symbols) == 0 {
			// An all-NULL field has no values; the model keeps the field.
			f, err := m.Field(qf.Name)
			require.NoError(t, err)
			require.Equal(t, 0, f.Cardinal())
			continue
		}
		f, err := m.Field(qf.Name)
		require.NoError(t, err)
		require.Equal(t, len(qf.Symbols), f.Cardinal(), qf.Name)
		for i, d := range qf.Symbols {
			got := f.Symbols.Dual(uint32(i))
			require.Equal(t, d.Text, got.Text, "%s symbol %d", qf.Name, i)
			require.Equal(t, d.IsNum(), got.IsNum(), "%s symbol %d", qf.Name, i)
		}
		for r := 0; r < qt.Records; r++ {
			want, wok := qf.Value(r)
			got, gok := cell(t, m, "T", qf.Name, r)
			require.Equal(t, wok, gok, "%s row %d", qf.Name, r)
			require.Equal(t, want.Text, got.Text, "%s row %d", qf.Name, r)
		}
	}
}

// TestStoreRoundTrip stores a table with numbers, texts, duals and NULLs
// as QVD and as CSV and loads both back.
func TestStoreRoundTrip(t *testing.T) {
	script := `
T:
LOAD N, Txt, If(N > 1, Date(40000 + N, 'YYYY-MM-DD')) AS D, Dual(Txt, N * 10) AS Du INLINE [
N, Txt
1, one
2, "two, with comma"
3, ""
];
STORE T INTO [lib://out/t.qvd] (qvd);
STORE N, Txt AS Text FROM T INTO [lib://out/t.csv] (txt, delimiter is ';');
Q: NOCONCATENATE LOAD N AS QN, Txt AS QTxt, D AS QD, Du AS QDu FROM [lib://out/t.qvd] (qvd);
C: LOAD N AS CN, Text AS CText FROM [lib://out/t.csv] (txt, delimiter is ';', msq);
`
	res := mustRun(t, testRequest(t, script))
	m := res.Model
	for r := 0; r < 3; r++ {
		for _, p := range [][2]string{{"N", "QN"}, {"Txt", "QTxt"}, {"D", "QD"}, {"Du", "QDu"}} {
			a, aok := cell(t, m, "T", p[0], r)
			b, bok := cell(t, m, "Q", p[1], r)
			require.Equal(t, aok, bok, "%s row %d", p[0], r)
			require.Equal(t, a.Text, b.Text, "%s row %d", p[0], r)
			require.Equal(t, a.IsNum(), b.IsNum(), "%s row %d", p[0], r)
			if a.IsNum() {
				require.Equal(t, a.Num, b.Num, "%s row %d", p[0], r)
			}
		}
		for _, p := range [][2]string{{"N", "CN"}, {"Txt", "CText"}} {
			a, _ := cell(t, m, "T", p[0], r)
			b, _ := cell(t, m, "C", p[1], r)
			require.Equal(t, a.Text, b.Text, "%s row %d", p[0], r)
		}
	}
	d, ok := cell(t, m, "Q", "QD", 1)
	require.True(t, ok)
	require.Equal(t, symbols.NumText(40002, "2009-07-08"), d)
	_, ok = cell(t, m, "Q", "QD", 0)
	require.False(t, ok)
}

// TestExcelMatchesCSV loads the Excel sheet of the core-data-loading
// example and its CSV twin: every cell must hold the same value (an empty
// CSV cell is an empty text, an empty Excel cell NULL).
func TestExcelMatchesCSV(t *testing.T) {
	x := mustRun(t, testRequest(t, "X: LOAD * FROM [lib://data/airports.xlsx] (ooxml, embedded labels, table is Airports);"))
	c := mustRun(t, testRequest(t, "C: LOAD * FROM [lib://data/airports.csv] (txt, utf8, embedded labels, delimiter is ',');"))
	xt, err := x.Model.Table("X")
	require.NoError(t, err)
	ct, err := c.Model.Table("C")
	require.NoError(t, err)
	require.Equal(t, ct.Rows, xt.Rows)
	for _, fi := range ct.Fields {
		name := c.Model.Fields()[fi].Name
		for r := 0; r < ct.Rows; r++ {
			cv, _ := cell(t, c.Model, "C", name, r)
			xv, xok := cell(t, x.Model, "X", name, r)
			if !xok {
				require.Equal(t, "", cv.Text, "%s row %d", name, r)
				continue
			}
			require.Equal(t, cv.IsNum(), xv.IsNum(), "%s row %d: %v %v", name, r, cv, xv)
			if cv.IsNum() {
				require.InDelta(t, cv.Num, xv.Num, 1e-9, "%s row %d", name, r)
			} else if isASCII(cv.Text) {
				// (The sheet holds a few non-ASCII names mis-decoded by
				// whoever made it from the CSV; those are not compared.)
				require.Equal(t, cv.Text, xv.Text, "%s row %d", name, r)
			}
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TestQVDOptimizedLoadThenIntern loads a QVD optimized into fields that
// have no symbols yet (appended without lookups) and into a field that
// has some, then loads more rows into the same fields: values are found
// again, new ones added once, and the tables associate on the key.
func TestQVDOptimizedLoadThenIntern(t *testing.T) {
	script := `
T: LOAD K, V INLINE [
K, V
1, a
2, b
3, c
];
STORE T INTO [lib://out/t.qvd] (qvd);
DROP TABLE T;
P: LOAD * INLINE [
V
c
z
];
Q: LOAD K, V FROM [lib://out/t.qvd] (qvd);
R: LOAD * INLINE [
K, W
2, x
4, y
];
`
	res := mustRun(t, testRequest(t, script))
	m := res.Model
	k, err := m.Field("K")
	require.NoError(t, err)
	require.Equal(t, 4, k.Cardinal(), "K: 1, 2, 3 from the QVD and 4")
	v, err := m.Field("V")
	require.NoError(t, err)
	require.Equal(t, 4, v.Cardinal(), "V: c, z, then a, b from the QVD")
	for i, want := range []string{"1", "2", "3", "4"} {
		require.Equal(t, want, k.Symbols.Text(uint32(i)))
	}
	id, ok := k.Symbols.LookupNum(2)
	require.True(t, ok)
	require.Equal(t, uint32(1), id)
	// Selecting K=2 keeps R's row x: the tables share K's symbols.
	s := engine.NewSession(m, engine.SessionOptions{})
	_, err = s.SelectValues("", "K", []engine.FieldValue{{IsNumeric: true, Number: 2}}, false, false)
	require.NoError(t, err)
	lo, err := s.ListObject(engine.ListDef{Field: "W"})
	require.NoError(t, err)
	var possible []string
	for _, id := range lo.Order {
		if st := lo.States[id]; st == engine.Option || st == engine.Selected {
			possible = append(possible, lo.Field.Symbols.Text(id))
		}
	}
	require.Equal(t, []string{"x"}, possible)
}
