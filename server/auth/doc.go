// Package auth is the engine's identity and access control (spec §2).
//
// # Tokens
//
// Users authenticate at an OpenID Connect identity provider; the engine
// receives a JWT in "Authorization: Bearer <jwt>" on the WebSocket upgrade
// or a REST call, and a Verifier validates it (a failure is HTTP 401 at
// the upgrade). The providers are configured by a YAML file shaped like
// the seed's identity-providers.secrets.idpConfigs (ParseConfig, LoadConfig):
// an OpenID Connect provider by its discoveryUrl (the discovery document
// gives the issuer, the JWKS and the userinfo endpoint; the key set is
// cached and fetched again on an unknown kid, at most once per
// Options.RefreshInterval), or a static issuer with issuerConfig.staticKeys
// ({kid, pem}). A token is matched to a provider by its iss; its algorithm
// is pinned by the key that verifies it (RS256 for RSA, ES256 and ES384
// for EC P-256 and P-384, EdDSA for Ed25519 — never "none", never an HMAC
// with a public key); exp (required unless Options.AllowNoExpiry), nbf and
// iat are checked with Options.Leeway, and aud against the provider's
// audiences (its clientId, "qlik.api" for a programmatic provider, or an
// explicit audience list). Tokens longer than Options.MaxTokenBytes are
// refused unread. Each refusal wraps one of the Err* values and says why.
//
// The claims become a User through claimsMapping (an attribute maps to a
// claim or a list of claims tried in order, e.g. sub: ["sub", "appid"]);
// users are (realm, sub). With useClaimsFromIdToken false the provider's
// userinfo endpoint (through go-oidc) adds its claims.
//
// # Access
//
// LicenseAllows says which QIX calls a license access type may make
// (Analyzer and Analyzer Capacity users cannot create, edit or publish
// apps, sheets, master items or connections, nor reload; session objects
// and bookmarks are theirs). An Authorizer adds, when configured, the
// access rules of package rules (Qlik Core's ABAC syntax, deny by
// default) over user.*, resource._resourcetype and resource._actions
// (RuleAction maps a call to its resource type and action). A refusal is
// a *Denial whose text is "Access denied".
//
// # CSRF and the test identity provider
//
// CSRF issues single-use anti-CSRF tokens bound to a session for the REST
// endpoints that change state. Package devidp is a test identity provider
// for development (assoc serve --dev-idp), never on by default.
package auth
