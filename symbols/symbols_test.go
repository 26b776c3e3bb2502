package symbols

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInternIdentity(t *testing.T) {
	tb := NewTable()
	a := tb.Intern(NumText(1, "1.0"))
	b := tb.Intern(NumText(1, "1"))
	c := tb.Intern(NumText(1, "1.000"))
	require.Equal(t, a, b)
	require.Equal(t, a, c)
	require.Equal(t, "1.0", tb.Text(a), "first text wins")
	d := tb.Intern(Text("1"))
	require.NotEqual(t, a, d, "text '1' and number 1 are distinct symbols")
	z := tb.Intern(Number(0))
	nz := tb.Intern(Number(math.Copysign(0, -1)))
	require.Equal(t, z, nz, "-0 folds into 0")
	require.Equal(t, 3, tb.Len())
	require.Equal(t, 2, tb.NumericCount())
	abc, ABC := tb.Intern(Text("abc")), tb.Intern(Text("ABC"))
	require.NotEqual(t, abc, ABC, "case-sensitive")
	id, ok := tb.Lookup(Number(1))
	require.True(t, ok)
	require.Equal(t, a, id)
	_, ok = tb.LookupText("nope")
	require.False(t, ok)
}

func TestAppendJSON(t *testing.T) {
	tb := NewTable()
	for _, s := range []string{"plain", `q"uote`, "back\\slash", "nl\n\ttab", "\x01ctl", "<html>&", "åäö", "bad\xffutf8", "\u2028"} {
		id := tb.InternText(s)
		got := tb.AppendJSON(nil, id)
		var back string
		require.NoError(t, json.Unmarshal(got, &back), "%q -> %s", s, got)
		if s == "bad\xffutf8" {
			require.Equal(t, "bad\ufffdutf8", back)
		} else {
			require.Equal(t, s, back)
		}
	}
	require.Equal(t, `"<html>&"`, string(AppendJSONString(nil, "<html>&")))
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{130, "130"}, {0, "0"}, {-5, "-5"}, {4148.096660000006, "4148.09666"},
		{46258458.110000014, "46258458.11"}, {0.1 + 0.2, "0.3"}, {1.5, "1.5"},
		{-0.25, "-0.25"}, {1e20, "1e+20"}, {1.2345678901234e20, "1.2345678901234e+20"},
		{0.000001, "1e-06"}, {44516.48127314815, "44516.481273148"},
	} {
		require.Equal(t, c.want, FormatNumber(c.f), "%v", c.f)
	}
}

func TestSortOrders(t *testing.T) {
	tb := NewTable()
	tb.Intern(Text("b"))
	tb.Intern(Number(10))
	tb.Intern(Text("A"))
	tb.Intern(Number(2))
	tb.Intern(Text("a"))
	num := tb.NumericOrder()
	require.Equal(t, []uint32{3, 1, 0, 2, 4}, num)
	txt := tb.TextOrder()
	var texts []string
	for _, id := range txt {
		texts = append(texts, tb.Text(id))
	}
	require.Equal(t, []string{"10", "2", "a", "A", "b"}, texts)
	r := tb.TextRank()
	for pos, id := range txt {
		require.Equal(t, uint32(pos), r[id])
	}
}

func TestColumnEncodings(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range []Policy{Compact, Bytes} {
		for nb := 1; nb <= 32; nb++ {
			maxCode := uint32(1<<nb - 1)
			if nb == 32 {
				maxCode = math.MaxUint32
			}
			for _, n := range []int{0, 1, 63, 64, 65, 127, 1000, 1025, 5000} {
				codes := make([]uint32, n)
				for i := range codes {
					codes[i] = uint32(rng.Uint64N(uint64(maxCode) + 1))
				}
				if n > 0 {
					codes[n-1] = maxCode
				}
				c := Pack(codes, maxCode, p)
				require.Equal(t, p.Choose(nb), c.Encoding())
				require.Equal(t, n, c.Len())
				for i, v := range codes {
					require.Equal(t, v, c.Code(i), "nb=%d n=%d i=%d", nb, n, i)
				}
				if n > 5 {
					dst := make([]uint32, n-3)
					c.Decode(dst, 3)
					require.Equal(t, codes[3:], dst)
				}
				b := NewColumnBuilder(0)
				for _, v := range codes {
					b.Append(v)
				}
				c2 := b.Finish(maxCode, p)
				for i, v := range codes {
					require.Equal(t, v, c2.Code(i))
				}
				// A builder that grew keeps no spare capacity.
				if n >= 4096 { // above the allocator's size classes
					require.LessOrEqual(t, c2.Bytes(), c.Bytes()+c.Bytes()/16, "nb=%d n=%d", nb, n)
				}
			}
		}
	}
}

func TestCompactSize(t *testing.T) {
	// The star-schema fact table of perf/anchors §3: 5, 50, 10k, 1461 and
	// 100k distinct values (+1 for the NULL code).
	n := 1 << 16
	var total int64
	for _, card := range []uint32{5, 50, 10000, 1461, 100000} {
		codes := make([]uint32, n)
		for i := range codes {
			codes[i] = uint32(i)%card + 1
		}
		total += Pack(codes, card, Compact).Bytes()
	}
	perRow := float64(total) / float64(n)
	require.Less(t, perRow, 8.0)
}
