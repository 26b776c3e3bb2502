package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
)

// CubeDef is an engine-level hypercube definition (the part of QIX's
// HyperCubeDef the engine computes; the qix layer maps JSON onto it).
type CubeDef struct {
	// State is the selection state ("" = "$").
	State    string
	Dims     []CubeDim
	Measures []CubeMeasure
	// SortOrder lists column indexes (dimensions 0..d-1, then measures) in
	// sort priority; columns not listed follow left to right.
	SortOrder []int
	// SuppressZero drops rows whose measures are all 0 or NULL;
	// SuppressMissing drops rows whose measures are all NULL.
	SuppressZero    bool
	SuppressMissing bool
	// MaxRows bounds the number of rows a cube (or an Aggr) may produce;
	// 0 means DefaultMaxCubeRows.
	MaxRows int
	// Variables resolves $(var) and bare variable names (may be nil).
	Variables func(name string) (expr.Value, bool)
	// DataState, when set, is the selection state the rows and measures
	// are computed in, while value states and counts (Cube.Result) stay
	// those of State: an object in selection mode keeps the rows it showed
	// when the selections began (Session.KeepSelections builds it).
	DataState *State
}

// DefaultMaxCubeRows is the row limit of a cube unless CubeDef.MaxRows
// says otherwise.
const DefaultMaxCubeRows = 10_000_000

// CubeDim is one dimension: a field, or a calculated dimension when Field
// starts with "=".
type CubeDim struct {
	Field           string
	Label           string
	NullSuppression bool
	Sort            SortCriteria
	// SortExpr is the expression of a sort by expression (Sort.Expression).
	SortExpr string
	// Others limits the dimension's values (the rest collapse into one
	// "Others" row, element ElemOthers).
	Others OtherSpec
}

// CubeMeasure is one measure: a chart expression.
type CubeMeasure struct {
	Expr  string
	Label string
	// Sort is the measure's sort criteria (usually Numeric).
	Sort SortCriteria
}

// ErrCubeTooLarge is returned when a cube or Aggr exceeds its row limit.
var ErrCubeTooLarge = errors.New("result too large")

// Cube is a computed straight hypercube.
type Cube struct {
	Def *CubeDef
	// Elem holds, per dimension, the element number of each row
	// (symbol id, -2 for NULL).
	Elem [][]int32
	// Values holds, per measure, the value of each row.
	Values [][]expr.Value
	// Order is the display order of the rows.
	Order []int32
	// Totals are the measures evaluated over the whole scope.
	Totals []expr.Value
	// Errors holds a parse or evaluation error per measure (nil if fine);
	// a failed measure has NULL values.
	Errors []error
	// DimFields are the dimensions' fields (nil for calculated ones).
	DimFields []*Field
	// DimCalc holds, for calculated dimensions, the distinct values by
	// element number.
	DimCalc [][]expr.Value
	// Result is the inference the cube was computed from.
	Result *Result
	// HasOthers reports rows collapsed into "Others" (element ElemOthers).
	HasOthers bool
}

// Rows returns the number of rows.
func (c *Cube) Rows() int { return len(c.Order) }

// ExprError is a positioned expression error.
type ExprError struct {
	Expr      string
	Line, Col int
	Msg       string
}

// Error renders the error with its position.
func (e *ExprError) Error() string {
	return fmt.Sprintf("error in expression %q at %d:%d: %s", e.Expr, e.Line, e.Col, e.Msg)
}

// parseExpr expands $(...) and parses a measure or dimension expression;
// errors carry the position in the expanded text.
func parseExpr(src string, vars func(string) (expr.Value, bool), evalExpand func(string) (expr.Value, error)) (expr.Node, error) {
	src = strings.TrimSpace(src)
	src = strings.TrimPrefix(src, "=")
	expanded, err := expr.Expand(src, expr.ExpandEnv{Variable: vars, Evaluate: evalExpand})
	if err != nil {
		return nil, &ExprError{Expr: src, Line: 1, Col: 1, Msg: err.Error()}
	}
	n, err := expr.Parse(expanded)
	if err == nil {
		err = expr.Check(n)
	}
	if err != nil {
		var el expr.ErrorList
		var e *expr.Error
		switch {
		case errors.As(err, &el) && len(el) > 0:
			return nil, &ExprError{Expr: expanded, Line: el[0].Line, Col: el[0].Col, Msg: el[0].Msg}
		case errors.As(err, &e):
			return nil, &ExprError{Expr: expanded, Line: e.Line, Col: e.Col, Msg: e.Msg}
		}
		return nil, &ExprError{Expr: expanded, Line: 1, Col: 1, Msg: err.Error()}
	}
	return n, nil
}
