package qix

import (
	"context"
	"runtime/debug"
	"slices"
	"sync"
	"unicode/utf8"
)

// Conn is one client connection attached to a Session. It consumes request
// frames (Handle) and sends responses and notifications through its Sender.
// Handles (the numbers clients address objects with) belong to a
// connection: -1 is Global, the others come from responses and are never
// reused within the session.
type Conn struct {
	s   *Session
	out Sender

	sendMu sync.Mutex

	mu           sync.Mutex
	closed       bool
	handles      map[int]*handleEntry
	objHandles   map[*genericObject]int
	docHandles   map[*app]int
	fieldHandles map[fieldKey]int
	inflight     map[int64]*inflight // running requests by numeric id
	deltas       deltaCache          // last values sent, for delta mode
}

// handleEntry is what a handle refers to.
type handleEntry struct {
	handle int
	class  string // "Doc", "GenericObject" or "Field"
	app    *app
	obj    *genericObject
	field  fieldKey
}

type fieldKey struct{ name, state string }

type inflight struct {
	cancel context.CancelFunc
}

const globalHandle = -1

// Close detaches the connection (the client went away); the session stays
// for a later Attach. Running requests are cancelled.
func (c *Conn) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	for _, f := range c.inflight {
		f.cancel()
	}
	c.mu.Unlock()
	c.s.detach(c)
}

// send delivers one frame; a Sender error is logged (the transport closes
// the connection).
func (c *Conn) send(frame []byte) {
	c.sendMu.Lock()
	err := c.out.Send(frame)
	c.sendMu.Unlock()
	if err != nil {
		c.s.e.log.Debug("cannot send a frame", "session", c.s.id, "err", err)
	}
}

// Handle processes one request frame and sends the response. It is safe
// to call concurrently; responses may go out in any order. A frame that is
// not a valid request gets an error response (with id null when the id
// cannot be read); a request without an id is run but not answered, as
// JSON-RPC says of notifications.
func (c *Conn) Handle(frame []byte) {
	e := c.s.e
	e.calls.Add(1)
	var id any // the request id, echoed verbatim
	hasID := false
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("panic while handling a request", "session", c.s.id, "panic", p, "stack", string(debug.Stack()))
			if hasID {
				c.send(appendError(nil, id, qerr(errInternal, "internal error: %v", p), nil, nil))
			}
		}
	}()
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return
	}
	if !utf8.Valid(frame) {
		c.send(appendError(nil, nil, qerr(errParse, "the frame is not valid UTF-8"), nil, nil))
		return
	}
	v, err := parseJSON(frame)
	if err != nil {
		c.send(appendError(nil, nil, qerr(errParse, "%v", err), nil, nil))
		return
	}
	req, ok := v.(*jsonObject)
	if !ok {
		c.send(appendError(nil, nil, qerr(errInvalidRequest, "a request must be a JSON object"), nil, nil))
		return
	}
	id, hasID = req.Get("id")
	switch id.(type) {
	case nil, jsonNumber, string:
	default:
		c.send(appendError(nil, nil, qerr(errInvalidRequest, "the request id must be a number, a string or null"), nil, nil))
		return
	}
	cl, qe := c.prepare(req, id)
	if cl != nil {
		if dv, ok := req.Get("delta"); ok && dv == true {
			cl.delta = true
		}
	}
	if qe != nil {
		if hasID {
			c.send(appendError(nil, id, qe, nil, nil))
		}
		return
	}
	defer cl.done()
	// Access control (Options.Authorize), before the call runs.
	if az := e.opts.Authorize; az != nil {
		if err := az(c.s.params, cl.class(), cl.method, cl.transient()); err != nil {
			if hasID {
				c.send(appendError(nil, id, qerr(errAccessDenied, "%v", err), nil, nil))
			}
			return
		}
	}
	if err := cl.handler(cl); err != nil {
		qe = asQIX(err)
	} else if cl.argErr != nil {
		qe = cl.argErr
	}
	change, closes := cl.invalidate()
	switch {
	case !hasID:
		if len(change)+len(closes) > 0 {
			c.send(appendPush(nil, change, closes))
		}
	case qe != nil:
		c.send(appendError(nil, id, qe, change, closes))
	default:
		res := cl.res
		if res == nil {
			res = newObj(0)
		}
		c.deltas.forgetHandles(closes)
		if cl.delta && deltaMethods[cl.method] && cl.h != nil {
			if _, hasRet := res.Get("qReturn"); !hasRet {
				c.send(appendDeltaResult(nil, id, c.deltas.patch(cl.h.handle, cl.method, res), change, closes))
				return
			}
		}
		c.send(appendResult(make([]byte, 0, 64+approxSize(res)), id, res, change, closes))
	}
}

// prepare validates a request and binds its parameters.
func (c *Conn) prepare(req *jsonObject, id any) (*call, *Error) {
	if v, ok := req.Get("jsonrpc"); ok && v != "2.0" {
		return nil, qerr(errInvalidRequest, `"jsonrpc" must be "2.0"`)
	}
	mv, _ := req.Get("method")
	method, ok := mv.(string)
	if !ok || method == "" {
		return nil, qerr(errInvalidRequest, `"method" must be a non-empty string`)
	}
	handle := globalHandle
	if hv, ok := req.Get("handle"); ok && hv != nil {
		n, isNum := hv.(jsonNumber)
		h, ok := n.int()
		if !isNum || !ok {
			return nil, qerr(errInvalidParams, "Invalid handle")
		}
		handle = h
	}
	var entry *handleEntry
	class := "Global"
	if handle != globalHandle {
		c.mu.Lock()
		entry = c.handles[handle]
		c.mu.Unlock()
		if entry == nil {
			return nil, qerr(errInvalidParams, "Invalid handle")
		}
		class = entry.class
	}
	h := handlers[class][method]
	spec := schema.method(class, method)
	if h == nil || spec == nil {
		return nil, qerr(errMethodNotFound, "%s", method)
	}
	pv, _ := req.Get("params")
	args, given, qe := bindParams(spec, pv)
	if qe != nil {
		return nil, qe
	}
	ctx, cancel := context.WithCancel(context.Background())
	cl := &call{ctx: ctx, cancel: cancel, conn: c, s: c.s, e: c.s.e, id: id, reqID: -1,
		method: method, h: entry, spec: spec, args: args, given: given, handler: h}
	if n, ok := id.(jsonNumber); ok {
		if v, ok := n.int(); ok {
			cl.reqID = int64(v)
			cl.running = &inflight{cancel: cancel}
			c.mu.Lock()
			c.inflight[cl.reqID] = cl.running
			c.mu.Unlock()
		}
	}
	return cl, nil
}

// bindParams aligns positional or named parameters with the method's
// parameter list; absent or null parameters take the schema default when
// optional, and a required one that is absent is an error. Unknown named
// parameters and extra positional ones are ignored.
func bindParams(spec *methodSpec, pv any) ([]any, []bool, *Error) {
	args := make([]any, len(spec.In))
	given := make([]bool, len(spec.In))
	switch p := pv.(type) {
	case nil:
	case []any:
		for i, v := range p {
			if i < len(args) {
				args[i], given[i] = v, true
			}
		}
	case *jsonObject:
		for i, k := range p.keys {
			if j := spec.param(k); j >= 0 {
				args[j], given[j] = p.vals[i], true
			}
		}
	default:
		return nil, nil, qerr(errInvalidParams, `"params" must be an array or an object`)
	}
	for i, ps := range spec.In {
		if given[i] && args[i] != nil {
			continue
		}
		if !given[i] && !ps.Optional {
			return nil, nil, qerr(errInvalidParams, "missing required parameter %s", ps.Name)
		}
		args[i], given[i] = clone(ps.Default), false
	}
	return args, given, nil
}

// appendResult appends a response frame.
func appendResult(dst []byte, id any, res *jsonObject, change, closes []int) []byte {
	dst = append(dst, `{"jsonrpc":"2.0","id":`...)
	dst = appendValue(dst, id)
	dst = append(dst, `,"result":`...)
	dst = appendValue(dst, res)
	dst = appendHandleLists(dst, change, closes)
	return append(dst, '}')
}

// appendError appends an error response frame.
func appendError(dst []byte, id any, e *Error, change, closes []int) []byte {
	dst = append(dst, `{"jsonrpc":"2.0","id":`...)
	dst = appendValue(dst, id)
	dst = append(dst, `,"error":{"code":`...)
	dst = appendValue(dst, e.Code)
	dst = append(dst, `,"parameter":`...)
	dst = appendString(dst, e.Parameter)
	dst = append(dst, `,"message":`...)
	dst = appendString(dst, e.Message)
	dst = append(dst, '}')
	dst = appendHandleLists(dst, change, closes)
	return append(dst, '}')
}

// appendPush appends an id-less invalidation frame.
func appendPush(dst []byte, change, closes []int) []byte {
	dst = append(dst, `{"jsonrpc":"2.0"`...)
	dst = appendHandleLists(dst, change, closes)
	return append(dst, '}')
}

func appendHandleLists(dst []byte, change, closes []int) []byte {
	if len(change) > 0 {
		dst = append(dst, `,"change":`...)
		dst = appendValue(dst, change)
	}
	if len(closes) > 0 {
		dst = append(dst, `,"close":`...)
		dst = appendValue(dst, closes)
	}
	return dst
}

// newHandle registers an entry under a fresh handle number.
func (c *Conn) newHandle(e *handleEntry) int {
	e.handle = int(c.s.handleSeq.Add(1))
	c.handles[e.handle] = e
	return e.handle
}

// docHandle returns the connection's handle for app a, creating it.
func (c *Conn) docHandle(a *app) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.docHandles[a]; ok {
		return h
	}
	h := c.newHandle(&handleEntry{class: "Doc", app: a})
	c.docHandles[a] = h
	return h
}

// objectHandle returns the connection's handle for o, creating it.
func (c *Conn) objectHandle(o *genericObject) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.objHandles[o]; ok {
		return h
	}
	h := c.newHandle(&handleEntry{class: "GenericObject", obj: o})
	c.objHandles[o] = h
	return h
}

// fieldHandle returns the connection's handle for a field in a state.
func (c *Conn) fieldHandle(k fieldKey) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.fieldHandles[k]; ok {
		return h
	}
	h := c.newHandle(&handleEntry{class: "Field", field: k})
	c.fieldHandles[k] = h
	return h
}

// forget removes the handles of the given objects and returns them.
func (c *Conn) forget(objs []*genericObject) []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for _, o := range objs {
		if h, ok := c.objHandles[o]; ok {
			out = append(out, h)
			delete(c.objHandles, o)
			delete(c.handles, h)
		}
	}
	return out
}

// cancelRequest cancels the running request with this id; it reports
// whether one was found.
func (c *Conn) cancelRequest(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.inflight[id]; ok {
		f.cancel()
		return true
	}
	return false
}

func (c *Conn) cancelAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.inflight {
		f.cancel()
	}
}

// sortedUnique sorts and deduplicates handle numbers.
func sortedUnique(hs []int) []int {
	slices.Sort(hs)
	return slices.Compact(hs)
}

// class is the class of the call's handle, for Options.Authorize.
func (cl *call) class() string {
	if cl.h == nil {
		return "Global"
	}
	return cl.h.class
}

// transient reports whether the call changes nothing saved, for
// Options.Authorize: it is on a session object, or a soft ApplyPatches.
func (cl *call) transient() bool {
	if cl.h != nil && cl.h.obj != nil && cl.h.obj.sess != nil {
		return true
	}
	if cl.method == "ApplyPatches" {
		if i := cl.spec.param("qSoftPatch"); i >= 0 && i < len(cl.args) {
			return cl.args[i] == true
		}
	}
	return false
}
