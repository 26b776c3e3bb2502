package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/server/license"
)

// scrape serves h and returns the body of GET /metrics.
func scrape(t *testing.T, h http.Handler, accept string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, ContentType, rec.Header().Get("Content-Type"))
	return rec.Body.String()
}

func TestEngineMetricsText(t *testing.T) {
	fig := Figures{ActiveSessions: 3, TotalSessions: 175, ActiveDocs: 1, LoadedDocs: 2, Connections: 4, ActiveUsers: 2,
		Selections: 9, MemCommitted: 1 << 20, MemAllocated: 2 << 20, MemFree: 3 << 20, CPUPercent: 12.5}
	usage := license.Usage{Mode: "licensed", KeyID: "k1", Professional: 1, ProfessionalTotal: 2, Analyzer: 3, AnalyzerTotal: 4,
		CapacityMinutesTotal: 1000, Tokens: 10, TokensAllocated: 2, Connections: 5, Expires: "2030-01-01T00:00:00Z"}
	now := time.Date(2029, 12, 31, 23, 0, 0, 0, time.UTC)
	m := NewEngine(EngineOptions{Version: "1.2.3", Figures: func() Figures { return fig }, License: func() license.Usage { return usage },
		CoreCap: 2, Now: func() time.Time { return now }})
	m.ObserveRequest("GetLayout", 3*time.Millisecond)
	m.ObserveRequest("SelectListObjectValues", time.Millisecond)
	m.ObserveRequest("Clear", time.Millisecond)
	m.ObserveRequest("OpenDoc", time.Millisecond)
	m.ObserveReload(2*time.Second, ReloadOK)
	m.ObserveReload(time.Second, ReloadFailed)
	m.SessionRefused(license.StateNoLicense)
	m.SessionRefused("SOMETHING_ELSE")
	m.AuthFailed("expired")
	m.AuthFailed("made up by a client")
	m.AccessDenied()

	for _, accept := range []string{"", "application/json", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"} {
		body := scrape(t, Handler(m.Registry()), accept)
		// The preStop hook's grep: no labels, one space, an integer.
		require.Equal(t, []string{"qix_active_sessions 3"}, regexp.MustCompile(`qix_active_sessions\ [0-9]+`).FindAllString(body, -1))
		for _, line := range []string{
			"qix_sessions_total 175", "qix_active_documents 1", "qix_loaded_documents 2", "qix_active_connections 4",
			"qix_active_users 2", "qix_selections_total 9", "qix_memory_committed_bytes 1.048576e+06", "qix_cpu_usage_percent 12.5",
			`qix_build_info{goversion="` + goVersion() + `",version="1.2.3"} 1`, "qix_core_cap 2",
			"qix_requests_total 4", "qix_active_requests 0", "qix_request_duration_seconds_count 4",
			"qix_selection_duration_seconds_count 2", "qix_layout_duration_seconds_count 1",
			`qix_reloads_duration_seconds_count{status="ok"} 1`, `qix_reloads_duration_seconds_count{status="fail"} 1`,
			`qix_sessions_refused_total{state="SESSION_ERROR_NO_LICENSE"} 1`, `qix_sessions_refused_total{state="other"} 1`,
			`qix_sessions_refused_total{state="SESSION_ERROR_LIMIT_EXCEEDED"} 0`,
			`qix_auth_failures_total{reason="expired"} 1`, `qix_auth_failures_total{reason="other"} 1`, "qix_access_denied_total 1",
			"license_time_total 1000", `license_allocations{access="professional"} 1`, `license_allocations_total{access="analyzer"} 4`,
			"license_tokens_allocated 2", "license_tokens_total 10", "license_connections 5", `license_mode{key_id="k1",mode="licensed"} 1`,
			"qix_expiry_seconds 3600",
		} {
			require.Contains(t, body, "\n"+line+"\n", "want %q", line)
		}
		// Shown once non-zero, as the Qlik Core license service did.
		require.NotContains(t, body, "license_time_consumption")
	}
	usage.CapacityMinutesUsed = 42
	require.Contains(t, scrape(t, Handler(m.Registry()), ""), "\nlicense_time_consumption 42\n")
}

func goVersion() string { return runtime.Version() }

func TestEngineWithoutLicenseOrFigures(t *testing.T) {
	body := scrape(t, Handler(NewEngine(EngineOptions{}).Registry()), "")
	require.Contains(t, body, "\nqix_active_sessions 0\n")
	require.NotContains(t, body, "license_")
	require.NotContains(t, body, "qix_expiry_seconds")
	require.NotContains(t, body, "qix_core_cap")
}

func TestHandlerMethodsAndMux(t *testing.T) {
	mux := Mux(Handler(NewEngine(EngineOptions{}).Registry()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{http.MethodGet, "/metrics", http.StatusOK, "qix_active_sessions 0"},
		{http.MethodHead, "/metrics", http.StatusOK, ""},
		{http.MethodPost, "/metrics", http.StatusMethodNotAllowed, "method POST not allowed"},
		{http.MethodGet, "/health", http.StatusOK, `{"status":"ok"}`},
		{http.MethodGet, "/nope", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			require.Equal(t, tc.status, resp.StatusCode)
			require.Contains(t, string(b), tc.body)
		})
	}
}

func TestClassify(t *testing.T) {
	tests := map[string]Class{
		"GetLayout": ClassLayout, "GetHyperCubeData": ClassLayout, "GetListObjectData": ClassLayout,
		"SelectListObjectValues": ClassSelection, "Select": ClassSelection, "ClearAll": ClassSelection, "Back": ClassSelection,
		"LockAll": ClassSelection, "ToggleSelect": ClassSelection,
		"OpenDoc": ClassOther, "GetProperties": ClassOther, "": ClassOther, "SetScript": ClassOther,
	}
	for method, want := range tests {
		require.Equal(t, want, Classify(method), method)
	}
}

func TestRequestMethod(t *testing.T) {
	tests := []struct {
		frame, want string
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"OpenDoc","handle":-1,"params":["a"]}`, "OpenDoc"},
		{`{"params":{"qProp":{"method":"not this","x":[1,{"method":"nor this"}]}},"method":"SetProperties"}`, "SetProperties"},
		{` { "id" : "a\"b" , "method" : "GetLayout" } `, "GetLayout"},
		{`{"method":"Get\/Layout"}`, "Get/Layout"},
		{`{"delta":true,"handle":1,"method":"GetLayout","params":[],"id":2,"jsonrpc":"2.0"}`, "GetLayout"},
		{`{"method":42}`, ""},
		{`{"id":1}`, ""},
		{`[{"method":"x"}]`, ""},
		{`{"a":[1,2,}`, ""},
		{`{"a":"unterminated`, ""},
		{``, ""},
		{`{"a":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `,"method":"Deep"}`, ""},
		{`{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `,"method":"Nested"}`, "Nested"},
		{`{"a":true,"b":null,"c":-1.5e3,"method":"AfterLiterals"}`, "AfterLiterals"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, RequestMethod([]byte(tc.frame)), tc.frame)
	}
}

func FuzzRequestMethod(f *testing.F) {
	for _, s := range []string{`{"method":"OpenDoc"}`, `{"params":[{"a":"}"}],"method":"X"}`, `{`, `{"a":[`, `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		m := RequestMethod(frame)
		if m != "" && !strings.Contains(string(frame), "method") {
			t.Fatalf("method %q from a frame without one", m)
		}
	})
}

func TestRouterMetrics(t *testing.T) {
	m := NewRouter(RouterOptions{Version: "1.0", Strategy: "leastload"})
	m.Placement(PlacementPlaced)
	m.Placement(PlacementUnknownApp)
	m.Placement("invented")
	m.PlacedOn("10.0.0.1:9076")
	m.PlacedOn("10.0.0.2:9076")
	m.EngineGone("10.0.0.2:9076")
	m.SetEngines(map[string]int{"OK": 2, "UNHEALTHY": 1}, 7, 93)
	m.HealthCheck("OK")
	m.HealthCheck("nonsense")
	m.ProxyStarted()
	m.ProxyStarted()
	m.ProxyEnded()
	body := scrape(t, Handler(m.Registry()), "")
	for _, line := range []string{
		`router_placements_total{result="placed",strategy="leastload"} 1`,
		`router_placements_total{result="unknown_app",strategy="leastload"} 1`,
		`router_placements_total{result="bad_request",strategy="leastload"} 1`,
		`router_engine_placements_total{engine="10.0.0.1:9076"} 1`,
		`router_engines{status="OK"} 2`, `router_engines{status="UNHEALTHY"} 1`, `router_engines{status="DRAINING"} 0`,
		"active_sessions_nodes_total 7", "remaining_sessions_nodes_total 93",
		`router_health_checks_total{status="OK"} 1`,
		"router_proxied_connections 1", "router_proxied_connections_total 2", `assoc_router_build_info{version="1.0"} 1`,
	} {
		require.Contains(t, body, "\n"+line+"\n", "want %q", line)
	}
	require.NotContains(t, body, "10.0.0.2")
	require.NotContains(t, body, "invented")
	require.NotContains(t, body, "nonsense")
}

func BenchmarkObserveRequest(b *testing.B) {
	m := NewEngine(EngineOptions{})
	frame := []byte(`{"delta":true,"handle":3,"method":"GetLayout","params":[],"id":12,"jsonrpc":"2.0"}`)
	b.ReportAllocs()
	for b.Loop() {
		m.RequestStarted()
		m.ObserveRequest(RequestMethod(frame), time.Millisecond)
		m.RequestDone()
	}
}
