package rules

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustParse(t *testing.T, src string) *RuleSet {
	t.Helper()
	s, err := Parse("test.txt", []byte(src))
	require.NoError(t, err)
	return s
}

func app(extra ...any) map[string]any {
	m := map[string]any{"_resourcetype": "App", "id": "movies.qvf", "owner": "ada"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

func object(objType string) map[string]any {
	return map[string]any{"_resourcetype": "App.Object", "_objecttype": objType, "app": app()}
}

// The sample files of Qlik Core's authorization examples, with the users
// their README describes.
func TestSampleRuleFiles(t *testing.T) {
	load := func(name string) *Policy {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		set, err := Parse(name, src)
		require.NoError(t, err)
		return &Policy{Allow: set}
	}
	empty := load("empty_engine_rules.txt")
	reload := load("reload_engine_rules.txt")
	admin := map[string]any{"sub": "root", "roles": []any{"admin"}}
	viewer := map[string]any{"sub": "v", "allowView": true}
	creator := map[string]any{"sub": "c", "allowCreate": true}
	reloader := map[string]any{"sub": "r", "allowReload": true}
	nobody := map[string]any{"sub": "n"}
	tests := []struct {
		name     string
		policy   *Policy
		user     map[string]any
		resource map[string]any
		action   string
		allowed  bool
	}{
		{"admin creates an app", empty, admin, app(), "create", true},
		{"admin deletes an object", empty, admin, object("sheet"), "delete", true},
		{"admin exports data", empty, admin, object("table"), "export data", true},
		{"anyone reads an app", empty, nobody, app(), "read", true},
		{"anyone reads an object", empty, nobody, object("sheet"), "read", true},
		{"nobody else creates", empty, nobody, app(), "create", false},
		{"nobody else reloads", empty, viewer, app(), "reload", false},
		{"creator creates", reload, creator, app(), "create", true},
		{"creator updates", reload, creator, object("sheet"), "update", true},
		{"creator cannot reload", reload, creator, app(), "reload", false},
		{"reloader reloads", reload, reloader, app(), "reload", true},
		{"reloader cannot create apps", reload, reloader, app(), "create", false},
		{"reloader creates variables", reload, reloader, object("variable"), "create", true},
		{"reloader cannot create sheets", reload, reloader, object("sheet"), "create", false},
		{"viewer reads", reload, viewer, object("sheet"), "read", true},
		{"viewer cannot update", reload, viewer, object("sheet"), "update", false},
		{"no attributes: denied by default", reload, nobody, app(), "read", false},
		{"a false claim grants nothing", reload, map[string]any{"allowCreate": false}, app(), "read", false},
		{"a string claim \"true\" counts", reload, map[string]any{"allowView": "TRUE"}, app(), "read", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.policy.Decide(Request{User: tt.user, Resource: tt.resource, Action: tt.action})
			require.Equal(t, tt.allowed, d.Allowed, d.Reason)
		})
	}
}

func TestOperators(t *testing.T) {
	user := map[string]any{
		"id": "john-doe", "country": "uk", "region": "us-east-1", "roles": []any{"developer", "tester"},
		"level": 3.0, "custom": map[string]any{"country": "sweden"}, "empty": "",
	}
	tests := []struct {
		cond string
		want bool
	}{
		{`user.country = "UK"`, true},
		{`user.country = {"se", "us", "uk"}`, true},
		{`user.country = {"se", "dk"}`, false},
		{`user.country == "uk"`, true},
		{`user.country == "UK"`, false},
		{`user.country == {"SE", "UK"}`, false},
		{`user.country != "SE"`, true},
		{`user.country != "UK"`, false},
		{`user.country != {"uk", "UK"}`, false},
		{`user.country !== "UK"`, true},
		{`user.country !== {"uk"}`, false},
		{`user.region like "US-*"`, true},
		{`user.region like "??-*"`, true},
		{`user.region like "us-?"`, false},
		{`user.region like "uk-*"`, false},
		{`user.region matches "us-[^-]+-(1|2)"`, true},
		{`user.region matches "us-[^-]+"`, false},
		{`user.roles = "developer"`, true},
		{`user.roles = {"admin", "TESTER"}`, true},
		{`user.roles = {"admin"}`, false},
		{`user.level = 3`, true},
		{`user.level = "3"`, true},
		{`user.level != 4`, true},
		{`user.custom.country = "sweden"`, true},
		{`user.Country = "uk"`, true},
		{`user.missing = "x"`, false},
		{`user.missing != "x"`, false},
		{`!(user.missing = "x")`, true},
		{`user.country = "uk" and user.id = "bill"`, false},
		{`user.country = "uk" && user.id = "john-doe"`, true},
		{`user.country = "se" or user.id = "john-doe"`, true},
		{`user.country = "se" || user.id = "bill"`, false},
		{`!(user.country = "uk") || (user.level = 3 && !user.empty)`, true},
		{`user.id`, false},
		{`user.level`, true},
		{`true`, true},
		{`false or user.country = "uk"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			set := mustParse(t, tt.cond+` and resource._actions = "read"`)
			got := set.Grants(Request{User: user, Resource: app()})
			require.Equal(t, tt.want, len(got) == 1, "%s granted %v", tt.cond, got)
		})
	}
}

func TestLikeEscapes(t *testing.T) {
	tests := []struct {
		s, pattern string
		want       bool
	}{
		{"a*b", `a\*b`, true},
		{"axb", `a\*b`, false},
		{"a?b", `a\?b`, true},
		{`a\b`, `a\\b`, true},
		{"", "*", true},
		{"abc", "a*c", true},
		{"abc", "a*d", false},
		{"aaab", "*a*b", true},
		{"héllo", "h?llo", true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, like(tt.s, tt.pattern), "%q like %q", tt.s, tt.pattern)
	}
	// The same through a rule: \* in the rule text.
	set := mustParse(t, `user.name like "a\*b" and resource._actions = "read"`)
	require.Len(t, set.Grants(Request{User: map[string]any{"name": "A*B"}}), 1)
	require.Empty(t, set.Grants(Request{User: map[string]any{"name": "AxB"}}))
}

func TestActionsAccumulateAndHasPrivilege(t *testing.T) {
	set := mustParse(t, `
# comment
user.country = "uk" and resource._actions = {"read", "update"}

user.roles = {"developer"} and resource._actions = {"create"}
resource._resourcetype = "App.Object" and resource.HasPrivilege("create") and resource._actions = {"delete"}
resource.app.HasPrivilege("update") && resource._actions = "export"
`)
	require.Equal(t, 4, set.Len())
	dev := map[string]any{"country": "uk", "roles": []any{"developer"}}
	require.Equal(t, []string{"create", "read", "update", "delete", "export"}, set.Grants(Request{User: dev, Resource: object("sheet")}))
	require.Equal(t, []string{"read", "update", "export"}, set.Grants(Request{User: map[string]any{"country": "uk"}, Resource: object("sheet")}))
	// A false rule grants nothing, even the actions it named before failing.
	set2 := mustParse(t, `resource._actions = {"read"} && user.admin`)
	require.Empty(t, set2.Grants(Request{User: map[string]any{}}))
	all := mustParse(t, `user.roles = "admin" && resource._actions = "*"`)
	d := (&Policy{Allow: all}).Decide(Request{User: map[string]any{"roles": "admin"}, Action: "Export Data"})
	require.True(t, d.Allowed)
	require.Equal(t, "allowed by test.txt:1", d.Reason)
}

func TestDenyFirst(t *testing.T) {
	p := &Policy{
		Allow: mustParse(t, `resource._actions = "*"`),
		Deny:  mustParse(t, `user.group = "contractors" and resource._resourcetype = "App" and resource._actions = {"delete", "export"}`),
	}
	contractor := map[string]any{"group": "contractors"}
	tests := []struct {
		user     map[string]any
		resource map[string]any
		action   string
		allowed  bool
	}{
		{contractor, app(), "delete", false},
		{contractor, app(), "export", false},
		{contractor, app(), "read", true},
		{contractor, object("sheet"), "delete", true},
		{map[string]any{"group": "staff"}, app(), "delete", true},
	}
	for i, tt := range tests {
		d := p.Decide(Request{User: tt.user, Resource: tt.resource, Action: tt.action})
		require.Equal(t, tt.allowed, d.Allowed, "case %d: %s", i, d.Reason)
		if !d.Allowed {
			require.Equal(t, "denied by test.txt:1", d.Reason)
		}
	}
	require.False(t, (&Policy{}).Decide(Request{Action: "read"}).Allowed)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{`user.x = "a"`, `1:1: the rule grants no action`},
		{`user.x = "a" and resource._actions = "fly"`, `1:38: unknown action "fly"`},
		{`user.x = and resource._actions = "read"`, `1:10: want a value`},
		{`user.x = "a" resource._actions = "read"`, `1:14: unexpected name "resource" after a complete rule`},
		{`usr.x = "a" and resource._actions = "read"`, `1:1: unknown name "usr"`},
		{`user = "a" and resource._actions = "read"`, `1:1: user needs an attribute`},
		{`user.x = "a and resource._actions = "read"`, `1:38: unexpected name "read" after a complete rule`},
		{`user.x = "a" and resource._actions = {"read"`, `1:45: want "}" to close the list of actions, found end of rule`},
		{`(user.x = "a" and resource._actions = "read"`, `1:45: want ")" to close the parenthesis`},
		{`user.x matches "(" and resource._actions = "read"`, `1:16: bad regular expression "("`},
		{`"read" = resource._actions`, `1:10: resource._actions can only be the left operand of =`},
		{`resource._actions != "read"`, `1:1: resource._actions must be followed by =`},
		{`resource.Frob("read") and resource._actions = "read"`, `1:1: unknown function resource.Frob`},
		{`resource.HasPrivilege(1) and resource._actions = "read"`, `1:23: HasPrivilege needs an action string`},
		{`user.x = 1 # trailing and resource._actions = "read"`, `1:12: unexpected character '#'`},
		{`user.x = "a" and resource._actions = ` + "\n\n" + `  user. = 1`, "1:38: want an action string such as \"read\", found end of rule\ntest.txt:3:9: want an attribute name after \".\", found \"=\""},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Parse("test.txt", []byte(tt.src))
			require.Error(t, err)
			var list ErrorList
			require.True(t, errors.As(err, &list))
			require.Contains(t, err.Error(), "test.txt:"+tt.want)
		})
	}
	// At most MaxErrors errors.
	src := strings.Repeat("user.x = 1\n", 25)
	_, err := Parse("many.txt", []byte(src))
	var list ErrorList
	require.True(t, errors.As(err, &list))
	require.Len(t, list, MaxErrors)
	require.Equal(t, 10, list[9].Line)
	require.Contains(t, err.Error(), "too many errors")
}

func TestLoadPolicy(t *testing.T) {
	dir := t.TempDir()
	allow, deny := filepath.Join(dir, "allow.txt"), filepath.Join(dir, "deny.txt")
	require.NoError(t, os.WriteFile(allow, []byte(`resource._actions = "read"`), 0o600))
	require.NoError(t, os.WriteFile(deny, []byte(`user.blocked && resource._actions = "*"`), 0o600))
	p, err := LoadPolicy(allow, deny)
	require.NoError(t, err)
	require.True(t, p.Decide(Request{User: map[string]any{}, Action: "read"}).Allowed)
	require.False(t, p.Decide(Request{User: map[string]any{"blocked": true}, Action: "read"}).Allowed)
	_, err = LoadPolicy(filepath.Join(dir, "none.txt"), "")
	require.ErrorContains(t, err, "cannot read the access rules")
	_, err = LoadPolicy("", deny)
	require.ErrorContains(t, err, "no allow rule file")
	require.NoError(t, os.WriteFile(deny, []byte("\n\nuser.x = \n"), 0o600))
	_, err = LoadPolicy(allow, deny)
	require.ErrorContains(t, err, fmt.Sprintf("%s:3:10: the rule ends where a value is expected", deny))
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"empty_engine_rules.txt", "reload_engine_rules.txt"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(string(src))
	}
	f.Add(`!(user.a like "x\*") || user.b matches "[a-z]+" && resource.HasPrivilege("read") and resource._actions = {"*"}`)
	f.Fuzz(func(t *testing.T, src string) {
		set, err := Parse("fuzz", []byte(src))
		if err != nil {
			return
		}
		req := Request{User: map[string]any{"a": "x", "b": []any{"y", 1.0}}, Resource: object("sheet"), Action: "read"}
		_ = set.Grants(req)
		_ = (&Policy{Allow: set, Deny: set}).Decide(req)
	})
}
