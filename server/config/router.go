package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/assocengine/assoc/server/router"
)

// RouterConfig is the configuration of assoc router.
type RouterConfig struct {
	// ConfigFile is the YAML configuration file (--config): router.* keys.
	ConfigFile string
	// Addr serves the proxied QIX connections, /v1/engines, the
	// placement API and /health; MetricsAddr serves /metrics ("" is off).
	Addr        string
	MetricsAddr string
	// Engines is a static list of engines: host:port[/metricsPort].
	Engines []string
	// DNSName discovers the engines as the addresses of a name (a headless
	// Service), with DNSPort and DNSMetricsPort.
	DNSName        string
	DNSPort        int
	DNSMetricsPort int
	// Kubernetes discovers engine pods through the Kubernetes API.
	Kubernetes      bool
	K8sAPIServer    string
	K8sNamespace    string
	K8sLabel        string
	K8sAPIPortLabel string
	K8sMetricsLabel string
	K8sTokenFile    string
	K8sCAFile       string
	// Strategy, Threshold and the durations: see router.Options.
	Strategy        string
	Threshold       int
	PollInterval    time.Duration
	HealthTimeout   time.Duration
	StickyTTL       time.Duration
	MaxSessions     int
	PrewarmTTL      time.Duration
	ShutdownTimeout time.Duration
	LogLevel        slog.Level
	LogFormat       string
}

// DefaultRouter returns the router configuration used when nothing is
// set: port 9455 (qix-session's), metrics on 9090, least-load placement,
// polls every 10 s.
func DefaultRouter() RouterConfig {
	return RouterConfig{
		Addr:            ":9455",
		MetricsAddr:     ":9090",
		DNSPort:         router.DefaultAPIPort,
		DNSMetricsPort:  router.DefaultMetricsPort,
		K8sLabel:        router.DefaultLabel,
		K8sAPIPortLabel: router.DefaultAPIPortLabel,
		K8sMetricsLabel: router.DefaultMetricsPortLabel,
		Strategy:        "leastload",
		PollInterval:    router.DefaultPollInterval,
		HealthTimeout:   router.DefaultHealthTimeout,
		StickyTTL:       router.DefaultStickyTTL,
		MaxSessions:     router.DefaultMaxSessions,
		PrewarmTTL:      router.DefaultPrewarmTTL,
		ShutdownTimeout: 30 * time.Second,
		LogLevel:        slog.LevelInfo,
		LogFormat:       "text",
	}
}

// RouterFileKeys map the configuration file's router.* keys to the flags
// of assoc router.
var RouterFileKeys = []FileKey{
	{"router.addr", "addr"},
	{"router.metricsAddr", "metrics-addr"},
	{"router.engines", "engine"},
	{"router.discovery.dns.name", "dns-name"},
	{"router.discovery.dns.port", "dns-port"},
	{"router.discovery.dns.metricsPort", "dns-metrics-port"},
	{"router.discovery.kubernetes.enabled", "kubernetes"},
	{"router.discovery.kubernetes.apiServer", "k8s-api-server"},
	{"router.discovery.kubernetes.namespace", "k8s-namespace"},
	{"router.discovery.kubernetes.label", "k8s-label"},
	{"router.discovery.kubernetes.apiPortLabel", "k8s-api-port-label"},
	{"router.discovery.kubernetes.metricsPortLabel", "k8s-metrics-port-label"},
	{"router.strategy", "strategy"},
	{"router.sessionsPerEngineThreshold", "sessions-per-engine-threshold"},
	{"router.pollInterval", "poll-interval"},
	{"router.healthTimeout", "health-timeout"},
	{"router.stickyTTL", "sticky-ttl"},
	{"router.maxSessions", "max-sessions"},
	{"router.prewarmTTL", "prewarm-ttl"},
	{"router.logLevel", "log-level"},
	{"router.logFormat", "log-format"},
}

// RouterCompatEnv are the variables of Qlik's placement service and Mira
// that assoc router also reads when its own ASSOC_* variable is not set:
// flag name → variable.
var RouterCompatEnv = map[string]string{
	"strategy":                      "SESSION_STRATEGY",
	"sessions-per-engine-threshold": "SESSIONS_PER_ENGINE_THRESHOLD",
	"k8s-label":                     "MIRA_DISCOVERY_LABEL",
	"k8s-api-port-label":            "MIRA_ENGINE_API_PORT_LABEL",
	"k8s-metrics-port-label":        "MIRA_ENGINE_METRICS_PORT_LABEL",
	"k8s-namespace":                 "MIRA_KUBERNETES_TARGET_NAMESPACE",
}

// RegisterFlags binds the flags of assoc router to c.
func (c *RouterConfig) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.ConfigFile, ConfigFlag, c.ConfigFile, "YAML configuration `file` (router.* keys of the Helm chart's values)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen `address` for QIX WebSocket proxying, /v1/engines, /v1/session/... and /health")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "listen `address` for Prometheus /metrics (empty: off)")
	fs.Var((*commaListValue)(&c.Engines), "engine", "a static engine `host:port[/metricsPort]` (repeatable; env: comma separated)")
	fs.StringVar(&c.DNSName, "dns-name", c.DNSName, "discover engines as the addresses of this DNS `name` (a headless Service)")
	fs.IntVar(&c.DNSPort, "dns-port", c.DNSPort, "QIX `port` of engines found by DNS")
	fs.IntVar(&c.DNSMetricsPort, "dns-metrics-port", c.DNSMetricsPort, "metrics `port` of engines found by DNS")
	fs.BoolVar(&c.Kubernetes, "kubernetes", c.Kubernetes, "discover engine pods through the Kubernetes API (needs RBAC to list pods)")
	fs.StringVar(&c.K8sAPIServer, "k8s-api-server", c.K8sAPIServer, "Kubernetes API server `URL` (default: the in-cluster one)")
	fs.StringVar(&c.K8sNamespace, "k8s-namespace", c.K8sNamespace, "`namespace` of the engine pods (default: the router's own; * for all)")
	fs.StringVar(&c.K8sLabel, "k8s-label", c.K8sLabel, "label `selector` of the engine pods")
	fs.StringVar(&c.K8sAPIPortLabel, "k8s-api-port-label", c.K8sAPIPortLabel, "pod `label` holding the QIX port")
	fs.StringVar(&c.K8sMetricsLabel, "k8s-metrics-port-label", c.K8sMetricsLabel, "pod `label` holding the metrics port")
	fs.StringVar(&c.K8sTokenFile, "k8s-token-file", c.K8sTokenFile, "service account token `file` (default: the in-cluster one)")
	fs.StringVar(&c.K8sCAFile, "k8s-ca-file", c.K8sCAFile, "cluster CA `file` (default: the in-cluster one)")
	fs.StringVar(&c.Strategy, "strategy", c.Strategy, "placement `strategy`: leastload, roundrobin or weighted")
	fs.IntVar(&c.Threshold, "sessions-per-engine-threshold", c.Threshold, "active sessions from which an engine gets no new session (0: none; weighted needs it)")
	fs.DurationVar(&c.PollInterval, "poll-interval", c.PollInterval, "how often engines are discovered and polled")
	fs.DurationVar(&c.HealthTimeout, "health-timeout", c.HealthTimeout, "time limit of one engine's health poll")
	fs.DurationVar(&c.StickyTTL, "sticky-ttl", c.StickyTTL, "how long a session's engine is remembered after its last connection")
	fs.IntVar(&c.MaxSessions, "max-sessions", c.MaxSessions, "sessions the router remembers at most")
	fs.DurationVar(&c.PrewarmTTL, "prewarm-ttl", c.PrewarmTTL, "TTL of the session the router opens before the client attaches")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long a graceful shutdown waits for proxied connections")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log `level`: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log `format`: text or json")
}

// LoadRouter parses the command line, the environment (ASSOC_*, then the
// compatible variables of RouterCompatEnv) and the configuration file.
func LoadRouter(c *RouterConfig, fs *flag.FlagSet, args []string, getenv func(string) (string, bool)) (*File, error) {
	compat := func(name string) (string, bool) {
		if v, ok := getenv(name); ok {
			return v, true
		}
		for flagName, old := range RouterCompatEnv {
			if EnvName(flagName) == name {
				return getenv(old)
			}
		}
		return "", false
	}
	return Load(fs, args, compat, RouterFileKeys)
}

// Validate checks the router configuration.
func (c *RouterConfig) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("--addr is empty"))
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
		errs = append(errs, fmt.Errorf("--metrics-addr %s is the same as --addr", c.MetricsAddr))
	}
	sources := 0
	for _, on := range []bool{len(c.Engines) > 0, c.DNSName != "", c.Kubernetes} {
		if on {
			sources++
		}
	}
	if sources != 1 {
		errs = append(errs, fmt.Errorf("give exactly one engine discovery: --engine, --dns-name or --kubernetes (got %d)", sources))
	}
	if len(c.Engines) > 0 {
		if _, err := router.ParseStatic(c.Engines); err != nil {
			errs = append(errs, fmt.Errorf("--engine: %w", err))
		}
	}
	for _, p := range []struct {
		name string
		v    int
	}{{"--dns-port", c.DNSPort}, {"--dns-metrics-port", c.DNSMetricsPort}} {
		if p.v < 1 || p.v > 65535 {
			errs = append(errs, fmt.Errorf("%s %d is not a port", p.name, p.v))
		}
	}
	s, err := router.ParseStrategy(c.Strategy)
	if err != nil {
		errs = append(errs, fmt.Errorf("--strategy: %w", err))
	}
	if c.Threshold < 0 {
		errs = append(errs, fmt.Errorf("--sessions-per-engine-threshold %d is negative", c.Threshold))
	}
	if err == nil && s == router.Weighted && c.Threshold <= 0 {
		errs = append(errs, errors.New("--strategy weighted needs --sessions-per-engine-threshold"))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--poll-interval", c.PollInterval}, {"--health-timeout", c.HealthTimeout}, {"--sticky-ttl", c.StickyTTL}, {"--prewarm-ttl", c.PrewarmTTL}} {
		if d.v < 100*time.Millisecond {
			errs = append(errs, fmt.Errorf("%s %s is too short (100ms at least)", d.name, d.v))
		}
	}
	if c.MaxSessions < 1 {
		errs = append(errs, fmt.Errorf("--max-sessions %d must be at least 1", c.MaxSessions))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	return errors.Join(errs...)
}

// Logger returns a logger writing to w in the configured format and level.
func (c *RouterConfig) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// RouterOptions returns the router's options (without discovery, logger
// and metrics, which the command builds).
func (c *RouterConfig) RouterOptions() router.Options {
	s, _ := router.ParseStrategy(c.Strategy)
	return router.Options{Strategy: s, Threshold: c.Threshold, PollInterval: c.PollInterval,
		HealthTimeout: c.HealthTimeout, StickyTTL: c.StickyTTL, MaxSessions: c.MaxSessions, PrewarmTTL: c.PrewarmTTL}
}

// Discovery returns the engine discovery the configuration names.
func (c *RouterConfig) Discovery() (router.Discoverer, error) {
	switch {
	case len(c.Engines) > 0:
		return router.ParseStatic(c.Engines)
	case c.DNSName != "":
		return router.DNS{Name: c.DNSName, Port: c.DNSPort, MetricsPort: c.DNSMetricsPort}, nil
	case c.Kubernetes:
		return &router.Kubernetes{APIServer: c.K8sAPIServer, Namespace: c.K8sNamespace, Label: c.K8sLabel,
			APIPortLabel: c.K8sAPIPortLabel, MetricsPortLabel: c.K8sMetricsLabel, TokenFile: c.K8sTokenFile, CAFile: c.K8sCAFile}, nil
	}
	return nil, errors.New("no engine discovery configured")
}
