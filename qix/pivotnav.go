package qix

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/expr"
)

// Pivot navigation (protocol §5.3): ExpandLeft, ExpandTop, CollapseLeft,
// CollapseTop and SelectPivotCells on cubes in qMode P (pivot.go builds the
// left and top trees).
//
// # Expansion
//
// A pivot cube whose qAlwaysFullyExpanded is false starts collapsed, as in
// Qlik Sense: the first dimension of each side shows, and every node that
// has children says qCanExpand. Expanding a node shows its children (the
// node then says qCanCollapse); a collapsed node's row or column shows the
// measures aggregated over the node, computed by a cube over the
// dimensions down to the node's (one cube per combination of depths, kept
// in the engine's cube cache). With qAlwaysFullyExpanded every node is
// expanded, nothing says qCanExpand or qCanCollapse, and the navigation
// methods answer 6002. The pseudo-dimension (the measures, innermost on
// top) hangs under every visible top leaf and cannot be collapsed.
//
// ExpandLeft(qRow, qCol) expands the node of left dimension qCol (0 is the
// outermost left dimension) on data row qRow; ExpandTop(qRow, qCol) the
// node of top dimension qRow on data column qCol, as the schema documents
// them; the Collapse methods do the opposite. With qAll the whole side is
// expanded (every node of every left or top dimension) or collapsed back
// to its first dimension, and qRow/qCol are not used. An index outside the
// data matrix, or a dimension the row or column does not reach, is
// -32602; expanding an expanded node or a leaf is a no-op.
//
// # Where the state lives
//
// The state is the definition's qExpansionState (ExpansionData[]), read at
// every layout, so it follows the object like any property. The engine
// writes it at the cube's own path ("/qHyperCubeDef/qExpansionState"): in
// the properties of a session object (the object is the session's
// already), and as a soft patch of the calling session for a persistent
// object, so that one user's navigation does not change the table of the
// others nor the saved app (GetEffectiveProperties shows it, GetProperties
// does not, ClearSoftPatches forgets it). A client that resets the
// expansion by setting qExpansionState to [] in the properties resets a
// session object; for a persistent object it must also clear the soft
// patches. The state never changes the cube itself (it is left out of the
// cube cache key).
//
// # The ExpansionData encoding
//
// The schema names the fields but documents no meaning, so the engine
// defines one. Each entry names a node by qPos.qDimName (the dimension's
// field definition as written in qFieldDefs[0]), qPos.qElemNo (the element
// numbers of the node's path from the first dimension of its side down to
// the node) and qPos.qElemValues (the same path as the base64 of each
// value's text, which is what the engine matches on when present, so that
// the state survives reloads that renumber values). An entry with an empty
// position and qExcludeList true marks its dimension as expanded
// everywhere ("expand all"); then the node entries of that dimension with
// qExcludeList true are the collapsed exceptions. Without the marker the
// node entries with qExcludeList false are the expanded nodes. Entries
// naming no dimension of the cube are kept as they are.
//
// # SelectPivotCells
//
// Each NxSelectionCell picks dimension values: "L" the left dimension qCol
// on data row qRow, "T" the top dimension qRow on data column qCol, "D" a
// data cell, which picks every dimension value of its row and column. In a
// stacked cube (qMode K) the rows are the cube's rows: "L" picks dimension
// qCol of row qRow and "D" every dimension of row qRow. The picked values
// replace each field's selection (one selection per field, as
// RangeSelectHyperCubeValues does), so a client sending its whole list of
// selected cells at every click gets that list selected. The pseudo-
// dimension, NULL and Others cells pick nothing. An empty list answers
// qSuccess false.

func init() {
	register("GenericObject", map[string]handler{
		"ExpandLeft":       pivotNavHandler(false, true),
		"ExpandTop":        pivotNavHandler(true, true),
		"CollapseLeft":     pivotNavHandler(false, false),
		"CollapseTop":      pivotNavHandler(true, false),
		"SelectPivotCells": objSelectPivotCells,
	})
}

// Hypercube error codes of the navigation and data methods.
const (
	errHCInvalidObject = 6000 // LOCERR_HC_INVALID_OBJECT
	errHCInvalidState  = 6002 // LOCERR_HC_INVALID_OBJECT_STATE
)

// cubeKeyDef returns the definition without what does not change the
// computed cube (the pivot expansion state), for the cube cache key.
func cubeKeyDef(d *jsonObject) *jsonObject {
	if _, ok := d.Get("qExpansionState"); !ok {
		return d
	}
	out := &jsonObject{keys: make([]string, 0, len(d.keys)), vals: make([]any, 0, len(d.vals))}
	for i, k := range d.keys {
		if k != "qExpansionState" {
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, d.vals[i])
		}
	}
	return out
}

// keySep separates the values of a node path in an expansion key.
const keySep = "\x1f"

// nodeText is the text that identifies element e of dimension d of cube c
// in an expansion key (NULL and Others get texts no value can have).
func nodeText(c *engine.Cube, d int, e int32) string {
	switch {
	case e == -2:
		return "\x00null"
	case e == engine.ElemOthers:
		return "\x00others"
	case e < 0:
		return "\x00" + strconv.Itoa(int(e))
	case c.DimFields[d] != nil:
		return c.DimFields[d].Symbols.Text(uint32(e))
	case int(e) < len(c.DimCalc[d]):
		return c.DimCalc[d][e].Text()
	}
	return ""
}

// expEntry is one ExpansionData entry.
type expEntry struct {
	raw   *jsonObject // an entry for no dimension of the cube, kept as it is
	dim   int
	excl  bool
	all   bool // the whole-dimension marker
	key   string
	elems []int
	texts []string
}

// expansion is the parsed expansion state of a pivot cube.
type expansion struct {
	full    bool // qAlwaysFullyExpanded
	entries []expEntry
	allDims map[int]bool
	incl    map[string]bool // dim|key of expanded nodes
	excl    map[string]bool // dim|key of collapsed nodes of expanded-all dims
}

func dimKey(dim int, key string) string { return strconv.Itoa(dim) + "|" + key }

// resolveDimName returns the dimension an ExpansionData names, or -1.
func resolveDimName(cd *cubeDef, name string) int {
	if i := slices.Index(cd.dimDefs, name); i >= 0 {
		return i
	}
	return slices.Index(cd.dimLabels, name)
}

// parseExpansion reads qAlwaysFullyExpanded and qExpansionState of the
// cube definition; elements are turned into texts with c.
func parseExpansion(cd *cubeDef, c *engine.Cube) *expansion {
	x := &expansion{allDims: map[int]bool{}, incl: map[string]bool{}, excl: map[string]bool{}}
	if cd.raw == nil {
		return x
	}
	x.full = cd.raw.boolean("qAlwaysFullyExpanded")
	for _, v := range cd.raw.arr("qExpansionState") {
		o, ok := v.(*jsonObject)
		if !ok {
			continue
		}
		pos := o.obj("qPos")
		d := resolveDimName(cd, pos.str("qDimName"))
		if d < 0 {
			x.entries = append(x.entries, expEntry{raw: o, dim: -1})
			continue
		}
		e := expEntry{dim: d, excl: o.boolean("qExcludeList")}
		for _, n := range pos.arr("qElemNo") {
			if num, ok := n.(jsonNumber); ok {
				if i, ok := num.int(); ok {
					e.elems = append(e.elems, i)
				}
			}
		}
		for _, t := range pos.arr("qElemValues") {
			s, _ := t.(string)
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				b = []byte(s)
			}
			e.texts = append(e.texts, string(b))
		}
		if len(e.texts) == 0 && len(e.elems) > 0 {
			e.texts = elemTexts(cd, c, d, e.elems)
		}
		e.all = len(e.texts) == 0
		e.key = strings.Join(e.texts, keySep)
		x.add(e)
	}
	return x
}

// elemTexts maps the element numbers of a path ending at dimension d to
// texts; the path's dimensions are those of d's side, in order.
func elemTexts(cd *cubeDef, c *engine.Cube, d int, elems []int) []string {
	if c == nil {
		return nil
	}
	dims := sideDims(cd, d)
	i := slices.Index(dims, d)
	if i < 0 || len(elems) != i+1 {
		return nil
	}
	out := make([]string, len(elems))
	for j, e := range elems {
		dd := dims[j]
		if e >= 0 && c.DimFields[dd] != nil && e >= c.DimFields[dd].Cardinal() {
			return nil // an element of another model
		}
		if e >= 0 && c.DimFields[dd] == nil && e >= len(c.DimCalc[dd]) {
			return nil
		}
		out[j] = nodeText(c, dd, int32(e))
	}
	return out
}

// sideDims returns the dimensions of the side (left or top) d is on.
func sideDims(cd *cubeDef, d int) []int {
	nd := len(cd.dimLabels)
	nl := cd.leftDims
	if nl < 0 || nl > nd {
		nl = nd
	}
	var out []int
	if d < nl {
		for i := 0; i < nl; i++ {
			out = append(out, i)
		}
		return out
	}
	for i := nl; i < nd; i++ {
		out = append(out, i)
	}
	return out
}

// add records an entry in the lookup maps.
func (x *expansion) add(e expEntry) {
	x.entries = append(x.entries, e)
	switch {
	case e.all:
		if e.excl {
			x.allDims[e.dim] = true
		}
	case e.excl:
		x.excl[dimKey(e.dim, e.key)] = true
	default:
		x.incl[dimKey(e.dim, e.key)] = true
	}
}

// expanded reports whether the node with this key of dimension dim shows
// its children.
func (x *expansion) expanded(dim int, key string) bool {
	if x.full {
		return true
	}
	if x.allDims[dim] {
		return !x.excl[dimKey(dim, key)]
	}
	return x.incl[dimKey(dim, key)]
}

// rebuild recomputes the lookup maps from the entries.
func (x *expansion) rebuild(entries []expEntry) {
	x.entries = nil
	x.allDims, x.incl, x.excl = map[int]bool{}, map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		if e.raw != nil {
			x.entries = append(x.entries, e)
			continue
		}
		x.add(e)
	}
}

// setAll expands (every node of) or collapses the dimensions.
func (x *expansion) setAll(dims []int, expand bool) {
	var keep []expEntry
	for _, e := range x.entries {
		if e.raw == nil && slices.Contains(dims, e.dim) {
			continue
		}
		keep = append(keep, e)
	}
	if expand {
		for _, d := range dims[:max(len(dims)-1, 0)] {
			keep = append(keep, expEntry{dim: d, excl: true, all: true})
		}
	}
	x.rebuild(keep)
}

// setNode expands or collapses one node, given by its path.
func (x *expansion) setNode(c *engine.Cube, path []*pivotNode, expand bool) {
	n := path[len(path)-1]
	e := expEntry{dim: n.dim, key: n.key}
	for _, p := range path {
		e.elems = append(e.elems, int(p.elem))
		e.texts = append(e.texts, nodeText(c, p.dim, p.elem))
	}
	all := x.allDims[n.dim]
	// In an expanded-all dimension the entries are the collapsed nodes;
	// otherwise they are the expanded ones.
	listed := expand != all
	var keep []expEntry
	for _, o := range x.entries {
		if o.raw == nil && !o.all && o.dim == n.dim && o.key == n.key {
			continue
		}
		keep = append(keep, o)
	}
	if listed {
		e.excl = all
		keep = append(keep, e)
	}
	x.rebuild(keep)
}

// encode returns the ExpansionData array of the state.
func (x *expansion) encode(cd *cubeDef) []any {
	out := make([]any, 0, len(x.entries))
	for _, e := range x.entries {
		if e.raw != nil {
			out = append(out, e.raw)
			continue
		}
		pos := newObj(3)
		pos.Set("qDimName", cd.dimDefs[e.dim])
		elems := make([]any, len(e.elems))
		for i, v := range e.elems {
			elems[i] = jsonNumber(strconv.Itoa(v))
		}
		pos.Set("qElemNo", elems)
		vals := make([]any, len(e.texts))
		for i, t := range e.texts {
			vals[i] = base64.StdEncoding.EncodeToString([]byte(t))
		}
		pos.Set("qElemValues", vals)
		o := newObj(2)
		o.Set("qExcludeList", e.excl)
		o.Set("qPos", pos)
		out = append(out, o)
	}
	return out
}

// applyExpansion drops the children of the collapsed nodes of a pivot
// grid (qMode P) and sets the nodes' keys and expansion flags.
func (g *pivotGrid) applyExpansion(lc *layoutCtx) {
	g.grains = &grainSet{lc: lc, cd: g.cd, byDims: map[string]*grain{}}
	if g.cd.mode != "P" {
		return
	}
	x := parseExpansion(g.cd, g.c)
	g.prune(g.left, x, "")
	g.prune(g.top, x, "")
}

func (g *pivotGrid) prune(n *pivotNode, x *expansion, prefix string) {
	for _, k := range n.kids {
		k.key = nodeText(g.c, k.dim, k.elem)
		if prefix != "" || n.dim >= 0 {
			k.key = prefix + keySep + k.key
		}
		if len(k.kids) == 0 {
			continue
		}
		if x.expanded(k.dim, k.key) {
			k.canCollapse = !x.full
			g.prune(k, x, k.key)
			continue
		}
		k.canExpand = true
		k.kids, k.index = nil, nil
	}
}

// grainSet computes the cubes of a pivot's collapsed cells: the same
// measures over fewer dimensions.
type grainSet struct {
	lc     *layoutCtx
	cd     *cubeDef
	byDims map[string]*grain
}

// grain is a cube over a subset of the dimensions.
type grain struct {
	c     *engine.Cube
	rowOf map[string]int32
}

// appendElemKey appends the lookup key of element e of dimension d of c:
// the element number for fields (and NULL, Others), the text for
// calculated dimensions, whose numbering differs from cube to cube.
func appendElemKey(dst []byte, c *engine.Cube, d int, e int32) []byte {
	if e < 0 || c.DimFields[d] != nil {
		dst = append(dst, 'e')
		return binary.LittleEndian.AppendUint32(dst, uint32(e))
	}
	t := nodeText(c, d, e)
	dst = append(dst, 't')
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(t)))
	return append(dst, t...)
}

// get returns the cube over dims (ascending), nil when it cannot be
// computed.
func (gs *grainSet) get(dims []int) *grain {
	if gs == nil || gs.lc == nil {
		return nil
	}
	k := make([]byte, 0, 4*len(dims))
	for _, d := range dims {
		k = strconv.AppendInt(k, int64(d), 10)
		k = append(k, ',')
	}
	if g, ok := gs.byDims[string(k)]; ok {
		return g
	}
	def := gs.cd.def
	def.Dims = make([]engine.CubeDim, len(dims))
	for i, d := range dims {
		def.Dims[i] = gs.cd.def.Dims[d]
	}
	def.SortOrder = nil
	var gr *grain
	c, err := gs.lc.es.CubeCached(gs.cd.key+"|grain:"+string(k), gs.lc.app.calcVer.Load(), &def)
	if err == nil {
		gr = &grain{c: c, rowOf: make(map[string]int32, c.Rows())}
		var key []byte
		for _, r := range c.Order {
			key = key[:0]
			for i := range dims {
				key = appendElemKey(key, c, i, c.Elem[i][r])
			}
			gr.rowOf[string(key)] = r
		}
	}
	gs.byDims[string(k)] = gr
	return gr
}

// value looks up measure m of the row whose dimensions dims (ascending)
// hold elems, taken from cube full.
func (gs *grainSet) value(full *engine.Cube, dims []int, elems []int32, m int) (expr.Value, bool) {
	gr := gs.get(dims)
	if gr == nil || m >= len(gr.c.Values) {
		return expr.Value{}, false
	}
	if len(dims) == 0 {
		return gr.c.Totals[m], true
	}
	var key []byte
	for i, d := range dims {
		key = appendElemKey(key, full, d, elems[i])
	}
	r, ok := gr.rowOf[string(key)]
	if !ok {
		return expr.Value{}, false
	}
	return gr.c.Values[m][r], true
}

// collapsedValue is the value of data cell (row, col) when the row or the
// column ends at a collapsed node: measure m over the dimensions the cell
// has.
func (g *pivotGrid) collapsedValue(row, col, m int) (expr.Value, int, bool) {
	type de struct {
		d int
		e int32
	}
	var have []de
	for _, n := range g.leftRows[row] {
		have = append(have, de{n.dim, n.elem})
	}
	for _, n := range g.topCols[col] {
		if n.dim >= 0 {
			have = append(have, de{n.dim, n.elem})
		}
	}
	slices.SortFunc(have, func(a, b de) int { return a.d - b.d })
	dims := make([]int, len(have))
	elems := make([]int32, len(have))
	for i, h := range have {
		dims[i], elems[i] = h.d, h.e
	}
	v, ok := g.grains.value(g.c, dims, elems, m)
	return v, m, ok
}

// pivotNavHandler is ExpandLeft, ExpandTop, CollapseLeft or CollapseTop.
func pivotNavHandler(top, expand bool) handler {
	return func(c *call) error {
		path := c.str("qPath")
		row := c.integer("qRow")
		col := c.integer("qCol")
		all := c.boolean("qAll")
		if c.bad() {
			return nil
		}
		cd, err := c.cubeAt(path)
		if err != nil {
			return err
		}
		if cd.mode != "P" {
			return qerr(errHCInvalidState, "%s needs a pivot cube (qMode P); the cube at %q has qMode %s", c.method, path, cd.mode)
		}
		if cd.raw.boolean("qAlwaysFullyExpanded") {
			return qerr(errHCInvalidState, "the cube at %q is always fully expanded (qAlwaysFullyExpanded)", path)
		}
		lc, err := c.layoutCtx()
		if err != nil {
			return err
		}
		cube, le := computeCube(lc, cd)
		if le != nil {
			return qerr(le.code, "%s", le.context)
		}
		g := newPivotGrid(lc, cd, cube)
		x := parseExpansion(cd, cube)
		dims := g.leftDims
		if top {
			dims = g.topDims
		}
		if all {
			x.setAll(dims, expand)
			return c.writeDefState(path, "qExpansionState", x.encode(cd))
		}
		p, qe := g.navPath(top, row, col)
		if qe != nil {
			return qe
		}
		n := p[len(p)-1]
		if (expand && !n.canExpand) || (!expand && !n.canCollapse) {
			return nil // already so, or a node without children
		}
		x.setNode(cube, p, expand)
		return c.writeDefState(path, "qExpansionState", x.encode(cd))
	}
}

// navPath returns the path, from the side's first dimension, to the node
// a navigation call names: left dimension col on data row row, or top
// dimension row on data column col.
func (g *pivotGrid) navPath(top bool, row, col int) ([]*pivotNode, *Error) {
	if !top {
		if len(g.leftDims) == 0 {
			return nil, qerr(errInvalidParams, "the pivot has no left dimensions")
		}
		if row < 0 || row >= len(g.leftRows) {
			return nil, qerr(errInvalidParams, "qRow %d is outside the %d data rows", row, len(g.leftRows))
		}
		p := g.leftRows[row]
		if col < 0 || col >= len(p) {
			return nil, qerr(errInvalidParams, "data row %d has no cell in left dimension %d (it shows %d)", row, col, len(p))
		}
		return p[:col+1], nil
	}
	if len(g.topDims) == 0 {
		return nil, qerr(errInvalidParams, "the pivot has no top dimensions")
	}
	if col < 0 || col >= len(g.topCols) {
		return nil, qerr(errInvalidParams, "qCol %d is outside the %d data columns", col, len(g.topCols))
	}
	p := g.topCols[col]
	if row < 0 || row >= len(p) || p[row].dim < 0 {
		return nil, qerr(errInvalidParams, "data column %d has no cell in top dimension %d", col, row)
	}
	return p[:row+1], nil
}

// writeDefState sets key of the definition at the JSON pointer path: in
// the properties of a session object, as a soft patch of the session for
// a persistent object (replacing an earlier one at the same place).
func (c *call) writeDefState(path, key string, value any) error {
	var segs []string
	for _, s := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if s != "" {
			segs = append(segs, strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~"))
		}
	}
	segs = append(segs, key)
	p := patch{op: "add", path: segs, value: value}
	o, s := c.h.obj, c.s
	if o.app == nil {
		props, qe := applyPatches(o.current(), []patch{p})
		if qe != nil {
			return qe
		}
		o.setProperties(props)
		c.eff.objs = append(c.eff.objs, o)
		return nil
	}
	s.mu.Lock()
	var all []patch
	if ss := s.soft[o]; ss != nil {
		for _, q := range ss.patches {
			if !slices.Equal(q.path, segs) {
				all = append(all, q)
			}
		}
	}
	s.mu.Unlock()
	all = append(all, p)
	props, qe := applyPatches(o.current(), all)
	if qe != nil {
		return qe
	}
	s.mu.Lock()
	s.soft[o] = &softState{patches: all, deps: computeDeps(props)}
	s.mu.Unlock()
	c.eff.softObjs = append(c.eff.softObjs, o)
	return nil
}

// pivotCell is a parsed NxSelectionCell.
type pivotCell struct {
	typ      string // D, T or L
	row, col int
}

func objSelectPivotCells(c *call) error {
	path := c.str("qPath")
	soft := c.boolean("qSoftLock")
	deselect := c.boolean("qDeselectOnlyOneSelected")
	sels := c.objs("qSelections")
	if c.bad() {
		return nil
	}
	cells := make([]pivotCell, 0, len(sels))
	for i, o := range sels {
		w := "qSelections[" + strconv.Itoa(i) + "]"
		tv, _ := o.Get("qType")
		typ := enumShort("NxSelectionCellType", tv, "")
		if typ == "" {
			return qerr(errInvalidParams, "%s.qType must be D, T or L", w)
		}
		row, qe := memberInt(o, "qRow", 0, w)
		if qe != nil {
			return qe
		}
		col, qe := memberInt(o, "qCol", 0, w)
		if qe != nil {
			return qe
		}
		cells = append(cells, pivotCell{typ: typ, row: row, col: col})
	}
	return c.cubeSelect(path, func(es *engine.Session, cd *cubeDef, cube *engine.Cube) (bool, error) {
		var picks []fieldPick
		switch cd.mode {
		case "P":
			g := newPivotGrid(nil, cd, cube)
			for i, cl := range cells {
				nodes, qe := g.cellNodes(cl, i)
				if qe != nil {
					return false, qe
				}
				for _, n := range nodes {
					if n.dim >= 0 {
						picks = addElem(picks, cube, n.dim, n.elem)
					}
				}
			}
		case "K":
			for i, cl := range cells {
				if cl.row < 0 || cl.row >= cube.Rows() {
					return false, qerr(errInvalidParams, "qSelections[%d].qRow %d is outside the %d rows", i, cl.row, cube.Rows())
				}
				r := cube.Order[cl.row]
				switch cl.typ {
				case "D":
					for d := range cube.DimFields {
						picks = addElem(picks, cube, d, cube.Elem[d][r])
					}
				case "L":
					if cl.col < 0 || cl.col >= len(cube.DimFields) {
						return false, qerr(errInvalidParams, "qSelections[%d].qCol %d is not a dimension of the %d", i, cl.col, len(cube.DimFields))
					}
					picks = addElem(picks, cube, cl.col, cube.Elem[cl.col][r])
				default:
					return false, qerr(errInvalidParams, "qSelections[%d]: a stacked cube has no top cells", i)
				}
			}
		default:
			return false, qerr(errHCInvalidState, "SelectPivotCells needs a pivot or stacked cube (qMode P or K); the cube at %q has qMode %s", path, cd.mode)
		}
		return selectPicks(es, cd.state, cube, picks, soft, deselect)
	})
}

// cellNodes returns the tree nodes a selection cell of a pivot picks.
func (g *pivotGrid) cellNodes(cl pivotCell, i int) ([]*pivotNode, *Error) {
	switch cl.typ {
	case "L":
		p, qe := g.navPath(false, cl.row, cl.col)
		if qe != nil {
			return nil, qerr(errInvalidParams, "qSelections[%d]: %s", i, qe.Parameter)
		}
		return p[len(p)-1:], nil
	case "T":
		p, qe := g.navPath(true, cl.row, cl.col)
		if qe != nil {
			return nil, qerr(errInvalidParams, "qSelections[%d]: %s", i, qe.Parameter)
		}
		return p[len(p)-1:], nil
	}
	if cl.row < 0 || cl.row >= len(g.leftRows) || cl.col < 0 || cl.col >= len(g.topCols) {
		return nil, qerr(errInvalidParams, "qSelections[%d]: data cell (%d, %d) is outside the %d×%d data matrix", i, cl.row, cl.col, len(g.leftRows), len(g.topCols))
	}
	return append(slices.Clone(g.leftRows[cl.row]), g.topCols[cl.col]...), nil
}
