package qix_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

func TestApplyPatches(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	h := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "x"}, "title": "a", "list": []any{1, 2, 3},
		"qListObjectDef": map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Country"}},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 10}}},
	}))
	p := func(op, path, value string) map[string]any {
		return map[string]any{"qOp": op, "qPath": path, "qValue": value}
	}
	// Hard patches change the properties.
	r := c.call(h, "ApplyPatches", []any{[]any{
		p("replace", "/title", `"b"`), p("add", "/list/1", `9`), p("add", "/list/-", `{"x":true}`),
		p("remove", "/list/0", ""), p("add", "/new/deep", `[1]`), p("Replace", "/list/0", `"r"`),
	}})
	require.Nil(t, r.Error)
	require.Equal(t, []int{h}, r.Change)
	props := c.ok(h, "GetProperties")["qProp"].(map[string]any)
	require.Equal(t, "b", props["title"])
	require.Equal(t, []any{"r", 2.0, 3.0, map[string]any{"x": true}}, props["list"])
	require.Equal(t, map[string]any{"deep": []any{1.0}}, props["new"])

	// Soft patches only show in the layout and the effective properties.
	c.ok(h, "ApplyPatches", []any{p("replace", "/title", `"soft"`),
		p("replace", "/qListObjectDef/qDef/qFieldDefs", `["Product"]`)}, true)
	l := lo(t, c, h)
	require.Equal(t, "soft", l["title"])
	require.Equal(t, true, l["qHasSoftPatches"])
	require.Equal(t, []string{"Apple:O", "Banana:O", "Cherry:O"}, cells(t, l))
	require.Equal(t, "b", path(t, c.ok(h, "GetProperties"), "qProp", "title"))
	require.Equal(t, "soft", path(t, c.ok(h, "GetEffectiveProperties"), "qProp", "title"))
	// Selections go through the effective definition.
	c.ok(h, "SelectListObjectValues", "/qListObjectDef", []int{2}, false)
	require.Equal(t, []string{"Apple:X", "Banana:X", "Cherry:S"}, cells(t, lo(t, c, h))) // no qShowAlternatives
	// Soft patches of a persistent object stay in their session.
	appID := path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qFileName")
	ph := handleOf(t, c.ok(doc, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": "P", "qType": "x"}, "title": "base"}))
	c.ok(ph, "ApplyPatches", []any{p("replace", "/title", `"mine"`)}, true)
	c2 := connect(t, e, qix.SessionParams{})
	d2 := handleOf(t, c2.ok(-1, "OpenDoc", appID))
	p2 := handleOf(t, c2.ok(d2, "GetObject", "P"))
	require.Equal(t, "base", lo(t, c2, p2)["title"])
	require.Equal(t, "mine", lo(t, c, ph)["title"])
	r = c.call(h, "ClearSoftPatches", []any{})
	require.Equal(t, []int{h}, r.Change)
	l = lo(t, c, h)
	require.Equal(t, "b", l["title"])
	require.NotContains(t, l, "qHasSoftPatches")
	require.Empty(t, c.call(h, "ClearSoftPatches", []any{}).Change)

	// Errors.
	tests := []struct {
		name  string
		patch map[string]any
		code  int
	}{
		{"qInfo", p("replace", "/qInfo/qId", `"x"`), 8},
		{"bad op", p("move", "/title", `1`), -32602},
		{"root", p("replace", "/", `{}`), -32602},
		{"no slash", p("replace", "title", `1`), -32602},
		{"bad JSON", p("add", "/title", `{`), -32602},
		{"value not a string", map[string]any{"qOp": "add", "qPath": "/t", "qValue": 5}, -32602},
		{"index out of range", p("replace", "/list/9", `1`), 4},
		{"bad index", p("add", "/list/x", `1`), 4},
		{"dash not add", p("remove", "/list/-", ``), 4},
		{"through a scalar", p("add", "/title/x", `1`), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { c.fails(tt.code, h, "ApplyPatches", []any{tt.patch}) })
	}
	require.Equal(t, "b", path(t, c.ok(h, "GetProperties"), "qProp", "title"), "failed patches change nothing")
}

// TestSoftPatchedSelectionObject follows nebula's current-selections bar:
// alternate states are soft-patched in and then change with selections in
// those states.
func TestSoftPatchedSelectionObject(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	c.ok(doc, "AddAlternateState", "S1")
	cs := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "current-selections"}, "qSelectionObjectDef": map[string]any{"qStateName": "$"},
		"alternateStates": []any{}}))
	c.ok(cs, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/alternateStates",
		"qValue": `[{"stateName":"S1","qSelectionObjectDef":{"qStateName":"S1"}}]`}}, true)
	f := handleOf(t, c.ok(doc, "GetField", "Country", "S1"))
	r := c.call(f, "Select", []any{"SE"})
	require.Contains(t, r.Change, cs)
	require.Equal(t, "Country", path(t, lo(t, c, cs), "alternateStates", 0, "qSelectionObject", "qSelections", 0, "qField"))
}
