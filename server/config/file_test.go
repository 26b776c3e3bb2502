package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/server/auth"
	"github.com/assocengine/assoc/server/router"
)

func loadServe(t *testing.T, args []string, env map[string]string) (Config, *File, error) {
	t.Helper()
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterFlags(fs)
	f, err := Load(fs, args, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, ServeFileKeys)
	return c, f, err
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	return p
}

// TestSeedValues reads the seed's values.yaml: its keys set the flags
// they map to, the identity providers parse, and the chart-only keys are
// accepted.
func TestSeedValues(t *testing.T) {
	c, f, err := loadServe(t, []string{"--config", "testdata/values-seed.yaml"}, nil)
	require.NoError(t, err)
	require.True(t, c.DevIdP, "devMode.enabled")
	require.Equal(t, "yes", c.AcceptEULA)
	require.Equal(t, time.Minute, c.SessionTTL)
	require.Equal(t, "mongodb://user:password@mongo:27017/assoc?ssl=false", c.MongoDBURI)
	require.Equal(t, "http://proxy.company.com:8888", c.LicenseProxy)
	require.NoError(t, c.Validate())

	idp, err := f.Section("identity-providers.secrets.idpConfigs")
	require.NoError(t, err)
	cfg, err := auth.ParseConfig(idp)
	require.NoError(t, err)
	require.Len(t, cfg.IdPs, 2)
	require.Equal(t, "ADFS", cfg.IdPs[0].Realm)
	require.Equal(t, auth.ClaimNames{"sub", "appid"}, cfg.IdPs[0].ClaimsMapping["sub"])

	enabled, ok, err := f.String("global.certs.enabled")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "true", enabled)
	_, ok, _ = f.String("global.nothing.here")
	require.False(t, ok)
	_, _, err = f.String("global.persistence")
	require.ErrorContains(t, err, "global.persistence must be a single value")

	// Chart-only keys of our sections are known; a misspelt one is not.
	require.Empty(t, f.Unknown(ServeFileSections, ServeFileKeys, ServeFileKnown))
}

func TestFilePrecedence(t *testing.T) {
	p := writeFile(t, `
engine:
  addr: ":7000"
  metricsAddr: ":7001"
  logFormat: json
  allowedOrigins: ["https://a.example", "https://b.example"]
  sessionTTL: 5m
licenses:
  assignment: analyzer
`)
	c, _, err := loadServe(t, []string{"--config", p, "--addr", ":8000"}, map[string]string{"ASSOC_METRICS_ADDR": ":8001"})
	require.NoError(t, err)
	require.Equal(t, ":8000", c.Addr, "the command line wins")
	require.Equal(t, ":8001", c.MetricsAddr, "the environment wins over the file")
	require.Equal(t, "json", c.LogFormat, "the file wins over the default")
	require.Equal(t, []string{"https://a.example", "https://b.example"}, c.AllowedOrigins)
	require.Equal(t, 5*time.Minute, c.SessionTTL)
	require.Equal(t, "analyzer", c.LicenseAssignment)

	// ASSOC_CONFIG names the file too.
	c, f, err := loadServe(t, nil, map[string]string{"ASSOC_CONFIG": p})
	require.NoError(t, err)
	require.Equal(t, ":7000", c.Addr)
	require.Equal(t, p, f.Path)

	// No file: no File.
	_, f, err = loadServe(t, nil, nil)
	require.NoError(t, err)
	require.Nil(t, f)
	require.Nil(t, f.Lookup("engine"))
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name, text, err string
	}{
		{"not a mapping", "- a\n- b\n", "want a mapping of keys"},
		{"not YAML", "engine: [", "cannot read the configuration"},
		{"list for a single value", "engine:\n  addr: [a, b]\n", "line 2: engine.addr must be a single value, not a list"},
		{"mapping for a value", "engine:\n  addr: {a: b}\n", "engine.addr must be a single value or a list"},
		{"bad value", "engine:\n  sessionTTL: soon\n", `line 2: engine.sessionTTL (--session-ttl) "soon": TTL "soon" is neither`},
		{"bad bool", "devMode:\n  enabled: perhaps\n", `devMode.enabled (--dev-idp) "perhaps"`},
		{"nested list items", "engine:\n  allowedOrigins: [[a]]\n", "the items of engine.allowedOrigins must be single values"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := loadServe(t, []string{"--config", writeFile(t, tc.text)}, nil)
			require.ErrorContains(t, err, tc.err)
		})
	}
	_, _, err := loadServe(t, []string{"--config", filepath.Join(t.TempDir(), "missing.yaml")}, nil)
	require.ErrorContains(t, err, "cannot read the configuration file")

	big := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(big, make([]byte, maxFileBytes+1), 0o600))
	_, _, err = loadServe(t, []string{"--config", big}, nil)
	require.ErrorContains(t, err, "more than the")

	// An empty file is an empty configuration; null values are absent.
	c, _, err := loadServe(t, []string{"--config", writeFile(t, "engine:\n  addr: ~\n")}, nil)
	require.NoError(t, err)
	require.Equal(t, ":9076", c.Addr)
	_, _, err = loadServe(t, []string{"--config", writeFile(t, "")}, nil)
	require.NoError(t, err)
}

func TestFileUnknownKeys(t *testing.T) {
	f, err := ParseFile([]byte(`
engine:
  acceptEULA: "yes"
  sesionTTL: 5
  image: {repository: x}
licenses:
  porxy: {uri: http://x}
other-chart:
  anything: 1
`))
	require.NoError(t, err)
	require.Equal(t, []string{"engine.sesionTTL", "licenses.porxy"}, f.Unknown(ServeFileSections, ServeFileKeys, ServeFileKnown))
}

func TestValidateService(t *testing.T) {
	tests := []struct {
		name string
		mod  func(c *Config)
		err  string
	}{
		{"eula yes", func(c *Config) { c.AcceptEULA = "YES" }, ""},
		{"eula no", func(c *Config) { c.AcceptEULA = "no" }, `engine.acceptEULA (--accept-eula) is "no"`},
		{"metrics on the QIX port", func(c *Config) { c.MetricsAddr = c.Addr }, "metrics need a port of their own"},
		{"leeway", func(c *Config) { c.JWTLeeway = time.Hour }, "--jwt-leeway 1h0m0s is out of range"},
		{"dev idp address", func(c *Config) { c.DevIdP = true; c.DevIdPAddr = "nope" }, "--dev-idp-addr"},
		{"two keys", func(c *Config) { c.LicenseKey = "a"; c.LicenseKeyFile = "b"; c.LicensePublicKey = "p" }, "both set"},
		{"key without public key", func(c *Config) { c.LicenseKey = "AL1.x.y" }, "needs --license-public-key"},
		{"mongodb scheme", func(c *Config) { c.MongoDBURI = "http://user:secret@h" }, `"http://user:xxxxx@h" is not a mongodb://`},
		{"mongodb ok", func(c *Config) { c.MongoDBURI = "mongodb://u:p@h:27017/db?ssl=true" }, ""},
		{"proxy scheme", func(c *Config) { c.LicenseProxy = "socks5://p:1" }, "is not an http:// or https:// URI"},
		{"assignment", func(c *Config) { c.LicenseAssignment = "everyone" }, "--license-assignment"},
		{"tick", func(c *Config) { c.LicenseTick = time.Hour }, "--license-tick 1h0m0s is out of range"},
		{"deny rules alone", func(c *Config) { c.DenyRulesFile = "d.txt" }, "--deny-rules needs --rules"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.mod(&c)
			err := c.Validate()
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.err)
			require.NotContains(t, err.Error(), "secret", "passwords are never shown")
		})
	}
	require.Equal(t, "mongodb://u:xxxxx@h/db", Redact("mongodb://u:pw@h/db"))
	require.Equal(t, "mongodb://h/db", Redact("mongodb://h/db"))
}

func loadRouter(t *testing.T, args []string, env map[string]string) (RouterConfig, error) {
	t.Helper()
	c := DefaultRouter()
	fs := flag.NewFlagSet("router", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterFlags(fs)
	_, err := LoadRouter(&c, fs, args, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return c, err
}

func TestRouterConfig(t *testing.T) {
	c, err := loadRouter(t, []string{"--config", "testdata/values-seed.yaml"}, nil)
	require.NoError(t, err)
	require.Equal(t, "weighted", c.Strategy)
	require.Equal(t, 4500, c.Threshold)
	require.True(t, c.Kubernetes)
	require.Equal(t, "assoc", c.K8sNamespace)
	require.NoError(t, c.Validate())
	d, err := c.Discovery()
	require.NoError(t, err)
	require.IsType(t, &router.Kubernetes{}, d)
	o := c.RouterOptions()
	require.Equal(t, router.Weighted, o.Strategy)
	require.Equal(t, 4500, o.Threshold)

	// The placement service's variables work when ASSOC_* are not set.
	c, err = loadRouter(t, []string{"--engine", "a:1"}, map[string]string{"SESSION_STRATEGY": "roundrobin",
		"SESSIONS_PER_ENGINE_THRESHOLD": "7", "ASSOC_SESSIONS_PER_ENGINE_THRESHOLD": "8"})
	require.NoError(t, err)
	require.Equal(t, "roundrobin", c.Strategy)
	require.Equal(t, 8, c.Threshold, "ASSOC_* wins over the compatible variable")

	c, err = loadRouter(t, nil, map[string]string{"ASSOC_ENGINE": "a:1,b:2/3"})
	require.NoError(t, err)
	require.Equal(t, []string{"a:1", "b:2/3"}, c.Engines)
	require.NoError(t, c.Validate())
	d, err = c.Discovery()
	require.NoError(t, err)
	require.Len(t, d.(router.Static), 2)
	c, err = loadRouter(t, []string{"--dns-name", "engines"}, nil)
	require.NoError(t, err)
	d, err = c.Discovery()
	require.NoError(t, err)
	require.Equal(t, router.DNS{Name: "engines", Port: 9076, MetricsPort: 9090}, d)
}

func TestRouterValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(c *RouterConfig)
		err  string
	}{
		{"no discovery", func(c *RouterConfig) {}, "give exactly one engine discovery"},
		{"two discoveries", func(c *RouterConfig) { c.Engines = []string{"a:1"}; c.Kubernetes = true }, "(got 2)"},
		{"bad engine", func(c *RouterConfig) { c.Engines = []string{"a"} }, "--engine"},
		{"bad strategy", func(c *RouterConfig) { c.Engines = []string{"a:1"}; c.Strategy = "random" }, "--strategy"},
		{"weighted without threshold", func(c *RouterConfig) { c.Engines = []string{"a:1"}; c.Strategy = "weighted" }, "needs --sessions-per-engine-threshold"},
		{"negative threshold", func(c *RouterConfig) { c.Engines = []string{"a:1"}; c.Threshold = -1 }, "is negative"},
		{"short poll", func(c *RouterConfig) { c.Engines = []string{"a:1"}; c.PollInterval = time.Millisecond }, "--poll-interval 1ms is too short"},
		{"dns port", func(c *RouterConfig) { c.DNSName = "x"; c.DNSPort = 0 }, "--dns-port 0 is not a port"},
		{"same ports", func(c *RouterConfig) { c.Engines = []string{"a:1"}; c.MetricsAddr = c.Addr }, "--metrics-addr"},
		{"log format", func(c *RouterConfig) { c.Engines = []string{"a:1"}; c.LogFormat = "xml" }, "--log-format"},
		{"max sessions", func(c *RouterConfig) { c.Engines = []string{"a:1"}; c.MaxSessions = 0 }, "--max-sessions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultRouter()
			tc.mod(&c)
			require.ErrorContains(t, c.Validate(), tc.err)
		})
	}
}
