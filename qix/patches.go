package qix

import (
	"strconv"
	"strings"
)

// ApplyPatches changes properties with JSON-pointer patches
// (NxPatch{qOp, qPath, qValue}, qValue being JSON text). Hard patches
// change the object for everyone; soft patches belong to the session: they
// show in GetLayout (with qHasSoftPatches) and GetEffectiveProperties but
// not in GetProperties, and ClearSoftPatches drops them.

// patch is one parsed NxPatch.
type patch struct {
	op    string // add, remove or replace
	path  []string
	value any
}

// parsePatches validates NxPatch objects.
func parsePatches(ps []*jsonObject) ([]patch, *Error) {
	out := make([]patch, 0, len(ps))
	for i, p := range ps {
		opv, _ := p.Get("qOp")
		op := enumShort("NxPatchOperationType", opv, "")
		if op == "" {
			return nil, qerr(errInvalidParams, "qPatches[%d].qOp must be add, remove or replace", i)
		}
		path := p.str("qPath")
		if !strings.HasPrefix(path, "/") || path == "/" {
			return nil, qerr(errInvalidParams, "qPatches[%d].qPath %q must be a JSON pointer below the root", i, path)
		}
		segs := strings.Split(path[1:], "/")
		for j, s := range segs {
			segs[j] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
		}
		if segs[0] == "qInfo" {
			return nil, qerr(errInvalidArgs, "qPatches[%d]: %s cannot be patched", i, path)
		}
		pt := patch{op: op, path: segs}
		if op != "remove" {
			raw, ok := p.Get("qValue")
			text, isStr := raw.(string)
			if !ok || !isStr {
				return nil, qerr(errInvalidParams, "qPatches[%d].qValue must be a string of JSON", i)
			}
			v, err := parseJSON([]byte(text))
			if err != nil {
				return nil, qerr(errInvalidParams, "qPatches[%d].qValue: %v", i, err)
			}
			pt.value = v
		}
		out = append(out, pt)
	}
	return out, nil
}

// applyPatches returns a copy of props with the patches applied. Missing
// objects on the way are created; replace of a missing key adds it and
// remove of a missing key does nothing.
func applyPatches(props *jsonObject, ps []patch) (*jsonObject, *Error) {
	root := clone(props).(*jsonObject)
	for _, p := range ps {
		if qe := applyPatch(root, p); qe != nil {
			return nil, qe
		}
	}
	return root, nil
}

func applyPatch(root *jsonObject, p patch) *Error {
	var parent any = root
	for i, seg := range p.path[:len(p.path)-1] {
		next, ok := child(parent, seg)
		if !ok || next == nil {
			o, isObj := parent.(*jsonObject)
			if !isObj {
				return qerr(errInvalidPath, "no object at /%s", strings.Join(p.path[:i+1], "/"))
			}
			next = newObj(1)
			o.Set(seg, next)
		}
		parent = next
	}
	last := p.path[len(p.path)-1]
	switch x := parent.(type) {
	case *jsonObject:
		if p.op == "remove" {
			x.Delete(last)
		} else {
			x.Set(last, clone(p.value))
		}
		return nil
	case []any:
		return patchArray(x, last, p, root)
	}
	return qerr(errInvalidPath, "/%s is not inside an object or array", strings.Join(p.path, "/"))
}

// patchArray patches an element of an array; the array is replaced in its
// parent since its length may change.
func patchArray(a []any, last string, p patch, root *jsonObject) *Error {
	n := len(a)
	i := n
	if last != "-" {
		v, err := strconv.Atoi(last)
		if err != nil || v < 0 || v > n || (p.op != "add" && v == n) {
			return qerr(errInvalidPath, "index %q out of range in /%s", last, strings.Join(p.path, "/"))
		}
		i = v
	} else if p.op != "add" {
		return qerr(errInvalidPath, "\"-\" only applies to add in /%s", strings.Join(p.path, "/"))
	}
	var out []any
	switch p.op {
	case "add":
		out = append(append(append(make([]any, 0, n+1), a[:i]...), clone(p.value)), a[i:]...)
	case "replace":
		out = append([]any(nil), a...)
		out[i] = clone(p.value)
	case "remove":
		out = append(append(make([]any, 0, n-1), a[:i]...), a[i+1:]...)
	}
	// Put the new array where the old one was.
	var holder any = root
	for _, seg := range p.path[:len(p.path)-2] {
		holder, _ = child(holder, seg)
	}
	key := p.path[len(p.path)-2]
	switch h := holder.(type) {
	case *jsonObject:
		h.Set(key, out)
	case []any:
		j, _ := strconv.Atoi(key)
		h[j] = out
	}
	return nil
}

// child returns the value under seg of an object or array.
func child(v any, seg string) (any, bool) {
	switch x := v.(type) {
	case *jsonObject:
		return x.Get(seg)
	case []any:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(x) {
			return nil, false
		}
		return x[i], true
	}
	return nil, false
}

// softState is a session's soft patches of one object.
type softState struct {
	patches []patch
	deps    objDeps // of the patched properties
}

// effective returns the object's properties with the session's soft
// patches, and whether there are any.
func (s *Session) effective(o *genericObject) (*jsonObject, bool) {
	base := o.current()
	s.mu.Lock()
	ss := s.soft[o]
	s.mu.Unlock()
	if ss == nil {
		return base, false
	}
	p, qe := applyPatches(base, ss.patches)
	if qe != nil {
		// The base changed under the patches: show it without them.
		return base, false
	}
	return p, true
}

// softDependsOn reports whether the session's soft patches of o make it
// depend on one of the states.
func (s *Session) softDependsOn(o *genericObject, states []string, all bool) bool {
	s.mu.Lock()
	ss := s.soft[o]
	s.mu.Unlock()
	return ss != nil && ss.deps.match(states, all)
}
