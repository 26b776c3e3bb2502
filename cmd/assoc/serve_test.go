package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/server/license"
)

// testIssuer signs JWTs for a static issuer config.
type testIssuer struct {
	key    *ecdsa.PrivateKey
	pubPEM string
}

const (
	testIss = "https://issuer.test"
	testAud = "assoc-test"
)

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	return &testIssuer{key: k, pubPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}
}

// config writes the idpConfigs file that trusts the issuer.
func (ti *testIssuer) config(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "idpConfigs:\n  - issuerConfig:\n      issuer: %s\n      realm: test\n      audience: %s\n", testIss, testAud)
	fmt.Fprintf(&b, "      staticKeys:\n        - kid: k1\n          pem: |\n")
	for _, line := range strings.Split(strings.TrimSpace(ti.pubPEM), "\n") {
		fmt.Fprintf(&b, "            %s\n", line)
	}
	p := filepath.Join(dir, "idp.yaml")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o600))
	return p
}

// token signs claims for sub (with defaults for iss, aud, exp).
func (ti *testIssuer) token(t *testing.T, sub string, mod func(c jwt.MapClaims, h map[string]any)) string {
	t.Helper()
	now := time.Now()
	c := jwt.MapClaims{"iss": testIss, "aud": testAud, "sub": sub, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "name": sub}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	tok.Header["kid"] = "k1"
	if mod != nil {
		mod(c, tok.Header)
	}
	s, err := tok.SignedString(ti.key)
	require.NoError(t, err)
	return s
}

// signLicense writes a public key and returns a key signed for e.
func signLicense(t *testing.T, dir string, e license.Entitlements) (keyText, pubFile string) {
	t.Helper()
	pub, priv, err := license.GenerateSigningKey()
	require.NoError(t, err)
	pubFile = filepath.Join(dir, "license.pub")
	require.NoError(t, os.WriteFile(pubFile, license.EncodePublicKey(pub), 0o644))
	keyText, err = license.Sign(e, priv)
	require.NoError(t, err)
	return keyText, pubFile
}

var serveLineRE = regexp.MustCompile(`"msg":"assoc serve".*?"addr":"([^"]+)","metrics_addr":"([^"]*)"`)

// startServe runs assoc serve in the test and returns its QIX and
// metrics addresses; it stops when the test ends.
func startServe(t *testing.T, args ...string) (addr, metricsAddr string, logs *syncBuffer) {
	t.Helper()
	e, _, errOut := testEnv(nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	base := []string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--log-format", "json", "--shutdown-timeout", "5s"}
	go func() { done <- runServe(ctx, e, append(base, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	})
	require.Eventually(t, func() bool {
		m := serveLineRE.FindStringSubmatch(errOut.String())
		if m != nil {
			addr, metricsAddr = m[1], m[2]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "serve logs its addresses: %s", errOut)
	return addr, metricsAddr, errOut
}

// qixClient is a minimal QIX client over WebSocket.
type qixClient struct {
	t  *testing.T
	ws *websocket.Conn
	id int
}

type qixResp struct {
	ID     int             `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code      int    `json:"code"`
		Parameter string `json:"parameter"`
		Message   string `json:"message"`
	} `json:"error"`
}

// dialQIX connects and returns the client and the OnConnected state.
func dialQIX(t *testing.T, addr, path, token string) (*qixClient, string) {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+path, h)
	if err != nil {
		msg := ""
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			msg = fmt.Sprintf("HTTP %d %s", resp.StatusCode, b)
		}
		t.Fatalf("dial %s: %v %s", path, err, msg)
	}
	t.Cleanup(func() { _ = ws.Close() })
	c := &qixClient{t: t, ws: ws}
	var on qixResp
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(10*time.Second)))
	require.NoError(t, ws.ReadJSON(&on))
	require.Equal(t, "OnConnected", on.Method)
	var p struct {
		State string `json:"qSessionState"`
	}
	require.NoError(t, json.Unmarshal(on.Params, &p))
	return c, p.State
}

// call sends a request and returns its response.
func (c *qixClient) call(handle int, method string, params any) qixResp {
	c.t.Helper()
	c.id++
	require.NoError(c.t, c.ws.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": c.id, "handle": handle, "method": method, "params": params}))
	for {
		var r qixResp
		require.NoError(c.t, c.ws.SetReadDeadline(time.Now().Add(10*time.Second)))
		require.NoError(c.t, c.ws.ReadJSON(&r))
		if r.ID == c.id {
			return r
		}
	}
}

// refusedUpgrade dials and returns the HTTP status and body of a refused
// upgrade.
func refusedUpgrade(t *testing.T, addr, authorization string) (int, string) {
	t.Helper()
	h := http.Header{}
	if authorization != "" {
		h.Set("Authorization", authorization)
	}
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/app/engineData", h)
	if err == nil {
		ws.Close()
		t.Fatalf("the upgrade with %q was accepted", clipText(authorization))
	}
	require.NotNil(t, resp, "%v", err)
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func scrapeMetrics(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// metricLine returns the value of an exact series in a metrics page.
func metricLine(page, series string) string {
	sc := bufio.NewScanner(strings.NewReader(page))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			return v
		}
	}
	return ""
}

// TestServeIdentityAndLicense runs assoc serve with a static JWT issuer
// and a license of 1 Professional + 1 Analyzer: bad tokens get 401 with
// the reason, the mapped user is what GetAuthenticatedUser says, the
// Analyzer cannot edit, a third user is refused, and the metrics count it
// all.
func TestServeIdentityAndLicense(t *testing.T) {
	dir := t.TempDir()
	ti := newTestIssuer(t)
	key, pub := signLicense(t, dir, license.Entitlements{KeyID: "test-key", Licensee: "Tests", Professional: 1, Analyzer: 1,
		Expires: time.Now().Add(24 * time.Hour)})
	addr, maddr, logs := startServe(t, "--idp-config", ti.config(t, dir), "--license-key", key, "--license-public-key", pub,
		"--data-dir", filepath.Join(dir, "data"), "--admin-group", "admins", "--engine-id", "e1")

	hs256 := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": testIss, "aud": testAud, "sub": "mallory", "exp": time.Now().Add(time.Hour).Unix()})
	hs256.Header["kid"] = "k1"
	forgedHS, err := hs256.SignedString([]byte(ti.pubPEM))
	require.NoError(t, err)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": testIss, "aud": testAud, "sub": "mallory", "exp": time.Now().Add(time.Hour).Unix()})
	none.Header["kid"] = "k1"
	forgedNone, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	other := newTestIssuer(t)

	refusals := []struct {
		name, authorization, msg, reason string
	}{
		{"no token", "", "no bearer token", "no_token"},
		{"not bearer", "Basic YWxpY2U6c2VjcmV0", "no bearer token", "no_token"},
		{"garbage", "Bearer not.a.jwt", "malformed", "malformed"},
		{"alg none", "Bearer " + forgedNone, "algorithm", "bad_algorithm"},
		{"HS256 with the public key", "Bearer " + forgedHS, "algorithm", "bad_algorithm"},
		{"expired", "Bearer " + ti.token(t, "alice", func(c jwt.MapClaims, _ map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), "expired", "expired"},
		{"not yet valid", "Bearer " + ti.token(t, "alice", func(c jwt.MapClaims, _ map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() }), "not valid yet", "not_yet_valid"},
		{"wrong issuer", "Bearer " + ti.token(t, "alice", func(c jwt.MapClaims, _ map[string]any) { c["iss"] = "https://evil.test" }), "issuer", "wrong_issuer"},
		{"wrong audience", "Bearer " + ti.token(t, "alice", func(c jwt.MapClaims, _ map[string]any) { c["aud"] = "someone-else" }), "audience", "wrong_audience"},
		{"unknown kid", "Bearer " + ti.token(t, "alice", func(_ jwt.MapClaims, h map[string]any) { h["kid"] = "k9" }), "key", "unknown_key"},
		{"another key", "Bearer " + other.token(t, "alice", nil), "signature", "bad_signature"},
		{"oversized", "Bearer " + ti.token(t, "alice", func(c jwt.MapClaims, _ map[string]any) { c["pad"] = strings.Repeat("x", 10000) }), "too large", "too_large"},
	}
	for _, r := range refusals {
		t.Run("401 "+r.name, func(t *testing.T) {
			status, body := refusedUpgrade(t, addr, r.authorization)
			require.Equal(t, http.StatusUnauthorized, status, body)
			require.Contains(t, strings.ToLower(body), r.msg)
		})
	}
	// A header too large for the server is refused before it is read.
	status, body := refusedUpgrade(t, addr, "Bearer "+strings.Repeat("x", 20000))
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, status, body)

	page := scrapeMetrics(t, maddr)
	require.Equal(t, "1", metricLine(page, `qix_auth_failures_total{reason="expired"}`))
	require.Equal(t, "2", metricLine(page, `qix_auth_failures_total{reason="no_token"}`))
	require.Equal(t, "2", metricLine(page, `qix_auth_failures_total{reason="bad_algorithm"}`))
	require.Contains(t, logs.String(), `"msg":"authentication refused"`)

	// alice takes the Professional allocation, bob the Analyzer one.
	alice, state := dialQIX(t, addr, "/app/SessionApp_alice", ti.token(t, "alice", nil))
	require.Equal(t, "SESSION_CREATED", state)
	r := alice.call(-1, "GetAuthenticatedUser", []any{})
	require.Nil(t, r.Error)
	require.JSONEq(t, `{"qReturn":"UserDirectory=test; UserId=alice"}`, string(r.Result))
	bob, state := dialQIX(t, addr, "/app/SessionApp_bob", ti.token(t, "bob", nil))
	require.Equal(t, "SESSION_CREATED", state)

	// Editing the app is Professional work.
	for _, c := range []struct {
		client  *qixClient
		allowed bool
	}{{alice, true}, {bob, false}} {
		doc := c.client.call(-1, "GetActiveDoc", []any{})
		require.Nil(t, doc.Error)
		var d struct {
			QReturn struct {
				QHandle int `json:"qHandle"`
			} `json:"qReturn"`
		}
		require.NoError(t, json.Unmarshal(doc.Result, &d))
		res := c.client.call(d.QReturn.QHandle, "SetScript", []any{"LOAD 1 AS x AUTOGENERATE 1;"})
		if c.allowed {
			require.Nil(t, res.Error)
		} else {
			require.NotNil(t, res.Error)
			require.Equal(t, 5, res.Error.Code)
			require.Equal(t, "Access denied", res.Error.Message)
			require.Contains(t, res.Error.Parameter, "needs Professional access")
		}
		// Session objects are everyone's.
		obj := c.client.call(d.QReturn.QHandle, "CreateSessionObject", []any{map[string]any{"qInfo": map[string]any{"qType": "x"}}})
		require.Nil(t, obj.Error)
	}

	// carol: no allocation is left on this key.
	_, state = dialQIX(t, addr, "/app/engineData", ti.token(t, "carol", nil))
	require.Equal(t, "SESSION_ERROR_NO_LICENSE", state)

	page = scrapeMetrics(t, maddr)
	require.Equal(t, "2", metricLine(page, "qix_active_sessions"))
	require.Equal(t, "1", metricLine(page, `license_allocations{access="professional"}`))
	require.Equal(t, "1", metricLine(page, `license_allocations{access="analyzer"}`))
	require.Equal(t, "1", metricLine(page, `qix_sessions_refused_total{state="SESSION_ERROR_NO_LICENSE"}`))
	require.Equal(t, "1", metricLine(page, "qix_access_denied_total"))
	require.Equal(t, "1", metricLine(page, `license_mode{key_id="test-key",mode="licensed"}`))
	require.NotEmpty(t, metricLine(page, "qix_requests_total"))

	// The REST API: who am I, the license figures (no user data), and
	// license administration with anti-CSRF tokens.
	base := "http://" + addr
	code, body := rest(t, http.MethodGet, base+"/v1/users/me", "", "", "")
	require.Equal(t, http.StatusUnauthorized, code, body)
	code, body = rest(t, http.MethodGet, base+"/v1/users/me", ti.token(t, "alice", nil), "", "")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `"qixUserId":"UserDirectory=test; UserId=alice"`)
	code, body = rest(t, http.MethodGet, base+"/v1/license", ti.token(t, "bob", nil), "", "")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `"professional":1`)
	require.NotContains(t, body, "alice", "the license figures name no user")

	aliceTok := ti.token(t, "alice", nil)
	code, body = rest(t, http.MethodGet, base+"/v1/license/allocations", aliceTok, "", "")
	require.Equal(t, http.StatusForbidden, code, "alice is not an admin: %s", body)

	admin := ti.token(t, "dana", func(c jwt.MapClaims, _ map[string]any) { c["groups"] = []string{"admins"} })
	code, body = rest(t, http.MethodGet, base+"/v1/license/allocations", admin, "", "")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `test\\alice`)
	// A state change needs a CSRF token issued to the same user.
	del := base + "/v1/license/allocations/" + url.PathEscape(`test\bob`)
	code, body = rest(t, http.MethodDelete, del, admin, "", "")
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, body, "anti-CSRF token is missing")
	aliceCSRF := csrfToken(t, base, aliceTok)
	code, body = rest(t, http.MethodDelete, del, admin, aliceCSRF, "")
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, body, "issued for another session")
	// A token tied to a session (X-Qlik-Session) is good for that session only.
	sessTok := csrfTokenFor(t, base, admin, "s1")
	code, body = rest(t, http.MethodDelete, del, admin, sessTok, "")
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, body, "issued for another session")
	tok := csrfToken(t, base, admin)
	code, body = rest(t, http.MethodDelete, del, admin, tok, "")
	require.Equal(t, http.StatusNoContent, code, body)
	// The token was spent: replaying it is refused.
	code, body = rest(t, http.MethodDelete, del, admin, tok, "")
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, body, "already used")

	// bob's connection lost its allocation: the engine says so and closes.
	require.NoError(t, bob.ws.SetReadDeadline(time.Now().Add(10*time.Second)))
	var pushed qixResp
	require.NoError(t, bob.ws.ReadJSON(&pushed))
	require.Equal(t, "OnConnected", pushed.Method)
	require.Contains(t, string(pushed.Params), "SESSION_ERROR_")
	_, _, err = bob.ws.ReadMessage()
	var ce *websocket.CloseError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, websocket.ClosePolicyViolation, ce.Code)

	// Now carol gets the Analyzer allocation.
	_, state = dialQIX(t, addr, "/app/engineData", ti.token(t, "carol", nil))
	require.Equal(t, "SESSION_CREATED", state)

	// Bad REST requests.
	tok = csrfToken(t, base, admin)
	code, body = rest(t, http.MethodPost, base+"/v1/license/allocations", admin, tok, `{"user":"nobackslash","access":"professional"}`)
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, `is not realm\\subject`)
	tok = csrfToken(t, base, admin)
	code, body = rest(t, http.MethodPost, base+"/v1/license/allocations", admin, tok, `{"user":"test\\erin","access":"professional","extra":1}`)
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "unknown field")
	tok = csrfToken(t, base, admin)
	code, body = rest(t, http.MethodPost, base+"/v1/license/allocations", admin, tok, `{"user":"test\\erin","access":"professional"}`)
	require.Equal(t, http.StatusConflict, code, "no Professional allocation is free: %s", body)
	code, _ = rest(t, http.MethodPut, base+"/v1/license", admin, "", "")
	require.Equal(t, http.StatusMethodNotAllowed, code)
	code, _ = rest(t, http.MethodGet, base+"/v1/nothing", admin, "", "")
	require.Equal(t, http.StatusNotFound, code)
}

// rest makes a REST call and returns the status and body.
func rest(t *testing.T, method, u, token, csrf, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func csrfToken(t *testing.T, base, token string) string {
	t.Helper()
	return csrfTokenFor(t, base, token, "")
}

// csrfTokenFor gets a CSRF token, tied to a QIX session when session is
// not empty.
func csrfTokenFor(t *testing.T, base, token, session string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/v1/csrf-token", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	if session != "" {
		req.Header.Set("X-Qlik-Session", session)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	code, body := resp.StatusCode, string(b)
	require.Equal(t, http.StatusOK, code, body)
	var out struct {
		Token string `json:"token"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	require.NotEmpty(t, out.Token)
	return out.Token
}

var devIdPRE = regexp.MustCompile(`"token_endpoint":"([^"]+)"`)

// TestServeDevIdP logs in at the test identity provider and connects with
// its token.
func TestServeDevIdP(t *testing.T) {
	addr, _, logs := startServe(t, "--dev-idp", "--dev-idp-addr", "127.0.0.1:0")
	m := devIdPRE.FindStringSubmatch(logs.String())
	require.NotNil(t, m, logs.String())
	resp, err := http.PostForm(m[1], url.Values{"grant_type": {"password"}, "username": {"harley@qlik.example"}, "password": {"Password1!"}})
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))

	c, state := dialQIX(t, addr, "/app/engineData", tok.AccessToken)
	require.Equal(t, "SESSION_CREATED", state)
	r := c.call(-1, "GetAuthenticatedUser", []any{})
	require.JSONEq(t, `{"qReturn":"UserDirectory=dev; UserId=harley@qlik.example"}`, string(r.Result))
	status, _ := refusedUpgrade(t, addr, "")
	require.Equal(t, http.StatusUnauthorized, status, "the test IdP turns authentication on")

	bad, err := http.PostForm(m[1], url.Values{"grant_type": {"password"}, "username": {"harley@qlik.example"}, "password": {"guess"}})
	require.NoError(t, err)
	bad.Body.Close()
	require.Equal(t, http.StatusUnauthorized, bad.StatusCode)
}

// TestServeEvaluation: without a key, the sixth session is refused with
// SESSION_ERROR_LIMIT_EXCEEDED (Qlik Core's community edition).
func TestServeEvaluation(t *testing.T) {
	addr, maddr, _ := startServe(t)
	for i := range 5 {
		_, state := dialQIX(t, addr, fmt.Sprintf("/app/engineData/identity/%d", i), "")
		require.Equal(t, "SESSION_CREATED", state)
	}
	_, state := dialQIX(t, addr, "/app/engineData/identity/6", "")
	require.Equal(t, "SESSION_ERROR_LIMIT_EXCEEDED", state)
	page := scrapeMetrics(t, maddr)
	require.Regexp(t, `(?m)^qix_active_sessions 5$`, page, "the preStop hook's grep finds it")
	require.Equal(t, "1", metricLine(page, `license_mode{key_id="",mode="evaluation"}`))
}

func TestServeConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "values.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte("engine:\n  acceptEULA: \"no\"\n"), 0o600))
	badIdP := filepath.Join(dir, "idp.yaml")
	require.NoError(t, os.WriteFile(badIdP, []byte("idpConfigs:\n  - issuerConfig: {issuer: http://x}\n"), 0o600))
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"eula", []string{"--config", cfgFile}, 2, `engine.acceptEULA (--accept-eula) is "no"`},
		{"idp config", []string{"--idp-config", badIdP}, 2, "idpConfigs[0]"},
		{"license without public key", []string{"--license-key", "AL1.x.y"}, 2, "needs --license-public-key"},
		{"rules file", []string{"--rules", filepath.Join(dir, "missing.txt")}, 1, "cannot read the access rules"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _, errOut := testEnv(nil)
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, tc.args...)
			require.Equal(t, tc.status, run(args, e), errOut.String())
			require.Contains(t, errOut.String(), tc.stderr)
		})
	}

	// A forged key is refused and the engine runs in evaluation mode.
	key, pub := signLicense(t, dir, license.Entitlements{KeyID: "k", Licensee: "Forger", Professional: 100})
	forged := key[:len(key)-4] + "AAAA"
	_, maddr, logs := startServe(t, "--license-key", forged, "--license-public-key", pub)
	require.Contains(t, logs.String(), "the license key is refused; running in evaluation mode")
	require.Equal(t, "1", metricLine(scrapeMetrics(t, maddr), `license_mode{key_id="",mode="evaluation"}`))
}
