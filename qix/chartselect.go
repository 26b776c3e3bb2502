package qix

import (
	"math"
	"slices"
	"strconv"

	"github.com/assocengine/assoc/engine"
)

// Range selections in charts (protocol §5.3, GenericObject): what a bar,
// line or scatter chart sends when the user drags a range brush or a lasso
// over a measure axis or a continuous dimension axis.
//
//   - RangeSelectHyperCubeValues selects, in the dimensions listed by
//     qColumnsToSelect (all when empty or absent), the values of the cube
//     rows whose measures fall in the ranges: every range must hold
//     (qOrMode false) or one is enough (qOrMode true). A NULL or text
//     measure value is in no range.
//   - MultiRangeSelectHyperCubeValues does the same for several groups of
//     ranges, each with its own columns; the rows of all groups are
//     selected together, one selection per field.
//   - SelectHyperCubeContinuousRange selects, in dimension qDimIx, the
//     values of the cube rows whose number falls in one of its ranges.
//   - SelectListObjectContinuousRange selects the list's field values whose
//     number falls in one of the ranges, among the values that are not
//     excluded (as a numeric search does).
//
// A range is [qMin, qMax] with each end included only when its qMinInclEq
// or qMaxInclEq flag is set; a missing end is unbounded and qMin above
// qMax is read as the same range with the ends swapped. The selection
// replaces the field's selection, and qDeselectOnlyOneSelected clears a
// field instead when the range picks exactly the one value already
// selected there (clicking the only selected bar again). The rows come
// from the whole cube, not from a page. Calculated dimensions, NULL and
// "Others" cells cannot be selected and are skipped. qSuccess is true when
// every field selection the call made succeeded; it is false when no row
// matched or a lock refused a field. The selections go through the same
// modal machinery as SelectHyperCubeValues: inside BeginSelections of
// another object they answer 6003, inside this object's they are undone
// by EndSelections(false). A multi-field selection is one Back step per
// field, as the engine's field selections are.

func init() {
	register("GenericObject", map[string]handler{
		"RangeSelectHyperCubeValues":      objRangeSelectHyperCubeValues,
		"MultiRangeSelectHyperCubeValues": objMultiRangeSelectHyperCubeValues,
		"SelectHyperCubeContinuousRange":  objSelectHyperCubeContinuousRange,
		"SelectListObjectContinuousRange": objSelectListObjectContinuousRange,
	})
}

// valueRange is a parsed Range.
type valueRange struct {
	min, max         float64
	minIncl, maxIncl bool
}

// contains reports whether v lies in the range; NaN lies in none.
func (r valueRange) contains(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if r.minIncl {
		if v < r.min {
			return false
		}
	} else if v <= r.min {
		return false
	}
	if r.maxIncl {
		return v <= r.max
	}
	return v < r.max
}

// rangeNumber reads an optional number of a Range: absent or null is def,
// a JSON number or one of "NaN", "Infinity", "-Infinity" (the engine's
// encoding of non-finite numbers) is accepted.
func rangeNumber(o *jsonObject, key string, def float64, where string) (float64, *Error) {
	v, ok := o.Get(key)
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case jsonNumber:
		if f, ok := x.float(); ok {
			return f, nil
		}
	case string:
		switch x {
		case "Infinity", "+Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	}
	return 0, qerr(errInvalidParams, "%s.%s must be a number, not %s", where, key, jsonKind(v))
}

// memberBool reads an optional boolean member.
func memberBool(o *jsonObject, key, where string) (bool, *Error) {
	v, ok := o.Get(key)
	if !ok || v == nil {
		return false, nil
	}
	b, isBool := v.(bool)
	if !isBool {
		return false, qerr(errInvalidParams, "%s.%s must be a boolean, not %s", where, key, jsonKind(v))
	}
	return b, nil
}

// memberInt reads an optional integer member (def when absent).
func memberInt(o *jsonObject, key string, def int, where string) (int, *Error) {
	v, ok := o.Get(key)
	if !ok || v == nil {
		return def, nil
	}
	n, isNum := v.(jsonNumber)
	if isNum {
		if i, ok := n.int(); ok {
			return i, nil
		}
	}
	return 0, qerr(errInvalidParams, "%s.%s must be an integer, not %s", where, key, jsonKind(v))
}

// parseRange validates a Range object at where (for messages).
func parseRange(v any, where string) (valueRange, *Error) {
	o, ok := v.(*jsonObject)
	if !ok {
		return valueRange{}, qerr(errInvalidParams, "%s must be a Range object, not %s", where, jsonKind(v))
	}
	var r valueRange
	var qe *Error
	if r.min, qe = rangeNumber(o, "qMin", math.Inf(-1), where); qe != nil {
		return r, qe
	}
	if r.max, qe = rangeNumber(o, "qMax", math.Inf(1), where); qe != nil {
		return r, qe
	}
	if math.IsNaN(r.min) || math.IsNaN(r.max) {
		return r, qerr(errInvalidParams, "%s has a NaN end", where)
	}
	if r.minIncl, qe = memberBool(o, "qMinInclEq", where); qe != nil {
		return r, qe
	}
	if r.maxIncl, qe = memberBool(o, "qMaxInclEq", where); qe != nil {
		return r, qe
	}
	if r.min > r.max {
		r.min, r.max = r.max, r.min
		r.minIncl, r.maxIncl = r.maxIncl, r.minIncl
	}
	return r, nil
}

// measureRange is a parsed NxRangeSelectInfo.
type measureRange struct {
	r       valueRange
	measure int
}

// parseMeasureRanges validates an array of NxRangeSelectInfo.
func parseMeasureRanges(v any, where string) ([]measureRange, *Error) {
	a, ok := v.([]any)
	if !ok {
		return nil, qerr(errInvalidParams, "%s must be an array of NxRangeSelectInfo, not %s", where, jsonKind(v))
	}
	out := make([]measureRange, 0, len(a))
	for i, e := range a {
		w := where + "[" + strconv.Itoa(i) + "]"
		o, ok := e.(*jsonObject)
		if !ok {
			return nil, qerr(errInvalidParams, "%s must be an NxRangeSelectInfo object, not %s", w, jsonKind(e))
		}
		rv, has := o.Get("qRange")
		if !has {
			return nil, qerr(errInvalidParams, "%s has no qRange", w)
		}
		r, qe := parseRange(rv, w+".qRange")
		if qe != nil {
			return nil, qe
		}
		m, qe := memberInt(o, "qMeasureIx", 0, w)
		if qe != nil {
			return nil, qe
		}
		out = append(out, measureRange{r: r, measure: m})
	}
	return out, nil
}

// parseColumns validates an optional array of dimension indexes (nil when
// absent).
func parseColumns(v any, where string) ([]int, *Error) {
	if v == nil {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, qerr(errInvalidParams, "%s must be an array of integers, not %s", where, jsonKind(v))
	}
	out := make([]int, 0, len(a))
	for _, e := range a {
		n, isNum := e.(jsonNumber)
		i, ok := n.int()
		if !isNum || !ok {
			return nil, qerr(errInvalidParams, "%s must be an array of integers", where)
		}
		out = append(out, i)
	}
	return out, nil
}

// rangeGroup is one set of measure ranges and the dimensions it selects.
type rangeGroup struct {
	ranges []measureRange
	cols   []int // nil or empty: every dimension
}

// checkGroup validates the measure and column indexes of g against cd.
func checkGroup(cd *cubeDef, g rangeGroup, where string) *Error {
	nm, nd := len(cd.measLabels), len(cd.dimLabels)
	for i, mr := range g.ranges {
		if mr.measure < 0 || mr.measure >= nm {
			return qerr(errInvalidParams, "%s[%d].qMeasureIx %d is out of range: the cube has %d measures", where, i, mr.measure, nm)
		}
	}
	for _, d := range g.cols {
		if d < 0 || d >= nd {
			return qerr(errInvalidParams, "column %d to select is out of range: the cube has %d dimensions", d, nd)
		}
	}
	return nil
}

// measureNumber returns the number of measure m in cube row r, NaN for
// NULL and text.
func measureNumber(cube *engine.Cube, m int, r int32) float64 {
	v := cube.Values[m][r]
	if v.IsNull() || !v.HasNum() {
		return math.NaN()
	}
	f, ok := v.AsNumber()
	if !ok {
		return math.NaN()
	}
	return f
}

// rowsInRanges returns the cube rows (display order) whose measures fall
// in the ranges: all of them, or one of them with or.
func rowsInRanges(cube *engine.Cube, ranges []measureRange, or bool) []int32 {
	var out []int32
	for _, r := range cube.Order {
		hit := !or
		for _, mr := range ranges {
			in := mr.r.contains(measureNumber(cube, mr.measure, r))
			if or && in {
				hit = true
				break
			}
			if !or && !in {
				hit = false
				break
			}
		}
		if hit && len(ranges) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// fieldPick is the elements to select in one dimension's field.
type fieldPick struct {
	dim   int
	elems []int
}

// addElem adds element e of dimension d to the picks (in first-seen
// order); NULL, Others and calculated dimensions are skipped.
func addElem(picks []fieldPick, cube *engine.Cube, d int, e int32) []fieldPick {
	if e < 0 || cube.DimFields[d] == nil {
		return picks
	}
	i := slices.IndexFunc(picks, func(p fieldPick) bool { return p.dim == d })
	if i < 0 {
		picks = append(picks, fieldPick{dim: d})
		i = len(picks) - 1
	}
	if !slices.Contains(picks[i].elems, int(e)) {
		picks[i].elems = append(picks[i].elems, int(e))
	}
	return picks
}

// pickRows collects the elements of dims (all dimensions when empty) in
// the rows.
func pickRows(picks []fieldPick, cube *engine.Cube, rows []int32, dims []int) []fieldPick {
	if len(dims) == 0 {
		dims = make([]int, len(cube.DimFields))
		for d := range dims {
			dims[d] = d
		}
	}
	for _, d := range dims {
		for _, r := range rows {
			picks = addElem(picks, cube, d, cube.Elem[d][r])
		}
	}
	return picks
}

// selectPicks makes one selection per picked field in state: the picked
// values replace the field's selection, or, with deselectOne, clear it
// when they are the one value already selected. It reports whether every
// selection succeeded; false when there was nothing to select.
func selectPicks(es *engine.Session, state string, cube *engine.Cube, picks []fieldPick, soft, deselectOne bool) (bool, error) {
	if len(picks) == 0 {
		return false, nil
	}
	all := true
	for _, p := range picks {
		if len(p.elems) == 0 {
			continue
		}
		slices.Sort(p.elems)
		f := cube.DimFields[p.dim]
		var ok bool
		var err error
		if deselectOne && len(p.elems) == 1 && onlySelected(es, state, f, p.elems[0]) {
			ok, err = es.Clear(state, f.Name)
		} else {
			ok, err = es.SelectElements(state, f.Name, p.elems, false, soft)
		}
		if err != nil {
			return false, err
		}
		all = all && ok
	}
	return all, nil
}

// onlySelected reports whether element e is the one selected value of f.
func onlySelected(es *engine.Session, state string, f *engine.Field, e int) bool {
	st, err := es.State(state)
	if err != nil {
		return false
	}
	fs := st.Selection(f.Index)
	return fs != nil && fs.Count() == 1 && fs.Selected(uint32(e))
}

// optionalArg returns the value of an optional parameter, or nil when the
// request did not give it (the schema's default is an example, not a
// meaning).
func (c *call) optionalArg(name string) any {
	if !c.isGiven(name) {
		return nil
	}
	return c.arg(name)
}

func objRangeSelectHyperCubeValues(c *call) error {
	path := c.str("qPath")
	or := c.boolean("qOrMode")
	deselect := c.boolean("qDeselectOnlyOneSelected")
	if c.bad() {
		return nil
	}
	ranges, qe := parseMeasureRanges(c.arg("qRanges"), "qRanges")
	if qe != nil {
		return qe
	}
	cols, qe := parseColumns(c.optionalArg("qColumnsToSelect"), "qColumnsToSelect")
	if qe != nil {
		return qe
	}
	g := rangeGroup{ranges: ranges, cols: cols}
	return c.cubeSelect(path, func(es *engine.Session, cd *cubeDef, cube *engine.Cube) (bool, error) {
		if qe := checkGroup(cd, g, "qRanges"); qe != nil {
			return false, qe
		}
		picks := pickRows(nil, cube, rowsInRanges(cube, g.ranges, or), g.cols)
		return selectPicks(es, cd.state, cube, picks, false, deselect)
	})
}

func objMultiRangeSelectHyperCubeValues(c *call) error {
	path := c.str("qPath")
	or := c.boolean("qOrMode")
	deselect := c.boolean("qDeselectOnlyOneSelected")
	if c.bad() {
		return nil
	}
	a, ok := c.arg("qRanges").([]any)
	if !ok {
		return qerr(errInvalidParams, "qRanges must be an array of NxMultiRangeSelectInfo, not %s", jsonKind(c.arg("qRanges")))
	}
	groups := make([]rangeGroup, 0, len(a))
	for i, e := range a {
		w := "qRanges[" + strconv.Itoa(i) + "]"
		o, ok := e.(*jsonObject)
		if !ok {
			return qerr(errInvalidParams, "%s must be an NxMultiRangeSelectInfo object, not %s", w, jsonKind(e))
		}
		rv, _ := o.Get("qRanges")
		if rv == nil {
			rv = []any{}
		}
		ranges, qe := parseMeasureRanges(rv, w+".qRanges")
		if qe != nil {
			return qe
		}
		cv, _ := o.Get("qColumnsToSelect")
		cols, qe := parseColumns(cv, w+".qColumnsToSelect")
		if qe != nil {
			return qe
		}
		groups = append(groups, rangeGroup{ranges: ranges, cols: cols})
	}
	return c.cubeSelect(path, func(es *engine.Session, cd *cubeDef, cube *engine.Cube) (bool, error) {
		var picks []fieldPick
		for i, g := range groups {
			if qe := checkGroup(cd, g, "qRanges["+strconv.Itoa(i)+"].qRanges"); qe != nil {
				return false, qe
			}
			picks = pickRows(picks, cube, rowsInRanges(cube, g.ranges, or), g.cols)
		}
		return selectPicks(es, cd.state, cube, picks, false, deselect)
	})
}

// dimRange is a parsed NxContinuousRangeSelectInfo.
type dimRange struct {
	r   valueRange
	dim int
}

func objSelectHyperCubeContinuousRange(c *call) error {
	path := c.str("qPath")
	soft := c.boolean("qSoftLock")
	if c.bad() {
		return nil
	}
	a, ok := c.arg("qRanges").([]any)
	if !ok {
		return qerr(errInvalidParams, "qRanges must be an array of NxContinuousRangeSelectInfo, not %s", jsonKind(c.arg("qRanges")))
	}
	ranges := make([]dimRange, 0, len(a))
	for i, e := range a {
		w := "qRanges[" + strconv.Itoa(i) + "]"
		o, ok := e.(*jsonObject)
		if !ok {
			return qerr(errInvalidParams, "%s must be an NxContinuousRangeSelectInfo object, not %s", w, jsonKind(e))
		}
		rv, has := o.Get("qRange")
		if !has {
			return qerr(errInvalidParams, "%s has no qRange", w)
		}
		r, qe := parseRange(rv, w+".qRange")
		if qe != nil {
			return qe
		}
		d, qe := memberInt(o, "qDimIx", 0, w)
		if qe != nil {
			return qe
		}
		ranges = append(ranges, dimRange{r: r, dim: d})
	}
	return c.cubeSelect(path, func(es *engine.Session, cd *cubeDef, cube *engine.Cube) (bool, error) {
		var picks []fieldPick
		for i, dr := range ranges {
			if dr.dim < 0 || dr.dim >= len(cube.DimFields) {
				return false, qerr(errInvalidParams, "qRanges[%d].qDimIx %d is out of range: the cube has %d dimensions", i, dr.dim, len(cube.DimFields))
			}
			f := cube.DimFields[dr.dim]
			if f == nil {
				continue // a calculated dimension cannot be selected in
			}
			for _, r := range cube.Order {
				e := cube.Elem[dr.dim][r]
				if e >= 0 && dr.r.contains(f.Symbols.Num(uint32(e))) {
					picks = addElem(picks, cube, dr.dim, e)
				}
			}
		}
		return selectPicks(es, cd.state, cube, picks, soft, false)
	})
}

func objSelectListObjectContinuousRange(c *call) error {
	path := c.str("qPath")
	soft := c.boolean("qSoftLock")
	if c.bad() {
		return nil
	}
	a, ok := c.arg("qRanges").([]any)
	if !ok {
		return qerr(errInvalidParams, "qRanges must be an array of Range, not %s", jsonKind(c.arg("qRanges")))
	}
	ranges := make([]valueRange, 0, len(a))
	for i, e := range a {
		r, qe := parseRange(e, "qRanges["+strconv.Itoa(i)+"]")
		if qe != nil {
			return qe
		}
		ranges = append(ranges, r)
	}
	return c.listSelect(path, func(es *engine.Session, ld *listDef) (bool, error) {
		f, le := ld.resolveField(es.Model())
		if le != nil {
			return false, nil
		}
		res, err := es.Result(ld.state)
		if err != nil {
			return false, err
		}
		states := res.FieldStates(f.Index)
		var elems []int
		for id, st := range states {
			switch st {
			case engine.Excluded, engine.SelectedExcluded, engine.LockedExcluded:
				continue
			}
			num := f.Symbols.Num(uint32(id))
			for _, r := range ranges {
				if r.contains(num) {
					elems = append(elems, id)
					break
				}
			}
		}
		if len(elems) == 0 {
			return false, nil
		}
		return es.SelectElements(ld.state, f.Name, elems, false, soft)
	})
}
