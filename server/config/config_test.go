package config

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterFlags(fs)
	err := Parse(fs, args, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return c, err
}

func TestParse(t *testing.T) {
	dir := t.TempDir()
	sep := string(os.PathListSeparator)
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
		err   string
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			require.Equal(t, Default(), c)
			require.Equal(t, ":9076", c.Addr)
			require.Zero(t, c.SessionTTL)
		}},
		{name: "flags", args: []string{"--addr", "127.0.0.1:1234", "--docs-dir", dir, "--allow-dir", "/a", "--allow-dir=/b",
			"--session-ttl", "30", "--max-session-ttl", "1h", "--max-message-bytes", "1MiB", "--demo", "--log-level", "debug"},
			check: func(t *testing.T, c Config) {
				require.Equal(t, "127.0.0.1:1234", c.Addr)
				require.Equal(t, dir, c.DocsDir)
				require.Equal(t, []string{"/a", "/b"}, c.AllowDirs)
				require.Equal(t, 30*time.Second, c.SessionTTL)
				require.Equal(t, time.Hour, c.MaxSessionTTL)
				require.EqualValues(t, 1<<20, c.MaxMessageBytes)
				require.True(t, c.Demo)
				require.Equal(t, slog.LevelDebug, c.LogLevel)
			}},
		{name: "environment", env: map[string]string{
			"ASSOC_ADDR": ":9999", "ASSOC_DOCS_DIR": "/docs", "ASSOC_ALLOW_DIR": "/x,/y" + sep + "/z",
			"ASSOC_SESSION_TTL": "-1", "ASSOC_MAX_SESSION_TTL": "-1", "ASSOC_MAX_MESSAGE_BYTES": "2048", "ASSOC_DEMO": "true",
			"ASSOC_LOG_FORMAT": "json"},
			check: func(t *testing.T, c Config) {
				require.Equal(t, ":9999", c.Addr)
				require.Equal(t, "/docs", c.DocsDir)
				require.Equal(t, []string{"/x", "/y", "/z"}, c.AllowDirs)
				require.Equal(t, time.Duration(-1), c.SessionTTL)
				require.Equal(t, time.Duration(-1), c.MaxSessionTTL)
				require.EqualValues(t, 2048, c.MaxMessageBytes)
				require.True(t, c.Demo)
				require.Equal(t, "json", c.LogFormat)
			}},
		{name: "flags win over the environment", args: []string{"--addr", ":1", "--allow-dir", "/flag"},
			env: map[string]string{"ASSOC_ADDR": ":2", "ASSOC_ALLOW_DIR": "/env", "ASSOC_DEMO": "1"},
			check: func(t *testing.T, c Config) {
				require.Equal(t, ":1", c.Addr)
				require.Equal(t, []string{"/flag"}, c.AllowDirs)
				require.True(t, c.Demo, "variables still apply to flags not given")
			}},
		{name: "bad env value", env: map[string]string{"ASSOC_SESSION_TTL": "soon"},
			err: `cannot apply ASSOC_SESSION_TTL="soon": TTL "soon" is neither seconds nor a duration`},
		{name: "bad env bool", env: map[string]string{"ASSOC_DEMO": "maybe"}, err: `cannot apply ASSOC_DEMO="maybe"`},
		{name: "bad flag", args: []string{"--max-message-bytes", "lots"}, err: `size "lots" is not a byte count`},
		{name: "unknown flag", args: []string{"--nope"}, err: "flag provided but not defined: -nope"},
		{name: "positional argument", args: []string{"extra"}, err: `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(t, tt.args, tt.env)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	tests := []struct {
		name string
		mod  func(c *Config)
		err  string
	}{
		{name: "defaults", mod: func(c *Config) {}},
		{name: "allow dir made absolute", mod: func(c *Config) { c.AllowDirs = []string{dir} }},
		{name: "missing allow dir", mod: func(c *Config) { c.AllowDirs = []string{filepath.Join(dir, "missing")} }, err: "no such file"},
		{name: "allow dir is a file", mod: func(c *Config) { c.AllowDirs = []string{file} }, err: "is not a directory"},
		{name: "docs dir is a file", mod: func(c *Config) { c.DocsDir = file }, err: "--docs-dir"},
		{name: "forever needs no cap", mod: func(c *Config) { c.SessionTTL = -1 }, err: "needs --max-session-ttl -1"},
		{name: "ttl above cap", mod: func(c *Config) { c.SessionTTL = time.Hour }, err: "is above --max-session-ttl"},
		{name: "tiny messages", mod: func(c *Config) { c.MaxMessageBytes = 10 }, err: "--max-message-bytes 10 is out of range"},
		{name: "in flight", mod: func(c *Config) { c.MaxInFlight = 0 }, err: "--max-in-flight"},
		{name: "log format", mod: func(c *Config) { c.LogFormat = "xml" }, err: `--log-format "xml"`},
		{name: "several errors", mod: func(c *Config) { c.Addr = ""; c.MaxInFlight = 0 }, err: "--addr is empty\n--max-in-flight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.mod(&c)
			err := c.Validate()
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			for _, d := range c.AllowDirs {
				require.True(t, filepath.IsAbs(d))
			}
		})
	}
}

func TestParseTTL(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"0", 0, false}, {"30", 30 * time.Second, false}, {"-1", -1, false}, {"1800", 30 * time.Minute, false},
		{"5m", 5 * time.Minute, false}, {"1h30m", 90 * time.Minute, false}, {" 7 ", 7 * time.Second, false},
		{"-2", 0, true}, {"-5m", 0, true}, {"soon", 0, true}, {"", 0, true}, {"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseTTL(tt.in)
		if tt.err {
			require.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"1024", 1024, false}, {"16MiB", 16 << 20, false}, {"16mib", 16 << 20, false}, {"16 MiB", 16 << 20, false},
		{"1KB", 1000, false}, {"1MB", 1e6, false}, {"2GB", 2e9, false}, {"4K", 4096, false}, {"1G", 1 << 30, false},
		{"10B", 10, false}, {"0", 0, false},
		{"", 0, true}, {"MiB", 0, true}, {"-1", 0, true}, {"1.5MiB", 0, true}, {"9999999999GiB", 0, true}, {"12XB", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.err {
			require.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
	for _, n := range []int64{0, 1, 1000, 1 << 10, 16 << 20, 3 << 30} {
		back, err := ParseSize(FormatSize(n))
		require.NoError(t, err)
		require.Equal(t, n, back)
	}
}

func TestServerOptions(t *testing.T) {
	c := Default()
	c.AllowedOrigins = []string{"https://a"}
	o := c.ServerOptions("v1", nil)
	require.Equal(t, "v1", o.Version)
	require.Equal(t, 30*time.Minute, o.MaxSessionTTL)
	require.Equal(t, 16<<20, o.MaxMessageBytes)
	require.Equal(t, []string{"https://a"}, o.AllowedOrigins)
	c.MaxSessionTTL = 0
	require.Positive(t, c.ServerOptions("", nil).MaxSessionTTL, "a configured 0 cap is not the server's 'default' 0")
}
