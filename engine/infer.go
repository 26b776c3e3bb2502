package engine

import (
	"sync"
	"sync/atomic"

	"github.com/assocengine/assoc/engine/internal/bitset"
	"github.com/assocengine/assoc/engine/internal/kern"
	"github.com/assocengine/assoc/engine/internal/par"
	"github.com/assocengine/assoc/symbols"
)

// Result is the logical inference for one selection state: which records of
// every table and which symbols of every field are possible. It follows
// semantics §2.2: a semi-join reduction (Yannakakis) over the part of the
// association forest that connects the selected fields (the core), then
// plain filtering outward into the periphery.
//
// The core is reduced eagerly; everything else is computed on first use and
// memoised, so asking for the states of two fields of a fact table scans
// only what those need. A Result is safe for concurrent use.
type Result struct {
	m  *Model
	st *State

	trivial bool // no selections: everything possible

	// per vertex (fields [0,nf), nodes [nf,nf+nn))
	kind []vkind
	from []int32 // periphery: neighbour towards the core
	once []sync.Once
	rows [][]uint64   // per node; nil = all rows
	vals []bitset.Set // per field; nil = all symbols (code-indexed)

	altMu sync.Mutex
	alt   map[int]*Result

	statesMu sync.Mutex
	states   map[int][]ValueState
}

type vkind uint8

const (
	vAll      vkind = iota // component without selections
	vCoreEval              // in the core, computed eagerly
	vCoreLeaf              // selected field at a leaf of the core: lazy
	vPeriph                // periphery: lazy, from[v] towards the core
)

// State returns the selection state the result was computed for.
func (r *Result) State() *State { return r.st }

// Model returns the model.
func (r *Result) Model() *Model { return r.m }

func (m *Model) infer(st *State) *Result {
	g := &m.g
	r := &Result{m: m, st: st}
	if len(st.sels) == 0 {
		r.trivial = true
		return r
	}
	nv := g.nv()
	r.kind = make([]vkind, nv)
	r.from = make([]int32, nv)
	r.once = make([]sync.Once, nv)
	r.rows = make([][]uint64, len(g.nodes))
	r.vals = make([]bitset.Set, g.nf)

	// 1. Local filter of every node holding a selected field.
	isPhi := make([]bool, nv)
	for f, fs := range st.sels {
		isPhi[f] = true
		for _, n := range g.fieldNodes[f] {
			r.filterNode(int(n), f, fs.set)
		}
	}
	// 2. The core: vertices on paths between selected fields.
	cnt := make([]int32, nv)
	for i := len(g.order) - 1; i >= 0; i-- {
		v := g.order[i]
		if isPhi[v] {
			cnt[v]++
		}
		if p := g.parent[v]; p >= 0 {
			cnt[p] += cnt[v]
		}
	}
	compTotal := make([]int32, g.ncomp)
	for _, v := range g.order {
		if g.parent[v] < 0 {
			compTotal[g.comp[v]] = cnt[v]
		}
	}
	inK := make([]bool, nv)
	for v := 0; v < nv; v++ {
		if compTotal[g.comp[v]] == 0 {
			continue
		}
		if isPhi[v] {
			inK[v] = true
			continue
		}
		dirs := 0
		if compTotal[g.comp[v]]-cnt[v] > 0 {
			dirs++
		}
		for _, w := range g.adj[v] {
			if g.parent[w] == int32(v) && cnt[w] > 0 {
				dirs++
			}
		}
		inK[v] = dirs >= 2
	}
	kdeg := make([]int32, nv)
	for v := 0; v < nv; v++ {
		if !inK[v] {
			continue
		}
		for _, w := range g.adj[v] {
			if inK[w] {
				kdeg[v]++
			}
		}
	}
	nf := g.nf
	for v := 0; v < nv; v++ {
		switch {
		case compTotal[g.comp[v]] == 0:
			r.kind[v] = vAll
		case !inK[v]:
			r.kind[v] = vPeriph
		case v < nf && kdeg[v] <= 1:
			r.kind[v] = vCoreLeaf
		default:
			r.kind[v] = vCoreEval
		}
	}
	base := func(f int) bitset.Set {
		if fs := st.sels[f]; fs != nil {
			return fs.set.Clone()
		}
		return nil
	}
	// 3. Upward pass over the core (children before parents).
	for i := len(g.order) - 1; i >= 0; i-- {
		v := int(g.order[i])
		if r.kind[v] != vCoreEval {
			continue
		}
		if v < nf {
			vf := base(v)
			for _, w := range g.adj[v] {
				if g.parent[w] == int32(v) && inK[w] {
					p := r.project(int(w)-nf, v)
					if vf == nil {
						vf = p
					} else {
						vf.And(p)
					}
				}
			}
			r.vals[v] = vf
			continue
		}
		n := v - nf
		for _, w := range g.adj[v] {
			if g.parent[w] == int32(v) && r.kind[w] == vCoreEval {
				r.filterNode(n, int(w), r.vals[w])
			}
		}
	}
	// 4. Downward pass (parents before children).
	for _, v32 := range g.order {
		v := int(v32)
		p := int(g.parent[v])
		if r.kind[v] != vCoreEval || p < 0 || !inK[p] {
			continue
		}
		if v < nf {
			r.vals[v].And(r.project(p-nf, v))
		} else if r.kind[p] == vCoreEval {
			r.filterNode(v-nf, p, r.vals[p])
		}
	}
	// 5. Periphery: every vertex outside the core learns its neighbour
	// towards the core.
	queue := make([]int32, 0, nv)
	seen := make([]bool, nv)
	for v := 0; v < nv; v++ {
		if inK[v] {
			queue = append(queue, int32(v))
			seen[v] = true
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range g.adj[v] {
			if !seen[w] {
				seen[w] = true
				r.from[w] = v
				queue = append(queue, w)
			}
		}
	}
	return r
}

// filterNode restricts node n's rows to those whose field f code is in set.
func (r *Result) filterNode(n, f int, set bitset.Set) {
	g := &r.m.g
	col := g.colOf(n, f)
	nrows := g.nodes[n].rows
	if set == nil {
		set = fullCodeSet(r.m.fields[f].Cardinal())
	}
	lk := kern.NewLookup(set, col.MaxCode())
	defer lk.Release()
	if r.rows[n] == nil {
		if rows, ok := r.indexedRows(n, f, col, set); ok {
			r.rows[n] = rows
			return
		}
		out := make([]uint64, bitset.Words(nrows))
		mustPar(par.For(nrows, 0, func(_, lo, hi int) { lk.Member(col, out, lo, hi) }))
		r.rows[n] = out
		return
	}
	rows := r.rows[n]
	mustPar(par.For(nrows, 0, func(_, lo, hi int) { lk.Filter(col, rows, lo, hi) }))
}

// project returns the code set of field f over the current rows of node n.
func (r *Result) project(n, f int) bitset.Set {
	g := &r.m.g
	return projectColumn(g.colOf(n, f), r.rows[n], r.m.fields[f].Cardinal())
}

func fullCodeSet(card int) bitset.Set {
	s := bitset.New(card + 1)
	s.SetRange(1, card+1)
	return s
}

var markPool sync.Pool // *[]uint8

func getMark(n int) []uint8 {
	if p, ok := markPool.Get().(*[]uint8); ok && cap(*p) >= n {
		m := (*p)[:n]
		clear(m)
		return m
	}
	return make([]uint8, n)
}

func putMark(m []uint8) { markPool.Put(&m) }

// projectColumn returns the set of codes found in col over rows (all rows
// when nil), without NULL. For small fields it stops as soon as every
// symbol has been seen.
func projectColumn(col *symbols.Column, rows []uint64, card int) bitset.Set {
	return projectWithin(col, rows, card, nil)
}

// maxWithin is the largest code set projectWithin checks for completion
// after every step.
const maxWithin = 1 << 10

// projectWithin is projectColumn for a caller that only keeps the codes in
// within (nil: all): it stops as soon as all of those have been seen, so
// the possible values of a selected field (the projection intersected
// with the selection) cost one step when its selected values all occur.
func projectWithin(col *symbols.Column, rows []uint64, card int, within bitset.Set) bitset.Set {
	out := bitset.New(card + 1)
	if card == 0 {
		return out
	}
	w := par.Workers()
	marks := make([][]uint8, w)
	var done atomic.Bool
	earlyExit := card <= 1<<14
	var want []uint32 // the codes of within, when it is small
	if within != nil {
		if n := within.Count(); n <= maxWithin {
			want = make([]uint32, 0, n)
			for c := within.Next(1); c >= 0 && c <= card; c = within.Next(c + 1) {
				want = append(want, uint32(c))
			}
			earlyExit = true
		}
	}
	complete := func(mk []uint8) bool {
		if want == nil {
			return kern.CountMarked(mk[1:]) == card
		}
		for _, c := range want {
			if mk[c] == 0 {
				return false
			}
		}
		return true
	}
	const step = 1 << 14
	mustPar(par.For(col.Len(), 0, func(k, lo, hi int) {
		if done.Load() {
			return
		}
		if marks[k] == nil {
			marks[k] = getMark(card + 1)
		}
		mk := marks[k]
		if !earlyExit {
			kern.Mark(col, rows, mk, lo, hi)
			return
		}
		for s := lo; s < hi; s += step {
			kern.Mark(col, rows, mk, s, min(s+step, hi))
			if complete(mk) {
				done.Store(true)
				return
			}
			if done.Load() {
				return
			}
		}
	}))
	for _, mk := range marks {
		if mk != nil {
			kern.Fold(mk, out)
			putMark(mk)
		}
	}
	out.Clear(0)
	return out
}

func mustPar(err error) {
	if err != nil {
		panic(err)
	}
}

// nodeRows returns the possible rows of node n (nil = all rows).
func (r *Result) nodeRows(n int) []uint64 {
	if r.trivial {
		return nil
	}
	v := r.m.g.nf + n
	switch r.kind[v] {
	case vAll:
		return nil
	case vPeriph:
		r.once[v].Do(func() {
			f := int(r.from[v])
			r.filterNode(n, f, r.fieldVals(f))
		})
	}
	return r.rows[n]
}

// fieldVals returns the possible codes of field f (nil = all symbols).
func (r *Result) fieldVals(f int) bitset.Set {
	if r.trivial {
		return nil
	}
	g := &r.m.g
	switch r.kind[f] {
	case vAll:
		return nil
	case vCoreLeaf:
		r.once[f].Do(func() {
			var vf bitset.Set
			for _, w := range g.adj[f] {
				n := int(w) - g.nf
				if r.kind[w] == vPeriph {
					continue
				}
				p := projectWithin(g.colOf(n, f), r.nodeRows(n), r.m.fields[f].Cardinal(), r.st.sels[f].set)
				if vf == nil {
					vf = p
				} else {
					vf.And(p)
				}
			}
			if vf == nil { // the core is this field alone
				vf = r.st.sels[f].set.Clone()
			} else {
				vf.And(r.st.sels[f].set)
			}
			r.vals[f] = vf
		})
	case vPeriph:
		r.once[f].Do(func() {
			n := int(r.from[f]) - g.nf
			r.vals[f] = projectColumn(g.colOf(n, f), r.nodeRows(n), r.m.fields[f].Cardinal())
		})
	}
	return r.vals[f]
}

// PossibleRows returns the possible rows of table t as a bitset (nil means
// every row is possible). The slice is shared and must not be modified.
func (r *Result) PossibleRows(t int) []uint64 {
	g := &r.m.g
	nodes := g.tableNodes[t]
	if len(nodes) == 1 {
		return r.nodeRows(int(nodes[0]))
	}
	// Loosely coupled table: a record is possible when it is possible
	// through every one of its fields.
	var out []uint64
	for _, n := range nodes {
		rows := r.nodeRows(int(n))
		if rows == nil {
			continue
		}
		if out == nil {
			out = append([]uint64(nil), rows...)
		} else {
			bitset.Set(out).And(rows)
		}
	}
	return out
}

// PossibleCount returns the number of possible rows of table t.
func (r *Result) PossibleCount(t int) int {
	rows := r.PossibleRows(t)
	if rows == nil {
		return r.m.tables[t].Rows
	}
	return bitset.Set(rows).Count()
}

// Possible reports whether symbol id of field f is possible.
func (r *Result) Possible(f int, id uint32) bool {
	v := r.fieldVals(f)
	return v == nil || v.Test(id+1)
}

// PossibleSymbols appends the possible symbol ids of field f to dst.
func (r *Result) PossibleSymbols(f int, dst []uint32) []uint32 {
	v := r.fieldVals(f)
	if v == nil {
		for i := 0; i < r.m.fields[f].Cardinal(); i++ {
			dst = append(dst, uint32(i))
		}
		return dst
	}
	start := len(dst)
	dst = v.AppendBits(dst)
	for i := start; i < len(dst); i++ {
		dst[i]--
	}
	return dst
}

// PossibleSymbolCount returns how many symbols of field f are possible.
func (r *Result) PossibleSymbolCount(f int) int {
	v := r.fieldVals(f)
	if v == nil {
		return r.m.fields[f].Cardinal()
	}
	return v.Count()
}

// alternative returns the inference without field f's own selection.
func (r *Result) alternative(f int) *Result {
	r.altMu.Lock()
	defer r.altMu.Unlock()
	if a, ok := r.alt[f]; ok {
		return a
	}
	if r.alt == nil {
		r.alt = map[int]*Result{}
	}
	a := r.m.infer(r.st.without(f))
	r.alt[f] = a
	return a
}
