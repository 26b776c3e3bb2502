package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// seedValues is the ADFS example of the seed document (identity-providers
// in Helm values), with its static key as printed there.
const seedValues = `
devMode:
  enabled: true
engine:
  acceptEULA: "yes"
identity-providers:
  secrets:
    idpConfigs:
      - discoveryUrl: "https://adfs-host/adfs/.well-known/openid-configuration"
        clientId: "https://adfs.elastic.example/1234567890"
        clientSecret: "<client secret>"
        realm: "ADFS"
        hostname: "adfs.elastic.example"
        useClaimsFromIdToken: true
        claimsMapping:
          sub: ["sub", "appid"]
          client_id: "appid"
          name: "display_name"
      - issuerConfig:
          issuer: https://the-issuer
          primary: false
          realm: "ADFS"
          hostname: "adfs.elastic.example"
          staticKeys:
            - kid: "thekid"
              pem: |-
                -----BEGIN PUBLIC KEY-----
                MHYWEAYHKoZIZj0CAQYFK4EEACIDYgAEMSxQjXxrvqoKSAREQXsr5Q7+/aetjEb
                OUHt8/Cf73wD56cb4QbHthAL15Ej4MUFOAL9imDmVQe58o9b1j5Zo16Rt1gjLDvd
                nqstc+PX4tyxqGadItJAOU3jka7jYghA
                -----END PUBLIC KEY-----
`

func TestParseSeedConfig(t *testing.T) {
	// The seed's key was mangled in print: the error says where and why.
	_, err := ParseConfig([]byte(seedValues))
	require.ErrorContains(t, err, `idpConfigs[1] (realm ADFS): staticKeys[0] (kid "thekid"): pem is not a PEM block`)

	keys := newTestKeys(t)
	indented := strings.ReplaceAll(strings.TrimSpace(keys["p384"].pem), "\n", "\n                ")
	fixed := seedValues[:strings.Index(seedValues, "-----BEGIN")] + indented + "\n"
	cfg, err := ParseConfig([]byte(fixed))
	require.NoError(t, err)
	require.Len(t, cfg.IdPs, 2)
	oidc, static := cfg.IdPs[0], cfg.IdPs[1]
	require.Equal(t, "https://adfs-host/adfs", oidc.ExpectedIssuer())
	require.Equal(t, ClaimNames{"sub", "appid"}, oidc.ClaimsMapping["sub"])
	require.Equal(t, ClaimNames{"appid"}, oidc.ClaimsMapping["client_id"])
	require.True(t, oidc.UseClaimsFromIDToken)
	require.Equal(t, []string{"https://adfs.elastic.example/1234567890"}, oidc.audiences(2))
	require.True(t, oidc.isPrimary(2))
	require.Equal(t, "https://the-issuer", static.ExpectedIssuer())
	require.False(t, static.isPrimary(2))
	require.Empty(t, static.audiences(2))

	// The same list alone, or under idpConfigs, reads the same.
	list := fixed[strings.Index(fixed, "      - discoveryUrl"):]
	cfg2, err := ParseConfig([]byte(list))
	require.NoError(t, err)
	require.Equal(t, cfg, cfg2)
	cfg3, err := ParseConfig([]byte("idpConfigs:\n" + list))
	require.NoError(t, err)
	require.Equal(t, cfg, cfg3)

	// A file.
	path := filepath.Join(t.TempDir(), "idp.yaml")
	require.NoError(t, os.WriteFile(path, []byte(fixed), 0o600))
	cfg4, err := LoadConfig(path)
	require.NoError(t, err)
	require.Equal(t, cfg, cfg4)
	_, err = LoadConfig(path + ".missing")
	require.ErrorContains(t, err, "cannot read the identity provider configuration")
}

func TestProgrammaticConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
- discoveryUrl: "https://dev-1.oktapreview.com/.well-known/openid-configuration"
  clientId: "abc"
  realm: "Okta"
  primary: true
- discoveryUrl: "https://dev-1.oktapreview.com/oauth2/aus1/.well-known/openid-configuration"
  primary: false
  realm: "Okta"
  claimsMapping:
    client_id: ["client_id", "cid"]
`))
	require.NoError(t, err)
	require.Equal(t, []string{"qlik.api"}, cfg.IdPs[1].audiences(2), "programmatic access: audience qlik.api")
	require.Equal(t, []string{"abc"}, cfg.IdPs[0].audiences(2))
}

func TestConfigErrors(t *testing.T) {
	keys := newTestKeys(t)
	rsaPEM := strings.ReplaceAll(strings.TrimSpace(keys["rsa"].pem), "\n", "\n          ")
	tests := []struct {
		name, yaml, msg string
	}{
		{"empty", ``, "it is empty"},
		{"not a list", `idpConfigs: {a: 1}`, "want a list of idpConfigs"},
		{"unknown key", `- discoveryUrl: "https://x/.well-known/openid-configuration"` + "\n  clientID: x", "field clientID not found"},
		{"neither", `- realm: x`, "needs discoveryUrl (OpenID Connect) or issuerConfig"},
		{"both", `- discoveryUrl: "https://x/.well-known/openid-configuration"` + "\n  issuerConfig: {issuer: x}", "has both"},
		{"http", `- discoveryUrl: "http://idp.example/.well-known/openid-configuration"`, "must use https (http only for localhost)"},
		{"odd path", `- discoveryUrl: "https://idp.example/config"`, "set issuer"},
		{"relative", `- discoveryUrl: "/x"`, "is not an absolute URL"},
		{"no keys", `- issuerConfig: {issuer: "https://i"}`, "staticKeys is empty"},
		{"no issuer", "- issuerConfig:\n    staticKeys:\n      - kid: a\n        pem: |\n          " + rsaPEM, "issuerConfig.issuer is empty"},
		{"duplicate kid", "- issuerConfig:\n    issuer: https://i\n    staticKeys:\n      - kid: a\n        pem: |\n          " + rsaPEM +
			"\n      - kid: a\n        pem: |\n          " + rsaPEM, `kid "a" appears twice`},
		{"private key", "- issuerConfig:\n    issuer: https://i\n    staticKeys:\n      - kid: a\n        pem: |\n          -----BEGIN PRIVATE KEY-----\n          AAAA\n          -----END PRIVATE KEY-----", `want a PUBLIC KEY`},
		{"two primaries", `
- discoveryUrl: "https://a/.well-known/openid-configuration"
  primary: true
- discoveryUrl: "https://b/.well-known/openid-configuration"
  primary: true`, "2 entries say primary: true"},
		{"empty mapping", `- discoveryUrl: "https://a/.well-known/openid-configuration"` + "\n  claimsMapping: {sub: []}", "claimsMapping.sub lists no claim"},
		{"bad mapping", `- discoveryUrl: "https://a/.well-known/openid-configuration"` + "\n  claimsMapping: {sub: {a: b}}", "want a claim name or a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.yaml))
			require.ErrorContains(t, err, tt.msg)
		})
	}
	_, err := NewVerifier(Options{})
	require.ErrorContains(t, err, "no identity provider configuration")
}

func TestWeakKeysRefused(t *testing.T) {
	small := `-----BEGIN PUBLIC KEY-----
MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMcxaB3ysgXdWjz3dN9Tmf6aKE3QuL/d
T6aaSLBx1b0GUvXG9Lz+lsS4VgHuj6pS1U5RFbGeOoY7rjGd4fBYGJkCAwEAAQ==
-----END PUBLIC KEY-----`
	_, _, err := parsePublicKeyPEM(small)
	if err != nil && !strings.Contains(err.Error(), "cannot be read") {
		require.ErrorContains(t, err, "RSA key has 512 bits, want at least 2048")
	} else {
		require.Error(t, err)
	}
}
