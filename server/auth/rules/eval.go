package rules

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Request is what a rule is evaluated against.
type Request struct {
	// User is user.<attribute>: the token's claims (and mapped attributes,
	// id = sub). Nested objects are reached with more dots.
	User map[string]any
	// Resource is resource.<attribute>: _resourcetype ("App" or
	// "App.Object"), _objecttype, id, owner, description, app (a map with
	// the app's attributes for an object).
	Resource map[string]any
	// Action is the action asked for: create, read, update, reload,
	// delete, import, export or "export data".
	Action string
}

// Decision is the outcome of a Policy.
type Decision struct {
	// Allowed is true when an allow rule granted the action and no deny
	// rule denied it.
	Allowed bool
	// Reason says which rule decided, for logs.
	Reason string
}

// Policy is an allow rule file and an optional deny rule file. Access is
// denied by default: an action is allowed only when an allow rule grants
// it, and no deny rule that evaluates to true names it.
type Policy struct {
	Allow *RuleSet
	Deny  *RuleSet
}

// LoadPolicy reads the allow file and, if denyPath is not empty, the deny
// file.
func LoadPolicy(allowPath, denyPath string) (*Policy, error) {
	var p Policy
	for _, f := range []struct {
		path string
		set  **RuleSet
	}{{allowPath, &p.Allow}, {denyPath, &p.Deny}} {
		if f.path == "" {
			continue
		}
		src, err := os.ReadFile(f.path)
		if err != nil {
			return nil, fmt.Errorf("cannot read the access rules: %w", err)
		}
		set, err := Parse(f.path, src)
		if err != nil {
			return nil, err
		}
		*f.set = set
	}
	if p.Allow == nil {
		return nil, fmt.Errorf("cannot load the access rules: no allow rule file")
	}
	return &p, nil
}

// Decide evaluates the deny rules, then the allow rules.
func (p *Policy) Decide(req Request) Decision {
	action := strings.ToLower(req.Action)
	if p.Deny != nil {
		for _, r := range p.Deny.rules {
			ev := evaluator{req: req}
			if ev.truth(r.e) && (ev.pending["*"] || ev.pending[action]) {
				return Decision{Reason: fmt.Sprintf("denied by %s:%d", p.Deny.name, r.line)}
			}
		}
	}
	if p.Allow == nil {
		return Decision{Reason: "no allow rules"}
	}
	granted, line := p.Allow.grants(req, action)
	if granted {
		return Decision{Allowed: true, Reason: fmt.Sprintf("allowed by %s:%d", p.Allow.name, line)}
	}
	return Decision{Reason: fmt.Sprintf("no rule of %s grants %q", p.Allow.name, req.Action)}
}

// Grants returns the actions the rules grant to a request ("*" for all).
func (s *RuleSet) Grants(req Request) []string {
	ev := evaluator{req: req, granted: map[string]bool{}}
	for _, r := range s.rules {
		ev.pending = nil
		if ev.truth(r.e) {
			for a := range ev.pending {
				ev.granted[a] = true
			}
		}
	}
	var out []string
	for _, a := range append([]string{"*"}, Actions...) {
		if ev.granted[a] {
			out = append(out, a)
		}
	}
	return out
}

// grants accumulates the actions of the rules in order and tells whether
// action is among them, and the line of the rule that granted it.
func (s *RuleSet) grants(req Request, action string) (bool, int) {
	ev := evaluator{req: req, granted: map[string]bool{}}
	for _, r := range s.rules {
		ev.pending = nil
		if !ev.truth(r.e) {
			continue
		}
		for a := range ev.pending {
			ev.granted[a] = true
		}
		if ev.granted["*"] || ev.granted[action] {
			return true, r.line
		}
	}
	return false, 0
}

// evaluator evaluates one rule; pending are the actions its
// resource._actions parts granted so far (kept only if the rule is true),
// granted those of earlier rules (HasPrivilege).
type evaluator struct {
	req     Request
	granted map[string]bool
	pending map[string]bool
}

func (ev *evaluator) truth(e expr) bool {
	switch e := e.(type) {
	case *orExpr:
		return ev.truth(e.l) || ev.truth(e.r)
	case *andExpr:
		return ev.truth(e.l) && ev.truth(e.r)
	case *notExpr:
		return !ev.truth(e.x)
	case *actionsExpr:
		if ev.pending == nil {
			ev.pending = map[string]bool{}
		}
		for _, a := range e.actions {
			ev.pending[a] = true
		}
		return true
	}
	return truthy(ev.value(e))
}

// value evaluates an operand: nil (missing), bool, float64, string, or a
// []any list.
func (ev *evaluator) value(e expr) any {
	switch e := e.(type) {
	case *litExpr:
		return e.v
	case *listExpr:
		out := make([]any, 0, len(e.items))
		for _, it := range e.items {
			out = append(out, ev.value(it))
		}
		return out
	case *pathExpr:
		m := ev.req.User
		if e.root == "resource" {
			m = ev.req.Resource
		}
		return lookup(m, e.path)
	case *callExpr:
		return ev.granted["*"] || ev.granted[e.action] || ev.pending["*"] || ev.pending[e.action]
	case *cmpExpr:
		return compare(e, ev.value(e.l), ev.value(e.r))
	default:
		return ev.truth(e)
	}
}

// lookup follows a path through nested maps; names match exactly, else
// case-insensitively.
func lookup(m map[string]any, path []string) any {
	var cur any = m
	for _, name := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		v, ok := obj[name]
		if !ok {
			for k, x := range obj {
				if strings.EqualFold(k, name) {
					v, ok = x, true
					break
				}
			}
		}
		if !ok {
			return nil
		}
		cur = v
	}
	return cur
}

// truthy: true, the string "true", a non-zero number, or a list with a
// truthy element.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	case float64:
		return v != 0
	case int:
		return v != 0
	case []any:
		for _, x := range v {
			if truthy(x) {
				return true
			}
		}
	case []string:
		for _, x := range v {
			if truthy(x) {
				return true
			}
		}
	}
	return false
}

// flatten makes a list of scalars of a value (nil: no values).
func flatten(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		var out []any
		for _, x := range v {
			out = append(out, flatten(x)...)
		}
		return out
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case map[string]any:
		return nil // objects compare to nothing
	}
	return []any{v}
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// compare applies a comparison: with lists, any pair of values that
// satisfies it makes it true; a missing value makes it false.
func compare(c *cmpExpr, l, r any) bool {
	ls, rs := flatten(l), flatten(r)
	for _, a := range ls {
		for _, b := range rs {
			if compareOne(c, a, b) {
				return true
			}
		}
	}
	return false
}

func compareOne(c *cmpExpr, a, b any) bool {
	fa, aNum := a.(float64)
	fb, bNum := b.(float64)
	switch c.op {
	case tEq, tStrictEq, tNe, tStrictNe:
		var eq bool
		switch {
		case aNum && bNum:
			eq = fa == fb
		case c.op == tEq || c.op == tNe:
			eq = strings.EqualFold(text(a), text(b))
		default:
			eq = text(a) == text(b)
		}
		if c.op == tNe || c.op == tStrictNe {
			return !eq
		}
		return eq
	case tLike:
		return like(strings.ToLower(text(a)), strings.ToLower(text(b)))
	case tMatches:
		re := c.re
		if re == nil {
			var err error
			if re, err = regexp.Compile("^(?:" + text(b) + ")$"); err != nil {
				return false
			}
		}
		return re.MatchString(text(a))
	}
	return false
}

// like matches s against a wildcard pattern: ? one character, * any run,
// \ escapes the next character.
func like(s, pattern string) bool {
	sr, pr := []rune(s), []rune(pattern)
	// Iterative matching with backtracking to the last star.
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(sr) {
		if pi < len(pr) {
			switch c := pr[pi]; {
			case c == '*':
				starP, starS = pi, si
				pi++
				continue
			case c == '?':
				si++
				pi++
				continue
			case c == '\\' && pi+1 < len(pr):
				if sr[si] == pr[pi+1] {
					si++
					pi += 2
					continue
				}
			case c == sr[si]:
				si++
				pi++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		si, pi = starS, starP+1
	}
	for pi < len(pr) && pr[pi] == '*' {
		pi++
	}
	return pi == len(pr)
}
