package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCubeFastPathExercised makes sure the differential test covers the
// fast path, not only the general one.
func TestCubeFastPathExercised(t *testing.T) {
	g0, a0, k0 := fastGroupCalls.Load(), fastAggCalls.Load(), keyDistinctCalls.Load()
	TestCubeDifferential(t)
	require.Greater(t, fastGroupCalls.Load()-g0, int64(100))
	require.Greater(t, fastAggCalls.Load()-a0, int64(100))
	require.Greater(t, keyDistinctCalls.Load()-k0, int64(cubeDiffModels()/40), "Count(DISTINCT key) by fields of the key")
}
