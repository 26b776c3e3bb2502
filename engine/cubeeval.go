package engine

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/internal/bitset"
)

// CubeCached returns the cube of def from the session's cache when the
// same definition (identified by key, e.g. its JSON) was computed for the
// same selection states, history and variables (varsVersion); otherwise
// it computes and caches it. Fetching another page of a cube is then free.
func (s *Session) CubeCached(key string, varsVersion uint64, def *CubeDef) (*Cube, error) {
	full := s.cubeKey(key, varsVersion)
	if def.DataState != nil {
		full = fmt.Sprintf("data=%d|%s", def.DataState.Version(), full)
	}
	s.cacheMu.Lock()
	if c, ok := s.cubes[full]; ok {
		s.cacheMu.Unlock()
		return c, nil
	}
	s.cacheMu.Unlock()
	c, err := s.Cube(def)
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	if s.cubes == nil {
		s.cubes = map[string]*Cube{}
	}
	if _, ok := s.cubes[full]; !ok {
		s.cubes[full] = c
		s.cubeLRU = append(s.cubeLRU, full)
		if len(s.cubeLRU) > cubeCacheSize {
			delete(s.cubes, s.cubeLRU[0])
			s.cubeLRU = s.cubeLRU[1:]
		}
	}
	s.cacheMu.Unlock()
	return c, nil
}

const cubeCacheSize = 64

// cubeKey identifies a definition under the current selection states.
func (s *Session) cubeKey(key string, varsVersion uint64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d/%d", varsVersion, len(s.back), len(s.fwd))
	for _, name := range s.names {
		fmt.Fprintf(&b, "/%s=%d", name, s.states[name].version)
	}
	b.WriteString("|")
	b.WriteString(key)
	return b.String()
}

// Cube computes a straight hypercube in the session's current selections
// (semantics §3.2): the distinct dimension combinations of the possible
// data, the measures per row, suppression, totals and sort order. Measure
// errors do not fail the cube: they are reported per measure in
// Cube.Errors; a dimension error or a cube over its row limit fails it.
func (s *Session) Cube(def *CubeDef) (*Cube, error) {
	vars := def.Variables
	if vars == nil {
		vars = s.opts.Variables
	}
	c, err := s.newChart(def.State, vars, def.MaxRows)
	if err != nil {
		return nil, err
	}
	if def.DataState == nil {
		return c.cube(def)
	}
	shown := c.res
	c.st, c.res = def.DataState, s.ResultFor(def.DataState)
	cb, err := c.cube(def)
	if err != nil {
		return nil, err
	}
	cb.Result = shown
	return cb, nil
}

// KeepSelections returns the current selections of state with the
// selections of fields replaced by those they had in base (removed where
// base had none): the data state of an object in selection mode, whose
// own fields' new selections mark values as selected without removing the
// others from its rows.
func (s *Session) KeepSelections(state string, base *State, fields []string) (*State, error) {
	st, err := s.State(state)
	if err != nil {
		return nil, err
	}
	out := st
	for _, name := range fields {
		f, err := s.m.Field(name)
		if err != nil {
			continue // calculated or unknown: nothing to keep
		}
		var set bitset.Set
		var locked bool
		var search string
		if fs := base.Selection(f.Index); fs != nil {
			set, locked, search = fs.set, fs.Locked, fs.Search
		}
		if cur := out.Selection(f.Index); cur == nil && set == nil {
			continue
		}
		out = out.with(f.Index, set, locked, search)
	}
	return out, nil
}

func (c *chart) cube(def *CubeDef) (*Cube, error) {
	cb := &Cube{Def: def, Result: c.res}
	dims := make([]dimSpec, len(def.Dims))
	for i, d := range def.Dims {
		if len(d.Field) > 0 && d.Field[0] == '=' {
			n, err := parseExpr(d.Field, c.variable, c.evalText)
			if err != nil {
				return nil, fmt.Errorf("dimension %d: %w", i, err)
			}
			dims[i] = dimSpec{field: -1, calc: n}
			cb.DimFields = append(cb.DimFields, nil)
			continue
		}
		f, err := c.m.Field(d.Field)
		if err != nil {
			return nil, fmt.Errorf("dimension %d: %w", i, err)
		}
		dims[i] = dimSpec{field: f.Index}
		cb.DimFields = append(cb.DimFields, f)
	}
	nodes := make([]expr.Node, len(def.Measures))
	cb.Errors = make([]error, len(def.Measures))
	var valid []expr.Node
	for i, m := range def.Measures {
		n, err := parseExpr(m.Expr, c.variable, c.evalText)
		if err != nil {
			cb.Errors[i] = err
			continue
		}
		nodes[i] = n
		valid = append(valid, n)
	}
	p := c.plan(dims, valid)
	gr := newGroups(dims)
	switch {
	case len(dims) == 0:
		gr.lookup(nil, true)
	case !c.noFast && c.fastCube(p, gr, valid):
	default:
		if _, _, err := c.group(p, c.res, gr, true); err != nil {
			return nil, err
		}
	}
	cb.Totals = make([]expr.Value, len(def.Measures))
	keep := c.fillRows(cb, def, nodes, gr, p, true)
	// Dimension limits: collapse the values beyond the limit into Others
	// and compute the rows again with them grouped.
	if d := othersDim(def); d >= 0 && len(def.Measures) > 0 {
		if kept := applyOthers(def, d, cb.Elem, cb.Values, keep); kept != nil {
			oc := &chart{s: c.s, m: c.m, st: c.st, res: c.res, vars: c.vars, limit: c.limit, noFast: true,
				remap: othersRemap(d, kept), remapDim: d,
				totals: map[*expr.AggCall]expr.Value{}, setCache: map[*expr.SetExpr]recordSet{}}
			gr2 := newGroups(dims)
			gr2.remapped = true
			if _, _, err := oc.group(p, oc.res, gr2, true); err != nil {
				return nil, err
			}
			totals := cb.Totals
			keep = oc.fillRows(cb, def, nodes, gr2, p, false)
			cb.Totals = totals
			if def.Dims[d].Others.Suppress {
				keep = slices.DeleteFunc(keep, func(g int32) bool { return cb.Elem[d][g] == ElemOthers })
			}
			cb.HasOthers = slices.ContainsFunc(keep, func(g int32) bool { return cb.Elem[d][g] == ElemOthers })
			gr, c = gr2, oc
		}
	}
	cb.DimCalc = gr.calcVal
	cb.Order = c.sortRows(cb, def, keep)
	// Measures with inter-record functions see the sorted rows.
	lastDim := len(dims) - 1
	for _, col := range def.SortOrder {
		if col >= 0 && col < len(dims) {
			lastDim = col
		}
	}
	var rc *rowCtx
	for i, n := range nodes {
		if n == nil || cb.Errors[i] != nil || !hasInterRecord(n) {
			continue
		}
		if rc == nil {
			rc = newRowCtx(cb.Order, cb.Elem, lastDim)
		}
		vals, err := c.evalMeasureRows(n, gr, p, rc)
		if err != nil {
			cb.Errors[i] = err
			continue
		}
		cb.Values[i] = vals
	}
	return cb, nil
}

// fillRows evaluates the measures for every group of gr into cb (and the
// totals when withTotals), fills cb.Elem and returns the rows kept after
// suppression.
func (c *chart) fillRows(cb *Cube, def *CubeDef, nodes []expr.Node, gr *groups, p *evalPlan, withTotals bool) []int32 {
	cb.Values = make([][]expr.Value, len(def.Measures))
	for i, n := range nodes {
		if n == nil {
			cb.Values[i] = make([]expr.Value, len(gr.elems))
			continue
		}
		vals, err := c.evalMeasure(n, gr, p)
		if err != nil {
			cb.Errors[i] = err
			cb.Values[i] = make([]expr.Value, len(gr.elems))
			continue
		}
		cb.Values[i] = vals
		if withTotals {
			tot, err := c.evalMeasure(n, nil, p)
			if err == nil && len(tot) > 0 {
				cb.Totals[i] = tot[0]
			}
		}
	}
	var keep []int32
	for g, el := range gr.elems {
		drop := false
		for d, e := range el {
			if e == -2 && def.Dims[d].NullSuppression {
				drop = true
			}
		}
		if !drop && len(def.Measures) > 0 && (def.SuppressZero || def.SuppressMissing) {
			all := true
			for i := range def.Measures {
				v := cb.Values[i][g]
				if def.SuppressZero {
					if f, ok := v.AsNumber(); !(v.IsNull() || (ok && v.HasNum() && f == 0)) {
						all = false
					}
				} else if !v.IsNull() {
					all = false
				}
			}
			drop = all
		}
		if !drop {
			keep = append(keep, int32(g))
		}
	}
	cb.Elem = make([][]int32, len(gr.dims))
	for d := range gr.dims {
		cb.Elem[d] = make([]int32, len(gr.elems))
		for g, el := range gr.elems {
			cb.Elem[d][g] = el[d]
		}
	}
	return keep
}

// evalText evaluates $(=expr) during expansion.
func (c *chart) evalText(src string) (expr.Value, error) {
	n, err := parseExpr(src, c.variable, c.evalText)
	if err != nil {
		return expr.Value{}, err
	}
	p := c.plan(nil, []expr.Node{n})
	vals, err := c.evalMeasure(n, nil, p)
	if err != nil || len(vals) == 0 {
		return expr.Null(), err
	}
	return vals[0], nil
}

// ValuesByElement evaluates an expression once per value of field, with
// that field as the only dimension (sort-by-expression, expression
// searches), and returns a lookup by symbol id: NaN for values without a
// row or a numeric result.
func (s *Session) ValuesByElement(state, field, src string) (func(id uint32) float64, error) {
	c, err := s.Cube(&CubeDef{State: state, Dims: []CubeDim{{Field: field}}, Measures: []CubeMeasure{{Expr: src}}})
	if err != nil {
		return nil, err
	}
	if c.Errors[0] != nil {
		return nil, c.Errors[0]
	}
	vals := map[uint32]float64{}
	for _, r := range c.Order {
		e := c.Elem[0][r]
		if e < 0 {
			continue
		}
		v := c.Values[0][r]
		if f, ok := v.AsNumber(); ok && v.HasNum() {
			vals[uint32(e)] = f
		}
	}
	return func(id uint32) float64 {
		if f, ok := vals[id]; ok {
			return f
		}
		return math.NaN()
	}, nil
}

// Evaluate evaluates an expression in the named state without dimensions
// (Doc.Evaluate): aggregations run over all possible records.
func (s *Session) Evaluate(state, src string) (expr.Value, error) {
	c, err := s.newChart(state, s.opts.Variables, 0)
	if err != nil {
		return expr.Value{}, err
	}
	return c.evalText(src)
}

// sortRows orders the kept rows by the columns in sort priority.
func (c *chart) sortRows(cb *Cube, def *CubeDef, rows []int32) []int32 {
	nd, nm := len(def.Dims), len(def.Measures)
	var cols []int
	seen := map[int]bool{}
	for _, col := range def.SortOrder {
		if col >= 0 && col < nd+nm && !seen[col] {
			cols = append(cols, col)
			seen[col] = true
		}
	}
	for col := 0; col < nd+nm; col++ {
		if !seen[col] {
			cols = append(cols, col)
		}
	}
	// Per dimension: a rank per element from its criteria.
	ranks := make([]map[int32]int, nd)
	for d := range def.Dims {
		ranks[d] = c.dimRanks(cb, d, def.Dims[d].Sort)
	}
	slices.SortStableFunc(rows, func(a, b int32) int {
		for _, col := range cols {
			if col < nd {
				ea, eb := cb.Elem[col][a], cb.Elem[col][b]
				if ea == eb {
					continue
				}
				// Others, then NULL rows, after all others, whatever the
				// direction.
				switch {
				case ea == ElemOthers:
					return 1
				case eb == ElemOthers:
					return -1
				case ea == -2:
					return 1
				case eb == -2:
					return -1
				}
				if r := cmp.Compare(ranks[col][ea], ranks[col][eb]); r != 0 {
					return r
				}
				continue
			}
			m := col - nd
			sc := def.Measures[m].Sort
			dir := sc.Numeric
			if dir == 0 {
				continue
			}
			va, oka := cb.Values[m][a].AsNumber()
			vb, okb := cb.Values[m][b].AsNumber()
			oka = oka && cb.Values[m][a].HasNum() && !math.IsNaN(va)
			okb = okb && cb.Values[m][b].HasNum() && !math.IsNaN(vb)
			switch {
			case !oka && !okb:
				continue
			case !oka:
				return 1
			case !okb:
				return -1
			}
			if r := cmp.Compare(va, vb) * dir; r != 0 {
				return r
			}
		}
		return 0
	})
	return rows
}

// dimRanks ranks the elements of dimension d by its sort criteria.
func (c *chart) dimRanks(cb *Cube, d int, sc SortCriteria) map[int32]int {
	ranks := map[int32]int{}
	f := cb.DimFields[d]
	if f == nil {
		vals := cb.DimCalc[d]
		idx := make([]int32, len(vals))
		for i := range idx {
			idx[i] = int32(i)
		}
		slices.SortStableFunc(idx, func(a, b int32) int {
			va, vb := vals[a], vals[b]
			if sc.Numeric != 0 {
				na, oka := va.AsNumber()
				nb, okb := vb.AsNumber()
				oka, okb = oka && va.HasNum(), okb && vb.HasNum()
				switch {
				case oka && okb && na != nb:
					return cmp.Compare(na, nb) * sc.Numeric
				case oka && !okb:
					return -1
				case okb && !oka:
					return 1
				}
			}
			if sc.Ascii != 0 {
				if r := compareText(va.Text(), vb.Text()); r != 0 {
					return r * sc.Ascii
				}
			}
			if sc.LoadOrder < 0 {
				return cmp.Compare(b, a)
			}
			return cmp.Compare(a, b)
		})
		for pos, e := range idx {
			ranks[e] = pos
		}
		return ranks
	}
	lo := &ListObject{Field: f, Result: c.res, States: c.res.FieldStates(f.Index)}
	if sc.Frequency != 0 {
		lo.Freq = c.res.Frequencies(f.Index)
	}
	if sc.Expression != 0 && sc.ExpressionValue == nil && cb.Def.Dims[d].SortExpr != "" {
		if fn, err := c.s.ValuesByElement(c.st.name, f.Name, cb.Def.Dims[d].SortExpr); err == nil {
			sc.ExpressionValue = fn
		}
	}
	for pos, id := range lo.sortOrder(ListDef{Sort: sc}) {
		ranks[int32(id)] = pos
	}
	return ranks
}
