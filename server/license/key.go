package license

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
)

// KeyPrefix starts every license key: the format version. A key is
//
//	AL1.<base64url(payload)>.<base64url(signature)>
//
// where payload is the canonical JSON of the entitlements (see
// Entitlements.Canonical) and signature is Ed25519 over SignedPrefix
// followed by the payload bytes.
const KeyPrefix = "AL1."

// SignedPrefix separates license signatures from any other use of the same
// Ed25519 key: the signed message is SignedPrefix + payload.
const SignedPrefix = "assoc-license-v1\x00"

// MaxKeyBytes bounds the text of a license key; a longer one is refused
// before it is decoded.
const MaxKeyBytes = 8 << 10

// Errors of key verification, checked with errors.Is.
var (
	ErrKeyMalformed = errors.New("license key is malformed")
	ErrKeySignature = errors.New("license key signature does not verify with the configured public key")
	ErrKeyExpired   = errors.New("license key has expired")
	ErrKeyInvalid   = errors.New("license key entitlements are invalid")
)

// Entitlements are what a license key grants (spec §1). Any combination of
// the user-based and capacity-based figures is allowed, or tokens alone.
type Entitlements struct {
	// KeyID identifies the license. Allocation state is kept per key id:
	// a key reissued with the same id (a renewal, more or fewer tokens)
	// keeps its allocations; a key with another id has its own.
	KeyID string
	// Licensee names the customer.
	Licensee string
	// Expires is when the key stops being valid; the zero time never
	// expires (a perpetual license).
	Expires time.Time
	// Professional and Analyzer are numbers of user allocations.
	Professional int
	Analyzer     int
	// AnalyzerCapacityMinutes is the Analyzer Capacity pool per calendar
	// month, consumed in 6-minute units.
	AnalyzerCapacityMinutes int
	// Tokens is the number of tokens of a token license (user and login
	// access passes). A token license has no access-type figures.
	Tokens int
	// Cores caps the CPU cores the engine may use; 0 is no cap.
	Cores int
	// Legacy marks a key that stands for a serial and control number
	// license (a LEF): removed Professional and Analyzer allocations are
	// quarantined, which a signed key never does, and Analyzer Capacity is
	// not available.
	Legacy bool
}

// wireEntitlements is the canonical JSON payload: fields in the order of
// their names, every one present (expires is "" for a perpetual key).
type wireEntitlements struct {
	Analyzer                int    `json:"analyzer"`
	AnalyzerCapacityMinutes int    `json:"analyzerCapacityMinutes"`
	Cores                   int    `json:"cores"`
	Expires                 string `json:"expires"`
	KeyID                   string `json:"keyId"`
	Legacy                  bool   `json:"legacy"`
	Licensee                string `json:"licensee"`
	Professional            int    `json:"professional"`
	Tokens                  int    `json:"tokens"`
}

// Validate checks that the entitlements make a usable license.
func (e Entitlements) Validate() error {
	var problems []string
	if strings.TrimSpace(e.KeyID) == "" {
		problems = append(problems, "keyId is empty")
	} else if len(e.KeyID) > 200 {
		problems = append(problems, "keyId is longer than 200 bytes")
	}
	if strings.TrimSpace(e.Licensee) == "" {
		problems = append(problems, "licensee is empty")
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"professional", e.Professional}, {"analyzer", e.Analyzer}, {"analyzerCapacityMinutes", e.AnalyzerCapacityMinutes},
		{"tokens", e.Tokens}, {"cores", e.Cores}} {
		if f.v < 0 {
			problems = append(problems, fmt.Sprintf("%s is negative (%d)", f.name, f.v))
		} else if f.v > 1e9 {
			problems = append(problems, fmt.Sprintf("%s is too large (%d)", f.name, f.v))
		}
	}
	if e.Tokens > 0 && (e.Professional > 0 || e.Analyzer > 0 || e.AnalyzerCapacityMinutes > 0) {
		problems = append(problems, "a token license cannot also grant professional, analyzer or analyzer capacity access")
	}
	if e.Legacy && e.AnalyzerCapacityMinutes > 0 {
		problems = append(problems, "analyzer capacity needs a signed key, not a legacy (serial and control number) one")
	}
	if e.Professional == 0 && e.Analyzer == 0 && e.AnalyzerCapacityMinutes == 0 && e.Tokens == 0 {
		problems = append(problems, "the key grants no access (professional, analyzer, analyzerCapacityMinutes and tokens are all 0)")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrKeyInvalid, strings.Join(problems, "; "))
	}
	return nil
}

// Canonical returns the canonical JSON payload that a signature covers.
func (e Entitlements) Canonical() []byte {
	w := wireEntitlements{
		Analyzer: e.Analyzer, AnalyzerCapacityMinutes: e.AnalyzerCapacityMinutes, Cores: e.Cores,
		KeyID: e.KeyID, Legacy: e.Legacy, Licensee: e.Licensee, Professional: e.Professional, Tokens: e.Tokens,
	}
	if !e.Expires.IsZero() {
		w.Expires = e.Expires.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	b, err := json.Marshal(w)
	if err != nil {
		panic("BUG: cannot marshal license entitlements: " + err.Error())
	}
	return b
}

// MarshalJSON writes the entitlements as their canonical payload.
func (e Entitlements) MarshalJSON() ([]byte, error) { return e.Canonical(), nil }

// UnmarshalJSON reads entitlements from JSON as an operator writes them
// for "assoc license sign": the payload's field names, any order, expires
// as RFC 3339 or a date (2026-12-31, which means the end of that day, UTC).
// Unknown fields are an error, so a typo cannot silently grant nothing.
func (e *Entitlements) UnmarshalJSON(b []byte) error {
	var w wireEntitlements
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("cannot read entitlements: %w", err)
	}
	if dec.More() {
		return errors.New("cannot read entitlements: trailing data after the JSON object")
	}
	exp, err := parseExpires(w.Expires)
	if err != nil {
		return err
	}
	*e = Entitlements{
		KeyID: w.KeyID, Licensee: w.Licensee, Expires: exp, Professional: w.Professional, Analyzer: w.Analyzer,
		AnalyzerCapacityMinutes: w.AnalyzerCapacityMinutes, Tokens: w.Tokens, Cores: w.Cores, Legacy: w.Legacy,
	}
	return nil
}

func parseExpires(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Truncate(time.Second), nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Add(24*time.Hour - time.Second), nil
	}
	return time.Time{}, fmt.Errorf("cannot read entitlements: expires %q is neither RFC 3339 (2026-12-31T23:59:59Z) nor a date (2026-12-31)", s)
}

// Key is a verified license key.
type Key struct {
	// Entitlements are what the key grants.
	Entitlements
	// Text is the key as it was given.
	Text string
}

// Expired reports whether the key has expired at now.
func (k *Key) Expired(now time.Time) bool {
	return !k.Expires.IsZero() && !now.Before(k.Expires)
}

// Sign signs entitlements with an Ed25519 private key and returns the key
// text. The entitlements are validated first.
func Sign(e Entitlements, priv ed25519.PrivateKey) (string, error) {
	if err := e.Validate(); err != nil {
		return "", err
	}
	if len(priv) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("cannot sign license key: the private key has %d bytes, want an Ed25519 key of %d", len(priv), ed25519.PrivateKeySize)
	}
	payload := e.Canonical()
	sig := ed25519.Sign(priv, append([]byte(SignedPrefix), payload...))
	enc := base64.RawURLEncoding
	return KeyPrefix + enc.EncodeToString(payload) + "." + enc.EncodeToString(sig), nil
}

// ParseKey verifies a license key with the public key and returns it. A
// key that is malformed, signed by another key, tampered with, invalid or
// expired at now is refused with an error that says which (ErrKeyMalformed,
// ErrKeySignature, ErrKeyInvalid, ErrKeyExpired). The zero now skips the
// expiry check (for inspecting old keys).
func ParseKey(text string, pub ed25519.PublicKey, now time.Time) (*Key, error) {
	text = strings.TrimSpace(text)
	if len(text) > MaxKeyBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d a key may have", ErrKeyMalformed, len(text), MaxKeyBytes)
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("cannot verify license key: the public key has %d bytes, want an Ed25519 key of %d", len(pub), ed25519.PublicKeySize)
	}
	rest, ok := strings.CutPrefix(text, KeyPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: it does not start with %q", ErrKeyMalformed, KeyPrefix)
	}
	p64, s64, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(s64, ".") {
		return nil, fmt.Errorf("%w: want %s<payload>.<signature>", ErrKeyMalformed, KeyPrefix)
	}
	enc := base64.RawURLEncoding
	payload, err := enc.DecodeString(p64)
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not base64url: %v", ErrKeyMalformed, err)
	}
	sig, err := enc.DecodeString(s64)
	if err != nil {
		return nil, fmt.Errorf("%w: signature is not base64url: %v", ErrKeyMalformed, err)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: signature has %d bytes, want %d", ErrKeyMalformed, len(sig), ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, append([]byte(SignedPrefix), payload...), sig) {
		return nil, ErrKeySignature
	}
	// The signature is good; the payload must still be canonical, so that
	// one set of entitlements has exactly one signed form.
	var e Entitlements
	if err := json.Unmarshal(payload, &e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyMalformed, err)
	}
	if !bytes.Equal(e.Canonical(), payload) {
		return nil, fmt.Errorf("%w: payload is not in canonical form", ErrKeyMalformed)
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	k := &Key{Entitlements: e, Text: text}
	if !now.IsZero() && k.Expired(now) {
		return nil, fmt.Errorf("%w: key %q expired at %s", ErrKeyExpired, e.KeyID, e.Expires.Format(time.RFC3339))
	}
	return k, nil
}

// GenerateSigningKey returns a new Ed25519 key pair for signing licenses.
func GenerateSigningKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot generate an Ed25519 key: %w", err)
	}
	return pub, priv, nil
}

// EncodePublicKey returns the PEM ("PUBLIC KEY", PKIX) of a public key.
func EncodePublicKey(pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("BUG: cannot marshal an Ed25519 public key: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// EncodePrivateKey returns the PEM ("PRIVATE KEY", PKCS #8) of a private key.
func EncodePrivateKey(priv ed25519.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		panic("BUG: cannot marshal an Ed25519 private key: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// DecodePublicKey reads an Ed25519 public key from PEM ("PUBLIC KEY").
func DecodePublicKey(data []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("cannot read the license public key: no PEM block found")
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("cannot read the license public key: PEM block is %q, want \"PUBLIC KEY\"", block.Type)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("cannot read the license public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("cannot read the license public key: it is a %T, want Ed25519", k)
	}
	return pub, nil
}

// DecodePrivateKey reads an Ed25519 private key from PEM ("PRIVATE KEY").
func DecodePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("cannot read the license signing key: no PEM block found")
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("cannot read the license signing key: PEM block is %q, want \"PRIVATE KEY\"", block.Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("cannot read the license signing key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("cannot read the license signing key: it is a %T, want Ed25519", k)
	}
	return priv, nil
}
