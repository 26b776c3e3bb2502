package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/assocengine/assoc/server"
	"github.com/assocengine/assoc/server/license"
)

// EnvPrefix starts the name of every environment variable that sets a flag:
// --max-session-ttl is ASSOC_MAX_SESSION_TTL.
const EnvPrefix = "ASSOC_"

// Config is the configuration of assoc serve.
type Config struct {
	// Addr is the listen address of the QIX and health port.
	Addr string
	// DocsDir is the document directory for apps ("" keeps apps in memory).
	DocsDir string
	// AllowDirs are the only roots folder connections may point into.
	AllowDirs []string
	// SessionTTL and MaxSessionTTL: see server.Options (negative = forever /
	// no cap).
	SessionTTL    time.Duration
	MaxSessionTTL time.Duration
	// MaxMessageBytes is the largest request frame accepted.
	MaxMessageBytes int64
	// MaxInFlight is how many requests of one connection run at once.
	MaxInFlight int
	// PingInterval is the WebSocket keepalive period (negative = off).
	PingInterval time.Duration
	// ShutdownTimeout bounds the graceful shutdown on SIGTERM/SIGINT.
	ShutdownTimeout time.Duration
	// AllowedOrigins restricts browser origins (empty = any).
	AllowedOrigins []string
	// Demo loads the embedded demo app at start.
	Demo bool
	// LogLevel and LogFormat ("text" or "json") configure the log.
	LogLevel  slog.Level
	LogFormat string

	// ConfigFile is the YAML configuration file (--config), with the keys
	// of the chart's values (see ServeFileKeys).
	ConfigFile string
	// MetricsAddr is the listen address of /metrics ("" turns it off).
	MetricsAddr string
	// AcceptEULA is engine.acceptEULA: when set, it must be "yes".
	AcceptEULA string
	// EngineID names this engine among those sharing a license state
	// store (default: the host name, the pod name on Kubernetes).
	EngineID string

	// IdPConfigFile is a YAML file with the identity providers
	// (idpConfigs); the configuration file's
	// identity-providers.secrets.idpConfigs is used when it is empty.
	// Without either, authentication is off.
	IdPConfigFile string
	// AllowAnonymous lets requests without a token in as anonymous users
	// (when authentication is on).
	AllowAnonymous bool
	// JWTLeeway is the clock skew allowed on exp, nbf and iat.
	JWTLeeway time.Duration
	// RulesFile is the allow rules file of access control (Qlik Core's
	// rule syntax: deny by default, a call is allowed when a rule grants
	// it); DenyRulesFile optionally denies on top. Empty leaves access to
	// the license access types.
	RulesFile     string
	DenyRulesFile string
	// AdminGroups are the groups whose users may administer the license
	// over the REST API.
	AdminGroups []string
	// DevIdP starts the test identity provider (devMode.enabled) on
	// DevIdPAddr, a loopback address, and trusts it. Never in production.
	DevIdP     bool
	DevIdPAddr string
	// CAFile is a PEM file of extra CA certificates trusted for outbound
	// TLS (identity providers): global.certs.
	CAFile string

	// LicenseKey is the signed license key text, or LicenseKeyFile the
	// file holding it; LicensePublicKey is the PEM file of the Ed25519
	// public key that verifies it. Without a key the engine runs in
	// evaluation mode (5 sessions).
	LicenseKey       string
	LicenseKeyFile   string
	LicensePublicKey string
	// DataDir keeps the license state (allocations, passes, consumption)
	// when no MongoDB is configured; engines that share it share the
	// license. Empty keeps the state in memory.
	DataDir string
	// MongoDBURI is the deployment's MongoDB (mongodb.uri) for the license
	// state, shared by every engine pod.
	MongoDBURI string
	// LicenseAssignment is the dynamic access assignment: both,
	// professional, analyzer or none.
	LicenseAssignment string
	// LicenseAutoUserPass allocates a user access pass to an identified
	// user without one (token licenses).
	LicenseAutoUserPass bool
	// LicenseProxy is licenses.proxy.uri: the proxy for an online license
	// backend. Keys are verified offline, so it is only checked and
	// reported.
	LicenseProxy string
	// LicenseTick is how often the license renews its connections and
	// charges consumption (30 s to 60 s is right).
	LicenseTick time.Duration
}

// ServeFileKeys map the configuration file's keys to the flags of assoc
// serve. The identity providers (identity-providers.secrets.idpConfigs)
// and the CA certificates (global.certs) are read by serve itself.
var ServeFileKeys = []FileKey{
	{"devMode.enabled", "dev-idp"},
	{"engine.acceptEULA", "accept-eula"},
	{"engine.addr", "addr"},
	{"engine.metricsAddr", "metrics-addr"},
	{"engine.docsDir", "docs-dir"},
	{"engine.allowDirs", "allow-dir"},
	{"engine.sessionTTL", "session-ttl"},
	{"engine.maxSessionTTL", "max-session-ttl"},
	{"engine.maxMessageBytes", "max-message-bytes"},
	{"engine.maxInFlight", "max-in-flight"},
	{"engine.pingInterval", "ping-interval"},
	{"engine.shutdownTimeout", "shutdown-timeout"},
	{"engine.allowedOrigins", "allowed-origin"},
	{"engine.logLevel", "log-level"},
	{"engine.logFormat", "log-format"},
	{"engine.id", "engine-id"},
	{"engine.dataDir", "data-dir"},
	{"engine.rulesFile", "rules"},
	{"engine.denyRulesFile", "deny-rules"},
	{"engine.allowAnonymous", "allow-anonymous"},
	{"engine.jwtLeeway", "jwt-leeway"},
	{"engine.adminGroups", "admin-group"},
	{"engine.caFile", "ca-file"},
	{"mongodb.uri", "mongodb-uri"},
	{"licenses.key", "license-key"},
	{"licenses.keyFile", "license-key-file"},
	{"licenses.publicKeyFile", "license-public-key"},
	{"licenses.assignment", "license-assignment"},
	{"licenses.autoUserPass", "license-auto-user-pass"},
	{"licenses.proxy.uri", "license-proxy"},
}

// ServeFileSections are the top-level sections of the configuration file
// whose unknown keys serve warns about; ServeFileKnown are the keys of
// those sections that serve reads itself or that only the chart uses.
var (
	ServeFileSections = []string{"devMode", "engine", "licenses", "mongodb", "identity-providers"}
	ServeFileKnown    = []string{
		"identity-providers.secrets.idpConfigs", "devMode.idp",
		"engine.image", "engine.replicas", "engine.resources", "engine.persistence", "engine.hpa", "engine.pdb",
		"engine.podAnnotations", "engine.podLabels", "engine.nodeSelector", "engine.tolerations", "engine.affinity",
		"engine.securityContext", "engine.podSecurityContext", "engine.terminationGracePeriodSeconds",
		"engine.service", "engine.kind", "engine.extraArgs", "engine.extraEnv", "engine.probes", "engine.drain",
		"licenses.existingSecret", "licenses.publicKey", "mongodb.existingSecret",
	}
)

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:              ":9076",
		SessionTTL:        0,
		MaxSessionTTL:     30 * time.Minute,
		MaxMessageBytes:   server.DefaultMaxMessageBytes,
		MaxInFlight:       server.DefaultMaxInFlight,
		PingInterval:      server.DefaultPingInterval,
		ShutdownTimeout:   30 * time.Second,
		LogLevel:          slog.LevelInfo,
		LogFormat:         "text",
		MetricsAddr:       ":9090",
		JWTLeeway:         30 * time.Second,
		DevIdPAddr:        "127.0.0.1:9077",
		LicenseTick:       30 * time.Second,
		LicenseAssignment: "both",
	}
}

// RegisterFlags binds the flags of assoc serve to c; their defaults are c's
// current values.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen `address` for QIX (WebSocket) and /health, /healthcheck")
	fs.StringVar(&c.DocsDir, "docs-dir", c.DocsDir, "document `directory` for apps (empty: apps live in memory only)")
	fs.Var((*listValue)(&c.AllowDirs), "allow-dir", "a `directory` folder connections may point into (repeatable; env: comma or path-list separated)")
	fs.Var((*ttlValue)(&c.SessionTTL), "session-ttl", "how long a session without connections lives: `seconds` or a duration like 5m; -1 = forever")
	fs.Var((*ttlValue)(&c.MaxSessionTTL), "max-session-ttl", "cap on session TTLs, including /ttl/<n> in URLs: `seconds` or a duration; -1 = no cap")
	fs.Var((*sizeValue)(&c.MaxMessageBytes), "max-message-bytes", "largest request frame accepted, as a `size` like 16MiB; a larger one closes the socket with 1009")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", c.MaxInFlight, "requests of one connection that run at once")
	fs.DurationVar(&c.PingInterval, "ping-interval", c.PingInterval, "WebSocket keepalive ping period (negative: off)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long a graceful shutdown waits for running requests")
	fs.Var((*listValue)(&c.AllowedOrigins), "allowed-origin", "a browser `origin` allowed to connect, e.g. https://app.example.com (repeatable; default: any)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load the embedded demo app (US flights) at start")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log `level`: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log `format`: text or json")

	fs.StringVar(&c.ConfigFile, ConfigFlag, c.ConfigFile, "YAML configuration `file` with the keys of the Helm chart's values (devMode.enabled, engine.*, identity-providers.secrets.idpConfigs, mongodb.uri, licenses.*)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "listen `address` for Prometheus /metrics (empty: off)")
	fs.StringVar(&c.AcceptEULA, "accept-eula", c.AcceptEULA, "engine.acceptEULA: when given, it must be \"yes\"")
	fs.StringVar(&c.EngineID, "engine-id", c.EngineID, "`name` of this engine among those sharing the license state (default: the host name)")
	fs.StringVar(&c.IdPConfigFile, "idp-config", c.IdPConfigFile, "YAML `file` with the identity providers (idpConfigs); turns JWT authentication on")
	fs.BoolVar(&c.AllowAnonymous, "allow-anonymous", c.AllowAnonymous, "with authentication on, let requests without a token in as anonymous users")
	fs.DurationVar(&c.JWTLeeway, "jwt-leeway", c.JWTLeeway, "clock skew allowed on a token's exp, nbf and iat")
	fs.StringVar(&c.RulesFile, "rules", c.RulesFile, "allow rules `file` of access control (Qlik Core rule syntax, deny by default)")
	fs.StringVar(&c.DenyRulesFile, "deny-rules", c.DenyRulesFile, "deny rules `file` applied before the allow rules (needs --rules)")
	fs.Var((*listValue)(&c.AdminGroups), "admin-group", "a `group` whose users may administer the license over REST (repeatable)")
	fs.BoolVar(&c.DevIdP, "dev-idp", c.DevIdP, "start the test identity provider with sample users (devMode; never in production)")
	fs.StringVar(&c.DevIdPAddr, "dev-idp-addr", c.DevIdPAddr, "loopback listen `address` of the test identity provider")
	fs.StringVar(&c.CAFile, "ca-file", c.CAFile, "PEM `file` of extra CA certificates trusted for outbound TLS (global.certs)")
	fs.StringVar(&c.LicenseKey, "license-key", c.LicenseKey, "signed license `key` (AL1....); without one the engine runs in evaluation mode")
	fs.StringVar(&c.LicenseKeyFile, "license-key-file", c.LicenseKeyFile, "`file` holding the signed license key")
	fs.StringVar(&c.LicensePublicKey, "license-public-key", c.LicensePublicKey, "PEM `file` of the Ed25519 public key that verifies license keys")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "`directory` for the license state when there is no MongoDB; engines sharing it share the license")
	fs.StringVar(&c.MongoDBURI, "mongodb-uri", c.MongoDBURI, "MongoDB `URI` for the license state (mongodb.uri), e.g. mongodb://user:pw@host:27017/db?ssl=false")
	fs.StringVar(&c.LicenseAssignment, "license-assignment", c.LicenseAssignment, "dynamic access `assignment`: both, professional, analyzer or none")
	fs.BoolVar(&c.LicenseAutoUserPass, "license-auto-user-pass", c.LicenseAutoUserPass, "allocate a user access pass to identified users without one (token licenses)")
	fs.StringVar(&c.LicenseProxy, "license-proxy", c.LicenseProxy, "licenses.proxy.uri: http(s) `URI` of the proxy for an online license backend (keys are verified offline)")
	fs.DurationVar(&c.LicenseTick, "license-tick", c.LicenseTick, "how often the license renews connections and charges consumption")
}

// Parse parses args into the flags of fs, then sets every flag that was not
// on the command line from its environment variable (ASSOC_<NAME>, with -
// as _), looked up with getenv (os.LookupEnv in the binary). Command-line
// flags win over the environment, which wins over defaults. Positional
// arguments are an error. It reads no configuration file: see Load.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) (string, bool)) error {
	_, err := Load(fs, args, getenv, nil)
	return err
}

// Load is Parse plus the YAML configuration file: when fs has a --config
// flag, the file it names (or ASSOC_CONFIG names) sets, through keys, the
// flags that neither the command line nor the environment set. So the
// order is: command line, environment, file, defaults. It returns the file
// (nil without one) for the keys the command reads itself.
func Load(fs *flag.FlagSet, args []string, getenv func(string) (string, bool), keys []FileKey) (*File, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		name := EnvName(f.Name)
		val, ok := getenv(name)
		if !ok {
			return
		}
		if err := setFromEnv(f, val); err != nil {
			errs = append(errs, fmt.Errorf("cannot apply %s=%q: %w", name, val, err))
			return
		}
		set[f.Name] = true
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cf := fs.Lookup(ConfigFlag)
	if cf == nil || cf.Value.String() == "" {
		return nil, nil
	}
	file, err := LoadFile(cf.Value.String())
	if err != nil {
		return nil, err
	}
	if err := file.apply(fs, keys, set); err != nil {
		return nil, fmt.Errorf("%s: %w", file.Path, err)
	}
	return file, nil
}

// EnvName returns the environment variable of a flag name.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func setFromEnv(f *flag.Flag, val string) error {
	sep := func(r rune) bool { return r == ',' || r == os.PathListSeparator }
	var lv *listValue
	switch v := f.Value.(type) {
	case *listValue:
		lv = v
	case *commaListValue:
		lv = (*listValue)(v)
		sep = func(r rune) bool { return r == ',' }
	default:
		return f.Value.Set(val)
	}
	*lv = nil
	for _, part := range strings.FieldsFunc(val, sep) {
		if part = strings.TrimSpace(part); part != "" {
			if err := lv.Set(part); err != nil {
				return err
			}
		}
	}
	return nil
}

// Validate checks the configuration and makes directories absolute. It
// does not create anything.
func (c *Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("--addr is empty"))
	}
	if c.DocsDir != "" {
		abs, err := filepath.Abs(c.DocsDir)
		if err != nil {
			errs = append(errs, fmt.Errorf("--docs-dir %q: %w", c.DocsDir, err))
		} else {
			c.DocsDir = abs
			if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
				errs = append(errs, fmt.Errorf("--docs-dir %q is not a directory", abs))
			}
		}
	}
	for i, d := range c.AllowDirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			errs = append(errs, fmt.Errorf("--allow-dir %q: %w", d, err))
			continue
		}
		fi, err := os.Stat(abs)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("--allow-dir %q: %w", d, err))
		case !fi.IsDir():
			errs = append(errs, fmt.Errorf("--allow-dir %q is not a directory", d))
		}
		c.AllowDirs[i] = abs
	}
	if c.SessionTTL < 0 && c.MaxSessionTTL >= 0 {
		errs = append(errs, fmt.Errorf("--session-ttl -1 (forever) needs --max-session-ttl -1, not %s", c.MaxSessionTTL))
	}
	if c.MaxSessionTTL >= 0 && c.SessionTTL > c.MaxSessionTTL {
		errs = append(errs, fmt.Errorf("--session-ttl %s is above --max-session-ttl %s", c.SessionTTL, c.MaxSessionTTL))
	}
	if c.MaxMessageBytes < 1024 || c.MaxMessageBytes > 1<<30 {
		errs = append(errs, fmt.Errorf("--max-message-bytes %d is out of range (1KiB to 1GiB)", c.MaxMessageBytes))
	}
	if c.MaxInFlight < 1 {
		errs = append(errs, fmt.Errorf("--max-in-flight %d must be at least 1", c.MaxInFlight))
	}
	if c.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("--shutdown-timeout %s is negative", c.ShutdownTimeout))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	errs = append(errs, c.validateService()...)
	return errors.Join(errs...)
}

// validateService checks the settings of identity, licensing and metrics.
func (c *Config) validateService() []error {
	var errs []error
	if c.AcceptEULA != "" && !strings.EqualFold(c.AcceptEULA, "yes") {
		errs = append(errs, fmt.Errorf("engine.acceptEULA (--accept-eula) is %q: the engine starts only when it is \"yes\"", c.AcceptEULA))
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
		errs = append(errs, fmt.Errorf("--metrics-addr %s is the same as --addr: metrics need a port of their own", c.MetricsAddr))
	}
	if c.JWTLeeway < 0 || c.JWTLeeway > 10*time.Minute {
		errs = append(errs, fmt.Errorf("--jwt-leeway %s is out of range (0 to 10m)", c.JWTLeeway))
	}
	if c.DevIdP {
		if _, _, err := net.SplitHostPort(c.DevIdPAddr); err != nil {
			errs = append(errs, fmt.Errorf("--dev-idp-addr %q: %w", c.DevIdPAddr, err))
		}
	}
	if c.DenyRulesFile != "" && c.RulesFile == "" {
		errs = append(errs, errors.New("--deny-rules needs --rules: access is denied by default, so allow rules are required"))
	}
	if c.LicenseKey != "" && c.LicenseKeyFile != "" {
		errs = append(errs, errors.New("--license-key and --license-key-file are both set: give one"))
	}
	if (c.LicenseKey != "" || c.LicenseKeyFile != "") && c.LicensePublicKey == "" {
		errs = append(errs, errors.New("a license key needs --license-public-key to verify it"))
	}
	if c.MongoDBURI != "" {
		u, err := url.Parse(c.MongoDBURI)
		if err != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--mongodb-uri %q is not a mongodb:// or mongodb+srv:// URI", Redact(c.MongoDBURI)))
		}
	}
	if c.LicenseProxy != "" {
		u, err := url.Parse(c.LicenseProxy)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("licenses.proxy.uri (--license-proxy) %q is not an http:// or https:// URI", Redact(c.LicenseProxy)))
		}
	}
	if _, err := license.ParseAssignment(c.LicenseAssignment); err != nil {
		errs = append(errs, fmt.Errorf("--license-assignment: %w", err))
	}
	if c.LicenseTick < time.Second || c.LicenseTick > 2*time.Minute {
		errs = append(errs, fmt.Errorf("--license-tick %s is out of range (1s to 2m; the license expects about a minute)", c.LicenseTick))
	}
	return errs
}

// Redact hides the password of a URI for messages and logs.
func Redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return uri
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Logger returns a logger writing to w in the configured format and level.
func (c *Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// ServerOptions returns the server options of the configuration.
func (c *Config) ServerOptions(version string, log *slog.Logger) server.Options {
	maxTTL := c.MaxSessionTTL
	if maxTTL == 0 {
		// server.Options reads 0 as "the default"; a configured 0 means
		// URL TTLs are capped to nothing.
		maxTTL = time.Nanosecond
	}
	return server.Options{
		Version:         version,
		Logger:          log,
		SessionTTL:      c.SessionTTL,
		MaxSessionTTL:   maxTTL,
		MaxMessageBytes: int(c.MaxMessageBytes),
		MaxInFlight:     c.MaxInFlight,
		PingInterval:    c.PingInterval,
		AllowedOrigins:  c.AllowedOrigins,
	}
}

// listValue is a repeatable string flag.
type listValue []string

func (l *listValue) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *listValue) Set(s string) error {
	if s == "" {
		return errors.New("empty value")
	}
	*l = append(*l, s)
	return nil
}

// commaListValue is a repeatable flag whose environment variable is
// split on commas only (its values contain colons, as host:port does).
type commaListValue listValue

func (l *commaListValue) String() string { return (*listValue)(l).String() }

func (l *commaListValue) Set(s string) error { return (*listValue)(l).Set(s) }

// ttlValue is a TTL in Qlik's style: whole seconds ("30", "-1" for
// forever) or a Go duration ("5m").
type ttlValue time.Duration

func (v *ttlValue) String() string {
	if v == nil {
		return ""
	}
	d := time.Duration(*v)
	if d < 0 {
		return "-1"
	}
	return d.String()
}

func (v *ttlValue) Set(s string) error {
	d, err := ParseTTL(s)
	if err != nil {
		return err
	}
	*v = ttlValue(d)
	return nil
}

// ParseTTL parses a TTL: whole seconds ("30"), -1 for forever, or a Go
// duration ("90s", "5m").
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		switch {
		case n == -1:
			return -1, nil
		case n < 0:
			return 0, fmt.Errorf("TTL %q is negative (use -1 for forever)", s)
		case n > int64(1<<63-1)/int64(time.Second):
			return 0, fmt.Errorf("TTL %q is too large", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("TTL %q is neither seconds nor a duration like 5m", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("TTL %q is negative (use -1 for forever)", s)
	}
	return d, nil
}

// sizeValue is a byte size flag.
type sizeValue int64

func (v *sizeValue) String() string {
	if v == nil {
		return ""
	}
	return FormatSize(int64(*v))
}

func (v *sizeValue) Set(s string) error {
	n, err := ParseSize(s)
	if err != nil {
		return err
	}
	*v = sizeValue(n)
	return nil
}

// sizeUnits are the suffixes ParseSize accepts, longest first.
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30},
	{"B", 1},
}

// ParseSize parses a byte size: a number of bytes, or a number with a unit
// (B, KB/MB/GB = powers of 1000, KiB/MiB/GiB or K/M/G = powers of 1024).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if len(t) > len(u.suffix) && strings.EqualFold(t[len(t)-len(u.suffix):], u.suffix) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("size %q is not a byte count like 16777216 or 16MiB", s)
	}
	if n > (1<<63-1)/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n * mult, nil
}

// FormatSize renders a byte count with the largest binary unit that
// divides it.
func FormatSize(n int64) string {
	switch {
	case n != 0 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n != 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n != 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}
