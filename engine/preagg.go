package engine

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/internal/bitset"
)

// Pre-aggregation by key. The most common dashboard question selects in a
// dimension table (Region=East in Customers) and charts the fact table:
// its rows are then exactly those whose key (CustomerID) is among the
// key's possible values, scattered over the whole table. Summing them is
// a pass over every row; but sums, counts and averages are additive, so
// the engine can keep the chart's measures once per (key value, group),
// computed in one pass over all rows, and answer each later selection by
// adding up the rows of the selected keys: 2,000 customers × 50 products
// instead of 2 million rows. Entries are cached per model, bounded in
// size, and share the query-cache budget of rownums.go.
//
// Building an entry costs more than answering one selection directly (it
// reads every row, not only the selected ones, into a larger table), so
// the first chart of a shape is answered directly and its entry is queued
// for a background build while the engine is idle (background.go); a
// repeated chart (cacheAfter asks) that finds no entry yet builds it
// itself. A dashboard's chart, recomputed at every selection, thus gets
// it by its second selection, usually without waiting for it.

// maxPreAggCells bounds the cells (key values × groups) of one entry.
const maxPreAggCells = 1 << 21

// preAggAlways makes every eligible chart use pre-aggregation however few
// rows it reads (tests: their models are too small to gain from it).
var preAggAlways = false

// cacheAfter is how many charts ask for a pre-aggregation or a column's
// row values before it is built (by the last of them).
const cacheAfter = 2

var preAggBuilt, preAggUsed atomic.Int64

// maxAsks bounds the ask counters a model keeps.
const maxAsks = 4096

// forgetAsks drops every ask counter.
func (m *Model) forgetAsks() {
	m.cnums.Range(func(k, _ any) bool {
		if _, ok := k.(askKey); ok {
			if _, loaded := m.cnums.LoadAndDelete(k); loaded {
				m.askEntries.Add(-1)
			}
		}
		return true
	})
}

// askKey names the counter of the charts that asked for one cache entry
// (a pre-aggregation, a column's row values).
type askKey struct{ what any }

// asks counts the charts that asked for one cache entry; a chart asking
// again (a measure and its total) counts once.
type asks struct {
	mu   sync.Mutex
	n    int
	last weak.Pointer[chart] // not keeping the chart (and its result) alive
}

// askedAgain records that chart c asked for the cache entry key and
// reports whether charts have asked for it often enough (cacheAfter) to
// build it: an entry costs a pass over every row, more than answering one
// chart without it, so a chart seen once does not pay for it.
func (m *Model) askedAgain(key any, c *chart) bool {
	v, loaded := m.cnums.LoadOrStore(askKey{key}, new(asks))
	if !loaded && m.askEntries.Add(1) > maxAsks {
		// Ad hoc charts would grow the counters without end: forget them
		// all now and then (a chart in use is counted again at once).
		m.forgetAsks()
	}
	a := v.(*asks)
	a.mu.Lock()
	defer a.mu.Unlock()
	if w := weak.Make(c); a.last != w {
		a.last = w
		a.n++
	}
	return a.n >= cacheAfter
}

// asked counts one more ask for the cache entry key (any caller, unlike
// askedAgain's charts) and returns the count.
func (m *Model) asked(key any) int {
	v, loaded := m.cnums.LoadOrStore(askKey{key}, new(asks))
	if !loaded && m.askEntries.Add(1) > maxAsks {
		m.forgetAsks()
	}
	a := v.(*asks)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	return a.n
}

type preAgg struct {
	keyCard int // codes of the key, NULL included
	accs    []*accum
	present bitset.Set // (key code, group) cells with a row
	size    int64      // bytes counted against the query-cache budget
}

// keyFilter reports whether node n's rows in r are exactly the rows whose
// field f code is among vals (nil: every non-NULL code): true for a node
// of the periphery, whose rows follow from one neighbouring field.
func (r *Result) keyFilter(n int) (f int, vals bitset.Set, ok bool) {
	if r.trivial {
		return 0, nil, false
	}
	v := r.m.g.nf + n
	if r.kind[v] != vPeriph {
		return 0, nil, false
	}
	f = int(r.from[v])
	return f, r.fieldVals(f), true
}

// preAggregated answers the fused pass of fastCube (or a fast
// aggregation) from a pre-aggregation by the key that restricts the root's
// rows. Dimensions the key determines (Country through CustomerID) are
// left out of the pre-aggregation and applied when answering. ok is false
// when it does not apply or would not be cheaper.
func (c *chart) preAggregated(root int, fr *fastFrame, specs []*fastSpec) ([]*accum, bitset.Set, bool) {
	if len(specs) == 0 {
		return nil, nil, false
	}
	for _, sp := range specs {
		switch sp.kind {
		case kSum, kAvg, kCount, kNumericCount:
		default:
			return nil, nil, false
		}
	}
	k, vals, ok := c.res.keyFilter(root)
	if !ok {
		if c.res.trivial {
			c.preAggAhead(root, fr, specs)
		}
		return nil, nil, false
	}
	keyCol := c.m.g.colOf(root, k)
	others, keyDims, keyCard, ok := c.preAggPlan(root, k, fr)
	if !ok {
		return nil, nil, false
	}
	nsel := keyCard - 1
	if vals != nil {
		nsel = vals.Count()
	}
	if !preAggAlways && nsel*others.dense*(len(specs)+1) > c.m.g.nodes[root].rows/4 {
		return nil, nil, false
	}
	pa := c.preAgg(root, k, keyCard, others, specs)
	if pa == nil {
		return nil, nil, false
	}
	// Where each (key code, other group) cell goes in fr's slots.
	keySlot := make([]uint32, 0, nsel)
	keys := make([]int, 0, nsel)
	add := func(code int) {
		var s uint32
		for _, d := range keyDims {
			if fr.dims[d].mp == nil {
				s += uint32(code * fr.stride[d])
			} else {
				s += fr.premul[d][code]
			}
		}
		keys = append(keys, code)
		keySlot = append(keySlot, s)
	}
	if vals == nil {
		for code := 1; code < keyCard; code++ {
			add(code)
		}
	} else {
		for code := vals.Next(1); code >= 0; code = vals.Next(code + 1) {
			add(code)
		}
	}
	otherSlot := make([]uint32, others.dense)
	od := 0
	for d := range fr.dims {
		if fr.dims[d].col == keyCol {
			continue
		}
		card := others.dense
		if od+1 < len(others.stride) {
			card = others.stride[od+1]
		}
		card /= others.stride[od]
		for s2 := range otherSlot {
			code := s2 / others.stride[od] % card
			otherSlot[s2] += uint32(code * fr.stride[d])
		}
		od++
	}
	present := bitset.New(fr.dense)
	accs := make([]*accum, len(specs))
	for i, sp := range specs {
		accs[i] = sp.newAccum(fr.dense)
	}
	for s2 := 0; s2 < others.dense; s2++ {
		base := s2 * keyCard
		for ki, code := range keys {
			cell := base + code
			if !pa.present.Test(uint32(cell)) {
				continue
			}
			slot := int(otherSlot[s2] + keySlot[ki])
			present.Set(uint32(slot))
			for i, p := range pa.accs {
				a := accs[i]
				pl := max(p.lanes, 1)
				for l := 0; l < pl; l++ {
					if p.f != nil {
						a.f[slot*max(a.lanes, 1)] += p.f[cell*pl+l]
					}
					if p.n != nil {
						a.n[slot*max(a.lanes, 1)] += p.n[cell*pl+l]
					}
				}
			}
		}
	}
	preAggUsed.Add(1)
	return accs, present, true
}

// preAggPlan returns the frame of fr's dimensions that key k does not
// determine, the indexes of those it does, and k's codes (NULL included);
// ok is false when the pre-aggregation would be too large.
func (c *chart) preAggPlan(root, k int, fr *fastFrame) (others *fastFrame, keyDims []int, keyCard int, ok bool) {
	keyCol := c.m.g.colOf(root, k)
	keyCard = c.m.fields[k].Cardinal() + 1
	others = &fastFrame{root: root, dense: 1}
	for d, fd := range fr.dims {
		if fd.col == keyCol {
			keyDims = append(keyDims, d)
			continue
		}
		card := c.m.fields[fr.fields[d]].Cardinal() + 1
		var pm []uint32
		if fd.mp != nil {
			pm = make([]uint32, len(fd.mp))
			for i, v := range fd.mp {
				pm[i] = v * uint32(others.dense)
			}
		}
		others.dims = append(others.dims, fd)
		others.fields = append(others.fields, fr.fields[d])
		others.premul = append(others.premul, pm)
		others.stride = append(others.stride, others.dense)
		others.dense *= card
	}
	return others, keyDims, keyCard, keyCard*others.dense <= maxPreAggCells
}

// preAggAhead queues, for a chart asked with no selection (a sheet just
// opened reads every row), its pre-aggregation by each key that links the
// root to another table: the selections users make next are mostly in
// dimension tables, whose rows reach the root through such a key, so the
// first selection after opening a sheet finds them (built while the
// engine is idle).
func (c *chart) preAggAhead(root int, fr *fastFrame, specs []*fastSpec) {
	if !backgroundBuilds || c.m.g.nodes[root].rows < preAggMinRows {
		return
	}
	g := &c.m.g
	for _, k := range g.nodes[root].fields {
		if len(g.fieldNodes[k]) < 2 {
			continue // not a key to another table
		}
		others, _, keyCard, ok := c.preAggPlan(root, k, fr)
		if !ok {
			continue
		}
		key := preAggKey(root, k, others, specs)
		if _, ok := c.m.cnums.Load(key); ok {
			continue
		}
		c.m.buildLater(key, func() { c.buildPreAgg(key, root, k, keyCard, others, specs) })
	}
}

// preAggMinRows is the table size from which preAggAhead builds anything
// (a small table's pass is cheaper than keeping the entries).
const preAggMinRows = 1 << 20

// preAggKey names the pre-aggregation of specs over fr by key k.
func preAggKey(root, k int, fr *fastFrame, specs []*fastSpec) string {
	var key strings.Builder
	fmt.Fprintf(&key, "preagg|%d|%d|%v", root, k, fr.fields)
	for _, sp := range specs {
		key.WriteString("|")
		key.WriteString(expr.String(sp.call))
	}
	return key.String()
}

// preAgg returns the cached pre-aggregation of specs by (key code,
// group), computing it with one pass over every row of root; nil when the
// cache budget is spent.
func (c *chart) preAgg(root, k, keyCard int, fr *fastFrame, specs []*fastSpec) *preAgg {
	key := preAggKey(root, k, fr, specs)
	if v, ok := c.m.cnums.Load(key); ok {
		return v.(*preAgg)
	}
	if !preAggAlways && !c.m.askedAgain(key, c) {
		// Build it while the engine is idle, for this chart's next ask.
		c.m.buildLater(key, func() { c.buildPreAgg(key, root, k, keyCard, fr, specs) })
		return nil
	}
	return c.buildPreAgg(key, root, k, keyCard, fr, specs)
}

// buildPreAgg computes and caches the pre-aggregation named key (nil when
// the cache budget is spent). It reads only the model, so a background
// build may run it after the asking chart has answered.
func (c *chart) buildPreAgg(key string, root, k, keyCard int, fr *fastFrame, specs []*fastSpec) *preAgg {
	if v, ok := c.m.cnums.Load(key); ok {
		return v.(*preAgg)
	}
	// The frame with the key as its first dimension (stride 1).
	col := c.m.g.colOf(root, k)
	fk := &fastFrame{root: root, dense: keyCard * fr.dense}
	fk.dims = append([]fastDim{{col: col}}, fr.dims...)
	fk.fields = append([]int{k}, fr.fields...)
	fk.stride = []int{1}
	fk.premul = [][]uint32{nil}
	for d, st := range fr.stride {
		fk.stride = append(fk.stride, st*keyCard)
		var pm []uint32
		if fr.premul[d] != nil {
			pm = make([]uint32, len(fr.premul[d]))
			for i, v := range fr.premul[d] {
				pm[i] = v * uint32(keyCard)
			}
		}
		fk.premul = append(fk.premul, pm)
	}
	size := int64(fk.dense) * int64(len(specs)+1) * 16
	if !c.m.reserveCache(size, false) {
		return nil
	}
	accs, present := c.pass(root, fk, nil, specs, true)
	pa := &preAgg{keyCard: keyCard, accs: accs, present: present, size: size}
	if v, loaded := c.m.cnums.LoadOrStore(key, pa); loaded {
		c.m.rowNumsBytes.Add(-size)
		return v.(*preAgg)
	}
	preAggBuilt.Add(1)
	return pa
}
