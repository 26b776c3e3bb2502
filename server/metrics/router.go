package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Placement outcomes that label router_placements_total.
const (
	PlacementPlaced       = "placed"
	PlacementSticky       = "sticky"
	PlacementNoEngine     = "no_engine"
	PlacementUnknownApp   = "unknown_app"
	PlacementUnreachable  = "engine_unreachable"
	PlacementUnauthorized = "unauthorized"
	PlacementDenied       = "denied"
	PlacementBadRequest   = "bad_request"
)

var placementOutcomes = []string{PlacementPlaced, PlacementSticky, PlacementNoEngine, PlacementUnknownApp,
	PlacementUnreachable, PlacementUnauthorized, PlacementDenied, PlacementBadRequest}

// Engine statuses that label router_engines (Mira's statuses plus
// draining).
var engineStatuses = []string{"OK", "UNHEALTHY", "NO_METRICS", "DRAINING"}

// RouterOptions configure a Router.
type RouterOptions struct {
	// Version is the build's version (assoc_router_build_info).
	Version string
	// Strategy is the placement strategy, a label of the placements.
	Strategy string
}

// Router holds the metrics of a session router.
type Router struct {
	reg        *prometheus.Registry
	strategy   string
	placements *prometheus.CounterVec
	perEngine  *prometheus.CounterVec
	engines    *prometheus.GaugeVec
	active     prometheus.Gauge
	remaining  prometheus.Gauge
	proxied    prometheus.Gauge
	proxyTotal prometheus.Counter
	checks     *prometheus.CounterVec
}

// NewRouter registers the router metrics in a new registry.
func NewRouter(opts RouterOptions) *Router {
	reg := prometheus.NewRegistry()
	m := &Router{reg: reg, strategy: opts.Strategy}
	m.placements = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "router_placements_total",
		Help: "Session placement requests, by strategy and outcome."}, []string{"strategy", "result"})
	for _, o := range placementOutcomes {
		m.placements.WithLabelValues(opts.Strategy, o)
	}
	m.perEngine = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "router_engine_placements_total",
		Help: "Sessions placed on each engine."}, []string{"engine"})
	m.engines = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "router_engines",
		Help: "Engines known to the router, by status."}, []string{"status"})
	for _, s := range engineStatuses {
		m.engines.WithLabelValues(s)
	}
	m.active = prometheus.NewGauge(prometheus.GaugeOpts{Name: "active_sessions_nodes_total",
		Help: "Active sessions over every healthy engine."})
	m.remaining = prometheus.NewGauge(prometheus.GaugeOpts{Name: "remaining_sessions_nodes_total",
		Help: "Sessions the healthy engines can still take before the sessions-per-engine threshold."})
	m.proxied = prometheus.NewGauge(prometheus.GaugeOpts{Name: "router_proxied_connections",
		Help: "WebSocket connections the router proxies now."})
	m.proxyTotal = prometheus.NewCounter(prometheus.CounterOpts{Name: "router_proxied_connections_total",
		Help: "WebSocket connections proxied since start."})
	m.checks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "router_health_checks_total",
		Help: "Engine health polls, by resulting status."}, []string{"status"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "assoc_router_build_info", Help: "The router's build: always 1."},
		[]string{"version"})
	build.WithLabelValues(opts.Version).Set(1)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.placements, m.perEngine, m.engines, m.active, m.remaining, m.proxied, m.proxyTotal, m.checks, build)
	return m
}

// Registry returns the registry, for serving it.
func (m *Router) Registry() *prometheus.Registry { return m.reg }

// Placement counts a placement request and its outcome (one of the
// Placement* constants; anything else is counted as bad_request).
func (m *Router) Placement(outcome string) {
	for _, o := range placementOutcomes {
		if o == outcome {
			m.placements.WithLabelValues(m.strategy, o).Inc()
			return
		}
	}
	m.placements.WithLabelValues(m.strategy, PlacementBadRequest).Inc()
}

// PlacedOn counts a session placed on an engine (its address).
func (m *Router) PlacedOn(engine string) { m.perEngine.WithLabelValues(engine).Inc() }

// EngineGone drops the series of an engine that left.
func (m *Router) EngineGone(engine string) { m.perEngine.DeleteLabelValues(engine) }

// SetEngines sets the number of engines by status and the session totals
// of the healthy ones.
func (m *Router) SetEngines(byStatus map[string]int, activeSessions, remaining int) {
	for _, s := range engineStatuses {
		m.engines.WithLabelValues(s).Set(float64(byStatus[s]))
	}
	m.active.Set(float64(activeSessions))
	m.remaining.Set(float64(remaining))
}

// HealthCheck counts one health poll and the status it gave.
func (m *Router) HealthCheck(status string) {
	for _, s := range engineStatuses {
		if s == status {
			m.checks.WithLabelValues(s).Inc()
			return
		}
	}
}

// ProxyStarted counts a proxied WebSocket connection; call ProxyEnded when
// it closes.
func (m *Router) ProxyStarted() {
	m.proxied.Inc()
	m.proxyTotal.Inc()
}

// ProxyEnded ends a connection counted by ProxyStarted.
func (m *Router) ProxyEnded() { m.proxied.Dec() }
