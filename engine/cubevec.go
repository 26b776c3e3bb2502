package engine

import (
	"math"
	"slices"
	"sync/atomic"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/internal/bitset"
	"github.com/assocengine/assoc/symbols"
)

// Numeric expressions inside aggregations on the fast path: Sum(Price *
// (1 - Discount)) and the like compile to a small tree evaluated 64 rows at
// a time over number vectors, with NaN standing for NULL. The rules are
// those of expr.ApplyBinary: an operand that is NULL or a text that is not
// a number makes the result NULL, and division by zero is NULL.

// vnode is a node of a compiled numeric expression.
type vnode struct {
	op   expr.Op // OpAdd..OpDiv, OpNeg; OpInvalid for a leaf
	x, y *vnode
	// Leaves: a field reached from the root's rows, or a constant.
	src     fastDim
	nums    []float64 // the field's numbers by code (index 0: NULL)
	rowVals []float64 // or its numbers by row (rownums.go)
	k       float64
	isK     bool
	key     string // of a leaf folded from a subtree: the subtree's structKey
}

// maxVecDepth bounds the compiled tree's depth (each level keeps a 64-value
// buffer on the stack).
const maxVecDepth = 32

type arithKey int

// arithNums returns the numbers the symbols of field f have in arithmetic
// (expr.Value.AsNumber: a text that spells a number counts as that number)
// indexed by code, NaN for NULL and for other texts. Cached per model.
func (m *Model) arithNums(f int) []float64 {
	if v, ok := m.cnums.Load(arithKey(f)); ok {
		return v.([]float64)
	}
	base := m.codeNums(f)
	out := base
	st := m.fields[f].Symbols
	for code := 1; code < len(base); code++ {
		if base[code] == base[code] {
			continue
		}
		if n, ok := expr.ParseNumber(st.Text(uint32(code - 1))); ok {
			if &out[0] == &base[0] {
				out = append([]float64(nil), base...)
			}
			out[code] = n
		}
	}
	m.cnums.Store(arithKey(f), out)
	return out
}

// compileVec compiles n into a vector program over the rows of root. ok is
// false when n uses anything but numbers, fields functionally determined by
// the root's rows and + - * / or when no field of n lives only in the root
// (the aggregation would then range over other records than the root's).
func (c *chart) compileVec(n expr.Node, root int) (*vnode, bool) {
	rooted := false
	var comp func(n expr.Node, depth int) (*vnode, bool)
	comp = func(n expr.Node, depth int) (*vnode, bool) {
		if depth > maxVecDepth {
			return nil, false
		}
		switch n := n.(type) {
		case *expr.NumberLit:
			return &vnode{k: n.Value, isK: true}, true
		case *expr.FieldRef:
			fld, ok := c.m.fieldByName[n.Name.Text]
			if !ok {
				return nil, false
			}
			src, ok := c.m.functionalMap(root, fld.Index)
			if !ok {
				return nil, false
			}
			if fn := c.m.g.fieldNodes[fld.Index]; len(fn) == 1 && int(fn[0]) == root {
				rooted = true
			}
			leaf := &vnode{src: src, nums: c.m.arithNums(fld.Index)}
			if src.mp == nil {
				leaf.rowVals = c.m.rowNums(c, src.col, leaf.nums, true)
			}
			return leaf, true
		case *expr.Unary:
			if n.Op != expr.OpNeg && n.Op != expr.OpPlus {
				return nil, false
			}
			x, ok := comp(n.X, depth+1)
			if !ok {
				return nil, false
			}
			if n.Op == expr.OpPlus {
				return x, true
			}
			return &vnode{op: expr.OpNeg, x: x}, true
		case *expr.Binary:
			switch n.Op {
			case expr.OpAdd, expr.OpSub, expr.OpMul, expr.OpDiv:
			default:
				return nil, false
			}
			x, ok := comp(n.X, depth+1)
			if !ok {
				return nil, false
			}
			y, ok := comp(n.Y, depth+1)
			if !ok {
				return nil, false
			}
			return &vnode{op: n.Op, x: x, y: y}, true
		}
		return nil, false
	}
	v, ok := comp(n, 0)
	if !ok || !rooted {
		return nil, false
	}
	return v.fold(), true
}

// blockCache holds the codes of the columns decoded for the current
// 64-row block, so measures reading one column decode it once. The block
// is rows r..r+n-1, or when rows is not nil the listed rows (a gathered
// block of rows from sparse blocks).
type blockCache struct {
	r       int
	rows    []int32
	entries []cachedBlock
}

type cachedBlock struct {
	col   *symbols.Column
	codes [64]uint32
}

// reset starts block r.
func (bc *blockCache) reset(r int) {
	bc.r, bc.rows = r, nil
	bc.entries = bc.entries[:0]
}

// gather starts a gathered block of the listed rows (at most 64).
func (bc *blockCache) gather(rows []int32) {
	bc.r, bc.rows = 0, rows
	bc.entries = bc.entries[:0]
}

// codes returns col's codes for the current block of n rows.
func (bc *blockCache) codes(col *symbols.Column, n int) *[64]uint32 {
	for i := range bc.entries {
		if bc.entries[i].col == col {
			return &bc.entries[i].codes
		}
	}
	bc.entries = append(bc.entries, cachedBlock{col: col})
	e := &bc.entries[len(bc.entries)-1]
	if bc.rows != nil {
		col.Gather(bc.rows, e.codes[:])
	} else {
		decodeBlock(col, bc.r, n, &e.codes)
	}
	return &e.codes
}

// fold replaces every subtree that reads one low-cardinality field (and
// constants) by a leaf whose table holds the subtree's value per code:
// (1 - Discount) costs one lookup per row instead of a subtraction.
func (v *vnode) fold() *vnode {
	if v.isK || v.op == expr.OpInvalid {
		return v
	}
	v.x = v.x.fold()
	if v.y != nil {
		v.y = v.y.fold()
	}
	leaf, ok := v.singleLeaf()
	if !ok || leaf == nil || leaf.rowVals != nil {
		return v
	}
	table := make([]float64, len(leaf.nums))
	for code, x := range leaf.nums {
		table[code] = v.evalAt(x)
	}
	return &vnode{src: leaf.src, nums: table, key: v.structKey()}
}

// singleLeaf returns the one field leaf v reads (nil: only constants);
// ok is false when v reads two different fields.
func (v *vnode) singleLeaf() (leaf *vnode, ok bool) {
	switch {
	case v.isK:
		return nil, true
	case v.op == expr.OpInvalid:
		return v, true
	}
	a, ok := v.x.singleLeaf()
	if !ok || v.y == nil {
		return a, ok
	}
	b, ok := v.y.singleLeaf()
	switch {
	case !ok:
		return nil, false
	case a == nil:
		return b, true
	case b == nil || (a.src.col == b.src.col && &a.nums[0] == &b.nums[0] && sameMap(a.src.mp, b.src.mp)):
		return a, true
	}
	return nil, false
}

func sameMap(a, b []uint32) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// evalAt evaluates a tree whose field leaves all stand for the value x.
func (v *vnode) evalAt(x float64) float64 {
	switch {
	case v.isK:
		return v.k
	case v.op == expr.OpInvalid:
		return x
	case v.op == expr.OpNeg:
		return -v.x.evalAt(x)
	}
	a, b := v.x.evalAt(x), v.y.evalAt(x)
	switch v.op {
	case expr.OpAdd:
		return a + b
	case expr.OpSub:
		return a - b
	case expr.OpMul:
		return a * b
	}
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// addVals accumulates the values vals of the rows at offsets idx of the
// block (NaN: NULL); slots holds each row's slot (nil: slot 0).
func (sp *fastSpec) addVals(a *accum, slots *[64]uint32, vals *[64]float64, idx []uint8) {
	if slots == nil {
		var zero [64]uint32
		slots = &zero
	}
	switch sp.kind {
	case kSum:
		f := a.f
		switch a.lanes {
		case 4:
			for _, j := range idx {
				if v := vals[j]; v == v {
					f[slots[j]<<2|uint32(j&3)] += v
				}
			}
			return
		case 8:
			for _, j := range idx {
				if v := vals[j]; v == v {
					f[slots[j]<<3|uint32(j&7)] += v
				}
			}
			return
		}
		for _, j := range idx {
			if v := vals[j]; v == v {
				f[slots[j]] += v
			}
		}
	case kAvg:
		f, n := a.f, a.n
		if a.lanes > 1 {
			sh, lm := laneShift(a.lanes), uint32(a.lanes-1)
			for _, j := range idx {
				if v := vals[j]; v == v {
					s := slots[j]<<sh | uint32(j)&lm
					f[s] += v
					n[s]++
				}
			}
			return
		}
		for _, j := range idx {
			if v := vals[j]; v == v {
				s := slots[j]
				f[s] += v
				n[s]++
			}
		}
	case kCount, kNumericCount:
		for _, j := range idx {
			if v := vals[j]; v == v {
				a.n[slots[j]]++
			}
		}
	case kMin:
		for _, j := range idx {
			if v := vals[j]; v == v {
				if s := slots[j]; !(a.f[s] <= v) {
					a.f[s] = v
				}
			}
		}
	case kMax:
		for _, j := range idx {
			if v := vals[j]; v == v {
				if s := slots[j]; !(a.f[s] >= v) {
					a.f[s] = v
				}
			}
		}
	}
}

// vecKind reports whether kind can aggregate a compiled expression.
func vecKind(kind fastKind) bool {
	switch kind {
	case kSum, kAvg, kCount, kNumericCount, kMin, kMax:
		return true
	}
	return false
}

// keyDistinct answers a cube whose measures' fast aggregations are all
// Count(DISTINCT K) of a key K of the root and whose dimensions are K or
// fields that K determines (Country × Count(DISTINCT CustomerID) over a
// fact table): then a tuple's group is a function of its K, so the
// distinct (group, K) pairs are those of the possible values of K, and
// the cube costs a loop over K's symbols instead of a pass over the root's
// rows. It needs every table of the chart to hold K without NULLs (a row
// with a NULL key would form a group of its own). ok is false when this
// does not apply.
func (c *chart) keyDistinct(p *evalPlan, fr *fastFrame, specs []*fastSpec, rs recordSet) (accs []*accum, present bitset.Set, ok bool) {
	if len(specs) == 0 {
		return nil, nil, false
	}
	col := specs[0].val.col
	for _, sp := range specs {
		if sp.kind != kCountDistinct || sp.val.mp != nil || sp.val.col != col || sp.fld != specs[0].fld {
			return nil, nil, false
		}
	}
	for _, d := range fr.dims {
		if d.col != col {
			return nil, nil, false
		}
	}
	k := specs[0].fld.Index
	g := &c.m.g
	for _, n := range p.jt.nodes {
		if !slices.Contains(g.nodes[n].fields, k) || c.m.hasNull(g.colOf(n, k)) {
			return nil, nil, false
		}
	}
	codes := c.keyCodes(p, rs, k)
	card := specs[0].card
	w := uint32(card + 1)
	present = bitset.New(fr.dense)
	slotOf := make([]uint32, 0, 1024)
	var list []uint32
	each := func(code uint32) {
		var s uint32
		for d, fd := range fr.dims {
			if fd.mp == nil {
				s += code * uint32(fr.stride[d])
			} else {
				s += fr.premul[d][code]
			}
		}
		present.Set(s)
		slotOf = append(slotOf, s)
		list = append(list, code)
	}
	if codes == nil {
		for code := uint32(1); code <= uint32(card); code++ {
			each(code)
		}
	} else {
		for code := codes.Next(1); code >= 0; code = codes.Next(code + 1) {
			each(uint32(code))
		}
	}
	a := specs[0].newAccum(fr.dense)
	for i, code := range list {
		a.bits.Set(slotOf[i]*w + code)
	}
	accs = make([]*accum, len(specs))
	for i := range specs {
		accs[i] = a
	}
	keyDistinctCalls.Add(1)
	return accs, present, true
}

var keyDistinctCalls atomic.Int64

// keyCodes returns the codes of field k in the records of rs over the
// chart's tables (nil: every symbol).
func (c *chart) keyCodes(p *evalPlan, rs recordSet, k int) bitset.Set {
	if r, ok := rs.(*Result); ok {
		return r.fieldVals(k)
	}
	g := &c.m.g
	var out bitset.Set
	for _, n := range p.jt.nodes {
		s := projectColumn(g.colOf(n, k), rs.nodeRows(n), c.m.fields[k].Cardinal())
		if out == nil {
			out = s
		} else {
			out.Or(s)
		}
	}
	return out
}

// hasNull reports whether col holds a NULL (code 0). Cached per column.
func (m *Model) hasNull(col *symbols.Column) bool {
	if v, ok := m.cnums.Load(col); ok {
		return v.(bool)
	}
	var buf [64]uint32
	has := false
	for r := 0; r < col.Len() && !has; r += 64 {
		n := min(64, col.Len()-r)
		decodeBlock(col, r, n, &buf)
		for _, v := range buf[:n] {
			if v == 0 {
				has = true
				break
			}
		}
	}
	m.cnums.Store(col, has)
	return has
}
