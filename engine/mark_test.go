package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMarkRewind(t *testing.T) {
	m := workedModel(t)
	s := NewSession(m, SessionOptions{})
	_, err := s.SelectValues("", "Country", []FieldValue{{Text: "SE"}}, false, false)
	require.NoError(t, err)
	mark := s.Mark()
	before, _ := s.State("")
	_, _ = s.SelectValues("", "Product", []FieldValue{{Text: "Apple"}}, false, false)
	_, _ = s.SelectValues("", "Name", []FieldValue{{Text: "Alice"}}, false, false)
	require.Equal(t, 3, s.BackCount())
	s.Rewind(mark)
	after, _ := s.State("")
	require.Equal(t, before.Version(), after.Version(), "the same state, so caches stay valid")
	require.Equal(t, 1, s.BackCount(), "no history steps left behind")
	require.Equal(t, 0, s.ForwardCount())
}
