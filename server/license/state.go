package license

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// The numbers of the license model (spec §1). They are exact.
const (
	// MaxParallel is how many parallel connections one user-based
	// allocation (or one identified user's login pass) may hold.
	MaxParallel = 5
	// MaxParallelAnonymous is the parallel connections of one anonymous
	// login pass.
	MaxParallelAnonymous = 1
	// Cooldown is how long an allocation at MaxParallel that ends a
	// connection waits before it may add another.
	Cooldown = 5 * time.Minute
	// CapacityUnit is the Analyzer Capacity unit: each new 6-minute period
	// of a session consumes one.
	CapacityUnit = 6 * time.Minute
	// PassesPerToken is how many login access passes one token buys.
	PassesPerToken = 10
	// LoginPassPeriod is the continuous access one login pass gives.
	LoginPassPeriod = 60 * time.Minute
	// LoginPassWindow is the rolling period over which login passes are
	// counted: a pass used on day 1 is available again on day 29.
	LoginPassWindow = 28 * 24 * time.Hour
	// Quarantine is how long a removed allocation is held back (legacy
	// keys; user access passes counted from their last use).
	Quarantine = 7 * 24 * time.Hour
	// EvaluationSessions is how many sessions an engine without a key
	// serves at once; the next is refused with SESSION_ERROR_LIMIT_EXCEEDED.
	EvaluationSessions = 5
)

// state is the allocation state of one license key, as kept in the Store.
type state struct {
	KeyID  string `json:"keyId"`
	NextID int64  `json:"nextId"`
	// Month is the calendar month ("2026-01") CapacityUnits counts.
	Month         string `json:"capacityMonth,omitempty"`
	CapacityUnits int    `json:"capacityUnitsUsed"`
	// Users are the user-based allocations: Professional, Analyzer, user
	// access passes; by UserID.String().
	Users map[string]*userRec `json:"users"`
	// Groups are the login access groups of a token license, by name.
	Groups map[string]*groupRec `json:"loginGroups"`
	// Passes are the login passes in their 60 minutes, by id.
	Passes map[string]*passRec `json:"loginPasses"`
	// Conns are the connections (engine sessions) holding access, by slot.
	Conns map[string]*connRec `json:"connections"`
}

type userRec struct {
	Access   Access    `json:"access"`
	Assigned time.Time `json:"assigned"`
	LastUsed time.Time `json:"lastUsed,omitzero"`
	// Removed is set while the allocation is in quarantine, which ends at
	// QuarantineUntil; the allocation still counts as allocated.
	Removed         time.Time `json:"removed,omitzero"`
	QuarantineUntil time.Time `json:"quarantineUntil,omitzero"`
	// CooldownUntil: no new connection before this (rule 1.3).
	CooldownUntil time.Time `json:"cooldownUntil,omitzero"`
}

func (u *userRec) quarantined() bool { return !u.Removed.IsZero() }

type groupRec struct {
	Tokens int `json:"tokens"`
	// Anonymous lets anonymous users take passes from the group.
	Anonymous bool `json:"anonymous,omitempty"`
	// Uses are when passes were consumed: those in the last 28 days are in
	// use. After removal they are kept until every one has aged out.
	Uses            []time.Time `json:"uses,omitempty"`
	Removed         time.Time   `json:"removed,omitzero"`
	UnusedAtRemoval int         `json:"unusedAtRemoval,omitempty"`
}

func (g *groupRec) usedAt(now time.Time) int {
	n := 0
	for _, u := range g.Uses {
		if now.Sub(u) < LoginPassWindow {
			n++
		}
	}
	return n
}

// available is how many passes the group can still give.
func (g *groupRec) available(now time.Time) int {
	if !g.Removed.IsZero() {
		return 0
	}
	return max(0, g.Tokens*PassesPerToken-g.usedAt(now))
}

// heldTokens is how many tokens the group holds: all of them until it is
// removed; then one token is freed for every ten passes that are unused
// at removal or have since left the used state.
func (g *groupRec) heldTokens(now time.Time) int {
	if g.Removed.IsZero() {
		return g.Tokens
	}
	aged := 0
	for _, u := range g.Uses {
		if now.Sub(u) >= LoginPassWindow {
			aged++
		}
	}
	return max(0, g.Tokens-(g.UnusedAtRemoval+aged)/PassesPerToken)
}

type passRec struct {
	Group string `json:"group"`
	// User is the identified user of the pass; "" for an anonymous one.
	User          string    `json:"user,omitempty"`
	Start         time.Time `json:"start"`
	CooldownUntil time.Time `json:"cooldownUntil,omitzero"`
}

func (p *passRec) end() time.Time { return p.Start.Add(LoginPassPeriod) }

type connRec struct {
	User       string    `json:"user,omitempty"`
	Session    string    `json:"session"`
	Access     Access    `json:"access"`
	Admin      bool      `json:"admin,omitempty"`
	App        string    `json:"app,omitempty"`
	Started    time.Time `json:"started"`
	LastActive time.Time `json:"lastActive"`
	// Holders are the engines with sockets on this connection.
	Holders map[string]*holder `json:"holders"`
	// Units are the Analyzer Capacity units charged; the session is paid
	// until Started + Units*CapacityUnit.
	Units int `json:"units,omitempty"`
	// Pass is the login pass the connection uses.
	Pass string `json:"pass,omitempty"`
	// Revoked, when set, is the QIX session state the holders end their
	// sockets with, and RevokedWhy the reason.
	Revoked    string `json:"revoked,omitempty"`
	RevokedWhy string `json:"revokedWhy,omitempty"`
}

type holder struct {
	N    int       `json:"n"`
	Seen time.Time `json:"seen"`
}

func (c *connRec) paidUntil() time.Time {
	return c.Started.Add(time.Duration(c.Units) * CapacityUnit)
}

func newState(keyID string) *state {
	return &state{
		KeyID: keyID, Users: map[string]*userRec{}, Groups: map[string]*groupRec{},
		Passes: map[string]*passRec{}, Conns: map[string]*connRec{},
	}
}

// decodeState reads a stored state; an error means the record is corrupt.
func decodeState(data []byte, keyID string) (*state, error) {
	st := newState(keyID)
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("cannot decode the license state of %q: %w", keyID, err)
	}
	if st.KeyID != keyID {
		return nil, fmt.Errorf("the license state stored for %q belongs to %q", keyID, st.KeyID)
	}
	if st.Users == nil {
		st.Users = map[string]*userRec{}
	}
	if st.Groups == nil {
		st.Groups = map[string]*groupRec{}
	}
	if st.Passes == nil {
		st.Passes = map[string]*passRec{}
	}
	if st.Conns == nil {
		st.Conns = map[string]*connRec{}
	}
	for k, u := range st.Users {
		if u == nil {
			delete(st.Users, k)
		}
	}
	for k, g := range st.Groups {
		if g == nil || g.Tokens < 0 {
			delete(st.Groups, k)
		}
	}
	for k, p := range st.Passes {
		if p == nil {
			delete(st.Passes, k)
		}
	}
	for k, c := range st.Conns {
		if c == nil {
			delete(st.Conns, k)
			continue
		}
		if c.Holders == nil {
			c.Holders = map[string]*holder{}
		}
		for e, h := range c.Holders {
			if h == nil || h.N < 0 {
				delete(c.Holders, e)
			}
		}
	}
	if st.CapacityUnits < 0 {
		st.CapacityUnits = 0
	}
	return st, nil
}

func (st *state) encode() []byte {
	b, err := json.Marshal(st)
	if err != nil {
		panic("BUG: cannot encode the license state: " + err.Error())
	}
	return b
}

func (st *state) newID(prefix string) string {
	st.NextID++
	return fmt.Sprintf("%s%d", prefix, st.NextID)
}

// live reports whether a connection has a socket on an engine that was
// seen within staleAfter.
func (c *connRec) live(now time.Time, staleAfter time.Duration) bool {
	if c.Revoked != "" {
		return false
	}
	for _, h := range c.Holders {
		if h.N > 0 && now.Sub(h.Seen) <= staleAfter {
			return true
		}
	}
	return false
}

// enforce makes the state fit the key, whatever the store held: it never
// grants more than the key allows. Allocations of access types the key
// does not grant are dropped, and of each user-based type only the oldest
// as many as the key grants are kept.
func (st *state) enforce(e Entitlements) {
	keep := map[Access]int{Professional: e.Professional, Analyzer: e.Analyzer}
	if e.Tokens > 0 {
		keep = map[Access]int{UserPass: -1} // token decrease keeps passes (rule 1.5)
	}
	byAccess := map[Access][]string{}
	for id, u := range st.Users {
		byAccess[u.Access] = append(byAccess[u.Access], id)
	}
	for a, ids := range byAccess {
		n, ok := keep[a]
		if !ok {
			n = 0
		}
		if n < 0 || len(ids) <= n {
			continue
		}
		slices.SortFunc(ids, func(x, y string) int {
			return cmp.Or(st.Users[x].Assigned.Compare(st.Users[y].Assigned), cmp.Compare(x, y))
		})
		for _, id := range ids[n:] {
			delete(st.Users, id)
		}
	}
	if e.Tokens == 0 {
		clear(st.Groups)
		clear(st.Passes)
	}
	if e.AnalyzerCapacityMinutes == 0 {
		st.CapacityUnits = 0
	}
	for _, c := range st.Conns {
		if c.Revoked != "" {
			continue
		}
		ok := true
		switch c.Access {
		case Professional, Analyzer, UserPass:
			u := st.Users[c.User]
			ok = c.Admin && e.Legacy || u != nil && u.Access == c.Access
		case AnalyzerCapacity:
			ok = e.AnalyzerCapacityMinutes > 0
		case LoginPass:
			ok = st.Passes[c.Pass] != nil
		default:
			ok = false
		}
		if !ok {
			c.Revoked, c.RevokedWhy = StateLicenseRenew, "the key no longer grants this connection's access"
		}
	}
}

// tokensAllocated counts the tokens spent: user access passes (also those
// in quarantine) and the tokens held by login access groups.
func (st *state) tokensAllocated(now time.Time) int {
	n := 0
	for _, u := range st.Users {
		if u.Access == UserPass {
			n++
		}
	}
	for _, g := range st.Groups {
		n += g.heldTokens(now)
	}
	return n
}

// allocated counts the user allocations of an access type.
func (st *state) allocated(a Access) int {
	n := 0
	for _, u := range st.Users {
		if u.Access == a {
			n++
		}
	}
	return n
}

// userConns counts a user's live connections with an access (admin
// connections count only when countAdmin).
func (st *state) userConns(user string, a Access, now time.Time, staleAfter time.Duration, countAdmin bool) int {
	n := 0
	for _, c := range st.Conns {
		if c.User == user && c.Access == a && (countAdmin || !c.Admin) && c.live(now, staleAfter) {
			n++
		}
	}
	return n
}

// passConns counts the live connections on a login pass.
func (st *state) passConns(pass string, now time.Time, staleAfter time.Duration) int {
	n := 0
	for _, c := range st.Conns {
		if c.Pass == pass && c.live(now, staleAfter) {
			n++
		}
	}
	return n
}

// upgrade turns a user's Analyzer allocation into a Professional one; the
// user's open connections come along.
func (st *state) upgrade(user string, u *userRec) {
	u.Access = Professional
	for _, c := range st.Conns {
		if c.User == user && c.Access == Analyzer {
			c.Access = Professional
		}
	}
}
