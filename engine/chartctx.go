package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
)

// Chart context functions (semantics §4.10): field functions that read the
// selection state, and inter-record functions (Above, Below, Top, Bottom,
// RowNo, NoOfRows, Rank, Dimensionality) that read the chart's other rows
// in display order, within the row's column segment (rows equal on every
// dimension but the last) unless TOTAL is given.

// rowCtx is the display order a measure's inter-record functions see.
type rowCtx struct {
	order    []int32 // display order of groups
	pos      map[int32]int
	segStart []int // per display index
	segEnd   []int // exclusive
}

func newRowCtx(order []int32, elems [][]int32, lastDim int) *rowCtx {
	rc := &rowCtx{order: order, pos: make(map[int32]int, len(order)),
		segStart: make([]int, len(order)), segEnd: make([]int, len(order))}
	for i, g := range order {
		rc.pos[g] = i
	}
	same := func(a, b int32) bool {
		for d := range elems {
			if d != lastDim && elems[d][a] != elems[d][b] {
				return false
			}
		}
		return true
	}
	start := 0
	for i := range order {
		if i > 0 && !same(order[i-1], order[i]) {
			for j := start; j < i; j++ {
				rc.segEnd[j] = i
			}
			start = i
		}
		rc.segStart[i] = start
	}
	for j := start; j < len(order); j++ {
		rc.segEnd[j] = len(order)
	}
	return rc
}

var interRecord = map[string]bool{
	"above": true, "below": true, "top": true, "bottom": true, "rowno": true, "noofrows": true,
	"rank": true, "hrank": true, "before": true, "after": true, "first": true, "last": true,
	"column": true, "columnno": true, "noofcolumns": true,
}

// hasInterRecord reports whether n calls an inter-record function.
func hasInterRecord(n expr.Node) bool {
	found := false
	expr.Inspect(n, func(x expr.Node) bool {
		if c, ok := x.(*expr.Call); ok && c.Func != nil && interRecord[strings.ToLower(c.Func.Name)] {
			found = true
		}
		return !found
	})
	return found
}

// CallContext implements the chart context functions for one group.
func (e *groupEnv) CallContext(call *expr.Call, dst []expr.Value) []expr.Value {
	name := strings.ToLower(call.Func.Name)
	arg := func(i int) expr.Value {
		if i < len(call.Args) {
			return expr.Eval(call.Args[i], e)
		}
		return expr.Null()
	}
	argInt := func(i, def int) int {
		if i >= len(call.Args) {
			return def
		}
		v := arg(i)
		if f, ok := v.AsNumber(); ok && v.HasNum() {
			return int(f)
		}
		return def
	}
	switch name {
	case "dimensionality":
		if e.gr == nil {
			return append(dst, expr.Num(0))
		}
		return append(dst, expr.Num(float64(len(e.gr.dims))))
	case "secondarydimensionality":
		return append(dst, expr.Num(0))
	case "getselectedcount", "getpossiblecount", "getexcludedcount", "getalternativecount",
		"getnotselectedcount", "getfieldselections", "getcurrentselections":
		return append(dst, e.c.fieldFunction(name, call, e))
	}
	rc := e.rows
	if rc == nil || e.gr == nil {
		return append(dst, expr.Null())
	}
	i, ok := rc.pos[int32(e.g)]
	if !ok {
		return append(dst, expr.Null())
	}
	lo, hi := rc.segStart[i], rc.segEnd[i]
	if call.Total {
		lo, hi = 0, len(rc.order)
	}
	at := func(j int, x expr.Node) expr.Value {
		if j < lo || j >= hi {
			return expr.Null()
		}
		saved := e.g
		e.g = int(rc.order[j])
		v := expr.Eval(x, e)
		e.g = saved
		return v
	}
	switch name {
	case "rowno":
		return append(dst, expr.Num(float64(i-lo+1)))
	case "noofrows":
		return append(dst, expr.Num(float64(hi-lo)))
	case "above", "below", "top", "bottom":
		if len(call.Args) == 0 {
			return append(dst, expr.Null())
		}
		off := argInt(1, 1)
		if name == "top" || name == "bottom" {
			off = argInt(1, 0)
		}
		count := argInt(2, 1)
		for k := 0; k < count; k++ {
			var j int
			switch name {
			case "above":
				j = i - off - k
			case "below":
				j = i + off + k
			case "top":
				j = lo + off + k
			case "bottom":
				j = hi - 1 - off - k
			}
			dst = append(dst, at(j, call.Args[0]))
		}
		return dst
	case "rank":
		if len(call.Args) == 0 {
			return append(dst, expr.Null())
		}
		vals := make([]expr.Value, 0, hi-lo)
		for j := lo; j < hi; j++ {
			vals = append(vals, at(j, call.Args[0]))
		}
		return append(dst, rankOf(vals, i-lo, argInt(1, 0), argInt(2, 0)))
	}
	return append(dst, expr.Null())
}

// rankOf ranks vals[self] among vals, highest first (semantics §4.10):
// mode 0 lowest/highest/average by where the tie group falls, 1 lowest,
// 2 average, 3 highest, 4 sequential; format 0 "low - high" for ties.
func rankOf(vals []expr.Value, self, mode, format int) expr.Value {
	v := vals[self]
	if v.IsNull() {
		return expr.Null()
	}
	idx := make([]int, len(vals))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return -expr.Compare(vals[a], vals[b]) })
	var lowRank, highRank, seq int
	for r, j := range idx {
		if j == self {
			seq = r + 1
		}
		if expr.Compare(vals[j], v) == 0 {
			if lowRank == 0 {
				lowRank = r + 1
			}
			highRank = r + 1
		}
	}
	n := len(vals)
	var num float64
	switch mode {
	case 1:
		num = float64(lowRank)
	case 2:
		num = float64(lowRank+highRank) / 2
	case 3:
		num = float64(highRank)
	case 4:
		num = float64(seq)
	default:
		switch {
		case highRank <= n/2:
			num = float64(lowRank)
		case lowRank > n/2:
			num = float64(highRank)
		default:
			num = float64(lowRank+highRank) / 2
		}
	}
	if lowRank == highRank || mode == 4 {
		return expr.Num(num)
	}
	switch format {
	case 1:
		return expr.Num(float64(lowRank))
	case 2:
		if seq == lowRank {
			return expr.Num(float64(lowRank))
		}
		return expr.Null()
	}
	return expr.Dual(num, fmt.Sprintf("%d - %d", lowRank, highRank))
}

// fieldFunction implements GetSelectedCount and the other functions that
// read a field's selection state.
func (c *chart) fieldFunction(name string, call *expr.Call, env expr.Env) expr.Value {
	arg := func(i int) expr.Value {
		if i < len(call.Args) {
			return expr.Eval(call.Args[i], env)
		}
		return expr.Null()
	}
	if name == "getcurrentselections" {
		var parts []string
		for _, fs := range c.st.Selections() {
			f := c.m.fields[fs.Field]
			parts = append(parts, f.Name+": "+c.selectionText(fs, ", ", 6))
		}
		return expr.Str(strings.Join(parts, "\n"))
	}
	var fname string
	if len(call.Args) > 0 {
		if ref, ok := call.Args[0].(*expr.FieldRef); ok {
			fname = ref.Name.Text // a field named, not evaluated
		} else {
			fname = arg(0).Text()
		}
	}
	f, ok := c.m.fieldByName[fname]
	if !ok {
		return expr.Null()
	}
	res, st := c.res, c.st
	stateArg := map[string]int{"getselectedcount": 2, "getnotselectedcount": 2, "getfieldselections": 3}[name]
	if stateArg == 0 {
		stateArg = 1
	}
	if sv := arg(stateArg); !sv.IsNull() && sv.Text() != "" {
		s2, err := c.s.State(sv.Text())
		if err != nil {
			return expr.Null()
		}
		st, res = s2, c.s.ResultFor(s2)
	}
	counts := res.Counts(f.Index)
	switch name {
	case "getselectedcount":
		n := counts.Selected + counts.Locked
		if v := arg(1); v.HasNum() {
			if x, _ := v.AsNumber(); x != 0 {
				n += counts.SelectedExcluded + counts.LockedExcluded
			}
		}
		return expr.Num(float64(n))
	case "getnotselectedcount":
		return expr.Num(float64(f.Cardinal() - counts.Selected - counts.Locked - counts.SelectedExcluded - counts.LockedExcluded))
	case "getpossiblecount":
		if st.sels[f.Index] != nil {
			return expr.Num(float64(counts.Selected + counts.Locked))
		}
		return expr.Num(float64(counts.Option))
	case "getexcludedcount":
		return expr.Num(float64(counts.Excluded + counts.SelectedExcluded + counts.LockedExcluded + counts.Alternative))
	case "getalternativecount":
		return expr.Num(float64(counts.Alternative))
	case "getfieldselections":
		fs := st.sels[f.Index]
		if fs == nil {
			return expr.Null()
		}
		sep := ", "
		if v := arg(1); !v.IsNull() {
			sep = v.Text()
		}
		maxN := 6
		if v := arg(2); v.HasNum() {
			x, _ := v.AsNumber()
			maxN = int(x)
		}
		return expr.Str(c.selectionText(fs, sep, maxN))
	}
	return expr.Null()
}

// selectionText lists a field's selected values as Qlik shows them: the
// values (in text order) up to max, else "N of M".
func (c *chart) selectionText(fs *FieldSelection, sep string, max int) string {
	f := c.m.fields[fs.Field]
	ids := fs.Symbols(nil)
	if len(ids) > max {
		return fmt.Sprintf("%d of %d", len(ids), f.Cardinal())
	}
	texts := make([]string, len(ids))
	for i, id := range ids {
		texts[i] = f.Symbols.Text(id)
	}
	slices.SortFunc(texts, func(a, b string) int { return cmp.Compare(a, b) })
	return strings.Join(texts, sep)
}
