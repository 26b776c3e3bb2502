package qix_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// infoIDs returns the qId of each NxInfo.
func infoIDs(t testing.TB, infos any) []string {
	t.Helper()
	out := []string{}
	for _, i := range infos.([]any) {
		out = append(out, i.(map[string]any)["qId"].(string))
	}
	return out
}

// TestChildren: children of a persistent object are persistent objects
// that GetObject finds; they are listed, reordered and destroyed through
// the parent, and go with it.
func TestChildren(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShared(t, e, "kids.qvf")
	c2, doc2 := openShared(t, e, "kids.qvf")
	sheet := handleOf(t, c.ok(doc, "CreateObject", map[string]any{
		"qInfo": map[string]any{"qId": "sheet", "qType": "sheet"}, "title": "Sheet",
		"qChildListDef": map[string]any{"qData": map[string]any{"title": "/title", "none": "/nope"}},
	}))
	require.Equal(t, []any{}, path(t, c.ok(sheet, "GetLayout"), "qLayout", "qChildList", "qItems"))

	r := c.call(sheet, "CreateChild", []any{map[string]any{"qInfo": map[string]any{"qId": "kid1", "qType": "chart"}, "title": "One", "qMetaDef": map[string]any{"title": "M1"}}})
	require.Nil(t, r.Error)
	kid1 := handleOf(t, r.Result)
	require.Equal(t, map[string]any{"qId": "kid1", "qType": "chart"}, r.Result["qInfo"])
	require.Equal(t, "GenericObject", path(t, r.Result, "qReturn", "qType"))
	require.ElementsMatch(t, []int{sheet, kid1}, r.Change)
	// qPropForThis sets the parent's properties in the same call.
	r2 := c.ok(sheet, "CreateChild", map[string]any{"qInfo": map[string]any{"qType": "chart"}, "title": "Two"},
		map[string]any{"qInfo": map[string]any{"qId": "sheet", "qType": "sheet"}, "title": "Sheet 2",
			"qChildListDef": map[string]any{"qData": map[string]any{"title": "/title"}}})
	kid2ID := path(t, r2, "qInfo", "qId").(string)
	require.NotEmpty(t, kid2ID)
	items := path(t, c.ok(sheet, "GetLayout"), "qLayout", "qChildList", "qItems").([]any)
	require.Len(t, items, 2)
	require.Equal(t, map[string]any{"qId": "kid1", "qType": "chart"}, path(t, items, 0, "qInfo"))
	require.Equal(t, map[string]any{"title": "One"}, path(t, items, 0, "qData"))
	require.Equal(t, "M1", path(t, items, 0, "qMeta", "title"))
	require.Equal(t, "Two", path(t, items, 1, "qData", "title"))
	require.Equal(t, "Sheet 2", path(t, c.ok(sheet, "GetLayout"), "qLayout", "title"))

	require.Equal(t, []string{"kid1", kid2ID}, infoIDs(t, c.ok(sheet, "GetChildInfos")["qInfos"]))
	require.Equal(t, kid1, handleOf(t, c.ok(sheet, "GetChild", "kid1")))
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(sheet, "GetChild", "nope")["qReturn"])
	require.Equal(t, sheet, handleOf(t, c.ok(kid1, "GetParent")))
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(sheet, "GetParent")["qReturn"])
	// Children are app objects: GetObject, GetAllInfos, another session.
	require.Equal(t, kid1, handleOf(t, c.ok(doc, "GetObject", "kid1")))
	require.Equal(t, []string{"sheet", "kid1", kid2ID}, infoIDs(t, c.ok(doc, "GetAllInfos")["qInfos"]))
	sheetB := handleOf(t, c2.ok(doc2, "GetObject", "sheet"))
	kid1B := handleOf(t, c2.ok(sheetB, "GetChild", "kid1"))
	require.Equal(t, []string{"kid1", kid2ID}, infoIDs(t, c2.ok(sheetB, "GetChildInfos")["qInfos"]))

	// Reordering.
	c.ok(sheet, "SetChildArrayOrder", []string{kid2ID})
	require.Equal(t, []string{kid2ID, "kid1"}, infoIDs(t, c.ok(sheet, "GetChildInfos")["qInfos"]))
	c.fails(8, sheet, "SetChildArrayOrder", []string{"nope"})
	require.Equal(t, []string{kid2ID, "kid1"}, infoIDs(t, c.ok(sheet, "GetChildInfos")["qInfos"]))

	// Grandchildren; DestroyChild takes the subtree and closes its handles
	// in every session.
	grand := handleOf(t, c.ok(kid1, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "grand", "qType": "text"}}))
	require.Equal(t, []string{"grand"}, infoIDs(t, c.ok(kid1, "GetChildInfos")["qInfos"]))
	c2.out.take()
	r = c.call(sheet, "DestroyChild", []any{"kid1"})
	require.Nil(t, r.Error)
	require.Equal(t, map[string]any{"qSuccess": true}, r.Result)
	require.ElementsMatch(t, []int{kid1, grand}, r.Close)
	require.Contains(t, r.Change, sheet)
	var closed []int
	for _, f := range c2.out.take() {
		closed = append(closed, decode(t, f).Close...)
	}
	require.Equal(t, []int{kid1B}, closed)
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(doc, "GetObject", "grand")["qReturn"])
	require.Equal(t, false, c.ok(sheet, "DestroyChild", "kid1")["qSuccess"])
	require.Equal(t, []string{kid2ID}, infoIDs(t, c.ok(sheet, "GetChildInfos")["qInfos"]))

	// DestroyAllChildren, then destroying the parent destroys new children.
	c.ok(sheet, "DestroyAllChildren")
	require.Equal(t, []any{}, c.ok(sheet, "GetChildInfos")["qInfos"])
	k3 := handleOf(t, c.ok(sheet, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "k3", "qType": "chart"}}))
	r = c.call(doc, "DestroyObject", []any{"sheet"})
	require.Nil(t, r.Error)
	require.ElementsMatch(t, []int{sheet, k3}, r.Close)
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(doc, "GetObject", "k3")["qReturn"])
	require.Equal(t, []any{}, c.ok(doc, "GetAllInfos")["qInfos"])
	closed = nil
	for _, f := range c2.out.take() {
		closed = append(closed, decode(t, f).Close...)
	}
	require.Equal(t, []int{sheetB}, closed)

	// Session objects have session children.
	so := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qId": "pane", "qType": "filterpane"}}))
	sk := handleOf(t, c.ok(so, "CreateChild", map[string]any{"qInfo": map[string]any{"qType": "listbox"}}))
	skID := path(t, c.ok(sk, "GetInfo"), "qInfo", "qId").(string)
	require.Equal(t, sk, handleOf(t, c.ok(doc, "GetObject", skID)))
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c2.ok(doc2, "GetObject", skID)["qReturn"])
	require.Equal(t, []any{}, c.ok(doc, "GetAllInfos")["qInfos"])
	r = c.call(doc, "DestroySessionObject", []any{"pane"})
	require.Nil(t, r.Error)
	require.ElementsMatch(t, []int{so, sk}, r.Close)
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(doc, "GetObject", skID)["qReturn"])

	c.fails(-32602, so, "GetChildInfos")
}

// TestFullPropertyTree: SetFullPropertyTree creates, updates and removes
// children; GetFullPropertyTree gives the real engine's tree (corectl
// golden).
func TestFullPropertyTree(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShared(t, e, "tree.qvf")
	var tree map[string]any
	readJSON(t, "testdata/corectl/nested-objects-sheet.json", &tree)
	sheet := handleOf(t, c.ok(doc, "CreateObject", path(t, tree, "qProperty")))
	c.ok(sheet, "SetFullPropertyTree", tree)
	got := c.ok(sheet, "GetFullPropertyTree")["qPropEntry"]
	// corectl printed the tree through enigma-go, whose structs leave empty
	// strings out: qExtendsId and the thumbnail's qUrl.
	var omitEmpty func(e any)
	omitEmpty = func(e any) {
		p := path(t, e, "qProperty").(map[string]any)
		if p["qExtendsId"] == "" {
			delete(p, "qExtendsId")
		}
		if th, ok := p["thumbnail"].(map[string]any); ok {
			delete(th["qStaticContentUrlDef"].(map[string]any), "qUrl")
		}
		for _, k := range path(t, e, "qChildren").([]any) {
			omitEmpty(k)
		}
	}
	omitEmpty(got)
	requireGolden(t, "testdata/corectl/TestGetFullPropertyTree_object_properties_a699ee97-152d-4470-9655-ae7c82d71491_--full.golden", got)

	// corectl's object ls --json after building the tree: GetAllInfos and
	// each object's qMetaDef title (corectl sorts them by id).
	var ls []map[string]any
	for _, info := range c.ok(doc, "GetAllInfos")["qInfos"].([]any) {
		id := info.(map[string]any)["qId"].(string)
		h := handleOf(t, c.ok(doc, "GetObject", id))
		meta, _ := c.ok(h, "GetProperties")["qProp"].(map[string]any)["qMetaDef"].(map[string]any)
		title, _ := meta["title"].(string)
		ls = append(ls, map[string]any{"qId": id, "qType": info.(map[string]any)["qType"], "title": title})
	}
	want, err := os.ReadFile("testdata/corectl/TestChildObjectsAndFullPropertyTree_object_ls_--json.golden")
	require.NoError(t, err)
	var wantLs []map[string]any
	require.NoError(t, json.Unmarshal(want, &wantLs))
	require.ElementsMatch(t, wantLs, ls)

	// The children are objects with handles of their own.
	kid := handleOf(t, c.ok(doc, "GetObject", "sZAVcpj"))
	require.Equal(t, "My new child object", path(t, c.ok(kid, "GetLayout"), "qLayout", "qMeta", "title"))

	// Replace the tree: keep sZAVcpj (updated), drop gCCkr, add a new one.
	c.out.take()
	r := c.call(sheet, "SetFullPropertyTree", []any{map[string]any{
		"qProperty": map[string]any{"qInfo": map[string]any{"qId": "ignored", "qType": "ignored"}, "title": "new"},
		"qChildren": []any{
			map[string]any{"qProperty": map[string]any{"qInfo": map[string]any{"qType": "text"}, "title": "added"},
				"qChildren": []any{map[string]any{"qProperty": map[string]any{"qInfo": map[string]any{"qType": "deep"}}}}},
			map[string]any{"qProperty": map[string]any{"qInfo": map[string]any{"qId": "sZAVcpj", "qType": "auto-chart"}, "title": "kept"}},
		},
	}})
	require.Nil(t, r.Error)
	require.Contains(t, r.Change, kid)
	require.Contains(t, r.Change, sheet)
	entry := c.ok(sheet, "GetFullPropertyTree")["qPropEntry"]
	require.Equal(t, map[string]any{"qId": "a699ee97-152d-4470-9655-ae7c82d71491", "qType": "sheet"}, path(t, entry, "qProperty", "qInfo"))
	require.Equal(t, "new", path(t, entry, "qProperty", "title"))
	require.Len(t, path(t, entry, "qChildren"), 2)
	require.Equal(t, "added", path(t, entry, "qChildren", 0, "qProperty", "title"))
	require.Equal(t, "deep", path(t, entry, "qChildren", 0, "qChildren", 0, "qProperty", "qInfo", "qType"))
	require.Equal(t, "sZAVcpj", path(t, entry, "qChildren", 1, "qProperty", "qInfo", "qId"))
	require.Equal(t, "kept", path(t, c.ok(kid, "GetProperties"), "qProp", "title"))
	require.Equal(t, map[string]any{"qType": nil, "qHandle": nil}, c.ok(doc, "GetObject", "gCCkr")["qReturn"])

	// Bad trees are refused before anything changes.
	before := c.ok(sheet, "GetFullPropertyTree")["qPropEntry"]
	for name, bad := range map[string]any{
		"not an object":       "x",
		"no qProperty":        map[string]any{"qChildren": []any{}},
		"qChildren not array": map[string]any{"qProperty": map[string]any{}, "qChildren": map[string]any{}},
		"child without qInfo": map[string]any{"qProperty": map[string]any{}, "qChildren": []any{map[string]any{"qProperty": map[string]any{}}}},
		"child qInfo.qId not a string": map[string]any{"qProperty": map[string]any{}, "qChildren": []any{
			map[string]any{"qProperty": map[string]any{"qInfo": map[string]any{"qId": 1}}}}},
		"deep child bad": map[string]any{"qProperty": map[string]any{}, "qChildren": []any{
			map[string]any{"qProperty": map[string]any{"qInfo": map[string]any{"qType": "a"}}, "qChildren": []any{1}}}},
	} {
		t.Run(name, func(t *testing.T) {
			c.fails(-32602, sheet, "SetFullPropertyTree", bad)
			require.Equal(t, before, c.ok(sheet, "GetFullPropertyTree")["qPropEntry"])
		})
	}

	// A session object built the way nebula.js builds a filter pane.
	pane := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": "sn-filter-pane"}}))
	c.ok(pane, "SetFullPropertyTree", map[string]any{
		"qProperty": map[string]any{"qInfo": map[string]any{"qType": "sn-filter-pane"}, "qChildListDef": map[string]any{"qData": map[string]any{}}},
		"qChildren": []any{
			map[string]any{"qProperty": map[string]any{"qInfo": map[string]any{"qType": "listbox"}, "qListObjectDef": map[string]any{"qDef": map[string]any{"qFieldDefs": []any{"abcs"}}}}, "qChildren": []any{}},
			map[string]any{"qProperty": map[string]any{"qInfo": map[string]any{"qType": "listbox"}, "qListObjectDef": map[string]any{"qDef": map[string]any{"qFieldDefs": []any{"xyz"}}}}, "qChildren": []any{}},
		}})
	kids := path(t, c.ok(pane, "GetLayout"), "qLayout", "qChildList", "qItems").([]any)
	require.Len(t, kids, 2)
	lb := handleOf(t, c.ok(pane, "GetChild", path(t, kids, 1, "qInfo", "qId")))
	require.Equal(t, 3.0, path(t, c.ok(lb, "GetLayout"), "qLayout", "qListObject", "qSize", "qcy"))
	// Session children are not app objects.
	require.Len(t, c.ok(doc, "GetAllInfos")["qInfos"], 4)
}
