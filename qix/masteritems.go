package qix

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/assocengine/assoc/engine"
)

// Master items (semantics §7.4): library dimensions and measures are
// persistent objects of the app with their own handle classes
// (GenericDimension, GenericMeasure). Hypercubes and list objects refer to
// them by qLibraryId; a definition is resolved to the master item's at
// layout time, so a change of the master item changes every object using
// it, and a missing id gives error 7001 in the layout's qError.

func init() {
	// A library definition inside a generic object lays out as itself,
	// normalised (NxLibraryDimension, NxLibraryMeasure).
	registerDef("qNxLibraryDimensionDef", &defComputer{layoutKey: "qNxLibraryDimension", compute: libraryDef(dimKind)})
	registerDef("qNxLibraryMeasureDef", &defComputer{layoutKey: "qNxLibraryMeasure", compute: libraryDef(measKind)})
	for _, k := range []*itemKind{dimKind, measKind} {
		register("Doc", map[string]handler{
			"Create" + k.noun:  docCreateItem(k),
			"Get" + k.noun:     docGetItem(k),
			"Destroy" + k.noun: docDestroyItem(k),
		})
		register(k.class, map[string]handler{
			"GetLayout":        itemGetLayout(k),
			"GetProperties":    func(c *call) error { c.out("qProp", k.normalize(c.h.obj.current())); return nil },
			"GetInfo":          func(c *call) error { c.out("qInfo", c.h.obj.info()); return nil },
			"SetProperties":    itemSetProperties(k),
			"ApplyPatches":     itemApplyPatches(k),
			"GetLinkedObjects": itemGetLinkedObjects,
			"Get" + k.noun:     itemGetDef(k),
		})
	}
}

// library holds an app's master items and bookmarks and the parent links
// of its objects (children.go). Its mutex is taken last: nothing that
// holds it takes a session, app or connection lock.
type library struct {
	mu     sync.Mutex
	dims   itemSet
	meas   itemSet
	bms    bookmarkSet
	parent map[*genericObject]*genericObject   // child → parent
	kids   map[*genericObject][]*genericObject // parent → children in order
}

// itemSet is a collection of library objects in creation order.
type itemSet struct {
	byID  map[string]*genericObject
	order []string
}

func (s *itemSet) get(id string) *genericObject { return s.byID[id] }

func (s *itemSet) add(o *genericObject) {
	if s.byID == nil {
		s.byID = map[string]*genericObject{}
	}
	s.byID[o.id] = o
	s.order = append(s.order, o.id)
}

func (s *itemSet) remove(id string) *genericObject {
	o := s.byID[id]
	if o != nil {
		delete(s.byID, id)
		s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
	}
	return o
}

func (s *itemSet) list() []*genericObject {
	out := make([]*genericObject, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.byID[id])
	}
	return out
}

// itemKind describes one kind of master item.
type itemKind struct {
	noun     string // "Dimension": Doc.CreateDimension ...
	class    string // handle class
	typ      string // default qInfo.qType
	defKey   string // the definition's key: qDim or qMeasure
	listKey  string // the list definition that lists the kind
	defSpec  *structSpec
	propSpec *structSpec
	set      func(l *library) *itemSet
}

var (
	fieldAttrSpec = newSpec(en("qType", "FieldAttrType", "U"), ie("qnDec", 10), ie("qUseThou", 0),
		sf("qFmt"), sf("qDec"), sf("qThou"))
	libDimSpec = newSpec(en("qGrouping", "NxGrpType", "N"), arr("qFieldDefs"), arr("qFieldLabels"),
		sf("qLabelExpression"), sf("qAlias"), bf("qScriptGenerated"))
	libMeasSpec = newSpec(sf("qLabel"), sf("qDef"), en("qGrouping", "NxGrpType", "N"), arr("qExpressions"),
		ie("qActiveExpression", 0), sf("qLabelExpression"), st("qNumFormat", fieldAttrSpec), bf("qScriptGenerated"))

	dimKind = &itemKind{noun: "Dimension", class: "GenericDimension", typ: "dimension", defKey: "qDim",
		listKey: "qDimensionListDef", defSpec: libDimSpec,
		propSpec: newSpec(fieldSpec{name: "qInfo", kind: fAny}, st("qDim", libDimSpec), st("qMetaDef", newSpec())),
		set:      func(l *library) *itemSet { return &l.dims }}
	measKind = &itemKind{noun: "Measure", class: "GenericMeasure", typ: "measure", defKey: "qMeasure",
		listKey: "qMeasureListDef", defSpec: libMeasSpec,
		propSpec: newSpec(fieldSpec{name: "qInfo", kind: fAny}, st("qMeasure", libMeasSpec), st("qMetaDef", newSpec())),
		set:      func(l *library) *itemSet { return &l.meas }}
)

// normalize returns the properties as GetProperties shows them: the
// struct's keys in order with defaults, custom keys after.
func (k *itemKind) normalize(props *jsonObject) *jsonObject { return k.propSpec.normalize(props) }

// item returns the master item with this id, or nil.
func (a *app) item(k *itemKind, id string) *genericObject {
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	return k.set(&a.lib).get(id)
}

// items returns the master items of a kind in creation order.
func (a *app) items(k *itemKind) []*genericObject {
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	return k.set(&a.lib).list()
}

// validate checks master-item properties: the definition must be an
// object whose known keys have the right JSON types.
func (k *itemKind) validate(props *jsonObject) *Error {
	if v, ok := props.Get("qMetaDef"); ok && v != nil {
		if _, isObj := v.(*jsonObject); !isObj {
			return qerr(errInvalidParams, "qProp.qMetaDef must be an object, not %s", jsonKind(v))
		}
	}
	v, ok := props.Get(k.defKey)
	d, isObj := v.(*jsonObject)
	if !ok || !isObj {
		return qerr(errInvalidParams, "qProp.%s must be an object, not %s", k.defKey, jsonKind(v))
	}
	check := func(key string, want string, good func(any) bool) *Error {
		if v, ok := d.Get(key); ok && v != nil && !good(v) {
			return qerr(errInvalidParams, "qProp.%s.%s must be %s, not %s", k.defKey, key, want, jsonKind(v))
		}
		return nil
	}
	isStr := func(v any) bool { _, ok := v.(string); return ok }
	isStrs := func(v any) bool {
		a, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range a {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	isObjV := func(v any) bool { _, ok := v.(*jsonObject); return ok }
	isGrouping := func(v any) bool { _, ok := schema.enum("NxGrpType").parse(v); return ok }
	isInt := func(v any) bool { n, ok := v.(jsonNumber); _, isInt := n.int(); return ok && isInt }
	checks := []*Error{check("qGrouping", "N, H or C", isGrouping), check("qLabelExpression", "a string", isStr)}
	if k == dimKind {
		checks = append(checks, check("qFieldDefs", "an array of strings", isStrs),
			check("qFieldLabels", "an array of strings", isStrs), check("qAlias", "a string", isStr))
	} else {
		checks = append(checks, check("qDef", "a string", isStr), check("qLabel", "a string", isStr),
			check("qExpressions", "an array of strings", isStrs), check("qNumFormat", "an object", isObjV),
			check("qActiveExpression", "an integer", isInt))
	}
	for _, e := range checks {
		if e != nil {
			return e
		}
	}
	return nil
}

// classHandle returns the connection's handle for a library object of the
// given class, creating it.
func (c *Conn) classHandle(o *genericObject, class string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.objHandles[o]; ok {
		return h
	}
	h := c.newHandle(&handleEntry{class: class, obj: o})
	c.objHandles[o] = h
	return h
}

// classInterface is the ObjectInterface of a library object.
func classInterface(o *genericObject, class string, h int) *jsonObject {
	r := newObj(4)
	r.Set("qType", class)
	r.Set("qHandle", h)
	r.Set("qGenericType", o.typ)
	r.Set("qGenericId", o.id)
	return r
}

// nullInterface is the answer to a Get… of an unknown id: a qReturn with a
// null qType and qHandle, as GetObject answers.
func nullInterface() *jsonObject {
	r := newObj(2)
	r.Set("qType", nil)
	r.Set("qHandle", nil)
	return r
}

// prepareLibraryProps validates the properties of a new library object:
// qInfo as for generic objects, an empty qType defaulting to typ.
func prepareLibraryProps(props *jsonObject, typ string, taken func(string) bool) (*jsonObject, *Error) {
	p, qe := prepareProps(props, taken)
	if qe != nil {
		return nil, qe
	}
	if info := p.obj("qInfo"); info.str("qType") == "" {
		info.Set("qType", typ)
	}
	return p, nil
}

func docCreateItem(k *itemKind) handler {
	return func(c *call) error {
		props := c.obj("qProp")
		if c.bad() {
			return nil
		}
		if qe := k.validate(props); qe != nil {
			return qe
		}
		a := c.h.app
		a.lib.mu.Lock()
		set := k.set(&a.lib)
		p, qe := prepareLibraryProps(props, k.typ, func(id string) bool { return set.get(id) != nil })
		if qe != nil {
			a.lib.mu.Unlock()
			return qe
		}
		o := newGenericObject(p, a, nil)
		set.add(o)
		a.lib.mu.Unlock()
		h := c.conn.classHandle(o, k.class)
		c.ret(classInterface(o, k.class, h))
		c.out("qInfo", o.info())
		c.eff.extra = append(c.eff.extra, h)
		c.libraryChanged(a, k.listKey, o.id)
		return nil
	}
}

func docGetItem(k *itemKind) handler {
	return func(c *call) error {
		id := c.str("qId")
		if c.bad() {
			return nil
		}
		o := c.h.app.item(k, id)
		if o == nil {
			c.ret(nullInterface())
			return nil
		}
		c.ret(classInterface(o, k.class, c.conn.classHandle(o, k.class)))
		return nil
	}
}

func docDestroyItem(k *itemKind) handler {
	return func(c *call) error {
		id := c.str("qId")
		if c.bad() {
			return nil
		}
		a := c.h.app
		a.lib.mu.Lock()
		o := k.set(&a.lib).remove(id)
		a.lib.mu.Unlock()
		c.out("qSuccess", o != nil)
		if o != nil {
			c.eff.closed = append(c.eff.closed, o)
			c.libraryChanged(a, k.listKey, id)
		}
		return nil
	}
}

// libraryChanged marks as changed the objects that list library items of
// this kind (listKey) or refer to the item by qLibraryId, in every session
// of the app.
func (c *call) libraryChanged(a *app, listKey, id string) {
	c.touch(a.objectsWhere(func(p *jsonObject) bool {
		return hasKeyDeep(p, listKey) || refersToLibraryID(p, id)
	}))
}

// objectsWhere returns the app's persistent objects and the session objects
// of every session on the app whose properties satisfy pred.
func (a *app) objectsWhere(pred func(*jsonObject) bool) []*genericObject {
	var all []*genericObject
	a.mu.RLock()
	for _, id := range a.objOrder {
		all = append(all, a.objects[id])
	}
	a.mu.RUnlock()
	for _, s := range a.sessionList() {
		s.mu.Lock()
		for _, id := range s.objOrder {
			if o := s.objects[id]; o != nil {
				all = append(all, o)
			}
		}
		s.mu.Unlock()
	}
	out := all[:0]
	for _, o := range all {
		if pred(o.current()) {
			out = append(out, o)
		}
	}
	return out
}

// touch marks objects as changed: persistent objects and this session's
// objects through the call's effects; another session's objects by a push
// to that session's connections (the effects only reach a session object
// in the calling session).
func (c *call) touch(objs []*genericObject) {
	others := map[*Session][]*genericObject{}
	for _, o := range objs {
		if o.sess == nil || o.sess == c.s {
			c.eff.objs = append(c.eff.objs, o)
			continue
		}
		others[o.sess] = append(others[o.sess], o)
	}
	for s, os := range others {
		for _, cn := range s.connList() {
			if cn == c.conn {
				continue
			}
			cn.mu.Lock()
			var hs []int
			for _, o := range os {
				if h, ok := cn.objHandles[o]; ok {
					hs = append(hs, h)
				}
			}
			cn.mu.Unlock()
			if len(hs) > 0 {
				cn.send(appendPush(nil, sortedUnique(hs), nil))
			}
		}
	}
}

// hasKeyDeep reports whether key appears in v at any depth.
func hasKeyDeep(v any, key string) bool {
	switch x := v.(type) {
	case *jsonObject:
		for i, k := range x.keys {
			if k == key || hasKeyDeep(x.vals[i], key) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasKeyDeep(e, key) {
				return true
			}
		}
	}
	return false
}

// refersToLibraryID reports whether a qLibraryId in v names id.
func refersToLibraryID(v any, id string) bool {
	switch x := v.(type) {
	case *jsonObject:
		for i, k := range x.keys {
			if k == "qLibraryId" {
				if s, _ := x.vals[i].(string); s == id && id != "" {
					return true
				}
				continue
			}
			if refersToLibraryID(x.vals[i], id) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if refersToLibraryID(e, id) {
				return true
			}
		}
	}
	return false
}

// mentions reports whether a string value in v (object keys and qInfo
// aside) contains one of the words as a whole word: not preceded or
// followed by a letter, digit or underscore.
func mentions(v any, words ...string) bool {
	switch x := v.(type) {
	case string:
		for _, w := range words {
			if w != "" && containsWord(x, w) {
				return true
			}
		}
	case *jsonObject:
		for i, k := range x.keys {
			if k != "qInfo" && mentions(x.vals[i], words...) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if mentions(e, words...) {
				return true
			}
		}
	}
	return false
}

// containsWord reports whether w occurs in s as a whole word.
func containsWord(s, w string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(w)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		off = i + 1
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

// itemLayout is the GenericDimensionLayout or GenericMeasureLayout of a
// master item: the keys of the layout struct in its order, then the custom
// keys computed like a generic object's.
func itemLayout(c *call, k *itemKind, o *genericObject) (*jsonObject, error) {
	props := o.current()
	l := newObj(props.Len() + 2)
	l.Set("qInfo", o.info())
	meta := newObj(1)
	if md := props.obj("qMetaDef"); md != nil {
		meta = clone(md).(*jsonObject)
	}
	meta.Set("privileges", privileges)
	def := k.defSpec.normalize(objOrEmpty(props.obj(k.defKey)))
	if k == dimKind {
		l.Set("qMeta", meta)
		l.Set("qDim", def)
		l.Set("qDimInfos", dimInfos(o.app.model(), def))
	} else {
		l.Set("qMeasure", def)
		l.Set("qMeta", meta)
	}
	return l, customKeys(c, l, props, "qInfo", "qMetaDef", k.defKey)
}

// customKeys adds the keys of props other than skip to the layout l,
// computed like a generic object's (definitions replaced by their layouts).
func customKeys(c *call, l, props *jsonObject, skip ...string) error {
	var lc *layoutCtx
	for i, k := range props.keys {
		if slices.Contains(skip, k) {
			continue
		}
		if lc == nil {
			var err error
			if lc, err = c.layoutCtx(); err != nil {
				return err
			}
		}
		if err := walkKey(lc, l, k, props.vals[i], "", engine.DefaultState); err != nil {
			return err
		}
	}
	return nil
}

func objOrEmpty(o *jsonObject) *jsonObject {
	if o == nil {
		return newObj(0)
	}
	return o
}

// dimInfos are the GenericDimensionInfo of a master dimension: per field
// definition, the field's longest text, cardinal and tags (zero values for
// a field the model lacks or a calculated dimension).
func dimInfos(mi *modelInfo, dim *jsonObject) []any {
	out := []any{}
	for _, v := range dim.arr("qFieldDefs") {
		def, _ := v.(string)
		info := newObj(3)
		f := lookupField(mi.m, def)
		if f == nil {
			info.Set("qApprMaxGlyphCount", 0)
			info.Set("qCardinal", 0)
			info.Set("qTags", []string{})
		} else {
			info.Set("qApprMaxGlyphCount", mi.facts(f).glyphs)
			info.Set("qCardinal", f.Cardinal())
			info.Set("qTags", tagsOf(f))
		}
		out = append(out, info)
	}
	return out
}

// lookupField finds a field by name, a name in brackets accepted.
func lookupField(m *engine.Model, name string) *engine.Field {
	if f, err := m.Field(name); err == nil {
		return f
	}
	if len(name) > 2 && name[0] == '[' && name[len(name)-1] == ']' {
		if f, err := m.Field(name[1 : len(name)-1]); err == nil {
			return f
		}
	}
	return nil
}

func itemGetLayout(k *itemKind) handler {
	return func(c *call) error {
		l, err := itemLayout(c, k, c.h.obj)
		if err != nil {
			return err
		}
		c.out("qLayout", l)
		return nil
	}
}

func itemGetDef(k *itemKind) handler {
	out := "qDim"
	if k == measKind {
		out = "qMeasure"
	}
	return func(c *call) error {
		c.out(out, k.defSpec.normalize(objOrEmpty(c.h.obj.current().obj(k.defKey))))
		return nil
	}
}

// setItem installs new properties on a master item and changes it and
// its users.
func (c *call) setItem(k *itemKind, o *genericObject, props *jsonObject) error {
	if qe := k.validate(props); qe != nil {
		return qe
	}
	o.setProperties(props)
	c.eff.objs = append(c.eff.objs, o)
	c.libraryChanged(o.app, k.listKey, o.id)
	return nil
}

func itemSetProperties(k *itemKind) handler {
	return func(c *call) error {
		props := c.obj("qProp")
		if c.bad() {
			return nil
		}
		return c.setItem(k, c.h.obj, props)
	}
}

func itemApplyPatches(k *itemKind) handler {
	return func(c *call) error {
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
		return c.setItem(k, c.h.obj, props)
	}
}

// itemGetLinkedObjects lists the app's persistent objects that use the
// master item (NxLinkedObjectInfo: the object and its root).
func itemGetLinkedObjects(c *call) error {
	o := c.h.obj
	a := o.app
	items := []any{}
	for _, u := range a.objectsWhere(func(p *jsonObject) bool { return refersToLibraryID(p, o.id) }) {
		if u.app == nil {
			continue // session objects are not linked objects
		}
		it := newObj(2)
		it.Set("qRootId", a.root(u).id)
		it.Set("qInfo", u.info())
		items = append(items, it)
	}
	c.out("qItems", items)
	return nil
}

// resolveCubeLibrary returns the hypercube definition with the dimensions
// and measures that name a master item (qLibraryId) defined by it: the
// master dimension's field definitions, labels, grouping, label expression
// and alias, the master measure's definition, label, format, grouping and
// expressions, over what the inline qDef holds (its sort criteria ...).
// An unknown id leaves the entry without qDef, which the cube reports as
// error 7001. d itself is not modified.
func resolveCubeLibrary(a *app, d *jsonObject) *jsonObject {
	if a == nil || d == nil || !refersToAnyLibrary(d) {
		return d
	}
	out := clone(d).(*jsonObject)
	for _, v := range out.arr("qDimensions") {
		if dim, ok := v.(*jsonObject); ok {
			resolveEntry(a, dimKind, dim)
		}
	}
	for _, v := range out.arr("qMeasures") {
		if ms, ok := v.(*jsonObject); ok {
			resolveEntry(a, measKind, ms)
		}
	}
	return out
}

// resolveListLibrary does the same for a list object definition, whose
// qLibraryId names a master dimension.
func resolveListLibrary(a *app, d *jsonObject) *jsonObject {
	if a == nil || d == nil || d.str("qLibraryId") == "" {
		return d
	}
	out := clone(d).(*jsonObject)
	resolveEntry(a, dimKind, out)
	if out.obj("qDef") == nil {
		// unknown id: no field, so the list reports 7001
		out.Set("qDef", newObj(1).Set("qFieldDefs", []any{}))
	}
	return out
}

// libraryKeys are the keys a master item supplies to an inline definition.
var libraryKeys = map[*itemKind][]string{
	dimKind:  {"qGrouping", "qFieldDefs", "qFieldLabels", "qLabelExpression", "qAlias"},
	measKind: {"qDef", "qLabel", "qGrouping", "qExpressions", "qActiveExpression", "qLabelExpression", "qNumFormat"},
}

// resolveEntry fills the qDef of one NxDimension, NxMeasure or
// ListObjectDef (modified in place) from the master item it names.
func resolveEntry(a *app, k *itemKind, entry *jsonObject) {
	id := entry.str("qLibraryId")
	if id == "" {
		return
	}
	o := a.item(k, id)
	if o == nil {
		entry.Delete("qDef")
		return
	}
	master := o.current().obj(k.defKey)
	def := entry.obj("qDef")
	if def == nil {
		def = newObj(4)
	}
	for _, key := range libraryKeys[k] {
		if v, ok := master.Get(key); ok {
			def.Set(key, clone(v))
		} else if k == dimKind || key != "qNumFormat" {
			def.Delete(key)
		}
	}
	entry.Set("qDef", def)
}

// refersToAnyLibrary reports whether a cube definition has an entry with a
// qLibraryId.
func refersToAnyLibrary(d *jsonObject) bool {
	for _, key := range []string{"qDimensions", "qMeasures"} {
		for _, v := range d.arr(key) {
			if e, ok := v.(*jsonObject); ok && e.str("qLibraryId") != "" {
				return true
			}
		}
	}
	return false
}

// libraryCube is the qHyperCubeDef computer with master items resolved and
// their ids reported in qDimensionInfo/qMeasureInfo (qLibraryId).
func libraryCube(lc *layoutCtx, def any, path, state string) (any, error) {
	d, ok := def.(*jsonObject)
	if !ok {
		return computeHyperCube(lc, def, path, state)
	}
	res, err := computeHyperCube(lc, resolveCubeLibrary(lc.app, d), path, state)
	if err != nil {
		return nil, err
	}
	if out, ok := res.(*jsonObject); ok {
		markLibraryIDs(out.arr("qDimensionInfo"), d.arr("qDimensions"))
		markLibraryIDs(out.arr("qMeasureInfo"), d.arr("qMeasures"))
	}
	return res, nil
}

// libraryList is the qListObjectDef computer with a master dimension
// resolved.
func libraryList(lc *layoutCtx, def any, path, state string) (any, error) {
	d, ok := def.(*jsonObject)
	if !ok {
		return computeListObject(lc, def, path, state)
	}
	res, err := computeListObject(lc, resolveListLibrary(lc.app, d), path, state)
	if err != nil {
		return nil, err
	}
	if id := d.str("qLibraryId"); id != "" {
		if out, ok := res.(*jsonObject); ok {
			if di := out.obj("qDimensionInfo"); di != nil {
				di.Set("qLibraryId", id)
			}
		}
	}
	return res, nil
}

// markLibraryIDs copies each entry's qLibraryId into its info object.
func markLibraryIDs(infos, entries []any) {
	for i, v := range entries {
		e, _ := v.(*jsonObject)
		if i >= len(infos) || e.str("qLibraryId") == "" {
			continue
		}
		if info, ok := infos[i].(*jsonObject); ok {
			info.Set("qLibraryId", e.str("qLibraryId"))
		}
	}
}

// libraryEntries returns the snapshot form of the master dimensions and
// measures (their properties) and of the bookmarks (bookmark.entry).
func (a *app) libraryEntries() (dims, meas, bms [][]byte) {
	for _, o := range a.items(dimKind) {
		dims = append(dims, encode(o.properties()))
	}
	for _, o := range a.items(measKind) {
		meas = append(meas, encode(o.properties()))
	}
	for _, b := range a.bookmarkList() {
		bms = append(bms, b.entry())
	}
	return dims, meas, bms
}

// loadLibrary creates the master items and bookmarks of a snapshot.
func (a *app) loadLibrary(s *AppSnapshot) error {
	for _, part := range []struct {
		k    *itemKind
		list [][]byte
	}{{dimKind, s.Dimensions}, {measKind, s.Measures}} {
		set := part.k.set(&a.lib)
		for i, raw := range part.list {
			v, err := parseJSON(raw)
			if err != nil {
				return fmt.Errorf("%s %d: %w", strings.ToLower(part.k.noun), i, err)
			}
			props, ok := v.(*jsonObject)
			if !ok {
				return fmt.Errorf("%s %d is not a JSON object", strings.ToLower(part.k.noun), i)
			}
			if qe := part.k.validate(props); qe != nil {
				return fmt.Errorf("%s %d: %s", strings.ToLower(part.k.noun), i, qe.Parameter)
			}
			o := newGenericObject(props, a, nil)
			if o.id == "" || set.get(o.id) != nil {
				return fmt.Errorf("%s %d has a missing or duplicate id %q", strings.ToLower(part.k.noun), i, o.id)
			}
			set.add(o)
		}
	}
	for i, raw := range s.Bookmarks {
		b, err := a.loadBookmark(raw)
		if err != nil {
			return fmt.Errorf("bookmark %d: %w", i, err)
		}
		if a.lib.bms.byID[b.obj.id] != nil {
			return fmt.Errorf("bookmark %d has a duplicate id %q", i, b.obj.id)
		}
		a.lib.bms.add(b)
	}
	return nil
}

// libraryDef is the computer of qNxLibraryDimensionDef and
// qNxLibraryMeasureDef.
func libraryDef(k *itemKind) func(lc *layoutCtx, def any, path, state string) (any, error) {
	return func(lc *layoutCtx, def any, path, state string) (any, error) {
		d, ok := def.(*jsonObject)
		if !ok {
			return clone(def), nil
		}
		return k.defSpec.normalize(d), nil
	}
}
