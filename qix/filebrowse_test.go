package qix_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/reload/qvd"
	"github.com/assocengine/assoc/symbols"
)

// browseFixture is an allowed directory with a folder connection "Data"
// over root/data, a folder the connection must not reach (root/other,
// still allowed) and one outside the allowed directories.
type browseFixture struct {
	c      *client
	doc    int
	connID string
	root   string
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func newBrowseFixture(t *testing.T) *browseFixture {
	t.Helper()
	root, outside := t.TempDir(), t.TempDir()
	data := filepath.Join(root, "data")
	writeFile(t, filepath.Join(data, "sales.csv"), "Region;Amount\r\nEast;10\r\nWest;20\r\n\"North; far\";30\r\n")
	writeFile(t, filepath.Join(data, "plain.txt"), "1,2\n3,4\n")
	writeFile(t, filepath.Join(data, "sub", "nested.csv"), "a,b\nx,y\n")
	writeFile(t, filepath.Join(data, "data.json"), `{"rows":[1,2]}`)
	writeFile(t, filepath.Join(data, "utf16.csv"), string([]byte{0xFF, 0xFE, 'a', 0, '\t', 0, 'b', 0, '\n', 0, '1', 0, '\t', 0, '2', 0, '\n', 0}))
	writeFile(t, filepath.Join(data, "include.qvs"), "\xEF\xBB\xBFLET vX = 1;\r\n")
	writeFile(t, filepath.Join(root, "other", "private.csv"), "p\n1\n")
	writeFile(t, filepath.Join(outside, "secret.csv"), "s\n1\n")
	require.NoError(t, os.Symlink(outside, filepath.Join(data, "escape")))
	require.NoError(t, os.Symlink(filepath.Join(root, "other"), filepath.Join(data, "sideways")))
	require.NoError(t, os.Symlink(filepath.Join(data, "sub"), filepath.Join(data, "inside")))
	// A QVD file written by reload/qvd.
	region, err := qvd.NewField("Region", []symbols.Dual{symbols.Text("East"), symbols.Text("West")}, []uint32{1, 2, 0})
	require.NoError(t, err)
	amount, err := qvd.NewField("Amount", []symbols.Dual{symbols.Number(10), symbols.NumText(2.5, "2.50")}, []uint32{1, 2, 2})
	require.NoError(t, err)
	require.NoError(t, qvd.WriteFile(filepath.Join(data, "table.qvd"),
		&qvd.Table{Name: "Orders", Records: 3, Fields: []*qvd.Field{region, amount}}, qvd.WriteOptions{}))

	e, _ := newEngine(t, qix.Options{AllowDirs: []string{root}})
	c, doc := openCorectlApp(t, e)
	id := c.ok(doc, "CreateConnection", map[string]any{"qName": "Data", "qConnectionString": data, "qType": "folder"})["qConnectionId"].(string)
	return &browseFixture{c: c, doc: doc, connID: id, root: root}
}

func TestGetFolderItemsForConnection(t *testing.T) {
	f := newBrowseFixture(t)
	c, doc := f.c, f.doc
	item := func(name, typ string) map[string]any { return map[string]any{"qName": name, "qType": typ} }
	require.Equal(t, map[string]any{"qFolderItems": []any{
		item("data.json", "FILE"), item("escape", "OTHER"), item("include.qvs", "FILE"), item("inside", "FOLDER"),
		item("plain.txt", "FILE"), item("sales.csv", "FILE"), item("sideways", "OTHER"), item("sub", "FOLDER"),
		item("table.qvd", "FILE"), item("utf16.csv", "FILE"),
	}}, c.ok(doc, "GetFolderItemsForConnection", f.connID))
	want := map[string]any{"qFolderItems": []any{item("nested.csv", "FILE")}}
	for _, rel := range []string{"sub", "/sub/", `\sub`, "inside", "sub/../sub"} {
		require.Equal(t, want, c.ok(doc, "GetFolderItemsForConnection", f.connID, rel), rel)
	}
	// The connection is found by name too.
	require.Equal(t, want, c.ok(doc, "GetFolderItemsForConnection", "Data", "sub"))

	tests := []struct {
		rel  string
		code int
	}{
		{"..", 5}, {"../other", 5}, {`..\other`, 5}, {"sub/../../other", 5}, {"escape", 5}, {"sideways", 5},
		{"nope", 4}, {"sales.csv", 4},
	}
	for _, tt := range tests {
		r := c.fails(tt.code, doc, "GetFolderItemsForConnection", f.connID, tt.rel)
		require.NotContains(t, r.Error.Parameter, f.root, "%s: the message must not reveal the folder", tt.rel)
	}
	c.fails(2001, doc, "GetFolderItemsForConnection", "no-such-connection")
	c.fails(-32602, doc, "GetFolderItemsForConnection", 7)
	// The folder itself moving out of the allowed directories is noticed.
	require.NoError(t, os.Rename(filepath.Join(f.root, "data"), filepath.Join(f.root, "moved")))
	c.fails(4, doc, "GetFolderItemsForConnection", f.connID)
}

func TestGuessFileType(t *testing.T) {
	f := newBrowseFixture(t)
	c, doc := f.c, f.doc
	format := func(typ, label, quote, delim, code string, number, cp int) string {
		return `{"qDataFormat":{"qType":"` + typ + `","qLabel":"` + label + `","qQuote":"` + quote + `","qComment":"",` +
			`"qDelimiter":{"qName":"` + delim + `","qScriptCode":"` + code + `","qNumber":` + strconv.Itoa(number) + `},` +
			`"qCodePage":` + strconv.Itoa(cp) + `,"qHeaderSize":0,"qRecordSize":0,"qTabSize":0,"qFixedWidthDelimiters":""}}`
	}
	tests := []struct{ rel, want string }{
		{"sales.csv", format("CSV", "embedded labels", "msq", "Semicolon", "';'", ';', 65001)},
		{"plain.txt", format("CSV", "no labels", "msq", "Comma", "','", ',', 65001)},
		{"utf16.csv", format("CSV", "embedded labels", "msq", "Tab", `'\\t'`, '\t', 1200)},
		{"sub/nested.csv", format("CSV", "embedded labels", "msq", "Comma", "','", ',', 65001)},
		{"table.qvd", format("QVD", "embedded labels", "", "", "", 0, 0)},
		{"data.json", format("JSON", "embedded labels", "", "", "", 0, 0)},
	}
	for _, tt := range tests {
		require.JSONEq(t, tt.want, resultJSON(t, c.ok(doc, "GuessFileType", f.connID, tt.rel)), tt.rel)
	}
	c.fails(4, doc, "GuessFileType", f.connID, "sub")
	c.fails(4, doc, "GuessFileType", f.connID, "missing.csv")
	c.fails(5, doc, "GuessFileType", f.connID, "escape/secret.csv")
	c.fails(5, doc, "GuessFileType", f.connID, "../other/private.csv")
}

func TestFileTables(t *testing.T) {
	f := newBrowseFixture(t)
	c, doc := f.c, f.doc
	semicolon := map[string]any{"qType": "CSV", "qLabel": "embedded labels", "qQuote": "msq",
		"qDelimiter": map[string]any{"qScriptCode": "';'"}}
	qvdFormat := map[string]any{"qType": "QVD"}

	require.Equal(t, map[string]any{"qTables": []any{map[string]any{"qName": "sales", "qType": "TABLE"}}},
		c.ok(doc, "GetFileTables", f.connID, "sales.csv", semicolon))
	require.Equal(t, map[string]any{"qTables": []any{map[string]any{"qName": "Orders", "qType": "TABLE"}}},
		c.ok(doc, "GetFileTables", f.connID, "table.qvd", qvdFormat))

	fields := []any{map[string]any{"qName": "Region", "qOriginalFieldName": "@1"}, map[string]any{"qName": "Amount", "qOriginalFieldName": "@2"}}
	spec := "(txt, utf8, embedded labels, delimiter is ';', msq)"
	require.Equal(t, map[string]any{"qFields": fields, "qFormatSpec": spec},
		c.ok(doc, "GetFileTableFields", f.connID, "sales.csv", semicolon, "sales"))
	require.Equal(t, map[string]any{"qFields": fields, "qFormatSpec": "(qvd)"},
		c.ok(doc, "GetFileTableFields", f.connID, "table.qvd", qvdFormat, ""))
	require.Equal(t, map[string]any{"qTables": []any{map[string]any{"qName": "sales", "qFields": fields, "qFormatSpec": spec}}},
		c.ok(doc, "GetFileTablesEx", f.connID, "sales.csv", semicolon))

	rows := func(rs ...[]string) []any {
		out := []any{}
		for _, r := range rs {
			out = append(out, map[string]any{"qValues": toAny(r)})
		}
		return out
	}
	require.Equal(t, map[string]any{"qPreview": rows([]string{"Region", "Amount"}, []string{"East", "10"}, []string{"West", "20"},
		[]string{"North; far", "30"}), "qFormatSpec": spec}, c.ok(doc, "GetFileTablePreview", f.connID, "sales.csv", semicolon, ""))
	// Without a delimiter, the one GuessFileType finds.
	require.Equal(t, rows([]string{"Region", "Amount"}, []string{"East", "10"}, []string{"West", "20"}, []string{"North; far", "30"}),
		c.ok(doc, "GetFileTablePreview", f.connID, "sales.csv", map[string]any{"qType": "CSV"}, "")["qPreview"])
	noLabels := map[string]any{"qType": "CSV", "qLabel": "no labels", "qDelimiter": map[string]any{"qName": "Comma", "qNumber": 44}}
	require.Equal(t, map[string]any{"qPreview": rows([]string{"@1", "@2"}, []string{"1", "2"}, []string{"3", "4"}),
		"qFormatSpec": "(txt, utf8, no labels, delimiter is ',', msq)"}, c.ok(doc, "GetFileTablePreview", f.connID, "plain.txt", noLabels, ""))
	header := map[string]any{"qType": "CSV", "qHeaderSize": 1, "qQuote": "none", "qCodePage": 1252, "qComment": "#",
		"qDelimiter": map[string]any{"qScriptCode": `'\t'`}}
	require.Equal(t, "(txt, ansi, embedded labels, delimiter is '\\t', no quotes, header is 1 lines, comment is '#')",
		c.ok(doc, "GetFileTableFields", f.connID, "plain.txt", header, "")["qFormatSpec"])
	require.Equal(t, map[string]any{"qPreview": rows([]string{"Region", "Amount"}, []string{"East", "10"}, []string{"West", "2.50"},
		[]string{"", "2.50"}), "qFormatSpec": "(qvd)"}, c.ok(doc, "GetFileTablePreview", f.connID, "table.qvd", qvdFormat, ""))
	utf16 := c.ok(doc, "GetFileTablePreview", f.connID, "utf16.csv", map[string]any{"qType": "CSV", "qCodePage": 1200,
		"qDelimiter": map[string]any{"qScriptCode": `'\t'`}}, "")
	require.Equal(t, rows([]string{"a", "b"}, []string{"1", "2"}), utf16["qPreview"])
	require.Equal(t, "(txt, unicode, embedded labels, delimiter is '\\t', msq)", utf16["qFormatSpec"])

	// Only delimited text and QVD are read; bad formats and paths fail.
	c.fails(20, doc, "GetFileTables", f.connID, "data.json", map[string]any{"qType": "JSON"})
	c.fails(20, doc, "GetFileTablePreview", f.connID, "sales.csv", map[string]any{"qType": "EXCEL_OOXML"}, "Sheet1")
	c.fails(-32602, doc, "GetFileTables", f.connID, "sales.csv", map[string]any{"qType": "CSV", "qLabel": "some labels"})
	c.fails(-32602, doc, "GetFileTables", f.connID, "sales.csv", map[string]any{"qType": "CSV", "qQuote": "fancy"})
	c.fails(-32602, doc, "GetFileTables", f.connID, "sales.csv", map[string]any{"qType": "CSV", "qCodePage": 12345})
	c.fails(-32602, doc, "GetFileTables", f.connID, "sales.csv", map[string]any{"qType": "WORD"})
	c.fails(8, doc, "GetFileTablePreview", f.connID, "data.json", qvdFormat, "")
	c.fails(5, doc, "GetFileTablePreview", f.connID, "escape/secret.csv", semicolon, "")
	c.fails(5, doc, "GetFileTableFields", f.connID, "sideways/private.csv", semicolon, "")
	c.fails(4, doc, "GetFileTablesEx", f.connID, "sub", semicolon)
	c.fails(2001, doc, "GetFileTables", "nope", "sales.csv", semicolon)
}

func TestGetIncludeFileContent(t *testing.T) {
	f := newBrowseFixture(t)
	c, doc := f.c, f.doc
	for _, p := range []string{"lib://Data/include.qvs", `lib://Data\include.qvs`, "[lib://Data/include.qvs]", "LIB://data/include.qvs"} {
		require.Equal(t, map[string]any{"qContent": "LET vX = 1;\r\n"}, c.ok(doc, "GetIncludeFileContent", p), p)
	}
	require.Equal(t, map[string]any{"qContent": "a,b\nx,y\n"}, c.ok(doc, "GetIncludeFileContent", `lib://Data\sub\nested.csv`))
	require.Equal(t, map[string]any{"qContent": "a\tb\n1\t2\n"}, c.ok(doc, "GetIncludeFileContent", "lib://Data/utf16.csv"))
	tests := []struct {
		path string
		code int
	}{
		{"lib://Data/../other/private.csv", 5},
		{"lib://Data/escape/secret.csv", 5},
		{"lib://Data/sideways/private.csv", 5},
		{"lib://Data/missing.qvs", 4},
		{"lib://Data/sub", 4},
		{"lib://Nope/include.qvs", 2001},
		{"include.qvs", 4},
		{"lib:///include.qvs", 4},
	}
	for _, tt := range tests {
		c.fails(tt.code, doc, "GetIncludeFileContent", tt.path)
	}
}
