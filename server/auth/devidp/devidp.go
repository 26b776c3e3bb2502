// Package devidp is a test identity provider for local development and
// tests (assoc serve --dev-idp, the seed's devMode): an OpenID Connect
// issuer that signs tokens for sample users with a key it generates at
// start, and serves its discovery document, key set, a password token
// endpoint and userinfo over HTTP.
//
// It is never on by default, it only serves loopback addresses unless told
// otherwise, and its passwords are public: it must not be used in
// production.
package devidp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/assocengine/assoc/server/auth"
)

// User is a sample account.
type User struct {
	Email    string
	Password string
	Name     string
	Groups   []string
}

// SampleUsers are the default accounts; harley@qlik.example is the seed's.
var SampleUsers = []User{
	{Email: "harley@qlik.example", Password: "Password1!", Name: "Harley Kiffe", Groups: []string{"Everyone", "Sales"}},
	{Email: "barb@qlik.example", Password: "Password1!", Name: "Barb Smith", Groups: []string{"Everyone", "Marketing"}},
	{Email: "sim@qlik.example", Password: "Password1!", Name: "Sim Cheng", Groups: []string{"Everyone"}},
}

// ClientID is the audience of the tokens the test IdP issues.
const ClientID = "assoc-dev"

// Options configure an IdP.
type Options struct {
	// Issuer is the base URL the IdP is served at (http://127.0.0.1:port);
	// it is the tokens' iss and the prefix of its endpoints.
	Issuer string
	// TTL is the tokens' lifetime; default 1 hour.
	TTL time.Duration
	// Clock tells the time; nil is time.Now.
	Clock func() time.Time
	// Users are the accounts; nil is SampleUsers.
	Users []User
	// AllowRemote lets the issuer be a non-loopback address.
	AllowRemote bool
}

// IdP is the test identity provider.
type IdP struct {
	issuer string
	ttl    time.Duration
	now    func() time.Time
	users  map[string]User
	key    *ecdsa.PrivateKey
	kid    string
}

// New creates an IdP with a fresh ES256 signing key.
func New(opts Options) (*IdP, error) {
	u, err := url.Parse(opts.Issuer)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("devidp: issuer %q is not an http(s) URL", opts.Issuer)
	}
	if !opts.AllowRemote && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("devidp: the test identity provider serves loopback addresses only, not %q", u.Hostname())
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devidp: cannot generate a signing key: %w", err)
	}
	var kid [8]byte
	_, _ = rand.Read(kid[:])
	p := &IdP{issuer: strings.TrimSuffix(opts.Issuer, "/"), ttl: opts.TTL, now: opts.Clock, key: key,
		kid: "dev-" + hex.EncodeToString(kid[:]), users: map[string]User{}}
	if p.ttl <= 0 {
		p.ttl = time.Hour
	}
	if p.now == nil {
		p.now = time.Now
	}
	users := opts.Users
	if users == nil {
		users = SampleUsers
	}
	for _, u := range users {
		p.users[strings.ToLower(u.Email)] = u
	}
	return p, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Issuer returns the issuer URL.
func (p *IdP) Issuer() string { return p.issuer }

// Config returns the idpConfigs entry that trusts this IdP.
func (p *IdP) Config() auth.IdPConfig {
	primary := true
	return auth.IdPConfig{DiscoveryURL: p.issuer + "/.well-known/openid-configuration", ClientID: ClientID,
		Realm: "dev", Hostname: "localhost", UseClaimsFromIDToken: true, Primary: &primary}
}

// Issue returns a token for a user, without their password (tests).
func (p *IdP) Issue(email string) (string, error) {
	u, ok := p.users[strings.ToLower(email)]
	if !ok {
		return "", fmt.Errorf("devidp: no user %q", email)
	}
	now := p.now()
	groups := make([]any, len(u.Groups))
	for i, g := range u.Groups {
		groups[i] = g
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": p.issuer, "sub": u.Email, "aud": ClientID, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(p.ttl).Unix(), "name": u.Name, "email": u.Email, "email_verified": true, "groups": groups,
	})
	t.Header["kid"] = p.kid
	return t.SignedString(p.key)
}

// ErrLogin is a wrong user name or password.
var ErrLogin = errors.New("devidp: wrong user name or password")

// Login checks a password and returns a token.
func (p *IdP) Login(email, password string) (string, error) {
	u, ok := p.users[strings.ToLower(email)]
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return "", ErrLogin
	}
	return p.Issue(u.Email)
}

// Handler serves the IdP: /.well-known/openid-configuration, /jwks,
// POST /token (grant_type=password, username, password) and /userinfo.
func (p *IdP) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": p.issuer, "jwks_uri": p.issuer + "/jwks", "token_endpoint": p.issuer + "/token",
			"authorization_endpoint": p.issuer + "/authorize", "userinfo_endpoint": p.issuer + "/userinfo",
			"id_token_signing_alg_values_supported": []string{"ES256"}, "response_types_supported": []string{"id_token"},
			"subject_types_supported": []string{"public"}, "grant_types_supported": []string{"password"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		enc := base64.RawURLEncoding
		pub, _ := p.key.PublicKey.Bytes() // uncompressed point: 0x04 ‖ X ‖ Y
		writeJSON(w, map[string]any{"keys": []any{map[string]any{
			"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": p.kid,
			"x": enc.EncodeToString(pub[1:33]), "y": enc.EncodeToString(pub[33:65]),
		}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "password" {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]any{"error": "unsupported_grant_type"})
			return
		}
		tok, err := p.Login(r.PostForm.Get("username"), r.PostForm.Get("password"))
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]any{"error": "invalid_grant", "error_description": "wrong user name or password"})
			return
		}
		writeJSON(w, map[string]any{"access_token": tok, "id_token": tok, "token_type": "Bearer", "expires_in": int(p.ttl.Seconds())})
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		tok, err := auth.BearerToken(r.Header.Get("Authorization"))
		var claims jwt.MapClaims
		if err == nil {
			_, err = jwt.ParseWithClaims(tok, &claims, func(*jwt.Token) (any, error) { return &p.key.PublicKey, nil },
				jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(p.issuer), jwt.WithTimeFunc(p.now))
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		out := map[string]any{}
		for _, k := range []string{"sub", "name", "email", "email_verified", "groups"} {
			if v, ok := claims[k]; ok {
				out[k] = v
			}
		}
		writeJSON(w, out)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
