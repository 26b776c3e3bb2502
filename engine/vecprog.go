package engine

import (
	"fmt"
	"math"
	"strconv"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/internal/kern"
)

// vecProg is the numbers a pass's aggregations read, as a list of vector
// operations over a block of rows, each computed once however many
// measures use it: Sum(Price) and Avg(Price) gather Price once, and
// Price * (1 - Discount) in two measures is multiplied once (TPC-H Q1 has
// eight measures over four fields).
type vecProg struct {
	ops  []vop
	slot []int // per spec: the op whose values it aggregates; -1: it reads codes
	sums bool  // a spec is a Sum or Avg
}

// vop is one vector operation: a leaf (a field's numbers by code or by
// row), a constant, a negation, or a binary operation on the values of
// earlier ops (y < 0: with the constant k).
type vop struct {
	leaf *vnode
	op   expr.Op
	x, y int
	k    float64
}

// newVecProg compiles the values of specs. A measure of a field's numbers
// by code reads them through the program only when another measure reads
// them too or, with masked (the grouped-sum kernel), when it is a Sum or
// Avg; otherwise fastSpec.add looks them up and adds them in one loop.
func newVecProg(specs []*fastSpec, masked bool) *vecProg {
	p := &vecProg{slot: make([]int, len(specs))}
	memo := map[string]int{}
	var add func(v *vnode) int
	add = func(v *vnode) int {
		key := v.structKey()
		if i, ok := memo[key]; ok {
			return i
		}
		var o vop
		switch {
		case v.isK || v.op == expr.OpInvalid:
			o = vop{leaf: v}
		case v.op == expr.OpNeg:
			o = vop{op: expr.OpNeg, x: add(v.x), y: -1}
		case v.y.isK:
			o = vop{op: v.op, x: add(v.x), y: -1, k: v.y.k}
		default:
			o = vop{op: v.op, x: add(v.x), y: add(v.y)}
		}
		p.ops = append(p.ops, o)
		memo[key] = len(p.ops) - 1
		return len(p.ops) - 1
	}
	leafOf := func(sp *fastSpec) *vnode {
		switch {
		case sp.prog != nil:
			return nil
		case sp.rowVals != nil:
			return &vnode{src: sp.val, nums: sp.nums, rowVals: sp.rowVals}
		case vecKind(sp.kind) && sp.kind != kCount:
			return &vnode{src: sp.val, nums: sp.nums}
		}
		return nil
	}
	// How many measures read each leaf (through a program or directly).
	uses := map[string]int{}
	var count func(v *vnode)
	count = func(v *vnode) {
		if v.isK || v.op == expr.OpInvalid {
			uses[v.structKey()]++
			return
		}
		count(v.x)
		if v.y != nil {
			count(v.y)
		}
	}
	for _, sp := range specs {
		if sp.prog != nil {
			count(sp.prog)
		} else if l := leafOf(sp); l != nil {
			count(l)
		}
	}
	for i, sp := range specs {
		p.sums = p.sums || sp.kind == kSum || sp.kind == kAvg
		l := leafOf(sp)
		switch {
		case sp.prog != nil:
			p.slot[i] = add(sp.prog)
		case l == nil:
			p.slot[i] = -1
		case l.rowVals != nil || uses[l.structKey()] > 1 || (masked && (sp.kind == kSum || sp.kind == kAvg)):
			p.slot[i] = add(l)
		default:
			p.slot[i] = -1
		}
	}
	return p
}

// structKey identifies what v computes: equal keys, equal values.
func (v *vnode) structKey() string {
	switch {
	case v.key != "":
		return v.key
	case v.isK:
		return "k" + strconv.FormatFloat(v.k, 'g', -1, 64)
	case v.rowVals != nil:
		return fmt.Sprintf("r%p", &v.rowVals[0])
	case v.op == expr.OpInvalid:
		var mp *uint32
		if len(v.src.mp) > 0 {
			mp = &v.src.mp[0]
		}
		return fmt.Sprintf("g%p.%p.%p", &v.nums[0], v.src.col, mp)
	case v.op == expr.OpNeg:
		return "-(" + v.x.structKey() + ")"
	}
	return "(" + v.x.structKey() + v.op.String() + v.y.structKey() + ")"
}

// run writes the values of every op for the rows at offsets idx of bc's
// block of n rows (starting at r unless it is a gathered block) into vals;
// the values at other offsets are undefined.
func (p *vecProg) run(bc *blockCache, r, n int, idx []uint8, vals [][64]float64) {
	for i, o := range p.ops {
		out := &vals[i]
		switch {
		case o.leaf != nil:
			o.leaf.load(bc, r, n, idx, out)
		case o.op == expr.OpNeg:
			x := &vals[o.x]
			for j := 0; j < n; j++ {
				out[j] = -x[j]
			}
		case o.y < 0:
			binK(o.op, &vals[o.x], o.k, n, out)
		default:
			bin(o.op, &vals[o.x], &vals[o.y], n, out)
		}
	}
}

// load writes a leaf's values for the rows at offsets idx of bc's block
// into out. Numbers by code are looked up for those rows only unless most
// of the block is selected (then the vector gather of all 64 is cheaper):
// in a block with some rows selected, the others' lookups (often cache
// misses into a large number table) would be wasted.
func (v *vnode) load(bc *blockCache, r, n int, idx []uint8, out *[64]float64) {
	switch {
	case v.isK:
		for j := 0; j < n; j++ {
			out[j] = v.k
		}
	case v.rowVals != nil && bc.rows != nil:
		for j, row := range bc.rows[:n] {
			out[j] = v.rowVals[row]
		}
	case v.rowVals != nil:
		copy(out[:n], v.rowVals[r:r+n])
	default:
		codes := bc.codes(v.src.col, n)
		nums := v.nums
		if mp := v.src.mp; mp != nil {
			for _, j := range idx {
				out[j] = nums[mp[codes[j]]]
			}
			return
		}
		if n == 64 && len(idx) >= 40 && int(v.src.col.MaxCode()) < len(nums) {
			kern.GatherF64(nums, codes, out)
			return
		}
		for _, j := range idx {
			out[j] = nums[codes[j]]
		}
	}
}

func binK(op expr.Op, x *[64]float64, k float64, n int, out *[64]float64) {
	switch op {
	case expr.OpAdd:
		for j := 0; j < n; j++ {
			out[j] = x[j] + k
		}
	case expr.OpSub:
		for j := 0; j < n; j++ {
			out[j] = x[j] - k
		}
	case expr.OpMul:
		for j := 0; j < n; j++ {
			out[j] = x[j] * k
		}
	case expr.OpDiv:
		if k == 0 {
			for j := 0; j < n; j++ {
				out[j] = math.NaN()
			}
			return
		}
		for j := 0; j < n; j++ {
			out[j] = x[j] / k
		}
	}
}

func bin(op expr.Op, x, y *[64]float64, n int, out *[64]float64) {
	switch op {
	case expr.OpAdd:
		for j := 0; j < n; j++ {
			out[j] = x[j] + y[j]
		}
	case expr.OpSub:
		for j := 0; j < n; j++ {
			out[j] = x[j] - y[j]
		}
	case expr.OpMul:
		for j := 0; j < n; j++ {
			out[j] = x[j] * y[j]
		}
	case expr.OpDiv:
		for j := 0; j < n; j++ {
			if y[j] == 0 {
				out[j] = math.NaN()
			} else {
				out[j] = x[j] / y[j]
			}
		}
	}
}
