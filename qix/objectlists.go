package qix

import (
	"slices"
	"strings"
)

// Object lists (protocol §6.2, §7.5): the list definitions a generic
// object may hold — qDimensionListDef, qMeasureListDef, qBookmarkListDef,
// qVariableListDef, qMediaListDef — and the Doc methods that list objects:
// GetObjects, GetAllInfos, GetMediaList. A list item's qData holds the
// values its JSON pointers select in the listed object's layout
// ("/qDimInfos", "/qMeasure/qDef", "/title" ...).

func init() {
	registerDef("qDimensionListDef", &defComputer{layoutKey: "qDimensionList", compute: itemList(dimKind)})
	registerDef("qMeasureListDef", &defComputer{layoutKey: "qMeasureList", compute: itemList(measKind)})
	registerDef("qBookmarkListDef", &defComputer{layoutKey: "qBookmarkList", compute: computeBookmarkList})
	registerDef("qVariableListDef", &defComputer{layoutKey: "qVariableList", compute: computeVariableList})
	registerDef("qMediaListDef", &defComputer{layoutKey: "qMediaList", compute: computeMediaList})
	register("Doc", map[string]handler{
		"GetObjects":   docGetObjects,
		"GetMediaList": docGetMediaList,
	})
	// Doc methods of docmethods.go extended here: this file initialises
	// after it (a package's files initialise in name order), and wrap
	// panics if it ever did not.
	wrap("Doc", "DestroyObject", wrapDestroy(false))
	wrap("Doc", "DestroySessionObject", wrapDestroy(true))
	wrap("Doc", "GetAllInfos", func(handler) handler { return docGetAllInfosEx })
}

// wrap replaces the handler of class.method by f of it.
func wrap(class, method string, f func(next handler) handler) {
	h := handlers[class][method]
	if h == nil {
		panic("BUG: no " + class + "." + method + " handler to extend: initialisation order changed")
	}
	handlers[class][method] = f(h)
}

// itemLayoutSource is what qData pointers resolve in for a master item:
// its properties with the normalised definition and, for a dimension, the
// qDimInfos of its layout.
func itemLayoutSource(k *itemKind, o *genericObject) *jsonObject {
	props := o.current()
	src := clone(props).(*jsonObject)
	def := k.defSpec.normalize(objOrEmpty(props.obj(k.defKey)))
	src.Set(k.defKey, def)
	if k == dimKind {
		src.Set("qDimInfos", dimInfos(o.app.model(), def))
	}
	return src
}

// itemList is the computer of qDimensionListDef and qMeasureListDef: the
// master items of the definition's qType (all when it is empty).
func itemList(k *itemKind) func(lc *layoutCtx, def any, path, state string) (any, error) {
	return func(lc *layoutCtx, def any, path, state string) (any, error) {
		d, _ := def.(*jsonObject)
		typ, data := d.str("qType"), d.obj("qData")
		items := []any{}
		for _, o := range lc.app.items(k) {
			if typ != "" && o.typ != typ {
				continue
			}
			items = append(items, containerEntry(o.info(), o.current(), selectData(itemLayoutSource(k, o), data)))
		}
		return newObj(1).Set("qItems", items), nil
	}
}

// computeBookmarkList is the qBookmarkListDef computer.
func computeBookmarkList(lc *layoutCtx, def any, path, state string) (any, error) {
	d, _ := def.(*jsonObject)
	typ, data := d.str("qType"), d.obj("qData")
	items := []any{}
	for _, b := range lc.app.bookmarkList() {
		if typ != "" && b.obj.typ != typ {
			continue
		}
		items = append(items, containerEntry(b.obj.info(), b.obj.current(), selectData(b.layoutSource(), data)))
	}
	return newObj(1).Set("qItems", items), nil
}

// computeMediaList is the qMediaListDef computer: the engine has no media
// library, so the list is empty.
func computeMediaList(lc *layoutCtx, def any, path, state string) (any, error) {
	return newObj(1).Set("qItems", []any{}), nil
}

func docGetMediaList(c *call) error {
	c.out("qList", newObj(1).Set("qItems", []any{}))
	c.ret(true)
	return nil
}

// reservedVariables are the script variables Qlik reserves (number
// interpretation, script error and control variables); the variable list
// shows them only with qShowReserved.
var reservedVariables = map[string]bool{
	"ThousandSep": true, "DecimalSep": true, "MoneyThousandSep": true, "MoneyDecimalSep": true,
	"MoneyFormat": true, "TimeFormat": true, "DateFormat": true, "TimestampFormat": true,
	"MonthNames": true, "LongMonthNames": true, "DayNames": true, "LongDayNames": true,
	"FirstWeekDay": true, "BrokenWeeks": true, "ReferenceDay": true, "FirstMonthOfYear": true,
	"CollationLocale": true, "NumericalAbbreviation": true, "CreateSearchIndexOnReload": true,
	"ScriptError": true, "ScriptErrorCount": true, "ScriptErrorList": true, "ScriptErrorDetails": true,
	"ErrorMode": true, "HidePrefix": true, "HideSuffix": true, "NullDisplay": true,
	"NullInterpret": true, "NullValue": true, "OtherSymbol": true, "StripComments": true,
	"Verbatim": true, "OpenUrlTimeout": true, "Floppy": true, "CD": true, "Include": true,
	"MustInclude": true, "QvPath": true, "QvRoot": true, "QvWorkPath": true, "QvWorkRoot": true,
	"WinPath": true, "WinRoot": true,
}

// configVariables are the system variables among them (qIsConfig): set by
// the engine, not by the user.
var configVariables = map[string]bool{
	"QvPath": true, "QvRoot": true, "QvWorkPath": true, "QvWorkRoot": true, "WinPath": true,
	"WinRoot": true, "Floppy": true, "CD": true, "ScriptError": true, "ScriptErrorCount": true,
	"ScriptErrorList": true, "ScriptErrorDetails": true,
}

// computeVariableList is the qVariableListDef computer: the app's
// variables, the script's of the last reload (reserved and system ones
// with qShowReserved / qShowConfig) and, with qShowSession, the session's,
// sorted by name. A user variable hides a script variable of its name.
func computeVariableList(lc *layoutCtx, def any, path, state string) (any, error) {
	d, _ := def.(*jsonObject)
	typ, data := d.str("qType"), d.obj("qData")
	showReserved, showConfig, showSession := d.boolean("qShowReserved"), d.boolean("qShowConfig"), d.boolean("qShowSession")
	type entry struct {
		o                 *genericObject
		props             *jsonObject
		reserved, config  bool
		script, isSession bool
	}
	var list []entry
	names := map[string]bool{}
	a := lc.app
	a.mu.RLock()
	for _, o := range a.vars {
		list = append(list, entry{o: o})
	}
	script := make(map[string]string, len(a.variables))
	for k, v := range a.variables {
		script[k] = v
	}
	a.mu.RUnlock()
	if showSession {
		lc.s.mu.Lock()
		for _, o := range lc.s.vars {
			list = append(list, entry{o: o, isSession: true})
		}
		lc.s.mu.Unlock()
	}
	for i := range list {
		list[i].props = list[i].o.current()
		names[list[i].props.str("qName")] = true
	}
	for name, text := range script {
		if names[name] {
			continue
		}
		p := newObj(6)
		p.Set("qInfo", newObj(2).Set("qId", "script:"+name).Set("qType", variableType))
		p.Set("qMetaDef", newObj(0))
		p.Set("qName", name)
		p.Set("qComment", "")
		p.Set("qDefinition", text)
		p.Set("qIsScriptCreated", true)
		list = append(list, entry{props: p, script: true, reserved: reservedVariables[name], config: configVariables[name]})
	}
	slices.SortFunc(list, func(x, y entry) int { return strings.Compare(x.props.str("qName"), y.props.str("qName")) })
	items := []any{}
	for _, e := range list {
		info := e.props.obj("qInfo")
		if (typ != "" && info.str("qType") != typ) || (e.config && !showConfig) || (e.reserved && !e.config && !showReserved) {
			continue
		}
		it := newObj(9)
		it.Set("qName", e.props.str("qName"))
		if c := e.props.str("qComment"); c != "" {
			it.Set("qDescription", c)
		}
		it.Set("qDefinition", e.props.str("qDefinition"))
		if e.config {
			it.Set("qIsConfig", true)
		}
		if e.reserved {
			it.Set("qIsReserved", true)
		}
		meta := newObj(1)
		if md := e.props.obj("qMetaDef"); md != nil {
			meta = clone(md).(*jsonObject)
		}
		meta.Set("privileges", privileges)
		it.Set("qMeta", meta)
		it.Set("qInfo", newObj(2).Set("qId", info.str("qId")).Set("qType", info.str("qType")))
		it.Set("qData", selectData(e.props, data))
		if e.script {
			it.Set("qIsScriptCreated", true)
		}
		items = append(items, it)
	}
	return newObj(1).Set("qItems", items), nil
}

// docGetObjects lists the app's objects (children included) of the types
// asked for, and with qIncludeSessionObjects the session's objects, as
// NxContainerEntry with qData resolved in each object's properties.
func docGetObjects(c *call) error {
	opts := c.obj("qOptions")
	if c.bad() {
		return nil
	}
	types := typeFilter(opts.arr("qTypes"))
	data := opts.obj("qData")
	var objs []*genericObject
	a := c.h.app
	a.mu.RLock()
	for _, id := range a.objOrder {
		objs = append(objs, a.objects[id])
	}
	a.mu.RUnlock()
	if opts.boolean("qIncludeSessionObjects") {
		c.s.mu.Lock()
		for _, id := range c.s.objOrder {
			if o := c.s.objects[id]; o != nil {
				objs = append(objs, o)
			}
		}
		c.s.mu.Unlock()
	}
	list := []any{}
	for _, o := range objs {
		if types(o.typ) {
			props := o.current()
			list = append(list, containerEntry(o.info(), props, selectData(props, data)))
		}
	}
	c.out("qList", list)
	return nil
}

// docGetAllInfosEx lists every persistent object of the app: generic
// objects (children included), master dimensions and measures, bookmarks
// and the app's variables (by name).
func docGetAllInfosEx(c *call) error {
	a := c.h.app
	var infos []any
	var vars []*genericObject
	a.mu.RLock()
	for _, id := range a.objOrder {
		infos = append(infos, a.objects[id].info())
	}
	for _, o := range a.vars {
		vars = append(vars, o)
	}
	a.mu.RUnlock()
	for _, k := range []*itemKind{dimKind, measKind} {
		for _, o := range a.items(k) {
			infos = append(infos, o.info())
		}
	}
	for _, b := range a.bookmarkList() {
		infos = append(infos, b.obj.info())
	}
	slices.SortFunc(vars, func(x, y *genericObject) int {
		return strings.Compare(x.current().str("qName"), y.current().str("qName"))
	})
	for _, o := range vars {
		infos = append(infos, o.info())
	}
	if infos == nil {
		infos = []any{}
	}
	c.out("qInfos", infos)
	return nil
}
