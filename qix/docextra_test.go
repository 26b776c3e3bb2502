package qix_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// resultJSON renders a decoded result for exact comparisons.
func resultJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// openAppWith starts a session on a session app loaded with script (the
// fake reloader's format) and returns the client and the doc handle.
func openAppWith(t testing.TB, e *qix.Engine, script string) (*client, int) {
	t.Helper()
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	c.ok(doc, "SetScript", script)
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	return c, doc
}

func TestGetEmptyScript(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	// The SET block of a new app, as a Qlik Core engine writes it (see
	// testdata/corectl/TestTrafficFlag_script_get_--traffic.golden).
	sets := "SET ThousandSep=',';\r\nSET DecimalSep='.';\r\nSET MoneyThousandSep=',';\r\nSET MoneyDecimalSep='.';\r\n" +
		"SET MoneyFormat='$ ###0.00;-$ ###0.00';\r\nSET TimeFormat='h:mm:ss TT';\r\nSET DateFormat='M/D/YYYY';\r\n" +
		"SET TimestampFormat='M/D/YYYY h:mm:ss[.fff] TT';\r\nSET FirstWeekDay=6;\r\nSET BrokenWeeks=1;\r\nSET ReferenceDay=0;\r\n" +
		"SET FirstMonthOfYear=1;\r\nSET CollationLocale='en-US';\r\nSET CreateSearchIndexOnReload=1;\r\n" +
		"SET MonthNames='Jan;Feb;Mar;Apr;May;Jun;Jul;Aug;Sep;Oct;Nov;Dec';\r\n" +
		"SET LongMonthNames='January;February;March;April;May;June;July;August;September;October;November;December';\r\n" +
		"SET DayNames='Mon;Tue;Wed;Thu;Fri;Sat;Sun';\r\n" +
		"SET LongDayNames='Monday;Tuesday;Wednesday;Thursday;Friday;Saturday;Sunday';\r\n" +
		"SET NumericalAbbreviation='3:k;6:M;9:G;12:T;15:P;18:E;21:Z;24:Y;-3:m;-6:μ;-9:n;-12:p;-15:f;-18:a;-21:z;-24:y';\r\n"
	tests := []struct {
		name   string
		params []any
		want   string
	}{
		{"default section", nil, "///$tab Main\r\n" + sets},
		{"empty section", []any{""}, "///$tab Main\r\n" + sets},
		{"localized section", []any{"Hauptskript"}, "///$tab Hauptskript\r\n" + sets},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, map[string]any{"qReturn": tt.want}, c.ok(doc, "GetEmptyScript", tt.params...))
		})
	}
	c.fails(8, doc, "GetEmptyScript", "Main\r\nLOAD")
	c.fails(-32602, doc, "GetEmptyScript", 5)
}

// TestExpandExpression: dollar expansion with the app's variables; "="
// definitions and $(=...) are evaluated in the selections.
func TestExpandExpression(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	for name, def := range map[string]string{"vSum": "Sum(numbers)", "vCount": "=Count(abcs)", "vField": "abcs"} {
		c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": name, "qDefinition": def})
	}
	tests := []struct{ in, want string }{
		{"$(vSum) / $(vCount)", "Sum(numbers) / 5"},
		{"Max($(=Max(numbers)), [$(vField)])", "Max(5, [abcs])"},
		{"$(vNone)x", "x"},
		{"no dollars", "no dollars"},
		{"$(vSum(1,2))", "Sum(numbers)"},
	}
	for _, tt := range tests {
		require.Equal(t, map[string]any{"qExpandedExpression": tt.want}, c.ok(doc, "ExpandExpression", tt.in), tt.in)
	}
	// "=" definitions follow the selections.
	c.ok(field(t, c, doc, "abcs", ""), "Select", "b")
	require.Equal(t, "3", c.ok(doc, "ExpandExpression", "$(vCount)")["qExpandedExpression"])
	r := c.fails(7000, doc, "ExpandExpression", "$(vSum")
	require.Contains(t, r.Error.Parameter, "missing ')'")
	c.fails(-32602, doc, "ExpandExpression", []string{"x"})
}

func TestGetFieldsFromExpression(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qType": "variable"}, "qName": "vF", "qDefinition": "xyz"})
	tests := []struct {
		expr string
		want []string
	}{
		{"=Sum(numbers)", []string{"numbers"}},
		{"Sum({<xyz={'x'}>} numbers) / Count(DISTINCT TOTAL <abcs> abcs)", []string{"xyz", "numbers", "abcs"}},
		{"Sum(Aggr(Max(numbers), $(vF)))", []string{"xyz", "numbers"}},
		{"{<abcs=P({1<xyz={'y'}>} abcs)>} Count(numbers) + vUnknown + 1", []string{"abcs", "xyz", "numbers"}},
		{"1 + 2", []string{}},
		{"[numbers] & nosuchfield", []string{"numbers"}},
	}
	for _, tt := range tests {
		require.Equal(t, map[string]any{"qFieldNames": toAny(tt.want)}, c.ok(doc, "GetFieldsFromExpression", tt.expr), tt.expr)
	}
	r := c.fails(7000, doc, "GetFieldsFromExpression", "Sum(")
	require.Contains(t, r.Error.Parameter, "Sum(")
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func TestCheckNumberOrExpression(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	tests := []struct {
		in      string
		message bool
		bad     []any
	}{
		{"12", false, []any{}},
		{"1,234.5", false, []any{}},
		{"Sum(numbers) * 2", false, []any{}},
		{"Sum(nosuch)", false, []any{map[string]any{"qFrom": 4.0, "qCount": 6.0}}},
		{"Sum(", true, []any{}},
		{"1;5", true, []any{}},
	}
	for _, tt := range tests {
		res := c.ok(doc, "CheckNumberOrExpression", tt.in)
		require.Equal(t, tt.bad, res["qBadFieldNames"], tt.in)
		require.Equal(t, tt.message, res["qErrorMsg"] != "", "%s: %v", tt.in, res)
	}
	// A decimal comma is a number when the app's DecimalSep says so.
	c2, doc2 := openAppWith(t, e, "SET DecimalSep=',';\nSET ThousandSep='.';\nT:\na\n1\n")
	require.Equal(t, "", c2.ok(doc2, "CheckNumberOrExpression", "1.234,5")["qErrorMsg"])
	require.NotEqual(t, "", c.ok(doc, "CheckNumberOrExpression", "1.234,5")["qErrorMsg"])
}

// TestGetSetAnalysis: the set expression of the selections, parsed back by
// Evaluate, gives the same numbers as the selections.
func TestGetSetAnalysis(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	require.Equal(t, map[string]any{"qSetExpression": "{$}"}, c.ok(doc, "GetSetAnalysis"))
	c.ok(field(t, c, doc, "abcs", ""), "Select", "b")
	c.ok(field(t, c, doc, "numbers", ""), "SelectValues", []any{
		map[string]any{"qIsNumeric": true, "qNumber": 2}, map[string]any{"qIsNumeric": true, "qNumber": 4}})
	set := c.ok(doc, "GetSetAnalysis")["qSetExpression"].(string)
	require.Equal(t, "{$<abcs={'b'}, numbers={2, 4}>}", set)
	measures := []string{"Sum(numbers)", "Count(xyz)", "Concat(DISTINCT xyz, ',')"}
	var want []any
	for _, m := range measures {
		want = append(want, c.ok(doc, "Evaluate", m)["qReturn"])
	}
	require.Equal(t, []any{"6", "2", "y"}, want)
	c.ok(doc, "ClearAll")
	for i, m := range measures {
		withSet := strings.Replace(m, "(", "("+set+" ", 1)
		require.Equal(t, want[i], c.ok(doc, "Evaluate", withSet)["qReturn"], withSet)
	}

	// Alternate states, and a bookmark's state.
	c.ok(doc, "AddAlternateState", "Other state")
	c.ok(field(t, c, doc, "xyz", "Other state"), "Select", "x")
	require.Equal(t, "{[Other state]<xyz={'x'}>}", c.ok(doc, "GetSetAnalysis", "Other state")["qSetExpression"])
	require.Equal(t, "5", c.ok(doc, "Evaluate", "Sum({[Other state]<xyz={'x'}>} numbers)")["qReturn"])
	c.ok(field(t, c, doc, "abcs", ""), "Select", "a")
	bm := c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "BM1", "qType": "bookmark"}})
	require.NotNil(t, bm)
	c.ok(doc, "ClearAll")
	require.Equal(t, "{$<abcs={'a'}>}", c.ok(doc, "GetSetAnalysis", "", "BM1")["qSetExpression"])
	require.Equal(t, "{[Other state]<xyz={'x'}>}", c.ok(doc, "GetSetAnalysis", "Other state", "BM1")["qSetExpression"])
	c.fails(2, doc, "GetSetAnalysis", "", "nope")
	c.fails(2, doc, "GetSetAnalysis", "No such state")

	// Names and values with quotes and brackets are escaped.
	c2, doc2 := openAppWith(t, e, "T:\nid,we]ird,name,code\n1,p,O'Brien,007\n2,q,Smith,7.5\n3,r,Jones,8\n")
	c2.ok(field(t, c2, doc2, "we]ird", ""), "Select", "p")
	set = c2.ok(doc2, "GetSetAnalysis")["qSetExpression"].(string)
	require.Equal(t, "{$<[we]]ird]={'p'}>}", set)
	c2.ok(doc2, "ClearAll")
	c2.ok(field(t, c2, doc2, "name", ""), "Select", "O'Brien")
	c2.ok(field(t, c2, doc2, "code", ""), "SelectValues", []any{map[string]any{"qIsNumeric": true, "qNumber": 7}})
	set = c2.ok(doc2, "GetSetAnalysis")["qSetExpression"].(string)
	require.Equal(t, "{$<name={'O''Brien'}, code={'007'}>}", set)
	c2.ok(doc2, "ClearAll")
	require.Equal(t, "1", c2.ok(doc2, "Evaluate", "Sum("+set+" id)")["qReturn"])
	c2.ok(field(t, c2, doc2, "code", ""), "SelectValues", []any{
		map[string]any{"qIsNumeric": true, "qNumber": 7.5}, map[string]any{"qIsNumeric": true, "qNumber": 8}})
	set = c2.ok(doc2, "GetSetAnalysis")["qSetExpression"].(string)
	require.Equal(t, "{$<code={'7.5', 8}>}", set)
	c2.ok(doc2, "ClearAll")
	require.Equal(t, "5", c2.ok(doc2, "Evaluate", "Sum("+set+" id)")["qReturn"])
}

func TestGetTextMacros(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openAppWith(t, e, "SET vRegion='North';\nSET DecimalSep='.';\nSET ScriptError='';\nT:\na\n1\n")
	require.JSONEq(t, `{"qMacros":[
		{"qTag":"DecimalSep","qRefSeqNo":1,"qSetSeqNo":1,"qDisplayString":".","qIsReserved":true},
		{"qTag":"ScriptError","qRefSeqNo":2,"qSetSeqNo":2,"qDisplayString":"","qIsSystem":true,"qIsReserved":true},
		{"qTag":"vRegion","qRefSeqNo":3,"qSetSeqNo":3,"qDisplayString":"North"}]}`,
		resultJSON(t, c.ok(doc, "GetTextMacros")))
	// Before any reload there are none.
	c2 := connect(t, e, qix.SessionParams{})
	d2 := handleOf(t, c2.ok(-1, "CreateSessionApp"))
	require.Equal(t, map[string]any{"qMacros": []any{}}, c2.ok(d2, "GetTextMacros"))
}

func TestFavoriteVariables(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	require.Equal(t, map[string]any{"qNames": []any{}}, c.ok(doc, "GetFavoriteVariables"))
	r := c.call(doc, "SetFavoriteVariables", []any{[]string{"vA", "", "vB", "vA"}})
	require.Nil(t, r.Error)
	require.Equal(t, map[string]any{}, r.Result)
	require.Equal(t, []int{doc}, r.Change)
	require.Equal(t, map[string]any{"qNames": []any{"vA", "vB"}}, c.ok(doc, "GetFavoriteVariables"))
	// They are app properties, so they are saved with the app.
	require.Equal(t, []any{"vA", "vB"}, path(t, c.ok(doc, "GetAppProperties"), "qProp", "qFavoriteVariables"))
	c.ok(doc, "SetFavoriteVariables", []string{})
	require.Equal(t, map[string]any{"qNames": []any{}}, c.ok(doc, "GetFavoriteVariables"))
	c.fails(-32602, doc, "SetFavoriteVariables", "vA")
	c.fails(-32602, doc, "SetFavoriteVariables", []any{1})
}

// TestCreateBookmarkEx: the bookmark keeps the session's soft patches and
// applying it installs them again.
func TestCreateBookmarkEx(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	mk := func(id string) int {
		return handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
			"qInfo": map[string]any{"qId": id, "qType": "chart"}, "title": "base " + id}))
	}
	h1, h2 := mk("one"), mk("two")
	patch := func(h int, title string) {
		c.ok(h, "ApplyPatches", []any{map[string]any{"qOp": "replace", "qPath": "/title", "qValue": `"` + title + `"`}}, true)
	}
	patch(h1, "soft one")
	patch(h2, "soft two")
	c.ok(field(t, c, doc, "abcs", ""), "Select", "c")
	r := c.ok(doc, "CreateBookmarkEx", map[string]any{"qInfo": map[string]any{"qId": "BX", "qType": "bookmark"}}, []string{"one"})
	require.Equal(t, map[string]any{"qId": "BX", "qType": "bookmark"}, r["qInfo"])
	bm := handleOf(t, r)
	require.JSONEq(t, `[{"qInfo":{"qId":"one","qType":"chart"},"qPatches":[{"qOp":"replace","qPath":"/title","qValue":"\"soft one\""}],"qChildren":[]}]`,
		resultJSON(t, path(t, c.ok(bm, "GetLayout"), "qLayout", "qBookmark", "qPatches")))
	// Without ids, every object's soft patches.
	all := c.ok(doc, "CreateBookmarkEx", map[string]any{"qInfo": map[string]any{"qId": "BALL", "qType": "bookmark"}})
	patches := path(t, c.ok(handleOf(t, all), "GetLayout"), "qLayout", "qBookmark", "qPatches").([]any)
	require.Len(t, patches, 2)

	c.ok(h1, "ClearSoftPatches")
	c.ok(h2, "ClearSoftPatches")
	c.ok(doc, "ClearAll")
	r2 := c.call(doc, "ApplyBookmark", []any{"BX"})
	require.Nil(t, r2.Error)
	require.Contains(t, r2.Change, h1)
	require.Equal(t, "soft one", path(t, c.ok(h1, "GetLayout"), "qLayout", "title"))
	require.Equal(t, true, path(t, c.ok(h1, "GetLayout"), "qLayout", "qHasSoftPatches"))
	require.Equal(t, "base two", path(t, c.ok(h2, "GetLayout"), "qLayout", "title"))
	require.Equal(t, []string{"abcs=c"}, selectionsOf(t, c, doc, "$"))
	// GenericBookmark.Apply does the same.
	c.ok(h1, "ClearSoftPatches")
	require.Equal(t, true, c.ok(handleOf(t, all), "Apply")["qSuccess"])
	require.Equal(t, "soft two", path(t, c.ok(h2, "GetLayout"), "qLayout", "title"))
	require.Equal(t, "soft one", path(t, c.ok(h1, "GetLayout"), "qLayout", "title"))

	c.fails(-32602, doc, "CreateBookmarkEx", map[string]any{"qInfo": map[string]any{"qType": "bookmark"}}, "one")
	c.fails(-32602, doc, "CreateBookmarkEx", map[string]any{"qInfo": "x"})
}

// TestApplyAndVerifyBookmark: the values a bookmark stores that the data
// no longer has are reported.
func TestApplyAndVerifyBookmark(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	c.ok(field(t, c, doc, "abcs", ""), "SelectValues", []any{map[string]any{"qText": "b"}, map[string]any{"qText": "c"}})
	c.ok(doc, "AddAlternateState", "S1")
	c.ok(field(t, c, doc, "xyz", "S1"), "Select", "y")
	bm := handleOf(t, c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "BV", "qType": "bookmark"}}))
	c.ok(doc, "ClearAll")
	require.JSONEq(t, `{"qResult":{"qApplySuccess":true,"qWarnings":[]}}`, resultJSON(t, c.ok(doc, "ApplyAndVerifyBookmark", "BV")))
	require.JSONEq(t, `{"qResult":{"qApplySuccess":true,"qWarnings":[]}}`, resultJSON(t, c.ok(bm, "ApplyAndVerify")))

	// New data without "c" and without the xyz field.
	c.ok(doc, "SetScript", "T:\nnumbers,abcs\n1,a\n2,b\n")
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	require.JSONEq(t, `{"qResult":{"qApplySuccess":true,"qWarnings":[
		{"qState":"$","qField":"abcs","qVerifyResult":"FIELD_VALUE_MISSING","qMissingValues":["c"]},
		{"qState":"S1","qField":"xyz","qVerifyResult":"FIELD_MISSING","qMissingValues":[]}]}}`,
		resultJSON(t, c.ok(doc, "ApplyAndVerifyBookmark", "BV")))
	require.Equal(t, []string{"abcs=b"}, selectionsOf(t, c, doc, "$"))
	// A state the app no longer has.
	c.ok(doc, "RemoveAlternateState", "S1")
	require.JSONEq(t, `{"qResult":{"qApplySuccess":true,"qWarnings":[
		{"qState":"$","qField":"abcs","qVerifyResult":"FIELD_VALUE_MISSING","qMissingValues":["c"]},
		{"qState":"S1","qField":"xyz","qVerifyResult":"STATE_MISSING","qMissingValues":[]}]}}`,
		resultJSON(t, c.ok(doc, "ApplyAndVerifyBookmark", "BV")))
	require.JSONEq(t, `{"qResult":{"qApplySuccess":false,"qWarnings":[]}}`, resultJSON(t, c.ok(doc, "ApplyAndVerifyBookmark", "nope")))
}

func TestUndoRedo(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	require.Equal(t, map[string]any{}, c.ok(doc, "ClearUndoBuffer"))
	for _, m := range []string{"Undo", "Redo"} {
		r := c.fails(17, doc, m)
		require.Equal(t, "Unsupported in product version", r.Error.Message)
		require.Contains(t, r.Error.Parameter, m)
	}
}

func TestGetLooselyCoupledVector(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	require.Equal(t, map[string]any{"qv": []any{0.0, 0.0}}, c.ok(doc, "GetLooselyCoupledVector"))
	c.ok(doc, "SetScript", corectlScript+"\nLOOSEN TableB\n")
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	require.Equal(t, map[string]any{"qv": []any{0.0, 1.0}}, c.ok(doc, "GetLooselyCoupledVector"))
	// Loosening is the script's business.
	c.fails(-32601, doc, "SetLooselyCoupledVector", []int{0, 0})
}

func TestFindMatchingFields(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openAppWith(t, e, corectlScript+"\nIsland:\nlonely,count\nq,1\n")
	names := func(res map[string]any) []string {
		out := []string{}
		for _, f := range res["qFieldNames"].([]any) {
			out = append(out, f.(map[string]any)["qName"].(string))
		}
		return out
	}
	tests := []struct {
		field string
		tags  []string
		want  []string
	}{
		{"abcs", []string{"$text"}, []string{"abcs", "xyz"}},
		{"xyz", []string{"$numeric"}, []string{"numbers"}},
		{"xyz", []string{"$key", "$ascii"}, []string{"numbers", "abcs", "xyz"}},
		{"lonely", []string{"$text"}, []string{"lonely"}},
		{"count", []string{"$numeric", "$text"}, []string{"lonely", "count"}},
		{"abcs", []string{}, []string{}},
		{"abcs", []string{"$system"}, []string{}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, names(c.ok(doc, "FindMatchingFields", tt.field, tt.tags)), "%s %v", tt.field, tt.tags)
	}
	res := c.ok(doc, "FindMatchingFields", "xyz", []string{"$numeric"})
	require.JSONEq(t, `{"qFieldNames":[{"qName":"numbers","qTags":["$key","$numeric","$integer"]}]}`, resultJSON(t, res))
	c.fails(2, doc, "FindMatchingFields", "nope", []string{"$text"})
}

func TestGetFieldOnTheFlyByNameAndScriptEx(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	require.Equal(t, map[string]any{"qName": "abcs"}, c.ok(doc, "GetFieldOnTheFlyByName", "abcs"))
	require.Equal(t, map[string]any{"qName": ""}, c.ok(doc, "GetFieldOnTheFlyByName", "abcs.autoCalendar.Year"))
	require.Equal(t, map[string]any{"qScript": map[string]any{"qScript": corectlScript, "qMeta": map[string]any{}, "qIsLocked": false}},
		c.ok(doc, "GetScriptEx"))
}
