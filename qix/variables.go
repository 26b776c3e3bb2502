package qix

import (
	"math"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/symbols"
)

// Variables (semantics §7.3): named definitions kept as GenericVariable
// objects. App variables are persistent and shared by the app's sessions,
// session variables belong to one session, and the script's variables of
// the last reload appear as script-created variables. A definition that
// starts with "=" is evaluated where it is used.

func init() {
	register("Doc", map[string]handler{
		"CreateVariableEx":       docCreateVariableEx,
		"CreateSessionVariable":  docCreateSessionVariable,
		"GetVariableByName":      docGetVariableByName,
		"GetVariableById":        docGetVariableByID,
		"DestroyVariableById":    docDestroyVariable(false, false),
		"DestroyVariableByName":  docDestroyVariable(true, false),
		"DestroySessionVariable": docDestroyVariable(false, true),
	})
	register("GenericVariable", map[string]handler{
		"GetLayout":      varGetLayout,
		"GetProperties":  func(c *call) error { c.out("qProp", c.h.obj.properties()); return nil },
		"GetInfo":        func(c *call) error { c.out("qInfo", c.h.obj.info()); return nil },
		"SetProperties":  varSetProperties,
		"SetStringValue": varSetValue(false, false),
		"SetNumValue":    varSetValue(true, false),
		"SetDualValue":   varSetValue(false, true),
	})
}

const variableType = "variable"

// variableHandle returns the connection's handle for a variable object.
func (c *Conn) variableHandle(o *genericObject) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.objHandles[o]; ok {
		return h
	}
	h := c.newHandle(&handleEntry{class: "GenericVariable", obj: o})
	c.objHandles[o] = h
	return h
}

// variableProps normalises GenericVariableProperties.
func variableProps(p *jsonObject) *jsonObject {
	info := p.obj("qInfo")
	if info == nil {
		info = newObj(2)
		p.Set("qInfo", info)
	}
	info.Set("qType", variableType)
	for k, def := range map[string]any{"qName": "", "qComment": "", "qDefinition": ""} {
		if _, ok := p.Get(k); !ok {
			p.Set(k, def)
		}
	}
	if _, ok := p.Get("qMetaDef"); !ok {
		p.Set("qMetaDef", newObj(0))
	}
	return p
}

// findVariable finds a variable of the session by id or name: session
// variables, then app variables, then the script's.
func (s *Session) findVariable(a *app, key string, byName bool) *genericObject {
	match := func(o *genericObject) bool {
		if byName {
			return o.current().str("qName") == key
		}
		return o.id == key
	}
	s.mu.Lock()
	for _, o := range s.vars {
		if match(o) {
			s.mu.Unlock()
			return o
		}
	}
	s.mu.Unlock()
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, o := range a.vars {
		if match(o) {
			return o
		}
	}
	// a script variable, made an object on first use
	name := key
	if !byName {
		name = strings.TrimPrefix(key, "script:")
		if name == key {
			return nil
		}
	}
	text, ok := a.variables[name]
	if !ok {
		return nil
	}
	if o := a.scriptVars[name]; o != nil {
		return o
	}
	p := newObj(6)
	p.Set("qInfo", newObj(2).Set("qId", "script:"+name).Set("qType", variableType))
	p.Set("qMetaDef", newObj(0))
	p.Set("qName", name)
	p.Set("qComment", "")
	p.Set("qDefinition", text)
	p.Set("qIsScriptCreated", true)
	o := newGenericObject(p, a, nil)
	if a.scriptVars == nil {
		a.scriptVars = map[string]*genericObject{}
	}
	a.scriptVars[name] = o
	return o
}

// variableDefinition returns the definition of a variable by name for the
// engine (user variables first, then the script's).
func (s *Session) variableDefinition(a *app, name string) (string, bool) {
	if o := s.findVariable(a, name, true); o != nil {
		return o.current().str("qDefinition"), true
	}
	return "", false
}

// variableValue is the engine's variable resolver for the session: the
// definition as text, read as a number when it is one (definitions
// starting with "=" are evaluated by the engine).
func (s *Session) variableValue(a *app) func(string) (expr.Value, bool) {
	return func(name string) (expr.Value, bool) {
		def, ok := s.variableDefinition(a, name)
		if !ok {
			return expr.Value{}, false
		}
		if f, ok := expr.ParseNumber(strings.TrimSpace(def)); ok {
			return expr.Dual(f, def), true
		}
		return expr.Str(def), true
	}
}

func createVariable(c *call, session bool) (*genericObject, error) {
	props := c.obj("qProp")
	if c.bad() {
		return nil, nil
	}
	a := c.h.app
	p, qe := prepareProps(props, func(id string) bool { return c.s.findVariable(a, id, false) != nil })
	if qe != nil {
		return nil, qe
	}
	p = variableProps(p)
	name := p.str("qName")
	if strings.TrimSpace(name) == "" {
		return nil, qerr(errVariableNoName, "a variable needs a qName")
	}
	if c.s.findVariable(a, name, true) != nil {
		return nil, qerr(errVariableDuplicate, "a variable named %q exists", name)
	}
	var o *genericObject
	if session {
		o = newGenericObject(p, nil, c.s)
		c.s.mu.Lock()
		if c.s.vars == nil {
			c.s.vars = map[string]*genericObject{}
		}
		c.s.vars[o.id] = o
		c.s.mu.Unlock()
	} else {
		o = newGenericObject(p, a, nil)
		a.mu.Lock()
		if a.vars == nil {
			a.vars = map[string]*genericObject{}
		}
		a.vars[o.id] = o
		a.mu.Unlock()
	}
	c.variableChanged()
	return o, nil
}

// variableChanged marks every object of the session's app as changed: any
// expression may use the variable.
func (c *call) variableChanged() {
	if a := c.s.doc(); a != nil {
		a.calcVer.Add(1)
	}
	c.eff.allStates = true
	c.stateChanged("")
}

func docCreateVariableEx(c *call) error {
	o, err := createVariable(c, false)
	if err != nil || o == nil {
		return err
	}
	h := c.conn.variableHandle(o)
	c.ret(o.objectInterface(h))
	c.out("qInfo", o.info())
	return nil
}

func docCreateSessionVariable(c *call) error {
	o, err := createVariable(c, true)
	if err != nil || o == nil {
		return err
	}
	c.ret(o.objectInterface(c.conn.variableHandle(o)))
	return nil
}

func getVariable(c *call, key string, byName bool) error {
	o := c.s.findVariable(c.h.app, key, byName)
	if o == nil {
		r := newObj(2)
		r.Set("qType", nil)
		r.Set("qHandle", nil)
		c.ret(r)
		return nil
	}
	c.ret(o.objectInterface(c.conn.variableHandle(o)))
	return nil
}

func docGetVariableByName(c *call) error {
	name := c.str("qName")
	if c.bad() {
		return nil
	}
	return getVariable(c, name, true)
}

func docGetVariableByID(c *call) error {
	id := c.str("qId")
	if c.bad() {
		return nil
	}
	return getVariable(c, id, false)
}

func docDestroyVariable(byName, sessionOnly bool) handler {
	return func(c *call) error {
		var key string
		if byName {
			key = c.str("qName")
		} else {
			key = c.str("qId")
		}
		if c.bad() {
			return nil
		}
		o := c.s.findVariable(c.h.app, key, byName)
		if o == nil || o.current().boolean("qIsScriptCreated") || (sessionOnly && o.sess == nil) {
			c.out("qSuccess", false)
			return nil
		}
		if o.sess != nil {
			c.s.mu.Lock()
			delete(c.s.vars, o.id)
			c.s.mu.Unlock()
		} else {
			a := c.h.app
			a.mu.Lock()
			delete(a.vars, o.id)
			a.mu.Unlock()
		}
		c.eff.closed = append(c.eff.closed, o)
		c.variableChanged()
		c.out("qSuccess", true)
		return nil
	}
}

func varGetLayout(c *call) error {
	o := c.h.obj
	p := o.current()
	l := newObj(p.Len() + 4)
	for i, k := range p.keys {
		if k == "qMetaDef" {
			l.Set("qMeta", clone(p.vals[i]))
			continue
		}
		l.Set(k, clone(p.vals[i]))
	}
	if l.obj("qMeta") == nil {
		l.Set("qMeta", newObj(1))
	}
	l.obj("qMeta").Set("privileges", privileges)
	def := p.str("qDefinition")
	text, num := def, math.NaN()
	if strings.HasPrefix(strings.TrimSpace(def), "=") {
		es, _, err := c.s.selections()
		if err != nil {
			return err
		}
		v, err := es.Evaluate("", strings.TrimSpace(def)[1:])
		switch {
		case err != nil:
			text = "Error: " + err.Error()
		case v.IsNull():
			text = "-"
		default:
			text = v.Text()
			if f, ok := v.AsNumber(); ok && v.HasNum() {
				num = f
			}
		}
	} else if f, ok := expr.ParseNumber(strings.TrimSpace(def)); ok {
		num = f
	}
	l.Set("qText", text)
	l.Set("qNum", num)
	if !p.boolean("qIsScriptCreated") {
		l.Set("qIsScriptCreated", false)
	}
	c.out("qLayout", l)
	return nil
}

func varSetProperties(c *call) error {
	props := c.obj("qProp")
	if c.bad() {
		return nil
	}
	o := c.h.obj
	if o.current().boolean("qIsScriptCreated") {
		return qerr(errAccessDenied, "script-created variables are set by the script")
	}
	p := variableProps(clone(props).(*jsonObject))
	if name := p.str("qName"); name != o.current().str("qName") {
		if other := c.s.findVariable(c.h.app, name, true); other != nil && other != o {
			return qerr(errVariableDuplicate, "a variable named %q exists", name)
		}
	}
	o.setProperties(p)
	c.eff.objs = append(c.eff.objs, o)
	c.variableChanged()
	return nil
}

// varSetValue implements SetStringValue, SetNumValue and SetDualValue: the
// definition becomes the value's text.
func varSetValue(num, dual bool) handler {
	return func(c *call) error {
		var text string
		switch {
		case dual:
			text = c.str("qText")
			c.arg("qNum")
		case num:
			v := c.arg("qVal")
			if n, ok := v.(jsonNumber); ok {
				f, _ := n.float()
				text = symbols.FormatNumber(f)
			} else {
				c.badArg("qVal", "a number", v)
			}
		default:
			text = c.str("qVal")
		}
		if c.bad() {
			return nil
		}
		o := c.h.obj
		if o.current().boolean("qIsScriptCreated") {
			return qerr(errAccessDenied, "script-created variables are set by the script")
		}
		p := o.properties()
		p.Set("qDefinition", text)
		o.setProperties(p)
		c.eff.objs = append(c.eff.objs, o)
		c.variableChanged()
		return nil
	}
}
