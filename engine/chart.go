package engine

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
)

// chart evaluates chart expressions for one session and selection state:
// hypercubes, single expressions (Evaluate), set expressions and
// expression searches.
type chart struct {
	s     *Session
	m     *Model
	st    *State
	res   *Result
	vars  func(string) (expr.Value, bool)
	limit int
	// noFast forces the general path (tests compare both).
	noFast bool
	// remap collapses values of dimension remapDim into Others for the
	// groups marked remapped (see others.go).
	remap    func(elems []int32) int32
	remapDim int
	// depth counts variable evaluations in progress (definitions that use
	// variables), so a cycle ends.
	depth int

	mu       sync.Mutex
	pre      map[*expr.AggCall][]expr.Value // per group, from the fused fast pass
	totals   map[*expr.AggCall]expr.Value
	setCache map[*expr.SetExpr]recordSet
}

func (s *Session) newChart(state string, vars func(string) (expr.Value, bool), limit int) (*chart, error) {
	st, err := s.State(state)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = DefaultMaxCubeRows
	}
	return &chart{s: s, m: s.m, st: st, res: s.ResultFor(st), vars: vars, limit: limit,
		totals: map[*expr.AggCall]expr.Value{}, setCache: map[*expr.SetExpr]recordSet{}}, nil
}

// dimSpec is one grouping dimension of an evaluation: a field or a
// calculated expression.
type dimSpec struct {
	field int       // -1 for calculated
	calc  expr.Node // calculated dimension
}

// groups is the result of grouping V by dimensions: per group the element
// of every dimension, and per tuple its group.
type groups struct {
	dims    []dimSpec
	elems   [][]int32 // [group][dim]
	index   map[string]int32
	calcVal [][]expr.Value // per calculated dim: values by element
	calcIdx []map[string]int32

	fast     *fastFrame // set when the rows were built by the fast path
	fastPlan *evalPlan
	remapped bool // the chart's Others remap applies to these groups
}

func (g *groups) key(elems []int32) string {
	b := make([]byte, 4*len(elems))
	for i, e := range elems {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(e))
	}
	return string(b)
}

func (g *groups) lookup(elems []int32, create bool) int32 {
	k := g.key(elems)
	if id, ok := g.index[k]; ok {
		return id
	}
	if !create {
		return -1
	}
	id := int32(len(g.elems))
	g.index[k] = id
	g.elems = append(g.elems, append([]int32(nil), elems...))
	return id
}

// evalPlan is the shared structure of one evaluation: the join tree over
// every table the dimensions and aggregations touch.
type evalPlan struct {
	jt    *joinTree
	nodes map[int]bool
}

// fieldsOf returns the model fields referenced by n (outside nested
// aggregations when skipAgg is set).
func (c *chart) fieldsOf(n expr.Node, skipAgg bool) []int {
	var out []int
	seen := map[int]bool{}
	expr.Inspect(n, func(x expr.Node) bool {
		switch x := x.(type) {
		case *expr.AggCall:
			if skipAgg {
				return false
			}
			for _, d := range x.Dims {
				if f, ok := c.m.fieldByName[d.Field.Text]; ok && !seen[f.Index] {
					seen[f.Index] = true
					out = append(out, f.Index)
				}
			}
		case *expr.FieldRef:
			if f, ok := c.m.fieldByName[x.Name.Text]; ok && !seen[f.Index] {
				seen[f.Index] = true
				out = append(out, f.Index)
			}
		}
		return true
	})
	return out
}

// plan builds the join tree for dimensions and expressions.
func (c *chart) plan(dims []dimSpec, exprs []expr.Node) *evalPlan {
	g := &c.m.g
	var want []int
	// Every table holding a referenced field is part of H (§3.2 step 3).
	add := func(f int) {
		for _, n32 := range g.fieldNodes[f] {
			n := int(n32)
			if !slices.Contains(want, n) {
				want = append(want, n)
			}
		}
	}
	root, rootRows := -1, -1
	for _, e := range exprs {
		for _, f := range c.fieldsOf(e, false) {
			add(f)
			n := int(g.fieldNodes[f][0])
			if g.nodes[n].rows > rootRows {
				root, rootRows = n, g.nodes[n].rows
			}
		}
	}
	for _, d := range dims {
		if d.field >= 0 {
			add(d.field)
			if root < 0 && len(g.fieldNodes[d.field]) > 0 {
				root = int(g.fieldNodes[d.field][0])
			}
		} else {
			for _, f := range c.fieldsOf(d.calc, false) {
				add(f)
			}
		}
	}
	if root < 0 && len(want) > 0 {
		root = want[0]
	}
	jt := c.m.joinTreeFor(want, root)
	p := &evalPlan{jt: jt, nodes: map[int]bool{}}
	for _, n := range jt.nodes {
		p.nodes[n] = true
	}
	return p
}

// rowEnv evaluates an expression on one tuple of V.
type rowEnv struct {
	c     *chart
	tp    *tuples
	row   []int32
	slots map[int]fieldSlot // FieldRef.Index -> field position
}

type fieldSlot struct {
	field int
	pos   []int // tuple positions of nodes holding the field
}

func (c *chart) newRowEnv(tp *tuples) *rowEnv {
	return &rowEnv{c: c, tp: tp, slots: map[int]fieldSlot{}}
}

func (e *rowEnv) slot(ref *expr.FieldRef) (fieldSlot, bool) {
	if s, ok := e.slots[ref.Index]; ok && ref.Index >= 0 {
		return s, s.field >= 0
	}
	f, ok := e.c.m.fieldByName[ref.Name.Text]
	s := fieldSlot{field: -1}
	if ok {
		s.field = f.Index
		for n, p := range e.tp.pos {
			for _, fi := range e.c.m.g.nodes[n].fields {
				if fi == f.Index {
					s.pos = append(s.pos, p)
				}
			}
		}
	}
	if ref.Index >= 0 {
		e.slots[ref.Index] = s
	}
	return s, ok
}

// Field returns the field's value in the current tuple.
func (e *rowEnv) Field(ref *expr.FieldRef) (expr.Value, bool) {
	s, ok := e.slot(ref)
	if !ok {
		return expr.Value{}, false
	}
	g := &e.c.m.g
	for _, p := range s.pos {
		r := e.row[p]
		if r < 0 {
			continue
		}
		n := e.tp.jt.nodes[p]
		code := g.colOf(n, s.field).Code(int(r))
		if code == 0 {
			return expr.Null(), true
		}
		return expr.FromDual(e.c.m.fields[s.field].Symbols.Dual(code - 1)), true
	}
	return expr.Null(), true
}

// Variable resolves a variable.
func (e *rowEnv) Variable(name string) (expr.Value, bool) { return e.c.variable(name) }

// Aggregate evaluates a nested aggregation: only TOTAL without fields is
// defined inside another aggregation (it does not depend on the row).
func (e *rowEnv) Aggregate(call *expr.AggCall) expr.Value { return e.c.total(call) }

// hasVariable reports whether a variable exists, without evaluating it.
func (c *chart) hasVariable(name string) bool {
	if c.vars == nil {
		return false
	}
	_, ok := c.vars(name)
	return ok
}

// maxVariableDepth bounds variables whose definitions use variables.
const maxVariableDepth = 32

// variable resolves a variable: its value, or, for a definition starting
// with "=", the value of that expression evaluated in the chart's state
// (semantics §4.2, §7.3).
func (c *chart) variable(name string) (expr.Value, bool) {
	if c.vars == nil {
		return expr.Value{}, false
	}
	v, ok := c.vars(name)
	if !ok || v.HasNum() || !strings.HasPrefix(strings.TrimSpace(v.Text()), "=") {
		return v, ok
	}
	if c.depth >= maxVariableDepth {
		return expr.Null(), true
	}
	c.depth++
	defer func() { c.depth-- }()
	r, err := c.evalText(strings.TrimSpace(v.Text())[1:])
	if err != nil {
		return expr.Null(), true
	}
	return r, true
}

// total evaluates an aggregation over the whole set, ignoring dimensions.
func (c *chart) total(call *expr.AggCall) expr.Value {
	c.mu.Lock()
	v, ok := c.totals[call]
	c.mu.Unlock()
	if ok {
		return v
	}
	vals, err := c.aggregate(call, nil, nil, true)
	v = expr.Null()
	if err == nil && len(vals) > 0 {
		v = vals[0]
	}
	c.mu.Lock()
	c.totals[call] = v
	c.mu.Unlock()
	return v
}

// setFor returns the record set an aggregation iterates: its own set
// expression merged over the outer ones, or the chart's state.
func (c *chart) setFor(call *expr.AggCall) (recordSet, error) {
	sets := append([]*expr.SetExpr(nil), call.Outer...)
	if call.Set != nil {
		sets = append(sets, call.Set)
	}
	if call.Scope == expr.ScopeAll {
		return c.s.ResultFor(newState(c.st.name)), nil
	}
	if len(sets) == 0 {
		return c.res, nil
	}
	return c.evalSets(sets)
}

// group evaluates V under a record set, grouped by dims. create controls
// whether unseen groups are added (the chart's own rows) or skipped (sets
// of aggregations only contribute to existing rows).
func (c *chart) group(p *evalPlan, rs recordSet, gr *groups, create bool) (*tuples, []int32, error) {
	tp, err := c.tuplesFor(p, rs)
	if err != nil {
		return nil, nil, err
	}
	env := c.newRowEnv(tp)
	n := tp.len()
	of := make([]int32, n)
	elems := make([]int32, len(gr.dims))
	for i := 0; i < n; i++ {
		env.row = tp.at(i)
		for d, ds := range gr.dims {
			elems[d] = c.dimElem(env, gr, d, ds)
		}
		if c.remap != nil && gr.remapped {
			elems[c.remapDim] = c.remap(elems)
		}
		of[i] = gr.lookup(elems, create)
		if create && len(gr.elems) > c.limit {
			return nil, nil, fmt.Errorf("more than %d rows: %w", c.limit, ErrCubeTooLarge)
		}
	}
	return tp, of, nil
}

func (c *chart) tuplesFor(p *evalPlan, rs recordSet) (tp *tuples, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(errTooLarge); ok {
				err = fmt.Errorf("%w", e)
				return
			}
			panic(r)
		}
	}()
	return c.m.enumerateTuples(p.jt, rs, c.limit, false)
}

// dimElem returns the element of dimension d in the current tuple.
func (c *chart) dimElem(env *rowEnv, gr *groups, d int, ds dimSpec) int32 {
	if ds.field >= 0 {
		ref := &expr.FieldRef{Name: expr.Name{Text: c.m.fields[ds.field].Name}, Index: -1 - d}
		v, _ := env.Field(ref)
		if v.IsNull() {
			return -2
		}
		var id uint32
		var ok bool
		f := c.m.fields[ds.field]
		if v.HasNum() {
			num, _ := v.AsNumber()
			id, ok = f.Symbols.LookupNum(num)
		} else {
			id, ok = f.Symbols.LookupText(v.Text())
		}
		if !ok {
			return -2
		}
		return int32(id)
	}
	v := expr.Eval(ds.calc, env)
	if v.IsNull() {
		return -2
	}
	k := valueKey(v)
	idx := gr.calcIdx[d]
	if e, ok := idx[k]; ok {
		return e
	}
	e := int32(len(gr.calcVal[d]))
	idx[k] = e
	gr.calcVal[d] = append(gr.calcVal[d], v)
	return e
}

func newGroups(dims []dimSpec) *groups {
	g := &groups{dims: dims, index: map[string]int32{},
		calcVal: make([][]expr.Value, len(dims)), calcIdx: make([]map[string]int32, len(dims))}
	for i := range dims {
		g.calcIdx[i] = map[string]int32{}
	}
	return g
}

// aggregate computes call for every group of gr (nil gr, or total, gives
// one group over everything). mainTuples/mainOf are the chart's own tuples
// and groups, reused when the aggregation has no set of its own.
func (c *chart) aggregate(call *expr.AggCall, gr *groups, p *evalPlan, total bool) ([]expr.Value, error) {
	rs, err := c.setFor(call)
	if err != nil {
		return nil, err
	}
	if call.Scope != expr.ScopeRow && len(call.ScopeFields) == 0 {
		total = true
	}
	if call.IsAggr() {
		return c.aggr(call, gr, rs, total)
	}
	if inner := topAggrs(call); len(inner) > 0 {
		return c.overAggr(call, inner[0], gr, rs, total)
	}
	if !c.noFast {
		if vals, ok := c.pre[call]; ok && gr != nil && !total && len(vals) == len(gr.elems) {
			return vals, nil
		}
		if gr == nil || total {
			c.mu.Lock()
			v, ok := c.totals[call]
			c.mu.Unlock()
			if ok {
				return spread(v, gr), nil
			}
		}
		if vals, ok := c.fastAggregate(call, gr, rs, total); ok {
			return vals, nil
		}
	}
	// The dimensions this aggregation groups by.
	var dims []dimSpec
	var subOf func(elems []int32) []int32 // main group elems -> sub elems
	switch {
	case total || gr == nil:
	case call.Scope != expr.ScopeRow: // TOTAL <fields>
		var keep []int
		for _, sf := range call.ScopeFields {
			for d, ds := range gr.dims {
				if ds.field >= 0 && c.m.fields[ds.field].Name == sf.Text {
					keep = append(keep, d)
				}
			}
		}
		for _, d := range keep {
			dims = append(dims, gr.dims[d])
		}
		subOf = func(elems []int32) []int32 {
			out := make([]int32, len(keep))
			for i, d := range keep {
				out[i] = elems[d]
			}
			return out
		}
	default:
		dims = gr.dims
	}
	exprs := append([]expr.Node(nil), call.Args...)
	pl := c.plan(dims, exprs)
	sub := newGroups(dims)
	if gr != nil && subOf == nil && !total {
		sub = gr // same dimensions: share element numbering
	}
	tp, of, err := c.group(pl, rs, sub, sub != gr)
	if err != nil {
		return nil, err
	}
	// Records: distinct combinations of the rows of the nodes holding the
	// aggregation's fields, per group.
	var fields []int
	for _, a := range call.Args {
		for _, f := range c.fieldsOf(a, true) {
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
		}
	}
	var recPos []int
	for _, f := range fields {
		for _, n := range c.m.g.fieldNodes[f] {
			if p, ok := tp.pos[int(n)]; ok && !slices.Contains(recPos, p) {
				recPos = append(recPos, p)
			}
		}
	}
	if len(recPos) == 0 && len(tp.jt.nodes) > 0 {
		recPos = []int{0}
	}
	nsub := len(sub.elems)
	args := make([][][]expr.Value, max(1, nsub))
	seen := map[string]bool{}
	env := c.newRowEnv(tp)
	key := make([]byte, 4+4*len(recPos))
	for i := 0; i < tp.len(); i++ {
		g := of[i]
		if g < 0 {
			continue
		}
		row := tp.at(i)
		present := false
		binary.LittleEndian.PutUint32(key, uint32(g))
		for j, pos := range recPos {
			binary.LittleEndian.PutUint32(key[4+4*j:], uint32(row[pos]))
			if row[pos] >= 0 {
				present = true
			}
		}
		if !present || seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		env.row = row
		if args[g] == nil {
			args[g] = make([][]expr.Value, len(call.Args))
		}
		for a, an := range call.Args {
			args[g][a] = append(args[g][a], expr.Eval(an, env))
		}
	}
	name := call.Func.Name
	distinct := call.Distinct == expr.Distinct
	subVals := make([]expr.Value, max(1, nsub))
	for g := range subVals {
		a := args[g]
		if a == nil {
			a = make([][]expr.Value, len(call.Args))
		}
		subVals[g] = reduceValues(name, distinct, a)
	}
	if total || gr == nil {
		v := subVals[0]
		if nsub == 0 {
			v = reduceValues(name, distinct, make([][]expr.Value, len(call.Args)))
		}
		return spread(v, gr), nil
	}
	if subOf == nil {
		out := make([]expr.Value, len(gr.elems))
		copy(out, subVals)
		for g := nsub; g < len(out); g++ {
			out[g] = reduceValues(name, distinct, make([][]expr.Value, len(call.Args)))
		}
		return out, nil
	}
	out := make([]expr.Value, len(gr.elems))
	empty := reduceValues(name, distinct, make([][]expr.Value, len(call.Args)))
	for g, el := range gr.elems {
		if id := sub.lookup(subOf(el), false); id >= 0 {
			out[g] = subVals[id]
		} else {
			out[g] = empty
		}
	}
	return out, nil
}

// spread returns v for every group of gr (one value when gr is nil).
func spread(v expr.Value, gr *groups) []expr.Value {
	n := 1
	if gr != nil {
		n = max(1, len(gr.elems))
	}
	out := make([]expr.Value, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// topAggrs returns the Aggr calls in an aggregation's arguments that are
// not inside another aggregation.
func topAggrs(call *expr.AggCall) []*expr.AggCall {
	var out []*expr.AggCall
	for _, a := range call.Args {
		expr.Inspect(a, func(n expr.Node) bool {
			if ac, ok := n.(*expr.AggCall); ok {
				if ac.IsAggr() {
					out = append(out, ac)
				}
				return false
			}
			return true
		})
	}
	return out
}

// overAggr evaluates an aggregation whose argument contains Aggr(): its
// records are the rows of Aggr's virtual table.
func (c *chart) overAggr(call, aggrCall *expr.AggCall, gr *groups, rs recordSet, total bool) ([]expr.Value, error) {
	if aggrCall.Set != nil || len(aggrCall.Outer) > 0 {
		r, err := c.setFor(aggrCall)
		if err != nil {
			return nil, err
		}
		rs = r
	}
	vals, owner, err := c.aggrTable(aggrCall, gr, rs, total)
	if err != nil {
		return nil, err
	}
	n := 1
	if gr != nil && !total {
		n = max(1, len(gr.elems))
	}
	args := make([][][]expr.Value, n)
	env := &virtualEnv{c: c, call: aggrCall}
	for i, v := range vals {
		g := owner[i]
		if g < 0 || int(g) >= n {
			continue
		}
		env.v = v
		if args[g] == nil {
			args[g] = make([][]expr.Value, len(call.Args))
		}
		for a, an := range call.Args {
			args[g][a] = append(args[g][a], expr.Eval(an, env))
		}
	}
	out := make([]expr.Value, n)
	for g := range out {
		a := args[g]
		if a == nil {
			a = make([][]expr.Value, len(call.Args))
		}
		out[g] = reduceValues(call.Func.Name, call.Distinct == expr.Distinct, a)
	}
	if total && gr != nil {
		return spread(out[0], gr), nil
	}
	return out, nil
}

// virtualEnv evaluates an outer aggregation's argument on one row of an
// Aggr virtual table.
type virtualEnv struct {
	c    *chart
	call *expr.AggCall
	v    expr.Value
}

func (e *virtualEnv) Field(*expr.FieldRef) (expr.Value, bool) { return expr.Null(), false }

func (e *virtualEnv) Variable(name string) (expr.Value, bool) { return e.c.variable(name) }

func (e *virtualEnv) Aggregate(call *expr.AggCall) expr.Value {
	if call == e.call {
		return e.v
	}
	return e.c.total(call)
}

// aggr evaluates Aggr(expr, dims...) for every group: the virtual table of
// expr over the chart dimensions plus Aggr's own, each value then belongs
// to the chart row it projects onto. As a top-level measure an Aggr gives
// the single value of the row (NULL when several).
func (c *chart) aggr(call *expr.AggCall, gr *groups, rs recordSet, total bool) ([]expr.Value, error) {
	vals, owner, err := c.aggrTable(call, gr, rs, total)
	if err != nil {
		return nil, err
	}
	n := 1
	if gr != nil && !total {
		n = len(gr.elems)
	}
	per := make([][][]expr.Value, n)
	for i, v := range vals {
		g := owner[i]
		if g < 0 || int(g) >= n {
			continue
		}
		if per[g] == nil {
			per[g] = [][]expr.Value{nil}
		}
		per[g][0] = append(per[g][0], v)
	}
	out := make([]expr.Value, n)
	for g := range out {
		if per[g] == nil {
			out[g] = expr.Null()
			continue
		}
		out[g] = reduceValues("only", false, per[g])
	}
	return out, nil
}

// aggrTable computes Aggr's virtual table: one value per combination of the
// chart dimensions (unless total) and Aggr's dimensions, with the chart
// group each value belongs to.
func (c *chart) aggrTable(call *expr.AggCall, gr *groups, rs recordSet, total bool) ([]expr.Value, []int32, error) {
	var dims []dimSpec
	nmain := 0
	if gr != nil && !total {
		dims = append(dims, gr.dims...)
		nmain = len(gr.dims)
	}
	for _, d := range call.Dims {
		f, ok := c.m.fieldByName[d.Field.Text]
		if !ok {
			return nil, nil, fmt.Errorf("Aggr dimension %q: %w", d.Field.Text, ErrFieldNotFound)
		}
		dims = append(dims, dimSpec{field: f.Index})
	}
	inner := newGroups(dims)
	pl := c.plan(dims, call.Args)
	if _, _, err := c.group(pl, rs, inner, true); err != nil {
		return nil, nil, err
	}
	sub := &chart{s: c.s, m: c.m, st: c.st, res: c.res, vars: c.vars, limit: c.limit,
		totals: c.totals, setCache: c.setCache}
	vals, err := sub.evalMeasure(call.Args[0], inner, pl)
	if err != nil {
		return nil, nil, err
	}
	owner := make([]int32, len(vals))
	for i, el := range inner.elems {
		if slices.Contains(el[nmain:], -2) {
			owner[i] = -1 // a NULL Aggr dimension makes no virtual row
			continue
		}
		if nmain == 0 {
			owner[i] = 0
			continue
		}
		owner[i] = gr.lookup(el[:nmain], false)
	}
	return vals, owner, nil
}

// groupEnv evaluates a measure for one group from precomputed aggregations.
type groupEnv struct {
	c    *chart
	g    int
	aggs map[*expr.AggCall][]expr.Value
	only map[int][]expr.Value // FieldRef.Index -> Only(field) per group
	gr   *groups
	rows *rowCtx // display order, for inter-record functions (nil before sorting)
}

func (e *groupEnv) Field(ref *expr.FieldRef) (expr.Value, bool) {
	if vals, ok := e.only[ref.Index]; ok {
		return vals[e.g], true
	}
	return expr.Value{}, false
}

func (e *groupEnv) Variable(name string) (expr.Value, bool) { return e.c.variable(name) }

func (e *groupEnv) Aggregate(call *expr.AggCall) expr.Value {
	if vals, ok := e.aggs[call]; ok && e.g < len(vals) {
		return vals[e.g]
	}
	return expr.Null()
}

// evalMeasure evaluates a measure for every group of gr.
func (c *chart) evalMeasure(n expr.Node, gr *groups, p *evalPlan) ([]expr.Value, error) {
	return c.evalMeasureRows(n, gr, p, nil)
}

// evalMeasureRows evaluates a measure for every group of gr, with the
// display order rc for inter-record functions.
func (c *chart) evalMeasureRows(n expr.Node, gr *groups, p *evalPlan, rc *rowCtx) ([]expr.Value, error) {
	env := &groupEnv{c: c, aggs: map[*expr.AggCall][]expr.Value{}, only: map[int][]expr.Value{}, gr: gr, rows: rc}
	var firstErr error
	// Top-level aggregations and bare fields (read as Only(field)).
	var walk func(x expr.Node)
	walk = func(x expr.Node) {
		expr.Inspect(x, func(y expr.Node) bool {
			switch y := y.(type) {
			case *expr.AggCall:
				if _, done := env.aggs[y]; !done {
					vals, err := c.aggregate(y, gr, p, false)
					if err != nil && firstErr == nil {
						firstErr = err
					}
					env.aggs[y] = vals
				}
				return false
			case *expr.FieldRef:
				if c.hasVariable(y.Name.Text) {
					return false
				}
				if _, isField := c.m.fieldByName[y.Name.Text]; isField {
					if _, done := env.only[y.Index]; !done {
						only := &expr.AggCall{Name: expr.Name{Text: "Only"}, Func: expr.Lookup("Only"), Args: []expr.Node{y}}
						vals, err := c.aggregate(only, gr, p, false)
						if err != nil && firstErr == nil {
							firstErr = err
						}
						env.only[y.Index] = vals
					}
				}
			}
			return true
		})
	}
	walk(n)
	if firstErr != nil {
		return nil, firstErr
	}
	ng := 1
	if gr != nil {
		ng = len(gr.elems)
	}
	out := make([]expr.Value, ng)
	for g := range out {
		env.g = g
		out[g] = expr.Eval(n, env)
	}
	return out, nil
}

// ensure math is used (NaN checks in later files)
var _ = math.NaN
var _ = strings.EqualFold

// Locale gives the formatting and date functions the session's locale.
func (c *chart) Locale() *numfmt.Locale { return c.s.opts.Locale }

// Now is the clock of Today() and Now().
func (c *chart) Now() time.Time {
	if c.s.opts.Now != nil {
		return c.s.opts.Now()
	}
	return time.Now()
}

// Locale implements LocaleEnv.
func (e *rowEnv) Locale() *numfmt.Locale { return e.c.Locale() }

// Now implements ClockEnv.
func (e *rowEnv) Now() time.Time { return e.c.Now() }

// Locale implements LocaleEnv.
func (e *groupEnv) Locale() *numfmt.Locale { return e.c.Locale() }

// Now implements ClockEnv.
func (e *groupEnv) Now() time.Time { return e.c.Now() }

// Locale implements LocaleEnv.
func (e *virtualEnv) Locale() *numfmt.Locale { return e.c.Locale() }

// Now implements ClockEnv.
func (e *virtualEnv) Now() time.Time { return e.c.Now() }

var (
	_ LocaleEnv       = (*groupEnv)(nil)
	_ ClockEnv        = (*groupEnv)(nil)
	_ expr.ContextEnv = (*groupEnv)(nil)
	_ LocaleEnv       = (*rowEnv)(nil)
)
