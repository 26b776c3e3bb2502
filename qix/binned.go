package qix

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/numfmt"
)

// Data reduction for charts with many points (protocol §5.3):
// GetHyperCubeBinnedData for scatter plots and GetHyperCubeContinuousData
// for line and bar charts on a continuous axis. Both apply to straight
// cubes (qMode S; others answer 6002).
//
// # GetHyperCubeBinnedData
//
// The cube must have one dimension and two or three measures (else 6000):
// the first measure is x, the second y. Each page of qPages chooses the
// cube rows to consider (rows qTop to qTop+qHeight-1) and is binned in the
// data range of the same index in qDataRanges (the last one for the pages
// beyond; the extent of the rows when qDataRanges is empty). A range spans
// x from qLeft to qLeft+qWidth and y from qTop-qHeight to qTop, as the
// schema says; a range without area is -32602. Rows whose x or y is NULL,
// text or outside the range are left out.
//
// The grid is square: 2^qQueryLevel cells a side (qQueryLevel 0 to 20),
// fewer when that would make more than qMaxNbrCells cells (10,000 when 0
// or less). qBinningMethod 0 (adaptive) and 2 (uniform) both use it;
// 1 (hexagonal) answers 20 (not implemented). The answer follows the
// method's documentation:
//
//   - Cells, when some cell holds more than one point: the first row is
//     one cell whose qNum is the largest number of points in a cell, the
//     next rows one cell each for the non-empty cells, top row of the grid
//     first, left to right: qText is the JSON array [left, top, right,
//     bottom] of the cell in measure units, qNum its number of points,
//     qElemNumber its index in the grid (row × side + column), qState L.
//   - Points, when no cell holds more than one (the refinement is at its
//     highest): the first row is empty and the next rows are the points'
//     cube rows, the page's columns of them, as GetHyperCubeData gives
//     them.
//
// qViewport is accepted and not used, as the documentation says.
//
// # GetHyperCubeContinuousData
//
// The first dimension is the continuous axis (its values' numbers; values
// without one are left out); the cube needs a measure (else 6000). With a
// second dimension every value of it is a line, at most qMaxNumberLines of
// them (the first ones in the cube's order; 0 or less: all). The rows with
// an x in [qStart, qEnd] (and, per line, the nearest row on each side of
// the range, so lines reach the edges) are reduced per line by splitting
// the range into qNbrPoints bins and keeping in each bin the first and the
// last row by x and the rows of the smallest and the largest value of each
// measure (the M4 reduction: at most 2 + 2 × measures rows a bin). Without
// bins (qNbrPoints 0 or less) every row is kept. qDataPages is one page of
// full cube rows ordered by x (the reverse with qReverseSort), qIsReduced
// when rows were dropped. qAxisData has one NxAxisTicks for the first
// dimension: its label, its tags and at most qMaxNbrTicks ticks (10 when 0
// or less) over [qStart, qEnd]: for a date or timestamp field (tags $date,
// $timestamp) the calendar periods (second, minute, hour, day, month,
// quarter or year, the finest that fits) with qStart/qEnd the period's
// bounds, otherwise round numbers (1, 2 or 5 × 10^k apart) with qStart =
// qEnd = the tick. qStart and qEnd absent default to the range of the
// dimension's numbers; qEnd below qStart is -32602.

func init() {
	register("GenericObject", map[string]handler{
		"GetHyperCubeBinnedData":     objGetHyperCubeBinnedData,
		"GetHyperCubeContinuousData": objGetHyperCubeContinuousData,
	})
	deltaMethods["GetHyperCubeBinnedData"] = true
	deltaMethods["GetHyperCubeContinuousData"] = true
}

// dataArea is a parsed NxDataAreaPage: x in [left, right], y in [bottom,
// top].
type dataArea struct {
	left, top, right, bottom float64
}

func parseDataArea(o *jsonObject, where string) (dataArea, *Error) {
	var v [4]float64
	for i, k := range []string{"qLeft", "qTop", "qWidth", "qHeight"} {
		f, qe := rangeNumber(o, k, math.NaN(), where)
		if qe != nil {
			return dataArea{}, qe
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return dataArea{}, qerr(errInvalidParams, "%s.%s must be a finite number", where, k)
		}
		v[i] = f
	}
	if v[2] <= 0 || v[3] <= 0 {
		return dataArea{}, qerr(errInvalidParams, "%s has no area (qWidth %g, qHeight %g)", where, v[2], v[3])
	}
	return dataArea{left: v[0], top: v[1], right: v[0] + v[2], bottom: v[1] - v[3]}, nil
}

// reductionCube resolves the cube at path for a reduction method: a
// straight cube, computed.
func (c *call) reductionCube(path string) (*layoutCtx, *cubeDef, *engine.Cube, error) {
	cd, err := c.cubeAt(path)
	if err != nil {
		return nil, nil, nil, err
	}
	if cd.mode != "S" {
		return nil, nil, nil, qerr(errHCInvalidState, "%s needs a straight cube (qMode S); the cube at %q has qMode %s", c.method, path, cd.mode)
	}
	lc, err := c.layoutCtx()
	if err != nil {
		return nil, nil, nil, err
	}
	cube, le := computeCube(lc, cd)
	if le != nil {
		return nil, nil, nil, qerr(le.code, "%s", le.context)
	}
	return lc, cd, cube, nil
}

func objGetHyperCubeBinnedData(c *call) error {
	path := c.str("qPath")
	pages := parsePages(toAnySlice(c.objs("qPages")))
	c.obj("qViewport")
	areas := c.objs("qDataRanges")
	maxCells := c.integer("qMaxNbrCells")
	level := c.integer("qQueryLevel")
	method := c.integer("qBinningMethod")
	if c.bad() {
		return nil
	}
	switch method {
	case 0, 2:
	case 1:
		return qerr(errNotImplemented, "qBinningMethod 1 (hexagonal grid) is not implemented")
	default:
		return qerr(errInvalidParams, "qBinningMethod %d is not 0, 1 or 2", method)
	}
	if level < 0 || level > 20 {
		return qerr(errInvalidParams, "qQueryLevel %d is not between 0 and 20", level)
	}
	if maxCells <= 0 {
		maxCells = maxPageCells
	}
	ranges := make([]dataArea, 0, len(areas))
	for i, o := range areas {
		a, qe := parseDataArea(o, "qDataRanges["+strconv.Itoa(i)+"]")
		if qe != nil {
			return qe
		}
		ranges = append(ranges, a)
	}
	for _, p := range pages {
		if p.left < 0 || p.top < 0 || p.width < 0 || p.height < 0 {
			return qerr(errInvalidParams, "a page has a negative qLeft, qTop, qWidth or qHeight")
		}
	}
	lc, cd, cube, err := c.reductionCube(path)
	if err != nil {
		return err
	}
	if nd, nm := len(cd.dimLabels), len(cd.measLabels); nd != 1 || nm < 2 || nm > 3 {
		return qerr(errHCInvalidObject, "binning needs one dimension and two or three measures; the cube at %q has %d and %d", path, nd, nm)
	}
	side := 1 << level
	if lim := int(math.Sqrt(float64(maxCells))); side > lim {
		side = max(lim, 1)
	}
	states := [][]engine.ValueState{nil}
	if f := cube.DimFields[0]; f != nil {
		states[0] = cube.Result.FieldStates(f.Index)
	}
	loc := lc.app.numLocale()
	ncols := 1 + len(cd.measLabels)
	dst := []byte{'['}
	cells := 0
	for pi, p := range pages {
		if pi > 0 {
			dst = append(dst, ',')
		}
		w, h := clipCube(p, ncols, cube.Rows())
		var rows []int32
		if h > 0 {
			rows = cube.Order[p.top : p.top+h]
		}
		var area dataArea
		switch {
		case len(ranges) > 0:
			area = ranges[min(pi, len(ranges)-1)]
		default:
			area = pointsExtent(cube, rows)
		}
		var in []int32
		for _, r := range rows {
			x, y := measureNumber(cube, 0, r), measureNumber(cube, 1, r)
			if x >= area.left && x <= area.right && y >= area.bottom && y <= area.top {
				in = append(in, r)
			}
		}
		counts := make([]int, side*side)
		cw, ch := (area.right-area.left)/float64(side), (area.top-area.bottom)/float64(side)
		cellOf := func(r int32) int {
			ix := int((measureNumber(cube, 0, r) - area.left) / cw)
			iy := int((area.top - measureNumber(cube, 1, r)) / ch)
			return min(max(iy, 0), side-1)*side + min(max(ix, 0), side-1)
		}
		densest := 0
		for _, r := range in {
			k := cellOf(r)
			counts[k]++
			densest = max(densest, counts[k])
		}
		dst = append(dst, `{"qMatrix":[`...)
		if densest > 1 {
			dst = append(dst, `[{"qNum":`...)
			dst = strconv.AppendInt(dst, int64(densest), 10)
			dst = append(dst, `,"qElemNumber":0,"qState":"L"}]`...)
			for k, n := range counts {
				if n == 0 {
					continue
				}
				if cells++; cells > maxPageCells*10 {
					return qerr(errPagesTooLarge, "more than %d cells", maxPageCells*10)
				}
				iy, ix := k/side, k%side
				l, t := area.left+float64(ix)*cw, area.top-float64(iy)*ch
				rect := "[" + rectNum(l) + "," + rectNum(t) + "," + rectNum(l+cw) + "," + rectNum(t-ch) + "]"
				dst = append(dst, `,[{"qText":`...)
				dst = appendString(dst, rect)
				dst = append(dst, `,"qNum":`...)
				dst = strconv.AppendInt(dst, int64(n), 10)
				dst = append(dst, `,"qElemNumber":`...)
				dst = strconv.AppendInt(dst, int64(k), 10)
				dst = append(dst, `,"qState":"L"}]`...)
			}
		} else {
			dst = append(dst, "[]"...)
			if cells += len(in) * w; cells > maxPageCells {
				return qerr(errPagesTooLarge, "%d cells asked for, at most %d", cells, maxPageCells)
			}
			for _, r := range in {
				dst = append(dst, ",["...)
				for ci := 0; ci < w; ci++ {
					if ci > 0 {
						dst = append(dst, ',')
					}
					if col := p.left + ci; col == 0 {
						dst = appendDimCell(dst, cube, 0, r, states[0], cd.otherLabels[0])
					} else {
						dst = appendMeasureCell(dst, cube.Values[col-1][r], cd.measFmt[col-1], loc)
					}
				}
				dst = append(dst, ']')
			}
		}
		dst = append(dst, `],"qTails":[{"qUp":0,"qDown":0}],"qArea":`...)
		dst = appendArea(dst, p.left, p.top, w, h)
		dst = append(dst, '}')
	}
	c.out("qDataPages", rawJSON(append(dst, ']')))
	return nil
}

// rectNum formats a finite number for a JSON text.
func rectNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// pointsExtent is the area covering the x and y of the rows (padded by half a
// unit when it is flat).
func pointsExtent(cube *engine.Cube, rows []int32) dataArea {
	a := dataArea{left: math.Inf(1), right: math.Inf(-1), bottom: math.Inf(1), top: math.Inf(-1)}
	for _, r := range rows {
		x, y := measureNumber(cube, 0, r), measureNumber(cube, 1, r)
		if math.IsNaN(x) || math.IsNaN(y) {
			continue
		}
		a.left, a.right = min(a.left, x), max(a.right, x)
		a.bottom, a.top = min(a.bottom, y), max(a.top, y)
	}
	if math.IsInf(a.left, 1) {
		return dataArea{left: 0, right: 1, bottom: 0, top: 1}
	}
	if a.right <= a.left {
		a.left, a.right = a.left-0.5, a.right+0.5
	}
	if a.top <= a.bottom {
		a.bottom, a.top = a.bottom-0.5, a.top+0.5
	}
	return a
}

// cubeDimNumber is the number of dimension d's value in cube row r (NaN when
// it has none).
func cubeDimNumber(cube *engine.Cube, d int, r int32) float64 {
	e := cube.Elem[d][r]
	if e < 0 {
		return math.NaN()
	}
	if f := cube.DimFields[d]; f != nil {
		return f.Symbols.Num(uint32(e))
	}
	v := cube.DimCalc[d][e]
	if n, ok := v.AsNumber(); ok && v.HasNum() {
		return n
	}
	return math.NaN()
}

// contRow is a cube row on the continuous axis.
type contRow struct {
	x    float64
	line int   // index of the line (second dimension value)
	ord  int   // display order
	r    int32 // cube row
}

func objGetHyperCubeContinuousData(c *call) error {
	path := c.str("qPath")
	opts := c.obj("qOptions")
	reverse := c.boolean("qReverseSort")
	if c.bad() {
		return nil
	}
	start, qe := rangeNumber(opts, "qStart", math.NaN(), "qOptions")
	if qe != nil {
		return qe
	}
	end, qe := rangeNumber(opts, "qEnd", math.NaN(), "qOptions")
	if qe != nil {
		return qe
	}
	bins, qe := memberInt(opts, "qNbrPoints", 0, "qOptions")
	if qe != nil {
		return qe
	}
	maxTicks, qe := memberInt(opts, "qMaxNbrTicks", 0, "qOptions")
	if qe != nil {
		return qe
	}
	maxLines, qe := memberInt(opts, "qMaxNumberLines", -1, "qOptions")
	if qe != nil {
		return qe
	}
	if !math.IsNaN(start) && !math.IsNaN(end) && end < start {
		return qerr(errInvalidParams, "qOptions.qEnd %g is below qOptions.qStart %g", end, start)
	}
	if bins > 1_000_000 {
		return qerr(errInvalidParams, "qOptions.qNbrPoints %d is too large (at most 1000000)", bins)
	}
	lc, cd, cube, err := c.reductionCube(path)
	if err != nil {
		return err
	}
	nd, nm := len(cd.dimLabels), len(cd.measLabels)
	if nd < 1 || nm < 1 {
		return qerr(errHCInvalidObject, "continuous data needs a dimension and a measure; the cube at %q has %d and %d", path, nd, nm)
	}
	// rows with a number on the axis, by line
	lineOf := map[int32]int{}
	var rows []contRow
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, r := range cube.Order {
		x := cubeDimNumber(cube, 0, r)
		if math.IsNaN(x) {
			continue
		}
		line := 0
		if nd > 1 {
			e := cube.Elem[1][r]
			l, ok := lineOf[e]
			if !ok {
				l = len(lineOf)
				lineOf[e] = l
			}
			if maxLines > 0 && l >= maxLines {
				continue
			}
			line = l
		}
		lo, hi = min(lo, x), max(hi, x)
		rows = append(rows, contRow{x: x, line: line, ord: i, r: r})
	}
	if math.IsNaN(start) {
		start = lo
	}
	if math.IsNaN(end) {
		end = hi
	}
	if math.IsInf(start, 0) || math.IsInf(end, 0) || end < start {
		start, end = 0, 0
	}
	slices.SortStableFunc(rows, func(a, b contRow) int {
		if c := cmp.Compare(a.line, b.line); c != 0 {
			return c
		}
		return cmp.Compare(a.x, b.x)
	})
	kept, inRange := reduceLines(cube, rows, start, end, bins, nm)
	slices.SortStableFunc(kept, func(a, b contRow) int {
		if c := cmp.Compare(a.x, b.x); c != 0 {
			return c
		}
		if c := cmp.Compare(a.line, b.line); c != 0 {
			return c
		}
		return cmp.Compare(a.ord, b.ord)
	})
	if reverse {
		slices.Reverse(kept)
	}
	ncols := nd + nm
	if len(kept)*ncols > maxPageCells*10 {
		return qerr(errPagesTooLarge, "%d cells in the reduced data, at most %d", len(kept)*ncols, maxPageCells*10)
	}
	states := make([][]engine.ValueState, nd)
	for d, f := range cube.DimFields {
		if f != nil {
			states[d] = cube.Result.FieldStates(f.Index)
		}
	}
	loc := lc.app.numLocale()
	dst := []byte(`[{"qMatrix":[`)
	for i, k := range kept {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '[')
		for col := 0; col < ncols; col++ {
			if col > 0 {
				dst = append(dst, ',')
			}
			if col < nd {
				dst = appendDimCell(dst, cube, col, k.r, states[col], cd.otherLabels[col])
			} else {
				dst = appendMeasureCell(dst, cube.Values[col-nd][k.r], cd.measFmt[col-nd], loc)
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
	dst = append(dst, `],"qArea":`...)
	dst = appendArea(dst, 0, 0, ncols, len(kept))
	if len(kept) < inRange {
		dst = append(dst, `,"qIsReduced":true`...)
	}
	dst = append(dst, "}]"...)
	c.out("qDataPages", rawJSON(dst))
	c.out("qAxisData", axisData(lc, cd, cube, start, end, maxTicks, loc))
	return nil
}

// reduceLines keeps, per line (rows sorted by line then x), the rows in
// [start, end] reduced per bin, plus the nearest row on each side. It
// returns them and the number of rows it chose from.
func reduceLines(cube *engine.Cube, rows []contRow, start, end float64, bins, nm int) (kept []contRow, total int) {
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].line == rows[i].line {
			j++
		}
		line := rows[i:j]
		a, _ := slices.BinarySearchFunc(line, start, func(r contRow, x float64) int { return cmp.Compare(r.x, x) })
		b := a
		for b < len(line) && line[b].x <= end {
			b++
		}
		if a > 0 {
			kept = append(kept, line[a-1])
			total++
		}
		if b < len(line) {
			kept = append(kept, line[b])
			total++
		}
		in := line[a:b]
		total += len(in)
		kept = append(kept, m4(cube, in, start, end, bins, nm)...)
		i = j
	}
	return kept, total
}

// m4 reduces rows sorted by x to, per bin, the first and last row and the
// rows of each measure's smallest and largest value.
func m4(cube *engine.Cube, in []contRow, start, end float64, bins, nm int) []contRow {
	if bins <= 0 || len(in) <= 2+2*nm {
		return in
	}
	width := end - start
	binOf := func(x float64) int {
		if width <= 0 {
			return 0
		}
		return min(max(int((x-start)/width*float64(bins)), 0), bins-1)
	}
	var out []contRow
	for i := 0; i < len(in); {
		b := binOf(in[i].x)
		j := i
		for j < len(in) && binOf(in[j].x) == b {
			j++
		}
		chosen := map[int]bool{i: true, j - 1: true}
		for m := 0; m < nm; m++ {
			lo, hi := -1, -1
			for k := i; k < j; k++ {
				v := measureNumber(cube, m, in[k].r)
				if math.IsNaN(v) {
					continue
				}
				if lo < 0 || v < measureNumber(cube, m, in[lo].r) {
					lo = k
				}
				if hi < 0 || v > measureNumber(cube, m, in[hi].r) {
					hi = k
				}
			}
			if lo >= 0 {
				chosen[lo], chosen[hi] = true, true
			}
		}
		for k := i; k < j; k++ {
			if chosen[k] {
				out = append(out, in[k])
			}
		}
		i = j
	}
	return out
}

// axisData is the NxAxisData of the continuous dimension.
func axisData(lc *layoutCtx, cd *cubeDef, cube *engine.Cube, start, end float64, maxTicks int, loc *numfmt.Locale) *jsonObject {
	if maxTicks <= 0 {
		maxTicks = 10
	}
	tags := []string{}
	date := false
	if f := cube.DimFields[0]; f != nil {
		tags = tagsOf(f)
		date = hasTag(f, "$date") || hasTag(f, "$timestamp")
	}
	var ticks []any
	if date {
		ticks = dateTicks(start, end, maxTicks, loc)
	} else {
		ticks = numberTicks(start, end, maxTicks, loc)
	}
	ax := newObj(3)
	ax.Set("qName", cd.dimLabels[0])
	ax.Set("qTags", tags)
	ax.Set("qTicks", ticks)
	return newObj(1).Set("qAxis", []any{ax})
}

func tickCell(text string, start, end float64) *jsonObject {
	return newObj(3).Set("qText", text).Set("qStart", start).Set("qEnd", end)
}

// numberTicks returns round-number ticks over [start, end].
func numberTicks(start, end float64, maxTicks int, loc *numfmt.Locale) []any {
	ticks := []any{}
	span := end - start
	format := func(v float64, decimals int) string {
		t := strconv.FormatFloat(v, 'f', decimals, 64)
		if strings.Contains(t, ".") {
			t = strings.TrimRight(strings.TrimRight(t, "0"), ".")
		}
		if loc != nil && loc.DecimalSep != "" && loc.DecimalSep != "." {
			t = strings.Replace(t, ".", loc.DecimalSep, 1)
		}
		return t
	}
	if span <= 0 || math.IsNaN(span) || math.IsInf(span, 0) {
		return append(ticks, tickCell(format(start, -1), start, start))
	}
	raw := span / float64(maxTicks)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	k0 := math.Ceil(start/step - 1e-9)
	for i := 0; i <= maxTicks+1; i++ {
		v := (k0 + float64(i)) * step
		if v > end+step*1e-9 {
			break
		}
		v = math.Round(v/step) * step
		if exact, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', decimals, 64), 64); err == nil {
			v = exact // 0.3, not 0.30000000000000004
		}
		if v == 0 {
			v = 0 // no "-0"
		}
		ticks = append(ticks, tickCell(format(v, decimals), v, v))
	}
	return ticks
}

// dateUnit is a calendar period of date ticks.
type dateUnit struct {
	days   float64                 // approximate length
	start  func(x float64) float64 // start of the period holding x
	next   func(x float64) float64 // start of the next period
	format func(x float64, loc *numfmt.Locale) string
}

// fixedUnit is a period of a fixed number of periods per day.
func fixedUnit(perDay float64, fmtCode string) dateUnit {
	return dateUnit{
		days:  1 / perDay,
		start: func(x float64) float64 { return math.Floor(x*perDay+1e-9) / perDay },
		next:  func(x float64) float64 { return (math.Floor(x*perDay+1e-9) + 1) / perDay },
		format: func(x float64, loc *numfmt.Locale) string {
			if fmtCode == "" {
				fmtCode = loc.DateFormat
			}
			return numfmt.Spec{Type: "TS", Fmt: fmtCode}.Format(x, "", false, loc)
		},
	}
}

var dateUnits = []dateUnit{
	fixedUnit(86400, "hh:mm:ss"),
	fixedUnit(1440, "hh:mm"),
	fixedUnit(24, "hh:mm"),
	fixedUnit(1, ""),
	{days: 30.44, start: func(x float64) float64 { return numfmt.MonthStart(x, 0) },
		next: func(x float64) float64 { return numfmt.MonthStart(x, 1) },
		format: func(x float64, loc *numfmt.Locale) string {
			return numfmt.Spec{Type: "D", Fmt: "MMM YYYY"}.Format(x, "", false, loc)
		}},
	{days: 91.31, start: func(x float64) float64 { return numfmt.QuarterStart(x, 0, 1) },
		next: func(x float64) float64 { return numfmt.QuarterStart(x, 1, 1) },
		format: func(x float64, loc *numfmt.Locale) string {
			q := (numfmt.Month(x, loc).Num-1)/3 + 1
			return "Q" + strconv.Itoa(int(q)) + " " + strconv.Itoa(int(numfmt.Year(x)))
		}},
	{days: 365.25, start: func(x float64) float64 { return numfmt.YearStart(x, 0, 1) },
		next:   func(x float64) float64 { return numfmt.YearStart(x, 1, 1) },
		format: func(x float64, _ *numfmt.Locale) string { return strconv.Itoa(int(numfmt.Year(x))) }},
}

// dateTicks returns the periods of the finest unit that gives at most
// maxTicks ticks over [start, end].
func dateTicks(start, end float64, maxTicks int, loc *numfmt.Locale) []any {
	ticks := []any{}
	if math.IsNaN(start) || math.IsNaN(end) || math.IsInf(start, 0) || math.IsInf(end, 0) {
		return ticks
	}
	u := dateUnits[len(dateUnits)-1]
	for _, cand := range dateUnits {
		if (end-start)/cand.days+1 <= float64(maxTicks) {
			u = cand
			break
		}
	}
	for t, i := u.start(start), 0; t <= end && i <= maxTicks+1; i++ {
		n := u.next(t)
		if !(n > t) {
			break
		}
		ticks = append(ticks, tickCell(u.format(t, loc), t, n))
		t = n
	}
	return ticks
}
