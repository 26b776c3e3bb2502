package qix

import (
	"errors"
	"slices"
	"strings"

	"github.com/assocengine/assoc/engine"
)

func init() {
	register("Doc", map[string]handler{
		"GetField":                    docGetField,
		"CreateSessionObject":         docCreateSessionObject,
		"DestroySessionObject":        docDestroySessionObject,
		"CreateObject":                docCreateObject,
		"DestroyObject":               docDestroyObject,
		"GetObject":                   docGetObject,
		"GetAllInfos":                 docGetAllInfos,
		"ClearAll":                    docClearAll,
		"LockAll":                     docLockAll,
		"UnlockAll":                   docUnlockAll,
		"Back":                        docBack,
		"Forward":                     docForward,
		"BackCount":                   docBackCount,
		"ForwardCount":                docForwardCount,
		"AbortModal":                  docAbortModal,
		"GetAppLayout":                docGetAppLayout,
		"GetAppProperties":            docGetAppProperties,
		"SetAppProperties":            docSetAppProperties,
		"GetLocaleInfo":               func(c *call) error { c.ret(c.h.app.locale()); return nil },
		"AddAlternateState":           docAddAlternateState,
		"RemoveAlternateState":        docRemoveAlternateState,
		"AddSessionAlternateState":    docAddSessionAlternateState,
		"RemoveSessionAlternateState": docRemoveSessionAlternateState,
		"SetScript":                   docSetScript,
		"GetScript":                   docGetScript,
		"CheckScriptSyntax":           docCheckScriptSyntax,
		"DoReload":                    docDoReload,
		"DoReloadEx":                  docDoReloadEx,
		"DoSave":                      docDoSave,
		"SaveObjects":                 docSaveObjects,
		"GetTablesAndKeys":            docGetTablesAndKeys,
		"GetTableData":                docGetTableData,
		"GetFieldDescription":         docGetFieldDescription,
		"CreateConnection":            docCreateConnection,
		"ModifyConnection":            docModifyConnection,
		"DeleteConnection":            docDeleteConnection,
		"GetConnection":               docGetConnection,
		"GetConnections":              docGetConnections,
	})
}

// stateName maps "" to "$".
func stateName(s string) string {
	if s == "" {
		return engine.DefaultState
	}
	return s
}

// checkState returns an error unless the state exists in the session.
func (c *call) checkState(state string) error {
	if state == engine.DefaultState || slices.Contains(c.s.stateNames(), state) {
		return nil
	}
	return qerr(errNotFound, "state %q does not exist", state)
}

func docGetField(c *call) error {
	name := c.str("qFieldName")
	state := stateName(c.str("qStateName"))
	if c.bad() {
		return nil
	}
	if err := c.checkState(state); err != nil {
		return err
	}
	h := c.conn.fieldHandle(fieldKey{name: name, state: state})
	r := newObj(4)
	r.Set("qType", "Field")
	r.Set("qHandle", h)
	r.Set("qGenericType", "")
	r.Set("qGenericId", name)
	c.ret(r)
	return nil
}

func docCreateSessionObject(c *call) error {
	props := c.obj("qProp")
	if c.bad() {
		return nil
	}
	s, a := c.s, c.h.app
	s.mu.Lock()
	p, qe := prepareProps(props, func(id string) bool { return s.objects[id] != nil || a.object(id) != nil })
	if qe != nil {
		s.mu.Unlock()
		return qe
	}
	o := newGenericObject(p, nil, s)
	s.objects[o.id] = o
	s.objOrder = append(s.objOrder, o.id)
	s.mu.Unlock()
	h := c.conn.objectHandle(o)
	c.ret(o.objectInterface(h))
	c.eff.extra = append(c.eff.extra, h)
	return nil
}

func docDestroySessionObject(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	s := c.s
	s.mu.Lock()
	o := s.objects[id]
	if o != nil {
		delete(s.objects, id)
		s.objOrder = slices.DeleteFunc(s.objOrder, func(x string) bool { return x == id })
		delete(s.soft, o)
		if s.modal != nil && s.modal.obj == o {
			s.modal = nil
		}
	}
	s.mu.Unlock()
	c.out("qSuccess", o != nil)
	if o != nil {
		c.eff.closed = append(c.eff.closed, o)
	}
	return nil
}

func docCreateObject(c *call) error {
	props := c.obj("qProp")
	if c.bad() {
		return nil
	}
	a, s := c.h.app, c.s
	// An id used by a session object of this session is taken too (checked
	// before a.mu is held: the lock order is session, app, object).
	sessionTaken := ""
	if id := props.obj("qInfo").str("qId"); id != "" && s.sessionObject(id) != nil {
		sessionTaken = id
	}
	a.mu.Lock()
	p, qe := prepareProps(props, func(id string) bool { return a.objects[id] != nil || id == sessionTaken })
	if qe != nil {
		a.mu.Unlock()
		return qe
	}
	o := newGenericObject(p, a, nil)
	a.objects[o.id] = o
	a.objOrder = append(a.objOrder, o.id)
	a.mu.Unlock()
	h := c.conn.objectHandle(o)
	c.ret(o.objectInterface(h))
	c.out("qInfo", o.info())
	c.eff.extra = append(c.eff.extra, h)
	c.eff.appObjs = a
	return nil
}

func docDestroyObject(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	a := c.h.app
	a.mu.Lock()
	o := a.objects[id]
	if o != nil {
		delete(a.objects, id)
		a.objOrder = slices.DeleteFunc(a.objOrder, func(x string) bool { return x == id })
	}
	a.mu.Unlock()
	c.out("qSuccess", o != nil)
	if o != nil {
		for _, s := range a.sessionList() {
			s.mu.Lock()
			delete(s.soft, o)
			if s.modal != nil && s.modal.obj == o {
				s.modal = nil
			}
			s.mu.Unlock()
		}
		c.eff.closed = append(c.eff.closed, o)
		c.eff.appObjs = a
	}
	return nil
}

// docGetObject returns a handle to a session or persistent object. An
// unknown id gives a result whose qReturn has a null qType and qHandle, as
// the classic engine answers (enigma.js turns it into "Object not found").
func docGetObject(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	o := c.s.sessionObject(id)
	if o == nil {
		o = c.h.app.object(id)
	}
	if o == nil {
		r := newObj(2)
		r.Set("qType", nil)
		r.Set("qHandle", nil)
		c.ret(r)
		return nil
	}
	c.ret(o.objectInterface(c.conn.objectHandle(o)))
	return nil
}

func docGetAllInfos(c *call) error {
	a := c.h.app
	a.mu.RLock()
	infos := make([]any, 0, len(a.objOrder))
	for _, id := range a.objOrder {
		infos = append(infos, a.objects[id].info())
	}
	a.mu.RUnlock()
	c.out("qInfos", infos)
	return nil
}

func docClearAll(c *call) error {
	locked := c.boolean("qLockedAlso")
	state := stateName(c.str("qStateName"))
	if c.bad() {
		return nil
	}
	_, err := c.withSelections(func(es *engine.Session) (bool, error) {
		return true, es.ClearAll(state, locked)
	})
	return err
}

func docLockAll(c *call) error {
	state := stateName(c.str("qStateName"))
	if c.bad() {
		return nil
	}
	_, err := c.withSelections(func(es *engine.Session) (bool, error) { return true, es.LockAll(state) })
	return err
}

func docUnlockAll(c *call) error {
	state := stateName(c.str("qStateName"))
	if c.bad() {
		return nil
	}
	_, err := c.withSelections(func(es *engine.Session) (bool, error) { return true, es.UnlockAll(state) })
	return err
}

func docBack(c *call) error {
	_, err := c.withSelections(func(es *engine.Session) (bool, error) { return es.Back(), nil })
	return err
}

func docForward(c *call) error {
	_, err := c.withSelections(func(es *engine.Session) (bool, error) { return es.Forward(), nil })
	return err
}

func docBackCount(c *call) error {
	es, _, err := c.s.selections()
	if err != nil {
		return err
	}
	c.ret(es.BackCount())
	return nil
}

func docForwardCount(c *call) error {
	es, _, err := c.s.selections()
	if err != nil {
		return err
	}
	c.ret(es.ForwardCount())
	return nil
}

func docAbortModal(c *call) error {
	accept := c.boolean("qAccept")
	if c.bad() {
		return nil
	}
	return c.endModal(nil, accept)
}

// appLayout is the NxAppLayout of the app in this session.
func (c *call) appLayout() *jsonObject {
	a := c.h.app
	a.mu.RLock()
	title, script, lastReload, props := a.title, a.script, a.lastReload, clone(a.props).(*jsonObject)
	a.mu.RUnlock()
	l := newObj(16 + props.Len())
	if t := props.str("qTitle"); t != "" {
		title = t
	}
	l.Set("qTitle", title)
	l.Set("qFileName", a.id)
	l.Set("qLastReloadTime", isoTime(lastReload))
	l.Set("qModified", false)
	l.Set("qHasScript", script != "")
	states := c.s.stateNames()
	if states == nil {
		states = []string{}
	}
	l.Set("qStateNames", states)
	meta := newObj(1)
	meta.Set("privileges", privileges)
	l.Set("qMeta", meta)
	l.Set("qLocaleInfo", a.locale())
	l.Set("qHasData", a.hasData())
	l.Set("qReadOnly", false)
	l.Set("qIsOpenedWithoutData", false)
	l.Set("qIsSessionApp", a.isSession)
	thumb := newObj(1)
	thumb.Set("qUrl", "")
	if t := props.obj("qThumbnail"); t != nil {
		thumb.Set("qUrl", t.str("qUrl"))
	}
	l.Set("qThumbnail", thumb)
	l.Set("qUnsupportedFeatures", []any{})
	l.Set("qUsage", "ANALYTICS")
	for i, k := range props.keys {
		switch k {
		case "qTitle", "qThumbnail", "qLastReloadTime", "qMigrationHash", "qSavedInProductVersion":
			continue
		}
		if _, taken := l.Get(k); !taken {
			l.Set(k, props.vals[i])
		}
	}
	return l
}

func docGetAppLayout(c *call) error {
	c.out("qLayout", c.appLayout())
	return nil
}

func docGetAppProperties(c *call) error {
	a := c.h.app
	a.mu.RLock()
	p := clone(a.props).(*jsonObject)
	title, lastReload := a.title, a.lastReload
	a.mu.RUnlock()
	out := newObj(p.Len() + 3)
	if _, ok := p.Get("qTitle"); !ok {
		out.Set("qTitle", title)
	}
	if _, ok := p.Get("qLastReloadTime"); !ok && !lastReload.IsZero() {
		out.Set("qLastReloadTime", isoTime(lastReload))
	}
	for i, k := range p.keys {
		out.Set(k, p.vals[i])
	}
	c.out("qProp", out)
	return nil
}

func docSetAppProperties(c *call) error {
	props := c.obj("qProp")
	if c.bad() {
		return nil
	}
	a := c.h.app
	a.mu.Lock()
	a.props = clone(props).(*jsonObject)
	a.mu.Unlock()
	c.eff.docs = a
	return nil
}

func docAddAlternateState(c *call) error {
	name := c.str("qStateName")
	if c.bad() {
		return nil
	}
	if name == "" || name == engine.DefaultState {
		return qerr(errInvalidArgs, "invalid alternate state name %q", name)
	}
	a := c.h.app
	a.mu.Lock()
	if slices.Contains(a.states, name) {
		a.mu.Unlock()
		return qerr(errAlreadyExists, "state %q", name)
	}
	a.states = append(a.states, name)
	a.mu.Unlock()
	c.eff.docs = a
	return nil
}

func docRemoveAlternateState(c *call) error {
	name := c.str("qStateName")
	if c.bad() {
		return nil
	}
	a := c.h.app
	a.mu.Lock()
	if !slices.Contains(a.states, name) {
		a.mu.Unlock()
		return qerr(errNotFound, "state %q", name)
	}
	a.states = slices.DeleteFunc(a.states, func(s string) bool { return s == name })
	a.mu.Unlock()
	c.eff.docs = a
	c.stateChanged(name)
	return nil
}

func docAddSessionAlternateState(c *call) error {
	name := c.str("qStateName")
	src := c.str("qSourceStateName")
	if c.bad() {
		return nil
	}
	if name == "" || name == engine.DefaultState {
		return qerr(errInvalidArgs, "invalid alternate state name %q", name)
	}
	if slices.Contains(c.s.stateNames(), name) {
		return qerr(errAlreadyExists, "state %q", name)
	}
	if src != "" {
		if err := c.checkState(stateName(src)); err != nil {
			return err
		}
	}
	c.s.mu.Lock()
	c.s.extraStates = append(c.s.extraStates, name)
	c.s.mu.Unlock()
	if src != "" {
		_, err := c.withSelections(func(es *engine.Session) (bool, error) {
			st, err := es.State(stateName(src))
			if err != nil {
				return false, err
			}
			es.SetStates(map[string]*engine.State{name: st})
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	c.eff.docs = c.h.app
	return nil
}

func docRemoveSessionAlternateState(c *call) error {
	name := c.str("qStateName")
	if c.bad() {
		return nil
	}
	c.s.mu.Lock()
	found := slices.Contains(c.s.extraStates, name)
	c.s.extraStates = slices.DeleteFunc(c.s.extraStates, func(s string) bool { return s == name })
	c.s.mu.Unlock()
	c.out("qSuccess", found)
	if found {
		c.eff.docs = c.h.app
		c.stateChanged(name)
	}
	return nil
}

func docSetScript(c *call) error {
	script := c.str("qScript")
	if c.bad() {
		return nil
	}
	a := c.h.app
	a.mu.Lock()
	a.script = script
	a.mu.Unlock()
	return nil
}

func docGetScript(c *call) error {
	a := c.h.app
	a.mu.RLock()
	c.out("qScript", a.script)
	a.mu.RUnlock()
	return nil
}

// docCheckScriptSyntax reports the errors of Options.CheckScript; without a
// checker no errors can be found and the list is empty.
func docCheckScriptSyntax(c *call) error {
	a := c.h.app
	a.mu.RLock()
	script := a.script
	a.mu.RUnlock()
	out := []any{}
	if chk := c.e.opts.CheckScript; chk != nil {
		for _, se := range chk(script) {
			out = append(out, scriptSyntaxError(script, se))
		}
	}
	c.out("qErrors", out)
	return nil
}

// scriptSyntaxError converts a ScriptError to a ScriptSyntaxError: the
// section index (sections start at "///$tab" lines), the 0-based line in the
// section and column, and the byte offset in the script.
func scriptSyntaxError(script string, se ScriptError) *jsonObject {
	tab, start, offset := 0, 1, 0
	lineStart := 0
	for line := 1; ; line++ {
		if hasTabMarker(script[lineStart:]) {
			if line > 1 {
				tab++
			}
			start = line + 1
		}
		if line >= se.Line {
			offset = lineStart
			break
		}
		nl := strings.IndexByte(script[lineStart:], '\n')
		if nl < 0 {
			offset = len(script)
			break
		}
		lineStart += nl + 1
	}
	col := max(se.Col-1, 0)
	o := newObj(6)
	o.Set("qErrLen", max(se.Len, 0))
	o.Set("qTabIx", tab)
	o.Set("qLineInTab", max(se.Line-start, 0))
	o.Set("qColInLine", col)
	o.Set("qTextPos", offset+col)
	return o
}

func hasTabMarker(s string) bool {
	const m = "///$tab "
	return len(s) >= len(m) && s[:len(m)] == m
}

func docDoSave(c *call) error {
	c.str("qFileName")
	if c.bad() {
		return nil
	}
	return c.save()
}

func docSaveObjects(c *call) error { return c.save() }

func (c *call) save() error {
	a := c.h.app
	if a.isSession {
		return qerr(errSessionAppSave, "session apps cannot be saved")
	}
	a.mu.RLock()
	deleted := a.deleted
	a.mu.RUnlock()
	if deleted {
		return qerr(errAppNotFound, "%s (deleted)", a.id)
	}
	if err := c.e.store.Save(a.snapshot()); err != nil {
		return qerr(errAppSaveFailed, "%v", err)
	}
	return nil
}

func asReloadError(err error) *ReloadError {
	var re *ReloadError
	if errors.As(err, &re) {
		return re
	}
	return nil
}
