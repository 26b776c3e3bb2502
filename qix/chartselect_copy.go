package qix

// CopyFrom and GetLinkedObjects of GenericObject, the two object-level
// methods chart front ends use next to their selections ("duplicate",
// "convert to", master visualizations).
//
//   - CopyFrom(qFromId) gives the object the properties of the object
//     qFromId (a persistent object of the app or a session object of the
//     session) and a copy of its children, recursively. The object keeps
//     its qInfo (id and type, as SetProperties does); the children it had
//     are replaced, the copied children get fresh ids. An unknown id is
//     error 2. The object changes for every session that has it.
//   - GetLinkedObjects lists the objects whose qExtendsId is this object:
//     the app's persistent objects and the calling session's own session
//     objects (other users' session objects are theirs), each with the id
//     of its root object. It is usually empty.

func init() {
	register("GenericObject", map[string]handler{
		"CopyFrom":         objCopyFrom,
		"GetLinkedObjects": objGetLinkedObjects,
	})
}

// objectByID returns the session object or persistent object id, or nil.
func (c *call) objectByID(id string) *genericObject {
	if o := c.s.sessionObject(id); o != nil {
		return o
	}
	if a := c.s.doc(); a != nil {
		return a.object(id)
	}
	return nil
}

// copyTree is the tree entry of o's properties and children, copied.
func copyTree(a *app, o *genericObject, depth int) *treeEntry {
	e := &treeEntry{props: o.properties()}
	if depth > 1000 {
		return e // a parent cycle cannot happen; bound the walk anyway
	}
	for _, k := range a.childrenOf(o) {
		ke := copyTree(a, k, depth+1)
		// The copy is a new child: it must not take the source child's id.
		if info := ke.props.obj("qInfo"); info != nil {
			info.Set("qId", "")
		}
		e.children = append(e.children, ke)
	}
	return e
}

func objCopyFrom(c *call) error {
	id := c.str("qFromId")
	if c.bad() {
		return nil
	}
	src := c.objectByID(id)
	if src == nil {
		return qerr(errNotFound, "no object %q to copy from", id)
	}
	dst := c.h.obj
	if src == dst {
		return nil
	}
	a := treeApp(dst)
	if a == nil {
		return qerr(errAppInvalid, "No active document")
	}
	e := copyTree(treeApp(src), src, 0)
	// The destination's current children are not kept: with fresh ids no
	// copied entry matches them, so setChildren destroys them.
	return c.setTree(dst, e)
}

func objGetLinkedObjects(c *call) error {
	o := c.h.obj
	items := []any{}
	a := treeApp(o)
	if a == nil {
		c.out("qItems", items)
		return nil
	}
	for _, u := range a.objectsWhere(func(p *jsonObject) bool { return p.str("qExtendsId") == o.id }) {
		if u == o || (u.app == nil && u.sess != c.s) {
			continue
		}
		it := newObj(2)
		it.Set("qRootId", a.root(u).id)
		it.Set("qInfo", u.info())
		items = append(items, it)
	}
	c.out("qItems", items)
	return nil
}
