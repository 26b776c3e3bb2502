package symbols

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTableAgainstMaps interns random mixes of texts, numbers and special
// texts and checks ids, lookups, values and JSON against plain maps, across
// index growth and Freeze.
func TestTableAgainstMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	texts := []string{"", "a", "A", "é", "x\"y", "tab\there", "\u2028", "ünï", "12", " 12", "\xffbad", "back\\slash"}
	for round := 0; round < 20; round++ {
		tb := NewTable()
		byText := map[string]uint32{}
		byNum := map[uint64]uint32{}
		var want []Dual
		n := rng.IntN(5000)
		check := func() {
			require.Equal(t, len(want), tb.Len())
			for id, d := range want {
				got := tb.Dual(uint32(id))
				require.Equal(t, d.Text, got.Text)
				if math.IsNaN(d.Num) {
					require.True(t, math.IsNaN(got.Num))
					gid, ok := tb.LookupText(d.Text)
					require.True(t, ok)
					require.Equal(t, uint32(id), gid)
				} else {
					require.Equal(t, d.Num, got.Num)
					gid, ok := tb.LookupNum(d.Num)
					require.True(t, ok)
					require.Equal(t, uint32(id), gid)
				}
				require.Equal(t, string(AppendJSONString(nil, d.Text)), string(tb.AppendJSON(nil, uint32(id))))
			}
			_, ok := tb.LookupText("never interned")
			require.False(t, ok)
			_, ok = tb.LookupNum(-123456.5)
			require.False(t, ok)
		}
		for i := 0; i < n; i++ {
			if i == n/2 {
				check()
				tb.Freeze()
			}
			switch x := rng.IntN(10); {
			case x < 4:
				f := float64(rng.IntN(n + 1))
				if x == 0 {
					f = -f / 4
				}
				id := tb.InternNum(f, "")
				if old, ok := byNum[numKey(f)]; ok {
					require.Equal(t, old, id)
					continue
				}
				byNum[numKey(f)] = id
				want = append(want, Dual{Num: f, Text: FormatNumber(f)})
			default:
				s := texts[rng.IntN(len(texts))] + fmt.Sprint(rng.IntN(n+1))
				if x == 9 {
					s = texts[rng.IntN(len(texts))]
				}
				id := tb.InternText(s)
				if old, ok := byText[s]; ok {
					require.Equal(t, old, id)
					continue
				}
				byText[s] = id
				want = append(want, Dual{Num: math.NaN(), Text: s})
			}
		}
		check()
		require.Equal(t, len(byNum), tb.NumericCount())
	}
}

// TestTextOnlyTable checks a table without numbers: Nums is all NaN and
// costs nothing until asked for.
func TestTextOnlyTable(t *testing.T) {
	tb := NewTable()
	for i := 0; i < 100; i++ {
		tb.InternText(fmt.Sprint("t", i))
	}
	require.Nil(t, tb.nums)
	require.Len(t, tb.Nums(), 100)
	require.True(t, math.IsNaN(tb.Nums()[42]))
	require.True(t, math.IsNaN(tb.Num(99)))
	// Zero and negative zero are one number.
	z := NewTable()
	require.Equal(t, z.InternNum(0, "0"), z.InternNum(math.Copysign(0, -1), "-0"))
}

func BenchmarkInternText(b *testing.B) {
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("customer-%07d", i*7919%1000003)
	}
	b.ReportAllocs()
	for b.Loop() {
		tb := NewTable()
		for _, k := range keys {
			tb.InternText(k)
		}
		for _, k := range keys {
			tb.InternText(k)
		}
	}
}
