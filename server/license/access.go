package license

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Access is the kind of access a connection was granted.
type Access uint8

// The access types (spec §1.1 and §1.5), plus the evaluation access of an
// engine without a key (§1.8).
const (
	// NoAccess is the zero Access: nothing granted.
	NoAccess Access = iota
	// Professional is a user-based allocation with full features.
	Professional
	// Analyzer is a user-based allocation that consumes apps.
	Analyzer
	// AnalyzerCapacity is Analyzer's features paid from the monthly pool
	// of minutes, for identified and anonymous users.
	AnalyzerCapacity
	// UserPass is a token license's user access pass: one token, one
	// identified user, full access.
	UserPass
	// LoginPass is a token license's login access pass: 60 continuous
	// minutes of full access from a login access group.
	LoginPass
	// Evaluation is the access of an engine without a license key: full
	// features, at most EvaluationSessions sessions.
	Evaluation
)

var accessNames = [...]string{"none", "professional", "analyzer", "analyzerCapacity", "userPass", "loginPass", "evaluation"}

// String returns the name used in the state store, logs and metrics.
func (a Access) String() string {
	if int(a) < len(accessNames) {
		return accessNames[a]
	}
	return fmt.Sprintf("Access(%d)", a)
}

// ParseAccess reads an Access from its name (case-insensitive).
func ParseAccess(s string) (Access, error) {
	for i, n := range accessNames {
		if strings.EqualFold(n, s) {
			return Access(i), nil
		}
	}
	return NoAccess, fmt.Errorf("unknown access type %q (want professional, analyzer, analyzerCapacity, userPass or loginPass)", s)
}

// MarshalText writes the access name.
func (a Access) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads an access name.
func (a *Access) UnmarshalText(b []byte) error {
	v, err := ParseAccess(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// FullFeatures reports whether the access may create, edit and publish
// apps and sheets (Professional, both token passes and evaluation), as
// opposed to consuming them (Analyzer, Analyzer Capacity).
func (a Access) FullFeatures() bool {
	switch a {
	case Professional, UserPass, LoginPass, Evaluation:
		return true
	}
	return false
}

// UserBased reports whether the access is allocated to one identified user
// and so limited to MaxParallel connections.
func (a Access) UserBased() bool {
	return a == Professional || a == Analyzer || a == UserPass
}

// Assignment is the dynamic access assignment setting (spec §1.2): what a
// user without an allocation is given when they connect.
type Assignment uint8

// The four settings. The zero value enables both.
const (
	// AssignBoth gives Professional if available, else Analyzer, else
	// Analyzer Capacity.
	AssignBoth Assignment = iota
	// AssignProfessional gives Professional if available, else Analyzer
	// Capacity.
	AssignProfessional
	// AssignAnalyzer gives Analyzer if available, else Analyzer Capacity.
	AssignAnalyzer
	// AssignNone gives Analyzer Capacity only: Professional and Analyzer
	// are allocated explicitly (License.Assign).
	AssignNone
)

var assignmentNames = [...]string{"both", "professional", "analyzer", "none"}

// String returns the setting's name.
func (a Assignment) String() string {
	if int(a) < len(assignmentNames) {
		return assignmentNames[a]
	}
	return fmt.Sprintf("Assignment(%d)", a)
}

// ParseAssignment reads a setting from its name: both, professional,
// analyzer or none.
func ParseAssignment(s string) (Assignment, error) {
	for i, n := range assignmentNames {
		if strings.EqualFold(n, s) {
			return Assignment(i), nil
		}
	}
	return AssignBoth, fmt.Errorf("unknown dynamic assignment %q (want both, professional, analyzer or none)", s)
}

func (a Assignment) professional() bool { return a == AssignBoth || a == AssignProfessional }
func (a Assignment) analyzer() bool     { return a == AssignBoth || a == AssignAnalyzer }

// QIX session states a refusal or a revocation reports in OnConnected.
const (
	// StateNoLicense: a key is configured but no access can be allocated.
	StateNoLicense = "SESSION_ERROR_NO_LICENSE"
	// StateLimitExceeded: too many sessions (evaluation mode) or parallel
	// connections of one user.
	StateLimitExceeded = "SESSION_ERROR_LIMIT_EXCEEDED"
	// StateLicenseRenew: a running session could not renew what it
	// consumes (capacity minutes, login passes) or the key changed.
	StateLicenseRenew = "SESSION_ERROR_LICENSE_RENEW"
)

// Refusal is the error of a refused connection. It carries the QIX session
// state the client is told (SessionState), so a server that looks for a
// SessionState method sends it in OnConnected before closing.
type Refusal struct {
	// State is the QIX session state (StateNoLicense, ...).
	State string
	// Reason says why, for logs and the close frame.
	Reason string
	// Err is the underlying error, if any (a store failure).
	Err error
}

// Error says why the connection was refused.
func (r *Refusal) Error() string {
	if r.Err != nil {
		return fmt.Sprintf("license: %s: %v", r.Reason, r.Err)
	}
	return "license: " + r.Reason
}

// Unwrap returns the underlying error.
func (r *Refusal) Unwrap() error { return r.Err }

// SessionState returns the QIX session state to send.
func (r *Refusal) SessionState() string { return r.State }

func refuse(state, format string, args ...any) *Refusal {
	return &Refusal{State: state, Reason: fmt.Sprintf(format, args...)}
}

// UserID identifies a user: the identity provider's realm and the subject
// (spec §2: users are identified as (realm, sub)).
type UserID struct {
	Realm   string
	Subject string
}

// String returns realm\subject, the form used in the state store.
func (u UserID) String() string { return u.Realm + `\` + u.Subject }

// IsZero reports whether the id is empty (an anonymous user).
func (u UserID) IsZero() bool { return u.Subject == "" }

// ParseUserID reads realm\subject (the realm cannot contain a backslash;
// the subject may).
func ParseUserID(s string) (UserID, error) {
	realm, sub, ok := strings.Cut(s, `\`)
	if !ok || sub == "" {
		return UserID{}, fmt.Errorf(`user id %q is not realm\subject`, s)
	}
	return UserID{Realm: realm, Subject: sub}, nil
}

// MarshalJSON writes the realm\subject form.
func (u UserID) MarshalJSON() ([]byte, error) { return json.Marshal(u.String()) }
