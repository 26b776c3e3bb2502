package fuzz

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/assocengine/assoc/server/auth"
	"github.com/assocengine/assoc/server/auth/rules"
	"github.com/assocengine/assoc/server/license"
)

// FuzzJWTValidate feeds arbitrary tokens to a Verifier with a static
// issuer: it must never panic, and it may accept only tokens signed by the
// configured key, for the configured issuer and audience, not expired,
// with a subject.
func FuzzJWTValidate(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := &auth.Config{IdPs: []auth.IdPConfig{{
		IssuerConfig: &auth.IssuerConfig{Issuer: "https://issuer.example", Realm: "fuzz",
			StaticKeys: []auth.StaticKey{{Kid: "k1", PEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}}},
		Audience: auth.ClaimNames{"qlik.api"},
	}}}
	v, err := auth.NewVerifier(auth.Options{Config: cfg, Clock: func() time.Time { return now }, MaxTokenBytes: 4096})
	if err != nil {
		f.Fatal(err)
	}
	mk := func(method jwt.SigningMethod, signKey any, claims jwt.MapClaims) string {
		t := jwt.NewWithClaims(method, claims)
		t.Header["kid"] = "k1"
		s, err := t.SignedString(signKey)
		if err != nil {
			f.Fatal(err)
		}
		return s
	}
	good := jwt.MapClaims{"iss": "https://issuer.example", "sub": "ada", "aud": "qlik.api", "exp": now.Add(time.Hour).Unix()}
	f.Add(mk(jwt.SigningMethodES256, key, good))
	f.Add(mk(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good))
	f.Add(mk(jwt.SigningMethodHS256, der, good))
	expired := jwt.MapClaims{"iss": "https://issuer.example", "sub": "ada", "aud": "qlik.api", "exp": now.Add(-time.Hour).Unix()}
	f.Add(mk(jwt.SigningMethodES256, key, expired))
	f.Add("eyJhbGciOiJFUzI1NiJ9.e30.")
	f.Add("a.b.c")
	f.Add(strings.Repeat("A", 5000))
	f.Fuzz(func(t *testing.T, token string) {
		u, err := v.Verify(context.Background(), token)
		if err != nil {
			if u != nil {
				t.Fatalf("a user with an error: %v", err)
			}
			return
		}
		if u.Subject == "" || u.Realm != "fuzz" {
			t.Fatalf("accepted a token without a subject: %q", token)
		}
		// An accepted token must verify with the key on its own.
		if _, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
			jwt.WithValidMethods([]string{"ES256"}), jwt.WithTimeFunc(func() time.Time { return now })); err != nil {
			t.Fatalf("accepted a token that does not verify: %v", err)
		}
	})
}

// FuzzAccessRules parses arbitrary rule files and evaluates what parses.
func FuzzAccessRules(f *testing.F) {
	f.Add(`user.roles = {"admin"} && resource._actions = "*"`)
	f.Add(`resource._resourcetype = {"app", "app.object"} and resource._actions = {"read"}`)
	f.Add(`user.allowReload && resource._resourcetype = {"app.object"} && resource._objecttype = {"variable"} && resource._actions = {"create"}`)
	f.Add(`!(user.region like "us-*") || user.region matches "eu-[0-9]+" and resource.HasPrivilege("read") and resource._actions = "update"`)
	f.Fuzz(func(t *testing.T, src string) {
		set, err := rules.Parse("fuzz", []byte(src))
		if err != nil {
			if set != nil {
				t.Fatal("a rule set with an error")
			}
			return
		}
		req := rules.Request{User: map[string]any{"roles": []any{"admin"}, "region": "us-east"},
			Resource: map[string]any{"_resourcetype": "App"}, Action: "read"}
		_ = (&rules.Policy{Allow: set, Deny: set}).Decide(req)
	})
}

// FuzzLicenseKey feeds arbitrary license keys to ParseKey: never a panic,
// and nothing accepted but what the signing key signed.
func FuzzLicenseKey(f *testing.F) {
	pub, priv, err := license.GenerateSigningKey()
	if err != nil {
		f.Fatal(err)
	}
	good, err := license.Sign(license.Entitlements{KeyID: "k", Licensee: "L", Professional: 3}, priv)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-2])
	f.Add("AL1.e30.AAAA")
	f.Fuzz(func(t *testing.T, text string) {
		k, err := license.ParseKey(text, pub, time.Time{})
		if err != nil {
			return
		}
		again, err := license.Sign(k.Entitlements, priv)
		if err != nil || again != strings.TrimSpace(text) {
			t.Fatalf("accepted a key that is not the signature of its entitlements: %q", text)
		}
	})
}
