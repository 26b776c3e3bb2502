package qix_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// field returns a Field handle.
func field(t testing.TB, c *client, doc int, name, state string) int {
	t.Helper()
	return handleOf(t, c.ok(doc, "GetField", name, state))
}

// selectionsOf returns "field=selected" of a state's current selections.
func selectionsOf(t testing.TB, c *client, doc int, state string) []string {
	t.Helper()
	h := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "current-selections"}, "qSelectionObjectDef": map[string]any{"qStateName": state}}))
	defer c.ok(doc, "DestroySessionObject", path(t, c.ok(h, "GetInfo"), "qInfo", "qId"))
	out := []string{}
	for _, it := range path(t, c.ok(h, "GetLayout"), "qLayout", "qSelectionObject", "qSelections").([]any) {
		s := it.(map[string]any)["qField"].(string) + "=" + it.(map[string]any)["qSelected"].(string)
		if it.(map[string]any)["qLocked"] == true {
			s += " (locked)"
		}
		out = append(out, s)
	}
	return out
}

// TestBookmarks: a bookmark stores every state's selections (values,
// search strings, locks) and applying it makes them again in one step.
func TestBookmarks(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	c.ok(doc, "AddAlternateState", "S1")
	require.Equal(t, true, c.ok(field(t, c, doc, "abcs", ""), "Select", "b")["qReturn"])
	nums := field(t, c, doc, "numbers", "")
	require.Equal(t, true, c.ok(nums, "SelectValues", []any{
		map[string]any{"qIsNumeric": true, "qNumber": 2}, map[string]any{"qIsNumeric": true, "qNumber": 3}})["qReturn"])
	c.ok(nums, "Lock")
	require.Equal(t, true, c.ok(field(t, c, doc, "xyz", "S1"), "Select", "z")["qReturn"])
	require.Equal(t, []string{"abcs=b", "numbers=2, 3 (locked)"}, selectionsOf(t, c, doc, "$"))

	r := c.ok(doc, "CreateBookmark", map[string]any{
		"qInfo": map[string]any{"qId": "BM01", "qType": "bookmark"}, "qMetaDef": map[string]any{"title": "Two and three"},
		"creationDate": "2026-01-01"})
	require.Equal(t, map[string]any{"qId": "BM01", "qType": "bookmark"}, r["qInfo"])
	bm := handleOf(t, r)
	require.Equal(t, "GenericBookmark", path(t, r, "qReturn", "qType"))

	lay := c.ok(bm, "GetLayout")["qLayout"]
	require.Equal(t, "Two and three", path(t, lay, "qMeta", "title"))
	require.Equal(t, "2026-01-01", path(t, lay, "creationDate"))
	require.Greater(t, path(t, lay, "qBookmark", "qUtcModifyTime").(float64), 40000.0)
	states := path(t, lay, "qBookmark", "qStateData").([]any)
	require.Len(t, states, 2)
	require.Equal(t, map[string]any{"qStateName": "$", "qFieldItems": []any{
		map[string]any{"qDef": map[string]any{"qName": "abcs", "qType": "PRESENT"}, "qSelectInfo": map[string]any{"qTextSearch": "b"},
			"qValues": []any{map[string]any{"qText": "b"}}, "qExcludedValues": []any{}},
		map[string]any{"qDef": map[string]any{"qName": "numbers", "qType": "PRESENT"}, "qLocked": true, "qSelectInfo": map[string]any{},
			"qValues":         []any{map[string]any{"qText": "2", "qIsNumeric": true, "qNumber": 2.0}, map[string]any{"qText": "3", "qIsNumeric": true, "qNumber": 3.0}},
			"qExcludedValues": []any{}},
	}}, states[0])
	require.Equal(t, "S1", path(t, states[1], "qStateName"))
	require.Equal(t, "xyz", path(t, states[1], "qFieldItems", 0, "qDef", "qName"))
	require.Equal(t, []any{
		map[string]any{"qFieldName": "abcs", "qValuesCount": 1.0, "qExcludedValuesCount": 0.0},
		map[string]any{"qFieldName": "numbers", "qValuesCount": 2.0, "qExcludedValuesCount": 0.0},
	}, path(t, lay, "qFieldInfos"))
	require.Equal(t, map[string]any{"qInfo": map[string]any{"qId": "BM01", "qType": "bookmark"},
		"qMetaDef": map[string]any{"title": "Two and three"}, "creationDate": "2026-01-01"}, c.ok(bm, "GetProperties")["qProp"])

	// Change everything, then apply: one Back step restores the bookmark.
	c.ok(doc, "ClearAll", true)
	c.ok(doc, "ClearAll", true, "S1")
	require.Equal(t, true, c.ok(field(t, c, doc, "xyz", ""), "Select", "x")["qReturn"])
	backs := c.ok(doc, "BackCount")["qReturn"].(float64)
	res := c.call(doc, "ApplyBookmark", []any{"BM01"})
	require.Nil(t, res.Error)
	require.Equal(t, map[string]any{"qSuccess": true}, res.Result)
	require.Contains(t, res.Change, doc)
	require.Equal(t, backs+1, c.ok(doc, "BackCount")["qReturn"])
	require.Equal(t, []string{"abcs=b", "numbers=2, 3 (locked)"}, selectionsOf(t, c, doc, "$"))
	require.Equal(t, []string{"xyz=z"}, selectionsOf(t, c, doc, "S1"))
	c.ok(doc, "Back")
	require.Equal(t, []string{"xyz=x"}, selectionsOf(t, c, doc, "$"))

	// Locked fields of the session stay when a bookmark is applied.
	c.ok(doc, "ClearAll", true)
	c.ok(field(t, c, doc, "xyz", ""), "Select", "y")
	c.ok(field(t, c, doc, "xyz", ""), "Lock")
	require.Equal(t, true, c.ok(bm, "Apply")["qSuccess"])
	require.Equal(t, []string{"xyz=y (locked)", "abcs=b", "numbers=2, 3 (locked)"}, selectionsOf(t, c, doc, "$"))
	c.ok(doc, "ClearAll", true)

	// Variables: stored with qIncludeVariables, restored on apply.
	v := handleOf(t, c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": "vLimit", "qDefinition": "3"}))
	r = c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "BM02"}, "qIncludeVariables": true, "qDistinctValues": true})
	bm2 := handleOf(t, r)
	require.Equal(t, "bookmark", path(t, r, "qInfo", "qType"))
	require.Equal(t, []any{map[string]any{"qName": "vLimit", "qDefinition": "3",
		"qValue": map[string]any{"qText": "3", "qIsNumeric": true, "qNumber": 3.0}}},
		path(t, c.ok(bm2, "GetLayout"), "qLayout", "qBookmark", "qVariableItems"))
	c.ok(v, "SetStringValue", "7")
	res = c.call(doc, "ApplyBookmark", []any{"BM02"})
	require.Nil(t, res.Error)
	require.Contains(t, res.Change, v)
	require.Equal(t, "3", path(t, c.ok(v, "GetLayout"), "qLayout", "qText"))
	// BM01 did not store variables.
	require.Equal(t, []any{}, path(t, c.ok(bm, "GetLayout"), "qLayout", "qBookmark", "qVariableItems"))

	// GetFieldValues pages through a field's stored values.
	require.Equal(t, []any{map[string]any{"qText": "2", "qIsNumeric": true, "qNumber": 2.0}, map[string]any{"qText": "3", "qIsNumeric": true, "qNumber": 3.0}},
		c.ok(bm, "GetFieldValues", "numbers", false, map[string]any{"qStartIndex": 0, "qEndIndex": 10})["qFieldValues"])
	require.Equal(t, []any{map[string]any{"qText": "3", "qIsNumeric": true, "qNumber": 3.0}},
		c.ok(bm, "GetFieldValues", "numbers", false, map[string]any{"qStartIndex": 1, "qEndIndex": 2})["qFieldValues"])
	require.Equal(t, []any{}, c.ok(bm, "GetFieldValues", "numbers", true, map[string]any{})["qFieldValues"])
	require.Equal(t, []any{}, c.ok(bm, "GetFieldValues", "nope", false, map[string]any{})["qFieldValues"])
	c.fails(-32602, bm, "GetFieldValues", "numbers", false, map[string]any{"qStartIndex": -1})

	// GetBookmarks and the bookmark list.
	list := c.ok(doc, "GetBookmarks", map[string]any{"qTypes": []any{"bookmark"}, "qData": map[string]any{"title": "/qMetaDef/title", "fields": "/qFieldInfos"}})["qList"].([]any)
	require.Len(t, list, 2)
	require.Equal(t, "BM01", path(t, list, 0, "qInfo", "qId"))
	require.Equal(t, "Two and three", path(t, list, 0, "qData", "title"))
	require.Equal(t, "Two and three", path(t, list, 0, "qMeta", "title"))
	require.Len(t, path(t, list, 0, "qData", "fields"), 2)
	require.Nil(t, path(t, list, 1, "qData", "title"))
	require.Empty(t, c.ok(doc, "GetBookmarks", map[string]any{"qTypes": []any{"other"}})["qList"])

	// Errors and unknown ids.
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(doc, "GetBookmark", "nope")["qReturn"])
	require.Equal(t, false, c.ok(doc, "ApplyBookmark", "nope")["qSuccess"])
	require.Equal(t, false, c.ok(doc, "DestroyBookmark", "nope")["qSuccess"])
	c.fails(-32602, doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{}, "qIncludeVariables": "yes"})
	c.fails(-32602, doc, "CreateBookmark", map[string]any{"qInfo": "x"})
	before := c.ok(bm, "GetProperties")["qProp"]
	c.fails(-32602, bm, "SetProperties", map[string]any{"qInfo": map[string]any{}, "qMetaDef": "x"})
	c.fails(4, bm, "ApplyPatches", []any{map[string]any{"qOp": "add", "qPath": "/creationDate/x/y", "qValue": "1"}})
	c.fails(-32602, bm, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/qDistinctValues", "qValue": `"x"`}})
	require.Equal(t, before, c.ok(bm, "GetProperties")["qProp"])
	c.ok(bm, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/qMetaDef/title", "qValue": `"Renamed"`}})
	require.Equal(t, "Renamed", path(t, c.ok(bm, "GetLayout"), "qLayout", "qMeta", "title"))
	require.Equal(t, bm, handleOf(t, c.ok(doc, "GetBookmark", "BM01")))

	// A state the app no longer has is skipped.
	c.ok(doc, "RemoveAlternateState", "S1")
	c.ok(doc, "ClearAll", true)
	require.Equal(t, true, c.ok(doc, "ApplyBookmark", "BM01")["qSuccess"])
	require.Equal(t, []string{"abcs=b", "numbers=2, 3 (locked)"}, selectionsOf(t, c, doc, "$"))

	res = c.call(doc, "DestroyBookmark", []any{"BM01"})
	require.Nil(t, res.Error)
	require.Equal(t, []int{bm}, res.Close)
	c.fails(-32602, bm, "Apply")
	require.Len(t, c.ok(doc, "GetBookmarks", map[string]any{})["qList"], 1)
}

// TestBookmarksSurviveReload: values are stored by text and number, so a
// reload that reorders the symbols and adds values still selects the same
// values; fields and values that are gone are skipped.
func TestBookmarksSurviveReload(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	c.ok(field(t, c, doc, "numbers", ""), "SelectValues", []any{
		map[string]any{"qIsNumeric": true, "qNumber": 4}, map[string]any{"qIsNumeric": true, "qNumber": 5}})
	c.ok(field(t, c, doc, "xyz", ""), "Select", "x")
	c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "bm"}})
	c.ok(doc, "SetScript", "TableA:\nnumbers,abcs\n9,q\n5,c\n1,a\n4,b\n\nTableC:\nnumbers,other\n5,u\n")
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	require.Empty(t, selectionsOf(t, c, doc, "$"))
	require.Equal(t, true, c.ok(doc, "ApplyBookmark", "bm")["qSuccess"])
	require.Equal(t, []string{"numbers=5, 4"}, selectionsOf(t, c, doc, "$"))
	lb := listbox(t, c, doc, "numbers", nil)
	require.Equal(t, []string{"9:A", "5:S", "1:A", "4:S"}, cells(t, c.ok(lb, "GetLayout")["qLayout"].(map[string]any)))
}

// TestBookmarksInSetAnalysis: set expressions reach a bookmark by id or
// title, in charts and in Evaluate, whatever the current selections.
func TestBookmarksInSetAnalysis(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShared(t, e, "sets.qvf")
	c.ok(doc, "AddAlternateState", "S1")
	c.ok(field(t, c, doc, "abcs", ""), "Select", "b")
	c.ok(field(t, c, doc, "abcs", "S1"), "Select", "c")
	c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "BM01"}, "qMetaDef": map[string]any{"title": "Bees"}})
	c.ok(doc, "ClearAll", false)
	c.ok(field(t, c, doc, "abcs", ""), "Select", "a")

	for expr, want := range map[string]string{
		"Sum(numbers)":                 "1",
		"Sum({BM01} numbers)":          "9",
		"Sum({Bees} numbers)":          "9",
		"Sum({[Bees]} numbers)":        "9",
		"Sum({S1::BM01} numbers)":      "5",
		"Sum({BM01<xyz={y}>} numbers)": "9",
		"Sum({1} numbers)":             "15",
	} {
		require.Equal(t, want, c.ok(doc, "Evaluate", expr)["qReturn"], expr)
	}
	require.Contains(t, c.ok(doc, "Evaluate", "Sum({NoSuchBookmark} numbers)")["qReturn"], "Error")

	// In a chart of another session on the app; it changes when the
	// bookmark goes.
	c2, doc2 := openShared(t, e, "sets.qvf")
	chart := handleOf(t, c2.ok(doc2, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "kpi"},
		"qHyperCubeDef": map[string]any{
			"qMeasures":         []any{map[string]any{"qDef": map[string]any{"qDef": "Sum({BM01} numbers)"}}},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 1}},
		},
	}))
	require.Equal(t, [][]string{{"9"}}, matrixTexts(t, c2.ok(chart, "GetLayout")["qLayout"].(map[string]any)))
	plain := handleOf(t, c2.ok(doc2, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": "x"}, "title": "no bookmark here"}))
	c2.out.take()
	c.ok(doc, "DestroyBookmark", "BM01")
	pushes := c2.out.take()
	require.Len(t, pushes, 1)
	require.Equal(t, []int{chart}, decode(t, pushes[0]).Change)
	require.NotContains(t, decode(t, pushes[0]).Change, plain)
	// (The cube itself is cached by the engine under its definition and the
	// selection states, so its value goes only once those change.)
}

// TestBookmarksConcurrently: sessions create, apply and use bookmarks in
// set analysis at the same time (run with -race).
func TestBookmarksConcurrently(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	_, _ = openShared(t, e, "conc.qvf")
	done := make(chan struct{})
	for i := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			c, doc := openShared(t, e, "conc.qvf")
			id := []string{"b0", "b1", "b2", "b3"}[i]
			value := []string{"a", "b", "c", "a"}[i]
			c.ok(field(t, c, doc, "abcs", ""), "Select", value)
			c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": id}})
			kpi := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
				"qInfo": map[string]any{"qType": "kpi"},
				"qHyperCubeDef": map[string]any{
					"qMeasures":         []any{map[string]any{"qDef": map[string]any{"qDef": "Sum({" + id + "} numbers)"}}},
					"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 1}},
				},
			}))
			for range 20 {
				c.ok(doc, "ClearAll")
				c.ok(doc, "ApplyBookmark", id)
				c.ok(kpi, "GetLayout")
				c.out.take()
			}
			require.Equal(t, []string{"abcs=" + value}, selectionsOf(t, c, doc, "$"))
		}()
	}
	for range 4 {
		<-done
	}
}

func BenchmarkApplyBookmark(b *testing.B) {
	e, _ := newEngine(b, qix.Options{})
	c, doc := openCorectlApp(b, e)
	c.ok(field(b, c, doc, "abcs", ""), "Select", "b")
	c.ok(field(b, c, doc, "xyz", ""), "Select", "y")
	c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "bm"}})
	b.ReportAllocs()
	for b.Loop() {
		c.ok(doc, "ApplyBookmark", "bm")
	}
}
