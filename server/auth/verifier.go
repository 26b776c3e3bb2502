package auth

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// Errors of token validation, checked with errors.Is; the error's text
// says more. Every one of them is an HTTP 401 at the WebSocket upgrade.
var (
	ErrNoToken        = errors.New("no bearer token")
	ErrTokenTooLarge  = errors.New("token is too large")
	ErrMalformed      = errors.New("token is malformed")
	ErrUnknownIssuer  = errors.New("token issuer is not configured")
	ErrAlgorithm      = errors.New("token signing algorithm is not accepted")
	ErrUnknownKey     = errors.New("token signing key is unknown")
	ErrSignature      = errors.New("token signature is invalid")
	ErrExpired        = errors.New("token has expired")
	ErrNotYetValid    = errors.New("token is not valid yet")
	ErrAudience       = errors.New("token audience is not accepted")
	ErrIssuer         = errors.New("token issuer does not match")
	ErrClaims         = errors.New("token claims are invalid")
	ErrProvider       = errors.New("identity provider is unavailable")
	ErrNotImplemented = errors.New("token type is not supported")
)

// Defaults of zero Options fields.
const (
	DefaultLeeway          = 30 * time.Second
	DefaultMaxTokenBytes   = 8 << 10
	DefaultRefreshInterval = time.Minute
	DefaultKeysMaxAge      = time.Hour
)

// Options configure a Verifier.
type Options struct {
	// Config lists the identity providers (required).
	Config *Config
	// Leeway is the clock skew allowed on exp, nbf and iat.
	Leeway time.Duration
	// MaxTokenBytes refuses longer tokens before they are parsed.
	MaxTokenBytes int
	// HTTPClient fetches discovery documents, key sets and userinfo; nil
	// is a client with a 10 s timeout.
	HTTPClient *http.Client
	// Clock tells the time; nil is time.Now.
	Clock func() time.Time
	// RefreshInterval is the least time between two fetches of a
	// provider's discovery document or key set (an unknown kid refreshes
	// at most this often).
	RefreshInterval time.Duration
	// KeysMaxAge is how long a fetched key set is used before it is
	// fetched again.
	KeysMaxAge time.Duration
	// AllowAnonymous makes a request without Authorization an anonymous
	// user instead of an error.
	AllowAnonymous bool
	// AllowNoExpiry accepts tokens without exp (Qlik Core does); by
	// default exp is required.
	AllowNoExpiry bool
	// Logger receives the verifier's log lines; nil discards them.
	Logger *slog.Logger
}

// Verifier validates JWTs against the configured identity providers and
// maps their claims to a User. It is safe for concurrent use.
type Verifier struct {
	opts Options
	now  func() time.Time
	http *http.Client
	log  *slog.Logger
	idps []*provider
}

// provider is one configured identity provider at run time.
type provider struct {
	v         *Verifier
	cfg       IdPConfig
	issuer    string
	audiences []string
	realm     string
	primary   bool
	static    map[string]verificationKey

	mu          sync.Mutex
	discovered  bool
	attempted   time.Time
	discErr     error
	keys        *remoteKeys
	oidc        *oidc.Provider
	userinfoURL string
	infoCache   map[[32]byte]cachedInfo
}

type cachedInfo struct {
	claims  map[string]any
	expires time.Time
}

// NewVerifier returns a Verifier for a validated configuration.
func NewVerifier(opts Options) (*Verifier, error) {
	if opts.Config == nil {
		return nil, errors.New("auth: no identity provider configuration")
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if opts.Leeway <= 0 {
		opts.Leeway = DefaultLeeway
	}
	if opts.MaxTokenBytes <= 0 {
		opts.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if opts.KeysMaxAge <= 0 {
		opts.KeysMaxAge = DefaultKeysMaxAge
	}
	v := &Verifier{opts: opts, now: opts.Clock, http: opts.HTTPClient, log: opts.Logger}
	if v.now == nil {
		v.now = time.Now
	}
	if v.http == nil {
		v.http = &http.Client{Timeout: 10 * time.Second}
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	n := len(opts.Config.IdPs)
	for _, c := range opts.Config.IdPs {
		p := &provider{v: v, cfg: c, issuer: c.ExpectedIssuer(), audiences: c.audiences(n), realm: c.realm(), primary: c.isPrimary(n)}
		if p.realm == "" {
			p.realm = p.issuer
		}
		if ic := c.IssuerConfig; ic != nil {
			p.static = map[string]verificationKey{}
			for _, k := range ic.StaticKeys {
				pub, alg, err := parsePublicKeyPEM(k.PEM)
				if err != nil {
					return nil, fmt.Errorf("idp %s: kid %q: %w", c.Name(), k.Kid, err)
				}
				p.static[k.Kid] = verificationKey{key: pub, alg: alg}
			}
		}
		if len(p.audiences) == 0 {
			v.log.Warn("identity provider has no audience: tokens' aud is not checked", "idp", c.Name())
		}
		v.idps = append(v.idps, p)
	}
	// Primary providers are tried first; otherwise configuration order.
	slices.SortStableFunc(v.idps, func(a, b *provider) int {
		return cmp.Compare(boolRank(a.primary), boolRank(b.primary))
	})
	return v, nil
}

func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
}

// BearerToken returns the token of an Authorization header ("Bearer x").
func BearerToken(header string) (string, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", ErrNoToken
	}
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", fmt.Errorf("%w: the Authorization header is not \"Bearer <token>\"", ErrNoToken)
	}
	return strings.TrimSpace(tok), nil
}

// Authenticate validates the Authorization header of a request (the
// WebSocket upgrade or a REST call) and returns its user. Without the
// header the user is anonymous when Options.AllowAnonymous is set.
func (v *Verifier) Authenticate(ctx context.Context, authorization string) (*User, error) {
	if strings.TrimSpace(authorization) == "" && v.opts.AllowAnonymous {
		return &User{Anonymous: true}, nil
	}
	tok, err := BearerToken(authorization)
	if err != nil {
		return nil, err
	}
	return v.Verify(ctx, tok)
}

// Verify validates a JWT: its size, its issuer (one of the configured
// providers), its algorithm (pinned by the key: RS256, ES256, ES384 or
// EdDSA), its signature, exp, nbf and iat with the leeway, its audience,
// and the claims that identify the user.
func (v *Verifier) Verify(ctx context.Context, raw string) (*User, error) {
	if raw == "" {
		return nil, ErrNoToken
	}
	if len(raw) > v.opts.MaxTokenBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrTokenTooLarge, len(raw), v.opts.MaxTokenBytes)
	}
	if n := strings.Count(raw, "."); n != 2 {
		if n == 4 {
			return nil, fmt.Errorf("%w: encrypted tokens (JWE) are not accepted", ErrNotImplemented)
		}
		return nil, fmt.Errorf("%w: want header.payload.signature", ErrMalformed)
	}
	unverified := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, unverified); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	iss, _ := unverified["iss"].(string)
	var firstErr error
	for _, p := range v.idps {
		if p.issuer != iss {
			continue
		}
		u, err := p.verify(ctx, raw)
		if err == nil {
			return u, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownIssuer, quoteShort(iss))
}

// quoteShort quotes an untrusted string for a message, cut to 80 bytes.
func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func (p *provider) verify(ctx context.Context, raw string) (*User, error) {
	v := p.v
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(Algorithms), jwt.WithLeeway(v.opts.Leeway), jwt.WithIssuer(p.issuer),
		jwt.WithTimeFunc(v.now), jwt.WithIssuedAt(),
	}
	if !v.opts.AllowNoExpiry {
		opts = append(opts, jwt.WithExpirationRequired())
	}
	if len(p.audiences) > 0 {
		opts = append(opts, jwt.WithAudience(p.audiences...))
	}
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(opts...).ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		vk, err := p.key(ctx, kid)
		if err != nil {
			return nil, err
		}
		if alg := t.Method.Alg(); alg != vk.alg {
			return nil, fmt.Errorf("%w: the token says %s but key %q verifies only %s", ErrAlgorithm, alg, kid, vk.alg)
		}
		return vk.key, nil
	})
	if err != nil {
		return nil, p.classify(err, claims)
	}
	if p.cfg.DiscoveryURL != "" && !p.cfg.UseClaimsFromIDToken {
		info, err := p.userinfo(ctx, raw, claims)
		if err != nil {
			return nil, err
		}
		for k, val := range info {
			claims[k] = val
		}
	}
	return p.user(claims)
}

// classify turns a jwt error into one of ours, with a clear reason.
func (p *provider) classify(err error, claims jwt.MapClaims) error {
	for _, ours := range []error{ErrAlgorithm, ErrUnknownKey, ErrProvider} {
		if errors.Is(err, ours) {
			return unwrapOurs(err, ours)
		}
	}
	now := p.v.now()
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid) && strings.Contains(err.Error(), "signing method"):
		return fmt.Errorf("%w: %s (accepted: %s)", ErrAlgorithm, strings.TrimPrefix(err.Error(), "token signature is invalid: "), strings.Join(Algorithms, ", "))
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return fmt.Errorf("%w (issuer %s)", ErrSignature, p.issuer)
	case errors.Is(err, jwt.ErrTokenExpired):
		exp, _ := claims.GetExpirationTime()
		return fmt.Errorf("%w: exp %s is before now %s (leeway %s)", ErrExpired, fmtTime(exp), now.UTC().Format(time.RFC3339), p.v.opts.Leeway)
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		nbf, _ := claims.GetNotBefore()
		return fmt.Errorf("%w: nbf %s is after now %s (leeway %s)", ErrNotYetValid, fmtTime(nbf), now.UTC().Format(time.RFC3339), p.v.opts.Leeway)
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		iat, _ := claims.GetIssuedAt()
		return fmt.Errorf("%w: iat %s is in the future (now %s, leeway %s)", ErrNotYetValid, fmtTime(iat), now.UTC().Format(time.RFC3339), p.v.opts.Leeway)
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		aud, _ := claims.GetAudience()
		return fmt.Errorf("%w: %s is not one of %q", ErrAudience, quoteShort(strings.Join(aud, ",")), p.audiences)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return fmt.Errorf("%w: want %q", ErrIssuer, p.issuer)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing) && strings.Contains(err.Error(), "aud claim"):
		return fmt.Errorf("%w: the token has none; want one of %q", ErrAudience, p.audiences)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return fmt.Errorf("%w: %v", ErrClaims, err)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return fmt.Errorf("%w: %v", ErrSignature, err)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return fmt.Errorf("%w: %v", ErrClaims, err)
	}
	return fmt.Errorf("%w: %v", ErrSignature, err)
}

// unwrapOurs finds our error in the jwt error's chain, so the message is
// ours and not jwt's wrapping of it.
func unwrapOurs(err, ours error) error {
	var found error
	var walk func(error)
	walk = func(e error) {
		if e == nil || found != nil {
			return
		}
		if strings.HasPrefix(e.Error(), ours.Error()) && errors.Is(e, ours) {
			found = e
			return
		}
		switch x := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	if found != nil {
		return found
	}
	return fmt.Errorf("%w: %v", ours, err)
}

func fmtTime(t *jwt.NumericDate) string {
	if t == nil {
		return "(none)"
	}
	return t.UTC().Format(time.RFC3339)
}

// key returns the verification key for kid.
func (p *provider) key(ctx context.Context, kid string) (verificationKey, error) {
	if p.static != nil {
		if kid == "" && len(p.static) == 1 {
			for _, k := range p.static {
				return k, nil
			}
		}
		if k, ok := p.static[kid]; ok {
			return k, nil
		}
		return verificationKey{}, fmt.Errorf("%w: kid %s is not among the static keys of %s", ErrUnknownKey, quoteShort(kid), p.issuer)
	}
	keys, err := p.discover(ctx)
	if err != nil {
		return verificationKey{}, err
	}
	return keys.lookup(ctx, kid)
}

// discover fetches the provider's discovery document once (retrying at
// most every RefreshInterval after a failure).
func (p *provider) discover(ctx context.Context) (*remoteKeys, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.discovered {
		return p.keys, nil
	}
	now := p.v.now()
	if !p.attempted.IsZero() && now.Sub(p.attempted) < p.v.opts.RefreshInterval {
		return nil, fmt.Errorf("%w: %v", ErrProvider, p.discErr)
	}
	p.attempted = now
	err := p.discoverLocked(ctx)
	p.discErr = err
	if err != nil {
		p.v.log.Warn("identity provider discovery failed", "idp", p.cfg.Name(), "url", p.cfg.DiscoveryURL, "err", err)
		return nil, fmt.Errorf("%w: %v", ErrProvider, err)
	}
	return p.keys, nil
}

func (p *provider) discoverLocked(ctx context.Context) error {
	body, err := getDocument(ctx, p.v.http, p.cfg.DiscoveryURL, "")
	if err != nil {
		return fmt.Errorf("cannot fetch the discovery document: %w", err)
	}
	var doc oidc.ProviderConfig
	if err := json.Unmarshal(body, &doc); err != nil {
		return fmt.Errorf("discovery document %s is not JSON: %w", p.cfg.DiscoveryURL, err)
	}
	if doc.IssuerURL != p.issuer {
		return fmt.Errorf("discovery document %s says issuer %q, want %q", p.cfg.DiscoveryURL, doc.IssuerURL, p.issuer)
	}
	if err := checkURL(doc.JWKSURL); err != nil {
		return fmt.Errorf("discovery document %s: jwks_uri %w", p.cfg.DiscoveryURL, err)
	}
	if doc.UserInfoURL != "" {
		if err := checkURL(doc.UserInfoURL); err != nil {
			return fmt.Errorf("discovery document %s: userinfo_endpoint %w", p.cfg.DiscoveryURL, err)
		}
	}
	p.oidc = doc.NewProvider(oidc.ClientContext(context.Background(), p.v.http))
	p.userinfoURL = doc.UserInfoURL
	p.keys = &remoteKeys{url: doc.JWKSURL, client: p.v.http, now: p.v.now,
		minInterval: p.v.opts.RefreshInterval, maxAge: p.v.opts.KeysMaxAge}
	p.discovered = true
	return nil
}

// userinfo returns the claims of the provider's userinfo endpoint for a
// validated token (useClaimsFromIdToken: false), cached until the token
// expires.
func (p *provider) userinfo(ctx context.Context, raw string, claims jwt.MapClaims) (map[string]any, error) {
	if _, err := p.discover(ctx); err != nil {
		return nil, err
	}
	if p.userinfoURL == "" {
		return nil, nil // the provider has none: the token's claims are all there is
	}
	h := sha256.Sum256([]byte(raw))
	now := p.v.now()
	p.mu.Lock()
	if c, ok := p.infoCache[h]; ok && now.Before(c.expires) {
		p.mu.Unlock()
		return c.claims, nil
	}
	p.mu.Unlock()
	info, err := p.oidc.UserInfo(oidc.ClientContext(ctx, p.v.http), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: raw, TokenType: "Bearer"}))
	if err != nil {
		return nil, fmt.Errorf("%w: userinfo of %s: %v", ErrProvider, p.issuer, err)
	}
	var out map[string]any
	if err := info.Claims(&out); err != nil {
		return nil, fmt.Errorf("%w: userinfo of %s is not a JSON object: %v", ErrProvider, p.issuer, err)
	}
	if sub, _ := claims["sub"].(string); sub != "" && info.Subject != sub {
		return nil, fmt.Errorf("%w: userinfo subject %s differs from the token's", ErrClaims, quoteShort(info.Subject))
	}
	exp := now.Add(5 * time.Minute)
	if e, _ := claims.GetExpirationTime(); e != nil && e.Before(exp) {
		exp = e.Time
	}
	p.mu.Lock()
	if p.infoCache == nil || len(p.infoCache) > 10000 {
		p.infoCache = map[[32]byte]cachedInfo{}
	}
	p.infoCache[h] = cachedInfo{claims: out, expires: exp}
	p.mu.Unlock()
	return out, nil
}
