package qix

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
)

func init() {
	registerDef("qListObjectDef", &defComputer{layoutKey: "qListObject", compute: libraryList}) // master items: masteritems.go
}

// maxPageCells is the engine's limit on the cells of one data request.
const maxPageCells = 10000

// listDef is a parsed ListObjectDef.
type listDef struct {
	field     string // field name from qDef.qFieldDefs[0]
	label     string // qDef.qFieldLabels[0] or the field name
	library   string // qLibraryId
	state     string
	def       engine.ListDef
	indicator string // qSortIndicator
	freqMode  string // N, V, P or R
	reverse   bool
	sortExpr  string // qSortCriterias[0].qExpression
	pages     []page
}

// page is an NxPage.
type page struct{ left, top, width, height int }

// parseListDef reads a ListObjectDef; state is the inherited state.
func parseListDef(def *jsonObject, state string) *listDef {
	ld := &listDef{state: state, library: def.str("qLibraryId")}
	if s := def.str("qStateName"); s != "" {
		ld.state = s
	}
	if d := def.obj("qDef"); d != nil {
		if fd := d.arr("qFieldDefs"); len(fd) > 0 {
			ld.field, _ = fd[0].(string)
		}
		if fl := d.arr("qFieldLabels"); len(fl) > 0 {
			ld.label, _ = fl[0].(string)
		}
		ld.reverse = d.boolean("qReverseSort")
		if sc := d.arr("qSortCriterias"); len(sc) > 0 {
			if c, ok := sc[0].(*jsonObject); ok {
				ld.def.Sort = engine.SortCriteria{
					State:      sign(c.integer("qSortByState", 0)),
					Frequency:  sign(c.integer("qSortByFrequency", 0)),
					Numeric:    sign(c.integer("qSortByNumeric", 0)),
					Ascii:      sign(c.integer("qSortByAscii", 0)),
					LoadOrder:  sign(c.integer("qSortByLoadOrder", 0)),
					Expression: sign(c.integer("qSortByExpression", 0)),
				}
				ld.sortExpr = valueExpr(mustGet(c, "qExpression"))
				if ld.sortExpr == "" {
					ld.def.Sort.Expression = 0
				}
			}
		}
	}
	if ld.label == "" {
		ld.label = ld.field
	}
	ld.indicator = sortIndicator(ld.def.Sort)
	fm, _ := def.Get("qFrequencyMode")
	ld.freqMode = enumShort("NxFrequencyMode", fm, "N")
	switch ld.freqMode {
	case "V":
		ld.def.Frequency = engine.FrequencyValue
	case "P":
		ld.def.Frequency = engine.FrequencyPercent
	case "R":
		ld.def.Frequency = engine.FrequencyRelative
	}
	ld.def.ShowAlternatives = def.boolean("qShowAlternatives")
	if as := def.obj("qAutoSortByState"); as != nil {
		ld.def.AutoSortByStateRows = as.integer("qDisplayNumberOfRows", 0)
	}
	ld.pages = parsePages(def.arr("qInitialDataFetch"))
	ld.def.State = ld.state
	return ld
}

func sign(n int) int {
	switch {
	case n > 0:
		return 1
	case n < 0:
		return -1
	}
	return 0
}

// sortIndicator is the direction of the first sort criterion after the
// state: A, D or N.
func sortIndicator(sc engine.SortCriteria) string {
	for _, v := range []int{sc.Expression, -sc.Frequency, sc.Numeric, sc.Ascii, sc.LoadOrder} {
		switch {
		case v > 0:
			return "A"
		case v < 0:
			return "D"
		}
	}
	return "N"
}

func parsePages(a []any) []page {
	out := make([]page, 0, len(a))
	for _, v := range a {
		o, ok := v.(*jsonObject)
		if !ok {
			continue
		}
		out = append(out, page{left: o.integer("qLeft", 0), top: o.integer("qTop", 0),
			width: o.integer("qWidth", 0), height: o.integer("qHeight", 0)})
	}
	return out
}

// listError is a list object that cannot be computed.
type listError struct {
	code    int
	context string
}

// resolveField finds the list's field; a name in brackets is accepted.
func (ld *listDef) resolveField(m *engine.Model) (*engine.Field, *listError) {
	if ld.field == "" {
		if ld.library != "" {
			return nil, &listError{errNotInLibrary, ld.library}
		}
		return nil, &listError{errInvalidArgs, "qDef.qFieldDefs is empty"}
	}
	if f, err := m.Field(ld.field); err == nil {
		return f, nil
	}
	if n := ld.field; len(n) > 2 && n[0] == '[' && n[len(n)-1] == ']' {
		if f, err := m.Field(n[1 : len(n)-1]); err == nil {
			return f, nil
		}
	}
	if strings.HasPrefix(strings.TrimSpace(ld.field), "=") {
		return nil, &listError{errNotImplemented, "calculated dimensions are not supported: " + ld.field}
	}
	return nil, &listError{errNotFound, ld.field}
}

// computeList computes the engine list object.
func computeList(lc *layoutCtx, ld *listDef) (*engine.ListObject, *listError) {
	f, le := ld.resolveField(lc.mi.m)
	if le != nil {
		return nil, le
	}
	r, err := lc.es.Result(ld.state)
	if err != nil {
		return nil, &listError{errNotFound, "state " + ld.state}
	}
	sc := ld.def.Sort
	key := listKey{r: r, field: f.Index, sort: [6]int{sc.State, sc.Frequency, sc.Numeric, sc.Ascii, sc.LoadOrder, sc.Expression},
		freq: ld.def.Frequency, showAlt: ld.def.ShowAlternatives, autoRows: ld.def.AutoSortByStateRows, reverse: ld.reverse,
		sortExpr: ld.sortExpr}
	return lc.s.lists.get(key, func() *engine.ListObject {
		def := ld.def
		if def.Sort.Expression != 0 {
			if fn, err := lc.es.ValuesByElement(ld.state, f.Name, ld.sortExpr); err == nil {
				def.Sort.ExpressionValue = fn
			}
		}
		lo := r.ListObject(f, def)
		if ld.reverse {
			lo.Order = slices.Clone(lo.Order)
			slices.Reverse(lo.Order)
		}
		return lo
	}), nil
}

// listKey identifies a computed list object: the inference result (one
// selection state version) and everything of the definition that shapes
// the list.
type listKey struct {
	r        *engine.Result
	field    int
	sort     [6]int
	sortExpr string
	freq     engine.FrequencyMode
	showAlt  bool
	autoRows int
	reverse  bool
}

// listCache keeps a session's recent list objects, so that paging through
// a list (GetListObjectData) and the layouts of several objects on the
// same field do not sort and count it again.
type listCache struct {
	mu    sync.Mutex
	items map[listKey]*engine.ListObject
	order []listKey
}

const listCacheSize = 32

func (lc *listCache) get(k listKey, compute func() *engine.ListObject) *engine.ListObject {
	lc.mu.Lock()
	if lo, ok := lc.items[k]; ok {
		lc.mu.Unlock()
		return lo
	}
	lc.mu.Unlock()
	lo := compute()
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.items == nil {
		lc.items = map[listKey]*engine.ListObject{}
	}
	if _, ok := lc.items[k]; !ok {
		lc.items[k] = lo
		lc.order = append(lc.order, k)
		if len(lc.order) > listCacheSize {
			delete(lc.items, lc.order[0])
			lc.order = lc.order[1:]
		}
	}
	return lo
}

// computeListObject is the qListObjectDef computer.
func computeListObject(lc *layoutCtx, def any, path, state string) (any, error) {
	d, ok := def.(*jsonObject)
	if !ok {
		return clone(def), nil
	}
	if err := lc.ctx.Err(); err != nil {
		return nil, err
	}
	ld := parseListDef(d, state)
	out := newObj(5)
	out.Set("qStateName", ld.state)
	lo, le := computeList(lc, ld)
	if le != nil {
		out.Set("qSize", size(0, 0))
		di := newObj(4)
		di.Set("qFallbackTitle", ld.label)
		di.Set("qError", validationError(le))
		out.Set("qDimensionInfo", di)
		out.Set("qExpressions", []any{})
		out.Set("qDataPages", []any{})
		return out, nil
	}
	out.Set("qSize", size(1, lo.Len()))
	out.Set("qDimensionInfo", dimensionInfo(lc, ld, lo))
	out.Set("qExpressions", []any{})
	pages, qe := listPages(nil, lo, ld, ld.pages)
	if qe != nil {
		out.Set("qError", validationError(&listError{qe.Code, qe.Parameter}))
		pages = append(pages[:0], "[]"...)
	}
	out.Set("qDataPages", rawJSON(pages))
	return out, nil
}

func size(cx, cy int) *jsonObject {
	o := newObj(2)
	o.Set("qcx", cx)
	o.Set("qcy", cy)
	return o
}

func validationError(le *listError) *jsonObject {
	o := newObj(2)
	o.Set("qErrorCode", le.code)
	if le.context != "" {
		o.Set("qContext", le.context)
	}
	return o
}

// dimensionInfo is the list object's NxDimensionInfo.
func dimensionInfo(lc *layoutCtx, ld *listDef, lo *engine.ListObject) *jsonObject {
	f := lo.Field
	facts := lc.mi.facts(f)
	di := newObj(20)
	di.Set("qFallbackTitle", ld.label)
	di.Set("qApprMaxGlyphCount", facts.glyphs)
	di.Set("qCardinal", f.Cardinal())
	if fs := lo.Result.State().Selection(f.Index); fs != nil && fs.Locked {
		di.Set("qLocked", true)
	}
	di.Set("qSortIndicator", ld.indicator)
	di.Set("qGroupFallbackTitles", []string{ld.label})
	di.Set("qGroupPos", 0)
	di.Set("qStateCounts", stateCounts(lo.Counts))
	di.Set("qTags", tagsOf(f))
	dtype := dimensionType(f)
	di.Set("qDimensionType", dtype)
	if ld.reverse {
		di.Set("qReverseSort", true)
	}
	di.Set("qGrouping", "N")
	di.Set("qNumFormat", numFormat(lc.app, f))
	di.Set("qIsAutoFormat", true)
	di.Set("qGroupFieldDefs", []string{f.Name})
	di.Set("qMin", facts.min)
	di.Set("qMax", facts.max)
	if dtype != "D" {
		di.Set("qContinuousAxes", true)
	}
	di.Set("qAttrExprInfo", []any{})
	di.Set("qAttrDimInfo", []any{})
	return di
}

func tagsOf(f *engine.Field) []string {
	if f.Tags == nil {
		return []string{}
	}
	return f.Tags
}

func stateCounts(c engine.StateCounts) *jsonObject {
	o := newObj(8)
	o.Set("qLocked", c.Locked)
	o.Set("qSelected", c.Selected)
	o.Set("qOption", c.Option)
	o.Set("qDeselected", c.Deselected)
	o.Set("qAlternative", c.Alternative)
	o.Set("qExcluded", c.Excluded)
	o.Set("qSelectedExcluded", c.SelectedExcluded)
	o.Set("qLockedExcluded", c.LockedExcluded)
	return o
}

func hasTag(f *engine.Field, t string) bool { return slices.Contains(f.Tags, t) }

// dimensionType is N for numeric fields, T for dates and timestamps, D
// otherwise.
func dimensionType(f *engine.Field) string {
	switch {
	case hasTag(f, "$date"), hasTag(f, "$timestamp"):
		return "T"
	case hasTag(f, "$numeric"):
		return "N"
	}
	return "D"
}

// numFormat is the automatic number format of a field: integers and reals
// get the engine's default patterns with the app's separators, dates and
// timestamps the app's formats, text U.
func numFormat(a *app, f *engine.Field) *jsonObject {
	o := newObj(6)
	loc := a.separators()
	switch {
	case hasTag(f, "$timestamp"):
		o.Set("qType", "TS").Set("qnDec", 0).Set("qUseThou", 0).Set("qFmt", loc.timestamp).Set("qDec", loc.dec).Set("qThou", loc.thou)
	case hasTag(f, "$date"):
		o.Set("qType", "D").Set("qnDec", 0).Set("qUseThou", 0).Set("qFmt", loc.date).Set("qDec", loc.dec).Set("qThou", loc.thou)
	case hasTag(f, "$integer"):
		o.Set("qType", "I").Set("qnDec", 0).Set("qUseThou", 1).Set("qFmt", "###0").Set("qDec", loc.dec)
	case hasTag(f, "$numeric"):
		o.Set("qType", "R").Set("qnDec", 0).Set("qUseThou", 0).Set("qFmt", "##############").Set("qDec", loc.dec).Set("qThou", loc.thou)
	default:
		o.Set("qType", "U").Set("qnDec", 0).Set("qUseThou", 0)
	}
	return o
}

// listPages appends the JSON array of data pages of a list object. More
// than maxPageCells cells in all is an error (7009).
func listPages(dst []byte, lo *engine.ListObject, ld *listDef, pages []page) ([]byte, *Error) {
	n := lo.Len()
	cells := 0
	for _, p := range pages {
		if p.left < 0 || p.top < 0 || p.width < 0 || p.height < 0 {
			return dst, qerr(errInvalidParams, "a page has a negative qLeft, qTop, qWidth or qHeight")
		}
		w, h := clipPage(p, n)
		cells += w * h
	}
	if cells > maxPageCells {
		return dst, qerr(errPagesTooLarge, "%d cells asked for, at most %d", cells, maxPageCells)
	}
	var freqTotal uint64
	if ld.freqMode != "N" {
		freqTotal = lo.FreqTotal
	}
	syms := lo.Field.Symbols
	if dst == nil {
		dst = make([]byte, 0, 64+cells*96)
	}
	dst = append(dst, '[')
	for pi, p := range pages {
		if pi > 0 {
			dst = append(dst, ',')
		}
		w, h := clipPage(p, n)
		dst = append(dst, `{"qMatrix":[`...)
		if w > 0 {
			for i, id := range lo.Order[p.top : p.top+h] {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendListCell(dst, syms, id, lo, ld.freqMode, freqTotal)
			}
		}
		dst = append(dst, `],"qTails":[],"qArea":{"qLeft":`...)
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

// clipPage returns the width and height of page p over a list of n values
// (one column).
func clipPage(p page, n int) (w, h int) {
	if p.left > 0 || p.width <= 0 || p.top >= n || p.height <= 0 {
		return 0, 0
	}
	return 1, min(p.height, n-p.top)
}

// appendListCell appends one NxCell row ([cell]) of a list object.
func appendListCell(dst []byte, syms *symbols.Table, id uint32, lo *engine.ListObject, freqMode string, total uint64) []byte {
	dst = append(dst, `[{"qText":`...)
	dst = syms.AppendJSON(dst, id)
	dst = append(dst, `,"qNum":`...)
	dst = appendFloat(dst, syms.Num(id))
	dst = append(dst, `,"qElemNumber":`...)
	dst = strconv.AppendUint(dst, uint64(id), 10)
	dst = append(dst, `,"qState":"`...)
	dst = append(dst, lo.States[id].String()...)
	dst = append(dst, '"')
	if freqMode != "N" && lo.Freq != nil {
		dst = append(dst, `,"qFrequency":"`...)
		dst = appendFrequency(dst, freqMode, uint64(lo.Freq[id]), total)
		dst = append(dst, '"')
	}
	return append(dst, "}]"...)
}

// appendFrequency formats a frequency: the count (V), its percentage of the
// total (P, with a % sign) or its share of the total (R).
func appendFrequency(dst []byte, mode string, n, total uint64) []byte {
	switch mode {
	case "P":
		if total == 0 {
			return append(dst, "0%"...)
		}
		dst = append(dst, symbols.FormatNumber(float64(n)*100/float64(total))...)
		return append(dst, '%')
	case "R":
		if total == 0 {
			return append(dst, '0')
		}
		return append(dst, symbols.FormatNumber(float64(n)/float64(total))...)
	}
	return strconv.AppendUint(dst, n, 10)
}
