package qix

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTempStoreExpiry: temporary states expire after their TTL (30
// minutes by default, a day at most) and an app keeps at most
// maxTempStates of them.
func TestTempStoreExpiry(t *testing.T) {
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	saved := now
	now = func() time.Time { return clock }
	defer func() { now = saved }()
	ts := &tempStore{byApp: map[*app]map[string]*tempState{}}
	a, b := &app{id: "a"}, &app{id: "b"}
	d := &bookmarkData{}

	tests := []struct {
		seconds int
		want    time.Duration
	}{
		{0, 30 * time.Minute}, {-5, 30 * time.Minute}, {90, 90 * time.Second}, {10 * 86400, 24 * time.Hour},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tempTTL(tt.seconds), "%d s", tt.seconds)
	}

	short := ts.put(a, d, tempTTL(60))
	long := ts.put(a, d, tempTTL(0))
	other := ts.put(b, d, tempTTL(60))
	require.Same(t, d, ts.get(a, short))
	require.Nil(t, ts.get(b, short), "ids are per app")
	require.Same(t, d, ts.get(b, other))

	clock = clock.Add(61 * time.Second)
	require.Nil(t, ts.get(a, short))
	require.Same(t, d, ts.get(a, long))
	_, kept := ts.byApp[b]
	require.False(t, kept, "an app without states is forgotten")
	clock = clock.Add(30 * time.Minute)
	require.Nil(t, ts.get(a, long))
	require.Empty(t, ts.byApp)

	// The cap drops the states closest to expiry.
	first := ts.put(a, d, tempTTL(10))
	for i := 1; i < maxTempStates; i++ {
		ts.put(a, d, tempTTL(100+i))
	}
	require.Len(t, ts.byApp[a], maxTempStates)
	last := ts.put(a, d, tempTTL(5000))
	require.Len(t, ts.byApp[a], maxTempStates)
	require.Nil(t, ts.get(a, first))
	require.Same(t, d, ts.get(a, last))
}
