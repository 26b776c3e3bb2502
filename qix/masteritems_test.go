package qix_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// readJSON reads a test data file into v.
func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

// requireGolden compares a result value with a golden JSON file.
func requireGolden(t testing.TB, golden string, got any) {
	t.Helper()
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	b, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(b), "golden %s", golden)
}

// corectlEntities creates corectl's using-entities master items and objects
// in the doc and returns the objects' handles by id.
func corectlEntities(t testing.TB, c *client, doc int) map[string]int {
	t.Helper()
	var dims, meas, objs []map[string]any
	readJSON(t, "testdata/corectl/using-entities-dimensions.json", &dims)
	readJSON(t, "testdata/corectl/using-entities-measures.json", &meas)
	readJSON(t, "testdata/corectl/using-entities-objects.json", &objs)
	for _, d := range dims {
		r := c.ok(doc, "CreateDimension", d)
		require.Equal(t, d["qInfo"], r["qInfo"])
	}
	for _, m := range meas {
		r := c.ok(doc, "CreateMeasure", m)
		require.Equal(t, m["qInfo"], r["qInfo"])
	}
	hs := map[string]int{}
	for _, o := range objs {
		hs[path(t, o, "qInfo", "qId").(string)] = handleOf(t, c.ok(doc, "CreateObject", o))
	}
	return hs
}

// matrixTexts returns the qText of every cell of a hypercube layout's
// first data page, row by row.
func matrixTexts(t testing.TB, layout map[string]any) [][]string {
	t.Helper()
	var out [][]string
	for _, row := range path(t, layout, "qHyperCube", "qDataPages", 0, "qMatrix").([]any) {
		var r []string
		for _, cell := range row.([]any) {
			r = append(r, cell.(map[string]any)["qText"].(string))
		}
		out = append(out, r)
	}
	return out
}

// TestMasterItemGoldens: dimension and measure layouts and properties are
// the real engine's (corectl goldens), and a hypercube built from master
// items gives corectl's table.
func TestMasterItemGoldens(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	objs := corectlEntities(t, c, doc)

	dim := handleOf(t, c.ok(doc, "GetDimension", "dimension-abcs"))
	requireGolden(t, "testdata/corectl/TestDimensionManagementCommands_dimension_layout_dimension-abcs.golden", c.ok(dim, "GetLayout")["qLayout"])
	requireGolden(t, "testdata/corectl/TestDimensionManagementCommands_dimension_properties_dimension-abcs.golden", c.ok(dim, "GetProperties")["qProp"])
	meas := handleOf(t, c.ok(doc, "GetMeasure", "measure-sum-numbers"))
	requireGolden(t, "testdata/corectl/TestMeasureManagementCommands_measure_layout_measure-sum-numbers.golden", c.ok(meas, "GetLayout")["qLayout"])
	requireGolden(t, "testdata/corectl/TestMeasureManagementCommands_measure_properties_measure-sum-numbers.golden", c.ok(meas, "GetProperties")["qProp"])
	require.Equal(t, map[string]any{"qId": "dimension-abcs", "qType": "dimension"}, c.ok(dim, "GetInfo")["qInfo"])
	require.Equal(t, map[string]any{"qGrouping": "N", "qFieldDefs": []any{"abcs"}, "qFieldLabels": []any{}}, c.ok(dim, "GetDimension")["qDim"])
	require.Equal(t, "Sum(numbers)", path(t, c.ok(meas, "GetMeasure"), "qMeasure", "qDef"))

	// corectl's "object data" of the object using master items:
	// +-----+----------------+
	// | xyz | Count(numbers) |
	// | x   |              1 | ...
	lay := c.ok(objs["object-using-dims-and-measures"], "GetLayout")["qLayout"].(map[string]any)
	require.Equal(t, [][]string{{"x", "1"}, {"y", "3"}, {"z", "1"}}, matrixTexts(t, lay))
	require.Equal(t, "xyz", path(t, lay, "qHyperCube", "qDimensionInfo", 0, "qFallbackTitle"))
	require.Equal(t, "dimension-xyz", path(t, lay, "qHyperCube", "qDimensionInfo", 0, "qLibraryId"))
	require.Equal(t, "Count(numbers)", path(t, lay, "qHyperCube", "qMeasureInfo", 0, "qFallbackTitle"))
	require.Equal(t, "measure-count-numbers", path(t, lay, "qHyperCube", "qMeasureInfo", 0, "qLibraryId"))
	// The same data as the inline object.
	inline := c.ok(objs["object-using-inline"], "GetLayout")["qLayout"].(map[string]any)
	require.Equal(t, matrixTexts(t, inline), matrixTexts(t, lay))
	// GetHyperCubeData resolves the master items too.
	pages := c.ok(objs["object-using-dims-and-measures"], "GetHyperCubeData", "/qHyperCubeDef",
		[]any{map[string]any{"qLeft": 0, "qTop": 1, "qWidth": 2, "qHeight": 1}})
	require.Equal(t, "3", path(t, pages, "qDataPages", 0, "qMatrix", 0, 1, "qText"))
	// GetProperties keeps the reference, not the resolved definition.
	props := c.ok(objs["object-using-dims-and-measures"], "GetProperties")["qProp"]
	require.Equal(t, "dimension-xyz", path(t, props, "qHyperCubeDef", "qDimensions", 0, "qLibraryId"))
	require.Equal(t, map[string]any{"qGrouping": "N", "qFieldDefs": []any{}, "qFieldLabels": []any{}, "qSortCriterias": []any{}, "qNumberPresentations": []any{}, "qActiveField": 0.0},
		path(t, props, "qHyperCubeDef", "qDimensions", 0, "qDef"))

	// Linked objects of a master item.
	xyz := handleOf(t, c.ok(doc, "GetDimension", "dimension-xyz"))
	require.Equal(t, []any{map[string]any{"qRootId": "object-using-dims-and-measures",
		"qInfo": map[string]any{"qId": "object-using-dims-and-measures", "qType": "my-hypercube"}}},
		c.ok(xyz, "GetLinkedObjects")["qItems"])
	require.Equal(t, []any{}, c.ok(dim, "GetLinkedObjects")["qItems"])
}

// TestMasterItemMethods: creation, errors, patches and destruction.
func TestMasterItemMethods(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)

	// Ids: given, generated, taken; qType defaults to dimension/measure.
	r := c.ok(doc, "CreateDimension", map[string]any{"qInfo": map[string]any{"qId": "d1"}, "qDim": map[string]any{"qFieldDefs": []any{"xyz"}}})
	require.Equal(t, map[string]any{"qId": "d1", "qType": "dimension"}, r["qInfo"])
	require.Equal(t, map[string]any{"qType": "GenericDimension", "qHandle": float64(handleOf(t, r)), "qGenericType": "dimension", "qGenericId": "d1"}, r["qReturn"])
	r2 := c.ok(doc, "CreateDimension", map[string]any{"qInfo": map[string]any{"qId": "d1", "qType": "dimension"}, "qDim": map[string]any{"qFieldDefs": []any{"abcs"}}})
	require.NotEqual(t, "d1", path(t, r2, "qInfo", "qId"))
	m := c.ok(doc, "CreateMeasure", map[string]any{"qInfo": map[string]any{}, "qMeasure": map[string]any{"qDef": "Sum(numbers)", "qLabel": "Total"}})
	require.Equal(t, "measure", path(t, m, "qInfo", "qType"))
	require.NotEmpty(t, path(t, m, "qInfo", "qId"))
	d1 := handleOf(t, r)

	errs := []struct {
		name   string
		method string
		params []any
		code   int
	}{
		{"no qDim", "CreateDimension", []any{map[string]any{"qInfo": map[string]any{"qType": "dimension"}}}, -32602},
		{"qDim not an object", "CreateDimension", []any{map[string]any{"qInfo": map[string]any{}, "qDim": "abcs"}}, -32602},
		{"field defs not strings", "CreateDimension", []any{map[string]any{"qInfo": map[string]any{}, "qDim": map[string]any{"qFieldDefs": []any{1}}}}, -32602},
		{"bad grouping", "CreateDimension", []any{map[string]any{"qInfo": map[string]any{}, "qDim": map[string]any{"qGrouping": "Z"}}}, -32602},
		{"no qInfo", "CreateDimension", []any{map[string]any{"qDim": map[string]any{}}}, -32602},
		{"qMeasure.qDef not a string", "CreateMeasure", []any{map[string]any{"qInfo": map[string]any{}, "qMeasure": map[string]any{"qDef": 1}}}, -32602},
		{"qNumFormat not an object", "CreateMeasure", []any{map[string]any{"qInfo": map[string]any{}, "qMeasure": map[string]any{"qNumFormat": "R"}}}, -32602},
		{"qProp not an object", "CreateMeasure", []any{"x"}, -32602},
		{"qId not a string", "GetDimension", []any{1}, -32602},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { c.fails(tc.code, doc, tc.method, tc.params...) })
	}

	// Unknown ids: the null handle form, qSuccess false.
	for _, method := range []string{"GetDimension", "GetMeasure"} {
		require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(doc, method, "nope")["qReturn"])
	}
	require.Equal(t, false, c.ok(doc, "DestroyDimension", "nope")["qSuccess"])
	// A master item is not a generic object.
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(doc, "GetObject", "d1")["qReturn"])

	// Patches: a good one applies, bad ones change nothing.
	c.ok(d1, "ApplyPatches", []any{map[string]any{"qOp": "add", "qPath": "/qMetaDef/title", "qValue": `"XYZ"`}})
	require.Equal(t, "XYZ", path(t, c.ok(d1, "GetLayout"), "qLayout", "qMeta", "title"))
	before := c.ok(d1, "GetProperties")["qProp"]
	c.fails(4, d1, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/qDim/qFieldDefs/7", "qValue": `"x"`}})
	c.fails(-32602, d1, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/qDim", "qValue": `"x"`}})
	c.fails(-32602, d1, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/qDim/qFieldDefs", "qValue": `[1]`}})
	c.fails(8, d1, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/qInfo/qId", "qValue": `"x"`}})
	c.fails(-32602, d1, "SetProperties", map[string]any{"qInfo": map[string]any{"qId": "d1"}, "qDim": []any{}})
	require.Equal(t, before, c.ok(d1, "GetProperties")["qProp"])

	// SetProperties cannot change the id or the type.
	c.ok(d1, "SetProperties", map[string]any{"qInfo": map[string]any{"qId": "other", "qType": "x"}, "qDim": map[string]any{"qFieldDefs": []any{"numbers"}, "qFieldLabels": []any{"Numbers"}}, "custom": 1})
	lay := c.ok(d1, "GetLayout")["qLayout"]
	require.Equal(t, map[string]any{"qId": "d1", "qType": "dimension"}, path(t, lay, "qInfo"))
	require.Equal(t, 1.0, path(t, lay, "custom"))
	require.Equal(t, 5.0, path(t, lay, "qDimInfos", 0, "qCardinal"))
	// A field the model lacks has an empty info.
	c.ok(d1, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/qDim/qFieldDefs", "qValue": `["numbers","nope"]`}})
	require.Equal(t, map[string]any{"qApprMaxGlyphCount": 0.0, "qCardinal": 0.0, "qTags": []any{}}, path(t, c.ok(d1, "GetLayout"), "qLayout", "qDimInfos", 1))

	// Destroying closes the handle.
	res := c.call(doc, "DestroyDimension", []any{"d1"})
	require.Nil(t, res.Error)
	require.Equal(t, map[string]any{"qSuccess": true}, res.Result)
	require.Equal(t, []int{d1}, res.Close)
	c.fails(-32602, d1, "GetLayout")
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(doc, "GetDimension", "d1")["qReturn"])
}

// openShared opens app id (created with the corectl data when it does not
// exist) in a new session.
func openShared(t testing.TB, e *qix.Engine, id string) (*client, int) {
	t.Helper()
	_ = e.CreateApp(context.Background(), id, "", corectlScript, true)
	c := connect(t, e, qix.SessionParams{AppID: id})
	return c, handleOf(t, c.ok(-1, "OpenDoc", id))
}

// TestMasterItemReferences: qLibraryId in hypercubes and list objects, a
// missing id (7001), and changes reaching every object that uses the
// master item, in this session and in another one.
func TestMasterItemReferences(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShared(t, e, "refs.qvf")
	c2, doc2 := openShared(t, e, "refs.qvf")

	cube := func(id string) map[string]any {
		return map[string]any{
			"qInfo": map[string]any{"qType": "table"},
			"qHyperCubeDef": map[string]any{
				"qDimensions":       []any{map[string]any{"qLibraryId": id, "qDef": map[string]any{"qSortCriterias": []any{map[string]any{"qSortByAscii": -1}}}}},
				"qMeasures":         []any{map[string]any{"qDef": map[string]any{"qDef": "Sum(numbers)"}}},
				"qInitialDataFetch": []any{map[string]any{"qWidth": 2, "qHeight": 10}},
			},
		}
	}
	// A missing master item: 7001 in the layout's qError.
	obj := handleOf(t, c.ok(doc, "CreateSessionObject", cube("dim")))
	lay := c.ok(obj, "GetLayout")["qLayout"]
	require.Equal(t, map[string]any{"qErrorCode": 7001.0, "qContext": "dim"}, path(t, lay, "qHyperCube", "qError"))
	list := handleOf(t, c2.ok(doc2, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "listbox"},
		"qListObjectDef": map[string]any{"qLibraryId": "dim",
			"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 10}}},
	}))
	require.Equal(t, 7001.0, path(t, c2.ok(list, "GetLayout"), "qLayout", "qListObject", "qDimensionInfo", "qError", "qErrorCode"))
	other := handleOf(t, c.ok(doc, "CreateSessionObject", cube("unrelated")))

	// Creating it changes the objects that refer to it, in both sessions.
	c2.out.take()
	r := c.call(doc, "CreateDimension", []any{map[string]any{"qInfo": map[string]any{"qId": "dim"}, "qDim": map[string]any{"qFieldDefs": []any{"abcs"}, "qFieldLabels": []any{"Letters"}}}})
	require.Nil(t, r.Error)
	dim := handleOf(t, r.Result)
	require.Contains(t, r.Change, obj)
	require.Contains(t, r.Change, dim)
	require.NotContains(t, r.Change, other)
	pushes := c2.out.take()
	require.Len(t, pushes, 1)
	require.Equal(t, []int{list}, decode(t, pushes[0]).Change)

	lay = c.ok(obj, "GetLayout")["qLayout"]
	require.Nil(t, path(t, lay, "qHyperCube").(map[string]any)["qError"])
	require.Equal(t, [][]string{{"c", "5"}, {"b", "9"}, {"a", "1"}}, matrixTexts(t, lay.(map[string]any)))
	require.Equal(t, "Letters", path(t, lay, "qHyperCube", "qDimensionInfo", 0, "qFallbackTitle"))
	lo2 := c2.ok(list, "GetLayout")["qLayout"].(map[string]any)
	require.Equal(t, []string{"a:O", "b:O", "c:O"}, cells(t, lo2))
	require.Equal(t, "Letters", path(t, lo2, "qListObject", "qDimensionInfo", "qFallbackTitle"))
	require.Equal(t, "dim", path(t, lo2, "qListObject", "qDimensionInfo", "qLibraryId"))

	// Selections through the list object work on the master item's field.
	require.Equal(t, true, c2.ok(list, "SelectListObjectValues", "/qListObjectDef", []int{1}, false)["qSuccess"])
	require.Equal(t, []string{"a:X", "b:S", "c:X"}, cells(t, c2.ok(list, "GetLayout")["qLayout"].(map[string]any)))
	c2.ok(doc2, "ClearAll")

	// Changing the master item changes its users everywhere.
	c2.out.take()
	r = c.call(dim, "ApplyPatches", []any{[]any{map[string]any{"qOp": "replace", "qPath": "/qDim/qFieldDefs", "qValue": `["xyz"]`}}})
	require.Nil(t, r.Error)
	require.Contains(t, r.Change, obj)
	require.Contains(t, r.Change, dim)
	pushes = c2.out.take()
	require.Len(t, pushes, 1)
	require.Equal(t, []int{list}, decode(t, pushes[0]).Change)
	require.Equal(t, [][]string{{"z", "1"}, {"y", "9"}, {"x", "5"}}, matrixTexts(t, c.ok(obj, "GetLayout")["qLayout"].(map[string]any)))
	require.Equal(t, []string{"x:O", "y:O", "z:O"}, cells(t, c2.ok(list, "GetLayout")["qLayout"].(map[string]any)))

	// A persistent object using it is changed in both sessions.
	p := cube("dim")
	p["qInfo"] = map[string]any{"qId": "chart", "qType": "table"}
	chart := handleOf(t, c.ok(doc, "CreateObject", p))
	chart2 := handleOf(t, c2.ok(doc2, "GetObject", "chart"))
	c2.out.take()
	r = c.call(dim, "SetProperties", []any{map[string]any{"qInfo": map[string]any{"qId": "dim"}, "qDim": map[string]any{"qFieldDefs": []any{"numbers"}}}})
	require.Nil(t, r.Error)
	require.Contains(t, r.Change, chart)
	var got []int
	for _, f := range c2.out.take() {
		got = append(got, decode(t, f).Change...)
	}
	require.ElementsMatch(t, []int{list, chart2}, got)

	// Destroying it: its users show 7001 again and change.
	r = c.call(doc, "DestroyDimension", []any{"dim"})
	require.Nil(t, r.Error)
	require.Equal(t, []int{dim}, r.Close)
	require.Contains(t, r.Change, obj)
	require.Equal(t, 7001.0, path(t, c.ok(chart, "GetLayout"), "qLayout", "qHyperCube", "qError", "qErrorCode"))
	got = nil
	for _, f := range c2.out.take() {
		got = append(got, decode(t, f).Change...)
	}
	require.ElementsMatch(t, []int{list, chart2}, got)
	require.Equal(t, false, c2.ok(list, "SelectListObjectValues", "/qListObjectDef", []int{0}, false)["qSuccess"])

	// A master measure: its definition and label win over the inline ones.
	c.ok(doc, "CreateMeasure", map[string]any{"qInfo": map[string]any{"qId": "m"}, "qMeasure": map[string]any{"qDef": "Count(numbers)", "qLabel": "N"}})
	mo := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "kpi"},
		"qHyperCubeDef": map[string]any{
			"qMeasures":         []any{map[string]any{"qLibraryId": "m", "qDef": map[string]any{"qDef": "Sum(numbers)", "qLabel": "inline"}}},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 1}},
		},
	}))
	lay = c.ok(mo, "GetLayout")["qLayout"]
	require.Equal(t, "N", path(t, lay, "qHyperCube", "qMeasureInfo", 0, "qFallbackTitle"))
	require.Equal(t, "m", path(t, lay, "qHyperCube", "qMeasureInfo", 0, "qLibraryId"))
	require.Equal(t, [][]string{{"5"}}, matrixTexts(t, lay.(map[string]any)))
}
