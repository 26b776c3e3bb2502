package qix

import (
	"slices"
)

func init() {
	registerDef("qFieldListDef", &defComputer{layoutKey: "qFieldList", compute: computeFieldList})
	registerDef("qAppObjectListDef", &defComputer{layoutKey: "qAppObjectList", compute: computeAppObjectList})
}

// computeFieldList is the qFieldListDef computer: the fields of the data
// model. System fields ($Table ...) are listed only with qShowSystem and
// synthetic keys only with qShowHidden; both are marked hidden.
func computeFieldList(lc *layoutCtx, def any, path, state string) (any, error) {
	d, _ := def.(*jsonObject)
	showSystem, showHidden := d.boolean("qShowSystem"), d.boolean("qShowHidden")
	items := []any{}
	for _, f := range lc.mi.m.Fields() {
		hidden := f.System || f.Synthetic
		if (f.System && !showSystem) || (f.Synthetic && !showHidden) {
			continue
		}
		it := newObj(6)
		it.Set("qName", f.Name)
		if f.System {
			it.Set("qIsSystem", true)
		}
		if hidden {
			it.Set("qIsHidden", true)
		}
		it.Set("qCardinal", f.Cardinal())
		it.Set("qTags", tagsOf(f))
		items = append(items, it)
	}
	out := newObj(1)
	out.Set("qItems", items)
	return out, nil
}

// computeAppObjectList is the qAppObjectListDef computer: the app's
// persistent objects of type qType, each with qInfo, qMeta (its qMetaDef)
// and qData (the values the definition's JSON pointers select).
func computeAppObjectList(lc *layoutCtx, def any, path, state string) (any, error) {
	d, _ := def.(*jsonObject)
	typ := d.str("qType")
	data := d.obj("qData")
	a := lc.app
	a.mu.RLock()
	objs := make([]*genericObject, 0, len(a.objOrder))
	for _, id := range a.objOrder {
		if o := a.objects[id]; o.typ == typ {
			objs = append(objs, o)
		}
	}
	a.mu.RUnlock()
	items := []any{}
	for _, o := range objs {
		props := o.current()
		it := newObj(3)
		it.Set("qInfo", o.info())
		meta := newObj(1)
		if md := props.obj("qMetaDef"); md != nil {
			meta = clone(md).(*jsonObject)
		}
		meta.Set("privileges", privileges)
		it.Set("qMeta", meta)
		it.Set("qData", selectData(props, data))
		items = append(items, it)
	}
	out := newObj(1)
	out.Set("qItems", items)
	return out, nil
}

// selectData resolves the JSON pointers of a qData map in props; a pointer
// that selects nothing gives null.
func selectData(props, data *jsonObject) *jsonObject {
	out := newObj(data.Len())
	if data == nil {
		return out
	}
	for i, k := range data.keys {
		ptr, _ := data.vals[i].(string)
		v, _, _, ok := resolveDef(props, ptr)
		if !ok || ptr == "" {
			out.Set(k, nil)
			continue
		}
		out.Set(k, clone(v))
	}
	return out
}

// listsAppObjects reports whether props lists app objects, so that object
// creation and deletion change it.
func listsAppObjects(props *jsonObject) bool {
	found := false
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case *jsonObject:
			if slices.Contains(x.keys, "qAppObjectListDef") {
				found = true
				return
			}
			for _, e := range x.vals {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(props)
	return found
}
