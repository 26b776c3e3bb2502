package symbols

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFreezePacksIntegers(t *testing.T) {
	build := func(extra float64) (*Table, []Dual) {
		tab := NewTable()
		var want []Dual
		for i := range 6000 {
			d := NumText(float64(i*5-999), "n"+FormatNumber(float64(i))) // texts are not renderings
			if i%100 == 3 {
				d = Text("text " + FormatNumber(float64(i)))
			}
			if i == 10 {
				d = NumText(extra, "extra")
			}
			require.Equal(t, uint32(i), tab.Intern(d))
			want = append(want, d)
		}
		return tab, want
	}
	check := func(tab *Table, want []Dual) {
		nums := tab.AppendNums([]float64{42})
		require.Len(t, nums, len(want)+1)
		for i, d := range want {
			id := uint32(i)
			require.Equal(t, math.Float64bits(d.Num), math.Float64bits(tab.Num(id)), "symbol %d", i)
			require.Equal(t, math.Float64bits(d.Num), math.Float64bits(nums[i+1]), "symbol %d", i)
			require.Equal(t, math.Float64bits(d.Num), math.Float64bits(tab.Nums()[i]), "symbol %d", i)
			require.Equal(t, d.Text, tab.Text(id))
			got, ok := tab.Lookup(d)
			require.True(t, ok, "symbol %d", i)
			require.Equal(t, id, got)
		}
	}
	tab, want := build(math.MaxInt32)
	tab.Freeze()
	require.NotNil(t, tab.ints)
	require.Nil(t, tab.nums)
	check(tab, want)
	// Interning afterwards stores float64 numbers again.
	d := Number(0.5)
	require.Equal(t, uint32(len(want)), tab.Intern(d))
	require.Nil(t, tab.ints)
	check(tab, append(want, d))

	// Amounts pack at the scale of their decimals, when every number
	// scales back exactly.
	for _, c := range []struct {
		extra float64
		scale int // -1: does not pack
	}{
		{0.5, 1}, {0.25, 2}, {-12.125, 3}, {math.Nextafter(0.3, 1), -1}, {0.00001, -1},
		{math.MaxInt32 + 1, -1}, {math.MinInt32, -1}, {math.Copysign(0, -1), -1}, {math.Inf(1), -1},
		{214748.3647, 4}, {214748.3648, -1}, // the int32 range at scale 4
	} {
		tab, want := build(c.extra)
		tab.Freeze()
		if c.scale < 0 {
			require.True(t, tab.ints == nil, "%v does not fit", c.extra)
		} else {
			require.NotNil(t, tab.ints, "%v fits", c.extra)
			require.Equal(t, uint8(c.scale), tab.scale, "%v", c.extra)
		}
		check(tab, want)
	}
}
