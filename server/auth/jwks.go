package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// maxDocumentBytes bounds what is read from an identity provider (a
// discovery document, a JWKS, a userinfo answer).
const maxDocumentBytes = 1 << 20

// verificationKey is a public key and the one algorithm it verifies.
type verificationKey struct {
	key crypto.PublicKey
	alg string
}

// jwk is one JSON Web Key (RFC 7517/7518/8037), the members we read.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS reads a JWK set. Keys that are not for signatures or of a kind
// we do not accept are skipped (a provider may publish encryption keys);
// a key that claims to be one we accept but is broken is an error.
func parseJWKS(data []byte) (map[string]verificationKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("JWKS is not a JSON key set: %w", err)
	}
	out := map[string]verificationKey{}
	for i, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pub, err := k.publicKey()
		if errors.Is(err, errSkipKey) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("JWKS key %d (kid %q): %w", i, k.Kid, err)
		}
		alg, err := algOf(pub)
		if err != nil {
			return nil, fmt.Errorf("JWKS key %d (kid %q): %w", i, k.Kid, err)
		}
		if k.Alg != "" && k.Alg != alg {
			continue // a key for an algorithm we do not accept (PS256, RS512, ...)
		}
		if _, dup := out[k.Kid]; dup {
			return nil, fmt.Errorf("JWKS has two keys with kid %q", k.Kid)
		}
		out[k.Kid] = verificationKey{key: pub, alg: alg}
	}
	return out, nil
}

var errSkipKey = errors.New("key type not used for signatures here")

func b64(s, what string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not base64url: %v", what, err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%s is empty", what)
	}
	return b, nil
}

func (k jwk) publicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, err := b64(k.N, "n")
		if err != nil {
			return nil, err
		}
		e, err := b64(k.E, "e")
		if err != nil {
			return nil, err
		}
		if len(e) > 4 {
			return nil, errors.New("e is too large")
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		if exp < 3 || exp%2 == 0 {
			return nil, fmt.Errorf("e = %d is not a valid RSA exponent", exp)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}, nil
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		default:
			return nil, errSkipKey
		}
		x, err := b64(k.X, "x")
		if err != nil {
			return nil, err
		}
		y, err := b64(k.Y, "y")
		if err != nil {
			return nil, err
		}
		size := (curve.Params().BitSize + 7) / 8
		if len(x) != size || len(y) != size {
			return nil, fmt.Errorf("%s coordinates must have %d bytes", k.Crv, size)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, fmt.Errorf("EC point is not on %s: %v", k.Crv, err)
		}
		return pub, nil
	case "OKP":
		if k.Crv != "Ed25519" {
			return nil, errSkipKey
		}
		x, err := b64(k.X, "x")
		if err != nil {
			return nil, err
		}
		if len(x) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("Ed25519 key has %d bytes, want %d", len(x), ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, errSkipKey
}

// remoteKeys is a JWKS fetched over HTTP and cached. An unknown kid
// triggers a refresh, at most once per minInterval (a flood of tokens with
// made-up kids cannot make us hammer the provider); the set is also
// refreshed when older than maxAge.
type remoteKeys struct {
	url         string
	client      *http.Client
	now         func() time.Time
	minInterval time.Duration
	maxAge      time.Duration

	mu        sync.Mutex
	keys      map[string]verificationKey
	fetched   time.Time // when keys were fetched
	attempted time.Time // when a fetch was last tried
	lastErr   error
}

// errRefreshLimited tells that a refresh was skipped by the rate limit.
var errRefreshLimited = errors.New("the key set was refreshed moments ago")

func (r *remoteKeys) lookup(ctx context.Context, kid string) (verificationKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if k, ok := r.find(kid); ok && now.Sub(r.fetched) < r.maxAge {
		return k, nil
	}
	if now.Sub(r.attempted) < r.minInterval && !r.attempted.IsZero() {
		if k, ok := r.find(kid); ok {
			return k, nil // stale but the provider was asked moments ago
		}
		if r.lastErr != nil {
			return verificationKey{}, fmt.Errorf("%w: fetching %s failed: %v", ErrUnknownKey, r.url, r.lastErr)
		}
		return verificationKey{}, fmt.Errorf("%w: kid %q is not in the key set of %s (%v)", ErrUnknownKey, kid, r.url, errRefreshLimited)
	}
	r.attempted = now
	keys, err := r.fetch(ctx)
	r.lastErr = err
	if err == nil {
		r.keys, r.fetched = keys, now
	}
	if k, ok := r.find(kid); ok {
		return k, nil
	}
	if err != nil {
		return verificationKey{}, fmt.Errorf("%w: cannot fetch the key set %s: %v", ErrUnknownKey, r.url, err)
	}
	return verificationKey{}, fmt.Errorf("%w: kid %q is not in the key set of %s", ErrUnknownKey, kid, r.url)
}

// find returns the key for kid; a token without kid uses the only key.
func (r *remoteKeys) find(kid string) (verificationKey, bool) {
	if kid == "" && len(r.keys) == 1 {
		for _, k := range r.keys {
			return k, true
		}
	}
	k, ok := r.keys[kid]
	return k, ok
}

func (r *remoteKeys) fetch(ctx context.Context) (map[string]verificationKey, error) {
	body, err := getDocument(ctx, r.client, r.url, "")
	if err != nil {
		return nil, err
	}
	return parseJWKS(body)
}

// getDocument GETs a JSON document (bounded in size), with a bearer token
// when one is given.
func getDocument(ctx context.Context, client *http.Client, url, bearer string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxDocumentBytes {
		return nil, fmt.Errorf("%s answered more than %d bytes", url, maxDocumentBytes)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return body, nil
}
