package rules

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Error is a rule file error at a position.
type Error struct {
	// File names the rule file ("" when parsing a string).
	File string
	// Pos is the byte offset; Line and Col (1-based, Col in bytes) are
	// filled in by Parse.
	Pos       int
	Line, Col int
	Msg       string
}

// Error returns "file:line:col: message".
func (e *Error) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// MaxErrors caps the errors one parse reports.
const MaxErrors = 10

// ErrorList is the errors of a rule file, in order, at most MaxErrors.
type ErrorList []*Error

// Error returns the errors one per line, saying when some were left out.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	if len(l) == MaxErrors {
		b.WriteString("\n(too many errors; stopped)")
	}
	return b.String()
}

// Actions are the actions a rule can grant (Qlik Core's list).
var Actions = []string{"create", "read", "update", "reload", "delete", "import", "export", "export data"}

// expr is a node of a rule's expression.
type expr interface{ at() int }

type (
	orExpr  struct{ l, r expr }
	andExpr struct{ l, r expr }
	notExpr struct {
		x expr
		p int
	}
	cmpExpr struct {
		op   tokKind
		l, r expr
		re   *regexp.Regexp // matches with a literal pattern, compiled once
		p    int
	}
	// actionsExpr is resource._actions = <actions>: always true, and it
	// grants the actions.
	actionsExpr struct {
		actions []string
		p       int
	}
	pathExpr struct {
		root string   // "user" or "resource"
		path []string // attribute names
		p    int
	}
	litExpr struct {
		v any // string, float64 or bool
		p int
	}
	listExpr struct {
		items []expr
		p     int
	}
	// callExpr is resource.HasPrivilege("action") (or resource.app....).
	callExpr struct {
		target pathExpr
		action string
		p      int
	}
)

func (e *orExpr) at() int      { return e.l.at() }
func (e *andExpr) at() int     { return e.l.at() }
func (e *notExpr) at() int     { return e.p }
func (e *cmpExpr) at() int     { return e.p }
func (e *actionsExpr) at() int { return e.p }
func (e *pathExpr) at() int    { return e.p }
func (e *litExpr) at() int     { return e.p }
func (e *listExpr) at() int    { return e.p }
func (e *callExpr) at() int    { return e.p }

// rule is one parsed line.
type rule struct {
	e    expr
	line int
	text string
}

// RuleSet is the rules of one file, in order.
type RuleSet struct {
	name  string
	rules []rule
}

// Len returns the number of rules.
func (s *RuleSet) Len() int { return len(s.rules) }

// Parse reads a rule file: one rule per line, blank lines and lines that
// start with # ignored. name labels errors. Every error is positioned
// (line:col); at most MaxErrors are reported, as an ErrorList.
func Parse(name string, src []byte) (*RuleSet, error) {
	set := &RuleSet{name: name}
	var errs ErrorList
	text := string(src)
	offset := 0
	for lineNo := 1; offset <= len(text); lineNo++ {
		end := strings.IndexByte(text[offset:], '\n')
		if end < 0 {
			end = len(text) - offset
		}
		line := text[offset : offset+end]
		trimmed := strings.TrimSpace(line)
		if trimmed != "" && !strings.HasPrefix(trimmed, "#") {
			p := &parser{lex: lexer{src: line, base: offset}}
			e, err := p.parseRule()
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) {
					pe = &Error{Pos: offset, Msg: err.Error()}
				}
				errs = append(errs, pe)
				if len(errs) == MaxErrors {
					break
				}
			} else {
				set.rules = append(set.rules, rule{e: e, line: lineNo, text: trimmed})
			}
		}
		offset += end + 1
	}
	if len(errs) > 0 {
		for _, e := range errs {
			e.File = name
			e.Line, e.Col = lineCol(text, e.Pos)
		}
		return nil, errs
	}
	return set, nil
}

func lineCol(src string, pos int) (int, int) {
	pos = min(pos, len(src))
	line := 1 + strings.Count(src[:pos], "\n")
	col := pos - (strings.LastIndexByte(src[:pos], '\n') + 1) + 1
	return line, col
}

// parser is a recursive-descent parser of one rule, one token ahead.
type parser struct {
	lex     lexer
	tok     token
	started bool
	actions bool // the rule has a resource._actions = ... part
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errorf(pos int, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expect(k tokKind, what string) error {
	if p.tok.kind != k {
		return p.errorf(p.tok.pos, "want %s %s, found %s", k, what, p.describe())
	}
	return p.advance()
}

func (p *parser) describe() string {
	switch p.tok.kind {
	case tIdent:
		return fmt.Sprintf("name %q", p.tok.text)
	case tNumber:
		return fmt.Sprintf("number %s", p.tok.text)
	case tString:
		return fmt.Sprintf("string %q", p.tok.text)
	}
	return p.tok.kind.String()
}

// parseRule parses a whole line.
//
//	rule = or EOF
func (p *parser) parseRule() (expr, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.errorf(p.tok.pos, "unexpected %s after a complete rule (is an and/or missing?)", p.describe())
	}
	if !p.actions {
		return nil, p.errorf(p.lex.base, "the rule grants no action: it needs resource._actions = {...}")
	}
	return e, nil
}

// parseOr parses a disjunction.
//
//	or = and { ("or" | "||") and }
func (p *parser) parseOr() (expr, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tOr {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &orExpr{l: l, r: r}
	}
	return l, nil
}

// parseAnd parses a conjunction.
//
//	and = unary { ("and" | "&&") unary }
func (p *parser) parseAnd() (expr, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tAnd {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = &andExpr{l: l, r: r}
	}
	return l, nil
}

// parseUnary parses a negation or a comparison.
//
//	unary = "!" unary | comparison
func (p *parser) parseUnary() (expr, error) {
	if p.tok.kind == tNot {
		pos := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x, p: pos}, nil
	}
	return p.parseComparison()
}

func isCmp(k tokKind) bool {
	switch k {
	case tEq, tStrictEq, tNe, tStrictNe, tLike, tMatches:
		return true
	}
	return false
}

// parseComparison parses an operand, compared or alone (a truth value).
//
//	comparison = operand [ ("=" | "==" | "!=" | "!==" | "like" | "matches") operand ]
//	           | "resource" "." "_actions" "=" operand
func (p *parser) parseComparison() (expr, error) {
	l, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	if pe, ok := l.(*pathExpr); ok && pe.isActions() {
		if p.tok.kind != tEq {
			return nil, p.errorf(pe.p, "resource._actions must be followed by = and the actions it grants")
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return p.parseActions(pe.p)
	}
	if !isCmp(p.tok.kind) {
		return l, nil
	}
	op := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	r, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	if pe, ok := r.(*pathExpr); ok && pe.isActions() {
		return nil, p.errorf(pe.p, "resource._actions can only be the left operand of =")
	}
	c := &cmpExpr{op: op.kind, l: l, r: r, p: op.pos}
	if op.kind == tMatches {
		if lit, ok := r.(*litExpr); ok {
			s, isStr := lit.v.(string)
			if !isStr {
				return nil, p.errorf(lit.p, "matches needs a regular expression string")
			}
			re, err := regexp.Compile("^(?:" + s + ")$")
			if err != nil {
				return nil, p.errorf(lit.p, "bad regular expression %q: %v", s, err)
			}
			c.re = re
		}
	}
	return c, nil
}

// parseActions parses what resource._actions grants.
//
//	actions = string | "{" string { "," string } "}"
func (p *parser) parseActions(pos int) (expr, error) {
	var names []string
	add := func(t token) error {
		if t.kind != tString {
			return p.errorf(t.pos, "want an action string such as \"read\", found %s", p.describe())
		}
		a := strings.ToLower(strings.TrimSpace(t.text))
		if a != "*" && !isAction(a) {
			return p.errorf(t.pos, "unknown action %q (want one of %s, or \"*\")", t.text, quoteAll(Actions))
		}
		names = append(names, a)
		return p.advance()
	}
	if p.tok.kind == tLBrace {
		if err := p.advance(); err != nil {
			return nil, err
		}
		for {
			if err := add(p.tok); err != nil {
				return nil, err
			}
			if p.tok.kind != tComma {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		if err := p.expect(tRBrace, "to close the list of actions"); err != nil {
			return nil, err
		}
	} else if err := add(p.tok); err != nil {
		return nil, err
	}
	p.actions = true
	return &actionsExpr{actions: names, p: pos}, nil
}

func isAction(a string) bool {
	for _, x := range Actions {
		if x == a {
			return true
		}
	}
	return false
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	sort.Strings(q)
	return strings.Join(q, ", ")
}

// parseOperand parses a value.
//
//	operand = path [ "(" string ")" ] | string | number | "true" | "false"
//	        | "{" [ operand { "," operand } ] "}" | "(" or ")"
//	path    = ("user" | "resource") "." name { "." name }
func (p *parser) parseOperand() (expr, error) {
	t := p.tok
	switch t.kind {
	case tString:
		return &litExpr{v: t.text, p: t.pos}, p.advance()
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errorf(t.pos, "bad number %q", t.text)
		}
		return &litExpr{v: f, p: t.pos}, p.advance()
	case tTrue, tFalse:
		return &litExpr{v: t.kind == tTrue, p: t.pos}, p.advance()
	case tLBrace:
		if err := p.advance(); err != nil {
			return nil, err
		}
		l := &listExpr{p: t.pos}
		if p.tok.kind != tRBrace {
			for {
				item, err := p.parseOperand()
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, item)
				if p.tok.kind != tComma {
					break
				}
				if err := p.advance(); err != nil {
					return nil, err
				}
			}
		}
		return l, p.expect(tRBrace, "to close the list")
	case tLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(tRParen, "to close the parenthesis")
	case tIdent:
		return p.parsePath()
	case tEOF:
		return nil, p.errorf(t.pos, "the rule ends where a value is expected")
	}
	return nil, p.errorf(t.pos, "want a value (user.<attribute>, resource.<attribute>, a string, a number or a list), found %s", p.describe())
}

func (p *parser) parsePath() (expr, error) {
	t := p.tok
	root := strings.ToLower(t.text)
	if root != "user" && root != "resource" {
		return nil, p.errorf(t.pos, "unknown name %q: rules speak of user.<attribute> and resource.<attribute>", t.text)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	pe := &pathExpr{root: root, p: t.pos}
	for p.tok.kind == tDot {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tIdent {
			return nil, p.errorf(p.tok.pos, "want an attribute name after \".\", found %s", p.describe())
		}
		pe.path = append(pe.path, p.tok.text)
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if len(pe.path) == 0 {
		return nil, p.errorf(t.pos, "%s needs an attribute: %s.<name>", t.text, root)
	}
	if p.tok.kind != tLParen {
		return pe, nil
	}
	// A function call: only HasPrivilege, on the resource (or its app).
	fn := pe.path[len(pe.path)-1]
	target := pathExpr{root: pe.root, path: pe.path[:len(pe.path)-1], p: pe.p}
	if !strings.EqualFold(fn, "HasPrivilege") || root != "resource" || !(len(target.path) == 0 || len(target.path) == 1 && strings.EqualFold(target.path[0], "app")) {
		return nil, p.errorf(t.pos, "unknown function %s: the only one is resource.HasPrivilege(\"action\")", strings.Join(append([]string{t.text}, pe.path...), "."))
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	arg := p.tok
	if arg.kind != tString {
		return nil, p.errorf(arg.pos, "HasPrivilege needs an action string, found %s", p.describe())
	}
	a := strings.ToLower(arg.text)
	if !isAction(a) {
		return nil, p.errorf(arg.pos, "unknown action %q (want one of %s)", arg.text, quoteAll(Actions))
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tRParen, "to close HasPrivilege("); err != nil {
		return nil, err
	}
	return &callExpr{target: target, action: a, p: t.pos}, nil
}

func (pe *pathExpr) isActions() bool {
	return pe.root == "resource" && len(pe.path) == 1 && strings.EqualFold(pe.path[0], "_actions")
}
