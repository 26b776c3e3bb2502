package engine

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSharedResults: sessions with the same selections share one
// inference; different selections, locks or states do not.
func TestSharedResults(t *testing.T) {
	m := workedModel(t)
	a, b := NewSession(m, SessionOptions{}), NewSession(m, SessionOptions{})
	sel := func(s *Session, v string) *Result {
		_, err := s.SelectValues("", "Country", []FieldValue{{Text: v}}, false, false)
		require.NoError(t, err)
		r, err := s.Result("")
		require.NoError(t, err)
		return r
	}
	h0 := sharedHits.Load()
	ra := sel(a, "SE")
	rb := sel(b, "SE")
	require.Same(t, ra, rb)
	require.Equal(t, int64(1), sharedHits.Load()-h0)
	require.NotSame(t, ra, sel(b, "DK"))
	// A lock makes a different state.
	_, err := a.Lock("", "Country")
	require.NoError(t, err)
	rl, err := a.Result("")
	require.NoError(t, err)
	require.NotSame(t, ra, rl)
	// Many sessions at once get one result, with the same states.
	var wg sync.WaitGroup
	res := make([]*Result, 8)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := NewSession(m, SessionOptions{})
			_, err := s.SelectValues("", "Product", []FieldValue{{Text: "Apple"}}, false, false)
			require.NoError(t, err)
			r, err := s.Result("")
			require.NoError(t, err)
			country, _ := m.Field("Country")
			_ = r.FieldStates(country.Index)
			res[i] = r
		}()
	}
	wg.Wait()
	for _, r := range res[1:] {
		require.Same(t, res[0], r)
	}
	// After ClearCaches a new session infers again.
	m.ClearCaches()
	require.NotSame(t, rb, sel(NewSession(m, SessionOptions{}), "SE"))
}
