package engine

import (
	"math"
	"slices"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/symbols"
)

// reduceValues applies the aggregation fn to the argument values of the
// records of one group (args[i] holds the i-th argument of every record).
// It is the general, value-at-a-time implementation of every aggregation;
// fast paths must agree with it.
func reduceValues(fn string, distinct bool, args [][]expr.Value) expr.Value {
	var vals []expr.Value
	if len(args) > 0 {
		vals = args[0]
	}
	if distinct {
		vals = distinctValues(vals)
	}
	switch strings.ToLower(fn) {
	case "sum":
		s := 0.0
		for _, v := range vals {
			if f, ok := v.AsNumber(); ok && v.HasNum() {
				s += f
			}
		}
		return expr.Num(s)
	case "count":
		n := 0
		for _, v := range vals {
			if !v.IsNull() {
				n++
			}
		}
		return expr.Num(float64(n))
	case "numericcount":
		n := 0
		for _, v := range vals {
			if v.HasNum() {
				n++
			}
		}
		return expr.Num(float64(n))
	case "textcount":
		n := 0
		for _, v := range vals {
			if !v.IsNull() && !v.HasNum() {
				n++
			}
		}
		return expr.Num(float64(n))
	case "nullcount":
		n := 0
		for _, v := range vals {
			if v.IsNull() {
				n++
			}
		}
		return expr.Num(float64(n))
	case "missingcount":
		n := 0
		for _, v := range vals {
			if !v.HasNum() {
				n++
			}
		}
		return expr.Num(float64(n))
	case "avg":
		nums := expr.NumbersOf(vals)
		if len(nums) == 0 {
			return expr.Null()
		}
		s := 0.0
		for _, f := range nums {
			s += f
		}
		return expr.Num(s / float64(len(nums)))
	case "min", "max":
		nums := expr.NumbersOf(vals)
		rank := 1
		if len(args) > 1 && len(args[1]) > 0 {
			if f, ok := args[1][0].AsNumber(); ok {
				rank = int(f)
			}
		}
		if rank < 1 || rank > len(nums) {
			return expr.Null()
		}
		slices.Sort(nums)
		if strings.EqualFold(fn, "max") {
			return expr.Num(nums[len(nums)-rank])
		}
		return expr.Num(nums[rank-1])
	case "only":
		var only expr.Value
		found := false
		for _, v := range vals {
			if v.IsNull() {
				continue
			}
			if !found {
				only, found = v, true
				continue
			}
			if !expr.SameSymbol(only, v) {
				return expr.Null()
			}
		}
		return only
	case "minstring", "maxstring":
		var best expr.Value
		found := false
		for _, v := range vals {
			if v.IsNull() {
				continue
			}
			if !found {
				best, found = v, true
				continue
			}
			c := symbols.CompareText(v.Text(), best.Text())
			if (fn[1] == 'i' || fn[1] == 'I') && c < 0 || (fn[1] == 'a' || fn[1] == 'A') && c > 0 {
				best = v
			}
		}
		if !found {
			return expr.Null()
		}
		return best
	case "concat":
		return concatValues(vals, args)
	case "median":
		nums := expr.NumbersOf(vals)
		if len(nums) == 0 {
			return expr.Null()
		}
		return expr.Num(expr.Fractile(nums, 0.5))
	case "fractile", "fractileexc":
		nums := expr.NumbersOf(vals)
		p := math.NaN()
		if len(args) > 1 && len(args[1]) > 0 {
			p, _ = args[1][0].AsNumber()
		}
		if len(nums) == 0 || math.IsNaN(p) {
			return expr.Null()
		}
		if strings.EqualFold(fn, "fractileexc") {
			return expr.NumOrNull(expr.FractileExc(nums, p))
		}
		return expr.NumOrNull(expr.Fractile(nums, p))
	case "stdev", "sterr":
		nums := expr.NumbersOf(vals)
		if len(nums) < 2 {
			return expr.Null()
		}
		sd := math.Sqrt(expr.SampleVariance(nums))
		if strings.EqualFold(fn, "sterr") {
			sd /= math.Sqrt(float64(len(nums)))
		}
		return expr.Num(sd)
	case "skew":
		nums := expr.NumbersOf(vals)
		n := float64(len(nums))
		if n < 3 {
			return expr.Null()
		}
		m, sd := expr.Mean(nums), math.Sqrt(expr.SampleVariance(nums))
		s := 0.0
		for _, x := range nums {
			s += math.Pow((x-m)/sd, 3)
		}
		return expr.NumOrNull(n / ((n - 1) * (n - 2)) * s)
	case "kurtosis":
		nums := expr.NumbersOf(vals)
		n := float64(len(nums))
		if n < 4 {
			return expr.Null()
		}
		m, sd := expr.Mean(nums), math.Sqrt(expr.SampleVariance(nums))
		s := 0.0
		for _, x := range nums {
			s += math.Pow((x-m)/sd, 4)
		}
		k := n*(n+1)/((n-1)*(n-2)*(n-3))*s - 3*(n-1)*(n-1)/((n-2)*(n-3))
		return expr.NumOrNull(k)
	case "mode":
		counts := map[string]int{}
		var keys []expr.Value
		for _, v := range vals {
			if v.IsNull() {
				continue
			}
			k := valueKey(v)
			if counts[k] == 0 {
				keys = append(keys, v)
			}
			counts[k]++
		}
		best, bestN, tie := expr.Null(), 0, false
		for _, v := range keys {
			n := counts[valueKey(v)]
			switch {
			case n > bestN:
				best, bestN, tie = v, n, false
			case n == bestN:
				tie = true
			}
		}
		if tie {
			return expr.Null()
		}
		return best
	case "firstsortedvalue":
		return firstSorted(args)
	case "correl", "steyx":
		return expr.PairStat(strings.ToLower(fn), args)
	}
	return expr.Null()
}

// valueKey identifies a value as a symbol does: by number, else by text.
func valueKey(v expr.Value) string {
	if v.IsNull() {
		return "\x00null"
	}
	if v.HasNum() {
		f, _ := v.AsNumber()
		if f == 0 {
			f = 0
		}
		return "n" + symbols.FormatNumber(f) + "\x00" + strconvBits(f)
	}
	return "t" + v.Text()
}

func strconvBits(f float64) string {
	b := math.Float64bits(f)
	var buf [16]byte
	for i := range buf {
		buf[i] = "0123456789abcdef"[b>>(60-4*uint(i))&15]
	}
	return string(buf[:])
}

func distinctValues(vals []expr.Value) []expr.Value {
	seen := map[string]bool{}
	var out []expr.Value
	for _, v := range vals {
		k := valueKey(v)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

// concatValues joins the texts of the non-NULL values with the delimiter
// (second argument), ordered by the sort weight (third argument) when
// given, else by text.
func concatValues(vals []expr.Value, args [][]expr.Value) expr.Value {
	delim := ""
	if len(args) > 1 && len(args[1]) > 0 {
		delim = args[1][0].Text()
	}
	type item struct {
		text string
		w    float64
	}
	var items []item
	for i, v := range vals {
		if v.IsNull() {
			continue
		}
		it := item{text: v.Text(), w: math.NaN()}
		if len(args) > 2 && i < len(args[2]) {
			it.w, _ = args[2][i].AsNumber()
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return expr.Null()
	}
	weighted := len(args) > 2
	slices.SortStableFunc(items, func(a, b item) int {
		if weighted {
			switch {
			case a.w < b.w:
				return -1
			case a.w > b.w:
				return 1
			}
			return 0
		}
		return symbols.CompareText(a.text, b.text)
	})
	var sb strings.Builder
	for i, it := range items {
		if i > 0 {
			sb.WriteString(delim)
		}
		sb.WriteString(it.text)
	}
	return expr.Str(sb.String())
}

// firstSorted implements FirstSortedValue(value, weight [, rank]): the value
// of the record with the rank-th lowest weight; NULL on a tie.
func firstSorted(args [][]expr.Value) expr.Value {
	if len(args) < 2 {
		return expr.Null()
	}
	rank := 1
	if len(args) > 2 && len(args[2]) > 0 {
		if f, ok := args[2][0].AsNumber(); ok {
			rank = int(f)
		}
	}
	type item struct {
		v expr.Value
		w float64
	}
	var items []item
	for i, v := range args[0] {
		if i >= len(args[1]) {
			break
		}
		w, ok := args[1][i].AsNumber()
		if !ok || !args[1][i].HasNum() {
			continue
		}
		items = append(items, item{v, w})
	}
	if rank < 0 {
		rank = len(items) + rank + 1
	}
	if rank < 1 || rank > len(items) {
		return expr.Null()
	}
	slices.SortStableFunc(items, func(a, b item) int {
		switch {
		case a.w < b.w:
			return -1
		case a.w > b.w:
			return 1
		}
		return 0
	})
	it := items[rank-1]
	if (rank > 1 && items[rank-2].w == it.w) || (rank < len(items) && items[rank].w == it.w) {
		return expr.Null()
	}
	return it.v
}

func compareText(a, b string) int { return symbols.CompareText(a, b) }
