package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

// fakeIdP is an OpenID Connect provider on loopback whose published keys
// and behaviour the test changes.
type fakeIdP struct {
	srv          *httptest.Server
	mu           sync.Mutex
	published    []*testKey
	issuer       string // what the discovery document says ("" = srv.URL)
	discFail     bool
	discovery    atomic.Int32
	jwksHits     atomic.Int32
	userinfo     map[string]any
	infoHits     atomic.Int32
	withUserinfo bool
}

func jwkOf(k *testKey) map[string]any {
	enc := base64.RawURLEncoding
	switch pub := k.priv.Public().(type) {
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "kid": k.kid, "use": "sig", "n": enc.EncodeToString(pub.N.Bytes()),
			"e": enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
	case *ecdsa.PublicKey:
		b, _ := pub.Bytes()
		size := (len(b) - 1) / 2
		crv := map[int]string{32: "P-256", 48: "P-384"}[size]
		return map[string]any{"kty": "EC", "kid": k.kid, "crv": crv, "x": enc.EncodeToString(b[1 : 1+size]), "y": enc.EncodeToString(b[1+size:])}
	case ed25519.PublicKey:
		return map[string]any{"kty": "OKP", "kid": k.kid, "crv": "Ed25519", "x": enc.EncodeToString(pub)}
	}
	panic("unknown key")
}

func newFakeIdP(t *testing.T, keys ...*testKey) *fakeIdP {
	f := &fakeIdP{published: keys, withUserinfo: true}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		f.discovery.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.discFail {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		iss := f.issuer
		if iss == "" {
			iss = f.srv.URL
		}
		doc := map[string]any{"issuer": iss, "jwks_uri": f.srv.URL + "/keys"}
		if f.withUserinfo {
			doc["userinfo_endpoint"] = f.srv.URL + "/userinfo"
		}
		_ = json.NewEncoder(w).Encode(doc)
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		f.jwksHits.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		keys := []any{map[string]any{"kty": "RSA", "use": "enc", "kid": "encryption", "n": "AQAB", "e": "AQAB"}}
		for _, k := range f.published {
			keys = append(keys, jwkOf(k))
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		f.infoHits.Add(1)
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(f.userinfo)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIdP) publish(keys ...*testKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published = keys
}

func (f *fakeIdP) config(useIDToken bool) *Config {
	return &Config{IdPs: []IdPConfig{{DiscoveryURL: f.srv.URL + "/.well-known/openid-configuration", ClientID: "cid",
		Realm: "fake", UseClaimsFromIDToken: useIDToken}}}
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func oidcClaims(f *fakeIdP, clk *clock, over map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{"iss": f.srv.URL, "sub": "ada", "aud": []any{"cid", "other"}, "exp": clk.Now().Add(time.Hour).Unix(), "name": "Ada"}
	for k, v := range over {
		c[k] = v
	}
	return c
}

func TestOIDCDiscoveryAndJWKSRefresh(t *testing.T) {
	keys := newTestKeys(t)
	a, b := keys["rsa"], keys["p384"]
	f := newFakeIdP(t, a)
	clk := &clock{now: now0}
	v := newVerifier(t, f.config(true), Options{Clock: clk.Now, RefreshInterval: time.Minute, KeysMaxAge: time.Hour})

	u, err := v.Verify(ctx, sign(t, a, oidcClaims(f, clk, nil)))
	require.NoError(t, err)
	require.Equal(t, "fake", u.Realm)
	require.Equal(t, f.srv.URL, u.Issuer)
	require.EqualValues(t, 1, f.discovery.Load())
	require.EqualValues(t, 1, f.jwksHits.Load())

	// Cached: no more fetches.
	_, err = v.Verify(ctx, sign(t, a, oidcClaims(f, clk, nil)))
	require.NoError(t, err)
	require.EqualValues(t, 1, f.jwksHits.Load())

	// An unknown kid right after the fetch does not fetch again; a minute
	// later it refreshes the set once...
	_, err = v.Verify(ctx, sign(t, b, oidcClaims(f, clk, nil)))
	require.ErrorIs(t, err, ErrUnknownKey)
	require.EqualValues(t, 1, f.jwksHits.Load())
	clk.Advance(time.Minute)
	_, err = v.Verify(ctx, sign(t, b, oidcClaims(f, clk, nil)))
	require.ErrorIs(t, err, ErrUnknownKey)
	require.ErrorContains(t, err, `kid "p384" is not in the key set`)
	require.EqualValues(t, 2, f.jwksHits.Load())
	// ...and then not again within the refresh interval, however many
	// made-up kids arrive.
	for i := range 20 {
		_, err = v.Verify(ctx, sign(t, &testKey{kid: "made-up-" + string(rune('a'+i)), priv: a.priv, method: a.method}, oidcClaims(f, clk, nil)))
		require.ErrorIs(t, err, ErrUnknownKey)
	}
	require.EqualValues(t, 2, f.jwksHits.Load())

	// The provider rotates to b; after the interval b is found.
	f.publish(a, b)
	clk.Advance(30 * time.Second)
	_, err = v.Verify(ctx, sign(t, b, oidcClaims(f, clk, nil)))
	require.ErrorIs(t, err, ErrUnknownKey)
	clk.Advance(31 * time.Second)
	_, err = v.Verify(ctx, sign(t, b, oidcClaims(f, clk, nil)))
	require.NoError(t, err)
	require.EqualValues(t, 3, f.jwksHits.Load())

	// Keys older than KeysMaxAge are fetched again; a retired key stops
	// working.
	f.publish(b)
	clk.Advance(time.Hour)
	_, err = v.Verify(ctx, sign(t, a, oidcClaims(f, clk, nil)))
	require.ErrorIs(t, err, ErrUnknownKey)
	require.EqualValues(t, 4, f.jwksHits.Load())
	require.EqualValues(t, 1, f.discovery.Load(), "discovery happens once")

	// Audience: the token must name the client.
	_, err = v.Verify(ctx, sign(t, b, oidcClaims(f, clk, map[string]any{"aud": "qlik.api"})))
	require.ErrorIs(t, err, ErrAudience)
}

func TestOIDCDiscoveryFailures(t *testing.T) {
	keys := newTestKeys(t)
	f := newFakeIdP(t, keys["ed"])
	clk := &clock{now: now0}
	f.discFail = true
	v := newVerifier(t, f.config(true), Options{Clock: clk.Now})
	tok := sign(t, keys["ed"], oidcClaims(f, clk, nil))
	_, err := v.Verify(ctx, tok)
	require.ErrorIs(t, err, ErrProvider)
	require.ErrorContains(t, err, "500 Internal Server Error")
	_, err = v.Verify(ctx, tok)
	require.ErrorIs(t, err, ErrProvider)
	require.EqualValues(t, 1, f.discovery.Load(), "retries are rate-limited")
	f.mu.Lock()
	f.discFail = false
	f.mu.Unlock()
	clk.Advance(DefaultRefreshInterval)
	_, err = v.Verify(ctx, tok)
	require.NoError(t, err)

	// A discovery document for another issuer is refused.
	g := newFakeIdP(t, keys["ed"])
	g.issuer = "https://impostor.example"
	w := newVerifier(t, g.config(true), Options{Clock: clk.Now})
	_, err = w.Verify(ctx, sign(t, keys["ed"], oidcClaims(g, clk, nil)))
	require.ErrorIs(t, err, ErrProvider)
	require.ErrorContains(t, err, `says issuer "https://impostor.example"`)
}

func TestOIDCUserinfoClaims(t *testing.T) {
	keys := newTestKeys(t)
	f := newFakeIdP(t, keys["p256"])
	f.userinfo = map[string]any{"sub": "ada", "groups": []any{"finance"}, "email": "ada@example.com"}
	clk := &clock{now: now0}
	v := newVerifier(t, f.config(false), Options{Clock: clk.Now})
	tok := sign(t, keys["p256"], oidcClaims(f, clk, nil))
	u, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	require.Equal(t, []string{"finance"}, u.Groups)
	require.Equal(t, "ada@example.com", u.Email)
	_, err = v.Verify(ctx, tok)
	require.NoError(t, err)
	require.EqualValues(t, 1, f.infoHits.Load(), "userinfo is cached per token")

	// userinfo for someone else is refused.
	f.mu.Lock()
	f.userinfo = map[string]any{"sub": "eve"}
	f.mu.Unlock()
	_, err = v.Verify(ctx, sign(t, keys["p256"], oidcClaims(f, clk, map[string]any{"jti": "2"})))
	require.ErrorIs(t, err, ErrClaims)

	// With useClaimsFromIdToken the endpoint is not called.
	v2 := newVerifier(t, f.config(true), Options{Clock: clk.Now})
	_, err = v2.Verify(ctx, tok)
	require.NoError(t, err)
	require.EqualValues(t, 2, f.infoHits.Load())
}

func TestParseJWKS(t *testing.T) {
	tests := []struct {
		name, json, msg string
		n               int
	}{
		{"not json", `nope`, "not a JSON key set", 0},
		{"skips other keys", `{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"EC","crv":"P-521","x":"AA","y":"AA"},{"kty":"OKP","crv":"X25519","x":"AA"}]}`, "", 0},
		{"bad base64", `{"keys":[{"kty":"RSA","kid":"a","n":"***","e":"AQAB"}]}`, "n is not base64url", 0},
		{"bad exponent", `{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"Ag"}]}`, "not a valid RSA exponent", 0},
		{"small rsa", `{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB"}]}`, "want at least 2048", 0},
		{"point off curve", `{"keys":[{"kty":"EC","kid":"a","crv":"P-256","x":"` + base64.RawURLEncoding.EncodeToString(make([]byte, 32)) + `","y":"` + base64.RawURLEncoding.EncodeToString(make([]byte, 32)) + `"}]}`, "not on P-256", 0},
		{"short ed25519", `{"keys":[{"kty":"OKP","kid":"a","crv":"Ed25519","x":"AAAA"}]}`, "has 3 bytes", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := parseJWKS([]byte(tt.json))
			if tt.msg != "" {
				require.ErrorContains(t, err, tt.msg)
				return
			}
			require.NoError(t, err)
			require.Len(t, keys, tt.n)
		})
	}
	// A JWK whose alg is not the one we pin for its key is skipped.
	k := newTestKeys(t)["rsa"]
	j := jwkOf(k)
	j["alg"] = "PS256"
	b, _ := json.Marshal(map[string]any{"keys": []any{j}})
	keys, err := parseJWKS(b)
	require.NoError(t, err)
	require.Empty(t, keys)
	j["kid"] = "x"
	j["alg"] = "RS256"
	b, _ = json.Marshal(map[string]any{"keys": []any{j, j}})
	_, err = parseJWKS(b)
	require.ErrorContains(t, err, `two keys with kid "x"`)
}
