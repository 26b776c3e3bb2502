package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/assocengine/assoc/qix"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testEnv(vars map[string]string) (*env, *syncBuffer, *syncBuffer) {
	out, errOut := &syncBuffer{}, &syncBuffer{}
	return &env{stdout: out, stderr: errOut, getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}, out, errOut
}

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		status int
		stdout string
		stderr string
	}{
		{name: "no command", args: nil, status: 2, stderr: "Usage:"},
		{name: "help", args: []string{"help"}, status: 0, stdout: "serve "},
		{name: "help lists version", args: []string{"--help"}, status: 0, stdout: "version "},
		{name: "help of a command", args: []string{"help", "serve"}, status: 0, stderr: "-max-session-ttl"},
		{name: "unknown command", args: []string{"frobnicate"}, status: 2, stderr: `unknown command "frobnicate"`},
		{name: "version", args: []string{"version"}, status: 0, stdout: "assoc " + version},
		{name: "version with an argument", args: []string{"version", "x"}, status: 2, stderr: `unexpected argument "x"`},
		{name: "serve with an unknown flag", args: []string{"serve", "--nope"}, status: 2, stderr: "flag provided but not defined"},
		{name: "serve with a bad size", args: []string{"serve", "--max-message-bytes", "10"}, status: 2, stderr: "--max-message-bytes 10 is out of range"},
		{name: "serve with a bad env", args: []string{"serve"}, env: map[string]string{"ASSOC_SESSION_TTL": "later"}, status: 2,
			stderr: `cannot apply ASSOC_SESSION_TTL="later"`},
		{name: "serve with a missing allow dir", args: []string{"serve", "--allow-dir", "/does/not/exist"}, status: 2, stderr: "--allow-dir"},
		{name: "serve on a bad address", args: []string{"serve", "--addr", "127.0.0.1:99999"}, status: 1, stderr: "cannot listen on 127.0.0.1:99999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out, errOut := testEnv(tt.env)
			require.Equal(t, tt.status, run(tt.args, e), "stderr: %s", errOut)
			if tt.stdout != "" {
				require.Contains(t, out.String(), tt.stdout)
			}
			if tt.stderr != "" {
				require.Contains(t, errOut.String(), tt.stderr)
			}
		})
	}
}

func TestWithConnections(t *testing.T) {
	var got qix.ReloadRequest
	next := func(_ context.Context, req qix.ReloadRequest) (*qix.ReloadResult, error) {
		got = req
		return &qix.ReloadResult{}, nil
	}
	r := withConnections(next, map[string]map[string]string{"demo": {"demo": "/tmp/demo", "extra": "/tmp/extra"}})

	_, err := r(context.Background(), qix.ReloadRequest{AppID: "demo", Connections: map[string]string{"extra": "/mine"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"demo": "/tmp/demo", "extra": "/mine"}, got.Connections, "the app's own connection wins")

	_, err = r(context.Background(), qix.ReloadRequest{AppID: "other", Connections: map[string]string{}})
	require.NoError(t, err)
	require.Empty(t, got.Connections, "other apps get no built-in connections")

	require.Nil(t, withConnections(nil, map[string]map[string]string{"demo": {"demo": "/x"}}),
		"no reloader stays no reloader, so qix reports it clearly")
}

var addrRE = regexp.MustCompile(`msg="assoc serve".* addr=(\S+)`)

// TestServe runs assoc serve --demo end to end: it listens, loads the demo
// (without a reloader the app is created without data), answers /health
// and QIX, and shuts down when its context ends.
func TestServe(t *testing.T) {
	e, _, errOut := testEnv(map[string]string{"ASSOC_ADDR": "127.0.0.1:0", "ASSOC_METRICS_ADDR": "127.0.0.1:0", "ASSOC_LOG_LEVEL": "debug"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, e, []string{"--demo", "--shutdown-timeout", "5s"}) }()

	var addr string
	require.Eventually(t, func() bool {
		m := addrRE.FindStringSubmatch(errOut.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond, "the listen address is logged: %s", errOut)
	require.Eventually(t, func() bool {
		code, _, err := fasthttp.GetTimeout(nil, "http://"+addr+"/health", time.Second)
		return err == nil && code == 200
	}, 10*time.Second, 20*time.Millisecond, "/health turns 200 once the demo is loaded")
	require.Contains(t, errOut.String(), `app=demo`)

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/app/engineData", nil)
	require.NoError(t, err)
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, msg, err := ws.ReadMessage()
	require.NoError(t, err)
	require.JSONEq(t, `{"jsonrpc":"2.0","method":"OnConnected","params":{"qSessionState":"SESSION_CREATED"}}`, string(msg))

	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"jsonrpc":"2.0","id":1,"handle":-1,"method":"OpenDoc","params":["demo"]}`)))
	var resp struct {
		ID     int `json:"id"`
		Result struct {
			QReturn struct {
				QType   string `json:"qType"`
				QHandle int    `json:"qHandle"`
			} `json:"qReturn"`
		} `json:"result"`
		Error json.RawMessage `json:"error"`
	}
	for resp.ID != 1 {
		_, msg, err = ws.ReadMessage()
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(msg, &resp))
	}
	require.Empty(t, resp.Error, "the demo app exists: %s", msg)
	require.Equal(t, "Doc", resp.Result.QReturn.QType)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	require.ErrorAs(t, err, &ce, "the client is told the server goes away")
	require.Equal(t, websocket.CloseGoingAway, ce.Code)
	require.Contains(t, errOut.String(), "msg=stopped")
}
