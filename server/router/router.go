package router

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/assocengine/assoc/server/metrics"
)

// Defaults of zero Options fields.
const (
	DefaultPollInterval  = 10 * time.Second
	DefaultHealthTimeout = 3 * time.Second
	DefaultStickyTTL     = 30 * time.Minute
	DefaultMaxSessions   = 100_000
	DefaultPrewarmTTL    = 60 * time.Second
	DefaultDialTimeout   = 3 * time.Second
	// DefaultDownFor is how long an engine that refused a connection is
	// left out of placement when no poll clears it first.
	DefaultDownFor = 30 * time.Second
)

// Options configure a Router. Discovery is required; the other zero
// values work.
type Options struct {
	// Discovery finds the engines on every poll.
	Discovery Discoverer
	// Strategy places new sessions (default LeastLoad).
	Strategy Strategy
	// Threshold is the sessions-per-engine threshold: an engine with this
	// many active sessions gets no new one (0: no threshold; Weighted
	// needs one).
	Threshold int
	// PollInterval is how often engines are discovered and their health
	// and metrics polled; HealthTimeout bounds one poll of one engine.
	PollInterval  time.Duration
	HealthTimeout time.Duration
	// StickyTTL is how long the router remembers a session's engine after
	// its last connection closed; MaxSessions bounds how many it
	// remembers.
	StickyTTL   time.Duration
	MaxSessions int
	// PrewarmTTL is the /ttl/ of the connection that opens the app on the
	// chosen engine before the client's connection attaches (the client
	// must come within it).
	PrewarmTTL time.Duration
	// DialTimeout bounds connecting to an engine.
	DialTimeout time.Duration
	// DownFor: see DefaultDownFor.
	DownFor time.Duration
	// Metrics receives the router's metrics (nil: none).
	Metrics *metrics.Router
	// Logger receives the router's log lines (nil discards them).
	Logger *slog.Logger
	// Now tells the time and Rand draws in [0, n) (tests); nil are the
	// system clock and crypto/rand.
	Now  func() time.Time
	Rand func(n int) int
}

// Router discovers engines, polls their health, places sessions on them
// and proxies the clients' WebSocket connections; see the package doc.
type Router struct {
	opts    Options
	log     *slog.Logger
	client  *http.Client // health polls
	dialer  *websocket.Dialer
	sticky  *stickyTable
	rrNext  atomic.Uint64
	started time.Time

	transportOnce  sync.Once
	proxyTransport *http.Transport

	mu       sync.RWMutex
	engines  map[string]*engine // by Target.Name
	polled   bool               // one poll has completed
	discErr  string
	pollOnce sync.Mutex // one poll at a time
}

// New returns a router; call Run to start polling.
func New(opts Options) (*Router, error) {
	if opts.Discovery == nil {
		return nil, errors.New("cannot create the router: no engine discovery")
	}
	if opts.Strategy == Weighted && opts.Threshold <= 0 {
		return nil, errors.New("cannot create the router: the weighted strategy needs a sessions-per-engine threshold")
	}
	if opts.Threshold < 0 {
		return nil, fmt.Errorf("cannot create the router: the sessions-per-engine threshold %d is negative", opts.Threshold)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.HealthTimeout <= 0 {
		opts.HealthTimeout = DefaultHealthTimeout
	}
	if opts.StickyTTL <= 0 {
		opts.StickyTTL = DefaultStickyTTL
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = DefaultMaxSessions
	}
	if opts.PrewarmTTL <= 0 {
		opts.PrewarmTTL = DefaultPrewarmTTL
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.DownFor <= 0 {
		opts.DownFor = DefaultDownFor
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = cryptoRand
	}
	dial := &net.Dialer{Timeout: opts.DialTimeout}
	tr := &http.Transport{
		Proxy:                 nil, // engines are reached directly, never through HTTP_PROXY
		DialContext:           dial.DialContext,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       2 * opts.PollInterval,
		ResponseHeaderTimeout: opts.HealthTimeout,
	}
	r := &Router{
		opts:    opts,
		log:     opts.Logger,
		client:  &http.Client{Transport: tr, Timeout: opts.HealthTimeout},
		dialer:  &websocket.Dialer{NetDialContext: dial.DialContext, HandshakeTimeout: opts.DialTimeout + opts.HealthTimeout},
		sticky:  newStickyTable(opts.StickyTTL, opts.MaxSessions),
		engines: map[string]*engine{},
		started: opts.Now(),
	}
	return r, nil
}

// netDialer is the dialer of connections to engines.
func (r *Router) netDialer() *net.Dialer { return &net.Dialer{Timeout: r.opts.DialTimeout} }

func cryptoRand(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("BUG: crypto/rand failed: " + err.Error())
	}
	return int(v.Int64())
}

// Run polls the engines every PollInterval until ctx ends.
func (r *Router) Run(ctx context.Context) {
	t := time.NewTicker(r.opts.PollInterval)
	defer t.Stop()
	for {
		r.Poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll discovers the engines and checks each one's health and metrics
// once (concurrently). A discovery error keeps the engines known before.
func (r *Router) Poll(ctx context.Context) {
	r.pollOnce.Lock()
	defer r.pollOnce.Unlock()
	targets, err := r.opts.Discovery.Discover(ctx)
	if err != nil {
		r.log.Warn("engine discovery failed; keeping the engines known before", "err", err)
		r.mu.Lock()
		r.discErr = err.Error()
		r.mu.Unlock()
	} else {
		r.setTargets(targets)
	}
	r.mu.RLock()
	list := make([]*engine, 0, len(r.engines))
	for _, e := range r.engines {
		list = append(list, e)
	}
	r.mu.RUnlock()

	var wg sync.WaitGroup
	statuses := make([]string, len(list))
	for i, e := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, r.opts.HealthTimeout)
			defer cancel()
			before := e.snapshot(r.opts.Now()).status
			statuses[i] = e.poll(pctx, r.client, r.opts.Now())
			if s := e.snapshot(r.opts.Now()); s.status != before {
				r.log.Info("engine status changed", "engine", e.Name, "addr", e.Addr(), "from", before, "to", s.status, "reason", s.lastErr)
			}
		}()
	}
	wg.Wait()
	r.mu.Lock()
	r.polled = true
	r.mu.Unlock()
	if m := r.opts.Metrics; m != nil {
		byStatus := map[string]int{}
		active, remaining := 0, 0
		for _, st := range statuses {
			m.HealthCheck(st)
			byStatus[st]++
		}
		for _, e := range list {
			s := e.snapshot(r.opts.Now())
			if s.eligible() {
				active += s.active
				if r.opts.Threshold > 0 {
					remaining += max(0, r.opts.Threshold-s.active)
				}
			}
		}
		m.SetEngines(byStatus, active, remaining)
	}
}

// setTargets replaces the known engines with what discovery found,
// keeping the state of the engines that stay.
func (r *Router) setTargets(targets []Target) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.discErr = ""
	seen := map[string]bool{}
	for _, t := range targets {
		seen[t.Name] = true
		if e := r.engines[t.Name]; e != nil {
			e.mu.Lock()
			e.Target = t
			e.mu.Unlock()
			continue
		}
		r.engines[t.Name] = &engine{Target: t, status: StatusUnhealthy, lastErr: "not polled yet"}
		r.log.Info("engine discovered", "engine", t.Name, "addr", t.Addr(), "metrics", t.MetricsAddr())
	}
	for name := range r.engines {
		if !seen[name] {
			delete(r.engines, name)
			r.log.Info("engine gone", "engine", name)
			if r.opts.Metrics != nil {
				r.opts.Metrics.EngineGone(name)
			}
		}
	}
}

// snapshots returns the state of every engine, sorted by name.
func (r *Router) snapshots() []snapshot {
	now := r.opts.Now()
	r.mu.RLock()
	out := make([]snapshot, 0, len(r.engines))
	for _, e := range r.engines {
		out = append(out, e.snapshot(now))
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b snapshot) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}

func (r *Router) engine(name string) *engine {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.engines[name]
}

// ErrNoEngine is returned when no engine can take a session.
var ErrNoEngine = errors.New("no engine can take a new session")

// place picks an engine for a new session, skipping excluded ones.
func (r *Router) place(exclude map[string]bool) (snapshot, error) {
	all := r.snapshots()
	cands := candidates(all, r.opts.Threshold, exclude)
	if len(cands) == 0 {
		return snapshot{}, r.noEngine(all)
	}
	s := r.opts.Strategy.pick(cands, r.opts.Threshold, r.rrNext.Add(1)-1, r.opts.Rand)
	if e := r.engine(s.Name); e != nil {
		e.placedOne()
	}
	return s, nil
}

// noEngine explains why no engine can take a session.
func (r *Router) noEngine(all []snapshot) error {
	if len(all) == 0 {
		r.mu.RLock()
		derr := r.discErr
		r.mu.RUnlock()
		if derr != "" {
			return fmt.Errorf("%w: no engine was discovered (%s)", ErrNoEngine, derr)
		}
		return fmt.Errorf("%w: no engine was discovered", ErrNoEngine)
	}
	healthy, full := 0, 0
	for _, s := range all {
		if s.eligible() {
			healthy++
			if r.opts.Threshold > 0 && s.active >= r.opts.Threshold {
				full++
			}
		}
	}
	if healthy > 0 && full == healthy {
		return fmt.Errorf("%w: all %d healthy engines have reached %d sessions", ErrNoEngine, healthy, r.opts.Threshold)
	}
	return fmt.Errorf("%w: none of the %d engines is healthy (the router polls every %s)", ErrNoEngine, len(all), r.opts.PollInterval)
}

// newSessionID returns a random UUID (version 4).
func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// credentialHash names the credentials of a request in sticky keys
// without keeping them.
func credentialHash(authorization string) string {
	if authorization == "" {
		return "-"
	}
	sum := sha256.Sum256([]byte(authorization))
	return hex.EncodeToString(sum[:12])
}
