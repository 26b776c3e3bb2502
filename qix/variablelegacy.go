package qix

import (
	"math"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/symbols"
)

// The deprecated variable API that older clients and mashups still call:
// Doc.CreateVariable / GetVariable / RemoveVariable / GetVariables and the
// Variable class (GetContent, SetContent, ForceContent, GetRawContent,
// GetNxProperties, SetNxProperties). A Variable handle addresses the same
// variable object as a GenericVariable handle, so both views stay in step.
// Also here: GenericVariable.ApplyPatches and GetRawContent, and the
// Doc.DestroySessionVariableById/ByName forms.
//
// Choices where the product's behaviour is not documented:
//
//   - CreateVariable makes an app variable with an empty definition; it
//     answers false when a variable of that name exists and error 18000
//     for an empty name. RemoveVariable removes an app or session variable
//     by name and answers false for an unknown or script-created one.
//   - SetContent and ForceContent answer false / error 5 for a
//     script-created variable, which the script owns. ForceContent with an
//     empty qs stores the number's text.
//   - A Variable handle whose variable was removed answers error 2 on
//     every call.

func init() {
	register("Doc", map[string]handler{
		"CreateVariable":               docCreateVariable,
		"GetVariable":                  docGetVariable,
		"RemoveVariable":               docRemoveVariable,
		"GetVariables":                 docGetVariables,
		"DestroySessionVariableById":   docDestroyVariable(false, true),
		"DestroySessionVariableByName": docDestroyVariable(true, true),
	})
	register("Variable", map[string]handler{
		"GetContent":      legacyGetContent,
		"GetRawContent":   legacyGetRawContent,
		"SetContent":      legacySetContent,
		"ForceContent":    legacyForceContent,
		"GetNxProperties": legacyGetNxProperties,
		"SetNxProperties": legacySetNxProperties,
	})
	register("GenericVariable", map[string]handler{
		"ApplyPatches":  varApplyPatches,
		"GetRawContent": func(c *call) error { c.ret(c.h.obj.current().str("qDefinition")); return nil },
	})
}

// legacyClass is the handle class of the deprecated variable API.
const legacyClass = "Variable"

// legacyHandle returns the connection's Variable handle for o, creating it.
// It is kept apart from the object's GenericVariable handle.
func (c *Conn) legacyHandle(o *genericObject) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.handles {
		if e.class == legacyClass && e.obj == o {
			return h
		}
	}
	return c.newHandle(&handleEntry{class: legacyClass, obj: o})
}

// docCreateVariable creates an app variable with an empty definition.
func docCreateVariable(c *call) error {
	name := c.str("qName")
	if c.bad() {
		return nil
	}
	if strings.TrimSpace(name) == "" {
		return qerr(errVariableNoName, "a variable needs a name")
	}
	a := c.h.app
	if c.s.findVariable(a, name, true) != nil {
		c.ret(false)
		return nil
	}
	p := newObj(5)
	p.Set("qInfo", newObj(2).Set("qId", "").Set("qType", variableType))
	p.Set("qName", name)
	p.Set("qComment", "")
	p.Set("qDefinition", "")
	props, qe := prepareProps(p, func(id string) bool { return c.s.findVariable(a, id, false) != nil })
	if qe != nil {
		return qe
	}
	o := newGenericObject(variableProps(props), a, nil)
	a.mu.Lock()
	if a.vars == nil {
		a.vars = map[string]*genericObject{}
	}
	a.vars[o.id] = o
	a.mu.Unlock()
	c.variableChanged()
	c.ret(true)
	return nil
}

// docGetVariable returns a Variable handle, the null interface for an
// unknown name.
func docGetVariable(c *call) error {
	name := c.str("qName")
	if c.bad() {
		return nil
	}
	o := c.s.findVariable(c.h.app, name, true)
	if o == nil {
		c.ret(nullInterface())
		return nil
	}
	h := c.conn.legacyHandle(o)
	c.ret(classInterface(o, legacyClass, h))
	return nil
}

func docRemoveVariable(c *call) error {
	name := c.str("qName")
	if c.bad() {
		return nil
	}
	o := c.s.findVariable(c.h.app, name, true)
	if o == nil || o.current().boolean("qIsScriptCreated") {
		c.ret(false)
		return nil
	}
	c.removeVariable(o)
	c.ret(true)
	return nil
}

// removeVariable deletes a user variable from its session or app.
func (c *call) removeVariable(o *genericObject) {
	if o.sess != nil {
		o.sess.mu.Lock()
		delete(o.sess.vars, o.id)
		o.sess.mu.Unlock()
	} else {
		a := o.app
		a.mu.Lock()
		delete(a.vars, o.id)
		a.mu.Unlock()
	}
	c.eff.closed = append(c.eff.closed, o)
	c.variableChanged()
}

// docGetVariables lists variables as the qVariableListDef of a generic
// object does.
func docGetVariables(c *call) error {
	def := c.obj("qListDef")
	if c.bad() {
		return nil
	}
	lc, err := c.layoutCtx()
	if err != nil {
		return err
	}
	res, err := computeVariableList(lc, def, "", "$")
	if err != nil {
		return err
	}
	items := res.(*jsonObject).arr("qItems")
	if items == nil {
		items = []any{}
	}
	c.out("qList", items)
	return nil
}

// legacyVar returns the handle's variable, or error 2 when it was removed.
// A script variable is found again by name: a reload makes it anew.
func (c *call) legacyVar() (*genericObject, error) {
	o := c.h.obj
	a := c.s.doc()
	name := o.current().str("qName")
	if o.current().boolean("qIsScriptCreated") {
		if found := c.s.findVariable(a, name, true); found != nil {
			return found, nil
		}
	} else if found := c.s.findVariable(a, o.id, false); found == o {
		return o, nil
	}
	return nil, qerr(errNotFound, "variable %q was removed", name)
}

// variableValueOf is the value a variable shows: its definition evaluated
// when it starts with "=", else the definition as text (and as a number
// when it is one).
func (c *call) variableValueOf(o *genericObject) (text string, num float64, isNum bool, err error) {
	def := o.current().str("qDefinition")
	trimmed := strings.TrimSpace(def)
	if !strings.HasPrefix(trimmed, "=") {
		if f, ok := expr.ParseNumber(trimmed); ok {
			return def, f, true, nil
		}
		return def, math.NaN(), false, nil
	}
	es, _, err := c.s.selections()
	if err != nil {
		return "", 0, false, err
	}
	v, err := es.Evaluate("", trimmed[1:])
	switch {
	case err != nil:
		return "Error: " + err.Error(), math.NaN(), false, nil
	case v.IsNull():
		return "-", math.NaN(), false, nil
	}
	if f, ok := v.AsNumber(); ok && v.HasNum() {
		return v.Text(), f, true, nil
	}
	return v.Text(), math.NaN(), false, nil
}

func legacyGetContent(c *call) error {
	o, err := c.legacyVar()
	if err != nil {
		return err
	}
	text, _, isNum, err := c.variableValueOf(o)
	if err != nil {
		return err
	}
	r := newObj(2)
	r.Set("qString", text)
	r.Set("qIsNum", isNum)
	c.out("qContent", r)
	return nil
}

func legacyGetRawContent(c *call) error {
	o, err := c.legacyVar()
	if err != nil {
		return err
	}
	c.ret(o.current().str("qDefinition"))
	return nil
}

// setDefinition replaces a user variable's definition.
func (c *call) setDefinition(o *genericObject, def string) {
	p := o.properties()
	p.Set("qDefinition", def)
	o.setProperties(p)
	c.eff.objs = append(c.eff.objs, o)
	c.variableChanged()
}

func legacySetContent(c *call) error {
	content := c.str("qContent")
	c.boolean("qUpdateMRU")
	if c.bad() {
		return nil
	}
	o, err := c.legacyVar()
	if err != nil {
		return err
	}
	if o.current().boolean("qIsScriptCreated") {
		c.ret(false)
		return nil
	}
	c.setDefinition(o, content)
	c.ret(true)
	return nil
}

func legacyForceContent(c *call) error {
	text := c.str("qs")
	v := c.arg("qd")
	n, isNum := v.(jsonNumber)
	f, ok := n.float()
	if !isNum || !ok {
		c.badArg("qd", "a number", v)
	}
	if c.bad() {
		return nil
	}
	o, err := c.legacyVar()
	if err != nil {
		return err
	}
	if o.current().boolean("qIsScriptCreated") {
		return qerr(errAccessDenied, "script-created variables are set by the script")
	}
	if text == "" {
		text = symbols.FormatNumber(f)
	}
	c.setDefinition(o, text)
	return nil
}

// nxVariableProperties are the NxVariableProperties keys of a variable's
// properties, with their defaults.
var nxVariableProperties = []struct {
	key string
	def func() any
}{
	{"qName", func() any { return "" }},
	{"qNumberPresentation", func() any {
		return newObj(3).Set("qType", "U").Set("qnDec", 10).Set("qUseThou", 0)
	}},
	{"qIncludeInBookmark", func() any { return false }},
	{"qUsePredefListedValues", func() any { return false }},
	{"qPreDefinedList", func() any { return []any{} }},
}

func legacyGetNxProperties(c *call) error {
	o, err := c.legacyVar()
	if err != nil {
		return err
	}
	p := o.current()
	out := newObj(len(nxVariableProperties))
	for _, k := range nxVariableProperties {
		if v, ok := p.Get(k.key); ok && v != nil {
			out.Set(k.key, clone(v))
			continue
		}
		out.Set(k.key, k.def())
	}
	c.out("qProperties", out)
	return nil
}

// legacySetNxProperties sets the NxVariableProperties keys given (a
// rename is refused when another variable has the name).
func legacySetNxProperties(c *call) error {
	in := c.obj("qProperties")
	if c.bad() {
		return nil
	}
	o, err := c.legacyVar()
	if err != nil {
		return err
	}
	if o.current().boolean("qIsScriptCreated") {
		return qerr(errAccessDenied, "script-created variables are set by the script")
	}
	checks := map[string]func(any) bool{
		"qName":                  func(v any) bool { _, ok := v.(string); return ok },
		"qNumberPresentation":    func(v any) bool { _, ok := v.(*jsonObject); return ok },
		"qIncludeInBookmark":     func(v any) bool { _, ok := v.(bool); return ok },
		"qUsePredefListedValues": func(v any) bool { _, ok := v.(bool); return ok },
		"qPreDefinedList":        func(v any) bool { _, ok := v.([]any); return ok },
	}
	p := o.properties()
	for _, k := range nxVariableProperties {
		v, ok := in.Get(k.key)
		if !ok || v == nil {
			continue
		}
		if !checks[k.key](v) {
			return qerr(errInvalidParams, "qProperties.%s has the wrong type (%s)", k.key, jsonKind(v))
		}
		p.Set(k.key, clone(v))
	}
	return c.setVariableProps(o, p)
}

// setVariableProps installs new properties on a user variable: the name
// must be set and not taken by another variable.
func (c *call) setVariableProps(o *genericObject, p *jsonObject) error {
	if o.current().boolean("qIsScriptCreated") {
		return qerr(errAccessDenied, "script-created variables are set by the script")
	}
	p = variableProps(p)
	name := p.str("qName")
	if strings.TrimSpace(name) == "" {
		return qerr(errVariableNoName, "a variable needs a qName")
	}
	if name != o.current().str("qName") {
		if other := c.s.findVariable(c.s.doc(), name, true); other != nil && other != o {
			return qerr(errVariableDuplicate, "a variable named %q exists", name)
		}
	}
	o.setProperties(p)
	c.eff.objs = append(c.eff.objs, o)
	c.variableChanged()
	return nil
}

func varApplyPatches(c *call) error {
	ps := c.objs("qPatches")
	if c.bad() {
		return nil
	}
	patches, qe := parsePatches(ps)
	if qe != nil {
		return qe
	}
	props, qe := applyPatches(c.h.obj.current(), patches)
	if qe != nil {
		return qe
	}
	return c.setVariableProps(c.h.obj, props)
}
