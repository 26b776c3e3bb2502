package qix

import (
	"github.com/assocengine/assoc/engine"
)

// Selection operations of a session run one at a time (Session.selMu), so
// that the states they compare before and after are their own, and so that
// the modal checks and the operation are one step.

// versions returns the version of every state.
func versions(es *engine.Session) map[string]uint64 {
	names := es.StateNames()
	out := make(map[string]uint64, len(names))
	for _, n := range names {
		if st, err := es.State(n); err == nil {
			out[n] = st.Version()
		}
	}
	return out
}

// withSelections runs a selection operation and records the states it
// changed.
func (c *call) withSelections(fn func(es *engine.Session) (bool, error)) (bool, error) {
	return c.selOp(nil, fn)
}

// selOp runs fn under the session's selection lock after check (may be
// nil) passed, and records the states fn changed.
func (c *call) selOp(check func(m *modal) error, fn func(es *engine.Session) (bool, error)) (bool, error) {
	s := c.s
	s.selMu.Lock()
	defer s.selMu.Unlock()
	es, _, err := s.selections()
	if err != nil {
		return false, err
	}
	m := s.modalState()
	if check != nil {
		if err := check(m); err != nil {
			return false, err
		}
	}
	before := versions(es)
	ok, err := fn(es)
	changed := c.recordChanges(es, before)
	if changed && m != nil && c.h != nil && c.h.obj == m.obj && !m.made {
		s.mu.Lock()
		m.made = true
		s.mu.Unlock()
	}
	return ok, err
}

// recordChanges notes the states whose version moved since before.
func (c *call) recordChanges(es *engine.Session, before map[string]uint64) bool {
	changed := false
	for name, v := range versions(es) {
		if before[name] != v {
			c.stateChanged(name)
			changed = true
		}
	}
	if changed {
		c.e.selections.Add(1)
	}
	return changed
}

// checkModal refuses a selection through object o while another object of
// the session is in selection mode (6003, as the engine does).
func checkModal(o *genericObject) func(m *modal) error {
	return func(m *modal) error {
		if m != nil && m.obj != o {
			return qerr(errModal, "object %s is in selection mode", m.obj.id)
		}
		return nil
	}
}

// beginModal puts o in selection mode, remembering the selections to go
// back to.
func (c *call) beginModal(o *genericObject, paths []string) error {
	s := c.s
	s.selMu.Lock()
	defer s.selMu.Unlock()
	es, mi, err := s.selections()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.modal; m != nil && m.version == mi {
		if m.obj != o {
			return qerr(errModal, "object %s is in selection mode", m.obj.id)
		}
		m.paths = paths
		return nil
	}
	snap := map[string]*engine.State{}
	for _, n := range es.StateNames() {
		if st, err := es.State(n); err == nil {
			snap[n] = st
		}
	}
	s.modal = &modal{obj: o, paths: paths, snapshot: snap, mark: es.Mark(), version: mi}
	c.eff.objs = append(c.eff.objs, o)
	return nil
}

// endModal ends selection mode; o nil ends it whatever object holds it
// (Doc.AbortModal). Without accept the selections go back to what they
// were at BeginSelections.
func (c *call) endModal(o *genericObject, accept bool) error {
	s := c.s
	s.selMu.Lock()
	defer s.selMu.Unlock()
	es, _, err := s.selections()
	if err != nil {
		return err
	}
	m := s.modalState()
	if m == nil || (o != nil && m.obj != o) {
		return nil
	}
	s.mu.Lock()
	s.modal = nil
	s.mu.Unlock()
	c.eff.objs = append(c.eff.objs, m.obj)
	if !accept {
		c.restore(es, m)
	}
	return nil
}

// resetModal goes back to the selections at BeginSelections and stays in
// selection mode.
func (c *call) resetModal(o *genericObject) error {
	s := c.s
	s.selMu.Lock()
	defer s.selMu.Unlock()
	es, _, err := s.selections()
	if err != nil {
		return err
	}
	m := s.modalState()
	if m == nil || m.obj != o {
		return nil
	}
	c.restore(es, m)
	s.mu.Lock()
	m.made = false
	s.mu.Unlock()
	c.eff.objs = append(c.eff.objs, o)
	return nil
}

// restore puts back the modal snapshot if any state moved since.
func (c *call) restore(es *engine.Session, m *modal) {
	before := versions(es)
	moved := map[string]*engine.State{}
	for name, st := range m.snapshot {
		if v, ok := before[name]; ok && v != st.Version() {
			moved[name] = st
		}
	}
	if len(moved) == 0 {
		return
	}
	// back to the selections and history of BeginSelections: the steps made
	// in selection mode leave no trace in Back/Forward
	es.Rewind(m.mark)
	c.recordChanges(es, before)
}
