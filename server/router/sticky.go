package router

import (
	"sync"
	"time"
)

// stickyEntry is where a session lives: its engine and the session id the
// engine knows it by (X-Qlik-Session).
type stickyEntry struct {
	engine    string
	sessionID string
	conns     int       // proxied connections open now
	expires   time.Time // once conns is 0
}

// stickyTable remembers the engine of each session so reconnects find
// their session. An entry lives while its connections are open and for a
// TTL after the last one closed; the table holds at most max entries,
// dropping expired ones, then idle ones, to make room.
type stickyTable struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]*stickyEntry
}

func newStickyTable(ttl time.Duration, max int) *stickyTable {
	return &stickyTable{ttl: ttl, max: max, entries: map[string]*stickyEntry{}}
}

// get returns the entry of a key, if it has not expired.
func (t *stickyTable) get(key string, now time.Time) (stickyEntry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[key]
	if e == nil {
		return stickyEntry{}, false
	}
	if e.conns == 0 && now.After(e.expires) {
		delete(t.entries, key)
		return stickyEntry{}, false
	}
	return *e, true
}

// put records the engine and session id of a key (replacing what was
// there, with its connection count). It reports false when the table is
// full of sessions with open connections.
func (t *stickyTable) put(key, engine, sessionID string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.entries[key]; e != nil {
		e.engine, e.sessionID, e.expires = engine, sessionID, now.Add(t.ttl)
		return true
	}
	if len(t.entries) >= t.max && !t.makeRoom(now) {
		return false
	}
	t.entries[key] = &stickyEntry{engine: engine, sessionID: sessionID, expires: now.Add(t.ttl)}
	return true
}

// makeRoom drops expired entries, else one idle entry.
func (t *stickyTable) makeRoom(now time.Time) bool {
	for k, e := range t.entries {
		if e.conns == 0 && now.After(e.expires) {
			delete(t.entries, k)
		}
	}
	if len(t.entries) < t.max {
		return true
	}
	for k, e := range t.entries {
		if e.conns == 0 {
			delete(t.entries, k)
			return true
		}
	}
	return false
}

// open counts a connection of a key's session.
func (t *stickyTable) open(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.entries[key]; e != nil {
		e.conns++
	}
}

// closed ends a connection of a key's session; the TTL starts when the
// last one closes.
func (t *stickyTable) closed(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.entries[key]; e != nil {
		if e.conns > 0 {
			e.conns--
		}
		e.expires = now.Add(t.ttl)
	}
}

// forget drops a key (its engine is gone).
func (t *stickyTable) forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}

// len returns the number of entries.
func (t *stickyTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}
