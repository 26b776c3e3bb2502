package engine

import (
	"github.com/assocengine/assoc/engine/internal/bitset"
)

// ValueState is the state of one field value, numbered as QIX's
// StateEnumType.
type ValueState uint8

// Value states.
const (
	Locked           ValueState = 0 // L: selected in a locked field
	Selected         ValueState = 1 // S: selected and possible
	Option           ValueState = 2 // O: possible (no selection in the field)
	Deselected       ValueState = 3 // D: reserved, never produced by inference
	Alternative      ValueState = 4 // A: would be possible without the field's own selection
	Excluded         ValueState = 5 // X
	SelectedExcluded ValueState = 6 // XS: selected, excluded by other fields
	LockedExcluded   ValueState = 7 // XL: locked and excluded
)

var stateNames = [...]string{"L", "S", "O", "D", "A", "X", "XS", "XL"}

// String returns the short QIX form ("S", "O", "XS" ...).
func (s ValueState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "?"
}

// ParseValueState parses a short or long QIX state name.
func ParseValueState(s string) (ValueState, bool) {
	for i, n := range stateNames {
		if n == s {
			return ValueState(i), true
		}
	}
	switch s {
	case "LOCKED":
		return Locked, true
	case "SELECTED":
		return Selected, true
	case "OPTION":
		return Option, true
	case "DESELECTED":
		return Deselected, true
	case "ALTERNATIVE":
		return Alternative, true
	case "EXCLUDED":
		return Excluded, true
	case "EXCL_SELECTED":
		return SelectedExcluded, true
	case "EXCL_LOCKED":
		return LockedExcluded, true
	}
	return 0, false
}

// IsSelected reports whether the state is one of the selected states
// (S, L, XS, XL).
func (s ValueState) IsSelected() bool {
	return s == Selected || s == Locked || s == SelectedExcluded || s == LockedExcluded
}

// sortRank orders states for sorting by state: S, L < O < A < D < X, XS, XL.
func (s ValueState) sortRank() int {
	switch s {
	case Selected, Locked:
		return 0
	case Option:
		return 1
	case Alternative:
		return 2
	case Deselected:
		return 3
	}
	return 4
}

// StateCounts counts a field's symbols per state (QIX NxStateCounts).
type StateCounts struct {
	Locked           int
	Selected         int
	Option           int
	Deselected       int
	Alternative      int
	Excluded         int
	SelectedExcluded int
	LockedExcluded   int
}

// FieldStates returns the state of every symbol of field f, indexed by
// symbol id. The slice is shared and must not be modified.
func (r *Result) FieldStates(f int) []ValueState {
	r.statesMu.Lock()
	if st, ok := r.states[f]; ok {
		r.statesMu.Unlock()
		return st
	}
	r.statesMu.Unlock()
	st := r.computeStates(f)
	r.statesMu.Lock()
	if r.states == nil {
		r.states = map[int][]ValueState{}
	}
	r.states[f] = st
	r.statesMu.Unlock()
	return st
}

func (r *Result) computeStates(f int) []ValueState {
	card := r.m.fields[f].Cardinal()
	out := make([]ValueState, card)
	poss := r.fieldVals(f)
	fs := r.st.sels[f]
	if fs == nil {
		for i := range out {
			if poss == nil || poss.Test(uint32(i+1)) {
				out[i] = Option
			} else {
				out[i] = Excluded
			}
		}
		return out
	}
	alt := r.alternative(f).fieldVals(f)
	sel, selX := Selected, SelectedExcluded
	if fs.Locked {
		sel, selX = Locked, LockedExcluded
	}
	for i := range out {
		c := uint32(i + 1)
		switch {
		case fs.set.Test(c):
			if poss == nil || poss.Test(c) {
				out[i] = sel
			} else {
				out[i] = selX
			}
		case alt == nil || alt.Test(c):
			out[i] = Alternative
		default:
			out[i] = Excluded
		}
	}
	return out
}

// ValueStateOf returns the state of symbol id of field f.
func (r *Result) ValueStateOf(f int, id uint32) ValueState { return r.FieldStates(f)[id] }

// Counts returns field f's state counts, computed with bitset popcounts.
func (r *Result) Counts(f int) StateCounts {
	card := r.m.fields[f].Cardinal()
	poss := r.fieldVals(f)
	npos := card
	if poss != nil {
		npos = poss.Count()
	}
	fs := r.st.sels[f]
	if fs == nil {
		return StateCounts{Option: npos, Excluded: card - npos}
	}
	var sp, sx int
	if poss == nil {
		sp = fs.set.Count()
	} else {
		sp = bitset.AndCount(fs.set, poss)
		sx = fs.set.Count() - sp
	}
	alt := r.alternative(f).fieldVals(f)
	na := 0
	if alt == nil {
		na = card - fs.set.Count()
	} else {
		na = bitset.AndNotCount(alt, fs.set)
	}
	c := StateCounts{Alternative: na, Excluded: card - sp - sx - na}
	if fs.Locked {
		c.Locked, c.LockedExcluded = sp, sx
	} else {
		c.Selected, c.SelectedExcluded = sp, sx
	}
	return c
}
