package qix_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// TestGlobalMethods covers the Global calls of enigma.js's global.spec.js
// and the exact result keys each returns.
func TestGlobalMethods(t *testing.T) {
	e, _ := newEngine(t, qix.Options{Version: "12.1050.0", DocsDir: "/apps"})
	c := connect(t, e, qix.SessionParams{User: "folke", UserDirectory: "JWT"})
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tests := []struct {
		method string
		params []any
		check  func(t *testing.T, res map[string]any)
	}{
		{"AbortAll", nil, empty},
		{"AbortRequest", []any{0}, empty},
		{"CancelRequest", []any{0}, empty},
		{"CancelReload", nil, empty},
		{"ConfigureReload", []any{false, false, false}, empty},
		{"AllowCreateApp", nil, ret(true)},
		{"IsDesktopMode", nil, ret(false)},
		{"IsPersonalMode", nil, ret(false)},
		{"OSName", nil, ret("Linux")},
		{"ProductVersion", nil, ret("12.1050.0")},
		{"QvVersion", nil, ret("12.1050.0")},
		{"QTProduct", nil, ret("Assoc")},
		{"GetAuthenticatedUser", nil, ret("UserDirectory=JWT; UserId=folke")},
		{"GetDefaultAppFolder", nil, func(t *testing.T, res map[string]any) {
			require.Equal(t, map[string]any{"qPath": "/apps"}, res)
		}},
		{"EngineVersion", nil, func(t *testing.T, res map[string]any) {
			require.Equal(t, map[string]any{"qVersion": map[string]any{"qComponentVersion": "12.1050.0"}}, res)
		}},
		{"OSVersion", nil, func(t *testing.T, res map[string]any) {
			require.Len(t, res, 1)
			require.IsType(t, "", res["qReturn"])
		}},
		{"GetUniqueID", nil, func(t *testing.T, res map[string]any) {
			require.Len(t, res, 1)
			require.Regexp(t, uuid, res["qUniqueID"])
		}},
		{"GetDocList", nil, func(t *testing.T, res map[string]any) {
			require.Equal(t, map[string]any{"qDocList": []any{}}, res)
		}},
		{"GetProgress", []any{0}, func(t *testing.T, res map[string]any) {
			pd := res["qProgressData"].(map[string]any)
			require.Equal(t, false, pd["qStarted"])
			require.Equal(t, "", pd["qPersistentProgress"])
		}},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) { tt.check(t, c.ok(-1, tt.method, tt.params...)) })
	}
	// Without a user, the authenticated user is empty.
	c2 := connect(t, e, qix.SessionParams{})
	require.Equal(t, "", c2.ok(-1, "GetAuthenticatedUser")["qReturn"])
}

func empty(t *testing.T, res map[string]any) { require.Equal(t, map[string]any{}, res) }

func ret(v any) func(t *testing.T, res map[string]any) {
	return func(t *testing.T, res map[string]any) { require.Equal(t, map[string]any{"qReturn": v}, res) }
}

func TestAppsLifecycle(t *testing.T) {
	ctx := context.Background()
	e, _ := newEngine(t, qix.Options{})
	require.NoError(t, e.CreateApp(ctx, "sales.qvf", "Sales", corectlScript, true))
	require.ErrorIs(t, e.CreateApp(ctx, "sales.qvf", "Sales", "", false), qix.ErrAppExists)
	require.Error(t, e.CreateApp(ctx, "  ", "", "", false))

	c := connect(t, e, qix.SessionParams{AppID: "sales.qvf"})
	// Connecting with an app id does not open it.
	c.fails(1007, -1, "GetActiveDoc")
	res := c.ok(-1, "GetDocList")
	list := res["qDocList"].([]any)
	require.Len(t, list, 1)
	require.Equal(t, "sales.qvf", path(t, list, 0, "qDocId"))
	require.Equal(t, "Sales", path(t, list, 0, "qTitle"))
	require.NotEmpty(t, path(t, list, 0, "qLastReloadTime"))

	open := c.call(-1, "OpenDoc", []any{"sales.qvf"})
	require.Nil(t, open.Error)
	doc := handleOf(t, open.Result)
	require.Equal(t, []int{doc}, open.Change)
	require.Equal(t, map[string]any{"qType": "Doc", "qHandle": float64(doc), "qGenericId": "sales.qvf"}, open.Result["qReturn"])
	// The same app again gives the same handle; another app is refused.
	require.Equal(t, doc, handleOf(t, c.ok(-1, "OpenDoc", "sales.qvf")))
	require.Equal(t, doc, handleOf(t, c.ok(-1, "GetActiveDoc")))
	c.fails(1002, -1, "OpenDoc", "other.qvf")
	c.fails(1002, -1, "CreateSessionApp")
	// Data survived the store.
	lb := listbox(t, c, doc, "xyz", nil)
	require.Equal(t, []string{"x:O", "y:O", "z:O"}, cells(t, c.ok(lb, "GetLayout")["qLayout"].(map[string]any)))
	require.Equal(t, "Sales", path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qTitle"))
	require.Equal(t, false, path(t, c.ok(doc, "GetAppLayout"), "qLayout", "qIsSessionApp"))

	// CreateApp through QIX, then delete both.
	// The app's id is a GUID; its name stays unique and opens it too.
	cr := c.ok(-1, "CreateApp", "new.qvf")
	require.Equal(t, true, cr["qSuccess"])
	newID := cr["qAppId"].(string)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, newID)
	c.fails(1000, -1, "CreateApp", "new.qvf")
	c.fails(1001, -1, "CreateApp", "")
	require.Len(t, c.ok(-1, "GetDocList")["qDocList"], 2)
	cn := connect(t, e, qix.SessionParams{})
	byName := handleOf(t, cn.ok(-1, "OpenDoc", "new.qvf"))
	require.Equal(t, newID, path(t, cn.ok(byName, "GetAppLayout"), "qLayout", "qFileName"))
	require.Equal(t, map[string]any{"qSuccess": true}, c.ok(-1, "DeleteApp", newID))
	c.fails(1003, -1, "DeleteApp", newID)
	c.fails(1003, -1, "DeleteApp", "new.qvf")
	c.ok(-1, "DeleteApp", "sales.qvf")
	require.Empty(t, c.ok(-1, "GetDocList")["qDocList"])
	// The open copy stays usable but cannot be saved any more.
	require.Equal(t, []string{"x:O", "y:O", "z:O"}, cells(t, c.ok(lb, "GetLayout")["qLayout"].(map[string]any)))
	c.fails(1003, doc, "DoSave")
}

func TestSessionApps(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	// The enigma-go/Qlik Cloud form: the URL names a session app, which is
	// created and opened implicitly.
	c := connect(t, e, qix.SessionParams{AppID: "SessionApp_abc"})
	doc := handleOf(t, c.ok(-1, "GetActiveDoc"))
	require.Equal(t, "SessionApp_abc", path(t, c.ok(-1, "GetActiveDoc"), "qReturn", "qGenericId"))
	c.ok(doc, "SetAppProperties", map[string]any{"test": true, "qTitle": "t"})
	require.Equal(t, true, c.ok(doc, "GetAppProperties")["qProp"].(map[string]any)["test"])
	c.fails(9009, doc, "DoSave")

	// A second session on the same URL shares the app (not the selections).
	c2 := connect(t, e, qix.SessionParams{AppID: "SessionApp_abc"})
	doc2 := handleOf(t, c2.ok(-1, "GetActiveDoc"))
	require.Equal(t, true, c2.ok(doc2, "GetAppProperties")["qProp"].(map[string]any)["test"])
	c.fails(1002, -1, "CreateSessionAppFromApp", "x")

	// Global.CreateSessionApp (Qlik Core's way).
	c3 := connect(t, e, qix.SessionParams{AppID: "engineData"})
	r := c3.call(-1, "CreateSessionApp", []any{})
	require.Nil(t, r.Error)
	h := handleOf(t, r.Result)
	require.Equal(t, []int{h}, r.Change)
	require.Regexp(t, `^SessionApp_[0-9a-f-]{36}$`, r.Result["qSessionAppId"])
	require.Equal(t, "Doc", path(t, r.Result, "qReturn", "qType"))
	require.Equal(t, r.Result["qSessionAppId"], path(t, r.Result, "qReturn", "qGenericId"))
	require.Equal(t, h, handleOf(t, c3.ok(-1, "GetActiveDoc")))
	require.Equal(t, true, path(t, c3.ok(h, "GetAppLayout"), "qLayout", "qIsSessionApp"))
	require.Equal(t, false, path(t, c3.ok(h, "GetAppLayout"), "qLayout", "qHasData"))

	// CreateSessionAppFromApp copies a stored app.
	require.NoError(t, e.CreateApp(context.Background(), "src.qvf", "", corectlScript, true))
	c4 := connect(t, e, qix.SessionParams{})
	c4.fails(1003, -1, "CreateSessionAppFromApp", "nope.qvf")
	r = c4.call(-1, "CreateSessionAppFromApp", []any{"src.qvf"})
	require.Nil(t, r.Error)
	d4 := handleOf(t, r.Result)
	require.Regexp(t, `^SessionApp_`, r.Result["qSessionAppId"])
	lb := listbox(t, c4, d4, "abcs", nil)
	require.Equal(t, []string{"a:O", "b:O", "c:O"}, cells(t, c4.ok(lb, "GetLayout")["qLayout"].(map[string]any)))

	// Session apps live while a session uses them.
	loaded := func() []string { return e.Stats().LoadedDocs }
	require.Contains(t, loaded(), "SessionApp_abc")
	c.s.Close()
	require.Contains(t, loaded(), "SessionApp_abc")
	c2.s.Close()
	require.NotContains(t, loaded(), "SessionApp_abc")
	st := e.Stats()
	require.Equal(t, 2, st.ActiveSessions)
	require.EqualValues(t, 4, st.TotalSessions)
	require.Len(t, st.ActiveDocs, 2)
}
