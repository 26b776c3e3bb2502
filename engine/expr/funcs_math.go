package expr

import (
	"math"
	"math/bits"
)

// Numeric functions (§4.10, S43 general_numeric_functions,
// exponential_and_logarithmic_functions, trigonometric functions).
var mathFuncs = []Func{
	{Name: "Round", MinArgs: 1, MaxArgs: 3, Kind: KindScalar, Eval: fnRound},
	{Name: "Floor", MinArgs: 1, MaxArgs: 3, Kind: KindScalar, Eval: fnFloor},
	{Name: "Ceil", MinArgs: 1, MaxArgs: 3, Kind: KindScalar, Eval: fnCeil},
	{Name: "Fabs", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Abs)},
	{Name: "Fmod", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnFmod},
	{Name: "Mod", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnMod},
	{Name: "Div", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnDiv},
	{Name: "Sign", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnSign},
	{Name: "Frac", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(func(x float64) float64 { return x - math.Floor(x) })},
	{Name: "Even", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnEven},
	{Name: "Odd", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnOdd},
	{Name: "BitCount", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnBitCount},
	{Name: "Fact", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnFact},
	{Name: "Combin", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnCombin},
	{Name: "Permut", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnPermut},
	{Name: "Sqrt", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Sqrt)},
	{Name: "Sqr", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(func(x float64) float64 { return x * x })},
	{Name: "Exp", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Exp)},
	{Name: "Log", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(positive(math.Log))},
	{Name: "Log10", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(positive(math.Log10))},
	{Name: "Pow", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: num2(math.Pow)},
	{Name: "Pi", MinArgs: 0, MaxArgs: 0, Kind: KindScalar, Eval: func(Env, []Value) Value { return Num(math.Pi) }},
	{Name: "E", MinArgs: 0, MaxArgs: 0, Kind: KindScalar, Eval: func(Env, []Value) Value { return Num(math.E) }},
	{Name: "Sin", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Sin)},
	{Name: "Cos", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Cos)},
	{Name: "Tan", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Tan)},
	{Name: "ASin", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Asin)},
	{Name: "ACos", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Acos)},
	{Name: "ATan", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Atan)},
	{Name: "ATan2", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: num2(math.Atan2)},
	{Name: "Sinh", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Sinh)},
	{Name: "Cosh", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Cosh)},
	{Name: "Tanh", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: num1(math.Tanh)},
}

func finite(f float64) bool { return f-f == 0 }

// num1 lifts a float function to a scalar function: a missing number in
// and a NaN or infinite result out are NULL.
func num1(fn func(float64) float64) ScalarFunc {
	return func(_ Env, a []Value) Value {
		x, ok := a[0].AsNumber()
		if !ok {
			return Value{}
		}
		return Num(fn(x))
	}
}

// num2 lifts a two-argument float function like num1.
func num2(fn func(float64, float64) float64) ScalarFunc {
	return func(_ Env, a []Value) Value {
		x, ok1 := a[0].AsNumber()
		y, ok2 := a[1].AsNumber()
		if !ok1 || !ok2 {
			return Value{}
		}
		return Num(fn(x, y))
	}
}

// positive restricts fn to x > 0 (NaN otherwise, hence NULL).
func positive(fn func(float64) float64) func(float64) float64 {
	return func(x float64) float64 {
		if x <= 0 {
			return math.NaN()
		}
		return fn(x)
	}
}

// snap rounds q to the nearest integer when it is within floating-point
// noise of it, so that 0.3/0.1 counts as exactly 3 steps.
func snap(q float64) float64 {
	r := math.Round(q)
	if math.Abs(q-r) <= 1e-9*math.Max(1, math.Abs(q)) {
		return r
	}
	return q
}

// mulStep returns k*step, dividing by 1/step instead when that is an
// integer so that decimal steps give clean results (39 * 0.1 = 3.9).
func mulStep(k, step float64) float64 {
	if step < 1 {
		inv := 1 / step
		if r := math.Round(inv); r != 0 && math.Abs(inv-r) <= 1e-9*r {
			return k / r
		}
	}
	return k * step
}

// stepArgs reads the x, step and offset of Round, Floor and Ceil.
func stepArgs(a []Value) (x, step, offset float64, ok bool) {
	x, ok = a[0].AsNumber()
	if !ok {
		return
	}
	step, offset = 1, 0
	if len(a) > 1 {
		if step, ok = a[1].AsNumber(); !ok {
			return
		}
	}
	if len(a) > 2 {
		if offset, ok = a[2].AsNumber(); !ok {
			return
		}
	}
	if step == 0 {
		return x, 0, 0, false
	}
	return x, math.Abs(step), offset, true
}

// fnRound rounds x to the nearest multiple of step shifted by offset;
// halves go up: Floor((x-offset)/step + 0.5)*step + offset.
func fnRound(_ Env, a []Value) Value {
	x, step, offset, ok := stepArgs(a)
	if !ok {
		return Value{}
	}
	k := math.Floor(snap((x-offset)/step + 0.5))
	return Num(mulStep(k, step) + offset)
}

// fnFloor rounds x down to a multiple of step shifted by offset.
func fnFloor(_ Env, a []Value) Value {
	x, step, offset, ok := stepArgs(a)
	if !ok {
		return Value{}
	}
	k := math.Floor(snap((x - offset) / step))
	return Num(mulStep(k, step) + offset)
}

// fnCeil rounds x up to a multiple of step shifted by offset.
func fnCeil(_ Env, a []Value) Value {
	x, step, offset, ok := stepArgs(a)
	if !ok {
		return Value{}
	}
	k := math.Ceil(snap((x - offset) / step))
	return Num(mulStep(k, step) + offset)
}

// fnFmod is the floating-point remainder with the sign of the dividend.
func fnFmod(_ Env, a []Value) Value {
	x, ok1 := a[0].AsNumber()
	y, ok2 := a[1].AsNumber()
	if !ok1 || !ok2 || y == 0 {
		return Value{}
	}
	return Num(math.Mod(x, y))
}

// fnMod is the integer modulo with a non-negative result; both arguments
// must be integers and the divisor positive (Mod(4,-3) is NULL).
func fnMod(_ Env, a []Value) Value {
	x, ok1 := a[0].AsNumber()
	y, ok2 := a[1].AsNumber()
	if !ok1 || !ok2 || x != math.Trunc(x) || y != math.Trunc(y) || y <= 0 {
		return Value{}
	}
	r := math.Mod(x, y)
	if r < 0 {
		r += y
	}
	return Num(r)
}

// fnDiv is the integer part of x/y, truncated toward zero.
func fnDiv(_ Env, a []Value) Value {
	x, ok1 := a[0].AsNumber()
	y, ok2 := a[1].AsNumber()
	if !ok1 || !ok2 || y == 0 {
		return Value{}
	}
	return Num(math.Trunc(x / y))
}

func fnSign(_ Env, a []Value) Value {
	x, ok := a[0].AsNumber()
	if !ok {
		return Value{}
	}
	switch {
	case x > 0:
		return Num(1)
	case x < 0:
		return Num(-1)
	}
	return Num(0)
}

// parity returns x mod 2 for an integer x; ok is false otherwise.
func parity(v Value) (odd bool, ok bool) {
	x, ok := v.AsNumber()
	if !ok || x != math.Trunc(x) {
		return false, false
	}
	return math.Mod(x, 2) != 0, true
}

func fnEven(_ Env, a []Value) Value {
	odd, ok := parity(a[0])
	if !ok {
		return Value{}
	}
	return Bool(!odd)
}

func fnOdd(_ Env, a []Value) Value {
	odd, ok := parity(a[0])
	if !ok {
		return Value{}
	}
	return Bool(odd)
}

// fnBitCount counts the one bits of the 64-bit two's complement integer
// part of x (BitCount(-1) = 64).
func fnBitCount(_ Env, a []Value) Value {
	x, ok := a[0].AsNumber()
	if !ok {
		return Value{}
	}
	t := math.Trunc(x)
	if t >= 9.2e18 || t <= -9.2e18 {
		return Value{}
	}
	return Num(float64(bits.OnesCount64(uint64(int64(t)))))
}

// intArg reads a non-negative integer argument.
func intArg(v Value) (float64, bool) {
	x, ok := v.AsNumber()
	if !ok || x != math.Trunc(x) || x < 0 {
		return 0, false
	}
	return x, true
}

// fnFact is n! for a non-negative integer n.
func fnFact(_ Env, a []Value) Value {
	n, ok := intArg(a[0])
	if !ok || n > 170 {
		return Value{}
	}
	r := 1.0
	for i := 2.0; i <= n; i++ {
		r *= i
	}
	return Num(r)
}

// fnCombin is the number of k-element subsets of n elements.
func fnCombin(_ Env, a []Value) Value {
	n, ok1 := intArg(a[0])
	k, ok2 := intArg(a[1])
	if !ok1 || !ok2 || k > n {
		return Value{}
	}
	k = math.Min(k, n-k)
	r := 1.0
	for i := 1.0; i <= k; i++ {
		r = r * (n - k + i) / i
	}
	return Num(math.Round(r))
}

// fnPermut is the number of ordered k-element selections of n elements.
func fnPermut(_ Env, a []Value) Value {
	n, ok1 := intArg(a[0])
	k, ok2 := intArg(a[1])
	if !ok1 || !ok2 || k > n {
		return Value{}
	}
	r := 1.0
	for i := n - k + 1; i <= n && finite(r); i++ {
		r *= i
	}
	return Num(r)
}
