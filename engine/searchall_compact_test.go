package engine

import (
	"context"
	"strconv"
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
		got, err := scanField(context.Background(), nil, f, compiled, nil)
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

// TestSearchTextsCache searches large slow fields twice through a model:
// the first search keeps their texts in the query caches, the second
// reads them there, both give what matching each symbol's own text gives,
// and ClearCaches gives the bytes back.
func TestSearchTextsCache(t *testing.T) {
	const n = minSearchTexts + 1000
	b := NewBuilder(Options{NoSystemTables: true})
	tb, err := b.NewTable("T", "ID", "Note")
	require.NoError(t, err)
	words := []string{"final", "deposits", "sleep", "furiously", "among", "ironic", "packages"}
	for i := range n {
		note := words[i%7] + " " + words[i/7%7] + " " + words[i/49%7] + " " + strconv.Itoa(i)
		require.NoError(t, tb.Append(i*7+1, note))
	}
	m, err := b.Build()
	require.NoError(t, err)
	terms := []Term{CompileTerm("12", nil), CompileTerm("sleep", nil), CompileTerm("*99*", nil), CompileTerm("zzz", nil)}
	for _, name := range []string{"ID", "Note"} {
		f, err := m.Field(name)
		require.NoError(t, err)
		_, slow := f.Symbols.Alphabet()
		require.True(t, slow, name)
		want, err := scanField(context.Background(), nil, f, terms, nil)
		require.NoError(t, err)
		for round := range 2 {
			got, err := scanField(context.Background(), m, f, terms, nil)
			require.NoError(t, err)
			for ti := range terms {
				require.Equal(t, want[ti].IDs, got[ti].IDs, "%s %q round %d", name, terms[ti].Text, round)
				require.Equal(t, want[ti].Kinds, got[ti].Kinds)
			}
			_, cached := m.cnums.Load(searchTextsKey{f.Index})
			require.True(t, cached, name)
		}
	}
	require.Positive(t, m.rowNumsBytes.Load())
	m.ClearCaches()
	require.Zero(t, m.rowNumsBytes.Load())
}
