package expr

import (
	"math"
	"sync"
)

// Env is what the row-at-a-time evaluator needs from its surroundings.
// Implementations decide how names resolve and how aggregations are
// computed; Eval never aggregates by itself.
type Env interface {
	// Field returns the current row's value of the field ref names. ok is
	// false when the name is not a field in this context, in which case
	// Eval asks Variable next. An Env that applies the chart rule
	// "measure label, then variable, then field" (§4.5) outside
	// aggregations does so here.
	Field(ref *FieldRef) (v Value, ok bool)
	// Variable returns the value of the variable name; ok is false when no
	// such variable exists (the reference is then NULL).
	Variable(name string) (v Value, ok bool)
	// Aggregate evaluates an aggregation call (including Aggr) in the
	// Env's current scope, honouring call.Set, call.Outer, call.Distinct,
	// call.Scope and call.ScopeFields.
	Aggregate(call *AggCall) Value
}

// ContextEnv is an Env that implements the KindContext functions (chart
// inter-record functions such as Above or Rank, field functions such as
// GetSelectedCount, load-script functions such as Peek or RecNo).
type ContextEnv interface {
	Env
	// CallContext evaluates call and appends its result to dst: one value
	// normally, several for a range (Above(x, 0, 3)), none when it has no
	// result. dst belongs to the evaluator: append to it, never keep it.
	// A call producing other than one value reads as NULL outside the
	// arguments of a range function.
	CallContext(call *Call, dst []Value) []Value
}

// NopEnv is an Env with no fields, no variables and no data: names are
// NULL and aggregations return NULL. It is used when Eval gets a nil Env.
type NopEnv struct{}

// Field reports that no field exists.
func (NopEnv) Field(*FieldRef) (Value, bool) { return Value{}, false }

// Variable reports that no variable exists.
func (NopEnv) Variable(string) (Value, bool) { return Value{}, false }

// Aggregate returns NULL.
func (NopEnv) Aggregate(*AggCall) Value { return Value{} }

var (
	_ Env = NopEnv{}
)

// evaluator holds the argument stack reused across calls of Eval.
type evaluator struct {
	env   Env
	ctx   ContextEnv
	stack []Value
	high  int // high-water mark of stack, cleared before reuse
}

var evalPool = sync.Pool{New: func() any { return &evaluator{stack: make([]Value, 0, 32)} }}

// Eval evaluates n for the current row of env (nil means NopEnv). It
// applies the operator and NULL rules of §4.4, calls scalar functions,
// and delegates field values, variables, aggregations and context
// functions to env. Eval never fails: anything undefined is NULL. n must be
// a tree returned by Parse without error (or built to the same rules).
func Eval(n Node, env Env) Value {
	if env == nil {
		env = NopEnv{}
	}
	ev := evalPool.Get().(*evaluator)
	ev.env = env
	ev.ctx, _ = env.(ContextEnv)
	v := ev.eval(n)
	clear(ev.stack[:ev.high])
	ev.stack = ev.stack[:0]
	ev.high = 0
	ev.env, ev.ctx = nil, nil
	evalPool.Put(ev)
	return v
}

func (ev *evaluator) eval(n Node) Value {
	switch n := n.(type) {
	case *NumberLit:
		return Num(n.Value)
	case *StringLit:
		return Str(n.Value)
	case *FieldRef:
		if v, ok := ev.env.Field(n); ok {
			return v
		}
		if v, ok := ev.env.Variable(n.Name.Text); ok {
			return v
		}
		return Value{}
	case *Binary:
		switch n.Op {
		case OpAnd:
			if !ev.eval(n.X).Truthy() {
				return Bool(false)
			}
			return Bool(ev.eval(n.Y).Truthy())
		case OpOr:
			if ev.eval(n.X).Truthy() {
				return Bool(true)
			}
			return Bool(ev.eval(n.Y).Truthy())
		}
		x := ev.eval(n.X)
		y := ev.eval(n.Y)
		return ApplyBinary(n.Op, x, y)
	case *Unary:
		return ApplyUnary(n.Op, ev.eval(n.X))
	case *Call:
		return ev.call(n)
	case *AggCall:
		return ev.env.Aggregate(n)
	case *OuterSet:
		// The set reaches the aggregations through AggCall.Outer.
		return ev.eval(n.X)
	}
	return Value{}
}

func (ev *evaluator) push(v Value) {
	ev.stack = append(ev.stack, v)
	if len(ev.stack) > ev.high {
		ev.high = len(ev.stack)
	}
}

func (ev *evaluator) call(n *Call) Value {
	f := n.Func
	if f == nil {
		return Value{}
	}
	switch f.Kind {
	case KindContext:
		if ev.ctx == nil {
			return Value{}
		}
		base := len(ev.stack)
		ev.stack = ev.ctx.CallContext(n, ev.stack)
		if len(ev.stack) > ev.high {
			ev.high = len(ev.stack)
		}
		var v Value
		if len(ev.stack)-base == 1 {
			v = ev.stack[base]
		}
		ev.stack = ev.stack[:base]
		return v
	case KindScalar:
	default:
		return Value{}
	}
	switch f.lazy {
	case lazyIf:
		// If(cond, then [, else]): only the chosen branch is evaluated.
		if ev.eval(n.Args[0]).Truthy() {
			return ev.eval(n.Args[1])
		}
		if len(n.Args) > 2 {
			return ev.eval(n.Args[2])
		}
		return Value{}
	case lazyPick:
		// Pick(n, e1, e2...): 1-based; out of range or non-integer is NULL.
		k, ok := ev.eval(n.Args[0]).AsNumber()
		if !ok || k != math.Trunc(k) || k < 1 || k >= float64(len(n.Args)) {
			return Value{}
		}
		return ev.eval(n.Args[int(k)])
	case lazyAlt:
		// Alt(e1, ..., en): the first argument with a number, else the last.
		last := len(n.Args) - 1
		for i, a := range n.Args {
			v := ev.eval(a)
			if i == last {
				return v
			}
			if _, ok := v.AsNumber(); ok {
				return v
			}
		}
		return Value{}
	}
	base := len(ev.stack)
	for _, a := range n.Args {
		if f.Ranges && ev.ctx != nil {
			if c, ok := a.(*Call); ok && c.Func != nil && c.Func.Kind == KindContext {
				ev.stack = ev.ctx.CallContext(c, ev.stack)
				if len(ev.stack) > ev.high {
					ev.high = len(ev.stack)
				}
				continue
			}
		}
		v := ev.eval(a)
		ev.push(v)
	}
	v := f.Eval(ev.env, ev.stack[base:])
	ev.stack = ev.stack[:base]
	return v
}
