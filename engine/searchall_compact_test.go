package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScanFieldCompactTexts searches fields whose texts a frozen table
// renders (ids, timestamps) or compresses (notes) and checks every hit
// against matching each symbol's text one by one: the alphabet shortcut
// must only skip terms that cannot match.
func TestScanFieldCompactTexts(t *testing.T) {
	m := impliedModel(t)
	terms := []string{"1", "12", "-", "2020-03", "a", "A", "e", "fin", "FINAL", "*5*", "*a*", "2020*", "x?z", "é", "\"sleep furiously\"", "n/", "unknown", ">100", "-3", ":"}
	for _, name := range []string{"ID", "When", "Amount", "Note"} {
		f, err := m.Field(name)
		require.NoError(t, err)
		var compiled []Term
		for _, s := range terms {
			compiled = append(compiled, CompileTerm(s, nil))
		}
		got, err := scanField(context.Background(), f, compiled, nil)
		require.NoError(t, err)
		for ti, term := range compiled {
			var want TermHits
			for id := range uint32(f.Cardinal()) {
				if k := term.Match(f.Symbols.Num(id), f.Symbols.Text(id)); k != MatchNone {
					want.IDs = append(want.IDs, id)
				}
			}
			require.Equal(t, want.IDs, got[ti].IDs, "field %s term %q", name, term.Text)
		}
	}
	// The fields are in the forms the test means.
	for _, name := range []string{"ID", "When", "Note"} {
		f, _ := m.Field(name)
		_, ok := f.Symbols.Alphabet()
		require.True(t, ok, name)
	}
}
