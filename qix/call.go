package qix

import (
	"context"
	"fmt"
	"slices"
)

// call is one request being handled.
type call struct {
	ctx     context.Context
	cancel  context.CancelFunc
	conn    *Conn
	s       *Session
	e       *Engine
	id      any
	reqID   int64 // numeric request id, -1 when the id is not an integer
	method  string
	h       *handleEntry // nil for Global
	spec    *methodSpec
	args    []any
	given   []bool // which parameters the request gave
	handler handler

	running *inflight // registration for AbortRequest, nil without a numeric id

	argErr *Error // first parameter error
	res    *jsonObject
	eff    effects
	delta  bool // the request asked for delta answers
}

// handler runs a method; it sets c.res (nil means an empty result) and
// records invalidations in c.eff.
type handler func(c *call) error

// handlers maps class and method to its handler; filled by the init
// functions of the method files.
var handlers = map[string]map[string]handler{}

func register(class string, methods map[string]handler) {
	if handlers[class] == nil {
		handlers[class] = map[string]handler{}
	}
	for name, h := range methods {
		if schema.method(class, name) == nil {
			panic("BUG: handler for " + class + "." + name + " which the schema lacks")
		}
		handlers[class][name] = h
	}
}

func (c *call) done() {
	if c.running != nil {
		c.conn.mu.Lock()
		if c.conn.inflight[c.reqID] == c.running {
			delete(c.conn.inflight, c.reqID)
		}
		c.conn.mu.Unlock()
	}
	c.cancel()
}

// result starts the result object.
func (c *call) result() *jsonObject {
	if c.res == nil {
		c.res = newObj(2)
	}
	return c.res
}

// ret sets the qReturn out.
func (c *call) ret(v any) { c.result().Set("qReturn", v) }

// out sets a named out.
func (c *call) out(name string, v any) { c.result().Set(name, v) }

// Parameter access. A type error is recorded in c.argErr (the first one
// wins) and the zero value returned; handlers check c.bad() before acting.

func (c *call) arg(name string) any {
	i := c.spec.param(name)
	if i < 0 {
		panic(fmt.Sprintf("BUG: %s.%s has no parameter %s", c.spec.Class, c.spec.Name, name))
	}
	return c.args[i]
}

// isGiven reports whether the request gave the parameter (not null).
func (c *call) isGiven(name string) bool {
	c.arg(name)
	return c.given[c.spec.param(name)]
}

func (c *call) badArg(name, want string, v any) {
	if c.argErr == nil {
		c.argErr = qerr(errInvalidParams, "parameter %s must be %s, not %s", name, want, jsonKind(v))
	}
}

// bad reports whether a parameter had the wrong type.
func (c *call) bad() bool { return c.argErr != nil }

func (c *call) str(name string) string {
	v := c.arg(name)
	s, ok := v.(string)
	if !ok {
		c.badArg(name, "a string", v)
	}
	return s
}

func (c *call) boolean(name string) bool {
	v := c.arg(name)
	b, ok := v.(bool)
	if !ok {
		c.badArg(name, "a boolean", v)
	}
	return b
}

func (c *call) integer(name string) int {
	v := c.arg(name)
	n, ok := v.(jsonNumber)
	if !ok {
		c.badArg(name, "an integer", v)
		return 0
	}
	i, ok := n.int()
	if !ok {
		c.badArg(name, "an integer in the int32 range", v)
	}
	return i
}

func (c *call) ints(name string) []int {
	v := c.arg(name)
	a, ok := v.([]any)
	if !ok {
		c.badArg(name, "an array of integers", v)
		return nil
	}
	out := make([]int, 0, len(a))
	for _, e := range a {
		n, ok := e.(jsonNumber)
		i, ok2 := n.int()
		if !ok || !ok2 {
			c.badArg(name, "an array of integers", v)
			return nil
		}
		out = append(out, i)
	}
	return out
}

func (c *call) strs(name string) []string {
	v := c.arg(name)
	a, ok := v.([]any)
	if !ok {
		c.badArg(name, "an array of strings", v)
		return nil
	}
	out := make([]string, 0, len(a))
	for _, e := range a {
		s, ok := e.(string)
		if !ok {
			c.badArg(name, "an array of strings", v)
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (c *call) obj(name string) *jsonObject {
	v := c.arg(name)
	o, ok := v.(*jsonObject)
	if !ok {
		c.badArg(name, "an object", v)
		return newObj(0)
	}
	return o
}

func (c *call) objs(name string) []*jsonObject {
	v := c.arg(name)
	a, ok := v.([]any)
	if !ok {
		c.badArg(name, "an array of objects", v)
		return nil
	}
	out := make([]*jsonObject, 0, len(a))
	for _, e := range a {
		o, ok := e.(*jsonObject)
		if !ok {
			c.badArg(name, "an array of objects", v)
			return nil
		}
		out = append(out, o)
	}
	return out
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case jsonNumber:
		return "a number"
	case []any:
		return "an array"
	case *jsonObject:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// effects are the invalidations a request caused.
type effects struct {
	states    []string // selection states changed in the session
	allStates bool     // every state changed (Back, Forward, modal abort)
	docs      *app     // the app's Doc changed (properties, states) in all its sessions
	objs      []*genericObject
	closed    []*genericObject
	reloaded  *app             // every object of the app, in all its sessions
	extra     []int            // handles of the calling connection to list (new objects)
	appObjs   *app             // the app's object list changed
	softObjs  []*genericObject // soft patches changed (this session only)
}

func (c *call) stateChanged(state string) {
	if state == "" {
		state = "$"
	}
	if !slices.Contains(c.eff.states, state) {
		c.eff.states = append(c.eff.states, state)
	}
}

// invalidate turns the request's effects into change and close lists:
// those of the calling connection are returned (they go on the response),
// the others are pushed as id-less frames.
func (c *call) invalidate() (change, closes []int) {
	eff := &c.eff
	if len(eff.states) == 0 && !eff.allStates && eff.docs == nil && len(eff.objs) == 0 &&
		len(eff.closed) == 0 && eff.reloaded == nil && len(eff.extra) == 0 && eff.appObjs == nil && len(eff.softObjs) == 0 {
		return nil, nil
	}
	changes := map[*Conn][]int{}
	closed := map[*Conn][]int{}
	// each lists as changed, in every connection of the sessions, the
	// handles pick chooses.
	each := func(sessions []*Session, pick func(en *handleEntry) bool) {
		for _, s := range sessions {
			for _, cn := range s.connList() {
				cn.mu.Lock()
				for h, en := range cn.handles {
					if pick(en) {
						changes[cn] = append(changes[cn], h)
					}
				}
				cn.mu.Unlock()
			}
		}
	}
	// sessionsOf are the sessions that see an object: all sessions of its
	// app for a persistent object, its own for a session object.
	sessionsOf := func(o *genericObject) []*Session {
		if o.app != nil {
			return o.app.sessionList()
		}
		return []*Session{c.s}
	}
	for _, o := range eff.closed {
		for _, s := range sessionsOf(o) {
			for _, cn := range s.connList() {
				closed[cn] = append(closed[cn], cn.forget([]*genericObject{o})...)
			}
		}
	}
	if len(eff.states) > 0 || eff.allStates {
		each([]*Session{c.s}, func(en *handleEntry) bool {
			switch en.class {
			case "Doc":
				return true
			case "GenericObject":
				return en.obj.dependsOn(eff.states, eff.allStates) || c.s.softDependsOn(en.obj, eff.states, eff.allStates)
			case "GenericVariable":
				return true // "=" definitions are evaluated in the selections
			}
			return false
		})
	}
	if a := eff.docs; a != nil {
		each(a.sessionList(), func(en *handleEntry) bool { return en.class == "Doc" && en.app == a })
	}
	for _, o := range eff.objs {
		each(sessionsOf(o), func(en *handleEntry) bool { return en.obj == o })
	}
	for _, o := range eff.softObjs {
		each([]*Session{c.s}, func(en *handleEntry) bool { return en.obj == o })
	}
	if a := eff.reloaded; a != nil {
		each(a.sessionList(), func(en *handleEntry) bool { return en.class == "GenericObject" })
	}
	if a := eff.appObjs; a != nil {
		each(a.sessionList(), func(en *handleEntry) bool {
			return en.class == "GenericObject" && en.obj.listsObjects()
		})
	}
	changes[c.conn] = append(changes[c.conn], eff.extra...)
	conns := map[*Conn]bool{}
	for cn := range changes {
		conns[cn] = true
	}
	for cn := range closed {
		conns[cn] = true
	}
	for cn := range conns {
		cl := sortedUnique(closed[cn])
		// A handle closed by this request is not also changed.
		ch := slices.DeleteFunc(sortedUnique(changes[cn]), func(h int) bool { return slices.Contains(cl, h) })
		if cn == c.conn {
			change, closes = ch, cl
			continue
		}
		if len(ch)+len(cl) > 0 {
			cn.send(appendPush(nil, ch, cl))
		}
	}
	return change, closes
}
