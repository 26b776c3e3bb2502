package qix_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// pivotDef is Region and Country on the left, Year on top, Sum(Amount).
func pivotDef(extra map[string]any) map[string]any {
	def := map[string]any{
		"qDimensions":       []any{dim("Region"), dim("Country"), dim("Year")},
		"qMeasures":         []any{msr("Sum(Amount)")},
		"qMode":             "P",
		"qNoOfLeftDims":     2,
		"qInitialDataFetch": []any{map[string]any{"qWidth": 10, "qHeight": 10}},
	}
	for k, v := range extra {
		def[k] = v
	}
	return def
}

// treeLines renders NxPivotDimensionCell trees one node a line, indented
// by depth, "+" for qCanExpand and "-" for qCanCollapse.
func treeLines(t testing.TB, nodes any) []string {
	t.Helper()
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		for _, n := range v.([]any) {
			m := n.(map[string]any)
			s := strings.Repeat(" ", depth) + m["qText"].(string)
			if m["qCanExpand"] == true {
				s += " +"
			}
			if m["qCanCollapse"] == true {
				s += " -"
			}
			out = append(out, s)
			walk(m["qSubNodes"], depth+1)
		}
	}
	walk(nodes, 0)
	return out
}

// dataTexts returns the qText of a pivot page's data matrix.
func dataTexts(t testing.TB, page any) [][]string {
	t.Helper()
	var out [][]string
	for _, row := range path(t, page, "qData").([]any) {
		var r []string
		for _, cell := range row.([]any) {
			r = append(r, cell.(map[string]any)["qText"].(string))
		}
		out = append(out, r)
	}
	return out
}

// pivotPage returns the first pivot page of the layout and its size.
func pivotPage(t testing.TB, c *client, h int) (page, size any) {
	t.Helper()
	l := lo(t, c, h)
	return path(t, l, "qHyperCube", "qPivotDataPages", 0), path(t, l, "qHyperCube", "qSize")
}

func TestPivotExpandCollapseLeft(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openChartApp(t, e)
	p := cubeObject(t, c, doc, pivotDef(nil))

	// Collapsed by default: the first left dimension, with subtotals.
	page, size := pivotPage(t, c, p)
	want := `{"qLeft":[
		{"qText":"East","qElemNo":0,"qValue":"NaN","qCanExpand":true,"qType":"N","qUp":0,"qDown":0,"qSubNodes":[]},
		{"qText":"West","qElemNo":1,"qValue":"NaN","qCanExpand":true,"qType":"N","qUp":0,"qDown":0,"qSubNodes":[]}],
	"qTop":[
		{"qText":"2020","qElemNo":0,"qValue":2020,"qType":"N","qUp":0,"qDown":0,"qSubNodes":[]},
		{"qText":"2021","qElemNo":1,"qValue":2021,"qType":"N","qUp":0,"qDown":0,"qSubNodes":[]}],
	"qData":[
		[{"qText":"40","qNum":40,"qType":"V"},{"qText":"25","qNum":25,"qType":"V"}],
		[{"qText":"50","qNum":50,"qType":"V"},{"qText":"67","qNum":67,"qType":"V"}]],
	"qArea":{"qLeft":0,"qTop":0,"qWidth":2,"qHeight":2}}`
	got, err := json.Marshal(page)
	require.NoError(t, err)
	require.JSONEq(t, want, string(got))
	require.Equal(t, map[string]any{"qcx": 2.0, "qcy": 2.0}, size)

	steps := []struct {
		method         string
		row, col       int
		all            bool
		left           []string
		data           [][]string
		expansionState string
	}{
		{"ExpandLeft", 0, 0, false,
			[]string{"East -", " DK", " SE", "West +"},
			[][]string{{"10", "20"}, {"30", "5"}, {"50", "67"}},
			`[{"qExcludeList":false,"qPos":{"qDimName":"Region","qElemNo":[0],"qElemValues":["RWFzdA=="]}}]`},
		{"ExpandLeft", 2, 0, false, // West, now on row 2
			[]string{"East -", " DK", " SE", "West -", " CA", " US"},
			[][]string{{"10", "20"}, {"30", "5"}, {"", "7"}, {"50", "60"}},
			`[{"qExcludeList":false,"qPos":{"qDimName":"Region","qElemNo":[0],"qElemValues":["RWFzdA=="]}},
			  {"qExcludeList":false,"qPos":{"qDimName":"Region","qElemNo":[1],"qElemValues":["V2VzdA=="]}}]`},
		{"CollapseLeft", 1, 0, false, // East through its second row
			[]string{"East +", "West -", " CA", " US"},
			[][]string{{"40", "25"}, {"", "7"}, {"50", "60"}},
			`[{"qExcludeList":false,"qPos":{"qDimName":"Region","qElemNo":[1],"qElemValues":["V2VzdA=="]}}]`},
		{"CollapseLeft", 0, 0, true,
			[]string{"East +", "West +"},
			[][]string{{"40", "25"}, {"50", "67"}},
			`[]`},
		{"ExpandLeft", 0, 0, true,
			[]string{"East -", " DK", " SE", "West -", " CA", " US"},
			[][]string{{"10", "20"}, {"30", "5"}, {"", "7"}, {"50", "60"}},
			`[{"qExcludeList":true,"qPos":{"qDimName":"Region","qElemNo":[],"qElemValues":[]}}]`},
		{"CollapseLeft", 3, 0, false, // West, in expand-all mode: an exception
			[]string{"East -", " DK", " SE", "West +"},
			[][]string{{"10", "20"}, {"30", "5"}, {"50", "67"}},
			`[{"qExcludeList":true,"qPos":{"qDimName":"Region","qElemNo":[],"qElemValues":[]}},
			  {"qExcludeList":true,"qPos":{"qDimName":"Region","qElemNo":[1],"qElemValues":["V2VzdA=="]}}]`},
		{"ExpandLeft", 2, 0, false,
			[]string{"East -", " DK", " SE", "West -", " CA", " US"},
			[][]string{{"10", "20"}, {"30", "5"}, {"", "7"}, {"50", "60"}},
			`[{"qExcludeList":true,"qPos":{"qDimName":"Region","qElemNo":[],"qElemValues":[]}}]`},
		{"ExpandLeft", 1, 1, false, // a leaf: nothing to do
			[]string{"East -", " DK", " SE", "West -", " CA", " US"},
			[][]string{{"10", "20"}, {"30", "5"}, {"", "7"}, {"50", "60"}},
			`[{"qExcludeList":true,"qPos":{"qDimName":"Region","qElemNo":[],"qElemValues":[]}}]`},
	}
	for i, st := range steps {
		r := c.call(p, st.method, []any{"/qHyperCubeDef", st.row, st.col, st.all})
		require.Nil(t, r.Error, "step %d: %s", i, r.raw)
		require.Equal(t, map[string]any{}, r.Result, "step %d", i)
		if i == len(steps)-1 {
			require.Empty(t, r.Change, "a no-op changes nothing")
		} else {
			require.Contains(t, r.Change, p, "step %d", i)
		}
		page, size := pivotPage(t, c, p)
		require.Equal(t, st.left, treeLines(t, path(t, page, "qLeft")), "step %d", i)
		require.Equal(t, st.data, dataTexts(t, page), "step %d", i)
		require.Equal(t, map[string]any{"qcx": 2.0, "qcy": float64(len(st.data))}, size, "step %d", i)
		// a session object keeps the state in its properties
		es, err := json.Marshal(path(t, c.ok(p, "GetProperties")["qProp"], "qHyperCubeDef", "qExpansionState"))
		require.NoError(t, err)
		require.JSONEq(t, st.expansionState, string(es), "step %d", i)
	}

	// Paging through the expanded pivot: rows 2 and 3, the 2021 column.
	data := c.ok(p, "GetHyperCubePivotData", "/qHyperCubeDef", []any{map[string]any{"qLeft": 1, "qTop": 2, "qWidth": 1, "qHeight": 2}})
	pg := path(t, data, "qDataPages", 0)
	require.Equal(t, []string{"West -", " CA", " US"}, treeLines(t, path(t, pg, "qLeft")))
	require.Equal(t, []string{"2021"}, treeLines(t, path(t, pg, "qTop")))
	require.Equal(t, [][]string{{"7"}, {"60"}}, dataTexts(t, pg))

	// Resetting qExpansionState in the properties collapses it again.
	c.ok(p, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/qHyperCubeDef/qExpansionState", "qValue": "[]"}})
	page, _ = pivotPage(t, c, p)
	require.Equal(t, []string{"East +", "West +"}, treeLines(t, path(t, page, "qLeft")))

	// Bad input.
	c.fails(-32602, p, "ExpandLeft", "/qHyperCubeDef", 2, 0, false) // two rows only
	c.fails(-32602, p, "ExpandLeft", "/qHyperCubeDef", 0, 1, false) // row 0 shows one left dimension
	c.fails(-32602, p, "ExpandLeft", "/qHyperCubeDef", -1, 0, false)
	c.fails(-32602, p, "ExpandLeft", "/qHyperCubeDef", "0", 0, false)
	c.fails(-32602, p, "ExpandLeft", "/qHyperCubeDef", 0, 0)
	c.fails(4, p, "ExpandLeft", "/nope", 0, 0, false)
	straight := cubeObject(t, c, doc, map[string]any{"qDimensions": []any{dim("Region")}, "qMeasures": []any{msr("Sum(Amount)")}})
	c.fails(6002, straight, "ExpandLeft", "/qHyperCubeDef", 0, 0, false)
	full := cubeObject(t, c, doc, pivotDef(map[string]any{"qAlwaysFullyExpanded": true}))
	c.fails(6002, full, "CollapseLeft", "/qHyperCubeDef", 0, 0, false)
	page, _ = pivotPage(t, c, full)
	require.Equal(t, []string{"East", " DK", " SE", "West", " CA", " US"}, treeLines(t, path(t, page, "qLeft")))
}

func TestPivotExpandTopWithPseudoDimension(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openChartApp(t, e)
	p := cubeObject(t, c, doc, map[string]any{
		"qDimensions":       []any{dim("Region"), dim("Year"), dim("Country")},
		"qMeasures":         []any{msr("Sum(Amount)"), msr("Sum(Qty)")},
		"qMode":             "DATA_MODE_PIVOT",
		"qNoOfLeftDims":     1,
		"qInitialDataFetch": []any{map[string]any{"qWidth": 20, "qHeight": 10}},
	})
	page, size := pivotPage(t, c, p)
	top := []string{"2020 +", " Sum(Amount)", " Sum(Qty)", "2021 +", " Sum(Amount)", " Sum(Qty)"}
	require.Equal(t, top, treeLines(t, path(t, page, "qTop")))
	require.Equal(t, [][]string{{"40", "4", "25", "6"}, {"50", "5", "67", "13"}}, dataTexts(t, page))
	require.Equal(t, map[string]any{"qcx": 4.0, "qcy": 2.0}, size)
	require.Equal(t, "P", path(t, path(t, page, "qTop", 0, "qSubNodes", 0), "qType"))

	// Expand 2020 through its second column (Sum(Qty) of 2020).
	c.ok(p, "ExpandTop", "/qHyperCubeDef", 0, 1, false)
	page, size = pivotPage(t, c, p)
	require.Equal(t, []string{"2020 -", " DK", "  Sum(Amount)", "  Sum(Qty)", " SE", "  Sum(Amount)", "  Sum(Qty)",
		" US", "  Sum(Amount)", "  Sum(Qty)", "2021 +", " Sum(Amount)", " Sum(Qty)"}, treeLines(t, path(t, page, "qTop")))
	require.Equal(t, [][]string{
		{"10", "1", "30", "3", "", "", "25", "6"},
		{"", "", "", "", "50", "5", "67", "13"},
	}, dataTexts(t, page))
	require.Equal(t, map[string]any{"qcx": 8.0, "qcy": 2.0}, size)
	require.Equal(t, "E", path(t, page, "qData", 0, 4, "qType"))
	// The pseudo-dimension cannot be expanded, and a column has no cell in
	// a top dimension below its leaf.
	c.fails(-32602, p, "ExpandTop", "/qHyperCubeDef", 2, 0, false)
	c.fails(-32602, p, "ExpandTop", "/qHyperCubeDef", 1, 6, false)
	c.fails(-32602, p, "ExpandTop", "/qHyperCubeDef", 0, 8, false)
	c.ok(p, "CollapseTop", "/qHyperCubeDef", 0, 5, false)
	page, _ = pivotPage(t, c, p)
	require.Equal(t, top, treeLines(t, path(t, page, "qTop")))
	c.ok(p, "ExpandTop", "/qHyperCubeDef", 0, 0, true)
	_, size = pivotPage(t, c, p)
	require.Equal(t, map[string]any{"qcx": 14.0, "qcy": 2.0}, size)
	// The left side has one dimension: nothing to expand there.
	c.ok(p, "ExpandLeft", "/qHyperCubeDef", 0, 0, false)
	page, _ = pivotPage(t, c, p)
	require.Equal(t, []string{"East", "West"}, treeLines(t, path(t, page, "qLeft")))
}

// TestPivotExpansionOfPersistentObject: the state of a persistent object is
// the session's (a soft patch), not the other sessions'.
func TestPivotExpansionOfPersistentObject(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	require.NoError(t, e.CreateApp(context.Background(), "pivot.qvf", "Pivot", chartScript, true))
	c1 := connect(t, e, qix.SessionParams{})
	doc1 := handleOf(t, c1.ok(-1, "OpenDoc", "pivot.qvf"))
	p1 := handleOf(t, c1.ok(doc1, "CreateObject", map[string]any{
		"qInfo": map[string]any{"qId": "pv", "qType": "pivot-table"}, "qHyperCubeDef": pivotDef(nil)}))
	c2 := connect(t, e, qix.SessionParams{})
	doc2 := handleOf(t, c2.ok(-1, "OpenDoc", "pivot.qvf"))
	p2 := handleOf(t, c2.ok(doc2, "GetObject", "pv"))

	r := c1.call(p1, "ExpandLeft", []any{"/qHyperCubeDef", 0, 0, false})
	require.Nil(t, r.Error)
	require.Equal(t, []int{p1}, r.Change)
	require.Empty(t, c2.out.take(), "the other session does not change")
	page, _ := pivotPage(t, c1, p1)
	require.Equal(t, []string{"East -", " DK", " SE", "West +"}, treeLines(t, path(t, page, "qLeft")))
	require.Equal(t, true, lo(t, c1, p1)["qHasSoftPatches"])
	require.Equal(t, []any{}, path(t, c1.ok(p1, "GetProperties")["qProp"], "qHyperCubeDef", "qExpansionState"),
		"the saved properties do not change")
	require.Len(t, path(t, c1.ok(p1, "GetEffectiveProperties")["qProp"], "qHyperCubeDef", "qExpansionState"), 1)
	page, _ = pivotPage(t, c2, p2)
	require.Equal(t, []string{"East +", "West +"}, treeLines(t, path(t, page, "qLeft")))

	// A second navigation replaces the patch rather than adding one.
	c1.ok(p1, "ExpandLeft", "/qHyperCubeDef", 2, 0, false)
	page, _ = pivotPage(t, c1, p1)
	require.Equal(t, []string{"East -", " DK", " SE", "West -", " CA", " US"}, treeLines(t, path(t, page, "qLeft")))
	c1.ok(p1, "ClearSoftPatches")
	page, _ = pivotPage(t, c1, p1)
	require.Equal(t, []string{"East +", "West +"}, treeLines(t, path(t, page, "qLeft")))
}

func TestSelectPivotCells(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openChartApp(t, e)
	p := cubeObject(t, c, doc, pivotDef(nil))
	region := sortedListbox(t, c, doc, "Region")
	country := sortedListbox(t, c, doc, "Country")
	year := sortedListbox(t, c, doc, "Year")
	c.ok(p, "ExpandLeft", "/qHyperCubeDef", 1, 0, false) // West: rows East, West/CA, West/US

	cases := []struct {
		name                  string
		cells                 []any
		success               bool
		region, country, year []string
	}{
		{"left cell of the outer dimension",
			[]any{map[string]any{"qType": "L", "qRow": 0, "qCol": 0}}, true,
			[]string{"East:S", "West:A"}, []string{"CA:X", "DK:O", "SE:O", "US:X"}, []string{"2020:O", "2021:O"}},
		{"two left cells of the inner dimension",
			[]any{map[string]any{"qType": "L", "qRow": 1, "qCol": 1}, map[string]any{"qType": "L", "qRow": 2, "qCol": 1}}, true,
			[]string{"East:X", "West:O"}, []string{"CA:S", "DK:A", "SE:A", "US:S"}, []string{"2020:O", "2021:O"}},
		{"top cell, enum by long name",
			[]any{map[string]any{"qType": "NX_CELL_TOP", "qRow": 0, "qCol": 1}}, true,
			[]string{"East:O", "West:O"}, []string{"CA:O", "DK:O", "SE:O", "US:O"}, []string{"2020:A", "2021:S"}},
		{"data cell: every dimension of its row and column",
			[]any{map[string]any{"qType": "D", "qRow": 2, "qCol": 0}}, true,
			[]string{"East:X", "West:S"}, []string{"CA:X", "DK:X", "SE:X", "US:S"}, []string{"2020:S", "2021:A"}},
		{"nothing to select",
			[]any{}, false,
			[]string{"East:O", "West:O"}, []string{"CA:O", "DK:O", "SE:O", "US:O"}, []string{"2020:O", "2021:O"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.ok(doc, "ClearAll")
			r := c.call(p, "SelectPivotCells", []any{"/qHyperCubeDef", tc.cells})
			require.Nil(t, r.Error, "%s", r.raw)
			require.Equal(t, map[string]any{"qSuccess": tc.success}, r.Result)
			require.Equal(t, tc.region, selected(t, c, region))
			require.Equal(t, tc.country, selected(t, c, country))
			require.Equal(t, tc.year, selected(t, c, year))
		})
	}

	// In selection mode.
	c.ok(doc, "ClearAll")
	c.ok(p, "BeginSelections", []string{"/qHyperCubeDef"})
	c.ok(p, "SelectPivotCells", "/qHyperCubeDef", []any{map[string]any{"qType": "L", "qRow": 1, "qCol": 1}, map[string]any{"qType": "L", "qRow": 2, "qCol": 1}})
	require.Equal(t, map[string]any{"qInSelections": true, "qMadeSelections": true}, lo(t, c, p)["qSelectionInfo"])
	c.fails(6003, region, "SelectListObjectValues", "/qListObjectDef", []int{0}, false)
	require.Equal(t, []string{"CA:S", "DK:A", "SE:A", "US:S"}, selected(t, c, country))
	c.ok(p, "EndSelections", false)
	require.Equal(t, []string{"CA:O", "DK:O", "SE:O", "US:O"}, selected(t, c, country))

	// A stacked cube: rows are the cube's rows.
	k := cubeObject(t, c, doc, map[string]any{
		"qDimensions": []any{dim("Country"), dim("Year")}, "qMeasures": []any{msr("Sum(Amount)")}, "qMode": "K"})
	r := c.call(k, "SelectPivotCells", []any{"/qHyperCubeDef", []any{map[string]any{"qType": "D", "qRow": 1, "qCol": 0}}})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Equal(t, true, r.Result["qSuccess"])
	require.Equal(t, []string{"CA:X", "DK:S", "SE:A", "US:A"}, selected(t, c, country)) // row 1: DK 2020
	require.Equal(t, []string{"2020:S", "2021:A"}, selected(t, c, year))
	c.fails(-32602, k, "SelectPivotCells", "/qHyperCubeDef", []any{map[string]any{"qType": "T", "qRow": 0, "qCol": 0}})
	c.fails(-32602, k, "SelectPivotCells", "/qHyperCubeDef", []any{map[string]any{"qType": "D", "qRow": 99, "qCol": 0}})

	// Bad input.
	c.fails(-32602, p, "SelectPivotCells", "/qHyperCubeDef", []any{map[string]any{"qType": "X"}})
	c.fails(-32602, p, "SelectPivotCells", "/qHyperCubeDef", []any{map[string]any{"qType": "D", "qRow": 5, "qCol": 0}})
	c.fails(-32602, p, "SelectPivotCells", "/qHyperCubeDef", []any{map[string]any{"qType": "L", "qRow": 0, "qCol": 1}})
	c.fails(-32602, p, "SelectPivotCells", "/qHyperCubeDef", []any{"cell"})
	straight := cubeObject(t, c, doc, map[string]any{"qDimensions": []any{dim("Region")}, "qMeasures": []any{msr("Sum(Amount)")}})
	c.fails(6002, straight, "SelectPivotCells", "/qHyperCubeDef", []any{map[string]any{"qType": "D"}})
}
