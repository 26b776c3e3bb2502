package qix

import (
	"errors"

	"github.com/assocengine/assoc/engine"
)

func init() {
	register("GenericObject", map[string]handler{
		"GetLayout":                   objGetLayout,
		"GetProperties":               objGetProperties,
		"GetEffectiveProperties":      objGetEffectiveProperties,
		"ApplyPatches":                objApplyPatches,
		"ClearSoftPatches":            objClearSoftPatches,
		"SetProperties":               objSetProperties,
		"GetInfo":                     func(c *call) error { c.out("qInfo", c.h.obj.info()); return nil },
		"GetListObjectData":           objGetListObjectData,
		"SelectListObjectValues":      objSelectListObjectValues,
		"SelectListObjectAll":         objListSoftLockOp((*engine.Session).SelectAll),
		"SelectListObjectPossible":    objListSoftLockOp((*engine.Session).SelectPossible),
		"SelectListObjectExcluded":    objListSoftLockOp((*engine.Session).SelectExcluded),
		"SelectListObjectAlternative": objListSoftLockOp((*engine.Session).SelectAlternative),
		"ClearSelections":             objListColumnsOp("ClearSelections", (*engine.Session).Clear),
		"Lock":                        objListColumnsOp("Lock", (*engine.Session).Lock),
		"Unlock":                      objListColumnsOp("Unlock", (*engine.Session).Unlock),
		"BeginSelections":             objBeginSelections,
		"EndSelections":               objEndSelections,
		"ResetMadeSelections":         func(c *call) error { return c.resetModal(c.h.obj) },
	})
}

// current returns the object's properties; property trees are replaced as
// a whole on change and never modified in place, so no copy is needed.
func (o *genericObject) current() *jsonObject {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.props
}

func objGetLayout(c *call) error {
	lc, err := c.layoutCtx()
	if err != nil {
		return err
	}
	props, soft := c.s.effective(c.h.obj)
	l, err := layout(lc, props)
	if err != nil {
		return err
	}
	if soft {
		l.Set("qHasSoftPatches", true)
	}
	c.out("qLayout", l)
	return nil
}

func (c *call) layoutCtx() (*layoutCtx, error) {
	es, mi, err := c.s.selections()
	if err != nil {
		return nil, err
	}
	return &layoutCtx{ctx: c.ctx, s: c.s, app: c.s.doc(), es: es, mi: mi, obj: c.h.obj, modal: c.s.modalState()}, nil
}

func objGetProperties(c *call) error {
	c.out("qProp", normalizeProperties(c.h.obj.current()))
	return nil
}

func objGetEffectiveProperties(c *call) error {
	props, _ := c.s.effective(c.h.obj)
	c.out("qProp", normalizeProperties(props))
	return nil
}

func objApplyPatches(c *call) error {
	ps := c.objs("qPatches")
	soft := c.boolean("qSoftPatch")
	if c.bad() {
		return nil
	}
	patches, qe := parsePatches(ps)
	if qe != nil {
		return qe
	}
	o := c.h.obj
	if !soft {
		props, qe := applyPatches(o.current(), patches)
		if qe != nil {
			return qe
		}
		o.setProperties(props)
		c.eff.objs = append(c.eff.objs, o)
		if o.app != nil {
			c.eff.appObjs = o.app
		}
		return nil
	}
	s := c.s
	s.mu.Lock()
	var all []patch
	if ss := s.soft[o]; ss != nil {
		all = append(all, ss.patches...)
	}
	s.mu.Unlock()
	all = append(all, patches...)
	props, qe := applyPatches(o.current(), all)
	if qe != nil {
		return qe
	}
	s.mu.Lock()
	s.soft[o] = &softState{patches: all, deps: computeDeps(props)}
	s.mu.Unlock()
	c.eff.softObjs = append(c.eff.softObjs, o)
	return nil
}

func objClearSoftPatches(c *call) error {
	s, o := c.s, c.h.obj
	s.mu.Lock()
	_, had := s.soft[o]
	delete(s.soft, o)
	s.mu.Unlock()
	if had {
		c.eff.softObjs = append(c.eff.softObjs, o)
	}
	return nil
}

func objSetProperties(c *call) error {
	props := c.obj("qProp")
	if c.bad() {
		return nil
	}
	o := c.h.obj
	o.setProperties(props)
	c.eff.objs = append(c.eff.objs, o)
	if o.app != nil {
		c.eff.appObjs = o.app
	}
	return nil
}

// listAt returns the list object definition at path in the object.
func (c *call) listAt(path string) (*listDef, error) {
	props, _ := c.s.effective(c.h.obj)
	v, state, last, ok := resolveDef(props, path)
	d, isObj := v.(*jsonObject)
	if !ok || !isObj || last != "qListObjectDef" {
		return nil, qerr(errInvalidPath, "no qListObjectDef at %q", path)
	}
	ld := parseListDef(resolveListLibrary(c.s.doc(), d), state) // master items: masteritems.go
	if ld.state != engine.DefaultState {
		if err := c.checkState(ld.state); err != nil {
			return nil, err
		}
	}
	return ld, nil
}

func objGetListObjectData(c *call) error {
	path := c.str("qPath")
	pages := parsePages(toAnySlice(c.objs("qPages")))
	if c.bad() {
		return nil
	}
	ld, err := c.listAt(path)
	if err != nil {
		return err
	}
	lc, err := c.layoutCtx()
	if err != nil {
		return err
	}
	lo, le := computeList(lc, ld)
	if le != nil {
		c.out("qDataPages", []any{})
		return nil
	}
	out, qe := listPages(nil, lo, ld, pages)
	if qe != nil {
		return qe
	}
	c.out("qDataPages", rawJSON(out))
	return nil
}

func toAnySlice(objs []*jsonObject) []any {
	out := make([]any, len(objs))
	for i, o := range objs {
		out[i] = o
	}
	return out
}

// listSelect runs a selection on the field of the list object at path and
// sets qSuccess. A field that does not exist or a selection that cannot be
// made answers false.
func (c *call) listSelect(path string, fn func(es *engine.Session, ld *listDef) (bool, error)) error {
	if c.bad() {
		return nil
	}
	ld, err := c.listAt(path)
	if err != nil {
		return err
	}
	ok, err := c.selOp(checkModal(c.h.obj), func(es *engine.Session) (bool, error) { return fn(es, ld) })
	if err != nil {
		var qe *Error
		if errors.As(err, &qe) {
			return err
		}
		c.e.log.Debug("list object selection failed", "field", ld.field, "err", err)
		ok = false
	}
	c.out("qSuccess", ok)
	return nil
}

func objSelectListObjectValues(c *call) error {
	path := c.str("qPath")
	elems := c.ints("qValues")
	toggle := c.boolean("qToggleMode")
	soft := c.boolean("qSoftLock")
	return c.listSelect(path, func(es *engine.Session, ld *listDef) (bool, error) {
		f, err := es.Model().Field(ld.field)
		if err != nil {
			return false, err
		}
		valid := elems[:0:0]
		for _, e := range elems {
			if e >= 0 && e < f.Cardinal() {
				valid = append(valid, e)
			}
		}
		if len(elems) > 0 && len(valid) == 0 {
			return false, nil
		}
		return es.SelectElements(ld.state, f.Name, valid, toggle, soft)
	})
}

func objListSoftLockOp(m func(*engine.Session, string, string, bool) (bool, error)) handler {
	return func(c *call) error {
		path := c.str("qPath")
		soft := c.boolean("qSoftLock")
		return c.listSelect(path, func(es *engine.Session, ld *listDef) (bool, error) {
			return m(es, ld.state, ld.field, soft)
		})
	}
}

// objListColumnsOp adapts ClearSelections, Lock and Unlock of a list
// object (qColIndices does not apply to the list's one column).
func objListColumnsOp(name string, m func(*engine.Session, string, string) (bool, error)) handler {
	return func(c *call) error {
		path := c.str("qPath")
		if v := c.arg("qColIndices"); v != nil {
			c.ints("qColIndices")
		}
		err := c.listSelect(path, func(es *engine.Session, ld *listDef) (bool, error) {
			return m(es, ld.state, ld.field)
		})
		c.res = nil // these methods return {}
		return err
	}
}

func objBeginSelections(c *call) error {
	paths := c.strs("qPaths")
	if c.bad() {
		return nil
	}
	for _, p := range paths {
		if _, _, _, ok := resolveDef(c.h.obj.current(), p); !ok {
			return qerr(errInvalidPath, "no definition at %q", p)
		}
	}
	return c.beginModal(c.h.obj, paths)
}

func objEndSelections(c *call) error {
	accept := c.boolean("qAccept")
	if c.bad() {
		return nil
	}
	return c.endModal(c.h.obj, accept)
}
