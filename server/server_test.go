package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/assocengine/assoc/server/session/sessiontest"
)

type testServer struct {
	t     *testing.T
	srv   *Server
	eng   *fakeEngine
	clock *sessiontest.Clock
	addr  string
	done  chan error
}

// startServer serves a fake engine on a loopback port until the test ends.
func startServer(t *testing.T, opts Options) *testServer {
	t.Helper()
	ts := &testServer{t: t, eng: newFakeEngine(), clock: &sessiontest.Clock{}, done: make(chan error, 1)}
	if opts.Clock == nil {
		opts.Clock = ts.clock
	}
	srv, err := New(ts.eng, opts)
	require.NoError(t, err)
	ts.srv = srv
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ts.addr = ln.Addr().String()
	go func() { ts.done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		select {
		case err := <-ts.done:
			require.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after Shutdown")
		}
	})
	return ts
}

type client struct {
	t      *testing.T
	ws     *websocket.Conn
	nextID int
}

func (ts *testServer) dial(path string, h http.Header) *client {
	ts.t.Helper()
	c, err := ts.tryDial(path, h)
	require.NoError(ts.t, err, "dial %s", path)
	return c
}

func (ts *testServer) tryDial(path string, h http.Header) (*client, error) {
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+ts.addr+path, h)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(resp.Body)
			return nil, fmt.Errorf("%w: HTTP %d: %s", err, resp.StatusCode, body)
		}
		return nil, err
	}
	c := &client{t: ts.t, ws: ws}
	ts.t.Cleanup(func() { _ = ws.Close() })
	return c, nil
}

// read returns the next frame as a map.
func (c *client) read() map[string]any {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	mt, b, err := c.ws.ReadMessage()
	require.NoError(c.t, err)
	require.Equal(c.t, websocket.TextMessage, mt)
	var m map[string]any
	require.NoError(c.t, json.Unmarshal(b, &m), "frame %s", b)
	return m
}

// state reads the OnConnected notification and returns its state.
func (c *client) state() string {
	c.t.Helper()
	m := c.read()
	require.Equal(c.t, "OnConnected", m["method"], "the first frame is OnConnected: %v", m)
	return m["params"].(map[string]any)["qSessionState"].(string)
}

func (c *client) send(method string, params ...any) int {
	c.t.Helper()
	c.nextID++
	if params == nil {
		params = []any{}
	}
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": c.nextID, "handle": -1, "method": method, "params": params})
	require.NoError(c.t, err)
	require.NoError(c.t, c.ws.WriteMessage(websocket.TextMessage, b))
	return c.nextID
}

// response reads frames until the response to id, skipping notifications.
func (c *client) response(id int) map[string]any {
	c.t.Helper()
	for {
		m := c.read()
		if got, ok := m["id"].(float64); ok && int(got) == id {
			return m
		}
	}
}

// call sends a request and returns its qReturn.
func (c *client) call(method string, params ...any) any {
	c.t.Helper()
	m := c.response(c.send(method, params...))
	require.Nil(c.t, m["error"], "%s returned an error", method)
	return m["result"].(map[string]any)["qReturn"]
}

// closeError reads until the socket closes and returns the close frame.
func (c *client) closeError() *websocket.CloseError {
	c.t.Helper()
	for {
		_ = c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _, err := c.ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		require.True(c.t, errors.As(err, &ce), "want a close frame, got %v", err)
		return ce
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	code, body, err := fasthttp.GetTimeout(nil, url, 5*time.Second)
	require.NoError(t, err)
	return code, string(body)
}

func TestParseRoute(t *testing.T) {
	tests := []struct {
		path string
		want Route
		err  string
	}{
		{path: "/", want: Route{}},
		{path: "", want: Route{}},
		{path: "/app", want: Route{}},
		{path: "/app/", want: Route{}},
		{path: "/app/engineData", want: Route{AppID: "engineData"}},
		{path: "/app/my-document.qvf", want: Route{AppID: "my-document.qvf"}},
		{path: "/app/my-document.qvf/", want: Route{AppID: "my-document.qvf"}},
		{path: "/app/%2Fapps%2FTestTrafficFlag.qvf", want: Route{AppID: "/apps/TestTrafficFlag.qvf"}},
		{path: "/app/a%20b/identity/x%2Fy", want: Route{AppID: "a b", Identity: "x/y"}},
		{path: "/app/engineData/identity/1700000000", want: Route{AppID: "engineData", Identity: "1700000000"}},
		{path: "/app/engineData/ttl/5/identity/ab12", want: Route{AppID: "engineData", Identity: "ab12", TTL: 5 * time.Second, HasTTL: true}},
		{path: "/app/engineData/identity/ab12/ttl/5", want: Route{AppID: "engineData", Identity: "ab12", TTL: 5 * time.Second, HasTTL: true}},
		{path: "/app/engineData/ttl/60", want: Route{AppID: "engineData", TTL: time.Minute, HasTTL: true}},
		{path: "/app/x/ttl/0", want: Route{AppID: "x", TTL: 0, HasTTL: true}},
		{path: "/app/x/ttl/-1", want: Route{AppID: "x", TTL: -1, HasTTL: true}},
		{path: "/app/x/ttl/5/ttl/7", want: Route{AppID: "x", TTL: 7 * time.Second, HasTTL: true}},
		{path: "/app/x/TTL/5", want: Route{AppID: "x", TTL: 5 * time.Second, HasTTL: true}},
		{path: "/app/SessionApp_abc?reloadUri=http%3A%2F%2Fx&workloadType=interactive-reload", want: Route{AppID: "SessionApp_abc"}},
		{path: "/app/x/identity/u?qlik-csrf-token=1#frag", want: Route{AppID: "x", Identity: "u"}},
		{path: "/myproxy/app/x", want: Route{AppID: "x"}},
		{path: "/app/x/ttl", err: `segment "ttl" needs a value`},
		{path: "/app/x/identity", err: `segment "identity" needs a value`},
		{path: "/app/x/ttl/abc", err: `ttl "abc" is not a number of seconds`},
		{path: "/app/x/ttl/-2", err: `ttl "-2" is not a number of seconds`},
		{path: "/app/x/ttl/1.5", err: `ttl "1.5" is not a number of seconds`},
		{path: "/app/x/ttl/99999999999999999999", err: `is not a number of seconds`},
		{path: "/app/x/foo/bar", err: `unknown segment "foo"`},
		{path: "/app/x//ttl/5", err: `unknown segment ""`},
		{path: "/app/%zz", err: `app id "%zz"`},
		{path: "/app/x/identity/%zz", err: `identity value "%zz"`},
		{path: "/favicon.ico", err: "not a QIX path"},
		{path: "app/x", err: "must start with /"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := ParseRoute(tt.path)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				require.ErrorContains(t, err, "cannot parse QIX path")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestConnectAndCall(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.dial("/app/engineData", nil)
	require.Equal(t, "SESSION_CREATED", c.state())
	require.Equal(t, "hello", c.call("Echo", "hello"))
	require.Equal(t, map[string]any{"a": 1.0}, c.call("Echo", map[string]any{"a": 1}))

	m := c.response(c.send("NoSuchMethod"))
	require.EqualValues(t, -32601, m["error"].(map[string]any)["code"])
	require.Equal(t, SessionParams{AppID: "engineData"}, ts.eng.lastParams)
}

func TestSessionSharing(t *testing.T) {
	ts := startServer(t, Options{})
	a := ts.dial("/app/doc.qvf", nil)
	require.Equal(t, "SESSION_CREATED", a.state())
	a.call("Set", "sel", "Sweden")

	b := ts.dial("/app/doc.qvf?x=1", nil)
	require.Equal(t, "SESSION_ATTACHED", b.state(), "same app, no identity, no header: shared")
	require.Equal(t, "Sweden", b.call("Get", "sel"))

	c := ts.dial("/app/doc.qvf/identity/other", nil)
	require.Equal(t, "SESSION_CREATED", c.state(), "a distinct identity is a distinct session")
	require.Equal(t, "", c.call("Get", "sel"))

	h := http.Header{"X-Qlik-Session": {"guid-1"}}
	d := ts.dial("/app/", h)
	require.Equal(t, "SESSION_CREATED", d.state())
	d.call("Set", "sel", "Norway")
	e := ts.dial("/app/something-else", h)
	require.Equal(t, "SESSION_ATTACHED", e.state(), "X-Qlik-Session defines the session alone")
	require.Equal(t, "Norway", e.call("Get", "sel"))
	require.Equal(t, 3, ts.eng.sessionCount())
}

func TestTTLReattach(t *testing.T) {
	ts := startServer(t, Options{})

	// TTL 0 (the default): the session ends with its last connection.
	c := ts.dial("/app/engineData/identity/zero", nil)
	require.Equal(t, "SESSION_CREATED", c.state())
	c.call("Set", "k", "v")
	require.NoError(t, c.ws.Close())
	require.True(t, waitFor(func() bool { return ts.eng.session(0).closed.Load() }), "TTL 0 closes at once")
	c = ts.dial("/app/engineData/identity/zero", nil)
	require.Equal(t, "SESSION_CREATED", c.state())
	require.Equal(t, "", c.call("Get", "k"))
	require.NoError(t, c.ws.Close())

	// /ttl/30: re-attach within the TTL keeps the state.
	c = ts.dial("/app/engineData/ttl/30/identity/abc", nil)
	require.Equal(t, "SESSION_CREATED", c.state())
	c.call("Set", "sel", "2024")
	sess := ts.eng.session(2)
	require.NoError(t, c.ws.Close())
	require.True(t, waitFor(func() bool { return ts.srv.Sessions().Idle == 1 }))
	ts.clock.Advance(29 * time.Second)
	require.False(t, sess.closed.Load())

	c = ts.dial("/app/engineData/identity/abc/ttl/30", nil)
	require.Equal(t, "SESSION_ATTACHED", c.state())
	require.Equal(t, "2024", c.call("Get", "sel"))
	require.NoError(t, c.ws.Close())
	require.True(t, waitFor(func() bool { return ts.srv.Sessions().Idle == 1 }))
	ts.clock.Advance(30 * time.Second)
	require.True(t, sess.closed.Load(), "closed once the TTL lapsed")

	c = ts.dial("/app/engineData/identity/abc/ttl/30", nil)
	require.Equal(t, "SESSION_CREATED", c.state())
	require.Equal(t, "", c.call("Get", "sel"))
}

func TestTTLIsCapped(t *testing.T) {
	ts := startServer(t, Options{SessionTTL: 10 * time.Second, MaxSessionTTL: time.Minute})
	c := ts.dial("/app/x/ttl/3600", nil)
	require.Equal(t, "SESSION_CREATED", c.state())
	require.NoError(t, c.ws.Close())
	require.True(t, waitFor(func() bool { return ts.srv.Sessions().Idle == 1 }))
	ts.clock.Advance(time.Minute - time.Second)
	require.False(t, ts.eng.session(0).closed.Load())
	ts.clock.Advance(time.Second)
	require.True(t, ts.eng.session(0).closed.Load())
}

func TestMessageTooBig(t *testing.T) {
	ts := startServer(t, Options{MaxMessageBytes: 1024})
	c := ts.dial("/app/", nil)
	c.state()
	small := strings.Repeat("a", 900)
	require.Equal(t, small, c.call("Echo", small), "a frame under the limit is fine")

	c.send("Echo", strings.Repeat("b", 2000))
	ce := c.closeError()
	require.Equal(t, websocket.CloseMessageTooBig, ce.Code)
	require.Contains(t, ce.Text, "1024 bytes")
	require.True(t, waitFor(func() bool { return ts.srv.Sessions().Connections == 0 }))
}

func TestBinaryFrame(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.dial("/app/", nil)
	c.state()
	require.NoError(t, c.ws.WriteMessage(websocket.BinaryMessage, []byte(`{"id":1}`)))
	ce := c.closeError()
	require.Equal(t, websocket.CloseUnsupportedData, ce.Code)
	require.Contains(t, ce.Text, "binary frames are not supported")
}

func TestSlowClientDoesNotBlockOthers(t *testing.T) {
	ts := startServer(t, Options{WriteQueueFrames: 64, WriteQueueBytes: 1 << 20, WriteTimeout: 2 * time.Second})
	slow := ts.dial("/app/x/identity/slow", nil)
	slow.state()
	fast := ts.dial("/app/x/identity/fast", nil)
	fast.state()

	// The slow client asks for 256 MiB of notifications and never reads.
	start := time.Now()
	slow.send("Flood", 4096, 64<<10)
	select {
	case <-ts.eng.floodDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the engine was blocked by a client that does not read")
	}
	require.Less(t, time.Since(start), 3*time.Second)
	select {
	case err := <-ts.eng.floodErr:
		require.True(t, errors.Is(err, ErrSlowClient) || errors.Is(err, ErrConnClosed), "got %v", err)
	default:
		t.Fatal("Send never failed for a client that does not read")
	}

	// The other client is served all along.
	for i := range 20 {
		require.Equal(t, float64(i), fast.call("Echo", i))
	}
	require.True(t, waitFor(func() bool { return ts.srv.Sessions().Connections == 1 }), "the slow client was disconnected")
	require.Equal(t, "ok", fast.call("Echo", "ok"))
}

func TestInFlightLimit(t *testing.T) {
	ts := startServer(t, Options{MaxInFlight: 2})
	c := ts.dial("/app/", nil)
	c.state()

	w1 := c.send("Wait", "g1")
	w2 := c.send("Wait", "g2")
	e := c.send("Echo", "x") // waits for a free slot
	require.True(t, waitFor(func() bool { return ts.eng.calls.Load() == 2 }))
	time.Sleep(100 * time.Millisecond)
	require.EqualValues(t, 2, ts.eng.calls.Load(), "no third request runs while MaxInFlight do")

	ts.eng.release("g1")
	got := []any{c.read()["id"], c.read()["id"]}
	require.ElementsMatch(t, []any{float64(w1), float64(e)}, got)
	ts.eng.release("g2")
	require.EqualValues(t, w2, c.read()["id"])
}

func TestOutOfOrderResponses(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.dial("/app/", nil)
	c.state()
	w := c.send("Wait", "gate")
	e := c.send("Echo", 1)
	require.EqualValues(t, e, c.read()["id"])
	ts.eng.release("gate")
	require.EqualValues(t, w, c.read()["id"])
}

func TestHandlerPanicClosesConnection(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.dial("/app/", nil)
	c.state()
	c.send("Panic")
	ce := c.closeError()
	require.Equal(t, websocket.CloseInternalServerErr, ce.Code)
	other := ts.dial("/app/x", nil)
	require.Equal(t, "SESSION_CREATED", other.state(), "the server still serves")
}

func TestSessionRefused(t *testing.T) {
	ts := startServer(t, Options{})
	ts.eng.newErr = stateError{"SESSION_ERROR_LIMIT_EXCEEDED"}
	c := ts.dial("/app/", nil)
	require.Equal(t, "SESSION_ERROR_LIMIT_EXCEEDED", c.state())
	ce := c.closeError()
	require.Equal(t, websocket.ClosePolicyViolation, ce.Code)
	require.Contains(t, ce.Text, "SESSION_ERROR_LIMIT_EXCEEDED")

	ts.eng.newErr = errors.New("disk on fire")
	c = ts.dial("/app/", nil)
	require.Equal(t, "SESSION_ERROR_APP_FAILURE", c.state())
	ce = c.closeError()
	require.Equal(t, websocket.CloseInternalServerErr, ce.Code)
	require.Contains(t, ce.Text, "disk on fire")
}

type tokenAuth struct{}

func (tokenAuth) Authenticate(req *fasthttp.Request) (User, error) {
	user, ok := strings.CutPrefix(string(req.Header.Peek("Authorization")), "Bearer ")
	if !ok || user == "" {
		return User{}, errors.New("missing bearer token")
	}
	return User{ID: user, Directory: "test"}, nil
}

func TestAuthentication(t *testing.T) {
	ts := startServer(t, Options{Authenticator: tokenAuth{}})
	_, err := ts.tryDial("/app/", nil)
	require.ErrorContains(t, err, "HTTP 401")
	require.ErrorContains(t, err, "missing bearer token")

	ann := http.Header{"Authorization": {"Bearer ann"}, "X-Qlik-Session": {"s1"}}
	bob := http.Header{"Authorization": {"Bearer bob"}, "X-Qlik-Session": {"s1"}}
	a := ts.dial("/app/", ann)
	require.Equal(t, "SESSION_CREATED", a.state())
	require.Equal(t, SessionParams{User: "ann", UserDirectory: "test"}, ts.eng.lastParams)
	b := ts.dial("/app/", bob)
	require.Equal(t, "SESSION_CREATED", b.state(), "the same X-Qlik-Session of another user is another session")
	a2 := ts.dial("/app/", ann)
	require.Equal(t, "SESSION_ATTACHED", a2.state())
	require.Equal(t, 2, ts.srv.Sessions().ActiveUsers)
}

func TestAllowedOrigins(t *testing.T) {
	ts := startServer(t, Options{AllowedOrigins: []string{"https://app.example.com"}})
	_, err := ts.tryDial("/app/", http.Header{"Origin": {"https://evil.example.com"}})
	require.ErrorContains(t, err, "HTTP 403")
	c := ts.dial("/app/", http.Header{"Origin": {"https://APP.example.com"}})
	require.Equal(t, "SESSION_CREATED", c.state())
	c = ts.dial("/app/x", nil)
	require.Equal(t, "SESSION_CREATED", c.state(), "non-browser clients send no Origin")
}

func TestBadUpgradePath(t *testing.T) {
	ts := startServer(t, Options{})
	_, err := ts.tryDial("/app/x/ttl/soon", nil)
	require.ErrorContains(t, err, "HTTP 400")
	require.ErrorContains(t, err, `ttl "soon"`)
	_, err = ts.tryDial("/metrics", nil)
	require.ErrorContains(t, err, "HTTP 404")
}

func TestKeepalive(t *testing.T) {
	ts := startServer(t, Options{PingInterval: 50 * time.Millisecond, PongTimeout: 250 * time.Millisecond})
	deaf := ts.dial("/app/x/identity/deaf", nil) // never reads, so never answers a ping
	_ = deaf
	alive := ts.dial("/app/x/identity/alive", nil)
	alive.state()
	pings := 0
	alive.ws.SetPingHandler(func(data string) error {
		pings++
		return alive.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	// Reading lets the client answer pings; it gets no messages meanwhile.
	_ = alive.ws.SetReadDeadline(time.Now().Add(800 * time.Millisecond))
	_, _, err := alive.ws.ReadMessage()
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "no message, only pings: %v", err)
	require.Greater(t, pings, 5)
	require.Equal(t, 1, ts.srv.Sessions().Connections, "the client that answers pings stays, the deaf one is gone")
}

func TestHealth(t *testing.T) {
	ts := startServer(t, Options{DeferReady: true, Version: "1.2.3"})
	base := "http://" + ts.addr

	code, body := httpGet(t, base+"/health")
	require.Equal(t, 503, code)
	require.JSONEq(t, `{"status":"starting"}`, body)
	ts.srv.MarkReady()
	code, body = httpGet(t, base+"/health")
	require.Equal(t, 200, code)
	require.JSONEq(t, `{"status":"ok"}`, body)

	c := ts.dial("/app/", nil)
	c.state()
	c.call("Echo", 1)

	code, body = httpGet(t, base+"/healthcheck")
	require.Equal(t, 200, code)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(body), &raw))
	// The keys of a real Qlik Core 12.138.0 /healthcheck body.
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	require.ElementsMatch(t, []string{"version", "started", "mem", "cpu", "session", "apps", "users", "cache", "saturated"}, keys)
	var h Health
	require.NoError(t, json.Unmarshal([]byte(body), &h))
	require.Equal(t, "1.2.3", h.Version)
	_, err := time.Parse("20060102T150405.000Z", h.Started)
	require.NoError(t, err, "started %q", h.Started)
	require.Equal(t, HealthSession{Active: 1, Total: 1}, h.Session)
	require.Equal(t, []string{"a.qvf"}, h.Apps.ActiveDocs)
	require.Equal(t, []string{"a.qvf", "b.qvf"}, h.Apps.LoadedDocs)
	require.EqualValues(t, 1, h.Apps.Calls)
	require.EqualValues(t, 7, h.Apps.Selections)
	require.Greater(t, h.Mem.Committed, 0.0)
	require.Greater(t, h.Mem.Allocated, 0.0)
	require.GreaterOrEqual(t, h.CPU.Total, 0.0)
	for _, part := range []string{"mem", "cpu", "session", "apps", "users", "cache"} {
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw[part], &m), part)
		require.NotEmpty(t, m, part)
	}
	require.JSONEq(t, `{"hits":0,"lookups":0,"added":0,"replaced":0,"bytes_added":0}`, string(raw["cache"]))

	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(base + "/health")
	req.Header.SetMethod("POST")
	require.NoError(t, fasthttp.DoTimeout(req, resp, 5*time.Second))
	require.Equal(t, 405, resp.StatusCode())

	code, _ = httpGet(t, base+"/nope")
	require.Equal(t, 404, code)
	code, body = httpGet(t, base+"/app/x")
	require.Equal(t, 426, code)
	require.Contains(t, body, "WebSocket")
}

func TestGracefulShutdown(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.dial("/app/x/ttl/60", nil)
	require.Equal(t, "SESSION_CREATED", c.state())
	id := c.send("Wait", "slow")
	require.True(t, waitFor(func() bool { return ts.eng.calls.Load() == 1 }))

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- ts.srv.Shutdown(ctx)
	}()
	require.True(t, waitFor(func() bool {
		code, _, err := fasthttp.GetTimeout(nil, "http://"+ts.addr+"/health", time.Second)
		return err == nil && code == 503
	}), "/health turns 503 while draining")
	_, err := ts.tryDial("/app/y", nil)
	require.Error(t, err, "no new connections while draining")

	ts.eng.release("slow")
	m := c.read()
	require.EqualValues(t, id, m["id"], "the running request is answered before the close")
	ce := c.closeError()
	require.Equal(t, websocket.CloseGoingAway, ce.Code)
	require.NoError(t, <-shut)
	require.True(t, ts.eng.session(0).closed.Load(), "sessions are freed, even with a TTL")
	require.Zero(t, ts.eng.session(0).connsUp.Load())
}

func TestShutdownTimeout(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.dial("/app/", nil)
	c.state()
	c.send("Wait", "never")
	require.True(t, waitFor(func() bool { return ts.eng.calls.Load() == 1 }))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := ts.srv.Shutdown(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "1 connection(s) still running")
	require.Less(t, time.Since(start), 3*time.Second)
	_ = c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err = c.ws.ReadMessage()
	require.Error(t, err, "the connection was cut")
	ts.eng.release("never")
}

func BenchmarkRoundTrip(b *testing.B) {
	eng := newFakeEngine()
	srv, err := New(eng, Options{})
	require.NoError(b, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Shutdown(context.Background()) }()

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+"/app/engineData", nil)
	require.NoError(b, err)
	defer ws.Close()
	_, _, err = ws.ReadMessage() // OnConnected
	require.NoError(b, err)
	req := []byte(`{"jsonrpc":"2.0","id":1,"handle":-1,"method":"Echo","params":["ping"]}`)
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ws.WriteMessage(websocket.TextMessage, req); err != nil {
			b.Fatal(err)
		}
		if _, _, err := ws.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}
