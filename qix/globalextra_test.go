package qix_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/reload/script"
)

func TestGetFunctions(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	byName := func(res map[string]any) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, f := range res["qFunctions"].([]any) {
			m := f.(map[string]any)
			require.Len(t, m, 3)
			out[m["qName"].(string)] = m
		}
		return out
	}
	all := byName(c.ok(-1, "GetFunctions"))
	require.Len(t, all, len(expr.DefaultRegistry().Funcs()))
	require.Equal(t, map[string]any{"qName": "Sum", "qGroup": "AGGR",
		"qSignature": "Sum([{set_expression}] [DISTINCT] [TOTAL [<fld {, fld}>]] expr)"}, all["Sum"])
	require.Equal(t, map[string]any{"qName": "Upper", "qGroup": "STR", "qSignature": "Upper(arg1)"}, all["Upper"])
	require.Equal(t, map[string]any{"qName": "Round", "qGroup": "NUM", "qSignature": "Round(arg1 [, arg2 [, arg3]])"}, all["Round"])
	require.Equal(t, map[string]any{"qName": "RangeSum", "qGroup": "RNG", "qSignature": "RangeSum(arg1 {, argN})"}, all["RangeSum"])
	require.Equal(t, map[string]any{"qName": "Now", "qGroup": "DATE", "qSignature": "Now([arg1])"}, all["Now"])
	require.Equal(t, map[string]any{"qName": "Aggr", "qGroup": "AGGR",
		"qSignature": "Aggr([{set_expression}] [DISTINCT | NODISTINCT] expr, dim {, dim})"}, all["Aggr"])
	require.Equal(t, "RCRD", all["Above"]["qGroup"])
	require.Equal(t, "RNK", all["Rank"]["qGroup"])
	for name, f := range all {
		require.NotEqual(t, "U", f["qGroup"], "%s has no group", name)
	}

	for _, group := range []any{"STR", "FUNC_GROUP_STRING", 11} {
		str := byName(c.ok(-1, "GetFunctions", group))
		require.Contains(t, str, "Upper")
		require.NotContains(t, str, "Sum")
		for _, f := range str {
			require.Equal(t, "STR", f["qGroup"])
		}
	}
	require.Len(t, byName(c.ok(-1, "GetFunctions", "ALL")), len(all))
	require.Empty(t, byName(c.ok(-1, "GetFunctions", "GEO")))
	c.fails(-32602, -1, "GetFunctions", "NOPE")
}

// bnfDefs checks a BNFDef list's structure and returns it by number.
func bnfDefs(t *testing.T, list []any) []map[string]any {
	t.Helper()
	defs := make([]map[string]any, len(list))
	for i, v := range list {
		d := v.(map[string]any)
		require.Equal(t, float64(i), d["qNbr"], "definitions are numbered in order")
		for _, ref := range d["qBnf"].([]any) {
			require.Less(t, ref.(float64), float64(len(list)), "%v refers past the end", d)
		}
		require.Less(t, d["qPNbr"].(float64), float64(len(list)))
		defs[i] = d
	}
	return defs
}

func TestBNF(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	base := c.ok(-1, "GetBaseBNF", "E")
	hash := base["qBnfHash"].(string)
	require.Regexp(t, `^[0-9a-f]{16}$`, hash)
	defs := bnfDefs(t, base["qBnfDefs"].([]any))
	require.Equal(t, map[string]any{"qBnfHash": hash}, c.ok(-1, "GetBaseBNFHash", "SCRIPT_TEXT_EXPRESSION"))
	require.Equal(t, map[string]any{"qBnfDefs": base["qBnfDefs"]}, c.ok(-1, "GetBNF", 1))
	require.Equal(t, base, c.ok(doc, "GetExpressionBNF"))
	require.Equal(t, map[string]any{"qBnfHash": hash}, c.ok(doc, "GetExpressionBNFHash"))
	str := c.ok(-1, "GetBaseBNFString", "E")
	require.Equal(t, hash, str["qBnfHash"])
	text := str["qBnfStr"].(string)
	require.True(t, strings.HasPrefix(text, "expression ::= '=' or_expr | or_expr\n"), text[:80])
	require.Contains(t, text, "\nrel_op ::= '=' | '<>' | '<' | '<=' | '>' | '>=' | 'like' | 'precedes' | 'follows'\n")
	require.Contains(t, text, "\nset_identifier ::= '$' | '1' | <history_identifier> | <name> bookmark_opt")

	// The first definition is the start rule; literals carry their text,
	// functions their kind and group.
	require.Equal(t, map[string]any{"qBnf": []any{defs[0]["qBnf"].([]any)[0], 2.0}, "qNbr": 0.0, "qPNbr": 0.0, "qHelpId": 0.0,
		"qName": "expression", "qStr": "", "qIsBnfRule": true, "qFG": "NONE", "qMT": "N", "qFGList": []any{}}, defs[0])
	literal := map[string]map[string]any{}
	for _, d := range defs {
		if d["qBnfLiteral"] == true {
			literal[d["qStr"].(string)] = d
		}
	}
	for op := expr.OpOr; op <= expr.OpBitNot; op++ {
		require.Contains(t, literal, op.String(), "operator %s", op)
	}
	for _, kw := range []string{"DISTINCT", "NODISTINCT", "TOTAL", "ALL"} {
		require.True(t, expr.IsKeyword(kw))
		require.Contains(t, literal, kw)
	}
	sum := literal["Sum"]
	require.Equal(t, true, sum["qAggrFunc"])
	require.Equal(t, "AGGR", sum["qFG"])
	require.Equal(t, []any{"AGGR"}, sum["qFGList"])
	require.Equal(t, true, literal["Upper"]["qQvFunc"])
	require.Equal(t, "STR", literal["Upper"]["qFG"])
	// The literal's parent is the first rule that uses it.
	require.Equal(t, "aggr_function", defs[int(sum["qPNbr"].(float64))]["qName"])

	// The script grammar: qBnfType 0 (enigma.js passes the integer) is S.
	s := c.ok(-1, "GetBaseBNF", 0)
	require.NotEqual(t, hash, s["qBnfHash"])
	require.Equal(t, s, c.ok(-1, "GetBaseBNF", "S"))
	sdefs := bnfDefs(t, s["qBnfDefs"].([]any))
	require.Equal(t, "script", sdefs[0]["qName"])
	c.fails(-32602, -1, "GetBaseBNF", "X")
	c.fails(-32602, -1, "GetBaseBNFString", true)
}

// TestScriptBNFKeywords: every keyword the script grammar marks as a
// statement or control keyword starts or continues a statement that
// reload/script's parser accepts.
func TestScriptBNFKeywords(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	load := "LOAD 1 AS a AUTOGENERATE 1;"
	samples := map[string]string{
		"LOAD": load, "SELECT": "SELECT * FROM t;", "SQL": "SQL SELECT * FROM t;", "SET": "SET a = 1;",
		"LET": "LET a = 1;", "DROP": "DROP TABLE t;", "RENAME": "RENAME FIELD a TO b;", "STORE": "STORE t INTO x.qvd;",
		"MAP": "MAP a USING m;", "UNMAP": "UNMAP a;", "QUALIFY": "QUALIFY *;", "UNQUALIFY": "UNQUALIFY *;",
		"LOOSEN": "LOOSEN TABLE t;", "NULLASVALUE": "NULLASVALUE *;", "NULLASNULL": "NULLASNULL *;",
		"TAG": "TAG FIELD a WITH x;", "UNTAG": "UNTAG FIELD a WITH x;", "COMMENT": "COMMENT FIELD a WITH 'x';",
		"ALIAS": "ALIAS a AS b;", "BINARY": "BINARY x.qvw;", "SECTION": "SECTION APPLICATION;", "DIRECTORY": "DIRECTORY x;",
		"LIB": "LIB CONNECT TO 'x';", "CONNECT": "CONNECT TO 'x';", "CONNECT32": "CONNECT32 TO 'x';",
		"CONNECT64": "CONNECT64 TO 'x';", "ODBC": "ODBC CONNECT TO 'x';", "OLEDB": "OLEDB CONNECT TO 'x';",
		"CUSTOM": "CUSTOM CONNECT TO 'x';", "DISCONNECT": "DISCONNECT;", "TRACE": "TRACE hello;", "SLEEP": "SLEEP 1;",
		"EXECUTE": "EXECUTE cmd;", "FORCE": "FORCE CAPITAL;", "SEARCH": "SEARCH INCLUDE *;",
		"DECLARE":     "Cal: DECLARE FIELD DEFINITION TAGGED '$date' FIELDS Year($1) AS Year;",
		"DERIVE":      "DERIVE FIELDS FROM FIELDS a USING Cal;",
		"CONCATENATE": "CONCATENATE " + load, "NOCONCATENATE": "NOCONCATENATE " + load, "JOIN": "JOIN " + load,
		"KEEP": "LEFT KEEP " + load, "INNER": "INNER JOIN " + load, "OUTER": "OUTER JOIN " + load,
		"MAPPING": "MAPPING " + load, "CROSSTABLE": "CROSSTABLE(a, b) " + load, "GENERIC": "GENERIC " + load,
		"INTERVALMATCH": "INTERVALMATCH(a) " + load, "HIERARCHY": "HIERARCHY(a, b, c) " + load,
		"HIERARCHYBELONGSTO": "HIERARCHYBELONGSTO(a, b, c, d, e) " + load, "SAMPLE": "SAMPLE 0.5 " + load,
		"ADD": "ADD " + load, "REPLACE": "REPLACE ONLY " + load, "BUFFER": "BUFFER " + load, "SEMANTIC": "SEMANTIC " + load,
		"WHEN": "WHEN 1 " + load, "UNLESS": "UNLESS 1 " + load,
		"IF": "IF 1 THEN\nLET a = 1;\nELSEIF 2 THEN\nELSE\nEND IF", "THEN": "IF 1 THEN\nENDIF",
		"ELSEIF": "IF 1 THEN\nELSEIF 2 THEN\nENDIF", "ELSE": "IF 1 THEN\nELSE\nENDIF", "ENDIF": "IF 1 THEN\nENDIF",
		"END": "SUB s\nEND SUB", "FOR": "FOR i = 1 TO 2 STEP 1\nNEXT i", "TO": "FOR i = 1 TO 2\nNEXT",
		"STEP": "FOR i = 1 TO 2 STEP 1\nNEXT", "NEXT": "FOR i = 1 TO 2\nNEXT", "EACH": "FOR EACH x IN 1, 2\nNEXT x",
		"IN": "FOR EACH x IN 1\nNEXT", "DO": "DO WHILE 1\nLOOP", "LOOP": "DO\nLOOP UNTIL 1", "WHILE": "DO WHILE 1\nLOOP",
		"UNTIL": "DO UNTIL 1\nLOOP", "SUB": "SUB s(a, b)\nENDSUB", "ENDSUB": "SUB s\nENDSUB",
		"SWITCH": "SWITCH 1\nCASE 1, 2\nLET a = 1;\nDEFAULT\nEND SWITCH", "CASE": "SWITCH 1\nCASE 1\nENDSWITCH",
		"DEFAULT": "SWITCH 1\nDEFAULT\nENDSWITCH", "ENDSWITCH": "SWITCH 1\nENDSWITCH", "EXIT": "EXIT SCRIPT WHEN 1;",
		"CALL": "CALL s(1);",
	}
	flagged := map[string]bool{}
	for _, v := range c.ok(-1, "GetBaseBNF", "S")["qBnfDefs"].([]any) {
		d := v.(map[string]any)
		if d["qScriptStatement"] == true || d["qControlStatement"] == true {
			flagged[d["qStr"].(string)] = true
			require.Equal(t, true, d["qBnfLiteral"])
		}
	}
	for word := range flagged {
		src, ok := samples[word]
		require.True(t, ok, "no sample statement for %s", word)
		_, err := script.Parse(src)
		require.NoError(t, err, "%s: %s", word, src)
	}
	for word := range samples {
		require.True(t, flagged[word], "%s is not marked in the grammar", word)
	}
}

func TestGlobalExtras(t *testing.T) {
	dir := t.TempDir()
	e, _ := newEngine(t, qix.Options{Version: "12.1050.0", DocsDir: dir, AllowDirs: []string{dir}})
	c := connect(t, e, qix.SessionParams{})
	require.Equal(t, map[string]any{"qConfig": map[string]any{"qProductName": "Assoc", "qProductVersion": "12.1050.0",
		"qOSName": "Linux", "qIsDesktopMode": false, "qIsPersonalMode": false, "qAllowCreateApp": true,
		"qDefaultAppFolder": dir, "qFolderConnections": true}}, c.ok(-1, "GetConfiguration"))
	pages := c.ok(-1, "GetSupportedCodePages")["qCodePages"].([]any)
	require.Len(t, pages, 24)
	require.Equal(t, map[string]any{"qNumber": 65001.0, "qName": "UTF-8", "qDescription": "Unicode (UTF-8)"}, pages[0])
	require.Contains(t, pages, map[string]any{"qNumber": 1252.0, "qName": "windows-1252", "qDescription": "Western European (Windows)"})
	require.Equal(t, map[string]any{"qConnectors": []any{}}, c.ok(-1, "GetCustomConnectors"))
	require.Equal(t, map[string]any{"qConnectors": []any{}}, c.ok(-1, "GetCustomConnectors", true))
	require.Equal(t, map[string]any{"qStreamList": []any{}}, c.ok(-1, "GetStreamList"))
	require.Equal(t, map[string]any{}, c.ok(-1, "ReloadExtensionList"))
	require.JSONEq(t, `{"qReturn":false,"qDef":{"qType":"IT_END","qTitle":"","qMsg":"","qButtons":0,"qLine":"",
		"qOldLineNr":0,"qNewLineNr":0,"qPath":"","qResult":0,"qInput":""}}`, resultJSON(t, c.ok(-1, "GetInteract", 3)))
	c.fails(2, -1, "InteractDone", 3, map[string]any{"qType": "IT_END"})
	c.fails(-32602, -1, "GetInteract", "x")

	// GetFolderItemsForPath stays inside the allowed directories.
	writeFile(t, filepath.Join(dir, "b.csv"), "x\n1\n")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "a"), 0o755))
	want := map[string]any{"qFolderItems": []any{map[string]any{"qName": "a", "qType": "FOLDER"}, map[string]any{"qName": "b.csv", "qType": "FILE"}}}
	require.Equal(t, want, c.ok(-1, "GetFolderItemsForPath", dir))
	require.Equal(t, want, c.ok(-1, "GetFolderItemsForPath", "."))
	require.Equal(t, map[string]any{"qFolderItems": []any{}}, c.ok(-1, "GetFolderItemsForPath", "a"))
	c.fails(5, -1, "GetFolderItemsForPath", "/")
	c.fails(5, -1, "GetFolderItemsForPath", "..")
	c.fails(4, -1, "GetFolderItemsForPath", "b.csv")
	c.fails(4, -1, "GetFolderItemsForPath", "missing/deeper")
	c.fails(4, -1, "GetFolderItemsForPath", "")
	e2, _ := newEngine(t, qix.Options{})
	c2 := connect(t, e2, qix.SessionParams{})
	c2.fails(5, -1, "GetFolderItemsForPath", dir)
	require.Equal(t, false, path(t, c2.ok(-1, "GetConfiguration"), "qConfig", "qFolderConnections"))
}

// TestCopyExportImportApp moves app content between apps and app files.
func TestCopyExportImportApp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, _ := newEngine(t, qix.Options{DocsDir: dir, AllowDirs: []string{dir}})
	require.NoError(t, e.CreateApp(ctx, "src", "Source", corectlScript, true))
	require.NoError(t, e.CreateApp(ctx, "dst", "Target", "", false))
	require.NoError(t, e.CreateApp(ctx, "dst2", "Target 2", "", false))
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "OpenDoc", "src"))
	sheet := handleOf(t, c.ok(doc, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": "S1", "qType": "sheet"}}))
	c.ok(sheet, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "K1", "qType": "table"}})
	c.ok(doc, "CreateDimension", map[string]any{"qInfo": map[string]any{"qId": "D1", "qType": "dimension"},
		"qDim": map[string]any{"qFieldDefs": []string{"abcs"}}})
	c.ok(doc, "CreateConnection", map[string]any{"qName": "Files", "qConnectionString": dir, "qType": "folder"})

	// CopyApp: everything (the live, unsaved state of the source), or
	// only the listed objects.
	require.Equal(t, map[string]any{"qSuccess": true}, c.ok(-1, "CopyApp", "dst", "src", []string{}))
	require.Equal(t, map[string]any{"qSuccess": true}, c.ok(-1, "CopyApp", "dst2", "src", []string{"D1"}))
	check := func(id, title string, objects, dims int) {
		t.Helper()
		cc := connect(t, e, qix.SessionParams{})
		d := handleOf(t, cc.ok(-1, "OpenDoc", id))
		require.Equal(t, title, path(t, cc.ok(d, "GetAppLayout"), "qLayout", "qTitle"))
		lb := listbox(t, cc, d, "abcs", nil)
		require.Equal(t, []string{"a:O", "b:O", "c:O"}, cells(t, cc.ok(lb, "GetLayout")["qLayout"].(map[string]any)))
		n := 0
		for _, info := range cc.ok(d, "GetAllInfos")["qInfos"].([]any) {
			switch path(t, info, "qType") {
			case "sheet", "table":
				n++
			}
		}
		require.Equal(t, objects, n, "%s objects", id)
		dimList := cc.ok(d, "CreateSessionObject", map[string]any{"qInfo": map[string]any{"qType": "dl"}, "qDimensionListDef": map[string]any{}})
		require.Len(t, path(t, cc.ok(handleOf(t, dimList), "GetLayout"), "qLayout", "qDimensionList", "qItems"), dims)
		cc.s.Close()
	}
	check("dst", "Target", 2, 1)
	check("dst2", "Target 2", 0, 1)
	c.fails(1003, -1, "CopyApp", "nope", "src", []string{})
	c.fails(1003, -1, "CopyApp", "dst", "nope", []string{})
	c.fails(8, -1, "CopyApp", "src", "src", []string{})
	c.fails(1002, -1, "CopyApp", "src", "dst", []string{}) // src is open in c's session

	// ExportApp writes an app file; ImportApp makes a new app of it.
	require.Equal(t, map[string]any{"qSuccess": true}, c.ok(-1, "ExportApp", "out.assoc", "src", []string{}))
	require.FileExists(t, filepath.Join(dir, "out.assoc"))
	require.Equal(t, map[string]any{"qSuccess": true}, c.ok(-1, "ExportApp", filepath.Join(dir, "nodata.assoc"), "src", []string{"S1"}, true))
	require.Equal(t, map[string]any{"qSuccess": true}, c.ok(-1, "ImportApp", "imported", "out.assoc", []string{}))
	check("imported", "Source", 2, 1)
	require.Equal(t, map[string]any{}, c.ok(-1, "ImportAppEx", "lean", filepath.Join(dir, "nodata.assoc"), []string{}, true))
	cl := connect(t, e, qix.SessionParams{})
	dl := handleOf(t, cl.ok(-1, "OpenDoc", "lean"))
	require.Equal(t, false, path(t, cl.ok(dl, "GetAppLayout"), "qLayout", "qHasData"))
	require.Equal(t, []any{}, cl.ok(dl, "GetConnections")["qConnections"])
	require.Len(t, cl.ok(dl, "GetAllInfos")["qInfos"], 2) // S1 and its child
	require.Len(t, c.ok(handleOf(t, c.ok(-1, "GetActiveDoc")), "GetConnections")["qConnections"], 1)

	c.fails(1000, -1, "ImportApp", "imported", "out.assoc", []string{})
	c.fails(1001, -1, "ImportApp", " ", "out.assoc", []string{})
	writeFile(t, filepath.Join(dir, "junk.assoc"), "not an app")
	c.fails(1004, -1, "ImportApp", "junk", "junk.assoc", []string{})
	c.fails(4, -1, "ImportApp", "gone", "missing/none.assoc", []string{})
	c.fails(5, -1, "ImportApp", "evil", "/etc/passwd", []string{})
	c.fails(5, -1, "ExportApp", "/tmp/../etc/out.assoc", "src", []string{})
	c.fails(4, -1, "ExportApp", ".", "src", []string{})
	c.fails(1003, -1, "ExportApp", "x.assoc", "nope", []string{})

	// GetAppEntry.
	entry := c.ok(-1, "GetAppEntry", "src")["qEntry"].(map[string]any)
	require.Equal(t, "src", entry["qID"])
	require.Equal(t, "Source", entry["qTitle"])
	require.Equal(t, "src", entry["qPath"])
	require.NotEmpty(t, entry["qLastReloadTime"])
	require.Equal(t, map[string]any{"qUrl": ""}, entry["qThumbnail"])
	require.Len(t, entry, 9)
	c.fails(1003, -1, "GetAppEntry", "nope")
	cs := connect(t, e, qix.SessionParams{})
	cs.ok(-1, "CreateSessionApp")
	sid := path(t, cs.ok(-1, "GetActiveDoc"), "qReturn", "qGenericId").(string)
	require.JSONEq(t, `{"qEntry":{"qID":"`+sid+`","qTitle":"`+sid+`","qPath":"`+sid+`","qLastReloadTime":"","qReadOnly":false,
		"qMeta":{},"qThumbnail":{"qUrl":""},"qFileSize":0,"qHasSectionAccess":false}}`, resultJSON(t, cs.ok(-1, "GetAppEntry", sid)))
}

// TestGetAppEntryDiskStore: with a DiskStore, the entry has the app file's
// path and size.
func TestGetAppEntryDiskStore(t *testing.T) {
	dir := t.TempDir()
	store, err := qix.NewDiskStore(dir, qix.DiskStoreOptions{})
	require.NoError(t, err)
	e, _ := newEngine(t, qix.Options{Store: store})
	require.NoError(t, e.CreateApp(context.Background(), "disk-app", "On disk", corectlScript, true))
	c := connect(t, e, qix.SessionParams{})
	entry := c.ok(-1, "GetAppEntry", "disk-app")["qEntry"].(map[string]any)
	file := filepath.Join(dir, qix.AppFileName("disk-app"))
	require.Equal(t, file, entry["qPath"])
	st, err := os.Stat(file)
	require.NoError(t, err)
	require.Equal(t, float64(st.Size()), entry["qFileSize"])
	require.Equal(t, "On disk", entry["qTitle"])
}
