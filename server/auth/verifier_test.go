package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

var now0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type testKey struct {
	kid    string
	priv   crypto.Signer
	method jwt.SigningMethod
	pem    string
}

func pemOf(t testing.TB, pub crypto.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func newTestKeys(t testing.TB) map[string]*testKey {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	keys := map[string]*testKey{
		"rsa":  {kid: "rsa", priv: rsaKey, method: jwt.SigningMethodRS256},
		"p256": {kid: "p256", priv: p256, method: jwt.SigningMethodES256},
		"p384": {kid: "p384", priv: p384, method: jwt.SigningMethodES384},
		"ed":   {kid: "ed", priv: edKey, method: jwt.SigningMethodEdDSA},
	}
	for _, k := range keys {
		k.pem = pemOf(t, k.priv.Public())
	}
	return keys
}

func sign(t testing.TB, k *testKey, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(k.method, claims)
	tok.Header["kid"] = k.kid
	s, err := tok.SignedString(k.priv)
	require.NoError(t, err)
	return s
}

// staticConfig is a static issuer with all the test keys.
func staticConfig(keys map[string]*testKey) *Config {
	var sk []StaticKey
	for _, k := range keys {
		sk = append(sk, StaticKey{Kid: k.kid, PEM: k.pem})
	}
	f := false
	return &Config{IdPs: []IdPConfig{{
		IssuerConfig:  &IssuerConfig{Issuer: "https://the-issuer", Primary: &f, Realm: "ADFS", StaticKeys: sk},
		ClaimsMapping: map[string]ClaimNames{"sub": {"sub", "appid"}, "client_id": {"appid"}, "name": {"display_name"}},
		Audience:      ClaimNames{"qlik.api"},
	}}}
}

func claims(over map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{"iss": "https://the-issuer", "sub": "ada", "aud": "qlik.api", "exp": now0.Add(time.Hour).Unix(),
		"iat": now0.Unix(), "display_name": "Ada Lovelace", "groups": []any{"sales", "admins"}, "custom": map[string]any{"country": "uk"}}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func newVerifier(t testing.TB, cfg *Config, opts Options) *Verifier {
	t.Helper()
	opts.Config = cfg
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return now0 }
	}
	v, err := NewVerifier(opts)
	require.NoError(t, err)
	return v
}

func TestVerifyAcceptsPinnedAlgorithms(t *testing.T) {
	keys := newTestKeys(t)
	v := newVerifier(t, staticConfig(keys), Options{})
	for name, k := range keys {
		t.Run(name, func(t *testing.T) {
			u, err := v.Verify(ctx, sign(t, k, claims(nil)))
			require.NoError(t, err)
			require.Equal(t, "ADFS", u.Realm)
			require.Equal(t, "ada", u.Subject)
			require.Equal(t, "Ada Lovelace", u.Name)
			require.Equal(t, []string{"sales", "admins"}, u.Groups)
			require.Equal(t, now0.Add(time.Hour).Unix(), u.Expires.Unix())
			require.Equal(t, `ADFS\ada`, u.ID().String())
			require.Equal(t, "UserDirectory=ADFS; UserId=ada", u.QIXUserID())
			attrs := u.RuleAttributes()
			require.Equal(t, "ada", attrs["id"])
			require.Equal(t, map[string]any{"country": "uk"}, attrs["custom"])
		})
	}
}

func TestClaimsMappingListsTriedInOrder(t *testing.T) {
	keys := newTestKeys(t)
	v := newVerifier(t, staticConfig(keys), Options{})
	// A machine token: no sub, the app id instead (programmatic access).
	u, err := v.Verify(ctx, sign(t, keys["rsa"], claims(map[string]any{"sub": nil, "appid": "app-7"})))
	require.NoError(t, err)
	require.Equal(t, "app-7", u.Subject)
	require.Equal(t, "app-7", u.ClientID)
	_, err = v.Verify(ctx, sign(t, keys["rsa"], claims(map[string]any{"sub": ""})))
	require.ErrorIs(t, err, ErrClaims)
	require.ErrorContains(t, err, `none of the claims ["sub" "appid"]`)
}

// forge builds a token from a header and claims with the given signature.
func forge(t *testing.T, header map[string]any, c jwt.MapClaims, sig []byte) string {
	t.Helper()
	enc := base64.RawURLEncoding
	hb := mustJSON(t, header)
	cb := mustJSON(t, c)
	return enc.EncodeToString(hb) + "." + enc.EncodeToString(cb) + "." + enc.EncodeToString(sig)
}

func TestVerifyRefusesAttacks(t *testing.T) {
	keys := newTestKeys(t)
	v := newVerifier(t, staticConfig(keys), Options{Leeway: 30 * time.Second, MaxTokenBytes: 4096})
	rsaKey := keys["rsa"]

	// HS256 "signed" with the RSA public key's PEM as the HMAC secret: the
	// classic key-confusion attack.
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil))
	hs.Header["kid"] = "rsa"
	hsToken, err := hs.SignedString([]byte(rsaKey.pem))
	require.NoError(t, err)
	// alg none.
	none := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil))
	none.Header["kid"] = "rsa"
	noneToken, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	// ES256 signed token relabelled as ES384 for the P-384 key id.
	wrongAlgKey := *keys["p256"]
	wrongAlgKey.kid = "p384"
	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	impostor := &testKey{kid: "rsa", priv: otherRSA, method: jwt.SigningMethodRS256}
	good := sign(t, rsaKey, claims(nil))
	parts := strings.Split(good, ".")
	tamperedClaims := base64.RawURLEncoding.EncodeToString(mustJSON(t, claims(map[string]any{"sub": "root"})))

	tests := []struct {
		name  string
		token string
		is    error
		msg   string
	}{
		{"alg none", noneToken, ErrAlgorithm, "signing method none is invalid"},
		{"HS256 with the public key", hsToken, ErrAlgorithm, "signing method HS256 is invalid"},
		{"algorithm not of the key", sign(t, &wrongAlgKey, claims(nil)), ErrAlgorithm, `the token says ES256 but key "p384" verifies only ES384`},
		{"signed by another key", sign(t, impostor, claims(nil)), ErrSignature, ""},
		{"tampered claims", parts[0] + "." + tamperedClaims + "." + parts[2], ErrSignature, ""},
		{"expired", sign(t, rsaKey, claims(map[string]any{"exp": now0.Add(-time.Minute).Unix()})), ErrExpired, "exp 2026-03-01T11:59:00Z is before now 2026-03-01T12:00:00Z (leeway 30s)"},
		{"no expiry", sign(t, rsaKey, claims(map[string]any{"exp": nil})), ErrClaims, "exp claim is required"},
		{"not yet valid", sign(t, rsaKey, claims(map[string]any{"nbf": now0.Add(time.Minute).Unix()})), ErrNotYetValid, "nbf 2026-03-01T12:01:00Z"},
		{"issued in the future (clock skew)", sign(t, rsaKey, claims(map[string]any{"iat": now0.Add(5 * time.Minute).Unix()})), ErrNotYetValid, "iat 2026-03-01T12:05:00Z is in the future"},
		{"wrong audience", sign(t, rsaKey, claims(map[string]any{"aud": "someone-else"})), ErrAudience, `"someone-else" is not one of ["qlik.api"]`},
		{"no audience", sign(t, rsaKey, claims(map[string]any{"aud": nil})), ErrAudience, ""},
		{"wrong issuer", sign(t, rsaKey, claims(map[string]any{"iss": "https://evil.example"})), ErrUnknownIssuer, `"https://evil.example"`},
		{"no issuer", sign(t, rsaKey, claims(map[string]any{"iss": nil})), ErrUnknownIssuer, ""},
		{"unknown kid", sign(t, &testKey{kid: "nope", priv: rsaKey.priv, method: jwt.SigningMethodRS256}, claims(nil)), ErrUnknownKey, `kid "nope" is not among the static keys`},
		{"oversized", sign(t, rsaKey, claims(map[string]any{"pad": strings.Repeat("x", 5000)})), ErrTokenTooLarge, "more than 4096"},
		{"not a JWT", "hello", ErrMalformed, "header.payload.signature"},
		{"JWE", "a.b.c.d.e", ErrNotImplemented, "encrypted"},
		{"garbage segments", "a.b.c", ErrMalformed, ""},
		{"empty", "", ErrNoToken, ""},
		{"forged header", forge(t, map[string]any{"alg": "RS256", "kid": "rsa", "crit": []any{"x"}}, claims(nil), []byte("sig")), ErrSignature, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := v.Verify(ctx, tt.token)
			require.Nil(t, u)
			require.ErrorIs(t, err, tt.is, "%v", err)
			if tt.msg != "" {
				require.ErrorContains(t, err, tt.msg)
			}
		})
	}
}

func TestLeewayAllowsSmallSkew(t *testing.T) {
	keys := newTestKeys(t)
	v := newVerifier(t, staticConfig(keys), Options{Leeway: 30 * time.Second})
	k := keys["ed"]
	_, err := v.Verify(ctx, sign(t, k, claims(map[string]any{"exp": now0.Add(-20 * time.Second).Unix()})))
	require.NoError(t, err, "expired 20 s ago, within the leeway")
	_, err = v.Verify(ctx, sign(t, k, claims(map[string]any{"nbf": now0.Add(20 * time.Second).Unix(), "iat": now0.Add(20 * time.Second).Unix()})))
	require.NoError(t, err, "valid in 20 s, within the leeway")
	_, err = v.Verify(ctx, sign(t, k, claims(map[string]any{"exp": now0.Add(-40 * time.Second).Unix()})))
	require.ErrorIs(t, err, ErrExpired)
	// Qlik Core's tokens may go without exp when allowed.
	lax := newVerifier(t, staticConfig(keys), Options{AllowNoExpiry: true})
	_, err = lax.Verify(ctx, sign(t, k, claims(map[string]any{"exp": nil})))
	require.NoError(t, err)
}

func TestAuthenticateHeader(t *testing.T) {
	keys := newTestKeys(t)
	v := newVerifier(t, staticConfig(keys), Options{})
	tok := sign(t, keys["p256"], claims(nil))
	u, err := v.Authenticate(ctx, "bearer "+tok)
	require.NoError(t, err)
	require.Equal(t, "ada", u.Subject)
	_, err = v.Authenticate(ctx, "")
	require.ErrorIs(t, err, ErrNoToken)
	_, err = v.Authenticate(ctx, "Basic YTpi")
	require.ErrorIs(t, err, ErrNoToken)
	require.ErrorContains(t, err, `not "Bearer <token>"`)
	anon := newVerifier(t, staticConfig(keys), Options{AllowAnonymous: true})
	u, err = anon.Authenticate(ctx, "")
	require.NoError(t, err)
	require.True(t, u.Anonymous)
	require.True(t, u.ID().IsZero())
	_, err = anon.Authenticate(ctx, "Bearer nope")
	require.ErrorIs(t, err, ErrMalformed, "a bad token is not anonymous")
}

func TestSingleStaticKeyWithoutKid(t *testing.T) {
	keys := newTestKeys(t)
	only := map[string]*testKey{"rsa": keys["rsa"]}
	cfg := staticConfig(only)
	cfg.IdPs[0].IssuerConfig.StaticKeys[0].Kid = ""
	v := newVerifier(t, cfg, Options{})
	k := *keys["rsa"]
	k.kid = ""
	tok := jwt.NewWithClaims(k.method, claims(nil))
	s, err := tok.SignedString(k.priv)
	require.NoError(t, err)
	_, err = v.Verify(ctx, s)
	require.NoError(t, err)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func BenchmarkVerifyES256(b *testing.B) {
	keys := newTestKeys(b)
	v := newVerifier(b, staticConfig(keys), Options{})
	tok := sign(b, keys["p256"], claims(nil))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
