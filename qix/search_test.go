package qix_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

const searchScript = `Customers:
CustID,Name,Country
1,Alice Smith,Sweden
2,Bob Jones,Denmark
3,Cara Smith,Sweden
4,Dan Öberg,Norway

Orders:
OrderID,CustID,Product,Amount
10,1,Apple Pie,2.5
11,1,Banana Split,3
12,2,Apple Juice,1
13,3,Cherry Pie,4.75
14,2,Banana Split,
`

// openSearchApp starts a session on a session app with the search data.
func openSearchApp(t testing.TB, e *qix.Engine) (*client, int) {
	t.Helper()
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	c.ok(doc, "SetScript", searchScript)
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	return c, doc
}

// groupsText renders a SearchResult as "Field=v1|v2 Field2=v3" per group.
func groupsText(t testing.TB, res map[string]any) []string {
	t.Helper()
	var out []string
	for _, g := range path(t, res, "qSearchGroupArray").([]any) {
		var items []string
		for _, it := range g.(map[string]any)["qItems"].([]any) {
			item := it.(map[string]any)
			var vals []string
			for _, m := range item["qItemMatches"].([]any) {
				vals = append(vals, m.(map[string]any)["qText"].(string))
			}
			items = append(items, fmt.Sprintf("%v=%s", item["qIdentifier"], strings.Join(vals, "|")))
		}
		out = append(out, strings.Join(items, " "))
	}
	return out
}

func allPage() map[string]any { return map[string]any{"qOffset": 0, "qCount": -1} }

func TestSearchResults(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openSearchApp(t, e)

	res := c.ok(doc, "SearchResults", map[string]any{}, []string{"smith", "pie"}, allPage())["qResult"]
	want := `{
	  "qSearchTerms": ["smith", "pie"],
	  "qTotalNumberOfGroups": 3,
	  "qSearchGroupArray": [
	    {"qId": 0, "qGroupType": "DatasetType", "qSearchTermsMatched": [0, 1], "qTotalNumberOfItems": 2, "qItems": [
	      {"qItemType": "Field", "qTotalNumberOfMatches": 2, "qIdentifier": "Name", "qItemMatches": [
	        {"qText": "Alice Smith", "qAttributes": [], "qRanges": [{"qCharPos": 6, "qCharCount": 5, "qTerm": 0}]},
	        {"qText": "Cara Smith", "qAttributes": [], "qRanges": [{"qCharPos": 5, "qCharCount": 5, "qTerm": 0}]}],
	       "qSearchTermsMatched": [0], "qMatchType": "FieldMatchWord"},
	      {"qItemType": "Field", "qTotalNumberOfMatches": 2, "qIdentifier": "Product", "qItemMatches": [
	        {"qText": "Apple Pie", "qAttributes": [], "qRanges": [{"qCharPos": 6, "qCharCount": 3, "qTerm": 1}]},
	        {"qText": "Cherry Pie", "qAttributes": [], "qRanges": [{"qCharPos": 7, "qCharCount": 3, "qTerm": 1}]}],
	       "qSearchTermsMatched": [1], "qMatchType": "FieldMatchWord"}]},
	    {"qId": 1, "qGroupType": "DatasetType", "qSearchTermsMatched": [0], "qTotalNumberOfItems": 1, "qItems": [
	      {"qItemType": "Field", "qTotalNumberOfMatches": 2, "qIdentifier": "Name", "qItemMatches": [
	        {"qText": "Alice Smith", "qAttributes": [], "qRanges": [{"qCharPos": 6, "qCharCount": 5, "qTerm": 0}]},
	        {"qText": "Cara Smith", "qAttributes": [], "qRanges": [{"qCharPos": 5, "qCharCount": 5, "qTerm": 0}]}],
	       "qSearchTermsMatched": [0], "qMatchType": "FieldMatchWord"}]},
	    {"qId": 2, "qGroupType": "DatasetType", "qSearchTermsMatched": [1], "qTotalNumberOfItems": 1, "qItems": [
	      {"qItemType": "Field", "qTotalNumberOfMatches": 2, "qIdentifier": "Product", "qItemMatches": [
	        {"qText": "Apple Pie", "qAttributes": [], "qRanges": [{"qCharPos": 6, "qCharCount": 3, "qTerm": 1}]},
	        {"qText": "Cherry Pie", "qAttributes": [], "qRanges": [{"qCharPos": 7, "qCharCount": 3, "qTerm": 1}]}],
	       "qSearchTermsMatched": [1], "qMatchType": "FieldMatchWord"}]}
	  ]}`
	got, err := json.Marshal(res)
	require.NoError(t, err)
	require.JSONEq(t, want, string(got))

	tests := []struct {
		name  string
		opts  map[string]any
		terms []string
		page  map[string]any
		want  []string
		total float64
	}{
		{"nothing found", map[string]any{}, []string{"zebra"}, allPage(), nil, 0},
		{"no terms", map[string]any{}, []string{}, allPage(), nil, 0},
		{"unassociated terms", map[string]any{}, []string{"bob", "cherry"}, allPage(),
			[]string{"Name=Bob Jones", "Product=Cherry Pie"}, 2},
		{"one field", map[string]any{"qSearchFields": []string{"Product"}}, []string{"a"}, allPage(),
			[]string{"Product=Apple Pie|Apple Juice"}, 1},
		{"wildcard", map[string]any{}, []string{"*split"}, allPage(), []string{"Product=Banana Split"}, 1},
		{"numeric", map[string]any{}, []string{">=3"}, allPage(),
			[]string{"CustID=3|4", "OrderID=10|11|12|13|14", "Amount=3|4.75"}, 3},
		{"numeric range", map[string]any{"qSearchFields": []string{"Amount", "Nope"}}, []string{">=1<3"}, allPage(),
			[]string{"Amount=2.5|1"}, 1},
		{"page of groups", map[string]any{}, []string{">=3"}, map[string]any{"qOffset": 1, "qCount": 1},
			[]string{"OrderID=10|11|12|13|14"}, 3},
		{"offset past the end", map[string]any{}, []string{">=3"}, map[string]any{"qOffset": 7, "qCount": 1}, nil, 3},
		{"page of matches", map[string]any{}, []string{">=3"}, map[string]any{"qOffset": 1, "qCount": 1,
			"qGroupItemOptions": []any{map[string]any{"qGroupItemType": "FIELD", "qOffset": 2, "qCount": 2}}},
			[]string{"OrderID=12|13"}, 3},
		{"page of items", map[string]any{}, []string{"smith", "pie"}, map[string]any{"qOffset": 0, "qCount": 1,
			"qGroupOptions": []any{map[string]any{"qGroupType": "DatasetType", "qOffset": 1, "qCount": 5},
				map[string]any{"qGroupType": "GenericObjectsType", "qCount": 0}}},
			[]string{"Product=Apple Pie|Cherry Pie"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.ok(doc, "SearchResults", tt.opts, tt.terms, tt.page)["qResult"].(map[string]any)
			require.Equal(t, tt.want, groupsText(t, res))
			require.Equal(t, tt.total, res["qTotalNumberOfGroups"])
		})
	}

	// Attributes, UTF-16 positions and the match type.
	res = c.ok(doc, "SearchResults", map[string]any{"qAttributes": []string{"qNum", "qElemNum"}, "qCharEncoding": "Utf16"},
		[]string{"öberg"}, allPage())["qResult"]
	require.Equal(t, map[string]any{"qText": "Dan Öberg",
		"qAttributes": []any{map[string]any{"qKey": "qNum", "qValue": "NaN"}, map[string]any{"qKey": "qElemNum", "qValue": "3"}},
		"qRanges":     []any{map[string]any{"qCharPos": 4.0, "qCharCount": 5.0, "qTerm": 0.0}}},
		path(t, res, "qSearchGroupArray", 0, "qItems", 0, "qItemMatches", 0))
	require.Equal(t, "FieldMatchWord", path(t, res, "qSearchGroupArray", 0, "qItems", 0, "qMatchType"))
	res = c.ok(doc, "SearchResults", map[string]any{"qCharEncoding": "CHAR_ENCODING_UTF8"}, []string{"öberg"}, allPage())["qResult"]
	require.Equal(t, []any{map[string]any{"qCharPos": 4.0, "qCharCount": 6.0, "qTerm": 0.0}},
		path(t, res, "qSearchGroupArray", 0, "qItems", 0, "qItemMatches", 0, "qRanges"))
	res = c.ok(doc, "SearchResults", map[string]any{"qAttributes": []string{"qNum"}, "qSearchFields": []string{"Amount"}},
		[]string{">4"}, allPage())["qResult"]
	require.Equal(t, map[string]any{"qText": "4.75", "qAttributes": []any{map[string]any{"qKey": "qNum", "qValue": "4.75"}},
		"qRanges": []any{map[string]any{"qCharPos": 0.0, "qCharCount": 4.0, "qTerm": 0.0}}},
		path(t, res, "qSearchGroupArray", 0, "qItems", 0, "qItemMatches", 0))
	require.Equal(t, "FieldMatchExact", path(t, res, "qSearchGroupArray", 0, "qItems", 0, "qMatchType"))

	// Bad input.
	c.fails(-32602, doc, "SearchResults", map[string]any{"qContext": "Bogus"}, []string{"a"}, allPage())
	c.fails(-32602, doc, "SearchResults", map[string]any{"qSearchFields": "Name"}, []string{"a"}, allPage())
	c.fails(-32602, doc, "SearchResults", map[string]any{"qCharEncoding": 7}, []string{"a"}, allPage())
	c.fails(-32602, doc, "SearchResults", map[string]any{}, "a", allPage())
	c.fails(-32602, doc, "SearchResults", map[string]any{}, []any{1}, allPage())
	c.fails(-32602, doc, "SearchResults", map[string]any{}, []string{"a"}, map[string]any{"qOffset": -1})
	c.fails(-32602, doc, "SearchResults", map[string]any{}, []string{"a"}, map[string]any{"qCount": "x"})
	c.fails(-32602, doc, "SearchResults", map[string]any{}, []string{"a"}, map[string]any{"qGroupOptions": "x"})
	c.fails(-32602, doc, "SearchResults", map[string]any{}, make([]string, 33), allPage())
	c.fails(-32602, doc, "SearchResults", map[string]any{}, []string{"a"})
}

func TestSearchContexts(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openSearchApp(t, e)
	country := handleOf(t, c.ok(doc, "GetField", "Country"))
	search := func(ctx any, terms ...string) []string {
		opts := map[string]any{}
		if ctx != nil {
			opts["qContext"] = ctx
		}
		return groupsText(t, c.ok(doc, "SearchResults", opts, terms, allPage())["qResult"].(map[string]any))
	}
	require.Equal(t, true, c.ok(country, "Select", "Denmark")["qReturn"])
	require.Equal(t, []string{"Name=Alice Smith|Cara Smith"}, search(nil, "smith"))
	require.Equal(t, []string{"Name=Alice Smith|Cara Smith"}, search("LockedFieldsOnly", "smith"))
	require.Equal(t, []string{"Name=Alice Smith|Cara Smith"}, search(0, "smith"))
	require.Nil(t, search("CurrentSelections", "smith"))
	require.Equal(t, []string{"Country=Sweden"}, search("CONTEXT_CURRENT_SELECTIONS", "sweden"))
	c.ok(country, "Lock")
	require.Nil(t, search(nil, "smith"))
	require.Equal(t, []string{"Name=Alice Smith|Cara Smith"}, search("Cleared", "smith"))
}

func TestSelectAssociations(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openSearchApp(t, e)
	names := listbox(t, c, doc, "Name", nil)
	products := listbox(t, c, doc, "Product", nil)

	r := c.call(doc, "SelectAssociations", []any{map[string]any{}, []string{"smith", "pie"}, 0})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Empty(t, r.Result)
	require.Equal(t, []int{doc, names, products}, r.Change)
	require.Equal(t, []string{"Alice Smith:S", "Bob Jones:X", "Cara Smith:S", "Dan Öberg:X"}, cells(t, lo(t, c, names)))
	require.Equal(t, []string{"Apple Pie:S", "Banana Split:A", "Apple Juice:X", "Cherry Pie:S"}, cells(t, lo(t, c, products)))
	require.Equal(t, 1.0, c.ok(doc, "BackCount")["qReturn"])

	// A group that does not exist changes nothing.
	r = c.call(doc, "SelectAssociations", []any{map[string]any{}, []string{"smith", "pie"}, 3})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Empty(t, r.Change)
	require.Equal(t, 1.0, c.ok(doc, "BackCount")["qReturn"])

	// The default context clears the other selections; CurrentSelections
	// keeps them.
	c.ok(doc, "SelectAssociations", map[string]any{}, []string{"jones"}, 0)
	require.Equal(t, []string{"Alice Smith:A", "Bob Jones:S", "Cara Smith:A", "Dan Öberg:A"}, cells(t, lo(t, c, names)))
	require.Equal(t, []string{"Apple Pie:X", "Banana Split:O", "Apple Juice:O", "Cherry Pie:X"}, cells(t, lo(t, c, products)))
	c.ok(doc, "SelectAssociations", map[string]any{"qContext": "CurrentSelections"}, []string{"juice"}, 0)
	require.Equal(t, []string{"Alice Smith:X", "Bob Jones:S", "Cara Smith:X", "Dan Öberg:X"}, cells(t, lo(t, c, names)))
	require.Equal(t, []string{"Apple Pie:X", "Banana Split:A", "Apple Juice:S", "Cherry Pie:X"}, cells(t, lo(t, c, products)))

	c.fails(-32602, doc, "SelectAssociations", map[string]any{}, []string{"smith"}, "x")
	c.fails(-32602, doc, "SelectAssociations", map[string]any{"qContext": []any{}}, []string{"smith"}, 0)
}

func TestSearchSuggest(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openSearchApp(t, e)
	res := c.ok(doc, "SearchSuggest", map[string]any{}, []string{"sm", "pi"})
	require.Equal(t, map[string]any{"qResult": map[string]any{
		"qSuggestions": []any{map[string]any{"qValue": "Smith", "qTerm": 0.0}, map[string]any{"qValue": "Pie", "qTerm": 1.0}},
		"qFieldNames":  []any{"Name", "Product"},
	}}, res)
	res = c.ok(doc, "SearchSuggest", map[string]any{}, []string{"zz"})
	require.Equal(t, map[string]any{"qResult": map[string]any{"qSuggestions": []any{}, "qFieldNames": []any{}}}, res)
	c.fails(-32602, doc, "SearchSuggest", map[string]any{}, 5)
}

func TestSearchAssociations(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openSearchApp(t, e)
	res := c.ok(doc, "SearchAssociations", map[string]any{}, []string{"smith", "pie"},
		map[string]any{"qOffset": 0, "qCount": 2, "qMaxNbrFieldMatches": 1})
	want := `{"qResults": {
	  "qFieldNames": ["Name", "Product"],
	  "qSearchTerms": ["smith", "pie"],
	  "qFieldDictionaries": [
	    {"qField": 0, "qResult": [{"qText": "Alice Smith", "qElemNumber": 0, "qRanges": [{"qCharPos": 6, "qCharCount": 5, "qTerm": 0}]}]},
	    {"qField": 1, "qResult": [{"qText": "Apple Pie", "qElemNumber": 0, "qRanges": [{"qCharPos": 6, "qCharCount": 3, "qTerm": 1}]}]}],
	  "qSearchTermsMatched": [
	    [{"qId": 0, "qFieldMatches": [{"qField": 0, "qValues": [0], "qTerms": [0], "qNoOfMatches": 2},
	                                  {"qField": 1, "qValues": [0], "qTerms": [1], "qNoOfMatches": 2}]}],
	    [{"qId": 1, "qFieldMatches": [{"qField": 0, "qValues": [0], "qTerms": [0], "qNoOfMatches": 2}]}]],
	  "qTotalSearchResults": 3}}`
	got, err := json.Marshal(res)
	require.NoError(t, err)
	require.JSONEq(t, want, string(got))
}

func TestGetMatchingFields(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openSearchApp(t, e)
	names := func(res map[string]any) []string {
		var out []string
		for _, f := range res["qFieldNames"].([]any) {
			out = append(out, f.(map[string]any)["qName"].(string))
		}
		return out
	}
	tests := []struct {
		tags []string
		mode any
		want []string
	}{
		{[]string{"$numeric"}, nil, []string{"CustID", "OrderID", "Amount"}},
		{[]string{"$numeric", "$integer"}, "MATCHINGFIELDMODE_MATCH_ALL", []string{"CustID", "OrderID"}},
		{[]string{"$key", "$text"}, "MATCHINGFIELDMODE_MATCH_ONE", []string{"CustID", "Name", "Country", "Product"}},
		{[]string{"$key", "$text"}, 1, []string{"CustID", "Name", "Country", "Product"}},
		{[]string{"$key", "$text"}, 0, nil},
		{[]string{"$system"}, nil, []string{"$Table", "$Rows", "$Fields", "$Field", "$FieldNo"}},
		{[]string{"nope"}, nil, nil},
		{[]string{}, "MATCHINGFIELDMODE_MATCH_ONE", nil},
		{[]string{}, nil, []string{"CustID", "Name", "Country", "OrderID", "Product", "Amount"}},
	}
	for _, tt := range tests {
		params := []any{tt.tags}
		if tt.mode != nil {
			params = append(params, tt.mode)
		}
		require.Equal(t, tt.want, names(c.ok(doc, "GetMatchingFields", params...)), "%v %v", tt.tags, tt.mode)
	}
	res := c.ok(doc, "GetMatchingFields", []string{"$key"})
	require.Equal(t, []any{map[string]any{"qName": "CustID", "qTags": []any{"$key", "$numeric", "$integer"}}}, res["qFieldNames"])
	c.fails(-32602, doc, "GetMatchingFields", []string{"$key"}, "SOMETIMES")
	c.fails(-32602, doc, "GetMatchingFields", "$key")
}

func TestSearchObjects(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openSearchApp(t, e)
	create := func(id, typ string, props map[string]any) {
		p := map[string]any{"qInfo": map[string]any{"qId": id, "qType": typ}}
		for k, v := range props {
			p[k] = v
		}
		c.ok(doc, "CreateObject", p)
	}
	create("chart1", "barchart", map[string]any{"title": "Sales by country", "subtitle": "All years"})
	create("sheet1", "sheet", map[string]any{"qMetaDef": map[string]any{"title": "Sales sheet"}})
	create("table1", "table", map[string]any{"qMetaDef": map[string]any{"title": "Country overview", "description": "Sales per country"}})
	create("kpi1", "kpi", map[string]any{"title": map[string]any{"qStringExpression": "='Sales'"}})

	res := c.ok(doc, "SearchObjects", map[string]any{"qAttributes": []string{"qProperty"}}, []string{"country", "sales"}, allPage())["qResult"]
	want := `{
	  "qSearchTerms": ["country", "sales"],
	  "qTotalNumberOfGroups": 1,
	  "qSearchGroupArray": [
	    {"qId": 0, "qGroupType": "GenericObjectsType", "qSearchTermsMatched": [0, 1], "qTotalNumberOfItems": 2, "qItems": [
	      {"qItemType": "GenericObject", "qTotalNumberOfMatches": 1, "qIdentifier": "chart1", "qItemMatches": [
	        {"qText": "Sales by country", "qAttributes": [{"qKey": "qProperty", "qValue": "title"}],
	         "qRanges": [{"qCharPos": 0, "qCharCount": 5, "qTerm": 1}, {"qCharPos": 9, "qCharCount": 7, "qTerm": 0}]}],
	       "qSearchTermsMatched": [0, 1]},
	      {"qItemType": "GenericObject", "qTotalNumberOfMatches": 2, "qIdentifier": "table1", "qItemMatches": [
	        {"qText": "Country overview", "qAttributes": [{"qKey": "qProperty", "qValue": "qMetaDef/title"}],
	         "qRanges": [{"qCharPos": 0, "qCharCount": 7, "qTerm": 0}]},
	        {"qText": "Sales per country", "qAttributes": [{"qKey": "qProperty", "qValue": "qMetaDef/description"}],
	         "qRanges": [{"qCharPos": 0, "qCharCount": 5, "qTerm": 1}, {"qCharPos": 10, "qCharCount": 7, "qTerm": 0}]}],
	       "qSearchTermsMatched": [0, 1]}]}]}`
	got, err := json.Marshal(res)
	require.NoError(t, err)
	require.JSONEq(t, want, string(got))

	res = c.ok(doc, "SearchObjects", map[string]any{}, []string{"overview", "years"}, allPage())["qResult"]
	require.Equal(t, 2.0, path(t, res, "qTotalNumberOfGroups"))
	require.Equal(t, "table1", path(t, res, "qSearchGroupArray", 0, "qItems", 0, "qIdentifier"))
	require.Equal(t, []any{}, path(t, res, "qSearchGroupArray", 0, "qItems", 0, "qItemMatches", 0, "qAttributes"))
	require.Equal(t, "chart1", path(t, res, "qSearchGroupArray", 1, "qItems", 0, "qIdentifier"))
	res = c.ok(doc, "SearchObjects", map[string]any{}, []string{"kpi"}, allPage())["qResult"]
	require.Equal(t, "kpi1", path(t, res, "qSearchGroupArray", 0, "qItems", 0, "qIdentifier"))
	require.Equal(t, "kpi", path(t, res, "qSearchGroupArray", 0, "qItems", 0, "qItemMatches", 0, "qText"))
	res = c.ok(doc, "SearchObjects", map[string]any{}, []string{"sheet"}, allPage())["qResult"]
	require.Equal(t, 0.0, path(t, res, "qTotalNumberOfGroups"))
	c.fails(-32602, doc, "SearchObjects", map[string]any{"qAttributes": "x"}, []string{"a"}, allPage())
}

// listCells returns "text:state[:pos+count…]" of a list object layout's
// first page, with the highlight ranges.
func listCells(t testing.TB, layout map[string]any) []string {
	t.Helper()
	var out []string
	for _, row := range path(t, layout, "qListObject", "qDataPages", 0, "qMatrix").([]any) {
		cell := row.([]any)[0].(map[string]any)
		s := fmt.Sprintf("%v:%v", cell["qText"], cell["qState"])
		if hr, ok := cell["qHighlightRanges"].(map[string]any); ok {
			for _, r := range hr["qRanges"].([]any) {
				rm := r.(map[string]any)
				s += fmt.Sprintf(":%v+%v", rm["qCharPos"], rm["qCharCount"])
			}
		}
		out = append(out, s)
	}
	return out
}

func TestListObjectSearch(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openSearchApp(t, e)
	names := listbox(t, c, doc, "Name", nil)
	other := listbox(t, c, doc, "Name", nil)
	country := handleOf(t, c.ok(doc, "GetField", "Country"))
	const p = "/qListObjectDef"

	r := c.call(names, "SearchListObjectFor", []any{p, "smith"})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Equal(t, map[string]any{"qSuccess": true}, r.Result)
	require.Equal(t, []int{names}, r.Change)
	l := lo(t, c, names)
	require.Equal(t, []string{"Alice Smith:O:6+5", "Cara Smith:O:5+5"}, listCells(t, l))
	require.Equal(t, map[string]any{"qcx": 1.0, "qcy": 2.0}, path(t, l, "qListObject", "qSize"))
	require.Equal(t, 4.0, path(t, l, "qListObject", "qDimensionInfo", "qCardinal"))
	require.Equal(t, []string{"Alice Smith:O", "Bob Jones:O", "Cara Smith:O", "Dan Öberg:O"}, cells(t, lo(t, c, other)))

	// Paging through the matches.
	data := c.ok(names, "GetListObjectData", p, []any{map[string]any{"qTop": 1, "qLeft": 0, "qWidth": 1, "qHeight": 5}})
	require.Equal(t, "Cara Smith", path(t, data, "qDataPages", 0, "qMatrix", 0, 0, "qText"))
	require.Equal(t, map[string]any{"qLeft": 0.0, "qTop": 1.0, "qWidth": 1.0, "qHeight": 1.0}, path(t, data, "qDataPages", 0, "qArea"))
	c.fails(-32602, names, "GetListObjectData", p, []any{map[string]any{"qTop": -1, "qLeft": 0, "qWidth": 1, "qHeight": 2}})
	data = c.ok(other, "GetListObjectData", p, []any{map[string]any{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 5}})
	require.Len(t, path(t, data, "qDataPages", 0, "qMatrix"), 4)

	// Excluded matches are shown with their state; accepting selects the
	// possible ones.
	require.Equal(t, true, c.ok(country, "Select", "Sweden")["qReturn"])
	c.ok(names, "SearchListObjectFor", p, "a")
	require.Equal(t, []string{"Alice Smith:O:0+1"}, listCells(t, lo(t, c, names)))
	c.ok(names, "SearchListObjectFor", p, "alice jones")
	require.Equal(t, []string{"Alice Smith:O:0+5", "Bob Jones:X:4+5"}, listCells(t, lo(t, c, names)))
	r = c.call(names, "AcceptListObjectSearch", []any{p, false})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Empty(t, r.Result)
	require.Contains(t, r.Change, names)
	require.Contains(t, r.Change, other)
	require.Equal(t, []string{"Alice Smith:S", "Bob Jones:X", "Cara Smith:A", "Dan Öberg:X"}, cells(t, lo(t, c, names)))
	require.Nil(t, path(t, lo(t, c, names), "qListObject", "qDataPages", 0, "qMatrix", 0, 0).(map[string]any)["qHighlightRanges"])

	// Toggle mode keeps the selection.
	c.ok(names, "SearchListObjectFor", p, "cara")
	c.ok(names, "AcceptListObjectSearch", p, true)
	require.Equal(t, []string{"Alice Smith:S", "Bob Jones:X", "Cara Smith:S", "Dan Öberg:X"}, cells(t, lo(t, c, names)))

	// Only excluded matches: the selection wins over the conflict.
	c.ok(names, "SearchListObjectFor", p, "dan")
	c.ok(names, "AcceptListObjectSearch", p, false)
	require.Equal(t, []string{"Alice Smith:A", "Bob Jones:A", "Cara Smith:A", "Dan Öberg:S"}, cells(t, lo(t, c, names)))
	c.ok(doc, "ClearAll")

	// Abort leaves search mode; accepting outside it does nothing.
	c.ok(names, "SearchListObjectFor", p, "smith")
	r = c.call(names, "AbortListObjectSearch", []any{p})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Equal(t, []int{names}, r.Change)
	require.Len(t, listCells(t, lo(t, c, names)), 4)
	r = c.call(names, "AcceptListObjectSearch", []any{p, false})
	require.Nil(t, r.Error, "%s", r.raw)
	require.Empty(t, r.Change)
	require.Equal(t, 0.0, path(t, lo(t, c, names), "qListObject", "qDimensionInfo", "qStateCounts", "qSelected"))

	// A blank search leaves search mode too.
	c.ok(names, "SearchListObjectFor", p, "smith")
	require.Equal(t, true, c.ok(names, "SearchListObjectFor", p, "  ")["qSuccess"])
	require.Len(t, listCells(t, lo(t, c, names)), 4)

	// Searches that find nothing, non-ASCII text, wildcards, numbers.
	amounts := listbox(t, c, doc, "Amount", map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Amount"},
		"qSortCriterias": []any{map[string]any{"qSortByNumeric": -1}}}})
	products := listbox(t, c, doc, "Product", nil)
	tests := []struct {
		h     int
		match string
		want  []string
	}{
		{names, "zebra", nil},
		{names, "öb", []string{"Dan Öberg:O:4+2"}},
		{names, `"alice s"`, []string{"Alice Smith:O:0+7"}},
		{products, "*pie", []string{"Apple Pie:O:6+3", "Cherry Pie:O:7+3"}},
		{products, "a*e", []string{"Apple Pie:O:0+1:8+1", "Apple Juice:O:0+1:10+1"}},
		{amounts, ">=2.5", []string{"4.75:O:0+4", "3:O:0+1", "2.5:O:0+3"}},
		{amounts, "=Count(OrderID)>=1", []string{"4.75:O", "3:O", "2.5:O", "1:O"}},
		{products, "~chery pi", []string{"Cherry Pie:O", "Apple Pie:O"}},
	}
	for _, tt := range tests {
		require.Equal(t, true, c.ok(tt.h, "SearchListObjectFor", p, tt.match)["qSuccess"], tt.match)
		l := lo(t, c, tt.h)
		require.Equal(t, tt.want, listCells(t, l), tt.match)
		require.Equal(t, float64(len(tt.want)), path(t, l, "qListObject", "qSize", "qcy"), tt.match)
	}
	// The fuzzy search selects its best match.
	c.ok(products, "AcceptListObjectSearch", p, false)
	require.Equal(t, []string{"Apple Pie:A", "Banana Split:A", "Apple Juice:A", "Cherry Pie:S"}, cells(t, lo(t, c, products)))
	// An expression search follows the selections.
	c.ok(amounts, "SearchListObjectFor", p, "=Count(OrderID)>=1")
	require.Equal(t, []string{"4.75:O"}, listCells(t, lo(t, c, amounts)))

	// Bad input.
	c.fails(4, names, "SearchListObjectFor", "/qNope", "x")
	c.fails(4, names, "AcceptListObjectSearch", "/qNope", false)
	c.fails(4, names, "AbortListObjectSearch", "/qNope")
	c.fails(-32602, names, "SearchListObjectFor", p, 5)
	c.fails(-32602, names, "AcceptListObjectSearch", p, "yes")
	require.Equal(t, false, c.ok(names, "SearchListObjectFor", p, "=Sum(")["qSuccess"])
	nope := listbox(t, c, doc, "Nope", nil)
	require.Equal(t, false, c.ok(nope, "SearchListObjectFor", p, "x")["qSuccess"])
}

func TestListObjectSearchIsPerSessionAndEndsWithReload(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	require.NoError(t, e.CreateApp(t.Context(), "searchapp", "Search", searchScript, true))
	c1 := connect(t, e, qix.SessionParams{AppID: "searchapp"})
	c2 := connect(t, e, qix.SessionParams{AppID: "searchapp"})
	doc1 := handleOf(t, c1.ok(-1, "OpenDoc", "searchapp"))
	doc2 := handleOf(t, c2.ok(-1, "OpenDoc", "searchapp"))
	const p = "/qListObjectDef"
	def := map[string]any{"qInfo": map[string]any{"qId": "names", "qType": "listbox"},
		"qListObjectDef": map[string]any{"qDef": map[string]any{"qFieldDefs": []string{"Name"}},
			"qInitialDataFetch": []any{map[string]any{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10}}}}
	h1 := handleOf(t, c1.ok(doc1, "CreateObject", def))
	h2 := handleOf(t, c2.ok(doc2, "GetObject", "names"))

	r := c1.call(h1, "SearchListObjectFor", []any{p, "smith"})
	require.Equal(t, []int{h1}, r.Change)
	require.Empty(t, c2.out.take(), "the other session is not told")
	require.Len(t, listCells(t, lo(t, c1, h1)), 2)
	require.Len(t, listCells(t, lo(t, c2, h2)), 4)

	// A reload swaps the model: search mode ends.
	require.Equal(t, true, c1.ok(doc1, "DoReload")["qReturn"])
	require.Len(t, listCells(t, lo(t, c1, h1)), 4)
}

func TestListObjectSearchInSelectionMode(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openSearchApp(t, e)
	names := listbox(t, c, doc, "Name", nil)
	products := listbox(t, c, doc, "Product", nil)
	const p = "/qListObjectDef"
	c.ok(products, "BeginSelections", []string{p})
	c.ok(names, "SearchListObjectFor", p, "smith")
	c.fails(6003, names, "AcceptListObjectSearch", p, false)
	c.ok(products, "EndSelections", true)
	c.ok(names, "BeginSelections", []string{p})
	c.ok(names, "AcceptListObjectSearch", p, false)
	require.Equal(t, true, path(t, lo(t, c, names), "qSelectionInfo", "qMadeSelections"))
}

func TestSearchAppWithoutData(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	res := c.ok(doc, "SearchResults", map[string]any{}, []string{"a"}, allPage())["qResult"]
	require.Equal(t, map[string]any{"qSearchTerms": []any{"a"}, "qTotalNumberOfGroups": 0.0, "qSearchGroupArray": []any{}}, res)
	require.Equal(t, []any{}, c.ok(doc, "GetMatchingFields", []string{})["qFieldNames"])
	c.ok(doc, "SelectAssociations", map[string]any{}, []string{"a"}, 0)
	require.Equal(t, 0.0, c.ok(doc, "BackCount")["qReturn"])
}
