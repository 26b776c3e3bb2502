package qix

import (
	"context"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/engine"
)

// GetLayout computes an object's layout from its properties (protocol
// §6.2): every key is copied, qMetaDef becomes qMeta, qInfo and
// qSelectionInfo are added, qLayoutExclude is dropped, and every definition
// with a registered computer is replaced, at any depth and inside arrays,
// by its computed counterpart (qListObjectDef → qListObject ...).
// Definitions without a computer are left as they are.

// layoutCtx is what a definition computer gets.
type layoutCtx struct {
	ctx   context.Context
	s     *Session
	app   *app
	es    *engine.Session
	mi    *modelInfo
	obj   *genericObject
	modal *modal
}

// defComputer computes one kind of definition.
type defComputer struct {
	// layoutKey is the key the result is stored under (qListObjectDef →
	// qListObject).
	layoutKey string
	// replace: an object holding the key is replaced as a whole by the
	// result ({"qStringExpression": "=…"} → "text").
	replace bool
	// compute returns the layout value of def, found at the JSON pointer
	// path and computed in selection state (inherited or its own
	// qStateName). A returned error aborts the whole GetLayout (use it for
	// cancellation); problems of the definition itself belong in the
	// result (a qError).
	compute func(lc *layoutCtx, def any, path, state string) (any, error)
}

// defComputers maps a definition key to its computer. Files registering a
// computer do so from init.
var defComputers = map[string]*defComputer{}

func registerDef(defKey string, dc *defComputer) {
	if _, dup := defComputers[defKey]; dup {
		panic("BUG: two computers for " + defKey)
	}
	defComputers[defKey] = dc
}

// privileges are what Qlik Core reports in qMeta.
var privileges = []string{"read", "update", "delete", "exportdata"}

// layout computes the layout of props.
func layout(lc *layoutCtx, props *jsonObject) (*jsonObject, error) {
	out := newObj(props.Len() + 3)
	if info := props.obj("qInfo"); info != nil {
		out.Set("qInfo", clone(info))
	}
	meta := newObj(1)
	if md := props.obj("qMetaDef"); md != nil {
		meta = clone(md).(*jsonObject)
	}
	meta.Set("privileges", privileges)
	out.Set("qMeta", meta)
	sel := newObj(2)
	if m := lc.modal; m != nil && m.obj == lc.obj {
		sel.Set("qInSelections", true)
		if m.made {
			sel.Set("qMadeSelections", true)
		}
	}
	out.Set("qSelectionInfo", sel)
	state := engine.DefaultState
	if s := props.str("qStateName"); s != "" {
		state = s
	}
	for i, k := range props.keys {
		switch k {
		case "qInfo", "qMetaDef":
			continue
		}
		if err := walkKey(lc, out, k, props.vals[i], "", state); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// walkKey computes key k of an object into out.
func walkKey(lc *layoutCtx, out *jsonObject, k string, v any, path, state string) error {
	p := path + "/" + escapePointer(k)
	if k == "qLayoutExclude" {
		return nil
	}
	if k == "qMetaDef" {
		out.Set("qMeta", clone(v))
		return nil
	}
	if dc := defComputers[k]; dc != nil && !dc.replace {
		res, err := dc.compute(lc, v, p, state)
		if err != nil {
			return err
		}
		out.Set(dc.layoutKey, res)
		return nil
	}
	if isDefKey(k) {
		out.Set(k, clone(v)) // no computer yet: left as it is
		return nil
	}
	res, err := walk(lc, v, p, state)
	if err != nil {
		return err
	}
	out.Set(k, res)
	return nil
}

// walk computes the layout of a nested value.
func walk(lc *layoutCtx, v any, path, state string) (any, error) {
	switch x := v.(type) {
	case *jsonObject:
		if s := x.str("qStateName"); s != "" {
			state = s
		}
		for i, k := range x.keys {
			if dc := defComputers[k]; dc != nil && dc.replace {
				return dc.compute(lc, x.vals[i], path, state)
			}
		}
		out := newObj(x.Len())
		for i, k := range x.keys {
			if err := walkKey(lc, out, k, x.vals[i], path, state); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := walk(lc, e, path+"/"+strconv.Itoa(i), state)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// isDefKey reports whether k names a definition ("q…Def").
func isDefKey(k string) bool {
	return len(k) > 4 && k[0] == 'q' && strings.HasSuffix(k, "Def")
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// resolveDef follows a JSON pointer into props and returns the value, its
// selection state (the nearest qStateName on the way, the value's own
// included) and the last path segment.
func resolveDef(props *jsonObject, path string) (v any, state, last string, ok bool) {
	state = engine.DefaultState
	v = props
	if s := props.str("qStateName"); s != "" {
		state = s
	}
	if path == "" || path == "/" {
		return v, state, "", true
	}
	if path[0] != '/' {
		return nil, "", "", false
	}
	for _, seg := range strings.Split(path[1:], "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case *jsonObject:
			nv, found := x.Get(seg)
			if !found {
				return nil, "", "", false
			}
			v = nv
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil, "", "", false
			}
			v = x[i]
		default:
			return nil, "", "", false
		}
		if o, isObj := v.(*jsonObject); isObj {
			if s := o.str("qStateName"); s != "" {
				state = s
			}
		}
		last = seg
	}
	return v, state, last, true
}
