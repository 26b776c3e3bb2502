package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"

	"github.com/assocengine/assoc/server/session"
)

// Readiness states reported by /health.
const (
	stateStarting int32 = iota
	stateReady
	stateDraining
)

// Server serves QIX over WebSocket plus the health endpoints on one port.
type Server struct {
	opts     Options
	engine   Engine
	log      *slog.Logger
	sessions *session.Registry[Session]
	http     *fasthttp.Server
	upgrader websocket.FastHTTPUpgrader
	started  time.Time
	state    atomic.Int32
	cpu      cpuSampler

	mu       sync.Mutex
	draining bool
	conns    map[*wsConn]struct{}
	connWG   sync.WaitGroup
}

// New returns a server that hands its sessions to engine.
func New(engine Engine, opts Options) (*Server, error) {
	if engine == nil {
		return nil, errors.New("cannot create server: no engine")
	}
	opts = opts.withDefaults()
	s := &Server{
		opts:    opts,
		engine:  engine,
		log:     opts.Logger,
		started: time.Now(),
		conns:   make(map[*wsConn]struct{}),
	}
	s.sessions = session.New[Session](session.Options{
		DefaultTTL: opts.SessionTTL,
		MaxTTL:     opts.MaxSessionTTL,
		Clock:      opts.Clock,
		Logger:     opts.Logger,
	})
	s.cpu.init(s.started)
	s.upgrader = websocket.FastHTTPUpgrader{
		HandshakeTimeout:  opts.HandshakeTimeout,
		EnableCompression: opts.Compression,
		CheckOrigin:       s.checkOrigin,
		Error: func(ctx *fasthttp.RequestCtx, status int, reason error) {
			ctx.SetConnectionClose()
			httpError(ctx, status, reason.Error())
		},
	}
	s.http = &fasthttp.Server{
		Handler:              s.serveHTTP,
		Name:                 "assoc",
		ReadTimeout:          opts.HandshakeTimeout,
		WriteTimeout:         opts.WriteTimeout,
		IdleTimeout:          2 * opts.HandshakeTimeout,
		CloseOnShutdown:      true,
		NoDefaultContentType: true,
		// Room for a bearer token with many groups in the upgrade request
		// (fasthttp's default of 4 KiB would refuse it before auth sees it).
		ReadBufferSize:               16 << 10,
		DisablePreParseMultipartForm: true,
		Logger:                       fasthttpLogger{opts.Logger},
		// The server owns upgraded connections: closing one really closes
		// it (so a slow client is cut at once), and fasthttp never recycles
		// it while a goroutine of ours may still hold it.
		KeepHijackedConns: true,
	}
	if opts.DeferReady {
		s.state.Store(stateStarting)
	} else {
		s.state.Store(stateReady)
	}
	return s, nil
}

// Handler returns the server's HTTP handler, for serving it from another
// fasthttp server or a test.
func (s *Server) Handler() fasthttp.RequestHandler { return s.serveHTTP }

// Serve accepts connections on ln until Shutdown; it then returns nil.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("serving QIX", "addr", ln.Addr().String())
	return s.http.Serve(ln)
}

// ListenAndServe listens on the TCP address addr and calls Serve.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return s.Serve(ln)
}

// MarkReady flips /health to 200 (see Options.DeferReady). It does nothing
// once the server is draining.
func (s *Server) MarkReady() { s.state.CompareAndSwap(stateStarting, stateReady) }

// Sessions returns the session registry's counters.
func (s *Server) Sessions() session.Stats { return s.sessions.Stats() }

// Shutdown drains the server: /health turns 503 and new WebSocket upgrades
// are refused at once; every connection stops reading requests, waits for
// its running requests and sends their responses, then is closed with 1001
// ("going away"). Then the listener closes and the sessions are freed.
// When ctx ends first, the remaining connections are cut and ctx.Err() is
// returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.state.Store(stateDraining)
	s.mu.Lock()
	s.draining = true
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	s.log.Info("shutting down", "connections", len(conns))
	for _, c := range conns {
		c.stop(websocket.CloseGoingAway, "server shutting down")
	}

	done := make(chan struct{})
	go func() {
		s.connWG.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("shutdown: %d connection(s) still running: %w", s.liveConns(), ctx.Err())
		s.mu.Lock()
		for c := range s.conns {
			c.kill()
		}
		s.mu.Unlock()
	}

	hctx := ctx
	if hctx.Err() != nil {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(context.Background(), time.Second)
		defer cancel()
	}
	if herr := s.http.ShutdownWithContext(hctx); herr != nil && err == nil {
		err = fmt.Errorf("shutdown: cannot close HTTP connections: %w", herr)
	}
	s.sessions.Close()
	return err
}

func (s *Server) liveConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// register adds c to the live connections; it reports false while the
// server is draining.
func (s *Server) register(c *wsConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining {
		return false
	}
	s.conns[c] = struct{}{}
	s.connWG.Add(1)
	return true
}

func (s *Server) unregister(c *wsConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.connWG.Done()
}

// serveHTTP routes one HTTP request.
func (s *Server) serveHTTP(ctx *fasthttp.RequestCtx) {
	if websocket.FastHTTPIsWebSocketUpgrade(ctx) {
		s.upgrade(ctx)
		return
	}
	// ---- web hub (server/web.go): /, /sheet/<appId>, /assets/… ----
	if s.serveWeb(ctx) {
		return
	}
	// ---- end web hub ----
	switch string(ctx.Path()) {
	case "/health":
		s.serveHealth(ctx)
	case "/healthcheck":
		s.serveHealthcheck(ctx)
	default:
		// The REST API (Options.API) owns /v1/.
		if s.opts.API != nil && bytes.HasPrefix(ctx.Path(), []byte("/v1/")) {
			s.opts.API(ctx)
			return
		}
		if _, err := ParseRoute(string(ctx.URI().PathOriginal())); err == nil {
			ctx.Response.Header.Set("Upgrade", "websocket")
			httpError(ctx, fasthttp.StatusUpgradeRequired, "QIX is served over WebSocket: connect with a WebSocket client")
			return
		}
		httpError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no such endpoint: %s", ctx.Path()))
	}
}

// upgrade checks a WebSocket upgrade request and hands the connection to
// serveConn.
func (s *Server) upgrade(ctx *fasthttp.RequestCtx) {
	// A refused upgrade ends the connection: the client wanted a socket,
	// not a keep-alive HTTP connection.
	defer func() {
		if ctx.Response.StatusCode() != fasthttp.StatusSwitchingProtocols {
			ctx.SetConnectionClose()
		}
	}()
	if s.state.Load() == stateDraining {
		httpError(ctx, fasthttp.StatusServiceUnavailable, "server is shutting down")
		return
	}
	rawPath := string(ctx.URI().PathOriginal())
	route, err := ParseRoute(rawPath)
	if err != nil {
		status := fasthttp.StatusBadRequest
		if errors.Is(err, errNotQIX) {
			status = fasthttp.StatusNotFound
		}
		httpError(ctx, status, err.Error())
		return
	}
	var user User
	var identity any // what an IdentityAuthenticator knows beyond User
	if ia, ok := s.opts.Authenticator.(IdentityAuthenticator); ok {
		user, identity, err = ia.AuthenticateIdentity(&ctx.Request)
	} else if s.opts.Authenticator != nil {
		user, err = s.opts.Authenticator.Authenticate(&ctx.Request)
	}
	if s.opts.Authenticator != nil {
		if err != nil {
			s.log.Info("upgrade refused", "path", rawPath, "remote", ctx.RemoteAddr().String(), "err", err)
			httpError(ctx, fasthttp.StatusUnauthorized, err.Error())
			return
		}
	}
	// The session key names the user with their directory (realm), so
	// users of two realms with the same id never share a session.
	key := session.KeyOf(user.key(), string(ctx.Request.Header.Peek("X-Qlik-Session")), route.AppID, route.Identity)
	params := SessionParams{AppID: route.AppID, User: user.ID, UserDirectory: user.Directory}
	remote := ctx.RemoteAddr().String()
	adm := AdmitRequest{User: user, Identity: identity, Session: key.String(), App: route.AppID, Remote: remote}
	err = s.upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
		s.serveConn(ws, key, route, params, adm)
	})
	if err != nil {
		s.log.Debug("upgrade failed", "path", rawPath, "remote", remote, "err", err)
	}
}

// key returns the user as the session key names them: directory\id, or
// the id alone without a directory ("" when authentication is off).
func (u User) key() string {
	if u.Directory == "" {
		return u.ID
	}
	return u.Directory + `\` + u.ID
}

// checkOrigin applies Options.AllowedOrigins.
func (s *Server) checkOrigin(ctx *fasthttp.RequestCtx) bool {
	if len(s.opts.AllowedOrigins) == 0 {
		return true
	}
	origin := string(ctx.Request.Header.Peek("Origin"))
	if origin == "" {
		return true
	}
	for _, o := range s.opts.AllowedOrigins {
		if o == "*" || equalFoldASCII(o, origin) {
			return true
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// httpError writes a plain-text error response.
func httpError(ctx *fasthttp.RequestCtx, status int, msg string) {
	ctx.ResetBody()
	ctx.SetStatusCode(status)
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString(msg + "\n")
}

// fasthttpLogger sends fasthttp's own messages to the server's logger.
type fasthttpLogger struct{ log *slog.Logger }

func (l fasthttpLogger) Printf(format string, args ...any) {
	l.log.Warn(fmt.Sprintf(format, args...), "component", "http")
}
