package engine

import (
	"fmt"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/internal/bitset"
)

// BookmarkStates resolves a bookmark id or name to the selection state it
// stores for a state name; sessions install it so set analysis can use
// bookmarks ({BM01}).
type BookmarkStates func(bookmark, state string) (*State, bool)

// evalSets evaluates a chain of set expressions, outermost first (§4.8.6):
// an inner set without identifier merges its modifiers over the outer one,
// an inner set with an identifier replaces it.
func (c *chart) evalSets(sets []*expr.SetExpr) (recordSet, error) {
	var rs recordSet
	ctxState := c.st
	for _, se := range sets {
		c.mu.Lock()
		cached, ok := c.setCache[se]
		c.mu.Unlock()
		if ok && len(sets) == 1 {
			return cached, nil
		}
		r, st, err := c.evalTerm(se.Term, ctxState)
		if err != nil {
			return nil, err
		}
		rs = r
		if st != nil {
			ctxState = st
		}
		if len(sets) == 1 {
			c.mu.Lock()
			c.setCache[se] = r
			c.mu.Unlock()
		}
	}
	return rs, nil
}

// evalTerm returns the record set of a set term and, when it is natural
// (one factor), the selection state it came from.
func (c *chart) evalTerm(t expr.SetTerm, ctx *State) (recordSet, *State, error) {
	switch t := t.(type) {
	case *expr.SetFactor:
		st, empty, err := c.factorState(t, ctx)
		if err != nil {
			return nil, nil, err
		}
		if empty {
			return emptySet{c.m}, nil, nil
		}
		return c.s.ResultFor(st), st, nil
	case *expr.SetComplement:
		x, _, err := c.evalTerm(t.X, ctx)
		if err != nil {
			return nil, nil, err
		}
		return &combinedSet{m: c.m, op: '~', x: x}, nil, nil
	case *expr.SetBinary:
		x, _, err := c.evalTerm(t.X, ctx)
		if err != nil {
			return nil, nil, err
		}
		y, _, err := c.evalTerm(t.Y, ctx)
		if err != nil {
			return nil, nil, err
		}
		op := map[expr.SetOp]uint8{expr.SetUnion: '+', expr.SetDiff: '-', expr.SetIntersect: '*', expr.SetXor: '/'}[t.Op]
		return &combinedSet{m: c.m, op: op, x: x, y: y}, nil, nil
	}
	return nil, nil, fmt.Errorf("unsupported set expression %T", t)
}

// identState returns the selection state a set identifier denotes.
func (c *chart) identState(id *expr.SetIdent, ctx *State) (*State, error) {
	if id == nil {
		return ctx, nil
	}
	switch id.Kind {
	case expr.IdentCurrent:
		return c.s.State(DefaultState)
	case expr.IdentAll:
		return newState(ctx.name), nil
	case expr.IdentPrev, expr.IdentNext:
		back, fwd := c.s.History()
		list := back
		if id.Kind == expr.IdentNext {
			list = fwd
		}
		if id.N < 1 || id.N > len(list) {
			return nil, fmt.Errorf("set identifier %s%d: no such selection in the history", map[bool]string{true: "$_", false: "$"}[id.Kind == expr.IdentNext], id.N)
		}
		return list[id.N-1], nil
	case expr.IdentNamed:
		name := id.Name.Text
		if id.HasBookmark() {
			if c.s.opts.Bookmarks != nil {
				if st, ok := c.s.opts.Bookmarks(id.Bookmark.Text, name); ok {
					return st, nil
				}
			}
			return nil, fmt.Errorf("set identifier %s::%s: bookmark not found", name, id.Bookmark.Text)
		}
		if st, err := c.s.State(name); err == nil {
			return st, nil
		}
		if c.s.opts.Bookmarks != nil {
			if st, ok := c.s.opts.Bookmarks(name, ctx.name); ok {
				return st, nil
			}
		}
		return nil, fmt.Errorf("set identifier %q is neither a state nor a bookmark", name)
	}
	return nil, fmt.Errorf("unknown set identifier")
}

// factorState applies a factor's modifier to its identifier's state. empty
// reports a modifier that selected nothing (an empty record set).
func (c *chart) factorState(f *expr.SetFactor, ctx *State) (st *State, empty bool, err error) {
	st, err = c.identState(f.Ident, ctx)
	if err != nil {
		return nil, false, err
	}
	if f.Modifier == nil {
		return st, false, nil
	}
	for _, a := range f.Modifier.Assigns {
		fld, ok := c.m.fieldByName[a.Field.Text]
		if !ok {
			return nil, false, fmt.Errorf("set modifier: field %q: %w", a.Field.Text, ErrFieldNotFound)
		}
		if a.Set == nil { // <F=>: clear F
			st = st.without(fld.Index)
			continue
		}
		e, err := c.elemSet(a.Set, st, fld)
		if err != nil {
			return nil, false, err
		}
		cur := c.selOrPossible(st, fld)
		var next bitset.Set
		switch a.Op {
		case expr.AssignReplace:
			next = e
		case expr.AssignUnion:
			next = cur.Clone()
			next.Or(e)
		case expr.AssignDiff:
			next = cur.Clone()
			next.AndNot(e)
		case expr.AssignIntersect:
			next = cur.Clone()
			next.And(e)
		case expr.AssignXor:
			next = cur.Clone()
			for i := range next {
				next[i] ^= e[i]
			}
		}
		next.Clear(0)
		if !next.Any() {
			return nil, true, nil
		}
		st = st.with(fld.Index, next, false, "")
	}
	return st, false, nil
}

// selOrPossible returns F's selection in st, or its possible values when F
// is not selected (code-indexed).
func (c *chart) selOrPossible(st *State, f *Field) bitset.Set {
	if fs := st.sels[f.Index]; fs != nil {
		return fs.set
	}
	return nonNil(c.s.ResultFor(st).fieldVals(f.Index), f)
}

// elemSet evaluates an element set into a code set of field f.
func (c *chart) elemSet(es expr.ElemSet, st *State, f *Field) (bitset.Set, error) {
	card := f.Cardinal()
	switch es := es.(type) {
	case *expr.ElemList:
		out := bitset.New(card + 1)
		for _, it := range es.Items {
			ids, err := c.matchItem(it, st, f)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				out.Set(id + 1)
			}
		}
		return out, nil
	case *expr.ElemField:
		other, ok := c.m.fieldByName[es.Field.Text]
		if !ok {
			return nil, fmt.Errorf("element set: field %q: %w", es.Field.Text, ErrFieldNotFound)
		}
		return c.translate(c.selOrPossible(st, other), other, f), nil
	case *expr.ElemFunc:
		src := f
		if es.Field != nil {
			o, ok := c.m.fieldByName[es.Field.Text]
			if !ok {
				return nil, fmt.Errorf("element function: field %q: %w", es.Field.Text, ErrFieldNotFound)
			}
			src = o
		}
		var rs recordSet = c.s.ResultFor(st)
		if es.Set != nil {
			r, _, err := c.evalTerm(es.Set.Term, st)
			if err != nil {
				return nil, err
			}
			rs = r
		}
		poss := possibleCodes(c.m, rs, src)
		if es.Excluded {
			all := fullCodeSet(src.Cardinal())
			all.AndNot(poss)
			poss = all
		}
		return c.translate(poss, src, f), nil
	case *expr.ElemComplement:
		x, err := c.elemSet(es.X, st, f)
		if err != nil {
			return nil, err
		}
		all := fullCodeSet(card)
		all.AndNot(x)
		return all, nil
	case *expr.ElemBinary:
		x, err := c.elemSet(es.X, st, f)
		if err != nil {
			return nil, err
		}
		y, err := c.elemSet(es.Y, st, f)
		if err != nil {
			return nil, err
		}
		switch es.Op {
		case expr.SetUnion:
			x.Or(y)
		case expr.SetDiff:
			x.AndNot(y)
		case expr.SetIntersect:
			x.And(y)
		case expr.SetXor:
			for i := range x {
				x[i] ^= y[i]
			}
		}
		return x, nil
	}
	return nil, fmt.Errorf("unsupported element set %T", es)
}

// possibleCodes returns the codes of field f found in the records of rs.
func possibleCodes(m *Model, rs recordSet, f *Field) bitset.Set {
	if r, ok := rs.(*Result); ok {
		return nonNil(r.fieldVals(f.Index), f)
	}
	out := bitset.New(f.Cardinal() + 1)
	for _, n := range m.g.fieldNodes[f.Index] {
		out.Or(projectColumn(m.g.colOf(int(n), f.Index), rs.nodeRows(int(n)), f.Cardinal()))
	}
	return out
}

// translate maps a code set of field from onto field to by value identity.
func (c *chart) translate(set bitset.Set, from, to *Field) bitset.Set {
	if from == to {
		return set.Clone()
	}
	out := bitset.New(to.Cardinal() + 1)
	for _, code := range set.AppendBits(nil) {
		if code == 0 {
			continue
		}
		if id, ok := to.Symbols.Lookup(from.Symbols.Dual(code - 1)); ok {
			out.Set(id + 1)
		}
	}
	return out
}

// matchItem returns the symbols of f an element-list item denotes:
// unquoted literals match numbers numerically and text case-insensitively,
// single-quoted ones exactly, and quoted or bracketed items are searches.
func (c *chart) matchItem(it expr.ElemItem, st *State, f *Field) ([]uint32, error) {
	syms := f.Symbols
	switch {
	case it.IsSearch():
		q := ParseSearch(it.Text, c.s.opts.NumberParser)
		if q.Kind == SearchExpression {
			return c.expressionSearch(st.without(f.Index), f, q.Text)
		}
		return matchSymbols(syms, q, nil), nil
	case it.Kind == expr.ItemSingle:
		var out []uint32
		for id := 0; id < syms.Len(); id++ {
			if syms.Text(uint32(id)) == it.Text {
				out = append(out, uint32(id))
			}
		}
		return out, nil
	default:
		if num, ok := c.s.opts.NumberParser(it.Text); ok {
			if id, ok := syms.LookupNum(num); ok {
				return []uint32{id}, nil
			}
		}
		var out []uint32
		for id := 0; id < syms.Len(); id++ {
			if strings.EqualFold(syms.Text(uint32(id)), it.Text) {
				out = append(out, uint32(id))
			}
		}
		return out, nil
	}
}

// expressionSearch returns the symbols v of f for which the expression,
// evaluated with f as the only dimension in state st, is a non-zero number.
func (c *chart) expressionSearch(st *State, f *Field, src string) ([]uint32, error) {
	n, err := parseExpr(src, c.variable, c.evalText)
	if err != nil {
		return nil, err
	}
	sub := &chart{s: c.s, m: c.m, st: st, res: c.s.ResultFor(st), vars: c.vars, limit: c.limit,
		totals: map[*expr.AggCall]expr.Value{}, setCache: map[*expr.SetExpr]recordSet{}}
	dims := []dimSpec{{field: f.Index}}
	gr := newGroups(dims)
	p := sub.plan(dims, []expr.Node{n})
	if _, _, err := sub.group(p, sub.res, gr, true); err != nil {
		return nil, err
	}
	vals, err := sub.evalMeasure(n, gr, p)
	if err != nil {
		return nil, err
	}
	var out []uint32
	for g, el := range gr.elems {
		if el[0] < 0 {
			continue
		}
		v := vals[g]
		if num, ok := v.AsNumber(); ok && v.HasNum() && num != 0 {
			out = append(out, uint32(el[0]))
		}
	}
	return out, nil
}
