package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/assocengine/assoc/engine/internal/bitset"
	"github.com/assocengine/assoc/engine/internal/par"
)

// Searching across fields ("smart search", QIX Doc.SearchResults).
//
// Every term (see Term) is matched against the values of every searched
// field. A group is one way of placing the matched terms: a set of terms
// and, for each, the field where it matched. Terms placed in the same field
// form one item, whose values must match all of them (so "organic pasta"
// finds the product "Organic Pasta Sauce" as one item). A group holds when
// its items are associated: selecting every item's values leaves each of
// them possible. For one item that is the item being non-empty among the
// values allowed by the context; for two items the inference of one item's
// selection must leave some value of the other possible; for more, the
// pairs are checked first and then the inference of all items together.
// An item shows only its values that are associated with the other items.
//
// Groups with more terms come first, then those matching better (the sum
// of the items' best match kinds), then those with fewer items, then by
// term and field order. Within an item, values are ranked by their match
// kinds over the item's terms, then by load order.
//
// Placements are enumerated a term at a time and a placement is only
// considered when all its placements with one term less hold (a group that
// holds keeps holding when a term is dropped), so unrelated terms cost
// nothing. Inferences are counted against SearchAllOptions.MaxInferences;
// beyond it the placements still untested are dropped and the result is
// marked Truncated.

// SearchContext says which of the current selections a multi-field search
// respects (QIX SearchContextType).
type SearchContext uint8

// Search contexts.
const (
	// SearchCleared ignores every selection; selecting a group clears the
	// unlocked selections first.
	SearchCleared SearchContext = iota
	// SearchLockedOnly respects locked selections only (Qlik's default):
	// values excluded by them are not found, and selecting a group clears
	// the unlocked selections.
	SearchLockedOnly
	// SearchCurrent respects every selection: a value is found unless it
	// is excluded (X, XS, XL), and selecting a group adds to the
	// selections.
	SearchCurrent
)

// Defaults of SearchAllOptions.
const (
	DefaultSearchInferences = 256
	DefaultSearchGroups     = 10_000
	// MaxSearchTerms bounds the terms of one search.
	MaxSearchTerms = 32
)

// SearchAllOptions configure a multi-field search.
type SearchAllOptions struct {
	// State is the selection state ("" = "$").
	State string
	// Fields limits the search to these fields. Empty means every field
	// except the system fields ($Table, $Field ...) and synthetic keys
	// ($Syn N). Names not in the model are reported in
	// SearchAllResult.Unknown.
	Fields []string
	// Context says which selections the search respects.
	Context SearchContext
	// MaxInferences bounds the inferences run to test associations
	// (default DefaultSearchInferences).
	MaxInferences int
	// MaxGroups bounds the groups found (default DefaultSearchGroups).
	MaxGroups int
	// Ctx cancels the search (nil: never).
	Ctx context.Context
}

// TermHits are the values of one field that match one term.
type TermHits struct {
	Term  int
	Field *Field
	// IDs are the matching symbol ids in id order; Kinds is parallel.
	IDs   []uint32
	Kinds []MatchKind
	// Best is the best kind in Kinds.
	Best MatchKind
}

// SearchItem is one field of a group: the terms placed in it and its
// values that match them all and are associated with the group's other
// items.
type SearchItem struct {
	Field *Field
	Terms []int
	// IDs are the values, best first.
	IDs []uint32
	// Scores are parallel to IDs: the sum of the value's match kinds over
	// Terms.
	Scores []uint8
	// Match is the best kind every term of the item reaches on one value.
	Match MatchKind
}

// SearchGroup is one placement of terms in fields whose items are
// associated.
type SearchGroup struct {
	// Terms are the indexes of the terms the group matches, ascending.
	Terms []int
	// Items are ordered by the index of their first term.
	Items []SearchItem
	// Score is the sum of the items' best value scores.
	Score int
}

// SearchAllResult is the outcome of a multi-field search.
type SearchAllResult struct {
	// Terms are the compiled terms, one per input string.
	Terms []Term
	// Fields are the fields searched, in model order.
	Fields []*Field
	// Unknown are requested field names not in the model.
	Unknown []string
	// Hits are the matches per term and field, by term then field order;
	// only non-empty ones are listed.
	Hits []TermHits
	// Groups are the associated placements, best first.
	Groups []SearchGroup
	// Truncated reports that MaxInferences or MaxGroups cut the search
	// short: some groups may be missing.
	Truncated bool
}

// HitFields returns the names of the fields where any term matched, in
// field order.
func (r *SearchAllResult) HitFields() []string {
	var out []string
	seen := map[*Field]bool{}
	for _, f := range r.Fields {
		for _, h := range r.Hits {
			if h.Field == f && !seen[f] {
				seen[f] = true
				out = append(out, f.Name)
			}
		}
	}
	return out
}

// searchPrep is the matching stage shared by SearchAll, SearchSuggest and
// SelectSearchGroup.
type searchPrep struct {
	s       *Session
	ctx     context.Context
	cur     *State // the current state
	base    *State // the context: the selections the search respects
	r0      *Result
	res     *SearchAllResult
	hits    [][]*TermHits // [term][field slot]
	allowed []bitset.Set  // [field slot] code-indexed; nil = every value
}

// contextState returns the selections of cur a search context respects.
func contextState(cur *State, ctx SearchContext) *State {
	switch ctx {
	case SearchCurrent:
		return cur
	case SearchLockedOnly:
		keep := map[int]bool{}
		for f, fs := range cur.sels {
			if fs.Locked {
				keep[f] = true
			}
		}
		if len(keep) == len(cur.sels) {
			return cur
		}
		return cur.restrict(keep)
	}
	if len(cur.sels) == 0 {
		return cur
	}
	return cur.restrict(nil)
}

func (s *Session) prepareSearch(opts SearchAllOptions, terms []string) (*searchPrep, error) {
	if len(terms) > MaxSearchTerms {
		return nil, fmt.Errorf("cannot search for %d terms: at most %d are allowed", len(terms), MaxSearchTerms)
	}
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	cur, err := s.State(opts.State)
	if err != nil {
		return nil, err
	}
	p := &searchPrep{s: s, ctx: ctx, cur: cur, res: &SearchAllResult{}}
	p.base = contextState(cur, opts.Context)
	if p.base == cur {
		p.r0 = s.ResultFor(cur)
	} else {
		p.r0 = s.m.infer(p.base)
	}
	if len(opts.Fields) == 0 {
		for _, f := range s.m.fields {
			if !f.System && !f.Synthetic {
				p.res.Fields = append(p.res.Fields, f)
			}
		}
	} else {
		seen := map[*Field]bool{}
		for _, name := range opts.Fields {
			f, err := s.m.Field(name)
			if err != nil {
				p.res.Unknown = append(p.res.Unknown, name)
				continue
			}
			seen[f] = true
		}
		for _, f := range s.m.fields {
			if seen[f] {
				p.res.Fields = append(p.res.Fields, f)
			}
		}
	}
	for _, t := range terms {
		ct := CompileTerm(t, s.opts.NumberParser)
		if ct.Kind == SearchFuzzy || ct.Kind == SearchExpression {
			ct = literalTerm(t)
		}
		p.res.Terms = append(p.res.Terms, ct)
	}
	p.hits = make([][]*TermHits, len(terms))
	for i := range p.hits {
		p.hits[i] = make([]*TermHits, len(p.res.Fields))
	}
	p.allowed = make([]bitset.Set, len(p.res.Fields))
	for slot, f := range p.res.Fields {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.allowed[slot] = p.allowedValues(f)
		th, err := scanField(ctx, p.s.m, f, p.res.Terms, p.allowed[slot])
		if err != nil {
			return nil, err
		}
		for ti := range th {
			if len(th[ti].IDs) > 0 {
				h := th[ti]
				h.Term, h.Field = ti, f
				p.hits[ti][slot] = &h
			}
		}
	}
	for ti := range p.hits {
		for _, h := range p.hits[ti] {
			if h != nil {
				p.res.Hits = append(p.res.Hits, *h)
			}
		}
	}
	return p, nil
}

// allowedValues returns the values of f the context lets a search find:
// the possible ones, the alternatives too for a field with an unlocked
// selection, only the possible selected ones of a locked field.
func (p *searchPrep) allowedValues(f *Field) bitset.Set {
	fs := p.base.sels[f.Index]
	if fs != nil && !fs.Locked {
		return p.r0.alternative(f.Index).fieldVals(f.Index)
	}
	return p.r0.fieldVals(f.Index)
}

// scanField matches the allowed symbols of f (code-indexed, nil = all)
// against every term, in parallel over chunks of symbols; m (may be nil)
// keeps the texts of slow fields for the next search (searchTexts).
func scanField(ctx context.Context, m *Model, f *Field, terms []Term, allowed bitset.Set) ([]TermHits, error) {
	n := f.Cardinal()
	out := make([]TermHits, len(terms))
	// The terms that can match here: a field whose texts are slow to read
	// (rendered from numbers or compressed) knows their bytes, and a term
	// with another byte cannot match it.
	alpha, hasAlpha := f.Symbols.Alphabet()
	var use []int
	texts := false
	for i := range terms {
		t := &terms[i]
		if t.Empty() || t.Kind == SearchExpression || t.Kind == SearchFuzzy || (hasAlpha && !t.mayMatch(&alpha)) {
			continue
		}
		use = append(use, i)
		// Numeric terms compare numbers: a field whose texts are
		// rendered from its numbers need not render them.
		texts = texts || t.Kind != SearchNumeric
	}
	if n == 0 || len(use) == 0 {
		return out, nil
	}
	var ft *fieldTexts
	if texts {
		ft = m.searchTexts(f)
	}
	const chunk = 1 << 14
	parts := make([][]TermHits, (n+chunk-1)/chunk)
	var stop atomic.Bool
	syms := f.Symbols
	err := par.For(n, chunk, func(_, lo, hi int) {
		if stop.Load() {
			return
		}
		if ctx.Err() != nil {
			stop.Store(true)
			return
		}
		part := make([]TermHits, len(terms))
		var buf []byte
		for id := lo; id < hi; id++ {
			if allowed != nil && !allowed.Test(uint32(id+1)) {
				continue
			}
			text, num := "", syms.Num(uint32(id))
			switch {
			case ft != nil:
				text = ft.text(uint32(id))
			case texts:
				text = syms.TextScratch(uint32(id), &buf)
			}
			for _, ti := range use {
				if k := terms[ti].Match(num, text); k != MatchNone {
					h := &part[ti]
					h.IDs = append(h.IDs, uint32(id))
					h.Kinds = append(h.Kinds, k)
					h.Best = max(h.Best, k)
				}
			}
		}
		parts[lo/chunk] = part
	})
	if err != nil {
		return nil, fmt.Errorf("cannot search field %q: %w", f.Name, err)
	}
	if stop.Load() {
		return nil, ctx.Err()
	}
	for ti := range out {
		total := 0
		for _, part := range parts {
			if part != nil {
				total += len(part[ti].IDs)
			}
		}
		if total == 0 {
			continue
		}
		h := &out[ti]
		h.IDs = make([]uint32, 0, total)
		h.Kinds = make([]MatchKind, 0, total)
		for _, part := range parts {
			if part == nil {
				continue
			}
			h.IDs = append(h.IDs, part[ti].IDs...)
			h.Kinds = append(h.Kinds, part[ti].Kinds...)
			h.Best = max(h.Best, part[ti].Best)
		}
	}
	return out, nil
}

// SearchAll searches the terms in many fields at once and finds the
// associated groups (see the comment at the top of this file).
func (s *Session) SearchAll(opts SearchAllOptions, terms []string) (*SearchAllResult, error) {
	p, err := s.prepareSearch(opts, terms)
	if err != nil {
		return nil, err
	}
	if err := p.groups(opts); err != nil {
		return nil, err
	}
	return p.res, nil
}

// placement maps term index → field slot (-1: the term is not placed).
type placement []int32

func (pl placement) key() string {
	b := make([]byte, 0, 4*len(pl))
	for _, v := range pl {
		u := uint32(v + 1)
		b = append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	return string(b)
}

// itemKey identifies an item: a field slot and a set of terms.
type itemKey struct {
	slot  int
	terms uint32 // bit per term
}

// itemInfo is an item's matching values before association with others.
type itemInfo struct {
	ids    []uint32 // id order
	scores []uint8
	mins   []MatchKind // per id: the worst kind over the item's terms
	set    bitset.Set  // code-indexed
	res    *Result     // inference with this item selected (lazy)
	alt    map[int]bitset.Set
}

type groupSearch struct {
	p      *searchPrep
	items  map[itemKey]*itemInfo
	budget int
	trunc  bool
}

func (p *searchPrep) groups(opts SearchAllOptions) error {
	budget := opts.MaxInferences
	if budget <= 0 {
		budget = DefaultSearchInferences
	}
	maxGroups := opts.MaxGroups
	if maxGroups <= 0 {
		maxGroups = DefaultSearchGroups
	}
	gs := &groupSearch{p: p, items: map[itemKey]*itemInfo{}, budget: budget}
	nt := len(p.res.Terms)
	var found []SearchGroup
	valid := map[string]bool{}
	var level []placement
	// Level 1: every (term, field) with hits holds on its own.
	for ti := 0; ti < nt; ti++ {
		for slot := range p.res.Fields {
			if p.hits[ti][slot] == nil {
				continue
			}
			pl := make(placement, nt)
			for i := range pl {
				pl[i] = -1
			}
			pl[ti] = int32(slot)
			if len(found) >= maxGroups {
				gs.trunc = true
				break
			}
			if g, ok := gs.check(pl); ok {
				valid[pl.key()] = true
				level = append(level, pl)
				found = append(found, g)
			}
		}
	}
levels:
	for len(level) > 0 && !gs.trunc {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		var next []placement
		for _, pl := range level {
			lastTerm := -1
			for ti, slot := range pl {
				if slot >= 0 {
					lastTerm = ti
				}
			}
			for ti := lastTerm + 1; ti < nt; ti++ {
				for slot := range p.res.Fields {
					if p.hits[ti][slot] == nil {
						continue
					}
					np := slices.Clone(pl)
					np[ti] = int32(slot)
					if !gs.subsetsHold(np, valid) {
						continue
					}
					g, ok := gs.check(np)
					if !ok {
						continue
					}
					valid[np.key()] = true
					next = append(next, np)
					found = append(found, g)
					if len(found) >= maxGroups {
						gs.trunc = true
						break levels
					}
				}
			}
			if err := p.ctx.Err(); err != nil {
				return err
			}
		}
		level = next
	}
	slices.SortStableFunc(found, compareGroups)
	p.res.Groups = found
	p.res.Truncated = gs.trunc
	return nil
}

// compareGroups orders groups: more terms, higher score, fewer items, then
// terms and fields in order.
func compareGroups(a, b SearchGroup) int {
	if len(a.Terms) != len(b.Terms) {
		return len(b.Terms) - len(a.Terms)
	}
	if a.Score != b.Score {
		return b.Score - a.Score
	}
	if len(a.Items) != len(b.Items) {
		return len(a.Items) - len(b.Items)
	}
	if c := slices.Compare(a.Terms, b.Terms); c != 0 {
		return c
	}
	for i := range a.Items {
		if c := a.Items[i].Field.Index - b.Items[i].Field.Index; c != 0 {
			return c
		}
	}
	return 0
}

// subsetsHold reports whether every placement with one term of pl less
// holds.
func (gs *groupSearch) subsetsHold(pl placement, valid map[string]bool) bool {
	placed := 0
	for _, slot := range pl {
		if slot >= 0 {
			placed++
		}
	}
	if placed < 2 {
		return true
	}
	sub := slices.Clone(pl)
	for ti, slot := range pl {
		if slot < 0 {
			continue
		}
		sub[ti] = -1
		ok := valid[sub.key()]
		sub[ti] = slot
		if !ok {
			return false
		}
	}
	return true
}

// item returns the values of the field in slot matching every term in the
// mask (allowed by the context), with their scores.
func (gs *groupSearch) item(k itemKey) *itemInfo {
	if it, ok := gs.items[k]; ok {
		return it
	}
	var lists []*TermHits
	for ti := 0; ti < len(gs.p.res.Terms); ti++ {
		if k.terms&(1<<ti) != 0 {
			lists = append(lists, gs.p.hits[ti][k.slot])
		}
	}
	it := &itemInfo{}
	first := lists[0]
	if len(lists) == 1 { // the term's hits as they are
		it.ids, it.mins = first.IDs, first.Kinds
		it.scores = make([]uint8, len(first.Kinds))
		for i, k := range first.Kinds {
			it.scores[i] = uint8(k)
		}
		gs.items[k] = it
		return it
	}
	// Merge-intersect the id-ordered lists, summing the kinds.
	pos := make([]int, len(lists))
	for i, id := range first.IDs {
		score, worst := int(first.Kinds[i]), first.Kinds[i]
		ok := true
		for li := 1; li < len(lists); li++ {
			l := lists[li]
			j := pos[li]
			for j < len(l.IDs) && l.IDs[j] < id {
				j++
			}
			pos[li] = j
			if j == len(l.IDs) || l.IDs[j] != id {
				ok = false
				break
			}
			score += int(l.Kinds[j])
			worst = min(worst, l.Kinds[j])
		}
		if ok {
			it.ids = append(it.ids, id)
			it.scores = append(it.scores, uint8(score))
			it.mins = append(it.mins, worst)
		}
	}
	gs.items[k] = it
	return it
}

// codes returns the item's values as a code-indexed set.
func (it *itemInfo) codes(f *Field) bitset.Set {
	if it.set == nil {
		it.set = codeSet(f.Cardinal(), it.ids)
	}
	return it.set
}

// spend takes one inference from the budget.
func (gs *groupSearch) spend() bool {
	if gs.budget <= 0 {
		gs.trunc = true
		return false
	}
	gs.budget--
	return true
}

// result returns the inference with the item selected on top of the
// context, or nil when the budget is spent.
func (gs *groupSearch) result(it *itemInfo, f *Field) *Result {
	if it.res == nil {
		if !gs.spend() {
			return nil
		}
		it.res = gs.p.s.m.infer(gs.p.base.with(f.Index, it.codes(f), false, ""))
	}
	return it.res
}

// possibleUnder returns the values of field g that the item's inference
// leaves possible, ignoring g's own (unlocked) context selection; nil means
// every value. ok is false when the budget is spent.
func (gs *groupSearch) possibleUnder(it *itemInfo, f, g *Field) (bitset.Set, bool) {
	r := gs.result(it, f)
	if r == nil {
		return nil, false
	}
	if fs := gs.p.base.sels[g.Index]; fs != nil && !fs.Locked {
		if v, ok := it.alt[g.Index]; ok {
			return v, true
		}
		if !gs.spend() {
			return nil, false
		}
		v := r.alternative(g.Index).fieldVals(g.Index)
		if it.alt == nil {
			it.alt = map[int]bitset.Set{}
		}
		it.alt[g.Index] = v
		return v, true
	}
	return r.fieldVals(g.Index), true
}

// check tests a placement and builds its group.
func (gs *groupSearch) check(pl placement) (SearchGroup, bool) {
	p := gs.p
	// Items in order of their first term.
	var keys []itemKey
	var terms []int
	for ti, slot := range pl {
		if slot < 0 {
			continue
		}
		terms = append(terms, ti)
		found := false
		for i := range keys {
			if keys[i].slot == int(slot) {
				keys[i].terms |= 1 << ti
				found = true
			}
		}
		if !found {
			keys = append(keys, itemKey{slot: int(slot), terms: 1 << ti})
		}
	}
	infos := make([]*itemInfo, len(keys))
	fields := make([]*Field, len(keys))
	for i, k := range keys {
		infos[i] = gs.item(k)
		fields[i] = p.res.Fields[k.slot]
		if len(infos[i].ids) == 0 {
			return SearchGroup{}, false
		}
	}
	// keep[i] is the association filter of item i (nil = all its values).
	keep := make([]bitset.Set, len(keys))
	if len(keys) >= 2 {
		for i := range keys {
			for j := range keys {
				if i == j {
					continue
				}
				v, ok := gs.possibleUnder(infos[i], fields[i], fields[j])
				if !ok {
					return SearchGroup{}, false
				}
				if v == nil {
					continue
				}
				if !bitset.Intersects(infos[j].codes(fields[j]), v) {
					return SearchGroup{}, false
				}
				if keep[j] == nil {
					keep[j] = infos[j].codes(fields[j]).Clone()
				}
				keep[j].And(v)
				if !keep[j].Any() {
					return SearchGroup{}, false
				}
			}
		}
	}
	if len(keys) >= 3 {
		if !gs.spend() {
			return SearchGroup{}, false
		}
		st := p.base
		for i := range keys {
			set := keep[i]
			if set == nil {
				set = infos[i].codes(fields[i])
			}
			st = st.with(fields[i].Index, set, false, "")
		}
		r := p.s.m.infer(st)
		for i := range keys {
			v := r.fieldVals(fields[i].Index)
			if v == nil {
				continue
			}
			if keep[i] == nil {
				keep[i] = infos[i].codes(fields[i]).Clone()
			}
			keep[i].And(v)
			if !keep[i].Any() {
				return SearchGroup{}, false
			}
		}
	}
	g := SearchGroup{Terms: terms, Items: make([]SearchItem, len(keys))}
	for i, k := range keys {
		g.Items[i] = buildItem(fields[i], k.terms, infos[i], keep[i])
		g.Score += int(g.Items[i].Scores[0])
	}
	return g, true
}

// buildItem ranks the item's values that pass the association filter keep
// (nil = all): by score, then id.
func buildItem(f *Field, mask uint32, it *itemInfo, keep bitset.Set) SearchItem {
	item := SearchItem{Field: f}
	for ti := 0; mask>>ti != 0; ti++ {
		if mask&(1<<ti) != 0 {
			item.Terms = append(item.Terms, ti)
		}
	}
	maxScore := 0
	n := 0
	for i, id := range it.ids {
		if keep != nil && !keep.Test(id+1) {
			continue
		}
		n++
		maxScore = max(maxScore, int(it.scores[i]))
		item.Match = max(item.Match, it.mins[i])
	}
	// Counting sort by descending score keeps id order within a score.
	start := make([]int, maxScore+2)
	for i, id := range it.ids {
		if keep == nil || keep.Test(id+1) {
			start[maxScore-int(it.scores[i])+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	item.IDs = make([]uint32, n)
	item.Scores = make([]uint8, n)
	for i, id := range it.ids {
		if keep != nil && !keep.Test(id+1) {
			continue
		}
		b := maxScore - int(it.scores[i])
		item.IDs[start[b]] = id
		item.Scores[start[b]] = it.scores[i]
		start[b]++
	}
	return item
}

// SelectSearchGroup makes the selections of group ix of SearchAll(opts,
// terms), as one history step: every item's values are selected in its
// field. With the Cleared and LockedOnly contexts the unlocked selections
// are cleared first. A locked field is left as it is unless softLock. It
// returns false when there is no such group or nothing could be selected.
func (s *Session) SelectSearchGroup(opts SearchAllOptions, terms []string, ix int, softLock bool) (bool, error) {
	res, err := s.SearchAll(opts, terms)
	if err != nil {
		return false, err
	}
	if ix < 0 || ix >= len(res.Groups) {
		return false, nil
	}
	g := res.Groups[ix]
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.stateLocked(opts.State)
	if err != nil {
		return false, err
	}
	n := cur
	if opts.Context != SearchCurrent {
		n = contextState(cur, SearchLockedOnly)
	}
	changed := false
	for _, it := range g.Items {
		fs := n.sels[it.Field.Index]
		if fs != nil && fs.Locked && !softLock {
			continue
		}
		var words []string
		for _, ti := range it.Terms {
			words = append(words, res.Terms[ti].Text)
		}
		n = n.with(it.Field.Index, codeSet(it.Field.Cardinal(), it.IDs), fs != nil && fs.Locked, strings.Join(words, " "))
		changed = true
	}
	if !changed {
		return false, nil
	}
	if !sameSelections(n, cur) {
		s.commitLocked(n)
	}
	return true, nil
}

// Suggestion is a completion of a search term: a word of the data that
// starts with the term.
type Suggestion struct {
	// Value is the word as it first occurs in the data.
	Value string
	// Term is the index of the term it completes.
	Term int
	// Count is the number of matching values holding the word.
	Count int
}

// SearchSuggest suggests completions of the normal terms: the words of the
// matching values that start with a term, most frequent first (then
// shorter, then alphabetically), at most perTerm per term (default 10).
// It also returns the fields where any term matched.
func (s *Session) SearchSuggest(opts SearchAllOptions, terms []string, perTerm int) ([]Suggestion, []string, error) {
	if perTerm <= 0 {
		perTerm = 10
	}
	p, err := s.prepareSearch(opts, terms)
	if err != nil {
		return nil, nil, err
	}
	var out []Suggestion
	for ti := range p.res.Terms {
		t := &p.res.Terms[ti]
		if t.Kind != SearchNormal || t.lit == "" {
			continue
		}
		type word struct {
			text  string
			count int
		}
		words := map[string]*word{}
		var order []*word
		for slot, f := range p.res.Fields {
			h := p.hits[ti][slot]
			if h == nil {
				continue
			}
			if err := p.ctx.Err(); err != nil {
				return nil, nil, err
			}
			seen := map[*word]bool{}
			for _, id := range h.IDs {
				text := f.Symbols.Text(id)
				clear(seen)
				for from := 0; ; {
					pos, end := t.findNormal(text, from)
					if pos < 0 {
						break
					}
					for end < len(text) && wordAt(text, end) {
						end += runeLen(text, end)
					}
					w := text[pos:end]
					key := strings.ToLower(w)
					e := words[key]
					if e == nil {
						e = &word{text: w}
						words[key] = e
						order = append(order, e)
					}
					if !seen[e] {
						seen[e] = true
						e.count++
					}
					from = end
				}
			}
		}
		slices.SortStableFunc(order, func(a, b *word) int {
			if a.count != b.count {
				return b.count - a.count
			}
			if len(a.text) != len(b.text) {
				return len(a.text) - len(b.text)
			}
			return strings.Compare(strings.ToLower(a.text), strings.ToLower(b.text))
		})
		for _, w := range order[:min(perTerm, len(order))] {
			out = append(out, Suggestion{Value: w.text, Term: ti, Count: w.count})
		}
	}
	return out, p.res.HitFields(), nil
}

func runeLen(text string, i int) int {
	if text[i] < 0x80 {
		return 1
	}
	_, size := utf8.DecodeRuneInString(text[i:])
	return size
}
