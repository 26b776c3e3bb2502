package qix_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

func TestModalSelections(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	a := listbox(t, c, doc, "Country", nil)
	b := listbox(t, c, doc, "Product", nil)
	selA := func(elems ...int) *resp {
		return c.call(a, "SelectListObjectValues", []any{"/qListObjectDef", elems, true})
	}
	c.ok(b, "SelectListObjectValues", "/qListObjectDef", []int{0}, false) // Apple, before the mode

	r := c.call(a, "BeginSelections", []any{[]string{"/qListObjectDef"}})
	require.Nil(t, r.Error)
	require.Equal(t, []int{a}, r.Change)
	require.Equal(t, map[string]any{"qInSelections": true}, lo(t, c, a)["qSelectionInfo"])
	require.Equal(t, map[string]any{}, lo(t, c, b)["qSelectionInfo"])
	require.Equal(t, true, selA(1).Result["qSuccess"]) // DK
	require.Equal(t, map[string]any{"qInSelections": true, "qMadeSelections": true}, lo(t, c, a)["qSelectionInfo"])
	// Selections made in the mode are visible everywhere.
	require.Equal(t, []string{"Apple:S", "Banana:A", "Cherry:X"}, cells(t, lo(t, c, b)))
	// Another object cannot select or enter the mode.
	r = c.fails(6003, b, "SelectListObjectValues", "/qListObjectDef", []int{1}, false)
	require.Equal(t, "Function not allowed on this object in app modal mode", r.Error.Message)
	c.fails(6003, b, "BeginSelections", []string{"/qListObjectDef"})
	c.fails(4, a, "BeginSelections", []string{"/nope"})
	// Abort restores the selections from before BeginSelections.
	r = c.call(a, "EndSelections", []any{false})
	require.Nil(t, r.Error)
	require.Equal(t, map[string]any{}, r.Result)
	require.Equal(t, []int{doc, a, b}, r.Change)
	require.Equal(t, map[string]any{}, lo(t, c, a)["qSelectionInfo"])
	require.Equal(t, []string{"SE:O", "DK:O", "NO:X"}, cells(t, lo(t, c, a)))
	require.Equal(t, []string{"Apple:S", "Banana:A", "Cherry:A"}, cells(t, lo(t, c, b)))
	// Outside the mode b selects again.
	require.Equal(t, true, c.ok(b, "SelectListObjectValues", "/qListObjectDef", []int{0, 1}, false)["qSuccess"])

	// Accept keeps them.
	c.ok(a, "BeginSelections", []string{"/qListObjectDef"})
	c.ok(a, "BeginSelections", []string{"/qListObjectDef"}) // again: still in the mode
	selA(0)
	c.ok(a, "EndSelections", true)
	require.Equal(t, []string{"SE:S", "DK:A", "NO:X"}, cells(t, lo(t, c, a)))
	c.ok(a, "EndSelections", true) // not in the mode: nothing happens

	// ResetMadeSelections goes back but stays in the mode.
	c.ok(a, "BeginSelections", []string{"/qListObjectDef"})
	selA(1)
	require.Equal(t, []string{"SE:S", "DK:S", "NO:X"}, cells(t, lo(t, c, a)))
	c.ok(a, "ResetMadeSelections")
	require.Equal(t, []string{"SE:S", "DK:A", "NO:X"}, cells(t, lo(t, c, a)))
	require.Equal(t, map[string]any{"qInSelections": true}, lo(t, c, a)["qSelectionInfo"])
	// Doc.AbortModal ends the mode of whatever object holds it.
	selA(1)
	c.ok(doc, "AbortModal", false)
	require.Equal(t, []string{"SE:S", "DK:A", "NO:X"}, cells(t, lo(t, c, a)))
	require.Equal(t, map[string]any{}, lo(t, c, a)["qSelectionInfo"])
	c.ok(b, "BeginSelections", []string{"/qListObjectDef"})
	c.ok(doc, "AbortModal", true)
	c.ok(a, "BeginSelections", []string{"/qListObjectDef"})
	// Field selections are not refused by the mode.
	fld := handleOf(t, c.ok(doc, "GetField", "Country"))
	require.Equal(t, true, c.ok(fld, "Select", "DK")["qReturn"])
	// Destroying the modal object ends the mode.
	objID := path(t, c.ok(a, "GetInfo"), "qInfo", "qId")
	c.ok(doc, "DestroySessionObject", objID)
	require.Equal(t, true, c.ok(b, "SelectListObjectValues", "/qListObjectDef", []int{0}, false)["qSuccess"])
}

func TestSelectionObject(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	cs := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo":               map[string]any{"qType": "current-selections"},
		"qSelectionObjectDef": map[string]any{"qStateName": "$"},
		"alternateStates":     []any{map[string]any{"stateName": "B", "qSelectionObjectDef": map[string]any{"qStateName": "B"}}},
	}))
	l := lo(t, c, cs)
	require.Equal(t, map[string]any{"qBackCount": 0.0, "qForwardCount": 0.0, "qSelections": []any{}, "qStateName": "$"}, l["qSelectionObject"])
	require.Equal(t, 2.0, path(t, l, "alternateStates", 0, "qSelectionObject", "qError", "qErrorCode"))
	require.Equal(t, "B", path(t, l, "alternateStates", 0, "stateName"))

	country := handleOf(t, c.ok(doc, "GetField", "Country"))
	product := handleOf(t, c.ok(doc, "GetField", "Product"))
	big := handleOf(t, c.ok(doc, "GetField", "Big"))
	r := c.call(country, "Select", []any{"S*"})
	require.Equal(t, []int{doc, cs}, r.Change, "selection objects change with every selection")
	c.ok(product, "SelectValues", []any{map[string]any{"qText": "Apple"}, map[string]any{"qText": "Banana"}})
	c.ok(product, "Lock")
	c.ok(big, "SelectAll")
	c.ok(big, "ToggleSelect", "8")
	l = lo(t, c, cs)
	so := l["qSelectionObject"].(map[string]any)
	require.Equal(t, 5.0, so["qBackCount"])
	require.Equal(t, 0.0, so["qForwardCount"])
	sels := so["qSelections"].([]any)
	require.Len(t, sels, 3)
	require.Equal(t, map[string]any{
		"qTotal": 3.0, "qField": "Country", "qTextSearch": "S*", "qSelectedCount": 1.0, "qSelected": "SE",
		"qRangeInfo": []any{}, "qSortIndex": 0.0,
		"qStateCounts": map[string]any{"qLocked": 0.0, "qSelected": 1.0, "qOption": 0.0, "qDeselected": 0.0,
			"qAlternative": 1.0, "qExcluded": 1.0, "qSelectedExcluded": 0.0, "qLockedExcluded": 0.0},
		"qSelectedFieldSelectionInfo":    []any{map[string]any{"qName": "SE", "qFieldSelectionMode": "NORMAL"}},
		"qNotSelectedFieldSelectionInfo": []any{}, "qSelectionThreshold": 6.0, "qDimensionReferences": []any{},
	}, sels[0])
	require.Equal(t, "Product", path(t, sels, 1, "qField"))
	require.Equal(t, true, path(t, sels, 1, "qLocked"))
	require.Equal(t, "Apple, Banana", path(t, sels, 1, "qSelected"))
	require.Equal(t, 2.0, path(t, sels, 1, "qStateCounts", "qLocked"))
	require.Equal(t, "Big", path(t, sels, 2, "qField"))
	require.Equal(t, true, path(t, sels, 2, "qIsNum"))
	require.Equal(t, "7 of 8", path(t, sels, 2, "qSelected"))
	require.Len(t, path(t, sels, 2, "qSelectedFieldSelectionInfo"), 6)

	// Back and Forward.
	r = c.call(doc, "Back", []any{})
	require.Equal(t, map[string]any{}, r.Result)
	require.Equal(t, []int{doc, cs}, r.Change)
	require.Equal(t, 4.0, c.ok(doc, "BackCount")["qReturn"])
	require.Equal(t, 1.0, c.ok(doc, "ForwardCount")["qReturn"])
	so = lo(t, c, cs)["qSelectionObject"].(map[string]any)
	require.Equal(t, "8 of 8", path(t, so, "qSelections", 2, "qSelected"))
	c.ok(doc, "Forward")
	require.Equal(t, 0.0, c.ok(doc, "ForwardCount")["qReturn"])
	c.ok(doc, "UnlockAll")
	c.ok(doc, "ClearAll")
	require.Empty(t, lo(t, c, cs)["qSelectionObject"].(map[string]any)["qSelections"])
	c.ok(doc, "AddAlternateState", "B")
	fb := handleOf(t, c.ok(doc, "GetField", "Country", "B"))
	c.ok(fb, "Select", "DK")
	l = lo(t, c, cs)
	require.Empty(t, l["qSelectionObject"].(map[string]any)["qSelections"])
	require.Equal(t, "Country", path(t, l, "alternateStates", 0, "qSelectionObject", "qSelections", 0, "qField"))
	c.ok(doc, "LockAll", "B")
	require.Equal(t, true, path(t, lo(t, c, cs), "alternateStates", 0, "qSelectionObject", "qSelections", 0, "qLocked"))
}

func TestFieldMethods(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openShop(t, e)
	cl := listbox(t, c, doc, "Country", nil)
	pl := listbox(t, c, doc, "Product", nil)
	country := handleOf(t, c.ok(doc, "GetField", "Country"))
	product := handleOf(t, c.ok(doc, "GetField", "Product"))
	require.Equal(t, country, handleOf(t, c.ok(doc, "GetField", "Country", "$")))
	amount := handleOf(t, c.ok(doc, "GetField", "Amount"))
	nope := handleOf(t, c.ok(doc, "GetField", "Nope"))
	states := func(h int) []string { return cells(t, lo(t, c, h)) }
	tests := []struct {
		name     string
		handle   int
		method   string
		params   []any
		ret      any
		country  []string
		products []string
	}{
		{"select", country, "Select", []any{"se"}, true, []string{"SE:S", "DK:A", "NO:A"}, []string{"Apple:O", "Banana:O", "Cherry:O"}},
		{"select nothing", country, "Select", []any{"XX"}, false, []string{"SE:S", "DK:A", "NO:A"}, nil},
		{"toggle", country, "ToggleSelect", []any{"DK"}, true, []string{"SE:S", "DK:S", "NO:A"}, nil},
		{"select values", product, "SelectValues", []any{[]any{map[string]any{"qText": "Cherry"}}}, true, []string{"SE:S", "DK:XS", "NO:X"}, []string{"Apple:A", "Banana:A", "Cherry:S"}},
		{"select values toggle", product, "SelectValues", []any{[]any{map[string]any{"qText": "Apple"}}, true}, true, nil, []string{"Apple:S", "Banana:A", "Cherry:S"}},
		{"select values unknown", product, "SelectValues", []any{[]any{map[string]any{"qText": "Kiwi"}}}, false, nil, []string{"Apple:S", "Banana:A", "Cherry:S"}},
		{"numeric value", amount, "SelectValues", []any{[]any{map[string]any{"qIsNumeric": true, "qNumber": 4.75}}}, true, nil, []string{"Apple:XS", "Banana:X", "Cherry:S"}},
		{"clear", amount, "Clear", nil, true, nil, []string{"Apple:S", "Banana:A", "Cherry:S"}},
		{"low level", product, "LowLevelSelect", []any{[]int{1}, false}, true, []string{"SE:S", "DK:S", "NO:X"}, []string{"Apple:A", "Banana:S", "Cherry:A"}},
		{"low level bad", product, "LowLevelSelect", []any{[]int{7}, false}, false, nil, []string{"Apple:A", "Banana:S", "Cherry:A"}},
		{"select all", product, "SelectAll", nil, true, nil, []string{"Apple:S", "Banana:S", "Cherry:S"}},
		{"clear all but this", product, "ClearAllButThis", nil, true, []string{"SE:O", "DK:O", "NO:X"}, nil},
		{"select possible", country, "SelectPossible", nil, true, []string{"SE:S", "DK:S", "NO:X"}, nil},
		// NO has no orders: selecting it clears the product selection
		// that excludes it (conflict resolution).
		{"select excluded", country, "SelectExcluded", nil, true, []string{"SE:A", "DK:A", "NO:S"}, []string{"Apple:X", "Banana:X", "Cherry:X"}},
		{"select alternative", country, "SelectAlternative", nil, true, []string{"SE:S", "DK:S", "NO:A"}, []string{"Apple:O", "Banana:O", "Cherry:O"}},
		{"lock", country, "Lock", nil, true, []string{"SE:L", "DK:L", "NO:A"}, nil},
		{"locked refuses", country, "Select", []any{"NO"}, false, []string{"SE:L", "DK:L", "NO:A"}, nil},
		{"soft lock", country, "Select", []any{"SE", true}, true, []string{"SE:L", "DK:A", "NO:A"}, nil},
		{"unlock", country, "Unlock", nil, true, []string{"SE:S", "DK:A", "NO:A"}, nil},
		{"unlock again", country, "Unlock", nil, false, nil, nil},
		{"excluded values mode", country, "Select", []any{"NO", false, 1}, true, []string{"SE:A", "DK:A", "NO:S"}, []string{"Apple:X", "Banana:X", "Cherry:X"}},
		{"missing field", nope, "Select", []any{"x"}, false, nil, nil},
		{"missing field all", nope, "SelectAll", nil, false, nil, nil},
	}
	for _, tt := range tests {
		res := c.ok(tt.handle, tt.method, tt.params...)
		require.Equal(t, map[string]any{"qReturn": tt.ret}, res, tt.name)
		if tt.country != nil {
			require.Equal(t, tt.country, states(cl), tt.name)
		}
		if tt.products != nil {
			require.Equal(t, tt.products, states(pl), tt.name)
		}
	}
	require.Equal(t, 3.0, c.ok(country, "GetCardinal")["qReturn"])
	require.Equal(t, 0.0, c.ok(nope, "GetCardinal")["qReturn"])
	require.Equal(t, map[string]any{"qProperties": map[string]any{"qOneAndOnlyOne": false}}, c.ok(country, "GetNxProperties"))
	c.ok(country, "SetNxProperties", map[string]any{"qOneAndOnlyOne": false})
	c.fails(20, country, "SetNxProperties", map[string]any{"qOneAndOnlyOne": true})
	require.Equal(t, false, c.ok(country, "GetAndMode")["qReturn"])
	c.ok(country, "SetAndMode", false)
	c.fails(20, country, "SetAndMode", true)
	c.fails(-32602, country, "Select", 5)
	c.fails(-32602, product, "SelectValues", []any{map[string]any{"qNumber": "x"}})
	c.fails(-32602, product, "SelectValues", "x")
	c.fails(-32601, country, "GetLayout")
}
