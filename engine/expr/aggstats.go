package expr

import (
	"math"
	"slices"
)

// Statistics over lists of values, shared by the chart aggregations
// (package engine) and the load script's GROUP BY (package reload), so
// that both give the same answer for the same values.

// NumbersOf returns the numbers of the values that have one, in order.
func NumbersOf(vals []Value) []float64 {
	var out []float64
	for _, v := range vals {
		if v.HasNum() {
			out = append(out, v.Number())
		}
	}
	return out
}

// Mean returns the arithmetic mean of xs (NaN when xs is empty).
func Mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// SampleVariance returns the variance of xs with n-1 in the denominator.
func SampleVariance(xs []float64) float64 {
	m := Mean(xs)
	s := 0.0
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return s / float64(len(xs)-1)
}

// FractileExc returns the exclusive p-fractile of xs, interpolating between
// neighbours, or NaN when p falls outside what n values can give. It sorts
// xs in place.
func FractileExc(xs []float64, p float64) float64 {
	slices.Sort(xs)
	n := float64(len(xs))
	r := p*(n+1) - 1
	if r < 0 || r > n-1 {
		return math.NaN()
	}
	lo := int(math.Floor(r))
	if lo >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	return xs[lo] + (r-float64(lo))*(xs[lo+1]-xs[lo])
}

// NumOrNull returns f as a value, NULL for NaN and infinities.
func NumOrNull(f float64) Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Null()
	}
	return Num(f)
}

// PairStat computes Correl ("correl") or, for any other fn, STEYX over the
// pairs (args[0][i], args[1][i]) where both have a number; NULL with fewer
// than three pairs.
func PairStat(fn string, args [][]Value) Value {
	if len(args) < 2 {
		return Null()
	}
	var xs, ys []float64
	for i := range args[0] {
		if i >= len(args[1]) || !args[0][i].HasNum() || !args[1][i].HasNum() {
			continue
		}
		ys = append(ys, args[0][i].Number())
		xs = append(xs, args[1][i].Number())
	}
	n := float64(len(xs))
	if n < 3 {
		return Null()
	}
	mx, my := Mean(xs), Mean(ys)
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	if fn == "correl" {
		return NumOrNull(sxy / math.Sqrt(sxx*syy))
	}
	return NumOrNull(math.Sqrt((syy - sxy*sxy/sxx) / (n - 2)))
}

// SameSymbol reports whether two values are the same symbol: equal numbers
// when both have one, else equal texts.
func SameSymbol(a, b Value) bool {
	if a.HasNum() && b.HasNum() {
		return a.Number() == b.Number()
	}
	if a.HasNum() != b.HasNum() {
		return false
	}
	return a.Text() == b.Text()
}
