package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/assocengine/assoc/cmd/assoc/demo"
	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/server"
	"github.com/assocengine/assoc/server/auth"
	"github.com/assocengine/assoc/server/auth/devidp"
	"github.com/assocengine/assoc/server/auth/rules"
	"github.com/assocengine/assoc/server/config"
	"github.com/assocengine/assoc/server/license"
	"github.com/assocengine/assoc/server/metrics"
)

func init() {
	register(&command{name: "serve", summary: "serve the QIX engine API over WebSocket (port 9076)", run: runServe})
}

func runServe(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := newFlagSet(e, "serve", "[flags]\n\nEvery flag can also be set by the environment (--docs-dir is ASSOC_DOCS_DIR)\nor by the YAML file of --config, which takes the Helm chart's values keys.")
	cfg.RegisterFlags(fs)
	file, err := config.Load(fs, args, e.getenv, config.ServeFileKeys)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	log := cfg.Logger(e.stderr)
	for _, k := range file.Unknown(config.ServeFileSections, config.ServeFileKeys, config.ServeFileKnown) {
		log.Warn("ignoring an unknown key of the configuration file", "file", file.Path, "key", k)
	}

	// Apps live in memory, or in app files in the document directory.
	var apps qix.AppStore
	if cfg.DocsDir != "" {
		ds, err := qix.NewDiskStore(cfg.DocsDir, qix.DiskStoreOptions{Logger: log.With("component", "docs")})
		if err != nil {
			return err
		}
		apps = ds
	}
	var demoConns map[string]map[string]string
	if cfg.Demo {
		dir, cleanup, err := extractDemo()
		if err != nil {
			return err
		}
		defer cleanup()
		cfg.AllowDirs = append(cfg.AllowDirs, dir)
		demoConns = map[string]map[string]string{demo.AppID: {demo.Connection: dir}}
	}

	// The service shell: identity, license, access control, metrics.
	svc, err := newService(ctx, &cfg, file, log)
	if err != nil {
		return err
	}
	defer svc.close()

	eng, err := qix.NewEngine(qix.Options{
		DocsDir:   cfg.DocsDir,
		Store:     apps,
		AllowDirs: cfg.AllowDirs,
		Reload:    svc.reloader(withConnections(newReloader(), demoConns)),
		Logger:    log.With("component", "qix"),
		Authorize: svc.authorizeHook(),
	})
	if err != nil {
		return fmt.Errorf("cannot start the engine: %w", err)
	}
	defer eng.Close()

	opts := cfg.ServerOptions(version, log)
	opts.DeferReady = cfg.Demo
	svc.serverOptions(&opts)
	srv, err := server.New(svc.meter(qixEngine{eng}), opts)
	if err != nil {
		return err
	}
	svc.srv = srv
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", cfg.Addr, err)
	}
	if err := svc.startListeners(&cfg); err != nil {
		_ = ln.Close()
		return err
	}
	log.Info("assoc serve", "version", version, "addr", ln.Addr().String(), "metrics_addr", svc.metricsAddr(),
		"docs_dir", cfg.DocsDir, "allow_dirs", cfg.AllowDirs, "session_ttl", cfg.SessionTTL,
		"max_session_ttl", cfg.MaxSessionTTL, "auth", svc.verifier != nil, "license", svc.lic.Usage().Mode,
		"gomaxprocs", runtime.GOMAXPROCS(0))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	go svc.tickLicense(ctx, cfg.LicenseTick)

	if cfg.Demo {
		go func() {
			loadDemo(ctx, eng, log)
			srv.MarkReady()
		}()
	}

	select {
	case err := <-served:
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	// /metrics stays up while the connections drain (the preStop hook
	// reads qix_active_sessions); svc.close stops it last.
	log.Info("shutting down (a second signal exits at once)", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-served; serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// service is the shell around the engine: identity (a JWT verifier and
// the test IdP), the license, access control, metrics and the REST API.
type service struct {
	log      *slog.Logger
	verifier *auth.Verifier // nil: authentication off
	authz    *auth.Authorizer
	lic      *license.License
	store    license.Store
	licensed bool // a valid key is in force
	metrics  *metrics.Engine
	users    *userTable
	csrf     *auth.CSRF
	admins   []string
	srv      *server.Server

	devIdP     *devidp.IdP
	devIdPLn   net.Listener
	devIdPHTTP *http.Server
	metricsLn  net.Listener
	metricsSrv *http.Server
}

// newService builds the shell from the configuration: the test IdP first
// (the verifier trusts it), then the verifier, the access rules, the
// license with its state store, GOMAXPROCS capped by the license, and the
// metrics.
func newService(ctx context.Context, cfg *config.Config, file *config.File, log *slog.Logger) (*service, error) {
	s := &service{log: log, users: newUserTable(), csrf: auth.NewCSRF(0, nil), admins: cfg.AdminGroups}
	ok := false
	defer func() {
		if !ok {
			s.close()
		}
	}()

	httpClient, err := outboundClient(cfg, file)
	if err != nil {
		return nil, err
	}
	idps, err := identityProviders(cfg, file)
	if err != nil {
		return nil, err
	}
	if cfg.DevIdP {
		if err := s.startDevIdP(cfg.DevIdPAddr); err != nil {
			return nil, err
		}
		if idps == nil {
			idps = &auth.Config{}
		}
		idps.IdPs = append(idps.IdPs, s.devIdP.Config())
		if err := idps.Validate(); err != nil {
			return nil, fmt.Errorf("cannot trust the test identity provider: %w", err)
		}
	}
	if idps != nil {
		s.verifier, err = auth.NewVerifier(auth.Options{Config: idps, Leeway: cfg.JWTLeeway, HTTPClient: httpClient,
			AllowAnonymous: cfg.AllowAnonymous, Logger: log.With("component", "auth")})
		if err != nil {
			return nil, fmt.Errorf("cannot set up authentication: %w", err)
		}
	}
	if cfg.RulesFile != "" {
		policy, err := rules.LoadPolicy(cfg.RulesFile, cfg.DenyRulesFile)
		if err != nil {
			return nil, err
		}
		s.authz = &auth.Authorizer{Rules: policy}
	}

	key, err := licenseKey(cfg)
	if err != nil {
		// A key that cannot be verified is refused; the engine runs
		// unlicensed (spec 1.8) and says why.
		log.Error("the license key is refused; running in evaluation mode (5 sessions)", "err", err)
	}
	s.licensed = key != nil
	if s.store, err = licenseStore(ctx, cfg); err != nil {
		return nil, err
	}
	assign, _ := license.ParseAssignment(cfg.LicenseAssignment) // checked by Validate
	engineID := cfg.EngineID
	if engineID == "" {
		engineID, _ = os.Hostname()
	}
	s.lic = license.New(license.Options{Key: key, Store: s.store, EngineID: engineID, Assignment: assign,
		AutoUserPass: cfg.LicenseAutoUserPass, Logger: log.With("component", "license")})
	if cfg.LicenseProxy != "" {
		log.Info("licenses.proxy.uri is set, but license keys are verified offline: no license backend is called",
			"proxy", config.Redact(cfg.LicenseProxy))
	}
	procs := s.lic.CoreCap(runtime.GOMAXPROCS(0))
	if procs < runtime.GOMAXPROCS(0) {
		log.Info("the license caps the cores the engine uses", "cores", procs, "machine", runtime.NumCPU())
	}
	runtime.GOMAXPROCS(procs)

	s.metrics = metrics.NewEngine(metrics.EngineOptions{Version: version, Figures: s.figures, License: s.lic.Usage, CoreCap: procs})
	ok = true
	return s, nil
}

// outboundClient is the HTTP client for the identity providers: the
// system's CAs plus --ca-file and global.certs.configMap.certs.
func outboundClient(cfg *config.Config, file *config.File) (*http.Client, error) {
	var pems [][]byte
	if cfg.CAFile != "" {
		b, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read --ca-file: %w", err)
		}
		pems = append(pems, b)
	}
	enabled, _, _ := file.String("global.certs.enabled")
	certs, has, err := file.String("global.certs.configMap.certs")
	if err != nil {
		return nil, usageError{err}
	}
	if has && enabled != "false" && certs != "" {
		pems = append(pems, []byte(certs))
	}
	if len(pems) == 0 {
		return nil, nil // auth's default client
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	for _, p := range pems {
		if !pool.AppendCertsFromPEM(p) {
			return nil, usageError{errors.New("the extra CA certificates (--ca-file or global.certs) hold no PEM certificate")}
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}, nil
}

// identityProviders reads --idp-config, else the configuration file's
// identity-providers.secrets.idpConfigs; nil when neither is set.
func identityProviders(cfg *config.Config, file *config.File) (*auth.Config, error) {
	if cfg.IdPConfigFile != "" {
		c, err := auth.LoadConfig(cfg.IdPConfigFile)
		if err != nil {
			return nil, usageError{err}
		}
		return c, nil
	}
	section, err := file.Section("identity-providers.secrets.idpConfigs")
	if err != nil || section == nil {
		return nil, err
	}
	c, err := auth.ParseConfig(section)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: identity-providers.secrets.idpConfigs: %w", file.Path, err)}
	}
	return c, nil
}

// licenseKey reads and verifies the license key (nil without one).
func licenseKey(cfg *config.Config) (*license.Key, error) {
	text := cfg.LicenseKey
	if cfg.LicenseKeyFile != "" {
		b, err := os.ReadFile(cfg.LicenseKeyFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read --license-key-file: %w", err)
		}
		text = string(b)
	}
	if text == "" {
		return nil, nil
	}
	pemBytes, err := os.ReadFile(cfg.LicensePublicKey)
	if err != nil {
		return nil, fmt.Errorf("cannot read --license-public-key: %w", err)
	}
	pub, err := license.DecodePublicKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("--license-public-key %s: %w", cfg.LicensePublicKey, err)
	}
	return license.ParseKey(text, pub, time.Now())
}

// licenseStore opens the license state store: MongoDB, the data
// directory, or memory.
func licenseStore(ctx context.Context, cfg *config.Config) (license.Store, error) {
	switch {
	case cfg.MongoDBURI != "":
		return license.OpenMongoStore(ctx, cfg.MongoDBURI, license.MongoOptions{})
	case cfg.DataDir != "":
		return license.OpenFileStore(filepath.Join(cfg.DataDir, "license"))
	}
	return nil, nil
}

// startDevIdP starts the test identity provider on a loopback address.
func (s *service) startDevIdP(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot start the test identity provider on %s: %w", addr, err)
	}
	p, err := devidp.New(devidp.Options{Issuer: "http://" + ln.Addr().String()})
	if err != nil {
		_ = ln.Close()
		return err
	}
	s.devIdP, s.devIdPLn = p, ln
	s.devIdPHTTP = &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.devIdPHTTP.Serve(ln) }()
	users := make([]string, 0, len(devidp.SampleUsers))
	for _, u := range devidp.SampleUsers {
		users = append(users, u.Email)
	}
	s.log.Warn("the test identity provider is on: development only, its passwords are public",
		"issuer", p.Issuer(), "token_endpoint", p.Issuer()+"/token", "users", users, "password", devidp.SampleUsers[0].Password)
	return nil
}

// startListeners opens the metrics port.
func (s *service) startListeners(cfg *config.Config) error {
	if cfg.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil && cfg.MetricsAddr == config.Default().MetricsAddr {
		// The default port is taken (another engine on this machine):
		// serve without metrics rather than not at all, and say so.
		s.log.Error("cannot serve metrics on the default port; set --metrics-addr", "addr", cfg.MetricsAddr, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot listen on --metrics-addr %s: %w", cfg.MetricsAddr, err)
	}
	s.metricsLn = ln
	s.metricsSrv = &http.Server{Handler: metrics.Mux(metrics.Handler(s.metrics.Registry())),
		ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() { _ = s.metricsSrv.Serve(ln) }()
	return nil
}

func (s *service) metricsAddr() string {
	if s.metricsLn == nil {
		return ""
	}
	return s.metricsLn.Addr().String()
}

// close stops the metrics port and the test IdP and closes the license
// store; it runs last, after the connections drained.
func (s *service) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.metricsSrv != nil {
		_ = s.metricsSrv.Shutdown(ctx)
	}
	if s.devIdPHTTP != nil {
		_ = s.devIdPHTTP.Shutdown(ctx)
	}
	if s.store != nil {
		if err := s.store.Close(ctx); err != nil {
			s.log.Warn("cannot close the license state store", "err", err)
		}
	}
}

// tickLicense runs the license's periodic work until ctx ends.
func (s *service) tickLicense(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			tctx, cancel := context.WithTimeout(ctx, every)
			if err := s.lic.Tick(tctx); err != nil {
				s.log.Warn("license tick failed", "err", err)
			}
			cancel()
		}
	}
}

// serverOptions wires the shell into the server's options.
func (s *service) serverOptions(o *server.Options) {
	if s.verifier != nil {
		o.Authenticator = &authenticator{v: s.verifier, m: s.metrics, log: s.log}
	}
	o.Admission = &admission{lic: s.lic, m: s.metrics, users: s.users}
	o.API = s.api
}

// figures reads the engine's figures for the metrics.
func (s *service) figures() metrics.Figures {
	if s.srv == nil {
		return metrics.Figures{}
	}
	h, err := s.srv.Health()
	if err != nil {
		return metrics.Figures{}
	}
	st := s.srv.Sessions()
	return metrics.Figures{
		ActiveSessions: h.Session.Active, TotalSessions: h.Session.Total,
		ActiveDocs: len(h.Apps.ActiveDocs), LoadedDocs: len(h.Apps.LoadedDocs),
		Connections: st.Connections, ActiveUsers: st.ActiveUsers, Selections: h.Apps.Selections,
		MemCommitted: h.Mem.Committed * (1 << 20), MemAllocated: h.Mem.Allocated * (1 << 20), MemFree: h.Mem.Free * (1 << 20),
		CPUPercent: h.CPU.Total,
	}
}

// reloader wraps the engine's reloader: the reload latency histogram, and
// the license is told an app reloaded (sessions that have it open are
// extended and consume, spec 1.5).
func (s *service) reloader(next qix.Reloader) qix.Reloader {
	if next == nil {
		return nil
	}
	return func(ctx context.Context, req qix.ReloadRequest) (*qix.ReloadResult, error) {
		start := time.Now()
		res, err := next(ctx, req)
		outcome := metrics.ReloadOK
		switch {
		case err != nil && ctx.Err() != nil:
			outcome = metrics.ReloadAborted
		case err != nil:
			outcome = metrics.ReloadFailed
		}
		s.metrics.ObserveReload(time.Since(start), outcome)
		if err == nil {
			go func() {
				lctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if err := s.lic.Reload(lctx, req.AppID); err != nil {
					s.log.Warn("cannot tell the license about a reload", "app", req.AppID, "err", err)
				}
			}()
		}
		return res, err
	}
}

// authorizeHook is qix's Options.Authorize: the license access type of the
// session's user, then the access rules. It is nil (no check) in
// evaluation mode without rules, where every call is allowed.
func (s *service) authorizeHook() func(p qix.SessionParams, class, method string, transient bool) error {
	if !s.licensed && s.authz == nil {
		return nil
	}
	return func(p qix.SessionParams, class, method string, transient bool) error {
		key := userKey(p.UserDirectory, p.User)
		u, access, ok := s.users.get(key)
		if !ok {
			s.metrics.AccessDenied()
			s.log.Warn("call refused: the session's user holds no license", "user", key, "class", class, "method", method)
			return errors.New("the session holds no license access")
		}
		call := auth.Call{Class: class, Method: method, Session: transient, SoftPatch: transient && method == "ApplyPatches"}
		err := s.authz.Authorize(u, access, call, map[string]any{"app": p.AppID})
		if err == nil {
			return nil
		}
		s.metrics.AccessDenied()
		var d *auth.Denial
		if errors.As(err, &d) {
			s.log.Info("access denied", "user", key, "app", p.AppID, "class", class, "method", method, "access", access.String(), "reason", d.Reason)
			return errors.New(d.Reason)
		}
		return err
	}
}

// meter wraps the engine so that each request is timed for the metrics.
func (s *service) meter(e server.Engine) server.Engine { return meteredEngine{Engine: e, m: s.metrics} }

// extractDemo writes the demo data into a private temporary directory,
// named after the demo's connection; cleanup removes it.
func extractDemo() (dir string, cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "assoc-demo-*")
	if err != nil {
		return "", nil, fmt.Errorf("cannot create a directory for the demo data: %w", err)
	}
	cleanup = func() { _ = os.RemoveAll(tmp) }
	dir = filepath.Join(tmp, demo.Connection)
	if err := os.Mkdir(dir, 0o700); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("cannot create a directory for the demo data: %w", err)
	}
	if err := demo.Extract(dir); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}

// loadDemo creates and reloads the demo app. A failed reload (for example
// while no load-script interpreter is wired in) is logged, the app is
// created without data so its script can be reloaded later, and the server
// keeps serving.
func loadDemo(ctx context.Context, eng *qix.Engine, log *slog.Logger) {
	start := time.Now()
	log.Info("loading the demo", "demo", demo.Describe())
	err := eng.CreateApp(ctx, demo.AppID, demo.Title, demo.Script, true)
	if err == nil {
		log.Info("demo app ready", "app", demo.AppID, "took", time.Since(start).Round(time.Millisecond))
		return
	}
	if errors.Is(err, qix.ErrAppExists) { // saved in the document directory by an earlier run
		log.Info("demo app ready from the document directory", "app", demo.AppID)
		return
	}
	log.Error("cannot load the demo app; serving without its data", "app", demo.AppID, "err", err)
	if err := eng.CreateApp(ctx, demo.AppID, demo.Title, demo.Script, false); err != nil {
		log.Error("cannot create the demo app", "app", demo.AppID, "err", err)
		return
	}
	log.Info("demo app created without data (reload it once reloads work)", "app", demo.AppID)
}

// --- Identity: the Authenticator of the server ---

// authenticator validates the bearer token of an upgrade request with the
// verifier (HTTP 401 on failure, with the reason) and hands the server the
// user: its id (the mapped sub) and directory (the realm) name the
// session and are what GetAuthenticatedUser answers; the *auth.User goes
// to the license and the access rules.
type authenticator struct {
	v   *auth.Verifier
	m   *metrics.Engine
	log *slog.Logger
}

var _ server.IdentityAuthenticator = (*authenticator)(nil)

func (a *authenticator) Authenticate(req *fasthttp.Request) (server.User, error) {
	u, _, err := a.AuthenticateIdentity(req)
	return u, err
}

func (a *authenticator) AuthenticateIdentity(req *fasthttp.Request) (server.User, any, error) {
	u, err := a.user(req)
	if err != nil {
		return server.User{}, nil, err
	}
	if u.Anonymous {
		return server.User{}, u, nil
	}
	return server.User{ID: u.Subject, Directory: u.Realm}, u, nil
}

// user validates the request's Authorization header; a refusal is counted
// and logged with its reason.
func (a *authenticator) user(req *fasthttp.Request) (*auth.User, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u, err := a.v.Authenticate(ctx, string(req.Header.Peek("Authorization")))
	if err != nil {
		reason := authReason(err)
		a.m.AuthFailed(reason)
		a.log.Info("authentication refused", "path", string(req.URI().Path()), "reason", reason, "err", err)
		return nil, err
	}
	return u, nil
}

// authReason names the failure of a token for the metrics.
func authReason(err error) string {
	for _, r := range []struct {
		err    error
		reason string
	}{
		{auth.ErrNoToken, "no_token"}, {auth.ErrTokenTooLarge, "too_large"}, {auth.ErrMalformed, "malformed"},
		{auth.ErrUnknownIssuer, "wrong_issuer"}, {auth.ErrIssuer, "wrong_issuer"}, {auth.ErrAlgorithm, "bad_algorithm"},
		{auth.ErrUnknownKey, "unknown_key"}, {auth.ErrSignature, "bad_signature"}, {auth.ErrExpired, "expired"},
		{auth.ErrNotYetValid, "not_yet_valid"}, {auth.ErrAudience, "wrong_audience"}, {auth.ErrClaims, "claims"},
		{auth.ErrProvider, "unavailable"}, {auth.ErrNotImplemented, "malformed"},
	} {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return "other"
}

// --- The license: admission of connections ---

// admission admits connections with the license: each connection asks
// License.Connect for a lease (a refusal carries the OnConnected state),
// and the users with a live lease, their access type and identity are
// kept for the access checks of their calls.
type admission struct {
	lic   *license.License
	m     *metrics.Engine
	users *userTable
}

var _ server.Admission = (*admission)(nil)

func (a *admission) Admit(ctx context.Context, req server.AdmitRequest) (server.Admitted, error) {
	cr := license.ConnectRequest{Session: req.Session, App: req.App}
	u, _ := req.Identity.(*auth.User)
	switch {
	case u != nil:
		cr.User, cr.Groups = u.ID(), u.Groups
	case req.User.ID != "":
		cr.User = license.UserID{Realm: req.User.Directory, Subject: req.User.ID}
	}
	lease, err := a.lic.Connect(ctx, cr)
	if err != nil {
		state := qix.SessionErrorNoLicense
		var se interface{ SessionState() string }
		if errors.As(err, &se) {
			state = se.SessionState()
		}
		a.m.SessionRefused(state)
		return nil, err
	}
	key := userKey(req.User.Directory, req.User.ID)
	a.users.add(key, u, lease.Access())
	return &admitted{Lease: lease, users: a.users, key: key}, nil
}

// admitted is a connection's lease; releasing it also forgets the user
// once their last connection is gone.
type admitted struct {
	*license.Lease
	users *userTable
	key   string
	once  bool
}

func (a *admitted) Release(ctx context.Context) error {
	if !a.once {
		a.once = true
		a.users.remove(a.key)
	}
	return a.Lease.Release(ctx)
}

// userKey names a user as the access checks find them: directory\id
// ("" for anonymous users and without authentication).
func userKey(directory, id string) string {
	if directory == "" {
		return id
	}
	return directory + `\` + id
}

// userTable holds the users with a live connection: their identity and
// the access type of their latest lease.
type userTable struct {
	mu    sync.Mutex
	users map[string]*userEntry
}

type userEntry struct {
	user   *auth.User
	access license.Access
	conns  int
}

func newUserTable() *userTable { return &userTable{users: map[string]*userEntry{}} }

func (t *userTable) add(key string, u *auth.User, a license.Access) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.users[key]
	if e == nil {
		e = &userEntry{}
		t.users[key] = e
	}
	e.conns++
	e.access = a
	if u != nil {
		e.user = u
	}
}

func (t *userTable) remove(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.users[key]; e != nil {
		if e.conns--; e.conns <= 0 {
			delete(t.users, key)
		}
	}
}

func (t *userTable) get(key string) (*auth.User, license.Access, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.users[key]
	if e == nil {
		return nil, license.NoAccess, false
	}
	return e.user, e.access, true
}

// --- Metrics of requests ---

// meteredEngine times every request of every connection.
type meteredEngine struct {
	server.Engine
	m *metrics.Engine
}

func (e meteredEngine) NewSession(p server.SessionParams) (server.Session, error) {
	s, err := e.Engine.NewSession(p)
	if err != nil {
		return nil, err
	}
	return meteredSession{Session: s, m: e.m}, nil
}

type meteredSession struct {
	server.Session
	m *metrics.Engine
}

func (s meteredSession) Attach(out server.Sender) server.Conn {
	return meteredConn{Conn: s.Session.Attach(out), m: s.m}
}

type meteredConn struct {
	server.Conn
	m *metrics.Engine
}

func (c meteredConn) Handle(frame []byte) {
	method := metrics.RequestMethod(frame)
	c.m.RequestStarted()
	start := time.Now()
	defer func() {
		c.m.RequestDone()
		c.m.ObserveRequest(method, time.Since(start))
	}()
	c.Conn.Handle(frame)
}

// --- The REST API under /v1/ ---

// maxAPIBody bounds the body of a REST request.
const maxAPIBody = 64 << 10

// api serves the REST endpoints:
//
//	GET    /v1/users/me                      the caller as the engine sees them
//	GET    /v1/csrf-token                    an anti-CSRF token for the caller
//	GET    /v1/license                       the license's figures (no user data)
//	GET    /v1/license/allocations           user allocations (admins)
//	POST   /v1/license/allocations           {"user":"realm\\sub","access":"professional"} (admins, CSRF)
//	DELETE /v1/license/allocations/<user>    remove an allocation (admins, CSRF)
//
// With authentication on, every endpoint needs a valid bearer token
// (401). Requests that change state need the X-CSRF-Token header with a
// token from /v1/csrf-token, issued to the same user and, when the
// request names one in X-Qlik-Session, the same session (403); a token is
// good once.
func (s *service) api(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
	path := string(ctx.Path())
	u, who, ok := s.apiUser(ctx)
	if !ok {
		return
	}
	switch {
	case path == "/v1/users/me":
		if apiMethod(ctx, fasthttp.MethodGet) {
			s.apiMe(ctx, u)
		}
	case path == "/v1/csrf-token":
		if apiMethod(ctx, fasthttp.MethodGet) {
			apiJSON(ctx, fasthttp.StatusOK, map[string]string{"token": s.csrf.Issue(who), "header": auth.CSRFHeader})
		}
	case path == "/v1/license":
		if apiMethod(ctx, fasthttp.MethodGet) {
			apiJSON(ctx, fasthttp.StatusOK, s.lic.Usage())
		}
	case path == "/v1/license/allocations":
		if !apiMethod(ctx, fasthttp.MethodGet, fasthttp.MethodPost) || !s.apiAdmin(ctx, u) {
			return
		}
		if ctx.IsGet() {
			s.apiAllocations(ctx)
			return
		}
		if s.apiCSRF(ctx, who) {
			s.apiAssign(ctx, u)
		}
	case len(path) > len("/v1/license/allocations/") && path[:len("/v1/license/allocations/")] == "/v1/license/allocations/":
		if !apiMethod(ctx, fasthttp.MethodDelete) || !s.apiAdmin(ctx, u) || !s.apiCSRF(ctx, who) {
			return
		}
		s.apiUnassign(ctx, u, path[len("/v1/license/allocations/"):])
	default:
		apiError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no such endpoint: %s", path))
	}
}

// apiUser authenticates a REST request: with authentication on, a valid
// bearer token is required. who names what CSRF tokens are tied to: the
// caller, and the QIX session named by X-Qlik-Session when there is one.
func (s *service) apiUser(ctx *fasthttp.RequestCtx) (u *auth.User, who string, ok bool) {
	u, who, ok = s.apiCaller(ctx)
	if sess := ctx.Request.Header.Peek("X-Qlik-Session"); ok && len(sess) > 0 {
		who += "|session=" + string(sess)
	}
	return u, who, ok
}

func (s *service) apiCaller(ctx *fasthttp.RequestCtx) (u *auth.User, who string, ok bool) {
	if s.verifier == nil {
		return nil, "", true
	}
	a := authenticator{v: s.verifier, m: s.metrics, log: s.log}
	u, err := a.user(&ctx.Request)
	if err != nil {
		ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="assoc"`)
		apiError(ctx, fasthttp.StatusUnauthorized, err.Error())
		return nil, "", false
	}
	if u.Anonymous {
		return u, "anonymous", true
	}
	return u, userKey(u.Realm, u.Subject), true
}

// apiMe answers who the caller is (their own data only).
func (s *service) apiMe(ctx *fasthttp.RequestCtx, u *auth.User) {
	if u == nil {
		apiJSON(ctx, fasthttp.StatusOK, map[string]any{"authenticated": false})
		return
	}
	apiJSON(ctx, fasthttp.StatusOK, map[string]any{"authenticated": !u.Anonymous, "qixUserId": u.QIXUserID(),
		"realm": u.Realm, "subject": u.Subject, "name": u.Name, "email": u.Email, "groups": u.Groups})
}

// apiAdmin checks that the caller may administer the license: an
// authenticated user in one of --admin-group.
func (s *service) apiAdmin(ctx *fasthttp.RequestCtx, u *auth.User) bool {
	if u == nil {
		apiError(ctx, fasthttp.StatusForbidden, "license administration needs authentication: configure identity providers (--idp-config)")
		return false
	}
	for _, g := range u.Groups {
		for _, a := range s.admins {
			if g == a {
				return true
			}
		}
	}
	s.log.Info("license administration refused: not an admin", "user", userKey(u.Realm, u.Subject))
	apiError(ctx, fasthttp.StatusForbidden, "license administration is for members of the admin groups (--admin-group)")
	return false
}

// apiCSRF checks the anti-CSRF token of a state-changing request.
func (s *service) apiCSRF(ctx *fasthttp.RequestCtx, who string) bool {
	tok := string(ctx.Request.Header.Peek(auth.CSRFHeader))
	if err := s.csrf.Verify(who, tok); err != nil {
		s.log.Info("request refused: anti-CSRF check failed", "user", who, "path", string(ctx.Path()), "err", err)
		apiError(ctx, fasthttp.StatusForbidden, fmt.Sprintf("%v: get one from GET /v1/csrf-token and send it in %s", err, auth.CSRFHeader))
		return false
	}
	return true
}

func (s *service) apiAllocations(ctx *fasthttp.RequestCtx) {
	lctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := s.lic.Allocations(lctx)
	if err != nil {
		apiError(ctx, fasthttp.StatusServiceUnavailable, fmt.Sprintf("cannot list the allocations: %v", err))
		return
	}
	if list == nil {
		list = []license.Allocation{}
	}
	apiJSON(ctx, fasthttp.StatusOK, list)
}

func (s *service) apiAssign(ctx *fasthttp.RequestCtx, admin *auth.User) {
	if ct := string(ctx.Request.Header.ContentType()); !strings.HasPrefix(ct, "application/json") {
		apiError(ctx, fasthttp.StatusUnsupportedMediaType, "send the allocation as application/json")
		return
	}
	body := ctx.PostBody()
	if len(body) > maxAPIBody {
		apiError(ctx, fasthttp.StatusRequestEntityTooLarge, fmt.Sprintf("the body has %d bytes; the limit is %d", len(body), maxAPIBody))
		return
	}
	var req struct {
		User   string `json:"user"`
		Access string `json:"access"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		apiError(ctx, fasthttp.StatusBadRequest, fmt.Sprintf("cannot read the allocation: %v", err))
		return
	}
	uid, err := license.ParseUserID(req.User)
	if err != nil || uid.IsZero() {
		apiError(ctx, fasthttp.StatusBadRequest, fmt.Sprintf(`cannot read the allocation: user %q is not realm\subject`, req.User))
		return
	}
	access, err := license.ParseAccess(req.Access)
	if err != nil {
		apiError(ctx, fasthttp.StatusBadRequest, fmt.Sprintf("cannot read the allocation: %v", err))
		return
	}
	lctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.lic.Assign(lctx, uid, access); err != nil {
		apiError(ctx, fasthttp.StatusConflict, fmt.Sprintf("cannot assign %s to %s: %v", access, uid, err))
		return
	}
	s.log.Info("license allocation assigned", "admin", userKey(admin.Realm, admin.Subject), "user", uid.String(), "access", access.String())
	apiJSON(ctx, fasthttp.StatusOK, map[string]string{"user": uid.String(), "access": access.String()})
}

func (s *service) apiUnassign(ctx *fasthttp.RequestCtx, admin *auth.User, escaped string) {
	raw, err := url.PathUnescape(escaped)
	if err != nil {
		apiError(ctx, fasthttp.StatusBadRequest, fmt.Sprintf("cannot read the user %q: %v", escaped, err))
		return
	}
	uid, err := license.ParseUserID(raw)
	if err != nil || uid.IsZero() {
		apiError(ctx, fasthttp.StatusBadRequest, fmt.Sprintf(`user %q is not realm\subject (escape the backslash as %%5C)`, raw))
		return
	}
	lctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.lic.Unassign(lctx, uid); err != nil {
		apiError(ctx, fasthttp.StatusConflict, fmt.Sprintf("cannot remove the allocation of %s: %v", uid, err))
		return
	}
	s.log.Info("license allocation removed", "admin", userKey(admin.Realm, admin.Subject), "user", uid.String())
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

// apiMethod checks the request method; HEAD goes with GET.
func apiMethod(ctx *fasthttp.RequestCtx, allowed ...string) bool {
	m := string(ctx.Method())
	for _, a := range allowed {
		if m == a || m == fasthttp.MethodHead && a == fasthttp.MethodGet {
			return true
		}
	}
	ctx.Response.Header.Set("Allow", strings.Join(allowed, ", "))
	apiError(ctx, fasthttp.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: use %s", m, strings.Join(allowed, " or ")))
	return false
}

func apiJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		apiError(ctx, fasthttp.StatusInternalServerError, fmt.Sprintf("cannot encode the answer: %v", err))
		return
	}
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(append(b, '\n'))
}

func apiError(ctx *fasthttp.RequestCtx, status int, msg string) {
	apiJSON(ctx, status, map[string]string{"error": msg})
	ctx.SetStatusCode(status)
}
