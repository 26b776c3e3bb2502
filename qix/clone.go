package qix

// Cloning (Doc.CloneObject, CloneBookmark, CloneDimension, CloneMeasure):
// the clone gets a new id and a deep copy of the properties, and is
// independent of its source from then on.
//
// CloneObject copies a persistent object with all its descendants, each
// under a new id; a string anywhere in the copied properties that equals
// the id of an object of the copied tree is rewritten to the copy's id, so
// a cloned sheet's cells name the cloned charts. A clone of a child object
// becomes the last child of the same parent. Session objects cannot be
// cloned (error 8). A cloned bookmark keeps its source's stored
// selections; master items keep their definitions. Unknown ids answer
// error 2.

func init() {
	register("Doc", map[string]handler{
		"CloneObject":    docCloneObject,
		"CloneBookmark":  docCloneBookmark,
		"CloneDimension": docCloneItem(dimKind),
		"CloneMeasure":   docCloneItem(measKind),
	})
}

func docCloneObject(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	a := c.h.app
	src := a.object(id)
	if src == nil {
		if c.s.sessionObject(id) != nil {
			return qerr(errInvalidArgs, "object %q is a session object, which cannot be cloned", id)
		}
		return qerr(errNotFound, "object %q does not exist", id)
	}
	// The tree: src and its descendants, each with the order of its
	// children, and a new id for each.
	kids := map[*genericObject][]*genericObject{}
	tree := []*genericObject{src}
	for i := 0; i < len(tree); i++ {
		k := a.childrenOf(tree[i])
		kids[tree[i]] = k
		tree = append(tree, k...)
	}
	ids := map[string]string{}
	a.mu.Lock()
	for _, o := range tree {
		nid := newObjectID()
		for a.objects[nid] != nil {
			nid = newObjectID()
		}
		ids[o.id] = nid
	}
	copies := map[*genericObject]*genericObject{}
	for _, o := range tree {
		p := remapIDs(o.properties(), ids).(*jsonObject)
		info := p.obj("qInfo")
		if info == nil {
			info = newObj(2)
			p.Set("qInfo", info)
		}
		info.Set("qId", ids[o.id])
		info.Set("qType", o.typ)
		cp := newGenericObject(p, a, nil)
		a.objects[cp.id] = cp
		a.objOrder = append(a.objOrder, cp.id)
		copies[o] = cp
	}
	a.mu.Unlock()
	// Links are made without a.mu held (link takes session locks).
	parent := a.parentOf(src)
	if parent != nil {
		a.link(parent, copies[src])
		c.eff.objs = append(c.eff.objs, parent)
	}
	for _, o := range tree {
		for _, k := range kids[o] {
			a.link(copies[o], copies[k])
		}
	}
	c.eff.appObjs = a
	c.out("qCloneId", copies[src].id)
	return nil
}

// remapIDs returns a copy of v in which every string equal to a key of
// ids is replaced by its value.
func remapIDs(v any, ids map[string]string) any {
	switch x := v.(type) {
	case string:
		if n, ok := ids[x]; ok {
			return n
		}
		return x
	case *jsonObject:
		out := newObj(x.Len())
		for i, k := range x.keys {
			out.Set(k, remapIDs(x.vals[i], ids))
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = remapIDs(e, ids)
		}
		return out
	}
	return clone(v)
}

// cloneProps is a copy of a library object's properties without its id
// (prepareLibraryProps gives it a new one).
func cloneProps(o *genericObject) *jsonObject {
	p := o.properties()
	info := p.obj("qInfo")
	if info == nil {
		info = newObj(2)
		p.Set("qInfo", info)
	}
	info.Set("qId", "")
	info.Set("qType", o.typ)
	return p
}

func docCloneBookmark(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	a := c.h.app
	src := a.bookmarkByID(id)
	if src == nil {
		return qerr(errNotFound, "bookmark %q does not exist", id)
	}
	props := cloneProps(src.obj)
	a.lib.mu.Lock()
	p, qe := prepareLibraryProps(props, "bookmark", func(id string) bool { return a.lib.bms.byID[id] != nil })
	if qe != nil {
		a.lib.mu.Unlock()
		return qe
	}
	// The stored selections are never modified once set: shared.
	b := &bookmark{obj: newGenericObject(p, a, nil), data: src.data}
	a.lib.bms.add(b)
	a.lib.mu.Unlock()
	c.bookmarkChanged(a, b)
	c.out("qCloneId", b.obj.id)
	return nil
}

func docCloneItem(k *itemKind) handler {
	return func(c *call) error {
		id := c.str("qId")
		if c.bad() {
			return nil
		}
		a := c.h.app
		src := a.item(k, id)
		if src == nil {
			return qerr(errNotFound, "%s %q does not exist", k.typ, id)
		}
		props := cloneProps(src)
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
		c.libraryChanged(a, k.listKey, o.id)
		c.out("qCloneId", o.id)
		return nil
	}
}
