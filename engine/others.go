package engine

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"

	"github.com/assocengine/assoc/engine/expr"
)

// OtherMode is QIX's qOtherMode: how a dimension limits its values and
// collapses the rest into an "Others" row (semantics §3.5).
type OtherMode uint8

// Dimension limit modes.
const (
	OtherOff          OtherMode = iota // OTHER_OFF
	OtherCounted                       // OTHER_COUNTED: the top N values
	OtherAbsLimited                    // OTHER_ABS_LIMITED: measure <op> limit
	OtherRelLimited                    // OTHER_REL_LIMITED: measure/total <op> limit
	OtherAbsAccTarget                  // OTHER_ABS_ACC_TARGET: until the running sum reaches the limit
	OtherRelAccTarget                  // OTHER_REL_ACC_TARGET: the same on shares of the total
)

// LimitOp compares a value with a dimension limit (qOtherLimitMode).
type LimitOp uint8

// Limit comparisons; the zero value is OTHER_GT_LIMIT, Qlik's default.
const (
	LimitGT LimitOp = iota
	LimitGE
	LimitLT
	LimitLE
)

// OtherSpec is a dimension's limit (QIX OtherTotalSpecProp).
type OtherSpec struct {
	Mode    OtherMode
	Counted int
	Limit   float64
	Op      LimitOp
	// Ascending ranks values from the lowest measure (OTHER_SORT_ASCENDING);
	// by default the highest come first.
	Ascending bool
	// Suppress drops the Others row (qSuppressOther).
	Suppress bool
	// Measure is the measure ranking the values (qReferencedExpression),
	// the first by default.
	Measure int
}

// ElemOthers is the element number of an Others cell.
const ElemOthers = -3

// othersDim returns the first dimension with a limit, or -1.
func othersDim(def *CubeDef) int {
	for d, dim := range def.Dims {
		if dim.Others.Mode != OtherOff {
			return d
		}
	}
	return -1
}

// applyOthers limits dimension d within each segment of rows that share
// the other dimensions' values, and reports the element each kept
// (segment, element) keeps; collapsed ones map to ElemOthers. It returns
// nil when nothing collapses.
func applyOthers(def *CubeDef, d int, elems [][]int32, vals [][]expr.Value, rows []int32) map[string]int32 {
	spec := def.Dims[d].Others
	if spec.Measure < 0 || spec.Measure >= len(vals) {
		return nil
	}
	segKey := func(g int32) string {
		b := make([]byte, 0, 4*len(elems))
		for e := range elems {
			if e != d {
				b = binary.LittleEndian.AppendUint32(b, uint32(elems[e][g]))
			}
		}
		return string(b)
	}
	segments := map[string][]int32{}
	var order []string
	for _, g := range rows {
		k := segKey(g)
		if _, ok := segments[k]; !ok {
			order = append(order, k)
		}
		segments[k] = append(segments[k], g)
	}
	num := func(g int32) float64 {
		v := vals[spec.Measure][g]
		f, ok := v.AsNumber()
		if !ok || !v.HasNum() {
			return math.NaN()
		}
		return f
	}
	cmpOp := func(x, limit float64) bool {
		switch spec.Op {
		case LimitGE:
			return x >= limit
		case LimitLT:
			return x < limit
		case LimitLE:
			return x <= limit
		}
		return x > limit
	}
	keep := map[string]int32{}
	collapsed := false
	for _, k := range order {
		gs := slices.Clone(segments[k])
		slices.SortStableFunc(gs, func(a, b int32) int {
			fa, fb := num(a), num(b)
			switch {
			case math.IsNaN(fa) && math.IsNaN(fb):
				return 0
			case math.IsNaN(fa):
				return 1
			case math.IsNaN(fb):
				return -1
			}
			if spec.Ascending {
				return cmp.Compare(fa, fb)
			}
			return cmp.Compare(fb, fa)
		})
		total := 0.0
		for _, g := range gs {
			if f := num(g); !math.IsNaN(f) {
				total += f
			}
		}
		acc := 0.0
		for i, g := range gs {
			f := num(g)
			kept := false
			switch spec.Mode {
			case OtherCounted:
				kept = i < spec.Counted
			case OtherAbsLimited:
				kept = !math.IsNaN(f) && cmpOp(f, spec.Limit)
			case OtherRelLimited:
				kept = !math.IsNaN(f) && total != 0 && cmpOp(f/total, spec.Limit)
			case OtherAbsAccTarget, OtherRelAccTarget:
				target := spec.Limit
				if spec.Mode == OtherRelAccTarget {
					target *= total
				}
				kept = acc < target
				if !math.IsNaN(f) {
					acc += f
				}
			}
			e := elems[d][g]
			if kept || e < 0 {
				keep[k+string(binary.LittleEndian.AppendUint32(nil, uint32(e)))] = e
			} else {
				keep[k+string(binary.LittleEndian.AppendUint32(nil, uint32(e)))] = ElemOthers
				collapsed = true
			}
		}
	}
	if !collapsed {
		return nil
	}
	return keep
}

// othersRemap turns applyOthers' result into the function grouping uses:
// the element dimension d takes given every dimension's element.
func othersRemap(d int, keep map[string]int32) func(elems []int32) int32 {
	return func(elems []int32) int32 {
		b := make([]byte, 0, 4*len(elems))
		for e := range elems {
			if e != d {
				b = binary.LittleEndian.AppendUint32(b, uint32(elems[e]))
			}
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(elems[d]))
		if r, ok := keep[string(b)]; ok {
			return r
		}
		return ElemOthers
	}
}
