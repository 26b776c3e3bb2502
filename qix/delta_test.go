package qix_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// applyPatch applies an RFC 6902 patch (add, replace, remove) to v, the
// way enigma.js does, for checking delta answers.
func applyPatch(t *testing.T, v any, ops []any) any {
	t.Helper()
	for _, o := range ops {
		op := o.(map[string]any)
		p := op["path"].(string)
		if p == "/" {
			v = op["value"]
			continue
		}
		keys := splitPointer(p)
		parent := v
		for _, k := range keys[:len(keys)-1] {
			parent = child(t, parent, k)
		}
		last := keys[len(keys)-1]
		switch c := parent.(type) {
		case map[string]any:
			if op["op"] == "remove" {
				delete(c, last)
			} else {
				c[last] = op["value"]
			}
		case []any:
			var i int
			require.NoError(t, json.Unmarshal([]byte(last), &i))
			c[i] = op["value"]
		}
	}
	return v
}

func splitPointer(p string) []string {
	var out []string
	cur := ""
	for _, r := range p[1:] {
		if r == '/' {
			out = append(out, cur)
			cur = ""
			continue
		}
		cur += string(r)
	}
	return append(out, cur)
}

func child(t *testing.T, v any, k string) any {
	switch c := v.(type) {
	case map[string]any:
		return c[k]
	case []any:
		var i int
		require.NoError(t, json.Unmarshal([]byte(k), &i))
		return c[i]
	}
	t.Fatalf("cannot step into %T with %q", v, k)
	return nil
}

func TestDeltaMode(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	lb := listbox(t, c, doc, "xyz", nil)
	get := func(delta bool) *resp {
		id := c.nextID()
		b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "handle": lb, "method": "GetLayout", "params": []any{}, "delta": delta})
		frames := c.raw(string(b))
		require.Len(t, frames, 1)
		return decode(t, frames[0])
	}
	plain := get(false).Result["qLayout"]
	first := get(true)
	require.Contains(t, string(first.raw), `"delta":true`)
	var cache any = applyPatch(t, nil, first.Result["qLayout"].([]any))
	require.Equal(t, plain, cache)
	// unchanged: an empty patch
	same := get(true)
	require.Empty(t, same.Result["qLayout"])
	// after a selection: a patch that turns the cached layout into the new one
	c.ok(lb, "SelectListObjectValues", "/qListObjectDef", []int{1}, false)
	next := get(true)
	require.NotEmpty(t, next.Result["qLayout"])
	cache = applyPatch(t, cache, next.Result["qLayout"].([]any))
	require.Equal(t, get(false).Result["qLayout"], cache)
	// methods returning qReturn never answer in delta form
	id := c.nextID()
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "handle": doc, "method": "Evaluate", "params": []any{"1+1"}, "delta": true})
	r := decode(t, c.raw(string(b))[0])
	require.NotContains(t, string(r.raw), `"delta":true`)
	require.Equal(t, "2", r.Result["qReturn"])
}

// TestAbortedModalLeavesNoHistory: selections made in selection mode and
// then aborted leave neither their selections nor Back steps.
func TestAbortedModalLeavesNoHistory(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	lb := listbox(t, c, doc, "xyz", nil)
	before := c.ok(doc, "BackCount")["qReturn"]
	c.ok(lb, "BeginSelections", []string{"/qListObjectDef"})
	c.ok(lb, "SelectListObjectValues", "/qListObjectDef", []int{0}, false)
	c.ok(lb, "SelectListObjectValues", "/qListObjectDef", []int{1}, true)
	c.ok(lb, "EndSelections", false)
	require.Equal(t, before, c.ok(doc, "BackCount")["qReturn"])
	require.Equal(t, "5", c.ok(doc, "Evaluate", "Count(numbers)")["qReturn"])
}
