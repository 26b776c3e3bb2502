package session

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DefaultMaxTTL is the cap on session TTLs when Options.MaxTTL is zero
// (Qlik Core's MaxSessionTTL default of 1800 seconds).
const DefaultMaxTTL = 30 * time.Minute

// ErrClosed is returned by Acquire after the registry was closed.
var ErrClosed = errors.New("session registry is closed")

// Closer is what the registry needs from a session: a way to free it once
// its TTL has lapsed.
type Closer interface {
	Close()
}

// Key identifies a session. Build it with KeyOf so the sharing rules hold.
type Key struct {
	// User is the authenticated user id ("" when authentication is off).
	User string
	// SessionID is the X-Qlik-Session header value; when set, AppID and
	// Identity are empty.
	SessionID string
	// AppID is the app id from the URL ("" for /app/).
	AppID string
	// Identity is the /identity/<x> segment of the URL.
	Identity string
}

// KeyOf returns the key of the session a connection belongs to, following
// Qlik Core's sharing rules: a non-empty X-Qlik-Session header value
// defines the session on its own; without it, connections to the same app
// id with the same identity share a session. With authentication on, user
// is part of the key, so a session is only ever shared by one user.
func KeyOf(user, sessionHeader, appID, identity string) Key {
	if sessionHeader != "" {
		return Key{User: user, SessionID: sessionHeader}
	}
	return Key{User: user, AppID: appID, Identity: identity}
}

// String renders the key for logs.
func (k Key) String() string {
	var s string
	if k.SessionID != "" {
		s = "session=" + k.SessionID
	} else {
		s = fmt.Sprintf("app=%q", k.AppID)
		if k.Identity != "" {
			s += fmt.Sprintf(" identity=%q", k.Identity)
		}
	}
	if k.User != "" {
		s = fmt.Sprintf("user=%q ", k.User) + s
	}
	return s
}

// Clock schedules the TTL timers. Tests plug in a fake one.
type Clock interface {
	// AfterFunc calls f in its own goroutine once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call scheduled by a Clock.
type Timer interface {
	// Stop cancels the call; it reports false when the call already ran
	// or is running.
	Stop() bool
}

// SystemClock is the Clock of the time package.
type SystemClock struct{}

// AfterFunc calls time.AfterFunc.
func (SystemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

var _ Clock = SystemClock{}

// Options configure a Registry. The zero value works: sessions are closed
// as soon as their last connection leaves, URL TTLs are capped at 30
// minutes, and the system clock is used.
type Options struct {
	// DefaultTTL is how long a session without connections lives when no
	// client asked for a TTL: 0 closes it at once, a negative value keeps it
	// until the registry closes (allowed only with a negative MaxTTL, else
	// it is capped like any other TTL).
	DefaultTTL time.Duration
	// MaxTTL caps every TTL: 0 means DefaultMaxTTL, a negative value means
	// no cap (a negative TTL is then honoured as "forever").
	MaxTTL time.Duration
	// Clock schedules TTL expiry; nil is the system clock.
	Clock Clock
	// Logger receives session lifecycle lines at debug level and recovered
	// panics at error level; nil discards them.
	Logger *slog.Logger
}

// Registry maps keys to live sessions of type S. It is safe for concurrent
// use.
type Registry[S Closer] struct {
	clock      Clock
	log        *slog.Logger
	defaultTTL time.Duration
	maxTTL     time.Duration

	mu      sync.Mutex
	closed  bool
	entries map[Key]*entry[S]
	users   map[string]int      // live sessions per user
	seen    map[string]struct{} // every user since start
	created int64
	closedN int64
	conns   int
}

// entry is one live session.
type entry[S Closer] struct {
	key   Key
	ready chan struct{} // closed once sess or err is set
	sess  S
	err   error

	// Guarded by Registry.mu:
	conns int           // attached connections
	ttl   time.Duration // effective TTL, already capped
	timer Timer         // pending expiry while conns == 0
	gen   uint64        // bumped whenever an expiry is scheduled or cancelled
	dead  bool          // removed from the registry
}

// New returns an empty registry.
func New[S Closer](opts Options) *Registry[S] {
	r := &Registry[S]{
		clock:   opts.Clock,
		log:     opts.Logger,
		maxTTL:  opts.MaxTTL,
		entries: make(map[Key]*entry[S]),
		users:   make(map[string]int),
		seen:    make(map[string]struct{}),
	}
	if r.clock == nil {
		r.clock = SystemClock{}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.maxTTL == 0 {
		r.maxTTL = DefaultMaxTTL
	}
	r.defaultTTL = r.Cap(opts.DefaultTTL)
	return r
}

// Cap applies the registry's maximum to a requested TTL: a TTL above the
// maximum, or a negative ("forever") one while the maximum is finite,
// becomes the maximum.
func (r *Registry[S]) Cap(ttl time.Duration) time.Duration {
	if r.maxTTL < 0 {
		return ttl
	}
	if ttl < 0 || ttl > r.maxTTL {
		return r.maxTTL
	}
	return ttl
}

// Lease is one connection's hold on a session. Release it when the
// connection ends.
type Lease[S Closer] struct {
	r        *Registry[S]
	e        *entry[S]
	attached bool
	once     sync.Once
}

// Session returns the leased session.
func (l *Lease[S]) Session() S { return l.e.sess }

// Key returns the session's key.
func (l *Lease[S]) Key() Key { return l.e.key }

// Attached reports whether the session existed before this lease (the
// connection re-attached to it) rather than being created for it.
func (l *Lease[S]) Attached() bool { return l.attached }

// Release gives the lease back. When it was the session's last connection,
// the session is closed at once (TTL 0) or after its TTL. Release is
// idempotent.
func (l *Lease[S]) Release() { l.once.Do(func() { l.r.release(l.e) }) }

// Acquire returns a lease on the session with key k, creating the session
// with create when none is live. hasTTL says whether the connection asked
// for a TTL (URL /ttl/<seconds>); if so, ttl becomes the session's TTL
// (capped), since the latest value a client gives wins. Concurrent Acquire
// calls for a new key create the session once; the others wait for it.
// An error from create is returned to every waiter and nothing is kept.
func (r *Registry[S]) Acquire(k Key, ttl time.Duration, hasTTL bool, create func() (S, error)) (*Lease[S], error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, ErrClosed
	}
	if e := r.entries[k]; e != nil {
		e.conns++
		r.conns++
		if e.timer != nil {
			e.timer.Stop()
			e.timer = nil
		}
		e.gen++ // a timer that already fired must not close the session now
		if hasTTL {
			e.ttl = r.Cap(ttl)
		}
		r.mu.Unlock()
		<-e.ready
		if e.err != nil {
			return nil, e.err
		}
		r.log.Debug("session re-attached", "key", k.String(), "connections", e.conns)
		return &Lease[S]{r: r, e: e, attached: true}, nil
	}
	e := &entry[S]{key: k, ready: make(chan struct{}), conns: 1, ttl: r.defaultTTL}
	if hasTTL {
		e.ttl = r.Cap(ttl)
	}
	r.entries[k] = e
	r.conns++
	r.mu.Unlock()

	s, err := r.create(k, create)

	r.mu.Lock()
	if err != nil {
		e.err = err
		e.dead = true
		r.conns -= e.conns
		if r.entries[k] == e {
			delete(r.entries, k)
		}
		close(e.ready)
		r.mu.Unlock()
		return nil, err
	}
	e.sess = s
	close(e.ready)
	r.created++
	if k.User != "" {
		r.users[k.User]++
		r.seen[k.User] = struct{}{}
	}
	r.mu.Unlock()
	r.log.Debug("session created", "key", k.String(), "ttl", e.ttl)
	return &Lease[S]{r: r, e: e}, nil
}

// create calls the caller's constructor, turning a panic into an error so
// a waiting Acquire never hangs.
func (r *Registry[S]) create(k Key, create func() (S, error)) (s S, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("BUG: session constructor panicked", "key", k.String(), "panic", p)
			err = fmt.Errorf("cannot create session %s: internal error: %v", k, p)
		}
	}()
	return create()
}

func (r *Registry[S]) release(e *entry[S]) {
	r.mu.Lock()
	e.conns--
	r.conns--
	if e.conns > 0 || e.dead {
		r.mu.Unlock()
		return
	}
	switch {
	case e.ttl == 0:
		r.removeLocked(e)
		r.mu.Unlock()
		r.closeSession(e, "last connection left")
		return
	case e.ttl < 0:
		// Kept until the registry closes.
	default:
		e.gen++
		gen := e.gen
		e.timer = r.clock.AfterFunc(e.ttl, func() { r.expire(e, gen) })
		r.log.Debug("session idle", "key", e.key.String(), "ttl", e.ttl)
	}
	r.mu.Unlock()
}

// expire closes e if it is still idle and no connection came and went since
// the timer was set.
func (r *Registry[S]) expire(e *entry[S], gen uint64) {
	r.mu.Lock()
	if e.dead || e.conns > 0 || e.gen != gen {
		r.mu.Unlock()
		return
	}
	e.timer = nil
	r.removeLocked(e)
	r.mu.Unlock()
	r.closeSession(e, "TTL lapsed")
}

func (r *Registry[S]) removeLocked(e *entry[S]) {
	e.dead = true
	if r.entries[e.key] == e {
		delete(r.entries, e.key)
	}
	if u := e.key.User; u != "" {
		if r.users[u]--; r.users[u] <= 0 {
			delete(r.users, u)
		}
	}
	r.closedN++
}

func (r *Registry[S]) closeSession(e *entry[S], why string) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("BUG: closing a session panicked", "key", e.key.String(), "panic", p)
		}
	}()
	r.log.Debug("session closed", "key", e.key.String(), "reason", why)
	e.sess.Close()
}

// Stats are the registry's counters.
type Stats struct {
	// Sessions is the number of live sessions.
	Sessions int
	// Connections is the number of connections attached to them.
	Connections int
	// Idle is the number of live sessions without a connection (waiting
	// for their TTL to lapse).
	Idle int
	// Created and Closed count sessions since the registry started.
	Created, Closed int64
	// ActiveUsers is the number of distinct users with a live session and
	// TotalUsers the number seen since start (both 0 without
	// authentication).
	ActiveUsers, TotalUsers int
}

// Stats returns the current counters.
func (r *Registry[S]) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := Stats{
		Connections: r.conns,
		Created:     r.created,
		Closed:      r.closedN,
		ActiveUsers: len(r.users),
		TotalUsers:  len(r.seen),
	}
	for _, e := range r.entries {
		select {
		case <-e.ready:
		default:
			continue // still being created
		}
		if e.err != nil {
			continue
		}
		st.Sessions++
		if e.conns == 0 {
			st.Idle++
		}
	}
	return st
}

// Close closes every live session, whether or not it has connections, and
// makes later Acquire calls fail with ErrClosed. Leases still held can be
// released safely.
func (r *Registry[S]) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	var live []*entry[S]
	for _, e := range r.entries {
		live = append(live, e)
	}
	r.mu.Unlock()
	for _, e := range live {
		<-e.ready
		r.mu.Lock()
		if e.dead || e.err != nil {
			r.mu.Unlock()
			continue
		}
		if e.timer != nil {
			e.timer.Stop()
			e.timer = nil
		}
		r.removeLocked(e)
		r.mu.Unlock()
		r.closeSession(e, "registry closed")
	}
}
