package qix

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/assocengine/assoc/symbols"
)

// Pivot (qMode P) and stacked (qMode K) hypercubes, fully expanded: the
// left and top trees are built from the straight cube's sorted rows (first
// appearance order), the measures form the pseudo-dimension, and the data
// matrix looks values up by dimension combination.

func init() {
	register("GenericObject", map[string]handler{
		"GetHyperCubePivotData": objGetHyperCubePivotData,
		"GetHyperCubeStackData": objGetHyperCubeStackData,
	})
}

// pivotNode is a node of a left or top tree.
type pivotNode struct {
	dim    int   // dimension index, -1 for the pseudo-dimension (measures)
	elem   int32 // element number, or the measure index for the pseudo-dimension
	kids   []*pivotNode
	index  map[int32]*pivotNode
	first  int // first leaf index under the node
	leaves int // number of leaves under the node

	// H16 (pivotnav.go): expansion flags and the node's key in the
	// expansion state.
	canExpand, canCollapse bool
	key                    string
}

func (n *pivotNode) child(dim int, e int32) *pivotNode {
	if n.index == nil {
		n.index = map[int32]*pivotNode{}
	}
	if c, ok := n.index[e]; ok {
		return c
	}
	c := &pivotNode{dim: dim, elem: e}
	n.index[e] = c
	n.kids = append(n.kids, c)
	return c
}

// number assigns leaf ranges depth-first and returns the leaf count.
func (n *pivotNode) number(start int) int {
	n.first = start
	if len(n.kids) == 0 {
		n.leaves = 1
		return 1
	}
	total := 0
	for _, k := range n.kids {
		total += k.number(start + total)
	}
	n.leaves = total
	return total
}

// leaves returns the leaf paths (elements per level) in order.
func (n *pivotNode) paths(prefix []*pivotNode, out *[][]*pivotNode) {
	if len(n.kids) == 0 {
		*out = append(*out, append([]*pivotNode(nil), prefix...))
		return
	}
	for _, k := range n.kids {
		k.paths(append(prefix, k), out)
	}
}

// pivotGrid is a pivot layout: the trees and the lookup of cube rows.
type pivotGrid struct {
	cd       *cubeDef
	c        *engine.Cube
	left     *pivotNode
	top      *pivotNode
	leftDims []int
	topDims  []int
	leftRows [][]*pivotNode
	topCols  [][]*pivotNode
	rowOf    map[string]int32 // dims key -> cube row
	grains   *grainSet        // H16: cubes of collapsed cells, pivotnav.go
}

func newPivotGrid(lc *layoutCtx, cd *cubeDef, c *engine.Cube) *pivotGrid {
	nd, nm := len(cd.dimLabels), len(cd.measLabels)
	nl := cd.leftDims
	if nl < 0 || nl > nd {
		nl = nd
	}
	g := &pivotGrid{cd: cd, c: c, left: &pivotNode{dim: -2}, top: &pivotNode{dim: -2}, rowOf: map[string]int32{}}
	for d := 0; d < nl; d++ {
		g.leftDims = append(g.leftDims, d)
	}
	for d := nl; d < nd; d++ {
		g.topDims = append(g.topDims, d)
	}
	key := make([]byte, 4*nd)
	for _, r := range c.Order {
		n := g.left
		for _, d := range g.leftDims {
			n = n.child(d, c.Elem[d][r])
		}
		t := g.top
		for _, d := range g.topDims {
			t = t.child(d, c.Elem[d][r])
		}
		for d := 0; d < nd; d++ {
			binary.LittleEndian.PutUint32(key[4*d:], uint32(c.Elem[d][r]))
		}
		g.rowOf[string(key)] = r
	}
	g.applyExpansion(lc) // H16: collapsed nodes lose their children, pivotnav.go
	// The pseudo-dimension (measures) is the innermost top level.
	if nm > 1 || len(g.topDims) == 0 {
		var addPseudo func(n *pivotNode)
		addPseudo = func(n *pivotNode) {
			if len(n.kids) == 0 {
				for m := 0; m < nm; m++ {
					n.child(-1, int32(m))
				}
				return
			}
			for _, k := range n.kids {
				addPseudo(k)
			}
		}
		addPseudo(g.top)
	}
	g.sortTree(g.left)
	g.sortTree(g.top)
	g.left.number(0)
	g.top.number(0)
	g.left.paths(nil, &g.leftRows)
	g.top.paths(nil, &g.topCols)
	if len(g.leftDims) == 0 {
		g.leftRows = [][]*pivotNode{nil}
	}
	return g
}

// sortTree orders every level of a tree by its dimension's sort criteria
// (the measures of the pseudo-dimension keep definition order; NULL last).
func (g *pivotGrid) sortTree(n *pivotNode) {
	if len(n.kids) > 1 && n.kids[0].dim >= 0 {
		d := n.kids[0].dim
		sc := g.cd.def.Dims[d].Sort
		f := g.c.DimFields[d]
		slices.SortStableFunc(n.kids, func(a, b *pivotNode) int {
			ea, eb := a.elem, b.elem
			switch {
			case ea == eb:
				return 0
			case ea == -2:
				return 1
			case eb == -2:
				return -1
			}
			if f != nil {
				if sc.Numeric != 0 {
					na, nb := f.Symbols.Num(uint32(ea)), f.Symbols.Num(uint32(eb))
					switch {
					case !math.IsNaN(na) && !math.IsNaN(nb) && na != nb:
						return cmp.Compare(na, nb) * sc.Numeric
					case !math.IsNaN(na) && math.IsNaN(nb):
						return -1
					case math.IsNaN(na) && !math.IsNaN(nb):
						return 1
					}
				}
				if sc.Ascii != 0 {
					if r := symbols.CompareText(f.Symbols.Text(uint32(ea)), f.Symbols.Text(uint32(eb))); r != 0 {
						return r * sc.Ascii
					}
				}
			}
			if sc.LoadOrder < 0 {
				return cmp.Compare(eb, ea)
			}
			return cmp.Compare(ea, eb)
		})
	}
	for _, k := range n.kids {
		g.sortTree(k)
	}
}

// value returns the measure value of data cell (row, col) and whether it
// exists.
func (g *pivotGrid) value(row, col int) (expr.Value, int, bool) {
	nd := len(g.cd.dimLabels)
	elems := make([]int32, nd)
	m := 0
	have := 0
	for _, n := range g.leftRows[row] {
		elems[n.dim] = n.elem
		have++
	}
	for _, n := range g.topCols[col] {
		if n.dim == -1 {
			m = int(n.elem)
		} else {
			elems[n.dim] = n.elem
			have++
		}
	}
	if have < nd { // H16: a collapsed row or column, pivotnav.go
		return g.collapsedValue(row, col, m)
	}
	key := make([]byte, 4*nd)
	for d, e := range elems {
		binary.LittleEndian.PutUint32(key[4*d:], uint32(e))
	}
	r, ok := g.rowOf[string(key)]
	if !ok || m >= len(g.c.Values) {
		return expr.Value{}, m, false
	}
	return g.c.Values[m][r], m, true
}

// appendTree appends the nodes of a tree that cover leaves [lo, hi).
func (g *pivotGrid) appendTree(dst []byte, nodes []*pivotNode, lo, hi int) []byte {
	dst = append(dst, '[')
	first := true
	for _, n := range nodes {
		if n.first+n.leaves <= lo || n.first >= hi {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = g.appendDimCell(dst, n)
		dst = append(dst, `,"qSubNodes":`...)
		dst = g.appendTree(dst, n.kids, lo, hi)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendDimCell appends an NxPivotDimensionCell without its closing brace
// and sub nodes.
func (g *pivotGrid) appendDimCell(dst []byte, n *pivotNode) []byte {
	dst = append(dst, `{"qText":`...)
	value := math.NaN()
	switch {
	case n.dim == -1:
		dst = appendString(dst, g.cd.measLabels[n.elem])
	case n.elem == -2:
		dst = appendString(dst, "-")
	case n.elem == engine.ElemOthers:
		dst = appendString(dst, g.cd.otherLabels[n.dim])
	case g.c.DimFields[n.dim] != nil:
		f := g.c.DimFields[n.dim]
		dst = f.Symbols.AppendJSON(dst, uint32(n.elem))
		value = f.Symbols.Num(uint32(n.elem))
	default:
		v := g.c.DimCalc[n.dim][n.elem]
		dst = appendString(dst, v.Text())
		if f, ok := v.AsNumber(); ok && v.HasNum() {
			value = f
		}
	}
	dst = append(dst, `,"qElemNo":`...)
	elemNo := int64(n.elem)
	if n.dim == -1 {
		elemNo = int64(n.elem)
	}
	dst = appendFloat(dst, float64(elemNo))
	dst = append(dst, `,"qValue":`...)
	dst = appendFloat(dst, value)
	if n.canExpand { // H16: expansion flags, pivotnav.go
		dst = append(dst, `,"qCanExpand":true`...)
	}
	if n.canCollapse {
		dst = append(dst, `,"qCanCollapse":true`...)
	}
	typ := "N"
	switch {
	case n.dim == -1:
		typ = "P"
	case n.elem == -2:
		typ = "U"
	case n.elem == engine.ElemOthers:
		typ = "O"
	}
	dst = append(dst, `,"qType":"`...)
	dst = append(dst, typ...)
	return append(dst, `","qUp":0,"qDown":0`...)
}

// pivotPages appends the NxPivotPage array for pages.
func pivotPages(g *pivotGrid, pages []page, loc *numfmt.Locale) ([]byte, *Error) {
	nrows, ncols := len(g.leftRows), len(g.topCols)
	cells := 0
	for _, p := range pages {
		if p.left < 0 || p.top < 0 || p.width < 0 || p.height < 0 {
			return nil, qerr(errInvalidParams, "a page has a negative qLeft, qTop, qWidth or qHeight")
		}
		w, h := clipCube(p, ncols, nrows)
		cells += w * h
	}
	if cells > maxPageCells {
		return nil, qerr(errPagesTooLarge, "%d cells asked for, at most %d", cells, maxPageCells)
	}
	dst := []byte{'['}
	for pi, p := range pages {
		if pi > 0 {
			dst = append(dst, ',')
		}
		w, h := clipCube(p, ncols, nrows)
		dst = append(dst, `{"qLeft":`...)
		if len(g.leftDims) > 0 {
			dst = g.appendTree(dst, g.left.kids, p.top, p.top+h)
		} else {
			dst = append(dst, "[]"...)
		}
		dst = append(dst, `,"qTop":`...)
		dst = g.appendTree(dst, g.top.kids, p.left, p.left+w)
		dst = append(dst, `,"qData":[`...)
		for r := 0; r < h; r++ {
			if r > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '[')
			for col := 0; col < w; col++ {
				if col > 0 {
					dst = append(dst, ',')
				}
				v, m, ok := g.value(p.top+r, p.left+col)
				switch {
				case !ok:
					dst = append(dst, `{"qText":"","qNum":"NaN","qType":"E"}`...)
				case v.IsNull():
					dst = append(dst, `{"qText":"-","qNum":"NaN","qType":"U"}`...)
				default:
					dst = append(dst, `{"qText":`...)
					dst = appendString(dst, formatValue(v, g.cd.measFmt[m], loc))
					dst = append(dst, `,"qNum":`...)
					num, isNum := v.AsNumber()
					if !isNum || !v.HasNum() {
						num = math.NaN()
					}
					dst = appendFloat(dst, num)
					dst = append(dst, `,"qType":"V"}`...)
				}
			}
			dst = append(dst, ']')
		}
		dst = append(dst, `],"qArea":`...)
		dst = appendArea(dst, p.left, p.top, w, h)
		dst = append(dst, '}')
	}
	return append(dst, ']'), nil
}

func appendArea(dst []byte, left, top, w, h int) []byte {
	dst = append(dst, `{"qLeft":`...)
	dst = appendFloat(dst, float64(left))
	dst = append(dst, `,"qTop":`...)
	dst = appendFloat(dst, float64(top))
	dst = append(dst, `,"qWidth":`...)
	dst = appendFloat(dst, float64(w))
	dst = append(dst, `,"qHeight":`...)
	dst = appendFloat(dst, float64(h))
	return append(dst, '}')
}

// stackPages appends the NxStackPage array: a root cell whose sub nodes are
// the first dimension's values, then the next dimension's, down to the
// measure values, each group with the sums of its positive and negative
// values.
func stackPages(g *pivotGrid, pages []page, loc *numfmt.Locale) ([]byte, *Error) {
	c, cd := g.c, g.cd
	nd := len(cd.dimLabels)
	type node struct {
		dim    int
		elem   int32
		kids   []*node
		index  map[int32]*node
		row    int
		maxPos float64
		minNeg float64
	}
	root := &node{dim: -2}
	rows := c.Order
	for ri, r := range rows {
		n := root
		pathNodes := []*node{root}
		for d := 0; d < nd; d++ {
			e := c.Elem[d][r]
			if n.index == nil {
				n.index = map[int32]*node{}
			}
			k, ok := n.index[e]
			if !ok {
				k = &node{dim: d, elem: e, row: ri}
				n.index[e] = k
				n.kids = append(n.kids, k)
			}
			n = k
			pathNodes = append(pathNodes, n)
		}
		for m := range cd.measLabels {
			v := c.Values[m][r]
			f, ok := v.AsNumber()
			if !ok || !v.HasNum() || math.IsNaN(f) {
				f = 0
			}
			leaf := &node{dim: -1, elem: int32(m), row: ri}
			if f > 0 {
				leaf.maxPos = f
			} else {
				leaf.minNeg = f
			}
			n.kids = append(n.kids, leaf)
			for _, x := range pathNodes {
				if f > 0 {
					x.maxPos += f
				} else {
					x.minNeg += f
				}
			}
		}
	}
	var appendNode func(dst []byte, n *node, r int32) []byte
	appendNode = func(dst []byte, n *node, r int32) []byte {
		dst = append(dst, `{"qText":`...)
		value := math.NaN()
		typ := "N"
		switch {
		case n.dim == -2:
			dst = appendString(dst, "")
			typ = "R"
		case n.dim == -1:
			v := c.Values[n.elem][c.Order[n.row]]
			dst = appendString(dst, formatValue(v, cd.measFmt[n.elem], loc))
			if f, ok := v.AsNumber(); ok && v.HasNum() {
				value = f
			}
			typ = "V"
		case n.elem == -2:
			dst = appendString(dst, "-")
			typ = "U"
		case n.elem == engine.ElemOthers:
			dst = appendString(dst, cd.otherLabels[n.dim])
			typ = "O"
		case c.DimFields[n.dim] != nil:
			f := c.DimFields[n.dim]
			dst = f.Symbols.AppendJSON(dst, uint32(n.elem))
			value = f.Symbols.Num(uint32(n.elem))
		default:
			v := c.DimCalc[n.dim][n.elem]
			dst = appendString(dst, v.Text())
		}
		dst = append(dst, `,"qElemNo":`...)
		dst = appendFloat(dst, float64(n.elem))
		dst = append(dst, `,"qValue":`...)
		dst = appendFloat(dst, value)
		dst = append(dst, `,"qType":"`...)
		dst = append(dst, typ...)
		dst = append(dst, `","qMaxPos":`...)
		dst = appendFloat(dst, n.maxPos)
		dst = append(dst, `,"qMinNeg":`...)
		dst = appendFloat(dst, n.minNeg)
		dst = append(dst, `,"qUp":0,"qDown":0,"qRow":`...)
		dst = appendFloat(dst, float64(n.row))
		dst = append(dst, `,"qSubNodes":[`...)
		for i, k := range n.kids {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendNode(dst, k, r)
		}
		return append(dst, "]}"...)
	}
	dst := []byte{'['}
	for pi, p := range pages {
		if pi > 0 {
			dst = append(dst, ',')
		}
		w, h := clipCube(p, nd+len(cd.measLabels), len(rows))
		dst = append(dst, `{"qData":[`...)
		dst = appendNode(dst, root, 0)
		dst = append(dst, `],"qArea":`...)
		dst = appendArea(dst, p.left, p.top, w, h)
		dst = append(dst, '}')
	}
	return append(dst, ']'), nil
}

// pivotLayout fills the pivot or stacked data pages of a cube in mode P or K.
func pivotLayout(lc *layoutCtx, cd *cubeDef, c *engine.Cube, out *jsonObject, loc *numfmt.Locale) error {
	g := newPivotGrid(lc, cd, c)
	if cd.mode == "K" {
		pages, qe := stackPages(g, cd.pages, loc)
		if qe != nil {
			out.Set("qError", validationError(&listError{qe.Code, qe.Parameter}))
			return nil
		}
		out.Set("qStackedDataPages", rawJSON(pages))
		return nil
	}
	out.Set("qSize", size(len(g.topCols), len(g.leftRows)))
	pages, qe := pivotPages(g, cd.pages, loc)
	if qe != nil {
		out.Set("qError", validationError(&listError{qe.Code, qe.Parameter}))
		return nil
	}
	out.Set("qPivotDataPages", rawJSON(pages))
	return nil
}

func (c *call) pivotData(stacked bool) error {
	path := c.str("qPath")
	pages := parsePages(toAnySlice(c.objs("qPages")))
	if c.bad() {
		return nil
	}
	cd, err := c.cubeAt(path)
	if err != nil {
		return err
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
	var out []byte
	var qe *Error
	if stacked {
		out, qe = stackPages(g, pages, lc.app.numLocale())
	} else {
		out, qe = pivotPages(g, pages, lc.app.numLocale())
	}
	if qe != nil {
		return qe
	}
	c.out("qDataPages", rawJSON(out))
	return nil
}

func objGetHyperCubePivotData(c *call) error { return c.pivotData(false) }

func objGetHyperCubeStackData(c *call) error {
	if v := c.arg("qMaxNbrCells"); v != nil {
		c.integer("qMaxNbrCells")
	}
	return c.pivotData(true)
}
