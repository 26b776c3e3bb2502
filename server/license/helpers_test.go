package license

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a Clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var t0 = time.Date(2026, time.January, 10, 9, 0, 0, 0, time.UTC)

var (
	signPub, signPriv = mustKeyPair()
)

func mustKeyPair() (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := GenerateSigningKey()
	if err != nil {
		panic(err)
	}
	return pub, priv
}

// newKey signs and verifies entitlements (keyId and licensee filled in).
func newKey(t *testing.T, e Entitlements) *Key {
	t.Helper()
	if e.KeyID == "" {
		e.KeyID = "key-1"
	}
	if e.Licensee == "" {
		e.Licensee = "Example AB"
	}
	text, err := Sign(e, signPriv)
	require.NoError(t, err)
	k, err := ParseKey(text, signPub, time.Time{})
	require.NoError(t, err)
	return k
}

// env is a license under test with its clock and store.
type env struct {
	t     *testing.T
	clock *fakeClock
	store Store
	lic   *License
}

func newEnv(t *testing.T, e Entitlements, opts Options) *env {
	t.Helper()
	clock := newClock(t0)
	if opts.Store == nil {
		opts.Store = &MemoryStore{}
	}
	opts.Clock = clock
	if opts.Key == nil && e != (Entitlements{}) {
		opts.Key = newKey(t, e)
	}
	if opts.EngineID == "" {
		opts.EngineID = "engine-a"
	}
	return &env{t: t, clock: clock, store: opts.Store, lic: New(opts)}
}

// peer returns a second engine on the same store, key and clock.
func (e *env) peer(id string, opts Options) *License {
	opts.Key, opts.Store, opts.Clock, opts.EngineID = e.lic.Key(), e.store, e.clock, id
	return New(opts)
}

var sessionSeq int

func user(name string) UserID { return UserID{Realm: "test", Subject: name} }

// connect connects a user on a new session.
func connect(t *testing.T, l *License, req ConnectRequest) (*Lease, error) {
	t.Helper()
	if req.Session == "" {
		sessionSeq++
		req.Session = fmt.Sprintf("s%d", sessionSeq)
	}
	return l.Connect(context.Background(), req)
}

func mustConnect(t *testing.T, l *License, req ConnectRequest) *Lease {
	t.Helper()
	s, err := connect(t, l, req)
	require.NoError(t, err)
	return s
}

// requireRefused checks a refusal and its session state.
func requireRefused(t *testing.T, err error, state string) {
	t.Helper()
	require.Error(t, err)
	r, ok := err.(*Refusal)
	require.True(t, ok, "want a *Refusal, got %T: %v", err, err)
	require.Equal(t, state, r.SessionState(), "refusal: %v", err)
}

func release(t *testing.T, s *Lease) {
	t.Helper()
	require.NoError(t, s.Release(context.Background()))
}

func tick(t *testing.T, l *License) {
	t.Helper()
	require.NoError(t, l.Tick(context.Background()))
}

func revoked(s *Lease) bool {
	select {
	case <-s.Done():
		return true
	default:
		return false
	}
}

var ctx = context.Background()
