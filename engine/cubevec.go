package engine

import (
	"math"

	"github.com/assocengine/assoc/engine/expr"
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
	src  fastDim
	nums []float64 // the field's numbers by code (index 0: NULL)
	k    float64
	isK  bool
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
			return &vnode{src: src, nums: c.m.arithNums(fld.Index)}, true
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
	return v, true
}

// eval writes the values of the block of n rows starting at r into out.
func (v *vnode) eval(r, n int, out *[64]float64) {
	switch {
	case v.isK:
		for j := 0; j < n; j++ {
			out[j] = v.k
		}
	case v.op == expr.OpInvalid:
		var codes [64]uint32
		decodeBlock(v.src.col, r, n, &codes)
		nums := v.nums
		if mp := v.src.mp; mp != nil {
			for j := 0; j < n; j++ {
				out[j] = nums[mp[codes[j]]]
			}
			return
		}
		for j := 0; j < n; j++ {
			out[j] = nums[codes[j]]
		}
	case v.op == expr.OpNeg:
		v.x.eval(r, n, out)
		for j := 0; j < n; j++ {
			out[j] = -out[j]
		}
	default:
		v.x.eval(r, n, out)
		var y [64]float64
		if v.y.isK {
			k := v.y.k
			for j := range n {
				y[j] = k
			}
		} else {
			v.y.eval(r, n, &y)
		}
		switch v.op {
		case expr.OpAdd:
			for j := 0; j < n; j++ {
				out[j] += y[j]
			}
		case expr.OpSub:
			for j := 0; j < n; j++ {
				out[j] -= y[j]
			}
		case expr.OpMul:
			for j := 0; j < n; j++ {
				out[j] *= y[j]
			}
		case expr.OpDiv:
			for j := 0; j < n; j++ {
				if y[j] == 0 {
					out[j] = math.NaN()
				} else {
					out[j] /= y[j]
				}
			}
		}
	}
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
		for _, j := range idx {
			if v := vals[j]; v == v {
				f[slots[j]] += v
			}
		}
	case kAvg:
		f, n := a.f, a.n
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
