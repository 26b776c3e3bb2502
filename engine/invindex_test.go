package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine/internal/bitset"
	"github.com/assocengine/assoc/engine/internal/kern"
)

// TestInvIndexMatchesScan builds a column's inverted index and checks the
// rows it gives for random code sets against the membership scan, and that
// selections answered through it give the same states as a scan.
func TestInvIndexMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, card := range []int{1, 7, 300, 5000} {
		b := NewBuilder(Options{NoSystemTables: true})
		facts, err := b.NewTable("Facts", "K", "V")
		require.NoError(t, err)
		n := 3000 + rng.IntN(5000)
		for i := 0; i < n; i++ {
			var k any = float64(rng.IntN(card))
			if rng.IntN(20) == 0 {
				k = nil
			}
			require.NoError(t, facts.Append(k, float64(i%13)))
		}
		m, err := b.Build()
		require.NoError(t, err)
		node := int(m.g.fieldNodes[m.fieldByName["K"].Index][0])
		col := m.g.colOf(node, m.fieldByName["K"].Index)
		ix := buildInvIndex(col)
		for iter := 0; iter < 50; iter++ {
			set := bitset.New(int(col.MaxCode()) + 1)
			for c := 1; c <= int(col.MaxCode()); c++ {
				if rng.IntN(1+iter%10) == 0 {
					set.Set(uint32(c))
				}
			}
			want := make([]uint64, bitset.Words(n))
			kern.Member(col, set, want, 0, n)
			got := make([]uint64, bitset.Words(n))
			for c := set.Next(1); c >= 0; c = set.Next(c + 1) {
				if bm := ix.rows[c]; bm != nil {
					for _, x := range bm.ToArray() {
						got[x>>6] |= 1 << (x & 63)
					}
				}
			}
			require.Equal(t, want, got, "card %d iter %d", card, iter)
		}
		// Through selections: the index (invAlways) and the scan agree.
		for iter := 0; iter < 10; iter++ {
			var vals []FieldValue
			for range 1 + rng.IntN(3) {
				k := rng.IntN(card)
				vals = append(vals, FieldValue{Text: fmt.Sprint(k), IsNumeric: true, Number: float64(k)})
			}
			states := func(always bool) string {
				invAlways = always
				defer func() { invAlways = false }()
				m.ClearCaches()
				s := NewSession(m, SessionOptions{})
				_, err := s.SelectValues("", "K", vals, false, false)
				require.NoError(t, err)
				r, err := s.Result("")
				require.NoError(t, err)
				return fmt.Sprint(r.PossibleRows(0), r.FieldStates(m.fieldByName["V"].Index))
			}
			u0 := invUsed.Load()
			require.Equal(t, states(false), states(true))
			require.Greater(t, invUsed.Load(), u0, "the index answered")
		}
	}
}
