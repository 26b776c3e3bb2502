package engine

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/internal/bitset"
	"github.com/assocengine/assoc/engine/numfmt"
)

// SessionOptions configure a Session. The zero value works.
type SessionOptions struct {
	// NumberParser parses operands of numeric searches (">=10", dates ...).
	NumberParser NumberParser
	// HistoryLimit bounds Back steps (default 256).
	HistoryLimit int
	// ExpressionSearch evaluates a "=expr" search for field f over the
	// given result and returns the matching symbol ids. Nil makes
	// expression searches match nothing.
	ExpressionSearch func(r *Result, field int, expr string) ([]uint32, error)
	// Bookmarks resolves bookmark ids in set expressions (may be nil).
	Bookmarks BookmarkStates
	// Variables resolves variables in expressions (may be nil).
	Variables func(name string) (expr.Value, bool)
	// Locale holds the app's number and date settings for formatting and
	// date functions (nil: numfmt.EngineLocale).
	Locale *numfmt.Locale
	// Now is the clock of Today() and Now() (nil: time.Now).
	Now func() time.Time
}

// Session is one user's view of a model: the selection states (the default
// "$" and any alternate states), the Back/Forward history and a cache of
// inference results per state version. It is safe for concurrent use; every
// operation is atomic.
type Session struct {
	m    *Model
	opts SessionOptions

	mu     sync.Mutex
	states map[string]*State
	names  []string // state names in creation order
	back   []snapshot
	fwd    []snapshot

	cacheMu sync.Mutex
	cache   map[uint64]*cacheEntry
	lru     []uint64
	cubes   map[string]*Cube
	cubeLRU []string
}

type snapshot map[string]*State

type cacheEntry struct {
	once sync.Once
	r    *Result
}

const resultCacheSize = 16

// NewSession starts a session on m with no selections.
func NewSession(m *Model, opts SessionOptions) *Session {
	if opts.HistoryLimit <= 0 {
		opts.HistoryLimit = 256
	}
	if opts.NumberParser == nil {
		opts.NumberParser = defaultNumberParser
	}
	return &Session{
		m:      m,
		opts:   opts,
		states: map[string]*State{DefaultState: newState(DefaultState)},
		names:  []string{DefaultState},
		cache:  map[uint64]*cacheEntry{},
	}
}

// Model returns the session's model.
func (s *Session) Model() *Model { return s.m }

// AddState adds an alternate state with no selections.
func (s *Session) AddState(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "" {
		return fmt.Errorf("cannot add an alternate state without a name")
	}
	if _, ok := s.states[name]; ok {
		return fmt.Errorf("cannot add state %q: %w", name, ErrStateExists)
	}
	s.states[name] = newState(name)
	s.names = append(s.names, name)
	return nil
}

// RemoveState removes an alternate state. The default state cannot be
// removed.
func (s *Session) RemoveState(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == DefaultState {
		return fmt.Errorf("cannot remove the default state")
	}
	if _, ok := s.states[name]; !ok {
		return fmt.Errorf("cannot remove state %q: %w", name, ErrStateNotFound)
	}
	delete(s.states, name)
	s.names = slices.DeleteFunc(s.names, func(n string) bool { return n == name })
	return nil
}

// StateNames returns the state names, "$" first, then alternate states in
// creation order.
func (s *Session) StateNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.names)
}

// State returns the current selection state called name ("" means "$").
func (s *Session) State(name string) (*State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stateLocked(name)
}

func (s *Session) stateLocked(name string) (*State, error) {
	if name == "" {
		name = DefaultState
	}
	st, ok := s.states[name]
	if !ok {
		return nil, fmt.Errorf("state %q: %w", name, ErrStateNotFound)
	}
	return st, nil
}

// Result returns the inference for the current selections of the named
// state, from the cache when possible.
func (s *Session) Result(state string) (*Result, error) {
	st, err := s.State(state)
	if err != nil {
		return nil, err
	}
	return s.ResultFor(st), nil
}

// ResultFor returns the inference for st, cached by its version.
func (s *Session) ResultFor(st *State) *Result {
	s.m.touch()
	s.cacheMu.Lock()
	e, ok := s.cache[st.version]
	if !ok {
		e = &cacheEntry{}
		s.cache[st.version] = e
		s.lru = append(s.lru, st.version)
		if len(s.lru) > resultCacheSize {
			delete(s.cache, s.lru[0])
			s.lru = s.lru[1:]
		}
	}
	s.cacheMu.Unlock()
	e.once.Do(func() { e.r = s.m.sharedResult(st) })
	return e.r
}

// BackCount returns how many steps Back can undo.
func (s *Session) BackCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.back)
}

// ForwardCount returns how many steps Forward can redo.
func (s *Session) ForwardCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.fwd)
}

// History returns the default state's previous selections, most recent
// first ($1, $2 ... in set analysis), and its forward states ($_1 ...).
func (s *Session) History() (back, forward []*State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.back) - 1; i >= 0; i-- {
		back = append(back, s.back[i][DefaultState])
	}
	for i := len(s.fwd) - 1; i >= 0; i-- {
		forward = append(forward, s.fwd[i][DefaultState])
	}
	return back, forward
}

// Back restores the selections before the last operation. It returns false
// when there is nothing to undo.
func (s *Session) Back() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.back) == 0 {
		return false
	}
	s.fwd = append(s.fwd, s.snapshotLocked())
	s.restoreLocked(s.back[len(s.back)-1])
	s.back = s.back[:len(s.back)-1]
	return true
}

// Forward re-applies an operation undone by Back.
func (s *Session) Forward() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fwd) == 0 {
		return false
	}
	s.back = append(s.back, s.snapshotLocked())
	s.restoreLocked(s.fwd[len(s.fwd)-1])
	s.fwd = s.fwd[:len(s.fwd)-1]
	return true
}

func (s *Session) snapshotLocked() snapshot { return maps.Clone(s.states) }

func (s *Session) restoreLocked(snap snapshot) {
	for name := range s.states {
		if st, ok := snap[name]; ok {
			s.states[name] = st
		}
	}
}

// commitLocked installs new states as one history step.
func (s *Session) commitLocked(changed ...*State) {
	s.back = append(s.back, s.snapshotLocked())
	if len(s.back) > s.opts.HistoryLimit {
		s.back = s.back[1:]
	}
	s.fwd = s.fwd[:0]
	for _, st := range changed {
		s.states[st.name] = st
	}
}

// Reset clears every selection of every state and the history.
func (s *Session) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range s.names {
		s.states[name] = newState(name)
	}
	s.back, s.fwd = nil, nil
}

// SetStates replaces the selections of the given states in one history
// step (used to apply bookmarks). States not in the session are ignored.
func (s *Session) SetStates(states map[string]*State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var changed []*State
	for name, st := range states {
		if _, ok := s.states[name]; ok {
			cp := *st
			cp.name = name
			cp.version = nextVersion()
			changed = append(changed, &cp)
		}
	}
	s.commitLocked(changed...)
}

func (s *Session) field(name string) (*Field, error) { return s.m.Field(name) }

// change is the core of every field selection method: it validates the
// candidate selection of field f (semantics §2.4, §2.6) and commits it.
func (s *Session) change(state string, f *Field, set bitset.Set, softLock bool, search string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.stateLocked(state)
	if err != nil {
		return false, err
	}
	old := cur.sels[f.Index]
	locked := old != nil && old.Locked
	if locked && !softLock {
		return false, nil
	}
	if set != nil && !set.Any() {
		set = nil
	}
	if old == nil && set == nil {
		return true, nil
	}
	if old != nil && set != nil && old.set.Equal(set) {
		return true, nil
	}
	cand := cur.with(f.Index, set, locked, search)
	if set == nil {
		s.commitLocked(cand)
		return true, nil
	}
	r := s.ResultFor(cand)
	if bitset.Intersects(set, nonNil(r.fieldVals(f.Index), f)) {
		s.commitLocked(cand)
		return true, nil
	}
	// Conflict: the new values are all excluded by other selections.
	keep := map[int]bool{f.Index: true}
	for fi, fs := range cand.sels {
		if fs.Locked {
			keep[fi] = true
		}
	}
	if !s.possibleUnder(cand.restrict(keep), f, set) {
		return false, nil
	}
	for _, fs := range cand.Selections() {
		if keep[fs.Field] {
			continue
		}
		keep[fs.Field] = true
		if !s.possibleUnder(cand.restrict(keep), f, set) {
			delete(keep, fs.Field)
		}
	}
	s.commitLocked(cand.restrict(keep))
	return true, nil
}

func nonNil(v bitset.Set, f *Field) bitset.Set {
	if v == nil {
		return fullCodeSet(f.Cardinal())
	}
	return v
}

func (s *Session) possibleUnder(st *State, f *Field, set bitset.Set) bool {
	return bitset.Intersects(set, nonNil(s.m.infer(st).fieldVals(f.Index), f))
}

// codeSet builds a code-indexed set from symbol ids.
func codeSet(card int, ids []uint32) bitset.Set {
	s := bitset.New(card + 1)
	for _, id := range ids {
		s.Set(id + 1)
	}
	return s
}

func (s *Session) current(state string, f *Field) (*State, *FieldSelection, error) {
	st, err := s.State(state)
	if err != nil {
		return nil, nil, err
	}
	return st, st.sels[f.Index], nil
}

// Select selects the values of field matching a search string (semantics
// §2.8), replacing the field's selection. excludedToo also searches
// excluded values. It returns false when nothing matches or a lock blocks
// the change.
func (s *Session) Select(state, field, match string, softLock, excludedToo bool) (bool, error) {
	return s.selectMatch(state, field, match, softLock, excludedToo, false)
}

// Toggle flips the selection of the values matching a search string.
func (s *Session) Toggle(state, field, match string, softLock bool) (bool, error) {
	return s.selectMatch(state, field, match, softLock, true, true)
}

func (s *Session) selectMatch(state, field, match string, softLock, excludedToo, toggle bool) (bool, error) {
	f, err := s.field(field)
	if err != nil {
		return false, err
	}
	ids, err := s.Search(state, field, match, excludedToo)
	if err != nil {
		return false, err
	}
	if len(ids) == 0 {
		return false, nil
	}
	_, fs, err := s.current(state, f)
	if err != nil {
		return false, err
	}
	set := codeSet(f.Cardinal(), ids)
	if toggle && fs != nil {
		x := fs.set.Clone()
		for _, id := range ids {
			x.Flip(id + 1)
		}
		set = x
	}
	return s.change(state, f, set, softLock, match)
}

// Search returns the ids of the symbols of field matching the search string
// in the given state; unless excludedToo, excluded values (X, XS, XL) are
// not considered.
func (s *Session) Search(state, field, match string, excludedToo bool) ([]uint32, error) {
	f, err := s.field(field)
	if err != nil {
		return nil, err
	}
	r, err := s.Result(state)
	if err != nil {
		return nil, err
	}
	var cand func(uint32) bool
	if !excludedToo {
		states := r.FieldStates(f.Index)
		cand = func(id uint32) bool {
			switch states[id] {
			case Excluded, SelectedExcluded, LockedExcluded:
				return false
			}
			return true
		}
	}
	q := ParseSearch(match, s.opts.NumberParser)
	if q.Kind == SearchExpression {
		var ids []uint32
		if s.opts.ExpressionSearch != nil {
			ids, err = s.opts.ExpressionSearch(r.alternative(f.Index), f.Index, q.Text)
		} else {
			var c *chart
			c, err = s.newChart(state, s.opts.Variables, 0)
			if err == nil {
				ids, err = c.expressionSearch(c.st.without(f.Index), f, q.Text)
			}
		}
		if err != nil {
			return nil, err
		}
		if cand != nil {
			ids = slices.DeleteFunc(ids, func(id uint32) bool { return !cand(id) })
		}
		return ids, nil
	}
	return matchSymbols(f.Symbols, q, cand), nil
}

// FieldValue identifies a value for SelectValues: by number when IsNumeric,
// else by exact text.
type FieldValue struct {
	Text      string
	IsNumeric bool
	Number    float64
}

// SelectValues selects the listed values (replacing the selection, or
// toggling each when toggle is set). Values not in the field are ignored;
// if none of a non-empty list is found nothing changes and it returns false.
// An empty list clears the field (unless toggling).
func (s *Session) SelectValues(state, field string, values []FieldValue, toggle, softLock bool) (bool, error) {
	f, err := s.field(field)
	if err != nil {
		return false, err
	}
	var ids []uint32
	for _, v := range values {
		var id uint32
		var ok bool
		if v.IsNumeric {
			id, ok = f.Symbols.LookupNum(v.Number)
		} else {
			id, ok = f.Symbols.LookupText(v.Text)
		}
		if ok {
			ids = append(ids, id)
		}
	}
	if len(values) > 0 && len(ids) == 0 {
		return false, nil
	}
	return s.selectIDs(state, f, ids, toggle, softLock)
}

// SelectElements selects values by element number (qElemNumber), as
// LowLevelSelect does. An out-of-range element is an error.
func (s *Session) SelectElements(state, field string, elems []int, toggle, softLock bool) (bool, error) {
	f, err := s.field(field)
	if err != nil {
		return false, err
	}
	ids := make([]uint32, 0, len(elems))
	for _, e := range elems {
		if e < 0 || e >= f.Cardinal() {
			return false, fmt.Errorf("cannot select element %d of field %q (%d values): %w", e, field, f.Cardinal(), ErrValueNotFound)
		}
		ids = append(ids, uint32(e))
	}
	return s.selectIDs(state, f, ids, toggle, softLock)
}

func (s *Session) selectIDs(state string, f *Field, ids []uint32, toggle, softLock bool) (bool, error) {
	set := codeSet(f.Cardinal(), ids)
	if toggle {
		_, fs, err := s.current(state, f)
		if err != nil {
			return false, err
		}
		if fs != nil {
			x := fs.set.Clone()
			for _, id := range ids {
				x.Flip(id + 1)
			}
			set = x
		}
	}
	return s.change(state, f, set, softLock, "")
}

// SelectAll selects every value of the field (excluded ones become XS).
func (s *Session) SelectAll(state, field string, softLock bool) (bool, error) {
	f, err := s.field(field)
	if err != nil {
		return false, err
	}
	return s.change(state, f, fullCodeSet(f.Cardinal()), softLock, "")
}

// SelectPossible selects the field's possible values (states O, S, L).
func (s *Session) SelectPossible(state, field string, softLock bool) (bool, error) {
	return s.selectByState(state, field, softLock, func(v ValueState) bool {
		return v == Option || v == Selected || v == Locked
	})
}

// SelectAlternative selects the field's alternative values (state A).
func (s *Session) SelectAlternative(state, field string, softLock bool) (bool, error) {
	return s.selectByState(state, field, softLock, func(v ValueState) bool { return v == Alternative })
}

// SelectExcluded inverts the field's selection; without a selection it
// selects the excluded values.
func (s *Session) SelectExcluded(state, field string, softLock bool) (bool, error) {
	f, err := s.field(field)
	if err != nil {
		return false, err
	}
	_, fs, err := s.current(state, f)
	if err != nil {
		return false, err
	}
	if fs == nil {
		return s.selectByState(state, field, softLock, func(v ValueState) bool { return v == Excluded })
	}
	set := fullCodeSet(f.Cardinal())
	set.AndNot(fs.set)
	return s.change(state, f, set, softLock, "")
}

func (s *Session) selectByState(state, field string, softLock bool, want func(ValueState) bool) (bool, error) {
	f, err := s.field(field)
	if err != nil {
		return false, err
	}
	r, err := s.Result(state)
	if err != nil {
		return false, err
	}
	var ids []uint32
	for id, v := range r.FieldStates(f.Index) {
		if want(v) {
			ids = append(ids, uint32(id))
		}
	}
	if len(ids) == 0 {
		return false, nil
	}
	return s.change(state, f, codeSet(f.Cardinal(), ids), softLock, "")
}

// Clear clears the field's selection.
func (s *Session) Clear(state, field string) (bool, error) {
	f, err := s.field(field)
	if err != nil {
		return false, err
	}
	return s.change(state, f, nil, false, "")
}

// ClearAllButThis clears every other unlocked field of the state.
func (s *Session) ClearAllButThis(state, field string, softLock bool) (bool, error) {
	f, err := s.field(field)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.stateLocked(state)
	if err != nil {
		return false, err
	}
	keep := map[int]bool{f.Index: true}
	for fi, fs := range cur.sels {
		if fs.Locked && !softLock {
			keep[fi] = true
		}
	}
	clearing := false
	for fi := range cur.sels {
		if !keep[fi] {
			clearing = true
		}
	}
	if !clearing {
		return true, nil
	}
	s.commitLocked(cur.restrict(keep))
	return true, nil
}

// ClearAll clears every field of the state; locked fields are kept unless
// lockedAlso.
func (s *Session) ClearAll(state string, lockedAlso bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.stateLocked(state)
	if err != nil {
		return err
	}
	keep := map[int]bool{}
	if !lockedAlso {
		for fi, fs := range cur.sels {
			if fs.Locked {
				keep[fi] = true
			}
		}
	}
	if len(keep) == len(cur.sels) {
		return nil
	}
	s.commitLocked(cur.restrict(keep))
	return nil
}

// Lock locks the field's selection. It returns false if the field has no
// selection or is already locked.
func (s *Session) Lock(state, field string) (bool, error) { return s.setLock(state, field, true) }

// Unlock unlocks the field's selection.
func (s *Session) Unlock(state, field string) (bool, error) { return s.setLock(state, field, false) }

func (s *Session) setLock(state, field string, locked bool) (bool, error) {
	f, err := s.field(field)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.stateLocked(state)
	if err != nil {
		return false, err
	}
	fs := cur.sels[f.Index]
	if fs == nil || fs.Locked == locked {
		return false, nil
	}
	s.commitLocked(cur.withLock(f.Index, locked))
	return true, nil
}

// LockAll locks every selected field of the state.
func (s *Session) LockAll(state string) error { return s.setAllLocks(state, true) }

// UnlockAll unlocks every field of the state.
func (s *Session) UnlockAll(state string) error { return s.setAllLocks(state, false) }

func (s *Session) setAllLocks(state string, locked bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.stateLocked(state)
	if err != nil {
		return err
	}
	n := cur
	for fi, fs := range cur.sels {
		if fs.Locked != locked {
			n = n.withLock(fi, locked)
		}
	}
	if n != cur {
		s.commitLocked(n)
	}
	return nil
}

// Mark is a point in a session's selections and history, for undoing a
// series of operations without leaving history steps behind (aborted modal
// selections).
type Mark struct {
	states snapshot
	back   int
}

// Mark returns the current point.
func (s *Session) Mark() Mark {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Mark{states: s.snapshotLocked(), back: len(s.back)}
}

// Rewind restores the selections of m and drops the history steps made
// since; the forward history is cleared.
func (s *Session) Rewind(m Mark) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restoreLocked(m.states)
	if m.back < len(s.back) {
		s.back = s.back[:m.back]
	}
	s.fwd = s.fwd[:0]
}
