package qix_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

const shopScript = `Customers:
CustID,Name,Country
1,Alice,SE
2,Bob,DK
3,Cara,SE
4,Dan,NO

Orders:
OrderID,CustID,Product,Amount
10,1,Apple,2.5
11,1,Banana,3
12,2,Apple,1
13,3,Cherry,4.75
14,2,Banana,

Big:
Big
1
2
3
4
5
6
7
8
`

// openShop starts a session on a session app with the shop data.
func openShop(t testing.TB, e *qix.Engine) (*client, int) {
	t.Helper()
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	c.ok(doc, "SetScript", shopScript)
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	return c, doc
}

func lo(t testing.TB, c *client, h int) map[string]any {
	t.Helper()
	return c.ok(h, "GetLayout")["qLayout"].(map[string]any)
}

func TestListObjectLayout(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)

	l := lo(t, c, listbox(t, c, doc, "Country", nil))
	require.Equal(t, []string{"SE:O", "DK:O", "NO:O"}, cells(t, l))
	require.Equal(t, map[string]any{"qcx": 1.0, "qcy": 3.0}, path(t, l, "qListObject", "qSize"))
	require.Equal(t, "$", path(t, l, "qListObject", "qStateName"))
	require.Equal(t, []any{}, path(t, l, "qListObject", "qExpressions"))
	require.Equal(t, map[string]any{}, l["qSelectionInfo"])
	require.Equal(t, []any{"read", "update", "delete", "exportdata"}, path(t, l, "qMeta", "privileges"))
	di := path(t, l, "qListObject", "qDimensionInfo").(map[string]any)
	require.Equal(t, map[string]any{
		"qFallbackTitle": "Country", "qApprMaxGlyphCount": 2.0, "qCardinal": 3.0, "qSortIndicator": "N",
		"qGroupFallbackTitles": []any{"Country"}, "qGroupPos": 0.0,
		"qStateCounts": map[string]any{"qLocked": 0.0, "qSelected": 0.0, "qOption": 3.0, "qDeselected": 0.0,
			"qAlternative": 0.0, "qExcluded": 0.0, "qSelectedExcluded": 0.0, "qLockedExcluded": 0.0},
		"qTags": []any{"$ascii", "$text"}, "qDimensionType": "D", "qGrouping": "N",
		"qNumFormat":    map[string]any{"qType": "U", "qnDec": 0.0, "qUseThou": 0.0},
		"qIsAutoFormat": true, "qGroupFieldDefs": []any{"Country"}, "qMin": "NaN", "qMax": "NaN",
		"qAttrExprInfo": []any{}, "qAttrDimInfo": []any{},
	}, di)
	require.Equal(t, map[string]any{"qLeft": 0.0, "qTop": 0.0, "qWidth": 1.0, "qHeight": 3.0},
		path(t, l, "qListObject", "qDataPages", 0, "qArea"))
	require.Equal(t, []any{}, path(t, l, "qListObject", "qDataPages", 0, "qTails"))

	// Numeric fields: integer and real formats, range, continuous axis.
	l = lo(t, c, listbox(t, c, doc, "CustID", nil))
	di = path(t, l, "qListObject", "qDimensionInfo").(map[string]any)
	require.Equal(t, "N", di["qDimensionType"])
	require.Equal(t, []any{"$key", "$numeric", "$integer"}, di["qTags"])
	require.Equal(t, map[string]any{"qType": "I", "qnDec": 0.0, "qUseThou": 1.0, "qFmt": "###0", "qDec": "."}, di["qNumFormat"])
	require.Equal(t, 1.0, di["qMin"])
	require.Equal(t, 4.0, di["qMax"])
	require.Equal(t, true, di["qContinuousAxes"])
	require.Equal(t, map[string]any{"qText": "1", "qNum": 1.0, "qElemNumber": 0.0, "qState": "O"},
		path(t, l, "qListObject", "qDataPages", 0, "qMatrix", 0, 0))
	l = lo(t, c, listbox(t, c, doc, "Amount", nil))
	di = path(t, l, "qListObject", "qDimensionInfo").(map[string]any)
	require.Equal(t, "R", path(t, di, "qNumFormat", "qType"))
	require.Equal(t, 1.0, di["qMin"])
	require.Equal(t, 4.75, di["qMax"])
	require.Equal(t, 4.0, di["qApprMaxGlyphCount"])

	// Label, bracketed field name.
	l = lo(t, c, listbox(t, c, doc, "[Country]", map[string]any{
		"qDef": map[string]any{"qFieldDefs": []string{"[Country]"}, "qFieldLabels": []string{"Land"}}}))
	require.Equal(t, "Land", path(t, l, "qListObject", "qDimensionInfo", "qFallbackTitle"))
	require.Equal(t, []any{"Country"}, path(t, l, "qListObject", "qDimensionInfo", "qGroupFieldDefs"))
}

func TestListObjectErrors(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	tests := []struct {
		name string
		def  map[string]any
		code float64
	}{
		{"unknown field", map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Nope"}}}, 2},
		{"calculated dimension", map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"=Country"}}}, 20},
		{"library dimension", map[string]any{"qDef": nil, "qLibraryId": "dim1"}, 7001},
		{"no field", map[string]any{"qDef": map[string]any{"qFieldDefs": []string{}}}, 8},
		{"unknown state", map[string]any{"qStateName": "Nope"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := lo(t, c, listbox(t, c, doc, "Country", tt.def))
			require.Equal(t, tt.code, path(t, l, "qListObject", "qDimensionInfo", "qError", "qErrorCode"))
			require.Equal(t, []any{}, path(t, l, "qListObject", "qDataPages"))
			require.Equal(t, 0.0, path(t, l, "qListObject", "qSize", "qcy"))
		})
	}
	// An initial fetch of more than 10 000 cells is a layout error.
	l := lo(t, c, listbox(t, c, doc, "Country", map[string]any{
		"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 20000}}}))
	require.Equal(t, []string{"SE:O", "DK:O", "NO:O"}, cells(t, l)) // clipped to the 3 values
	big := listbox(t, c, doc, "Big", map[string]any{"qInitialDataFetch": []any{
		map[string]any{"qWidth": 1, "qHeight": 5000}, map[string]any{"qWidth": 1, "qHeight": 5000}}})
	require.Len(t, cells(t, lo(t, c, big)), 8)
}

func TestListObjectSorting(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	crit := func(sc map[string]any) map[string]any {
		return map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Country"}, "qSortCriterias": []any{sc}}}
	}
	tests := []struct {
		name      string
		field     string
		def       map[string]any
		indicator string
		want      []string
	}{
		{"load order", "Country", crit(map[string]any{"qSortByLoadOrder": 1}), "A", []string{"SE:O", "DK:O", "NO:O"}},
		{"load order desc", "Country", crit(map[string]any{"qSortByLoadOrder": -1}), "D", []string{"NO:O", "DK:O", "SE:O"}},
		{"ascii", "Country", crit(map[string]any{"qSortByAscii": 1}), "A", []string{"DK:O", "NO:O", "SE:O"}},
		{"ascii desc", "Country", crit(map[string]any{"qSortByAscii": -1}), "D", []string{"SE:O", "NO:O", "DK:O"}},
		{"frequency desc", "Country", crit(map[string]any{"qSortByFrequency": 1}), "D", []string{"SE:O", "DK:O", "NO:O"}},
		{"frequency asc", "Country", crit(map[string]any{"qSortByFrequency": -1}), "A", []string{"DK:O", "NO:O", "SE:O"}},
		{"reverse", "Country", map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Country"},
			"qSortCriterias": []any{map[string]any{"qSortByAscii": 1}}, "qReverseSort": true}}, "A", []string{"SE:O", "NO:O", "DK:O"}},
		{"numeric", "Amount", map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Amount"},
			"qSortCriterias": []any{map[string]any{"qSortByNumeric": 1}}}}, "A", []string{"1:O", "2.5:O", "3:O", "4.75:O"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := lo(t, c, listbox(t, c, doc, tt.field, tt.def))
			require.Equal(t, tt.want, cells(t, l))
			require.Equal(t, tt.indicator, path(t, l, "qListObject", "qDimensionInfo", "qSortIndicator"))
		})
	}
	// Sort by state and auto sort by state put selected values first.
	fld := handleOf(t, c.ok(doc, "GetField", "Country"))
	require.Equal(t, true, c.ok(fld, "Select", "NO")["qReturn"])
	l := lo(t, c, listbox(t, c, doc, "Country", crit(map[string]any{"qSortByState": 1, "qSortByAscii": 1})))
	require.Equal(t, []string{"NO:S", "DK:A", "SE:A"}, cells(t, l))
	l = lo(t, c, listbox(t, c, doc, "Country", map[string]any{"qAutoSortByState": map[string]any{"qDisplayNumberOfRows": 1}}))
	require.Equal(t, []string{"NO:S", "SE:A", "DK:A"}, cells(t, l))
}

func TestListObjectFrequencyAndAlternatives(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	freq := func(mode any) []string {
		l := lo(t, c, listbox(t, c, doc, "Country", map[string]any{"qFrequencyMode": mode}))
		var out []string
		for _, row := range path(t, l, "qListObject", "qDataPages", 0, "qMatrix").([]any) {
			out = append(out, row.([]any)[0].(map[string]any)["qFrequency"].(string))
		}
		return out
	}
	require.Equal(t, []string{"2", "1", "1"}, freq("V"))
	require.Equal(t, []string{"2", "1", "1"}, freq("NX_FREQUENCY_VALUE"))
	require.Equal(t, []string{"50%", "25%", "25%"}, freq("P"))
	require.Equal(t, []string{"0.5", "0.25", "0.25"}, freq(3))
	l := lo(t, c, listbox(t, c, doc, "Country", nil))
	require.NotContains(t, path(t, l, "qListObject", "qDataPages", 0, "qMatrix", 0, 0), "qFrequency")

	fld := handleOf(t, c.ok(doc, "GetField", "Country"))
	c.ok(fld, "Select", "SE")
	noAlt := listbox(t, c, doc, "Country", map[string]any{"qShowAlternatives": false})
	l = lo(t, c, noAlt)
	require.Equal(t, []string{"SE:S", "DK:X", "NO:X"}, cells(t, l))
	require.Equal(t, 2.0, path(t, l, "qListObject", "qDimensionInfo", "qStateCounts", "qAlternative"))
	require.Equal(t, []string{"SE:S", "DK:A", "NO:A"}, cells(t, lo(t, c, listbox(t, c, doc, "Country", nil))))
	// Frequencies follow the selections.
	require.Equal(t, []string{"2", "0", "0"}, freq("V"))
}

func TestGetListObjectData(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	h := listbox(t, c, doc, "Big", map[string]any{"qInitialDataFetch": []any{map[string]any{"qWidth": 0, "qHeight": 0}}})
	require.Equal(t, map[string]any{"qMatrix": []any{}, "qTails": []any{},
		"qArea": map[string]any{"qLeft": 0.0, "qTop": 0.0, "qWidth": 0.0, "qHeight": 0.0}},
		path(t, lo(t, c, h), "qListObject", "qDataPages", 0))
	pages := func(ps ...map[string]any) []any {
		res := c.ok(h, "GetListObjectData", "/qListObjectDef", ps)
		return res["qDataPages"].([]any)
	}
	got := pages(map[string]any{"qTop": 2, "qHeight": 3, "qWidth": 1}, map[string]any{"qTop": 6, "qHeight": 10, "qWidth": 5})
	require.Len(t, got, 2)
	require.Equal(t, map[string]any{"qLeft": 0.0, "qTop": 2.0, "qWidth": 1.0, "qHeight": 3.0}, path(t, got, 0, "qArea"))
	require.Equal(t, "3", path(t, got, 0, "qMatrix", 0, 0, "qText"))
	require.Equal(t, 2.0, path(t, got, 0, "qMatrix", 0, 0, "qElemNumber"))
	require.Equal(t, map[string]any{"qLeft": 0.0, "qTop": 6.0, "qWidth": 1.0, "qHeight": 2.0}, path(t, got, 1, "qArea"))
	got = pages(map[string]any{"qTop": 20, "qHeight": 3, "qWidth": 1}, map[string]any{"qLeft": 1, "qHeight": 3, "qWidth": 1})
	require.Equal(t, []any{}, path(t, got, 0, "qMatrix"))
	require.Equal(t, []any{}, path(t, got, 1, "qMatrix"))
	require.Equal(t, []any{}, c.ok(h, "GetListObjectData", "/qListObjectDef", []any{})["qDataPages"])
	c.fails(-32602, h, "GetListObjectData", "/qListObjectDef", []any{map[string]any{"qTop": -1, "qHeight": 3, "qWidth": 1}})
	c.fails(-32602, h, "GetListObjectData", "/qListObjectDef", "nope")
	c.fails(4, h, "GetListObjectData", "/qHyperCubeDef", []any{})
	c.fails(4, h, "GetListObjectData", "/qInfo", []any{})

	// The 10 000-cell limit counts the cells a page really holds.
	e2, _ := newEngine(t, qix.Options{})
	c2 := connect(t, e2, qix.SessionParams{})
	d2 := handleOf(t, c2.ok(-1, "CreateSessionApp"))
	script := "T:\nn\n"
	for i := 0; i < 10001; i++ {
		script += jsonNum(i) + "\n"
	}
	c2.ok(d2, "SetScript", script)
	c2.ok(d2, "DoReload")
	h2 := listbox(t, c2, d2, "n", nil)
	r := c2.fails(7009, h2, "GetListObjectData", "/qListObjectDef", []any{map[string]any{"qHeight": 10001, "qWidth": 1}})
	require.Equal(t, "Calculation pages too large", r.Error.Message)
	got2 := c2.ok(h2, "GetListObjectData", "/qListObjectDef", []any{map[string]any{"qTop": 9990, "qHeight": 100, "qWidth": 1}})
	require.Len(t, path(t, got2, "qDataPages", 0, "qMatrix"), 11)
	l := lo(t, c2, listbox(t, c2, d2, "n", map[string]any{"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 10001}}}))
	require.Equal(t, 7009.0, path(t, l, "qListObject", "qError", "qErrorCode"))
}

func TestListObjectSelections(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	country := listbox(t, c, doc, "Country", nil)
	product := listbox(t, c, doc, "Product", nil)
	sel := func(h int, method string, params ...any) (bool, []int) {
		r := c.call(h, method, append([]any{"/qListObjectDef"}, params...))
		require.Nil(t, r.Error, "%s", r.raw)
		return r.Result["qSuccess"].(bool), r.Change
	}
	ok, change := sel(country, "SelectListObjectValues", []int{0}, false)
	require.True(t, ok)
	require.Equal(t, []int{doc, country, product}, change)
	require.Equal(t, []string{"SE:S", "DK:A", "NO:A"}, cells(t, lo(t, c, country)))
	require.Equal(t, []string{"Apple:O", "Banana:O", "Cherry:O"}, cells(t, lo(t, c, product)))
	ok, _ = sel(product, "SelectListObjectValues", []int{2}, false)
	require.True(t, ok)
	require.Equal(t, []string{"SE:S", "DK:X", "NO:X"}, cells(t, lo(t, c, country)))
	require.Equal(t, []string{"Apple:A", "Banana:A", "Cherry:S"}, cells(t, lo(t, c, product)))
	ok, _ = sel(product, "SelectListObjectValues", []int{0}, true)
	require.True(t, ok)
	require.Equal(t, []string{"Apple:S", "Banana:A", "Cherry:S"}, cells(t, lo(t, c, product)))
	// Invalid element numbers are ignored; only invalid ones fail.
	ok, change = sel(product, "SelectListObjectValues", []int{-2, 99}, false)
	require.False(t, ok)
	require.Empty(t, change)
	ok, _ = sel(product, "SelectListObjectValues", []int{1, 99}, false)
	require.True(t, ok)
	require.Equal(t, []string{"Apple:A", "Banana:S", "Cherry:A"}, cells(t, lo(t, c, product)))
	// Selecting the same again changes nothing.
	ok, change = sel(product, "SelectListObjectValues", []int{1}, false)
	require.True(t, ok)
	require.Empty(t, change)

	ok, _ = sel(product, "SelectListObjectAll")
	require.True(t, ok)
	require.Equal(t, []string{"Apple:S", "Banana:S", "Cherry:S"}, cells(t, lo(t, c, product)))
	// Inverting a selection of every value leaves none: the field clears.
	ok, _ = sel(product, "SelectListObjectExcluded")
	require.True(t, ok)
	require.Equal(t, []string{"Apple:O", "Banana:O", "Cherry:O"}, cells(t, lo(t, c, product)))
	c.ok(product, "ClearSelections", "/qListObjectDef")
	require.Equal(t, []string{"Apple:O", "Banana:O", "Cherry:O"}, cells(t, lo(t, c, product)))
	ok, _ = sel(country, "SelectListObjectValues", []int{1}, false) // DK
	require.True(t, ok)
	require.Equal(t, []string{"Apple:O", "Banana:O", "Cherry:X"}, cells(t, lo(t, c, product)))
	ok, _ = sel(product, "SelectListObjectPossible")
	require.True(t, ok)
	require.Equal(t, []string{"Apple:S", "Banana:S", "Cherry:X"}, cells(t, lo(t, c, product)))
	ok, _ = sel(country, "SelectListObjectAlternative")
	require.True(t, ok)
	require.Equal(t, []string{"SE:S", "DK:A", "NO:X"}, cells(t, lo(t, c, country)))
	ok, _ = sel(country, "SelectListObjectExcluded")
	require.True(t, ok)

	// Locks: a locked field refuses changes unless soft-locked.
	c.ok(doc, "ClearAll")
	sel(country, "SelectListObjectValues", []int{0}, false)
	r := c.call(country, "Lock", []any{"/qListObjectDef"})
	require.Nil(t, r.Error)
	require.Equal(t, map[string]any{}, r.Result)
	l := lo(t, c, country)
	require.Equal(t, []string{"SE:L", "DK:A", "NO:A"}, cells(t, l))
	require.Equal(t, true, path(t, l, "qListObject", "qDimensionInfo", "qLocked"))
	ok, _ = sel(country, "SelectListObjectValues", []int{1}, false)
	require.False(t, ok)
	ok, _ = sel(country, "SelectListObjectValues", []int{1}, false, true)
	require.True(t, ok)
	require.Equal(t, []string{"SE:A", "DK:L", "NO:A"}, cells(t, lo(t, c, country)))
	c.ok(country, "Unlock", "/qListObjectDef")
	require.Equal(t, []string{"SE:A", "DK:S", "NO:A"}, cells(t, lo(t, c, country)))
	c.ok(country, "ClearSelections", "/qListObjectDef", []int{0})

	c.fails(4, country, "SelectListObjectValues", "/nope", []int{0}, false)
	c.fails(4, country, "SelectListObjectAll", "")
	c.fails(-32602, country, "SelectListObjectValues", "/qListObjectDef", []any{"a"}, false)
	c.fails(-32602, country, "SelectListObjectValues", "/qListObjectDef", []int{0}, 1)
	// A list object on a field that does not exist selects nothing.
	bad := listbox(t, c, doc, "Nope", nil)
	ok, _ = sel(bad, "SelectListObjectValues", []int{0}, false)
	require.False(t, ok)
}

func TestListObjectsInAlternateStates(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	c.ok(doc, "AddAlternateState", "B")
	c.fails(3, doc, "AddAlternateState", "B")
	c.fails(8, doc, "AddAlternateState", "$")
	require.Equal(t, []any{"B"}, path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qStateNames"))
	inB := listbox(t, c, doc, "Country", map[string]any{"qStateName": "B"})
	inDefault := listbox(t, c, doc, "Country", nil)
	// Object-level qStateName applies to the definitions inside.
	objState := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "x"}, "qStateName": "B",
		"qListObjectDef": map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Country"}},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 10}}}}))
	fB := handleOf(t, c.ok(doc, "GetField", "Country", "B"))
	r := c.call(fB, "Select", []any{"DK"})
	require.Equal(t, true, r.Result["qReturn"])
	require.Equal(t, []int{doc, inB, objState}, r.Change)
	require.Equal(t, []string{"SE:A", "DK:S", "NO:A"}, cells(t, lo(t, c, inB)))
	require.Equal(t, "B", path(t, lo(t, c, inB), "qListObject", "qStateName"))
	// qShowAlternatives is off there: alternatives show as excluded.
	require.Equal(t, []string{"SE:X", "DK:S", "NO:X"}, cells(t, lo(t, c, objState)))
	require.Equal(t, []string{"SE:O", "DK:O", "NO:O"}, cells(t, lo(t, c, inDefault)))
	r = c.call(inDefault, "SelectListObjectValues", []any{"/qListObjectDef", []int{0}, false})
	require.Equal(t, []int{doc, inDefault}, r.Change)
	c.ok(doc, "ClearAll", false, "B")
	require.Equal(t, []string{"SE:O", "DK:O", "NO:O"}, cells(t, lo(t, c, inB)))
	c.fails(2, doc, "GetField", "Country", "C")
	// Session states come and go with the session.
	c.ok(doc, "AddSessionAlternateState", "S", "$")
	inS := listbox(t, c, doc, "Country", map[string]any{"qStateName": "S"})
	require.Equal(t, []string{"SE:S", "DK:A", "NO:A"}, cells(t, lo(t, c, inS)), "copied from $")
	require.Equal(t, []any{"B", "S"}, path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qStateNames"))
	c.fails(3, doc, "AddSessionAlternateState", "B")
	require.Equal(t, map[string]any{"qSuccess": true}, c.ok(doc, "RemoveSessionAlternateState", "S"))
	require.Equal(t, map[string]any{"qSuccess": false}, c.ok(doc, "RemoveSessionAlternateState", "S"))
	require.Equal(t, 2.0, path(t, lo(t, c, inS), "qListObject", "qDimensionInfo", "qError", "qErrorCode"))
	c.ok(doc, "RemoveAlternateState", "B")
	c.fails(2, doc, "RemoveAlternateState", "B")
	require.Equal(t, []any{}, path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qStateNames"))
}
