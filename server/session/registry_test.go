package session_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/server/session"
	"github.com/assocengine/assoc/server/session/sessiontest"
)

// fakeSession counts how often it was closed.
type fakeSession struct {
	id     int
	closed atomic.Int32
}

func (s *fakeSession) Close() { s.closed.Add(1) }

// maker creates numbered fake sessions.
type maker struct {
	mu   sync.Mutex
	made []*fakeSession
}

func (m *maker) create() (*fakeSession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &fakeSession{id: len(m.made) + 1}
	m.made = append(m.made, s)
	return s, nil
}

func (m *maker) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.made)
}

func TestKeyOf(t *testing.T) {
	tests := []struct {
		name                        string
		user, header, app, identity string
		want                        session.Key
		sameAs                      *session.Key
	}{
		{name: "header wins over app and identity", header: "abc", app: "a.qvf", identity: "x",
			want: session.Key{SessionID: "abc"}},
		{name: "app and identity", app: "a.qvf", identity: "x", want: session.Key{AppID: "a.qvf", Identity: "x"}},
		{name: "no app", want: session.Key{}},
		{name: "user is part of the key", user: "folke", header: "abc", want: session.Key{User: "folke", SessionID: "abc"}},
		{name: "user with app", user: "folke", app: "engineData", want: session.Key{User: "folke", AppID: "engineData"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, session.KeyOf(tt.user, tt.header, tt.app, tt.identity))
		})
	}
	require.NotEqual(t, session.KeyOf("a", "s", "", ""), session.KeyOf("b", "s", "", ""), "two users never share a session")
	require.NotEqual(t, session.KeyOf("", "", "app", "1"), session.KeyOf("", "", "app", "2"))
	require.Contains(t, session.KeyOf("u", "", "app", "x").String(), `identity="x"`)
}

func TestCap(t *testing.T) {
	tests := []struct {
		max, ttl, want time.Duration
	}{
		{0, 10 * time.Second, 10 * time.Second},
		{0, time.Hour, session.DefaultMaxTTL},
		{0, -1, session.DefaultMaxTTL},
		{time.Minute, 2 * time.Minute, time.Minute},
		{time.Minute, 0, 0},
		{-1, -1, -1},
		{-1, 100 * time.Hour, 100 * time.Hour},
	}
	for _, tt := range tests {
		r := session.New[*fakeSession](session.Options{MaxTTL: tt.max})
		require.Equal(t, tt.want, r.Cap(tt.ttl), "max %v ttl %v", tt.max, tt.ttl)
	}
}

func newRegistry(opts session.Options) (*session.Registry[*fakeSession], *sessiontest.Clock, *maker) {
	clk := &sessiontest.Clock{}
	if opts.Clock == nil {
		opts.Clock = clk
	}
	return session.New[*fakeSession](opts), clk, &maker{}
}

func TestZeroTTLClosesWithLastConnection(t *testing.T) {
	r, clk, m := newRegistry(session.Options{})
	k := session.KeyOf("", "", "app", "")
	a, err := r.Acquire(k, 0, false, m.create)
	require.NoError(t, err)
	require.False(t, a.Attached())
	b, err := r.Acquire(k, 0, false, m.create)
	require.NoError(t, err)
	require.True(t, b.Attached())
	require.Same(t, a.Session(), b.Session(), "same key shares the session")

	a.Release()
	require.Zero(t, a.Session().closed.Load(), "one connection is still attached")
	b.Release()
	require.EqualValues(t, 1, a.Session().closed.Load())
	require.Zero(t, clk.Pending())

	c, err := r.Acquire(k, 0, false, m.create)
	require.NoError(t, err)
	require.False(t, c.Attached())
	require.NotSame(t, a.Session(), c.Session())
	require.Equal(t, 2, m.count())
}

func TestTTLReattachAndExpiry(t *testing.T) {
	r, clk, m := newRegistry(session.Options{})
	k := session.KeyOf("", "", "engineData", "abc")

	l, err := r.Acquire(k, 30*time.Second, true, m.create)
	require.NoError(t, err)
	first := l.Session()
	l.Release()
	l.Release() // idempotent
	require.Equal(t, 1, clk.Pending())
	require.Equal(t, session.Stats{Sessions: 1, Idle: 1, Created: 1}, r.Stats())

	clk.Advance(29 * time.Second)
	require.Zero(t, first.closed.Load())

	// Re-attach within the TTL, without a TTL in the URL: the session and
	// its TTL are kept.
	l, err = r.Acquire(k, 0, false, m.create)
	require.NoError(t, err)
	require.True(t, l.Attached())
	require.Same(t, first, l.Session())
	require.Zero(t, clk.Pending(), "the expiry is cancelled while connected")
	clk.Advance(time.Hour)
	require.Zero(t, first.closed.Load())

	l.Release()
	clk.Advance(30*time.Second - time.Nanosecond)
	require.Zero(t, first.closed.Load())
	clk.Advance(time.Nanosecond)
	require.EqualValues(t, 1, first.closed.Load())
	require.Equal(t, session.Stats{Created: 1, Closed: 1}, r.Stats())

	l, err = r.Acquire(k, 0, false, m.create)
	require.NoError(t, err)
	require.False(t, l.Attached())
	require.NotSame(t, first, l.Session())
}

func TestLatestTTLWinsAndIsCapped(t *testing.T) {
	r, clk, m := newRegistry(session.Options{DefaultTTL: 5 * time.Second, MaxTTL: time.Minute})
	k := session.KeyOf("", "sid", "", "")

	l, err := r.Acquire(k, 0, false, m.create)
	require.NoError(t, err)
	l.Release()
	clk.Advance(5 * time.Second)
	require.EqualValues(t, 1, m.made[0].closed.Load(), "the default TTL applies without /ttl")

	l, err = r.Acquire(k, 20*time.Second, true, m.create)
	require.NoError(t, err)
	l2, err := r.Acquire(k, time.Hour, true, m.create) // capped at 1 minute
	require.NoError(t, err)
	l.Release()
	l2.Release()
	clk.Advance(59 * time.Second)
	require.Zero(t, m.made[1].closed.Load(), "the latest TTL (1h, capped to 1m) wins over 20s")
	clk.Advance(time.Second)
	require.EqualValues(t, 1, m.made[1].closed.Load())
}

func TestNegativeTTL(t *testing.T) {
	t.Run("forever when the max allows it", func(t *testing.T) {
		r, clk, m := newRegistry(session.Options{DefaultTTL: -1, MaxTTL: -1})
		l, err := r.Acquire(session.Key{}, 0, false, m.create)
		require.NoError(t, err)
		l.Release()
		require.Zero(t, clk.Pending())
		clk.Advance(1000 * time.Hour)
		require.Zero(t, l.Session().closed.Load())
		r.Close()
		require.EqualValues(t, 1, l.Session().closed.Load())
	})
	t.Run("capped by a finite max", func(t *testing.T) {
		r, clk, m := newRegistry(session.Options{MaxTTL: time.Minute})
		l, err := r.Acquire(session.Key{}, -1, true, m.create)
		require.NoError(t, err)
		l.Release()
		clk.Advance(time.Minute)
		require.EqualValues(t, 1, l.Session().closed.Load())
	})
}

// leakyClock's timers cannot be stopped, as happens with a real timer that
// fires just while Stop is called.
type leakyClock struct{ *sessiontest.Clock }

func (c leakyClock) AfterFunc(d time.Duration, f func()) session.Timer {
	c.Clock.AfterFunc(d, f)
	return unstoppable{}
}

type unstoppable struct{}

func (unstoppable) Stop() bool { return false }

func TestStaleTimerDoesNotCloseAReattachedSession(t *testing.T) {
	clk := &sessiontest.Clock{}
	r, _, m := newRegistry(session.Options{Clock: leakyClock{clk}})
	k := session.KeyOf("", "", "app", "")
	l, err := r.Acquire(k, 10*time.Second, true, m.create)
	require.NoError(t, err)
	l.Release() // timer 1, due at 10s
	clk.Advance(5 * time.Second)
	l, err = r.Acquire(k, 0, false, m.create) // timer 1 cannot be stopped
	require.NoError(t, err)
	clk.Advance(5 * time.Second) // timer 1 fires while connected
	require.Zero(t, l.Session().closed.Load())
	l.Release() // timer 2, due at 20s
	clk.Advance(9 * time.Second)
	require.Zero(t, l.Session().closed.Load())
	clk.Advance(time.Second)
	require.EqualValues(t, 1, l.Session().closed.Load())
}

func TestConcurrentAcquireCreatesOnce(t *testing.T) {
	r, _, _ := newRegistry(session.Options{})
	var calls atomic.Int32
	gate := make(chan struct{})
	sess := &fakeSession{}
	create := func() (*fakeSession, error) {
		calls.Add(1)
		<-gate
		return sess, nil
	}
	const n = 16
	leases := make(chan *session.Lease[*fakeSession], n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			l, err := r.Acquire(session.KeyOf("", "x", "", ""), 0, false, create)
			if err == nil {
				leases <- l
			}
		})
	}
	time.Sleep(20 * time.Millisecond) // let them all queue on the new entry
	close(gate)
	wg.Wait()
	close(leases)
	require.EqualValues(t, 1, calls.Load())
	attached := 0
	var all []*session.Lease[*fakeSession]
	for l := range leases {
		require.Same(t, sess, l.Session())
		if l.Attached() {
			attached++
		}
		all = append(all, l)
	}
	require.Len(t, all, n)
	require.Equal(t, n-1, attached)
	require.Equal(t, n, r.Stats().Connections)
	for _, l := range all {
		l.Release()
	}
	require.EqualValues(t, 1, sess.closed.Load())
	require.Equal(t, session.Stats{Created: 1, Closed: 1}, r.Stats())
}

func TestCreateFailure(t *testing.T) {
	r, _, m := newRegistry(session.Options{})
	boom := errors.New("boom")
	_, err := r.Acquire(session.Key{}, 0, false, func() (*fakeSession, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
	require.Equal(t, session.Stats{}, r.Stats())

	_, err = r.Acquire(session.Key{}, 0, false, func() (*fakeSession, error) { panic("kaputt") })
	require.ErrorContains(t, err, "kaputt")
	require.Equal(t, session.Stats{}, r.Stats())

	l, err := r.Acquire(session.Key{}, 0, false, m.create)
	require.NoError(t, err, "a failed creation leaves nothing behind")
	require.False(t, l.Attached())
}

func TestUsers(t *testing.T) {
	r, clk, m := newRegistry(session.Options{DefaultTTL: time.Second})
	a, _ := r.Acquire(session.KeyOf("ann", "1", "", ""), 0, false, m.create)
	b, _ := r.Acquire(session.KeyOf("ann", "2", "", ""), 0, false, m.create)
	c, _ := r.Acquire(session.KeyOf("bob", "1", "", ""), 0, false, m.create)
	require.NotSame(t, a.Session(), c.Session(), "same header, different users")
	st := r.Stats()
	require.Equal(t, 2, st.ActiveUsers)
	require.Equal(t, 3, st.Sessions)
	a.Release()
	c.Release()
	clk.Advance(time.Second)
	st = r.Stats()
	require.Equal(t, 1, st.ActiveUsers)
	require.Equal(t, 2, st.TotalUsers)
	b.Release()
}

func TestClose(t *testing.T) {
	r, _, m := newRegistry(session.Options{DefaultTTL: time.Minute})
	held, err := r.Acquire(session.KeyOf("", "a", "", ""), 0, false, m.create)
	require.NoError(t, err)
	idle, err := r.Acquire(session.KeyOf("", "b", "", ""), 0, false, m.create)
	require.NoError(t, err)
	idle.Release()
	r.Close()
	r.Close()
	require.EqualValues(t, 1, held.Session().closed.Load())
	require.EqualValues(t, 1, idle.Session().closed.Load())
	held.Release()
	require.EqualValues(t, 1, held.Session().closed.Load(), "a release after Close does not close twice")
	_, err = r.Acquire(session.Key{}, 0, false, m.create)
	require.ErrorIs(t, err, session.ErrClosed)
}

func BenchmarkAcquireRelease(b *testing.B) {
	r := session.New[*fakeSession](session.Options{DefaultTTL: time.Minute})
	s := &fakeSession{}
	create := func() (*fakeSession, error) { return s, nil }
	k := session.KeyOf("", "bench", "", "")
	keep, _ := r.Acquire(k, 0, false, create)
	defer keep.Release()
	b.ReportAllocs()
	for b.Loop() {
		l, _ := r.Acquire(k, 0, false, create)
		l.Release()
	}
}
