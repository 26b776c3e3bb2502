package expr

import (
	"math"
	"strings"

	"github.com/assocengine/assoc/symbols"
)

// Conditional, logical and NULL functions (§4.10, S43 conditional_functions,
// logical functions, NULL_functions).
var conditionalFuncs = []Func{
	{Name: "If", MinArgs: 2, MaxArgs: 3, Kind: KindScalar, Eval: fnIf, lazy: lazyIf},
	{Name: "Alt", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Eval: fnAlt, lazy: lazyAlt},
	{Name: "Pick", MinArgs: 2, MaxArgs: Variadic, Kind: KindScalar, Eval: fnPick, lazy: lazyPick},
	{Name: "Match", MinArgs: 2, MaxArgs: Variadic, Kind: KindScalar, Eval: fnMatch},
	{Name: "MixMatch", MinArgs: 2, MaxArgs: Variadic, Kind: KindScalar, Eval: fnMixMatch},
	{Name: "WildMatch", MinArgs: 2, MaxArgs: Variadic, Kind: KindScalar, Eval: fnWildMatch},
	{Name: "Class", MinArgs: 2, MaxArgs: 4, Kind: KindScalar, Eval: fnClass},
	{Name: "Dual", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnDual},
	{Name: "IsNull", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnIsNull},
	{Name: "IsNum", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnIsNum},
	{Name: "IsText", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnIsText},
	{Name: "EmptyIsNull", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnEmptyIsNull},
	{Name: "Null", MinArgs: 0, MaxArgs: 0, Kind: KindScalar, Eval: fnNull},
	{Name: "True", MinArgs: 0, MaxArgs: 0, Kind: KindScalar, Eval: fnTrue},
	{Name: "False", MinArgs: 0, MaxArgs: 0, Kind: KindScalar, Eval: fnFalse},
}

// fnIf is If(cond, then [, else]) over evaluated arguments; Eval evaluates
// only the chosen branch.
func fnIf(_ Env, a []Value) Value {
	if a[0].Truthy() {
		return a[1]
	}
	if len(a) > 2 {
		return a[2]
	}
	return Value{}
}

// fnAlt returns the first argument that has a number, else the last one.
func fnAlt(_ Env, a []Value) Value {
	for _, v := range a[:len(a)-1] {
		if _, ok := v.AsNumber(); ok {
			return v
		}
	}
	return a[len(a)-1]
}

// fnPick returns the n-th (1-based) of the remaining arguments, NULL when
// n is out of range or not an integer.
func fnPick(_ Env, a []Value) Value {
	k, ok := a[0].AsNumber()
	if !ok || k != math.Trunc(k) || k < 1 || k >= float64(len(a)) {
		return Value{}
	}
	return a[int(k)]
}

// matchWith returns the 1-based index of the first of a[1:] that eq
// accepts against a[0]'s text, 0 when none does, NULL when a[0] is NULL.
// NULL candidates never match.
func matchWith(a []Value, eq func(s, cand string) bool) Value {
	if a[0].IsNull() {
		return Value{}
	}
	s := a[0].Text()
	for i, c := range a[1:] {
		if !c.IsNull() && eq(s, c.Text()) {
			return Num(float64(i + 1))
		}
	}
	return Num(0)
}

// fnMatch compares texts case-sensitively.
func fnMatch(_ Env, a []Value) Value {
	return matchWith(a, func(s, c string) bool { return s == c })
}

// fnMixMatch compares texts case-insensitively.
func fnMixMatch(_ Env, a []Value) Value { return matchWith(a, strings.EqualFold) }

// fnWildMatch matches texts case-insensitively against * and ? patterns.
func fnWildMatch(_ Env, a []Value) Value { return matchWith(a, WildcardMatch) }

// fnClass is Class(x, size [, label [, offset]]): a dual whose number is the
// lower bound of x's bin and whose text is 'lo <= label < hi'.
func fnClass(_ Env, a []Value) Value {
	x, ok1 := a[0].AsNumber()
	size, ok2 := a[1].AsNumber()
	if !ok1 || !ok2 || size <= 0 {
		return Value{}
	}
	label := "x"
	if len(a) > 2 && !a[2].IsNull() {
		label = a[2].Text()
	}
	offset := 0.0
	if len(a) > 3 {
		o, ok := a[3].AsNumber()
		if !ok {
			return Value{}
		}
		offset = o
	}
	k := snap((x - offset) / size)
	lo := mulStep(math.Floor(k), size) + offset
	hi := mulStep(math.Floor(k)+1, size) + offset
	if !finite(lo) || !finite(hi) {
		return Value{}
	}
	return Dual(lo, symbols.FormatNumber(lo)+" <= "+label+" < "+symbols.FormatNumber(hi))
}

// fnDual is Dual(text, number).
func fnDual(_ Env, a []Value) Value {
	if a[0].IsNull() {
		return Value{}
	}
	f, ok := a[1].AsNumber()
	if !ok {
		return Str(a[0].Text())
	}
	return Dual(f, a[0].Text())
}

func fnIsNull(_ Env, a []Value) Value { return Bool(a[0].IsNull()) }

func fnIsNum(_ Env, a []Value) Value {
	_, ok := a[0].AsNumber()
	return Bool(ok)
}

// fnIsText is true for a non-NULL value that cannot be read as a number.
func fnIsText(_ Env, a []Value) Value {
	_, ok := a[0].AsNumber()
	return Bool(!ok && !a[0].IsNull())
}

func fnEmptyIsNull(_ Env, a []Value) Value {
	if !a[0].HasNum() && a[0].Text() == "" {
		return Value{}
	}
	return a[0]
}

func fnNull(Env, []Value) Value { return Value{} }

// fnTrue returns the dual ('True', -1) [Proposed: Qlik's True() is a dual].
func fnTrue(Env, []Value) Value { return Dual(-1, "True") }

// fnFalse returns the dual ('False', 0).
func fnFalse(Env, []Value) Value { return Dual(0, "False") }
