package k8s

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/server/license"
)

// buildAssoc builds the assoc binary once for the test.
func buildAssoc(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "assoc")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/assoc")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// freePort returns a loopback port nobody listens on (now).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// proc is a process of the test, its log kept in a file.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func start(t *testing.T, bin, name string, args ...string) *proc {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logFile)
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	p := &proc{name: name, cmd: cmd, log: logFile, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			b, _ := os.ReadFile(logFile)
			t.Logf("---- %s log ----\n%s", name, lastLines(b, 40))
		}
	})
	return p
}

// stop ends the process with SIGTERM (SIGKILL after 10 s).
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill ends the process at once, as a crashed node would.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// waitHTTP waits until url answers 200.
func waitHTTP(t *testing.T, url string, p ...*proc) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, x := range p {
			select {
			case <-x.done:
				t.Fatalf("%s exited before it was ready", x.name)
			default:
			}
		}
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "%s never answered 200", url)
}

// issuer signs the test users' tokens (a static issuer config).
type issuer struct{ key *ecdsa.PrivateKey }

func (is *issuer) token(t *testing.T, sub string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": "https://issuer.e2e", "aud": "assoc-e2e", "sub": sub,
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "groups": []string{"users"}})
	tok.Header["kid"] = "e2e"
	s, err := tok.SignedString(is.key)
	require.NoError(t, err)
	return s
}

// client is a QIX connection through the router.
type client struct {
	t     *testing.T
	ws    *websocket.Conn
	state string
	id    int
}

// connect opens /app/<app> on the router with a user's token and a
// session id; it reads OnConnected.
func connect(t *testing.T, routerAddr, app, token, session string) *client {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}}
	if session != "" {
		h.Set("X-Qlik-Session", session)
	}
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+routerAddr+"/app/"+app, h)
	if err != nil {
		body := ""
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			body = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, b)
		}
		t.Fatalf("connect %s as %s: %v %s", app, session, err, body)
	}
	t.Cleanup(func() { _ = ws.Close() })
	c := &client{t: t, ws: ws}
	var on struct {
		Method string `json:"method"`
		Params struct {
			State string `json:"qSessionState"`
		} `json:"params"`
	}
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(10*time.Second)))
	require.NoError(t, ws.ReadJSON(&on))
	require.Equal(t, "OnConnected", on.Method)
	c.state = on.Params.State
	return c
}

type rpcResp struct {
	ID     int             `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code      int    `json:"code"`
		Parameter string `json:"parameter"`
		Message   string `json:"message"`
	} `json:"error"`
}

func (c *client) call(handle int, method string, params ...any) rpcResp {
	c.t.Helper()
	c.id++
	if params == nil {
		params = []any{}
	}
	require.NoError(c.t, c.ws.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": c.id, "handle": handle, "method": method, "params": params}))
	for {
		var r rpcResp
		require.NoError(c.t, c.ws.SetReadDeadline(time.Now().Add(10*time.Second)))
		require.NoError(c.t, c.ws.ReadJSON(&r))
		if r.ID == c.id {
			return r
		}
	}
}

// docHandle returns the handle of the session's app (the router opened
// it before the client attached).
func (c *client) docHandle() int {
	c.t.Helper()
	r := c.call(-1, "GetActiveDoc")
	require.Nil(c.t, r.Error, "GetActiveDoc")
	var d struct {
		Q struct {
			Handle int `json:"qHandle"`
		} `json:"qReturn"`
	}
	require.NoError(c.t, json.Unmarshal(r.Result, &d))
	require.Positive(c.t, d.Q.Handle)
	return d.Q.Handle
}

// activeSessions reads qix_active_sessions from an engine's metrics, as
// the preStop hook does ("" when the engine is gone).
func activeSessions(addr string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "qix_active_sessions "); ok {
			return v
		}
	}
	return ""
}

// TestRouterAndTwoEngines is the deployment on one machine: assoc router
// in front of two assoc serve processes that share a document directory
// and a license state directory, users with JWTs of a static issuer, a
// license of 1 Professional + 1 Analyzer enforced across both engines,
// and an engine killed mid-way.
func TestRouterAndTwoEngines(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes; skipped in -short mode")
	}
	bin := buildAssoc(t)
	dir := t.TempDir()

	// Identity: a static issuer with one ES256 key.
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	pubPEM := strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	idp := "identity-providers:\n  secrets:\n    idpConfigs:\n      - issuerConfig:\n          issuer: https://issuer.e2e\n" +
		"          realm: e2e\n          audience: assoc-e2e\n          staticKeys:\n            - kid: e2e\n              pem: |\n                " +
		strings.ReplaceAll(pubPEM, "\n", "\n                ") + "\n"
	// The rest of the configuration comes as the chart gives it: a YAML
	// file with the values' keys.
	lpub, lpriv, err := license.GenerateSigningKey()
	require.NoError(t, err)
	key, err := license.Sign(license.Entitlements{KeyID: "e2e", Licensee: "E2E", Professional: 1, Analyzer: 1,
		Expires: time.Now().Add(24 * time.Hour)}, lpriv)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "license.pub"), license.EncodePublicKey(lpub), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "license.key"), []byte(key), 0o600))
	conf := idp + fmt.Sprintf(`engine:
  acceptEULA: "yes"
  dataDir: %q
  logFormat: json
licenses:
  keyFile: %q
  publicKeyFile: %q
`, filepath.Join(dir, "shared"), filepath.Join(dir, "license.key"), filepath.Join(dir, "license.pub"))
	confFile := filepath.Join(dir, "values.yaml")
	require.NoError(t, os.WriteFile(confFile, []byte(conf), 0o600))

	type engineProc struct {
		*proc
		addr, metrics string
	}
	var engines []engineProc
	for i := range 2 {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		maddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		p := start(t, bin, fmt.Sprintf("engine%d", i+1), "serve", "--config", confFile, "--addr", addr, "--metrics-addr", maddr,
			"--engine-id", fmt.Sprintf("engine%d", i+1), "--demo", "--license-tick", "1s", "--shutdown-timeout", "5s")
		engines = append(engines, engineProc{proc: p, addr: addr, metrics: maddr})
	}
	for _, e := range engines {
		waitHTTP(t, "http://"+e.addr+"/health", e.proc)
	}
	routerAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	router := start(t, bin, "router", "router", "--addr", routerAddr, "--metrics-addr", fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"--engine", engines[0].addr+"/"+portOf(engines[0].metrics), "--engine", engines[1].addr+"/"+portOf(engines[1].metrics),
		"--poll-interval", "200ms", "--health-timeout", "1s", "--log-format", "json")
	waitHTTP(t, "http://"+routerAddr+"/health", router)
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + routerAddr + "/health")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var h struct{ Healthy int }
		return json.NewDecoder(resp.Body).Decode(&h) == nil && h.Healthy == 2
	}, 20*time.Second, 50*time.Millisecond, "the router sees both engines healthy")

	is := &issuer{key: k}
	// alice takes the Professional allocation; the router opened the demo
	// app for her session, so her connection attaches to it.
	alice := connect(t, routerAddr, "demo", is.token(t, "alice"), "alice-1")
	require.Equal(t, "SESSION_ATTACHED", alice.state)
	aliceDoc := alice.docHandle()
	r := alice.call(-1, "GetAuthenticatedUser")
	require.JSONEq(t, `{"qReturn":"UserDirectory=e2e; UserId=alice"}`, string(r.Result))
	require.Nil(t, alice.call(aliceDoc, "SetScript", "LOAD 1 AS x AUTOGENERATE 1;").Error, "Professional may edit")

	// bob is placed on the other engine (least load) and gets Analyzer.
	bob := connect(t, routerAddr, "demo", is.token(t, "bob"), "bob-1")
	require.Equal(t, "SESSION_ATTACHED", bob.state)
	r = bob.call(bob.docHandle(), "SetScript", "LOAD 2 AS x AUTOGENERATE 1;")
	require.NotNil(t, r.Error, "Analyzer may not edit")
	require.Equal(t, 5, r.Error.Code)
	require.Equal(t, "Access denied", r.Error.Message)
	require.Equal(t, []string{"1", "1"}, []string{activeSessions(engines[0].metrics), activeSessions(engines[1].metrics)},
		"one session on each engine")

	// carol: the two allocations are taken, over both engines together.
	carol := connect(t, routerAddr, "demo", is.token(t, "carol"), "carol-1")
	require.Equal(t, "SESSION_ERROR_NO_LICENSE", carol.state)
	_, _, err = carol.ws.ReadMessage()
	require.Error(t, err, "the engine closes the refused connection")

	// Refusals at the router, before any upgrade.
	status, body := dialStatus(t, routerAddr, "/app/no-such-app", "Bearer "+is.token(t, "alice"))
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, body, `app \"no-such-app\" does not exist`)
	status, body = dialStatus(t, routerAddr, "/app/demo", "Bearer "+strings.Repeat("x", 40))
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, body, "malformed")

	// Kill alice's engine: her connection ends, and her new sessions go to
	// the other engine.
	i := whichEngine(t, engines[0].metrics, engines[1].metrics, alice)
	aliceEngine, other := engines[i], engines[1-i]
	aliceEngine.kill()
	_ = alice.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = alice.ws.ReadMessage()
	require.Error(t, err, "alice's connection ends with her engine")
	for i := range 3 {
		c := connect(t, routerAddr, "demo", is.token(t, "alice"), fmt.Sprintf("alice-new-%d", i))
		require.Equal(t, "SESSION_ATTACHED", c.state)
		require.Nil(t, c.call(c.docHandle(), "GetAppProperties").Error)
	}
	require.Equal(t, "4", activeSessions(other.metrics), "bob's session and alice's three new ones")
	resp, err := http.Get("http://" + routerAddr + "/v1/engines?format=condensed")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(b), `"status":"UNHEALTHY"`)
}

// whichEngine returns the index of the engine a client's session is on:
// the one whose request count grows with the client's calls.
func whichEngine(t *testing.T, m1, m2 string, c *client) int {
	t.Helper()
	before := []int{requests(m1), requests(m2)}
	for range 5 {
		c.call(-1, "EngineVersion")
	}
	after := []int{requests(m1), requests(m2)}
	if after[0]-before[0] >= 5 {
		return 0
	}
	require.GreaterOrEqual(t, after[1]-before[1], 5, "the calls reached neither engine")
	return 1
}

// requests reads qix_requests_total.
func requests(addr string) int {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "qix_requests_total "); ok {
			var n int
			fmt.Sscan(v, &n)
			return n
		}
	}
	return -1
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// dialStatus dials through the router and returns a refused upgrade's
// status and body.
func dialStatus(t *testing.T, routerAddr, path, authorization string) (int, string) {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+routerAddr+path, http.Header{"Authorization": {authorization}})
	if err == nil {
		ws.Close()
		t.Fatalf("%s was accepted", path)
	}
	require.NotNil(t, resp, "%v", err)
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
