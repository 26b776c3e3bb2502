package symbols

import "math"

// A frozen table of at least minImplied symbols whose numbers are all
// integers, or all amounts with at most 4 decimals, that fit int32 once
// scaled keeps them as int32 (ints, noInt where a symbol has none; the
// number is ints[id] / 10^scale) instead of float64: keys, ids and prices
// cost 4 bytes a symbol instead of 8. A scaled number is kept only when
// c / 10^scale gives back exactly the float64 that was interned, so Num
// returns the same bits. The engine's aggregations read numbers from
// copies by code (AppendNums), so only Num pays the conversion.

const noInt = math.MinInt32

// packInts replaces nums by ints when every number fits at some scale.
func (t *Table) packInts() {
	if t.nums == nil || t.Len() < minImplied {
		return
	}
	k := 0
	for ; k < len(pow10); k++ {
		if fitsScaled(t.nums, k) {
			break
		}
	}
	if k == len(pow10) {
		return
	}
	p := pow10[k]
	ints := make([]int32, len(t.nums))
	for id, f := range t.nums {
		if f != f {
			ints[id] = noInt
		} else {
			ints[id] = int32(math.Round(f * p))
		}
	}
	t.ints, t.scale, t.nums = ints, uint8(k), nil
}

// fitsScaled reports whether every number of nums (NaN aside) is c / 10^k
// for an int32 c (not the noInt sentinel), exactly, and none is -0.
func fitsScaled(nums []float64, k int) bool {
	p := pow10[k]
	for _, f := range nums {
		if f != f {
			continue
		}
		c := math.Round(f * p)
		if !(c > math.MinInt32 && c <= math.MaxInt32) || c/p != f || (f == 0 && math.Signbit(f)) {
			return false
		}
	}
	return true
}

// intNum returns the number of ints[id] (not noInt).
func (t *Table) intNum(v int32) float64 {
	if t.scale == 0 {
		return float64(v)
	}
	return float64(v) / pow10[t.scale]
}

// unpackInts stores the numbers as float64 again, before the table
// changes.
func (t *Table) unpackInts() {
	if t.ints == nil {
		return
	}
	nums := make([]float64, len(t.ints), len(t.ints)+1)
	for id := range t.ints {
		nums[id] = t.Num(uint32(id))
	}
	t.nums, t.ints, t.scale = nums, nil, 0
}

// AppendNums appends the number of every symbol, by id (NaN where none),
// to dst.
func (t *Table) AppendNums(dst []float64) []float64 {
	switch {
	case t.nums != nil:
		return append(dst, t.nums...)
	case t.ints != nil:
		for _, v := range t.ints {
			if v == noInt {
				dst = append(dst, math.NaN())
			} else {
				dst = append(dst, t.intNum(v))
			}
		}
		return dst
	}
	for range t.Len() {
		dst = append(dst, math.NaN())
	}
	return dst
}
