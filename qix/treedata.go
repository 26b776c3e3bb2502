package qix

import (
	"math"
	"strconv"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
)

// Tree mode (qMode T, DATA_MODE_TREE) and GetHyperCubeTreeData: the cube's
// rows as a tree with one level per dimension, each node carrying the
// measures aggregated over it (NxTreeNode).
//
// The result is one root node (qType R, qElemNo -1, the grand totals as
// its qValues) whose qNodes are the first dimension's nodes, and so on
// down; this is the shape picasso.js and the tree-list extensions read
// (qNodes[0].qNodes). Children keep the order of their first row in the
// cube's sort order, so qInterColumnSortOrder and the sort criteria apply
// as in a straight table. Each node has qText/qValue/qElemNo of its value
// (NULL is qType U, Others O), qState its selection state, qRow the first
// data row under it, qGroupPos its place among its siblings and qGroupSize
// its number of children (both in the complete tree, whatever is fetched),
// qTreePath the qGroupPos of its ancestors below the root, qValues the
// measures over the dimensions down to its own (computed by a cube over
// those dimensions), and qMaxPos/qMinNeg per measure the sums of the
// positive and of the negative values of its children (of itself for a
// leaf). The tree is always fully expanded: no node says qCanExpand or
// qCanCollapse, and the cube's qExpansionState does not apply.
//
// NxTreeDataOption, when given, pages the tree (without it the complete
// tree is returned):
//
//   - qTreeNodes[i].qArea restricts the dimensions qLeft to
//     qLeft+qWidth-1 to the nodes whose index among all the nodes of their
//     dimension (in tree order) is in qTop to qTop+qHeight-1; an entry
//     without an area (or of width 0) applies to dimension i, and a height
//     of 0 or less does not restrict the rows. A node left out takes its
//     subtree with it. A dimension no area covers keeps all its nodes.
//   - qTreeNodes[i].qAllValues adds, under each node above a dimension the
//     entry covers, the values of that dimension that occur elsewhere in
//     the tree but not under the node, as generated nodes (qType G) with
//     NULL measures.
//   - qTreeLevels keeps the dimensions qLeft to qLeft+qDepth-1 (qDepth 0 or
//     less: to the last); the nodes of the dimensions left out before are
//     skipped and their children hang from the root.
//   - qMaxNbrOfNodes: when the fetched tree has more nodes (the root not
//     counted), no nodes are returned (0: no limit).
//
// The layout of a cube in mode T has qTreeNodesOnDim (the number of nodes
// of each dimension) and qTreeDataPages: the tree fetched with one area per
// page of qInitialDataFetch ([] when there is none). qTreeDataDef objects
// (TreeDataDef) are not served.

func init() {
	register("GenericObject", map[string]handler{
		"GetHyperCubeTreeData": objGetHyperCubeTreeData,
	})
	deltaMethods["GetHyperCubeTreeData"] = true
}

// maxTreeNodes bounds the nodes of one tree answer (generated nodes can
// multiply).
const maxTreeNodes = 1_000_000

// treeNode is a node of the complete tree of a cube.
type treeNode struct {
	dim       int   // -1 for the root
	elem      int32 // element number (-2 NULL, -3 Others)
	row       int   // first display row under the node
	groupPos  int
	levelIx   int // index among the nodes of its dimension
	generated bool
	kids      []*treeNode
	index     map[int32]*treeNode
}

// cubeTree is the complete tree of a cube and the counts per dimension.
type cubeTree struct {
	root    *treeNode
	onDim   []int
	byLevel [][]int32 // per dimension, distinct elements in tree order
}

// buildCubeTree builds the complete tree of the cube's rows.
func buildCubeTree(c *engine.Cube, nd int) *cubeTree {
	t := &cubeTree{root: &treeNode{dim: -1, elem: -1}, onDim: make([]int, nd), byLevel: make([][]int32, nd)}
	seen := make([]map[int32]bool, nd)
	for d := range seen {
		seen[d] = map[int32]bool{}
	}
	for i, r := range c.Order {
		n := t.root
		for d := 0; d < nd; d++ {
			e := c.Elem[d][r]
			k, ok := n.index[e]
			if !ok {
				if n.index == nil {
					n.index = map[int32]*treeNode{}
				}
				k = &treeNode{dim: d, elem: e, row: i, groupPos: len(n.kids)}
				n.index[e] = k
				n.kids = append(n.kids, k)
				if !seen[d][e] {
					seen[d][e] = true
					t.byLevel[d] = append(t.byLevel[d], e)
				}
			}
			n = k
		}
	}
	// level indexes in tree order
	var walk func(n *treeNode)
	walk = func(n *treeNode) {
		for _, k := range n.kids {
			k.levelIx = t.onDim[k.dim]
			t.onDim[k.dim]++
			walk(k)
		}
	}
	walk(t.root)
	return t
}

// treeArea is one NxPageTreeNode.
type treeArea struct {
	left, width int // dimensions covered
	top, height int // node indexes (height <= 0: all)
	allValues   bool
}

// treeOptions is a parsed NxTreeDataOption.
type treeOptions struct {
	maxNodes  int
	areas     []treeArea
	levelLeft int
	depth     int // <= 0: all
}

// parseTreeOptions validates an NxTreeDataOption.
func parseTreeOptions(o *jsonObject, where string) (*treeOptions, *Error) {
	opt := &treeOptions{}
	var qe *Error
	if opt.maxNodes, qe = memberInt(o, "qMaxNbrOfNodes", 0, where); qe != nil {
		return nil, qe
	}
	if v, ok := o.Get("qTreeNodes"); ok && v != nil {
		a, isArr := v.([]any)
		if !isArr {
			return nil, qerr(errInvalidParams, "%s.qTreeNodes must be an array of NxPageTreeNode, not %s", where, jsonKind(v))
		}
		for i, e := range a {
			w := where + ".qTreeNodes[" + strconv.Itoa(i) + "]"
			n, isObj := e.(*jsonObject)
			if !isObj {
				return nil, qerr(errInvalidParams, "%s must be an NxPageTreeNode object, not %s", w, jsonKind(e))
			}
			ar := treeArea{left: i, width: 1}
			if ar.allValues, qe = memberBool(n, "qAllValues", w); qe != nil {
				return nil, qe
			}
			if av, ok := n.Get("qArea"); ok && av != nil {
				ao, isObj := av.(*jsonObject)
				if !isObj {
					return nil, qerr(errInvalidParams, "%s.qArea must be a Rect object, not %s", w, jsonKind(av))
				}
				var r [4]int
				for j, k := range []string{"qLeft", "qTop", "qWidth", "qHeight"} {
					if r[j], qe = memberInt(ao, k, 0, w+".qArea"); qe != nil {
						return nil, qe
					}
				}
				if r[0] < 0 || r[1] < 0 {
					return nil, qerr(errInvalidParams, "%s.qArea has a negative qLeft or qTop", w)
				}
				if r[2] > 0 {
					ar.left, ar.width = r[0], r[2]
				}
				ar.top, ar.height = r[1], r[3]
			}
			opt.areas = append(opt.areas, ar)
		}
	}
	if lv, ok := o.Get("qTreeLevels"); ok && lv != nil {
		lo, isObj := lv.(*jsonObject)
		if !isObj {
			return nil, qerr(errInvalidParams, "%s.qTreeLevels must be an NxPageTreeLevel object, not %s", where, jsonKind(lv))
		}
		if opt.levelLeft, qe = memberInt(lo, "qLeft", 0, where+".qTreeLevels"); qe != nil {
			return nil, qe
		}
		if opt.depth, qe = memberInt(lo, "qDepth", -1, where+".qTreeLevels"); qe != nil {
			return nil, qe
		}
		if opt.levelLeft < 0 {
			return nil, qerr(errInvalidParams, "%s.qTreeLevels.qLeft %d is negative", where, opt.levelLeft)
		}
	}
	return opt, nil
}

// covered reports whether a node of dimension d with level index ix is
// fetched, and whether d takes generated values.
func (opt *treeOptions) covered(d, ix int) (in, allValues bool) {
	in = true
	restricted := false
	hit := false
	for _, a := range opt.areas {
		if d < a.left || d >= a.left+a.width {
			continue
		}
		allValues = allValues || a.allValues
		if a.height <= 0 {
			hit = true
			continue
		}
		restricted = true
		if ix >= a.top && ix < a.top+a.height {
			hit = true
		}
	}
	if restricted && !hit {
		in = false
	}
	return in, allValues
}

// treeWriter encodes NxTreeNode trees of one cube.
type treeWriter struct {
	cd     *cubeDef
	c      *engine.Cube
	tree   *cubeTree
	opt    *treeOptions
	grains *grainSet
	loc    *numfmt.Locale
	states [][]engine.ValueState
	nd     int
	nodes  int
	elems  []int32 // path elements while walking
}

// value returns measure m of a node at dimension d whose path holds
// w.elems[:d+1].
func (w *treeWriter) value(t *treeNode, m int) (float64, bool, []byte) {
	v, ok := w.nodeValue(t, m)
	if !ok {
		return math.NaN(), false, nil
	}
	num, isNum := v.AsNumber()
	if !isNum || !v.HasNum() {
		num = math.NaN()
	}
	return num, true, appendString(nil, formatValue(v, w.cd.measFmt[m], w.loc))
}

func (w *treeWriter) nodeValue(t *treeNode, m int) (expr.Value, bool) {
	if t.generated {
		return expr.Value{}, false
	}
	if t.dim < 0 {
		return w.c.Totals[m], true
	}
	if t.dim == w.nd-1 {
		return w.c.Values[m][w.c.Order[t.row]], true
	}
	dims := make([]int, t.dim+1)
	for i := range dims {
		dims[i] = i
	}
	return w.grains.value(w.c, dims, w.elems[:t.dim+1], m)
}

// posNeg returns the sums of the positive and negative values of measure
// m over the node's children (the node itself for a leaf).
func (w *treeWriter) posNeg(t *treeNode, m int) (pos, neg float64) {
	add := func(n *treeNode) {
		num, ok, _ := w.value(n, m)
		if !ok || math.IsNaN(num) {
			return
		}
		if num > 0 {
			pos += num
		} else {
			neg += num
		}
	}
	if len(t.kids) == 0 {
		add(t)
		return pos, neg
	}
	for _, k := range t.kids {
		w.elems = append(w.elems[:k.dim], k.elem)
		add(k)
	}
	if t.dim >= 0 {
		w.elems = w.elems[:t.dim+1]
	} else {
		w.elems = w.elems[:0]
	}
	return pos, neg
}

// fetched returns the children of t to write (real ones the options keep,
// then generated ones).
func (w *treeWriter) fetched(t *treeNode) []*treeNode {
	d := t.dim + 1
	if d >= w.nd {
		return nil
	}
	var out []*treeNode
	var allValues bool
	for _, k := range t.kids {
		in, av := w.opt.covered(d, k.levelIx)
		allValues = allValues || av
		if in {
			out = append(out, k)
		}
	}
	if len(t.kids) == 0 {
		_, allValues = w.opt.covered(d, -1)
	}
	if allValues {
		pos := len(t.kids)
		for _, e := range w.tree.byLevel[d] {
			if _, ok := t.index[e]; ok {
				continue
			}
			out = append(out, &treeNode{dim: d, elem: e, row: t.row, groupPos: pos, levelIx: -1, generated: true})
			pos++
		}
	}
	return out
}

// appendNodes appends the nodes to write under t, skipping the dimensions
// before the first kept level and stopping after the last.
func (w *treeWriter) appendNodes(dst []byte, t *treeNode, path []int, first *bool) []byte {
	for _, k := range w.fetched(t) {
		w.elems = append(w.elems[:k.dim], k.elem)
		if k.dim < w.opt.levelLeft {
			dst = w.appendNodes(dst, k, append(path, k.groupPos), first)
			continue
		}
		if !*first {
			dst = append(dst, ',')
		}
		*first = false
		dst = w.appendNode(dst, k, path)
	}
	if t.dim >= 0 {
		w.elems = w.elems[:t.dim+1]
	} else {
		w.elems = w.elems[:0]
	}
	return dst
}

func (w *treeWriter) lastLevel() int {
	if w.opt.depth <= 0 {
		return w.nd - 1
	}
	return min(w.nd-1, w.opt.levelLeft+w.opt.depth-1)
}

// appendNode appends one NxTreeNode and its fetched subtree; path holds
// the qGroupPos of its ancestors below the root.
func (w *treeWriter) appendNode(dst []byte, t *treeNode, path []int) []byte {
	w.nodes++
	nm := len(w.cd.measLabels)
	dst = append(dst, `{"qText":`...)
	value := math.NaN()
	typ, state := "N", "L"
	switch {
	case t.dim < 0:
		dst = appendString(dst, "")
		typ = "R"
	case t.elem == -2:
		dst = appendString(dst, "-")
		typ = "U"
	case t.elem == engine.ElemOthers:
		dst = appendString(dst, w.cd.otherLabels[t.dim])
		typ = "O"
	case w.c.DimFields[t.dim] != nil:
		f := w.c.DimFields[t.dim]
		dst = f.Symbols.AppendJSON(dst, uint32(t.elem))
		value = f.Symbols.Num(uint32(t.elem))
		state = engine.Option.String()
		if st := w.states[t.dim]; int(t.elem) < len(st) {
			state = st[t.elem].String()
		}
	default:
		v := w.c.DimCalc[t.dim][t.elem]
		dst = appendString(dst, v.Text())
		if f, ok := v.AsNumber(); ok && v.HasNum() {
			value = f
		}
		state = engine.Option.String()
	}
	if t.generated {
		typ = "G"
	}
	dst = append(dst, `,"qValue":`...)
	dst = appendFloat(dst, value)
	dst = append(dst, `,"qElemNo":`...)
	dst = strconv.AppendInt(dst, int64(t.elem), 10)
	dst = append(dst, `,"qGroupPos":`...)
	dst = strconv.AppendInt(dst, int64(t.groupPos), 10)
	dst = append(dst, `,"qGroupSize":`...)
	dst = strconv.AppendInt(dst, int64(len(t.kids)), 10)
	dst = append(dst, `,"qRow":`...)
	dst = strconv.AppendInt(dst, int64(t.row), 10)
	dst = append(dst, `,"qType":"`...)
	dst = append(dst, typ...)
	dst = append(dst, `","qValues":[`...)
	for m := 0; m < nm; m++ {
		if m > 0 {
			dst = append(dst, ',')
		}
		num, ok, text := w.value(t, m)
		if !ok {
			dst = append(dst, `{"qText":"-","qValue":"NaN"}`...)
			continue
		}
		dst = append(dst, `{"qText":`...)
		dst = append(dst, text...)
		dst = append(dst, `,"qValue":`...)
		dst = appendFloat(dst, num)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"qNodes":[`...)
	if t.dim < w.lastLevel() {
		kidPath := path
		if t.dim >= 0 {
			kidPath = append(append([]int(nil), path...), t.groupPos)
		}
		first := true
		dst = w.appendNodes(dst, t, kidPath, &first)
	}
	dst = append(dst, `],"qMaxPos":[`...)
	negs := make([]float64, nm)
	for m := 0; m < nm; m++ {
		if m > 0 {
			dst = append(dst, ',')
		}
		var pos float64
		pos, negs[m] = w.posNeg(t, m)
		dst = appendFloat(dst, pos)
	}
	dst = append(dst, `],"qMinNeg":[`...)
	for m, n := range negs {
		if m > 0 {
			dst = append(dst, ',')
		}
		dst = appendFloat(dst, n)
	}
	dst = append(dst, `],"qState":"`...)
	dst = append(dst, state...)
	dst = append(dst, `","qTreePath":[`...)
	for i, p := range path {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(p), 10)
	}
	return append(dst, "]}"...)
}

// newTreeWriter prepares the tree of a computed cube.
func newTreeWriter(lc *layoutCtx, cd *cubeDef, c *engine.Cube, opt *treeOptions, loc *numfmt.Locale) *treeWriter {
	nd := len(cd.dimLabels)
	w := &treeWriter{cd: cd, c: c, tree: buildCubeTree(c, nd), opt: opt, loc: loc, nd: nd,
		grains: &grainSet{lc: lc, cd: cd, byDims: map[string]*grain{}}, states: make([][]engine.ValueState, nd)}
	for d, f := range c.DimFields {
		if f != nil {
			w.states[d] = c.Result.FieldStates(f.Index)
		}
	}
	return w
}

// appendTree appends the NxTreeNode array of the fetched tree: [root], or
// [] when it has more nodes than opt.maxNodes.
func (w *treeWriter) appendTree(dst []byte) ([]byte, *Error) {
	start := len(dst)
	dst = append(dst, '[')
	dst = w.appendNode(dst, w.tree.root, nil)
	if w.nodes-1 > maxTreeNodes {
		return dst[:start], qerr(errHCTooLarge, "the tree has %d nodes, at most %d can be fetched", w.nodes-1, maxTreeNodes)
	}
	if w.opt.maxNodes > 0 && w.nodes-1 > w.opt.maxNodes {
		return append(dst[:start], "[]"...), nil
	}
	return append(dst, ']'), nil
}

// treeLayout fills qTreeNodesOnDim and qTreeDataPages of a cube in mode T.
func treeLayout(lc *layoutCtx, cd *cubeDef, c *engine.Cube, out *jsonObject, loc *numfmt.Locale) error {
	opt := &treeOptions{}
	for _, p := range cd.pages {
		ar := treeArea{left: p.left, width: p.width, top: p.top, height: p.height}
		if ar.width <= 0 {
			ar.left, ar.width = 0, len(cd.dimLabels)
		}
		opt.areas = append(opt.areas, ar)
	}
	w := newTreeWriter(lc, cd, c, opt, loc)
	counts := make([]any, len(w.tree.onDim))
	for i, n := range w.tree.onDim {
		counts[i] = n
	}
	out.Set("qTreeNodesOnDim", counts)
	if len(cd.pages) == 0 {
		out.Set("qTreeDataPages", []any{})
		return nil
	}
	pages, qe := w.appendTree(nil)
	if qe != nil {
		out.Set("qError", validationError(&listError{qe.Code, qe.Parameter}))
		out.Set("qTreeDataPages", []any{})
		return nil
	}
	out.Set("qTreeDataPages", rawJSON(pages))
	return nil
}

func objGetHyperCubeTreeData(c *call) error {
	path := c.str("qPath")
	if c.bad() {
		return nil
	}
	opt := &treeOptions{}
	if v := c.optionalArg("qNodeOptions"); v != nil {
		o, ok := v.(*jsonObject)
		if !ok {
			return qerr(errInvalidParams, "qNodeOptions must be an NxTreeDataOption object, not %s", jsonKind(v))
		}
		var qe *Error
		if opt, qe = parseTreeOptions(o, "qNodeOptions"); qe != nil {
			return qe
		}
	}
	cd, err := c.cubeAt(path)
	if err != nil {
		return err
	}
	if cd.mode != "T" {
		return qerr(errHCInvalidState, "GetHyperCubeTreeData needs a tree cube (qMode T); the cube at %q has qMode %s", path, cd.mode)
	}
	lc, err := c.layoutCtx()
	if err != nil {
		return err
	}
	cube, le := computeCube(lc, cd)
	if le != nil {
		return qerr(le.code, "%s", le.context)
	}
	out, qe := newTreeWriter(lc, cd, cube, opt, lc.app.numLocale()).appendTree(nil)
	if qe != nil {
		return qe
	}
	c.out("qNodes", rawJSON(out))
	return nil
}
