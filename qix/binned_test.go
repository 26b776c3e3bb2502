package qix_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// openLoaded opens a session app loaded with script.
func openLoaded(t testing.TB, e *qix.Engine, script string) (*client, int) {
	t.Helper()
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	c.ok(doc, "SetScript", script)
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	return c, doc
}

// latticeScript is 100 points on the 10×10 integer lattice.
func latticeScript() string {
	var b strings.Builder
	b.WriteString("Points:\nItem,X,Y\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "p%02d,%d,%d\n", i, i%10, i/10)
	}
	return b.String()
}

// matrix renders the qText of a data page one row a line, cells joined by
// "|"; a row without cells is "".
func matrix(t testing.TB, page any) []string {
	t.Helper()
	var out []string
	for _, row := range path(t, page, "qMatrix").([]any) {
		var cells []string
		for _, cell := range row.([]any) {
			m := cell.(map[string]any)
			text, _ := m["qText"].(string)
			cells = append(cells, fmt.Sprintf("%s:%v", text, m["qNum"]))
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

func TestGetHyperCubeBinnedData(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openLoaded(t, e, latticeScript())
	scatter := cubeObject(t, c, doc, map[string]any{
		"qDimensions": []any{dim("Item")},
		"qMeasures":   []any{msr("Sum(X)"), msr("Sum(Y)")},
	})
	all := []any{map[string]any{"qTop": 0, "qLeft": 0, "qWidth": 3, "qHeight": 100}}
	whole := []any{map[string]any{"qLeft": 0, "qTop": 9, "qWidth": 9, "qHeight": 9}}
	viewport := map[string]any{"qWidth": 0, "qHeight": 0, "qZoomLevel": 0}

	// Level 1: a 2×2 grid of 25 points each.
	got := c.ok(scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 1000, 1, 0)
	page := path(t, got, "qDataPages", 0)
	require.Equal(t, []string{
		":25",
		"[0,9,4.5,4.5]:25", "[4.5,9,9,4.5]:25", "[0,4.5,4.5,0]:25", "[4.5,4.5,9,0]:25",
	}, matrix(t, page))
	require.Equal(t, map[string]any{"qElemNumber": 3.0, "qNum": 25.0, "qState": "L", "qText": "[4.5,4.5,9,0]"}, path(t, page, "qMatrix", 4, 0))
	require.Equal(t, map[string]any{"qLeft": 0.0, "qTop": 0.0, "qWidth": 3.0, "qHeight": 100.0}, path(t, page, "qArea"))
	require.Equal(t, []any{map[string]any{"qUp": 0.0, "qDown": 0.0}}, path(t, page, "qTails"))

	// The grid is capped by qMaxNbrCells: level 5 asks for 32×32, 4 cells allow 2×2.
	capped := c.ok(scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 4, 5, 2)
	require.Equal(t, matrix(t, page), matrix(t, path(t, capped, "qDataPages", 0)))

	// Zoomed in on [0,1]×[0,1] at level 4 every point has its cell: points.
	zoom := []any{map[string]any{"qLeft": 0, "qTop": 1, "qWidth": 1, "qHeight": 1}}
	got = c.ok(scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, zoom, 1000, 4, 0)
	require.Equal(t, []string{"", "p00:NaN|0:0|0:0", "p01:NaN|1:1|0:0", "p10:NaN|0:0|1:1", "p11:NaN|1:1|1:1"},
		matrix(t, path(t, got, "qDataPages", 0)))
	require.Equal(t, "p00", path(t, got, "qDataPages", 0, "qMatrix", 1, 0, "qText"))
	require.EqualValues(t, 0, path(t, got, "qDataPages", 0, "qMatrix", 1, 0, "qElemNumber"))

	// Without data ranges, the extent of the points; a page of the first rows.
	got = c.ok(scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef",
		[]any{map[string]any{"qTop": 0, "qLeft": 0, "qWidth": 3, "qHeight": 20}}, viewport, []any{}, 1000, 1, 0)
	require.Equal(t, []string{":5", "[0,1,4.5,0.5]:5", "[4.5,1,9,0.5]:5", "[0,0.5,4.5,0]:5", "[4.5,0.5,9,0]:5"},
		matrix(t, path(t, got, "qDataPages", 0)))

	// A page below the last row is empty.
	got = c.ok(scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef",
		[]any{map[string]any{"qTop": 500, "qLeft": 0, "qWidth": 3, "qHeight": 10}}, viewport, whole, 1000, 1, 0)
	require.Equal(t, []string{""}, matrix(t, path(t, got, "qDataPages", 0)))
	require.Equal(t, map[string]any{"qLeft": 0.0, "qTop": 500.0, "qWidth": 0.0, "qHeight": 0.0}, path(t, got, "qDataPages", 0, "qArea"))

	// A selection leaves fewer points: three in one cell at level 1, one a
	// cell at level 4.
	item := sortedListbox(t, c, doc, "Item")
	c.ok(item, "SelectListObjectValues", "/qListObjectDef", []int{0, 1, 2}, false)
	got = c.ok(scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 1000, 1, 0)
	require.Equal(t, []string{":3", "[0,4.5,4.5,0]:3"}, matrix(t, path(t, got, "qDataPages", 0)))
	got = c.ok(scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 1000, 4, 0)
	require.Equal(t, []string{"", "p00:NaN|0:0|0:0", "p01:NaN|1:1|0:0", "p02:NaN|2:2|0:0"}, matrix(t, path(t, got, "qDataPages", 0)))

	// Errors.
	c.fails(20, scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 1000, 1, 1)
	c.fails(-32602, scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 1000, 1, 7)
	c.fails(-32602, scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 1000, 21, 0)
	c.fails(-32602, scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport,
		[]any{map[string]any{"qLeft": 0, "qTop": 1, "qWidth": 0, "qHeight": 1}}, 1000, 1, 0)
	c.fails(-32602, scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport,
		[]any{map[string]any{"qLeft": "a", "qTop": 1, "qWidth": 1, "qHeight": 1}}, 1000, 1, 0)
	c.fails(-32602, scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef",
		[]any{map[string]any{"qTop": -1, "qWidth": 3, "qHeight": 1}}, viewport, whole, 1000, 1, 0)
	c.fails(-32602, scatter, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 1000, 1)
	c.fails(4, scatter, "GetHyperCubeBinnedData", "/nope", all, viewport, whole, 1000, 1, 0)
	one := cubeObject(t, c, doc, map[string]any{"qDimensions": []any{dim("Item")}, "qMeasures": []any{msr("Sum(X)")}})
	c.fails(6000, one, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 1000, 1, 0)
	pivot := cubeObject(t, c, doc, map[string]any{"qDimensions": []any{dim("Item")},
		"qMeasures": []any{msr("Sum(X)"), msr("Sum(Y)")}, "qMode": "P"})
	c.fails(6002, pivot, "GetHyperCubeBinnedData", "/qHyperCubeDef", all, viewport, whole, 1000, 1, 0)
}

// seriesScript is two lines over days 1 to 12.
const seriesScript = `Series:
Line,Day,V
a,1,5
a,2,1
a,3,9
a,4,3
a,5,3
a,6,3
a,7,8
a,8,2
a,9,7
a,10,7
a,11,6
a,12,4
b,1,100
b,2,200
`

func TestGetHyperCubeContinuousData(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openLoaded(t, e, seriesScript)
	line := cubeObject(t, c, doc, map[string]any{
		"qDimensions": []any{dim("Day"), dim("Line")},
		"qMeasures":   []any{msr("Sum(V)")},
	})
	days := func(res map[string]any) []string {
		var out []string
		for _, row := range path(t, res, "qDataPages", 0, "qMatrix").([]any) {
			r := row.([]any)
			out = append(out, fmt.Sprintf("%v%v=%v", path(t, r, 1, "qText"), path(t, r, 0, "qText"), path(t, r, 2, "qText")))
		}
		return out
	}
	cases := []struct {
		name    string
		opts    map[string]any
		reverse bool
		rows    []string
		reduced bool
	}{
		{"two bins per line: first, last, min and max of each",
			map[string]any{"qStart": 1, "qEnd": 12, "qNbrPoints": 2, "qMaxNbrTicks": 5, "qMaxNumberLines": 1},
			false, []string{"a1=5", "a2=1", "a3=9", "a6=3", "a7=8", "a8=2", "a12=4"}, true},
		{"no bins, the range and its neighbours, both lines",
			map[string]any{"qStart": 2.5, "qEnd": 4, "qNbrPoints": 0, "qMaxNbrTicks": 5},
			false, []string{"a2=1", "b2=200", "a3=9", "a4=3", "a5=3"}, false},
		{"reversed",
			map[string]any{"qStart": 11, "qEnd": 12, "qMaxNumberLines": 1},
			true, []string{"a12=4", "a11=6", "a10=7"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := c.ok(line, "GetHyperCubeContinuousData", "/qHyperCubeDef", tc.opts, tc.reverse)
			require.Equal(t, tc.rows, days(res))
			page := path(t, res, "qDataPages", 0).(map[string]any)
			require.Equal(t, map[string]any{"qLeft": 0.0, "qTop": 0.0, "qWidth": 3.0, "qHeight": float64(len(tc.rows))}, page["qArea"])
			if tc.reduced {
				require.Equal(t, true, page["qIsReduced"])
			} else {
				require.NotContains(t, page, "qIsReduced")
			}
		})
	}
	res := c.ok(line, "GetHyperCubeContinuousData", "/qHyperCubeDef", map[string]any{"qStart": 1, "qEnd": 12, "qMaxNbrTicks": 5})
	require.Equal(t, map[string]any{"qAxis": []any{map[string]any{
		"qName": "Day", "qTags": []any{"$numeric", "$integer"},
		"qTicks": []any{
			map[string]any{"qText": "5", "qStart": 5.0, "qEnd": 5.0},
			map[string]any{"qText": "10", "qStart": 10.0, "qEnd": 10.0},
		}}}}, res["qAxisData"])
	// Without qStart and qEnd: the range of the days.
	res = c.ok(line, "GetHyperCubeContinuousData", "/qHyperCubeDef", map[string]any{"qMaxNbrTicks": 3})
	require.Len(t, path(t, res, "qDataPages", 0, "qMatrix"), 14)
	require.Equal(t, []any{
		map[string]any{"qText": "5", "qStart": 5.0, "qEnd": 5.0},
		map[string]any{"qText": "10", "qStart": 10.0, "qEnd": 10.0},
	}, path(t, res, "qAxisData", "qAxis", 0, "qTicks"))

	// Errors.
	c.fails(-32602, line, "GetHyperCubeContinuousData", "/qHyperCubeDef", map[string]any{"qStart": 5, "qEnd": 1})
	c.fails(-32602, line, "GetHyperCubeContinuousData", "/qHyperCubeDef", map[string]any{"qStart": "x"})
	c.fails(-32602, line, "GetHyperCubeContinuousData", "/qHyperCubeDef", "opts")
	noMeasure := cubeObject(t, c, doc, map[string]any{"qDimensions": []any{dim("Day")}})
	c.fails(6000, noMeasure, "GetHyperCubeContinuousData", "/qHyperCubeDef", map[string]any{})
}
