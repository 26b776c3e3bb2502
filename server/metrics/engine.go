package metrics

import (
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/assocengine/assoc/server/license"
)

// Figures are the engine's figures at one moment, read on every scrape.
type Figures struct {
	// ActiveSessions is the number of live engine sessions.
	ActiveSessions int
	// TotalSessions counts sessions since start.
	TotalSessions int64
	// ActiveDocs is the number of apps with a session, LoadedDocs the
	// number in memory.
	ActiveDocs, LoadedDocs int
	// Connections is the number of WebSocket connections.
	Connections int
	// ActiveUsers is the number of distinct users with a live session.
	ActiveUsers int
	// Selections counts selections since start.
	Selections int64
	// MemCommitted, MemAllocated and MemFree are in bytes: what the
	// process holds, its live heap, what is left to it.
	MemCommitted, MemAllocated, MemFree float64
	// CPUPercent is the process's CPU use in percent of all cores.
	CPUPercent float64
}

// EngineOptions configure an Engine. The zero value works: every figure
// reads zero and there are no license metrics.
type EngineOptions struct {
	// Version is the build's version (qix_build_info).
	Version string
	// Figures returns the engine's figures; it is called on every scrape
	// and must be cheap and safe for concurrent use. nil reports zeros.
	Figures func() Figures
	// License returns the license usage; nil leaves the license metrics
	// out.
	License func() license.Usage
	// CoreCap is the number of cores the engine may use (0: not reported).
	CoreCap int
	// Now tells the time for qix_expiry_seconds; nil is time.Now.
	Now func() time.Time
}

// Latency buckets, in seconds: requests from 0.5 ms to about 16 s,
// reloads from 100 ms to about 14 minutes.
var (
	requestBuckets = prometheus.ExponentialBuckets(0.0005, 2, 16)
	reloadBuckets  = prometheus.ExponentialBuckets(0.1, 2, 14)
)

// Session states that label qix_sessions_refused_total; others count as
// "other".
var refusalStates = []string{
	license.StateNoLicense, license.StateLimitExceeded, license.StateLicenseRenew,
	"SESSION_ERROR_APP_ACCESS_DENIED", "SESSION_ERROR_APP_FAILURE",
}

// Reasons that label qix_auth_failures_total; others count as "other".
var authReasons = []string{"no_token", "malformed", "bad_signature", "expired", "not_yet_valid", "wrong_issuer",
	"wrong_audience", "unknown_key", "too_large", "bad_algorithm", "claims", "unavailable"}

// Engine holds the metrics of one engine. Its methods are safe for
// concurrent use and cheap enough to call on every request.
type Engine struct {
	reg *prometheus.Registry

	requests      prometheus.Counter
	activeReqs    prometheus.Gauge
	requestDur    prometheus.Histogram
	selectionDur  prometheus.Histogram
	layoutDur     prometheus.Histogram
	reloadDur     *prometheus.HistogramVec
	refused       *prometheus.CounterVec
	authFailures  *prometheus.CounterVec
	accessDenied  prometheus.Counter
	reloadOK      prometheus.Observer
	reloadFailed  prometheus.Observer
	reloadAborted prometheus.Observer
}

// NewEngine registers the engine metrics in a new registry.
func NewEngine(opts EngineOptions) *Engine {
	if opts.Figures == nil {
		opts.Figures = func() Figures { return Figures{} }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	reg := prometheus.NewRegistry()
	m := &Engine{reg: reg}
	fig := opts.Figures
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&figuresCollector{figures: fig},
	)
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "qix_build_info", Help: "The engine's build: always 1."},
		[]string{"version", "goversion"})
	build.WithLabelValues(opts.Version, runtime.Version()).Set(1)
	reg.MustRegister(build)
	if opts.CoreCap > 0 {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qix_core_cap", Help: "CPU cores the engine may use (GOMAXPROCS, capped by the license)."},
			func() float64 { return float64(opts.CoreCap) }))
	}
	if opts.License != nil {
		m.registerLicense(opts.License, opts.Now)
	}

	m.requests = prometheus.NewCounter(prometheus.CounterOpts{Name: "qix_requests_total", Help: "Total number of QIX requests since start."})
	m.activeReqs = prometheus.NewGauge(prometheus.GaugeOpts{Name: "qix_active_requests", Help: "QIX requests running now."})
	m.requestDur = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "qix_request_duration_seconds",
		Help: "Time to handle a QIX request.", Buckets: requestBuckets})
	m.selectionDur = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "qix_selection_duration_seconds",
		Help: "Time to handle a selection request (Select*, Clear*, Lock*, Back, Forward...).", Buckets: requestBuckets})
	m.layoutDur = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "qix_layout_duration_seconds",
		Help: "Time to compute a layout or data page (GetLayout, GetHyperCubeData, GetListObjectData...).", Buckets: requestBuckets})
	m.reloadDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "qix_reloads_duration_seconds",
		Help: "Time a reload took, by outcome.", Buckets: reloadBuckets}, []string{"status"})
	m.reloadOK = m.reloadDur.WithLabelValues("ok")
	m.reloadFailed = m.reloadDur.WithLabelValues("fail")
	m.reloadAborted = m.reloadDur.WithLabelValues("aborted")
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qix_sessions_refused_total",
		Help: "Connections refused a session, by the OnConnected state they were sent."}, []string{"state"})
	for _, s := range refusalStates {
		m.refused.WithLabelValues(s)
	}
	m.authFailures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qix_auth_failures_total",
		Help: "Requests refused for their credentials (HTTP 401), by reason."}, []string{"reason"})
	m.accessDenied = prometheus.NewCounter(prometheus.CounterOpts{Name: "qix_access_denied_total",
		Help: "QIX calls refused with Access denied (license access type or access rules)."})
	reg.MustRegister(m.requests, m.activeReqs, m.requestDur, m.selectionDur, m.layoutDur, m.reloadDur,
		m.refused, m.authFailures, m.accessDenied)
	return m
}

// registerLicense adds the license metrics.
func (m *Engine) registerLicense(usage func() license.Usage, now func() time.Time) {
	m.reg.MustRegister(&licenseCollector{usage: usage, now: now})
}

// ObserveRequest records one QIX request: its method and how long it took.
func (m *Engine) ObserveRequest(method string, d time.Duration) {
	s := d.Seconds()
	m.requests.Inc()
	m.requestDur.Observe(s)
	switch Classify(method) {
	case ClassSelection:
		m.selectionDur.Observe(s)
	case ClassLayout:
		m.layoutDur.Observe(s)
	}
}

// RequestStarted counts a running request; call RequestDone when it ends.
func (m *Engine) RequestStarted() { m.activeReqs.Inc() }

// RequestDone ends a request counted by RequestStarted.
func (m *Engine) RequestDone() { m.activeReqs.Dec() }

// ReloadOutcome is how a reload ended.
type ReloadOutcome uint8

// The reload outcomes.
const (
	ReloadOK ReloadOutcome = iota
	ReloadFailed
	ReloadAborted
)

// ObserveReload records a reload and how it ended.
func (m *Engine) ObserveReload(d time.Duration, outcome ReloadOutcome) {
	switch outcome {
	case ReloadOK:
		m.reloadOK.Observe(d.Seconds())
	case ReloadAborted:
		m.reloadAborted.Observe(d.Seconds())
	default:
		m.reloadFailed.Observe(d.Seconds())
	}
}

// SessionRefused counts a connection refused with an OnConnected state.
func (m *Engine) SessionRefused(state string) {
	for _, s := range refusalStates {
		if s == state {
			m.refused.WithLabelValues(s).Inc()
			return
		}
	}
	m.refused.WithLabelValues("other").Inc()
}

// AuthFailed counts a request refused for its credentials; reason is one
// of no_token, malformed, bad_signature, expired, not_yet_valid,
// wrong_issuer, wrong_audience, unknown_key, too_large, bad_algorithm,
// claims or unavailable (anything else counts as "other").
func (m *Engine) AuthFailed(reason string) {
	for _, r := range authReasons {
		if r == reason {
			m.authFailures.WithLabelValues(r).Inc()
			return
		}
	}
	m.authFailures.WithLabelValues("other").Inc()
}

// AccessDenied counts a call refused with Access denied.
func (m *Engine) AccessDenied() { m.accessDenied.Inc() }

// Registry returns the registry, for serving it or adding collectors.
func (m *Engine) Registry() *prometheus.Registry { return m.reg }

// licenseCollector reports the license usage, read once per scrape.
type licenseCollector struct {
	usage func() license.Usage
	now   func() time.Time
}

var (
	licenseTimeDesc = prometheus.NewDesc("license_time_consumption",
		"Analyzer Capacity minutes consumed this calendar month (shown once non-zero).", nil, nil)
	licenseTotalDesc = prometheus.NewDesc("license_time_total",
		"Analyzer Capacity minutes per calendar month the license gives.", nil, nil)
	allocDesc = prometheus.NewDesc("license_allocations",
		"User allocations assigned, by access type.", []string{"access"}, nil)
	allocTotalDesc = prometheus.NewDesc("license_allocations_total",
		"User allocations the license key grants, by access type.", []string{"access"}, nil)
	tokensDesc = prometheus.NewDesc("license_tokens_allocated",
		"Tokens allocated to access passes (token licenses).", nil, nil)
	tokensTotalDesc = prometheus.NewDesc("license_tokens_total",
		"Tokens the license key holds.", nil, nil)
	connsDesc = prometheus.NewDesc("license_connections",
		"Connections the license counts, over every engine that shares the key.", nil, nil)
	modeDesc = prometheus.NewDesc("license_mode",
		"The license mode in force (licensed, evaluation or expired) and its key id: always 1.", []string{"mode", "key_id"}, nil)
	expiryDesc = prometheus.NewDesc("qix_expiry_seconds",
		"Seconds until the license key expires (negative once expired).", nil, nil)
)

func (c *licenseCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{licenseTimeDesc, licenseTotalDesc, allocDesc, allocTotalDesc, tokensDesc,
		tokensTotalDesc, connsDesc, modeDesc, expiryDesc} {
		ch <- d
	}
}

func (c *licenseCollector) Collect(ch chan<- prometheus.Metric) {
	u := c.usage()
	gauge := func(d *prometheus.Desc, v int, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	if u.CapacityMinutesUsed > 0 {
		gauge(licenseTimeDesc, u.CapacityMinutesUsed)
	}
	gauge(licenseTotalDesc, u.CapacityMinutesTotal)
	gauge(allocDesc, u.Professional, "professional")
	gauge(allocDesc, u.Analyzer, "analyzer")
	gauge(allocTotalDesc, u.ProfessionalTotal, "professional")
	gauge(allocTotalDesc, u.AnalyzerTotal, "analyzer")
	gauge(tokensDesc, u.TokensAllocated)
	gauge(tokensTotalDesc, u.Tokens)
	gauge(connsDesc, u.Connections)
	gauge(modeDesc, 1, u.Mode, u.KeyID)
	if u.Expires != "" {
		if t, err := time.Parse(time.RFC3339, u.Expires); err == nil {
			ch <- prometheus.MustNewConstMetric(expiryDesc, prometheus.GaugeValue, t.Sub(c.now()).Seconds())
		}
	}
}

// figuresCollector reports the Figures, read once per scrape.
type figuresCollector struct{ figures func() Figures }

// figureDescs are the metrics of Figures, in the order Collect sends them.
var figureDescs = []struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(f *Figures) float64
}{
	{prometheus.NewDesc("qix_active_sessions", "Current number of active sessions.", nil, nil), prometheus.GaugeValue,
		func(f *Figures) float64 { return float64(f.ActiveSessions) }},
	{prometheus.NewDesc("qix_sessions_total", "Total number of sessions since start.", nil, nil), prometheus.CounterValue,
		func(f *Figures) float64 { return float64(f.TotalSessions) }},
	{prometheus.NewDesc("qix_active_documents", "Current number of apps with at least one session.", nil, nil), prometheus.GaugeValue,
		func(f *Figures) float64 { return float64(f.ActiveDocs) }},
	{prometheus.NewDesc("qix_loaded_documents", "Current number of apps in memory.", nil, nil), prometheus.GaugeValue,
		func(f *Figures) float64 { return float64(f.LoadedDocs) }},
	{prometheus.NewDesc("qix_active_connections", "Current number of WebSocket connections.", nil, nil), prometheus.GaugeValue,
		func(f *Figures) float64 { return float64(f.Connections) }},
	{prometheus.NewDesc("qix_active_users", "Current number of distinct authenticated users with a session.", nil, nil), prometheus.GaugeValue,
		func(f *Figures) float64 { return float64(f.ActiveUsers) }},
	{prometheus.NewDesc("qix_selections_total", "Total number of selections since start.", nil, nil), prometheus.CounterValue,
		func(f *Figures) float64 { return float64(f.Selections) }},
	{prometheus.NewDesc("qix_memory_committed_bytes", "Memory the process holds from the operating system.", nil, nil), prometheus.GaugeValue,
		func(f *Figures) float64 { return f.MemCommitted }},
	{prometheus.NewDesc("qix_memory_allocated_bytes", "Live heap of the process.", nil, nil), prometheus.GaugeValue,
		func(f *Figures) float64 { return f.MemAllocated }},
	{prometheus.NewDesc("qix_memory_free_bytes", "Memory still available to the process (machine or container limit).", nil, nil), prometheus.GaugeValue,
		func(f *Figures) float64 { return f.MemFree }},
	{prometheus.NewDesc("qix_cpu_usage_percent", "CPU use of the process in percent of all cores.", nil, nil), prometheus.GaugeValue,
		func(f *Figures) float64 { return f.CPUPercent }},
}

func (c *figuresCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range figureDescs {
		ch <- d.desc
	}
}

func (c *figuresCollector) Collect(ch chan<- prometheus.Metric) {
	f := c.figures()
	for _, d := range figureDescs {
		ch <- prometheus.MustNewConstMetric(d.desc, d.kind, d.value(&f))
	}
}
