package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/assocengine/assoc/server"
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
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:            ":9076",
		SessionTTL:      0,
		MaxSessionTTL:   30 * time.Minute,
		MaxMessageBytes: server.DefaultMaxMessageBytes,
		MaxInFlight:     server.DefaultMaxInFlight,
		PingInterval:    server.DefaultPingInterval,
		ShutdownTimeout: 30 * time.Second,
		LogLevel:        slog.LevelInfo,
		LogFormat:       "text",
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
}

// Parse parses args into the flags of fs, then sets every flag that was not
// on the command line from its environment variable (ASSOC_<NAME>, with -
// as _), looked up with getenv (os.LookupEnv in the binary). Command-line
// flags win over the environment, which wins over defaults. Positional
// arguments are an error.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) (string, bool)) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
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
		}
	})
	return errors.Join(errs...)
}

// EnvName returns the environment variable of a flag name.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func setFromEnv(f *flag.Flag, val string) error {
	lv, ok := f.Value.(*listValue)
	if !ok {
		return f.Value.Set(val)
	}
	*lv = nil
	for _, part := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == os.PathListSeparator }) {
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
	return errors.Join(errs...)
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
