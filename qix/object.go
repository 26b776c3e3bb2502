package qix

import (
	"strings"
	"sync"
)

// genericObject is a generic object: free JSON properties with q…Def
// definitions that GetLayout computes. A persistent object belongs to an
// app and is shared by its sessions; a session object belongs to one
// session.
type genericObject struct {
	id, typ string
	app     *app     // persistent objects
	sess    *Session // session objects

	mu    sync.RWMutex
	props *jsonObject
	deps  objDeps
}

// objDeps says which selection states the object's layout depends on.
type objDeps struct {
	anyState   bool            // depends on every state (e.g. Back/Forward counts)
	states     map[string]bool // states of its data definitions
	appObjects bool            // lists the app's objects (qAppObjectListDef)
}

func newGenericObject(props *jsonObject, a *app, s *Session) *genericObject {
	o := &genericObject{app: a, sess: s}
	o.set(props)
	return o
}

// set installs new properties (the caller fixed qInfo).
func (o *genericObject) set(props *jsonObject) {
	info := props.obj("qInfo")
	o.id, o.typ = info.str("qId"), info.str("qType")
	o.props = props
	o.deps = computeDeps(props)
}

// properties returns a copy of the properties.
func (o *genericObject) properties() *jsonObject {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return clone(o.props).(*jsonObject)
}

// setProperties replaces the properties, keeping the object's id and type.
func (o *genericObject) setProperties(props *jsonObject) {
	props = clone(props).(*jsonObject)
	info := props.obj("qInfo")
	if info == nil {
		info = newObj(2)
	}
	info.Set("qId", o.id)
	info.Set("qType", o.typ)
	props.Set("qInfo", info)
	moveFirst(props, "qInfo")
	o.mu.Lock()
	o.set(props)
	o.mu.Unlock()
}

func moveFirst(o *jsonObject, k string) {
	i := o.index(k)
	if i <= 0 {
		return
	}
	v := o.vals[i]
	copy(o.keys[1:i+1], o.keys[:i])
	copy(o.vals[1:i+1], o.vals[:i])
	o.keys[0], o.vals[0] = k, v
}

// dependsOn reports whether a selection change in one of the states (or in
// every state) may change the object's layout.
func (o *genericObject) dependsOn(states []string, all bool) bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.deps.match(states, all)
}

// match reports whether a change in one of the states (or in every state)
// concerns these dependencies.
func (d *objDeps) match(states []string, all bool) bool {
	if d.anyState {
		return true
	}
	if all {
		return len(d.states) > 0
	}
	for _, s := range states {
		if d.states[s] {
			return true
		}
	}
	return false
}

// computeDeps walks the properties for selection-dependent definitions and
// the states they are computed in.
func computeDeps(props *jsonObject) objDeps {
	d := objDeps{states: map[string]bool{}}
	var walk func(v any, state string)
	walk = func(v any, state string) {
		switch x := v.(type) {
		case *jsonObject:
			if s := x.str("qStateName"); s != "" {
				state = s
			}
			for i, k := range x.keys {
				if k == "qLayoutExclude" {
					continue
				}
				if dep, ok := selectionDependent[k]; ok {
					st := state
					if o, ok := x.vals[i].(*jsonObject); ok && o.str("qStateName") != "" {
						st = o.str("qStateName")
					}
					if dep == depAnyState {
						d.anyState = true
					}
					d.states[st] = true
					continue
				}
				walk(x.vals[i], state)
			}
		case []any:
			for _, e := range x {
				walk(e, state)
			}
		}
	}
	walk(props, "$")
	d.appObjects = listsAppObjects(props)
	return d
}

// listsObjects reports whether the object lists the app's objects.
func (o *genericObject) listsObjects() bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.deps.appObjects
}

type depKind uint8

const (
	depState    depKind = iota // depends on the selections of its state
	depAnyState                // depends on every state and the history
)

// selectionDependent lists the definitions whose layout changes with
// selections. Definitions without a computer yet are listed too, so clients
// re-fetch them once the computer exists.
var selectionDependent = map[string]depKind{
	"qListObjectDef":      depState,
	"qHyperCubeDef":       depState,
	"qTreeDataDef":        depState,
	"qStringExpression":   depState,
	"qValueExpression":    depState,
	"qSelectionObjectDef": depAnyState,
}

// objectInterface returns the ObjectInterface of o for handle h.
func (o *genericObject) objectInterface(h int) *jsonObject {
	r := newObj(4)
	class := "GenericObject"
	if o.typ == variableType {
		class = "GenericVariable"
	}
	r.Set("qType", class)
	r.Set("qHandle", h)
	r.Set("qGenericType", o.typ)
	r.Set("qGenericId", o.id)
	return r
}

// info returns the object's NxInfo.
func (o *genericObject) info() *jsonObject {
	r := newObj(2)
	r.Set("qId", o.id)
	r.Set("qType", o.typ)
	return r
}

// prepareProps validates new-object properties: qInfo must be an object
// (qType may be empty); a missing or taken id is replaced by a fresh one.
func prepareProps(props *jsonObject, taken func(id string) bool) (*jsonObject, *Error) {
	props = clone(props).(*jsonObject)
	iv, ok := props.Get("qInfo")
	info, isObj := iv.(*jsonObject)
	if !ok || !isObj {
		return nil, qerr(errInvalidParams, "qProp.qInfo must be an object with qType")
	}
	if v, ok := info.Get("qType"); ok {
		if _, isStr := v.(string); !isStr {
			return nil, qerr(errInvalidParams, "qProp.qInfo.qType must be a string")
		}
	} else {
		info.Set("qType", "")
	}
	id, _ := info.Get("qId")
	ids, _ := id.(string)
	if strings.TrimSpace(ids) == "" || taken(ids) {
		ids = newObjectID()
	}
	info.Set("qId", ids)
	// qId first, as the engine lists it.
	moveFirst(info, "qId")
	moveFirst(props, "qInfo")
	return props, nil
}

// newObjectID returns a fresh object id (a UUID, as Qlik Core makes them).
func newObjectID() string { return newUUID() }
