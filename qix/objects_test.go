package qix_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

func TestGenericObjects(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)

	// Session objects: ids kept or generated, handles stable per id.
	r := c.call(doc, "CreateSessionObject", []any{map[string]any{
		"qInfo": map[string]any{"qId": "LB01", "qType": "listbox"}, "title": "A listbox",
		"qMetaDef":       map[string]any{"title": "meta"},
		"qListObjectDef": map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Country"}}},
		"qLayoutExclude": map[string]any{"x": 1}, "custom": map[string]any{"qStaticContentUrlDef": map[string]any{"qUrl": "u"}},
	}})
	require.Nil(t, r.Error)
	h := handleOf(t, r.Result)
	require.Equal(t, []int{h}, r.Change)
	require.Equal(t, map[string]any{"qType": "GenericObject", "qHandle": float64(h), "qGenericType": "listbox", "qGenericId": "LB01"}, r.Result["qReturn"])
	require.Equal(t, h, handleOf(t, c.ok(doc, "GetObject", "LB01")))
	require.Equal(t, map[string]any{"qInfo": map[string]any{"qId": "LB01", "qType": "listbox"}}, c.ok(h, "GetInfo"))
	dup := c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qId": "LB01", "qType": "listbox"}})
	require.NotEqual(t, "LB01", path(t, dup, "qReturn", "qGenericId"))
	gen := c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": "x"}})
	require.Regexp(t, `^[0-9a-f-]{36}$`, path(t, gen, "qReturn", "qGenericId"))
	c.fails(-32602, doc, "CreateSessionObject", map[string]any{"title": "no qInfo"})
	c.fails(-32602, doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": 5}})
	c.fails(-32602, doc, "CreateSessionObject", "x")

	// Layout: keys copied, qMetaDef → qMeta, qLayoutExclude dropped,
	// unknown definitions left as they are.
	l := lo(t, c, h)
	require.Equal(t, "A listbox", l["title"])
	require.Equal(t, map[string]any{"title": "meta", "privileges": []any{"read", "update", "delete", "exportdata"}}, l["qMeta"])
	require.NotContains(t, l, "qLayoutExclude")
	require.NotContains(t, l, "qMetaDef")
	require.NotContains(t, l, "qListObjectDef")
	require.Equal(t, map[string]any{"qStaticContentUrlDef": map[string]any{"qUrl": "u"}}, l["custom"])

	// Properties: as set, normalised, unknown keys kept.
	p := c.ok(h, "GetProperties")["qProp"].(map[string]any)
	require.Equal(t, "A listbox", p["title"])
	require.Equal(t, map[string]any{"x": 1.0}, p["qLayoutExclude"])
	require.Equal(t, map[string]any{
		"qDef": map[string]any{"qGrouping": "N", "qFieldDefs": []any{"Country"}, "qFieldLabels": []any{},
			"qSortCriterias": []any{}, "qNumberPresentations": []any{}, "qActiveField": 0.0},
		"qAutoSortByState": map[string]any{"qDisplayNumberOfRows": -1.0}, "qFrequencyMode": "N",
		"qInitialDataFetch": []any{}, "qExpressions": []any{},
	}, p["qListObjectDef"])
	require.Equal(t, p, c.ok(h, "GetEffectiveProperties")["qProp"])

	// SetProperties: full replace, id and type kept, enum long forms read.
	r = c.call(h, "SetProperties", []any{map[string]any{
		"qInfo": map[string]any{"qId": "other", "qType": "changed"},
		"qListObjectDef": map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Product"}},
			"qFrequencyMode": "NX_FREQUENCY_VALUE", "qInitialDataFetch": []any{map[string]any{"qHeight": 5, "qWidth": 1}}},
	}})
	require.Nil(t, r.Error)
	require.Equal(t, map[string]any{}, r.Result)
	require.Equal(t, []int{h}, r.Change)
	p = c.ok(h, "GetProperties")["qProp"].(map[string]any)
	require.Equal(t, map[string]any{"qId": "LB01", "qType": "listbox"}, p["qInfo"])
	require.Equal(t, "V", path(t, p, "qListObjectDef", "qFrequencyMode"))
	require.NotContains(t, p, "title")
	require.Equal(t, map[string]any{}, p["qMetaDef"])
	require.Equal(t, "2", path(t, lo(t, c, h), "qListObject", "qDataPages", 0, "qMatrix", 0, 0, "qFrequency"))

	// Destroy.
	r = c.call(doc, "DestroySessionObject", []any{"LB01"})
	require.Equal(t, map[string]any{"qSuccess": true}, r.Result)
	require.Equal(t, []int{h}, r.Close)
	require.Empty(t, r.Change)
	c.fails(-32602, h, "GetLayout")
	require.Equal(t, map[string]any{"qSuccess": false}, c.ok(doc, "DestroySessionObject", "LB01"))
	// Unknown ids: the classic engine's null interface.
	require.Equal(t, map[string]any{"qReturn": map[string]any{"qType": nil, "qHandle": nil}}, c.ok(doc, "GetObject", "LB01"))

	// Persistent objects and the app object list.
	sheets := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo":             map[string]any{"qType": "SheetList"},
		"qAppObjectListDef": map[string]any{"qType": "sheet", "qData": map[string]any{"title": "/qMetaDef/title", "rank": "/rank", "none": "/nope"}},
	}))
	require.Equal(t, []any{}, path(t, lo(t, c, sheets), "qAppObjectList", "qItems"))
	r = c.call(doc, "CreateObject", []any{map[string]any{
		"qInfo": map[string]any{"qType": "sheet"}, "qMetaDef": map[string]any{"title": "Budget"}, "rank": -1,
		"qChildListDef": map[string]any{"qData": map[string]any{"title": "/title"}},
	}})
	require.Nil(t, r.Error)
	sheet := handleOf(t, r.Result)
	sheetID := path(t, r.Result, "qInfo", "qId").(string)
	require.Equal(t, map[string]any{"qId": sheetID, "qType": "sheet"}, r.Result["qInfo"])
	require.Equal(t, []int{sheets, sheet}, r.Change)
	items := path(t, lo(t, c, sheets), "qAppObjectList", "qItems").([]any)
	require.Len(t, items, 1)
	require.Equal(t, map[string]any{"qId": sheetID, "qType": "sheet"}, path(t, items, 0, "qInfo"))
	require.Equal(t, map[string]any{"title": "Budget", "rank": -1.0, "none": nil}, path(t, items, 0, "qData"))
	require.Equal(t, "Budget", path(t, items, 0, "qMeta", "title"))
	require.Equal(t, []any{map[string]any{"qId": sheetID, "qType": "sheet"}}, c.ok(doc, "GetAllInfos")["qInfos"])
	// qChildListDef is laid out as the (here empty) list of children.
	require.Equal(t, map[string]any{"qItems": []any{}}, lo(t, c, sheet)["qChildList"])
	// Another session sees the persistent object, with its own handle.
	c2 := connect(t, e, qix.SessionParams{})
	d2 := handleOf(t, c2.ok(-1, "OpenDoc", path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qFileName")))
	sheet2 := handleOf(t, c2.ok(d2, "GetObject", sheetID))
	require.Equal(t, "Budget", path(t, lo(t, c2, sheet2), "qMeta", "title"))
	r = c.call(doc, "DestroyObject", []any{sheetID})
	require.Equal(t, map[string]any{"qSuccess": true}, r.Result)
	require.Equal(t, []int{sheet}, r.Close)
	require.Equal(t, []int{sheets}, r.Change)
	require.JSONEq(t, `{"jsonrpc":"2.0","close":[`+jsonNum(sheet2)+`]}`, string(c2.out.take()[0]))
	require.Equal(t, []any{}, c.ok(doc, "GetAllInfos")["qInfos"])

	// The field list.
	fl := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "FieldList"}, "qFieldListDef": map[string]any{}}))
	var names []string
	for _, it := range path(t, lo(t, c, fl), "qFieldList", "qItems").([]any) {
		names = append(names, it.(map[string]any)["qName"].(string))
	}
	require.Equal(t, []string{"CustID", "Name", "Country", "OrderID", "Product", "Amount", "Big"}, names)
	c.ok(fl, "SetProperties", map[string]any{"qInfo": map[string]any{"qType": "FieldList"}, "qFieldListDef": map[string]any{"qShowSystem": true}})
	items = path(t, lo(t, c, fl), "qFieldList", "qItems").([]any)
	require.Len(t, items, 12)
	last := items[len(items)-1].(map[string]any)
	require.Equal(t, true, last["qIsSystem"])
	require.Equal(t, true, last["qIsHidden"])
}

// TestChangePropagation: a selection changes the objects of its state in
// every connection of the session (pushed to the others, never on a
// GetLayout); persistent objects change in every session; a reload changes
// every object of the app.
func TestChangePropagation(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	require.NoError(t, e.CreateApp(context.Background(), "shop.qvf", "Shop", shopScript, true))
	c1 := connect(t, e, qix.SessionParams{})
	doc1 := handleOf(t, c1.ok(-1, "OpenDoc", "shop.qvf"))
	lb1 := listbox(t, c1, doc1, "Country", nil)
	static := handleOf(t, c1.ok(doc1, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": "text"}, "text": "hi"}))
	sheet := c1.ok(doc1, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": "S1", "qType": "sheet"},
		"qListObjectDef": map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Product"}}}})
	sheet1 := handleOf(t, sheet)

	// A second connection to the same session.
	c1b := attach(t, c1.s)
	require.Contains(t, string(c1b.out.take()[0]), qix.SessionAttached)
	doc1b := handleOf(t, c1b.ok(-1, "GetActiveDoc"))
	require.NotEqual(t, doc1, doc1b, "handles are per connection")
	lb1b := handleOf(t, c1b.ok(doc1b, "GetObject", path(t, c1.ok(lb1, "GetInfo"), "qInfo", "qId")))
	require.NotEqual(t, lb1, lb1b)
	sheet1b := handleOf(t, c1b.ok(doc1b, "GetObject", "S1"))

	// Another session on the same app.
	c2 := connect(t, e, qix.SessionParams{})
	doc2 := handleOf(t, c2.ok(-1, "OpenDoc", "shop.qvf"))
	sheet2 := handleOf(t, c2.ok(doc2, "GetObject", "S1"))

	fld := handleOf(t, c1.ok(doc1, "GetField", "Country"))
	r := c1.call(fld, "Select", []any{"SE"})
	require.Equal(t, []int{doc1, lb1, sheet1}, r.Change)
	require.NotContains(t, r.Change, static)
	pushed := c1b.out.take()
	require.Len(t, pushed, 1)
	require.JSONEq(t, `{"jsonrpc":"2.0","change":[`+jsonNum(doc1b)+`,`+jsonNum(lb1b)+`,`+jsonNum(sheet1b)+`]}`, string(pushed[0]))
	require.Empty(t, c2.out.take(), "selections are per session")
	// The other connection sees the selection.
	require.Equal(t, []string{"SE:S", "DK:A", "NO:A"}, cells(t, c1b.ok(lb1b, "GetLayout")["qLayout"].(map[string]any)))
	require.Empty(t, c1.out.take(), "GetLayout changes nothing")
	// ... and the other session does not.
	lb2 := listbox(t, c2, doc2, "Country", nil)
	require.Equal(t, []string{"SE:O", "DK:O", "NO:O"}, cells(t, lo(t, c2, lb2)))

	// Changing a persistent object reaches every session that has it.
	r = c1.call(sheet1, "SetProperties", []any{map[string]any{"qInfo": map[string]any{"qType": "sheet"}, "title": "x"}})
	require.Equal(t, []int{sheet1}, r.Change)
	require.JSONEq(t, `{"jsonrpc":"2.0","change":[`+jsonNum(sheet1b)+`]}`, string(c1b.out.take()[0]))
	require.JSONEq(t, `{"jsonrpc":"2.0","change":[`+jsonNum(sheet2)+`]}`, string(c2.out.take()[0]))
	require.Equal(t, "x", lo(t, c2, sheet2)["title"])

	// Destroying it closes it everywhere.
	r = c2.call(doc2, "DestroyObject", []any{"S1"})
	require.Equal(t, []int{sheet2}, r.Close)
	require.JSONEq(t, `{"jsonrpc":"2.0","close":[`+jsonNum(sheet1)+`]}`, string(c1.out.take()[0]))
	require.JSONEq(t, `{"jsonrpc":"2.0","close":[`+jsonNum(sheet1b)+`]}`, string(c1b.out.take()[0]))

	// A reload changes every object of the app in every session and resets
	// the selections.
	r = c2.call(doc2, "DoReload", []any{})
	require.Equal(t, true, r.Result["qReturn"])
	require.Equal(t, []int{lb2}, r.Change)
	require.JSONEq(t, `{"jsonrpc":"2.0","change":[`+jsonNum(lb1)+`,`+jsonNum(static)+`]}`, string(c1.out.take()[0]))
	require.JSONEq(t, `{"jsonrpc":"2.0","change":[`+jsonNum(lb1b)+`]}`, string(c1b.out.take()[0]))
	require.Equal(t, []string{"SE:O", "DK:O", "NO:O"}, cells(t, lo(t, c1, lb1)))

	// Session objects are per session; closing the first connection keeps
	// the session for the second.
	c1.conn.Close()
	require.Equal(t, []string{"SE:O", "DK:O", "NO:O"}, cells(t, c1b.ok(lb1b, "GetLayout")["qLayout"].(map[string]any)))
	c2.fails(-32602, lb1, "GetLayout")
	require.Equal(t, map[string]any{"qReturn": map[string]any{"qType": nil, "qHandle": nil}},
		c2.ok(doc2, "GetObject", path(t, c1b.ok(lb1b, "GetInfo"), "qInfo", "qId")))
}

// TestResumeGivesNewHandles mirrors enigma.js's suspend/resume: a new
// connection to the same session gets new handles for the same objects,
// and the unsaved app properties are still there.
func TestResumeGivesNewHandles(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{AppID: "SessionApp_resume"})
	doc := handleOf(t, c.ok(-1, "GetActiveDoc"))
	obj := handleOf(t, c.ok(doc, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": "OBJ02", "qType": "test"}, "n": 1}))
	props := c.ok(obj, "GetProperties")
	c.ok(doc, "SetAppProperties", map[string]any{"test": true})
	c.conn.Close()

	c2 := attach(t, c.s)
	require.Contains(t, string(c2.out.take()[0]), "SESSION_ATTACHED")
	doc2 := handleOf(t, c2.ok(-1, "GetActiveDoc"))
	obj2 := handleOf(t, c2.ok(doc2, "GetObject", "OBJ02"))
	require.NotEqual(t, obj, obj2)
	require.NotEqual(t, doc, doc2)
	require.Equal(t, props, c2.ok(obj2, "GetProperties"))
	require.Equal(t, true, path(t, c2.ok(doc2, "GetAppProperties"), "qProp", "test"))
}
