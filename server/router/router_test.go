package router

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/server/metrics"
)

func TestParseMetrics(t *testing.T) {
	page, err := os.ReadFile("testdata/engine-metrics.txt")
	require.NoError(t, err)
	fams, err := ParseMetrics(string(page))
	require.NoError(t, err)
	byName := map[string]MetricFamily{}
	for _, f := range fams {
		byName[f.Name] = f
	}
	require.Len(t, byName, 6)
	v, ok := Value(fams, "qix_active_sessions")
	require.True(t, ok)
	require.Equal(t, "99.00000", v)
	require.Equal(t, "GAUGE", byName["qix_active_sessions"].Type)
	require.Equal(t, "Current number of active session.", byName["qix_active_sessions"].Help)
	h := byName["qix_request_duration_seconds"]
	require.Equal(t, "HISTOGRAM", h.Type)
	require.Equal(t, []Sample{{Labels: map[string]string{"method": "GetLayout"}, Buckets: map[string]string{"0.1": "3", "+Inf": "4"},
		Count: "4", Sum: "0.75"}}, h.Metrics)
	s := byName["rpc_latency"]
	require.Equal(t, []Sample{{Quantiles: map[string]string{"0.5": "0.01", "0.99": "0.2"}, Count: "100", Sum: "12.5"}}, s.Metrics)
	l := byName["qix_log_message_total"]
	require.Equal(t, "Log lines with \"quotes\" \\ and a \n newline", l.Help)
	require.Equal(t, []Sample{{Labels: map[string]string{"level": "warning", "text": `a "quoted" \ value`}, Value: "7"}}, l.Metrics)
	require.Equal(t, "UNTYPED", byName["untyped_thing"].Type)
}

func TestParseMetricsErrors(t *testing.T) {
	tests := []struct{ page, err string }{
		{"9bad 1", `line 1: want a metric name at "9bad 1"`},
		{"m{a=1} 2", `line 1: m: label a: want ="value"`},
		{`m{a="x} 2`, "line 1: m: label a: the value has no closing quote"},
		{"m abc", `line 1: m: "abc" is not a number`},
		{"m 1 2 3", "line 1: m: want a value and an optional timestamp"},
		{"# TYPE m bogus", `line 1: unknown metric type "bogus" for m`},
		{"# TYPE h histogram\nh_bucket 1", "line 2: h_bucket: a bucket needs an le label"},
		{"ok 1\n" + strings.Repeat("bad\n", 20), "too many errors"},
	}
	for _, tc := range tests {
		_, err := ParseMetrics(tc.page)
		require.ErrorContains(t, err, tc.err, tc.page)
	}
}

func FuzzParseMetrics(f *testing.F) {
	page, _ := os.ReadFile("testdata/engine-metrics.txt")
	f.Add(string(page))
	f.Add("m{a=\"\\\"\"} 1\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\n")
	f.Fuzz(func(t *testing.T, page string) {
		fams, _ := ParseMetrics(page)
		if _, err := json.Marshal(fams); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPlacementServiceData reads Mira's answer as the placement service
// saw it: our MetricFamily has its shape.
func TestPlacementServiceData(t *testing.T) {
	data, err := os.ReadFile("testdata/placement-engines.json")
	require.NoError(t, err)
	var engines []struct {
		Engine struct {
			IP      string         `json:"ip"`
			Status  string         `json:"status"`
			Metrics []MetricFamily `json:"metrics"`
			Health  healthDoc      `json:"health"`
		} `json:"engine"`
	}
	require.NoError(t, json.Unmarshal(data, &engines))
	require.Len(t, engines, 2)
	v, ok := Value(engines[0].Engine.Metrics, "qix_active_sessions")
	require.True(t, ok)
	require.Equal(t, "99.00000", v)
	v, _ = Value(engines[1].Engine.Metrics, "qix_active_sessions")
	require.Equal(t, "120.00000", v)
	require.InDelta(t, 1966.3046875, engines[0].Engine.Health.Mem.Free, 1e-9)
}

func TestParseStatic(t *testing.T) {
	s, err := ParseStatic([]string{"10.0.0.1:9076", " engine-b:9100/9200 ", "[::1]:9076/9091", ""})
	require.NoError(t, err)
	require.Equal(t, Static{
		{Name: "10.0.0.1:9076", Host: "10.0.0.1", Port: 9076, MetricsPort: 9090},
		{Name: "engine-b:9100", Host: "engine-b", Port: 9100, MetricsPort: 9200},
		{Name: "[::1]:9076", Host: "::1", Port: 9076, MetricsPort: 9091},
	}, s)
	require.Equal(t, "[::1]:9091", s[2].MetricsAddr())
	for _, bad := range [][]string{{"nohost"}, {":9076"}, {"h:0"}, {"h:70000"}, {"h:9076/x"}, {}, {"h:port"}} {
		_, err := ParseStatic(bad)
		require.Error(t, err, "%q", bad)
	}
}

func TestDNSDiscovery(t *testing.T) {
	d := DNS{Name: "engines.default.svc", LookupHost: func(_ context.Context, host string) ([]string, error) {
		require.Equal(t, "engines.default.svc", host)
		return []string{"10.0.0.2", "10.0.0.1", "10.0.0.2"}, nil
	}}
	got, err := d.Discover(context.Background())
	require.NoError(t, err)
	require.Equal(t, []Target{
		{Name: "10.0.0.1:9076", Host: "10.0.0.1", Port: 9076, MetricsPort: 9090},
		{Name: "10.0.0.2:9076", Host: "10.0.0.2", Port: 9076, MetricsPort: 9090},
	}, got)
	d.LookupHost = func(context.Context, string) ([]string, error) { return nil, errors.New("no such host") }
	_, err = d.Discover(context.Background())
	require.ErrorContains(t, err, "cannot resolve the engines' name engines.default.svc: no such host")
}

// kubeAPI serves a pod list the way the API server does, checking the
// token and the label selector.
func kubeAPI(t *testing.T, status int, body []byte) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer sa-token" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"kind":"Status","message":"Unauthorized"}`))
			return
		}
		require.Equal(t, "/api/v1/namespaces/default/pods", r.URL.Path)
		require.Equal(t, "qix-engine", r.URL.Query().Get("labelSelector"))
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	tok := dir + "/token"
	require.NoError(t, os.WriteFile(tok, []byte("sa-token\n"), 0o600))
	return srv, tok
}

func TestKubernetesDiscovery(t *testing.T) {
	data, err := os.ReadFile("testdata/kubernetes-pods.json")
	require.NoError(t, err)
	var fixture struct {
		EndpointsResponse json.RawMessage `json:"endpointsResponse"`
		MiraOutput        []struct {
			Engine struct {
				IP          string `json:"ip"`
				Port        int    `json:"port"`
				MetricsPort int    `json:"metricsPort"`
			} `json:"engine"`
		} `json:"miraOutput"`
	}
	require.NoError(t, json.Unmarshal(data, &fixture))
	srv, tok := kubeAPI(t, http.StatusOK, fixture.EndpointsResponse)
	k := &Kubernetes{APIServer: srv.URL, TokenFile: tok, Namespace: "default", Client: srv.Client()}
	got, err := k.Discover(context.Background())
	require.NoError(t, err)
	require.Len(t, got, len(fixture.MiraOutput))
	for i, want := range fixture.MiraOutput {
		require.Equal(t, want.Engine.IP, got[i].Host)
		require.Equal(t, want.Engine.Port, got[i].Port)
		require.Equal(t, want.Engine.MetricsPort, got[i].MetricsPort)
		require.False(t, got[i].Terminating)
		require.NotEmpty(t, got[i].Pod)
	}
	require.Equal(t, "default/engine-deployment-4163433257-0kl33", got[0].Name)

	// A pod being deleted is kept but marked; odd ports fall back to the
	// defaults.
	pods := `{"kind":"PodList","items":[{"metadata":{"name":"a","deletionTimestamp":"2020-01-01T00:00:00Z",
		"labels":{"qix-engine":"","qix-engine-api-port":"x","qix-engine-metrics-port":"99999"}},"status":{"phase":"Running","podIP":"10.1.1.1"}},
		{"metadata":{"name":"b"},"status":{"phase":"Pending","podIP":"10.1.1.2"}},
		{"metadata":{"name":"c"},"status":{"phase":"Running"}}, "not a pod"]}`
	targets, err := ParsePods([]byte(pods), "", "")
	require.NoError(t, err)
	require.Len(t, targets, 1)
	require.True(t, targets[0].Terminating)
	require.Equal(t, 9076, targets[0].Port)
	require.Equal(t, 9090, targets[0].MetricsPort)

	_, err = ParsePods([]byte(`{"kind":"Status","items":[]}`), "", "")
	require.ErrorContains(t, err, "the API server sent a Status")
	_, err = ParsePods([]byte(`{`), "", "")
	require.ErrorContains(t, err, "cannot read the pod list")
}

func TestKubernetesDiscoveryErrors(t *testing.T) {
	srv, tok := kubeAPI(t, http.StatusForbidden, []byte(`{"kind":"Status","message":"pods is forbidden: User cannot list resource"}`))
	k := &Kubernetes{APIServer: srv.URL, TokenFile: tok, Namespace: "default", Client: srv.Client()}
	_, err := k.Discover(context.Background())
	require.ErrorContains(t, err, "403 Forbidden: pods is forbidden: User cannot list")
	require.ErrorContains(t, err, "needs RBAC to list pods")

	bad := &Kubernetes{APIServer: srv.URL, TokenFile: t.TempDir() + "/missing", Client: srv.Client()}
	_, err = bad.Discover(context.Background())
	require.ErrorContains(t, err, "cannot read the service account token")

	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	_, err = (&Kubernetes{}).Discover(context.Background())
	require.ErrorContains(t, err, "KUBERNETES_SERVICE_HOST")

	// Without the cluster's CA the API server's certificate is refused.
	_, err = (&Kubernetes{APIServer: srv.URL, TokenFile: tok, Namespace: "default", CAFile: "testdata/README.md"}).Discover(context.Background())
	require.ErrorContains(t, err, "no PEM certificate")
}

func snap(name string, active int, free, cpu float64) snapshot {
	return snapshot{Target: Target{Name: name}, status: StatusOK, active: active, memFree: free, cpu: cpu}
}

func TestStrategies(t *testing.T) {
	all := []snapshot{snap("c", 5, 100, 1), snap("a", 2, 100, 1), snap("b", 2, 500, 9), snap("d", 0, 1, 1)}
	all[3].status = StatusNoMetrics
	draining := snap("e", 0, 9999, 0)
	draining.draining = true
	terminating := snap("f", 0, 9999, 0)
	terminating.Terminating = true
	all = append(all, draining, terminating)

	cands := candidates(all, 0, nil)
	require.Equal(t, []string{"a", "b", "c"}, names(cands))
	require.Equal(t, []string{"a", "b"}, names(candidates(all, 5, nil)))
	require.Equal(t, []string{"b", "c"}, names(candidates(all, 0, map[string]bool{"a": true})))

	// Least load: fewest sessions, then most free memory.
	require.Equal(t, "b", LeastLoad.pick(cands, 0, 0, nil).Name)
	// Round robin: in turn.
	var rr []string
	for i := range uint64(4) {
		rr = append(rr, RoundRobin.pick(cands, 0, i, nil).Name)
	}
	require.Equal(t, []string{"a", "b", "c", "a"}, rr)
	// Weighted by threshold - active: a 8, b 8, c 5 of 21.
	for r, want := range map[int]string{0: "a", 7: "a", 8: "b", 15: "b", 16: "c", 20: "c"} {
		got := Weighted.pick(cands, 10, 0, func(n int) int { require.Equal(t, 21, n); return r })
		require.Equal(t, want, got.Name, "draw %d", r)
	}
	for _, name := range []string{"leastload", "RoundRobin", "round-robin", "weighted"} {
		_, err := ParseStrategy(name)
		require.NoError(t, err, name)
	}
	_, err := ParseStrategy("random")
	require.ErrorContains(t, err, `unknown placement strategy "random"`)
}

func names(s []snapshot) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.Name)
	}
	return out
}

func TestStickyTable(t *testing.T) {
	now := time.Unix(1000, 0)
	st := newStickyTable(time.Minute, 2)
	require.True(t, st.put("k1", "e1", "s1", now))
	st.open("k1")
	e, ok := st.get("k1", now.Add(time.Hour))
	require.True(t, ok, "an entry with an open connection never expires")
	require.Equal(t, "e1", e.engine)
	st.closed("k1", now.Add(time.Hour))
	_, ok = st.get("k1", now.Add(time.Hour+59*time.Second))
	require.True(t, ok)
	_, ok = st.get("k1", now.Add(time.Hour+61*time.Second))
	require.False(t, ok, "the TTL runs from the last close")

	// Full of open sessions: no room; an idle one makes room.
	require.True(t, st.put("a", "e1", "s", now))
	require.True(t, st.put("b", "e1", "s", now))
	st.open("a")
	st.open("b")
	require.False(t, st.put("c", "e1", "s", now))
	st.closed("b", now)
	require.True(t, st.put("c", "e1", "s", now))
	require.Equal(t, 2, st.len())
}

// testRouter is a router over fake engines, polled once, behind an HTTP
// server.
func testRouter(t *testing.T, opts Options, engines ...*fakeEngine) (*Router, *httptest.Server) {
	t.Helper()
	var targets Static
	for _, e := range engines {
		targets = append(targets, e.target())
	}
	if opts.Discovery == nil {
		opts.Discovery = targets
	}
	opts.PollInterval = time.Hour // tests poll by hand
	if opts.Metrics == nil {
		opts.Metrics = metrics.NewRouter(metrics.RouterOptions{Strategy: opts.Strategy.String()})
	}
	r, err := New(opts)
	require.NoError(t, err)
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	return r, srv
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestEnginesEndpoint(t *testing.T) {
	a, b := newFakeEngine(t, "a", "doc"), newFakeEngine(t, "b", "doc")
	b.set(func(f *fakeEngine) { f.metricsCode = http.StatusInternalServerError })
	r, srv := testRouter(t, Options{}, a, b)
	code, body := httpGet(t, srv.URL+"/v1/engines")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Contains(t, body, "not been polled yet")

	a.set(func(f *fakeEngine) { f.active = 4 })
	r.Poll(context.Background())
	code, body = httpGet(t, srv.URL+"/v1/engines")
	require.Equal(t, http.StatusOK, code)
	var list []struct {
		Engine struct {
			IP          string          `json:"ip"`
			Port        int             `json:"port"`
			MetricsPort int             `json:"metricsPort"`
			Status      string          `json:"status"`
			Health      json.RawMessage `json:"health"`
			Metrics     []MetricFamily  `json:"metrics"`
			Error       string          `json:"error"`
		} `json:"engine"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	require.Len(t, list, 2)
	require.Equal(t, "OK", list[0].Engine.Status)
	require.Equal(t, a.target().Port, list[0].Engine.Port)
	v, _ := Value(list[0].Engine.Metrics, "qix_active_sessions")
	require.Equal(t, "4", v)
	require.Contains(t, string(list[0].Engine.Health), `"version":"fake"`)
	require.Equal(t, "NO_METRICS", list[1].Engine.Status)
	require.Contains(t, list[1].Engine.Error, "HTTP 500")

	code, body = httpGet(t, srv.URL+"/v1/engines?format=condensed")
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, body, "health")
	require.Contains(t, body, `"status":"NO_METRICS"`)
	code, _ = httpGet(t, srv.URL+"/v1/engines?format=xml")
	require.Equal(t, http.StatusBadRequest, code)
	resp, err := http.Post(srv.URL+"/v1/engines", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	code, body = httpGet(t, srv.URL+"/health")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"status":"ok","engines":2,"healthy":1}`, body)
}

func TestProxyPlacesAndSticks(t *testing.T) {
	a, b := newFakeEngine(t, "a", "doc"), newFakeEngine(t, "b", "doc")
	r, srv := testRouter(t, Options{}, a, b)
	r.Poll(context.Background())

	h := http.Header{"Authorization": {"Bearer alice"}}
	ws1, state := dialRouter(t, srv.URL, "/app/doc", h)
	require.Equal(t, "SESSION_CREATED", state)
	who1 := whoAmI(t, ws1)
	require.Equal(t, "Bearer alice", who1["auth"], "the caller's Authorization reaches the engine")
	require.Equal(t, "/app/doc", who1["path"])
	require.Len(t, who1["session"], 36, "a session id was made up: %q", who1["session"])

	// The prewarm connection carried the same session and credentials,
	// and it is closed once the client is attached.
	first := a
	if who1["engine"] == "b" {
		first = b
	}
	hs := first.headers()
	require.Len(t, hs, 2)
	require.Equal(t, who1["session"], hs[0].Get("X-Qlik-Session"))
	require.Equal(t, "Bearer alice", hs[0].Get("Authorization"))
	require.Eventually(t, func() bool { return first.openConns() == 1 }, 5*time.Second, 10*time.Millisecond)

	// Least load: the next session goes to the other engine.
	ws2, _ := dialRouter(t, srv.URL, "/app/doc", http.Header{"Authorization": {"Bearer bob"}})
	who2 := whoAmI(t, ws2)
	require.NotEqual(t, who1["engine"], who2["engine"])

	// Same credentials, app and identity without a header: the same
	// session on the same engine (as the engine shares it).
	ws3, _ := dialRouter(t, srv.URL, "/app/doc", h)
	who3 := whoAmI(t, ws3)
	require.Equal(t, who1["engine"], who3["engine"])
	require.Equal(t, who1["session"], who3["session"])

	// An explicit X-Qlik-Session sticks to its engine across reconnects.
	hh := http.Header{"Authorization": {"Bearer carol"}, "X-Qlik-Session": {"my-session"}}
	ws4, _ := dialRouter(t, srv.URL, "/app/doc/ttl/30", hh)
	who4 := whoAmI(t, ws4)
	require.Equal(t, "my-session", who4["session"])
	require.NoError(t, ws4.Close())
	for range 3 {
		ws, _ := dialRouter(t, srv.URL, "/app/engineData", hh)
		require.Equal(t, who4["engine"], whoAmI(t, ws)["engine"])
		require.NoError(t, ws.Close())
	}
}

func TestProxyRefusals(t *testing.T) {
	a := newFakeEngine(t, "a", "doc")
	a.set(func(f *fakeEngine) { f.denied["secret"] = true })
	r, srv := testRouter(t, Options{}, a)
	r.Poll(context.Background())
	ws := func(path string, h http.Header) (int, string) {
		t.Helper()
		c, resp, err := websocket.DefaultDialer.Dial("ws"+srv.URL[4:]+path, h)
		if err == nil {
			c.Close()
			return http.StatusSwitchingProtocols, ""
		}
		require.NotNil(t, resp, "%v", err)
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name, path string
		h          http.Header
		status     int
		msg        string
	}{
		{"unknown app", "/app/nope", nil, http.StatusNotFound, `app \"nope\" does not exist`},
		{"denied app", "/app/secret", nil, http.StatusForbidden, `access to app \"secret\" is denied`},
		{"bad token", "/app/doc", http.Header{"Authorization": {"Bearer bad"}}, http.StatusUnauthorized, "token has expired"},
		{"bad ttl", "/app/doc/ttl/soon", nil, http.StatusBadRequest, "is not a number of seconds"},
		{"not QIX", "/elsewhere", nil, http.StatusNotFound, "not a QIX path"},
		{"long session header", "/app/doc", http.Header{"X-Qlik-Session": {strings.Repeat("x", 200)}}, http.StatusBadRequest, "X-Qlik-Session must be"},
		{"control characters", "/app/doc", http.Header{"X-Qlik-Session": {"a b"}}, http.StatusBadRequest, "printable"},
		{"session app", "/app/SessionApp_1", nil, http.StatusSwitchingProtocols, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := ws(tc.path, tc.h)
			require.Equal(t, tc.status, status, body)
			require.Contains(t, body, tc.msg)
		})
	}
	code, body := httpGet(t, srv.URL+"/app/doc")
	require.Equal(t, http.StatusUpgradeRequired, code)
	require.Contains(t, body, "WebSocket")
	require.Equal(t, 0, r.sticky.len()-1, "only the session app's session is remembered")
}

func TestSessionStateIsTheEngines(t *testing.T) {
	a := newFakeEngine(t, "a", "doc")
	a.set(func(f *fakeEngine) { f.state = "SESSION_ERROR_NO_LICENSE" })
	r, srv := testRouter(t, Options{}, a)
	r.Poll(context.Background())
	_, state := dialRouter(t, srv.URL, "/app/doc", nil)
	require.Equal(t, "SESSION_ERROR_NO_LICENSE", state, "the engine tells the client itself")
}

func TestUnhealthyDrainingAndDeadEngines(t *testing.T) {
	a, b := newFakeEngine(t, "a", "doc"), newFakeEngine(t, "b", "doc")
	r, srv := testRouter(t, Options{}, a, b)
	a.set(func(f *fakeEngine) { f.healthStatus = http.StatusServiceUnavailable }) // draining
	r.Poll(context.Background())
	for range 3 {
		ws, _ := dialRouter(t, srv.URL, "/app/doc", http.Header{"X-Qlik-Session": {newSessionID()}})
		require.Equal(t, "b", whoAmI(t, ws)["engine"])
	}

	// b dies between two polls: the placement finds out, marks it down
	// and tries the next engine; with none left the answer says why.
	a.set(func(f *fakeEngine) { f.healthStatus = http.StatusOK })
	r.Poll(context.Background())
	b.srv.CloseClientConnections()
	b.srv.Close()
	for range 3 {
		ws, _ := dialRouter(t, srv.URL, "/app/doc", http.Header{"X-Qlik-Session": {newSessionID()}})
		require.Equal(t, "a", whoAmI(t, ws)["engine"])
	}
	a.set(func(f *fakeEngine) { f.healthStatus = http.StatusInternalServerError })
	r.Poll(context.Background())
	_, resp, err := websocket.DefaultDialer.Dial("ws"+srv.URL[4:]+"/app/doc", nil)
	require.Error(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, string(body), "none of the 2 engines is healthy")
}

func TestThreshold(t *testing.T) {
	a, b := newFakeEngine(t, "a", "doc"), newFakeEngine(t, "b", "doc")
	a.set(func(f *fakeEngine) { f.active = 10 })
	b.set(func(f *fakeEngine) { f.active = 9 })
	r, srv := testRouter(t, Options{Strategy: Weighted, Threshold: 10}, a, b)
	r.Poll(context.Background())
	ws, _ := dialRouter(t, srv.URL, "/app/doc", nil)
	require.Equal(t, "b", whoAmI(t, ws)["engine"])
	// b now counts 10 (9 + the one placed since the poll).
	_, resp, err := websocket.DefaultDialer.Dial("ws"+srv.URL[4:]+"/app/doc", http.Header{"X-Qlik-Session": {"other"}})
	require.Error(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(body), "all 2 healthy engines have reached 10 sessions")

	_, err = New(Options{Discovery: Static{}, Strategy: Weighted})
	require.ErrorContains(t, err, "weighted strategy needs")
	_, err = New(Options{})
	require.ErrorContains(t, err, "no engine discovery")
}

func TestPlacementAPI(t *testing.T) {
	a := newFakeEngine(t, "a", "doc")
	r, srv := testRouter(t, Options{}, a)
	r.Poll(context.Background())
	code, body := httpGet(t, srv.URL+"/v1/session/doc/doc")
	require.Equal(t, http.StatusOK, code, body)
	var out struct {
		IP        string `json:"ip"`
		Port      int    `json:"port"`
		SessionID string `json:"sessionId"`
		DocID     string `json:"docId"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	require.Equal(t, a.target().Host, out.IP)
	require.Equal(t, a.target().Port, out.Port)
	require.Equal(t, "doc", out.DocID)
	require.Equal(t, out.SessionID, a.headers()[0].Get("X-Qlik-Session"))

	code, body = httpGet(t, srv.URL+"/v1/session/session-doc")
	require.Equal(t, http.StatusOK, code, body)
	require.NotContains(t, body, "docId")
	code, body = httpGet(t, srv.URL+"/v1/session/doc/nope")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, `app \"nope\" does not exist`)
	code, _ = httpGet(t, srv.URL+"/v1/session/other")
	require.Equal(t, http.StatusNotFound, code)
	code, _ = httpGet(t, srv.URL+"/v1/session/doc/a%00b")
	require.Equal(t, http.StatusBadRequest, code)
}

func TestConcurrentPlacements(t *testing.T) {
	a, b := newFakeEngine(t, "a", "doc"), newFakeEngine(t, "b", "doc")
	r, srv := testRouter(t, Options{Strategy: RoundRobin}, a, b)
	r.Poll(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[string]int{}
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, resp, err := websocket.DefaultDialer.Dial("ws"+srv.URL[4:]+"/app/doc", http.Header{"X-Qlik-Session": {newSessionID()}})
			if err != nil {
				t.Errorf("dial: %v %v", err, resp)
				return
			}
			defer ws.Close()
			var f rpcFrame
			if err := ws.ReadJSON(&f); err != nil {
				t.Error(err)
				return
			}
			_ = ws.WriteJSON(map[string]any{"id": 7, "method": "WhoAmI"})
			var resp2 struct {
				Result map[string]string `json:"result"`
			}
			if err := ws.ReadJSON(&resp2); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			count[resp2.Result["engine"]]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, map[string]int{"a": 5, "b": 5}, count)
}
