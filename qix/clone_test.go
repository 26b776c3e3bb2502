package qix_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// TestCloneObject: a clone of a sheet is a deep copy with new ids, its
// children too, and it is independent of its source.
func TestCloneObject(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	sheet := handleOf(t, c.ok(doc, "CreateObject", map[string]any{
		"qInfo": map[string]any{"qId": "sheet1", "qType": "sheet"}, "qMetaDef": map[string]any{"title": "Sales"},
		"cells":         []any{map[string]any{"name": "chart1", "col": 0}, map[string]any{"name": "chart2", "col": 12}},
		"qChildListDef": map[string]any{"qData": map[string]any{"title": "/title"}}}))
	c1 := handleOf(t, c.ok(sheet, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "chart1", "qType": "barchart"},
		"title": "Bars", "qHyperCubeDef": map[string]any{"qDimensions": []any{map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"abcs"}}}}}}))
	c.ok(sheet, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "chart2", "qType": "table"}, "title": "Table"})
	c.ok(c1, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "deep", "qType": "tooltip"}, "ref": "chart1"})

	r := c.call(doc, "CloneObject", []any{"sheet1"})
	require.Nil(t, r.Error, "%s", r.raw)
	cloneID := r.Result["qCloneId"].(string)
	require.Regexp(t, `^[0-9a-f-]{36}$`, cloneID)
	require.Len(t, r.Result, 1)

	clone := handleOf(t, c.ok(doc, "GetObject", cloneID))
	props := c.ok(clone, "GetProperties")["qProp"].(map[string]any)
	require.Equal(t, map[string]any{"qId": cloneID, "qType": "sheet"}, props["qInfo"])
	require.Equal(t, "Sales", path(t, props, "qMetaDef", "title"))
	kids := path(t, c.ok(clone, "GetChildInfos"), "qInfos").([]any)
	require.Len(t, kids, 2)
	k1, k2 := path(t, kids, 0, "qId").(string), path(t, kids, 1, "qId").(string)
	require.NotContains(t, []string{"chart1", "chart2"}, k1)
	require.Equal(t, "barchart", path(t, kids, 0, "qType"))
	require.Equal(t, "table", path(t, kids, 1, "qType"))
	// The cells name the cloned charts.
	require.Equal(t, []any{map[string]any{"name": k1, "col": 0.0}, map[string]any{"name": k2, "col": 12.0}}, props["cells"])
	// Grandchildren too, with their references rewritten.
	kh := handleOf(t, c.ok(doc, "GetObject", k1))
	deep := path(t, c.ok(kh, "GetChildInfos"), "qInfos", 0, "qId").(string)
	require.NotEqual(t, "deep", deep)
	dh := handleOf(t, c.ok(doc, "GetObject", deep))
	require.Equal(t, k1, path(t, c.ok(dh, "GetProperties"), "qProp", "ref"))
	require.Equal(t, cloneID, path(t, c.ok(kh, "GetParent"), "qReturn", "qGenericId"))
	// The clone computes like the source.
	require.Equal(t, path(t, c.ok(c1, "GetLayout"), "qLayout", "qHyperCube", "qDataPages"),
		path(t, c.ok(kh, "GetLayout"), "qLayout", "qHyperCube", "qDataPages"))
	require.Equal(t, []any{map[string]any{"qInfo": map[string]any{"qId": k1, "qType": "barchart"}, "qMeta": map[string]any{"privileges": layoutPrivileges},
		"qData": map[string]any{"title": "Bars"}}, map[string]any{"qInfo": map[string]any{"qId": k2, "qType": "table"},
		"qMeta": map[string]any{"privileges": layoutPrivileges}, "qData": map[string]any{"title": "Table"}}},
		path(t, c.ok(clone, "GetLayout"), "qLayout", "qChildList", "qItems"))

	// Independent: changing or destroying the source leaves the clone.
	c.ok(c1, "SetProperties", map[string]any{"qInfo": map[string]any{"qId": "chart1", "qType": "barchart"}, "title": "Changed"})
	require.Equal(t, "Bars", path(t, c.ok(kh, "GetProperties"), "qProp", "title"))
	c.ok(doc, "DestroyObject", "sheet1")
	require.Equal(t, "Bars", path(t, c.ok(kh, "GetProperties"), "qProp", "title"))
	require.Len(t, path(t, c.ok(clone, "GetChildInfos"), "qInfos"), 2)

	// A child clone stays with the same parent.
	r = c.call(doc, "CloneObject", []any{k2})
	require.Nil(t, r.Error)
	k3 := r.Result["qCloneId"].(string)
	require.Equal(t, []string{k1, k2, k3}, infoIDs(t, path(t, c.ok(clone, "GetChildInfos"), "qInfos")))
	require.Contains(t, r.Change, clone)

	// Errors: unknown ids and session objects.
	c.fails(2, doc, "CloneObject", "nope")
	c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qId": "sess", "qType": "x"}})
	c.fails(8, doc, "CloneObject", "sess")
	c.fails(-32602, doc, "CloneObject", 3)
}

// layoutPrivileges are the privileges every layout's qMeta carries.
var layoutPrivileges = []any{"read", "update", "delete", "exportdata"}

func TestCloneLibraryItems(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	c.ok(doc, "CreateDimension", map[string]any{"qInfo": map[string]any{"qId": "D1", "qType": "dimension"},
		"qDim": map[string]any{"qFieldDefs": []string{"abcs"}}, "qMetaDef": map[string]any{"title": "Letters"}})
	c.ok(doc, "CreateMeasure", map[string]any{"qInfo": map[string]any{"qId": "M1", "qType": "measure"},
		"qMeasure": map[string]any{"qDef": "Sum(numbers)", "qLabel": "Total"}})
	c.ok(field(t, c, doc, "abcs", ""), "Select", "b")
	c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "B1", "qType": "bookmark"}, "qMetaDef": map[string]any{"title": "Bees"}})
	c.ok(doc, "ClearAll")

	for _, tt := range []struct{ method, get, id, key string }{
		{"CloneDimension", "GetDimension", "D1", "qDim"},
		{"CloneMeasure", "GetMeasure", "M1", "qMeasure"},
		{"CloneBookmark", "GetBookmark", "B1", "qMetaDef"},
	} {
		t.Run(tt.method, func(t *testing.T) {
			res := c.ok(doc, tt.method, tt.id)
			require.Len(t, res, 1)
			id := res["qCloneId"].(string)
			require.NotEqual(t, tt.id, id)
			src := c.ok(handleOf(t, c.ok(doc, tt.get, tt.id)), "GetProperties")["qProp"].(map[string]any)
			h := handleOf(t, c.ok(doc, tt.get, id))
			got := c.ok(h, "GetProperties")["qProp"].(map[string]any)
			require.Equal(t, id, path(t, got, "qInfo", "qId"))
			require.Equal(t, path(t, src, "qInfo", "qType"), path(t, got, "qInfo", "qType"))
			require.Equal(t, src[tt.key], got[tt.key])
			c.fails(2, doc, tt.method, "nope")
		})
	}
	// The cloned bookmark has the selections; the cloned measure is
	// independent of its source.
	bms := c.ok(doc, "GetBookmarks", map[string]any{"qTypes": []string{"bookmark"}})["qList"].([]any)
	require.Len(t, bms, 2)
	clone := path(t, bms, 1, "qInfo", "qId").(string)
	require.Equal(t, true, c.ok(doc, "ApplyBookmark", clone)["qSuccess"])
	require.Equal(t, []string{"abcs=b"}, selectionsOf(t, c, doc, "$"))
	meas := c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": "ml"},
		"qMeasureListDef": map[string]any{"qType": "measure", "qData": map[string]any{"def": "/qMeasure/qDef"}}})
	items := path(t, c.ok(handleOf(t, meas), "GetLayout"), "qLayout", "qMeasureList", "qItems").([]any)
	require.Len(t, items, 2)
	m2 := handleOf(t, c.ok(doc, "GetMeasure", path(t, items, 1, "qInfo", "qId")))
	c.ok(handleOf(t, c.ok(doc, "GetMeasure", "M1")), "SetProperties", map[string]any{"qInfo": map[string]any{"qId": "M1", "qType": "measure"},
		"qMeasure": map[string]any{"qDef": "Count(numbers)"}})
	require.Equal(t, "Sum(numbers)", path(t, c.ok(m2, "GetMeasure"), "qMeasure", "qDef"))
}
