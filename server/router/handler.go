package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	"github.com/assocengine/assoc/server"
	"github.com/assocengine/assoc/server/metrics"
)

// maxSessionHeader bounds the X-Qlik-Session header.
const maxSessionHeader = 128

// placementAttempts is how many engines a placement tries when engines
// are unreachable.
const placementAttempts = 3

// Handler returns the router's HTTP handler:
//
//	GET /health                         200 {"status":"ok","engines":n,"healthy":m}
//	GET /v1/engines[?format=condensed]  the engines, as Mira lists them
//	GET /v1/session/doc/<docId>         place a session and open the app (qix-session's API)
//	GET /v1/session/session-doc         place a session with a session app
//	WebSocket /app/<appId>[...]         place the session and proxy the connection
func (r *Router) Handler() http.Handler {
	return http.HandlerFunc(r.serveHTTP)
}

func (r *Router) serveHTTP(w http.ResponseWriter, req *http.Request) {
	path := req.URL.Path
	switch {
	case path == "/health":
		if getOnly(w, req) {
			r.serveHealth(w)
		}
	case path == "/v1/engines":
		if getOnly(w, req) {
			r.serveEngines(w, req)
		}
	case strings.HasPrefix(path, "/v1/session/"):
		if getOnly(w, req) {
			r.servePlacement(w, req)
		}
	default:
		r.serveQIX(w, req)
	}
}

func getOnly(w http.ResponseWriter, req *http.Request) bool {
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: use GET", req.Method))
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot encode the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// serveHealth answers /health: the router is up; it says how many
// engines it knows and how many may take sessions.
func (r *Router) serveHealth(w http.ResponseWriter) {
	all := r.snapshots()
	healthy := 0
	for _, s := range all {
		if s.eligible() {
			healthy++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "engines": len(all), "healthy": healthy})
}

// engineInfo is one entry of /v1/engines, in Mira's containerInfo shape.
type engineInfo struct {
	Engine     engineDetail    `json:"engine"`
	Kubernetes *kubernetesInfo `json:"kubernetes,omitempty"`
}

type engineDetail struct {
	IP          string            `json:"ip"`
	Port        int               `json:"port"`
	MetricsPort int               `json:"metricsPort"`
	Networks    []network         `json:"networks,omitempty"`
	Status      string            `json:"status,omitempty"`
	Health      json.RawMessage   `json:"health,omitempty"`
	Metrics     []MetricFamily    `json:"metrics,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	// Name, Draining, Terminating and Error are the router's additions.
	Name        string `json:"name,omitempty"`
	Draining    bool   `json:"draining,omitempty"`
	Terminating bool   `json:"terminating,omitempty"`
	Error       string `json:"error,omitempty"`
}

type network struct {
	IP string `json:"ip"`
}

type kubernetesInfo struct {
	Pod json.RawMessage `json:"pod"`
}

// serveEngines answers GET /v1/engines as Mira does: every engine with
// its status, last health and metrics; with ?format=condensed only the
// addresses and status. It answers 503 until the first poll completed.
func (r *Router) serveEngines(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	polled := r.polled
	r.mu.RUnlock()
	if !polled {
		writeError(w, http.StatusServiceUnavailable, "the engines have not been polled yet")
		return
	}
	format := req.URL.Query().Get("format")
	if format != "" && format != "full" && format != "condensed" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("format %q: want full or condensed", format))
		return
	}
	out := []engineInfo{}
	for _, s := range r.snapshots() {
		d := engineDetail{IP: s.Host, Port: s.Port, MetricsPort: s.MetricsPort, Status: s.status}
		if format != "condensed" {
			d.Networks = []network{{IP: s.Host}}
			d.Health, d.Metrics, d.Labels = s.health, s.metrics, s.Labels
			d.Name, d.Draining, d.Terminating, d.Error = s.Name, s.draining, s.Terminating, s.lastErr
		}
		info := engineInfo{Engine: d}
		if s.Pod != nil && format != "condensed" {
			info.Kubernetes = &kubernetesInfo{Pod: s.Pod}
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, out)
}

// servePlacement answers the session placement API (qix-session's, for
// an nginx subrequest): GET /v1/session/doc/<docId> places a session,
// opens the app on the chosen engine with the caller's Authorization and
// answers {"ip","port","sessionId","docId"}; /v1/session/session-doc
// creates a session app instead. The caller then connects to ip:port with
// X-Qlik-Session: <sessionId> within the prewarm TTL.
func (r *Router) servePlacement(w http.ResponseWriter, req *http.Request) {
	rest := strings.TrimPrefix(req.URL.EscapedPath(), "/v1/session/")
	var app string
	sessionApp := false
	switch {
	case rest == "session-doc":
		sessionApp = true
	case strings.HasPrefix(rest, "doc/") && len(rest) > len("doc/"):
		id, err := url.PathUnescape(rest[len("doc/"):])
		if err != nil || id == "" || strings.ContainsAny(id, "\x00\r\n") {
			r.refuse(w, &placeError{status: http.StatusBadRequest, outcome: metrics.PlacementBadRequest,
				msg: fmt.Sprintf("the app id %q is not valid", rest[len("doc/"):])})
			return
		}
		app = id
	default:
		r.refuse(w, &placeError{status: http.StatusNotFound, outcome: metrics.PlacementBadRequest,
			msg: "no such endpoint: want /v1/session/doc/<docId> or /v1/session/session-doc"})
		return
	}
	sid := newSessionID()
	s, wm, err := r.placeNew(req.Context(), sid, req.Header.Get("Authorization"), app, sessionApp, true)
	if err != nil {
		r.refuse(w, err)
		return
	}
	wm.Close() // the session lives on for the prewarm TTL
	r.placed(s, metrics.PlacementPlaced)
	out := map[string]any{"ip": s.Host, "port": s.Port, "sessionId": sid}
	if app != "" {
		out["docId"] = app
	}
	writeJSON(w, http.StatusOK, out)
}

// placeNew places a new session: it picks an engine, prewarms the session
// there (or checks the engine takes connections when there is no app to
// open) and, when an engine is unreachable, marks it down and tries
// another, up to placementAttempts engines.
func (r *Router) placeNew(ctx context.Context, sid, authorization, app string, sessionApp, keep bool) (snapshot, *warm, error) {
	exclude := map[string]bool{}
	var lastErr error
	for range placementAttempts {
		s, err := r.place(exclude)
		if err != nil {
			if lastErr != nil {
				err = fmt.Errorf("%w; last: %v", err, lastErr)
			}
			return snapshot{}, nil, &placeError{status: http.StatusServiceUnavailable, outcome: metrics.PlacementNoEngine, msg: err.Error()}
		}
		var wm *warm
		if app != "" || sessionApp {
			wm, err = r.prewarm(ctx, s, sid, authorization, app, sessionApp, keep)
		} else {
			err = r.probe(ctx, s)
		}
		var ue *unreachableError
		if errors.As(err, &ue) {
			r.log.Warn("engine unreachable; placing elsewhere", "engine", s.Name, "err", err)
			if e := r.engine(s.Name); e != nil {
				e.markDown(err.Error(), r.opts.Now().Add(r.opts.DownFor))
			}
			exclude[s.Name] = true
			lastErr = err
			continue
		}
		if err != nil {
			return snapshot{}, nil, err
		}
		return s, wm, nil
	}
	return snapshot{}, nil, &placeError{status: http.StatusBadGateway, outcome: metrics.PlacementUnreachable,
		msg: fmt.Sprintf("no engine could be reached after %d attempts; last: %v", placementAttempts, lastErr)}
}

// refuse answers a failed placement and counts it.
func (r *Router) refuse(w http.ResponseWriter, err error) {
	var pe *placeError
	if !errors.As(err, &pe) {
		pe = &placeError{status: http.StatusBadGateway, outcome: metrics.PlacementUnreachable, msg: err.Error()}
	}
	if r.opts.Metrics != nil {
		r.opts.Metrics.Placement(pe.outcome)
	}
	r.log.Info("placement refused", "status", pe.status, "outcome", pe.outcome, "reason", pe.msg)
	writeError(w, pe.status, pe.msg)
}

func (r *Router) placed(s snapshot, outcome string) {
	if r.opts.Metrics != nil {
		r.opts.Metrics.Placement(outcome)
		if outcome == metrics.PlacementPlaced {
			r.opts.Metrics.PlacedOn(s.Name)
		}
	}
}

// serveQIX places and proxies a client's QIX WebSocket connection.
func (r *Router) serveQIX(w http.ResponseWriter, req *http.Request) {
	route, err := server.ParseRoute(req.URL.EscapedPath())
	if err != nil {
		status := http.StatusBadRequest
		if !strings.Contains(req.URL.Path, "/app") {
			status = http.StatusNotFound
		}
		r.refuse(w, &placeError{status: status, outcome: metrics.PlacementBadRequest, msg: err.Error()})
		return
	}
	if !isUpgrade(req) {
		w.Header().Set("Upgrade", "websocket")
		writeError(w, http.StatusUpgradeRequired, "QIX is served over WebSocket: connect with a WebSocket client")
		return
	}
	header := req.Header.Get("X-Qlik-Session")
	if len(header) > maxSessionHeader || !printable(header) {
		r.refuse(w, &placeError{status: http.StatusBadRequest, outcome: metrics.PlacementBadRequest,
			msg: fmt.Sprintf("X-Qlik-Session must be at most %d printable characters", maxSessionHeader)})
		return
	}
	authorization := req.Header.Get("Authorization")
	// A session is the X-Qlik-Session header when there is one; else the
	// credentials, the app and the identity, as the engine shares
	// sessions without the header.
	key := "s|" + header
	if header == "" {
		key = "r|" + credentialHash(authorization) + "|" + route.AppID + "|" + route.Identity
	}
	s, sid, wm, outcome, err := r.session(req.Context(), key, header, authorization, route)
	if err != nil {
		r.refuse(w, err)
		return
	}
	r.placed(s, outcome)
	r.proxy(w, req, s, sid, key, wm)
}

// session finds the engine of a connection's session: the one the
// session is on (sticky) if it is still healthy, else a new placement.
func (r *Router) session(ctx context.Context, key, header, authorization string, route server.Route) (snapshot, string, *warm, string, error) {
	now := r.opts.Now()
	if st, ok := r.sticky.get(key, now); ok {
		if e := r.engine(st.engine); e != nil {
			s := e.snapshot(now)
			if s.status == StatusOK && !s.draining && !s.Terminating {
				return s, st.sessionID, nil, metrics.PlacementSticky, nil
			}
			r.log.Info("the session's engine is gone or unhealthy; placing the session anew", "engine", st.engine, "status", s.status)
		}
		r.sticky.forget(key)
	}
	sid := header
	if sid == "" {
		sid = newSessionID()
	}
	app, sessionApp := route.AppID, false
	if app == "engineData" || strings.HasPrefix(app, "SessionApp_") {
		app = "" // nothing to open before the client's connection
	}
	s, wm, err := r.placeNew(ctx, sid, authorization, app, sessionApp, false)
	if err != nil {
		return snapshot{}, "", nil, "", err
	}
	if !r.sticky.put(key, s.Name, sid, now) {
		wm.Close()
		return snapshot{}, "", nil, "", &placeError{status: http.StatusServiceUnavailable, outcome: metrics.PlacementNoEngine,
			msg: fmt.Sprintf("the router already tracks %d sessions with open connections", r.opts.MaxSessions)}
	}
	return s, sid, wm, metrics.PlacementPlaced, nil
}

// proxy forwards the WebSocket connection to the engine, with the
// client's headers (Authorization among them), the session id in
// X-Qlik-Session and X-Forwarded-*. The prewarm connection, if any, is
// closed once the engine sent the client its first frame (OnConnected):
// by then the client's connection is attached to the session.
func (r *Router) proxy(w http.ResponseWriter, req *http.Request, s snapshot, sid, key string, wm *warm) {
	target := &url.URL{Scheme: "http", Host: s.Addr()}
	var closeWarm sync.Once
	done := func() { closeWarm.Do(func() { go wm.Close() }) }
	defer done()
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
			pr.Out.Header.Set("X-Qlik-Session", sid)
		},
		Transport: r.transport(),
		ErrorLog:  slog.NewLogLogger(r.log.Handler(), slog.LevelDebug),
		ModifyResponse: func(resp *http.Response) error {
			if resp.StatusCode == http.StatusSwitchingProtocols {
				if rwc, ok := resp.Body.(io.ReadWriteCloser); ok {
					resp.Body = &firstRead{ReadWriteCloser: rwc, fn: done}
				}
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, in *http.Request, err error) {
			if in.Context().Err() != nil {
				return // the client went away
			}
			if e := r.engine(s.Name); e != nil {
				e.markDown(err.Error(), r.opts.Now().Add(r.opts.DownFor))
			}
			r.sticky.forget(key)
			r.log.Warn("cannot proxy to the engine", "engine", s.Name, "err", err)
			writeError(w, http.StatusBadGateway, fmt.Sprintf("engine %s is unreachable: %v", s.Name, err))
		},
	}
	r.sticky.open(key)
	if m := r.opts.Metrics; m != nil {
		m.ProxyStarted()
		defer m.ProxyEnded()
	}
	defer r.sticky.closed(key, r.opts.Now())
	r.log.Debug("proxying", "engine", s.Name, "session", sid, "path", req.URL.Path)
	rp.ServeHTTP(w, req)
}

// transport is the HTTP transport to the engines (no HTTP proxy).
func (r *Router) transport() http.RoundTripper {
	r.transportOnce.Do(func() {
		r.proxyTransport = &http.Transport{
			Proxy:                 nil,
			DialContext:           r.netDialer().DialContext,
			ResponseHeaderTimeout: r.opts.DialTimeout + r.opts.HealthTimeout,
			MaxIdleConnsPerHost:   -1, // an upgraded connection is never reused
		}
	})
	return r.proxyTransport
}

// firstRead calls fn when the first bytes arrive.
type firstRead struct {
	io.ReadWriteCloser
	fn   func()
	seen bool
}

func (f *firstRead) Read(p []byte) (int, error) {
	n, err := f.ReadWriteCloser.Read(p)
	if n > 0 && !f.seen {
		f.seen = true
		f.fn()
	}
	return n, err
}

func isUpgrade(req *http.Request) bool {
	return req.Method == http.MethodGet && strings.EqualFold(req.Header.Get("Upgrade"), "websocket") &&
		headerHasToken(req.Header, "Connection", "upgrade")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
