package license

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRule_1_SignedKeyVerifiesOffline(t *testing.T) {
	e := Entitlements{KeyID: "k-42", Licensee: "Example AB", Professional: 10, Analyzer: 20, AnalyzerCapacityMinutes: 6000,
		Cores: 8, Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	text, err := Sign(e, signPriv)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(text, KeyPrefix))
	k, err := ParseKey(text, signPub, t0)
	require.NoError(t, err)
	require.Equal(t, e, k.Entitlements)
	require.Equal(t, text, k.Text)
	require.False(t, k.Expired(t0))
	require.True(t, k.Expired(e.Expires))

	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(strings.TrimPrefix(text, KeyPrefix), ".")[0])
	require.NoError(t, err)
	require.Equal(t, `{"analyzer":20,"analyzerCapacityMinutes":6000,"cores":8,"expires":"2027-01-01T00:00:00Z","keyId":"k-42","legacy":false,"licensee":"Example AB","professional":10,"tokens":0}`, string(payload))
}

// forge builds a key text from a payload and a signature over it.
func forge(payload []byte, sig []byte) string {
	enc := base64.RawURLEncoding
	return KeyPrefix + enc.EncodeToString(payload) + "." + enc.EncodeToString(sig)
}

func TestRule_1_ForgedOrBadKeysAreRefused(t *testing.T) {
	good := Entitlements{KeyID: "k", Licensee: "L", Professional: 1, Expires: t0.Add(24 * time.Hour)}
	text, err := Sign(good, signPriv)
	require.NoError(t, err)
	_, otherPriv := mustKeyPair()
	otherText, err := Sign(good, otherPriv)
	require.NoError(t, err)

	parts := strings.Split(strings.TrimPrefix(text, KeyPrefix), ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[0])
	sig, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := []byte(strings.Replace(string(payload), `"professional":1`, `"professional":9`, 1))
	sign := func(p []byte) []byte { return ed25519Sign(p) }
	spaced := []byte(strings.Replace(string(payload), `,"tokens"`, `, "tokens"`, 1))
	dup := []byte(strings.Replace(string(payload), `"tokens":0}`, `"tokens":0,"tokens":0}`, 1))
	bad := Entitlements{KeyID: "k", Licensee: "L", Professional: 1, Tokens: 5}

	tests := []struct {
		name string
		text string
		now  time.Time
		is   error
		msg  string
	}{
		{name: "tampered payload", text: forge(tampered, sig), is: ErrKeySignature},
		{name: "signed by another key", text: otherText, is: ErrKeySignature},
		{name: "expired", text: text, now: t0.Add(48 * time.Hour), is: ErrKeyExpired, msg: "expired at"},
		{name: "wrong prefix", text: "AL2." + strings.Join(parts, "."), is: ErrKeyMalformed, msg: `does not start with "AL1."`},
		{name: "no signature", text: KeyPrefix + parts[0], is: ErrKeyMalformed},
		{name: "three parts", text: text + ".x", is: ErrKeyMalformed},
		{name: "bad base64", text: KeyPrefix + "!!!." + parts[1], is: ErrKeyMalformed, msg: "base64url"},
		{name: "short signature", text: forge(payload, sig[:10]), is: ErrKeyMalformed, msg: "signature has 10 bytes"},
		{name: "not canonical", text: forge(spaced, sign(spaced)), is: ErrKeyMalformed, msg: "canonical"},
		{name: "duplicate field", text: forge(dup, sign(dup)), is: ErrKeyMalformed, msg: "canonical"},
		{name: "unknown field", text: forge([]byte(`{"admin":true}`), sign([]byte(`{"admin":true}`))), is: ErrKeyMalformed, msg: "unknown field"},
		{name: "invalid entitlements", text: forge(bad.Canonical(), sign(bad.Canonical())), is: ErrKeyInvalid, msg: "token license cannot also grant"},
		{name: "oversized", text: KeyPrefix + strings.Repeat("A", MaxKeyBytes), is: ErrKeyMalformed, msg: "more than"},
		{name: "empty", text: "", is: ErrKeyMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			if now.IsZero() {
				now = t0
			}
			k, err := ParseKey(tt.text, signPub, now)
			require.Nil(t, k)
			require.ErrorIs(t, err, tt.is)
			if tt.msg != "" {
				require.ErrorContains(t, err, tt.msg)
			}
		})
	}
}

func ed25519Sign(payload []byte) []byte {
	return ed25519.Sign(signPriv, append([]byte(SignedPrefix), payload...))
}

func TestEntitlementsValidate(t *testing.T) {
	tests := []struct {
		name string
		e    Entitlements
		msg  string
	}{
		{"ok", Entitlements{KeyID: "k", Licensee: "L", Tokens: 3}, ""},
		{"no key id", Entitlements{Licensee: "L", Tokens: 3}, "keyId is empty"},
		{"no licensee", Entitlements{KeyID: "k", Tokens: 3}, "licensee is empty"},
		{"negative", Entitlements{KeyID: "k", Licensee: "L", Professional: -1, Analyzer: 1}, "professional is negative"},
		{"nothing", Entitlements{KeyID: "k", Licensee: "L", Cores: 4}, "grants no access"},
		{"tokens and users", Entitlements{KeyID: "k", Licensee: "L", Tokens: 1, Analyzer: 1}, "token license"},
		{"legacy capacity", Entitlements{KeyID: "k", Licensee: "L", Legacy: true, AnalyzerCapacityMinutes: 60}, "needs a signed key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.Validate()
			if tt.msg == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrKeyInvalid)
			require.ErrorContains(t, err, tt.msg)
			_, err = Sign(tt.e, signPriv)
			require.ErrorIs(t, err, ErrKeyInvalid)
		})
	}
}

func TestEntitlementsUnmarshal(t *testing.T) {
	var e Entitlements
	require.NoError(t, json.Unmarshal([]byte(`{"keyId":"k","licensee":"L","tokens":4,"expires":"2026-12-31"}`), &e))
	require.Equal(t, time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), e.Expires)
	require.NoError(t, json.Unmarshal([]byte(`{"keyId":"k","licensee":"L","tokens":4,"expires":"2026-12-31T12:00:00+02:00"}`), &e))
	require.Equal(t, time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC), e.Expires)
	err := json.Unmarshal([]byte(`{"keyId":"k","profesional":4}`), &e)
	require.ErrorContains(t, err, `unknown field "profesional"`)
	err = json.Unmarshal([]byte(`{"keyId":"k","expires":"next year"}`), &e)
	require.ErrorContains(t, err, `expires "next year"`)
}

func TestKeyPEMRoundTrip(t *testing.T) {
	pub, priv := mustKeyPair()
	p2, err := DecodePublicKey(EncodePublicKey(pub))
	require.NoError(t, err)
	require.Equal(t, pub, p2)
	k2, err := DecodePrivateKey(EncodePrivateKey(priv))
	require.NoError(t, err)
	require.Equal(t, priv, k2)

	_, err = DecodePublicKey([]byte("hello"))
	require.ErrorContains(t, err, "no PEM block")
	_, err = DecodePublicKey(EncodePrivateKey(priv))
	require.ErrorContains(t, err, `want "PUBLIC KEY"`)
	_, err = DecodePrivateKey(EncodePublicKey(pub))
	require.ErrorContains(t, err, `want "PRIVATE KEY"`)
	_, err = ParseKey("AL1.x.y", pub[:5], t0)
	require.ErrorContains(t, err, "public key has 5 bytes")
	require.False(t, errors.Is(err, ErrKeySignature))
}
