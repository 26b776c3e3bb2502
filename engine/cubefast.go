package engine

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/internal/bitset"
	"github.com/assocengine/assoc/engine/internal/kern"
	"github.com/assocengine/assoc/engine/internal/par"
	"github.com/assocengine/assoc/symbols"
)

// The fast path of chart evaluation (architecture §4): when every
// dimension is a field that the rows of one root table determine through
// unique keys (a star or snowflake around a fact table), a root row's group
// is a gather through precomputed key → dimension arrays, groups are dense
// mixed-radix numbers, and aggregations are loops over the root's possible
// rows with per-worker accumulators. Tuples without a root row (dimension
// records no fact reaches) come from the general enumeration.

// fastGroupCalls and fastAggCalls count fast-path evaluations, so tests can
// check that they exercise it.
var fastGroupCalls, fastAggCalls, fastVecCalls atomic.Int64

// maxDenseGroups bounds the dense group space of the fast path.
const maxDenseGroups = 1 << 24

type fastFrame struct {
	root    int
	fields  []int      // the dimensions' fields
	premul  [][]uint32 // per mapped dimension: map values times the stride
	dims    []fastDim
	stride  []int
	dense   int
	groupOf []int32 // dense id -> group, -1 when the combination is no row
}

type fastDim struct {
	col *symbols.Column // column of the root: the field itself or the first key
	mp  []uint32        // nil: direct codes; else root code -> dimension code
}

// functionalMap returns how the rows of node root determine field f: a
// direct column, or a map from the root's first key code to f's code
// through a chain of unique keys. ok is false when no such chain exists.
func (m *Model) functionalMap(root, f int) (fastDim, bool) {
	g := &m.g
	for i, fi := range g.nodes[root].fields {
		if fi == f {
			return fastDim{col: g.nodes[root].cols[i]}, true
		}
	}
	type fkey struct{ root, f int }
	if v, ok := m.fmaps.Load(fkey{root, f}); ok {
		fd := v.(fastDim)
		return fd, fd.col != nil
	}
	// BFS over nodes from root to the nearest node holding f.
	nf := g.nf
	prev := map[int]int{root: -1}
	via := map[int]int{}
	queue := []int{root}
	target := -1
	for len(queue) > 0 && target < 0 {
		n := queue[0]
		queue = queue[1:]
		for _, fv := range g.adj[nf+n] {
			for _, w := range g.adj[fv] {
				c := int(w) - nf
				if _, seen := prev[c]; seen {
					continue
				}
				prev[c] = n
				via[c] = int(fv)
				for _, fi := range g.nodes[c].fields {
					if fi == f {
						target = c
					}
				}
				if target >= 0 {
					break
				}
				queue = append(queue, c)
			}
			if target >= 0 {
				break
			}
		}
	}
	var fd fastDim
	if target >= 0 {
		// Compose from the target back to the root.
		var mp []uint32
		n := target
		col := g.colOf(target, f)
		for p := prev[n]; p >= 0; n, p = p, prev[p] {
			k := via[n]
			if !m.uniqueKey(n, k) {
				mp = nil
				col = nil
				break
			}
			idx := m.rowIndex(n, k)
			next := make([]uint32, len(idx))
			for code, row := range idx {
				if row < 0 || code == 0 {
					continue
				}
				v := col.Code(int(row))
				if mp != nil {
					v = mp[v]
				}
				next[code] = v
			}
			mp = next
			col = g.colOf(p, k)
		}
		if col != nil {
			fd = fastDim{col: col, mp: mp}
		}
	}
	m.fmaps.Store(fkey{root, f}, fd)
	return fd, fd.col != nil
}

func (c *chart) newFastFrame(root int, dims []dimSpec) (*fastFrame, bool) {
	fr := &fastFrame{root: root, dense: 1}
	for _, d := range dims {
		if d.field < 0 {
			return nil, false
		}
		fd, ok := c.m.functionalMap(root, d.field)
		if !ok {
			return nil, false
		}
		card := c.m.fields[d.field].Cardinal() + 1
		if fr.dense > maxDenseGroups/card {
			return nil, false
		}
		fr.dims = append(fr.dims, fd)
		fr.fields = append(fr.fields, d.field)
		var pm []uint32
		if fd.mp != nil {
			pm = make([]uint32, len(fd.mp))
			for i, v := range fd.mp {
				pm[i] = v * uint32(fr.dense)
			}
		}
		fr.premul = append(fr.premul, pm)
		fr.stride = append(fr.stride, fr.dense)
		fr.dense *= card
	}
	return fr, true
}

// blockIDs writes the dense group ids of the 64-row block starting at r
// (n rows) into ids.
func (fr *fastFrame) blockIDs(r, n int, ids *[64]uint32, buf *[64]uint32) {
	for d, fd := range fr.dims {
		st := uint32(fr.stride[d])
		switch {
		case d == 0 && fd.mp == nil: // stride 1: the codes are the ids
			decodeBlock(fd.col, r, n, ids)
		case d == 0:
			mp := fr.premul[d]
			if mapBlock(fd.col, r, n, mp, ids, false) {
				continue
			}
			decodeBlock(fd.col, r, n, buf)
			for j := 0; j < n; j++ {
				ids[j] = mp[buf[j]]
			}
		case fd.mp == nil:
			decodeBlock(fd.col, r, n, buf)
			for j := 0; j < n; j++ {
				ids[j] += buf[j] * st
			}
		default:
			mp := fr.premul[d]
			if mapBlock(fd.col, r, n, mp, ids, true) {
				continue
			}
			decodeBlock(fd.col, r, n, buf)
			for j := 0; j < n; j++ {
				ids[j] += mp[buf[j]]
			}
		}
	}
	if len(fr.dims) == 0 {
		clear(ids[:n])
	}
}

// mapBlock sets (or with add, increments) ids[j] by mp[code] for the n
// codes of a byte or uint16 column from row r, without decoding them
// first; it reports false for other encodings.
func mapBlock(col *symbols.Column, r, n int, mp []uint32, ids *[64]uint32, add bool) bool {
	switch col.Encoding() {
	case symbols.U16:
		src := col.U16()[r : r+n]
		if add {
			for j, v := range src {
				ids[j] += mp[v]
			}
		} else {
			for j, v := range src {
				ids[j] = mp[v]
			}
		}
		return true
	case symbols.U8:
		src := col.U8()[r : r+n]
		if add {
			for j, v := range src {
				ids[j] += mp[v]
			}
		} else {
			for j, v := range src {
				ids[j] = mp[v]
			}
		}
		return true
	}
	return false
}

func decodeBlock(col *symbols.Column, r, n int, buf *[64]uint32) {
	switch col.Encoding() {
	case symbols.Packed:
		if n == 64 {
			symbols.UnpackBlock(buf, col.Words(), col.Bits(), r>>6)
			return
		}
	case symbols.U16:
		src := col.U16()[r : r+n]
		for j, v := range src {
			buf[j] = uint32(v)
		}
		return
	case symbols.U8:
		src := col.U8()[r : r+n]
		for j, v := range src {
			buf[j] = uint32(v)
		}
		return
	}
	col.Decode(buf[:n], r)
}

// sparseRows is the row count up to which a 64-row block's rows join a
// gathered block (chart.pass) instead of decoding the whole block.
const sparseRows = 8

// gatherIDs writes the dense group ids of the listed rows into ids.
func (fr *fastFrame) gatherIDs(rows []int32, ids, buf *[64]uint32) {
	n := len(rows)
	for d, fd := range fr.dims {
		fd.col.Gather(rows, buf[:n])
		switch {
		case fd.mp != nil && d == 0:
			mp := fr.premul[d]
			for j := 0; j < n; j++ {
				ids[j] = mp[buf[j]]
			}
		case fd.mp != nil:
			mp := fr.premul[d]
			for j := 0; j < n; j++ {
				ids[j] += mp[buf[j]]
			}
		case d == 0:
			st := uint32(fr.stride[d])
			for j := 0; j < n; j++ {
				ids[j] = buf[j] * st
			}
		default:
			st := uint32(fr.stride[d])
			for j := 0; j < n; j++ {
				ids[j] += buf[j] * st
			}
		}
	}
}

// elems decodes a dense id into dimension elements.
func (fr *fastFrame) elems(id int, out []int32) {
	for d := len(fr.dims) - 1; d >= 0; d-- {
		code := id / fr.stride[d]
		id -= code * fr.stride[d]
		out[d] = int32(code) - 1
		if code == 0 {
			out[d] = -2
		}
	}
}

// forRows calls fn for every 64-row block of the root's rows in rows (all
// rows when nil) with the block's row mask, in parallel; worker identifies
// the goroutine.
func forRows(nrows int, rows []uint64, fn func(worker, r, n int, mask uint64)) {
	mustPar(par.For(nrows, 0, func(k, lo, hi int) {
		for r := lo; r < hi; r += 64 {
			n := min(64, hi-r)
			mask := ^uint64(0) >> (64 - n)
			if rows != nil {
				mask &= rows[r>>6]
				if mask == 0 {
					continue
				}
			}
			fn(k, r, n, mask)
		}
	}))
}

// fastKind is an aggregation the fast path implements.
type fastKind uint8

const (
	kSum fastKind = iota
	kAvg
	kCount
	kNumericCount
	kTextCount
	kNullCount
	kMissingCount
	kMin
	kMax
	kOnly
	kCountDistinct
)

var fastKinds = map[string]fastKind{
	"sum": kSum, "avg": kAvg, "count": kCount, "numericcount": kNumericCount, "textcount": kTextCount,
	"nullcount": kNullCount, "missingcount": kMissingCount, "min": kMin, "max": kMax, "only": kOnly,
}

// fastSpec is an aggregation of one field evaluated on the rows of a root.
type fastSpec struct {
	call *expr.AggCall
	kind fastKind
	fld  *Field
	val  fastDim   // how a root row reaches the field's code
	nums []float64 // numbers by code
	card int
	prog *vnode // instead of fld: a numeric expression of the root's rows
	// rowVals are the field's numbers row by row, for sums and the like
	// over a high-cardinality column (rownums.go); nil: read by code.
	rowVals []float64
}

// fastSpecFor reports whether call can run on the rows of root.
func (c *chart) fastSpecFor(call *expr.AggCall, root int) (*fastSpec, bool) {
	if call.IsAggr() || len(call.Args) != 1 || call.Func == nil {
		return nil, false
	}
	if call.Scope != expr.ScopeRow && len(call.ScopeFields) > 0 {
		return nil, false
	}
	kind, ok := fastKinds[strings.ToLower(call.Func.Name)]
	if !ok {
		return nil, false
	}
	ref, ok := call.Args[0].(*expr.FieldRef)
	if !ok {
		if call.Distinct == expr.Distinct || !vecKind(kind) {
			return nil, false
		}
		prog, ok := c.compileVec(call.Args[0], root)
		if !ok {
			return nil, false
		}
		return &fastSpec{call: call, kind: kind, prog: prog}, true
	}
	fld, ok := c.m.fieldByName[ref.Name.Text]
	if !ok {
		return nil, false
	}
	g := &c.m.g
	if call.Distinct == expr.Distinct {
		switch kind {
		case kCount:
			kind = kCountDistinct
		case kMin, kMax, kOnly:
		default:
			return nil, false
		}
	}
	nodes := g.fieldNodes[fld.Index]
	switch {
	case kind != kCountDistinct:
		// Records of a field that lives only in the root.
		if len(nodes) != 1 || int(nodes[0]) != root {
			return nil, false
		}
	case len(nodes) == 1 && int(nodes[0]) != root:
		// A distinct count of a field of one other table: its records
		// without a root row (addUnrooted only covers key fields) would
		// be missed.
		return nil, false
	}
	val, ok := c.m.functionalMap(root, fld.Index)
	if !ok {
		return nil, false
	}
	sp := &fastSpec{call: call, kind: kind, fld: fld, val: val, nums: c.m.codeNums(fld.Index), card: fld.Cardinal()}
	switch kind {
	case kSum, kAvg, kMin, kMax, kNumericCount:
		if val.mp == nil {
			sp.rowVals = c.m.rowNums(c, val.col, sp.nums, false)
		}
	}
	return sp, true
}

// accum holds one worker's accumulators of one spec, per slot.
type accum struct {
	// lanes > 1 (sums and averages over few slots) interleaves that many
	// partial accumulators per slot, f[slot*lanes+lane], so consecutive
	// rows of one group do not wait on each other's additions.
	lanes int
	f     []float64
	n     []int64
	only  []int64
	bits  bitset.Set // distinct: slot*(card+1)+code
}

func (sp *fastSpec) newAccum(slots int) *accum { return sp.newAccumLanes(slots, laneCount(slots)) }

// newAccumLanes is newAccum with lanes partial sums per slot for sums and
// averages (8 for the grouped-sum kernel).
func (sp *fastSpec) newAccumLanes(slots, lanes int) *accum {
	a := &accum{}
	switch sp.kind {
	case kSum:
		a.lanes = lanes
		a.f = make([]float64, slots*a.lanes)
	case kAvg:
		a.lanes = lanes
		a.f = make([]float64, slots*a.lanes)
		a.n = make([]int64, slots*a.lanes)
	case kMin, kMax:
		a.f = make([]float64, slots)
		for i := range a.f {
			a.f[i] = math.NaN()
		}
	case kOnly:
		a.only = make([]int64, slots)
	case kCountDistinct:
		a.bits = bitset.New(slots * (sp.card + 1))
	default:
		a.n = make([]int64, slots)
	}
	return a
}

// add accumulates the rows at offsets idx of the block; slots holds each
// row's slot (nil: slot 0) and vb each row's code of the field. Looking a
// row's number up and adding it in one loop is the cheapest way for a
// measure whose numbers no other measure reads (vecProg otherwise).
func (sp *fastSpec) add(a *accum, slots *[64]uint32, vb *[64]uint32, idx []uint8) {
	if slots == nil {
		var zero [64]uint32
		slots = &zero
	}
	nums := sp.nums
	switch sp.kind {
	case kSum:
		f := a.f
		switch a.lanes {
		case 4:
			for _, j := range idx {
				if v := nums[vb[j]]; v == v {
					f[slots[j]<<2|uint32(j&3)] += v
				}
			}
			return
		case 8:
			for _, j := range idx {
				if v := nums[vb[j]]; v == v {
					f[slots[j]<<3|uint32(j&7)] += v
				}
			}
			return
		}
		for _, j := range idx {
			if v := nums[vb[j]]; v == v {
				f[slots[j]] += v
			}
		}
	case kAvg:
		f, n := a.f, a.n
		if a.lanes > 1 {
			sh, lm := laneShift(a.lanes), uint32(a.lanes-1)
			for _, j := range idx {
				if v := nums[vb[j]]; v == v {
					s := slots[j]<<sh | uint32(j)&lm
					f[s] += v
					n[s]++
				}
			}
			return
		}
		for _, j := range idx {
			if v := nums[vb[j]]; v == v {
				s := slots[j]
				f[s] += v
				n[s]++
			}
		}
	case kNumericCount:
		for _, j := range idx {
			if v := nums[vb[j]]; v == v {
				a.n[slots[j]]++
			}
		}
	case kMin:
		for _, j := range idx {
			if v := nums[vb[j]]; v == v {
				if s := slots[j]; !(a.f[s] <= v) {
					a.f[s] = v
				}
			}
		}
	case kMax:
		for _, j := range idx {
			if v := nums[vb[j]]; v == v {
				if s := slots[j]; !(a.f[s] >= v) {
					a.f[s] = v
				}
			}
		}
	case kCount:
		for _, j := range idx {
			if vb[j] != 0 {
				a.n[slots[j]]++
			}
		}
	case kTextCount:
		for _, j := range idx {
			if v := nums[vb[j]]; vb[j] != 0 && v != v {
				a.n[slots[j]]++
			}
		}
	case kNullCount:
		for _, j := range idx {
			if vb[j] == 0 {
				a.n[slots[j]]++
			}
		}
	case kMissingCount:
		for _, j := range idx {
			if v := nums[vb[j]]; v != v {
				a.n[slots[j]]++
			}
		}
	case kOnly:
		for _, j := range idx {
			code := int64(vb[j])
			if code == 0 {
				continue
			}
			s := slots[j]
			switch o := a.only[s]; {
			case o == 0:
				a.only[s] = code
			case o != code:
				a.only[s] = -1
			}
		}
	case kCountDistinct:
		w := uint32(sp.card + 1)
		for _, j := range idx {
			if code := vb[j]; code != 0 {
				a.bits.Set(slots[j]*w + code)
			}
		}
	}
}

// merge folds o into a.
func (sp *fastSpec) merge(a, o *accum) {
	switch sp.kind {
	case kSum:
		for i := range a.f {
			a.f[i] += o.f[i]
		}
	case kAvg:
		for i := range a.f {
			a.f[i] += o.f[i]
			a.n[i] += o.n[i]
		}
	case kMin:
		for i, v := range o.f {
			if v == v && !(a.f[i] <= v) {
				a.f[i] = v
			}
		}
	case kMax:
		for i, v := range o.f {
			if v == v && !(a.f[i] >= v) {
				a.f[i] = v
			}
		}
	case kOnly:
		for i, x := range o.only {
			switch y := a.only[i]; {
			case x == 0:
			case y == 0:
				a.only[i] = x
			case x != y:
				a.only[i] = -1
			}
		}
	case kCountDistinct:
		a.bits.Or(o.bits)
	default:
		for i := range a.n {
			a.n[i] += o.n[i]
		}
	}
}

// value returns the aggregation's result over the given slots.
func (sp *fastSpec) value(a *accum, slots ...int) expr.Value {
	switch sp.kind {
	case kSum, kAvg:
		sum, n := 0.0, int64(0)
		for _, s := range slots {
			for l := s * a.lanes; l < (s+1)*a.lanes; l++ {
				sum += a.f[l]
				if a.n != nil {
					n += a.n[l]
				}
			}
		}
		if sp.kind == kAvg {
			if n == 0 {
				return expr.Null()
			}
			return expr.Num(sum / float64(n))
		}
		return expr.Num(sum)
	case kMin, kMax:
		v := math.NaN()
		for _, s := range slots {
			x := a.f[s]
			if x == x && (v != v || (sp.kind == kMin && x < v) || (sp.kind == kMax && x > v)) {
				v = x
			}
		}
		return expr.NumOrNull(v)
	case kOnly:
		var o int64
		for _, s := range slots {
			switch x := a.only[s]; {
			case x == 0:
			case x == -1 || (o != 0 && o != x):
				return expr.Null()
			default:
				o = x
			}
		}
		if o <= 0 {
			return expr.Null()
		}
		return expr.FromDual(sp.fld.Symbols.Dual(uint32(o - 1)))
	case kCountDistinct:
		w := sp.card + 1
		if len(slots) == 1 {
			n := 0
			lo := slots[0] * w
			for code := lo + 1; code < lo+w; code++ {
				if a.bits.Test(uint32(code)) {
					n++
				}
			}
			return expr.Num(float64(n))
		}
		u := bitset.New(w)
		for _, s := range slots {
			for code := 1; code < w; code++ {
				if a.bits.Test(uint32(s*w + code)) {
					u.Set(uint32(code))
				}
			}
		}
		return expr.Num(float64(u.Count()))
	default:
		var n int64
		for _, s := range slots {
			n += a.n[s]
		}
		return expr.Num(float64(n))
	}
}

var identity64 = func() (a [64]uint8) {
	for i := range a {
		a[i] = uint8(i)
	}
	return a
}()

// laneCount returns the partial accumulators per slot of a sum over
// slots groups: 4 while the accumulators stay in L1.
func laneCount(slots int) int {
	if slots <= 512 {
		return 4
	}
	return 1
}

// maskMinDensity is the share of a root's rows a pass must read for its
// sums to use the grouped-sum kernel: its cost per block is per group, not
// per row, so on a sparse selection (Region=East keeps 20 % of the rows,
// 13 in a block) the row loop is cheaper.
const maskMinDensity = 0.5

// maskSlots reports whether a pass over slots groups reading rows (nil:
// all) of nrows adds its sums with the grouped-sum kernel (kern.SumMasked
// adds row j into lane j&7 of eight).
func maskSlots(slots int, rows []uint64, nrows int) bool {
	if slots > kern.MaskGroups() {
		return false
	}
	if rows == nil {
		return true
	}
	n := 0
	for _, w := range rows {
		n += bits.OnesCount64(w)
	}
	return float64(n) >= maskMinDensity*float64(nrows)
}

// laneShift is log2(lanes) for lanes 4 and 8.
func laneShift(lanes int) uint32 {
	if lanes == 8 {
		return 3
	}
	return 2
}

// maxDistinctBits bounds the per-worker bitsets of Count(DISTINCT).
const maxDistinctBits = 1 << 28

// pass runs specs over the rows of the frame's root in rows (nil: all),
// accumulating per dense slot (one slot when fr has no dimensions); with
// presence it also returns the slots that have a row.
func (c *chart) pass(root int, fr *fastFrame, rows []uint64, specs []*fastSpec, presence bool) ([]*accum, bitset.Set) {
	slots := 1
	if fr != nil {
		slots = fr.dense
	}
	w := par.Workers()
	accs := make([][]*accum, w)
	var seen [][]uint8
	if presence {
		seen = make([][]uint8, w)
	}
	nrows := c.m.g.nodes[root].rows
	for _, sp := range specs {
		if sp.prog != nil {
			fastVecCalls.Add(1)
		}
	}
	masked := maskSlots(slots, rows, nrows)
	lanes := laneCount(slots)
	if masked {
		lanes = 8
	}
	prog := newVecProg(specs, masked)
	type scratch struct {
		ids, buf, vb [64]uint32
		vals         [][64]float64 // per op of prog
		idx          [64]uint8
		bc           blockCache
		// pend collects the rows of sparse blocks into gathered blocks of
		// 64: evaluating them together keeps many of their cache misses
		// (codes, numbers by code) in flight instead of one at a time.
		pend  [64]int32
		npend int
		masks [kern.MaxMaskGroups]uint64 // rows by slot (kern.GroupMasks)
	}
	noNull := make([]bool, len(specs))
	for i, sp := range specs {
		noNull[i] = sp.kind == kCount && sp.prog == nil && sp.val.mp == nil && !c.m.hasNull(sp.val.col)
	}
	scr := make([]*scratch, w)
	// eval accumulates the block in sc.bc: rows r..r+n-1 at offsets idx, or
	// a gathered block of n rows (idx the identity).
	eval := func(k int, sc *scratch, r, n int, idx []uint8, mask uint64) {
		gathered := sc.bc.rows != nil
		idp := (*[64]uint32)(nil)
		if fr != nil {
			if gathered {
				fr.gatherIDs(sc.bc.rows, &sc.ids, &sc.buf)
			} else {
				fr.blockIDs(r, n, &sc.ids, &sc.buf)
			}
			idp = &sc.ids
			if presence {
				s := seen[k]
				for _, j := range idx {
					s[sc.ids[j]] = 1
				}
			}
		}
		if len(prog.ops) > 0 {
			prog.run(&sc.bc, r, n, idx, sc.vals)
		}
		if masked && (prog.sums || slices.Contains(noNull, true)) {
			kern.GroupMasks(sc.masks[:slots], idp, mask)
		}
		for i, sp := range specs {
			if s := prog.slot[i]; s >= 0 {
				if a := accs[k][i]; masked && (sp.kind == kSum || sp.kind == kAvg) {
					nn := kern.SumMasked(&sc.vals[s], sc.masks[:slots], a.f)
					if sp.kind == kAvg {
						kern.CountMasked(sc.masks[:slots], nn, a.n)
					}
					continue
				}
				sp.addVals(accs[k][i], idp, &sc.vals[s], idx)
				continue
			}
			if masked && noNull[i] {
				// Count(F) of a field without NULLs: the rows per slot.
				a := accs[k][i]
				for g, m := range sc.masks[:slots] {
					a.n[g] += int64(bits.OnesCount64(m))
				}
				continue
			}
			if sp.val.mp != nil {
				codes, mp := sc.bc.codes(sp.val.col, n), sp.val.mp
				for j := 0; j < n; j++ {
					sc.vb[j] = mp[codes[j]]
				}
				sp.add(accs[k][i], idp, &sc.vb, idx)
				continue
			}
			sp.add(accs[k][i], idp, sc.bc.codes(sp.val.col, n), idx)
		}
	}
	flush := func(k int, sc *scratch) {
		n := sc.npend
		sc.npend = 0
		sc.bc.gather(sc.pend[:n])
		eval(k, sc, 0, n, identity64[:n], ^uint64(0)>>(64-n))
	}
	forRows(nrows, rows, func(k, r, n int, mask uint64) {
		if accs[k] == nil {
			accs[k] = make([]*accum, len(specs))
			for i, sp := range specs {
				accs[k][i] = sp.newAccumLanes(slots, lanes)
			}
			if presence {
				seen[k] = make([]uint8, slots)
			}
			scr[k] = &scratch{vals: make([][64]float64, len(prog.ops))}
		}
		sc := scr[k]
		if mask == ^uint64(0) {
			sc.bc.reset(r)
			eval(k, sc, r, n, identity64[:], mask)
			return
		}
		if bits.OnesCount64(mask) <= sparseRows && nrows <= math.MaxInt32 {
			for m := mask; m != 0; m &= m - 1 {
				sc.pend[sc.npend] = int32(r + bits.TrailingZeros64(m))
				sc.npend++
				if sc.npend == len(sc.pend) {
					flush(k, sc)
				}
			}
			return
		}
		c := 0
		for m := mask; m != 0; m &= m - 1 {
			sc.idx[c] = uint8(bits.TrailingZeros64(m))
			c++
		}
		sc.bc.reset(r)
		eval(k, sc, r, n, sc.idx[:c], mask)
	})
	for k, sc := range scr {
		if sc != nil && sc.npend > 0 {
			flush(k, sc)
		}
	}
	out := make([]*accum, len(specs))
	for i, sp := range specs {
		for k := range accs {
			if accs[k] == nil {
				continue
			}
			if out[i] == nil {
				out[i] = accs[k][i]
			} else {
				sp.merge(out[i], accs[k][i])
			}
		}
		if out[i] == nil {
			out[i] = sp.newAccumLanes(slots, lanes)
		}
	}
	var present bitset.Set
	if presence {
		present = bitset.New(slots)
		for _, s := range seen {
			for i, v := range s {
				if v != 0 {
					present.Set(uint32(i))
				}
			}
		}
	}
	return out, present
}

// specsFit reports whether the dense accumulators of specs stay small.
func specsFit(specs []*fastSpec, slots int) bool {
	if slots > 1<<20 {
		return false
	}
	for _, sp := range specs {
		if sp.kind == kCountDistinct && slots*(sp.card+1) > maxDistinctBits {
			return false
		}
	}
	return true
}

// fastCube builds the chart's rows and precomputes every eligible
// aggregation of the measures in one pass over the root's possible rows.
// It returns false when the general path must be used.
func (c *chart) fastCube(p *evalPlan, gr *groups, measures []expr.Node) bool {
	if len(p.jt.roots) != 1 || len(gr.dims) == 0 {
		return false
	}
	root := p.jt.roots[0]
	fr, ok := c.newFastFrame(root, gr.dims)
	if !ok || fr.dense > 1<<20 {
		return false
	}
	var specs []*fastSpec
	for _, n := range measures {
		expr.Inspect(n, func(x expr.Node) bool {
			call, ok := x.(*expr.AggCall)
			if !ok {
				return true
			}
			if call.Set == nil && len(call.Outer) == 0 && call.Scope == expr.ScopeRow {
				if sp, ok := c.fastSpecFor(call, root); ok {
					specs = append(specs, sp)
				}
			}
			return false
		})
	}
	if !specsFit(specs, fr.dense) {
		specs = nil
	}
	accs, present, keyed := c.keyDistinct(p, fr, specs, c.res)
	var codes bitset.Set
	if !keyed && len(specs) == 0 {
		codes = c.codePresence(fr, root)
	}
	pre := false
	if !keyed && codes == nil {
		accs, present, pre = c.preAggregated(root, fr, specs)
	}
	switch {
	case keyed, pre:
	case codes != nil:
		present = codes
	default:
		accs, present = c.pass(root, fr, c.res.nodeRows(root), specs, true)
	}
	elems := make([]int32, len(gr.dims))
	for id := present.Next(0); id >= 0; id = present.Next(id + 1) {
		fr.elems(id, elems)
		gr.lookup(elems, true)
	}
	// Tuples without a root row.
	var tp *tuples
	if !keyed {
		var err error
		tp, err = c.m.enumerateTuplesSafe(p.jt, c.res, c.limit, true)
		if err != nil {
			return false
		}
		env := c.newRowEnv(tp)
		for i := 0; i < tp.len(); i++ {
			env.row = tp.at(i)
			for d, ds := range gr.dims {
				elems[d] = c.dimElem(env, gr, d, ds)
			}
			gr.lookup(elems, true)
		}
	}
	gr.fast = fr
	gr.fastPlan = p
	fastGroupCalls.Add(1)
	if c.pre == nil {
		c.pre = map[*expr.AggCall][]expr.Value{}
	}
	for i, sp := range specs {
		if !keyed && sp.kind == kCountDistinct && len(c.m.g.fieldNodes[sp.fld.Index]) > 1 {
			c.addUnrooted(sp, accs[i], fr, tp)
		}
		vals := make([]expr.Value, len(gr.elems))
		for g, el := range gr.elems {
			vals[g] = sp.value(accs[i], fr.slotOf(el))
		}
		c.pre[sp.call] = vals
		all := make([]int, 0, fr.dense)
		for s := 0; s < fr.dense; s++ {
			all = append(all, s)
		}
		c.mu.Lock()
		c.totals[sp.call] = sp.value(accs[i], all...)
		c.mu.Unlock()
		fastAggCalls.Add(1)
	}
	return true
}

// addUnrooted adds to a Count(DISTINCT) the values of the tuples without a
// root row (the field is a key that other tables hold too).
func (c *chart) addUnrooted(sp *fastSpec, a *accum, fr *fastFrame, tp *tuples) {
	env := c.newRowEnv(tp)
	elems := make([]int32, len(fr.dims))
	vref := &expr.FieldRef{Name: expr.Name{Text: sp.fld.Name}, Index: -1000}
	w := uint32(sp.card + 1)
	for i := 0; i < tp.len(); i++ {
		env.row = tp.at(i)
		v, _ := env.Field(vref)
		if v.IsNull() {
			continue
		}
		id, ok := sp.fld.Symbols.Lookup(v.ToDual())
		if !ok {
			continue
		}
		for d := range fr.dims {
			elems[d] = c.dimElemField(env, fr.fields[d], d)
		}
		a.bits.Set(uint32(fr.slotOf(elems))*w + id + 1)
	}
}

// dimElemField returns the element of a field dimension in the current
// tuple (-2 for NULL).
func (c *chart) dimElemField(env *rowEnv, f, d int) int32 {
	ref := &expr.FieldRef{Name: expr.Name{Text: c.m.fields[f].Name}, Index: -1 - d}
	v, _ := env.Field(ref)
	if v.IsNull() {
		return -2
	}
	id, ok := c.m.fields[f].Symbols.Lookup(v.ToDual())
	if !ok {
		return -2
	}
	return int32(id)
}

// slotOf returns the dense slot of a group's elements.
func (fr *fastFrame) slotOf(elems []int32) int {
	s := 0
	for d, e := range elems {
		code := int(e) + 1
		if e == -2 {
			code = 0
		}
		s += code * fr.stride[d]
	}
	return s
}

// enumerateTuplesSafe is enumerateTuples with the row-limit panic turned
// into an error.
func (m *Model) enumerateTuplesSafe(jt *joinTree, rs recordSet, limit int, skip bool) (tp *tuples, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(errTooLarge); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	return m.enumerateTuples(jt, rs, limit, skip)
}

// fastAggregate evaluates a simple aggregation of one field with the fast
// path (for aggregations the fused pass did not cover, such as those with a
// set expression, and totals). ok is false when the general path must be
// used.
func (c *chart) fastAggregate(call *expr.AggCall, gr *groups, rs recordSet, total bool) ([]expr.Value, bool) {
	g := &c.m.g
	if len(call.Args) != 1 {
		return nil, false
	}
	var fr *fastFrame
	var sp *fastSpec
	root := -1
	if total || gr == nil || len(gr.dims) == 0 {
		// One group: the root is a table holding a field of the argument
		// alone (a key field's records are in several tables).
		for _, r := range c.argRoots(call.Args[0]) {
			if s, ok := c.fastSpecFor(call, r); ok {
				sp, root = s, r
				break
			}
		}
		if sp == nil {
			if n, ok := c.distinctTotal(call, rs); ok {
				fastAggCalls.Add(1)
				return spread(expr.Num(float64(n)), gr), true
			}
			return nil, false
		}
	} else {
		if gr.fast == nil {
			return nil, false
		}
		fr = gr.fast
		root = fr.root
		s, ok := c.fastSpecFor(call, root)
		if !ok {
			return nil, false
		}
		sp = s
	}
	if fr == nil && sp.kind == kCountDistinct && len(g.fieldNodes[sp.fld.Index]) > 1 {
		return nil, false
	}
	slots := 1
	if fr != nil {
		slots = fr.dense
	}
	if !specsFit([]*fastSpec{sp}, slots) {
		return nil, false
	}
	var accs []*accum
	if r, ok := rs.(*Result); ok && r == c.res {
		frame := fr
		if frame == nil {
			frame = &fastFrame{root: root, dense: 1}
		}
		accs, _, _ = c.preAggregated(root, frame, []*fastSpec{sp})
	}
	if accs == nil {
		accs, _ = c.pass(root, fr, rs.nodeRows(root), []*fastSpec{sp}, false)
	}
	if sp.kind == kCountDistinct && len(g.fieldNodes[sp.fld.Index]) > 1 {
		tp, err := c.m.enumerateTuplesSafe(gr.fastPlan.jt, rs, c.limit, true)
		if err != nil {
			return nil, false
		}
		c.addUnrooted(sp, accs[0], fr, tp)
	}
	fastAggCalls.Add(1)
	if fr == nil {
		return spread(sp.value(accs[0], 0), gr), true
	}
	// The total over every slot is the chart's total of the call: keep it
	// so the totals row needs no second pass.
	all := make([]int, fr.dense)
	for s := range all {
		all[s] = s
	}
	tot := sp.value(accs[0], all...)
	c.mu.Lock()
	c.totals[call] = tot
	c.mu.Unlock()
	out := make([]expr.Value, len(gr.elems))
	for gi, el := range gr.elems {
		out[gi] = sp.value(accs[0], fr.slotOf(el))
	}
	return out, true
}

// codePresence returns the groups of a one-dimension frame without a pass
// over the rows when the dimension is a column of the root alone without
// NULLs: then the groups are the field's possible values. nil when that
// does not apply.
func (c *chart) codePresence(fr *fastFrame, root int) bitset.Set {
	if len(fr.dims) != 1 || fr.dims[0].mp != nil {
		return nil
	}
	f := fr.fields[0]
	if fn := c.m.g.fieldNodes[f]; len(fn) != 1 || int(fn[0]) != root || c.m.hasNull(fr.dims[0].col) {
		return nil
	}
	present := bitset.New(fr.dense)
	if vals := c.res.fieldVals(f); vals != nil {
		present.Or(vals)
	} else {
		present.SetRange(1, fr.dense)
	}
	codePresenceCalls.Add(1)
	return present
}

var codePresenceCalls atomic.Int64

// distinctTotal answers Count(DISTINCT F) over all the records of rs: every
// record of every table holding F is in some tuple, so the distinct values
// are F's codes in those records (for a key field too, where no single
// table is the root). ok is false for other calls.
func (c *chart) distinctTotal(call *expr.AggCall, rs recordSet) (int, bool) {
	if call.Distinct != expr.Distinct || !strings.EqualFold(call.Func.Name, "count") {
		return 0, false
	}
	ref, ok := call.Args[0].(*expr.FieldRef)
	if !ok {
		return 0, false
	}
	fld, ok := c.m.fieldByName[ref.Name.Text]
	if !ok {
		return 0, false
	}
	var codes bitset.Set
	if r, ok := rs.(*Result); ok {
		codes = r.fieldVals(fld.Index)
		if codes == nil {
			return fld.Cardinal(), true
		}
	} else {
		g := &c.m.g
		for _, n32 := range g.fieldNodes[fld.Index] {
			n := int(n32)
			p := projectColumn(g.colOf(n, fld.Index), rs.nodeRows(n), fld.Cardinal())
			if codes == nil {
				codes = p
			} else {
				codes.Or(p)
			}
		}
	}
	return codes.Count(), true
}

// argRoots returns the tables that hold a field of n alone, in order of
// first use.
func (c *chart) argRoots(n expr.Node) []int {
	var out []int
	expr.Inspect(n, func(x expr.Node) bool {
		ref, ok := x.(*expr.FieldRef)
		if !ok {
			return true
		}
		if fld, ok := c.m.fieldByName[ref.Name.Text]; ok {
			if fn := c.m.g.fieldNodes[fld.Index]; len(fn) == 1 && !slices.Contains(out, int(fn[0])) {
				out = append(out, int(fn[0]))
			}
		}
		return true
	})
	return out
}

func nodesOf(g *graph, f int) []int {
	var out []int
	for _, n := range g.fieldNodes[f] {
		out = append(out, int(n))
	}
	return out
}

// codeNums returns the numbers of field f indexed by code (NaN for NULL
// and for symbols without a number). Cached per model.
func (m *Model) codeNums(f int) []float64 {
	if v, ok := m.cnums.Load(f); ok {
		return v.([]float64)
	}
	syms := m.fields[f].Symbols
	out := syms.AppendNums(append(make([]float64, 0, syms.Len()+1), math.NaN()))
	m.cnums.Store(f, out)
	return out
}
