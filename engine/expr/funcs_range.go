package expr

import (
	"math"
	"slices"
)

// Range functions (§4.10, S43 range_functions): they take any number of
// values, and an argument that is a context call returning a range
// (Above(x, 0, 3)) contributes all of its values.
var rangeFuncs = []Func{
	{Name: "RangeSum", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeSum},
	{Name: "RangeAvg", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeAvg},
	{Name: "RangeMin", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeMin},
	{Name: "RangeMax", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeMax},
	{Name: "RangeCount", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: rangeCounter(func(v Value) bool { return !v.IsNull() })},
	{Name: "RangeNullCount", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: rangeCounter(Value.IsNull)},
	{Name: "RangeNumericCount", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: rangeCounter(isNumeric)},
	{Name: "RangeTextCount", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: rangeCounter(func(v Value) bool { return !v.IsNull() && !isNumeric(v) })},
	{Name: "RangeMissingCount", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: rangeCounter(func(v Value) bool { return !isNumeric(v) })},
	{Name: "RangeOnly", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeOnly},
	{Name: "RangeMode", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeMode},
	{Name: "RangeStdev", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeStdev},
	{Name: "RangeSkew", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeSkew},
	{Name: "RangeKurtosis", MinArgs: 1, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeKurtosis},
	{Name: "RangeFractile", MinArgs: 2, MaxArgs: Variadic, Kind: KindScalar, Ranges: true, Eval: fnRangeFractile},
}

func isNumeric(v Value) bool {
	_, ok := v.AsNumber()
	return ok
}

func rangeCounter(pred func(Value) bool) ScalarFunc {
	return func(_ Env, a []Value) Value {
		n := 0
		for _, v := range a {
			if pred(v) {
				n++
			}
		}
		return Num(float64(n))
	}
}

// fnRangeSum adds the numeric arguments; without any it is 0.
func fnRangeSum(_ Env, a []Value) Value {
	s := 0.0
	for _, v := range a {
		if f, ok := v.AsNumber(); ok {
			s += f
		}
	}
	return Num(s)
}

// fnRangeAvg averages the numeric arguments; without any it is NULL.
func fnRangeAvg(_ Env, a []Value) Value {
	s, n := 0.0, 0
	for _, v := range a {
		if f, ok := v.AsNumber(); ok {
			s += f
			n++
		}
	}
	if n == 0 {
		return Value{}
	}
	return Num(s / float64(n))
}

func rangeExtreme(a []Value, better func(x, y float64) bool) Value {
	var best float64
	found := false
	for _, v := range a {
		if f, ok := v.AsNumber(); ok && (!found || better(f, best)) {
			best, found = f, true
		}
	}
	if !found {
		return Value{}
	}
	return Num(best)
}

func fnRangeMin(_ Env, a []Value) Value {
	return rangeExtreme(a, func(x, y float64) bool { return x < y })
}

func fnRangeMax(_ Env, a []Value) Value {
	return rangeExtreme(a, func(x, y float64) bool { return x > y })
}

// sameValue reports whether two non-NULL values are the same value: equal
// numbers when both are numeric, otherwise identical texts.
func sameValue(x, y Value) bool { return Compare(x, y) == 0 }

// fnRangeOnly returns the single distinct non-NULL value, NULL when there
// are none or several.
func fnRangeOnly(_ Env, a []Value) Value {
	var only Value
	for _, v := range a {
		switch {
		case v.IsNull():
		case only.IsNull():
			only = v
		case !sameValue(only, v):
			return Value{}
		}
	}
	return only
}

// fnRangeMode returns the most frequent non-NULL value, NULL on a tie.
func fnRangeMode(_ Env, a []Value) Value {
	best, bestN, tie := Value{}, 0, false
	for i, v := range a {
		if v.IsNull() {
			continue
		}
		seen := false
		for _, w := range a[:i] {
			if !w.IsNull() && sameValue(v, w) {
				seen = true
				break
			}
		}
		if seen {
			continue
		}
		n := 0
		for _, w := range a[i:] {
			if !w.IsNull() && sameValue(v, w) {
				n++
			}
		}
		switch {
		case n > bestN:
			best, bestN, tie = v, n, false
		case n == bestN:
			tie = true
		}
	}
	if tie {
		return Value{}
	}
	return best
}

// moments returns the count, mean and central moments m2, m3, m4 (sums of
// powers of deviations) of the numeric arguments.
func moments(a []Value) (n, mean, m2, m3, m4 float64) {
	for _, v := range a {
		if f, ok := v.AsNumber(); ok {
			n++
			mean += f
		}
	}
	if n == 0 {
		return
	}
	mean /= n
	for _, v := range a {
		if f, ok := v.AsNumber(); ok {
			d := f - mean
			d2 := d * d
			m2 += d2
			m3 += d2 * d
			m4 += d2 * d2
		}
	}
	return
}

// fnRangeStdev is the sample standard deviation (n-1); NULL below 2 values.
func fnRangeStdev(_ Env, a []Value) Value {
	n, _, m2, _, _ := moments(a)
	if n < 2 {
		return Value{}
	}
	return Num(math.Sqrt(m2 / (n - 1)))
}

// fnRangeSkew is the sample skewness n/((n-1)(n-2)) Σ((x-mean)/s)³.
func fnRangeSkew(_ Env, a []Value) Value {
	n, _, m2, m3, _ := moments(a)
	if n < 3 || m2 == 0 {
		return Value{}
	}
	s := math.Sqrt(m2 / (n - 1))
	return Num(n / ((n - 1) * (n - 2)) * m3 / (s * s * s))
}

// fnRangeKurtosis is the sample excess kurtosis
// n(n+1)/((n-1)(n-2)(n-3)) Σ((x-mean)/s)⁴ - 3(n-1)²/((n-2)(n-3)).
func fnRangeKurtosis(_ Env, a []Value) Value {
	n, _, m2, _, m4 := moments(a)
	if n < 4 || m2 == 0 {
		return Value{}
	}
	s2 := m2 / (n - 1)
	k := n*(n+1)/((n-1)*(n-2)*(n-3))*m4/(s2*s2) - 3*(n-1)*(n-1)/((n-2)*(n-3))
	return Num(k)
}

// fnRangeFractile is RangeFractile(f, values...): the f-quantile of the
// numeric values with linear interpolation between closest ranks.
func fnRangeFractile(_ Env, a []Value) Value {
	f, ok := a[0].AsNumber()
	if !ok || f < 0 || f > 1 {
		return Value{}
	}
	xs := make([]float64, 0, len(a)-1)
	for _, v := range a[1:] {
		if x, ok := v.AsNumber(); ok {
			xs = append(xs, x)
		}
	}
	return Num(Fractile(xs, f))
}

// Fractile returns the f-quantile (0 <= f <= 1) of xs with linear
// interpolation between the closest ranks (Excel PERCENTILE.INC), or NaN
// for an empty slice. It sorts xs in place. Aggregations share it.
func Fractile(xs []float64, f float64) float64 {
	if len(xs) == 0 || f < 0 || f > 1 {
		return math.NaN()
	}
	slices.Sort(xs)
	r := f * float64(len(xs)-1)
	lo := int(math.Floor(r))
	if lo >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	return xs[lo] + (r-float64(lo))*(xs[lo+1]-xs[lo])
}
