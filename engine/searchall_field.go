package engine

import (
	"cmp"
	"context"
	"slices"

	"github.com/assocengine/assoc/engine/internal/bitset"
)

// FieldSearch is an interactive search in one field: what a list object
// shows in search mode and what accepting the search selects. The search
// string is split with SplitSearch; a value matches when any term matches
// it. Every value of the field is searched, excluded ones included.
type FieldSearch struct {
	Field *Field
	// Match is the search string.
	Match string
	// Terms are the compiled terms.
	Terms []Term
	// IDs are the matching symbol ids: in id order, or best first for a
	// fuzzy search (Ranked).
	IDs []uint32
	// Ranked reports that IDs are in rank order rather than id order.
	Ranked bool
	// Top are the ids a fuzzy search selects: those sharing the best
	// similarity. Nil for other searches.
	Top []uint32
	// StateDependent reports that the matches depend on the selections of
	// the state (an expression search).
	StateDependent bool

	set bitset.Set // code-indexed
}

// Contains reports whether symbol id matches.
func (fs *FieldSearch) Contains(id uint32) bool { return fs.set.Test(id + 1) }

// Len returns the number of matching values.
func (fs *FieldSearch) Len() int { return len(fs.IDs) }

// Ranges returns the highlight ranges of symbol id, sorted and merged
// (byte offsets in its text). Fuzzy and expression searches highlight
// nothing.
func (fs *FieldSearch) Ranges(id uint32) []TextRange {
	text, num := fs.Field.Symbols.Text(id), fs.Field.Symbols.Num(id)
	var rs []TextRange
	for i := range fs.Terms {
		rs = fs.Terms[i].Ranges(rs, i, num, text)
	}
	return MergeRanges(rs)
}

// SearchField searches a field as a list object's search box does (see
// SplitSearch and Term). An expression search (=expr) is evaluated in the
// state's selections, excluding the field's own; a fuzzy search (~text)
// ranks the values with any similarity, best first.
func (s *Session) SearchField(ctx context.Context, state, field, match string) (*FieldSearch, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	f, err := s.field(field)
	if err != nil {
		return nil, err
	}
	if _, err := s.State(state); err != nil {
		return nil, err
	}
	fs := &FieldSearch{Field: f, Match: match}
	for _, t := range SplitSearch(match) {
		if len(fs.Terms) == MaxSearchTerms {
			break
		}
		fs.Terms = append(fs.Terms, CompileTerm(t, s.opts.NumberParser))
	}
	switch {
	case len(fs.Terms) == 0:
	case fs.Terms[0].Kind == SearchExpression:
		fs.StateDependent = true
		ids, err := s.Search(state, field, match, true)
		if err != nil {
			return nil, err
		}
		fs.IDs = ids
	case fs.Terms[0].Kind == SearchFuzzy:
		fs.fuzzy(ctx, fs.Terms[0].fuzzy)
	default:
		hits, err := scanField(ctx, s.m, f, fs.Terms, nil)
		if err != nil {
			return nil, err
		}
		fs.IDs = unionIDs(hits)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fs.set = codeSet(f.Cardinal(), fs.IDs)
	return fs, nil
}

// unionIDs merges the id-ordered hit lists of several terms.
func unionIDs(hits []TermHits) []uint32 {
	var out []uint32
	for _, h := range hits {
		if len(out) == 0 {
			out = slices.Clone(h.IDs)
			continue
		}
		if len(h.IDs) == 0 {
			continue
		}
		merged := make([]uint32, 0, len(out)+len(h.IDs))
		i, j := 0, 0
		for i < len(out) && j < len(h.IDs) {
			switch {
			case out[i] < h.IDs[j]:
				merged = append(merged, out[i])
				i++
			case out[i] > h.IDs[j]:
				merged = append(merged, h.IDs[j])
				j++
			default:
				merged = append(merged, out[i])
				i++
				j++
			}
		}
		merged = append(merged, out[i:]...)
		out = append(merged, h.IDs[j:]...)
	}
	return out
}

// fuzzy ranks the field's values by similarity to q.
func (fs *FieldSearch) fuzzy(ctx context.Context, q string) {
	fs.Ranked = true
	syms := fs.Field.Symbols
	type scored struct {
		id    uint32
		score float64
	}
	var all []scored
	var buf []byte
	for id := 0; id < syms.Len(); id++ {
		if id&0xfff == 0 && ctx.Err() != nil {
			return
		}
		if sc := fuzzyScore(q, syms.TextScratch(uint32(id), &buf)); sc > 0 {
			all = append(all, scored{uint32(id), sc})
		}
	}
	slices.SortStableFunc(all, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	for i, sc := range all {
		fs.IDs = append(fs.IDs, sc.id)
		if sc.score == all[0].score {
			fs.Top = append(fs.Top, all[i].id)
		}
	}
}

// AcceptFieldSearch selects the matches of a field search in the state:
// the matching values that are not excluded (all of them when every match
// is excluded), or the best-ranked ones of a fuzzy search. With toggle the
// field's current selection is kept and the matches are added to it;
// without, they replace it. It returns false when nothing matches or a
// lock blocks the change.
func (s *Session) AcceptFieldSearch(state string, fs *FieldSearch, toggle, softLock bool) (bool, error) {
	f := fs.Field
	if mf, err := s.field(f.Name); err != nil || mf != f {
		return false, nil // the model changed since the search
	}
	ids := fs.IDs
	if fs.Ranked {
		ids = fs.Top
	}
	if len(ids) == 0 {
		return false, nil
	}
	r, err := s.Result(state)
	if err != nil {
		return false, err
	}
	states := r.FieldStates(f.Index)
	open := make([]uint32, 0, len(ids))
	for _, id := range ids {
		switch states[id] {
		case Excluded, SelectedExcluded, LockedExcluded:
		default:
			open = append(open, id)
		}
	}
	if len(open) > 0 {
		ids = open
	}
	set := codeSet(f.Cardinal(), ids)
	if toggle {
		_, cur, err := s.current(state, f)
		if err != nil {
			return false, err
		}
		if cur != nil {
			set.Or(cur.set)
		}
	}
	return s.change(state, f, set, softLock, fs.Match)
}
