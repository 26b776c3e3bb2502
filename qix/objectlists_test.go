package qix_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// layoutOf returns qLayout of a handle.
func layoutOf(t testing.TB, c *client, h int) map[string]any {
	t.Helper()
	return c.ok(h, "GetLayout")["qLayout"].(map[string]any)
}

// TestObjectLists: the dimension, measure, bookmark, variable and media
// list definitions, and the objects that show them change when the lists
// do.
func TestObjectLists(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShared(t, e, "lists.qvf")
	c2, doc2 := openShared(t, e, "lists.qvf")
	lists := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo":             map[string]any{"qType": "lists"},
		"qDimensionListDef": map[string]any{"qType": "dimension", "qData": map[string]any{"title": "/qMetaDef/title", "grouping": "/qDim/qGrouping", "info": "/qDimInfos", "none": "/nope"}},
		"qMeasureListDef":   map[string]any{"qType": "measure", "qData": map[string]any{"measure": "/qMeasure"}},
		"qBookmarkListDef":  map[string]any{"qType": "bookmark", "qData": map[string]any{"title": "/qMetaDef/title", "states": "/qBookmark/qStateData"}},
		"qMediaListDef":     map[string]any{},
		"lib":               map[string]any{"qNxLibraryDimensionDef": map[string]any{"qFieldDefs": []any{"xyz"}}, "qNxLibraryMeasureDef": map[string]any{"qDef": "Sum(x)"}},
		"nested":            []any{map[string]any{"qMeasureListDef": map[string]any{}}},
	}))
	lay := layoutOf(t, c, lists)
	for _, k := range []string{"qDimensionList", "qMeasureList", "qBookmarkList", "qMediaList"} {
		require.Equal(t, map[string]any{"qItems": []any{}}, lay[k], k)
	}
	require.NotContains(t, lay, "qDimensionListDef")
	require.Equal(t, map[string]any{"qGrouping": "N", "qFieldDefs": []any{"xyz"}, "qFieldLabels": []any{}}, path(t, lay, "lib", "qNxLibraryDimension"))
	require.Equal(t, map[string]any{"qDef": "Sum(x)", "qGrouping": "N", "qExpressions": []any{}, "qActiveExpression": 0.0,
		"qNumFormat": map[string]any{"qType": "U", "qnDec": 10.0, "qUseThou": 0.0}}, path(t, lay, "lib", "qNxLibraryMeasure"))
	require.Equal(t, map[string]any{"qItems": []any{}}, path(t, lay, "nested", 0, "qMeasureList"))
	other := handleOf(t, c2.ok(doc2, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "dims"}, "qDimensionListDef": map[string]any{"qType": "dimension"}}))
	c2.out.take()

	// Creating a dimension changes the lists here and in the other session.
	r := c.call(doc, "CreateDimension", []any{map[string]any{"qInfo": map[string]any{"qId": "d", "qType": "dimension"},
		"qDim": map[string]any{"qFieldDefs": []any{"xyz"}}, "qMetaDef": map[string]any{"title": "Letters"}}})
	require.Nil(t, r.Error)
	require.Contains(t, r.Change, lists)
	pushes := c2.out.take()
	require.Len(t, pushes, 1)
	require.Equal(t, []int{other}, decode(t, pushes[0]).Change)
	c.ok(doc, "CreateDimension", map[string]any{"qInfo": map[string]any{"qId": "other-type", "qType": "custom"}, "qDim": map[string]any{}})
	c.ok(doc, "CreateMeasure", map[string]any{"qInfo": map[string]any{"qId": "m"}, "qMeasure": map[string]any{"qDef": "Sum(numbers)"}})
	c.ok(field(t, c, doc, "xyz", ""), "Select", "y")
	r = c.call(doc, "CreateBookmark", []any{map[string]any{"qInfo": map[string]any{"qId": "b"}, "qMetaDef": map[string]any{"title": "Why"}}})
	require.Nil(t, r.Error)
	require.Contains(t, r.Change, lists)

	lay = layoutOf(t, c, lists)
	dims := path(t, lay, "qDimensionList", "qItems").([]any)
	require.Len(t, dims, 1)
	require.Equal(t, map[string]any{"qId": "d", "qType": "dimension"}, path(t, dims, 0, "qInfo"))
	require.Equal(t, "Letters", path(t, dims, 0, "qMeta", "title"))
	require.Equal(t, []any{"read", "update", "delete", "exportdata"}, path(t, dims, 0, "qMeta", "privileges"))
	require.Equal(t, map[string]any{"title": "Letters", "grouping": "N", "none": nil,
		"info": []any{map[string]any{"qApprMaxGlyphCount": 1.0, "qCardinal": 3.0, "qTags": []any{"$ascii", "$text"}}}},
		path(t, dims, 0, "qData"))
	require.Equal(t, "Sum(numbers)", path(t, lay, "qMeasureList", "qItems", 0, "qData", "measure", "qDef"))
	bms := path(t, lay, "qBookmarkList", "qItems").([]any)
	require.Len(t, bms, 1)
	require.Equal(t, "Why", path(t, bms, 0, "qData", "title"))
	require.Equal(t, "xyz", path(t, bms, 0, "qData", "states", 0, "qFieldItems", 0, "qDef", "qName"))
	// Without a type every kind is listed.
	require.Len(t, path(t, lay, "nested", 0, "qMeasureList", "qItems"), 1)
	c2.out.take()
	require.Len(t, path(t, layoutOf(t, c2, other), "qDimensionList", "qItems"), 1)

	// Renaming a bookmark and destroying a measure change the lists too.
	bm := handleOf(t, c.ok(doc, "GetBookmark", "b"))
	r = c.call(bm, "ApplyPatches", []any{[]any{map[string]any{"qOp": "replace", "qPath": "/qMetaDef/title", "qValue": `"Y"`}}})
	require.Nil(t, r.Error)
	require.Contains(t, r.Change, lists)
	r = c.call(doc, "DestroyMeasure", []any{"m"})
	require.Nil(t, r.Error)
	require.Contains(t, r.Change, lists)
	require.Equal(t, []any{}, path(t, layoutOf(t, c, lists), "qMeasureList", "qItems"))

	// Doc.GetMediaList: no media.
	require.Equal(t, map[string]any{"qList": map[string]any{"qItems": []any{}}, "qReturn": true}, c.ok(doc, "GetMediaList"))
	// The selection object shows the Back/Forward counts.
	sel := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": "cs"}, "qSelectionObjectDef": map[string]any{}}))
	c.ok(doc, "Back")
	require.Equal(t, 0.0, path(t, layoutOf(t, c, sel), "qSelectionObject", "qBackCount"))
	require.Equal(t, 1.0, path(t, layoutOf(t, c, sel), "qSelectionObject", "qForwardCount"))
}

// TestVariableList: app, script and session variables; reserved ones only
// when asked for.
func TestVariableList(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	require.NoError(t, e.CreateApp(context.Background(), "vars.qvf", "", "SET vScript=42;\n"+corectlScript, true))
	c, doc := openShared(t, e, "vars.qvf")
	c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qId": "v1", "qType": "variable"}, "qName": "vApp", "qDefinition": "=Sum(numbers)", "qComment": "total", "tags": []any{"x"}})
	c.ok(doc, "CreateSessionVariable", map[string]any{"qInfo": map[string]any{"qId": "s1", "qType": "variable"}, "qName": "vSession", "qDefinition": "1"})

	names := func(def map[string]any) []string {
		h := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": "vl"}, "qVariableListDef": def}))
		var out []string
		for _, it := range path(t, layoutOf(t, c, h), "qVariableList", "qItems").([]any) {
			out = append(out, it.(map[string]any)["qName"].(string))
		}
		return out
	}
	require.Equal(t, []string{"vApp", "vScript"}, names(map[string]any{"qType": "variable"}))
	require.Equal(t, []string{"vApp", "vScript", "vSession"}, names(map[string]any{"qType": "variable", "qShowSession": true}))
	require.Equal(t, []string{"DecimalSep", "ThousandSep", "vApp", "vScript"}, names(map[string]any{"qType": "variable", "qShowReserved": true}))
	require.Empty(t, names(map[string]any{"qType": "other"}))

	h := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": "vl"},
		"qVariableListDef": map[string]any{"qType": "variable", "qShowReserved": true, "qData": map[string]any{"tags": "/tags"}}}))
	items := path(t, layoutOf(t, c, h), "qVariableList", "qItems").([]any)
	require.Equal(t, map[string]any{"qName": "DecimalSep", "qDefinition": ".", "qIsReserved": true,
		"qMeta": map[string]any{"privileges": []any{"read", "update", "delete", "exportdata"}},
		"qInfo": map[string]any{"qId": "script:DecimalSep", "qType": "variable"}, "qData": map[string]any{"tags": nil},
		"qIsScriptCreated": true}, items[0])
	require.Equal(t, "vApp", path(t, items, 2, "qName"))
	require.Equal(t, "total", path(t, items, 2, "qDescription"))
	require.Equal(t, "=Sum(numbers)", path(t, items, 2, "qDefinition"))
	require.Equal(t, []any{"x"}, path(t, items, 2, "qData", "tags"))
	require.NotContains(t, items[2], "qIsScriptCreated")
	require.Equal(t, "42", path(t, items, 3, "qDefinition"))
	require.Equal(t, "script:vScript", path(t, items, 3, "qInfo", "qId"))
	require.Equal(t, true, path(t, items, 3, "qIsScriptCreated"))
	// Its id reaches the variable.
	require.Equal(t, "42", path(t, layoutOf(t, c, handleOf(t, c.ok(doc, "GetVariableById", "script:vScript"))), "qText"))
}

// TestGetObjectsAndAllInfos: GetObjects filters by type and includes
// session objects on request; GetAllInfos lists every persistent object.
func TestGetObjectsAndAllInfos(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShared(t, e, "objs.qvf")
	sheet := handleOf(t, c.ok(doc, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": "s", "qType": "sheet"}, "qMetaDef": map[string]any{"title": "S"}, "rank": 2}))
	c.ok(sheet, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "k", "qType": "chart"}})
	c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qId": "tmp", "qType": "chart"}})
	c.ok(doc, "CreateDimension", map[string]any{"qInfo": map[string]any{"qId": "d"}, "qDim": map[string]any{}})
	c.ok(doc, "CreateMeasure", map[string]any{"qInfo": map[string]any{"qId": "m"}, "qMeasure": map[string]any{}})
	c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "b"}})
	c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qId": "v"}, "qName": "vX"})

	ids := func(list any) []string {
		out := []string{}
		for _, it := range list.([]any) {
			out = append(out, path(t, it, "qInfo", "qId").(string))
		}
		return out
	}
	require.Equal(t, []string{"s", "k"}, ids(c.ok(doc, "GetObjects", map[string]any{})["qList"]))
	require.Equal(t, []string{"s", "k"}, ids(c.ok(doc, "GetObjects", map[string]any{"qTypes": []any{""}})["qList"]))
	require.Equal(t, []string{"k", "tmp"}, ids(c.ok(doc, "GetObjects", map[string]any{"qTypes": []any{"chart"}, "qIncludeSessionObjects": true})["qList"]))
	list := c.ok(doc, "GetObjects", map[string]any{"qTypes": []any{"sheet"}, "qData": map[string]any{"rank": "/rank", "title": "/qMetaDef/title"}})["qList"]
	require.Equal(t, []any{map[string]any{"qInfo": map[string]any{"qId": "s", "qType": "sheet"},
		"qMeta": map[string]any{"title": "S", "privileges": []any{"read", "update", "delete", "exportdata"}},
		"qData": map[string]any{"rank": 2.0, "title": "S"}}}, list)
	c.fails(-32602, doc, "GetObjects", "x")

	infos := c.ok(doc, "GetAllInfos")["qInfos"]
	require.Equal(t, []any{
		map[string]any{"qId": "s", "qType": "sheet"}, map[string]any{"qId": "k", "qType": "chart"},
		map[string]any{"qId": "d", "qType": "dimension"}, map[string]any{"qId": "m", "qType": "measure"},
		map[string]any{"qId": "b", "qType": "bookmark"}, map[string]any{"qId": "v", "qType": "variable"},
	}, infos)
}

// TestLibraryPersistence: master items, bookmarks, children and variables
// are saved with the app and come back in a new engine on the same store.
func TestLibraryPersistence(t *testing.T) {
	store := qix.NewMemoryStore()
	e, _ := newEngine(t, qix.Options{Store: store})
	c, doc := openShared(t, e, "saved.qvf")
	c.ok(doc, "AddAlternateState", "S1")
	c.ok(doc, "CreateDimension", map[string]any{"qInfo": map[string]any{"qId": "d"}, "qDim": map[string]any{"qFieldDefs": []any{"xyz"}}, "qMetaDef": map[string]any{"title": "Letters"}})
	c.ok(doc, "CreateMeasure", map[string]any{"qInfo": map[string]any{"qId": "m"}, "qMeasure": map[string]any{"qDef": "Count(numbers)"}})
	sheet := handleOf(t, c.ok(doc, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": "sheet", "qType": "sheet"}}))
	kid := handleOf(t, c.ok(sheet, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "kid", "qType": "table"},
		"qHyperCubeDef": map[string]any{"qDimensions": []any{map[string]any{"qLibraryId": "d"}}, "qMeasures": []any{map[string]any{"qLibraryId": "m"}},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 2, "qHeight": 5}}}}))
	c.ok(kid, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "grandkid", "qType": "text"}, "text": "hi"})
	c.ok(sheet, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "kid2", "qType": "text"}})
	c.ok(doc, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": "lonely", "qType": "sheet"}})
	c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qId": "v"}, "qName": "vX", "qDefinition": "5"})
	c.ok(field(t, c, doc, "xyz", ""), "Select", "y")
	c.ok(field(t, c, doc, "abcs", "S1"), "Select", "a")
	c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "bm"}, "qMetaDef": map[string]any{"title": "Y"}, "qIncludeVariables": true})
	treeBefore := c.ok(sheet, "GetFullPropertyTree")["qPropEntry"]
	bmBefore := layoutOf(t, c, handleOf(t, c.ok(doc, "GetBookmark", "bm")))
	c.ok(doc, "DoSave")

	e2, _ := newEngine(t, qix.Options{Store: store})
	c2, doc2 := openShared(t, e2, "saved.qvf")
	require.Equal(t, []any{"S1"}, path(t, c2.ok(doc2, "GetAppLayout"), "qLayout", "qStateNames"))
	sheet2 := handleOf(t, c2.ok(doc2, "GetObject", "sheet"))
	require.Equal(t, treeBefore, c2.ok(sheet2, "GetFullPropertyTree")["qPropEntry"])
	kid2 := handleOf(t, c2.ok(sheet2, "GetChild", "kid"))
	require.Equal(t, [][]string{{"x", "1"}, {"y", "3"}, {"z", "1"}}, matrixTexts(t, layoutOf(t, c2, kid2)))
	require.Equal(t, sheet2, handleOf(t, c2.ok(kid2, "GetParent")))
	require.Equal(t, "Letters", path(t, layoutOf(t, c2, handleOf(t, c2.ok(doc2, "GetDimension", "d"))), "qMeta", "title"))
	require.Equal(t, []any{
		map[string]any{"qId": "sheet", "qType": "sheet"}, map[string]any{"qId": "kid", "qType": "table"},
		map[string]any{"qId": "grandkid", "qType": "text"}, map[string]any{"qId": "kid2", "qType": "text"},
		map[string]any{"qId": "lonely", "qType": "sheet"},
		map[string]any{"qId": "d", "qType": "dimension"}, map[string]any{"qId": "m", "qType": "measure"},
		map[string]any{"qId": "bm", "qType": "bookmark"}, map[string]any{"qId": "v", "qType": "variable"},
	}, c2.ok(doc2, "GetAllInfos")["qInfos"])
	bm2 := handleOf(t, c2.ok(doc2, "GetBookmark", "bm"))
	require.Equal(t, bmBefore, layoutOf(t, c2, bm2))
	v2 := handleOf(t, c2.ok(doc2, "GetVariableByName", "vX"))
	c2.ok(v2, "SetStringValue", "6")
	require.Equal(t, true, c2.ok(bm2, "Apply")["qSuccess"])
	require.Equal(t, []string{"xyz=y"}, selectionsOf(t, c2, doc2, "$"))
	require.Equal(t, []string{"abcs=a"}, selectionsOf(t, c2, doc2, "S1"))
	require.Equal(t, "5", path(t, layoutOf(t, c2, v2), "qText"))
	require.Equal(t, "3", c2.ok(doc2, "Evaluate", "Count({bm} numbers)")["qReturn"])

	// Destroying a parent and saving again removes the subtree for good.
	c2.ok(doc2, "DestroyObject", "sheet")
	c2.ok(doc2, "DoSave")
	e3, _ := newEngine(t, qix.Options{Store: store})
	c3, doc3 := openShared(t, e3, "saved.qvf")
	require.Len(t, c3.ok(doc3, "GetObjects", map[string]any{})["qList"], 1)
}

// TestDamagedLibrarySnapshot: a snapshot whose master items, bookmarks or
// object trees are damaged is refused with a clear error.
func TestDamagedLibrarySnapshot(t *testing.T) {
	for name, snap := range map[string]*qix.AppSnapshot{
		"dimension not JSON":      {Dimensions: [][]byte{[]byte("{")}},
		"dimension without qDim":  {Dimensions: [][]byte{[]byte(`{"qInfo":{"qId":"d"}}`)}},
		"duplicate measure":       {Measures: [][]byte{[]byte(`{"qInfo":{"qId":"m"},"qMeasure":{}}`), []byte(`{"qInfo":{"qId":"m"},"qMeasure":{}}`)}},
		"bookmark without id":     {Bookmarks: [][]byte{[]byte(`{"qProperties":{"qInfo":{}},"qBookmark":{}}`)}},
		"bookmark bad states":     {Bookmarks: [][]byte{[]byte(`{"qProperties":{"qInfo":{"qId":"b"}},"qBookmark":{"qStateData":[{"qFieldItems":[{"qDef":{}}]}]}}`)}},
		"bookmark bad number":     {Bookmarks: [][]byte{[]byte(`{"qProperties":{"qInfo":{"qId":"b"}},"qBookmark":{"qStateData":[{"qFieldItems":[{"qDef":{"qName":"f"},"qValues":[{"qIsNumeric":true}]}]}]}}`)}},
		"tree children not array": {Objects: [][]byte{[]byte(`{"qProperty":{"qInfo":{"qId":"a"}},"qChildren":{}}`)}},
		"tree duplicate child id": {Objects: [][]byte{[]byte(`{"qProperty":{"qInfo":{"qId":"a"}},"qChildren":[{"qProperty":{"qInfo":{"qId":"a"}}}]}`)}},
	} {
		t.Run(name, func(t *testing.T) {
			store := qix.NewMemoryStore()
			snap.ID = "bad.qvf"
			require.NoError(t, store.Save(snap))
			e, _ := newEngine(t, qix.Options{Store: store})
			c := connect(t, e, qix.SessionParams{AppID: "bad.qvf"})
			r := c.call(-1, "OpenDoc", []any{"bad.qvf"})
			require.NotNil(t, r.Error, "%s", r.raw)
			require.Contains(t, r.Error.Parameter, "cannot load app")
		})
	}
}
