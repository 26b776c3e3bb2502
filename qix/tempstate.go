package qix

import (
	"slices"
	"sync"
	"time"
)

// Temporary selection states (Doc.StoreTempSelectionState and
// RestoreTempSelectionState): the selections of every state of the
// session, kept in memory under a new id for qTTLOfTempState seconds (30
// minutes when it is 0 or negative, at most a day). Any session of the
// same app may restore them, as one step of its Back history, like a
// bookmark: the values are kept by text and number, so a state survives a
// reload, and fields or values the data no longer has are skipped.
// Restoring an unknown or expired id answers false. Temporary states are
// never saved with the app, and each app keeps at most maxTempStates of
// them (the ones closest to expiry go first).

func init() {
	register("Doc", map[string]handler{
		"StoreTempSelectionState":   docStoreTempSelectionState,
		"RestoreTempSelectionState": docRestoreTempSelectionState,
	})
}

const (
	// defaultTempTTL is the lifetime of a temporary state stored without
	// a positive qTTLOfTempState.
	defaultTempTTL = 30 * time.Minute
	// maxTempTTL bounds qTTLOfTempState.
	maxTempTTL = 24 * time.Hour
	// maxTempStates bounds the temporary states of one app.
	maxTempStates = 1000
)

// tempState is one stored selection state.
type tempState struct {
	data    *bookmarkData
	expires time.Time
}

// tempStore holds the temporary states of every app.
type tempStore struct {
	mu    sync.Mutex
	byApp map[*app]map[string]*tempState
}

var tempStates = &tempStore{byApp: map[*app]map[string]*tempState{}}

// pruneLocked forgets expired states of every app (ts.mu held).
func (ts *tempStore) pruneLocked(t time.Time) {
	for a, m := range ts.byApp {
		for id, st := range m {
			if !t.Before(st.expires) {
				delete(m, id)
			}
		}
		if len(m) == 0 {
			delete(ts.byApp, a)
		}
	}
}

// put stores d for app a and returns its id.
func (ts *tempStore) put(a *app, d *bookmarkData, ttl time.Duration) string {
	t := now()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.pruneLocked(t)
	m := ts.byApp[a]
	if m == nil {
		m = map[string]*tempState{}
		ts.byApp[a] = m
	}
	for len(m) >= maxTempStates {
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		first := slices.MinFunc(ids, func(x, y string) int { return m[x].expires.Compare(m[y].expires) })
		delete(m, first)
	}
	id := newUUID()
	m[id] = &tempState{data: d, expires: t.Add(ttl)}
	return id
}

// get returns the state stored under id for app a, nil when unknown or
// expired.
func (ts *tempStore) get(a *app, id string) *bookmarkData {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.pruneLocked(now())
	if st := ts.byApp[a][id]; st != nil {
		return st.data
	}
	return nil
}

// tempTTL converts qTTLOfTempState (seconds) to a lifetime.
func tempTTL(seconds int) time.Duration {
	if seconds <= 0 {
		return defaultTempTTL
	}
	d := time.Duration(seconds) * time.Second
	return min(d, maxTempTTL)
}

func docStoreTempSelectionState(c *call) error {
	ttl := c.integer("qTTLOfTempState")
	if c.bad() {
		return nil
	}
	es, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	d := &bookmarkData{states: captureSelections(es, mi, false), modified: qlikTime(now())}
	c.out("qId", tempStates.put(c.h.app, d, tempTTL(ttl)))
	c.ret(true)
	return nil
}

func docRestoreTempSelectionState(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	d := tempStates.get(c.h.app, id)
	if d == nil {
		c.ret(false)
		return nil
	}
	if err := c.applyBookmark(&bookmark{data: d}); err != nil {
		return err
	}
	c.ret(true)
	return nil
}
