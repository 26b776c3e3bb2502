package qix

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
)

// Hypercubes (qHyperCubeDef → qHyperCube, protocol §6–7): the definition
// is mapped onto an engine.CubeDef, computed (and cached per selection
// state) by the engine, and paged out with an append-style encoder.

func init() {
	registerDef("qHyperCubeDef", &defComputer{layoutKey: "qHyperCube", compute: libraryCube}) // master items: masteritems.go
	register("GenericObject", map[string]handler{
		"GetHyperCubeData":        objGetHyperCubeData,
		"GetHyperCubeReducedData": objGetHyperCubeData,
		"SelectHyperCubeValues":   objSelectHyperCubeValues,
		"SelectHyperCubeCells":    objSelectHyperCubeCells,
	})
}

// cubeDef is a parsed HyperCubeDef.
type cubeDef struct {
	state       string
	def         engine.CubeDef
	dimLabels   []string
	dimDefs     []string // qFieldDefs[0] as written
	dimSortInd  []string
	measLabels  []string
	measFmt     []*numfmt.Spec // nil: automatic format
	measSort    []string
	mode        string
	leftDims    int
	pages       []page
	calcCond    string
	calcMsg     string
	key         string
	err         *listError  // a definition the engine cannot compute
	custom      []string    // keys of the def copied to the layout verbatim
	otherLabels []string    // per dimension: the text of its Others cell
	raw         *jsonObject // H16: the definition itself (pivot expansion, tree mode)
}

// parseOthers reads an OtherTotalSpecProp. Limits given as expressions
// ({qv}) must be constants here.
func parseOthers(o *jsonObject) engine.OtherSpec {
	var sp engine.OtherSpec
	if o == nil {
		return sp
	}
	switch o.str("qOtherMode") {
	case "OTHER_COUNTED":
		sp.Mode = engine.OtherCounted
	case "OTHER_ABS_LIMITED":
		sp.Mode = engine.OtherAbsLimited
	case "OTHER_REL_LIMITED":
		sp.Mode = engine.OtherRelLimited
	case "OTHER_ABS_ACC_TARGET":
		sp.Mode = engine.OtherAbsAccTarget
	case "OTHER_REL_ACC_TARGET":
		sp.Mode = engine.OtherRelAccTarget
	}
	num := func(k string) float64 {
		switch v := mustGet(o, k).(type) {
		case jsonNumber:
			f, _ := v.float()
			return f
		case *jsonObject:
			if n, ok := mustGet(v, "qv").(string); ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(n, "=")), 64); err == nil {
					return f
				}
			}
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return f
			}
		}
		return math.NaN()
	}
	if sp.Mode == engine.OtherCounted {
		n := num("qOtherCounted")
		if math.IsNaN(n) {
			n = 10
		}
		sp.Counted = int(n)
	} else {
		sp.Limit = num("qOtherLimit")
		if math.IsNaN(sp.Limit) {
			sp.Limit = 0
		}
	}
	switch o.str("qOtherLimitMode") {
	case "OTHER_GE_LIMIT":
		sp.Op = engine.LimitGE
	case "OTHER_LT_LIMIT":
		sp.Op = engine.LimitLT
	case "OTHER_LE_LIMIT":
		sp.Op = engine.LimitLE
	}
	sp.Ascending = o.str("qOtherSortMode") == "OTHER_SORT_ASCENDING"
	sp.Suppress = o.boolean("qSuppressOther")
	if ref := o.obj("qReferencedExpression"); ref != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(ref.str("qv"))); err == nil {
			sp.Measure = n
		}
	}
	return sp
}

// knownCubeKeys are the HyperCubeDef keys the engine interprets; other
// keys are copied into the layout as they are.
var knownCubeKeys = map[string]bool{
	"qStateName": true, "qDimensions": true, "qMeasures": true, "qInterColumnSortOrder": true,
	"qSuppressZero": true, "qSuppressMissing": true, "qInitialDataFetch": true, "qReductionMode": true,
	"qMode": true, "qPseudoDimPos": true, "qNoOfLeftDims": true, "qAlwaysFullyExpanded": true,
	"qMaxStackedCells": true, "qPopulateMissing": true, "qShowTotalsAbove": true, "qIndentMode": true,
	"qCalcCond": true, "qSortbyYValue": true, "qTitle": true, "qCalcCondition": true, "qColumnOrder": true,
	"qExpansionState": true, "qDynamicScript": true, "qContextSetExpression": true,
	"qSuppressMeasureTotals": true, "qColumnWidths": true,
}

// valueExpr reads a string or {qv: string} (StringExpr / ValueExpr).
func valueExpr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case *jsonObject:
		return x.str("qv")
	}
	return ""
}

func sortCriteria(o *jsonObject) engine.SortCriteria {
	if o == nil {
		return engine.SortCriteria{}
	}
	return engine.SortCriteria{
		State:      sign(o.integer("qSortByState", 0)),
		Expression: sign(o.integer("qSortByExpression", 0)),
		Frequency:  sign(o.integer("qSortByFrequency", 0)),
		Numeric:    sign(o.integer("qSortByNumeric", 0)),
		Ascii:      sign(o.integer("qSortByAscii", 0)),
		LoadOrder:  sign(o.integer("qSortByLoadOrder", 0)),
	}
}

// parseNumFormat reads a FieldAttributes; nil for automatic formatting.
func parseNumFormat(o *jsonObject) *numfmt.Spec {
	if o == nil {
		return nil
	}
	t := o.str("qType")
	if t == "" || t == "U" || t == "UNKNOWN" {
		if o.str("qFmt") == "" {
			return nil
		}
	}
	sp := &numfmt.Spec{Type: numfmt.FieldType(t), NDec: o.integer("qnDec", 10), UseThou: o.integer("qUseThou", 0),
		Fmt: o.str("qFmt"), Dec: o.str("qDec"), Thou: o.str("qThou")}
	return sp
}

func parseCubeDef(d *jsonObject, state string) *cubeDef {
	cd := &cubeDef{state: state, mode: "S", leftDims: -1, raw: d}
	if s := d.str("qStateName"); s != "" {
		cd.state = s
	}
	cd.def.State = cd.state
	for _, v := range d.arr("qDimensions") {
		dim, _ := v.(*jsonObject)
		if dim == nil {
			continue
		}
		var field, label, sortExpr string
		var sc engine.SortCriteria
		if lib := dim.str("qLibraryId"); lib != "" && dim.obj("qDef") == nil {
			cd.err = &listError{errNotInLibrary, lib}
		}
		if q := dim.obj("qDef"); q != nil {
			if fd := q.arr("qFieldDefs"); len(fd) > 0 {
				field, _ = fd[0].(string)
			}
			if fl := q.arr("qFieldLabels"); len(fl) > 0 {
				label, _ = fl[0].(string)
			}
			if scs := q.arr("qSortCriterias"); len(scs) > 0 {
				c, _ := scs[0].(*jsonObject)
				sc = sortCriteria(c)
				if c != nil {
					sortExpr = valueExpr(mustGet(c, "qExpression"))
				}
			}
		}
		if field == "" && cd.err == nil {
			cd.err = &listError{errInvalidArgs, "a dimension has no qFieldDefs"}
		}
		name := field
		if len(name) > 2 && name[0] == '[' && name[len(name)-1] == ']' {
			name = name[1 : len(name)-1]
		}
		if label == "" {
			label = field
		}
		cd.dimDefs = append(cd.dimDefs, field)
		cd.dimLabels = append(cd.dimLabels, label)
		cd.dimSortInd = append(cd.dimSortInd, sortIndicator(sc))
		cd.def.Dims = append(cd.def.Dims, engine.CubeDim{Field: name, Label: label,
			NullSuppression: dim.boolean("qNullSuppression"), Sort: sc, SortExpr: sortExpr,
			Others: parseOthers(dim.obj("qOtherTotalSpec"))})
		otherLabel := valueExpr(mustGet(dim, "qOtherLabel"))
		if otherLabel == "" {
			otherLabel = "Others"
		}
		cd.otherLabels = append(cd.otherLabels, otherLabel)
	}
	for _, v := range d.arr("qMeasures") {
		ms, _ := v.(*jsonObject)
		if ms == nil {
			continue
		}
		var src, label string
		var spec *numfmt.Spec
		if lib := ms.str("qLibraryId"); lib != "" && ms.obj("qDef") == nil {
			cd.err = &listError{errNotInLibrary, lib}
		}
		if q := ms.obj("qDef"); q != nil {
			src = q.str("qDef")
			label = q.str("qLabel")
			spec = parseNumFormat(q.obj("qNumFormat"))
		}
		if label == "" {
			label = src
		}
		sc := sortCriteria(ms.obj("qSortBy"))
		ind := "N"
		switch {
		case sc.Numeric > 0, sc.Numeric == 0 && (sc.Frequency != 0 || sc.Ascii > 0 || sc.LoadOrder > 0 || sc.Expression > 0):
			ind = "A"
		case sc.Numeric < 0:
			ind = "D"
		}
		cd.measLabels = append(cd.measLabels, label)
		cd.measFmt = append(cd.measFmt, spec)
		cd.measSort = append(cd.measSort, ind)
		cd.def.Measures = append(cd.def.Measures, engine.CubeMeasure{Expr: src, Label: label, Sort: sc})
	}
	for _, v := range d.arr("qInterColumnSortOrder") {
		if n, ok := v.(jsonNumber); ok {
			if i, ok := n.int(); ok {
				cd.def.SortOrder = append(cd.def.SortOrder, i)
			}
		}
	}
	cd.def.SuppressZero = d.boolean("qSuppressZero")
	cd.def.SuppressMissing = d.boolean("qSuppressMissing")
	if m := d.str("qMode"); m != "" {
		cd.mode = shortMode(m)
	}
	cd.leftDims = d.integer("qNoOfLeftDims", -1)
	cd.pages = parsePages(d.arr("qInitialDataFetch"))
	if cc := d.obj("qCalcCondition"); cc != nil {
		cd.calcCond = valueExpr(mustGet(cc, "qCond"))
		cd.calcMsg = valueExpr(mustGet(cc, "qMsg"))
	}
	if cd.calcCond == "" {
		cd.calcCond = valueExpr(mustGet(d, "qCalcCond"))
	}
	for _, k := range d.keys {
		if !knownCubeKeys[k] {
			cd.custom = append(cd.custom, k)
		}
	}
	cd.key = cd.state + "|" + string(encode(cubeKeyDef(d))) // H16: expansion state does not change the cube
	return cd
}

func mustGet(o *jsonObject, k string) any {
	v, _ := o.Get(k)
	return v
}

// shortMode maps a long qMode to its short form.
func shortMode(m string) string {
	switch m {
	case "DATA_MODE_STRAIGHT":
		return "S"
	case "DATA_MODE_PIVOT":
		return "P"
	case "DATA_MODE_PIVOT_STACK":
		return "K"
	case "DATA_MODE_TREE":
		return "T"
	case "DATA_MODE_DYNAMIC":
		return "D"
	}
	return m
}

// computeCube computes the engine cube of a definition.
func computeCube(lc *layoutCtx, cd *cubeDef) (*engine.Cube, *listError) {
	if cd.err != nil {
		return nil, cd.err
	}
	def := &cd.def
	if m := lc.modal; m != nil && m.obj == lc.obj {
		// In selection mode the object keeps the rows it had when the
		// selections began; its new selections only change value states
		// (so row indexes a client sends stay valid between clicks).
		name := def.State
		if name == "" {
			name = engine.DefaultState
		}
		if base := m.snapshot[name]; base != nil {
			var fields []string
			for _, d := range def.Dims {
				fields = append(fields, d.Field)
			}
			if ds, err := lc.es.KeepSelections(def.State, base, fields); err == nil {
				d := *def
				d.DataState = ds
				def = &d
			}
		}
	}
	c, err := lc.es.CubeCached(cd.key, lc.app.calcVer.Load(), def)
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, engine.ErrCubeTooLarge):
		return nil, &listError{errCalcTooLarge, err.Error()}
	case errors.Is(err, engine.ErrFieldNotFound):
		return nil, &listError{errNotFound, err.Error()}
	case errors.Is(err, engine.ErrStateNotFound):
		return nil, &listError{errNotFound, err.Error()}
	}
	var ee *engine.ExprError
	if errors.As(err, &ee) {
		return nil, &listError{errCalcInvalidDef, ee.Error()}
	}
	return nil, &listError{errCalcInvalidDef, err.Error()}
}

// calcCondition evaluates the cube's calculation condition: false when it
// is given and evaluates to false (or fails).
func calcCondition(lc *layoutCtx, cd *cubeDef) (ok bool, msg string) {
	if strings.TrimSpace(cd.calcCond) == "" {
		return true, ""
	}
	v, err := lc.es.Evaluate(cd.state, cd.calcCond)
	if err == nil && v.Truthy() {
		return true, ""
	}
	msg = "The calculation condition is not met"
	if strings.TrimSpace(cd.calcMsg) != "" {
		if m, err := lc.es.Evaluate(cd.state, cd.calcMsg); err == nil && !m.IsNull() {
			msg = m.Text()
		}
	}
	return false, msg
}

func computeHyperCube(lc *layoutCtx, def any, path, state string) (any, error) {
	d, ok := def.(*jsonObject)
	if !ok {
		return clone(def), nil
	}
	if err := lc.ctx.Err(); err != nil {
		return nil, err
	}
	cd := parseCubeDef(d, state)
	out := newObj(16)
	if cd.state != engine.DefaultState {
		out.Set("qStateName", cd.state)
	}
	if ok, msg := calcCondition(lc, cd); !ok {
		out.Set("qSize", size(len(cd.dimLabels)+len(cd.measLabels), 0))
		out.Set("qError", validationError(&listError{errCalcCondition, ""}))
		out.Set("qCalcCondMsg", msg)
		cubeEmptyInfo(out, cd)
		return out, nil
	}
	c, le := computeCube(lc, cd)
	if le != nil {
		out.Set("qSize", size(len(cd.dimLabels)+len(cd.measLabels), 0))
		out.Set("qError", validationError(le))
		cubeEmptyInfo(out, cd)
		return out, nil
	}
	out.Set("qSize", size(len(cd.dimLabels)+len(cd.measLabels), c.Rows()))
	dims := make([]any, len(cd.dimLabels))
	for i := range dims {
		dims[i] = cubeDimInfo(lc, cd, c, i)
	}
	out.Set("qDimensionInfo", dims)
	meas := make([]any, len(cd.measLabels))
	for i := range meas {
		meas[i] = cubeMeasureInfo(lc, cd, c, i)
	}
	out.Set("qMeasureInfo", meas)
	out.Set("qEffectiveInterColumnSortOrder", effectiveSortOrder(cd))
	numLoc := lc.app.numLocale()
	if len(cd.measLabels) > 0 {
		var buf []byte
		buf = append(buf, '[')
		for i := range cd.measLabels {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendTotalCell(buf, c, i, cd.measFmt[i], numLoc)
		}
		out.Set("qGrandTotalRow", rawJSON(append(buf, ']')))
	} else {
		out.Set("qGrandTotalRow", []any{})
	}
	pages := []byte("[]")
	if cd.mode == "S" || cd.mode == "" {
		var qe *Error
		pages, qe = cubePages(nil, lc, cd, c, cd.pages, numLoc)
		if qe != nil {
			out.Set("qError", validationError(&listError{qe.Code, qe.Parameter}))
			pages = []byte("[]")
		}
	}
	out.Set("qDataPages", rawJSON(pages))
	out.Set("qPivotDataPages", []any{})
	out.Set("qStackedDataPages", []any{})
	if cd.mode == "P" || cd.mode == "K" {
		if err := pivotLayout(lc, cd, c, out, numLoc); err != nil {
			return nil, err
		}
	}
	out.Set("qMode", cd.mode)
	out.Set("qNoOfLeftDims", cd.leftDims)
	if c.HasOthers {
		out.Set("qHasOtherValues", true)
	}
	out.Set("qTreeNodesOnDim", []any{})
	if cd.mode == "T" { // H16: tree mode, treedata.go
		if err := treeLayout(lc, cd, c, out, numLoc); err != nil {
			return nil, err
		}
	}
	out.Set("qColumnOrder", []any{})
	for _, k := range cd.custom {
		out.Set(k, clone(mustGet(d, k)))
	}
	return out, nil
}

// cubeEmptyInfo fills the info arrays of a cube that could not be computed.
func cubeEmptyInfo(out *jsonObject, cd *cubeDef) {
	dims := make([]any, len(cd.dimLabels))
	for i, l := range cd.dimLabels {
		o := newObj(4)
		o.Set("qFallbackTitle", l)
		o.Set("qApprMaxGlyphCount", 0)
		o.Set("qCardinal", 0)
		o.Set("qSortIndicator", cd.dimSortInd[i])
		dims[i] = o
	}
	out.Set("qDimensionInfo", dims)
	meas := make([]any, len(cd.measLabels))
	for i, l := range cd.measLabels {
		o := newObj(4)
		o.Set("qFallbackTitle", l)
		o.Set("qApprMaxGlyphCount", 0)
		o.Set("qCardinal", 0)
		o.Set("qSortIndicator", cd.measSort[i])
		meas[i] = o
	}
	out.Set("qMeasureInfo", meas)
	out.Set("qEffectiveInterColumnSortOrder", effectiveSortOrder(cd))
	out.Set("qGrandTotalRow", []any{})
	out.Set("qDataPages", []any{})
	out.Set("qPivotDataPages", []any{})
	out.Set("qStackedDataPages", []any{})
	out.Set("qMode", cd.mode)
	out.Set("qNoOfLeftDims", cd.leftDims)
	out.Set("qTreeNodesOnDim", []any{})
	out.Set("qColumnOrder", []any{})
}

// effectiveSortOrder is qInterColumnSortOrder completed with the columns it
// leaves out, in definition order.
func effectiveSortOrder(cd *cubeDef) []int {
	n := len(cd.dimLabels) + len(cd.measLabels)
	var out []int
	seen := map[int]bool{}
	for _, c := range cd.def.SortOrder {
		if c >= 0 && c < n && !seen[c] {
			out = append(out, c)
			seen[c] = true
		}
	}
	for c := 0; c < n; c++ {
		if !seen[c] {
			out = append(out, c)
		}
	}
	if out == nil {
		out = []int{}
	}
	return out
}

func cubeDimInfo(lc *layoutCtx, cd *cubeDef, c *engine.Cube, d int) *jsonObject {
	f := c.DimFields[d]
	di := newObj(22)
	di.Set("qFallbackTitle", cd.dimLabels[d])
	// distinct elements in the cube's rows
	seen := map[int32]bool{}
	for _, r := range c.Order {
		seen[c.Elem[d][r]] = true
	}
	delete(seen, -2)
	delete(seen, engine.ElemOthers)
	if f == nil { // calculated dimension
		glyphs := 0
		for _, v := range c.DimCalc[d] {
			glyphs = max(glyphs, utf8.RuneCountInString(v.Text()))
		}
		di.Set("qApprMaxGlyphCount", glyphs)
		di.Set("qCardinal", len(c.DimCalc[d]))
		di.Set("qSortIndicator", cd.dimSortInd[d])
		di.Set("qGroupFallbackTitles", []string{cd.dimLabels[d]})
		di.Set("qGroupPos", 0)
		di.Set("qStateCounts", stateCounts(engine.StateCounts{}))
		di.Set("qTags", []string{})
		di.Set("qDimensionType", "D")
		di.Set("qGrouping", "N")
		di.Set("qNumFormat", newObj(3).Set("qType", "U").Set("qnDec", 0).Set("qUseThou", 0))
		di.Set("qIsAutoFormat", true)
		di.Set("qGroupFieldDefs", []string{cd.dimDefs[d]})
		di.Set("qMin", math.NaN())
		di.Set("qMax", math.NaN())
		di.Set("qAttrExprInfo", []any{})
		di.Set("qAttrDimInfo", []any{})
		di.Set("qIsCalculated", true)
		di.Set("qCardinalities", cardinalities(len(c.DimCalc[d]), len(seen)))
		return di
	}
	facts := lc.mi.facts(f)
	di.Set("qApprMaxGlyphCount", facts.glyphs)
	di.Set("qCardinal", f.Cardinal())
	if fs := c.Result.State().Selection(f.Index); fs != nil && fs.Locked {
		di.Set("qLocked", true)
	}
	di.Set("qSortIndicator", cd.dimSortInd[d])
	di.Set("qGroupFallbackTitles", []string{cd.dimLabels[d]})
	di.Set("qGroupPos", 0)
	di.Set("qStateCounts", stateCounts(c.Result.Counts(f.Index)))
	di.Set("qTags", tagsOf(f))
	dtype := dimensionType(f)
	di.Set("qDimensionType", dtype)
	di.Set("qGrouping", "N")
	di.Set("qNumFormat", numFormat(lc.app, f))
	di.Set("qIsAutoFormat", true)
	di.Set("qGroupFieldDefs", []string{f.Name})
	// the numeric range of the values in the cube's rows
	lo, hi := math.NaN(), math.NaN()
	for e := range seen {
		v := f.Symbols.Num(uint32(e))
		if math.IsNaN(v) {
			continue
		}
		if math.IsNaN(lo) || v < lo {
			lo = v
		}
		if math.IsNaN(hi) || v > hi {
			hi = v
		}
	}
	di.Set("qMin", lo)
	di.Set("qMax", hi)
	if dtype != "D" {
		di.Set("qContinuousAxes", true)
	}
	di.Set("qAttrExprInfo", []any{})
	di.Set("qAttrDimInfo", []any{})
	di.Set("qCardinalities", cardinalities(f.Cardinal(), len(seen)))
	return di
}

func cardinalities(card, inCube int) *jsonObject {
	o := newObj(3)
	o.Set("qCardinal", card)
	o.Set("qHypercubeCardinal", inCube)
	o.Set("qAllValuesCardinal", -1)
	return o
}

func cubeMeasureInfo(lc *layoutCtx, cd *cubeDef, c *engine.Cube, m int) *jsonObject {
	mi := newObj(14)
	mi.Set("qFallbackTitle", cd.measLabels[m])
	lo, hi := math.NaN(), math.NaN()
	glyphs := 0
	allInt, anyNum, anyText := true, false, false
	for _, r := range c.Order {
		v := c.Values[m][r]
		if v.IsNull() {
			continue
		}
		f, ok := v.AsNumber()
		if !ok || !v.HasNum() {
			anyText = true
			glyphs = max(glyphs, utf8.RuneCountInString(v.Text()))
			continue
		}
		anyNum = true
		if math.IsNaN(lo) || f < lo {
			lo = f
		}
		if math.IsNaN(hi) || f > hi {
			hi = f
		}
		if f != math.Trunc(f) {
			allInt = false
		}
		glyphs = max(glyphs, len(valueTextFor(v)))
	}
	mi.Set("qApprMaxGlyphCount", glyphs)
	mi.Set("qCardinal", 0)
	mi.Set("qSortIndicator", cd.measSort[m])
	sep := lc.app.separators()
	switch spec := cd.measFmt[m]; {
	case spec != nil:
		nf := newObj(6).Set("qType", string(spec.Type)).Set("qnDec", spec.NDec).Set("qUseThou", spec.UseThou)
		if spec.Fmt != "" {
			nf.Set("qFmt", spec.Fmt)
		}
		if spec.Dec != "" {
			nf.Set("qDec", spec.Dec)
		}
		if spec.Thou != "" {
			nf.Set("qThou", spec.Thou)
		}
		mi.Set("qNumFormat", nf)
	case anyNum && allInt && !anyText:
		mi.Set("qNumFormat", newObj(5).Set("qType", "I").Set("qnDec", 0).Set("qUseThou", 1).Set("qFmt", "###0").Set("qDec", sep.dec))
	case anyNum && !anyText:
		mi.Set("qNumFormat", newObj(6).Set("qType", "R").Set("qnDec", 0).Set("qUseThou", 0).Set("qFmt", "##############").Set("qDec", sep.dec).Set("qThou", sep.thou))
	default:
		mi.Set("qNumFormat", newObj(3).Set("qType", "U").Set("qnDec", 0).Set("qUseThou", 0))
	}
	mi.Set("qMin", lo)
	mi.Set("qMax", hi)
	mi.Set("qIsAutoFormat", cd.measFmt[m] == nil)
	if err := c.Errors[m]; err != nil {
		mi.Set("qError", validationError(&listError{errCalcInvalidDef, err.Error()}))
	}
	mi.Set("qAttrExprInfo", []any{})
	mi.Set("qAttrDimInfo", []any{})
	mi.Set("qTrendLines", []any{})
	return mi
}

func valueTextFor(v expr.Value) string {
	if v.HasText() {
		return v.Text()
	}
	f, _ := v.AsNumber()
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// cubePages appends the JSON array of straight-mode data pages.
func cubePages(dst []byte, lc *layoutCtx, cd *cubeDef, c *engine.Cube, pages []page, loc *numfmt.Locale) ([]byte, *Error) {
	nd, nm := len(cd.dimLabels), len(cd.measLabels)
	ncols, nrows := nd+nm, c.Rows()
	cells := 0
	for _, p := range pages {
		if p.left < 0 || p.top < 0 || p.width < 0 || p.height < 0 {
			return dst, qerr(errInvalidParams, "a page has a negative qLeft, qTop, qWidth or qHeight")
		}
		w, h := clipCube(p, ncols, nrows)
		cells += w * h
	}
	if cells > maxPageCells {
		return dst, qerr(errPagesTooLarge, "%d cells asked for, at most %d", cells, maxPageCells)
	}
	states := make([][]engine.ValueState, nd)
	for d, f := range c.DimFields {
		if f != nil {
			states[d] = c.Result.FieldStates(f.Index)
		}
	}
	if dst == nil {
		dst = make([]byte, 0, 64+cells*80)
	}
	dst = append(dst, '[')
	for pi, p := range pages {
		if pi > 0 {
			dst = append(dst, ',')
		}
		w, h := clipCube(p, ncols, nrows)
		dst = append(dst, `{"qMatrix":[`...)
		for ri := 0; ri < h; ri++ {
			if ri > 0 {
				dst = append(dst, ',')
			}
			row := c.Order[p.top+ri]
			dst = append(dst, '[')
			for ci := 0; ci < w; ci++ {
				if ci > 0 {
					dst = append(dst, ',')
				}
				col := p.left + ci
				if col < nd {
					dst = appendDimCell(dst, c, col, row, states[col], cd.otherLabels[col])
				} else {
					dst = appendMeasureCell(dst, c.Values[col-nd][row], cd.measFmt[col-nd], loc)
				}
			}
			dst = append(dst, ']')
		}
		dst = append(dst, `],"qTails":[`...)
		for d := 0; d < nd; d++ {
			if d > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"qUp":0,"qDown":0}`...)
		}
		dst = append(dst, `],"qArea":{"qLeft":`...)
		dst = strconv.AppendInt(dst, int64(p.left), 10)
		dst = append(dst, `,"qTop":`...)
		dst = strconv.AppendInt(dst, int64(p.top), 10)
		dst = append(dst, `,"qWidth":`...)
		dst = strconv.AppendInt(dst, int64(w), 10)
		dst = append(dst, `,"qHeight":`...)
		dst = strconv.AppendInt(dst, int64(h), 10)
		dst = append(dst, "}}"...)
	}
	return append(dst, ']'), nil
}

// clipCube returns the width and height of page p over ncols × nrows.
func clipCube(p page, ncols, nrows int) (w, h int) {
	if p.left >= ncols || p.top >= nrows || p.width <= 0 || p.height <= 0 {
		return 0, 0
	}
	return min(p.width, ncols-p.left), min(p.height, nrows-p.top)
}

const nullDimCell = `{"qText":"-","qNum":"NaN","qElemNumber":-2,"qState":"L","qIsNull":true}`

func appendDimCell(dst []byte, c *engine.Cube, d int, row int32, states []engine.ValueState, otherLabel string) []byte {
	e := c.Elem[d][row]
	if e == -2 {
		return append(dst, nullDimCell...)
	}
	if e == engine.ElemOthers {
		dst = append(dst, `{"qText":`...)
		dst = appendString(dst, otherLabel)
		return append(dst, `,"qNum":"NaN","qElemNumber":-3,"qState":"L","qIsOtherCell":true}`...)
	}
	dst = append(dst, `{"qText":`...)
	if f := c.DimFields[d]; f != nil {
		dst = f.Symbols.AppendJSON(dst, uint32(e))
		dst = append(dst, `,"qNum":`...)
		dst = appendFloat(dst, f.Symbols.Num(uint32(e)))
	} else {
		v := c.DimCalc[d][e]
		dst = appendString(dst, v.Text())
		dst = append(dst, `,"qNum":`...)
		num, ok := v.AsNumber()
		if !ok || !v.HasNum() {
			num = math.NaN()
		}
		dst = appendFloat(dst, num)
	}
	dst = append(dst, `,"qElemNumber":`...)
	dst = strconv.AppendInt(dst, int64(e), 10)
	dst = append(dst, `,"qState":"`...)
	st := engine.Option
	if states != nil && int(e) < len(states) {
		st = states[e]
	}
	dst = append(dst, st.String()...)
	return append(dst, `"}`...)
}

func appendMeasureCell(dst []byte, v expr.Value, spec *numfmt.Spec, loc *numfmt.Locale) []byte {
	if v.IsNull() {
		return append(dst, `{"qText":"-","qNum":"NaN","qElemNumber":0,"qState":"L","qIsNull":true}`...)
	}
	dst = append(dst, `{"qText":`...)
	dst = appendString(dst, formatValue(v, spec, loc))
	dst = append(dst, `,"qNum":`...)
	num, ok := v.AsNumber()
	if !ok || !v.HasNum() {
		num = math.NaN()
	}
	dst = appendFloat(dst, num)
	return append(dst, `,"qElemNumber":0,"qState":"L"}`...)
}

func appendTotalCell(dst []byte, c *engine.Cube, m int, spec *numfmt.Spec, loc *numfmt.Locale) []byte {
	v := c.Totals[m]
	if v.IsNull() {
		return append(dst, `{"qText":"-","qNum":"NaN","qElemNumber":-1,"qState":"X","qIsTotalCell":true}`...)
	}
	dst = append(dst, `{"qText":`...)
	dst = appendString(dst, formatValue(v, spec, loc))
	dst = append(dst, `,"qNum":`...)
	num, ok := v.AsNumber()
	if !ok || !v.HasNum() {
		num = math.NaN()
	}
	dst = appendFloat(dst, num)
	return append(dst, `,"qElemNumber":-1,"qState":"X","qIsTotalCell":true}`...)
}

// cubeAt returns the hypercube definition at path of the call's object.
func (c *call) cubeAt(path string) (*cubeDef, error) {
	props, _ := c.s.effective(c.h.obj)
	v, state, last, ok := resolveDef(props, path)
	d, isObj := v.(*jsonObject)
	if !ok || !isObj || last != "qHyperCubeDef" {
		return nil, qerr(errInvalidPath, "no qHyperCubeDef at %q", path)
	}
	cd := parseCubeDef(resolveCubeLibrary(c.s.doc(), d), state) // master items: masteritems.go
	if cd.state != engine.DefaultState {
		if err := c.checkState(cd.state); err != nil {
			return nil, err
		}
	}
	return cd, nil
}

func objGetHyperCubeData(c *call) error {
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
	out, qe := cubePages(nil, lc, cd, cube, pages, lc.app.numLocale())
	if qe != nil {
		return qe
	}
	c.out("qDataPages", rawJSON(out))
	return nil
}

// cubeSelect runs a selection on a cube's dimension fields.
func (c *call) cubeSelect(path string, fn func(es *engine.Session, cd *cubeDef, cube *engine.Cube) (bool, error)) error {
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
	ok, err := c.selOp(checkModal(c.h.obj), func(es *engine.Session) (bool, error) { return fn(es, cd, cube) })
	if err != nil {
		var qe *Error
		if errors.As(err, &qe) {
			return err
		}
		ok = false
	}
	c.out("qSuccess", ok)
	return nil
}

func objSelectHyperCubeValues(c *call) error {
	path := c.str("qPath")
	dimNo := c.integer("qDimNo")
	values := c.ints("qValues")
	toggle := c.boolean("qToggleMode")
	return c.cubeSelect(path, func(es *engine.Session, cd *cubeDef, cube *engine.Cube) (bool, error) {
		if dimNo < 0 || dimNo >= len(cube.DimFields) {
			return false, qerr(errInvalidParams, "qDimNo %d out of range", dimNo)
		}
		f := cube.DimFields[dimNo]
		if f == nil {
			return false, nil // calculated dimensions cannot be selected in
		}
		valid := values[:0:0]
		for _, e := range values {
			if e >= 0 && e < f.Cardinal() {
				valid = append(valid, e)
			}
		}
		if len(values) > 0 && len(valid) == 0 {
			return false, nil
		}
		return es.SelectElements(cd.state, f.Name, valid, toggle, false)
	})
}

func objSelectHyperCubeCells(c *call) error {
	path := c.str("qPath")
	rows := c.ints("qRowIndices")
	cols := c.ints("qColIndices")
	soft := c.boolean("qSoftLock")
	return c.cubeSelect(path, func(es *engine.Session, cd *cubeDef, cube *engine.Cube) (bool, error) {
		any := false
		for _, col := range cols {
			if col < 0 || col >= len(cube.DimFields) || cube.DimFields[col] == nil {
				continue
			}
			f := cube.DimFields[col]
			var elems []int
			for _, r := range rows {
				if r < 0 || r >= cube.Rows() {
					continue
				}
				if e := cube.Elem[col][cube.Order[r]]; e >= 0 && !slices.Contains(elems, int(e)) {
					elems = append(elems, int(e))
				}
			}
			if len(elems) == 0 {
				continue
			}
			ok, err := es.SelectElements(cd.state, f.Name, elems, true, soft)
			if err != nil {
				return false, err
			}
			any = any || ok
		}
		return any, nil
	})
}
