package qix_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

func TestReloadAndProgress(t *testing.T) {
	e, fr := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	lb := listbox(t, c, doc, "abcs", nil)
	c.ok(lb, "SelectListObjectValues", "/qListObjectDef", []int{1}, false)
	require.Equal(t, corectlScript, c.ok(doc, "GetScript")["qScript"])
	require.Len(t, fr.calls, 1)
	require.Equal(t, -1, int(fr.calls[0].RowLimit))

	// The progress of the reload (request id 3 of openCorectlApp) is kept:
	// persistent lines, each ending in a newline, reported once.
	pd := c.ok(-1, "GetProgress", 3)["qProgressData"].(map[string]any)
	require.Equal(t, true, pd["qStarted"])
	require.Equal(t, true, pd["qFinished"])
	require.Equal(t, "Connected\nTableA <<  5 Lines fetched\nTableB <<  5 Lines fetched\n", pd["qPersistentProgress"])
	require.Equal(t, []any{}, pd["qErrorData"])
	pd = c.ok(-1, "GetProgress", 3)["qProgressData"].(map[string]any)
	require.Equal(t, "", pd["qPersistentProgress"])
	// Unknown request ids report nothing started.
	require.Equal(t, false, path(t, c.ok(-1, "GetProgress", 999), "qProgressData", "qStarted"))

	// A failed reload keeps the old data (and the selections) and answers
	// false, with the error in the progress data.
	c.ok(doc, "SetScript", "T:\nx\n1\n\nFAIL broken here\n")
	r := c.call(doc, "DoReload", []any{0, false, false})
	require.Equal(t, map[string]any{"qReturn": false}, r.Result)
	require.Empty(t, r.Change)
	pd = c.ok(-1, "GetProgress", 0)["qProgressData"].(map[string]any)
	require.Equal(t, true, pd["qFinished"])
	require.Equal(t, []any{map[string]any{"qErrorString": "broken here", "qLineEnd": "", "qLine": "FAIL broken here", "qErrorDataCode": "EDC_ERROR"}}, pd["qErrorData"])
	require.Equal(t, []string{"a:A", "b:S", "c:A"}, cells(t, lo(t, c, lb)))

	// DoReloadEx.
	c.ok(doc, "SetScript", corectlScript)
	res := c.ok(doc, "DoReloadEx", map[string]any{"qMode": 1, "qRowLimit": 10})
	require.Equal(t, map[string]any{"qResult": map[string]any{"qSuccess": true}}, res)
	require.Equal(t, 1, fr.calls[len(fr.calls)-1].Mode)
	require.EqualValues(t, 10, fr.calls[len(fr.calls)-1].RowLimit)
	require.Equal(t, []string{"a:O", "b:O", "c:O"}, cells(t, lo(t, c, lb)), "a reload clears the selections")
	res = c.ok(doc, "DoReloadEx")
	require.Equal(t, true, path(t, res, "qResult", "qSuccess"))
	require.EqualValues(t, -1, fr.calls[len(fr.calls)-1].RowLimit)
	c.ok(doc, "SetScript", "FAIL x")
	require.Equal(t, map[string]any{"qResult": map[string]any{"qSuccess": false}}, c.ok(doc, "DoReloadEx", map[string]any{}))
	c.fails(-32602, doc, "DoReloadEx", map[string]any{"qRowLimit": "many"})
	require.Equal(t, "DoReloadEx", "DoReloadEx")

	// Script variables become the locale.
	c.ok(doc, "SetScript", "SET DecimalSep=',';\nSET DateFormat='YYYY-MM-DD';\nT:\nx\n1.5\n")
	c.ok(doc, "DoReload")
	loc := c.ok(doc, "GetLocaleInfo")["qReturn"].(map[string]any)
	require.Equal(t, ",", loc["qDecimalSep"])
	require.Equal(t, "YYYY-MM-DD", loc["qDateFmt"])
	require.Equal(t, ",", path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qLocaleInfo", "qDecimalSep"))
	x := lo(t, c, listbox(t, c, doc, "x", nil))
	require.Equal(t, ",", path(t, x, "qListObject", "qDimensionInfo", "qNumFormat", "qDec"))
}

func TestReloadAbortAndConcurrency(t *testing.T) {
	e, fr := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	c.ok(doc, "SetScript", "T:\nx\n1\n\nGATE\n")

	// A reload waiting at the gate: GetProgress sees it running, a second
	// reload is refused, AbortRequest stops it.
	done := make(chan [][]byte)
	go func() {
		c.conn.Handle([]byte(`{"jsonrpc":"2.0","id":1000,"handle":` + jsonNum(doc) + `,"method":"DoReload","params":[]}`))
		done <- nil
	}()
	persistent := ""
	waitFor(t, func() bool {
		pd := progressOf(t, e, c, 1000)
		persistent += pd["qPersistentProgress"].(string)
		return pd["qStarted"] == true && pd["qTransientProgress"] == "waiting at the gate"
	})
	require.Equal(t, "Connected\nT <<  1 Lines fetched\n", persistent)
	pd := progressOf(t, e, c, 1000)
	require.Equal(t, false, pd["qFinished"])
	require.Equal(t, "", pd["qPersistentProgress"])
	r := c.fails(11000, doc, "DoReload")
	require.Equal(t, "Reload in progress", r.Error.Message)
	c.ok(-1, "AbortRequest", 1000)
	<-done
	var aborted *resp
	for _, f := range c.out.take() {
		if rr := decode(t, f); rr.ID == 1000.0 {
			aborted = rr
		}
	}
	require.NotNil(t, aborted)
	require.Equal(t, 15, aborted.Error.Code)
	require.Equal(t, "Request aborted", aborted.Error.Message)
	require.Equal(t, false, path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qHasData"))

	// CancelReload stops a running reload too; the gate lets one through.
	go func() {
		c.conn.Handle([]byte(`{"jsonrpc":"2.0","id":1001,"handle":` + jsonNum(doc) + `,"method":"DoReload","params":[]}`))
		done <- nil
	}()
	waitFor(t, func() bool { return progressOf(t, e, c, 1001)["qStarted"] == true })
	fr.gate <- struct{}{}
	<-done
	require.Contains(t, string(c.out.take()[0]), `{"jsonrpc":"2.0","id":1001,"result":{"qReturn":true}}`)
	require.Equal(t, true, path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qHasData"))
	c.ok(doc, "SetScript", "BLOCK")
	go func() {
		c.conn.Handle([]byte(`{"jsonrpc":"2.0","id":1002,"handle":` + jsonNum(doc) + `,"method":"DoReload","params":[]}`))
		done <- nil
	}()
	waitFor(t, func() bool { return progressOf(t, e, c, 1002)["qStarted"] == true })
	c.ok(-1, "CancelReload", "user")
	<-done
	require.Contains(t, string(c.out.take()[0]), `"id":1002,"error":{"code":15`)
	// AbortAll and closing the connection cancel running requests as well.
	go func() {
		c.conn.Handle([]byte(`{"jsonrpc":"2.0","id":1003,"handle":` + jsonNum(doc) + `,"method":"DoReload","params":[]}`))
		done <- nil
	}()
	waitFor(t, func() bool { return progressOf(t, e, c, 1003)["qStarted"] == true })
	c.ok(-1, "AbortAll")
	<-done
	require.Contains(t, string(c.out.take()[0]), `"id":1003,"error":{"code":15`)
	go func() {
		c.conn.Handle([]byte(`{"jsonrpc":"2.0","id":1004,"handle":` + jsonNum(doc) + `,"method":"DoReload","params":[]}`))
		done <- nil
	}()
	waitFor(t, func() bool { return progressOf(t, e, c, 1004)["qStarted"] == true })
	c.conn.Close()
	<-done
}

// progressOf asks for a request's progress on a fresh connection of the
// same session (the client's own frames are left alone).
func progressOf(t testing.TB, e *qix.Engine, c *client, id int) map[string]any {
	t.Helper()
	out := &recorder{}
	conn := c.s.Attach(out)
	defer conn.Close()
	conn.Handle([]byte(`{"jsonrpc":"2.0","id":1,"handle":-1,"method":"GetProgress","params":[` + jsonNum(id) + `]}`))
	frames := out.all()
	r := decode(t, frames[len(frames)-1])
	return r.Result["qProgressData"].(map[string]any)
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestNoReloader(t *testing.T) {
	e, err := qix.NewEngine(qix.Options{})
	require.NoError(t, err)
	defer e.Close()
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	r := c.fails(20, doc, "DoReload")
	require.Contains(t, r.Error.Parameter, "reloader")
	require.ErrorIs(t, e.CreateApp(context.Background(), "x", "", "T:\nx\n1\n", true), qix.ErrNoReloader)
}

func TestReloaderPanicIsAnError(t *testing.T) {
	e, _ := newEngine(t, qix.Options{Reload: func(context.Context, qix.ReloadRequest) (*qix.ReloadResult, error) {
		panic("boom")
	}})
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	require.Equal(t, false, c.ok(doc, "DoReload")["qReturn"])
	pd := c.ok(-1, "GetProgress", 0)["qProgressData"].(map[string]any)
	require.Contains(t, path(t, pd, "qErrorData", 0, "qErrorString"), "boom")
	// No model: a reloader returning none fails too.
	e2, _ := newEngine(t, qix.Options{Reload: func(context.Context, qix.ReloadRequest) (*qix.ReloadResult, error) {
		return &qix.ReloadResult{}, nil
	}})
	c2 := connect(t, e2, qix.SessionParams{})
	doc2 := handleOf(t, c2.ok(-1, "CreateSessionApp"))
	require.Equal(t, false, c2.ok(doc2, "DoReload")["qReturn"])
}

func TestFolderConnections(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	data := filepath.Join(root, "data")
	require.NoError(t, os.MkdirAll(filepath.Join(data, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(data, "t.csv"), []byte("a,b\n1,x\n2,y\n"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "escape")))
	require.NoError(t, os.Symlink(data, filepath.Join(outside, "back-in")))
	e, fr := newEngine(t, qix.Options{AllowDirs: []string{root}, DocsDir: root})
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	conn := func(name, dir string) map[string]any {
		return map[string]any{"qName": name, "qConnectionString": dir, "qType": "folder"}
	}
	id := c.ok(doc, "CreateConnection", conn("data", data))["qConnectionId"].(string)
	require.Regexp(t, `^[0-9a-f-]{36}$`, id)
	tests := []struct {
		name string
		c    map[string]any
		code int
	}{
		{"duplicate name", conn("DATA", data), 2000},
		{"outside", conn("o", outside), 5},
		{"dot-dot escape", conn("o", filepath.Join(data, "..", "..")), 5},
		{"symlink escape", conn("o", filepath.Join(root, "escape")), 5},
		{"missing", conn("o", filepath.Join(root, "nope")), 4},
		{"a file", conn("o", filepath.Join(data, "t.csv")), 4},
		{"bad name", conn("a/b", data), 2004},
		{"empty name", conn("", data), 2004},
		{"empty path", conn("o", ""), 4},
		{"odbc", map[string]any{"qName": "db", "qConnectionString": "DSN=x", "qType": "ODBC"}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { c.fails(tt.code, doc, "CreateConnection", tt.c) })
	}
	// Relative to DocsDir, and a symlink that stays inside is fine.
	rel := c.ok(doc, "CreateConnection", conn("rel", "data/sub"))["qConnectionId"].(string)
	c.ok(doc, "CreateConnection", conn("link", filepath.Join(outside, "back-in")))
	conns := c.ok(doc, "GetConnections")["qConnections"].([]any)
	require.Len(t, conns, 3)
	require.Equal(t, "data", path(t, conns, 0, "qName"))
	require.Equal(t, "folder", path(t, conns, 0, "qType"))
	require.Equal(t, data, path(t, c.ok(doc, "GetConnection", id), "qConnection", "qConnectionString"))

	// The reloader gets lib:// roots already resolved.
	c.ok(doc, "SetScript", "LOAD lib://data/t.csv AS T\n")
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	last := fr.calls[len(fr.calls)-1]
	resolvedData, err := filepath.EvalSymlinks(data)
	require.NoError(t, err)
	require.Equal(t, resolvedData, last.Connections["data"])
	require.Equal(t, resolvedData, last.Connections["link"])
	require.Equal(t, filepath.Join(resolvedData, "sub"), last.Connections["rel"])
	require.Len(t, last.AllowDirs, 1)
	require.Equal(t, []string{"x:O", "y:O"}, cells(t, lo(t, c, listbox(t, c, doc, "b", nil))))

	c.ok(doc, "ModifyConnection", rel, conn("rel2", data), false)
	require.Equal(t, "rel2", path(t, c.ok(doc, "GetConnection", rel), "qConnection", "qName"))
	c.fails(2000, doc, "ModifyConnection", rel, conn("data", data))
	c.fails(5, doc, "ModifyConnection", rel, conn("rel2", outside))
	c.fails(2001, doc, "ModifyConnection", "nope", conn("x", data))
	c.ok(doc, "DeleteConnection", rel)
	c.fails(2001, doc, "DeleteConnection", rel)
	c.fails(2001, doc, "GetConnection", rel)

	// Without allowed directories, folder connections are refused.
	e2, _ := newEngine(t, qix.Options{})
	c2 := connect(t, e2, qix.SessionParams{})
	d2 := handleOf(t, c2.ok(-1, "CreateSessionApp"))
	c2.fails(5, d2, "CreateConnection", conn("data", data))
	// A missing allowed directory is a configuration error.
	_, err = qix.NewEngine(qix.Options{AllowDirs: []string{filepath.Join(root, "nope")}})
	require.Error(t, err)
}

func TestScriptSyntaxCheck(t *testing.T) {
	var mu sync.Mutex
	var got string
	e, _ := newEngine(t, qix.Options{CheckScript: func(s string) []qix.ScriptError {
		mu.Lock()
		got = s
		mu.Unlock()
		return []qix.ScriptError{{Line: 4, Col: 3, Len: 5, Msg: "bad"}, {Line: 1, Col: 1}}
	}})
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	script := "///$tab Main\r\nSET a=1;\r\n///$tab Second\r\nLOAD x;\r\n"
	c.ok(doc, "SetScript", script)
	res := c.ok(doc, "CheckScriptSyntax")
	require.Equal(t, script, got)
	require.Equal(t, []any{
		map[string]any{"qErrLen": 5.0, "qTabIx": 1.0, "qLineInTab": 0.0, "qColInLine": 2.0, "qTextPos": 42.0},
		map[string]any{"qErrLen": 0.0, "qTabIx": 0.0, "qLineInTab": 0.0, "qColInLine": 0.0, "qTextPos": 0.0},
	}, res["qErrors"])
	// Without a checker the list is empty.
	e2, _ := newEngine(t, qix.Options{})
	c2 := connect(t, e2, qix.SessionParams{})
	d2 := handleOf(t, c2.ok(-1, "CreateSessionApp"))
	require.Equal(t, map[string]any{"qErrors": []any{}}, c2.ok(d2, "CheckScriptSyntax"))
}
