package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/reload"
)

const testScript = `SET vRegion = 'East';
Sales:
LOAD * INLINE [
Region, Product, Amount
East, Apples, 10
West, Pears, 20
East, Pears, 5
];
Regions:
LOAD * FROM [lib://data/regions.csv] (txt, utf8, embedded labels, delimiter is ',');
`

// reloadDir writes the test script and its connection's data into a new
// directory and returns the script's path and the data directory.
func reloadDir(t *testing.T) (script, data string) {
	t.Helper()
	dir := t.TempDir()
	data = filepath.Join(dir, "data")
	require.NoError(t, os.Mkdir(data, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(data, "regions.csv"), []byte("Region,Manager\nEast,Ann\nWest,Bo\n"), 0o644))
	script = filepath.Join(dir, "sales.qvs")
	require.NoError(t, os.WriteFile(script, []byte(testScript), 0o644))
	return script, data
}

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestReloadCommand(t *testing.T) {
	script, data := reloadDir(t)
	out := filepath.Join(t.TempDir(), "sales.assoc")
	e, stdout, stderr := testEnv(nil)
	status := run([]string{"reload", script, "--out", out, "--connection", "data=" + data}, e)
	require.Equal(t, 0, status, "stderr: %s", stderr)
	require.Empty(t, stdout.String())
	require.Contains(t, stderr.String(), "Sales << INLINE 3 Lines fetched", "the reload log goes to stderr")
	require.Regexp(t, `wrote .*sales\.assoc \(app [0-9a-f-]{36}\): 2 tables, \d+ fields, 5 rows`, stderr.String())

	app, err := qix.ReadAppFile(out, qix.AppReadOptions{})
	require.NoError(t, err)
	require.Regexp(t, guidRE, app.ID)
	require.Equal(t, "sales", app.Title)
	require.Equal(t, testScript, app.Script)
	require.Equal(t, "East", app.Variables["vRegion"])
	require.False(t, app.LastReload.IsZero())
	region, err := app.Model.Field("Region")
	require.NoError(t, err)
	require.Equal(t, 2, region.Cardinal())
	require.True(t, region.IsKey())

	// Reloading into the file keeps the app: id, title, objects.
	app.Title = "My sales"
	app.Objects = [][]byte{[]byte(`{"qInfo":{"qId":"sheet1","qType":"sheet"}}`)}
	app.Model = nil
	require.NoError(t, qix.WriteAppFile(out, app))
	require.NoError(t, os.WriteFile(filepath.Join(data, "regions.csv"), []byte("Region,Manager\nEast,Ann\nWest,Bo\nNorth,Cy\n"), 0o644))
	e, _, stderr = testEnv(nil)
	require.Equal(t, 0, run([]string{"reload", "--quiet", "--out", out, "--connection", "data=" + data, script}, e), "stderr: %s", stderr)
	require.Empty(t, stderr.String(), "--quiet prints nothing")
	again, err := qix.ReadAppFile(out, qix.AppReadOptions{})
	require.NoError(t, err)
	require.Equal(t, app.ID, again.ID)
	require.Equal(t, "My sales", again.Title)
	require.Equal(t, app.Objects, again.Objects)
	region, err = again.Model.Field("Region")
	require.NoError(t, err)
	require.Equal(t, 3, region.Cardinal())
}

func TestReloadCommandErrors(t *testing.T) {
	script, data := reloadDir(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.qvs")
	require.NoError(t, os.WriteFile(bad, []byte("Sales:\nLOAD a, b\nFROM;\n"), 0o644))
	corrupt := filepath.Join(dir, "corrupt.assoc")
	require.NoError(t, os.WriteFile(corrupt, []byte("ASSOCAPP not really"), 0o644))
	out := filepath.Join(dir, "out.assoc")
	conn := "data=" + data
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"no script", []string{"reload", "--out", out}, 2, "no script given"},
		{"two scripts", []string{"reload", script, script, "--out", out}, 2, "unexpected argument"},
		{"no out", []string{"reload", script}, 2, "--out is required"},
		{"out dir missing", []string{"reload", script, "--out", filepath.Join(dir, "nope", "a.assoc")}, 2, "does not exist"},
		{"bad connection", []string{"reload", script, "--out", out, "--connection", "data"}, 2, "want name=dir"},
		{"connection dir missing", []string{"reload", script, "--out", out, "--connection", "data=" + filepath.Join(dir, "nope")}, 2, "no such file"},
		{"duplicate connection", []string{"reload", script, "--out", out, "--connection", conn, "--connection", conn}, 2, "given twice"},
		{"allow dir missing", []string{"reload", script, "--out", out, "--allow-dir", filepath.Join(dir, "nope")}, 2, "--allow-dir"},
		{"script missing", []string{"reload", filepath.Join(dir, "none.qvs"), "--out", out}, 1, "cannot read the script"},
		{"syntax error", []string{"reload", bad, "--out", out}, 1, "bad.qvs:3:"},
		{"connection unknown", []string{"reload", script, "--out", out}, 1, "sales.qvs:10:"},
		{"corrupt out", []string{"reload", script, "--out", corrupt, "--connection", conn}, 1, "cannot be reloaded into"},
		{"negative max rows", []string{"reload", script, "--out", out, "--max-rows", "-1"}, 2, "negative"},
		{"max rows", []string{"reload", script, "--out", out, "--connection", conn, "--max-rows", "2"}, 1, "sales.qvs:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _, stderr := testEnv(nil)
			require.Equal(t, tc.status, run(tc.args, e), "stderr: %s", stderr)
			require.Contains(t, stderr.String(), tc.stderr)
			_, err := os.Stat(out)
			require.ErrorIs(t, err, os.ErrNotExist, "a failed reload writes nothing")
		})
	}
}

func TestFetched(t *testing.T) {
	tests := []struct {
		msg   string
		table string
		rows  int64
		ok    bool
	}{
		{"Orders << 1,200 Lines fetched", "Orders", 1200, true},
		{"Orders << INLINE 3 Lines fetched", "Orders", 3, true},
		{"My Table << lib://data/x.csv 1,234,567 Lines fetched", "My Table", 1234567, true},
		{"Finished successfully", "", 0, false},
		{"Orders << Lines fetched", "", 0, false},
		{"Orders << x Lines fetched", "", 0, false},
		{"no arrows 12 Lines fetched", "", 0, false},
	}
	for _, tc := range tests {
		table, rows, ok := fetched(tc.msg)
		require.Equal(t, tc.ok, ok, tc.msg)
		require.Equal(t, tc.table, table, tc.msg)
		require.Equal(t, tc.rows, rows, tc.msg)
	}
}

func TestReloadProgressBar(t *testing.T) {
	_, _, stderr := testEnv(nil)
	p := newReloadProgress(stderr, true, true)
	p.event(reload.Progress{Message: "Started loading data", Persistent: true})
	p.event(reload.Progress{Message: "Orders << 1,000 Lines fetched"})
	p.event(reload.Progress{Message: "Orders << INLINE 2,000 Lines fetched", Persistent: true})
	p.event(reload.Progress{Message: "Items << 500 Lines fetched"})
	require.Equal(t, int64(2000), p.done)
	require.Equal(t, "Items", p.table)
	p.finish()
	out := stderr.String()
	require.Contains(t, out, "Started loading data\n")
	require.Contains(t, out, "Orders << INLINE 2,000 Lines fetched\n")
	require.Contains(t, out, "rows/", "the bar shows the rate")
	require.Contains(t, out, "Orders", "the bar shows the table")
}

// TestReloadThenServe: an app file written by assoc reload opens in
// assoc serve --docs-dir without a reload.
func TestReloadThenServe(t *testing.T) {
	script, data := reloadDir(t)
	docs := t.TempDir()
	out := filepath.Join(docs, "sales.assoc")
	e, _, stderr := testEnv(nil)
	require.Equal(t, 0, run([]string{"reload", script, "--out", out, "--connection", "data=" + data}, e), "stderr: %s", stderr)
	app, err := qix.ReadAppFile(out, qix.AppReadOptions{})
	require.NoError(t, err)
	// The data directory goes away: opening must not read it again.
	require.NoError(t, os.RemoveAll(data))

	addr, _, _ := startServe(t, "--docs-dir", docs)
	c, _ := dialQIX(t, addr, "/app/"+app.ID, "")
	list := c.call(-1, "GetDocList", []any{})
	require.Nil(t, list.Error)
	require.Contains(t, string(list.Result), app.ID)
	r := c.call(-1, "OpenDoc", []any{app.ID})
	require.Nil(t, r.Error, "%s", r.Result)
	var doc struct {
		Return struct {
			Handle int `json:"qHandle"`
		} `json:"qReturn"`
	}
	require.NoError(t, json.Unmarshal(r.Result, &doc))
	r = c.call(doc.Return.Handle, "GetTablesAndKeys", []any{map[string]any{}, map[string]any{}, 0, true, false})
	require.Nil(t, r.Error, "%s", r.Result)
	require.Contains(t, string(r.Result), `"Regions"`)
	require.Contains(t, string(r.Result), `"Manager"`)
	r = c.call(doc.Return.Handle, "Evaluate", []any{"Sum(Amount)"})
	require.Nil(t, r.Error, "%s", r.Result)
	require.JSONEq(t, `{"qReturn":"35"}`, string(r.Result))
	r = c.call(doc.Return.Handle, "GetScript", []any{})
	require.Nil(t, r.Error)
	require.True(t, strings.Contains(string(r.Result), "lib://data/regions.csv"))
}
