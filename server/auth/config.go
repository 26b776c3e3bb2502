package auth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is the identity provider configuration: the list the seed keeps
// under identity-providers.secrets.idpConfigs.
type Config struct {
	IdPs []IdPConfig
}

// IdPConfig is one identity provider: either an OpenID Connect provider
// found through DiscoveryURL, or a static issuer (IssuerConfig) whose
// public keys are in the configuration.
type IdPConfig struct {
	// DiscoveryURL is the provider's OpenID Connect discovery document
	// (.../.well-known/openid-configuration): issuer, JWKS and userinfo.
	DiscoveryURL string `yaml:"discoveryUrl"`
	// ClientID and ClientSecret are the interactive login's client; the
	// engine accepts tokens whose audience is ClientID (see Audience).
	ClientID     string `yaml:"clientId"`
	ClientSecret string `yaml:"clientSecret"`
	// Realm names the user directory; users are (realm, sub).
	Realm string `yaml:"realm"`
	// Hostname is the tenant host the provider is configured for (for
	// reference: tokens are matched by issuer, not host).
	Hostname string `yaml:"hostname"`
	// UseClaimsFromIDToken takes the user's claims from the token itself
	// instead of the provider's userinfo endpoint.
	UseClaimsFromIDToken bool `yaml:"useClaimsFromIdToken"`
	// ClaimsMapping maps our attributes (sub, name, email, groups,
	// client_id, or any other name) to token claims: one claim name or a
	// list tried in order.
	ClaimsMapping map[string]ClaimNames `yaml:"claimsMapping"`
	// Primary marks the provider of interactive logins; at most one may
	// set it. Tokens of the primary provider are tried first.
	Primary *bool `yaml:"primary"`
	// Issuer overrides the issuer expected in tokens; by default it is the
	// discovery URL without /.well-known/openid-configuration, and the
	// discovery document must agree.
	Issuer string `yaml:"issuer"`
	// Audience lists the accepted token audiences ("aud"); by default
	// ClientID, and "qlik.api" for a non-primary provider (programmatic
	// access). Empty with no ClientID: the audience is not checked.
	Audience ClaimNames `yaml:"audience"`
	// IssuerConfig configures a static issuer instead of discovery.
	IssuerConfig *IssuerConfig `yaml:"issuerConfig"`
}

// IssuerConfig is a static issuer: tokens signed by one of StaticKeys,
// chosen by the token's kid.
type IssuerConfig struct {
	Issuer        string                `yaml:"issuer"`
	Primary       *bool                 `yaml:"primary"`
	Realm         string                `yaml:"realm"`
	Hostname      string                `yaml:"hostname"`
	StaticKeys    []StaticKey           `yaml:"staticKeys"`
	ClaimsMapping map[string]ClaimNames `yaml:"claimsMapping"`
	Audience      ClaimNames            `yaml:"audience"`
}

// StaticKey is a PEM public key (RSA of at least 2048 bits, EC P-256 or
// P-384, or Ed25519) and its key id.
type StaticKey struct {
	Kid string `yaml:"kid"`
	PEM string `yaml:"pem"`
}

// ClaimNames is one claim name or a list of them, tried in order.
type ClaimNames []string

// UnmarshalYAML reads a scalar or a sequence of scalars.
func (c *ClaimNames) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*c = ClaimNames{n.Value}
		return nil
	case yaml.SequenceNode:
		var out ClaimNames
		for _, e := range n.Content {
			if e.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a claim name must be a string", e.Line)
			}
			out = append(out, e.Value)
		}
		*c = out
		return nil
	}
	return fmt.Errorf("line %d: want a claim name or a list of claim names", n.Line)
}

// ParseConfig reads the YAML configuration. It accepts the idpConfigs list
// itself, a document with an idpConfigs key, or Helm values with
// identity-providers.secrets.idpConfigs. Unknown keys are errors.
func ParseConfig(data []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("cannot read the identity provider configuration: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("cannot read the identity provider configuration: it is empty")
	}
	list := doc.Content[0]
	for _, path := range [][]string{{"identity-providers", "secrets", "idpConfigs"}, {"idpConfigs"}} {
		if n := lookup(list, path); n != nil {
			list = n
			break
		}
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("cannot read the identity provider configuration: line %d: want a list of idpConfigs (or a document with idpConfigs, or identity-providers.secrets.idpConfigs)", list.Line)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(list); err != nil {
		return nil, fmt.Errorf("cannot read the identity provider configuration: %w", err)
	}
	var cfg Config
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(&cfg.IdPs); err != nil {
		return nil, fmt.Errorf("cannot read the identity provider configuration: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// LoadConfig reads and validates a configuration file.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the identity provider configuration: %w", err)
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

func lookup(n *yaml.Node, path []string) *yaml.Node {
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// Validate checks every entry and says which one is wrong and why.
func (c *Config) Validate() error {
	if len(c.IdPs) == 0 {
		return errors.New("identity provider configuration lists no idpConfigs")
	}
	var errs []error
	primaries := 0
	for i := range c.IdPs {
		p := &c.IdPs[i]
		if p.isPrimary(len(c.IdPs)) && p.explicitPrimary() {
			primaries++
		}
		if err := p.validate(); err != nil {
			errs = append(errs, fmt.Errorf("idpConfigs[%d] (%s): %w", i, p.Name(), err))
		}
	}
	if primaries > 1 {
		errs = append(errs, fmt.Errorf("idpConfigs: %d entries say primary: true; at most one may", primaries))
	}
	return errors.Join(errs...)
}

// Name identifies the entry in messages: its realm, else its issuer or
// discovery URL.
func (p *IdPConfig) Name() string {
	switch {
	case p.realm() != "":
		return "realm " + p.realm()
	case p.IssuerConfig != nil:
		return p.IssuerConfig.Issuer
	}
	return p.DiscoveryURL
}

func (p *IdPConfig) realm() string {
	if p.IssuerConfig != nil && p.IssuerConfig.Realm != "" {
		return p.IssuerConfig.Realm
	}
	return p.Realm
}

func (p *IdPConfig) explicitPrimary() bool {
	if p.IssuerConfig != nil && p.IssuerConfig.Primary != nil {
		return *p.IssuerConfig.Primary
	}
	return p.Primary != nil && *p.Primary
}

// isPrimary: explicitly, or the only entry, or an OIDC entry that does not
// say (the seed's interactive providers leave it out).
func (p *IdPConfig) isPrimary(entries int) bool {
	if p.IssuerConfig != nil && p.IssuerConfig.Primary != nil {
		return *p.IssuerConfig.Primary
	}
	if p.Primary != nil {
		return *p.Primary
	}
	return entries == 1 || p.IssuerConfig == nil
}

const discoverySuffix = "/.well-known/openid-configuration"

// ExpectedIssuer returns the issuer tokens of this provider carry.
func (p *IdPConfig) ExpectedIssuer() string {
	switch {
	case p.IssuerConfig != nil:
		return p.IssuerConfig.Issuer
	case p.Issuer != "":
		return p.Issuer
	}
	return strings.TrimSuffix(p.DiscoveryURL, discoverySuffix)
}

func (p *IdPConfig) mapping() map[string]ClaimNames {
	if p.IssuerConfig != nil && len(p.IssuerConfig.ClaimsMapping) > 0 {
		return p.IssuerConfig.ClaimsMapping
	}
	return p.ClaimsMapping
}

// audiences returns the accepted audiences (none: not checked).
func (p *IdPConfig) audiences(entries int) []string {
	if p.IssuerConfig != nil && len(p.IssuerConfig.Audience) > 0 {
		return p.IssuerConfig.Audience
	}
	if len(p.Audience) > 0 {
		return p.Audience
	}
	var aud []string
	if p.ClientID != "" {
		aud = append(aud, p.ClientID)
	}
	if p.DiscoveryURL != "" && !p.isPrimary(entries) {
		aud = append(aud, "qlik.api")
	}
	return aud
}

func (p *IdPConfig) validate() error {
	var problems []string
	switch {
	case p.DiscoveryURL == "" && p.IssuerConfig == nil:
		return errors.New("needs discoveryUrl (OpenID Connect) or issuerConfig (static keys)")
	case p.DiscoveryURL != "" && p.IssuerConfig != nil:
		return errors.New("has both discoveryUrl and issuerConfig; use one")
	}
	if p.DiscoveryURL != "" {
		if err := checkURL(p.DiscoveryURL); err != nil {
			problems = append(problems, "discoveryUrl "+err.Error())
		} else if p.Issuer == "" && !strings.HasSuffix(p.DiscoveryURL, discoverySuffix) {
			problems = append(problems, "discoveryUrl does not end in "+discoverySuffix+"; set issuer to the issuer its tokens carry")
		}
		if p.Issuer != "" {
			if err := checkURL(p.Issuer); err != nil {
				problems = append(problems, "issuer "+err.Error())
			}
		}
	}
	if ic := p.IssuerConfig; ic != nil {
		if ic.Issuer == "" {
			problems = append(problems, "issuerConfig.issuer is empty")
		}
		if len(ic.StaticKeys) == 0 {
			problems = append(problems, "issuerConfig.staticKeys is empty")
		}
		seen := map[string]bool{}
		for i, k := range ic.StaticKeys {
			if seen[k.Kid] {
				problems = append(problems, fmt.Sprintf("staticKeys[%d]: kid %q appears twice", i, k.Kid))
			}
			seen[k.Kid] = true
			if k.Kid == "" && len(ic.StaticKeys) > 1 {
				problems = append(problems, fmt.Sprintf("staticKeys[%d]: kid is empty (only a single key may go without one)", i))
			}
			if _, _, err := parsePublicKeyPEM(k.PEM); err != nil {
				problems = append(problems, fmt.Sprintf("staticKeys[%d] (kid %q): %v", i, k.Kid, err))
			}
		}
	}
	for attr, names := range p.mapping() {
		if len(names) == 0 {
			problems = append(problems, fmt.Sprintf("claimsMapping.%s lists no claim", attr))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// checkURL accepts https URLs, and http ones for loopback hosts (a local
// test identity provider).
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q must use https (http only for localhost)", s)
	}
	return fmt.Errorf("%q must use https", s)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// The algorithms tokens may be signed with, one per kind of key: never
// "none", never an HMAC (a public key is not a secret).
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
	AlgES384 = "ES384"
	AlgEdDSA = "EdDSA"
)

// Algorithms lists the pinned algorithms.
var Algorithms = []string{AlgRS256, AlgES256, AlgES384, AlgEdDSA}

// algOf returns the one algorithm a public key verifies, or an error for
// keys that are not accepted.
func algOf(k crypto.PublicKey) (string, error) {
	switch k := k.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return "", fmt.Errorf("RSA key has %d bits, want at least 2048", k.N.BitLen())
		}
		return AlgRS256, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return AlgES256, nil
		case elliptic.P384():
			return AlgES384, nil
		}
		return "", fmt.Errorf("EC key on curve %s, want P-256 or P-384", k.Curve.Params().Name)
	case ed25519.PublicKey:
		return AlgEdDSA, nil
	}
	return "", fmt.Errorf("%T keys are not accepted (want RSA, EC P-256/P-384 or Ed25519)", k)
}

// parsePublicKeyPEM reads a PEM public key ("PUBLIC KEY", or "RSA PUBLIC
// KEY", or a certificate) and its algorithm.
func parsePublicKeyPEM(s string) (crypto.PublicKey, string, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, "", errors.New("pem is not a PEM block")
	}
	var k crypto.PublicKey
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		k, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		k, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var c *x509.Certificate
		if c, err = x509.ParseCertificate(block.Bytes); err == nil {
			k = c.PublicKey
		}
	default:
		return nil, "", fmt.Errorf("pem block is %q, want a PUBLIC KEY", block.Type)
	}
	if err != nil {
		return nil, "", fmt.Errorf("pem public key cannot be read: %v", err)
	}
	alg, err := algOf(k)
	if err != nil {
		return nil, "", err
	}
	return k, alg, nil
}
