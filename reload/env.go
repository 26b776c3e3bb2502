package reload

import (
	"time"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
)

// rowEnv is the expression environment of the load script: the current
// input row of a LOAD level (or none, for SET/LET, IF conditions and
// $(=...)), the variables, and the script functions. Errors found while
// evaluating (an unknown mapping table, say) are kept in err, since Eval
// itself never fails.
type rowEnv struct {
	it *interp
	lv *level // nil outside a LOAD

	b     batch        // bottom level: the current batch ...
	r     int          // ... and record
	vals  []expr.Value // upper levels: the row from the level below
	slots []int        // FieldRef.Index -> input column, for the expression being evaluated

	iter  int
	recNo int64
	rowNo int64
	grp   *group // set while an aggregating level computes its output
	gen   map[*expr.Call]expr.Value

	err error
}

// scriptEnv is the environment without a row.
type scriptEnv = rowEnv

var (
	_ expr.ContextEnv  = (*rowEnv)(nil)
	_ engine.LocaleEnv = (*rowEnv)(nil)
	_ engine.ClockEnv  = (*rowEnv)(nil)
)

// Locale returns the number interpretation settings of the script
// variables, for the formatting and date functions.
func (e *rowEnv) Locale() *numfmt.Locale { return e.it.locale() }

// Now returns the reload's clock (Request.Now), for Today() and Now().
func (e *rowEnv) Now() time.Time {
	if e.it.req.Now != nil {
		return e.it.req.Now()
	}
	return time.Now()
}

// Field returns the current row's value of an input field.
func (e *rowEnv) Field(ref *expr.FieldRef) (expr.Value, bool) {
	if e.lv == nil {
		return expr.Value{}, false
	}
	if e.grp != nil {
		return e.lv.agg.field(e.grp, ref)
	}
	if ref.Index >= 0 && ref.Index < len(e.slots) {
		col := e.slots[ref.Index]
		if col < 0 {
			return expr.Value{}, false
		}
		return e.input(col), true
	}
	if col := e.lv.resolveRef(ref.Name.Text); col >= 0 {
		return e.input(col), true
	}
	return expr.Value{}, false
}

// Variable returns a script variable (names that are no field fall back
// to variables, as in charts).
func (e *rowEnv) Variable(name string) (expr.Value, bool) {
	v, ok := e.it.vars.get(name)
	if !ok {
		return expr.Value{}, false
	}
	return v.value(), true
}

// Aggregate returns the value of an aggregation for the current group.
func (e *rowEnv) Aggregate(call *expr.AggCall) expr.Value {
	if e.grp != nil {
		return e.lv.agg.result(e.grp, call)
	}
	return expr.Value{}
}

// CallContext evaluates the script functions (Peek, RecNo, ApplyMap ...).
func (e *rowEnv) CallContext(call *expr.Call, dst []expr.Value) []expr.Value {
	if call.Func == subFieldGen {
		return append(dst, e.gen[call])
	}
	v, err := e.it.callFunc(e, call)
	if err != nil && e.err == nil {
		e.err = err
	}
	return append(dst, v)
}

// eval evaluates an argument of a script function in the current row.
func (e *rowEnv) eval(n expr.Node) expr.Value { return expr.Eval(n, e) }
