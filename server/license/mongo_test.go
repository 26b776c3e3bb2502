package license

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The MongoDB tests run against a real MongoDB-wire server: the one named
// by ASSOC_TEST_MONGODB_URI, or else FerretDB 1.x with its SQLite backend,
// built from the Go module proxy on first use and cached in the user cache
// directory (ASSOC_FERRETDB names a ready binary instead).
const ferretVersion = "v1.24.2"

var (
	ferretOnce sync.Once
	ferretBin  string
	ferretErr  error
)

// ferretDB returns the path of a FerretDB binary, building it if needed.
func ferretDB(t *testing.T) string {
	t.Helper()
	ferretOnce.Do(func() {
		if p := os.Getenv("ASSOC_FERRETDB"); p != "" {
			ferretBin = p
			return
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		bin := filepath.Join(cache, "assoc-test", "ferretdb-"+ferretVersion, "ferretdb")
		if _, err := os.Stat(bin); err == nil {
			ferretBin = bin
			return
		}
		ferretBin, ferretErr = buildFerretDB(t, bin)
	})
	if ferretErr != nil {
		t.Skipf("SKIP: no MongoDB-wire server for the MongoStore tests: FerretDB %s could not be built (%v); set ASSOC_TEST_MONGODB_URI or ASSOC_FERRETDB", ferretVersion, ferretErr)
	}
	return ferretBin
}

// buildFerretDB downloads FerretDB's module, writes the version file its
// release process generates, and builds cmd/ferretdb into bin.
func buildFerretDB(t *testing.T, bin string) (string, error) {
	t.Logf("building FerretDB %s for the MongoDB tests (once; cached at %s)", ferretVersion, bin)
	work, err := os.MkdirTemp("", "assoc-ferretdb-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	out, err := run(work, env, "go", "mod", "download", "-json", "github.com/FerretDB/FerretDB@"+ferretVersion)
	if err != nil {
		return "", fmt.Errorf("go mod download: %v: %s", err, out)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return "", fmt.Errorf("go mod download gave no directory: %s", out)
	}
	src := filepath.Join(work, "src")
	if err := os.CopyFS(src, os.DirFS(mod.Dir)); err != nil {
		return "", fmt.Errorf("cannot copy the FerretDB module: %w", err)
	}
	if err := os.WriteFile(filepath.Join(src, "build", "version", "version.txt"), []byte(ferretVersion+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	tmp := bin + ".tmp"
	if out, err := run(src, env, "go", "build", "-o", tmp, "./cmd/ferretdb"); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return bin, os.Rename(tmp, bin)
}

func run(dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// mongoURI returns the URI of a MongoDB-wire server for this test: a fresh
// database of ASSOC_TEST_MONGODB_URI's server, or a FerretDB process the
// test starts (and stops) on loopback.
func mongoURI(t *testing.T) string {
	t.Helper()
	db := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	if uri := os.Getenv("ASSOC_TEST_MONGODB_URI"); uri != "" {
		return strings.Replace(uri, "/?", "/"+db+"?", 1)
	}
	bin := ferretDB(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cmd := exec.Command(bin, "--handler=sqlite", "--sqlite-url=file:"+dir+"/", "--state-dir="+dir,
		"--listen-addr="+addr, "--telemetry=disable", "--log-level=warn", "--debug-addr=-")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("FerretDB output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("FerretDB did not listen on %s within 30 s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond) // waiting for a process, not for license time
	}
	return "mongodb://" + addr + "/" + db + "?ssl=false"
}

func openMongo(t *testing.T, uri string) *MongoStore {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := OpenMongoStore(ctx, uri, MongoOptions{Timeout: 20 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func TestMongoStore(t *testing.T) {
	uri := mongoURI(t)
	s := openMongo(t, uri)
	storeContract(t, s)

	// A corrupt document reads as CorruptRev and is replaced.
	_, err := s.coll.InsertOne(ctx, map[string]any{"_id": "bad@7", "key": "bad", "rev": 7, "state": 42})
	require.NoError(t, err)
	_, rev, err := s.Load(ctx, "bad")
	require.NoError(t, err)
	require.Equal(t, int64(CorruptRev), rev)
	r, err := s.Save(ctx, "bad", []byte(`{}`), CorruptRev)
	require.NoError(t, err)
	require.Equal(t, int64(1), r)
}

func TestRule_1_9_EnginesShareMongoStore(t *testing.T) {
	uri := mongoURI(t)
	clock := newClock(t0)
	key := newKey(t, Entitlements{Professional: 1, Analyzer: 1, AnalyzerCapacityMinutes: 12})
	a := New(Options{Key: key, Store: openMongo(t, uri), Clock: clock, EngineID: "pod-a"})
	b := New(Options{Key: key, Store: openMongo(t, uri), Clock: clock, EngineID: "pod-b"})

	require.Equal(t, Professional, mustConnect(t, a, ConnectRequest{User: user("ada")}).Access())
	require.Equal(t, Analyzer, mustConnect(t, b, ConnectRequest{User: user("bob")}).Access())
	require.Equal(t, AnalyzerCapacity, mustConnect(t, a, ConnectRequest{}).Access())
	require.Equal(t, AnalyzerCapacity, mustConnect(t, b, ConnectRequest{}).Access())
	_, err := connect(t, a, ConnectRequest{User: user("cyd")})
	requireRefused(t, err, StateNoLicense)

	// Racing connections of one user across both pods: 5 in all.
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := 1 // ada's first
	for i := range 6 {
		wg.Go(func() {
			_, err := []*License{a, b}[i%2].Connect(ctx, ConnectRequest{User: user("ada"), Session: fmt.Sprintf("m%d", i)})
			if err == nil {
				mu.Lock()
				admitted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Equal(t, MaxParallel, admitted)

	// A new engine process finds it all again.
	c := New(Options{Key: key, Store: openMongo(t, uri), Clock: clock, EngineID: "pod-c"})
	allocs, err := c.Allocations(ctx)
	require.NoError(t, err)
	require.Len(t, allocs, 2)
}

func TestOpenMongoStoreErrors(t *testing.T) {
	_, err := OpenMongoStore(ctx, "postgres://x", MongoOptions{})
	require.ErrorContains(t, err, "mongodb.uri is invalid")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	_, err = OpenMongoStore(ctx, "mongodb://admin:s3cret-pw@"+addr+"/db?ssl=false", MongoOptions{Timeout: 300 * time.Millisecond})
	require.ErrorContains(t, err, "cannot reach the license state store at mongodb "+addr+"/db")
	require.NotContains(t, err.Error(), "s3cret-pw")
}
