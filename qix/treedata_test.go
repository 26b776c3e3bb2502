package qix_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// treeCube is Region > Country in tree mode with Sum(Amount).
func treeCube(t testing.TB, c *client, doc int, fetch []any) int {
	t.Helper()
	def := map[string]any{
		"qDimensions": []any{dim("Region"), dim("Country")},
		"qMeasures":   []any{msr("Sum(Amount)")},
		"qMode":       "DATA_MODE_TREE",
	}
	if fetch != nil {
		def["qInitialDataFetch"] = fetch
	}
	return cubeObject(t, c, doc, def)
}

// nodeLines renders NxTreeNode trees one node a line: indent, text, type,
// the first measure and the tree path.
func nodeLines(t testing.TB, nodes any) []string {
	t.Helper()
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		for _, n := range v.([]any) {
			m := n.(map[string]any)
			tp, err := json.Marshal(m["qTreePath"])
			require.NoError(t, err)
			out = append(out, strings.Repeat(" ", depth)+m["qText"].(string)+" "+m["qType"].(string)+" "+
				path(t, m, "qValues", 0, "qText").(string)+" "+string(tp))
			walk(m["qNodes"], depth+1)
		}
	}
	walk(nodes, 0)
	return out
}

func TestGetHyperCubeTreeData(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openChartApp(t, e)
	h := treeCube(t, c, doc, nil)

	// The complete tree, exactly.
	got, err := json.Marshal(c.ok(h, "GetHyperCubeTreeData", "/qHyperCubeDef")["qNodes"])
	require.NoError(t, err)
	leaf := func(text string, elem, pos, row int, v string, path int) string {
		return `{"qText":"` + text + `","qValue":"NaN","qElemNo":` + itoa(elem) + `,"qGroupPos":` + itoa(pos) +
			`,"qGroupSize":0,"qRow":` + itoa(row) + `,"qType":"N","qValues":[{"qText":"` + v + `","qValue":` + v +
			`}],"qNodes":[],"qMaxPos":[` + v + `],"qMinNeg":[0],"qState":"O","qTreePath":[` + itoa(path) + `]}`
	}
	want := `[{"qText":"","qValue":"NaN","qElemNo":-1,"qGroupPos":0,"qGroupSize":2,"qRow":0,"qType":"R",
		"qValues":[{"qText":"182","qValue":182}],"qNodes":[
		 {"qText":"East","qValue":"NaN","qElemNo":0,"qGroupPos":0,"qGroupSize":2,"qRow":0,"qType":"N",
		  "qValues":[{"qText":"65","qValue":65}],"qNodes":[` + leaf("DK", 0, 0, 0, "30", 0) + `,` + leaf("SE", 1, 1, 1, "35", 0) + `],
		  "qMaxPos":[65],"qMinNeg":[0],"qState":"O","qTreePath":[]},
		 {"qText":"West","qValue":"NaN","qElemNo":1,"qGroupPos":1,"qGroupSize":2,"qRow":2,"qType":"N",
		  "qValues":[{"qText":"117","qValue":117}],"qNodes":[` + leaf("CA", 3, 0, 2, "7", 1) + `,` + leaf("US", 2, 1, 3, "110", 1) + `],
		  "qMaxPos":[117],"qMinNeg":[0],"qState":"O","qTreePath":[]}],
		"qMaxPos":[182],"qMinNeg":[0],"qState":"L","qTreePath":[]}]`
	require.JSONEq(t, want, string(got))

	opts := func(o map[string]any) []string {
		t.Helper()
		return nodeLines(t, c.ok(h, "GetHyperCubeTreeData", "/qHyperCubeDef", o)["qNodes"])
	}
	cases := []struct {
		name string
		opt  map[string]any
		want []string
	}{
		{"an area over the countries: the second and third",
			map[string]any{"qTreeNodes": []any{map[string]any{"qArea": map[string]any{"qLeft": 1, "qTop": 1, "qWidth": 1, "qHeight": 2}}}},
			[]string{" R 182 []", " East N 65 []", "  SE N 35 [0]", " West N 117 []", "  CA N 7 [1]"}},
		{"an area over both levels: the first node of each",
			map[string]any{"qTreeNodes": []any{map[string]any{"qArea": map[string]any{"qLeft": 0, "qTop": 0, "qWidth": 2, "qHeight": 1}}}},
			[]string{" R 182 []", " East N 65 []", "  DK N 30 [0]"}},
		{"one entry per dimension without areas, all values below",
			map[string]any{"qTreeNodes": []any{map[string]any{}, map[string]any{"qAllValues": true}}},
			[]string{" R 182 []", " East N 65 []", "  DK N 30 [0]", "  SE N 35 [0]", "  CA G - [0]", "  US G - [0]",
				" West N 117 []", "  CA N 7 [1]", "  US N 110 [1]", "  DK G - [1]", "  SE G - [1]"}},
		{"levels from the countries on",
			map[string]any{"qTreeLevels": map[string]any{"qLeft": 1, "qDepth": -1}},
			[]string{" R 182 []", " DK N 30 [0]", " SE N 35 [0]", " CA N 7 [1]", " US N 110 [1]"}},
		{"the regions only",
			map[string]any{"qTreeLevels": map[string]any{"qLeft": 0, "qDepth": 1}},
			[]string{" R 182 []", " East N 65 []", " West N 117 []"}},
		{"within the node limit",
			map[string]any{"qMaxNbrOfNodes": 6},
			[]string{" R 182 []", " East N 65 []", "  DK N 30 [0]", "  SE N 35 [0]", " West N 117 []", "  CA N 7 [1]", "  US N 110 [1]"}},
		{"over the node limit: no nodes",
			map[string]any{"qMaxNbrOfNodes": 5},
			nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, opts(tc.opt)) })
	}

	// Selections change the tree and its states.
	region := sortedListbox(t, c, doc, "Region")
	r := c.call(region, "SelectListObjectValues", []any{"/qListObjectDef", []int{1}, false}) // West
	require.Contains(t, r.Change, h)
	nodes := c.ok(h, "GetHyperCubeTreeData", "/qHyperCubeDef")["qNodes"]
	require.Equal(t, []string{" R 117 []", " West N 117 []", "  CA N 7 [0]", "  US N 110 [0]"}, nodeLines(t, nodes))
	require.Equal(t, "S", path(t, nodes, 0, "qNodes", 0, "qState"))

	// Errors.
	c.fails(-32602, h, "GetHyperCubeTreeData", "/qHyperCubeDef", "all")
	c.fails(-32602, h, "GetHyperCubeTreeData", "/qHyperCubeDef", map[string]any{"qTreeNodes": "x"})
	c.fails(-32602, h, "GetHyperCubeTreeData", "/qHyperCubeDef", map[string]any{"qTreeNodes": []any{map[string]any{"qArea": map[string]any{"qLeft": -1}}}})
	c.fails(-32602, h, "GetHyperCubeTreeData", "/qHyperCubeDef", map[string]any{"qTreeLevels": map[string]any{"qLeft": -2}})
	c.fails(-32602, h, "GetHyperCubeTreeData", "/qHyperCubeDef", map[string]any{"qMaxNbrOfNodes": "ten"})
	c.fails(4, h, "GetHyperCubeTreeData", "/qListObjectDef")
	straight := cubeObject(t, c, doc, map[string]any{"qDimensions": []any{dim("Region")}, "qMeasures": []any{msr("Sum(Amount)")}})
	c.fails(6002, straight, "GetHyperCubeTreeData", "/qHyperCubeDef")
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestTreeModeLayout(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openChartApp(t, e)
	// Without an initial fetch: the counts, no pages.
	hc := path(t, lo(t, c, treeCube(t, c, doc, nil)), "qHyperCube")
	require.Equal(t, "T", path(t, hc, "qMode"))
	require.Equal(t, []any{2.0, 4.0}, path(t, hc, "qTreeNodesOnDim"))
	require.Equal(t, []any{}, path(t, hc, "qTreeDataPages"))
	require.Equal(t, []any{}, path(t, hc, "qDataPages"))
	// A page is an area of the tree.
	h := treeCube(t, c, doc, []any{map[string]any{"qLeft": 0, "qTop": 0, "qWidth": 2, "qHeight": 1}})
	hc = path(t, lo(t, c, h), "qHyperCube")
	require.Equal(t, []string{" R 182 []", " East N 65 []", "  DK N 30 [0]"}, nodeLines(t, path(t, hc, "qTreeDataPages")))

	// Delta mode: the first answer adds everything, an unchanged tree is an
	// empty patch.
	get := func() *resp {
		b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": c.nextID(), "handle": h,
			"method": "GetHyperCubeTreeData", "params": []any{"/qHyperCubeDef"}, "delta": true})
		require.NoError(t, err)
		frames := c.raw(string(b))
		require.Len(t, frames, 1)
		return decode(t, frames[0])
	}
	first := get()
	require.Contains(t, string(first.raw), `"delta":true`)
	require.Equal(t, c.ok(h, "GetHyperCubeTreeData", "/qHyperCubeDef")["qNodes"], path(t, first.Result, "qNodes", 0, "value"))
	require.Empty(t, get().Result["qNodes"])
}
