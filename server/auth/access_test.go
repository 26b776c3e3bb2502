package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/server/auth/rules"
	"github.com/assocengine/assoc/server/license"
)

func TestRule_1_1_AnalyzerCannotEditApps(t *testing.T) {
	tests := []struct {
		call     Call
		analyzer bool // allowed for Analyzer and Analyzer Capacity
	}{
		{Call{Class: "Global", Method: "OpenDoc"}, true},
		{Call{Class: "Global", Method: "CreateApp"}, false},
		{Call{Class: "Global", Method: "DeleteApp"}, false},
		{Call{Class: "Doc", Method: "SetScript"}, false},
		{Call{Class: "Doc", Method: "DoReload"}, false},
		{Call{Class: "Doc", Method: "DoSave"}, false},
		{Call{Class: "Doc", Method: "CreateConnection"}, false},
		{Call{Class: "Doc", Method: "CreateObject"}, false},
		{Call{Class: "Doc", Method: "CreateSessionObject"}, true},
		{Call{Class: "Doc", Method: "CreateBookmark"}, true},
		{Call{Class: "Doc", Method: "ExportReducedData"}, true},
		{Call{Class: "Doc", Method: "GetObject"}, true},
		{Call{Class: "Field", Method: "Select"}, true},
		{Call{Class: "GenericObject", Method: "SelectHyperCubeValues"}, true},
		{Call{Class: "GenericObject", Method: "ExportData"}, true},
		{Call{Class: "GenericObject", Method: "SetProperties"}, false},
		{Call{Class: "GenericObject", Method: "SetProperties", Session: true}, true},
		{Call{Class: "GenericObject", Method: "ApplyPatches"}, false},
		{Call{Class: "GenericObject", Method: "ApplyPatches", SoftPatch: true}, true},
		{Call{Class: "GenericObject", Method: "Publish"}, false},
		{Call{Class: "GenericBookmark", Method: "Publish"}, true},
		{Call{Class: "GenericBookmark", Method: "SetProperties"}, true},
		{Call{Class: "GenericBookmark", Method: "Approve"}, false},
		{Call{Class: "GenericMeasure", Method: "SetProperties"}, false},
		{Call{Class: "GenericVariable", Method: "SetStringValue"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.call.Class+"."+tt.call.Method, func(t *testing.T) {
			for _, a := range []license.Access{license.Professional, license.UserPass, license.LoginPass, license.Evaluation} {
				require.True(t, LicenseAllows(a, tt.call), "%s", a)
			}
			for _, a := range []license.Access{license.Analyzer, license.AnalyzerCapacity} {
				require.Equal(t, tt.analyzer, LicenseAllows(a, tt.call), "%s", a)
			}
			require.False(t, LicenseAllows(license.NoAccess, tt.call))
		})
	}
}

func TestAuthorizerCombinesLicenseAndRules(t *testing.T) {
	policy := &rules.Policy{Allow: mustRules(t, `
resource._resourcetype = {"App", "App.Object"} and resource._actions = {"read"}
user.roles = {"developer"} and resource._actions = {"create", "update", "reload"}
user.id = "ada" and resource._resourcetype = "App.Object" and resource._objecttype = "sheet" and resource._actions = "delete"
`)}
	z := &Authorizer{Rules: policy}
	ada := &User{Realm: "r", Subject: "ada", Claims: map[string]any{"roles": []any{"developer"}}}
	bob := &User{Realm: "r", Subject: "bob"}
	tests := []struct {
		name     string
		user     *User
		access   license.Access
		call     Call
		resource map[string]any
		reason   string // "" = allowed
	}{
		{"reader opens", bob, license.Professional, Call{Class: "Global", Method: "OpenDoc"}, nil, ""},
		{"rules deny a professional", bob, license.Professional, Call{Class: "Doc", Method: "DoReload"}, nil, `no rule of rules.txt grants "reload"`},
		{"rules allow", ada, license.Professional, Call{Class: "Doc", Method: "DoReload"}, nil, ""},
		{"license denies before rules", ada, license.Analyzer, Call{Class: "Doc", Method: "DoReload"}, nil, "Doc.DoReload needs Professional access; the user has analyzer"},
		{"object type", ada, license.Professional, Call{Class: "Doc", Method: "DestroyObject"}, map[string]any{"_objecttype": "sheet"}, ""},
		{"object type mismatch", ada, license.Professional, Call{Class: "Doc", Method: "DestroyObject"}, map[string]any{"_objecttype": "story"}, "grants \"delete\""},
		{"session objects are not governed", bob, license.Analyzer, Call{Class: "Doc", Method: "CreateSessionObject"}, nil, ""},
		{"analyzer exports data if rules say so", bob, license.AnalyzerCapacity, Call{Class: "GenericObject", Method: "ExportData"}, nil, `grants "export data"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := z.Authorize(tt.user, tt.access, tt.call, tt.resource)
			if tt.reason == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrAccessDenied)
			require.Equal(t, "Access denied", err.Error())
			var d *Denial
			require.True(t, errors.As(err, &d))
			require.Contains(t, d.Reason, tt.reason)
		})
	}
	// Without rules, only the license decides.
	require.NoError(t, (*Authorizer)(nil).Authorize(bob, license.Professional, Call{Class: "Doc", Method: "DoReload"}, nil))
	require.Error(t, (&Authorizer{}).Authorize(bob, license.Analyzer, Call{Class: "Doc", Method: "DoReload"}, nil))
}

func mustRules(t *testing.T, src string) *rules.RuleSet {
	t.Helper()
	s, err := rules.Parse("rules.txt", []byte(strings.TrimSpace(src)))
	require.NoError(t, err)
	return s
}

func TestCSRF(t *testing.T) {
	clk := &clock{now: now0}
	c := NewCSRF(10*time.Minute, clk.Now)
	tok := c.Issue("session-1")
	require.NoError(t, c.Verify("session-1", tok))
	require.ErrorIs(t, c.Verify("session-1", tok), ErrCSRFReplayed, "a token is good once")

	tok2 := c.Issue("session-1")
	require.ErrorIs(t, c.Verify("session-2", tok2), ErrCSRFInvalid, "another session's token")
	require.NoError(t, c.Verify("session-1", tok2), "the failed attempt did not spend it")

	require.ErrorIs(t, c.Verify("session-1", ""), ErrCSRFMissing)
	require.ErrorIs(t, c.Verify("session-1", "not-base64!"), ErrCSRFInvalid)
	forged := []byte(c.Issue("session-1"))
	forged[len(forged)-2] ^= 1
	require.ErrorIs(t, c.Verify("session-1", string(forged)), ErrCSRFInvalid)
	// Another server's key.
	require.ErrorIs(t, NewCSRF(0, clk.Now).Verify("session-1", c.Issue("session-1")), ErrCSRFInvalid)

	old := c.Issue("session-1")
	clk.Advance(10 * time.Minute)
	err := c.Verify("session-1", old)
	require.ErrorIs(t, err, ErrCSRFExpired)
	require.ErrorContains(t, err, "2026-03-01T12:10:00Z")
}
