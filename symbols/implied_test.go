package symbols

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// serial returns t as a serial date-time (days since 1899-12-30).
func serialAt(t time.Time) float64 { return float64(t.Unix())/86400 + 25569 }

// TestFreezeImpliesTexts builds large tables whose texts are renderings of
// their numbers, with a few texts that are not, and checks that freezing
// drops the stored texts yet every read gives what was interned.
func TestFreezeImpliesTexts(t *testing.T) {
	base := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		rule textRule
		dual func(i int) Dual
	}{
		{"ids", ruleNumber, func(i int) Dual { return Number(float64(i*7 + 3)) }},
		{"negative", ruleNumber, func(i int) Dual { return Number(float64(-i)) }},
		{"decimals", ruleNumber, func(i int) Dual {
			f := float64(i*37%100000) / 100
			return NumText(f, FormatNumber(f))
		}},
		{"fixed2", ruleFixed2, func(i int) Dual {
			f := float64(i*37%100000) / 100
			return NumText(f, strconv.FormatFloat(f, 'f', 2, 64))
		}},
		{"fixed4", ruleFixed4, func(i int) Dual {
			f := float64(i) / 16
			return NumText(f, strconv.FormatFloat(f, 'f', 4, 64))
		}},
		{"iso-date", ruleISODate, func(i int) Dual {
			d := base.AddDate(0, 0, i-3000)
			return NumText(serialAt(d), d.Format("2006-01-02"))
		}},
		{"iso-minute", ruleISOMinute, func(i int) Dual {
			d := base.Add(time.Duration(i*17) * time.Minute)
			return NumText(serialAt(d), d.Format("2006-01-02 15:04"))
		}},
		{"iso-second", ruleISOSecond, func(i int) Dual {
			d := base.Add(time.Duration(i*1237) * time.Second)
			return NumText(serialAt(d), d.Format("2006-01-02 15:04:05"))
		}},
		{"us-date", ruleUSDate, func(i int) Dual {
			d := base.AddDate(0, 0, i)
			return NumText(serialAt(d), d.Format("1/2/2006"))
		}},
		{"us-time", ruleUSTime, func(i int) Dual {
			d := base.Add(time.Duration(i*3607) * time.Second)
			return NumText(serialAt(d), d.Format("1/2/2006 3:04:05 PM"))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const n = 6000
			tab := NewTable()
			var want []Dual
			for i := range n {
				d := c.dual(i)
				switch i % 500 {
				case 7:
					d = Text(fmt.Sprintf("n/a %d \"quoted\"", i)) // no number
				case 11:
					d = NumText(d.Num, "other "+strconv.Itoa(i)) // a number with another text
				}
				id := tab.Intern(d)
				require.Equal(t, uint32(i), id, "value %d interned twice", i)
				want = append(want, d)
			}
			before := tab.Bytes()
			tab.Freeze()
			require.Equal(t, c.rule, tab.rule)
			require.Nil(t, tab.arena)
			require.Less(t, tab.Bytes(), before)
			requireFrozenReads(t, tab, want)
		})
	}
}

// requireFrozenReads checks every read of the frozen table tab against the
// duals interned (want), the text order against a plain table's, and that
// interning one more value stores the texts plainly again, after which
// every read still gives the same.
func requireFrozenReads(t *testing.T, tab *Table, want []Dual) {
	t.Helper()
	check := func() {
		var buf []byte
		for i, d := range want {
			id := uint32(i)
			require.Equal(t, d.Text, tab.Text(id), "symbol %d", i)
			require.Equal(t, d.Text, tab.TextScratch(id, &buf), "symbol %d", i)
			require.Equal(t, "x"+d.Text, string(tab.AppendText([]byte("x"), id)), "symbol %d", i)
			require.Equal(t, string(AppendJSONString(nil, d.Text)), string(tab.AppendJSON(nil, id)), "symbol %d", i)
			got, ok := tab.Lookup(d)
			require.True(t, ok, "symbol %d", i)
			require.Equal(t, id, got)
		}
		_, ok := tab.LookupText("a text the table does not hold")
		require.False(t, ok)
	}
	check()
	// Sorting by text renders or decodes each text once; the order is the
	// one the stored texts give.
	ref := NewTable()
	for _, d := range want {
		ref.AppendNew(d)
	}
	require.Equal(t, ref.TextOrder(), tab.TextOrder())
	extra := Text("added after freeze")
	require.Equal(t, uint32(len(want)), tab.Intern(extra))
	require.Equal(t, ruleNone, tab.rule)
	require.Nil(t, tab.z)
	want = append(want, extra)
	check()
}

func TestFreezeKeepsTextsThatAreNotRenderings(t *testing.T) {
	tab := NewTable()
	for i := range 5000 {
		f := float64(i)
		tab.InternNum(f, fmt.Sprintf("%04d", i)) // zero-padded: not FormatNumber
	}
	tab.Freeze()
	require.Equal(t, ruleNone, tab.rule)
	require.Equal(t, "0042", tab.Text(42))

	small := NewTable()
	for i := range 100 {
		small.InternNum(float64(i), "")
	}
	small.Freeze()
	require.Equal(t, ruleNone, small.rule, "small tables keep their texts")
}

func TestTextRuleEdges(t *testing.T) {
	for _, c := range []struct {
		r    textRule
		f    float64
		want string
		ok   bool
	}{
		{ruleISODate, 2, "1900-01-01", true},
		{ruleISODate, 0, "1899-12-30", true},
		{ruleISODate, -1, "1899-12-29", true},
		{ruleISOMinute, 36892.99999999, "2001-01-01 23:59", true}, // rounds to the millisecond first
		{ruleISOSecond, 36892.999999999, "2001-01-02 00:00:00", true},
		{ruleUSTime, 36892.5, "1/1/2001 12:00:00 PM", true},
		{ruleUSTime, 36892, "1/1/2001 12:00:00 AM", true},
		{ruleUSTime, 36892.0000001, "", false}, // not a whole second
		{ruleISODate, math.Inf(1), "", false},
		{ruleISODate, 1e9, "", false},
		{ruleNumber, 1.5, "1.5", true},
		{ruleFixed2, 1.5, "1.50", true},
		{ruleFixed1, -0.25, "-0.2", true},
		{ruleFixed3, 1e300, "", false},
	} {
		b, ok := c.r.appendText(nil, c.f)
		require.Equal(t, c.ok, ok, "%d %v", c.r, c.f)
		if ok {
			require.Equal(t, c.want, string(b), "%d %v", c.r, c.f)
		}
	}
}

// TestFixedRulesMatchStrconv checks the fixed-decimal renderings (which
// avoid the float formatter for amounts) against strconv.
func TestFixedRulesMatchStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	vals := []float64{0, math.Copysign(0, -1), 0.005, -0.005, 0.015, 1e15, 9007199254740.99, -1e-9, 123.456789}
	for range 200000 {
		switch r.IntN(3) {
		case 0:
			vals = append(vals, float64(r.IntN(20_000_000)-10_000_000)/pow10[r.IntN(5)])
		case 1:
			vals = append(vals, (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(30)-10)))
		default:
			vals = append(vals, math.Float64frombits(r.Uint64()))
		}
	}
	for _, f := range vals {
		if math.IsNaN(f) || math.IsInf(f, 0) || !(math.Abs(f) < 1e15) {
			continue
		}
		for k := 1; k <= 4; k++ {
			got, ok := (ruleFixed1 + textRule(k-1)).appendText(nil, f)
			require.True(t, ok)
			require.Equal(t, strconv.FormatFloat(f, 'f', k, 64), string(got), "%v with %d decimals", f, k)
		}
	}
}
