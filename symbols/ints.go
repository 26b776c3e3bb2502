package symbols

import "math"

// A frozen table of at least minImplied symbols whose numbers are all
// integers in the int32 range keeps them as int32 (ints, noInt where a
// symbol has none) instead of float64: keys and ids cost 4 bytes a symbol
// instead of 8. The engine's aggregations read numbers from copies by
// code (AppendNums), so only Num pays the conversion.

const noInt = math.MinInt32

// packInts replaces nums by ints when every number fits.
func (t *Table) packInts() {
	if t.nums == nil || t.Len() < minImplied {
		return
	}
	for _, f := range t.nums {
		if f != f {
			continue
		}
		if !(f > math.MinInt32 && f <= math.MaxInt32) || f != math.Trunc(f) || (f == 0 && math.Signbit(f)) {
			return
		}
	}
	ints := make([]int32, len(t.nums))
	for id, f := range t.nums {
		if f != f {
			ints[id] = noInt
		} else {
			ints[id] = int32(f)
		}
	}
	t.ints, t.nums = ints, nil
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
	t.nums, t.ints = nums, nil
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
				dst = append(dst, float64(v))
			}
		}
		return dst
	}
	for range t.Len() {
		dst = append(dst, math.NaN())
	}
	return dst
}
