package auth

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/assocengine/assoc/server/license"
)

// User is an authenticated user: who they are in which realm, and every
// claim of their token. The server keeps it on the session
// (Global.GetAuthenticatedUser) and hands it to the license and the
// access rules.
type User struct {
	// Realm is the identity provider's realm (its issuer if none is set).
	Realm string `json:"realm,omitempty"`
	// Subject is the user id (the mapped sub claim).
	Subject string `json:"subject,omitempty"`
	// Name, Email and ClientID are the mapped name, email and client_id.
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	ClientID string `json:"clientId,omitempty"`
	// Groups are the mapped groups.
	Groups []string `json:"groups,omitempty"`
	// Anonymous is set for a request without a token (when allowed).
	Anonymous bool `json:"anonymous,omitempty"`
	// Issuer is the token's issuer.
	Issuer string `json:"issuer,omitempty"`
	// Expires is the token's expiry (zero: none).
	Expires time.Time `json:"expires,omitzero"`
	// Attributes are the mapped attributes by our names (sub, name, ...,
	// and any other name in claimsMapping).
	Attributes map[string]any `json:"attributes,omitempty"`
	// Claims are all the token's claims (and userinfo's).
	Claims map[string]any `json:"claims,omitempty"`
}

// ID returns the user's license identity; zero for an anonymous user.
func (u *User) ID() license.UserID {
	if u == nil || u.Anonymous {
		return license.UserID{}
	}
	return license.UserID{Realm: u.Realm, Subject: u.Subject}
}

// QIXUserID is the text Global.GetAuthenticatedUser answers, in Qlik's
// form "UserDirectory=<realm>; UserId=<subject>".
func (u *User) QIXUserID() string {
	if u == nil || u.Anonymous {
		return "UserDirectory=; UserId=anonymous"
	}
	return "UserDirectory=" + u.Realm + "; UserId=" + u.Subject
}

// RuleAttributes returns what access rules see as user.<name>: every
// claim, then the mapped attributes, with id = the subject (Qlik Core's
// user.id).
func (u *User) RuleAttributes() map[string]any {
	out := map[string]any{}
	if u == nil {
		return out
	}
	maps.Copy(out, u.Claims)
	maps.Copy(out, u.Attributes)
	if !u.Anonymous {
		out["id"] = u.Subject
		out["realm"] = u.Realm
	}
	if len(u.Groups) > 0 {
		gs := make([]any, len(u.Groups))
		for i, g := range u.Groups {
			gs[i] = g
		}
		out["groups"] = gs
	}
	out["anonymous"] = u.Anonymous
	return out
}

// defaultMapping is used for attributes the configuration does not map.
var defaultMapping = map[string]ClaimNames{
	"sub":       {"sub"},
	"name":      {"name"},
	"email":     {"email"},
	"groups":    {"groups"},
	"client_id": {"client_id"},
}

// user maps validated claims to a User.
func (p *provider) user(claims jwt.MapClaims) (*User, error) {
	mapping := maps.Clone(defaultMapping)
	maps.Copy(mapping, p.cfg.mapping())
	u := &User{Realm: p.realm, Issuer: p.issuer, Attributes: map[string]any{}, Claims: map[string]any(claims)}
	for attr, names := range mapping {
		for _, n := range names {
			if v, ok := claims[n]; ok && !empty(v) {
				u.Attributes[attr] = v
				break
			}
		}
	}
	u.Subject = scalarString(u.Attributes["sub"])
	if u.Subject == "" {
		return nil, fmt.Errorf("%w: no subject: none of the claims %q is a non-empty string", ErrClaims, mapping["sub"])
	}
	u.Name = scalarString(u.Attributes["name"])
	u.Email = scalarString(u.Attributes["email"])
	u.ClientID = scalarString(u.Attributes["client_id"])
	u.Groups = stringList(u.Attributes["groups"])
	if exp, _ := claims.GetExpirationTime(); exp != nil {
		u.Expires = exp.Time
	}
	return u, nil
}

func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	}
	return false
}

// scalarString returns a string or number claim as text ("" otherwise).
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// stringList reads a groups-like claim: a list of strings, or one string
// (some providers send "a,b" or a single group).
func stringList(v any) []string {
	switch v := v.(type) {
	case []any:
		var out []string
		for _, e := range v {
			if s := scalarString(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	case string:
		var out []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
