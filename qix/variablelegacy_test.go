package qix_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// TestLegacyVariables covers the deprecated Doc.CreateVariable /
// GetVariable / RemoveVariable and the Variable class.
func TestLegacyVariables(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	r := c.call(doc, "CreateVariable", []any{"vTotal"})
	require.Nil(t, r.Error)
	require.Equal(t, map[string]any{"qReturn": true}, r.Result)
	require.Contains(t, r.Change, doc)
	require.Equal(t, map[string]any{"qReturn": false}, c.ok(doc, "CreateVariable", "vTotal"))
	c.fails(18000, doc, "CreateVariable", " ")

	res := c.ok(doc, "GetVariable", "vTotal")
	v := handleOf(t, res)
	id := path(t, res, "qReturn", "qGenericId").(string)
	require.Equal(t, map[string]any{"qType": "Variable", "qHandle": float64(v), "qGenericType": "variable", "qGenericId": id},
		res["qReturn"])
	require.Equal(t, v, handleOf(t, c.ok(doc, "GetVariable", "vTotal")), "the same handle again")
	require.Equal(t, map[string]any{"qReturn": map[string]any{"qType": nil, "qHandle": nil}}, c.ok(doc, "GetVariable", "nope"))

	require.Equal(t, map[string]any{"qReturn": ""}, c.ok(v, "GetRawContent"))
	require.Equal(t, map[string]any{"qReturn": true}, c.ok(v, "SetContent", "=Sum(numbers)", false))
	require.Equal(t, map[string]any{"qReturn": "=Sum(numbers)"}, c.ok(v, "GetRawContent"))
	require.Equal(t, map[string]any{"qContent": map[string]any{"qString": "15", "qIsNum": true}}, c.ok(v, "GetContent"))
	c.ok(field(t, c, doc, "abcs", ""), "Select", "b")
	require.Equal(t, map[string]any{"qContent": map[string]any{"qString": "9", "qIsNum": true}}, c.ok(v, "GetContent"))
	c.ok(v, "SetContent", "North", true)
	require.Equal(t, map[string]any{"qContent": map[string]any{"qString": "North", "qIsNum": false}}, c.ok(v, "GetContent"))
	require.Equal(t, map[string]any{}, c.ok(v, "ForceContent", "", 2.5))
	require.Equal(t, map[string]any{"qContent": map[string]any{"qString": "2.5", "qIsNum": true}}, c.ok(v, "GetContent"))
	c.ok(v, "ForceContent", "two", 2)
	require.Equal(t, "two", c.ok(v, "GetRawContent")["qReturn"])
	c.fails(-32602, v, "ForceContent", "x", "y")

	// The GenericVariable view of the same variable sees the change.
	gv := handleOf(t, c.ok(doc, "GetVariableByName", "vTotal"))
	require.NotEqual(t, v, gv)
	require.Equal(t, "two", path(t, c.ok(gv, "GetProperties"), "qProp", "qDefinition"))
	require.Equal(t, map[string]any{"qReturn": "two"}, c.ok(gv, "GetRawContent"))

	require.Equal(t, map[string]any{"qProperties": map[string]any{"qName": "vTotal",
		"qNumberPresentation": map[string]any{"qType": "U", "qnDec": 10.0, "qUseThou": 0.0},
		"qIncludeInBookmark":  false, "qUsePredefListedValues": false, "qPreDefinedList": []any{}}}, c.ok(v, "GetNxProperties"))
	c.ok(v, "SetNxProperties", map[string]any{"qName": "vRenamed", "qIncludeInBookmark": true,
		"qUsePredefListedValues": true, "qPreDefinedList": []string{"a", "b"}})
	require.Equal(t, map[string]any{"qProperties": map[string]any{"qName": "vRenamed",
		"qNumberPresentation": map[string]any{"qType": "U", "qnDec": 10.0, "qUseThou": 0.0},
		"qIncludeInBookmark":  true, "qUsePredefListedValues": true, "qPreDefinedList": []any{"a", "b"}}}, c.ok(v, "GetNxProperties"))
	require.Equal(t, "vRenamed", path(t, c.ok(gv, "GetProperties"), "qProp", "qName"))
	c.ok(doc, "CreateVariable", "vOther")
	c.fails(18001, v, "SetNxProperties", map[string]any{"qName": "vOther"})
	c.fails(-32602, v, "SetNxProperties", map[string]any{"qIncludeInBookmark": "yes"})

	// GetVariables lists them like a qVariableListDef.
	list := c.ok(doc, "GetVariables", map[string]any{"qType": "variable", "qData": map[string]any{"def": "/qDefinition"}})["qList"].([]any)
	require.Len(t, list, 2)
	require.Equal(t, "vOther", path(t, list, 0, "qName"))
	require.Equal(t, "vRenamed", path(t, list, 1, "qName"))
	require.Equal(t, "two", path(t, list, 1, "qData", "def"))
	withReserved := c.ok(doc, "GetVariables", map[string]any{"qShowReserved": true})["qList"].([]any)
	require.Len(t, withReserved, 4) // DecimalSep, ThousandSep from the script

	// Removing: script variables cannot be removed; a removed variable's
	// handles stop working.
	require.Equal(t, map[string]any{"qReturn": false}, c.ok(doc, "RemoveVariable", "DecimalSep"))
	require.Equal(t, map[string]any{"qReturn": false}, c.ok(doc, "RemoveVariable", "nope"))
	r = c.call(doc, "RemoveVariable", []any{"vRenamed"})
	require.Equal(t, map[string]any{"qReturn": true}, r.Result)
	require.Equal(t, []int{gv}, r.Close)
	c.fails(2, v, "GetContent")
	c.fails(2, v, "SetContent", "x", false)

	// A script variable through the legacy API: readable, not writable.
	sv := handleOf(t, c.ok(doc, "GetVariable", "ThousandSep"))
	require.Equal(t, map[string]any{"qReturn": ","}, c.ok(sv, "GetRawContent"))
	require.Equal(t, map[string]any{"qReturn": false}, c.ok(sv, "SetContent", ";", false))
	c.fails(5, sv, "ForceContent", ";", 0)
	c.fails(5, sv, "SetNxProperties", map[string]any{"qName": "x"})
	// ... and it survives a reload, found again by name.
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	require.Equal(t, map[string]any{"qContent": map[string]any{"qString": ",", "qIsNum": false}}, c.ok(sv, "GetContent"))
}

func TestDestroySessionVariableByIdAndName(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	mk := func(name string, session bool) (int, string) {
		method := "CreateVariableEx"
		if session {
			method = "CreateSessionVariable"
		}
		res := c.ok(doc, method, map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": name, "qDefinition": "1"})
		return handleOf(t, res), path(t, res, "qReturn", "qGenericId").(string)
	}
	h1, id1 := mk("vS1", true)
	h2, _ := mk("vS2", true)
	_, appID := mk("vApp", false)
	// App variables are not session variables.
	require.Equal(t, map[string]any{"qSuccess": false}, c.ok(doc, "DestroySessionVariableById", appID))
	require.Equal(t, map[string]any{"qSuccess": false}, c.ok(doc, "DestroySessionVariableByName", "vApp"))
	r := c.call(doc, "DestroySessionVariableById", []any{id1})
	require.Equal(t, map[string]any{"qSuccess": true}, r.Result)
	require.Equal(t, []int{h1}, r.Close)
	r = c.call(doc, "DestroySessionVariableByName", []any{"vS2"})
	require.Equal(t, map[string]any{"qSuccess": true}, r.Result)
	require.Equal(t, []int{h2}, r.Close)
	require.Equal(t, map[string]any{"qSuccess": false}, c.ok(doc, "DestroySessionVariableByName", "vS2"))
	c.fails(-32602, doc, "DestroySessionVariableById", 1)
}

func TestGenericVariablePatches(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	h := handleOf(t, c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qType": "variable"},
		"qName": "vP", "qDefinition": "=Max(numbers)"}))
	p := func(op, path, value string) map[string]any {
		return map[string]any{"qOp": op, "qPath": path, "qValue": value}
	}
	r := c.call(h, "ApplyPatches", []any{[]any{p("replace", "/qDefinition", `"=Min(numbers)"`), p("add", "/qComment", `"lowest"`)}})
	require.Nil(t, r.Error)
	require.Contains(t, r.Change, h)
	lay := c.ok(h, "GetLayout")["qLayout"]
	require.Equal(t, "1", path(t, lay, "qText"))
	require.Equal(t, "lowest", path(t, lay, "qComment"))
	require.Equal(t, map[string]any{"qReturn": "=Min(numbers)"}, c.ok(h, "GetRawContent"))
	c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": "vQ"})
	c.fails(18001, h, "ApplyPatches", []any{p("replace", "/qName", `"vQ"`)})
	c.fails(18000, h, "ApplyPatches", []any{p("replace", "/qName", `""`)})
	c.fails(8, h, "ApplyPatches", []any{p("replace", "/qInfo/qId", `"x"`)})
	c.fails(-32602, h, "ApplyPatches", []any{p("replace", "/qDefinition", `not json`)})
	require.Equal(t, "vP", path(t, c.ok(h, "GetProperties"), "qProp", "qName"))
	// Script variables are the script's.
	sv := handleOf(t, c.ok(doc, "GetVariableByName", "DecimalSep"))
	c.fails(5, sv, "ApplyPatches", []any{p("replace", "/qDefinition", `","`)})
	require.Equal(t, map[string]any{"qReturn": "."}, c.ok(sv, "GetRawContent"))
}
