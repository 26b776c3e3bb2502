package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
)

// Answer is what one side of a scenario computed: named parts, each a small
// table of rows. The engine side and the SQL side of a scenario produce the
// same parts in the same order, so Compare can match them one by one.
type Answer struct {
	Parts []*Part
}

// Part is one result of a scenario: the possible values of a list object,
// the rows of a hypercube, or a single total.
//
// The rows of an engine part are materialised lazily (Rows), so turning
// symbols into text is not part of the timed run.
type Part struct {
	// Name says what the part is, e.g. "Product × Sum(Sales)".
	Name string
	// Exact marks the value columns that must agree exactly (counts);
	// the others are compared with a relative tolerance.
	Exact []bool
	rows  []Row
	fill  func() []Row
}

// Row is one row of a part: its key texts (dimension values) and its
// numbers (measures; NaN is NULL).
type Row struct {
	Keys   []string
	Values []float64
}

// NewPart returns a part holding rows (the SQL side builds parts this way).
func NewPart(name string, exact []bool, rows []Row) *Part {
	return &Part{Name: name, Exact: exact, rows: rows}
}

// Rows returns the part's rows sorted by their keys.
func (p *Part) Rows() []Row {
	if p.fill != nil {
		p.rows = p.fill()
		p.fill = nil
	}
	slices.SortFunc(p.rows, func(a, b Row) int { return slices.Compare(a.Keys, b.Keys) })
	return p.rows
}

// statePart returns the possible values (states S, O and L) of a list
// object: what a SQL SELECT DISTINCT under the same filter returns.
func statePart(name string, lo *engine.ListObject) *Part {
	return &Part{Name: name, fill: func() []Row {
		var rows []Row
		for id, st := range lo.States {
			if st == engine.Selected || st == engine.Option || st == engine.Locked {
				rows = append(rows, Row{Keys: []string{lo.Field.Symbols.Dual(uint32(id)).Text}})
			}
		}
		return rows
	}}
}

// cubePart returns the rows of a computed hypercube: the dimension texts
// as keys and the measures as values. A cube without dimensions gives one
// row with no keys.
func cubePart(name string, c *engine.Cube, exact ...bool) *Part {
	return &Part{Name: name, Exact: exact, fill: func() []Row {
		rows := make([]Row, 0, c.Rows())
		for r := range c.Rows() {
			row := Row{Keys: make([]string, len(c.Elem)), Values: make([]float64, len(c.Values))}
			for d := range c.Elem {
				row.Keys[d] = elemText(c, d, c.Elem[d][r])
			}
			for m := range c.Values {
				f, ok := c.Values[m][r].AsNumber()
				if !ok {
					f = math.NaN()
				}
				row.Values[m] = f
			}
			rows = append(rows, row)
		}
		return rows
	}}
}

func elemText(c *engine.Cube, d int, e int32) string {
	switch {
	case e < 0:
		return "NULL"
	case c.DimFields[d] != nil:
		return c.DimFields[d].Symbols.Dual(uint32(e)).Text
	case d < len(c.DimCalc) && int(e) < len(c.DimCalc[d]):
		return c.DimCalc[d][e].Text()
	}
	return fmt.Sprint(e)
}

// FormatKey renders a value the way the engine's generated fields show it,
// so SQL results can be matched with engine results by text: integers
// without a decimal point, other numbers in Qlik's automatic format.
func FormatKey(f float64) string {
	return symbols.FormatNumber(f)
}

// Comparison is the outcome of comparing an engine answer with a SQL
// answer.
type Comparison struct {
	// OK is true when every part has the same keys and every value agrees
	// within the tolerance (exactly for exact columns).
	OK bool
	// MaxRelDiff is the largest relative difference seen in an inexact
	// value column (0 when all agreed bit for bit).
	MaxRelDiff float64
	// Tolerance is the relative tolerance that was applied.
	Tolerance float64
	// Problems lists the first disagreements (at most 10).
	Problems []string
}

// unitRoundoff is u = 2^-53, the relative rounding error of one float64
// operation.
const unitRoundoff = 1.0 / (1 << 53)

// SumTolerance returns the relative tolerance for comparing two sums of n
// floating-point terms computed in different orders. Each recursive sum of
// n terms is within (n-1)·u·Σ|xᵢ| of the exact sum (Higham, Accuracy and
// Stability of Numerical Algorithms, §4.2), so two of them differ by at most
// 2(n-1)·u·Σ|xᵢ|; the data here are non-negative (amounts, prices,
// quantities), so Σ|xᵢ| = |Σxᵢ| and the bound is relative to the result.
// A few more roundings per term (products like price·(1-discount), the
// division of an average) add a small constant, hence 2(n+8)·u. Typical
// differences are far smaller (about √n·u); Compare reports the largest one
// seen next to the bound.
func SumTolerance(n int) float64 {
	return 2 * float64(max(n, 0)+8) * unitRoundoff
}

// Compare matches the parts of an engine answer with those of a SQL answer:
// the same number of parts, the same keys in each, and values that agree
// within tol (relative) or exactly for exact columns. NULL (NaN) only
// matches NULL.
func Compare(eng, sql *Answer, tol float64) Comparison {
	c := Comparison{OK: true, Tolerance: tol}
	fail := func(format string, args ...any) {
		c.OK = false
		if len(c.Problems) < 10 {
			c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
		}
	}
	if len(eng.Parts) != len(sql.Parts) {
		fail("the engine gave %d parts and SQL %d", len(eng.Parts), len(sql.Parts))
		return c
	}
	for i, ep := range eng.Parts {
		sp := sql.Parts[i]
		er, sr := ep.Rows(), sp.Rows()
		if len(er) != len(sr) {
			fail("%s: the engine gave %d rows and SQL %d (engine %s; SQL %s)", ep.Name, len(er), len(sr), sample(er), sample(sr))
			continue
		}
		for r := range er {
			a, b := er[r], sr[r]
			if !slices.Equal(a.Keys, b.Keys) {
				fail("%s: row %d has keys %q in the engine and %q in SQL", ep.Name, r, a.Keys, b.Keys)
				break
			}
			if len(a.Values) != len(b.Values) {
				fail("%s: row %q has %d values in the engine and %d in SQL", ep.Name, a.Keys, len(a.Values), len(b.Values))
				break
			}
			for v := range a.Values {
				x, y := a.Values[v], b.Values[v]
				exact := v < len(ep.Exact) && ep.Exact[v]
				d, ok := agree(x, y, exact, tol)
				c.MaxRelDiff = max(c.MaxRelDiff, d)
				if !ok {
					fail("%s: row %q column %d is %s in the engine and %s in SQL (relative difference %.3g, tolerance %.3g)",
						ep.Name, a.Keys, v+1, fmtNum(x), fmtNum(y), d, tol)
				}
			}
		}
	}
	return c
}

// agree compares two values and returns their relative difference.
func agree(x, y float64, exact bool, tol float64) (float64, bool) {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	if xn || yn {
		return 0, xn == yn
	}
	if x == y {
		return 0, true
	}
	if exact {
		return math.Inf(1), false
	}
	d := math.Abs(x-y) / max(math.Abs(x), math.Abs(y))
	return d, d <= tol
}

func fmtNum(f float64) string {
	if math.IsNaN(f) {
		return "NULL"
	}
	return fmt.Sprintf("%.17g", f)
}

func sample(rows []Row) string {
	var b strings.Builder
	for i, r := range rows {
		if i == 3 {
			b.WriteString(" ...")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strings.Join(r.Keys, "|"))
	}
	return b.String()
}
