package qix

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine"
)

func TestMentions(t *testing.T) {
	props := func(s string) *jsonObject {
		v, err := parseJSON([]byte(s))
		require.NoError(t, err)
		return v.(*jsonObject)
	}
	for _, tc := range []struct {
		props string
		words []string
		want  bool
	}{
		{`{"m":"Sum({BM01} x)"}`, []string{"BM01"}, true},
		{`{"m":"Sum({BM011} x)"}`, []string{"BM01"}, false},
		{`{"m":"Sum({xBM01} x)"}`, []string{"BM01"}, false},
		{`{"m":["a", {"d":"Sum({S1::BM01} x)"}]}`, []string{"BM01"}, true},
		{`{"m":"Sum({[My mark]} x)"}`, []string{"nope", "My mark"}, true},
		{`{"qInfo":{"qId":"BM01"}}`, []string{"BM01"}, false},
		{`{"BM01":"key, not value"}`, []string{"BM01"}, false},
		{`{"m":"BM01"}`, []string{""}, false},
		{`{"m":"åBM01"}`, []string{"BM01"}, false},
		{`{"m":"BM01 BM01x"}`, []string{"BM01"}, true},
	} {
		require.Equal(t, tc.want, mentions(props(tc.props), tc.words...), "%s %q", tc.props, tc.words)
	}
}

func TestBookmarkDataRoundTrip(t *testing.T) {
	d := &bookmarkData{
		states: []bmState{{name: "$", fields: []bmField{{name: "f", locked: true, search: "a*", values: []engine.FieldValue{
			{Text: "a"}, {Text: "1", IsNumeric: true, Number: 1}, {Text: "+Inf", IsNumeric: true, Number: math.Inf(1)},
			{Text: "-Inf", IsNumeric: true, Number: math.Inf(-1)}}}}}, {name: "S1"}},
		modified: 45000.25,
		vars:     []bmVariable{{name: "v", def: "=1", value: engine.FieldValue{Text: "=1"}}},
	}
	v, err := parseJSON(encode(d.json()))
	require.NoError(t, err)
	got, err := parseBookmarkData(v.(*jsonObject))
	require.NoError(t, err)
	require.Equal(t, d.states, got.states)
	require.Equal(t, d.modified, got.modified)
	require.Equal(t, d.vars, got.vars)
	require.Equal(t, []any{}, got.patches)
}

// FuzzLoadLibrary: damaged master items, bookmarks and object trees of a
// snapshot give errors, never panics.
func FuzzLoadLibrary(f *testing.F) {
	f.Add([]byte(`{"qProperties":{"qInfo":{"qId":"b"},"qMetaDef":{"title":"t"}},"qBookmark":{"qStateData":[{"qStateName":"$","qFieldItems":[{"qDef":{"qName":"f"},"qLocked":true,"qSelectInfo":{"qTextSearch":"a*"},"qValues":[{"qText":"1","qIsNumeric":true,"qNumber":1}]}]}],"qUtcModifyTime":45000,"qVariableItems":[{"qName":"v","qDefinition":"1","qValue":{"qText":"1"}}],"qPatches":[]}}`))
	f.Add([]byte(`{"qProperty":{"qInfo":{"qId":"a","qType":"sheet"}},"qChildren":[{"qProperty":{"qInfo":{"qId":"b"}},"qChildren":[]}]}`))
	f.Add([]byte(`{"qInfo":{"qId":"d","qType":"dimension"},"qDim":{"qFieldDefs":["x"],"qGrouping":"N"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range []*AppSnapshot{
			{ID: "x", Bookmarks: [][]byte{data}},
			{ID: "x", Objects: [][]byte{data}},
			{ID: "x", Dimensions: [][]byte{data}, Measures: [][]byte{data}},
		} {
			a, err := appFromSnapshot(nil, s)
			if err == nil {
				_ = a.snapshot()
			}
		}
	})
}
