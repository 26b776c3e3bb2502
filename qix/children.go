package qix

import (
	"fmt"
	"slices"
)

// Children and property trees (protocol §6.1): a generic object may have
// child objects, persistent when the parent is, each a full generic object
// that GetObject finds by id. The parent links live in the app's library;
// children are listed by qChildListDef, GetChildInfos and
// GetFullPropertyTree, replaced as a tree by SetFullPropertyTree, and go
// with their parent: destroying an object destroys its descendants and
// closes their handles. In a snapshot a root object with children is
// stored as a GenericObjectEntry ({"qProperty", "qChildren"}), one without
// as its plain properties.

func init() {
	register("GenericObject", map[string]handler{
		"CreateChild":         objCreateChild,
		"DestroyChild":        objDestroyChild,
		"DestroyAllChildren":  objDestroyAllChildren,
		"GetChildInfos":       objGetChildInfos,
		"GetChild":            objGetChild,
		"GetParent":           objGetParent,
		"SetChildArrayOrder":  objSetChildArrayOrder,
		"GetFullPropertyTree": objGetFullPropertyTree,
		"SetFullPropertyTree": objSetFullPropertyTree,
	})
	registerDef("qChildListDef", &defComputer{layoutKey: "qChildList", compute: computeChildList})
}

// treeApp is the app whose library holds o's parent links.
func treeApp(o *genericObject) *app {
	if o.app != nil {
		return o.app
	}
	if o.sess != nil {
		return o.sess.doc()
	}
	return nil
}

// parentOf returns o's parent, or nil for a root object.
func (a *app) parentOf(o *genericObject) *genericObject {
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	return a.lib.parent[o]
}

// childrenOf returns o's children in order.
func (a *app) childrenOf(o *genericObject) []*genericObject {
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	return slices.Clone(a.lib.kids[o])
}

// root returns the root ancestor of o (o itself for a root object).
func (a *app) root(o *genericObject) *genericObject {
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	for depth := 0; ; depth++ {
		p := a.lib.parent[o]
		if p == nil || depth > 1_000_000 {
			return o
		}
		o = p
	}
}

// descendants returns the children of o, their children and so on,
// parents before their children.
func (a *app) descendants(o *genericObject) []*genericObject {
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	var out []*genericObject
	seen := map[*genericObject]bool{o: true}
	queue := []*genericObject{o}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range a.lib.kids[p] {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
				queue = append(queue, k)
			}
		}
	}
	return out
}

// link makes child the last child of parent.
func (a *app) link(parent, child *genericObject) {
	a.sweepTree()
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	if a.lib.parent == nil {
		a.lib.parent = map[*genericObject]*genericObject{}
		a.lib.kids = map[*genericObject][]*genericObject{}
	}
	a.lib.parent[child] = parent
	a.lib.kids[parent] = append(a.lib.kids[parent], child)
}

// unlink removes o from its parent's children and forgets its own
// children list (they are destroyed with it).
func (a *app) unlink(objs ...*genericObject) {
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	for _, o := range objs {
		if p := a.lib.parent[o]; p != nil {
			a.lib.kids[p] = slices.DeleteFunc(a.lib.kids[p], func(x *genericObject) bool { return x == o })
			if len(a.lib.kids[p]) == 0 {
				delete(a.lib.kids, p)
			}
		}
		delete(a.lib.parent, o)
		delete(a.lib.kids, o)
	}
}

// sweepTree forgets the links of session objects whose session is closed
// (a closing session drops its objects without destroying them one by
// one).
func (a *app) sweepTree() {
	a.lib.mu.Lock()
	var sessions []*Session
	for o := range a.lib.parent {
		if o.sess != nil && !slices.Contains(sessions, o.sess) {
			sessions = append(sessions, o.sess)
		}
	}
	a.lib.mu.Unlock()
	var closed []*Session
	for _, s := range sessions {
		s.mu.Lock()
		if s.closed {
			closed = append(closed, s)
		}
		s.mu.Unlock()
	}
	if len(closed) == 0 {
		return
	}
	a.lib.mu.Lock()
	defer a.lib.mu.Unlock()
	for o, p := range a.lib.parent {
		if slices.Contains(closed, o.sess) || slices.Contains(closed, p.sess) {
			delete(a.lib.parent, o)
		}
	}
	for p := range a.lib.kids {
		if slices.Contains(closed, p.sess) {
			delete(a.lib.kids, p)
		}
	}
}

// createChild creates a child of parent from new-object properties: a
// persistent object for a persistent parent, a session object of the
// parent's session otherwise.
func (c *call) createChild(parent *genericObject, props *jsonObject) (*genericObject, error) {
	var o *genericObject
	switch {
	case parent.app != nil:
		a, s := parent.app, c.s
		sessionTaken := ""
		if id := props.obj("qInfo").str("qId"); id != "" && s.sessionObject(id) != nil {
			sessionTaken = id
		}
		a.mu.Lock()
		p, qe := prepareProps(props, func(id string) bool { return a.objects[id] != nil || id == sessionTaken })
		if qe != nil {
			a.mu.Unlock()
			return nil, qe
		}
		o = newGenericObject(p, a, nil)
		a.objects[o.id] = o
		a.objOrder = append(a.objOrder, o.id)
		a.mu.Unlock()
		c.eff.appObjs = a
	case parent.sess != nil:
		s := parent.sess
		a := s.doc()
		s.mu.Lock()
		p, qe := prepareProps(props, func(id string) bool { return s.objects[id] != nil || (a != nil && a.object(id) != nil) })
		if qe != nil {
			s.mu.Unlock()
			return nil, qe
		}
		o = newGenericObject(p, nil, s)
		s.objects[o.id] = o
		s.objOrder = append(s.objOrder, o.id)
		s.mu.Unlock()
	default:
		return nil, qerr(errInvalidArgs, "object %s cannot have children", parent.id)
	}
	treeApp(parent).link(parent, o)
	return o, nil
}

// destroyObjects removes objects (children being destroyed with their
// parent) from their app or session and closes their handles everywhere.
func (c *call) destroyObjects(objs []*genericObject) {
	if len(objs) == 0 {
		return
	}
	for _, o := range objs {
		var sessions []*Session
		switch {
		case o.app != nil:
			a := o.app
			a.mu.Lock()
			if a.objects[o.id] == o {
				delete(a.objects, o.id)
				a.objOrder = slices.DeleteFunc(a.objOrder, func(x string) bool { return x == o.id })
			}
			a.mu.Unlock()
			sessions = a.sessionList()
			c.eff.appObjs = a
		case o.sess != nil:
			s := o.sess
			s.mu.Lock()
			if s.objects[o.id] == o {
				delete(s.objects, o.id)
				s.objOrder = slices.DeleteFunc(s.objOrder, func(x string) bool { return x == o.id })
			}
			s.mu.Unlock()
			sessions = []*Session{s}
		}
		for _, s := range sessions {
			s.mu.Lock()
			delete(s.soft, o)
			if s.modal != nil && s.modal.obj == o {
				s.modal = nil
			}
			s.mu.Unlock()
		}
		if a := treeApp(o); a != nil {
			a.unlink(o)
		}
		c.eff.closed = append(c.eff.closed, o)
	}
}

// destroyTree destroys o's descendants after o itself was removed by the
// Doc method, and changes o's parent.
func (c *call) destroyTree(a *app, o *genericObject, desc []*genericObject, parent *genericObject) {
	c.destroyObjects(desc)
	a.unlink(o)
	if parent != nil {
		c.eff.objs = append(c.eff.objs, parent)
	}
}

// wrapDestroy extends Doc.DestroyObject and Doc.DestroySessionObject: the
// object's descendants go with it and its parent changes.
func wrapDestroy(session bool) func(next handler) handler {
	return func(next handler) handler {
		return func(c *call) error {
			id := c.str("qId")
			if c.bad() {
				return next(c)
			}
			a := c.h.app
			find := func() *genericObject {
				if session {
					return c.s.sessionObject(id)
				}
				return a.object(id)
			}
			o := find()
			var desc []*genericObject
			var parent *genericObject
			if o != nil {
				desc, parent = a.descendants(o), a.parentOf(o)
			}
			if err := next(c); err != nil {
				return err
			}
			if o != nil && find() == nil {
				c.destroyTree(a, o, desc, parent)
			}
			return nil
		}
	}
}

// setForThis applies the optional qPropForThis of the child methods.
func (c *call) setForThis(o *genericObject, forThis *jsonObject) {
	if forThis != nil {
		o.setProperties(forThis)
	}
	c.eff.objs = append(c.eff.objs, o)
	if o.app != nil {
		c.eff.appObjs = o.app
	}
}

// propForThis reads the optional qPropForThis parameter (nil when absent).
func (c *call) propForThis() *jsonObject {
	if !c.isGiven("qPropForThis") {
		return nil
	}
	return c.obj("qPropForThis")
}

func objCreateChild(c *call) error {
	props := c.obj("qProp")
	forThis := c.propForThis()
	if c.bad() {
		return nil
	}
	parent := c.h.obj
	o, err := c.createChild(parent, props)
	if err != nil {
		return err
	}
	c.setForThis(parent, forThis)
	h := c.conn.objectHandle(o)
	c.ret(o.objectInterface(h))
	c.out("qInfo", o.info())
	c.eff.extra = append(c.eff.extra, h)
	return nil
}

func objDestroyChild(c *call) error {
	id := c.str("qId")
	forThis := c.propForThis()
	if c.bad() {
		return nil
	}
	parent := c.h.obj
	a := treeApp(parent)
	var child *genericObject
	for _, k := range a.childrenOf(parent) {
		if k.id == id {
			child = k
		}
	}
	c.out("qSuccess", child != nil)
	if child == nil {
		if forThis != nil {
			c.setForThis(parent, forThis)
		}
		return nil
	}
	c.destroyObjects(append([]*genericObject{child}, a.descendants(child)...))
	c.setForThis(parent, forThis)
	return nil
}

func objDestroyAllChildren(c *call) error {
	forThis := c.propForThis()
	if c.bad() {
		return nil
	}
	parent := c.h.obj
	c.destroyObjects(treeApp(parent).descendants(parent))
	c.setForThis(parent, forThis)
	return nil
}

func objGetChildInfos(c *call) error {
	infos := []any{}
	for _, k := range treeApp(c.h.obj).childrenOf(c.h.obj) {
		infos = append(infos, k.info())
	}
	c.out("qInfos", infos)
	return nil
}

func objGetChild(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	for _, k := range treeApp(c.h.obj).childrenOf(c.h.obj) {
		if k.id == id {
			c.ret(k.objectInterface(c.conn.objectHandle(k)))
			return nil
		}
	}
	c.ret(nullInterface())
	return nil
}

func objGetParent(c *call) error {
	p := treeApp(c.h.obj).parentOf(c.h.obj)
	if p == nil {
		c.ret(nullInterface())
		return nil
	}
	c.ret(p.objectInterface(c.conn.objectHandle(p)))
	return nil
}

// objSetChildArrayOrder reorders the children: the listed ids first in
// that order, the others after them as they were. An id that is not a
// child is refused.
func objSetChildArrayOrder(c *call) error {
	ids := c.strs("qIds")
	if c.bad() {
		return nil
	}
	o := c.h.obj
	a := treeApp(o)
	a.lib.mu.Lock()
	kids := a.lib.kids[o]
	order := make([]*genericObject, 0, len(kids))
	for _, id := range ids {
		i := slices.IndexFunc(kids, func(k *genericObject) bool { return k.id == id })
		if i < 0 {
			a.lib.mu.Unlock()
			return qerr(errInvalidArgs, "%q is not a child of %s", id, o.id)
		}
		if !slices.Contains(order, kids[i]) {
			order = append(order, kids[i])
		}
	}
	for _, k := range kids {
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	if len(order) > 0 {
		a.lib.kids[o] = order
	}
	a.lib.mu.Unlock()
	c.eff.objs = append(c.eff.objs, o)
	return nil
}

// propertyTree is the GenericObjectEntry of o: its normalised properties
// and its children's entries.
func propertyTree(a *app, o *genericObject) *jsonObject {
	kids := []any{}
	for _, k := range a.childrenOf(o) {
		kids = append(kids, propertyTree(a, k))
	}
	e := newObj(2)
	e.Set("qProperty", normalizeProperties(o.current()))
	e.Set("qChildren", kids)
	return e
}

func objGetFullPropertyTree(c *call) error {
	c.out("qPropEntry", propertyTree(treeApp(c.h.obj), c.h.obj))
	return nil
}

// treeEntry is a validated GenericObjectEntry.
type treeEntry struct {
	props    *jsonObject
	children []*treeEntry
}

// parseTreeEntry validates a GenericObjectEntry at path (for messages).
func parseTreeEntry(v any, path string) (*treeEntry, *Error) {
	o, ok := v.(*jsonObject)
	if !ok {
		return nil, qerr(errInvalidParams, "%s must be an object, not %s", path, jsonKind(v))
	}
	pv, _ := o.Get("qProperty")
	props, ok := pv.(*jsonObject)
	if !ok {
		return nil, qerr(errInvalidParams, "%s.qProperty must be an object, not %s", path, jsonKind(pv))
	}
	if iv, _ := props.Get("qInfo"); iv != nil {
		info, ok := iv.(*jsonObject)
		if !ok {
			return nil, qerr(errInvalidParams, "%s.qProperty.qInfo must be an object, not %s", path, jsonKind(iv))
		}
		for _, k := range []string{"qId", "qType"} {
			if v, ok := info.Get(k); ok && v != nil {
				if _, isStr := v.(string); !isStr {
					return nil, qerr(errInvalidParams, "%s.qProperty.qInfo.%s must be a string, not %s", path, k, jsonKind(v))
				}
			}
		}
	}
	e := &treeEntry{props: props}
	kv, _ := o.Get("qChildren")
	if kv == nil {
		return e, nil
	}
	kids, ok := kv.([]any)
	if !ok {
		return nil, qerr(errInvalidParams, "%s.qChildren must be an array, not %s", path, jsonKind(kv))
	}
	for i, k := range kids {
		ke, qe := parseTreeEntry(k, fmt.Sprintf("%s.qChildren[%d]", path, i))
		if qe != nil {
			return nil, qe
		}
		if ke.props.obj("qInfo") == nil {
			return nil, qerr(errInvalidParams, "%s.qChildren[%d].qProperty.qInfo must be an object with qType", path, i)
		}
		e.children = append(e.children, ke)
	}
	return e, nil
}

func objSetFullPropertyTree(c *call) error {
	v := c.arg("qPropEntry")
	if c.bad() {
		return nil
	}
	e, qe := parseTreeEntry(v, "qPropEntry")
	if qe != nil {
		return qe
	}
	return c.setTree(c.h.obj, e)
}

// setTree sets o's properties and then its children (setChildren).
func (c *call) setTree(o *genericObject, e *treeEntry) error {
	o.setProperties(e.props)
	c.eff.objs = append(c.eff.objs, o)
	if o.app != nil {
		c.eff.appObjs = o.app
	}
	return c.setChildren(o, e.children)
}

// setChildren makes o's children those of the entries: an entry whose id
// names a child of the same type updates that child, any other entry
// creates a child, and children the entries do not list are destroyed.
// The children end in the entries' order.
func (c *call) setChildren(o *genericObject, entries []*treeEntry) error {
	a := treeApp(o)
	old := a.childrenOf(o)
	var kept []*genericObject
	order := make([]*genericObject, 0, len(entries))
	for _, ke := range entries {
		info := ke.props.obj("qInfo")
		id, typ := info.str("qId"), info.str("qType")
		i := slices.IndexFunc(old, func(k *genericObject) bool { return k.id == id && k.typ == typ })
		if i >= 0 && !slices.Contains(kept, old[i]) {
			kept = append(kept, old[i])
			order = append(order, old[i])
			if err := c.setTree(old[i], ke); err != nil {
				return err
			}
			continue
		}
		k, err := c.createChild(o, ke.props)
		if err != nil {
			return err
		}
		order = append(order, k)
		if err := c.setChildren(k, ke.children); err != nil {
			return err
		}
	}
	for _, k := range old {
		if !slices.Contains(kept, k) {
			c.destroyObjects(append([]*genericObject{k}, a.descendants(k)...))
		}
	}
	a.lib.mu.Lock()
	if len(order) > 0 {
		if a.lib.kids == nil {
			a.lib.kids = map[*genericObject][]*genericObject{}
		}
		a.lib.kids[o] = order
	} else {
		delete(a.lib.kids, o)
	}
	a.lib.mu.Unlock()
	return nil
}

// computeChildList is the qChildListDef computer: the object's children
// with qInfo, qMeta (their qMetaDef) and qData (the values the
// definition's JSON pointers select in their properties).
func computeChildList(lc *layoutCtx, def any, path, state string) (any, error) {
	d, _ := def.(*jsonObject)
	data := d.obj("qData")
	items := []any{}
	if lc.obj != nil && lc.app != nil {
		for _, k := range lc.app.childrenOf(lc.obj) {
			items = append(items, containerEntry(k.info(), k.current(), selectData(k.current(), data)))
		}
	}
	out := newObj(1)
	out.Set("qItems", items)
	return out, nil
}

// containerEntry is an NxContainerEntry: qInfo, qMeta (the qMetaDef of
// props with the privileges) and qData.
func containerEntry(info, props, data *jsonObject) *jsonObject {
	it := newObj(3)
	it.Set("qInfo", info)
	meta := newObj(1)
	if md := props.obj("qMetaDef"); md != nil {
		meta = clone(md).(*jsonObject)
	}
	meta.Set("privileges", privileges)
	it.Set("qMeta", meta)
	it.Set("qData", data)
	return it
}

// objectEntries returns the snapshot form of the app's persistent objects
// (a.mu held): each root object in order, as its properties or, with
// children, as a GenericObjectEntry.
func (a *app) objectEntries() [][]byte {
	var out [][]byte
	for _, id := range a.objOrder {
		o := a.objects[id]
		if a.parentOf(o) != nil {
			continue
		}
		if len(a.childrenOf(o)) == 0 {
			out = append(out, encode(o.properties()))
			continue
		}
		out = append(out, encode(a.snapshotTree(o)))
	}
	return out
}

// snapshotTree is the GenericObjectEntry of o with its properties as they
// are (not normalised).
func (a *app) snapshotTree(o *genericObject) *jsonObject {
	kids := []any{}
	for _, k := range a.childrenOf(o) {
		kids = append(kids, a.snapshotTree(k))
	}
	e := newObj(2)
	e.Set("qProperty", o.properties())
	e.Set("qChildren", kids)
	return e
}

// loadObjects creates the persistent objects of a snapshot (the app not
// yet shared): plain properties or GenericObjectEntry trees.
func (a *app) loadObjects(entries [][]byte) error {
	var add func(v any, parent *genericObject, where string) error
	add = func(v any, parent *genericObject, where string) error {
		o, ok := v.(*jsonObject)
		if !ok {
			return fmt.Errorf("%s is not a JSON object", where)
		}
		props := o
		var kids []any
		if pv, isTree := o.Get("qProperty"); isTree {
			if props, ok = pv.(*jsonObject); !ok {
				return fmt.Errorf("%s: qProperty is not a JSON object", where)
			}
			kv, _ := o.Get("qChildren")
			if kv != nil {
				if kids, ok = kv.([]any); !ok {
					return fmt.Errorf("%s: qChildren is not an array", where)
				}
			}
		}
		obj := newGenericObject(props, a, nil)
		if obj.id == "" || a.objects[obj.id] != nil {
			return fmt.Errorf("%s has a missing or duplicate id %q", where, obj.id)
		}
		a.objects[obj.id] = obj
		a.objOrder = append(a.objOrder, obj.id)
		if parent != nil {
			a.link(parent, obj)
		}
		for i, k := range kids {
			if err := add(k, obj, fmt.Sprintf("%s child %d", where, i)); err != nil {
				return err
			}
		}
		return nil
	}
	for i, raw := range entries {
		v, err := parseJSON(raw)
		if err != nil {
			return fmt.Errorf("object %d: %w", i, err)
		}
		if err := add(v, nil, fmt.Sprintf("object %d", i)); err != nil {
			return err
		}
	}
	return nil
}
