package qix_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

func TestVariables(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	res := c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": "vTotal", "qDefinition": "=Sum(numbers)"})
	h := handleOf(t, res)
	l := c.ok(h, "GetLayout")["qLayout"]
	require.Equal(t, "15", path(t, l, "qText"))
	require.EqualValues(t, 15, path(t, l, "qNum"))
	require.Equal(t, "vTotal", path(t, l, "qName"))
	// the variable in expressions, bare and expanded
	require.Equal(t, "30", c.ok(doc, "Evaluate", "vTotal*2")["qReturn"])
	require.Equal(t, "16", c.ok(doc, "Evaluate", "$(vTotal)+1")["qReturn"])
	// a plain value, changed with SetNumValue, used in set analysis
	v2 := handleOf(t, c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": "vMin", "qDefinition": "3"}))
	require.Equal(t, "12", c.ok(doc, "Evaluate", `Sum({<numbers={">=$(vMin)"}>} numbers)`)["qReturn"])
	c.ok(v2, "SetNumValue", 4)
	require.Equal(t, "9", c.ok(doc, "Evaluate", `Sum({<numbers={">=$(vMin)"}>} numbers)`)["qReturn"])
	c.ok(v2, "SetStringValue", "5")
	require.Equal(t, "5", c.ok(doc, "Evaluate", "vMin")["qReturn"])
	// lookups, duplicates, script variables
	byName := c.ok(doc, "GetVariableByName", "vMin")["qReturn"]
	require.Equal(t, "GenericVariable", path(t, byName, "qType"))
	c.fails(18001, doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": "vMin"})
	sv := c.ok(doc, "GetVariableByName", "ThousandSep")["qReturn"]
	sh := handleOf(t, map[string]any{"qReturn": sv})
	sl := c.ok(sh, "GetLayout")["qLayout"]
	require.Equal(t, true, path(t, sl, "qIsScriptCreated"))
	require.Equal(t, false, c.ok(doc, "DestroyVariableByName", "ThousandSep")["qSuccess"])
	missing := c.ok(doc, "GetVariableById", "nope")["qReturn"]
	require.Nil(t, path(t, missing, "qHandle"))
	// a selection changes the "=" variable
	lb := listbox(t, c, doc, "xyz", nil)
	r := c.call(lb, "SelectListObjectValues", []any{"/qListObjectDef", []int{0}, false})
	require.Contains(t, r.Change, h)
	require.Equal(t, "5", path(t, c.ok(h, "GetLayout")["qLayout"], "qText"))
	require.Equal(t, true, c.ok(doc, "DestroyVariableById", path(t, byName, "qGenericId"))["qSuccess"])
	require.Nil(t, path(t, c.ok(doc, "GetVariableByName", "vMin")["qReturn"], "qHandle"))
	// session variables
	c.ok(doc, "CreateSessionVariable", map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": "vSess", "qDefinition": "'x'"})
	require.Equal(t, "x", c.ok(doc, "Evaluate", "$(vSess)")["qReturn"])
}

// TestChartsFollowVariablesAndBookmarks: a cached cube is not reused after
// a variable or a bookmark it reads changes, although the selections did
// not.
func TestChartsFollowVariablesAndBookmarks(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	v := handleOf(t, c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": "vK", "qDefinition": "2"}))
	chart := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "table"},
		"qHyperCubeDef": map[string]any{"qMeasures": []any{
			map[string]any{"qDef": map[string]any{"qDef": "Sum(numbers)*vK"}},
			map[string]any{"qDef": map[string]any{"qDef": "Sum({BMX} numbers)"}},
		}},
	}))
	cell := func(col int) string {
		l := c.ok(chart, "GetLayout")["qLayout"]
		return path(t, l, "qHyperCube", "qGrandTotalRow", col, "qText").(string)
	}
	require.Equal(t, "30", cell(0))
	c.ok(v, "SetNumValue", 3)
	require.Equal(t, "45", cell(0))
	// A bookmark made while one value is selected, then destroyed.
	lb := listbox(t, c, doc, "numbers", nil)
	c.ok(lb, "SelectListObjectValues", "/qListObjectDef", []int{0}, false)
	c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "BMX", "qType": "bookmark"}})
	c.ok(doc, "ClearAll")
	withBM := cell(1)
	c.ok(doc, "DestroyBookmark", "BMX")
	require.NotEqual(t, withBM, cell(1), "the set expression no longer finds the bookmark")
}
