package license

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// storeContract checks what every Store must do.
func storeContract(t *testing.T, s Store) {
	t.Helper()
	data, rev, err := s.Load(ctx, "k1")
	require.NoError(t, err)
	require.Nil(t, data)
	require.Zero(t, rev)

	r1, err := s.Save(ctx, "k1", []byte(`{"a":1}`), 0)
	require.NoError(t, err)
	require.Equal(t, int64(1), r1)
	_, err = s.Save(ctx, "k1", []byte(`{"a":2}`), 0)
	require.ErrorIs(t, err, ErrConflict, "a second creation conflicts")
	r2, err := s.Save(ctx, "k1", []byte(`{"a":2}`), r1)
	require.NoError(t, err)
	require.Equal(t, int64(2), r2)
	_, err = s.Save(ctx, "k1", []byte(`{"a":3}`), r1)
	require.ErrorIs(t, err, ErrConflict, "a stale revision conflicts")
	data, rev, err = s.Load(ctx, "k1")
	require.NoError(t, err)
	require.JSONEq(t, `{"a":2}`, string(data))
	require.Equal(t, r2, rev)

	// Keys are separate.
	data, _, err = s.Load(ctx, "k2")
	require.NoError(t, err)
	require.Nil(t, data)

	// Concurrent writers: every increment lands exactly once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				for {
					data, rev, err := s.Load(ctx, "counter")
					require.NoError(t, err)
					n := 0
					if data != nil {
						_, _ = fmt.Sscanf(string(data), "%d", &n)
					}
					_, err = s.Save(ctx, "counter", fmt.Appendf(nil, "%d", n+1), rev)
					if errors.Is(err, ErrConflict) {
						continue
					}
					require.NoError(t, err)
					break
				}
			}
		})
	}
	wg.Wait()
	data, _, err = s.Load(ctx, "counter")
	require.NoError(t, err)
	require.Equal(t, "40", string(data))
}

func TestMemoryStore(t *testing.T) { storeContract(t, &MemoryStore{}) }

func TestFileStore(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenFileStore(dir)
	require.NoError(t, err)
	storeContract(t, s)
	// A second store on the same directory (another process) sees it all.
	s2, err := OpenFileStore(dir)
	require.NoError(t, err)
	data, rev, err := s2.Load(ctx, "k1")
	require.NoError(t, err)
	require.JSONEq(t, `{"a":2}`, string(data))
	require.Equal(t, int64(2), rev)
	info, err := os.Stat(s.Path("k1"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	// No temporary files are left behind.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.NotContains(t, e.Name(), ".tmp-")
	}

	// A corrupt file reads as CorruptRev and is replaced (and kept aside).
	require.NoError(t, os.WriteFile(s.Path("k1"), []byte("{not json"), 0o600))
	_, rev, err = s.Load(ctx, "k1")
	require.NoError(t, err)
	require.Equal(t, int64(CorruptRev), rev)
	_, err = s.Save(ctx, "k1", []byte(`{}`), 2)
	require.ErrorIs(t, err, ErrConflict)
	r, err := s.Save(ctx, "k1", []byte(`{"b":1}`), CorruptRev)
	require.NoError(t, err)
	require.Equal(t, int64(1), r)
	kept, err := filepath.Glob(s.Path("k1") + ".corrupt-*")
	require.NoError(t, err)
	require.Len(t, kept, 1)

	_, err = OpenFileStore("")
	require.ErrorContains(t, err, "no directory")
}

func TestRule_1_9_StateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	fs, err := OpenFileStore(dir)
	require.NoError(t, err)
	e := newEnv(t, Entitlements{Professional: 1, AnalyzerCapacityMinutes: 60}, Options{Store: fs})
	mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	mustConnect(t, e.lic, ConnectRequest{})

	// A new engine process with the same key and directory.
	fs2, err := OpenFileStore(dir)
	require.NoError(t, err)
	l2 := New(Options{Key: e.lic.Key(), Store: fs2, Clock: e.clock, EngineID: "engine-restarted"})
	allocs, err := l2.Allocations(ctx)
	require.NoError(t, err)
	require.Len(t, allocs, 1)
	require.Equal(t, user("ada"), allocs[0].User)
	_, err = connect(t, l2, ConnectRequest{User: user("bob"), Groups: nil})
	require.NoError(t, err)
	require.Equal(t, 12, l2.Usage().CapacityMinutesUsed, "capacity consumption survived: the anonymous user's unit and bob's")
}

func TestRule_1_9_ConcurrentEnginesEnforceLimitsTogether(t *testing.T) {
	for _, kind := range []string{"memory", "file"} {
		t.Run(kind, func(t *testing.T) {
			var a, b Store = &MemoryStore{}, nil
			b = a
			if kind == "file" {
				dir := t.TempDir()
				fa, err := OpenFileStore(dir)
				require.NoError(t, err)
				fb, err := OpenFileStore(dir)
				require.NoError(t, err)
				a, b = fa, fb
			}
			e := newEnv(t, Entitlements{Professional: 3, Analyzer: 2}, Options{Store: a})
			peer := New(Options{Key: e.lic.Key(), Store: b, Clock: e.clock, EngineID: "engine-b"})
			engines := []*License{e.lic, peer}

			// Phase 1: one user from both engines at once holds at most 5
			// connections.
			var mu sync.Mutex
			var admitted, limited int
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					_, err := engines[i%2].Connect(ctx, ConnectRequest{User: user("shared"), Session: fmt.Sprintf("shared-%d", i)})
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						requireRefused(t, err, StateLimitExceeded)
						limited++
						return
					}
					admitted++
				})
			}
			wg.Wait()
			require.Equal(t, 5, admitted)
			require.Equal(t, 3, limited)

			// Phase 2: twelve users race for the 4 allocations left.
			got := map[Access]int{}
			for i := range 12 {
				wg.Go(func() {
					s, err := engines[i%2].Connect(ctx, ConnectRequest{User: user(fmt.Sprintf("u%d", i)), Session: fmt.Sprintf("s%d", i)})
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						requireRefused(t, err, StateNoLicense)
						got[NoAccess]++
						return
					}
					got[s.Access()]++
				})
			}
			wg.Wait()
			require.Equal(t, 4, got[Professional]+got[Analyzer], "%v", got)
			require.Equal(t, 8, got[NoAccess], "%v", got)
			allocs, err := e.lic.Allocations(ctx)
			require.NoError(t, err)
			count := map[Access]int{}
			for _, a := range allocs {
				count[a.Access]++
			}
			require.Equal(t, map[Access]int{Professional: 3, Analyzer: 2}, count)
		})
	}
}

func TestRule_1_9_LostStoreNeverGrantsMore(t *testing.T) {
	ms := &MemoryStore{}
	e := newEnv(t, Entitlements{Professional: 1}, Options{Store: ms})
	ada := mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	ms.Drop("key-1") // the store lost everything

	// This engine restores its own connection before admitting anyone.
	_, err := connect(t, e.lic, ConnectRequest{User: user("bob")})
	requireRefused(t, err, StateNoLicense)
	require.False(t, revoked(ada))

	// Another engine, lost store again: it can hand the seat to someone
	// else, but only until the first engine ticks: then one of the two is
	// ended and the key's one seat holds again.
	b := e.peer("engine-b", Options{})
	ms.Drop("key-1")
	bob := mustConnect(t, b, ConnectRequest{User: user("bob")})
	require.Equal(t, Professional, bob.Access())
	tick(t, e.lic)
	require.True(t, revoked(ada))
	require.Equal(t, 1, e.lic.Usage().Professional)
	state, why := ada.Revoked()
	require.Equal(t, StateLicenseRenew, state)
	require.Contains(t, why, "no access can be allocated")
}

func TestRule_1_9_CorruptStoreNeverGrantsMore(t *testing.T) {
	ms := &MemoryStore{}
	e := newEnv(t, Entitlements{Professional: 2}, Options{Store: ms})
	mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	ms.Corrupt("key-1", []byte(`{"keyId":"key-1","users":{"x":{"access":"professional"`))
	mustConnect(t, e.lic, ConnectRequest{User: user("bob")})
	_, err := connect(t, e.lic, ConnectRequest{User: user("cyd")})
	requireRefused(t, err, StateNoLicense)
	require.Equal(t, 2, e.lic.Usage().Professional, "ada was restored, bob took the other seat")

	// A readable state that grants more than the key (tampered, or written
	// under an older key with the same id) is cut down to the key.
	var users string
	for i := range 10 {
		users += fmt.Sprintf(`%q:{"access":"professional","assigned":"2026-01-0%dT00:00:00Z"},`, fmt.Sprintf(`test\u%d`, i), i%9+1)
	}
	doc := `{"keyId":"key-1","users":{` + users[:len(users)-1] + `},"capacityUnitsUsed":-5}`
	ms2 := &MemoryStore{}
	_, err = ms2.Save(ctx, "key-1", []byte(doc), 0)
	require.NoError(t, err)
	e2 := newEnv(t, Entitlements{Professional: 2}, Options{Store: ms2})
	allocs, err := e2.lic.Allocations(ctx)
	require.NoError(t, err)
	require.Len(t, allocs, 2)
	require.Equal(t, `test\u0`, allocs[0].User.String(), "the oldest allocations are kept")
	_, err = connect(t, e2.lic, ConnectRequest{User: user("u5")})
	requireRefused(t, err, StateNoLicense)

	// A state stored under another key id is not taken.
	ms3 := &MemoryStore{}
	_, err = ms3.Save(ctx, "key-1", []byte(`{"keyId":"other","users":{}}`), 0)
	require.NoError(t, err)
	e3 := newEnv(t, Entitlements{Professional: 1}, Options{Store: ms3})
	mustConnect(t, e3.lic, ConnectRequest{User: user("ada")})
}

func TestRule_1_9_DeadEngineStopsHoldingAllocations(t *testing.T) {
	e := newEnv(t, Entitlements{Analyzer: 1}, Options{StaleAfter: 3 * time.Minute})
	b := e.peer("engine-b", Options{StaleAfter: 3 * time.Minute})
	for range MaxParallel {
		mustConnect(t, b, ConnectRequest{User: user("ada")})
	}
	_, err := connect(t, e.lic, ConnectRequest{User: user("ada")})
	requireRefused(t, err, StateLimitExceeded)
	// Engine b dies (never ticks again).
	e.clock.Advance(2 * time.Minute)
	tick(t, e.lic)
	_, err = connect(t, e.lic, ConnectRequest{User: user("ada")})
	requireRefused(t, err, StateLimitExceeded)
	e.clock.Advance(2 * time.Minute)
	mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
}

// failingStore fails every operation.
type failingStore struct{}

func (failingStore) Load(context.Context, string) ([]byte, int64, error) {
	return nil, 0, errors.New("connection refused")
}
func (failingStore) Save(context.Context, string, []byte, int64) (int64, error) {
	return 0, errors.New("connection refused")
}
func (failingStore) Close(context.Context) error { return nil }

func TestRule_1_9_UnreachableStoreRefuses(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 10}, Options{Store: failingStore{}})
	_, err := connect(t, e.lic, ConnectRequest{User: user("ada")})
	requireRefused(t, err, StateNoLicense)
	require.ErrorContains(t, err, "license state store is unavailable: connection refused")
	require.ErrorContains(t, e.lic.Tick(ctx), "cannot renew")
}

func TestConnectWithoutSession(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 1}, Options{})
	_, err := e.lic.Connect(ctx, ConnectRequest{User: user("ada")})
	require.ErrorContains(t, err, "without a session key")
}

func TestReleaseTwiceAndUsage(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 2, Analyzer: 1, AnalyzerCapacityMinutes: 600, Cores: 2,
		Expires: t0.Add(365 * 24 * time.Hour)}, Options{})
	s := mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	require.Equal(t, user("ada"), s.User())
	require.Equal(t, "key-1", s.KeyID())
	st, why := s.Revoked()
	require.Empty(t, st+why)
	release(t, s)
	release(t, s)
	u := e.lic.Usage()
	require.Equal(t, Usage{Mode: "licensed", KeyID: "key-1", Licensee: "Example AB", Expires: "2027-01-10T09:00:00Z",
		Professional: 1, ProfessionalTotal: 2, AnalyzerTotal: 1, CapacityMinutesTotal: 600, Cores: 2}, u)
}

func BenchmarkConnectRelease(b *testing.B) {
	for _, kind := range []string{"memory", "file"} {
		b.Run("store="+kind, func(b *testing.B) {
			var s Store = &MemoryStore{}
			if kind == "file" {
				fs, err := OpenFileStore(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				s = fs
			}
			text, err := Sign(Entitlements{KeyID: "bench", Licensee: "L", Professional: 100, Analyzer: 100}, signPriv)
			if err != nil {
				b.Fatal(err)
			}
			key, err := ParseKey(text, signPub, time.Time{})
			if err != nil {
				b.Fatal(err)
			}
			l := New(Options{Key: key, Store: s, Clock: newClock(t0)})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				lease, err := l.Connect(ctx, ConnectRequest{User: UserID{Realm: "r", Subject: fmt.Sprintf("u%d", i%150)}, Session: "s"})
				if err != nil {
					b.Fatal(err)
				}
				if err := lease.Release(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
