package engine

import (
	"cmp"
	"math"
	"slices"

	"github.com/assocengine/assoc/engine/internal/kern"
	"github.com/assocengine/assoc/engine/internal/par"
)

// SortCriteria is QIX's SortCriteria: for State, Numeric, Ascii, LoadOrder
// and Expression 1 means ascending, -1 descending and 0 off; for Frequency
// the sign is inverted (-1 ascending, 1 descending), as in Qlik.
// Criteria apply in the order State, Expression, Frequency, Numeric, Ascii,
// LoadOrder; ties end in load order.
type SortCriteria struct {
	State      int
	Expression int
	Frequency  int
	Numeric    int
	Ascii      int
	LoadOrder  int
	// ExpressionValue returns the sort-expression value of a symbol
	// (NaN sorts last). Required when Expression is not 0.
	ExpressionValue func(id uint32) float64
}

// FrequencyMode is QIX's NxFrequencyMode.
type FrequencyMode uint8

// Frequency modes.
const (
	FrequencyNone     FrequencyMode = iota // N
	FrequencyValue                         // V: absolute count
	FrequencyPercent                       // P: percent of the total
	FrequencyRelative                      // R: relative to the largest
)

// ListDef defines a list object: one field's values with their states.
type ListDef struct {
	Field string
	// State is the selection state ("" = "$").
	State string
	Sort  SortCriteria
	// Frequency asks for per-value record counts.
	Frequency FrequencyMode
	// ShowAlternatives reports A values as A instead of X.
	ShowAlternatives bool
	// AutoSortByStateRows > 0 promotes selected values to the top when the
	// field has more values than that.
	AutoSortByStateRows int
}

// ListObject is a computed list object: the field's symbols in sort order
// with their states and, when asked, frequencies.
type ListObject struct {
	Field  *Field
	Result *Result
	// Order holds the symbol ids in display order.
	Order []uint32
	// States holds the display state of every symbol, indexed by id.
	States []ValueState
	// Counts are the value state counts (alternatives counted as A even
	// when ShowAlternatives is off).
	Counts StateCounts
	// Freq holds the number of possible records per symbol id when a
	// frequency mode was asked for.
	Freq []uint32
	// FreqTotal is the sum of Freq, FreqMax its maximum.
	FreqTotal, FreqMax uint64
}

// ListObject computes a list object in the session's current state.
func (s *Session) ListObject(def ListDef) (*ListObject, error) {
	f, err := s.m.Field(def.Field)
	if err != nil {
		return nil, err
	}
	r, err := s.Result(def.State)
	if err != nil {
		return nil, err
	}
	return r.ListObject(f, def), nil
}

// ListObject computes the list object of field f over this result.
func (r *Result) ListObject(f *Field, def ListDef) *ListObject {
	lo := &ListObject{Field: f, Result: r}
	states := r.FieldStates(f.Index)
	lo.Counts = r.Counts(f.Index)
	if !def.ShowAlternatives && lo.Counts.Alternative > 0 {
		states = slices.Clone(states)
		for i, v := range states {
			if v == Alternative {
				states[i] = Excluded
			}
		}
	}
	lo.States = states
	if def.Frequency != FrequencyNone || def.Sort.Frequency != 0 {
		lo.Freq = r.Frequencies(f.Index)
		for _, c := range lo.Freq {
			lo.FreqTotal += uint64(c)
			lo.FreqMax = max(lo.FreqMax, uint64(c))
		}
	}
	lo.Order = lo.sortOrder(def)
	return lo
}

// Frequencies returns, per symbol id of field f, the number of possible
// records holding it in the first table that holds the field.
func (r *Result) Frequencies(f int) []uint32 {
	fld := r.m.fields[f]
	counts := make([]uint32, fld.Cardinal()+1)
	if len(fld.tables) == 0 {
		return counts[1:]
	}
	t := fld.tables[0]
	col := r.m.tables[t].Column(f)
	rows := r.PossibleRows(t)
	w := par.Workers()
	parts := make([][]uint32, w)
	mustPar(par.For(col.Len(), 0, func(k, lo, hi int) {
		if parts[k] == nil {
			parts[k] = make([]uint32, len(counts))
		}
		kern.Count(col, rows, parts[k], lo, hi)
	}))
	for _, p := range parts {
		for i, c := range p {
			counts[i] += c
		}
	}
	return counts[1:]
}

func (lo *ListObject) sortOrder(def ListDef) []uint32 {
	sc := def.Sort
	syms := lo.Field.Symbols
	n := syms.Len()
	base := make([]uint32, 0, n)
	// Base order from the Numeric / Ascii / LoadOrder criteria.
	textPart := func(dst []uint32, numericToo bool) []uint32 {
		keep := func(id uint32) bool { return numericToo || math.IsNaN(syms.Num(id)) }
		switch {
		case sc.Ascii > 0:
			for _, id := range syms.TextOrder() {
				if keep(id) {
					dst = append(dst, id)
				}
			}
		case sc.Ascii < 0:
			ord := syms.TextOrder()
			for i := len(ord) - 1; i >= 0; i-- {
				if keep(ord[i]) {
					dst = append(dst, ord[i])
				}
			}
		case sc.LoadOrder < 0:
			for id := n - 1; id >= 0; id-- {
				if keep(uint32(id)) {
					dst = append(dst, uint32(id))
				}
			}
		default:
			for id := 0; id < n; id++ {
				if keep(uint32(id)) {
					dst = append(dst, uint32(id))
				}
			}
		}
		return dst
	}
	if sc.Numeric != 0 {
		nnum := syms.NumericCount()
		ord := syms.NumericOrder()[:nnum]
		if sc.Numeric > 0 {
			base = append(base, ord...)
		} else {
			for i := len(ord) - 1; i >= 0; i-- {
				base = append(base, ord[i])
			}
		}
		base = textPart(base, false)
	} else {
		base = textPart(base, true)
	}
	stateKey := func(id uint32) int {
		k := lo.States[id].sortRank()
		if sc.State < 0 {
			k = -k
		}
		return k
	}
	promote := def.AutoSortByStateRows > 0 && n > def.AutoSortByStateRows
	if sc.Expression == 0 && sc.Frequency == 0 {
		switch {
		case sc.State != 0:
			slices.SortStableFunc(base, func(a, b uint32) int { return cmp.Compare(stateKey(a), stateKey(b)) })
		case promote:
			slices.SortStableFunc(base, func(a, b uint32) int {
				return cmp.Compare(boolRank(lo.States[a].IsSelected()), boolRank(lo.States[b].IsSelected()))
			})
		}
		return base
	}
	pos := make([]uint32, n)
	for i, id := range base {
		pos[id] = uint32(i)
	}
	slices.SortFunc(base, func(a, b uint32) int {
		if sc.State != 0 {
			if c := cmp.Compare(stateKey(a), stateKey(b)); c != 0 {
				return c
			}
		} else if promote {
			if c := cmp.Compare(boolRank(lo.States[a].IsSelected()), boolRank(lo.States[b].IsSelected())); c != 0 {
				return c
			}
		}
		if sc.Expression != 0 && sc.ExpressionValue != nil {
			va, vb := sc.ExpressionValue(a), sc.ExpressionValue(b)
			an, bn := math.IsNaN(va), math.IsNaN(vb)
			switch {
			case an && !bn:
				return 1
			case bn && !an:
				return -1
			case !an && !bn && va != vb:
				if sc.Expression > 0 {
					return cmp.Compare(va, vb)
				}
				return cmp.Compare(vb, va)
			}
		}
		if sc.Frequency != 0 && lo.Freq != nil && lo.Freq[a] != lo.Freq[b] {
			if sc.Frequency < 0 {
				return cmp.Compare(lo.Freq[a], lo.Freq[b])
			}
			return cmp.Compare(lo.Freq[b], lo.Freq[a])
		}
		return cmp.Compare(pos[a], pos[b])
	})
	return base
}

func boolRank(selected bool) int {
	if selected {
		return 0
	}
	return 1
}

// Len returns the number of values (the field's cardinality).
func (lo *ListObject) Len() int { return len(lo.Order) }

// Page returns the symbol ids of rows [top, top+height) in display order,
// clipped to the list.
func (lo *ListObject) Page(top, height int) []uint32 {
	if top < 0 || height <= 0 || top >= len(lo.Order) {
		return nil
	}
	return lo.Order[top:min(len(lo.Order), top+height)]
}
