package license

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time; tests inject a fake one.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Defaults of zero Options fields.
const (
	// DefaultIdleTimeout is how long a consumption-based session (Analyzer
	// Capacity, login pass) may go without activity before it is no longer
	// renewed at the end of its paid period.
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultStaleAfter is how long an engine's connections count without
	// the engine ticking: an engine that died stops holding allocations
	// after this. Tick must run more often (every minute is right).
	DefaultStaleAfter = 3 * time.Minute
	// maxAttempts bounds the optimistic-concurrency retries of one update.
	maxAttempts = 50
)

// Options configure a License. The zero value works: no key (evaluation
// mode), state in memory, the system clock, both dynamic assignments on.
type Options struct {
	// Key is the verified license key; nil runs the engine unlicensed
	// (evaluation mode, EvaluationSessions sessions).
	Key *Key
	// Store keeps the allocation state; nil keeps it in memory, for this
	// process only.
	Store Store
	// Clock tells the time; nil is the system clock.
	Clock Clock
	// Logger receives the license's log lines; nil discards them.
	Logger *slog.Logger
	// EngineID names this engine among those sharing the store; empty
	// picks a random one.
	EngineID string
	// Assignment is the dynamic access assignment setting (rule 1.2).
	Assignment Assignment
	// AutoUserPass allocates a user access pass (one token) to an
	// identified user without one when a token is free (token licenses).
	// Without it, user access passes are allocated with Assign only.
	AutoUserPass bool
	// IdleTimeout: see DefaultIdleTimeout; negative never ends a session
	// for being idle.
	IdleTimeout time.Duration
	// StaleAfter: see DefaultStaleAfter.
	StaleAfter time.Duration
	// Location is where calendar months (Analyzer Capacity) and days (user
	// pass quarantine) are counted; nil is UTC.
	Location *time.Location
}

// ConnectRequest is what the server knows of a new connection.
type ConnectRequest struct {
	// User is the authenticated user; the zero UserID is anonymous.
	User UserID
	// Groups are the user's groups (login access groups match them; a
	// group named "*" matches every identified user).
	Groups []string
	// Session is the engine session key: sockets attached to the same
	// session share one connection (and what it consumes).
	Session string
	// App is the app the session works on, if any (reloads of it extend
	// the session, rule 1.5).
	App string
	// Want is the access the connection asks for: NoAccess takes what the
	// user has or gets; Professional upgrades an Analyzer allocation when
	// dynamic assignment allows it and a Professional one is free.
	Want Access
	// Admin marks administration-console access: it counts toward the
	// parallel connections with a signed key, and with a legacy key it
	// needs no allocation.
	Admin bool
}

// License enforces a license key's entitlements for one engine, with the
// allocation state shared through a Store with every engine that uses the
// same key. Its methods are safe for concurrent use.
type License struct {
	mu         sync.Mutex
	key        *Key
	store      Store
	clock      Clock
	log        *slog.Logger
	engine     string
	assign     Assignment
	autoPass   bool
	idle       time.Duration
	staleAfter time.Duration
	loc        *time.Location

	leases map[string][]*Lease // by slot
	eval   map[string][]*Lease // evaluation sessions: their sockets
	usage  atomic.Pointer[Usage]
}

// New returns a License.
func New(opts Options) *License {
	l := &License{
		key: opts.Key, store: opts.Store, clock: opts.Clock, log: opts.Logger, engine: opts.EngineID,
		assign: opts.Assignment, autoPass: opts.AutoUserPass, idle: opts.IdleTimeout, staleAfter: opts.StaleAfter,
		loc: opts.Location, leases: map[string][]*Lease{}, eval: map[string][]*Lease{},
	}
	if l.store == nil {
		l.store = &MemoryStore{}
	}
	if l.clock == nil {
		l.clock = systemClock{}
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.engine == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		l.engine = "engine-" + hex.EncodeToString(b[:])
	}
	if l.idle == 0 {
		l.idle = DefaultIdleTimeout
	}
	if l.staleAfter <= 0 {
		l.staleAfter = DefaultStaleAfter
	}
	if l.loc == nil {
		l.loc = time.UTC
	}
	l.usage.Store(l.baseUsage(l.key))
	return l
}

// Key returns the license key in force (nil in evaluation mode).
func (l *License) Key() *Key {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.key
}

// Cores returns the CPU core cap of the key (0: no cap).
func (l *License) Cores() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key == nil {
		return 0
	}
	return l.key.Cores
}

// CoreCap returns how many cores the engine may use on a machine with
// numCPU of them: the key's cap when it is lower (rule 1.6). The server
// sets GOMAXPROCS (and so the engine's worker pools) to it.
func (l *License) CoreCap(numCPU int) int {
	if c := l.Cores(); c > 0 && c < numCPU {
		return c
	}
	return numCPU
}

// Lease is the access of one connection (one socket). Release it when the
// socket closes. The license may revoke it (capacity or passes used up,
// key changed or expired): Done is then closed and Revoked says why; the
// server sends the state and closes the socket.
type Lease struct {
	l       *License
	slot    string // "" for leases the store does not track
	keyID   string
	access  Access
	req     ConnectRequest
	touched atomic.Int64

	done       chan struct{}
	ended      bool // guarded by l.mu
	revState   string
	revReason  string
	revokeOnce sync.Once
}

// Access returns the access granted.
func (s *Lease) Access() Access { return s.access }

// User returns the user of the connection.
func (s *Lease) User() UserID { return s.req.User }

// KeyID returns the id of the key the lease was granted under ("" in
// evaluation mode).
func (s *Lease) KeyID() string { return s.keyID }

// Done is closed when the license revokes the lease.
func (s *Lease) Done() <-chan struct{} { return s.done }

// Revoked returns the QIX session state and the reason of a revocation,
// or "" before one.
func (s *Lease) Revoked() (state, reason string) {
	select {
	case <-s.done:
		return s.revState, s.revReason
	default:
		return "", ""
	}
}

// Touch records activity on the connection (a request): consumption-based
// sessions that are idle are not renewed.
func (s *Lease) Touch() { s.touched.Store(s.l.clock.Now().UnixNano()) }

func (s *Lease) revoke(state, reason string) {
	s.revokeOnce.Do(func() {
		s.revState, s.revReason = state, reason
		close(s.done)
	})
}

// Release ends the lease: the socket closed. It is safe to call more than
// once and after a revocation.
func (s *Lease) Release(ctx context.Context) error {
	return s.l.release(ctx, s)
}

func slotOf(req ConnectRequest) string {
	if req.User.IsZero() {
		return "anonymous|" + req.Session
	}
	return req.User.String() + "|" + req.Session
}

// Connect admits a connection or refuses it with a *Refusal that names
// the QIX session state (SESSION_ERROR_NO_LICENSE,
// SESSION_ERROR_LIMIT_EXCEEDED). A store that cannot be read or written
// refuses too: a license never grants what it cannot record.
func (l *License) Connect(ctx context.Context, req ConnectRequest) (*Lease, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if req.Session == "" {
		return nil, errors.New("license: cannot admit a connection without a session key")
	}
	now := l.clock.Now()
	key := l.key
	if key == nil || key.Expired(now) {
		return l.connectEvaluation(req)
	}
	lease := &Lease{l: l, keyID: key.KeyID, req: req, done: make(chan struct{})}
	lease.touched.Store(now.UnixNano())
	if req.Admin && key.Legacy {
		// Serial/control-number sites: the administration console needs no
		// allocation and counts toward nothing.
		lease.access = Professional
		return lease, nil
	}
	slot := slotOf(req)
	local := len(l.leases[slot])
	err := l.update(ctx, key, func(st *state, now time.Time) error {
		lease.access = NoAccess
		if c := st.Conns[slot]; c != nil && c.Revoked == "" &&
			(c.live(now, l.staleAfter) || c.Access == AnalyzerCapacity && now.Before(c.paidUntil())) {
			// Another socket of the same session: it shares the connection.
			c.Holders[l.engine] = &holder{N: local + 1, Seen: now}
			c.LastActive = now
			lease.access = c.Access
			return nil
		}
		delete(st.Conns, slot)
		a, err := l.admit(st, key.Entitlements, req, slot, local+1, now)
		lease.access = a
		return err
	})
	if err != nil {
		var r *Refusal
		if !errors.As(err, &r) {
			r = &Refusal{State: StateNoLicense, Reason: "the license state store is unavailable", Err: err}
		}
		l.log.Info("connection refused", "user", req.User.String(), "session", req.Session, "state", r.State, "reason", r.Error())
		return nil, r
	}
	lease.slot = slot
	l.leases[slot] = append(l.leases[slot], lease)
	l.log.Debug("connection admitted", "user", req.User.String(), "session", req.Session, "access", lease.access.String())
	return lease, nil
}

// connectEvaluation admits up to EvaluationSessions sessions (rule 1.8).
func (l *License) connectEvaluation(req ConnectRequest) (*Lease, error) {
	if len(l.eval[req.Session]) == 0 && len(l.eval) >= EvaluationSessions {
		return nil, refuse(StateLimitExceeded, "the engine runs without a valid license key and already serves %d sessions", EvaluationSessions)
	}
	lease := &Lease{l: l, access: Evaluation, req: req, done: make(chan struct{})}
	l.eval[req.Session] = append(l.eval[req.Session], lease)
	return lease, nil
}

// admit finds access for a connection that holds none (rules 1.2-1.5) and
// records it in st.
func (l *License) admit(st *state, e Entitlements, req ConnectRequest, slot string, sockets int, now time.Time) (Access, error) {
	user := ""
	if !req.User.IsZero() {
		user = req.User.String()
	}
	c := &connRec{
		User: user, Session: req.Session, App: req.App, Admin: req.Admin, Started: now, LastActive: now,
		Holders: map[string]*holder{l.engine: {N: sockets, Seen: now}},
	}
	if e.Tokens > 0 {
		return l.admitToken(st, e, req, user, slot, c, now)
	}
	if user != "" {
		u := st.Users[user]
		if u != nil && u.quarantined() &&
			(u.Access == Professional && l.assign.professional() || u.Access == Analyzer && l.assign.analyzer()) {
			u.Removed, u.QuarantineUntil = time.Time{}, time.Time{} // reinstated (rule 1.4)
		}
		if u != nil && !u.quarantined() {
			if req.Want == Professional && u.Access == Analyzer && l.assign.professional() &&
				st.allocated(Professional) < e.Professional {
				st.upgrade(user, u) // never downgrade (rule 1.1)
			}
			return l.useAllocation(st, u, user, slot, c, now)
		}
		if u == nil {
			var a Access
			switch {
			case l.assign.professional() && st.allocated(Professional) < e.Professional:
				a = Professional
			case l.assign.analyzer() && st.allocated(Analyzer) < e.Analyzer:
				a = Analyzer
			}
			if a != NoAccess {
				u = &userRec{Access: a, Assigned: now}
				st.Users[user] = u
				return l.useAllocation(st, u, user, slot, c, now)
			}
		}
	}
	if e.AnalyzerCapacityMinutes > 0 {
		if st.CapacityUnits >= e.AnalyzerCapacityMinutes/int(CapacityUnit/time.Minute) {
			return NoAccess, refuse(StateNoLicense, "the Analyzer Capacity minutes of %s are used up (%d of %d)",
				st.Month, st.CapacityUnits*int(CapacityUnit/time.Minute), e.AnalyzerCapacityMinutes)
		}
		st.CapacityUnits++
		c.Access, c.Units = AnalyzerCapacity, 1
		st.Conns[slot] = c
		return AnalyzerCapacity, nil
	}
	who := "an anonymous user"
	if user != "" {
		who = user
	}
	return NoAccess, refuse(StateNoLicense, "no access can be allocated to %s: no Professional or Analyzer allocation is free (dynamic assignment: %s) and the key grants no Analyzer Capacity", who, l.assign)
}

// useAllocation connects through a user-based allocation, within the
// parallel connection limit and its cooldown (rule 1.3).
func (l *License) useAllocation(st *state, u *userRec, user, slot string, c *connRec, now time.Time) (Access, error) {
	if n := st.userConns(user, u.Access, now, l.staleAfter, true); n >= MaxParallel {
		return NoAccess, refuse(StateLimitExceeded, "%s already has %d parallel connections with %s access", user, n, u.Access)
	}
	if now.Before(u.CooldownUntil) {
		return NoAccess, refuse(StateLimitExceeded, "%s reached %d parallel connections and may add one again at %s",
			user, MaxParallel, u.CooldownUntil.UTC().Format(time.RFC3339))
	}
	u.LastUsed = now
	c.Access = u.Access
	st.Conns[slot] = c
	return u.Access, nil
}

// admitToken admits a connection on a token license (rules 1.3, 1.5).
func (l *License) admitToken(st *state, e Entitlements, req ConnectRequest, user, slot string, c *connRec, now time.Time) (Access, error) {
	if user != "" {
		u := st.Users[user]
		if u != nil && u.Access == UserPass && !u.quarantined() {
			n := st.userConns(user, UserPass, now, l.staleAfter, true)
			if n < MaxParallel && !now.Before(u.CooldownUntil) {
				u.LastUsed = now
				c.Access = UserPass
				st.Conns[slot] = c
				return UserPass, nil
			}
			// A sixth session consumes a login access pass, if the user's
			// group has one.
			if l.takeLoginPass(st, req, user, slot, c, now) {
				return LoginPass, nil
			}
			if n >= MaxParallel {
				return NoAccess, refuse(StateLimitExceeded, "%s already has %d parallel connections with a user access pass and no login access pass is available", user, n)
			}
			return NoAccess, refuse(StateLimitExceeded, "%s reached %d parallel connections and may add one again at %s",
				user, MaxParallel, u.CooldownUntil.UTC().Format(time.RFC3339))
		}
		if u == nil && l.autoPass && st.tokensAllocated(now)+1 <= e.Tokens {
			st.Users[user] = &userRec{Access: UserPass, Assigned: now, LastUsed: now}
			c.Access = UserPass
			st.Conns[slot] = c
			return UserPass, nil
		}
	}
	if l.takeLoginPass(st, req, user, slot, c, now) {
		return LoginPass, nil
	}
	who := "an anonymous user"
	if user != "" {
		who = user
	}
	return NoAccess, refuse(StateNoLicense, "%s has no user access pass and no login access group has a pass for them", who)
}

// takeLoginPass connects through a login pass: the identified user's
// running pass when it has room, else a new pass from one of the user's
// groups (anonymous users: groups open to anonymous users).
func (l *License) takeLoginPass(st *state, req ConnectRequest, user, slot string, c *connRec, now time.Time) bool {
	if user != "" {
		for _, id := range slices.Sorted(maps.Keys(st.Passes)) {
			p := st.Passes[id]
			if p.User == user && now.Before(p.end()) && !now.Before(p.CooldownUntil) &&
				st.passConns(id, now, l.staleAfter) < MaxParallel {
				c.Access, c.Pass = LoginPass, id
				st.Conns[slot] = c
				return true
			}
		}
	}
	g := l.pickGroup(st, req, user == "", now)
	if g == "" {
		return false
	}
	st.Groups[g].Uses = append(st.Groups[g].Uses, now)
	id := st.newID("pass-")
	st.Passes[id] = &passRec{Group: g, User: user, Start: now}
	c.Access, c.Pass = LoginPass, id
	st.Conns[slot] = c
	return true
}

// pickGroup returns the first group (by name) the user may take a pass
// from that has one left.
func (l *License) pickGroup(st *state, req ConnectRequest, anonymous bool, now time.Time) string {
	for _, name := range slices.Sorted(maps.Keys(st.Groups)) {
		g := st.Groups[name]
		if g.available(now) == 0 {
			continue
		}
		if anonymous && g.Anonymous || !anonymous && (name == "*" || slices.Contains(req.Groups, name)) {
			return name
		}
	}
	return ""
}

// release ends a lease (the socket closed).
func (l *License) release(ctx context.Context, s *Lease) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.ended {
		return nil
	}
	s.ended = true
	if s.access == Evaluation {
		sess := s.req.Session
		if l.eval[sess] = slices.DeleteFunc(l.eval[sess], func(x *Lease) bool { return x == s }); len(l.eval[sess]) == 0 {
			delete(l.eval, sess)
		}
		return nil
	}
	if s.slot == "" {
		return nil
	}
	remaining := len(l.leases[s.slot]) - 1
	defer func() {
		// Forgotten locally whatever the store said: the next Tick drops
		// this engine's holds on connections it no longer has.
		if l.leases[s.slot] = slices.DeleteFunc(l.leases[s.slot], func(x *Lease) bool { return x == s }); len(l.leases[s.slot]) == 0 {
			delete(l.leases, s.slot)
		}
	}()
	key := l.key
	if key == nil || key.KeyID != s.keyID {
		return nil // the key changed: its state is not ours to update
	}
	err := l.update(ctx, key, func(st *state, now time.Time) error {
		c := st.Conns[s.slot]
		if c == nil {
			return nil
		}
		if remaining > 0 {
			c.Holders[l.engine] = &holder{N: remaining, Seen: now}
			return nil
		}
		wasLive := c.live(now, l.staleAfter)
		var before int
		switch {
		case c.Access.UserBased():
			before = st.userConns(c.User, c.Access, now, l.staleAfter, true)
		case c.Access == LoginPass:
			before = st.passConns(c.Pass, now, l.staleAfter)
		}
		delete(c.Holders, l.engine)
		if c.live(now, l.staleAfter) {
			return nil // other engines still hold the connection
		}
		switch {
		case c.Access.UserBased():
			if u := st.Users[c.User]; u != nil {
				u.LastUsed = now
				if wasLive && before >= MaxParallel {
					u.CooldownUntil = now.Add(Cooldown)
				}
			}
			delete(st.Conns, s.slot)
		case c.Access == LoginPass:
			if p := st.Passes[c.Pass]; p != nil {
				if p.User == "" {
					delete(st.Passes, c.Pass) // anonymous: a new pass on every reconnect
				} else if wasLive && before >= MaxParallel {
					p.CooldownUntil = now.Add(Cooldown)
				}
			}
			delete(st.Conns, s.slot)
		case c.Access == AnalyzerCapacity && c.Revoked == "" && now.Before(c.paidUntil()):
			// Kept until its paid period ends, so the session can come back
			// without a new unit.
		default:
			delete(st.Conns, s.slot)
		}
		return nil
	})
	if err != nil {
		l.log.Warn("cannot record the end of a connection; the engine's heartbeat will", "session", s.req.Session, "err", err)
		return fmt.Errorf("license: cannot record the end of session %q: %w", s.req.Session, err)
	}
	return nil
}

// Tick runs the license's periodic work; the server calls it about once a
// minute (more often than Options.StaleAfter). It renews this engine's
// connections in the shared state (re-admitting any the state lost),
// charges Analyzer Capacity units and login passes for the periods that
// began, ends idle consumption-based sessions at the end of their paid
// period, revokes what cannot be renewed, and notices an expired key.
func (l *License) Tick(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tick(ctx)
}

type revocation struct{ state, reason string }

func (l *License) tick(ctx context.Context) error {
	key := l.key
	if key == nil {
		return nil
	}
	now := l.clock.Now()
	if key.Expired(now) {
		if len(l.leases) > 0 {
			l.log.Warn("license key expired: ending its connections", "key", key.KeyID, "expired", key.Expires)
		}
		l.revokeAll(StateLicenseRenew, fmt.Sprintf("license key %q expired at %s", key.KeyID, key.Expires.UTC().Format(time.RFC3339)))
		return nil
	}
	err := l.update(ctx, key, func(st *state, now time.Time) error {
		l.charge(st, key.Entitlements, now)
		return nil
	})
	if err != nil {
		return fmt.Errorf("license: cannot renew this engine's connections: %w", err)
	}
	return nil
}

// charge bills the periods that began: one Analyzer Capacity unit per new
// 6-minute period of a session, one login pass per new 60 minutes. A
// session idle for IdleTimeout is not renewed; one that cannot be paid is
// revoked.
func (l *License) charge(st *state, e Entitlements, now time.Time) {
	idle := func(c *connRec) bool { return l.idle > 0 && now.Sub(c.LastActive) >= l.idle }
	totalUnits := e.AnalyzerCapacityMinutes / int(CapacityUnit/time.Minute)
	for _, slot := range slices.Sorted(maps.Keys(st.Conns)) {
		c := st.Conns[slot]
		if c.Access != AnalyzerCapacity || !c.live(now, l.staleAfter) {
			continue
		}
		due := int(now.Sub(c.Started)/CapacityUnit) + 1
		for c.Units < due {
			if idle(c) {
				c.Revoked, c.RevokedWhy = StateLicenseRenew, fmt.Sprintf("session idle since %s", c.LastActive.UTC().Format(time.RFC3339))
				break
			}
			if st.CapacityUnits >= totalUnits {
				c.Revoked, c.RevokedWhy = StateLicenseRenew, fmt.Sprintf("the Analyzer Capacity minutes of %s are used up", st.Month)
				break
			}
			st.CapacityUnits++
			c.Units++
		}
	}
	for _, id := range slices.Sorted(maps.Keys(st.Passes)) {
		p := st.Passes[id]
		var conns []*connRec
		for _, c := range st.Conns {
			if c.Pass == id && c.live(now, l.staleAfter) {
				conns = append(conns, c)
			}
		}
		if len(conns) == 0 {
			continue
		}
		for !now.Before(p.end()) {
			active := slices.ContainsFunc(conns, func(c *connRec) bool { return !idle(c) })
			g := st.Groups[p.Group]
			var why string
			switch {
			case !active:
				why = "session idle at the end of its login pass"
			case g == nil || g.available(now) == 0:
				why = fmt.Sprintf("no login access pass left in group %q", p.Group)
			}
			if why != "" {
				for _, c := range conns {
					c.Revoked, c.RevokedWhy = StateLicenseRenew, why
				}
				break
			}
			// Past 60 minutes the connection goes on with another pass.
			g.Uses = append(g.Uses, p.end())
			p.Start = p.end()
		}
	}
}

// Reload tells the license an app reloaded: sessions that have it open
// count as active (a reload extends them) and the passes and units they
// need now are consumed (rule 1.5).
func (l *License) Reload(ctx context.Context, app string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now().UnixNano()
	for _, leases := range l.leases {
		for _, s := range leases {
			if s.req.App == app {
				s.touched.Store(now)
			}
		}
	}
	return l.tick(ctx)
}

// SetKey changes the license key at run time. A key with another key id
// ends every connection (its allocations belong to the old key, which
// keeps them for when it comes back); a key with the same id (a renewal)
// keeps them. nil switches to evaluation mode.
func (l *License) SetKey(k *Key) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.key
	if old == nil || k == nil || old.KeyID != k.KeyID {
		l.revokeAll(StateLicenseRenew, "the license key changed")
	}
	l.key = k
	l.usage.Store(l.baseUsage(k))
	if k != nil {
		l.log.Info("license key in force", "key", k.KeyID, "licensee", k.Licensee)
	}
}

func (l *License) revokeAll(state, reason string) {
	for sess, leases := range l.eval {
		for _, s := range leases {
			s.ended = true
			s.revoke(state, reason)
		}
		delete(l.eval, sess)
	}
	for slot, leases := range l.leases {
		for _, s := range leases {
			s.ended = true
			s.revoke(state, reason)
		}
		delete(l.leases, slot)
	}
}

// update applies fn to the key's state and saves it, retrying when another
// engine wrote in between. fn may run several times; it must derive
// everything from the state it is given.
func (l *License) update(ctx context.Context, key *Key, fn func(st *state, now time.Time) error) error {
	for range maxAttempts {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, rev, err := l.store.Load(ctx, key.KeyID)
		if err != nil {
			return err
		}
		st := newState(key.KeyID)
		if data != nil || rev == CorruptRev {
			if s, err := decodeState(data, key.KeyID); err != nil || rev == CorruptRev {
				l.log.Error("license state is corrupt: starting it afresh within the key's limits", "key", key.KeyID, "err", err)
			} else {
				st = s
			}
		}
		now := l.clock.Now()
		st.enforce(key.Entitlements)
		l.heartbeat(st, now)
		l.housekeep(st, now)
		revoke := l.readmit(st, key.Entitlements, now)
		if err := fn(st, now); err != nil {
			return err
		}
		l.sweep(st, revoke)
		_, err = l.store.Save(ctx, key.KeyID, st.encode(), rev)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return err
		}
		l.applyRevocations(revoke)
		l.usage.Store(l.usageOf(key, st, now))
		return nil
	}
	return fmt.Errorf("license state of %q kept changing under %d attempts to update it: %w", key.KeyID, maxAttempts, ErrConflict)
}

// heartbeat renews this engine's holds on its connections (it is running)
// and drops its holds on connections it no longer has.
func (l *License) heartbeat(st *state, now time.Time) {
	for slot, c := range st.Conns {
		if len(l.leases[slot]) == 0 {
			delete(c.Holders, l.engine)
		} else if c.Revoked == "" {
			c.Holders[l.engine] = &holder{N: len(l.leases[slot]), Seen: now}
		}
	}
}

// readmit admits again the local connections the state lost (a lost
// store, or this engine was not seen for a while), and returns those it
// cannot, to revoke.
func (l *License) readmit(st *state, e Entitlements, now time.Time) map[string]revocation {
	revoke := map[string]revocation{}
	for _, slot := range slices.Sorted(maps.Keys(l.leases)) {
		leases := l.leases[slot]
		c := st.Conns[slot]
		if c == nil {
			s := leases[0]
			a, err := l.admit(st, e, s.req, slot, len(leases), now)
			if err == nil && a != s.access {
				delete(st.Conns, slot)
				err = refuse(StateLicenseRenew, "the connection's %s access could not be restored (it would be %s)", s.access, a)
			}
			if err != nil {
				revoke[slot] = revocation{StateLicenseRenew, err.Error()}
			} else {
				l.log.Warn("license state had lost a connection: admitted it again", "slot", slot, "access", a.String())
			}
			continue
		}
		c.Holders[l.engine] = &holder{N: len(leases), Seen: now}
		for _, s := range leases {
			if t := time.Unix(0, s.touched.Load()); t.After(c.LastActive) {
				c.LastActive = t
			}
		}
	}
	return revoke
}

// sweep adds the local connections the state revoked to revoke and drops
// this engine's holds on them.
func (l *License) sweep(st *state, revoke map[string]revocation) {
	for slot := range l.leases {
		if c := st.Conns[slot]; c != nil && c.Revoked != "" {
			revoke[slot] = revocation{c.Revoked, c.RevokedWhy}
			delete(c.Holders, l.engine)
		}
	}
}

// applyRevocations ends local leases after the state that revoked them was
// saved.
func (l *License) applyRevocations(revoke map[string]revocation) {
	for _, slot := range slices.Sorted(maps.Keys(revoke)) {
		r := revoke[slot]
		for _, s := range l.leases[slot] {
			s.ended = true
			s.revoke(r.state, r.reason)
		}
		delete(l.leases, slot)
		l.log.Info("connection revoked", "slot", slot, "state", r.state, "reason", r.reason)
	}
}

// housekeep applies the passing of time: a new calendar month, stale
// engines, ended quarantines, passes that left their 28 days, finished
// login passes, removed groups whose tokens are all free.
func (l *License) housekeep(st *state, now time.Time) {
	if m := now.In(l.loc).Format("2006-01"); st.Month != m {
		st.Month, st.CapacityUnits = m, 0
	}
	for slot, c := range st.Conns {
		for e, h := range c.Holders {
			if h.N <= 0 || now.Sub(h.Seen) > l.staleAfter {
				delete(c.Holders, e)
			}
		}
		if len(c.Holders) == 0 && !(c.Access == AnalyzerCapacity && c.Revoked == "" && now.Before(c.paidUntil())) {
			delete(st.Conns, slot)
		}
	}
	for id, u := range st.Users {
		if u.quarantined() && !now.Before(u.QuarantineUntil) {
			delete(st.Users, id)
		}
	}
	for name, g := range st.Groups {
		if g.Removed.IsZero() {
			g.Uses = slices.DeleteFunc(g.Uses, func(t time.Time) bool { return now.Sub(t) >= LoginPassWindow })
		} else if g.heldTokens(now) == 0 {
			delete(st.Groups, name)
		}
	}
	for id, p := range st.Passes {
		if n := st.passConns(id, now, l.staleAfter); n == 0 && (p.User == "" || !now.Before(p.end())) {
			delete(st.Passes, id)
		}
	}
}

// ErrDowngrade refuses to turn a Professional allocation into an Analyzer
// one (rule 1.1).
var ErrDowngrade = errors.New("a Professional allocation cannot be downgraded to Analyzer")

// ErrNoKey is returned by allocation methods in evaluation mode.
var ErrNoKey = errors.New("no license key is in force")

// Assign allocates an access type to a user (administration): Professional
// or Analyzer with an access-type key, UserPass with a token key. An
// Analyzer user is upgraded to Professional; the reverse is ErrDowngrade.
// A removed allocation in quarantine is reinstated.
func (l *License) Assign(ctx context.Context, user UserID, a Access) error {
	if user.IsZero() {
		return errors.New("license: cannot allocate access to an anonymous user")
	}
	return l.admin(ctx, func(st *state, e Entitlements, now time.Time) error {
		id := user.String()
		u := st.Users[id]
		switch {
		case a == UserPass && e.Tokens == 0, (a == Professional || a == Analyzer) && e.Tokens > 0:
			return fmt.Errorf("license: the key does not grant %s allocations", a)
		case a != Professional && a != Analyzer && a != UserPass:
			return fmt.Errorf("license: %s is not allocated to users", a)
		}
		if u != nil {
			switch {
			case u.Access == a:
				u.Removed, u.QuarantineUntil = time.Time{}, time.Time{}
				return nil
			case u.Access == Professional && a == Analyzer:
				return fmt.Errorf("license: cannot allocate Analyzer to %s: %w", id, ErrDowngrade)
			}
		}
		var free int
		switch a {
		case Professional:
			free = e.Professional - st.allocated(Professional)
		case Analyzer:
			free = e.Analyzer - st.allocated(Analyzer)
		case UserPass:
			free = e.Tokens - st.tokensAllocated(now)
		}
		if free < 1 {
			return fmt.Errorf("license: no %s allocation is free for %s", a, id)
		}
		if u != nil && u.Access == Analyzer && u.quarantined() {
			return fmt.Errorf("license: %s has an Analyzer allocation in quarantine; reinstate or let it end first", id)
		}
		if u == nil {
			u = &userRec{Assigned: now}
			st.Users[id] = u
		}
		if u.Access == Analyzer && a == Professional {
			st.upgrade(id, u)
			return nil
		}
		u.Access = a
		return nil
	})
}

// Unassign removes a user's allocation. On a legacy key a Professional or
// Analyzer allocation used in the last 7 days goes into quarantine for 7
// days (a signed key never quarantines); a user access pass is quarantined
// for 7 days counted from its last use (used January 10, free January 18).
// The user's connections on it are revoked.
func (l *License) Unassign(ctx context.Context, user UserID) error {
	return l.admin(ctx, func(st *state, e Entitlements, now time.Time) error {
		id := user.String()
		u := st.Users[id]
		if u == nil || u.quarantined() {
			return fmt.Errorf("license: %s has no allocation to remove", id)
		}
		for _, c := range st.Conns {
			if c.User == id && c.Access == u.Access {
				c.Revoked, c.RevokedWhy = StateLicenseRenew, "the user's "+u.Access.String()+" allocation was removed"
			}
		}
		var until time.Time
		switch {
		case u.Access == UserPass && !u.LastUsed.IsZero():
			y, m, d := u.LastUsed.In(l.loc).Date()
			until = time.Date(y, m, d, 0, 0, 0, 0, l.loc).AddDate(0, 0, 8)
		case e.Legacy && !u.LastUsed.IsZero() && now.Sub(u.LastUsed) < Quarantine:
			until = now.Add(Quarantine)
		}
		if !now.Before(until) {
			delete(st.Users, id)
			return nil
		}
		u.Removed, u.QuarantineUntil = now, until
		return nil
	})
}

// Reinstate gives a removed allocation in quarantine back to its user,
// which ends the quarantine.
func (l *License) Reinstate(ctx context.Context, user UserID) error {
	return l.admin(ctx, func(st *state, _ Entitlements, _ time.Time) error {
		u := st.Users[user.String()]
		if u == nil || !u.quarantined() {
			return fmt.Errorf("license: %s has no allocation in quarantine", user)
		}
		u.Removed, u.QuarantineUntil = time.Time{}, time.Time{}
		return nil
	})
}

// SetLoginGroup creates a login access group with tokens (10 passes each)
// or changes its tokens. anonymous lets anonymous users take its passes.
// A group cannot have fewer tokens than its passes in use need.
func (l *License) SetLoginGroup(ctx context.Context, name string, tokens int, anonymous bool) error {
	if name == "" || tokens < 1 {
		return fmt.Errorf("license: a login access group needs a name and at least one token (got %q, %d)", name, tokens)
	}
	return l.admin(ctx, func(st *state, e Entitlements, now time.Time) error {
		if e.Tokens == 0 {
			return errors.New("license: the key is not a token license")
		}
		g := st.Groups[name]
		if g != nil && !g.Removed.IsZero() {
			return fmt.Errorf("license: login access group %q was removed and still holds tokens until %s; use another name", name, "its used passes leave their 28 days")
		}
		had := 0
		if g != nil {
			had = g.Tokens
			if used := g.usedAt(now); tokens*PassesPerToken < used {
				return fmt.Errorf("license: group %q has %d passes in use, which need %d tokens", name, used, (used+PassesPerToken-1)/PassesPerToken)
			}
		}
		if tokens > had {
			if free := e.Tokens - st.tokensAllocated(now); tokens-had > free {
				return fmt.Errorf("license: %d more tokens for group %q, but only %d are free", tokens-had, name, max(free, 0))
			}
		}
		if g == nil {
			g = &groupRec{}
			st.Groups[name] = g
		}
		g.Tokens, g.Anonymous = tokens, anonymous
		return nil
	})
}

// RemoveLoginGroup removes a login access group: one token is freed for
// every ten unused passes at once, and one for every ten used passes as
// they leave their 28 days. Connections on its passes run until their
// pass ends.
func (l *License) RemoveLoginGroup(ctx context.Context, name string) error {
	return l.admin(ctx, func(st *state, _ Entitlements, now time.Time) error {
		g := st.Groups[name]
		if g == nil || !g.Removed.IsZero() {
			return fmt.Errorf("license: no login access group %q", name)
		}
		g.Removed = now
		g.UnusedAtRemoval = max(0, g.Tokens*PassesPerToken-g.usedAt(now))
		if g.heldTokens(now) == 0 {
			delete(st.Groups, name)
		}
		return nil
	})
}

func (l *License) admin(ctx context.Context, fn func(st *state, e Entitlements, now time.Time) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := l.key
	if key == nil {
		return ErrNoKey
	}
	return l.update(ctx, key, func(st *state, now time.Time) error { return fn(st, key.Entitlements, now) })
}

// Allocation is one user's allocation, as Allocations reports it.
type Allocation struct {
	User            UserID    `json:"user"`
	Access          Access    `json:"access"`
	Assigned        time.Time `json:"assigned"`
	LastUsed        time.Time `json:"lastUsed,omitzero"`
	QuarantineUntil time.Time `json:"quarantineUntil,omitzero"`
	Connections     int       `json:"connections"`
}

// Allocations lists the user allocations of the key in force, by user.
func (l *License) Allocations(ctx context.Context) ([]Allocation, error) {
	var out []Allocation
	err := l.admin(ctx, func(st *state, _ Entitlements, now time.Time) error {
		out = out[:0]
		for _, id := range slices.Sorted(maps.Keys(st.Users)) {
			u := st.Users[id]
			uid, _ := ParseUserID(id)
			out = append(out, Allocation{User: uid, Access: u.Access, Assigned: u.Assigned, LastUsed: u.LastUsed,
				QuarantineUntil: u.QuarantineUntil, Connections: st.userConns(id, u.Access, now, l.staleAfter, true)})
		}
		return nil
	})
	return out, err
}

// Usage is a summary of the license's consumption (for metrics and
// health): the figures of the key and what is allocated or used.
type Usage struct {
	Mode                 string `json:"mode"` // "licensed", "evaluation" or "expired"
	KeyID                string `json:"keyId,omitempty"`
	Licensee             string `json:"licensee,omitempty"`
	Expires              string `json:"expires,omitempty"`
	Professional         int    `json:"professional"`
	ProfessionalTotal    int    `json:"professionalTotal"`
	Analyzer             int    `json:"analyzer"`
	AnalyzerTotal        int    `json:"analyzerTotal"`
	CapacityMinutesUsed  int    `json:"capacityMinutesUsed"`
	CapacityMinutesTotal int    `json:"capacityMinutesTotal"`
	TokensAllocated      int    `json:"tokensAllocated"`
	Tokens               int    `json:"tokens"`
	Connections          int    `json:"connections"`
	Cores                int    `json:"cores"`
}

// Usage returns the figures as of the last state update (no store access).
func (l *License) Usage() Usage {
	u := *l.usage.Load()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key == nil {
		u.Connections = len(l.eval)
	} else if l.key.Expired(l.clock.Now()) {
		u.Mode = "expired"
	}
	return u
}

func (l *License) baseUsage(k *Key) *Usage {
	if k == nil {
		return &Usage{Mode: "evaluation"}
	}
	u := &Usage{Mode: "licensed", KeyID: k.KeyID, Licensee: k.Licensee, ProfessionalTotal: k.Professional,
		AnalyzerTotal: k.Analyzer, CapacityMinutesTotal: k.AnalyzerCapacityMinutes, Tokens: k.Tokens, Cores: k.Cores}
	if !k.Expires.IsZero() {
		u.Expires = k.Expires.UTC().Format(time.RFC3339)
	}
	return u
}

func (l *License) usageOf(k *Key, st *state, now time.Time) *Usage {
	u := l.baseUsage(k)
	u.Professional = st.allocated(Professional)
	u.Analyzer = st.allocated(Analyzer)
	u.CapacityMinutesUsed = st.CapacityUnits * int(CapacityUnit/time.Minute)
	u.TokensAllocated = st.tokensAllocated(now)
	for _, c := range st.Conns {
		if c.live(now, l.staleAfter) {
			u.Connections++
		}
	}
	return u
}
