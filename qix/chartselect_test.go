package qix_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// chartScript is a small sales table for the chart methods: two regions,
// four countries, two years.
const chartScript = `Sales:
Region,Country,Year,Amount,Qty
East,DK,2020,10,1
East,DK,2021,20,2
East,SE,2020,30,3
East,SE,2021,5,4
West,US,2020,50,5
West,US,2021,60,6
West,CA,2021,7,7
`

// openChartApp opens a session app loaded with chartScript.
func openChartApp(t testing.TB, e *qix.Engine) (*client, int) {
	t.Helper()
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	c.ok(doc, "SetScript", chartScript)
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	return c, doc
}

// dim is an NxDimension on field f sorted by text.
func dim(f string) map[string]any {
	return map[string]any{"qDef": map[string]any{"qFieldDefs": []string{f},
		"qSortCriterias": []any{map[string]any{"qSortByAscii": 1}}}}
}

// msr is an NxMeasure.
func msr(def string) map[string]any {
	return map[string]any{"qDef": map[string]any{"qDef": def}}
}

// cubeObject creates a session object with a hypercube.
func cubeObject(t testing.TB, c *client, doc int, def map[string]any) int {
	t.Helper()
	return handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "chart"}, "qHyperCubeDef": def}))
}

// rng is an NxRangeSelectInfo.
func rng(measure int, lo, hi float64, loIncl, hiIncl bool) map[string]any {
	return map[string]any{"qRange": map[string]any{"qMin": lo, "qMax": hi, "qMinInclEq": loIncl, "qMaxInclEq": hiIncl},
		"qMeasureIx": measure}
}

// sortedListbox creates a list object on field f sorted by text (numbers
// by value) that shows alternatives.
func sortedListbox(t testing.TB, c *client, doc int, f string) int {
	t.Helper()
	return listbox(t, c, doc, f, map[string]any{"qDef": map[string]any{"qFieldDefs": []string{f},
		"qSortCriterias": []any{map[string]any{"qSortByNumeric": 1, "qSortByAscii": 1}}}})
}

// selected returns the "text:state" cells of a list object.
func selected(t testing.TB, c *client, lb int) []string {
	t.Helper()
	return cells(t, lo(t, c, lb))
}

func TestRangeSelectHyperCubeValues(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openChartApp(t, e)
	// Sum(Amount) by Country: CA 7, DK 30, SE 35, US 110; Sum(Qty): CA 7, DK 3, SE 7, US 11.
	bar := cubeObject(t, c, doc, map[string]any{
		"qDimensions": []any{dim("Region"), dim("Country")},
		"qMeasures":   []any{msr("Sum(Amount)"), msr("Sum(Qty)")},
	})
	region := sortedListbox(t, c, doc, "Region")
	country := sortedListbox(t, c, doc, "Country")

	cases := []struct {
		name       string
		params     []any
		success    bool
		region     []string
		country    []string
		changesAll bool
	}{
		{"inclusive ends, all dimensions",
			[]any{"/qHyperCubeDef", []any{rng(0, 30, 35, true, true)}},
			true, []string{"East:S", "West:X"}, []string{"CA:X", "DK:S", "SE:S", "US:X"}, true},
		{"exclusive lower end, country only",
			[]any{"/qHyperCubeDef", []any{rng(0, 30, 200, false, false)}, []int{1}},
			true, []string{"East:O", "West:O"}, []string{"CA:A", "DK:A", "SE:S", "US:S"}, true},
		{"two measures, and mode",
			[]any{"/qHyperCubeDef", []any{rng(0, 0, 40, true, true), rng(1, 5, 10, true, true)}, []int{1}, false},
			true, []string{"East:O", "West:O"}, []string{"CA:S", "DK:A", "SE:S", "US:A"}, true},
		{"two measures, or mode",
			[]any{"/qHyperCubeDef", []any{rng(0, 100, 200, true, true), rng(1, 0, 3, true, true)}, []int{1}, true},
			true, []string{"East:O", "West:O"}, []string{"CA:A", "DK:S", "SE:A", "US:S"}, true},
		{"swapped ends",
			[]any{"/qHyperCubeDef", []any{rng(0, 8, 6, true, true)}, []int{1}},
			true, []string{"East:X", "West:O"}, []string{"CA:S", "DK:A", "SE:A", "US:A"}, true},
		{"no row in range",
			[]any{"/qHyperCubeDef", []any{rng(0, 1000, 2000, true, true)}},
			false, []string{"East:O", "West:O"}, []string{"CA:O", "DK:O", "SE:O", "US:O"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.ok(doc, "ClearAll")
			r := c.call(bar, "RangeSelectHyperCubeValues", tc.params)
			require.Nil(t, r.Error, "%s", r.raw)
			require.Equal(t, map[string]any{"qSuccess": tc.success}, r.Result)
			if tc.changesAll {
				require.Subset(t, r.Change, []int{doc, bar, region, country})
			} else {
				require.Empty(t, r.Change)
			}
			require.Equal(t, tc.region, selected(t, c, region))
			require.Equal(t, tc.country, selected(t, c, country))
		})
	}

	// qDeselectOnlyOneSelected: the range picks the one selected value again.
	c.ok(doc, "ClearAll")
	c.ok(bar, "RangeSelectHyperCubeValues", "/qHyperCubeDef", []any{rng(0, 100, 200, true, true)}, []int{1}, false, true)
	require.Equal(t, []string{"CA:A", "DK:A", "SE:A", "US:S"}, selected(t, c, country))
	c.ok(bar, "RangeSelectHyperCubeValues", "/qHyperCubeDef", []any{rng(0, 100, 200, true, true)}, []int{1}, false, true)
	require.Equal(t, []string{"CA:O", "DK:O", "SE:O", "US:O"}, selected(t, c, country))

	// Named parameters work as positional ones.
	c.ok(doc, "ClearAll")
	r := c.call(bar, "RangeSelectHyperCubeValues", map[string]any{
		"qPath": "/qHyperCubeDef", "qRanges": []any{rng(1, 11, 11, true, true)}, "qColumnsToSelect": []int{1}})
	require.Nil(t, r.Error)
	require.Equal(t, []string{"CA:A", "DK:A", "SE:A", "US:S"}, selected(t, c, country))

	// Bad input.
	errs := []struct {
		code   int
		params []any
	}{
		{4, []any{"/nope", []any{rng(0, 0, 1, true, true)}}},
		{-32602, []any{"/qHyperCubeDef", "not ranges"}},
		{-32602, []any{"/qHyperCubeDef", []any{map[string]any{"qMeasureIx": 0}}}},
		{-32602, []any{"/qHyperCubeDef", []any{map[string]any{"qRange": map[string]any{"qMin": "low"}}}}},
		{-32602, []any{"/qHyperCubeDef", []any{map[string]any{"qRange": map[string]any{"qMin": 1, "qMinInclEq": "yes"}}}}},
		{-32602, []any{"/qHyperCubeDef", []any{rng(2, 0, 1, true, true)}}},
		{-32602, []any{"/qHyperCubeDef", []any{rng(0, 0, 1, true, true)}, []int{5}}},
		{-32602, []any{"/qHyperCubeDef", []any{rng(0, 0, 1, true, true)}, []any{"a"}}},
		{-32602, []any{"/qHyperCubeDef"}},
	}
	for _, tc := range errs {
		c.fails(tc.code, bar, "RangeSelectHyperCubeValues", tc.params...)
	}
}

func TestMultiRangeAndContinuousRangeSelections(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openChartApp(t, e)
	scatter := cubeObject(t, c, doc, map[string]any{
		"qDimensions": []any{dim("Country")},
		"qMeasures":   []any{msr("Sum(Amount)"), msr("Sum(Qty)")},
	})
	country := sortedListbox(t, c, doc, "Country")
	year := sortedListbox(t, c, doc, "Year")

	// Two lasso groups: CA (Amount < 8) and US (Qty > 10).
	r := c.call(scatter, "MultiRangeSelectHyperCubeValues", []any{"/qHyperCubeDef", []any{
		map[string]any{"qRanges": []any{rng(0, 0, 8, true, false)}, "qColumnsToSelect": []int{0}},
		map[string]any{"qRanges": []any{rng(1, 10, 20, false, true)}, "qColumnsToSelect": []int{}},
	}})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Equal(t, true, r.Result["qSuccess"])
	require.Contains(t, r.Change, country)
	require.Equal(t, []string{"CA:S", "DK:A", "SE:A", "US:S"}, selected(t, c, country))
	c.fails(-32602, scatter, "MultiRangeSelectHyperCubeValues", "/qHyperCubeDef", []any{"x"})
	c.fails(-32602, scatter, "MultiRangeSelectHyperCubeValues", "/qHyperCubeDef",
		[]any{map[string]any{"qRanges": []any{rng(3, 0, 1, true, true)}}})

	// A continuous axis on Year: [2020.5, 2021] selects 2021.
	c.ok(doc, "ClearAll")
	line := cubeObject(t, c, doc, map[string]any{
		"qDimensions": []any{dim("Year")},
		"qMeasures":   []any{msr("Sum(Amount)")},
	})
	r = c.call(line, "SelectHyperCubeContinuousRange", []any{"/qHyperCubeDef", []any{
		map[string]any{"qRange": map[string]any{"qMin": 2020.5, "qMax": 2021, "qMinInclEq": true, "qMaxInclEq": true}, "qDimIx": 0},
	}})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Equal(t, true, r.Result["qSuccess"])
	require.Contains(t, r.Change, year)
	require.Equal(t, []string{"2020:A", "2021:S"}, selected(t, c, year))
	require.Equal(t, []string{"CA:O", "DK:O", "SE:O", "US:O"}, selected(t, c, country))
	// Exclusive ends leave both years out: nothing to select.
	c.ok(doc, "ClearAll")
	r = c.call(line, "SelectHyperCubeContinuousRange", []any{"/qHyperCubeDef", []any{
		map[string]any{"qRange": map[string]any{"qMin": 2020, "qMax": 2021}, "qDimIx": 0},
	}})
	require.Equal(t, false, r.Result["qSuccess"])
	require.Empty(t, r.Change)
	c.fails(-32602, line, "SelectHyperCubeContinuousRange", "/qHyperCubeDef",
		[]any{map[string]any{"qRange": map[string]any{"qMin": 0, "qMax": 1}, "qDimIx": 1}})
	c.fails(-32602, line, "SelectHyperCubeContinuousRange", "/qHyperCubeDef", []any{map[string]any{"qDimIx": 0}})

	// A list object range: Amount in [10, 30), among the possible values.
	amount := sortedListbox(t, c, doc, "Amount")
	c.ok(country, "SelectListObjectValues", "/qListObjectDef", []int{0}, false) // DK (element 0): 10, 20
	r = c.call(amount, "SelectListObjectContinuousRange", []any{"/qListObjectDef", []any{
		map[string]any{"qMin": 10, "qMax": 30, "qMinInclEq": true},
	}})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Equal(t, true, r.Result["qSuccess"])
	require.Equal(t, []string{"5:X", "7:X", "10:S", "20:S", "30:X", "50:X", "60:X"}, selected(t, c, amount))
	// Nothing possible in range: false, nothing changes.
	r = c.call(amount, "SelectListObjectContinuousRange", []any{"/qListObjectDef", []any{
		map[string]any{"qMin": 40, "qMax": 70, "qMinInclEq": true, "qMaxInclEq": true},
	}})
	require.Equal(t, false, r.Result["qSuccess"])
	c.fails(-32602, amount, "SelectListObjectContinuousRange", "/qListObjectDef", []any{"x"})
	c.fails(4, amount, "SelectListObjectContinuousRange", "/qHyperCubeDef", []any{})
}

func TestRangeSelectionsInSelectionMode(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openChartApp(t, e)
	bar := cubeObject(t, c, doc, map[string]any{
		"qDimensions": []any{dim("Country")},
		"qMeasures":   []any{msr("Sum(Amount)")},
	})
	other := cubeObject(t, c, doc, map[string]any{
		"qDimensions": []any{dim("Region")},
		"qMeasures":   []any{msr("Sum(Amount)")},
	})
	country := sortedListbox(t, c, doc, "Country")
	big := []any{"/qHyperCubeDef", []any{rng(0, 100, 200, true, true)}}

	// Abort: the selection made in the mode is undone.
	c.ok(bar, "BeginSelections", []string{"/qHyperCubeDef"})
	r := c.call(bar, "RangeSelectHyperCubeValues", big)
	require.Nil(t, r.Error)
	require.Equal(t, true, r.Result["qSuccess"])
	require.Equal(t, []string{"CA:A", "DK:A", "SE:A", "US:S"}, selected(t, c, country))
	require.Equal(t, map[string]any{"qInSelections": true, "qMadeSelections": true}, lo(t, c, bar)["qSelectionInfo"])
	// Another object is refused while bar is in selection mode.
	c.fails(6003, other, "RangeSelectHyperCubeValues", big...)
	c.fails(6003, other, "SelectHyperCubeContinuousRange", "/qHyperCubeDef",
		[]any{map[string]any{"qRange": map[string]any{"qMin": 0, "qMax": 1}, "qDimIx": 0}})
	c.ok(bar, "EndSelections", false)
	require.Equal(t, []string{"CA:O", "DK:O", "SE:O", "US:O"}, selected(t, c, country))

	// Accept keeps it.
	c.ok(bar, "BeginSelections", []string{"/qHyperCubeDef"})
	c.ok(bar, "RangeSelectHyperCubeValues", big...)
	c.ok(bar, "EndSelections", true)
	require.Equal(t, []string{"CA:A", "DK:A", "SE:A", "US:S"}, selected(t, c, country))
	require.Equal(t, map[string]any{}, lo(t, c, bar)["qSelectionInfo"])

	// A locked field refuses the selection.
	c.ok(doc, "ClearAll")
	c.ok(country, "SelectListObjectValues", "/qListObjectDef", []int{0}, false) // DK
	c.ok(country, "Lock", "/qListObjectDef")
	r = c.call(bar, "RangeSelectHyperCubeValues", big)
	require.Equal(t, false, r.Result["qSuccess"])
	require.Equal(t, []string{"CA:A", "DK:L", "SE:A", "US:A"}, selected(t, c, country))
}

func TestCopyFromAndLinkedObjects(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	require.NoError(t, e.CreateApp(context.Background(), "charts.qvf", "Charts", chartScript, true))
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "OpenDoc", "charts.qvf"))
	src := handleOf(t, c.ok(doc, "CreateObject", map[string]any{
		"qInfo":         map[string]any{"qId": "src", "qType": "barchart"},
		"title":         "Amount by country",
		"qHyperCubeDef": map[string]any{"qDimensions": []any{dim("Country")}, "qMeasures": []any{msr("Sum(Amount)")}},
	}))
	c.ok(src, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "src-kid", "qType": "tooltip"}, "text": "hi"})
	dst := handleOf(t, c.ok(doc, "CreateObject", map[string]any{
		"qInfo": map[string]any{"qId": "dst", "qType": "barchart"}, "title": "old"}))
	c.ok(dst, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "dst-kid", "qType": "old-kid"}})

	r := c.call(dst, "CopyFrom", []any{"src"})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Equal(t, map[string]any{}, r.Result)
	require.Contains(t, r.Change, dst)
	props := c.ok(dst, "GetProperties")["qProp"].(map[string]any)
	require.Equal(t, map[string]any{"qId": "dst", "qType": "barchart"}, props["qInfo"])
	require.Equal(t, "Amount by country", props["title"])
	require.Equal(t, "Country", path(t, props, "qHyperCubeDef", "qDimensions", 0, "qDef", "qFieldDefs", 0))
	kids := c.ok(dst, "GetChildInfos")["qInfos"].([]any)
	require.Len(t, kids, 1)
	kid := kids[0].(map[string]any)
	require.Equal(t, "tooltip", kid["qType"])
	require.NotEqual(t, "src-kid", kid["qId"])
	require.Equal(t, "hi", path(t, c.ok(dst, "GetFullPropertyTree")["qPropEntry"], "qChildren", 0, "qProperty", "text"))
	// The source is untouched and the old child is gone.
	require.Len(t, c.ok(src, "GetChildInfos")["qInfos"], 1)
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(doc, "GetObject", "dst-kid")["qReturn"])
	// The copy computes.
	l := lo(t, c, dst)
	require.EqualValues(t, 4, path(t, l, "qHyperCube", "qSize", "qcy"))
	c.fails(2, dst, "CopyFrom", "nope")
	c.fails(-32602, dst, "CopyFrom", 3)

	// Linked objects: those whose qExtendsId is src.
	require.Equal(t, map[string]any{"qItems": []any{}}, c.ok(src, "GetLinkedObjects"))
	c.ok(doc, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": "ext", "qType": "barchart"}, "qExtendsId": "src"})
	c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qId": "mine", "qType": "barchart"}, "qExtendsId": "src"})
	// Another user's session object is theirs, not listed here.
	other := connect(t, e, qix.SessionParams{})
	odoc := handleOf(t, other.ok(-1, "OpenDoc", "charts.qvf"))
	other.ok(odoc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qId": "theirs", "qType": "barchart"}, "qExtendsId": "src"})
	items := c.ok(src, "GetLinkedObjects")["qItems"]
	require.ElementsMatch(t, []any{
		map[string]any{"qRootId": "ext", "qInfo": map[string]any{"qId": "ext", "qType": "barchart"}},
		map[string]any{"qRootId": "mine", "qInfo": map[string]any{"qId": "mine", "qType": "barchart"}},
	}, items)
}

// TestSelectionModeKeepsRows: a chart in selection mode keeps the rows it
// showed when the selections began, its selected values marked S and the
// others A, so row indexes a client sends stay valid from click to click;
// other objects follow the selections at once, and confirming shrinks the
// chart.
func TestSelectionModeKeepsRows(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openChartApp(t, e)
	table := cubeObject(t, c, doc, map[string]any{
		"qDimensions":       []any{dim("Country")},
		"qMeasures":         []any{msr("Sum(Amount)")},
		"qInitialDataFetch": []any{map[string]any{"qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 10}},
	})
	other := cubeObject(t, c, doc, map[string]any{
		"qDimensions":       []any{dim("Region")},
		"qMeasures":         []any{msr("Sum(Amount)")},
		"qInitialDataFetch": []any{map[string]any{"qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 10}},
	})
	rows := func(h int) []string {
		var out []string
		for _, r := range path(t, lo(t, c, h), "qHyperCube", "qDataPages", 0, "qMatrix").([]any) {
			cell := r.([]any)[0].(map[string]any)
			out = append(out, fmt.Sprintf("%s:%s=%s", cell["qText"], cell["qState"], r.([]any)[1].(map[string]any)["qText"]))
		}
		return out
	}
	require.Equal(t, []string{"CA:O=7", "DK:O=30", "SE:O=35", "US:O=110"}, rows(table))
	c.ok(table, "BeginSelections", []string{"/qHyperCubeDef"})
	c.ok(table, "SelectHyperCubeCells", "/qHyperCubeDef", []int{1}, []int{0}, false, false) // DK
	require.Equal(t, []string{"CA:A=7", "DK:S=30", "SE:A=35", "US:A=110"}, rows(table))
	require.Equal(t, []string{"East:O=30"}, rows(other))
	// The second click's row index still points at SE (cells toggle).
	c.ok(table, "SelectHyperCubeCells", "/qHyperCubeDef", []int{2}, []int{0}, false, false)
	require.Equal(t, []string{"East:O=65"}, rows(other))
	require.Equal(t, []string{"CA:A=7", "DK:S=30", "SE:S=35", "US:A=110"}, rows(table))
	c.ok(table, "EndSelections", true)
	require.Equal(t, []string{"DK:S=30", "SE:S=35"}, rows(table))
}
