package router

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/fasthttp/websocket"
	"github.com/stretchr/testify/require"
)

// fakeEngine is a stand-in engine: /healthcheck, /metrics and a QIX
// WebSocket that knows a few apps, says who it is (method WhoAmI) and
// records the headers of each connection.
type fakeEngine struct {
	t    *testing.T
	name string
	srv  *httptest.Server

	mu           sync.Mutex
	healthStatus int
	active       int
	memFree      float64
	metricsCode  int
	state        string // OnConnected state
	apps         map[string]bool
	denied       map[string]bool
	conns        []http.Header
	open         int
}

func newFakeEngine(t *testing.T, name string, apps ...string) *fakeEngine {
	t.Helper()
	f := &fakeEngine{t: t, name: name, healthStatus: http.StatusOK, metricsCode: http.StatusOK, memFree: 1000,
		state: "SESSION_CREATED", apps: map[string]bool{}, denied: map[string]bool{}}
	for _, a := range apps {
		f.apps[a] = true
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// target is the fake's Target, metrics on the same port.
func (f *fakeEngine) target() Target {
	host, port, _ := net.SplitHostPort(f.srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	return Target{Name: f.name, Host: host, Port: p, MetricsPort: p}
}

func (f *fakeEngine) set(fn func(f *fakeEngine)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeEngine) headers() []http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]http.Header(nil), f.conns...)
}

func (f *fakeEngine) openConns() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.open
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (f *fakeEngine) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	status, active, free, mcode, state := f.healthStatus, f.active, f.memFree, f.metricsCode, f.state
	f.mu.Unlock()
	switch r.URL.Path {
	case "/healthcheck":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"version":"fake","mem":{"free":%g},"cpu":{"total":1},"session":{"active":%d,"total":9}}`, free, active)
		return
	case "/metrics":
		w.WriteHeader(mcode)
		fmt.Fprintf(w, "# HELP qix_active_sessions Sessions.\n# TYPE qix_active_sessions gauge\nqix_active_sessions %d\n", active)
		return
	}
	if r.Header.Get("Authorization") == "Bearer bad" {
		http.Error(w, "token has expired", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	f.mu.Lock()
	f.conns = append(f.conns, r.Header.Clone())
	f.open++
	f.mu.Unlock()
	defer f.set(func(f *fakeEngine) { f.open-- })
	send := func(v any) {
		b, _ := json.Marshal(v)
		_ = ws.WriteMessage(websocket.TextMessage, b)
	}
	send(map[string]any{"jsonrpc": "2.0", "method": "OnConnected", "params": map[string]any{"qSessionState": state}})
	if state != "SESSION_CREATED" && state != "SESSION_ATTACHED" {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var req struct {
			ID     int             `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		}
		if json.Unmarshal(data, &req) != nil {
			continue
		}
		switch req.Method {
		case "OpenDoc":
			var p struct {
				Doc string `json:"qDocName"`
			}
			_ = json.Unmarshal(req.Params, &p)
			f.mu.Lock()
			known, denied := f.apps[p.Doc], f.denied[p.Doc]
			f.mu.Unlock()
			switch {
			case denied:
				send(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": 5, "parameter": "no", "message": "Access denied"}})
			case !known:
				send(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": 1003, "parameter": p.Doc, "message": "App not found"}})
			default:
				send(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": map[string]any{"qReturn": map[string]any{"qType": "Doc", "qHandle": 1}}})
			}
		case "CreateSessionApp":
			send(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": map[string]any{"qSessionAppId": "SessionApp_x"}})
		case "WhoAmI":
			send(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": map[string]any{"engine": f.name,
				"session": r.Header.Get("X-Qlik-Session"), "auth": r.Header.Get("Authorization"), "path": r.URL.Path}})
		}
	}
}

// dialRouter opens a QIX WebSocket through the router and reads
// OnConnected.
func dialRouter(t *testing.T, base, path string, h http.Header) (*websocket.Conn, string) {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial("ws"+base[len("http"):]+path, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", path, err, status)
	}
	t.Cleanup(func() { _ = ws.Close() })
	var f rpcFrame
	require.NoError(t, ws.ReadJSON(&f))
	require.Equal(t, "OnConnected", f.Method)
	return ws, f.Params.SessionState
}

// whoAmI asks the engine behind ws who it is.
func whoAmI(t *testing.T, ws *websocket.Conn) map[string]string {
	t.Helper()
	require.NoError(t, ws.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": 7, "method": "WhoAmI"}))
	var resp struct {
		Result map[string]string `json:"result"`
	}
	require.NoError(t, ws.ReadJSON(&resp))
	return resp.Result
}
