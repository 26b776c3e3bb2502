package symbols

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
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

// TestAppendNew checks that symbols appended without a lookup are found
// afterwards by every lookup and interning path, also concurrently, and
// that interning after them neither duplicates nor loses one.
func TestAppendNew(t *testing.T) {
	tb := NewTable()
	require.Equal(t, uint32(0), tb.InternText("first")) // an index exists before the appends
	var want []Dual
	for i := 0; i < 5000; i++ {
		var d Dual
		switch i % 3 {
		case 0:
			d = Dual{Num: float64(i) / 4, Text: ""}
		case 1:
			d = Dual{Num: float64(i), Text: fmt.Sprintf("n%05d", i)}
		default:
			d = Dual{Num: math.NaN(), Text: fmt.Sprintf("t%d", i)}
		}
		require.Equal(t, uint32(i+1), tb.AppendNew(d))
		want = append(want, d)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, d := range want {
				id, ok := tb.Lookup(d)
				if !ok || id != uint32(i+1) {
					t.Errorf("Lookup(%v) = %d, %v; want %d", d, id, ok, i+1)
					return
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, "n00001", tb.Text(2))
	require.Equal(t, FormatNumber(0), tb.Text(1))
	// Interning after the appends finds them and adds only new values.
	for i, d := range want {
		require.Equal(t, uint32(i+1), tb.Intern(d))
	}
	require.Equal(t, uint32(len(want)+1), tb.InternText("new"))
	require.Equal(t, len(want)+2, tb.Len())
	// A table that only ever appended builds its index on the first lookup.
	fresh := NewTable()
	fresh.AppendNew(Dual{Num: 7})
	fresh.AppendNew(Dual{Num: math.NaN(), Text: "x"})
	id, ok := fresh.LookupNum(7)
	require.True(t, ok)
	require.Zero(t, id)
	id, ok = fresh.LookupText("x")
	require.True(t, ok)
	require.Equal(t, uint32(1), id)
}

// TestInternNumAscending checks the ascending-number fast path: numbers
// greater than every earlier one are appended without the index, and
// repeats, smaller numbers, texts and lookups in between still find or
// add the right ids (an oracle map decides).
func TestInternNumAscending(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		tb := NewTable()
		byNum := map[uint64]uint32{}
		byText := map[string]uint32{}
		next := float64(rng.IntN(10)) - 5
		for i, n := 0, rng.IntN(3000); i < n; i++ {
			switch x := rng.IntN(100); {
			case x < 85 || round%4 == 0: // ascending (only, every fourth round)
				next += float64(1 + rng.IntN(3))
				id := tb.InternNum(next, "")
				_, dup := byNum[numKey(next)]
				require.False(t, dup)
				require.Equal(t, uint32(tb.Len()-1), id)
				byNum[numKey(next)] = id
			case x < 92: // a repeat or a smaller number
				f := next - float64(rng.IntN(20))
				id := tb.InternNum(f, "")
				if old, ok := byNum[numKey(f)]; ok {
					require.Equal(t, old, id, "round %d number %g", round, f)
				} else {
					byNum[numKey(f)] = id
				}
			case x < 96:
				s := fmt.Sprint("t", rng.IntN(50))
				id := tb.InternText(s)
				if old, ok := byText[s]; ok {
					require.Equal(t, old, id)
				} else {
					byText[s] = id
				}
			default:
				f := next - float64(rng.IntN(30))
				id, ok := tb.LookupNum(f)
				old, want := byNum[numKey(f)]
				require.Equal(t, want, ok)
				if ok {
					require.Equal(t, old, id)
				}
			}
		}
		require.Equal(t, len(byNum)+len(byText), tb.Len())
		for k, id := range byNum {
			got, ok := tb.LookupNum(math.Float64frombits(k))
			require.True(t, ok)
			require.Equal(t, id, got)
		}
		// Interning after the lookups above (index rebuilt) still works.
		id := tb.InternNum(next+1, "")
		got, ok := tb.LookupNum(next + 1)
		require.True(t, ok)
		require.Equal(t, id, got)
	}
}
