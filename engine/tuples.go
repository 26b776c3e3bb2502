package engine

import (
	"fmt"
	"slices"

	"github.com/assocengine/assoc/engine/internal/bitset"
)

// tuples are the records of V, the natural full outer join of the tables of
// a join tree restricted to their possible rows (semantics §3.2): per
// tuple, a row index per node of the tree or -1 where the node is absent.
// This is the general, row-at-a-time path of chart evaluation.
type tuples struct {
	jt    *joinTree
	pos   map[int]int // node -> position in a tuple
	width int
	rows  []int32 // tuple t is rows[t*width : (t+1)*width]
}

func (t *tuples) len() int { return len(t.rows) / max(1, t.width) }

func (t *tuples) at(i int) []int32 { return t.rows[i*t.width : (i+1)*t.width] }

// possibleRowList returns the possible rows of node n as indexes.
func possibleRowList(m *Model, res recordSet, n int) []int32 {
	rows := res.nodeRows(n)
	total := m.g.nodes[n].rows
	var out []int32
	if rows == nil {
		out = make([]int32, total)
		for i := range out {
			out[i] = int32(i)
		}
		return out
	}
	for _, r := range bitset.Set(rows).AppendBits(nil) {
		out = append(out, int32(r))
	}
	return out
}

// enumerateTuples builds V over jt. With skipFirstRoot, tuples holding a row
// of the first root are left out: only the tuples of rows that root does not
// reach remain (the fast path covers the others).
func (m *Model) enumerateTuples(jt *joinTree, res recordSet, limit int, skipFirstRoot bool) (*tuples, error) {
	g := &m.g
	t := &tuples{jt: jt, pos: map[int]int{}, width: len(jt.nodes)}
	for i, n := range jt.nodes {
		t.pos[n] = i
	}
	var all []int32 // accumulated tuples of the components so far
	first := true
	for ci, root := range jt.roots {
		var cur []int32 // flat tuples of this component, width t.width
		add := func(src []int32) {
			cur = append(cur, src...)
			if len(cur)/t.width > limit {
				panic(errTooLarge{limit})
			}
		}
		blank := make([]int32, t.width)
		for i := range blank {
			blank[i] = -1
		}
		if !(skipFirstRoot && ci == 0) {
			for _, r := range possibleRowList(m, res, root) {
				tp := append([]int32(nil), blank...)
				tp[t.pos[root]] = r
				add(tp)
			}
		}
		// Join the children of every (parent, key field) hub: a key field
		// shared by several tables links all of them, so children that
		// share a value join each other even without the parent.
		for _, h := range jt.hubs(root) {
			p, f, kids := h.parent, h.field, h.kids
			pc := g.colOf(p, f)
			type kidRows struct {
				pos    int
				byCode map[uint32][]int32
				nulls  []int32
			}
			ks := make([]kidRows, len(kids))
			codes := map[uint32]bool{}
			var order []uint32 // first-seen order of codes, for determinism
			for i, c := range kids {
				cc := g.colOf(c, f)
				ks[i] = kidRows{pos: t.pos[c], byCode: map[uint32][]int32{}}
				for _, r := range possibleRowList(m, res, c) {
					code := cc.Code(int(r))
					if code == 0 {
						ks[i].nulls = append(ks[i].nulls, r)
						continue
					}
					if !codes[code] {
						codes[code] = true
						order = append(order, code)
					}
					ks[i].byCode[code] = append(ks[i].byCode[code], r)
				}
			}
			// product extends tp with every combination of the kids' rows
			// for code (a kid without rows stays absent).
			var next []int32
			var product func(tp []int32, i int, code uint32)
			product = func(tp []int32, i int, code uint32) {
				if i == len(ks) {
					next = append(next, tp...)
					if len(next)/t.width > limit {
						panic(errTooLarge{limit})
					}
					return
				}
				rows := ks[i].byCode[code]
				if len(rows) == 0 {
					product(tp, i+1, code)
					return
				}
				for _, r := range rows {
					x := slices.Clone(tp)
					x[ks[i].pos] = r
					product(x, i+1, code)
				}
			}
			kp := t.pos[p]
			for i := 0; i < len(cur); i += t.width {
				tp := cur[i : i+t.width]
				if tp[kp] >= 0 {
					if code := pc.Code(int(tp[kp])); code != 0 && codes[code] {
						product(tp, 0, code)
						continue
					}
				}
				next = append(next, tp...)
			}
			// Values no possible parent row holds join the kids alone.
			matched := projectColumn(pc, res.nodeRows(p), int(pc.MaxCode()))
			for _, code := range order {
				if !matched.Test(code) {
					product(blank, 0, code)
				}
			}
			for _, k := range ks {
				for _, r := range k.nulls {
					n := len(next)
					next = append(next, blank...)
					next[n+k.pos] = r
				}
			}
			cur = next
		}
		if first {
			all = cur
			first = false
			continue
		}
		// Cartesian product with the previous components.
		var prod []int32
		for i := 0; i < len(all); i += t.width {
			for j := 0; j < len(cur); j += t.width {
				n := len(prod)
				prod = append(prod, all[i:i+t.width]...)
				for k := 0; k < t.width; k++ {
					if cur[j+k] >= 0 {
						prod[n+k] = cur[j+k]
					}
				}
				if len(prod)/t.width > limit {
					panic(errTooLarge{limit})
				}
			}
		}
		if len(cur) == 0 {
			prod = all
		} else if len(all) == 0 {
			prod = cur
		}
		all = prod
	}
	t.rows = all
	return t, nil
}

type errTooLarge struct{ limit int }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("more than %d rows: %v", e.limit, ErrCubeTooLarge)
}

func componentRoot(jt *joinTree, n int) int {
	for {
		p := jt.parent[n]
		if p < 0 {
			return n
		}
		n = p
	}
}

// hub is a parent node's key field with the child nodes it links.
type hub struct {
	parent, field int
	kids          []int
}

// hubs returns the hubs of the component rooted at root, parents before
// children.
func (jt *joinTree) hubs(root int) []hub {
	var out []hub
	idx := map[[2]int]int{}
	for _, c := range jt.nodes {
		p, ok := jt.parent[c]
		if !ok || p < 0 || componentRoot(jt, c) != root {
			continue
		}
		k := [2]int{p, jt.via[c]}
		if i, ok := idx[k]; ok {
			out[i].kids = append(out[i].kids, c)
			continue
		}
		idx[k] = len(out)
		out = append(out, hub{parent: p, field: jt.via[c], kids: []int{c}})
	}
	return out
}
