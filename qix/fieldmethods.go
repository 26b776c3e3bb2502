package qix

import (
	"errors"

	"github.com/assocengine/assoc/engine"
)

func init() {
	register("Field", map[string]handler{
		"Select":            fieldSelect,
		"ToggleSelect":      fieldToggleSelect,
		"SelectValues":      fieldSelectValues,
		"SelectAll":         fieldSoftLockOp((*engine.Session).SelectAll),
		"SelectPossible":    fieldSoftLockOp((*engine.Session).SelectPossible),
		"SelectExcluded":    fieldSoftLockOp((*engine.Session).SelectExcluded),
		"SelectAlternative": fieldSoftLockOp((*engine.Session).SelectAlternative),
		"ClearAllButThis":   fieldSoftLockOp((*engine.Session).ClearAllButThis),
		"Clear":             fieldOp((*engine.Session).Clear),
		"Lock":              fieldOp((*engine.Session).Lock),
		"Unlock":            fieldOp((*engine.Session).Unlock),
		"LowLevelSelect":    fieldLowLevelSelect,
		"GetCardinal":       fieldGetCardinal,
		"GetNxProperties":   fieldGetNxProperties,
		"SetNxProperties":   fieldSetNxProperties,
		"GetAndMode":        func(c *call) error { c.ret(false); return nil },
		"SetAndMode":        fieldSetAndMode,
	})
}

// fieldResult runs a field selection and sets qReturn. A field or state
// that does not exist (the handle outlived a reload) or a selection that
// cannot be made answers false, as the engine does.
func (c *call) fieldResult(fn func(es *engine.Session, k fieldKey) (bool, error)) error {
	if c.bad() {
		return nil
	}
	k := c.h.field
	ok, err := c.withSelections(func(es *engine.Session) (bool, error) { return fn(es, k) })
	if err != nil {
		var qe *Error
		if errors.As(err, &qe) {
			return err
		}
		c.e.log.Debug("field selection failed", "field", k.name, "err", err)
		ok = false
	}
	c.ret(ok)
	return nil
}

// fieldOp adapts an engine method taking (state, field).
func fieldOp(m func(*engine.Session, string, string) (bool, error)) handler {
	return func(c *call) error {
		return c.fieldResult(func(es *engine.Session, k fieldKey) (bool, error) { return m(es, k.state, k.name) })
	}
}

// fieldSoftLockOp adapts an engine method taking (state, field, softLock).
func fieldSoftLockOp(m func(*engine.Session, string, string, bool) (bool, error)) handler {
	return func(c *call) error {
		soft := c.boolean("qSoftLock")
		return c.fieldResult(func(es *engine.Session, k fieldKey) (bool, error) { return m(es, k.state, k.name, soft) })
	}
}

func fieldSelect(c *call) error {
	match := c.str("qMatch")
	soft := c.boolean("qSoftLock")
	excluded := c.integer("qExcludedValuesMode") != 0
	return c.fieldResult(func(es *engine.Session, k fieldKey) (bool, error) {
		return es.Select(k.state, k.name, match, soft, excluded)
	})
}

func fieldToggleSelect(c *call) error {
	match := c.str("qMatch")
	soft := c.boolean("qSoftLock")
	c.integer("qExcludedValuesMode")
	return c.fieldResult(func(es *engine.Session, k fieldKey) (bool, error) {
		return es.Toggle(k.state, k.name, match, soft)
	})
}

func fieldSelectValues(c *call) error {
	vals := c.objs("qFieldValues")
	toggle := c.boolean("qToggleMode")
	soft := c.boolean("qSoftLock")
	fvs := make([]engine.FieldValue, 0, len(vals))
	for _, v := range vals {
		fv := engine.FieldValue{Text: v.str("qText"), IsNumeric: v.boolean("qIsNumeric")}
		if n, ok := v.Get("qNumber"); ok {
			num, isNum := n.(jsonNumber)
			f, ok := num.float()
			if !isNum || !ok {
				c.badArg("qFieldValues", "an array of FieldValue with numeric qNumber", n)
			}
			fv.Number = f
		}
		fvs = append(fvs, fv)
	}
	return c.fieldResult(func(es *engine.Session, k fieldKey) (bool, error) {
		return es.SelectValues(k.state, k.name, fvs, toggle, soft)
	})
}

func fieldLowLevelSelect(c *call) error {
	elems := c.ints("qValues")
	toggle := c.boolean("qToggleMode")
	soft := c.boolean("qSoftLock")
	return c.fieldResult(func(es *engine.Session, k fieldKey) (bool, error) {
		return es.SelectElements(k.state, k.name, elems, toggle, soft)
	})
}

func fieldGetCardinal(c *call) error {
	_, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	n := 0
	if f, err := mi.m.Field(c.h.field.name); err == nil {
		n = f.Cardinal()
	}
	c.ret(n)
	return nil
}

func fieldGetNxProperties(c *call) error {
	p := newObj(1)
	p.Set("qOneAndOnlyOne", false)
	c.out("qProperties", p)
	return nil
}

// fieldSetNxProperties accepts qOneAndOnlyOne false; the one-and-only-one
// mode is not supported by the engine and is refused.
func fieldSetNxProperties(c *call) error {
	p := c.obj("qProperties")
	if c.bad() {
		return nil
	}
	if p.boolean("qOneAndOnlyOne") {
		return qerr(errNotImplemented, "qOneAndOnlyOne is not supported")
	}
	return nil
}

// fieldSetAndMode accepts false (the normal OR mode); AND mode is not
// supported and is refused.
func fieldSetAndMode(c *call) error {
	and := c.boolean("qAndMode")
	if c.bad() {
		return nil
	}
	if and {
		return qerr(errNotImplemented, "AND mode is not supported (field %s)", c.h.field.name)
	}
	return nil
}
