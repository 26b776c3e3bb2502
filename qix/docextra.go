package qix

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/assocengine/assoc/symbols"
)

// The remaining Doc methods that the data load editor, the expression
// editor and tools call: the empty script of a new app, expression helpers
// (GetFieldsFromExpression, ExpandExpression, CheckNumberOrExpression,
// GetSetAnalysis), the script's text macros, favourite variables, bookmarks
// with soft patches and their verification, the loosely coupled tables,
// field look-ups and the script with its metadata.
//
// Choices where the product's behaviour is not documented:
//
//   - ClearUndoBuffer succeeds: the engine keeps no property undo history,
//     so there is nothing to clear (sn-table and sn-bar-chart call it).
//     Undo and Redo answer error 17 (LOCERR_GENERIC_UNSUPPORTED_IN_PRODUCT_VERSION):
//     neither the protocol nor the semantics define property undo.
//   - GetSetAnalysis writes integral numbers whose text is their plain
//     form unquoted ({2021}) and every other value as an exact text
//     literal ('East'); fields and states that are not plain identifiers
//     are bracketed. Selections are listed oldest first.
//   - GetFieldsFromExpression expands $(...) first and lists, in order of
//     first appearance, the names the expression uses as fields (field
//     references, TOTAL/ALL field lists, Aggr dimensions, set modifiers)
//     that are fields of the data model.
//   - GetTextMacros lists the script variables of the last reload, sorted
//     by name; the reloader does not report reference order, so both
//     sequence numbers are the position in that list (1-based).
//   - Favourite variables are kept in the app properties under
//     qFavoriteVariables (and so saved with the app).
//   - GetLooselyCoupledVector has one entry per data table (system tables
//     aside) in model order: 1 for a loosely coupled table, else 0. Loose
//     tables are fixed by the script (LOOSEN TABLE, circular references),
//     so SetLooselyCoupledVector is not served.
//   - The engine has no fields on the fly: GetFieldOnTheFlyByName returns
//     the model field of that name, "" when there is none.

func init() {
	register("Doc", map[string]handler{
		"GetEmptyScript":          docGetEmptyScript,
		"GetFieldsFromExpression": docGetFieldsFromExpression,
		"ExpandExpression":        docExpandExpression,
		"CheckNumberOrExpression": docCheckNumberOrExpression,
		"GetSetAnalysis":          docGetSetAnalysis,
		"GetTextMacros":           docGetTextMacros,
		"GetFavoriteVariables":    docGetFavoriteVariables,
		"SetFavoriteVariables":    docSetFavoriteVariables,
		"CreateBookmarkEx":        docCreateBookmarkEx,
		"ApplyAndVerifyBookmark":  docApplyAndVerifyBookmark,
		"ClearUndoBuffer":         func(c *call) error { return nil },
		"Undo":                    docUndoRedo,
		"Redo":                    docUndoRedo,
		"GetLooselyCoupledVector": docGetLooselyCoupledVector,
		"FindMatchingFields":      docFindMatchingFields,
		"GetFieldOnTheFlyByName":  docGetFieldOnTheFlyByName,
		"GetScriptEx":             docGetScriptEx,
	})
	register("GenericBookmark", map[string]handler{
		"ApplyAndVerify": bmApplyAndVerify,
	})
	// Applying a bookmark made by CreateBookmarkEx also installs its soft
	// patches (bookmarks.go initialises before this file).
	wrap("Doc", "ApplyBookmark", wrapApplyPatches(func(c *call) *bookmark {
		return c.h.app.bookmarkByID(c.str("qId"))
	}))
	wrap("GenericBookmark", "Apply", wrapApplyPatches(func(c *call) *bookmark {
		return c.h.obj.app.bookmarkOf(c.h.obj)
	}))
}

// errUnsupported is LOCERR_GENERIC_UNSUPPORTED_IN_PRODUCT_VERSION.
const errUnsupported = 17

// favoritesKey is the app property that holds the favourite variables.
const favoritesKey = "qFavoriteVariables"

// emptyScriptVars are the SET statements of a new app's script, in the
// order a Qlik Sense engine writes them.
var emptyScriptVars = []string{
	numfmt.VarThousandSep, numfmt.VarDecimalSep, numfmt.VarMoneyThousandSep, numfmt.VarMoneyDecimalSep,
	numfmt.VarMoneyFormat, numfmt.VarTimeFormat, numfmt.VarDateFormat, numfmt.VarTimestampFormat,
	numfmt.VarFirstWeekDay, numfmt.VarBrokenWeeks, numfmt.VarReferenceDay, numfmt.VarFirstMonthOfYear,
	numfmt.VarCollationLocale, "CreateSearchIndexOnReload", numfmt.VarMonthNames, numfmt.VarLongMonthNames,
	numfmt.VarDayNames, numfmt.VarLongDayNames, numfmt.VarNumericalAbbreviation,
}

// emptyScript is the script of a new app: one section of SET statements
// with the engine's regional defaults (numfmt.DefaultLocale). Numeric
// settings are written bare, the others quoted.
func emptyScript(section string) string {
	loc := numfmt.DefaultLocale()
	vars := loc.Variables()
	vars["CreateSearchIndexOnReload"] = "1"
	var b strings.Builder
	b.WriteString("///$tab ")
	b.WriteString(section)
	b.WriteString("\r\n")
	for _, name := range emptyScriptVars {
		v := vars[name]
		b.WriteString("SET ")
		b.WriteString(name)
		b.WriteByte('=')
		if _, err := strconv.Atoi(v); err == nil {
			b.WriteString(v)
		} else {
			b.WriteString("'" + strings.ReplaceAll(v, "'", "''") + "'")
		}
		b.WriteString(";\r\n")
	}
	return b.String()
}

func docGetEmptyScript(c *call) error {
	section := c.str("qLocalizedMainSection")
	if c.bad() {
		return nil
	}
	if strings.ContainsAny(section, "\r\n") {
		return qerr(errInvalidArgs, "the section name %q contains a line break", section)
	}
	if strings.TrimSpace(section) == "" {
		section = "Main"
	}
	c.ret(emptyScript(section))
	return nil
}

// expandEnv is the dollar-expansion environment of the session: its
// variables (definitions starting with "=" evaluated in the default
// state) and $(=expr) evaluated in the default state.
func (c *call) expandEnv(es *engine.Session) expr.ExpandEnv {
	vars := c.s.variableValue(c.h.app)
	return expr.ExpandEnv{
		Variable: func(name string) (expr.Value, bool) {
			v, ok := vars(name)
			if !ok || v.HasNum() {
				return v, ok
			}
			if def := strings.TrimSpace(v.Text()); strings.HasPrefix(def, "=") {
				r, err := es.Evaluate(engine.DefaultState, def[1:])
				if err != nil {
					return expr.Null(), true
				}
				return r, true
			}
			return v, true
		},
		Evaluate: func(src string) (expr.Value, error) { return es.Evaluate(engine.DefaultState, src) },
	}
}

// expand dollar-expands an expression in the session.
func (c *call) expand(src string) (string, *engine.Session, *modelInfo, error) {
	es, mi, err := c.s.selections()
	if err != nil {
		return "", nil, nil, err
	}
	out, err := expr.Expand(src, c.expandEnv(es))
	if err != nil {
		return "", nil, nil, qerr(errCalcInvalidDef, "cannot expand %q: %v", clipText(src), err)
	}
	return out, es, mi, nil
}

// clipText shortens s for messages.
func clipText(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func docExpandExpression(c *call) error {
	src := c.str("qExpression")
	if c.bad() {
		return nil
	}
	out, _, _, err := c.expand(src)
	if err != nil {
		return err
	}
	c.out("qExpandedExpression", out)
	return nil
}

func docGetFieldsFromExpression(c *call) error {
	src := c.str("qExpr")
	if c.bad() {
		return nil
	}
	text, _, mi, err := c.expand(src)
	if err != nil {
		return err
	}
	text = strings.TrimPrefix(strings.TrimSpace(text), "=")
	n, err := expr.Parse(text)
	if err != nil {
		return qerr(errCalcInvalidDef, "cannot read the fields of %q: %s", clipText(src), firstExprError(err))
	}
	names := []string{}
	add := func(name string) {
		if f := lookupFieldName(mi.m, name); f != "" && !slices.Contains(names, f) {
			names = append(names, f)
		}
	}
	walkFieldNames(n, add)
	c.out("qFieldNames", names)
	return nil
}

// firstExprError is the first message of a parse error.
func firstExprError(err error) string {
	var el expr.ErrorList
	if errors.As(err, &el) && len(el) > 0 {
		return el[0].Error()
	}
	return err.Error()
}

// walkFieldNames calls add with every name n uses as a field, in source
// order: field references, TOTAL/ALL field lists, Aggr dimensions and the
// fields of set expressions.
func walkFieldNames(n expr.Node, add func(string)) {
	expr.Inspect(n, func(x expr.Node) bool {
		switch x := x.(type) {
		case *expr.FieldRef:
			add(x.Name.Text)
		case *expr.OuterSet:
			walkSetFields(x.Set, add)
		case *expr.AggCall:
			if x.Set != nil {
				walkSetFields(x.Set, add)
			}
			for _, f := range x.ScopeFields {
				add(f.Text)
			}
			for _, d := range x.Dims {
				walkDimFields(d, add)
			}
		}
		return true
	})
}

func walkDimFields(d *expr.AggrDim, add func(string)) {
	add(d.Field.Text)
	for _, s := range d.Sort {
		if s.Nested != nil {
			walkDimFields(s.Nested, add)
		}
	}
}

func walkSetFields(s *expr.SetExpr, add func(string)) {
	if s == nil {
		return
	}
	var term func(t expr.SetTerm)
	var elem func(e expr.ElemSet, field string)
	term = func(t expr.SetTerm) {
		switch t := t.(type) {
		case *expr.SetBinary:
			term(t.X)
			term(t.Y)
		case *expr.SetComplement:
			term(t.X)
		case *expr.SetFactor:
			if t.Modifier == nil {
				return
			}
			for _, a := range t.Modifier.Assigns {
				add(a.Field.Text)
				if a.Set != nil {
					elem(a.Set, a.Field.Text)
				}
			}
		}
	}
	elem = func(e expr.ElemSet, field string) {
		switch e := e.(type) {
		case *expr.ElemBinary:
			elem(e.X, field)
			elem(e.Y, field)
		case *expr.ElemComplement:
			elem(e.X, field)
		case *expr.ElemField:
			add(e.Field.Text)
		case *expr.ElemFunc:
			walkSetFields(e.Set, add)
			if e.Field != nil {
				add(e.Field.Text)
			}
		}
	}
	term(s.Term)
}

// docCheckNumberOrExpression accepts a number written in the app's locale
// (decimal and thousands separators, dates ...) and otherwise checks the
// text as an expression, as CheckExpression does.
func docCheckNumberOrExpression(c *call) error {
	src := c.str("qExpr")
	if c.bad() {
		return nil
	}
	_, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	if _, ok, _ := numfmt.Interpret(strings.TrimSpace(src), c.h.app.numLocale()); ok {
		c.out("qErrorMsg", "")
		c.out("qBadFieldNames", []any{})
		return nil
	}
	msg, bad := checkExpression(src, mi.m)
	c.out("qErrorMsg", msg)
	c.out("qBadFieldNames", bad)
	return nil
}

// setField is one field of a set expression's modifier and its values.
type setField struct {
	name   string
	values []engine.FieldValue
}

// setAnalysis writes the set expression that reproduces the selections of
// a state: {$<F={v1, v2}, G={'x'}>}, or {$} without selections.
func setAnalysis(state string, fields []setField) string {
	id := &expr.SetIdent{Kind: expr.IdentCurrent}
	if state != engine.DefaultState {
		id = &expr.SetIdent{Kind: expr.IdentNamed, Name: expr.Name{Text: state}}
		if !expr.IsIdentifier(state) || strings.HasPrefix(state, "$") {
			id.Name.Quote = '['
		}
	}
	f := &expr.SetFactor{Ident: id}
	if len(fields) > 0 {
		m := &expr.Modifier{}
		for _, sf := range fields {
			list := &expr.ElemList{}
			for _, v := range sf.values {
				list.Items = append(list.Items, setItem(v))
			}
			m.Assigns = append(m.Assigns, &expr.Assign{Field: expr.Name{Text: sf.name}, Op: expr.AssignReplace, Set: list})
		}
		f.Modifier = m
	}
	return (&expr.SetExpr{Term: f}).String()
}

// setItem is the element-list item that matches exactly one value: an
// integer whose text is its plain form unquoted, anything else as an exact
// text literal.
func setItem(v engine.FieldValue) expr.ElemItem {
	if v.IsNumeric && v.Number == math.Trunc(v.Number) && math.Abs(v.Number) < 1e15 &&
		v.Text == symbols.FormatNumber(v.Number) {
		return expr.ElemItem{Kind: expr.ItemUnquoted, Text: v.Text}
	}
	return expr.ElemItem{Kind: expr.ItemSingle, Text: v.Text}
}

// docGetSetAnalysis writes the selections of a state, or of a bookmark's
// state, as a set expression.
func docGetSetAnalysis(c *call) error {
	state := stateName(c.str("qStateName"))
	bmID := c.str("qBookmarkId")
	if c.bad() {
		return nil
	}
	if bmID != "" {
		b := c.h.app.bookmarkByID(bmID)
		if b == nil {
			return qerr(errNotFound, "bookmark %q does not exist", bmID)
		}
		var fields []setField
		for _, st := range b.data.states {
			if st.name != state {
				continue
			}
			for _, f := range st.fields {
				if len(f.values) > 0 {
					fields = append(fields, setField{name: f.name, values: f.values})
				}
			}
		}
		c.out("qSetExpression", setAnalysis(state, fields))
		return nil
	}
	if err := c.checkState(state); err != nil {
		return err
	}
	es, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	st, err := es.State(state)
	if err != nil {
		return err
	}
	sels := st.Selections()
	slices.Reverse(sels) // oldest first
	all := mi.m.Fields()
	var fields []setField
	for _, fs := range sels {
		f := all[fs.Field]
		sf := setField{name: f.Name}
		for _, id := range fs.Symbols(nil) {
			sf.values = append(sf.values, fieldValueOf(f, id))
		}
		fields = append(fields, sf)
	}
	c.out("qSetExpression", setAnalysis(state, fields))
	return nil
}

// docGetTextMacros lists the script variables of the last reload as
// TextMacro entries.
func docGetTextMacros(c *call) error {
	a := c.h.app
	a.mu.RLock()
	names := make([]string, 0, len(a.variables))
	for k := range a.variables {
		names = append(names, k)
	}
	vars := a.variables
	slices.Sort(names)
	out := make([]any, 0, len(names))
	for i, name := range names {
		m := newObj(6)
		m.Set("qTag", name)
		m.Set("qRefSeqNo", i+1)
		m.Set("qSetSeqNo", i+1)
		m.Set("qDisplayString", vars[name])
		if configVariables[name] {
			m.Set("qIsSystem", true)
		}
		if reservedVariables[name] {
			m.Set("qIsReserved", true)
		}
		out = append(out, m)
	}
	a.mu.RUnlock()
	c.out("qMacros", out)
	return nil
}

func docGetFavoriteVariables(c *call) error {
	a := c.h.app
	a.mu.RLock()
	list := a.props.arr(favoritesKey)
	a.mu.RUnlock()
	names := []string{}
	for _, v := range list {
		if s, ok := v.(string); ok {
			names = append(names, s)
		}
	}
	c.out("qNames", names)
	return nil
}

// docSetFavoriteVariables replaces the favourite variables (empty names and
// repeats dropped).
func docSetFavoriteVariables(c *call) error {
	names := c.strs("qNames")
	if c.bad() {
		return nil
	}
	list := []any{}
	var seen []string
	for _, n := range names {
		if strings.TrimSpace(n) == "" || slices.Contains(seen, n) {
			continue
		}
		seen = append(seen, n)
		list = append(list, n)
	}
	a := c.h.app
	a.mu.Lock()
	props := clone(a.props).(*jsonObject)
	props.Set(favoritesKey, list)
	a.props = props
	a.mu.Unlock()
	c.eff.docs = a
	return nil
}

// docCreateBookmarkEx creates a bookmark as CreateBookmark does, with the
// session's soft patches of the objects in qObjectIdsToPatch (of every
// object with soft patches when the list is empty).
func docCreateBookmarkEx(c *call) error {
	props := c.obj("qProp")
	ids := c.strs("qObjectIdsToPatch")
	if c.bad() {
		return nil
	}
	if qe := validateBookmarkProps(props); qe != nil {
		return qe
	}
	es, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	a := c.h.app
	d := &bookmarkData{
		states:   captureSelections(es, mi, props.boolean("qDistinctValues")),
		modified: qlikTime(now()),
		vars:     c.captureVariables(props.boolean("qIncludeVariables")),
		patches:  c.softPatchList(ids),
	}
	a.lib.mu.Lock()
	p, qe := prepareLibraryProps(props, "bookmark", func(id string) bool { return a.lib.bms.byID[id] != nil })
	if qe != nil {
		a.lib.mu.Unlock()
		return qe
	}
	b := &bookmark{obj: newGenericObject(p, a, nil), data: d}
	a.lib.bms.add(b)
	a.lib.mu.Unlock()
	h := c.conn.classHandle(b.obj, bookmarkClass)
	c.ret(classInterface(b.obj, bookmarkClass, h))
	c.out("qInfo", b.obj.info())
	c.eff.extra = append(c.eff.extra, h)
	c.bookmarkChanged(a, b)
	return nil
}

// softPatchList is the session's soft patches as NxPatches, for the
// objects named in ids (all objects when ids has no non-empty id), sorted
// by object id.
func (c *call) softPatchList(ids []string) []any {
	want := slices.DeleteFunc(slices.Clone(ids), func(s string) bool { return s == "" })
	type entry struct {
		o  *genericObject
		ps []patch
	}
	var list []entry
	c.s.mu.Lock()
	for o, ss := range c.s.soft {
		if len(want) == 0 || slices.Contains(want, o.id) {
			list = append(list, entry{o, ss.patches})
		}
	}
	c.s.mu.Unlock()
	slices.SortFunc(list, func(x, y entry) int { return strings.Compare(x.o.id, y.o.id) })
	out := []any{}
	for _, e := range list {
		ps := make([]any, 0, len(e.ps))
		for _, p := range e.ps {
			ps = append(ps, patchJSON(p))
		}
		out = append(out, newObj(3).Set("qInfo", e.o.info()).Set("qPatches", ps).Set("qChildren", []any{}))
	}
	return out
}

// patchJSON turns a parsed patch back into an NxPatch.
func patchJSON(p patch) *jsonObject {
	segs := make([]string, len(p.path))
	for i, s := range p.path {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
	}
	o := newObj(3)
	o.Set("qOp", p.op)
	o.Set("qPath", "/"+strings.Join(segs, "/"))
	if p.op != "remove" {
		o.Set("qValue", string(encode(p.value)))
	} else {
		o.Set("qValue", "")
	}
	return o
}

// wrapApplyPatches extends a bookmark's Apply: after the selections, the
// bookmark's soft patches (NxPatches) replace the session's soft patches of
// the objects they name. Objects that no longer exist are skipped.
func wrapApplyPatches(find func(c *call) *bookmark) func(next handler) handler {
	return func(next handler) handler {
		return func(c *call) error {
			if err := next(c); err != nil || c.bad() {
				return err
			}
			if ok, _ := c.result().Get("qSuccess"); ok != true {
				return nil
			}
			b := find(c)
			if b == nil {
				return nil
			}
			list, _ := b.data.patches.([]any)
			c.installPatches(list)
			return nil
		}
	}
}

// installPatches makes NxPatches entries the session's soft patches.
func (c *call) installPatches(list []any) {
	a := c.s.doc()
	for _, v := range list {
		e, ok := v.(*jsonObject)
		if !ok {
			continue
		}
		if kids := e.arr("qChildren"); len(kids) > 0 {
			c.installPatches(kids)
		}
		id := e.obj("qInfo").str("qId")
		o := c.s.sessionObject(id)
		if o == nil && a != nil {
			o = a.object(id)
		}
		if o == nil {
			continue
		}
		ps, qe := parsePatches(objects(e.arr("qPatches")))
		if qe != nil {
			continue
		}
		props, qe := applyPatches(o.current(), ps)
		if qe != nil {
			continue
		}
		c.s.mu.Lock()
		if len(ps) == 0 {
			delete(c.s.soft, o)
		} else {
			c.s.soft[o] = &softState{patches: ps, deps: computeDeps(props)}
		}
		c.s.mu.Unlock()
		c.eff.softObjs = append(c.eff.softObjs, o)
	}
}

// objects keeps the objects of a JSON array.
func objects(list []any) []*jsonObject {
	out := make([]*jsonObject, 0, len(list))
	for _, v := range list {
		if o, ok := v.(*jsonObject); ok {
			out = append(out, o)
		}
	}
	return out
}

// verifyBookmark compares the session's selections after a bookmark was
// applied with the values the bookmark stores, and returns the
// BookmarkFieldVerifyWarning of every field that differs.
func (c *call) verifyBookmark(b *bookmark) ([]any, error) {
	es, mi, err := c.s.selections()
	if err != nil {
		return nil, err
	}
	warnings := []any{}
	warn := func(state, field, result string, missing []string) {
		w := newObj(4)
		w.Set("qState", state)
		w.Set("qField", field)
		w.Set("qVerifyResult", result)
		if missing == nil {
			missing = []string{}
		}
		w.Set("qMissingValues", missing)
		warnings = append(warnings, w)
	}
	for _, bs := range b.data.states {
		st, err := es.State(bs.name)
		if err != nil {
			for _, f := range bs.fields {
				warn(bs.name, f.name, "STATE_MISSING", nil)
			}
			continue
		}
		for _, bf := range bs.fields {
			f, err := mi.m.Field(bf.name)
			if err != nil {
				warn(bs.name, bf.name, "FIELD_MISSING", nil)
				continue
			}
			var have []engine.FieldValue
			if fs := st.Selection(f.Index); fs != nil {
				for _, id := range fs.Symbols(nil) {
					have = append(have, fieldValueOf(f, id))
				}
			}
			var missing []string
			for _, v := range bf.values {
				if !slices.ContainsFunc(have, func(h engine.FieldValue) bool { return sameFieldValue(h, v) }) {
					missing = append(missing, v.Text)
				}
			}
			if len(missing) > 0 {
				warn(bs.name, bf.name, "FIELD_VALUE_MISSING", missing)
			}
		}
	}
	return warnings, nil
}

// sameFieldValue compares two values as a selection does: by number when
// both have one, else by text.
func sameFieldValue(a, b engine.FieldValue) bool {
	if a.IsNumeric && b.IsNumeric {
		return a.Number == b.Number
	}
	return a.Text == b.Text
}

// applyAndVerify applies b and answers its BookmarkApplyAndVerifyResult.
func (c *call) applyAndVerify(b *bookmark) error {
	r := newObj(2)
	if b == nil {
		r.Set("qApplySuccess", false)
		r.Set("qWarnings", []any{})
		c.out("qResult", r)
		return nil
	}
	if err := c.applyBookmark(b); err != nil {
		return err
	}
	list, _ := b.data.patches.([]any)
	c.installPatches(list)
	warnings, err := c.verifyBookmark(b)
	if err != nil {
		return err
	}
	r.Set("qApplySuccess", true)
	r.Set("qWarnings", warnings)
	c.out("qResult", r)
	return nil
}

func docApplyAndVerifyBookmark(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	return c.applyAndVerify(c.h.app.bookmarkByID(id))
}

func bmApplyAndVerify(c *call) error {
	return c.applyAndVerify(c.h.obj.app.bookmarkOf(c.h.obj))
}

func docUndoRedo(c *call) error {
	return qerr(errUnsupported, "%s: the engine keeps no undo history of property changes", c.method)
}

func docGetLooselyCoupledVector(c *call) error {
	_, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	qv := []int{}
	for _, t := range mi.m.Tables() {
		if t.System {
			continue
		}
		v := 0
		if t.Loose {
			v = 1
		}
		qv = append(qv, v)
	}
	c.out("qv", qv)
	return nil
}

// docFindMatchingFields lists the fields of the named field's archipelago
// (the tables its table connects to through key fields, at any distance)
// that have at least one of the tags. System fields are listed only when
// "$system" is one of the tags.
func docFindMatchingFields(c *call) error {
	name := c.str("qFieldName")
	tags := c.strs("qTags")
	if c.bad() {
		return nil
	}
	_, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	m := mi.m
	start, err := m.Field(name)
	if err != nil {
		return qerr(errNotFound, "field %q does not exist", name)
	}
	fields, tables := m.Fields(), m.Tables()
	inTables := map[int]bool{}
	seenFields := map[int]bool{start.Index: true}
	queue := []*engine.Field{start}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, ti := range f.Tables() {
			if inTables[ti] {
				continue
			}
			inTables[ti] = true
			for _, fi := range tables[ti].Fields {
				if !seenFields[fi] {
					seenFields[fi] = true
					queue = append(queue, fields[fi])
				}
			}
		}
	}
	system := slices.Contains(tags, "$system")
	out := []any{}
	for _, f := range fields {
		if !seenFields[f.Index] || (f.System && !system) {
			continue
		}
		if slices.ContainsFunc(tags, func(t string) bool { return t != "" && slices.Contains(f.Tags, t) }) {
			out = append(out, newObj(2).Set("qName", f.Name).Set("qTags", tagsOf(f)))
		}
	}
	c.out("qFieldNames", out)
	return nil
}

func docGetFieldOnTheFlyByName(c *call) error {
	name := c.str("qReadableName")
	if c.bad() {
		return nil
	}
	_, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	c.out("qName", lookupFieldName(mi.m, name))
	return nil
}

// docGetScriptEx returns the script with its AppScript metadata: the
// script is never locked (there is no concurrent script editing to guard).
func docGetScriptEx(c *call) error {
	a := c.h.app
	a.mu.RLock()
	script := a.script
	a.mu.RUnlock()
	o := newObj(3)
	o.Set("qScript", script)
	o.Set("qMeta", newObj(0))
	o.Set("qIsLocked", false)
	c.out("qScript", o)
	return nil
}
