package qix

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/assocengine/assoc/symbols"
)

// Expressions in QIX: Doc.Evaluate / EvaluateEx / CheckExpression and the
// qStringExpression / qValueExpression definitions of generic objects, all
// evaluated by the engine's chart evaluator in the session's selections,
// with the app's variables and number formats.

func init() {
	register("Doc", map[string]handler{
		"Evaluate":        docEvaluate,
		"EvaluateEx":      docEvaluateEx,
		"CheckExpression": docCheckExpression,
	})
	registerDef("qStringExpression", &defComputer{replace: true, compute: computeStringExpression})
	registerDef("qValueExpression", &defComputer{replace: true, compute: computeValueExpression})
}

// engineOptions are the engine-session settings of an app: its variables
// and its number and date formats.
func (a *app) engineOptions() engine.SessionOptions {
	loc := a.numLocale()
	return engine.SessionOptions{
		Locale:       loc,
		Variables:    a.variableValue,
		NumberParser: func(s string) (float64, bool) { f, ok, _ := numfmt.Interpret(strings.TrimSpace(s), loc); return f, ok },
	}
}

// numLocale builds the numfmt locale from the script variables.
func (a *app) numLocale() *numfmt.Locale {
	a.mu.RLock()
	vars := a.variables
	a.mu.RUnlock()
	loc := numfmt.EngineLocale()
	if len(vars) > 0 {
		_ = loc.Apply(vars) // bad values keep their defaults
	}
	return &loc
}

// variableValue resolves a variable for expressions: its text, read as a
// number when it is one.
func (a *app) variableValue(name string) (expr.Value, bool) {
	a.mu.RLock()
	v, ok := a.variables[name]
	a.mu.RUnlock()
	if !ok {
		return expr.Value{}, false
	}
	if f, ok := expr.ParseNumber(strings.TrimSpace(v)); ok {
		return expr.Dual(f, v), true
	}
	return expr.Str(v), true
}

// exprError turns an engine expression error into a QIX error.
func exprError(err error) *Error {
	var ee *engine.ExprError
	if errors.As(err, &ee) {
		return qerr(errCalcInvalidDef, "%d:%d: %s", ee.Line, ee.Col, ee.Msg)
	}
	return qerr(errCalcInvalidDef, "%s", err.Error())
}

func docEvaluate(c *call) error {
	src := c.str("qExpression")
	if c.bad() {
		return nil
	}
	es, _, err := c.s.selections()
	if err != nil {
		return err
	}
	v, err := es.Evaluate("", src)
	if err != nil {
		// Qlik answers Evaluate of a bad expression with an error text.
		c.ret("Error: " + err.Error())
		return nil
	}
	c.ret(valueText(v))
	return nil
}

func docEvaluateEx(c *call) error {
	src := c.str("qExpression")
	if c.bad() {
		return nil
	}
	es, _, err := c.s.selections()
	if err != nil {
		return err
	}
	v, err := es.Evaluate("", src)
	o := newObj(3)
	if err != nil {
		o.Set("qText", "Error: "+err.Error())
		o.Set("qIsNumeric", false)
		o.Set("qNumber", math.NaN())
		c.out("qValue", o)
		return nil
	}
	num, isNum := v.AsNumber()
	isNum = isNum && v.HasNum()
	o.Set("qText", valueText(v))
	o.Set("qIsNumeric", isNum)
	if !isNum {
		num = math.NaN()
	}
	o.Set("qNumber", num)
	c.out("qValue", o)
	return nil
}

func docCheckExpression(c *call) error {
	src := c.str("qExpr")
	labels := c.strs("qLabels")
	if c.bad() {
		return nil
	}
	_ = labels
	_, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	msg, bad := checkExpression(src, mi.m)
	c.out("qErrorMsg", msg)
	c.out("qBadFieldNames", bad)
	c.out("qDangerousFieldNames", []any{})
	return nil
}

// checkExpression parses src and lists the field references that are not
// fields of the model (as NxRange of their position).
func checkExpression(src string, m *engine.Model) (string, []any) {
	text := strings.TrimPrefix(strings.TrimSpace(src), "=")
	n, err := expr.Parse(text)
	if err != nil {
		var el expr.ErrorList
		if errors.As(err, &el) && len(el) > 0 {
			return el[0].Error(), []any{}
		}
		return err.Error(), []any{}
	}
	bad := []any{}
	expr.Inspect(n, func(x expr.Node) bool {
		ac, ok := x.(*expr.AggCall)
		if !ok {
			return true
		}
		for _, a := range ac.Args {
			expr.Inspect(a, func(y expr.Node) bool {
				if ref, ok := y.(*expr.FieldRef); ok {
					if _, err := m.Field(ref.Name.Text); err != nil {
						r := newObj(2)
						r.Set("qFrom", int(ref.Pos()))
						r.Set("qCount", int(ref.End()-ref.Pos()))
						bad = append(bad, r)
					}
				}
				return true
			})
		}
		return false
	})
	return "", bad
}

// valueText is how a value is shown: its text, "-" for NULL.
func valueText(v expr.Value) string {
	if v.IsNull() {
		return "-"
	}
	return v.Text()
}

// exprSource returns the expression of a qStringExpression or
// qValueExpression value: a string, or an object with qExpr.
func exprSource(def any) string {
	switch d := def.(type) {
	case string:
		return d
	case *jsonObject:
		return d.str("qExpr")
	}
	return ""
}

func evalInState(lc *layoutCtx, src, state string) (expr.Value, error) {
	return lc.es.Evaluate(state, src)
}

func computeStringExpression(lc *layoutCtx, def any, path, state string) (any, error) {
	if err := lc.ctx.Err(); err != nil {
		return nil, err
	}
	v, err := evalInState(lc, exprSource(def), state)
	if err != nil {
		return "Error: " + err.Error(), nil
	}
	return valueText(v), nil
}

func computeValueExpression(lc *layoutCtx, def any, path, state string) (any, error) {
	if err := lc.ctx.Err(); err != nil {
		return nil, err
	}
	v, err := evalInState(lc, exprSource(def), state)
	if err != nil {
		return math.NaN(), nil
	}
	if f, ok := v.AsNumber(); ok && v.HasNum() {
		return f, nil
	}
	return math.NaN(), nil
}

// formatValue renders a measure value as its cell text with the measure's
// number format (semantics §3.10): the value's own text under automatic
// formatting, else the format pattern.
func formatValue(v expr.Value, spec *numfmt.Spec, loc *numfmt.Locale) string {
	if v.IsNull() {
		return "-"
	}
	num, ok := v.AsNumber()
	if !ok || !v.HasNum() {
		return v.Text()
	}
	if spec == nil {
		if v.HasText() {
			return v.Text()
		}
		t := symbols.FormatNumber(num)
		if loc != nil && loc.DecimalSep != "" && loc.DecimalSep != "." {
			t = strings.Replace(t, ".", loc.DecimalSep, 1)
		}
		return t
	}
	return spec.Format(num, v.Text(), v.HasText(), loc)
}

var _ = strconv.Itoa
