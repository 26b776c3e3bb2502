package engine

import (
	"maps"
	"slices"
	"sync/atomic"

	"github.com/assocengine/assoc/engine/internal/bitset"
)

// DefaultState is the name of the default selection state.
const DefaultState = "$"

var versionCounter atomic.Uint64

func nextVersion() uint64 { return versionCounter.Add(1) }

// FieldSelection is the selection of one field in one state.
type FieldSelection struct {
	// Field is the field's index in the model.
	Field int
	// Locked is the field's lock flag.
	Locked bool
	// Seq orders selections by their last change (larger is newer).
	Seq uint64
	// Search is the search string that made the selection, if any.
	Search string

	set bitset.Set // code-indexed: bit c = symbol c-1
}

// Selected reports whether symbol id is selected.
func (fs *FieldSelection) Selected(id uint32) bool { return fs.set.Test(id + 1) }

// Count returns the number of selected symbols.
func (fs *FieldSelection) Count() int { return fs.set.Count() }

// Symbols appends the selected symbol ids in id order to dst.
func (fs *FieldSelection) Symbols(dst []uint32) []uint32 {
	start := len(dst)
	dst = fs.set.AppendBits(dst)
	for i := start; i < len(dst); i++ {
		dst[i]--
	}
	return dst
}

// State is an immutable selection state: per field, the selected symbols
// and the lock flag. Every change makes a new State with a new Version, so
// results computed from a state can be cached by its version.
type State struct {
	name    string
	version uint64
	seq     uint64
	sels    map[int]*FieldSelection
}

func newState(name string) *State {
	return &State{name: name, version: nextVersion(), sels: map[int]*FieldSelection{}}
}

// Name returns the state's name ("$" for the default state).
func (s *State) Name() string { return s.name }

// Version identifies this exact selection state.
func (s *State) Version() uint64 { return s.version }

// Selection returns the selection of field f, or nil if f has none.
func (s *State) Selection(f int) *FieldSelection { return s.sels[f] }

// Selections returns every field selection, newest first.
func (s *State) Selections() []*FieldSelection {
	out := make([]*FieldSelection, 0, len(s.sels))
	for _, fs := range s.sels {
		out = append(out, fs)
	}
	slices.SortFunc(out, func(a, b *FieldSelection) int { return int(int64(b.Seq) - int64(a.Seq)) })
	return out
}

// Empty reports whether no field is selected.
func (s *State) Empty() bool { return len(s.sels) == 0 }

// with returns a copy of s in which field f's selection is set (or removed
// when set is empty), keeping its lock flag.
func (s *State) with(f int, set bitset.Set, locked bool, search string) *State {
	n := &State{name: s.name, version: nextVersion(), seq: s.seq + 1, sels: maps.Clone(s.sels)}
	if set == nil || !set.Any() {
		delete(n.sels, f)
		return n
	}
	n.sels[f] = &FieldSelection{Field: f, set: set, Locked: locked, Seq: n.seq, Search: search}
	return n
}

// without returns a copy of s without the selections of the given fields.
func (s *State) without(fields ...int) *State {
	n := &State{name: s.name, version: nextVersion(), seq: s.seq, sels: maps.Clone(s.sels)}
	for _, f := range fields {
		delete(n.sels, f)
	}
	return n
}

// restrict returns a copy of s keeping only the selections of fields in keep.
func (s *State) restrict(keep map[int]bool) *State {
	n := &State{name: s.name, version: nextVersion(), seq: s.seq, sels: map[int]*FieldSelection{}}
	for f, fs := range s.sels {
		if keep[f] {
			n.sels[f] = fs
		}
	}
	return n
}

// withLock returns a copy of s with field f's lock flag set to locked.
func (s *State) withLock(f int, locked bool) *State {
	n := &State{name: s.name, version: nextVersion(), seq: s.seq, sels: maps.Clone(s.sels)}
	fs := *n.sels[f]
	fs.Locked = locked
	n.sels[f] = &fs
	return n
}

// sameSelections reports whether a and b select the same symbols with the
// same locks.
func sameSelections(a, b *State) bool {
	if len(a.sels) != len(b.sels) {
		return false
	}
	for f, fa := range a.sels {
		fb, ok := b.sels[f]
		if !ok || fa.Locked != fb.Locked || !fa.set.Equal(fb.set) {
			return false
		}
	}
	return true
}
