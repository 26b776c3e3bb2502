package qix_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// TestHyperCubeLayoutGolden reproduces the layout Qlik Core 12.1050 gave
// corectl for a hypercube of xyz × count(numbers) (grand total, measure
// qNumFormat, qMin/qMax "NaN" of a text dimension), field by field.
func TestHyperCubeLayoutGolden(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	props := map[string]any{
		"qInfo": map[string]any{"qId": "object-using-inline", "qType": "my-hypercube"},
		"qHyperCubeDef": map[string]any{
			"qDimensions":       []any{map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"xyz"}}}},
			"qMeasures":         []any{map[string]any{"qDef": map[string]any{"qDef": "count(numbers)"}, "qSortBy": map[string]any{"qSortByFrequency": 1}}},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 50, "qHeight": 20}},
			"customProperty":    "should be filtered by the minimum flag",
		},
	}
	h := handleOf(t, c.ok(doc, "CreateSessionObject", props))
	got := c.ok(h, "GetLayout")["qLayout"]
	raw, err := os.ReadFile("testdata/corectl/TestObjectManagementCommands_object_layout_object-using-inline.golden")
	require.NoError(t, err)
	var want map[string]any
	require.NoError(t, json.Unmarshal(raw, &want))
	require.Equal(t, want["qHyperCube"], path(t, got, "qHyperCube"))
	require.Equal(t, want["qInfo"], path(t, got, "qInfo"))
}

func TestHyperCubeDataSelectionsAndErrors(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	props := map[string]any{
		"qInfo": map[string]any{"qType": "table"},
		"qHyperCubeDef": map[string]any{
			"qDimensions": []any{map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"xyz"},
				"qSortCriterias": []any{map[string]any{"qSortByAscii": -1}}}}},
			"qMeasures": []any{
				map[string]any{"qDef": map[string]any{"qDef": "Sum(numbers)", "qNumFormat": map[string]any{"qType": "F", "qnDec": 2, "qFmt": "#,##0.00", "qDec": ".", "qThou": ","}}},
				map[string]any{"qDef": map[string]any{"qDef": "Sum(numbers"}},
			},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 3, "qHeight": 10}},
		},
	}
	h := handleOf(t, c.ok(doc, "CreateSessionObject", props))
	data := c.ok(h, "GetHyperCubeData", "/qHyperCubeDef", []any{map[string]any{"qTop": 0, "qLeft": 0, "qWidth": 3, "qHeight": 10}})
	matrix := path(t, data, "qDataPages", 0, "qMatrix").([]any)
	require.Len(t, matrix, 3)
	require.Equal(t, "z", path(t, matrix, 0, 0, "qText"))
	require.Equal(t, "1.00", path(t, matrix, 0, 1, "qText"))
	require.Equal(t, "y", path(t, matrix, 1, 0, "qText"))
	require.Equal(t, "9.00", path(t, matrix, 1, 1, "qText"))
	require.Equal(t, true, path(t, matrix, 0, 2, "qIsNull"))
	layout := c.ok(h, "GetLayout")["qLayout"]
	require.EqualValues(t, 7000, path(t, layout, "qHyperCube", "qMeasureInfo", 1, "qError", "qErrorCode"))

	// Select y through the cube: the list object of numbers follows.
	lb := listbox(t, c, doc, "numbers", nil)
	r := c.call(h, "SelectHyperCubeValues", []any{"/qHyperCubeDef", 0, []int{1}, false})
	require.Nil(t, r.Error)
	require.Contains(t, r.Change, lb)
	layout = c.ok(h, "GetLayout")["qLayout"]
	require.EqualValues(t, 1, path(t, layout, "qHyperCube", "qSize", "qcy"))
	require.Equal(t, "S", path(t, layout, "qHyperCube", "qDataPages", 0, "qMatrix", 0, 0, "qState"))
	require.Equal(t, "9.00", path(t, layout, "qHyperCube", "qGrandTotalRow", 0, "qText"))

	// Evaluate and EvaluateEx in the current selections.
	require.Equal(t, "9", c.ok(doc, "Evaluate", "Sum(numbers)")["qReturn"])
	ev := c.ok(doc, "EvaluateEx", "=Count(DISTINCT xyz)")["qValue"]
	require.Equal(t, true, path(t, ev, "qIsNumeric"))
	require.EqualValues(t, 1, path(t, ev, "qNumber"))
	// qStringExpression / qValueExpression in properties
	kpi := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo":  map[string]any{"qType": "kpi"},
		"title":  map[string]any{"qStringExpression": "='Total ' & Sum(numbers)"},
		"number": map[string]any{"qValueExpression": "=Sum(numbers)*2"},
	}))
	kl := c.ok(kpi, "GetLayout")["qLayout"]
	require.Equal(t, "Total 9", path(t, kl, "title"))
	require.EqualValues(t, 18, path(t, kl, "number"))
	// Errors: bad path, unknown field dimension
	c.fails(4, h, "GetHyperCubeData", "/nope", []any{})
	bad := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo":         map[string]any{"qType": "t"},
		"qHyperCubeDef": map[string]any{"qDimensions": []any{map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"nope"}}}}},
	}))
	bl := c.ok(bad, "GetLayout")["qLayout"]
	require.EqualValues(t, 2, path(t, bl, "qHyperCube", "qError", "qErrorCode"))
}

func TestHyperCubePivotAndStacked(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	mk := func(mode string) int {
		return handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
			"qInfo": map[string]any{"qType": "pivot"},
			"qHyperCubeDef": map[string]any{
				"qDimensions": []any{
					map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"xyz"}, "qSortCriterias": []any{map[string]any{"qSortByAscii": 1}}}},
					map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"abcs"}, "qSortCriterias": []any{map[string]any{"qSortByAscii": 1}}}},
				},
				"qMeasures":         []any{map[string]any{"qDef": map[string]any{"qDef": "Sum(numbers)"}}},
				"qMode":             mode,
				"qNoOfLeftDims":     1,
				"qInitialDataFetch": []any{map[string]any{"qWidth": 10, "qHeight": 10}},
			},
		}))
	}
	p := mk("DATA_MODE_PIVOT")
	l := c.ok(p, "GetLayout")["qLayout"]
	require.Equal(t, "P", path(t, l, "qHyperCube", "qMode"))
	page := path(t, l, "qHyperCube", "qPivotDataPages", 0)
	// rows x, y, z; columns a, b, c (numbers link xyz and abcs)
	require.Equal(t, "x", path(t, page, "qLeft", 0, "qText"))
	require.Equal(t, "z", path(t, page, "qLeft", 2, "qText"))
	require.Equal(t, "a", path(t, page, "qTop", 0, "qText"))
	// x is number 5, which is c: row x, column c holds 5; column a is empty
	require.Equal(t, "E", path(t, page, "qData", 0, 0, "qType"))
	require.Equal(t, "5", path(t, page, "qData", 0, 2, "qText"))
	// y (2,3,4) is all b: 9
	require.Equal(t, "9", path(t, page, "qData", 1, 1, "qText"))
	data := c.ok(p, "GetHyperCubePivotData", "/qHyperCubeDef", []any{map[string]any{"qLeft": 1, "qTop": 1, "qWidth": 1, "qHeight": 1}})
	require.Equal(t, "9", path(t, data, "qDataPages", 0, "qData", 0, 0, "qText"))
	require.Equal(t, "y", path(t, data, "qDataPages", 0, "qLeft", 0, "qText"))

	k := mk("K")
	kl := c.ok(k, "GetLayout")["qLayout"]
	root := path(t, kl, "qHyperCube", "qStackedDataPages", 0, "qData", 0)
	require.Equal(t, "R", path(t, root, "qType"))
	require.EqualValues(t, 15, path(t, root, "qMaxPos"))
	require.Equal(t, "x", path(t, root, "qSubNodes", 0, "qText"))
	require.Equal(t, "c", path(t, root, "qSubNodes", 0, "qSubNodes", 0, "qText"))
	require.Equal(t, "5", path(t, root, "qSubNodes", 0, "qSubNodes", 0, "qSubNodes", 0, "qText"))
	c.ok(k, "GetHyperCubeStackData", "/qHyperCubeDef", []any{map[string]any{"qWidth": 3, "qHeight": 3}})
}

func TestSortByExpression(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	sortDesc := []any{map[string]any{"qSortByExpression": -1, "qExpression": map[string]any{"qv": "Sum(numbers)"}}}
	lb := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "listbox"},
		"qListObjectDef": map[string]any{
			"qDef":              map[string]any{"qFieldDefs": []string{"xyz"}, "qSortCriterias": sortDesc},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 10}},
		},
	}))
	l := c.ok(lb, "GetLayout")["qLayout"]
	// y (2+3+4=9) before x (5) before z (1)
	require.Equal(t, "y", path(t, l, "qListObject", "qDataPages", 0, "qMatrix", 0, 0, "qText"))
	require.Equal(t, "x", path(t, l, "qListObject", "qDataPages", 0, "qMatrix", 1, 0, "qText"))
	require.Equal(t, "z", path(t, l, "qListObject", "qDataPages", 0, "qMatrix", 2, 0, "qText"))
	hc := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "table"},
		"qHyperCubeDef": map[string]any{
			"qDimensions":       []any{map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"xyz"}, "qSortCriterias": sortDesc}}},
			"qMeasures":         []any{map[string]any{"qDef": map[string]any{"qDef": "Count(numbers)"}}},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 2, "qHeight": 10}},
		},
	}))
	hl := c.ok(hc, "GetLayout")["qLayout"]
	require.Equal(t, "y", path(t, hl, "qHyperCube", "qDataPages", 0, "qMatrix", 0, 0, "qText"))
	require.Equal(t, "z", path(t, hl, "qHyperCube", "qDataPages", 0, "qMatrix", 2, 0, "qText"))
}

func TestHyperCubeOthers(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	h := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "barchart"},
		"qHyperCubeDef": map[string]any{
			"qDimensions": []any{map[string]any{
				"qDef":            map[string]any{"qFieldDefs": []string{"numbers"}},
				"qOtherTotalSpec": map[string]any{"qOtherMode": "OTHER_COUNTED", "qOtherCounted": map[string]any{"qv": "2"}},
				"qOtherLabel":     map[string]any{"qv": "Rest"},
			}},
			"qMeasures":         []any{map[string]any{"qDef": map[string]any{"qDef": "Sum(numbers)"}}},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 2, "qHeight": 10}},
		},
	}))
	l := c.ok(h, "GetLayout")["qLayout"]
	require.Equal(t, true, path(t, l, "qHyperCube", "qHasOtherValues"))
	require.EqualValues(t, 3, path(t, l, "qHyperCube", "qSize", "qcy"))
	last := path(t, l, "qHyperCube", "qDataPages", 0, "qMatrix", 2).([]any)
	require.Equal(t, "Rest", path(t, last, 0, "qText"))
	require.EqualValues(t, -3, path(t, last, 0, "qElemNumber"))
	require.Equal(t, true, path(t, last, 0, "qIsOtherCell"))
	require.Equal(t, "6", path(t, last, 1, "qText")) // 1+2+3
}
