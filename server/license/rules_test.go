package license

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Each test names the rule of spec §1 it checks.

func TestRule_1_UnifiedLicenseSharesAllocations(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 1, Analyzer: 1}, Options{})
	b := e.peer("engine-b", Options{})
	s := mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	require.Equal(t, Professional, s.Access())
	// The other deployment sees ada's allocation and gives the next user
	// what is left.
	s2 := mustConnect(t, b, ConnectRequest{User: user("ada")})
	require.Equal(t, Professional, s2.Access())
	s3 := mustConnect(t, b, ConnectRequest{User: user("bob")})
	require.Equal(t, Analyzer, s3.Access())
	_, err := connect(t, e.lic, ConnectRequest{User: user("cyd")})
	requireRefused(t, err, StateNoLicense)
	allocs, err := e.lic.Allocations(ctx)
	require.NoError(t, err)
	require.Len(t, allocs, 2)
	require.Equal(t, 2, allocs[0].Connections)
}

func TestRule_1_KeyChangeDropsAndRestoresAssignments(t *testing.T) {
	e := newEnv(t, Entitlements{KeyID: "old", Professional: 1}, Options{Assignment: AssignNone})
	oldKey := e.lic.Key()
	require.NoError(t, e.lic.Assign(ctx, user("ada"), Professional))
	s := mustConnect(t, e.lic, ConnectRequest{User: user("ada")})

	e.lic.SetKey(newKey(t, Entitlements{KeyID: "new", Professional: 1}))
	require.True(t, revoked(s), "a new key ends the old key's connections")
	state, _ := s.Revoked()
	require.Equal(t, StateLicenseRenew, state)
	_, err := connect(t, e.lic, ConnectRequest{User: user("ada")})
	requireRefused(t, err, StateNoLicense) // no assignment under the new key
	allocs, err := e.lic.Allocations(ctx)
	require.NoError(t, err)
	require.Empty(t, allocs)
	require.NoError(t, s.Release(ctx)) // harmless after the revocation

	e.lic.SetKey(oldKey)
	allocs, err = e.lic.Allocations(ctx)
	require.NoError(t, err)
	require.Len(t, allocs, 1)
	require.Equal(t, user("ada"), allocs[0].User)
	require.Equal(t, Professional, mustConnect(t, e.lic, ConnectRequest{User: user("ada")}).Access())
}

func TestRule_1_1_UpgradeNeverDowngrade(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 1, Analyzer: 2}, Options{Assignment: AssignAnalyzer})
	s := mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	require.Equal(t, Analyzer, s.Access())
	// Asking for Professional does not upgrade while dynamic Professional
	// assignment is off...
	require.Equal(t, Analyzer, mustConnect(t, e.lic, ConnectRequest{User: user("ada"), Want: Professional}).Access())
	// ...an administrator can.
	require.NoError(t, e.lic.Assign(ctx, user("ada"), Professional))
	require.Equal(t, Professional, mustConnect(t, e.lic, ConnectRequest{User: user("ada")}).Access())
	err := e.lic.Assign(ctx, user("ada"), Analyzer)
	require.ErrorIs(t, err, ErrDowngrade)
	u := e.lic.Usage()
	require.Equal(t, 1, u.Professional)
	require.Equal(t, 0, u.Analyzer, "the upgrade freed the Analyzer allocation")

	// With dynamic Professional assignment, asking for it upgrades.
	e2 := newEnv(t, Entitlements{Professional: 1, Analyzer: 1}, Options{Assignment: AssignBoth})
	require.NoError(t, e2.lic.Assign(ctx, user("bob"), Analyzer))
	require.Equal(t, Analyzer, mustConnect(t, e2.lic, ConnectRequest{User: user("bob")}).Access())
	require.Equal(t, Professional, mustConnect(t, e2.lic, ConnectRequest{User: user("bob"), Want: Professional}).Access())
	allocs, err := e2.lic.Allocations(ctx)
	require.NoError(t, err)
	require.Equal(t, Professional, allocs[0].Access)
	require.Equal(t, 2, allocs[0].Connections, "the upgrade carries the user's open connection")
}

func TestRule_1_1_AnalyzerCapacitySixMinuteUnits(t *testing.T) {
	e := newEnv(t, Entitlements{AnalyzerCapacityMinutes: 30}, Options{IdleTimeout: -1}) // 5 units
	// Anonymous users may use capacity.
	s := mustConnect(t, e.lic, ConnectRequest{})
	require.Equal(t, AnalyzerCapacity, s.Access())
	require.Equal(t, 6, e.lic.Usage().CapacityMinutesUsed, "a session's first 6-minute period consumes a unit at once")
	e.clock.Advance(5*time.Minute + 59*time.Second)
	tick(t, e.lic)
	require.Equal(t, 6, e.lic.Usage().CapacityMinutesUsed)
	e.clock.Advance(time.Second) // the second period begins
	tick(t, e.lic)
	require.Equal(t, 12, e.lic.Usage().CapacityMinutesUsed)
	e.clock.Advance(13 * time.Minute) // 19 min: periods 3 and 4 began
	tick(t, e.lic)
	require.Equal(t, 24, e.lic.Usage().CapacityMinutesUsed)
	// A second session takes the last unit; then the pool is empty.
	s2 := mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	require.Equal(t, AnalyzerCapacity, s2.Access())
	require.Equal(t, 30, e.lic.Usage().CapacityMinutesUsed)
	_, err := connect(t, e.lic, ConnectRequest{User: user("bob")})
	requireRefused(t, err, StateNoLicense)
	require.ErrorContains(t, err, "Analyzer Capacity minutes of 2026-01 are used up")
	// The running session needs a fifth period that cannot be paid.
	e.clock.Advance(5 * time.Minute) // 24 min
	tick(t, e.lic)
	require.True(t, revoked(s))
	state, why := s.Revoked()
	require.Equal(t, StateLicenseRenew, state)
	require.Contains(t, why, "used up")
	require.False(t, revoked(s2))
}

func TestRule_1_1_AnalyzerCapacityPerCalendarMonth(t *testing.T) {
	e := newEnv(t, Entitlements{AnalyzerCapacityMinutes: 12}, Options{})
	e.clock.Set(time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC))
	s1 := mustConnect(t, e.lic, ConnectRequest{})
	s2 := mustConnect(t, e.lic, ConnectRequest{})
	_, err := connect(t, e.lic, ConnectRequest{})
	requireRefused(t, err, StateNoLicense)
	release(t, s1)
	release(t, s2)
	e.clock.Set(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	require.Equal(t, AnalyzerCapacity, mustConnect(t, e.lic, ConnectRequest{}).Access(), "February has its own minutes")
	require.Equal(t, 6, e.lic.Usage().CapacityMinutesUsed)
}

func TestRule_1_1_AnalyzerCapacitySameSessionNoNewUnit(t *testing.T) {
	e := newEnv(t, Entitlements{AnalyzerCapacityMinutes: 60}, Options{})
	s := mustConnect(t, e.lic, ConnectRequest{Session: "x"})
	release(t, s)
	e.clock.Advance(3 * time.Minute)
	s = mustConnect(t, e.lic, ConnectRequest{Session: "x"})
	require.Equal(t, 6, e.lic.Usage().CapacityMinutesUsed, "coming back within the paid period costs nothing")
	mustConnect(t, e.lic, ConnectRequest{Session: "x"}) // a second socket of the session
	require.Equal(t, 6, e.lic.Usage().CapacityMinutesUsed)
	release(t, s)
	e.clock.Advance(4 * time.Minute)
	tick(t, e.lic)
	require.Equal(t, 12, e.lic.Usage().CapacityMinutesUsed)
}

func TestRule_1_2_DynamicAssignmentSettings(t *testing.T) {
	type avail struct{ prof, analyzer, capacity int }
	tests := []struct {
		setting Assignment
		avail   avail
		want    Access // NoAccess: refused
	}{
		{AssignBoth, avail{1, 1, 60}, Professional},
		{AssignBoth, avail{0, 1, 60}, Analyzer},
		{AssignBoth, avail{0, 0, 60}, AnalyzerCapacity},
		{AssignBoth, avail{0, 0, 0}, NoAccess},
		{AssignProfessional, avail{1, 1, 60}, Professional},
		{AssignProfessional, avail{0, 1, 60}, AnalyzerCapacity},
		{AssignProfessional, avail{0, 1, 0}, NoAccess},
		{AssignAnalyzer, avail{1, 1, 60}, Analyzer},
		{AssignAnalyzer, avail{1, 0, 60}, AnalyzerCapacity},
		{AssignAnalyzer, avail{1, 0, 0}, NoAccess},
		{AssignNone, avail{1, 1, 60}, AnalyzerCapacity},
		{AssignNone, avail{1, 1, 0}, NoAccess},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.setting, tt.avail), func(t *testing.T) {
			// Fill the allocations that are "not available" with other users.
			ent := Entitlements{Professional: max(tt.avail.prof, 1), Analyzer: max(tt.avail.analyzer, 1), AnalyzerCapacityMinutes: tt.avail.capacity}
			e := newEnv(t, ent, Options{Assignment: tt.setting})
			if tt.avail.prof == 0 {
				require.NoError(t, e.lic.Assign(ctx, user("taken-p"), Professional))
			}
			if tt.avail.analyzer == 0 {
				require.NoError(t, e.lic.Assign(ctx, user("taken-a"), Analyzer))
			}
			s, err := connect(t, e.lic, ConnectRequest{User: user("ada")})
			if tt.want == NoAccess {
				requireRefused(t, err, StateNoLicense)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, s.Access())
		})
	}
}

func TestRule_1_2_AnonymousGetsOnlyCapacity(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 5, Analyzer: 5}, Options{})
	_, err := connect(t, e.lic, ConnectRequest{})
	requireRefused(t, err, StateNoLicense)
	require.ErrorContains(t, err, "anonymous")
}

func TestRule_1_3_FiveParallelConnections(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 1}, Options{})
	var last *Lease
	for i := range MaxParallel {
		last = mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
		require.Equal(t, Professional, last.Access(), "connection %d", i+1)
	}
	_, err := connect(t, e.lic, ConnectRequest{User: user("ada")})
	requireRefused(t, err, StateLimitExceeded)
	require.ErrorContains(t, err, "already has 5 parallel connections")
	// Another socket of an open session is not another connection.
	mustConnect(t, e.lic, ConnectRequest{User: user("ada"), Session: last.req.Session})
}

func TestRule_1_3_FiveMinuteCooldown(t *testing.T) {
	e := newEnv(t, Entitlements{Analyzer: 1}, Options{})
	var open []*Lease
	for range MaxParallel {
		open = append(open, mustConnect(t, e.lic, ConnectRequest{User: user("ada")}))
	}
	release(t, open[0]) // at the maximum: the cooldown starts
	e.clock.Advance(Cooldown - time.Second)
	_, err := connect(t, e.lic, ConnectRequest{User: user("ada")})
	requireRefused(t, err, StateLimitExceeded)
	require.ErrorContains(t, err, "may add one again at 2026-01-10T09:05:00Z")
	e.clock.Advance(time.Second)
	mustConnect(t, e.lic, ConnectRequest{User: user("ada")})

	// Below the maximum, ending a connection starts no cooldown.
	e2 := newEnv(t, Entitlements{Analyzer: 1}, Options{})
	s := mustConnect(t, e2.lic, ConnectRequest{User: user("bob")})
	mustConnect(t, e2.lic, ConnectRequest{User: user("bob")})
	release(t, s)
	mustConnect(t, e2.lic, ConnectRequest{User: user("bob")})
}

func TestRule_1_3_AdminConsoleCountsWithSignedKey(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 1}, Options{})
	mustConnect(t, e.lic, ConnectRequest{User: user("root"), Admin: true})
	for range MaxParallel - 1 {
		mustConnect(t, e.lic, ConnectRequest{User: user("root")})
	}
	_, err := connect(t, e.lic, ConnectRequest{User: user("root")})
	requireRefused(t, err, StateLimitExceeded)

	// A legacy (serial and control number) key: the console needs no
	// allocation and counts toward nothing.
	legacy := newEnv(t, Entitlements{Professional: 1, Legacy: true}, Options{})
	for range MaxParallel {
		mustConnect(t, legacy.lic, ConnectRequest{User: user("root")})
	}
	a := mustConnect(t, legacy.lic, ConnectRequest{User: user("root"), Admin: true})
	require.Equal(t, Professional, a.Access())
	require.Equal(t, 5, legacy.lic.Usage().Connections)
}

func TestRule_1_3_UserPassSixthSessionConsumesLoginPass(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 2}, Options{})
	require.NoError(t, e.lic.Assign(ctx, user("ada"), UserPass))
	for range MaxParallel {
		require.Equal(t, UserPass, mustConnect(t, e.lic, ConnectRequest{User: user("ada"), Groups: []string{"sales"}}).Access())
	}
	// No login access group yet: the sixth is refused.
	_, err := connect(t, e.lic, ConnectRequest{User: user("ada"), Groups: []string{"sales"}})
	requireRefused(t, err, StateLimitExceeded)
	require.NoError(t, e.lic.SetLoginGroup(ctx, "sales", 1, false))
	s := mustConnect(t, e.lic, ConnectRequest{User: user("ada"), Groups: []string{"sales"}})
	require.Equal(t, LoginPass, s.Access())
}

func TestRule_1_4_LegacyQuarantine(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 1, Legacy: true}, Options{Assignment: AssignNone})
	require.NoError(t, e.lic.Assign(ctx, user("ada"), Professional))
	s := mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	release(t, s)
	e.clock.Advance(24 * time.Hour)
	require.NoError(t, e.lic.Unassign(ctx, user("ada")))
	// Used within 7 days: in quarantine, still allocated.
	err := e.lic.Assign(ctx, user("bob"), Professional)
	require.ErrorContains(t, err, "no professional allocation is free")
	_, err = connect(t, e.lic, ConnectRequest{User: user("ada")})
	requireRefused(t, err, StateNoLicense)
	// Reinstated to the same user within 7 days.
	require.NoError(t, e.lic.Reinstate(ctx, user("ada")))
	require.Equal(t, Professional, mustConnect(t, e.lic, ConnectRequest{User: user("ada")}).Access())

	// Removed again and left alone: free after 7 days.
	require.NoError(t, e.lic.Unassign(ctx, user("ada")))
	e.clock.Advance(Quarantine - time.Minute)
	require.Error(t, e.lic.Assign(ctx, user("bob"), Professional))
	e.clock.Advance(time.Minute)
	require.NoError(t, e.lic.Assign(ctx, user("bob"), Professional))
	require.ErrorContains(t, e.lic.Reinstate(ctx, user("ada")), "no allocation in quarantine")

	// Not used within 7 days: released at once.
	e.clock.Advance(8 * 24 * time.Hour)
	require.NoError(t, e.lic.Unassign(ctx, user("bob")))
	require.NoError(t, e.lic.Assign(ctx, user("cyd"), Professional))
}

func TestRule_1_4_NoQuarantineWithSignedKey(t *testing.T) {
	e := newEnv(t, Entitlements{Analyzer: 1}, Options{Assignment: AssignNone})
	require.NoError(t, e.lic.Assign(ctx, user("ada"), Analyzer))
	s := mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	require.NoError(t, e.lic.Unassign(ctx, user("ada")))
	require.NoError(t, e.lic.Assign(ctx, user("bob"), Analyzer), "released at once")
	require.Error(t, e.lic.Reinstate(ctx, user("ada")))
	tick(t, e.lic)
	require.True(t, revoked(s), "the removed allocation's connections end")
}

func TestRule_1_4_UserPassQuarantineFromLastUse(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 1}, Options{})
	require.NoError(t, e.lic.Assign(ctx, user("ada"), UserPass))
	// Used on January 10.
	e.clock.Set(time.Date(2026, 1, 10, 15, 0, 0, 0, time.UTC))
	release(t, mustConnect(t, e.lic, ConnectRequest{User: user("ada")}))
	e.clock.Set(time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC))
	require.NoError(t, e.lic.Unassign(ctx, user("ada")))
	e.clock.Set(time.Date(2026, 1, 17, 23, 59, 59, 0, time.UTC))
	require.ErrorContains(t, e.lic.Assign(ctx, user("bob"), UserPass), "no userPass allocation is free")
	// Its token is free again on January 18.
	e.clock.Set(time.Date(2026, 1, 18, 0, 0, 0, 0, time.UTC))
	require.NoError(t, e.lic.Assign(ctx, user("bob"), UserPass))

	// Reinstating during the quarantine ends it.
	e2 := newEnv(t, Entitlements{Tokens: 1}, Options{})
	require.NoError(t, e2.lic.Assign(ctx, user("ada"), UserPass))
	release(t, mustConnect(t, e2.lic, ConnectRequest{User: user("ada")}))
	require.NoError(t, e2.lic.Unassign(ctx, user("ada")))
	_, err := connect(t, e2.lic, ConnectRequest{User: user("ada")})
	requireRefused(t, err, StateNoLicense)
	require.NoError(t, e2.lic.Reinstate(ctx, user("ada")))
	require.Equal(t, UserPass, mustConnect(t, e2.lic, ConnectRequest{User: user("ada")}).Access())
	e2.clock.Advance(30 * 24 * time.Hour)
	tick(t, e2.lic)
	allocs, err := e2.lic.Allocations(ctx)
	require.NoError(t, err)
	require.Len(t, allocs, 1, "a reinstated pass stays allocated")
}

func TestRule_1_5_TokensAreSpentAndRefused(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 3}, Options{})
	require.NoError(t, e.lic.Assign(ctx, user("ada"), UserPass))
	require.NoError(t, e.lic.SetLoginGroup(ctx, "sales", 2, false))
	require.Equal(t, 3, e.lic.Usage().TokensAllocated)
	require.ErrorContains(t, e.lic.Assign(ctx, user("bob"), UserPass), "no userPass allocation is free")
	require.ErrorContains(t, e.lic.SetLoginGroup(ctx, "ops", 1, false), "only 0 are free")
	// A user without an access pass cannot open apps.
	_, err := connect(t, e.lic, ConnectRequest{User: user("bob")})
	requireRefused(t, err, StateNoLicense)
	// Freed tokens are reused.
	require.NoError(t, e.lic.Unassign(ctx, user("ada"))) // never used: freed at once
	require.NoError(t, e.lic.Assign(ctx, user("bob"), UserPass))
	require.Equal(t, UserPass, mustConnect(t, e.lic, ConnectRequest{User: user("bob")}).Access())
}

func TestRule_1_5_AutoUserPass(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 1}, Options{AutoUserPass: true})
	require.Equal(t, UserPass, mustConnect(t, e.lic, ConnectRequest{User: user("ada")}).Access())
	_, err := connect(t, e.lic, ConnectRequest{User: user("bob")})
	requireRefused(t, err, StateNoLicense)
}

func TestRule_1_5_TenLoginPassesPerToken(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 1}, Options{})
	require.NoError(t, e.lic.SetLoginGroup(ctx, "visitors", 1, true))
	for i := range PassesPerToken {
		s := mustConnect(t, e.lic, ConnectRequest{})
		require.Equal(t, LoginPass, s.Access(), "pass %d", i+1)
		release(t, s)
	}
	_, err := connect(t, e.lic, ConnectRequest{})
	requireRefused(t, err, StateNoLicense)
}

func TestRule_1_5_LoginPassSixtyContinuousMinutes(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 1}, Options{IdleTimeout: -1})
	require.NoError(t, e.lic.SetLoginGroup(ctx, "sales", 1, false))
	s := mustConnect(t, e.lic, ConnectRequest{User: user("ada"), Groups: []string{"sales"}})
	require.Equal(t, LoginPass, s.Access())
	uses := func() int { return usedPasses(t, e, "sales") }
	require.Equal(t, 1, uses())
	e.clock.Advance(59 * time.Minute)
	tick(t, e.lic)
	require.Equal(t, 1, uses())
	// Past 60 minutes the connection is not cut: another pass is consumed.
	e.clock.Advance(time.Minute)
	tick(t, e.lic)
	require.Equal(t, 2, uses())
	require.False(t, revoked(s))
	// 9 hours later all ten passes are spent; the next hour cannot be paid
	// and the connection is discontinued.
	e.clock.Advance(8 * time.Hour)
	tick(t, e.lic)
	require.Equal(t, 10, uses())
	require.False(t, revoked(s))
	e.clock.Advance(time.Hour)
	tick(t, e.lic)
	require.True(t, revoked(s))
	_, why := s.Revoked()
	require.Contains(t, why, `no login access pass left in group "sales"`)
}

// usedPasses counts the passes a group has in use.
func usedPasses(t *testing.T, e *env, group string) int {
	t.Helper()
	data, _, err := e.store.Load(ctx, e.lic.Key().KeyID)
	require.NoError(t, err)
	st, err := decodeState(data, e.lic.Key().KeyID)
	require.NoError(t, err)
	g := st.Groups[group]
	require.NotNil(t, g, "group %q", group)
	return g.usedAt(e.clock.Now())
}

func TestRule_1_5_IdentifiedReconnectKeepsPass_AnonymousDoesNot(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 1}, Options{})
	require.NoError(t, e.lic.SetLoginGroup(ctx, "all", 1, true))
	ada := ConnectRequest{User: user("ada"), Groups: []string{"all"}}
	release(t, mustConnect(t, e.lic, ada))
	e.clock.Advance(59 * time.Minute)
	release(t, mustConnect(t, e.lic, ada))
	require.Equal(t, 1, usedPasses(t, e, "all"), "an identified user back within the 60 minutes keeps the pass")
	e.clock.Advance(time.Minute)
	release(t, mustConnect(t, e.lic, ada))
	require.Equal(t, 2, usedPasses(t, e, "all"), "after the 60 minutes a new pass")

	release(t, mustConnect(t, e.lic, ConnectRequest{}))
	release(t, mustConnect(t, e.lic, ConnectRequest{}))
	require.Equal(t, 4, usedPasses(t, e, "all"), "an anonymous user gets a new pass on every reconnect")
}

func TestRule_1_5_LoginPassesCountOverRolling28Days(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 1}, Options{})
	require.NoError(t, e.lic.SetLoginGroup(ctx, "a", 1, true))
	for range PassesPerToken {
		release(t, mustConnect(t, e.lic, ConnectRequest{}))
	}
	_, err := connect(t, e.lic, ConnectRequest{})
	requireRefused(t, err, StateNoLicense)
	// Day 28: still in use. Day 29: available again.
	e.clock.Advance(27 * 24 * time.Hour)
	_, err = connect(t, e.lic, ConnectRequest{})
	requireRefused(t, err, StateNoLicense)
	e.clock.Advance(24 * time.Hour)
	release(t, mustConnect(t, e.lic, ConnectRequest{}))
	require.Equal(t, 1, usedPasses(t, e, "a"))
}

func TestRule_1_5_LoginPassParallelConnections(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 1}, Options{})
	require.NoError(t, e.lic.SetLoginGroup(ctx, "g", 1, true))
	ada := ConnectRequest{User: user("ada"), Groups: []string{"g"}}
	for range MaxParallel {
		mustConnect(t, e.lic, ada)
	}
	require.Equal(t, 1, usedPasses(t, e, "g"), "an identified user's pass holds 5 connections")
	mustConnect(t, e.lic, ada)
	require.Equal(t, 2, usedPasses(t, e, "g"), "the sixth consumes another pass")
	mustConnect(t, e.lic, ConnectRequest{})
	mustConnect(t, e.lic, ConnectRequest{})
	require.Equal(t, 4, usedPasses(t, e, "g"), "an anonymous pass holds one connection")
}

func TestRule_1_5_LoginPassCooldown(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 1}, Options{})
	require.NoError(t, e.lic.SetLoginGroup(ctx, "g", 1, false))
	ada := ConnectRequest{User: user("ada"), Groups: []string{"g"}}
	var open []*Lease
	for range MaxParallel {
		open = append(open, mustConnect(t, e.lic, ada))
	}
	release(t, open[0])
	mustConnect(t, e.lic, ada)
	require.Equal(t, 2, usedPasses(t, e, "g"), "the pass is in its cooldown: another pass is consumed")
}

func TestRule_1_5_ReloadsConsumePasses(t *testing.T) {
	run := func(reload bool) (*env, *Lease) {
		e := newEnv(t, Entitlements{Tokens: 1}, Options{IdleTimeout: 30 * time.Minute})
		require.NoError(t, e.lic.SetLoginGroup(ctx, "g", 1, false))
		s := mustConnect(t, e.lic, ConnectRequest{User: user("ada"), Groups: []string{"g"}, App: "sales.qvf"})
		e.clock.Advance(50 * time.Minute)
		if reload {
			require.NoError(t, e.lic.Reload(ctx, "sales.qvf"))
		} else {
			require.NoError(t, e.lic.Reload(ctx, "other.qvf"))
		}
		e.clock.Advance(10 * time.Minute)
		tick(t, e.lic)
		return e, s
	}
	// Idle, no reload: the session is not renewed at the end of its pass.
	e, s := run(false)
	require.True(t, revoked(s))
	require.Equal(t, 1, usedPasses(t, e, "g"))
	// The open app reloaded: the session goes on and consumes a pass.
	e, s = run(true)
	require.False(t, revoked(s))
	require.Equal(t, 2, usedPasses(t, e, "g"))
	// Requests count as activity too.
	e3 := newEnv(t, Entitlements{Tokens: 1}, Options{})
	require.NoError(t, e3.lic.SetLoginGroup(ctx, "g", 1, false))
	s3 := mustConnect(t, e3.lic, ConnectRequest{User: user("ada"), Groups: []string{"g"}})
	e3.clock.Advance(45 * time.Minute)
	s3.Touch()
	e3.clock.Advance(15 * time.Minute)
	tick(t, e3.lic)
	require.False(t, revoked(s3))
	require.Equal(t, 2, usedPasses(t, e3, "g"))
}

func TestRule_1_5_RemovingLoginGroupFreesTokens(t *testing.T) {
	e := newEnv(t, Entitlements{Tokens: 3}, Options{})
	require.NoError(t, e.lic.SetLoginGroup(ctx, "g", 3, true)) // 30 passes
	for range 15 {
		release(t, mustConnect(t, e.lic, ConnectRequest{}))
	}
	e.clock.Advance(24 * time.Hour)
	for range 3 {
		release(t, mustConnect(t, e.lic, ConnectRequest{}))
	}
	require.NoError(t, e.lic.RemoveLoginGroup(ctx, "g"))
	// 12 unused passes: one token at once.
	require.Equal(t, 2, e.lic.Usage().TokensAllocated)
	_, err := connect(t, e.lic, ConnectRequest{})
	requireRefused(t, err, StateNoLicense)
	// Day 29: the 15 passes of day 1 leave the used state: 12+15 = 27 → 2 tokens.
	e.clock.Advance(27 * 24 * time.Hour)
	tick(t, e.lic)
	require.Equal(t, 1, e.lic.Usage().TokensAllocated)
	// A day later the rest: all 3 tokens are free.
	e.clock.Advance(24 * time.Hour)
	tick(t, e.lic)
	require.Equal(t, 0, e.lic.Usage().TokensAllocated)
	require.NoError(t, e.lic.SetLoginGroup(ctx, "h", 3, false))
}

func TestRule_1_5_TokenIncrease(t *testing.T) {
	e := newEnv(t, Entitlements{KeyID: "site", Tokens: 1}, Options{})
	require.NoError(t, e.lic.Assign(ctx, user("ada"), UserPass))
	require.Error(t, e.lic.Assign(ctx, user("bob"), UserPass))
	e.lic.SetKey(newKey(t, Entitlements{KeyID: "site", Tokens: 3}))
	require.NoError(t, e.lic.Assign(ctx, user("bob"), UserPass), "new tokens join the unallocated pool")
	require.NoError(t, e.lic.SetLoginGroup(ctx, "g", 1, false))
	allocs, err := e.lic.Allocations(ctx)
	require.NoError(t, err)
	require.Len(t, allocs, 2, "a renewal keeps the allocations")
}

func TestRule_1_5_TokenDecrease(t *testing.T) {
	e := newEnv(t, Entitlements{KeyID: "site", Tokens: 4}, Options{})
	for _, n := range []string{"a", "b", "c"} {
		require.NoError(t, e.lic.Assign(ctx, user(n), UserPass))
	}
	// 4 → 2: the unallocated token goes first; that is not enough, so the
	// three passes stay but nothing new is allocated...
	e.lic.SetKey(newKey(t, Entitlements{KeyID: "site", Tokens: 2}))
	require.Equal(t, UserPass, mustConnect(t, e.lic, ConnectRequest{User: user("c")}).Access())
	require.Error(t, e.lic.Assign(ctx, user("d"), UserPass))
	// ...until the allocated tokens are below the new number.
	require.NoError(t, e.lic.Unassign(ctx, user("a")))
	require.Error(t, e.lic.Assign(ctx, user("d"), UserPass), "2 allocated of 2: the freed token cannot be used")
	require.NoError(t, e.lic.Unassign(ctx, user("b")))
	require.NoError(t, e.lic.Assign(ctx, user("d"), UserPass))
}

func TestRule_1_6_CoreCap(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 1, Cores: 4}, Options{})
	require.Equal(t, 4, e.lic.Cores())
	require.Equal(t, 4, e.lic.CoreCap(16))
	require.Equal(t, 2, e.lic.CoreCap(2))
	require.Equal(t, 4, e.lic.Usage().Cores)
	none := newEnv(t, Entitlements{Professional: 1}, Options{})
	require.Equal(t, 16, none.lic.CoreCap(16))
	require.Equal(t, 8, New(Options{}).CoreCap(8))
}

func TestRule_1_8_EvaluationModeFiveSessions(t *testing.T) {
	l := New(Options{Clock: newClock(t0)})
	var open []*Lease
	for i := range EvaluationSessions {
		s, err := connect(t, l, ConnectRequest{Session: fmt.Sprintf("eval-%d", i)})
		require.NoError(t, err)
		require.Equal(t, Evaluation, s.Access())
		open = append(open, s)
	}
	_, err := connect(t, l, ConnectRequest{Session: "eval-5"})
	requireRefused(t, err, StateLimitExceeded)
	// Another socket of an open session attaches.
	_, err = connect(t, l, ConnectRequest{Session: "eval-0"})
	require.NoError(t, err)
	release(t, open[1])
	_, err = connect(t, l, ConnectRequest{Session: "eval-5"})
	require.NoError(t, err)
	require.Equal(t, "evaluation", l.Usage().Mode)
	require.Equal(t, 5, l.Usage().Connections)
}

func TestRule_1_8_ExpiredKeyRunsUnlicensed(t *testing.T) {
	exp := t0.Add(time.Hour)
	e := newEnv(t, Entitlements{Professional: 10, Expires: exp}, Options{})
	s := mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	require.Equal(t, Professional, s.Access())
	e.clock.Set(exp)
	tick(t, e.lic)
	require.True(t, revoked(s))
	require.Equal(t, "expired", e.lic.Usage().Mode)
	for range EvaluationSessions {
		require.Equal(t, Evaluation, mustConnect(t, e.lic, ConnectRequest{User: user("ada")}).Access())
	}
	_, err := connect(t, e.lic, ConnectRequest{User: user("ada")})
	requireRefused(t, err, StateLimitExceeded)
}

func TestRule_1_8_NoAllocationPossible(t *testing.T) {
	e := newEnv(t, Entitlements{Professional: 1}, Options{})
	mustConnect(t, e.lic, ConnectRequest{User: user("ada")})
	_, err := connect(t, e.lic, ConnectRequest{User: user("bob")})
	requireRefused(t, err, StateNoLicense)
	require.ErrorContains(t, err, `no access can be allocated to test\bob`)
}
