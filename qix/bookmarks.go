package qix

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/expr"
)

// Bookmarks (semantics §7.2): a bookmark is a persistent library object
// (handle class GenericBookmark) holding the selections of every state of
// the session that created it, field by field with the selected values by
// text and number, so that it survives reloads, the search string that made
// a selection (unless qDistinctValues) and the lock flags; with
// qIncludeVariables (or for variables marked qIncludeInBookmark) the
// variables' definitions too. Applying it clears each state's unlocked
// selections and makes the stored ones again, oldest first, as one step of
// the Back history; fields and values the data no longer has are skipped.
// Set analysis reaches a bookmark by id or title ({BM01}, {S1::BM01}).

func init() {
	register("Doc", map[string]handler{
		"CreateBookmark":  docCreateBookmark,
		"ApplyBookmark":   docApplyBookmark,
		"GetBookmark":     docGetBookmark,
		"DestroyBookmark": docDestroyBookmark,
		"GetBookmarks":    docGetBookmarks,
	})
	register("GenericBookmark", map[string]handler{
		"GetLayout":      bmGetLayout,
		"GetProperties":  func(c *call) error { c.out("qProp", bookmarkPropSpec.normalize(c.h.obj.current())); return nil },
		"GetInfo":        func(c *call) error { c.out("qInfo", c.h.obj.info()); return nil },
		"SetProperties":  bmSetProperties,
		"ApplyPatches":   bmApplyPatches,
		"Apply":          bmApply,
		"GetFieldValues": bmGetFieldValues,
	})
}

const bookmarkClass = "GenericBookmark"

var bookmarkPropSpec = newSpec(fieldSpec{name: "qInfo", kind: fAny}, st("qMetaDef", newSpec()),
	bf("qIncludeVariables"), bf("qDistinctValues"))

// bookmark is a bookmark object and its stored selections.
type bookmark struct {
	obj  *genericObject
	data *bookmarkData // never modified once set

	mu         sync.Mutex
	cacheModel *engine.Model
	cache      map[string]*engine.State // set-analysis states by state name
}

// bookmarkData is an NxBookmark.
type bookmarkData struct {
	states   []bmState
	modified float64 // qUtcModifyTime: days since 1899-12-30, UTC
	vars     []bmVariable
	patches  any // qPatches, kept as they are
}

// bmState is one AlternateStateData.
type bmState struct {
	name   string
	fields []bmField // oldest selection first
}

// bmField is one BookmarkFieldItem.
type bmField struct {
	name   string
	locked bool
	search string
	values []engine.FieldValue
}

// bmVariable is one BookmarkVariableItem.
type bmVariable struct {
	name, def string
	value     engine.FieldValue
}

// bookmarkSet is the app's bookmarks in creation order.
type bookmarkSet struct {
	byID  map[string]*bookmark
	order []string
}

func (s *bookmarkSet) add(b *bookmark) {
	if s.byID == nil {
		s.byID = map[string]*bookmark{}
	}
	s.byID[b.obj.id] = b
	s.order = append(s.order, b.obj.id)
}

func (s *bookmarkSet) remove(id string) *bookmark {
	b := s.byID[id]
	if b != nil {
		delete(s.byID, id)
		s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
	}
	return b
}

func (s *bookmarkSet) list() []*bookmark {
	out := make([]*bookmark, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.byID[id])
	}
	return out
}

// bookmarkByID returns the bookmark with this id, or nil.
func (a *app) bookmarkByID(id string) *bookmark {
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	return a.lib.bms.byID[id]
}

// bookmarkOf returns the bookmark whose object is o, or nil once destroyed.
func (a *app) bookmarkOf(o *genericObject) *bookmark {
	if b := a.bookmarkByID(o.id); b != nil && b.obj == o {
		return b
	}
	return nil
}

// bookmarkList returns the app's bookmarks in creation order.
func (a *app) bookmarkList() []*bookmark {
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	return a.lib.bms.list()
}

// title is the bookmark's name: qMetaDef.title.
func (b *bookmark) title() string { return b.obj.current().obj("qMetaDef").str("title") }

// qlikTime converts a time to a Qlik timestamp (days since 1899-12-30).
func qlikTime(t time.Time) float64 {
	return float64(t.UTC().UnixMilli())/86_400_000 + 25569
}

// captureSelections records every state of the session as bookmark data.
func captureSelections(es *engine.Session, mi *modelInfo, distinct bool) []bmState {
	fields := mi.m.Fields()
	var out []bmState
	for _, name := range es.StateNames() {
		st, err := es.State(name)
		if err != nil {
			continue
		}
		sels := st.Selections()
		slices.Reverse(sels) // oldest first: the order to make them again
		bs := bmState{name: name}
		for _, fs := range sels {
			f := fields[fs.Field]
			bf := bmField{name: f.Name, locked: fs.Locked}
			if !distinct {
				bf.search = fs.Search
			}
			for _, id := range fs.Symbols(nil) {
				bf.values = append(bf.values, fieldValueOf(f, id))
			}
			bs.fields = append(bs.fields, bf)
		}
		out = append(out, bs)
	}
	return out
}

// fieldValueOf is the FieldValue of a symbol: its text, and its number
// when it has one.
func fieldValueOf(f *engine.Field, id uint32) engine.FieldValue {
	n := f.Symbols.Num(id)
	if math.IsNaN(n) {
		return engine.FieldValue{Text: f.Symbols.Text(id)}
	}
	return engine.FieldValue{Text: f.Symbols.Text(id), IsNumeric: true, Number: n}
}

// captureVariables records the user variables of the session's app and
// the session: all of them with all set, else those marked
// qIncludeInBookmark.
func (c *call) captureVariables(all bool) []bmVariable {
	var objs []*genericObject
	a := c.h.app
	a.mu.RLock()
	for _, o := range a.vars {
		objs = append(objs, o)
	}
	a.mu.RUnlock()
	c.s.mu.Lock()
	for _, o := range c.s.vars {
		objs = append(objs, o)
	}
	c.s.mu.Unlock()
	var out []bmVariable
	for _, o := range objs {
		p := o.current()
		if !all && !p.boolean("qIncludeInBookmark") {
			continue
		}
		def := p.str("qDefinition")
		v := bmVariable{name: p.str("qName"), def: def, value: engine.FieldValue{Text: def}}
		if f, ok := expr.ParseNumber(strings.TrimSpace(def)); ok {
			v.value.IsNumeric, v.value.Number = true, f
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(x, y bmVariable) int { return strings.Compare(x.name, y.name) })
	return out
}

// json renders the data as an NxBookmark.
func (d *bookmarkData) json() *jsonObject {
	states := make([]any, 0, len(d.states))
	for _, s := range d.states {
		items := make([]any, 0, len(s.fields))
		for _, f := range s.fields {
			it := newObj(6)
			it.Set("qDef", newObj(2).Set("qName", f.name).Set("qType", "PRESENT"))
			if f.locked {
				it.Set("qLocked", true)
			}
			si := newObj(1)
			if f.search != "" {
				si.Set("qTextSearch", f.search)
			}
			it.Set("qSelectInfo", si)
			vals := make([]any, len(f.values))
			for i, v := range f.values {
				vals[i] = fieldValueJSON(v)
			}
			it.Set("qValues", vals)
			it.Set("qExcludedValues", []any{})
			items = append(items, it)
		}
		states = append(states, newObj(2).Set("qStateName", s.name).Set("qFieldItems", items))
	}
	vars := make([]any, 0, len(d.vars))
	for _, v := range d.vars {
		vars = append(vars, newObj(3).Set("qName", v.name).Set("qValue", fieldValueJSON(v.value)).Set("qDefinition", v.def))
	}
	o := newObj(5)
	o.Set("qStateData", states)
	o.Set("qUtcModifyTime", d.modified)
	o.Set("qVariableItems", vars)
	patches := d.patches
	if patches == nil {
		patches = []any{}
	}
	o.Set("qPatches", clone(patches))
	o.Set("qGroupStates", []any{})
	return o
}

func fieldValueJSON(v engine.FieldValue) *jsonObject {
	o := newObj(3)
	o.Set("qText", v.Text)
	if v.IsNumeric {
		o.Set("qIsNumeric", true)
		o.Set("qNumber", v.Number)
	}
	return o
}

// parseBookmarkData reads an NxBookmark (a snapshot's); every part is
// checked, so that a damaged snapshot gives an error.
func parseBookmarkData(o *jsonObject) (*bookmarkData, error) {
	d := &bookmarkData{}
	if v, ok := o.Get("qUtcModifyTime"); ok && v != nil {
		n, isNum := v.(jsonNumber)
		f, ok := n.float()
		if !isNum || !ok {
			return nil, fmt.Errorf("qUtcModifyTime is not a number")
		}
		d.modified = f
	}
	states, err := arrayOf(o, "qStateData")
	if err != nil {
		return nil, err
	}
	for i, sv := range states {
		so, ok := sv.(*jsonObject)
		if !ok {
			return nil, fmt.Errorf("qStateData[%d] is not an object", i)
		}
		st := bmState{name: stateName(so.str("qStateName"))}
		items, err := arrayOf(so, "qFieldItems")
		if err != nil {
			return nil, fmt.Errorf("qStateData[%d]: %w", i, err)
		}
		for j, iv := range items {
			f, err := parseFieldItem(iv)
			if err != nil {
				return nil, fmt.Errorf("qStateData[%d].qFieldItems[%d]: %w", i, j, err)
			}
			st.fields = append(st.fields, f)
		}
		d.states = append(d.states, st)
	}
	vars, err := arrayOf(o, "qVariableItems")
	if err != nil {
		return nil, err
	}
	for i, vv := range vars {
		vo, ok := vv.(*jsonObject)
		if !ok || vo.str("qName") == "" {
			return nil, fmt.Errorf("qVariableItems[%d] is not an object with a qName", i)
		}
		v := bmVariable{name: vo.str("qName"), def: vo.str("qDefinition")}
		if val := vo.obj("qValue"); val != nil {
			if v.value, err = parseFieldValue(val); err != nil {
				return nil, fmt.Errorf("qVariableItems[%d].qValue: %w", i, err)
			}
		}
		d.vars = append(d.vars, v)
	}
	if p, ok := o.Get("qPatches"); ok {
		if _, isArr := p.([]any); !isArr && p != nil {
			return nil, fmt.Errorf("qPatches is not an array")
		}
		d.patches = clone(p)
	}
	return d, nil
}

// arrayOf returns the array under key (nil when absent).
func arrayOf(o *jsonObject, key string) ([]any, error) {
	v, ok := o.Get(key)
	if !ok || v == nil {
		return nil, nil
	}
	a, isArr := v.([]any)
	if !isArr {
		return nil, fmt.Errorf("%s is not an array", key)
	}
	return a, nil
}

func parseFieldItem(v any) (bmField, error) {
	o, ok := v.(*jsonObject)
	if !ok {
		return bmField{}, fmt.Errorf("not an object")
	}
	f := bmField{name: o.obj("qDef").str("qName"), locked: o.boolean("qLocked"), search: o.obj("qSelectInfo").str("qTextSearch")}
	if f.name == "" {
		return f, fmt.Errorf("qDef.qName is missing")
	}
	vals, err := arrayOf(o, "qValues")
	if err != nil {
		return f, err
	}
	for i, vv := range vals {
		vo, ok := vv.(*jsonObject)
		if !ok {
			return f, fmt.Errorf("qValues[%d] is not an object", i)
		}
		fv, err := parseFieldValue(vo)
		if err != nil {
			return f, fmt.Errorf("qValues[%d]: %w", i, err)
		}
		f.values = append(f.values, fv)
	}
	return f, nil
}

func parseFieldValue(o *jsonObject) (engine.FieldValue, error) {
	v := engine.FieldValue{Text: o.str("qText"), IsNumeric: o.boolean("qIsNumeric")}
	if !v.IsNumeric {
		return v, nil
	}
	switch n := mustGet(o, "qNumber").(type) {
	case jsonNumber:
		if f, ok := n.float(); ok {
			v.Number = f
			return v, nil
		}
	case string: // how layouts write infinities
		switch n {
		case "Infinity":
			v.Number = math.Inf(1)
			return v, nil
		case "-Infinity":
			v.Number = math.Inf(-1)
			return v, nil
		}
	}
	return v, fmt.Errorf("qNumber of a numeric value is not a number")
}

// buildStates makes the bookmark's selections on model m for the states
// in have (every state of the bookmark when nil), or only state want when
// it is not "". Each state starts from base (the session's current state:
// its locked selections stay, the rest is cleared; nil or a nil result: no
// selections). Selections are made oldest first, by search string when
// there is one and it still matches, else by value; locks come last. A
// wanted state the bookmark has no selections for is empty.
func (d *bookmarkData) buildStates(m *engine.Model, opts engine.SessionOptions, base func(string) *engine.State, have []string, want string) map[string]*engine.State {
	scratch := engine.NewSession(m, opts)
	out := map[string]*engine.State{}
	add := func(name string) {
		if name != engine.DefaultState {
			_ = scratch.AddState(name)
		}
	}
	for _, st := range d.states {
		if (have != nil && !slices.Contains(have, st.name)) || (want != "" && st.name != want) {
			continue
		}
		add(st.name)
		if base != nil {
			if cur := base(st.name); cur != nil {
				scratch.SetStates(map[string]*engine.State{st.name: cur})
				_ = scratch.ClearAll(st.name, false)
			}
		}
		for _, f := range st.fields {
			if lookupFieldName(m, f.name) == "" {
				continue
			}
			ok := false
			if f.search != "" {
				ok, _ = scratch.Select(st.name, f.name, f.search, false, false)
			}
			if !ok && len(f.values) > 0 {
				_, _ = scratch.SelectValues(st.name, f.name, f.values, false, false)
			}
		}
		for _, f := range st.fields {
			if f.locked && lookupFieldName(m, f.name) != "" {
				_, _ = scratch.Lock(st.name, f.name)
			}
		}
		if s, err := scratch.State(st.name); err == nil {
			out[st.name] = s
		}
	}
	if want != "" && out[want] == nil {
		add(want)
		if s, err := scratch.State(want); err == nil {
			out[want] = s
		}
	}
	return out
}

// lookupFieldName returns the model's name of a field, "" when missing.
func lookupFieldName(m *engine.Model, name string) string {
	if f, err := m.Field(name); err == nil {
		return f.Name
	}
	return ""
}

// bookmarkStates is the engine's bookmark resolver for set analysis in a
// session of app a on model m: a bookmark by id, else by title, gives its
// selections of the asked state, kept until the model changes.
func (a *app) bookmarkStates(m *engine.Model) engine.BookmarkStates {
	return func(name, state string) (*engine.State, bool) {
		var b *bookmark
		for _, x := range a.bookmarkList() {
			if x.obj.id == name {
				b = x
				break
			}
		}
		if b == nil {
			for _, x := range a.bookmarkList() {
				if x.title() == name {
					b = x
					break
				}
			}
		}
		if b == nil {
			return nil, false
		}
		state = stateName(state)
		b.mu.Lock()
		if b.cacheModel == m {
			if st, ok := b.cache[state]; ok {
				b.mu.Unlock()
				return st, true
			}
		}
		b.mu.Unlock()
		st := b.data.buildStates(m, a.engineOptions(), nil, nil, state)[state]
		if st == nil {
			return nil, false
		}
		b.mu.Lock()
		if b.cacheModel != m {
			b.cacheModel, b.cache = m, map[string]*engine.State{}
		}
		b.cache[state] = st
		b.mu.Unlock()
		return st, true
	}
}

func docCreateBookmark(c *call) error {
	props := c.obj("qProp")
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

// validateBookmarkProps checks the known keys of bookmark properties.
func validateBookmarkProps(p *jsonObject) *Error {
	for _, k := range []string{"qIncludeVariables", "qDistinctValues"} {
		if v, ok := p.Get(k); ok && v != nil {
			if _, isBool := v.(bool); !isBool {
				return qerr(errInvalidParams, "qProp.%s must be a boolean, not %s", k, jsonKind(v))
			}
		}
	}
	if v, ok := p.Get("qMetaDef"); ok && v != nil {
		if _, isObj := v.(*jsonObject); !isObj {
			return qerr(errInvalidParams, "qProp.qMetaDef must be an object, not %s", jsonKind(v))
		}
	}
	return nil
}

// bookmarkChanged marks as changed the objects that list bookmarks or whose
// properties mention the bookmark's id or title (set analysis).
func (c *call) bookmarkChanged(a *app, b *bookmark) {
	a.calcVer.Add(1) // set expressions may name the bookmark
	id, title := b.obj.id, b.title()
	c.touch(a.objectsWhere(func(p *jsonObject) bool {
		return hasKeyDeep(p, "qBookmarkListDef") || mentions(p, id, title)
	}))
}

// applyBookmark makes the bookmark's selections in the session, one
// history step, and restores its variables.
func (c *call) applyBookmark(b *bookmark) error {
	a := c.s.doc()
	if a == nil {
		return qerr(errAppInvalid, "No active document")
	}
	opts := a.engineOptions()
	opts.Variables = c.s.variableValue(a)
	_, err := c.withSelections(func(es *engine.Session) (bool, error) {
		base := func(name string) *engine.State {
			st, _ := es.State(name)
			return st
		}
		states := b.data.buildStates(es.Model(), opts, base, es.StateNames(), "")
		if len(states) > 0 {
			es.SetStates(states)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	changed := false
	for _, v := range b.data.vars {
		o := c.s.findVariable(a, v.name, true)
		if o == nil || o.current().boolean("qIsScriptCreated") || o.current().str("qDefinition") == v.def {
			continue
		}
		p := o.properties()
		p.Set("qDefinition", v.def)
		o.setProperties(p)
		c.eff.objs = append(c.eff.objs, o)
		changed = true
	}
	if changed {
		c.variableChanged()
	}
	return nil
}

func docApplyBookmark(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	b := c.h.app.bookmarkByID(id)
	if b == nil {
		c.out("qSuccess", false)
		return nil
	}
	if err := c.applyBookmark(b); err != nil {
		return err
	}
	c.out("qSuccess", true)
	return nil
}

func docGetBookmark(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	b := c.h.app.bookmarkByID(id)
	if b == nil {
		c.ret(nullInterface())
		return nil
	}
	c.ret(classInterface(b.obj, bookmarkClass, c.conn.classHandle(b.obj, bookmarkClass)))
	return nil
}

func docDestroyBookmark(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	a := c.h.app
	a.lib.mu.Lock()
	b := a.lib.bms.remove(id)
	a.lib.mu.Unlock()
	c.out("qSuccess", b != nil)
	if b != nil {
		c.eff.closed = append(c.eff.closed, b.obj)
		c.bookmarkChanged(a, b)
	}
	return nil
}

// docGetBookmarks lists the bookmarks of the types asked for (all with no
// types) as NxContainerEntry, qData resolved in each bookmark's layout.
func docGetBookmarks(c *call) error {
	opts := c.obj("qOptions")
	if c.bad() {
		return nil
	}
	types := typeFilter(opts.arr("qTypes"))
	data := opts.obj("qData")
	list := []any{}
	for _, b := range c.h.app.bookmarkList() {
		if !types(b.obj.typ) {
			continue
		}
		list = append(list, containerEntry(b.obj.info(), b.obj.current(), selectData(b.layoutSource(), data)))
	}
	c.out("qList", list)
	return nil
}

// typeFilter matches the types of a qTypes list; an empty list (or one of
// empty strings) matches every type.
func typeFilter(list []any) func(string) bool {
	var types []string
	for _, v := range list {
		if s, ok := v.(string); ok && s != "" {
			types = append(types, s)
		}
	}
	return func(t string) bool { return len(types) == 0 || slices.Contains(types, t) }
}

// layoutSource is what qData pointers of bookmark lists resolve in: the
// properties with the bookmark's qBookmark and qFieldInfos added.
func (b *bookmark) layoutSource() *jsonObject {
	p := clone(b.obj.current()).(*jsonObject)
	p.Set("qBookmark", b.data.json())
	p.Set("qFieldInfos", b.data.fieldInfos())
	return p
}

// fieldInfos are the LayoutFieldInfo of the default state's selections.
func (d *bookmarkData) fieldInfos() []any {
	out := []any{}
	for _, s := range d.states {
		if s.name != engine.DefaultState {
			continue
		}
		for _, f := range s.fields {
			out = append(out, newObj(3).Set("qFieldName", f.name).Set("qValuesCount", len(f.values)).Set("qExcludedValuesCount", 0))
		}
	}
	return out
}

func bmGetLayout(c *call) error {
	o := c.h.obj
	b := o.app.bookmarkOf(o)
	if b == nil {
		return qerr(errNotFound, "bookmark %s was destroyed", o.id)
	}
	props := o.current()
	l := newObj(props.Len() + 3)
	l.Set("qInfo", o.info())
	meta := newObj(1)
	if md := props.obj("qMetaDef"); md != nil {
		meta = clone(md).(*jsonObject)
	}
	meta.Set("privileges", privileges)
	l.Set("qMeta", meta)
	l.Set("qBookmark", b.data.json())
	l.Set("qFieldInfos", b.data.fieldInfos())
	if err := customKeys(c, l, props, "qInfo", "qMetaDef", "qIncludeVariables", "qDistinctValues"); err != nil {
		return err
	}
	c.out("qLayout", l)
	return nil
}

// setBookmarkProps installs new properties (the stored selections stay).
func (c *call) setBookmarkProps(props *jsonObject) error {
	if qe := validateBookmarkProps(props); qe != nil {
		return qe
	}
	o := c.h.obj
	b := o.app.bookmarkOf(o)
	if b == nil {
		return qerr(errNotFound, "bookmark %s was destroyed", o.id)
	}
	before := b.title()
	o.setProperties(props)
	c.eff.objs = append(c.eff.objs, o)
	c.bookmarkChanged(o.app, b)
	if before != b.title() {
		c.touch(o.app.objectsWhere(func(p *jsonObject) bool { return mentions(p, before) }))
		b.mu.Lock()
		b.cache, b.cacheModel = nil, nil
		b.mu.Unlock()
	}
	return nil
}

func bmSetProperties(c *call) error {
	props := c.obj("qProp")
	if c.bad() {
		return nil
	}
	return c.setBookmarkProps(props)
}

func bmApplyPatches(c *call) error {
	ps := c.objs("qPatches")
	if c.bad() {
		return nil
	}
	patches, qe := parsePatches(ps)
	if qe != nil {
		return qe
	}
	props, qe := applyPatches(c.h.obj.current(), patches)
	if qe != nil {
		return qe
	}
	return c.setBookmarkProps(props)
}

func bmApply(c *call) error {
	o := c.h.obj
	b := o.app.bookmarkOf(o)
	if b == nil {
		c.out("qSuccess", false)
		return nil
	}
	if err := c.applyBookmark(b); err != nil {
		return err
	}
	c.out("qSuccess", true)
	return nil
}

// bmGetFieldValues returns the values the bookmark selects in a field of
// the default state (qGetExcludedValues: its excluded values, which
// bookmarks made here do not store), from qStartIndex up to but not
// including qEndIndex (to the end when qEndIndex is not above it).
func bmGetFieldValues(c *call) error {
	field := c.str("qField")
	excluded := c.boolean("qGetExcludedValues")
	page := c.obj("qDataPage")
	if c.bad() {
		return nil
	}
	o := c.h.obj
	b := o.app.bookmarkOf(o)
	if b == nil {
		return qerr(errNotFound, "bookmark %s was destroyed", o.id)
	}
	start, end := page.integer("qStartIndex", 0), page.integer("qEndIndex", 0)
	if start < 0 || end < 0 {
		return qerr(errInvalidParams, "qDataPage has a negative index")
	}
	out := []any{}
	for _, s := range b.data.states {
		if s.name != engine.DefaultState || excluded {
			continue
		}
		for _, f := range s.fields {
			if f.name != field {
				continue
			}
			vals := f.values
			if start > len(vals) {
				start = len(vals)
			}
			if end <= start || end > len(vals) {
				end = len(vals)
			}
			for _, v := range vals[start:end] {
				out = append(out, fieldValueJSON(v))
			}
		}
	}
	c.out("qFieldValues", out)
	return nil
}

// bookmarkEntry is the snapshot form of a bookmark: a GenericBookmarkEntry
// with its properties and NxBookmark.
func (b *bookmark) entry() []byte {
	e := newObj(2)
	e.Set("qProperties", b.obj.properties())
	e.Set("qBookmark", b.data.json())
	return encode(e)
}

// loadBookmark reads a snapshot's bookmark entry.
func (a *app) loadBookmark(raw []byte) (*bookmark, error) {
	v, err := parseJSON(raw)
	if err != nil {
		return nil, err
	}
	e, ok := v.(*jsonObject)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	props := e.obj("qProperties")
	if props == nil || props.obj("qInfo") == nil || props.obj("qInfo").str("qId") == "" {
		return nil, fmt.Errorf("qProperties.qInfo.qId is missing")
	}
	data := e.obj("qBookmark")
	if data == nil {
		data = newObj(0)
	}
	d, err := parseBookmarkData(data)
	if err != nil {
		return nil, err
	}
	return &bookmark{obj: newGenericObject(props, a, nil), data: d}, nil
}
